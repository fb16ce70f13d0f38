-- What the mapping halves need beyond 0004: the names of the campaigns a discount came from, so an
-- ERP's discount line is described with them (as it was before the model).
alter table o2c.canonical_order add column discount_names text[] not null default '{}';
