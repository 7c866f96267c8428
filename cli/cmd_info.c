/* cmd_info.c — `ginv info FILE`: a model file's architecture and size, and
 * with --jacobian N the singular values of J_G at N latents N(0, I): the
 * sampled m and M of Pareek & Risteski's Assumptions 1-2; with --lemma3 their
 * Lemmas 3 and 12 (cli/info_lemma3.c). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --smoothness N: the sampled M2, M3 (ginv_net_smoothness, 8 directions a latent, step 0.05; computed once in
 * cmd_info), printed (print) and under "smoothness" in the JSON doc (when doc) */
static void smoothness(int npts, double M2, double M3, int print, cJSON *doc)
{
    if (print)
        printf("second and third derivatives at %d latents N(0, I) x 8 directions (finite differences, step 0.05): "
               "M2 >= %.4g, M3 >= %.4g (sampled estimates of Assumption 2's bounds)\n", npts, M2, M3);
    if (doc) {
        cJSON *j = cJSON_AddObjectToObject(doc, "smoothness");
        cJSON_AddNumberToObject(j, "latents", npts);
        cJSON_AddNumberToObject(j, "directions", 8);
        cJSON_AddNumberToObject(j, "step", 0.05);
        cJSON_AddItemToObject(j, "M2", cli_json_num(M2));
        cJSON_AddItemToObject(j, "M3", cli_json_num(M3));
    }
}

int cmd_info(int argc, char **argv)
{
    const char *json = NULL;
    int jac = 0, smooth = 0, lemma3 = 0;
    double eps = 0.1, beta = -1, x_norm = -1;
    uint64_t seed = 1;
    cJSON *l3 = NULL;
    cli_opt opts[] = {
        {"jacobian", 0, OPT_INT, &jac, "N", "singular values of J_G at N latents z ~ N(0, I) (Pareek-Risteski m, M)", 0, 1 << 24},
        {"smoothness", 0, OPT_INT, &smooth, "N", "sampled bounds M2, M3 on G's second and third derivatives at N latents (Pareek-Risteski Assumption 2)", 0, 1 << 20},
        {"lemma3", 0, OPT_FLAG, &lemma3, "", "Pareek-Risteski Lemma 3's beta_0 and rad(D), Lemma 12's bound: from certified m, M, M2, M3 where the net's structure proves them, else from the --jacobian and --smoothness estimates"},
        {"eps", 0, OPT_DOUBLE, &eps, "E", "with --lemma3: the accuracy eps of Lemmas 2-3", 1e-300, 0.999999},
        {"beta", 0, OPT_DOUBLE, &beta, "B", "with --lemma3: the noise level beta of the VAE model x = G(z) + beta xi, compared with beta_0 (rad(D) at it)", 1e-300, 1e300},
        {"x-norm", 0, OPT_DOUBLE, &x_norm, "R", "with --lemma3: ||x|| in Lemma 3 (default sqrt(d), Lemma 24's O(sqrt d))", 0, 1e300},
        {"seed", 0, OPT_U64, &seed, "S", "with --jacobian, --smoothness: seed of the latents"},
        {"json", 0, OPT_STRING, &json, "FILE", "also write the architecture as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {"info", "Print a model file's architecture and parameter count.",
                   "ginv info MODEL.safetensors [--jacobian N [--seed S]] [--smoothness N] [--lemma3 [--eps E] [--beta B] "
                   "[--x-norm R]] [--json FILE]",
                   "--jacobian N draws z_1..z_N ~ N(0, I) (stream (seed, JACOBIAN, 0)) and reports the\n"
                   "smallest sigma_min(J_G(z_i)) and the largest sigma_max(J_G(z_i)): sampled estimates of\n"
                   "m (Assumption 1, Remark 2) and M (Assumption 2, Remark 4) of Pareek & Risteski\n"
                   "(2021); sampling bounds m from above and M from below. --smoothness N estimates M2 and M3\n"
                   "(Assumption 2) as the largest ||D^2 G(z)[u,u]||, ||D^3 G(z)[u,u,u]|| over N latents and 8 random\n"
                   "unit directions each, by central finite differences (stream (seed, SMOOTHNESS, i)): from below.\n"
                   "--lemma3 evaluates Lemma 3 (rad(D), beta_0) and Lemma 12 (the bound on rad(D)) as printed in the\n"
                   "paper, d the latent size. Each of m, M, M2, M3 is certified when the net is a chain of square,\n"
                   "near-orthogonal dense layers and identity, leaky_relu, smooth_leaky, softplus, tanh or sigmoid\n"
                   "activations that bound it (ginv_pr_certify; leaky_relu: m, M only), else estimated: by\n"
                   "--jacobian N (default 1000) and --smoothness N (default 500). The table says which."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error("info", "expected one model file (see --help)");
    if (!lemma3 && (cli_find(opts, "eps")->seen || cli_find(opts, "beta")->seen || cli_find(opts, "x-norm")->seen))
        return cli_usage_error("info", "--eps, --beta and --x-norm go with --lemma3");
    ginv_net *net;
    ginv_status st = ginv_net_load(pos[0], &net);
    if (st != GINV_OK) return cli_lib_error("info", st);
    int L = ginv_net_nlayers(net);
    double ex[4] = {NAN, NAN, NAN, NAN}, jm, jM, med_min, med_max;
    double est[4] = {NAN, NAN, NAN, NAN}; /* the sampled m, M, M2, M3 --lemma3 falls back on: each estimated once */
    if (jac > 0 && (rc = cli_jacobian_extremes("info", net, jac, seed, ex))) goto out;
    jm = ex[0], jM = ex[1], med_min = ex[2], med_max = ex[3];
    est[0] = jm, est[1] = jM;
    if (smooth > 0 && (st = ginv_net_smoothness(net, smooth, 8, 0.05, seed, &est[2], &est[3])) != GINV_OK) {
        rc = cli_lib_error("info", st);
        goto out;
    }
    if (!json || strcmp(json, "-")) {
        printf("model %s: latent %d -> output %d, %d layers, %zu parameters\n", pos[0],
               ginv_net_in(net), ginv_net_out(net), L, ginv_net_nparams(net));
        cli_print_layers(net);
        if (jac > 0)
            printf("Jacobian at %d latents N(0, I): m = min sigma_min = %.4g (median %.4g), "
                   "M = max sigma_max = %.4g (median %.4g), M/m = %.4g\n",
                   jac, jm, med_min, jM, med_max, jM / jm);
        if (smooth > 0) smoothness(smooth, est[2], est[3], 1, NULL);
        if (lemma3 && (rc = cli_info_lemma3("info", net, eps, beta, x_norm, jac > 0 ? jac : 1000,
                                            smooth > 0 ? smooth : 500, seed, est, 1, &l3)))
            goto out;
    }
    if (json) {
        cJSON *doc = cli_json_new("info");
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", pos[0]);
        cJSON_AddNumberToObject(p, "jacobian", jac);
        cJSON_AddNumberToObject(p, "smoothness", smooth);
        cJSON_AddBoolToObject(p, "lemma3", lemma3);
        if (lemma3) {
            cJSON_AddNumberToObject(p, "eps", eps);
            cJSON_AddItemToObject(p, "beta", beta < 0 ? cJSON_CreateNull() : cli_json_num(beta));
            cJSON_AddItemToObject(p, "x_norm", x_norm < 0 ? cJSON_CreateNull() : cli_json_num(x_norm));
        }
        if (jac > 0) cJSON_AddNumberToObject(p, "seed", (double)seed);
        cJSON_AddStringToObject(doc, "file", pos[0]);
        cJSON_AddNumberToObject(doc, "latent", ginv_net_in(net));
        cJSON_AddNumberToObject(doc, "output", ginv_net_out(net));
        cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
        char *arch = ginv_net_arch_json(net);
        cJSON_AddItemToObject(doc, "architecture", cJSON_Parse(arch));
        ginv_free(arch);
        if (jac > 0) {
            cJSON *j = cJSON_AddObjectToObject(doc, "jacobian");
            cJSON_AddNumberToObject(j, "latents", jac);
            cJSON_AddNumberToObject(j, "seed", (double)seed);
            cJSON_AddItemToObject(j, "m", cli_json_num(jm));
            cJSON_AddItemToObject(j, "M", cli_json_num(jM));
            cJSON_AddItemToObject(j, "median_sigma_min", cli_json_num(med_min));
            cJSON_AddItemToObject(j, "median_sigma_max", cli_json_num(med_max));
        }
        if (smooth > 0) smoothness(smooth, est[2], est[3], 0, doc);
        if (lemma3 && !l3 && (rc = cli_info_lemma3("info", net, eps, beta, x_norm, jac > 0 ? jac : 1000,
                                                    smooth > 0 ? smooth : 500, seed, est, 0, &l3))) {
            cJSON_Delete(doc);
            goto out;
        }
        if (l3) cJSON_AddItemToObject(doc, "lemma3", l3), l3 = NULL;
        rc = cli_json_write("info", doc, json);
        cJSON_Delete(doc);
    }
out:
    cJSON_Delete(l3);
    ginv_net_free(net);
    return rc;
}
