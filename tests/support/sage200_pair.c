#include "tests/support/sage200_pair.h"
#include "tests/support/harness.h"
#include "tests/support/mappings.h"
#include "tests/support/pg.h"
#include "tests/support/proc.h"

#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

pid_t tsup_sage200_pair_runner(tsup_sage200_pair *p, int i)
{
    const char *args[] = {"--runner-id", p->runner_ids[i], "--concurrency", "8", "--lease-seconds", "4",
                          "--poll-ms", "200", NULL};
    p->runners[i] = tproc_runner(p->conninfo, p->logs, args);
    return p->runners[i];
}

int tsup_sage200_pair_start(tsup_sage200_pair *p, const char *name, const char *const *sage_args,
                            const char *const *centra_args, const char *runner_prefix)
{
    p->runners[0] = p->runners[1] = -1;
    if (tsup_fresh_database(name, p->conninfo, sizeof p->conninfo) != 0)
        return -1;
    p->db = tpg_connect(p->conninfo);
    if (!p->db)
        return -1;
    snprintf(p->logs, sizeof p->logs, "/tmp/o2c-%s.%d.log", name, (int)getpid());
    setenv("SAGE200_TOKEN", "sandbox-sage200-token", 1);
    setenv("SAGE200_SITE", "sandbox-site", 1);
    setenv("SAGE200_COMPANY", "1", 1);
    setenv("CENTRA_TOKEN", "sandbox-centra-token", 1);
    if (tsb_start_logged(&p->sage, "sage200", sage_args, p->logs) != 0 ||
        tsb_start_logged(&p->centra, "centra", centra_args, p->logs) != 0)
        return -1;
    const char *urls[] = {p->sage.base, p->centra.base};
    if (!tpg_ok(p->db, "update o2c.connection set base_url = case name when 'sage200' then $1 else $2 end "
                       "where name in ('sage200', 'centra')", 2, urls) ||
        tsup_load_mappings_file(p->db, &p->sage, "tools/demo/sage200_mappings.sql", NULL) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        snprintf(p->runner_ids[i], sizeof p->runner_ids[i], "%s%d", runner_prefix, i + 1);
        if (tsup_sage200_pair_runner(p, i) <= 0)
            return -1;
    }
    return 0;
}

int tsup_sage200_pair_stop(tsup_sage200_pair *p)
{
    for (int i = 0; i < 2; i++)
        if (p->runners[i] > 0) {
            kill(p->runners[i], SIGTERM);
            tproc_wait(p->runners[i]);
        }
    int sg = tsb_stop(&p->sage), ce = tsb_stop(&p->centra);
    PQfinish(p->db);
    if (sg != 0 || ce != 0) {
        fprintf(stderr, "a sandbox did not stop cleanly (sage200 %d, centra %d); see %s\n", sg, ce, p->logs);
        return -1;
    }
    if (CU_get_number_of_tests_failed() == 0)
        unlink(p->logs);
    else
        fprintf(stderr, "runner and sandbox logs kept in %s\n", p->logs);
    return 0;
}
