/* jacobian.c — the extreme singular values of J_G(z) at given latents, the
 * pointwise form of Pareek & Risteski's Assumptions 1-2 (Remarks 2 and 4:
 * m <= sigma_min(J_G(z)), sigma_max(J_G(z)) <= M for all z). J's rows come
 * from n vector-Jacobian products in one batch; the singular values are the
 * square roots of the eigenvalues of J^T J (double). */
#include "ginv.h"

#include <math.h>
#include <string.h>

/* sigma_min, sigma_max of J_G at each of npts latents (P&R Remarks 2, 4). */
ginv_status ginv_net_jacobian_sv(ginv_net *net, int npts, const float *z, double *smin,
                                 double *smax)
{
    int k = ginv_net_in(net), n = ginv_net_out(net);
    if (npts < 0) return ginv_fail(GINV_ERR_ARG, "%d latents", npts);
    ginv_net_ws *ws = NULL;
    ginv_status st = ginv_net_ws_new(&ws, net, n);
    if (st != GINV_OK) return st;
    float *zb = ginv_malloc((size_t)n * k * sizeof(float));
    float *eye = ginv_calloc((size_t)n * n, sizeof(float));
    float *rows = ginv_malloc((size_t)n * k * sizeof(float));
    double *JtJ = ginv_malloc((size_t)k * k * sizeof(double)), *eig = ginv_malloc((size_t)k * sizeof(double));
    if (!zb || !eye || !rows || !JtJ || !eig) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d x %d Jacobian", n, k);
        goto done;
    }
    for (int i = 0; i < n; i++) eye[(size_t)i * n + i] = 1.0f;
    for (int p = 0; p < npts; p++) {
        for (int i = 0; i < n; i++) memcpy(zb + (size_t)i * k, z + (size_t)p * k, (size_t)k * sizeof(float));
        ginv_net_forward(net, ws, n, zb);
        ginv_net_backward(net, ws, n, eye, rows, 0); /* row i = e_i^T J */
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
    ginv_free(zb);
    ginv_free(eye);
    ginv_free(rows);
    ginv_free(JtJ);
    ginv_free(eig);
    ginv_net_ws_free(ws);
    return st;
}
