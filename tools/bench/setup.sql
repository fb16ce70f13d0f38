-- The bench's pipelines. Run after `o2c migrate`, on the bench's own database.
select o2c.define_workflow('bench_noop3', '{
  "initial": "a",
  "states": {
    "a": {"action": "core.noop", "lane": "orders", "on": {"ok": "b"}},
    "b": {"action": "core.noop", "lane": "orders", "on": {"ok": "c"}},
    "c": {"action": "core.noop", "lane": "orders", "on": {"ok": "done"}},
    "done": {"terminal": true}
  }
}');
select o2c.define_workflow('bench_wake', '{
  "initial": "a",
  "states": {
    "a": {"action": "core.noop", "lane": "orders", "on": {"ok": "done"}},
    "done": {"terminal": true}
  }
}');
select o2c.define_workflow('bench_backlog', '{
  "initial": "a",
  "states": {
    "a": {"action": "core.sleep", "lane": "orders", "on": {"ok": "done"}},
    "done": {"terminal": true}
  }
}');
select o2c.define_workflow('bench_inventory', '{
  "initial": "a",
  "states": {
    "a": {"action": "core.noop", "lane": "inventory", "on": {"ok": "done"}},
    "done": {"terminal": true}
  }
}');
select o2c.define_workflow('bench_history', '{
  "initial": "a",
  "states": {
    "a": {"action": "core.noop", "lane": "finance", "on": {"ok": "done"}},
    "done": {"terminal": true}
  }
}');

-- The database's own limit: a plain queue table, claimed and completed by pgbench.
create table if not exists public.bench_queue (
    id      bigint generated always as identity primary key,
    payload jsonb not null default '{}'
);

-- Empties the engine's tables between measurements (the bench's own database only).
create or replace function public.bench_reset() returns void language sql as $$
    truncate o2c.step, o2c.event, o2c.instance_update, o2c.instance restart identity;
$$;
