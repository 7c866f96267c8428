/* verify.c — the network in double precision and the checks every answer of
 * decide goes through: a clean forward pass (the verifier of YES witnesses),
 * the affine piece of an activation pattern, witness polishing. */
#include "exact_internal.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

double ginv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void ginv_dnet_release(ginv_dnet *d)
{
    if (!d) return;
    for (int l = 0; l < d->L; l++) {
        if (d->W) ginv_free(d->W[l]);
        if (d->b) ginv_free(d->b[l]);
    }
    ginv_free(d->W);
    ginv_free(d->b);
    ginv_free(d->in);
    ginv_free(d->out);
    ginv_free(d->relu);
    ginv_free(d->off);
    memset(d, 0, sizeof *d);
}

ginv_status ginv_dnet_from(const ginv_net *net, ginv_dnet *d)
{
    memset(d, 0, sizeof *d);
    int nl = ginv_net_nlayers(net), L = 0;
    for (int i = 0; i < nl; i++) {
        const ginv_layer *ly = ginv_net_layer_c(net, i);
        if (ly->kind == GINV_LAYER_DENSE) L++;
        else if (ly->kind == GINV_LAYER_RELU) {
            if (L == 0)
                return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: layer %d is a relu before any "
                                 "dense layer (apply it to the latent domain instead)", i);
        } else if (ly->kind != GINV_LAYER_IDENTITY) {
            return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: layer %d is %s; exact decision "
                             "handles dense layers followed by relu or nothing", i,
                             ginv_layer_kind_name(ly->kind));
        }
    }
    if (L == 0) return ginv_fail(GINV_ERR_UNSUPPORTED, "decide: the net has no dense layer");
    d->L = L;
    d->in = ginv_calloc((size_t)L, sizeof(int));
    d->out = ginv_calloc((size_t)L, sizeof(int));
    d->relu = ginv_calloc((size_t)L, sizeof(int));
    d->off = ginv_calloc((size_t)L, sizeof(int));
    d->W = ginv_calloc((size_t)L, sizeof(double *));
    d->b = ginv_calloc((size_t)L, sizeof(double *));
    if (!d->in || !d->out || !d->relu || !d->off || !d->W || !d->b) goto nomem;
    int l = -1;
    for (int i = 0; i < nl; i++) {
        const ginv_layer *ly = ginv_net_layer_c(net, i);
        if (ly->kind == GINV_LAYER_RELU) {
            d->relu[l] = 1;
            continue;
        }
        if (ly->kind != GINV_LAYER_DENSE) continue;
        l++;
        d->in[l] = ly->in;
        d->out[l] = ly->out;
        d->W[l] = ginv_malloc(sizeof(double) * (size_t)ly->in * ly->out);
        d->b[l] = ginv_calloc((size_t)ly->out, sizeof(double));
        if (!d->W[l] || !d->b[l]) goto nomem;
        for (size_t j = 0; j < (size_t)ly->in * ly->out; j++) d->W[l][j] = ly->W[j];
        if (ly->bias && ly->b)
            for (int j = 0; j < ly->out; j++) d->b[l][j] = ly->b[j];
    }
    d->k = d->in[0];
    d->n = d->out[L - 1];
    d->maxw = d->k;
    for (l = 0; l < L; l++) {
        d->off[l] = d->units;
        d->units += d->out[l];
        if (d->out[l] > d->maxw) d->maxw = d->out[l];
    }
    return GINV_OK;
nomem:
    ginv_dnet_release(d);
    return ginv_fail(GINV_ERR_NOMEM, "out of memory");
}

void ginv_dnet_forward(const ginv_dnet *d, const double *z, double *x, double *pre)
{
    double buf[2][512];
    double *h0 = NULL, *h1 = NULL, *heap = NULL;
    if (d->maxw <= 512) {
        h0 = buf[0];
        h1 = buf[1];
    } else {
        heap = ginv_malloc(sizeof(double) * 2 * (size_t)d->maxw);
        if (!heap) { /* cannot happen for the nets decide takes; keep x defined */
            for (int i = 0; i < d->n; i++) x[i] = NAN;
            return;
        }
        h0 = heap;
        h1 = heap + d->maxw;
    }
    memcpy(h0, z, sizeof(double) * d->k);
    for (int l = 0; l < d->L; l++) {
        const double *W = d->W[l];
        for (int i = 0; i < d->out[l]; i++) {
            double s = d->b[l][i];
            const double *w = W + (size_t)i * d->in[l];
            for (int j = 0; j < d->in[l]; j++) s += w[j] * h0[j];
            if (pre) pre[d->off[l] + i] = s;
            h1[i] = d->relu[l] && s < 0 ? 0 : s;
        }
        double *t = h0;
        h0 = h1;
        h1 = t;
    }
    memcpy(x, h0, sizeof(double) * d->n);
    ginv_free(heap);
}

void ginv_dnet_affine(const ginv_dnet *d, const signed char *act, double *C, double *e,
                      double *A, double *c, int *m)
{
    int k = d->k, rows = 0;
    /* H (w x k), g (w): the current layer input as an affine map of z */
    double *H = ginv_calloc((size_t)d->maxw * k, sizeof(double));
    double *g = ginv_calloc((size_t)d->maxw, sizeof(double));
    double *P = ginv_calloc((size_t)d->maxw * k, sizeof(double));
    double *q = ginv_calloc((size_t)d->maxw, sizeof(double));
    if (!H || !g || !P || !q) {
        *m = -1;
        goto out;
    }
    for (int j = 0; j < k; j++) H[(size_t)j * k + j] = 1;
    for (int l = 0; l < d->L; l++) {
        int in = d->in[l], o = d->out[l];
        for (int i = 0; i < o; i++) {
            const double *w = d->W[l] + (size_t)i * in;
            double *Pi = P + (size_t)i * k;
            memset(Pi, 0, sizeof(double) * k);
            q[i] = d->b[l][i];
            for (int j = 0; j < in; j++) {
                if (w[j] == 0) continue;
                q[i] += w[j] * g[j];
                const double *Hj = H + (size_t)j * k;
                for (int t = 0; t < k; t++) Pi[t] += w[j] * Hj[t];
            }
            if (d->relu[l]) {
                int on = act[d->off[l] + i] > 0;
                if (A) { /* on: -P z <= q;  off: P z <= -q */
                    for (int t = 0; t < k; t++) A[(size_t)rows * k + t] = on ? -Pi[t] : Pi[t];
                    c[rows] = on ? q[i] : -q[i];
                }
                rows++;
                if (!on) {
                    memset(Pi, 0, sizeof(double) * k);
                    q[i] = 0;
                }
            }
        }
        memcpy(H, P, sizeof(double) * (size_t)o * k);
        memcpy(g, q, sizeof(double) * o);
    }
    if (C) memcpy(C, H, sizeof(double) * (size_t)d->n * k);
    if (e) memcpy(e, g, sizeof(double) * d->n);
    *m = rows;
out:
    ginv_free(H);
    ginv_free(g);
    ginv_free(P);
    ginv_free(q);
}

int ginv_dnet_unit_row(const ginv_dnet *d, int l, int i, int h, const int *prev, int *ind,
                       double *val)
{
    int len = 1;
    const double *w = d->W[l] + (size_t)i * d->in[l];
    for (int j = 0; j < d->in[l]; j++)
        if (w[j] != 0) {
            len++;
            ind[len] = prev[j];
            val[len] = -w[j];
        }
    ind[1] = h;
    val[1] = 1;
    return len;
}

void ginv_domain_box(const ginv_problem *pb, int k, double *lo, double *hi)
{
    for (int j = 0; j < k; j++) {
        switch (pb->latent) {
        case GINV_LATENT_01: lo[j] = 0; hi[j] = 1; break;
        case GINV_LATENT_PM1: lo[j] = -1; hi[j] = 1; break;
        default:
            lo[j] = pb->box > 0 ? -pb->box : -INFINITY;
            hi[j] = pb->box > 0 ? pb->box : INFINITY;
        }
    }
}

double ginv_decide_verify(const ginv_decide_ctx *cx, const double *z)
{
    const ginv_dnet *d = cx->d;
    double xs[512], *x = xs, *heap = NULL;
    if (d->n > 512) {
        heap = ginv_malloc(sizeof(double) * d->n);
        if (!heap) return INFINITY;
        x = heap;
    }
    /* a witness must lie in the domain */
    double lo, hi;
    for (int j = 0; j < d->k; j++) {
        ginv_domain_box(cx->pb, 1, &lo, &hi);
        int bin = cx->pb->latent != GINV_LATENT_REAL;
        if (!isfinite(z[j]) || z[j] < lo || z[j] > hi || (bin && z[j] != lo && z[j] != hi)) {
            ginv_free(heap);
            return INFINITY;
        }
    }
    ginv_dnet_forward(d, z, x, NULL);
    double r = ginv_dist_p(d->n, x, cx->pb->target, cx->pb->p);
    ginv_free(heap);
    return isnan(r) ? INFINITY : r;
}

ginv_status ginv_decide_set_witness(ginv_decide_result *res, int k, const double *z, double dist)
{
    if (!res->witness) {
        res->witness = ginv_malloc(sizeof(double) * (size_t)k);
        if (!res->witness) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    memcpy(res->witness, z, sizeof(double) * (size_t)k);
    res->distance = dist;
    if (dist < res->upper_bound) res->upper_bound = dist;
    return GINV_OK;
}

int ginv_decide_timed_out(const ginv_decide_ctx *cx)
{
    /* a cancelled run stops where a timed-out one would; ginv_decide then
     * reports the cancel instead of UNKNOWN */
    return (cx->o->time_limit > 0 && ginv_now() - cx->t0 > cx->o->time_limit) || ginv_cancel_requested();
}

void ginv_decide_polish(const ginv_decide_ctx *cx, double *z, double *dist)
{
    const ginv_dnet *d = cx->d;
    int k = d->k, n = d->n, m;
    signed char *act = ginv_malloc((size_t)d->units);
    double *pre = ginv_malloc(sizeof(double) * d->units);
    double *C = ginv_malloc(sizeof(double) * (size_t)n * k), *e = ginv_malloc(sizeof(double) * n);
    double *x = ginv_malloc(sizeof(double) * n), *S = ginv_malloc(sizeof(double) * k * k);
    double *r = ginv_malloc(sizeof(double) * k), *zn = ginv_malloc(sizeof(double) * k);
    if (!act || !pre || !C || !e || !x || !S || !r || !zn) goto out;
    ginv_dnet_forward(d, z, x, pre);
    for (int u = 0; u < d->units; u++) act[u] = pre[u] > 0;
    ginv_dnet_affine(d, act, C, e, NULL, NULL, &m);
    if (m < 0) goto out;
    /* min ||C (z + s) + e - x||: normal equations for the step s */
    for (int i = 0; i < n; i++) x[i] = cx->pb->target[i] - e[i];
    for (int a = 0; a < k; a++) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            double ci = 0;
            for (int t = 0; t < k; t++) ci += C[(size_t)i * k + t] * z[t];
            acc += C[(size_t)i * k + a] * (x[i] - ci);
        }
        r[a] = acc;
        for (int b = 0; b < k; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += C[(size_t)i * k + a] * C[(size_t)i * k + b];
            S[a * k + b] = s;
        }
    }
    ginv_psd_solve(k, S, r, 1e-12, zn);
    for (int j = 0; j < k; j++) zn[j] += z[j];
    double dn = ginv_decide_verify(cx, zn);
    if (dn < *dist) {
        memcpy(z, zn, sizeof(double) * k);
        *dist = dn;
    }
out:
    ginv_free(act);
    ginv_free(pre);
    ginv_free(C);
    ginv_free(e);
    ginv_free(x);
    ginv_free(S);
    ginv_free(r);
    ginv_free(zn);
}

ginv_status ginv_forward_f64(const ginv_net *net, const double *z, double *x)
{
    GINV_NONNULL(net);
    GINV_NONNULL(z);
    GINV_NONNULL(x);
    ginv_dnet d;
    ginv_status st = ginv_dnet_from(net, &d);
    if (st != GINV_OK) return st;
    ginv_dnet_forward(&d, z, x, NULL);
    ginv_dnet_release(&d);
    return GINV_OK;
}
