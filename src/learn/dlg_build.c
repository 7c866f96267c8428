/* dlg_build.c — the encoder of Pareek & Risteski's Theorem 1, built as an
 * explicit deep latent Gaussian (§5.3; Appendix D.2-D.3: Lemmas 6, 18, 19,
 * 20 and the proof of Theorem 1). For a dense generator G : R^d -> R^n with
 * differentiable activations, every layer is one step
 *     GD (Lemma 1):       z <- z - eta J_G(z)^T (G(z) - x),                 gamma = 0
 *     Langevin (§5.3):    z <- (1 - h) z - (h / beta^2) J_G(z)^T (G(z) - x)
 *                              + sqrt(2h) xi,                               gamma = sqrt(2h)
 * and its graph is:
 *   - G's forward: each dense layer an AFFINE node with G's W and b, each
 *     activation an ACT node (identity layers are no node);
 *   - the residual r = G(z) - x: a LINCOMB (1, -1) with the x node;
 *   - the backpropagation network of Lemma 6, from the last layer down: a
 *     dense layer is an AFFINE node with W^T (no bias); an activation
 *     multiplies delta by sigma'(a), a its input, as Lemma 19 does,
 *         sigma'(a) delta = 1/4 (sigma'(a) + delta)^2 - 1/4 (sigma'(a) - delta)^2:
 *     one DACT node, two LINCOMBs (1, 1) and (1, -1), two SQUAREs and a
 *     LINCOMB (1/4, -1/4);
 *   - the step: a LINCOMB of z and J_G^T r.
 * One graph serves every layer: GD and Langevin layers differ only in the
 * last LINCOMB's coefficients and gamma. Per layer the parameters are
 *     1 (gamma) + N (G's W and b) + N_W (the W^T) + 2 (residual)
 *       + 6 A (three LINCOMBs per activation) + 2 (the step),
 * N_W G's weights without biases, A its activation layers other than
 * identity: N' = (S + T) (N + N_W + 6 A + 5) = O(N (S + T)). Backpropagation
 * computes J_G^T r in one pass of size O(N), so a step costs O(N) rather
 * than the O(N d^2) of Lemma 20's bound (which builds each of the d^2
 * Jacobian entries and multiplies them). */
#include "ginv.h"
#include "base/check_internal.h"
#include "learn/dlg_internal.h"
#include "net/net_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

void ginv_dlg_build_opts_init(ginv_dlg_build_opts *o)
{
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->beta = 0.1;
    o->gd_steps = 100;
    o->gd_lr = 0.1;
    o->langevin_steps = 100;
    o->h = 1e-3;
}

/* 1 when the construction can take sigma' of this activation: it must be
 * differentiable (Theorem 1: "a differentiable activation function"). */
static int smooth_act(const ginv_layer *L)
{
    switch (L->kind) {
    case GINV_LAYER_TANH:
    case GINV_LAYER_SIGMOID:
    case GINV_LAYER_SOFTPLUS:
    case GINV_LAYER_IDENTITY:
    case GINV_LAYER_GELU:
    case GINV_LAYER_GELU_TANH:
    case GINV_LAYER_SILU:
    case GINV_LAYER_SMOOTH_LEAKY: return 1; /* sigma' = a + (1 - a) sigmoid */
    case GINV_LAYER_ELU: return L->alpha == 1.0; /* C^1 only when the slopes meet at 0 */
    default: return 0;
    }
}

/* G's layers checked; N, N_W and A counted. */
static ginv_status check_generator(const ginv_net *G, ginv_dlg_build_info *in)
{
    int nl = ginv_net_nlayers(G);
    for (int i = 0; i < nl; i++) {
        const ginv_layer *L = ginv_net_layer_c(G, i);
        if (L->kind == GINV_LAYER_DENSE) {
            in->generator_weights += (size_t)L->in * L->out;
            in->generator_params += (size_t)L->in * L->out + (L->bias ? (size_t)L->out : 0);
        } else if (ginv_layer_is_act(L->kind) && smooth_act(L)) {
            in->activations += L->kind != GINV_LAYER_IDENTITY;
        } else if (ginv_layer_is_act(L->kind)) {
            return ginv_fail(GINV_ERR_UNSUPPORTED,
                             "layer %d of G is %s%s: Theorem 1's construction multiplies by sigma' in G's "
                             "backpropagation network and needs a differentiable activation (tanh, sigmoid, "
                             "softplus, smooth_leaky, silu, gelu, gelu_tanh, elu with alpha 1, identity)", i,
                             ginv_layer_kind_name(L->kind),
                             L->kind == GINV_LAYER_ELU ? " with alpha != 1 (a kink at 0)"
                             : L->kind == GINV_LAYER_SIGN ? " (derivative 0, a jump at 0)" : " (a kink at 0)");
        } else {
            return ginv_fail(GINV_ERR_UNSUPPORTED,
                             "layer %d of G is %s: the construction builds dense chains (dense layers and "
                             "activations) only", i, ginv_layer_kind_name(L->kind));
        }
    }
    return GINV_OK;
}

/* Append node nd to the graph and, in tmpl (one layer's parameters), its
 * parameters from w (may be NULL: zeros). */
static ginv_status add(ginv_dlg *g, int gi, ginv_dlg_node nd, const float *w, float **tmpl, int *idx)
{
    ginv_status st = ginv_dlg_node_add(g, gi, &nd, idx);
    if (st != GINV_OK) return st;
    const ginv_dlg_graph *gr = &g->graphs[gi];
    float *t = ginv_realloc(*tmpl, gr->nparams * sizeof(float));
    if (!t) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    *tmpl = t;
    size_t off = gr->poff[*idx], np = gr->nparams - off;
    if (w) memcpy(t + off, w, np * sizeof(float));
    else memset(t + off, 0, np * sizeof(float));
    return GINV_OK;
}

static ginv_status add_lincomb(ginv_dlg *g, int gi, int a, int b, float ca, float cb, float **tmpl, int *idx)
{
    float c[2] = {ca, cb};
    return add(g, gi, (ginv_dlg_node){.op = GINV_DLG_LINCOMB, .a = a, .b = b}, c, tmpl, idx);
}

/* The product u * v of two equal-size nodes by the square activation
 * (Lemma 19): 1/4 (u + v)^2 - 1/4 (u - v)^2. */
static ginv_status add_product(ginv_dlg *g, int gi, int u, int v, float **tmpl, int *idx)
{
    int s, t, s2, t2;
    ginv_status st = add_lincomb(g, gi, u, v, 1.0f, 1.0f, tmpl, &s);
    if (st == GINV_OK) st = add_lincomb(g, gi, u, v, 1.0f, -1.0f, tmpl, &t);
    if (st == GINV_OK) st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = s}, NULL, tmpl, &s2);
    if (st == GINV_OK) st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_SQUARE, .a = t}, NULL, tmpl, &t2);
    if (st == GINV_OK) st = add_lincomb(g, gi, s2, t2, 0.25f, -0.25f, tmpl, idx);
    return st;
}

/* The graph of one step (see the top of the file) and its parameter
 * template; the step's LINCOMB is the last node. */
static ginv_status build_graph(ginv_dlg *g, const ginv_net *G, int gi, float **tmpl)
{
    int nl = ginv_net_nlayers(G), v = 1, in_node[GINV_MAX_LAYERS];
    ginv_status st = GINV_OK;
    *tmpl = ginv_calloc(1, sizeof(float)); /* gamma */
    if (!*tmpl) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int i = 0; st == GINV_OK && i < nl; i++) { /* G's forward */
        const ginv_layer *L = ginv_net_layer_c(G, i);
        in_node[i] = v;
        if (L->kind == GINV_LAYER_DENSE) { /* W then b: the layout of an AFFINE node */
            float *wb = ginv_malloc(((size_t)L->in * L->out + (size_t)L->out) * sizeof(float));
            if (!wb) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
            memcpy(wb, L->W, (size_t)L->in * L->out * sizeof(float));
            if (L->bias) memcpy(wb + (size_t)L->in * L->out, L->b, (size_t)L->out * sizeof(float));
            st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = v, .size = L->out, .bias = L->bias}, wb,
                     tmpl, &v);
            ginv_free(wb);
        } else if (L->kind != GINV_LAYER_IDENTITY) {
            st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_ACT, .a = v, .act = L->kind, .alpha = L->alpha}, NULL,
                     tmpl, &v);
        }
    }
    int delta = -1;
    if (st == GINV_OK) st = add_lincomb(g, gi, v, 0, 1.0f, -1.0f, tmpl, &delta); /* r = G(z) - x */
    for (int i = nl - 1; st == GINV_OK && i >= 0; i--) { /* Lemma 6: backpropagation */
        const ginv_layer *L = ginv_net_layer_c(G, i);
        if (L->kind == GINV_LAYER_DENSE) {
            float *wt = ginv_malloc((size_t)L->in * L->out * sizeof(float));
            if (!wt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
            for (int r = 0; r < L->out; r++)
                for (int c = 0; c < L->in; c++) wt[(size_t)c * L->out + r] = L->W[(size_t)r * L->in + c];
            st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_AFFINE, .a = delta, .size = L->in}, wt, tmpl, &delta);
            ginv_free(wt);
        } else if (L->kind != GINV_LAYER_IDENTITY) {
            int sd;
            st = add(g, gi, (ginv_dlg_node){.op = GINV_DLG_DACT, .a = in_node[i], .act = L->kind, .alpha = L->alpha},
                     NULL, tmpl, &sd);
            if (st == GINV_OK) st = add_product(g, gi, sd, delta, tmpl, &delta);
        }
    }
    int out;
    if (st == GINV_OK) st = add_lincomb(g, gi, 1, delta, 1.0f, 0.0f, tmpl, &out); /* set per layer */
    return st;
}

static ginv_status record(ginv_dlg *g, const ginv_dlg_build_opts *o, const ginv_dlg_build_info *in)
{
    cJSON *r = cJSON_CreateObject();
    if (!r) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    cJSON_AddStringToObject(r, "construction", "Pareek & Risteski Theorem 1: GD then ULA");
    cJSON_AddNumberToObject(r, "beta", o->beta);
    cJSON_AddNumberToObject(r, "gd_steps", o->gd_steps);
    cJSON_AddNumberToObject(r, "gd_lr", o->gd_lr);
    cJSON_AddNumberToObject(r, "langevin_steps", o->langevin_steps);
    cJSON_AddNumberToObject(r, "h", o->h);
    cJSON_AddNumberToObject(r, "generator_params", (double)in->generator_params);
    cJSON_AddNumberToObject(r, "generator_weights", (double)in->generator_weights);
    cJSON_AddNumberToObject(r, "generator_activations", in->activations);
    cJSON_AddNumberToObject(r, "params", (double)in->params);
    char *txt = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    g->record = ginv_strdup(txt);
    cJSON_free(txt);
    return g->record ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
}

static ginv_status check_opts(const ginv_dlg_build_opts *o)
{
    if (!(o->beta > 0) || !isfinite(o->beta))
        return ginv_fail(GINV_ERR_ARG, "beta = %g: the model's noise level must be positive (the posterior and "
                         "the Langevin drift divide by beta^2)", o->beta);
    if (o->gd_steps < 0 || o->langevin_steps < 0 || (long)o->gd_steps + o->langevin_steps < 1 ||
        (long)o->gd_steps + o->langevin_steps > GINV_DLG_MAX_LAYERS)
        return ginv_fail(GINV_ERR_ARG, "%d GD and %d Langevin steps: each >= 0, together 1 to %d", o->gd_steps,
                         o->langevin_steps, GINV_DLG_MAX_LAYERS);
    if (o->gd_steps > 0 && (!(o->gd_lr > 0) || !isfinite(o->gd_lr)))
        return ginv_fail(GINV_ERR_ARG, "the GD step eta = %g must be positive", o->gd_lr);
    if (o->langevin_steps > 0 && (!(o->h > 0) || !isfinite(o->h)))
        return ginv_fail(GINV_ERR_ARG, "the Langevin step h = %g must be positive", o->h);
    return GINV_OK;
}

ginv_status ginv_dlg_build(ginv_dlg **out, const ginv_net *G, const ginv_dlg_build_opts *o,
                           ginv_dlg_build_info *info)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(G);
    GINV_NONNULL(o);
    ginv_dlg_build_info in = {0};
    ginv_status st = check_opts(o);
    if (st == GINV_OK) st = check_generator(G, &in);
    if (st != GINV_OK) return st;
    size_t L = (size_t)o->gd_steps + (size_t)o->langevin_steps;
    size_t per = 1 + in.generator_params + in.generator_weights + 2 + 6 * (size_t)in.activations + 2;
    in.per_gd_layer = in.per_langevin_layer = per;
    in.params = per * L;
    if (info) *info = in;
    size_t limit = o->max_params ? o->max_params : ((size_t)1 << 26);
    if (in.params > limit)
        return ginv_fail(GINV_ERR_ARG, "the encoder would have N' = %zu parameters ((S + T) = %zu layers x %zu), "
                         "over the limit of %zu", in.params, L, per, limit);
    ginv_dlg *g = NULL;
    float *tmpl = NULL;
    int gi = 0;
    st = ginv_dlg_new(&g, ginv_net_out(G), ginv_net_in(G));
    if (st == GINV_OK) st = ginv_dlg_graph_add(g, &gi);
    if (st == GINV_OK) st = build_graph(g, G, gi, &tmpl);
    if (st == GINV_OK && g->graphs[gi].nparams != per)
        st = ginv_fail(GINV_ERR_ARG, "internal: the graph holds %zu parameters per layer, the formula %zu",
                       g->graphs[gi].nparams, per);
    if (st == GINV_OK) st = ginv_dlg_layers_add(g, gi, (int)L);
    if (st == GINV_OK) {
        const ginv_dlg_graph *gr = &g->graphs[gi];
        size_t step = gr->poff[gr->nnodes - 1];
        for (int l = 0; l < (int)L; l++) {
            float *p = g->params + g->layer_off[l];
            memcpy(p, tmpl, per * sizeof(float));
            if (l < o->gd_steps) {
                p[0] = 0.0f;
                p[step] = 1.0f, p[step + 1] = (float)-o->gd_lr;
            } else {
                p[0] = (float)sqrt(2.0 * o->h);
                p[step] = (float)(1.0 - o->h), p[step + 1] = (float)(-o->h / (o->beta * o->beta));
            }
        }
        st = record(g, o, &in);
    }
    ginv_free(tmpl);
    if (st != GINV_OK) {
        ginv_dlg_free(g);
        return st;
    }
    *out = g;
    return GINV_OK;
}
