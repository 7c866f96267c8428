/* test_pr_lemma3.c — Pareek & Risteski's Lemma 3 and Lemma 12 formulas
 * (ginv_pr_lemma3_eval, src/theory/pr_lemma3.c) against the table computed
 * by hand in docs/encoders.md and against a hand computation with round
 * numbers; the structural certificate of m, M, M2, M3 (ginv_pr_certify,
 * src/theory/pr_certify.c) against its closed forms and against the sampled
 * estimates (ginv_net_jacobian_sv, ginv_net_smoothness), which it must bound. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* |a - b| <= half a unit of the last of `sig` significant digits of b, as printed */
static int agrees_printed(double a, double b, int sig)
{
    double unit = pow(10, floor(log10(fabs(b))) - (sig - 1));
    return fabs(a - b) <= 0.5 * unit * (1 + 1e-9);
}

TEST(pr_lemma3_reproduces_the_hand_computed_docs_table)
{
    /* docs/encoders.md, "Lemmas 2-3's constants for these nets": m = 0.5, M = 1, M2 = 0.125,
     * M3 = 0.5/(6 sqrt 3) (smooth_leaky a = 0.5), eps = 0.1, ||x||^2 = d; columns beta_0, rad(D) at
     * beta_0, rad(D) at beta = 0.1, Lemma 12's bound, with the digits printed there */
    static const struct { int d; double beta0, rad0, rad01, l12; int sig[4]; } row[4] = {
        {2, 0.0387, 2.67, 6.89, 0.167, {3, 3, 3, 3}},
        {5, 0.00914, 1.07, 11.7, 0.0667, {3, 3, 3, 3}},
        {10, 0.00308, 0.533, 17.3, 0.0333, {3, 3, 3, 3}},
        {20, 0.00105, 0.267, 25.5, 0.0167, {3, 3, 3, 3}},
    };
    double M3 = 0.5 / (6 * sqrt(3.0));
    for (int i = 0; i < 4; i++) {
        ginv_pr_lemma3 r;
        CHECK_OK(ginv_pr_lemma3_eval(row[i].d, 0.5, 1, 0.125, M3, 0.1, sqrt((double)row[i].d), 0.1, &r));
        printf("    d = %2d: beta_0 %.6g, rad(D) at beta_0 %.6g, at 0.1 %.6g, Lemma 12 %.6g\n", row[i].d, r.beta0,
               r.rad_beta0, r.rad_beta, r.lemma12);
        CHECK_MSG(agrees_printed(r.beta0, row[i].beta0, row[i].sig[0]), "d %d: beta_0 %g vs %g", row[i].d, r.beta0,
                  row[i].beta0);
        CHECK_MSG(agrees_printed(r.rad_beta0, row[i].rad0, row[i].sig[1]), "d %d: rad0 %g", row[i].d, r.rad_beta0);
        CHECK_MSG(agrees_printed(r.rad_beta, row[i].rad01, row[i].sig[2]), "d %d: rad(0.1) %g", row[i].d, r.rad_beta);
        CHECK_MSG(agrees_printed(r.lemma12, row[i].l12, row[i].sig[3]), "d %d: Lemma 12 %g", row[i].d, r.lemma12);
        CHECK(!r.in_regime); /* beta = 0.1 is 30-100 beta_0 */
        /* as docs/encoders.md notes, rad(D) at beta_0 is 16 times Lemma 12's bound */
        CHECK_NEAR(r.rad_beta0 / r.lemma12, 16, 1e-9);
    }
}

TEST(pr_lemma3_matches_a_hand_computation_with_round_numbers)
{
    /* d = 1, m = M = 1, ||x|| = sqrt 2: A = 2d + ||x||^2/m^2 = 4; eps = 16 e^-4: log(4A/eps) = 4, so
     * sqrt(A log(4A/eps)) = 4. M2 = 1/6: m^3/(6 M M2) = 1. M3 = 2: d^0.75 m^2/sqrt(2 M M3) = 1/2.
     * beta_0 = 4/(1 * 4) * min(1, 1/2) = 1/2; rad(D) = 4 beta/m * 4 = 16 beta: 8 at beta_0, 12 at 3/4;
     * Lemma 12: min(m^2/(6 d M M2), m/sqrt(2 sqrt(d) M M3)) = min(1, 1/2) = 1/2. */
    ginv_pr_lemma3 r;
    CHECK_OK(ginv_pr_lemma3_eval(1, 1, 1, 1.0 / 6, 2, 16 * exp(-4.0), sqrt(2.0), 0.75, &r));
    CHECK_NEAR(r.A, 4, 1e-12);
    CHECK_NEAR(r.term_m2, 1, 1e-12);
    CHECK_NEAR(r.term_m3, 0.5, 1e-12);
    CHECK_NEAR(r.beta0, 0.5, 1e-12);
    CHECK_NEAR(r.rad_beta0, 8, 1e-11);
    CHECK_NEAR(r.rad_beta, 12, 1e-11);
    CHECK_NEAR(r.lemma12, 0.5, 1e-12);
    CHECK(!r.in_regime);
    CHECK_OK(ginv_pr_lemma3_eval(1, 1, 1, 1.0 / 6, 2, 16 * exp(-4.0), sqrt(2.0), 0.5, &r));
    CHECK(r.in_regime);
    CHECK_OK(ginv_pr_lemma3_eval(1, 1, 1, 1.0 / 6, 2, 16 * exp(-4.0), sqrt(2.0), NAN, &r));
    CHECK(isnan(r.rad_beta) && !r.in_regime);
    /* an affine G (M2 = M3 = 0): no limit on beta */
    CHECK_OK(ginv_pr_lemma3_eval(3, 1, 1, 0, 0, 0.1, 1, 0.1, &r));
    CHECK(isinf(r.beta0) && isinf(r.lemma12) && r.in_regime);
    /* refused */
    CHECK(ginv_pr_lemma3_eval(0, 1, 1, 1, 1, 0.1, 1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 0, 1, 1, 1, 0.1, 1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 1, 1, -1, 1, 0.1, 1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 1, 1, 1, INFINITY, 0.1, 1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 1, 1, 1, 1, 1, 1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 1, 1, 1, 1, 0.1, -1, NAN, &r) == GINV_ERR_ARG);
    CHECK(ginv_pr_lemma3_eval(1, 1, 1, 1, 1, 0.1, 1, 0, &r) == GINV_ERR_ARG);
}

/* 1 -> 1 -> act (W = 1): the certificate's constants are the activation's own sup |s'|, |s''|, |s'''|;
 * the sampled estimates must stay below them and come close */
static void check_activation(ginv_layer_kind kind, double alpha, double want_m, double want_M, double want_M2,
                             double want_M3)
{
    ginv_layer L[2] = {{.kind = GINV_LAYER_DENSE, .in = 1, .out = 1}, {.kind = kind, .alpha = alpha}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 2, L));
    if (!g) return;
    ginv_net_params(g)[0] = 1.0f;
    ginv_pr_certificate c;
    CHECK_OK(ginv_pr_certify(g, &c));
    const char *nm = ginv_layer_kind_name(kind);
    CHECK_MSG(isnan(want_m) ? isnan(c.m) : fabs(c.m - want_m) < 1e-12, "%s: m %g (want %g)", nm, c.m, want_m);
    CHECK_MSG(fabs(c.M - want_M) < 1e-12, "%s: M %g (want %g)", nm, c.M, want_M);
    CHECK_MSG(fabs(c.M2 - want_M2) < 1e-12 && fabs(c.M3 - want_M3) < 1e-12, "%s: M2 %g M3 %g (want %g %g)", nm, c.M2,
              c.M3, want_M2, want_M3);
    double M2, M3;
    CHECK_OK(ginv_net_smoothness(g, 2000, 1, 0.05, 1, &M2, &M3));
    /* below the bound up to O(h^2) truncation and float rounding, and within 5 % of it */
    CHECK_MSG(M2 <= 1.01 * c.M2 && M2 >= 0.95 * c.M2 && M3 <= 1.03 * c.M3 && M3 >= 0.9 * c.M3,
              "%s: sampled M2 %g, M3 %g against certified %g, %g", nm, M2, M3, c.M2, c.M3);
    printf("    %-12s certified M2 %.5f M3 %.5f, sampled %.5f %.5f\n", nm, c.M2, c.M3, M2, M3);
    ginv_net_free(g);
}

TEST(pr_certify_gives_each_activations_closed_form_and_bounds_the_samples)
{
    double r3 = 1 / (6 * sqrt(3.0));
    check_activation(GINV_LAYER_SMOOTH_LEAKY, 0.5, 0.5, 1, 0.125, 0.5 * r3);
    check_activation(GINV_LAYER_SOFTPLUS, 0, NAN, 1, 0.25, r3);
    check_activation(GINV_LAYER_SIGMOID, 0, NAN, 0.25, r3, 0.125);
    check_activation(GINV_LAYER_TANH, 0, NAN, 1, 4 / (3 * sqrt(3.0)), 2);
}

TEST(pr_certify_bounds_orthogonal_nets_and_refuses_what_it_cannot_prove)
{
    /* 6-6-6 orthogonal, smooth_leaky a = 0.5 between: (a, 1, (1 - a)/4, (1 - a)/(6 sqrt 3)) to float precision */
    ginv_layer sl[3] = {{.kind = GINV_LAYER_DENSE, .in = 6, .out = 6, .bias = 1},
                        {.kind = GINV_LAYER_SMOOTH_LEAKY, .alpha = 0.5},
                        {.kind = GINV_LAYER_DENSE, .in = 6, .out = 6, .bias = 1}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 3, sl));
    if (!g) return;
    CHECK_OK(ginv_net_randomize(g, GINV_INIT_ORTHOGONAL, 0.1, 3, 0));
    ginv_pr_certificate c;
    CHECK_OK(ginv_pr_certify(g, &c));
    CHECK(c.orth_err < 1e-5 && !c.note[0]);
    CHECK_NEAR(c.m, 0.5, 1e-5);
    CHECK_NEAR(c.M, 1, 1e-5);
    CHECK_NEAR(c.M2, 0.125, 1e-5);
    CHECK_NEAR(c.M3, 0.5 / (6 * sqrt(3.0)), 1e-5);
    /* the certificate bounds what is sampled: sigma(J_G) in [m, M] */
    enum { N = 200 };
    float z[N * 6];
    double smin[N], smax[N];
    ginv_rng r;
    ginv_rng_init(&r, 1, GINV_STREAM_JACOBIAN, 0);
    ginv_rng_normal_f32(&r, z, N * 6, 2.0);
    CHECK_OK(ginv_net_jacobian_sv(g, N, z, smin, smax));
    for (int i = 0; i < N; i++) CHECK_MSG(smin[i] >= c.m * (1 - 1e-5) && smax[i] <= c.M * (1 + 1e-5), "sv %g %g", smin[i], smax[i]);
    /* a second activation layer (tanh after smooth_leaky, then identity): the chain rule's bound still holds */
    ginv_net_free(g);
    ginv_layer two[5] = {{.kind = GINV_LAYER_DENSE, .in = 5, .out = 5, .bias = 1}, {.kind = GINV_LAYER_SMOOTH_LEAKY, .alpha = 0.3},
                         {.kind = GINV_LAYER_DENSE, .in = 5, .out = 5, .bias = 1}, {.kind = GINV_LAYER_TANH},
                         {.kind = GINV_LAYER_DENSE, .in = 5, .out = 5}};
    CHECK_OK(ginv_net_new(&g, 5, two));
    if (!g) return;
    CHECK_OK(ginv_net_randomize(g, GINV_INIT_ORTHOGONAL, 0.1, 4, 0));
    CHECK_OK(ginv_pr_certify(g, &c));
    double M2, M3, t2 = 4 / (3 * sqrt(3.0)), s2 = 0.7 / 4, s3 = 0.7 / (6 * sqrt(3.0));
    /* by hand: after smooth_leaky (L 1): M2 = s2, M3 = s3; after tanh: M2 = t2 + s2, M3 = 2 + 3 t2 s2 + s3 */
    CHECK_NEAR(c.M2, t2 + s2, 1e-5);
    CHECK_NEAR(c.M3, 2 + 3 * t2 * s2 + s3, 1e-5);
    CHECK(isnan(c.m) && strstr(c.note, "tanh"));
    CHECK_OK(ginv_net_smoothness(g, 300, 8, 0.05, 1, &M2, &M3));
    CHECK_MSG(M2 <= c.M2 && M3 <= c.M3, "sampled %g %g above certified %g %g", M2, M3, c.M2, c.M3);
    ginv_net_free(g);
    /* leaky ReLU: m and M certified, M2 and M3 not (kinks) */
    ginv_layer lk[3] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 4}, {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.25},
                        {.kind = GINV_LAYER_DENSE, .in = 4, .out = 4}};
    CHECK_OK(ginv_net_new(&g, 3, lk));
    if (!g) return;
    CHECK_OK(ginv_net_randomize(g, GINV_INIT_ORTHOGONAL, 0, 5, 0));
    CHECK_OK(ginv_pr_certify(g, &c));
    CHECK(fabs(c.m - 0.25) < 1e-5 && fabs(c.M - 1) < 1e-5 && isnan(c.M2) && isnan(c.M3) && strstr(c.note, "kinks"));
    /* not near orthogonal (W doubled): nothing */
    for (int i = 0; i < 16; i++) ginv_net_layer(g, 0)->W[i] *= 2;
    CHECK_OK(ginv_pr_certify(g, &c));
    CHECK(isnan(c.m) && isnan(c.M) && isnan(c.M2) && strstr(c.note, "orthogonal"));
    ginv_net_free(g);
    /* not square: nothing */
    ginv_layer ns[2] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 5}, {.kind = GINV_LAYER_SMOOTH_LEAKY, .alpha = 0.5}};
    CHECK_OK(ginv_net_new(&g, 2, ns));
    if (!g) return;
    CHECK_OK(ginv_pr_certify(g, &c));
    CHECK(isnan(c.m) && isnan(c.M) && isnan(c.M3) && strstr(c.note, "square"));
    ginv_net_free(g);
}
