/* ginv/sample.h — posterior sampling: posteriors, samplers, chains,
 * diagnostics (R-hat, ESS), Wasserstein distances.
 *
 * Part of libginv's public API: "ginv.h" includes every module header;
 * the conventions (status codes, ownership, arrays, threads) are at the
 * top of ginv/base.h and in docs/library.md. */
#ifndef GINV_SAMPLE_H
#define GINV_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "ginv/infer.h"
#include "ginv/learn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- sampling */

/* Posterior sampling in the latent space: Langevin chains (Daras et al. 2022,
 * Thm 3.1 eq. 2; Pareek & Risteski 2021, §5 eqs. 6 and 8). The energy of a
 * latent z is
 *     U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z),
 * prior: gaussian 1/2 ||z||^2, uniform on the ball ||z - c|| <= r (0 on the
 * ball, outside it the density is 0), or none; the chains target
 *     pi(z) ∝ exp(-beta U(z))      (beta: inverse temperature).
 * docs/sampling.md maps each paper's eta, beta and sigma onto these. */
enum {
    GINV_STREAM_SAMPLE = GINV_STREAM_USER + 41 /* chains: index chain * 4 + role
                                                  (0 start, 1 noise, 2 accept) */
};

typedef enum { GINV_PRIOR_GAUSSIAN = 0, GINV_PRIOR_UNIFORM = 1, GINV_PRIOR_NONE = 2 } ginv_prior;
ginv_status ginv_prior_parse(const char *name, ginv_prior *out);
const char *ginv_prior_name(ginv_prior p);

typedef struct ginv_posterior ginv_posterior;
/* y is ny x m with ny == 1 (shared by all chains) or ny == B (one per chain),
 * copied; sigma > 0 is the likelihood's noise level; B the largest batch. */
ginv_status ginv_posterior_new(ginv_posterior **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double sigma, ginv_prior prior, int B);
void ginv_posterior_free(ginv_posterior *p);
int ginv_posterior_k(const ginv_posterior *p);
ginv_prior ginv_posterior_prior(const ginv_posterior *p);
/* U (B doubles) and, if grad != NULL, grad U (B x k). The uniform prior's
 * ball is not checked here: the samplers keep the chains on it. */
ginv_status ginv_posterior_eval(ginv_posterior *p, int B, const float *z, double *U,
                                float *grad);
/* The objective 1/2||A G(z) - y||^2 + lambda ||z||^2 inside (lambda =
 * sigma^2/2 for the gaussian prior, else 0): U = f / sigma^2. NULL for a
 * posterior made by ginv_posterior_new_energy. */
ginv_objective *ginv_posterior_objective(ginv_posterior *p);

/* A posterior given by its energy alone, for targets that are not
 * ||A G(z) - y||^2 (test densities such as Neal's funnel, or a caller's own
 * model): energy(user, B, k, z, U, grad) fills U (B doubles) for the batch z
 * (B x k, B <= the batch given here) and, when grad != NULL, grad U (B x k);
 * it returns GINV_OK or a failure (a non-finite U is not a failure: the
 * samplers treat it as a rejection or a divergence). The chains target
 * exp(-beta U); there is no generator, so the GD start and the laplace
 * preconditioner are refused and the prior is GINV_PRIOR_NONE (any prior
 * belongs in U). user must outlive the posterior. */
typedef ginv_status (*ginv_energy_fn)(void *user, int B, int k, const float *z, double *U,
                                      float *grad);
ginv_status ginv_posterior_new_energy(ginv_posterior **out, int k, ginv_energy_fn energy,
                                      void *user, int B);

typedef struct ginv_sampler_type ginv_sampler_type;
/* z <- z - eta grad U(z) + sqrt(2 eta / beta) u  (Daras eq. 2, P&R eq. 6) */
extern const ginv_sampler_type *const ginv_sampler_ula;
/* the same proposal, accepted with the Metropolis-Hastings probability */
extern const ginv_sampler_type *const ginv_sampler_mala;
/* the ULA step projected onto the ball ||z - c|| <= r (P&R eq. 8) */
extern const ginv_sampler_type *const ginv_sampler_projected;
/* ULA whose burn-in runs through geometric temperature levels (see
 * ginv_sample_opts.levels), then plain ULA */
extern const ginv_sampler_type *const ginv_sampler_annealed;
/* Hamiltonian Monte Carlo (hmc.c): momentum p ~ N(0, M), M^{-1} = diag(metric),
 * `leapfrog` steps of size eps on H(z, p) = beta U(z) + 1/2 p^T M^{-1} p,
 * Metropolis on H (Neal 2011) */
extern const ginv_sampler_type *const ginv_sampler_hmc;
/* the No-U-Turn Sampler as in Stan: multinomial sampling over a trajectory
 * doubled in random directions until the generalised U-turn criterion
 * (Betancourt 2017, App. A) or `max_depth`; energy error > 1000 is a
 * divergence (Hoffman & Gelman 2014; Betancourt 2017) */
extern const ginv_sampler_type *const ginv_sampler_nuts;
const ginv_sampler_type *ginv_sampler_find(const char *name);
const char *ginv_sampler_name(const ginv_sampler_type *t);

typedef enum {
    GINV_CHAIN_INIT_ZERO = 0,   /* every chain starts at 0 */
    GINV_CHAIN_INIT_GD = 1,     /* P&R Thm 1: GD from 0 on 1/2||A G(z) - y||^2, then Langevin */
    GINV_CHAIN_INIT_RANDOM = 2, /* N(0, init_sd^2 I), stream (seed, SAMPLE, chain * 4) */
    GINV_CHAIN_INIT_GIVEN = 3   /* init_z */
} ginv_chain_init;
ginv_status ginv_chain_init_parse(const char *name, ginv_chain_init *out);

/* A constant preconditioner P for ULA and MALA (precond.c):
 *   z' = z - eta P grad U(z) + sqrt(2 eta / beta) P^{1/2} u.
 * laplace: P = H^{-1}, H the Gauss-Newton Hessian of U at the GD point,
 * (A J_G)^T (A J_G) / sigma^2 + I: the precision of the Laplace approximation
 * around the inverse that Pareek & Risteski's Lemma 5 shows log-concave. */
typedef enum { GINV_PRECOND_NONE = 0, GINV_PRECOND_LAPLACE = 1 } ginv_precond;
ginv_status ginv_precond_parse(const char *name, ginv_precond *out);
/* H = (A J_G(z))^T (A J_G(z)) / sigma^2 + I (k x k, row-major) for the
 * posterior's net, operator and sigma, gaussian prior. */
ginv_status ginv_posterior_gn_hessian(ginv_posterior *p, const float *z, double *H);

typedef struct {
    const ginv_sampler_type *type;
    double step;          /* eta */
    double beta;          /* inverse temperature */
    int chains, burn_in, samples, thin; /* C chains; keep every thin-th step after burn_in */
    ginv_chain_init init;
    double init_sd;       /* random */
    const float *init_z;  /* given: chains x k */
    int gd_iters;         /* gd: iterations of plain GD ... */
    double gd_lr;         /* ... and its step size */
    double radius;        /* projected (and the uniform prior): the ball's radius r */
    const float *centre;  /* its centre c (k, shared), or NULL: each chain's GD point with
                             init gd, else 0 */
    int levels;           /* annealed: L temperature levels T_i = level_max^(2(L-1-i)/(L-1)) */
    double level_max;     /*   over the burn-in, step eta_i = eta T_i (prop. to level^2) */
    ginv_precond precond; /* ula, mala: none, or laplace (needs init gd, gaussian prior) */
    int temps;            /* parallel tempering (ula, mala): R rungs per chain, 1 = off; rung r */
    double temp_max;      /*   targets exp(-beta U / T_r), T_r = temp_max^(r/(R-1)) */
    int swap_every;       /*   swaps of adjacent rungs every this many steps */
    uint64_t seed;
    int threads;          /* linear-algebra threads (numbers do not depend on it) */
    ginv_ctx *ctx;        /* callbacks, threads, cancel (ginv/base.h); NULL: none */
    /* warm-up adaptation during the burn-in (mala, hmc, nuts; per chain):
     * GINV_ADAPT_OFF, _STEP (dual averaging of the step toward target_accept,
     * Hoffman & Gelman 2014 sec. 3.2) or _ALL (also the diagonal metric in
     * Stan's expanding windows; with the laplace preconditioner only the
     * step). Default off. With adaptation, step 0 asks for Stan's initial-step
     * heuristic; after the burn-in the values are frozen (result step_size,
     * inv_metric). */
    int adapt;
    double target_accept; /* in (0, 1); 0: mala 0.574, hmc and nuts 0.8 */
    int leapfrog;         /* hmc: leapfrog steps per transition (default 10) */
    int max_depth;        /* nuts: largest tree depth (default 10: 1023 leapfrog steps) */
    const double *metric; /* mala (no laplace), hmc, nuts: the diagonal inverse metric
                             M^{-1} (variances), metric_rows x k, all > 0; NULL: I */
    int metric_rows;      /* 1 (every chain) or chains */
    int dense;            /* 1: a dense metric (Stan's dense_e): `metric`, when given, holds
                             metric_rows symmetric positive definite k x k inverse metrics
                             (row-major), and GINV_ADAPT_ALL estimates the covariance
                             (n/(n+5)) C + 1e-3 (5/(n+5)) I in the same windows; hmc and nuts
                             draw p ~ N(0, M), mala and ula propose with noise covariance
                             M^{-1}, through its Cholesky factor. 0: diagonal */
} ginv_sample_opts;
enum { GINV_ADAPT_OFF = 0, GINV_ADAPT_STEP = 1, GINV_ADAPT_ALL = 2 };
void ginv_sample_opts_init(ginv_sample_opts *o);

typedef struct {
    int S, C, k;
    float *samples;       /* S x C x k: sample s of chain c at (s * C + c) * k, owned */
    double *energy;       /* S x C: U at each kept sample, owned */
    float *start;         /* C x k: where the chains started (after GD), owned */
    float *centre;        /* C x k: each chain's ball centre (projected, uniform prior), or
                             NULL; owned */
    long *accepted;       /* C: accepted proposals after burn-in, owned */
    long proposed;        /* proposals per chain after burn-in */
    double accept_rate;   /* all chains after burn-in; 1 for the unadjusted samplers; nuts:
                             the mean acceptance statistic (accepted: draws that moved) */
    double gd_loss;       /* init gd: 1/2||A G(z_gd) - y||^2 at the end of GD, else NaN */
    int gd_iters;         /* init gd: iterations run */
    double precond_eig[2]; /* laplace: smallest and largest eigenvalue of H, else NaN */
    int temps;            /* rungs per chain (1: no tempering) */
    double *swap_rate;    /* temps - 1: accepted swaps of rungs r, r+1 after burn-in / proposed; owned */
    double seconds;       /* wall time of the chains (burn-in included, GD excluded) */
    long steps;           /* steps per chain, burn-in included */
    /* the values the chains ran with after the burn-in (adapted or given): */
    double *step_size;    /* C: step (eta for mala, eps for hmc/nuts), owned */
    double *inv_metric;   /* C x k: diagonal inverse metric (1 when none; dense: its diagonal), owned */
    double *inv_metric_dense; /* C x k x k: the dense inverse metric (o->dense), else NULL; owned */
    /* per kept draw (S x C, draw s of chain c at s * C + c), owned: */
    double *stat_accept;  /* acceptance statistic: min(1, MH ratio); nuts: mean over the
                             tree's leaves (Stan's accept_stat); unadjusted: 1 */
    double *stat_energy;  /* hmc, nuts: the Hamiltonian at the draw; else beta U */
    int *stat_depth;      /* nuts: tree depth; else 0 */
    int *stat_leapfrog;   /* gradient evaluations of the transition (hmc: L, mala: 1) */
    int *stat_divergent;  /* 1: the transition diverged (energy error > 1000) */
    long *divergences;    /* C: divergent transitions after the burn-in, owned */
    long *depth_hits;     /* C: nuts transitions after the burn-in that hit max_depth, owned */
    long *stopped_at;     /* C: the step at which an unadjusted chain's energy became NaN/Inf
                             (the chain stopped there; its later draws are NaN), or -1; owned */
    double batch_fill;    /* nuts: mean fraction of the batch still building its tree per
                             batched gradient evaluation (the rest wait), else 1 */
} ginv_sample_result;

/* Runs o->chains chains in one batch (one posterior evaluation per step for
 * all of them). post must hold a batch of o->chains x o->temps. With
 * o->temps > 1 every chain is a ladder of rungs (replica exchange): only the
 * samples of rung 0 (T = 1) are kept. */
ginv_status ginv_sample_run(ginv_posterior *post, const ginv_sample_opts *o,
                            ginv_sample_result *res);
void ginv_sample_result_release(ginv_sample_result *r);
/* The run as a NetCDF-4 file in ArviZ's InferenceData layout (read by
 * arviz.from_netcdf, or xarray.open_dataset(path, group="posterior")):
 * group posterior with z (chain, draw, z_dim_0) -- chain-first, unlike
 * r->samples -- and, when given, x_mean and x_std (x_dim_0, n values: the
 * posterior mean and std of G(z)); group sample_stats with lp = -U,
 * acceptance_rate, energy, step_size, tree_depth, n_steps and diverging
 * (chain, draw). Written in place (a failure removes the file). */
ginv_status ginv_sample_write_netcdf(const char *path, const ginv_sample_result *r,
                                     const float *x_mean, const float *x_std, int n);

/* Callers own the loop (as ginv_solver_new/_step for the solvers):
 * ginv_sample_run is ginv_sampler_new, ginv_sampler_step until every step is
 * done, ginv_sampler_finish, ginv_sampler_free -- the same numbers bit for
 * bit. new does the checks, the starts (the GD stage), the preconditioner and
 * the adaptation's initial step; each step moves every chain once (burn-in
 * first, with the warm-up adaptation, then the kept draws every o->thin
 * steps); finish hands over the result once all steps are done. post and the
 * arrays o points to must outlive the sampler. The linear-algebra threads are
 * set to o->threads from new to free, which restores them; each call runs
 * under o->ctx (cancel: GINV_ERR_CANCELLED from step; the sampler can still
 * be freed). */
typedef struct ginv_sampler ginv_sampler;
ginv_status ginv_sampler_new(ginv_sampler **out, ginv_posterior *post, const ginv_sample_opts *o);
ginv_status ginv_sampler_step(ginv_sampler *s);
long ginv_sampler_steps_done(const ginv_sampler *s);
long ginv_sampler_steps_total(const ginv_sampler *s);   /* burn_in + samples x thin */
const float *ginv_sampler_state(const ginv_sampler *s);  /* the chains' z now (chains x temps x k) */
const double *ginv_sampler_energy(const ginv_sampler *s); /* U at them */
ginv_status ginv_sampler_finish(ginv_sampler *s, ginv_sample_result *res);
void ginv_sampler_free(ginv_sampler *s);
/* ---------------------------------------------- the sample task's parameters */

/* `ginv sample`'s parameter table (docs/library.md, "Parameter tables"): the
 * problem (the rows recover has: generator, operator, noise), the likelihood
 * and prior, and the sampler. The command, the sweep's sample units and
 * library callers read the same rows, so one parameter set means one
 * posterior and one run everywhere. Files (truth, y, metric, centre) are the
 * caller's: see ginv_sample_setup. */
typedef struct {
    const char *model, *layers, *act, *out_act;
    double alpha;
    int bias;
    double bias_sd;
    const char *weights, *op;
    int m;                      /* 0: not given */
    const char *image;
    double noise;               /* std of the noise added to a simulated y */
    double sigma;               /* the likelihood's noise level; NaN: noise */
    const char *prior;          /* gaussian | uniform | none */
    const char *sampler;        /* ula | mala | projected | annealed | hmc | nuts */
    double step;                /* NaN: Stan's initial-step heuristic (needs adaptation) */
    const char *adapt;          /* on | off | step; NULL: on for mala, hmc, nuts without temps */
    double target_accept;       /* NaN: mala 0.574, hmc and nuts 0.8 */
    int leapfrog, max_depth;
    double temperature;         /* beta */
    int chains, burn_in, samples, thin;
    const char *start;          /* zero | gd | random | negative | truth */
    double start_scale;         /* NaN: 1 random, 0.05 negative, 0 truth */
    int gd_iters;
    double gd_lr;
    double radius;              /* NaN: none (projected and the uniform prior need one) */
    int levels;
    double level_max;
    int temps;
    double temp_max;
    int swap_every;
    const char *precond;        /* none | laplace */
} ginv_sample_params;
extern const ginv_param_table ginv_sample_table;
void ginv_sample_params_init(ginv_sample_params *p); /* the table's defaults */
/* Every value in range and the combination sound (a step without
 * adaptation, a radius for the ball, laplace's needs, ...): the message
 * names parameters, not options. */
ginv_status ginv_sample_check(const ginv_sample_params *p);

/* What ginv_sample_run needs, built from the parameters: trial `trial`'s
 * problem drawn by ginv_scenario_draw (the problem `ginv recover` draws for
 * that seed and trial; truth (truth_count values: the latent size k) or y,
 * when given, replace the drawn ones), the
 * chains' starts around -z0 or z0 (start negative / truth: chain c from
 * stream (seed, SAMPLE, 4c)), the posterior (batch chains x temps) and the
 * options (seed = the problem's seed, threads 1, no ctx, no metric or
 * centre: the caller sets those). Released with ginv_sample_setup_release,
 * also after a failure. */
typedef struct {
    ginv_sample_opts opts;
    ginv_layer spec[GINV_RECOVER_MAX_SPEC];
    int nspec;
    ginv_op_spec ops;
    int have_ops;
    ginv_net *net;              /* owned */
    ginv_op *op;                /* owned */
    float *z0, *y;              /* owned; z0 NULL when y was given */
    float *zinit;               /* chains x k (start negative / truth), owned */
    ginv_posterior *post;       /* owned */
    int k, n, m;
    double sigma;               /* the likelihood's noise level used */
    ginv_prior prior;
    const char *adapt;          /* the adaptation used (on, off or step) */
} ginv_sample_setup;
ginv_status ginv_sample_setup_init(ginv_sample_setup *s, const ginv_sample_params *p,
                                   uint64_t seed, uint64_t trial, const float *truth,
                                   size_t truth_count, const float *y, size_t y_count);
void ginv_sample_setup_release(ginv_sample_setup *s);

/* Per-coordinate mean and std of the samples (k each), and, when net is not
 * NULL, of the signals G(z) (n each; batched forward over the samples).
 * Any output may be NULL. */
ginv_status ginv_sample_moments(const ginv_sample_result *r, const ginv_net *net,
                                float *mean_z, float *std_z, float *mean_x, float *std_x);

/* MCMC diagnostics of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021)
 * for one scalar quantity drawn by M chains of N draws, x[s * M + c]. */
typedef struct {
    double mean, sd;
    double rhat;          /* max of the rank-normalised split R-hat, bulk and folded */
    double rhat_bulk;     /* split R-hat of the rank-normalised draws */
    double ess_bulk;      /* ESS of the rank-normalised split chains */
    double ess_tail;      /* min ESS of the 5% and 95% quantile indicators */
    double ess_mean;      /* ESS of the raw split chains */
    double mcse_mean;     /* sd / sqrt(ess_mean) */
} ginv_diag;
/* N >= 4 draws per chain. Constant draws give NaN R-hat and ESS. */
ginv_status ginv_diag_compute(int N, int M, const double *x, ginv_diag *d);
/* The pieces, on chains as given (no splitting): R-hat (eq. 4) and the ESS
 * with Geyer's initial monotone sequence, for x[s * M + c]. */
double ginv_diag_rhat(int N, int M, const double *x);
double ginv_diag_ess(int N, int M, const double *x);
/* Only the R-hat of ginv_diag_compute (max of the rank-normalised split
 * R-hat, bulk and folded): no ESS, so cheap on long runs. NaN when N < 4. */
double ginv_diag_rhat_rank(int N, int M, const double *x);
/* Phi^{-1}(p), p in (0, 1), to double precision. */
double ginv_normal_quantile(double p);

/* The same diagnostics on the signal: for every output coordinate i of G
 * (every pixel), over the images G(z) of all samples. Pixels whose sd is at
 * most sd_floor (constant in the posterior) are left out of the summary;
 * per_pixel (n, may be NULL) gets every pixel's diagnostics. */
typedef struct {
    int pixels;           /* pixels with sd > sd_floor */
    double max_rhat, min_ess_bulk, min_ess_tail;  /* over those; NaN when none */
    int worst_pixel;      /* where max_rhat is, or -1 */
} ginv_signal_diag;
ginv_status ginv_sample_signal_diag(const ginv_sample_result *r, const ginv_net *net,
                                    double sd_floor, ginv_diag *per_pixel,
                                    ginv_signal_diag *summary);

/* R-hat against run length (rhat_curve.c): for up to GINV_RHAT_CURVE_MAX
 * geometric kept-draw counts T (8 .. S), the max over latent coordinates of
 * the split R-hat of draws [T/2, T); steps[i] = burn_in + T * thin, the
 * chain's length had it stopped there. steps_to_threshold: the first
 * steps[i] from which max_rhat stays below threshold, or -1. */
enum { GINV_RHAT_CURVE_MAX = 32 };
typedef struct {
    int points;
    int kept[GINV_RHAT_CURVE_MAX];
    long steps[GINV_RHAT_CURVE_MAX];
    double max_rhat[GINV_RHAT_CURVE_MAX];
    double threshold;
    long steps_to_threshold;
} ginv_rhat_curve;
ginv_status ginv_sample_rhat_curve(const ginv_sample_result *r, long burn_in, int thin,
                                   double threshold, ginv_rhat_curve *out);

/* W1 between two empirical laws: exact in 1-D (quantile functions), and the
 * sliced form: the mean over ndirs random unit directions u (stream (seed,
 * GINV_STREAM_W1, d)) of the 1-D W1 of <a_i, u> and <b_j, u>, for a (na x k)
 * and b (nb x k). The sliced W1 never exceeds the k-dimensional W1. */
enum { GINV_STREAM_W1 = GINV_STREAM_USER + 42 };
ginv_status ginv_w1_1d(int na, const double *a, int nb, const double *b, double *out);
ginv_status ginv_w1_sliced(int k, int na, const float *a, int nb, const float *b, int ndirs,
                           uint64_t seed, double *out);
/* Exact OT between two n-point clouds a, b (n x k each, uniform weights,
 * n <= 4096; transport.c): W_p of the empirical laws for p = 1 or 2, by a
 * minimum-cost assignment (O(n^3)); match (n, may be NULL) gets the optimal
 * permutation, a_i -> b_match[i]. Never below the sliced W1 of the same clouds
 * (p = 1); biased upward as an estimate of W_p between the laws (> 0 for two
 * samples of one law). */
ginv_status ginv_ot_exact(int k, int n, const float *a, const float *b, int p, int *match,
                          double *out);
/* The synchronous coupling's distance: mean over i of ||a_i - b_i|| (paired
 * rows, n x k). For chains driven by the same noise it estimates an upper
 * bound E||Z_t - Z'_t|| >= W1(law Z_t, law Z'_t) (Daras et al. Thm 3.1's W). */
ginv_status ginv_coupling_distance(int k, int n, const float *a, const float *b, double *out);

/* ---------------------------------------------------------------- SBC */

/* Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari &
 * Gelman 2018, "Validating Bayesian inference algorithms with
 * simulation-based calibration", Algorithm 1 and sec. 4-5) of a sampler on
 * the generator posterior of net, op and sigma with the gaussian prior:
 * for each replicate r < R, z0 ~ N(0, I) (stream (seed, GINV_STREAM_SBC_TRUTH,
 * r)), y = A G(z0) + sigma e (e from (seed, GINV_STREAM_SBC_NOISE, r)); one
 * chain per replicate, all R in one sampler batch (chain r sees y_r), run
 * with o (o->chains is replaced by R: chain c's noise from (o->seed,
 * SAMPLE, ...) as in ginv_sample_run); the rank of z0[j] among the chain's
 * L = o->samples kept draws (draws < z0[j]: 0 .. L) for every coordinate j.
 * For a sampler of the exact posterior each rank is uniform on 0 .. L
 * (Talts et al. Thm 1), whatever G is. Test: the ranks are grouped into B
 * equal bins ((L + 1) % B == 0) and Pearson's chi-square with B - 1 degrees
 * of freedom gives a p-value per coordinate; the run passes when every p >
 * alpha / k (Bonferroni over the k coordinates: the family-wise false-alarm
 * rate is at most alpha). Draws must be near-independent (Talts et al.
 * sec. 5.1: thin by o->thin); ess reports the single-chain ESS of each
 * replicate's L draws. The link of op must be linear and o->temps 1. */
enum {
    GINV_STREAM_SBC_TRUTH = GINV_STREAM_USER + 90, /* z0 of replicate r: index r */
    GINV_STREAM_SBC_NOISE = GINV_STREAM_USER + 91  /* e of replicate r: index r */
};
typedef struct {
    int replicates;  /* R >= 2 */
    int bins;        /* B >= 2 dividing L + 1; 0: the largest divisor of L + 1 in 2 .. 20 */
    double alpha;    /* family-wise level in (0, 1); default 0.01 */
    uint64_t seed;   /* the simulation's seed (z0, e) */
} ginv_sbc_opts;
void ginv_sbc_opts_init(ginv_sbc_opts *o); /* R 100, bins 0, alpha 0.01, seed 1 */
typedef struct {
    int R, L, k, bins;
    int *ranks;          /* R x k: rank of z0[j] in replicate r at r * k + j, owned */
    int *hist;           /* k x bins: replicates per rank bin, owned */
    double *chi2;        /* k: Pearson's chi-square, bins - 1 degrees of freedom, owned */
    double *pvalue;      /* k: its upper tail probability, owned */
    double *ess;         /* k: mean over replicates of the ESS of the L draws of coordinate j, owned */
    double min_p;        /* min over coordinates of pvalue */
    double p_bonferroni; /* min(1, k min_p): the family-wise p-value */
    double alpha;        /* the level used */
    int pass;            /* 1: every pvalue > alpha / k */
    double accept_rate;  /* of the sampler (ginv_sample_result.accept_rate) */
    long divergences;    /* summed over replicates (hmc, nuts) */
    double seconds;      /* the sampler's wall time */
} ginv_sbc_result;
ginv_status ginv_sbc_run(ginv_net *net, const ginv_op *op, double sigma, const ginv_sample_opts *o,
                         const ginv_sbc_opts *so, ginv_sbc_result *res);
void ginv_sbc_result_release(ginv_sbc_result *r);
/* Pearson's chi-square over the k x bins histogram hist of R counts per
 * coordinate (expected R / bins each): chi2 and pvalue (k each). */
ginv_status ginv_sbc_chi2(int k, int bins, const int *hist, double *chi2, double *pvalue);
/* P(X > x) for X ~ chi-square with df > 0 degrees of freedom: the regularised
 * upper incomplete gamma Q(df / 2, x / 2) (series or continued fraction,
 * about 1e-14 relative). 1 for x <= 0, NaN for a bad df or x. */
double ginv_chi2_sf(double x, double df);

/* The squared MMD between a (na x k) and b (nb x k) with the Gaussian RBF
 * kernel exp(-||u - v||^2 / (2 s^2)): the unbiased U-statistic of Gretton et
 * al. (JMLR 2012, Lemma 6), ~0 (either sign) when the laws agree, > 0 in
 * expectation when they differ. s = bandwidth, or with bandwidth 0 the
 * median heuristic: the median pairwise distance in the pooled samples
 * (thinned evenly to 512 points of each). se: the standard error from the
 * same statistic on 8 disjoint blocks (sd / sqrt 8): right when the laws
 * differ (the statistic's variance is then O(1/n)), larger than the true
 * one by up to sqrt 8 when they agree (O(1/n^2)). Needs na, nb >= 16;
 * O((na + nb)^2 k) work. */
typedef struct {
    double mmd2, se, bandwidth;
} ginv_mmd;
ginv_status ginv_mmd_rbf(int k, int na, const float *a, int nb, const float *b, double bandwidth,
                         ginv_mmd *out);
/* The total variation between the histograms of a and b (k = 1 or 2) on a
 * grid of `bins` cells per axis over [lo_i, hi_i] (points outside go to the
 * edge cells): (1/2) sum_c |p_c - q_c|. It is the TV of the two laws pushed
 * through the binning, so at most their TV; sampling noise biases it up, by
 * about sum_c sqrt(p_c / n) for n draws each. */
ginv_status ginv_tv_grid(int k, int na, const float *a, int nb, const float *b, int bins,
                         const double *lo, const double *hi, double *out);

/* --------------------------------------------------------------- SGILO */

/* Score-Guided Intermediate Layer Optimization (Daras et al. 2022 §2, §4):
 * Langevin dynamics in the intermediate space R^p of G = G2 o G1 (split
 * before `layer`) on
 *     U(h) = w_lik ||A G2(h) - y||^2 / (2 sigma^2) - w_prior log p(h),
 * with grad log p from a score prior (ginv_score_prior: a learned score
 * model, or a closed form), all images x chains in one batch. Each step:
 *   DIRECT:  h <- h - eta grad U(h) + sqrt(2 eta T) xi, the score read at
 *            time t_score (the prior's t_min when 0): unadjusted Langevin
 *            (Roberts & Tweedie 1996) on exp(-U / T);
 *   SDEDIT:  the likelihood step h <- h - eta w_lik grad lik + sqrt(2 eta T) xi,
 *            then every sdedit_every steps the paper's hot start (§4, "Speed
 *            Ablation"; Meng et al. 2021): perturb h to time t_sdedit by the
 *            forward SDE and run the reverse SDE back in sdedit_steps steps
 *            (ginv_score_reverse), in place of the score term.
 * Chains start at ILO's h-hat (ginv_ilo_run with opts ilo, START_ILO) or at
 * G1(z), z ~ N(0, I) (START_PRIOR); burn steps, then draws recorded every
 * thin steps. Randomness from (seed, GINV_STREAM_SGILO, i * chains + c) per
 * chain: results do not depend on threads. */
typedef enum { GINV_SGILO_DIRECT = 0, GINV_SGILO_SDEDIT = 1 } ginv_sgilo_mode;
typedef enum { GINV_SGILO_START_ILO = 0, GINV_SGILO_START_PRIOR = 1 } ginv_sgilo_start;
typedef struct {
    int layer;                /* the split (the prior's p must be G1's output) */
    int chains;               /* per image */
    int burn, draws, thin;    /* steps before recording; draws recorded every thin steps */
    double step;              /* eta > 0; 0: per chain step_scale / lambda_max(Hessian of U
                                 at its start), by power iteration on differences of grad U */
    double step_scale;        /* (0, 2) */
    ginv_precond precond;     /* LAPLACE: Langevin preconditioned by H^{-1}, H the Gauss-Newton
                                 Hessian of the likelihood plus w_prior diag(1 / scale^2) at
                                 each image's start (constant during the run) */
    double sigma;             /* the likelihood's noise sd (> 0) */
    double lik_weight, prior_weight; /* w_lik, w_prior */
    double temperature;       /* T (> 0): 1 samples the posterior */
    ginv_sgilo_mode mode;
    double t_score;           /* DIRECT: the score's time; 0: the prior's t_min */
    double t_sdedit;          /* SDEDIT: the perturbation time */
    int sdedit_steps, sdedit_every;
    ginv_sgilo_start start;
    ginv_ilo_opts ilo;        /* START_ILO: the ILO run (one stage: its layer is replaced by
                                 layer; several: the last must be at layer) */
    int keep;                 /* draws of x kept per image (<= chains * draws) */
    uint64_t seed;
    int threads;
    ginv_ctx *ctx;
} ginv_sgilo_opts;
/* layer 1, 4 chains, burn 200, draws 100, thin 1, step 0 (automatic, scale 0.1), no
 * preconditioner, sigma 0.1,
 * weights 1, T 1, DIRECT, t_sdedit 0.05, 10 reverse steps every step,
 * START_ILO with ginv_ilo_opts_init, keep 0, seed 1 */
void ginv_sgilo_opts_init(ginv_sgilo_opts *o);
typedef struct {
    int N, n, p, chains, draws, keep;
    float *mean_x, *std_x;    /* N x n: G2(h) over every recorded draw of every chain */
    float *mean_h;            /* N x p */
    float *x_draws;           /* N x keep x n (draw d of chain c is d * chains + c from
                                 the end), NULL when keep is 0 */
    double *max_rhat;         /* N: the largest rank-normalised R-hat over h's p coordinates */
    double *min_ess_bulk;     /* N: the smallest bulk ESS over them */
    double *loss;             /* N: ||A mean_x - y||^2 */
    double *step;             /* N: the step size (mean over the image's chains) */
    long grad_evals;          /* likelihood gradients per chain (each: G2 forward + VJP) */
    long score_evals;         /* score evaluations per chain */
} ginv_sgilo_result;
ginv_status ginv_sgilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                           const ginv_score_prior *prior, const ginv_sgilo_opts *o,
                           ginv_sgilo_result *res);
void ginv_sgilo_result_release(ginv_sgilo_result *r);

#ifdef __cplusplus
}
#endif
#endif
