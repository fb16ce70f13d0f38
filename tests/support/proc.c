#include "tests/support/proc.h"

#include "tests/support/harness.h"

#include <curl/curl.h>
#include <errno.h>
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
    char bin[512];
    tsup_bin("o2c-sandbox", bin, sizeof bin);
    const char *argv[64];
    int n = 0;
    argv[n++] = "o2c-sandbox";
    argv[n++] = service;
    argv[n++] = "--port";
    argv[n++] = "0";
    for (int i = 0; args && args[i] && n < 62; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int out[2];
    if (pipe(out) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
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
    close(out[1]);
    char line[128] = "";
    size_t got = 0;
    while (got < sizeof line - 1) {
        ssize_t r = read(out[0], line + got, 1);
        if (r <= 0 || line[got] == '\n')
            break;
        got++;
    }
    line[got] = '\0';
    close(out[0]);
    if (sscanf(line, "listening on 127.0.0.1:%d", port) != 1) {
        fprintf(stderr, "tests: sandbox %s did not start (said \"%s\")\n", service, line);
        kill(pid, SIGKILL);
        tproc_wait(pid);
        return -1;
    }
    return pid;
}

struct buffer {
    char *data;
    size_t len, cap;
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    struct buffer *b = arg;
    size_t take = size * n;
    if (b->len + take >= b->cap)
        take = b->cap - 1 - b->len;
    memcpy(b->data + b->len, data, take);
    b->len += take;
    b->data[b->len] = '\0';
    return size * n;
}

int tproc_http_get(int port, const char *path, char *buf, size_t len)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    struct buffer b = {buf, 0, len};
    buf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    long status = -1;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    return (int)status;
}

int tproc_http_post(int port, const char *path, const char *const *headers, const char *body, char *buf, size_t len)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
    for (int i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    struct buffer b = {buf, 0, len};
    buf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    long status = -1;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    curl_slist_free_all(list);
    return (int)status;
}
