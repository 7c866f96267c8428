/* pool.c — a small persistent thread pool for splitting one product into
 * chunks. Chunks are fixed by the problem's sizes, never by the thread count,
 * so every chunk is the same single-threaded BLAS call whoever runs it: the
 * numbers are bit-identical with 1 or N threads.
 *
 * A job is published as a 64-bit ticket word (generation, and the range of
 * chunks not yet claimed).
 * Threads claim chunks by compare-and-swap, so a worker that wakes late can
 * never claim a chunk of a newer job by mistake, and the caller never waits
 * for a worker that is not running: it claims whatever is left itself and
 * waits only for chunks already claimed. Idle workers spin briefly (a solver
 * issues thousands of products a second), then sleep. */
#include "linalg/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define MAX_WORKERS 63
#define SPIN_ROUNDS 20000

static struct {
    int nthreads;                 /* including the caller */
    pthread_t tid[MAX_WORKERS];
    _Atomic uint64_t ticket;      /* generation (16 bits) | lo (24) | hi (24) */
    atomic_int done;              /* chunks finished in the current job */
    atomic_int stop;
    atomic_int sleepers;
    ginv_chunk_fn fn;
    void *ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} P = {.nthreads = 1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* The ticket packs the job's generation and the unclaimed chunks [lo, hi). */
#define T_GEN(t) ((uint32_t)((t) >> 48))
#define T_LO(t) ((int)(((t) >> 24) & 0xFFFFFF))
#define T_HI(t) ((int)((t) & 0xFFFFFF))
#define T_MAKE(g, lo, hi) (((uint64_t)((g) & 0xFFFF) << 48) | ((uint64_t)(lo) << 24) | (uint64_t)(hi))

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Claim and run chunks of generation gen until none is left: the caller
 * takes them from the front, workers from the back, so with two threads each
 * keeps working on the same half of a product from call to call (and keeps
 * that half's weights in its own cache). */
static void take_chunks(uint32_t gen, int from_back)
{
    uint64_t t = atomic_load(&P.ticket);
    for (;;) {
        int lo = T_LO(t), hi = T_HI(t);
        if (T_GEN(t) != (gen & 0xFFFF) || lo >= hi) return;
        int c = from_back ? hi - 1 : lo;
        uint64_t nt = from_back ? T_MAKE(gen, lo, hi - 1) : T_MAKE(gen, lo + 1, hi);
        if (!atomic_compare_exchange_weak(&P.ticket, &t, nt)) continue;
        /* chunk claimed: its job cannot finish before we do, so fn/ctx are its own */
        P.fn(P.ctx, c);
        atomic_fetch_add_explicit(&P.done, 1, memory_order_release);
        t = atomic_load(&P.ticket);
    }
}

/* Chunks run with denormal floats flushed to zero (x86 MXCSR FTZ and DAZ):
 * a chain that wanders into saturated activations produces gradients below
 * FLT_MIN, on which the BLAS kernels slow down several times (a tempered
 * VAE chain took 25 ms a step instead of 4.8; command in docs/sampling.md),
 * while values that small carry no information at float precision. Workers set it once (they run nothing
 * else); the caller sets it for the call and restores its own mode after,
 * so the rest of the program (parsers, diagnostics) keeps IEEE denormals and
 * every chunk sees the same mode whatever thread runs it. */
static unsigned fp_flush_enter(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
    return saved;
#else
    return 0;
#endif
}

static void fp_flush_leave(unsigned saved)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(saved);
#else
    (void)saved;
#endif
}

static void *worker_main(void *arg)
{
    fp_flush_enter();
    uint32_t seen = (uint32_t)(uintptr_t)arg; /* generation when started */
    for (;;) {
        uint32_t g;
        int spins = 0;
        while ((g = T_GEN(atomic_load(&P.ticket))) == seen) {
            if (atomic_load_explicit(&P.stop, memory_order_relaxed)) return NULL;
            if (++spins < SPIN_ROUNDS) {
                cpu_relax();
                continue;
            }
            pthread_mutex_lock(&P.mu);
            atomic_fetch_add(&P.sleepers, 1);
            while (T_GEN(atomic_load(&P.ticket)) == seen && !atomic_load(&P.stop))
                pthread_cond_wait(&P.cv, &P.mu);
            atomic_fetch_sub(&P.sleepers, 1);
            pthread_mutex_unlock(&P.mu);
            spins = 0;
        }
        if (atomic_load(&P.stop)) return NULL;
        seen = g;
        take_chunks(g, 1);
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
    void *gen0 = (void *)(uintptr_t)T_GEN(atomic_load(&P.ticket));
    for (int i = 0; i < n - 1; i++)
        if (pthread_create(&P.tid[i], NULL, worker_main, gen0) == 0) started++;
        else break;
    P.nthreads = started + 1;
}

int ginv_pool_threads(void) { return P.nthreads; }

void ginv_pool_run(int nchunks, ginv_chunk_fn fn, void *ctx)
{
    unsigned fp = fp_flush_enter();
    if (P.nthreads == 1 || nchunks <= 1 || nchunks >= (1 << 24)) {
        for (int c = 0; c < nchunks; c++) fn(ctx, c);
        fp_flush_leave(fp);
        return;
    }
    P.fn = fn;
    P.ctx = ctx;
    atomic_store_explicit(&P.done, 0, memory_order_relaxed);
    uint32_t gen = (T_GEN(atomic_load(&P.ticket)) + 1) & 0xFFFF;
    atomic_store(&P.ticket, T_MAKE(gen, 0, nchunks)); /* seq_cst: pairs with the sleepers check */
    if (atomic_load(&P.sleepers)) {
        pthread_mutex_lock(&P.mu);
        pthread_cond_broadcast(&P.cv);
        pthread_mutex_unlock(&P.mu);
    }
    take_chunks(gen, 0);
    for (int spins = 0; atomic_load_explicit(&P.done, memory_order_acquire) < nchunks; spins++)
        if (spins < SPIN_ROUNDS) cpu_relax();
        else sched_yield();
    fp_flush_leave(fp);
}
