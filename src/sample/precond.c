/* precond.c — Langevin with a constant preconditioner P = H^{-1} = L^{-T} L^{-1}
 * (H = L L^T by LAPACK's Cholesky): the proposal
 *     z' = z - eta P grad U(z) + sqrt(2 eta / beta) L^{-T} u,   u ~ N(0, I),
 * whose noise has covariance (2 eta / beta) P, i.e. the Langevin diffusion
 * dz = -P grad U dt + sqrt(2 / beta) P^{1/2} dW, which leaves exp(-beta U)
 * invariant for any fixed positive definite P (Roberts & Stramer 2002);
 * MALA's proposal density becomes
 *     q(z' | z) ∝ exp(-beta ||L^T (z' - z + eta P grad U(z))||^2 / (4 eta)).
 * The Laplace choice is H = (A J_G)^T (A J_G) / sigma^2 + I at the GD point:
 * near the inverse z_hat Pareek & Risteski's posterior is log-concave with
 * about this Hessian (Lemma 5), so every direction - the stiff ones the
 * data pin down and the flat ones only the prior holds - moves at one pace. */
#include "sample/sampler_internal.h"
#include "base/check_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);

ginv_status ginv_precond_parse(const char *name, ginv_precond *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    if (!strcmp(name, "none")) *out = GINV_PRECOND_NONE;
    else if (!strcmp(name, "laplace")) *out = GINV_PRECOND_LAPLACE;
    else return ginv_fail(GINV_ERR_ARG, "unknown preconditioner '%s': use none or laplace", name);
    return GINV_OK;
}

ginv_status ginv_posterior_gn_hessian(ginv_posterior *p, const float *z, double *H)
{
    GINV_NONNULL(p);
    GINV_NONNULL(z);
    GINV_NONNULL(H);
    if (!ginv_posterior_has_generator(p))
        return ginv_fail(GINV_ERR_ARG, "the Gauss-Newton Hessian needs a generator: this posterior is "
                                       "an energy alone");
    ginv_net *net = ginv_posterior_net(p);
    const ginv_op *op = ginv_posterior_op(p);
    int k = ginv_net_in(net), n = ginv_net_out(net), m = ginv_op_m(op);
    float *J = ginv_malloc((size_t)n * k * sizeof(float)), *Jt = ginv_malloc((size_t)k * n * sizeof(float));
    float *AJt = ginv_malloc((size_t)k * m * sizeof(float));
    ginv_status st = J && Jt && AJt ? ginv_net_jacobian(net, z, J)
                                    : ginv_fail(GINV_ERR_NOMEM, "out of memory for the Hessian");
    if (st == GINV_OK) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) Jt[(size_t)j * n + i] = J[(size_t)i * k + j];
        ginv_op_apply(op, k, Jt, AJt); /* row j = A J[:, j] */
        double s2 = ginv_posterior_sigma(p);
        s2 *= s2;
        for (int a = 0; a < k; a++)
            for (int b = 0; b <= a; b++) {
                double h = 0;
                for (int i = 0; i < m; i++) h += (double)AJt[(size_t)a * m + i] * AJt[(size_t)b * m + i];
                H[(size_t)a * k + b] = H[(size_t)b * k + a] = h / s2 + (a == b);
            }
    }
    ginv_free(J);
    ginv_free(Jt);
    ginv_free(AJt);
    return st;
}

/* L (k x k, row-major, lower; zeros above) with H = L L^T. */
ginv_status ginv_precond_factor(int k, const double *H, double *L)
{
    /* H is symmetric, so its row-major array is also its column-major one;
     * LAPACK's column-major lower factor read row-major is L^T */
    double *a = ginv_malloc((size_t)k * k * sizeof *a);
    if (!a) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    memcpy(a, H, (size_t)k * k * sizeof *a);
    int info = 0;
    dpotrf_("L", &k, a, &k, &info);
    if (info == 0)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) L[(size_t)i * k + j] = j <= i ? a[(size_t)j * k + i] : 0.0;
    ginv_free(a);
    if (info != 0)
        return ginv_fail(GINV_ERR_NUMERIC, "the preconditioner's Hessian is not positive definite "
                                           "(Cholesky stopped at column %d)", info);
    return GINV_OK;
}

/* Hinv = H^{-1} (k x k, row-major) from H's factor L by LAPACK's dpotri:
 * L row-major is, read column-major, the upper factor U = L^T of H = U^T U;
 * dpotri leaves H^{-1}'s upper triangle column-major, i.e. its lower
 * triangle row-major, which is mirrored. */
ginv_status ginv_precond_inverse(int k, const double *L, double *Hinv)
{
    memcpy(Hinv, L, (size_t)k * k * sizeof *Hinv);
    int info = 0;
    dpotri_("U", &k, Hinv, &k, &info);
    if (info != 0)
        return ginv_fail(GINV_ERR_NUMERIC, "the Laplace Hessian's inverse failed (LAPACK dpotri: %d)", info);
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++) Hinv[(size_t)j * k + i] = Hinv[(size_t)i * k + j];
    return GINV_OK;
}

/* out = P g = L^{-T} L^{-1} g (two triangular solves, double). */
void ginv_precond_apply(const ginv_chains *ch, const float *g, double *out)
{
    int k = ch->k;
    for (int i = 0; i < k; i++) out[i] = g[i];
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, k, ch->pL, k, out, 1);
    cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, k, ch->pL, k, out, 1);
}

/* The preconditioned proposal for every chain (noise: k draws of chain c's
 * stream, as the plain proposal). */
void ginv_chains_propose_precond(ginv_chains *ch, double eta, double scale)
{
    int k = ch->k;
    double *v = ch->pscratch, *u = ch->pscratch + k;
    for (int c = 0; c < ch->C; c++) {
        double e = ch->eps ? ch->eps[c] : eta, sd = scale * sqrt(2.0 * e / ginv_chains_beta(ch, c));
        size_t off = (size_t)c * k;
        ginv_precond_apply(ch, ch->grad + off, v);
        for (int i = 0; i < k; i++) u[i] = ginv_rng_normal(&ch->noise[c]);
        cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, k, ch->pL, k, u, 1);
        for (int i = 0; i < k; i++)
            ch->zp[off + i] = (float)((double)ch->z[off + i] - e * v[i] + sd * u[i]);
    }
}

/* log q(to | from) up to its constant, preconditioned:
 * -beta ||L^T (to - from + eta P g(from))||^2 / (4 eta). */
double ginv_precond_log_q(const ginv_chains *ch, const float *to, const float *from,
                          const float *gfrom, double eta, double beta)
{
    int k = ch->k;
    double *d = ch->pscratch;
    ginv_precond_apply(ch, gfrom, d);
    for (int i = 0; i < k; i++) d[i] = (double)to[i] - from[i] + eta * d[i];
    cblas_dtrmv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, k, ch->pL, k, d, 1);
    double s = 0;
    for (int i = 0; i < k; i++) s += d[i] * d[i];
    return -beta * s / (4.0 * eta);
}
