-- make demo's wait loop: where the day stands, one line. Variables: since, the last time the demo
-- changed anything in Centra (a poller round claimed after it has seen every change); workflow,
-- the ERP's order to cash pipeline (order_to_cash, order_to_cash_sage200).
--   ingested     order to cash workflows (one per Centra order the poller has read)
--   posted       of them, with their sales order in the ERP
--   open         of them, still at work (neither posted, cancelled before posting, nor in exception)
--   exceptions   workflows of the demo's pipelines in an exception
--   cancel_open  cancellation workflows (cancel_workflow) still at work, except those waiting for an order
--                that is in an exception (they wait for its re-drive, as they should)
--   caught_up    whether a poller round has started since `since` and finished
with o as (select status, state from o2c.instance where workflow = :'workflow')
select (select count(*) from o),
       (select count(*) from o where state = 'posted'),
       (select count(*) from o where status = 'active'),
       (select count(*) from o2c.instance
         where workflow in (:'workflow', :'cancel_workflow', 'centra_order_poll') and status = 'exception'),
       (select count(*) from o2c.instance c
         where c.workflow = :'cancel_workflow' and c.status = 'active'
           and not exists (select from o2c.instance o
                            where o.workflow = :'workflow' and o.status = 'exception'
                              and o.business_key = regexp_replace(c.business_key, ':cancel$', ''))),
       exists (select from o2c.instance p join o2c.event e on e.workflow_id = p.id
                where p.workflow = 'centra_order_poll' and e.outcome = 'ok'
                  and e.claimed_at > :'since'::timestamptz);
