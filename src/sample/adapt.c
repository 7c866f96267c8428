/* adapt.c — warm-up adaptation as Stan does it (Stan Reference Manual,
 * "HMC algorithm parameters"; Hoffman & Gelman 2014 sec. 3.2):
 *
 * step size: Nesterov dual averaging of x = log eps toward a target
 * acceptance delta,
 *     sbar_t = (1 - 1/(t + t0)) sbar_{t-1} + (delta - a_t) / (t + t0),
 *     x_t    = mu - sqrt(t) sbar_t / gamma,
 *     xbar_t = t^-kappa x_t + (1 - t^-kappa) xbar_{t-1},
 * mu = log(10 eps0), gamma = 0.05, t0 = 10, kappa = 0.75; after the warm-up
 * eps = exp(xbar).
 *
 * metric: the variance of the draws in expanding windows: an initial buffer
 * of 75 steps (step size only), windows of 25, 50, 100, ... steps (the last
 * one stretched to the terminal buffer), a terminal buffer of 50 steps (step
 * size only); at the end of each window the diagonal inverse metric becomes
 * (n/(n+5)) var + 1e-3 (5/(n+5)) and the step-size adaptation restarts.
 * The dense metric (Stan's dense_e adaptation) takes the sample covariance C
 * of the same windows instead: (n/(n+5)) C + 1e-3 (5/(n+5)) I. */
#include "sample/sampler_internal.h"

#include <math.h>

enum { DA_T0 = 10 };
static const double DA_GAMMA = 0.05, DA_KAPPA = 0.75;

void ginv_dual_avg_restart(ginv_dual_avg *d, double eps0, double delta)
{
    d->mu = log(10.0 * eps0);
    d->sbar = 0;
    d->xbar = 0;
    d->counter = 0;
    d->delta = delta;
}

double ginv_dual_avg_learn(ginv_dual_avg *d, double a)
{
    d->counter++;
    if (!(a <= 1)) a = isnan(a) ? 0 : 1; /* a NaN statistic counts as a rejection */
    double t = (double)d->counter, eta = 1.0 / (t + DA_T0);
    d->sbar = (1 - eta) * d->sbar + eta * (d->delta - a);
    double x = d->mu - d->sbar * sqrt(t) / DA_GAMMA, w = pow(t, -DA_KAPPA);
    d->xbar = (1 - w) * d->xbar + w * x;
    return exp(x);
}

double ginv_dual_avg_final(const ginv_dual_avg *d) { return exp(d->xbar); }

void ginv_adapt_windows_init(ginv_adapt_windows *w, long n)
{
    w->num_warmup = n;
    w->init_buffer = 75;
    w->term_buffer = 50;
    w->base_window = 25;
    w->active = n >= 20;
    if (w->active && w->init_buffer + w->base_window + w->term_buffer > n) {
        w->init_buffer = (long)(0.15 * n);
        w->term_buffer = (long)(0.1 * n);
        w->base_window = n - (w->init_buffer + w->term_buffer);
    }
    w->counter = 0;
    w->window_size = w->base_window;
    w->next_window = w->init_buffer + w->window_size - 1;
}

/* Stan's compute_next_window: double the window; stretch the last one to the
 * terminal buffer when the one after would not fit. */
static void next_window(ginv_adapt_windows *w)
{
    long end = w->num_warmup - w->term_buffer - 1;
    if (w->next_window == end) return;
    w->window_size *= 2;
    w->next_window = w->counter + w->window_size;
    if (w->next_window != end && w->next_window + 2 * w->window_size >= w->num_warmup - w->term_buffer)
        w->next_window = end;
}

int ginv_adapt_windows_step(ginv_adapt_windows *w, int *add)
{
    long c = w->counter, n = w->num_warmup;
    *add = w->active && c >= w->init_buffer && c < n - w->term_buffer && c != n;
    int end = w->active && c == w->next_window && c != n;
    if (end) next_window(w);
    w->counter++;
    return end;
}

double ginv_adapt_regularise(double var, long n)
{
    double dn = (double)n;
    return dn / (dn + 5.0) * var + 1e-3 * (5.0 / (dn + 5.0));
}

void ginv_welford_add(long n, int len, const float *x, double *mean, double *m2)
{
    for (int i = 0; i < len; i++) {
        double d = x[i] - mean[i];
        mean[i] += d / n;
        m2[i] += d * (x[i] - mean[i]);
    }
}

void ginv_welford_cov_add(long n, int k, const float *x, double *mean, double *m2)
{
    double w = (double)(n - 1) / (double)n;
    for (int i = 0; i < k; i++) {
        double di = x[i] - mean[i];
        for (int j = 0; j <= i; j++) {
            double v = w * di * (x[j] - mean[j]);
            m2[(size_t)i * k + j] += v;
            if (j < i) m2[(size_t)j * k + i] += v;
        }
    }
    for (int i = 0; i < k; i++) mean[i] += (x[i] - mean[i]) / n;
}
