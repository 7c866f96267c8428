/* mala.c — the Metropolis-adjusted Langevin algorithm: the ULA proposal
 *     z' = z - eta grad U(z) + sqrt(2 eta / beta) u,
 * i.e. q(z'|z) ∝ exp(-beta ||z' - z + eta grad U(z)||^2 / (4 eta)), accepted
 * per chain with probability
 *     min(1, exp(-beta U(z')) q(z|z') / (exp(-beta U(z)) q(z'|z))),
 * so exp(-beta U) is stationary at any step size (a proposal off the uniform
 * prior's ball is rejected: the density is 0 there). With a preconditioner
 * P = (L L^T)^{-1} (precond.c) q uses the metric L L^T; with a dense inverse
 * metric M^{-1} = L L^T (metric.c) the drift is eta M^{-1} grad U, the noise
 * sqrt(2 eta / beta) L u and q(z'|z) ∝ exp(-beta d^T M d / (4 eta)). */
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

/* log q(to | from) with a diagonal metric m (NULL: I) and step eta:
 * -beta sum_i (to_i - from_i + eta m_i g_i)^2 / m_i / (4 eta). */
static double log_q_diag(const float *to, const float *from, const float *gfrom, const double *m,
                         int k, double eta, double beta)
{
    double s = 0;
    for (int i = 0; i < k; i++) {
        double mi = m ? m[i] : 1.0, d = (double)to[i] - from[i] + eta * mi * gfrom[i];
        s += d * d / mi;
    }
    return -beta * s / (4.0 * eta);
}

/* log q(to | from) with chain c's dense metric: -beta d^T M d / (4 eta),
 * d = to - from + eta M^{-1} g(from). */
static double log_q_dense(const ginv_chains *ch, int c, const float *to, const float *from,
                          const float *gfrom, double eta, double beta)
{
    int k = ch->k;
    double *g = ch->mscratch, *d = ch->mscratch + k;
    for (int i = 0; i < k; i++) g[i] = gfrom[i];
    ginv_metric_velocity(ch, c, g, d);
    for (int i = 0; i < k; i++) d[i] = (double)to[i] - from[i] + eta * d[i];
    return -beta * ginv_metric_precision_norm2(ch, c, d) / (4.0 * eta);
}

/* The dense proposal of chain c: z - eta M^{-1} grad U + sqrt(2 eta / beta) L u. */
static void propose_dense(ginv_chains *ch, int c)
{
    int k = ch->k;
    double eta = ginv_chains_eps(ch, c), sd = sqrt(2.0 * eta / ginv_chains_beta(ch, c));
    double *g = ch->mscratch, *v = g + k, *u = v + k, *n = u + k;
    size_t off = (size_t)c * k;
    for (int i = 0; i < k; i++) g[i] = ch->grad[off + i];
    ginv_metric_velocity(ch, c, g, v);
    for (int i = 0; i < k; i++) u[i] = ginv_rng_normal(&ch->noise[c]);
    ginv_metric_chol_mul(ch, c, u, n);
    for (int i = 0; i < k; i++) ch->zp[off + i] = (float)((double)ch->z[off + i] - eta * v[i] + sd * n[i]);
}

void ginv_chains_propose_diag(ginv_chains *ch)
{
    int k = ch->k;
    for (int c = 0; c < ch->C; c++) {
        if (ch->mdense) {
            propose_dense(ch, c);
            continue;
        }
        double eta = ginv_chains_eps(ch, c), sd = sqrt(2.0 * eta / ginv_chains_beta(ch, c));
        const double *m = ch->minv ? ch->minv + (size_t)c * k : NULL;
        size_t off = (size_t)c * k;
        for (int i = 0; i < k; i++) {
            double mi = m ? m[i] : 1.0;
            ch->zp[off + i] = (float)((double)ch->z[off + i] - eta * mi * ch->grad[off + i] +
                                      sd * sqrt(mi) * ginv_rng_normal(&ch->noise[c]));
        }
    }
}

/* The log Metropolis-Hastings ratio of chain c's proposal (-inf off the ball
 * or at a non-finite energy). */
static double log_ratio(const ginv_chains *ch, int c, int plain)
{
    int k = ch->k;
    size_t off = (size_t)c * k;
    const float *z = ch->z + off, *zp = ch->zp + off;
    double beta = ginv_chains_beta(ch, c), eta = ginv_chains_eps(ch, c);
    if (!isfinite(ch->Up[c]) || (ch->ball && !ginv_chains_in_ball(ch, zp, c))) return -INFINITY;
    double dq;
    if (ch->pL)
        dq = ginv_precond_log_q(ch, z, zp, ch->gp + off, eta, beta) -
             ginv_precond_log_q(ch, zp, z, ch->grad + off, eta, beta);
    else if (plain)
        dq = log_q(z, zp, ch->gp + off, k, eta, beta) - log_q(zp, z, ch->grad + off, k, eta, beta);
    else if (ch->mdense)
        dq = log_q_dense(ch, c, z, zp, ch->gp + off, eta, beta) -
             log_q_dense(ch, c, zp, z, ch->grad + off, eta, beta);
    else {
        const double *m = ch->minv ? ch->minv + off : NULL;
        dq = log_q_diag(z, zp, ch->gp + off, m, k, eta, beta) -
             log_q_diag(zp, z, ch->grad + off, m, k, eta, beta);
    }
    double la = -beta * (ch->Up[c] - ch->U[c]) + dq;
    return isnan(la) ? -INFINITY : la;
}

/* The proposal of every chain: plain (one step, no metric: the original
 * arithmetic), preconditioned (laplace) or per-chain step and diagonal metric. */
static int propose(ginv_chains *ch)
{
    int plain = !ch->eps && !ch->minv;
    if (ch->pL) ginv_chains_propose_precond(ch, ch->o->step, 1.0);
    else if (plain) ginv_chains_propose(ch, ch->o->step, 1.0);
    else ginv_chains_propose_diag(ch);
    return plain;
}

/* MALA's trial move for Stan's step heuristic: the log ratio of one proposal
 * per chain (nothing moves). */
ginv_status ginv_mala_trial(ginv_chains *ch, double *la)
{
    int plain = propose(ch);
    ginv_status st = ginv_posterior_eval(ch->post, ch->C, ch->zp, ch->Up, ch->gp);
    if (st != GINV_OK) return st;
    for (int c = 0; c < ch->C; c++) la[c] = log_ratio(ch, c, plain);
    return GINV_OK;
}

/* One MALA step for every chain (one batched evaluation at the proposals); a
 * proposal at a non-finite energy is rejected. */
static ginv_status mala_step(ginv_chains *ch)
{
    int C = ch->C, k = ch->k;
    int plain = propose(ch);
    ginv_status st = ginv_posterior_eval(ch->post, C, ch->zp, ch->Up, ch->gp);
    if (st != GINV_OK) return st;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        double u = ginv_rng_uniform(&ch->accept[c]); /* drawn every step: streams stay aligned */
        double la = log_ratio(ch, c, plain);
        int acc = log(u) < la;
        if (acc) {
            memcpy(ch->z + off, ch->zp + off, (size_t)k * sizeof(float));
            memcpy(ch->grad + off, ch->gp + off, (size_t)k * sizeof(float));
            ch->U[c] = ch->Up[c];
            if (ch->counting) ch->accepted[c]++;
        }
        if (ch->st_accept) {
            ch->st_accept[c] = la >= 0 ? 1.0 : exp(la);
            ch->st_energy[c] = ginv_chains_beta(ch, c) * ch->U[c];
            ch->st_depth[c] = 0;
            ch->st_leap[c] = 1;
            ch->st_div[c] = 0;
        }
    }
    return GINV_OK;
}

static const ginv_sampler_type mala_type = {"mala", 1, 1, mala_step};
const ginv_sampler_type *const ginv_sampler_mala = &mala_type;
