/* sample_rhat_curve.h — the outputs of `ginv sample --rhat-curve`. */
#ifndef GINV_CLI_SAMPLE_RHAT_CURVE_H
#define GINV_CLI_SAMPLE_RHAT_CURVE_H

#include "ginv.h"

#include <cjson/cJSON.h>

void sample_rhat_curve_print(const ginv_rhat_curve *rc);
/* rhat_curve.png; an exit code (0 on success) as plot_lines. */
int sample_rhat_curve_plot(const char *png, const char *sampler, const ginv_rhat_curve *rc);
void sample_rhat_curve_json(cJSON *doc, const ginv_rhat_curve *rc);

#endif
