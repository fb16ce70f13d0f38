-- The canonical order travels between the stages of the map step as rows, not as one big JSON
-- document (issue 15: "a 10,000-line order maps in well under a second"). A storefront's half
-- answers the header (jsonb, small) and its lines as an array of o2c.canonical_line; the checks
-- (o2c.order_problems), the ERP halves and o2c.record_canonical_order read that array. Building
-- and re-reading a 10,000-element JSON array at every stage cost most of the step's time.

-- A canonical order line (o2c.canonical_order_line without its order_key). tax_rate is an
-- unconstrained numeric: the rate as the storefront wrote it (25, not 25.0000), as messages say it.
create type o2c.canonical_line as (
    line_no             int,
    kind                text,
    storefront_line_id  text,
    sku                 text,
    name                text,
    quantity            numeric,
    cancelled_quantity  numeric,
    unit_price          numeric,
    original_unit_price numeric,
    net                 numeric,
    tax                 numeric,
    tax_rate            numeric,
    discount_net        numeric,
    discount_tax        numeric
);

-- Which canonical line an ERP document's line (by position, from 1) carries, and the line's name
-- for good ('line:<canonical line>', 'discount:<tax code>', 'rounding'): o2c.erp_order_line's row.
create type o2c.erp_line_ref as (
    erp_line      int,
    order_line_no int,
    line_key      text
);
