-- Settlement import and posting (tables: sql/migrations/0011_settlements.sql).
--
--   bin/o2c import-settlement FILE...      COPYs each file's normalised lines into the session's
--                                           pg_temp.settlement_file_line (o2c.settlement_load_begin), then
--                                           o2c.settlement_load_read, COPY, o2c.settlement_load_check
--                                           (see "Loading a file" below)
--   select * from o2c.import_settlement(file_name, content)   the same from SQL
--   select o2c.settlement_redrive(channel, settlement_id)     after finance fixed a mapping row: checks
--                                           again, rebuilds unposted journals, and re-drives the
--                                           settlement's posting workflow when it waits as an exception
--   select o2c.settlement_post_variance(channel, settlement_id, account, who)   the audited way out
--                                           (then re-drives the same way)
-- Posting to the ERP: sql/api/settlement_posting.sql, workflows/settlement_posting.sql.
--
-- Formats, detected from the header and read by column name: Amazon V2 flat file (tab separated),
-- Amazon's older flat file (price-type / item-related-fee-type columns), Adyen Settlement details
-- report (CSV). Amounts: signed, positive to the seller; decimal commas and thousands separators
-- accepted. A settlement whose lines miss its deposit is 'inconsistent' (difference to the cent);
-- one with a line type no mapping row knows is 'unmapped' (naming it); neither gets journals.

create or replace function o2c.settlement_bad_value(p_what text, p_text text)
returns text
language plpgsql
immutable
set search_path = o2c, pg_temp
as $$
begin
    raise exception 'settlement file: cannot read % "%"', p_what, p_text using errcode = '22023';
end
$$;

-- A decimal amount from a file's text: '1.234,56', '1,234.56', '95,00', '-12.5 ', '' (null).
create or replace function o2c.settlement_amount(p_text text)
returns numeric
language sql
immutable
set search_path = o2c, pg_temp
as $$
    select case
        when t = '' then null
        when t ~ '^[-+]?[0-9.]*,[0-9]{1,2}$' then replace(replace(t, '.', ''), ',', '.')::numeric
        when t ~ '^[-+]?[0-9,]*(\.[0-9]+)?$' then replace(t, ',', '')::numeric
        else o2c.settlement_bad_value('amount', p_text)::numeric
    end
    from (select replace(replace(coalesce(btrim(p_text), ''), ' ', ''), chr(160), '') as t) s
$$;


-- A point in time from a file's text: ISO with or without offset, 'YYYY-MM-DD HH:MM:SS UTC',
-- 'MM/DD/YY', 'MM/DD/YYYY', 'DD.MM.YYYY' (dates are midnight UTC), '' (null).
create or replace function o2c.settlement_time(p_text text)
returns timestamptz
language sql
immutable
set search_path = o2c, pg_temp
as $$
    select case
        when t = '' then null
        when t ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)? ?(UTC|GMT|Z|[+-]\d{2}(:?\d{2})?)?$'
            then (regexp_replace(t, ' ?(UTC|GMT)$', '+00'))::timestamptz
        when t ~ '^\d{4}-\d{2}-\d{2}$' then (t || ' 00:00+00')::timestamptz
        when t ~ '^\d{2}/\d{2}/\d{2}$' then (to_date(t, 'MM/DD/YY')::text || ' 00:00+00')::timestamptz
        when t ~ '^\d{2}/\d{2}/\d{4}$' then (to_date(t, 'MM/DD/YYYY')::text || ' 00:00+00')::timestamptz
        when t ~ '^\d{2}\.\d{2}\.\d{4}$' then (to_date(t, 'DD.MM.YYYY')::text || ' 00:00+00')::timestamptz
        when t ~ '^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}(:\d{2})?( UTC)?$'
            then (to_timestamp(left(t, 19), 'DD.MM.YYYY HH24:MI:SS') at time zone 'UTC')::text::timestamptz
        else o2c.settlement_bad_value('date', p_text)::timestamptz
    end
    from (select btrim(coalesce(p_text, '')) as t) s
$$;

-- The fields of one CSV line (RFC 4180 quoting; commas inside quotes kept).
create or replace function o2c.settlement_csv_fields(p_line text)
returns text[]
language sql
immutable
set search_path = o2c, pg_temp
as $$
    select coalesce(array_agg(replace(regexp_replace(m[1], '^"(.*)"$', '\1'), '""', '"') order by n), '{}')
    from regexp_matches(p_line || ',', '("(?:[^"]|"")*"|[^,]*),', 'g') with ordinality as r(m, n)
$$;

-- The mapping row for a line: the most specific one, or none.
create or replace function o2c.settlement_map(p_channel text, p_type text, p_amount_type text, p_description text)
returns table (category text, gl_account text)
language sql
stable
set search_path = o2c, pg_temp
as $$
    select m.category, m.gl_account
    from o2c.settlement_mapping m
    where m.channel = p_channel
      and m.transaction_type in (p_type, '*')
      and m.amount_type in (p_amount_type, '*')
      and m.description in (p_description, '*')
    order by (m.transaction_type = '*'), (m.amount_type = '*'), (m.description = '*')
    limit 1
$$;

-- The common spellings of a file's values ('-12.50', '2026-11-28') read in the query itself, anything
-- else by the full readers above (same result, same errors). SQL-standard bodies (bound when
-- created, so no search_path to fix) with no SET clause and no security definer, so PostgreSQL
-- inlines them into the queries that read a file: a 500,000-line file pays a regular expression
-- and a cast per value, not a function call with its search_path switched.
create or replace function o2c.settlement_amount_of(p_text text)
returns numeric
language sql
immutable
begin atomic
    select case when p_text ~ '^-?[0-9]+(\.[0-9]+)?$' then p_text::numeric else o2c.settlement_amount(p_text) end;
end;

-- (stable, not immutable: the text → timestamptz cast is, although the offset here is explicit.
-- 'YYYY-MM-DD' tested as ten characters with dashes fifth and eighth, then digits-digits-digits:
-- the same strings as settlement_time's \d{4}-\d{2}-\d{2}, at half the cost of bounded repeats.)
create or replace function o2c.settlement_time_of(p_text text)
returns timestamptz
language sql
stable
begin atomic
    select case when p_text like '____-__-__' and p_text ~ '^[0-9]+-[0-9]+-[0-9]+$'
                then (p_text || ' 00:00+00')::timestamptz
                else o2c.settlement_time(p_text) end;
end;

-- A new load id, and the session's temporary table pg_temp.settlement_file_line (load_id, line_no,
-- line) that bin/o2c import-settlement COPYs a file's lines into: a temporary table lives in the
-- session's own local buffers (temp_buffers), is never WAL-logged and goes at commit, so a big
-- file neither fills shared buffers nor the WAL before it is read. The lines are normalised by
-- whoever stages them (connectors/common/settlement_file.c, o2c.import_settlement): no BOM, no
-- trailing whitespace, no blank lines.
create or replace function o2c.settlement_load_begin()
returns bigint
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    if to_regclass('pg_temp.settlement_file_line') is null then
        create temporary table settlement_file_line (load_id bigint not null, line_no int not null, line text not null)
            on commit drop;
        -- Made by this function's owner; the caller (its own login) COPYs into it.
        grant insert on pg_temp.settlement_file_line to public;
    end if;
    return nextval('o2c.settlement_load_seq');
end
$$;

-- Loading a file, in three steps (o2c.settlement_load below does all three; bin/o2c import-settlement
-- does the middle one with COPY, whose bulk-write ring keeps a big file's pages out of most of the
-- shared buffers):
--   1. o2c.settlement_load_read(load_id, file_name, digest) reads the staged lines set-based: each
--      line split once, each value read once, the amount lines numbered in file order into
--      pg_temp.settlement_new_line (the columns of o2c.canonical_settlement_line), a row in
--      o2c.settlement for each new settlement. Returns each settlement of the file, status 'new' or
--      'unchanged' (the same file again). A different file with a settlement id already imported
--      raises duplicate_settlement. p_digest: md5 of the normalised lines joined by LF (the C reader
--      computes it while streaming); null computes it here (the whole text is built in memory).
--   2. pg_temp.settlement_new_line → o2c.canonical_settlement_line.
--   3. o2c.settlement_load_check() checks each new settlement from the staged lines' sums (not
--      reading the big table again) and builds its journals; returns each settlement of the file
--      with its status 'ready'/'unmapped'/'inconsistent'/'variance' or 'unchanged', and message.
create or replace function o2c.settlement_load_read(p_load_id bigint, p_file_name text, p_digest text)
returns table (channel text, settlement_id text, status text, message text)
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_first int;
    v_header text;
    v_format text;
    v_sep text;
    v_col jsonb;
    v_digest text := p_digest;
    v_channel text;
    v_existing record;
    v_id text;
    -- Column positions of the Amazon formats (null: the file has no such column).
    v_sid int; v_total int; v_type int; v_posted int; v_posted_time int; v_order int;
    v_atype int; v_descr int; v_amount int;
    -- The summary rows' settlement ids and currencies, looked up per line without a join.
    v_heads text[]; v_currencies text[];
begin
    select s.line_no, s.line into v_first, v_header from pg_temp.settlement_file_line s
    where s.load_id = p_load_id order by s.line_no limit 1;
    if v_header is null then
        raise exception 'settlement file %: empty', p_file_name using errcode = '22023';
    end if;
    if v_digest is null then
        select md5(string_agg(s.line, E'\n' order by s.line_no)) into v_digest
        from pg_temp.settlement_file_line s where s.load_id = p_load_id;
    end if;

    if v_header like E'%\t%' and v_header ~* '(^|\t)amount-type(\t|$)' then
        v_format := 'amazon_v2'; v_sep := E'\t'; v_channel := 'amazon';
    elsif v_header like E'%\t%' and v_header ~* '(^|\t)price-type(\t|$)' then
        v_format := 'amazon_flat'; v_sep := E'\t'; v_channel := 'amazon';
    elsif v_header ~* '(^|,)"?Batch Number"?(,|$)' and v_header ~* '(^|,)"?Type"?(,|$)' then
        v_format := 'adyen'; v_sep := ','; v_channel := 'adyen';
    else
        raise exception 'settlement file %: unknown format (header "%")', p_file_name, left(v_header, 120)
            using errcode = '22023';
    end if;
    select jsonb_object_agg(lower(btrim(replace(h, '"', ''))), n) into v_col
    from unnest(case when v_sep = ',' then o2c.settlement_csv_fields(v_header) else string_to_array(v_header, v_sep) end)
         with ordinality as u(h, n);

    create temporary table if not exists settlement_head (settlement_id text, starts_at timestamptz,
        ends_at timestamptz, deposit_at timestamptz, deposit numeric, currency text) on commit drop;
    if to_regclass('pg_temp.settlement_new_line') is null then
        -- (exactly the types of o2c.canonical_settlement_line: bin/o2c COPYs it there in binary)
        create temporary table settlement_new_line (channel text, settlement_id text, line_no int,
            transaction_type text, amount_type text, description text, amount numeric, currency text,
            posted_at timestamptz, order_reference text,
            orphan boolean) on commit drop;  -- a line whose settlement has no summary row
        create temporary table settlement_loaded (channel text, settlement_id text, status text, message text) on commit drop;
        grant select on pg_temp.settlement_new_line to public;  -- bin/o2c import-settlement's COPY
    end if;
    truncate settlement_head; truncate settlement_new_line; truncate settlement_loaded;

    if v_format in ('amazon_v2', 'amazon_flat') then
        if not v_col ?& array['settlement-id', 'total-amount', 'currency', 'transaction-type'] then
            raise exception 'settlement file %: % header lacks settlement-id, total-amount, currency or transaction-type',
                p_file_name, v_format using errcode = '22023';
        end if;
        v_sid := v_col->>'settlement-id'; v_total := v_col->>'total-amount'; v_type := v_col->>'transaction-type';
        v_posted := v_col->>'posted-date'; v_posted_time := v_col->>'posted-date-time'; v_order := v_col->>'order-id';
        v_atype := v_col->>'amount-type'; v_descr := v_col->>'amount-description'; v_amount := v_col->>'amount';
        -- The summary rows (a total): a few, found without splitting every line.
        insert into settlement_head
        select btrim(r.f[v_sid]), o2c.settlement_time(r.f[(v_col->>'settlement-start-date')::int]),
               o2c.settlement_time(r.f[(v_col->>'settlement-end-date')::int]),
               o2c.settlement_time(r.f[(v_col->>'deposit-date')::int]),
               o2c.settlement_amount(r.f[v_total]), btrim(r.f[(v_col->>'currency')::int])
        from (select string_to_array(s.line, E'\t') as f from pg_temp.settlement_file_line s
              where s.load_id = p_load_id and s.line_no > v_first
                and btrim(split_part(s.line, E'\t', v_total)) <> '') r;

        select array_agg(h.settlement_id), array_agg(h.currency) into v_heads, v_currencies from settlement_head h;

        -- The amount lines, in one pass: each line split once and each value read once (offset 0
        -- keeps the planner from repeating them for every use), its settlement's currency from the
        -- summary row. Numbered as they come: a temporary table is scanned from its first page
        -- (no synchronised scans for local buffers), the lines were staged in file order, and the
        -- scan feeds the numbering directly, so the numbers follow the file without a sort of the
        -- whole file; a file of several settlements is renumbered per settlement below.
        if v_format = 'amazon_v2' then
            insert into settlement_new_line
            select v_channel, d.sid, row_number() over (), d.ttype, d.atype, d.descr, d.amount,
                   v_currencies[d.head], d.posted, d.oref, d.head is null
            from (select r.line_no, array_position(v_heads, btrim(r.f[v_sid])) as head, btrim(r.f[v_sid]) as sid,
                         coalesce(btrim(r.f[v_type]), '') as ttype,
                         btrim(coalesce(r.f[v_atype], '')) as atype, btrim(coalesce(r.f[v_descr], '')) as descr,
                         o2c.settlement_amount_of(r.f[v_amount]) as amount,
                         o2c.settlement_time_of(coalesce(nullif(btrim(r.f[v_posted_time]), ''), r.f[v_posted])) as posted,
                         nullif(btrim(coalesce(r.f[v_order], '')), '') as oref
                  from (select s.line_no, string_to_array(s.line, E'\t') as f from pg_temp.settlement_file_line s
                        where s.load_id = p_load_id and s.line_no > v_first offset 0) r
                  where coalesce(btrim(r.f[v_total]), '') = '' offset 0) d
            where d.sid is not null and (d.amount is not null or d.head is null);
        else
            insert into settlement_new_line
            select v_channel, d.sid, row_number() over (), d.ttype, p.atype, p.descr, p.amount,
                   v_currencies[d.head], d.posted, d.oref, d.head is null
            from (select r.line_no, r.f, array_position(v_heads, btrim(r.f[v_sid])) as head, btrim(r.f[v_sid]) as sid,
                         coalesce(btrim(r.f[v_type]), '') as ttype,
                         o2c.settlement_time_of(coalesce(nullif(btrim(r.f[v_posted_time]), ''), r.f[v_posted])) as posted,
                         nullif(btrim(coalesce(r.f[v_order], '')), '') as oref
                  from (select s.line_no, string_to_array(s.line, E'\t') as f from pg_temp.settlement_file_line s
                        where s.load_id = p_load_id and s.line_no > v_first offset 0) r
                  where coalesce(btrim(r.f[v_total]), '') = '' offset 0) d
            cross join lateral (
                select x.sub, x.atype, btrim(coalesce(d.f[(v_col->>x.type_col)::int], '')) as descr,
                       o2c.settlement_amount_of(d.f[(v_col->>x.amount_col)::int]) as amount
                from (values (1, 'ItemPrice', 'price-type', 'price-amount'),
                             (2, 'ItemFees', 'item-related-fee-type', 'item-related-fee-amount'),
                             (3, 'ShipmentFees', 'shipment-fee-type', 'shipment-fee-amount'),
                             (4, 'OrderFees', 'order-fee-type', 'order-fee-amount'),
                             (5, 'MiscFee', 'misc-fee-type', 'misc-fee-amount'),
                             (6, 'OtherFee', 'other-fee-reason-description', 'other-fee-amount'),
                             (7, 'Promotion', 'promotion-type', 'promotion-amount'),
                             (8, 'DirectPayment', 'direct-payment-type', 'direct-payment-amount'),
                             (9, 'Other', 'other-description', 'other-amount')) as x(sub, atype, type_col, amount_col)
                where v_col ? x.amount_col
            ) p
            where d.sid is not null and (p.amount is not null or d.head is null);
        end if;
        if exists (select 1 from settlement_new_line l where l.orphan) then
            raise exception 'settlement file %: lines for a settlement id without its summary row', p_file_name
                using errcode = '22023';
        end if;
        if cardinality(v_heads) > 1 then
            update settlement_new_line n set line_no = x.line_no
            from (select l.ctid, row_number() over (partition by l.settlement_id order by l.line_no) as line_no
                  from settlement_new_line l) x
            where n.ctid = x.ctid;
        end if;
    else
        if not v_col ?& array['type', 'batch number', 'merchant account', 'net currency'] then
            raise exception 'settlement file %: Adyen header lacks Type, Batch Number, Merchant Account or Net Currency',
                p_file_name using errcode = '22023';
        end if;
        create temporary table if not exists settlement_rows (line_no int, f text[]) on commit drop;
        truncate settlement_rows;
        insert into settlement_rows
        select s.line_no, o2c.settlement_csv_fields(s.line) from pg_temp.settlement_file_line s
        where s.load_id = p_load_id and s.line_no > v_first;
        with rows as (
            select r.line_no,
                   btrim(r.f[(v_col->>'merchant account')::int]) || ':' || btrim(r.f[(v_col->>'batch number')::int]) as sid,
                   btrim(r.f[(v_col->>'type')::int]) as ttype,
                   btrim(r.f[(v_col->>'net currency')::int]) as cur,
                   o2c.settlement_time(r.f[(v_col->>'creation date')::int]) as at,
                   nullif(btrim(coalesce(r.f[(v_col->>'merchant reference')::int], '')), '') as oref,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'net credit (nc)')::int]), 0) as nc,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'net debit (nc)')::int]), 0) as nd,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'commission (nc)')::int]), 0) as commission,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'markup (nc)')::int]), 0) as markup,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'scheme fees (nc)')::int]), 0) as scheme,
                   coalesce(o2c.settlement_amount(r.f[(v_col->>'interchange (nc)')::int]), 0) as interchange
            from settlement_rows r
        ), ins_head as (
            insert into settlement_head
            select p.sid, (select min(a.at) from rows a where a.sid = p.sid), (select max(a.at) from rows a where a.sid = p.sid),
                   max(p.at), sum(p.nd) - sum(p.nc), min(p.cur)
            from rows p
            where p.ttype = 'MerchantPayout'
            group by p.sid
            returning 1
        )
        insert into settlement_new_line
        select v_channel, r.sid, row_number() over (partition by r.sid order by r.line_no, x.sub), r.ttype, x.atype, '',
               x.amount, r.cur, r.at, r.oref, false
        from rows r
        cross join lateral (values
            -- The fee columns are part of the net amount: gross (in the net currency) = net + fees.
            (1, case when r.ttype in ('Settled', 'Refunded', 'Chargeback', 'ChargebackReversed', 'Fee',
                                      'InvoiceDeduction', 'MiscCosts', 'DepositCorrection') or r.ttype <> 'MerchantPayout'
                     then 'Gross' end,
             r.nc - r.nd + r.commission + r.markup + r.scheme + r.interchange),
            (2, 'Commission', -r.commission), (3, 'Markup', -r.markup),
            (4, 'Scheme Fees', -r.scheme), (5, 'Interchange', -r.interchange)) as x(sub, atype, amount)
        where r.ttype <> 'MerchantPayout' and x.atype is not null and (x.amount <> 0 or x.sub = 1);
        if exists (select 1 from settlement_new_line l where l.settlement_id not in (select h.settlement_id from settlement_head h)) then
            raise exception 'settlement file %: a batch without its MerchantPayout row', p_file_name
                using errcode = '22023';
        end if;
    end if;
    -- (The staged lines stay until commit drops their table: deleting them would be one more pass.)

    if not exists (select 1 from settlement_head) then
        raise exception 'settlement file %: no settlement summary row', p_file_name using errcode = '22023';
    end if;

    for v_id in select h.settlement_id from settlement_head h order by 1 loop
        select s.* into v_existing from o2c.settlement s where s.channel = v_channel and s.settlement_id = v_id;
        if found then
            if v_existing.file_digest = v_digest then
                insert into settlement_loaded values (v_channel, v_id, 'unchanged', 'already imported from ' || v_existing.file_name);
                continue;
            end if;
            raise exception 'duplicate_settlement: % settlement % was imported from %; % is a different file',
                v_channel, v_id, v_existing.file_name, p_file_name using errcode = '23505';
        end if;
        insert into o2c.settlement (channel, settlement_id, format, file_name, file_digest, starts_at, ends_at,
                                    deposit_at, deposit, currency)
        select v_channel, h.settlement_id, v_format, p_file_name, v_digest, h.starts_at, h.ends_at,
               h.deposit_at, h.deposit, h.currency
        from settlement_head h where h.settlement_id = v_id;
        insert into settlement_loaded values (v_channel, v_id, 'new', null);
    end loop;
    -- Only the new settlements' lines go on.
    if not exists (select 1 from settlement_loaded l where l.status = 'new') then
        truncate settlement_new_line;
    elsif exists (select 1 from settlement_loaded l where l.status = 'unchanged') then
        delete from settlement_new_line n where n.settlement_id in (select l.settlement_id from settlement_loaded l where l.status = 'unchanged');
    end if;
    return query select l.channel, l.settlement_id, l.status, l.message from settlement_loaded l order by 1, 2;
end
$$;

-- Step 3 (see above): after the new lines are in o2c.canonical_settlement_line.
create or replace function o2c.settlement_load_check()
returns table (channel text, settlement_id text, status text, message text)
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_l record;
begin
    -- The staged lines summed in one pass for all the file's new settlements (hashed: a few dozen
    -- groups, whatever the number of lines).
    if to_regclass('pg_temp.settlement_staged_kinds') is null then
        create temporary table settlement_staged_kinds (channel text, settlement_id text, period text,
            transaction_type text, amount_type text, description text, amount numeric, last_posted timestamptz)
            on commit drop;
    end if;
    truncate settlement_staged_kinds;
    insert into settlement_staged_kinds
    select k.channel, k.settlement_id, to_char(k.month, 'YYYY-MM'), k.transaction_type, k.amount_type, k.description,
           k.amount, k.last_posted
    from (select l.channel, l.settlement_id, date_trunc('month', l.posted_at at time zone 'UTC') as month,
                 l.transaction_type, l.amount_type, l.description, sum(l.amount) as amount, max(l.posted_at) as last_posted
          from pg_temp.settlement_new_line l
          group by 1, 2, 3, 4, 5, 6) k;
    for v_l in select * from settlement_loaded l order by l.channel, l.settlement_id loop
        channel := v_l.channel; settlement_id := v_l.settlement_id; status := v_l.status; message := v_l.message;
        if v_l.status = 'new' then
            perform o2c.settlement_kind_sums(v_l.channel, v_l.settlement_id, true);
            status := o2c.settlement_check_sums(v_l.channel, v_l.settlement_id);
            select s.problem into message from o2c.settlement s where s.channel = v_l.channel and s.settlement_id = v_l.settlement_id;
        end if;
        return next;
    end loop;
end
$$;

-- All three steps in SQL.
create or replace function o2c.settlement_load(p_load_id bigint, p_file_name text, p_digest text)
returns table (channel text, settlement_id text, status text, message text)
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    perform from o2c.settlement_load_read(p_load_id, p_file_name, p_digest);
    insert into o2c.canonical_settlement_line (channel, settlement_id, line_no, transaction_type, amount_type,
                                               description, amount, currency, posted_at, order_reference)
    select n.channel, n.settlement_id, n.line_no, n.transaction_type, n.amount_type, n.description, n.amount,
           n.currency, n.posted_at, n.order_reference
    from pg_temp.settlement_new_line n;
    return query select * from o2c.settlement_load_check();
end
$$;

-- The same, the digest computed here.
create or replace function o2c.settlement_load(p_load_id bigint, p_file_name text)
returns table (channel text, settlement_id text, status text, message text)
language sql
security definer
set search_path = o2c, pg_temp
as $$ select * from o2c.settlement_load(p_load_id, p_file_name, null) $$;

-- The same import from SQL: the file's whole text, normalised here as the C reader does (no BOM,
-- no CR or other whitespace at a line's end, no blank lines).
create or replace function o2c.import_settlement(p_file_name text, p_content text)
returns table (channel text, settlement_id text, status text, message text)
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_load bigint := o2c.settlement_load_begin();
begin
    insert into pg_temp.settlement_file_line (load_id, line_no, line)
    select v_load, u.n, u.l
    from (select n, regexp_replace(replace(l, chr(65279), ''), '[\r\s]+$', '') as l
          from unnest(string_to_array(p_content, E'\n')) with ordinality as x(l, n)) u
    where u.l <> '';
    return query select * from o2c.settlement_load(v_load, p_file_name, null);
end
$$;

-- pg_temp.settlement_kinds: one settlement's lines summed by accounting month and kind of line (a
-- file of 500,000 lines has a few dozen) in one pass, which the mapping check, the total and the
-- journals all read. p_staged: from the file just read (pg_temp.settlement_staged_kinds, which
-- o2c.settlement_load_check sums from pg_temp.settlement_new_line), else from
-- o2c.canonical_settlement_line.
create or replace function o2c.settlement_kind_sums(p_channel text, p_settlement_id text, p_staged boolean)
returns void
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    if to_regclass('pg_temp.settlement_kinds') is null then  -- (no NOTICE per settlement of a file)
        create temporary table settlement_kinds (period text, transaction_type text, amount_type text,
            description text, amount numeric, last_posted timestamptz) on commit drop;
    end if;
    truncate settlement_kinds;
    if p_staged then
        insert into settlement_kinds
        select k.period, k.transaction_type, k.amount_type, k.description, k.amount, k.last_posted
        from pg_temp.settlement_staged_kinds k
        where k.channel = p_channel and k.settlement_id = p_settlement_id;
    else
        insert into settlement_kinds
        select to_char(k.month, 'YYYY-MM'), k.transaction_type, k.amount_type, k.description, k.amount, k.last_posted
        from (select date_trunc('month', l.posted_at at time zone 'UTC') as month, l.transaction_type, l.amount_type,
                     l.description, sum(l.amount) as amount, max(l.posted_at) as last_posted
              from o2c.canonical_settlement_line l
              where l.channel = p_channel and l.settlement_id = p_settlement_id
              group by 1, 2, 3, 4) k;
    end if;
end
$$;

-- Checks a settlement (mapping, total) and, when both hold, (re)builds its unposted journals.
-- Returns the status: 'unmapped', 'inconsistent', 'ready', 'posted' or 'variance'.
create or replace function o2c.settlement_check(p_channel text, p_settlement_id text)
returns text
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
begin
    if (select s.status from o2c.settlement s where s.channel = p_channel and s.settlement_id = p_settlement_id) is distinct from 'posted' then
        perform o2c.settlement_kind_sums(p_channel, p_settlement_id, false);
    end if;
    return o2c.settlement_check_sums(p_channel, p_settlement_id);
end
$$;

-- settlement_check on the sums in pg_temp.settlement_kinds (o2c.settlement_kind_sums).
create or replace function o2c.settlement_check_sums(p_channel text, p_settlement_id text)
returns text
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_s o2c.settlement;
    v_unmapped text;
    v_total numeric;
    v_diff numeric;
begin
    select * into v_s from o2c.settlement s where s.channel = p_channel and s.settlement_id = p_settlement_id for update;
    if not found then
        raise exception 'no % settlement %', p_channel, p_settlement_id using errcode = 'P0002';
    end if;
    if v_s.status = 'posted' then
        return v_s.status;
    end if;
    select string_agg(u.kind, '; ' order by u.kind)
    into v_unmapped
    from (select distinct format('%s / %s / %s', k.transaction_type, k.amount_type, k.description) as kind
            from (select distinct k.transaction_type, k.amount_type, k.description from settlement_kinds k) k
           where not exists (select 1 from o2c.settlement_map(p_channel, k.transaction_type, k.amount_type, k.description))) u;
    if v_unmapped is not null then
        delete from o2c.settlement_journal j where j.channel = p_channel and j.settlement_id = p_settlement_id and j.posted_at is null;
        update o2c.settlement s set status = 'unmapped',
            problem = 'unknown_settlement_line: no o2c.settlement_mapping row for ' || v_unmapped
        where s.channel = p_channel and s.settlement_id = p_settlement_id;
        return 'unmapped';
    end if;
    select coalesce(sum(k.amount), 0) into v_total from settlement_kinds k;
    v_diff := v_total - v_s.deposit;
    if v_diff <> 0 and v_s.variance_account is null then
        delete from o2c.settlement_journal j where j.channel = p_channel and j.settlement_id = p_settlement_id and j.posted_at is null;
        update o2c.settlement s set status = 'inconsistent', difference = v_diff,
            problem = format('inconsistent_settlement: the lines total %s %s, the deposit is %s: difference %s',
                             v_total, v_s.currency, v_s.deposit, v_diff)
        where s.channel = p_channel and s.settlement_id = p_settlement_id;
        return 'inconsistent';
    end if;
    perform o2c.settlement_build_journals(p_channel, p_settlement_id);
    update o2c.settlement s set status = case when v_diff <> 0 then 'variance' else 'ready' end,
        difference = v_diff, problem = null
    where s.channel = p_channel and s.settlement_id = p_settlement_id;
    return case when v_diff <> 0 then 'variance' else 'ready' end;
end
$$;

-- settlement_check, then the settlement's posting workflow (settlement_posting), when it waits as
-- an exception (unmapped, inconsistent, an account the ERP refused), goes on from its first state.
-- Returns the settlement's status.
create or replace function o2c.settlement_redrive(p_channel text, p_settlement_id text)
returns text
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_status text := o2c.settlement_check(p_channel, p_settlement_id);
    v_id bigint;
begin
    select i.id into v_id from o2c.instance i
     where i.workflow = 'settlement_posting' and i.business_key = 'settlement:' || p_channel || ':' || p_settlement_id
       and i.status = 'exception';
    if v_id is not null then
        perform o2c.redrive(v_id);
    end if;
    return v_status;
end
$$;

-- Journals for one settlement: one per accounting month of its lines' posted dates (a line without
-- a date belongs to the deposit's month). Each mapped account gets the net of its lines (credit
-- when money came to the seller, debit otherwise), the clearing account the opposite; the
-- deposit's month also moves the deposit from clearing to the bank. A named variance (finance's
-- decision) is its own line on the variance account. Each journal balances by construction and
-- is checked; the clearing lines of all journals net to zero. Reads pg_temp.settlement_kinds, the
-- sums settlement_check_sums (its only caller) was given for this settlement.
create or replace function o2c.settlement_build_journals(p_channel text, p_settlement_id text)
returns int
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_s o2c.settlement;
    v_c o2c.settlement_channel;
    v_deposit_period text;
    v_bad text;
    v_count int;
begin
    select * into v_s from o2c.settlement s where s.channel = p_channel and s.settlement_id = p_settlement_id;
    select * into v_c from o2c.settlement_channel c where c.channel = p_channel;
    if v_c.channel is null then
        raise exception 'no o2c.settlement_channel row for %', p_channel using errcode = '22023';
    end if;
    v_deposit_period := to_char(coalesce(v_s.deposit_at, v_s.ends_at,
                                         (select max(k.last_posted) from settlement_kinds k),
                                         v_s.imported_at) at time zone 'UTC', 'YYYY-MM');
    delete from o2c.settlement_journal j where j.channel = p_channel and j.settlement_id = p_settlement_id and j.posted_at is null;

    if to_regclass('pg_temp.journal_amounts') is null then  -- (no NOTICE per settlement of a file)
        create temporary table journal_amounts (period text, gl_account text, category text,
            amount numeric, memo text) on commit drop;
    end if;
    truncate journal_amounts;
    -- Summed by month and kind of line first (settlement_check's pass), then each kind mapped once.
    insert into journal_amounts
    select k.period, m.gl_account, m.category, sum(k.amount), m.category
    from (select coalesce(k.period, v_deposit_period) as period, k.transaction_type, k.amount_type, k.description,
                 sum(k.amount) as amount
            from settlement_kinds k
           group by 1, 2, 3, 4) k
    cross join lateral o2c.settlement_map(p_channel, k.transaction_type, k.amount_type, k.description) m
    group by 1, 2, 3;
    -- The clearing side of each month's lines.
    insert into journal_amounts
    select a.period, v_c.clearing_account, 'clearing', -sum(a.amount), 'settlement ' || p_settlement_id
    from journal_amounts a group by a.period;
    -- The deposit, clearing → bank (a negative deposit: the bank pays the channel).
    insert into journal_amounts values
        (v_deposit_period, v_c.clearing_account, 'deposit', v_s.deposit, 'deposit to bank'),
        (v_deposit_period, v_c.bank_account, 'deposit', -v_s.deposit, 'deposit ' || p_settlement_id);
    if v_s.variance_account is not null and v_s.difference <> 0 then
        insert into journal_amounts values
            (v_deposit_period, v_c.clearing_account, 'variance', v_s.difference, 'variance named by ' || v_s.variance_by),
            (v_deposit_period, v_s.variance_account, 'variance', -v_s.difference, 'variance named by ' || v_s.variance_by);
    end if;

    insert into o2c.settlement_journal (external_id, channel, settlement_id, period, posting_date, currency)
    select 'STL-' || p_channel || '-' || p_settlement_id || '-' || a.period, p_channel, p_settlement_id, a.period,
           least((a.period || '-01')::date + interval '1 month' - interval '1 day',
                 greatest((a.period || '-01')::date, coalesce(v_s.ends_at at time zone 'UTC', (a.period || '-01')::date)))::date,
           v_s.currency
    from (select distinct period from journal_amounts) a
    on conflict (external_id) do nothing;
    -- Amount positive = credit on the account (income / liability side), negative = debit.
    insert into o2c.settlement_journal_line (external_id, line_no, gl_account, category, debit, credit, memo)
    select 'STL-' || p_channel || '-' || p_settlement_id || '-' || a.period,
           row_number() over (partition by a.period order by a.category = 'deposit', a.category = 'clearing', a.gl_account, a.category),
           a.gl_account, a.category, greatest(-a.amount, 0), greatest(a.amount, 0), a.memo
    from (select period, gl_account, category, sum(amount) as amount, min(memo) as memo
          from journal_amounts group by 1, 2, 3) a
    join o2c.settlement_journal j on j.external_id = 'STL-' || p_channel || '-' || p_settlement_id || '-' || a.period
    where a.amount <> 0 and j.posted_at is null;

    select string_agg(j.external_id, ', ') into v_bad
    from o2c.settlement_journal j
    where j.channel = p_channel and j.settlement_id = p_settlement_id
      and (select coalesce(sum(debit - credit), 0) from o2c.settlement_journal_line x where x.external_id = j.external_id) <> 0;
    if v_bad is not null then
        raise exception 'settlement journals % do not balance', v_bad using errcode = 'P0001';
    end if;
    select count(*) into v_count from o2c.settlement_journal j where j.channel = p_channel and j.settlement_id = p_settlement_id;
    return v_count;
end
$$;

-- Finance's audited decision for an inconsistent settlement: post the difference to a named
-- variance account (default the channel's). Builds the journals; returns the new status.
create or replace function o2c.settlement_post_variance(p_channel text, p_settlement_id text, p_account text, p_by text)
returns text
language plpgsql
security definer
set search_path = o2c, pg_temp
as $$
declare
    v_account text;
begin
    if coalesce(btrim(p_by), '') = '' then
        raise exception 'a variance needs the name of who decided it' using errcode = '22023';
    end if;
    select coalesce(p_account, c.variance_account) into v_account from o2c.settlement_channel c where c.channel = p_channel;
    if not exists (select 1 from o2c.gl_account a where a.account = v_account) then
        raise exception 'no account % in o2c.gl_account', v_account using errcode = '22023';
    end if;
    update o2c.settlement s set variance_account = v_account, variance_by = p_by, variance_at = now()
    where s.channel = p_channel and s.settlement_id = p_settlement_id and s.status = 'inconsistent';
    if not found then
        raise exception '% settlement % is not inconsistent', p_channel, p_settlement_id using errcode = '22023';
    end if;
    return o2c.settlement_redrive(p_channel, p_settlement_id);
end
$$;

-- One row per settlement and accounting period, for finance. deposit and clearing_remainder are
-- the settlement's (the same on each of its periods); lines_total and journals are the period's.
-- clearing_remainder = what the clearing account holds for this settlement after its journals:
-- 0 when everything is mapped and consistent, the difference when inconsistent.
create or replace view o2c.settlements as
with periods as (
    select l.channel, l.settlement_id, coalesce(to_char(l.posted_at at time zone 'UTC', 'YYYY-MM'),
           to_char(coalesce(s.deposit_at, s.ends_at) at time zone 'UTC', 'YYYY-MM')) as period, sum(l.amount) as lines_total
    from o2c.canonical_settlement_line l join o2c.settlement s using (channel, settlement_id)
    group by 1, 2, 3
    union all
    select s.channel, s.settlement_id, to_char(coalesce(s.deposit_at, s.ends_at) at time zone 'UTC', 'YYYY-MM'), 0
    from o2c.settlement s
    where not exists (select 1 from o2c.canonical_settlement_line l where l.channel = s.channel and l.settlement_id = s.settlement_id)
)
select s.channel, s.settlement_id, p.period, s.currency, s.deposit, p.lines_total,
       (select count(*) from o2c.settlement_journal j
        where j.channel = s.channel and j.settlement_id = s.settlement_id and j.period = p.period) as journals,
       (select coalesce(sum(l.amount), 0) from o2c.canonical_settlement_line l
        where l.channel = s.channel and l.settlement_id = s.settlement_id) - s.deposit
       - case when s.variance_account is not null then coalesce(s.difference, 0) else 0 end as clearing_remainder,
       (select coalesce(sum(jl.debit - jl.credit), 0) from o2c.settlement_journal j
        join o2c.settlement_journal_line jl using (external_id)
        join o2c.settlement_channel c on c.channel = j.channel and c.clearing_account = jl.gl_account
        where j.channel = s.channel and j.settlement_id = s.settlement_id) as clearing_journal_balance,
       s.status, s.problem
from o2c.settlement s join periods p using (channel, settlement_id);

grant execute on function o2c.settlement_load_begin() to o2c_admin;
grant execute on function o2c.settlement_load(bigint, text) to o2c_admin;
grant execute on function o2c.settlement_load(bigint, text, text) to o2c_admin;
grant execute on function o2c.settlement_load_read(bigint, text, text) to o2c_admin;
grant execute on function o2c.settlement_load_check() to o2c_admin;
grant execute on function o2c.import_settlement(text, text) to o2c_admin;
grant execute on function o2c.settlement_redrive(text, text) to o2c_admin;
grant execute on function o2c.settlement_post_variance(text, text, text, text) to o2c_admin;
grant select on o2c.settlements to o2c_analyst, o2c_admin;
