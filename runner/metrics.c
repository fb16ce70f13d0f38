#include "runner/metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

struct o2c_metrics o2c_metrics;

static struct MHD_Daemon *daemon_handle;
static char runner_label[160];

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)cls, (void)version, (void)upload, (void)upload_size, (void)state;
    if (strcmp(method, "GET") != 0 || strcmp(url, "/metrics") != 0) {
        static const char nope[] = "not found: GET /metrics\n";
        struct MHD_Response *r = MHD_create_response_from_buffer(sizeof nope - 1, (void *)nope, MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_NOT_FOUND, r);
        MHD_destroy_response(r);
        return ok;
    }
    char body[4096];
    const struct o2c_metrics *m = &o2c_metrics;
    int n = snprintf(body, sizeof body,
        "# HELP o2c_claims_total Claim round trips to the database.\n# TYPE o2c_claims_total counter\n"
        "o2c_claims_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_steps_claimed_total Steps claimed.\n# TYPE o2c_steps_claimed_total counter\n"
        "o2c_steps_claimed_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_steps_completed_total Steps whose outcome was committed, by kind of outcome.\n"
        "# TYPE o2c_steps_completed_total counter\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"ok\"} %ld\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"retry\"} %ld\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"throttled\"} %ld\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"locked\"} %ld\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"failed\"} %ld\n"
        "o2c_steps_completed_total{runner=\"%s\",outcome=\"released\"} %ld\n"
        "# HELP o2c_steps_queued_on_slot_total Steps claimed to run on a governed connection's slot the moment "
        "the call holding it ends.\n# TYPE o2c_steps_queued_on_slot_total counter\n"
        "o2c_steps_queued_on_slot_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_completions_refused_total Completions refused because the lease was lost.\n"
        "# TYPE o2c_completions_refused_total counter\n"
        "o2c_completions_refused_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_leases_lost_total Leases found lost while their step ran.\n# TYPE o2c_leases_lost_total counter\n"
        "o2c_leases_lost_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_db_errors_total Database statements that failed.\n# TYPE o2c_db_errors_total counter\n"
        "o2c_db_errors_total{runner=\"%s\"} %ld\n"
        "# HELP o2c_steps_in_flight Steps running on worker threads now.\n# TYPE o2c_steps_in_flight gauge\n"
        "o2c_steps_in_flight{runner=\"%s\"} %ld\n"
        "# HELP o2c_action_seconds_total Time spent in actions.\n# TYPE o2c_action_seconds_total counter\n"
        "o2c_action_seconds_total{runner=\"%s\"} %.3f\n",
        runner_label, atomic_load(&m->claims), runner_label, atomic_load(&m->claimed),
        runner_label, atomic_load(&m->completed_ok), runner_label, atomic_load(&m->completed_retry),
        runner_label, atomic_load(&m->completed_throttled), runner_label, atomic_load(&m->completed_locked),
        runner_label, atomic_load(&m->completed_failed), runner_label, atomic_load(&m->completed_released),
        runner_label, atomic_load(&m->queued_on_slot), runner_label, atomic_load(&m->refused),
        runner_label, atomic_load(&m->leases_lost), runner_label, atomic_load(&m->db_errors),
        runner_label, atomic_load(&m->in_flight), runner_label, atomic_load(&m->action_ms_total) / 1000.0);
    struct MHD_Response *r = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

int o2c_metrics_serve(int port, const char *runner_id)
{
    /* The label goes into every line: keep it to characters that need no escaping. */
    size_t j = 0;
    for (size_t i = 0; runner_id[i] && j < sizeof runner_label - 1; i++)
        runner_label[j++] = (runner_id[i] == '"' || runner_id[i] == '\\' || runner_id[i] == '\n') ? '_' : runner_id[i];
    runner_label[j] = '\0';
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    daemon_handle = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                                     answer, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_END);
    if (!daemon_handle)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : port;
}

void o2c_metrics_stop(void)
{
    if (daemon_handle)
        MHD_stop_daemon(daemon_handle);
    daemon_handle = NULL;
}
