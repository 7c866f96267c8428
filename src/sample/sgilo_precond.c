/* sgilo_precond.c — SGILO's Laplace preconditioner: Langevin in R^p is
 * stiff, since the data pin h down in the m directions A J_G2 sees (their
 * curvature ~ |A J|^2 / sigma^2) while the prior alone holds the rest
 * (curvature ~ 1 / scale^2). With a constant positive definite P the
 * preconditioned diffusion dh = -P grad U dt + sqrt(2T) P^{1/2} dW keeps
 * exp(-U / T) invariant (Roberts & Stramer 2002), so P = H^{-1} with
 *     H_i = w_lik (A J_G2(h_i))^T (A J_G2(h_i)) / sigma^2 + w_prior diag(1 / scale^2)
 * at image i's start (the Gauss-Newton Hessian of the likelihood plus the
 * curvature of a standardised unit-Gaussian prior) moves every direction at
 * one pace, as ginv sample's Laplace preconditioner does in z (precond.c). */
#include "sample/sgilo_internal.h"
#include "sample/sampler_internal.h"
#include "base/check_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

ginv_status ginv_sgilo_precond(ginv_net *g2, const ginv_op *op, int N, int C, const float *h,
                               const ginv_sgilo_opts *o, const ginv_score_prior *pr, double *L)
{
    int p = ginv_net_in(g2), n = ginv_net_out(g2), m = ginv_op_m(op);
    float *J = ginv_malloc((size_t)n * p * sizeof(float)), *Jt = ginv_malloc((size_t)p * n * sizeof(float));
    float *AJt = ginv_malloc((size_t)p * m * sizeof(float));
    double *D = ginv_malloc((size_t)p * m * sizeof(double)), *H = ginv_malloc((size_t)p * p * sizeof(double));
    ginv_status st = J && Jt && AJt && D && H ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory for "
                                                                    "SGILO's %d x %d preconditioner", p, p);
    double c = o->lik_weight / (o->sigma * o->sigma);
    for (int i = 0; st == GINV_OK && i < N; i++) {
        st = ginv_net_jacobian(g2, h + (size_t)i * C * p, J);
        if (st != GINV_OK) break;
        for (int r = 0; r < n; r++)
            for (int j = 0; j < p; j++) Jt[(size_t)j * n + r] = J[(size_t)r * p + j];
        ginv_op_apply(op, p, Jt, AJt); /* row j = A J[:, j] */
        for (size_t q = 0; q < (size_t)p * m; q++) D[q] = AJt[q];
        /* H = c D D^T (D = (A J)^T, p x m), then the prior's diagonal */
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, p, m, c, D, m, 0.0, H, p);
        for (int a = 0; a < p; a++) {
            double sc = pr->scale ? pr->scale[a] : 1.0;
            H[(size_t)a * p + a] += o->prior_weight / (sc * sc);
            for (int b = a + 1; b < p; b++) H[(size_t)a * p + b] = H[(size_t)b * p + a];
        }
        st = ginv_precond_factor(p, H, L + (size_t)i * p * p);
        if (st != GINV_OK)
            st = ginv_fail(st, "SGILO's preconditioner for image %d: %s (give a prior weight > 0)", i,
                           ginv_last_error());
    }
    ginv_free(J), ginv_free(Jt), ginv_free(AJt), ginv_free(D), ginv_free(H);
    return st;
}

void ginv_sgilo_precond_apply(const double *L, int p, const float *g, double *out)
{
    for (int j = 0; j < p; j++) out[j] = g[j];
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, p, L, p, out, 1);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, p, L, p, out, 1);
}

void ginv_sgilo_precond_noise(const double *L, int p, double *u)
{
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, p, L, p, u, 1);
}
