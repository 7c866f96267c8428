/* test_score.c — issue 13: the score-based prior (VP-SDE coefficients, the
 * denoising score-matching gradient against finite differences, a score
 * model trained on a known Gaussian against the closed-form score of the
 * perturbed law, the reverse SDE with the exact score, files and resuming)
 * and SGILO (with the exact Gaussian score on a linear G2: the closed-form
 * stationary law of the Langevin chain; with the learned score alone: the
 * Gaussian it was trained on). */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A Gaussian N(mu, S) in R^2 and the exact score of its perturbed law under
 * the h-space VP-SDE with standardisation (c, s): h_t ~ N(c + a (mu - c),
 * a^2 S + sg^2 diag(s^2)). exact_t < 0: use the time given; else always
 * that time (0: the unperturbed density). */
typedef struct {
    double mu[2], S[2][2];
    float c[2], s[2];
    double bmin, bmax, exact_t;
} gauss2;

static void gauss_cov(const gauss2 *g, double t, double mean[2], double C[2][2])
{
    double a = 1, sg = 0;
    if (t > 0) ginv_vpsde_coef(g->bmin, g->bmax, t, &a, &sg);
    for (int i = 0; i < 2; i++) {
        mean[i] = g->c[i] + a * (g->mu[i] - g->c[i]);
        for (int j = 0; j < 2; j++) C[i][j] = a * a * g->S[i][j] + (i == j ? sg * sg * g->s[i] * g->s[i] : 0);
    }
}

static ginv_status gauss_score(void *ctx, int B, const float *h, double t, float *grad)
{
    const gauss2 *g = ctx;
    double mean[2], C[2][2];
    gauss_cov(g, g->exact_t >= 0 ? g->exact_t : t, mean, C);
    double det = C[0][0] * C[1][1] - C[0][1] * C[1][0];
    double P[2][2] = {{C[1][1] / det, -C[0][1] / det}, {-C[1][0] / det, C[0][0] / det}};
    for (int b = 0; b < B; b++) {
        double d0 = h[2 * b] - mean[0], d1 = h[2 * b + 1] - mean[1];
        grad[2 * b] = (float)-(P[0][0] * d0 + P[0][1] * d1);
        grad[2 * b + 1] = (float)-(P[1][0] * d0 + P[1][1] * d1);
    }
    return GINV_OK;
}

static const gauss2 G0 = {{1.0, -2.0}, {{2.0, 0.6}, {0.6, 0.5}}, {0, 0}, {1, 1}, 0.1, 20, -1};

/* N draws of G0 into H (N x 2) from stream (seed, 9, i). */
static void gauss_draws(int N, uint64_t seed, float *H)
{
    double l00 = sqrt(G0.S[0][0]), l10 = G0.S[1][0] / l00, l11 = sqrt(G0.S[1][1] - l10 * l10);
    for (int i = 0; i < N; i++) {
        ginv_rng r;
        ginv_rng_init(&r, seed, 9, (uint64_t)i);
        double e0 = ginv_rng_normal(&r), e1 = ginv_rng_normal(&r);
        H[2 * i] = (float)(G0.mu[0] + l00 * e0);
        H[2 * i + 1] = (float)(G0.mu[1] + l10 * e0 + l11 * e1);
    }
}

TEST(vpsde_coefficients_are_song_et_al_closed_form)
{
    for (double t = 0.01; t <= 1.0; t += 0.07) {
        double a, s;
        ginv_vpsde_coef(0.1, 20, t, &a, &s);
        double ib = 0.1 * t + 0.5 * 19.9 * t * t;
        CHECK_NEAR(a, exp(-0.5 * ib), 1e-15);
        CHECK_NEAR(a * a + s * s, 1.0, 1e-12);
    }
    double a1;
    ginv_vpsde_coef(0.1, 20, 1.0, &a1, NULL);
    CHECK(a1 < 0.01); /* the prior end is nearly N(0, I) */
}

TEST(score_loss_parameter_gradient_matches_finite_differences)
{
    ginv_score_arch a;
    ginv_score_arch_init(&a);
    a.p = 3, a.nfreq = 2, a.nhidden = 2, a.hidden[0] = 7, a.hidden[1] = 5, a.act = GINV_LAYER_TANH;
    ginv_score *s = NULL;
    CHECK_OK(ginv_score_new(&s, &a, 4));
    if (!s) return;
    float h0[12], eps[12];
    double t[4] = {0.02, 0.3, 0.55, 0.9}, L, Lp, Lm;
    ginv_rng r;
    ginv_rng_init(&r, 5, 1, 0);
    ginv_rng_normal_f32(&r, h0, 12, 1.0);
    ginv_rng_normal_f32(&r, eps, 12, 1.0);
    CHECK_OK(ginv_score_set_scaling(s, 4, h0));
    CHECK_OK(ginv_score_loss(s, 4, h0, t, eps, &L, 1));
    ginv_net *net = ginv_score_net(s);
    size_t np = ginv_net_nparams(net);
    float *g = ginv_malloc(np * sizeof(float));
    memcpy(g, ginv_net_grads(net), np * sizeof(float));
    float *w = ginv_net_params(net);
    double worst = 0;
    for (size_t q = 0; q < np; q += 3) {
        float keep = w[q];
        double e = 1e-2 * fmax(1.0, fabs(keep));
        w[q] = (float)(keep + e);
        CHECK_OK(ginv_score_loss(s, 4, h0, t, eps, &Lp, 0));
        w[q] = (float)(keep - e);
        CHECK_OK(ginv_score_loss(s, 4, h0, t, eps, &Lm, 0));
        w[q] = keep;
        double fd = (Lp - Lm) / (2 * e), err = fabs(fd - g[q]) / fmax(1e-3, fabs(fd));
        if (err > worst) worst = err;
    }
    CHECK_MSG(worst < 2e-2, "worst relative FD error of the DSM gradient %.3g", worst);
    ginv_free(g);
    ginv_score_free(s);
}

/* A small score model trained on G0's draws (shared by the tests below). */
static ginv_score *trained_gauss_score(int epochs)
{
    ginv_score_arch a;
    ginv_score_arch_init(&a);
    a.p = 2, a.nfreq = 8, a.freq_scale = 2, a.hidden[0] = a.hidden[1] = 64;
    ginv_score *s = NULL;
    CHECK_OK(ginv_score_new(&s, &a, 1));
    int N = 4096;
    float *H = ginv_malloc((size_t)N * 2 * sizeof(float));
    gauss_draws(N, 1, H);
    ginv_score_train_opts o;
    ginv_score_train_opts_init(&o);
    o.epochs = epochs, o.batch = 128, o.lr = 2e-3;
    if (s) CHECK_OK(ginv_score_train(s, N, H, &o, NULL));
    ginv_free(H);
    return s;
}

TEST(score_trained_on_a_gaussian_recovers_the_closed_form_perturbed_score)
{
    ginv_score *s = trained_gauss_score(300);
    if (!s) return;
    gauss2 g = G0;
    memcpy(g.c, ginv_score_center(s), sizeof g.c);
    memcpy(g.s, ginv_score_scale(s), sizeof g.s);
    CHECK_NEAR(g.c[0], 1.0, 0.1); /* the standardisation is the data's */
    CHECK_NEAR(g.s[0] * g.s[0], 2.0, 0.2);
    /* the score's scale grows as 1 / sigma(t): a fixed error in eps weighs more at small t */
    const double ts[4] = {0.05, 0.1, 0.3, 0.7}, tol[4] = {0.2, 0.08, 0.05, 0.05};
    for (int k = 0; k < 4; k++) {
        /* points of the perturbed law at t */
        int B = 512;
        float h[1024], sl[1024], se[1024];
        double mean[2], C[2][2];
        gauss_cov(&g, ts[k], mean, C);
        double l00 = sqrt(C[0][0]), l10 = C[1][0] / l00, l11 = sqrt(C[1][1] - l10 * l10);
        ginv_rng r;
        ginv_rng_init(&r, 77, 3, (uint64_t)k);
        for (int b = 0; b < B; b++) {
            double e0 = ginv_rng_normal(&r), e1 = ginv_rng_normal(&r);
            h[2 * b] = (float)(mean[0] + l00 * e0);
            h[2 * b + 1] = (float)(mean[1] + l10 * e0 + l11 * e1);
        }
        CHECK_OK(ginv_score_eval(s, B, h, ts[k], sl));
        gauss_score(&g, B, h, ts[k], se);
        double num = 0, den = 0;
        for (int q = 0; q < 2 * B; q++) {
            num += ((double)sl[q] - se[q]) * ((double)sl[q] - se[q]);
            den += (double)se[q] * se[q];
        }
        CHECK_MSG(sqrt(num / den) < tol[k], "t = %g: relative score error %.3f", ts[k], sqrt(num / den));
    }
    ginv_score_free(s);
}

TEST(reverse_sde_with_the_exact_score_samples_the_gaussian)
{
    gauss2 g = G0;
    g.c[0] = 1, g.c[1] = -2, g.s[0] = 1.4f, g.s[1] = 0.7f;
    ginv_score_prior pr = {gauss_score, &g, 2, 0.1, 20, 1e-3, g.c, g.s};
    int B = 4000;
    float *h = ginv_malloc((size_t)B * 2 * sizeof(float));
    ginv_rng *rng = ginv_malloc((size_t)B * sizeof(ginv_rng));
    for (int b = 0; b < B; b++) {
        ginv_rng_init(&rng[b], 3, 4, (uint64_t)b);
        for (int j = 0; j < 2; j++) h[2 * b + j] = (float)(g.c[j] + g.s[j] * ginv_rng_normal(&rng[b]));
    }
    long ev = 0;
    CHECK_OK(ginv_score_reverse(&pr, B, h, 1.0, 400, 0, rng, &ev));
    CHECK(ev == 400);
    double m[2] = {0}, C[2][2] = {{0}};
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 2; i++) m[i] += h[2 * b + i] / (double)B;
    for (int b = 0; b < B; b++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) C[i][j] += (h[2 * b + i] - m[i]) * (h[2 * b + j] - m[j]) / (B - 1.0);
    /* 4000 independent draws: mean MCSE sqrt(2/4000) = 0.022; covariance
     * MCSE about 0.045 for the variance 2; the Euler-Maruyama bias is smaller */
    CHECK_NEAR(m[0], 1.0, 0.09);
    CHECK_NEAR(m[1], -2.0, 0.045);
    CHECK_NEAR(C[0][0], 2.0, 0.2);
    CHECK_NEAR(C[0][1], 0.6, 0.08);
    CHECK_NEAR(C[1][1], 0.5, 0.05);
    float one[2] = {0, 0};
    CHECK(ginv_score_reverse(&pr, 1, one, 1e-4, 10, 1, rng, NULL) == GINV_ERR_ARG); /* t <= t_min */
    CHECK(ginv_score_reverse(&pr, 1, one, 0.5, 0, 1, rng, NULL) == GINV_ERR_ARG);
    ginv_free(h);
    ginv_free(rng);
}

/* G = dense(kz -> 2) then dense(2 -> n) (linear: G2(h) = W h + b). */
static ginv_net *linear_pair(int kz, int n, uint64_t seed)
{
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = kz, .out = 2, .bias = 1},
                          {.kind = GINV_LAYER_DENSE, .in = 2, .out = n, .bias = 1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    if (net) CHECK_OK(ginv_net_randomize(net, GINV_INIT_FANIN, 0.3, seed, 0));
    return net;
}

TEST(sgilo_with_the_exact_gaussian_prior_on_a_linear_g2_matches_the_closed_form_langevin_law)
{
    int n = 3;
    ginv_net *net = linear_pair(2, n, 8);
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, n));
    if (!net || !op) return;
    const ginv_layer *L2 = ginv_net_layer_c(net, 1);
    float y[3] = {0.4f, -0.3f, 0.8f};
    double sig = 0.5;
    gauss2 g = G0;
    g.exact_t = 0; /* the prior N(mu, S) itself */
    ginv_score_prior pr = {gauss_score, &g, 2, 0.1, 20, 1e-3, NULL, NULL};
    /* posterior precision H = W^T W / sig^2 + S^-1, mean H^-1 (W^T (y - b) / sig^2 + S^-1 mu) */
    double dS = G0.S[0][0] * G0.S[1][1] - G0.S[0][1] * G0.S[1][0];
    double Si[2][2] = {{G0.S[1][1] / dS, -G0.S[0][1] / dS}, {-G0.S[1][0] / dS, G0.S[0][0] / dS}};
    double H[2][2], rhs[2];
    for (int i = 0; i < 2; i++) {
        rhs[i] = Si[i][0] * G0.mu[0] + Si[i][1] * G0.mu[1];
        for (int r = 0; r < n; r++) rhs[i] += L2->W[r * 2 + i] * (y[r] - L2->b[r]) / (sig * sig);
        for (int j = 0; j < 2; j++) {
            H[i][j] = Si[i][j];
            for (int r = 0; r < n; r++) H[i][j] += L2->W[r * 2 + i] * L2->W[r * 2 + j] / (sig * sig);
        }
    }
    ginv_sgilo_opts o;
    ginv_sgilo_opts_init(&o);
    o.layer = 1, o.chains = 8, o.burn = 300, o.draws = 3000, o.step = 0.02, o.sigma = sig;
    o.start = GINV_SGILO_START_PRIOR, o.keep = 4;
    /* ULA on a quadratic U: stationary N(mean, (H (I - eta H / 2))^-1) */
    double K[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            K[i][j] = H[i][j];
            for (int l = 0; l < 2; l++) K[i][j] -= o.step / 2 * H[i][l] * H[l][j];
        }
    double dH = H[0][0] * H[1][1] - H[0][1] * H[1][0], dK = K[0][0] * K[1][1] - K[0][1] * K[1][0];
    double mean[2] = {(H[1][1] * rhs[0] - H[0][1] * rhs[1]) / dH, (-H[1][0] * rhs[0] + H[0][0] * rhs[1]) / dH};
    double Cov[2][2] = {{K[1][1] / dK, -K[0][1] / dK}, {-K[1][0] / dK, K[0][0] / dK}};
    ginv_sgilo_result res;
    CHECK_OK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res));
    if (!res.mean_x) goto out;
    CHECK(res.max_rhat[0] < 1.01);
    CHECK(res.min_ess_bulk[0] > 300);
    CHECK(res.grad_evals == 3300 && res.score_evals == 3300);
    for (int r = 0; r < n; r++) { /* x = W h + b: mean W mean + b, variance w_r^T Cov w_r */
        const float *w = L2->W + r * 2;
        double mx = w[0] * mean[0] + w[1] * mean[1] + L2->b[r];
        double vx = w[0] * w[0] * Cov[0][0] + 2 * w[0] * w[1] * Cov[0][1] + w[1] * w[1] * Cov[1][1];
        double mcse = sqrt(vx / res.min_ess_bulk[0]);
        CHECK_MSG(fabs(res.mean_x[r] - mx) < 4 * mcse, "x[%d]: mean %.5f, closed form %.5f, MCSE %.2g", r,
                  res.mean_x[r], mx, mcse);
        CHECK_MSG(fabs(res.std_x[r] / sqrt(vx) - 1) < 0.08, "x[%d]: sd %.5f, closed form %.5f", r,
                  res.std_x[r], sqrt(vx));
    }
    CHECK(res.x_draws != NULL && res.keep == 4);
    ginv_sgilo_result_release(&res);
    /* preconditioned by P = (W^T W / sig^2 + I)^-1 (scale 1, weight 1): the chain
     * h <- h - eta P grad U + sqrt(2 eta) P^1/2 xi is stationary at the mean, with
     * the covariance S = (I - eta P H) S (I - eta P H)^T + 2 eta P (a fixed point) */
    {
        double Hl[2][2], P[2][2], A[2][2], S[2][2] = {{0}};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                Hl[i][j] = (i == j);
                for (int r = 0; r < n; r++) Hl[i][j] += L2->W[r * 2 + i] * L2->W[r * 2 + j] / (sig * sig);
            }
        double dl = Hl[0][0] * Hl[1][1] - Hl[0][1] * Hl[1][0];
        P[0][0] = Hl[1][1] / dl, P[1][1] = Hl[0][0] / dl, P[0][1] = P[1][0] = -Hl[0][1] / dl;
        double eta = 0.4;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) A[i][j] = (i == j) - eta * (P[i][0] * H[0][j] + P[i][1] * H[1][j]);
        for (int it = 0; it < 20000; it++) {
            double T[2][2], N2[2][2];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) T[i][j] = A[i][0] * S[0][j] + A[i][1] * S[1][j];
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) N2[i][j] = T[i][0] * A[j][0] + T[i][1] * A[j][1] + 2 * eta * P[i][j];
            memcpy(S, N2, sizeof S);
        }
        o.precond = GINV_PRECOND_LAPLACE, o.step = eta, o.draws = 2000;
        CHECK_OK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res));
        for (int r = 0; res.mean_x && r < n; r++) {
            const float *w = L2->W + r * 2;
            double mx = w[0] * mean[0] + w[1] * mean[1] + L2->b[r];
            double vx = w[0] * w[0] * S[0][0] + 2 * w[0] * w[1] * S[0][1] + w[1] * w[1] * S[1][1];
            double mcse = sqrt(vx / res.min_ess_bulk[0]);
            CHECK_MSG(fabs(res.mean_x[r] - mx) < 4 * mcse, "preconditioned x[%d]: mean %.5f, closed form %.5f, "
                      "MCSE %.2g", r, res.mean_x[r], mx, mcse);
            CHECK_MSG(fabs(res.std_x[r] / sqrt(vx) - 1) < 0.08, "preconditioned x[%d]: sd %.5f, closed form %.5f",
                      r, res.std_x[r], sqrt(vx));
        }
        CHECK(res.min_ess_bulk && res.min_ess_bulk[0] > 2000); /* it mixes: ESS per draw well above the plain chain's */
        ginv_sgilo_result_release(&res);
        o.precond = GINV_PRECOND_NONE, o.draws = 3000;
    }
    /* the automatic step: step_scale / lambda_max(H); H is constant here */
    double lmax = 0.5 * (H[0][0] + H[1][1]) + sqrt(0.25 * (H[0][0] - H[1][1]) * (H[0][0] - H[1][1]) + H[0][1] * H[1][0]);
    o.step = 0, o.step_scale = 0.3, o.burn = 10, o.draws = 10;
    CHECK_OK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res));
    if (res.step) CHECK_MSG(fabs(res.step[0] * lmax / 0.3 - 1) < 1e-3, "automatic step %g, 0.3 / lambda_max %g",
                            res.step[0], 0.3 / lmax);
    ginv_sgilo_result_release(&res);
    o.burn = 300, o.draws = 3000;
    /* bad input: a prior of the wrong size, a negative step, keep past the draws */
    pr.p = 3;
    CHECK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res) == GINV_ERR_SHAPE);
    pr.p = 2, o.step = -1;
    CHECK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res) == GINV_ERR_ARG);
    o.step = 0.02, o.keep = 8 * 3000 + 1;
    CHECK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res) == GINV_ERR_ARG);
    CHECK(res.mean_x == NULL);
out:
    ginv_op_free(op);
    ginv_net_free(net);
}

static ginv_status nan_score(void *ctx, int B, const float *h, double t, float *grad)
{
    (void)ctx, (void)h, (void)t;
    for (int q = 0; q < 2 * B; q++) grad[q] = NAN;
    return GINV_OK;
}

TEST(sgilo_refuses_a_score_that_returns_nan_naming_the_score)
{
    ginv_net *net = linear_pair(2, 3, 8);
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 3));
    float y[3] = {0, 0, 0};
    ginv_score_prior pr = {nan_score, NULL, 2, 0.1, 20, 1e-3, NULL, NULL};
    ginv_sgilo_opts o;
    ginv_sgilo_opts_init(&o);
    o.start = GINV_SGILO_START_PRIOR, o.burn = 5, o.draws = 5, o.step = 0.01;
    ginv_sgilo_result res;
    CHECK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res) == GINV_ERR_NUMERIC);
    CHECK_MSG(strstr(ginv_last_error(), "score network returned") != NULL, "%s", ginv_last_error());
    o.step = 0; /* the automatic step meets the NaN first */
    CHECK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res) == GINV_ERR_NUMERIC);
    CHECK_MSG(strstr(ginv_last_error(), "non-finite") != NULL, "%s", ginv_last_error());
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(langevin_with_the_learned_score_samples_the_gaussian_it_was_trained_on)
{
    ginv_score *s = trained_gauss_score(300);
    /* G2 = the identity map on R^2 (a dense layer W = I, b = 0): x = h */
    ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1},
                          {.kind = GINV_LAYER_DENSE, .in = 2, .out = 2, .bias = 1}};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 2, spec));
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 2));
    if (!s || !net || !op) goto out;
    for (int l = 0; l < 2; l++) {
        ginv_layer *L = ginv_net_layer(net, l);
        L->W[0] = L->W[3] = 1;
    }
    ginv_score_prior pr;
    ginv_score_prior_of(s, &pr);
    ginv_sgilo_opts o;
    ginv_sgilo_opts_init(&o);
    o.layer = 1, o.chains = 16, o.burn = 300, o.draws = 5000, o.step = 0.03, o.lik_weight = 0;
    o.start = GINV_SGILO_START_PRIOR, o.t_score = 0.1;
    /* with the likelihood off the chains target the perturbed law at t_score */
    gauss2 g = G0;
    memcpy(g.c, ginv_score_center(s), sizeof g.c);
    memcpy(g.s, ginv_score_scale(s), sizeof g.s);
    double mean[2], C[2][2];
    gauss_cov(&g, o.t_score, mean, C);
    float y[2] = {0, 0};
    ginv_sgilo_result res;
    CHECK_OK(ginv_sgilo_run(net, op, 1, y, &pr, &o, &res));
    if (res.mean_x) {
        double ess = res.min_ess_bulk[0];
        CHECK(res.max_rhat[0] < 1.05 && ess > 400);
        for (int j = 0; j < 2; j++) {
            double sd = sqrt(C[j][j]), mcse = sd / sqrt(ess);
            /* 3 MCSE, plus ULA's O(eta) bias and the learned score's own error */
            CHECK_MSG(fabs(res.mean_x[j] - mean[j]) < 3 * mcse + 0.03 * sd, "mean[%d] %.4f vs %.4f (MCSE %.3g)",
                      j, res.mean_x[j], mean[j], mcse);
            CHECK_MSG(fabs(res.std_x[j] / sd - 1) < 0.06, "sd[%d] %.4f vs %.4f", j, res.std_x[j], sd);
        }
    }
    ginv_sgilo_result_release(&res);
out:
    ginv_op_free(op);
    ginv_net_free(net);
    ginv_score_free(s);
}

TEST(score_files_round_trip_and_resuming_is_bit_identical)
{
    ginv_score_arch a;
    ginv_score_arch_init(&a);
    a.p = 2, a.nfreq = 4, a.hidden[0] = a.hidden[1] = 16;
    int N = 512;
    float *H = ginv_malloc((size_t)N * 2 * sizeof(float));
    gauss_draws(N, 2, H);
    char ck[512], full[512];
    snprintf(ck, sizeof ck, "%s/score_ck.safetensors", test_tmpdir());
    snprintf(full, sizeof full, "%s/score_full.safetensors", test_tmpdir());
    ginv_score_train_opts o;
    ginv_score_train_opts_init(&o);
    o.batch = 64;
    ginv_score *s1 = NULL, *s2 = NULL, *s3 = NULL;
    CHECK_OK(ginv_score_new(&s1, &a, 3));
    CHECK_OK(ginv_score_new(&s2, &a, 3));
    o.epochs = 4;
    CHECK_OK(ginv_score_train(s1, N, H, &o, NULL)); /* uninterrupted */
    o.epochs = 2, o.checkpoint = ck;
    CHECK_OK(ginv_score_train(s2, N, H, &o, NULL)); /* two epochs, checkpointed */
    CHECK_OK(ginv_score_load(ck, &s3));
    if (s1 && s3) {
        CHECK(ginv_score_epoch(s3) == 2);
        o.epochs = 4, o.checkpoint = NULL;
        CHECK_OK(ginv_score_train(s3, N, H, &o, NULL)); /* resumed to four */
        ginv_net *n1 = ginv_score_net(s1), *n3 = ginv_score_net(s3);
        CHECK(!memcmp(ginv_net_params(n1), ginv_net_params(n3), ginv_net_nparams(n1) * sizeof(float)));
        CHECK(!memcmp(ginv_score_center(s1), ginv_score_center(s3), 2 * sizeof(float)));
        double l1, l3;
        CHECK_OK(ginv_score_eval_loss(s1, N, H, 5, &l1));
        CHECK_OK(ginv_score_eval_loss(s3, N, H, 5, &l3));
        CHECK(l1 == l3 && l1 < 1.0);
        /* other data is refused on resume */
        H[0] += 1;
        ginv_score_free(s3);
        s3 = NULL;
        CHECK_OK(ginv_score_load(ck, &s3));
        o.epochs = 3;
        CHECK(s3 && ginv_score_train(s3, N, H, &o, NULL) == GINV_ERR_ARG);
        /* saved beside a generator: the file's net is G, the score is found too */
        ginv_layer spec[2] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 2, .bias = 1},
                              {.kind = GINV_LAYER_DENSE, .in = 2, .out = 5, .bias = 1}};
        ginv_net *G = NULL, *G2 = NULL;
        CHECK_OK(ginv_net_new(&G, 2, spec));
        ginv_score *s4 = NULL;
        ((ginv_score_arch *)ginv_score_get_arch(s1))->layer = 1;
        CHECK_OK(ginv_score_save(s1, G, full, 0));
        CHECK_OK(ginv_net_load(full, &G2));
        CHECK(G2 && ginv_net_in(G2) == 3 && ginv_net_out(G2) == 5);
        CHECK_OK(ginv_score_load(full, &s4));
        CHECK(s4 && ginv_score_get_arch(s4)->layer == 1 && ginv_score_epoch(s4) == 4);
        ((ginv_score_arch *)ginv_score_get_arch(s1))->layer = 2; /* past G's split points */
        CHECK(ginv_score_save(s1, G, full, 0) == GINV_ERR_SHAPE);
        ginv_score_free(s4);
        ginv_net_free(G);
        ginv_net_free(G2);
        CHECK(ginv_score_load(ck, NULL) == GINV_ERR_ARG);
    }
    ginv_score_free(s1);
    ginv_score_free(s2);
    ginv_score_free(s3);
    ginv_free(H);
}

TEST(score_data_sources_are_g1_of_prior_draws_and_ilo_inversions)
{
    ginv_layer spec[4] = {{.kind = GINV_LAYER_DENSE, .in = 3, .out = 6, .bias = 1},
                          {.kind = GINV_LAYER_TANH, .in = 6, .out = 6},
                          {.kind = GINV_LAYER_DENSE, .in = 6, .out = 8, .bias = 1},
                          {.kind = GINV_LAYER_SIGMOID, .in = 8, .out = 8}};
    ginv_net *G = NULL;
    CHECK_OK(ginv_net_new(&G, 4, spec));
    if (!G) return;
    CHECK_OK(ginv_net_randomize(G, GINV_INIT_FANIN, 0.2, 5, 0));
    /* (a): h_i = G1(z_i), z_i from (seed, SCORE_DATA, i): batch-independent */
    float H[300 * 6], h1[6], z[3];
    CHECK_OK(ginv_score_data_prior(G, 2, 300, 9, H));
    ginv_rng r;
    ginv_rng_init(&r, 9, GINV_STREAM_SCORE_DATA, 299);
    ginv_rng_normal_f32(&r, z, 3, 1.0);
    ginv_net *g1 = NULL, *g2 = NULL;
    CHECK_OK(ginv_net_split(G, 2, &g1, &g2));
    ginv_net_ws *ws = NULL;
    CHECK_OK(ginv_net_ws_new(&ws, g1, 1));
    memcpy(h1, ginv_net_forward(g1, ws, 1, z), sizeof h1);
    CHECK(!memcmp(h1, H + 299 * 6, sizeof h1));
    /* (b): ILO inversions of images x = G2(h) + a small off-range push reach h's image */
    float X[2 * 8];
    ginv_net_ws *w2 = NULL;
    CHECK_OK(ginv_net_ws_new(&w2, g2, 2));
    memcpy(X, ginv_net_forward(g2, w2, 2, H), sizeof X);
    ginv_ilo_opts io;
    ginv_ilo_opts_init(&io);
    io.radius = INFINITY, io.iters = 400, io.lr = 0.02, io.csgm.restarts = 2, io.csgm.iters = 200;
    float Hb[2 * 6];
    CHECK_OK(ginv_score_data_ilo(G, 2, 2, X, &io, Hb));
    const float *Xb = ginv_net_forward(g2, w2, 2, Hb);
    double err = 0;
    for (int q = 0; q < 16; q++) err += ((double)Xb[q] - X[q]) * ((double)Xb[q] - X[q]);
    CHECK_MSG(sqrt(err / 16) < 1e-2, "ILO inversions miss the images by %.3g per pixel", sqrt(err / 16));
    CHECK(ginv_score_data_prior(G, 4, 10, 1, H) == GINV_ERR_ARG); /* the output is no split */
    ginv_net_ws_free(ws);
    ginv_net_ws_free(w2);
    ginv_net_free(g1);
    ginv_net_free(g2);
    ginv_net_free(G);
}
