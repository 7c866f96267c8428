/* test_landscape.c — the geometry of f(z) = 1/2||A G(z) - A G(z0)||^2 on wide
 * random ReLU nets (Hand & Voroninski §II, Lemma 10): the negative stationary
 * point on the ray sits near -rho_d z0, f vanishes at z0, and the Hessian by
 * differences of the gradient is symmetric and PSD there. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* k -> widths[0] -> ... ReLU, bias-free, W_i ~ N(0, 1/n_i), stream (seed, NET, 0). */
static ginv_net *relu_net(int k, int d, const int *widths, uint64_t seed)
{
    ginv_layer spec[16];
    int in = k;
    for (int i = 0; i < d; i++) {
        spec[2 * i] = (ginv_layer){.kind = GINV_LAYER_DENSE, .in = in, .out = widths[i]};
        spec[2 * i + 1] = (ginv_layer){.kind = GINV_LAYER_RELU};
        in = widths[i];
    }
    ginv_net *net = NULL;
    if (ginv_net_new(&net, 2 * d, spec) != GINV_OK) return NULL;
    ginv_net_randomize(net, GINV_INIT_PAPER, 0, seed, 0);
    return net;
}

static void draw_z0(float *z0, int k, uint64_t seed)
{
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_TRUTH, 0);
    ginv_rng_normal_f32(&r, z0, (size_t)k, 1.0);
}

/* The minimiser of t -> f(-t z0), t > 0, averaged over 10 seeds, for one
 * architecture; also checks that it agrees with the slope's zero. */
static double mean_ray_min(int d, const int *widths)
{
    const int k = 10, seeds = 10;
    double sum = 0;
    for (uint64_t s = 1; s <= (uint64_t)seeds; s++) {
        ginv_net *net = relu_net(k, d, widths, s);
        ginv_op *op = NULL;
        ginv_landscape *ls = NULL;
        float z0[10];
        draw_z0(z0, k, s);
        CHECK(net != NULL);
        if (!net) return NAN;
        CHECK_OK(ginv_op_identity(&op, ginv_net_out(net)));
        CHECK_OK(ginv_landscape_new(&ls, net, op, z0, 8));
        double t = NAN, f = NAN, tz = NAN;
        CHECK_OK(ginv_landscape_ray_min(ls, -2.0, 0.0, &t, &f));
        CHECK_OK(ginv_landscape_slope_zero(ls, -2.0, -1e-3, &tz));
        CHECK_NEAR(t, tz, 1e-4);
        sum += -t;
        ginv_landscape_free(ls);
        ginv_op_free(op);
        ginv_net_free(net);
    }
    return sum / seeds;
}

TEST(landscape_ray_minimiser_averages_within_10pct_of_rho_d_on_wide_nets)
{
    /* The acceptance claim: A = I, k = 10, widths 500-2000 (d = 2)
     * and 250-1000-3000 (d = 3), seeds 1..10. Observed: see docs/landscape.md. */
    int w2[] = {500, 2000}, w3[] = {250, 1000, 3000};
    double m2 = mean_ray_min(2, w2), m3 = mean_ray_min(3, w3);
    double r2 = ginv_theory_rho(2), r3 = ginv_theory_rho(3);
    CHECK_MSG(fabs(m2 - r2) <= 0.1 * r2, "d = 2: mean t* %.4f vs rho_2 %.4f", m2, r2);
    CHECK_MSG(fabs(m3 - r3) <= 0.1 * r3, "d = 3: mean t* %.4f vs rho_3 %.4f", m3, r3);
}

TEST(landscape_f_on_the_line_has_global_minimum_zero_at_t_1)
{
    int w[] = {100, 400};
    const int k = 10, nt = 401;
    ginv_net *net = relu_net(k, 2, w, 5);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[10];
    draw_z0(z0, k, 5);
    CHECK_OK(ginv_op_identity(&op, 400));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, nt));
    double t[401], f[401], gn[401], sl[401];
    for (int i = 0; i < nt; i++) t[i] = -2.0 + 4.0 * i / (nt - 1); /* t[300] = 1 */
    CHECK_OK(ginv_landscape_line(ls, nt, t, f, gn, sl));
    CHECK_NEAR(t[300], 1.0, 1e-12);
    CHECK(f[300] <= 1e-10);
    CHECK(gn[300] <= 1e-5);
    int argmin = 0;
    for (int i = 0; i < nt; i++) {
        if (f[i] < f[argmin]) argmin = i;
        CHECK_MSG(f[i] >= 0, "f(%g z0) = %g < 0", t[i], f[i]);
        if (i != 300) CHECK_MSG(f[i] > 0, "f(%g z0) = %g should be positive", t[i], f[i]);
    }
    CHECK(argmin == 300);
    /* golden section on the positive side finds t = 1 */
    double tm, fm;
    CHECK_OK(ginv_landscape_ray_min(ls, 0.1, 3.0, &tm, &fm));
    CHECK_NEAR(tm, 1.0, 1e-4);
    /* a cancelled context stops the long calls; the basins' solver too */
    ginv_ctx *ctx = NULL;
    CHECK_OK(ginv_ctx_new(&ctx));
    ginv_landscape_set_ctx(ls, ctx);
    CHECK_OK(ginv_landscape_line(ls, nt, t, f, NULL, NULL)); /* not cancelled yet */
    ginv_ctx_cancel(ctx);
    CHECK(ginv_landscape_line(ls, nt, t, f, gn, sl) == GINV_ERR_CANCELLED);
    CHECK(ginv_landscape_ray_min(ls, 0.1, 3.0, &tm, &fm) == GINV_ERR_CANCELLED);
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.iters = 100000000;
    ginv_landscape_basins bas;
    CHECK(ginv_landscape_basins_run(ls, &so, 4, 1, NAN, 0.1, &bas) == GINV_ERR_CANCELLED);
    ginv_landscape_set_ctx(ls, NULL);
    CHECK_OK(ginv_landscape_line(ls, nt, t, f, NULL, NULL));
    ginv_ctx_free(ctx);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(landscape_fd_hessian_is_symmetric_and_psd_at_z0)
{
    /* At z0 the residual vanishes, so f = 1/2 ||J (z - z0)||^2 on the linear
     * region around z0: the FD Hessian is J^T J (symmetric PSD), up to float
     * rounding. */
    int w[] = {100, 400};
    const int k = 10;
    ginv_net *net = relu_net(k, 2, w, 3);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[10];
    draw_z0(z0, k, 3);
    CHECK_OK(ginv_op_identity(&op, 400));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, 2 * k));
    double H[100], eig[10], hmax = 0, asym = 0;
    CHECK_OK(ginv_landscape_hessian(ls, z0, 1e-4, H));
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            if (fabs(H[i * k + j]) > hmax) hmax = fabs(H[i * k + j]);
            if (fabs(H[i * k + j] - H[j * k + i]) > asym) asym = fabs(H[i * k + j] - H[j * k + i]);
        }
    CHECK(hmax > 0);
    CHECK_MSG(asym <= 1e-3 * hmax, "asymmetry %g vs max %g", asym, hmax);
    CHECK_OK(ginv_landscape_eigvals(k, H, eig));
    CHECK_MSG(eig[0] >= -1e-3 * eig[k - 1], "smallest eigenvalue %g (largest %g)", eig[0],
              eig[k - 1]);
    /* W ~ N(0, 1/n_i): J^T J ~ I / 2^d, so the eigenvalues are near 1/4 */
    CHECK(eig[0] > 0.05 && eig[k - 1] < 1.0);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(landscape_jacobi_eigenvalues_match_a_known_spectrum)
{
    /* Q diag(-2, 1, 3) Q^T with Q a rotation: eigenvalues -2, 1, 3 */
    double c = cos(0.7), s = sin(0.7), Q[9] = {c, -s, 0, s, c, 0, 0, 0, 1}, D[3] = {-2, 1, 3};
    double M[9], e[3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            M[i * 3 + j] = 0;
            for (int l = 0; l < 3; l++) M[i * 3 + j] += Q[i * 3 + l] * D[l] * Q[j * 3 + l];
        }
    CHECK_OK(ginv_landscape_eigvals(3, M, e));
    CHECK_NEAR(e[0], -2, 1e-12);
    CHECK_NEAR(e[1], 1, 1e-12);
    CHECK_NEAR(e[2], 3, 1e-12);
}

TEST(landscape_orthogonal_direction_is_unit_and_orthogonal_to_z0)
{
    int w[] = {20, 40};
    ginv_net *net = relu_net(10, 2, w, 2);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[10], dir[10];
    draw_z0(z0, 10, 2);
    CHECK_OK(ginv_op_identity(&op, 40));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, 4));
    CHECK_OK(ginv_landscape_orth_dir(ls, 9, dir));
    double dot = 0, nn = 0;
    for (int i = 0; i < 10; i++) {
        dot += dir[i] * z0[i];
        nn += dir[i] * dir[i];
    }
    CHECK_NEAR(nn, 1, 1e-6);
    CHECK_NEAR(dot, 0, 1e-5);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(landscape_eval_plane_and_objective_agree_and_vanish_at_z0)
{
    int w[] = {60, 200};
    const int k = 6;
    ginv_net *net = relu_net(k, 2, w, 8);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[6], dir[6], z[2 * 6];
    draw_z0(z0, k, 8);
    CHECK_OK(ginv_op_identity(&op, 200));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, 4));
    CHECK_OK(ginv_landscape_orth_dir(ls, 2, dir));
    double n0 = 0;
    for (int i = 0; i < k; i++) n0 += (double)z0[i] * z0[i];
    n0 = sqrt(n0);
    /* rows: z0 and 0.5 z0 + 0.3 ||z0|| dir */
    for (int i = 0; i < k; i++) {
        z[i] = z0[i];
        z[k + i] = (float)(0.5 * z0[i] + 0.3 * n0 * dir[i]);
    }
    double f[2], fo[2], fp[2];
    float g[2 * 6], go[2 * 6];
    CHECK_OK(ginv_landscape_eval(ls, 2, z, f, g));
    CHECK(f[0] <= 1e-10); /* f(z0) = 0 with y = A G(z0) */
    CHECK(f[1] > 1e-3);
    /* the objective behind the landscape gives the same numbers */
    ginv_objective *obj = ginv_landscape_objective(ls);
    CHECK(obj != NULL && ginv_objective_k(obj) == k);
    CHECK_OK(ginv_objective_eval(obj, 2, z, fo, go));
    CHECK_NEAR(fo[1], f[1], 1e-9 * f[1]);
    for (int i = 0; i < 2 * k; i++) CHECK_NEAR(go[i], g[i], 1e-5 * (1 + fabs(g[i])));
    /* the plane at (a, b) = (1, 0) and (0.5, 0.3) is f at those two points */
    double xs[2] = {1.0, 0.5}, ys[2] = {0.0, 0.3};
    double fpl[4];
    CHECK_OK(ginv_landscape_plane(ls, dir, 2, xs, 2, ys, fpl)); /* f[j * nx + i] */
    fp[0] = fpl[0];
    fp[1] = fpl[1 * 2 + 1];
    CHECK(fp[0] <= 1e-10);
    CHECK_NEAR(fp[1], f[1], 1e-5 * f[1]);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(landscape_basins_count_every_init_once_and_gd_reaches_z0_on_a_wide_net)
{
    int w[] = {100, 400};
    const int k = 5, n = 6;
    ginv_net *net = relu_net(k, 2, w, 9);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[5];
    draw_z0(z0, k, 9);
    CHECK_OK(ginv_op_identity(&op, 400));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, n));
    ginv_solve_opts o;
    ginv_solve_opts_init(&o);
    o.type = ginv_solver_find("signflip");
    o.iters = 400;
    o.lr = 0.5;
    ginv_landscape_basins b = {0};
    CHECK_OK(ginv_landscape_basins_run(ls, &o, n, 4, -ginv_theory_rho(2), 0.2, &b));
    CHECK(b.n_pos + b.n_neg + b.n_other == n);
    /* with the sign-flip check every run ends near z0 (H&V's algorithm) */
    CHECK_MSG(b.n_pos == n, "%d of %d ended near z0", b.n_pos, n);
    for (int i = 0; i < n; i++) {
        CHECK(b.f[i] >= 0);
        if (b.dist_pos[i] <= 0.2) CHECK(b.dist_pos[i] < b.dist_neg[i]);
    }
    ginv_landscape_basins_release(&b);
    CHECK(b.f == NULL && b.dist_pos == NULL);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}

/* landscape's parameter table and setup (src/theory/landscape_params.c):
 * trial t's z0 and operator are the scenario's, d and rho_d follow the
 * layers, the default operator is the identity, and refusals name
 * parameters. */
TEST(landscape_setup_draws_the_scenario_of_its_trial)
{
    ginv_landscape_params p;
    ginv_landscape_params_init(&p);
    CHECK(!strcmp(p.op, "identity") && p.points == 201 && p.inits == 20);
    CHECK(ginv_landscape_check(&p) == GINV_ERR_ARG && strstr(ginv_last_error(), "'model' and 'layers'"));
    p.layers = "5,30,90";
    p.op = "gaussian";
    p.m = 40;
    ginv_landscape_setup s;
    CHECK_OK(ginv_landscape_setup_init(&s, &p, 3, 2, NULL, 0));
    CHECK(s.k == 5 && s.n == 90 && s.m == 40 && s.d == 2 && s.ls);
    CHECK(fabs(s.rho - ginv_theory_rho(2)) < 1e-15);
    ginv_layer spec[GINV_RECOVER_MAX_SPEC];
    int nspec;
    CHECK_OK(ginv_layers_parse("5,30,90", "relu", NULL, 0.2, 0, spec, GINV_RECOVER_MAX_SPEC, &nspec));
    ginv_op_spec ops;
    CHECK_OK(ginv_op_spec_parse(&ops, "gaussian", 40));
    ginv_scenario_opts so;
    ginv_scenario_opts_init(&so);
    so.spec = spec, so.nspec = nspec, so.op = &ops, so.seed = 3, so.trial = 2;
    ginv_scenario sc;
    CHECK_OK(ginv_scenario_draw(&sc, &so));
    if (s.z0 && sc.z0) CHECK(!memcmp(s.z0, sc.z0, sizeof(float) * 5));
    double nz = 0;
    for (int i = 0; s.z0 && i < 5; i++) nz += (double)s.z0[i] * s.z0[i];
    CHECK(fabs(sqrt(nz) - s.z0_norm) < 1e-9);
    /* f(z0) = 0: the noiseless risk */
    double f = 1;
    CHECK_OK(ginv_landscape_eval(s.ls, 1, s.z0, &f, NULL));
    CHECK(f < 1e-10);
    /* the negative point is the ray minimiser and the slope's zero of the two calls */
    ginv_landscape_negative neg;
    double t_min, f_min, t_zero;
    CHECK_OK(ginv_landscape_negative_point(s.ls, 2.0, &neg));
    CHECK_OK(ginv_landscape_ray_min(s.ls, -2.0, 0.0, &t_min, &f_min));
    CHECK_OK(ginv_landscape_slope_zero(s.ls, -2.0, -2e-6, &t_zero));
    CHECK(neg.t_min == t_min && neg.f_min == f_min && (neg.t_slope_zero == t_zero || (isnan(t_zero) && isnan(neg.t_slope_zero))));
    CHECK(neg.interior == (t_min > -2.0 * (1 - 1e-6) && t_min < -2e-6));
    CHECK(ginv_landscape_negative_point(s.ls, 0.0, &neg) == GINV_ERR_ARG);
    ginv_scenario_release(&sc);
    ginv_op_spec_release(&ops);
    ginv_landscape_setup_release(&s);
    p.layers = "1,30";
    CHECK(ginv_landscape_setup_init(&s, &p, 3, 0, NULL, 0) == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "latent size k >= 2") != NULL);
    ginv_landscape_setup_release(&s);
    CHECK(ginv_param_set(&ginv_landscape_table, &p, "grid", "1") == GINV_ERR_ARG);
    CHECK(strstr(ginv_last_error(), "parameter 'grid' 1 is out of range") != NULL);
}

/* Lemma B.6 measured (ginv_landscape_hessian_ball): at z0 the residual is 0,
 * so the Hessian of f = 1/2||G(z) - G(z0)||^2 (A = I) is J^T J and its
 * smallest eigenvalue is sigma_min(J_G(z0))^2, computed here from the
 * Jacobian; a ball of radius 0 gives that value at every point; on a wide
 * net a small ball stays convex (differences over 0.03 ||z0||), a ball
 * reaching past 0 does not. */
TEST(landscape_hessian_ball_matches_jacobian_at_z0_and_loses_convexity_far_out)
{
    int w[] = {200, 800};
    const int k = 6, n = 800;
    ginv_net *net = relu_net(k, 2, w, 3);
    ginv_op *op = NULL;
    ginv_landscape *ls = NULL;
    float z0[6];
    draw_z0(z0, k, 3);
    CHECK(net != NULL);
    CHECK_OK(ginv_op_identity(&op, n));
    CHECK_OK(ginv_landscape_new(&ls, net, op, z0, 16));
    float *J = malloc(sizeof(float) * n * k);
    double JtJ[36], eig[6];
    CHECK_OK(ginv_net_jacobian(net, z0, J));
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int r = 0; r < n; r++) s += (double)J[r * k + i] * J[r * k + j];
            JtJ[i * k + j] = s;
        }
    CHECK_OK(ginv_sym_eigvals(k, JtJ, eig));
    double nz = 0;
    for (int i = 0; i < k; i++) nz += (double)z0[i] * z0[i];
    nz = sqrt(nz);
    ginv_landscape_convexity cv;
    CHECK_OK(ginv_landscape_hessian_ball(ls, 0.0, 3, 1e-4 * nz, 7, &cv));
    CHECK_MSG(fabs(cv.at_z0 - eig[0]) <= 2e-3 * eig[0], "at z0 %g vs sigma_min(J)^2 %g", cv.at_z0, eig[0]);
    CHECK_NEAR(cv.min, cv.at_z0, 1e-12);
    CHECK(cv.frac_positive == 1);
    /* the difference step spans the kinks (0.03 ||z0||): a tiny step that
     * straddles one kink sees the residual's jump, of either sign */
    CHECK_OK(ginv_landscape_hessian_ball(ls, 0.1 * nz, 20, 0.03 * nz, 7, &cv));
    CHECK_MSG(cv.frac_positive == 1 && cv.min > 0.5 * eig[0], "small ball: min %g, fraction %g", cv.min, cv.frac_positive);
    CHECK_OK(ginv_landscape_hessian_ball(ls, 2.0 * nz, 40, 0.03 * nz, 7, &cv));
    CHECK_MSG(cv.frac_positive < 1 && cv.min < 0, "ball past 0: min %g, fraction %g", cv.min, cv.frac_positive);
    CHECK(ginv_landscape_hessian_ball(ls, -1, 3, 1e-3, 7, &cv) == GINV_ERR_ARG);
    free(J);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    ginv_net_free(net);
}
