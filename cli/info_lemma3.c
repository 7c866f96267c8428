/* info_lemma3.c — `ginv info MODEL --lemma3`: Pareek & Risteski's (2021)
 * Lemma 3 (beta_0, rad(D)) and Lemma 12 (the bound on rad(D)) for the
 * model's constants m, M, M2, M3: certified ones where the net's structure
 * proves them (ginv_pr_certify), else the sampled estimates of --jacobian and
 * --smoothness (ginv_pr_lemma3_eval evaluates the formulas). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The singular values of J_G at N latents z ~ N(0, I) (stream (seed, JACOBIAN, 0)):
 * out = {min sigma_min, max sigma_max, median sigma_min, median sigma_max}. */
int cli_jacobian_extremes(const char *C, ginv_net *net, int N, uint64_t seed, double out[4])
{
    int k = ginv_net_in(net), rc = 0;
    float *z = malloc(sizeof(float) * (size_t)N * k);
    double *smin = malloc(sizeof(double) * N), *smax = malloc(sizeof(double) * N);
    if (!z || !smin || !smax) rc = cli_oom(C);
    ginv_status st;
    if (!rc) {
        ginv_rng r;
        ginv_rng_init(&r, seed, GINV_STREAM_JACOBIAN, 0);
        ginv_rng_normal_f32(&r, z, (size_t)N * k, 1.0);
        if ((st = ginv_net_jacobian_sv(net, N, z, smin, smax)) != GINV_OK) rc = cli_lib_error(C, st);
    }
    if (!rc) {
        qsort(smin, (size_t)N, sizeof(double), cmp_d);
        qsort(smax, (size_t)N, sizeof(double), cmp_d);
        out[0] = smin[0], out[1] = smax[N - 1], out[2] = smin[N / 2], out[3] = smax[N / 2];
    }
    free(z);
    free(smin);
    free(smax);
    return rc;
}

/* the four constants, each certified or estimated */
static int constants(const char *C, ginv_net *net, int njac, int nsmooth, uint64_t seed, double est[4], double v[4],
                     const char *src[4], char detail[4][120], ginv_pr_certificate *cert)
{
    ginv_status st = ginv_pr_certify(net, cert);
    if (st != GINV_OK) return cli_lib_error(C, st);
    double c[4] = {cert->m, cert->M, cert->M2, cert->M3};
    int rc = 0;
    if ((isnan(c[0]) || isnan(c[1])) && isnan(est[0])) {
        double ex[4]; /* min sigma_min, max sigma_max, their medians */
        if ((rc = cli_jacobian_extremes(C, net, njac, seed, ex))) return rc;
        est[0] = ex[0], est[1] = ex[1];
    }
    if ((isnan(c[2]) || isnan(c[3])) && isnan(est[2])) {
        if ((st = ginv_net_smoothness(net, nsmooth, 8, 0.05, seed, &est[2], &est[3])) != GINV_OK)
            return cli_lib_error(C, st);
    }
    for (int i = 0; i < 4; i++) {
        int cert_i = !isnan(c[i]);
        v[i] = cert_i ? c[i] : est[i];
        src[i] = cert_i ? "certified" : "estimate";
        if (cert_i)
            snprintf(detail[i], 120, "the net's structure (square layers, ||W^T W - I||_F <= %.2g)", cert->orth_err);
        else if (i < 2)
            snprintf(detail[i], 120, "sampled: %s sigma_%s(J_G) at %d latents (--jacobian)", i ? "largest" : "smallest",
                     i ? "max" : "min", njac);
        else
            snprintf(detail[i], 120, "sampled: finite differences at %d latents x 8 directions (--smoothness)", nsmooth);
    }
    return 0;
}

static void print_table(int d, double eps, double xn, int xdef, double beta, const double v[4], const char *src[4],
                        char detail[4][120], const ginv_pr_certificate *cert, const ginv_pr_lemma3 *r)
{
    static const char *nm[4] = {"m", "M", "M2", "M3"};
    printf("Pareek & Risteski Lemmas 2-3 (d = %d, eps = %g, ||x|| = %.4g%s):\n", d, eps, xn,
           xdef ? " = sqrt(d), Lemma 24's O(sqrt d)" : "");
    printf("  %-4s %-10s %-10s %s\n", "", "value", "source", "from");
    for (int i = 0; i < 4; i++) printf("  %-4s %-10.4g %-10s %s\n", nm[i], v[i], src[i], detail[i]);
    if (cert->note[0]) printf("  not certified: %s\n", cert->note);
    printf("  beta_0 (Lemma 3)                = %.4g  (min of m^3/(6 M M2) = %.4g and d^0.75 m^2/sqrt(2 M M3) = %.4g, "
           "times 4/(d sqrt(A log(4A/eps))), A = %.4g)\n", r->beta0, r->term_m2, r->term_m3, r->A);
    printf("  rad(D) at beta_0 (Lemma 3)      = %.4g\n", r->rad_beta0);
    if (!isnan(beta))
        printf("  rad(D) at beta = %-15g= %.4g  (beta = %.3g beta_0: %s)\n", beta, r->rad_beta, beta / r->beta0,
               r->in_regime ? "inside Lemma 3's regime beta <= beta_0" : "outside Lemma 3's regime beta <= beta_0");
    printf("  Lemma 12's bound on rad(D)      = %.4g  (rad(D) at beta_0 / bound = %.4g)\n", r->lemma12,
           r->rad_beta0 / r->lemma12);
    if (strcmp(src[0], "certified") || strcmp(src[1], "certified") || strcmp(src[2], "certified") ||
        strcmp(src[3], "certified"))
        printf("  (estimates bound m from above and M, M2, M3 from below: beta_0 from them is not a guarantee)\n");
}

static cJSON *to_json(int d, double eps, double xn, int xdef, double beta, const double v[4], const char *src[4],
                      char detail[4][120], const ginv_pr_certificate *cert, const ginv_pr_lemma3 *r)
{
    static const char *nm[4] = {"m", "M", "M2", "M3"};
    cJSON *j = cJSON_CreateObject(), *c = cJSON_AddObjectToObject(j, "constants");
    cJSON_AddNumberToObject(j, "d", d);
    cJSON_AddNumberToObject(j, "eps", eps);
    cJSON_AddNumberToObject(j, "x_norm", xn);
    cJSON_AddStringToObject(j, "x_norm_source", xdef ? "sqrt(d) (Lemma 24: ||x|| = O(sqrt d))" : "--x-norm");
    for (int i = 0; i < 4; i++) {
        cJSON *e = cJSON_AddObjectToObject(c, nm[i]);
        cJSON_AddItemToObject(e, "value", cli_json_num(v[i]));
        cJSON_AddStringToObject(e, "source", src[i]);
        cJSON_AddStringToObject(e, "from", detail[i]);
    }
    cJSON_AddStringToObject(j, "not_certified", cert->note);
    cJSON_AddItemToObject(j, "A", cli_json_num(r->A));
    cJSON_AddItemToObject(j, "beta0", cli_json_num(r->beta0));
    cJSON_AddItemToObject(j, "rad_at_beta0", cli_json_num(r->rad_beta0));
    cJSON_AddItemToObject(j, "lemma12_bound", cli_json_num(r->lemma12));
    cJSON_AddItemToObject(j, "beta", isnan(beta) ? cJSON_CreateNull() : cli_json_num(beta));
    cJSON_AddItemToObject(j, "rad_at_beta", isnan(beta) ? cJSON_CreateNull() : cli_json_num(r->rad_beta));
    if (isnan(beta))
        cJSON_AddNullToObject(j, "in_regime");
    else
        cJSON_AddBoolToObject(j, "in_regime", r->in_regime);
    return j;
}

/* Evaluate the lemmas; print the table when print; *out: the JSON object. x_norm < 0: sqrt(d); beta < 0: none. */
int cli_info_lemma3(const char *C, ginv_net *net, double eps, double beta, double x_norm, int njac, int nsmooth,
                    uint64_t seed, double est[4], int print, cJSON **out)
{
    int d = ginv_net_in(net), xdef = x_norm < 0, rc;
    double v[4], xn = xdef ? sqrt((double)d) : x_norm, b = beta < 0 ? NAN : beta;
    const char *src[4];
    char detail[4][120];
    ginv_pr_certificate cert;
    if ((rc = constants(C, net, njac, nsmooth, seed, est, v, src, detail, &cert))) return rc;
    static const char *nm[4] = {"m", "M", "M2", "M3"};
    for (int i = 0; i < 4; i++)
        if (!(i < 2 ? v[i] > 0 : v[i] >= 0) || !isfinite(v[i]))
            return cli_error_code(C, CLI_EXIT_NUMERIC, "--lemma3: %s = %g (%s): Lemma 3 needs m, M > 0 and M2, M3 >= 0, finite%s",
                                  nm[i], v[i], src[i], i == 0 ? " (Assumption 1 fails at a sampled latent)" : "");
    ginv_pr_lemma3 r;
    ginv_status st = ginv_pr_lemma3_eval(d, v[0], v[1], v[2], v[3], eps, xn, b, &r);
    if (st != GINV_OK) return cli_lib_error(C, st);
    if (print) {
        if (ginv_net_out(net) != d)
            printf("note: G maps %d -> %d; the lemmas are for d_l = d_o (Assumption 1): d = %d used\n", d,
                   ginv_net_out(net), d);
        print_table(d, eps, xn, xdef, b, v, src, detail, &cert, &r);
    }
    *out = to_json(d, eps, xn, xdef, b, v, src, detail, &cert, &r);
    if (ginv_net_out(net) != d)
        cJSON_AddStringToObject(*out, "note", "G's output size differs from its latent size d: the lemmas are for "
                                "d_l = d_o (Assumption 1)");
    return 0;
}
