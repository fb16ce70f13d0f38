-- make bench: how long order_to_cash's map function (o2c_action.map_order: Centra → canonical, the
-- checks, recording, canonical → NetSuite) takes for one order of :lines lines, in milliseconds.
-- Mapping is linear; this says what a very big order costs (it took 179 s at 10,000 lines when
-- lines were appended one by one). map_step times the whole step, as a runner runs it.
-- Variables: lines; erp, the ERP connection whose half lays the order out (netsuite, the
-- default, or sage200).
\if :{?erp}
\else
\set erp netsuite
\endif
\ir big_order.sql
select set_config('bench.erp', :'erp', false) \g /dev/null
-- A first mapping of the order, as most are (not a re-drive replacing its recorded lines).
delete from o2c.erp_order where order_key = 'centra:bench:990001';
delete from o2c.canonical_order where order_key = 'centra:bench:990001';

do $$
declare
    t0 timestamptz;
    answer jsonb;
begin
    t0 := clock_timestamp();
    select o2c_action.map_order(context, jsonb_build_object('erp_connection', current_setting('bench.erp')))
      into answer from bench_order;
    if answer->>'outcome' <> 'ok' then
        raise exception 'bench: the big order did not map: %', answer;
    end if;
    perform set_config('bench.map_ms', round(extract(epoch from clock_timestamp() - t0) * 1000)::text, false);
end
$$;
select current_setting('bench.map_ms');
