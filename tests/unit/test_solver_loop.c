/* test_solver_loop.c — callers own the loop: stepping a ginv_solver by hand
 * gives ginv_solve's iterates to the bit, on_iter sees every iterate and can
 * stop the run, and tol stops it where ginv_solve stops. */
#include "test.h"

#include <math.h>
#include <string.h>

static const ginv_layer loop_spec[] = {{.kind = GINV_LAYER_DENSE, .in = 5, .out = 40},
                                       {.kind = GINV_LAYER_RELU},
                                       {.kind = GINV_LAYER_DENSE, .in = 40, .out = 120},
                                       {.kind = GINV_LAYER_RELU}};

/* a scenario (seed 3, trial 0) with m = 60 and its objective for B = 3 restarts */
static void problem(ginv_scenario *sc, ginv_objective **obj, ginv_op_spec *ops, float *z)
{
    ginv_scenario_opts so;
    ginv_scenario_opts_init(&so);
    ginv_op_spec_parse(ops, "gaussian", 60);
    so.nspec = 4;
    so.spec = loop_spec;
    so.op = ops;
    so.seed = 3;
    CHECK_OK(ginv_scenario_draw(sc, &so));
    CHECK_OK(ginv_objective_new(obj, sc->net, sc->op, sc->y, 1, 0, 3));
    ginv_rng r;
    ginv_rng_init(&r, 3, GINV_STREAM_INIT, 0);
    ginv_rng_normal_f32(&r, z, 15, 1.0);
}

static ginv_solve_opts solve_opts(const char *algo, double lr, int iters)
{
    ginv_solve_opts o;
    ginv_solve_opts_init(&o);
    o.type = ginv_solver_find(algo);
    o.lr = lr;
    o.iters = iters;
    return o;
}

typedef struct {
    int calls, stop_at, last_t;
    double f0_first;
} watch;

static int on_iter(void *user, int t, int B, const double *f, const float *z)
{
    watch *w = user;
    if (w->calls == 0) w->f0_first = f[0];
    w->calls++;
    w->last_t = t;
    return w->stop_at >= 0 && t >= w->stop_at;
}

TEST(solver_steps_by_hand_match_ginv_solve_to_the_bit)
{
    const char *algos[] = {"gd", "adam", "signflip"};
    for (int a = 0; a < 3; a++) {
        ginv_scenario sc;
        ginv_objective *obj;
        ginv_op_spec ops;
        float z1[15], z2[15];
        problem(&sc, &obj, &ops, z1);
        memcpy(z2, z1, sizeof z1);
        ginv_solve_opts o = solve_opts(algos[a], a == 1 ? 0.05 : 0.5, 40);
        double f1[3], f2[3];
        ginv_solve_info info = {0};
        CHECK_OK(ginv_solve(obj, &o, 3, z1, f1, &info));
        CHECK(info.iters == 40 && !info.converged && !info.cancelled);
        ginv_solver *s;
        CHECK_OK(ginv_solver_new(&s, obj, &o, 3, z2));
        int done = 0, steps = 0;
        while (!done) {
            CHECK_OK(ginv_solver_step(s, f2, &done));
            steps++;
        }
        CHECK(ginv_solver_iter(s) == 40 && steps == 40);
        CHECK_MSG(!memcmp(z1, z2, sizeof z1), "%s: the hand loop's iterate differs", algos[a]);
        ginv_solver_free(s);
        ginv_objective_free(obj);
        ginv_scenario_release(&sc);
    }
}

TEST(solver_on_iter_sees_each_iterate_and_can_stop_the_run)
{
    ginv_scenario sc;
    ginv_objective *obj;
    ginv_op_spec ops;
    float z[15], z0[15];
    problem(&sc, &obj, &ops, z);
    memcpy(z0, z, sizeof z);
    ginv_solve_opts o = solve_opts("gd", 0.5, 30);
    watch w = {.stop_at = -1};
    o.on_iter = on_iter;
    o.user = &w;
    double f[3], f_start[3];
    ginv_solve_info info = {0};
    CHECK_OK(ginv_solve(obj, &o, 3, z, f, &info));
    CHECK(w.calls == 30 && w.last_t == 29);
    CHECK_OK(ginv_objective_eval(obj, 3, z0, f_start, NULL));
    CHECK(w.f0_first == f_start[0]); /* the first call sees f at the start */
    /* stop after the update of iteration 4: 5 updates taken, flagged */
    memcpy(z, z0, sizeof z);
    w = (watch){.stop_at = 4};
    CHECK_OK(ginv_solve(obj, &o, 3, z, f, &info));
    CHECK(info.cancelled && info.iters == 5 && w.calls == 5);
    /* ... the same point a 5-iteration run reaches */
    float z5[15];
    memcpy(z5, z0, sizeof z5);
    o.on_iter = NULL;
    o.iters = 5;
    CHECK_OK(ginv_solve(obj, &o, 3, z5, f, &info));
    CHECK(!memcmp(z, z5, sizeof z));
    ginv_objective_free(obj);
    ginv_scenario_release(&sc);
}

TEST(solver_tol_stops_the_hand_loop_where_ginv_solve_stops)
{
    ginv_scenario sc;
    ginv_objective *obj;
    ginv_op_spec ops;
    float z1[15], z2[15];
    problem(&sc, &obj, &ops, z1);
    memcpy(z2, z1, sizeof z1);
    ginv_solve_opts o = solve_opts("gd", 0.5, 5000);
    o.tol = 1e-4;
    double f[3];
    ginv_solve_info info = {0};
    CHECK_OK(ginv_solve(obj, &o, 3, z1, f, &info));
    CHECK(info.converged && info.iters < 5000);
    ginv_solver *s;
    CHECK_OK(ginv_solver_new(&s, obj, &o, 3, z2));
    int done = 0;
    while (!done) CHECK_OK(ginv_solver_step(s, f, &done));
    CHECK(ginv_solver_converged(s) && ginv_solver_iter(s) == info.iters);
    CHECK(!memcmp(z1, z2, sizeof z1));
    ginv_solver_free(s);
    /* bad options are refused before anything is allocated */
    o.lr = -1;
    CHECK(ginv_solver_new(&s, obj, &o, 3, z2) == GINV_ERR_ARG && s == NULL);
    ginv_objective_free(obj);
    ginv_scenario_release(&sc);
}

TEST(solver_names_round_trip_and_signflip_counts_the_flip_from_minus_z0)
{
    const char *algos[] = {"gd", "adam", "signflip"};
    for (int a = 0; a < 3; a++) {
        const ginv_solver_type *t = ginv_solver_find(algos[a]);
        CHECK(t != NULL && !strcmp(ginv_solver_name(t), algos[a]));
    }
    CHECK(ginv_solver_find("lbfgs") == NULL);
    /* start every row at -z0 with y = A G(z0) (no noise): f(-z) = f(z0) = 0 <
     * f(-z0), so signflip flips each row at its first step, and gd never
     * flips */
    for (int a = 0; a < 3; a += 2) {
        ginv_scenario sc;
        ginv_objective *obj;
        ginv_op_spec ops;
        float z[15];
        problem(&sc, &obj, &ops, z);
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 5; i++) z[b * 5 + i] = -sc.z0[i];
        ginv_solve_opts o = solve_opts(algos[a], 0.5, 5);
        ginv_solver *s;
        CHECK_OK(ginv_solver_new(&s, obj, &o, 3, z));
        double f[3];
        int done = 0;
        while (!done) CHECK_OK(ginv_solver_step(s, f, &done));
        for (int b = 0; b < 3; b++) {
            if (a == 0) CHECK_MSG(ginv_solver_flips(s, b) == 0, "gd row %d", b);
            else CHECK_MSG(ginv_solver_flips(s, b) >= 1, "signflip row %d: %d flips", b, ginv_solver_flips(s, b));
        }
        ginv_solver_free(s);
        ginv_objective_free(obj);
        ginv_scenario_release(&sc);
    }
}
