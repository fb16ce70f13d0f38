#include "runner/workers.h"

#include "runner/action.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct node {
    struct o2c_step *step;
    struct node *next;
};

struct queue {
    struct node *head, *tail;
};

struct o2c_workers {
    pthread_mutex_t mu;
    pthread_cond_t ready;
    struct queue todo, done;
    int stopping;
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    o2c_outcome_clear(&step->outcome);
    step->impl->run(step, &step->outcome);
    if (!step->outcome.name[0])
        o2c_outcome_failed(&step->outcome, O2C_FAIL_WORKFLOW_ERROR, "action %s reported no outcome", step->action);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    step->duration_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
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

        pthread_mutex_lock(&w->mu);
        push(&w->done, n);
        pthread_mutex_unlock(&w->mu);
        uint64_t one = 1;
        ssize_t wrote = write(w->wake_fd, &one, sizeof one);
        (void)wrote; /* the eventfd counter cannot overflow in practice; a lost wake is caught by the poll timeout */
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
    struct node *n = malloc(sizeof *n);
    if (!n)
        abort(); /* cannot even queue a step: the lease will expire and another runner redoes it */
    n->step = step;
    pthread_mutex_lock(&w->mu);
    push(&w->todo, n);
    pthread_cond_signal(&w->ready);
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
        o2c_step_free(n->step);
        free(n);
    }
    pthread_cond_destroy(&w->ready);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
