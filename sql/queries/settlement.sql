-- Settlement reports for the command line (functions: sql/api/settlement_reports.sql).

-- name: month_end
select channel, currency, measure, count, amount from o2c.month_end($1::text);
