/* test_ctx.c — ginv_ctx: a run's log and progress go to its context's
 * callbacks (the process-wide ones untouched), a cancel stops the run with
 * GINV_ERR_CANCELLED and frees what it held (the runner checks leaks), and
 * every long-running call restores the linear-algebra thread count. */
#include "test.h"

#include <string.h>
#include <unistd.h>

static const ginv_layer small_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 30},
                                        {.kind = GINV_LAYER_RELU},
                                        {.kind = GINV_LAYER_DENSE, .in = 30, .out = 60},
                                        {.kind = GINV_LAYER_RELU}};

typedef struct {
    int progress, log;
    ginv_ctx *cancel;   /* cancel this at the cancel_at-th progress call */
    int cancel_at;
    int log_from_progress;
} counts;

static void count_progress(void *user, const char *what, long done, long total)
{
    (void)what; (void)done; (void)total;
    counts *c = user;
    c->progress++;
    if (c->log_from_progress) ginv_log(GINV_LOG_INFO, "from the run's thread");
    if (c->cancel && c->progress == c->cancel_at) ginv_ctx_cancel(c->cancel);
}

static void count_log(void *user, int level, const char *msg)
{
    (void)level; (void)msg;
    ((counts *)user)->log++;
}

static void recover_opts(ginv_recover_opts *o, ginv_op_spec *ops, int trials, int iters)
{
    ginv_recover_opts_init(o);
    ginv_op_spec_parse(ops, "gaussian", 20);
    o->nspec = 4;
    o->spec = small_spec;
    o->op = ops;
    o->solve.type = ginv_solver_find("gd");
    o->solve.lr = 0.01;
    o->solve.iters = iters;
    o->solve.tol = 0;
    o->trials = trials;
}

static void release_trials(ginv_recover_trial *r, int n)
{
    for (int t = 0; t < n; t++) ginv_recover_trial_release(&r[t]);
}

TEST(ctx_gets_a_runs_log_and_progress_and_the_global_callbacks_do_not)
{
    counts g = {0}, c = {.log_from_progress = 1};
    ginv_set_log(count_log, &g);
    ginv_set_progress(count_progress, &g);
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    ginv_ctx_set_log(ctx, count_log, &c);
    ginv_ctx_set_progress(ctx, count_progress, &c);
    ginv_recover_opts o;
    ginv_op_spec ops;
    recover_opts(&o, &ops, 4, 20);
    o.threads = 2; /* progress also comes from a worker thread */
    o.ctx = ctx;
    ginv_recover_trial res[4];
    CHECK_OK(ginv_recover_run(&o, res));
    release_trials(res, 4);
    CHECK_MSG(c.progress == 4 && c.log == 4, "ctx: %d progress, %d log calls", c.progress, c.log);
    CHECK_MSG(g.progress == 0 && g.log == 0, "globals: %d progress, %d log calls", g.progress, g.log);
    /* after the run, the process-wide callbacks are back */
    ginv_progress("after", 1, 1);
    CHECK(g.progress == 1 && c.progress == 4);
    /* a context that sets neither callback leaves them process-wide */
    ginv_ctx *bare = NULL;
    CHECK_OK(ginv_ctx_new(&bare));
    o.ctx = bare;
    o.threads = 1;
    CHECK_OK(ginv_recover_run(&o, res));
    release_trials(res, 4);
    CHECK_MSG(g.progress == 5, "globals: %d progress calls", g.progress);
    ginv_set_log(NULL, NULL);
    ginv_set_progress(NULL, NULL);
    ginv_ctx_free(bare);
    ginv_ctx_free(ctx);
}

TEST(ctx_cancel_stops_recover_between_trials_and_in_the_solver)
{
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    counts c = {.cancel = ctx, .cancel_at = 2};
    ginv_ctx_set_progress(ctx, count_progress, &c);
    ginv_recover_opts o;
    ginv_op_spec ops;
    recover_opts(&o, &ops, 6, 20);
    o.ctx = ctx;
    ginv_recover_trial res[6];
    CHECK(ginv_recover_run(&o, res) == GINV_ERR_CANCELLED);
    CHECK(ginv_last_status() == GINV_ERR_CANCELLED);
    CHECK_MSG(strstr(ginv_last_error(), "2 of 6 trials") != NULL, "message: %s", ginv_last_error());
    CHECK(ginv_ctx_cancelled(ctx));
    release_trials(res, 6);
    /* still cancelled: the next run stops at once; reset lets it run */
    CHECK(ginv_recover_run(&o, res) == GINV_ERR_CANCELLED);
    release_trials(res, 6);
    ginv_ctx_reset(ctx);
    c.cancel = NULL;
    o.trials = 1;
    CHECK_OK(ginv_recover_run(&o, res));
    release_trials(res, 1);
    /* cancelled inside a long solve (from another thread's point of view:
     * the flag is all that changes): one trial of 10^8 iterations stops */
    o.solve.iters = 100000000;
    c.cancel = NULL;
    ginv_ctx_cancel(ctx);
    CHECK(ginv_recover_run(&o, res) == GINV_ERR_CANCELLED);
    release_trials(res, 1);
    CHECK(strcmp(ginv_strerror(GINV_ERR_CANCELLED), "cancelled") == 0);
    CHECK(GINV_ERR_CANCELLED == GINV_ERR_UNSUPPORTED + 1);
    ginv_ctx_free(ctx);
}

static int cancel_at_iter_5(void *user, int t, int B, const double *f, const float *z)
{
    (void)B; (void)f; (void)z;
    if (t == 5) ginv_ctx_cancel(user);
    return 0;
}

TEST(ctx_cancel_from_an_iteration_callback_stops_the_solver)
{
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    ginv_recover_opts o;
    ginv_op_spec ops;
    recover_opts(&o, &ops, 1, 100000000);
    o.solve.on_iter = cancel_at_iter_5;
    o.solve.user = ctx;
    o.ctx = ctx;
    ginv_recover_trial res[1];
    CHECK(ginv_recover_run(&o, res) == GINV_ERR_CANCELLED);
    release_trials(res, 1);
    ginv_ctx_free(ctx);
}

static ginv_status small_posterior(ginv_net **net, ginv_op **op, ginv_posterior **post, int B)
{
    ginv_status st = ginv_net_new(net, 4, small_spec);
    if (!st) st = ginv_net_randomize(*net, GINV_INIT_PAPER, 0, 3, 0);
    ginv_op_spec ops;
    ginv_op_spec_parse(&ops, "gaussian", 20);
    if (!st) st = ginv_op_from_spec(op, &ops, 60, 3, 0);
    ginv_op_spec_release(&ops);
    float y[20];
    for (int i = 0; i < 20; i++) y[i] = 0.1f * (float)(i % 5);
    if (!st) st = ginv_posterior_new(post, *net, *op, y, 1, 0.1, GINV_PRIOR_GAUSSIAN, B);
    return st;
}

TEST(ctx_cancel_stops_sample_run_and_frees_its_result)
{
    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_posterior *post = NULL;
    CHECK_OK(small_posterior(&net, &op, &post, 2));
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    counts c = {.cancel = ctx, .cancel_at = 3};
    ginv_ctx_set_progress(ctx, count_progress, &c);
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.type = ginv_sampler_ula;
    o.step = 1e-4;
    o.chains = 2;
    o.burn_in = 100000000; /* would run for minutes */
    o.samples = 10;
    o.ctx = ctx;
    ginv_sample_result r;
    CHECK(ginv_sample_run(post, &o, &r) == GINV_ERR_CANCELLED);
    CHECK_MSG(strstr(ginv_last_error(), "cancelled") != NULL, "message: %s", ginv_last_error());
    CHECK(r.samples == NULL && r.energy == NULL);
    CHECK(c.progress == 3);
    ginv_sample_result_release(&r);
    ginv_ctx_free(ctx);
    ginv_posterior_free(post);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(ctx_long_runs_restore_the_linear_algebra_threads)
{
    ginv_blas_set_threads(1);
    CHECK(ginv_blas_get_threads() == 1);
    /* recover: one trial on 3 threads (BLAS threads 3), with and without ctx */
    ginv_recover_opts ro;
    ginv_op_spec ops;
    recover_opts(&ro, &ops, 1, 5);
    ro.threads = 3;
    ginv_recover_trial res[1];
    CHECK_OK(ginv_recover_run(&ro, res));
    release_trials(res, 1);
    CHECK_MSG(ginv_blas_get_threads() == 1, "recover left %d threads", ginv_blas_get_threads());
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    ginv_ctx_set_threads(ctx, 2);
    CHECK(ginv_ctx_threads(ctx) == 2);
    ro.ctx = ctx;
    ro.threads = 1;
    CHECK_OK(ginv_recover_run(&ro, res));
    release_trials(res, 1);
    CHECK(ginv_blas_get_threads() == 1);
    /* ... also after a failure */
    ro.restarts = 0;
    CHECK(ginv_recover_run(&ro, res) == GINV_ERR_ARG);
    CHECK(ginv_blas_get_threads() == 1);
    /* sample */
    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_posterior *post = NULL;
    CHECK_OK(small_posterior(&net, &op, &post, 2));
    ginv_sample_opts so;
    ginv_sample_opts_init(&so);
    so.type = ginv_sampler_ula;
    so.step = 1e-4;
    so.chains = 2;
    so.burn_in = 5;
    so.samples = 5;
    so.threads = 3;
    ginv_sample_result sr;
    CHECK_OK(ginv_sample_run(post, &so, &sr));
    ginv_sample_result_release(&sr);
    CHECK_MSG(ginv_blas_get_threads() == 1, "sample left %d threads", ginv_blas_get_threads());
    /* csgm */
    ginv_csgm_opts co;
    ginv_csgm_opts_init(&co);
    co.restarts = 2;
    co.iters = 5;
    co.threads = 3;
    float Y[2 * 20] = {0};
    CHECK_OK(ginv_csgm_run(net, op, 2, Y, &co, NULL, NULL, NULL));
    CHECK_MSG(ginv_blas_get_threads() == 1, "csgm left %d threads", ginv_blas_get_threads());
    /* a cancelled csgm */
    ginv_ctx_cancel(ctx);
    co.ctx = ctx;
    CHECK(ginv_csgm_run(net, op, 2, Y, &co, NULL, NULL, NULL) == GINV_ERR_CANCELLED);
    CHECK(ginv_blas_get_threads() == 1);
    ginv_ctx_reset(ctx);
    ginv_posterior_free(post);
    ginv_op_free(op);
    ginv_net_free(net);
    /* vae training */
    ginv_vae_arch a = {.n = 7, .k = 3, .nhidden = 1, .hidden = {6}, .act = GINV_LAYER_SOFTPLUS};
    ginv_vae *v = NULL;
    CHECK_OK(ginv_vae_new(&v, &a, 1));
    float X[10 * 7];
    for (int i = 0; i < 70; i++) X[i] = (float)(i % 3) / 2.0f;
    ginv_vae_train_opts vo;
    ginv_vae_train_opts_init(&vo);
    vo.batch = 5;
    vo.epochs = 1;
    vo.threads = 3;
    CHECK_OK(ginv_vae_train(v, 10, X, &vo, NULL));
    CHECK_MSG(ginv_blas_get_threads() == 1, "vae_train left %d threads", ginv_blas_get_threads());
    /* cancelled: no epoch runs, the VAE stays at its last finished epoch */
    ginv_ctx_cancel(ctx);
    vo.ctx = ctx;
    vo.epochs = 3;
    CHECK(ginv_vae_train(v, 10, X, &vo, NULL) == GINV_ERR_CANCELLED);
    CHECK(ginv_vae_epoch(v) == 1);
    CHECK(ginv_blas_get_threads() == 1);
    ginv_ctx_reset(ctx);
    ginv_vae_free(v);
    /* sweep: two threads (BLAS threads 1 meanwhile), from a BLAS count of 2 */
    ginv_blas_set_threads(2);
    const char *spec_txt =
        "{\"command\": \"recover\", \"fixed\": {\"op\": \"gaussian\", \"algo\": \"gd\", \"iters\": 20},"
        " \"grid\": {\"layers\": [\"4,20,60\"], \"m\": [12]}, \"trials\": 2, \"seed\": 5}";
    ginv_sweep_spec *spec = NULL;
    CHECK_OK(ginv_sweep_spec_parse(spec_txt, strlen(spec_txt), &spec));
    char db[256];
    snprintf(db, sizeof db, "%s/ctx_threads.db", test_tmpdir());
    unlink(db);
    ginv_sweep_opts wo;
    ginv_sweep_opts_init(&wo);
    wo.mpi = 0;
    wo.db = db;
    wo.threads = 2;
    ginv_sweep_stats stats;
    if (spec) CHECK_OK(ginv_sweep_run(spec, &wo, &stats));
    CHECK_MSG(ginv_blas_get_threads() == 2, "sweep left %d threads", ginv_blas_get_threads());
    /* a cancelled sweep stores nothing more and says so */
    unlink(db);
    ginv_ctx_cancel(ctx);
    wo.ctx = ctx;
    if (spec) CHECK(ginv_sweep_run(spec, &wo, &stats) == GINV_ERR_CANCELLED);
    CHECK(stats.done_now == 0);
    CHECK(ginv_blas_get_threads() == 2);
    ginv_sweep_spec_free(spec);
    ginv_blas_set_threads(1);
    ginv_ctx_free(ctx);
}

/* Every output of two results, bit for bit. */
static int same_result(const ginv_sample_result *a, const ginv_sample_result *b)
{
    size_t SCk = (size_t)a->S * a->C * a->k, SC = (size_t)a->S * a->C;
    return a->S == b->S && a->C == b->C && a->k == b->k &&
           !memcmp(a->samples, b->samples, SCk * sizeof(float)) &&
           !memcmp(a->energy, b->energy, SC * sizeof(double)) &&
           !memcmp(a->start, b->start, (size_t)a->C * a->k * sizeof(float)) &&
           !memcmp(a->step_size, b->step_size, (size_t)a->C * sizeof(double)) &&
           !memcmp(a->stat_accept, b->stat_accept, SC * sizeof(double)) &&
           !memcmp(a->stat_depth, b->stat_depth, SC * sizeof(int)) &&
           !memcmp(a->accepted, b->accepted, (size_t)a->C * sizeof(long)) &&
           a->accept_rate == b->accept_rate && a->proposed == b->proposed;
}

TEST(ctx_sampler_loop_owned_by_the_caller_gives_sample_runs_numbers)
{
    const ginv_sampler_type *types[3] = {ginv_sampler_nuts, ginv_sampler_mala, ginv_sampler_ula};
    for (int ti = 0; ti < 3; ti++) {
        int temps = ti == 1 ? 2 : 1; /* mala with replica exchange */
        ginv_net *net = NULL;
        ginv_op *op = NULL;
        ginv_posterior *post = NULL;
        CHECK_OK(small_posterior(&net, &op, &post, 3 * temps));
        ginv_sample_opts o;
        ginv_sample_opts_init(&o);
        o.type = types[ti];
        o.chains = 3, o.temps = temps, o.temp_max = 4, o.swap_every = 5;
        o.burn_in = 60, o.samples = 20, o.thin = 2, o.seed = 8;
        o.step = ti == 0 ? 0 : 1e-3; /* nuts: Stan's initial step, adapted */
        o.adapt = ti == 0 ? GINV_ADAPT_ALL : GINV_ADAPT_OFF;
        o.init = GINV_CHAIN_INIT_RANDOM;
        ginv_sample_result a, b;
        CHECK_OK(ginv_sample_run(post, &o, &a));
        ginv_sampler *s = NULL;
        CHECK_OK(ginv_sampler_new(&s, post, &o));
        CHECK(ginv_sampler_steps_total(s) == 60 + 20 * 2 && ginv_sampler_steps_done(s) == 0);
        CHECK(ginv_sampler_finish(s, &b) == GINV_ERR_ARG); /* not done yet */
        double u_first = ginv_sampler_energy(s)[0];
        CHECK(isfinite(u_first));
        while (ginv_sampler_steps_done(s) < ginv_sampler_steps_total(s)) CHECK_OK(ginv_sampler_step(s));
        /* the state is the last kept draw (rung 0 of every chain) */
        CHECK(!memcmp(ginv_sampler_state(s), a.samples + (size_t)19 * 3 * a.k, (size_t)3 * a.k * sizeof(float)));
        CHECK(ginv_sampler_step(s) == GINV_ERR_ARG); /* all steps are done */
        CHECK_OK(ginv_sampler_finish(s, &b));
        CHECK_MSG(same_result(&a, &b), "sampler %s: the loop differs from ginv_sample_run", ginv_sampler_name(types[ti]));
        ginv_sampler_free(s); /* b is the caller's now */
        ginv_sample_result_release(&a);
        ginv_sample_result_release(&b);
        ginv_posterior_free(post);
        ginv_op_free(op);
        ginv_net_free(net);
    }
}

TEST(ctx_sampler_step_is_cancelled_by_its_context_and_restores_blas_threads)
{
    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_posterior *post = NULL;
    CHECK_OK(small_posterior(&net, &op, &post, 2));
    ginv_blas_set_threads(1);
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.type = ginv_sampler_ula, o.step = 1e-4, o.chains = 2, o.burn_in = 1000, o.samples = 10;
    o.threads = 2;
    o.ctx = ctx;
    ginv_sampler *s = NULL;
    CHECK_OK(ginv_sampler_new(&s, post, &o));
    CHECK(ginv_blas_get_threads() == 2); /* held from new to free */
    CHECK_OK(ginv_sampler_step(s));
    ginv_ctx_cancel(ctx);
    CHECK(ginv_sampler_step(s) == GINV_ERR_CANCELLED);
    CHECK(ginv_sampler_steps_done(s) == 1);
    ginv_sampler_free(s);
    CHECK(ginv_blas_get_threads() == 1);
    ginv_ctx_free(ctx);
    ginv_posterior_free(post);
    ginv_op_free(op);
    ginv_net_free(net);
}
