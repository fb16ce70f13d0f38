-- Sage 200's despatches, credit notes and cash-book postings (issue 12), through the shared
-- fulfilment, returns and settlement flows (sql/api/fulfilment.sql, returns.sql,
-- settlement_posting.sql; workflows fulfilment_to_storefront, sage200_despatch_poll, …).

-- Sage 200 numbers its despatches upwards and its despatch views carry no modified time, so the
-- despatch poller's position is the id of the newest despatch it started a workflow for (NetSuite's
-- poller keeps the time in `cursor`, and leaves this null).
alter table o2c.fulfilment_poll_cursor add column if not exists last_id bigint;
