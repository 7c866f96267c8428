/* test_conv.c — the image layers (conv2d, conv_transpose2d, batchnorm2d,
 * reshape, upsample_nearest) and the activations elu, gelu, gelu_tanh, silu:
 * forward against the double-precision oracle of ref_net.c (written from
 * PyTorch's definitions, independently of src/net), both VJPs against central
 * differences of that oracle, in the one-sample and the grouped GEMM paths;
 * bits equal for 1, 2 and 3 threads; the one-sided kink rule's tangent
 * through linear image layers; spec checks naming the layer and the problem;
 * the batchnorm fold; model files (version 2 round trip, version 1 still
 * read, the shipped VAE bit for bit); the exact solvers refusing conv nets. */
#include "net/net_internal.h"
#include "ref_net.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static void fill(float *x, size_t n, uint64_t seed, double sd)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER, 7);
    ginv_rng_normal_f32(&r, x, n, sd);
}

/* A net from spec with fan-in weights, biases N(0, 0.25) and batchnorm
 * scales 1 + N(0, 0.25) (so that the scale's gradient is exercised). */
static ginv_net *make_net(const ginv_layer *spec, int n, uint64_t seed)
{
    ginv_net *net = NULL;
    if (ginv_net_new(&net, n, spec) != GINV_OK) {
        fprintf(stderr, "    ginv_net_new: %s\n", ginv_last_error());
        return NULL;
    }
    ginv_net_randomize(net, GINV_INIT_FANIN, 0.5, seed, 0);
    for (int i = 0; i < n; i++) {
        ginv_layer *L = ginv_net_layer(net, i);
        if (L->kind != GINV_LAYER_BATCHNORM2D) continue;
        fill(L->W, (size_t)L->c_in, seed + 100 + i, 0.5);
        for (int c = 0; c < L->c_in; c++) L->W[c] += 1.0f;
    }
    return net;
}

#define CONV(ci, hi, wi, co, k_h, k_w, s_h, s_w, p_h, p_w, d_h, d_w, b)                            \
    {.kind = GINV_LAYER_CONV2D, .c_in = ci, .h_in = hi, .w_in = wi, .c_out = co, .kh = k_h,         \
     .kw = k_w, .stride_h = s_h, .stride_w = s_w, .pad_h = p_h, .pad_w = p_w, .dil_h = d_h,        \
     .dil_w = d_w, .bias = b}
#define CONVT(ci, hi, wi, co, k_h, k_w, s_h, s_w, p_h, p_w, d_h, d_w, op_h, op_w, b)               \
    {.kind = GINV_LAYER_CONV_TRANSPOSE2D, .c_in = ci, .h_in = hi, .w_in = wi, .c_out = co,          \
     .kh = k_h, .kw = k_w, .stride_h = s_h, .stride_w = s_w, .pad_h = p_h, .pad_w = p_w,           \
     .dil_h = d_h, .dil_w = d_w, .outpad_h = op_h, .outpad_w = op_w, .bias = b}

/* conv2d: non-square kernel, stride, padding, dilation, bias: 2x5x6 -> 3x3x6 */
static const ginv_layer net_conv[] = {CONV(2, 5, 6, 3, 3, 2, 2, 1, 1, 1, 1, 2, 1)};
/* two conv2d without bias, the second strided onto 1 x 1 */
static const ginv_layer net_conv_nobias[] = {CONV(3, 4, 4, 4, 3, 3, 1, 1, 0, 0, 1, 1, 0),
                                             CONV(0, 0, 0, 2, 2, 2, 2, 2, 0, 0, 1, 1, 0)};
/* conv_transpose2d with stride, padding and output padding: 3x3x4 -> 2x6x13 */
static const ginv_layer net_convt[] = {CONVT(3, 3, 4, 2, 3, 2, 2, 3, 1, 0, 1, 1, 1, 2, 1)};
/* conv_transpose2d with dilation 2 and output padding 1 >= stride 1 (< dil) */
static const ginv_layer net_convt_dil[] = {CONVT(2, 4, 3, 3, 2, 3, 1, 1, 0, 1, 2, 2, 1, 1, 0)};
/* batchnorm2d alone */
static const ginv_layer net_bn[] = {{.kind = GINV_LAYER_BATCHNORM2D, .c_in = 3, .h_in = 2, .w_in = 4}};
/* dense -> reshape -> upsample x3 -> flatten -> dense */
static const ginv_layer net_up[] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 12, .bias = 1},
                                    {.kind = GINV_LAYER_RESHAPE, .c_out = 3, .h_out = 2, .w_out = 2},
                                    {.kind = GINV_LAYER_UPSAMPLE_NEAREST, .factor = 3},
                                    {.kind = GINV_LAYER_RESHAPE, .c_out = 108, .h_out = 1, .w_out = 1},
                                    {.kind = GINV_LAYER_DENSE, .in = 108, .out = 5, .bias = 1}};
/* every new activation after a 1 x 1 conv */
static const ginv_layer net_acts[] = {CONV(2, 3, 3, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                                      {.kind = GINV_LAYER_ELU, .alpha = 0.7},
                                      CONV(0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                                      {.kind = GINV_LAYER_GELU},
                                      CONV(0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                                      {.kind = GINV_LAYER_GELU_TANH},
                                      CONV(0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1),
                                      {.kind = GINV_LAYER_SILU}};
/* a small DCGAN: dense -> reshape -> convT + bn + relu -> convT -> sigmoid;
 * a conv whose output a dense layer reads without a reshape (implicit flatten) */
static const ginv_layer net_dcgan[] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 16, .bias = 1},
                                       {.kind = GINV_LAYER_RESHAPE, .c_out = 4, .h_out = 2, .w_out = 2},
                                       CONVT(0, 0, 0, 3, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0),
                                       {.kind = GINV_LAYER_BATCHNORM2D},
                                       {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.2},
                                       CONVT(0, 0, 0, 1, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1),
                                       {.kind = GINV_LAYER_TANH},
                                       CONV(0, 0, 0, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                                       {.kind = GINV_LAYER_DENSE, .in = 32, .out = 4}};

typedef struct {
    const char *name;
    const ginv_layer *spec;
    int n;
} net_case;

#define CASE(a) {#a, a, (int)(sizeof a / sizeof a[0])}
static const net_case cases[] = {CASE(net_conv), CASE(net_conv_nobias), CASE(net_convt),
                                 CASE(net_convt_dil), CASE(net_bn), CASE(net_up),
                                 CASE(net_acts), CASE(net_dcgan)};
#define NCASES (sizeof cases / sizeof cases[0])

/* sum_b <v_b, G(z_b)> in double through the oracle */
static double loss(ginv_net *net, const double *p, const double *z, const float *v, int B)
{
    int k = ginv_net_in(net), n = ginv_net_out(net);
    double *x = malloc(sizeof(double) * n), s = 0;
    for (int b = 0; b < B; b++) {
        ref_forward(net, p, z + (size_t)b * k, x);
        for (int i = 0; i < n; i++) s += (double)v[(size_t)b * n + i] * x[i];
    }
    free(x);
    return s;
}

/* Forward against the oracle, the latent VJP and the parameter VJP against
 * central differences (h = 1e-5 in double), batch B, for one case. */
static void check_case(const net_case *c, int B, uint64_t seed)
{
    ginv_net *net = make_net(c->spec, c->n, seed);
    CHECK_MSG(net != NULL, "%s: net", c->name);
    if (!net) return;
    int k = ginv_net_in(net), n = ginv_net_out(net);
    size_t np = ginv_net_nparams(net);
    float *z = malloc(sizeof(float) * B * k), *v = malloc(sizeof(float) * B * n);
    float *dz = malloc(sizeof(float) * B * k), *xf = malloc(sizeof(float) * n);
    double *zd = malloc(sizeof(double) * B * k), *xd = malloc(sizeof(double) * n);
    fill(z, (size_t)B * k, seed + 1, 1.0);
    fill(v, (size_t)B * n, seed + 2, 1.0);
    for (int i = 0; i < B * k; i++) zd[i] = z[i];
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, B));
    const float *x = ginv_net_forward(net, ws, B, z);
    double *p = ref_params(net);
    for (int b = 0; b < B; b++) {
        ref_forward(net, p, zd + (size_t)b * k, xd);
        for (int i = 0; i < n; i++) xf[i] = (float)xd[i];
        double d = test_max_rel_diff(x + (size_t)b * n, xf, (size_t)n, 1e-3);
        CHECK_MSG(d < 1e-5, "%s forward, sample %d: rel diff %g", c->name, b, d);
    }
    float *g = ginv_net_grads(net);
    memset(g, 0, sizeof(float) * (np ? np : 1));
    ginv_net_backward(net, ws, B, v, dz, 1);
    const double h = 1e-5;
    /* latent */
    float *fd = malloc(sizeof(float) * (B * k > (int)np ? (size_t)B * k : np + 1));
    for (int i = 0; i < B * k; i++) {
        double z0 = zd[i];
        zd[i] = z0 + h;
        double lp = loss(net, p, zd, v, B);
        zd[i] = z0 - h;
        double lm = loss(net, p, zd, v, B);
        zd[i] = z0;
        fd[i] = (float)((lp - lm) / (2 * h));
    }
    double d = test_max_rel_diff(dz, fd, (size_t)B * k, 1e-3);
    CHECK_MSG(d < 1e-4, "%s latent VJP vs central differences: rel diff %g", c->name, d);
    /* parameters */
    for (size_t q = 0; q < np; q++) {
        double p0 = p[q];
        p[q] = p0 + h;
        double lp = loss(net, p, zd, v, B);
        p[q] = p0 - h;
        double lm = loss(net, p, zd, v, B);
        p[q] = p0;
        fd[q] = (float)((lp - lm) / (2 * h));
    }
    d = test_max_rel_diff(g, fd, np, 1e-3);
    CHECK_MSG(d < 1e-4, "%s parameter VJP vs central differences: rel diff %g", c->name, d);
    /* parameters only (dz NULL) gives the same gradient */
    float *g2 = malloc(sizeof(float) * (np + 1));
    memcpy(g2, g, sizeof(float) * np);
    memset(g, 0, sizeof(float) * np);
    ginv_net_backward(net, ws, B, v, NULL, 1);
    CHECK_MSG(np == 0 || memcmp(g, g2, sizeof(float) * np) == 0, "%s: dz = NULL changes dW", c->name);
    free(g2);
    free(fd);
    free(p);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
    free(z); free(v); free(dz); free(xf); free(zd); free(xd);
}

TEST(conv_layers_forward_and_both_vjps_match_the_double_oracle_and_central_differences)
{
    for (size_t c = 0; c < NCASES; c++) check_case(&cases[c], 3, 10 + c);
}

TEST(conv_layers_one_sample_gemm_path_matches_central_differences_too)
{
    /* a patch-matrix cap of one float: every group is one sample (the G = 1
     * path, which multiplies in place without the channel-major copies) */
    size_t cap = ginv_conv_col_cap;
    ginv_conv_col_cap = 1;
    for (size_t c = 0; c < NCASES; c++) check_case(&cases[c], 2, 40 + c);
    ginv_conv_col_cap = cap;
}

/* forward, dz and parameter gradients of spec at B latents, threads t */
static void run_threads(const ginv_layer *spec, int n, int B, int threads, float **x, float **dz,
                        float **g, size_t *nx, size_t *nz, size_t *ng)
{
    ginv_blas_set_threads(threads);
    ginv_net *net = make_net(spec, n, 5);
    int k = ginv_net_in(net);
    *nx = (size_t)B * ginv_net_out(net);
    *nz = (size_t)B * k;
    *ng = ginv_net_nparams(net);
    float *z = malloc(sizeof(float) * *nz), *v = malloc(sizeof(float) * *nx);
    fill(z, *nz, 6, 1.0);
    fill(v, *nx, 7, 1.0);
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, B));
    *x = malloc(sizeof(float) * *nx);
    *dz = malloc(sizeof(float) * *nz);
    *g = malloc(sizeof(float) * *ng);
    memcpy(*x, ginv_net_forward(net, ws, B, z), sizeof(float) * *nx);
    memset(ginv_net_grads(net), 0, sizeof(float) * *ng);
    ginv_net_backward(net, ws, B, v, *dz, 1);
    /* a second pass accumulates: the sum must not depend on threads either */
    ginv_net_forward(net, ws, B, z);
    ginv_net_backward(net, ws, B, v, *dz, 1);
    memcpy(*g, ginv_net_grads(net), sizeof(float) * *ng);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
    free(z);
    free(v);
    ginv_blas_set_threads(1);
}

TEST(conv_layers_give_the_same_bits_with_1_2_and_3_threads)
{
    static const ginv_layer spec[] = {
        {.kind = GINV_LAYER_DENSE, .in = 20, .out = 8 * 4 * 4, .bias = 1},
        {.kind = GINV_LAYER_RESHAPE, .c_out = 8, .h_out = 4, .w_out = 4},
        CONVT(0, 0, 0, 16, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0),
        {.kind = GINV_LAYER_BATCHNORM2D},
        {.kind = GINV_LAYER_RELU},
        CONVT(0, 0, 0, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1),
        {.kind = GINV_LAYER_ELU, .alpha = 1.0},
        {.kind = GINV_LAYER_UPSAMPLE_NEAREST, .factor = 2},
        CONV(0, 0, 0, 6, 3, 3, 1, 1, 2, 2, 2, 2, 1),
        {.kind = GINV_LAYER_GELU},
        CONV(0, 0, 0, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1),
        {.kind = GINV_LAYER_SILU}};
    int n = (int)(sizeof spec / sizeof spec[0]);
    size_t cap = ginv_conv_col_cap;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 1: groups of a few samples, the last one short */
        ginv_conv_col_cap = pass ? 3 * 8 * 9 * 32 * 32 : cap;
        float *x[3], *dz[3], *g[3];
        size_t nx, nz, ng;
        for (int t = 0; t < 3; t++) run_threads(spec, n, 7, t + 1, &x[t], &dz[t], &g[t], &nx, &nz, &ng);
        for (int t = 1; t < 3; t++) {
            CHECK_MSG(!memcmp(x[0], x[t], sizeof(float) * nx), "pass %d: forward differs, %d threads", pass, t + 1);
            CHECK_MSG(!memcmp(dz[0], dz[t], sizeof(float) * nz), "pass %d: dz differs, %d threads", pass, t + 1);
            CHECK_MSG(!memcmp(g[0], g[t], sizeof(float) * ng), "pass %d: gradients differ, %d threads", pass, t + 1);
        }
        for (int t = 0; t < 3; t++) {
            free(x[t]);
            free(dz[t]);
            free(g[t]);
        }
    }
    ginv_conv_col_cap = cap;
}

/* conv_pad.c's padded im2col / col2im against conv.c's clipped loops: the
 * same bits, forward, dz and parameter gradients, for every case and a wide
 * map (each path forced by ginv_conv_pad_mode), in groups and one by one */
static const ginv_layer net_wide[] = {CONV(2, 9, 40, 3, 3, 4, 2, 1, 2, 1, 1, 2, 1),
                                      {.kind = GINV_LAYER_ELU, .alpha = 1.0},
                                      CONVT(0, 0, 0, 2, 5, 3, 2, 1, 3, 0, 1, 2, 1, 0, 1)};

TEST(conv_padded_and_clipped_patch_copies_give_the_same_bits)
{
    net_case all[NCASES + 1];
    memcpy(all, cases, sizeof cases);
    all[NCASES] = (net_case)CASE(net_wide);
    size_t cap = ginv_conv_col_cap;
    int mode = ginv_conv_pad_mode;
    for (size_t c = 0; c < NCASES + 1; c++)
        for (int grouped = 0; grouped < 2; grouped++) {
            ginv_conv_col_cap = grouped ? cap : 1;
            float *x[2], *dz[2], *g[2];
            size_t nx, nz, ng;
            for (int m = 0; m < 2; m++) {
                ginv_conv_pad_mode = m;
                run_threads(all[c].spec, all[c].n, 3, 2, &x[m], &dz[m], &g[m], &nx, &nz, &ng);
            }
            CHECK_MSG(!memcmp(x[0], x[1], sizeof(float) * nx), "%s: forward differs", all[c].name);
            CHECK_MSG(!memcmp(dz[0], dz[1], sizeof(float) * nz), "%s: dz differs", all[c].name);
            CHECK_MSG(!memcmp(g[0], g[1], sizeof(float) * ng), "%s: gradients differ", all[c].name);
            for (int m = 0; m < 2; m++) {
                free(x[m]);
                free(dz[m]);
                free(g[m]);
            }
        }
    ginv_conv_pad_mode = mode;
    ginv_conv_col_cap = cap;
}

TEST(conv_layers_clipped_and_padded_paths_match_central_differences)
{
    int mode = ginv_conv_pad_mode;
    for (int m = 0; m < 2; m++) {
        ginv_conv_pad_mode = m;
        for (size_t c = 0; c < NCASES; c++) check_case(&cases[c], 2, 70 + c);
        const net_case wide = CASE(net_wide);
        check_case(&wide, 2, 80);
    }
    ginv_conv_pad_mode = mode;
}

TEST(conv_grouped_and_one_sample_paths_agree)
{
    /* the same net and batch through groups of all samples and of one */
    const net_case *c = &cases[7];
    float *out[2], *dzs[2];
    size_t cap = ginv_conv_col_cap;
    for (int pass = 0; pass < 2; pass++) {
        ginv_conv_col_cap = pass ? 1 : cap;
        ginv_net *net = make_net(c->spec, c->n, 3);
        int k = ginv_net_in(net), n = ginv_net_out(net), B = 5;
        float *z = malloc(sizeof(float) * B * k), *v = malloc(sizeof(float) * B * n);
        fill(z, (size_t)B * k, 8, 1.0);
        fill(v, (size_t)B * n, 9, 1.0);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, B));
        out[pass] = malloc(sizeof(float) * B * n);
        dzs[pass] = malloc(sizeof(float) * B * k);
        memcpy(out[pass], ginv_net_forward(net, ws, B, z), sizeof(float) * B * n);
        ginv_net_backward(net, ws, B, v, dzs[pass], 0);
        if (pass) {
            CHECK(test_max_rel_diff(out[1], out[0], (size_t)B * n, 1e-3) < 1e-6);
            CHECK(test_max_rel_diff(dzs[1], dzs[0], (size_t)B * k, 1e-3) < 1e-6);
        }
        ginv_net_ws_free(ws);
        ginv_net_free(net);
        free(z);
        free(v);
    }
    ginv_conv_col_cap = cap;
    for (int p = 0; p < 2; p++) {
        free(out[p]);
        free(dzs[p]);
    }
}

TEST(kink_onesided_tangent_passes_linear_image_layers_without_their_biases)
{
    /* At z = 0 every ReLU input is exactly 0: conv bias 1, batchnorm scale 2
     * and shift -2 give 0, and the transposed conv has no bias. The one-sided
     * rule must then pick the pattern of z = eps w for small eps > 0, i.e.
     * the sign of the tangent conv -> bn scale -> upsample -> convT applied
     * to w, biases and shift left out. */
    static const ginv_layer spec[] = {CONV(2, 3, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                                      {.kind = GINV_LAYER_BATCHNORM2D},
                                      {.kind = GINV_LAYER_UPSAMPLE_NEAREST, .factor = 2},
                                      CONVT(0, 0, 0, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0),
                                      {.kind = GINV_LAYER_RELU},
                                      {.kind = GINV_LAYER_DENSE, .in = 72, .out = 3}};
    ginv_net *net = make_net(spec, 6, 21);
    ginv_layer *c0 = ginv_net_layer(net, 0), *bn = ginv_net_layer(net, 1);
    for (int c = 0; c < 2; c++) {
        c0->b[c] = 1.0f;
        bn->W[c] = 2.0f;
        bn->b[c] = -2.0f;
    }
    int k = ginv_net_in(net), n = ginv_net_out(net);
    float w[18], z0[18] = {0}, zeps[18], v[3] = {1.0f, -0.5f, 2.0f}, d1[18], d2[18], d0[18];
    fill(w, 18, 22, 1.0);
    for (int i = 0; i < k; i++) zeps[i] = 1e-3f * w[i];
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    ginv_net_ws_set_kink(ws, GINV_KINK_ONESIDED, w);
    const float *x = ginv_net_forward(net, ws, 1, z0);
    for (int i = 0; i < n; i++) CHECK(x[i] == 0.0f);
    ginv_net_backward(net, ws, 1, v, d1, 0);
    ginv_net_ws_set_kink(ws, GINV_KINK_ZERO, NULL);
    ginv_net_forward(net, ws, 1, zeps);
    ginv_net_backward(net, ws, 1, v, d2, 0);
    ginv_net_forward(net, ws, 1, z0);
    ginv_net_backward(net, ws, 1, v, d0, 0);
    double nrm = 0;
    for (int i = 0; i < k; i++) nrm += fabs(d1[i]);
    CHECK_MSG(nrm > 1e-3, "the one-sided VJP at 0 is nonzero");
    CHECK(test_max_rel_diff(d1, d2, (size_t)k, 1e-3) < 1e-5);
    double nz = 0;
    for (int i = 0; i < k; i++) nz += fabs(d0[i]);
    CHECK_MSG(nz == 0, "relu'(0) = 0 gives a zero VJP at z = 0 (so the test above means something)");
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

typedef struct {
    ginv_layer spec[3];
    int n;
    const char *msg;
} bad_spec;

TEST(spec_check_rejects_bad_image_layers_naming_layer_and_problem)
{
    static const bad_spec bad[] = {
        {{CONV(1, 3, 3, 2, 5, 5, 1, 1, 0, 0, 1, 1, 0)}, 1, "layer 0 (conv2d): the kernel (5 x 5, dilation 1 x 1) does not fit the padded input 3 x 3"},
        {{CONV(1, 3, 3, 2, 5, 5, 1, 1, 0, 0, 1, 1, 0)}, 1, "does not fit"},
        {{CONV(1, 8, 8, 2, 3, 3, 0, 1, 0, 0, 1, 1, 0)}, 1, "layer 0 (conv2d): stride_h 0 must be in [1, 4096]"},
        {{CONV(1, 8, 8, 2, 3, 3, 1, 1, 0, -1, 1, 1, 0)}, 1, "layer 0 (conv2d): pad_w -1 must be in [0, 65536]"},
        {{CONV(1, 8, 8, 2, 3, 3, 1, 1, 0, 0, 0, 1, 0)}, 1, "layer 0 (conv2d): dil_h 0 must be in [1, 4096]"},
        {{CONV(1, 8, 8, 2, 0, 3, 1, 1, 0, 0, 1, 1, 0)}, 1, "layer 0 (conv2d): kernel height kh 0"},
        {{CONVT(1, 4, 4, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2, 0, 0)}, 1, "layer 0 (conv_transpose2d): outpad_h 2 must be smaller than stride_h 2 or dil_h 1"},
        {{CONVT(1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0)}, 1, "layer 0 (conv_transpose2d): output -1x-1 is empty"},
        {{{.kind = GINV_LAYER_CONV2D, .c_in = 1, .h_in = 4, .w_in = 4, .c_out = 1, .kh = 1, .kw = 1, .stride_h = 1,
           .stride_w = 1, .dil_h = 1, .dil_w = 1, .outpad_h = 1}}, 1, "output padding belongs to conv_transpose2d only"},
        {{CONV(1, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 0), CONV(4, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0)}, 2,
         "layer 1 (conv2d): \"c_in\" is 4 but the layers before it make it 3"},
        {{{.kind = GINV_LAYER_CONV2D, .c_out = 2, .kh = 1, .kw = 1, .stride_h = 1, .stride_w = 1, .dil_h = 1, .dil_w = 1}},
         1, "layer 0 (conv2d): the first layer needs its input shape"},
        {{CONV(1, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 0), {.kind = GINV_LAYER_DENSE, .in = 10, .out = 2}}, 2,
         "layer 1 (dense) takes 10 inputs but the layer before it gives 32"},
        {{{.kind = GINV_LAYER_CONV2D, .c_in = 1, .h_in = 4, .w_in = 4, .c_out = 2, .h_out = 9, .kh = 3, .kw = 3,
           .stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1, .dil_h = 1, .dil_w = 1}}, 1,
         "layer 0 (conv2d): \"h_out\" is 9 but the layers before it make it 4"},
        {{{.kind = GINV_LAYER_DENSE, .in = 3, .out = 12}, {.kind = GINV_LAYER_RESHAPE, .c_out = 2, .h_out = 2, .w_out = 2}}, 2,
         "layer 1 (reshape): 2x2x2 holds 8 values but its input 12x1x1 has 12"},
        {{{.kind = GINV_LAYER_DENSE, .in = 3, .out = 12}, {.kind = GINV_LAYER_RESHAPE, .c_out = 12}}, 2,
         "layer 1 (reshape): the shape c_out, h_out, w_out must each be >= 1"},
        {{{.kind = GINV_LAYER_UPSAMPLE_NEAREST, .c_in = 4, .h_in = 64, .w_in = 64, .factor = 64}}, 1,
         "layer 0 (upsample_nearest): output 4x4096x4096 has more than 16777216 values"},
        {{{.kind = GINV_LAYER_UPSAMPLE_NEAREST, .c_in = 4, .h_in = 4, .w_in = 4}}, 1,
         "layer 0 (upsample_nearest): factor 0 must be in [1, 4096]"},
        {{{.kind = GINV_LAYER_BATCHNORM2D, .c_in = 3, .h_in = 2, .w_in = 2, .c_out = 4}}, 1,
         "layer 0 (batchnorm2d): \"c_out\" is 4 but the layers before it make it 3"},
        {{{.kind = GINV_LAYER_ELU, .in = 3, .alpha = -1}}, 1, "layer 0 (elu): alpha -1 must be finite and >= 0"},
        {{{.kind = GINV_LAYER_DENSE, .in = 3, .out = 4}, {.kind = (ginv_layer_kind)99}}, 2, "layer 1: unknown kind 99"},
        {{CONV(1024, 64, 64, 1 << 14, 16, 16, 1, 1, 0, 0, 1, 1, 0)}, 1, "layer 0 (conv2d): 1024 -> 16384 channels with a 16 x 16 kernel is too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t np = 99;
        ginv_status st = ginv_net_spec_check(bad[i].n, bad[i].spec, &np);
        CHECK_MSG(st != GINV_OK, "case %zu accepted", i);
        CHECK_MSG(strstr(ginv_last_error(), bad[i].msg) != NULL, "case %zu: message '%s' lacks '%s'", i,
                  ginv_last_error(), bad[i].msg);
        ginv_net *net = (ginv_net *)1;
        CHECK(ginv_net_new(&net, bad[i].n, bad[i].spec) != GINV_OK && net == NULL);
    }
}

TEST(image_layers_fill_their_shapes_and_count_parameters)
{
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 9, net_dcgan));
    const ginv_layer *t = ginv_net_layer_c(net, 2), *t2 = ginv_net_layer_c(net, 5), *c = ginv_net_layer_c(net, 7);
    /* (2 - 1) 2 - 2 + 3 + 0 + 1 = 4; then 8; conv (8 + 2 - 3) / 2 + 1 = 4 */
    CHECK(t->c_in == 4 && t->h_in == 2 && t->w_in == 2 && t->c_out == 3 && t->h_out == 4 && t->w_out == 4);
    CHECK(t2->h_out == 8 && t2->w_out == 8 && t2->out == 64);
    CHECK(c->c_in == 1 && c->h_out == 4 && c->out == 32);
    CHECK(ginv_net_layer_c(net, 3)->c_in == 3 && ginv_net_layer_c(net, 3)->bias == 1);
    CHECK(ginv_net_layer_c(net, 4)->h_in == 4 && ginv_net_layer_c(net, 4)->in == 48);
    /* dense 3*16+16, convT 4*3*16, bn 3+3, convT 3*1*16+1, conv 1*2*9+2, dense 32*4 */
    size_t want = 64 + 192 + 6 + 49 + 20 + 128;
    CHECK(ginv_net_nparams(net) == want);
    size_t sum = 0;
    for (int i = 0; i < 9; i++) sum += ginv_layer_nparams(ginv_net_layer_c(net, i));
    CHECK(sum == want);
    CHECK(ginv_layer_nparams(NULL) == 0);
    /* parameters are one block, layer by layer, W then b */
    CHECK(t->W == ginv_net_params(net) + 64 && t->b == NULL);
    CHECK(ginv_net_layer_c(net, 3)->b == ginv_net_layer_c(net, 3)->W + 3);
    ginv_net_free(net);
}

TEST(conv_random_weights_have_the_documented_variances)
{
    /* conv2d 16 -> 32, 3 x 3, stride 2: fanin 1/(16*9), paper 4/(32*9);
     * convT 32 -> 16, 4 x 4, stride 2: fanin 4/(32*16), paper 1/(16*16) */
    static const ginv_layer spec[] = {CONV(16, 16, 16, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1),
                                      CONVT(0, 0, 0, 16, 4, 4, 2, 2, 1, 1, 1, 1, 0, 0, 0),
                                      {.kind = GINV_LAYER_BATCHNORM2D}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 3, spec));
    for (int init = 0; init < 3; init++) {
        CHECK_OK(ginv_net_randomize(net, (ginv_init)init, 0.0, 3, 0));
        double want[2] = {init == GINV_INIT_PAPER ? 4.0 / (32 * 9) : 1.0 / (16 * 9),
                          init == GINV_INIT_PAPER ? 1.0 / (16 * 16) : 4.0 / (32 * 16)};
        for (int l = 0; l < 2; l++) {
            const ginv_layer *L = ginv_net_layer_c(net, l);
            size_t nw = (size_t)L->c_in * L->c_out * L->kh * L->kw;
            double s = 0;
            for (size_t q = 0; q < nw; q++) s += (double)L->W[q] * L->W[q];
            /* 4608 or 8192 draws: the sample variance within 6 % */
            CHECK_MSG(fabs(s / nw / want[l] - 1) < 0.06, "init %d layer %d: variance %g, want %g", init, l,
                      s / nw, want[l]);
        }
        const ginv_layer *bn = ginv_net_layer_c(net, 2);
        for (int c = 0; c < 16; c++) CHECK(bn->W[c] == 1.0f && bn->b[c] == 0.0f);
        CHECK(ginv_net_layer_c(net, 0)->b[5] == 0.0f);
    }
    ginv_net_free(net);
}

TEST(batchnorm_fold_gives_the_eval_mode_affine_map_and_folds_into_a_conv)
{
    float gamma[2] = {2.0f, -0.5f}, beta[2] = {0.25f, 1.0f}, mean[2] = {1.0f, -3.0f}, var[2] = {3.0f, 0.0f};
    float scale[2], shift[2];
    CHECK_OK(ginv_batchnorm_fold(2, gamma, beta, mean, var, 1.0, scale, shift));
    /* 2 / sqrt(4) = 1, 0.25 - 1 = -0.75; -0.5 / sqrt(1) = -0.5, 1 - (-3)(-0.5) = -0.5 */
    CHECK(scale[0] == 1.0f && shift[0] == -0.75f && scale[1] == -0.5f && shift[1] == -0.5f);
    CHECK_OK(ginv_batchnorm_fold(2, NULL, NULL, mean, var, 1.0, scale, shift));
    CHECK(scale[0] == 0.5f && shift[0] == -0.5f && scale[1] == 1.0f && shift[1] == 3.0f);
    CHECK(ginv_batchnorm_fold(2, gamma, beta, mean, var, 0.0, scale, shift) == GINV_ERR_NUMERIC);
    CHECK(strstr(ginv_last_error(), "channel 1") != NULL);
    CHECK(ginv_batchnorm_fold(0, gamma, beta, mean, var, 1.0, scale, shift) == GINV_ERR_ARG);
    CHECK(ginv_batchnorm_fold(2, gamma, beta, mean, var, -1.0, scale, shift) == GINV_ERR_ARG);

    /* conv (+ bn as its own layer) == conv with the bn folded in, for both
     * conv kinds */
    for (int tr = 0; tr < 2; tr++) {
        ginv_layer sep[2] = {tr ? (ginv_layer)CONVT(3, 4, 4, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)
                                : (ginv_layer)CONV(3, 4, 4, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                             {.kind = GINV_LAYER_BATCHNORM2D}};
        ginv_net *a = make_net(sep, 2, 31), *b;
        CHECK_OK(ginv_net_new(&b, 1, sep));
        ginv_layer *bn = ginv_net_layer(a, 1), *cb = ginv_net_layer(b, 0);
        CHECK_OK(ginv_batchnorm_fold(2, gamma, beta, mean, (float[]){3.0f, 0.5f}, 1e-5, bn->W, bn->b));
        memcpy(ginv_net_params(b), ginv_net_params(a), sizeof(float) * ginv_layer_nparams(cb));
        CHECK_OK(ginv_batchnorm_fold_into(cb, bn->W, bn->b));
        ginv_net_ws *wa, *wb;
        CHECK_OK(ginv_net_ws_new(&wa, a, 2));
        CHECK_OK(ginv_net_ws_new(&wb, b, 2));
        float z[96];
        fill(z, 96, 32, 1.0);
        const float *xa = ginv_net_forward(a, wa, 2, z), *xb = ginv_net_forward(b, wb, 2, z);
        int n = ginv_net_out(a);
        CHECK_MSG(test_max_rel_diff(xb, xa, (size_t)2 * n, 1e-3) < 2e-6, "kind %d: folded differs", tr);
        ginv_net_ws_free(wa);
        ginv_net_ws_free(wb);
        ginv_net_free(a);
        ginv_net_free(b);
    }
    ginv_layer dense = {.kind = GINV_LAYER_DENSE, .in = 2, .out = 2};
    CHECK(ginv_batchnorm_fold_into(&dense, scale, shift) == GINV_ERR_ARG);
    ginv_layer nob = CONV(1, 2, 2, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0);
    float wv = 1;
    nob.W = &wv;
    CHECK(ginv_batchnorm_fold_into(&nob, scale, shift) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "bias") != NULL);
}

/* a net with every new kind, for the file tests */
static const ginv_layer net_all[] = {{.kind = GINV_LAYER_DENSE, .in = 5, .out = 32, .bias = 1},
                                     {.kind = GINV_LAYER_SILU},
                                     {.kind = GINV_LAYER_RESHAPE, .c_out = 2, .h_out = 4, .w_out = 4},
                                     CONVT(0, 0, 0, 3, 3, 2, 2, 1, 1, 0, 1, 2, 1, 0, 1),
                                     {.kind = GINV_LAYER_BATCHNORM2D},
                                     {.kind = GINV_LAYER_ELU, .alpha = 0.5},
                                     {.kind = GINV_LAYER_UPSAMPLE_NEAREST, .factor = 2},
                                     CONV(0, 0, 0, 2, 3, 3, 2, 1, 1, 1, 1, 2, 0),
                                     {.kind = GINV_LAYER_GELU},
                                     {.kind = GINV_LAYER_GELU_TANH},
                                     {.kind = GINV_LAYER_SIGMOID}};

TEST(conv_model_file_round_trip_is_bit_identical)
{
    int n = (int)(sizeof net_all / sizeof net_all[0]);
    ginv_net *net = make_net(net_all, n, 51), *back = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/conv_round_trip.safetensors", test_tmpdir());
    CHECK_OK(ginv_net_save(net, path));
    CHECK_OK(ginv_net_load(path, &back));
    if (!back) {
        ginv_net_free(net);
        return;
    }
    char *a = ginv_net_arch_json(net), *b = ginv_net_arch_json(back);
    CHECK(strcmp(a, b) == 0);
    CHECK(strstr(a, "\"version\":2") != NULL);
    CHECK(strstr(a, "{\"type\":\"conv_transpose2d\",\"in_shape\":[2,4,4],\"out_shape\":[3,8,6],"
                    "\"out_channels\":3,\"kernel\":[3,2],\"stride\":[2,1],\"padding\":[1,0],"
                    "\"dilation\":[1,2],\"output_padding\":[1,0],\"bias\":true}") != NULL);
    ginv_free(a);
    ginv_free(b);
    CHECK(ginv_net_nparams(back) == ginv_net_nparams(net));
    CHECK(!memcmp(ginv_net_params(back), ginv_net_params(net), sizeof(float) * ginv_net_nparams(net)));
    for (int i = 0; i < n; i++) {
        const ginv_layer *x = ginv_net_layer_c(net, i), *y = ginv_net_layer_c(back, i);
        CHECK(x->kind == y->kind && x->in == y->in && x->out == y->out && x->c_out == y->c_out &&
              x->h_out == y->h_out && x->w_out == y->w_out && x->kh == y->kh && x->stride_w == y->stride_w &&
              x->dil_w == y->dil_w && x->outpad_h == y->outpad_h && x->factor == y->factor && x->alpha == y->alpha);
    }
    ginv_net_ws *w1, *w2;
    CHECK_OK(ginv_net_ws_new(&w1, net, 2));
    CHECK_OK(ginv_net_ws_new(&w2, back, 2));
    float z[10];
    fill(z, 10, 52, 1.0);
    int out = ginv_net_out(net);
    CHECK(!memcmp(ginv_net_forward(net, w1, 2, z), ginv_net_forward(back, w2, 2, z), sizeof(float) * 2 * out));
    ginv_net_ws_free(w1);
    ginv_net_ws_free(w2);
    ginv_net_free(back);
    ginv_net_free(net);
}

/* a model file from an architecture text and tensors */
static ginv_status write_model(const char *path, const char *arch, int nt, const char **names,
                               const int *ndims, const int64_t (*shapes)[4], float **data)
{
    ginv_st_writer *w = ginv_st_writer_new();
    ginv_status st = ginv_st_writer_meta(w, "ginv", arch);
    for (int i = 0; st == GINV_OK && i < nt; i++)
        st = ginv_st_writer_add(w, names[i], GINV_DT_F32, ndims[i], shapes[i], data[i]);
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    return st;
}

TEST(model_files_of_version_1_still_load_and_version_2_is_written_only_when_needed)
{
    char path[256];
    snprintf(path, sizeof path, "%s/v1.safetensors", test_tmpdir());
    float W[6] = {1, -2, 3, 0.5f, 0.25f, -1}, bias[3] = {0.5f, 0, -1};
    const char *names[] = {"layers.0.weight", "layers.0.bias"};
    int nd[] = {2, 1};
    const int64_t shapes[][4] = {{3, 2}, {3}};
    float *data[] = {W, bias};
    CHECK_OK(write_model(path, "{\"format\":\"ginv-net\",\"version\":1,\"layers\":[{\"type\":\"dense\","
                         "\"in\":2,\"out\":3,\"bias\":true},{\"type\":\"leaky_relu\",\"alpha\":0.5}]}",
                         2, names, nd, shapes, data));
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_load(path, &net));
    if (net) {
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, 1));
        float z[2] = {1, 1};
        const float *x = ginv_net_forward(net, ws, 1, z);
        /* (1 - 2 + 0.5, 3 + 0.5, 0.25 - 1 - 1) -> leaky 0.5: (-0.25, 3.5, -0.875) */
        CHECK(x[0] == -0.25f && x[1] == 3.5f && x[2] == -0.875f);
        char *a = ginv_net_arch_json(net);
        CHECK(strstr(a, "\"version\":1") != NULL); /* only version-1 kinds: still written as 1 */
        ginv_free(a);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
    /* a version-1 file cannot hold the new kinds */
    CHECK(write_model(path, "{\"format\":\"ginv-net\",\"version\":1,\"layers\":[{\"type\":\"silu\",\"in\":4}]}",
                      0, NULL, NULL, NULL, NULL) == GINV_OK);
    CHECK(ginv_net_load(path, &net) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "layer 0: type \"silu\" needs architecture version 2") != NULL);
    CHECK(write_model(path, "{\"format\":\"ginv-net\",\"version\":3,\"layers\":[{\"type\":\"silu\",\"in\":4}]}",
                      0, NULL, NULL, NULL, NULL) == GINV_OK);
    CHECK(ginv_net_load(path, &net) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "version 3 is not supported") != NULL);
}

TEST(hand_written_version_2_file_loads_with_defaults_and_bad_tensors_are_named)
{
    /* as docs/models.md tells a user: stride, padding, dilation default to 1,
     * 0, 1; conv weights [c_out, c_in, kh, kw] */
    char path[256];
    snprintf(path, sizeof path, "%s/v2.safetensors", test_tmpdir());
    float W[8] = {1, 2, 3, 4, -1, -2, -3, -4}, b[2] = {0.5f, -0.5f}, s[2] = {2, 3}, t[2] = {1, 0};
    const char *names[] = {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"};
    int nd[] = {4, 1, 1, 1};
    const int64_t shapes[][4] = {{2, 1, 2, 2}, {2}, {2}, {2}};
    float *data[] = {W, b, s, t};
    const char *arch = "{\"format\":\"ginv-net\",\"version\":2,\"layers\":["
                       "{\"type\":\"conv2d\",\"in_shape\":[1,2,3],\"out_channels\":2,\"kernel\":[2,2],\"bias\":true},"
                       "{\"type\":\"batchnorm2d\"},{\"type\":\"reshape\",\"out_shape\":[4,1,1]}]}";
    CHECK_OK(write_model(path, arch, 4, names, nd, shapes, data));
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_load(path, &net));
    if (net) {
        const ginv_layer *c = ginv_net_layer_c(net, 0);
        CHECK(c->stride_h == 1 && c->pad_w == 0 && c->dil_h == 1 && c->h_out == 1 && c->w_out == 2);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, 1));
        float z[6] = {1, 2, 3, 4, 5, 6};
        const float *x = ginv_net_forward(net, ws, 1, z);
        /* channel 0 at (0,0): 1*1 + 2*2 + 3*4 + 4*5 + 0.5 = 37.5 -> *2 + 1 = 76;
         * (0,1): 2 + 6 + 15 + 24 + 0.5 = 47.5 -> 96; channel 1: -(37) - 0.5 =
         * -37.5 -> *3 = -112.5, -(47) - 0.5 -> -142.5 */
        CHECK(x[0] == 76.0f && x[1] == 96.0f && x[2] == -112.5f && x[3] == -142.5f);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
    /* the weight in the transposed layout is refused with both shapes named */
    const int64_t wrong[][4] = {{1, 2, 2, 2}, {2}, {2}, {2}};
    CHECK_OK(write_model(path, arch, 4, names, nd, wrong, data));
    CHECK(ginv_net_load(path, &net) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "tensor 'layers.0.weight' has shape [1, 2, 2, 2] but layer 0 "
                                    "(conv2d 1x2x3 -> 2x1x2) needs [2, 1, 2, 2]") != NULL);
    /* a shape that does not chain is refused before any tensor is read */
    const char *bad = "{\"format\":\"ginv-net\",\"version\":2,\"layers\":["
                      "{\"type\":\"conv2d\",\"in_shape\":[1,2,3],\"out_channels\":2,\"kernel\":[2,2],\"bias\":true},"
                      "{\"type\":\"batchnorm2d\",\"in_shape\":[3,1,2]}]}";
    CHECK_OK(write_model(path, bad, 4, names, nd, shapes, data));
    CHECK(ginv_net_load(path, &net) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "layer 1 (batchnorm2d): \"c_in\" is 3 but the layers before it make it 2") != NULL);
    const char *nokernel = "{\"format\":\"ginv-net\",\"version\":2,\"layers\":["
                           "{\"type\":\"conv2d\",\"in_shape\":[1,2,3],\"out_channels\":2}]}";
    CHECK_OK(write_model(path, nokernel, 0, NULL, NULL, NULL, NULL));
    CHECK(ginv_net_load(path, &net) == GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "layer 0: needs \"kernel\"") != NULL);
}

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ull;
    }
    return h;
}

TEST(shipped_vae_still_loads_and_gives_the_outputs_recorded_before_version_2)
{
    /* Recorded with the code before the image layers (commit ca9bc93), one
     * thread, OpenBLAS's Haswell kernels: G(z) and the encoder at 4 latents
     * z ~ N(0, I) from stream (12, USER, 0). The bits are compared when the
     * same kernels run; other kernels round differently, so there the values
     * must agree to 1e-6. */
    static const struct {
        const char *key, *prefix;
        uint64_t hash;
        double sum;
        int idx[4];
        float val[4];
    } rec[2] = {
        {"ginv", "", 0xd42920c96068d122ull, 638.73816715352621, {97, 388, 485, 679},
         {0.0030964613f, 0.114925236f, 0.105638318f, 0.0974405631f}},
        {"ginv.encoder", "encoder.", 0x645004f8ff93f648ull, -302.86831309949048, {0, 97, 131, 39},
         {3.465518f, -17.9180717f, -7.50487614f, -14.9171276f}},
    };
    ginv_st_file f;
    CHECK_OK(ginv_st_read("models/fmnist-vae-k20.safetensors", &f));
    int same_kernels = !strcmp(ginv_blas_core(), "Haswell");
    for (int m = 0; m < 2; m++) {
        ginv_net *net = NULL;
        CHECK_OK(ginv_net_from_st_part(&f, rec[m].key, rec[m].prefix, &net));
        if (!net) continue;
        int k = ginv_net_in(net), n = ginv_net_out(net), B = 4;
        float *z = malloc(sizeof(float) * B * k);
        ginv_rng r;
        ginv_rng_init(&r, 12, GINV_STREAM_USER, 0);
        ginv_rng_normal_f32(&r, z, (size_t)B * k, 1.0);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, B));
        const float *x = ginv_net_forward(net, ws, B, z);
        double s = 0;
        for (int i = 0; i < B * n; i++) s += x[i];
        if (same_kernels) {
            CHECK_MSG(fnv1a(x, sizeof(float) * B * n) == rec[m].hash, "%s: outputs changed", rec[m].key);
            CHECK(s == rec[m].sum);
            for (int i = 0; i < 4; i++) CHECK(x[rec[m].idx[i]] == rec[m].val[i]);
        } else {
            CHECK_NEAR(s, rec[m].sum, 1e-6 * fabs(rec[m].sum) + 1e-5);
            for (int i = 0; i < 4; i++) CHECK_NEAR(x[rec[m].idx[i]], rec[m].val[i], 1e-6 * fabs(rec[m].val[i]) + 1e-7);
        }
        /* and a save of it is still a version-1 file */
        char *a = ginv_net_arch_json(net);
        CHECK(strstr(a, "\"version\":1,") != NULL);
        ginv_free(a);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
        free(z);
    }
    ginv_st_release(&f);
}

TEST(exact_solvers_and_map_back_refuse_conv_nets_with_a_message)
{
    ginv_net *net = make_net(net_conv, 1, 61);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    double *z = calloc((size_t)k, sizeof(double)), *x = calloc((size_t)n, sizeof(double));
    double *lo = calloc((size_t)n, sizeof(double)), *hi = calloc((size_t)n, sizeof(double));
    CHECK(ginv_forward_f64(net, z, x) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "layer 0 is conv2d") != NULL);
    CHECK(ginv_output_bounds(net, z, z, lo, hi) == GINV_ERR_UNSUPPORTED);
    ginv_problem pb = {.n = n, .target = x, .p = 1, .latent = GINV_LATENT_01};
    ginv_decide_opts o;
    ginv_decide_opts_init(&o);
    ginv_decide_result r;
    CHECK(ginv_decide(net, &pb, &o, &r) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "conv2d") != NULL);
    ginv_invert_lp_result lr;
    CHECK(ginv_invert_lp(net, x, 1e-6, &lr) == GINV_ERR_UNSUPPORTED);
    CHECK(ginv_reduce_forward(net, z, x) == GINV_ERR_UNSUPPORTED);
    CHECK(strstr(ginv_last_error(), "layer 0 is conv2d") != NULL);
    free(z); free(x); free(lo); free(hi);
    ginv_net_free(net);
}

TEST(jacobian_of_a_conv_net_matches_central_differences)
{
    ginv_net *net = make_net(net_dcgan, 9, 71);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    float z[3] = {0.3f, -1.1f, 0.7f}, *J = malloc(sizeof(float) * n * k);
    CHECK_OK(ginv_net_jacobian(net, z, J));
    double *p = ref_params(net), zd[3], *xp = malloc(sizeof(double) * n), *xm = malloc(sizeof(double) * n);
    float *fd = malloc(sizeof(float) * n * k);
    for (int j = 0; j < k; j++) {
        for (int i = 0; i < k; i++) zd[i] = z[i];
        zd[j] += 1e-5;
        ref_forward(net, p, zd, xp);
        zd[j] -= 2e-5;
        ref_forward(net, p, zd, xm);
        for (int i = 0; i < n; i++) fd[(size_t)i * k + j] = (float)((xp[i] - xm[i]) / 2e-5);
    }
    CHECK(test_max_rel_diff(J, fd, (size_t)n * k, 1e-3) < 1e-4);
    /* rows in batches of one (the path of large image generators) */
    size_t budget = ginv_jacobian_budget;
    ginv_jacobian_budget = 1;
    float *J1 = malloc(sizeof(float) * n * k);
    CHECK_OK(ginv_net_jacobian(net, z, J1));
    CHECK(test_max_rel_diff(J1, fd, (size_t)n * k, 1e-3) < 1e-4);
    ginv_jacobian_budget = budget;
    free(J1);
    free(J); free(p); free(xp); free(xm); free(fd);
    ginv_net_free(net);
}
