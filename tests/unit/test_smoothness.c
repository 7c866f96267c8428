/* test_smoothness.c — ginv_net_smoothness (src/net/smoothness.c), the sampled
 * M2, M3 of Pareek & Risteski's Assumption 2: on G(z) = softplus(z) (1-D)
 * they are max sigma(1 - sigma) = 1/4 and max |sigma(1 - sigma)(1 - 2 sigma)| =
 * 1/(6 sqrt 3); on a linear G they are 0; on an orthogonal smooth_leaky net
 * they stay within the certified bounds (1 - a)/4 and (1 - a)/(6 sqrt 3). */
#include "test.h"

#include <math.h>
#include <stdio.h>

TEST(net_smoothness_matches_softplus_closed_form_and_certified_bounds)
{
    ginv_layer sp[2] = {{.kind = GINV_LAYER_DENSE, .in = 1, .out = 1}, {.kind = GINV_LAYER_SOFTPLUS}};
    ginv_net *g = NULL;
    CHECK_OK(ginv_net_new(&g, 2, sp));
    if (!g) return;
    ginv_net_params(g)[0] = 1.0f;
    double M2, M3;
    CHECK_OK(ginv_net_smoothness(g, 400, 2, 0.05, 1, &M2, &M3));
    double w2 = 0.25, w3 = 1 / (6 * sqrt(3.0));
    CHECK_MSG(fabs(M2 - w2) < 0.01 * w2 && fabs(M3 - w3) < 0.03 * w3, "softplus: M2 %.5f (want %.5f), M3 %.5f (want %.5f)",
              M2, w2, M3, w3);
    printf("    softplus: M2 %.5f (closed form %.5f), M3 %.5f (closed form %.5f)\n", M2, w2, M3, w3);
    ginv_net_free(g);
    /* linear: no curvature */
    ginv_layer lin[1] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 4, .bias = 1}};
    CHECK_OK(ginv_net_new(&g, 1, lin));
    if (!g) return;
    CHECK_OK(ginv_net_randomize(g, GINV_INIT_FANIN, 0.1, 2, 0));
    CHECK_OK(ginv_net_smoothness(g, 20, 4, 0.05, 1, &M2, &M3));
    CHECK_MSG(M2 < 1e-3 && M3 < 2e-2, "linear: M2 %g, M3 %g", M2, M3);
    ginv_net_free(g);
    /* orthogonal 6 -> 6 -> 6 with smooth_leaky a = 0.5: within the certified (1 - a)/4, (1 - a)/(6 sqrt 3) */
    ginv_layer sl[3] = {{.kind = GINV_LAYER_DENSE, .in = 6, .out = 6, .bias = 1},
                        {.kind = GINV_LAYER_SMOOTH_LEAKY, .alpha = 0.5},
                        {.kind = GINV_LAYER_DENSE, .in = 6, .out = 6, .bias = 1}};
    CHECK_OK(ginv_net_new(&g, 3, sl));
    if (!g) return;
    CHECK_OK(ginv_net_randomize(g, GINV_INIT_ORTHOGONAL, 0.1, 3, 0));
    CHECK_OK(ginv_net_smoothness(g, 200, 16, 0.05, 1, &M2, &M3));
    CHECK_MSG(M2 <= 1.01 * 0.125 && M3 <= 1.05 * 0.5 * w3 && M2 > 0.01, "smooth_leaky: M2 %g, M3 %g", M2, M3);
    printf("    smooth_leaky a = 0.5, orthogonal 6-6-6: M2 %.4f (bound 0.125), M3 %.4f (bound %.4f)\n", M2, M3, 0.5 * w3);
    CHECK(ginv_net_smoothness(g, 0, 1, 0.05, 1, &M2, &M3) == GINV_ERR_ARG);
    CHECK(ginv_net_smoothness(g, 1, 1, 0, 1, &M2, &M3) == GINV_ERR_ARG);
    ginv_net_free(g);
}
