/* The Sage 200 sandbox (o2c-sandbox sage200): the parts of the Sage 200 API (UK, accounts/v1) o2c
 * uses, as strict as the published OpenAPI files (sop.json, sales.json, stock.json).
 *
 *   auth         Authorization: Bearer <token> plus X-Site and X-Company; any of them wrong → 401
 *                (SAGE200_TOKEN, SAGE200_SITE, SAGE200_COMPANY; defaults sandbox-sage200-token,
 *                sandbox-site, 1)
 *   collections  GET /customers, /products, /warehouses, /tax_codes, /sop_additional_charges,
 *                /sop_orders, /warehouse_holdings, /sop_order_despatch_views,
 *                /sop_order_despatch_line_views answer plain JSON arrays; GET /<collection>/{id}
 *                one entity
 *   holdings     one warehouse_holding per product × warehouse (stock.json's fields), seeded from
 *                the shared seed's stock: confirmed_qty_in_stock, quantity_allocated(_stock/_sop/
 *                _bom), quantity_reserved and the totals Sage derives (quantity_in_stock,
 *                free_stock_available, …); date_time_updated moves with every change. A new
 *                sales order allocates its lines from free stock (quantity_allocated_sop). Read-only
 *                through the API here (POST/PUT → 405): stock moves through the control path
 *   OData        $filter (eq ne gt ge lt le joined by `and`, on the entity's documented scalar
 *                fields, literals typed as the field is), $orderby, $top (≤ 5000, default 500),
 *                $skip (only with $orderby), $select; anything else → 400
 *   postings     POST /sales_credit_notes (sales.json: the tax and the nominal analysis must add up
 *                to the header's goods and tax values), POST /bank_receipt and /bank_payment
 *                (cash-book.json: nominal analysis to nominal codes that exist, gross = goods +
 *                tax) answer {"urn"} and become records of /sales_posted_transactions and
 *                /bank_posted_transactions (found by reference); a bank's balance moves with them
 *   writes       POST /customers, POST /sop_orders, PUT /customers/{id}, PUT /sop_orders/{id}
 *                answer 200 with the entity. Bodies are checked against the spec's fields: unknown
 *                or read-only fields, wrong types, more decimals than the format, a string over its
 *                maxLength, a missing required field → 400 naming the field. A customer reference
 *                is unique; ids referred to must exist; the company may require a field of every
 *                sales order (SAGE200_REQUIRED_FIELD, or the control path)
 *   totals       Sage computes an order's totals itself: a standard line's net is
 *                round(qty × price) − round(qty × unit discount), its tax round(net × rate of its
 *                tax code); a charge line's net is round(qty × price), tax likewise
 *   locks        a record "open in the desktop client" (control path) refuses writes with a 400
 *                saying it is in use by the user, as Sage answers; an order for a customer in use
 *                is refused the same way
 *   errors       {"Message": words, "ModelState": {"<field>": [words]}} (ASP.NET Web API shape)
 *
 * Control paths (/_sandbox/...):
 *   GET  /_sandbox/sage200/catalogue                     products, tax codes, warehouses, charges (for mappings)
 *   GET  /_sandbox/records/<collection>        every entity of a collection, creation order
 *   POST /_sandbox/sage200/lock                {"collection","id","user"}: opened in the desktop client
 *   POST /_sandbox/sage200/release             {"collection","id"}: closed again
 *   POST /_sandbox/sage200/tunnel              {"down": true|false}: every API call answers 504
 *   POST /_sandbox/sage200/lose_answers        {"rate": 0..1} or {"count": N}: a create that succeeded
 *                                              is held fault_timeout_ms, then answered 504 (the
 *                                              answer is lost; the record exists)
 *   POST /_sandbox/sage200/settings            {"required_field": "analysis_code_1"|null}
 *   POST /_sandbox/sage200/despatch            {"customer_document_no"|"sop_order_id", "lines":
 *                                              [{"line", "quantity"}] (absent: all left), "courier",
 *                                              "consignment_no"}: the warehouse despatches; read
 *                                              through GET /sop_order_despatch_views and
 *                                              /sop_order_despatch_line_views (newest first)
 *   POST /_sandbox/sage200/holdings            {"changes":[{"sku"|"product_id", "warehouse_id",
 *                                              "confirmed": N (absolute) | "goods_in": ±N |
 *                                              "allocate": ±N (another channel allocates / releases)
 *                                              | "reserve": ±N}]} or {"count": N} (random goods in
 *                                              and allocations): answers {"changed": [holdings]}
 * Stats: records.<collection>, duplicate_customer_document_nos (orders beyond the first per
 * customer_document_no), locked_refusals, tunnel_refusals, lost_answers (lost_order_answers: of them,
 * sales orders), refused_writes (bodies that are no JSON object, or that the spec's fields or
 * Sage's rules refused: a client that obeys the spec keeps it at 0), existing_key_refusals (a
 * customer created with a reference that exists). */
#ifndef O2C_SANDBOX_SAGE200_H
#define O2C_SANDBOX_SAGE200_H

#include "tools/sandbox/framework/sandbox.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* ---- the spec's fields (sage200_schema.c, generated from the OpenAPI files) ------------------ */

typedef enum sg_kind { SG_STRING, SG_DATE, SG_INTEGER, SG_NUMBER, SG_BOOLEAN, SG_OTHER } sg_kind;

struct sg_entity;

typedef struct sg_field {
    const char *name;
    sg_kind kind;
    int max_length;   /* 0 = none */
    int decimals;     /* -1 = not a decimal */
    bool read_only;
    bool required;
    const struct sg_entity *items; /* an array whose items the spec describes: their fields */
} sg_field;

typedef struct sg_entity {
    const char *name;
    const sg_field *fields; /* ends with name NULL */
} sg_entity;

extern const sg_entity sg_sop_order_entity, sg_sop_order_line_entity, sg_customer_entity, sg_product_entity,
    sg_warehouse_holding_entity, sg_sop_order_despatch_view_entity, sg_sop_order_despatch_line_view_entity,
    sg_sales_credit_note_entity, sg_sales_posted_transaction_entity, sg_bank_receipt_entity, sg_bank_payment_entity,
    sg_bank_posted_transaction_entity;

const sg_field *sg_field_find(const sg_entity *e, const char *name);
/* A body against the entity's fields (sage200_store.c): unknown or read-only fields, wrong types,
 * decimals, maxLength, missing required fields (but those in not_required, NULL-terminated, may
 * be NULL), and the items of arrays the spec describes → false with a 400 naming the field.
 * prefix: "" or the path of a nested item ("lines[3]."). */
bool sg_check_body(const sg_entity *e, json_object *body, const char *prefix, const char *const *not_required,
                   sb_response *res);

/* ---- state ------------------------------------------------------------------------------------ */

enum sg_collection { SG_CUSTOMERS, SG_PRODUCTS, SG_WAREHOUSES, SG_TAX_CODES, SG_CHARGES, SG_SOP_ORDERS,
                     SG_WAREHOUSE_HOLDINGS, SG_DESPATCH_VIEWS, SG_DESPATCH_LINE_VIEWS, SG_SALES_POSTED, SG_BANKS,
                     SG_BANK_POSTED, SG_NOMINAL_CODES,
                     /* write-only: a POST posts a transaction into SG_SALES_POSTED or SG_BANK_POSTED */
                     SG_CREDIT_NOTES, SG_BANK_RECEIPTS, SG_BANK_PAYMENTS, SG_N_COLLECTIONS };

typedef struct sg_state {
    const sb_options *opts;
    pthread_mutex_t lock;
    char *token, *site, *company;
    json_object *records[SG_N_COLLECTIONS]; /* arrays of entities */
    json_object *locks;                     /* "<collection>/<id>" → user */
    int64_t next_id;
    bool tunnel_down;
    double lose_rate;
    int lose_count;
    char required_field[64];
    long locked_refusals, tunnel_refusals, lost_answers, lost_order_answers;
    long refused_writes; /* creates and updates refused for their body or what it names (not locks) */
    long existing_key_refusals; /* creates refused because the reference exists (a race, not a bad body) */
    long deleted_orders;        /* sales orders deleted through the API */
} sg_state;

const char *sg_collection_name(enum sg_collection c);
int sg_collection_by_name(const char *name); /* -1 when unknown */
/* The schema entities are filtered by; NULL for collections without one in the spec files o2c
 * holds (warehouses, tax codes, charges): their documented fields are listed in sage200_store.c. */
const sg_entity *sg_collection_entity(enum sg_collection c);

bool sg_store_init(sg_state *sg);
void sg_store_free(sg_state *sg);

/* Errors in Sage's shape. field may be NULL. */
void sg_error(sb_response *res, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Collection GETs with OData options (sage200_odata.c). Caller holds sg->lock. */
void sg_odata_list(sg_state *sg, enum sg_collection c, const sb_request *req, sb_response *res);

/* Writes (sage200_store.c). Caller holds sg->lock. Answer the entity, or an error. Return true
 * when a record was created or changed. */
bool sg_create(sg_state *sg, enum sg_collection c, json_object *body, sb_response *res);
bool sg_update(sg_state *sg, enum sg_collection c, int64_t id, json_object *body, sb_response *res);
/* DELETE /sop_orders/{id}: refused while a user has the order open (in use, counted as a lock) or
 * once anything of it was despatched; else the order is gone and its allocation given back. */
bool sg_delete(sg_state *sg, enum sg_collection c, int64_t id, sb_response *res);
json_object *sg_find(sg_state *sg, enum sg_collection c, int64_t id);
/* The user holding a record open in the desktop client, or NULL. */
const char *sg_locked_by(sg_state *sg, enum sg_collection c, int64_t id);

void sg_store_stats(sg_state *sg, json_object *out);
json_object *sg_seed_json(sg_state *sg);

bool sg_control(sg_state *sg, const sb_request *req, sb_response *res);

/* Postings (sage200_postings.c). Caller holds sg->lock. POST /sales_credit_notes, /bank_receipt,
 * /bank_payment: checked against the spec and Sage's rules, then a posted transaction; answers
 * {"urn"}. True when posted. */
bool sg_post(sg_state *sg, enum sg_collection c, json_object *body, sb_response *res);
/* Banks and nominal codes, seeded (the bank accounts o2c posts through; the seed's chart). */
void sg_postings_init(sg_state *sg);
/* Stats: duplicate_credit_note_references, duplicate_bank_references (postings beyond the first
 * per reference: what exactly-once keeps at 0). */
void sg_postings_stats(sg_state *sg, json_object *out);

/* POST /_sandbox/sage200/despatch (sage200_despatch.c). Caller holds sg->lock. */
bool sg_despatch(sg_state *sg, json_object *body, sb_response *res);

/* Warehouse holdings (sage200_holdings.c). Caller holds sg->lock. */
void sg_holdings_init(sg_state *sg);
/* Applies {"changes":[…]} or {"count":N} (see the control paths above); false with an error
 * answered when a change names no holding or would go below zero (nothing is changed then). */
bool sg_holdings_change(sg_state *sg, json_object *body, sb_response *res);
/* A new sales order allocates its standard lines' quantities from the holdings' free stock
 * (quantity_allocated_sop), as a company with automatic allocation does; no more than is free. */
void sg_holdings_allocate_order(sg_state *sg, json_object *order);
/* A deleted sales order gives back what its lines hold (allocated_quantity). */
void sg_holdings_release_order(sg_state *sg, json_object *order);

#endif
