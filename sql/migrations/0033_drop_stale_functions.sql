-- A function whose arguments changed stays behind under its old signature on a database migrated
-- before the change: the API files are applied again with `create or replace`, which makes the
-- new signature beside the old one. Those no API file defines any more, unused:
--   o2c.netsuite_order_lines(jsonb, …)  read the canonical order as JSON until migration 0030's
--                                        rows (o2c.canonical_line[]) replaced it
drop function if exists o2c.netsuite_order_lines(jsonb, text, text, text, text);
