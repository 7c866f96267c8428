/* problem_rows.h — the parameter-table rows of a simulated problem (the
 * generator: model or layers with act, out-act, alpha, bias, bias-sd,
 * weights; the operator: op, m, image), shared by every task that draws one
 * with ginv_scenario_draw (recover, sample), so that the same name has the
 * same meaning, default and range in each. F(x) is offsetof(the task's
 * struct, x); the struct has fields of these names and types. */
#ifndef GINV_PROBLEM_ROWS_H
#define GINV_PROBLEM_ROWS_H

#include "ginv.h"

extern const char *const ginv_problem_acts[];    /* relu, leaky_relu, ... */
extern const char *const ginv_problem_weights[]; /* paper, fanin, orthogonal (ginv_init's order) */

#define GINV_PROBLEM_ROWS(F)                                                                        \
    {"model", GINV_PARAM_STRING, F(model), "FILE", "generator model file (.safetensors)", NULL, 0, 0, NULL}, \
    {"layers", GINV_PARAM_STRING, F(layers), "K,N1,..,ND",                                          \
     "instead of --model: a fresh random generator per trial", NULL, 0, 0, NULL},                 \
    {"act", GINV_PARAM_STRING, F(act), "NAME", "with --layers: activation of each layer", "relu", 0, 0, \
     ginv_problem_acts},                                                                            \
    {"out-act", GINV_PARAM_STRING, F(out_act), "NAME", "with --layers: activation of the last layer", \
     NULL, 0, 0, ginv_problem_acts},                                                                \
    {"alpha", GINV_PARAM_DOUBLE, F(alpha), "A", "with --layers: leaky_relu slope", "0.2", 0, 0.999999, NULL}, \
    {"bias", GINV_PARAM_FLAG, F(bias), "", "with --layers: dense layers have biases", NULL, 0, 0, NULL}, \
    {"bias-sd", GINV_PARAM_DOUBLE, F(bias_sd), "S", "with --layers --bias: biases ~ N(0, S^2)", "0", 0, 1e6, \
     NULL},                                                                                         \
    {"weights", GINV_PARAM_STRING, F(weights), "paper|fanin|orthogonal", "with --layers: weight scaling", \
     "paper", 0, 0, ginv_problem_weights},                                                          \
    {"op", GINV_PARAM_STRING, F(op), "SPEC", GINV_OP_HELP, "gaussian", 0, 0, NULL},                \
    {"m", GINV_PARAM_INT, F(m), "M", GINV_M_HELP, NULL, 1, 1 << 24, NULL},                           \
    {"image", GINV_PARAM_STRING, F(image), "CxHxW", GINV_IMAGE_HELP, NULL, 0, 0, NULL}

/* The problem's own checks: exactly one of model and layers, an image
 * shape CxHxW. Messages name parameters. */
ginv_status ginv_problem_check(const char *model, const char *layers, const char *image);
/* The sizes the parameters give, without drawing anything: the generator's
 * latent k and output n (the layers parsed, or the model loaded) and the
 * operator's number of measurements on it (ginv_op_spec_rows): what a sweep
 * unit checks before any unit runs. */
typedef struct {
    const char *model, *layers, *act, *out_act;
    double alpha;
    int bias;
    const char *op;
    int m;
    const char *image;
} ginv_problem_view;
ginv_status ginv_problem_sizes(const ginv_problem_view *v, int *k, int *n, int *rows);
/* Trial `trial`'s problem from the view (and the weights, bias_sd and noise
 * rows): the layers parsed into spec (GINV_RECOVER_MAX_SPEC), the model loaded
 * into *net, a given truth checked to hold the generator's k values
 * (truth_count; GINV_ERR_SHAPE naming both), the operator parsed into *ops (*have_ops set; m defaults to
 * y_count with a given y), then ginv_scenario_draw. On success *net, *op,
 * *z0, *y and *m are the problem's and the caller owns them (free *net, *op,
 * *z0, *y); on failure the caller releases *net and *ops as usual. */
ginv_status ginv_problem_draw(const ginv_problem_view *v, const char *weights, double bias_sd, double noise,
                              uint64_t seed, uint64_t trial, const float *truth, size_t truth_count,
                              const float *y, size_t y_count,
                              ginv_layer *spec, int *nspec, ginv_op_spec *ops, int *have_ops, ginv_net **net,
                              ginv_op **op, float **z0, float **yout, int *m);
/* A task struct's problem fields as a view (the struct has the fields of
 * GINV_PROBLEM_ROWS). */
#define GINV_PROBLEM_VIEW(p) \
    ((ginv_problem_view){(p).model, (p).layers, (p).act, (p).out_act, (p).alpha, (p).bias, (p).op, (p).m, (p).image})

#endif
