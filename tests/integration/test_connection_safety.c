/* A connection cannot be frozen for weeks by one answer, nor made to hand out a secret that is not
 * its own: a throttle's wait and the fleet-wide hold it sets are capped at the connection's
 * retry_after_cap_s (default one hour, per connection); secret_env may name only variables of the
 * connection's own system. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_connection_safety", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

/* One step of workflow `wf` on connection `conn`, claimed and completed as throttled with delay_ms;
 * answers the seconds from now to the connection's throttled_until. */
static long long throttle_once(const char *wf, const char *conn, const char *delay_ms)
{
    char spec[512];
    snprintf(spec, sizeof spec, "{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                                "\"connection\":\"%s\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}", conn);
    const char *d[] = {wf, spec};
    CU_ASSERT(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, d));
    const char *s[] = {wf};
    CU_ASSERT(tpg_ok(db, "select o2c.start($1, $1 || '-1')", 1, s));
    const char *c[] = {wf, delay_ms};
    CU_ASSERT_EQUAL(tpg_number(db, "select cardinality(o2c.complete('r', (select jsonb_agg(jsonb_build_object('id', c.workflow_id, "
                                   "'token', c.lease_token, 'outcome', 'throttled', 'delay_ms', $2::bigint, 'duration_ms', 1)) "
                                   "from o2c.claim('r', 10, 30) c where c.workflow = $1)))", 2, c), 0);
    const char *n[] = {conn};
    return tpg_number(db, "select extract(epoch from throttled_until - now())::bigint from o2c.connection where name = $1", 1, n);
}

static void test_a_huge_retry_after_holds_a_connection_an_hour_at_most(void)
{
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system) values ('capped', 'netsuite'), ('tight', 'centra')", 0, NULL));
    /* Retry-After: 2000000 seconds (23 days), as it came once. */
    long long held = throttle_once("capped_wf", "capped", "2000000000");
    CU_ASSERT(held > 3500 && held <= 3600);
    CU_ASSERT_EQUAL(tpg_number(db, "select (extract(epoch from s.due_at - now()) <= 3600)::int from o2c.step s "
                                   "join o2c.instance i on i.id = s.instance_id where i.workflow = 'capped_wf'", 0, NULL), 1);
    /* Per connection: a cap of a minute. */
    CU_ASSERT(tpg_ok(db, "update o2c.connection set retry_after_cap_s = 60 where name = 'tight'", 0, NULL));
    held = throttle_once("tight_wf", "tight", "2000000000");
    CU_ASSERT(held > 0 && held <= 60);
    /* A short wait is honoured as it is. */
    CU_ASSERT(tpg_ok(db, "update o2c.connection set throttled_until = '-infinity' where name = 'tight'", 0, NULL));
    CU_ASSERT(tpg_ok(db, "delete from o2c.step", 0, NULL));
    held = throttle_once("short_wf", "tight", "5000");
    CU_ASSERT(held >= 3 && held <= 5);
}

static void test_secret_env_names_only_the_systems_own_variables(void)
{
    CU_ASSERT(tpg_fails_with(db, "insert into o2c.connection (name, system, secret_env) values ('leaky', 'netsuite', "
                                 "'{\"token_secret\": \"DATABASE_URL\"}')", 0, NULL, "secret_env_own_prefix"));
    CU_ASSERT(tpg_fails_with(db, "insert into o2c.connection (name, system, secret_env) values ('leaky', 'netsuite', "
                                 "'{\"token_secret\": \"CENTRA_TOKEN\"}')", 0, NULL, "secret_env_own_prefix"));
    CU_ASSERT(tpg_fails_with(db, "update o2c.connection set secret_env = '{\"token\": \"PGPASSWORD\"}' where name = 'centra'",
                             0, NULL, "secret_env_own_prefix"));
    CU_ASSERT(tpg_ok(db, "insert into o2c.connection (name, system, secret_env) values ('ns_eu', 'netsuite', "
                         "'{\"token_secret\": \"NETSUITE_EU_TOKEN_SECRET\"}')", 0, NULL));
}

static CU_TestInfo tests[] = {
    {"a huge Retry-After holds a connection an hour at most (configurable per connection)",
     test_a_huge_retry_after_holds_a_connection_an_hour_at_most},
    {"secret_env names only variables of the connection's own system", test_secret_env_names_only_the_systems_own_variables},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"connection safety", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_connection_safety", suites); }
