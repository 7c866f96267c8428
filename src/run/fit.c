/* fit.c — ordinary least squares for a straight line, with standard errors:
 * the growth exponent a of log2(time) = a n + b in `experiment hardness`. */
#include "ginv.h"

#include <math.h>

ginv_status ginv_linear_fit(int n, const double *x, const double *y, double *a, double *b,
                            double *se_a, double *se_b)
{
    if (n < 2 || !x || !y) return ginv_fail(GINV_ERR_ARG, "a line fit needs at least 2 points (got %d)", n);
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "a line fit: point %d (%g, %g) is not finite", i, x[i], y[i]);
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    double sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    if (!(sxx > 0)) return ginv_fail(GINV_ERR_ARG, "a line fit needs at least 2 distinct x values");
    double slope = sxy / sxx, icpt = my - slope * mx;
    double sa = NAN, sb = NAN;
    if (n > 2) {
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = y[i] - (slope * x[i] + icpt);
            rss += r * r;
        }
        double s2 = rss / (n - 2);
        sa = sqrt(s2 / sxx);
        sb = sqrt(s2 * (1.0 / n + mx * mx / sxx));
    }
    if (a) *a = slope;
    if (b) *b = icpt;
    if (se_a) *se_a = sa;
    if (se_b) *se_b = sb;
    return GINV_OK;
}
