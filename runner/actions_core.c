/* Built-in actions for pipelines and tests.
 *   core.noop   does nothing, outcome ok.
 *   core.sleep  sleeps `ms` (context, default 0) milliseconds, outcome ok.
 *   core.fail   fails the way the context says: `fail_as` failed (default) | retry | throttled
 *               | locked, with `category` (default workflow_error), `message`, `delay_ms`. With
 *               `fail_times` N it fails only N more times (counting down in the context) and
 *               then succeeds, which lets tests drive retry budgets and re-drives. */
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

const struct o2c_action o2c_core_actions[] = {
    {"core.noop", noop, true, "does nothing; outcome ok"},
    {"core.sleep", sleep_ms, false, "sleeps context.ms milliseconds; outcome ok"},
    {"core.fail", fail, true, "fails as context.fail_as says, context.fail_times times (or forever)"},
    {NULL, NULL, false, NULL},
};
