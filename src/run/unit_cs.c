/* unit_cs.c — the `cs` unit runner: trial t is image t of the data (of its
 * slice: data NAME[a:b] makes trial t image a + t), measured and
 * reconstructed as `ginv cs --data NAME[a:b] --seed SEED` does it for its
 * image t: the same operator (ginv_cs_op, stream (seed, OP, 0)), the same
 * noise (stream (seed, NOISE, t)) and, for csgm, the same restart stream
 * (seed, CSGM_INIT, t). The cell's parameters are `ginv cs`'s
 * (ginv_cs_table: same names and defaults), with one method per cell (put
 * "method" in the grid to compare). CSGM runs the image's restarts as one
 * batch; the Lasso needs a fixed lambda here (the tuning of `ginv cs` looks
 * at held-out images, not one unit); hio and er (phaseless-fourier) run
 * ginv_phase_retrieval_run with image t's restart streams. For a nonlinear
 * operator the mse is up to its ambiguities, as `ginv cs` measures it. */
#include "ginv.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    ginv_cs_params p;
    int method;
    char base[1024]; /* the data without its slice */
    long a, b;       /* the slice [a, b) (b = LONG_MAX: to the end) */
} cs_cfg;

/* "NAME[a:b]" -> NAME, a, b; no slice: a = 0, b = LONG_MAX. */
static ginv_status split_slice(const char *data, cs_cfg *c)
{
    const char *br = strchr(data, '[');
    size_t len = br ? (size_t)(br - data) : strlen(data);
    if (len >= sizeof c->base) return ginv_fail(GINV_ERR_ARG, "parameter 'data' is too long");
    memcpy(c->base, data, len);
    c->base[len] = 0;
    c->a = 0, c->b = LONG_MAX;
    if (!br) return GINV_OK;
    char tail;
    if (sscanf(br, "[%ld:%ld]%c", &c->a, &c->b, &tail) != 2 || c->a < 0 || c->b <= c->a)
        return ginv_fail(GINV_ERR_ARG, "parameter 'data' '%s': a slice in a sweep is [a:b] with "
                                       "0 <= a < b (trial t is image a + t)", data);
    return GINV_OK;
}

static ginv_status configure(const ginv_params *cell, cs_cfg *c)
{
    memset(c, 0, sizeof *c);
    ginv_cs_params_init(&c->p);
    ginv_status st = ginv_params_apply(cell, &ginv_cs_table, &c->p);
    if (st != GINV_OK) return st;
    int methods[GINV_CS_NMETHODS], n = 0;
    if ((st = ginv_cs_check(&c->p, methods, &n)) != GINV_OK) return st;
    if (n != 1)
        return ginv_fail(GINV_ERR_ARG, "parameter 'method' '%s': one method per cell (put \"method\" "
                                       "in the grid to compare several)", c->p.method);
    c->method = methods[0];
    if (ginv_cs_method_name(c->method)[0] == 'l' && !(c->p.lasso_lambda > 0)) /* lasso-* */
        return ginv_fail(GINV_ERR_ARG, "parameter 'lasso-lambda' (> 0) is required for method %s "
                                       "in a sweep", c->p.method);
    return split_slice(c->p.data, c);
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

/* Image t of the cell's data: "BASE[a+t:a+t+1]" into buf. */
static void image_spec(const cs_cfg *c, long t, char *buf, size_t len)
{
    snprintf(buf, len, "%s[%ld:%ld]", c->base, c->a + t, c->a + t + 1);
}

/* What `ginv cs` checks before it runs, for the images trials 0..T-1 use:
 * the data (its slice) holds T images (the last one loads), the generator
 * makes images of their size, and the operator fits them. */
static ginv_status cs_check_trials(const ginv_params *p, int trials)
{
    cs_cfg c;
    ginv_status st = configure(p, &c);
    if (st != GINV_OK) return st;
    char spec[1100], msg[768], key[1200];
    if (trials < 1) return ginv_fail(GINV_ERR_ARG, "trials %d must be >= 1", trials);
    if (c.b != LONG_MAX && trials > c.b - c.a)
        return ginv_fail(GINV_ERR_ARG, "parameter 'data' '%s' holds %ld images but the spec asks for %d "
                                       "trials (trial t is image t of the slice)", c.p.data, c.b - c.a, trials);
    int h, w;
    int kl = snprintf(key, sizeof checked.data_key, "%s\n%d", c.p.data, trials);
    int keyed = kl > 0 && (size_t)kl < sizeof checked.data_key;
    if (keyed && !strcmp(key, checked.data_key)) {
        h = checked.h, w = checked.w;
    } else {
        image_spec(&c, trials - 1, spec, sizeof spec);
        ginv_images im = {0};
        if ((st = ginv_images_load(spec, &im)) != GINV_OK) {
            snprintf(msg, sizeof msg, "%s", ginv_last_error());
            return ginv_fail(st, "parameter 'data' '%s': %d trials need its images %ld..%ld (trial t is "
                                 "image t): %s", c.p.data, trials, c.a, c.a + trials - 1, msg);
        }
        h = im.h, w = im.w;
        ginv_images_release(&im);
        if (keyed) {
            memcpy(checked.data_key, key, (size_t)kl + 1);
            checked.h = h, checked.w = w;
        }
    }
    int n = h * w;
    if (c.method == GINV_CS_CSGM || c.method == GINV_CS_ILO) {
        int out;
        keyed = file_key(c.p.model, key, sizeof key);
        if (keyed && !strcmp(key, checked.model_key)) {
            out = checked.out;
        } else {
            ginv_net *net = NULL;
            if ((st = ginv_net_load(c.p.model, &net)) != GINV_OK) {
                snprintf(msg, sizeof msg, "%s", ginv_last_error());
                return ginv_fail(st, "parameter 'model' '%s': %s", c.p.model, msg);
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
                                             "the images of '%s' have %d (%dx%d)", c.p.model, out, c.p.data,
                             n, h, w);
    }
    /* the operator fits the images (sized, not drawn: ginv_cs_op's shape) */
    ginv_op_spec os;
    int m;
    if ((st = ginv_op_spec_parse(&os, c.p.op, c.p.m)) == GINV_OK) {
        if (!os.c) os.c = 1, os.h = h, os.w = w;
        st = ginv_op_spec_rows(&os, n, &m);
    }
    ginv_op_spec_release(&os);
    if (st != GINV_OK) {
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(st, "parameter 'op' '%s' with m %d on %dx%d images: %s", c.p.op, c.p.m, h, w, msg);
    }
    return GINV_OK;
}

static ginv_status cs_run(const ginv_params *p, uint64_t seed, uint64_t trial, ginv_metrics *out)
{
    cs_cfg c;
    ginv_status st = configure(p, &c);
    if (st != GINV_OK) return st;
    char spec[1100];
    image_spec(&c, (long)trial, spec, sizeof spec);
    ginv_images im = {0};
    ginv_net *net = NULL;
    ginv_op *op = NULL;
    float *y = NULL, *x = NULL;
    int csgm = c.method == GINV_CS_CSGM, gen = csgm || c.method == GINV_CS_ILO; /* gen: needs G */
    if ((st = ginv_images_load(spec, &im)) != GINV_OK) return st;
    int n = im.h * im.w;
    if (gen && (st = ginv_net_load(c.p.model, &net)) == GINV_OK && ginv_net_out(net) != n)
        st = ginv_fail(GINV_ERR_SHAPE, "the generator makes %d pixels but the images have %d",
                       ginv_net_out(net), n);
    if (st == GINV_OK) st = ginv_cs_op(&c.p, 1, im.h, im.w, seed, &op);
    if (st == GINV_OK) {
        y = ginv_malloc((size_t)ginv_op_m(op) * sizeof(float));
        x = ginv_malloc((size_t)n * sizeof(float));
        if (!y || !x) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    if (st == GINV_OK) {
        /* as ginv cs: the link's noise model, image t's stream */
        st = ginv_op_observe(op, 1, im.pix, c.p.noise, seed, trial, y);
        double loss = NAN;
        if (st != GINV_OK) {
        } else if (c.method == GINV_CS_HIO || c.method == GINV_CS_ER) {
            ginv_pr_opts po; /* as ginv cs --method hio|er for its image t */
            ginv_pr_opts_init(&po);
            po.algo = c.method == GINV_CS_HIO ? GINV_PR_HIO : GINV_PR_ER;
            po.iters = c.p.pr_iters, po.er_iters = c.p.er_iters, po.beta = c.p.hio_beta;
            po.restarts = c.p.pr_restarts, po.seed = seed, po.first_index = trial;
            int K = (int)lround(sqrt((double)ginv_op_m(op) / n));
            st = ginv_phase_retrieval_run(1, im.h, im.w, K, 1, y, &po, x, NULL);
        } else if (gen) {
            ginv_csgm_opts o;
            ginv_csgm_opts_init(&o);
            o.restarts = c.p.restarts, o.iters = c.p.iters, o.lr = c.p.lr, o.lambda = c.p.lambda;
            o.seed = seed, o.first_index = trial;
            if (csgm) {
                st = ginv_csgm_run(net, op, 1, y, &o, NULL, x, &loss);
            } else { /* ilo: as ginv cs --method ilo does for its image t */
                ginv_ilo_opts io;
                ginv_ilo_opts_init(&io);
                io.csgm = o;
                io.lr = c.p.lr, io.threads = 1;
                st = ginv_cs_ilo_opts(&c.p, &io);
                if (st == GINV_OK) st = ginv_ilo_run(net, op, 1, y, &io, NULL, NULL, x, &loss, NULL, NULL, NULL);
            }
        } else {
            ginv_lasso_opts lo;
            ginv_lasso_opts_init(&lo);
            lo.lambda = c.p.lasso_lambda, lo.iters = c.p.lasso_iters;
            st = ginv_lasso_run(op, ginv_cs_method_basis(c.method), im.h, im.w, 1, y, &lo, x);
        }
        if (st == GINV_OK) {
            double se = 0, bb = 0;
            for (int i = 0; i < n; i++) se += ((double)x[i] - im.pix[i]) * ((double)x[i] - im.pix[i]);
            if (ginv_op_link(op) != GINV_LINK_LINEAR) { /* up to the ambiguities, as ginv cs */
                double rel = ginv_op_rel_error(op, x, im.pix, (size_t)n);
                for (int i = 0; i < n; i++) bb += (double)im.pix[i] * im.pix[i];
                se = rel * rel * (bb > 0 ? bb : 1);
            }
            ginv_metrics_add(out, "mse", se / n);
            ginv_metrics_add(out, "psnr", 10 * log10(1.0 / fmax(se / n, 1e-300)));
            if (gen) ginv_metrics_add(out, "loss", loss);
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
    .check = cs_check,
    .run = cs_run,
    .success = NULL,
    .check_trials = cs_check_trials,
    .table = &ginv_cs_table,
};
