/* symeig.c — eigenvalues of a symmetric matrix in double: Householder
 * reduction to tridiagonal form, then the implicit QL iteration with
 * Wilkinson-type shifts (eigenvalues only, O(k^3)). Used for the spectral
 * norms of the WDC (Hand & Voroninski Def. 2). */
#include "ginv.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Householder tridiagonalisation of a (k x k, row-major, lower triangle used
 * and overwritten): d gets the diagonal, e the subdiagonal (e[i] couples i-1, i). */
static void tridiagonalize(int k, double *a, double *d, double *e)
{
#define A(i, j) a[(size_t)(i) * k + (j)]
    for (int i = k - 1; i > 0; i--) {
        int l = i - 1;
        double h = 0, scale = 0;
        if (l > 0) {
            for (int j = 0; j < i; j++) scale += fabs(A(i, j));
            if (scale == 0) {
                e[i] = A(i, l);
            } else {
                for (int j = 0; j < i; j++) {
                    A(i, j) /= scale;
                    h += A(i, j) * A(i, j);
                }
                double f = A(i, l), g = f >= 0 ? -sqrt(h) : sqrt(h);
                e[i] = scale * g;
                h -= f * g;
                A(i, l) = f - g;
                f = 0;
                /* e = A v / h with v = row i, the lower triangle read row by row
                 * (contiguous): row j gives A(j, t) v_t to e[j] and A(j, t) v_j to e[t] */
                const double *v = &A(i, 0);
                for (int j = 0; j < i; j++) e[j] = 0;
                for (int j = 0; j < i; j++) {
                    const double *row = &A(j, 0);
                    double vj = v[j];
                    g = row[j] * vj;
                    for (int t = 0; t < j; t++) {
                        g += row[t] * v[t];
                        e[t] += row[t] * vj;
                    }
                    e[j] += g;
                }
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * v[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    f = A(i, j);
                    e[j] = g = e[j] - hh * f;
                    for (int t = 0; t <= j; t++) A(j, t) -= f * e[t] + g * A(i, t);
                }
            }
        } else {
            e[i] = A(i, l);
        }
        d[i] = h;
    }
    e[0] = 0;
    for (int i = 0; i < k; i++) d[i] = A(i, i);
#undef A
}

/* Implicit QL on the tridiagonal (d, e): d becomes the eigenvalues. */
static ginv_status tridiagonal_ql(int k, double *d, double *e)
{
    for (int i = 1; i < k; i++) e[i - 1] = e[i];
    e[k - 1] = 0;
    /* deflate when e[m] is negligible next to its neighbours or, as EISPACK's
     * tql1, next to the matrix: absolute accuracy eps ||T|| */
    double tnorm = 0;
    for (int i = 0; i < k; i++) tnorm = fmax(tnorm, fabs(d[i]) + fabs(e[i]));
    for (int l = 0; l < k; l++) {
        int iter = 0, m;
        do {
            for (m = l; m < k - 1; m++) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd || fabs(e[m]) <= DBL_EPSILON * tnorm) break;
            }
            if (m != l) {
                if (iter++ == 60)
                    return ginv_fail(GINV_ERR_NUMERIC,
                                     "symmetric eigenvalues: QL did not converge for eigenvalue %d "
                                     "of %d; check the matrix for NaN/Inf",
                                     l, k);
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? fabs(r) : -fabs(r)));
                double s = 1, c = 1, p = 0;
                int i;
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    e[i + 1] = (r = hypot(f, g));
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                }
                if (r == 0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        } while (m != l);
    }
    return GINV_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Eigenvalues of a symmetric matrix (the lower triangle of A), ascending. */
ginv_status ginv_sym_eigvals(int k, const double *A, double *eig)
{
    if (k < 1) return ginv_fail(GINV_ERR_ARG, "symmetric eigenvalues: size %d must be >= 1", k);
    for (int i = 0; i < k; i++)
        for (int j = 0; j <= i; j++)
            if (!isfinite(A[(size_t)i * k + j]))
                return ginv_fail(GINV_ERR_NUMERIC,
                                 "symmetric eigenvalues: entry (%d, %d) of the %d x %d matrix is "
                                 "not finite",
                                 i, j, k, k);
    double *a = ginv_malloc(sizeof(double) * ((size_t)k * k + k));
    if (!a) return ginv_fail(GINV_ERR_NOMEM, "symmetric eigenvalues: out of memory for k = %d", k);
    double *e = a + (size_t)k * k;
    memcpy(a, A, sizeof(double) * (size_t)k * k);
    tridiagonalize(k, a, eig, e);
    ginv_status st = tridiagonal_ql(k, eig, e);
    ginv_free(a);
    if (st == GINV_OK) qsort(eig, (size_t)k, sizeof *eig, cmp_double);
    return st;
}

/* The spectral norm of a symmetric matrix: max(|lambda_min|, |lambda_max|). */
ginv_status ginv_sym_norm(int k, const double *A, double *norm)
{
    double *eig = ginv_malloc(sizeof(double) * (size_t)(k > 0 ? k : 1));
    if (!eig) return ginv_fail(GINV_ERR_NOMEM, "symmetric norm: out of memory for k = %d", k);
    ginv_status st = ginv_sym_eigvals(k, A, eig);
    if (st == GINV_OK) *norm = fmax(fabs(eig[0]), fabs(eig[k - 1]));
    ginv_free(eig);
    return st;
}
