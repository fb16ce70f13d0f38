-- make demo's summary.json: the order-to-cash figures and each flow's (tools/demo/flows/*.sh), read
-- as one JSON array from :dir/summary-parts.json, become one object, keys in the order written
-- (json keeps it; jsonb would not). A key that two parts both write stops the demo, never a silent
-- choice of one of them.
\set parts_text `cat :'dir'/summary-parts.json`

create temp table part_key as
select p.n * 100000 + e.n as n, e.key, e.value
  from json_array_elements((:'parts_text')::json) with ordinality as p(part, n),
       json_each(p.part) with ordinality as e(key, value, n);

select coalesce(string_agg(key, ', '), '') as dup
  from (select key from part_key group by key having count(*) > 1) d \gset
select :'dup' = '' as unique_keys \gset
\if :unique_keys
select E'{\n' || string_agg(format('  %s: %s', to_json(key), value), E',\n' order by n) || E'\n}'
  from part_key;
\else
\warn 'demo: two parts of the summary both write ' :dup
select 1/0;
\endif
