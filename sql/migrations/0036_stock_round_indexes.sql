-- Each inventory round sums the units of the storefront's open orders (o2c.storefront_open_units)
-- and counts the lines sold in the last day (sql.stock_record's order of sending). Both read
-- o2c.canonical_order, which keeps every order ever mapped: these indexes keep a round's cost to
-- the open and the recent orders, not the whole history.
create index if not exists canonical_order_open on o2c.canonical_order (connection)
 where status not in ('shipped', 'cancelled');
create index if not exists canonical_order_placed on o2c.canonical_order (connection, placed_at);
