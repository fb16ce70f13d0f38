-- The engine demo's pipeline: a believable order shape run by built-in actions, so the demo
-- needs no remote system. check_mapping uses core.fail to play the part of a mapping check:
-- most orders pass (fail_times 0), some are flaky (a few retries), some are throttled, and a
-- few fail for good with an owner and a message, as unmapped SKUs would.
insert into o2c.connection (name, system, max_concurrent)
values ('demo_erp', 'demo', 10)
on conflict (name) do nothing;

select o2c.define_workflow('engine_demo', $spec$
{
  "description": "engine demo: validate, check mappings, post to a rate-limited ERP, confirm",
  "initial": "validate",
  "states": {
    "validate":      {"action": "core.noop",  "lane": "orders", "on": {"ok": "check_mapping"}},
    "check_mapping": {"action": "core.fail",  "lane": "orders", "owner": "ops",
                      "retry": {"max_attempts": 5, "base_ms": 50, "cap_ms": 1000},
                      "on": {"ok": "post_to_erp"}},
    "post_to_erp":   {"action": "core.sleep", "lane": "orders", "connection": "demo_erp",
                      "on": {"ok": "confirm"}},
    "confirm":       {"action": "core.noop",  "lane": "fulfilment", "on": {"ok": "done"}},
    "done":          {"terminal": true}
  }
}
$spec$::jsonb);

-- :workflows orders; the mix is fixed by the order number so every run tells the same story.
select count(o2c.start('engine_demo', 'demo-order-' || g,
    case
        when g % 97 = 0 then jsonb_build_object('ms', 2, 'fail_as', 'failed', 'category', 'unmapped_sku',
             'owner', 'ops', 'severity', 'medium',
             'message', format('SKU DEMO-%s-XL has no ERP item: add it to the SKU map', g))
        when g % 151 = 0 then jsonb_build_object('ms', 2, 'fail_as', 'failed', 'category', 'tax_mismatch',
             'owner', 'finance', 'severity', 'high',
             'message', format('order demo-order-%s: storefront tax 25.00 differs from tax code rate', g))
        when g % 13 = 0 then jsonb_build_object('ms', 2, 'fail_as', 'retry', 'fail_times', 2,
             'message', 'HTTP 503 from the ERP')
        when g % 17 = 0 then jsonb_build_object('ms', 2, 'fail_as', 'throttled', 'fail_times', 1,
             'delay_ms', 200, 'message', 'HTTP 429 Too Many Requests')
        else jsonb_build_object('ms', 2 + g % 5, 'fail_times', 0)
    end))
  from generate_series(1, :workflows) g;
