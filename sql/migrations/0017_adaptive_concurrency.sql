-- Adaptive concurrency per connection (issue 13): a shared ERP account's limit is shared with the
-- brand's other integrations, so o2c behaves as TCP does. A call refused for being over the
-- account's concurrency (HTTP 429 without Retry-After) lowers o2c's own limit on the connection by
-- a quarter, at most once every 250 ms (one cut per burst of refusals, whichever runner saw
-- them); every call that gets through raises it again by 1/limit (one step per limit's worth of
-- calls), never above max_concurrent. Fleet-wide, in the database, like max_concurrent itself; null means
-- "at max_concurrent". A 429 with Retry-After holds the connection till then, as before.
alter table o2c.connection
    add column concurrency_limit numeric check (concurrency_limit >= 1),
    add column concurrency_cut_at timestamptz not null default '-infinity';
