-- Settlement files are staged in a temporary table per session now (pg_temp.settlement_file_line,
-- made by o2c.settlement_load_begin in sql/api/settlement.sql): local buffers, no WAL, gone at
-- commit. The shared unlogged staging table of 0011 is no longer used.
drop table if exists o2c.settlement_staging;
