/* sbc.c — simulation-based calibration of a sampler on a generator
 * posterior (Talts, Betancourt, Simpson, Vehtari & Gelman 2018, Algorithm 1):
 * R replicates (z0 ~ prior, y ~ likelihood given z0) sampled as one batch of
 * chains, the rank of every coordinate of z0 among its chain's draws, and a
 * uniformity test: Pearson's chi-square over equal rank bins per coordinate,
 * p-values from the regularised incomplete gamma function, Bonferroni over
 * the coordinates. Declared in ginv/sample.h ("SBC"). */
#include "ginv.h"
#include "base/check_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

void ginv_sbc_opts_init(ginv_sbc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->replicates = 100;
    o->bins = 0;
    o->alpha = 0.01;
    o->seed = 1;
}

void ginv_sbc_result_release(ginv_sbc_result *r)
{
    if (!r) return;
    ginv_free(r->ranks);
    ginv_free(r->hist);
    ginv_free(r->chi2);
    ginv_free(r->pvalue);
    ginv_free(r->ess);
    memset(r, 0, sizeof *r);
}

/* P(a, x) = gamma(a, x) / Gamma(a) by its power series
 * e^{-x} x^a / Gamma(a + 1) sum_n x^n / ((a + 1) ... (a + n)) (Abramowitz &
 * Stegun 6.5.29), for x < a + 1 where the terms fall fast. */
static double gamma_p_series(double a, double x)
{
    double term = 1.0, sum = 1.0;
    for (int n = 1; n < 10000; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < sum * 1e-16) break;
    }
    return sum * exp(a * log(x) - x - lgamma(a + 1.0));
}

/* Q(a, x) = Gamma(a, x) / Gamma(a) by Legendre's continued fraction
 * e^{-x} x^a / Gamma(a) * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / ...))
 * (A&S 6.5.31 in its even form), evaluated forward by the modified Lentz
 * method, for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a, f = b, Cn = b, D = 0.0;
    if (fabs(f) < tiny) f = Cn = tiny;
    for (int n = 1; n < 10000; n++) {
        double an = -n * (n - a);
        b += 2.0;
        D = b + an * D;
        if (fabs(D) < tiny) D = tiny;
        Cn = b + an / Cn;
        if (fabs(Cn) < tiny) Cn = tiny;
        D = 1.0 / D;
        double delta = Cn * D;
        f *= delta;
        if (fabs(delta - 1.0) < 1e-16) break;
    }
    return exp(a * log(x) - x - lgamma(a)) / f;
}

double ginv_chi2_sf(double x, double df)
{
    if (!(df > 0) || isnan(x) || isinf(df)) return NAN;
    if (x <= 0) return 1.0;
    if (isinf(x)) return 0.0;
    double a = df / 2, h = x / 2;
    return h < a + 1 ? 1.0 - gamma_p_series(a, h) : gamma_q_fraction(a, h);
}

ginv_status ginv_sbc_chi2(int k, int bins, const int *hist, double *chi2, double *pvalue)
{
    GINV_NONNULL(hist);
    GINV_NONNULL(chi2);
    GINV_NONNULL(pvalue);
    if (k < 1 || bins < 2) return ginv_fail(GINV_ERR_ARG, "SBC chi-square needs k >= 1 and bins >= 2 (k %d, bins %d)", k, bins);
    for (int j = 0; j < k; j++) {
        long R = 0;
        for (int b = 0; b < bins; b++) R += hist[(size_t)j * bins + b];
        if (R < 1) return ginv_fail(GINV_ERR_ARG, "SBC chi-square: coordinate %d has no ranks", j);
        double E = (double)R / bins, s = 0;
        for (int b = 0; b < bins; b++) {
            double d = hist[(size_t)j * bins + b] - E;
            s += d * d / E;
        }
        chi2[j] = s;
        pvalue[j] = ginv_chi2_sf(s, bins - 1);
    }
    return GINV_OK;
}

/* The options' checks: R, bins, alpha, the link, the batch. Sets *bins. */
static ginv_status check(const ginv_op *op, double sigma, const ginv_sample_opts *o,
                         const ginv_sbc_opts *so, int *bins)
{
    if (so->replicates < 2) return ginv_fail(GINV_ERR_ARG, "SBC needs at least 2 replicates, not %d", so->replicates);
    if (!(so->alpha > 0 && so->alpha < 1)) return ginv_fail(GINV_ERR_ARG, "SBC alpha must be in (0, 1), not %g", so->alpha);
    if (!(sigma > 0) || !isfinite(sigma)) return ginv_fail(GINV_ERR_ARG, "SBC needs sigma > 0, not %g", sigma);
    if (o->samples < 1) return ginv_fail(GINV_ERR_ARG, "SBC needs at least 1 kept draw per replicate");
    if (ginv_op_link(op) != GINV_LINK_LINEAR)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "SBC simulates y = A G(z0) + sigma e: operator %s is not linear",
                         ginv_op_name(op));
    if (o->temps > 1) return ginv_fail(GINV_ERR_UNSUPPORTED, "SBC runs one chain per replicate: no tempering (temps %d)", o->temps);
    if (o->init == GINV_CHAIN_INIT_GIVEN) return ginv_fail(GINV_ERR_ARG, "SBC chains cannot start at given points (one per replicate)");
    if (o->metric && o->metric_rows != 1 && o->metric_rows != so->replicates)
        return ginv_fail(GINV_ERR_ARG, "SBC: metric rows %d are neither 1 nor the %d replicates", o->metric_rows, so->replicates);
    int L1 = o->samples + 1, B = so->bins;
    for (int b = 20; B == 0 && b >= 2; b--)
        if (L1 % b == 0) B = b;
    if (B < 2 || L1 % B)
        return ginv_fail(GINV_ERR_ARG, "SBC bins %d must be >= 2 and divide the %d possible ranks (draws + 1)%s",
                         B, L1, so->bins ? "" : ": choose the draws so that draws + 1 has a divisor in 2 .. 20");
    *bins = B;
    return GINV_OK;
}

/* Replicate r's z0 ~ N(0, I) and y = A G(z0) + sigma e, all R in one batch. */
static ginv_status simulate(ginv_net *net, const ginv_op *op, double sigma, int R, uint64_t seed,
                            float *z0, float *y)
{
    int k = ginv_net_in(net), m = ginv_op_m(op);
    for (int r = 0; r < R; r++) {
        ginv_rng g;
        ginv_rng_init(&g, seed, GINV_STREAM_SBC_TRUTH, (uint64_t)r);
        ginv_rng_normal_f32(&g, z0 + (size_t)r * k, (size_t)k, 1.0);
    }
    ginv_net_ws *ws = NULL;
    ginv_status st = ginv_net_ws_new(&ws, net, R);
    if (st != GINV_OK) return st;
    ginv_op_apply(op, R, ginv_net_forward(net, ws, R, z0), y);
    ginv_net_ws_free(ws);
    for (int r = 0; r < R; r++) {
        ginv_rng g;
        ginv_rng_init(&g, seed, GINV_STREAM_SBC_NOISE, (uint64_t)r);
        for (int i = 0; i < m; i++) y[(size_t)r * m + i] += (float)(sigma * ginv_rng_normal(&g));
    }
    return GINV_OK;
}

/* Ranks, histograms and the single-chain ESS of every (replicate,
 * coordinate) from the sampler's draws (S x R x k). */
static ginv_status rank_draws(const ginv_sample_result *s, const float *z0, ginv_sbc_result *res)
{
    int R = res->R, L = res->L, k = res->k, B = res->bins;
    double *x = ginv_malloc((size_t)L * sizeof *x);
    if (!x) return ginv_fail(GINV_ERR_NOMEM, "out of memory for SBC ranks");
    for (int j = 0; j < k; j++) {
        double ess_sum = 0;
        int ess_n = 0;
        for (int r = 0; r < R; r++) {
            int rank = 0;
            float t = z0[(size_t)r * k + j];
            for (int d = 0; d < L; d++) {
                float v = s->samples[((size_t)d * R + r) * k + j];
                rank += v < t;
                x[d] = v;
            }
            res->ranks[(size_t)r * k + j] = rank;
            res->hist[(size_t)j * B + (int)((long)rank * B / (L + 1))]++;
            double e = ginv_diag_ess(L, 1, x);
            if (isfinite(e)) ess_sum += e, ess_n++;
        }
        res->ess[j] = ess_n ? ess_sum / ess_n : NAN;
    }
    ginv_free(x);
    return GINV_OK;
}

/* The verdict: min p, Bonferroni's family-wise p, pass. */
static void verdict(ginv_sbc_result *res)
{
    res->min_p = INFINITY;
    for (int j = 0; j < res->k; j++) res->min_p = fmin(res->min_p, res->pvalue[j]);
    res->p_bonferroni = fmin(1.0, res->k * res->min_p);
    res->pass = res->min_p > res->alpha / res->k;
}

ginv_status ginv_sbc_run(ginv_net *net, const ginv_op *op, double sigma, const ginv_sample_opts *o,
                         const ginv_sbc_opts *so, ginv_sbc_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(o);
    GINV_NONNULL(so);
    int B = 0, R = so->replicates, k = ginv_net_in(net), m = ginv_op_m(op);
    ginv_status st = check(op, sigma, o, so, &B);
    if (st != GINV_OK) return st;
    if (ginv_op_n(op) != ginv_net_out(net))
        return ginv_fail(GINV_ERR_SHAPE, "SBC: the operator takes %d values, G gives %d", ginv_op_n(op), ginv_net_out(net));
    *res = (ginv_sbc_result){.R = R, .L = o->samples, .k = k, .bins = B, .alpha = so->alpha};
    float *z0 = ginv_malloc((size_t)R * k * sizeof *z0), *y = ginv_malloc((size_t)R * m * sizeof *y);
    res->ranks = ginv_malloc((size_t)R * k * sizeof *res->ranks);
    res->hist = ginv_calloc((size_t)k * B, sizeof *res->hist);
    res->chi2 = ginv_malloc((size_t)k * sizeof *res->chi2);
    res->pvalue = ginv_malloc((size_t)k * sizeof *res->pvalue);
    res->ess = ginv_malloc((size_t)k * sizeof *res->ess);
    ginv_posterior *post = NULL;
    ginv_sample_result s;
    memset(&s, 0, sizeof s);
    if (!z0 || !y || !res->ranks || !res->hist || !res->chi2 || !res->pvalue || !res->ess)
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for SBC with %d replicates", R);
    if (st == GINV_OK) st = simulate(net, op, sigma, R, so->seed, z0, y);
    if (st == GINV_OK) st = ginv_posterior_new(&post, net, op, y, R, sigma, GINV_PRIOR_GAUSSIAN, R);
    if (st == GINV_OK) {
        ginv_sample_opts oo = *o;
        oo.chains = R;
        st = ginv_sample_run(post, &oo, &s);
    }
    if (st == GINV_OK) st = rank_draws(&s, z0, res);
    if (st == GINV_OK) st = ginv_sbc_chi2(k, B, res->hist, res->chi2, res->pvalue);
    if (st == GINV_OK) {
        verdict(res);
        res->accept_rate = s.accept_rate;
        res->seconds = s.seconds;
        for (int c = 0; s.divergences && c < R; c++) res->divergences += s.divergences[c];
    }
    ginv_sample_result_release(&s);
    ginv_posterior_free(post);
    ginv_free(z0);
    ginv_free(y);
    if (st != GINV_OK) ginv_sbc_result_release(res);
    return st;
}
