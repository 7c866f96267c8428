/* test_csgm.c — CSGM: in-range signals are recovered from few Gaussian
 * measurements, the kept restart is the best one, and how images are cut
 * into batches does not change the answer. */
#include "test.h"

#include <math.h>
#include <string.h>

static ginv_net *small_gen(void)
{
    ginv_layer spec[4] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 30, .bias = 1},
                          {.kind = GINV_LAYER_SOFTPLUS, .in = 30, .out = 30},
                          {.kind = GINV_LAYER_DENSE, .in = 30, .out = 60, .bias = 1},
                          {.kind = GINV_LAYER_SIGMOID, .in = 60, .out = 60}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 4, spec));
    ginv_net_randomize(net, GINV_INIT_FANIN, 0.1, 3, 0);
    return net;
}

TEST(csgm_recovers_in_range_images_from_few_measurements)
{
    enum { N = 5, k = 4, n = 60, m = 20 };
    ginv_net *net = small_gen();
    float z0[N * k], Y[N * m], X[N * n], Zh[N * k], Xh[N * n];
    ginv_rng r;
    ginv_rng_init(&r, 5, 1, 0);
    ginv_rng_normal_f32(&r, z0, N * k, 1.0);
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, N));
    memcpy(X, ginv_net_forward(net, ws, N, z0), sizeof X);
    ginv_op *A = NULL;
    CHECK_OK(ginv_op_gaussian(&A, m, n, 9, 0));
    ginv_op_apply(A, N, X, Y);
    ginv_csgm_opts o;
    ginv_csgm_opts_init(&o);
    o.lambda = 0;
    o.restarts = 4;
    o.iters = 1500;
    o.lr = 0.05;
    double loss[N];
    CHECK_OK(ginv_csgm_run(net, A, N, Y, &o, Zh, Xh, loss));
    for (int i = 0; i < N; i++) {
        double e = 0, s = 0;
        for (int j = 0; j < n; j++) {
            double d = Xh[i * n + j] - X[i * n + j];
            e += d * d;
            s += (double)X[i * n + j] * X[i * n + j];
        }
        CHECK_MSG(sqrt(e / s) < 1e-2, "image %d: relative error %.3g (loss %.3g)", i,
                  sqrt(e / s), loss[i]);
    }
    /* the same images cut into batches of one image: the same answers */
    float Zh1[N * k];
    o.max_batch = o.restarts;
    CHECK_OK(ginv_csgm_run(net, A, N, Y, &o, Zh1, NULL, NULL));
    CHECK(test_max_rel_diff(Zh1, Zh, N * k, 1.0) < 1e-4);
    ginv_op_free(A);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
}

TEST(csgm_keeps_the_restart_with_the_lowest_loss)
{
    enum { k = 4, n = 60, m = 6 };
    ginv_net *net = small_gen();
    ginv_op *A = NULL;
    CHECK_OK(ginv_op_gaussian(&A, m, n, 2, 0));
    float Y[m];
    ginv_rng r;
    ginv_rng_init(&r, 8, 1, 0);
    ginv_rng_normal_f32(&r, Y, m, 1.0); /* not in the range: restarts end apart */
    ginv_csgm_opts o;
    ginv_csgm_opts_init(&o);
    o.iters = 50;
    o.restarts = 6;
    double best;
    float zb[k];
    CHECK_OK(ginv_csgm_run(net, A, 1, Y, &o, zb, NULL, &best));
    /* each restart alone, from the same stream's starts: R = 1 takes start 0 */
    o.restarts = 1;
    double l1;
    CHECK_OK(ginv_csgm_run(net, A, 1, Y, &o, NULL, NULL, &l1));
    CHECK(best <= l1 + 1e-9);
    /* the reported loss is ||A G(z) - y||^2 + lambda ||z||^2 at the kept z */
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, 1));
    const float *x = ginv_net_forward(net, ws, 1, zb);
    float ax[m];
    ginv_op_apply(A, 1, x, ax);
    double want = 0;
    for (int i = 0; i < m; i++) want += ((double)ax[i] - Y[i]) * ((double)ax[i] - Y[i]);
    for (int i = 0; i < k; i++) want += 0.1 * zb[i] * zb[i];
    CHECK_NEAR(best, want, 1e-4 * want);
    ginv_net_ws_free(ws);
    ginv_op_free(A);
    ginv_net_free(net);
}
