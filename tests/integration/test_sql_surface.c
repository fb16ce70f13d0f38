/* The SQL surface people use: define_workflow's validation and versioning, start's idempotency,
 * redrive/cancel rules, the views, and what each role may do. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_sql_surface", conninfo, sizeof conninfo);
    return db ? 0 : -1;
}

static int tear_down(void)
{
    PQfinish(db);
    return 0;
}

static const char *const good_spec =
    "{\"initial\":\"a\",\"states\":{"
    "\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"retry\":{\"max_attempts\":8,\"base_ms\":1000,\"cap_ms\":600000},\"on\":{\"ok\":\"b\"}},"
    "\"b\":{\"terminal\":true}}}";

static int rejects(const char *spec, const char *message)
{
    const char *params[] = {"bad", spec};
    return tpg_fails_with(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params, message);
}

static void test_define_rejects_bad_specs(void)
{
    CU_ASSERT(rejects("{\"states\":{\"a\":{\"terminal\":true}}}", "has no \"initial\" state"));
    CU_ASSERT(rejects("{\"initial\":\"x\",\"states\":{\"a\":{\"terminal\":true}}}",
                      "initial state \"x\" is not one of the states"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"nowhere\"}}}}",
                      "leads on \"ok\" to unknown state \"nowhere\""));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                      "\"b\":{\"terminal\":true},\"orphan\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}}}}",
                      "state(s) orphan cannot be reached from the initial state \"a\""));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},"
                      "\"b\":{\"terminal\":true,\"action\":\"core.noop\"}}}",
                      "state \"b\" is terminal and cannot have an action"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"lane\":\"orders\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "state \"a\" needs an \"action\""));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"nolane\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "state \"a\" needs a \"lane\", one of: inventory, orders, fulfilment, finance"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"retry\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "cannot name outcome \"retry\""));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"retry\":{\"max_attempts\":0},\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "\"retry.max_attempts\" must be a positive whole number"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"connection\":\"nosuch\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "names connection \"nosuch\", which is not in o2c.connection"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"terminal\":true}}}", "initial state \"a\" cannot be terminal"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"b\"},\"colour\":1},\"b\":{\"terminal\":true}}}",
                      "state \"a\" has unknown key \"colour\""));
    CU_ASSERT(rejects("[]", "the spec must be a JSON object"));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflow_version where workflow = 'bad'", 0, NULL), 0);
}

static void test_define_versions(void)
{
    const char *params[] = {"versioned", good_spec};
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params), 1);
    /* The same spec again is the same version. */
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params), 1);
    const char *start[] = {"versioned", "old-1"};
    long long old_id = tpg_number(db, "select o2c.start($1, $2)", 2, start);
    CU_ASSERT(old_id > 0);

    const char *changed[] = {"versioned",
                             "{\"initial\":\"first\",\"states\":{"
                             "\"first\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"done\"}},"
                             "\"done\":{\"terminal\":true}}}"};
    CU_ASSERT_EQUAL(tpg_number(db, "select o2c.define_workflow($1, $2::jsonb)", 2, changed), 2);
    const char *start_new[] = {"versioned", "new-1"};
    long long new_id = tpg_number(db, "select o2c.start($1, $2)", 2, start_new);
    /* The running workflow keeps version 1 and its state names; the new one runs version 2. */
    char old_text[32], new_text[32];
    snprintf(old_text, sizeof old_text, "%lld", old_id);
    snprintf(new_text, sizeof new_text, "%lld", new_id);
    const char *o[] = {old_text}, *n[] = {new_text};
    CU_ASSERT_EQUAL(tpg_number(db, "select version from o2c.workflows where id = $1", 1, o), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select version from o2c.workflows where id = $1", 1, n), 2);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'a'", 1, o), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'first'", 1, n), 1);
}

static void test_start_is_idempotent(void)
{
    const char *params[] = {"idem", good_spec};
    tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params);
    const char *start[] = {"idem", "centra:1:1001", "{\"x\":1}"};
    long long first = tpg_number(db, "select o2c.start($1, $2, $3::jsonb)", 3, start);
    long long second = tpg_number(db, "select o2c.start($1, $2, $3::jsonb)", 3, start);
    CU_ASSERT(first > 0);
    CU_ASSERT_EQUAL(first, second);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where workflow = 'idem'", 0, NULL), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.step s join o2c.instance i on i.id = s.instance_id "
                                   "where i.workflow = 'idem'", 0, NULL), 1);
    CU_ASSERT(tpg_fails_with(db, "select o2c.start('nosuch', 'k')", 0, NULL, "unknown workflow \"nosuch\""));
    CU_ASSERT(tpg_fails_with(db, "select o2c.start('idem', '')", 0, NULL, "a business key is required"));
}

static void test_roles(void)
{
    const char *params[] = {"roles", good_spec};
    tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params);
    long long id = tpg_number(db, "select o2c.start('roles', 'r-1')", 0, NULL);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};

    CU_ASSERT(tpg_ok(db, "set role o2c_analyst", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1", 1, p), 1);
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.events", 0, NULL) > 0);
    CU_ASSERT(tpg_number(db, "select count(*) from o2c.exceptions", 0, NULL) >= 0);
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive($1)", 1, p, "permission denied"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.cancel($1, 'no')", 1, p, "permission denied"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.start('roles', 'r-2')", 0, NULL, "permission denied"));
    CU_ASSERT(tpg_fails_with(db, "update o2c.instance set status = 'done'", 0, NULL, "permission denied"));
    CU_ASSERT(tpg_fails_with(db, "select * from o2c.claim('x', 1, 30)", 0, NULL, "permission denied"));
    CU_ASSERT(tpg_ok(db, "reset role", 0, NULL));

    CU_ASSERT(tpg_ok(db, "set role o2c_runner", 0, NULL));
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive($1)", 1, p, "permission denied"));
    CU_ASSERT(tpg_ok(db, "reset role", 0, NULL));

    CU_ASSERT(tpg_ok(db, "set role o2c_admin", 0, NULL));
    CU_ASSERT(tpg_ok(db, "select o2c.cancel($1, 'customer asked')", 1, p));
    CU_ASSERT(tpg_ok(db, "reset role", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'cancel' "
                                   "and actor = session_user and detail->>'reason' = 'customer asked'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and status = 'cancelled'", 1, p), 1);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.step where instance_id = $1", 1, p), 0);
}

static void test_redrive_and_cancel_rules(void)
{
    const char *params[] = {"rules", good_spec};
    tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params);
    long long id = tpg_number(db, "select o2c.start('rules', 'x-1')", 0, NULL);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive($1, 'nosuch')", 1, p, "has no state \"nosuch\""));
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive($1, 'b')", 1, p, "state \"b\" is terminal"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive(999999)", 0, NULL, "no workflow with id 999999"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.cancel($1, '')", 1, p, "say why"));
    /* A stuck active workflow can be re-driven: fresh lease-free step, due now, event with actor. */
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.events where workflow_id = $1 and outcome = 'redrive' "
                                   "and actor = session_user", 1, p), 1);
    CU_ASSERT(tpg_ok(db, "select o2c.cancel($1, 'test')", 1, p));
    CU_ASSERT(tpg_fails_with(db, "select o2c.redrive($1)", 1, p, "is cancelled"));
    CU_ASSERT(tpg_fails_with(db, "select o2c.cancel($1, 'again')", 1, p, "already cancelled"));
}

/* A state's redrive_from: a fix to a mapping must be mapped again, so o2c.redrive without a state
 * starts from there (a named state still wins). */
static void test_redrive_from(void)
{
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                      "\"redrive_from\":\"z\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "\"redrive_from\" must name a state with an action"));
    CU_ASSERT(rejects("{\"initial\":\"a\",\"states\":{\"a\":{\"action\":\"core.noop\",\"lane\":\"orders\","
                      "\"redrive_from\":\"b\",\"on\":{\"ok\":\"b\"}},\"b\":{\"terminal\":true}}}",
                      "\"redrive_from\" must name a state with an action"));
    const char *spec = "{\"initial\":\"map\",\"states\":{"
        "\"map\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"on\":{\"ok\":\"post\"}},"
        "\"post\":{\"action\":\"core.noop\",\"lane\":\"orders\",\"redrive_from\":\"map\",\"on\":{\"ok\":\"done\"}},"
        "\"done\":{\"terminal\":true}}}";
    const char *params[] = {"remap", spec};
    CU_ASSERT_FATAL(tpg_ok(db, "select o2c.define_workflow($1, $2::jsonb)", 2, params));
    long long id = tpg_number(db, "select o2c.start('remap', 'r-1')", 0, NULL);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    const char *p[] = {id_text};
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1, 'post')", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'post'", 1, p), 1);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'map'", 1, p), 1);
    CU_ASSERT(tpg_ok(db, "select o2c.redrive($1)", 1, p)); /* from map, which has no redrive_from: stays */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.workflows where id = $1 and state = 'map'", 1, p), 1);
}

static CU_TestInfo tests[] = {
    {"define_workflow rejects each bad spec with its message", test_define_rejects_bad_specs},
    {"define_workflow versions; running workflows keep theirs", test_define_versions},
    {"o2c.start twice gives one workflow", test_start_is_idempotent},
    {"analyst reads but cannot change; admin acts are recorded", test_roles},
    {"redrive and cancel refuse what makes no sense", test_redrive_and_cancel_rules},
    {"redrive starts where the state's redrive_from says", test_redrive_from},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"sql surface", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_sql_surface", suites); }
