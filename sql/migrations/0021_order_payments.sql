-- Each order's captured payment reaches the ERP with the order (issue 14, "per-order channels"):
-- order_to_cash records the payment the storefront captured as a NetSuite customer deposit against
-- the sales order, into the clearing account of the order's gateway. The payout journal of that
-- gateway (Adyen: category payments_settled, account 1160) credits the same account, so the
-- deposits a payout settles are cleared by it. Functions: sql/api/order_to_cash.sql
-- (map_payment, record_payment), sql/api/netsuite_canonical.sql (canonical_payment_to_netsuite).

-- The other gateways behind Centra (Klarna, Stripe) have one clearing account between them until
-- their payouts are read too.
insert into o2c.gl_account (account, name, kind) values
    ('1580', 'Centra payments clearing', 'clearing')
on conflict do nothing;

-- Which account a captured payment goes into, per ERP connection: `payment` is the canonical
-- order's gateway (adyen, kco, stripe, …) or, for an order with no gateway, its payment method
-- (a gateway row wins). `account` is o2c's account number (o2c.gl_account), translated to the
-- ERP's account by o2c.gl_account_map like the journals' accounts. Owned by finance.
create table o2c.payment_account_map (
    erp_connection text not null,
    payment        text not null check (payment <> ''),
    account        text not null references o2c.gl_account on update cascade,
    note           text,
    updated_at     timestamptz not null default now(),
    updated_by     text not null default session_user,
    primary key (erp_connection, payment)
);
create trigger touch before insert or update on o2c.payment_account_map for each row execute function o2c.touch_mapping();
create trigger history after insert or update or delete on o2c.payment_account_map
    for each row execute function o2c.record_mapping_change();
grant select on o2c.payment_account_map to o2c_analyst, o2c_admin;
grant insert, update, delete on o2c.payment_account_map to o2c_admin;

-- The payment recorded in the ERP for a posted order (one per order and ERP connection): what
-- o2c.payout_gaps compares each settled payment with.
create table o2c.order_payment (
    order_key         text not null references o2c.canonical_order on delete cascade,
    erp_connection    text not null,
    external_id       text not null,        -- DEP-CENTRA-<store>-<number>
    erp_payment_id    text not null,        -- NetSuite's customerDeposit internal id
    amount            numeric not null check (amount > 0),
    currency          text not null,
    payment           text not null,        -- gateway or payment method
    gateway_reference text,
    account           text not null references o2c.gl_account on update cascade,
    recorded_at       timestamptz not null default now(),
    primary key (order_key, erp_connection)
);
create index order_payment_external_id on o2c.order_payment (external_id);
grant select on o2c.order_payment to o2c_analyst, o2c_admin;
