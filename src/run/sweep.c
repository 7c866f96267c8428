/* sweep.c — the sweep driver. Units (cell, trial) not yet in the store are
 * handed out one at a time (dynamic scheduling) to compute threads and, under
 * mpirun, to the compute threads of the other ranks; every finished unit goes
 * back to the one writer (rank 0's main thread), which commits it at once.
 * A unit's numbers depend only on (cell seed, trial), never on who ran it.
 *
 * Threads: the main thread of each rank never computes; it schedules (rank 0),
 * talks MPI (all MPI calls are made from main threads: MPI_THREAD_FUNNELED)
 * and commits. Compute threads take units from a queue and post results. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"
#include "run/run_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef GINV_HAVE_MPI
#include <mpi.h>
#endif

void ginv_sweep_opts_init(ginv_sweep_opts *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
    o->busy_timeout_ms = 10000;
    o->mpi = 1;
}

int ginv_sweep_mpi_launched(void)
{
#ifdef GINV_HAVE_MPI
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
#else
    return 0;
#endif
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* ------------------------------------------------- local compute threads */

typedef struct {
    const ginv_sweep_spec *spec;
    const ginv_unit_runner *runner;
    int trials, rank;
    ginv_ctx *ctx;          /* the run's context, current on every crew thread */
    pthread_mutex_t lock;
    pthread_cond_t work_cv, done_cv;
    long *queue;            /* units to run (ring) */
    int qcap, qhead, qlen;
    ginv_run_result *out;   /* finished, not yet taken by the main thread (ring) */
    int ocap, ohead, olen;
    int busy;               /* units taken by a thread and not finished */
    int closing;            /* no more work: threads exit when the queue is empty */
} crew;

static void run_unit(crew *c, long u, ginv_run_result *r)
{
    memset(r, 0, sizeof *r);
    r->cell = u / c->trials;
    r->trial = (int)(u % c->trials);
    r->rank = c->rank;
    r->started = wall_now();
    double t0 = mono_now();
    ginv_clear_error();
    r->status = c->runner->run(ginv_sweep_spec_cell(c->spec, r->cell),
                               ginv_sweep_cell_seed(c->spec, r->cell), (uint64_t)r->trial, &r->metrics);
    r->seconds = mono_now() - t0;
    if (r->status != GINV_OK) {
        snprintf(r->error, sizeof r->error, "%s", *ginv_last_error() ? ginv_last_error() : ginv_strerror(r->status));
        r->metrics.n = 0; /* a failed unit's metrics are not results */
    }
}

static void *crew_main(void *arg)
{
    crew *c = arg;
    ginv_ctx_set_current(c->ctx);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->qlen && !c->closing) pthread_cond_wait(&c->work_cv, &c->lock);
        if (!c->qlen) break;
        long u = c->queue[c->qhead];
        c->qhead = (c->qhead + 1) % c->qcap;
        c->qlen--;
        c->busy++;
        pthread_mutex_unlock(&c->lock);
        ginv_run_result r;
        run_unit(c, u, &r);
        pthread_mutex_lock(&c->lock);
        c->out[(c->ohead + c->olen) % c->ocap] = r;
        c->olen++;
        c->busy--;
        pthread_cond_signal(&c->done_cv);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* under c->lock */
static void crew_push(crew *c, long u)
{
    c->queue[(c->qhead + c->qlen) % c->qcap] = u;
    c->qlen++;
    pthread_cond_signal(&c->work_cv);
}

/* under c->lock: take one finished unit */
static int crew_pop(crew *c, ginv_run_result *r)
{
    if (!c->olen) return 0;
    *r = c->out[c->ohead];
    c->ohead = (c->ohead + 1) % c->ocap;
    c->olen--;
    return 1;
}

/* Wait for a result or a timeout (seconds; < 0: no timeout). Under c->lock. */
static void crew_wait(crew *c, double timeout)
{
    if (c->olen) return;
    if (timeout < 0) {
        pthread_cond_wait(&c->done_cv, &c->lock);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long ns = ts.tv_nsec + (long)(timeout * 1e9);
    ts.tv_sec += ns / 1000000000L;
    ts.tv_nsec = ns % 1000000000L;
    pthread_cond_timedwait(&c->done_cv, &c->lock, &ts);
}

static ginv_status crew_start(crew *c, pthread_t *tid, int threads, int *started)
{
    c->qcap = c->ocap = threads + 1;
    c->queue = ginv_calloc((size_t)c->qcap, sizeof *c->queue);
    c->out = ginv_calloc((size_t)c->ocap, sizeof *c->out);
    if (!c->queue || !c->out) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->work_cv, NULL);
    pthread_cond_init(&c->done_cv, NULL);
    *started = 0;
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&tid[i], NULL, crew_main, c) != 0) break;
        (*started)++;
    }
    if (!*started) return ginv_fail(GINV_ERR_NOMEM, "cannot start a compute thread: %s", strerror(errno));
    return GINV_OK;
}

static void crew_stop(crew *c, pthread_t *tid, int started)
{
    pthread_mutex_lock(&c->lock);
    c->closing = 1;
    c->qlen = 0; /* queued units not started are dropped (the writer redoes them next time) */
    pthread_cond_broadcast(&c->work_cv);
    pthread_mutex_unlock(&c->lock);
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->work_cv);
    pthread_cond_destroy(&c->done_cv);
    ginv_free(c->queue);
    ginv_free(c->out);
}

/* ---------------------------------------------------------------- writer */

enum { TAG_REQ = 1, TAG_RES = 2, TAG_WORK = 3, TAG_DONE = 4 };
#define MSG_MAX 8192

typedef struct {
    const ginv_sweep_spec *spec;
    ginv_run_store *store;
    long *pending;          /* units to run, in order */
    long npending, next;
    long total, done;       /* done: in the store */
    ginv_sweep_stats *stats;
    ginv_status err;        /* the first store failure: stop handing out work */
    char errmsg[1024];
} writer;

static long writer_take(writer *w)
{
    if (!w->err && w->next < w->npending && ginv_cancel_requested()) {
        w->err = GINV_ERR_CANCELLED;
        snprintf(w->errmsg, sizeof w->errmsg, "cancelled: %ld of %ld units in the store "
                 "(--resume continues)", w->done, w->total);
    }
    if (w->err || w->next >= w->npending) return -1;
    return w->pending[w->next++];
}

static void writer_commit(writer *w, const ginv_run_result *r)
{
    /* after a cancel, the units that finished are still stored; the ones the
     * cancel stopped are not (they run again on resume) */
    if (r->status == GINV_ERR_CANCELLED) {
        if (!w->err) {
            w->err = GINV_ERR_CANCELLED;
            snprintf(w->errmsg, sizeof w->errmsg, "cancelled: %ld of %ld units in the store "
                     "(--resume continues)", w->done, w->total);
        }
        return;
    }
    if (w->err && w->err != GINV_ERR_CANCELLED) return;
    ginv_status st = ginv_run_store_put(w->store, w->spec, r);
    if (st) {
        w->err = st;
        snprintf(w->errmsg, sizeof w->errmsg, "%s", ginv_last_error());
        return;
    }
    w->done++;
    w->stats->done_now++;
    if (r->status != GINV_OK) w->stats->failed++;
    ginv_progress("units", w->done, w->total);
}

/* Threads in this process: no more than the CPUs left to each of the ranks
 * on this node (OpenBLAS itself runs single-threaded in ginv). */
static int cap_threads(int want)
{
    int cap = ginv_cpus_available();
    if (want > cap) {
        ginv_log(GINV_LOG_WARN, "%d threads requested, %d used (the CPUs this rank may use)", want, cap);
        return cap;
    }
    return want;
}

/* The writer's loop: feed local threads and (with MPI) remote ranks until
 * every unit is stored or the store fails; remote ranks leave by TAG_DONE. */
static void writer_loop(writer *w, crew *c, int threads, int nranks)
{
    int remote_left = nranks - 1, inflight = 0;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        ginv_run_result r;
        while (crew_pop(c, &r)) {
            inflight--;
            pthread_mutex_unlock(&c->lock);
            writer_commit(w, &r);
            pthread_mutex_lock(&c->lock);
        }
        /* keep every local thread busy */
        while (c->qlen + c->busy + c->olen < threads) {
            long u = writer_take(w);
            if (u < 0) break;
            crew_push(c, u);
            inflight++;
        }
        if (w->err && inflight) { /* drop queued work; wait only for the running units */
            inflight -= c->qlen;
            c->qlen = 0;
        }
#ifdef GINV_HAVE_MPI
        if (nranks > 1) {
            pthread_mutex_unlock(&c->lock);
            int flag = 1;
            while (flag) {
                MPI_Status ms;
                MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
                if (!flag) break;
                static unsigned char buf[MSG_MAX];
                int len;
                MPI_Get_count(&ms, MPI_BYTE, &len);
                MPI_Recv(buf, MSG_MAX, MPI_BYTE, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (ms.MPI_TAG == TAG_DONE) {
                    remote_left--;
                    continue;
                }
                if (ms.MPI_TAG == TAG_RES) {
                    ginv_run_result rr;
                    if (ginv_run_result_decode(buf, (size_t)len, NULL, &rr) == 0) writer_commit(w, &rr);
                    else if (!w->err) {
                        w->err = GINV_ERR_FORMAT;
                        snprintf(w->errmsg, sizeof w->errmsg, "a malformed result came from rank %d", ms.MPI_SOURCE);
                    }
                }
                int64_t u = writer_take(w); /* the reply: the next unit, or -1: stop */
                MPI_Send(&u, 1, MPI_INT64_T, ms.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
            }
            pthread_mutex_lock(&c->lock);
        }
#endif
        if (!inflight && remote_left == 0 && (w->err || w->next >= w->npending)) break;
        crew_wait(c, nranks > 1 ? 0.001 : -1);
    }
    pthread_mutex_unlock(&c->lock);
}

#ifdef GINV_HAVE_MPI
/* A rank other than 0: ask for one unit per idle thread, return results (each
 * also asks for the next), leave when every thread got a stop. */
static void worker_loop(crew *c, int threads)
{
    int stops = 0, inflight = 0;
    for (int i = 0; i < threads; i++) MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_REQ, MPI_COMM_WORLD);
    pthread_mutex_lock(&c->lock);
    for (;;) {
        ginv_run_result r;
        while (crew_pop(c, &r)) {
            inflight--;
            pthread_mutex_unlock(&c->lock);
            static unsigned char buf[MSG_MAX];
            size_t len = ginv_run_result_encode(&r, buf, sizeof buf);
            if (len > sizeof buf) { /* cannot happen with the field limits; keep the protocol */
                r.metrics.n = 0;
                len = ginv_run_result_encode(&r, buf, sizeof buf);
            }
            MPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_RES, MPI_COMM_WORLD);
            pthread_mutex_lock(&c->lock);
        }
        pthread_mutex_unlock(&c->lock);
        int flag = 1;
        while (flag) {
            MPI_Iprobe(0, TAG_WORK, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
            if (!flag) break;
            int64_t u;
            MPI_Recv(&u, 1, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            pthread_mutex_lock(&c->lock);
            if (u < 0) stops++;
            else {
                crew_push(c, (long)u);
                inflight++;
            }
            pthread_mutex_unlock(&c->lock);
        }
        pthread_mutex_lock(&c->lock);
        if (stops == threads && !inflight) break;
        crew_wait(c, 0.001);
    }
    pthread_mutex_unlock(&c->lock);
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
}
#endif

static ginv_status sweep_run(const ginv_sweep_spec *s, const ginv_sweep_opts *o, ginv_sweep_stats *stats)
{
    if (o->threads < 1 || o->threads > 256)
        return ginv_fail(GINV_ERR_ARG, "threads %d must be in [1, 256]", o->threads);
    if (!o->db || !*o->db) return ginv_fail(GINV_ERR_ARG, "no store: give a database file");
    if (o->retry_errors && !o->resume)
        return ginv_fail(GINV_ERR_ARG, "retrying the errors of a store needs resume (parameters 'resume' and 'retry-errors')");
    long T = ginv_sweep_spec_trials(s), total = ginv_sweep_spec_cells(s) * T;
    int rank = 0, nranks = 1, mpi_mine = 0;
#ifdef GINV_HAVE_MPI
    if (o->mpi && ginv_sweep_mpi_launched()) {
        int inited;
        MPI_Initialized(&inited);
        if (!inited) {
            int provided;
            MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
            mpi_mine = 1;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    }
#endif
#ifndef GINV_HAVE_MPI
    const char *ws = getenv("OMPI_COMM_WORLD_SIZE");
    if (o->mpi && ws && atoi(ws) > 1)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "started by mpirun with %s ranks, but this ginv was built "
                         "without MPI (install libopenmpi-dev so mpicc exists, and rebuild)", ws);
#endif
    int threads = cap_threads(o->threads);
    if (threads > 1) ginv_blas_set_threads(1); /* parallel units, one thread each */
    stats->total = total;
    stats->ranks = nranks;
    stats->threads = threads;
    stats->rank = rank;
    double t0 = mono_now();
    ginv_status st = GINV_OK;
    crew c = {.spec = s, .runner = ginv_run_spec_runner(s), .trials = (int)T, .rank = rank,
              .ctx = ginv_ctx_current()};
    pthread_t tid[256];
    int started = 0;
    writer w = {.spec = s, .total = total, .stats = stats};
    unsigned char *done = NULL;
    st = crew_start(&c, tid, threads, &started);
    if (rank == 0 && !st) {
        done = ginv_calloc((size_t)total, 1);
        w.pending = ginv_malloc((size_t)total * sizeof(long));
        if (!done || !w.pending) st = ginv_fail(GINV_ERR_NOMEM, "out of memory for %ld units", total);
        if (!st) st = ginv_run_store_open(&w.store, o->db, s, o->resume, o->retry_errors,
                                          o->busy_timeout_ms, done);
        if (!st) {
            for (long u = 0; u < total; u++)
                if (done[u] == 1) stats->done_before++;
                else if (!o->max_units || w.npending < o->max_units) {
                    w.pending[w.npending++] = u;
                    stats->retried += done[u] == 2;
                }
            w.done = stats->done_before;
            ginv_progress("units", w.done, total);
        }
    }
#ifdef GINV_HAVE_MPI
    if (nranks > 1) { /* everyone learns whether the writer is ready */
        int ok = rank != 0 || st == GINV_OK;
        MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (rank != 0) {
            if (!ok) st = ginv_fail(GINV_ERR_IO, "rank %d: the writer (rank 0) could not open the store", rank);
            else if (!st) worker_loop(&c, started);
            else MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD); /* no threads: leave */
        }
    }
#endif
    if (rank == 0 && !st) {
        writer_loop(&w, &c, started, nranks);
        if (w.err) st = ginv_fail(w.err, "%s", w.errmsg);
    }
    if (c.queue) crew_stop(&c, tid, started);
    ginv_run_store_close(w.store);
    ginv_free(done);
    ginv_free(w.pending);
    stats->seconds = mono_now() - t0;
#ifdef GINV_HAVE_MPI
    if (mpi_mine) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        MPI_Finalize();
        if (st) ginv_fail(st, "%s", msg);
    }
#else
    (void)mpi_mine;
#endif
    return st;
}

ginv_status ginv_sweep_run(const ginv_sweep_spec *s, const ginv_sweep_opts *o, ginv_sweep_stats *stats)
{
    GINV_NONNULL(stats);
    memset(stats, 0, sizeof *stats);
    GINV_NONNULL(s);
    GINV_NONNULL(o);
    ginv_sweep_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, sweep_run(s, &oc, stats));
}
