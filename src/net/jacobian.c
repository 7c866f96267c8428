/* jacobian.c — J_G(z), and its extreme singular values at given latents, the
 * pointwise form of Pareek & Risteski's Assumptions 1-2 (Remarks 2 and 4:
 * m <= sigma_min(J_G(z)), sigma_max(J_G(z)) <= M for all z). J's rows come
 * from n vector-Jacobian products, in one batch when their workspace is small
 * (else in batches of equal size, fixed by the net alone); the singular values are the
 * square roots of the eigenvalues of J^T J (double). */
#include "net/net_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

typedef struct {
    ginv_net_ws *ws;
    float *zb, *eye;
    int k, n, R; /* R rows of J per batch */
} jac_ws;

/* Rows per batch: all n when their workspace fits JAC_BUDGET floats (every
 * dense net of a practical size: one batch, as before image layers), else
 * as many as fit (an image generator's n is tens of thousands). */
size_t ginv_jacobian_budget = (size_t)1 << 26; /* floats; tests lower it */

static int jac_rows_per_batch(const ginv_net *net, int n)
{
    size_t per = 0, maxw = 0;
    for (int i = 0; i < ginv_net_nlayers(net); i++) {
        const ginv_layer *L = ginv_net_layer_c(net, i);
        per += 2 * (size_t)L->in; /* the cached input and, at most, its derivative */
        if ((size_t)L->out > maxw) maxw = (size_t)L->out;
        if ((size_t)L->in > maxw) maxw = (size_t)L->in;
    }
    per += 4 * maxw + 2 * (size_t)n + (size_t)ginv_net_in(net);
    size_t R = ginv_jacobian_budget / (per ? per : 1);
    if (R < 1) R = 1;
    return R < (size_t)n ? (int)R : n;
}

static void jac_ws_free(jac_ws *w)
{
    ginv_net_ws_free(w->ws);
    ginv_free(w->zb);
    ginv_free(w->eye);
}

static ginv_status jac_ws_new(jac_ws *w, ginv_net *net)
{
    memset(w, 0, sizeof *w);
    w->k = ginv_net_in(net);
    w->n = ginv_net_out(net);
    w->R = jac_rows_per_batch(net, w->n);
    ginv_status st = ginv_net_ws_new(&w->ws, net, w->R);
    if (st != GINV_OK) return st;
    w->zb = ginv_malloc((size_t)w->R * w->k * sizeof(float));
    w->eye = ginv_calloc((size_t)w->R * w->n, sizeof(float));
    if (!w->zb || !w->eye) {
        jac_ws_free(w);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d x %d Jacobian", w->n, w->k);
    }
    return GINV_OK;
}

/* rows (n x k): row i = e_i^T J_G(z), n VJPs in batches of R (the forward
 * pass repeated per batch: R copies of z) */
static void jac_rows(ginv_net *net, jac_ws *w, const float *z, float *rows)
{
    for (int i = 0; i < w->R; i++) memcpy(w->zb + (size_t)i * w->k, z, (size_t)w->k * sizeof(float));
    for (int r0 = 0; r0 < w->n; r0 += w->R) {
        int nb = w->n - r0 < w->R ? w->n - r0 : w->R;
        memset(w->eye, 0, (size_t)w->R * w->n * sizeof(float));
        for (int i = 0; i < nb; i++) w->eye[(size_t)i * w->n + r0 + i] = 1.0f;
        ginv_net_forward(net, w->ws, nb, w->zb);
        ginv_net_backward(net, w->ws, nb, w->eye, rows + (size_t)r0 * w->k, 0);
    }
}

ginv_status ginv_net_jacobian(ginv_net *net, const float *z, float *J)
{
    GINV_NONNULL(net);
    GINV_NONNULL(z);
    GINV_NONNULL(J);
    jac_ws w;
    ginv_status st = jac_ws_new(&w, net);
    if (st != GINV_OK) return st;
    jac_rows(net, &w, z, J);
    jac_ws_free(&w);
    return GINV_OK;
}

/* sigma_min, sigma_max of J_G at each of npts latents (P&R Remarks 2, 4). */
ginv_status ginv_net_jacobian_sv(ginv_net *net, int npts, const float *z, double *smin,
                                 double *smax)
{
    GINV_NONNULL(net);
    GINV_NONNULL(z);
    GINV_NONNULL(smin);
    GINV_NONNULL(smax);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    if (npts < 0) return ginv_fail(GINV_ERR_ARG, "%d latents", npts);
    jac_ws w;
    ginv_status st = jac_ws_new(&w, net);
    if (st != GINV_OK) return st;
    float *rows = ginv_malloc((size_t)n * k * sizeof(float));
    double *JtJ = ginv_malloc((size_t)k * k * sizeof(double)), *eig = ginv_malloc((size_t)k * sizeof(double));
    if (!rows || !JtJ || !eig) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d x %d Jacobian", n, k);
        goto done;
    }
    for (int p = 0; p < npts; p++) {
        jac_rows(net, &w, z + (size_t)p * k, rows);
        memset(JtJ, 0, (size_t)k * k * sizeof(double));
        for (int i = 0; i < n; i++) {
            const float *r = rows + (size_t)i * k;
            for (int a = 0; a < k; a++)
                for (int b = 0; b <= a; b++) JtJ[(size_t)a * k + b] += (double)r[a] * r[b];
        }
        if ((st = ginv_sym_eigvals(k, JtJ, eig)) != GINV_OK) goto done;
        smin[p] = sqrt(fmax(eig[0], 0.0));
        smax[p] = sqrt(fmax(eig[k - 1], 0.0));
    }
done:
    ginv_free(rows);
    ginv_free(JtJ);
    ginv_free(eig);
    jac_ws_free(&w);
    return st;
}
