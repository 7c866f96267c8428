/* rhat_curve.c — R-hat against run length, from one run: "had the chains
 * been stopped after T steps, with the usual first half discarded, would
 * max R-hat have been below the threshold?" For geometric kept-draw counts
 * T_1 < ... < T_P = S it gives the largest rank-normalised split R-hat
 * (Vehtari et al. 2021) over the latent coordinates of draws [T_i/2, T_i),
 * and the first run length from which it stays below the threshold. This is
 * the measure of Pareek & Risteski's GD->Langevin experiment (issue 5):
 * steps to R-hat < 1.01 from the GD start against random starts. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>

ginv_status ginv_sample_rhat_curve(const ginv_sample_result *r, long burn_in, int thin,
                                   double threshold, ginv_rhat_curve *out)
{
    GINV_NONNULL(out);
    *out = (ginv_rhat_curve){.points = 0, .threshold = threshold, .steps_to_threshold = -1};
    GINV_NONNULL(r);
    int S = r->S, C = r->C, k = r->k;
    if (S < 8) return ginv_fail(GINV_ERR_ARG, "an R-hat curve needs at least 8 kept samples per chain");
    if (thin < 1 || burn_in < 0) return ginv_fail(GINV_ERR_ARG, "thin must be >= 1 and burn-in >= 0");
    /* geometric T from 8 to S, distinct integers, S always last */
    int P = 0;
    for (int i = 0; i < GINV_RHAT_CURVE_MAX; i++) {
        double t = 8.0 * pow((double)S / 8.0, (double)i / (GINV_RHAT_CURVE_MAX - 1));
        int T = i == GINV_RHAT_CURVE_MAX - 1 ? S : (int)lround(t);
        if (T < 8) T = 8;
        if (P && T <= out->kept[P - 1]) continue;
        out->kept[P++] = T;
    }
    double *x = ginv_malloc((size_t)S * C * sizeof *x);
    if (!x) return ginv_fail(GINV_ERR_NOMEM, "out of memory for the R-hat curve");
    for (int p = 0; p < P; p++) {
        int T = out->kept[p], lo = T / 2, N = T - lo;
        double worst = -INFINITY;
        for (int j = 0; j < k; j++) {
            for (int s = 0; s < N; s++)
                for (int c = 0; c < C; c++)
                    x[(size_t)s * C + c] = r->samples[((size_t)(lo + s) * C + c) * k + j];
            double rh = ginv_diag_rhat_rank(N, C, x);
            /* a constant coordinate (NaN) makes the whole point unknown */
            worst = isnan(rh) || isnan(worst) ? NAN : fmax(worst, rh);
        }
        out->steps[p] = burn_in + (long)T * thin;
        out->max_rhat[p] = worst;
    }
    ginv_free(x);
    out->points = P;
    for (int p = P - 1; p >= 0 && out->max_rhat[p] < threshold; p--)
        out->steps_to_threshold = out->steps[p];
    return GINV_OK;
}
