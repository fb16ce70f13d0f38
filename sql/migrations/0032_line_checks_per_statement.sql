-- An order's lines are checked against their order once per statement, not once per line
-- (issue 15: "a 10,000-line order maps in well under a second").
--
-- o2c.canonical_order_line and o2c.erp_order_line are written an order at a time by the map step,
-- and an order may have thousands of lines. A declared foreign key checks every row on its own:
-- a query on the parent and a lock of it per line, about 10 µs each, 0.16 s of the 0.52 s that
-- mapping a 10,000-line order took. The same rule is kept here, checked per statement:
--   * rows added or changed in a line table must name an order that exists; the orders they
--     name are locked FOR KEY SHARE, as a foreign key's check locks them, so an order cannot be
--     deleted under lines being written (its delete waits, then removes them too);
--   * deleting an order deletes its lines (ON DELETE CASCADE before);
--   * an order's key cannot change while lines name it (NO ACTION before).
-- A violation is SQLSTATE 23503 (foreign_key_violation), as before, naming the order.
-- The functions run as o2c_owner (security definer), as a foreign key's checks run as the
-- table's owner: whoever writes lines by hand (fulfilment.sql's repair hint) needs no rights on
-- the orders.

do $$
declare
    c record;
begin
    for c in select conrelid::regclass as line_table, conname
               from pg_constraint
              where contype = 'f'
                and (conrelid, confrelid) in (('o2c.canonical_order_line'::regclass, 'o2c.canonical_order'::regclass),
                                              ('o2c.erp_order_line'::regclass, 'o2c.erp_order'::regclass)) loop
        execute format('alter table %s drop constraint %I', c.line_table, c.conname);
    end loop;
end
$$;

-- o2c.canonical_order_line → o2c.canonical_order (order_key)
create function o2c.canonical_order_line_names_an_order()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_missing text;
begin
    perform from o2c.canonical_order o
     where o.order_key in (select distinct order_key from written)
       for key share;
    select w.order_key into v_missing
      from (select distinct order_key from written) w
     where not exists (select from o2c.canonical_order o where o.order_key = w.order_key)
     limit 1;
    if found then
        raise exception 'o2c.canonical_order_line names order %, which o2c.canonical_order does not have', v_missing
            using errcode = 'foreign_key_violation', table = 'canonical_order_line', schema = 'o2c';
    end if;
    return null;
end
$$;

create trigger names_an_order_on_insert after insert on o2c.canonical_order_line
    referencing new table as written for each statement execute function o2c.canonical_order_line_names_an_order();
create trigger names_an_order_on_update after update on o2c.canonical_order_line
    referencing new table as written for each statement execute function o2c.canonical_order_line_names_an_order();

-- o2c.erp_order_line → o2c.erp_order (order_key, erp_connection)
create function o2c.erp_order_line_names_an_order()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_missing record;
begin
    perform from o2c.erp_order o
     where (o.order_key, o.erp_connection) in (select distinct order_key, erp_connection from written)
       for key share;
    select w.order_key, w.erp_connection into v_missing
      from (select distinct order_key, erp_connection from written) w
     where not exists (select from o2c.erp_order o where (o.order_key, o.erp_connection) = (w.order_key, w.erp_connection))
     limit 1;
    if found then
        raise exception 'o2c.erp_order_line names order % on %, which o2c.erp_order does not have',
                        v_missing.order_key, v_missing.erp_connection
            using errcode = 'foreign_key_violation', table = 'erp_order_line', schema = 'o2c';
    end if;
    return null;
end
$$;

create trigger names_an_order_on_insert after insert on o2c.erp_order_line
    referencing new table as written for each statement execute function o2c.erp_order_line_names_an_order();
create trigger names_an_order_on_update after update on o2c.erp_order_line
    referencing new table as written for each statement execute function o2c.erp_order_line_names_an_order();

-- Deleting an order deletes its lines.
create function o2c.canonical_order_delete_lines()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    delete from o2c.canonical_order_line l using gone g where l.order_key = g.order_key;
    return null;
end
$$;

create trigger delete_lines after delete on o2c.canonical_order
    referencing old table as gone for each statement execute function o2c.canonical_order_delete_lines();

create function o2c.erp_order_delete_lines()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    delete from o2c.erp_order_line l using gone g
     where (l.order_key, l.erp_connection) = (g.order_key, g.erp_connection);
    return null;
end
$$;

create trigger delete_lines after delete on o2c.erp_order
    referencing old table as gone for each statement execute function o2c.erp_order_delete_lines();

-- An order's key stays while lines name it (a row trigger: it fires only when the key changes).
create function o2c.order_key_kept_while_lines_name_it()
returns trigger
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    if tg_table_name = 'canonical_order' then
        if exists (select from o2c.canonical_order_line l where l.order_key = old.order_key) then
            raise exception 'o2c.canonical_order %: its key cannot change while o2c.canonical_order_line names it', old.order_key
                using errcode = 'foreign_key_violation', table = 'canonical_order', schema = 'o2c';
        end if;
    elsif exists (select from o2c.erp_order_line l
                   where (l.order_key, l.erp_connection) = (old.order_key, old.erp_connection)) then
        raise exception 'o2c.erp_order % on %: its key cannot change while o2c.erp_order_line names it',
                        old.order_key, old.erp_connection
            using errcode = 'foreign_key_violation', table = 'erp_order', schema = 'o2c';
    end if;
    return new;
end
$$;

create trigger key_kept before update of order_key on o2c.canonical_order
    for each row when (old.order_key is distinct from new.order_key)
    execute function o2c.order_key_kept_while_lines_name_it();
create trigger key_kept before update of order_key, erp_connection on o2c.erp_order
    for each row when ((old.order_key, old.erp_connection) is distinct from (new.order_key, new.erp_connection))
    execute function o2c.order_key_kept_while_lines_name_it();
