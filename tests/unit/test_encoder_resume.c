/* test_encoder_resume.c — checkpoints of amortised encoder training
 * (src/learn/encoder_ckpt.c through ginv_encoder_train and ginv_dlg_train):
 * a run cancelled mid-way and resumed from its last checkpoint ends with the
 * same parameter bits and the same reported loss as an uninterrupted one, for
 * the Gaussian encoder (both objectives) and the deep latent Gaussian; a
 * resume with another architecture, G or beta is refused and leaves the
 * encoder as it was; missing and damaged checkpoints are refused. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_STATUS(expr, want)                                                                     \
    do {                                                                                             \
        ginv_status s_ = (expr);                                                                     \
        CHECK_MSG(s_ == (want), "%s gave %s (%s), expected %s", #expr, ginv_strerror(s_), ginv_last_error(), \
                  ginv_strerror(want));                                                              \
    } while (0)

/* G(z) = W z + b, W (n x k) dense from the seed: a small fixed generator */
static ginv_net *small_g(int k, int n, uint64_t seed)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = k, .out = n, .bias = 1}, {.kind = GINV_LAYER_TANH}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 2, spec));
    if (g) CHECK_OK(ginv_net_randomize(g, GINV_INIT_FANIN, 0, seed, 0));
    return g;
}

/* cancels its ctx once the progress report reaches `at` steps */
typedef struct {
    ginv_ctx *ctx;
    long at;
} stopper;
static void stop_at(void *user, const char *what, long done, long total)
{
    (void)what, (void)total;
    stopper *s = user;
    if (done >= s->at) ginv_ctx_cancel(s->ctx);
}

static void ckpt_path(char *p, size_t n, const char *name)
{
    snprintf(p, n, "%s/%s", test_tmpdir(), name);
    remove(p);
}

static void gaussian_resume(ginv_encoder_objective obj, const char *name)
{
    ginv_net *G = small_g(2, 4, 3), *E[2] = {NULL, NULL};
    const int hidden[2] = {12, 10};
    char ck[512];
    ckpt_path(ck, sizeof ck, name);
    ginv_encoder_train_opts o;
    ginv_encoder_train_opts_init(&o);
    o.objective = obj, o.steps = 230, o.batch = 16, o.lr = 3e-3, o.seed = 7;
    double f[2] = {NAN, NAN};
    for (int r = 0; r < 2; r++) CHECK_OK(ginv_encoder_new(&E[r], 4, 2, 2, hidden, GINV_LAYER_SOFTPLUS, 5));
    if (!G || !E[0] || !E[1]) goto done;
    CHECK_OK(ginv_encoder_train(E[0], G, 0.3, &o, &f[0])); /* uninterrupted, no checkpoint */
    /* interrupted: checkpoints every 40 steps, cancelled at step 150: the last is step 120 */
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    stopper s = {ctx, 150};
    ginv_ctx_set_progress(ctx, stop_at, &s);
    ginv_encoder_train_opts oi = o;
    oi.checkpoint = ck, oi.checkpoint_every = 40, oi.ctx = ctx;
    CHECK_STATUS(ginv_encoder_train(E[1], G, 0.3, &oi, NULL), GINV_ERR_CANCELLED);
    ginv_ctx_free(ctx);
    CHECK(memcmp(ginv_net_params(E[0]), ginv_net_params(E[1]), ginv_net_nparams(E[0]) * sizeof(float)) != 0);
    ginv_net_free(E[1]);
    E[1] = NULL;
    CHECK_OK(ginv_encoder_new(&E[1], 4, 2, 2, hidden, GINV_LAYER_SOFTPLUS, 99)); /* another init: overwritten */
    oi.ctx = NULL, oi.resume = 1;
    if (E[1]) CHECK_OK(ginv_encoder_train(E[1], G, 0.3, &oi, &f[1]));
    if (E[1])
        CHECK_MSG(memcmp(ginv_net_params(E[0]), ginv_net_params(E[1]), ginv_net_nparams(E[0]) * sizeof(float)) == 0,
                  "%s: the resumed parameters differ from the uninterrupted run's", name);
    CHECK_MSG(memcmp(&f[0], &f[1], sizeof f[0]) == 0, "final loss %.17g vs %.17g", f[0], f[1]);
    /* refusals: another architecture, another G, another beta; the encoder is left alone */
    ginv_net *E3 = NULL, *G2 = small_g(2, 4, 4);
    const int other[2] = {12, 9};
    CHECK_OK(ginv_encoder_new(&E3, 4, 2, 2, other, GINV_LAYER_SOFTPLUS, 5));
    if (E3) CHECK_STATUS(ginv_encoder_train(E3, G, 0.3, &oi, NULL), GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "4-12-10-4") && strstr(ginv_last_error(), "4-12-9-4"));
    ginv_net *E4 = NULL;
    CHECK_OK(ginv_encoder_new(&E4, 4, 2, 2, hidden, GINV_LAYER_SOFTPLUS, 5));
    float *keep = malloc(ginv_net_nparams(E[0]) * sizeof(float));
    if (E4 && keep && G2) {
        memcpy(keep, ginv_net_params(E4), ginv_net_nparams(E4) * sizeof(float));
        CHECK_STATUS(ginv_encoder_train(E4, G2, 0.3, &oi, NULL), GINV_ERR_ARG);
        CHECK(strstr(ginv_last_error(), "another G") != NULL);
        CHECK_STATUS(ginv_encoder_train(E4, G, 0.31, &oi, NULL), GINV_ERR_ARG);
        CHECK(memcmp(keep, ginv_net_params(E4), ginv_net_nparams(E4) * sizeof(float)) == 0);
    }
    free(keep);
    ginv_net_free(E3);
    ginv_net_free(E4);
    ginv_net_free(G2);
done:
    remove(ck);
    ginv_net_free(E[0]);
    ginv_net_free(E[1]);
    ginv_net_free(G);
}

TEST(encoder_training_resumed_from_a_checkpoint_is_bit_identical)
{
    gaussian_resume(GINV_ENCODER_SLEEP, "enc-sleep.ckpt");
    gaussian_resume(GINV_ENCODER_ELBO, "enc-elbo.ckpt");
}

TEST(dlg_training_resumed_from_a_checkpoint_is_bit_identical)
{
    ginv_net *G = small_g(2, 3, 3);
    ginv_dlg *E[2] = {NULL, NULL};
    char ck[512];
    ckpt_path(ck, sizeof ck, "dlg.ckpt");
    ginv_dlg_train_opts o;
    ginv_dlg_train_opts_init(&o);
    o.steps = 120, o.batch = 8, o.K = 3, o.lr = 3e-3, o.seed = 2;
    double f[2] = {NAN, NAN};
    for (int r = 0; r < 2; r++) CHECK_OK(ginv_dlg_new_mlp(&E[r], 3, 2, 3, 8, GINV_LAYER_SOFTPLUS, 0, 0.5, 5));
    if (!G || !E[0] || !E[1]) goto done;
    CHECK_OK(ginv_dlg_train(E[0], G, 0.3, &o, &f[0]));
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    stopper s = {ctx, 100};
    ginv_ctx_set_progress(ctx, stop_at, &s);
    ginv_dlg_train_opts oi = o;
    oi.checkpoint = ck, oi.checkpoint_every = 30, oi.ctx = ctx; /* cancelled at 100: the last checkpoint is 90 */
    CHECK_STATUS(ginv_dlg_train(E[1], G, 0.3, &oi, NULL), GINV_ERR_CANCELLED);
    ginv_ctx_free(ctx);
    CHECK(memcmp(ginv_dlg_layer_params(E[0], 0, NULL), ginv_dlg_layer_params(E[1], 0, NULL),
                 ginv_dlg_nparams(E[0]) * sizeof(float)) != 0);
    ginv_dlg_free(E[1]);
    E[1] = NULL;
    CHECK_OK(ginv_dlg_new_mlp(&E[1], 3, 2, 3, 8, GINV_LAYER_SOFTPLUS, 0, 0.5, 5));
    oi.ctx = NULL, oi.resume = 1;
    if (E[1]) CHECK_OK(ginv_dlg_train(E[1], G, 0.3, &oi, &f[1]));
    size_t np = ginv_dlg_nparams(E[0]);
    if (E[1]) {
        CHECK_MSG(memcmp(ginv_dlg_layer_params(E[0], 0, NULL), ginv_dlg_layer_params(E[1], 0, NULL),
                         np * sizeof(float)) == 0, "the resumed DLG's parameters differ from the uninterrupted run's");
        CHECK(ginv_dlg_record(E[0]) && ginv_dlg_record(E[1]) && !strcmp(ginv_dlg_record(E[0]), ginv_dlg_record(E[1])));
    }
    CHECK_MSG(memcmp(&f[0], &f[1], sizeof f[0]) == 0, "final bound %.17g vs %.17g", f[0], f[1]);
    /* nothing left: the checkpoint (step 120) is returned as it is */
    ginv_dlg *E2 = NULL;
    CHECK_OK(ginv_dlg_new_mlp(&E2, 3, 2, 3, 8, GINV_LAYER_SOFTPLUS, 0, 0.5, 6));
    oi.steps = 100;
    if (E2) {
        CHECK_OK(ginv_dlg_train(E2, G, 0.3, &oi, NULL));
        CHECK(memcmp(ginv_dlg_layer_params(E[0], 0, NULL), ginv_dlg_layer_params(E2, 0, NULL), np * sizeof(float)) == 0);
    }
    ginv_dlg_free(E2);
    E2 = NULL;
    /* another width: refused */
    CHECK_OK(ginv_dlg_new_mlp(&E2, 3, 2, 3, 7, GINV_LAYER_SOFTPLUS, 0, 0.5, 5));
    if (E2) CHECK_STATUS(ginv_dlg_train(E2, G, 0.3, &oi, NULL), GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "width 8") && strstr(ginv_last_error(), "width 7"));
    ginv_dlg_free(E2);
done:
    remove(ck);
    ginv_dlg_free(E[0]);
    ginv_dlg_free(E[1]);
    ginv_net_free(G);
}

TEST(encoder_resume_refuses_missing_and_damaged_checkpoints)
{
    ginv_net *G = small_g(2, 4, 3), *E = NULL;
    const int hidden[1] = {8};
    CHECK_OK(ginv_encoder_new(&E, 4, 2, 1, hidden, GINV_LAYER_TANH, 5));
    char ck[512];
    ckpt_path(ck, sizeof ck, "enc-bad.ckpt");
    ginv_encoder_train_opts o;
    ginv_encoder_train_opts_init(&o);
    o.steps = 20, o.batch = 8, o.checkpoint = ck, o.resume = 1;
    if (!G || !E) goto done;
    CHECK_STATUS(ginv_encoder_train(E, G, 0.3, &o, NULL), GINV_ERR_IO);
    o.resume = 0, o.checkpoint_every = 10;
    CHECK_OK(ginv_encoder_train(E, G, 0.3, &o, NULL));
    /* damage the tensors: cut the file short */
    FILE *fp = fopen(ck, "rb");
    unsigned char buf[1 << 16];
    size_t len = fp ? fread(buf, 1, sizeof buf, fp) : 0;
    if (fp) fclose(fp);
    CHECK(len > 100 && len < sizeof buf);
    fp = fopen(ck, "wb");
    if (fp) fwrite(buf, 1, len - 40, fp), fclose(fp);
    o.resume = 1, o.steps = 30;
    CHECK_STATUS(ginv_encoder_train(E, G, 0.3, &o, NULL), GINV_ERR_FORMAT);
    /* a safetensors file that is not a checkpoint */
    CHECK_OK(ginv_net_save(G, ck));
    CHECK_STATUS(ginv_encoder_train(E, G, 0.3, &o, NULL), GINV_ERR_FORMAT);
    CHECK(strstr(ginv_last_error(), "not an encoder training checkpoint") != NULL);
done:
    remove(ck);
    ginv_net_free(E);
    ginv_net_free(G);
}
