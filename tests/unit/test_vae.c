/* test_vae.c — the VAE's negative ELBO: parameter gradients against finite
 * differences, training resumed from a checkpoint against an uninterrupted
 * run, and the file layout (generator alone, encoder beside it). */
#include "test.h"
#include "vae_check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static ginv_vae *tiny_vae(uint64_t seed)
{
    ginv_vae_arch a = {.n = 7, .k = 3, .nhidden = 2, .hidden = {6, 5},
                       .act = GINV_LAYER_SOFTPLUS};
    ginv_vae *v = NULL;
    CHECK_OK(ginv_vae_new(&v, &a, seed));
    return v;
}


TEST(vae_parameter_gradients_match_finite_differences)
{
    enum { B = 4, N = 7, K = 3 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        ginv_vae *v = tiny_vae(seed);
        vae_check_both_nets(v, B, N, K, seed);
        ginv_vae_free(v);
    }
}

TEST(vae_loss_splits_into_reconstruction_and_closed_form_kl)
{
    enum { B = 3, N = 7, K = 3 };
    ginv_vae *v = tiny_vae(5);
    float x[B * N], eps[B * K];
    vae_fill_data(x, B, N, 5);
    memset(eps, 0, sizeof eps);
    double loss, rec, kl;
    CHECK_OK(ginv_vae_loss(v, B, x, eps, &loss, &rec, &kl, 0));
    CHECK_NEAR(loss, rec + kl, 1e-9 * fabs(loss));
    /* KL(N(mu, s^2) || N(0, 1)) recomputed from the encoder's output */
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, ginv_vae_encoder(v), B));
    const float *h = ginv_net_forward(ginv_vae_encoder(v), ws, B, x);
    double want = 0;
    for (int b = 0; b < B; b++)
        for (int c = 0; c < K; c++) {
            double mu = h[b * 2 * K + c], lv = h[b * 2 * K + K + c];
            want += 0.5 * (mu * mu + exp(lv) - 1 - lv);
        }
    CHECK_NEAR(kl, want / B, 1e-6);
    ginv_net_ws_free(ws);
    ginv_vae_free(v);
}

TEST(vae_training_resumed_from_a_checkpoint_is_bit_identical)
{
    enum { N = 60, n = 7 };
    float X[N * n];
    vae_fill_data(X, N, n, 11);
    char ck[256];
    snprintf(ck, sizeof ck, "%s/vae-ck.safetensors", test_tmpdir());
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 10;
    o.epochs = 3;
    o.seed = 4;
    ginv_vae *full = tiny_vae(2);
    double hist[3];
    CHECK_OK(ginv_vae_train(full, N, X, &o, hist));
    CHECK(hist[2] < hist[0]); /* it learns */

    ginv_vae *part = tiny_vae(2);
    o.epochs = 1;
    o.checkpoint = ck;
    CHECK_OK(ginv_vae_train(part, N, X, &o, NULL));
    ginv_vae_free(part);
    ginv_vae *res = NULL;
    CHECK_OK(ginv_vae_load(ck, &res));
    CHECK(res && ginv_vae_epoch(res) == 1);
    o.epochs = 3;
    o.checkpoint = NULL;
    if (res) CHECK_OK(ginv_vae_train(res, N, X, &o, NULL));
    for (int which = 0; res && which < 2; which++) {
        ginv_net *a = which ? ginv_vae_decoder_logits(full) : ginv_vae_encoder(full);
        ginv_net *b = which ? ginv_vae_decoder_logits(res) : ginv_vae_encoder(res);
        CHECK(!memcmp(ginv_net_params(a), ginv_net_params(b),
                      ginv_net_nparams(a) * sizeof(float)));
    }
    ginv_vae_free(res);
    ginv_vae_free(full);
}

TEST(vae_file_holds_the_generator_alone_and_the_encoder_beside_it)
{
    ginv_vae *v = tiny_vae(3);
    char path[256];
    snprintf(path, sizeof path, "%s/vae.safetensors", test_tmpdir());
    CHECK_OK(ginv_vae_save(v, path, 0));
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_load(path, &g)); /* the generator, as any command loads it */
    CHECK(g && ginv_net_in(g) == 3 && ginv_net_out(g) == 7);
    float z[3] = {0.3f, -1.0f, 0.5f};
    ginv_net_ws *wg = NULL, *wl = NULL;
    CHECK_OK(ginv_net_ws_new(&wg, g, 1));
    CHECK_OK(ginv_net_ws_new(&wl, ginv_vae_decoder_logits(v), 1));
    const float *x = ginv_net_forward(g, wg, 1, z);
    const float *l = ginv_net_forward(ginv_vae_decoder_logits(v), wl, 1, z);
    for (int i = 0; i < 7; i++) CHECK_NEAR(x[i], 1.0 / (1.0 + exp(-(double)l[i])), 1e-6);
    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    ginv_net *enc = NULL;
    CHECK_OK(ginv_net_from_st_part(&f, "ginv.encoder", "encoder.", &enc));
    CHECK(enc && ginv_net_in(enc) == 7 && ginv_net_out(enc) == 6);
    ginv_net_free(enc);
    ginv_st_release(&f);
    /* a plain generator file is not a VAE file */
    char plain[256];
    snprintf(plain, sizeof plain, "%s/plain.safetensors", test_tmpdir());
    CHECK_OK(ginv_net_save(g, plain));
    ginv_vae *bad = NULL;
    CHECK(ginv_vae_load(plain, &bad) == GINV_ERR_FORMAT && !bad);
    CHECK(strstr(ginv_last_error(), "ginv.vae") != NULL);
    ginv_net_ws_free(wg);
    ginv_net_ws_free(wl);
    ginv_net_free(g);
    ginv_vae_free(v);
}

TEST(vae_training_gives_the_same_parameters_with_one_or_two_threads)
{
    /* wide enough that the products are cut into chunks for the pool */
    enum { N = 64, n = 200 };
    static float X[N * n];
    vae_fill_data(X, N, n, 12);
    ginv_vae_arch arch = {.n = n, .k = 8, .nhidden = 1, .hidden = {160},
                          .act = GINV_LAYER_SOFTPLUS};
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 32;
    o.epochs = 2;
    ginv_vae *a = NULL, *b = NULL;
    CHECK_OK(ginv_vae_new(&a, &arch, 6));
    CHECK_OK(ginv_vae_new(&b, &arch, 6));
    o.threads = 1;
    CHECK_OK(ginv_vae_train(a, N, X, &o, NULL));
    o.threads = 2;
    CHECK_OK(ginv_vae_train(b, N, X, &o, NULL));
    ginv_blas_set_threads(1);
    CHECK(!memcmp(ginv_net_params(ginv_vae_decoder_logits(a)),
                  ginv_net_params(ginv_vae_decoder_logits(b)),
                  ginv_net_nparams(ginv_vae_decoder_logits(a)) * sizeof(float)));
    CHECK(!memcmp(ginv_net_params(ginv_vae_encoder(a)), ginv_net_params(ginv_vae_encoder(b)),
                  ginv_net_nparams(ginv_vae_encoder(a)) * sizeof(float)));
    ginv_vae_free(a);
    ginv_vae_free(b);
}

/* log messages of the last run, joined */
static char logged[2048];
static void grab_log(void *user, int level, const char *msg)
{
    (void)user;
    if (level <= GINV_LOG_WARN)
        snprintf(logged + strlen(logged), sizeof logged - strlen(logged), "%s\n", msg);
}

TEST(vae_resume_refuses_other_data_and_warns_on_other_settings)
{
    enum { N = 40, n = 7 };
    float X[N * n], Y[N * n];
    vae_fill_data(X, N, n, 21);
    memcpy(Y, X, sizeof Y);
    Y[5 * n + 3] = 1 - Y[5 * n + 3]; /* one pixel of one image differs */
    char ck[256];
    snprintf(ck, sizeof ck, "%s/vae-rec.safetensors", test_tmpdir());
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 10;
    o.epochs = 1;
    o.seed = 4;
    o.checkpoint = ck;
    ginv_vae *v = tiny_vae(3);
    double hist[3];
    CHECK_OK(ginv_vae_train(v, N, X, &o, hist));
    ginv_vae_train_record r0, r1;
    CHECK(ginv_vae_train_record_get(v, &r0) == 1);
    CHECK(r0.images == N && r0.batch == 10 && r0.seed == 4 && r0.last_loss == hist[0]);
    ginv_vae_free(v);
    CHECK_OK(ginv_vae_load(ck, &v));
    if (!v) return;
    /* the checkpoint keeps the record, bit for bit */
    CHECK(ginv_vae_train_record_get(v, &r1) == 1);
    CHECK(r1.images == r0.images && r1.data_hash == r0.data_hash && r1.batch == r0.batch &&
          r1.lr == r0.lr && r1.seed == r0.seed && r1.last_loss == r0.last_loss);
    o.epochs = 2;
    o.checkpoint = NULL;
    CHECK(ginv_vae_train(v, N, Y, &o, hist) == GINV_ERR_ARG); /* other pixels */
    CHECK_MSG(strstr(ginv_last_error(), "resuming after epoch 1") && strstr(ginv_last_error(), "40 images"),
              "%s", ginv_last_error());
    CHECK(ginv_vae_train(v, N - 10, X, &o, hist) == GINV_ERR_ARG); /* fewer images */
    CHECK(ginv_vae_epoch(v) == 1);
    /* other settings: trained, with a warning naming each */
    logged[0] = 0;
    ginv_set_log(grab_log, NULL);
    o.lr = 2e-3;
    o.batch = 20;
    CHECK_OK(ginv_vae_train(v, N, X, &o, hist));
    ginv_set_log(NULL, NULL);
    CHECK_MSG(strstr(logged, "learning rate 0.002") && strstr(logged, "batch size 20") &&
              !strstr(logged, "seed"), "%s", logged);
    CHECK(ginv_vae_epoch(v) == 2);
    ginv_vae_free(v);
}

TEST(vae_eval_is_the_mean_loss_with_one_eval_stream_per_example)
{
    /* oracle: ginv_vae_loss on the same 5 examples with eps row i drawn from
     * (seed, GINV_STREAM_TRAIN_EVAL, i); reserving a larger batch first
     * changes no number (the workspaces only hold the batch) */
    ginv_vae *v = tiny_vae(3);
    float x[5 * 7], eps[5 * 3];
    vae_fill_data(x, 5, 7, 4);
    for (int i = 0; i < 5; i++) {
        ginv_rng r;
        ginv_rng_init(&r, 11, GINV_STREAM_TRAIN_EVAL, (uint64_t)i);
        ginv_rng_normal_f32(&r, eps + 3 * i, 3, 1.0);
    }
    double l0, r0, k0, l1, r1, k1, l2;
    CHECK_OK(ginv_vae_loss(v, 5, x, eps, &l0, &r0, &k0, 0));
    CHECK_OK(ginv_vae_eval(v, 5, x, 11, &l1, &r1, &k1));
    CHECK(l0 == l1 && r0 == r1 && k0 == k1);
    CHECK_NEAR(l1, r1 + k1, 1e-9 * fabs(l1)); /* -ELBO = reconstruction + KL */
    CHECK(k1 >= 0);                           /* a KL divergence */
    CHECK_OK(ginv_vae_reserve(v, 64));
    CHECK_OK(ginv_vae_reserve(v, 2)); /* smaller than held: keeps what it has */
    CHECK_OK(ginv_vae_loss(v, 5, x, eps, &l2, NULL, NULL, 0));
    CHECK(l2 == l0);
    ginv_vae_free(v);
}

/* ---- the convolutional VAE (--arch conv) */

/* 1 x 8 x 8 images, conv channels 3, 4 (8 -> 4 -> 2 and back), k = 3 */
static ginv_vae *tiny_conv_vae(uint64_t seed, ginv_layer_kind act)
{
    ginv_vae_arch a = {.n = 64, .k = 3, .nhidden = 2, .hidden = {3, 4}, .act = act,
                       .kind = GINV_VAE_CONV, .c = 1, .h = 8, .w = 8};
    ginv_vae *v = NULL;
    CHECK_OK(ginv_vae_new(&v, &a, seed));
    return v;
}

TEST(conv_vae_has_strided_convs_and_a_mirrored_decoder)
{
    ginv_vae *v = tiny_conv_vae(1, GINV_LAYER_ELU);
    if (!v) return;
    const ginv_net *e = ginv_vae_encoder(v), *d = ginv_vae_decoder_logits(v);
    /* conv 1x8x8 -> 3x4x4, elu, conv -> 4x2x2, elu, dense 16 -> 6 */
    CHECK(ginv_net_nlayers(e) == 5 && ginv_net_in(e) == 64 && ginv_net_out(e) == 6);
    const ginv_layer *c0 = ginv_net_layer_c(e, 0), *c1 = ginv_net_layer_c(e, 2);
    CHECK(c0->kind == GINV_LAYER_CONV2D && c0->c_out == 3 && c0->h_out == 4 && c0->kh == 4 &&
          c0->stride_h == 2 && c0->pad_h == 1 && c0->bias);
    CHECK(c1->kind == GINV_LAYER_CONV2D && c1->c_out == 4 && c1->h_out == 2 && c1->w_out == 2);
    CHECK(ginv_net_layer_c(e, 1)->kind == GINV_LAYER_ELU && ginv_net_layer_c(e, 1)->alpha == 1.0);
    CHECK(ginv_net_layer_c(e, 4)->kind == GINV_LAYER_DENSE && ginv_net_layer_c(e, 4)->in == 16);
    /* dense 3 -> 16, elu, reshape 4x2x2, convT -> 3x4x4, elu, convT -> 1x8x8 */
    CHECK(ginv_net_nlayers(d) == 6 && ginv_net_in(d) == 3 && ginv_net_out(d) == 64);
    const ginv_layer *r = ginv_net_layer_c(d, 2), *t0 = ginv_net_layer_c(d, 3),
                     *t1 = ginv_net_layer_c(d, 5);
    CHECK(r->kind == GINV_LAYER_RESHAPE && r->c_out == 4 && r->h_out == 2);
    CHECK(t0->kind == GINV_LAYER_CONV_TRANSPOSE2D && t0->c_out == 3 && t0->h_out == 4);
    CHECK(t1->kind == GINV_LAYER_CONV_TRANSPOSE2D && t1->c_out == 1 && t1->h_out == 8 &&
          t1->w_out == 8);
    ginv_vae_free(v);
    /* sizes that do not halve twice, or that do not hold n values, are refused */
    ginv_vae_arch a = {.n = 36, .k = 3, .nhidden = 2, .hidden = {3, 4}, .act = GINV_LAYER_ELU,
                       .kind = GINV_VAE_CONV, .c = 1, .h = 6, .w = 6};
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
    CHECK_MSG(strstr(ginv_last_error(), "divisible by 4"), "%s", ginv_last_error());
    a.h = a.w = 8;
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
    a.n = 64;
    a.act = GINV_LAYER_CONV2D;
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
}

/* --fc W: a dense hidden layer between the convolutions and the latent */
TEST(conv_vae_with_fc_has_a_dense_hidden_layer_each_side_and_saves_it)
{
    ginv_vae_arch a = {.n = 64, .k = 3, .nhidden = 2, .hidden = {3, 4}, .act = GINV_LAYER_ELU,
                       .kind = GINV_VAE_CONV, .c = 1, .h = 8, .w = 8, .fc = 5};
    ginv_vae *v = NULL;
    CHECK_OK(ginv_vae_new(&v, &a, 4));
    if (!v) return;
    const ginv_net *e = ginv_vae_encoder(v), *d = ginv_vae_decoder_logits(v);
    /* conv, elu, conv, elu, dense 16 -> 5, elu, dense 5 -> 6 */
    CHECK(ginv_net_nlayers(e) == 7 && ginv_net_out(e) == 6);
    CHECK(ginv_net_layer_c(e, 4)->kind == GINV_LAYER_DENSE && ginv_net_layer_c(e, 4)->in == 16 &&
          ginv_net_layer_c(e, 4)->out == 5 && ginv_net_layer_c(e, 5)->kind == GINV_LAYER_ELU &&
          ginv_net_layer_c(e, 6)->in == 5);
    /* dense 3 -> 5, elu, dense 5 -> 16, elu, reshape, convT, elu, convT */
    CHECK(ginv_net_nlayers(d) == 8 && ginv_net_in(d) == 3 && ginv_net_out(d) == 64);
    CHECK(ginv_net_layer_c(d, 0)->out == 5 && ginv_net_layer_c(d, 2)->in == 5 &&
          ginv_net_layer_c(d, 2)->out == 16 && ginv_net_layer_c(d, 4)->kind == GINV_LAYER_RESHAPE);
    vae_check_both_nets(v, 3, 64, 3, 7); /* parameter gradients through the fc layers */
    char path[256];
    snprintf(path, sizeof path, "%s/cvae-fc.safetensors", test_tmpdir());
    CHECK_OK(ginv_vae_save(v, path, 1));
    ginv_vae *r = NULL;
    CHECK_OK(ginv_vae_load(path, &r));
    if (r) {
        CHECK(ginv_vae_get_arch(r)->fc == 5);
        ginv_net *d2 = ginv_vae_decoder_logits(r), *d1 = ginv_vae_decoder_logits(v);
        CHECK(ginv_net_nparams(d2) == ginv_net_nparams(d) &&
              !memcmp(ginv_net_params(d2), ginv_net_params(d1), ginv_net_nparams(d) * sizeof(float)));
    }
    ginv_vae_free(r);
    ginv_vae_free(v);
    /* an MLP VAE has no fc; negative widths are refused */
    ginv_vae_arch m = {.n = 64, .k = 3, .nhidden = 1, .hidden = {8}, .act = GINV_LAYER_SOFTPLUS,
                       .fc = 4};
    CHECK(ginv_vae_new(&v, &m, 1) == GINV_ERR_ARG && !v);
    CHECK_MSG(strstr(ginv_last_error(), "for conv VAEs"), "%s", ginv_last_error());
    a.fc = -1;
    CHECK(ginv_vae_new(&v, &a, 1) == GINV_ERR_ARG && !v);
}

TEST(conv_vae_parameter_gradients_match_finite_differences)
{
    enum { B = 3, N = 64, K = 3 };
    const ginv_layer_kind acts[2] = {GINV_LAYER_ELU, GINV_LAYER_SOFTPLUS};
    for (uint64_t seed = 1; seed <= 2; seed++) {
        ginv_vae *v = tiny_conv_vae(seed, acts[seed - 1]);
        if (!v) continue;
        vae_check_both_nets(v, B, N, K, seed);
        ginv_vae_free(v);
    }
}

TEST(conv_vae_training_learns_and_resumes_bit_identically)
{
    enum { N = 40, n = 64 };
    static float X[N * n];
    vae_fill_data(X, N, n, 13);
    for (int i = 0; i < N * n; i++) X[i] = X[i] > 0.5f ? 1.0f : 0.0f;
    char ck[256];
    snprintf(ck, sizeof ck, "%s/cvae-ck.safetensors", test_tmpdir());
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 10;
    o.epochs = 3;
    o.seed = 5;
    o.lr = 3e-3;
    ginv_vae *full = tiny_conv_vae(2, GINV_LAYER_ELU);
    double hist[3];
    CHECK_OK(ginv_vae_train(full, N, X, &o, hist));
    CHECK_MSG(hist[2] < hist[0], "training loss %g -> %g", hist[0], hist[2]);

    ginv_vae *part = tiny_conv_vae(2, GINV_LAYER_ELU);
    o.epochs = 1;
    o.checkpoint = ck;
    CHECK_OK(ginv_vae_train(part, N, X, &o, NULL));
    ginv_vae_free(part);
    ginv_vae *res = NULL;
    CHECK_OK(ginv_vae_load(ck, &res));
    CHECK(res && ginv_vae_epoch(res) == 1);
    if (res) { /* the architecture comes back from the file */
        const ginv_vae_arch *a = ginv_vae_get_arch(res);
        CHECK(a->kind == GINV_VAE_CONV && a->c == 1 && a->h == 8 && a->w == 8 && a->nhidden == 2 &&
              a->hidden[0] == 3 && a->hidden[1] == 4 && a->act == GINV_LAYER_ELU && a->k == 3);
    }
    o.epochs = 3;
    o.checkpoint = NULL;
    if (res) CHECK_OK(ginv_vae_train(res, N, X, &o, NULL));
    for (int which = 0; res && which < 2; which++) {
        ginv_net *a = which ? ginv_vae_decoder_logits(full) : ginv_vae_encoder(full);
        ginv_net *b = which ? ginv_vae_decoder_logits(res) : ginv_vae_encoder(res);
        CHECK(!memcmp(ginv_net_params(a), ginv_net_params(b),
                      ginv_net_nparams(a) * sizeof(float)));
    }
    /* the file's net is sigmoid(decoder) as any command loads it */
    char path[256];
    snprintf(path, sizeof path, "%s/cvae.safetensors", test_tmpdir());
    CHECK_OK(ginv_vae_save(full, path, 0));
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_load(path, &g));
    if (g) {
        CHECK(ginv_net_in(g) == 3 && ginv_net_out(g) == 64 &&
              ginv_net_layer_c(g, ginv_net_nlayers(g) - 1)->kind == GINV_LAYER_SIGMOID);
        float z[3] = {0.3f, -1.0f, 0.5f};
        ginv_net_ws *wg = NULL, *wl = NULL;
        CHECK_OK(ginv_net_ws_new(&wg, g, 1));
        CHECK_OK(ginv_net_ws_new(&wl, ginv_vae_decoder_logits(full), 1));
        const float *x = ginv_net_forward(g, wg, 1, z);
        const float *l = ginv_net_forward(ginv_vae_decoder_logits(full), wl, 1, z);
        for (int i = 0; i < 64; i++) CHECK_NEAR(x[i], 1.0 / (1.0 + exp(-(double)l[i])), 1e-6);
        ginv_net_ws_free(wg);
        ginv_net_ws_free(wl);
        ginv_net_free(g);
    }
    ginv_vae_free(res);
    ginv_vae_free(full);
}

TEST(conv_vae_training_gives_the_same_parameters_with_one_or_two_threads)
{
    /* 1 x 16 x 16 with 8 and 16 channels: the conv chunks spread over the pool */
    enum { N = 32, n = 256 };
    static float X[N * n];
    vae_fill_data(X, N, n, 14);
    ginv_vae_arch arch = {.n = n, .k = 4, .nhidden = 2, .hidden = {8, 16},
                          .act = GINV_LAYER_ELU, .kind = GINV_VAE_CONV, .c = 1, .h = 16, .w = 16};
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.batch = 16;
    o.epochs = 2;
    ginv_vae *a = NULL, *b = NULL;
    CHECK_OK(ginv_vae_new(&a, &arch, 6));
    CHECK_OK(ginv_vae_new(&b, &arch, 6));
    if (!a || !b) {
        ginv_vae_free(a);
        ginv_vae_free(b);
        return;
    }
    o.threads = 1;
    CHECK_OK(ginv_vae_train(a, N, X, &o, NULL));
    o.threads = 2;
    CHECK_OK(ginv_vae_train(b, N, X, &o, NULL));
    ginv_blas_set_threads(1);
    CHECK(!memcmp(ginv_net_params(ginv_vae_decoder_logits(a)),
                  ginv_net_params(ginv_vae_decoder_logits(b)),
                  ginv_net_nparams(ginv_vae_decoder_logits(a)) * sizeof(float)));
    CHECK(!memcmp(ginv_net_params(ginv_vae_encoder(a)), ginv_net_params(ginv_vae_encoder(b)),
                  ginv_net_nparams(ginv_vae_encoder(a)) * sizeof(float)));
    ginv_vae_free(a);
    ginv_vae_free(b);
}
