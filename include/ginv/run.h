/* ginv/run.h — sweeps: parameter grids, unit runners, the SQLite store,
 * --where filters, fits, intervals, child processes.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_RUN_H
#define GINV_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- sweeps */

/* Experiments over parameter grids (docs/sweeps.md). A spec names a command,
 * fixed parameters, a grid and a trial count; each (cell, trial) is a unit of
 * work run by the command's unit runner with the streams (cell seed, trial),
 * the cell seed derived from the spec seed and the cell's canonical
 * parameters, so a unit's numbers never depend on where or when it runs.
 * Finished units are committed one by one to an SQLite store (WAL). */

/* A cell's parameters: option names of the command (without "--") and their
 * values as text ("true"/"false" for flags), sorted by name. */
#define GINV_PARAMS_MAX 48
typedef struct {
    int n;
    const char *name[GINV_PARAMS_MAX];
    const char *value[GINV_PARAMS_MAX];
} ginv_params;
/* The value of `name`, or NULL when the cell does not set it. */
const char *ginv_params_get(const ginv_params *p, const char *name);
/* Typed reads with a default when absent; a malformed or out-of-range value
 * fails with a message naming the parameter. */
ginv_status ginv_params_int(const ginv_params *p, const char *name, int def, int lo, int hi,
                            int *out);
ginv_status ginv_params_double(const ginv_params *p, const char *name, double def, double lo,
                               double hi, double *out);
ginv_status ginv_params_flag(const ginv_params *p, const char *name, int *out);
const char *ginv_params_str(const ginv_params *p, const char *name, const char *def);
/* Every (name, value) of the cell set into obj through the task's table
 * (ginv_param_set: parsed, range-checked; the first refusal is returned). */
ginv_status ginv_params_apply(const ginv_params *cell, const ginv_param_table *t, void *obj);

/* What one unit measured: named doubles (NaN allowed), in the runner's order. */
#define GINV_METRICS_MAX 32
typedef struct {
    int n;
    const char *name[GINV_METRICS_MAX]; /* static strings */
    double value[GINV_METRICS_MAX];
} ginv_metrics;
ginv_status ginv_metrics_add(ginv_metrics *m, const char *name, double value);

/* A unit runner: how command `command` runs one (cell, trial). `params` lists
 * the option names a spec may set (NULL-terminated), or `table` gives them
 * (ginv_recover_table: a cell's keys are the table's names and aliases); check() validates a
 * cell's values once before anything runs (may be NULL); run() computes unit
 * `trial` with streams (seed, ..., trial) and fills the metrics. run() is
 * called from several threads at once. `success` names the 0/1 metric whose
 * rate `ginv results` reports with Wilson intervals (or NULL).
 * check_trials() (may be NULL), called after check() with the spec's trial
 * count, checks what needs it and the files a cell reads (e.g. `cs`: trial t
 * is image t, so the data must hold `trials` images of the generator's size),
 * so that a spec whose units could only fail is refused before a store is
 * created. */
typedef struct {
    const char *command;
    const char *const *params;
    ginv_status (*check)(const ginv_params *p);
    ginv_status (*run)(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out);
    const char *success;
    ginv_status (*check_trials)(const ginv_params *p, int trials);
    const ginv_param_table *table; /* the task's parameter table: the names a cell may set
                                      (with params NULL), their types and defaults */
} ginv_unit_runner;
/* The runner for a command (built-in or registered), or NULL. */
const ginv_unit_runner *ginv_unit_find(const char *command);
/* Register a runner at run time (library users; the built-in ones are in
 * src/run/registry.c). Fails when the command is already taken. */
ginv_status ginv_unit_register(const ginv_unit_runner *r);
/* The registered command names, comma-separated, into buf. */
const char *ginv_unit_commands(char *buf, size_t len);
/* The `recover` runner: one trial of `ginv recover` (same option names, same
 * numbers as `ginv recover ... --seed SEED` trial TRIAL). */
extern const ginv_unit_runner ginv_unit_recover;
/* `cs`: one image (trial t = image t of the data) of `ginv cs`, one method. */
extern const ginv_unit_runner ginv_unit_cs;
/* `sample`: one run of `ginv sample` on trial t's problem, chains seeded
 * SEED + t (`ginv sample ... --seed SEED --trial t`); success: "converged"
 * (Stan's checks pass). */
extern const ginv_unit_runner ginv_unit_sample;
/* `landscape`: trial t's problem measured as `ginv landscape --seed SEED
 * --trial t` (the negative stationary point against rho_d, the Hessian
 * there, the GD basins; not the figures' line and plane). */
extern const ginv_unit_runner ginv_unit_landscape;

typedef struct ginv_sweep_spec ginv_sweep_spec;
/* Parse a spec (JSON text): {"command": C, "fixed": {...}, "grid": {name: [values]},
 * "trials": T, "seed": S, "seeds": "cell"|"shared"}. Unknown keys and
 * parameters, empty grids, duplicate cells and bad values are refused. */
ginv_status ginv_sweep_spec_parse(const char *json, size_t len, ginv_sweep_spec **out);
ginv_status ginv_sweep_spec_load(const char *path, ginv_sweep_spec **out);
void ginv_sweep_spec_free(ginv_sweep_spec *s);
const char *ginv_sweep_spec_command(const ginv_sweep_spec *s);
long ginv_sweep_spec_cells(const ginv_sweep_spec *s);
int ginv_sweep_spec_trials(const ginv_sweep_spec *s);
const ginv_params *ginv_sweep_spec_cell(const ginv_sweep_spec *s, long cell);
/* The canonical text of cell c's parameters (a JSON object, sorted keys). */
const char *ginv_sweep_spec_cell_text(const ginv_sweep_spec *s, long cell);
/* The seed of cell c's streams: the spec seed with "seeds": "shared", else a
 * hash of (spec seed, canonical parameters) below 2^63. */
uint64_t ginv_sweep_cell_seed(const ginv_sweep_spec *s, long cell);
/* The canonical spec (JSON text) and its 64-bit FNV-1a hash in hex. */
const char *ginv_sweep_spec_canonical(const ginv_sweep_spec *s);
const char *ginv_sweep_spec_hash(const ginv_sweep_spec *s);

typedef struct {
    const char *db;        /* the SQLite store */
    int resume;            /* continue a store made from the same spec */
    int threads;           /* compute threads in this process */
    int busy_timeout_ms;   /* wait this long for a locked store */
    int mpi;               /* split units over MPI ranks (built with MPI, under mpirun) */
    long max_units;        /* stop after this many new units (0: all) */
    int retry_errors;      /* with resume: run the units stored as errors again (each
                              error row is replaced when its unit's new result is stored) */
    ginv_ctx *ctx;         /* callbacks, threads, cancel (ginv/base.h); NULL: none. Cancelled,
                              the store keeps the finished units (resume continues) */
} ginv_sweep_opts;
void ginv_sweep_opts_init(ginv_sweep_opts *o);
typedef struct {
    long total;            /* units in the spec */
    long done_before;      /* already in the store at the start */
    long done_now;         /* finished by this run */
    long failed;           /* units of this run whose runner failed (stored with the error) */
    int ranks, threads;    /* MPI ranks (1 without MPI) and threads per rank used */
    int rank;              /* this process's rank (only rank 0 writes the store) */
    double seconds;
    long retried;          /* retry_errors: error units of the store run again now */
} ginv_sweep_stats;
/* Run every unit not yet in the store; progress via ginv_progress("units",
 * done, total) on the writer. */
ginv_status ginv_sweep_run(const ginv_sweep_spec *s, const ginv_sweep_opts *o,
                           ginv_sweep_stats *stats);
/* 1 when built with MPI and started by an MPI launcher (mpirun). */
int ginv_sweep_mpi_launched(void);

/* Reading a store: every finished unit, in insertion order. */
typedef struct {
    long cell;
    int trial;
    uint64_t seed;
    const char *params;    /* canonical JSON object text */
    const char *status;    /* "ok" or "error" */
    const char *error;     /* the runner's message, or "" */
    double seconds;
    int rank;
    const ginv_metrics *metrics;
} ginv_store_row;
typedef int (*ginv_store_row_fn)(void *user, const ginv_store_row *row);
/* Open the store read-only, check it (not SQLite, corrupted, locked, not a
 * ginv store: errors), read its meta (spec JSON, command: ginv_free) and call
 * fn for each row (a non-zero return stops). spec/command may be NULL. */
ginv_status ginv_store_read(const char *db, int busy_timeout_ms, char **spec, char **command,
                            ginv_store_row_fn fn, void *user);

/* A filter over a store's units (`ginv results --where`): "P=V;P=V;..." keeps
 * the units whose parameter P is V (text equality with the cell's canonical
 * value) for every condition. Spaces around names and values are dropped.
 * Refused (GINV_ERR_ARG, naming the condition): no condition, an empty one
 * (';' at an end or twice), no '=', an empty name or value, a value starting
 * with '=' ("m==5"), a name given twice, more than GINV_WHERE_MAX conditions;
 * with spec_json (a store's canonical spec, as ginv_store_read returns it;
 * NULL: syntax only) also a name that is not a parameter of the sweep and a
 * value it never takes (the message lists the valid ones). A spec that is not
 * JSON: GINV_ERR_FORMAT. Release with ginv_where_release (also after a
 * failure: harmless). */
#define GINV_WHERE_MAX 16
typedef struct {
    int n;
    const char *name[GINV_WHERE_MAX];
    const char *value[GINV_WHERE_MAX];
    char *buf;             /* owns the strings */
} ginv_where;
ginv_status ginv_where_parse(const char *text, const char *spec_json, ginv_where *out);
void ginv_where_release(ginv_where *w);
/* 1 when a unit's canonical parameters (a JSON object's text) meet every
 * condition (always, with none), else 0 (also for text that is no object). */
int ginv_where_match(const ginv_where *w, const char *params_json);

/* Summaries: the Wilson score interval for k successes of n at normal
 * quantile z (1.96: 95%), and the q-quantile of sorted x (linear, type 7). */
void ginv_wilson_interval(long k, long n, double z, double *lo, double *hi);
double ginv_quantile_sorted(const double *x, long n, double q);

/* Least squares y = a x + b over n >= 2 points (distinct x): the slope a,
 * intercept b and their standard errors (NaN when n == 2: no residual
 * degrees of freedom). Used for growth exponents: x = n, y = log2(time). */
ginv_status ginv_linear_fit(int n, const double *x, const double *y, double *a, double *b,
                            double *se_a, double *se_b);

/* External programs (the reference solvers experiments time beside ginv):
 * argv[0] looked up on PATH, run without a shell in its own process group,
 * stdin from stdin_path (NULL: /dev/null), stdout and stderr to stdout_path
 * (NULL: /dev/null), killed (with its process group) after `timeout` seconds
 * (0: none). GINV_ERR_UNSUPPORTED when the program is not installed. */
typedef struct {
    int started;       /* the program ran */
    int exited, code;  /* exited normally with status code */
    int signaled;      /* ended by a signal it did not get from us (code = 128 + signal) */
    int timed_out;     /* killed at the timeout */
    double seconds;    /* wall time from spawn to reaping the process */
} ginv_child_result;
ginv_status ginv_child_run(const char *const *argv, const char *stdin_path,
                           const char *stdout_path, double timeout, ginv_child_result *res);
/* 1 when `name` is an executable on PATH (or a path to one); its full path
 * into path (may be NULL). */
int ginv_child_find(const char *name, char *path, size_t len);

#ifdef __cplusplus
}
#endif
#endif
