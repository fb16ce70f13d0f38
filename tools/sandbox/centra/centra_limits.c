/* Centra's rate limits are token buckets per environment (centra.dev, "API rate limits"):
 * requests per 10 s and per hour, mutations per 10 s; a bucket refills continuously at
 * capacity/period. The caller holds the service lock. */
#include "tools/sandbox/centra/centra.h"

#include <math.h>

void centra_bucket_init(centra_bucket *b, const char *type, int capacity, double period_s)
{
    b->type = type;
    b->capacity = capacity;
    b->tokens = capacity;
    b->period_s = period_s;
    b->last = sb_now();
}

static void refill(centra_bucket *b, double now)
{
    if (now > b->last) {
        b->tokens += (now - b->last) * b->capacity / b->period_s;
        if (b->tokens > b->capacity)
            b->tokens = b->capacity;
    }
    b->last = now;
}

bool centra_bucket_take(centra_bucket *b, double now, int *retry_after)
{
    if (b->capacity <= 0)
        return true;
    refill(b, now);
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        return true;
    }
    double wait = (1.0 - b->tokens) * b->period_s / b->capacity;
    *retry_after = (int)ceil(wait);
    if (*retry_after < 1)
        *retry_after = 1;
    return false;
}

json_object *centra_bucket_json(centra_bucket *b, double now)
{
    refill(b, now);
    json_object *o = json_object_new_object();
    int quota = (int)b->capacity;
    int remaining = (int)floor(b->tokens);
    json_object_object_add(o, "type", json_object_new_string(b->type));
    json_object_object_add(o, "quota", json_object_new_int(quota));
    json_object_object_add(o, "usedQuota", json_object_new_int(quota - remaining));
    json_object_object_add(o, "remainingQuota", json_object_new_int(remaining));
    json_object_object_add(o, "periodSeconds", json_object_new_int((int)b->period_s));
    return o;
}
