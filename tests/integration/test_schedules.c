/* Schedules (sql/api/schedule.sql): cron with a time zone, one workflow per tick across the fleet.
 * The clock is driven by the test (o2c.fire_schedules(now)), minute by minute across the
 * daylight-saving changes of Europe/Stockholm in 2026 (29 March 02:00 → 03:00, 25 October
 * 03:00 → 02:00) and across an outage of the whole fleet; the starts are counted in o2c.instance.
 * Then real runners fire a schedule on their own. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_schedules", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    return tpg_ok(db, "select o2c.define_workflow('tick', '{\"initial\":\"a\",\"states\":{"
                      "\"a\":{\"action\":\"core.noop\",\"lane\":\"finance\",\"on\":{\"ok\":\"done\"}},"
                      "\"done\":{\"terminal\":true}}}'::jsonb)", 0, NULL) ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

/* Fires schedules once a minute of the driven clock over [from, to) and answers how many
 * workflows the schedule `name` started. */
static long long drive(const char *name, const char *from, const char *to)
{
    const char *p[] = {from, to};
    CU_ASSERT(tpg_ok(db, "select count(o2c.fire_schedules(t)) from generate_series($1::timestamptz, "
                         "$2::timestamptz - interval '1 minute', interval '1 minute') t", 2, p));
    const char *q[] = {name};
    return tpg_number(db, "select count(*) from o2c.instance where business_key like 'schedule:' || $1 || ':%'", 1, q);
}

/* The local times (HH24:MI in the schedule's zone) of the schedule's starts, in order. */
static void local_ticks(const char *name, char *buf, size_t len)
{
    const char *p[] = {name};
    PGresult *r = tpg_query(db, "select string_agg(to_char((context->>'tick')::timestamptz at time zone 'Europe/Stockholm', "
                                "'MM-DD HH24:MI'), ' ' order by (context->>'tick')::timestamptz) "
                                "from o2c.instance where business_key like 'schedule:' || $1 || ':%'", 1, p);
    snprintf(buf, len, "%s", r && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
    PQclear(r);
}

static void test_daily_fixed_time_runs_once_a_day_across_both_changes(void)
{
    char got[512];
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('daily_0230', '30 2 * * *', 'Europe/Stockholm', 'tick', '{}', "
                         "'2026-03-27 12:00Z')", 0, NULL));
    /* 28, 29 (the gap: 02:30 never happens, so 03:30 summer time) and 30 March. */
    CU_ASSERT_EQUAL(drive("daily_0230", "2026-03-27 12:00Z", "2026-03-30 12:00Z"), 3);
    local_ticks("daily_0230", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "03-28 02:30 03-29 03:30 03-30 02:30");

    /* Autumn: 02:30 happens twice on 25 October; it runs the first time only. */
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('autumn_0230', '30 2 * * *', 'Europe/Stockholm', 'tick', '{}', "
                         "'2026-10-23 12:00Z')", 0, NULL));
    CU_ASSERT_EQUAL(drive("autumn_0230", "2026-10-23 12:00Z", "2026-10-26 12:00Z"), 3);
    local_ticks("autumn_0230", got, sizeof got);
    CU_ASSERT_STRING_EQUAL(got, "10-24 02:30 10-25 02:30 10-26 02:30");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(distinct (context->>'tick')::timestamptz) from o2c.instance "
                                   "where business_key like 'schedule:autumn_0230:%'", 0, NULL), 3);
}

static void test_every_15_minutes_follows_real_time_through_the_changes(void)
{
    /* 22:00Z to 03:00Z is five real hours either night: 20 ticks, none skipped, none doubled,
     * though the wall clock shows four hours in spring and six in autumn. */
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('spring_15', '*/15 * * * *', 'Europe/Stockholm', 'tick', '{}', "
                         "'2026-03-28 21:59Z')", 0, NULL));
    CU_ASSERT_EQUAL(drive("spring_15", "2026-03-28 21:59Z", "2026-03-29 02:59Z"), 20);
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('autumn_15', '*/15 * * * *', 'Europe/Stockholm', 'tick', '{}', "
                         "'2026-10-24 21:59Z')", 0, NULL));
    CU_ASSERT_EQUAL(drive("autumn_15", "2026-10-24 21:59Z", "2026-10-25 02:59Z"), 20);
    /* Every start is a different instant, a quarter of an hour after the one before. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select (context->>'tick')::timestamptz - lag((context->>'tick')::timestamptz) "
                                   "over (order by (context->>'tick')::timestamptz) as gap from o2c.instance "
                                   "where business_key like 'schedule:autumn_15:%') g where gap <> interval '15 minutes'",
                               0, NULL), 0);
}

/* Each test counts what its own schedules start: the earlier tests' ones stop first. */
static void only_new_schedules(void)
{
    CU_ASSERT(tpg_ok(db, "select count(o2c.unschedule(name)) from o2c.schedule", 0, NULL));
}

static void test_an_outage_of_the_whole_fleet_runs_the_missed_ticks_once(void)
{
    only_new_schedules();
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('hourly', '0 * * * *', 'UTC', 'tick', '{\"stream\":\"x\"}', "
                         "'2026-11-01 00:30Z')", 0, NULL));
    CU_ASSERT_EQUAL(drive("hourly", "2026-11-01 00:30Z", "2026-11-01 03:30Z"), 3); /* 01, 02, 03 */
    /* No runner from 03:30 to 09:10: the six ticks 04:00 … 09:00 come due at once, and run once. */
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.fire_schedules('2026-11-01 09:10Z')", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.fire_schedules('2026-11-01 09:11Z')", 0, NULL), 0);
    CU_ASSERT_EQUAL(drive("hourly", "2026-11-01 09:11Z", "2026-11-01 10:01Z"), 5);
    CU_ASSERT_EQUAL(tpg_number(db, "select missed_ticks from o2c.schedules where name = 'hourly'", 0, NULL), 5);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.schedules where name = 'hourly' "
                                   "and next_run_at = '2026-11-01 11:00Z' and last_tick = '2026-11-01 10:00Z'", 0, NULL), 1);
    /* The input reaches the workflow, with the schedule's name and tick. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = 'schedule:hourly:2026-11-01T04:00:00Z' "
                                   "and context->>'stream' = 'x' and context->>'schedule' = 'hourly'", 0, NULL), 1);
}

static void test_two_firers_at_once_start_each_tick_once(void)
{
    only_new_schedules();
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('raced', '* * * * *', 'UTC', 'tick', '{}', '2026-11-02 00:00Z')", 0, NULL));
    PGconn *other = tpg_connect(conninfo);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    /* The other session holds the due row in an open transaction: this one skips it. */
    CU_ASSERT(tpg_ok(other, "begin", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(other, "select o2c.fire_schedules('2026-11-02 00:01Z')", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.fire_schedules('2026-11-02 00:01Z')", 0, NULL), 0);
    CU_ASSERT(tpg_ok(other, "commit", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.fire_schedules('2026-11-02 00:01Z')", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key like 'schedule:raced:%'", 0, NULL), 1);
    PQfinish(other);
}

static void test_bad_schedules_are_refused_by_name(void)
{
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '61 * * * *', 'UTC', 'tick')", 0, NULL,
                             "\"61\" is outside 0 to 59 in the minute field"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '* * * *', 'UTC', 'tick')", 0, NULL, "must have five fields"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '0 6 * * *', 'Europe/Stokholm', 'tick')", 0, NULL,
                             "\"Europe/Stokholm\" is not a time zone"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '0 6 * * *', 'UTC', 'nosuch')", 0, NULL, "unknown workflow \"nosuch\""));
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '0 0 30 2 *', 'UTC', 'tick')", 0, NULL, "never runs"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.schedule('x', '0 6 * * FUN', 'UTC', 'tick')", 0, NULL, "\"FUN\" is not a weekday"));
    /* Names and macros that are fine. */
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('weekdays', '0 6 * * MON-FRI', 'Europe/London', 'tick', '{}', '2026-12-04 07:00Z')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.schedules where name = 'weekdays' and next_run_at = '2026-12-07 06:00Z'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select extract(epoch from o2c.cron_next('@monthly', 'UTC', '2026-12-04 07:00Z'))::bigint "
                                   "- extract(epoch from timestamptz '2027-01-01 00:00Z')::bigint", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.schedule where name = 'x'", 0, NULL), 0);
}

static void test_runners_fire_a_due_schedule_once_and_run_it(void)
{
    /* A schedule due now, two runners: one workflow per tick, done. */
    only_new_schedules();
    CU_ASSERT(tpg_ok(db, "select o2c.schedule('live', '* * * * *', 'UTC', 'tick', '{}', now() - interval '2 minutes')", 0, NULL));
    const char *args[] = {"--poll-ms", "100", NULL};
    char log_a[128], log_b[128];
    snprintf(log_a, sizeof log_a, "/tmp/o2c-test-schedules-a.%d.log", (int)getpid());
    snprintf(log_b, sizeof log_b, "/tmp/o2c-test-schedules-b.%d.log", (int)getpid());
    pid_t a = tproc_runner(conninfo, log_a, args);
    pid_t b = tproc_runner(conninfo, log_b, args);
    CU_ASSERT(tpg_wait_for(db, "select (count(*) > 0)::int from o2c.instance where business_key like 'schedule:live:%' "
                               "and status = 'done'", 1, 20000));
    kill(a, SIGTERM);
    kill(b, SIGTERM);
    int status = 0;
    waitpid(a, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    waitpid(b, &status, 0);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(log_a);
    unlink(log_b);
    /* One start per tick, whichever runner fired it; the next tick is in the future. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) - count(distinct business_key) from o2c.instance "
                                   "where business_key like 'schedule:live:%'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.schedules where name = 'live' and next_run_at > now() - interval '1 minute'", 0, NULL), 1);
}

static CU_TestInfo tests[] = {
    {"a daily 02:30 runs once a day across both daylight-saving changes", test_daily_fixed_time_runs_once_a_day_across_both_changes},
    {"every 15 minutes follows real time through the changes: none skipped, none doubled", test_every_15_minutes_follows_real_time_through_the_changes},
    {"ticks missed while no runner was up run once when one returns", test_an_outage_of_the_whole_fleet_runs_the_missed_ticks_once},
    {"two firers at once start each tick once", test_two_firers_at_once_start_each_tick_once},
    {"bad schedules are refused, naming what is wrong", test_bad_schedules_are_refused_by_name},
    {"runners fire a due schedule once and run its workflow", test_runners_fire_a_due_schedule_once_and_run_it},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"schedules", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_schedules", suites); }
