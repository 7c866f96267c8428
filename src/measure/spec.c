/* spec.c — operators described by text ("gaussian", "gaussian-unit",
 * "subsample:mask.npy", "inpaint-box:7,7,14,14", "downsample:2",
 * "matrix:A.npy", "circulant:200", "fourier-subsample:radial:12",
 * "blur:1.5,zero", "colorize", "phaseless-fourier:2", ...), built per trial. */
#include "ginv.h"
#include "base/check_internal.h"
#include "measure/op_impl.h"

#include <limits.h>
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

/* The nonzero cells of a mask file into spec->mask_idx / mask_m and its
 * shape into mask_h x mask_w (0 x count for a 1-D file). `what` names the
 * operator in messages. */
static ginv_status read_mask(ginv_op_spec *spec, const char *path, const char *what)
{
    ginv_array a;
    ginv_status st = ginv_array_read(path, &a);
    if (st != GINV_OK) return ginv_fail(st, "mask: %s", ginv_last_error());
    size_t n = ginv_array_count(&a);
    if (a.ndim == 2) {
        spec->mask_h = (int)a.shape[0];
        spec->mask_w = (int)a.shape[1];
    } else if (a.ndim == 3 && a.shape[0] == 1) {
        spec->mask_h = (int)a.shape[1];
        spec->mask_w = (int)a.shape[2];
    } else if (a.ndim <= 1) {
        spec->mask_h = 0;
        spec->mask_w = (int)n;
    } else if (strcmp(what, "subsample")) {
        int nd = a.ndim;
        ginv_array_release(&a);
        return ginv_fail(GINV_ERR_SHAPE, "%s mask '%s' has %d dimensions; expected an h x w "
                         "array", what, path, nd);
    }
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
        return ginv_fail(GINV_ERR_ARG, "%s mask '%s' keeps nothing (all zero)", what, path);
    }
    return GINV_OK;
}

/* "fourier-subsample:random[:M]|radial:L|cartesian:R|MASK" */
static ginv_status parse_fourier(ginv_op_spec *spec, const char *arg, int m)
{
    static const struct { const char *name; int mode; const char *what; } forms[] = {
        {"random", GINV_FOURIER_RANDOM, "fourier-subsample:random:M (coefficients kept)"},
        {"radial", GINV_FOURIER_RADIAL, "fourier-subsample:radial:L (lines)"},
        {"cartesian", GINV_FOURIER_CARTESIAN, "fourier-subsample:cartesian:R (every R-th row)"}};
    spec->kind = GINV_OPK_FOURIER;
    if (!arg || !*arg)
        return ginv_fail(GINV_ERR_ARG, "parameter 'op' fourier-subsample needs its frequencies: "
                         "fourier-subsample:random:M, radial:L, cartesian:R or a MASK file");
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        size_t l = strlen(forms[f].name);
        if (strncmp(arg, forms[f].name, l) || (arg[l] && arg[l] != ':')) continue;
        spec->fourier_mode = forms[f].mode;
        if (!arg[l]) {
            if (forms[f].mode == GINV_FOURIER_RANDOM && m >= 1) {
                spec->fourier_param = m;
                return GINV_OK;
            }
            return ginv_fail(GINV_ERR_ARG, "parameter 'op' fourier-subsample:%s needs its number: %s%s",
                             forms[f].name, forms[f].what,
                             forms[f].mode == GINV_FOURIER_RANDOM ? " or parameter 'm'" : "");
        }
        return parse_posint(arg + l + 1, forms[f].what, &spec->fourier_param);
    }
    spec->fourier_mode = GINV_FOURIER_MASK;
    return read_mask(spec, arg, "fourier-subsample");
}

/* "blur:SIGMA[,RULE]" or "blur:FILE[,RULE]" */
static ginv_status parse_blur(ginv_op_spec *spec, const char *arg)
{
    spec->kind = GINV_OPK_BLUR;
    spec->boundary = GINV_BOUNDARY_REFLECT;
    if (!arg || !*arg)
        return ginv_fail(GINV_ERR_ARG, "parameter 'op' blur needs a kernel: blur:SIGMA (Gaussian, pixels) "
                         "or blur:FILE, optionally ,reflect|zero|circular");
    char head[4096];
    size_t hl = strlen(arg);
    const char *comma = strrchr(arg, ',');
    if (comma) {
        ginv_boundary b;
        if (ginv_boundary_parse(comma + 1, &b) != GINV_OK)
            return ginv_fail(GINV_ERR_ARG, "blur: unknown boundary rule '%s' (expected reflect, "
                             "zero or circular)", comma + 1);
        spec->boundary = b;
        hl = (size_t)(comma - arg);
    }
    if (hl == 0 || hl >= sizeof head)
        return ginv_fail(GINV_ERR_ARG, "blur:'%s' must be SIGMA or FILE, then optionally "
                         ",reflect|zero|circular", arg);
    memcpy(head, arg, hl);
    head[hl] = 0;
    char *end;
    double sigma = strtod(head, &end);
    if (end != head && !*end) { /* a number: the Gaussian's sigma */
        if (!(sigma > 0) || !(sigma <= 64))
            return ginv_fail(GINV_ERR_ARG, "blur sigma '%s' is out of range; the Gaussian blur "
                             "needs 0 < sigma <= 64 pixels", head);
        spec->blur_sigma = sigma;
        return GINV_OK;
    }
    ginv_array a;
    ginv_status st = ginv_array_read(head, &a);
    if (st != GINV_OK) return ginv_fail(st, "blur kernel: %s", ginv_last_error());
    int kh = a.ndim == 2 ? (int)a.shape[0] : 0, kw = a.ndim == 2 ? (int)a.shape[1] : 0;
    if (a.ndim != 2 || kh % 2 == 0 || kw % 2 == 0 || kh > 1025 || kw > 1025) {
        int nd = a.ndim;
        ginv_array_release(&a);
        if (nd != 2)
            return ginv_fail(GINV_ERR_SHAPE, "blur kernel '%s' has %d dimensions; expected a 2-D "
                             "kh x kw array", head, nd);
        return ginv_fail(GINV_ERR_SHAPE, "blur kernel '%s' is %d x %d; both sides must be odd "
                         "(a middle tap) and at most 1025", head, kh, kw);
    }
    double sum = 0, abs_sum = 0;
    size_t cnt = (size_t)kh * kw;
    for (size_t i = 0; i < cnt; i++) {
        if (!isfinite(a.data[i])) {
            ginv_array_release(&a);
            return ginv_fail(GINV_ERR_NUMERIC, "blur kernel '%s': entry %zu is not finite", head,
                             i);
        }
        sum += a.data[i];
        abs_sum += fabs(a.data[i]);
    }
    if (!(fabs(sum) > 1e-6 * abs_sum)) {
        ginv_array_release(&a);
        return ginv_fail(GINV_ERR_ARG, "blur kernel '%s' sums to zero (sum %g); a blur kernel "
                         "is divided by its sum", head, sum);
    }
    for (size_t i = 0; i < cnt; i++) a.data[i] = (float)(a.data[i] / sum);
    spec->kernel = a.data; /* the array's data, taken over */
    spec->kernel_h = kh;
    spec->kernel_w = kw;
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
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' gaussian needs parameter 'm' (the number of measurements)");
        return GINV_OK;
    }
    if (IS("gaussian-unit") && !arg) {
        spec->kind = GINV_OPK_GAUSSIAN_UNIT;
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' gaussian-unit needs parameter 'm' (the number of measurements)");
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
        if (!arg) return ginv_fail(GINV_ERR_ARG, "parameter 'op' downsample needs a factor: downsample:F");
        return parse_posint(arg, "downsample factor", &spec->factor);
    }
    if (IS("subsample")) {
        spec->kind = GINV_OPK_SUBSAMPLE;
        if (!arg) {
            if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' subsample needs parameter 'm' (the coordinates kept) or a mask: subsample:FILE");
            return GINV_OK;
        }
        ginv_status st = read_mask(spec, arg, "subsample");
        spec->mask_h = spec->mask_w = 0; /* subsample takes any shape of n values */
        return st;
    }
    if (IS("circulant")) {
        spec->kind = GINV_OPK_CIRCULANT;
        if (!arg) {
            if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' circulant needs the number of measurements: circulant:M or parameter 'm'");
            return GINV_OK;
        }
        /* the spec's own M wins over --m (whose default some commands set) */
        return parse_posint(arg, "circulant measurements M", &spec->m);
    }
    if (IS("fourier-subsample")) return parse_fourier(spec, arg, m);
    if (IS("blur")) return parse_blur(spec, arg);
    if (IS("colorize") && !arg) {
        spec->kind = GINV_OPK_COLORIZE;
        return GINV_OK;
    }
    if (IS("phaseless-gaussian") && !arg) {
        spec->kind = GINV_OPK_PHASELESS_GAUSSIAN;
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' phaseless-gaussian needs parameter 'm' (the number of measurements)");
        return GINV_OK;
    }
    if (IS("phaseless-fourier")) {
        spec->kind = GINV_OPK_PHASELESS_FOURIER;
        spec->oversample = 2;
        if (!arg) return GINV_OK;
        char *end;
        long k = strtol(arg, &end, 10);
        if (!*arg || *end || k < 1 || k > 16)
            return ginv_fail(GINV_ERR_ARG, "phaseless-fourier:'%s': the oversampling factor must "
                             "be an integer from 1 to 16 (the image is zero-padded to K h x K w; "
                             "default 2)", arg);
        spec->oversample = (int)k;
        return GINV_OK;
    }
    if (IS("onebit-gaussian")) {
        spec->kind = GINV_OPK_ONEBIT_GAUSSIAN;
        spec->onebit_loss = GINV_ONEBIT_ONESIDED;
        if (arg && !strcmp(arg, "corr")) spec->onebit_loss = GINV_ONEBIT_CORR;
        else if (arg && strcmp(arg, "onesided"))
            return ginv_fail(GINV_ERR_ARG, "onebit-gaussian:'%s': unknown loss (expected "
                             "onebit-gaussian:onesided or onebit-gaussian:corr)", arg);
        if (m < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'op' onebit-gaussian needs parameter 'm' (the number of measurements)");
        return GINV_OK;
    }
    if (IS("matrix")) {
        spec->kind = GINV_OPK_MATRIX;
        if (!arg || !*arg) return ginv_fail(GINV_ERR_ARG, "parameter 'op' matrix needs a file: matrix:FILE");
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
                     "downsample:F, matrix:FILE, circulant:M, "
                     "fourier-subsample:random:M|radial:L|cartesian:R|MASK, "
                     "blur:SIGMA|FILE[,reflect|zero|circular], colorize, "
                     "phaseless-gaussian, onebit-gaussian[:onesided|corr] or "
                     "phaseless-fourier[:K])",
                     text);
}

void ginv_op_spec_release(ginv_op_spec *spec)
{
    if (!spec) return;
    ginv_free(spec->matrix);
    ginv_free(spec->mask_idx);
    ginv_free(spec->kernel);
    spec->matrix = NULL;
    spec->mask_idx = NULL;
    spec->kernel = NULL;
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
                                           "square (give parameter 'image' CxHxW)", kind, n);
        *c = 1;
        *h = *w = r;
    }
    if ((long)*c * *h * *w != n)
        return ginv_fail(GINV_ERR_SHAPE, "image shape %dx%dx%d does not match signal size %d", *c,
                         *h, *w, n);
    return GINV_OK;
}

/* fourier-subsample on the image of n values: the mask's cells (checked
 * against h x w) or the mode's, drawn for this trial where random. */
static ginv_status fourier_from_spec(ginv_op **out, const ginv_op_spec *s, int n, uint64_t seed,
                                     uint64_t trial)
{
    int c, h, w;
    ginv_status st = image_shape(s, n, "fourier-subsample", &c, &h, &w);
    if (st) return st;
    if (s->fourier_mode == GINV_FOURIER_MASK) {
        if (!s->mask_idx)
            return ginv_fail(GINV_ERR_ARG, "fourier-subsample: the spec has no mask");
        if (s->mask_h ? (s->mask_h != h || s->mask_w != w) : (long)s->mask_n != (long)h * w) {
            if (s->mask_h)
                return ginv_fail(GINV_ERR_SHAPE, "fourier-subsample mask is %d x %d but the "
                                 "image is %d x %d (one h x w mask for every channel)",
                                 s->mask_h, s->mask_w, h, w);
            return ginv_fail(GINV_ERR_SHAPE, "fourier-subsample mask has %d values but the "
                             "image's grid has %d x %d = %d", s->mask_n, h, w, h * w);
        }
        return ginv_op_fourier_subsample(out, c, h, w, s->mask_m, s->mask_idx);
    }
    int *cells, kept;
    st = ginv_fourier_cells(s->fourier_mode, s->fourier_param, h, w, seed, trial, &cells, &kept);
    if (st) return st;
    st = ginv_op_fourier_subsample(out, c, h, w, kept, cells);
    ginv_free(cells);
    return st;
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
            return ginv_fail(GINV_ERR_ARG, "parameter 'm' %d is larger than the signal size %d: subsample "
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
    case GINV_OPK_CIRCULANT:
        if (s->m > n)
            return ginv_fail(GINV_ERR_ARG, "circulant: M = %d measurements is out of range; a "
                             "partial circulant keeps 1 to n = %d rows", s->m, n);
        return ginv_op_circulant(out, s->m, n, seed, trial);
    case GINV_OPK_FOURIER: return fourier_from_spec(out, s, n, seed, trial);
    case GINV_OPK_BLUR: {
        int c, h, w;
        ginv_status st = image_shape(s, n, "blur", &c, &h, &w);
        if (st) return st;
        if (s->kernel)
            return ginv_op_blur(out, c, h, w, s->kernel, s->kernel_h, s->kernel_w,
                                (ginv_boundary)s->boundary);
        return ginv_op_blur_gaussian(out, c, h, w, s->blur_sigma, (ginv_boundary)s->boundary);
    }
    case GINV_OPK_COLORIZE: {
        int h, w;
        if (s->c && s->c != 3)
            return ginv_fail(GINV_ERR_ARG, "colorize needs a 3-channel (RGB) image; the image "
                             "shape %dx%dx%d has %d", s->c, s->h, s->w, s->c);
        if (s->c) {
            if ((long)3 * s->h * s->w != n)
                return ginv_fail(GINV_ERR_SHAPE, "image shape 3x%dx%d does not match signal "
                                 "size %d", s->h, s->w, n);
            h = s->h, w = s->w;
        } else {
            int r = n % 3 ? 0 : (int)llround(sqrt((double)(n / 3)));
            if (!r || 3L * r * r != n)
                return ginv_fail(GINV_ERR_ARG, "colorize needs a 3 x h x w image: the signal "
                                 "size %d is not 3 times a square (give parameter 'image' 3xHxW)", n);
            h = w = r;
        }
        return ginv_op_colorize(out, h, w);
    }
    case GINV_OPK_PHASELESS_GAUSSIAN: return ginv_op_phaseless_gaussian(out, s->m, n, seed, trial);
    case GINV_OPK_ONEBIT_GAUSSIAN:
        return ginv_op_onebit_gaussian(out, s->m, n, (ginv_onebit_loss)s->onebit_loss, seed, trial);
    case GINV_OPK_PHASELESS_FOURIER: {
        int c, h, w;
        ginv_status st = image_shape(s, n, "phaseless-fourier", &c, &h, &w);
        if (st) return st;
        return ginv_op_phaseless_fourier(out, c, h, w, s->oversample ? s->oversample : 2);
    }
    case GINV_OPK_MATRIX:
        if (s->cols != n)
            return ginv_fail(GINV_ERR_SHAPE, "matrix is %d x %d but the signal has size %d "
                                             "(expected %d columns)", s->rows, s->cols, n, n);
        return ginv_op_matrix(out, s->rows, s->cols, s->matrix);
    }
    return ginv_fail(GINV_ERR_ARG, "unknown operator kind");
}

ginv_link ginv_op_spec_link(const ginv_op_spec *spec)
{
    if (!spec) return GINV_LINK_LINEAR;
    if (spec->kind == GINV_OPK_PHASELESS_GAUSSIAN) return GINV_LINK_ABS;
    if (spec->kind == GINV_OPK_ONEBIT_GAUSSIAN) return GINV_LINK_SIGN;
    if (spec->kind == GINV_OPK_PHASELESS_FOURIER) return GINV_LINK_CABS;
    return GINV_LINK_LINEAR;
}

ginv_status ginv_op_spec_rows(const ginv_op_spec *s, int n, int *m)
{
    GINV_NONNULL(m);
    *m = 0;
    GINV_NONNULL(s);
    const char *dense = s->kind == GINV_OPK_GAUSSIAN             ? "gaussian"
                        : s->kind == GINV_OPK_GAUSSIAN_UNIT        ? "gaussian-unit"
                        : s->kind == GINV_OPK_PHASELESS_GAUSSIAN ? "phaseless-gaussian"
                        : s->kind == GINV_OPK_ONEBIT_GAUSSIAN    ? "onebit-gaussian"
                                                                   : NULL;
    if (dense) { /* dense_alloc's checks (src/measure/dense.c), short of the allocation */
        if (s->m < 1 || n < 1)
            return ginv_fail(GINV_ERR_ARG, "%s: size %d x %d is invalid; m and n must be >= 1",
                             dense, s->m, n);
        if ((size_t)s->m > SIZE_MAX / sizeof(float) / (size_t)n)
            return ginv_fail(GINV_ERR_ARG, "%s: a %d x %d float matrix overflows size_t; use "
                             "smaller m or n", dense, s->m, n);
        *m = s->m;
        return GINV_OK;
    }
    if (s->kind == GINV_OPK_PHASELESS_FOURIER) { /* its tables and buffers grow with K^2 n */
        int c, h, w, K = s->oversample ? s->oversample : 2;
        ginv_status st = image_shape(s, n, "phaseless-fourier", &c, &h, &w);
        if (st) return st;
        if (K < 1 || K > 16)
            return ginv_fail(GINV_ERR_ARG, "ginv_op_phaseless_fourier: oversampling factor %d is out of "
                             "range; the image is zero-padded K times per side with K an integer in "
                             "[1, 16] (2 is the classic choice)", K);
        if (h > (1 << 15) / K || w > (1 << 15) / K || (long long)c * h * w * K * K > INT_MAX / 2)
            return ginv_fail(GINV_ERR_ARG, "ginv_op_phaseless_fourier: image %d x %d x %d padded %d "
                             "times is invalid; c, h and w must be >= 1 with c (K h) (K w) <= %d", c, h,
                             w, K, INT_MAX / 2);
        *m = c * K * h * K * w;
        return GINV_OK;
    }
    if (s->kind == GINV_OPK_CIRCULANT) { /* ginv_op_circulant's checks; its FFT plans grow with n */
        if (n < 1 || n > (1 << 26))
            return ginv_fail(GINV_ERR_ARG, "ginv_op_circulant: n = %d is invalid; n must be in [1, %d]", n,
                             1 << 26);
        if (s->m > n)
            return ginv_fail(GINV_ERR_ARG, "circulant: M = %d measurements is out of range; a "
                             "partial circulant keeps 1 to n = %d rows", s->m, n);
        if (s->m < 1)
            return ginv_fail(GINV_ERR_ARG, "ginv_op_circulant: m = %d measurements is out of range; "
                             "a partial circulant keeps 1 to n = %d rows", s->m, n);
        *m = s->m;
        return GINV_OK;
    }
    ginv_op *op;
    ginv_status st = ginv_op_from_spec(&op, s, n, 0, 0);
    if (st != GINV_OK) return st;
    *m = ginv_op_m(op);
    ginv_op_free(op);
    return GINV_OK;
}
