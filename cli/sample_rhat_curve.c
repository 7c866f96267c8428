/* sample_rhat_curve.c — `ginv sample --rhat-curve`: max R-hat against run
 * length (ginv_sample_rhat_curve), printed, plotted (rhat_curve.png, R-hat
 * - 1 on a log axis) and put in the JSON. */
#include "cli.h"
#include "plot.h"
#include "sample_rhat_curve.h"

#include <math.h>
#include <stdio.h>

void sample_rhat_curve_print(const ginv_rhat_curve *rc)
{
    if (rc->steps_to_threshold >= 0)
        printf("R-hat curve: max rhat < %g from %ld steps per chain on (first half of each run "
               "length discarded; %d run lengths up to %ld)\n",
               rc->threshold, rc->steps_to_threshold, rc->points, rc->steps[rc->points - 1]);
    else
        printf("R-hat curve: max rhat not below %g by the end (%.4f at %ld steps per chain)\n",
               rc->threshold, rc->max_rhat[rc->points - 1], rc->steps[rc->points - 1]);
}

int sample_rhat_curve_plot(const char *png, const char *sampler, const ginv_rhat_curve *rc)
{
    double x[GINV_RHAT_CURVE_MAX], y[GINV_RHAT_CURVE_MAX], t[GINV_RHAT_CURVE_MAX];
    for (int i = 0; i < rc->points; i++) {
        x[i] = (double)rc->steps[i];
        y[i] = rc->max_rhat[i] - 1;
        t[i] = rc->threshold - 1;
    }
    const double *ys[2] = {y, t};
    char target[48], title[160];
    snprintf(target, sizeof target, "target rhat %g", rc->threshold);
    const char *names[2] = {"max rhat - 1 (second half of the run)", target};
    snprintf(title, sizeof title, "%s: R-hat against run length", sampler);
    return plot_lines(png, title, "steps per chain", "max rhat - 1", 2, names, rc->points, x, ys, 1);
}

void sample_rhat_curve_json(cJSON *doc, const ginv_rhat_curve *rc)
{
    cJSON *o = cJSON_AddObjectToObject(doc, "rhat_curve");
    cJSON_AddNumberToObject(o, "threshold", rc->threshold);
    if (rc->steps_to_threshold >= 0)
        cJSON_AddNumberToObject(o, "steps_to_threshold", (double)rc->steps_to_threshold);
    else
        cJSON_AddNullToObject(o, "steps_to_threshold");
    cJSON *s = cJSON_AddArrayToObject(o, "steps"), *r = cJSON_AddArrayToObject(o, "max_rhat");
    for (int i = 0; i < rc->points; i++) {
        cJSON_AddItemToArray(s, cJSON_CreateNumber((double)rc->steps[i]));
        cJSON_AddItemToArray(r, cli_json_num(rc->max_rhat[i]));
    }
}
