/* Chains (runner/chain.h, o2c.complete's p_chains): a runner runs a step on through the states
 * that call no connection under the one lease it claimed it with. What must hold: the history is
 * the one a claim per state would leave (an event per state, in order, with its outcome and
 * attempt); a later state's action sees the earlier states' patches; a chain stops where the
 * runner does not serve the next lane; and o2c.complete takes no chain that does not follow
 * the workflow (wrong start, no such transition, a terminal state, a state that calls a
 * connection), writing nothing then. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <stdio.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_step_chains", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    /* a: patches {"a": 1}; b: answers with what it saw of a (the patch is not stored yet while
     * the chain runs); c: core.noop. All in lane orders, none calls a connection. */
    int ok = tpg_ok(db, "create function o2c_action.chain_mark_a(context jsonb, params jsonb) returns jsonb language sql as $$ "
                        "select jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('a', 1)) $$", 0, NULL) &&
             tpg_ok(db, "create function o2c_action.chain_read_a(context jsonb, params jsonb) returns jsonb language sql as $$ "
                        "select jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('b_saw_a', coalesce(context->'a', 'null'))) $$",
                    0, NULL) &&
             tpg_ok(db, "select o2c.define_workflow('chain3', '{\"initial\":\"a\",\"states\":{"
                        "\"a\":{\"action\":\"sql.chain_mark_a\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                        "\"b\":{\"action\":\"sql.chain_read_a\",\"lane\":\"orders\",\"on\":{\"ok\":\"c\"}},"
                        "\"c\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                        "\"done\":{\"terminal\":true}}}')", 0, NULL) &&
             tpg_ok(db, "select o2c.define_workflow('two_lanes', '{\"initial\":\"a\",\"states\":{"
                        "\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                        "\"b\":{\"action\":\"core.noop\",\"lane\":\"finance\",\"on\":{\"ok\":\"done\"}},"
                        "\"done\":{\"terminal\":true}}}')", 0, NULL) &&
             /* a C action after an sql.* one: core.fail succeeds only if it sees fail_times 0 */
             tpg_ok(db, "create function o2c_action.chain_no_failure(context jsonb, params jsonb) returns jsonb language sql as $$ "
                        "select jsonb_build_object('outcome', 'ok', 'patch', jsonb_build_object('fail_times', 0)) $$", 0, NULL) &&
             tpg_ok(db, "select o2c.define_workflow('sql_then_c', '{\"initial\":\"a\",\"states\":{"
                        "\"a\":{\"action\":\"sql.chain_no_failure\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                        "\"b\":{\"action\":\"core.fail\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                        "\"done\":{\"terminal\":true}}}')", 0, NULL) &&
             tpg_ok(db, "insert into o2c.connection (name) values ('chain_erp')", 0, NULL) &&
             tpg_ok(db, "select o2c.define_workflow('calls_out', '{\"initial\":\"a\",\"states\":{"
                        "\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                        "\"b\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"chain_erp\",\"on\":{\"ok\":\"c\"}},"
                        "\"c\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                        "\"done\":{\"terminal\":true}}}')", 0, NULL);
    return ok ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static void run_until_idle(const char *chain_max, const char *lanes)
{
    const char *args[] = {"--until-idle", "--idle-horizon-seconds", "0", "--chain-max", chain_max,
                          lanes ? "--lanes" : NULL, lanes, NULL};
    CU_ASSERT_EQUAL(tproc_wait(tproc_runner(conninfo, NULL, args)), 0);
}

/* The events of workflow `key` after its start, as "from>to:outcome:attempt" joined by spaces,
 * in id order. */
static const char *history_sql =
    "select string_agg(format('%s>%s:%s:%s', from_state, to_state, outcome, attempt), ' ' order by e.id) "
    "from o2c.event e join o2c.instance i on i.id = e.workflow_id where i.business_key = $1 and e.outcome <> 'start'";

static void test_chain_leaves_the_history_of_a_claim_per_state(void)
{
    tpg_ok(db, "select o2c.start('chain3', 'chained-' || g) from generate_series(1, 5) g", 0, NULL);
    run_until_idle("16", NULL);
    tpg_ok(db, "select o2c.start('chain3', 'one-by-one-' || g) from generate_series(1, 5) g", 0, NULL);
    run_until_idle("0", NULL);
    /* A C action in a chain reads the context with the earlier states' patches applied. */
    tpg_ok(db, "select o2c.start('sql_then_c', 'c-after-sql')", 0, NULL);
    run_until_idle("16", NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance i where i.business_key = 'c-after-sql' and i.status = 'done' "
                                   "and (select count(distinct e.claimed_at) from o2c.event e where e.workflow_id = i.id "
                                   "     and e.outcome <> 'start') = 1", 0, NULL), 1);

    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where workflow = 'chain3' and status = 'done' "
                                   "and context->>'a' = '1' and context->>'b_saw_a' = '1'", 0, NULL), 10);
    const char *chained[] = {"chained-3"}, *single[] = {"one-by-one-3"};
    char sql[600];
    snprintf(sql, sizeof sql, "select ((%s) = 'a>b:ok:1 b>c:ok:1 c>done:ok:1')::int", history_sql);
    CU_ASSERT_EQUAL(tpg_number(db, sql, 1, chained), 1);
    CU_ASSERT_EQUAL(tpg_number(db, sql, 1, single), 1);
    /* Chained: the three states ran under one lease (one claim); one by one: three claims. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select i.business_key from o2c.event e join o2c.instance i "
                                   "on i.id = e.workflow_id where i.business_key like 'chained-%' and e.outcome <> 'start' "
                                   "group by 1 having count(distinct e.claimed_at) = 1 and count(*) = 3) x", 0, NULL), 5);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from (select i.business_key from o2c.event e join o2c.instance i "
                                   "on i.id = e.workflow_id where i.business_key like 'one-by-one-%' and e.outcome <> 'start' "
                                   "group by 1 having count(distinct e.claimed_at) = 3 and count(*) = 3) x", 0, NULL), 5);
}

static void test_chain_stops_at_a_lane_the_runner_does_not_serve(void)
{
    tpg_ok(db, "select o2c.start('two_lanes', 'lanes-1')", 0, NULL);
    run_until_idle("16", "orders");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance i join o2c.step s on s.instance_id = i.id "
                                   "where i.business_key = 'lanes-1' and i.state = 'b' and s.lane = 'finance'", 0, NULL), 1);
    run_until_idle("16", "finance");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = 'lanes-1' and status = 'done'", 0, NULL), 1);
}

/* Claims workflow `key` (started just before, so due first among unclaimed ones) and completes
 * it with outcome `outcome` and chain `chain` (JSON); returns whether o2c.complete took it. */
static int complete_chained(const char *key, const char *outcome, const char *chain, const char *expected_error)
{
    const char *p[] = {key, outcome, chain};
    const char *sql =
        "select cardinality(o2c.complete('t', jsonb_build_array(jsonb_build_object("
        "'id', c.workflow_id, 'token', c.lease_token, 'outcome', $2::text, 'duration_ms', 3, 'chain', $3::jsonb)))) "
        "from o2c.claim('t', 100, 30) c where c.business_key = $1";
    if (expected_error)
        return tpg_fails_with(db, sql, 3, p, expected_error);
    return tpg_number(db, sql, 3, p) == 0;
}

static void test_complete_takes_only_chains_that_follow_the_workflow(void)
{
    tpg_ok(db, "select o2c.start('calls_out', 'bad-' || g) from generate_series(1, 5) g", 0, NULL);
    CU_ASSERT(complete_chained("bad-1", "ok", "{\"path\":[\"b\",\"ok\",\"c\"],\"durations\":[1],\"details\":[null]}",
                               "the chain starts from state \"b\", the workflow is in \"a\""));
    CU_ASSERT(complete_chained("bad-2", "ok", "{\"path\":[\"a\",\"nope\",\"b\"],\"durations\":[1],\"details\":[null]}",
                               "state \"a\" has no transition \"nope\" to \"b\""));
    CU_ASSERT(complete_chained("bad-3", "ok", "{\"path\":[\"a\",\"ok\",\"c\"],\"durations\":[1],\"details\":[null]}",
                               "state \"a\" has no transition \"ok\" to \"c\""));
    CU_ASSERT(complete_chained("bad-4", "ok", "{\"path\":[\"a\",\"ok\",\"b\"],\"durations\":[1],\"details\":[null]}",
                               "a chain passes no state that calls a connection"));
    CU_ASSERT(complete_chained("bad-5", "ok", "{\"path\":[\"a\",\"ok\"],\"durations\":[1],\"details\":[null]}",
                               "is not [state, outcome, state, …]"));
    /* Nothing was written for any of them. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key like 'bad-%' and e.outcome <> 'start'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key like 'bad-%' and state = 'a' "
                                   "and status = 'active'", 0, NULL), 5);

    /* Into a terminal state: chain3 a -> b -> c -> done, claimed in a. */
    tpg_ok(db, "select o2c.start('chain3', 'terminal-1')", 0, NULL);
    CU_ASSERT(complete_chained("terminal-1", "ok",
                               "{\"path\":[\"a\",\"ok\",\"b\",\"ok\",\"c\",\"ok\",\"done\"],\"durations\":[1,1,1],"
                               "\"details\":[null,null,null]}",
                               "state \"done\" is terminal and runs no action"));
}

static void test_a_chained_result_is_the_outcome_of_the_state_it_ended_in(void)
{
    /* One at a time: a claim takes every due step, and only the one named is completed. */
    tpg_ok(db, "select o2c.start('chain3', 'ends-ok')", 0, NULL);
    CU_ASSERT(complete_chained("ends-ok", "ok",
                               "{\"path\":[\"a\",\"ok\",\"b\"],\"durations\":[7],\"details\":[{\"note\":\"from a\"}]}", NULL));
    tpg_ok(db, "select o2c.start('chain3', 'ends-retry')", 0, NULL);
    CU_ASSERT(complete_chained("ends-retry", "retry",
                               "{\"path\":[\"a\",\"ok\",\"b\"],\"durations\":[7],\"details\":[null]}", NULL));
    char sql[600];
    snprintf(sql, sizeof sql, "select ((%s) = $2)::int", history_sql);
    CU_ASSERT_EQUAL(tpg_number(db, sql, 2, (const char *[]){"ends-ok", "a>b:ok:1 b>c:ok:1"}), 1);
    CU_ASSERT_EQUAL(tpg_number(db, sql, 2, (const char *[]){"ends-retry", "a>b:ok:1 b>b:retry:1"}), 1);
    /* The link's own duration and detail are its event's. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.business_key = 'ends-ok' and e.from_state = 'a' and e.duration_ms = 7 "
                                   "and e.detail->>'note' = 'from a'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = 'ends-ok' and state = 'c' "
                                   "and status = 'active'", 0, NULL), 1);
    /* The retry counts against b, the state it happened in, not a. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.instance where business_key = 'ends-retry' and state = 'b' "
                                   "and attempts = 1 and status = 'active'", 0, NULL), 1);
}

static CU_TestInfo tests[] = {
    {"a chain leaves the history of a claim per state, and later states see earlier patches",
     test_chain_leaves_the_history_of_a_claim_per_state},
    {"a chain stops at a lane the runner does not serve", test_chain_stops_at_a_lane_the_runner_does_not_serve},
    {"o2c.complete takes only chains that follow the workflow, and writes nothing otherwise",
     test_complete_takes_only_chains_that_follow_the_workflow},
    {"a chained result is the outcome of the state its chain ended in",
     test_a_chained_result_is_the_outcome_of_the_state_it_ended_in},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"step chains", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_step_chains", suites); }
