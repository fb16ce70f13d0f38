/* The catalogue both sandboxes stand on: one small brand's items in sizes, prices in three
 * currencies, tax codes, two warehouses, a few customers and GL accounts, the shipping and
 * discount items order lines use, and payment methods. Centra and NetSuite
 * read the same seed so a Centra SKU / variant / size maps to exactly one NetSuite item, the way
 * the mapping tables of a real installation would. Built in (deterministic) or loaded from a JSON
 * file (format in tools/sandbox/README.md). Read-only once loaded: safe to share across threads.
 * Money is integer minor units (exponent per currency); tax rates are basis points. */
#ifndef O2C_SANDBOX_SEED_H
#define O2C_SANDBOX_SEED_H

#include <stddef.h>
#include <stdint.h>

typedef struct sb_currency {
    char *code;          /* ISO 4217: "SEK" */
    int exponent;        /* minor-unit digits: 2 */
    char *netsuite_id;   /* NetSuite currency internal id: "1" */
} sb_currency;

typedef struct sb_tax_code {
    char *netsuite_id;   /* "10" */
    char *name;          /* "SE-VAT-25" */
    char *country;       /* ISO 3166 alpha-2: "SE"; "US" for the exempt code */
    int rate_bp;         /* 2500 = 25.00 %, 0 = exempt */
} sb_tax_code;

typedef struct sb_location {
    char *netsuite_id;          /* NetSuite location id: "1" */
    char *centra_warehouse_id;  /* Centra warehouse id: "1" */
    char *name;                 /* "Stockholm DC" */
    char *country;
} sb_location;

typedef struct sb_item {
    char *sku;                /* "NDT-TEE-012-M": product SKU + size */
    char *name;               /* "Organic Tee 014 Black M" */
    char *netsuite_item_id;   /* NetSuite inventoryItem internal id: "1042" */
    char *centra_product_id;  /* Centra product id (one per style): "14" */
    char *centra_variant_id;  /* Centra productVariant id (style+colour): "1014" */
    char *size_name;          /* Centra size name: "M" */
    int64_t *price_minor;     /* one per seed currency, same order as seed->currencies */
    int64_t *stock;           /* one per seed location, same order as seed->locations */
} sb_item;

typedef struct sb_customer {
    char *netsuite_id;   /* existing NetSuite customer id: "501" */
    char *centra_id;     /* Centra customer id: "9001" */
    char *email;
    char *first_name;
    char *last_name;
    char *country;       /* "SE" */
    char *currency;      /* "SEK" */
} sb_customer;

typedef struct sb_account {
    char *netsuite_id;   /* "10" */
    char *number;        /* "1930" */
    char *name;          /* "Bank SEB SEK" */
    char *type;          /* NetSuite account type: "Bank", "AcctRec", "Income", "Expense", ... */
} sb_account;

/* An item that is not stock: shipping charged as a line, or a discount taken off as a line. */
typedef struct sb_service_item {
    char *netsuite_id;   /* NetSuite internal id, in the same id space as inventory items: "2001" */
    char *item_id;       /* NetSuite itemId (name): "SHIPPING" */
    char *display_name;  /* "Shipping" */
    char *type;          /* NetSuite record type: "otherChargeItem" or "discountItem" */
} sb_service_item;

typedef struct sb_payment_method {
    char *netsuite_id;   /* "7" */
    char *name;          /* "Klarna" */
} sb_payment_method;

typedef struct sb_seed {
    char *brand;                 /* "Nordtrail" */
    char *subsidiary_id;         /* NetSuite subsidiary every record belongs to: "1" */
    sb_currency *currencies;  size_t n_currencies;
    sb_tax_code *tax_codes;   size_t n_tax_codes;
    sb_location *locations;   size_t n_locations;
    sb_item *items;           size_t n_items;
    sb_customer *customers;   size_t n_customers;
    sb_account *accounts;     size_t n_accounts;
    sb_service_item *service_items;     size_t n_service_items;
    sb_payment_method *payment_methods; size_t n_payment_methods;
} sb_seed;

/* The built-in catalogue; the same every time. NULL only when out of memory. */
sb_seed *sb_seed_default(void);
/* Loads a seed file; NULL with a message in err when unreadable or invalid. */
sb_seed *sb_seed_load(const char *path, char *err, size_t errlen);
void sb_seed_free(sb_seed *seed);
/* The seed in the file format sb_seed_load reads (a new json-c object; GET /_sandbox/seed). */
struct json_object *sb_seed_to_json(const sb_seed *seed);

/* Lookups (linear or indexed; NULL / -1 when absent). */
const sb_item *sb_seed_item_by_sku(const sb_seed *seed, const char *sku);
const sb_item *sb_seed_item_by_netsuite_id(const sb_seed *seed, const char *id);
const sb_item *sb_seed_item_by_centra(const sb_seed *seed, const char *variant_id, const char *size);
int sb_seed_currency_index(const sb_seed *seed, const char *code);
int sb_seed_currency_index_by_netsuite_id(const sb_seed *seed, const char *id);
int sb_seed_location_index_by_netsuite_id(const sb_seed *seed, const char *id);
int sb_seed_location_index_by_centra_id(const sb_seed *seed, const char *id);
const sb_tax_code *sb_seed_tax_code_by_netsuite_id(const sb_seed *seed, const char *id);
const sb_tax_code *sb_seed_tax_code_for_country(const sb_seed *seed, const char *country);
const sb_account *sb_seed_account_by_netsuite_id(const sb_seed *seed, const char *id);
const sb_customer *sb_seed_customer_by_netsuite_id(const sb_seed *seed, const char *id);
const sb_payment_method *sb_seed_payment_method_by_netsuite_id(const sb_seed *seed, const char *id);

#endif
