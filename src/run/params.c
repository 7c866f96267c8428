/* params.c — a cell's parameters as option-name/text pairs, typed reads
 * with messages that name the parameter, and the metrics a unit returns. */
#include "ginv.h"
#include "base/check_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ginv_params_get(const ginv_params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->name[i], name)) return p->value[i];
    return NULL;
}

const char *ginv_params_str(const ginv_params *p, const char *name, const char *def)
{
    const char *v = ginv_params_get(p, name);
    return v ? v : def;
}

ginv_status ginv_params_int(const ginv_params *p, const char *name, int def, int lo, int hi,
                            int *out)
{
    GINV_NONNULL(p);
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    const char *v = ginv_params_get(p, name);
    if (!v) {
        *out = def;
        return GINV_OK;
    }
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno)
        return ginv_fail(GINV_ERR_ARG, "parameter '%s' expects an integer, got '%s'", name, v);
    if (x < lo || x > hi)
        return ginv_fail(GINV_ERR_ARG, "parameter '%s' %ld is out of range [%d, %d]", name, x, lo, hi);
    *out = (int)x;
    return GINV_OK;
}

ginv_status ginv_params_double(const ginv_params *p, const char *name, double def, double lo,
                               double hi, double *out)
{
    GINV_NONNULL(p);
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    const char *v = ginv_params_get(p, name);
    if (!v) {
        *out = def;
        return GINV_OK;
    }
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (!*v || *end || errno == ERANGE || !isfinite(x))
        return ginv_fail(GINV_ERR_ARG, "parameter '%s' expects a finite number, got '%s'", name, v);
    if (x < lo || x > hi)
        return ginv_fail(GINV_ERR_ARG, "parameter '%s' %g is out of range [%g, %g]", name, x, lo, hi);
    *out = x;
    return GINV_OK;
}

ginv_status ginv_params_flag(const ginv_params *p, const char *name, int *out)
{
    GINV_NONNULL(p);
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    const char *v = ginv_params_get(p, name);
    if (!v || !strcmp(v, "false") || !strcmp(v, "0")) *out = 0;
    else if (!strcmp(v, "true") || !strcmp(v, "1")) *out = 1;
    else return ginv_fail(GINV_ERR_ARG, "parameter '%s' is a flag: true or false, got '%s'", name, v);
    return GINV_OK;
}

ginv_status ginv_params_apply(const ginv_params *cell, const ginv_param_table *t, void *obj)
{
    GINV_NONNULL(cell);
    GINV_NONNULL(t);
    GINV_NONNULL(obj);
    for (int i = 0; i < cell->n; i++) {
        ginv_status st = ginv_param_set(t, obj, cell->name[i], cell->value[i]);
        if (st != GINV_OK) return st;
    }
    return GINV_OK;
}

ginv_status ginv_metrics_add(ginv_metrics *m, const char *name, double value)
{
    GINV_NONNULL(m);
    GINV_NONNULL(name);
    if (m->n >= GINV_METRICS_MAX)
        return ginv_fail(GINV_ERR_ARG, "more than %d metrics (adding '%s')", GINV_METRICS_MAX, name);
    m->name[m->n] = name;
    m->value[m->n] = value;
    m->n++;
    return GINV_OK;
}

/* Wilson (1927): the score interval, centre (k + z^2/2) / (n + z^2). */
void ginv_wilson_interval(long k, long n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    double ph = (double)k / n, z2 = z * z, den = 1 + z2 / n;
    double c = (ph + z2 / (2.0 * n)) / den;
    double h = z * sqrt(ph * (1 - ph) / n + z2 / (4.0 * n * n)) / den;
    *lo = c - h < 0 ? 0 : c - h;
    *hi = c + h > 1 ? 1 : c + h;
}

double ginv_quantile_sorted(const double *x, long n, double q)
{
    if (n <= 0) return NAN;
    double h = (n - 1) * q;
    long i = (long)floor(h);
    if (i >= n - 1) return x[n - 1];
    return x[i] + (h - i) * (x[i + 1] - x[i]);
}
