/* objective.c — the empirical risk of Hand & Voroninski eq. (1) with an
 * optional Gaussian-prior term, for a batch of latents:
 *     f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2,
 *     grad f(z) = J_G(z)^T A^T (A G(z) - y) + 2 lambda z      (eq. 4 when lambda = 0),
 * with the one-sided rule of eq. (5) at ReLU kinks when asked. The
 * measurement term follows the operator's link (x = G(z), u = A x, s = ||x||):
 *   ABS (phaseless): 1/2 || |u| - y ||^2 (Hand, Leong & Voroninski 2018,
 *       eq. 2), d/du = sign(u) (|u| - y), sign(0) = 0;
 *   CABS (phaseless Fourier): the same amplitude loss on the complex moduli
 *       rho_i = sqrt((u_i^2 + u_p(i)^2) / 2) (ginv/measure.h), 1/2 sum_i
 *       (rho_i - y_i)^2; rho_i = rho_p(i), so d/du_i = u_i (1 - (y_i +
 *       y_p(i)) / (2 rho_i)), 0 at rho_i = 0;
 *   SIGN, ONESIDED: 1/2 sum max(0, v_i)^2 with v_i = -y_i u_i / s;
 *       d/du = -y max(0, v) / s, d/dx adds -(2 f / s^2) x (the norm's part);
 *   SIGN, CORR: 1 - <y, u> / (s c), c = ||A^T y||;
 *       d/du = -y / (s c), d/dx adds (<y, u> / (s^3 c)) x.
 * The samplers replace the 1-bit loss by the probit likelihood
 * (objective_internal.h). At x = 0 the 1-bit losses have no direction: ONESIDED takes 1/4 (its mean
 * over random directions), CORR 1, both with zero gradient. */
#include "ginv.h"
#include "base/check_internal.h"
#include "infer/objective_internal.h"

#include <math.h>
#include <string.h>

struct ginv_objective {
    ginv_net *net;
    const ginv_op *op;
    ginv_net_ws *ws;
    int cap, ny, k, n, m;
    double lambda;
    int link;        /* the operator's ginv_link */
    int loss;        /* SIGN: its ginv_onebit_loss */
    double *aty;     /* SIGN, CORR: (ny) ||A^T y|| */
    double *coef;    /* (cap) the norm's part of d/dx: dx += coef x */
    double probit;   /* SIGN: > 0, the probit likelihood's sigma instead of the loss */
    float *y;        /* (ny, m) */
    float *r;        /* (cap, m)  residual A G(z) - y */
    float *dx;       /* (cap, n)  A^T r */
    double *meas;    /* (cap) 1/2 ||r||^2 */
    const int *pair; /* CABS: (m) the op's partner indices p(i) */
    const float *x;  /* (cap, n)  G(z), inside ws */
    const int *rows; /* NULL, or (B) the measurement row of each batch row (ny > 1) */
};

/* The measurement row batch row b reads: 0 when y is shared, else b, or
 * rows[b] while ginv_objective_set_rows holds a map. */
static size_t yrow(const ginv_objective *o, int b)
{
    return o->ny == 1 ? 0 : o->rows ? (size_t)o->rows[b] : (size_t)b;
}

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
    ginv_status cst = ginv_op_check_y(op, y, (size_t)ny * m);
    if (cst != GINV_OK) return cst;
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
    o->coef = ginv_calloc((size_t)B, sizeof(double));
    o->aty = ginv_calloc((size_t)ny, sizeof(double));
    o->link = (int)ginv_op_link(op);
    o->loss = (int)ginv_op_onebit_loss(op);
    o->pair = ginv_op_link_pairs(op);
    ginv_status st = ginv_net_ws_new(&o->ws, net, B);
    if (st == GINV_OK && (!o->y || !o->r || !o->dx || !o->meas || !o->coef || !o->aty))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the objective (batch %d)", B);
    if (st == GINV_OK && o->link == GINV_LINK_SIGN && o->loss == GINV_ONEBIT_CORR) {
        float *t = ginv_malloc((size_t)n * sizeof(float));
        if (!t) st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the objective");
        for (int j = 0; t && j < ny; j++) {
            ginv_op_adjoint(op, 1, y + (size_t)j * m, t);
            double q = 0;
            for (int i = 0; i < n; i++) q += (double)t[i] * t[i];
            o->aty[j] = sqrt(q);
        }
        ginv_free(t);
    }
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
    ginv_free(o->coef);
    ginv_free(o->aty);
    ginv_free(o);
}

void ginv_objective_set_kink(ginv_objective *o, ginv_kink_rule rule, const float *w)
{
    ginv_net_ws_set_kink(o->ws, rule, w);
}

double ginv_link_amplitude_loss(int link, const int *pair, int m, float *r, const float *y)
{
    double acc = 0;
    if (link == GINV_LINK_LINEAR) {
        for (int i = 0; i < m; i++) {
            r[i] -= y[i];
            acc += (double)r[i] * r[i];
        }
        return 0.5 * acc;
    }
    if (link == GINV_LINK_ABS) {
        for (int i = 0; i < m; i++) {
            float u = r[i], d = fabsf(u) - y[i];
            acc += (double)d * d;
            r[i] = u > 0 ? d : u < 0 ? -d : 0.0f; /* sign(u) (|u| - y), 0 at u = 0 */
        }
        return 0.5 * acc;
    }
    /* CABS: each pair once, both its terms */
    for (int i = 0; i < m; i++) {
        int j = pair[i];
        if (j < i) continue;
        double ui = r[i], uj = r[j], rho = sqrt((ui * ui + uj * uj) / 2);
        double di = rho - y[i], dj = rho - y[j];
        acc += j == i ? di * di : di * di + dj * dj;
        double g = rho > 0 ? 1 - (y[i] + y[j]) / (2 * rho) : 0;
        r[i] = (float)(ui * g);
        r[j] = (float)(uj * g);
    }
    return 0.5 * acc;
}

/* Row b's measurement loss from u = A x (in r, overwritten with d loss / du)
 * and y; for SIGN also o->coef[b], the norm's part of d loss / dx. */
static double measurement_loss(ginv_objective *o, int b, float *r, const float *y)
{
    int m = o->m;
    double acc = 0;
    o->coef[b] = 0;
    if (o->link != GINV_LINK_SIGN) return ginv_link_amplitude_loss(o->link, o->pair, m, r, y);
    if (o->probit > 0) { /* the samplers' probit likelihood, times sigma^2 */
        double sg = o->probit, s2 = sg * sg;
        for (int i = 0; i < m; i++) {
            double t = (double)y[i] * r[i] / sg, nlp, ratio; /* -log Phi(t), phi(t)/Phi(t) */
            if (t > -30) {
                double Phi = 0.5 * erfc(-t / sqrt(2.0));
                nlp = -log(Phi);
                ratio = exp(-0.5 * t * t - 0.5 * log(2 * M_PI)) / Phi;
            } else { /* the tail: Phi(t) ~ phi(t) / -t (1 - 1/t^2) */
                nlp = 0.5 * t * t + log(-t) + 0.5 * log(2 * M_PI) - log1p(-1.0 / (t * t));
                ratio = -t / (1.0 - 1.0 / (t * t));
            }
            acc += nlp;
            r[i] = (float)(-sg * y[i] * ratio);
        }
        return s2 * acc;
    }
    /* SIGN: scale-invariant losses of x / ||x|| */
    const float *x = o->x + (size_t)b * o->n;
    double ss = 0;
    for (int i = 0; i < o->n; i++) ss += (double)x[i] * x[i];
    double s = sqrt(ss);
    if (!(s > 0)) {
        memset(r, 0, (size_t)m * sizeof(float));
        return o->loss == GINV_ONEBIT_CORR ? 1.0 : 0.25;
    }
    if (o->loss == GINV_ONEBIT_CORR) {
        double c = o->aty[yrow(o, b)], p = 0;
        if (!(c > 0)) { /* A^T y = 0: no direction to correlate with */
            memset(r, 0, (size_t)m * sizeof(float));
            return 1.0;
        }
        for (int i = 0; i < m; i++) {
            p += (double)y[i] * r[i];
            r[i] = (float)(-y[i] / (s * c));
        }
        o->coef[b] = p / (ss * s * c);
        return 1.0 - p / (s * c);
    }
    for (int i = 0; i < m; i++) {
        double v = -(double)y[i] * r[i] / s;
        double h = v > 0 ? v : 0;
        acc += h * h;
        r[i] = (float)(-y[i] * h / s);
    }
    o->coef[b] = -acc / ss; /* -(2 f / s^2) with f = acc / 2 */
    return 0.5 * acc;
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
        const float *y = o->y + yrow(o, b) * m;
        double loss = measurement_loss(o, b, r, y);
        double zz = 0;
        const float *zb = z + (size_t)b * k;
        for (int i = 0; i < k; i++) zz += (double)zb[i] * zb[i];
        o->meas[b] = loss;
        f[b] = loss + o->lambda * zz;
    }
    if (!grad) return GINV_OK;
    ginv_op_adjoint(o->op, B, o->r, o->dx);
    if (o->link == GINV_LINK_SIGN) /* the part through s = ||x|| */
        for (int b = 0; b < B; b++) {
            float c = (float)o->coef[b], *dx = o->dx + (size_t)b * o->n;
            const float *x = o->x + (size_t)b * o->n;
            for (int i = 0; i < o->n; i++) dx[i] += c * x[i];
        }
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

void ginv_objective_set_rows(ginv_objective *o, const int *rows)
{
    if (o) o->rows = rows;
}

void ginv_objective_set_probit(ginv_objective *o, double sigma)
{
    if (o) o->probit = sigma > 0 && isfinite(sigma) ? sigma : 0;
}
