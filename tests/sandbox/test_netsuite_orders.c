/* Sales orders as an order-to-cash integration posts them, over real HTTP: the storefront's line
 * tax (tax1Amt) kept to the cent, shipping and discount lines of non-inventory items, payment
 * methods, and closing a cancelled order's lines (stock released, status Closed, fulfilment
 * refused), also after a partial fulfilment. Stock is read back through SuiteQL. */
#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC "/services/rest/record/v1/"
#define SUITEQL "/services/rest/query/v1/suiteql"

static tsb_sandbox sb;

static int start(void)
{
    return tsb_start(&sb, "netsuite", NULL) == 0 ? 0 : -1;
}

static int stop(void)
{
    if (sb.pid > 0)
        tsb_stop(&sb);
    return 0;
}

static void test_exits_cleanly(void)
{
    CU_ASSERT_TRUE(tsb_alive(&sb));
    CU_ASSERT_EQUAL(tsb_stop(&sb), 0); /* includes no sanitizer report at exit */
    CU_ASSERT_EQUAL(start(), 0);       /* the next suite gets a fresh sandbox */
}

/* Array access that turns a missing array into a failed assertion, not a crash. */
static json_object *at(json_object *arr, size_t i)
{
    return json_object_is_type(arr, json_type_array) ? json_object_array_get_idx(arr, i) : NULL;
}

static size_t len(json_object *arr)
{
    return json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

/* The i-th line of an expanded record's item sublist. */
static json_object *line_at(json_object *record, size_t i)
{
    return at(tsb_member(tsb_member(record, "item"), "items"), i);
}

/* A write; returns the status, copies the new id from Location, the error code and detail. */
typedef struct answer {
    long status;
    char id[32], code[64], path[96], detail[512];
} answer;

static answer send_json(const char *method, const char *path, const char *json)
{
    answer a = {0};
    tsb_response r;
    tsb_netsuite(&sb, method, path, json, NULL, &r);
    a.status = r.status;
    const char *slash = strrchr(r.location, '/');
    snprintf(a.id, sizeof a.id, "%s", slash ? slash + 1 : "");
    tsb_ns_error_code(&r, a.code, sizeof a.code);
    json_object *body = tsb_json(&r), *details = tsb_member(body, "o:errorDetails");
    json_object *d = at(details, 0);
    snprintf(a.path, sizeof a.path, "%s", tsb_str(d, "o:errorPath"));
    snprintf(a.detail, sizeof a.detail, "%s", tsb_str(d, "detail"));
    json_object_put(body);
    tsb_response_free(&r);
    return a;
}

static json_object *get_json(const char *path, long *status)
{
    tsb_response r;
    tsb_netsuite(&sb, "GET", path, NULL, NULL, &r);
    *status = r.status;
    json_object *o = tsb_json(&r);
    tsb_response_free(&r);
    return o;
}

static json_object *get_order(const char *id)
{
    char path[128];
    long st;
    snprintf(path, sizeof path, REC "salesOrder/%s?expandSubResources=true", id);
    json_object *o = get_json(path, &st);
    CU_ASSERT_EQUAL(st, 200);
    return o;
}

static json_object *suiteql(const char *q, long *status)
{
    json_object *b = json_object_new_object();
    json_object_object_add(b, "q", json_object_new_string(q));
    const char *prefer[] = {"Prefer: transient", NULL};
    tsb_response r;
    tsb_netsuite(&sb, "POST", SUITEQL, json_object_to_json_string(b), prefer, &r);
    json_object_put(b);
    *status = r.status;
    json_object *o = tsb_json(&r);
    tsb_response_free(&r);
    return o;
}

/* Units committed to open orders for an item at a location, as SuiteQL reports them. */
static long committed(const char *item, const char *location)
{
    char q[256];
    long st;
    snprintf(q, sizeof q, "SELECT quantitycommitted FROM inventoryitemlocations WHERE item = '%s' AND location = '%s'",
             item, location);
    json_object *o = suiteql(q, &st);
    CU_ASSERT_EQUAL(st, 200);
    long v = atol(tsb_str(at(tsb_member(o, "items"), 0), "quantitycommitted"));
    json_object_put(o);
    return v;
}

static long on_hand(const char *item, const char *location)
{
    char q[256];
    long st;
    snprintf(q, sizeof q, "SELECT quantityonhand FROM inventoryitemlocations WHERE item = '%s' AND location = '%s'",
             item, location);
    json_object *o = suiteql(q, &st);
    long v = atol(tsb_str(at(tsb_member(o, "items"), 0), "quantityonhand"));
    json_object_put(o);
    return v;
}

/* ---- tax1Amt ---------------------------------------------------------------------------------- */

static void test_tax_override_sek(void)
{
    /* 119.19 × 25 % = 29.7975, which NetSuite would round to 29.80; the storefront charged 29.79.
     * The second line has no tax1Amt: 10.05 × 25 % = 2.5125 → 2.51, computed and shown. */
    answer a = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"currency\":{\"id\":\"1\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1010\"},\"quantity\":1,\"amount\":119.19,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":29.79},"
        "{\"item\":{\"id\":\"1011\"},\"quantity\":1,\"amount\":10.05,\"taxCode\":{\"id\":\"10\"}}]}}");
    CU_ASSERT_EQUAL_FATAL(a.status, 204);
    json_object *o = get_order(a.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 0), "tax1Amt"), "29.79");
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 1), "tax1Amt"), "2.51");
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 0), "amount"), "119.19");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "subtotal"), "129.24");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "taxTotal"), "32.30");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "161.54");
    json_object_put(o);
}

static void test_tax_override_eur_with_shipping_cost(void)
{
    /* 25.21 × 19 % = 4.7899 → 4.79 computed; the storefront says 4.80. Customer 504 pays in EUR. */
    answer a = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"504\"},\"shippingCost\":4.95,\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1012\"},\"quantity\":1,\"amount\":25.21,\"taxCode\":{\"id\":\"11\"},\"tax1Amt\":4.80},"
        "{\"item\":{\"id\":\"1013\"},\"quantity\":3,\"rate\":0.1,\"taxCode\":{\"id\":\"11\"},\"tax1Amt\":0.06}]}}");
    CU_ASSERT_EQUAL_FATAL(a.status, 204);
    json_object *o = get_order(a.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(o, "currency"), "id"), "2");
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 1), "amount"), "0.30"); /* 0.1 × 3, exactly */
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "subtotal"), "25.51");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "taxTotal"), "4.86");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "35.32"); /* 25.51 + 4.95 + 4.86 */
    json_object_put(o);
}

static void test_tax_override_refusals(void)
{
    struct { const char *line, *code, *path; } cases[] = {
        /* a tax amount needs a tax code */
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10,\"tax1Amt\":2.5}", "USER_ERROR", "item.items[0].tax1Amt"},
        /* no more decimals than SEK has */
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":2.505}",
         "INVALID_CONTENT", "item.items[0].tax1Amt"},
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10.001,\"taxCode\":{\"id\":\"10\"}}",
         "INVALID_CONTENT", "item.items[0].amount"},
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":\"x\"}",
         "INVALID_CONTENT", "item.items[0].tax1Amt"},
        /* only a discount line takes money off */
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":-10,\"taxCode\":{\"id\":\"10\"}}",
         "INVALID_CONTENT", "item.items[0].amount"},
        {"{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":-2.5}",
         "INVALID_CONTENT", "item.items[0].tax1Amt"},
        {"{\"item\":{\"id\":\"2001\"},\"quantity\":1,\"rate\":-39,\"taxCode\":{\"id\":\"10\"}}",
         "INVALID_CONTENT", "item.items[0].rate"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, "{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[%s]}}", cases[i].line);
        answer a = send_json("POST", REC "salesOrder", body);
        CU_ASSERT_EQUAL(a.status, 400);
        CU_ASSERT_STRING_EQUAL(a.code, cases[i].code);
        CU_ASSERT_STRING_EQUAL(a.path, cases[i].path);
    }
    /* A patch that leaves a tax amount without its code is refused the same way. */
    answer a = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10}]}}");
    CU_ASSERT_EQUAL_FATAL(a.status, 204);
    char path[96];
    snprintf(path, sizeof path, REC "salesOrder/%s", a.id);
    answer p = send_json("PATCH", path, "{\"item\":{\"items\":[{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":10,\"tax1Amt\":1}]}}");
    CU_ASSERT_EQUAL(p.status, 400);
    CU_ASSERT_STRING_EQUAL(p.code, "USER_ERROR");
    CU_ASSERT_STRING_EQUAL(p.path, "item.items[0].tax1Amt");
}

static void test_return_and_credit_memo_keep_line_tax(void)
{
    answer so = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"502\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1014\"},\"quantity\":1,\"amount\":119.19,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":29.79}]}}");
    CU_ASSERT_EQUAL_FATAL(so.status, 204);
    char path[128];
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", so.id);
    CU_ASSERT_EQUAL_FATAL(send_json("POST", path, NULL).status, 204);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/returnAuthorization", so.id);
    answer ra = send_json("POST", path, NULL);
    CU_ASSERT_EQUAL_FATAL(ra.status, 204);
    snprintf(path, sizeof path, REC "returnAuthorization/%s/!transform/creditMemo", ra.id);
    answer cm = send_json("POST", path, NULL);
    CU_ASSERT_EQUAL_FATAL(cm.status, 204);
    long st;
    snprintf(path, sizeof path, REC "creditMemo/%s?expandSubResources=true", cm.id);
    json_object *o = get_json(path, &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 0), "tax1Amt"), "29.79");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "148.98");
    json_object_put(o);
}

/* ---- shipping and discount items, payment methods ---------------------------------------------- */

static void test_service_items_exist(void)
{
    long st;
    json_object *o = get_json(REC "otherChargeItem/2001", &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "itemId"), "SHIPPING");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "displayName"), "Shipping");
    CU_ASSERT_PTR_NULL(tsb_member(o, "locations")); /* no stock kept */
    json_object_put(o);
    o = get_json(REC "discountItem/2002", &st);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "itemId"), "DISCOUNT");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "displayName"), "Discount");
    json_object_put(o);
    o = get_json(REC "inventoryItem/2001", &st);
    CU_ASSERT_EQUAL(st, 404);
    json_object_put(o);

    o = suiteql("SELECT id, itemid, itemtype FROM item WHERE id IN ('1001', '2001', '2002') ORDER BY id", &st);
    CU_ASSERT_EQUAL(st, 200);
    json_object *items = tsb_member(o, "items");
    CU_ASSERT_EQUAL_FATAL(len(items), 3);
    CU_ASSERT_STRING_EQUAL(tsb_str(at(items, 0), "itemtype"), "InvtPart");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(items, 1), "itemtype"), "OthCharge");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(items, 1), "itemid"), "SHIPPING");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(items, 2), "itemtype"), "Discount");
    json_object_put(o);

    /* The seed in use shows them, and the payment methods, in the file format. */
    char url[128];
    snprintf(url, sizeof url, "%s/_sandbox/seed", sb.base);
    tsb_response r;
    tsb_http("GET", url, NULL, NULL, 0, &r);
    json_object *seed = tsb_json(&r);
    json_object *service = tsb_member(seed, "serviceItems"), *methods = tsb_member(seed, "paymentMethods");
    CU_ASSERT_EQUAL(len(service), 3);
    CU_ASSERT_STRING_EQUAL(tsb_str(at(service, 0), "netsuiteId"), "2001");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(service, 0), "type"), "otherChargeItem");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(service, 1), "type"), "discountItem");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(service, 2), "netsuiteId"), "2003"); /* GOODWILL: refunds without goods */
    CU_ASSERT_STRING_EQUAL(tsb_str(at(service, 2), "type"), "otherChargeItem");
    CU_ASSERT_EQUAL(len(methods), 3);
    CU_ASSERT_STRING_EQUAL(tsb_str(at(methods, 0), "netsuiteId"), "7");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(methods, 0), "name"), "Klarna");
    CU_ASSERT_STRING_EQUAL(tsb_str(at(methods, 2), "name"), "Stripe");
    json_object_put(seed);
    tsb_response_free(&r);
}

static void test_shipping_and_discount_lines(void)
{
    long committed_before = committed("1020", "1");
    /* 2 × 349.00 less a 10 % campaign (−69.80, its tax −17.45), shipping 39.20 + 9.80 tax. */
    answer a = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"location\":{\"id\":\"1\"},\"paymentMethod\":{\"id\":\"7\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1020\"},\"quantity\":2,\"rate\":349,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":174.50},"
        "{\"item\":{\"id\":\"2002\"},\"quantity\":1,\"amount\":-69.80,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":-17.45},"
        "{\"item\":{\"id\":\"2001\"},\"quantity\":1,\"amount\":39.20,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":9.80}]}}");
    CU_ASSERT_EQUAL_FATAL(a.status, 204);
    json_object *o = get_order(a.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "subtotal"), "667.40");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "taxTotal"), "166.85");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "834.25");
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(o, "paymentMethod"), "id"), "7");
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 1), "amount"), "-69.80");
    json_object_put(o);
    /* Only the inventory line commits stock. */
    CU_ASSERT_EQUAL(committed("1020", "1"), committed_before + 2);

    /* A negative rate on a discount line is fine too: −5 × 2 = −10.00, tax −2.50 computed. */
    answer d = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1021\"},\"quantity\":1,\"amount\":100,\"taxCode\":{\"id\":\"10\"}},"
        "{\"item\":{\"id\":\"2002\"},\"quantity\":2,\"rate\":-5,\"taxCode\":{\"id\":\"10\"}}]}}");
    CU_ASSERT_EQUAL_FATAL(d.status, 204);
    o = get_order(d.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 1), "amount"), "-10.00");
    CU_ASSERT_STRING_EQUAL(tsb_str(line_at(o, 1), "tax1Amt"), "-2.50");
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "112.50");
    json_object_put(o);

    /* The fulfilment ships the inventory line only; shipping and discount never hold it open. */
    char path[128];
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", a.id);
    answer f = send_json("POST", path, NULL);
    CU_ASSERT_EQUAL_FATAL(f.status, 204);
    long st;
    snprintf(path, sizeof path, REC "itemFulfillment/%s?expandSubResources=true", f.id);
    o = get_json(path, &st);
    json_object *lines = tsb_member(tsb_member(o, "item"), "items");
    CU_ASSERT_EQUAL(len(lines), 1);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(line_at(o, 0), "item"), "id"), "1020");
    json_object_put(o);
    o = get_order(a.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Billing");
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line_at(o, 1), "quantityFulfilled")), 0);
    json_object_put(o);
    CU_ASSERT_EQUAL(committed("1020", "1"), committed_before);
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", a.id);
    answer again = send_json("POST", path, NULL);
    CU_ASSERT_EQUAL(again.status, 400);
    CU_ASSERT_STRING_EQUAL(again.code, "USER_ERROR");
}

static void test_discount_item_header_and_references(void)
{
    /* An item reference names any kind of item; the header's discountItem only a discount item. */
    answer ok = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"discountItem\":{\"id\":\"2002\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"2001\"},\"quantity\":1,\"amount\":49}]}}");
    CU_ASSERT_EQUAL(ok.status, 204);
    answer bad = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"discountItem\":{\"id\":\"2001\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1001\"},\"quantity\":1,\"amount\":49}]}}");
    CU_ASSERT_EQUAL(bad.status, 400);
    CU_ASSERT_STRING_EQUAL(bad.code, "INVALID_CONTENT");
    CU_ASSERT_STRING_EQUAL(bad.path, "discountItem");
}

static void test_payment_method(void)
{
    answer ok = send_json("PUT", REC "salesOrder/eid:PAY-1",
        "{\"entity\":{\"id\":\"503\"},\"paymentMethod\":{\"id\":\"9\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1030\"},\"quantity\":1,\"rate\":10}]}}");
    CU_ASSERT_EQUAL(ok.status, 204);
    long st;
    json_object *o = get_json(REC "salesOrder/eid:PAY-1", &st);
    CU_ASSERT_STRING_EQUAL(tsb_str(tsb_member(o, "paymentMethod"), "id"), "9");
    json_object_put(o);
    answer bad = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"503\"},\"paymentMethod\":{\"id\":\"99\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1030\"},\"quantity\":1,\"rate\":10}]}}");
    CU_ASSERT_EQUAL(bad.status, 400);
    CU_ASSERT_STRING_EQUAL(bad.code, "INVALID_CONTENT");
    CU_ASSERT_STRING_EQUAL(bad.path, "paymentMethod");
    answer patch = send_json("PATCH", REC "salesOrder/eid:PAY-1", "{\"paymentMethod\":{\"id\":\"4711\"}}");
    CU_ASSERT_EQUAL(patch.status, 400);
    CU_ASSERT_STRING_EQUAL(patch.path, "paymentMethod");
}

/* ---- closing ------------------------------------------------------------------------------------ */

/* The PATCH a client sends after GET ?expandSubResources=true: every line as read, with isClosed
 * set on the lines named in `close` (1-based positions; 0 ends the list). */
static char *closing_patch(const char *so_id, const int *close)
{
    json_object *o = get_order(so_id);
    json_object *lines = tsb_member(tsb_member(o, "item"), "items"), *items = json_object_new_array();
    for (size_t i = 0; i < len(lines); i++) {
        json_object *copy = NULL;
        json_object_deep_copy(json_object_array_get_idx(lines, i), &copy, NULL);
        for (const int *c = close; *c; c++)
            if ((size_t)*c == i + 1)
                json_object_object_add(copy, "isClosed", json_object_new_boolean(1));
        json_object_array_add(items, copy);
    }
    json_object *item = json_object_new_object(), *body = json_object_new_object();
    json_object_object_add(item, "items", items);
    json_object_object_add(body, "item", item);
    char *text = strdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
    json_object_put(body);
    json_object_put(o);
    return text;
}

static answer patch_order(const char *so_id, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, REC "salesOrder/%s", so_id);
    return send_json("PATCH", path, body);
}

static answer fulfil(const char *so_id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, REC "salesOrder/%s/!transform/itemFulfillment", so_id);
    return send_json("POST", path, body);
}

static void test_close_every_line(void)
{
    long a0 = committed("1040", "1"), b0 = committed("1041", "1"), hand = on_hand("1040", "1");
    answer so = send_json("POST", REC "salesOrder",
        "{\"externalId\":\"CLOSE-ALL\",\"entity\":{\"id\":\"501\"},\"location\":{\"id\":\"1\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1040\"},\"quantity\":2,\"amount\":200,\"taxCode\":{\"id\":\"10\"},\"tax1Amt\":50},"
        "{\"item\":{\"id\":\"1041\"},\"quantity\":1,\"amount\":100,\"taxCode\":{\"id\":\"10\"}},"
        "{\"item\":{\"id\":\"2001\"},\"quantity\":1,\"amount\":39,\"taxCode\":{\"id\":\"10\"}}]}}");
    CU_ASSERT_EQUAL_FATAL(so.status, 204);
    CU_ASSERT_EQUAL(committed("1040", "1"), a0 + 2);
    CU_ASSERT_EQUAL(committed("1041", "1"), b0 + 1);

    /* What a reader sees on each line. */
    json_object *o = get_order(so.id);
    for (size_t i = 0; i < 3; i++) {
        json_object *line = line_at(o, i);
        CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line, "line")), (int)i + 1);
        CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line, "quantityFulfilled")), 0);
        CU_ASSERT_TRUE(json_object_is_type(tsb_member(line, "isClosed"), json_type_boolean));
        CU_ASSERT_FALSE(json_object_get_boolean(tsb_member(line, "isClosed")));
        CU_ASSERT_PTR_NOT_NULL(tsb_member(line, "amount"));
        CU_ASSERT_PTR_NOT_NULL(tsb_member(line, "tax1Amt"));
    }
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Fulfillment");
    json_object_put(o);

    /* Re-sending the lines as read changes nothing, and commits nothing twice. */
    const int none[] = {0};
    char *same = closing_patch(so.id, none);
    CU_ASSERT_EQUAL(patch_order(so.id, same).status, 204);
    free(same);
    CU_ASSERT_EQUAL(committed("1040", "1"), a0 + 2);
    CU_ASSERT_EQUAL(committed("1041", "1"), b0 + 1);

    const int all[] = {1, 2, 3, 0};
    char *body = closing_patch(so.id, all);
    answer p = patch_order(so.id, body);
    CU_ASSERT_EQUAL(p.status, 204);
    o = get_order(so.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Closed");
    CU_ASSERT_TRUE(json_object_get_boolean(tsb_member(line_at(o, 0), "isClosed")));
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "total"), "423.75"); /* closing keeps the lines and their money */
    json_object_put(o);
    CU_ASSERT_EQUAL(committed("1040", "1"), a0); /* released */
    CU_ASSERT_EQUAL(committed("1041", "1"), b0);
    CU_ASSERT_EQUAL(on_hand("1040", "1"), hand);

    /* Closing again (a retried request) releases nothing twice; an upsert PUT does the same. */
    CU_ASSERT_EQUAL(patch_order(so.id, body).status, 204);
    CU_ASSERT_EQUAL(send_json("PUT", REC "salesOrder/eid:CLOSE-ALL", body).status, 204);
    free(body);
    CU_ASSERT_EQUAL(committed("1040", "1"), a0);
    CU_ASSERT_EQUAL(committed("1041", "1"), b0);

    /* Nothing is left to ship. */
    answer f = fulfil(so.id, NULL);
    CU_ASSERT_EQUAL(f.status, 400);
    CU_ASSERT_STRING_EQUAL(f.code, "USER_ERROR");
    CU_ASSERT_PTR_NOT_NULL(strstr(f.detail, "closed"));
    f = fulfil(so.id, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":1}]}}");
    CU_ASSERT_EQUAL(f.status, 400);
    CU_ASSERT_STRING_EQUAL(f.code, "USER_ERROR");

    /* The warehouse passes it by too. */
    char url[128];
    snprintf(url, sizeof url, "%s/_sandbox/fulfilments", sb.base);
    char req[64];
    snprintf(req, sizeof req, "{\"salesOrder\":\"%s\"}", so.id);
    tsb_response r;
    tsb_http("POST", url, NULL, req, strlen(req), &r);
    CU_ASSERT_EQUAL(r.status, 400);
    tsb_response_free(&r);
    CU_ASSERT_EQUAL(on_hand("1040", "1"), hand);

    /* Reopening a line commits its units again. */
    CU_ASSERT_EQUAL(patch_order(so.id, "{\"item\":{\"items\":["
        "{\"line\":1,\"item\":{\"id\":\"1040\"},\"quantity\":2,\"amount\":200,\"isClosed\":false},"
        "{\"line\":2,\"item\":{\"id\":\"1041\"},\"quantity\":1,\"amount\":100},"
        "{\"line\":3,\"item\":{\"id\":\"2001\"},\"quantity\":1,\"amount\":39}]}}").status, 204);
    CU_ASSERT_EQUAL(committed("1040", "1"), a0 + 2);
    CU_ASSERT_EQUAL(committed("1041", "1"), b0); /* line 2 stays closed: isClosed was not sent */
    o = get_order(so.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Fulfillment");
    CU_ASSERT_TRUE(json_object_get_boolean(tsb_member(line_at(o, 1), "isClosed")));
    json_object_put(o);
}

static void test_close_after_partial_fulfilment(void)
{
    long a0 = committed("1050", "1"), b0 = committed("1051", "1");
    long hand_a = on_hand("1050", "1"), hand_b = on_hand("1051", "1");
    answer so = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"502\"},\"location\":{\"id\":\"1\"},\"item\":{\"items\":["
        "{\"item\":{\"id\":\"1050\"},\"quantity\":3,\"rate\":100,\"taxCode\":{\"id\":\"10\"}},"
        "{\"item\":{\"id\":\"1051\"},\"quantity\":2,\"rate\":50,\"taxCode\":{\"id\":\"10\"}}]}}");
    CU_ASSERT_EQUAL_FATAL(so.status, 204);
    CU_ASSERT_EQUAL(fulfil(so.id, "{\"item\":{\"items\":[{\"orderLine\":1,\"quantity\":2}]}}").status, 204);
    CU_ASSERT_EQUAL(committed("1050", "1"), a0 + 1);
    CU_ASSERT_EQUAL(on_hand("1050", "1"), hand_a - 2);
    json_object *o = get_order(so.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Partially Fulfilled");
    json_object_put(o);

    /* Close line 2 (nothing of it shipped); the client's stale quantityFulfilled is ignored. */
    answer p = patch_order(so.id, "{\"item\":{\"items\":["
        "{\"line\":1,\"item\":{\"id\":\"1050\"},\"quantity\":3,\"rate\":100,\"taxCode\":{\"id\":\"10\"},\"quantityFulfilled\":0},"
        "{\"line\":2,\"item\":{\"id\":\"1051\"},\"quantity\":2,\"rate\":50,\"taxCode\":{\"id\":\"10\"},\"isClosed\":true}]}}");
    CU_ASSERT_EQUAL(p.status, 204);
    o = get_order(so.id);
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line_at(o, 0), "quantityFulfilled")), 2);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Partially Fulfilled"); /* as fulfilment left it */
    json_object_put(o);
    CU_ASSERT_EQUAL(committed("1050", "1"), a0 + 1);
    CU_ASSERT_EQUAL(committed("1051", "1"), b0);

    /* A fulfilled line cannot be removed, re-itemed or cut below what shipped. */
    p = patch_order(so.id, "{\"item\":{\"items\":[{\"line\":2,\"item\":{\"id\":\"1051\"},\"quantity\":2,\"isClosed\":true}]}}");
    CU_ASSERT_EQUAL(p.status, 400);
    CU_ASSERT_STRING_EQUAL(p.code, "USER_ERROR");
    p = patch_order(so.id, "{\"item\":{\"items\":[{\"line\":1,\"item\":{\"id\":\"1050\"},\"quantity\":1},"
                           "{\"line\":2,\"item\":{\"id\":\"1051\"},\"quantity\":2}]}}");
    CU_ASSERT_EQUAL(p.status, 400);
    CU_ASSERT_STRING_EQUAL(p.path, "item.items[0].quantity");
    p = patch_order(so.id, "{\"item\":{\"items\":[{\"line\":1,\"item\":{\"id\":\"1052\"},\"quantity\":3},"
                           "{\"line\":2,\"item\":{\"id\":\"1051\"},\"quantity\":2}]}}");
    CU_ASSERT_EQUAL(p.status, 400);
    CU_ASSERT_STRING_EQUAL(p.path, "item.items[0].item");
    p = patch_order(so.id, "{\"item\":{\"items\":[{\"line\":7,\"item\":{\"id\":\"1050\"},\"quantity\":3}]}}");
    CU_ASSERT_EQUAL(p.status, 400);
    CU_ASSERT_STRING_EQUAL(p.code, "INVALID_CONTENT");
    CU_ASSERT_STRING_EQUAL(p.path, "item.items[0].line");
    CU_ASSERT_EQUAL(committed("1050", "1"), a0 + 1); /* refused patches moved nothing */
    CU_ASSERT_EQUAL(committed("1051", "1"), b0);

    /* The rest of line 1 still ships; closed line 2 is skipped, also when asked for. */
    answer f = fulfil(so.id, "{\"item\":{\"items\":[{\"orderLine\":2,\"quantity\":1}]}}");
    CU_ASSERT_EQUAL(f.status, 400);
    CU_ASSERT_STRING_EQUAL(f.code, "USER_ERROR");
    CU_ASSERT_EQUAL(fulfil(so.id, NULL).status, 204);
    CU_ASSERT_EQUAL(on_hand("1050", "1"), hand_a - 3);
    CU_ASSERT_EQUAL(on_hand("1051", "1"), hand_b);
    CU_ASSERT_EQUAL(committed("1050", "1"), a0);
    o = get_order(so.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Pending Billing");
    json_object_put(o);

    /* Every line closed: Closed, even with shipped lines. */
    const int all[] = {1, 2, 0};
    char *body = closing_patch(so.id, all);
    CU_ASSERT_EQUAL(patch_order(so.id, body).status, 204);
    free(body);
    o = get_order(so.id);
    CU_ASSERT_STRING_EQUAL(tsb_str(o, "orderStatus"), "Closed");
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line_at(o, 0), "quantityFulfilled")), 3);
    json_object_put(o);
    CU_ASSERT_EQUAL(committed("1050", "1"), a0);
    CU_ASSERT_EQUAL(committed("1051", "1"), b0);
}

static void test_patch_lines_moves_commitment(void)
{
    long a0 = committed("1060", "1"), a2 = committed("1060", "2"), b0 = committed("1061", "1");
    answer so = send_json("POST", REC "salesOrder",
        "{\"entity\":{\"id\":\"501\"},\"item\":{\"items\":[{\"item\":{\"id\":\"1060\"},\"quantity\":4,\"rate\":10}]}}");
    CU_ASSERT_EQUAL_FATAL(so.status, 204);
    CU_ASSERT_EQUAL(committed("1060", "1"), a0 + 4);
    /* Fewer units, another location, and a new line: the stock follows, exactly once. */
    answer p = patch_order(so.id, "{\"item\":{\"items\":["
        "{\"line\":1,\"item\":{\"id\":\"1060\"},\"quantity\":1,\"rate\":10,\"location\":{\"id\":\"2\"}},"
        "{\"item\":{\"id\":\"1061\"},\"quantity\":2,\"rate\":10}]}}");
    CU_ASSERT_EQUAL(p.status, 204);
    CU_ASSERT_EQUAL(committed("1060", "1"), a0);
    CU_ASSERT_EQUAL(committed("1060", "2"), a2 + 1);
    CU_ASSERT_EQUAL(committed("1061", "1"), b0 + 2);
    json_object *o = get_order(so.id);
    CU_ASSERT_EQUAL(json_object_get_int(tsb_member(line_at(o, 1), "line")), 2); /* the next number */
    json_object_put(o);
    /* A header-only patch leaves lines and stock alone. */
    CU_ASSERT_EQUAL(patch_order(so.id, "{\"memo\":\"gift\"}").status, 204);
    CU_ASSERT_EQUAL(committed("1060", "2"), a2 + 1);
    CU_ASSERT_EQUAL(committed("1061", "1"), b0 + 2);
}

int main(void)
{
    CU_TestInfo tax[] = {
        {"tax1Amt is the line's tax: SEK totals to the cent", test_tax_override_sek},
        {"tax1Amt in EUR, with shippingCost, to the cent", test_tax_override_eur_with_shipping_cost},
        {"tax1Amt without taxCode, too many decimals, negative: refused", test_tax_override_refusals},
        {"return and credit memo keep the line tax", test_return_and_credit_memo_keep_line_tax},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo lines[] = {
        {"SHIPPING and DISCOUNT items exist (record API, SuiteQL, seed)", test_service_items_exist},
        {"shipping and negative discount lines: totals, stock, fulfilment", test_shipping_and_discount_lines},
        {"header discountItem must be a discount item", test_discount_item_header_and_references},
        {"paymentMethod accepted; unknown id refused", test_payment_method},
        CU_TEST_INFO_NULL,
    };
    CU_TestInfo closing[] = {
        {"closing every line: Closed, stock released once, fulfilment refused", test_close_every_line},
        {"closing after a partial fulfilment", test_close_after_partial_fulfilment},
        {"a patch that changes lines moves committed stock exactly", test_patch_lines_moves_commitment},
        {"sandbox exits cleanly", test_exits_cleanly},
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = {
        {"netsuite line tax", start, NULL, NULL, NULL, tax},
        {"netsuite shipping, discount, payment", NULL, NULL, NULL, NULL, lines},
        {"netsuite closing orders", NULL, stop, NULL, NULL, closing},
        CU_SUITE_INFO_NULL,
    };
    int rc = tsup_run_suites("sandbox/test_netsuite_orders", suites);
    stop();
    tsb_thread_done();
    return rc;
}
