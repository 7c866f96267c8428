/* cmd_wdc.c — `ginv wdc`: estimate the Weight Distribution Condition
 * constant (Hand & Voroninski Def. 2, eq. 2) of each dense layer of a model. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int cmd_wdc(int argc, char **argv)
{
    const char *C = "wdc";
    const char *model = NULL, *json = NULL;
    int layer = 0, range = 0, quiet = 0;
    ginv_wdc_opts wo;
    ginv_wdc_opts_init(&wo);
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "generator model file (.safetensors, required)"},
        {"layer", 0, OPT_INT, &layer, "I", "only dense layer I (1 = the first, W_1); default all", 1, 1 << 20},
        {"pairs", 0, OPT_INT, &wo.pairs, "P", "sampled (x, y) pairs per layer", 1, 1 << 24},
        {"ascent-starts", 0, OPT_INT, &wo.ascent_starts, "S", "hill-climb from the worst S pairs", 0, 64},
        {"ascent-steps", 0, OPT_INT, &wo.ascent_steps, "T", "hill-climbing steps per start", 0, 1 << 24},
        {"range", 0, OPT_FLAG, &range, "", "also estimate on the range: x, y = the layer's inputs for latents"},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"json", 0, OPT_STRING, &json, "FILE", "write results as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Estimate the Weight Distribution Condition constant of each dense layer.",
                   "ginv wdc --model FILE [--layer I] [--pairs P] [--seed S] [--json FILE]",
                   "For W_i (n_i x n_{i-1}, rows w_j) the deviation at nonzero x, y is\n"
                   "  || sum_j 1[w_j.x > 0] 1[w_j.y > 0] w_j w_j^T - Q_{x,y} ||   (spectral norm),\n"
                   "Q_{x,y} = (pi - th)/(2 pi) I + sin(th)/(2 pi) M_{x<->y} (Hand & Voroninski 2019,\n"
                   "Def. 2, eq. 2), the expectation when W_i has i.i.d. N(0, 1/n_i) entries (the\n"
                   "'paper' init; n_var = n_i * mean(W^2) should then be near 1). eps is the largest\n"
                   "deviation found over all nonzero x, y (Def. 2 as written): P sampled pairs (a third\n"
                   "uniform on the sphere, a third at small angles, a third near pi) and a hill-climb from\n"
                   "the worst ones. It is a lower bound on the true constant. With --range the pairs are\n"
                   "instead the layer's inputs for latents z, z' ~ N(0, I) (z' near z or -z for some).\n"
                   "rate = sqrt(n_{i-1} ln(n_i) / n_i), the scaling Proposition 6 allows."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!model) return cli_usage_error(C, "--model FILE is required");
    wo.seed = seed;
    cli_install_callbacks(quiet);

    ginv_net *net = NULL;
    ginv_status st = ginv_net_load(model, &net);
    if (st != GINV_OK) return cli_lib_error(C, st);
    int L = ginv_net_nlayers(net), ndense = 0;
    int dense_idx[256];
    for (int i = 0; i < L && ndense < 256; i++)
        if (ginv_net_layer_c(net, i)->kind == GINV_LAYER_DENSE) dense_idx[ndense++] = i;
    if (layer > ndense) {
        ginv_net_free(net);
        return cli_usage_error(C, "--layer %d is out of range: the model has %d dense layer%s (1..%d)",
                               layer, ndense, ndense == 1 ? "" : "s", ndense);
    }
    int first = layer ? layer - 1 : 0, last = layer ? layer : ndense;
    cJSON *doc = cli_json_new(C), *arr = NULL;
    cJSON_AddNumberToObject(doc, "seed", (double)seed);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(p, "model", model);
    if (layer) cJSON_AddNumberToObject(p, "layer", layer);
    cJSON_AddNumberToObject(p, "pairs", wo.pairs);
    cJSON_AddNumberToObject(p, "ascent_starts", wo.ascent_starts);
    cJSON_AddNumberToObject(p, "ascent_steps", wo.ascent_steps);
    cJSON_AddStringToObject(p, "domain", range ? "all nonzero x, y (Def. 2) and the range" : "all nonzero x, y (Def. 2)");
    arr = cJSON_AddArrayToObject(doc, "layers");
    if (!quiet) {
        printf("%5s  %7s  %7s  %8s  %6s  %9s  %9s  %9s  %7s  %7s", "layer", "n_i", "n_i-1", "ratio",
               "n_var", "eps", "sampled", "mean", "angle", "rate");
        if (range) printf("  %9s  %7s", "eps_rng", "ang_rng");
        printf("\n");
    }
    for (int d = first; d < last && !rc; d++) {
        const ginv_layer *ly = ginv_net_layer_c(net, dense_idx[d]);
        int n = ly->out, k = ly->in;
        double ss = 0;
        for (size_t i = 0; i < (size_t)n * k; i++) ss += (double)ly->W[i] * ly->W[i];
        double nvar = n * ss / ((double)n * k), rate = sqrt(k * log((double)n) / n);
        ginv_wdc_result all, rng;
        wo.index = (uint64_t)d + 1;
        if ((st = ginv_wdc_estimate(n, k, ly->W, &wo, &all)) != GINV_OK) { rc = cli_lib_error(C, st); break; }
        if (range) {
            wo.index = 1000 + (uint64_t)d + 1;
            if ((st = ginv_wdc_estimate_range(net, dense_idx[d], &wo, &rng)) != GINV_OK) {
                rc = cli_lib_error(C, st);
                break;
            }
        }
        if (!quiet) {
            printf("%5d  %7d  %7d  %8.2f  %6.3f  %9.5f  %9.5f  %9.5f  %7.4f  %7.4f", d + 1, n, k,
                   (double)n / k, nvar, all.max, all.max_sampled, all.mean, all.angle, rate);
            if (range) printf("  %9.5f  %7.4f", rng.max, rng.angle);
            printf("\n");
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "layer", d + 1);
        cJSON_AddNumberToObject(o, "index", dense_idx[d]);
        cJSON_AddNumberToObject(o, "n_i", n);
        cJSON_AddNumberToObject(o, "n_prev", k);
        cJSON_AddNumberToObject(o, "ratio", (double)n / k);
        cJSON_AddItemToObject(o, "n_var", cli_json_num(nvar));
        cJSON_AddItemToObject(o, "rate", cli_json_num(rate));
        cJSON *a = cJSON_AddObjectToObject(o, "all");
        cJSON_AddItemToObject(a, "eps", cli_json_num(all.max));
        cJSON_AddItemToObject(a, "eps_sampled", cli_json_num(all.max_sampled));
        cJSON_AddItemToObject(a, "mean", cli_json_num(all.mean));
        cJSON_AddItemToObject(a, "worst_angle", cli_json_num(all.angle));
        cJSON_AddNumberToObject(a, "evaluated", (double)all.evaluated);
        if (range) {
            cJSON *g = cJSON_AddObjectToObject(o, "range");
            cJSON_AddItemToObject(g, "eps", cli_json_num(rng.max));
            cJSON_AddItemToObject(g, "eps_sampled", cli_json_num(rng.max_sampled));
            cJSON_AddItemToObject(g, "mean", cli_json_num(rng.mean));
            cJSON_AddItemToObject(g, "worst_angle", cli_json_num(rng.angle));
            cJSON_AddNumberToObject(g, "evaluated", (double)rng.evaluated);
        }
        cJSON_AddItemToArray(arr, o);
    }
    if (json && !rc) rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    ginv_net_free(net);
    return rc;
}
