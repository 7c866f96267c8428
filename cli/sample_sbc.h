/* sample_sbc.h — `ginv sample --sbc R`: simulation-based calibration of the
 * chosen sampler (ginv_sbc_run) on the command's generator and operator. */
#ifndef GINV_CLI_SAMPLE_SBC_H
#define GINV_CLI_SAMPLE_SBC_H

#include "ginv.h"

#include <cjson/cJSON.h>

/* The table (one line per coordinate: chi2, p-value, ESS per replicate)
 * and the verdict, on stdout. */
void sample_sbc_print(const ginv_sbc_result *r, const char *sampler);
/* The rank histograms of up to 8 coordinates with the uniform count R/B and
 * its 99% band (binomial, normal approximation); an exit code as plot_series. */
int sample_sbc_plot(const char *path, const char *sampler, const ginv_sbc_result *r);
/* "sbc": replicates, draws, bins, alpha, per-coordinate chi2, p-values,
 * ESS, histograms; min_p, p_bonferroni, pass, and the sampler's statistics. */
void sample_sbc_json(cJSON *doc, const ginv_sbc_result *r);

#endif
