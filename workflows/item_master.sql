-- The item master, NetSuite → Centra: NetSuite owns SKU, name and price; Centra owns merchandising
-- (descriptions, images, displays, categories), which o2c never sends.
--
-- item_master: the perpetual poller, one instance per pair of connections:
--   select o2c.start('item_master', 'items:netsuite:centra', '{"poll_interval_ms": 900000}');
--   poll     inventory items changed since context.cursor (SuiteQL on item, lastmodifieddate;
--            the cursor's second is read again), each starting one item_to_storefront in the
--            same transaction that moves the cursor (connectors/netsuite/netsuite_items.c).
--
-- item_to_storefront: one NetSuite change of one item (business key item:<connection>:<SKU>:
-- <modified>), so one item that cannot be offered never holds up the others:
--   prices   its base price in every currency (SuiteQL pricing)
--   map      (sql/api/item_master.sql) the canonical item, recorded; what Centra should show for
--            it, or `unchanged` when Centra shows that already; an active item without a price
--            in a currency the store sells is an exception for ops (item_unsellable)
--   push     Centra's product, variant, size and prices made or brought in line, by SKU
--            (connectors/centra/centra_items.c); a size Centra does not know is item_unsellable.
--            Each try reads Centra first and carries on from what earlier tries made, so short,
--            many retries: a fault part-way costs one more read, not a redo.
--   record   what Centra shows remembered; a new SKU gets its sku_map row, so its first order maps

select o2c.define_workflow('item_master', $spec$
{
  "initial": "poll",
  "states": {
    "poll": {
      "description": "read NetSuite items changed since the cursor; start one workflow per item",
      "action": "netsuite.read_items", "lane": "inventory", "connection": "netsuite", "owner": "engineering",
      "params": {"child_workflow": "item_to_storefront"},
      "retry": {"max_attempts": 200, "base_ms": 2000, "cap_ms": 300000},
      "on": {"ok": "poll"}
    }
  }
}
$spec$::jsonb);

select o2c.define_workflow('item_to_storefront', $spec$
{
  "initial": "prices",
  "states": {
    "prices": {
      "description": "read the item's prices per currency from NetSuite",
      "action": "netsuite.read_item_prices", "lane": "inventory", "connection": "netsuite", "owner": "ops",
      "retry": {"max_attempts": 20, "base_ms": 1000, "cap_ms": 60000},
      "on": {"ok": "map"}
    },
    "map": {
      "description": "the canonical item, and what Centra should show for it",
      "action": "sql.map_item", "lane": "inventory", "owner": "ops",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite"},
      "redrive_from": "prices",
      "on": {"ok": "push", "unchanged": "unchanged"}
    },
    "push": {
      "description": "make or update the Centra product, variant, size and prices",
      "action": "centra.upsert_item", "lane": "inventory", "connection": "centra", "owner": "ops",
      "retry": {"max_attempts": 40, "base_ms": 200, "cap_ms": 10000},
      "redrive_from": "prices",
      "on": {"ok": "record"}
    },
    "record": {
      "description": "remember what Centra shows; map a new SKU for orders",
      "action": "sql.record_item_push", "lane": "inventory", "owner": "engineering",
      "params": {"storefront_connection": "centra", "erp_connection": "netsuite"},
      "on": {"ok": "in_storefront"}
    },
    "in_storefront": {"terminal": true, "description": "Centra shows the item as NetSuite has it"},
    "unchanged": {"terminal": true, "description": "Centra already showed the item as NetSuite has it"}
  }
}
$spec$::jsonb);
