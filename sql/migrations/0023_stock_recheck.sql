-- A Centra shipment o2c completes takes its units off Centra's stock at the moment it completes;
-- an absolute level o2c sends may land just before or just after that. o2c takes the units off
-- what it believes Centra holds at once (o2c.stock_shipped), and sends the formula's level again
-- once the ERP's reading of the pair reflects the shipment (as of recheck_after or later), so
-- whichever landed last, Centra ends at the formula.
alter table o2c.stock_sent add column recheck_after timestamptz;
