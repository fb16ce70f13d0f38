/* Real o2c-runner processes against a real PostgreSQL: racing runners complete every step
 * exactly once, a killed runner's steps finish elsewhere, a stalled runner's late completion is
 * refused, SIGTERM drains, NOTIFY wakes, and a connection's limit holds for the whole fleet. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;
static char log_dir[256];

static int set_up(void)
{
    if (tsup_fresh_database("o2c_test_runners", conninfo, sizeof conninfo) != 0)
        return -1;
    snprintf(log_dir, sizeof log_dir, "/tmp/o2c-test-runners.%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", log_dir);
    if (system(cmd) != 0)
        return -1;
    db = tpg_connect(conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", log_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *log_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s.log", log_dir, name);
    unlink(buf);
    return buf;
}

static void define(const char *name, const char *spec)
{
    const char *params[] = {name, spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params));
}

static void test_racing_runners_complete_every_step_once(void)
{
    define("race", "{\"initial\":\"one\",\"states\":{"
                   "\"one\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"two\"}},"
                   "\"two\":{\"action\":\"core.noop\",\"lane\":\"fulfilment\",\"on\":{\"ok\":\"three\"}},"
                   "\"three\":{\"action\":\"core.noop\",\"lane\":\"finance\",\"on\":{\"ok\":\"done\"}},"
                   "\"done\":{\"terminal\":true}}}");
    CU_ASSERT_FATAL(tpg_ok(db, "select count(o2c.start('race', 'order-' || g)) from generate_series(1, 10000) g", 0, NULL));
    const char *args[] = {"--until-idle", "--concurrency", "8", "--batch", "32", "--idle-horizon-seconds", "0", NULL};
    pid_t pids[4];
    char path[300];
    for (int i = 0; i < 4; i++)
        pids[i] = tproc_runner(conninfo, log_path(i % 2 ? "race-odd" : "race-even", path, sizeof path), args);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(tproc_wait(pids[i]), 0);

    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'race' and status = 'done'", 0, NULL), 10000);
    /* Exactly once: three completed steps per workflow, no more, no fewer, none redone. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'race' and e.outcome = 'ok'", 0, NULL), 30000);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select e.workflow_id, e.from_state from o2c.events e "
                                   "join o2c.instance i on i.id = e.workflow_id where i.workflow = 'race' and e.outcome = 'ok' "
                                   "group by 1, 2 having count(*) <> 1) x", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where outcome = 'lease_expired'", 0, NULL), 0);
    /* They really raced: the work was shared. */
    CU_ASSERT(tpg_number(db, "select count(distinct runner) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                             "where i.workflow = 'race' and e.outcome = 'ok'", 0, NULL) >= 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.step", 0, NULL), 0);
}

static void test_killed_runner_steps_finish_elsewhere(void)
{
    define("killed", "{\"initial\":\"work\",\"states\":{"
                     "\"work\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                     "\"done\":{\"terminal\":true}}}");
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('killed', 'k-' || g, '{\"ms\": 1500}') from generate_series(1, 6) g", 0, NULL));
    char path[300];
    const char *a_args[] = {"--runner-id", "runner-a", "--lease-seconds", "1", "--concurrency", "8", NULL};
    pid_t a = tproc_runner(conninfo, log_path("killed-a", path, sizeof path), a_args);
    CU_ASSERT(tpg_wait_for(db, "select (count(*) = 6)::int from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                     "where i.workflow = 'killed' and s.leased_by = 'runner-a'", 1, 10000));
    kill(a, SIGKILL);
    CU_ASSERT_EQUAL(tproc_wait(a), 128 + SIGKILL);

    const char *b_args[] = {"--runner-id", "runner-b", "--until-idle", "--concurrency", "8", NULL};
    pid_t b = tproc_runner(conninfo, log_path("killed-b", path, sizeof path), b_args);
    CU_ASSERT_EQUAL(tproc_wait(b), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'killed' and status = 'done'", 0, NULL), 6);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'killed' and e.outcome = 'lease_expired' and e.runner = 'runner-b' "
                                   "and e.detail->>'previous_runner' = 'runner-a'", 0, NULL), 6);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'killed' and e.outcome = 'ok' and e.runner = 'runner-b'", 0, NULL), 6);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'killed' and e.outcome = 'ok' and e.runner <> 'runner-b'", 0, NULL), 0);
}

static void test_stalled_runner_late_completion_is_refused(void)
{
    define("stalled", "{\"initial\":\"work\",\"states\":{"
                      "\"work\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                      "\"done\":{\"terminal\":true}}}");
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('stalled', 's-' || g, '{\"ms\": 700}') from generate_series(1, 4) g", 0, NULL));
    char a_log[300], path[300];
    const char *a_args[] = {"--runner-id", "runner-slow", "--lease-seconds", "1", "--concurrency", "8", NULL};
    pid_t a = tproc_runner(conninfo, log_path("stalled-a", a_log, sizeof a_log), a_args);
    CU_ASSERT_FATAL(tpg_wait_for(db, "select (count(*) = 4)::int from o2c.step s join o2c.instance i on i.id = s.instance_id "
                               "where i.workflow = 'stalled' and s.leased_by = 'runner-slow'", 1, 10000));
    kill(a, SIGSTOP); /* a long GC pause, a frozen VM, a network partition */

    const char *b_args[] = {"--runner-id", "runner-fast", "--until-idle", NULL};
    pid_t b = tproc_runner(conninfo, log_path("stalled-b", path, sizeof path), b_args);
    CU_ASSERT_EQUAL(tproc_wait(b), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'stalled' and status = 'done'", 0, NULL), 4);

    kill(a, SIGCONT);
    kill(a, SIGTERM); /* finish what it holds (its results come too late), then exit */
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
    CU_ASSERT_EQUAL(tproc_count_lines(a_log, "completion refused"), 4);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'stalled' and e.outcome = 'ok'", 0, NULL), 4);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'stalled' and e.runner = 'runner-slow' and e.outcome = 'ok'", 0, NULL), 0);
}

static void test_a_lease_taken_over_is_reported_lost_once(void)
{
    /* The lease keeper renews every third of the lease. A step whose lease another runner has
     * taken is reported once, not at every renewal, and its late result is refused. (Steps whose
     * result was just committed are not losses; they are told apart by being let go.) */
    define("taken", "{\"initial\":\"work\",\"states\":{"
                    "\"work\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                    "\"done\":{\"terminal\":true}}}");
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('taken', 't-1', '{\"ms\": 3000}')", 0, NULL));
    char a_log[300];
    const char *a_args[] = {"--runner-id", "runner-robbed", "--lease-seconds", "1", NULL};
    pid_t a = tproc_runner(conninfo, log_path("taken", a_log, sizeof a_log), a_args);
    CU_ASSERT_FATAL(tpg_wait_for(db, "select count(*) from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                     "where i.workflow = 'taken' and s.leased_by = 'runner-robbed'", 1, 10000));
    /* What another runner's claim of an expired lease does to the row. */
    CU_ASSERT(tpg_ok(db, "update o2c.step s set leased_by = 'runner-other', lease_token = nextval('o2c.lease_token_seq'), "
                         "       leased_at = now(), leased_until = now() + interval '1 hour' "
                         "  from o2c.instance i where i.id = s.instance_id and i.workflow = 'taken'", 0, NULL));
    /* Its call ends after three seconds; its result is refused; then it is stopped (a step
     * leased to another runner keeps --until-idle waiting). */
    for (int i = 0; i < 150 && tproc_count_lines(a_log, "completion refused") == 0; i++)
        tproc_sleep_ms(100);
    kill(a, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
    CU_ASSERT_EQUAL(tproc_count_lines(a_log, "leases lost"), 1);
    CU_ASSERT_EQUAL(tproc_count_lines(a_log, "completion refused"), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'taken' and e.outcome = 'ok'", 0, NULL), 0);
    CU_ASSERT(tpg_ok(db, "select o2c.cancel(id, 'test over') from o2c.instance where workflow = 'taken'", 0, NULL));
}

static void test_sigterm_drains_in_flight_steps(void)
{
    define("drain", "{\"initial\":\"work\",\"states\":{"
                    "\"work\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"on\":{\"ok\":\"after\"}},"
                    "\"after\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                    "\"done\":{\"terminal\":true}}}");
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.start('drain', 'd-' || g, '{\"ms\": 700}') from generate_series(1, 4) g", 0, NULL));
    char path[300];
    const char *args[] = {"--runner-id", "runner-drain", "--concurrency", "4", NULL};
    pid_t a = tproc_runner(conninfo, log_path("drain", path, sizeof path), args);
    CU_ASSERT_FATAL(tpg_wait_for(db, "select (count(*) = 4)::int from o2c.step s join o2c.instance i on i.id = s.instance_id "
                               "where i.workflow = 'drain' and s.leased_by = 'runner-drain'", 1, 10000));
    kill(a, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
    /* The four steps in flight were finished and committed; nothing new was claimed. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'drain' and state = 'after' "
                                   "and status = 'active' and leased_by is null", 0, NULL), 4);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'drain' and e.outcome = 'ok' and e.from_state = 'work'", 0, NULL), 4);
    const char *b_args[] = {"--until-idle", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log_path("drain-b", path, sizeof path), b_args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'drain' and status = 'done'", 0, NULL), 4);
}

static void test_retry_exception_redrive_done(void)
{
    define("flaky", "{\"initial\":\"call\",\"states\":{"
                    "\"call\":{\"action\":\"core.fail\",\"lane\":\"orders\",\"owner\":\"ops\","
                    "\"retry\":{\"max_attempts\":3,\"base_ms\":10,\"cap_ms\":50},\"on\":{\"ok\":\"done\"}},"
                    "\"done\":{\"terminal\":true}}}");
    long long id = tpg_number(db, "select o2c.start('flaky', 'f-1', '{\"fail_as\":\"retry\",\"fail_times\":4,"
                                  "\"message\":\"HTTP 503 Service Unavailable\"}')", 0, NULL);
    char id_text[32], path[300];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};
    const char *args[] = {"--until-idle", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log_path("flaky-1", path, sizeof path), args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow_id = $1 and category = 'retries_exhausted' "
                                   "and owner = 'ops' and message like '%HTTP 503%'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select attempts from o2c.workflows where id = $1", 1, p), 3);

    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log_path("flaky-2", path, sizeof path), args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and status = 'done'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'retry'", 1, p), 4);
    /* The fresh budget: the success came on the second attempt after the re-drive. */
    CU_ASSERT_EQUAL(tpg_number(db, "select attempt from o2c.events where workflow_id = $1 and outcome = 'ok'", 1, p), 2);
}

static void test_throttled_uses_no_attempts(void)
{
    define("throttle", "{\"initial\":\"call\",\"states\":{"
                       "\"call\":{\"action\":\"core.fail\",\"lane\":\"orders\",\"retry\":{\"max_attempts\":1},\"on\":{\"ok\":\"done\"}},"
                       "\"done\":{\"terminal\":true}}}");
    long long id = tpg_number(db, "select o2c.start('throttle', 't-1', '{\"fail_as\":\"throttled\",\"fail_times\":3,\"delay_ms\":10}')", 0, NULL);
    char id_text[32], path[300];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};
    const char *args[] = {"--until-idle", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log_path("throttle", path, sizeof path), args)), 0);
    /* With one attempt allowed, any counted attempt would have ended in an exception. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and status = 'done'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'throttled' and attempt = 1", 1, p), 3);
}

static void test_notify_wakes_an_idle_runner(void)
{
    define("wake", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"inventory\",\"on\":{\"ok\":\"b\"}},"
                   "\"b\":{\"terminal\":true}}}");
    char path[300];
    /* It polls only once a minute: only the notification can wake it in time. */
    const char *args[] = {"--runner-id", "runner-wake", "--poll-ms", "60000", NULL};
    pid_t a = tproc_runner(conninfo, log_path("wake", path, sizeof path), args);
    /* "runner started" is logged once it LISTENs; then it finds nothing and settles into its wait. */
    for (int waited = 0; waited < 10000 && tproc_count_lines(path, "runner started") == 0; waited += 20)
        tproc_sleep_ms(20);
    CU_ASSERT(tproc_count_lines(path, "runner started") == 1);
    tproc_sleep_ms(300);
    tpg_ok(db, "select o2c.start('wake', 'w-1')", 0, NULL);
    CU_ASSERT(tpg_wait_for(db, "select count(*) from o2c.workflows where workflow = 'wake' and status = 'done'", 1, 10000));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where runner = 'runner-wake' and outcome = 'ok'", 0, NULL), 1);
    kill(a, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
}

static void test_connection_limit_holds_for_the_fleet(void)
{
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.connection (name, system, max_concurrent) values ('fleet_erp', 'generic', 3)", 0, NULL));
    define("erp_bound", "{\"initial\":\"post\",\"states\":{"
                        "\"post\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"connection\":\"fleet_erp\",\"on\":{\"ok\":\"done\"}},"
                        "\"done\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('erp_bound', 'e-' || g, '{\"ms\": 60}') from generate_series(1, 60) g", 0, NULL);
    char path[300];
    const char *args[] = {"--until-idle", "--concurrency", "8", "--poll-ms", "50", NULL};
    pid_t pids[3];
    for (int i = 0; i < 3; i++)
        pids[i] = tproc_runner(conninfo, log_path("fleet", path, sizeof path), args);
    long long max_seen = 0;
    for (int i = 0; i < 2000; i++) {
        long long in_flight = tpg_number(db, "select in_flight from o2c.connections where name = 'fleet_erp'", 0, NULL);
        if (in_flight > max_seen)
            max_seen = in_flight;
        if (tpg_number(db, "select count(*) from o2c.workflows where workflow = 'erp_bound' and status <> 'done'", 0, NULL) == 0)
            break;
        tproc_sleep_ms(5);
    }
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(tproc_wait(pids[i]), 0);
    CU_ASSERT(max_seen >= 1);
    CU_ASSERT(max_seen <= 3);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'erp_bound' and status = 'done'", 0, NULL), 60);
}

static void test_a_slot_goes_straight_on_to_the_next_call(void)
{
    /* One slot, six steps of 200 ms, a runner that polls once a minute. The claim that starts a
     * call also queues the next step behind it, and each completion's claim queues one behind
     * the call that took the slot over: every step but the first is claimed before the call
     * ahead of it has ended, and starts on the worker that ran that call, without waiting for
     * the database. The runner says how many it queued so. (A call shorter than a claim's round
     * trip could end before its successor is handed to its worker; that one would then start
     * from the claim loop instead. The calls here take 200 ms because a claim under ASan on a
     * busy machine can take tens of milliseconds.) */
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.connection (name, system, max_concurrent) values ('one_slot', 'generic', 1)", 0, NULL));
    define("one_slot_bound", "{\"initial\":\"post\",\"states\":{"
                             "\"post\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"connection\":\"one_slot\",\"on\":{\"ok\":\"done\"}},"
                             "\"done\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('one_slot_bound', 's-' || g, '{\"ms\": 200}') from generate_series(1, 6) g", 0, NULL);
    char path[300];
    const char *args[] = {"--until-idle", "--concurrency", "4", "--poll-ms", "60000", "--log-level", "info", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, log_path("one-slot", path, sizeof path), args)), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'one_slot_bound' and status = 'done'", 0, NULL), 6);
    CU_ASSERT_EQUAL(tpg_number(db, "with e as (select a.claimed_at, a.at, lag(a.at) over (order by a.at) as previous_end "
                                   "from o2c.events a join o2c.instance i on i.id = a.workflow_id "
                                   "where i.workflow = 'one_slot_bound' and a.outcome = 'ok') "
                                   "select count(*) from e where e.claimed_at < e.previous_end", 0, NULL), 5);
    CU_ASSERT_EQUAL(tproc_count_lines(path, "\"queued_on_slot\":5"), 1);
    /* The slot went from call to call and is free at the end. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection_lease where connection = 'one_slot'", 0, NULL), 0);
}

static void test_metrics_endpoint(void)
{
    define("metered", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                      "\"b\":{\"action\":\"core.fail\",\"lane\":\"orders\",\"on\":{\"ok\":\"c\"}},\"c\":{\"terminal\":true}}}");
    char path[300];
    const char *args[] = {"--runner-id", "runner-metrics", "--metrics-port", "0", NULL};
    pid_t a = tproc_runner(conninfo, log_path("metrics", path, sizeof path), args);
    for (int waited = 0; waited < 10000 && tproc_count_lines(path, "serving Prometheus metrics") == 0; waited += 20)
        tproc_sleep_ms(20);
    /* The port is in the log line: ..."port":NNNNN} */
    int port = 0;
    FILE *f = fopen(path, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "serving Prometheus metrics") && strstr(line, "\"port\":"))
            port = atoi(strstr(line, "\"port\":") + 7);
    if (f)
        fclose(f);
    CU_ASSERT_FATAL(port > 0);
    /* Four workflows: four noop steps ok, then four core.fail steps failed (no fail_times). */
    tpg_ok(db, "select o2c.start('metered', 'm-' || g) from generate_series(1, 4) g", 0, NULL);
    CU_ASSERT(tpg_wait_for(db, "select (count(*) = 4)::int from o2c.exceptions where workflow = 'metered'", 1, 10000));
    static char body[16384];
    CU_ASSERT_EQUAL(tproc_http_get(port, "/metrics", body, sizeof body), 200);
    CU_ASSERT(strstr(body, "o2c_steps_completed_total{runner=\"runner-metrics\",outcome=\"ok\"} 4\n") != NULL);
    CU_ASSERT(strstr(body, "o2c_steps_completed_total{runner=\"runner-metrics\",outcome=\"failed\"} 4\n") != NULL);
    CU_ASSERT(strstr(body, "o2c_completions_refused_total{runner=\"runner-metrics\"} 0\n") != NULL);
    CU_ASSERT(strstr(body, "# TYPE o2c_steps_in_flight gauge") != NULL);
    CU_ASSERT_EQUAL(tproc_http_get(port, "/other", body, sizeof body), 404);
    kill(a, SIGTERM);
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
}

static void test_runner_survives_losing_its_database_connection(void)
{
    define("cut", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.sleep\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                  "\"b\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"c\"}},\"c\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('cut', 'cut-' || g, '{\"ms\": 5}') from generate_series(1, 1500) g", 0, NULL);
    char path[300];
    const char *args[] = {"--runner-id", "runner-cut", "--until-idle", "--concurrency", "8", "--lease-seconds", "2", NULL};
    pid_t a = tproc_runner(conninfo, log_path("cut", path, sizeof path), args);
    /* Cut its connection three times while it works (a failover, an idle-connection killer). */
    for (int cut = 0; cut < 3; cut++) {
        CU_ASSERT(tpg_wait_for(db, "select (count(*) > 0)::int from o2c.workflows where workflow = 'cut' and status = 'done'", 1, 20000));
        tproc_sleep_ms(150);
        tpg_ok(db, "select pg_terminate_backend(pid) from pg_stat_activity "
                   "where pid <> pg_backend_pid() and datname = current_database() and backend_type = 'client backend'", 0, NULL);
    }
    CU_ASSERT_EQUAL(tproc_wait(a), 0);
    CU_ASSERT(tproc_count_lines(path, "database connection restored") >= 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'cut' and status = 'done'", 0, NULL), 1500);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select e.workflow_id, e.from_state from o2c.events e "
                                   "join o2c.instance i on i.id = e.workflow_id where i.workflow = 'cut' and e.outcome = 'ok' "
                                   "group by 1, 2 having count(*) <> 1) x", 0, NULL), 0);
}

static void test_runner_gives_up_on_a_claim_the_database_refuses(void)
{
    /* A schema the runner does not match: its claim statement cannot run at all. */
    char other[1024], path[300];
    PGconn *empty = tpg_fresh("o2c_test_runners_old_schema", other, sizeof other);
    CU_ASSERT_FATAL(empty != NULL);
    tpg_ok(empty, "select o2c.define_workflow('w', '{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\","
                  "\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}')", 0, NULL);
    tpg_ok(empty, "select o2c.start('w', 'pending')", 0, NULL);
    tpg_ok(empty, "drop function o2c.claim(text, int, int, text[], boolean, bigint[])", 0, NULL);
    PQfinish(empty);
    const char *args[] = {"--until-idle", NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(other, log_path("old-schema", path, sizeof path), args)), 1);
    CU_ASSERT(tproc_count_lines(path, "is the schema up to date? run bin/o2c migrate") == 1);
}

static CU_TestInfo tests[] = {
    {"4 runners over 10,000 workflows: every step exactly once", test_racing_runners_complete_every_step_once},
    {"a runner killed mid-step: its steps finish on another after the lease", test_killed_runner_steps_finish_elsewhere},
    {"a lease taken over is reported lost once, and the late result refused", test_a_lease_taken_over_is_reported_lost_once},
    {"a stalled runner's late completion is refused", test_stalled_runner_late_completion_is_refused},
    {"SIGTERM finishes the steps in flight and claims no more", test_sigterm_drains_in_flight_steps},
    {"retry, then exception, then redrive, then done", test_retry_exception_redrive_done},
    {"throttled does not use attempts", test_throttled_uses_no_attempts},
    {"NOTIFY wakes an idle runner", test_notify_wakes_an_idle_runner},
    {"a connection's concurrency limit holds for the whole fleet", test_connection_limit_holds_for_the_fleet},
    {"a connection slot goes straight on to the next call, queued behind the one before", test_a_slot_goes_straight_on_to_the_next_call},
    {"--metrics-port serves the runner's counters in Prometheus text format", test_metrics_endpoint},
    {"a runner whose database connection is cut reconnects and finishes, nothing twice", test_runner_survives_losing_its_database_connection},
    {"a runner gives up, with a clear message, on a claim the database keeps refusing", test_runner_gives_up_on_a_claim_the_database_refuses},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"runners", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_runners", suites); }
