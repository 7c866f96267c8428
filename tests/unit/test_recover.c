/* test_recover.c — MAP inversion end to end: recovery on random expansive
 * ReLU generators (Hand & Voroninski's setting), independence from the thread
 * count, iteration counts, and divergence reported as an error. */
#include "test.h"

#include <string.h>

/* 10 -> 250 -> 1000 ReLU, no bias, W_i ~ N(0, 1/n_i): the paper's generator */
static const ginv_layer hv_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 10, .out = 250},
                                     {.kind = GINV_LAYER_RELU},
                                     {.kind = GINV_LAYER_DENSE, .in = 250, .out = 1000},
                                     {.kind = GINV_LAYER_RELU}};

static void hv_opts(ginv_recover_opts *o, ginv_op_spec *ops, int m, const char *algo, double lr)
{
    ginv_recover_opts_init(o);
    ginv_op_spec_parse(ops, "gaussian", m);
    o->nspec = 4;
    o->spec = hv_spec;
    o->op = ops;
    o->solve.type = ginv_solver_find(algo);
    o->solve.lr = lr;
    o->solve.iters = 1000;
}

static int count_below(const ginv_recover_trial *r, int n, double tol)
{
    int c = 0;
    for (int t = 0; t < n; t++) c += r[t].rel_error < tol;
    return c;
}

TEST(recover_adam_and_gd_recover_z0_on_expansive_relu_net)
{
    /* k = 10, widths 10-250-1000, m = 100 noiseless Gaussian measurements, one
     * restart, 1000 iterations. Observed (seed 1): Adam 10/10 trials and GD
     * 8/8 reach rel_error < 1e-4 (median ~1e-6 and ~1e-7). The theory
     * (Thm 1) allows failures near -rho_d z0, so the floor is 8 of 10 and
     * 6 of 8. */
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial res[10];
    hv_opts(&o, &ops, 100, "adam", 0.01);
    o.trials = 10;
    o.threads = 2;
    CHECK_OK(ginv_recover_run(&o, res));
    int ok = count_below(res, 10, 1e-4);
    CHECK_MSG(ok >= 8, "adam recovered %d/10", ok);
    for (int t = 0; t < 10; t++) ginv_recover_trial_release(&res[t]);
    hv_opts(&o, &ops, 100, "gd", 1.0);
    o.trials = 8;
    o.threads = 2;
    CHECK_OK(ginv_recover_run(&o, res));
    ok = count_below(res, 8, 1e-4);
    CHECK_MSG(ok >= 6, "gd recovered %d/8", ok);
    for (int t = 0; t < 8; t++) ginv_recover_trial_release(&res[t]);
}

TEST(recover_fails_with_too_few_measurements)
{
    /* m = 5 < k = 10: A G is not injective, z0 cannot be identified; success
     * here would mean the error metric is broken. */
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial res[4];
    hv_opts(&o, &ops, 5, "adam", 0.01);
    o.trials = 4;
    o.solve.iters = 300;
    CHECK_OK(ginv_recover_run(&o, res));
    CHECK(count_below(res, 4, 1e-3) == 0);
    for (int t = 0; t < 4; t++) ginv_recover_trial_release(&res[t]);
}

TEST(recover_numbers_do_not_depend_on_thread_count)
{
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial a[3], b[3];
    for (int trials = 1; trials <= 3; trials += 2) {
        hv_opts(&o, &ops, 50, "adam", 0.01);
        o.solve.iters = 100;
        o.restarts = 4;
        o.trials = trials;
        o.noise = 0.01;
        o.threads = 1;
        CHECK_OK(ginv_recover_run(&o, a));
        o.threads = 2;
        CHECK_OK(ginv_recover_run(&o, b));
        for (int t = 0; t < trials; t++) {
            CHECK(!memcmp(a[t].z_hat, b[t].z_hat, 10 * sizeof(float)));
            CHECK(a[t].rel_error == b[t].rel_error);
            CHECK(a[t].meas_loss == b[t].meas_loss);
            ginv_recover_trial_release(&a[t]);
            ginv_recover_trial_release(&b[t]);
        }
    }
}

TEST(recover_runs_exactly_T_iterations_unless_tol)
{
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial r;
    hv_opts(&o, &ops, 60, "gd", 1.0);
    o.solve.iters = 137;
    CHECK_OK(ginv_recover_run(&o, &r));
    CHECK(r.iters == 137);
    ginv_recover_trial_release(&r);
    o.solve.iters = 5000;
    o.solve.tol = 1e-6;
    CHECK_OK(ginv_recover_run(&o, &r));
    CHECK_MSG(r.iters > 1 && r.iters < 5000, "tol run took %d iterations", r.iters);
    ginv_recover_trial_release(&r);
}

TEST(recover_reports_divergence_as_numeric_error)
{
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial r;
    hv_opts(&o, &ops, 60, "gd", 1e30);
    o.solve.iters = 50;
    ginv_status st = ginv_recover_run(&o, &r);
    CHECK(st == GINV_ERR_NUMERIC);
    CHECK(strstr(ginv_last_error(), "step size") != NULL);
    ginv_recover_trial_release(&r);
}

TEST(recover_uses_given_truth_and_measurements)
{
    /* With y given and no truth there is nothing to compare: rel_error is
     * NaN and the fit is reported; y made from a known z0 is fitted to ~0. */
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 4, hv_spec));
    ginv_net_randomize(net, GINV_INIT_PAPER, 0, 3, 0);
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial r;
    hv_opts(&o, &ops, 80, "adam", 0.01);
    o.net = net;
    float z0[10] = {1, -1, 0.5f, 2, 0, -0.3f, 0.7f, 1.1f, -2, 0.2f};
    o.truth = z0;
    CHECK_OK(ginv_recover_run(&o, &r));
    CHECK(!memcmp(r.z0, z0, sizeof z0));
    CHECK(r.rel_error < 1e-3);
    float y[80];
    memcpy(y, r.y, sizeof y);
    ginv_recover_trial_release(&r);
    o.truth = NULL;
    o.y = y;
    CHECK_OK(ginv_recover_run(&o, &r));
    CHECK(r.rel_error != r.rel_error); /* NaN */
    CHECK(r.meas_loss < 1e-8);
    ginv_recover_trial_release(&r);
    ginv_net_free(net);
}

TEST(signflip_escapes_the_negative_basin_where_gd_stays)
{
    /* Hand & Voroninski: f has a spurious stationary point near -rho_d z0.
     * Started near -z0 on a 10-100-200-500 ReLU net with m = 100, plain GD
     * ended there in 5 of 8 trials (seed 1, 800 iterations), while the
     * negation check flipped once and recovered z0 in 8 of 8. Floors: sign
     * flip 8/8 with at least one flip each; GD at most 6/8. */
    static const ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 10, .out = 100}, {.kind = GINV_LAYER_RELU},
                                      {.kind = GINV_LAYER_DENSE, .in = 100, .out = 200}, {.kind = GINV_LAYER_RELU},
                                      {.kind = GINV_LAYER_DENSE, .in = 200, .out = 500}, {.kind = GINV_LAYER_RELU}};
    ginv_recover_opts o;
    ginv_op_spec ops;
    ginv_recover_trial res[8];
    int ok[2];
    for (int a = 0; a < 2; a++) {
        hv_opts(&o, &ops, 100, a ? "signflip" : "gd", 1.0);
        o.nspec = 6;
        o.spec = spec;
        o.trials = 8;
        o.threads = 2;
        o.solve.iters = 800;
        o.start_negative = 1;
        o.init_sd = 0.05;
        CHECK_OK(ginv_recover_run(&o, res));
        ok[a] = count_below(res, 8, 1e-3);
        for (int t = 0; t < 8; t++) {
            if (a) CHECK(res[t].flips >= 1);
            else CHECK(res[t].flips == 0);
            ginv_recover_trial_release(&res[t]);
        }
    }
    CHECK_MSG(ok[1] == 8, "signflip recovered %d/8", ok[1]);
    CHECK_MSG(ok[0] <= 6, "gd recovered %d/8 from -z0: the negative basin vanished?", ok[0]);
}

TEST(recover_solve_is_the_trial_body_of_recover_run_on_a_given_y)
{
    /* trial 3 of ginv_recover_run with a fixed net and the user's y, and
     * ginv_recover_solve on the same (net, op, y): the same bits */
    ginv_net *net = NULL;
    CHECK(ginv_net_new(&net, 4, hv_spec) == GINV_OK);
    CHECK(ginv_net_randomize(net, GINV_INIT_PAPER, 0, 5, 0) == GINV_OK);
    ginv_op_spec ops;
    ginv_recover_opts o;
    hv_opts(&o, &ops, 60, "adam", 0.01);
    o.net = net;
    o.solve.iters = 60;
    o.restarts = 3;
    o.kink = GINV_KINK_ONESIDED;
    o.seed = 11;
    ginv_op *op = NULL;
    CHECK(ginv_op_from_spec(&op, &ops, 1000, o.seed, 3) == GINV_OK);
    float y[60], z0[10];
    for (int i = 0; i < 10; i++) z0[i] = (float)(i % 3) - 1;
    ginv_net_ws *ws = NULL;
    CHECK(ginv_net_ws_new(&ws, net, 1) == GINV_OK);
    ginv_op_apply(op, 1, ginv_net_forward(net, ws, 1, z0), y);
    ginv_net_ws_free(ws);
    o.y = y;
    o.first_trial = 3;
    ginv_recover_trial a = {0}, b = {0};
    CHECK(ginv_recover_run(&o, &a) == GINV_OK);
    float zend[30];
    double fend[3];
    CHECK(ginv_recover_solve(net, op, y, &o, 3, NULL, zend, fend, &b) == GINV_OK);
    CHECK(a.z_hat && b.z_hat && !memcmp(a.z_hat, b.z_hat, sizeof z0));
    CHECK(a.f == b.f && a.meas_loss == b.meas_loss && a.best_restart == b.best_restart);
    CHECK(isnan(b.rel_error) && b.m == 60 && b.k == 10 && b.n == 1000);
    CHECK(!memcmp(zend + 10 * b.best_restart, b.z_hat, sizeof z0));
    CHECK(fend[b.best_restart] <= fend[0] && fend[b.best_restart] <= fend[1] && fend[b.best_restart] <= fend[2]);
    /* starts given: the ends of the first run restart from there and move on */
    ginv_recover_trial c = {0};
    CHECK(ginv_recover_solve(net, op, y, &o, 3, zend, NULL, NULL, &c) == GINV_OK);
    CHECK(c.f <= b.f);
    /* a y with a NaN is refused */
    y[5] = NAN;
    ginv_recover_trial d = {0};
    CHECK(ginv_recover_solve(net, op, y, &o, 3, NULL, NULL, NULL, &d) == GINV_ERR_NUMERIC);
    ginv_recover_trial_release(&a);
    ginv_recover_trial_release(&b);
    ginv_recover_trial_release(&c);
    ginv_recover_trial_release(&d);
    ginv_op_free(op);
    ginv_op_spec_release(&ops);
    ginv_net_free(net);
}
