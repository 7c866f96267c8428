/* spec.c — operators described by text ("gaussian", "gaussian-unit",
 * "subsample:mask.npy", "inpaint-box:7,7,14,14", "downsample:2",
 * "matrix:A.npy", ...), built per trial. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static ginv_status parse_posint(const char *s, const char *what, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > (1L << 24))
        return ginv_fail(GINV_ERR_ARG, "%s '%s' must be a positive integer", what, s);
    *out = (int)v;
    return GINV_OK;
}

ginv_status ginv_op_spec_parse(ginv_op_spec *spec, const char *text, int m)
{
    GINV_NONNULL(spec);
    memset(spec, 0, sizeof *spec);
    spec->m = m;
    GINV_NONNULL(text);
    const char *colon = strchr(text, ':');
    size_t kl = colon ? (size_t)(colon - text) : strlen(text);
    const char *arg = colon ? colon + 1 : NULL;
#define IS(name) (kl == strlen(name) && !strncmp(text, name, kl))
    if (IS("identity") && !arg) {
        spec->kind = GINV_OPK_IDENTITY;
        return GINV_OK;
    }
    if (IS("gaussian") && !arg) {
        spec->kind = GINV_OPK_GAUSSIAN;
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "--op gaussian needs --m (number of measurements)");
        return GINV_OK;
    }
    if (IS("gaussian-unit") && !arg) {
        spec->kind = GINV_OPK_GAUSSIAN_UNIT;
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "--op gaussian-unit needs --m (number of measurements)");
        return GINV_OK;
    }
    if (IS("inpaint-box")) {
        spec->kind = GINV_OPK_INPAINT_BOX;
        if (!arg) return GINV_OK; /* the centred box of half the side */
        int v[4], k = 0;
        const char *p = arg;
        for (; k < 4; k++) {
            char *end;
            long x = strtol(p, &end, 10);
            if (end == p || x < 0 || x > (1L << 24) || (k < 3 ? *end != ',' : *end != 0)) break;
            if (k >= 2 && x < 1) break;
            v[k] = (int)x;
            p = end + 1;
        }
        if (k < 4)
            return ginv_fail(GINV_ERR_ARG, "inpaint-box:'%s' must be R0,C0,H,W: the box's top row, "
                             "left column (>= 0), height and width (>= 1), e.g. inpaint-box:7,7,14,14",
                             arg);
        spec->box_r0 = v[0];
        spec->box_c0 = v[1];
        spec->box_h = v[2];
        spec->box_w = v[3];
        return GINV_OK;
    }
    if (IS("downsample")) {
        spec->kind = GINV_OPK_DOWNSAMPLE;
        if (!arg) return ginv_fail(GINV_ERR_ARG, "--op downsample needs a factor: downsample:F");
        return parse_posint(arg, "downsample factor", &spec->factor);
    }
    if (IS("subsample")) {
        spec->kind = GINV_OPK_SUBSAMPLE;
        if (!arg) {
            if (m < 1) return ginv_fail(GINV_ERR_ARG, "--op subsample needs --m (coordinates kept) or a mask: subsample:FILE");
            return GINV_OK;
        }
        ginv_array a;
        ginv_status st = ginv_array_read(arg, &a);
        if (st != GINV_OK) return ginv_fail(st, "mask: %s", ginv_last_error());
        size_t n = ginv_array_count(&a);
        spec->mask_idx = ginv_malloc((n ? n : 1) * sizeof(int));
        if (!spec->mask_idx) {
            ginv_array_release(&a);
            return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        }
        int cnt = 0;
        for (size_t i = 0; i < n; i++)
            if (a.data[i] != 0.0f) spec->mask_idx[cnt++] = (int)i;
        ginv_array_release(&a);
        spec->mask_n = (int)n;
        spec->mask_m = cnt;
        if (cnt == 0) {
            ginv_op_spec_release(spec);
            return ginv_fail(GINV_ERR_ARG, "mask '%s' observes no coordinate (all zero)", arg);
        }
        return GINV_OK;
    }
    if (IS("matrix")) {
        spec->kind = GINV_OPK_MATRIX;
        if (!arg || !*arg) return ginv_fail(GINV_ERR_ARG, "--op matrix needs a file: matrix:FILE");
        ginv_array a;
        ginv_status st = ginv_array_read(arg, &a);
        if (st != GINV_OK) return ginv_fail(st, "matrix: %s", ginv_last_error());
        if (a.ndim != 2) {
            int nd = a.ndim;
            ginv_array_release(&a);
            return ginv_fail(GINV_ERR_SHAPE, "matrix '%s' has %d dimensions; expected 2 (m x n)", arg, nd);
        }
        spec->rows = (int)a.shape[0];
        spec->cols = (int)a.shape[1];
        spec->matrix = a.data;
        return GINV_OK;
    }
#undef IS
    return ginv_fail(GINV_ERR_ARG,
                     "unknown operator '%s' (expected identity, gaussian, gaussian-unit, "
                     "subsample, subsample:MASK, inpaint-box, inpaint-box:R0,C0,H,W, "
                     "downsample:F or matrix:FILE)",
                     text);
}

void ginv_op_spec_release(ginv_op_spec *spec)
{
    if (!spec) return;
    ginv_free(spec->matrix);
    ginv_free(spec->mask_idx);
    spec->matrix = NULL;
    spec->mask_idx = NULL;
}

/* The c x h x w image shape of an n-coordinate signal for `kind`: the
 * spec's own (--image), else a perfect square n as 1 x sqrt(n) x sqrt(n). */
static ginv_status image_shape(const ginv_op_spec *s, int n, const char *kind, int *c, int *h,
                               int *w)
{
    *c = s->c, *h = s->h, *w = s->w;
    if (!*c) {
        int r = (int)llround(sqrt((double)n));
        if ((long)r * r != n)
            return ginv_fail(GINV_ERR_ARG, "%s needs an image shape: the signal size %d is not a "
                                           "square (give --image CxHxW)", kind, n);
        *c = 1;
        *h = *w = r;
    }
    if ((long)*c * *h * *w != n)
        return ginv_fail(GINV_ERR_SHAPE, "image shape %dx%dx%d does not match signal size %d", *c,
                         *h, *w, n);
    return GINV_OK;
}

ginv_status ginv_op_from_spec(ginv_op **out, const ginv_op_spec *s, int n, uint64_t seed,
                              uint64_t trial)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(s);
    switch (s->kind) {
    case GINV_OPK_IDENTITY: return ginv_op_identity(out, n);
    case GINV_OPK_GAUSSIAN: return ginv_op_gaussian(out, s->m, n, seed, trial);
    case GINV_OPK_SUBSAMPLE:
        if (s->mask_idx) {
            if (s->mask_n != n)
                return ginv_fail(GINV_ERR_SHAPE, "mask has %d entries but the signal has %d",
                                 s->mask_n, n);
            return ginv_op_subsample(out, n, s->mask_m, s->mask_idx);
        }
        if (s->m > n)
            return ginv_fail(GINV_ERR_ARG, "--m %d is larger than the signal size %d: subsample "
                                           "keeps at most n coordinates", s->m, n);
        return ginv_op_subsample_random(out, n, s->m, seed, trial);
    case GINV_OPK_DOWNSAMPLE: {
        int c, h, w;
        ginv_status st = image_shape(s, n, "downsample", &c, &h, &w);
        if (st) return st;
        return ginv_op_downsample(out, c, h, w, s->factor);
    }
    case GINV_OPK_GAUSSIAN_UNIT: return ginv_op_gaussian_unit(out, s->m, n, seed, trial);
    case GINV_OPK_INPAINT_BOX: {
        int c, h, w;
        ginv_status st = image_shape(s, n, "inpaint-box", &c, &h, &w);
        if (st) return st;
        return ginv_op_inpaint_box(out, c, h, w, s->box_r0, s->box_c0, s->box_h, s->box_w);
    }
    case GINV_OPK_MATRIX:
        if (s->cols != n)
            return ginv_fail(GINV_ERR_SHAPE, "matrix is %d x %d but the signal has size %d "
                                             "(expected %d columns)", s->rows, s->cols, n, n);
        return ginv_op_matrix(out, s->rows, s->cols, s->matrix);
    }
    return ginv_fail(GINV_ERR_ARG, "unknown operator kind");
}
