/* o2c-sandbox: local stand-ins for the real services. Parses flags and environment into
 * sb_options, loads the seed, creates the chosen service and hands it to the server. */
#include "tools/sandbox/framework/framework.h"
#include "tools/sandbox/framework/util_internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
        "usage: o2c-sandbox netsuite|centra|sage200 [options]\n"
        "  --port N               listen on 127.0.0.1:N (0 = a free port; default 0)\n"
        "  --seed FILE            catalogue JSON (default: built-in brand)\n"
        "  --latency-ms N         added to every API request (default 0)\n"
        "  --faults SPEC          e.g. 429=0.05,503=0.02,timeout=0.01,lock=0.01,malformed=0.005,slow=0.02\n"
        "  --random-seed N        reproducible fault decisions and generated data\n"
        "  --fault-timeout-ms N   how long a timeout fault holds the request (default 30000)\n"
        "  --slow-ms N            how long a slow fault holds the request before answering (default 3000)\n"
        "  --concurrency-limit N  in-flight API requests admitted (NetSuite; default 15, 0 = none)\n"
        "  --rate-10s N           Centra requests per 10 s (default 60)\n"
        "  --rate-hour N          Centra requests per hour (default 5000)\n"
        "  --mutation-rate-10s N  Centra mutations per 10 s (default 20)\n"
        "  --max-body-bytes N     larger request bodies are refused (default 10485760)\n"
        "  --threads N            fixed thread pool instead of a thread per connection\n"
        "  --account ID --consumer-key K --consumer-secret S --token-id T --token-secret S\n"
        "                         NetSuite credentials (else NETSUITE_ACCOUNT, NETSUITE_CONSUMER_KEY,\n"
        "                         NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID, NETSUITE_TOKEN_SECRET)\n"
        "  --centra-token T       Centra bearer token (else CENTRA_TOKEN)\n"
        "  --print-schema         GraphQL services: print the schema's SDL and exit\n"
        "Prints 'listening on 127.0.0.1:PORT' once ready; SIGTERM/SIGINT stop it.\n");
}

static bool parse_int(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* A flag wins over the environment; the documented sandbox default is the last resort so the
 * sandbox runs out of the box (the connectors' sandbox profile uses the same defaults). */
static const char *credential(const char *flag, const char *env, const char *fallback)
{
    if (flag)
        return flag;
    const char *v = getenv(env);
    return v && *v ? v : fallback;
}

enum {
    OPT_PORT = 256, OPT_SEED, OPT_LATENCY, OPT_FAULTS, OPT_RANDOM_SEED, OPT_FAULT_TIMEOUT,
    OPT_CONCURRENCY, OPT_RATE_10S, OPT_RATE_HOUR, OPT_MUTATION_RATE, OPT_MAX_BODY, OPT_THREADS,
    OPT_ACCOUNT, OPT_CONSUMER_KEY, OPT_CONSUMER_SECRET, OPT_TOKEN_ID, OPT_TOKEN_SECRET,
    OPT_CENTRA_TOKEN, OPT_HELP, OPT_SLOW, OPT_PRINT_SCHEMA,
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"latency-ms", required_argument, NULL, OPT_LATENCY},
        {"faults", required_argument, NULL, OPT_FAULTS},
        {"random-seed", required_argument, NULL, OPT_RANDOM_SEED},
        {"fault-timeout-ms", required_argument, NULL, OPT_FAULT_TIMEOUT},
        {"concurrency-limit", required_argument, NULL, OPT_CONCURRENCY},
        {"rate-10s", required_argument, NULL, OPT_RATE_10S},
        {"rate-hour", required_argument, NULL, OPT_RATE_HOUR},
        {"mutation-rate-10s", required_argument, NULL, OPT_MUTATION_RATE},
        {"max-body-bytes", required_argument, NULL, OPT_MAX_BODY},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"account", required_argument, NULL, OPT_ACCOUNT},
        {"consumer-key", required_argument, NULL, OPT_CONSUMER_KEY},
        {"consumer-secret", required_argument, NULL, OPT_CONSUMER_SECRET},
        {"token-id", required_argument, NULL, OPT_TOKEN_ID},
        {"token-secret", required_argument, NULL, OPT_TOKEN_SECRET},
        {"centra-token", required_argument, NULL, OPT_CENTRA_TOKEN},
        {"help", no_argument, NULL, OPT_HELP},
        {"slow-ms", required_argument, NULL, OPT_SLOW},
        {"print-schema", no_argument, NULL, OPT_PRINT_SCHEMA},
        {NULL, 0, NULL, 0},
    };
    sb_options opts = {
        .fault_timeout_ms = 30000,
        .concurrency_limit = 15,
        .rate_10s = 60,
        .rate_hour = 5000,
        .mutation_rate_10s = 20,
        .max_body_bytes = 10u * 1024 * 1024,
        .slow_ms = 3000,
    };
    const char *faults = NULL;
    bool print_schema = false;
    const char *cred[6] = {0};
    char err[256] = "";
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_PORT: ok = parse_int(optarg, 0, 65535, &v); opts.port = (int)v; break;
        case OPT_SEED: opts.seed_path = optarg; break;
        case OPT_LATENCY: ok = parse_int(optarg, 0, 3600000, &v); opts.latency_ms = (int)v; break;
        case OPT_FAULTS: faults = optarg; break;
        case OPT_RANDOM_SEED: {
            char *end = NULL;
            opts.random_seed = strtoull(optarg, &end, 10);
            ok = *optarg && !*end;
            opts.random_seed_set = true;
            break;
        }
        case OPT_FAULT_TIMEOUT: ok = parse_int(optarg, 0, 3600000, &v); opts.fault_timeout_ms = (int)v; break;
        case OPT_CONCURRENCY: ok = parse_int(optarg, 0, 100000, &v); opts.concurrency_limit = (int)v; break;
        case OPT_RATE_10S: ok = parse_int(optarg, 0, 100000000, &v); opts.rate_10s = (int)v; break;
        case OPT_RATE_HOUR: ok = parse_int(optarg, 0, 1000000000, &v); opts.rate_hour = (int)v; break;
        case OPT_MUTATION_RATE: ok = parse_int(optarg, 0, 100000000, &v); opts.mutation_rate_10s = (int)v; break;
        case OPT_MAX_BODY: ok = parse_int(optarg, 1, 1L << 30, &v); opts.max_body_bytes = (size_t)v; break;
        case OPT_THREADS: ok = parse_int(optarg, 0, 1024, &v); opts.threads = (int)v; break;
        case OPT_ACCOUNT: cred[0] = optarg; break;
        case OPT_CONSUMER_KEY: cred[1] = optarg; break;
        case OPT_CONSUMER_SECRET: cred[2] = optarg; break;
        case OPT_TOKEN_ID: cred[3] = optarg; break;
        case OPT_TOKEN_SECRET: cred[4] = optarg; break;
        case OPT_CENTRA_TOKEN: cred[5] = optarg; break;
        case OPT_SLOW: ok = parse_int(optarg, 0, 3600000, &v); opts.slow_ms = (int)v; break;
        case OPT_HELP: usage(stdout); return 0;
        case OPT_PRINT_SCHEMA: print_schema = true; break;
        default: usage(stderr); return 2;
        }
        if (!ok) {
            fprintf(stderr, "o2c-sandbox: bad value '%s' for --%s\n", optarg, longopts[c - OPT_PORT].name);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    opts.service = argv[optind];
    const sb_service *service = sb_find_service(opts.service);
    if (!service) {
        fprintf(stderr, "o2c-sandbox: unknown service '%s'\n", opts.service);
        return 2;
    }
    if (print_schema) {
        if (!service->schema_sdl) {
            fprintf(stderr, "o2c-sandbox: %s is not a GraphQL service\n", service->name);
            return 2;
        }
        fputs(service->schema_sdl, stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (!sb_faults_parse(faults, &opts.faults, err, sizeof err)) {
        fprintf(stderr, "o2c-sandbox: --faults: %s\n", err);
        return 2;
    }
    opts.netsuite_account = credential(cred[0], "NETSUITE_ACCOUNT", "1234567-sb1");
    opts.netsuite_consumer_key = credential(cred[1], "NETSUITE_CONSUMER_KEY", "sandbox-consumer-key");
    opts.netsuite_consumer_secret = credential(cred[2], "NETSUITE_CONSUMER_SECRET", "sandbox-consumer-secret");
    opts.netsuite_token_id = credential(cred[3], "NETSUITE_TOKEN_ID", "sandbox-token-id");
    opts.netsuite_token_secret = credential(cred[4], "NETSUITE_TOKEN_SECRET", "sandbox-token-secret");
    opts.centra_token = credential(cred[5], "CENTRA_TOKEN", "sandbox-centra-token");

    if (!opts.random_seed_set)
        opts.random_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    sb_faults_init(&opts.faults, opts.random_seed);
    sb_random_seed(opts.random_seed);

    sb_seed *seed = opts.seed_path ? sb_seed_load(opts.seed_path, err, sizeof err) : sb_seed_default();
    if (!seed) {
        fprintf(stderr, "o2c-sandbox: seed: %s\n", opts.seed_path ? err : "out of memory");
        return 1;
    }
    opts.seed = seed;
    void *svc = service->create(&opts, err, sizeof err);
    if (!svc) {
        fprintf(stderr, "o2c-sandbox: %s: %s\n", service->name, err);
        sb_seed_free(seed);
        return 1;
    }
    int status = sb_server_run(&opts, service, svc);
    service->destroy(svc);
    sb_seed_free(seed);
    return status;
}
