-- The open workflows of a pipeline (o2c.order_bottlenecks, o2c.sync_health) without reading the
-- finished ones. Only a change of status leaves or enters it, so plain steps stay HOT updates.
create index instance_open on o2c.instance (workflow, created_at) where status in ('active', 'exception');
