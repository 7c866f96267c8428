/* test_phaseless_fourier.c — phaseless-fourier (y = |F x| of the zero-padded
 * image, link CABS): the magnitudes against a naive O(n^2) DFT of the padded
 * image, the documented real packing of the linear part, its adjoint,
 * Parseval, the amplitude objective's value and gradient (central
 * differences away from zero moduli), the noise model, the ambiguity
 * metric (sign, shift, flip per channel) and the refusals. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static float *pf_rand(size_t n, uint64_t index, double sd)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 77, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, sd);
    return x;
}

/* X (2 oh ow doubles: re, im) = the unitary DFT of channel x (h x w) padded
 * to oh x ow, by the O(n^2) sum of the definition */
static void naive_dft(const float *x, int h, int w, int oh, int ow, double *X)
{
    const double pi = 3.14159265358979323846;
    for (int k1 = 0; k1 < oh; k1++)
        for (int k2 = 0; k2 < ow; k2++) {
            double re = 0, im = 0;
            for (int p = 0; p < h; p++)
                for (int q = 0; q < w; q++) {
                    double th = -2 * pi * ((double)k1 * p / oh + (double)k2 * q / ow);
                    re += x[p * w + q] * cos(th);
                    im += x[p * w + q] * sin(th);
                }
            X[2 * (k1 * ow + k2)] = re / sqrt((double)oh * ow);
            X[2 * (k1 * ow + k2) + 1] = im / sqrt((double)oh * ow);
        }
}

/* 2 x 3 x 4 padded 2 times (6 x 8: both Nyquist lines, 4 real coefficients)
 * and 1 x 3 x 3 padded 3 times (9 x 9: only DC is real) */
TEST(phaseless_fourier_is_the_naive_padded_dft_modulus)
{
    const int cases[2][4] = {{2, 3, 4, 2}, {1, 3, 3, 3}};
    for (int cs = 0; cs < 2; cs++) {
        int c = cases[cs][0], h = cases[cs][1], w = cases[cs][2], K = cases[cs][3];
        int oh = K * h, ow = K * w, N = oh * ow, n = c * h * w, m = c * N;
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_phaseless_fourier(&op, c, h, w, K));
        if (!op) continue;
        CHECK(ginv_op_m(op) == m && ginv_op_n(op) == n && ginv_op_link(op) == GINV_LINK_CABS);
        CHECK(!strcmp(ginv_op_name(op), "phaseless-fourier"));
        const int *pair = ginv_op_link_pairs(op);
        CHECK(pair != NULL);
        float *x = pf_rand((size_t)n, 1 + cs, 1.0), *u = malloc(m * sizeof(float));
        float *y = malloc(m * sizeof(float));
        double *X = malloc(2 * (size_t)N * sizeof(double));
        ginv_op_apply(op, 1, x, u);
        ginv_op_measure(op, 1, x, y);
        int real = 0;
        for (int ch = 0; ch < c; ch++) {
            naive_dft(x + ch * h * w, h, w, oh, ow, X);
            for (int k1 = 0; k1 < oh; k1++)
                for (int k2 = 0; k2 < ow; k2++) {
                    int k = k1 * ow + k2, i = ch * N + k;
                    int pk = ch * N + ((oh - k1) % oh) * ow + (ow - k2) % ow;
                    CHECK(pair[i] == pk && pair[pair[i]] == i); /* the mirror, an involution */
                    double re = X[2 * k], im = X[2 * k + 1];
                    CHECK_NEAR(y[i], hypot(re, im), 1e-5); /* y = |X_k| */
                    if (pk == i) { /* a real coefficient: u = X */
                        CHECK_NEAR(u[i], re, 1e-5);
                        CHECK_NEAR(im, 0, 1e-9);
                        real++;
                    } else if (i < pk) { /* (u_k, u_p(k)) = sqrt 2 (Re X_k, Im X_k) */
                        CHECK_NEAR(u[i], sqrt(2.0) * re, 1e-5);
                        CHECK_NEAR(u[pk], sqrt(2.0) * im, 1e-5);
                    }
                }
        }
        CHECK(real == c * (cs == 0 ? 4 : 1));
        free(x);
        free(u);
        free(y);
        free(X);
        ginv_op_free(op);
    }
    CHECK(ginv_op_link_pairs(NULL) == NULL);
    CHECK(!strcmp(ginv_link_name(GINV_LINK_CABS), "cabs"));
    CHECK(!strcmp(ginv_link_error_name(GINV_LINK_CABS), "relative-up-to-sign"));
}

TEST(phaseless_fourier_linear_part_is_an_isometry_with_its_adjoint)
{
    int c = 3, h = 5, w = 6, B = 2; /* odd and even sides */
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, c, h, w, 2));
    if (!op) return;
    int n = ginv_op_n(op), m = ginv_op_m(op);
    CHECK(m == c * 10 * 12);
    float *x = pf_rand((size_t)B * n, 10, 1.0), *v = pf_rand((size_t)B * m, 11, 1.0);
    float *u = malloc((size_t)B * m * sizeof(float)), *xt = malloc((size_t)B * n * sizeof(float));
    float *y = malloc((size_t)B * m * sizeof(float));
    ginv_op_apply(op, B, x, u);
    ginv_op_adjoint(op, B, v, xt);
    double lhs = 0, rhs = 0, xx = 0, uu = 0, yy = 0;
    for (int i = 0; i < B * m; i++) lhs += (double)u[i] * v[i], uu += (double)u[i] * u[i];
    for (int i = 0; i < B * n; i++) rhs += (double)x[i] * xt[i], xx += (double)x[i] * x[i];
    CHECK_NEAR(lhs, rhs, 1e-5 * sqrt(uu * B * m)); /* <A x, v> = <x, A^T v> */
    CHECK_NEAR(uu, xx, 1e-5 * xx);                 /* Parseval: ||A x|| = ||x|| */
    ginv_op_measure(op, B, x, y);
    for (int i = 0; i < B * m; i++) yy += (double)y[i] * y[i];
    CHECK_NEAR(yy, xx, 1e-5 * xx);                 /* sum_k |X_k|^2 = ||x||^2 */
    ginv_op_adjoint(op, B, u, xt);                 /* A^T A = I: the crop of the inverse */
    CHECK(test_max_rel_diff(xt, x, (size_t)B * n, 1.0) < 1e-5);
    free(x);
    free(v);
    free(u);
    free(xt);
    free(y);
    ginv_op_free(op);
}

/* a 1 x 6 x 6 image from a ReLU net 4 -> 24 -> 36 */
static const ginv_layer pf_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 24},
                                     {.kind = GINV_LAYER_RELU},
                                     {.kind = GINV_LAYER_DENSE, .in = 24, .out = 36},
                                     {.kind = GINV_LAYER_RELU}};

static float *pf_forward(ginv_net *net, const float *z)
{
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    float *x = malloc(36 * sizeof(float));
    memcpy(x, ginv_net_forward(net, ws, 1, z), 36 * sizeof(float));
    ginv_net_ws_free(ws);
    return x;
}

TEST(phaseless_fourier_objective_is_the_amplitude_loss_with_its_gradient)
{
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 4, pf_spec));
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_PAPER, 0, 5, 0));
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, 1, 6, 6, 2));
    if (!net || !op) return;
    int m = ginv_op_m(op);
    float *z0 = pf_rand(4, 20, 1.0), *x0 = pf_forward(net, z0), *y = malloc(m * sizeof(float));
    ginv_op_measure(op, 1, x0, y);
    float *yn = malloc(m * sizeof(float)); /* noisy: y_i != y_p(i), both terms count */
    memcpy(yn, y, m * sizeof(float));
    ginv_add_noise(yn, (size_t)m, 0.05, 3, 0);
    for (int i = 0; i < m; i++) yn[i] = yn[i] > 0 ? yn[i] : 0;
    /* off the optimum, every modulus of G(z) away from 0 (no kink) */
    float *z = NULL, *x = NULL, *rho = malloc(m * sizeof(float));
    for (uint64_t t = 0; t < 50; t++) {
        free(z);
        free(x);
        z = pf_rand(4, 100 + t, 1.0);
        x = pf_forward(net, z);
        ginv_op_measure(op, 1, x, rho);
        double rmin = 1e30;
        for (int i = 0; i < m; i++) rmin = fmin(rmin, rho[i]);
        if (rmin > 1e-2) break;
    }
    double want = 0;
    for (int i = 0; i < m; i++) want += 0.5 * ((double)rho[i] - yn[i]) * ((double)rho[i] - yn[i]);
    ginv_objective *obj = NULL, *obj0 = NULL;
    CHECK_OK(ginv_objective_new(&obj, net, op, yn, 1, 0, 1));
    CHECK_OK(ginv_objective_new(&obj0, net, op, y, 1, 0, 1));
    double f, f0;
    float g[4];
    CHECK_OK(ginv_objective_eval(obj, 1, z, &f, g));
    CHECK_NEAR(f, want, 1e-5 * (1 + want)); /* 1/2 || |F G(z)| - y ||^2 */
    CHECK(want > 1e-3);
    CHECK_OK(ginv_objective_eval(obj0, 1, z0, &f0, NULL));
    CHECK_NEAR(f0, 0, 1e-9); /* zero at the truth of noiseless y */
    ginv_objective_free(obj0);
    double gmax = 0;
    for (int i = 0; i < 4; i++) gmax = fmax(gmax, fabs(g[i]));
    CHECK(gmax > 1e-4);
    for (int j = 0; j < 4; j++) {
        float zp[4], zm[4];
        memcpy(zp, z, sizeof zp);
        memcpy(zm, z, sizeof zm);
        double hstep = 1e-3 * fmax(1.0, fabs(z[j]));
        zp[j] += (float)hstep;
        zm[j] -= (float)hstep;
        double fp, fm;
        CHECK_OK(ginv_objective_eval(obj, 1, zp, &fp, NULL));
        CHECK_OK(ginv_objective_eval(obj, 1, zm, &fm, NULL));
        double fd = (fp - fm) / ((double)zp[j] - zm[j]);
        CHECK_MSG(fabs(fd - g[j]) <= 2e-3 * gmax + 1e-6,
                  "coordinate %d: gradient %.6g, central difference %.6g", j, g[j], fd);
    }
    /* the posterior's likelihood is the same amplitude term over sigma^2 */
    ginv_posterior *post = NULL;
    CHECK_OK(ginv_posterior_new(&post, net, op, yn, 1, 0.5, GINV_PRIOR_NONE, 1));
    double U;
    CHECK_OK(ginv_posterior_eval(post, 1, z, &U, NULL));
    CHECK_NEAR(U, want / 0.25, 1e-5 * (1 + want / 0.25));
    ginv_posterior_free(post);
    free(z0);
    free(x0);
    free(y);
    free(yn);
    free(z);
    free(x);
    free(rho);
    ginv_objective_free(obj);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(phaseless_fourier_scenario_adds_amplitude_noise_to_every_magnitude)
{
    ginv_op_spec ops;
    CHECK_OK(ginv_op_spec_parse(&ops, "phaseless-fourier", 0));
    for (int pass = 0; pass < 2; pass++) {
        double noise = pass ? 0.05 : 0;
        ginv_scenario_opts o;
        ginv_scenario_opts_init(&o);
        o.nspec = 4;
        o.spec = pf_spec;
        o.op = &ops;
        o.seed = 9;
        o.trial = 2;
        o.noise = noise;
        ginv_scenario sc;
        CHECK_OK(ginv_scenario_draw(&sc, &o));
        CHECK(sc.m == 4 * 36);
        float want[144], e[144] = {0};
        ginv_op_measure(sc.op, 1, sc.x0, want);
        ginv_add_noise(e, 144, noise, 9, 2);
        int clipped = 0;
        for (int i = 0; i < 144; i++) {
            float v = want[i] + e[i];
            CHECK_NEAR(sc.y[i], v > 0 ? v : 0, 1e-6);
            clipped += v < 0;
        }
        if (pass) CHECK(clipped > 0); /* small magnitudes occur, and the clip acts */
        ginv_scenario_release(&sc);
    }
}

/* the image b (c x h x w) turned by 180 degrees in its box, channel by channel */
static void rot180(const float *b, int c, int h, int w, float *out)
{
    for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < h; p++)
            for (int q = 0; q < w; q++)
                out[(ch * h + p) * w + q] = b[(ch * h + h - 1 - p) * w + w - 1 - q];
}

TEST(phaseless_fourier_metric_forgives_sign_shift_and_flip_only)
{
    int c = 2, h = 5, w = 6, n = c * h * w;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&op, c, h, w, 2));
    if (!op) return;
    /* b: a 3 x 4 blob inside the 5 x 6 box, so it can move by (2, 2) */
    float b[60] = {0}, t[60], m1[60], m2[60];
    float *r = pf_rand(24, 30, 1.0);
    for (int ch = 0; ch < c; ch++)
        for (int p = 0; p < 3; p++)
            for (int q = 0; q < 4; q++) b[(ch * h + p) * w + q] = r[ch * 12 + p * 4 + q] + 0.5f;
    free(r);
    CHECK(!strcmp(ginv_op_error_name(op), "relative-up-to-sign-shift-flip"));
    CHECK_NEAR(ginv_op_rel_error(op, b, b, n), 0, 1e-7);
    for (int i = 0; i < n; i++) t[i] = -b[i];
    CHECK_NEAR(ginv_op_rel_error(op, t, b, n), 0, 1e-7); /* -x */
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_LINEAR, t, b, n), 2, 1e-6);
    rot180(b, c, h, w, t);                                  /* x[-p, -q], moved into the box */
    CHECK_NEAR(ginv_op_rel_error(op, t, b, n), 0, 1e-7);
    CHECK(ginv_link_rel_error(GINV_LINK_ABS, t, b, n) > 0.5); /* which the sign alone misses */
    memset(t, 0, sizeof t);
    for (int ch = 0; ch < c; ch++) /* shifted by (2, 1), still in the box */
        for (int p = 0; p < 3; p++)
            for (int q = 0; q < 4; q++) t[(ch * h + p + 2) * w + q + 1] = b[(ch * h + p) * w + q];
    CHECK_NEAR(ginv_op_rel_error(op, t, b, n), 0, 1e-7);
    float y1[4 * 60], y2[4 * 60];
    ginv_op_measure(op, 1, t, y1);                          /* ... and the same magnitudes */
    ginv_op_measure(op, 1, b, y2);
    CHECK(test_max_rel_diff(y1, y2, 4 * 60, 1.0) < 1e-5);
    /* channel by channel: channel 0 negated, channel 1 flipped */
    rot180(b, c, h, w, m1);
    memcpy(t, b, sizeof t);
    for (int i = 0; i < h * w; i++) t[i] = -b[i];
    memcpy(t + h * w, m1 + h * w, h * w * sizeof(float));
    CHECK_NEAR(ginv_op_rel_error(op, t, b, n), 0, 1e-7);
    /* not an ambiguity: a perturbation is measured as the plain error, and
     * another image is far */
    memcpy(m2, b, sizeof m2);
    m2[7] += 0.3f;
    double nb = 0;
    for (int i = 0; i < n; i++) nb += (double)b[i] * b[i];
    CHECK_NEAR(ginv_op_rel_error(op, m2, b, n), 0.3 / sqrt(nb), 1e-6);
    float *o2 = pf_rand((size_t)n, 31, 1.0);
    CHECK(ginv_op_rel_error(op, o2, b, n) > 0.5);
    /* other lengths (the latent) fall back to the link's metric: up to sign */
    CHECK_NEAR(ginv_op_rel_error(op, t, b, 5), ginv_link_rel_error(GINV_LINK_CABS, t, b, 5), 0);
    CHECK(isnan(ginv_op_rel_error(NULL, b, b, n)));
    free(o2);
    ginv_op_free(op);
}

/* expr must fail with `want`, leave op NULL and mention `needle` */
#define PF_FAILS(expr, want, needle)                                           \
    do {                                                                       \
        ginv_clear_error();                                                    \
        ginv_status got_ = (expr);                                             \
        CHECK_MSG(got_ == (want), "%s returned %s", #expr, ginv_strerror(got_)); \
        CHECK_MSG(strstr(ginv_last_error(), (needle)) != NULL,                 \
                  "%s said \"%s\", expected \"%s\"", #expr, ginv_last_error(), (needle)); \
    } while (0)

TEST(phaseless_fourier_specs_parse_build_and_refuse_with_a_message)
{
    ginv_op_spec sp;
    ginv_op *op = NULL;
    int m = 0;
    CHECK_OK(ginv_op_spec_parse(&sp, "phaseless-fourier", 0));
    CHECK(sp.kind == GINV_OPK_PHASELESS_FOURIER && sp.oversample == 2);
    CHECK(ginv_op_spec_link(&sp) == GINV_LINK_CABS);
    CHECK_OK(ginv_op_from_spec(&op, &sp, 64, 1, 0)); /* n = 64: 1 x 8 x 8 */
    CHECK(ginv_op_m(op) == 256 && ginv_op_link(op) == GINV_LINK_CABS);
    ginv_op_free(op);
    CHECK_OK(ginv_op_spec_rows(&sp, 64, &m));
    CHECK(m == 256);
    CHECK_OK(ginv_op_spec_parse(&sp, "phaseless-fourier:3", 0));
    sp.c = 3, sp.h = 4, sp.w = 5;
    CHECK_OK(ginv_op_spec_rows(&sp, 60, &m));
    CHECK(sp.oversample == 3 && m == 3 * 12 * 15);
    CHECK_OK(ginv_op_spec_parse(&sp, "phaseless-fourier:1", 0));
    CHECK_OK(ginv_op_spec_rows(&sp, 64, &m));
    CHECK(m == 64);
    PF_FAILS(ginv_op_spec_parse(&sp, "phaseless-fourier:0", 0), GINV_ERR_ARG, "integer from 1 to 16");
    PF_FAILS(ginv_op_spec_parse(&sp, "phaseless-fourier:1.5", 0), GINV_ERR_ARG, "integer from 1 to 16");
    PF_FAILS(ginv_op_spec_parse(&sp, "phaseless-fourier:", 0), GINV_ERR_ARG, "integer from 1 to 16");
    PF_FAILS(ginv_op_spec_parse(&sp, "phaseless-fourier:17", 0), GINV_ERR_ARG, "integer from 1 to 16");
    PF_FAILS(ginv_op_spec_parse(&sp, "phaseless-fourier:-2", 0), GINV_ERR_ARG, "oversampling factor");
    CHECK_OK(ginv_op_spec_parse(&sp, "phaseless-fourier", 0));
    PF_FAILS(ginv_op_from_spec(&op, &sp, 50, 1, 0), GINV_ERR_ARG, "needs an image shape");
    CHECK(op == NULL);
    sp.c = 1, sp.h = 5, sp.w = 5;
    PF_FAILS(ginv_op_from_spec(&op, &sp, 50, 1, 0), GINV_ERR_SHAPE, "does not match signal size 50");
    PF_FAILS(ginv_op_phaseless_fourier(&op, 1, 4, 4, 0), GINV_ERR_ARG, "oversampling factor 0");
    CHECK(op == NULL);
    PF_FAILS(ginv_op_phaseless_fourier(&op, 0, 4, 4, 2), GINV_ERR_ARG, "invalid");
    PF_FAILS(ginv_op_phaseless_fourier(NULL, 1, 4, 4, 2), GINV_ERR_ARG, "out is NULL");
    /* magnitudes only */
    CHECK_OK(ginv_op_phaseless_fourier(&op, 1, 2, 2, 1));
    float neg[4] = {1, 0, -0.5f, 2};
    if (op) PF_FAILS(ginv_op_check_y(op, neg, 4), GINV_ERR_ARG, "y[2] = -0.5 is negative");
    ginv_op_free(op);
}
