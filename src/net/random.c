/* random.c — random generators: Hand & Voroninski Thm 1's i.i.d. N(0, 1/n_i)
 * weights (n_i the layer's output width), the fan-in scaling, or orthonormal
 * weights (the Q factor of a Gaussian matrix).
 *
 * Conv layers, seen as the matrix that maps the input to the output, get the
 * same two scalings: "paper" makes each column's expected squared norm 1 (as
 * N(0, 1/n_i) does for a dense W), "fanin" each row's. A conv2d input pixel
 * meets about c_out kh kw / (stride_h stride_w) weights and an output sums
 * c_in kh kw terms; a conv_transpose2d input meets c_out kh kw weights and an
 * output sums about c_in kh kw / (stride_h stride_w):
 *
 *             paper variance                fanin variance
 *   conv2d    s_h s_w / (c_out kh kw)       1 / (c_in kh kw)
 *   convT     1 / (c_out kh kw)             s_h s_w / (c_in kh kw)
 *
 * "orthogonal" has no convolutional analogue here: conv layers take the
 * fanin variance under it. batchnorm2d gets scale 1 and shift N(0, bias_sd^2)
 * (0 when bias_sd <= 0), the identity map by default. */
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

/* Each layer with parameters draws from its own stream (seed, NET, index * 4096 + i),
 * so a layer's weights do not depend on the sizes of the layers before it. */
ginv_status ginv_net_randomize(ginv_net *net, ginv_init init, double bias_sd, uint64_t seed,
                               uint64_t index)
{
    GINV_NONNULL(net);
    for (int i = 0; i < net->nlayers; i++) {
        ginv_layer *L = &net->layers[i];
        if (!ginv_layer_nparams(L)) continue;
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_NET, index * 4096u + (uint64_t)i);
        int nb = L->kind == GINV_LAYER_DENSE ? L->out : L->c_out;
        if (L->kind == GINV_LAYER_BATCHNORM2D) {
            for (int c = 0; c < L->c_in; c++) L->W[c] = 1.0f;
        } else if (L->kind != GINV_LAYER_DENSE) {
            double kk = (double)L->kh * L->kw, s = (double)L->stride_h * L->stride_w;
            int tr = L->kind == GINV_LAYER_CONV_TRANSPOSE2D;
            double var = init == GINV_INIT_PAPER ? (tr ? 1.0 : s) / (L->c_out * kk)
                                                 : (tr ? s : 1.0) / (L->c_in * kk);
            ginv_rng_normal_f32(&r, L->W, (size_t)L->c_in * L->c_out * kk, sqrt(var));
        } else if (init == GINV_INIT_ORTHOGONAL) {
            if (orthogonal_weights(&r, L->W, L->out, L->in))
                return ginv_fail(GINV_ERR_NOMEM, "out of memory drawing orthogonal weights");
        } else {
            double sd = init == GINV_INIT_PAPER ? 1.0 / sqrt((double)L->out)
                                                : 1.0 / sqrt((double)L->in);
            ginv_rng_normal_f32(&r, L->W, (size_t)L->in * L->out, sd);
        }
        if (L->b) {
            if (bias_sd > 0)
                ginv_rng_normal_f32(&r, L->b, (size_t)nb, bias_sd);
            else
                for (int j = 0; j < nb; j++) L->b[j] = 0.0f;
        }
    }
    return GINV_OK;
}
