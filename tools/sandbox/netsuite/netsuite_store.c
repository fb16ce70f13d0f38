/* NetSuite's records, in memory: every record with its internal id, external id, creation
 * sequence and times, an index by "type/id" and "type/eid:X", and stock per seed item and
 * location. The seed's customers and items (inventory, shipping and discount items) exist from
 * the start, as in a live account. */
#include "tools/sandbox/netsuite/netsuite.h"
#include "tools/sandbox/framework/money.h"

#include <json-c/linkhash.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long ns_now(void)
{
    return (long)time(NULL);
}

static void free_key(struct lh_entry *e)
{
    free(lh_entry_k(e));
}

static void index_put(ns_state *ns, const ns_type *type, const char *prefix, const char *key, ns_record *rec)
{
    size_t len = strlen(type->name) + strlen(prefix) + strlen(key) + 2;
    char *k = malloc(len);
    if (!k)
        abort();
    snprintf(k, len, "%s/%s%s", type->name, prefix, key);
    lh_table_insert(ns->index, k, rec);
}

ns_record *ns_store_find(ns_state *ns, const ns_type *type, const char *ref)
{
    char key[512];
    if (!ref || snprintf(key, sizeof key, "%s/%s", type->name, ref) >= (int)sizeof key)
        return NULL;
    void *found = NULL;
    return lh_table_lookup_ex(ns->index, key, &found) ? found : NULL;
}

static ns_record *add_with_id(ns_state *ns, const ns_type *type, const char *id,
                              const char *external_id, json_object *body)
{
    if (ns->n_records == ns->cap_records) {
        size_t cap = ns->cap_records ? ns->cap_records * 2 : 1024;
        ns_record **grown = realloc(ns->records, cap * sizeof *grown);
        if (!grown)
            abort();
        ns->records = grown;
        ns->cap_records = cap;
    }
    ns_record *rec = calloc(1, sizeof *rec);
    if (!rec)
        abort();
    rec->type = type;
    rec->id = sb_strdup(id);
    rec->external_id = external_id && *external_id ? sb_strdup(external_id) : NULL;
    rec->body = body;
    rec->seq = ++ns->next_seq;
    rec->created = rec->modified = ns_now();
    rec->seed_item = -1;
    ns->records[ns->n_records++] = rec;
    index_put(ns, type, "", rec->id, rec);
    if (rec->external_id)
        index_put(ns, type, "eid:", rec->external_id, rec);
    return rec;
}

ns_record *ns_store_add(ns_state *ns, const ns_type *type, const char *external_id, json_object *body)
{
    char id[24];
    snprintf(id, sizeof id, "%ld", ++ns->next_id);
    ns->created_by_type[type->index]++;
    return add_with_id(ns, type, id, external_id, body);
}

void ns_store_update(ns_state *ns, ns_record *rec, json_object *body)
{
    (void)ns;
    json_object_put(rec->body);
    rec->body = body;
    rec->modified = ns_now();
}

ns_stock *ns_stock_at(ns_state *ns, int item, int location)
{
    return &ns->stock[(size_t)item * ns->seed->n_locations + (size_t)location];
}

void ns_stock_adjust(ns_state *ns, int item, int location, int64_t d_on_hand, int64_t d_committed)
{
    ns_stock *s = ns_stock_at(ns, item, location);
    s->on_hand += d_on_hand;
    s->committed += d_committed;
    s->changed = ns_now();
    s->seq = ++ns->next_stock_seq;
}

static json_object *ref(const char *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(id));
    return o;
}

bool ns_store_init(ns_state *ns)
{
    const sb_seed *seed = ns->seed;
    ns->index = lh_kchar_table_new(4096, free_key);
    ns->stock = calloc(seed->n_items * seed->n_locations + 1, sizeof *ns->stock);
    if (!ns->index || !ns->stock)
        return false;
    ns->next_id = 10000; /* created records get ids above every seed id */
    ns->closed_periods = json_object_new_object();
    ns->journal_writes = json_object_new_object();

    for (size_t i = 0; i < seed->n_customers; i++) {
        const sb_customer *c = &seed->customers[i];
        json_object *b = json_object_new_object();
        json_object_object_add(b, "entityId", json_object_new_string(c->email));
        json_object_object_add(b, "isPerson", json_object_new_boolean(1));
        json_object_object_add(b, "firstName", json_object_new_string(c->first_name));
        json_object_object_add(b, "lastName", json_object_new_string(c->last_name));
        json_object_object_add(b, "email", json_object_new_string(c->email));
        json_object_object_add(b, "subsidiary", ref(seed->subsidiary_id));
        int cur = sb_seed_currency_index(seed, c->currency);
        if (cur >= 0)
            json_object_object_add(b, "currency", ref(seed->currencies[cur].netsuite_id));
        add_with_id(ns, &NS_CUSTOMER, c->netsuite_id, NULL, b);
    }
    for (size_t i = 0; i < seed->n_items; i++) {
        const sb_item *it = &seed->items[i];
        json_object *b = json_object_new_object();
        json_object_object_add(b, "itemId", json_object_new_string(it->sku));
        json_object_object_add(b, "displayName", json_object_new_string(it->name));
        json_object_object_add(b, "subsidiary", ref(seed->subsidiary_id));
        json_object_object_add(b, "isInactive", json_object_new_boolean(0));
        /* The base price level in every currency (SuiteQL table pricing, netsuite_suiteql.c). */
        json_object *pricing = json_object_new_array();
        for (size_t c = 0; c < seed->n_currencies; c++) {
            json_object *pr = json_object_new_object();
            json_object_object_add(pr, "currency", json_object_new_string(seed->currencies[c].netsuite_id));
            char amount[48];
            sb_money_format(it->price_minor[c], seed->currencies[c].exponent, amount, sizeof amount);
            json_object_object_add(pr, "unitPrice", json_object_new_string(amount));
            json_object_array_add(pricing, pr);
        }
        json_object_object_add(b, "pricing", pricing);
        ns_record *rec = add_with_id(ns, &NS_INVENTORY_ITEM, it->netsuite_item_id, NULL, b);
        rec->seed_item = (int)i;
        for (size_t l = 0; l < seed->n_locations; l++) {
            ns_stock *s = ns_stock_at(ns, (int)i, (int)l);
            s->on_hand = it->stock[l];
            s->changed = rec->created;
            s->seq = ++ns->next_stock_seq;
        }
    }
    for (size_t i = 0; i < seed->n_service_items; i++) {
        const sb_service_item *it = &seed->service_items[i];
        const ns_type *type = strcmp(it->type, "discountItem") == 0 ? &NS_DISCOUNT_ITEM : &NS_OTHER_CHARGE_ITEM;
        json_object *b = json_object_new_object();
        json_object_object_add(b, "itemId", json_object_new_string(it->item_id));
        json_object_object_add(b, "displayName", json_object_new_string(it->display_name));
        json_object_object_add(b, "subsidiary", ref(seed->subsidiary_id));
        add_with_id(ns, type, it->netsuite_id, NULL, b);
    }
    return true;
}

bool ns_period_closed(ns_state *ns, const char *tran_date)
{
    char period[8];
    if (tran_date && strlen(tran_date) >= 7) {
        memcpy(period, tran_date, 7);
    } else {
        char now[32];
        sb_iso8601((double)ns_now(), now, sizeof now);
        memcpy(period, now, 7);
    }
    period[7] = '\0';
    return json_object_object_get_ex(ns->closed_periods, period, NULL);
}

void ns_store_free(ns_state *ns)
{
    for (size_t i = 0; i < ns->n_records; i++) {
        json_object_put(ns->records[i]->body);
        free(ns->records[i]->id);
        free(ns->records[i]->external_id);
        free(ns->records[i]);
    }
    free(ns->records);
    if (ns->index)
        lh_table_free(ns->index);
    free(ns->stock);
    json_object_put(ns->closed_periods);
    json_object_put(ns->journal_writes);
}

/* ---- statistics ------------------------------------------------------------------------------ */

typedef struct dup_key { const char *type, *key; } dup_key;

static int compare_dup(const void *a, const void *b)
{
    const dup_key *x = a, *y = b;
    int c = strcmp(x->type, y->type);
    return c ? c : strcmp(x->key, y->key);
}

/* Counts records beyond the first per (type, key): the duplicates a non-idempotent client made. */
static long count_duplicates(dup_key *keys, size_t n, json_object *details, const char *what)
{
    qsort(keys, n, sizeof *keys, compare_dup);
    long extra = 0;
    for (size_t i = 1; i < n; i++) {
        if (compare_dup(&keys[i - 1], &keys[i]) != 0)
            continue;
        extra++;
        if (json_object_array_length(details) < 50 && (i < 2 || compare_dup(&keys[i - 2], &keys[i]) != 0)) {
            json_object *d = json_object_new_object();
            json_object_object_add(d, "type", json_object_new_string(keys[i].type));
            json_object_object_add(d, what, json_object_new_string(keys[i].key));
            json_object_array_add(details, d);
        }
    }
    return extra;
}

void ns_store_stats(ns_state *ns, json_object *out)
{
    json_object_object_add(out, "oversold_units", json_object_new_int64(ns->oversold_units));
    json_object *by_type = json_object_new_object(), *created = json_object_new_object();
    json_object *details = json_object_new_array();
    long counts[16] = {0};
    dup_key *eids = calloc(ns->n_records + 1, sizeof *eids);
    dup_key *refs = calloc(ns->n_records + 1, sizeof *refs);
    size_t n_eids = 0, n_refs = 0;
    for (size_t i = 0; i < ns->n_records; i++) {
        const ns_record *r = ns->records[i];
        counts[r->type->index]++;
        if (eids && r->external_id)
            eids[n_eids++] = (dup_key){r->type->name, r->external_id};
        json_object *other = NULL;
        /* Only sales orders: several returns for one storefront order are normal. */
        if (refs && r->type == &NS_SALES_ORDER && json_object_object_get_ex(r->body, "otherRefNum", &other) &&
            json_object_is_type(other, json_type_string) && *json_object_get_string(other))
            refs[n_refs++] = (dup_key){r->type->name, json_object_get_string(other)};
    }
    for (size_t t = 0; NS_TYPES[t]; t++) {
        json_object_object_add(by_type, NS_TYPES[t]->name, json_object_new_int64(counts[t]));
        json_object_object_add(created, NS_TYPES[t]->name, json_object_new_int64(ns->created_by_type[t]));
    }
    long dup_eid = eids ? count_duplicates(eids, n_eids, details, "externalId") : 0;
    long dup_ref = refs ? count_duplicates(refs, n_refs, details, "otherRefNum") : 0;
    free(eids);
    free(refs);
    json_object_object_add(out, "records_by_type", by_type);
    json_object_object_add(out, "created_by_type", created);
    json_object_object_add(out, "duplicate_external_ids", json_object_new_int64(dup_eid + dup_ref));
    json_object_object_add(out, "duplicate_order_numbers", json_object_new_int64(dup_ref));
    json_object_object_add(out, "duplicates", details);

    /* Per journal external id: records holding it (1 unless duplicated) and writes accepted. */
    json_object *journals = json_object_new_object();
    for (size_t i = 0; i < ns->n_records; i++) {
        const ns_record *r = ns->records[i];
        if (r->type != &NS_JOURNAL_ENTRY || !r->external_id)
            continue;
        json_object *j;
        if (!json_object_object_get_ex(journals, r->external_id, &j)) {
            j = json_object_new_object();
            json_object_object_add(j, "records", json_object_new_int64(0));
            json_object *w;
            int64_t writes = json_object_object_get_ex(ns->journal_writes, r->external_id, &w) ? json_object_get_int64(w) : 0;
            json_object_object_add(j, "writes", json_object_new_int64(writes));
            json_object_object_add(journals, r->external_id, j);
        }
        json_object *n;
        json_object_object_get_ex(j, "records", &n);
        json_object_object_add(j, "records", json_object_new_int64(json_object_get_int64(n) + 1));
    }
    json_object_object_add(out, "journals_by_external_id", journals);
}
