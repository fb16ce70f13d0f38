-- Settlements and payouts (issue 14): imported files, their settlements, the posting model that
-- turns settlement lines into balanced journals through a channel's clearing account, and the
-- journals themselves. Functions: sql/api/settlement.sql. Lines: o2c.canonical_settlement_line (0004).

insert into o2c.failure_category (category, owner, severity, description) values
    ('unknown_settlement_line', 'finance', 'high', 'A settlement line type has no row in o2c.settlement_mapping; add one and re-drive the settlement.'),
    ('inconsistent_settlement', 'finance', 'high', 'The settlement''s lines do not add up to its stated deposit; the difference is in the message, to the cent.'),
    ('duplicate_settlement', 'finance', 'high', 'A different file carries a settlement id already imported; neither is changed until finance decides.')
on conflict do nothing;

-- The sandbox chart of accounts the default mapping uses (NetSuite sandbox account numbers).
create table o2c.gl_account (
    account text primary key,
    name    text not null,
    kind    text not null check (kind in ('bank', 'clearing', 'asset', 'liability', 'income', 'expense', 'variance'))
);

-- One row per settlement channel: how it posts and through which accounts.
create table o2c.settlement_channel (
    channel          text primary key,
    posting          text not null check (posting in ('summary', 'per_order')),
    clearing_account text not null references o2c.gl_account,
    bank_account     text not null references o2c.gl_account,
    variance_account text not null references o2c.gl_account
);

-- The posting model: (channel, transaction type, amount type, description) → category and account.
-- '*' matches anything; the most specific row wins. Finance edits it in SQL.
create table o2c.settlement_mapping (
    channel          text not null references o2c.settlement_channel,
    transaction_type text not null,
    amount_type      text not null default '*',
    description      text not null default '*',
    category         text not null,
    gl_account       text not null references o2c.gl_account,
    primary key (channel, transaction_type, amount_type, description)
);

-- One row per imported settlement (Amazon settlement, Adyen batch).
create table o2c.settlement (
    channel          text not null,
    settlement_id    text not null,
    format           text not null,
    file_name        text not null,
    file_digest      text not null,          -- md5 of the normalised file: the same file again changes nothing
    starts_at        timestamptz,
    ends_at          timestamptz,
    deposit_at       timestamptz,
    deposit          numeric not null,       -- the stated net deposit (negative: the seller pays)
    currency         text not null,
    status           text not null default 'imported'
                     check (status in ('imported', 'unmapped', 'inconsistent', 'ready', 'posted', 'variance')),
    problem          text,                   -- what finance must look at, when status says so
    difference       numeric,                -- lines total − deposit, when inconsistent
    variance_account text,
    variance_by      text,
    variance_at      timestamptz,
    imported_at      timestamptz not null default now(),
    primary key (channel, settlement_id)
);

-- Files refused because their settlement id was already imported from a different file.
create table o2c.settlement_conflict (
    channel       text not null,
    settlement_id text not null,
    file_name     text not null,
    file_digest   text not null,
    seen_at       timestamptz not null default now(),
    primary key (channel, settlement_id, file_digest)
);

-- Raw normalised lines of files being loaded (COPY target); emptied after each load.
create unlogged table o2c.settlement_staging (
    load_id bigint not null,
    line_no int not null,
    line    text not null
);
create index on o2c.settlement_staging (load_id);
create sequence o2c.settlement_load_seq;

-- Journals: one per settlement and accounting period, external id STL-<channel>-<id>-<YYYY-MM>.
create table o2c.settlement_journal (
    external_id   text primary key,
    channel       text not null,
    settlement_id text not null,
    period        text not null check (period ~ '^\d{4}-\d{2}$'),
    posting_date  date not null,
    currency      text not null,
    erp_id        text,                      -- the NetSuite journalEntry id once posted
    posted_at     timestamptz,
    foreign key (channel, settlement_id) references o2c.settlement on delete cascade
);
create index on o2c.settlement_journal (channel, settlement_id);

create table o2c.settlement_journal_line (
    external_id text not null references o2c.settlement_journal on delete cascade,
    line_no     int not null,
    gl_account  text not null references o2c.gl_account,
    category    text not null,
    debit       numeric not null default 0 check (debit >= 0),
    credit      numeric not null default 0 check (credit >= 0),
    memo        text not null default '',
    primary key (external_id, line_no)
);

insert into o2c.gl_account (account, name, kind) values
    ('1000', 'Bank – operating account', 'bank'),
    ('1130', 'Amazon settlement clearing', 'clearing'),
    ('1140', 'Adyen payout clearing', 'clearing'),
    ('1150', 'Amazon reserved balance', 'asset'),
    ('2200', 'Sales tax payable', 'liability'),
    ('4000', 'Sales', 'income'),
    ('4010', 'Shipping income', 'income'),
    ('4020', 'Promotions and discounts', 'income'),
    ('4050', 'Refunds', 'income'),
    ('4090', 'Marketplace reimbursements', 'income'),
    ('1160', 'Adyen settled payments', 'clearing'),
    ('6100', 'Marketplace commission', 'expense'),
    ('6110', 'Fulfilment fees', 'expense'),
    ('6120', 'Storage fees', 'expense'),
    ('6130', 'Advertising', 'expense'),
    ('6140', 'Subscription fees', 'expense'),
    ('6150', 'Other marketplace fees', 'expense'),
    ('6160', 'Chargebacks', 'expense'),
    ('6200', 'Payment processing – commission', 'expense'),
    ('6210', 'Payment processing – markup', 'expense'),
    ('6220', 'Payment processing – scheme fees', 'expense'),
    ('6230', 'Payment processing – interchange', 'expense'),
    ('6240', 'Payment processing – other costs', 'expense'),
    ('6900', 'Settlement variance', 'variance')
on conflict do nothing;

insert into o2c.settlement_channel (channel, posting, clearing_account, bank_account, variance_account) values
    ('amazon', 'summary', '1130', '1000', '6900'),
    ('adyen', 'per_order', '1140', '1000', '6900')
on conflict do nothing;

insert into o2c.settlement_mapping (channel, transaction_type, amount_type, description, category, gl_account) values
    ('amazon', '*', 'ItemPrice', 'Principal', 'gross_sales', '4000'),
    ('amazon', '*', 'ItemPrice', 'Shipping', 'shipping', '4010'),
    ('amazon', '*', 'ItemPrice', 'Tax', 'tax_collected', '2200'),
    ('amazon', '*', 'ItemPrice', 'ShippingTax', 'tax_collected', '2200'),
    ('amazon', '*', 'ItemPrice', 'GiftWrap', 'shipping', '4010'),
    ('amazon', 'Refund', 'ItemPrice', 'Principal', 'refunds', '4050'),
    ('amazon', 'Refund', 'ItemPrice', 'Shipping', 'refunds', '4050'),
    ('amazon', '*', 'Promotion', '*', 'promotions', '4020'),
    ('amazon', '*', 'ItemWithheldTax', '*', 'marketplace_withheld_tax', '2200'),
    ('amazon', '*', 'ItemFees', 'Commission', 'fee_commission', '6100'),
    ('amazon', '*', 'ItemFees', 'RefundCommission', 'fee_commission', '6100'),
    ('amazon', '*', 'ItemFees', 'FBAPerUnitFulfillmentFee', 'fee_fulfilment', '6110'),
    ('amazon', '*', 'ItemFees', 'FBAPerOrderFulfillmentFee', 'fee_fulfilment', '6110'),
    ('amazon', '*', 'ItemFees', 'FBAWeightBasedFee', 'fee_fulfilment', '6110'),
    ('amazon', '*', 'ItemFees', 'ShippingChargeback', 'fee_shipping_chargeback', '6110'),
    ('amazon', '*', 'ItemFees', 'VariableClosingFee', 'fee_commission', '6100'),
    ('amazon', '*', 'ItemFees', 'FixedClosingFee', 'fee_commission', '6100'),
    ('amazon', 'other-transaction', '*', 'Storage Fee', 'fee_storage', '6120'),
    ('amazon', 'other-transaction', '*', 'Subscription Fee', 'fee_subscription', '6140'),
    ('amazon', 'other-transaction', '*', 'Previous Reserve Amount Balance', 'reserve_released', '1150'),
    ('amazon', 'other-transaction', '*', 'Current Reserve Amount', 'reserve_held', '1150'),
    ('amazon', 'ServiceFee', '*', 'Cost of Advertising', 'fee_advertising', '6130'),
    ('amazon', 'ServiceFee', '*', 'Subscription Fee', 'fee_subscription', '6140'),
    ('amazon', 'ServiceFee', '*', '*', 'fee_other', '6150'),
    ('amazon', 'Chargeback Refund', '*', '*', 'chargebacks', '6160'),
    ('amazon', 'A-to-z Guarantee Refund', '*', '*', 'chargebacks', '6160'),
    ('amazon', 'FBA Inventory Reimbursement', '*', '*', 'reimbursements', '4090'),
    ('amazon', '*', 'FBA Inventory Reimbursement', '*', 'reimbursements', '4090'),
    ('adyen', 'Settled', 'Gross', '*', 'payments_settled', '1160'),
    ('adyen', 'Refunded', 'Gross', '*', 'refunds', '1160'),
    ('adyen', '*', 'Commission', '*', 'fee_commission', '6200'),
    ('adyen', '*', 'Markup', '*', 'fee_markup', '6210'),
    ('adyen', '*', 'Scheme Fees', '*', 'fee_scheme', '6220'),
    ('adyen', '*', 'Interchange', '*', 'fee_interchange', '6230'),
    ('adyen', 'Chargeback', '*', '*', 'chargebacks', '6160'),
    ('adyen', 'ChargebackReversed', '*', '*', 'chargebacks', '6160'),
    ('adyen', 'Fee', '*', '*', 'fee_other', '6240'),
    ('adyen', 'InvoiceDeduction', '*', '*', 'fee_other', '6240'),
    ('adyen', 'MiscCosts', '*', '*', 'fee_other', '6240'),
    ('adyen', 'DepositCorrection', '*', '*', 'fee_other', '6240')
on conflict do nothing;

grant select on o2c.gl_account, o2c.settlement_channel, o2c.settlement_mapping, o2c.settlement,
    o2c.settlement_conflict, o2c.settlement_journal, o2c.settlement_journal_line to o2c_analyst, o2c_admin;
grant insert, update, delete on o2c.gl_account, o2c.settlement_channel, o2c.settlement_mapping to o2c_admin;
