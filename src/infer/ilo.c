/* ilo.c — Intermediate Layer Optimization, MAP form (Daras, Dean, Jalal &
 * Dimakis 2021, as summarised in Daras et al. 2022 §2, Fig. 2): CSGM in z,
 * then S stages at split layers L_1 < ... < L_S, stage s a projected Adam on
 * (u_s, d_s) with h = G_s^a(u_s) + d_s (src/infer/ilo_stage.c); the sets
 * each stage searches are in include/ginv/infer.h and docs/ilo.md. */
#include "infer/ilo_internal.h"
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

/* The stages of o (nstages 0: the one of layer, radius, iters) into L, r, T
 * and their count into *S, checked against a net of nl layers. */
static ginv_status stages(const ginv_ilo_opts *o, int nl, int *S, int *L, double *r, int *T)
{
    if (o->nstages < 0 || o->nstages > GINV_ILO_MAXSTAGES)
        return ginv_fail(GINV_ERR_ARG, "parameter 'nstages' is %d but must be in [0, %d]",
                         o->nstages, GINV_ILO_MAXSTAGES);
    *S = o->nstages ? o->nstages : 1;
    for (int s = 0; s < *S; s++) {
        L[s] = o->nstages ? o->layers[s] : o->layer;
        r[s] = o->nstages ? o->radii[s] : o->radius;
        T[s] = o->nstages ? o->stage_iters[s] : o->iters;
        if (nl < 2)
            return ginv_fail(GINV_ERR_ARG, "parameter 'layer': a net of %d layer cannot be "
                                           "split (it needs at least 2)", nl);
        if (L[s] < 1 || L[s] > nl - 1)
            return ginv_fail(GINV_ERR_ARG, "parameter 'layer' is %d but must be in [1, %d] (the "
                                           "split comes before that layer; %d is the output)",
                             L[s], nl - 1, nl);
        if (s > 0 && L[s] <= L[s - 1])
            return ginv_fail(GINV_ERR_ARG, "parameter 'layer': the layers must increase (stage "
                                           "%d at %d after %d)", s + 1, L[s], L[s - 1]);
        if (!(r[s] >= 0))
            return ginv_fail(GINV_ERR_ARG, "parameter 'radius' is %g (stage %d) but must be >= 0 "
                                           "(INFINITY: no constraint)", r[s], s + 1);
        if (T[s] < 0)
            return ginv_fail(GINV_ERR_ARG, "parameter 'iters' is %d (stage %d) but must be >= 0",
                             T[s], s + 1);
    }
    if (!(o->lr > 0) || !isfinite(o->lr))
        return ginv_fail(GINV_ERR_ARG, "parameter 'lr' is %g but must be finite and > 0", o->lr);
    return GINV_OK;
}

/* f_i = ||G(Z_i) measured - y_i||^2: CSGM's measurement loss. */
static ginv_status csgm_loss(ginv_net *net, const ginv_op *op, int N, const float *Y,
                             const float *Z, double *f)
{
    int m = ginv_op_m(op);
    ginv_net_ws *ws = NULL;
    float *R = ginv_malloc((size_t)N * m * sizeof(float));
    ginv_status st = R ? ginv_net_ws_new(&ws, net, N) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) {
        ginv_op_apply(op, N, ginv_net_forward(net, ws, N, Z), R);
        for (int i = 0; i < N; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                float d = R[(size_t)i * m + j] - Y[(size_t)i * m + j];
                s += (double)d * d;
            }
            f[i] = s;
        }
    }
    ginv_net_ws_free(ws);
    ginv_free(R);
    return st;
}

/* The outputs from the last stage's evaluation at the kept iterate. */
static void outputs(const ginv_ilo_eval *e, const double *fb, float *Hout, float *Xout,
                    double *loss, const float *X0, double *mse)
{
    int N = e->N, n = e->n;
    if (Hout) memcpy(Hout, e->H, (size_t)N * e->p * sizeof(float));
    if (Xout) memcpy(Xout, e->x, (size_t)N * n * sizeof(float));
    if (loss) memcpy(loss, fb, (size_t)N * sizeof(double));
    if (mse && X0)
        for (int i = 0; i < N; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                double d = (double)e->x[(size_t)i * n + j] - X0[(size_t)i * n + j];
                s += d * d;
            }
            mse[i] = s / n;
        }
}

static ginv_status ilo_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                           const ginv_ilo_opts *o, float *Zout, float *Hout, float *Xout,
                           double *loss, double *loss_csgm, const float *X0, double *mse)
{
    int S = 1, L[GINV_ILO_MAXSTAGES], T[GINV_ILO_MAXSTAGES];
    double r[GINV_ILO_MAXSTAGES];
    ginv_status st = stages(o, ginv_net_nlayers(net), &S, L, r, T);
    if (st != GINV_OK) return st;
    if (N < 0) return ginv_fail(GINV_ERR_ARG, "parameter 'N' is %d but must be >= 0", N);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE, "the operator takes %d values but the generator makes "
                                         "%d", ginv_op_n(op), n);
    if (N == 0) return GINV_OK;
    /* stage 0: CSGM (Bora et al. eq. 2) gives z-hat */
    float *U = ginv_malloc((size_t)N * k * sizeof(float)), *D = NULL, *C = NULL;
    double *fb = ginv_malloc((size_t)N * sizeof(double));
    if (!U || !fb) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_csgm_opts co = o->csgm;
    co.ctx = NULL;
    co.threads = o->threads;
    if (st == GINV_OK) st = ginv_csgm_run(net, op, N, Y, &co, U, NULL, NULL);
    if (st == GINV_OK && loss_csgm) st = csgm_loss(net, op, N, Y, U, loss_csgm);
    for (int s = 0; st == GINV_OK && s < S; s++) {
        ginv_ilo_eval e;
        if ((st = ginv_ilo_eval_new(&e, net, s ? L[s - 1] : 0, L[s], op, N, Y)) != GINV_OK) break;
        D = ginv_calloc((size_t)N * e.p, sizeof(float));
        if (!D) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        /* u_1 = z free; u_s (s >= 2) kept in c_{s-1} + r_{s-1} B1 */
        ginv_ilo_stage_cfg c = {.rd = r[s], .cu = s ? C : NULL, .ru = s ? r[s - 1] : INFINITY,
                                .fix_u = o->fix_z, .iters = T[s], .lr = o->lr};
        if (st == GINV_OK) st = ginv_ilo_stage(&e, &c, U, D, fb);
        if (st == GINV_OK) {
            if (s == 0 && Zout) memcpy(Zout, U, (size_t)N * k * sizeof(float));
            if (o->stage_u[s]) memcpy(o->stage_u[s], U, (size_t)N * e.pin * sizeof(float));
            double *f = ginv_malloc((size_t)N * sizeof(double));
            float *C2 = ginv_malloc((size_t)N * e.p * sizeof(float));
            float *U2 = ginv_malloc((size_t)N * e.p * sizeof(float));
            if (f && C2 && U2) {
                ginv_ilo_eval_run(&e, U, D, f, 0); /* the kept iterate: f == fb */
                memcpy(C2, e.a, (size_t)N * e.p * sizeof(float)); /* c_s = G_s^a(u_s-hat) */
                memcpy(U2, e.H, (size_t)N * e.p * sizeof(float)); /* u_{s+1} starts at h_s-hat */
                if (s == S - 1) outputs(&e, fb, Hout, Xout, loss, X0, mse);
            } else {
                st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
            }
            ginv_free(f);
            ginv_free(C);
            ginv_free(U);
            C = C2, U = U2;
        }
        ginv_free(D);
        D = NULL;
        ginv_ilo_eval_free(&e);
    }
    ginv_free(U);
    ginv_free(C);
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
    if (ginv_op_link(op) == GINV_LINK_SIGN)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "ILO compares values or magnitudes; the operator '%s' measures "
                         "signs (1-bit): use csgm", ginv_op_name(op));
    ginv_ilo_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, ilo_run(net, op, N, Y, &oc, Z, H, X, loss, loss_csgm, X0, mse));
}
