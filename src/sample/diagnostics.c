/* diagnostics.c — MCMC diagnostics of Vehtari, Gelman, Simpson, Carpenter &
 * Bürkner (2021), "Rank-normalization, folding, and localization: an improved
 * R-hat": split chains, rank-normalised split R-hat (bulk and folded), bulk-
 * and tail-ESS from Geyer's initial monotone sequence of the autocorrelations
 * combined across chains, and the MCSE of the mean. Draws are x[s * M + c]
 * (draw s of chain c), as the kept samples are stored. */
#include "ginv.h"

#include <math.h>
#include <stdlib.h> /* qsort */
#include <string.h>

/* Phi^{-1}(p): Abramowitz & Stegun 26.2.23 as a start, then Halley steps on
 * Phi(x) = erfc(-x / sqrt 2) / 2 to full double precision. */
double ginv_normal_quantile(double p)
{
    if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    if (p > 0.5) return -ginv_normal_quantile(1.0 - p);
    double t = sqrt(-2.0 * log(p));
    double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                         (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
    for (int it = 0; it < 50; it++) {
        double e = 0.5 * erfc(-x / sqrt(2.0)) - p;
        double u = e * sqrt(2.0 * M_PI) * exp(0.5 * x * x);
        double dx = u / (1.0 + 0.5 * x * u);
        x -= dx;
        if (fabs(dx) <= 1e-16 * fabs(x)) break;
    }
    return x;
}

/* Chain means (M) and the within-chain variance W (eq. 3: mean of the s_m^2,
 * divisor N - 1); returns var+ = (N-1)/N W + B/N with B/N the variance of
 * the chain means (divisor M - 1; 0 for one chain), eq. 3-4. */
static double var_plus(int N, int M, const double *x, double *means, double *W)
{
    double w = 0;
    for (int c = 0; c < M; c++) {
        double m = 0;
        for (int s = 0; s < N; s++) m += x[(size_t)s * M + c];
        m /= N;
        double v = 0;
        for (int s = 0; s < N; s++) {
            double d = x[(size_t)s * M + c] - m;
            v += d * d;
        }
        means[c] = m;
        w += v / (N - 1);
    }
    w /= M;
    double gm = 0, b = 0;
    for (int c = 0; c < M; c++) gm += means[c];
    gm /= M;
    for (int c = 0; c < M; c++) b += (means[c] - gm) * (means[c] - gm);
    b = M > 1 ? b / (M - 1) : 0.0; /* = B / N */
    *W = w;
    return (N - 1.0) / N * w + b;
}

/* R-hat = sqrt(var+ / W) (Vehtari et al. eq. 4) for the chains as given. */
double ginv_diag_rhat(int N, int M, const double *x)
{
    if (N < 2 || M < 1) return NAN;
    double *means = ginv_malloc((size_t)M * sizeof(double)), W;
    if (!means) return NAN;
    double vp = var_plus(N, M, x, means, &W);
    ginv_free(means);
    return W > 0 ? sqrt(vp / W) : NAN;
}

/* ESS = N M / tau, tau = -1 + 2 sum_k P_k, P_k = rho_{2k} + rho_{2k+1} summed
 * while positive and made monotone (Geyer's initial monotone sequence), with
 * rho_t = 1 - (W - mean_m s_m^2 rho_{t,m}) / var+ (eq. 10), rho_{t,m} chain
 * m's autocorrelation at lag t (autocovariances with divisor N, rho_{0,m} = 1);
 * tau is kept >= 1/log10(NM) (ESS <= NM log10(NM) for antithetic chains). */
double ginv_diag_ess(int N, int M, const double *x)
{
    if (N < 4 || M < 1) return NAN;
    double *means = ginv_malloc((size_t)M * sizeof(double)), *acov0 = ginv_malloc((size_t)M * sizeof(double));
    double *s2 = ginv_malloc((size_t)M * sizeof(double));
    if (!means || !acov0 || !s2) {
        ginv_free(means);
        ginv_free(acov0);
        ginv_free(s2);
        return NAN;
    }
    double W, vp = var_plus(N, M, x, means, &W);
    double ess = NAN;
    if (W > 0) {
        for (int c = 0; c < M; c++) {
            double a = 0;
            for (int s = 0; s < N; s++) {
                double d = x[(size_t)s * M + c] - means[c];
                a += d * d;
            }
            acov0[c] = a / N;
            s2[c] = a / (N - 1);
        }
        /* rho_t, computed lazily: the sum usually stops long before N */
        double tau_half = 0, prev = INFINITY; /* sum of P_k; P_{k-1} */
        for (int k = 0; 2 * k + 1 < N; k++) {
            double P = 0;
            for (int t = 2 * k; t <= 2 * k + 1; t++) {
                double acc = 0;
                for (int c = 0; c < M; c++) {
                    if (acov0[c] <= 0) continue; /* a constant chain: no autocorrelation term */
                    double a = 0;
                    for (int s = 0; s + t < N; s++)
                        a += (x[(size_t)s * M + c] - means[c]) * (x[(size_t)(s + t) * M + c] - means[c]);
                    acc += s2[c] * (a / N) / acov0[c];
                }
                P += 1.0 - (W - acc / M) / vp;
            }
            if (!(P > 0)) break;
            if (P > prev) P = prev;
            tau_half += P;
            prev = P;
        }
        double NM = (double)N * M;
        double tau = -1.0 + 2.0 * tau_half;
        double floor_ = 1.0 / log10(NM);
        if (!(tau >= floor_)) tau = floor_;
        ess = NM / tau;
    }
    ginv_free(means);
    ginv_free(acov0);
    ginv_free(s2);
    return ess;
}

/* Split each of M chains into halves: 2M chains of N/2 (a middle draw of an
 * odd N dropped). y[s * 2M + c] is the first half of chain c, y[s * 2M + M + c]
 * its second. */
static void split_chains(int N, int M, const double *x, double *y)
{
    int h = N / 2;
    for (int s = 0; s < h; s++)
        for (int c = 0; c < M; c++) {
            y[(size_t)s * 2 * M + c] = x[(size_t)s * M + c];
            y[(size_t)s * 2 * M + M + c] = x[(size_t)(N - h + s) * M + c];
        }
}

static const double *sort_base;
static int cmp_index(const void *a, const void *b)
{
    double x = sort_base[*(const size_t *)a], y = sort_base[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Rank-normalisation (eq. 14): z = Phi^{-1}((r - 3/8) / (n + 1/4)), r the
 * rank among all n pooled draws (ties get their average rank). */
static int rank_normalise(size_t n, const double *x, double *z)
{
    size_t *idx = ginv_malloc(n * sizeof(size_t));
    if (!idx) return -1;
    for (size_t i = 0; i < n; i++) idx[i] = i;
    sort_base = x;
    qsort(idx, n, sizeof *idx, cmp_index);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        double r = 0.5 * ((double)(i + 1) + (double)(j + 1));
        double q = ginv_normal_quantile((r - 0.375) / ((double)n + 0.25));
        for (size_t t = i; t <= j; t++) z[idx[t]] = q;
        i = j + 1;
    }
    ginv_free(idx);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The p-quantile of sorted v (n) by linear interpolation (type 7). */
static double quantile_sorted(const double *v, size_t n, double p)
{
    double h = (n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

/* All of Vehtari et al.'s summaries of one quantity: split R-hat of the
 * rank-normalised and of the folded (|x - median|) draws, bulk-ESS (split,
 * rank-normalised), tail-ESS (min over the 5% and 95% quantile indicators),
 * the ESS of the raw split draws and MCSE(mean) = sd / sqrt(ESS). */
ginv_status ginv_diag_compute(int N, int M, const double *x, ginv_diag *d)
{
    if (N < 4 || M < 1)
        return ginv_fail(GINV_ERR_ARG, "diagnostics need at least 4 draws per chain and 1 chain "
                                       "(got %d x %d)", N, M);
    size_t n = (size_t)N * M;
    int h = N / 2, M2 = 2 * M;
    size_t nh = (size_t)h * M2;
    double *z = ginv_malloc(n * sizeof(double)), *sorted = ginv_malloc(n * sizeof(double));
    double *sp = ginv_malloc(nh * sizeof(double)), *tmp = ginv_malloc(n * sizeof(double));
    if (!z || !sorted || !sp || !tmp) {
        ginv_free(z);
        ginv_free(sorted);
        ginv_free(sp);
        ginv_free(tmp);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for diagnostics of %zu draws", n);
    }
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= n;
    for (size_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    d->mean = mean;
    d->sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
    memcpy(sorted, x, n * sizeof(double));
    qsort(sorted, n, sizeof(double), cmp_double);
    /* bulk: rank-normalised split chains */
    rank_normalise(n, x, z);
    split_chains(N, M, z, sp);
    d->rhat_bulk = ginv_diag_rhat(h, M2, sp);
    d->ess_bulk = ginv_diag_ess(h, M2, sp);
    /* folded: |x - median|, rank-normalised */
    double med = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    for (size_t i = 0; i < n; i++) tmp[i] = fabs(x[i] - med);
    rank_normalise(n, tmp, z);
    split_chains(N, M, z, sp);
    double rf = ginv_diag_rhat(h, M2, sp);
    d->rhat = isnan(d->rhat_bulk) || isnan(rf) ? NAN : fmax(d->rhat_bulk, rf);
    /* tail: indicators of the 5% and 95% quantiles */
    double e[2];
    for (int j = 0; j < 2; j++) {
        double q = quantile_sorted(sorted, n, j == 0 ? 0.05 : 0.95);
        for (size_t i = 0; i < n; i++) tmp[i] = x[i] <= q ? 1.0 : 0.0;
        split_chains(N, M, tmp, sp);
        e[j] = ginv_diag_ess(h, M2, sp);
    }
    d->ess_tail = isnan(e[0]) || isnan(e[1]) ? NAN : fmin(e[0], e[1]);
    /* the mean: raw split chains */
    split_chains(N, M, x, sp);
    d->ess_mean = ginv_diag_ess(h, M2, sp);
    d->mcse_mean = d->sd / sqrt(d->ess_mean);
    ginv_free(z);
    ginv_free(sorted);
    ginv_free(sp);
    ginv_free(tmp);
    return GINV_OK;
}
