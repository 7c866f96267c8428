/* landscape.c — the geometry of the noiseless empirical risk
 *     f(z) = 1/2 ||A G(z) - A G(z0)||^2          (Hand & Voroninski eq. 1)
 * on a concrete generator: f and grad f along the line t z0 and on a plane,
 * the negative-side stationary point near -rho_d z0 (Lemma 10), the Hessian
 * there by central differences of the gradient, and the basins of plain GD. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ginv_landscape {
    ginv_objective *obj;
    int k, cap;
    float *z0;      /* (k) */
    double nz0;     /* ||z0|| */
    float *zb;      /* (cap x k) scratch latents */
    float *gb;      /* (cap x k) scratch gradients */
    double *fb;     /* (cap) */
    ginv_ctx *ctx;  /* cancel and callbacks of the long calls, or NULL */
};

void ginv_landscape_set_ctx(ginv_landscape *ls, ginv_ctx *ctx)
{
    if (ls) ls->ctx = ctx;
}

/* One objective evaluation of a chunk, after the cancel check: every long
 * landscape call (line, ray, slope zero, Hessian, plane) is made of these. */
static ginv_status eval_chunk(ginv_landscape *ls, int nb, const float *z, double *f, float *grad)
{
    if (ls->ctx && ginv_ctx_cancelled(ls->ctx))
        return ginv_fail(GINV_ERR_CANCELLED, "landscape: cancelled");
    return ginv_objective_eval(ls->obj, nb, z, f, grad);
}

/* y = A G(z0) (eq. 1 with no noise) and the objective with lambda 0. */
ginv_status ginv_landscape_new(ginv_landscape **out, ginv_net *net, const ginv_op *op,
                               const float *z0, int batch)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(z0);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    if (batch < 1) return ginv_fail(GINV_ERR_ARG, "landscape batch %d must be >= 1", batch);
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE,
                         "the measurement operator takes signals of size %d but the generator "
                         "outputs %d", ginv_op_n(op), n);
    double nz = 0;
    for (int i = 0; i < k; i++) {
        if (!isfinite(z0[i])) return ginv_fail(GINV_ERR_NUMERIC, "z0[%d] is not finite", i);
        nz += (double)z0[i] * z0[i];
    }
    if (!(nz > 0)) return ginv_fail(GINV_ERR_ARG, "z0 must be nonzero");
    ginv_landscape *ls = ginv_calloc(1, sizeof *ls);
    if (!ls) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ls->k = k;
    ls->cap = batch;
    ls->nz0 = sqrt(nz);
    ls->z0 = ginv_malloc(sizeof(float) * k);
    ls->zb = ginv_malloc(sizeof(float) * (size_t)batch * k);
    ls->gb = ginv_malloc(sizeof(float) * (size_t)batch * k);
    ls->fb = ginv_malloc(sizeof(double) * (size_t)batch);
    float *y = ginv_malloc(sizeof(float) * (size_t)ginv_op_m(op));
    ginv_net_ws *ws = NULL;
    ginv_status st = GINV_OK;
    if (!ls->z0 || !ls->zb || !ls->gb || !ls->fb || !y)
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the landscape (batch %d)", batch);
    if (st == GINV_OK) st = ginv_net_ws_new(&ws, net, 1);
    if (st == GINV_OK) {
        memcpy(ls->z0, z0, sizeof(float) * k);
        const float *x0 = ginv_net_forward(net, ws, 1, z0);
        ginv_op_apply(op, 1, x0, y);
        st = ginv_objective_new(&ls->obj, net, op, y, 1, 0.0, batch);
    }
    ginv_net_ws_free(ws);
    ginv_free(y);
    if (st != GINV_OK) {
        ginv_landscape_free(ls);
        return st;
    }
    *out = ls;
    return GINV_OK;
}

void ginv_landscape_free(ginv_landscape *ls)
{
    if (!ls) return;
    ginv_objective_free(ls->obj);
    ginv_free(ls->z0);
    ginv_free(ls->zb);
    ginv_free(ls->gb);
    ginv_free(ls->fb);
    ginv_free(ls);
}

ginv_objective *ginv_landscape_objective(ginv_landscape *ls) { return ls->obj; }

/* f and eq. (4)'s gradient for any number of rows, cut into capacity chunks. */
ginv_status ginv_landscape_eval(ginv_landscape *ls, int B, const float *z, double *f,
                                float *grad)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(z);
    GINV_NONNULL(f);
    int k = ls->k;
    for (int b0 = 0; b0 < B; b0 += ls->cap) {
        int nb = B - b0 < ls->cap ? B - b0 : ls->cap;
        ginv_status st = eval_chunk(ls, nb, z + (size_t)b0 * k, f + b0,
                                             grad ? grad + (size_t)b0 * k : NULL);
        if (st != GINV_OK) return st;
    }
    return GINV_OK;
}

/* f, ||grad f|| and <grad f, z0>/||z0|| at t z0: the 1-D section of Lemma 10's
 * picture (zeros of the slope at t = 1 and near t = -rho_d). */
ginv_status ginv_landscape_line(ginv_landscape *ls, int nt, const double *t, double *f,
                                double *gnorm, double *slope)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(t);
    GINV_NONNULL(f);
    int k = ls->k;
    for (int b0 = 0; b0 < nt; b0 += ls->cap) {
        int nb = nt - b0 < ls->cap ? nt - b0 : ls->cap;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < k; i++) ls->zb[(size_t)b * k + i] = (float)(t[b0 + b] * ls->z0[i]);
        int want = gnorm || slope;
        ginv_status st = eval_chunk(ls, nb, ls->zb, f + b0, want ? ls->gb : NULL);
        if (st != GINV_OK) return st;
        for (int b = 0; want && b < nb; b++) {
            double gg = 0, gz = 0;
            for (int i = 0; i < k; i++) {
                double g = ls->gb[(size_t)b * k + i];
                gg += g * g;
                gz += g * ls->z0[i];
            }
            if (gnorm) gnorm[b0 + b] = sqrt(gg);
            if (slope) slope[b0 + b] = gz / ls->nz0;
        }
    }
    return GINV_OK;
}

/* Golden-section minimisation of t -> f(t z0) on [lo, hi] (the negative
 * stationary point of Lemma 10 lies on this ray for the expected f). */
ginv_status ginv_landscape_ray_min(ginv_landscape *ls, double lo, double hi, double *t_min,
                                   double *f_min)
{
    if (!(lo < hi)) return ginv_fail(GINV_ERR_ARG, "ray search needs lo < hi, got [%g, %g]", lo, hi);
    const double r = (sqrt(5.0) - 1) / 2;
    double a = lo, b = hi, c = b - r * (b - a), d = a + r * (b - a), fc, fd;
    ginv_status st;
    if ((st = ginv_landscape_line(ls, 1, &c, &fc, NULL, NULL)) != GINV_OK) return st;
    if ((st = ginv_landscape_line(ls, 1, &d, &fd, NULL, NULL)) != GINV_OK) return st;
    for (int it = 0; it < 200 && b - a > 1e-9 * (1 + fabs(a) + fabs(b)); it++) {
        if (fc <= fd) {
            b = d; d = c; fd = fc;
            c = b - r * (b - a);
            if ((st = ginv_landscape_line(ls, 1, &c, &fc, NULL, NULL)) != GINV_OK) return st;
        } else {
            a = c; c = d; fc = fd;
            d = a + r * (b - a);
            if ((st = ginv_landscape_line(ls, 1, &d, &fd, NULL, NULL)) != GINV_OK) return st;
        }
    }
    *t_min = fc <= fd ? c : d;
    *f_min = fc <= fd ? fc : fd;
    return GINV_OK;
}

/* Bisection for the zero of <grad f(t z0), z0>: where the finite-width
 * analogue of h_{x,x0} (eq. 29) has no component along z0. */
ginv_status ginv_landscape_slope_zero(ginv_landscape *ls, double lo, double hi, double *t_zero)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(t_zero);
    double f, sl, sh;
    ginv_status st;
    *t_zero = NAN;
    if ((st = ginv_landscape_line(ls, 1, &lo, &f, NULL, &sl)) != GINV_OK) return st;
    if ((st = ginv_landscape_line(ls, 1, &hi, &f, NULL, &sh)) != GINV_OK) return st;
    if (!(sl < 0 && sh > 0)) return GINV_OK;
    for (int it = 0; it < 200 && hi - lo > 1e-10 * (1 + fabs(lo) + fabs(hi)); it++) {
        double mid = 0.5 * (lo + hi), sm;
        if ((st = ginv_landscape_line(ls, 1, &mid, &f, NULL, &sm)) != GINV_OK) return st;
        if (sm < 0) lo = mid;
        else hi = mid;
    }
    *t_zero = 0.5 * (lo + hi);
    return GINV_OK;
}

/* H_ij = (d_i f(z + s e_j) - d_i f(z - s e_j)) / 2s: f is piecewise quadratic
 * (eq. 4's gradient is piecewise linear), so s sets which pieces are seen. */
ginv_status ginv_landscape_hessian(ginv_landscape *ls, const float *z, double step, double *H)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(z);
    GINV_NONNULL(H);
    int k = ls->k, B = 2 * k;
    if (!(step > 0) || !isfinite(step))
        return ginv_fail(GINV_ERR_ARG, "Hessian step %g must be positive", step);
    float *zz = ginv_malloc(sizeof(float) * (size_t)B * k);
    float *g = ginv_malloc(sizeof(float) * (size_t)B * k);
    double *f = ginv_malloc(sizeof(double) * B);
    double *hs = ginv_malloc(sizeof(double) * k);
    ginv_status st = GINV_OK;
    if (!zz || !g || !f || !hs) st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the Hessian");
    if (st == GINV_OK) {
        for (int j = 0; j < k; j++) {
            float *p = zz + (size_t)(2 * j) * k, *m = p + k;
            memcpy(p, z, sizeof(float) * k);
            memcpy(m, z, sizeof(float) * k);
            p[j] = (float)(z[j] + step);
            m[j] = (float)(z[j] - step);
            hs[j] = (double)p[j] - (double)m[j]; /* the step float32 actually took */
            if (!(hs[j] > 0)) {
                st = ginv_fail(GINV_ERR_ARG, "Hessian step %g is below float precision at z", step);
                break;
            }
        }
    }
    if (st == GINV_OK) st = ginv_landscape_eval(ls, B, zz, f, g);
    if (st == GINV_OK)
        for (int j = 0; j < k; j++)
            for (int i = 0; i < k; i++)
                H[(size_t)i * k + j] =
                    ((double)g[(size_t)(2 * j) * k + i] - g[(size_t)(2 * j + 1) * k + i]) / hs[j];
    ginv_free(zz);
    ginv_free(g);
    ginv_free(f);
    ginv_free(hs);
    return st;
}

/* Eigenvalues (ascending) of the symmetric part (H + H^T)/2 of a finite-
 * difference Hessian; the signs classify the stationary point (min: all > 0,
 * saddle: mixed). */
ginv_status ginv_landscape_eigvals(int k, const double *H, double *eig)
{
    if (k < 1) return ginv_fail(GINV_ERR_ARG, "matrix size %d must be >= 1", k);
    double *a = ginv_malloc(sizeof(double) * (size_t)k * k);
    if (!a) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) a[(size_t)i * k + j] = 0.5 * (H[(size_t)i * k + j] + H[(size_t)j * k + i]);
    ginv_status st = ginv_sym_eigvals(k, a, eig);
    ginv_free(a);
    return st;
}

/* Daras et al. (2022) App. B, Lemma B.6 (f 0.9-strongly convex in a ball of
 * radius l around x*), measured: the smallest Hessian eigenvalue at z0 and
 * at points uniform in the ball (direction Gaussian, radius R u^(1/k)). */
ginv_status ginv_landscape_hessian_ball(ginv_landscape *ls, double radius, int points, double step,
                                        uint64_t seed, ginv_landscape_convexity *out)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(out);
    if (points < 1 || !(radius >= 0) || !isfinite(radius))
        return ginv_fail(GINV_ERR_ARG, "Hessian ball needs points >= 1 and a radius >= 0 (points %d, radius %g)",
                         points, radius);
    int k = ls->k;
    double *H = ginv_malloc(sizeof(double) * (size_t)k * k), *eig = ginv_malloc(sizeof(double) * 2 * k);
    float *z = ginv_malloc(sizeof(float) * k);
    ginv_status st = !H || !eig || !z ? ginv_fail(GINV_ERR_NOMEM, "out of memory for the Hessian ball") : GINV_OK;
    double mn = INFINITY, sum = 0, pos = 0, *u = eig + k;
    for (int p = -1; p < points && st == GINV_OK; p++) { /* p = -1: z0 itself */
        memcpy(z, ls->z0, sizeof(float) * k);
        if (p >= 0) {
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_HESSIAN_BALL, (uint64_t)p);
            double nrm = 0;
            for (int i = 0; i < k; i++) {
                u[i] = ginv_rng_normal(&r);
                nrm += u[i] * u[i];
            }
            double rad = radius * pow(ginv_rng_uniform(&r), 1.0 / k) / sqrt(nrm);
            for (int i = 0; i < k; i++) z[i] = (float)(ls->z0[i] + rad * u[i]);
        }
        if ((st = ginv_landscape_hessian(ls, z, step, H)) != GINV_OK || (st = ginv_landscape_eigvals(k, H, eig)) != GINV_OK)
            break;
        if (p < 0) {
            out->at_z0 = eig[0];
            continue;
        }
        mn = fmin(mn, eig[0]);
        sum += eig[0];
        pos += eig[0] > 0;
    }
    if (st == GINV_OK) {
        out->min = mn;
        out->mean = sum / points;
        out->frac_positive = pos / points;
    }
    ginv_free(H);
    ginv_free(eig);
    ginv_free(z);
    return st;
}

/* A Gaussian direction with its z0 component removed, normalised: the second
 * axis of the plane through 0, z0 and -rho_d z0. */
ginv_status ginv_landscape_orth_dir(ginv_landscape *ls, uint64_t seed, float *dir)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(dir);
    int k = ls->k;
    if (k < 2) return ginv_fail(GINV_ERR_ARG, "a direction orthogonal to z0 needs k >= 2");
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_LANDSCAPE_DIR, 0);
    for (int attempt = 0; attempt < 100; attempt++) {
        double v[4096], dot = 0, nn = 0;
        double *d = k <= 4096 ? v : ginv_malloc(sizeof(double) * k);
        if (!d) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int i = 0; i < k; i++) {
            d[i] = ginv_rng_normal(&r);
            dot += d[i] * ls->z0[i];
        }
        dot /= ls->nz0 * ls->nz0;
        for (int i = 0; i < k; i++) {
            d[i] -= dot * ls->z0[i];
            nn += d[i] * d[i];
        }
        nn = sqrt(nn);
        if (nn > 1e-6) for (int i = 0; i < k; i++) dir[i] = (float)(d[i] / nn);
        if (d != v) ginv_free(d);
        if (nn > 1e-6) return GINV_OK;
    }
    return ginv_fail(GINV_ERR_NUMERIC, "could not draw a direction orthogonal to z0");
}

/* f on span{z0, dir}: the 2-D picture of Lemma 10 (basins of z0, -rho_d z0). */
ginv_status ginv_landscape_plane(ginv_landscape *ls, const float *dir, int nx, const double *xs,
                                 int ny, const double *ys, double *f)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(dir);
    GINV_NONNULL(xs);
    GINV_NONNULL(ys);
    GINV_NONNULL(f);
    int k = ls->k;
    long total = (long)nx * ny, done = 0;
    while (done < total) {
        int nb = total - done < ls->cap ? (int)(total - done) : ls->cap;
        for (int b = 0; b < nb; b++) {
            long idx = done + b;
            double a = xs[idx % nx], c = ys[idx / nx] * ls->nz0;
            for (int i = 0; i < k; i++)
                ls->zb[(size_t)b * k + i] = (float)(a * ls->z0[i] + c * dir[i]);
        }
        ginv_status st = eval_chunk(ls, nb, ls->zb, f + done, NULL);
        if (st != GINV_OK) return st;
        done += nb;
        ginv_progress("landscape plane", done, total);
    }
    return GINV_OK;
}

/* Plain GD (eq. 4's gradient) from n random starts, classified by where it
 * ends: near z0, near t_neg z0 (Lemma 10's second neighbourhood) or neither. */
ginv_status ginv_landscape_basins_run(ginv_landscape *ls, const ginv_solve_opts *o, int n,
                                      uint64_t seed, double t_neg, double radius,
                                      ginv_landscape_basins *res)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(o);
    GINV_NONNULL(res);
    int k = ls->k;
    memset(res, 0, sizeof *res);
    if (n < 1) return ginv_fail(GINV_ERR_ARG, "basins need >= 1 initialisation, got %d", n);
    float *z = ginv_malloc(sizeof(float) * (size_t)n * k);
    res->dist_pos = ginv_malloc(sizeof(double) * n);
    res->dist_neg = ginv_malloc(sizeof(double) * n);
    res->f = ginv_malloc(sizeof(double) * n);
    if (!z || !res->dist_pos || !res->dist_neg || !res->f) {
        ginv_free(z);
        ginv_landscape_basins_release(res);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d initialisations", n);
    }
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_INIT, 0);
    ginv_rng_normal_f32(&r, z, (size_t)n * k, ls->nz0 / sqrt((double)k));
    ginv_status st = GINV_OK;
    for (int b0 = 0; b0 < n && st == GINV_OK; b0 += ls->cap) {
        int nb = n - b0 < ls->cap ? n - b0 : ls->cap;
        ginv_solve_info info;
        memset(&info, 0, sizeof info);
        ginv_run_scope scope; /* the solver checks the context's cancel flag */
        ginv_run_enter(&scope, ls->ctx, 1);
        st = ginv_run_leave(&scope, ginv_solve(ls->obj, o, nb, z + (size_t)b0 * k, res->f + b0, &info));
    }
    for (int b = 0; b < n && st == GINV_OK; b++) {
        double dp = 0, dn = 0;
        for (int i = 0; i < k; i++) {
            double zi = z[(size_t)b * k + i];
            dp += (zi - ls->z0[i]) * (zi - ls->z0[i]);
            dn += (zi - t_neg * ls->z0[i]) * (zi - t_neg * ls->z0[i]);
        }
        res->dist_pos[b] = sqrt(dp) / ls->nz0;
        res->dist_neg[b] = sqrt(dn) / ls->nz0;
        if (res->dist_pos[b] <= radius) res->n_pos++;
        else if (isfinite(t_neg) && res->dist_neg[b] <= radius) res->n_neg++;
        else res->n_other++;
    }
    ginv_free(z);
    if (st != GINV_OK) ginv_landscape_basins_release(res);
    return st;
}

void ginv_landscape_basins_release(ginv_landscape_basins *res)
{
    if (!res) return;
    ginv_free(res->dist_pos);
    ginv_free(res->dist_neg);
    ginv_free(res->f);
    res->dist_pos = res->dist_neg = res->f = NULL;
}

ginv_status ginv_landscape_negative_point(ginv_landscape *ls, double range, ginv_landscape_negative *out)
{
    GINV_NONNULL(ls);
    GINV_NONNULL(out);
    if (!(range > 0) || !isfinite(range))
        return ginv_fail(GINV_ERR_ARG, "landscape: range %g must be positive", range);
    ginv_status st = ginv_landscape_ray_min(ls, -range, 0.0, &out->t_min, &out->f_min);
    if (st == GINV_OK) st = ginv_landscape_slope_zero(ls, -range, -1e-6 * range, &out->t_slope_zero);
    out->interior = st == GINV_OK && out->t_min > -range * (1 - 1e-6) && out->t_min < -1e-6 * range;
    return st;
}
