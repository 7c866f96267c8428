/* recover_params.c — `recover`'s parameter table, its check, and the setup
 * that turns parameters into ginv_recover_opts (Hand & Voroninski §I-C: the
 * generator, the operator, eq. 1's lambda, the solver). `ginv recover`, the
 * sweep's recover units and library callers all go through here, so one
 * parameter set means one problem everywhere. */
#include "ginv.h"
#include "base/check_internal.h"
#include "infer/problem_rows.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F(x) offsetof(ginv_recover_params, x)
static const char *const algos[] = {"gd", "adam", "signflip", NULL};
static const char *const starts[] = {"random", "negative", NULL};
static const char *const kinks[] = {"zero", "onesided", NULL};

static const ginv_param_def recover_defs[] = {
    GINV_PROBLEM_ROWS(F),
    {"noise", GINV_PARAM_DOUBLE, F(noise), "SIGMA", "std of the Gaussian noise added to each measurement (0: the noiseless problem of Hand & Voroninski)", "0", 0, 1e30, NULL},
    {"lambda", GINV_PARAM_DOUBLE, F(lambda), "L", "weight of the prior term lambda ||z||^2 (0: eq. 1 of Hand & Voroninski)", "0", 0, 1e30, NULL},
    {"algo", GINV_PARAM_STRING, F(algo), "gd|adam|signflip", "solver (signflip: GD with the negation check of Huang, Hand, Heckel & Voroninski 2018)", "adam", 0, 0, algos},
    {"lr", GINV_PARAM_DOUBLE, F(lr), "ETA", "step size (default: adam 0.01, gd and signflip 1)", NULL, 1e-300, 1e30, NULL},
    {"iters", GINV_PARAM_INT, F(iters), "T", "iterations (exactly T unless --tol)", "1000", 0, 1 << 30, NULL},
    {"tol", GINV_PARAM_DOUBLE, F(tol), "EPS", "stop when f changes by < EPS relative (0: never)", "0", 0, 1, NULL},
    {"restarts", GINV_PARAM_INT, F(restarts), "R", "random initialisations per trial, solved in one batch", "1", 1, 1 << 20, NULL},
    {"start", GINV_PARAM_STRING, F(start), "random|negative", "restarts start at N(0, S^2 I), or near -z0: -z0 + N(0, (S ||z0||)^2 I/k)", "random", 0, 0, starts},
    {"start-scale", GINV_PARAM_DOUBLE, F(start_scale), "S", "scale S of the starting points (default 1 random, 0.05 negative)", NULL, 0, 1e6, NULL},
    {"kink", GINV_PARAM_STRING, F(kink), "zero|onesided", "ReLU derivative at 0: zero, or eq. (5)'s one-sided limit", "zero", 0, 0, kinks},
    {"success-tol", GINV_PARAM_DOUBLE, F(success_tol), "E", "success: rel_error below E", "0.001", 0, 1e30, NULL},
};
#undef F

static const char *const recover_aliases[] = {"init", "weights", "init-scale", "start-scale", NULL};

const ginv_param_table ginv_recover_table = {
    "recover", recover_defs, (int)(sizeof recover_defs / sizeof recover_defs[0]),
    sizeof(ginv_recover_params), recover_aliases};

void ginv_recover_params_init(ginv_recover_params *p)
{
    if (p) ginv_param_defaults(&ginv_recover_table, p);
}

ginv_status ginv_recover_check(const ginv_recover_params *p)
{
    GINV_NONNULL(p);
    ginv_status st = ginv_param_validate(&ginv_recover_table, p);
    if (st != GINV_OK) return st;
    if ((st = ginv_problem_check(p->model, p->layers, p->image)) != GINV_OK) return st;
    if (!p->op) return ginv_fail(GINV_ERR_ARG, "parameter 'op' is not set");
    if (!p->algo || !p->start || !p->kink || !p->weights || !p->act)
        return ginv_fail(GINV_ERR_ARG, "parameters 'algo', 'start', 'kink', 'weights' and 'act' need values");
    return GINV_OK;
}

const char *const ginv_problem_acts[] = {"relu", "leaky_relu", "tanh", "sigmoid", "softplus", "identity", NULL};
const char *const ginv_problem_weights[] = {"paper", "fanin", "orthogonal", NULL};

ginv_status ginv_problem_sizes(const ginv_problem_view *v, int *k, int *n, int *rows)
{
    ginv_status st = GINV_OK;
    *k = *n = *rows = 0;
    if (v->layers) {
        ginv_layer spec[GINV_RECOVER_MAX_SPEC];
        int nspec;
        st = ginv_layers_parse(v->layers, v->act, v->out_act, v->alpha, v->bias, spec, GINV_RECOVER_MAX_SPEC, &nspec);
        if (st == GINV_OK) *k = spec[0].in;
        for (int i = 0; st == GINV_OK && i < nspec; i++)
            if (spec[i].kind == GINV_LAYER_DENSE) *n = spec[i].out;
    } else {
        ginv_net *net = NULL;
        if ((st = ginv_net_load(v->model, &net)) == GINV_OK) *k = ginv_net_in(net), *n = ginv_net_out(net);
        ginv_net_free(net);
    }
    if (st != GINV_OK) return st;
    ginv_op_spec ops;
    if ((st = ginv_op_spec_parse(&ops, v->op, v->m)) == GINV_OK) {
        if (v->image) sscanf(v->image, "%dx%dx%d", &ops.c, &ops.h, &ops.w);
        st = ginv_op_spec_rows(&ops, *n, rows);
    }
    ginv_op_spec_release(&ops);
    return st;
}

ginv_status ginv_problem_draw(const ginv_problem_view *v, const char *weights, double bias_sd, double noise,
                              uint64_t seed, uint64_t trial, const float *truth, size_t truth_count,
                              const float *y, size_t y_count, ginv_layer *spec, int *nspec, ginv_op_spec *ops,
                              int *have_ops, ginv_net **net, ginv_op **op, float **z0, float **yout, int *m)
{
    ginv_init winit = GINV_INIT_PAPER;
    ginv_init_parse(weights, &winit);
    ginv_status st;
    *nspec = 0;
    if (v->layers &&
        (st = ginv_layers_parse(v->layers, v->act, v->out_act, v->alpha, v->bias, spec, GINV_RECOVER_MAX_SPEC,
                                nspec)) != GINV_OK)
        return st;
    if (v->model && (st = ginv_net_load(v->model, net)) != GINV_OK) return st;
    int k = *net ? ginv_net_in(*net) : spec[0].in;
    if (truth && truth_count != (size_t)k) /* before the scenario reads k values of it */
        return ginv_fail(GINV_ERR_SHAPE, "the truth holds %zu values; expected %d (the generator's latent size)",
                         truth_count, k);
    if ((st = ginv_op_spec_parse(ops, v->op, v->m == 0 && y ? (int)y_count : v->m)) != GINV_OK) return st;
    *have_ops = 1;
    if (v->image) sscanf(v->image, "%dx%dx%d", &ops->c, &ops->h, &ops->w);
    ginv_scenario_opts so;
    ginv_scenario_opts_init(&so);
    so.net = *net, so.spec = spec, so.nspec = *nspec, so.op = ops;
    so.init = winit, so.bias_sd = bias_sd, so.noise = noise;
    so.truth = truth, so.y = y, so.y_count = y ? y_count : 0;
    so.seed = seed, so.trial = trial;
    ginv_scenario sc;
    st = ginv_scenario_draw(&sc, &so);
    if (st == GINV_OK) { /* the caller owns what the scenario drew */
        if (sc.owns_net) *net = sc.net;
        *op = sc.op, *z0 = sc.z0, *yout = sc.y, *m = sc.m;
        sc.owns_net = 0, sc.op = NULL, sc.z0 = sc.y = NULL;
    }
    ginv_scenario_release(&sc);
    return st;
}

ginv_status ginv_problem_check(const char *model, const char *layers, const char *image)
{
    if (!!model == !!layers) return ginv_fail(GINV_ERR_ARG, "parameters 'model' and 'layers': give exactly one");
    int c, h, w;
    char tail;
    if (image && (sscanf(image, "%dx%dx%d%c", &c, &h, &w, &tail) != 3 || c < 1 || h < 1 || w < 1))
        return ginv_fail(GINV_ERR_ARG, "parameter 'image' '%s' must be CxHxW, e.g. 1x28x28", image);
    return GINV_OK;
}

ginv_status ginv_layers_parse(const char *layers, const char *act, const char *out_act, double alpha,
                              int bias, ginv_layer *spec, int max, int *nspec)
{
    GINV_NONNULL(layers);
    GINV_NONNULL(act);
    GINV_NONNULL(spec);
    GINV_NONNULL(nspec);
    *nspec = 0;
    int sizes[65], ns = 0;
    for (const char *q = layers; *q;) {
        char *end;
        errno = 0;
        long v = strtol(q, &end, 10);
        if (end == q || errno || v < 1 || v > (1L << 24) || ns == 65 || (*end && *end != ','))
            return ginv_fail(GINV_ERR_ARG, "parameter 'layers' '%s': sizes must be positive integers (at most "
                                           "2^24, up to 65 of them) separated by commas", layers);
        sizes[ns++] = (int)v;
        q = *end ? end + 1 : end;
    }
    if (ns < 2)
        return ginv_fail(GINV_ERR_ARG, "parameter 'layers' '%s' needs at least two sizes (latent and output)", layers);
    if (2 * (ns - 1) > max)
        return ginv_fail(GINV_ERR_ARG, "parameter 'layers' '%s': more layers than %d", layers, max / 2);
    ginv_layer_kind ka, ko;
    if (ginv_layer_kind_parse(act, &ka) || ka == GINV_LAYER_DENSE)
        return ginv_fail(GINV_ERR_ARG, "parameter 'act' '%s' is not an activation (relu, leaky_relu, tanh, "
                                       "sigmoid, softplus, smooth_leaky, identity, ...)", act);
    if (!out_act) out_act = act;
    if (ginv_layer_kind_parse(out_act, &ko) || ko == GINV_LAYER_DENSE)
        return ginv_fail(GINV_ERR_ARG, "parameter 'out-act' '%s' is not an activation", out_act);
    ginv_clear_error();
    int n = 0;
    for (int i = 0; i + 1 < ns; i++) {
        spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = sizes[i], .out = sizes[i + 1], .bias = bias};
        ginv_layer_kind k = i + 2 == ns ? ko : ka;
        if (k != GINV_LAYER_IDENTITY) spec[n++] = (ginv_layer){.kind = k, .alpha = alpha};
    }
    *nspec = n;
    return GINV_OK;
}

void ginv_recover_setup_release(ginv_recover_setup *s)
{
    if (!s) return;
    if (s->have_ops) ginv_op_spec_release(&s->ops);
    ginv_net_free(s->net);
    s->have_ops = 0;
    s->net = NULL;
}

/* The message so far, prefixed: "parameter 'op': ..." */
static ginv_status prefixed(ginv_status st, const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", ginv_last_error());
    if (strstr(msg, "'op'") || strstr(msg, "--op")) return ginv_fail(st, "%s", msg); /* names it already */
    return ginv_fail(st, "%s: %s", what, msg);
}

ginv_status ginv_recover_setup_init(ginv_recover_setup *s, const ginv_recover_params *p, uint64_t seed)
{
    GINV_NONNULL(s);
    memset(s, 0, sizeof *s);
    GINV_NONNULL(p);
    ginv_status st = ginv_recover_check(p);
    if (st != GINV_OK) return st;
    ginv_recover_opts *ro = &s->opts;
    ginv_recover_opts_init(ro);
    int algo = ginv_param_choice(ginv_param_find(&ginv_recover_table, "algo"), p->algo);
    int start = ginv_param_choice(ginv_param_find(&ginv_recover_table, "start"), p->start);
    ro->solve.type = ginv_solver_find(p->algo);
    s->lr = isnan(p->lr) ? (algo == 1 ? 0.01 : 1.0) : p->lr;
    s->start_scale = isnan(p->start_scale) ? (start == 1 ? 0.05 : 1.0) : p->start_scale;
    ro->solve.lr = s->lr;
    ro->solve.iters = p->iters;
    ro->solve.tol = p->tol;
    ro->kink = !strcmp(p->kink, "onesided") ? GINV_KINK_ONESIDED : GINV_KINK_ZERO;
    ginv_init_parse(p->weights, &ro->init);
    ro->start_negative = start == 1;
    ro->init_sd = s->start_scale;
    ro->bias_sd = p->bias_sd;
    ro->noise = p->noise;
    ro->lambda = p->lambda;
    ro->success_tol = p->success_tol;
    ro->restarts = p->restarts;
    ro->trials = 1;
    ro->threads = 1;
    ro->seed = seed;
    if (p->layers) {
        if ((st = ginv_layers_parse(p->layers, p->act, p->out_act, p->alpha, p->bias, s->spec,
                                    GINV_RECOVER_MAX_SPEC, &ro->nspec)) != GINV_OK)
            return st;
        ro->spec = s->spec;
        s->k = s->spec[0].in;
        for (int i = 0; i < ro->nspec; i++)
            if (s->spec[i].kind == GINV_LAYER_DENSE) s->n = s->spec[i].out;
    } else {
        if ((st = ginv_net_load(p->model, &s->net)) != GINV_OK) return st;
        ro->net = s->net;
        s->k = ginv_net_in(s->net);
        s->n = ginv_net_out(s->net);
    }
    if ((st = ginv_op_spec_parse(&s->ops, p->op, p->m)) != GINV_OK) return prefixed(st, "parameter 'op'");
    s->have_ops = 1;
    if (p->image) sscanf(p->image, "%dx%dx%d", &s->ops.c, &s->ops.h, &s->ops.w);
    ro->op = &s->ops;
    /* does the operator fit n-vectors, how many measurements (not drawn) */
    if ((st = ginv_op_spec_rows(&s->ops, s->n, &s->m)) != GINV_OK) return prefixed(st, "parameter 'op'");
    return GINV_OK;
}
