/* forward.c — batched forward pass with cached activations, and the
 * reverse-mode vector-Jacobian products with respect to the latent and the
 * parameters: the dispatcher over the layer kinds. Dense layers are here (one
 * GEMM, GEMV for B = 1, per layer per direction), activations in
 * activation.c, conv2d and conv_transpose2d in conv.c, batchnorm2d and
 * upsample_nearest in image_layers.c; reshape is a copy. */
#include "linalg/pool.h"
#include "base/check_internal.h"
#include "net/net_internal.h"

#include <string.h>

static int max_width(const ginv_net *net)
{
    int w = net->layers[0].in;
    for (int i = 0; i < net->nlayers; i++)
        if (net->layers[i].out > w) w = net->layers[i].out;
    return w;
}

ginv_status ginv_net_ws_new(ginv_net_ws **out, const ginv_net *net, int B)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(net);
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "batch size %d must be at least 1", B);
    int L = net->nlayers, W = max_width(net);
    ginv_net_ws *ws = ginv_calloc(1, sizeof *ws);
    if (!ws) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ws->cap = B;
    ws->nlayers = L;
    ws->k = net->layers[0].in;
    ws->maxw = W;
    ws->act = ginv_calloc((size_t)L + 1, sizeof(float *));
    ws->deriv = ginv_calloc((size_t)L, sizeof(float *));
    ws->g0 = ginv_malloc((size_t)B * W * sizeof(float));
    ws->g1 = ginv_malloc((size_t)B * W * sizeof(float));
    ws->tan0 = ginv_malloc((size_t)B * W * sizeof(float));
    ws->tan1 = ginv_malloc((size_t)B * W * sizeof(float));
    ws->dir = ginv_calloc((size_t)ws->k, sizeof(float));
    size_t ncol = 0, nmat = 0;
    for (int i = 0; i < L; i++) {
        const ginv_layer *ly = &net->layers[i];
        if (ly->kind != GINV_LAYER_CONV2D && ly->kind != GINV_LAYER_CONV_TRANSPOSE2D) continue;
        size_t c, m;
        ginv_conv_scratch(ly, B, &c, &m);
        if (c > ncol) ncol = c;
        if (m > nmat) nmat = m;
    }
    if (ncol) {
        ws->col = ginv_malloc(ncol * sizeof(float));
        ws->mat = ginv_malloc((nmat ? nmat : 1) * sizeof(float));
    }
    int ok = ws->act && ws->deriv && ws->g0 && ws->g1 && ws->tan0 && ws->tan1 && ws->dir &&
             (!ncol || (ws->col && ws->mat));
    for (int i = 0; ok && i <= L; i++) {
        int w = i < L ? net->layers[i].in : net->layers[L - 1].out;
        ws->act[i] = ginv_malloc((size_t)B * w * sizeof(float));
        ok = ws->act[i] != NULL;
        if (ok && i < L && ginv_layer_is_act(net->layers[i].kind)) {
            ws->deriv[i] = ginv_malloc((size_t)B * w * sizeof(float));
            ok = ws->deriv[i] != NULL;
        }
    }
    if (!ok) {
        ginv_net_ws_free(ws);
        return ginv_fail(GINV_ERR_NOMEM, "cannot allocate a workspace for batch %d", B);
    }
    *out = ws;
    return GINV_OK;
}

void ginv_net_ws_free(ginv_net_ws *ws)
{
    if (!ws) return;
    for (int i = 0; ws->act && i <= ws->nlayers; i++) ginv_free(ws->act[i]);
    for (int i = 0; ws->deriv && i < ws->nlayers; i++) ginv_free(ws->deriv[i]);
    ginv_free(ws->act);
    ginv_free(ws->deriv);
    ginv_free(ws->g0);
    ginv_free(ws->g1);
    ginv_free(ws->dir);
    ginv_free(ws->tan0);
    ginv_free(ws->tan1);
    ginv_free(ws->col);
    ginv_free(ws->mat);
    ginv_free(ws);
}

void ginv_net_ws_set_kink(ginv_net_ws *ws, ginv_kink_rule rule, const float *w)
{
    ws->kink = rule == GINV_KINK_ONESIDED && w ? GINV_KINK_ONESIDED : GINV_KINK_ZERO;
    if (ws->kink == GINV_KINK_ONESIDED) memcpy(ws->dir, w, (size_t)ws->k * sizeof(float));
}

/* y (B x out) = x (B x in) W^T (+ b unless the bias is left to the next
 * layer, an activation, which adds it on its pass over y) */
static void dense_forward(const ginv_layer *L, float *y, const float *x, int B, int add_bias)
{
    ginv_gemm(0, 1, B, L->out, L->in, 1.0f, x, L->W, 0.0f, y);
    if (L->b && add_bias)
        for (int r = 0; r < B; r++) {
            float *yr = y + (size_t)r * L->out;
            for (int j = 0; j < L->out; j++) yr[j] += L->b[j];
        }
}

const float *ginv_net_forward(const ginv_net *net, ginv_net_ws *ws, int B, const float *z)
{
    int L = net->nlayers;
    memcpy(ws->act[0], z, (size_t)B * net->layers[0].in * sizeof(float));
    float *t = NULL, *tn = NULL;
    if (ws->kink == GINV_KINK_ONESIDED) {
        /* tangent of every row along the fixed direction w of eq. (5) */
        t = ws->tan0;
        tn = ws->tan1;
        for (int r = 0; r < B; r++) memcpy(t + (size_t)r * ws->k, ws->dir, (size_t)ws->k * sizeof(float));
    }
    const float *pending_bias = NULL; /* a dense bias the next activation adds */
    for (int i = 0; i < L; i++) {
        const ginv_layer *ly = &net->layers[i];
        float *x = ws->act[i];     /* (B, in) */
        float *y = ws->act[i + 1]; /* (B, out) */
        int tangent_step = 0;      /* 1: the layer maps t into tn */
        switch (ly->kind) {
        case GINV_LAYER_DENSE: {
            int fuse = i + 1 < L && ginv_layer_is_act(net->layers[i + 1].kind);
            dense_forward(ly, y, x, B, !fuse);
            pending_bias = fuse ? ly->b : NULL;
            if (t) ginv_gemm(0, 1, B, ly->out, ly->in, 1.0f, t, ly->W, 0.0f, tn);
            tangent_step = 1;
            break;
        }
        case GINV_LAYER_CONV2D:
        case GINV_LAYER_CONV_TRANSPOSE2D:
            ginv_conv_forward(ly, y, x, B, 1, ws->col, ws->mat);
            if (t) ginv_conv_forward(ly, tn, t, B, 0, ws->col, ws->mat);
            tangent_step = 1;
            break;
        case GINV_LAYER_BATCHNORM2D:
            ginv_bn_forward(ly, y, x, B, 1);
            if (t) ginv_bn_forward(ly, tn, t, B, 0);
            tangent_step = 1;
            break;
        case GINV_LAYER_UPSAMPLE_NEAREST:
            ginv_upsample_forward(ly, y, x, B);
            if (t) ginv_upsample_forward(ly, tn, t, B);
            tangent_step = 1;
            break;
        case GINV_LAYER_RESHAPE: /* the same values; the tangent too */
            memcpy(y, x, (size_t)B * ly->in * sizeof(float));
            break;
        default: /* elementwise activations; a pending dense bias is added here */
            ginv_act_forward(ly->kind, ly->alpha, y, ws->deriv[i], x, pending_bias, t, B, ly->out);
            pending_bias = NULL;
            break;
        }
        if (t && tangent_step) {
            float *s = t;
            t = tn;
            tn = s;
        }
    }
    return ws->act[L];
}

/* gin = g .* d, elementwise, in fixed chunks over the pool */
typedef struct {
    float *out;
    const float *a, *b;
    size_t n;
} mul_job;

#define MUL_CHUNK 16384

static void mul_chunk(void *ctx, int c)
{
    const mul_job *j = ctx;
    size_t i0 = (size_t)c * MUL_CHUNK, i1 = i0 + MUL_CHUNK < j->n ? i0 + MUL_CHUNK : j->n;
    for (size_t i = i0; i < i1; i++) j->out[i] = j->a[i] * j->b[i];
}

void ginv_net_backward(ginv_net *net, ginv_net_ws *ws, int B, const float *dx, float *dz,
                       int want_params)
{
    int L = net->nlayers;
    if (want_params) ginv_net_grads(net);
    const float *g = dx; /* gradient w.r.t. the current layer's output (B, out) */
    float *bufs[2] = {ws->g0, ws->g1};
    for (int i = L - 1; i >= 0; i--) {
        const ginv_layer *ly = &net->layers[i];
        float *gin = i == 0 ? dz : bufs[i & 1]; /* (B, in) */
        switch (ly->kind) {
        case GINV_LAYER_DENSE:
            if (want_params && ly->dW) {
                /* dW (out, in) += g^T (out, B) x (B, in); db += column sums of g */
                ginv_gemm(1, 0, ly->out, ly->in, B, 1.0f, g, ws->act[i], 1.0f, ly->dW);
                if (ly->db)
                    for (int r = 0; r < B; r++) {
                        const float *gr = g + (size_t)r * ly->out;
                        for (int j = 0; j < ly->out; j++) ly->db[j] += gr[j];
                    }
            }
            /* gin (B, in) = g (B, out) W (out, in); not needed when the caller
             * asked for parameter gradients only (dz == NULL) */
            if (gin) ginv_gemm(0, 0, B, ly->in, ly->out, 1.0f, g, ly->W, 0.0f, gin);
            break;
        case GINV_LAYER_CONV2D:
        case GINV_LAYER_CONV_TRANSPOSE2D:
            ginv_conv_backward(ly, g, ws->act[i], gin, B, want_params, ws->col, ws->mat);
            break;
        case GINV_LAYER_BATCHNORM2D:
            ginv_bn_backward(ly, g, ws->act[i], gin, B, want_params);
            break;
        case GINV_LAYER_UPSAMPLE_NEAREST:
            if (gin) ginv_upsample_backward(ly, g, gin, B);
            break;
        case GINV_LAYER_RESHAPE:
            if (gin) memcpy(gin, g, (size_t)B * ly->in * sizeof(float));
            break;
        default:
            if (gin) {
                mul_job mj = {gin, g, ws->deriv[i], (size_t)B * ly->out};
                ginv_pool_run((int)((mj.n + MUL_CHUNK - 1) / MUL_CHUNK), mul_chunk, &mj);
            }
            break;
        }
        g = gin;
    }
}
