/* /_sandbox/ paths of the Sage 200 sandbox (listed in sage200.h): what tests inspect and what
 * people in the business do (open a record in the desktop client, lose the tunnel). */
#include "tools/sandbox/sage200/sage200.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void answer(sb_response *res, int status, const char *key, json_object *value)
{
    json_object *out = json_object_new_object();
    json_object_object_add(out, key, value);
    sb_respond_json(res, status, out);
    json_object_put(out);
}

static void lock_or_release(sg_state *sg, json_object *body, bool lock, sb_response *res)
{
    int c = sg_collection_by_name(json_object_get_string(get(body, "collection")));
    int64_t id = json_object_get_int64(get(body, "id"));
    const char *user = json_object_get_string(get(body, "user"));
    if (c < 0 || id <= 0) {
        answer(res, 400, "error", json_object_new_string("want {\"collection\",\"id\"[,\"user\"]}"));
        return;
    }
    char key[96];
    snprintf(key, sizeof key, "%s/%" PRId64, sg_collection_name((enum sg_collection)c), id);
    pthread_mutex_lock(&sg->lock);
    bool exists = sg_find(sg, (enum sg_collection)c, id) != NULL;
    if (exists && lock)
        json_object_object_add(sg->locks, key, json_object_new_string(user && *user ? user : "MANAGER"));
    else if (exists)
        json_object_object_del(sg->locks, key);
    pthread_mutex_unlock(&sg->lock);
    if (!exists)
        answer(res, 404, "error", json_object_new_string("no such record"));
    else
        answer(res, 200, "locked", json_object_new_boolean(lock));
}

bool sg_control(sg_state *sg, const sb_request *req, sb_response *res)
{
    const char *p = req->path;
    if (strcmp(req->method, "GET") == 0 && strcmp(p, "/_sandbox/sage200/catalogue") == 0) {
        pthread_mutex_lock(&sg->lock);
        json_object *seed = sg_seed_json(sg);
        sb_respond_json(res, 200, seed);
        json_object_put(seed);
        pthread_mutex_unlock(&sg->lock);
        return true;
    }
    if (strcmp(req->method, "GET") == 0 && strncmp(p, "/_sandbox/records/", 18) == 0) {
        int c = sg_collection_by_name(p + 18);
        if (c < 0) {
            answer(res, 404, "error", json_object_new_string("unknown collection"));
            return true;
        }
        pthread_mutex_lock(&sg->lock);
        sb_respond_json(res, 200, sg->records[c]);
        pthread_mutex_unlock(&sg->lock);
        return true;
    }
    if (strcmp(req->method, "POST") != 0 || strncmp(p, "/_sandbox/sage200/", 18) != 0)
        return false;
    json_object *body = sb_parse_json(req->body, req->body_len);
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        answer(res, 400, "error", json_object_new_string("the body must be a JSON object"));
        return true;
    }
    const char *what = p + 18;
    if (strcmp(what, "lock") == 0 || strcmp(what, "release") == 0) {
        lock_or_release(sg, body, strcmp(what, "lock") == 0, res);
    } else if (strcmp(what, "tunnel") == 0) {
        pthread_mutex_lock(&sg->lock);
        sg->tunnel_down = json_object_get_boolean(get(body, "down"));
        bool down = sg->tunnel_down;
        pthread_mutex_unlock(&sg->lock);
        answer(res, 200, "down", json_object_new_boolean(down));
    } else if (strcmp(what, "lose_answers") == 0) {
        pthread_mutex_lock(&sg->lock);
        if (get(body, "rate"))
            sg->lose_rate = json_object_get_double(get(body, "rate"));
        if (get(body, "count"))
            sg->lose_count = json_object_get_int(get(body, "count"));
        pthread_mutex_unlock(&sg->lock);
        answer(res, 200, "ok", json_object_new_boolean(1));
    } else if (strcmp(what, "holdings") == 0) {
        pthread_mutex_lock(&sg->lock);
        sg_holdings_change(sg, body, res);
        pthread_mutex_unlock(&sg->lock);
    } else if (strcmp(what, "despatch") == 0) {
        pthread_mutex_lock(&sg->lock);
        sg_despatch(sg, body, res);
        pthread_mutex_unlock(&sg->lock);
    } else if (strcmp(what, "settings") == 0) {
        json_object *f = get(body, "required_field");
        const sg_field *field = f ? sg_field_find(&sg_sop_order_entity, json_object_get_string(f)) : NULL;
        if (f && !field) {
            answer(res, 400, "error", json_object_new_string("required_field must be a field of sop_order"));
        } else {
            pthread_mutex_lock(&sg->lock);
            snprintf(sg->required_field, sizeof sg->required_field, "%s", field ? field->name : "");
            pthread_mutex_unlock(&sg->lock);
            answer(res, 200, "required_field", json_object_new_string(field ? field->name : ""));
        }
    } else {
        json_object_put(body);
        return false;
    }
    json_object_put(body);
    return true;
}
