/* test_sample_params.c — `sample`'s parameter table and setup
 * (src/sample/sample_params.c): the checks name parameters, the setup draws
 * the problem `recover` draws for the same seed and trial, starts chains
 * around -z0 as documented, resolves the automatic values, and the sample
 * unit runner (src/run/unit_sample.c) refuses cells before drawing anything. */
#include "test.h"

#include <math.h>
#include <string.h>

/* expr fails with status want and a message holding needle */
#define CHECK_FAILS(expr, want, needle)                                                         \
    do {                                                                                        \
        ginv_clear_error();                                                                     \
        ginv_status got_ = (expr);                                                              \
        CHECK_MSG(got_ == (want), "%s returned %s, expected %s", #expr, ginv_strerror(got_),    \
                  ginv_strerror(want));                                                         \
        CHECK_MSG(strstr(ginv_last_error(), (needle)) != NULL, "%s said \"%s\", expected \"%s\"", \
                  #expr, ginv_last_error(), (needle));                                          \
    } while (0)

/* p with layers 4,20, noise 0.1, a step: a valid ULA problem */
static void base_params(ginv_sample_params *p)
{
    ginv_sample_params_init(p);
    p->layers = "4,20";
    p->m = 10;
    p->noise = 0.1;
    p->step = 1e-3;
}

TEST(sample_check_names_parameters_in_every_refusal)
{
    ginv_sample_params p;
    base_params(&p);
    CHECK_OK(ginv_sample_check(&p));
    base_params(&p), p.adapt = "on", p.sampler = "annealed";
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "parameter 'adapt' on: annealed has no accept step");
    p.sampler = "ula"; /* ula adapts by a MALA warm-up */
    CHECK_OK(ginv_sample_check(&p));
    base_params(&p), p.step = NAN;
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "parameter 'step' (> 0) is required without adaptation");
    base_params(&p), p.sampler = "projected";
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "need parameter 'radius' > 0");
    base_params(&p), p.precond = "laplace";
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "parameter 'precond' laplace needs parameter 'start' gd");
    base_params(&p), p.noise = 0;
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "give parameter 'noise' > 0 or parameter 'sigma' > 0");
    p.sigma = 0.5; /* the likelihood's own level: no noise on y is fine */
    CHECK_OK(ginv_sample_check(&p));
    base_params(&p), p.sampler = "nuts", p.target_accept = 1;
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "parameter 'target-accept' 1 must lie in (0, 1)");
    base_params(&p), p.model = "g.safetensors";
    CHECK_FAILS(ginv_sample_check(&p), GINV_ERR_ARG, "parameters 'model' and 'layers': give exactly one");
    base_params(&p);
    CHECK_FAILS(ginv_param_set(&ginv_sample_table, &p, "leapfrog", "0"), GINV_ERR_ARG, "parameter 'leapfrog' 0 is out of range");
    CHECK_FAILS(ginv_param_set(&ginv_sample_table, &p, "sampler", "gibbs"), GINV_ERR_ARG, "parameter 'sampler' 'gibbs' must be");
    /* the deprecated spellings of the command are the table's aliases */
    CHECK_OK(ginv_param_set(&ginv_sample_table, &p, "init", "gd"));
    CHECK(!strcmp(p.start, "gd"));
}

TEST(sample_setup_draws_recovers_problem_and_starts_chains_around_minus_z0)
{
    ginv_sample_params p;
    base_params(&p);
    p.start = "negative";
    p.chains = 3;
    ginv_sample_setup s;
    CHECK_OK(ginv_sample_setup_init(&s, &p, 7, 2, NULL, 0, NULL, 0));
    /* the scenario of (seed 7, trial 2) as recover's trial 2 draws it */
    ginv_layer spec[GINV_RECOVER_MAX_SPEC];
    int nspec;
    CHECK_OK(ginv_layers_parse("4,20", "relu", NULL, 0.2, 0, spec, GINV_RECOVER_MAX_SPEC, &nspec));
    ginv_op_spec ops;
    CHECK_OK(ginv_op_spec_parse(&ops, "gaussian", 10));
    ginv_scenario_opts so;
    ginv_scenario_opts_init(&so);
    so.spec = spec, so.nspec = nspec, so.op = &ops, so.noise = 0.1, so.seed = 7, so.trial = 2;
    ginv_scenario sc;
    CHECK_OK(ginv_scenario_draw(&sc, &so));
    CHECK(s.k == 4 && s.n == 20 && s.m == 10 && sc.m == 10);
    if (s.z0 && sc.z0 && s.y && sc.y) {
        CHECK(!memcmp(s.z0, sc.z0, sizeof(float) * 4));
        CHECK(!memcmp(s.y, sc.y, sizeof(float) * 10));
    }
    /* automatic values resolved: adaptation off for ula, start-scale 0.05 for negative */
    CHECK(!strcmp(s.adapt, "off") && s.opts.adapt == GINV_ADAPT_OFF);
    CHECK(s.opts.init == GINV_CHAIN_INIT_GIVEN && s.opts.init_sd == 0.05 && s.opts.init_z == s.zinit);
    CHECK(fabs(s.sigma - 0.1) < 1e-15 && s.post && s.opts.seed == 7 && s.opts.threads == 1);
    /* each start is -z0 plus noise of size 0.05 ||z0|| (about): near -z0, far from z0 */
    double nz = 0;
    for (int j = 0; j < 4; j++) nz += (double)s.z0[j] * s.z0[j];
    nz = sqrt(nz);
    for (int c = 0; c < 3; c++) {
        double dm = 0, dp = 0;
        for (int j = 0; j < 4; j++) {
            double v = s.zinit[c * 4 + j];
            dm += (v + s.z0[j]) * (v + s.z0[j]), dp += (v - s.z0[j]) * (v - s.z0[j]);
        }
        CHECK_MSG(sqrt(dm) < 0.3 * nz && sqrt(dp) > 1.5 * nz, "chain %d: %g from -z0, %g from z0 (|z0| %g)", c,
                  sqrt(dm), sqrt(dp), nz);
    }
    ginv_scenario_release(&sc);
    ginv_op_spec_release(&ops);
    ginv_sample_setup_release(&s);
    /* a given y: no truth, so no start around it */
    float y[10] = {0};
    base_params(&p);
    p.start = "truth";
    CHECK_FAILS(ginv_sample_setup_init(&s, &p, 7, 0, NULL, 0, y, 10), GINV_ERR_ARG, "parameter 'start' truth needs a truth");
    ginv_sample_setup_release(&s);
    base_params(&p);
    CHECK_FAILS(ginv_sample_setup_init(&s, &p, 7, 0, NULL, 0, y, 9), GINV_ERR_SHAPE, "");
    ginv_sample_setup_release(&s);
    /* a truth of the wrong length is refused before anything reads it */
    float z3[3] = {1, 2, 3};
    CHECK_FAILS(ginv_sample_setup_init(&s, &p, 7, 0, z3, 3, NULL, 0), GINV_ERR_SHAPE,
                "the truth holds 3 values; expected 4");
    ginv_sample_setup_release(&s);
}

TEST(sample_unit_checks_cells_without_drawing_and_reports_diagnostics)
{
    const ginv_unit_runner *r = ginv_unit_find("sample");
    CHECK(r && r->table == &ginv_sample_table && r->check && !strcmp(r->success, "converged"));
    if (!r) return;
    ginv_params cell = {0};
    cell.name[cell.n] = "layers", cell.value[cell.n++] = "4,20";
    cell.name[cell.n] = "noise", cell.value[cell.n++] = "0.1";
    cell.name[cell.n] = "m", cell.value[cell.n++] = "12380815"; /* sized, not drawn */
    cell.name[cell.n] = "sampler", cell.value[cell.n++] = "nuts";
    size_t before = ginv_live_bytes();
    CHECK_OK(r->check(&cell));
    CHECK(ginv_live_bytes() == before);
    cell.value[2] = "30";
    cell.name[cell.n] = "op", cell.value[cell.n++] = "circulant";
    CHECK_FAILS(r->check(&cell), GINV_ERR_ARG, "a partial circulant keeps 1 to n = 20 rows");
    cell.value[2] = "10";
    cell.name[cell.n] = "burn-in", cell.value[cell.n++] = "200";
    cell.name[cell.n] = "samples", cell.value[cell.n++] = "200";
    CHECK_OK(r->check(&cell));
    ginv_metrics m = {0};
    CHECK_OK(r->run(&cell, 5, 1, &m));
    const char *want[] = {"converged", "max_rhat", "min_ess_bulk", "min_ess_tail", "mean_rel_error",
                          "accept_rate", "divergences", "step_size", "seconds", "ess_per_second"};
    CHECK(m.n == 10);
    for (int i = 0; i < m.n && i < 10; i++) CHECK_MSG(!strcmp(m.name[i], want[i]), "metric %d is %s", i, m.name[i]);
    /* NUTS on a 4-d posterior with 4 chains x 200 draws: R-hat near 1, a real acceptance */
    CHECK_MSG(m.value[1] > 0.99 && m.value[1] < 1.1, "max_rhat %g", m.value[1]);
    CHECK_MSG(m.value[5] > 0.5 && m.value[5] <= 1, "accept_rate %g", m.value[5]);
    CHECK(m.value[0] == 0 || m.value[0] == 1);
    CHECK(isfinite(m.value[4]) && m.value[4] >= 0);
}
