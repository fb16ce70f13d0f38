-- Statements the runner sends about schedules (sql/api/schedule.sql).

-- name: fire
select o2c.fire_schedules();
