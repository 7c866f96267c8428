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
/* Up, gp at zp for the whole batch; an error naming the step if not finite. */
ginv_status ginv_chains_eval_proposal(ginv_chains *ch);
/* Exchange the current and proposed points (an accepted unadjusted step). */
void ginv_chains_take_proposal(ginv_chains *ch);
/* Row c of x onto the ball ||x - centre_c|| <= radius (P&R eq. 8's Pi_D). */
void ginv_chains_project(const ginv_chains *ch, float *x, int c);
/* Whether row c of x lies on the ball. */
int ginv_chains_in_ball(const ginv_chains *ch, const float *x, int c);

#endif
