/* mala.c — the Metropolis-adjusted Langevin algorithm: the ULA proposal
 *     z' = z - eta grad U(z) + sqrt(2 eta / beta) u,
 * i.e. q(z'|z) ∝ exp(-beta ||z' - z + eta grad U(z)||^2 / (4 eta)), accepted
 * per chain with probability
 *     min(1, exp(-beta U(z')) q(z|z') / (exp(-beta U(z)) q(z'|z))),
 * so exp(-beta U) is stationary at any step size (a proposal off the uniform
 * prior's ball is rejected: the density is 0 there). With a preconditioner
 * P = (L L^T)^{-1} (precond.c) q uses the metric L L^T. */
#include "sample/sampler_internal.h"

#include <math.h>
#include <string.h>

/* log q(to | from) up to its constant: -beta ||to - from + eta g(from)||^2 / (4 eta). */
static double log_q(const float *to, const float *from, const float *gfrom, int k, double eta,
                    double beta)
{
    double s = 0;
    for (int i = 0; i < k; i++) {
        double d = (double)to[i] - from[i] + eta * gfrom[i];
        s += d * d;
    }
    return -beta * s / (4.0 * eta);
}

/* One MALA step for every chain (one batched evaluation at the proposals). */
static ginv_status mala_step(ginv_chains *ch)
{
    const ginv_sample_opts *o = ch->o;
    int C = ch->C, k = ch->k;
    double eta = o->step;
    if (ch->pL) ginv_chains_propose_precond(ch, eta, 1.0);
    else ginv_chains_propose(ch, eta, 1.0);
    ginv_status st = ginv_chains_eval_proposal(ch);
    if (st != GINV_OK) return st;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        const float *z = ch->z + off, *zp = ch->zp + off;
        double u = ginv_rng_uniform(&ch->accept[c]); /* drawn every step: streams stay aligned */
        double beta = ginv_chains_beta(ch, c);
        double la = -INFINITY;
        if (!ch->ball || ginv_chains_in_ball(ch, zp, c))
            la = -beta * (ch->Up[c] - ch->U[c]) +
                 (ch->pL ? ginv_precond_log_q(ch, z, zp, ch->gp + off, eta, beta) -
                               ginv_precond_log_q(ch, zp, z, ch->grad + off, eta, beta)
                         : log_q(z, zp, ch->gp + off, k, eta, beta) -
                               log_q(zp, z, ch->grad + off, k, eta, beta));
        if (log(u) < la) {
            memcpy(ch->z + off, zp, (size_t)k * sizeof(float));
            memcpy(ch->grad + off, ch->gp + off, (size_t)k * sizeof(float));
            ch->U[c] = ch->Up[c];
            if (ch->counting) ch->accepted[c]++;
        }
    }
    return GINV_OK;
}

static const ginv_sampler_type mala_type = {"mala", 1, 1, mala_step};
const ginv_sampler_type *const ginv_sampler_mala = &mala_type;
