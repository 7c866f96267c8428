/* experiment_cs_gen.h — ILO and SGILO series of `ginv experiment cs`, tuned
 * per m on held-out images (experiment_cs_gen.c). */
#ifndef GINV_EXPERIMENT_CS_GEN_H
#define GINV_EXPERIMENT_CS_GEN_H

#include "cs_pipeline.h"

/* "ilo,sgilo" -> GINV_CS_ILO / GINV_CS_SGILO into gen (at most 2); the count or -1 */
int excs_parse_generators(const char *cmd, const char *text, int *gen);

typedef struct {
    double mean, ci, seconds;
    double radius;           /* ILO's tuned l1 radius (also SGILO's start) */
    double weight, scale;    /* SGILO's tuned prior weight and step scale (NaN for ILO) */
} excs_cell;

/* The tuned method on truth at cfg's m (its prior from model for SGILO),
 * tuned on held. 0 or an exit code. */
int excs_run_generator(const char *cmd, ginv_net *net, const char *model, const ginv_images *truth,
                       const ginv_images *held, cs_config *cfg, int method, int layer, excs_cell *out);

#endif
