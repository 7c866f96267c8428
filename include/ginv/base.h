/* ginv/base.h — status codes and messages, counted allocation, logging and
 * progress callbacks, RNG streams, linear algebra (GEMM, BLAS threads and
 * kernels), the library's version and ginv_lib_init.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_BASE_H
#define GINV_BASE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions of the whole API (docs/library.md):
 *  - every call that can fail returns a ginv_status; the message that goes
 *    with a failure is read with ginv_last_error() (thread-local);
 *  - the library never prints and never exits: logging and progress go
 *    through callbacks the caller installs;
 *  - latents are B x k row-major float32, signals B x n, measurements B x m;
 *  - _new/_free for heap objects, _init/_release for caller-owned structs;
 *  - a call that returns a ginv_status checks its pointers and sizes: NULL
 *    where a pointer is needed fails with GINV_ERR_ARG and a message
 *    naming the function and the parameter; the calls that return a value
 *    (accessors, kernels such as ginv_gemm, ginv_net_forward, ginv_op_apply)
 *    take non-NULL pointers unless their comment says otherwise;
 *    _free(NULL) and _release(NULL) do nothing.
 */

#define GINV_VERSION "0.1.0"

/* ---------------------------------------------------------------- status */

typedef enum {
    GINV_OK = 0,
    GINV_ERR_ARG,         /* an argument or option is invalid */
    GINV_ERR_IO,          /* a file could not be opened, read or written */
    GINV_ERR_FORMAT,      /* a file's contents break its format's rules */
    GINV_ERR_SHAPE,       /* sizes do not agree */
    GINV_ERR_NOMEM,       /* an allocation failed */
    GINV_ERR_NUMERIC,     /* NaN/Inf or divergence */
    GINV_ERR_UNSUPPORTED, /* valid, but not supported by ginv */
    GINV_ERR_CANCELLED    /* stopped by ginv_ctx_cancel (appended: the others keep their numbers) */
} ginv_status;

const char *ginv_strerror(ginv_status s);
/* The message of the last failure on this thread ("" if none). */
const char *ginv_last_error(void);
/* The status of the last ginv_fail on this thread (GINV_OK after
 * ginv_clear_error): the class of the failure ginv_last_error() describes. */
ginv_status ginv_last_status(void);
/* Record a failure message (printf-style) and return s. */
ginv_status ginv_fail(ginv_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ginv_clear_error(void);

/* ------------------------------------------------------------ allocation */

/* Counted allocation: every byte the library holds goes through these, so
 * tests can assert that nothing is live at the end. */
void *ginv_malloc(size_t n);
void *ginv_calloc(size_t count, size_t size);
void *ginv_realloc(void *p, size_t n);
void ginv_free(void *p);
char *ginv_strdup(const char *s);
size_t ginv_live_bytes(void);
size_t ginv_live_blocks(void);
/* A cap on live bytes (tests, fuzzing, memory-bounded hosts): an allocation
 * that would take them above max_live fails (NULL) as if memory ran out.
 * 0 removes the cap. Returns the previous cap. */
size_t ginv_alloc_limit(size_t max_live);

/* ------------------------------------------------------ logging/progress */

enum { GINV_LOG_ERROR = 0, GINV_LOG_WARN = 1, GINV_LOG_INFO = 2, GINV_LOG_DEBUG = 3 };
typedef void (*ginv_log_fn)(void *user, int level, const char *msg);
/* done/total; total <= 0 means unknown. `what` names the work. */
typedef void (*ginv_progress_fn)(void *user, const char *what, long done, long total);
void ginv_set_log(ginv_log_fn fn, void *user);
void ginv_set_progress(ginv_progress_fn fn, void *user);
void ginv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ginv_progress(const char *what, long done, long total);

/* ------------------------------------------------------------- contexts */

/* A context: what one run uses instead of the process-wide settings — a
 * thread count, log and progress callbacks, and a cancel flag. Give it to a
 * long-running call through the `ctx` field of its options (ginv_recover_run,
 * ginv_csgm_run, ginv_sample_run, ginv_vae_train, ginv_sweep_run; NULL: the
 * process-wide callbacks and opts->threads, or the context of the run this
 * call is nested in). While such a call runs, ginv_log and ginv_progress on
 * its thread and on the threads it starts go to the context's callbacks
 * once set (ginv_ctx_set_log/_progress, NULL: silence; the process-wide ones
 * of ginv_set_log/_progress are then not called; never set: the process-wide
 * one), and the call checks the cancel flag between solver
 * iterations, sampler steps, trials, minibatches and sweep units: once set,
 * it stops, frees what it allocated and returns GINV_ERR_CANCELLED. Every
 * such call, with or without a context, restores the linear-algebra thread
 * count it found. One context may serve several runs in turn; the callbacks
 * may be called from the run's threads (serialised for progress where the
 * run has several). */
typedef struct ginv_ctx ginv_ctx;
ginv_status ginv_ctx_new(ginv_ctx **out);
void ginv_ctx_free(ginv_ctx *ctx);
/* Linear-algebra threads of the runs that use ctx (n < 1: take the options'
 * `threads`, the default). */
void ginv_ctx_set_threads(ginv_ctx *ctx, int n);
int ginv_ctx_threads(const ginv_ctx *ctx);
void ginv_ctx_set_log(ginv_ctx *ctx, ginv_log_fn fn, void *user);
void ginv_ctx_set_progress(ginv_ctx *ctx, ginv_progress_fn fn, void *user);
/* Ask the runs using ctx to stop. Async-signal-safe (sets an atomic flag):
 * callable from a SIGINT handler, another thread or a callback. The flag
 * stays set until ginv_ctx_reset. */
void ginv_ctx_cancel(ginv_ctx *ctx);
void ginv_ctx_reset(ginv_ctx *ctx);
/* 1 once ginv_ctx_cancel was called (and not reset), else 0; 0 for NULL. */
int ginv_ctx_cancelled(const ginv_ctx *ctx);

/* ------------------------------------------------------ parameter tables */

/* One typed table per task (recover, cs): the one list of a task's
 * parameters. It drives the command's option parsing and --help, the keys a
 * sweep cell may set, the JSON "params" block and the task's check
 * (docs/library.md, "Parameter tables"). Parameter NAME is the option
 * --NAME, the sweep key NAME, and the JSON key NAME with '-' written '_'.
 * Each row names a field of the task's own struct (ginv_recover_params,
 * ginv_cs_params) by its offset. */
typedef enum {
    GINV_PARAM_FLAG = 0, /* int, 0 or 1 */
    GINV_PARAM_INT,      /* int */
    GINV_PARAM_DOUBLE,   /* double */
    GINV_PARAM_STRING    /* const char * (the text is not copied) */
} ginv_param_type;
typedef struct {
    const char *name;
    ginv_param_type type;
    size_t offset;               /* of the field in the task's struct */
    const char *meta;            /* the value's name in --help ("ETA", "gd|adam") */
    const char *help;            /* one line */
    const char *def;             /* the default as text; NULL: unset (a NULL string,
                                    an int 0, a double NaN: "automatic", the help says how) */
    double lo, hi;               /* INT, DOUBLE: the inclusive range */
    const char *const *choices;  /* STRING: the allowed values (NULL-terminated), or NULL */
} ginv_param_def;
typedef struct {
    const char *task;            /* "recover" */
    const ginv_param_def *defs;
    int n;
    size_t size;                 /* sizeof the task's struct */
    const char *const *aliases;  /* deprecated names: OLD, NEW pairs, NULL-terminated, or NULL */
} ginv_param_table;
/* The row of `name` (or of the name a deprecated alias stands for), or NULL. */
const ginv_param_def *ginv_param_find(const ginv_param_table *t, const char *name);
/* Every field of obj (t->size bytes) set to its default. */
ginv_status ginv_param_defaults(const ginv_param_table *t, void *obj);
/* Parse text into parameter `name` of obj: a number in range, one of the
 * choices, or (flags) true/false/1/0. Messages name the parameter. */
ginv_status ginv_param_set(const ginv_param_table *t, void *obj, const char *name,
                           const char *text);
/* Every set field in its range and among its choices; NaN and Inf refused.
 * The message names the first parameter that is not. */
ginv_status ginv_param_validate(const ginv_param_table *t, const void *obj);
/* The index of value among a STRING row's choices, or -1. */
int ginv_param_choice(const ginv_param_def *d, const char *value);

/* ------------------------------------------------------------------- RNG */

/* A random stream derived from (seed, purpose, index): trial i of purpose P
 * draws the same numbers whatever thread or process runs it. */
typedef struct { uint64_t s[4]; int has_spare; double spare; } ginv_rng;

enum {
    GINV_STREAM_NET = 1,      /* generator weights (per trial) */
    GINV_STREAM_TRUTH = 2,    /* z0 (per trial) */
    GINV_STREAM_OP = 3,       /* measurement operator (per trial) */
    GINV_STREAM_NOISE = 4,    /* measurement noise (per trial) */
    GINV_STREAM_INIT = 5,     /* solver initialisation (per trial) */
    GINV_STREAM_KINK = 6,     /* the fixed direction w of eq. (5) */
    GINV_STREAM_USER = 100
};
void ginv_rng_init(ginv_rng *r, uint64_t seed, uint64_t purpose, uint64_t index);
uint64_t ginv_rng_u64(ginv_rng *r);
double ginv_rng_uniform(ginv_rng *r);                   /* [0, 1) */
double ginv_rng_normal(ginv_rng *r);                    /* N(0, 1) */
void ginv_rng_normal_f32(ginv_rng *r, float *x, size_t n, double sd);
uint64_t ginv_rng_below(ginv_rng *r, uint64_t n);       /* uniform in [0, n) */

/* --------------------------------------------------------------- linalg */

/* C (M x N) = alpha * op(A) op(B) + beta * C, row-major; ta/tb: 0 or 1 for
 * transpose. A is M x K (K x M if ta), B is K x N (N x K if tb).
 * Dispatches to cblas_sgemv when M == 1 or N == 1. */
void ginv_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A,
               const float *B, float beta, float *C);
/* The plain triple loop (double accumulation): the test oracle. */
void ginv_gemm_ref(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                   const float *B, float beta, float *C);
/* Threads for linear algebra (ginv's pool; OpenBLAS itself stays single-
 * threaded). Products are cut into chunks fixed by their sizes, so results
 * are bit-identical for any thread count. Drive from one thread at a time. */
void ginv_blas_set_threads(int n);
/* The current linear-algebra thread count (1 until set). */
int ginv_blas_get_threads(void);
/* The CPUs this process may run on (sched_getaffinity), shared among the
 * MPI ranks on this node (OMPI_COMM_WORLD_LOCAL_SIZE): at least 1, at most
 * 256. The default thread count of the commands and the cap of a sweep. */
int ginv_cpus_available(void);
/* The kernel family OpenBLAS chose (e.g. "SkylakeX", "Haswell", "Prescott"). */
const char *ginv_blas_core(void);
/* When OpenBLAS fell back to generic kernels on a CPU that supports better
 * ones, the OPENBLAS_CORETYPE value to set before the program starts; else
 * NULL. */
const char *ginv_blas_better_core(void);
/* Switch OpenBLAS, already loaded, to the kernel family `name` ("SkylakeX",
 * "Haswell", "Sandybridge", "Prescott", ...). Needs an OpenBLAS built with
 * DYNAMIC_ARCH (Debian's is; GINV_ERR_UNSUPPORTED otherwise). Not thread-
 * safe: no thread may be inside a BLAS call meanwhile. */
ginv_status ginv_blas_switch_core(const char *name);

/* ------------------------------------------------------- library set-up */

/* The library's version ("0.1.0"), to compare with GINV_VERSION, the
 * header's. */
const char *ginv_version(void);

/* What ginv_lib_init found and did about OpenBLAS's kernels. */
typedef struct {
    const char *loaded; /* the family OpenBLAS picked when it loaded */
    const char *better; /* a better family the CPU supports, NULL if none */
    const char *core;   /* the family in use when ginv_lib_init returned */
    int switched;       /* 1: ginv_lib_init switched OpenBLAS to `better` */
} ginv_blas_report;

/* Flags of ginv_lib_init. */
#define GINV_LIB_INIT_REPORT_ONLY 1u /* find the better kernels, switch nothing */

/* Call once at the start of a program that uses libginv, before other
 * threads run (the ginv command does the same by re-executing itself).
 * OpenBLAS 0.3.21 falls back to its generic SSE3 kernels on CPUs it does not
 * recognise, several times slower for GEMM; when ginv_blas_better_core()
 * names a better family, this switches OpenBLAS to it in place
 * (ginv_blas_switch_core). It leaves OpenBLAS alone when OPENBLAS_CORETYPE is
 * set (the user chose) or flags has GINV_LIB_INIT_REPORT_ONLY. report may be
 * NULL. Returns GINV_OK when nothing needed doing or the switch worked; a
 * failed switch leaves the loaded kernels in use and returns its status
 * (the library works either way, only slower). Optional: every other call
 * works without it. */
ginv_status ginv_lib_init(unsigned flags, ginv_blas_report *report);

#ifdef __cplusplus
}
#endif
#endif
