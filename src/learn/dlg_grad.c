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

/* the forward values v[i] (B x size_i) of layer l's graph, node by node, as
 * dlg.c computes them (one GEMM per AFFINE, the activation kernels) */
static void forward_nodes(const ginv_dlg_graph *gr, const float *p, int B, float **v, float *t1, float *t2)
{
    for (int i = 2; i < gr->nnodes; i++) {
        const ginv_dlg_node *nd = &gr->nodes[i];
        const float *a = v[nd->a], *pp = p + gr->poff[i];
        float *o = v[i];
        size_t sz = (size_t)B * nd->size;
        if (nd->op == GINV_DLG_AFFINE) {
            int in = gr->nodes[nd->a].size;
            ginv_gemm(0, 1, B, nd->size, in, 1.0f, a, pp, 0.0f, o);
            if (nd->bias)
                for (int r = 0; r < B; r++)
                    for (int j = 0; j < nd->size; j++) o[(size_t)r * nd->size + j] += pp[(size_t)nd->size * in + j];
        } else if (nd->op == GINV_DLG_ACT) {
            memcpy(t1, a, sz * sizeof(float));
            ginv_act_forward(nd->act, nd->alpha, o, t2, t1, NULL, NULL, B, nd->size);
        } else if (nd->op == GINV_DLG_SQUARE) {
            for (size_t j = 0; j < sz; j++) o[j] = a[j] * a[j];
        } else if (nd->op == GINV_DLG_LINCOMB) {
            const float *b = v[nd->b];
            for (size_t j = 0; j < sz; j++) o[j] = pp[0] * a[j] + pp[1] * b[j];
        }
    }
}

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

static ginv_status vjp_check(const ginv_dlg *g, int layer, int B, int nx)
{
    if (layer < 0 || layer >= g->nlayers)
        return ginv_fail(GINV_ERR_ARG, "ginv_dlg_layer_vjp: no layer %d (the encoder has %d)", layer, g->nlayers);
    if (B < 1 || (nx != 1 && nx != B))
        return ginv_fail(GINV_ERR_ARG, "ginv_dlg_layer_vjp: %d rows with %d observations (1 or the rows)", B, nx);
    const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[layer]];
    for (int i = 2; i < gr->nnodes; i++)
        if (gr->nodes[i].op == GINV_DLG_DACT)
            return ginv_fail(GINV_ERR_UNSUPPORTED, "layer %d: node %d is a dact (sigma') node, whose gradient needs "
                             "sigma''; such encoders cannot be trained", layer, i);
    return GINV_OK;
}

ginv_status ginv_dlg_layer_vjp(const ginv_dlg *g, int layer, int B, const float *x, int nx, const float *zprev,
                               const float *gout, float *gparams, float *gz)
{
    GINV_NONNULL(g);
    GINV_NONNULL(x);
    GINV_NONNULL(gout);
    GINV_NONNULL(gparams);
    ginv_status st = vjp_check(g, layer, B, nx);
    if (st != GINV_OK) return st;
    const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[layer]];
    const float *p = g->params + g->layer_off[layer];
    int n = g->n, d = g->d;
    size_t wmax = 1;
    for (int i = 0; i < gr->nnodes; i++)
        if ((size_t)gr->nodes[i].size > wmax) wmax = (size_t)gr->nodes[i].size;
    size_t rows = (size_t)B;
    float *val = ginv_malloc(rows * gr->width * sizeof(float)), *adjb = ginv_calloc(rows * gr->width, sizeof(float));
    float *tmp = ginv_malloc(3 * rows * wmax * sizeof(float));
    float **v = ginv_malloc(2 * (size_t)gr->nnodes * sizeof(float *));
    if (!val || !adjb || !tmp || !v) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory for the backward pass of %d rows", B);
        goto done;
    }
    float **adj = v + gr->nnodes;
    size_t off = 0;
    for (int i = 0; i < gr->nnodes; i++) {
        v[i] = val + off, adj[i] = adjb + off;
        off += rows * gr->nodes[i].size;
    }
    for (int b = 0; b < B; b++) memcpy(v[0] + (size_t)b * n, x + (size_t)(nx == 1 ? 0 : b) * n, (size_t)n * sizeof(float));
    if (zprev) memcpy(v[1], zprev, rows * d * sizeof(float));
    else memset(v[1], 0, rows * d * sizeof(float));
    float *t1 = tmp, *t2 = tmp + rows * wmax, *t3 = tmp + 2 * rows * wmax;
    forward_nodes(gr, p, B, v, t1, t2);
    memcpy(adj[gr->nnodes - 1], gout, rows * d * sizeof(float));
    for (int i = gr->nnodes - 1; i >= 2; i--)
        backward_node(gr, i, p + gr->poff[i], gparams + gr->poff[i], B, v, adj, t1, t2, t3);
    if (gz) memcpy(gz, adj[1], rows * d * sizeof(float));
done:
    ginv_free(val);
    ginv_free(adjb);
    ginv_free(tmp);
    ginv_free(v);
    return st;
}
