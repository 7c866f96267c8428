/* pool.c — a small persistent thread pool for splitting one product into
 * chunks. Chunks are fixed by the problem's sizes, never by the thread count,
 * so every chunk is the same single-threaded BLAS call whoever runs it: the
 * numbers are bit-identical with 1 or N threads.
 *
 * Workers spin briefly on a generation counter (a solver issues thousands of
 * products a second), then sleep on a condition variable. */
#include "linalg/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define MAX_WORKERS 63
#define SPIN_ROUNDS 200000

static struct {
    int nthreads;                 /* including the caller */
    pthread_t tid[MAX_WORKERS];
    atomic_uint gen;              /* bumped for each job */
    atomic_int next;              /* next chunk to take */
    atomic_int pending;           /* workers still inside the current job */
    atomic_int stop;
    atomic_int sleepers;
    int nchunks;
    ginv_chunk_fn fn;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} P = {.nthreads = 1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void take_chunks(void)
{
    for (;;) {
        int c = atomic_fetch_add_explicit(&P.next, 1, memory_order_relaxed);
        if (c >= P.nchunks) return;
        P.fn(P.ctx, c);
    }
}

static void *worker_main(void *arg)
{
    /* the generation when the pool was (re)started: jobs after it are ours */
    unsigned seen = (unsigned)(uintptr_t)arg;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load_explicit(&P.gen, memory_order_acquire)) == seen) {
            if (atomic_load(&P.stop)) return NULL;
            if (++spins < SPIN_ROUNDS) {
                cpu_relax();
                continue;
            }
            pthread_mutex_lock(&P.mu);
            atomic_fetch_add(&P.sleepers, 1);
            while (atomic_load(&P.gen) == seen && !atomic_load(&P.stop))
                pthread_cond_wait(&P.cv, &P.mu);
            atomic_fetch_sub(&P.sleepers, 1);
            pthread_mutex_unlock(&P.mu);
            spins = 0;
        }
        seen = g;
        if (atomic_load(&P.stop)) return NULL;
        take_chunks();
        atomic_fetch_sub_explicit(&P.pending, 1, memory_order_release);
    }
}

static void stop_workers(void)
{
    pthread_mutex_lock(&P.mu);
    atomic_store(&P.stop, 1);
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.nthreads - 1; i++) pthread_join(P.tid[i], NULL);
    atomic_store(&P.stop, 0);
    P.nthreads = 1;
}

void ginv_pool_set_threads(int n)
{
    if (n < 1) n = 1;
    if (n > MAX_WORKERS + 1) n = MAX_WORKERS + 1;
    if (n == P.nthreads) return;
    stop_workers();
    int started = 0;
    void *gen0 = (void *)(uintptr_t)atomic_load(&P.gen);
    for (int i = 0; i < n - 1; i++)
        if (pthread_create(&P.tid[i], NULL, worker_main, gen0) == 0) started++;
        else break;
    P.nthreads = started + 1;
}

int ginv_pool_threads(void) { return P.nthreads; }

void ginv_pool_run(int nchunks, ginv_chunk_fn fn, void *ctx)
{
    if (P.nthreads == 1 || nchunks == 1) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c);
        return;
    }
    P.fn = fn;
    P.ctx = ctx;
    P.nchunks = nchunks;
    atomic_store_explicit(&P.next, 0, memory_order_relaxed);
    atomic_store_explicit(&P.pending, P.nthreads - 1, memory_order_relaxed);
    atomic_fetch_add(&P.gen, 1); /* seq_cst: pairs with the sleepers check */
    if (atomic_load(&P.sleepers)) {
        pthread_mutex_lock(&P.mu);
        pthread_cond_broadcast(&P.cv);
        pthread_mutex_unlock(&P.mu);
    }
    take_chunks();
    while (atomic_load_explicit(&P.pending, memory_order_acquire) > 0) cpu_relax();
}
