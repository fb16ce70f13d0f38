-- Settlement journals reach the ERP (issue 14, part 2). The posting model's GL accounts
-- (o2c.gl_account, 0011) are o2c's own numbers; each ERP connection maps them to its account ids,
-- as the other mapping tables map SKUs and currencies. Owned by finance, edited in SQL.
-- Functions: sql/api/settlement_posting.sql; pipeline: workflows/settlement_posting.sql.

create table o2c.gl_account_map (
    erp_connection text not null,
    account        text not null references o2c.gl_account on update cascade,
    erp_account_id text not null check (erp_account_id <> ''),
    note           text,
    updated_at     timestamptz not null default now(),
    updated_by     text not null default session_user,
    primary key (erp_connection, account)
);

-- Who changed what (o2c.mapping_history, 0015): the account map, and the posting model of 0011
-- that finance edits in SQL (its tables have no audit columns, so history only).
create trigger touch before insert or update on o2c.gl_account_map for each row execute function o2c.touch_mapping();
create trigger history after insert or update or delete on o2c.gl_account_map
    for each row execute function o2c.record_mapping_change();
create trigger history after insert or update or delete on o2c.settlement_mapping
    for each row execute function o2c.record_mapping_change();
create trigger history after insert or update or delete on o2c.settlement_channel
    for each row execute function o2c.record_mapping_change();
create trigger history after insert or update or delete on o2c.gl_account
    for each row execute function o2c.record_mapping_change();

grant select on o2c.gl_account_map to o2c_analyst, o2c_admin;
grant insert, update, delete on o2c.gl_account_map to o2c_admin;
