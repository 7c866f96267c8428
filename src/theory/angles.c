/* angles.c — the angle calculus of Hand & Voroninski (2019) §II, in double:
 * g (eq. 3), its iterates, rho_d (Lemma 10) and the expected gradient
 * h_{x,x0} (eq. 29). */
#include "ginv.h"

#include <math.h>

/* eq. (3): g(theta) = acos(((pi - theta) cos theta + sin theta) / pi), the
 * angle between W_{+,x} x and W_{+,y} y when x, y are theta apart. */
double ginv_theory_g(double theta)
{
    double c = ((M_PI - theta) * cos(theta) + sin(theta)) / M_PI;
    if (c > 1) c = 1;
    if (c < -1) c = -1;
    return acos(c);
}

/* g composed with itself d times: the angle after d ReLU layers. */
double ginv_theory_g_iter(double theta, int d)
{
    for (int i = 0; i < d; i++) theta = ginv_theory_g(theta);
    return theta;
}

/* Lemma 10: rho_d = sum_{i=0}^{d-1} sin(th_i)/pi prod_{j=i+1}^{d-1} (pi - th_j)/pi,
 * th_0 = pi, th_i = g(th_{i-1}). The negative stationary point sits near
 * -rho_d z0. */
double ginv_theory_rho(int d)
{
    double th[4096];
    if (d < 1 || d > 4096) return NAN;
    th[0] = M_PI;
    for (int i = 1; i < d; i++) th[i] = ginv_theory_g(th[i - 1]);
    double rho = 0;
    for (int i = 0; i < d; i++) {
        double prod = 1;
        for (int j = i + 1; j < d; j++) prod *= (M_PI - th[j]) / M_PI;
        rho += sin(th[i]) / M_PI * prod;
    }
    return rho;
}

/* eq. (29): h_{x,x0} = -(1/2^d) prod_{i<d} (pi - th_i)/pi x0
 *   + (1/2^d) [x - sum_{i<d} sin(th_i)/pi prod_{j=i+1}^{d-1} (pi - th_j)/pi ||x0||/||x|| x],
 * th_0 = angle(x, x0), th_i = g(th_{i-1}). h (k). */
ginv_status ginv_theory_h(int d, int k, const double *x, const double *x0, double *h)
{
    if (d < 1 || d > 4096) return ginv_fail(GINV_ERR_ARG, "depth %d must be in [1, 4096]", d);
    double nx = 0, n0 = 0, dot = 0;
    for (int i = 0; i < k; i++) {
        nx += x[i] * x[i];
        n0 += x0[i] * x0[i];
        dot += x[i] * x0[i];
    }
    nx = sqrt(nx);
    n0 = sqrt(n0);
    if (nx == 0 || n0 == 0) return ginv_fail(GINV_ERR_ARG, "h_{x,x0} needs nonzero x and x0");
    double c = dot / (nx * n0);
    double th[4096];
    th[0] = acos(c > 1 ? 1 : c < -1 ? -1 : c);
    for (int i = 1; i < d; i++) th[i] = ginv_theory_g(th[i - 1]);
    double prod_all = 1, sum = 0;
    for (int i = 0; i < d; i++) prod_all *= (M_PI - th[i]) / M_PI;
    for (int i = 0; i < d; i++) {
        double prod = 1;
        for (int j = i + 1; j < d; j++) prod *= (M_PI - th[j]) / M_PI;
        sum += sin(th[i]) / M_PI * prod;
    }
    double scale = ldexp(1.0, -d);
    for (int i = 0; i < k; i++) h[i] = scale * (-prod_all * x0[i] + x[i] - sum * n0 / nx * x[i]);
    return GINV_OK;
}
