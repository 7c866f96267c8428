/* unit_recover.c — the `recover` unit runner: one trial of `ginv recover`
 * with the cell's options, run through ginv_recover_run as trial TRIAL of
 * seed SEED, so unit (seed, trial) gives exactly the numbers of
 * `ginv recover [options] --seed SEED --trials TRIAL+1` for that trial. */
#include "ginv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `ginv recover`'s options that describe one trial (not --trials, --seed,
 * --threads or the output files, and not --truth/--y: sweeps simulate). */
static const char *const recover_params[] = {
    "model", "layers", "act", "out-act", "alpha", "bias", "bias-sd", "init", "op", "m", "image",
    "noise", "lambda", "algo", "lr", "iters", "tol", "restarts", "start", "init-scale", "kink",
    "success-tol", NULL};

typedef struct {
    ginv_recover_opts ro;
    ginv_layer spec[130];
    ginv_op_spec ops;
    int have_ops;
    ginv_net *net;
    int n;
} config;

static void release(config *c)
{
    if (c->have_ops) ginv_op_spec_release(&c->ops);
    ginv_net_free(c->net);
    c->have_ops = 0;
    c->net = NULL;
}

/* --layers K,N1,..,ND with --act on every layer and --out-act on the last
 * (as `ginv recover`; an identity activation adds no layer). */
static ginv_status build_layers(const ginv_params *p, config *c)
{
    const char *layers = ginv_params_get(p, "layers");
    const char *act = ginv_params_str(p, "act", "relu");
    const char *out_act = ginv_params_str(p, "out-act", act);
    double alpha;
    int bias, sizes[65], ns = 0;
    ginv_status st;
    if ((st = ginv_params_double(p, "alpha", 0.2, 0, 0.999999, &alpha))) return st;
    if ((st = ginv_params_flag(p, "bias", &bias))) return st;
    for (const char *q = layers; *q;) {
        char *end;
        errno = 0;
        long v = strtol(q, &end, 10);
        if (end == q || errno || v < 1 || v > (1L << 24) || ns == 65 || (*end && *end != ','))
            return ginv_fail(GINV_ERR_ARG, "parameter 'layers' '%s': up to 65 positive sizes separated by commas", layers);
        sizes[ns++] = (int)v;
        q = *end ? end + 1 : end;
    }
    if (ns < 2) return ginv_fail(GINV_ERR_ARG, "parameter 'layers' '%s' needs at least two sizes (latent and output)", layers);
    ginv_layer_kind ka, ko;
    if (ginv_layer_kind_parse(act, &ka) || ka == GINV_LAYER_DENSE)
        return ginv_fail(GINV_ERR_ARG, "parameter 'act' '%s' is not an activation (relu, leaky_relu, tanh, sigmoid, softplus, identity)", act);
    if (ginv_layer_kind_parse(out_act, &ko) || ko == GINV_LAYER_DENSE)
        return ginv_fail(GINV_ERR_ARG, "parameter 'out-act' '%s' is not an activation", out_act);
    int n = 0;
    for (int i = 0; i + 1 < ns; i++) {
        c->spec[n++] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = sizes[i], .out = sizes[i + 1], .bias = bias};
        ginv_layer_kind k = i + 2 == ns ? ko : ka;
        if (k != GINV_LAYER_IDENTITY) c->spec[n++] = (ginv_layer){.kind = k, .alpha = alpha};
    }
    c->ro.nspec = n;
    c->ro.spec = c->spec;
    c->n = sizes[ns - 1];
    return GINV_OK;
}

static ginv_status pick(const ginv_params *p, const char *name, const char *def,
                        const char *const *choices, int *out)
{
    const char *v = ginv_params_str(p, name, def);
    for (int i = 0; choices[i]; i++)
        if (!strcmp(v, choices[i])) {
            *out = i;
            return GINV_OK;
        }
    char list[256] = "";
    for (int i = 0; choices[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", choices[i]);
    return ginv_fail(GINV_ERR_ARG, "parameter '%s' '%s' must be one of %s", name, v, list);
}

/* Everything `ginv recover` checks before it runs, into c. */
static ginv_status configure(const ginv_params *p, config *c)
{
    memset(c, 0, sizeof *c);
    ginv_recover_opts *ro = &c->ro;
    ginv_recover_opts_init(ro);
    ginv_status st;
    const char *model = ginv_params_get(p, "model"), *layers = ginv_params_get(p, "layers");
    if (!!model == !!layers)
        return ginv_fail(GINV_ERR_ARG, "give exactly one of the parameters 'model' and 'layers'");
    static const char *const algos[] = {"gd", "adam", "signflip", NULL};
    static const char *const kinks[] = {"zero", "onesided", NULL};
    static const char *const inits[] = {"paper", "fanin", "orthogonal", NULL};
    static const char *const starts[] = {"random", "negative", NULL};
    int algo, kink, init, start, m;
    double lr;
    if ((st = pick(p, "algo", "adam", algos, &algo)) || (st = pick(p, "kink", "zero", kinks, &kink)) ||
        (st = pick(p, "init", "paper", inits, &init)) || (st = pick(p, "start", "random", starts, &start)))
        return st;
    ro->solve.type = ginv_solver_find(algos[algo]);
    if ((st = ginv_params_double(p, "lr", algo == 1 ? 0.01 : 1.0, 1e-300, 1e30, &lr))) return st;
    ro->solve.lr = lr;
    ro->kink = kink ? GINV_KINK_ONESIDED : GINV_KINK_ZERO;
    ro->init = (ginv_init)init; /* inits[] is in ginv_init's order */
    ro->start_negative = start;
    if ((st = ginv_params_double(p, "init-scale", start ? 0.05 : 1.0, 0, 1e6, &ro->init_sd)) ||
        (st = ginv_params_double(p, "bias-sd", 0, 0, 1e6, &ro->bias_sd)) ||
        (st = ginv_params_double(p, "noise", 0, 0, 1e30, &ro->noise)) ||
        (st = ginv_params_double(p, "lambda", 0, 0, 1e30, &ro->lambda)) ||
        (st = ginv_params_double(p, "tol", 0, 0, 1, &ro->solve.tol)) ||
        (st = ginv_params_double(p, "success-tol", 1e-3, 0, 1e30, &ro->success_tol)) ||
        (st = ginv_params_int(p, "iters", ro->solve.iters, 0, 1 << 30, &ro->solve.iters)) ||
        (st = ginv_params_int(p, "restarts", 1, 1, 1 << 20, &ro->restarts)) ||
        (st = ginv_params_int(p, "m", 0, 1, 1 << 24, &m)))
        return st;
    if (layers) {
        if ((st = build_layers(p, c))) return st;
    } else {
        if ((st = ginv_net_load(model, &c->net))) return st;
        ro->net = c->net;
        c->n = ginv_net_out(c->net);
    }
    if ((st = ginv_op_spec_parse(&c->ops, ginv_params_str(p, "op", "gaussian"), m))) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(st, "parameter 'op': %s", msg);
    }
    c->have_ops = 1;
    const char *image = ginv_params_get(p, "image");
    if (image && (sscanf(image, "%dx%dx%d", &c->ops.c, &c->ops.h, &c->ops.w) != 3 || c->ops.c < 1 ||
                  c->ops.h < 1 || c->ops.w < 1))
        return ginv_fail(GINV_ERR_ARG, "parameter 'image' '%s' must be CxHxW, e.g. 1x28x28", image);
    ro->op = &c->ops;
    return GINV_OK;
}

static ginv_status recover_check(const ginv_params *p)
{
    config c;
    ginv_status st = configure(p, &c);
    if (!st) { /* sizes: trial 0's operator for this signal size */
        ginv_op *op;
        if ((st = ginv_op_from_spec(&op, &c.ops, c.n, 1, 0))) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", ginv_last_error());
            st = ginv_fail(st, "parameter 'op': %s", msg);
        } else {
            ginv_op_free(op);
        }
    }
    release(&c);
    return st;
}

static ginv_status recover_run(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    config c;
    ginv_recover_trial res;
    memset(&res, 0, sizeof res);
    ginv_status st = configure(p, &c);
    if (!st) {
        c.ro.seed = seed;
        c.ro.first_trial = trial;
        c.ro.trials = 1;
        c.ro.threads = 1;
        st = ginv_recover_run(&c.ro, &res);
    }
    if (!st) {
        ginv_metrics_add(out, "rel_error", res.rel_error);
        ginv_metrics_add(out, "signal_rel_error", res.signal_error);
        ginv_metrics_add(out, "success", res.success);
        ginv_metrics_add(out, "meas_loss", res.meas_loss);
        ginv_metrics_add(out, "f", res.f);
        ginv_metrics_add(out, "iters", res.iters);
        ginv_metrics_add(out, "best_restart", res.best_restart);
        ginv_metrics_add(out, "flips", res.flips);
        ginv_metrics_add(out, "flips_total", res.flips_total);
    }
    ginv_recover_trial_release(&res);
    release(&c);
    return st;
}

const ginv_unit_runner ginv_unit_recover = {
    .command = "recover",
    .params = recover_params,
    .check = recover_check,
    .run = recover_run,
    .success = "success",
};
