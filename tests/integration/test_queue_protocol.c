/* The queue protocol runners speak, driven directly in SQL so each rule is checked exactly:
 * fencing of late completions, lane priority without starvation, fleet-wide connection limits,
 * and how retry, throttled, locked and failed outcomes move a workflow. */
#include "runner/completion.h"
#include "runner/queries.h"
#include "runner/wake.h"
#include "tests/support/harness.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_queue_protocol", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

/* Keeps each test's steps to itself: nothing else is due while it runs. */
static void clear_queue(void)
{
    tpg_ok(db, "update o2c.instance set status = 'cancelled' where status = 'active'", 0, NULL);
    tpg_ok(db, "delete from o2c.step", 0, NULL);
}

static void define(const char *name, const char *spec)
{
    const char *params[] = {name, spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params));
}

/* Completes, as `runner`, every step it holds of workflow `wf` with `outcome`; returns the
 * number of refused completions. */
static long long complete_all(const char *runner, const char *wf, const char *outcome, const char *extra)
{
    const char *params[] = {runner, wf, outcome, extra ? extra : "{}"};
    return tpg_number(db,
                      "select cardinality(o2c.complete($1, (select coalesce(jsonb_agg(jsonb_build_object("
                      "'id', s.instance_id, 'token', s.lease_token, 'outcome', $3::text, 'duration_ms', 1) || $4::jsonb), '[]') "
                      "from o2c.step s join o2c.instance i on i.id = s.instance_id "
                      "where s.leased_by = $1 and i.workflow = $2)))",
                      4, params);
}

static void test_late_completion_is_refused(void)
{
    clear_queue();
    define("fence", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    long long id = tpg_number(db, "select o2c.start('fence', 'f-1')", 0, NULL);
    /* Runner A claims with a one-second lease, then stalls past it. */
    long long token_a = tpg_number(db, "select lease_token from o2c.claim('runner-a', 10, 1)", 0, NULL);
    CU_ASSERT(token_a > 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('runner-b', 10, 30)", 0, NULL), 0);
    tproc_sleep_ms(1200);
    /* Runner B finds the expired lease and takes the step over. */
    long long token_b = tpg_number(db, "select lease_token from o2c.claim('runner-b', 10, 30)", 0, NULL);
    CU_ASSERT(token_b > 0 && token_b != token_a);
    char id_text[32], ta[32], tb[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    snprintf(ta, sizeof ta, "%lld", token_a);
    snprintf(tb, sizeof tb, "%lld", token_b);
    const char *late[] = {"runner-a", id_text, ta};
    /* A wakes up and reports: refused, nothing written. */
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.complete($1, jsonb_build_array(jsonb_build_object("
                                   "'id', $2::bigint, 'token', $3::bigint, 'outcome', 'ok'))))", 3, late), 1);
    const char *p[] = {id_text};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'a' and status = 'active'", 1, p), 1);
    /* A cannot renew the lease it lost either. */
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.renew_leases('runner-a', array[$1::bigint], array[$2::bigint], 30))",
                               2, (const char *[]){id_text, ta}), 1);
    /* B's completion is accepted. */
    const char *current[] = {"runner-b", id_text, tb};
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.complete($1, jsonb_build_array(jsonb_build_object("
                                   "'id', $2::bigint, 'token', $3::bigint, 'outcome', 'ok'))))", 3, current), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and status = 'done'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'ok'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'lease_expired' "
                                   "and runner = 'runner-b' and detail->>'previous_runner' = 'runner-a'", 1, p), 1);
}

static void test_lanes_priority_and_fairness(void)
{
    clear_queue();
    define("lane_orders", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    define("lane_stock", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"inventory\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    define("lane_finance", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"finance\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    /* Finance work queued first (oldest), then orders, then inventory last. */
    tpg_ok(db, "select o2c.start('lane_finance', 'fin-' || g) from generate_series(1, 5) g", 0, NULL);
    tpg_ok(db, "update o2c.step set due_at = now() - interval '1 minute'", 0, NULL);
    tpg_ok(db, "select o2c.start('lane_orders', 'ord-' || g) from generate_series(1, 20) g", 0, NULL);
    tpg_ok(db, "select o2c.start('lane_stock', 'inv-' || g) from generate_series(1, 5) g", 0, NULL);

    /* A normal claim takes inventory first, then orders. */
    PGresult *res = tpg_query(db, "select lane from o2c.claim('r', 8, 30)", 0, NULL);
    CU_ASSERT_FATAL(res != NULL);
    CU_ASSERT_EQUAL(PQntuples(res), 8);
    for (int i = 0; i < PQntuples(res); i++)
        CU_ASSERT_STRING_EQUAL(PQgetvalue(res, i, 0), i < 5 ? "inventory" : "orders");
    PQclear(res);
    /* A fair claim takes the oldest due work, whatever its lane: finance is not starved. */
    res = tpg_query(db, "select lane from o2c.claim('r', 3, 30, null, true)", 0, NULL);
    CU_ASSERT_FATAL(res != NULL);
    CU_ASSERT_EQUAL(PQntuples(res), 3);
    for (int i = 0; i < PQntuples(res); i++)
        CU_ASSERT_STRING_EQUAL(PQgetvalue(res, i, 0), "finance");
    PQclear(res);
    /* --lanes: a runner restricted to finance gets only finance. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) filter (where lane <> 'finance') + 100 * count(*) "
                                   "from o2c.claim('r', 50, 30, array['finance'])", 0, NULL), 200);
}

static void test_connection_concurrency_limit(void)
{
    clear_queue();
    tpg_ok(db, "insert into o2c.connection (name, max_concurrent) values ('erp', 3)", 0, NULL);
    define("conn_erp", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"inventory\",\"connection\":\"erp\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    define("conn_free", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"finance\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('conn_erp', 'e-' || g) from generate_series(1, 10) g", 0, NULL);
    tpg_ok(db, "select o2c.start('conn_free', 'f-' || g) from generate_series(1, 4) g", 0, NULL);

    /* Two runners together get only three erp steps; the waiting ones hold no slot, so the
     * lower-lane work without a connection is handed out instead. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r1', 2, 30) where connection = 'erp'", 0, NULL), 2);
    PGresult *res = tpg_query(db, "select connection from o2c.claim('r2', 5, 30)", 0, NULL);
    CU_ASSERT_FATAL(res != NULL);
    int erp = 0, other = 0;
    for (int i = 0; i < PQntuples(res); i++)
        if (strcmp(PQgetvalue(res, i, 0), "erp") == 0)
            erp++;
        else
            other++;
    PQclear(res);
    CU_ASSERT_EQUAL(erp, 1);
    CU_ASSERT_EQUAL(other, 4);
    CU_ASSERT_EQUAL(tpg_number(db, "select in_flight from o2c.connections where name = 'erp'", 0, NULL), 3);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r3', 10, 30)", 0, NULL), 0);
    /* Finishing one frees one place. */
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.complete('r1', (select jsonb_agg(jsonb_build_object("
                                   "'id', instance_id, 'token', lease_token, 'outcome', 'ok')) from "
                                   "(select * from o2c.step where leased_by = 'r1' and connection = 'erp' limit 1) s)))", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r3', 10, 30)", 0, NULL), 1);
    /* Paused: nothing more starts on it. */
    complete_all("r3", "conn_erp", "ok", NULL);
    tpg_ok(db, "select o2c.pause_connection('erp', 'ERP maintenance window')", 0, NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r4', 10, 30)", 0, NULL), 0);
    tpg_ok(db, "select o2c.resume_connection('erp')", 0, NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r4', 10, 30)", 0, NULL), 1);
}

/* Completes one step (held by `runner`) with `outcome`; answers the number refused. */
static long long complete_one(const char *runner, const char *id, const char *outcome)
{
    const char *params[] = {runner, id, outcome};
    return tpg_number(db,
                      "select cardinality(o2c.complete($1, (select jsonb_agg(jsonb_build_object('id', s.instance_id, "
                      "'token', s.lease_token, 'outcome', $3::text, 'duration_ms', 1)) from o2c.step s "
                      "where s.instance_id = $2::bigint and s.leased_by = $1)))",
                      3, params);
}

static long long in_flight(const char *connection)
{
    const char *p[] = {connection};
    return tpg_number(db, "select in_flight from o2c.connections where name = $1", 1, p);
}

static void test_steps_queued_behind_calls_take_over_their_slots(void)
{
    clear_queue();
    tpg_ok(db, "insert into o2c.connection (name, max_concurrent) values ('relay', 2)", 0, NULL);
    define("relay_wf", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"relay\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('relay_wf', 'q-' || g) from generate_series(1, 8) g", 0, NULL);
    tpg_ok(db, "create temp table got (id bigint, follows bigint)", 0, NULL);

    /* A caller that does not pass p_relays never gets a step to hold back. */
    CU_ASSERT_EQUAL(tpg_number(db, "with c as (select * from o2c.claim('plain', 1, 30)) "
                                   "select count(*) filter (where follows is null) * 10 + count(*) from c", 0, NULL), 11);
    complete_all("plain", "relay_wf", "ok", NULL);
    CU_ASSERT_EQUAL(in_flight("relay"), 0);

    /* A runner that does: each call it starts may have one step queued behind it (beyond
     * p_limit, which counts only calls that start now), leaders first in the answer. */
    CU_ASSERT(tpg_ok(db, "insert into got select workflow_id, follows from o2c.claim('r1', 1, 30, null, false, '{}')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got where follows is null", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got g join got l on l.id = g.follows and l.follows is null", 0, NULL), 1);
    CU_ASSERT_EQUAL(in_flight("relay"), 1);
    /* The free slot's call, with its own successor; the running call gets one too. */
    CU_ASSERT(tpg_ok(db, "insert into got select workflow_id, follows from o2c.claim('r1', 1, 30, null, false, "
                         "(select array_agg(id) from got where follows is null))", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got where follows is null", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(distinct follows) from got where follows is not null", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got", 0, NULL), 4);
    /* Queued steps hold no slot: two in flight, and nobody else gets one. */
    CU_ASSERT_EQUAL(in_flight("relay"), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select queued_on_slots from o2c.connections where name = 'relay'", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r2', 10, 30, null, false, '{}')", 0, NULL), 0);
    /* A leader whose successor is taken asks for none again. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r1', 0, 30, null, false, "
                                   "(select array_agg(id) from got where follows is null))", 0, NULL), 0);

    /* The first call ends: its slot goes to the step queued behind it, not back to the pool. */
    char leader[32], follower[32];
    snprintf(leader, sizeof leader, "%lld", tpg_number(db, "select min(id) from got where follows is null", 0, NULL));
    snprintf(follower, sizeof follower, "%lld", tpg_number(db, "select id from got where follows = (select min(id) from got where follows is null)", 0, NULL));
    CU_ASSERT_EQUAL(complete_one("r1", leader, "ok"), 0);
    CU_ASSERT_EQUAL(in_flight("relay"), 2);
    const char *fp[] = {follower};
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection_lease where instance_id = $1::bigint", 1, fp), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r2', 10, 30, null, false, '{}')", 0, NULL), 0);

    /* That step comes back unrun ("released": its leader was refused for load): no event, no
     * attempt, due again at once, and its slot is free. */
    long long events = tpg_number(db, "select count(*) from o2c.event where workflow_id = $1::bigint", 1, fp);
    CU_ASSERT_EQUAL(complete_one("r1", follower, "released"), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event where workflow_id = $1::bigint", 1, fp), events);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                   "where s.instance_id = $1::bigint and s.leased_by is null and s.due_at <= now() "
                                   "and i.state = 'a' and i.attempts = 0 and i.status = 'active'", 1, fp), 1);
    CU_ASSERT_EQUAL(in_flight("relay"), 1);

    /* The other leader is cancelled: its successor takes the slot over all the same. */
    char other[32], other_next[32];
    snprintf(other, sizeof other, "%lld", tpg_number(db, "select max(id) from got where follows is null", 0, NULL));
    snprintf(other_next, sizeof other_next, "%lld", tpg_number(db, "select id from got where follows = (select max(id) from got where follows is null)", 0, NULL));
    const char *op[] = {other}, *onp[] = {other_next};
    CU_ASSERT(tpg_ok(db, "select o2c.cancel($1::bigint, 'test: a queued step keeps the slot')", 1, op));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection_lease where instance_id = $1::bigint", 1, onp), 1);
    CU_ASSERT_EQUAL(in_flight("relay"), 1);

    /* A leader and its successor completed in one batch leave no slot behind. */
    CU_ASSERT_EQUAL(complete_all("r1", "relay_wf", "ok", NULL), 0);
    CU_ASSERT_EQUAL(in_flight("relay"), 0);
    tpg_ok(db, "truncate got", 0, NULL);
    CU_ASSERT(tpg_ok(db, "insert into got select workflow_id, follows from o2c.claim('r3', 1, 30, null, false, '{}')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got", 0, NULL), 2);
    CU_ASSERT_EQUAL(complete_all("r3", "relay_wf", "ok", NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection_lease where connection = 'relay'", 0, NULL), 0);

    /* After a cut (o2c's limit 1 with 2 in flight) only one of the two calls gets a successor:
     * once both end, one call is in flight, as the limit says. */
    tpg_ok(db, "select o2c.start('relay_wf', 'q2-' || g) from generate_series(1, 6) g", 0, NULL);
    tpg_ok(db, "truncate got", 0, NULL);
    CU_ASSERT(tpg_ok(db, "insert into got select workflow_id, follows from o2c.claim('r4', 2, 30)", 0, NULL));
    CU_ASSERT_EQUAL(in_flight("relay"), 2);
    tpg_ok(db, "update o2c.connection set concurrency_limit = 1 where name = 'relay'", 0, NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r4', 2, 30, null, false, (select array_agg(id) from got))",
                               0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r4', 2, 30, null, false, (select array_agg(id) from got))",
                               0, NULL), 0);
    CU_ASSERT(tpg_ok(db, "select o2c.complete('r4', (select jsonb_agg(jsonb_build_object('id', s.instance_id, 'token', "
                         "s.lease_token, 'outcome', 'ok')) from o2c.step s where s.instance_id in (select id from got)))", 0, NULL));
    CU_ASSERT_EQUAL(in_flight("relay"), 1);
    CU_ASSERT_EQUAL(complete_all("r4", "relay_wf", "ok", NULL), 0);
    CU_ASSERT_EQUAL(in_flight("relay"), 0);
    tpg_ok(db, "drop table got", 0, NULL);
}

static void test_a_queued_step_with_a_stale_slot_row_still_takes_the_slot_over(void)
{
    /* A runner dies holding calls: their connection_lease rows stay behind, expired. When such a
     * step is claimed again to wait behind another call, the hand-over must count it: its stale
     * row is replaced, not kept. Kept, the step's call ran uncounted until the next lease
     * renewal, and the demo saw 12 calls in flight under a limit of 10 right after its runner
     * was killed. */
    clear_queue();
    tpg_ok(db, "insert into o2c.connection (name, max_concurrent) values ('stale', 2)", 0, NULL);
    define("stale_wf", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"stale\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('stale_wf', 's-' || g) from generate_series(1, 2) g", 0, NULL);
    /* What a dead runner leaves: both steps' rows, expired. */
    CU_ASSERT_FATAL(tpg_ok(db, "insert into o2c.connection_lease (instance_id, connection, leased_until) "
                               "select s.instance_id, 'stale', now() - interval '1 minute' from o2c.step s "
                               "  join o2c.instance i on i.id = s.instance_id where i.workflow = 'stale_wf'", 0, NULL));
    CU_ASSERT_EQUAL(in_flight("stale"), 0);
    tpg_ok(db, "create temp table got_stale (id bigint, follows bigint)", 0, NULL);
    CU_ASSERT(tpg_ok(db, "insert into got_stale select workflow_id, follows from o2c.claim('r9', 1, 30, null, false, '{}')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from got_stale where follows is not null", 0, NULL), 1);
    CU_ASSERT_EQUAL(in_flight("stale"), 1);
    char leader[32];
    snprintf(leader, sizeof leader, "%lld", tpg_number(db, "select id from got_stale where follows is null", 0, NULL));
    CU_ASSERT_EQUAL(complete_one("r9", leader, "ok"), 0);
    /* The queued step's call is the one in flight now, counted. */
    CU_ASSERT_EQUAL(in_flight("stale"), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection_lease l join got_stale g on g.id = l.instance_id "
                                   "where g.follows is not null and l.leased_until > now() and l.successor is null", 0, NULL), 1);
    /* So another runner finds one slot free of the two, not both. */
    tpg_ok(db, "select o2c.start('stale_wf', 's-' || g) from generate_series(3, 5) g", 0, NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r10', 10, 30)", 0, NULL), 1);
    CU_ASSERT_EQUAL(complete_all("r9", "stale_wf", "ok", NULL), 0);
    CU_ASSERT_EQUAL(complete_all("r10", "stale_wf", "ok", NULL), 0);
    CU_ASSERT_EQUAL(in_flight("stale"), 0);
    tpg_ok(db, "drop table got_stale", 0, NULL);
}

static void test_connection_rate_limit(void)
{
    clear_queue();
    tpg_ok(db, "insert into o2c.connection (name, rate_per_second, burst, tokens) values ('shop', 1, 3, 3)", 0, NULL);
    define("rate", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"shop\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start('rate', 'r-' || g) from generate_series(1, 10) g", 0, NULL);
    /* The burst is three calls; after that one per second. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r', 10, 30)", 0, NULL), 3);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r', 10, 30)", 0, NULL), 0);
    tproc_sleep_ms(1100);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r', 10, 30)", 0, NULL), 1);
}

/* Skips the waits the previous outcome asked for. */
static void make_due(void)
{
    tpg_ok(db, "update o2c.step set due_at = now()", 0, NULL);
    tpg_ok(db, "update o2c.connection set throttled_until = '-infinity'", 0, NULL);
}

static void test_outcomes(void)
{
    clear_queue();
    tpg_ok(db, "insert into o2c.connection (name) values ('api')", 0, NULL);
    define("outcomes", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"api\","
                       "\"retry\":{\"max_attempts\":3,\"base_ms\":1,\"cap_ms\":1},\"lock\":{\"max_attempts\":2,\"delay_ms\":1},"
                       "\"owner\":\"finance\",\"on\":{\"ok\":\"b\",\"found\":\"c\"}},"
                       "\"b\":{\"terminal\":true},\"c\":{\"terminal\":true}}}");
    long long id = tpg_number(db, "select o2c.start('outcomes', 'o-1', '{\"seen\":0}')", 0, NULL);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};

    /* throttled: waits as told, uses no attempt, and holds back the whole connection. */
    for (int i = 0; i < 3; i++) {
        make_due();
        CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r', 1, 30)", 0, NULL), 1);
        CU_ASSERT_EQUAL(complete_all("r", "outcomes", "throttled", "{\"delay_ms\": 5000}"), 0);
    }
    CU_ASSERT_EQUAL(tpg_number(db, "select attempts from o2c.workflows where id = $1", 1, p), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and next_run_at > now() + interval '4 seconds'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.connection where name = 'api' and throttled_until > now() + interval '4 seconds'", 0, NULL), 1);

    /* locked: its own budget; exhausting it is an exception of category record_locked. */
    make_due();
    tpg_ok(db, "select o2c.claim('r', 1, 30)", 0, NULL);
    complete_all("r", "outcomes", "locked", NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select attempts from o2c.workflows where id = $1", 1, p), 0);
    make_due();
    tpg_ok(db, "select o2c.claim('r', 1, 30)", 0, NULL);
    complete_all("r", "outcomes", "locked", "{\"detail\":{\"message\":\"RCRD_HAS_BEEN_CHANGED\"}}");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow_id = $1 and category = 'record_locked' "
                                   "and owner = 'finance' and message like '%RCRD_HAS_BEEN_CHANGED%'", 1, p), 1);

    /* retry: counts attempts; the budget's end is an exception; redrive gives a fresh budget. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    for (int i = 1; i <= 3; i++) {
        make_due();
        CU_ASSERT_EQUAL(tpg_number(db, "select attempt from o2c.claim('r', 1, 30)", 0, NULL), i);
        complete_all("r", "outcomes", "retry", "{\"detail\":{\"message\":\"HTTP 503 from api\"},\"patch\":{\"seen\":1}}");
    }
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow_id = $1 and category = 'retries_exhausted' "
                                   "and message like 'gave up after 3 attempts%HTTP 503 from api'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select (context->>'seen')::int from o2c.workflows where id = $1", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.step where instance_id = $1", 1, p), 0);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select attempt from o2c.claim('r', 1, 30)", 0, NULL), 1);

    /* failed: exception with the action's category, severity, owner and message. */
    complete_all("r", "outcomes", "failed",
                 "{\"detail\":{\"category\":\"unmapped_sku\",\"severity\":\"medium\",\"owner\":\"ops\",\"message\":\"SKU X-1 has no NetSuite item\"}}");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow_id = $1 and category = 'unmapped_sku' "
                                   "and severity = 'medium' and owner = 'ops' and message = 'SKU X-1 has no NetSuite item'", 1, p), 1);

    /* An outcome the state has no transition for is a workflow error for engineering. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    tpg_ok(db, "select o2c.claim('r', 1, 30)", 0, NULL);
    complete_all("r", "outcomes", "surprise", NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.exceptions where workflow_id = $1 and category = 'workflow_error' "
                                   "and owner = 'engineering'", 1, p), 1);

    /* A named outcome follows its own transition. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    tpg_ok(db, "select o2c.claim('r', 1, 30)", 0, NULL);
    complete_all("r", "outcomes", "found", NULL);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'c' and status = 'done'", 1, p), 1);
}

static void test_results_start_children_and_schedule_rounds(void)
{
    clear_queue();
    define("child", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}");
    define("poller", "{\"initial\":\"poll\",\"states\":{\"poll\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"poll\",\"stop\":\"end\"}},"
                     "\"end\":{\"terminal\":true}}}");
    long long id = tpg_number(db, "select o2c.start('poller', 'centra:1')", 0, NULL);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};

    /* A round: cursor moves and two orders start, in one commit; the next round is an hour away. */
    const char *round = "{\"patch\":{\"cursor\":\"2026-11-23T10:00:00Z\"},\"delay_ms\":3600000,"
                        "\"start\":[{\"workflow\":\"child\",\"business_key\":\"centra:1:1001\",\"input\":{\"n\":1}},"
                        "{\"workflow\":\"child\",\"business_key\":\"centra:1:1002\"}]}";
    tpg_ok(db, "select o2c.claim('r', 1, 30)", 0, NULL);
    CU_ASSERT_EQUAL(complete_all("r", "poller", "ok", round), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'child' and status = 'active'", 0, NULL), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select (context->>'n')::int from o2c.workflows where business_key = 'centra:1:1001'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'poll' and status = 'active' "
                                   "and context->>'cursor' = '2026-11-23T10:00:00Z' and next_run_at > now() + interval '59 minutes'", 1, p), 1);

    /* The next round sees 1002 again (the feed repeats itself) and 1003: 1002 is not started twice. */
    tpg_ok(db, "update o2c.step set due_at = now() where instance_id = $1", 1, p);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.claim('r', 10, 30) where workflow = 'poller'", 0, NULL), 1);
    complete_all("r", "poller", "ok", "{\"start\":[{\"workflow\":\"child\",\"business_key\":\"centra:1:1002\"},"
                                      "{\"workflow\":\"child\",\"business_key\":\"centra:1:1003\"}]}");
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'child'", 0, NULL), 3);

    /* A refused (fenced-off) result starts nothing. */
    tpg_ok(db, "update o2c.step set due_at = now() where instance_id = $1", 1, p);
    long long token = tpg_number(db, "select lease_token from o2c.claim('r', 10, 30) where workflow = 'poller'", 0, NULL);
    char stale[32];
    snprintf(stale, sizeof stale, "%lld", token - 1);
    const char *late[] = {id_text, stale};
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.complete('r', jsonb_build_array(jsonb_build_object('id', $1::bigint, "
                                   "'token', $2::bigint, 'outcome', 'ok', 'start', jsonb_build_array(jsonb_build_object("
                                   "'workflow', 'child', 'business_key', 'centra:1:9999'))))))", 2, late), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where business_key = 'centra:1:9999'", 0, NULL), 0);
}

/* A claimed step of workflow `wf` as the runner holds it, with outcome `outcome`. */
static struct o2c_step *claimed_step(const char *wf, const char *outcome)
{
    const char *p[] = {wf};
    struct o2c_step *s = calloc(1, sizeof *s);
    s->workflow_id = tpg_number(db, "select s.instance_id from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                    "where i.workflow = $1", 1, p);
    s->lease_token = tpg_number(db, "select s.lease_token from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                    "where i.workflow = $1", 1, p);
    s->duration_ms = 12;
    s->outcome.delay_ms = -1;
    snprintf(s->outcome.name, sizeof s->outcome.name, "%s", outcome);
    return s;
}

/* What the runner sends (runner/completion.c, the statement in sql/queries/step.sql) is read
 * back by the database exactly: quotes, backslashes, braces and commas in outcomes, patches and
 * details; absent values as nulls; starts; a lost lease refused. */
static void test_runner_arrays_reach_the_database_as_written(void)
{
    clear_queue();
    define("arrays_plain", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                           "\"b\":{\"terminal\":true}}}");
    define("arrays_named", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                           "\"on\":{\"found\":\"b\"}},\"b\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"c\"}},"
                           "\"c\":{\"terminal\":true}}}");
    define("arrays_parent", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                            "\"b\":{\"terminal\":true}}}");
    define("arrays_odd", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                         "\"b\":{\"terminal\":true}}}");
    define("arrays_late", "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                          "\"b\":{\"terminal\":true}}}");
    tpg_ok(db, "select o2c.start(w, 'k') from unnest(array['arrays_plain', 'arrays_named', 'arrays_parent', 'arrays_odd', 'arrays_late']) w", 0, NULL);
    CU_ASSERT_EQUAL_FATAL(tpg_number(db, "select count(*) from o2c.claim('r', 10, 30)", 0, NULL), 5);

    struct o2c_step *plain = claimed_step("arrays_plain", "ok");
    struct o2c_step *named = claimed_step("arrays_named", "found");
    named->outcome.patch = json_tokener_parse("{\"cursor\":\"a\\\\b \\\"c\\\" {d,e}\",\"n\":null}");
    named->outcome.detail = json_tokener_parse("{\"message\":\"Ångström, \\\"x\\\"\"}");
    named->outcome.delay_ms = 3600000;
    struct o2c_step *parent = claimed_step("arrays_parent", "ok");
    parent->outcome.start = json_tokener_parse("[{\"workflow\":\"arrays_plain\",\"business_key\":\"child, \\\"1\\\"\"}]");
    /* An outcome name no pipeline can have: no transition, an exception, recorded as sent. */
    struct o2c_step *odd = claimed_step("arrays_odd", "said \"no\" {x,y} \\");
    struct o2c_step *late = claimed_step("arrays_late", "ok");
    late->lease_token -= 1000;

    struct o2c_step *steps[] = {plain, named, parent, odd, late};
    struct o2c_completion c;
    CU_ASSERT_EQUAL_FATAL(o2c_completion_build(steps, 5, &c), 0);
    const char *params[1 + O2C_COMPLETION_ARGS] = {"r"};
    for (int k = 0; k < O2C_COMPLETION_ARGS; k++)
        params[1 + k] = c.arg[k];
    PGresult *res = tpg_query(db, o2c_query("step", "complete"), 1 + O2C_COMPLETION_ARGS, params);
    CU_ASSERT_FATAL(res && PQresultStatus(res) == PGRES_TUPLES_OK);
    char refused[64];
    snprintf(refused, sizeof refused, "{%lld}", (long long)late->workflow_id);
    CU_ASSERT_STRING_EQUAL(PQgetvalue(res, 0, 0), refused);
    PQclear(res);
    o2c_completion_free(&c);

    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'arrays_plain' and business_key = 'k' "
                                   "and status = 'done'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'arrays_named' and state = 'b' "
                                   "and context->>'cursor' = 'a\\b \"c\" {d,e}' and context ? 'n' "
                                   "and next_run_at > now() + interval '59 minutes'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'arrays_named' and e.outcome = 'found' "
                                   "and e.detail->>'message' = 'Ångström, \"x\"' and e.duration_ms = 12", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'arrays_plain' and e.outcome = 'ok' and e.detail is null", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'arrays_parent' and status = 'done'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'arrays_plain' "
                                   "and business_key = 'child, \"1\"' and status = 'active'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.event e join o2c.instance i on i.id = e.workflow_id "
                                   "where i.workflow = 'arrays_odd' and i.status = 'exception' "
                                   "and e.outcome = 'said \"no\" {x,y} \\'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'arrays_late' and state = 'a'", 0, NULL), 1);
    o2c_step_free(plain);
    o2c_step_free(named);
    o2c_step_free(parent);
    o2c_step_free(odd);
    o2c_step_free(late);
}

/* A NOTIFY that libpq read off the socket together with a statement's answer waits in libpq's
 * queue, not on the socket. A runner about to sleep must still count it: before, it slept
 * through it for a whole poll interval with work due. */
static void test_notify_read_with_an_answer_still_wakes(void)
{
    PGconn *listener = tpg_connect(conninfo);
    CU_ASSERT_FATAL(listener != NULL);
    CU_ASSERT_FATAL(tpg_ok(listener, "listen o2c_work", 0, NULL));
    CU_ASSERT_FALSE(o2c_wait_for_wake(listener, -1, 0)); /* nothing yet */

    CU_ASSERT_FATAL(tpg_ok(db, "notify o2c_work", 0, NULL));
    /* Once the notification has reached the listener's socket, a statement reads it off with
     * its answer: the socket is quiet again, the notification is in libpq's queue. */
    struct pollfd sock = {.fd = PQsocket(listener), .events = POLLIN};
    CU_ASSERT_FATAL(poll(&sock, 1, 10000) == 1);
    CU_ASSERT_FATAL(tpg_ok(listener, "select 1", 0, NULL));
    sock.revents = 0;
    CU_ASSERT_EQUAL(poll(&sock, 1, 0), 0);

    CU_ASSERT_TRUE(o2c_wait_for_wake(listener, -1, 10000));
    CU_ASSERT_FALSE(o2c_wait_for_wake(listener, -1, 0)); /* consumed */

    /* One that arrives while the runner waits wakes it too. */
    CU_ASSERT_FATAL(tpg_ok(db, "notify o2c_work", 0, NULL));
    CU_ASSERT_TRUE(o2c_wait_for_wake(listener, -1, 10000));
    PQfinish(listener);
}

static CU_TestInfo tests[] = {
    {"a completion whose lease was lost is refused", test_late_completion_is_refused},
    {"higher lanes first, the oldest work on a fair claim", test_lanes_priority_and_fairness},
    {"connection concurrency holds across runners; waiting steps hold no slot", test_connection_concurrency_limit},
    {"a step queued behind a call takes its slot over when the call ends", test_steps_queued_behind_calls_take_over_their_slots},
    {"a queued step whose slot row lingers from a dead runner still takes the slot over, counted",
     test_a_queued_step_with_a_stale_slot_row_still_takes_the_slot_over},
    {"connection rate limit with burst", test_connection_rate_limit},
    {"throttled, locked, retry, failed and named outcomes", test_outcomes},
    {"a result starts children with its patch, once; ok can schedule the next round", test_results_start_children_and_schedule_rounds},
    {"the runner's arrays reach the database exactly as written", test_runner_arrays_reach_the_database_as_written},
    {"a NOTIFY read with a statement's answer still wakes an idle runner", test_notify_read_with_an_answer_still_wakes},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"queue protocol", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_queue_protocol", suites); }
