/* Unit tests of the runner's worker pool (runner/workers.h) and the steps it runs on a slot one
 * after the other: a step queued behind another starts on the same thread the moment that one's
 * action returns, never while it runs; after a refusal for load, or while its connection is held
 * by a Retry-After, or once the runner is stopping, it comes back unrun as "released"; and a step
 * that has finished already takes nobody behind it. No database: test actions stand in for remote calls. */
#include "runner/workers.h"
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static atomic_int running;     /* test actions running now */
static atomic_int most_running;
static atomic_int started;

/* A call that takes 30 ms; answers what its params say ("ok" unless told "throttled"). */
static void slow_call(struct o2c_step *step, struct o2c_outcome *out)
{
    int now = atomic_fetch_add(&running, 1) + 1;
    for (int seen = atomic_load(&most_running); now > seen && !atomic_compare_exchange_weak(&most_running, &seen, now);)
        ;
    atomic_fetch_add(&started, 1);
    struct timespec pause = {0, 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
    const char *answer = step->params_json;
    if (strcmp(answer, "throttled") == 0)
        o2c_outcome_throttled(out, 2000, "refused for load");
    else if (strcmp(answer, "busy") == 0) {
        o2c_outcome_throttled(out, 2000, "refused for load, no Retry-After");
        json_object_object_add(out->detail, "retry_after", json_object_new_boolean(0));
    } else
        o2c_outcome_ok(out);
    atomic_fetch_sub(&running, 1);
}

static const struct o2c_action slow = {"test.slow_call", slow_call, false, "30 ms, then as told", false};

static struct o2c_step *new_step(int64_t id, const char *connection, const char *answer)
{
    struct o2c_step *s = calloc(1, sizeof *s);
    s->workflow_id = id;
    s->workflow = strdup("w");
    s->state = strdup("call");
    s->action = strdup("test.slow_call");
    s->business_key = strdup("k");
    s->connection = strdup(connection);
    s->lane = strdup("orders");
    s->context_json = strdup("{}");
    s->params_json = strdup(answer);
    s->impl = &slow;
    s->outcome.delay_ms = -1;
    return s;
}

/* Waits until `count` steps are done and moves them to out[]. */
static int take(o2c_workers *w, struct o2c_step **out, int count)
{
    int got = 0;
    for (int tries = 0; got < count && tries < 1000; tries++) {
        got += o2c_workers_take_done(w, out + got, count - got);
        if (got < count)
            usleep(5000);
    }
    return got;
}

static void reset(void)
{
    atomic_store(&running, 0);
    atomic_store(&most_running, 0);
    atomic_store(&started, 0);
}

static void test_a_queued_step_runs_right_after_its_leader(void)
{
    reset();
    int fd = eventfd(0, EFD_NONBLOCK);
    o2c_workers *w = o2c_workers_start(4, fd);
    struct o2c_step *a = new_step(1, "erp", "ok"), *b = new_step(2, "erp", "ok"), *c = new_step(3, "erp", "ok");
    o2c_workers_submit(w, a);
    CU_ASSERT(o2c_workers_follow(w, a, b));
    CU_ASSERT(!o2c_workers_follow(w, a, c)); /* one behind each call */
    CU_ASSERT(o2c_workers_follow(w, b, c));  /* and one behind that one */
    struct o2c_step *done[3];
    CU_ASSERT_EQUAL_FATAL(take(w, done, 3), 3);
    /* In slot order, each after the one before: never two at once, though four threads were free. */
    CU_ASSERT_PTR_EQUAL(done[0], a);
    CU_ASSERT_PTR_EQUAL(done[1], b);
    CU_ASSERT_PTR_EQUAL(done[2], c);
    CU_ASSERT_EQUAL(atomic_load(&most_running), 1);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_STRING_EQUAL(done[i]->outcome.name, "ok");
    /* A step that has finished takes nobody: the caller submits the next one itself. */
    struct o2c_step *d = new_step(4, "erp", "ok");
    CU_ASSERT(!o2c_workers_follow(w, c, d));
    o2c_step_free(d);
    for (int i = 0; i < 3; i++)
        o2c_step_free(done[i]);
    o2c_workers_stop(w);
    close(fd);
}

static void test_after_a_refusal_the_queued_step_comes_back_unrun(void)
{
    reset();
    int fd = eventfd(0, EFD_NONBLOCK);
    o2c_workers *w = o2c_workers_start(4, fd);
    /* Refused without Retry-After: only the step behind that call goes back. */
    struct o2c_step *a = new_step(1, "erp", "busy"), *b = new_step(2, "erp", "ok");
    o2c_workers_submit(w, a);
    CU_ASSERT(o2c_workers_follow(w, a, b));
    struct o2c_step *done[2];
    CU_ASSERT_EQUAL_FATAL(take(w, done, 2), 2);
    CU_ASSERT_STRING_EQUAL(done[0]->outcome.name, "throttled");
    CU_ASSERT_STRING_EQUAL(done[1]->outcome.name, "released");
    CU_ASSERT_EQUAL(atomic_load(&started), 1);
    o2c_step_free(done[0]);
    o2c_step_free(done[1]);

    /* The connection is not held: a step queued behind another call on it still runs. */
    struct o2c_step *c = new_step(3, "erp", "ok"), *d = new_step(4, "erp", "ok");
    o2c_workers_submit(w, c);
    CU_ASSERT(o2c_workers_follow(w, c, d));
    CU_ASSERT_EQUAL_FATAL(take(w, done, 2), 2);
    CU_ASSERT_STRING_EQUAL(done[1]->outcome.name, "ok");
    o2c_step_free(done[0]);
    o2c_step_free(done[1]);

    /* Refused with Retry-After (2 s): the connection is held, so a step queued behind another
     * call on it comes back unrun too; another connection's does not. */
    struct o2c_step *e = new_step(5, "erp", "throttled"), *f = new_step(6, "erp", "ok");
    o2c_workers_submit(w, e);
    CU_ASSERT(o2c_workers_follow(w, e, f));
    CU_ASSERT_EQUAL_FATAL(take(w, done, 2), 2);
    CU_ASSERT_STRING_EQUAL(done[1]->outcome.name, "released");
    o2c_step_free(done[0]);
    o2c_step_free(done[1]);
    struct o2c_step *g = new_step(7, "erp", "ok"), *h = new_step(8, "erp", "ok");
    struct o2c_step *i = new_step(9, "shop", "ok"), *j = new_step(10, "shop", "ok");
    o2c_workers_submit(w, g);
    CU_ASSERT(o2c_workers_follow(w, g, h));
    o2c_workers_submit(w, i);
    CU_ASSERT(o2c_workers_follow(w, i, j));
    struct o2c_step *four[4];
    CU_ASSERT_EQUAL_FATAL(take(w, four, 4), 4);
    for (int k = 0; k < 4; k++) {
        const char *want = four[k] == h ? "released" : "ok";
        CU_ASSERT_STRING_EQUAL(four[k]->outcome.name, want);
        o2c_step_free(four[k]);
    }
    o2c_workers_stop(w);
    close(fd);
}

static void test_stopping_runs_what_is_queued(void)
{
    reset();
    int fd = eventfd(0, EFD_NONBLOCK);
    o2c_workers *w = o2c_workers_start(1, fd);
    struct o2c_step *a = new_step(1, "erp", "ok"), *b = new_step(2, "erp", "ok");
    o2c_workers_submit(w, a);
    CU_ASSERT(o2c_workers_follow(w, a, b));
    o2c_workers_stop(w); /* waits for both, frees what it still holds */
    CU_ASSERT_EQUAL(atomic_load(&started), 2);
    close(fd);
}

static void test_a_stopping_runner_releases_what_is_queued(void)
{
    reset();
    int fd = eventfd(0, EFD_NONBLOCK);
    o2c_workers *w = o2c_workers_start(2, fd);
    struct o2c_step *a = new_step(1, "erp", "ok"), *b = new_step(2, "erp", "ok");
    o2c_workers_submit(w, a);
    CU_ASSERT(o2c_workers_follow(w, a, b));
    o2c_workers_release_queued(w); /* SIGTERM: finish the calls made, start no more */
    struct o2c_step *done[2];
    CU_ASSERT_EQUAL_FATAL(take(w, done, 2), 2);
    CU_ASSERT_STRING_EQUAL(done[0]->outcome.name, "ok");
    CU_ASSERT_STRING_EQUAL(done[1]->outcome.name, "released");
    CU_ASSERT_EQUAL(atomic_load(&started), 1);
    o2c_step_free(done[0]);
    o2c_step_free(done[1]);
    o2c_workers_stop(w);
    close(fd);
}

static CU_TestInfo tests[] = {
    {"a step queued behind a call runs right after it, on its thread", test_a_queued_step_runs_right_after_its_leader},
    {"after a refusal for load the queued step comes back unrun", test_after_a_refusal_the_queued_step_comes_back_unrun},
    {"stopping runs what is queued", test_stopping_runs_what_is_queued},
    {"a stopping runner releases what is queued", test_a_stopping_runner_releases_what_is_queued},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"workers", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_workers", suites); }
