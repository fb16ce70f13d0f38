#include "tests/support/order_links.h"
#include "tests/support/pg.h"

static const char *const LINK_SQL =
    "with posted as ("
    "  select i.business_key as order_key, i.context as c from o2c.instance i"
    "   where i.workflow = 'order_to_cash' and i.state = 'posted'"
    "     and not exists (select from o2c.canonical_order o where o.order_key = i.business_key)), "
    "orders as ("
    "  insert into o2c.canonical_order (order_key, channel, connection, store, number, placed_at, status, currency,"
    "                                   minor_digits, tax_included, email, payment_method, lines_net, lines_tax,"
    "                                   shipping_net, grand_total)"
    "  select p.order_key, 'centra', 'centra', coalesce(p.c->>'store', '1'), p.c#>>'{order,number}',"
    "         (p.c#>>'{order,createdAt}')::timestamptz, 'confirmed', p.c#>>'{order,currency,code}',"
    "         coalesce((select minor_digits from o2c.currency where code = p.c#>>'{order,currency,code}'), 2),"
    "         coalesce(o2c.centra_money(p.c#>'{order,totals,taxAdded}'), 0) = 0, p.c->>'customer_email',"
    "         p.c#>>'{order,paymentMethod,uri}',"
    "         coalesce((select sum(o2c.centra_money(l->'lineValueExTax')) from jsonb_array_elements(p.c#>'{order,lines}') l), 0),"
    "         coalesce((select sum(o2c.centra_money(l->'lineValue') - o2c.centra_money(l->'lineValueExTax'))"
    "                     from jsonb_array_elements(p.c#>'{order,lines}') l), 0),"
    "         coalesce(o2c.centra_money(p.c#>'{order,totals,shipping}'), 0),"
    "         o2c.centra_money(p.c#>'{order,grandTotal}')"
    "    from posted p returning order_key), "
    "lines as ("
    "  insert into o2c.canonical_order_line (order_key, line_no, kind, storefront_line_id, sku, name, quantity,"
    "                                        unit_price, net, tax, tax_rate)"
    "  select p.order_key, n::int, 'product', l->>'id', l#>>'{productSize,SKU}', l->>'productName',"
    "         (l->>'quantity')::numeric, o2c.centra_money(l->'unitPrice'),"
    "         coalesce(o2c.centra_money(l->'lineValueExTax'), 0),"
    "         coalesce(o2c.centra_money(l->'lineValue') - o2c.centra_money(l->'lineValueExTax'), 0),"
    "         (l->>'taxPercent')::numeric"
    "    from posted p cross join jsonb_array_elements(p.c#>'{order,lines}') with ordinality as x(l, n)"
    "   where exists (select from orders o where o.order_key = p.order_key) returning order_key), "
    "links as ("
    "  insert into o2c.erp_order (order_key, erp_connection, external_id, erp_order_id)"
    "  select p.order_key, 'netsuite', p.c->>'sales_order_external_id', p.c->>'sales_order_id'"
    "    from posted p where exists (select from orders o where o.order_key = p.order_key) returning order_key) "
    "select count(*) from links";

static const char *const LINE_LINK_SQL =
    "insert into o2c.erp_order_line (order_key, erp_connection, erp_line, order_line_no)"
    " select ol.order_key, 'netsuite', row_number() over (partition by ol.order_key order by ol.line_no), ol.line_no"
    "   from o2c.canonical_order_line ol"
    "  where ol.kind = 'product' and ol.quantity > 0"
    "    and not exists (select from o2c.erp_order_line el where el.order_key = ol.order_key)";

long long tlinks_record_posted_orders(PGconn *db)
{
    long long n = tpg_number(db, LINK_SQL, 0, NULL);
    if (n < 0 || !tpg_ok(db, LINE_LINK_SQL, 0, NULL))
        return -1;
    return n;
}
