/* metric.c — the Euclidean metric of a chain, diagonal or dense, for HMC,
 * NUTS and MALA (Stan's diag_e and dense_e metrics; Betancourt 2017, "A
 * Conceptual Introduction to Hamiltonian Monte Carlo", sec. 4.2). The chain
 * keeps the inverse metric M^{-1} (the posterior covariance the warm-up
 * estimates) and, when dense, its lower Cholesky factor L, M^{-1} = L L^T:
 *     momentum   p ~ N(0, M):  p = L^{-T} u, u ~ N(0, I)  (diag: u / sqrt(m))
 *     velocity   dq/dt = M^{-1} p
 *     kinetic    K(p) = 1/2 p^T M^{-1} p
 *     p#         M^{-1} p in the generalised U-turn criterion
 *     MALA       noise sqrt(2 eta / beta) L u, drift eta M^{-1} grad U,
 *                q(z'|z) ∝ exp(-beta d^T M d / (4 eta)), d^T M d = |L^{-1} d|^2.
 * Every product is a plain loop in a fixed order (k is a latent size), so the
 * numbers do not depend on threads. The diagonal arithmetic of hmc.c and
 * mala.c is left as it was: these functions serve the dense case. */
#include "sample/sampler_internal.h"

#include <math.h>
#include <string.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

const double *ginv_metric_dense_of(const ginv_chains *ch, int c)
{
    return ch->mdense ? ch->mdense + (size_t)c * ch->k * ch->k : NULL;
}

static const double *chol_of(const ginv_chains *ch, int c)
{
    return ch->mchol + (size_t)c * ch->k * ch->k;
}

void ginv_metric_velocity(const ginv_chains *ch, int c, const double *p, double *v)
{
    int k = ch->k;
    const double *A = ginv_metric_dense_of(ch, c);
    for (int i = 0; i < k; i++) {
        double s = 0;
        for (int j = 0; j < k; j++) s += A[(size_t)i * k + j] * p[j];
        v[i] = s;
    }
}

double ginv_metric_kinetic(const ginv_chains *ch, int c, const double *p)
{
    int k = ch->k;
    const double *A = ginv_metric_dense_of(ch, c);
    double s = 0;
    for (int i = 0; i < k; i++) {
        double r = 0;
        for (int j = 0; j < k; j++) r += A[(size_t)i * k + j] * p[j];
        s += p[i] * r;
    }
    return 0.5 * s;
}

/* p = L^{-T} u by back substitution (L^T is upper triangular). */
void ginv_metric_momentum(ginv_chains *ch, int c, double *p)
{
    int k = ch->k;
    const double *L = chol_of(ch, c);
    for (int i = 0; i < k; i++) p[i] = ginv_rng_normal(&ch->noise[c]);
    for (int i = k - 1; i >= 0; i--) {
        double s = p[i];
        for (int j = i + 1; j < k; j++) s -= L[(size_t)j * k + i] * p[j];
        p[i] = s / L[(size_t)i * k + i];
    }
}

/* out = L u (the dense MALA noise, covariance M^{-1}). */
void ginv_metric_chol_mul(const ginv_chains *ch, int c, const double *u, double *out)
{
    int k = ch->k;
    const double *L = chol_of(ch, c);
    for (int i = 0; i < k; i++) {
        double s = 0;
        for (int j = 0; j <= i; j++) s += L[(size_t)i * k + j] * u[j];
        out[i] = s;
    }
}

/* d^T M d = |L^{-1} d|^2 by forward substitution (d is overwritten). */
double ginv_metric_precision_norm2(const ginv_chains *ch, int c, double *d)
{
    int k = ch->k;
    const double *L = chol_of(ch, c);
    double s2 = 0;
    for (int i = 0; i < k; i++) {
        double s = d[i];
        for (int j = 0; j < i; j++) s -= L[(size_t)i * k + j] * d[j];
        d[i] = s / L[(size_t)i * k + i];
        s2 += d[i] * d[i];
    }
    return s2;
}

int ginv_metric_criterion(const ginv_chains *ch, int c, const double *pm, const double *pp,
                          const double *rho, double *scratch)
{
    double *vm = scratch, *vp = scratch + ch->k;
    ginv_metric_velocity(ch, c, pm, vm);
    ginv_metric_velocity(ch, c, pp, vp);
    return ginv_nuts_criterion(ch->k, NULL, vm, vp, rho);
}

ginv_status ginv_metric_check_dense(int k, const double *A, long which)
{
    for (int i = 0; i < k; i++)
        for (int j = 0; j < i; j++) {
            double a = A[(size_t)i * k + j], b = A[(size_t)j * k + i];
            if (!isfinite(a) || !isfinite(b) || fabs(a - b) > 1e-6 * fmax(fabs(a), fabs(b)))
                return ginv_fail(GINV_ERR_ARG, "dense metric %ld is not symmetric: entry (%d, %d) is %g "
                                               "but (%d, %d) is %g", which, i, j, a, j, i, b);
        }
    return GINV_OK;
}

ginv_status ginv_metric_set_dense(ginv_chains *ch, int c, const double *A)
{
    int k = ch->k, info = 0;
    double *M = ch->mdense + (size_t)c * k * k, *L = ch->mchol + (size_t)c * k * k;
    /* the lower triangle of A, mirrored: the matrix the factor belongs to */
    for (int i = 0; i < k; i++)
        for (int j = 0; j <= i; j++) M[(size_t)i * k + j] = M[(size_t)j * k + i] = A[(size_t)i * k + j];
    /* M is symmetric, so its row-major array is also its column-major one;
     * LAPACK's column-major lower factor, read row-major, is L^T */
    memcpy(L, M, (size_t)k * k * sizeof(double));
    dpotrf_("L", &k, L, &k, &info);
    if (info != 0)
        return ginv_fail(GINV_ERR_ARG, "the dense metric of chain %d is not positive definite "
                                       "(Cholesky stops at column %d)", c, info);
    for (int i = 0; i < k; i++) /* transpose in place: row-major lower L */
        for (int j = i + 1; j < k; j++) {
            L[(size_t)j * k + i] = L[(size_t)i * k + j];
            L[(size_t)i * k + j] = 0.0;
        }
    return GINV_OK;
}
