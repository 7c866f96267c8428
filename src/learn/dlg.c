/* dlg.c — deep latent Gaussian encoders (Pareek & Risteski 2021,
 * Definition 2, with layers that also read x): z_i = F_i(z_{i-1}, x) +
 * gamma_i xi_i, each F_i a small computation graph over the operations of
 * Theorem 1's networks (affine maps, sigma, sigma', the square rho, weighted
 * sums; §5.3 and Lemmas 18-20). The object, its checks, and ancestral
 * sampling of a batch of draws. Files: dlg_io.c; Theorem 1's construction:
 * dlg_build.c. */
#include "ginv.h"
#include "base/check_internal.h"
#include "learn/dlg_internal.h"
#include "net/net_internal.h"

#include <math.h>
#include <string.h>

size_t ginv_dlg_node_nparams(const ginv_dlg_node *nd, int in_size)
{
    if (nd->op == GINV_DLG_AFFINE) return (size_t)nd->size * in_size + (nd->bias ? (size_t)nd->size : 0);
    if (nd->op == GINV_DLG_LINCOMB) return 2;
    return 0;
}

ginv_status ginv_dlg_new(ginv_dlg **out, int n, int d)
{
    GINV_NONNULL(out);
    *out = NULL;
    if (n < 1 || d < 1 || n > GINV_MAX_WIDTH || d > GINV_MAX_WIDTH)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: sizes n = %d, d = %d must be in 1..%d", n, d,
                         GINV_MAX_WIDTH);
    ginv_dlg *g = ginv_calloc(1, sizeof *g);
    if (!g) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    g->n = n, g->d = d;
    *out = g;
    return GINV_OK;
}

void ginv_dlg_free(ginv_dlg *g)
{
    if (!g) return;
    for (int i = 0; i < g->ngraphs; i++) {
        ginv_free(g->graphs[i].nodes);
        ginv_free(g->graphs[i].poff);
    }
    ginv_free(g->layer_graph);
    ginv_free(g->layer_off);
    ginv_free(g->params);
    ginv_free(g->record);
    ginv_free(g);
}

/* room for one more node */
static ginv_status graph_grow(ginv_dlg_graph *gr)
{
    if (gr->nnodes < gr->cap) return GINV_OK;
    if (gr->nnodes >= GINV_DLG_MAX_NODES)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: a graph has at most %d nodes", GINV_DLG_MAX_NODES);
    int cap = gr->cap ? 2 * gr->cap : 16;
    ginv_dlg_node *nn = ginv_realloc(gr->nodes, (size_t)cap * sizeof *nn);
    if (!nn) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    gr->nodes = nn;
    size_t *po = ginv_realloc(gr->poff, (size_t)cap * sizeof *po);
    if (!po) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    gr->poff = po;
    gr->cap = cap;
    return GINV_OK;
}

ginv_status ginv_dlg_graph_add(ginv_dlg *g, int *graph)
{
    GINV_NONNULL(g);
    GINV_NONNULL(graph);
    if (g->ngraphs >= GINV_DLG_MAX_GRAPHS)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: at most %d graphs", GINV_DLG_MAX_GRAPHS);
    ginv_dlg_graph *gr = &g->graphs[g->ngraphs];
    memset(gr, 0, sizeof *gr);
    ginv_status st = graph_grow(gr);
    if (st != GINV_OK) return st;
    gr->nodes[0] = (ginv_dlg_node){.op = GINV_DLG_X, .a = -1, .b = -1, .size = g->n};
    gr->nodes[1] = (ginv_dlg_node){.op = GINV_DLG_Z, .a = -1, .b = -1, .size = g->d};
    gr->poff[0] = gr->poff[1] = 1; /* after gamma */
    gr->nnodes = 2;
    gr->nparams = 1;
    gr->width = (size_t)g->n + g->d;
    *graph = g->ngraphs++;
    return GINV_OK;
}

/* The checks of one node against the graph so far; fills size. */
static ginv_status node_check(const ginv_dlg_graph *gr, ginv_dlg_node *nd)
{
    int i = gr->nnodes;
    if (nd->op < GINV_DLG_AFFINE || nd->op > GINV_DLG_LINCOMB)
        return ginv_fail(GINV_ERR_ARG, "node %d: kind %d is not an operation (x and z are nodes 0 and 1)", i,
                         (int)nd->op);
    if (nd->a < 0 || nd->a >= i)
        return ginv_fail(GINV_ERR_ARG, "node %d: operand %d is not an earlier node (0..%d)", i, nd->a, i - 1);
    int sa = gr->nodes[nd->a].size;
    switch (nd->op) {
    case GINV_DLG_AFFINE:
        if (nd->size < 1 || nd->size > GINV_MAX_WIDTH)
            return ginv_fail(GINV_ERR_ARG, "node %d: affine output width %d (1..%d)", i, nd->size, GINV_MAX_WIDTH);
        nd->bias = nd->bias != 0;
        break;
    case GINV_DLG_ACT:
    case GINV_DLG_DACT:
        if (!ginv_layer_is_act(nd->act) || nd->act == GINV_LAYER_SIGN || !isfinite(nd->alpha))
            return ginv_fail(GINV_ERR_ARG, "node %d: '%s' is not an elementwise activation with a derivative", i,
                             ginv_layer_kind_name(nd->act));
        if (nd->act == GINV_LAYER_SMOOTH_LEAKY && !(nd->alpha > 0 && nd->alpha < 1))
            return ginv_fail(GINV_ERR_ARG, "node %d: smooth_leaky needs its slope alpha in (0, 1) (got %g)", i, nd->alpha);
        nd->size = sa;
        break;
    case GINV_DLG_LINCOMB:
        if (nd->b < 0 || nd->b >= i)
            return ginv_fail(GINV_ERR_ARG, "node %d: operand %d is not an earlier node (0..%d)", i, nd->b, i - 1);
        if (gr->nodes[nd->b].size != sa)
            return ginv_fail(GINV_ERR_ARG, "node %d: a sum of nodes of sizes %d and %d", i, sa,
                             gr->nodes[nd->b].size);
        nd->size = sa;
        break;
    default: nd->size = sa; break;
    }
    if (nd->op != GINV_DLG_LINCOMB) nd->b = -1;
    return GINV_OK;
}

ginv_status ginv_dlg_node_add(ginv_dlg *g, int graph, const ginv_dlg_node *node, int *index)
{
    GINV_NONNULL(g);
    GINV_NONNULL(node);
    if (graph < 0 || graph >= g->ngraphs)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: no graph %d (it has %d)", graph, g->ngraphs);
    ginv_dlg_graph *gr = &g->graphs[graph];
    for (int l = 0; l < g->nlayers; l++)
        if (g->layer_graph[l] == graph)
            return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: graph %d already has layers; add nodes first",
                             graph);
    ginv_dlg_node nd = *node;
    ginv_status st = node_check(gr, &nd);
    if (st == GINV_OK) st = graph_grow(gr);
    if (st != GINV_OK) return st;
    int i = gr->nnodes++;
    gr->nodes[i] = nd;
    gr->poff[i] = gr->nparams;
    gr->nparams += ginv_dlg_node_nparams(&nd, gr->nodes[nd.a].size);
    gr->width += (size_t)nd.size;
    if (index) *index = i;
    return GINV_OK;
}

ginv_status ginv_dlg_layers_add(ginv_dlg *g, int graph, int count)
{
    GINV_NONNULL(g);
    if (graph < 0 || graph >= g->ngraphs)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: no graph %d (it has %d)", graph, g->ngraphs);
    const ginv_dlg_graph *gr = &g->graphs[graph];
    if (count < 0 || count > GINV_DLG_MAX_LAYERS - g->nlayers)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: %d more layers (at most %d in all)", count,
                         GINV_DLG_MAX_LAYERS);
    if (gr->nodes[gr->nnodes - 1].size != g->d || gr->nnodes < 3)
        return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: graph %d's output (its last node) must be a "
                         "computed node of size d = %d", graph, g->d);
    size_t need = g->nparams + (size_t)count * gr->nparams;
    if (need > ((size_t)1 << 40)) return ginv_fail(GINV_ERR_ARG, "deep latent Gaussian: %zu parameters", need);
    if (g->nlayers + count > g->lcap) {
        int cap = g->lcap ? g->lcap : 16;
        while (cap < g->nlayers + count) cap *= 2;
        int *lg = ginv_realloc(g->layer_graph, (size_t)cap * sizeof *lg);
        if (!lg) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        g->layer_graph = lg;
        size_t *lo = ginv_realloc(g->layer_off, (size_t)cap * sizeof *lo);
        if (!lo) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        g->layer_off = lo;
        g->lcap = cap;
    }
    if (need > g->pcap) {
        float *p = ginv_realloc(g->params, need * sizeof *p);
        if (!p) return ginv_fail(GINV_ERR_NOMEM, "out of memory for %zu parameters", need);
        g->params = p;
        g->pcap = need;
    }
    for (int c = 0; c < count; c++) {
        g->layer_graph[g->nlayers] = graph;
        g->layer_off[g->nlayers++] = g->nparams;
        memset(g->params + g->nparams, 0, gr->nparams * sizeof(float));
        g->nparams += gr->nparams;
    }
    return GINV_OK;
}

int ginv_dlg_in(const ginv_dlg *g) { return g ? g->n : 0; }
int ginv_dlg_out(const ginv_dlg *g) { return g ? g->d : 0; }
int ginv_dlg_nlayers(const ginv_dlg *g) { return g ? g->nlayers : 0; }
size_t ginv_dlg_nparams(const ginv_dlg *g) { return g ? g->nparams : 0; }
const char *ginv_dlg_record(const ginv_dlg *g) { return g ? g->record : NULL; }

float *ginv_dlg_layer_params(ginv_dlg *g, int layer, size_t *count)
{
    if (!g || layer < 0 || layer >= g->nlayers) return NULL;
    if (count) *count = g->graphs[g->layer_graph[layer]].nparams;
    return g->params + g->layer_off[layer];
}

/* One node of one layer for B rows: out (B x size) from the node buffers
 * (v[j]: node j's B x size_j output, v[0] = x rows, v[1] = z); dlg_internal.h.
 * The training tape (dlg_grad.c) runs the same kernels through it. */
void ginv_dlg_node_eval(const ginv_dlg_graph *gr, int i, const float *p, int B, float **v, float *tmp)
{
    const ginv_dlg_node *nd = &gr->nodes[i];
    const float *a = v[nd->a];
    float *o = v[i];
    size_t sz = (size_t)B * nd->size;
    switch (nd->op) {
    case GINV_DLG_AFFINE: {
        int in = gr->nodes[nd->a].size;
        ginv_gemm(0, 1, B, nd->size, in, 1.0f, a, p, 0.0f, o); /* o = a W^T */
        if (nd->bias) {
            const float *bias = p + (size_t)nd->size * in;
            for (int r = 0; r < B; r++)
                for (int j = 0; j < nd->size; j++) o[(size_t)r * nd->size + j] += bias[j];
        }
        break;
    }
    case GINV_DLG_ACT: /* the engine's kernels: y = sigma(a), tmp = sigma'(a); a is not written */
        ginv_act_forward(nd->act, nd->alpha, o, tmp, (float *)a, NULL, NULL, B, nd->size);
        break;
    case GINV_DLG_DACT: ginv_act_forward(nd->act, nd->alpha, tmp, o, (float *)a, NULL, NULL, B, nd->size); break;
    case GINV_DLG_SQUARE:
        for (size_t j = 0; j < sz; j++) o[j] = a[j] * a[j];
        break;
    case GINV_DLG_LINCOMB: {
        const float *b = v[nd->b];
        float ca = p[0], cb = p[1];
        for (size_t j = 0; j < sz; j++) o[j] = ca * a[j] + cb * b[j];
        break;
    }
    default: break;
    }
}

typedef struct {
    float *buf, *tmp, **v;
    ginv_rng *rng;
} dlg_ws;

static void ws_release(dlg_ws *w)
{
    ginv_free(w->buf);
    ginv_free(w->tmp);
    ginv_free(w->v);
    ginv_free(w->rng);
}

static ginv_status ws_alloc(const ginv_dlg *g, int B, int draw_noise, uint64_t seed, dlg_ws *w)
{
    size_t width = 0, wmax = 1;
    int nmax = 2;
    for (int i = 0; i < g->ngraphs; i++) {
        if (g->graphs[i].width > width) width = g->graphs[i].width;
        if (g->graphs[i].nnodes > nmax) nmax = g->graphs[i].nnodes;
        for (int j = 0; j < g->graphs[i].nnodes; j++)
            if ((size_t)g->graphs[i].nodes[j].size > wmax) wmax = (size_t)g->graphs[i].nodes[j].size;
    }
    memset(w, 0, sizeof *w);
    w->buf = ginv_malloc((size_t)B * (width + (size_t)g->n + g->d) * sizeof(float));
    w->tmp = ginv_malloc((size_t)B * wmax * sizeof(float));
    w->v = ginv_malloc((size_t)nmax * sizeof(float *));
    w->rng = draw_noise ? ginv_malloc((size_t)B * sizeof(ginv_rng)) : NULL;
    if (!w->buf || !w->tmp || !w->v || (draw_noise && !w->rng)) {
        ws_release(w);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d draws of a deep latent Gaussian", B);
    }
    for (int b = 0; draw_noise && b < B; b++) ginv_rng_init(&w->rng[b], seed, GINV_STREAM_DLG, (uint64_t)b);
    return GINV_OK;
}

/* Layer l for B rows: z (B x d) <- F_l(z, x) + gamma_l xi_l. xrows: B x n. */
static void layer_eval(const ginv_dlg *g, int l, int B, const float *xrows, float *z, const float *xi,
                       dlg_ws *w)
{
    const ginv_dlg_graph *gr = &g->graphs[g->layer_graph[l]];
    const float *p = g->params + g->layer_off[l];
    int d = g->d;
    w->v[0] = (float *)xrows;
    w->v[1] = z;
    float *cur = w->buf + (size_t)B * ((size_t)g->n + d); /* node outputs after x and z */
    for (int i = 2; i < gr->nnodes; i++) {
        w->v[i] = cur;
        cur += (size_t)B * gr->nodes[i].size;
        ginv_dlg_node_eval(gr, i, p + gr->poff[i], B, w->v, w->tmp);
    }
    const float *out = w->v[gr->nnodes - 1];
    double gamma = p[0];
    for (int b = 0; b < B; b++)
        for (int j = 0; j < d; j++) {
            size_t o = (size_t)b * d + j;
            float e = 0.0f;
            if (gamma != 0.0) e = (float)(gamma * (xi ? (double)xi[o] : ginv_rng_normal(&w->rng[b])));
            z[o] = out[o] + e;
        }
}

ginv_status ginv_dlg_sample(const ginv_dlg *g, int B, const float *x, int nx, const float *z0,
                            const float *xi, uint64_t seed, float *z, float *trace)
{
    GINV_NONNULL(g);
    GINV_NONNULL(x);
    GINV_NONNULL(z);
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "ginv_dlg_sample: %d draws (at least 1)", B);
    if (nx != 1 && nx != B)
        return ginv_fail(GINV_ERR_ARG, "ginv_dlg_sample: %d observations for %d draws (1 or %d)", nx, B, B);
    if (g->nlayers < 1) return ginv_fail(GINV_ERR_ARG, "ginv_dlg_sample: the encoder has no layers");
    int n = g->n, d = g->d;
    for (size_t i = 0; i < (size_t)nx * n; i++)
        if (!isfinite(x[i]))
            return ginv_fail(GINV_ERR_NUMERIC, "ginv_dlg_sample: x[%zu] is not finite", i);
    dlg_ws w;
    ginv_status st = ws_alloc(g, B, xi == NULL, seed, &w);
    if (st != GINV_OK) return st;
    float *xrows = w.buf, *zc = w.buf + (size_t)B * n;
    for (int b = 0; b < B; b++) memcpy(xrows + (size_t)b * n, x + (size_t)(nx == 1 ? 0 : b) * n, (size_t)n * sizeof(float));
    if (z0) memcpy(zc, z0, (size_t)B * d * sizeof(float));
    else memset(zc, 0, (size_t)B * d * sizeof(float));
    for (int l = 0; l < g->nlayers; l++) {
        layer_eval(g, l, B, xrows, zc, xi ? xi + (size_t)l * B * d : NULL, &w);
        if (trace) memcpy(trace + (size_t)l * B * d, zc, (size_t)B * d * sizeof(float));
    }
    for (size_t i = 0; i < (size_t)B * d; i++)
        if (!isfinite(zc[i])) {
            ws_release(&w);
            return ginv_fail(GINV_ERR_NUMERIC, "ginv_dlg_sample: draw %zu became %s: the layers diverge "
                             "(smaller steps?)", i / d, isnan(zc[i]) ? "NaN" : "infinite");
        }
    memcpy(z, zc, (size_t)B * d * sizeof(float));
    ws_release(&w);
    return GINV_OK;
}
