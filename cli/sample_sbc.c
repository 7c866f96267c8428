/* sample_sbc.c — the outputs of `ginv sample --sbc R`: simulation-based
 * calibration (Talts et al. 2018; ginv_sbc_run) printed as a table, drawn as
 * rank histograms (sbc_ranks.png) and put in the JSON. */
#include "cli.h"
#include "plot.h"
#include "sample_sbc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void sample_sbc_print(const ginv_sbc_result *r, const char *sampler)
{
    printf("coord      chi2   p-value   ess/replicate\n");
    for (int j = 0; j < r->k; j++)
        printf("%5d  %8.2f  %8.3g  %8.1f of %d\n", j, r->chi2[j], r->pvalue[j], r->ess[j], r->L);
    printf("SBC of %s: %d replicates x %d draws, %d rank bins (chi-square, %d df per coordinate): min p %.3g, "
           "Bonferroni p %.3g over %d coordinates: %s at alpha %g; acceptance %.3f, %ld divergent, %.3g s\n",
           sampler, r->R, r->L, r->bins, r->bins - 1, r->min_p, r->p_bonferroni, r->k,
           r->pass ? "ranks uniform (pass)" : "ranks NOT uniform (fail)", r->alpha, r->accept_rate,
           r->divergences, r->seconds);
}

int sample_sbc_plot(const char *path, const char *sampler, const ginv_sbc_result *r)
{
    int B = r->bins, ns = r->k < 8 ? r->k : 8;
    double *x = malloc(sizeof(double) * B), *y = malloc(sizeof(double) * (size_t)(ns + 3) * B);
    if (!x || !y) {
        free(x), free(y);
        return cli_oom("sample");
    }
    double E = (double)r->R / B, h = 2.576 * sqrt(E * (1.0 - 1.0 / B));
    const double *xs[11], *ys[11];
    int np[11];
    char lab[11][40];
    const char *labp[11];
    for (int b = 0; b < B; b++) x[b] = (b + 0.5) * (r->L + 1.0) / B;
    for (int s = 0; s < ns + 3; s++) {
        double *ysr = y + (size_t)s * B;
        for (int b = 0; b < B; b++)
            ysr[b] = s < ns ? r->hist[(size_t)s * B + b] : s == ns ? E : s == ns + 1 ? E - h : E + h;
        xs[s] = x, ys[s] = ysr, np[s] = B;
        if (s < ns) snprintf(lab[s], sizeof lab[s], "z[%d] (p %.2g)", s, r->pvalue[s]);
        else snprintf(lab[s], sizeof lab[s], "%s", s == ns ? "uniform R/B" : s == ns + 1 ? "99% band" : "");
        labp[s] = lab[s];
    }
    char title[200];
    snprintf(title, sizeof title, "SBC of %s: ranks of z0 among %d draws, %d replicates, %s", sampler, r->L, r->R,
             r->pass ? "pass" : "FAIL");
    plot_style st = {.title = title, .xlabel = "rank of z0[j] among the draws", .ylabel = "replicates per bin",
                     .ymin = 0, .ymax = NAN};
    int rc = plot_series(path, &st, ns + 3, labp, np, xs, ys, NULL);
    free(x), free(y);
    return rc;
}

void sample_sbc_json(cJSON *doc, const ginv_sbc_result *r)
{
    cJSON *o = cJSON_AddObjectToObject(doc, "sbc");
    cJSON_AddNumberToObject(o, "replicates", r->R);
    cJSON_AddNumberToObject(o, "draws", r->L);
    cJSON_AddNumberToObject(o, "bins", r->bins);
    cJSON_AddNumberToObject(o, "df", r->bins - 1);
    cJSON_AddNumberToObject(o, "alpha", r->alpha);
    cJSON_AddStringToObject(o, "correction", "bonferroni");
    cJSON_AddItemToObject(o, "chi2", cJSON_CreateDoubleArray(r->chi2, r->k));
    cJSON *p = cJSON_AddArrayToObject(o, "pvalue"), *e = cJSON_AddArrayToObject(o, "ess_per_replicate");
    for (int j = 0; j < r->k; j++) {
        cJSON_AddItemToArray(p, cli_json_num(r->pvalue[j]));
        cJSON_AddItemToArray(e, cli_json_num(r->ess[j]));
    }
    cJSON *h = cJSON_AddArrayToObject(o, "rank_histograms");
    for (int j = 0; j < r->k; j++) cJSON_AddItemToArray(h, cJSON_CreateIntArray(r->hist + (size_t)j * r->bins, r->bins));
    cJSON_AddItemToObject(o, "min_p", cli_json_num(r->min_p));
    cJSON_AddItemToObject(o, "p_bonferroni", cli_json_num(r->p_bonferroni));
    cJSON_AddBoolToObject(o, "pass", r->pass);
    cJSON_AddItemToObject(o, "acceptance", cli_json_num(r->accept_rate));
    cJSON_AddNumberToObject(o, "divergences", (double)r->divergences);
    cJSON_AddNumberToObject(o, "seconds", r->seconds);
}
