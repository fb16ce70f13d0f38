/* The NetSuite sandbox's internals, shared by its files:
 *   netsuite_service.c   sb_service glue: routing, faults, stats
 *   netsuite_errors.c    NetSuite's error body
 *   netsuite_auth.c      token-based auth (OAuth 1.0a HMAC-SHA256) and the nonce replay cache
 *   netsuite_store.c     records in memory: ids, external ids, creation order, stock per location
 *   netsuite_validate.c  request bodies: known fields, types, references, journal balance
 *   netsuite_records.c   the record API: create, get, patch, upsert, transform
 *   netsuite_orders.c    sales order lines: what is left to ship, committed stock, closing, status
 *   netsuite_suiteql.c   the SuiteQL subset the connectors use, with paging
 *   netsuite_control.c   /_sandbox/ paths: records, locks, warehouse fulfilments, stock changes
 *   netsuite_returns.c   return, credit and refund rules; the warehouse receiving returned goods
 * One mutex guards the store; handlers take it for the whole of one request's work, so every
 * request sees and leaves a consistent store (NetSuite commits a record atomically too). */
#ifndef O2C_SANDBOX_NETSUITE_H
#define O2C_SANDBOX_NETSUITE_H

#include "tools/sandbox/framework/sandbox.h"

#include <pthread.h>

#define NS_RECORD_PREFIX "/services/rest/record/v1/"
#define NS_SUITEQL_PATH "/services/rest/query/v1/suiteql"

/* What a body field holds; references say which kind of record they point at. */
typedef enum ns_field_kind { F_STRING, F_DATE, F_BOOL, F_NUMBER, F_REF, F_SUBLIST, F_ADDRESS } ns_field_kind;
typedef enum ns_ref_kind {
    R_NONE, R_CUSTOMER, R_ITEM, R_LOCATION, R_CURRENCY, R_TAX_CODE, R_SUBSIDIARY, R_ACCOUNT,
    R_SALES_ORDER, R_RETURN_AUTHORIZATION, R_SALES_ORDER_LINE, R_CREDIT_MEMO,
    R_DISCOUNT_ITEM, R_PAYMENT_METHOD,
} ns_ref_kind;

typedef struct ns_field {
    const char *name;
    ns_field_kind kind;
    ns_ref_kind ref;               /* F_REF */
    const struct ns_field *line;   /* F_SUBLIST: the fields of one line (NULL-name terminated) */
    bool required;                 /* on create */
} ns_field;

/* A record type the sandbox knows. */
typedef struct ns_type {
    const char *name;           /* "salesOrder" (URL segment) */
    const char *tran_code;      /* SuiteQL transaction.type: "SalesOrd"; NULL for non-transactions */
    const ns_field *fields;     /* body fields accepted (NULL-name terminated) */
    const char *custom_prefix;  /* custom fields accepted by prefix: "custbody", "custentity", "custitem" */
    int index;                  /* position in NS_TYPES */
} ns_type;

/* Finds a field of a NULL-name terminated list. */
const ns_field *ns_field_find(const ns_field *fields, const char *name);

const ns_type *ns_type_by_name(const char *name);
extern const ns_type NS_CUSTOMER, NS_SALES_ORDER, NS_ITEM_FULFILLMENT, NS_RETURN_AUTHORIZATION,
    NS_CREDIT_MEMO, NS_JOURNAL_ENTRY, NS_INVENTORY_ITEM, NS_OTHER_CHARGE_ITEM, NS_DISCOUNT_ITEM,
    NS_CUSTOMER_DEPOSIT, NS_ITEM_RECEIPT, NS_CUSTOMER_REFUND;
extern const ns_type *const NS_TYPES[]; /* NULL-terminated */

typedef struct ns_record {
    const ns_type *type;
    char *id;
    char *external_id;     /* NULL when none */
    json_object *body;     /* stored fields, without id/links */
    long seq;              /* global creation order, 1, 2, 3 … */
    long created, modified; /* whole seconds, as NetSuite keeps them */
    int seed_item;         /* inventoryItem from the seed: index in seed->items, else -1 */
    int forced_locks;      /* next writes refused with forced_lock_code */
    char forced_lock_code[32];
} ns_record;

/* Stock per seed item and location: on hand, committed to open orders, last change time. */
typedef struct ns_stock {
    int64_t on_hand, committed;
    long changed;
    long seq;  /* order of the last change, for stable paging of stock changes */
} ns_stock;

typedef struct ns_state {
    const sb_options *opts;
    const sb_seed *seed;
    char *realm;

    pthread_mutex_t lock;  /* guards everything below */
    ns_record **records;
    size_t n_records, cap_records;
    struct lh_table *index;  /* "type/id" and "type/eid:X" → ns_record* */
    long next_id, next_seq, next_stock_seq;
    long oversold_units;     /* units sales orders committed beyond on hand (stats) */
    ns_stock *stock;         /* seed->n_items × seed->n_locations */
    long created_by_type[16];
    bool duplicate_email;    /* duplicate detection: a new customer whose email (any case) another
                                customer has is refused DUP_RCRD (/_sandbox/netsuite/settings) */
    json_object *closed_periods;  /* "YYYY-MM" → true: accounting periods closed to posting
                                     (/_sandbox/netsuite/settings {"closed_periods": [...]}) */
    json_object *journal_writes;  /* journalEntry external id → accepted creates and updates, for
                                     stats (journals_by_external_id) */

    pthread_mutex_t nonce_lock;
    struct lh_table *nonces[3]; /* generations of seen nonces, rotated every 300 s */
    long nonce_generation_start;
} ns_state;

/* ---- errors (netsuite_errors.c) ---- */
/* Writes NetSuite's error body: {"type","title","status","o:errorDetails":[{detail,o:errorCode[,o:errorPath]}]}. */
void ns_error(sb_response *res, int status, const char *code, const char *path, const char *detail_fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- auth (netsuite_auth.c) ---- */
/* True when the request carries a valid TBA signature; otherwise answers 401 INVALID_LOGIN. */
bool ns_auth_check(ns_state *ns, const sb_request *req, sb_response *res);
void ns_auth_init(ns_state *ns);
void ns_auth_free(ns_state *ns);

/* ---- store (netsuite_store.c; callers hold ns->lock) ---- */
bool ns_store_init(ns_state *ns);
void ns_store_free(ns_state *ns);
/* Looks a record up by "123" or "eid:VALUE" (VALUE percent-decoded by the caller). */
ns_record *ns_store_find(ns_state *ns, const ns_type *type, const char *ref);
/* Adds a record (takes body), assigning id, seq and times. */
ns_record *ns_store_add(ns_state *ns, const ns_type *type, const char *external_id, json_object *body);
/* Replaces a record's body (takes it) and bumps its modified time. */
void ns_store_update(ns_state *ns, ns_record *rec, json_object *body);
long ns_now(void);
/* Stock of seed item i at location index l; adjusts and stamps the change time. */
ns_stock *ns_stock_at(ns_state *ns, int item, int location);
void ns_stock_adjust(ns_state *ns, int item, int location, int64_t d_on_hand, int64_t d_committed);
/* Fills stats: records_by_type, created_by_type, duplicate_external_ids (+ details),
 * journals_by_external_id {eid: {"records": n, "writes": n}}. */
void ns_store_stats(ns_state *ns, json_object *out);

/* An item of any kind (inventoryItem, otherChargeItem, discountItem) by "123" or "eid:X"; an
 * order line's item reference resolves through this (netsuite_types.c; callers hold ns->lock). */
ns_record *ns_find_item(ns_state *ns, const char *ref);

/* ---- sales order lines (netsuite_orders.c; callers hold ns->lock) ---- */
int64_t ns_whole_quantity(json_object *q);
ns_record *ns_line_item(ns_state *ns, json_object *line);  /* the line's item record, or NULL */
bool ns_line_is_discount(ns_state *ns, json_object *line);
bool ns_line_is_closed(json_object *line);
/* Units still to ship: quantity − quantityFulfilled of an open inventory line; 0 for a closed
 * line and for shipping and discount lines, which never ship. */
int64_t ns_line_open_quantity(ns_state *ns, json_object *line);
/* The seed location index a line ships from: its own location, else the header's, else the first. */
int ns_line_location(ns_state *ns, json_object *line, json_object *header);
bool ns_order_has_open_lines(ns_state *ns, json_object *order);
/* Commits what `after` holds back minus what `before` held back (either may be NULL). */
void ns_order_commit_stock(ns_state *ns, json_object *before, json_object *after);
/* On create: line = 1, 2, …, quantityFulfilled = 0, isClosed = false unless given. */
void ns_order_number_lines(json_object *order);
/* A patch re-sent the item sublist (`after`, validated): lines naming an existing `line` keep its
 * quantityFulfilled (and isClosed unless given), new lines get the next numbers. Answers 400 and
 * returns false for an unknown or repeated line, a fulfilled line removed, re-itemed or cut below
 * what shipped. */
bool ns_order_merge_lines(ns_state *ns, json_object *before, json_object *after, sb_response *res);
/* orderStatus after lines changed: "Closed" when every line is closed; reopened → as fulfilled. */
void ns_order_status_after_edit(ns_state *ns, json_object *order);
/* orderStatus after a fulfilment: "Partially Fulfilled" or "Pending Billing". */
void ns_order_status_after_fulfilment(ns_state *ns, json_object *order);

/* ---- validation (netsuite_validate.c; callers hold ns->lock) ---- */
/* Checks a body for `type` (unknown fields, types, references, lines, balance). full = a
 * create (required fields enforced); false = a patch. Answers 400 and returns false on error. */
bool ns_validate(ns_state *ns, const ns_type *type, json_object *body, bool full, sb_response *res);
/* Sets amount on every line of item.items (rate × quantity when absent), tax1Amt on every line
 * with a taxCode (amount × rate when absent; a given tax1Amt is the line's tax) and the header's
 * subtotal, taxTotal (Σ tax1Amt) and total (subtotal + shippingCost + taxTotal), in the record's
 * currency, exactly. */
void ns_compute_totals(ns_state *ns, json_object *body);
/* A valid external id: 1..... letters, digits, '_' and '-'. */
bool ns_valid_external_id(const char *s);
/* True when the accounting period of a tranDate ("YYYY-MM-DD"; NULL = today) is closed. */
bool ns_period_closed(ns_state *ns, const char *tran_date);
/* The seed item index behind an inventoryItem reference id, or -1. */
int ns_item_index(ns_state *ns, const char *item_id);

/* ---- record API (netsuite_records.c) ---- */
const char *ns_records_handle(ns_state *ns, const sb_request *req, sb_response *res);
/* Fulfils a sales order (shared with the warehouse control path): every open unit of its open
 * inventory lines, or the client's item.items[{orderLine (a line's `line`), quantity}]; closed,
 * shipping and discount lines are skipped. Nothing to ship → 400 USER_ERROR. */
ns_record *ns_fulfil(ns_state *ns, ns_record *so, json_object *overrides, const char *carrier,
                     const char *tracking, sb_response *res);
/* Renders a record as GET answers it. */
json_object *ns_record_json(ns_state *ns, const ns_record *rec, const char *base_url, bool expand);

/* ---- SuiteQL (netsuite_suiteql.c) ---- */
const char *ns_suiteql_handle(ns_state *ns, const sb_request *req, sb_response *res);

/* ---- control (netsuite_control.c) ---- */
bool ns_control(ns_state *ns, const sb_request *req, sb_response *res);
/* POST /_sandbox/warehouse/ship: partial and split fulfilments with parcels (netsuite_fulfil.c). */
bool ns_warehouse_control(ns_state *ns, const sb_request *req, sb_response *res);

/* ---- returns (netsuite_returns.c; the rules and the warehouse's receipts) ---- */
/* salesOrder → returnAuthorization: replaces overrides' item lines with the authorization's (from
 * the order's lines); false (answered 400) when more would come back than was fulfilled. */
bool ns_return_lines(ns_state *ns, ns_record *so, json_object *overrides, sb_response *res);
/* returnAuthorization → creditMemo: false (answered 400) when it would credit more than the
 * authorization less what was credited from it before. */
bool ns_credit_check(ns_state *ns, ns_record *ra, json_object *overrides, sb_response *res);
/* A new customerRefund: false (answered 400) when an applied credit memo is another customer's or
 * has less left to refund. */
bool ns_refund_check(ns_state *ns, json_object *body, sb_response *res);
/* POST /_sandbox/netsuite/receive (takes ns->lock itself). */
bool ns_returns_control(ns_state *ns, const sb_request *req, sb_response *res);

#endif
