/* test_problem.c — the decision problem stored beside a net in a model file. */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

TEST(problem_round_trips_through_a_model_file)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 4, .bias = 1},
                          {.kind = GINV_LAYER_RELU, .in = 4, .out = 4}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    ginv_net_randomize(net, GINV_INIT_FANIN, 0.5, 7, 0);
    double target[4] = {0.1, -2.5, 1.0 / 3.0, 4e-7};
    ginv_problem pb = {.n = 4, .target = target, .delta = 0.25, .p = 3,
                       .latent = GINV_LATENT_PM1, .source_json = "{\"reduction\":\"test\"}"};
    char path[256];
    snprintf(path, sizeof path, "%s/problem.safetensors", test_tmpdir());
    CHECK_OK(ginv_problem_save(net, &pb, path));

    ginv_st_file f;
    CHECK_OK(ginv_st_read(path, &f));
    ginv_problem got;
    int found = 0;
    CHECK_OK(ginv_problem_from_st(&f, 4, &got, &found));
    CHECK(found);
    CHECK(got.n == 4 && got.p == 3 && got.delta == 0.25 && got.latent == GINV_LATENT_PM1);
    for (int i = 0; i < 4; i++) CHECK(got.target[i] == target[i]); /* exact: 17 digits */
    CHECK(got.source_json && strstr(got.source_json, "\"reduction\":\"test\""));
    ginv_problem_release(&got);
    /* the wrong output size is refused with a message naming both sizes */
    CHECK(ginv_problem_from_st(&f, 5, &got, &found) == GINV_ERR_SHAPE);
    CHECK(strstr(ginv_last_error(), "4") && strstr(ginv_last_error(), "5"));
    ginv_net *back = NULL;
    CHECK_OK(ginv_net_from_st(&f, &back)); /* the net still loads alone */
    CHECK(back && ginv_net_out(back) == 4);
    ginv_net_free(back);
    ginv_st_release(&f);
    ginv_net_free(net);
}

TEST(norm_distance_matches_hand_values)
{
    double a[3] = {1, -2, 0.5}, b[3] = {0, 0, 0};
    CHECK_NEAR(ginv_dist_p(3, a, b, 1), 3.5, 1e-12);
    CHECK_NEAR(ginv_dist_p(3, a, b, 2), sqrt(5.25), 1e-12);
    CHECK_NEAR(ginv_dist_p(3, a, b, 3), cbrt(1 + 8 + 0.125), 1e-12);
    CHECK_NEAR(ginv_dist_p(3, a, b, INFINITY), 2, 0);
    double p;
    CHECK_OK(ginv_norm_parse("inf", &p));
    CHECK(isinf(p));
    CHECK(ginv_norm_parse("0", &p) == GINV_ERR_ARG);
    CHECK(ginv_norm_parse("2.5", &p) == GINV_ERR_ARG);
}

TEST(exact_enum_names_round_trip_through_their_parsers)
{
    for (int m = GINV_DECIDE_AUTO; m <= GINV_DECIDE_BNB; m++) {
        ginv_decide_method back = (ginv_decide_method)-1;
        CHECK_OK(ginv_decide_method_parse(ginv_decide_method_name((ginv_decide_method)m), &back));
        CHECK(back == (ginv_decide_method)m);
    }
    CHECK(!strcmp(ginv_decide_method_name(GINV_DECIDE_MILP), "milp"));
    ginv_decide_method dm;
    CHECK(ginv_decide_method_parse("simplex", &dm) != GINV_OK);
    const ginv_latent_domain doms[] = {GINV_LATENT_REAL, GINV_LATENT_01, GINV_LATENT_PM1};
    const char *dnames[] = {"real", "01", "pm1"};
    for (int i = 0; i < 3; i++) {
        ginv_latent_domain back = (ginv_latent_domain)-1;
        CHECK(!strcmp(ginv_latent_domain_name(doms[i]), dnames[i]));
        CHECK_OK(ginv_latent_domain_parse(dnames[i], &back));
        CHECK(back == doms[i]);
    }
    ginv_latent_domain d;
    CHECK(ginv_latent_domain_parse("int", &d) != GINV_OK);
    /* norms: "exact", "inf" and integers, both ways */
    const char *norms[] = {"exact", "1", "2", "3", "inf"};
    for (int i = 0; i < 5; i++) {
        double p = 0;
        char buf[16];
        CHECK_OK(ginv_norm_parse(norms[i], &p));
        CHECK_MSG(!strcmp(ginv_norm_name(p, buf, sizeof buf), norms[i]), "%s -> %s", norms[i], buf);
    }
    double pinf = 0;
    CHECK_OK(ginv_norm_parse("inf", &pinf));
    CHECK(isinf(pinf) && pinf > 0);
}

TEST(forward_f64_matches_the_float_forward_and_the_hand_value)
{
    /* W1 = [[1, -2], [3, 0.5]], b1 = (0.5, -1), relu, W2 = [[2, -1]]:
     * at z = (1, 2) pre = (-2.5, 3), relu (0, 3), out -3 */
    ginv_layer spec[] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1},
                         {.kind = GINV_LAYER_RELU},
                         {.kind = GINV_LAYER_DENSE, .in = 2, .out = 1}};
    ginv_net *net;
    CHECK_OK(ginv_net_new(&net, 3, spec));
    float p[] = {1, -2, 3, 0.5f, 0.5f, -1, 2, -1};
    memcpy(ginv_net_params(net), p, sizeof p);
    double z[2] = {1, 2}, x = 0;
    CHECK_OK(ginv_forward_f64(net, z, &x));
    CHECK(x == -3.0);
    /* a point off the grid: equal to the float forward to float precision */
    double z2[2] = {0.3, -0.7};
    float zf[2] = {0.3f, -0.7f};
    CHECK_OK(ginv_forward_f64(net, z2, &x));
    ginv_net_ws *ws;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    const float *xf = ginv_net_forward(net, ws, 1, zf);
    CHECK_NEAR(x, xf[0], 1e-6);
    /* by hand: pre = (0.3 + 1.4 + 0.5, 0.9 - 0.35 - 1) = (2.2, -0.45) -> 2 * 2.2 */
    CHECK_NEAR(x, 4.4, 1e-12);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

TEST(milp_write_lp_writes_a_cplex_lp_file_with_one_binary_per_latent)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 4, .bias = 1},
                          {.kind = GINV_LAYER_RELU, .in = 4, .out = 4}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    CHECK_OK(ginv_net_randomize(net, GINV_INIT_PAPER, 0.1, 5, 0));
    double x[4] = {0.1, 0.2, 0, 0.3};
    ginv_problem pb = {.n = 4, .target = x, .p = 1, .latent = GINV_LATENT_01};
    char path[512];
    snprintf(path, sizeof path, "%s/milp.lp", test_tmpdir());
    CHECK_OK(ginv_milp_write_lp(net, &pb, path));
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    int minimize = 0, end = 0, binary = 0, in_bin = 0, nbin = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Minimize", 8)) minimize = 1;
        if (!strncmp(line, "End", 3)) end = 1;
        if (!strncmp(line, "Binary", 6) || !strncmp(line, "Generals", 8)) { binary = 1; in_bin = 1; continue; }
        if (in_bin && (line[0] != ' ' || !strncmp(line, "End", 3))) in_bin = 0;
        if (in_bin) for (char *t = strtok(line, " \n"); t; t = strtok(NULL, " \n")) nbin++;
    }
    fclose(f);
    CHECK(minimize && end && binary);
    /* the 3 binary latents at least; relu phase indicators may add more */
    CHECK_MSG(nbin >= 3, "%d integer columns", nbin);
    ginv_net_free(net);
}
