/* sampler_internal.h — the sampler type table (as the solvers'): each
 * algorithm is a name and a step over the whole batch of chains, so one
 * driver (chain.c) runs them all; and the chain state the steps share. */
#ifndef GINV_SAMPLER_INTERNAL_H
#define GINV_SAMPLER_INTERNAL_H

#include "ginv.h"

/* What the posterior was built from (posterior.c), for the GD stage. */
ginv_net *ginv_posterior_net(const ginv_posterior *p);
const ginv_op *ginv_posterior_op(const ginv_posterior *p);
const float *ginv_posterior_y(const ginv_posterior *p, int *ny);
double ginv_posterior_sigma(const ginv_posterior *p);
int ginv_posterior_cap(const ginv_posterior *p); /* the batch it was built for */
/* ginv_posterior_eval of a gathered batch: row b is chain rows[b], whose
 * own y (when the posterior has one per chain) it is measured against. An
 * energy function's posterior has no per-chain data: a plain evaluation. */
ginv_status ginv_posterior_eval_rows(ginv_posterior *p, int B, const int *rows, const float *z,
                                     double *U, float *grad);
/* 0 for ginv_posterior_new_energy's posteriors (no net, operator or y). */
int ginv_posterior_has_generator(const ginv_posterior *p);

typedef struct {
    ginv_posterior *post;
    const ginv_sample_opts *o;
    int C, k;
    long t;               /* the step being taken (0-based, burn-in included) */
    int counting;         /* after burn-in: count acceptances */
    float *z, *grad;      /* C x k: current points and grad U there */
    double *U;            /* C */
    float *zp, *gp;       /* C x k: proposal scratch */
    double *Up;
    ginv_rng *noise;      /* C streams (seed, SAMPLE, c * 4 + 1) */
    ginv_rng *accept;     /* C streams (seed, SAMPLE, c * 4 + 2) */
    long *accepted;       /* C */
    int ball;             /* keep the chains on the ball ||z - centre_c|| <= radius */
    const float *centre;  /* C x k */
    double radius;
    const double *cbeta;  /* per slot inverse temperature (tempering), or NULL: o->beta */
    const double *pL;     /* preconditioner: H = L L^T (k x k lower), or NULL */
    double *pscratch;     /* 2k */
    /* per-chain step and diagonal metric (adaptation, hmc, nuts), or NULL:
     * o->step and the identity */
    double *eps;          /* C */
    double *minv;         /* C x k: the diagonal inverse metric (NULL when dense) */
    double *mdense;       /* C x k x k: a dense inverse metric M^{-1}, or NULL (metric.c) */
    double *mchol;        /* C x k x k: its lower Cholesky factor L, M^{-1} = L L^T */
    double *mscratch;     /* 2k: metric.c's scratch */
    long *stopped;        /* C: step at which an unadjusted chain stopped (NaN/Inf), or -1 */
    /* what the step reports per chain (hmc.c, mala.c; NULL-safe) */
    double *st_accept, *st_energy; /* C */
    int *st_depth, *st_leap, *st_div; /* C */
    long rounds, leaves;  /* nuts: batched evaluations and leaf evaluations (for batch_fill) */
    void *hmc;            /* hmc.c's scratch (ginv_hmc_scratch_new) */
} ginv_chains;

struct ginv_sampler_type {
    const char *name;
    int adjusted;         /* Metropolis-adjusted: counts its own acceptances */
    int keeps_ball;       /* can sample a uniform prior on a ball */
    ginv_status (*step)(ginv_chains *ch);
};

/* The inverse temperature of slot c. */
static inline double ginv_chains_beta(const ginv_chains *ch, int c)
{
    return ch->cbeta ? ch->cbeta[c] : ch->o->beta;
}

/* Replica exchange (tempering.c): swap proposals between adjacent rungs of
 * every chain; slot r * C + c is rung r of chain c. round alternates the
 * pairs (0-1, 2-3, ... then 1-2, 3-4, ...); accepted counts per pair. */
void ginv_chains_swap(ginv_chains *ch, int C, int R, long round, ginv_rng *swap_rng,
                      long *accepted, long *proposed);

/* zp = z - eta grad U(z) + scale sqrt(2 eta / beta) u, u ~ N(0, I) from each
 * chain's noise stream (Daras eq. 2; P&R eq. 6 with beta = 1). */
void ginv_chains_propose(ginv_chains *ch, double eta, double scale);
/* The same with the preconditioner P = H^{-1} (precond.c): drift eta P grad U,
 * noise scale sqrt(2 eta / beta) L^{-T} u. */
void ginv_chains_propose_precond(ginv_chains *ch, double eta, double scale);
/* out (k) = P g. */
void ginv_precond_apply(const ginv_chains *ch, const float *g, double *out);
/* MALA's log q(to | from) under the preconditioned proposal. */
double ginv_precond_log_q(const ginv_chains *ch, const float *to, const float *from,
                          const float *gfrom, double eta, double beta);
/* L (k x k lower, row-major) with H = L L^T; an error if H is not positive definite. */
ginv_status ginv_precond_factor(int k, const double *H, double *L);
ginv_status ginv_precond_inverse(int k, const double *L, double *Hinv); /* H^{-1} from H = L L^T */
/* Up, gp at zp for the whole batch; an error naming the step if not finite. */
ginv_status ginv_chains_eval_proposal(ginv_chains *ch);
/* Exchange the current and proposed points (an accepted unadjusted step). */
void ginv_chains_take_proposal(ginv_chains *ch);
/* Row c of x onto the ball ||x - centre_c|| <= radius (P&R eq. 8's Pi_D). */
void ginv_chains_project(const ginv_chains *ch, float *x, int c);
/* Whether row c of x lies on the ball. */
int ginv_chains_in_ball(const ginv_chains *ch, const float *x, int c);

/* The step of chain c: ch->eps[c] or o->step. */
static inline double ginv_chains_eps(const ginv_chains *ch, int c)
{
    return ch->eps ? ch->eps[c] : ch->o->step;
}
/* MALA with per-chain steps and a diagonal metric (mala.c):
 * zp = z - eta_c m_c * grad U + sqrt(2 eta_c / beta) sqrt(m_c) * u. */
void ginv_chains_propose_diag(ginv_chains *ch);

/* ---- hmc.c: leapfrog, HMC, NUTS, Stan's initial-step heuristic */

/* One leapfrog step of size eps for one chain of k coordinates, potential
 * V = beta U, inverse metric minv (NULL: I): p -= eps/2 beta g; q += eps
 * minv p; then g, U at q from eval; p -= eps/2 beta g. eval(user, q, U, g)
 * is called once. Exposed for the integrator's unit tests. */
typedef ginv_status (*ginv_grad_fn)(void *user, const double *q, double *U, double *g);
ginv_status ginv_leapfrog(int k, double eps, double beta, const double *minv, double *q, double *p,
                          double *g, double *U, ginv_grad_fn eval, void *user);
/* Stan's generalised U-turn criterion with p# = M^{-1} p (minv NULL: I):
 * p#_minus . rho > 0 and p#_plus . rho > 0 (1: no U-turn, keep going). */
int ginv_nuts_criterion(int k, const double *minv, const double *p_minus, const double *p_plus,
                        const double *rho);
/* The scratch hmc.c keeps per run (freed by ginv_hmc_scratch_free). */
ginv_status ginv_hmc_scratch_new(ginv_chains *ch);
void ginv_hmc_scratch_free(ginv_chains *ch);
/* Stan's init_stepsize for every chain c with want[c]: double or halve
 * ch->eps[c] until the acceptance of one trial move crosses 0.8 (one
 * leapfrog step for hmc/nuts, one proposal for mala); batched. */
ginv_status ginv_chains_find_step(ginv_chains *ch);
/* mala.c: the log MH ratio la (C) of one trial proposal per chain. */
ginv_status ginv_mala_trial(ginv_chains *ch, double *la);

/* ---- metric.c: a dense inverse metric M^{-1} = L L^T of chain c (Stan's dense_e) */

const double *ginv_metric_dense_of(const ginv_chains *ch, int c); /* NULL: not dense */
/* v = M^{-1} p. */
void ginv_metric_velocity(const ginv_chains *ch, int c, const double *p, double *v);
/* 1/2 p^T M^{-1} p. */
double ginv_metric_kinetic(const ginv_chains *ch, int c, const double *p);
/* p ~ N(0, M) = L^{-T} u, u from chain c's noise stream (k draws). */
void ginv_metric_momentum(ginv_chains *ch, int c, double *p);
/* out = L u. */
void ginv_metric_chol_mul(const ginv_chains *ch, int c, const double *u, double *out);
/* d^T M d = |L^{-1} d|^2 (d overwritten by L^{-1} d). */
double ginv_metric_precision_norm2(const ginv_chains *ch, int c, double *d);
/* The generalised U-turn criterion with p# = M^{-1} p (scratch: 2k). */
int ginv_metric_criterion(const ginv_chains *ch, int c, const double *pm, const double *pp,
                          const double *rho, double *scratch);
/* Symmetric to 1e-6 relative and finite (GINV_ERR_ARG naming metric `which`). */
ginv_status ginv_metric_check_dense(int k, const double *A, long which);
/* Chain c's inverse metric becomes A (its lower triangle, mirrored) and L its
 * Cholesky factor; GINV_ERR_ARG when A is not positive definite. */
ginv_status ginv_metric_set_dense(ginv_chains *ch, int c, const double *A);

/* ---- adapt.c: Stan's warm-up adaptation (per chain) */

/* Nesterov dual averaging of log eps (Hoffman & Gelman 2014, Alg. 5/6):
 * mu = log(10 eps0), gamma 0.05, t0 10, kappa 0.75. */
typedef struct {
    double mu, sbar, xbar, delta;
    long counter;
} ginv_dual_avg;
void ginv_dual_avg_restart(ginv_dual_avg *d, double eps0, double delta);
/* One update with the transition's acceptance statistic; the next eps. */
double ginv_dual_avg_learn(ginv_dual_avg *d, double accept_stat);
/* The frozen step after the warm-up: exp(xbar). */
double ginv_dual_avg_final(const ginv_dual_avg *d);

/* Stan's windowed schedule for the metric over num_warmup steps: an initial
 * buffer (75), windows of 25 doubling, a terminal buffer (50); shrunk to
 * 15% / 75% / 10% when they do not fit; none below 20 warm-up steps. */
typedef struct {
    long num_warmup, init_buffer, term_buffer, base_window;
    long counter, window_size, next_window;
    int active;
} ginv_adapt_windows;
void ginv_adapt_windows_init(ginv_adapt_windows *w, long num_warmup);
/* Feed step `counter`: *add = 1 when its draw enters the estimator; returns
 * 1 when a window closes after it (the metric is updated), then advances. */
int ginv_adapt_windows_step(ginv_adapt_windows *w, int *add);
/* Stan's regularised variance of n draws: (n/(n+5)) var + 1e-3 (5/(n+5)),
 * var with divisor n - 1. */
double ginv_adapt_regularise(double var, long n);
/* Welford's update of a covariance with the n-th draw x (k values): mean (k)
 * and m2 (k x k), the sum of outer products of deviations, m2 += ((n-1)/n)
 * d d^T with d = x - the old mean (exactly symmetric). */
void ginv_welford_cov_add(long n, int k, const float *x, double *mean, double *m2);
/* Welford's update with the n-th draw x (len values): mean and m2, the sum
 * of squared deviations (variance m2 / (n - 1)). */
void ginv_welford_add(long n, int len, const float *x, double *mean, double *m2);

#endif
