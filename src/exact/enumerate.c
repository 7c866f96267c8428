/* enumerate.c — exact decision for binary latents ({0,1}^k or {-1,1}^k), any
 * norm: depth-first over the coordinates with the subtrees whose interval
 * bound excludes the threshold pruned, and the last b coordinates of every
 * surviving prefix evaluated as one block of 2^b latents: the first layer's
 * pre-activations by Gray-code updates (one column added per latent), the
 * rest as matrix products over the block. Every distance is computed in
 * double; those near the threshold are recomputed by the clean forward pass.
 * Certificate: visited + pruned latents == 2^k, each pruned subtree with its
 * bound (docs/decide.md). */
#include "exact_internal.h"
#include "base/ctx_internal.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

/* OpenBLAS stays single-threaded in ginv (see gemm.c): the blocks are small */
void openblas_set_num_threads(int);
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single(void) { openblas_set_num_threads(1); }

enum { BLOCK_BITS = 10 };

typedef struct {
    const ginv_decide_ctx *cx;
    ginv_decide_result *res;
    int k, nb, pre;          /* latent size, block bits, DFS bits */
    double lowv, highv;      /* 0/1 or -1/1 */
    double *z, *zlo, *zhi;   /* (k) */
    double *lo, *hi;         /* (units) interval bounds */
    double *W0T;             /* (k x out0) first layer, transposed */
    double *y0;              /* (out0) */
    double *H[2];            /* (2^nb x maxw) block activations */
    double *zz;              /* (k) scratch latent */
    double margin;
    double min_pruned;       /* least bound of a pruned subtree */
    double min_visited;      /* least distance of a visited latent */
    int stop;                /* 1: answered YES (not minimising), 2: time limit, 3: no memory */
} enum_state;

/* ||a - x||_p (exact, inf: max norm) */
static double dist_fast(int n, const double *a, const double *x, double p)
{
    double s = 0;
    if (p == GINV_NORM_EXACT || isinf(p)) {
        for (int i = 0; i < n; i++) s = fmax(s, fabs(a[i] - x[i]));
        return s;
    }
    if (p == 1) {
        for (int i = 0; i < n; i++) s += fabs(a[i] - x[i]);
        return s;
    }
    if (p == 2) {
        for (int i = 0; i < n; i++) s += (a[i] - x[i]) * (a[i] - x[i]);
        return sqrt(s);
    }
    for (int i = 0; i < n; i++) s += pow(fabs(a[i] - x[i]), p);
    return pow(s, 1 / p);
}

static double prune_threshold(const enum_state *s)
{
    const ginv_decide_ctx *cx = s->cx;
    if (cx->o->minimize && isfinite(s->res->upper_bound)) return s->res->upper_bound + s->margin;
    if (cx->o->minimize) return INFINITY;
    return cx->thr_yes + s->margin;
}

/* The lower bound on the distance over the latents of the current box. */
static double box_bound(enum_state *s)
{
    const ginv_dnet *d = s->cx->d;
    ginv_dnet_bounds(d, s->zlo, s->zhi, s->lo, s->hi);
    int o = d->off[d->L - 1], r = d->relu[d->L - 1];
    const double *x = s->cx->pb->target;
    double gap[512], *g = gap, *heap = NULL;
    if (d->n > 512) {
        if (!(heap = ginv_malloc(sizeof(double) * d->n))) return 0;
        g = heap;
    }
    for (int i = 0; i < d->n; i++) {
        double l = s->lo[o + i], h = s->hi[o + i];
        if (r) { l = fmax(l, 0); h = fmax(h, 0); }
        g[i] = fmax(0, fmax(l - x[i], x[i] - h));
    }
    double lb = 0;
    if (s->cx->pb->p == GINV_NORM_EXACT || isinf(s->cx->pb->p)) {
        for (int i = 0; i < d->n; i++) lb = fmax(lb, g[i]);
    } else {
        double p = s->cx->pb->p;
        for (int i = 0; i < d->n; i++) lb += p == 1 ? g[i] : pow(g[i], p);
        lb = p == 1 ? lb : pow(lb, 1 / p);
    }
    ginv_free(heap);
    return lb;
}

static void consider(enum_state *s, double dfast, uint32_t code)
{
    const ginv_decide_ctx *cx = s->cx;
    ginv_decide_result *res = s->res;
    int near = dfast <= cx->thr_yes + s->margin;
    int better = cx->o->minimize && dfast < res->upper_bound + s->margin;
    double dv = dfast;
    if (near || better) {
        memcpy(s->zz, s->z, sizeof(double) * s->pre);
        for (int t = 0; t < s->nb; t++) s->zz[s->pre + t] = (code >> t) & 1 ? s->highv : s->lowv;
        dv = ginv_decide_verify(cx, s->zz); /* the clean forward pass decides */
        if (dv < res->upper_bound || (dv <= cx->thr_yes && !res->witness)) {
            if (ginv_decide_set_witness(res, s->k, s->zz, dv) != GINV_OK) s->stop = 3;
        }
        if (dv <= cx->thr_yes && !cx->o->minimize) s->stop = 1;
    }
    if (dv < s->min_visited) s->min_visited = dv;
}

static void eval_block(enum_state *s)
{
    const ginv_decide_ctx *cx = s->cx;
    const ginv_dnet *d = cx->d;
    int B = 1 << s->nb, o0 = d->out[0];
    double step = s->highv - s->lowv;
    for (int i = 0; i < o0; i++) {
        double v = d->b[0][i];
        for (int j = 0; j < s->pre; j++) v += s->W0T[(size_t)j * o0 + i] * s->z[j];
        for (int j = s->pre; j < s->k; j++) v += s->W0T[(size_t)j * o0 + i] * s->lowv;
        s->y0[i] = v;
    }
    double *H0 = s->H[0];
    uint32_t code = 0;
    for (int r = 0; r < B; r++) {
        if (r > 0) {
            int t = __builtin_ctz((unsigned)r);
            code ^= 1u << t;
            const double *col = s->W0T + (size_t)(s->pre + t) * o0;
            double sg = (code >> t) & 1 ? step : -step;
            for (int i = 0; i < o0; i++) s->y0[i] += sg * col[i];
        }
        double *row = H0 + (size_t)r * o0;
        if (d->relu[0])
            for (int i = 0; i < o0; i++) row[i] = s->y0[i] > 0 ? s->y0[i] : 0;
        else
            memcpy(row, s->y0, sizeof(double) * o0);
    }
    int cur = 0;
    for (int l = 1; l < d->L; l++) {
        double *Hin = s->H[cur], *Hout = s->H[1 - cur];
        int in = d->in[l], out = d->out[l];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, out, in, 1.0, Hin, in, d->W[l],
                    in, 0.0, Hout, out);
        for (int r = 0; r < B; r++) {
            double *row = Hout + (size_t)r * out;
            for (int i = 0; i < out; i++) {
                double v = row[i] + d->b[l][i];
                row[i] = d->relu[l] && v < 0 ? 0 : v;
            }
        }
        cur = 1 - cur;
    }
    const double *X = s->H[cur], *x = cx->pb->target;
    code = 0;
    for (int r = 0; r < B && !s->stop; r++) {
        if (r > 0) code ^= 1u << __builtin_ctz((unsigned)r);
        consider(s, dist_fast(d->n, X + (size_t)r * d->n, x, cx->pb->p), code);
    }
    s->res->visited += (uint64_t)B;
}

static void record_prune(enum_state *s, int depth, double lb)
{
    ginv_decide_result *res = s->res;
    res->pruned_subtrees++;
    res->pruned_latents += (uint64_t)1 << (s->k - depth);
    if (lb < s->min_pruned) s->min_pruned = lb;
    if (res->npruned < s->cx->o->max_pruned) {
        uint64_t prefix = 0;
        for (int j = 0; j < depth; j++)
            if (s->z[j] == s->highv) prefix |= (uint64_t)1 << j;
        res->pruned[res->npruned++] = (ginv_pruned){depth, prefix, lb};
    }
}

static void progress(enum_state *s)
{
    const ginv_decide_ctx *cx = s->cx;
    double now = ginv_now();
    if (now - cx->last_progress < 0.5) return;
    ((ginv_decide_ctx *)cx)->last_progress = now;
    long total = s->k < 63 ? (long)((uint64_t)1 << s->k) : -1;
    ginv_progress("decide: enumeration", (long)(s->res->visited + s->res->pruned_latents), total);
    if (ginv_decide_timed_out(cx)) s->stop = 2;
}

static void dfs(enum_state *s, int depth)
{
    if (ginv_cancel_requested()) { /* an atomic load: cheap at every node */
        s->stop = 2;
        return;
    }
    s->res->nodes++;
    double lb = box_bound(s);
    if (lb > prune_threshold(s)) {
        record_prune(s, depth, lb);
        return;
    }
    if (depth == s->pre) {
        eval_block(s);
        progress(s);
        return;
    }
    for (int v = 0; v < 2 && !s->stop; v++) {
        double val = v ? s->highv : s->lowv;
        s->z[depth] = s->zlo[depth] = s->zhi[depth] = val;
        dfs(s, depth + 1);
    }
    s->zlo[depth] = s->lowv;
    s->zhi[depth] = s->highv;
}

ginv_status ginv_decide_enum(const ginv_decide_ctx *cx, ginv_decide_result *res)
{
    const ginv_dnet *d = cx->d;
    int k = d->k;
    if (cx->pb->latent == GINV_LATENT_REAL)
        return ginv_fail(GINV_ERR_ARG, "decide: enumeration needs binary latents (01 or pm1); "
                                       "real latents go to milp or bnb");
    if (k > 62)
        return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: enumeration counts 2^k latents in 64 "
                                               "bits; k = %d is too many", k);
    pthread_once(&blas_once, blas_single);
    enum_state s = {.cx = cx, .res = res, .k = k};
    s.nb = k < BLOCK_BITS ? k : BLOCK_BITS;
    s.pre = k - s.nb;
    s.lowv = cx->pb->latent == GINV_LATENT_PM1 ? -1 : 0;
    s.highv = 1;
    s.margin = GINV_ENUM_MARGIN * cx->scale;
    s.min_pruned = s.min_visited = INFINITY;
    int B = 1 << s.nb;
    s.z = ginv_calloc((size_t)k, sizeof(double));
    s.zz = ginv_calloc((size_t)k, sizeof(double));
    s.zlo = ginv_malloc(sizeof(double) * k);
    s.zhi = ginv_malloc(sizeof(double) * k);
    s.lo = ginv_malloc(sizeof(double) * d->units);
    s.hi = ginv_malloc(sizeof(double) * d->units);
    s.W0T = ginv_malloc(sizeof(double) * (size_t)k * d->out[0]);
    s.y0 = ginv_malloc(sizeof(double) * d->out[0]);
    s.H[0] = ginv_malloc(sizeof(double) * (size_t)B * d->maxw);
    s.H[1] = ginv_malloc(sizeof(double) * (size_t)B * d->maxw);
    if (cx->o->max_pruned > 0) res->pruned = ginv_malloc(sizeof(ginv_pruned) * cx->o->max_pruned);
    ginv_status st = GINV_OK;
    if (!s.z || !s.zz || !s.zlo || !s.zhi || !s.lo || !s.hi || !s.W0T || !s.y0 || !s.H[0] ||
        !s.H[1] || (cx->o->max_pruned > 0 && !res->pruned)) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < d->out[0]; i++)
        for (int j = 0; j < k; j++) s.W0T[(size_t)j * d->out[0] + i] = d->W[0][(size_t)i * k + j];
    for (int j = 0; j < k; j++) {
        s.zlo[j] = s.lowv;
        s.zhi[j] = s.highv;
    }
    dfs(&s, 0);
    if (s.stop == 3) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto out;
    }
    uint64_t total = (uint64_t)1 << k;
    int complete = res->visited + res->pruned_latents == total;
    double lb = fmin(s.min_pruned, s.min_visited);
    if (res->witness && res->distance <= cx->thr_yes) {
        res->answer = GINV_ANSWER_YES;
        snprintf(res->note, sizeof res->note, "witness verified by a double forward pass");
    } else if (complete) {
        res->answer = GINV_ANSWER_NO;
        snprintf(res->note, sizeof res->note, "all %llu latents visited or pruned by interval "
                 "bounds > threshold + margin", (unsigned long long)total);
    } else {
        res->answer = GINV_ANSWER_UNKNOWN;
        snprintf(res->note, sizeof res->note, "time limit after %llu of %llu latents",
                 (unsigned long long)(res->visited + res->pruned_latents),
                 (unsigned long long)total);
    }
    if (res->answer != GINV_ANSWER_YES) res->distance = NAN;
    if (complete) {
        res->lower_bound = lb;
        if (s.min_visited < res->upper_bound) res->upper_bound = s.min_visited;
        /* the minimum is known when no pruned subtree could hold a smaller one */
        if (s.min_visited <= s.min_pruned && res->answer == GINV_ANSWER_NO)
            res->distance = s.min_visited;
        if (cx->o->minimize) res->distance = res->upper_bound; /* pruning kept the minimum */
    } else {
        res->lower_bound = 0;
    }
out:
    ginv_free(s.z); ginv_free(s.zz); ginv_free(s.zlo); ginv_free(s.zhi); ginv_free(s.lo);
    ginv_free(s.hi); ginv_free(s.W0T); ginv_free(s.y0); ginv_free(s.H[0]); ginv_free(s.H[1]);
    return st;
}
