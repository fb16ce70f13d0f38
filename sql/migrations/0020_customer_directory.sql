-- The ERP's customer directory, imported (issue 13, "fewer calls per order"). Without it a shopper
-- o2c has not linked yet costs a find in the ERP before the create (an old customer of the brand
-- may be there under another external id). Once every ERP customer with an email has been read
-- into o2c.customer_link (linked_by 'import'), and the import keeps reading the customers made
-- since, a shopper with no link is new to the ERP: order_to_cash creates the customer at once,
-- and a first order of an old customer is one call. Should the ERP still call the new customer a
-- duplicate (made there after the last round), order_to_cash finds it and links it as before.
create table o2c.customer_directory (
    erp_connection text primary key,
    -- the last customer read (the import pages by internal id, which only grows)
    after_id       text,
    -- when a round last reached the end of the ERP's customers: the directory is as complete as
    -- of then; null until the first full read is done
    complete_at    timestamptz,
    customers_read bigint not null default 0,
    updated_at     timestamptz not null default now()
);
grant select on o2c.customer_directory to o2c_analyst, o2c_admin;
-- Ops may start the import over (delete the row, restart the workflow).
grant delete on o2c.customer_directory to o2c_admin;
