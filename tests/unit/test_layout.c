/* The connector contract as a checked promise: no file under connectors/ includes libpq or
 * anything of runner/ (a connector sees the engine only through connectors/common/connector.h),
 * so dependencies run one way and the build links without --start-group. Run from the top of
 * the tree, as tests/run does. */
#include "tests/support/harness.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* Lines of files under dir (one level of sub-folders) that include a forbidden header, printed. */
static int forbidden_includes(const char *dir)
{
    int found = 0;
    DIR *top = opendir(dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    struct dirent *sub;
    while ((sub = readdir(top))) {
        if (sub->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, sub->d_name);
        DIR *d = opendir(path);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n < 3 || (strcmp(e->d_name + n - 2, ".c") != 0 && strcmp(e->d_name + n - 2, ".h") != 0))
                continue;
            char file[1024];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            FILE *f = fopen(file, "r");
            if (!f)
                continue;
            char line[1024];
            for (int no = 1; fgets(line, sizeof line, f); no++) {
                if (strncmp(line, "#include", 8) != 0)
                    continue;
                if (strstr(line, "libpq") || strstr(line, "\"runner/") || strstr(line, "postgres")) {
                    printf("\n  %s:%d: %s", file, no, line);
                    found++;
                }
            }
            fclose(f);
        }
        closedir(d);
    }
    closedir(top);
    return found;
}

static void test_connectors_include_neither_libpq_nor_the_runner(void)
{
    CU_ASSERT_EQUAL(forbidden_includes("connectors"), 0);
}

static CU_TestInfo tests[] = {
    {"no file under connectors/ includes libpq or runner/", test_connectors_include_neither_libpq_nor_the_runner},
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
    {"layout", NULL, NULL, NULL, NULL, tests},
    CU_SUITE_INFO_NULL,
};

int main(void) { return tsup_run_suites("unit/test_layout", suites); }
