/* cmd_invert_lp.c — `ginv invert-lp`: Lei et al.'s layer-wise LP inversion
 * of an expansive ReLU net, layer by layer from the output. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The per-layer table and the fit (and the relative error when there is a truth). */
static void print_layers(const ginv_invert_lp_result *res, double rel_error)
{
    printf("%5s %6s %6s %7s %6s %7s %12s %12s\n", "layer", "in", "out", "active", "rank",
           "unique", "residual", "violation");
    for (int l = 0; l < res->L; l++) {
        const ginv_invert_lp_layer *y = &res->layers[l];
        printf("%5d %6d %6d %7d %6d %7s %12.3e %12.3e\n", l, y->in, y->out, y->active, y->rank,
               y->lp_ok ? (y->unique ? "yes" : "no") : "LPfail", y->residual, y->violation);
    }
    printf("fit ||G(z) - x||_inf = %.3e", res->fit);
    if (!isnan(rel_error)) printf(", relative error ||z - z0|| / ||z0|| = %.3e", rel_error);
    printf("\n");
}

/* The same per-layer results as a JSON array. */
static cJSON *layers_json(const ginv_invert_lp_result *res)
{
    cJSON *ls = cJSON_CreateArray();
    for (int l = 0; l < res->L; l++) {
        const ginv_invert_lp_layer *y = &res->layers[l];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "in", y->in);
        cJSON_AddNumberToObject(o, "out", y->out);
        cJSON_AddNumberToObject(o, "active", y->active);
        cJSON_AddNumberToObject(o, "rank", y->rank);
        cJSON_AddBoolToObject(o, "unique", y->unique);
        cJSON_AddBoolToObject(o, "lp_ok", y->lp_ok);
        cJSON_AddItemToObject(o, "residual", cli_json_num(y->residual));
        cJSON_AddItemToObject(o, "violation", cli_json_num(y->violation));
        cJSON_AddItemToArray(ls, o);
    }
    return ls;
}

int cmd_invert_lp(int argc, char **argv)
{
    const char *C = "invert-lp";
    const char *model = NULL, *target = NULL, *truth = NULL, *save_z = NULL, *json = NULL;
    double noise = 0, act_tol = 0;
    uint64_t seed = 1;
    int quiet = 0;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "model file (.safetensors)"},
        {"target", 0, OPT_STRING, &target, "FILE", "the signal x to invert (n values)"},
        {"truth", 0, OPT_STRING, &truth, "FILE", "instead of --target: z0 (k values); x = G(z0) (+ noise)"},
        {"random-truth", 0, OPT_FLAG, NULL, "", "instead of --target: z0 ~ N(0, I) from --seed"},
        {"noise", 0, OPT_DOUBLE, &noise, "SIGMA", "with a truth: std of the Gaussian noise added to x = G(z0)", 0, 1e30},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (truth, noise)"},
        {"act-tol", 0, OPT_DOUBLE, &act_tol, "T", "output units > T count as active (equalities)", 0, 1e30},
        {"save-z", 0, OPT_STRING, &save_z, "FILE", "write the recovered latent (.npy or text)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write results as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Invert an expansive ReLU net layer by layer with one LP per layer (Lei et al. 2019).",
                   "ginv invert-lp --model FILE (--target FILE | --truth FILE | --random-truth) [options]",
                   "From the output back: a layer's units with output > T give equalities\n"
                   "W_i h + b_i = v_i (an l1 slack absorbs noise), the others inequalities\n"
                   "W_i h + b_i <= 0; the LP's h is the next layer's output. A layer's input is\n"
                   "determined when its active rows have full column rank (rank == in). Polynomial\n"
                   "time, but only for expansive nets and (nearly) exact targets: see docs/decide.md.\n"
                   "Exit status: 0 when the LPs ran (whatever the fit); failures by class (docs/cli.md)."};
    int random_truth = 0;
    opts[3].dst = &random_truth;
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(quiet);
    if (!model) return cli_usage_error(C, "--model FILE is required");
    if ((target != NULL) + (truth != NULL) + random_truth != 1)
        return cli_usage_error(C, "give exactly one of --target, --truth or --random-truth");
    if (target && noise > 0) return cli_usage_error(C, "--noise needs a truth (--truth or --random-truth)");

    ginv_net *net = NULL;
    ginv_array arr = {0};
    ginv_invert_lp_result res;
    memset(&res, 0, sizeof res);
    double *x = NULL, *z0 = NULL;
    ginv_status st = ginv_net_load(model, &net);
    if (st != GINV_OK) return cli_lib_error(C, st);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    x = calloc((size_t)n, sizeof(double));
    z0 = calloc((size_t)k, sizeof(double));
    if (!x || !z0) { rc = cli_oom(C); goto out; }
    if (target || truth) {
        const char *path = target ? target : truth;
        size_t want = target ? (size_t)n : (size_t)k;
        if ((st = ginv_array_read(path, &arr)) != GINV_OK) {
            rc = cli_fail(C, "--%s: %s", target ? "target" : "truth", ginv_last_error());
            goto out;
        }
        if (ginv_array_count(&arr) != want) {
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "--%s '%s' holds %zu values; expected %zu", target ? "target" : "truth",
                           path, ginv_array_count(&arr), want);
            goto out;
        }
        for (size_t i = 0; i < want; i++) {
            if (!isfinite(arr.data[i])) {
                rc = cli_error_code(C, CLI_EXIT_NUMERIC, "'%s': value %zu is not finite", path, i);
                goto out;
            }
            (target ? x : z0)[i] = arr.data[i];
        }
    } else {
        /* z0 of trial 0's scenario: the truth `ginv recover --seed S` draws */
        ginv_scenario sc;
        ginv_scenario_opts sco;
        ginv_scenario_opts_init(&sco);
        sco.net = net;
        sco.seed = seed;
        st = ginv_scenario_draw(&sc, &sco);
        if (st == GINV_OK)
            for (int j = 0; j < k; j++) z0[j] = sc.z0[j];
        ginv_scenario_release(&sc);
        if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    }
    if (!target) {
        /* x = G(z0) in double precision, plus the noise of the scenario's stream
         * (seed, NOISE, 0) that ginv_add_noise draws, kept in double */
        if ((st = ginv_forward_f64(net, z0, x)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        if (noise > 0) {
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_NOISE, 0);
            for (int i = 0; i < n; i++) x[i] += noise * ginv_rng_normal(&r);
        }
    }
    if ((st = ginv_invert_lp(net, x, act_tol, &res)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    double err = NAN, zn = 0;
    if (!target) {
        err = 0;
        for (int j = 0; j < k; j++) {
            err += (res.z[j] - z0[j]) * (res.z[j] - z0[j]);
            zn += z0[j] * z0[j];
        }
        err = sqrt(err / (zn > 0 ? zn : 1));
    }
    if (!quiet) print_layers(&res, target ? NAN : err);
    if (save_z) {
        float *zf = malloc(sizeof(float) * k);
        if (!zf) { rc = cli_oom(C); goto out; }
        for (int j = 0; j < k; j++) zf[j] = (float)res.z[j];
        int64_t shape[1] = {k};
        st = ginv_array_write(save_z, zf, 1, shape);
        free(zf);
        if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    }
    if (json) {
        cJSON *doc = cli_json_new(C);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", model);
        if (target) cJSON_AddStringToObject(p, "target", target);
        if (truth) cJSON_AddStringToObject(p, "truth", truth);
        cJSON_AddBoolToObject(p, "random_truth", random_truth);
        cJSON_AddNumberToObject(p, "noise", noise);
        cJSON_AddNumberToObject(p, "seed", (double)seed);
        cJSON_AddNumberToObject(p, "act_tol", act_tol);
        cJSON_AddNumberToObject(p, "k", k);
        cJSON_AddNumberToObject(p, "n", n);
        cJSON_AddItemToObject(doc, "layers", layers_json(&res));
        cJSON *zz = cJSON_AddArrayToObject(doc, "z");
        for (int j = 0; j < k; j++) cJSON_AddItemToArray(zz, cJSON_CreateNumber(res.z[j]));
        cJSON_AddNumberToObject(doc, "fit", res.fit);
        cJSON_AddItemToObject(doc, "rel_error", cli_json_num(err));
        cJSON_AddBoolToObject(doc, "all_unique", res.all_unique);
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    ginv_invert_lp_result_release(&res);
    ginv_array_release(&arr);
    ginv_net_free(net);
    free(x);
    free(z0);
    return rc;
}
