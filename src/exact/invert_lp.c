/* invert_lp.c — the polynomial-time contrast to decide: Lei, Jalal, Dhillon
 * & Dimakis (2019)'s layer-wise inversion of an expansive ReLU net. From the
 * output back to the latent, one LP per dense layer: with v the layer's known
 * output, the units with v_i > tol give equalities W_i h + b_i = v_i (with an
 * l1 slack, so noisy targets still solve), the others inequalities
 * W_i h + b_i <= 0; h >= 0 when h is itself a ReLU output. The layer's input
 * is determined when the active rows of W have full column rank -- that is
 * where expansivity matters and where the method stops working. */
#include "exact_internal.h"
#include "base/check_internal.h"

#include <glpk.h>
#include <math.h>
#include <string.h>

void ginv_invert_lp_result_release(ginv_invert_lp_result *r)
{
    if (!r) return;
    ginv_free(r->layers);
    ginv_free(r->z);
    memset(r, 0, sizeof *r);
}

static int active_rank(int in, int na, const double *rows)
{
    double *S = ginv_calloc((size_t)in * in, sizeof(double));
    double *V = ginv_malloc(sizeof(double) * in * in), *ev = ginv_malloc(sizeof(double) * in);
    int rank = -1;
    if (S && V && ev) {
        for (int r = 0; r < na; r++)
            for (int a = 0; a < in; a++)
                for (int b = 0; b < in; b++) S[a * in + b] += rows[(size_t)r * in + a] * rows[(size_t)r * in + b];
        ginv_jacobi_eig(in, S, ev, V);
        double mx = 0;
        for (int a = 0; a < in; a++) mx = fmax(mx, ev[a]);
        rank = 0;
        for (int a = 0; a < in; a++) rank += mx > 0 && ev[a] > 1e-10 * mx;
    }
    ginv_free(S);
    ginv_free(V);
    ginv_free(ev);
    return rank;
}

/* One layer: v (out) known, h (in) found. */
static ginv_status invert_layer(const ginv_dnet *d, int l, const double *v, double tol, double *h,
                                ginv_invert_lp_layer *info)
{
    int in = d->in[l], out = d->out[l], nonneg = l > 0 && d->relu[l - 1];
    info->in = in;
    info->out = out;
    /* a unit is active when its output exceeds tol plus 1e-9 of the layer's
     * scale: LP solutions put round-off, not zeros, on inactive units */
    double vmax = 1;
    for (int i = 0; i < out; i++) vmax = fmax(vmax, fabs(v[i]));
    tol += 1e-9 * vmax;
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_cols(P, in);
    for (int j = 1; j <= in; j++)
        glp_set_col_bnds(P, j, nonneg ? GLP_LO : GLP_FR, 0, 0);
    int *ind = ginv_malloc(sizeof(int) * (in + 3));
    double *val = ginv_malloc(sizeof(double) * (in + 3));
    double *rows = ginv_malloc(sizeof(double) * (size_t)out * in);
    if (!ind || !val || !rows) {
        ginv_free(ind); ginv_free(val); ginv_free(rows);
        glp_delete_prob(P);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    int na = 0;
    for (int i = 0; i < out; i++) {
        const double *w = d->W[l] + (size_t)i * in;
        int len = 0;
        for (int j = 0; j < in; j++)
            if (w[j] != 0) { len++; ind[len] = j + 1; val[len] = w[j]; }
        int eq = !d->relu[l] || v[i] > tol;
        if (eq) {
            memcpy(rows + (size_t)na++ * in, w, sizeof(double) * in);
            int sp = glp_add_cols(P, 2);
            glp_set_col_bnds(P, sp, GLP_LO, 0, 0);
            glp_set_col_bnds(P, sp + 1, GLP_LO, 0, 0);
            glp_set_obj_coef(P, sp, 1);
            glp_set_obj_coef(P, sp + 1, 1);
            ind[len + 1] = sp; val[len + 1] = 1;
            ind[len + 2] = sp + 1; val[len + 2] = -1;
            int r = glp_add_rows(P, 1);
            glp_set_mat_row(P, r, len + 2, ind, val);
            glp_set_row_bnds(P, r, GLP_FX, v[i] - d->b[l][i], v[i] - d->b[l][i]);
        } else {
            int r = glp_add_rows(P, 1);
            glp_set_mat_row(P, r, len, ind, val);
            glp_set_row_bnds(P, r, GLP_UP, 0, -d->b[l][i]);
        }
    }
    info->active = na;
    info->rank = active_rank(in, na, rows);
    info->unique = info->rank == in;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    int ret = glp_simplex(P, &sm);
    info->lp_ok = ret == 0 && glp_get_status(P) == GLP_OPT;
    for (int j = 0; j < in; j++) h[j] = info->lp_ok ? glp_get_col_prim(P, j + 1) : 0;
    info->residual = info->lp_ok ? glp_get_obj_val(P) : NAN;
    info->violation = 0;
    for (int i = 0; i < out; i++) {
        if (!d->relu[l] || v[i] > tol) continue;
        double y = d->b[l][i];
        for (int j = 0; j < in; j++) y += d->W[l][(size_t)i * in + j] * h[j];
        info->violation = fmax(info->violation, y);
    }
    ginv_free(ind); ginv_free(val); ginv_free(rows);
    glp_delete_prob(P);
    return GINV_OK;
}

ginv_status ginv_invert_lp(const ginv_net *net, const double *x, double act_tol,
                           ginv_invert_lp_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(x);
    if (!(act_tol >= 0) || !isfinite(act_tol))
        return ginv_fail(GINV_ERR_ARG, "invert-lp: the activity tolerance must be >= 0");
    ginv_dnet d;
    ginv_status st = ginv_dnet_from(net, &d);
    if (st != GINV_OK) return st;
    for (int i = 0; i < d.n; i++)
        if (!isfinite(x[i])) {
            ginv_dnet_release(&d);
            return ginv_fail(GINV_ERR_NUMERIC, "invert-lp: target[%d] is not finite", i);
        }
    glp_term_out(GLP_OFF);
    res->L = d.L;
    res->k = d.k;
    res->layers = ginv_calloc((size_t)d.L, sizeof(ginv_invert_lp_layer));
    res->z = ginv_calloc((size_t)d.k, sizeof(double));
    double *v = ginv_malloc(sizeof(double) * d.maxw), *h = ginv_malloc(sizeof(double) * d.maxw);
    double *xg = ginv_malloc(sizeof(double) * d.n);
    if (!res->layers || !res->z || !v || !h || !xg) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(v, x, sizeof(double) * d.n);
    res->all_unique = 1;
    for (int l = d.L - 1; l >= 0 && st == GINV_OK; l--) {
        st = invert_layer(&d, l, v, act_tol, h, &res->layers[l]);
        res->all_unique &= res->layers[l].unique && res->layers[l].lp_ok;
        memcpy(v, h, sizeof(double) * d.in[l]);
    }
    memcpy(res->z, v, sizeof(double) * d.k);
    ginv_dnet_forward(&d, res->z, xg, NULL);
    res->fit = 0;
    for (int i = 0; i < d.n; i++) res->fit = fmax(res->fit, fabs(xg[i] - x[i]));
out:
    ginv_free(v);
    ginv_free(h);
    ginv_free(xg);
    ginv_dnet_release(&d);
    if (st != GINV_OK) ginv_invert_lp_result_release(res);
    return st;
}
