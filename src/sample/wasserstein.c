/* wasserstein.c — W1 distances between empirical laws, to watch a set of
 * chains approach a reference chain (Daras et al. Thm 3.1 bounds W(Z_t, mu)):
 * the exact 1-D W1 from the quantile functions, and its average over random
 * unit directions (a sliced W1, a lower bound on the k-dimensional W1). */
#include "ginv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* int_0^1 |F_a^{-1}(u) - F_b^{-1}(u)| du over sorted a, b: the merged steps. */
static double w1_sorted(int na, const double *a, int nb, const double *b)
{
    double w = 0, u = 0;
    int i = 0, j = 0;
    while (i < na && j < nb) {
        double ua = (double)(i + 1) / na, ub = (double)(j + 1) / nb;
        double next = ua < ub ? ua : ub;
        w += (next - u) * fabs(a[i] - b[j]);
        u = next;
        if (ua <= next) i++;
        if (ub <= next) j++;
    }
    return w;
}

ginv_status ginv_w1_1d(int na, const double *a, int nb, const double *b, double *out)
{
    if (na < 1 || nb < 1) return ginv_fail(GINV_ERR_ARG, "W1 needs draws on both sides (%d, %d)", na, nb);
    double *sa = ginv_malloc((size_t)(na + nb) * sizeof(double));
    if (!sa) return ginv_fail(GINV_ERR_NOMEM, "out of memory for W1 of %d and %d draws", na, nb);
    double *sb = sa + na;
    memcpy(sa, a, (size_t)na * sizeof(double));
    memcpy(sb, b, (size_t)nb * sizeof(double));
    qsort(sa, (size_t)na, sizeof(double), cmp_double);
    qsort(sb, (size_t)nb, sizeof(double), cmp_double);
    *out = w1_sorted(na, sa, nb, sb);
    ginv_free(sa);
    return GINV_OK;
}

/* Mean over ndirs unit directions (stream (seed, W1, d)) of the 1-D W1 of the
 * projections <a_i, u_d> and <b_j, u_d>. */
ginv_status ginv_w1_sliced(int k, int na, const float *a, int nb, const float *b, int ndirs,
                           uint64_t seed, double *out)
{
    if (k < 1 || ndirs < 1) return ginv_fail(GINV_ERR_ARG, "sliced W1 needs k >= 1 and directions >= 1");
    double *pa = ginv_malloc((size_t)(na + nb) * sizeof(double)), *u = ginv_malloc((size_t)k * sizeof(double));
    if (!pa || !u) {
        ginv_free(pa);
        ginv_free(u);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for sliced W1");
    }
    double *pb = pa + na, sum = 0;
    ginv_status st = GINV_OK;
    for (int d = 0; d < ndirs && st == GINV_OK; d++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_W1, (uint64_t)d);
        double nrm = 0;
        for (int i = 0; i < k; i++) {
            u[i] = ginv_rng_normal(&r);
            nrm += u[i] * u[i];
        }
        nrm = sqrt(nrm);
        for (int i = 0; i < k; i++) u[i] /= nrm;
        for (int s = 0; s < na; s++) {
            double v = 0;
            for (int i = 0; i < k; i++) v += u[i] * a[(size_t)s * k + i];
            pa[s] = v;
        }
        for (int s = 0; s < nb; s++) {
            double v = 0;
            for (int i = 0; i < k; i++) v += u[i] * b[(size_t)s * k + i];
            pb[s] = v;
        }
        double w;
        if ((st = ginv_w1_1d(na, pa, nb, pb, &w)) == GINV_OK) sum += w;
    }
    if (st == GINV_OK) *out = sum / ndirs;
    ginv_free(pa);
    ginv_free(u);
    return st;
}
