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
