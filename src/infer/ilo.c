/* ilo.c — Intermediate Layer Optimization, MAP form (Daras, Dean, Jalal &
 * Dimakis 2021, as summarised in Daras et al. 2022 §2): CSGM in z, then
 * projected Adam on the intermediate representation h of G = G2 o G1 with
 * the deviation h - G1(z-hat) kept in an l1 ball. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <string.h>

void ginv_ilo_opts_init(ginv_ilo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->layer = 1;
    o->radius = 1.0;
    o->iters = 300;
    o->lr = 0.01;
    o->threads = 1;
    ginv_csgm_opts_init(&o->csgm);
}

/* f_i = ||A x_i - y_i||^2 for the N rows of x; R (N x m) gets A x - y. */
static void residual(const ginv_op *op, int N, const float *x, const float *Y, float *R, double *f)
{
    int m = ginv_op_m(op);
    ginv_op_apply(op, N, x, R);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < m; j++) {
            float d = R[(size_t)i * m + j] - Y[(size_t)i * m + j];
            R[(size_t)i * m + j] = d;
            s += (double)d * d;
        }
        f[i] = s;
    }
}

static ginv_status ilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                           const ginv_ilo_opts *o, float *Zout, float *Hout, float *Xout,
                           double *loss, double *loss_csgm, const float *X0, double *mse)
{
    if (ginv_net_nlayers(net) >= 2 && (o->layer < 1 || o->layer > ginv_net_nlayers(net) - 1))
        return ginv_fail(GINV_ERR_ARG, "parameter 'layer' is %d but must be in [1, %d]",
                         o->layer, ginv_net_nlayers(net) - 1);
    if (!(o->radius >= 0))
        return ginv_fail(GINV_ERR_ARG, "parameter 'radius' is %g but must be >= 0 (INFINITY: "
                                       "no constraint)", o->radius);
    if (o->iters < 0 || !(o->lr > 0) || !isfinite(o->lr))
        return ginv_fail(GINV_ERR_ARG, "ILO needs iters >= 0 (got %d) and a finite lr > 0 "
                                       "(got %g)", o->iters, o->lr);
    if (N < 0) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 0", N);
    ginv_net *g1 = NULL, *g2 = NULL;
    ginv_status st = ginv_net_split(net, o->layer, &g1, &g2);
    if (st != GINV_OK) return st;
    int k = ginv_net_in(net), n = ginv_net_out(net), m = ginv_op_m(op), p = ginv_net_out(g1);
    if (N == 0) {
        ginv_net_free(g1);
        ginv_net_free(g2);
        return ginv_op_n(op) == n ? GINV_OK
                                  : ginv_fail(GINV_ERR_SHAPE, "the operator takes %d values but "
                                              "the generator makes %d", ginv_op_n(op), n);
    }
    size_t Np = (size_t)N * p;
    float *Z = ginv_malloc((size_t)N * k * sizeof(float));
    float *h0 = ginv_malloc(Np * sizeof(float)), *h = ginv_malloc(Np * sizeof(float));
    float *hb = ginv_malloc(Np * sizeof(float)), *gh = ginv_malloc(Np * sizeof(float));
    float *mom = ginv_calloc(Np, sizeof(float)), *vel = ginv_calloc(Np, sizeof(float));
    float *R = ginv_malloc((size_t)N * m * sizeof(float)), *gx = ginv_malloc((size_t)N * n * sizeof(float));
    double *f = ginv_malloc((size_t)N * sizeof(double)), *fb = ginv_malloc((size_t)N * sizeof(double));
    ginv_net_ws *ws1 = NULL, *ws2 = NULL;
    if (!Z || !h0 || !h || !hb || !gh || !mom || !vel || !R || !gx || !f || !fb)
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    /* stage 1: CSGM (Bora et al. eq. 2) gives z-hat */
    ginv_csgm_opts co = o->csgm;
    co.ctx = NULL;
    co.threads = o->threads;
    if (st == GINV_OK) st = ginv_csgm_run(net, op, N, Y, &co, Z, NULL, NULL);
    if (st == GINV_OK) st = ginv_net_ws_new(&ws1, g1, N);
    if (st == GINV_OK) st = ginv_net_ws_new(&ws2, g2, N);
    if (st == GINV_OK) {
        memcpy(h0, ginv_net_forward(g1, ws1, N, Z), Np * sizeof(float));
        memcpy(h, h0, Np * sizeof(float));
        memcpy(hb, h0, Np * sizeof(float));
        for (int i = 0; i < N; i++) fb[i] = INFINITY;
    }
    /* stage 2: projected Adam on f(h) = 1/2 ||A G2(h) - y||^2,
     * h <- h0 + P_{r B1}(h - h0) after each step */
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (int t = 0; st == GINV_OK && t <= o->iters; t++) {
        if ((st = ginv_check_cancel("ILO")) != GINV_OK) break;
        const float *x = ginv_net_forward(g2, ws2, N, h);
        residual(op, N, x, Y, R, f);
        for (int i = 0; i < N; i++)
            if (f[i] < fb[i]) { /* keep the best iterate, h0 first */
                fb[i] = f[i];
                memcpy(hb + (size_t)i * p, h + (size_t)i * p, (size_t)p * sizeof(float));
            }
        if (t == o->iters) break;
        /* grad f = J_G2(h)^T A^T (A G2(h) - y) */
        ginv_op_adjoint(op, N, R, gx);
        ginv_net_backward(g2, ws2, N, gx, gh, 0);
        double c1 = 1.0 - pow(b1, t + 1), c2 = 1.0 - pow(b2, t + 1);
        for (size_t j = 0; j < Np; j++) {
            mom[j] = (float)(b1 * mom[j] + (1 - b1) * gh[j]);
            vel[j] = (float)(b2 * vel[j] + (1 - b2) * (double)gh[j] * gh[j]);
            h[j] -= (float)(o->lr * (mom[j] / c1) / (sqrt(vel[j] / c2) + eps));
        }
        for (int i = 0; i < N && st == GINV_OK; i++) {
            float *hi = h + (size_t)i * p;
            const float *h0i = h0 + (size_t)i * p;
            for (int j = 0; j < p; j++) hi[j] -= h0i[j];
            st = ginv_project_l1_ball(hi, p, o->radius, NULL);
            for (int j = 0; j < p; j++) hi[j] += h0i[j];
        }
        if (st == GINV_ERR_NUMERIC)
            st = ginv_fail(GINV_ERR_NUMERIC, "ILO: the intermediate representation became "
                                             "non-finite at step %d (lower lr)", t + 1);
    }
    if (st == GINV_OK) {
        const float *x = ginv_net_forward(g2, ws2, N, hb);
        if (Xout) memcpy(Xout, x, (size_t)N * n * sizeof(float));
        if (loss) memcpy(loss, fb, (size_t)N * sizeof(double));
        if (mse && X0)
            for (int i = 0; i < N; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    double d = (double)x[(size_t)i * n + j] - X0[(size_t)i * n + j];
                    s += d * d;
                }
                mse[i] = s / n;
            }
        if (Hout) memcpy(Hout, hb, Np * sizeof(float));
        if (Zout) memcpy(Zout, Z, (size_t)N * k * sizeof(float));
        if (loss_csgm) {
            x = ginv_net_forward(g2, ws2, N, h0); /* G(z-hat) */
            residual(op, N, x, Y, R, loss_csgm);
        }
    }
    ginv_net_ws_free(ws1);
    ginv_net_ws_free(ws2);
    ginv_net_free(g1);
    ginv_net_free(g2);
    ginv_free(Z);
    ginv_free(h0);
    ginv_free(h);
    ginv_free(hb);
    ginv_free(gh);
    ginv_free(mom);
    ginv_free(vel);
    ginv_free(R);
    ginv_free(gx);
    ginv_free(f);
    ginv_free(fb);
    return st;
}

ginv_status ginv_ilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                         const ginv_ilo_opts *o, float *Z, float *H, float *X, double *loss,
                         double *loss_csgm, const float *X0, double *mse)
{
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(Y);
    GINV_NONNULL(o);
    ginv_ilo_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, ilo_run(net, op, N, Y, &oc, Z, H, X, loss, loss_csgm, X0, mse));
}
