/* ref_net.c — the double-precision oracle network (see ref_net.h). */
#include "ref_net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double act(ginv_layer_kind k, double a, double x)
{
    switch (k) {
    case GINV_LAYER_RELU: return x > 0 ? x : 0;
    case GINV_LAYER_LEAKY_RELU: return x > 0 ? x : a * x;
    case GINV_LAYER_TANH: return tanh(x);
    case GINV_LAYER_SIGMOID: return 1 / (1 + exp(-x));
    case GINV_LAYER_SOFTPLUS: return log1p(exp(x));
    case GINV_LAYER_ELU: return x > 0 ? x : a * expm1(x);
    case GINV_LAYER_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case GINV_LAYER_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    case GINV_LAYER_SILU: return x / (1 + exp(-x));
    case GINV_LAYER_SMOOTH_LEAKY: return a * x + (1 - a) * (x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)));
    default: return x;
    }
}

/* conv2d straight from PyTorch's definition: every output, every tap */
static void ref_conv2d(const ginv_layer *ly, const double *W, const double *b, const double *x, double *y)
{
    for (int co = 0; co < ly->c_out; co++)
        for (int oh = 0; oh < ly->h_out; oh++)
            for (int ow = 0; ow < ly->w_out; ow++) {
                double s = b ? b[co] : 0;
                for (int ci = 0; ci < ly->c_in; ci++)
                    for (int i = 0; i < ly->kh; i++)
                        for (int j = 0; j < ly->kw; j++) {
                            int ih = oh * ly->stride_h - ly->pad_h + i * ly->dil_h;
                            int iw = ow * ly->stride_w - ly->pad_w + j * ly->dil_w;
                            if (ih < 0 || ih >= ly->h_in || iw < 0 || iw >= ly->w_in) continue;
                            s += W[((size_t)(co * ly->c_in + ci) * ly->kh + i) * ly->kw + j] *
                                 x[((size_t)ci * ly->h_in + ih) * ly->w_in + iw];
                        }
                y[((size_t)co * ly->h_out + oh) * ly->w_out + ow] = s;
            }
}

/* conv_transpose2d as PyTorch defines it: each input scatters W[ci, co] */
static void ref_conv_transpose2d(const ginv_layer *ly, const double *W, const double *b, const double *x,
                                 double *y)
{
    size_t plane = (size_t)ly->h_out * ly->w_out;
    for (int co = 0; co < ly->c_out; co++)
        for (size_t p = 0; p < plane; p++) y[co * plane + p] = b ? b[co] : 0;
    for (int ci = 0; ci < ly->c_in; ci++)
        for (int ih = 0; ih < ly->h_in; ih++)
            for (int iw = 0; iw < ly->w_in; iw++)
                for (int co = 0; co < ly->c_out; co++)
                    for (int i = 0; i < ly->kh; i++)
                        for (int j = 0; j < ly->kw; j++) {
                            int oh = ih * ly->stride_h - ly->pad_h + i * ly->dil_h;
                            int ow = iw * ly->stride_w - ly->pad_w + j * ly->dil_w;
                            if (oh < 0 || oh >= ly->h_out || ow < 0 || ow >= ly->w_out) continue;
                            y[co * plane + (size_t)oh * ly->w_out + ow] +=
                                W[((size_t)(ci * ly->c_out + co) * ly->kh + i) * ly->kw + j] *
                                x[((size_t)ci * ly->h_in + ih) * ly->w_in + iw];
                        }
}

void ref_forward(ginv_net *net, const double *params, const double *z, double *x)
{
    const float *p0 = ginv_net_params(net);
    int L = ginv_net_nlayers(net), w = ginv_net_in(net);
    size_t width = (size_t)w; /* the widest layer: buffers sized to the net (cheap under ASan) */
    for (int i = 0; i < L; i++)
        if ((size_t)ginv_net_layer(net, i)->out > width) width = (size_t)ginv_net_layer(net, i)->out;
    double *cur = malloc(sizeof(double) * width), *nxt = malloc(sizeof(double) * width);
    memcpy(cur, z, sizeof(double) * w);
    for (int i = 0; i < L; i++) {
        const ginv_layer *ly = ginv_net_layer(net, i);
        const double *W = ly->W ? params + (ly->W - p0) : NULL, *b = ly->b ? params + (ly->b - p0) : NULL;
        switch (ly->kind) {
        case GINV_LAYER_DENSE:
            for (int r = 0; r < ly->out; r++) {
                double s = b ? b[r] : 0;
                for (int c = 0; c < ly->in; c++) s += W[(size_t)r * ly->in + c] * cur[c];
                nxt[r] = s;
            }
            break;
        case GINV_LAYER_CONV2D: ref_conv2d(ly, W, b, cur, nxt); break;
        case GINV_LAYER_CONV_TRANSPOSE2D: ref_conv_transpose2d(ly, W, b, cur, nxt); break;
        case GINV_LAYER_BATCHNORM2D: {
            size_t plane = (size_t)ly->h_in * ly->w_in;
            for (int c = 0; c < ly->c_in; c++)
                for (size_t p = 0; p < plane; p++) nxt[c * plane + p] = cur[c * plane + p] * W[c] + b[c];
            break;
        }
        case GINV_LAYER_RESHAPE: memcpy(nxt, cur, sizeof(double) * ly->in); break;
        case GINV_LAYER_UPSAMPLE_NEAREST:
            for (int c = 0; c < ly->c_out; c++)
                for (int h = 0; h < ly->h_out; h++)
                    for (int q = 0; q < ly->w_out; q++)
                        nxt[((size_t)c * ly->h_out + h) * ly->w_out + q] =
                            cur[((size_t)c * ly->h_in + h / ly->factor) * ly->w_in + q / ly->factor];
            break;
        default:
            for (int r = 0; r < ly->out; r++) nxt[r] = act(ly->kind, ly->alpha, cur[r]);
            break;
        }
        w = ly->out;
        double *t = cur; cur = nxt; nxt = t;
    }
    memcpy(x, cur, sizeof(double) * w);
    free(cur);
    free(nxt);
}

double *ref_params(ginv_net *net)
{
    size_t n = ginv_net_nparams(net);
    double *p = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = ginv_net_params(net)[i];
    return p;
}

ginv_net *ref_random_net(const int *sizes, int ns, ginv_layer_kind a, int bias, uint64_t seed)
{
    ginv_layer spec[64];
    int n = 0;
    for (int i = 0; i + 1 < ns; i++) {
        spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = sizes[i], .out = sizes[i + 1], .bias = bias};
        spec[n++] = (ginv_layer){.kind = a, .alpha = 0.1};
    }
    ginv_net *net = NULL;
    if (ginv_net_new(&net, n, spec) != GINV_OK) return NULL;
    ginv_net_randomize(net, GINV_INIT_FANIN, bias ? 0.5 : 0, seed, 0);
    return net;
}
