/* lasso.c — the sparse-recovery baseline of compressed sensing: for each of
 * N images (one shared operator A, orthonormal basis Psi),
 *     minimise over c   1/2 ||y - A Psi c||^2 + lambda ||c||_1,   x = Psi c,
 * by FISTA (Beck & Teboulle 2009): with L = ||A Psi||^2 = ||A||^2,
 *     c_k     = soft(z_k - (1/L) Psi^T A^T (A Psi z_k - y), lambda/L),
 *     t_{k+1} = (1 + sqrt(1 + 4 t_k^2)) / 2,
 *     z_{k+1} = c_k + ((t_k - 1)/t_{k+1}) (c_k - c_{k-1}),
 * soft(v, a) = sign(v) max(|v| - a, 0). Each image keeps its own t, reset
 * to 1 (z = c_k) when the momentum points uphill, <z_k - c_k, c_k - c_{k-1}>
 * > 0 (O'Donoghue & Candes 2015's adaptive restart). L comes from power
 * iteration (a lower bound), multiplied by a safety factor. All N images
 * move together: one batched synthesis, A, A^T and analysis per step. */
#include "ginv.h"

#include <math.h>
#include <string.h>

void ginv_lasso_opts_init(ginv_lasso_opts *o)
{
    memset(o, 0, sizeof *o);
    o->lambda = 0.01;
    o->iters = 500;
    o->tol = 1e-5;
    o->clip = 1;
    o->restart = 1;
    o->power_iters = 100;
    o->safety = 1.1;
}

static ginv_status check_args(const ginv_op *op, int h, int w, int N, const float *Y,
                              const ginv_lasso_opts *o, const void *X)
{
    if (!op || !Y || !o || !X)
        return ginv_fail(GINV_ERR_ARG, "ginv_lasso_run: op, Y, opts and X must not be NULL");
    if (h < 1 || w < 1 || (long long)h * w != ginv_op_n(op))
        return ginv_fail(GINV_ERR_SHAPE, "ginv_lasso_run: images of %d x %d do not match the "
                         "operator's %d signal coordinates", h, w, ginv_op_n(op));
    if (N < 1) return ginv_fail(GINV_ERR_ARG, "ginv_lasso_run: N = %d; need at least 1 image", N);
    if (!(o->lambda >= 0) || !isfinite(o->lambda))
        return ginv_fail(GINV_ERR_ARG, "ginv_lasso_run: lambda = %g; it must be finite and >= 0",
                         o->lambda);
    if (o->iters < 1 || o->power_iters < 1 || !(o->safety >= 1) || !(o->tol >= 0))
        return ginv_fail(GINV_ERR_ARG, "ginv_lasso_run: iters (%d) and power_iters (%d) must be "
                         ">= 1, safety (%g) >= 1, tol (%g) >= 0", o->iters, o->power_iters,
                         o->safety, o->tol);
    size_t my = (size_t)N * (size_t)ginv_op_m(op);
    for (size_t i = 0; i < my; i++)
        if (!isfinite(Y[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "ginv_lasso_run: measurement %zu of image %zu is %g; "
                             "Y must be finite", i % (size_t)ginv_op_m(op),
                             i / (size_t)ginv_op_m(op), Y[i]);
    return GINV_OK;
}

ginv_status ginv_lasso_run_ex(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                              const float *Y /* (N, m) */, const ginv_lasso_opts *o,
                              float *X /* (N, n) */, float *C /* (N, n) or NULL */,
                              ginv_lasso_info *info)
{
    ginv_status st = check_args(op, h, w, N, Y, o, X);
    if (st) return st;
    size_t n = (size_t)h * w, m = (size_t)ginv_op_m(op), Nn = (size_t)N * n;
    double L;
    if ((st = ginv_op_sqnorm(op, o->power_iters, &L))) return st;
    if (info) {
        info->iters = 0;
        info->converged = 0;
        info->L = L;
    }
    if (!(L > 0)) { /* A = 0: y carries nothing, c = 0 minimises */
        memset(X, 0, Nn * sizeof(float));
        if (C) memset(C, 0, Nn * sizeof(float));
        return GINV_OK;
    }
    double step = 1.0 / (o->safety * L), thr = o->lambda * step;
    float *c = ginv_calloc(Nn, sizeof(float));      /* (N, n) c_k */
    float *z = ginv_calloc(Nn, sizeof(float));      /* (N, n) extrapolated point */
    float *x = ginv_malloc(Nn * sizeof(float));     /* (N, n) Psi z, then A^T r */
    float *g = ginv_malloc(Nn * sizeof(float));     /* (N, n) Psi^T A^T r */
    float *r = ginv_malloc((size_t)N * m * sizeof(float)); /* (N, m) A Psi z - y */
    double *t = ginv_malloc((size_t)N * sizeof(double));
    if (!c || !z || !x || !g || !r || !t) {
        st = ginv_fail(GINV_ERR_NOMEM, "ginv_lasso_run: cannot allocate the work arrays for %d "
                       "images of %d x %d", N, h, w);
        goto done;
    }
    for (int b = 0; b < N; b++) t[b] = 1;
    int it = 0, converged = 0;
    for (it = 1; it <= o->iters; it++) {
        if ((st = ginv_basis_synthesize(basis, h, w, N, z, x))) goto done;
        ginv_op_apply(op, N, x, r);
        for (size_t i = 0; i < (size_t)N * m; i++) r[i] -= Y[i];
        ginv_op_adjoint(op, N, r, x);
        if ((st = ginv_basis_analyze(basis, h, w, N, x, g))) goto done;
        int all_small = 1;
        for (int b = 0; b < N; b++) {
            float *cb = c + (size_t)b * n, *zb = z + (size_t)b * n;
            const float *gb = g + (size_t)b * n;
            double dd = 0, cc = 0, up = 0;
            /* x's row b is free now: keep c_{k-1} there while updating */
            float *prev = x + (size_t)b * n;
            memcpy(prev, cb, n * sizeof(float));
            for (size_t j = 0; j < n; j++) {
                double v = (double)zb[j] - step * gb[j];
                double cj = v > thr ? v - thr : v < -thr ? v + thr : 0.0;
                double d = cj - prev[j];
                dd += d * d;
                cc += (double)prev[j] * prev[j];
                up += ((double)zb[j] - cj) * d;
                cb[j] = (float)cj;
            }
            if (!isfinite(dd)) {
                st = ginv_fail(GINV_ERR_NUMERIC, "ginv_lasso_run: image %d diverged at iteration "
                               "%d (non-finite coefficients)", b, it);
                goto done;
            }
            double tn;
            if (o->restart && up > 0) { /* momentum uphill: restart from c_k */
                t[b] = 1;
                tn = 1;
            } else tn = 0.5 * (1 + sqrt(1 + 4 * t[b] * t[b]));
            double beta = (t[b] - 1) / tn;
            for (size_t j = 0; j < n; j++) zb[j] = (float)(cb[j] + beta * ((double)cb[j] - prev[j]));
            t[b] = tn;
            if (!(dd <= o->tol * o->tol * cc) || (dd > 0 && cc == 0)) all_small = 0;
        }
        if (o->tol > 0 && all_small) {
            converged = 1;
            break;
        }
    }
    if (it > o->iters) it = o->iters;
    if ((st = ginv_basis_synthesize(basis, h, w, N, c, X))) goto done;
    if (o->clip)
        for (size_t i = 0; i < Nn; i++) X[i] = X[i] < 0 ? 0.0f : X[i] > 1 ? 1.0f : X[i];
    if (C) memcpy(C, c, Nn * sizeof(float));
    if (info) {
        info->iters = it;
        info->converged = converged;
    }
done:
    ginv_free(c);
    ginv_free(z);
    ginv_free(x);
    ginv_free(g);
    ginv_free(r);
    ginv_free(t);
    return st;
}

ginv_status ginv_lasso_run(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                           const float *Y, const ginv_lasso_opts *o, float *X)
{
    return ginv_lasso_run_ex(op, basis, h, w, N, Y, o, X, NULL, NULL);
}

ginv_status ginv_lasso_tune(const ginv_op *op, ginv_basis basis, int h, int w, int N,
                            const float *X_true /* (N, n) */, const float *Y /* (N, m) */,
                            const double *lambdas, int nl, const ginv_lasso_opts *o,
                            double *best_lambda, double *mse_per_lambda /* (nl) or NULL */)
{
    if (!lambdas || nl < 1 || !best_lambda || !X_true || !o)
        return ginv_fail(GINV_ERR_ARG, "ginv_lasso_tune: give X_true, opts, best_lambda and at "
                         "least one lambda");
    if (!op || h < 1 || w < 1 || N < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_lasso_tune: op, h, w and N must be valid");
    size_t Nn = (size_t)N * h * w;
    float *X = ginv_malloc(Nn * sizeof(float));
    if (!X) return ginv_fail(GINV_ERR_NOMEM, "ginv_lasso_tune: out of memory");
    ginv_lasso_opts oo = *o;
    double best = INFINITY;
    ginv_status st = GINV_OK;
    *best_lambda = NAN;
    for (int k = 0; k < nl; k++) {
        oo.lambda = lambdas[k];
        if ((st = ginv_lasso_run(op, basis, h, w, N, Y, &oo, X))) {
            st = ginv_fail(st, "ginv_lasso_tune: lambda = %g: %s", lambdas[k], ginv_last_error());
            break;
        }
        double se = 0;
        for (size_t i = 0; i < Nn; i++) se += ((double)X[i] - X_true[i]) * ((double)X[i] - X_true[i]);
        double mse = se / (double)Nn;
        if (mse_per_lambda) mse_per_lambda[k] = mse;
        if (mse < best) { /* ties keep the first (list lambdas from large to small to prefer sparser) */
            best = mse;
            *best_lambda = lambdas[k];
        }
    }
    ginv_free(X);
    return st;
}
