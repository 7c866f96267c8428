/* diagnostics.c — MCMC diagnostics of Vehtari, Gelman, Simpson, Carpenter &
 * Bürkner (2021), "Rank-normalization, folding, and localization: an improved
 * R-hat": split chains, rank-normalised split R-hat (bulk and folded), bulk-
 * and tail-ESS from Geyer's initial monotone sequence of the autocorrelations
 * combined across chains, and the MCSE of the mean. Draws are x[s * M + c]
 * (draw s of chain c), as the kept samples are stored. Where the paper's
 * equations leave a choice, ginv follows Stan and the R package posterior,
 * its authors' reference implementation, to 1e-14 (make test-oracles): ranks
 * among the split draws (an odd chain's middle draw left out), the folding
 * about the median of every draw, autocovariances with divisor N, and
 * Geyer's truncation with the last positive even lag. */
#include "ginv.h"
#include "base/fft_lock.h"

#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h> /* realloc */
#include <string.h>

/* Phi^{-1}(p): P. J. Acklam's rational approximation (relative error below
 * 1.2e-9) as a start, then Halley steps on Phi(x) = erfc(-x / sqrt 2) / 2.
 * Halley converges cubically, so once a step moves x by at most 1e-8 the
 * error left is far below double rounding: usually one step. */
double ginv_normal_quantile(double p)
{
    if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double x;
    if (p < 0.02425 || p > 1 - 0.02425) { /* tails */
        double q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        if (p > 0.5) x = -x;
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    for (int it = 0; it < 50; it++) {
        /* the upper tail through the lower one: erfc keeps its relative precision there */
        double e = p > 0.5 ? (1 - p) - 0.5 * erfc(x / sqrt(2.0)) : 0.5 * erfc(-x / sqrt(2.0)) - p;
        double u = e * sqrt(2.0 * M_PI) * exp(0.5 * x * x);
        double dx = u / (1.0 + 0.5 * x * u);
        x -= dx;
        if (fabs(dx) <= 1e-8 * fmax(fabs(x), 1.0)) break;
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

/* Chain c's autocovariance sums a[t] = sum_s d_s d_{s+t}, t < N, of its
 * centred draws d_s = x[s * M + c] - mean, by FFT: |F(d padded to L >= 2N)|^2
 * transformed back (Wiener-Khinchin; the padding makes the correlation
 * linear, not circular). O(N log N) where the direct sum is O(N lags). */
typedef struct {
    int L;
    double *buf;
    fftw_complex *spec;
    fftw_plan fwd, inv;
} acov_fft;

static int acov_fft_init(acov_fft *f, int N)
{
    int L = 1;
    while (L < 2 * N) L *= 2;
    f->L = L;
    f->buf = fftw_malloc(sizeof(double) * (size_t)L);
    f->spec = fftw_malloc(sizeof(fftw_complex) * (size_t)(L / 2 + 1));
    f->fwd = f->inv = NULL;
    if (f->buf && f->spec) {
        ginv_fft_plan_lock(); /* FFTW's planner is not thread-safe */
        f->fwd = fftw_plan_dft_r2c_1d(L, f->buf, f->spec, FFTW_ESTIMATE);
        f->inv = fftw_plan_dft_c2r_1d(L, f->spec, f->buf, FFTW_ESTIMATE);
        ginv_fft_plan_unlock();
    }
    return f->fwd && f->inv ? 0 : -1;
}

static void acov_fft_free(acov_fft *f)
{
    ginv_fft_plan_lock();
    if (f->fwd) fftw_destroy_plan(f->fwd);
    if (f->inv) fftw_destroy_plan(f->inv);
    ginv_fft_plan_unlock();
    fftw_free(f->buf);
    fftw_free(f->spec);
}

static void acov_sums(acov_fft *f, int N, int M, const double *x, int c, double mean, double *a)
{
    for (int s = 0; s < N; s++) f->buf[s] = x[(size_t)s * M + c] - mean;
    for (int s = N; s < f->L; s++) f->buf[s] = 0;
    fftw_execute(f->fwd);
    for (int i = 0; i <= f->L / 2; i++) {
        double re = f->spec[i][0], im = f->spec[i][1];
        f->spec[i][0] = re * re + im * im;
        f->spec[i][1] = 0;
    }
    fftw_execute(f->inv); /* unnormalised: L times the sums */
    for (int t = 0; t < N; t++) a[t] = f->buf[t] / f->L;
}

/* ESS = N M / tau (Vehtari et al. 2021, eqs. 10-11) as Stan and the R package
 * posterior compute it, the oracle of make test-oracles:
 *   rho_t = 1 - (W - a_t) / var+, a_t the mean over chains of the lag-t
 *   autocovariance with divisor N (the paper writes s_m^2 rho_{t,m}, which
 *   has divisor N - 1: the implementations, and ginv, use N);
 *   Geyer's initial positive sequence: pairs (rho_{2k}, rho_{2k+1}) kept
 *   while their sum is positive (lags below N - 3), then made monotone (a
 *   pair above the one before is replaced by that one's mean twice);
 *   tau = -1 + 2 sum_{t < T} rho_t + rho_T, T the lag where the pairs
 *   stopped, rho_T its even term when positive (0 otherwise); with no pair
 *   after the first, posterior's R sums rho_0 once (its 1:0 is c(1, 0)) and
 *   so does ginv;
 *   tau is kept >= 1/log10(NM) (ESS <= NM log10(NM) for antithetic chains). */
double ginv_diag_ess(int N, int M, const double *x)
{
    if (N < 4 || M < 1) return NAN;
    double *means = ginv_malloc((size_t)M * sizeof(double));
    double *ac = ginv_malloc((size_t)M * N * sizeof(double)); /* chain c's sums at ac + c * N */
    double *am = ginv_malloc((size_t)N * sizeof(double)), *rho = ginv_calloc((size_t)N + 2, sizeof(double));
    acov_fft f = {0};
    double ess = NAN;
    if (!means || !ac || !am || !rho || acov_fft_init(&f, N)) goto done;
    double W, vp = var_plus(N, M, x, means, &W);
    if (W > 0) {
        for (int c = 0; c < M; c++) acov_sums(&f, N, M, x, c, means[c], ac + (size_t)c * N);
        for (int t = 0; t < N; t++) { /* a_t: autocovariances with divisor N, averaged over chains */
            double s = 0;
            for (int c = 0; c < M; c++) s += ac[(size_t)c * N + t];
            am[t] = s / N / M;
        }
        double even = 1.0, odd = 1.0 - (W - am[1]) / vp;
        rho[0] = even, rho[1] = odd;
        int t = 0;
        while (t < N - 5 && !isnan(even + odd) && even + odd > 0) {
            t += 2;
            even = 1.0 - (W - am[t]) / vp;
            odd = 1.0 - (W - am[t + 1]) / vp;
            if (even + odd >= 0) rho[t] = even, rho[t + 1] = odd;
        }
        int T = t;
        if (even > 0) rho[T] = even;
        for (t = 2; t <= T - 2; t += 2) /* the initial monotone sequence */
            if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) rho[t] = rho[t + 1] = (rho[t - 2] + rho[t - 1]) / 2;
        double sum = 0;
        for (t = 0; t < (T > 0 ? T : 1); t++) sum += rho[t];
        double NM = (double)N * M, tau = -1.0 + 2.0 * sum + rho[T];
        double floor_ = 1.0 / log10(NM);
        if (!(tau >= floor_)) tau = floor_;
        ess = NM / tau;
    }
done:
    acov_fft_free(&f);
    ginv_free(means);
    ginv_free(ac);
    ginv_free(am);
    ginv_free(rho);
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

/* The order of x (n values, finite or infinite, no NaN): LSD radix sort of
 * the doubles' bits mapped to order-preserving unsigned keys (sign bit
 * flipped for positives, all bits for negatives), 8 passes of 8 bits, a pass
 * skipped when every key has the same byte there. Stable; O(n). ord gets the
 * indices in ascending order of x; returns -1 when out of memory. */
static int sort_order(size_t n, const double *x, size_t *ord)
{
    uint64_t *k0 = ginv_malloc(n * sizeof *k0), *k1 = ginv_malloc(n * sizeof *k1);
    size_t *i1 = ginv_malloc(n * sizeof *i1);
    if (!k0 || !k1 || !i1) {
        ginv_free(k0);
        ginv_free(k1);
        ginv_free(i1);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &x[i], sizeof u);
        k0[i] = u >> 63 ? ~u : u | 0x8000000000000000ull;
        ord[i] = i;
    }
    uint64_t *ka = k0, *kb = k1;
    size_t *ia = ord, *ib = i1;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++) cnt[((ka[i] >> shift) & 0xFF) + 1]++;
        if (n && cnt[((ka[0] >> shift) & 0xFF) + 1] == n) continue; /* one byte value: nothing moves */
        for (int d = 0; d < 256; d++) cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++) {
            size_t at = cnt[(ka[i] >> shift) & 0xFF]++;
            kb[at] = ka[i];
            ib[at] = ia[i];
        }
        uint64_t *tk = ka; ka = kb; kb = tk;
        size_t *ti = ia; ia = ib; ib = ti;
    }
    if (ia != ord) memcpy(ord, ia, n * sizeof *ord);
    ginv_free(k0);
    ginv_free(k1);
    ginv_free(i1);
    return 0;
}

/* The normal scores of the integer ranks 1..n, kept per thread for the last
 * n: every coordinate of a run (and its folded draws) has the same n, and
 * without ties the scores depend on the rank alone. The cache lives in
 * thread-specific data whose destructor frees it when the thread ends (a
 * sweep's worker threads compute diagnostics too). */
typedef struct {
    size_t n;
    double *q;
} score_cache;

static pthread_key_t score_key;
static pthread_once_t score_once = PTHREAD_ONCE_INIT;
static int score_key_ok;

static void score_cache_free(void *p)
{
    score_cache *c = p;
    if (c) free(c->q);
    free(c);
}

static void score_key_init(void) { score_key_ok = pthread_key_create(&score_key, score_cache_free) == 0; }

static const double *rank_scores(size_t n)
{
    pthread_once(&score_once, score_key_init);
    if (!score_key_ok) return NULL;
    score_cache *c = pthread_getspecific(score_key);
    if (!c) {
        if (!(c = calloc(1, sizeof *c))) return NULL;
        if (pthread_setspecific(score_key, c) != 0) {
            free(c);
            return NULL;
        }
    }
    if (c->n == n && c->q) return c->q;
    double *q = realloc(c->q, n * sizeof *q);
    if (!q) return NULL;
    c->q = q;
    c->n = n;
    for (size_t r = 1; r <= n; r++) q[r - 1] = ginv_normal_quantile(((double)r - 0.375) / ((double)n + 0.25));
    return q;
}

/* Rank-normalisation (eq. 14): z = Phi^{-1}((r - 3/8) / (n + 1/4)), r the
 * rank among all n pooled draws (ties get their average rank). z may be x.
 * sorted (may be NULL) gets the draws in ascending order. */
static int rank_normalise(size_t n, const double *x, double *z, double *sorted)
{
    size_t *ord = ginv_malloc(n * sizeof *ord);
    const double *q = rank_scores(n);
    if (!ord || !q || sort_order(n, x, ord)) {
        ginv_free(ord);
        return -1;
    }
    if (sorted)
        for (size_t i = 0; i < n; i++) sorted[i] = x[ord[i]];
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double v = x[ord[i]];
        while (j + 1 < n && x[ord[j + 1]] == v) j++;
        double sc = i == j ? q[i]
                           : ginv_normal_quantile((0.5 * ((double)(i + 1) + (double)(j + 1)) - 0.375) /
                                                  ((double)n + 0.25));
        for (size_t t = i; t <= j; t++) z[ord[t]] = sc;
        i = j + 1;
    }
    ginv_free(ord);
    return 0;
}

/* The p-quantile of sorted v (n) by linear interpolation (type 7). */
static double quantile_sorted(const double *v, size_t n, double p)
{
    double h = (n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n) return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

/* Scratch for n = N M draws. */
typedef struct {
    double *z, *sorted, *sp, *tmp;
} diag_ws;

static void diag_ws_free(diag_ws *w)
{
    ginv_free(w->z);
    ginv_free(w->sorted);
    ginv_free(w->sp);
    ginv_free(w->tmp);
}

static ginv_status diag_ws_new(diag_ws *w, int N, int M)
{
    size_t n = (size_t)N * M, nh = (size_t)(N / 2) * 2 * M;
    w->z = ginv_malloc(n * sizeof(double));
    w->sorted = ginv_malloc(n * sizeof(double));
    w->sp = ginv_malloc(nh * sizeof(double));
    w->tmp = ginv_malloc(n * sizeof(double));
    if (w->z && w->sorted && w->sp && w->tmp) return GINV_OK;
    diag_ws_free(w);
    return ginv_fail(GINV_ERR_NOMEM, "out of memory for diagnostics of %zu draws", n);
}

/* The two R-hats of Vehtari et al. (eq. 4 on split chains): of the
 * rank-normalised draws (bulk) and of the rank-normalised folded draws
 * |x - median|. Leaves the bulk's split chains in w->sp (for the bulk-ESS)
 * and x sorted in w->sorted. */
static int rank_rhats(int N, int M, const double *x, diag_ws *w, double *bulk, double *folded)
{
    size_t n = (size_t)N * M;
    int h = N / 2, M2 = 2 * M;
    size_t ns = (size_t)h * M2; /* the split draws: an odd N leaves the middle draw out */
    if (rank_normalise(n, x, w->z, w->sorted)) return -1; /* w->sorted: every draw, in order */
    /* the folded draws about the median of every draw; then split, then
     * ranked among the split draws (posterior's z_scale(split(fold(x)))) */
    double med = n % 2 ? w->sorted[n / 2] : 0.5 * (w->sorted[n / 2 - 1] + w->sorted[n / 2]);
    for (size_t i = 0; i < n; i++) w->tmp[i] = fabs(x[i] - med);
    split_chains(N, M, w->tmp, w->sp);
    if (rank_normalise(ns, w->sp, w->sp, NULL)) return -1;
    *folded = ginv_diag_rhat(h, M2, w->sp);
    split_chains(N, M, x, w->sp);
    if (rank_normalise(ns, w->sp, w->sp, NULL)) return -1;
    *bulk = ginv_diag_rhat(h, M2, w->sp);
    return 0;
}

double ginv_diag_rhat_rank(int N, int M, const double *x)
{
    diag_ws w;
    if (N < 4 || M < 1 || diag_ws_new(&w, N, M) != GINV_OK) return NAN;
    double b = NAN, f = NAN;
    if (rank_rhats(N, M, x, &w, &b, &f)) ginv_fail(GINV_ERR_NOMEM, "out of memory for R-hat");
    diag_ws_free(&w);
    return isnan(b) || isnan(f) ? NAN : fmax(b, f);
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
    diag_ws w;
    ginv_status st = diag_ws_new(&w, N, M);
    if (st != GINV_OK) return st;
    double mean = 0, ss = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= n;
    for (size_t i = 0; i < n; i++) ss += (x[i] - mean) * (x[i] - mean);
    d->mean = mean;
    d->sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
    double rf;
    if (rank_rhats(N, M, x, &w, &d->rhat_bulk, &rf)) {
        diag_ws_free(&w);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for diagnostics of %zu draws", n);
    }
    d->ess_bulk = ginv_diag_ess(h, M2, w.sp); /* bulk: the rank-normalised split chains */
    d->rhat = isnan(d->rhat_bulk) || isnan(rf) ? NAN : fmax(d->rhat_bulk, rf);
    /* tail: indicators of the 5% and 95% quantiles */
    double e[2];
    for (int j = 0; j < 2; j++) {
        double q = quantile_sorted(w.sorted, n, j == 0 ? 0.05 : 0.95);
        for (size_t i = 0; i < n; i++) w.tmp[i] = x[i] <= q ? 1.0 : 0.0;
        split_chains(N, M, w.tmp, w.sp);
        e[j] = ginv_diag_ess(h, M2, w.sp);
    }
    d->ess_tail = isnan(e[0]) || isnan(e[1]) ? NAN : fmin(e[0], e[1]);
    /* the mean: raw split chains */
    split_chains(N, M, x, w.sp);
    d->ess_mean = ginv_diag_ess(h, M2, w.sp);
    d->mcse_mean = d->sd / sqrt(d->ess_mean);
    diag_ws_free(&w);
    return GINV_OK;
}
