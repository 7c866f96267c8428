/* objective.c — the empirical risk of Hand & Voroninski eq. (1) with an
 * optional Gaussian-prior term, for a batch of latents:
 *     f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2,
 *     grad f(z) = J_G(z)^T A^T (A G(z) - y) + 2 lambda z      (eq. 4 when lambda = 0),
 * with the one-sided rule of eq. (5) at ReLU kinks when asked. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

struct ginv_objective {
    ginv_net *net;
    const ginv_op *op;
    ginv_net_ws *ws;
    int cap, ny, k, n, m;
    double lambda;
    float *y;        /* (ny, m) */
    float *r;        /* (cap, m)  residual A G(z) - y */
    float *dx;       /* (cap, n)  A^T r */
    double *meas;    /* (cap) 1/2 ||r||^2 */
    const float *x;  /* (cap, n)  G(z), inside ws */
};

ginv_status ginv_objective_new(ginv_objective **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double lambda, int B)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(y);
    int n = ginv_net_out(net), m = ginv_op_m(op);
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE,
                         "the measurement operator takes signals of size %d but the generator "
                         "outputs %d",
                         ginv_op_n(op), n);
    if (ny != 1 && ny != B)
        return ginv_fail(GINV_ERR_SHAPE, "measurements have %d rows; expected 1 or %d", ny, B);
    if (!(lambda >= 0) || !isfinite(lambda))
        return ginv_fail(GINV_ERR_ARG, "lambda %g must be finite and >= 0", lambda);
    for (size_t i = 0; i < (size_t)ny * m; i++)
        if (!isfinite(y[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "measurement %zu is not finite", i);
    ginv_objective *o = ginv_calloc(1, sizeof *o);
    if (!o) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    o->net = net;
    o->op = op;
    o->cap = B;
    o->ny = ny;
    o->k = ginv_net_in(net);
    o->n = n;
    o->m = m;
    o->lambda = lambda;
    o->y = ginv_malloc((size_t)ny * m * sizeof(float));
    o->r = ginv_malloc((size_t)B * m * sizeof(float));
    o->dx = ginv_malloc((size_t)B * n * sizeof(float));
    o->meas = ginv_calloc((size_t)B, sizeof(double));
    ginv_status st = ginv_net_ws_new(&o->ws, net, B);
    if (st == GINV_OK && (!o->y || !o->r || !o->dx || !o->meas))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the objective (batch %d)", B);
    if (st != GINV_OK) {
        ginv_objective_free(o);
        return st;
    }
    memcpy(o->y, y, (size_t)ny * m * sizeof(float));
    *out = o;
    return GINV_OK;
}

void ginv_objective_free(ginv_objective *o)
{
    if (!o) return;
    ginv_net_ws_free(o->ws);
    ginv_free(o->y);
    ginv_free(o->r);
    ginv_free(o->dx);
    ginv_free(o->meas);
    ginv_free(o);
}

void ginv_objective_set_kink(ginv_objective *o, ginv_kink_rule rule, const float *w)
{
    ginv_net_ws_set_kink(o->ws, rule, w);
}

ginv_status ginv_objective_eval(ginv_objective *o, int B, const float *z, double *f, float *grad)
{
    GINV_NONNULL(o);
    GINV_NONNULL(z);
    GINV_NONNULL(f);
    if (B < 1 || B > o->cap)
        return ginv_fail(GINV_ERR_ARG, "batch %d outside the objective's capacity %d", B, o->cap);
    int m = o->m, k = o->k;
    o->x = ginv_net_forward(o->net, o->ws, B, z);
    ginv_op_apply(o->op, B, o->x, o->r);
    for (int b = 0; b < B; b++) {
        float *r = o->r + (size_t)b * m;
        const float *y = o->y + (o->ny == 1 ? 0 : (size_t)b * m);
        double acc = 0;
        for (int i = 0; i < m; i++) {
            r[i] -= y[i];
            acc += (double)r[i] * r[i];
        }
        double zz = 0;
        const float *zb = z + (size_t)b * k;
        for (int i = 0; i < k; i++) zz += (double)zb[i] * zb[i];
        o->meas[b] = 0.5 * acc;
        f[b] = 0.5 * acc + o->lambda * zz;
    }
    if (!grad) return GINV_OK;
    ginv_op_adjoint(o->op, B, o->r, o->dx);
    ginv_net_backward(o->net, o->ws, B, o->dx, grad, 0);
    if (o->lambda > 0) {
        float c = (float)(2.0 * o->lambda);
        for (size_t i = 0; i < (size_t)B * k; i++) grad[i] += c * z[i];
    }
    return GINV_OK;
}

const double *ginv_objective_meas_loss(const ginv_objective *o) { return o->meas; }
const float *ginv_objective_signal(const ginv_objective *o) { return o->x; }
int ginv_objective_k(const ginv_objective *o) { return o->k; }
