/* ilo_stage.c — one stage of Intermediate Layer Optimization (Daras, Dean,
 * Jalal & Dimakis 2021; Daras et al. 2022 §2, Fig. 2): projected Adam on
 * (u, d) for f(u, d) = ||A G^b(G^a(u) + d) - y||^2, d kept in the l1 ball
 * r B1 (Duchi et al. 2008 projection) and u in the previous stage's ball. */
#include "infer/ilo_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"
#include "infer/objective_internal.h"

#include <math.h>
#include <string.h>

/* Layers [a, b) and [b, end) of net as views: G^a, G^b. */
static ginv_status views(ginv_net *net, int a, int b, ginv_net **ga, ginv_net **gb)
{
    if (a == 0) return ginv_net_split(net, b, ga, gb);
    ginv_net *pre = NULL, *rest = NULL;
    ginv_status st = ginv_net_split(net, a, &pre, &rest);
    if (st == GINV_OK) st = ginv_net_split(rest, b - a, ga, gb);
    ginv_net_free(pre); /* the views of rest point into net's block, not into rest */
    ginv_net_free(rest);
    return st;
}

ginv_status ginv_ilo_eval_new(ginv_ilo_eval *e, ginv_net *net, int a, int b, const ginv_op *op,
                              int N, const float *Y)
{
    memset(e, 0, sizeof *e);
    if (a < 0 || a >= b)
        return ginv_fail(GINV_ERR_ARG, "ILO stage: layers [%d, %d) are empty", a, b);
    ginv_status st = views(net, a, b, &e->ga, &e->gb);
    if (st != GINV_OK) return st;
    e->op = op, e->Y = Y, e->N = N;
    e->pin = ginv_net_in(e->ga), e->p = ginv_net_out(e->ga);
    e->n = ginv_net_out(e->gb), e->m = ginv_op_m(op);
    size_t Np = (size_t)N * e->p;
    e->H = ginv_malloc(Np * sizeof(float));
    e->gh = ginv_malloc(Np * sizeof(float));
    e->R = ginv_malloc((size_t)N * e->m * sizeof(float));
    e->gx = ginv_malloc((size_t)N * e->n * sizeof(float));
    e->gu = ginv_malloc((size_t)N * e->pin * sizeof(float));
    if (!e->H || !e->gh || !e->R || !e->gx || !e->gu) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) st = ginv_net_ws_new(&e->wa, e->ga, N);
    if (st == GINV_OK) st = ginv_net_ws_new(&e->wb, e->gb, N);
    if (st != GINV_OK) ginv_ilo_eval_free(e);
    return st;
}

void ginv_ilo_eval_free(ginv_ilo_eval *e)
{
    ginv_net_ws_free(e->wa);
    ginv_net_ws_free(e->wb);
    ginv_net_free(e->ga);
    ginv_net_free(e->gb);
    ginv_free(e->H);
    ginv_free(e->gh);
    ginv_free(e->R);
    ginv_free(e->gx);
    ginv_free(e->gu);
    memset(e, 0, sizeof *e);
}

void ginv_ilo_eval_run(ginv_ilo_eval *e, const float *U, const float *D, double *f, int grad)
{
    int N = e->N, m = e->m;
    size_t Np = (size_t)N * e->p;
    e->a = ginv_net_forward(e->ga, e->wa, N, U);
    for (size_t j = 0; j < Np; j++) e->H[j] = D && D[j] != 0 ? e->a[j] + D[j] : e->a[j];
    e->x = ginv_net_forward(e->gb, e->wb, N, e->H);
    ginv_op_apply(e->op, N, e->x, e->R);
    /* f = ||A x - y||^2, or for magnitudes (phaseless operators) the amplitude
     * loss sum (|A x| - y)^2 of Hand, Leong & Voroninski eq. 2; R <- d(f/2)/du */
    int link = (int)ginv_op_link(e->op);
    const int *pair = ginv_op_link_pairs(e->op);
    for (int i = 0; i < N; i++)
        f[i] = 2 * ginv_link_amplitude_loss(link, pair, m, e->R + (size_t)i * m, e->Y + (size_t)i * m);
    if (!grad) return;
    ginv_op_adjoint(e->op, N, e->R, e->gx);         /* A^T (A x - y), or A^T of the link's gradient */
    ginv_net_backward(e->gb, e->wb, N, e->gx, e->gh, 0); /* J_G^b(h)^T: in h, in d */
    ginv_net_backward(e->ga, e->wa, N, e->gh, e->gu, 0); /* J_G^a(u)^T: in u */
}

/* Adam (Kingma & Ba 2015) step t (0-based) on x with gradient g. */
static void adam(float *x, const float *g, float *mom, float *vel, size_t n, double lr, int t)
{
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double c1 = 1.0 - pow(b1, t + 1), c2 = 1.0 - pow(b2, t + 1);
    for (size_t j = 0; j < n; j++) {
        mom[j] = (float)(b1 * mom[j] + (1 - b1) * g[j]);
        vel[j] = (float)(b2 * vel[j] + (1 - b2) * (double)g[j] * g[j]);
        x[j] -= (float)(lr * (mom[j] / c1) / (sqrt(vel[j] / c2) + eps));
    }
}

/* x_i <- c_i + P_{r B1}(x_i - c_i) for the N rows (c NULL: zero centre); an
 * entry the projection zeroes is c_j exactly. r = INFINITY: unchanged. */
static ginv_status project(float *x, const float *c, int N, int p, double r)
{
    if (isinf(r)) {
        for (size_t j = 0; j < (size_t)N * p; j++)
            if (!isfinite(x[j])) return GINV_ERR_NUMERIC;
        return GINV_OK;
    }
    for (int i = 0; i < N; i++) {
        float *xi = x + (size_t)i * p;
        const float *ci = c ? c + (size_t)i * p : NULL;
        if (ci)
            for (int j = 0; j < p; j++) xi[j] -= ci[j];
        ginv_status st = ginv_project_l1_ball(xi, p, r, NULL);
        if (st != GINV_OK) return st;
        if (ci)
            for (int j = 0; j < p; j++) xi[j] = xi[j] != 0 ? ci[j] + xi[j] : ci[j];
    }
    return GINV_OK;
}

ginv_status ginv_ilo_stage(ginv_ilo_eval *e, const ginv_ilo_stage_cfg *c, float *U, float *D,
                           double *fb)
{
    int N = e->N, p = e->p, pin = e->pin;
    size_t Nu = (size_t)N * pin, Nd = (size_t)N * p;
    float *u = ginv_malloc(Nu * sizeof(float)), *d = ginv_malloc(Nd * sizeof(float));
    float *mu = ginv_calloc(Nu, sizeof(float)), *vu = ginv_calloc(Nu, sizeof(float));
    float *md = ginv_calloc(Nd, sizeof(float)), *vd = ginv_calloc(Nd, sizeof(float));
    double *f = ginv_malloc((size_t)N * sizeof(double));
    ginv_status st = GINV_OK;
    if (!u || !d || !mu || !vu || !md || !vd || !f) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) {
        memcpy(u, U, Nu * sizeof(float));
        memcpy(d, D, Nd * sizeof(float));
        for (int i = 0; i < N; i++) fb[i] = INFINITY;
    }
    for (int t = 0; st == GINV_OK && t <= c->iters; t++) {
        if ((st = ginv_check_cancel("ILO")) != GINV_OK) break;
        ginv_ilo_eval_run(e, u, d, f, t < c->iters);
        for (int i = 0; i < N; i++)
            if (f[i] < fb[i]) { /* keep the best iterate, the start first */
                fb[i] = f[i];
                memcpy(U + (size_t)i * pin, u + (size_t)i * pin, (size_t)pin * sizeof(float));
                memcpy(D + (size_t)i * p, d + (size_t)i * p, (size_t)p * sizeof(float));
            }
        if (t == c->iters) break;
        adam(d, e->gh, md, vd, Nd, c->lr, t);
        st = project(d, NULL, N, p, c->rd);
        if (st == GINV_OK && !c->fix_u) {
            adam(u, e->gu, mu, vu, Nu, c->lr, t);
            for (size_t j = 0; j < Nu && st == GINV_OK; j++)
                if (!isfinite(u[j])) st = GINV_ERR_NUMERIC;
            if (st == GINV_OK && c->cu) st = project(u, c->cu, N, pin, c->ru);
        }
        if (st == GINV_ERR_NUMERIC)
            st = ginv_fail(GINV_ERR_NUMERIC, "ILO: the iterate became non-finite at step %d "
                                             "(lower lr)", t + 1);
    }
    ginv_free(u);
    ginv_free(d);
    ginv_free(mu);
    ginv_free(vu);
    ginv_free(md);
    ginv_free(vd);
    ginv_free(f);
    return st;
}
