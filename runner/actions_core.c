/* Built-in actions for pipelines and tests.
 *   core.noop   does nothing, outcome ok.
 *   core.sleep  sleeps `ms` (context, default 0) milliseconds, outcome ok.
 *   core.fail   fails the way the context says: `fail_as` failed (default) | retry | throttled
 *               | locked, with `category` (default workflow_error), `message`, `delay_ms`. With
 *               `fail_times` N it fails only N more times (counting down in the context) and
 *               then succeeds, which lets tests drive retry budgets and re-drives.
 *   core.lease_exhausted  what o2c.claim hands out instead of a step whose lease ran out five
 *               times in a row: fails it as lease_expired, naming its action (params.action), so
 *               it is not redone without end. */
#include "runner/action.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void noop(struct o2c_step *step, struct o2c_outcome *out)
{
    (void)step;
    o2c_outcome_ok(out);
}

static void sleep_ms(struct o2c_step *step, struct o2c_outcome *out)
{
    int64_t ms = o2c_step_int(step, "ms", 0);
    if (ms < 0 || ms > 3600000) {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "core.sleep: \"ms\" must be between 0 and 3600000, not %lld", (long long)ms);
        return;
    }
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
    o2c_outcome_ok(out);
}

static void fail(struct o2c_step *step, struct o2c_outcome *out)
{
    int64_t times = o2c_step_int(step, "fail_times", -1);
    if (times == 0) {
        o2c_outcome_ok(out);
        return;
    }
    if (times > 0)
        o2c_outcome_patch(out, "fail_times", json_object_new_int64(times - 1));

    const char *as = o2c_step_string(step, "fail_as");
    const char *message = o2c_step_string(step, "message");
    if (!message)
        message = "core.fail was asked to fail";
    int delay = (int)o2c_step_int(step, "delay_ms", -1);
    if (!as || strcmp(as, "failed") == 0) {
        /* A category o2c does not know is passed on as it is, so tests can see the engine
         * refuse it (an exception engine_error naming it); a known one brings its owner. */
        const char *category = o2c_step_string(step, "category");
        enum o2c_failure f = category ? o2c_failure_by_name(category) : O2C_FAIL_WORKFLOW_ERROR;
        o2c_outcome_failed(out, f == O2C_FAIL_COUNT ? O2C_FAIL_WORKFLOW_ERROR : f, "%s", message);
        if (f == O2C_FAIL_COUNT)
            json_object_object_add(out->detail, "category", json_object_new_string(category));
    } else if (strcmp(as, "retry") == 0) {
        o2c_outcome_retry(out, "%s", message);
    } else if (strcmp(as, "throttled") == 0) {
        o2c_outcome_throttled(out, delay, "%s", message);
    } else if (strcmp(as, "locked") == 0) {
        o2c_outcome_locked(out, "%s", message);
    } else {
        o2c_outcome_failed(out, O2C_FAIL_BAD_INPUT, "core.fail: \"fail_as\" must be failed, retry, throttled or locked, not \"%s\"", as);
        return;
    }
    if (delay >= 0)
        out->delay_ms = delay;
}

static void lease_exhausted(struct o2c_step *step, struct o2c_outcome *out)
{
    const char *action = o2c_step_param(step, "action");
    json_object *n = NULL;
    json_object_object_get_ex(o2c_step_params(step), "expiries", &n);
    o2c_outcome_failed(out, O2C_FAIL_LEASE_EXPIRED,
                       "state \"%s\" (%s) outlived its lease %d times in a row: the runners running it died or stalled "
                       "each time, so it is stopped here rather than redone without end. Find why (the runner logs, a "
                       "step far slower than --lease-seconds), then re-drive it",
                       step->state, action ? action : "?", n ? json_object_get_int(n) : 5);
}

const struct o2c_action o2c_core_actions[] = {
    {"core.noop", noop, true, "does nothing; outcome ok"},
    {"core.sleep", sleep_ms, false, "sleeps context.ms milliseconds; outcome ok"},
    {"core.fail", fail, true, "fails as context.fail_as says, context.fail_times times (or forever)"},
    {"core.lease_exhausted", lease_exhausted, true, "stops a step whose lease ran out five times in a row (lease_expired)"},
    {NULL, NULL, false, NULL},
};
