/* o2c-runner: a stateless worker that claims and runs pipeline steps. Start as many as you like,
 * on as many machines as you like, against one database. */
#include "runner/action.h"
#include "runner/log.h"
#include "runner/runner.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static int wake_fd = -1;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    uint64_t one = 1;
    ssize_t wrote = write(wake_fd, &one, sizeof one);
    (void)wrote;
}

static void usage(FILE *to)
{
    fprintf(to,
            "usage: o2c-runner [options]\n"
            "  --database URL          PostgreSQL URL or conninfo (default $DATABASE_URL, then PG* variables)\n"
            "  --concurrency N         steps in flight at once (default 16)\n"
            "  --batch N               most steps per claim (default 200)\n"
            "  --lease-seconds N       lease on a claimed step, renewed while it runs (default 30)\n"
            "  --poll-ms N             slow poll besides LISTEN/NOTIFY (default 1000)\n"
            "  --lanes a,b             claim only from these lanes (default all)\n"
            "  --until-idle            exit 0 once no work is due, leased or due within the horizon\n"
            "  --idle-horizon-seconds N  how far ahead --until-idle looks for scheduled work (default 60)\n"
            "  --runner-id ID          name in events and leases (default host:pid)\n"
            "  --log-level L           debug|info|warn|error (default info; or $O2C_LOG_LEVEL)\n"
            "  --list-actions          print the actions this runner can run, and exit\n"
            "  --metrics-port N        serve Prometheus metrics at http://127.0.0.1:N/metrics (0 = any free port)\n"
            "  --db-wait-seconds N     at start, wait this long for a database that is down or starting (default 60)\n"
            "  --chain-max N           run a step on through at most N states that call no connection under\n"
            "                          one lease, one completion for them all (default 16; 0 = a claim per state)\n"
            "SIGTERM or SIGINT: finish the steps in flight, claim no more, exit 0.\n");
}

static int parse_int(const char *flag, const char *value, int min, int *out)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (*value == '\0' || *end != '\0' || v < min || v > 1000000) {
        fprintf(stderr, "o2c-runner: %s needs a whole number of at least %d, not \"%s\"\n", flag, min, value);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    struct o2c_runner_options opt;
    o2c_runner_defaults(&opt);
    enum { DATABASE = 1, CONCURRENCY, BATCH, LEASE, POLL, LANES, UNTIL_IDLE, HORIZON, RUNNER_ID, LOG_LEVEL,
           LIST_ACTIONS, METRICS_PORT, DB_WAIT, CHAIN_MAX, HELP };
    static const struct option longopts[] = {
        {"database", required_argument, NULL, DATABASE},
        {"concurrency", required_argument, NULL, CONCURRENCY},
        {"batch", required_argument, NULL, BATCH},
        {"lease-seconds", required_argument, NULL, LEASE},
        {"poll-ms", required_argument, NULL, POLL},
        {"lanes", required_argument, NULL, LANES},
        {"until-idle", no_argument, NULL, UNTIL_IDLE},
        {"idle-horizon-seconds", required_argument, NULL, HORIZON},
        {"runner-id", required_argument, NULL, RUNNER_ID},
        {"log-level", required_argument, NULL, LOG_LEVEL},
        {"list-actions", no_argument, NULL, LIST_ACTIONS},
        {"metrics-port", required_argument, NULL, METRICS_PORT},
        {"db-wait-seconds", required_argument, NULL, DB_WAIT},
        {"chain-max", required_argument, NULL, CHAIN_MAX},
        {"help", no_argument, NULL, HELP},
        {NULL, 0, NULL, 0},
    };
    int c, bad = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case DATABASE: opt.database = optarg; break;
        case CONCURRENCY: bad |= parse_int("--concurrency", optarg, 1, &opt.concurrency); break;
        case BATCH: bad |= parse_int("--batch", optarg, 1, &opt.batch); break;
        case LEASE: bad |= parse_int("--lease-seconds", optarg, 1, &opt.lease_seconds); break;
        case POLL: bad |= parse_int("--poll-ms", optarg, 1, &opt.poll_ms); break;
        case LANES: opt.lanes = optarg; break;
        case UNTIL_IDLE: opt.until_idle = 1; break;
        case HORIZON: bad |= parse_int("--idle-horizon-seconds", optarg, 0, &opt.idle_horizon_seconds); break;
        case RUNNER_ID: opt.runner_id = optarg; break;
        case DB_WAIT: bad |= parse_int("--db-wait-seconds", optarg, 0, &opt.db_wait_seconds); break;
        case CHAIN_MAX: bad |= parse_int("--chain-max", optarg, 0, &opt.chain_max); break;
        case LOG_LEVEL: {
            enum o2c_log_level level;
            if (o2c_log_parse_level(optarg, &level) != 0) {
                fprintf(stderr, "o2c-runner: --log-level is debug, info, warn or error, not \"%s\"\n", optarg);
                bad = 1;
            } else {
                o2c_log_set_level(level);
            }
            break;
        }
        case LIST_ACTIONS: o2c_action_list(stdout); return 0;
        case METRICS_PORT: bad |= parse_int("--metrics-port", optarg, 0, &opt.metrics_port); break;
        case HELP: usage(stdout); return 0;
        default: bad = 1;
        }
    }
    if (bad || optind != argc) {
        usage(stderr);
        return 2;
    }

    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0) {
        perror("o2c-runner: eventfd");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_stop_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int status = o2c_runner_run(&opt, &stop_requested, wake_fd);
    close(wake_fd);
    return status;
}
