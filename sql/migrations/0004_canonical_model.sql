-- The canonical model: one system-neutral set of records between every storefront and every ERP
-- (docs/MODEL.md explains each record and its money rules). Storefront connectors map *into*
-- these records, ERP connectors *out of* them; no pipeline maps one system's shape into another's.
--
-- Each record is a table here, and that table's row type is also the record's JSON form: a
-- record passed through a workflow's context is a JSON object with exactly these column names
-- (a header's lines under "lines"), read back with jsonb_populate_record(null::o2c.<table>, …).
-- So the model is defined once, and a wrongly typed value fails where it is read, by name.
--
-- Money is numeric in the record's currency, never rounded beyond o2c.currency.minor_digits.
-- Quantities are whole units. Keys are text: storefront numbers may exceed int64.
--
-- Also here, because every later piece builds on them: the typed failure categories
-- (o2c.failure_category, mirrored in C) and the mapping tables keyed by connection rather than
-- by system name, so two NetSuite accounts or two Centra stores run side by side.

-- ISO 4217 currencies o2c knows, with their minor-unit digits (JPY 0, KWD 3). A canonical record
-- in a currency not listed here is refused by its validation, naming the currency.
create table o2c.currency (
    code         text primary key check (code ~ '^[A-Z]{3}$'),
    minor_digits int not null check (minor_digits between 0 and 4),
    name         text not null
);
insert into o2c.currency (code, minor_digits, name) values
    ('SEK', 2, 'Swedish krona'), ('EUR', 2, 'Euro'), ('USD', 2, 'US dollar'),
    ('GBP', 2, 'Pound sterling'), ('NOK', 2, 'Norwegian krone'), ('DKK', 2, 'Danish krone'),
    ('CHF', 2, 'Swiss franc'), ('PLN', 2, 'Polish złoty'), ('CAD', 2, 'Canadian dollar'),
    ('AUD', 2, 'Australian dollar'), ('NZD', 2, 'New Zealand dollar'), ('JPY', 0, 'Japanese yen'),
    ('KRW', 0, 'South Korean won'), ('CNY', 2, 'Chinese yuan'), ('HKD', 2, 'Hong Kong dollar'),
    ('SGD', 2, 'Singapore dollar'), ('CZK', 2, 'Czech koruna'), ('HUF', 2, 'Hungarian forint'),
    ('ISK', 0, 'Icelandic króna'), ('KWD', 3, 'Kuwaiti dinar'), ('BHD', 3, 'Bahraini dinar'),
    ('AED', 2, 'UAE dirham'), ('MXN', 2, 'Mexican peso'), ('BRL', 2, 'Brazilian real'),
    ('INR', 2, 'Indian rupee'), ('ZAR', 2, 'South African rand');

-- Failure categories: every `failed` outcome names one of these (the C mirror is
-- connectors/common/failure.h). The owner and severity here are the defaults an exception gets;
-- the sentence is what a person reads first.
create table o2c.failure_category (
    category    text primary key check (category ~ '^[a-z][a-z0-9_]*$'),
    owner       text not null check (owner in ('finance', 'ops', 'cx', 'engineering')),
    severity    text not null check (severity in ('low', 'medium', 'high', 'critical')),
    description text not null
);
insert into o2c.failure_category (category, owner, severity, description) values
    ('engine_error',             'engineering', 'critical', 'o2c itself failed to run the step; the message says where.'),
    ('workflow_error',           'engineering', 'high',     'The pipeline definition or its params are wrong for this action.'),
    ('bad_input',                'engineering', 'high',     'The workflow context lacks a value the action needs, or holds it in the wrong shape.'),
    ('configuration',            'engineering', 'critical', 'A connection is set up wrongly (base URL, credentials variable, TLS); nothing was sent.'),
    ('remote_auth',              'engineering', 'critical', 'The remote system refused our credentials.'),
    ('remote_permission',        'engineering', 'high',     'The credentials work but lack a permission this call needs.'),
    ('remote_data',              'engineering', 'high',     'The remote system answered something o2c cannot read.'),
    ('remote_rejected',          'ops',         'medium',   'The remote system refused the record; its own words and field are in the message.'),
    ('rejected_by_netsuite',     'ops',         'medium',   'NetSuite refused the record; its own words and field are in the message.'),
    ('retries_exhausted',        'engineering', 'high',     'A transient failure outlasted the retry budget.'),
    ('record_locked',            'ops',         'medium',   'A record stayed locked (open in the ERP by a person) past the lock budget.'),
    ('lease_expired',            'engineering', 'high',     'The step kept outliving its lease; it was stopped rather than redone without end.'),
    ('bad_order_data',           'ops',         'high',     'The storefront order cannot be read or lacks what the ERP needs.'),
    ('total_mismatch',           'finance',     'high',     'The order''s lines, discounts, shipping and taxes do not add up to what the shopper was charged.'),
    ('unmapped_sku',             'ops',         'high',     'A storefront SKU has no ERP item in o2c.sku_map.'),
    ('unmapped_tax',             'ops',         'high',     'A tax rate has no ERP tax code in o2c.tax_map.'),
    ('unmapped_currency',        'finance',     'high',     'A currency has no ERP currency in o2c.currency_map.'),
    ('unmapped_value',           'ops',         'high',     'A value the ERP needs has no row in a mapping table.'),
    ('cancelled_after_shipping', 'ops',         'high',     'The shopper cancelled units that had already shipped: stop the parcel or book a return.');

-- Mapping tables are keyed by connection (o2c.connection.name), not by system name. The shipped
-- connections are named after their systems ('centra', 'netsuite'), so existing rows keep their
-- values and only the columns are renamed.
alter table o2c.sku_map rename column storefront to storefront_connection;
alter table o2c.sku_map rename column erp to erp_connection;
alter table o2c.tax_map rename column storefront to storefront_connection;
alter table o2c.tax_map rename column erp to erp_connection;
alter table o2c.currency_map rename column erp to erp_connection;
alter table o2c.payment_map rename column storefront to storefront_connection;
alter table o2c.payment_map rename column erp to erp_connection;
alter table o2c.location_map rename column storefront to storefront_connection;
alter table o2c.location_map rename column erp to erp_connection;
alter table o2c.erp_setting rename column erp to erp_connection;

-- ---------------------------------------------------------------------------------------------
-- Order: header, product lines and shipping lines. Built by a storefront's `<system> → canonical`
-- half; read by an ERP's `canonical → <erp>` half and by fulfilment, returns and settlements.
create table o2c.canonical_order (
    order_key          text primary key,    -- o2c.order_key(channel, store, number)
    channel            text not null,       -- storefront system: centra, shopify, amazon
    connection         text not null,       -- the storefront connection it came through
    store              text not null,
    number             text not null,       -- the storefront's order number, as text
    placed_at          timestamptz not null,
    status             text not null check (status in ('pending', 'confirmed', 'processing', 'shipped', 'cancelled')),
    currency           text not null,       -- o2c.currency.code
    minor_digits       int not null check (minor_digits between 0 and 4),
    tax_included       boolean not null,    -- unit prices include tax (EU shops) or not (US)
    customer_ref       text,                -- the storefront's customer id
    email              text,                -- normalised: trimmed, lower case
    first_name         text,
    last_name          text,
    phone              text,
    payment_method     text,                -- storefront payment method (Centra paymentMethod.uri)
    gateway            text,                -- payment gateway behind it (adyen, klarna, …)
    gateway_reference  text,                -- the gateway's reference of the capture (PSP reference)
    captured_amount    numeric,             -- what the gateway captured, in currency
    billing_address    jsonb,               -- {name, line1, line2, city, region, postcode, country, phone, email}
    shipping_address   jsonb,
    discount_codes     text[] not null default '{}',
    lines_net          numeric not null,    -- Σ product lines' net, after discount
    lines_tax          numeric not null,    -- Σ product lines' tax, after discount
    discount_net       numeric not null default 0,   -- Σ lines' discount net (positive: taken off)
    discount_tax       numeric not null default 0,
    shipping_net       numeric not null default 0,
    shipping_tax       numeric not null default 0,
    grand_total        numeric not null,    -- what the shopper was charged
    source_updated_at  timestamptz,         -- the storefront's last change: a newer snapshot wins
    recorded_at        timestamptz not null default now()
);
create unique index canonical_order_number on o2c.canonical_order (connection, store, number);

create table o2c.canonical_order_line (
    order_key           text not null references o2c.canonical_order on delete cascade,
    line_no             int not null check (line_no > 0),   -- 1, 2, … in the storefront's order
    kind                text not null check (kind in ('product', 'shipping')),
    storefront_line_id  text,                -- the storefront's line id (fulfilments point back at it)
    sku                 text,                -- null only on a shipping line
    name                text,
    quantity            numeric not null check (quantity >= 0 and quantity = trunc(quantity)),
    cancelled_quantity  numeric not null default 0 check (cancelled_quantity >= 0 and cancelled_quantity = trunc(cancelled_quantity)),
    unit_price          numeric,             -- per unit as charged (after discount), in the order's tax basis
    original_unit_price numeric,             -- per unit before the campaign discount
    net                 numeric not null,    -- the line's value without tax, after discount
    tax                 numeric not null,    -- the tax the storefront charged on it (the truth)
    tax_rate            numeric(7,4),        -- percent
    discount_net        numeric not null default 0,   -- this line's share of the discount (positive)
    discount_tax        numeric not null default 0,
    primary key (order_key, line_no)
);

-- Where a canonical order went in an ERP: its external id there (and the ERP's own id once
-- posted), and which line of the ERP's document holds which canonical line. Fulfilments and
-- returns in the ERP point at the ERP's lines; the storefront needs its own back.
create table o2c.erp_order (
    order_key       text not null references o2c.canonical_order on delete cascade,
    erp_connection  text not null,
    external_id     text not null,            -- e.g. NetSuite externalId, Sage customer_document_no
    erp_order_id    text,                     -- the ERP's internal id, once known
    primary key (order_key, erp_connection),
    unique (erp_connection, external_id)
);
create table o2c.erp_order_line (
    order_key       text not null,
    erp_connection  text not null,
    erp_line        int not null check (erp_line > 0),   -- 1-based position in the ERP document's lines
    order_line_no   int,                      -- the canonical line; null for a discount line
    primary key (order_key, erp_connection, erp_line),
    foreign key (order_key, erp_connection) references o2c.erp_order on delete cascade
);

-- ---------------------------------------------------------------------------------------------
-- Fulfilment: what left a warehouse for an order, built by an ERP's half (NetSuite item
-- fulfilment, Sage 200 despatch); a storefront's half turns it into a shipment.
create table o2c.canonical_fulfilment (
    fulfilment_key     text primary key,     -- '<erp connection>:<the ERP's fulfilment id>'
    order_key          text not null,        -- the canonical order it fulfils
    erp_connection     text not null,
    erp_fulfilment_id  text not null,
    location           text,                 -- the ERP location it shipped from
    carrier            text,
    service            text,
    tracking_numbers   text[] not null default '{}',
    shipped_at         timestamptz,
    recorded_at        timestamptz not null default now()
);
create table o2c.canonical_fulfilment_line (
    fulfilment_key  text not null references o2c.canonical_fulfilment on delete cascade,
    line_no         int not null check (line_no > 0),
    order_line_no   int not null,            -- o2c.canonical_order_line.line_no
    sku             text not null,
    quantity        numeric not null check (quantity > 0 and quantity = trunc(quantity)),
    primary key (fulfilment_key, line_no)
);

-- Return and refund: goods coming back and/or money going back, built by a storefront's half.
-- A refund with no goods (goodwill, shipping only) has kind 'refund' and no product lines.
create table o2c.canonical_return (
    return_key       text primary key,       -- '<channel>:<store>:<the storefront's return/refund id>'
    order_key        text not null,
    channel          text not null,
    kind             text not null check (kind in ('return', 'refund')),
    currency         text not null,
    reason           text,
    restock          boolean not null default true,
    refund_amount    numeric not null check (refund_amount >= 0),   -- all money back, tax and shipping included
    refund_tax       numeric not null default 0,
    shipping_refund  numeric not null default 0,                    -- part of refund_amount
    refunded_at      timestamptz,
    recorded_at      timestamptz not null default now()
);
create table o2c.canonical_return_line (
    return_key     text not null references o2c.canonical_return on delete cascade,
    line_no        int not null check (line_no > 0),
    order_line_no  int not null,              -- o2c.canonical_order_line.line_no
    sku            text not null,
    quantity       numeric not null check (quantity > 0 and quantity = trunc(quantity)),
    amount         numeric not null,          -- refunded for this line, tax included
    tax            numeric not null default 0,
    primary key (return_key, line_no)
);

-- Stock level: what an ERP says one SKU has at one location, as of a moment. The as-of guard
-- (never replace a level with an older one) is on as_of.
create table o2c.canonical_stock_level (
    erp_connection  text not null,
    sku             text not null,
    location        text not null,            -- the ERP location id
    on_hand         numeric not null,
    committed       numeric not null default 0,   -- promised to orders the storefront does not know
    available       numeric not null,
    as_of           timestamptz not null,
    primary key (erp_connection, sku, location)
);

-- Item: an ERP item and its prices (per currency, optionally per price list).
create table o2c.canonical_item (
    erp_connection  text not null,
    sku             text not null,
    erp_item_id     text not null,
    name            text not null,
    active          boolean not null default true,
    modified_at     timestamptz not null,
    primary key (erp_connection, sku)
);
create table o2c.canonical_item_price (
    erp_connection  text not null,
    sku             text not null,
    currency        text not null,
    price_list      text not null default '',  -- '' = the base price
    price           numeric not null check (price >= 0),
    primary key (erp_connection, sku, currency, price_list),
    foreign key (erp_connection, sku) references o2c.canonical_item on delete cascade
);

-- Settlement line: one amount of a marketplace settlement or gateway payout.
create table o2c.canonical_settlement_line (
    channel           text not null,          -- amazon, adyen, …
    settlement_id     text not null,          -- the settlement or payout batch id
    line_no           int not null check (line_no > 0),
    transaction_type  text not null,          -- Order, Refund, ServiceFee, Settled, Chargeback, …
    amount_type       text not null default '',
    description       text not null default '',
    amount            numeric not null,       -- signed: to the seller positive, to the channel negative
    currency          text not null,
    posted_at         timestamptz,
    order_reference   text,                   -- the storefront order it belongs to, when it has one
    primary key (channel, settlement_id, line_no)
);

grant select on o2c.currency, o2c.failure_category, o2c.canonical_order, o2c.canonical_order_line,
    o2c.canonical_fulfilment, o2c.canonical_fulfilment_line, o2c.canonical_return,
    o2c.canonical_return_line, o2c.canonical_stock_level, o2c.canonical_item,
    o2c.canonical_item_price, o2c.canonical_settlement_line, o2c.erp_order, o2c.erp_order_line
    to o2c_analyst, o2c_admin;
grant insert, update, delete on o2c.currency, o2c.failure_category to o2c_admin;
