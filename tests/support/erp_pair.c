#include "tests/support/erp_pair.h"
#include "tests/support/harness.h"
#include "tests/support/mappings.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t tsup_erp_pair_runner(tsup_erp_pair *p, int i)
{
    const char *args[] = {"--runner-id", p->runner_ids[i], "--concurrency", "8", "--lease-seconds", "4",
                          "--poll-ms", "200", NULL};
    p->runners[i] = tproc_runner(p->conninfo, p->logs, args);
    return p->runners[i];
}

/* The credentials each sandbox checks, where the connectors read them. */
static void set_credentials(const char *erp)
{
    if (strcmp(erp, "netsuite") == 0) {
        setenv("NETSUITE_ACCOUNT", TSB_NS_ACCOUNT, 1);
        setenv("NETSUITE_CONSUMER_KEY", TSB_NS_CONSUMER_KEY, 1);
        setenv("NETSUITE_CONSUMER_SECRET", TSB_NS_CONSUMER_SECRET, 1);
        setenv("NETSUITE_TOKEN_ID", TSB_NS_TOKEN_ID, 1);
        setenv("NETSUITE_TOKEN_SECRET", TSB_NS_TOKEN_SECRET, 1);
    } else {
        setenv("SAGE200_TOKEN", "sandbox-sage200-token", 1);
        setenv("SAGE200_SITE", "sandbox-site", 1);
        setenv("SAGE200_COMPANY", "1", 1);
    }
    setenv("CENTRA_TOKEN", "sandbox-centra-token", 1);
}

int tsup_erp_pair_start(tsup_erp_pair *p, const char *erp, const char *name, const char *const *erp_args,
                        const char *const *centra_args, const char *runner_prefix)
{
    p->runners[0] = p->runners[1] = -1;
    p->seed = NULL;
    if (strcmp(erp, "netsuite") != 0 && strcmp(erp, "sage200") != 0) {
        fprintf(stderr, "tsup_erp_pair_start: no sandbox pair for ERP '%s'\n", erp);
        return -1;
    }
    if (tsup_fresh_database(name, p->conninfo, sizeof p->conninfo) != 0)
        return -1;
    p->db = tpg_connect(p->conninfo);
    if (!p->db)
        return -1;
    snprintf(p->logs, sizeof p->logs, "/tmp/o2c-%s.%d.log", name, (int)getpid());
    set_credentials(erp);
    if (tsb_start_logged(&p->erp, erp, erp_args, p->logs) != 0 ||
        tsb_start_logged(&p->centra, "centra", centra_args, p->logs) != 0)
        return -1;
    const char *params[] = {erp, p->erp.base, p->centra.base};
    if (!tpg_ok(p->db, "update o2c.connection set base_url = case name when $1 then $2 else $3 end "
                       "where name in ($1, 'centra')", 3, params))
        return -1;
    int loaded = strcmp(erp, "netsuite") == 0
                     ? tsup_load_nordtrail_mappings(p->db, &p->erp, &p->seed)
                     : tsup_load_mappings_file(p->db, &p->erp, "tools/demo/sage200_mappings.sql", &p->seed);
    if (loaded != 0)
        return -1;
    for (int i = 0; runner_prefix && i < 2; i++) {
        snprintf(p->runner_ids[i], sizeof p->runner_ids[i], "%s%d", runner_prefix, i + 1);
        if (tsup_erp_pair_runner(p, i) <= 0)
            return -1;
    }
    return 0;
}

int tsup_erp_pair_stop(tsup_erp_pair *p)
{
    for (int i = 0; i < 2; i++)
        if (p->runners[i] > 0) {
            kill(p->runners[i], SIGTERM);
            tproc_wait(p->runners[i]);
        }
    int erp = tsb_stop(&p->erp), ce = tsb_stop(&p->centra);
    json_object_put(p->seed);
    p->seed = NULL;
    PQfinish(p->db);
    if (erp != 0 || ce != 0) {
        fprintf(stderr, "a sandbox did not stop cleanly (ERP %d, centra %d); see %s\n", erp, ce, p->logs);
        return -1;
    }
    if (CU_get_number_of_tests_failed() == 0)
        unlink(p->logs);
    else
        fprintf(stderr, "runner and sandbox logs kept in %s\n", p->logs);
    return 0;
}
