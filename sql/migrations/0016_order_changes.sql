-- Orders stay living records after they are posted (issue 15, item 10): a change in the store
-- changes only the ERP lines it touches. For that every ERP line needs a name that does not move
-- when lines come and go: 'line:<canonical line>' for a product or shipping line, and
-- 'discount:<the ERP tax code>' for a discount line (one per tax code). Lines recorded before this
-- migration get their name where it is known; an old discount line keeps none, and a change to it
-- is found by its position as the order was laid out when posted.
alter table o2c.erp_order_line add column line_key text;
update o2c.erp_order_line set line_key = 'line:' || order_line_no where order_line_no is not null;
create unique index erp_order_line_key on o2c.erp_order_line (order_key, erp_connection, line_key);

insert into o2c.failure_category (category, owner, severity, description) values
    ('order_changed_after_posting', 'ops', 'high', 'The order changed in the store after it was posted in a way o2c does not carry to the ERP by itself (a line added): change the sales order by hand.')
on conflict do nothing;
