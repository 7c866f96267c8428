/* wdc.c — the Weight Distribution Condition of Hand & Voroninski (2019),
 * Definition 2: for a layer W (n x k, rows w_i) and nonzero x, y,
 *     || sum_i 1[w_i.x > 0] 1[w_i.y > 0] w_i w_i^T - Q_{x,y} || <= eps,
 *     Q_{x,y} = (pi - th)/(2 pi) I + sin(th)/(2 pi) M_{x<->y}          (eq. 2),
 * with M_{x<->y} as in footnote 1. The deviation at one pair, and an estimate
 * of the constant: the maximum over sampled pairs (uniform, small angles,
 * angles near pi) refined by random-perturbation hill-climbing; over all
 * nonzero x, y (as written) or over the inputs the layer actually sees. */
#include "ginv.h"
#include "base/check_internal.h"

#include <float.h>
#include <math.h>
#include <string.h>

enum { WDC_KIND_UNIFORM = 0, WDC_KIND_SMALL = 1, WDC_KIND_NEAR_PI = 2, WDC_KINDS = 3 };
#define WDC_MAX_STARTS 64
#define WDC_SMALL_MIN 1e-4 /* small angles / offsets are log-uniform in [1e-4, 0.5] */
#define WDC_SMALL_MAX 0.5

/* ||x||_2 in double. */
static double norm2(int k, const double *x)
{
    double s = 0;
    for (int i = 0; i < k; i++) s += x[i] * x[i];
    return sqrt(s);
}

/* Footnote 1: unit xh, the unit direction u of y^ - (x^.y^) x^ (twice
 * orthogonalised), c = cos th, s = sin th = ||y^ - c x^||. Returns 0 when x or y
 * is zero or not finite. */
static int pair_frame(int k, const double *x, const double *y, double *xh, double *u, double *c,
                      double *s)
{
    double nx = norm2(k, x), ny = norm2(k, y);
    if (!(nx > 0) || !(ny > 0) || !isfinite(nx) || !isfinite(ny)) return 0;
    double dot = 0;
    for (int i = 0; i < k; i++) {
        xh[i] = x[i] / nx;
        u[i] = y[i] / ny;
    }
    for (int i = 0; i < k; i++) dot += xh[i] * u[i];
    for (int pass = 0; pass < 2; pass++) {
        double p = 0;
        for (int i = 0; i < k; i++) p += xh[i] * u[i];
        for (int i = 0; i < k; i++) u[i] -= p * xh[i];
    }
    double sn = norm2(k, u);
    double th = atan2(sn, dot);
    *c = cos(th);
    *s = sin(th);
    if (sn > 0)
        for (int i = 0; i < k; i++) u[i] /= sn;
    /* at th = 0 or pi (to rounding) M is +-x^x^T: no u */
    if (sn <= 64 * DBL_EPSILON) {
        *s = 0;
        *c = dot >= 0 ? 1 : -1;
        memset(u, 0, sizeof(double) * (size_t)k);
    }
    return 1;
}

/* M = c x^x^T + s (x^u^T + u x^T) - c u u^T = R^T [[c, s], [s, -c]] R
 * (footnote 1), which is +-x^x^T at th = 0, pi since then u = 0, c = +-1. */
static void swap_from_frame(int k, const double *xh, const double *u, double c, double s, double *M)
{
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            M[(size_t)i * k + j] =
                c * xh[i] * xh[j] + s * (xh[i] * u[j] + u[i] * xh[j]) - c * u[i] * u[j];
}

/* Build the pair's frame (x^, u, cos, sin) and fill out (k x k) with
 * from_frame; `what` names the matrix in messages. */
static ginv_status with_frame(int k, const double *x, const double *y, double *out,
                              const char *what,
                              void (*from_frame)(int, const double *, const double *, double,
                                                 double, double *))
{
    if (k < 1) return ginv_fail(GINV_ERR_ARG, "%s: dimension %d must be >= 1", what, k);
    double *buf = ginv_malloc(sizeof(double) * 2 * (size_t)k);
    if (!buf) return ginv_fail(GINV_ERR_NOMEM, "%s: out of memory for k = %d", what, k);
    double c, s;
    ginv_status st = GINV_OK;
    if (!pair_frame(k, x, y, buf, buf + k, &c, &s))
        st = ginv_fail(GINV_ERR_ARG, "%s: x and y must be nonzero and finite (Def. 2)", what);
    else
        from_frame(k, buf, buf + k, c, s, out);
    ginv_free(buf);
    return st;
}

/* Footnote 1 of Def. 2: M_{x<->y}. */
ginv_status ginv_wdc_swap_matrix(int k, const double *x, const double *y, double *M)
{
    return with_frame(k, x, y, M, "M_{x<->y}", swap_from_frame);
}

/* Q_{x,y} of eq. (2) from the pair's frame. */
static void q_from_frame(int k, const double *xh, const double *u, double c, double s, double *Q)
{
    swap_from_frame(k, xh, u, c, s, Q);
    double th = atan2(s, c), a = (M_PI - th) / (2 * M_PI), b = s / (2 * M_PI);
    for (size_t i = 0; i < (size_t)k * k; i++) Q[i] *= b;
    for (int i = 0; i < k; i++) Q[(size_t)i * k + i] += a;
}

/* Eq. (2): Q_{x,y}. */
ginv_status ginv_wdc_q(int k, const double *x, const double *y, double *Q)
{
    return with_frame(k, x, y, Q, "Q_{x,y}", q_from_frame);
}

/* ------------------------------------------------ deviation of one layer */

typedef struct {
    int n, k;
    double *W;       /* n x k in double */
    double *D;       /* k x k: sum - Q */
    double *xh, *u;  /* frame */
    double *eig;     /* k */
} wdc_ctx;

static void ctx_release(wdc_ctx *c)
{
    ginv_free(c->W);
    ginv_free(c->D);
    ginv_free(c->xh);
}

static ginv_status ctx_init(wdc_ctx *c, int n, int k, const float *W)
{
    memset(c, 0, sizeof *c);
    if (n < 1 || k < 1) return ginv_fail(GINV_ERR_ARG, "WDC: W is %d x %d; both sizes must be >= 1", n, k);
    c->n = n;
    c->k = k;
    c->W = ginv_malloc(sizeof(double) * (size_t)n * k);
    c->D = ginv_malloc(sizeof(double) * (size_t)k * k);
    c->xh = ginv_malloc(sizeof(double) * 3 * (size_t)k);
    if (!c->W || !c->D || !c->xh) {
        ctx_release(c);
        return ginv_fail(GINV_ERR_NOMEM, "WDC: out of memory for a %d x %d layer", n, k);
    }
    c->u = c->xh + k;
    c->eig = c->xh + 2 * (size_t)k;
    for (size_t i = 0; i < (size_t)n * k; i++) {
        if (!isfinite(W[i])) {
            ctx_release(c);
            return ginv_fail(GINV_ERR_NUMERIC, "WDC: weight (%zu, %zu) is not finite", i / k, i % k);
        }
        c->W[i] = W[i];
    }
    return GINV_OK;
}

/* Eq. (2) at (x, y); *angle gets th. GINV_ERR_ARG for a zero x or y. */
static ginv_status ctx_dev(wdc_ctx *c, const double *x, const double *y, double *dev, double *angle)
{
    int n = c->n, k = c->k;
    double cs, sn;
    if (!pair_frame(k, x, y, c->xh, c->u, &cs, &sn))
        return ginv_fail(GINV_ERR_ARG, "WDC: x and y must be nonzero and finite (Def. 2)");
    q_from_frame(k, c->xh, c->u, cs, sn, c->D);
    for (size_t i = 0; i < (size_t)k * k; i++) c->D[i] = -c->D[i];
    for (int r = 0; r < n; r++) {
        const double *w = c->W + (size_t)r * k;
        double px = 0, py = 0;
        for (int a = 0; a < k; a++) {
            px += w[a] * x[a];
            py += w[a] * y[a];
        }
        if (!(px > 0 && py > 0)) continue;
        for (int a = 0; a < k; a++) {
            double wa = w[a];
            double *Da = c->D + (size_t)a * k;
            for (int b = 0; b <= a; b++) Da[b] += wa * w[b];
        }
    }
    *angle = atan2(sn, cs);
    ginv_status st = ginv_sym_eigvals(k, c->D, c->eig);
    if (st == GINV_OK) *dev = fmax(fabs(c->eig[0]), fabs(c->eig[k - 1]));
    return st;
}

/* Def. 2, eq. (2) at one pair. */
ginv_status ginv_wdc_deviation(int n, int k, const float *W, const double *x, const double *y,
                               double *dev)
{
    wdc_ctx c;
    ginv_status st = ctx_init(&c, n, k, W);
    if (st != GINV_OK) return st;
    double th;
    st = ctx_dev(&c, x, y, dev, &th);
    ctx_release(&c);
    return st;
}

void ginv_wdc_opts_init(ginv_wdc_opts *o)
{
    memset(o, 0, sizeof *o);
    o->pairs = 500;
    o->ascent_starts = 4;
    o->ascent_steps = 100;
    o->seed = 1;
}

/* --------------------------------------------------------------- search */

/* A search over parameters p = (p1, p2) (2 x dim) mapped to the pair (x, y):
 * identity for Def. 2 as written, the layer's inputs for latents (range). */
typedef struct {
    wdc_ctx c;
    int dim;                /* of p1, p2 */
    int range;              /* p are latents mapped through prefix (identity if NULL) */
    ginv_net *prefix;       /* range: the layers before the dense layer, or NULL */
    ginv_net_ws *ws;
    float *zf;              /* 2 x dim */
    double *x, *y;          /* k each */
} wdc_search;

/* Deviation at parameters p; 0 with *ok = 0 when the pair is invalid (a zero input). */
static ginv_status search_eval(wdc_search *s, const double *p, double *dev, double *angle, int *ok)
{
    int k = s->c.k;
    *ok = 0;
    if (!s->prefix) {
        memcpy(s->x, p, sizeof(double) * k);
        memcpy(s->y, p + k, sizeof(double) * k);
    } else {
        for (int i = 0; i < 2 * s->dim; i++) s->zf[i] = (float)p[i];
        const float *out = ginv_net_forward(s->prefix, s->ws, 2, s->zf);
        for (int i = 0; i < k; i++) {
            s->x[i] = out[i];
            s->y[i] = out[k + i];
        }
    }
    if (!(norm2(k, s->x) > 0) || !(norm2(k, s->y) > 0)) return GINV_OK;
    ginv_status st = ctx_dev(&s->c, s->x, s->y, dev, angle);
    if (st == GINV_OK) *ok = 1;
    return st;
}

/* A unit vector orthogonal to unit x (dim), drawn from r. */
static void random_orthogonal(ginv_rng *r, int dim, const double *x, double *u)
{
    for (;;) {
        for (int i = 0; i < dim; i++) u[i] = ginv_rng_normal(r);
        double p = 0;
        for (int i = 0; i < dim; i++) p += u[i] * x[i];
        for (int i = 0; i < dim; i++) u[i] -= p * x[i];
        double nu = norm2(dim, u);
        if (dim == 1 || nu > 1e-8) {
            for (int i = 0; i < dim; i++) u[i] = nu > 0 ? u[i] / nu : 0;
            return;
        }
    }
}

static double log_uniform(ginv_rng *r, double lo, double hi)
{
    return exp(log(lo) + (log(hi) - log(lo)) * ginv_rng_uniform(r));
}

/* Sample pair j's parameters: on the sphere with a chosen angle (all x, y),
 * or latents z, z' ~ N(0, I) with z' near z or -z (range). */
static void sample_pair(ginv_rng *r, int dim, int range, long j, double *p, double *tmp)
{
    double *a = p, *b = p + dim;
    int kind = (int)(j % WDC_KINDS);
    for (int i = 0; i < dim; i++) a[i] = ginv_rng_normal(r);
    if (!range) {
        double na = norm2(dim, a);
        for (int i = 0; i < dim; i++) a[i] /= na;
        double th;
        if (j == 1) th = 0;             /* the exact cases of footnote 1 */
        else if (j == 2) th = M_PI;
        else if (kind == WDC_KIND_SMALL) th = log_uniform(r, WDC_SMALL_MIN, WDC_SMALL_MAX);
        else if (kind == WDC_KIND_NEAR_PI) th = M_PI - log_uniform(r, WDC_SMALL_MIN, WDC_SMALL_MAX);
        else th = -1;
        if (th < 0) { /* independent uniform */
            for (int i = 0; i < dim; i++) b[i] = ginv_rng_normal(r);
            double nb = norm2(dim, b);
            for (int i = 0; i < dim; i++) b[i] /= nb;
        } else {
            random_orthogonal(r, dim, a, tmp);
            for (int i = 0; i < dim; i++) b[i] = cos(th) * a[i] + sin(th) * tmp[i];
        }
    } else {
        double sign = kind == WDC_KIND_NEAR_PI ? -1 : 1;
        double t = log_uniform(r, WDC_SMALL_MIN, WDC_SMALL_MAX);
        for (int i = 0; i < dim; i++) {
            double g = ginv_rng_normal(r);
            b[i] = kind == WDC_KIND_UNIFORM ? g : sign * a[i] + t * g;
        }
    }
}

typedef struct { double dev; double *p; } wdc_best;

/* Keep the `ns` largest deviations (descending) with their parameters. */
static void keep_best(wdc_best *best, int *nb, int ns, int plen, double dev, const double *p)
{
    if (*nb == ns && dev <= best[ns - 1].dev) return;
    int i = *nb < ns ? (*nb)++ : ns - 1;
    double *slot = best[i].p;
    while (i > 0 && best[i - 1].dev < dev) {
        best[i] = best[i - 1];
        i--;
    }
    best[i].dev = dev;
    best[i].p = slot;
    memcpy(slot, p, sizeof(double) * plen);
}

/* Sampling then hill-climbing: from each of the worst pairs, perturb one or
 * both of (p1, p2) by sigma (relative to their norms); keep improvements,
 * widen sigma on success and narrow it on failure. */
static ginv_status search_run(wdc_search *s, const ginv_wdc_opts *o, ginv_wdc_result *res)
{
    int dim = s->dim, plen = 2 * dim;
    int ns = o->ascent_starts < 1 ? 1 : o->ascent_starts > WDC_MAX_STARTS ? WDC_MAX_STARTS : o->ascent_starts;
    memset(res, 0, sizeof *res);
    if (o->pairs < 1) return ginv_fail(GINV_ERR_ARG, "WDC: pairs %d must be at least 1", o->pairs);
    double *buf = ginv_malloc(sizeof(double) * (size_t)plen * (ns + 3));
    if (!buf) return ginv_fail(GINV_ERR_NOMEM, "WDC: out of memory");
    wdc_best best[WDC_MAX_STARTS];
    for (int i = 0; i < ns; i++) best[i].p = buf + (size_t)i * plen;
    double *p = buf + (size_t)ns * plen, *q = p + plen, *tmp = q + plen;
    int nb = 0;
    ginv_rng r;
    ginv_rng_init(&r, o->seed, GINV_STREAM_WDC, o->index);
    ginv_status st = GINV_OK;
    double sum = 0, best_angle = NAN;
    long valid = 0;
    for (long j = 0; j < o->pairs && st == GINV_OK; j++) {
        sample_pair(&r, dim, s->range, j, p, tmp);
        double dev, th;
        int ok;
        st = search_eval(s, p, &dev, &th, &ok);
        res->evaluated++;
        if (st != GINV_OK || !ok) continue;
        valid++;
        sum += dev;
        if (valid == 1 || dev > res->max_sampled) {
            res->max_sampled = dev;
            best_angle = th;
        }
        keep_best(best, &nb, ns, plen, dev, p);
        if (j % 64 == 63) ginv_progress("WDC pairs", j + 1, o->pairs);
    }
    if (st == GINV_OK && valid == 0)
        st = ginv_fail(GINV_ERR_NUMERIC,
                       "WDC: every sampled pair had a zero layer input (dead ReLUs); try more "
                       "--pairs or another layer");
    res->max = res->max_sampled;
    res->mean = valid ? sum / valid : NAN;
    res->angle = best_angle;
    for (int b = 0; b < nb && st == GINV_OK; b++) {
        double cur = best[b].dev, sigma = 0.3;
        memcpy(p, best[b].p, sizeof(double) * plen);
        for (int step = 0; step < o->ascent_steps && st == GINV_OK; step++) {
            int which = (int)ginv_rng_below(&r, 3); /* 0: p1, 1: p2, 2: both */
            for (int h = 0; h < 2; h++) {
                const double *ph = p + h * dim;
                double *qh = q + h * dim;
                double scale = sigma * norm2(dim, ph) / sqrt(dim);
                int move = which == 2 || which == h;
                for (int i = 0; i < dim; i++) qh[i] = ph[i] + (move ? scale * ginv_rng_normal(&r) : 0);
            }
            double dev, th;
            int ok;
            st = search_eval(s, q, &dev, &th, &ok);
            res->evaluated++;
            if (st != GINV_OK) break;
            if (ok && dev > cur) {
                cur = dev;
                memcpy(p, q, sizeof(double) * plen);
                sigma = fmin(1.0, sigma * 2);
                if (dev > res->max) {
                    res->max = dev;
                    res->angle = th;
                }
            } else {
                sigma = fmax(1e-6, sigma * 0.85);
            }
        }
    }
    ginv_free(buf);
    return st;
}

static void search_release(wdc_search *s)
{
    ctx_release(&s->c);
    ginv_net_ws_free(s->ws);
    ginv_net_free(s->prefix);
    ginv_free(s->zf);
    ginv_free(s->x);
}

static ginv_status search_buffers(wdc_search *s)
{
    int k = s->c.k;
    s->x = ginv_malloc(sizeof(double) * 2 * (size_t)k);
    s->zf = ginv_malloc(sizeof(float) * 2 * (size_t)s->dim);
    if (!s->x || !s->zf) return ginv_fail(GINV_ERR_NOMEM, "WDC: out of memory");
    s->y = s->x + k;
    return GINV_OK;
}

/* The WDC constant of W over all nonzero x, y (Def. 2 as written). */
ginv_status ginv_wdc_estimate(int n, int k, const float *W, const ginv_wdc_opts *o,
                              ginv_wdc_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(W);
    GINV_NONNULL(o);
    wdc_search s;
    memset(&s, 0, sizeof s);
    ginv_status st = ctx_init(&s.c, n, k, W);
    if (st != GINV_OK) return st;
    s.dim = k;
    st = search_buffers(&s);
    if (st == GINV_OK) st = search_run(&s, o, res);
    search_release(&s);
    return st;
}

/* The WDC constant of dense layer `layer` on the inputs it sees (range of the
 * layers before it): x = G_{<layer}(z), y = G_{<layer}(z'). */
ginv_status ginv_wdc_estimate_range(const ginv_net *net, int layer, const ginv_wdc_opts *o,
                                    ginv_wdc_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(o);
    int L = ginv_net_nlayers(net);
    if (layer < 0 || layer >= L || ginv_net_layer_c(net, layer)->kind != GINV_LAYER_DENSE)
        return ginv_fail(GINV_ERR_ARG, "WDC: layer %d is not a dense layer of the %d-layer net", layer, L);
    const ginv_layer *ly = ginv_net_layer_c(net, layer);
    wdc_search s;
    memset(&s, 0, sizeof s);
    ginv_status st = ctx_init(&s.c, ly->out, ly->in, ly->W);
    if (st != GINV_OK) return st;
    s.dim = ginv_net_in(net);
    if (layer > 0) { /* the layers before it, with their parameters */
        ginv_layer spec[256];
        if (layer > 256) st = ginv_fail(GINV_ERR_ARG, "WDC: layer %d is too deep (at most 256)", layer);
        for (int i = 0; i < layer && st == GINV_OK; i++) spec[i] = *ginv_net_layer_c(net, i);
        if (st == GINV_OK) st = ginv_net_new(&s.prefix, layer, spec);
        for (int i = 0; i < layer && st == GINV_OK; i++) {
            const ginv_layer *a = ginv_net_layer_c(net, i);
            ginv_layer *b = ginv_net_layer(s.prefix, i);
            if (!ginv_layer_nparams(a)) continue;
            /* a layer's W and b are adjacent in the parameter block */
            memcpy(b->W, a->W, sizeof(float) * ginv_layer_nparams(a));
        }
        if (st == GINV_OK) st = ginv_net_ws_new(&s.ws, s.prefix, 2);
    }
    if (st == GINV_OK) st = search_buffers(&s);
    s.range = 1;
    if (st == GINV_OK) st = search_run(&s, o, res);
    search_release(&s);
    return st;
}
