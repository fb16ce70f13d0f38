/* Failure categories: every `failed` outcome names one. The C mirror of the SQL table
 * o2c.failure_category (sql/migrations/0004_canonical_model.sql), row for row, in the same order;
 * tests/integration/test_failure_categories.c proves they agree. Like curl's error codes: a
 * closed set, each with its owning team, default severity and one sentence for people. */
#ifndef O2C_FAILURE_H
#define O2C_FAILURE_H

enum o2c_failure {
    O2C_FAIL_ENGINE_ERROR,
    O2C_FAIL_WORKFLOW_ERROR,
    O2C_FAIL_BAD_INPUT,
    O2C_FAIL_CONFIGURATION,
    O2C_FAIL_REMOTE_AUTH,
    O2C_FAIL_REMOTE_PERMISSION,
    O2C_FAIL_REMOTE_DATA,
    O2C_FAIL_REMOTE_REJECTED,
    O2C_FAIL_REJECTED_BY_NETSUITE, /* kept for exceptions recorded before remote_rejected */
    O2C_FAIL_RETRIES_EXHAUSTED,
    O2C_FAIL_RECORD_LOCKED,
    O2C_FAIL_LEASE_EXPIRED,
    O2C_FAIL_BAD_ORDER_DATA,
    O2C_FAIL_TOTAL_MISMATCH,
    O2C_FAIL_UNMAPPED_SKU,
    O2C_FAIL_UNMAPPED_TAX,
    O2C_FAIL_UNMAPPED_CURRENCY,
    O2C_FAIL_UNMAPPED_VALUE,
    O2C_FAIL_CANCELLED_AFTER_SHIPPING,
    O2C_FAIL_PARTIAL_CANCELLATION,
    O2C_FAIL_REJECTED_BY_STOREFRONT,
    O2C_FAIL_REFUND_EXCEEDS_PAYMENT,
    O2C_FAIL_UNMAPPED_ERP_LINE,
    O2C_FAIL_ORDER_CHANGED_AFTER_POSTING,
    O2C_FAIL_UNKNOWN_SETTLEMENT_LINE,
    O2C_FAIL_INCONSISTENT_SETTLEMENT,
    O2C_FAIL_DUPLICATE_SETTLEMENT,
    O2C_FAIL_ITEM_UNSELLABLE,
    O2C_FAIL_COUNT
};

struct o2c_failure_info {
    const char *category;  /* as in o2c.failure_category.category */
    const char *owner;     /* finance, ops, cx, engineering */
    const char *severity;  /* low, medium, high, critical */
    const char *sentence;  /* what a person reads first */
};

/* The row of a category; an out-of-range value reads as engine_error. */
const struct o2c_failure_info *o2c_failure_info(enum o2c_failure f);

/* The category called `name`, or O2C_FAIL_COUNT when there is none. */
enum o2c_failure o2c_failure_by_name(const char *name);

#endif
