/* test_ilo.c — issue 13, first part: splitting a generator G = G2 o G1
 * (bit-identical forward and VJP through the views), the exact projection
 * onto the l1 ball (KKT conditions; a bisection on theta), and ILO in MAP
 * form (r = 0 is CSGM; r > 0 never worse in measurement loss; a truth
 * outside range(G) but inside G2(range(G1) + r B1) is recovered). */
#include "test.h"

#include <math.h>
#include <string.h>

static ginv_net *dense_gen(int deep)
{
    ginv_layer spec[6] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 30, .bias = 1},
                          {.kind = GINV_LAYER_SOFTPLUS, .in = 30, .out = 30},
                          {.kind = GINV_LAYER_DENSE, .in = 30, .out = 60, .bias = 1},
                          {.kind = deep ? GINV_LAYER_LEAKY_RELU : GINV_LAYER_SIGMOID, .in = 60,
                           .out = 60, .alpha = 0.2},
                          {.kind = GINV_LAYER_DENSE, .in = 60, .out = 50, .bias = 1},
                          {.kind = GINV_LAYER_TANH, .in = 50, .out = 50}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, deep ? 6 : 4, spec));
    if (net) ginv_net_randomize(net, GINV_INIT_FANIN, 0.1, 3, 0);
    return net;
}

/* G2(G1(z)) == G(z) and J_G1^T (J_G2^T v) == J_G^T v, bit for bit, at every
 * split of net, on B random latents. */
static void check_splits(ginv_net *net, const char *name, int B)
{
    int k = ginv_net_in(net), n = ginv_net_out(net), L = ginv_net_nlayers(net);
    float *z = ginv_malloc(sizeof(float) * B * k), *v = ginv_malloc(sizeof(float) * B * n);
    float *x = ginv_malloc(sizeof(float) * B * n), *dz = ginv_malloc(sizeof(float) * B * k);
    float *dz2 = ginv_malloc(sizeof(float) * B * k);
    ginv_rng r;
    ginv_rng_init(&r, 11, 2, 0);
    ginv_rng_normal_f32(&r, z, (size_t)B * k, 1.0);
    ginv_rng_normal_f32(&r, v, (size_t)B * n, 1.0);
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, net, B));
    memcpy(x, ginv_net_forward(net, ws, B, z), sizeof(float) * B * n);
    ginv_net_backward(net, ws, B, v, dz, 0);
    for (int l = 1; l < L; l++) {
        ginv_net *g1 = NULL, *g2 = NULL;
        CHECK_OK(ginv_net_split(net, l, &g1, &g2));
        if (!g1 || !g2) break;
        int p = ginv_net_out(g1);
        CHECK(ginv_net_in(g2) == p && ginv_net_in(g1) == k && ginv_net_out(g2) == n);
        CHECK(ginv_net_nlayers(g1) == l && ginv_net_nlayers(g2) == L - l);
        CHECK(ginv_net_nparams(g1) + ginv_net_nparams(g2) == ginv_net_nparams(net));
        CHECK(ginv_net_params(g1) == ginv_net_params(net)); /* shared, not copied */
        ginv_net_ws *w1 = NULL, *w2 = NULL;
        CHECK_OK(ginv_net_ws_new(&w1, g1, B));
        CHECK_OK(ginv_net_ws_new(&w2, g2, B));
        const float *h = ginv_net_forward(g1, w1, B, z);
        const float *x2 = ginv_net_forward(g2, w2, B, h);
        CHECK_MSG(!memcmp(x2, x, sizeof(float) * B * n), "%s split at %d: G2(G1(z)) != G(z)",
                  name, l);
        float *gh = ginv_malloc(sizeof(float) * B * p);
        ginv_net_backward(g2, w2, B, v, gh, 0);
        ginv_net_backward(g1, w1, B, gh, dz2, 0);
        double d = test_max_rel_diff(dz2, dz, (size_t)B * k, 1e-30);
        CHECK_MSG(!memcmp(dz2, dz, sizeof(float) * B * k),
                  "%s split at %d: VJP through the split differs (rel %g)", name, l, d);
        ginv_free(gh);
        ginv_net_ws_free(w1);
        ginv_net_ws_free(w2);
        ginv_net_free(g1); /* frees the views only: net is used after */
        ginv_net_free(g2);
    }
    /* out of range: a message naming the parameter */
    ginv_net *a = NULL, *b = NULL;
    CHECK(ginv_net_split(net, 0, &a, &b) == GINV_ERR_ARG && !a && !b);
    CHECK(strstr(ginv_last_error(), "parameter 'layer'"));
    CHECK(ginv_net_split(net, L, &a, &b) == GINV_ERR_ARG && !a && !b);
    ginv_net_ws_free(ws);
    ginv_free(z);
    ginv_free(v);
    ginv_free(x);
    ginv_free(dz);
    ginv_free(dz2);
}

TEST(net_split_is_bit_identical_forward_and_backward)
{
    ginv_net *net = dense_gen(1);
    if (net) check_splits(net, "dense", 7);
    /* the views share the parameters: a change in G shows through them */
    ginv_net *g1 = NULL, *g2 = NULL;
    CHECK_OK(ginv_net_split(net, 2, &g1, &g2));
    ginv_net_params(net)[ginv_net_nparams(g1)] = 42.0f;
    CHECK(ginv_net_layer(g2, 0)->W[0] == 42.0f);
    ginv_net_free(g1);
    ginv_net_free(g2);
    ginv_net_free(net);
    const char *fx[] = {"dcgan28", "strided", "upsample", "dcgan_act"};
    for (int i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/fixtures/conv/%s.safetensors", fx[i]);
        ginv_net *c = NULL;
        CHECK_OK(ginv_net_load(path, &c));
        if (c) check_splits(c, fx[i], 3);
        ginv_net_free(c);
    }
}

/* theta by bisection in double: ||soft(v, theta)||_1 = r */
static double bisect_theta(const float *v, int n, double r)
{
    double lo = 0, hi = 0;
    for (int i = 0; i < n; i++) hi = fmax(hi, fabs(v[i]));
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi), s = 0;
        for (int i = 0; i < n; i++) s += fmax(fabs(v[i]) - mid, 0);
        if (s > r) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
}

TEST(l1_ball_projection_meets_kkt_and_bisection)
{
    ginv_rng rng;
    ginv_rng_init(&rng, 5, 3, 0);
    for (int trial = 0; trial < 200; trial++) {
        int n = 1 + (int)(ginv_rng_uniform(&rng) * (trial < 100 ? 8 : 300));
        float v[300], w[300];
        ginv_rng_normal_f32(&rng, v, (size_t)n, 1.0 + trial % 5);
        double norm = 0;
        for (int i = 0; i < n; i++) norm += fabs(v[i]);
        double r = trial % 7 == 0 ? 0.0 : ginv_rng_uniform(&rng) * 1.5 * norm;
        memcpy(w, v, sizeof(float) * n);
        double th = -1;
        CHECK_OK(ginv_project_l1_ball(w, n, r, &th));
        double wn = 0;
        for (int i = 0; i < n; i++) wn += fabs(w[i]);
        /* KKT: ||w||_1 <= r, w = sign(v) max(|v| - theta, 0), theta >= 0,
         * theta (r - ||w||_1) = 0 */
        double tol = 1e-5 * (1 + norm);
        CHECK_MSG(wn <= r + tol, "trial %d: ||w||_1 %g > r %g", trial, wn, r);
        CHECK(th >= 0);
        CHECK_MSG(th * fabs(r - wn) <= tol * (1 + th), "trial %d: theta %g, r - |w| %g", trial,
                  th, r - wn);
        for (int i = 0; i < n; i++) {
            double want = fmax(fabs(v[i]) - th, 0) * (v[i] < 0 ? -1 : 1);
            CHECK_MSG(fabs(w[i] - want) <= 1e-6 * (1 + fabs(v[i])), "trial %d, i %d", trial, i);
        }
        if (norm <= r) CHECK(th == 0 && !memcmp(w, v, sizeof(float) * n));
        else CHECK_MSG(fabs(th - bisect_theta(v, n, r)) <= 1e-9 * (1 + th),
                       "trial %d: theta %.12g, bisection %.12g", trial, th, bisect_theta(v, n, r));
        if (trial < 30 && n <= 3 && norm > r) {
            /* brute force on a grid over the ball's surface near w: no
             * point of the ball is closer to v */
            double best = 0;
            for (int i = 0; i < n; i++) best += (w[i] - v[i]) * (double)(w[i] - v[i]);
            for (int s = 0; s < 2000; s++) {
                float u[3];
                ginv_rng_normal_f32(&rng, u, (size_t)n, 1.0);
                double un = 0;
                for (int i = 0; i < n; i++) un += fabs(u[i]);
                double scale = r * ginv_rng_uniform(&rng) / (un > 0 ? un : 1), d = 0;
                for (int i = 0; i < n; i++) d += (u[i] * scale - v[i]) * (u[i] * scale - v[i]);
                CHECK(d >= best - 1e-6);
            }
        }
    }
    float v[3] = {1, -2, 3};
    CHECK_OK(ginv_project_l1_ball(v, 3, INFINITY, NULL));
    CHECK(v[0] == 1 && v[1] == -2 && v[2] == 3);
    CHECK(ginv_project_l1_ball(v, 3, -1, NULL) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'r'"));
    CHECK(ginv_project_l1_ball(v, 0, 1, NULL) == GINV_ERR_ARG);
}

typedef struct {
    ginv_net *net;
    ginv_op *A;
    float *X0, *Y;
    int N, n, m;
} ilo_case;

/* x0 = G2(G1(z0) + delta) with delta of s nonzeros (each +-mag) in the
 * intermediate layer before `layer` (s = 0: in range). */
static void make_case(ilo_case *c, int N, int m, int layer, int s, double mag, double *d1)
{
    c->net = dense_gen(0);
    c->N = N;
    c->m = m;
    c->n = ginv_net_out(c->net);
    int k = ginv_net_in(c->net);
    ginv_net *g1 = NULL, *g2 = NULL;
    CHECK_OK(ginv_net_split(c->net, layer, &g1, &g2));
    int p = ginv_net_out(g1);
    float *z0 = ginv_malloc(sizeof(float) * N * k), *h = ginv_malloc(sizeof(float) * N * p);
    c->X0 = ginv_malloc(sizeof(float) * N * c->n);
    c->Y = ginv_malloc(sizeof(float) * N * m);
    ginv_rng r;
    ginv_rng_init(&r, 7, 1, 0);
    ginv_rng_normal_f32(&r, z0, (size_t)N * k, 1.0);
    ginv_net_ws *w1 = NULL, *w2 = NULL;
    CHECK_OK(ginv_net_ws_new(&w1, g1, N));
    CHECK_OK(ginv_net_ws_new(&w2, g2, N));
    memcpy(h, ginv_net_forward(g1, w1, N, z0), sizeof(float) * N * p);
    *d1 = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < s; j++) {
            int at = (int)(ginv_rng_uniform(&r) * p) % p;
            float dv = (float)(ginv_rng_uniform(&r) < 0.5 ? -mag : mag);
            h[(size_t)i * p + at] += dv;
        }
    *d1 = s * mag; /* per image, at most (coinciding positions only shrink it) */
    memcpy(c->X0, ginv_net_forward(g2, w2, N, h), sizeof(float) * N * c->n);
    CHECK_OK(ginv_op_gaussian(&c->A, m, c->n, 9, 0));
    ginv_op_apply(c->A, N, c->X0, c->Y);
    ginv_net_ws_free(w1);
    ginv_net_ws_free(w2);
    ginv_net_free(g1);
    ginv_net_free(g2);
    ginv_free(z0);
    ginv_free(h);
}

static void free_case(ilo_case *c)
{
    ginv_op_free(c->A);
    ginv_net_free(c->net);
    ginv_free(c->X0);
    ginv_free(c->Y);
}

static void ilo_opts(ginv_ilo_opts *o, int layer, double radius)
{
    ginv_ilo_opts_init(o);
    o->layer = layer;
    o->radius = radius;
    o->iters = 1500;
    o->lr = 0.02;
    o->csgm.lambda = 0;
    o->csgm.restarts = 4;
    o->csgm.iters = 600;
    o->csgm.lr = 0.05;
}

TEST(ilo_radius_zero_is_csgm_and_larger_radius_never_worse)
{
    enum { N = 3, m = 25 };
    ilo_case c;
    double d1;
    make_case(&c, N, m, 2, 3, 1.0, &d1);
    int k = ginv_net_in(c.net), n = c.n;
    ginv_ilo_opts o;
    ilo_opts(&o, 2, 0.0);
    float Zc[N * k], Xc[N * n], Z[N * k], X[N * n], H[N * 30];
    double lc[N], loss[N], lcs[N], mse[N];
    CHECK_OK(ginv_csgm_run(c.net, c.A, N, c.Y, &o.csgm, Zc, Xc, lc)); /* lambda 0: lc is ||.||^2 */
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, H, X, loss, lcs, c.X0, mse));
    CHECK(!memcmp(Z, Zc, sizeof Z) && !memcmp(X, Xc, sizeof X));
    for (int i = 0; i < N; i++) CHECK_MSG(loss[i] == lcs[i] && fabs(loss[i] - lc[i]) <= 1e-5 * (1e-3 + lc[i]), "%.9g %.9g", loss[i], lc[i]);
    for (int l = 1; l <= 3; l++) {
        ilo_opts(&o, l, 0.5);
        CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, NULL, X, loss, lcs, NULL, NULL));
        for (int i = 0; i < N; i++) {
            CHECK_MSG(loss[i] <= lcs[i], "layer %d image %d: ILO %g > CSGM %g", l, i, loss[i], lcs[i]);
            CHECK_MSG(fabs(lcs[i] - lc[i]) <= 1e-5 * (1e-3 + lc[i]), "%.9g vs %.9g", lcs[i], lc[i]);
        }
    }
    /* bad options name their parameter */
    ilo_opts(&o, 4, 1.0);
    CHECK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ==
          GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'layer'"));
    ilo_opts(&o, 2, -1.0);
    CHECK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ==
          GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'radius'"));
    free_case(&c);
}

TEST(ilo_recovers_a_truth_outside_the_range)
{
    enum { N = 4, m = 45 };
    ilo_case c;
    double d1;
    make_case(&c, N, m, 2, 3, 1.5, &d1);
    ginv_ilo_opts o;
    ilo_opts(&o, 2, 1.5 * d1);
    double loss[N], lcs[N], mse[N];
    float Xc[N * 60];
    CHECK_OK(ginv_csgm_run(c.net, c.A, N, c.Y, &o.csgm, NULL, Xc, NULL));
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, loss, lcs, c.X0, mse));
    double mc = 0, mi = 0;
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < c.n; j++) s += (Xc[i * c.n + j] - c.X0[i * c.n + j]) * (double)(Xc[i * c.n + j] - c.X0[i * c.n + j]);
        mc += s / c.n / N;
        mi += mse[i] / N;
    }
    fprintf(stderr, "  ILO out of range: mean per-pixel MSE CSGM %.3g, ILO %.3g (||delta||_1 <= %g)\n", mc, mi, d1);
    CHECK_MSG(mi < 0.05 * mc, "ILO MSE %g vs CSGM %g", mi, mc);
    free_case(&c);
}
