/* test_param_table.c — typed parameter tables (ginv/base.h) and recover's
 * table: defaults, parsing, ranges, choices and aliases with messages that
 * name parameters; the check and the setup that turns parameters into
 * ginv_recover_opts; and that a sweep cell, the table and the options a
 * caller builds by hand give the same trial. */
#include "test.h"

#include <math.h>
#include <string.h>

static int says(const char *needle)
{
    if (strstr(ginv_last_error(), needle)) return 1;
    fprintf(stderr, "    message '%s' lacks '%s'\n", ginv_last_error(), needle);
    return 0;
}

TEST(param_table_defaults_are_the_documented_ones)
{
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    CHECK(p.iters == 1000 && p.restarts == 1 && p.bias == 0);
    CHECK(!strcmp(p.algo, "adam") && !strcmp(p.op, "gaussian") && !strcmp(p.act, "relu"));
    CHECK(!strcmp(p.weights, "paper") && !strcmp(p.start, "random") && !strcmp(p.kink, "zero"));
    CHECK(p.alpha == 0.2 && p.noise == 0 && p.lambda == 0 && p.success_tol == 1e-3);
    CHECK(isnan(p.lr) && isnan(p.start_scale)); /* automatic: resolved by the setup */
    CHECK(p.model == NULL && p.layers == NULL && p.out_act == NULL && p.m == 0);
    /* every row with a default parses back to the value it set */
    for (int i = 0; i < ginv_recover_table.n; i++) {
        const ginv_param_def *d = &ginv_recover_table.defs[i];
        if (!d->def) continue;
        ginv_recover_params q;
        ginv_recover_params_init(&q);
        memset((char *)&q + d->offset, 0x5a, d->type == GINV_PARAM_DOUBLE ? sizeof(double) : sizeof(int));
        if (d->type == GINV_PARAM_STRING) continue;
        CHECK(ginv_param_set(&ginv_recover_table, &q, d->name, d->def) == GINV_OK);
        CHECK(!memcmp((char *)&q + d->offset, (char *)&p + d->offset,
                      d->type == GINV_PARAM_DOUBLE ? sizeof(double) : sizeof(int)));
    }
    CHECK(ginv_param_validate(&ginv_recover_table, &p) == GINV_OK);
    /* ginv_param_defaults is what _params_init calls: the same bytes */
    ginv_recover_params q;
    memset(&q, 0x33, sizeof q);
    CHECK(ginv_param_defaults(&ginv_recover_table, &q) == GINV_OK);
    CHECK(q.iters == p.iters && q.alpha == p.alpha && q.algo == p.algo && q.model == NULL && isnan(q.lr));
}

TEST(param_table_set_refuses_bad_values_naming_the_parameter)
{
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    const ginv_param_table *t = &ginv_recover_table;
    CHECK(ginv_param_set(t, &p, "iters", "12x") == GINV_ERR_ARG && says("parameter 'iters'"));
    CHECK(ginv_param_set(t, &p, "iters", "-1") == GINV_ERR_ARG && says("out of range"));
    CHECK(ginv_param_set(t, &p, "alpha", "1.5") == GINV_ERR_ARG && says("parameter 'alpha' 1.5"));
    CHECK(ginv_param_set(t, &p, "noise", "nan") == GINV_ERR_ARG && says("finite"));
    CHECK(ginv_param_set(t, &p, "algo", "sgd") == GINV_ERR_ARG &&
          says("parameter 'algo' 'sgd' must be gd, adam or signflip"));
    CHECK(ginv_param_set(t, &p, "bias", "yes") == GINV_ERR_ARG && says("flag"));
    CHECK(ginv_param_set(t, &p, "itters", "5") == GINV_ERR_ARG && says("'itters' is not a parameter of recover"));
    CHECK(p.iters == 1000 && p.alpha == 0.2 && !strcmp(p.algo, "adam")); /* refused: unchanged */
    /* good values land in their fields */
    CHECK(ginv_param_set(t, &p, "iters", "77") == GINV_OK && p.iters == 77);
    CHECK(ginv_param_set(t, &p, "bias", "true") == GINV_OK && p.bias == 1);
    CHECK(ginv_param_set(t, &p, "algo", "gd") == GINV_OK && !strcmp(p.algo, "gd"));
    /* deprecated names stand for the new ones */
    CHECK(ginv_param_find(t, "init") == ginv_param_find(t, "weights"));
    CHECK(ginv_param_set(t, &p, "init-scale", "0.5") == GINV_OK && p.start_scale == 0.5);
    CHECK(ginv_param_set(t, &p, "init", "fanin") == GINV_OK && !strcmp(p.weights, "fanin"));
    /* validate sees what was written into the struct directly */
    p.restarts = 0;
    CHECK(ginv_param_validate(t, &p) == GINV_ERR_ARG && says("parameter 'restarts' 0"));
    p.restarts = 1;
    p.kink = "twosided";
    CHECK(ginv_param_validate(t, &p) == GINV_ERR_ARG && says("parameter 'kink' 'twosided'"));
}

TEST(recover_check_and_setup_resolve_the_automatic_defaults)
{
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    CHECK(ginv_recover_check(&p) == GINV_ERR_ARG && says("parameters 'model' and 'layers'"));
    p.layers = "5,20,40";
    p.image = "1x28";
    CHECK(ginv_recover_check(&p) == GINV_ERR_ARG && says("parameter 'image' '1x28'"));
    p.image = NULL;
    p.m = 15;
    ginv_recover_setup s;
    CHECK(ginv_recover_setup_init(&s, &p, 3) == GINV_OK);
    CHECK(s.k == 5 && s.n == 40 && s.m == 15 && s.opts.nspec == 4);
    CHECK(s.lr == 0.01 && s.start_scale == 1.0 && s.opts.solve.lr == 0.01 && s.opts.init_sd == 1.0);
    CHECK(s.opts.solve.type == ginv_solver_find("adam") && s.opts.seed == 3 && s.opts.trials == 1);
    ginv_recover_setup_release(&s);
    p.algo = "gd";
    p.start = "negative";
    CHECK(ginv_recover_setup_init(&s, &p, 3) == GINV_OK);
    CHECK(s.lr == 1.0 && s.start_scale == 0.05 && s.opts.start_negative == 1);
    ginv_recover_setup_release(&s);
    p.lr = 0.3;
    p.start_scale = 0.2;
    p.kink = "onesided";
    p.weights = "orthogonal";
    CHECK(ginv_recover_setup_init(&s, &p, 3) == GINV_OK);
    CHECK(s.opts.solve.lr == 0.3 && s.opts.init_sd == 0.2 && s.opts.kink == GINV_KINK_ONESIDED &&
          s.opts.init == GINV_INIT_ORTHOGONAL);
    ginv_recover_setup_release(&s);
    /* the operator must fit the signal: downsample by 3 of a 40-vector */
    p.op = "downsample:3";
    CHECK(ginv_recover_setup_init(&s, &p, 3) != GINV_OK && says("parameter 'op'"));
    ginv_recover_setup_release(&s);
}

TEST(layers_parse_builds_dense_and_activation_layers)
{
    ginv_layer spec[16];
    int n = -1;
    CHECK(ginv_layers_parse("4,8,16", "leaky_relu", "identity", 0.1, 1, spec, 16, &n) == GINV_OK);
    CHECK(n == 3); /* dense, leaky, dense (identity adds nothing) */
    CHECK(spec[0].kind == GINV_LAYER_DENSE && spec[0].in == 4 && spec[0].out == 8 && spec[0].bias);
    CHECK(spec[1].kind == GINV_LAYER_LEAKY_RELU && spec[1].alpha == 0.1);
    CHECK(spec[2].kind == GINV_LAYER_DENSE && spec[2].in == 8 && spec[2].out == 16);
    CHECK(ginv_layers_parse("4", "relu", NULL, 0, 0, spec, 16, &n) == GINV_ERR_ARG && says("at least two"));
    CHECK(ginv_layers_parse("4,0", "relu", NULL, 0, 0, spec, 16, &n) == GINV_ERR_ARG && says("'layers'"));
    CHECK(ginv_layers_parse("4,8", "dense", NULL, 0, 0, spec, 16, &n) == GINV_ERR_ARG && says("'act'"));
    CHECK(ginv_layers_parse("4,8,8,8,8", "relu", NULL, 0, 0, spec, 4, &n) == GINV_ERR_ARG);
}

TEST(recover_cell_by_table_equals_the_trial_of_the_setup)
{
    /* a sweep cell's text through the runner and the same parameters through
     * the setup give bit-identical numbers for trial 2 of seed 9 */
    ginv_params cell = {0};
    const char *kv[][2] = {{"layers", "6,30,60"}, {"m", "30"}, {"iters", "40"}, {"algo", "gd"},
                           {"init", "fanin"}, {"noise", "0.01"}};
    for (int i = 0; i < 6; i++) cell.name[cell.n] = kv[i][0], cell.value[cell.n++] = kv[i][1];
    CHECK(ginv_unit_recover.check(&cell) == GINV_OK);
    ginv_metrics m = {0};
    CHECK(ginv_unit_recover.run(&cell, 9, 2, &m) == GINV_OK);
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    p.layers = "6,30,60", p.m = 30, p.iters = 40, p.algo = "gd", p.weights = "fanin", p.noise = 0.01;
    ginv_recover_setup s;
    CHECK(ginv_recover_setup_init(&s, &p, 9) == GINV_OK);
    s.opts.first_trial = 2;
    ginv_recover_trial r = {0};
    CHECK(ginv_recover_run(&s.opts, &r) == GINV_OK);
    CHECK(m.n > 0 && !strcmp(m.name[0], "rel_error") && m.value[0] == r.rel_error);
    CHECK(!strcmp(m.name[3], "meas_loss") && m.value[3] == r.meas_loss);
    ginv_recover_trial_release(&r);
    ginv_recover_setup_release(&s);
    /* a bad cell is refused by check with the parameter's name */
    cell.value[3] = "newton";
    CHECK(ginv_unit_recover.check(&cell) == GINV_ERR_ARG && says("parameter 'algo' 'newton'"));
}

TEST(cs_check_reads_method_lists_and_cs_op_is_the_commands_operator)
{
    ginv_cs_params p;
    ginv_cs_params_init(&p);
    CHECK(!strcmp(p.op, "gaussian-unit") && p.m == 100 && p.noise == 0.1 && p.restarts == 10);
    CHECK(!strcmp(p.data, "fashion-mnist:test[0:16]") && isnan(p.lasso_lambda) && p.lasso_iters == 500);
    int methods[GINV_CS_NMETHODS], n = 0;
    /* the default list has csgm, which needs a model */
    CHECK(ginv_cs_check(&p, methods, &n) == GINV_ERR_ARG && says("parameter 'model' is required"));
    p.model = "g.safetensors";
    CHECK(ginv_cs_check(&p, methods, &n) == GINV_OK && n == 2 && methods[0] == GINV_CS_CSGM &&
          methods[1] == GINV_CS_LASSO_DCT);
    p.method = "lasso-db4,lasso-wavelet";
    CHECK(ginv_cs_check(&p, methods, &n) == GINV_OK && n == 2);
    CHECK(!strcmp(ginv_cs_method_name(methods[0]), "lasso-db4") &&
          ginv_cs_method_basis(methods[1]) == GINV_BASIS_HAAR);
    CHECK(ginv_cs_method_name(GINV_CS_NMETHODS) == NULL);
    p.method = "ilo,lasso-dct"; /* ilo needs the generator as csgm does */
    CHECK(ginv_cs_check(&p, methods, &n) == GINV_OK && n == 2 && methods[0] == GINV_CS_ILO &&
          !strcmp(ginv_cs_method_name(GINV_CS_ILO), "ilo"));
    p.model = NULL;
    CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_ERR_ARG && says("methods csgm, ilo and sgilo"));
    p.model = "g.safetensors";
    /* the table's defaults: one ILO stage before layer 1, radius 1, 300 steps, z free */
    CHECK(!strcmp(p.layer, "1") && !strcmp(p.ilo_radius, "1") && !strcmp(p.ilo_iters, "300") &&
          p.ilo_fix_z == 0);
    ginv_ilo_opts io;
    ginv_ilo_opts_init(&io);
    CHECK_OK(ginv_cs_ilo_opts(&p, &io));
    CHECK(io.nstages == 1 && io.layers[0] == 1 && io.radii[0] == 1 && io.stage_iters[0] == 300 &&
          io.layer == 1 && io.radius == 1 && io.iters == 300 && io.fix_z == 0 && io.lr == 0.01);
    /* lists: one value applies to every stage; inf is no constraint */
    p.layer = "2,4", p.ilo_radius = "2,inf", p.ilo_iters = "30", p.ilo_fix_z = 1;
    CHECK_OK(ginv_cs_ilo_opts(&p, &io));
    CHECK(io.nstages == 2 && io.layers[0] == 2 && io.layers[1] == 4 && io.radii[0] == 2 &&
          isinf(io.radii[1]) && io.stage_iters[0] == 30 && io.stage_iters[1] == 30 && io.fix_z == 1);
    CHECK(ginv_param_set(&ginv_cs_table, &p, "ilo-radius", "0,0.5") == GINV_OK);
    CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_OK);
    const char *bad[][3] = {{"2,2", "1", "300"}, {"3,2", "1", "300"}, {"0", "1", "300"},
                            {"2", "-1", "300"}, {"2", "nan", "300"}, {"2", "1", "1.5"},
                            {"2,3", "1,2,3", "300"}, {"2,3", "1", "300,1,2"}, {"2,", "1", "300"},
                            {"inf", "1", "300"}, {"1,2,3,4,5,6,7,8,9", "1", "300"}, {"", "1", "300"}};
    const char *names[] = {"'layer'", "'layer'", "'layer'", "'ilo-radius'", "'ilo-radius'",
                           "'ilo-iters'", "'ilo-radius'", "'ilo-iters'", "'layer'", "'layer'",
                           "'layer'", "'layer'"};
    for (int i = 0; i < 12; i++) {
        p.layer = bad[i][0], p.ilo_radius = bad[i][1], p.ilo_iters = bad[i][2];
        CHECK_MSG(ginv_cs_ilo_opts(&p, &io) == GINV_ERR_ARG && says(names[i]), "case %d: %s", i,
                  ginv_last_error());
        CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_ERR_ARG);
    }
    ginv_cs_params_init(&p);
    p.model = "g.safetensors";
    p.method = "csgm,csgm";
    CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_ERR_ARG && says("listed twice"));
    p.method = "csgm,lasso-foo";
    CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_ERR_ARG && says("unknown method 'lasso-foo'"));
    p.method = "";
    CHECK(ginv_cs_check(&p, NULL, NULL) == GINV_ERR_ARG && says("no method"));
    CHECK(ginv_param_choice(ginv_param_find(&ginv_recover_table, "algo"), "signflip") == 2);
    CHECK(ginv_param_choice(ginv_param_find(&ginv_recover_table, "algo"), "sgd") == -1);
    CHECK(ginv_param_find(&ginv_cs_table, "lasso-lambda") != NULL && ginv_param_find(&ginv_cs_table, "act") == NULL);
    /* the operator: gaussian-unit is ginv_op_gaussian_unit's draw from (seed, OP, 0), and
     * gaussian that of ginv_op_gaussian (N(0, 1/m)): the same as every command's */
    p.m = 7;
    const char *ops[] = {"gaussian-unit", "gaussian"};
    for (int k = 0; k < 2; k++) {
        p.op = ops[k];
        ginv_op *a = NULL, *b = NULL;
        CHECK(ginv_cs_op(&p, 1, 4, 4, 5, &a) == GINV_OK && ginv_op_m(a) == 7 && ginv_op_n(a) == 16);
        CHECK((k == 0 ? ginv_op_gaussian_unit(&b, 7, 16, 5, 0) : ginv_op_gaussian(&b, 7, 16, 5, 0)) == GINV_OK);
        float x[16], ya[7], yb[7];
        for (int i = 0; i < 16; i++) x[i] = (float)(i % 5) - 2;
        if (a && b) {
            ginv_op_apply(a, 1, x, ya);
            ginv_op_apply(b, 1, x, yb);
            CHECK(!memcmp(ya, yb, sizeof ya));
        }
        ginv_op_free(a);
        ginv_op_free(b);
    }
    p.op = "downsample:3";
    ginv_op *c = NULL;
    CHECK(ginv_cs_op(&p, 1, 4, 4, 5, &c) != GINV_OK && c == NULL);
}

/* A sweep cell's (name, value) pairs go through the table: set in order,
 * the first refusal returned with the parameter named. */
TEST(params_apply_sets_a_cells_values_through_the_table)
{
    ginv_recover_params p;
    ginv_recover_params_init(&p);
    ginv_params cell = {0};
    cell.name[cell.n] = "m", cell.value[cell.n++] = "25";
    cell.name[cell.n] = "algo", cell.value[cell.n++] = "signflip";
    cell.name[cell.n] = "init", cell.value[cell.n++] = "fanin"; /* a deprecated alias of weights */
    CHECK_OK(ginv_params_apply(&cell, &ginv_recover_table, &p));
    CHECK(p.m == 25 && !strcmp(p.algo, "signflip") && !strcmp(p.weights, "fanin"));
    cell.value[0] = "-3";
    CHECK(ginv_params_apply(&cell, &ginv_recover_table, &p) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'm' -3 is out of range") != NULL && p.m == 25);
}
