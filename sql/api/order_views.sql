-- Views for the people running the business: which orders are stuck and why, and how fresh each
-- stream of data is. Read by o2c_analyst; nothing here writes.

-- A timestamp from a remote system's text, or null when it is not one (a view must not fail on
-- one bad order).
create or replace function o2c.try_timestamptz(p_text text)
returns timestamptz
language plpgsql
immutable
as $$
begin
    return p_text::timestamptz;
exception when others then
    return null;
end
$$;

-- Storefront orders without an ERP sales order yet: every open order-to-cash workflow, whatever
-- the ERP (a pipeline whose steps include sql.map_order: order_to_cash for NetSuite,
-- order_to_cash_sage200, …), oldest first, with its age, the step it is in, why it is there in
-- words, who owns it, and the pipeline.
create or replace view o2c.order_bottlenecks as
select i.id as workflow_id,
       i.business_key,
       coalesce(i.context->>'source', split_part(i.business_key, ':', 1)) as storefront,
       i.context#>>'{order,number}' as order_number,
       o2c.try_timestamptz(i.context#>>'{order,createdAt}') as placed_at,
       date_trunc('second', now() - coalesce(o2c.try_timestamptz(i.context#>>'{order,createdAt}'), i.created_at)) as age,
       o2c.centra_money(i.context#>'{order,grandTotal}') as order_total,
       i.context#>>'{order,currency,code}' as currency,
       i.state as stage,
       case when i.status = 'exception' then 'exception'
            when s.leased_until > now() then 'in progress'
            when last.outcome in ('retry', 'throttled', 'locked') then 'retrying'
            else 'queued' end as status,
       case when i.status = 'exception' then i.exception_message
            when c.paused then format('connection %s is paused by an admin (o2c.resume_connection)', c.name)
            when s.leased_until > now() then format('step %s is running on %s', i.state, s.leased_by)
            when last.outcome = 'throttled' then
                format('%s asked us to slow down; next try %s', st.connection, to_char(s.due_at, 'HH24:MI:SS'))
            when last.outcome = 'locked' then
                format('the record is locked in %s; try %s of %s', st.connection, i.lock_attempts, st.lock_max_attempts)
            when last.outcome = 'retry' then
                format('transient error, try %s of %s: %s', i.attempts, st.max_attempts, last.detail->>'message')
            else format('waiting for step %s (due %s)', i.state, to_char(s.due_at, 'HH24:MI:SS')) end as reason,
       coalesce(i.exception_owner, st.owner) as owner,
       i.exception_category as category,
       case when i.status = 'exception' then format('select o2c.redrive(%s);', i.id) end as redrive_sql,
       i.workflow as pipeline
  -- The open workflows: the active ones are those with a step (one row each in o2c.step), those
  -- in exception have exception_since (indexed). No index on instance.status: a workflow's last
  -- step (status -> done) then stays a HOT update (migration 0029).
  from (select s.instance_id as id from o2c.step s
         union
        select x.id from o2c.instance x where x.exception_since is not null) o
  join o2c.instance i on i.id = o.id
  join o2c.workflow_state st on (st.workflow, st.version, st.state) = (i.workflow, i.version, i.state)
  left join o2c.step s on s.instance_id = i.id
  left join o2c.connection c on c.name = st.connection
  left join lateral (select e.outcome, e.detail from o2c.event e
                      where e.workflow_id = i.id order by e.id desc limit 1) last on true
 where i.status in ('active', 'exception')
   and exists (select from o2c.workflow_state m
                where (m.workflow, m.version) = (i.workflow, i.version) and m.action = 'sql.map_order');

-- Age of the last successful sync per stream. Two kinds of stream:
--   poller    a perpetual reader (a workflow whose state loops to itself, e.g. centra_order_poll):
--             last good round, the cursor it holds, 'stale' when no good round for three intervals.
--   pipeline  a flow of business documents (order_to_cash …): when a workflow last finished, how
--             many are open and in exception, and the age of the oldest open one.
create or replace view o2c.sync_health as
with pollers as (
    select i.*
      -- The open workflows, as in order_bottlenecks.
      from (select s.instance_id as id from o2c.step s
             union
            select x.id from o2c.instance x where x.exception_since is not null) o
      join o2c.instance i on i.id = o.id
     where exists (select from o2c.workflow_transition t
                    where (t.workflow, t.version, t.state) = (i.workflow, i.version, i.state)
                      and t.target = t.state and t.outcome = 'ok')
       and i.status in ('active', 'exception')
)
select p.workflow || ' ' || p.business_key as stream,
       'poller' as kind,
       good.at as last_success_at,
       date_trunc('second', now() - coalesce(good.at, p.created_at)) as age,
       p.context->>'cursor' as position,
       null::bigint as open, null::bigint as in_exception,
       case when p.status = 'exception' then 'exception'
            when last.outcome in ('retry', 'throttled', 'locked', 'failed') then 'failing'
            when good.at is null or now() - good.at > 3 * make_interval(secs => coalesce((p.context->>'poll_interval_ms')::numeric, 15000) / 1000)
                 + interval '1 minute' then 'stale'
            else 'ok' end as status,
       case when p.status = 'exception' then p.exception_message
            when last.outcome <> 'ok' then last.detail->>'message' end as last_error
  from pollers p
  left join lateral (select e.at from o2c.event e
                      where e.workflow_id = p.id and e.outcome = 'ok' order by e.id desc limit 1) good on true
  left join lateral (select e.outcome, e.detail from o2c.event e
                      where e.workflow_id = p.id and e.runner is not null order by e.id desc limit 1) last on true
union all
select w.workflow, 'pipeline',
       w.last_done,
       date_trunc('second', now() - w.last_done),
       null,
       w.open, w.in_exception,
       case when w.in_exception > 0 then 'exceptions'
            when w.oldest_open < now() - interval '1 hour' then 'slow'
            else 'ok' end,
       (select i.exception_message from o2c.instance i
         where i.workflow = w.workflow and i.status = 'exception' order by i.exception_since desc limit 1)
  from (select i.workflow,
               max(i.updated_at) filter (where i.status = 'done') as last_done,
               count(*) filter (where i.status = 'active') as open,
               count(*) filter (where i.status = 'exception') as in_exception,
               min(i.created_at) filter (where i.status in ('active', 'exception')) as oldest_open
          from o2c.instance i
         where not exists (select from pollers p where p.workflow = i.workflow)
         group by i.workflow) w
union all
-- The fulfilment stream (ERP → storefront, sql/api/fulfilment.sql): its poller's last round, the
-- cursor, and the fulfilments on their way; 'stale' when no round for 3 × 15 minutes.
select 'fulfilment ' || c.erp_connection || ' → storefront', 'poller',
       c.last_round_at,
       date_trunc('second', now() - c.last_round_at),
       to_char(c.cursor at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
       f.open, f.in_exception,
       case when f.in_exception > 0 then 'exceptions'
            when now() - c.last_round_at > interval '46 minutes' then 'stale'
            else 'ok' end,
       (select i.exception_message from o2c.instance i
         where i.workflow = 'fulfilment_to_storefront' and i.status = 'exception' order by i.exception_since desc limit 1)
  from o2c.fulfilment_poll_cursor c
 cross join lateral (select count(*) filter (where i.status = 'active') as open,
                            count(*) filter (where i.status = 'exception') as in_exception
                       from o2c.instance i where i.workflow = 'fulfilment_to_storefront') f
union all
-- Stock per storefront warehouse: the age of the last good inventory sync (sql/api/inventory.sql),
-- stale past o2c.stock_stale_after (default 5 minutes).
select 'stock ' || y.storefront_connection || ' warehouse ' || y.warehouse_id, 'stock',
       y.last_good_at,
       date_trunc('second', now() - y.last_good_at),
       null, null, null,
       case when now() - y.last_good_at > coalesce(nullif(current_setting('o2c.stock_stale_after', true), '')::interval,
                                                   interval '5 minutes')
            then 'stale' else 'ok' end,
       null
  from o2c.stock_sync y;

grant select on o2c.order_bottlenecks, o2c.sync_health to o2c_analyst, o2c_admin;
