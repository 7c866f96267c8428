/* test_encoder.c — amortised Gaussian encoders (src/learn/encoder.c): both
 * objectives' gradients against finite differences, and on a linear-Gaussian
 * generator, whose posterior is known in closed form, training with either
 * objective recovers that posterior; the evaluation's calibration. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* G(z) = W z with W (n x k) of orthogonal columns of norms s_c: the
 * posterior under x = G(z) + beta xi, z ~ N(0, I) is N(Sigma W^T x / beta^2,
 * Sigma), Sigma = diag(1 / (1 + s_c^2 / beta^2)) */
static ginv_net *linear_g(int k, int n, const double *s)
{
    ginv_layer spec[1] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = n}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 1, spec));
    if (!g) return NULL;
    float *W = ginv_net_layer(g, 0)->W; /* [n, k] */
    memset(W, 0, sizeof(float) * n * k);
    for (int c = 0; c < k; c++) { /* column c: s_c (e_{2c} + e_{2c+1}) / sqrt 2 */
        W[(2 * c) * k + c] = (float)(s[c] / sqrt(2.0));
        W[(2 * c + 1) * k + c] = (float)(s[c] / sqrt(2.0));
    }
    return g;
}

TEST(encoder_loss_gradients_match_finite_differences)
{
    enum { K = 2, N = 5, B = 3 };
    double s[K] = {1.5, 0.7};
    ginv_layer gs[2] = {{.kind = GINV_LAYER_DENSE, .in = K, .out = N, .bias = 1}, {.kind = GINV_LAYER_TANH}};
    ginv_net *G = NULL, *E = NULL;
    CHECK_OK(ginv_net_new(&G, 2, gs));
    CHECK_OK(ginv_net_randomize(G, GINV_INIT_FANIN, 0.3, 4, 0));
    int hidden[1] = {6};
    CHECK_OK(ginv_encoder_new(&E, N, K, 1, hidden, GINV_LAYER_SOFTPLUS, 2));
    (void)s;
    if (!G || !E) return;
    float x[B * N], z0[B * K], eps[B * K];
    ginv_rng r;
    ginv_rng_init(&r, 9, GINV_STREAM_USER, 0);
    ginv_rng_normal_f32(&r, x, B * N, 0.5);
    ginv_rng_normal_f32(&r, z0, B * K, 1.0);
    ginv_rng_normal_f32(&r, eps, B * K, 1.0);
    size_t np = ginv_net_nparams(E);
    float *p = ginv_net_params(E), *g = malloc(sizeof(float) * np);
    for (int obj = 0; obj < 2 && g; obj++) {
        double loss, lp, lm;
        CHECK_OK(ginv_encoder_loss(E, G, (ginv_encoder_objective)obj, 0.3, B, x, z0, eps, &loss, 1));
        memcpy(g, ginv_net_grads(E), sizeof(float) * np);
        double worst = 0;
        for (size_t i = 0; i < np; i += 3) {
            float keep = p[i], h = 1e-2f;
            p[i] = keep + h;
            ginv_encoder_loss(E, G, (ginv_encoder_objective)obj, 0.3, B, x, z0, eps, &lp, 0);
            p[i] = keep - h;
            ginv_encoder_loss(E, G, (ginv_encoder_objective)obj, 0.3, B, x, z0, eps, &lm, 0);
            p[i] = keep;
            double fd = (lp - lm) / (2.0 * h), err = fabs(fd - g[i]) / fmax(1e-2, fabs(fd));
            if (err > worst) worst = err;
        }
        CHECK_MSG(worst < 2e-2, "objective %d: worst relative gradient error %g", obj, worst);
    }
    free(g);
    /* the sleep objective needs z0, the elbo eps */
    double l;
    CHECK(ginv_encoder_loss(E, G, GINV_ENCODER_SLEEP, 0.3, B, x, NULL, eps, &l, 0) == GINV_ERR_ARG);
    CHECK(ginv_encoder_loss(E, G, GINV_ENCODER_ELBO, 0.0, B, x, z0, eps, &l, 0) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'beta' 0 must be > 0") != NULL);
    ginv_net_free(E);
    ginv_net_free(G);
}

/* A linear encoder trained on the linear-Gaussian model: mu(x) = M x with
 * M = Sigma W^T / beta^2, log sigma^2 = log Sigma (the bias), for both objectives. */
TEST(encoder_learns_the_closed_form_posterior_of_a_linear_gaussian_model)
{
    enum { K = 2, N = 4 };
    const double s[K] = {2.0, 0.5}, beta = 0.5;
    ginv_net *G = linear_g(K, N, s);
    for (int obj = 0; obj < 2 && G; obj++) {
        ginv_net *E = NULL;
        CHECK_OK(ginv_encoder_new(&E, N, K, 0, NULL, GINV_LAYER_RELU, 3));
        if (!E) break;
        ginv_encoder_train_opts o;
        ginv_encoder_train_opts_init(&o);
        o.objective = (ginv_encoder_objective)obj;
        o.steps = 3000, o.batch = 256, o.lr = 1e-2;
        double loss;
        CHECK_OK(ginv_encoder_train(E, G, beta, &o, &loss));
        const ginv_layer *L = ginv_net_layer_c(E, 0); /* W [2K, N], b [2K] */
        const float *W = ginv_net_layer_c(G, 0)->W;
        double worst_m = 0, worst_v = 0;
        for (int c = 0; c < K; c++) {
            double sig = 1.0 / (1.0 + s[c] * s[c] / (beta * beta));
            for (int j = 0; j < N; j++) {
                double want = sig * W[j * K + c] / (beta * beta);
                worst_m = fmax(worst_m, fabs(L->W[c * N + j] - want));
            }
            worst_v = fmax(worst_v, fabs(exp(L->b[K + c]) / sig - 1.0));
            CHECK_MSG(fabs(L->b[c]) < 0.03, "objective %d: mu's bias %g", obj, L->b[c]);
        }
        printf("  %s: mean map off by %.4f, variances by a factor 1 +- %.4f\n", obj ? "elbo" : "sleep", worst_m, worst_v);
        CHECK_MSG(worst_m < 0.03, "objective %d: mean map off by %g", obj, worst_m);
        CHECK_MSG(worst_v < 0.1, "objective %d: variance off by a factor 1 +- %g", obj, worst_v);
        /* its mean explains nearly every sample, as the true z does */
        ginv_encoder_eval_result ev;
        CHECK_OK(ginv_encoder_eval(E, G, beta, 2000, 5, &ev));
        CHECK_MSG(ev.success_truth > 0.95 && ev.success_mean > 0.95, "truth %g, mean %g", ev.success_truth,
                  ev.success_mean);
        ginv_net_free(E);
    }
    ginv_net_free(G);
}

TEST(encoder_refuses_a_mismatched_pair_and_bad_options)
{
    ginv_net *G = NULL, *E = NULL;
    double s[2] = {1, 1};
    G = linear_g(2, 4, s);
    CHECK_OK(ginv_encoder_new(&E, 5, 2, 0, NULL, GINV_LAYER_RELU, 1));
    ginv_encoder_train_opts o;
    ginv_encoder_train_opts_init(&o);
    double loss;
    CHECK(ginv_encoder_train(E, G, 0.1, &o, &loss) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "the encoder maps 5 -> 4 values") != NULL);
    ginv_net_free(E);
    E = NULL;
    CHECK(ginv_encoder_new(&E, 4, 2, 1, (int[]){0}, GINV_LAYER_RELU, 1) == GINV_ERR_ARG && !E);
    CHECK(ginv_encoder_new(&E, 4, 2, 0, NULL, GINV_LAYER_DENSE, 1) == GINV_ERR_ARG);
    ginv_net_free(G);
}
