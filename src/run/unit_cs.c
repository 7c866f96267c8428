/* unit_cs.c — the `cs` unit runner: trial t is image t of the data, measured
 * and reconstructed as `ginv cs --data DATA[0:N] --seed SEED` does it for its
 * image t: the same operator (stream (seed, OP, 0)), the same noise (stream
 * (seed, NOISE, t)) and, for csgm, the same restart stream (seed, CSGM_INIT,
 * t). One method per cell (put "method" in the grid to compare). CSGM runs
 * the image's restarts as one batch; the Lasso needs a fixed lambda here (the
 * tuning of `ginv cs` looks at held-out images, not one unit). */
#include "ginv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const cs_params[] = {"model", "data", "op", "m", "noise", "method", "lambda",
                                        "restarts", "iters", "lr", "lasso-lambda",
                                        "lasso-iters", NULL};

typedef struct {
    const char *model, *data, *op;
    int m, csgm, restarts, iters, lasso_iters;
    ginv_basis basis;
    double noise, lambda, lr, lasso_lambda;
} cs_cfg;

static ginv_status configure(const ginv_params *p, cs_cfg *c)
{
    memset(c, 0, sizeof *c);
    ginv_status st;
    c->model = ginv_params_get(p, "model");
    c->data = ginv_params_str(p, "data", "fashion-mnist:test");
    c->op = ginv_params_str(p, "op", "gaussian");
    const char *method = ginv_params_str(p, "method", "csgm");
    if (strchr(c->data, '['))
        return ginv_fail(GINV_ERR_ARG, "parameter 'data' '%s': no slice in a sweep (trial t is "
                                       "image t; 'trials' says how many)", c->data);
    if (!strcmp(method, "csgm")) c->csgm = 1;
    else if (!strncmp(method, "lasso-", 6)) {
        const char *b = method + 6;
        if (ginv_basis_parse(!strcmp(b, "wavelet") ? "haar" : b, &c->basis) != GINV_OK)
            return ginv_fail(GINV_ERR_ARG, "parameter 'method' '%s' must be csgm, lasso-pixel, "
                                           "lasso-dct, lasso-wavelet or lasso-db4", method);
    } else {
        return ginv_fail(GINV_ERR_ARG, "parameter 'method' '%s' must be csgm, lasso-pixel, "
                                       "lasso-dct, lasso-wavelet or lasso-db4", method);
    }
    if (c->csgm && !c->model)
        return ginv_fail(GINV_ERR_ARG, "parameter 'model' is required for method csgm");
    if ((st = ginv_params_int(p, "m", 100, 1, 1 << 24, &c->m)) ||
        (st = ginv_params_double(p, "noise", 0.1, 0, 1e6, &c->noise)) ||
        (st = ginv_params_double(p, "lambda", 0.1, 0, 1e6, &c->lambda)) ||
        (st = ginv_params_int(p, "restarts", 10, 1, 1 << 16, &c->restarts)) ||
        (st = ginv_params_int(p, "iters", 1000, 0, 1 << 24, &c->iters)) ||
        (st = ginv_params_double(p, "lr", 0.01, 1e-300, 1e3, &c->lr)) ||
        (st = ginv_params_double(p, "lasso-lambda", 0, 0, 1e6, &c->lasso_lambda)) ||
        (st = ginv_params_int(p, "lasso-iters", 500, 1, 1 << 24, &c->lasso_iters)))
        return st;
    if (!c->csgm && !(c->lasso_lambda > 0))
        return ginv_fail(GINV_ERR_ARG, "parameter 'lasso-lambda' (> 0) is required for method %s "
                                       "in a sweep", method);
    return GINV_OK;
}

/* The operator of `ginv cs` for n-pixel h x w images. */
static ginv_status make_op(const cs_cfg *c, int h, int w, uint64_t seed, ginv_op **op)
{
    int n = h * w;
    if (!strcmp(c->op, "gaussian")) return ginv_op_gaussian_unit(op, c->m, n, seed, 0);
    ginv_op_spec spec;
    ginv_status st = ginv_op_spec_parse(&spec, c->op, c->m);
    if (st != GINV_OK) return ginv_fail(st, "parameter 'op': %s", ginv_last_error());
    if (!spec.c) spec.c = 1, spec.h = h, spec.w = w;
    st = ginv_op_from_spec(op, &spec, n, seed, 0);
    ginv_op_spec_release(&spec);
    return st;
}

static ginv_status cs_check(const ginv_params *p)
{
    cs_cfg c;
    return configure(p, &c);
}

/* What cs_check_trials last found on this thread, so that the cells of one
 * spec, which mostly share their data and model, load each once: the image
 * size of (data, trials), and the output size of a model file, keyed by its
 * path and identity (device, inode, size, mtime). Only successes are kept. */
static _Thread_local struct {
    char data_key[1100];
    int h, w;
    char model_key[1200];
    int out;
} checked;

/* "PATH\nDEV:INO:SIZE:MTIME" into buf; 0 when it does not fit or stat fails. */
static int file_key(const char *path, char *buf, size_t len)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return 0;
    int n = snprintf(buf, len, "%s\n%llu:%llu:%lld:%lld.%09ld", path, (unsigned long long)sb.st_dev,
                     (unsigned long long)sb.st_ino, (long long)sb.st_size,
                     (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
    return n > 0 && (size_t)n < len;
}

/* What `ginv cs` checks before it runs, for the images trials 0..T-1 use:
 * the data holds T images (the last one loads), the generator makes images
 * of their size, and the operator fits them. */
static ginv_status cs_check_trials(const ginv_params *p, int trials)
{
    cs_cfg c;
    ginv_status st = configure(p, &c);
    if (st != GINV_OK) return st;
    char spec[1024], msg[768], key[1200];
    if (trials < 1) return ginv_fail(GINV_ERR_ARG, "trials %d must be >= 1", trials);
    int h, w;
    int kl = snprintf(key, sizeof checked.data_key, "%s\n%d", c.data, trials);
    int keyed = kl > 0 && (size_t)kl < sizeof checked.data_key;
    if (keyed && !strcmp(key, checked.data_key)) {
        h = checked.h, w = checked.w;
    } else {
        snprintf(spec, sizeof spec, "%s[%d:%d]", c.data, trials - 1, trials);
        ginv_images im = {0};
        if ((st = ginv_images_load(spec, &im)) != GINV_OK) {
            snprintf(msg, sizeof msg, "%s", ginv_last_error());
            return ginv_fail(st, "parameter 'data' '%s': %d trials need its images 0..%d (trial t is "
                                 "image t): %s", c.data, trials, trials - 1, msg);
        }
        h = im.h, w = im.w;
        ginv_images_release(&im);
        if (keyed) {
            memcpy(checked.data_key, key, (size_t)kl + 1);
            checked.h = h, checked.w = w;
        }
    }
    int n = h * w;
    if (c.csgm) {
        int out;
        keyed = file_key(c.model, key, sizeof key);
        if (keyed && !strcmp(key, checked.model_key)) {
            out = checked.out;
        } else {
            ginv_net *net = NULL;
            if ((st = ginv_net_load(c.model, &net)) != GINV_OK) {
                snprintf(msg, sizeof msg, "%s", ginv_last_error());
                return ginv_fail(st, "parameter 'model' '%s': %s", c.model, msg);
            }
            out = ginv_net_out(net);
            ginv_net_free(net);
            if (keyed) {
                snprintf(checked.model_key, sizeof checked.model_key, "%s", key);
                checked.out = out;
            }
        }
        if (out != n)
            return ginv_fail(GINV_ERR_SHAPE, "parameter 'model' '%s': the generator makes %d pixels but "
                                             "the images of '%s' have %d (%dx%d)", c.model, out, c.data,
                             n, h, w);
    }
    if (!strcmp(c.op, "gaussian")) return GINV_OK; /* any m fits: nothing to check but memory */
    ginv_op *op = NULL;
    if ((st = make_op(&c, h, w, 0, &op)) != GINV_OK) {
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(st, "parameter 'op' '%s' with m %d on %dx%d images: %s", c.op, c.m, h, w, msg);
    }
    ginv_op_free(op);
    return GINV_OK;
}

static ginv_status cs_run(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    cs_cfg c;
    ginv_status st = configure(p, &c);
    if (st != GINV_OK) return st;
    char spec[1024];
    snprintf(spec, sizeof spec, "%s[%llu:%llu]", c.data, (unsigned long long)trial,
             (unsigned long long)trial + 1);
    ginv_images im = {0};
    ginv_net *net = NULL;
    ginv_op *op = NULL;
    float *y = NULL, *x = NULL;
    if ((st = ginv_images_load(spec, &im)) != GINV_OK) return st;
    int n = im.h * im.w;
    if (c.csgm && (st = ginv_net_load(c.model, &net)) == GINV_OK && ginv_net_out(net) != n)
        st = ginv_fail(GINV_ERR_SHAPE, "the generator makes %d pixels but the images have %d",
                       ginv_net_out(net), n);
    if (st == GINV_OK) st = make_op(&c, im.h, im.w, seed, &op);
    if (st == GINV_OK) {
        y = ginv_malloc((size_t)ginv_op_m(op) * sizeof(float));
        x = ginv_malloc((size_t)n * sizeof(float));
        if (!y || !x) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    if (st == GINV_OK) {
        ginv_op_apply(op, 1, im.pix, y);
        ginv_add_noise(y, (size_t)ginv_op_m(op), c.noise, seed, trial);
        double loss = NAN;
        if (c.csgm) {
            ginv_csgm_opts o;
            ginv_csgm_opts_init(&o);
            o.restarts = c.restarts, o.iters = c.iters, o.lr = c.lr, o.lambda = c.lambda;
            o.seed = seed, o.first_index = trial;
            st = ginv_csgm_run(net, op, 1, y, &o, NULL, x, &loss);
        } else {
            ginv_lasso_opts lo;
            ginv_lasso_opts_init(&lo);
            lo.lambda = c.lasso_lambda, lo.iters = c.lasso_iters;
            st = ginv_lasso_run(op, c.basis, im.h, im.w, 1, y, &lo, x);
        }
        if (st == GINV_OK) {
            double se = 0;
            for (int i = 0; i < n; i++) se += ((double)x[i] - im.pix[i]) * ((double)x[i] - im.pix[i]);
            ginv_metrics_add(out, "mse", se / n);
            ginv_metrics_add(out, "psnr", 10 * log10(1.0 / fmax(se / n, 1e-300)));
            if (c.csgm) ginv_metrics_add(out, "loss", loss);
            if (im.labels) ginv_metrics_add(out, "label", im.labels[0]);
        }
    }
    ginv_free(y);
    ginv_free(x);
    ginv_op_free(op);
    ginv_net_free(net);
    ginv_images_release(&im);
    return st;
}

const ginv_unit_runner ginv_unit_cs = {
    .command = "cs",
    .params = cs_params,
    .check = cs_check,
    .run = cs_run,
    .success = NULL,
    .check_trials = cs_check_trials,
};
