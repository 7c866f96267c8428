/* cmd_train.c — `ginv train vae`: a VAE on an image dataset (Kingma &
 * Welling 2014; Bernoulli likelihood, or Pareek & Risteski's Gaussian
 * N(G(z), beta^2 I) of their Definition 1) trained by minibatch Adam,
 * checkpointed atomically every epoch, resumable, ending with the test-set
 * ELBO. The file it writes is a model file whose net is the generator
 * G(z) = sigmoid(L(z)). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* "fashion-mnist" alone means its training split; test data defaults to the
 * matching test split. */
static void dataset_specs(const char *data, const char *test, char *train_spec, char *test_spec,
                          size_t len)
{
    if (!strcmp(data, "fashion-mnist")) snprintf(train_spec, len, "fashion-mnist:train");
    else snprintf(train_spec, len, "%s", data);
    if (test) snprintf(test_spec, len, "%s", test);
    else if (!strncmp(train_spec, "fashion-mnist:", 14)) snprintf(test_spec, len, "fashion-mnist:test");
    else test_spec[0] = 0;
}

/* "--arch A --latent K --hidden H1,H2 --act NAME [--likelihood gaussian
 * --beta B]" of an architecture, into buf. */
static const char *arch_text(const ginv_vae_arch *a, char *buf, size_t len)
{
    int o = snprintf(buf, len, "--arch %s --latent %d --hidden ",
                     a->kind == GINV_VAE_CONV ? "conv" : "mlp", a->k);
    for (int i = 0; i < a->nhidden && o > 0 && (size_t)o < len; i++)
        o += snprintf(buf + o, len - (size_t)o, "%s%d", i ? "," : "", a->hidden[i]);
    if (!a->nhidden && o > 0 && (size_t)o < len) o += snprintf(buf + o, len - (size_t)o, "''");
    if (o > 0 && (size_t)o < len && a->fc > 0) o += snprintf(buf + o, len - (size_t)o, " --fc %d", a->fc);
    if (o > 0 && (size_t)o < len) o += snprintf(buf + o, len - (size_t)o, " --act %s", ginv_layer_kind_name(a->act));
    if (o > 0 && (size_t)o < len && a->likelihood == GINV_VAE_GAUSSIAN) /* bernoulli: the default, unsaid */
        snprintf(buf + o, len - (size_t)o, " --likelihood gaussian --beta %g", a->beta);
    return buf;
}

static int same_arch(const ginv_vae_arch *x, const ginv_vae_arch *y)
{
    if (x->kind != y->kind || x->k != y->k || x->nhidden != y->nhidden || x->act != y->act ||
        x->likelihood != y->likelihood || x->beta != y->beta || x->fc != y->fc)
        return 0;
    if (x->kind == GINV_VAE_CONV && (x->c != y->c || x->h != y->h || x->w != y->w)) return 0;
    for (int i = 0; i < x->nhidden; i++)
        if (x->hidden[i] != y->hidden[i]) return 0;
    return 1;
}

/* --likelihood and --beta into a (beta NaN: not given; the parser takes only
 * finite numbers): 0, or the exit code. */
static int parse_likelihood(const char *C, const char *lik, double beta, ginv_vae_arch *a)
{
    if (!strcmp(lik, "bernoulli")) {
        if (!isnan(beta))
            return cli_usage_error(C, "--beta is the Gaussian likelihood's std: give it with "
                                   "--likelihood gaussian (the Bernoulli likelihood has none)");
        return 0;
    }
    if (strcmp(lik, "gaussian"))
        return cli_usage_error(C, "--likelihood '%s': expected bernoulli or gaussian", lik);
    if (isnan(beta))
        return cli_usage_error(C, "--likelihood gaussian needs --beta B (the fixed std of p(x|z) = N(G(z), B^2 I))");
    if (!(beta > 0))
        return cli_usage_error(C, "--beta %g must be > 0 (the std of p(x|z))", beta);
    a->likelihood = GINV_VAE_GAUSSIAN;
    a->beta = beta;
    return 0;
}

/* --arch, --hidden and --act into a (their defaults, which depend on --arch,
 * are written back to *hidden and *act): 0, or the exit code. */
static int parse_arch(const char *C, const char *arch, const char **hidden, const char **act,
                      ginv_vae_arch *a)
{
    if (!strcmp(arch, "conv")) a->kind = GINV_VAE_CONV;
    else if (strcmp(arch, "mlp"))
        return cli_usage_error(C, "--arch '%s': expected mlp or conv", arch);
    if (!*hidden) *hidden = a->kind == GINV_VAE_CONV ? "32,64" : "500,500";
    if (!*act) *act = a->kind == GINV_VAE_CONV ? "elu" : "softplus";
    int hs[8];
    a->nhidden = cli_parse_sizes(C, "hidden", *hidden, hs, a->kind == GINV_VAE_CONV ? 4 : 8);
    if (a->nhidden < 0) return 2;
    if (a->kind == GINV_VAE_CONV && a->nhidden < 1)
        return cli_usage_error(C, "--arch conv needs at least one --hidden channel count");
    memcpy(a->hidden, hs, sizeof hs);
    if (ginv_layer_kind_parse(*act, &a->act) != GINV_OK || !ginv_layer_is_act(a->act))
        return cli_usage_error(C, "--act '%s' is not an activation", *act);
    return 0;
}

/* The training images (and the test images unless no_test or there are none),
 * with the image size filled into a: 0, or the exit code with nothing held. */
static int load_data(const char *C, const char *train_spec, const char *test_spec, int no_test,
                     ginv_vae_arch *a, ginv_images *tr, ginv_images *te)
{
    ginv_status st = ginv_images_load(train_spec, tr);
    if (st != GINV_OK) return cli_fail(C, "--data: %s", ginv_last_error());
    if (!no_test && test_spec[0] && (st = ginv_images_load(test_spec, te)) != GINV_OK) {
        ginv_images_release(tr);
        return cli_fail(C, "--test-data: %s", ginv_last_error());
    }
    if (te->count && te->h * te->w != tr->h * tr->w) { /* the sizes printed before the images are released */
        int rc = cli_error_code(C, CLI_EXIT_FORMAT, "test images are %dx%d but training images %dx%d", te->h, te->w,
                                tr->h, tr->w);
        ginv_images_release(tr);
        ginv_images_release(te);
        return rc;
    }
    a->n = tr->h * tr->w;
    a->c = 1; /* grayscale */
    a->h = tr->h;
    a->w = tr->w;
    if (a->kind == GINV_VAE_CONV && (tr->h % (1 << a->nhidden) || tr->w % (1 << a->nhidden))) {
        int rc = cli_usage_error(C, "--arch conv with %d --hidden layers halves the images %d times: "
                                 "their height and width must divide by %d, they are %dx%d",
                                 a->nhidden, a->nhidden, 1 << a->nhidden, tr->h, tr->w);
        ginv_images_release(tr);
        ginv_images_release(te);
        return rc;
    }
    return 0;
}

/* The VAE to train, into *v: the checkpoint's with --resume when there is one
 * (of the same architecture), else a fresh one. 0, or the exit code. */
static int open_vae(const char *C, int resume, int quiet, const char *ckpt, const ginv_vae_arch *a,
                    uint64_t seed, ginv_vae **v)
{
    int code = 0;
    if (resume && access(ckpt, F_OK) == 0) {
        ginv_status st = ginv_vae_load(ckpt, v);
        if (st != GINV_OK) code = cli_fail(C, "--resume: %s", ginv_last_error());
        else if (ginv_net_in(ginv_vae_encoder(*v)) != a->n)
            code = cli_error_code(C, CLI_EXIT_FORMAT, "--resume: the checkpoint's VAE takes %d pixels, the data %d",
                             ginv_net_in(ginv_vae_encoder(*v)), a->n);
        else if (!same_arch(ginv_vae_get_arch(*v), a)) { /* never trained on silently */
            char have[256], want[256];
            code = cli_usage_error(C, "--resume: %s holds a VAE with %s, this run asks for %s; give "
                                   "the checkpoint's architecture, or start afresh (another -o, or "
                                   "without --resume)", ckpt, arch_text(ginv_vae_get_arch(*v), have, sizeof have),
                                   arch_text(a, want, sizeof want));
        } else if (!quiet)
            fprintf(stderr, "ginv: resuming from %s after epoch %d\n", ckpt, ginv_vae_epoch(*v));
    } else {
        if (resume && !quiet) fprintf(stderr, "ginv: no checkpoint %s: starting afresh\n", ckpt);
        ginv_status st = ginv_vae_new(v, a, seed);
        if (st != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
    }
    return code;
}

/* What a run did: the per-epoch losses (NaN: not run now), the epochs the
 * checkpoint held before it, its training time and the test-set ELBO terms. */
typedef struct {
    double *hist;
    int epochs_before;
    double secs, test_loss, test_rec, test_kl;
} train_outcome;

static void print_summary(const ginv_vae *v, const ginv_vae_train_opts *o, const ginv_images *tr,
                          const ginv_images *te, const train_outcome *r, const char *out, const char *ckpt)
{
    int done = ginv_vae_epoch(v), epochs_before = r->epochs_before;
    ginv_vae_train_record rec;
    int have_rec = ginv_vae_train_record_get(v, &rec);
    char last[64] = "";
    if (have_rec && isfinite(rec.last_loss))
        snprintf(last, sizeof last, " (its last training loss %.3f)", rec.last_loss);
    if (done == epochs_before && done == 0)
        printf("nothing to train (--epochs 0): the VAE is its initialisation on %d images (%dx%d)\n",
               tr->count, tr->h, tr->w);
    else if (done == epochs_before)
        printf("nothing to train: the checkpoint already holds %d epoch%s (--epochs %d)%s\n", done,
               done == 1 ? "" : "s", o->epochs, last);
    else if (epochs_before > 0)
        printf("trained epochs %d to %d on %d images (%dx%d) in %.1f s; final training loss %.3f\n",
               epochs_before + 1, done, tr->count, tr->h, tr->w, r->secs, r->hist[done - 1]);
    else
        printf("trained %d epoch%s on %d images (%dx%d) in %.1f s; final training loss %.3f\n",
               done, done == 1 ? "" : "s", tr->count, tr->h, tr->w, r->secs, r->hist[done - 1]);
    if (te->count)
        printf("test ELBO on %d images: %.3f nats per image (reconstruction %.3f, KL %.3f)\n",
               te->count, -r->test_loss, r->test_rec, r->test_kl);
    if (done > 0) printf("wrote %s (generator + encoder); checkpoint %s\n", out, ckpt);
    else printf("wrote %s (generator + encoder)\n", out);
}

/* The run's parameters as the JSON's "params" object. */
static void json_params(cJSON *doc, const char *train_spec, const char *arch, int latent, const char *hidden,
                        const char *act, const ginv_vae_arch *a, const ginv_vae_train_opts *o, uint64_t seed)
{
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(p, "data", train_spec);
    cJSON_AddStringToObject(p, "arch", arch);
    cJSON_AddNumberToObject(p, "latent", latent);
    cJSON_AddStringToObject(p, "hidden", hidden);
    if (a->fc > 0) cJSON_AddNumberToObject(p, "fc", a->fc);
    cJSON_AddStringToObject(p, "act", act);
    cJSON_AddStringToObject(p, "likelihood", a->likelihood == GINV_VAE_GAUSSIAN ? "gaussian" : "bernoulli");
    if (a->likelihood == GINV_VAE_GAUSSIAN) cJSON_AddNumberToObject(p, "beta", a->beta);
    cJSON_AddNumberToObject(p, "epochs", o->epochs);
    cJSON_AddNumberToObject(p, "batch", o->batch);
    cJSON_AddNumberToObject(p, "lr", o->lr);
    cJSON_AddNumberToObject(p, "seed", (double)seed);
}

/* The losses and the test ELBO into doc (after its "params"). */
static void json_results(cJSON *doc, const ginv_vae *v, const ginv_vae_train_opts *o, const ginv_images *tr,
                         const ginv_images *te, const train_outcome *r, const char *test_spec)
{
    cJSON *h = cJSON_AddArrayToObject(doc, "epoch_loss");
    for (int e = 0; e < o->epochs; e++) cJSON_AddItemToArray(h, cli_json_num(r->hist[e])); /* null: not run now */
    cJSON_AddNumberToObject(doc, "epochs_before", r->epochs_before); /* from the checkpoint */
    cJSON_AddNumberToObject(doc, "epochs_done", ginv_vae_epoch(v));
    cJSON_AddNumberToObject(doc, "train_images", tr->count);
    cJSON_AddNumberToObject(doc, "train_seconds", r->secs);
    if (te->count) {
        cJSON *t = cJSON_AddObjectToObject(doc, "test");
        cJSON_AddStringToObject(t, "data", test_spec);
        cJSON_AddNumberToObject(t, "images", te->count);
        cJSON_AddItemToObject(t, "elbo", cli_json_num(-r->test_loss));
        cJSON_AddItemToObject(t, "reconstruction", cli_json_num(r->test_rec));
        cJSON_AddItemToObject(t, "kl", cli_json_num(r->test_kl));
    }
}

/* Train v on tr by ginv_vae_train, the checkpoint in ckpt; the losses and the
 * time into r. 0, or the exit code. */
static int run_training(const char *C, ginv_vae *v, const ginv_images *tr, ginv_vae_train_opts *o,
                        const char *ckpt, train_outcome *r)
{
    double t0 = now();
    o->checkpoint = ckpt;
    o->ctx = cli_run_ctx(); /* Ctrl-C: the checkpoint keeps the last finished epoch */
    ginv_status st = ginv_vae_train(v, tr->count, tr->pix, o, r->hist);
    r->secs = now() - t0;
    /* name the checkpoint only when it holds a finished epoch and training
     * failed (not when the run was refused: bad options or other data) */
    if (st != GINV_OK && st != GINV_ERR_ARG && ginv_vae_epoch(v) > 0 && access(ckpt, F_OK) == 0)
        return cli_fail(C, "%s (epoch %d, the last finished, is in %s: --resume continues from it)",
                        ginv_last_error(), ginv_vae_epoch(v), ckpt);
    else if (st != GINV_OK)
        return cli_fail(C, "%s", ginv_last_error());
    return 0;
}

static int train_vae(int argc, char **argv)
{
    const char *C = "train vae";
    const char *data = "fashion-mnist", *test = NULL, *hidden = NULL, *act = NULL, *arch = "mlp";
    const char *out = NULL, *json = NULL, *lik = "bernoulli";
    double beta = NAN;
    int latent = 20, fc = 0, resume = 0, quiet = 0, no_test = 0;
    ginv_vae_train_opts o;
    ginv_vae_train_opts_init(&o);
    o.epochs = 20;
    o.threads = 0; /* cli_threads() after parsing */
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"data", 0, OPT_STRING, &data, "SPEC", "training images: fashion-mnist (its train split), fashion-mnist:train[a:b], idx:FILE, or PNG/PGM files"},
        {"test-data", 0, OPT_STRING, &test, "SPEC", "images for the final ELBO (default: fashion-mnist:test for fashion-mnist)"},
        {"no-test", 0, OPT_FLAG, &no_test, "", "skip the final test-set ELBO"},
        {"latent", 0, OPT_INT, &latent, "K", "latent size k", 1, 4096},
        {"arch", 0, OPT_STRING, &arch, "mlp|conv", "dense layers (mlp, the default) or strided convolutions (conv)"},
        {"hidden", 0, OPT_STRING, &hidden, "H1,H2,..", "mlp: hidden widths, encoder n-H1-H2-(2k), decoder k-..-H2-H1-n (default 500,500); conv: channels of the 4x4 stride-2 convs (default 32,64)"},
        {"fc", 0, OPT_INT, &fc, "W", "conv: a dense hidden layer of width W between the convolutions and the latent, in the encoder and the decoder (0: none)", 0, 65536},
        {"act", 0, OPT_STRING, &act, "NAME", "hidden activation: softplus (mlp default), elu (conv default), relu, leaky_relu, tanh, gelu, silu"},
        {"likelihood", 0, OPT_STRING, &lik, "bernoulli|gaussian", "p(x|z): Bernoulli(G(z)) (the default) or N(G(z), B^2 I), Pareek & Risteski's Definition 1 (needs --beta)"},
        {"beta", 0, OPT_DOUBLE, &beta, "B", "gaussian: the noise level B > 0, fixed, of p(x|z) = N(G(z), B^2 I) (Pareek & Risteski's beta; required with gaussian, refused with bernoulli)"},
        {"epochs", 0, OPT_INT, &o.epochs, "E", "epochs in all (a resumed run continues up to E)", 0, 1 << 20},
        {"batch", 0, OPT_INT, &o.batch, "B", "minibatch size", 1, 1 << 20},
        {"lr", 0, OPT_DOUBLE, &o.lr, "ETA", "Adam learning rate", 0, 10},
        {"seed", 0, OPT_U64, &seed, "S", "seed of the initialisation, shuffles and noise"},
        CLI_THREADS_OPT(o.threads),
        {"output", 'o', OPT_STRING, &out, "FILE", "the trained VAE (.safetensors); FILE.ckpt holds the per-epoch checkpoint"},
        {"resume", 0, OPT_FLAG, &resume, "", "continue from FILE.ckpt (bit-identical to an uninterrupted run)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write losses and the test ELBO as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "train a VAE (Bernoulli or Gaussian likelihood, N(0, I) prior) by minibatch Adam",
                   "ginv train vae --data fashion-mnist --latent 20 --hidden 500,500 --epochs E -o vae.safetensors",
                   "--arch mlp: the encoder is n-H1-..-(2k) (mean and log-variance, last layer "
                   "linear), the decoder k-..-H1-n with a sigmoid output. --arch conv (images "
                   "whose height and width divide by 2^L, L the number of --hidden channels): the "
                   "encoder is L conv2d layers (4x4, stride 2, padding 1: 28x28 -> 14x14 -> 7x7 "
                   "for 32,64) then a dense layer to (2k), the decoder a dense layer to HL x 7 x 7 "
                   "(with --fc W, a dense layer of width W and the activation come before the "
                   "encoder's last layer and after the decoder's first: k -> W -> HL x 7 x 7), "
                   "a reshape and L conv_transpose2d layers (4x4, stride 2, padding 1) back to "
                   "1 x h x w with a sigmoid output. The loss is the negative ELBO "
                   "(Kingma & Welling 2014, eq. 10) with one reparameterised sample per image; "
                   "its reconstruction term is -log p(x|z) for p(x|z) = Bernoulli(G(z)) "
                   "(--likelihood bernoulli, the default) or N(G(z), B^2 I) with B = --beta "
                   "fixed (--likelihood gaussian, Pareek & Risteski's Definition 1: "
                   "||x - G(z)||^2 / (2 B^2) + (n/2) log(2 pi B^2) per image; the mean G(z) "
                   "keeps the sigmoid, so it lies in [0, 1] like the images). "
                   "After every epoch the whole state (parameters, Adam moments, epoch) is "
                   "written atomically to FILE.ckpt; --resume continues from it. The checkpoint "
                   "records the training data (count and a hash of the pixels), --batch, --lr "
                   "and --seed: --resume refuses another architecture (--arch, --latent, --hidden, --fc, --act, "
                   "--likelihood, --beta) "
                   "or other data (exit 2) and warns when --batch, --lr or --seed differ (the run "
                   "is then not bit-identical to an uninterrupted one); with nothing left to train "
                   "(--epochs reached) it says so and still writes FILE. The output "
                   "file's net is the generator G(z) = sigmoid(decoder(z)), so 'ginv cs', "
                   "'ginv recover' and 'ginv sample' take it as --model; the encoder is stored "
                   "beside it."};
    int npos_ = 0;
    int rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos_);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    if (!out) return cli_usage_error(C, "-o FILE is required (where to write the VAE)");
    o.seed = seed;
    ginv_vae_arch a = {.k = latent, .fc = fc};
    int code = parse_arch(C, arch, &hidden, &act, &a);
    if (!code && fc && a.kind != GINV_VAE_CONV)
        code = cli_usage_error(C, "--fc is the conv VAE's dense hidden layer; with --arch mlp give the widths in --hidden");
    if (!code) code = parse_likelihood(C, lik, beta, &a);
    if (code) return code;
    char ckpt[4096], train_spec[1024], test_spec[1024];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    dataset_specs(data, test, train_spec, test_spec, sizeof train_spec);
    o.threads = cli_threads(o.threads);
    cli_install_callbacks(quiet);

    ginv_images tr = {0}, te = {0};
    code = load_data(C, train_spec, test_spec, no_test, &a, &tr, &te);
    if (code) return code;
    ginv_vae *v = NULL;
    code = open_vae(C, resume, quiet, ckpt, &a, seed, &v);
    train_outcome r = {.test_loss = NAN, .test_rec = NAN, .test_kl = NAN};
    r.hist = code ? NULL : calloc((size_t)o.epochs + 1, sizeof(double));
    for (int e = 0; r.hist && e < o.epochs; e++) r.hist[e] = NAN;
    r.epochs_before = v ? ginv_vae_epoch(v) : 0;
    if (!code) code = run_training(C, v, &tr, &o, ckpt, &r);
    if (!code && te.count) {
        ginv_status st = ginv_vae_eval(v, te.count, te.pix, seed, &r.test_loss, &r.test_rec, &r.test_kl);
        if (st != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
    }
    if (!code && ginv_vae_save(v, out, 0) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    if (!code && !quiet) print_summary(v, &o, &tr, &te, &r, out, ckpt);
    if (!code && json) {
        cJSON *doc = cli_json_new("train vae");
        json_params(doc, train_spec, arch, latent, hidden, act, &a, &o, seed);
        json_results(doc, v, &o, &tr, &te, &r, test_spec);
        code = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    free(r.hist);
    ginv_vae_free(v);
    ginv_images_release(&tr);
    ginv_images_release(&te);
    return code;
}

int cmd_train(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "vae")) return train_vae(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "score")) return cmd_train_score(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ginv train vae|score [options]\n\n  vae     a variational autoencoder on images "
               "(see 'ginv train vae --help')\n  score   a score-based prior on a generator's "
               "intermediate layer (see 'ginv train score --help')\n");
        return 0;
    }
    fprintf(stderr, "ginv train: error: expected a model kind: 'ginv train vae' or 'ginv train score' "
                    "(see 'ginv train --help')\n");
    return 2;
}
