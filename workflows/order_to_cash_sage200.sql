-- order_to_cash_sage200: order_to_cash (workflows/order_to_cash.sql) with Sage 200 as the ERP.
-- The same canonical order (sql.map_order with erp_connection 'sage200' lays it out through
-- o2c.canonical_order_to_sage200), the same shopper links and posting record; only the ERP
-- steps differ, because Sage 200 has no upsert and no external ids:
--   customer     found by the reference o2c allocated for the shopper (o2c.sage200_customer_ref),
--                or created; searched before every create attempt
--   sales_order  found by customer_document_no (the storefront's order number), or created;
--                searched before every create attempt, so a create whose answer was lost (a
--                timeout, the tunnel's 504) is found by the retry, never made twice. Sage's own
--                totals of the order must equal the canonical order's to the penny, or the order
--                stops for finance.
-- A record open in the desktop client (the customer account, the order) answers "in use": the
-- step is `locked`, retried after a short delay on its own budget, then an exception for ops
-- naming the record and the user; re-driven once released, it completes.
-- A Centra poller for a Sage 200 brand starts this workflow: its context says
-- "child_workflow": "order_to_cash_sage200" (connectors/centra/centra_actions.c).

select o2c.define_workflow('order_to_cash_sage200', $spec$
{
  "initial": "map",
  "states": {
    "map": {
      "description": "storefront order → canonical order → Sage 200 customer and sales order bodies",
      "action": "sql.map_order", "lane": "orders", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "sage200", "cancel_workflow": "order_cancellation_sage200",
                 "workflow": "order_to_cash_sage200"},
      "on": {"ok": "linked_customer", "cancelled": "cancelled_before_posting"}
    },
    "linked_customer": {
      "description": "the Sage 200 customer this shopper is already linked to",
      "action": "sql.linked_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "sage200"},
      "on": {"found": "sales_order", "not_found": "customer", "new": "customer"}
    },
    "customer": {
      "description": "the shopper's customer account, by the reference o2c allocated: found, or created",
      "action": "sage200.find_or_create", "lane": "orders", "connection": "sage200", "owner": "ops",
      "params": {"collection": "customers", "key_field": "reference", "key_key": "customer_external_id",
                 "body_key": "customer_body", "result_key": "customer_id",
                 "found_outcome": "found", "created_outcome": "created"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 20, "delay_ms": 1000},
      "redrive_from": "map",
      "on": {"found": "link_found", "created": "link_created"}
    },
    "link_found": {
      "description": "remember the customer found for this shopper",
      "action": "sql.link_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "sage200", "storefront_connection": "centra", "via": "find"},
      "on": {"ok": "sales_order"}
    },
    "link_created": {
      "description": "remember the customer created for this shopper",
      "action": "sql.link_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "sage200", "storefront_connection": "centra", "via": "create"},
      "on": {"ok": "sales_order"}
    },
    "sales_order": {
      "description": "the sales order, by customer_document_no: found, or created for the customer",
      "action": "sage200.find_or_create", "lane": "orders", "connection": "sage200", "owner": "ops",
      "params": {"collection": "sop_orders", "key_field": "customer_document_no", "key_key": "sales_order_external_id",
                 "body_key": "sales_order_body", "result_key": "sales_order_id",
                 "refs": {"customer_id": "customer_id"}, "expect_total_key": "order_total"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 20, "delay_ms": 1000},
      "redrive_from": "map",
      "on": {"ok": "record_posting"}
    },
    "record_posting": {
      "description": "the Sage 200 id of the sales order joins the order's link (o2c.erp_order)",
      "action": "sql.record_posting", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "sage200"},
      "on": {"ok": "posted"}
    },
    "posted": {"terminal": true, "description": "the sales order is in Sage 200"},
    "cancelled_before_posting": {"terminal": true, "description": "cancelled in the storefront before it was posted"}
  }
}
$spec$::jsonb);
