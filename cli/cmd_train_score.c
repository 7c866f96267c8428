/* cmd_train_score.c — `ginv train score`: a score-based prior on the
 * intermediate space of a generator (Daras et al. 2022 §4), trained by
 * denoising score matching under the VP-SDE on (a) h = G1(z), z ~ N(0, I),
 * and/or (b) ILO inversions of real images; checkpointed every epoch,
 * resumable; the output file holds G and the score beside it. */
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

typedef struct {
    const char *model, *source, *data, *h_data, *save_h, *hidden, *act, *out, *json;
    int layer, examples, heldout, fourier, resume, quiet;
    double fourier_scale, ema, ilo_radius;
    int ilo_iters, restarts, iters;
    ginv_score_train_opts o;
    uint64_t seed;
} score_args;

/* The training set H (N x p) from --h-data, or the sources: prior draws
 * and/or ILO inversions of --data. 0 or the exit code. */
static int build_data(const char *C, ginv_net *G, const score_args *a, int p, float **H, int *N)
{
    if (a->h_data) {
        ginv_array arr;
        int code = cli_read_vector(C, "h-data", a->h_data, 0, &arr);
        if (code) return code;
        size_t cnt = ginv_array_count(&arr);
        if (cnt % (size_t)p || cnt / (size_t)p < 2) {
            ginv_array_release(&arr);
            return cli_error_code(C, CLI_EXIT_FORMAT, "--h-data %s holds %zu values, not a multiple (>= 2) of "
                                  "p = %d (the input size of layer %d)", a->h_data, cnt, p, a->layer);
        }
        *N = (int)(cnt / (size_t)p);
        *H = arr.data, arr.data = NULL;
        ginv_array_release(&arr);
        return 0;
    }
    int use_prior = strstr(a->source, "prior") != NULL, use_ilo = strstr(a->source, "ilo") != NULL;
    ginv_images im = {0};
    if (use_ilo) {
        ginv_status st = ginv_images_load(a->data, &im);
        if (st != GINV_OK) return cli_fail(C, "--data: %s", ginv_last_error());
        if (im.h * im.w != ginv_net_out(G)) {
            ginv_images_release(&im);
            return cli_error_code(C, CLI_EXIT_FORMAT, "--data images have %dx%d pixels but the generator makes %d",
                                  im.h, im.w, ginv_net_out(G));
        }
    }
    int np = use_prior ? a->examples : 0, ni = use_ilo ? im.count : 0;
    *N = np + ni;
    *H = ginv_malloc((size_t)*N * p * sizeof(float));
    if (!*H) {
        ginv_images_release(&im);
        return cli_oom(C);
    }
    ginv_status st = GINV_OK;
    if (np) st = ginv_score_data_prior(G, a->layer, np, a->seed, *H);
    if (st == GINV_OK && ni) {
        if (!a->quiet) fprintf(stderr, "ginv: inverting %d images with ILO at layer %d (source b)\n", ni, a->layer);
        ginv_ilo_opts io;
        ginv_ilo_opts_init(&io);
        io.radius = a->ilo_radius, io.iters = a->ilo_iters, io.threads = a->o.threads, io.ctx = cli_run_ctx();
        io.csgm.restarts = a->restarts, io.csgm.iters = a->iters, io.csgm.seed = a->seed;
        st = ginv_score_data_ilo(G, a->layer, ni, im.pix, &io, *H + (size_t)np * p);
    }
    ginv_images_release(&im);
    if (st != GINV_OK) return cli_fail(C, "%s", ginv_last_error());
    if (np && ni) { /* one shuffled set, so the held-out tail has both sources in proportion */
        float *row = malloc((size_t)p * sizeof(float));
        if (!row) return cli_oom(C);
        ginv_rng r;
        ginv_rng_init(&r, a->seed, GINV_STREAM_SCORE_DATA, UINT64_MAX);
        for (int i = *N - 1; i > 0; i--) {
            int j = (int)ginv_rng_below(&r, (uint64_t)i + 1);
            memcpy(row, *H + (size_t)i * p, (size_t)p * sizeof(float));
            memcpy(*H + (size_t)i * p, *H + (size_t)j * p, (size_t)p * sizeof(float));
            memcpy(*H + (size_t)j * p, row, (size_t)p * sizeof(float));
        }
        free(row);
    }
    if (a->save_h) {
        int64_t shape[2] = {*N, p};
        if (ginv_array_write(a->save_h, *H, 2, shape) != GINV_OK) return cli_fail(C, "--save-h: %s", ginv_last_error());
    }
    return 0;
}

/* A fresh score model, or the checkpoint's with --resume. */
static int open_score(const char *C, const score_args *a, int p, const char *ckpt, ginv_score **s)
{
    if (a->resume && access(ckpt, F_OK) == 0) {
        if (ginv_score_load(ckpt, s) != GINV_OK) return cli_fail(C, "--resume: %s", ginv_last_error());
        const ginv_score_arch *sa = ginv_score_get_arch(*s);
        if (sa->p != p || sa->layer != a->layer)
            return cli_usage_error(C, "--resume: %s holds a score model for layer %d (p = %d), this run asks "
                                   "for layer %d (p = %d)", ckpt, sa->layer, sa->p, a->layer, p);
        if (!a->quiet) fprintf(stderr, "ginv: resuming from %s after epoch %d\n", ckpt, ginv_score_epoch(*s));
        return 0;
    }
    if (a->resume && !a->quiet) fprintf(stderr, "ginv: no checkpoint %s: starting afresh\n", ckpt);
    ginv_score_arch sa;
    ginv_score_arch_init(&sa);
    sa.p = p, sa.layer = a->layer, sa.nfreq = a->fourier, sa.freq_scale = a->fourier_scale, sa.ema = a->ema;
    sa.nhidden = cli_parse_sizes(C, "hidden", a->hidden, sa.hidden, 8);
    if (sa.nhidden < 1) return sa.nhidden < 0 ? 2 : cli_usage_error(C, "--hidden needs at least one width");
    if (ginv_layer_kind_parse(a->act, &sa.act) != GINV_OK)
        return cli_usage_error(C, "--act '%s' is not an activation", a->act);
    if (ginv_score_new(s, &sa, a->seed) != GINV_OK) return cli_param_error(C, ginv_last_status());
    return 0;
}

/* Train, evaluate on the held-out tail, write FILE and the JSON. */
static int train_and_write(const char *C, ginv_net *G, ginv_score *s, score_args *a, const float *H, int N,
                           const char *ckpt)
{
    int p = ginv_score_get_arch(s)->p, nh = a->heldout, nt = N - nh, before = ginv_score_epoch(s);
    if (nt < a->o.batch)
        return cli_usage_error(C, "%d training examples (of %d, %d held out) are fewer than --batch %d", nt, N, nh,
                               a->o.batch);
    double *hist = calloc((size_t)a->o.epochs + 1, sizeof(double)), held = NAN, t0 = now();
    if (!hist) return cli_oom(C);
    for (int e = 0; e < a->o.epochs; e++) hist[e] = NAN;
    a->o.checkpoint = ckpt, a->o.generator = G, a->o.ctx = cli_run_ctx();
    ginv_status st = ginv_score_train(s, nt, H, &a->o, hist);
    double secs = now() - t0;
    int code = 0;
    if (st != GINV_OK)
        code = ginv_score_epoch(s) > before && access(ckpt, F_OK) == 0
                   ? cli_fail(C, "%s (epoch %d is in %s: --resume continues from it)", ginv_last_error(),
                              ginv_score_epoch(s), ckpt)
                   : cli_fail(C, "%s", ginv_last_error());
    if (!code && nh && ginv_score_eval_loss(s, nh, H + (size_t)nt * p, a->seed, &held) != GINV_OK)
        code = cli_fail(C, "%s", ginv_last_error());
    if (!code && ginv_score_save(s, G, a->out, 0) != GINV_OK) code = cli_fail(C, "%s", ginv_last_error());
    int done = ginv_score_epoch(s);
    if (!code && !a->quiet) {
        printf("score model for layer %d (p = %d): %d parameters, trained epochs %d to %d on %d examples in %.1f s",
               a->layer, p, (int)ginv_net_nparams(ginv_score_net(s)), before + 1, done, nt, secs);
        if (done > before) printf("; final training loss %.5f", hist[done - 1]);
        printf("\n");
        if (nh) printf("held-out denoising loss on %d examples: %.5f\n", nh, held);
        printf("wrote %s (generator + score prior); checkpoint %s\n", a->out, ckpt);
    }
    if (!code && a->json) {
        cJSON *doc = cli_json_new("train score"), *pr = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(pr, "model", a->model);
        cJSON_AddNumberToObject(pr, "layer", a->layer);
        cJSON_AddStringToObject(pr, "source", a->h_data ? "h-data" : a->source);
        cJSON_AddNumberToObject(pr, "epochs", a->o.epochs);
        cJSON_AddNumberToObject(pr, "batch", a->o.batch);
        cJSON_AddNumberToObject(pr, "lr", a->o.lr);
        cJSON_AddNumberToObject(pr, "seed", (double)a->seed);
        cJSON *h = cJSON_AddArrayToObject(doc, "epoch_loss");
        for (int e = 0; e < a->o.epochs; e++) cJSON_AddItemToArray(h, cli_json_num(hist[e]));
        cJSON_AddNumberToObject(doc, "p", p);
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(ginv_score_net(s)));
        cJSON_AddNumberToObject(doc, "train_examples", nt);
        cJSON_AddNumberToObject(doc, "heldout_examples", nh);
        cJSON_AddItemToObject(doc, "heldout_loss", cli_json_num(held));
        cJSON_AddNumberToObject(doc, "epochs_done", done);
        cJSON_AddNumberToObject(doc, "train_seconds", secs);
        code = cli_json_write(C, doc, a->json);
        cJSON_Delete(doc);
    }
    free(hist);
    return code;
}

int cmd_train_score(int argc, char **argv)
{
    const char *C = "train score";
    score_args a = {.source = "prior", .data = "fashion-mnist:train[0:2000]", .hidden = "512,512",
                    .act = "silu", .layer = 0, .examples = 20000, .heldout = -1, .fourier = 16,
                    .fourier_scale = 4, .ema = 0.999, .ilo_radius = INFINITY, .ilo_iters = 300,
                    .restarts = 2, .iters = 300, .seed = 1};
    ginv_score_train_opts_init(&a.o);
    a.o.threads = 0;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &a.model, "FILE", "the generator G (a model file)"},
        {"layer", 0, OPT_INT, &a.layer, "L", "the split G = G2 o G1 before layer L: the prior is on G1's output", 1, 1 << 20},
        {"source", 0, OPT_STRING, &a.source, "prior|ilo|prior,ilo", "training data: (a) h = G1(z), z ~ N(0, I); (b) ILO inversions of --data"},
        {"examples", 0, OPT_INT, &a.examples, "N", "source prior: the number of draws", 2, 1 << 26},
        {"data", 0, OPT_STRING, &a.data, "SPEC", "source ilo: the real images to invert (default fashion-mnist:train[0:2000])"},
        {"ilo-radius", 0, OPT_DOUBLE, &a.ilo_radius, "R", "source ilo: the l1 radius of ILO's deviation (default inf: unconstrained)", 0, INFINITY},
        {"ilo-iters", 0, OPT_INT, &a.ilo_iters, "T", "source ilo: ILO's Adam iterations on h", 0, 1 << 24},
        {"restarts", 0, OPT_INT, &a.restarts, "R", "source ilo: CSGM restarts of the first stage", 1, 1 << 16},
        {"iters", 0, OPT_INT, &a.iters, "T", "source ilo: CSGM Adam iterations of the first stage", 0, 1 << 24},
        {"h-data", 0, OPT_STRING, &a.h_data, "FILE", "train on these intermediate representations (N x p array) instead"},
        {"save-h", 0, OPT_STRING, &a.save_h, "FILE", "write the training set (N x p) as an array (.npy)"},
        {"heldout", 0, OPT_INT, &a.heldout, "N", "examples kept out of training for the held-out loss (default a tenth)", 0, 1 << 26},
        {"hidden", 0, OPT_STRING, &a.hidden, "H1,H2,..", "the score MLP's hidden widths"},
        {"act", 0, OPT_STRING, &a.act, "NAME", "its hidden activation (default silu)"},
        {"fourier", 0, OPT_INT, &a.fourier, "F", "Gaussian random Fourier features of t (2F inputs)", 0, 4096},
        {"fourier-scale", 0, OPT_DOUBLE, &a.fourier_scale, "S", "their frequencies' sd", 1e-6, 1e6},
        {"ema", 0, OPT_DOUBLE, &a.ema, "D", "decay of the weights' moving average, the model used (0: none)", 0, 0.999999},
        {"epochs", 0, OPT_INT, &a.o.epochs, "E", "epochs in all (a resumed run continues up to E)", 0, 1 << 20},
        {"batch", 0, OPT_INT, &a.o.batch, "B", "minibatch size", 1, 1 << 20},
        {"lr", 0, OPT_DOUBLE, &a.o.lr, "ETA", "Adam learning rate", 0, 10},
        {"seed", 0, OPT_U64, &a.seed, "S", "seed of the initialisation, data, shuffles, times and noise"},
        CLI_THREADS_OPT(a.o.threads),
        {"output", 'o', OPT_STRING, &a.out, "FILE", "G with the trained prior (.safetensors); FILE.ckpt: the per-epoch checkpoint"},
        {"resume", 0, OPT_FLAG, &a.resume, "", "continue from FILE.ckpt (bit-identical to an uninterrupted run)"},
        {"json", 0, OPT_STRING, &a.json, "FILE", "write the losses as JSON ('-': stdout)"},
        CLI_QUIET_OPT(a.quiet),
        {0}};
    cli_cmd cmd = {C, "train a score-based prior on a generator's intermediate layer (SGILO, Daras et al. 2022)",
                   "ginv train score --model G.safetensors --layer L [--source prior|ilo] -o G+score.safetensors",
                   "The prior is a time-conditioned MLP eps(h~, t) over the standardised "
                   "representation h~ = (h - mean) / sd and Gaussian random Fourier features of t, "
                   "trained by denoising score matching (Song et al. 2021, eq. 7 with lambda(t) = "
                   "sigma(t)^2) under the VP-SDE with beta from 0.1 to 20; the score is "
                   "-eps(h~, t) / sigma(t). The model used is the moving average of the weights. "
                   "The output file holds G as its net (every command takes it as --model) and "
                   "the prior beside it, so 'ginv cs --method sgilo --model FILE' finds both. After "
                   "every epoch the whole state is written atomically to FILE.ckpt; --resume "
                   "continues from it and refuses other data. With both sources the examples are "
                   "shuffled into one set (stream (seed, SCORE_DATA, 2^64 - 1)); its last --heldout "
                   "examples are not trained on and their loss is reported."};
    int npos = 0;
    int rc = cli_parse(&cmd, opts, argc, argv, NULL, 0, &npos);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    if (!a.out) return cli_usage_error(C, "-o FILE is required (where to write G and its prior)");
    if (!a.model) return cli_usage_error(C, "--model FILE is required (the generator)");
    if (!a.layer) return cli_usage_error(C, "--layer L is required (the prior is on the input of layer L)");
    if (strcmp(a.source, "prior") && strcmp(a.source, "ilo") && strcmp(a.source, "prior,ilo") &&
        strcmp(a.source, "ilo,prior"))
        return cli_usage_error(C, "--source '%s': expected prior, ilo or prior,ilo", a.source);
    a.o.seed = a.seed;
    a.o.threads = cli_threads(a.o.threads);
    cli_install_callbacks(a.quiet);
    ginv_net *G = NULL;
    if (ginv_net_load(a.model, &G) != GINV_OK) return cli_fail(C, "%s", ginv_last_error());
    int L = ginv_net_nlayers(G), code = 0;
    if (a.layer >= L) {
        ginv_net_free(G);
        return cli_usage_error(C, "--layer %d: the generator has %d layers; the split must leave G2 at least "
                               "one (1 to %d)", a.layer, L, L - 1);
    }
    int p = ginv_net_layer_c(G, a.layer)->in, N = 0;
    float *H = NULL;
    char ckpt[4096];
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", a.out);
    code = build_data(C, G, &a, p, &H, &N);
    if (!code && a.heldout < 0) a.heldout = N / 10;
    if (!code && a.heldout >= N) code = cli_usage_error(C, "--heldout %d leaves nothing of %d examples", a.heldout, N);
    ginv_score *s = NULL;
    if (!code) code = open_score(C, &a, p, ckpt, &s);
    if (!code) code = train_and_write(C, G, s, &a, H, N, ckpt);
    ginv_score_free(s);
    ginv_free(H);
    ginv_net_free(G);
    return code;
}
