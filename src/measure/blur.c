/* blur.c — blur (deblurring) of each channel of a c x h x w image by a
 * kernel K of kh x kw taps (both odd), a true convolution centred on the
 * kernel's middle tap:
 *     y[p, q] = sum_{u < kh, v < kw} K[u, v] x~[p + kh/2 - u, q + kw/2 - v],
 * x~ the image extended past its edges by the boundary rule: reflect (half-
 * sample symmetric, ... b a | a b c ... | c b a ..., folded again for
 * kernels wider than the image), zero, or circular. Every rule maps an
 * outside index to an inside one (or to nothing), so the operator is
 * y = sum_{u,v} K[u, v] S_{u,v} x for selection matrices S and its adjoint
 * scatters: x[map(p, u), map(q, v)] += K[u, v] y[p, q]. m = n.
 *
 * The Gaussian blur is separable and every rule acts per axis, so it runs
 * as a column kernel then a row kernel (2r + 1 taps each instead of
 * (2r + 1)^2), the same operator as its 2-D kernel. Direct summation: the
 * kernels of deblurring are small. Planes (signal, channel) run in chunks on
 * ginv's pool, each plane alone in a fixed order: results do not depend on
 * the thread count. */
#include "measure/op_impl.h"
#include "base/check_internal.h"
#include "linalg/pool.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#define MAX_TAPS 1025 /* a kernel side; a Gaussian's is 2 ceil(3 sigma) + 1 <= 385 */

typedef struct {
    int kh, kw;
    float *k;    /* (kh, kw) */
    int *rmap;   /* (h, kh): the source row of output row p at tap u, -1 outside */
    int *cmap;   /* (w, kw): the same for columns */
} blur_pass;

typedef struct {
    int c, h, w, npass;
    blur_pass pass[2]; /* applied 0 then 1; the adjoint runs 1 then 0 */
} blur_state;

const char *ginv_boundary_name(ginv_boundary b)
{
    switch (b) {
    case GINV_BOUNDARY_REFLECT: return "reflect";
    case GINV_BOUNDARY_ZERO: return "zero";
    case GINV_BOUNDARY_CIRCULAR: return "circular";
    }
    return "?";
}

ginv_status ginv_boundary_parse(const char *name, ginv_boundary *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    for (int b = GINV_BOUNDARY_REFLECT; b <= GINV_BOUNDARY_CIRCULAR; b++)
        if (!strcmp(name, ginv_boundary_name((ginv_boundary)b))) {
            *out = (ginv_boundary)b;
            return GINV_OK;
        }
    return ginv_fail(GINV_ERR_ARG, "unknown boundary rule '%s' (expected reflect, zero or "
                     "circular)", name);
}

/* The inside index that stands for index i of an axis of length len. */
static int fold(int i, int len, ginv_boundary b)
{
    if (i >= 0 && i < len) return i;
    if (b == GINV_BOUNDARY_ZERO) return -1;
    if (b == GINV_BOUNDARY_CIRCULAR) return ((i % len) + len) % len;
    long p = 2L * len, j = ((i % p) + p) % p; /* reflect: period 2 len, mirrored */
    return (int)(j < len ? j : p - 1 - j);
}

/* map (len, taps): the source index of output o at tap t */
static void axis_map(int *map, int len, int taps, ginv_boundary b)
{
    for (int o = 0; o < len; o++)
        for (int t = 0; t < taps; t++) map[(size_t)o * taps + t] = fold(o + taps / 2 - t, len, b);
}

static void blur_free(void *p)
{
    blur_state *s = p;
    for (int i = 0; i < 2; i++) {
        ginv_free(s->pass[i].k);
        ginv_free(s->pass[i].rmap);
        ginv_free(s->pass[i].cmap);
    }
    ginv_free(s);
}

/* out (h, w) = pass applied to in (h, w) */
static void pass_apply(const blur_pass *P, int h, int w, const float *in, float *out)
{
    int kh = P->kh, kw = P->kw;
    for (int p = 0; p < h; p++)
        for (int q = 0; q < w; q++) {
            const int *rm = P->rmap + (size_t)p * kh, *cm = P->cmap + (size_t)q * kw;
            float acc = 0;
            for (int u = 0; u < kh; u++) {
                if (rm[u] < 0) continue;
                const float *row = in + (size_t)rm[u] * w, *ku = P->k + (size_t)u * kw;
                for (int v = 0; v < kw; v++)
                    if (cm[v] >= 0) acc += ku[v] * row[cm[v]];
            }
            out[(size_t)p * w + q] = acc;
        }
}

/* out (h, w) = the pass's adjoint applied to in (h, w): the scatter */
static void pass_adjoint(const blur_pass *P, int h, int w, const float *in, float *out)
{
    int kh = P->kh, kw = P->kw;
    memset(out, 0, (size_t)h * w * sizeof(float));
    for (int p = 0; p < h; p++)
        for (int q = 0; q < w; q++) {
            const int *rm = P->rmap + (size_t)p * kh, *cm = P->cmap + (size_t)q * kw;
            float yv = in[(size_t)p * w + q];
            for (int u = 0; u < kh; u++) {
                if (rm[u] < 0) continue;
                float *row = out + (size_t)rm[u] * w;
                const float *ku = P->k + (size_t)u * kw;
                for (int v = 0; v < kw; v++)
                    if (cm[v] >= 0) row[cm[v]] += ku[v] * yv;
            }
        }
}

typedef struct {
    const blur_state *s;
    int planes, per, adjoint;
    const float *in;
    float *out;
    int failed;
} blur_job;

static void blur_chunk(void *ctx, int chunk)
{
    blur_job *j = ctx;
    const blur_state *s = j->s;
    size_t hw = (size_t)s->h * (size_t)s->w;
    float *tmp = NULL;
    if (s->npass == 2 && !(tmp = ginv_malloc(hw * sizeof(float)))) {
        j->failed = 1;
        return;
    }
    int p0 = chunk * j->per, p1 = p0 + j->per < j->planes ? p0 + j->per : j->planes;
    for (int pl = p0; pl < p1; pl++) {
        const float *in = j->in + (size_t)pl * hw;
        float *out = j->out + (size_t)pl * hw;
        if (s->npass == 1) {
            (j->adjoint ? pass_adjoint : pass_apply)(&s->pass[0], s->h, s->w, in, out);
        } else if (!j->adjoint) {
            pass_apply(&s->pass[0], s->h, s->w, in, tmp);
            pass_apply(&s->pass[1], s->h, s->w, tmp, out);
        } else {
            pass_adjoint(&s->pass[1], s->h, s->w, in, tmp);
            pass_adjoint(&s->pass[0], s->h, s->w, tmp, out);
        }
    }
    ginv_free(tmp);
}

static void blur_run(const ginv_op *op, int B, int adjoint, const float *in, float *out)
{
    const blur_state *s = op->state;
    int hw = s->h * s->w, planes = B * s->c;
    int per = hw >= 4096 ? 1 : 4096 / hw; /* fixed by the sizes, never by the thread count */
    blur_job j = {s, planes, per, adjoint, in, out, 0};
    ginv_pool_run((planes + per - 1) / per, blur_chunk, &j);
    if (j.failed) {
        for (size_t i = 0; i < (size_t)B * (size_t)op->n; i++) out[i] = NAN;
        ginv_fail(GINV_ERR_NOMEM, "blur operator: cannot allocate a %d x %d buffer", s->h, s->w);
    }
}

static void blur_apply(const ginv_op *op, int B, const float *x, float *y)
{
    blur_run(op, B, 0, x, y);
}

static void blur_adjoint(const ginv_op *op, int B, const float *y, float *x)
{
    blur_run(op, B, 1, y, x);
}

static const ginv_op_vtable blur_vt = {"blur", blur_apply, blur_adjoint, blur_free};

/* Fill pass P with a copy of the kh x kw kernel and its index maps. */
static int pass_init(blur_pass *P, const float *k, int kh, int kw, int h, int w,
                     ginv_boundary b)
{
    P->kh = kh;
    P->kw = kw;
    P->k = ginv_malloc((size_t)kh * kw * sizeof(float));
    P->rmap = ginv_malloc((size_t)h * kh * sizeof(int));
    P->cmap = ginv_malloc((size_t)w * kw * sizeof(int));
    if (!P->k || !P->rmap || !P->cmap) return -1;
    memcpy(P->k, k, (size_t)kh * kw * sizeof(float));
    axis_map(P->rmap, h, kh, b);
    axis_map(P->cmap, w, kw, b);
    return 0;
}

/* Check the image and boundary shared by both constructors. */
static ginv_status check_geometry(const char *who, int c, int h, int w, ginv_boundary b)
{
    if (c < 1 || h < 1 || w < 1 || h > (1 << 15) || w > (1 << 15) || c > (1 << 15) ||
        (long long)c * h * w > INT_MAX)
        return ginv_fail(GINV_ERR_ARG, "%s: image %d x %d x %d is invalid; c, h and w must be "
                         ">= 1 with c*h*w <= %d", who, c, h, w, INT_MAX);
    if ((int)b < GINV_BOUNDARY_REFLECT || (int)b > GINV_BOUNDARY_CIRCULAR)
        return ginv_fail(GINV_ERR_ARG, "%s: unknown boundary rule %d (expected reflect, zero or "
                         "circular)", who, (int)b);
    return GINV_OK;
}

/* Build from npass kernels (pass i: kernels[i], khs[i] x kws[i]). */
static ginv_status blur_build(ginv_op **out, const char *who, int c, int h, int w, int npass,
                              const float *const *kernels, const int *khs, const int *kws,
                              ginv_boundary b)
{
    blur_state *s = ginv_calloc(1, sizeof *s);
    if (!s) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory", who);
    s->c = c;
    s->h = h;
    s->w = w;
    s->npass = npass;
    for (int i = 0; i < npass; i++)
        if (pass_init(&s->pass[i], kernels[i], khs[i], kws[i], h, w, b)) {
            blur_free(s);
            return ginv_fail(GINV_ERR_NOMEM, "%s: cannot allocate the kernel's index maps for "
                             "%d x %d", who, h, w);
        }
    return ginv_op_wrap(out, &blur_vt, c * h * w, c * h * w, s);
}

ginv_status ginv_op_blur(ginv_op **out, int c, int h, int w, const float *kernel, int kh,
                         int kw, ginv_boundary boundary)
{
    const char *who = "ginv_op_blur";
    ginv_status st = ginv_op_check_out(out, who);
    if (st) return st;
    if ((st = check_geometry(who, c, h, w, boundary))) return st;
    if (!kernel) return ginv_fail(GINV_ERR_ARG, "%s: kernel is NULL; pass kh x kw floats", who);
    if (kh < 1 || kw < 1 || kh % 2 == 0 || kw % 2 == 0 || kh > MAX_TAPS || kw > MAX_TAPS)
        return ginv_fail(GINV_ERR_ARG, "%s: a %d x %d kernel is invalid; both sides must be odd "
                         "(a middle tap) and at most %d", who, kh, kw, MAX_TAPS);
    for (size_t i = 0; i < (size_t)kh * kw; i++)
        if (!isfinite(kernel[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "%s: kernel entry (%zu, %zu) is %g; the kernel "
                             "must be finite", who, i / (size_t)kw, i % (size_t)kw, kernel[i]);
    const float *ks[1] = {kernel};
    return blur_build(out, who, c, h, w, 1, ks, &kh, &kw, boundary);
}

ginv_status ginv_op_blur_gaussian(ginv_op **out, int c, int h, int w, double sigma,
                                  ginv_boundary boundary)
{
    const char *who = "ginv_op_blur_gaussian";
    ginv_status st = ginv_op_check_out(out, who);
    if (st) return st;
    if ((st = check_geometry(who, c, h, w, boundary))) return st;
    if (!(sigma > 0) || !(sigma <= 64))
        return ginv_fail(GINV_ERR_ARG, "%s: sigma = %g pixels is out of range; the Gaussian "
                         "blur needs 0 < sigma <= 64", who, sigma);
    int r = (int)ceil(3 * sigma), taps = 2 * r + 1;
    float *k = ginv_malloc((size_t)taps * sizeof(float)); /* (taps) */
    if (!k) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory", who);
    double sum = 0;
    for (int i = 0; i < taps; i++) sum += exp(-(double)(i - r) * (i - r) / (2 * sigma * sigma));
    for (int i = 0; i < taps; i++)
        k[i] = (float)(exp(-(double)(i - r) * (i - r) / (2 * sigma * sigma)) / sum);
    /* columns (a taps x 1 kernel) then rows (1 x taps) */
    const float *ks[2] = {k, k};
    int khs[2] = {taps, 1}, kws[2] = {1, taps};
    st = blur_build(out, who, c, h, w, 2, ks, khs, kws, boundary);
    ginv_free(k);
    return st;
}
