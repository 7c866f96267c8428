/* rric.c — the Range Restricted Isometry Condition of Hand & Voroninski
 * (2019), Definition 3: for all x1..x4,
 *     |<A(G(x1) - G(x2)), A(G(x3) - G(x4))> - <G(x1) - G(x2), G(x3) - G(x4)>|
 *         <= eps ||G(x1) - G(x2)|| ||G(x3) - G(x4)||.
 * The deviation (the smallest eps for given x1..x4) for a batch of
 * quadruples, one forward pass per chunk, and an estimate of the constant:
 * the maximum over sampled quadruples refined by batched hill-climbing. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

#define RRIC_CHUNK 64          /* quadruples per forward pass (4 x 64 latents) */
#define RRIC_MAX_STARTS 64
#define RRIC_NEAR_MIN 1e-3     /* nearby pairs: x2 = x1 + t g, t log-uniform in [1e-3, 0.3] */
#define RRIC_NEAR_MAX 0.3
/* In the search, a difference smaller than this fraction of its signals is
 * float rounding rather than a range difference, and is skipped. */
#define RRIC_MIN_REL 1e-4
enum { RRIC_KIND_INDEPENDENT, RRIC_KIND_NEAR12, RRIC_KIND_NEAR_BOTH, RRIC_KIND_SAME,
       RRIC_KIND_SAME_NEAR, RRIC_KIND_ZERO, RRIC_KINDS };

typedef struct {
    const ginv_net *net;
    const ginv_op *op;
    int k, n, m, cap;   /* cap: quadruples per pass */
    ginv_net_ws *ws;
    float *d;           /* 2 cap x n: d1, d2 of each quadruple */
    float *Ad;          /* 2 cap x m */
} rric_ctx;

static void ctx_release(rric_ctx *c)
{
    ginv_net_ws_free(c->ws);
    ginv_free(c->d);
    ginv_free(c->Ad);
}

static ginv_status ctx_init(rric_ctx *c, const ginv_net *net, const ginv_op *op, int cap)
{
    memset(c, 0, sizeof *c);
    c->net = net;
    c->op = op;
    c->k = ginv_net_in(net);
    c->n = ginv_net_out(net);
    c->m = ginv_op_m(op);
    c->cap = cap;
    if (ginv_op_n(op) != c->n)
        return ginv_fail(GINV_ERR_SHAPE,
                         "RRIC: the operator takes signals of size %d but the generator outputs %d",
                         ginv_op_n(op), c->n);
    ginv_status st = ginv_net_ws_new(&c->ws, net, 4 * cap);
    if (st != GINV_OK) return st;
    c->d = ginv_malloc(sizeof(float) * 2 * (size_t)cap * c->n);
    c->Ad = ginv_malloc(sizeof(float) * 2 * (size_t)cap * c->m);
    if (!c->d || !c->Ad) {
        ctx_release(c);
        return ginv_fail(GINV_ERR_NOMEM, "RRIC: out of memory for %d quadruples of size %d", cap, c->n);
    }
    return GINV_OK;
}

/* Def. 3 for Q <= cap quadruples x (Q x 4 x k); rel[q] (optional) gets
 * min(||d1|| / max(||G(x1)||, ||G(x2)||), the same for d2). */
static ginv_status ctx_eval(rric_ctx *c, int Q, const float *x, double *dev, double *rel)
{
    int n = c->n, m = c->m;
    for (size_t i = 0; i < (size_t)Q * 4 * c->k; i++)
        if (!isfinite(x[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "RRIC: latent %zu of quadruple %zu is not finite",
                             (i / c->k) % 4 + 1, i / (4 * (size_t)c->k));
    const float *G = ginv_net_forward(c->net, c->ws, 4 * Q, x);
    for (int q = 0; q < Q; q++)
        for (int h = 0; h < 2; h++) {
            const float *a = G + (size_t)(4 * q + 2 * h) * n, *b = a + n;
            float *d = c->d + (size_t)(2 * q + h) * n;
            double na = 0, nb = 0, nd = 0;
            for (int i = 0; i < n; i++) {
                d[i] = a[i] - b[i];
                na += (double)a[i] * a[i];
                nb += (double)b[i] * b[i];
                nd += (double)d[i] * d[i];
            }
            if (rel) {
                double r = nd > 0 ? sqrt(nd / fmax(na, nb)) : 0;
                rel[q] = h == 0 || r < rel[q] ? r : rel[q];
            }
        }
    ginv_op_apply(c->op, 2 * Q, c->d, c->Ad);
    for (int q = 0; q < Q; q++) {
        const float *d1 = c->d + (size_t)2 * q * n, *d2 = d1 + n;
        const float *a1 = c->Ad + (size_t)2 * q * m, *a2 = a1 + m;
        double dd = 0, n1 = 0, n2 = 0, aa = 0;
        for (int i = 0; i < n; i++) {
            dd += (double)d1[i] * d2[i];
            n1 += (double)d1[i] * d1[i];
            n2 += (double)d2[i] * d2[i];
        }
        for (int i = 0; i < m; i++) aa += (double)a1[i] * a2[i];
        dev[q] = n1 > 0 && n2 > 0 ? fabs(aa - dd) / sqrt(n1 * n2) : 0;
        if (!isfinite(dev[q]))
            return ginv_fail(GINV_ERR_NUMERIC, "RRIC: the deviation of quadruple %d is not finite "
                             "(the generator or operator overflows)", q);
    }
    return GINV_OK;
}

/* Def. 3 for Q quadruples, in chunks of RRIC_CHUNK. */
ginv_status ginv_rric_deviation(const ginv_net *net, const ginv_op *op, int Q, const float *x,
                                double *dev)
{
    if (Q < 1) return ginv_fail(GINV_ERR_ARG, "RRIC: %d quadruples; need at least 1", Q);
    rric_ctx c;
    ginv_status st = ctx_init(&c, net, op, Q < RRIC_CHUNK ? Q : RRIC_CHUNK);
    for (int q0 = 0; q0 < Q && st == GINV_OK; q0 += c.cap) {
        int nq = Q - q0 < c.cap ? Q - q0 : c.cap;
        st = ctx_eval(&c, nq, x + (size_t)q0 * 4 * c.k, dev + q0, NULL);
    }
    ctx_release(&c);
    return st;
}

void ginv_rric_opts_init(ginv_rric_opts *o)
{
    memset(o, 0, sizeof *o);
    o->quads = 500;
    o->ascent_starts = 4;
    o->ascent_steps = 30;
    o->ascent_batch = 32;
    o->seed = 1;
}

static double log_uniform(ginv_rng *r, double lo, double hi)
{
    return exp(log(lo) + (log(hi) - log(lo)) * ginv_rng_uniform(r));
}

/* Quadruple j of the sample (k floats per latent), by kind j % RRIC_KINDS. */
static void sample_quad(ginv_rng *r, int k, long j, float *x)
{
    float *x1 = x, *x2 = x + k, *x3 = x + 2 * k, *x4 = x + 3 * k;
    int kind = (int)(j % RRIC_KINDS);
    ginv_rng_normal_f32(r, x, 4 * (size_t)k, 1.0);
    double t1 = log_uniform(r, RRIC_NEAR_MIN, RRIC_NEAR_MAX), t2 = log_uniform(r, RRIC_NEAR_MIN, RRIC_NEAR_MAX);
    switch (kind) {
    case RRIC_KIND_NEAR12:
        for (int i = 0; i < k; i++) x2[i] = x1[i] + (float)t1 * x2[i];
        break;
    case RRIC_KIND_NEAR_BOTH:
        for (int i = 0; i < k; i++) {
            x2[i] = x1[i] + (float)t1 * x2[i];
            x4[i] = x3[i] + (float)t2 * x4[i];
        }
        break;
    case RRIC_KIND_SAME:
        memcpy(x3, x1, sizeof(float) * k);
        memcpy(x4, x2, sizeof(float) * k);
        break;
    case RRIC_KIND_SAME_NEAR:
        for (int i = 0; i < k; i++) x2[i] = x1[i] + (float)t1 * x2[i];
        memcpy(x3, x1, sizeof(float) * k);
        memcpy(x4, x2, sizeof(float) * k);
        break;
    case RRIC_KIND_ZERO:
        memset(x2, 0, sizeof(float) * k);
        memset(x4, 0, sizeof(float) * k);
        break;
    default:
        break;
    }
}

static double dist(int k, const float *a, const float *b)
{
    double s = 0;
    for (int i = 0; i < k; i++) s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return sqrt(s);
}

typedef struct { double dev; float *x; } rric_best;

static void keep_best(rric_best *best, int *nb, int ns, int len, double dev, const float *x)
{
    if (*nb == ns && dev <= best[ns - 1].dev) return;
    int i = *nb < ns ? (*nb)++ : ns - 1;
    float *slot = best[i].x;
    while (i > 0 && best[i - 1].dev < dev) {
        best[i] = best[i - 1];
        i--;
    }
    best[i].dev = dev;
    best[i].x = slot;
    memcpy(slot, x, sizeof(float) * len);
}

/* The RRIC constant (Def. 3): sampled quadruples, then from the worst few a
 * hill-climb whose every step evaluates a batch of perturbations at scales
 * sigma 4^-j of a random nonempty subset of x1..x4. */
ginv_status ginv_rric_estimate(const ginv_net *net, const ginv_op *op, const ginv_rric_opts *o,
                               ginv_rric_result *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(o);
    if (o->quads < 1) return ginv_fail(GINV_ERR_ARG, "RRIC: quadruples %d must be at least 1", o->quads);
    int ns = o->ascent_starts < 1 ? 1 : o->ascent_starts > RRIC_MAX_STARTS ? RRIC_MAX_STARTS : o->ascent_starts;
    int C = o->ascent_batch < 1 ? 1 : o->ascent_batch;
    rric_ctx c;
    ginv_status st = ctx_init(&c, net, op, C > RRIC_CHUNK ? C : RRIC_CHUNK);
    if (st != GINV_OK) return st;
    int k = c.k, len = 4 * k;
    float *x = ginv_malloc(sizeof(float) * ((size_t)c.cap * len + (size_t)(ns + 1) * len));
    double *dev = ginv_malloc(sizeof(double) * 2 * (size_t)c.cap);
    if (!x || !dev) {
        ginv_free(x);
        ginv_free(dev);
        ctx_release(&c);
        return ginv_fail(GINV_ERR_NOMEM, "RRIC: out of memory");
    }
    double *rel = dev + c.cap;
    rric_best best[RRIC_MAX_STARTS];
    for (int i = 0; i < ns; i++) best[i].x = x + (size_t)c.cap * len + (size_t)i * len;
    float *cur = x + (size_t)c.cap * len + (size_t)ns * len;
    int nb = 0;
    ginv_rng r;
    ginv_rng_init(&r, o->seed, GINV_STREAM_RRIC, o->index);
    double sum = 0;
    long valid = 0;
    for (long j0 = 0; j0 < o->quads && st == GINV_OK; j0 += c.cap) {
        int nq = o->quads - j0 < c.cap ? (int)(o->quads - j0) : c.cap;
        for (int q = 0; q < nq; q++) sample_quad(&r, k, j0 + q, x + (size_t)q * len);
        st = ctx_eval(&c, nq, x, dev, rel);
        res->evaluated += nq;
        for (int q = 0; q < nq && st == GINV_OK; q++) {
            if (rel[q] < RRIC_MIN_REL) continue; /* equal or zero differences: Def. 3 holds */
            valid++;
            sum += dev[q];
            const float *xq = x + (size_t)q * len;
            if (valid == 1 || dev[q] > res->max_sampled) {
                res->max_sampled = dev[q];
                res->dist12 = dist(k, xq, xq + k);
                res->dist34 = dist(k, xq + 2 * k, xq + 3 * k);
            }
            keep_best(best, &nb, ns, len, dev[q], xq);
        }
        ginv_progress("RRIC quadruples", j0 + nq, o->quads);
    }
    if (st == GINV_OK && valid == 0)
        st = ginv_fail(GINV_ERR_NUMERIC, "RRIC: every sampled difference G(x1) - G(x2) was zero; "
                                         "is the generator constant?");
    res->max = res->max_sampled;
    res->mean = valid ? sum / valid : NAN;
    for (int b = 0; b < nb && st == GINV_OK; b++) {
        double curdev = best[b].dev, sigma = 0.3;
        memcpy(cur, best[b].x, sizeof(float) * len);
        for (int step = 0; step < o->ascent_steps && st == GINV_OK; step++) {
            for (int q = 0; q < C; q++) {
                float *xq = x + (size_t)q * len;
                memcpy(xq, cur, sizeof(float) * len);
                double scale = sigma * pow(0.25, q % 8);
                int mask = 1 + (int)ginv_rng_below(&r, 15);
                for (int v = 0; v < 4; v++)
                    if (mask >> v & 1)
                        for (int i = 0; i < k; i++) xq[v * k + i] += (float)(scale * ginv_rng_normal(&r));
            }
            st = ctx_eval(&c, C, x, dev, rel);
            res->evaluated += C;
            int bi = -1;
            for (int q = 0; q < C && st == GINV_OK; q++)
                if (rel[q] >= RRIC_MIN_REL && dev[q] > curdev && (bi < 0 || dev[q] > dev[bi])) bi = q;
            if (bi >= 0) {
                curdev = dev[bi];
                memcpy(cur, x + (size_t)bi * len, sizeof(float) * len);
                sigma = fmin(1.0, 2 * sigma * pow(0.25, bi % 8));
                if (curdev > res->max) {
                    res->max = curdev;
                    res->dist12 = dist(k, cur, cur + k);
                    res->dist34 = dist(k, cur + 2 * k, cur + 3 * k);
                }
            } else {
                sigma = fmax(1e-6, sigma * 0.7);
            }
        }
    }
    ginv_free(x);
    ginv_free(dev);
    ctx_release(&c);
    return st;
}
