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

create trigger touch before update on o2c.gl_account_map for each row execute function o2c.touch_mapping();

grant select on o2c.gl_account_map to o2c_analyst, o2c_admin;
grant insert, update, delete on o2c.gl_account_map to o2c_admin;
