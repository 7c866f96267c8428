/* ginv/infer.h — MAP inversion: the objective, solvers (GD, Adam, sign
 * flip), scenarios, the recovery experiment, CSGM and the Lasso baseline.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_INFER_H
#define GINV_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/net.h"
#include "ginv/measure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- Lasso */

/* ||A||^2 (largest eigenvalue of A^T A) by `iters` power iterations from a
 * fixed random start (stream (0, GINV_STREAM_OPNORM, 0)): a lower bound
 * that converges to it. */
enum { GINV_STREAM_OPNORM = GINV_STREAM_USER + 66 };
ginv_status ginv_op_sqnorm(const ginv_op *op, int iters, double *out);

/* The compressed-sensing baseline (docs/images.md): per image, minimise
 *     1/2 ||y - A Psi c||^2 + lambda ||c||_1,   x = Psi c,
 * by FISTA with step 1/(safety L), L = ||A||^2 by power iteration, and the
 * adaptive momentum restart of O'Donoghue & Candes; N images at once. */
typedef struct {
    double lambda;      /* weight of ||c||_1 (>= 0); default 0.01 */
    int iters;          /* most iterations; default 500 */
    double tol;         /* stop when every image has ||c_k - c_{k-1}|| <= tol ||c_{k-1}||
                           (0: run all iters); default 1e-5 */
    int clip;           /* clip the final x to [0, 1]; default 1 */
    int restart;        /* adaptive momentum restart; default 1 */
    int power_iters;    /* power iterations for L; default 100 */
    double safety;      /* L is multiplied by this (>= 1); default 1.1 */
} ginv_lasso_opts;
void ginv_lasso_opts_init(ginv_lasso_opts *o);
typedef struct {
    int iters;          /* iterations run */
    int converged;      /* stopped by tol */
    double L;           /* the power-iteration estimate of ||A||^2 (before safety) */
} ginv_lasso_info;
/* X (N x h*w) from Y (N x m); A's n must be h*w. */
ginv_status ginv_lasso_run(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                           const float *Y, const ginv_lasso_opts *o, float *X);
/* The same, also returning the coefficients C (N x h*w, before clipping;
 * may be NULL) and info (may be NULL). */
ginv_status ginv_lasso_run_ex(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                              const float *Y, const ginv_lasso_opts *o, float *X, float *C,
                              ginv_lasso_info *info);
/* Pick lambda from lambdas[0..nl) by the mean per-pixel squared error of
 * the recovered held-out images against X_true (N x h*w) from their Y
 * (N x m); mse_per_lambda (nl) may be NULL. Ties keep the earlier lambda. */
ginv_status ginv_lasso_tune(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                            const float *X_true, const float *Y, const double *lambdas, int nl,
                            const ginv_lasso_opts *o, double *best_lambda,
                            double *mse_per_lambda);

/* ------------------------------------------------------------ objective */

/* f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2 (Hand & Voroninski eq. 1 plus
 * a Gaussian-prior term), for a batch of latents. For a nonlinear operator
 * (ginv_op_link) the measurement term is the link's own: phaseless (ABS;
 * CABS with the complex modulus) the amplitude loss 1/2 || |A G(z)| - y ||^2
 * (Hand, Leong & Voroninski eq. 2); 1-bit (SIGN) the op's ginv_onebit_loss of G(z) / ||G(z)||
 * (ginv/measure.h, docs/operators.md). */
typedef struct ginv_objective ginv_objective;
/* y is ny x m with ny == 1 (shared by all rows) or ny == B. Copied; checked
 * by ginv_op_check_y (magnitudes >= 0 for ABS, signs +-1 for SIGN). */
ginv_status ginv_objective_new(ginv_objective **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double lambda, int B);
void ginv_objective_free(ginv_objective *obj);
void ginv_objective_set_kink(ginv_objective *obj, ginv_kink_rule rule, const float *w);
/* f (B doubles) and, if grad != NULL, grad (B x k). */
ginv_status ginv_objective_eval(ginv_objective *obj, int B, const float *z, double *f,
                                float *grad);
/* The last evaluation's measurement loss 1/2||A G(z) - y||^2 (or the
 * link's) per row. */
const double *ginv_objective_meas_loss(const ginv_objective *obj);
/* Latent size k. */
int ginv_objective_k(const ginv_objective *obj);
/* The last evaluation's G(z) (B x n). */
const float *ginv_objective_signal(const ginv_objective *obj);

/* -------------------------------------------------------------- solvers */

typedef struct ginv_solver_type ginv_solver_type;
extern const ginv_solver_type *const ginv_solver_gd;
extern const ginv_solver_type *const ginv_solver_adam;
/* GD with the negation check of Huang, Hand, Heckel & Voroninski (2018; the
 * Hand & Voroninski text has no such algorithm): if f(-z) < f(z), z <- -z,
 * then step. */
extern const ginv_solver_type *const ginv_solver_signflip;
const ginv_solver_type *ginv_solver_find(const char *name);
const char *ginv_solver_name(const ginv_solver_type *t);

typedef struct {
    const ginv_solver_type *type;
    double lr;          /* step size */
    int iters;          /* maximum iterations */
    double tol;         /* stop when every row's f changes by < tol (0: never) */
    double beta1, beta2, eps; /* Adam */
    /* called before each update with the iteration t and f (B) at z (B x k);
     * a non-zero return stops the run there (cancelled). NULL: none */
    int (*on_iter)(void *user, int t, int B, const double *f, const float *z);
    void *user;
} ginv_solve_opts;
void ginv_solve_opts_init(ginv_solve_opts *o);

typedef struct {
    int iters;          /* iterations run */
    int converged;      /* stopped by tol */
    int *flips;         /* caller's array (B) for sign flips per row, or NULL */
    int cancelled;      /* stopped by on_iter */
} ginv_solve_info;

/* Minimise obj from z (B x k, updated in place); f_out (B) gets the final f.
 * The loop below, run to the end: ginv_solver_new, ginv_solver_step until
 * done, then f at the last z. */
ginv_status ginv_solve(ginv_objective *obj, const ginv_solve_opts *o, int B, float *z,
                       double *f_out, ginv_solve_info *info);

/* Callers own the loop (as GSL's multimin): a solver over obj and the
 * caller's z (B x k, updated in place by each step). ginv_solver_step
 * evaluates f (B) and the gradient at z, stops on NaN/Inf (GINV_ERR_NUMERIC)
 * or on o->tol (*done = 1, z unchanged), else takes one update; *done is also
 * set once o->iters steps were taken. */
typedef struct ginv_solver ginv_solver;
ginv_status ginv_solver_new(ginv_solver **out, ginv_objective *obj, const ginv_solve_opts *o, int B,
                            float *z);
ginv_status ginv_solver_step(ginv_solver *s, double *f, int *done);
int ginv_solver_iter(const ginv_solver *s);      /* updates taken */
int ginv_solver_converged(const ginv_solver *s); /* stopped by tol */
int ginv_solver_flips(const ginv_solver *s, int b); /* sign flips of row b so far */
void ginv_solver_free(ginv_solver *s);

/* ------------------------------------------------------------ scenario */

/* One trial's problem, drawn once from the seed streams, for every command
 * and sweep unit that simulates one (recover, sample, landscape, invert-lp):
 * the generator (given, or drawn from (seed, NET, trial) with `init`), the
 * operator A ((seed, OP, trial)), the truth z0 (given, or N(0, I) from
 * (seed, TRUTH, trial)), x0 = G(z0) and y = A x0 + N(0, noise^2 I) from
 * (seed, NOISE, trial) — or the caller's y, in which case there is no z0.
 * Same seed and trial, same problem, whichever command asks. */
typedef struct {
    ginv_net *net;              /* fixed generator (borrowed), or NULL: draw from spec */
    int nspec;
    const ginv_layer *spec;
    ginv_init init;
    double bias_sd;
    const ginv_op_spec *op;     /* NULL: the identity (y = x0 + noise) */
    const float *truth;         /* z0 (k), or NULL: drawn */
    const float *y;             /* given measurements, or NULL: simulate */
    size_t y_count;             /* ... how many (checked against m; 0: the caller checked) */
    double noise;               /* sigma of the additive noise on y (0: none) */
    uint64_t seed, trial;
} ginv_scenario_opts;
void ginv_scenario_opts_init(ginv_scenario_opts *o);

typedef struct {
    ginv_net *net;              /* the generator: o->net, or drawn (owned) */
    ginv_op *op;                /* owned */
    int k, n, m;
    float *z0;                  /* (k) owned; NULL when y was given */
    float *x0;                  /* (n) G(z0), owned; NULL when y was given */
    float *y;                   /* (m) owned */
    int owns_net;
} ginv_scenario;
/* Draws the problem into sc (released with ginv_scenario_release, also after
 * a failure). */
ginv_status ginv_scenario_draw(ginv_scenario *sc, const ginv_scenario_opts *o);
void ginv_scenario_release(ginv_scenario *sc);

/* ------------------------------------------------------ MAP inversion */

/* The recovery experiment of Hand & Voroninski §I-C: per trial, a generator
 * (fixed, or drawn from the trial's own stream), a truth z0, measurements
 * y = A G(z0) + noise (or the user's y), R restarts solved in one batch, the
 * restart with the lowest f kept. */
typedef struct {
    ginv_net *net;              /* fixed generator, or NULL: draw one per trial */
    int nspec;                  /* ... from this architecture */
    const ginv_layer *spec;
    ginv_init init;
    double bias_sd;
    const ginv_op_spec *op;
    double noise;               /* sigma of additive Gaussian noise on y */
    double lambda;              /* weight of lambda ||z||^2 */
    double success_tol;         /* success: rel_error < success_tol */
    double init_sd;             /* restarts start at N(0, init_sd^2 I) ... */
    int start_negative;         /* ... or at -z0 + N(0, (init_sd ||z0||)^2 I / k) */
    ginv_solve_opts solve;
    ginv_kink_rule kink;
    int restarts, trials, threads;
    uint64_t seed;
    uint64_t first_trial;       /* trials are numbered first_trial, first_trial + 1, ...: the
                                   index of their streams (0 for `ginv recover`) */
    const float *truth;         /* z0 (k) for every trial, or NULL: N(0, I) per trial */
    const float *y;             /* given measurements (m), or NULL: simulate */
    ginv_ctx *ctx;              /* callbacks, threads, cancel (ginv/base.h); NULL: none */
} ginv_recover_opts;
void ginv_recover_opts_init(ginv_recover_opts *o);

typedef struct {
    ginv_status status;         /* of this trial */
    char error[256];
    int k, n, m;
    double rel_error;           /* ||z_hat - z0|| / ||z0||, NaN when y was given; for a
                                 * nonlinear operator ginv_link_rel_error's: up to sign
                                 * (phaseless), of the directions (1-bit) */
    double signal_error;        /* ||G(z_hat) - G(z0)|| / ||G(z0)||, NaN when y was given:
                                 * ginv_op_rel_error (the link's metric; phaseless-fourier's
                                 * also forgives shifts and the flip) */
    double meas_loss;           /* 1/2 ||A G(z_hat) - y||^2 */
    double f;                   /* objective at z_hat */
    int iters, best_restart, success;
    int flips;                  /* sign flips of the kept restart (signflip) */
    int flips_total;            /* ... summed over all restarts */
    double seconds;             /* wall time of the solve loop */
    float *z_hat, *x_hat, *z0;  /* (k), (n), (k or NULL) owned */
    float *y;                   /* (m) the measurements used, owned */
} ginv_recover_trial;

/* Runs opts->trials trials into results[0..trials) (each released with
 * ginv_recover_trial_release). Trials run on opts->threads threads; the
 * numbers do not depend on the thread count. Returns the first failure. */
ginv_status ginv_recover_run(const ginv_recover_opts *opts, ginv_recover_trial *results);
/* The solve stage of one trial on your own problem: the generator net, the
 * operator op and measurements y (m), opts->restarts starts -- z_start
 * (restarts x k) when given, else N(0, init_sd^2 I) from stream (seed,
 * GINV_STREAM_INIT, trial) -- solved in one batch, the kink direction of
 * eq. (5) from (seed, GINV_STREAM_KINK, trial), the lowest f kept. Exactly
 * trial `trial` of ginv_recover_run with opts->y = y and a fixed net (uses
 * opts' solve, lambda, restarts, init_sd, kink, seed, threads and ctx). res
 * gets z_hat, x_hat, f, meas_loss, iters, best_restart, flips, seconds and a
 * copy of y; rel_error is NaN (no truth); z_end (restarts x k) and f_end
 * (restarts), each may be NULL, every restart's end point and f. Release
 * res with ginv_recover_trial_release. */
ginv_status ginv_recover_solve(ginv_net *net, const ginv_op *op, const float *y,
                               const ginv_recover_opts *opts, uint64_t trial, const float *z_start,
                               float *z_end, double *f_end, ginv_recover_trial *res);
void ginv_recover_trial_release(ginv_recover_trial *t);

/* `recover`'s parameter table (ginv/base.h, "parameter tables"): every
 * parameter of one trial of the recovery experiment, as `ginv recover`'s
 * options and a sweep cell's keys. Not in it: trials, seed and threads (the
 * run's), and the truth/y files (the CLI's). */
typedef struct {
    const char *model;          /* generator file, or NULL: a random one from layers */
    const char *layers;         /* "K,N1,..,ND" */
    const char *act, *out_act;  /* out_act NULL: act */
    double alpha;               /* leaky_relu slope */
    int bias;
    double bias_sd;
    const char *weights;        /* paper | fanin | orthogonal */
    const char *op;             /* operator text (ginv_op_spec_parse) */
    int m;                      /* 0: not given */
    const char *image;          /* "CxHxW" or NULL */
    double noise, lambda;
    const char *algo;           /* gd | adam | signflip */
    double lr;                  /* NaN: 0.01 for adam, 1 otherwise */
    int iters;
    double tol;
    int restarts;
    const char *start;          /* random | negative */
    double start_scale;         /* NaN: 1 random, 0.05 negative */
    const char *kink;           /* zero | onesided */
    double success_tol;
} ginv_recover_params;
/* The --op help every task's table shows (docs/cli.md, "Options"). */
#define GINV_OP_HELP                                                                            \
    "gaussian (entries N(0, 1/m)) | gaussian-unit (entries N(0, 1), Bora et al.) | subsample[:MASK] | " \
    "inpaint-box[:R0,C0,H,W] | downsample:F | identity | matrix:FILE | circulant:M (fast partial "      \
    "random circulant, N(0, 1/m) rows) | fourier-subsample:random:M|radial:L|cartesian:R|MASK | "      \
    "blur:SIGMA|FILE[,reflect|zero|circular] | colorize (RGB to luma) | phaseless-gaussian "      \
    "(y = |A x|) | onebit-gaussian[:onesided|corr] (y = sign(A x)) | phaseless-fourier[:K] "      \
    "(y = |F x|, the DFT of the image zero-padded K times, default 2); docs/operators.md"
/* ... and of --m and --image, the operators' sizes. */
#define GINV_M_HELP                                                                             \
    "number of measurements (gaussian, gaussian-unit, subsample, circulant, phaseless-gaussian, " \
    "onebit-gaussian)"
#define GINV_IMAGE_HELP                                                                         \
    "image shape of the signal (downsample, inpaint-box, fourier-subsample, blur, colorize, "     \
    "phaseless-fourier; "                                                                       \
    "default: a square n as 1 x sqrt(n) x sqrt(n))"
extern const ginv_param_table ginv_recover_table;
void ginv_recover_params_init(ginv_recover_params *p); /* the table's defaults */
/* Every value in range and the combination sound (exactly one of model and
 * layers, ...): the message names parameters, not options. */
ginv_status ginv_recover_check(const ginv_recover_params *p);

/* --layers text: "K,N1,..,ND" -> a dense layer per pair of sizes, each
 * followed by act (out_act on the last; an identity adds no layer; out_act
 * NULL: act). spec holds max entries. Messages name the parameters 'layers',
 * 'act' and 'out-act'. */
ginv_status ginv_layers_parse(const char *layers, const char *act, const char *out_act,
                              double alpha, int bias, ginv_layer *spec, int max, int *nspec);

/* What ginv_recover_run needs, built from the parameters: the options
 * (opts: trials 1, seed, threads 1, no ctx; the caller changes them), the
 * layer list, the parsed operator and the loaded generator, and the sizes of
 * trial 0's problem (k, n and m; with m_given > 0 the operator's m must
 * equal it). Released with ginv_recover_setup_release, also after a failure. */
#define GINV_RECOVER_MAX_SPEC 130
typedef struct {
    ginv_recover_opts opts;
    ginv_layer spec[GINV_RECOVER_MAX_SPEC];
    ginv_op_spec ops;
    int have_ops;
    ginv_net *net;              /* loaded from model, owned */
    int k, n, m;
    double lr, start_scale;     /* the values used (automatic ones resolved) */
} ginv_recover_setup;
ginv_status ginv_recover_setup_init(ginv_recover_setup *s, const ginv_recover_params *p,
                                    uint64_t seed);
void ginv_recover_setup_release(ginv_recover_setup *s);

/* ----------------------------------------------- compressed sensing (CSGM) */

/* CSGM (Bora, Jalal, Price & Dimakis 2017, eq. (2)): for each of N images
 * measured with one shared operator, y_i (N x m), minimise
 *   ||A G(z) - y_i||^2 + lambda ||z||^2
 * by Adam from R starts z ~ N(0, I) (stream (seed, GINV_STREAM_CSGM_INIT, i)
 * for image i), all images and restarts in one batch of at most max_batch
 * rows, and keep each image's restart with the lowest loss. (ginv's objective
 * is half of this loss: f = 1/2||.||^2 + (lambda/2)||z||^2; same minimisers.) */
enum { GINV_STREAM_CSGM_INIT = GINV_STREAM_USER + 71 };
typedef struct {
    int restarts, iters;
    double lr, lambda;
    uint64_t seed;
    int threads, max_batch;
    uint64_t first_index;      /* image i of this call is image first_index + i of the
                                  data: the index of its restart stream (0 for `ginv cs`) */
    ginv_ctx *ctx;             /* callbacks, threads, cancel (ginv/base.h); NULL: none */
} ginv_csgm_opts;
void ginv_csgm_opts_init(ginv_csgm_opts *o); /* 10 restarts, 1000 iters, lr 0.01, lambda 0.1 */
/* Z (N x k), X = G(Z) (N x n) and loss (N: ||A G(z) - y||^2 + lambda||z||^2 at
 * the kept restart) may each be NULL. */
ginv_status ginv_csgm_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                          const ginv_csgm_opts *o, float *Z, float *X, double *loss);

/* ------------------------------------- intermediate layer optimisation (ILO) */

/* Exact Euclidean projection of v (n floats, in place) onto the l1 ball
 * {w : ||w||_1 <= r} (Duchi, Shalev-Shwartz, Singer & Chandra 2008, the
 * sort-based algorithm): w = sign(v) max(|v| - theta, 0) with theta = 0 when
 * ||v||_1 <= r, else the theta >= 0 that makes ||w||_1 = r. r may be
 * INFINITY (v unchanged). *theta (may be NULL) gets theta. Errors: n < 1,
 * r < 0 or NaN, a non-finite entry of v. */
ginv_status ginv_project_l1_ball(float *v, int n, double r, double *theta);

/* ILO, MAP form (Daras, Dean, Jalal & Dimakis 2021; Daras et al. 2022 §2,
 * Fig. 2), in S stages at split layers L_1 < L_2 < ... < L_S (L_0 = 0: the
 * latent). G_s^a = layers [L_{s-1}, L_s), G_s^b = layers [L_s, end) (views,
 * ginv_net_split). Stage 0: CSGM in z (ginv_csgm_run with opts csgm): z-hat.
 * Stage s optimises (u_s, d_s), u_s the representation at L_{s-1} (z for
 * s = 1), d_s a deviation at L_s, by Adam (beta1 0.9, beta2 0.999, eps 1e-8,
 * step lr) on f = 1/2 ||A G_s^b(G_s^a(u_s) + d_s) - y||^2; after every step
 * d_s is projected onto r_s B1 (ginv_project_l1_ball) and, for s >= 2,
 * u_s - c_{s-1} onto r_{s-1} B1, c_{s-1} = G_{s-1}^a(u_{s-1}-hat) the
 * previous stage's centre: the previous stage's constraint is kept, its
 * centre frozen. u_1 = z is free. Stage s starts at u_s = h_{s-1}-hat (the
 * previous stage's best h = c_{s-1} + d_{s-1}-hat; z-hat for s = 1), d_s = 0,
 * so stage 1 searches range(G_1^a) (+) r_1 B1 and stage s the set
 * G_s^a(c_{s-1} + r_{s-1} B1) (+) r_s B1. Per image the iterate with the
 * lowest f is kept (each stage's start included), so the loss never rises
 * from stage to stage and is never above CSGM's. A d (or u - c) entry that
 * is zero adds nothing (h_j = a_j exactly), so r = 0 everywhere returns
 * X == G(Z) bit for bit; with fix_z and r = 0, CSGM's answer itself.
 * fix_z: every u_s stays at its start (the older form: h in
 * G_1^a(z-hat) + r_1 B1). r = INFINITY: no constraint. docs/ilo.md. */
enum { GINV_ILO_MAXSTAGES = 8 };
typedef struct {
    int layer;            /* nstages 0: the one split, before this layer, 1 .. nlayers - 1 */
    double radius;        /* nstages 0: r >= 0 of the l1 ball; INFINITY: no constraint */
    int iters;            /* nstages 0: Adam steps of the stage */
    double lr;            /* Adam step of every stage */
    int nstages;          /* 0: one stage (layer, radius, iters); 1 .. 8: the arrays */
    int layers[GINV_ILO_MAXSTAGES];      /* L_1 < L_2 < ..., each in 1 .. nlayers - 1 */
    double radii[GINV_ILO_MAXSTAGES];    /* r_s >= 0 or INFINITY */
    int stage_iters[GINV_ILO_MAXSTAGES]; /* Adam steps of stage s, >= 0 */
    int fix_z;            /* 1: u_s fixed at its start, only d_s moves; 0 (default): free */
    float *stage_u[GINV_ILO_MAXSTAGES];  /* optional outputs: stage s's kept u_s, N x (size
                                            at L_{s-1}; k for s = 1); NULL: not wanted */
    ginv_csgm_opts csgm;  /* stage 0 (restarts, iters, lr, lambda, seed, max_batch,
                             first_index; its ctx and threads are replaced by these) */
    int threads;
    ginv_ctx *ctx;        /* callbacks, threads, cancel (ginv/base.h); NULL: none */
} ginv_ilo_opts;
/* layer 1, radius 1, 300 iters, lr 0.01, nstages 0, z free, csgm as ginv_csgm_opts_init */
void ginv_ilo_opts_init(ginv_ilo_opts *o);
/* N images y (N x m) measured with op. Outputs, each may be NULL: Z (N x k)
 * the kept z (stage 1's u; CSGM's z-hat with fix_z), H (N x p_S) the last
 * stage's h-hat at L_S, X (N x n) = G_S^b(h-hat), loss (N) = ||A X - y||^2
 * (the measurement term alone, no prior), loss_csgm (N) the same at
 * G(z-hat), CSGM's point; with X0 (N x n, the truth) mse (N) = ||X - X0||^2 / n. */
ginv_status ginv_ilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                         const ginv_ilo_opts *o, float *Z, float *H, float *X, double *loss,
                         double *loss_csgm, const float *X0, double *mse);


/* ---------------------------------------------- Fourier phase retrieval */

/* The classical baselines of Fourier phase retrieval (Fienup 1982, "Phase
 * retrieval algorithms: a comparison", Appl. Opt. 21(15)) for real images
 * known to lie in the h x w box (top left) of the OH x OW = (K h) x (K w)
 * grid, from the magnitudes ginv_op_phaseless_fourier measures: Y (N x
 * c OH OW) holds, per image and channel, |X_k| of the unitary 2-D DFT of the
 * padded channel in FFT order. ER (error reduction, the Gerchberg–Saxton
 * algorithm with object constraints, §II): g <- P_O(Re F^-1 P_M(F g)), P_M
 * the magnitude step G -> y G / |G|, P_O zero outside the box (and where
 * negative, with nonneg). HIO (hybrid input-output, §IV eq. 44): inside the
 * box where the new g' >= 0 g <- g', elsewhere g <- g - beta g'; then
 * er_iters of ER. Each channel is solved on its own. Restarts from uniform
 * noise in the box scaled to ||y|| (stream (seed, GINV_STREAM_PR_INIT,
 * ((first_index + i) << 20) | restart) for image i); the restart with the
 * smallest magnitude residual || |F x| - y || is kept. Batched over ginv's
 * pool, one chunk per (image, restart): results do not depend on threads.
 * The answer is determined up to the trivial ambiguities (ginv_op_rel_error
 * of the phaseless-fourier operator measures up to them). */
enum { GINV_STREAM_PR_INIT = GINV_STREAM_USER + 75 };
typedef enum { GINV_PR_ER = 0, GINV_PR_HIO } ginv_pr_algo;
typedef struct {
    ginv_pr_algo algo;  /* HIO (then er_iters of ER) or ER alone; default HIO */
    int iters;          /* HIO iterations, or ER's for ER; default 500 */
    int er_iters;       /* ER iterations after HIO (ignored by ER); default 100 */
    double beta;        /* HIO's feedback, 0 < beta <= 2; default 0.9 */
    int restarts;       /* random starts per image, 1 .. 2^20; default 10 */
    int nonneg;         /* the object is >= 0 (else real only); default 1 */
    uint64_t seed;      /* default 1 */
    uint64_t first_index; /* image i is image first_index + i of its stream */
    int threads;        /* default 1 */
    double *trace;      /* NULL, or N x restarts x T (T = iters (+ er_iters for HIO)):
                           the relative Fourier error || |F g_t| - y || / ||y|| of every
                           iteration t (before its magnitude step), per image and restart */
    ginv_ctx *ctx;      /* callbacks, threads, cancel (ginv/base.h); NULL: none */
} ginv_pr_opts;
void ginv_pr_opts_init(ginv_pr_opts *o);
/* X (N x c h w, may be NULL): each image's kept answer (in the box, >= 0
 * with nonneg); resid (N, may be NULL): its || |F x| - y || / ||y||.
 * Errors: K outside [1, 16], bad sizes or options, a magnitude < 0 or not
 * finite (GINV_ERR_ARG). */
ginv_status ginv_phase_retrieval_run(int c, int h, int w, int K, int N, const float *Y,
                                     const ginv_pr_opts *o, float *X, double *resid);

/* `cs`'s parameter table: compressed sensing on images (Bora et al. 2017),
 * the options of `ginv cs` and the keys of a cs sweep cell. Not in it:
 * seed, threads, the outputs, --in-range and --tune-data (the command's). */
typedef struct {
    const char *model;          /* the generator (needed by csgm) */
    const char *data;           /* image spec: fashion-mnist:test[a:b], idx:FILE[a:b], PNG/PGM */
    const char *op;             /* operator text; default gaussian-unit (N(0, 1) entries) */
    int m;
    double noise;               /* per measurement */
    const char *method;         /* comma list of csgm, lasso-pixel, lasso-dct, lasso-wavelet, lasso-db4, ilo,
                                   sgilo, hio, er */
    double lambda;              /* CSGM's lambda ||z||^2 */
    int restarts, iters;
    double lr;
    double lasso_lambda;        /* NaN: tuned on held-out images */
    int lasso_iters;
    const char *layer;          /* ilo: the split layers L_1 < L_2 < ..., a comma list */
    const char *ilo_radius;     /* ilo: l1 radius per stage (inf: none), a comma list */
    const char *ilo_iters;      /* ilo: Adam iterations per stage, a comma list */
    int ilo_fix_z;              /* ilo: u (z in stage 1) fixed, only the deviation moves */
    const char *score;          /* sgilo: the file with the score prior (NULL: model) */
    double sgilo_step;          /* sgilo: Langevin step; 0: automatic (sgilo_step_scale / lambda_max) */
    double sgilo_step_scale;
    int sgilo_chains, sgilo_burn, sgilo_draws;
    double sgilo_t;             /* sgilo: the score's time (direct), or the SDEdit perturbation time */
    int sgilo_sdedit;           /* sgilo: reverse-SDE steps of the SDEdit hot start (0: the score directly) */
    double sgilo_prior_weight, sgilo_temperature;
    const char *sgilo_start;    /* sgilo: ilo or prior */
    const char *sgilo_precond;  /* sgilo: laplace or none */
    int pr_iters;               /* hio, er: iterations (HIO's, or ER's) */
    int er_iters;               /* hio: ER iterations after HIO */
    double hio_beta;            /* hio: the feedback beta */
    int pr_restarts;            /* hio, er: random starts per image */
} ginv_cs_params;
extern const ginv_param_table ginv_cs_table;
void ginv_cs_params_init(ginv_cs_params *p);
/* Values in range, the method list well formed (into methods, at most
 * GINV_CS_NMETHODS, *count of them; both may be NULL), csgm given a model,
 * and each method fit for the operator: the Lasso and ILO need a linear one
 * (not phaseless or 1-bit), hio and er (ginv_phase_retrieval_run) need
 * phaseless-fourier. */
enum { GINV_CS_CSGM = 0, GINV_CS_LASSO_PIXEL, GINV_CS_LASSO_DCT, GINV_CS_LASSO_WAVELET,
       GINV_CS_LASSO_DB4, GINV_CS_ILO, GINV_CS_SGILO, GINV_CS_HIO, GINV_CS_ER, GINV_CS_NMETHODS };
const char *ginv_cs_method_name(int method);   /* "csgm", "lasso-dct", ...; NULL out of range */
ginv_basis ginv_cs_method_basis(int method);   /* the Lasso's basis (PIXEL for csgm) */
ginv_status ginv_cs_check(const ginv_cs_params *p, int *methods, int *count);
/* ILO's stages from p's lists (layer, ilo-radius, ilo-iters; a list of one
 * value applies to every stage) and ilo-fix-z into o's nstages, layers,
 * radii, stage_iters, fix_z (and layer, radius, iters: stage 1's); o's other
 * fields are left as they are. Errors name the parameter. */
ginv_status ginv_cs_ilo_opts(const ginv_cs_params *p, ginv_ilo_opts *o);
/* The operator of a cs run on c x h x w images (c = 1 for grey images),
 * from stream (seed, GINV_STREAM_OP, 0): one operator for every image. */
ginv_status ginv_cs_op(const ginv_cs_params *p, int c, int h, int w, uint64_t seed, ginv_op **out);

#ifdef __cplusplus
}
#endif
#endif
