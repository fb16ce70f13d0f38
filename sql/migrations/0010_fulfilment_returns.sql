-- Fulfilment and returns round trip (issue 11): where an ERP fulfilment was shown in the
-- storefront, the fulfilment poller's cursor, and the ERP documents a storefront refund became.
-- Functions and views: sql/api/fulfilment.sql, sql/api/returns.sql, sql/api/reconciliation.sql.

-- The fulfilment poller's position per ERP connection: the last-modified time of the newest
-- fulfilment it has started a workflow for, and when it last finished a round (sync_health).
create table o2c.fulfilment_poll_cursor (
    erp_connection  text primary key,
    cursor          timestamptz not null,
    last_round_at   timestamptz not null default now(),
    rounds          bigint not null default 0
);

-- A canonical fulfilment as the storefront shows it: the shipment made for it, and when the
-- storefront sent the shopper its "your order has shipped" notification.
create table o2c.storefront_shipment (
    fulfilment_key         text primary key references o2c.canonical_fulfilment on delete cascade,
    storefront_connection  text not null,
    shipment_id            text not null,
    shipment_number        text,
    notified_at            timestamptz not null,
    recorded_at            timestamptz not null default now(),
    unique (storefront_connection, shipment_id)
);

-- A canonical return or refund as the ERP holds it: the return authorization (when goods come
-- back), the credit memo and the customer refund, with the credit memo's amount as the ERP has it.
create table o2c.erp_return (
    return_key          text not null references o2c.canonical_return on delete cascade,
    erp_connection      text not null,
    return_auth_id      text,
    credit_memo_id      text,
    credit_memo_amount  numeric,
    customer_refund_id  text,
    recorded_at         timestamptz not null default now(),
    primary key (return_key, erp_connection)
);

insert into o2c.failure_category (category, owner, severity, description) values
    ('rejected_by_storefront', 'cx', 'high',
     'The storefront refused the shipment (order cancelled, more units than ordered); its own words are in the message.'),
    ('refund_exceeds_payment', 'finance', 'high',
     'A storefront refund is more than the shopper paid for the order (or more than is left to refund).'),
    ('unmapped_erp_line', 'engineering', 'high',
     'An ERP document line has no canonical order line in o2c.erp_order_line.')
on conflict do nothing;

grant select on o2c.fulfilment_poll_cursor, o2c.storefront_shipment, o2c.erp_return to o2c_analyst, o2c_admin;
