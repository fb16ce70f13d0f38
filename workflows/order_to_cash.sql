-- order_to_cash: one storefront order becomes one ERP customer (found, or created first) and one
-- sales order, exactly once. Started by centra.poll_orders (workflows/centra_order_poll.sql) with
-- business key centra:<store>:<order number> and input {"source","store","order"}.
--
--   map             the storefront order becomes a canonical order (recorded in
--                   o2c.canonical_order, docs/MODEL.md), checked to the cent, and the ERP's half
--                   lays it out as ERP bodies through the mapping tables (sql/api/order_to_cash.sql);
--                   an unmapped SKU or tax rule stops here, owned by ops, naming what is missing
--                   and the SQL that adds it. The connections of the pair are its params: another
--                   storefront or ERP is another pair of params, not another mapping.
--   linked_customer a shopper seen before (by normalised email) is linked to their ERP customer
--                   (o2c.customer_link, sql/api/customer_link.sql): a returning shopper's order
--                   makes one ERP call, the sales order. A shopper with no link, where the
--                   ERP's customer directory has been imported and is fresh (workflows/
--                   customer_directory.sql), is new to the ERP: straight to create_customer.
--   find_customer   a customer with the shopper's email already in NetSuite (e.g. from before
--                   the integration) is used as it is, and linked. The email is matched whatever
--                   its case (ignore_case): map lowercases it, but one typed into NetSuite by hand
--                   may be Anna.Berg@Example.se, and a case-sensitive match would create a duplicate.
--   create_customer otherwise upserted by the shopper's deterministic external id
--                   SHOPPER-<md5 of the email>, so two orders of one new shopper, from one store or
--                   two, make one customer, and always before the order. NetSuite's duplicate
--                   detection refusing it (DUP_RCRD: created meanwhile under another id) means
--                   "find it and use it" (find_duplicate).
--   sales_order     upserted by its external id CENTRA-<store>-<number>, pointing at the customer.
--                   NetSuite refusing the customer (merged or deleted there since it was linked)
--                   forgets the link and finds the customer again, once.
-- A refusal after map (a wrong item id in sku_map, say) re-drives from map, so the fixed mapping
-- is used. The NetSuite ids end in the context: customer_id, sales_order_id; record_posting
-- writes the sales order's id into o2c.erp_order for the fulfilment and returns flows.
--   payment         the payment the storefront captured (the canonical order's captured_amount),
--                   laid out as a NetSuite customer deposit into the clearing account of the
--                   order's gateway (o2c.payment_account_map, finance's); nothing captured: no
--                   deposit, straight to posted
--   customer_deposit upserted by its external id DEP-CENTRA-<store>-<number>, against the sales
--                   order and its customer, exactly once like the order; the payout journal of the
--                   gateway clears it (sql/api/settlement_reports.sql, o2c.payout_gaps)
--   record_payment  the deposit joins the order in o2c.order_payment

select o2c.define_workflow('order_to_cash', $spec$
{
  "initial": "map",
  "states": {
    "map": {
      "description": "storefront order → canonical order → ERP customer and sales order bodies",
      "action": "sql.map_order", "lane": "orders", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite", "cancel_workflow": "order_cancellation"},
      "on": {"ok": "linked_customer", "cancelled": "cancelled_before_posting"}
    },
    "linked_customer": {
      "description": "the ERP customer this shopper is already linked to",
      "action": "sql.linked_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "netsuite"},
      "on": {"found": "sales_order", "new": "create_customer", "not_found": "find_customer"}
    },
    "find_customer": {
      "description": "an existing NetSuite customer with the shopper's email",
      "action": "netsuite.find", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"record": "customer", "where": {"email": "customer_email"}, "ignore_case": ["email"],
                 "result_key": "customer_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "redrive_from": "map",
      "on": {"found": "link_found", "not_found": "create_customer"}
    },
    "create_customer": {
      "description": "upsert the shopper's customer by external id, before any of their orders",
      "action": "netsuite.upsert", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"type": "customer", "external_id_key": "customer_external_id",
                 "body_key": "customer_body", "result_key": "customer_id",
                 "refusals": {"DUP_RCRD": "duplicate"}},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "map",
      "on": {"ok": "link_created", "duplicate": "find_duplicate"}
    },
    "find_duplicate": {
      "description": "NetSuite says the customer exists already: find it by email and use it",
      "action": "netsuite.find", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"record": "customer", "where": {"email": "customer_email"}, "ignore_case": ["email"],
                 "result_key": "customer_id"},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "redrive_from": "map",
      "on": {"found": "link_found", "not_found": "duplicate_not_found"}
    },
    "duplicate_not_found": {
      "description": "a duplicate NetSuite will not create and SuiteQL cannot find: for ops",
      "action": "sql.duplicate_customer_not_found", "lane": "orders", "owner": "ops",
      "redrive_from": "map",
      "on": {"ok": "find_customer"}
    },
    "link_found": {
      "description": "remember the customer found for this shopper",
      "action": "sql.link_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "netsuite", "storefront_connection": "centra", "via": "find"},
      "on": {"ok": "sales_order"}
    },
    "link_created": {
      "description": "remember the customer created for this shopper",
      "action": "sql.link_customer", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "netsuite", "storefront_connection": "centra", "via": "create"},
      "on": {"ok": "sales_order"}
    },
    "forget_customer": {
      "description": "NetSuite refused the linked customer: forget the link, find the customer again",
      "action": "sql.forget_customer_link", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "netsuite"},
      "redrive_from": "map",
      "on": {"ok": "find_customer"}
    },
    "sales_order": {
      "description": "upsert the sales order by external id, for the customer",
      "action": "netsuite.upsert", "lane": "orders", "connection": "netsuite", "owner": "ops",
      "params": {"type": "salesOrder", "external_id_key": "sales_order_external_id",
                 "body_key": "sales_order_body", "result_key": "sales_order_id",
                 "refs": {"entity.id": "customer_id"}, "refusals": {"entity": "customer_refused"}},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "map",
      "on": {"ok": "record_posting", "customer_refused": "forget_customer"}
    },
    "record_posting": {
      "description": "the ERP's id of the sales order joins the order's link (o2c.erp_order)",
      "action": "sql.record_posting", "lane": "orders", "owner": "ops",
      "params": {"erp_connection": "netsuite"},
      "on": {"ok": "payment"}
    },
    "payment": {
      "description": "the payment the storefront captured, as an ERP customer deposit body",
      "action": "sql.map_payment", "lane": "orders", "owner": "finance",
      "params": {"erp_connection": "netsuite"},
      "on": {"ok": "customer_deposit", "no_capture": "posted"}
    },
    "customer_deposit": {
      "description": "upsert the captured payment as a customer deposit on the sales order, by external id",
      "action": "netsuite.upsert", "lane": "orders", "connection": "netsuite", "owner": "finance",
      "params": {"type": "customerDeposit", "external_id_key": "deposit_external_id",
                 "body_key": "deposit_body", "result_key": "deposit_id",
                 "refs": {"customer.id": "customer_id", "salesOrder.id": "sales_order_id"}},
      "retry": {"max_attempts": 12, "base_ms": 1000, "cap_ms": 300000},
      "lock": {"max_attempts": 30, "delay_ms": 500},
      "redrive_from": "payment",
      "on": {"ok": "record_payment"}
    },
    "record_payment": {
      "description": "the deposit NetSuite holds joins the order (o2c.order_payment)",
      "action": "sql.record_payment", "lane": "orders", "owner": "finance",
      "params": {"erp_connection": "netsuite"},
      "on": {"ok": "posted"}
    },
    "posted": {"terminal": true, "description": "the sales order is in NetSuite, with its captured payment"},
    "cancelled_before_posting": {"terminal": true, "description": "cancelled in Centra before it was posted"}
  }
}
$spec$::jsonb);
