/* activation.c — elementwise activations, their derivatives, and the
 * one-sided rule at ReLU kinks (Hand & Voroninski eq. 5). */
#include "net/net_internal.h"

#include <math.h>

/* Numerically stable pieces. */
static inline float sigmoidf(float x)
{
    if (x >= 0) {
        float e = expf(-x);
        return 1.0f / (1.0f + e);
    }
    float e = expf(x);
    return e / (1.0f + e);
}

static inline float softplusf(float x)
{
    /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|) */
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

/* y (n) = act(x (n)); d (n) = act'(x). t (n) is the tangent along the kink
 * direction, or NULL: for ReLU-type units, x == 0 counts as active iff t > 0,
 * the limit of the pattern at x + s t as s -> 0+. */
void ginv_act_forward(ginv_layer_kind kind, double alpha, float *y, float *d, const float *x,
                      float *t, size_t n)
{
    switch (kind) {
    case GINV_LAYER_RELU:
    case GINV_LAYER_LEAKY_RELU: {
        float a = kind == GINV_LAYER_RELU ? 0.0f : (float)alpha;
        if (t) {
            for (size_t i = 0; i < n; i++) {
                int on = x[i] > 0 || (x[i] == 0 && t[i] > 0);
                d[i] = on ? 1.0f : a;
                y[i] = x[i] > 0 ? x[i] : a * x[i];
                t[i] *= d[i];
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                d[i] = x[i] > 0 ? 1.0f : a; /* relu'(0) = 0 (GINV_KINK_ZERO) */
                y[i] = x[i] > 0 ? x[i] : a * x[i];
            }
        }
        return;
    }
    case GINV_LAYER_TANH:
        for (size_t i = 0; i < n; i++) {
            float v = tanhf(x[i]);
            y[i] = v;
            d[i] = 1.0f - v * v;
        }
        break;
    case GINV_LAYER_SIGMOID:
        for (size_t i = 0; i < n; i++) {
            float s = sigmoidf(x[i]);
            y[i] = s;
            d[i] = s * (1.0f - s);
        }
        break;
    case GINV_LAYER_SOFTPLUS:
        for (size_t i = 0; i < n; i++) {
            d[i] = sigmoidf(x[i]);
            y[i] = softplusf(x[i]);
        }
        break;
    case GINV_LAYER_IDENTITY:
    case GINV_LAYER_DENSE:
        for (size_t i = 0; i < n; i++) {
            y[i] = x[i];
            d[i] = 1.0f;
        }
        break;
    }
    if (t)
        for (size_t i = 0; i < n; i++) t[i] *= d[i];
}
