/* The Centra sandbox's internals, shared by the centra_*.c files: the store (orders, lines,
 * shipments, returns, events, stock — all money in integer minor units), the shopper that
 * places orders, the JSON renderings the GraphQL executor projects from, the resolvers and
 * mutations, the token buckets, and the service glue. One mutex guards the whole store: a
 * GraphQL request's execution runs under it from resolution to response, so each request sees
 * and changes a consistent state (mutations are atomic) — cheap enough for thousands of requests
 * per second. Parsing and validating a document happen before, outside the lock. */
#ifndef O2C_SANDBOX_CENTRA_H
#define O2C_SANDBOX_CENTRA_H

#include "tools/sandbox/graphql/graphql.h"
#include "tools/sandbox/framework/sandbox.h"

#include <pthread.h>

extern const char centra_schema_sdl[];

/* One operation may cost at most what Centra's complexity bucket holds (250,000 per 10 s): a
 * costlier one could never run. Depth: far beyond any real query (the introspection query is
 * 13 deep), near enough to refuse a document built to recurse Order → shipments → order... */
#define CENTRA_MAX_COMPLEXITY 250000
#define CENTRA_MAX_DEPTH 32

typedef enum centra_status {
    CS_PENDING, CS_CONFIRMED, CS_PROCESSING, CS_SHIPPED, CS_ARCHIVED, CS_CANCELLED
} centra_status;
const char *centra_status_name(centra_status s);

typedef struct centra_line {
    int id;
    const sb_item *item;        /* NULL: an SKU that is not in the catalogue */
    char *sku, *product_number, *product_name, *size;
    int variant_id;
    int64_t unit_original;      /* list price per unit, in the market's price basis */
    int64_t unit_price;         /* after the campaign discount */
    int quantity, cancelled, shipped, returned;
    int tax_bp;
    int64_t tax_minor;          /* tax in lineValue (included or added) */
} centra_line;

/* A refund customer service made (POST /_sandbox/orders/<number>/refund): shown on the order the
 * way Centra's Integration API shows money movements, as a paymentHistory entry of type REFUND. */
typedef struct centra_refund {
    int id;
    int64_t amount, shipping;        /* shipping is part of amount; both minor units */
    int return_id;                   /* the return whose goods it pays back; 0: none */
    char *reason;
    int64_t created_us;
} centra_refund;

typedef struct centra_order {
    int id, number;
    centra_status status;
    int64_t created_us, updated_us;  /* microseconds since the epoch (sortable, exact) */
    int currency;                    /* index into seed->currencies */
    bool tax_included;               /* EU markets: prices include VAT; US: tax added */
    char *country;
    const sb_customer *known;        /* returning seed customer, or NULL */
    int customer_id;
    char *email, *first_name, *last_name, *address1, *city, *zip;
    char *payment_uri, *payment_plugin, *payment_name;
    int payment_id;
    char *voucher;                   /* discount code, NULL when none */
    centra_line *lines;
    size_t n_lines;
    int64_t items_total, discount, shipping, shipping_tax, tax, grand_total;
    int notifications;               /* customer e-mails sent about shipments */
    int *shipment_ids;
    size_t n_shipments;
    centra_refund *refunds;
    size_t n_refunds;
} centra_order;

typedef struct centra_shipment_line { int id, order_line_id, quantity, returned; } centra_shipment_line;

typedef struct centra_shipment {
    int id, order_id;
    char number[32];
    bool good_to_go, shipped;
    int64_t created_us, shipped_us;
    char *carrier, *service, *tracking;
    centra_shipment_line *lines;
    size_t n_lines;
} centra_shipment;

typedef struct centra_return_line { int id, shipment_line_id, order_line_id, quantity; } centra_return_line;

typedef struct centra_return {
    int id, order_id, shipment_id;
    char number[32];
    char *comment;
    bool to_stock;
    int64_t shipping;                /* shipping refunded with the return (shippingCost), minor units */
    int64_t created_us;
    centra_return_line *lines;
    size_t n_lines;
} centra_return;

typedef enum centra_obj { CE_ORDER, CE_SHIPMENT, CE_RETURN } centra_obj;
typedef enum centra_change { CE_CREATED, CE_UPDATED, CE_DELETED } centra_change;

typedef struct centra_event {
    int id;
    centra_obj object;
    centra_change change;
    int object_id;
    int64_t created_us;
    bool confirmed;
} centra_event;

/* A token bucket (continuous refill). */
typedef struct centra_bucket {
    const char *type;   /* "REQUESTS_10S", "REQUESTS_1H", "MUTATIONS_10S" */
    double capacity, tokens, period_s, last;
} centra_bucket;

typedef struct centra_stock_write_entry { size_t cell; int64_t level; } centra_stock_write_entry;

/* The product catalogue (centra_products.c): one variant per product, sizes by SKU, a price per
 * product and pricelist (pricelist id = currency index + 1). */
typedef struct centra_product {
    int id, variant_id;          /* variant_id 0: no variant yet */
    char *number, *name, *description, *variant_name;
    bool active, variant_active;
} centra_product;
typedef struct centra_product_size { int id, variant_id; char *size, *sku; } centra_product_size;
typedef struct centra_price { int product_id, currency; int64_t minor; } centra_price;

typedef struct centra {
    pthread_mutex_t lock;
    const sb_seed *seed;
    gq_schema *schema;
    char *token;
    char **permissions;  /* NULL = every permission */
    size_t n_permissions;
    centra_bucket requests_10s, requests_1h, mutations_10s;

    centra_order *orders;     size_t n_orders, cap_orders;        /* index = id - 1 */
    centra_shipment *shipments; size_t n_shipments, cap_shipments; /* index = id - 1 */
    centra_return *returns;   size_t n_returns, cap_returns;       /* index = id - 1 */
    centra_event *events;     size_t n_events, cap_events;         /* index = id - 1 */
    size_t first_unconfirmed; /* events before this index are all confirmed */
    int next_line_id, next_shipment_line_id, next_return_line_id, next_customer_id;
    int next_payment_entry_id;  /* paymentHistory entry ids (refunds), one sequence per store */
    int64_t *stock;           /* [item index * n_locations + location index] */
    int64_t *allocated;       /* same cells: units allocated to unshipped orders (centra_stock.c) */
    centra_stock_write_entry *writes; size_t n_writes, cap_writes;
    centra_product *products; size_t n_products, cap_products;
    centra_product_size *product_sizes; size_t n_product_sizes, cap_product_sizes;
    centra_price *prices; size_t n_prices, cap_prices;
    int last_product_id, last_variant_id, last_size_id;
    long price_writes;
    int64_t last_us;          /* strictly increasing clock for created/updated stamps */
    uint64_t rng;             /* the shopper's generator (seeded from --random-seed) */
    double unknown_sku_rate;
    char **opnames;           /* "query orderConnection", ...: stats names that outlive a request */
    size_t n_opnames;
    /* stats */
    long duplicate_shipments, stock_writes, notifications_total, confirmed_events;
    int64_t oversold_units;
    const sb_item *flash_item;  /* set during a flash sale: every order buys one of it */
    int flash_location;
} centra;

/* ---- store (centra_store.c) ---- */
int64_t centra_now_us(centra *c);       /* strictly increasing */
centra_order *centra_order_by_id(centra *c, int id);
centra_order *centra_order_by_number(centra *c, int number);
centra_shipment *centra_shipment_by_id(centra *c, int id);
centra_return *centra_return_by_id(centra *c, int id);
centra_order *centra_new_order(centra *c);  /* zeroed, id and number assigned */
centra_shipment *centra_new_shipment(centra *c);
centra_return *centra_new_return(centra *c);
void centra_emit(centra *c, centra_obj obj, centra_change change, int object_id);
void centra_compute_totals(const sb_seed *seed, centra_order *o);
void centra_touch(centra *c, centra_order *o); /* updatedAt = now, Order UPDATED event */
int64_t *centra_stock_cell(centra *c, const sb_item *item, int location);
void centra_store_free(centra *c);

/* ---- stock (centra_stock.c): physical, allocated, oversold; callers hold c->lock ---- */
int centra_order_location(centra *c, const char *country);   /* the warehouse an order ships from */
int64_t centra_stock_available(centra *c, const sb_item *item, int location);
void centra_stock_allocate(centra *c, const sb_item *item, int location, int qty);
void centra_stock_release(centra *c, const sb_item *item, int location, int qty, bool shipped);
void centra_stock_write(centra *c, const sb_item *item, int location, int64_t level);
void centra_stock_ship(centra *c, centra_shipment *s);
json_object *centra_stock_writes_json(centra *c, const sb_item *item);
/* warehouseStock(warehouse, limit, page): one page of a warehouse's levels in catalogue order. */
json_object *centra_warehouse_stock(centra *c, int warehouse, int limit, int page, const gq_field_info *info);

/* ---- products (centra_products.c); callers hold c->lock ---- */
bool centra_products_init(centra *c);
void centra_products_free(centra *c);
centra_product *centra_product_by_id(centra *c, int id);
const centra_product *centra_product_of_sku(centra *c, const char *sku); /* NULL: no such size */
json_object *centra_products_query(centra *c, const gq_field_info *info);   /* products(where, limit, page) */
json_object *centra_product_mutation(centra *c, const gq_field_info *info, bool *handled);
json_object *centra_product_control_json(centra *c, const char *number);   /* NULL: unknown */
bool centra_product_merchandise(centra *c, const char *number, const char *description);

/* ---- shopper (centra_shop.c): the business acting through /_sandbox/ ---- */
double centra_rand(centra *c);          /* [0,1), from c->rng */
int centra_place_order(centra *c);      /* returns the new order's number */
int centra_customer_returns(centra *c, int max, json_object *created); /* appends {id, order} */
/* The payment provider captures every PENDING order's payment: they become CONFIRMED (the only
 * orders Centra lets a shipment be made for). Their numbers are added to `confirmed`. */
void centra_confirm_pending(centra *c, json_object *confirmed);
/* Cancels an order's unshipped units; 0 ok, -1 unknown, -2 nothing left to cancel. */
int centra_cancel_order(centra *c, int number);
/* Customer service refunds money of an order without goods coming back (goodwill, shipping):
 * amount and shipping (part of amount) are decimal text in the order's currency. 0 ok (*entry_id
 * set), -1 unknown order, -2 unreadable amounts, -3 the order's payment is not captured (PENDING)
 * or the refunds would exceed what was paid, -4 shipping beyond the order's shipping. */
int centra_refund_order(centra *c, int number, const char *amount, const char *shipping, const char *reason,
                        int *entry_id);
/* Customer service takes goods back and refunds them: lines [{"line": <order line id> | "sku",
 * "quantity"}] from one completed shipment become a return (shippingCost = shipping), and one
 * REFUND entry pays it back, its paramsJSON naming the return ({"returnId": N}). amount (decimal
 * text) defaults to the returned units' share of their lines' value, tax included, plus shipping.
 * 0 ok (*return_id, *entry_id set); -1 unknown order; -2 unreadable lines or amounts; -3 as
 * centra_refund_order; -4 shipping beyond the order's; -5 the units are not shipped and unreturned
 * in one shipment. */
int centra_return_goods(centra *c, int number, json_object *lines, const char *amount, const char *shipping,
                        const char *reason, int *return_id, int *entry_id);
json_object *centra_payment_history_json(centra *c, const centra_order *o, json_object *where);

/* ---- JSON renderings (centra_json.c) ---- */
json_object *centra_money(const sb_seed *seed, int currency, int64_t minor);
void centra_time(int64_t us, char *buf, size_t len);   /* "2026-11-23T10:01:06+00:00" */
json_object *centra_order_json(centra *c, const centra_order *o); /* a handle {"#id"} */
/* One field of an order (shipments/returns excepted); *known = false for other names. */
json_object *centra_order_field(centra *c, const centra_order *o, const char *field, bool *known);
json_object *centra_shipment_json(centra *c, const centra_shipment *s);
json_object *centra_return_json(centra *c, const centra_return *r);
json_object *centra_event_json(centra *c, const centra_event *e);

/* ---- queries and mutations (centra_query.c, centra_mutate.c) ---- */
typedef struct centra_request {
    centra *c;
    bool throttled;          /* set by the mutation bucket: answer 429 */
    int retry_after;
    const char *operation;   /* for stats: "query orderConnection" (points into c->opnames) */
} centra_request;
json_object *centra_resolve(const gq_field_info *info, bool *handled);
json_object *centra_query_field(centra *c, const gq_field_info *info, bool *handled);
json_object *centra_mutation_field(centra *c, const gq_field_info *info, bool *handled);
/* userErrors helpers */
void centra_user_error(json_object *errors, const char *message, const char *path_fmt, ...)
    __attribute__((format(printf, 3, 4)));
json_object *centra_payload(json_object *errors); /* {userErrors, userWarnings:[]}; takes errors */

/* ---- limits (centra_limits.c) ---- */
void centra_bucket_init(centra_bucket *b, const char *type, int capacity, double period_s);
/* Takes one token; false with the seconds to wait when empty. Capacity 0 = unlimited. */
bool centra_bucket_take(centra_bucket *b, double now, int *retry_after);
json_object *centra_bucket_json(centra_bucket *b, double now);

#endif
