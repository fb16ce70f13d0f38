-- Returns with goods (issue 11): a Centra return becomes a NetSuite return authorization, the
-- warehouse's receipt of the goods is waited for, then a credit memo for what Centra refunded and
-- a customer refund from the gateway's clearing account (workflows/return_to_credit_memo.sql;
-- functions in sql/api/returns.sql). Refunds without goods record their customer refund too.
-- o2c.erp_return (0010) already holds the return authorization, credit memo and customer refund
-- ids; it gains when the goods were received and the amount the customer refund paid back.
alter table o2c.erp_return
    add column received_at            timestamptz,
    add column customer_refund_amount numeric;
