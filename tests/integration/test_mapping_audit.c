/* Who may do what, and who did what: every function of the engine belongs to o2c_owner, a role
 * that cannot log in and is no superuser, whoever ran `o2c migrate`; the mapping tables keep a
 * history of every insert, update and delete with the database user, and their audit columns
 * cannot be written by hand, on insert as on update. */
#include "tests/support/harness.h"
#include "tests/support/pg.h"

#include <CUnit/CUnit.h>

static char conninfo[1024];
static PGconn *db;

static int set_up(void)
{
    db = tpg_fresh("o2c_test_mapping_audit", conninfo, sizeof conninfo);
    if (!db)
        return -1;
    /* A person with the admin role, as a brand would grant it. */
    tpg_ok(db, "drop role if exists audit_alice", 0, NULL);
    return tpg_ok(db, "create role audit_alice login", 0, NULL) && tpg_ok(db, "grant o2c_admin to audit_alice", 0, NULL) ? 0 : -1;
}

static int tear_down(void)
{
    tpg_ok(db, "drop owned by audit_alice", 0, NULL);
    tpg_ok(db, "drop role if exists audit_alice", 0, NULL);
    PQfinish(db);
    return 0;
}

static void test_functions_belong_to_a_role_that_cannot_log_in(void)
{
    CU_ASSERT(tpg_number(db, "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                             "where n.nspname in ('o2c', 'o2c_action') and p.prokind = 'f'", 0, NULL) > 20);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                                   "where n.nspname in ('o2c', 'o2c_action') and p.prokind in ('f', 'p') "
                                   "and pg_get_userbyid(p.proowner) <> 'o2c_owner'", 0, NULL), 0);
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from pg_roles where rolname = 'o2c_owner' "
                                   "and not rolcanlogin and not rolsuper and not rolcreaterole and not rolcreatedb", 0, NULL), 1);
    /* Running migrate again (nothing to apply) keeps it so. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                                   "where n.nspname = 'o2c' and p.proname = 'start' and p.prosecdef "
                                   "and pg_get_userbyid(p.proowner) = 'o2c_owner'", 0, NULL), 1);
}

static void test_mapping_changes_are_kept_with_who_made_them(void)
{
    PGconn *alice = NULL;
    char as_alice[1200];
    snprintf(as_alice, sizeof as_alice, "%s user=audit_alice", conninfo);
    alice = tpg_connect(as_alice);
    CU_ASSERT_PTR_NOT_NULL_FATAL(alice);
    /* Alice inserts, claiming someone else did it long ago: the database writes the truth. */
    CU_ASSERT(tpg_ok(alice, "insert into o2c.sku_map (storefront_connection, sku, erp_connection, erp_item_id, updated_at, updated_by) "
                            "values ('centra', 'NDT-AUDIT-1', 'netsuite', '1001', '2001-01-01', 'somebody_else')", 0, NULL));
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.sku_map where sku = 'NDT-AUDIT-1' and updated_by = 'audit_alice' "
                                   "and updated_at > now() - interval '1 hour'", 0, NULL), 1);
    CU_ASSERT(tpg_ok(alice, "update o2c.sku_map set erp_item_id = '1002', updated_by = 'somebody_else' where sku = 'NDT-AUDIT-1'", 0, NULL));
    CU_ASSERT(tpg_ok(alice, "delete from o2c.sku_map where sku = 'NDT-AUDIT-1'", 0, NULL));
    /* Every change, in order, with the user and the rows before and after. */
    CU_ASSERT_EQUAL(tpg_number(db, "select count(*) from o2c.mapping_history where table_name = 'sku_map' and changed_by = 'audit_alice' "
                                   "and ((operation = 'insert' and old_row is null and new_row->>'erp_item_id' = '1001') "
                                   "  or (operation = 'update' and old_row->>'erp_item_id' = '1001' and new_row->>'erp_item_id' = '1002') "
                                   "  or (operation = 'delete' and old_row->>'erp_item_id' = '1002' and new_row is null))", 0, NULL), 3);
    /* The history is not Alice's to rewrite. */
    CU_ASSERT(tpg_fails_with(alice, "delete from o2c.mapping_history", 0, NULL, "permission denied"));
    CU_ASSERT(tpg_fails_with(alice, "insert into o2c.mapping_history (table_name, operation) values ('sku_map', 'insert')",
                             0, NULL, "permission denied"));
    PQfinish(alice);
}

static CU_TestInfo tests[] = {
    {"every engine function belongs to o2c_owner, which cannot log in and is no superuser",
     test_functions_belong_to_a_role_that_cannot_log_in},
    {"mapping inserts, updates and deletes are kept with the database user; audit columns cannot be forged",
     test_mapping_changes_are_kept_with_who_made_them},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"mapping audit", set_up, tear_down, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("integration/test_mapping_audit", suites); }
