/* pr_lemma3.c — the constants of Pareek & Risteski (2021) Lemma 3 (§5.2:
 * rad(D) and beta_0, the unnumbered displays of the lemma's statement) and
 * Lemma 12 (App. C: the bound on rad(D) that the proof of Lemma 4 uses),
 * evaluated exactly as printed (ginv/theory.h). */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>

static int positive(double v) { return v > 0 && isfinite(v); }

ginv_status ginv_pr_lemma3_eval(int d, double m, double M, double M2, double M3, double eps, double x_norm,
                                double beta, ginv_pr_lemma3 *out)
{
    GINV_NONNULL(out);
    if (d < 1) return ginv_fail(GINV_ERR_ARG, "ginv_pr_lemma3_eval: d = %d (>= 1)", d);
    const char *names[4] = {"m", "M", "M2", "M3"};
    double vals[4] = {m, M, M2, M3};
    for (int i = 0; i < 4; i++)
        if (!(i < 2 ? positive(vals[i]) : vals[i] >= 0 && isfinite(vals[i])))
            return ginv_fail(GINV_ERR_ARG, "ginv_pr_lemma3_eval: %s = %g (finite and %s 0)", names[i], vals[i],
                             i < 2 ? ">" : ">=");
    if (!(eps > 0 && eps < 1)) return ginv_fail(GINV_ERR_ARG, "ginv_pr_lemma3_eval: eps = %g (in (0, 1))", eps);
    if (!(x_norm >= 0 && isfinite(x_norm)))
        return ginv_fail(GINV_ERR_ARG, "ginv_pr_lemma3_eval: ||x|| = %g (finite and >= 0)", x_norm);
    if (!isnan(beta) && !positive(beta))
        return ginv_fail(GINV_ERR_ARG, "ginv_pr_lemma3_eval: beta = %g (finite and > 0, or NaN: not given)", beta);
    /* Lemma 3: A = 2d + ||x||^2/m^2 appears twice, as A log(4A / eps) */
    double A = 2.0 * d + x_norm * x_norm / (m * m);
    double root = sqrt(A * log(4.0 * A / eps));
    out->A = A;
    /* Lemma 3, beta_0 = 4 / (d sqrt(A log(4A/eps))) * min{m^3/(6 M M2), d^0.75 m^2 / sqrt(2 M M3)} */
    out->term_m2 = m * m * m / (6.0 * M * M2);
    out->term_m3 = pow(d, 0.75) * m * m / sqrt(2.0 * M * M3);
    out->beta0 = 4.0 / (d * root) * fmin(out->term_m2, out->term_m3);
    /* Lemma 3, rad(D) = (4 beta / m) sqrt(A log(4A/eps)) */
    out->rad_beta0 = 4.0 * out->beta0 / m * root;
    out->rad_beta = isnan(beta) ? NAN : 4.0 * beta / m * root;
    /* Lemma 12: rad(D) <= min{m^2 / (6 d M M2), m / sqrt(2 sqrt(d) M M3)} */
    out->lemma12 = fmin(m * m / (6.0 * d * M * M2), m / sqrt(2.0 * sqrt((double)d) * M * M3));
    /* M2 = 0 or M3 = 0 (G affine in those orders): a term is +inf, as the limit of the formulas */
    out->in_regime = !isnan(beta) && beta <= out->beta0;
    return GINV_OK;
}
