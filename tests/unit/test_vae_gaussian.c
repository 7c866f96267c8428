/* test_vae_gaussian.c — the Gaussian-likelihood VAE (Pareek & Risteski
 * Definition 1, p(x|z) = N(G(z), beta^2 I) with G = sigmoid(L)): the loss
 * against the closed form recomputed from the encoder and the generator, its
 * parameter gradients against finite differences, training that lowers the
 * loss, the file round trip of the likelihood and beta, and the refusals. */
#include "test.h"
#include "vae_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static ginv_vae *tiny_gvae(uint64_t seed, double beta)
{
    ginv_vae_arch a = {.n = 7, .k = 3, .nhidden = 2, .hidden = {6, 5},
                       .act = GINV_LAYER_SOFTPLUS, .likelihood = GINV_VAE_GAUSSIAN,
                       .beta = beta};
    ginv_vae *v = NULL;
    CHECK_OK(ginv_vae_new(&v, &a, seed));
    return v;
}


TEST(gaussian_vae_parameter_gradients_match_finite_differences)
{
    enum { B = 4, N = 7, K = 3 };
    const double betas[3] = {0.1, 0.3, 1.0};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        ginv_vae *v = tiny_gvae(seed, betas[seed - 1]);
        vae_check_both_nets(v, B, N, K, seed);
        ginv_vae_free(v);
    }
}

/* -log N(x; G(mu), beta^2 I) with eps = 0 (so z = mu), from the encoder's
 * output and the generator sigmoid(L) computed here, not by the loss. */
TEST(gaussian_vae_reconstruction_is_the_gaussian_negative_log_likelihood)
{
    enum { B = 3, N = 7, K = 3 };
    const double beta = 0.2;
    ginv_vae *v = tiny_gvae(5, beta);
    float x[B * N], eps[B * K];
    vae_fill_data(x, B, N, 5);
    memset(eps, 0, sizeof eps);
    double loss, rec, kl;
    CHECK_OK(ginv_vae_loss(v, B, x, eps, &loss, &rec, &kl, 0));
    CHECK_NEAR(loss, rec + kl, 1e-9 * fabs(loss));
    ginv_net_ws *we = NULL, *wg = NULL;
    ginv_net *g = NULL;
    CHECK_OK(ginv_vae_generator(v, &g));
    CHECK_OK(ginv_net_ws_new(&we, ginv_vae_encoder(v), B));
    CHECK_OK(ginv_net_ws_new(&wg, g, 1));
    const float *h = ginv_net_forward(ginv_vae_encoder(v), we, B, x);
    double want = 0;
    for (int b = 0; b < B; b++) {
        const float *gx = ginv_net_forward(g, wg, 1, h + (size_t)b * 2 * K); /* G(mu_b) */
        for (int j = 0; j < N; j++) {
            double r = (double)x[b * N + j] - gx[j];
            want += r * r / (2 * beta * beta);
        }
        want += 0.5 * N * log(2 * M_PI * beta * beta);
    }
    CHECK_NEAR(rec, want / B, 1e-5 * fmax(1.0, fabs(want / B)));
    /* the same nets under the Bernoulli likelihood give another number */
    ginv_vae_arch a = *ginv_vae_get_arch(v);
    CHECK(a.likelihood == GINV_VAE_GAUSSIAN && a.beta == beta);
    a.likelihood = GINV_VAE_BERNOULLI;
    a.beta = 0;
    ginv_vae *vb = NULL;
    CHECK_OK(ginv_vae_new(&vb, &a, 5)); /* the same seed: the same parameters */
    double lb;
    CHECK_OK(ginv_vae_loss(vb, B, x, eps, &lb, NULL, NULL, 0));
    CHECK_MSG(fabs(lb - loss) > 1e-3, "Bernoulli %.6g and Gaussian %.6g losses coincide", lb, loss);
    ginv_vae_free(vb);
    ginv_net_ws_free(we);
    ginv_net_ws_free(wg);
    ginv_net_free(g);
    ginv_vae_free(v);
}

TEST(gaussian_vae_training_lowers_the_loss)
{
    enum { N = 60, n = 7 };
    float X[N * n];
    vae_fill_data(X, N, n, 11);
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 10;
    o.epochs = 5;
    o.seed = 4;
    o.lr = 3e-3;
    ginv_vae *v = tiny_gvae(2, 0.2);
    double hist[5];
    CHECK_OK(ginv_vae_train(v, N, X, &o, hist));
    CHECK_MSG(hist[4] < hist[0] - 1.0, "epoch losses %.4g .. %.4g", hist[0], hist[4]);
    ginv_vae_free(v);
}

TEST(gaussian_vae_file_keeps_the_likelihood_and_beta)
{
    enum { B = 2, N = 7, K = 3 };
    const double beta = 0.123456789012345;
    ginv_vae *v = tiny_gvae(3, beta);
    char path[256];
    snprintf(path, sizeof path, "%s/gvae.safetensors", test_tmpdir());
    CHECK_OK(ginv_vae_save(v, path, 1));
    ginv_vae *w = NULL;
    CHECK_OK(ginv_vae_load(path, &w));
    CHECK(w != NULL);
    if (w) {
        const ginv_vae_arch *a = ginv_vae_get_arch(w);
        CHECK(a->likelihood == GINV_VAE_GAUSSIAN);
        CHECK_MSG(a->beta == beta, "beta read back as %.17g", a->beta);
        float x[B * N], eps[B * K];
        vae_fill_data(x, B, N, 3);
        ginv_rng r;
        ginv_rng_init(&r, 3, 997, 0);
        ginv_rng_normal_f32(&r, eps, B * K, 1.0);
        double l1, l2;
        CHECK_OK(ginv_vae_loss(v, B, x, eps, &l1, NULL, NULL, 0));
        CHECK_OK(ginv_vae_loss(w, B, x, eps, &l2, NULL, NULL, 0));
        CHECK(l1 == l2);
    }
    ginv_vae_free(w);
    ginv_vae_free(v);
    /* a Bernoulli file reads back as Bernoulli, beta 0 */
    ginv_vae_arch ab = {.n = 7, .k = 3, .nhidden = 1, .hidden = {4}, .act = GINV_LAYER_SOFTPLUS};
    CHECK_OK(ginv_vae_new(&v, &ab, 1));
    CHECK_OK(ginv_vae_save(v, path, 0));
    ginv_vae_free(v);
    w = NULL;
    CHECK_OK(ginv_vae_load(path, &w));
    CHECK(w && ginv_vae_get_arch(w)->likelihood == GINV_VAE_BERNOULLI &&
          ginv_vae_get_arch(w)->beta == 0);
    ginv_vae_free(w);
}

TEST(gaussian_vae_refuses_a_bad_beta_or_likelihood)
{
    ginv_vae_arch a = {.n = 7, .k = 3, .nhidden = 1, .hidden = {4}, .act = GINV_LAYER_SOFTPLUS,
                       .likelihood = GINV_VAE_GAUSSIAN};
    const double bad[3] = {0, -0.5, INFINITY};
    for (int i = 0; i < 3; i++) {
        a.beta = bad[i];
        ginv_vae *v = NULL;
        CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
        CHECK(strstr(ginv_last_error(), "beta") != NULL);
    }
    a.likelihood = GINV_VAE_BERNOULLI; /* beta belongs to the Gaussian likelihood */
    a.beta = 0.1;
    ginv_vae *v = NULL;
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
    a.likelihood = (ginv_vae_likelihood)7;
    a.beta = 0;
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
    a.likelihood = GINV_VAE_GAUSSIAN;
    a.beta = 0.5;
    CHECK_OK(ginv_vae_new(&v, &a, 1));
    ginv_vae_free(v);
}
