#include "runner/workers.h"

#include "runner/action.h"
#include "runner/clock.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct node {
    struct o2c_step *step;
    struct node *next;
};

struct queue {
    struct node *head, *tail;
};

/* A connection that answered "wait until then" (a refusal with Retry-After): until then no step
 * queued on one of its slots starts, as no claim starts one (o2c.connection.throttled_until). */
struct hold {
    char connection[64];
    int64_t until_ms;
};
enum { HOLDS = 8 };

struct o2c_workers {
    pthread_mutex_t mu;
    struct hold holds[HOLDS];
    pthread_cond_t ready;
    struct queue todo, done;
    int stopping;
    bool releasing;               /* queued steps come back unrun (o2c_workers_release_queued) */
    int wake_fd;
    int nthreads;
    pthread_t threads[];
};

static void push(struct queue *q, struct node *n)
{
    n->next = NULL;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
}

static struct node *pop(struct queue *q)
{
    struct node *n = q->head;
    if (n) {
        q->head = n->next;
        if (!q->head)
            q->tail = NULL;
    }
    return n;
}

void o2c_run_action(struct o2c_step *step)
{
    int64_t started = o2c_monotonic_ms();
    o2c_outcome_clear(&step->outcome);
    step->impl->run(step, &step->outcome);
    if (!step->outcome.name[0])
        o2c_outcome_failed(&step->outcome, O2C_FAIL_WORKFLOW_ERROR, "action %s reported no outcome", step->action);
    step->duration_ms = o2c_monotonic_ms() - started;
}

static struct node *new_node(struct o2c_step *step)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        abort(); /* cannot even queue a step: the lease will expire and another runner redoes it */
    n->step = step;
    return n;
}

/* A refusal with Retry-After (the default when the detail does not say) holds its connection, as
 * o2c.complete holds it for claims; one without (the account is busy) only shrinks o2c's limit. */
static void note_refusal(o2c_workers *w, const struct o2c_step *s, int64_t now)
{
    json_object *said;
    if (s->outcome.detail && json_object_object_get_ex(s->outcome.detail, "retry_after", &said) &&
        !json_object_get_boolean(said))
        return;
    int64_t until = now + (s->outcome.delay_ms > 0 ? s->outcome.delay_ms : 1000);
    struct hold *slot = &w->holds[0];
    for (int i = 0; i < HOLDS; i++) {
        if (strncmp(w->holds[i].connection, s->connection, sizeof w->holds[i].connection - 1) == 0) {
            slot = &w->holds[i];
            break;
        }
        if (w->holds[i].until_ms < slot->until_ms)
            slot = &w->holds[i]; /* else the one that ends first */
    }
    snprintf(slot->connection, sizeof slot->connection, "%s", s->connection);
    if (until > slot->until_ms)
        slot->until_ms = until;
}

static bool held(const o2c_workers *w, const char *connection, int64_t now)
{
    for (int i = 0; i < HOLDS; i++)
        if (w->holds[i].until_ms > now && strncmp(w->holds[i].connection, connection, sizeof w->holds[i].connection - 1) == 0)
            return true;
    return false;
}

/* Puts a finished step on the done list and takes the step queued behind it, if any: *run says
 * whether that one may start now. It may not after its leader was refused for load, nor while
 * its connection is held, nor once the runner is stopping. */
static struct o2c_step *finish(o2c_workers *w, struct node *n, bool *run)
{
    int64_t now = o2c_monotonic_ms();
    pthread_mutex_lock(&w->mu);
    struct o2c_step *done = n->step, *next = done->slot_next;
    bool refused = strcmp(done->outcome.name, "throttled") == 0;
    if (refused)
        note_refusal(w, done, now);
    *run = next && !refused && !w->releasing && !held(w, next->connection, now);
    done->slot_next = NULL;
    done->ran = true;
    push(&w->done, n);
    pthread_mutex_unlock(&w->mu);
    uint64_t one = 1;
    ssize_t wrote = write(w->wake_fd, &one, sizeof one);
    (void)wrote; /* the eventfd counter cannot overflow in practice; a lost wake is caught by the poll timeout */
    return next;
}

static void *worker_main(void *arg)
{
    o2c_workers *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        struct node *n;
        while (!(n = pop(&w->todo)) && !w->stopping)
            pthread_cond_wait(&w->ready, &w->mu);
        pthread_mutex_unlock(&w->mu);
        if (!n)
            return NULL;

        o2c_run_action(n->step);
        /* Steps queued on the same slot run one after the other on this thread, as long as the
         * remote takes them; one that may not start goes back unrun, "released". */
        bool run;
        for (struct o2c_step *next = finish(w, n, &run); next; next = finish(w, n, &run)) {
            n = new_node(next); /* the finished one now belongs to the claim loop */
            if (run) {
                o2c_run_action(next);
            } else {
                o2c_outcome_clear(&next->outcome);
                o2c_outcome_named(&next->outcome, "released");
                next->duration_ms = 0;
            }
        }
    }
}

o2c_workers *o2c_workers_start(int threads, int wake_fd)
{
    o2c_workers *w = calloc(1, sizeof *w + (size_t)threads * sizeof(pthread_t));
    if (!w)
        return NULL;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->ready, NULL);
    w->wake_fd = wake_fd;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
            break;
        w->nthreads++;
    }
    if (w->nthreads == 0) {
        free(w);
        return NULL;
    }
    return w;
}

void o2c_workers_submit(o2c_workers *w, struct o2c_step *step)
{
    struct node *n = new_node(step);
    pthread_mutex_lock(&w->mu);
    push(&w->todo, n);
    pthread_cond_signal(&w->ready);
    pthread_mutex_unlock(&w->mu);
}

bool o2c_workers_follow(o2c_workers *w, struct o2c_step *step, struct o2c_step *next)
{
    pthread_mutex_lock(&w->mu);
    bool queued = !step->ran && !step->slot_next;
    if (queued)
        step->slot_next = next;
    pthread_mutex_unlock(&w->mu);
    return queued;
}

void o2c_workers_release_queued(o2c_workers *w)
{
    pthread_mutex_lock(&w->mu);
    w->releasing = true;
    pthread_mutex_unlock(&w->mu);
}

int o2c_workers_take_done(o2c_workers *w, struct o2c_step **out, int max)
{
    int count = 0;
    pthread_mutex_lock(&w->mu);
    struct node *n;
    while (count < max && (n = pop(&w->done))) {
        out[count++] = n->step;
        free(n);
    }
    pthread_mutex_unlock(&w->mu);
    return count;
}

void o2c_workers_stop(o2c_workers *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->ready);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    struct node *n;
    while ((n = pop(&w->done)) || (n = pop(&w->todo))) {
        if (n->step->slot_next)
            o2c_step_free(n->step->slot_next);
        o2c_step_free(n->step);
        free(n);
    }
    pthread_cond_destroy(&w->ready);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
