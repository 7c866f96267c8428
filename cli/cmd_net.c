/* cmd_net.c — `ginv net random`: random generators as in Hand & Voroninski
 * Thm 1 (W_i entries N(0, 1/n_i), no bias), saved as model files. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define MAX_SIZES 64

/* Layer list for sizes k, n1, ..., nd: dense (+ act) per layer, the last
 * layer's activation out_act. Shared with `recover --layers`. */
int cli_build_spec(const char *cmd, const char *layers, const char *act, const char *out_act,
                   double alpha, int bias, ginv_layer *spec, int *nspec)
{
    /* the library's parser, its messages in option spelling (--layers, --act) */
    ginv_status st = ginv_layers_parse(layers, act, out_act, alpha, bias, spec, 2 * 64, nspec);
    return st == GINV_OK ? 0 : cli_param_error(cmd, st);
}

/* `ginv net extract FILE --part generator|encoder -o OUT`: one of the nets of
 * a file that holds several (a VAE: the generator and its encoder) as a
 * model file of its own. */
static int net_extract(int argc, char **argv)
{
    const char *C = "net extract", *part = "generator", *out = NULL;
    cli_opt opts[] = {
        {"part", 0, OPT_STRING, &part, "generator|encoder", "which net: the file's generator, or a VAE's encoder"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (required)"},
        {0}};
    cli_cmd cmd = {C, "copy one net of a model file (a VAE's generator or encoder) into its own file",
                   "ginv net extract FILE --part generator|encoder -o OUT", NULL};
    const char *pos[1];
    int npos = 0, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc != CLI_OK) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1 || !out) return cli_usage_error(C, "give one model FILE and -o OUT");
    int enc = !strcmp(part, "encoder");
    if (!enc && strcmp(part, "generator"))
        return cli_usage_error(C, "--part '%s': use generator or encoder", part);
    ginv_st_file f;
    if (ginv_st_read(pos[0], &f) != GINV_OK) return cli_fail(C, "%s", ginv_last_error());
    ginv_net *net = NULL;
    ginv_status st = enc ? ginv_net_from_st_part(&f, "ginv.encoder", "encoder.", &net)
                         : ginv_net_from_st(&f, &net);
    ginv_st_release(&f);
    if (st != GINV_OK) return cli_fail(C, "'%s': %s", pos[0], ginv_last_error());
    st = ginv_net_save(net, out);
    int code = st == GINV_OK ? 0 : cli_fail(C, "%s", ginv_last_error());
    if (!code)
        fprintf(cli_wrote_stream(out), "wrote %s: the %s, %d -> %d, %zu parameters\n", out, part, ginv_net_in(net),
               ginv_net_out(net), ginv_net_nparams(net));
    ginv_net_free(net);
    return code;
}

/* `ginv net oneway --d D --rounds R -o G.safetensors`: Pareek & Risteski's
 * Theorem 2 instance G(z) = C(sgn z), C a Feistel permutation of the
 * hypercube (ginv_net_oneway), checked by enumeration for d <= 20. */
static int net_oneway(int argc, char **argv)
{
    const char *C = "net oneway", *out = NULL, *json = NULL;
    int d = 0, rounds = 6;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"d", 0, OPT_INT, &d, "D", "latent and output size (even; required)", 2, 1 << 16},
        {"rounds", 0, OPT_INT, &rounds, "R", "Feistel rounds (each a dense + ReLU layer of 5 d units)", 1, 64},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (the round functions)"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (.safetensors, required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "also describe the model as JSON ('-': stdout)"},
        {0}};
    cli_cmd cmd = {C, "Build the hard instance G(z) = C(sgn z) of Pareek & Risteski (2021), Theorem 2.",
                   "ginv net oneway --d D [--rounds R] [--seed S] -o FILE",
                   "C is a permutation of {-1, +1}^d: R rounds of a balanced Feistel cipher,\n"
                   "(L, R) -> (R, L * F(R)), F(R)_i = key_i R_a AND(R_b, R_c) (+-1 encoding, XOR as the\n"
                   "product), wiring and keys drawn from the seed. Any Feistel round is a bijection, so C\n"
                   "is one; it is not one-way for whoever reads the file (the rounds run backwards), but a\n"
                   "learner that sees only samples (x, z) must learn the cipher (docs/encoders.md).\n"
                   "The net (sign, then a dense + ReLU layer per round, then a dense read-out) computes C\n"
                   "exactly on +-1 values; for d <= 20 every vertex is enumerated to check that C is a\n"
                   "bijection and that the net is C before the file is written."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!d) return cli_usage_error(C, "--d D is required (an even size, e.g. --d 16)");
    if (d % 2) return cli_usage_error(C, "--d %d must be even (the cipher works on two halves)", d);
    if (!out) return cli_usage_error(C, "-o FILE is required");
    ginv_net *net = NULL;
    ginv_status st = ginv_net_oneway(&net, d, rounds, seed);
    int verified = 0;
    if (st == GINV_OK && d <= 20) verified = (st = ginv_oneway_verify(net, d, rounds, seed)) == GINV_OK;
    if (st == GINV_OK) st = ginv_net_save(net, out);
    if (st != GINV_OK) {
        ginv_net_free(net);
        return cli_lib_error(C, st);
    }
    if (!json || strcmp(json, "-"))
        fprintf(cli_wrote_stream(out), "wrote %s: G(z) = C(sgn z), d = %d, %d rounds, %zu parameters%s\n", out, d,
                rounds, ginv_net_nparams(net), verified ? "; C is a bijection and the net computes it (all 2^d vertices)" : "");
    if (json) {
        cJSON *doc = cli_json_new(C);
        cJSON_AddStringToObject(doc, "file", out);
        cJSON_AddNumberToObject(doc, "seed", (double)seed);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddNumberToObject(p, "d", d);
        cJSON_AddNumberToObject(p, "rounds", rounds);
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
        cJSON_AddBoolToObject(doc, "verified", verified);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    ginv_net_free(net);
    return rc;
}

int cmd_net(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "extract")) return net_extract(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "oneway")) return net_oneway(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "random")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            printf("usage: ginv net random [options]    a random generator (see 'ginv net random --help')\n"
                   "       ginv net extract FILE [...]  one net of a file, e.g. a VAE's encoder\n"
                   "       ginv net oneway --d D [...]  Pareek & Risteski's hard instance G(z) = C(sgn z)\n");
            return 0;
        }
        return cli_usage_error("net", "expected a subcommand: random, extract or oneway (see 'ginv net --help')");
    }
    const char *layers = NULL, *act = "relu", *out_act = NULL, *init = "paper", *out = NULL, *json = NULL;
    int bias = 0;
    double alpha = 0.2, bias_sd = 0;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"layers", 0, OPT_STRING, &layers, "K,N1,..,ND", "latent size then each layer's width (required)"},
        {"act", 0, OPT_STRING, &act, "NAME", "activation after each dense layer"},
        {"out-act", 0, OPT_STRING, &out_act, "NAME", "activation of the last layer (default: --act)"},
        {"alpha", 0, OPT_DOUBLE, &alpha, "A", "leaky_relu slope; smooth_leaky's slope a (a x + (1 - a) softplus x, > 0)", 0, 0.999999},
        {"bias", 0, OPT_FLAG, &bias, "", "give dense layers a bias vector"},
        {"bias-sd", 0, OPT_DOUBLE, &bias_sd, "S", "biases ~ N(0, S^2) (0: zero biases)", 0, 1e6},
        {"weights", 0, OPT_STRING, &init, "paper|fanin|orthogonal", "weight scaling: paper: W_i ~ N(0, 1/n_i), n_i = output width; fanin: N(0, 1/fan_in); orthogonal: orthonormal columns (rows if the layer contracts); square layers with leaky ReLU certify Pareek & Risteski's Assumption 1 only (Assumption 2 needs a smooth activation: smooth_leaky keeps the certificate [a^L, 1] and is smooth)"},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (.safetensors, required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "also describe the model as JSON ('-': stdout)"},
        CLI_ALIAS("init", "weights"),
        {0},
    };
    cli_cmd cmd = {"net random", "Draw a random generator and save it as a model file.",
                   "ginv net random --layers 10,250,1000 [--bias] [--act relu] --seed S -o FILE",
                   "Weights follow Hand & Voroninski (2019), Thm 1: the entries of W_i are i.i.d.\n"
                   "N(0, 1/n_i) with n_i the width of layer i; biases are zero unless --bias-sd."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc - 1, argv + 1, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!layers) return cli_usage_error(cmd.name, "--layers is required (e.g. --layers 10,250,1000)");
    if (!out) return cli_usage_error(cmd.name, "-o FILE is required");
    ginv_init in;
    if (ginv_init_parse(init, &in) != GINV_OK)
        return cli_usage_error(cmd.name, "--weights '%s' must be paper, fanin or orthogonal", init);
    if (bias_sd > 0 && !bias) return cli_usage_error(cmd.name, "--bias-sd needs --bias");
    ginv_layer spec[2 * MAX_SIZES];
    int nspec;
    if ((rc = cli_build_spec(cmd.name, layers, act, out_act, alpha, bias, spec, &nspec))) return rc;
    ginv_net *net;
    ginv_status st = ginv_net_new(&net, nspec, spec);
    if (st != GINV_OK) return cli_lib_error(cmd.name, st);
    if ((st = ginv_net_randomize(net, in, bias_sd, seed, 0)) != GINV_OK) {
        ginv_net_free(net);
        return cli_lib_error(cmd.name, st);
    }
    st = ginv_net_save(net, out);
    if (st != GINV_OK) {
        ginv_net_free(net);
        return cli_lib_error(cmd.name, st);
    }
    if (!json || strcmp(json, "-"))
        fprintf(cli_wrote_stream(out), "wrote %s: %d -> %d, %zu parameters\n", out, ginv_net_in(net), ginv_net_out(net),
               ginv_net_nparams(net));
    if (json) {
        cJSON *doc = cli_json_new(cmd.name);
        cJSON_AddStringToObject(doc, "file", out);
        cJSON_AddNumberToObject(doc, "seed", (double)seed);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "layers", layers);
        cJSON_AddStringToObject(p, "act", act);
        if (out_act) cJSON_AddStringToObject(p, "out_act", out_act);
        cJSON_AddNumberToObject(p, "alpha", alpha);
        cJSON_AddBoolToObject(p, "bias", bias);
        cJSON_AddNumberToObject(p, "bias_sd", bias_sd);
        cJSON_AddStringToObject(p, "weights", init);
        cJSON_AddNumberToObject(p, "seed", (double)seed);
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
        char *arch = ginv_net_arch_json(net);
        cJSON_AddItemToObject(doc, "architecture", cJSON_Parse(arch));
        ginv_free(arch);
        rc = cli_json_write(cmd.name, doc, json);
        cJSON_Delete(doc);
    }
    ginv_net_free(net);
    return rc;
}
