/* test_nonlinear.c — the nonlinear forward models (phaseless-gaussian,
 * onebit-gaussian): y = phi(A x) on the Gaussian matrix, the objective's
 * documented losses and their gradients (finite differences away from the
 * kinks), the samplers' probit likelihood, the simulation's noise models,
 * the checks on y, and the sign- and scale-invariant error metrics. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

static const ginv_layer nl_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 20},
                                     {.kind = GINV_LAYER_RELU},
                                     {.kind = GINV_LAYER_DENSE, .in = 20, .out = 60},
                                     {.kind = GINV_LAYER_RELU}};
enum { NL_K = 4, NL_N = 60, NL_M = 40 };

static float *nl_rand(size_t n, uint64_t index, double sd)
{
    float *x = malloc(n * sizeof(float) + 1);
    ginv_rng r;
    ginv_rng_init(&r, 99, GINV_STREAM_USER, index);
    ginv_rng_normal_f32(&r, x, n, sd);
    return x;
}

static ginv_net *nl_net(void)
{
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 4, nl_spec));
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_PAPER, 0, 5, 0));
    return net;
}

/* x = G(z) (n floats, malloc'd) */
static float *nl_forward(ginv_net *net, const float *z)
{
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    float *x = malloc(NL_N * sizeof(float));
    memcpy(x, ginv_net_forward(net, ws, 1, z), NL_N * sizeof(float));
    ginv_net_ws_free(ws);
    return x;
}

TEST(nonlinear_ops_measure_the_link_of_the_gaussian_matrix)
{
    ginv_op *g = NULL, *p = NULL, *s = NULL;
    CHECK_OK(ginv_op_gaussian(&g, NL_M, NL_N, 3, 1));
    CHECK_OK(ginv_op_phaseless_gaussian(&p, NL_M, NL_N, 3, 1));
    CHECK_OK(ginv_op_onebit_gaussian(&s, NL_M, NL_N, GINV_ONEBIT_CORR, 3, 1));
    CHECK(ginv_op_link(g) == GINV_LINK_LINEAR && ginv_op_link(p) == GINV_LINK_ABS &&
          ginv_op_link(s) == GINV_LINK_SIGN && ginv_op_link(NULL) == GINV_LINK_LINEAR);
    CHECK(ginv_op_onebit_loss(s) == GINV_ONEBIT_CORR && ginv_op_onebit_loss(g) == GINV_ONEBIT_ONESIDED);
    CHECK(!strcmp(ginv_op_name(p), "phaseless-gaussian") && !strcmp(ginv_op_name(s), "onebit-gaussian"));
    CHECK(!strcmp(ginv_link_name(GINV_LINK_ABS), "abs") && !strcmp(ginv_link_name(GINV_LINK_SIGN), "sign"));
    CHECK(!strcmp(ginv_onebit_loss_name(GINV_ONEBIT_ONESIDED), "onesided") &&
          !strcmp(ginv_onebit_loss_name(GINV_ONEBIT_CORR), "corr"));
    CHECK(!strcmp(ginv_link_error_name(GINV_LINK_LINEAR), "relative") &&
          !strcmp(ginv_link_error_name(GINV_LINK_ABS), "relative-up-to-sign") &&
          !strcmp(ginv_link_error_name(GINV_LINK_SIGN), "direction"));
    float *x = nl_rand(2 * NL_N, 1, 1.0);
    float ug[2 * NL_M], up[2 * NL_M], yg[2 * NL_M], yp[2 * NL_M], ys[2 * NL_M];
    ginv_op_apply(g, 2, x, ug);
    ginv_op_apply(p, 2, x, up); /* the linear part is gaussian's A */
    ginv_op_measure(g, 2, x, yg);
    ginv_op_measure(p, 2, x, yp);
    ginv_op_measure(s, 2, x, ys);
    int neg = 0;
    for (int i = 0; i < 2 * NL_M; i++) {
        CHECK(up[i] == ug[i]);
        CHECK(yg[i] == ug[i]);
        CHECK(yp[i] == fabsf(ug[i]));
        CHECK(ys[i] == (ug[i] < 0 ? -1.0f : 1.0f));
        neg += ug[i] < 0;
    }
    CHECK(neg > 10 && neg < 2 * NL_M - 10); /* both signs occur, so |.| and sign act */
    float zero[NL_N] = {0}, y0[NL_M];
    ginv_op_measure(s, 1, zero, y0);
    for (int i = 0; i < NL_M; i++) CHECK(y0[i] == 1.0f); /* sign(0) = +1 */
    free(x);
    ginv_op_free(g);
    ginv_op_free(p);
    ginv_op_free(s);
}

TEST(nonlinear_specs_parse_build_and_refuse_with_a_message)
{
    ginv_op_spec sp;
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_spec_parse(&sp, "phaseless-gaussian", 30));
    CHECK(sp.kind == GINV_OPK_PHASELESS_GAUSSIAN && ginv_op_spec_link(&sp) == GINV_LINK_ABS);
    CHECK_OK(ginv_op_from_spec(&op, &sp, 50, 1, 0));
    CHECK(ginv_op_m(op) == 30 && ginv_op_n(op) == 50 && ginv_op_link(op) == GINV_LINK_ABS);
    ginv_op_free(op);
    CHECK_OK(ginv_op_spec_parse(&sp, "onebit-gaussian", 30));
    CHECK(sp.onebit_loss == GINV_ONEBIT_ONESIDED && ginv_op_spec_link(&sp) == GINV_LINK_SIGN);
    CHECK_OK(ginv_op_spec_parse(&sp, "onebit-gaussian:corr", 30));
    CHECK_OK(ginv_op_from_spec(&op, &sp, 50, 1, 0));
    CHECK(ginv_op_link(op) == GINV_LINK_SIGN && ginv_op_onebit_loss(op) == GINV_ONEBIT_CORR);
    ginv_op_free(op);
    CHECK_OK(ginv_op_spec_parse(&sp, "onebit-gaussian:onesided", 30));
    CHECK(sp.onebit_loss == GINV_ONEBIT_ONESIDED);
    CHECK(ginv_op_spec_link(NULL) == GINV_LINK_LINEAR);
    CHECK(ginv_op_spec_parse(&sp, "phaseless-gaussian", 0) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'm'"));
    CHECK(ginv_op_spec_parse(&sp, "onebit-gaussian:hinge", 30) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "onesided") && strstr(ginv_last_error(), "corr"));
    CHECK(ginv_op_spec_parse(&sp, "onebit-gaussian", 0) == GINV_ERR_ARG);
    CHECK(ginv_op_spec_parse(&sp, "phaseless-gaussian:3", 30) == GINV_ERR_ARG);
}

TEST(nonlinear_measurements_are_checked_against_the_link)
{
    ginv_op *g = NULL, *p = NULL, *s = NULL;
    CHECK_OK(ginv_op_gaussian(&g, 3, 5, 1, 0));
    CHECK_OK(ginv_op_phaseless_gaussian(&p, 3, 5, 1, 0));
    CHECK_OK(ginv_op_onebit_gaussian(&s, 3, 5, GINV_ONEBIT_ONESIDED, 1, 0));
    float mixed[3] = {0.5f, -0.25f, 0}, mags[3] = {0.5f, 0, 2}, signs[3] = {1, -1, -1};
    float half[3] = {1, 0.5f, -1}, bad[3] = {1, NAN, 1};
    CHECK_OK(ginv_op_check_y(g, mixed, 3));
    CHECK_OK(ginv_op_check_y(p, mags, 3));
    CHECK_OK(ginv_op_check_y(s, signs, 3));
    CHECK(ginv_op_check_y(p, mixed, 3) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "y[1]") && strstr(ginv_last_error(), "negative"));
    CHECK(ginv_op_check_y(s, half, 3) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "y[1]") && strstr(ginv_last_error(), "-1 or +1"));
    CHECK(ginv_op_check_y(s, mags, 3) == GINV_ERR_ARG); /* 0.5 is no sign */
    CHECK(ginv_op_check_y(g, bad, 3) == GINV_ERR_ARG);
    /* the objective refuses them too */
    ginv_net *net = NULL;
    ginv_layer sp[] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 5}, {.kind = GINV_LAYER_RELU}};
    CHECK_OK(ginv_net_new(&net, 2, sp));
    ginv_objective *obj = NULL;
    CHECK(ginv_objective_new(&obj, net, p, mixed, 1, 0, 1) == GINV_ERR_ARG && !obj);
    CHECK(ginv_objective_new(&obj, net, s, half, 1, 0, 1) == GINV_ERR_ARG && !obj);
    ginv_net_free(net);
    ginv_op_free(g);
    ginv_op_free(p);
    ginv_op_free(s);
}

TEST(nonlinear_error_metrics_are_sign_and_scale_invariant_on_hand_cases)
{
    float b[3] = {1, 2, 2}, neg[3] = {-1, -2, -2}, tri[3] = {3, 6, 6};
    float e1[2] = {1, 0}, e2[2] = {0, 1}, near[3] = {1.3f, 2, 2}, zero[3] = {0};
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_LINEAR, b, b, 3), 0, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_ABS, b, b, 3), 0, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, b, b, 3), 0, 1e-7);
    /* -x0: linear 2, phaseless 0 (x and -x give the same y), 1-bit 2 (opposite direction) */
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_LINEAR, neg, b, 3), 2, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_ABS, neg, b, 3), 0, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, neg, b, 3), 2, 1e-7);
    /* 3 x0: linear and phaseless 2 (scale is measured), 1-bit 0 (it is not) */
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_LINEAR, tri, b, 3), 2, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_ABS, tri, b, 3), 2, 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, tri, b, 3), 0, 1e-7);
    /* orthogonal unit vectors: sqrt 2 for every metric (2 sin(45 deg) for 1-bit) */
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_ABS, e1, e2, 2), sqrt(2.0), 1e-12);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, e1, e2, 2), sqrt(2.0), 1e-7);
    /* near x0 the phaseless metric is the plain one: ||(0.3,0,0)|| / 3 */
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_ABS, near, b, 3), 0.1, 1e-6);
    /* 1-bit: a 60 degree angle gives 2 sin(30 deg) = 1 */
    float c60[2] = {0.5f, (float)(sqrt(3.0) / 2)};
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, c60, e1, 2), 1, 1e-6);
    CHECK_NEAR(ginv_link_rel_error(GINV_LINK_SIGN, zero, b, 3), 1, 1e-12); /* no direction */
    CHECK(isnan(ginv_link_rel_error(GINV_LINK_SIGN, NULL, b, 3)));
}

/* The documented measurement loss in double from u = A x, y, x (see
 * objective.c), and the objective's value and gradient against it and
 * against central differences of f in z. */
static double loss_ref(ginv_link link, ginv_onebit_loss loss, const double *u, const float *y,
                       const float *x, double aty)
{
    double acc = 0, ss = 0, p = 0;
    for (int i = 0; i < NL_N; i++) ss += (double)x[i] * x[i];
    double s = sqrt(ss);
    for (int i = 0; i < NL_M; i++) {
        if (link == GINV_LINK_ABS) acc += 0.5 * (fabs(u[i]) - y[i]) * (fabs(u[i]) - y[i]);
        else if (loss == GINV_ONEBIT_ONESIDED) {
            double v = -y[i] * u[i] / s;
            if (v > 0) acc += 0.5 * v * v;
        } else p += y[i] * u[i];
    }
    return link == GINV_LINK_SIGN && loss == GINV_ONEBIT_CORR ? 1 - p / (s * aty) : acc;
}

static void check_objective(ginv_op *op, const float *y, double lambda, uint64_t salt)
{
    ginv_net *net = nl_net();
    ginv_objective *obj = NULL;
    CHECK_OK(ginv_objective_new(&obj, net, op, y, 1, lambda, 1));
    ginv_link link = ginv_op_link(op);
    /* a point with every |u_i| and every y_i u_i away from 0 (no kink) */
    float *z = NULL, *x = NULL;
    double u[NL_M];
    for (uint64_t t = 0; t < 50; t++) {
        free(z);
        free(x);
        z = nl_rand(NL_K, salt * 100 + t, 1.0);
        x = nl_forward(net, z);
        float uf[NL_M];
        ginv_op_apply(op, 1, x, uf);
        double umin = 1e30;
        for (int i = 0; i < NL_M; i++) {
            u[i] = uf[i];
            if (fabs(u[i]) < umin) umin = fabs(u[i]);
        }
        if (umin > 0.02) break;
    }
    double aty = 0;
    float *t = malloc(NL_N * sizeof(float));
    ginv_op_adjoint(op, 1, y, t);
    for (int i = 0; i < NL_N; i++) aty += (double)t[i] * t[i];
    aty = sqrt(aty);
    free(t);
    double f, zz = 0;
    float g[NL_K];
    CHECK_OK(ginv_objective_eval(obj, 1, z, &f, g));
    for (int i = 0; i < NL_K; i++) zz += (double)z[i] * z[i];
    double want = loss_ref(link, ginv_op_onebit_loss(op), u, y, x, aty);
    CHECK_NEAR(ginv_objective_meas_loss(obj)[0], want, 1e-5 * (1 + fabs(want)));
    CHECK_NEAR(f, want + lambda * zz, 1e-5 * (1 + fabs(want)));
    CHECK(want > 1e-3); /* a point off the optimum: the gradient is not trivially 0 */
    double gmax = 0;
    for (int i = 0; i < NL_K; i++) gmax = fmax(gmax, fabs(g[i]));
    CHECK(gmax > 1e-4);
    for (int j = 0; j < NL_K; j++) {
        float zp[NL_K], zm[NL_K];
        memcpy(zp, z, sizeof zp);
        memcpy(zm, z, sizeof zm);
        double h = 1e-3 * fmax(1.0, fabs(z[j]));
        zp[j] += (float)h;
        zm[j] -= (float)h;
        double fp, fm;
        CHECK_OK(ginv_objective_eval(obj, 1, zp, &fp, NULL));
        CHECK_OK(ginv_objective_eval(obj, 1, zm, &fm, NULL));
        double fd = (fp - fm) / ((double)zp[j] - zm[j]);
        CHECK_MSG(fabs(fd - g[j]) <= 2e-3 * gmax + 1e-6,
                  "%s link, coordinate %d: gradient %.6g, central difference %.6g",
                  ginv_link_name(link), j, g[j], fd);
    }
    free(z);
    free(x);
    ginv_objective_free(obj);
    ginv_net_free(net);
}

/* y = phi(A G(z0)) for the test net and the op (m floats, malloc'd) */
static float *nl_measure(ginv_op *op, uint64_t salt)
{
    ginv_net *net = nl_net();
    float *z0 = nl_rand(NL_K, 7000 + salt, 1.0);
    float *x0 = nl_forward(net, z0);
    float *y = malloc(NL_M * sizeof(float));
    ginv_op_measure(op, 1, x0, y);
    free(z0);
    free(x0);
    ginv_net_free(net);
    return y;
}

TEST(nonlinear_phaseless_objective_is_the_amplitude_loss_with_its_gradient)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_phaseless_gaussian(&op, NL_M, NL_N, 11, 0));
    float *y = nl_measure(op, 1);
    check_objective(op, y, 0, 1);
    check_objective(op, y, 0.3, 2);
    free(y);
    ginv_op_free(op);
}

TEST(nonlinear_onebit_objectives_are_the_documented_losses_with_their_gradients)
{
    for (int l = 0; l < 2; l++) {
        ginv_op *op = NULL;
        CHECK_OK(ginv_op_onebit_gaussian(&op, NL_M, NL_N, (ginv_onebit_loss)l, 11, 0));
        float *y = nl_measure(op, 2);
        check_objective(op, y, 0, 3 + l);
        check_objective(op, y, 0.1, 5 + l);
        /* scale-free: f(G(z)) is the same at 2 z (a ReLU net without biases
         * is positively homogeneous) */
        ginv_net *net = nl_net();
        ginv_objective *obj = NULL;
        CHECK_OK(ginv_objective_new(&obj, net, op, y, 1, 0, 1));
        float *z = nl_rand(NL_K, 40 + l, 1.0), z2[NL_K];
        for (int i = 0; i < NL_K; i++) z2[i] = 2 * z[i];
        double f1, f2;
        CHECK_OK(ginv_objective_eval(obj, 1, z, &f1, NULL));
        CHECK_OK(ginv_objective_eval(obj, 1, z2, &f2, NULL));
        CHECK_NEAR(f1, f2, 1e-5);
        free(z);
        ginv_objective_free(obj);
        ginv_net_free(net);
        free(y);
        ginv_op_free(op);
    }
}

TEST(nonlinear_onebit_posterior_is_the_probit_likelihood_with_its_gradient)
{
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_onebit_gaussian(&op, NL_M, NL_N, GINV_ONEBIT_ONESIDED, 11, 0));
    float *y = nl_measure(op, 3);
    ginv_net *net = nl_net();
    double sigma = 0.05;
    ginv_posterior *post = NULL;
    CHECK_OK(ginv_posterior_new(&post, net, op, y, 1, sigma, GINV_PRIOR_GAUSSIAN, 1));
    float *z = nl_rand(NL_K, 77, 1.0), g[NL_K];
    float *x = nl_forward(net, z), u[NL_M];
    ginv_op_apply(op, 1, x, u);
    double U, want = 0;
    CHECK_OK(ginv_posterior_eval(post, 1, z, &U, g));
    for (int i = 0; i < NL_M; i++) want -= log(0.5 * erfc(-(double)y[i] * u[i] / sigma / sqrt(2.0)));
    for (int i = 0; i < NL_K; i++) want += 0.5 * (double)z[i] * z[i];
    CHECK_NEAR(U, want, 1e-4 * fabs(want));
    double gmax = 0;
    for (int i = 0; i < NL_K; i++) gmax = fmax(gmax, fabs(g[i]));
    for (int j = 0; j < NL_K; j++) {
        float zp[NL_K], zm[NL_K];
        memcpy(zp, z, sizeof zp);
        memcpy(zm, z, sizeof zm);
        zp[j] += 1e-3f;
        zm[j] -= 1e-3f;
        double Up, Um;
        CHECK_OK(ginv_posterior_eval(post, 1, zp, &Up, NULL));
        CHECK_OK(ginv_posterior_eval(post, 1, zm, &Um, NULL));
        double fd = (Up - Um) / ((double)zp[j] - zm[j]);
        CHECK_MSG(fabs(fd - g[j]) <= 5e-3 * gmax, "coordinate %d: gradient %.6g, central difference %.6g",
                  j, g[j], fd);
    }
    free(z);
    free(x);
    free(y);
    ginv_posterior_free(post);
    ginv_net_free(net);
    ginv_op_free(op);
}

/* the scenario's y for the op spec `text` at noise sigma, and the same
 * problem's linear part u = A x0 and noise e, drawn by hand */
static void scenario_case(const char *text, double noise, float *y, float *u, float *e)
{
    ginv_scenario_opts o;
    ginv_op_spec ops;
    ginv_scenario_opts_init(&o);
    CHECK_OK(ginv_op_spec_parse(&ops, text, NL_M));
    o.nspec = 4;
    o.spec = nl_spec;
    o.op = &ops;
    o.noise = noise;
    o.seed = 9;
    o.trial = 2;
    ginv_scenario sc;
    CHECK_OK(ginv_scenario_draw(&sc, &o));
    CHECK(sc.m == NL_M);
    memcpy(y, sc.y, NL_M * sizeof(float));
    ginv_op_apply(sc.op, 1, sc.x0, u);
    memset(e, 0, NL_M * sizeof(float));
    ginv_add_noise(e, NL_M, noise, 9, 2);
    ginv_scenario_release(&sc);
}

TEST(nonlinear_scenario_simulates_the_documented_noise_models)
{
    float y[NL_M], u[NL_M], e[NL_M];
    scenario_case("phaseless-gaussian", 0, y, u, e);
    for (int i = 0; i < NL_M; i++) CHECK(y[i] == fabsf(u[i]));
    scenario_case("phaseless-gaussian", 0.3, y, u, e);
    int clipped = 0;
    for (int i = 0; i < NL_M; i++) {
        float want = fabsf(u[i]) + e[i]; /* amplitude noise, kept >= 0 */
        CHECK_NEAR(y[i], want > 0 ? want : 0, 1e-6);
        clipped += want < 0;
    }
    CHECK(clipped > 0); /* the clip acts at this noise level */
    scenario_case("onebit-gaussian", 0, y, u, e);
    for (int i = 0; i < NL_M; i++) CHECK(y[i] == (u[i] < 0 ? -1.0f : 1.0f));
    scenario_case("onebit-gaussian:corr", 0.3, y, u, e);
    int flipped = 0;
    for (int i = 0; i < NL_M; i++) {
        CHECK(y[i] == ((double)u[i] + e[i] < 0 ? -1.0f : 1.0f)); /* noise before the sign */
        flipped += (y[i] > 0) != (u[i] >= 0);
    }
    CHECK(flipped > 0);
}

TEST(nonlinear_scenario_refuses_measurements_the_link_cannot_make)
{
    ginv_scenario_opts o;
    ginv_op_spec ops;
    ginv_scenario_opts_init(&o);
    CHECK_OK(ginv_op_spec_parse(&ops, "phaseless-gaussian", 3));
    float y[3] = {1, -2, 3};
    o.nspec = 4;
    o.spec = nl_spec;
    o.op = &ops;
    o.y = y;
    o.y_count = 3;
    ginv_scenario sc;
    CHECK(ginv_scenario_draw(&sc, &o) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "negative"));
    ginv_scenario_release(&sc);
    CHECK_OK(ginv_op_spec_parse(&ops, "onebit-gaussian", 3));
    CHECK(ginv_scenario_draw(&sc, &o) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "-1 or +1"));
    ginv_scenario_release(&sc);
    y[1] = -1;
    y[0] = y[2] = 1;
    CHECK_OK(ginv_scenario_draw(&sc, &o));
    ginv_scenario_release(&sc);
}

/* ginv_op_observe, the one noise model of every link (scenario and cs): row
 * b of a batch is the single call with stream first_index + b; linear is
 * A x + e exactly; phaseless-fourier's noisy magnitudes are clipped at 0. */
TEST(nonlinear_observe_batches_rows_on_their_own_noise_streams)
{
    enum { B = 3, H = 4, W = 4 };
    int n = H * W;
    ginv_op *pf = NULL, *g = NULL;
    CHECK_OK(ginv_op_phaseless_fourier(&pf, 1, H, W, 2));
    CHECK_OK(ginv_op_gaussian(&g, 10, n, 5, 0));
    if (!pf || !g) return;
    int m = ginv_op_m(pf);
    float x[B * 16], y[B * 64], one[64], clean[B * 64], lin[B * 10], want[B * 10];
    ginv_rng r;
    ginv_rng_init(&r, 9, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, x, B * n, 1.0);
    CHECK_OK(ginv_op_observe(pf, B, x, 0.2, 4, 10, y));
    ginv_op_measure(pf, B, x, clean);
    int clipped = 0;
    for (int b = 0; b < B; b++) {
        CHECK_OK(ginv_op_observe(pf, 1, x + b * n, 0.2, 4, 10 + b, one));
        CHECK(!memcmp(one, y + b * m, m * sizeof(float)));
        for (int i = 0; i < m; i++) clipped += y[b * m + i] == 0 && clean[b * m + i] > 0;
    }
    for (int i = 0; i < B * m; i++) CHECK(y[i] >= 0);
    CHECK(clipped > 0); /* some small magnitudes went below 0 and were clipped */
    CHECK_OK(ginv_op_observe(g, B, x, 0.5, 4, 0, lin));
    ginv_op_apply(g, B, x, want); /* the batch's product (a GEMM, not B GEMVs) */
    for (int b = 0; b < B; b++) {
        ginv_add_noise(want + b * 10, 10, 0.5, 4, b);
        for (int i = 0; i < 10; i++) CHECK(lin[b * 10 + i] == want[b * 10 + i]);
    }
    CHECK(ginv_op_observe(g, -1, x, 0.5, 4, 0, lin) == GINV_ERR_ARG);
    CHECK(ginv_op_observe(g, 1, x, -1, 4, 0, lin) == GINV_ERR_ARG);
    CHECK(ginv_op_observe(g, 1, x, NAN, 4, 0, lin) == GINV_ERR_ARG);
    ginv_op_free(pf);
    ginv_op_free(g);
}
