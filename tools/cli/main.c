/* o2c: the admin command line. Thin wrappers over the SQL surface for people at a terminal:
 *   o2c migrate | status | exceptions | redrive ID [STATE] | cancel ID REASON |
 *       import-settlement FILE... | month-end YYYY-MM */
#include "runner/db.h"
#include "runner/migrate.h"
#include "tools/cli/import_settlement.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *to)
{
    fprintf(to,
            "usage: o2c [--database URL] COMMAND\n"
            "  migrate [--quiet]     apply pending migrations, the admin API and the pipelines\n"
            "  status                workflows by pipeline and status\n"
            "  exceptions            workflows in exception, with owner and message\n"
            "  redrive ID [STATE]    put workflow ID back to work (from STATE if given)\n"
            "  cancel ID REASON      cancel workflow ID\n"
            "  import-settlement FILE...  load Amazon/Adyen settlement files and build their journals\n"
            "  month-end YYYY-MM     finance's month-end report: orders, payments, settlements, fees,\n"
            "                        refunds, reserves, clearing balances, gaps (o2c.month_end)\n"
            "The database is --database, else $DATABASE_URL, else libpq's PG* variables.\n");
}

static void print_table(PGresult *res)
{
    int rows = PQntuples(res), cols = PQnfields(res);
    int width[32] = {0};
    for (int c = 0; c < cols && c < 32; c++) {
        width[c] = (int)strlen(PQfname(res, c));
        for (int r = 0; r < rows; r++) {
            int w = PQgetlength(res, r, c);
            if (w > width[c])
                width[c] = w > 60 ? 60 : w;
        }
    }
    for (int c = 0; c < cols && c < 32; c++)
        printf("%s%-*s", c ? "  " : "", width[c], PQfname(res, c));
    printf("\n");
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols && c < 32; c++)
            printf("%s%-*.*s", c ? "  " : "", width[c], width[c], PQgetvalue(res, r, c));
        printf("\n");
    }
    if (rows == 0)
        printf("(none)\n");
}

static int run_and_print(o2c_db *db, const char *name, int n, const char *const *params, bool table)
{
    PGresult *res = o2c_db_run(db, "instance", name, n, params);
    if (!res) {
        fprintf(stderr, "o2c %s: %s\n", name, o2c_db_error(db));
        return 1;
    }
    if (table)
        print_table(res);
    PQclear(res);
    return 0;
}

static int parse_id(const char *text)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    return *text && !*end && v > 0;
}

int main(int argc, char **argv)
{
    const char *database = NULL;
    static const struct option longopts[] = {
        {"database", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "+d:h", longopts, NULL)) != -1) {
        if (c == 'd') {
            database = optarg;
        } else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    int nargs = argc - optind - 1;
    char **args = argv + optind + 1;

    char err[1024];
    o2c_db *db = o2c_db_connect(database, err, sizeof err);
    if (!db) {
        fprintf(stderr, "o2c: %s\n", err);
        return 1;
    }
    int status = 0;
    if (strcmp(cmd, "migrate") == 0) {
        bool quiet = nargs == 1 && strcmp(args[0], "--quiet") == 0;
        int applied = o2c_migrate(db, !quiet, err, sizeof err);
        if (applied < 0) {
            fprintf(stderr, "o2c migrate: %s\n", err);
            status = 1;
        } else if (!quiet) {
            printf(applied ? "migrate: %d file(s) applied\n" : "migrate: up to date\n", applied);
        }
    } else if (strcmp(cmd, "status") == 0 && nargs == 0) {
        status = run_and_print(db, "status", 0, NULL, true);
    } else if (strcmp(cmd, "exceptions") == 0 && nargs == 0) {
        status = run_and_print(db, "exceptions", 0, NULL, true);
    } else if (strcmp(cmd, "redrive") == 0 && (nargs == 1 || nargs == 2) && parse_id(args[0])) {
        const char *params[] = {args[0], nargs == 2 ? args[1] : NULL};
        status = run_and_print(db, "redrive", 2, params, false);
        if (status == 0)
            printf("workflow %s re-driven\n", args[0]);
    } else if (strcmp(cmd, "cancel") == 0 && nargs == 2 && parse_id(args[0])) {
        const char *params[] = {args[0], args[1]};
        status = run_and_print(db, "cancel", 2, params, false);
        if (status == 0)
            printf("workflow %s cancelled\n", args[0]);
    } else if (strcmp(cmd, "import-settlement") == 0 && nargs >= 1) {
        status = o2c_cli_import_settlement(o2c_db_conn(db), nargs, args);
    } else if (strcmp(cmd, "month-end") == 0 && nargs == 1) {
        const char *params[] = {args[0]};
        PGresult *res = o2c_db_run(db, "settlement", "month_end", 1, params);
        if (!res) {
            fprintf(stderr, "o2c month-end: %s\n", o2c_db_error(db));
            status = 1;
        } else {
            print_table(res);
            PQclear(res);
        }
    } else {
        usage(stderr);
        status = 2;
    }
    o2c_db_close(db);
    return status;
}
