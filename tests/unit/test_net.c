/* test_net.c — the network engine: GEMM against its reference loop, forward
 * against hand-computed values and the double oracle, vector-Jacobian
 * products (latent and parameters) against central differences, the
 * one-sided kink rule of Hand & Voroninski eq. (5), weight statistics and
 * model-file round trips. */
#include "ref_net.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static void fill(float *x, size_t n, uint64_t seed)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, x, n, 1.0);
}

TEST(gemm_blas_matches_reference_loop_in_every_layout)
{
    static const int shapes[][3] = {{1, 7, 5}, {6, 1, 4}, {5, 7, 3}, {1, 1, 9}, {64, 33, 17}, {3, 500, 20}, {70, 20, 9}, {40, 130, 6}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bi = 0; bi < 2; bi++) {
                    int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                    float beta = bi ? 0.5f : 0.0f;
                    float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
                    float *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
                    fill(A, (size_t)M * K, 1 + s);
                    fill(B, (size_t)K * N, 2 + s);
                    fill(C1, (size_t)M * N, 3 + s);
                    memcpy(C2, C1, sizeof(float) * M * N);
                    ginv_gemm(ta, tb, M, N, K, 1.3f, A, B, beta, C1);
                    ginv_gemm_ref(ta, tb, M, N, K, 1.3f, A, B, beta, C2);
                    double d = test_max_rel_diff(C1, C2, (size_t)M * N, 1.0);
                    CHECK_MSG(d < 1e-5, "M=%d N=%d K=%d ta=%d tb=%d beta=%g: rel diff %g", M, N, K, ta, tb, beta, d);
                    free(A); free(B); free(C1); free(C2);
                }
}

TEST(net_forward_matches_values_computed_by_hand)
{
    /* z = (1, 2); W1 = [[1, -2], [3, 0.5]], b1 = (0.5, -1)
     * pre-activation = (1 - 4 + 0.5, 3 + 1 - 1) = (-2.5, 3)
     * leaky_relu(0.1) = (-0.25, 3); W2 = [[2, -1]] -> 2 * -0.25 - 3 = -3.5
     * relu instead: (0, 3) -> -3; sigmoid(-3) = 1 / (1 + e^3) */
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1},
                         {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.1},
                         {.kind = GINV_LAYER_DENSE, .in = 2, .out = 1}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 3, spec));
    float p[] = {1, -2, 3, 0.5f, 0.5f, -1, 2, -1};
    CHECK(ginv_net_nparams(net) == 8);
    memcpy(ginv_net_params(net), p, sizeof p);
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, 2));
    float z[] = {1, 2, 1, 2};
    const float *x = ginv_net_forward(net, ws, 2, z);
    CHECK_NEAR(x[0], -3.5, 1e-6);
    CHECK_NEAR(x[1], -3.5, 1e-6);
    ginv_net_ws_free(ws);
    ginv_net_free(net);

    ginv_layer spec2[] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1},
                          {.kind = GINV_LAYER_RELU},
                          {.kind = GINV_LAYER_DENSE, .in = 2, .out = 1},
                          {.kind = GINV_LAYER_SIGMOID}};
    CHECK_OK(ginv_net_new(&net, 4, spec2));
    memcpy(ginv_net_params(net), p, sizeof p);
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    x = ginv_net_forward(net, ws, 1, z);
    CHECK_NEAR(x[0], 1.0 / (1.0 + exp(3.0)), 1e-7);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

static const ginv_layer_kind all_acts[] = {GINV_LAYER_RELU, GINV_LAYER_LEAKY_RELU, GINV_LAYER_TANH,
                                           GINV_LAYER_SIGMOID, GINV_LAYER_SOFTPLUS, GINV_LAYER_IDENTITY,
                                           GINV_LAYER_SMOOTH_LEAKY};

TEST(net_forward_matches_double_oracle_for_every_activation)
{
    int sizes[] = {5, 12, 9};
    for (size_t a = 0; a < sizeof all_acts / sizeof all_acts[0]; a++) {
        ginv_net *net = ref_random_net(sizes, 3, all_acts[a], 1, 7 + a);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, 3));
        float z[15];
        fill(z, 15, 11);
        const float *x = ginv_net_forward(net, ws, 3, z);
        double *p = ref_params(net);
        for (int b = 0; b < 3; b++) {
            double zd[5], xd[9];
            float xf[9];
            for (int i = 0; i < 5; i++) zd[i] = z[b * 5 + i];
            ref_forward(net, p, zd, xd);
            for (int i = 0; i < 9; i++) xf[i] = (float)xd[i];
            double d = test_max_rel_diff(x + b * 9, xf, 9, 1.0);
            CHECK_MSG(d < 1e-5, "%s row %d: rel diff %g", ginv_layer_kind_name(all_acts[a]), b, d);
        }
        free(p);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
}

/* <v, G(z)> in double via the oracle */
static double vdotg(ginv_net *net, const double *p, const double *z, const float *v, int n)
{
    double *x = malloc(sizeof(double) * n), s = 0;
    ref_forward(net, p, z, x);
    for (int i = 0; i < n; i++) s += v[i] * x[i];
    free(x);
    return s;
}

/* dz = J^T v for B latents of a net with widths sizes[0..3] against central
 * differences of v . G(z) in double (the reference forward pass). */
static void check_latent_vjp(const int *sizes, int B, uint64_t seed)
{
    const double h = 1e-6;
    int k = sizes[0], n = sizes[3];
    float *z = malloc(sizeof(float) * B * k), *v = malloc(sizeof(float) * B * n);
    float *dz = malloc(sizeof(float) * B * k);
    double *zp = malloc(sizeof(double) * k), *zm = malloc(sizeof(double) * k);
    for (size_t a = 0; a < sizeof all_acts / sizeof all_acts[0]; a++) {
        ginv_net *net = ref_random_net(sizes, 4, all_acts[a], 1, seed + a);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, B));
        fill(z, (size_t)B * k, 30 + a);
        fill(v, (size_t)B * n, 40 + a);
        ginv_net_forward(net, ws, B, z);
        ginv_net_backward(net, ws, B, v, dz, 0);
        double *p = ref_params(net);
        for (int b = 0; b < B; b++)
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) zp[j] = zm[j] = z[b * k + j];
                zp[i] += h;
                zm[i] -= h;
                double fd = (vdotg(net, p, zp, v + b * n, n) - vdotg(net, p, zm, v + b * n, n)) / (2 * h);
                CHECK_MSG(fabs(fd - dz[b * k + i]) <= 1e-4 * (1 + fabs(fd)), "%s: dz[%d,%d] = %g, central difference %g",
                          ginv_layer_kind_name(all_acts[a]), b, i, dz[b * k + i], fd);
            }
        free(p);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
    free(z);
    free(v);
    free(dz);
    free(zp);
    free(zm);
}

TEST(net_latent_vjp_matches_central_differences_for_every_activation)
{
    /* small layers: every product is one piece */
    const int small[] = {5, 12, 9, 7};
    check_latent_vjp(small, 3, 20);
    /* wide layers and a batch over 16: products are cut into column chunks,
     * each with the activation's multiply fused after it (the three backward
     * buffers must never alias a product's input) */
    const int wide[] = {4, 300, 200, 150};
    check_latent_vjp(wide, 20, 60);
}

TEST(net_parameter_vjp_matches_central_differences_for_every_activation)
{
    int sizes[] = {4, 6, 5}, n = 5, B = 2;
    const double h = 1e-6;
    for (size_t a = 0; a < sizeof all_acts / sizeof all_acts[0]; a++) {
        ginv_net *net = ref_random_net(sizes, 3, all_acts[a], 1, 50 + a);
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, B));
        float z[8], v[10], dz[8];
        fill(z, 8, 60 + a);
        fill(v, 10, 70 + a);
        float *g = ginv_net_grads(net);
        size_t np = ginv_net_nparams(net);
        memset(g, 0, np * sizeof(float));
        ginv_net_forward(net, ws, B, z);
        ginv_net_backward(net, ws, B, v, dz, 1);
        double *p = ref_params(net);
        for (size_t q = 0; q < np; q++) {
            /* d/dp sum_b <v_b, G(z_b)> */
            double fd = 0, keep = p[q];
            for (int b = 0; b < B; b++) {
                double zb[4];
                for (int j = 0; j < 4; j++) zb[j] = z[b * 4 + j];
                p[q] = keep + h;
                double fp = vdotg(net, p, zb, v + b * n, n);
                p[q] = keep - h;
                double fm = vdotg(net, p, zb, v + b * n, n);
                p[q] = keep;
                fd += (fp - fm) / (2 * h);
            }
            CHECK_MSG(fabs(fd - g[q]) <= 1e-4 * (1 + fabs(fd)), "%s: dparam[%zu] = %g, central difference %g",
                      ginv_layer_kind_name(all_acts[a]), q, g[q], fd);
        }
        free(p);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
}

/* 1/2 ||A G(z) - y||^2 + lambda ||z||^2 in double, A as a dense matrix */
static double ref_objective(ginv_net *net, const double *p, const double *A, const float *y, int m, int n,
                            double lambda, const double *z, int k)
{
    double x[64], f = 0;
    ref_forward(net, p, z, x);
    for (int i = 0; i < m; i++) {
        double s = -y[i];
        for (int j = 0; j < n; j++) s += A[i * n + j] * x[j];
        f += 0.5 * s * s;
    }
    for (int i = 0; i < k; i++) f += lambda * z[i] * z[i];
    return f;
}

TEST(objective_value_and_gradient_match_double_oracle)
{
    int sizes[] = {4, 10, 16}, k = 4, n = 16, m = 7, B = 3;
    const ginv_layer_kind acts[] = {GINV_LAYER_RELU, GINV_LAYER_SOFTPLUS, GINV_LAYER_SIGMOID};
    for (int a = 0; a < 3; a++) {
        ginv_net *net = ref_random_net(sizes, 3, acts[a], 1, 80 + a);
        ginv_op *op;
        CHECK_OK(ginv_op_gaussian(&op, m, n, 5, a));
        /* the operator's matrix, column by column */
        double A[7 * 16];
        float e[16], col[7];
        for (int j = 0; j < n; j++) {
            memset(e, 0, sizeof e);
            e[j] = 1;
            ginv_op_apply(op, 1, e, col);
            for (int i = 0; i < m; i++) A[i * n + j] = col[i];
        }
        float y[7], z[12], grad[12];
        double f[3];
        fill(y, 7, 90 + a);
        fill(z, 12, 100 + a);
        ginv_objective *obj;
        CHECK_OK(ginv_objective_new(&obj, net, op, y, 1, 0.3, B));
        CHECK_OK(ginv_objective_eval(obj, B, z, f, grad));
        double *p = ref_params(net);
        const double h = 1e-6;
        for (int b = 0; b < B; b++) {
            double zd[4];
            for (int i = 0; i < k; i++) zd[i] = z[b * k + i];
            double fr = ref_objective(net, p, A, y, m, n, 0.3, zd, k);
            CHECK_NEAR(f[b], fr, 1e-5 * (1 + fabs(fr)));
            for (int i = 0; i < k; i++) {
                double zp[4], zm[4];
                memcpy(zp, zd, sizeof zp);
                memcpy(zm, zd, sizeof zm);
                zp[i] += h;
                zm[i] -= h;
                double fd = (ref_objective(net, p, A, y, m, n, 0.3, zp, k) - ref_objective(net, p, A, y, m, n, 0.3, zm, k)) / (2 * h);
                CHECK_MSG(fabs(fd - grad[b * k + i]) <= 1e-4 * (1 + fabs(fd)), "%s: grad[%d,%d] = %g, central difference %g",
                          ginv_layer_kind_name(acts[a]), b, i, grad[b * k + i], fd);
            }
        }
        free(p);
        ginv_objective_free(obj);
        ginv_op_free(op);
        ginv_net_free(net);
    }
}

TEST(kink_onesided_rule_at_zero_is_the_limit_along_w)
{
    /* Bias-free ReLU net: at z = 0 every pre-activation is exactly 0.
     * ZERO rule: relu'(0) = 0, so the gradient at 0 is exactly 0.
     * ONESIDED (eq. 5): v = lim_{t->0+} grad f(t w). Along the ray t w the
     * activation pattern is constant (positive homogeneity), so grad f(t w)
     * = t J^T A^T A J w - J^T A^T y is affine in t; extrapolating two points
     * t1, t2 = 2 t1 to t = 0 gives the limit: 2 g(t1) - g(t2). */
    int sizes[] = {4, 30, 50}, k = 4, m = 20;
    ginv_net *net = ref_random_net(sizes, 3, GINV_LAYER_RELU, 0, 3);
    ginv_op *op;
    CHECK_OK(ginv_op_gaussian(&op, m, 50, 9, 0));
    float y[20], w[4], z0[4] = {0}, g0[4], gz[4], g1[4], g2[4], zt[4];
    fill(y, 20, 4);
    fill(w, 4, 5);
    double f;
    ginv_objective *obj;
    CHECK_OK(ginv_objective_new(&obj, net, op, y, 1, 0.0, 1));
    CHECK_OK(ginv_objective_eval(obj, 1, z0, &f, gz));
    for (int i = 0; i < k; i++) CHECK(gz[i] == 0.0f);
    for (int i = 0; i < k; i++) zt[i] = 1e-2f * w[i];
    CHECK_OK(ginv_objective_eval(obj, 1, zt, &f, g1));
    for (int i = 0; i < k; i++) zt[i] = 2e-2f * w[i];
    CHECK_OK(ginv_objective_eval(obj, 1, zt, &f, g2));
    ginv_objective_set_kink(obj, GINV_KINK_ONESIDED, w);
    CHECK_OK(ginv_objective_eval(obj, 1, z0, &f, g0));
    double norm = 0;
    for (int i = 0; i < k; i++) norm += g0[i] * g0[i];
    CHECK(norm > 1e-6); /* a real descent direction, not zero */
    for (int i = 0; i < k; i++) CHECK_NEAR(g0[i], 2 * g1[i] - g2[i], 1e-4 * (1 + fabs(g0[i])));
    /* away from kinks the rule changes nothing */
    float gon[4];
    CHECK_OK(ginv_objective_eval(obj, 1, zt, &f, gon));
    for (int i = 0; i < k; i++) CHECK(gon[i] == g2[i]);
    ginv_objective_free(obj);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(random_weights_have_the_papers_variance)
{
    /* W_2 of a 10-250-1000 net: 250000 entries N(0, 1/1000) (paper) or
     * N(0, 1/250) (fanin). The sample variance has relative standard error
     * sqrt(2/N) = 0.28%; allow 5 standard errors. */
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 10, .out = 250}, {.kind = GINV_LAYER_RELU},
                         {.kind = GINV_LAYER_DENSE, .in = 250, .out = 1000}, {.kind = GINV_LAYER_RELU}};
    for (int init = 0; init < 2; init++) {
        ginv_net *net;
        CHECK_OK(ginv_net_new(&net, 4, spec));
        ginv_net_randomize(net, init ? GINV_INIT_FANIN : GINV_INIT_PAPER, 0, 42, 0);
        const ginv_layer *L = ginv_net_layer(net, 2);
        double s = 0, s2 = 0, N = 250000;
        for (int i = 0; i < 250000; i++) {
            s += L->W[i];
            s2 += (double)L->W[i] * L->W[i];
        }
        double var = s2 / N - (s / N) * (s / N), want = init ? 1.0 / 250 : 1.0 / 1000;
        CHECK_NEAR(var / want, 1.0, 5 * sqrt(2 / N));
        ginv_net_free(net);
    }
}

TEST(orthogonal_weights_are_orthonormal_and_certify_strong_invertibility)
{
    /* W^T W = I (expanding 6 -> 9 and square 9 -> 9) and W W^T = I
     * (contracting 9 -> 4), to float rounding. For the square part
     * 9 -> 9 -> 9 with leaky ReLU (slope 0.5) every Jacobian is D2 Q2 D1 Q1
     * with D_i diagonal in {0.5, 1}: its singular values lie in
     * [0.25, 1] at every point (Pareek & Risteski Assumption 1, m = 0.25). */
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 6, .out = 9},
                         {.kind = GINV_LAYER_DENSE, .in = 9, .out = 9},
                         {.kind = GINV_LAYER_DENSE, .in = 9, .out = 4}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 3, spec));
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_ORTHOGONAL, 0, 5, 0));
    for (int l = 0; l < 3; l++) {
        const ginv_layer *L = ginv_net_layer(net, l);
        int cols = L->out >= L->in; /* which Gram matrix is I */
        int nv = cols ? L->in : L->out;
        double worst = 0;
        for (int a = 0; a < nv; a++)
            for (int b = 0; b < nv; b++) {
                double d = 0;
                if (cols)
                    for (int i = 0; i < L->out; i++) d += (double)L->W[i * L->in + a] * L->W[i * L->in + b];
                else
                    for (int j = 0; j < L->in; j++) d += (double)L->W[a * L->in + j] * L->W[b * L->in + j];
                worst = fmax(worst, fabs(d - (a == b)));
            }
        CHECK(worst < 1e-6);
    }
    ginv_net_free(net);

    ginv_layer sq[] = {{.kind = GINV_LAYER_DENSE, .in = 9, .out = 9},
                       {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.5},
                       {.kind = GINV_LAYER_DENSE, .in = 9, .out = 9},
                       {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.5}};
    CHECK_OK(ginv_net_new(&net, 4, sq));
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_ORTHOGONAL, 0, 6, 0));
    enum { NP = 200 };
    float *z = malloc(sizeof(float) * NP * 9);
    double smin[NP], smax[NP];
    ginv_rng r;
    ginv_rng_init(&r, 6, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, z, (size_t)NP * 9, 1.0);
    CHECK_OK(ginv_net_jacobian_sv(net, NP, z, smin, smax));
    double lo = 1, hi = 0;
    for (int i = 0; i < NP; i++) {
        lo = fmin(lo, smin[i]);
        hi = fmax(hi, smax[i]);
    }
    CHECK(lo >= 0.25 - 1e-5 && hi <= 1 + 1e-5);
    CHECK(lo < 0.9); /* the bound is not vacuous: the slopes do bend J */
    free(z);
    ginv_net_free(net);
}

TEST(model_file_round_trip_keeps_architecture_and_weights)
{
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 8, .bias = 1},
                         {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.25},
                         {.kind = GINV_LAYER_DENSE, .in = 8, .out = 6},
                         {.kind = GINV_LAYER_SOFTPLUS},
                         {.kind = GINV_LAYER_DENSE, .in = 6, .out = 5, .bias = 1},
                         {.kind = GINV_LAYER_SIGMOID}};
    ginv_net *net, *back;
    CHECK_OK(ginv_net_new(&net, 6, spec));
    ginv_net_randomize(net, GINV_INIT_FANIN, 0.3, 8, 0);
    char path[256];
    snprintf(path, sizeof path, "%s/rt.safetensors", test_tmpdir());
    CHECK_OK(ginv_net_save(net, path));
    CHECK_OK(ginv_net_load(path, &back));
    if (back) {
        CHECK(ginv_net_nparams(back) == ginv_net_nparams(net));
        CHECK(!memcmp(ginv_net_params(back), ginv_net_params(net), ginv_net_nparams(net) * sizeof(float)));
        char *a1 = ginv_net_arch_json(net), *a2 = ginv_net_arch_json(back);
        CHECK(!strcmp(a1, a2));
        CHECK(ginv_net_layer(back, 1)->alpha == 0.25);
        ginv_free(a1);
        ginv_free(a2);
        ginv_net_free(back);
    }
    ginv_net_free(net);
}

TEST(net_rejects_layer_sizes_that_do_not_chain)
{
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 8},
                         {.kind = GINV_LAYER_RELU},
                         {.kind = GINV_LAYER_DENSE, .in = 7, .out = 6}};
    ginv_net *net;
    CHECK(ginv_net_new(&net, 3, spec) == GINV_ERR_SHAPE);
    CHECK(net == NULL);
    CHECK(strstr(ginv_last_error(), "do not chain") != NULL);
}

TEST(gemm_is_bit_identical_with_one_and_two_threads)
{
    static const int shapes[][3] = {{1, 784, 500}, {1, 500, 20}, {7, 1000, 250}, {64, 784, 500}, {256, 500, 500}, {256, 100, 784}, {64, 20, 500}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
                float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
                float *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
                fill(A, (size_t)M * K, 1 + s);
                fill(B, (size_t)K * N, 2 + s);
                ginv_blas_set_threads(1);
                ginv_gemm(ta, tb, M, N, K, 1.0f, A, B, 0.0f, C1);
                ginv_blas_set_threads(2);
                ginv_gemm(ta, tb, M, N, K, 1.0f, A, B, 0.0f, C2);
                ginv_blas_set_threads(1);
                CHECK_MSG(!memcmp(C1, C2, sizeof(float) * M * N), "M=%d N=%d K=%d ta=%d tb=%d differ", M, N, K, ta, tb);
                free(A); free(B); free(C1); free(C2);
            }
}

TEST(smooth_activations_are_accurate_to_float_precision_over_their_range)
{
    /* a 1 x 1 identity-weight net per activation, swept over [-40, 40]:
     * value and derivative against double libm, relative error <= 1e-6 of
     * max(|exact|, 1e-30) (a few float ulps) */
    const ginv_layer_kind acts[] = {GINV_LAYER_TANH, GINV_LAYER_SIGMOID, GINV_LAYER_SOFTPLUS,
                                    GINV_LAYER_SMOOTH_LEAKY};
    enum { N = 16001 };
    const double sa = 0.3; /* smooth_leaky's slope a */
    float *x = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) x[i] = -40.0f + 80.0f * i / (N - 1);
    for (int a = 0; a < 4; a++) {
        ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 1, .out = 1}, {.kind = acts[a], .alpha = sa}};
        ginv_net *net;
        CHECK_OK(ginv_net_new(&net, 2, spec));
        ginv_net_params(net)[0] = 1.0f;
        ginv_net_ws *ws;
        CHECK_OK(ginv_net_ws_new(&ws, net, N));
        const float *y = ginv_net_forward(net, ws, N, x);
        float *ones = malloc(sizeof(float) * N), *dy = malloc(sizeof(float) * N);
        for (int i = 0; i < N; i++) ones[i] = 1.0f;
        ginv_net_backward(net, ws, N, ones, dy, 0);
        double worst = 0, worst_d = 0;
        for (int i = 0; i < N; i++) {
            double v = x[i], f, df;
            if (acts[a] == GINV_LAYER_TANH) { f = tanh(v); df = 1 - f * f; }
            else if (acts[a] == GINV_LAYER_SIGMOID) { f = 1 / (1 + exp(-v)); df = f * (1 - f); }
            else { f = v > 0 ? v + log1p(exp(-v)) : log1p(exp(v)); df = 1 / (1 + exp(-v)); }
            /* smooth_leaky: a sum of two terms, one of them negative; its error is judged
             * against the terms' magnitudes (it crosses 0 near v = -1.1) */
            double scale = fabs(f);
            if (acts[a] == GINV_LAYER_SMOOTH_LEAKY) {
                scale = sa * fabs(v) + (1 - sa) * f;
                f = sa * v + (1 - sa) * f;
                df = sa + (1 - sa) * df;
            }
            double e = fabs(y[i] - f) / fmax(scale, 1e-30), ed = fabs(dy[i] - df) / fmax(fabs(df), 1e-30);
            if (e > worst) worst = e;
            if (ed > worst_d && fabs(df) > 1e-30) worst_d = ed;
        }
        /* sigmoid'(x) = s(1 - s) loses relative accuracy where s -> 1 (x > 16): judge it absolutely there */
        CHECK_MSG(worst < 1e-6, "%s: worst relative error %g", ginv_layer_kind_name(acts[a]), worst);
        CHECK_MSG(worst_d < 1e-6 || (acts[a] != GINV_LAYER_SOFTPLUS && acts[a] != GINV_LAYER_SMOOTH_LEAKY), "%s': worst relative error %g", ginv_layer_kind_name(acts[a]), worst_d);
        free(ones);
        free(dy);
        ginv_net_ws_free(ws);
        ginv_net_free(net);
    }
    free(x);
}

/* ELU (alpha 0.6) over [-40, 40] and at 0, with and without the kink
 * tangent (the two loops of elu_fwd): values and derivatives against double
 * expm1 / exp to a few float ulps, the same values on both paths, and at
 * x = 0 the one-sided rule's slope (1 for a tangent > 0, alpha for < 0) */
TEST(elu_matches_double_expm1_with_and_without_a_kink_tangent)
{
    enum { N = 16002 };
    const double alpha = 0.6;
    float *x = malloc(sizeof(float) * N);
    for (int i = 0; i < N - 1; i++) x[i] = -40.0f + 80.0f * i / (N - 2);
    x[N - 1] = 0.0f;
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 1, .out = 1}, {.kind = GINV_LAYER_ELU, .alpha = alpha}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    ginv_net_params(net)[0] = 1.0f;
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, N));
    float *y0 = malloc(sizeof(float) * N), *d[2], *ones = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) ones[i] = 1.0f;
    for (int pass = 0; pass < 2; pass++) {
        float w = pass ? 1.0f : -1.0f; /* pass 0: no tangent; pass 1: tangent +1 */
        ginv_net_ws_set_kink(ws, pass ? GINV_KINK_ONESIDED : GINV_KINK_ZERO, pass ? &w : NULL);
        const float *y = ginv_net_forward(net, ws, N, x);
        d[pass] = malloc(sizeof(float) * N);
        ginv_net_backward(net, ws, N, ones, d[pass], 0);
        if (pass == 0) memcpy(y0, y, sizeof(float) * N);
        else CHECK_MSG(!memcmp(y0, y, sizeof(float) * N), "ELU values differ with a tangent");
    }
    double worst = 0, worst_d = 0;
    for (int i = 0; i < N - 1; i++) {
        double v = x[i], f = v > 0 ? v : alpha * expm1(v), df = v > 0 ? 1 : alpha * exp(v);
        double e = fabs(y0[i] - f) / fmax(fabs(f), 1e-30), ed = fabs(d[0][i] - df) / fmax(df, 1e-30);
        if (e > worst) worst = e;
        if (ed > worst_d && df > 1e-30) worst_d = ed;
        if (v != 0) CHECK_MSG(d[0][i] == d[1][i], "x = %g: derivative differs with a tangent", v);
    }
    CHECK_MSG(worst < 1e-6, "elu: worst relative error %g", worst);
    CHECK_MSG(worst_d < 1e-6, "elu': worst relative error %g", worst_d);
    CHECK(y0[N - 1] == 0.0f);
    CHECK_NEAR(d[0][N - 1], alpha, 1e-7); /* no tangent: the left slope, as PyTorch */
    CHECK(d[1][N - 1] == 1.0f);            /* tangent +1: the right slope (eq. 5) */
    free(d[0]);
    free(d[1]);
    free(y0);
    free(ones);
    free(x);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

/* P&R Remarks 2, 4: sigma_min/max of J_G. Linear G = W z with W = diag(2, 0.5)
 * gives 0.5 and 2; I then leaky ReLU (alpha 0.1) at z = (1, -1) gives J =
 * diag(1, 0.1); a contracting 2 -> 1 layer gives sigma_min 0. */
TEST(net_jacobian_singular_values_on_hand_cases)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2},
                          {.kind = GINV_LAYER_LEAKY_RELU, .in = 2, .out = 2, .alpha = 0.1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 1, spec));
    float *W = ginv_net_layer(net, 0)->W;
    W[0] = 2; W[1] = 0; W[2] = 0; W[3] = 0.5f;
    const float z[4] = {1, -1, -3, 0.25f};
    double lo[2], hi[2];
    CHECK_OK(ginv_net_jacobian_sv(net, 2, z, lo, hi));
    for (int p = 0; p < 2; p++) {
        CHECK_NEAR(lo[p], 0.5, 1e-6);
        CHECK_NEAR(hi[p], 2.0, 1e-6);
    }
    ginv_net_free(net);
    CHECK_OK(ginv_net_new(&net, 2, spec));
    W = ginv_net_layer(net, 0)->W;
    W[0] = 1; W[1] = 0; W[2] = 0; W[3] = 1;
    CHECK_OK(ginv_net_jacobian_sv(net, 1, z, lo, hi));
    CHECK_NEAR(lo[0], 0.1, 1e-6);
    CHECK_NEAR(hi[0], 1.0, 1e-6);
    ginv_net_free(net);
    ginv_layer c[1] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 1}};
    CHECK_OK(ginv_net_new(&net, 1, c));
    W = ginv_net_layer(net, 0)->W;
    W[0] = 3; W[1] = 4;
    CHECK_OK(ginv_net_jacobian_sv(net, 1, z, lo, hi));
    CHECK_NEAR(lo[0], 0.0, 1e-6);
    CHECK_NEAR(hi[0], 5.0, 1e-6);
    ginv_net_free(net);
}

TEST(init_and_layer_kind_names_round_trip_through_their_parsers)
{
    for (int i = GINV_INIT_PAPER; i <= GINV_INIT_ORTHOGONAL; i++) {
        ginv_init back = (ginv_init)-1;
        CHECK_OK(ginv_init_parse(ginv_init_name((ginv_init)i), &back));
        CHECK(back == (ginv_init)i);
    }
    CHECK(!strcmp(ginv_init_name(GINV_INIT_FANIN), "fanin"));
    ginv_init bad;
    CHECK(ginv_init_parse("xavier", &bad) != GINV_OK);
    for (size_t i = 0; i < sizeof all_acts / sizeof all_acts[0]; i++) {
        ginv_layer_kind back = GINV_LAYER_DENSE;
        CHECK_OK(ginv_layer_kind_parse(ginv_layer_kind_name(all_acts[i]), &back));
        CHECK_MSG(back == all_acts[i], "%s", ginv_layer_kind_name(all_acts[i]));
        CHECK_MSG(ginv_layer_is_act(all_acts[i]), "%s", ginv_layer_kind_name(all_acts[i]));
    }
    const ginv_layer_kind later_acts[] = {GINV_LAYER_ELU, GINV_LAYER_GELU, GINV_LAYER_GELU_TANH, GINV_LAYER_SILU,
                                          GINV_LAYER_SIGN}; /* after the conv kinds in the enum */
    for (size_t i = 0; i < sizeof later_acts / sizeof later_acts[0]; i++)
        CHECK_MSG(ginv_layer_is_act(later_acts[i]), "%s", ginv_layer_kind_name(later_acts[i]));
    const ginv_layer_kind structural[] = {GINV_LAYER_DENSE, GINV_LAYER_CONV2D, GINV_LAYER_CONV_TRANSPOSE2D,
                                          GINV_LAYER_BATCHNORM2D, GINV_LAYER_RESHAPE, GINV_LAYER_UPSAMPLE_NEAREST};
    for (size_t i = 0; i < sizeof structural / sizeof structural[0]; i++)
        CHECK_MSG(!ginv_layer_is_act(structural[i]), "%s", ginv_layer_kind_name(structural[i]));
    ginv_layer_kind k;
    CHECK(ginv_layer_kind_parse("gelu-ish", &k) != GINV_OK);
}

TEST(net_jacobian_is_the_diagonal_of_slopes_times_w_by_hand)
{
    /* dense W = [[2, 1], [0, 0.5]] then leaky_relu(0.1); at z = (1, -3) the
     * pre-activations are (-1, -1.5), both negative: J = 0.1 W. At z = (1, 1)
     * they are (3, 0.5): J = W. */
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2},
                          {.kind = GINV_LAYER_LEAKY_RELU, .in = 2, .out = 2, .alpha = 0.1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    float *W = ginv_net_layer(net, 0)->W;
    W[0] = 2; W[1] = 1; W[2] = 0; W[3] = 0.5f;
    float J[4];
    const float za[2] = {1, -3}, zb[2] = {1, 1};
    CHECK_OK(ginv_net_jacobian(net, za, J));
    CHECK_NEAR(J[0], 0.2, 1e-6); CHECK_NEAR(J[1], 0.1, 1e-6);
    CHECK_NEAR(J[2], 0.0, 1e-6); CHECK_NEAR(J[3], 0.05, 1e-6);
    CHECK_OK(ginv_net_jacobian(net, zb, J));
    CHECK_NEAR(J[0], 2.0, 1e-6); CHECK_NEAR(J[1], 1.0, 1e-6);
    CHECK_NEAR(J[2], 0.0, 1e-6); CHECK_NEAR(J[3], 0.5, 1e-6);
    ginv_net_free(net);
}

TEST(ws_kink_rule_picks_the_relu_slope_at_zero_from_the_direction_w)
{
    /* x = relu(z) with z = 0 exactly: the ZERO rule takes relu'(0) = 0; the
     * ONESIDED rule takes the slope on w's side: 1 for w = +1, 0 for w = -1 */
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 1, .out = 1},
                          {.kind = GINV_LAYER_RELU, .in = 1, .out = 1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    ginv_net_layer(net, 0)->W[0] = 1;
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    const float z = 0, dx = 1, wp = 1, wm = -1;
    float dz = -7;
    ginv_net_forward(net, ws, 1, &z);
    ginv_net_backward(net, ws, 1, &dx, &dz, 0);
    CHECK(dz == 0.0f);
    ginv_net_ws_set_kink(ws, GINV_KINK_ONESIDED, &wp);
    ginv_net_forward(net, ws, 1, &z);
    ginv_net_backward(net, ws, 1, &dx, &dz, 0);
    CHECK(dz == 1.0f);
    ginv_net_ws_set_kink(ws, GINV_KINK_ONESIDED, &wm);
    ginv_net_forward(net, ws, 1, &z);
    ginv_net_backward(net, ws, 1, &dx, &dz, 0);
    CHECK(dz == 0.0f);
    ginv_net_ws_set_kink(ws, GINV_KINK_ZERO, NULL);
    ginv_net_forward(net, ws, 1, &z);
    ginv_net_backward(net, ws, 1, &dx, &dz, 0);
    CHECK(dz == 0.0f);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

TEST(objective_exposes_k_the_signal_and_the_measurement_loss_of_its_last_eval)
{
    /* the hand net of net_forward_matches_values_computed_by_hand with
     * A = I (1 x 1), y = 1: G(1, 2) = -3.5, loss 1/2 (-3.5 - 1)^2 = 10.125;
     * no regularisation, so f is that loss */
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1},
                         {.kind = GINV_LAYER_LEAKY_RELU, .alpha = 0.1},
                         {.kind = GINV_LAYER_DENSE, .in = 2, .out = 1}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 3, spec));
    float p[] = {1, -2, 3, 0.5f, 0.5f, -1, 2, -1};
    memcpy(ginv_net_params(net), p, sizeof p);
    ginv_op *op;
    CHECK_OK(ginv_op_identity(&op, 1));
    const float y = 1, z[4] = {1, 2, 0, 0};
    ginv_objective *obj;
    CHECK_OK(ginv_objective_new(&obj, net, op, &y, 1, 0.0, 2));
    CHECK(ginv_objective_k(obj) == 2);
    double f[2];
    CHECK_OK(ginv_objective_eval(obj, 2, z, f, NULL));
    const float *x = ginv_objective_signal(obj);
    const double *ml = ginv_objective_meas_loss(obj);
    CHECK_NEAR(x[0], -3.5, 1e-6);
    CHECK_NEAR(x[1], 1.1, 1e-6); /* G(0) = W2 leaky(b1) = 2 * 0.5 - (-0.1) */
    CHECK_NEAR(ml[0], 10.125, 1e-5);
    CHECK_NEAR(f[0], ml[0], 1e-9);
    CHECK_NEAR(ml[1], 0.005, 1e-6); /* 1/2 (1.1 - 1)^2 */
    ginv_objective_free(obj);
    ginv_op_free(op);
    ginv_net_free(net);
}
