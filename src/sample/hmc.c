/* hmc.c — Hamiltonian Monte Carlo and the No-U-Turn Sampler over the batch of
 * chains. The Hamiltonian of chain c is
 *     H(z, p) = beta U(z) + 1/2 p^T M_c^{-1} p,   M_c^{-1} = diag(minv_c),
 * p ~ N(0, M_c), integrated by leapfrog (half kick, drift, half kick) with
 * the chain's step eps_c (Neal 2011, "MCMC using Hamiltonian dynamics").
 *
 * hmc: L leapfrog steps, then Metropolis on H.
 * nuts: Stan's multinomial NUTS (Betancourt 2017, "A Conceptual Introduction
 * to Hamiltonian Monte Carlo", App. A): the trajectory is doubled in a random
 * direction (subtrees of 1, 1, 2, 4, ... leapfrog steps) until the
 * generalised U-turn criterion p#_- . rho <= 0 or p#_+ . rho <= 0 (rho the sum
 * of the momenta, p# = M^{-1} p) fails on the whole tree, on every subtree,
 * or on the extended checks across merged subtrees, or until max_depth
 * doublings. Within a subtree the state is drawn in proportion to
 * exp(-H) (uniform multinomial); the new subtree replaces the current draw
 * with probability min(1, w_new / w_old) (biased progressive sampling). A
 * leaf with H - H0 > 1000 is a divergence and ends the transition. The
 * acceptance statistic is the mean over the leaves of min(1, exp(H0 - H)).
 *
 * Batching: every leapfrog step advances all chains still building their
 * trees together, with one gradient evaluation of those chains (gathered
 * into a contiguous batch); chains whose tree has ended wait until the
 * slowest chain of the batch has finished its transition. The recursion of
 * Stan's build_tree is replaced by a stack of completed subtrees per chain
 * (a binary counter): a leaf is pushed, and while the two top subtrees have
 * the same depth they are merged (multinomial choice, U-turn checks), in
 * the same order and with the same random draws as the recursion. */
#include "sample/sampler_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

static const double MAX_DELTA_H = 1000.0;

/* ------------------------------------------------------------ pieces */

int ginv_nuts_criterion(int k, const double *minv, const double *pm, const double *pp,
                        const double *rho)
{
    double a = 0, b = 0;
    for (int i = 0; i < k; i++) {
        double m = minv ? minv[i] : 1.0;
        a += m * pm[i] * rho[i];
        b += m * pp[i] * rho[i];
    }
    return a > 0 && b > 0;
}

static double kinetic(int k, const double *minv, const double *p)
{
    double s = 0;
    for (int i = 0; i < k; i++) s += (minv ? minv[i] : 1.0) * p[i] * p[i];
    return 0.5 * s;
}

ginv_status ginv_leapfrog(int k, double eps, double beta, const double *minv, double *q, double *p,
                          double *g, double *U, ginv_grad_fn eval, void *user)
{
    for (int i = 0; i < k; i++) {
        p[i] -= 0.5 * eps * beta * g[i];
        q[i] += eps * (minv ? minv[i] : 1.0) * p[i];
    }
    ginv_status st = eval(user, q, U, g);
    if (st != GINV_OK) return st;
    for (int i = 0; i < k; i++) p[i] -= 0.5 * eps * beta * g[i];
    return GINV_OK;
}

static double log_sum_exp(double a, double b)
{
    if (a == -INFINITY) return b;
    if (b == -INFINITY) return a;
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/* ------------------------------------------------------------ scratch */

/* A subtree on a chain's stack: its depth, log sum of weights, momentum sum,
 * momenta at its first and last leaf (in building order), and its draw. */
typedef struct {
    int C, k, D;          /* D = max_depth + 1 stack slots per chain */
    double *q, *p, *g;    /* C x k: hmc's state; nuts: the tree's forward end */
    double *qb, *pb, *gb; /* nuts: the backward end */
    double *rho, *pin, *tmp; /* C x k: the tree's momentum sum; the extended end's old p; scratch */
    float *zs, *gs;       /* C x k: the draw so far, grad U there */
    double *Us, *Hs, *H0, *lsw, *sum_metro;
    int *n_leap, *depth, *dir, *div, *done, *sp;
    int *idx;             /* C: batch row -> chain */
    /* stack: slot (c * D + j) */
    int *n_level;
    double *n_lsw, *n_U, *n_H;
    double *n_rho, *n_pbeg, *n_pend; /* (C D) x k */
    float *n_z, *n_g;
    int find_dir;
} hmc_scratch;

void ginv_hmc_scratch_free(ginv_chains *ch)
{
    hmc_scratch *h = ch->hmc;
    if (!h) return;
    void *ptrs[] = {h->q, h->p, h->g, h->qb, h->pb, h->gb, h->rho, h->pin, h->tmp, h->zs, h->gs,
                    h->Us, h->Hs, h->H0, h->lsw, h->sum_metro, h->n_leap, h->depth, h->dir, h->div,
                    h->done, h->sp, h->idx, h->n_level, h->n_lsw, h->n_U, h->n_H, h->n_rho,
                    h->n_pbeg, h->n_pend, h->n_z, h->n_g};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) ginv_free(ptrs[i]);
    ginv_free(h);
    ch->hmc = NULL;
}

ginv_status ginv_hmc_scratch_new(ginv_chains *ch)
{
    int C = ch->C, k = ch->k, nuts = ch->o->type == ginv_sampler_nuts;
    int D = nuts ? ch->o->max_depth + 1 : 1;
    hmc_scratch *h = ginv_calloc(1, sizeof *h);
    if (!h) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ch->hmc = h;
    h->C = C, h->k = k, h->D = D;
    size_t Ck = (size_t)C * k, CDk = (size_t)C * D * k, CD = (size_t)C * D;
#define A(f, n, T) ((h->f = ginv_calloc((n), sizeof(T))) != NULL)
    int ok = A(q, Ck, double) && A(p, Ck, double) && A(g, Ck, double) && A(qb, Ck, double) &&
             A(pb, Ck, double) && A(gb, Ck, double) && A(rho, Ck, double) && A(pin, Ck, double) &&
             A(tmp, Ck, double) && A(zs, Ck, float) && A(gs, Ck, float) && A(Us, C, double) &&
             A(Hs, C, double) && A(H0, C, double) && A(lsw, C, double) && A(sum_metro, C, double) &&
             A(n_leap, C, int) && A(depth, C, int) && A(dir, C, int) && A(div, C, int) &&
             A(done, C, int) && A(sp, C, int) && A(idx, C, int) && A(n_level, CD, int) &&
             A(n_lsw, CD, double) && A(n_U, CD, double) && A(n_H, CD, double) &&
             A(n_rho, CDk, double) && A(n_pbeg, CDk, double) && A(n_pend, CDk, double) &&
             A(n_z, CDk, float) && A(n_g, CDk, float);
#undef A
    if (!ok) {
        ginv_hmc_scratch_free(ch);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the %s trees of %d chains",
                         ch->o->type->name, C);
    }
    return GINV_OK;
}

static const double *minv_of(const ginv_chains *ch, int c)
{
    return ch->minv ? ch->minv + (size_t)c * ch->k : NULL;
}

/* p ~ N(0, M): p_i = u_i / sqrt(minv_i) from chain c's noise stream. */
static void draw_momentum(ginv_chains *ch, int c, double *p)
{
    if (ch->mdense) {
        ginv_metric_momentum(ch, c, p);
        return;
    }
    const double *m = minv_of(ch, c);
    for (int i = 0; i < ch->k; i++) p[i] = ginv_rng_normal(&ch->noise[c]) / (m ? sqrt(m[i]) : 1.0);
}

/* The first half kick and the drift of chain c (signed step e), its new
 * position written to batch row r of zp. */
static void kick_drift(ginv_chains *ch, int c, double e, double *q, double *p, const double *g, int r)
{
    int k = ch->k;
    double b = ginv_chains_beta(ch, c);
    const double *m = minv_of(ch, c);
    float *zr = ch->zp + (size_t)r * k;
    if (ch->mdense) { /* q += e M^{-1} p after the whole half kick */
        double *v = ch->mscratch;
        for (int i = 0; i < k; i++) p[i] -= 0.5 * e * b * g[i];
        ginv_metric_velocity(ch, c, p, v);
        for (int i = 0; i < k; i++) {
            q[i] += e * v[i];
            zr[i] = (float)q[i];
        }
        return;
    }
    for (int i = 0; i < k; i++) {
        p[i] -= 0.5 * e * b * g[i];
        q[i] += e * (m ? m[i] : 1.0) * p[i];
        zr[i] = (float)q[i];
    }
}

/* The last half kick with grad U of batch row r. */
static void kick(ginv_chains *ch, int c, double e, double *p, double *g, int r)
{
    int k = ch->k;
    double b = ginv_chains_beta(ch, c);
    const float *gr = ch->gp + (size_t)r * k;
    for (int i = 0; i < k; i++) {
        g[i] = gr[i];
        p[i] -= 0.5 * e * b * g[i];
    }
}

/* H, a NaN taken as +inf (Stan: a NaN energy is a divergence). */
static double hamiltonian(const ginv_chains *ch, int c, double U, const double *p)
{
    double K = ch->mdense ? ginv_metric_kinetic(ch, c, p) : kinetic(ch->k, minv_of(ch, c), p);
    double H = ginv_chains_beta(ch, c) * U + K;
    return isnan(H) ? INFINITY : H;
}

static void load_state(const ginv_chains *ch, int c, double *q, double *g)
{
    size_t off = (size_t)c * ch->k;
    for (int i = 0; i < ch->k; i++) {
        q[i] = ch->z[off + i];
        g[i] = ch->grad[off + i];
    }
}

/* ------------------------------------------------------------ hmc */

static ginv_status hmc_step(ginv_chains *ch)
{
    hmc_scratch *h = ch->hmc;
    int C = ch->C, k = ch->k, L = ch->o->leapfrog;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        load_state(ch, c, h->q + off, h->g + off);
        draw_momentum(ch, c, h->p + off);
        h->H0[c] = hamiltonian(ch, c, ch->U[c], h->p + off);
    }
    for (int l = 0; l < L; l++) {
        for (int c = 0; c < C; c++) {
            size_t off = (size_t)c * k;
            kick_drift(ch, c, ginv_chains_eps(ch, c), h->q + off, h->p + off, h->g + off, c);
        }
        ginv_status st = ginv_posterior_eval(ch->post, C, ch->zp, ch->Up, ch->gp);
        if (st != GINV_OK) return st;
        for (int c = 0; c < C; c++)
            kick(ch, c, ginv_chains_eps(ch, c), h->p + (size_t)c * k, h->g + (size_t)c * k, c);
    }
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        double H1 = isfinite(ch->Up[c]) ? hamiltonian(ch, c, ch->Up[c], h->p + off) : INFINITY;
        double la = h->H0[c] - H1;
        if (isnan(la)) la = -INFINITY;
        double u = ginv_rng_uniform(&ch->accept[c]);
        int acc = log(u) < la;
        if (acc) {
            memcpy(ch->z + off, ch->zp + off, (size_t)k * sizeof(float));
            memcpy(ch->grad + off, ch->gp + off, (size_t)k * sizeof(float));
            ch->U[c] = ch->Up[c];
            if (ch->counting) ch->accepted[c]++;
        }
        if (ch->st_accept) {
            ch->st_accept[c] = la >= 0 ? 1.0 : exp(la);
            ch->st_energy[c] = acc ? H1 : h->H0[c];
            ch->st_depth[c] = 0;
            ch->st_leap[c] = L;
            ch->st_div[c] = H1 - h->H0[c] > MAX_DELTA_H;
        }
    }
    return GINV_OK;
}

/* ------------------------------------------------------------ nuts */

/* The generalised U-turn criterion of chain c, its metric diagonal or dense. */
static int criterion(const ginv_chains *ch, int c, const double *pm, const double *pp, const double *rho)
{
    if (ch->mdense) return ginv_metric_criterion(ch, c, pm, pp, rho, ch->mscratch);
    return ginv_nuts_criterion(ch->k, minv_of(ch, c), pm, pp, rho);
}

#define NODE(h, c, j) ((size_t)(c) * (h)->D + (j))

/* Start chain c's next subtree: a random direction, an empty stack, the old
 * momentum at the end being extended. */
static void start_subtree(ginv_chains *ch, int c)
{
    hmc_scratch *h = ch->hmc;
    size_t off = (size_t)c * ch->k;
    h->dir[c] = ginv_rng_uniform(&ch->accept[c]) > 0.5 ? 1 : -1;
    h->sp[c] = 0;
    memcpy(h->pin + off, (h->dir[c] > 0 ? h->p : h->pb) + off, (size_t)ch->k * sizeof(double));
}

/* Merge the two top subtrees of chain c's stack (left: built first). 0 when
 * the merged subtree turns (U-turn checks of Stan's build_tree). */
static int merge_top(ginv_chains *ch, int c)
{
    hmc_scratch *h = ch->hmc;
    int k = ch->k;
    size_t L = NODE(h, c, h->sp[c] - 2), R = L + 1;
    double *lr = h->n_rho + L * k, *rr = h->n_rho + R * k, *t = h->tmp + (size_t)c * k;
    double lsw = log_sum_exp(h->n_lsw[L], h->n_lsw[R]);
    int take = h->n_lsw[R] > lsw;
    if (!take) take = ginv_rng_uniform(&ch->accept[c]) < exp(h->n_lsw[R] - lsw);
    if (take) {
        memcpy(h->n_z + L * k, h->n_z + R * k, (size_t)k * sizeof(float));
        memcpy(h->n_g + L * k, h->n_g + R * k, (size_t)k * sizeof(float));
        h->n_U[L] = h->n_U[R];
        h->n_H[L] = h->n_H[R];
    }
    for (int i = 0; i < k; i++) t[i] = lr[i] + rr[i];
    int ok = criterion(ch, c, h->n_pbeg + L * k, h->n_pend + R * k, t);
    for (int i = 0; i < k; i++) t[i] = lr[i] + h->n_pbeg[R * k + i];
    ok = ok && criterion(ch, c, h->n_pbeg + L * k, h->n_pbeg + R * k, t);
    for (int i = 0; i < k; i++) t[i] = rr[i] + h->n_pend[L * k + i];
    ok = ok && criterion(ch, c, h->n_pend + L * k, h->n_pend + R * k, t);
    for (int i = 0; i < k; i++) lr[i] += rr[i];
    memcpy(h->n_pend + L * k, h->n_pend + R * k, (size_t)k * sizeof(double));
    h->n_lsw[L] = lsw;
    h->n_level[L]++;
    h->sp[c]--;
    return ok;
}

/* The completed subtree joins chain c's tree: progressive sampling of the
 * draw, the tree's momentum sum, the U-turn checks across the join. 0 when
 * the tree turns. */
static int join_subtree(ginv_chains *ch, int c)
{
    hmc_scratch *h = ch->hmc;
    int k = ch->k;
    size_t N = NODE(h, c, 0), off = (size_t)c * k;
    if (h->n_lsw[N] > h->lsw[c] || ginv_rng_uniform(&ch->accept[c]) < exp(h->n_lsw[N] - h->lsw[c])) {
        memcpy(h->zs + off, h->n_z + N * k, (size_t)k * sizeof(float));
        memcpy(h->gs + off, h->n_g + N * k, (size_t)k * sizeof(float));
        h->Us[c] = h->n_U[N];
        h->Hs[c] = h->n_H[N];
    }
    h->lsw[c] = log_sum_exp(h->lsw[c], h->n_lsw[N]);
    double *rho = h->rho + off, *t = h->tmp + off, *rn = h->n_rho + N * k;
    const double *pin = h->pin + off, *nbeg = h->n_pbeg + N * k, *nend = h->n_pend + N * k;
    /* the end of the old tree away from the new subtree */
    const double *outer = (h->dir[c] > 0 ? h->pb : h->p) + off;
    for (int i = 0; i < k; i++) t[i] = rho[i] + nbeg[i];
    int ok = criterion(ch, c, outer, nbeg, t); /* old tree + the new first leaf */
    for (int i = 0; i < k; i++) t[i] = rn[i] + pin[i];
    ok = ok && criterion(ch, c, pin, nend, t); /* old last leaf + the new subtree */
    for (int i = 0; i < k; i++) rho[i] += rn[i];
    ok = ok && criterion(ch, c, outer, nend, rho); /* the whole tree */
    h->depth[c]++;
    return ok;
}

/* Chain c's transition ends: its draw becomes the state. */
static void finish_chain(ginv_chains *ch, int c)
{
    hmc_scratch *h = ch->hmc;
    int k = ch->k;
    size_t off = (size_t)c * k;
    h->done[c] = 1;
    int moved = memcmp(ch->z + off, h->zs + off, (size_t)k * sizeof(float)) != 0;
    memcpy(ch->z + off, h->zs + off, (size_t)k * sizeof(float));
    memcpy(ch->grad + off, h->gs + off, (size_t)k * sizeof(float));
    ch->U[c] = h->Us[c];
    if (ch->counting && moved) ch->accepted[c]++; /* "accepted": the draw left the start */
    if (ch->st_accept) {
        ch->st_accept[c] = h->n_leap[c] ? h->sum_metro[c] / h->n_leap[c] : 0.0;
        ch->st_energy[c] = h->Hs[c];
        ch->st_depth[c] = h->depth[c];
        ch->st_leap[c] = h->n_leap[c];
        ch->st_div[c] = h->div[c];
    }
}

/* One leaf of chain c (batch row r just evaluated): the last half kick, the
 * leaf pushed and merged; the subtree joined when complete. */
static void nuts_leaf(ginv_chains *ch, int c, int r)
{
    hmc_scratch *h = ch->hmc;
    int k = ch->k;
    size_t off = (size_t)c * k;
    double e = h->dir[c] * ginv_chains_eps(ch, c);
    double *p = (h->dir[c] > 0 ? h->p : h->pb) + off, *g = (h->dir[c] > 0 ? h->g : h->gb) + off;
    kick(ch, c, e, p, g, r);
    h->n_leap[c]++;
    double U = ch->Up[r], H = isfinite(U) ? hamiltonian(ch, c, U, p) : INFINITY;
    double dH = h->H0[c] - H;
    h->sum_metro[c] += dH > 0 ? 1.0 : exp(dH);
    size_t N = NODE(h, c, h->sp[c]++);
    h->n_level[N] = 0;
    h->n_lsw[N] = dH;
    h->n_U[N] = U;
    h->n_H[N] = H;
    memcpy(h->n_rho + N * k, p, (size_t)k * sizeof(double));
    memcpy(h->n_pbeg + N * k, p, (size_t)k * sizeof(double));
    memcpy(h->n_pend + N * k, p, (size_t)k * sizeof(double));
    memcpy(h->n_z + N * k, ch->zp + (size_t)r * k, (size_t)k * sizeof(float));
    memcpy(h->n_g + N * k, ch->gp + (size_t)r * k, (size_t)k * sizeof(float));
    if (-dH > MAX_DELTA_H) {
        h->div[c] = 1;
        finish_chain(ch, c);
        return;
    }
    while (h->sp[c] >= 2 && h->n_level[NODE(h, c, h->sp[c] - 1)] == h->n_level[NODE(h, c, h->sp[c] - 2)])
        if (!merge_top(ch, c)) {
            finish_chain(ch, c);
            return;
        }
    if (h->sp[c] == 1 && h->n_level[NODE(h, c, 0)] == h->depth[c]) {
        if (!join_subtree(ch, c) || h->depth[c] >= ch->o->max_depth) finish_chain(ch, c);
        else start_subtree(ch, c);
    }
}

static ginv_status nuts_step(ginv_chains *ch)
{
    hmc_scratch *h = ch->hmc;
    int C = ch->C, k = ch->k;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        load_state(ch, c, h->q + off, h->g + off);
        draw_momentum(ch, c, h->p + off);
        memcpy(h->qb + off, h->q + off, (size_t)k * sizeof(double));
        memcpy(h->pb + off, h->p + off, (size_t)k * sizeof(double));
        memcpy(h->gb + off, h->g + off, (size_t)k * sizeof(double));
        memcpy(h->rho + off, h->p + off, (size_t)k * sizeof(double));
        memcpy(h->zs + off, ch->z + off, (size_t)k * sizeof(float));
        memcpy(h->gs + off, ch->grad + off, (size_t)k * sizeof(float));
        h->Us[c] = ch->U[c];
        h->H0[c] = h->Hs[c] = hamiltonian(ch, c, ch->U[c], h->p + off);
        h->lsw[c] = 0;
        h->sum_metro[c] = 0;
        h->n_leap[c] = h->depth[c] = h->div[c] = h->done[c] = 0;
        start_subtree(ch, c);
    }
    for (;;) {
        int n = 0;
        for (int c = 0; c < C; c++) {
            if (h->done[c]) continue;
            size_t off = (size_t)c * k;
            int f = h->dir[c] > 0;
            kick_drift(ch, c, h->dir[c] * ginv_chains_eps(ch, c), (f ? h->q : h->qb) + off,
                       (f ? h->p : h->pb) + off, (f ? h->g : h->gb) + off, n);
            h->idx[n++] = c;
        }
        if (n == 0) break;
        ginv_status st = ginv_posterior_eval_rows(ch->post, n, h->idx, ch->zp, ch->Up, ch->gp);
        if (st != GINV_OK) return st;
        ch->rounds++;
        ch->leaves += n;
        for (int r = 0; r < n; r++) nuts_leaf(ch, h->idx[r], r);
    }
    return GINV_OK;
}

/* ------------------------------------------------ the initial step size */

/* One trial move per chain in want: la[c] = H0 - H after one leapfrog step
 * (hmc, nuts) or MALA's log ratio. */
static ginv_status trial(ginv_chains *ch, const int *want, double *la)
{
    /* mala, and ula, whose warm-up is MALA's (chain.c) */
    if (ch->o->type == ginv_sampler_mala || ch->o->type == ginv_sampler_ula) return ginv_mala_trial(ch, la);
    hmc_scratch *h = ch->hmc;
    int C = ch->C, k = ch->k;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * k;
        load_state(ch, c, h->q + off, h->g + off);
        if (!want[c]) {
            memcpy(ch->zp + off, ch->z + off, (size_t)k * sizeof(float));
            continue;
        }
        draw_momentum(ch, c, h->p + off);
        h->H0[c] = hamiltonian(ch, c, ch->U[c], h->p + off);
        kick_drift(ch, c, ginv_chains_eps(ch, c), h->q + off, h->p + off, h->g + off, c);
    }
    ginv_status st = ginv_posterior_eval(ch->post, C, ch->zp, ch->Up, ch->gp);
    if (st != GINV_OK) return st;
    for (int c = 0; c < C; c++) {
        if (!want[c]) continue;
        size_t off = (size_t)c * k;
        kick(ch, c, ginv_chains_eps(ch, c), h->p + off, h->g + off, c);
        double H = isfinite(ch->Up[c]) ? hamiltonian(ch, c, ch->Up[c], h->p + off) : INFINITY;
        la[c] = h->H0[c] - H;
        if (isnan(la[c])) la[c] = -INFINITY;
    }
    return GINV_OK;
}

ginv_status ginv_chains_find_step(ginv_chains *ch)
{
    int C = ch->C;
    int *want = ginv_malloc((size_t)C * 2 * sizeof(int));
    double *la = ginv_malloc((size_t)C * sizeof(double));
    ginv_status st = want && la ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    int *dir = want ? want + C : NULL;
    if (st == GINV_OK) {
        const double l08 = log(0.8);
        for (int c = 0; c < C; c++) want[c] = 1;
        if ((st = trial(ch, want, la)) == GINV_OK)
            for (int c = 0; c < C; c++) dir[c] = la[c] > l08 ? 1 : -1;
        for (int round = 0; st == GINV_OK; round++) {
            int any = 0;
            for (int c = 0; c < C; c++) any |= want[c];
            if (!any) break;
            if ((st = trial(ch, want, la)) != GINV_OK) break;
            for (int c = 0; c < C; c++) {
                if (!want[c]) continue;
                if ((dir[c] > 0 && !(la[c] > l08)) || (dir[c] < 0 && !(la[c] < l08))) {
                    want[c] = 0;
                    continue;
                }
                ch->eps[c] *= dir[c] > 0 ? 2.0 : 0.5;
                if (ch->eps[c] > 1e7 || ch->eps[c] < 1e-300) {
                    st = ginv_fail(GINV_ERR_NUMERIC, "no reasonable initial step size for chain %d: "
                                   "it reached %g (the posterior is %s at its start)", c,
                                   ch->eps[c], dir[c] > 0 ? "flat" : "singular");
                    break;
                }
            }
        }
    }
    ginv_free(want);
    ginv_free(la);
    return st;
}

static const ginv_sampler_type hmc_type = {"hmc", 1, 0, hmc_step};
const ginv_sampler_type *const ginv_sampler_hmc = &hmc_type;
static const ginv_sampler_type nuts_type = {"nuts", 1, 0, nuts_step};
const ginv_sampler_type *const ginv_sampler_nuts = &nuts_type;
