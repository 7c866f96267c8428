/* recover.c — the recovery experiment (Hand & Voroninski §I-C): per trial a
 * generator, a truth z0, y = A G(z0) + noise, R restarts in one batch, the
 * lowest-f restart kept. Trials are independent units with their own RNG
 * streams, so the numbers do not depend on how many threads run them. */
#include "ginv.h"
#include "base/check_internal.h"
#include "base/ctx_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void ginv_recover_opts_init(ginv_recover_opts *o)
{
    memset(o, 0, sizeof *o);
    ginv_solve_opts_init(&o->solve);
    o->success_tol = 1e-3;
    o->init_sd = 1.0;
    o->restarts = 1;
    o->trials = 1;
    o->threads = 1;
    o->seed = 1;
}

void ginv_recover_trial_release(ginv_recover_trial *t)
{
    if (!t) return;
    ginv_free(t->z_hat);
    ginv_free(t->x_hat);
    ginv_free(t->z0);
    ginv_free(t->y);
    t->z_hat = t->x_hat = t->z0 = t->y = NULL;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* The solve stage of a trial on its problem (net, op, res->y): the R
 * restarts z (R x k, overwritten) solved in one batch on
 * f(z) = 1/2 ||A G(z) - y||^2 + lambda ||z||^2 (Hand & Voroninski eq. 1),
 * the kink direction w of eq. (5) from (seed, KINK, ti), the restart with the
 * lowest f kept: z_hat, x_hat = G(z_hat), f, meas_loss, iters, flips. */
static ginv_status solve_stage(ginv_net *net, const ginv_op *op, const ginv_recover_opts *o, uint64_t ti,
                               float *z, double *f, ginv_recover_trial *res)
{
    int k = res->k, n = res->n, R = o->restarts;
    ginv_objective *obj = NULL;
    double *f_own = f ? NULL : ginv_malloc((size_t)R * sizeof(double));
    if (!f) f = f_own;
    float *w = ginv_malloc((size_t)k * sizeof(float));
    int *flips = ginv_calloc((size_t)R, sizeof(int));
    res->z_hat = ginv_malloc((size_t)k * sizeof(float));
    res->x_hat = ginv_malloc((size_t)n * sizeof(float));
    ginv_status st = GINV_OK;
    if (!f || !w || !flips || !res->z_hat || !res->x_hat) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (!st) st = ginv_objective_new(&obj, net, op, res->y, 1, o->lambda, R);
    if (!st && o->kink == GINV_KINK_ONESIDED) {
        /* the fixed direction w of eq. (5), one per trial */
        ginv_rng r;
        ginv_rng_init(&r, o->seed, GINV_STREAM_KINK, ti);
        ginv_rng_normal_f32(&r, w, (size_t)k, 1.0);
        ginv_objective_set_kink(obj, GINV_KINK_ONESIDED, w);
    }
    ginv_solve_info info = {.flips = flips};
    if (!st) {
        double t0 = now_seconds();
        st = ginv_solve(obj, &o->solve, R, z, f, &info);
        res->seconds = now_seconds() - t0;
    }
    if (!st) {
        int best = 0;
        for (int b = 1; b < R; b++)
            if (f[b] < f[best]) best = b;
        res->best_restart = best;
        res->flips = flips[best];
        for (int b = 0; b < R; b++) res->flips_total += flips[b];
        memcpy(res->z_hat, z + (size_t)best * k, (size_t)k * sizeof(float));
        /* the kept restart's signal and losses, evaluated alone */
        double fb;
        st = ginv_objective_eval(obj, 1, res->z_hat, &fb, NULL);
        if (!st) {
            memcpy(res->x_hat, ginv_objective_signal(obj), (size_t)n * sizeof(float));
            res->f = fb;
            res->meas_loss = ginv_objective_meas_loss(obj)[0];
            res->iters = info.iters;
        }
    }
    ginv_objective_free(obj);
    ginv_free(f_own);
    ginv_free(w);
    ginv_free(flips);
    return st;
}

/* One trial: its problem (G, A, z0, y) is the trial's scenario, drawn from
 * streams indexed by the trial number; then R restarts from (seed, INIT, trial). */
static ginv_status run_trial(const ginv_recover_opts *o, int trial, ginv_recover_trial *res)
{
    uint64_t seed = o->seed, ti = o->first_trial + (uint64_t)trial;
    ginv_scenario sc;
    ginv_scenario_opts so;
    ginv_scenario_opts_init(&so);
    so.net = o->net;
    so.nspec = o->nspec;
    so.spec = o->spec;
    so.init = o->init;
    so.bias_sd = o->bias_sd;
    so.op = o->op;
    so.truth = o->truth;
    so.y = o->y;
    so.noise = o->noise;
    so.seed = seed;
    so.trial = ti;
    float *z = NULL;
    ginv_status st = ginv_scenario_draw(&sc, &so); /* a given y: the caller checked its size */
    if (st != GINV_OK) goto done;
    int k = sc.k, n = sc.n, R = o->restarts;
    res->k = k;
    res->n = n;
    res->m = sc.m;
    res->y = sc.y; /* the trial keeps its measurements and truth */
    res->z0 = sc.z0;
    sc.y = sc.z0 = NULL;
    if (!(z = ginv_malloc((size_t)R * k * sizeof(float)))) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        goto done;
    }
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_INIT, ti);
    if (o->start_negative && res->z0) {
        /* near the spurious basin: -z0 plus noise of relative size init_sd */
        double nz = 0;
        for (int i = 0; i < k; i++) nz += (double)res->z0[i] * res->z0[i];
        ginv_rng_normal_f32(&r, z, (size_t)R * k, o->init_sd * sqrt(nz / k));
        for (int b = 0; b < R; b++)
            for (int i = 0; i < k; i++) z[(size_t)b * k + i] -= res->z0[i];
    } else {
        ginv_rng_normal_f32(&r, z, (size_t)R * k, o->init_sd);
    }
    if ((st = solve_stage(sc.net, sc.op, o, ti, z, NULL, res)) != GINV_OK) goto done;
    if (res->z0) {
        /* the link's metric: up to sign (phaseless), up to scale (1-bit); on
         * the signal the operator's own (phaseless-fourier: also shift, flip) */
        ginv_link link = ginv_op_link(sc.op);
        res->rel_error = ginv_link_rel_error(link, res->z_hat, res->z0, (size_t)k);
        res->signal_error = ginv_op_rel_error(sc.op, res->x_hat, sc.x0, (size_t)n);
        res->success = res->rel_error < o->success_tol;
    } else {
        res->rel_error = res->signal_error = NAN;
    }
done:
    ginv_scenario_release(&sc);
    ginv_free(z);
    return st;
}

ginv_status ginv_recover_solve(ginv_net *net, const ginv_op *op, const float *y, const ginv_recover_opts *o,
                               uint64_t trial, const float *z_start, float *z_end, double *f_end,
                               ginv_recover_trial *res)
{
    GINV_NONNULL(res);
    memset(res, 0, sizeof *res);
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(y);
    GINV_NONNULL(o);
    int k = ginv_net_in(net), n = ginv_net_out(net), m = ginv_op_m(op), R = o->restarts;
    if (ginv_op_n(op) != n)
        return ginv_fail(GINV_ERR_SHAPE, "the operator takes %d values but the generator makes %d",
                         ginv_op_n(op), n);
    if (R < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'restarts' %d must be at least 1", R);
    if (!z_start && (!(o->init_sd >= 0) || !isfinite(o->init_sd)))
        return ginv_fail(GINV_ERR_ARG, "initial scale %g must be finite and >= 0", o->init_sd);
    for (int i = 0; i < m; i++)
        if (!isfinite(y[i])) return ginv_fail(GINV_ERR_NUMERIC, "y[%d] is not finite", i);
    ginv_status cst = ginv_op_check_y(op, y, (size_t)m);
    if (cst != GINV_OK) return cst;
    ginv_run_scope scope;
    int threads = ginv_run_enter(&scope, o->ctx, o->threads < 1 ? 1 : o->threads);
    ginv_blas_set_threads(threads);
    res->k = k, res->n = n, res->m = m;
    res->rel_error = res->signal_error = NAN; /* no truth */
    float *z = ginv_malloc((size_t)R * k * sizeof(float));
    res->y = ginv_malloc((size_t)m * sizeof(float));
    ginv_status st = z && res->y ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (!st) {
        memcpy(res->y, y, (size_t)m * sizeof(float));
        if (z_start) {
            memcpy(z, z_start, (size_t)R * k * sizeof(float));
        } else { /* as a trial of ginv_recover_run: N(0, init_sd^2 I) from (seed, INIT, trial) */
            ginv_rng r;
            ginv_rng_init(&r, o->seed, GINV_STREAM_INIT, trial);
            ginv_rng_normal_f32(&r, z, (size_t)R * k, o->init_sd);
        }
        st = solve_stage(net, op, o, trial, z, f_end, res);
    }
    if (!st && z_end) memcpy(z_end, z, (size_t)R * k * sizeof(float));
    ginv_free(z);
    if (st != GINV_OK) ginv_recover_trial_release(res);
    return ginv_run_leave(&scope, st);
}

typedef struct {
    const ginv_recover_opts *o;
    ginv_ctx *ctx;              /* the caller's current context, for the workers */
    ginv_recover_trial *res;
    atomic_int next;
    atomic_int done;
    pthread_mutex_t lock;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    ginv_ctx_set_current(p->ctx);
    for (;;) {
        if (ginv_cancel_requested()) break; /* the trials not started stay zeroed */
        int t = atomic_fetch_add(&p->next, 1);
        if (t >= p->o->trials) break;
        ginv_recover_trial *res = &p->res[t];
        res->status = run_trial(p->o, t, res);
        if (res->status != GINV_OK)
            snprintf(res->error, sizeof res->error, "trial %llu: %s",
                     (unsigned long long)(p->o->first_trial + (uint64_t)t), ginv_last_error());
        int d = atomic_fetch_add(&p->done, 1) + 1;
        pthread_mutex_lock(&p->lock);
        ginv_progress("trials", d, p->o->trials);
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

static ginv_status recover_run(const ginv_recover_opts *o, ginv_recover_trial *results)
{
    if (o->trials < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'trials' %d must be at least 1", o->trials);
    if (o->restarts < 1)
        return ginv_fail(GINV_ERR_ARG, "parameter 'restarts' %d must be at least 1", o->restarts);
    if (o->threads < 1) return ginv_fail(GINV_ERR_ARG, "parameter 'threads' %d must be at least 1", o->threads);
    if (!o->net && (o->nspec < 1 || !o->spec))
        return ginv_fail(GINV_ERR_ARG, "no generator: give a model file or layer sizes");
    if (!(o->noise >= 0) || !isfinite(o->noise))
        return ginv_fail(GINV_ERR_ARG, "parameter 'noise' %g must be finite and >= 0", o->noise);
    if (!(o->init_sd >= 0) || !isfinite(o->init_sd))
        return ginv_fail(GINV_ERR_ARG, "initial scale %g must be finite and >= 0", o->init_sd);
    memset(results, 0, (size_t)o->trials * sizeof *results);
    /* threads across trials first; BLAS threads only when there is one trial */
    int workers = o->threads < o->trials ? o->threads : o->trials;
    ginv_blas_set_threads(workers > 1 ? 1 : o->threads);
    pool p = {.o = o, .ctx = ginv_ctx_current(), .res = results};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_t tid[64];
    if (workers > 64) workers = 64;
    int started = 0;
    for (int i = 1; i < workers; i++)
        if (pthread_create(&tid[started], NULL, worker, &p) == 0) started++;
    worker(&p);
    for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
    pthread_mutex_destroy(&p.lock);
    if (ginv_cancel_requested()) {
        int finished = 0;
        for (int t = 0; t < o->trials; t++) finished += results[t].status == GINV_OK && results[t].z_hat;
        return ginv_fail(GINV_ERR_CANCELLED, "cancelled: %d of %d trials finished", finished,
                         o->trials);
    }
    for (int t = 0; t < o->trials; t++)
        if (results[t].status != GINV_OK)
            return ginv_fail(results[t].status, "%s", results[t].error);
    return GINV_OK;
}

ginv_status ginv_recover_run(const ginv_recover_opts *o, ginv_recover_trial *results)
{
    GINV_NONNULL(o);
    GINV_NONNULL(results);
    ginv_recover_opts oc = *o;
    ginv_run_scope sc;
    oc.threads = ginv_run_enter(&sc, o->ctx, o->threads);
    return ginv_run_leave(&sc, recover_run(&oc, results));
}
