/* cmd_rric.c — `ginv rric`: estimate the Range Restricted Isometry Condition
 * constant (Hand & Voroninski Def. 3) of an operator with respect to a model. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cmd_rric(int argc, char **argv)
{
    const char *C = "rric";
    const char *model = NULL, *opspec = "gaussian", *image = NULL, *json = NULL;
    int m = 0, quiet = 0, trial = 0;
    ginv_rric_opts ro;
    ginv_rric_opts_init(&ro);
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "generator model file (.safetensors, required)"},
        {"op", 0, OPT_STRING, &opspec, "SPEC", CLI_OP_HELP},
        {"m", 0, OPT_INT, &m, "M", GINV_M_HELP, 1, 1 << 24},
        {"image", 0, OPT_STRING, &image, "CxHxW", GINV_IMAGE_HELP},
        {"pairs", 0, OPT_INT, &ro.quads, "P", "sampled quadruples (x1, x2, x3, x4): pairs of pairs", 1, 1 << 24},
        {"ascent-starts", 0, OPT_INT, &ro.ascent_starts, "S", "hill-climb from the worst S quadruples", 0, 64},
        {"ascent-steps", 0, OPT_INT, &ro.ascent_steps, "T", "hill-climbing steps per start", 0, 1 << 24},
        {"ascent-batch", 0, OPT_INT, &ro.ascent_batch, "B", "candidates per step (one forward pass)", 1, 4096},
        {"trial", 0, OPT_INT, &trial, "T", "draw the operator as trial T of ginv recover", 0, 1 << 30},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (operator and samples)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write results as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Estimate the Range Restricted Isometry Condition constant of an operator.",
                   "ginv rric --model FILE --op SPEC [--m M] [--pairs P] [--seed S] [--json FILE]",
                   "The deviation at x1..x4 (Hand & Voroninski 2019, Def. 3) is\n"
                   "  |<A d1, A d2> - <d1, d2>| / (||d1|| ||d2||),  d1 = G(x1) - G(x2), d2 = G(x3) - G(x4).\n"
                   "eps is the largest found: P quadruples of latents N(0, I) (independent, x2 near x1,\n"
                   "both pairs near, equal pairs (x3, x4) = (x1, x2), x2 = x4 = 0), then a batched\n"
                   "hill-climb from the worst. It is a lower bound on the true constant. The operator is\n"
                   "the one trial T of 'ginv recover --seed S' uses (gaussian: entries N(0, 1/m)).\n"
                   "rate = sqrt(d k ln(n_1 ... n_d) / m), the scaling Proposition 6 allows."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model) return cli_usage_error(C, "--model FILE is required");
    ro.seed = seed;
    cli_install_callbacks(quiet);

    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_op_spec ops;
    int have_ops = 0;
    ginv_status st = ginv_net_load(model, &net);
    if (st != GINV_OK) return cli_lib_error(C, st);
    int k = ginv_net_in(net), n = ginv_net_out(net), d = 0;
    double logprod = 0;
    for (int i = 0; i < ginv_net_nlayers(net); i++) {
        const ginv_layer *ly = ginv_net_layer_c(net, i);
        if (ly->kind == GINV_LAYER_DENSE) {
            d++;
            logprod += log((double)ly->out);
        }
    }
    if ((st = ginv_op_spec_parse(&ops, opspec, m)) != GINV_OK) { rc = cli_fail(C, "--op: %s", ginv_last_error()); goto out; }
    have_ops = 1;
    if (image) {
        if (sscanf(image, "%dx%dx%d", &ops.c, &ops.h, &ops.w) != 3 || ops.c < 1 || ops.h < 1 || ops.w < 1) {
            rc = cli_usage_error(C, "--image '%s' must be CxHxW, e.g. 1x28x28", image);
            goto out;
        }
    }
    if ((st = ginv_op_from_spec(&op, &ops, n, seed, (uint64_t)trial)) != GINV_OK) {
        rc = cli_fail(C, "--op: %s", ginv_last_error());
        goto out;
    }
    m = ginv_op_m(op);
    ginv_rric_result res;
    if ((st = ginv_rric_estimate(net, op, &ro, &res)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    double rate = sqrt(d * k * logprod / m);
    if (!quiet) {
        printf("%5s  %7s  %6s  %9s  %9s  %9s  %8s  %8s  %7s\n", "k", "n", "m", "eps", "sampled", "mean",
               "|x1-x2|", "|x3-x4|", "rate");
        printf("%5d  %7d  %6d  %9.5f  %9.5f  %9.5f  %8.3g  %8.3g  %7.4f\n", k, n, m, res.max,
               res.max_sampled, res.mean, res.dist12, res.dist34, rate);
    }
    if (json) {
        cJSON *doc = cli_json_new(C);
        cJSON_AddNumberToObject(doc, "seed", (double)seed);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", model);
        cJSON_AddStringToObject(p, "op", opspec);
        cJSON_AddNumberToObject(p, "trial", trial);
        cJSON_AddNumberToObject(p, "pairs", ro.quads);
        cJSON_AddNumberToObject(p, "ascent_starts", ro.ascent_starts);
        cJSON_AddNumberToObject(p, "ascent_steps", ro.ascent_steps);
        cJSON_AddNumberToObject(p, "ascent_batch", ro.ascent_batch);
        cJSON *r = cJSON_AddObjectToObject(doc, "result");
        cJSON_AddNumberToObject(r, "k", k);
        cJSON_AddNumberToObject(r, "n", n);
        cJSON_AddNumberToObject(r, "m", m);
        cJSON_AddNumberToObject(r, "depth", d);
        cJSON_AddItemToObject(r, "eps", cli_json_num(res.max));
        cJSON_AddItemToObject(r, "eps_sampled", cli_json_num(res.max_sampled));
        cJSON_AddItemToObject(r, "mean", cli_json_num(res.mean));
        cJSON_AddItemToObject(r, "worst_dist12", cli_json_num(res.dist12));
        cJSON_AddItemToObject(r, "worst_dist34", cli_json_num(res.dist34));
        cJSON_AddItemToObject(r, "rate", cli_json_num(rate));
        cJSON_AddNumberToObject(r, "evaluated", (double)res.evaluated);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    ginv_op_free(op);
    if (have_ops) ginv_op_spec_release(&ops);
    ginv_net_free(net);
    return rc;
}
