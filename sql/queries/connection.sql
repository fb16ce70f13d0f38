-- Statements the runner sends about remote connections.

-- name: load
select name, system, coalesce(base_url, ''), secret_env::text from o2c.connection;
