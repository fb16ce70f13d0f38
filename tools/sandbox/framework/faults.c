/* Fault injection decisions: one uniform draw per API request against cumulative rates, from a
 * generator of its own so services drawing random numbers never shift the fault sequence. */
#include "tools/sandbox/framework/framework.h"
#include "tools/sandbox/framework/util_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sb_fault_rates rates;
static uint64_t state;

const char *sb_fault_name(sb_fault_kind kind)
{
    switch (kind) {
    case SB_FAULT_429: return "429";
    case SB_FAULT_503: return "503";
    case SB_FAULT_TIMEOUT: return "timeout";
    case SB_FAULT_LOCK: return "lock";
    case SB_FAULT_MALFORMED: return "malformed";
    case SB_FAULT_CONCURRENCY: return "concurrency";
    case SB_FAULT_SLOW: return "slow";
    default: return "none";
    }
}

bool sb_faults_parse(const char *spec, sb_fault_rates *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec)
        return true;
    char *copy = strdup(spec), *save = NULL;
    if (!copy)
        return false;
    bool ok = true;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        char *end = NULL;
        double rate = eq ? strtod(eq + 1, &end) : -1;
        if (!eq || end == eq + 1 || *end != '\0' || !(rate >= 0 && rate <= 1)) {
            snprintf(err, errlen, "bad fault rate '%s' (want kind=0..1)", tok);
            ok = false;
            break;
        }
        *eq = '\0';
        if (strcmp(tok, "429") == 0) out->http429 = rate;
        else if (strcmp(tok, "503") == 0) out->http503 = rate;
        else if (strcmp(tok, "timeout") == 0) out->timeout = rate;
        else if (strcmp(tok, "lock") == 0) out->lock = rate;
        else if (strcmp(tok, "malformed") == 0) out->malformed = rate;
        else if (strcmp(tok, "slow") == 0) out->slow = rate;
        else {
            snprintf(err, errlen, "unknown fault kind '%s' (429, 503, timeout, lock, malformed, slow)", tok);
            ok = false;
        }
    }
    free(copy);
    if (ok && out->http429 + out->http503 + out->timeout + out->lock + out->malformed + out->slow > 1.0 + 1e-9) {
        snprintf(err, errlen, "fault rates add up to more than 1");
        ok = false;
    }
    return ok;
}

void sb_faults_init(const sb_fault_rates *r, uint64_t seed)
{
    pthread_mutex_lock(&lock);
    rates = *r;
    state = seed;
    pthread_mutex_unlock(&lock);
}

sb_fault_kind sb_faults_draw(bool is_write)
{
    pthread_mutex_lock(&lock);
    double u = (double)(sb_splitmix64(&state) >> 11) / 9007199254740992.0;
    sb_fault_rates r = rates;
    pthread_mutex_unlock(&lock);

    const struct { double rate; sb_fault_kind kind; } order[] = {
        {r.http429, SB_FAULT_429}, {r.http503, SB_FAULT_503}, {r.timeout, SB_FAULT_TIMEOUT},
        {r.lock, SB_FAULT_LOCK}, {r.malformed, SB_FAULT_MALFORMED},
        {r.slow, SB_FAULT_SLOW}, /* last, so adding it left the other kinds' draws as they were */
    };
    double edge = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        edge += order[i].rate;
        if (u < edge)
            return order[i].kind == SB_FAULT_LOCK && !is_write ? SB_FAULT_NONE : order[i].kind;
    }
    return SB_FAULT_NONE;
}
