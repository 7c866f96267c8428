/* test_ilo.c — issue 13, first part: splitting a generator G = G2 o G1
 * (bit-identical forward and VJP through the views), the exact projection
 * onto the l1 ball (KKT conditions; a bisection on theta), and ILO in MAP
 * form (r = 0 is CSGM; r > 0 never worse in measurement loss; a truth
 * outside range(G) but inside G2(range(G1) + r B1) is recovered). */
#include "test.h"
#include "infer/ilo_internal.h"

#include <math.h>
#include <string.h>

/* deep: 6 layers (the 2nd activation leaky ReLU, or SiLU when smooth), else 4 */
static ginv_net *dense_gen2(int deep, int smooth)
{
    ginv_layer spec[6] = {{.kind = GINV_LAYER_DENSE, .in = 4, .out = 30, .bias = 1},
                          {.kind = GINV_LAYER_SOFTPLUS, .in = 30, .out = 30},
                          {.kind = GINV_LAYER_DENSE, .in = 30, .out = 60, .bias = 1},
                          {.kind = !deep ? GINV_LAYER_SIGMOID : smooth ? GINV_LAYER_SILU
                                                                   : GINV_LAYER_LEAKY_RELU, .in = 60,
                           .out = 60, .alpha = 0.2},
                          {.kind = GINV_LAYER_DENSE, .in = 60, .out = 50, .bias = 1},
                          {.kind = GINV_LAYER_TANH, .in = 50, .out = 50}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, deep ? 6 : 4, spec));
    if (net) ginv_net_randomize(net, GINV_INIT_FANIN, 0.1, 3, 0);
    return net;
}

static ginv_net *dense_gen(int deep) { return dense_gen2(deep, 0); }

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
static void make_case2(ilo_case *c, int deep, int N, int m, int layer, int s, double mag,
                       double *d1)
{
    c->net = dense_gen(deep);
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

static void make_case(ilo_case *c, int N, int m, int layer, int s, double mag, double *d1)
{
    make_case2(c, 0, N, m, layer, s, mag, d1);
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

/* ||A x - y||^2 for one image */
static double meas_loss(const ginv_op *A, const float *x, const float *y, int m)
{
    float ax[64];
    ginv_op_apply(A, 1, x, ax);
    double s = 0;
    for (int j = 0; j < m; j++) s += ((double)ax[j] - y[j]) * ((double)ax[j] - y[j]);
    return s;
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
    o.fix_z = 1; /* the older form: z stays at z-hat, so r = 0 is CSGM's answer itself */
    float Zc[N * k], Xc[N * n], Z[N * k], X[N * n], H[N * 30], GZ[N * n];
    double lc[N], loss[N], lcs[N], mse[N];
    CHECK_OK(ginv_csgm_run(c.net, c.A, N, c.Y, &o.csgm, Zc, Xc, lc)); /* lambda 0: lc is ||.||^2 */
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, H, X, loss, lcs, c.X0, mse));
    CHECK(!memcmp(Z, Zc, sizeof Z) && !memcmp(X, Xc, sizeof X));
    for (int i = 0; i < N; i++) CHECK_MSG(loss[i] == lcs[i] && fabs(loss[i] - lc[i]) <= 1e-5 * (1e-3 + lc[i]), "%.9g %.9g", loss[i], lc[i]);
    /* z free (the default), r = 0 in one and in two stages: z moves on from
     * z-hat (CSGM-like), X == G(Z) bit for bit, the loss never above CSGM's */
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, c.net, N));
    for (int S = 1; S <= 2; S++) {
        ilo_opts(&o, 2, 0.0);
        o.iters = 300;
        if (S == 2) {
            o.nstages = 2;
            o.layers[0] = 1, o.layers[1] = 3;
            o.radii[0] = o.radii[1] = 0;
            o.stage_iters[0] = o.stage_iters[1] = 200;
        }
        CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, NULL, X, loss, lcs, NULL, NULL));
        memcpy(GZ, ginv_net_forward(c.net, ws, N, Z), sizeof GZ);
        CHECK_MSG(!memcmp(X, GZ, sizeof X), "%d stage(s), r = 0: X != G(Z)", S);
        CHECK(memcmp(Z, Zc, sizeof Z)); /* z did move */
        for (int i = 0; i < N; i++) {
            CHECK_MSG(loss[i] <= lcs[i], "S %d image %d: %.9g > CSGM %.9g", S, i, loss[i], lcs[i]);
            CHECK_NEAR(loss[i], meas_loss(c.A, X + i * n, c.Y + i * m, m), 1e-5 * (1e-3 + loss[i]));
        }
    }
    ginv_net_ws_free(ws);
    for (int l = 1; l <= 3; l++)
        for (int fz = 0; fz <= 1; fz++) {
            ilo_opts(&o, l, 0.5);
            o.fix_z = fz;
            CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, NULL, X, loss, lcs, NULL, NULL));
            for (int i = 0; i < N; i++) {
                CHECK_MSG(loss[i] <= lcs[i], "layer %d image %d: ILO %g > CSGM %g", l, i, loss[i], lcs[i]);
                CHECK_MSG(fabs(lcs[i] - lc[i]) <= 1e-5 * (1e-3 + lc[i]), "%.9g vs %.9g", lcs[i], lc[i]);
            }
        }
    free_case(&c);
}

/* Bad stages are refused, naming the parameter; r = 0 and r = INFINITY are
 * allowed. */
TEST(ilo_refuses_bad_stages)
{
    enum { N = 2, m = 20 };
    ilo_case c;
    double d1;
    make_case2(&c, 1, N, m, 2, 0, 0.0, &d1); /* 6 layers */
    ginv_ilo_opts o;
    struct { int S, L0, L1; double r0, r1; int T0; double lr; const char *says; } bad[] = {
        {2, 3, 3, 1, 1, 10, 0.01, "must increase"}, {2, 4, 2, 1, 1, 10, 0.01, "must increase"},
        {1, 0, 0, 1, 1, 10, 0.01, "parameter 'layer'"}, {1, 6, 0, 1, 1, 10, 0.01, "parameter 'layer'"},
        {2, 2, 7, 1, 1, 10, 0.01, "parameter 'layer'"}, {2, 2, 4, 1, -1, 10, 0.01, "parameter 'radius'"},
        {1, 2, 0, NAN, 1, 10, 0.01, "parameter 'radius'"}, {1, 2, 0, 1, 1, -1, 0.01, "parameter 'iters'"},
        {9, 1, 2, 1, 1, 10, 0.01, "parameter 'nstages'"}, {1, 2, 0, 1, 1, 10, 0, "parameter 'lr'"},
        {1, 2, 0, 1, 1, 10, NAN, "parameter 'lr'"}};
    for (size_t q = 0; q < sizeof bad / sizeof bad[0]; q++) {
        ilo_opts(&o, 2, 1.0);
        o.csgm.iters = 5;
        o.nstages = bad[q].S, o.layers[0] = bad[q].L0, o.layers[1] = bad[q].L1;
        o.radii[0] = bad[q].r0, o.radii[1] = bad[q].r1, o.stage_iters[0] = bad[q].T0;
        o.stage_iters[1] = 10, o.lr = bad[q].lr;
        CHECK_MSG(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, NULL, NULL, NULL, NULL) ==
                  GINV_ERR_ARG && strstr(ginv_last_error(), bad[q].says), "case %zu: %s", q,
                  ginv_last_error());
    }
    /* the single-stage fields are checked as before */
    ilo_opts(&o, 6, 1.0);
    CHECK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'layer'"));
    ilo_opts(&o, 2, -1.0);
    CHECK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, NULL, NULL, NULL, NULL) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'radius'"));
    /* r = 0 then INFINITY ("ILO without constraint") run, never above CSGM */
    ilo_opts(&o, 2, 1.0);
    o.csgm.iters = 50;
    o.nstages = 2, o.layers[0] = 2, o.layers[1] = 4, o.radii[0] = 0, o.radii[1] = INFINITY;
    o.stage_iters[0] = o.stage_iters[1] = 50;
    double loss[N], lcs[N];
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, loss, lcs, NULL, NULL));
    for (int i = 0; i < N; i++) CHECK(loss[i] <= lcs[i]);
    free_case(&c);
}

/* Letting z move (range(G1) (+) r B1) reaches a lower loss than keeping it at
 * a poor z-hat (G1(z-hat) + r B1): CSGM is stopped after 3 steps, the truth
 * is in range, the radius small. Both keep their best iterate from the same
 * start, so equal losses would mean z never moved usefully. */
TEST(ilo_free_z_beats_fixed_z_from_a_poor_start)
{
    enum { N = 4, m = 40 };
    ilo_case c;
    double d1;
    make_case(&c, N, m, 2, 0, 0.0, &d1);
    ginv_ilo_opts o;
    double lfix[N], lfree[N], lcs[N], sfix = 0, sfree = 0, scs = 0;
    for (int fz = 0; fz <= 1; fz++) {
        ilo_opts(&o, 2, 0.3);
        o.csgm.restarts = 1, o.csgm.iters = 3;
        o.iters = 800;
        o.fix_z = fz;
        CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, NULL, NULL, fz ? lfix : lfree, lcs,
                              NULL, NULL));
    }
    for (int i = 0; i < N; i++) {
        CHECK(lfix[i] <= lcs[i] && lfree[i] <= lcs[i]);
        sfix += lfix[i], sfree += lfree[i], scs += lcs[i];
    }
    fprintf(stderr, "  poor z-hat: mean loss CSGM %.3g, ILO z fixed %.3g, z free %.3g\n", scs / N,
            sfix / N, sfree / N);
    CHECK_MSG(sfree < 0.2 * sfix, "z free %g vs z fixed %g", sfree, sfix);
    free_case(&c);
}

/* Two stages (layers 2 and 4 of a 6-layer net): stage 2's u stays within
 * r_1 of stage 1's centre G_1^a(z), its deviation at layer 4 within r_2;
 * X == G_2^b(H); with a truth off the range at layer 4 the second stage
 * lowers the loss well below the one-stage run's. */
TEST(ilo_two_stages_keep_their_constraints_and_lower_the_loss)
{
    enum { N = 3, m = 45, k = 4, p1 = 30, p2 = 60 };
    ilo_case c;
    double d1;
    make_case2(&c, 1, N, m, 4, 3, 1.0, &d1);
    int n = c.n;
    ginv_ilo_opts o;
    ilo_opts(&o, 2, 0.5);
    o.iters = 600;
    double l1[N], l2[N], lcs[N];
    float Z[N * k], Z2[N * k], U2[N * p1], H[N * p2], X[N * 50];
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, Z, NULL, NULL, l1, lcs, NULL, NULL));
    o.nstages = 2, o.layers[0] = 2, o.layers[1] = 4, o.radii[0] = 0.5, o.radii[1] = 1.5 * d1;
    o.stage_iters[0] = 600, o.stage_iters[1] = 600;
    o.stage_u[0] = Z2, o.stage_u[1] = U2;
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, H, X, l2, NULL, NULL, NULL));
    CHECK(!memcmp(Z, Z2, sizeof Z)); /* stage 1 is the one-stage run */
    /* the same bits with 3 threads */
    float H3[N * p2], X3[N * 50];
    o.threads = 3, o.stage_u[0] = o.stage_u[1] = NULL;
    CHECK_OK(ginv_ilo_run(c.net, c.A, N, c.Y, &o, NULL, H3, X3, NULL, NULL, NULL, NULL));
    CHECK(!memcmp(H, H3, sizeof H) && !memcmp(X, X3, sizeof(float) * N * n));
    /* the constraints, recomputed through views of the net */
    ginv_net *g1 = NULL, *rest = NULL, *ga = NULL, *gb = NULL;
    CHECK_OK(ginv_net_split(c.net, 2, &g1, &rest));
    CHECK_OK(ginv_net_split(rest, 2, &ga, &gb));
    ginv_net_ws *w1 = NULL, *wa = NULL, *wb = NULL;
    CHECK_OK(ginv_net_ws_new(&w1, g1, N));
    CHECK_OK(ginv_net_ws_new(&wa, ga, N));
    CHECK_OK(ginv_net_ws_new(&wb, gb, N));
    const float *c1 = ginv_net_forward(g1, w1, N, Z2);
    const float *a2 = ginv_net_forward(ga, wa, N, U2);
    CHECK(!memcmp(ginv_net_forward(gb, wb, N, H), X, sizeof(float) * N * n));
    double s1 = 0, s2 = 0;
    for (int i = 0; i < N; i++) {
        double du = 0, dd = 0;
        for (int j = 0; j < p1; j++) du += fabs((double)U2[i * p1 + j] - c1[i * p1 + j]);
        for (int j = 0; j < p2; j++) dd += fabs((double)H[i * p2 + j] - a2[i * p2 + j]);
        CHECK_MSG(du <= 0.5 * (1 + 1e-5) + 1e-6, "image %d: ||u - c_1||_1 = %.9g > 0.5", i, du);
        CHECK_MSG(dd <= 1.5 * d1 * (1 + 1e-5) + 1e-6, "image %d: ||d_2||_1 = %.9g > %g", i, dd,
                  1.5 * d1);
        CHECK_MSG(l2[i] <= l1[i], "image %d: two stages %g > one %g", i, l2[i], l1[i]);
        CHECK_NEAR(l2[i], meas_loss(c.A, X + i * n, c.Y + i * m, m), 1e-5 * (1e-3 + l2[i]));
        s1 += l1[i], s2 += l2[i];
    }
    fprintf(stderr, "  truth off the range at layer 4: mean loss one stage %.3g, two stages %.3g\n",
            s1 / N, s2 / N);
    CHECK_MSG(s2 < 0.2 * s1, "two stages %g vs one %g", s2, s1);
    ginv_net_ws_free(w1);
    ginv_net_ws_free(wa);
    ginv_net_ws_free(wb);
    ginv_net_free(g1);
    ginv_net_free(rest);
    ginv_net_free(ga);
    ginv_net_free(gb);
    free_case(&c);
}

/* f(u, d) = ||A G^b(G^a(u) + d) - y||^2: gu and gh (ginv_ilo_eval_run) are
 * the gradient of f/2 in u and d, against central differences in double
 * along random directions, for a stage from z (layers [0, 2)) and one from
 * layer 2 (layers [2, 4)) of a smooth 6-layer net. */
/* With a linear operator (f = ||A x - y||^2) and with magnitudes (phaseless:
 * the amplitude loss sum (|A x| - y)^2, Hand, Leong & Voroninski eq. 2). */
TEST(ilo_stage_gradient_matches_finite_differences)
{
    enum { N = 2, m = 30 };
    ginv_net *net = dense_gen2(1, 1);
    for (int lk = 0; lk < 2; lk++) {
    ginv_op *A = NULL;
    if (lk == 0) CHECK_OK(ginv_op_gaussian(&A, m, ginv_net_out(net), 4, 0));
    else CHECK_OK(ginv_op_phaseless_gaussian(&A, m, ginv_net_out(net), 4, 0));
    if (!A) break;
    float Y[N * m];
    ginv_rng r;
    ginv_rng_init(&r, 21, 1, 0);
    ginv_rng_normal_f32(&r, Y, N * m, 1.0);
    for (int j = 0; lk && j < N * m; j++) Y[j] = fabsf(Y[j]); /* magnitudes */
    int ab[2][2] = {{0, 2}, {2, 4}};
    for (int q = 0; q < 2; q++) {
        ginv_ilo_eval e;
        CHECK_OK(ginv_ilo_eval_new(&e, net, ab[q][0], ab[q][1], A, N, Y));
        int pin = e.pin, p = e.p;
        size_t nu = (size_t)N * pin, nd = (size_t)N * p;
        float *U = ginv_malloc(nu * sizeof(float)), *D = ginv_malloc(nd * sizeof(float));
        float *vu = ginv_malloc(nu * sizeof(float)), *vd = ginv_malloc(nd * sizeof(float));
        float *Up = ginv_malloc(nu * sizeof(float)), *Dp = ginv_malloc(nd * sizeof(float));
        float *gu = ginv_malloc(nu * sizeof(float)), *gd = ginv_malloc(nd * sizeof(float));
        ginv_rng_normal_f32(&r, U, nu, 1.0);
        ginv_rng_normal_f32(&r, D, nd, 0.3);
        for (size_t j = 0; j < nd; j += 3) D[j] = 0; /* zero entries add nothing */
        double f[N], fp[N], fm[N];
        ginv_ilo_eval_run(&e, U, D, f, 1);
        memcpy(gu, e.gu, nu * sizeof(float));
        memcpy(gd, e.gh, nd * sizeof(float));
        for (int dir = 0; dir < 3; dir++) { /* u only, d only, both */
            ginv_rng_normal_f32(&r, vu, nu, dir == 1 ? 0.0 : 1.0);
            ginv_rng_normal_f32(&r, vd, nd, dir == 0 ? 0.0 : 1.0);
            double an[N] = {0}, eps = lk ? 2e-3 : 1e-2; /* phaseless: a smaller step, to stay off the kinks of |u| */
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < pin; j++) an[i] += (double)gu[i * pin + j] * vu[i * pin + j];
                for (int j = 0; j < p; j++) an[i] += (double)gd[i * p + j] * vd[i * p + j];
            }
            double fd[N];
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                for (size_t j = 0; j < nu; j++) Up[j] = (float)(U[j] + sgn * eps * vu[j]);
                for (size_t j = 0; j < nd; j++) Dp[j] = (float)(D[j] + sgn * eps * vd[j]);
                ginv_ilo_eval_run(&e, Up, Dp, sgn < 0 ? fm : fp, 0);
            }
            for (int i = 0; i < N; i++) {
                fd[i] = (fp[i] - fm[i]) / (2 * eps) / 2; /* of f/2 */
                CHECK_MSG(fabs(fd[i] - an[i]) <= 2e-3 * (fabs(an[i]) + 1e-2 * f[i]),
                          "%s, stage [%d, %d) dir %d image %d: analytic %.7g, FD %.7g",
                          lk ? "phaseless" : "linear", ab[q][0], ab[q][1], dir, i, an[i], fd[i]);
            }
        }
        ginv_free(U), ginv_free(D), ginv_free(vu), ginv_free(vd);
        ginv_free(Up), ginv_free(Dp), ginv_free(gu), ginv_free(gd);
        ginv_ilo_eval_free(&e);
    }
    ginv_op_free(A);
    }
    ginv_net_free(net);
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
