/* test_scenario.c — one trial's problem (G, A, z0, y) is drawn in one place:
 * the recovery experiment's trial t and ginv_scenario_draw(seed, t) agree to
 * the bit, every piece comes from its own stream, and bad requests fail. */
#include "test.h"

#include <math.h>
#include <string.h>

static const ginv_layer small_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 20},
                                        {.kind = GINV_LAYER_RELU},
                                        {.kind = GINV_LAYER_DENSE, .in = 20, .out = 60},
                                        {.kind = GINV_LAYER_RELU}};

static void scenario_opts(ginv_scenario_opts *o, ginv_op_spec *ops, double noise, uint64_t trial)
{
    ginv_scenario_opts_init(o);
    ginv_op_spec_parse(ops, "gaussian", 15);
    o->nspec = 4;
    o->spec = small_spec;
    o->op = ops;
    o->noise = noise;
    o->seed = 7;
    o->trial = trial;
}

TEST(scenario_is_the_recovery_experiments_trial_to_the_bit)
{
    /* trials 0..2 of ginv_recover_run with seed 7 simulate exactly the
     * scenarios (7, t): same z0 and same noisy y */
    ginv_recover_opts ro;
    ginv_op_spec ops;
    ginv_recover_opts_init(&ro);
    ginv_op_spec_parse(&ops, "gaussian", 15);
    ro.nspec = 4;
    ro.spec = small_spec;
    ro.op = &ops;
    ro.noise = 0.05;
    ro.seed = 7;
    ro.trials = 3;
    ro.solve.type = ginv_solver_find("gd");
    ro.solve.iters = 5;
    ginv_recover_trial r[3];
    CHECK_OK(ginv_recover_run(&ro, r));
    for (int t = 0; t < 3; t++) {
        ginv_scenario sc;
        ginv_scenario_opts so;
        ginv_op_spec ops2;
        scenario_opts(&so, &ops2, 0.05, (uint64_t)t);
        CHECK_OK(ginv_scenario_draw(&sc, &so));
        CHECK(sc.k == 4 && sc.n == 60 && sc.m == 15);
        CHECK_MSG(!memcmp(sc.z0, r[t].z0, 4 * sizeof(float)), "trial %d: z0 differs", t);
        CHECK_MSG(!memcmp(sc.y, r[t].y, 15 * sizeof(float)), "trial %d: y differs", t);
        ginv_scenario_release(&sc);
        ginv_recover_trial_release(&r[t]);
    }
}

TEST(scenario_draws_each_piece_from_its_own_stream)
{
    ginv_scenario a, b;
    ginv_scenario_opts so;
    ginv_op_spec ops;
    /* without noise y = A G(z0) exactly; with noise only y changes, by
     * sigma times normal draws (their mean square near sigma^2) */
    scenario_opts(&so, &ops, 0, 0);
    CHECK_OK(ginv_scenario_draw(&a, &so));
    float Ax[15];
    ginv_op_apply(a.op, 1, a.x0, Ax);
    CHECK(!memcmp(Ax, a.y, sizeof Ax));
    so.noise = 0.5;
    CHECK_OK(ginv_scenario_draw(&b, &so));
    CHECK(!memcmp(a.z0, b.z0, 4 * sizeof(float)) && !memcmp(a.x0, b.x0, 60 * sizeof(float)));
    double ms = 0;
    for (int i = 0; i < 15; i++) ms += ((double)b.y[i] - a.y[i]) * ((double)b.y[i] - a.y[i]) / 15;
    CHECK_MSG(ms > 0.25 * 0.25 && ms < 0.25 * 4, "noise mean square %g for sigma^2 0.25", ms);
    ginv_scenario_release(&b);
    /* another trial: another generator, operator and truth */
    scenario_opts(&so, &ops, 0, 1);
    CHECK_OK(ginv_scenario_draw(&b, &so));
    CHECK(memcmp(a.z0, b.z0, 4 * sizeof(float)) != 0);
    CHECK(memcmp(ginv_net_params(a.net), ginv_net_params(b.net), 80 * sizeof(float)) != 0);
    ginv_scenario_release(&b);
    ginv_scenario_release(&a);
}

TEST(scenario_keeps_a_given_net_truth_and_y_and_checks_ys_size)
{
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 4, small_spec));
    ginv_net_randomize(net, GINV_INIT_PAPER, 0, 3, 0);
    ginv_scenario sc;
    ginv_scenario_opts so;
    ginv_op_spec ops;
    scenario_opts(&so, &ops, 0, 0);
    so.net = net;
    float z0[4] = {1, -2, 0.5f, 3};
    so.truth = z0;
    CHECK_OK(ginv_scenario_draw(&sc, &so));
    CHECK(sc.net == net && !sc.owns_net);
    CHECK(!memcmp(sc.z0, z0, sizeof z0));
    ginv_scenario_release(&sc); /* the borrowed net survives */
    CHECK(ginv_net_in(net) == 4);
    float y[15] = {0};
    so.truth = NULL;
    so.y = y;
    so.y_count = 15;
    CHECK_OK(ginv_scenario_draw(&sc, &so));
    CHECK(sc.z0 == NULL && sc.x0 == NULL && sc.y[3] == 0);
    ginv_scenario_release(&sc);
    so.y_count = 14;
    CHECK(ginv_scenario_draw(&sc, &so) == GINV_ERR_SHAPE);
    CHECK_MSG(strstr(ginv_last_error(), "14 values but the operator makes 15"), "%s", ginv_last_error());
    ginv_scenario_release(&sc);
    so.y = NULL;
    so.noise = NAN;
    CHECK(ginv_scenario_draw(&sc, &so) == GINV_ERR_ARG);
    ginv_scenario_release(&sc);
    ginv_net_free(net);
}
