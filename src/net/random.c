/* random.c — random generators: Hand & Voroninski Thm 1's i.i.d. N(0, 1/n_i)
 * weights (n_i the layer's output width), the fan-in scaling, or orthonormal
 * weights (the Q factor of a Gaussian matrix). */
#include "net/net_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

static const char *const init_names[] = {"paper", "fanin", "orthogonal"};

ginv_status ginv_init_parse(const char *name, ginv_init *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, init_names[i])) {
            *out = (ginv_init)i;
            return GINV_OK;
        }
    return ginv_fail(GINV_ERR_ARG, "unknown weight init '%s': use paper, fanin or orthogonal", name);
}

const char *ginv_init_name(ginv_init init)
{
    return (unsigned)init < 3 ? init_names[init] : "?";
}

/* Orthonormalise the `nv` vectors of length `len` (vector v at q + v * stride
 * with consecutive entries `step` apart) by modified Gram-Schmidt, run twice
 * ("twice is enough", Giraud et al. 2005) so W^T W = I to double rounding. */
static void orthonormalise(double *q, int nv, int len, size_t stride, size_t step)
{
    for (int pass = 0; pass < 2; pass++)
        for (int v = 0; v < nv; v++) {
            double *a = q + (size_t)v * stride;
            for (int u = 0; u < v; u++) {
                const double *b = q + (size_t)u * stride;
                double d = 0;
                for (int i = 0; i < len; i++) d += a[i * step] * b[i * step];
                for (int i = 0; i < len; i++) a[i * step] -= d * b[i * step];
            }
            double nrm = 0;
            for (int i = 0; i < len; i++) nrm += a[i * step] * a[i * step];
            nrm = sqrt(nrm);
            /* a Gaussian matrix has full rank with probability 1 */
            for (int i = 0; i < len; i++) a[i * step] = nrm > 0 ? a[i * step] / nrm : 0;
        }
}

/* W (out x in, row-major) with orthonormal columns (out >= in) or rows. */
static int orthogonal_weights(ginv_rng *r, float *W, int out, int in)
{
    size_t n = (size_t)out * in;
    double *q = ginv_malloc(n * sizeof *q);
    if (!q) return -1;
    for (size_t i = 0; i < n; i++) q[i] = ginv_rng_normal(r);
    if (out >= in) orthonormalise(q, in, out, 1, (size_t)in); /* columns */
    else orthonormalise(q, out, in, (size_t)in, 1);           /* rows */
    for (size_t i = 0; i < n; i++) W[i] = (float)q[i];
    ginv_free(q);
    return 0;
}

/* Each dense layer draws from its own stream (seed, NET, index * 4096 + i),
 * so a layer's weights do not depend on the sizes of the layers before it. */
ginv_status ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                               uint64_t index)
{
    GINV_NONNULL(net);
    for (int i = 0; i < net->nlayers; i++) {
        ginv_layer *L = &net->layers[i];
        if (L->kind != GINV_LAYER_DENSE) continue;
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_NET, index * 4096u + (uint64_t)i);
        if (init == GINV_INIT_ORTHOGONAL) {
            if (orthogonal_weights(&r, L->W, L->out, L->in))
                return ginv_fail(GINV_ERR_NOMEM, "out of memory drawing orthogonal weights");
        } else {
            double sd = init == GINV_INIT_PAPER ? 1.0 / sqrt((double)L->out)
                                                : 1.0 / sqrt((double)L->in);
            ginv_rng_normal_f32(&r, L->W, (size_t)L->in * L->out, sd);
        }
        if (L->b) {
            if (bias_sd > 0)
                ginv_rng_normal_f32(&r, L->b, (size_t)L->out, bias_sd);
            else
                for (int j = 0; j < L->out; j++) L->b[j] = 0.0f;
        }
    }
    return GINV_OK;
}
