/* The record types of the NetSuite sandbox and the body fields each accepts. A field not listed
 * here (and not a custom field of the type's prefix) is NONEXISTENT_FIELD, as in NetSuite. */
#include "tools/sandbox/netsuite/netsuite.h"

#include <string.h>

static const ns_field ADDRESS_BOOK_LINE[] = {
    {"defaultBilling", F_BOOL}, {"defaultShipping", F_BOOL}, {"label", F_STRING},
    {"addressBookAddress", F_ADDRESS}, {NULL},
};

static const ns_field CUSTOMER_FIELDS[] = {
    {"externalId", F_STRING}, {"entityId", F_STRING}, {"isPerson", F_BOOL},
    {"firstName", F_STRING}, {"lastName", F_STRING}, {"companyName", F_STRING},
    {"email", F_STRING}, {"phone", F_STRING}, {"subsidiary", F_REF, R_SUBSIDIARY},
    {"currency", F_REF, R_CURRENCY}, {"comments", F_STRING},
    {"addressBook", F_SUBLIST, R_NONE, ADDRESS_BOOK_LINE}, {NULL},
};

static const ns_field ORDER_LINE[] = {
    {"item", F_REF, R_ITEM, NULL, true}, {"quantity", F_NUMBER, R_NONE, NULL, true},
    {"rate", F_NUMBER}, {"amount", F_NUMBER}, {"taxCode", F_REF, R_TAX_CODE},
    {"location", F_REF, R_LOCATION}, {"description", F_STRING}, {"isClosed", F_BOOL},
    {"tax1Amt", F_NUMBER},
    /* read-only: the sandbox sets them, and accepts them back from a client that re-sends what it read */
    {"line", F_NUMBER}, {"quantityFulfilled", F_NUMBER}, {NULL},
};

static const ns_field SALES_ORDER_FIELDS[] = {
    {"externalId", F_STRING}, {"entity", F_REF, R_CUSTOMER, NULL, true}, {"tranDate", F_DATE},
    {"tranId", F_STRING}, {"currency", F_REF, R_CURRENCY}, {"exchangeRate", F_NUMBER},
    {"otherRefNum", F_STRING}, {"memo", F_STRING}, {"subsidiary", F_REF, R_SUBSIDIARY},
    {"location", F_REF, R_LOCATION}, {"shipDate", F_DATE}, {"shippingCost", F_NUMBER},
    {"shippingAddress", F_ADDRESS}, {"billingAddress", F_ADDRESS},
    {"discountItem", F_REF, R_DISCOUNT_ITEM}, {"discountRate", F_NUMBER}, {"email", F_STRING},
    {"paymentMethod", F_REF, R_PAYMENT_METHOD},
    {"orderStatus", F_STRING}, {"item", F_SUBLIST, R_NONE, ORDER_LINE, true}, {NULL},
};

static const ns_field FULFILMENT_LINE[] = {
    {"orderLine", F_NUMBER}, {"item", F_REF, R_ITEM}, {"quantity", F_NUMBER},
    {"location", F_REF, R_LOCATION}, {"itemReceive", F_BOOL}, {NULL},
};

static const ns_field PACKAGE_LINE[] = {
    {"packageTrackingNumber", F_STRING}, {"packageWeight", F_NUMBER}, {"packageDescr", F_STRING}, {NULL},
};

static const ns_field FULFILMENT_FIELDS[] = {
    {"externalId", F_STRING}, {"createdFrom", F_REF, R_SALES_ORDER, NULL, true},
    {"entity", F_REF, R_CUSTOMER}, {"tranDate", F_DATE}, {"memo", F_STRING},
    {"shipStatus", F_STRING}, {"shipCarrier", F_STRING},
    {"package", F_SUBLIST, R_NONE, PACKAGE_LINE}, {"item", F_SUBLIST, R_NONE, FULFILMENT_LINE}, {NULL},
};

/* A return authorization's line: orderLine is the sales order's line it returns (a transform
 * fills item, taxCode and location from it); quantityReceived is set by item receipts. */
static const ns_field RETURN_LINE[] = {
    {"item", F_REF, R_ITEM}, {"quantity", F_NUMBER, R_NONE, NULL, true},
    {"rate", F_NUMBER}, {"amount", F_NUMBER}, {"taxCode", F_REF, R_TAX_CODE},
    {"location", F_REF, R_LOCATION}, {"description", F_STRING}, {"tax1Amt", F_NUMBER},
    {"orderLine", F_NUMBER}, {"line", F_NUMBER}, {"quantityReceived", F_NUMBER}, {NULL},
};

static const ns_field RETURN_FIELDS[] = {
    {"externalId", F_STRING}, {"entity", F_REF, R_CUSTOMER, NULL, true},
    {"createdFrom", F_REF, R_SALES_ORDER}, {"tranDate", F_DATE}, {"currency", F_REF, R_CURRENCY},
    {"otherRefNum", F_STRING}, {"memo", F_STRING}, {"location", F_REF, R_LOCATION},
    {"subsidiary", F_REF, R_SUBSIDIARY}, {"orderStatus", F_STRING},
    {"item", F_SUBLIST, R_NONE, RETURN_LINE, true}, {NULL},
};

/* The goods of a return authorization received back into a location (the warehouse). */
static const ns_field RECEIPT_LINE[] = {
    {"orderLine", F_NUMBER}, {"item", F_REF, R_ITEM}, {"quantity", F_NUMBER},
    {"location", F_REF, R_LOCATION}, {"itemReceive", F_BOOL}, {NULL},
};

static const ns_field RECEIPT_FIELDS[] = {
    {"externalId", F_STRING}, {"createdFrom", F_REF, R_RETURN_AUTHORIZATION, NULL, true},
    {"entity", F_REF, R_CUSTOMER}, {"tranDate", F_DATE}, {"memo", F_STRING},
    {"currency", F_REF, R_CURRENCY}, {"subsidiary", F_REF, R_SUBSIDIARY},
    {"item", F_SUBLIST, R_NONE, RECEIPT_LINE}, {NULL},
};

/* Money paid back to a customer from an account, applied to credit memos. */
static const ns_field REFUND_APPLY_LINE[] = {
    {"doc", F_REF, R_CREDIT_MEMO, NULL, true}, {"apply", F_BOOL}, {"amount", F_NUMBER, R_NONE, NULL, true}, {NULL},
};

static const ns_field CUSTOMER_REFUND_FIELDS[] = {
    {"externalId", F_STRING}, {"customer", F_REF, R_CUSTOMER, NULL, true},
    {"account", F_REF, R_ACCOUNT, NULL, true}, {"tranDate", F_DATE}, {"currency", F_REF, R_CURRENCY},
    {"subsidiary", F_REF, R_SUBSIDIARY}, {"paymentMethod", F_REF, R_PAYMENT_METHOD}, {"memo", F_STRING},
    {"apply", F_SUBLIST, R_NONE, REFUND_APPLY_LINE, true}, {NULL},
};

static const ns_field CREDIT_MEMO_FIELDS[] = {
    {"externalId", F_STRING}, {"entity", F_REF, R_CUSTOMER, NULL, true},
    {"createdFrom", F_REF, R_RETURN_AUTHORIZATION}, {"tranDate", F_DATE},
    {"currency", F_REF, R_CURRENCY}, {"otherRefNum", F_STRING}, {"memo", F_STRING},
    {"location", F_REF, R_LOCATION}, {"subsidiary", F_REF, R_SUBSIDIARY},
    {"account", F_REF, R_ACCOUNT}, {"item", F_SUBLIST, R_NONE, ORDER_LINE, true}, {NULL},
};

static const ns_field JOURNAL_LINE[] = {
    {"account", F_REF, R_ACCOUNT, NULL, true}, {"debit", F_NUMBER}, {"credit", F_NUMBER},
    {"memo", F_STRING}, {"entity", F_REF, R_CUSTOMER}, {"location", F_REF, R_LOCATION}, {NULL},
};

static const ns_field JOURNAL_FIELDS[] = {
    {"externalId", F_STRING}, {"subsidiary", F_REF, R_SUBSIDIARY, NULL, true},
    {"tranDate", F_DATE}, {"currency", F_REF, R_CURRENCY}, {"exchangeRate", F_NUMBER},
    {"memo", F_STRING}, {"approved", F_BOOL}, {"reversalDate", F_DATE},
    {"line", F_SUBLIST, R_NONE, JOURNAL_LINE, true}, {NULL},
};

/* A customer's payment received against a sales order (customerDeposit): payment is the amount,
 * account where the money went (undepFunds false: an account must be named). */
static const ns_field DEPOSIT_FIELDS[] = {
    {"externalId", F_STRING}, {"customer", F_REF, R_CUSTOMER, NULL, true},
    {"salesOrder", F_REF, R_SALES_ORDER, NULL, true}, {"payment", F_NUMBER, R_NONE, NULL, true},
    {"account", F_REF, R_ACCOUNT, NULL, true}, {"undepFunds", F_BOOL}, {"tranDate", F_DATE},
    {"currency", F_REF, R_CURRENCY}, {"exchangeRate", F_NUMBER}, {"subsidiary", F_REF, R_SUBSIDIARY},
    {"paymentMethod", F_REF, R_PAYMENT_METHOD}, {"memo", F_STRING}, {NULL},
};

static const ns_field ITEM_FIELDS[] = {
    {"externalId", F_STRING}, {"itemId", F_STRING, R_NONE, NULL, true}, {"displayName", F_STRING},
    {"description", F_STRING}, {"subsidiary", F_REF, R_SUBSIDIARY}, {NULL},
};

const ns_type NS_CUSTOMER = {"customer", NULL, CUSTOMER_FIELDS, "custentity", 0};
const ns_type NS_SALES_ORDER = {"salesOrder", "SalesOrd", SALES_ORDER_FIELDS, "custbody", 1};
const ns_type NS_ITEM_FULFILLMENT = {"itemFulfillment", "ItemShip", FULFILMENT_FIELDS, "custbody", 2};
const ns_type NS_RETURN_AUTHORIZATION = {"returnAuthorization", "RtnAuth", RETURN_FIELDS, "custbody", 3};
const ns_type NS_CREDIT_MEMO = {"creditMemo", "CustCred", CREDIT_MEMO_FIELDS, "custbody", 4};
const ns_type NS_JOURNAL_ENTRY = {"journalEntry", "Journal", JOURNAL_FIELDS, "custbody", 5};
const ns_type NS_INVENTORY_ITEM = {"inventoryItem", NULL, ITEM_FIELDS, "custitem", 6};
const ns_type NS_OTHER_CHARGE_ITEM = {"otherChargeItem", NULL, ITEM_FIELDS, "custitem", 7};
const ns_type NS_DISCOUNT_ITEM = {"discountItem", NULL, ITEM_FIELDS, "custitem", 8};
const ns_type NS_CUSTOMER_DEPOSIT = {"customerDeposit", "CustDep", DEPOSIT_FIELDS, "custbody", 9};
const ns_type NS_ITEM_RECEIPT = {"itemReceipt", "ItemRcpt", RECEIPT_FIELDS, "custbody", 10};
const ns_type NS_CUSTOMER_REFUND = {"customerRefund", "CustRfnd", CUSTOMER_REFUND_FIELDS, "custbody", 11};

const ns_type *const NS_TYPES[] = {
    &NS_CUSTOMER, &NS_SALES_ORDER, &NS_ITEM_FULFILLMENT, &NS_RETURN_AUTHORIZATION,
    &NS_CREDIT_MEMO, &NS_JOURNAL_ENTRY, &NS_INVENTORY_ITEM, &NS_OTHER_CHARGE_ITEM,
    &NS_DISCOUNT_ITEM, &NS_CUSTOMER_DEPOSIT, &NS_ITEM_RECEIPT, &NS_CUSTOMER_REFUND, NULL,
};

/* The kinds of item an order line may name; they share one internal id space. */
static const ns_type *const ITEM_TYPES[] = {&NS_INVENTORY_ITEM, &NS_OTHER_CHARGE_ITEM, &NS_DISCOUNT_ITEM, NULL};

ns_record *ns_find_item(ns_state *ns, const char *ref)
{
    for (size_t i = 0; ref && ITEM_TYPES[i]; i++) {
        ns_record *rec = ns_store_find(ns, ITEM_TYPES[i], ref);
        if (rec)
            return rec;
    }
    return NULL;
}

const ns_type *ns_type_by_name(const char *name)
{
    for (size_t i = 0; NS_TYPES[i]; i++)
        if (strcmp(NS_TYPES[i]->name, name) == 0)
            return NS_TYPES[i];
    return NULL;
}

const ns_field *ns_field_find(const ns_field *fields, const char *name)
{
    for (; fields && fields->name; fields++)
        if (strcmp(fields->name, name) == 0)
            return fields;
    return NULL;
}
