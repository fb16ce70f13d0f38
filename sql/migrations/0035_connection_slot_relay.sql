-- Peak-day throughput (issue 13): a call that ends on a governed connection used to leave its
-- slot idle until its runner had committed the result and claimed the next step (~4 ms of every
-- ~104 ms call here). A runner may now claim, ahead of time, the step that is to run on a slot
-- its own call holds when that call ends (o2c.claim's p_relays): the slot's lease row names that
-- step, and the completion that ends the call hands the row over to it. The step waiting behind
-- a call holds no slot of its own, so the fleet-wide count stays what it was.
alter table o2c.connection_lease add column successor bigint;
comment on column o2c.connection_lease.successor is
    'the step this call''s runner has claimed to run on the same slot when this call ends; '
    'it takes this row over when this step''s lease row goes (o2c.pass_connection_slot)';
-- o2c.claim gained p_relays and the column "follows" (a new signature and result type).
drop function if exists o2c.claim(text, int, int, text[], boolean);
