/* lattice.c — (0,1)-CVP instances (Keles & Hegde 2023, §3.3 and Thms 3-4):
 * a basis and a target as array files (.npy or text, one basis vector a row
 * as fplll takes them) or fplll's own text format, random small integer
 * lattices with a planted target, and ||B y - t||_p. */
#include "ginv.h"
#include "base/check_internal.h"
#include "io/dimacs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CVP_MAX_DIM (1 << 20)

void ginv_cvp_release(ginv_cvp *c)
{
    if (!c) return;
    ginv_free(c->basis);
    ginv_free(c->target);
    memset(c, 0, sizeof *c);
}

static ginv_status alloc_cvp(ginv_cvp *c, int n, int d)
{
    c->n = n;
    c->d = d;
    c->basis = ginv_malloc((size_t)n * d * sizeof(double));
    c->target = ginv_malloc((size_t)d * sizeof(double));
    if (!c->basis || !c->target) {
        ginv_cvp_release(c);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for a %d x %d basis", n, d);
    }
    return GINV_OK;
}

ginv_status ginv_cvp_from_arrays(const ginv_array *basis, const ginv_array *target, ginv_cvp *out)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    GINV_NONNULL(basis);
    GINV_NONNULL(target);
    if (basis->ndim != 2 && basis->ndim != 1)
        return ginv_fail(GINV_ERR_SHAPE, "basis: a %d-D array; expected n x d (one basis vector a row)", basis->ndim);
    int64_t n = basis->ndim == 2 ? basis->shape[0] : 1, d = basis->shape[basis->ndim - 1];
    if (n < 1 || d < 1) return ginv_fail(GINV_ERR_SHAPE, "basis: it has no entries (shape %lld x %lld)", (long long)n, (long long)d);
    if (n > CVP_MAX_DIM || d > CVP_MAX_DIM || n * d > (int64_t)1 << 28)
        return ginv_fail(GINV_ERR_SHAPE, "basis: %lld x %lld is larger than supported", (long long)n, (long long)d);
    int64_t td = (int64_t)ginv_array_count(target);
    int vec = target->ndim == 1 || (target->ndim == 2 && (target->shape[0] == 1 || target->shape[1] == 1));
    if (!vec) return ginv_fail(GINV_ERR_SHAPE, "target: a %d-D array of shape %lld x %lld; expected one vector", target->ndim,
                               (long long)target->shape[0], (long long)(target->ndim > 1 ? target->shape[1] : 1));
    if (td != d)
        return ginv_fail(GINV_ERR_SHAPE, "target: %lld values, but the basis vectors have %lld (the basis is n x d, "
                                         "one vector a row)", (long long)td, (long long)d);
    ginv_status st = alloc_cvp(out, (int)n, (int)d);
    if (st) return st;
    for (int64_t i = 0; i < n * d; i++) out->basis[i] = basis->data[i];
    for (int64_t i = 0; i < d; i++) out->target[i] = target->data[i];
    return GINV_OK;
}

ginv_status ginv_cvp_read(const char *basis_path, const char *target_path, ginv_cvp *out)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    GINV_NONNULL(basis_path);
    GINV_NONNULL(target_path);
    ginv_array b = {0}, t = {0};
    ginv_status st = ginv_array_read(basis_path, &b);
    if (st == GINV_OK) st = ginv_array_read(target_path, &t);
    if (st == GINV_OK) {
        st = ginv_cvp_from_arrays(&b, &t, out);
        if (st != GINV_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s", ginv_last_error());
            int about_target = !strncmp(msg, "target", 6);
            st = ginv_fail(st, "'%s': %s", about_target ? target_path : basis_path, msg);
        }
    }
    ginv_array_release(&b);
    ginv_array_release(&t);
    return st;
}

ginv_status ginv_cvp_write(const char *basis_path, const char *target_path, const ginv_cvp *c)
{
    GINV_NONNULL(basis_path);
    GINV_NONNULL(target_path);
    GINV_NONNULL(c);
    float *b = ginv_malloc(((size_t)c->n * c->d + c->d) * sizeof(float));
    if (!b) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)c->n * c->d; i++) b[i] = (float)c->basis[i];
    float *t = b + (size_t)c->n * c->d;
    for (int i = 0; i < c->d; i++) t[i] = (float)c->target[i];
    int64_t bs[2] = {c->n, c->d}, ts[1] = {c->d};
    ginv_status st = ginv_array_write(basis_path, b, 2, bs);
    if (st == GINV_OK) st = ginv_array_write(target_path, t, 1, ts);
    ginv_free(b);
    return st;
}

ginv_status ginv_cvp_write_fplll(const char *path, const ginv_cvp *c)
{
    GINV_NONNULL(path);
    GINV_NONNULL(c);
    dimacs_text t = {0};
    ginv_dimacs_printf(&t, "[");
    for (int i = 0; i < c->n; i++) {
        ginv_dimacs_printf(&t, "[");
        for (int j = 0; j < c->d; j++) ginv_dimacs_printf(&t, "%s%.0f", j ? " " : "", c->basis[(size_t)i * c->d + j]);
        ginv_dimacs_printf(&t, "]");
    }
    ginv_dimacs_printf(&t, "]\n[");
    for (int j = 0; j < c->d; j++) ginv_dimacs_printf(&t, "%s%.0f", j ? " " : "", c->target[j]);
    ginv_dimacs_printf(&t, "]\n");
    return ginv_dimacs_text_save(&t, path);
}

ginv_status ginv_cvp_random(ginv_cvp *out, int n, int d, int range, int noise, uint64_t seed)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    if (n < 1 || n > 4096 || d < 1 || d > 4096)
        return ginv_fail(GINV_ERR_ARG, "random lattice: n = %d and d = %d must be in 1..4096", n, d);
    if (range < 1 || range > (1 << 20) || noise < 0 || noise > (1 << 20))
        return ginv_fail(GINV_ERR_ARG, "random lattice: range %d must be in 1..2^20 and noise %d in 0..2^20", range, noise);
    ginv_status st = alloc_cvp(out, n, d);
    if (st) return st;
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_LATTICE, 0);
    for (size_t i = 0; i < (size_t)n * d; i++) out->basis[i] = (double)ginv_rng_below(&r, 2 * (uint64_t)range + 1) - range;
    for (int j = 0; j < d; j++) out->target[j] = 0;
    for (int i = 0; i < n; i++)
        if (ginv_rng_below(&r, 2))
            for (int j = 0; j < d; j++) out->target[j] += out->basis[(size_t)i * d + j];
    for (int j = 0; j < d; j++) out->target[j] += (double)ginv_rng_below(&r, 2 * (uint64_t)noise + 1) - noise;
    return GINV_OK;
}

double ginv_cvp_dist(const ginv_cvp *c, const int *y, double p)
{
    double acc = 0;
    for (int j = 0; j < c->d; j++) {
        double s = -c->target[j];
        for (int i = 0; i < c->n; i++) s += c->basis[(size_t)i * c->d + j] * y[i];
        s = fabs(s);
        if (isinf(p)) acc = fmax(acc, s);
        else acc += pow(s, p);
    }
    return isinf(p) ? acc : pow(acc, 1.0 / p);
}
