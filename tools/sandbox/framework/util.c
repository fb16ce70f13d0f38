/* Small helpers every sandbox service uses: responses, strict JSON parsing, time, randomness,
 * URL decoding and an interruptible sleep. */
#include "tools/sandbox/framework/sandbox.h"
#include "tools/sandbox/framework/util_internal.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

char *sb_strdup(const char *s)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        abort();
    return copy;
}

/* ---- responses -------------------------------------------------------------------------- */

void sb_respond_json(sb_response *res, int status, json_object *body)
{
    res->status = status;
    res->content_type = "application/json";
    free(res->body);
    res->body = sb_strdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    res->body_len = strlen(res->body);
}

void sb_respond_text(sb_response *res, int status, const char *content_type, const char *text)
{
    res->status = status;
    res->content_type = content_type;
    free(res->body);
    res->body = sb_strdup(text);
    res->body_len = strlen(text);
}

void sb_respond_empty(sb_response *res, int status)
{
    res->status = status;
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
}

void sb_response_add_header(sb_response *res, const char *name, const char *value)
{
    if (res->n_extra >= SB_MAX_EXTRA_HEADERS)
        return;
    res->extra[res->n_extra].name = name;
    res->extra[res->n_extra].value = sb_strdup(value);
    res->n_extra++;
}

/* ---- JSON ------------------------------------------------------------------------------- */

json_object *sb_parse_json(const char *body, size_t len)
{
    if (!body || len == 0 || strlen(body) != len)
        return NULL; /* empty, or an embedded NUL: not JSON a real service would accept */
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *obj = json_tokener_parse_ex(tok, body, (int)len);
    bool ok = obj && json_tokener_get_error(tok) == json_tokener_success;
    if (ok) {
        /* Anything but whitespace after the value makes the document invalid. */
        for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
            if (!isspace((unsigned char)body[i]))
                ok = false;
    }
    json_tokener_free(tok);
    if (!ok) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

/* ---- time ------------------------------------------------------------------------------- */

double sb_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sb_iso8601(double t, char *buf, size_t len)
{
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double sb_parse_time(const char *s)
{
    if (!s)
        return -1;
    struct tm tm = {0};
    int y, mo, d, h = 0, mi = 0, sec = 0, frac_len = 0;
    char sep = 0;
    int n = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec, &frac_len);
    if (n == 7 && (sep == 'T' || sep == ' ')) {
        const char *rest = s + frac_len;
        if (*rest == '.')
            for (rest++; isdigit((unsigned char)*rest); rest++)
                ;
        if (*rest == 'Z' || strcmp(rest, "+00:00") == 0)
            rest += *rest == 'Z' ? 1 : 6;
        if (*rest != '\0')
            return -1;
    } else if (n == 3 && strlen(s) == 10) {
        h = mi = sec = 0;
    } else {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (double)timegm(&tm);
}

/* ---- randomness ------------------------------------------------------------------------- */

/* splitmix64: tiny, good enough for sandbox decisions, and trivially reproducible. */
static pthread_mutex_t rng_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t sb_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sb_random_seed(uint64_t seed)
{
    pthread_mutex_lock(&rng_lock);
    rng_state = seed ^ 0x5bd1e9955bd1e995ULL; /* a different stream from the fault decisions */
    pthread_mutex_unlock(&rng_lock);
}

uint64_t sb_random_u64(void)
{
    pthread_mutex_lock(&rng_lock);
    uint64_t v = sb_splitmix64(&rng_state);
    pthread_mutex_unlock(&rng_lock);
    return v;
}

double sb_random(void)
{
    return (double)(sb_random_u64() >> 11) / 9007199254740992.0; /* 53 bits → [0,1) */
}

/* ---- URLs ------------------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool sb_url_decode(const char *in, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n)
                return false;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = hi * 16 + lo;
            i += 2;
        }
        if (o + 1 >= outlen)
            return false;
        out[o++] = (char)c;
    }
    if (outlen == 0)
        return false;
    out[o] = '\0';
    return true;
}

bool sb_query_param(const sb_request *req, const char *name, char *buf, size_t len)
{
    size_t name_len = strlen(name);
    const char *p = req->query ? req->query : "";
    while (*p) {
        const char *end = strchr(p, '&');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', seg);
        size_t key_len = eq ? (size_t)(eq - p) : seg;
        if (key_len == name_len && strncmp(p, name, name_len) == 0) {
            if (!eq)
                return len > 0 && (buf[0] = '\0', true);
            return sb_url_decode(eq + 1, seg - key_len - 1, buf, len);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

/* ---- shutdown-aware sleep ------------------------------------------------------------------ */

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

void sb_request_stop(void)
{
    pthread_mutex_lock(&stop_lock);
    stopping = true;
    pthread_cond_broadcast(&stop_cond);
    pthread_mutex_unlock(&stop_lock);
}

bool sb_sleep_ms(int ms)
{
    if (ms <= 0)
        return true;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stop_lock);
    int rc = 0;
    while (!stopping && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&stop_cond, &stop_lock, &until);
    bool finished = !stopping;
    pthread_mutex_unlock(&stop_lock);
    return finished;
}
