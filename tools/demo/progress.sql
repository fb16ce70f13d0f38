-- make demo's wait loop: where the day stands, one line. Variable: since, the last time the demo
-- changed anything in Centra (a poller round claimed after it has seen every change).
--   ingested     order_to_cash workflows (one per Centra order the poller has read)
--   posted       of them, with their sales order in NetSuite
--   open         of them, still at work (neither posted, cancelled before posting, nor in exception)
--   exceptions   workflows of the demo's pipelines in an exception
--   cancel_open  order_cancellation workflows still at work, except those waiting for an order
--                that is in an exception (they wait for its re-drive, as they should)
--   caught_up    whether a poller round has started since `since` and finished
with o as (select status, state from o2c.instance where workflow = 'order_to_cash')
select (select count(*) from o),
       (select count(*) from o where state = 'posted'),
       (select count(*) from o where status = 'active'),
       (select count(*) from o2c.instance
         where workflow in ('order_to_cash', 'order_cancellation', 'centra_order_poll') and status = 'exception'),
       (select count(*) from o2c.instance c
         where c.workflow = 'order_cancellation' and c.status = 'active'
           and not exists (select from o2c.instance o
                            where o.workflow = 'order_to_cash' and o.status = 'exception'
                              and o.business_key = regexp_replace(c.business_key, ':cancel$', ''))),
       exists (select from o2c.instance p join o2c.event e on e.workflow_id = p.id
                where p.workflow = 'centra_order_poll' and e.outcome = 'ok'
                  and e.claimed_at > :'since'::timestamptz);
