/* dlg_grad.c — the backward pass through one layer of a deep latent
 * Gaussian (Pareek & Risteski 2021, Definition 2; the graphs of dlg.c):
 * reverse-mode differentiation (the chain rule applied node by node in
 * reverse topological order) of F_l(z_{l-1}, x) w.r.t. its parameters and
 * z_{l-1}, the vector-Jacobian product that `ginv encoder train --arch dlg`
 * (dlg_train.c) backpropagates through every layer's reparameterised noise.
 * Per node, with g = dL/d(node output):
 *   AFFINE  o = W a + b:       dL/da += W^T g, dL/dW += g a^T, dL/db += g
 *   ACT     o = sigma(a):      dL/da += sigma'(a) g   (the engine's kernels)
 *   SQUARE  o = a^2:           dL/da += 2 a g
 *   LINCOMB o = c_a a + c_b b: dL/da += c_a g, dL/db += c_b g,
 *                              dL/dc_a += <a, g>, dL/dc_b += <b, g>
 * DACT (sigma'(a)) would need sigma''; graphs holding it are refused. */
#include "ginv.h"
#include "base/check_internal.h"
#include "learn/dlg_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <string.h>

/* node i's VJP: adj[i] (B x size) into adj of its operands and gp (the node's parameter gradients) */
static void backward_node(const ginv_dlg_graph *gr, int i, const float *pp, float *gp, int B, float **v,
                          float **adj, float *t1, float *t2, float *t3)
{
    const ginv_dlg_node *nd = &gr->nodes[i];
    const float *a = v[nd->a], *g = adj[i];
    float *ga = nd->a == 0 ? NULL : adj[nd->a]; /* x (node 0) needs no adjoint */
    size_t sz = (size_t)B * nd->size;
    switch (nd->op) {
    case GINV_DLG_AFFINE: {
        int in = gr->nodes[nd->a].size;
        if (ga) ginv_gemm(0, 0, B, in, nd->size, 1.0f, g, pp, 1.0f, ga);  /* += g W */
        ginv_gemm(1, 0, nd->size, in, B, 1.0f, g, a, 1.0f, gp);           /* dW += g^T a */
        if (nd->bias)
            for (int j = 0; j < nd->size; j++) {
                double s = 0;
                for (int r = 0; r < B; r++) s += g[(size_t)r * nd->size + j];
                gp[(size_t)nd->size * in + j] += (float)s;
            }
        break;
    }
    case GINV_DLG_ACT:
        if (!ga) break;
        memcpy(t1, a, sz * sizeof(float));
        ginv_act_forward(nd->act, nd->alpha, t2, t3, t1, NULL, NULL, B, nd->size); /* t3 = sigma'(a) */
        for (size_t j = 0; j < sz; j++) ga[j] += t3[j] * g[j];
        break;
    case GINV_DLG_SQUARE:
        if (ga)
            for (size_t j = 0; j < sz; j++) ga[j] += 2.0f * a[j] * g[j];
        break;
    case GINV_DLG_LINCOMB: {
        const float *b = v[nd->b];
        float *gb = nd->b == 0 ? NULL : adj[nd->b];
        double sa = 0, sb = 0;
        for (size_t j = 0; j < sz; j++) {
            sa += (double)a[j] * g[j];
            sb += (double)b[j] * g[j];
        }
        gp[0] += (float)sa;
        gp[1] += (float)sb;
        if (ga)
            for (size_t j = 0; j < sz; j++) ga[j] += pp[0] * g[j];
        if (gb)
            for (size_t j = 0; j < sz; j++) gb[j] += pp[1] * g[j];
        break;
    }
    default: break;
    }
}

ginv_status ginv_dlg_check_differentiable(const ginv_dlg *g, int l)
{
    const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[l]];
    for (int i = 2; i < gr->nnodes; i++)
        if (gr->nodes[i].op == GINV_DLG_DACT)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "layer %d: node %d is a dact (sigma') node, whose gradient needs "
                             "sigma''; such encoders cannot be trained", l, i);
    return GINV_OK;
}

void ginv_dlg_tape_free(ginv_dlg_tape *t)
{
    ginv_free(t->val);
    ginv_free(t->adj);
    ginv_free(t->tmp);
    ginv_free(t->loff);
    ginv_free(t->v);
    memset(t, 0, sizeof *t);
}

ginv_status ginv_dlg_tape_new(const ginv_dlg *g, int R, int all, ginv_dlg_tape *t)
{
    memset(t, 0, sizeof *t);
    t->R = R, t->all = all, t->wmax = 1;
    int nmax = 2;
    size_t bmax = 1, tot = 0;
    for (int i = 0; i < g->ngraphs; i++) {
        const ginv_dlg_graph *gr = &g->graphs[i];
        if (gr->nnodes > nmax) nmax = gr->nnodes;
        if (gr->width - g->n > bmax) bmax = gr->width - g->n;
        for (int j = 0; j < gr->nnodes; j++)
            if ((size_t)gr->nodes[j].size > t->wmax) t->wmax = (size_t)gr->nodes[j].size;
    }
    t->loff = ginv_calloc((size_t)g->nlayers + 1, sizeof(size_t));
    for (int l = 0; all && t->loff && l < g->nlayers; l++) {
        t->loff[l] = tot;
        tot += (size_t)R * (g->graphs[g->layer_graph[l]].width - g->n);
    }
    if (!all) tot = (size_t)R * bmax;
    t->val = ginv_malloc(tot * sizeof(float));
    t->adj = ginv_malloc((size_t)R * bmax * sizeof(float));
    t->tmp = ginv_malloc(3 * (size_t)R * t->wmax * sizeof(float));
    t->v = ginv_malloc(2 * (size_t)nmax * sizeof(float *));
    if (!t->loff || !t->val || !t->adj || !t->tmp || !t->v) {
        ginv_dlg_tape_free(t);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the backward pass of %d rows", R);
    }
    t->a = t->v + nmax;
    return GINV_OK;
}

/* the node pointers of layer l on the tape */
static const ginv_dlg_graph *set_ptrs(const ginv_dlg *g, ginv_dlg_tape *t, int l, const float *xrows)
{
    const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[l]];
    size_t off = t->loff[l], aoff = 0;
    t->v[0] = (float *)xrows, t->a[0] = NULL;
    for (int i = 1; i < gr->nnodes; i++) {
        t->v[i] = t->val + off, t->a[i] = t->adj + aoff;
        off += (size_t)t->R * gr->nodes[i].size;
        aoff += (size_t)t->R * gr->nodes[i].size;
    }
    return gr;
}

const float *ginv_dlg_tape_forward(const ginv_dlg *g, ginv_dlg_tape *t, int l, const float *xrows,
                                   const float *zprev, const float *xi, float *zout)
{
    const ginv_dlg_graph *gr = set_ptrs(g, t, l, xrows);
    size_t rd = (size_t)t->R * g->d;
    const float *p = g->params + g->layer_off[l];
    if (zprev) memcpy(t->v[1], zprev, rd * sizeof(float));
    else if (!(t->all && l > 0)) memset(t->v[1], 0, rd * sizeof(float));
    for (int i = 2; i < gr->nnodes; i++) /* the kernels of ginv_dlg_sample, node by node */
        ginv_dlg_node_eval(gr, i, p + gr->poff[i], t->R, t->v, t->tmp);
    const float *out = t->v[gr->nnodes - 1];
    float *dst = zout ? zout : (t->all && l + 1 < g->nlayers ? t->val + t->loff[l + 1] : NULL);
    double gamma = p[0];
    for (size_t i = 0; dst && i < rd; i++) /* as ginv_dlg_sample: z = F + (float)(gamma xi) */
        dst[i] = out[i] + (xi && gamma != 0.0 ? (float)(gamma * (double)xi[i]) : 0.0f);
    return out;
}

void ginv_dlg_tape_backward(const ginv_dlg *g, ginv_dlg_tape *t, int l, const float *xrows, const float *gout,
                            float *gparams, float *gz)
{
    const ginv_dlg_graph *gr = set_ptrs(g, t, l, xrows);
    size_t rd = (size_t)t->R * g->d, w = (size_t)t->R * t->wmax;
    const float *p = g->params + g->layer_off[l];
    memset(t->adj, 0, (size_t)t->R * (gr->width - g->n) * sizeof(float));
    memcpy(t->a[gr->nnodes - 1], gout, rd * sizeof(float));
    for (int i = gr->nnodes - 1; i >= 2; i--)
        backward_node(gr, i, p + gr->poff[i], gparams + gr->poff[i], t->R, t->v, t->a, t->tmp, t->tmp + w,
                      t->tmp + 2 * w);
    if (gz) memcpy(gz, t->a[1], rd * sizeof(float));
}

ginv_status ginv_dlg_layer_vjp(const ginv_dlg *g, int layer, int B, const float *x, int nx, const float *zprev,
                               const float *gout, float *gparams, float *gz)
{
    GINV_NONNULL(g);
    GINV_NONNULL(x);
    GINV_NONNULL(gout);
    GINV_NONNULL(gparams);
    if (layer < 0 || layer >= g->nlayers)
        return ginv_fail(GINV_ERR_ARG, "ginv_dlg_layer_vjp: no layer %d (the encoder has %d)", layer, g->nlayers);
    if (B < 1 || (nx != 1 && nx != B))
        return ginv_fail(GINV_ERR_ARG, "ginv_dlg_layer_vjp: %d rows with %d observations (1 or the rows)", B, nx);
    ginv_status st = ginv_dlg_check_differentiable(g, layer);
    if (st != GINV_OK) return st;
    ginv_dlg_tape t;
    if ((st = ginv_dlg_tape_new(g, B, 0, &t)) != GINV_OK) return st;
    float *xr = ginv_malloc((size_t)B * g->n * sizeof(float));
    if (!xr) {
        ginv_dlg_tape_free(&t);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for the backward pass of %d rows", B);
    }
    for (int b = 0; b < B; b++) memcpy(xr + (size_t)b * g->n, x + (size_t)(nx == 1 ? 0 : b) * g->n, (size_t)g->n * sizeof(float));
    ginv_dlg_tape_forward(g, &t, layer, xr, zprev, NULL, NULL);
    ginv_dlg_tape_backward(g, &t, layer, xr, gout, gparams, gz);
    ginv_free(xr);
    ginv_dlg_tape_free(&t);
    return GINV_OK;
}
