#include "tests/support/proc.h"

#include "tests/support/harness.h"
#include "tests/support/sandbox_client.h"

#include <errno.h>
#include <json-c/json.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

pid_t tproc_runner(const char *conninfo, const char *log_path, const char *const *args)
{
    char bin[512];
    tsup_bin("o2c-runner", bin, sizeof bin);
    const char *argv[64];
    int n = 0;
    argv[n++] = "o2c-runner";
    argv[n++] = "--database";
    argv[n++] = conninfo;
    for (int i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 2);
                close(fd);
            }
        }
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    return pid;
}

int tproc_wait(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

void tproc_sleep_ms(int ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

int tproc_count_lines(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[8192];
    int count = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, needle))
            count++;
    fclose(f);
    return count;
}

pid_t tproc_sandbox(const char *service, const char *log_path, const char *const *args, int *port)
{
    tsb_sandbox sb;
    if (tsb_start_logged(&sb, service, args, log_path) != 0)
        return -1;
    *port = sb.port;
    return sb.pid;
}

/* method to http://127.0.0.1:port/path; the answer's body (cut to len) in buf; the status or -1. */
static int request(const char *method, int port, const char *path, const char *const *headers, const char *body,
                   char *buf, size_t len)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    tsb_response res;
    buf[0] = '\0';
    if (tsb_http(method, url, headers, body, body ? strlen(body) : 0, &res) != 0) {
        tsb_response_free(&res);
        return -1;
    }
    snprintf(buf, len, "%s", res.body ? res.body : "");
    int status = (int)res.status;
    tsb_response_free(&res);
    return status;
}

int tproc_http_get(int port, const char *path, char *buf, size_t len)
{
    return request("GET", port, path, NULL, NULL, buf, len);
}

int tproc_http_post(int port, const char *path, const char *const *headers, const char *body, char *buf, size_t len)
{
    const char *with_type[16] = {"Content-Type: application/json"};
    int n = 1;
    for (int i = 0; headers && headers[i] && n < 15; i++)
        with_type[n++] = headers[i];
    with_type[n] = NULL;
    return request("POST", port, path, with_type, body ? body : "", buf, len);
}

long long tproc_sandbox_stat(int port, const char *path)
{
    char body[1 << 16];
    if (tproc_http_get(port, "/_sandbox/stats", body, sizeof body) != 200)
        return -1;
    json_object *root = json_tokener_parse(body), *v = root;
    char copy[128], *save = NULL;
    snprintf(copy, sizeof copy, "%s", path);
    for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        if (!json_object_object_get_ex(v, part, &v))
            v = NULL;
    long long n = v ? json_object_get_int64(v) : -1;
    json_object_put(root);
    return n;
}
