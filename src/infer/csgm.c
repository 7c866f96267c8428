/* csgm.c — compressed sensing with a generative model (Bora et al. 2017,
 * eq. (2)): per image, Adam on the latent from several random starts, all
 * images and restarts riding in one batch, the best restart kept. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <string.h>

void ginv_csgm_opts_init(ginv_csgm_opts *o)
{
    memset(o, 0, sizeof *o);
    o->restarts = 10;
    o->iters = 1000;
    o->lr = 0.01;
    o->lambda = 0.1;
    o->seed = 1;
    o->threads = 1;
    o->max_batch = 4096;
}

static ginv_status csgm_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                            const ginv_csgm_opts *o, float *Z, float *X, double *loss)
{
    int k = ginv_net_in(net), n = ginv_net_out(net), m = ginv_op_m(op), R = o->restarts;
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE, "the operator takes %d values but the generator makes "
                                         "%d", ginv_op_n(op), n);
    if (R < 1 || o->iters < 0 || !(o->lr > 0) || !(o->lambda >= 0) || N < 0)
        return ginv_fail(GINV_ERR_ARG, "CSGM needs restarts >= 1, iters >= 0, lr > 0 and "
                                       "lambda >= 0");
    for (size_t i = 0; i < (size_t)N * m; i++)
        if (!isfinite(Y[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "measurement %zu of image %zu is not finite",
                             i % m, i / m);
    int per = o->max_batch / R; /* images per batch */
    if (per < 1) per = 1;
    if (per > N) per = N;
    if (N == 0) return GINV_OK;
    int Bmax = per * R;
    ginv_blas_set_threads(o->threads);
    float *z = ginv_malloc((size_t)Bmax * k * sizeof(float));
    float *yb = ginv_malloc((size_t)Bmax * m * sizeof(float));
    double *f = ginv_malloc((size_t)Bmax * sizeof(double));
    ginv_net_ws *ws = NULL;
    ginv_status st = z && yb && f ? ginv_net_ws_new(&ws, net, per)
                                  : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    float *zbest = ginv_malloc((size_t)per * k * sizeof(float));
    if (st == GINV_OK && !zbest) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_adam;
    so.lr = o->lr;
    so.iters = o->iters;
    so.tol = 0;
    for (int i0 = 0; st == GINV_OK && i0 < N; i0 += per) {
        if ((st = ginv_check_cancel("CSGM")) != GINV_OK) break;
        int ni = N - i0 < per ? N - i0 : per, B = ni * R;
        for (int i = 0; i < ni; i++) {
            ginv_rng r;
            ginv_rng_init(&r, o->seed, GINV_STREAM_CSGM_INIT, o->first_index + (uint64_t)(i0 + i));
            ginv_rng_normal_f32(&r, z + (size_t)i * R * k, (size_t)R * k, 1.0);
            for (int j = 0; j < R; j++)
                memcpy(yb + ((size_t)i * R + j) * m, Y + (size_t)(i0 + i) * m,
                       m * sizeof(float));
        }
        ginv_objective *obj = NULL;
        /* f = 1/2 ||A G(z) - y||^2 + (lambda / 2) ||z||^2: half of eq. (2) */
        st = ginv_objective_new(&obj, net, op, yb, B, 0.5 * o->lambda, B);
        if (st == GINV_OK) st = ginv_solve(obj, &so, B, z, f, NULL);
        ginv_objective_free(obj);
        for (int i = 0; st == GINV_OK && i < ni; i++) {
            int best = 0;
            for (int j = 1; j < R; j++)
                if (f[i * R + j] < f[i * R + best]) best = j;
            memcpy(zbest + (size_t)i * k, z + ((size_t)i * R + best) * k, k * sizeof(float));
            if (loss) loss[i0 + i] = 2.0 * f[i * R + best];
        }
        if (st != GINV_OK) break;
        if (Z) memcpy(Z + (size_t)i0 * k, zbest, (size_t)ni * k * sizeof(float));
        if (X) {
            const float *x = ginv_net_forward(net, ws, ni, zbest);
            memcpy(X + (size_t)i0 * n, x, (size_t)ni * n * sizeof(float));
        }
        ginv_progress("CSGM", i0 + ni, N);
    }
    ginv_net_ws_free(ws);
    ginv_free(z);
    ginv_free(yb);
    ginv_free(f);
    ginv_free(zbest);
    return st;
}

ginv_status ginv_csgm_run(ginv_net *net, const ginv_op *op, int N, const float *Y,
                          const ginv_csgm_opts *o, float *Z, float *X, double *loss)
{
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(Y);
    GINV_NONNULL(o);
    ginv_csgm_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, csgm_run(net, op, N, Y, &oc, Z, X, loss));
}
