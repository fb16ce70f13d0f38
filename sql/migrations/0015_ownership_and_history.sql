-- Who may do what, and who did what to the mappings.
--
-- Functions belong to a dedicated role that cannot log in, not to whoever ran the migration (a
-- superuser in the demo): a `security definer` function then runs with exactly the rights the
-- engine's tables grant o2c_owner, never with a superuser's. `o2c migrate` hands every function of
-- the schemas o2c and o2c_action to it after each run (sql/queries/schema_migration.sql,
-- hand_to_owner), since the API files are re-applied as they change.
do $$
begin
    if not exists (select from pg_roles where rolname = 'o2c_owner') then
        create role o2c_owner nologin;
    end if;
    -- Handing a function over needs membership of the role, unless one is a superuser.
    if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('grant o2c_owner to %I', current_user);
    end if;
end
$$;

-- Every insert, update and delete of a mapping table, with the database user and the row before
-- and after: finance asks who changed a tax code, and when. Written only by the trigger.
create table o2c.mapping_history (
    id          bigint generated always as identity primary key,
    table_name  text not null,
    operation   text not null check (operation in ('insert', 'update', 'delete')),
    old_row     jsonb,
    new_row     jsonb,
    changed_at  timestamptz not null default now(),
    changed_by  text not null default session_user
);
create index mapping_history_table on o2c.mapping_history (table_name, changed_at);

create function o2c.record_mapping_change()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    insert into o2c.mapping_history (table_name, operation, old_row, new_row)
    values (tg_table_name, lower(tg_op),
            case when tg_op in ('UPDATE', 'DELETE') then to_jsonb(old) end,
            case when tg_op in ('INSERT', 'UPDATE') then to_jsonb(new) end);
    return null;
end
$$;

-- The audit columns are the database's to fill, on insert as on update: a hand-written
-- updated_by on an insert is overwritten.
do $$
declare
    t text;
begin
    foreach t in array array['sku_map', 'tax_map', 'currency_map', 'payment_map', 'location_map', 'erp_setting'] loop
        execute format('drop trigger if exists touch on o2c.%I', t);
        execute format('create trigger touch before insert or update on o2c.%I for each row execute function o2c.touch_mapping()', t);
        execute format('create trigger history after insert or update or delete on o2c.%I for each row execute function o2c.record_mapping_change()', t);
    end loop;
end
$$;

grant select on o2c.mapping_history to o2c_admin, o2c_analyst;
