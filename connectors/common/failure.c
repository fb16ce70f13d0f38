#include "connectors/common/failure.h"

#include <string.h>

static const struct o2c_failure_info table[O2C_FAIL_COUNT] = {
    [O2C_FAIL_ENGINE_ERROR] = {"engine_error", "engineering", "critical", "o2c itself failed to run the step; the message says where."},
    [O2C_FAIL_WORKFLOW_ERROR] = {"workflow_error", "engineering", "high", "The pipeline definition or its params are wrong for this action."},
    [O2C_FAIL_BAD_INPUT] = {"bad_input", "engineering", "high", "The workflow context lacks a value the action needs, or holds it in the wrong shape."},
    [O2C_FAIL_CONFIGURATION] = {"configuration", "engineering", "critical", "A connection is set up wrongly (base URL, credentials variable, TLS); nothing was sent."},
    [O2C_FAIL_REMOTE_AUTH] = {"remote_auth", "engineering", "critical", "The remote system refused our credentials."},
    [O2C_FAIL_REMOTE_PERMISSION] = {"remote_permission", "engineering", "high", "The credentials work but lack a permission this call needs."},
    [O2C_FAIL_REMOTE_DATA] = {"remote_data", "engineering", "high", "The remote system answered something o2c cannot read."},
    [O2C_FAIL_REMOTE_REJECTED] = {"remote_rejected", "ops", "medium", "The remote system refused the record; its own words and field are in the message."},
    [O2C_FAIL_REJECTED_BY_NETSUITE] = {"rejected_by_netsuite", "ops", "medium", "NetSuite refused the record; its own words and field are in the message."},
    [O2C_FAIL_RETRIES_EXHAUSTED] = {"retries_exhausted", "engineering", "high", "A transient failure outlasted the retry budget."},
    [O2C_FAIL_RECORD_LOCKED] = {"record_locked", "ops", "medium", "A record stayed locked (open in the ERP by a person) past the lock budget."},
    [O2C_FAIL_LEASE_EXPIRED] = {"lease_expired", "engineering", "high", "The step kept outliving its lease; it was stopped rather than redone without end."},
    [O2C_FAIL_BAD_ORDER_DATA] = {"bad_order_data", "ops", "high", "The storefront order cannot be read or lacks what the ERP needs."},
    [O2C_FAIL_TOTAL_MISMATCH] = {"total_mismatch", "finance", "high", "The order's lines, discounts, shipping and taxes do not add up to what the shopper was charged."},
    [O2C_FAIL_UNMAPPED_SKU] = {"unmapped_sku", "ops", "high", "A storefront SKU has no ERP item in o2c.sku_map."},
    [O2C_FAIL_UNMAPPED_TAX] = {"unmapped_tax", "ops", "high", "A tax rate has no ERP tax code in o2c.tax_map."},
    [O2C_FAIL_UNMAPPED_CURRENCY] = {"unmapped_currency", "finance", "high", "A currency has no ERP currency in o2c.currency_map."},
    [O2C_FAIL_UNMAPPED_VALUE] = {"unmapped_value", "ops", "high", "A value the ERP needs has no row in a mapping table."},
    [O2C_FAIL_CANCELLED_AFTER_SHIPPING] = {"cancelled_after_shipping", "ops", "high", "The shopper cancelled units that had already shipped: stop the parcel or book a return."},
    [O2C_FAIL_PARTIAL_CANCELLATION] = {"partial_cancellation", "ops", "high", "Units of a posted order were cancelled in a way o2c does not change in the ERP by itself (fewer units on a line, or a discounted line): change the sales order by hand."},
    [O2C_FAIL_REJECTED_BY_STOREFRONT] = {"rejected_by_storefront", "cx", "high", "The storefront refused the shipment (order cancelled, more units than ordered); its own words are in the message."},
    [O2C_FAIL_REFUND_EXCEEDS_PAYMENT] = {"refund_exceeds_payment", "finance", "high", "A storefront refund is more than the shopper paid for the order (or more than is left to refund)."},
    [O2C_FAIL_UNMAPPED_ERP_LINE] = {"unmapped_erp_line", "engineering", "high", "An ERP document line has no canonical order line in o2c.erp_order_line."},
    [O2C_FAIL_ORDER_CHANGED_AFTER_POSTING] = {"order_changed_after_posting", "ops", "high", "The order changed in the store after it was posted in a way o2c does not carry to the ERP by itself (a line added): change the sales order by hand."},
    [O2C_FAIL_UNKNOWN_SETTLEMENT_LINE] = {"unknown_settlement_line", "finance", "high", "A settlement line type has no row in o2c.settlement_mapping; add one and re-drive the settlement."},
    [O2C_FAIL_INCONSISTENT_SETTLEMENT] = {"inconsistent_settlement", "finance", "high", "The settlement's lines do not add up to its stated deposit; the difference is in the message, to the cent."},
    [O2C_FAIL_DUPLICATE_SETTLEMENT] = {"duplicate_settlement", "finance", "high", "A different file carries a settlement id already imported; neither is changed until finance decides."},
    [O2C_FAIL_ITEM_UNSELLABLE] = {"item_unsellable", "ops", "high", "An ERP item cannot be offered in the storefront as it is (no price in a currency the store sells, a size the storefront does not know, no product and size to put it under): fix the item or the mapping, then re-drive."},
};

const struct o2c_failure_info *o2c_failure_info(enum o2c_failure f)
{
    return (unsigned)f < O2C_FAIL_COUNT ? &table[f] : &table[O2C_FAIL_ENGINE_ERROR];
}

enum o2c_failure o2c_failure_by_name(const char *name)
{
    for (int i = 0; name && i < O2C_FAIL_COUNT; i++)
        if (strcmp(table[i].category, name) == 0)
            return (enum o2c_failure)i;
    return O2C_FAIL_COUNT;
}
