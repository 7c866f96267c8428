/* cmd_encoder.c — `ginv encoder train|eval`: amortised Gaussian encoders
 * q(z | x) for a fixed generator under Pareek & Risteski's VAE model
 * (x = G(z) + beta xi), trained on fresh model samples, and how often they
 * invert G (docs/encoders.md). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_eval(const char *C, const ginv_encoder_eval_result *r, int quiet)
{
    (void)C;
    if (!quiet)
        printf("on %d model samples: explains x (||G(z) - x|| <= beta (sqrt(n) + 3)) with its mean %.4f, "
               "with a draw %.4f (the true z: %.4f); -log q(z0 | x) %.4f; ||mu - z0|| / ||z0|| %.4f\n",
               r->samples, r->success_mean, r->success_draw, r->success_truth, r->nll, r->rel_error);
    return 0;
}

static void json_eval(cJSON *doc, const ginv_encoder_eval_result *r)
{
    cJSON *e = cJSON_AddObjectToObject(doc, "eval");
    cJSON_AddNumberToObject(e, "samples", r->samples);
    cJSON_AddItemToObject(e, "success_mean", cli_json_num(r->success_mean));
    cJSON_AddItemToObject(e, "success_draw", cli_json_num(r->success_draw));
    cJSON_AddItemToObject(e, "success_truth", cli_json_num(r->success_truth));
    cJSON_AddItemToObject(e, "nll", cli_json_num(r->nll));
    cJSON_AddItemToObject(e, "rel_error", cli_json_num(r->rel_error));
}

static int encoder_train(int argc, char **argv)
{
    const char *C = "encoder train", *model = NULL, *out = NULL, *json = NULL, *hidden_s = NULL,
               *act_s = "relu", *obj_s = NULL, *arch = "gaussian";
    double beta = 0.1;
    int quiet = 0, neval = 1000, threads = 0, layers = 2, sivi_k = 8, resume = 0;
    uint64_t seed = 1;
    ginv_encoder_train_opts o;
    ginv_encoder_train_opts_init(&o);
    int steps = (int)o.steps, every = (int)o.checkpoint_every;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator G (frozen; required)"},
        {"beta", 0, OPT_DOUBLE, &beta, "B", "noise level of the model x = G(z) + beta xi", 1e-12, 1e6},
        {"arch", 0, OPT_STRING, &arch, "gaussian|dlg", "gaussian: q = N(mu(x), diag sigma^2(x)); dlg: a deep latent Gaussian of --layers layers, trained by the SIVI bound"},
        {"objective", 0, OPT_STRING, &obj_s, "sleep|elbo", "gaussian: sleep (default): -log q(z0 | x) on model samples (forward KL; needs no gradient of G); elbo: the Gaussian-likelihood ELBO (reverse KL; needs J_G)"},
        {"hidden", 0, OPT_STRING, &hidden_s, "H1,H2,..", "gaussian: hidden widths (0 to 8 layers; '' for none; default 128,128); dlg: the one width H of every layer (default 64)"},
        {"layers", 0, OPT_INT, &layers, "L", "dlg: the stochastic layers z_1..z_L", 1, 4096},
        {"sivi-k", 0, OPT_INT, &sivi_k, "K", "dlg: extra independent draws of the layers below z_L in the SIVI bound L_K", 0, 65536},
        {"act", 0, OPT_STRING, &act_s, "NAME", "hidden activation"},
        {"steps", 0, OPT_INT, &steps, "T", "Adam steps, each on a fresh batch of model samples", 0, 1 << 30},
        {"batch", 0, OPT_INT, &o.batch, "B", "samples per step", 1, 1 << 20},
        {"lr", 0, OPT_DOUBLE, &o.lr, "ETA", "Adam step size", 1e-12, 10},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (initialisation, samples)"},
        {"eval", 0, OPT_INT, &neval, "N", "gaussian: then evaluate on N fresh samples (0: skip)", 0, 1 << 24},
        {"output", 'o', OPT_STRING, &out, "FILE", "the trained encoder's file (gaussian: a model x -> mu, log sigma^2; dlg: a deep latent Gaussian; required); FILE.ckpt holds the checkpoint"},
        {"checkpoint-every", 0, OPT_INT, &every, "C", "write the whole training state to FILE.ckpt every C steps and after the last (0: no checkpoint)", 0, 1 << 30},
        {"resume", 0, OPT_FLAG, &resume, "", "continue from FILE.ckpt up to --steps (bit-identical to an uninterrupted run)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the run as JSON ('-': stdout)"},
        CLI_THREADS_OPT(threads),
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "Train an amortised Gaussian encoder q(z | x) for a fixed generator.",
                   "ginv encoder train --model G.safetensors [--beta B] [--hidden 128,128] -o E.safetensors",
                   "q(z | x) = N(mu(x), diag sigma^2(x)), an MLP x -> (mu, log sigma^2), for the VAE model\n"
                   "z ~ N(0, I), x = G(z) + beta xi (Pareek & Risteski 2021, Definition 1), trained by Adam\n"
                   "on a fresh batch of model samples each step. The sleep objective (wake-sleep's sleep\n"
                   "phase) is minimised by the posterior itself and needs only G's forward, so it trains on\n"
                   "G(z) = C(sgn z) too (ginv net oneway); elbo needs G's Jacobian. --eval then reports how\n"
                   "often the encoder explains x (||G(z) - x|| <= beta (sqrt(n) + 3)): on the one-way G this\n"
                   "is inverting C, the inverter of the proof of Theorem 2. --arch dlg trains a deep latent\n"
                   "Gaussian z_i = F_i(z_{i-1}, x) + gamma_i xi_i, F_i = W2 act(c_a (A x + b1) + c_b B z) + b2,\n"
                   "by Adam on the semi-implicit bound L_K (Yin & Zhou 2018) with G frozen, and saves it\n"
                   "for ginv encoder sample|distance. Every --checkpoint-every C steps and after the last,\n"
                   "the whole state (parameters, Adam's moments, the step) goes atomically to FILE.ckpt with\n"
                   "what it was trained with (the architecture, a hash of G, beta, the objective, K, batch,\n"
                   "lr, seed); --resume continues from it to --steps, bit-identical to an uninterrupted run\n"
                   "(each step's samples come from the stream (seed, step)). It refuses another architecture,\n"
                   "G, beta or objective (exit 2), warns when --batch, --lr, --seed or --sivi-k differ, says\n"
                   "so when nothing is left and still writes FILE; a missing checkpoint exits 5, a damaged\n"
                   "one 4. See docs/encoders.md."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(quiet);
    if (!model || !out) return cli_usage_error(C, "--model FILE and -o FILE are required");
    char ckpt[4096];
    if (snprintf(ckpt, sizeof ckpt, "%s.ckpt", out) >= (int)sizeof ckpt) return cli_usage_error(C, "-o: the path is too long");
    if (resume && access(ckpt, F_OK) != 0)
        return cli_error_code(C, CLI_EXIT_IO, "--resume: no checkpoint %s (written by a run with --checkpoint-every C > 0)", ckpt);
    if (!strcmp(arch, "dlg")) {
        int hd[1];
        if (obj_s) return cli_usage_error(C, "--objective is for --arch gaussian (dlg trains the SIVI bound)");
        if (hidden_s && cli_parse_sizes(C, "hidden", hidden_s, hd, 1) != 1)
            return hidden_s && *hidden_s ? CLI_EXIT_USAGE : cli_usage_error(C, "--hidden: dlg needs one width");
        cli_dlg_train_args a = {model, out, json, act_s, beta, o.lr, layers, hidden_s ? hd[0] : 64, sivi_k, steps,
                                o.batch, threads, quiet, seed, every || resume ? ckpt : NULL, every, resume};
        return cli_encoder_train_dlg(C, &a);
    }
    if (strcmp(arch, "gaussian")) return cli_usage_error(C, "--arch '%s' must be gaussian or dlg", arch);
    if (!hidden_s) hidden_s = "128,128";
    if (!obj_s) obj_s = "sleep";
    if (!strcmp(obj_s, "sleep")) o.objective = GINV_ENCODER_SLEEP;
    else if (!strcmp(obj_s, "elbo")) o.objective = GINV_ENCODER_ELBO;
    else return cli_usage_error(C, "--objective '%s' must be sleep or elbo", obj_s);
    int hidden[8], nh = *hidden_s ? cli_parse_sizes(C, "hidden", hidden_s, hidden, 8) : 0;
    if (nh < 0) return CLI_EXIT_USAGE;
    ginv_layer_kind act;
    if (ginv_layer_kind_parse(act_s, &act) != GINV_OK || !ginv_layer_is_act(act) || act == GINV_LAYER_SIGN)
        return cli_usage_error(C, "--act '%s' is not a differentiable activation (relu, leaky_relu, tanh, softplus, elu, ...)", act_s);
    ginv_net *G = NULL, *E = NULL;
    ginv_status st = ginv_net_load(model, &G);
    if (st == GINV_OK) st = ginv_encoder_new(&E, ginv_net_out(G), ginv_net_in(G), nh, hidden, act, seed);
    double loss = NAN;
    ginv_encoder_eval_result ev = {0};
    o.steps = steps, o.seed = seed, o.threads = cli_threads(threads), o.ctx = cli_run_ctx();
    o.checkpoint = every || resume ? ckpt : NULL, o.checkpoint_every = every, o.resume = resume;
    if (st == GINV_OK) st = ginv_encoder_train(E, G, beta, &o, &loss);
    if (st == GINV_OK && neval) st = ginv_encoder_eval(E, G, beta, neval, seed, &ev);
    if (st == GINV_OK) st = ginv_net_save(E, out);
    if (st != GINV_OK) {
        rc = cli_lib_error(C, st);
    } else {
        if (!quiet)
            printf("encoder %d -> %d (mu, log sigma^2), %zu parameters (G: %zu); %s loss over the last tenth of "
                   "%d steps: %.4f\n", ginv_net_in(E), ginv_net_out(E), ginv_net_nparams(E), ginv_net_nparams(G), obj_s,
                   steps, loss);
        if (neval) print_eval(C, &ev, quiet);
        if (json) {
            cJSON *doc = cli_json_new(C);
            cJSON *p = cJSON_AddObjectToObject(doc, "params");
            cJSON_AddStringToObject(p, "model", model);
            cJSON_AddNumberToObject(p, "beta", beta);
            cJSON_AddStringToObject(p, "arch", "gaussian");
            cJSON_AddStringToObject(p, "objective", obj_s);
            cJSON_AddStringToObject(p, "hidden", hidden_s);
            cJSON_AddStringToObject(p, "act", act_s);
            cJSON_AddNumberToObject(p, "steps", steps);
            cJSON_AddNumberToObject(p, "batch", o.batch);
            cJSON_AddNumberToObject(p, "lr", o.lr);
            cJSON_AddNumberToObject(p, "seed", (double)seed);
            cJSON_AddNumberToObject(p, "checkpoint_every", every);
            cJSON_AddBoolToObject(p, "resume", resume);
            cJSON_AddStringToObject(doc, "file", out);
            cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(E));
            cJSON_AddNumberToObject(doc, "generator_parameters", (double)ginv_net_nparams(G));
            cJSON_AddItemToObject(doc, "final_loss", cli_json_num(loss));
            if (neval) json_eval(doc, &ev);
            rc = cli_json_write(C, doc, json);
            cJSON_Delete(doc);
        }
    }
    ginv_net_free(E);
    ginv_net_free(G);
    return rc;
}

static int encoder_eval(int argc, char **argv)
{
    const char *C = "encoder eval", *model = NULL, *enc = NULL, *json = NULL;
    double beta = 0.1;
    int n = 1000, quiet = 0;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "the generator G (required)"},
        {"encoder", 0, OPT_STRING, &enc, "FILE", "the encoder (ginv encoder train -o; required)"},
        {"beta", 0, OPT_DOUBLE, &beta, "B", "noise level of the model x = G(z) + beta xi", 1e-12, 1e6},
        {"n", 0, OPT_INT, &n, "N", "fresh model samples", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (the samples)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the result as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0}};
    cli_cmd cmd = {C, "How often an encoder explains (inverts) samples of its generator.",
                   "ginv encoder eval --model G.safetensors --encoder E.safetensors [--beta B] [--n N]",
                   "On N fresh samples z0 ~ N(0, I), x = G(z0) + beta xi: the fraction where the encoder's\n"
                   "mean, one of its draws, and (calibration) z0 itself explain x, ||G(z) - x|| <= beta\n"
                   "(sqrt(n) + 3); the mean -log q(z0 | x) and ||mu(x) - z0|| / ||z0||."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model || !enc) return cli_usage_error(C, "--model FILE and --encoder FILE are required");
    ginv_net *G = NULL, *E = NULL;
    ginv_encoder_eval_result ev = {0};
    ginv_status st = ginv_net_load(model, &G);
    if (st == GINV_OK) st = ginv_net_load(enc, &E);
    if (st == GINV_OK) st = ginv_encoder_eval(E, G, beta, n, seed, &ev);
    if (st != GINV_OK) {
        rc = cli_lib_error(C, st);
    } else {
        print_eval(C, &ev, quiet);
        if (json) {
            cJSON *doc = cli_json_new(C);
            cJSON *p = cJSON_AddObjectToObject(doc, "params");
            cJSON_AddStringToObject(p, "model", model);
            cJSON_AddStringToObject(p, "encoder", enc);
            cJSON_AddNumberToObject(p, "beta", beta);
            cJSON_AddNumberToObject(p, "n", n);
            cJSON_AddNumberToObject(p, "seed", (double)seed);
            json_eval(doc, &ev);
            rc = cli_json_write(C, doc, json);
            cJSON_Delete(doc);
        }
    }
    ginv_net_free(E);
    ginv_net_free(G);
    return rc;
}

int cmd_encoder(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "train")) return encoder_train(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "eval")) return encoder_eval(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "build")) return cli_encoder_build(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "sample")) return cli_encoder_sample(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "distance")) return cli_encoder_distance(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ginv encoder train [options]   an amortised encoder (Gaussian or deep latent Gaussian)\n"
               "       ginv encoder eval [options]    how often an encoder inverts its generator\n"
               "       ginv encoder build [options]   Theorem 1's encoder (GD then Langevin) as a network\n"
               "       ginv encoder sample [options]  draws of an encoder (and log q with --logpdf)\n"
               "       ginv encoder distance [options] an encoder's draws against a MALA posterior reference\n");
        return 0;
    }
    return cli_usage_error("encoder", "expected a subcommand: train, eval, build, sample or distance (see 'ginv encoder --help')");
}
