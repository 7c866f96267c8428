/* twosample.c — two distances between empirical laws, beside the sliced W1
 * of wasserstein.c, for measuring an encoder against the posterior (Pareek &
 * Risteski 2021, Theorem 1 bounds the total variation; docs/encoders.md):
 *
 *  - the squared maximum mean discrepancy with a Gaussian RBF kernel
 *    k(u, v) = exp(-||u - v||^2 / (2 s^2)), by the unbiased U-statistic of
 *    Gretton et al. (JMLR 2012, eq. 3 / Lemma 6), with the median heuristic
 *    for s (their §8) and a standard error from disjoint blocks;
 *  - the total variation between the histograms of the two samples on a
 *    grid (1-D or 2-D): the TV of the laws pushed through the binning map,
 *    so at most the TV of the laws themselves (data processing), plus the
 *    upward bias of sampling noise. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MMD_BLOCKS 8
#define MEDIAN_POINTS 512 /* per sample, for the bandwidth */

static double sqdist(int k, const float *u, const float *v)
{
    double s = 0;
    for (int i = 0; i < k; i++) {
        double t = (double)u[i] - v[i];
        s += t * t;
    }
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the median heuristic: the median of ||u - v|| over pairs of distinct
 * points of the pooled sample, thinned evenly to <= MEDIAN_POINTS of each */
static ginv_status median_bandwidth(int k, int na, const float *a, int nb, const float *b, double *out)
{
    int ta = na < MEDIAN_POINTS ? na : MEDIAN_POINTS, tb = nb < MEDIAN_POINTS ? nb : MEDIAN_POINTS, t = ta + tb;
    const float **p = ginv_malloc(sizeof(*p) * (size_t)t);
    double *d = ginv_malloc(sizeof(double) * ((size_t)t * (t - 1) / 2));
    if (!p || !d) {
        ginv_free(p);
        ginv_free(d);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the MMD bandwidth");
    }
    for (int i = 0; i < ta; i++) p[i] = a + (size_t)((long long)i * na / ta) * k;
    for (int i = 0; i < tb; i++) p[ta + i] = b + (size_t)((long long)i * nb / tb) * k;
    size_t m = 0;
    for (int i = 0; i < t; i++)
        for (int j = 0; j < i; j++) d[m++] = sqrt(sqdist(k, p[i], p[j]));
    qsort(d, m, sizeof *d, cmp_double);
    *out = ginv_quantile_sorted(d, (long)m, 0.5);
    ginv_free(p);
    ginv_free(d);
    return GINV_OK;
}

/* sum of k over pairs i < j (same = 1, within one sample) or over all (i, j),
 * into the whole sum and the block-diagonal sums blk[c] (block c: rows
 * [c n / K, (c + 1) n / K) of each sample) */
static void kernel_sums(int k, int n1, const float *u, int n2, const float *v, int same, double g, double *all,
                        double *blk)
{
    for (int i = 0; i < n1; i++) {
        int bi = (int)((long long)i * MMD_BLOCKS / n1);
        for (int j = same ? i + 1 : 0; j < n2; j++) {
            double kv = exp(-g * sqdist(k, u + (size_t)i * k, v + (size_t)j * k));
            *all += kv;
            if ((int)((long long)j * MMD_BLOCKS / n2) == bi) blk[bi] += kv;
        }
    }
}

/* block c's sizes: rows [ceil(c n / K), ceil((c + 1) n / K)), matching the
 * block index floor(i K / n) of kernel_sums */
static double block_size(int n, int c)
{
    long long lo = ((long long)c * n + MMD_BLOCKS - 1) / MMD_BLOCKS, hi = ((long long)(c + 1) * n + MMD_BLOCKS - 1) / MMD_BLOCKS;
    return (double)(hi - lo);
}

ginv_status ginv_mmd_rbf(int k, int na, const float *a, int nb, const float *b, double bandwidth, ginv_mmd *out)
{
    GINV_NONNULL(a);
    GINV_NONNULL(b);
    GINV_NONNULL(out);
    if (k < 1 || na < 2 * MMD_BLOCKS || nb < 2 * MMD_BLOCKS)
        return ginv_fail(GINV_ERR_ARG, "ginv_mmd_rbf: dimension %d and sample sizes %d, %d (need >= 1 and >= %d each)", k,
                         na, nb, 2 * MMD_BLOCKS);
    if (!(bandwidth >= 0) || !isfinite(bandwidth))
        return ginv_fail(GINV_ERR_ARG, "ginv_mmd_rbf: bandwidth %g (0: the median heuristic, else > 0)", bandwidth);
    ginv_status st = GINV_OK;
    if (bandwidth == 0 && (st = median_bandwidth(k, na, a, nb, b, &bandwidth)) != GINV_OK) return st;
    if (!(bandwidth > 0))
        return ginv_fail(GINV_ERR_NUMERIC, "ginv_mmd_rbf: the median distance is 0 (most points coincide)");
    double g = 1.0 / (2 * bandwidth * bandwidth), saa = 0, sbb = 0, sab = 0;
    double baa[MMD_BLOCKS] = {0}, bbb[MMD_BLOCKS] = {0}, bab[MMD_BLOCKS] = {0};
    kernel_sums(k, na, a, na, a, 1, g, &saa, baa);
    kernel_sums(k, nb, b, nb, b, 1, g, &sbb, bbb);
    kernel_sums(k, na, a, nb, b, 0, g, &sab, bab);
    /* the U-statistic: pairs i != j within a sample (each counted twice), all pairs across */
    out->mmd2 = 2 * saa / ((double)na * (na - 1)) + 2 * sbb / ((double)nb * (nb - 1)) - 2 * sab / ((double)na * nb);
    double mb = 0, vb = 0, blk[MMD_BLOCKS];
    for (int c = 0; c < MMD_BLOCKS; c++) {
        double ma = block_size(na, c), nbc = block_size(nb, c);
        blk[c] = 2 * baa[c] / (ma * (ma - 1)) + 2 * bbb[c] / (nbc * (nbc - 1)) - 2 * bab[c] / (ma * nbc);
        mb += blk[c] / MMD_BLOCKS;
    }
    for (int c = 0; c < MMD_BLOCKS; c++) vb += (blk[c] - mb) * (blk[c] - mb) / (MMD_BLOCKS - 1);
    out->se = sqrt(vb / MMD_BLOCKS);
    out->bandwidth = bandwidth;
    return GINV_OK;
}

/* the cell of one point: each coordinate's bin, clamped to the grid */
static size_t cell(int k, const float *u, const double *lo, const double *hi, int bins)
{
    size_t c = 0;
    for (int i = 0; i < k; i++) {
        double t = (u[i] - lo[i]) / (hi[i] - lo[i]) * bins;
        int j = t < 0 ? 0 : t >= bins ? bins - 1 : (int)t; /* NaN: bin 0 */
        c = c * (size_t)bins + (size_t)j;
    }
    return c;
}

ginv_status ginv_tv_grid(int k, int na, const float *a, int nb, const float *b, int bins, const double *lo,
                         const double *hi, double *out)
{
    GINV_NONNULL(a);
    GINV_NONNULL(b);
    GINV_NONNULL(lo);
    GINV_NONNULL(hi);
    GINV_NONNULL(out);
    if (k < 1 || k > 2 || na < 1 || nb < 1 || bins < 1 || bins > 4096)
        return ginv_fail(GINV_ERR_ARG, "ginv_tv_grid: dimension %d (1 or 2), sizes %d, %d (>= 1), %d bins (1..4096)", k,
                         na, nb, bins);
    for (int i = 0; i < k; i++)
        if (!(hi[i] > lo[i]) || !isfinite(lo[i]) || !isfinite(hi[i]))
            return ginv_fail(GINV_ERR_ARG, "ginv_tv_grid: axis %d's range [%g, %g] is empty or not finite", i, lo[i], hi[i]);
    size_t nc = k == 1 ? (size_t)bins : (size_t)bins * bins;
    double *h = ginv_calloc(nc, sizeof(double));
    if (!h) return ginv_fail(GINV_ERR_NOMEM, "out of memory for a grid of %zu cells", nc);
    for (int i = 0; i < na; i++) h[cell(k, a + (size_t)i * k, lo, hi, bins)] += 1.0 / na;
    for (int i = 0; i < nb; i++) h[cell(k, b + (size_t)i * k, lo, hi, bins)] -= 1.0 / nb;
    double tv = 0;
    for (size_t c = 0; c < nc; c++) tv += fabs(h[c]);
    *out = 0.5 * tv;
    ginv_free(h);
    return GINV_OK;
}
