/* op.c — the measurement operator object: construction from a vtable and
 * state, the dispatch of free/m/n/name/apply/adjoint, and the elementwise
 * link after the linear part (y = phi(A x)) with its checks and metric. */
#include "measure/op_impl.h"

#include <math.h>

/* Free a kind's state with its own release function, or ginv_free. */
static void free_state(const ginv_op_vtable *vt, void *state)
{
    if (!state) return;
    if (vt->free_state) vt->free_state(state);
    else ginv_free(state);
}

ginv_status ginv_op_check_out(ginv_op **out, const char *who)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "%s: out is NULL; pass the address of a ginv_op *", who);
    *out = NULL;
    return GINV_OK;
}

ginv_status ginv_op_wrap(ginv_op **out, const ginv_op_vtable *vt, int m, int n, void *state)
{
    ginv_op *op = ginv_malloc(sizeof *op);
    if (!op) {
        free_state(vt, state);
        *out = NULL;
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_%s: cannot allocate the operator (%zu bytes)",
                         vt->name, sizeof *op);
    }
    op->vt = vt;
    op->m = m;
    op->n = n;
    op->state = state;
    op->onebit_loss = GINV_ONEBIT_ONESIDED;
    op->pair = NULL;
    *out = op;
    return GINV_OK;
}

void ginv_op_free(ginv_op *op)
{
    if (!op) return;
    free_state(op->vt, op->state);
    ginv_free(op);
}

int ginv_op_m(const ginv_op *op) { return op ? op->m : 0; }

int ginv_op_n(const ginv_op *op) { return op ? op->n : 0; }

const char *ginv_op_name(const ginv_op *op) { return op ? op->vt->name : "(null)"; }

/* y (B x m) = A x (B x n); B <= 0 does nothing */
void ginv_op_apply(const ginv_op *op, int B, const float *x, float *y)
{
    if (B <= 0) return;
    op->vt->apply(op, B, x, y);
}

/* x (B x n) = A^T y (B x m); B <= 0 does nothing */
void ginv_op_adjoint(const ginv_op *op, int B, const float *y, float *x)
{
    if (B <= 0) return;
    op->vt->adjoint(op, B, y, x);
}

ginv_link ginv_op_link(const ginv_op *op) { return op ? (ginv_link)op->vt->link : GINV_LINK_LINEAR; }

const int *ginv_op_link_pairs(const ginv_op *op)
{
    return op && op->vt->link == GINV_LINK_CABS ? op->pair : NULL;
}

ginv_onebit_loss ginv_op_onebit_loss(const ginv_op *op)
{
    return op ? (ginv_onebit_loss)op->onebit_loss : GINV_ONEBIT_ONESIDED;
}

const char *ginv_link_name(ginv_link l)
{
    static const char *const names[] = {"linear", "abs", "sign", "cabs"};
    return (unsigned)l < 4 ? names[l] : "?";
}

const char *ginv_onebit_loss_name(ginv_onebit_loss l)
{
    static const char *const names[] = {"onesided", "corr"};
    return (unsigned)l < 2 ? names[l] : "?";
}

/* y = phi(A x): the linear part, then |.|, sign (sign(0) = +1) or, for
 * CABS, the modulus of each pair: y_i = y_p(i) = sqrt((u_i^2 + u_p(i)^2) / 2) */
void ginv_op_measure(const ginv_op *op, int B, const float *x, float *y)
{
    if (B <= 0) return;
    op->vt->apply(op, B, x, y);
    size_t cnt = (size_t)B * op->m;
    if (op->vt->link == GINV_LINK_ABS)
        for (size_t i = 0; i < cnt; i++) y[i] = fabsf(y[i]);
    else if (op->vt->link == GINV_LINK_SIGN)
        for (size_t i = 0; i < cnt; i++) y[i] = y[i] < 0 ? -1.0f : 1.0f;
    else if (op->vt->link == GINV_LINK_CABS)
        for (int b = 0; b < B; b++) {
            float *u = y + (size_t)b * op->m;
            for (int i = 0; i < op->m; i++) {
                int j = op->pair[i];
                if (j < i) continue; /* done with its partner */
                double r = sqrt(((double)u[i] * u[i] + (double)u[j] * u[j]) / 2);
                u[i] = u[j] = (float)r;
            }
        }
}

ginv_status ginv_op_check_y(const ginv_op *op, const float *y, size_t count)
{
    if (!op) return ginv_fail(GINV_ERR_ARG, "ginv_op_check_y: op is NULL");
    if (!y) return ginv_fail(GINV_ERR_ARG, "ginv_op_check_y: y is NULL");
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(y[i]))
            return ginv_fail(GINV_ERR_ARG, "measurement y[%zu] is not finite", i);
        if ((op->vt->link == GINV_LINK_ABS || op->vt->link == GINV_LINK_CABS) && y[i] < 0)
            return ginv_fail(GINV_ERR_ARG, "measurement y[%zu] = %g is negative; %s measures "
                             "magnitudes |A x| >= 0", i, y[i], op->vt->name);
        if (op->vt->link == GINV_LINK_SIGN && y[i] != 1.0f && y[i] != -1.0f)
            return ginv_fail(GINV_ERR_ARG, "measurement y[%zu] = %g is not -1 or +1; %s "
                             "measures signs", i, y[i], op->vt->name);
    }
    return GINV_OK;
}

double ginv_link_rel_error(ginv_link l, const float *a, const float *b, size_t n)
{
    if (!a || !b) return NAN;
    double aa = 0, bb = 0, ab = 0, dd = 0, ds = 0;
    for (size_t i = 0; i < n; i++) {
        ds += ((double)a[i] + b[i]) * ((double)a[i] + b[i]);
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
        ab += (double)a[i] * b[i];
        dd += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    }
    if (l == GINV_LINK_SIGN) {
        /* || a/|a| - b/|b| ||^2 = |ua|^2 + |ub|^2 - 2 <ua, ub> with unit or zero ua, ub */
        double na = sqrt(aa), nb = sqrt(bb);
        double ua = na > 0 ? 1 : 0, ub = nb > 0 ? 1 : 0;
        double c = na > 0 && nb > 0 ? ab / (na * nb) : 0;
        double d2 = ua + ub - 2 * c;
        return sqrt(d2 > 0 ? d2 : 0);
    }
    if ((l == GINV_LINK_ABS || l == GINV_LINK_CABS) && ds < dd) dd = ds; /* the nearer of b, -b */
    return bb > 0 ? sqrt(dd / bb) : sqrt(dd);
}

const char *ginv_link_error_name(ginv_link l)
{
    static const char *const names[] = {"relative", "relative-up-to-sign", "direction",
                                        "relative-up-to-sign"};
    return (unsigned)l < 4 ? names[l] : "?";
}

double ginv_op_rel_error(const ginv_op *op, const float *a, const float *b, size_t n)
{
    if (!op || !a || !b) return NAN;
    if (op->vt->rel_error && n == (size_t)op->n) return op->vt->rel_error(op, a, b);
    return ginv_link_rel_error((ginv_link)op->vt->link, a, b, n);
}

const char *ginv_op_error_name(const ginv_op *op)
{
    if (!op) return "?";
    if (op->vt->rel_error) return "relative-up-to-sign-shift-flip";
    return ginv_link_error_name((ginv_link)op->vt->link);
}
