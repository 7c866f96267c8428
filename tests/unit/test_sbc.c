/* test_sbc.c — simulation-based calibration (Talts et al. 2018) of the
 * samplers on a small nonlinear generator posterior (ginv_sbc_run): NUTS
 * and HMC with Stan's warm-up adaptation pass the uniform-rank test on
 * every coordinate; a sampler of the wrong posterior (NUTS at inverse
 * temperature 1/2, ULA at a large step) fails the same test. Also the
 * chi-square tail against closed forms and the ranks against a count by hand. */
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* G(z) = W2 tanh(W1 z + b1): k = 2, 3 hidden units, n = 3. W1 has rank 2
 * and W2 is invertible, so G is injective (tanh is strictly increasing) and
 * the posterior unimodal; where W1 z0 + b1 saturates a unit, the likelihood
 * flattens along it and the posterior is skewed toward the prior, far from
 * Gaussian. (A wider tanh layer folds R^2 onto itself: the posterior then
 * has modes that no chain crosses, and SBC rightly fails every sampler.) */
static ginv_net *tanh_net(void)
{
    ginv_layer spec[4] = {{.kind = GINV_LAYER_DENSE, .in = 2, .out = 3, .bias = 1},
                          {.kind = GINV_LAYER_TANH},
                          {.kind = GINV_LAYER_DENSE, .in = 3, .out = 3},
                          {.kind = GINV_LAYER_IDENTITY}};
    const float W1[6] = {1.5f, 0.4f, -0.6f, 1.8f, 1.2f, -1.4f}, b1[3] = {0.5f, -0.3f, 0.2f};
    const float W2[9] = {1.0f, 0.3f, -0.2f, 0.2f, 0.9f, 0.4f, -0.3f, 0.1f, 1.1f};
    ginv_net *net = NULL;
    CHECK_OK(ginv_net_new(&net, 4, spec));
    if (!net) return NULL;
    memcpy(ginv_net_layer(net, 0)->W, W1, sizeof W1);
    memcpy(ginv_net_layer(net, 0)->b, b1, sizeof b1);
    memcpy(ginv_net_layer(net, 2)->W, W2, sizeof W2);
    return net;
}

enum { R_TEST = 1000, L_TEST = 19 };
static const double SIGMA = 0.1;

/* SBC of `type` on tanh_net with A = I (m = 3), sigma 0.1: R_TEST
 * replicates, L_TEST draws each (20 rank bins), thinned by `thin` after 300
 * warm-up steps. beta != 1 targets a tempered (wrong) posterior. */
static void run_sbc(const ginv_sampler_type *type, int adapt, double step, double beta, int thin,
                    ginv_sbc_result *res)
{
    ginv_net *net = tanh_net();
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 3));
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.type = type;
    o.adapt = adapt;
    o.step = step;
    o.beta = beta;
    o.burn_in = 300;
    o.samples = L_TEST;
    o.thin = thin;
    o.leapfrog = 8;
    o.init = GINV_CHAIN_INIT_RANDOM;
    o.seed = 5;
    ginv_sbc_opts so;
    ginv_sbc_opts_init(&so);
    so.replicates = R_TEST;
    so.seed = 7;
    ginv_status st = ginv_sbc_run(net, op, SIGMA, &o, &so, res);
    CHECK_OK(st);
    if (st == GINV_OK)
        printf("  sbc %s beta %g: chi2 %.1f %.1f (p %.3g %.3g), ess/replicate %.1f %.1f of %d, "
           "acceptance %.2f, %.2f s\n", ginv_sampler_name(type), beta, res->chi2[0], res->chi2[1],
           res->pvalue[0], res->pvalue[1], res->ess[0], res->ess[1], res->L, res->accept_rate,
           res->seconds);
    if (getenv("SBC_HIST") && st == GINV_OK)
        for (int j = 0; j < 2; j++) {
            for (int b = 0; b < res->bins; b++) printf(" %d", res->hist[j * res->bins + b]);
            printf("\n");
        }
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(sbc_chi2_tail_matches_closed_forms)
{
    /* df 2: Q = e^{-x/2}; df 4: e^{-x/2}(1 + x/2); df 1: erfc(sqrt(x/2));
     * df 19 at its 0.99 quantile 36.191: 0.01 (tables, 5 digits). Both the
     * series (x/2 < df/2 + 1) and the continued fraction are covered. */
    const double xs[] = {0.01, 0.5, 1.9, 3.0, 7.5, 20.0, 60.0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i];
        CHECK_NEAR(ginv_chi2_sf(x, 2), exp(-x / 2), 1e-13 * fmax(1, exp(-x / 2)) + 1e-300);
        CHECK_NEAR(ginv_chi2_sf(x, 4) / (exp(-x / 2) * (1 + x / 2)), 1.0, 1e-12);
        CHECK_NEAR(ginv_chi2_sf(x, 1) / erfc(sqrt(x / 2)), 1.0, 1e-12);
    }
    CHECK_NEAR(ginv_chi2_sf(36.191, 19), 0.01, 2e-6);
    CHECK_NEAR(ginv_chi2_sf(0, 5), 1.0, 0);
    CHECK(isnan(ginv_chi2_sf(1, 0)) && isnan(ginv_chi2_sf(NAN, 3)));
    /* a histogram by hand: 3 bins of 2, 4, 0 (E = 2): chi2 = 0 + 2 + 2 = 4, p = e^-2 */
    int hist[3] = {2, 4, 0};
    double c2, p;
    CHECK_OK(ginv_sbc_chi2(1, 3, hist, &c2, &p));
    CHECK_NEAR(c2, 4.0, 1e-12);
    CHECK_NEAR(p, exp(-2.0), 1e-13);
}

TEST(sbc_nuts_and_hmc_pass_and_a_wrong_posterior_fails_on_a_tanh_generator)
{
    /* Bonferroni over k = 2 at alpha 0.01: every p must exceed 0.005.
     * NUTS (thin 6) and HMC (8 leapfrog steps, thin 4), adapted step and
     * diagonal metric, sample the posterior: their ranks are uniform. NUTS
     * at beta = 1/2 samples exp(-U/2), wider than the posterior: z0 falls in
     * the middle of its draws too often; ULA at a step of 0.05 (its bias of
     * order eta) misplaces the mass; both fail the same test. Thinning
     * matters: NUTS at thin 2 (ESS about 14 of 19 draws) gave p = 1.3e-4 on
     * z[0], ranks piled at both ends, as Talts et al. sec. 5.1 warn for
     * autocorrelated draws. */
    ginv_sbc_result res;
    run_sbc(ginv_sampler_nuts, GINV_ADAPT_ALL, 0, 1.0, 6, &res);
    CHECK_MSG(res.pass && res.min_p > 0.005, "NUTS failed SBC: p %.3g, %.3g", res.pvalue[0], res.pvalue[1]);
    CHECK(res.R == R_TEST && res.L == L_TEST && res.k == 2 && res.bins == 20);
    /* the ranks against a count by hand: every histogram sums to R, every rank in 0 .. L */
    for (int j = 0; j < 2; j++) {
        int tot = 0;
        for (int b = 0; b < 20; b++) tot += res.hist[j * 20 + b];
        CHECK(tot == R_TEST);
    }
    for (int i = 0; i < R_TEST * 2; i++) CHECK(res.ranks[i] >= 0 && res.ranks[i] <= L_TEST);
    CHECK_MSG(res.ess[0] > 0.5 * L_TEST && res.ess[1] > 0.5 * L_TEST, "draws not near-independent: ess %.1f %.1f",
              res.ess[0], res.ess[1]);
    ginv_sbc_result_release(&res);

    run_sbc(ginv_sampler_hmc, GINV_ADAPT_ALL, 0, 1.0, 4, &res);
    CHECK_MSG(res.pass, "HMC failed SBC: p %.3g, %.3g", res.pvalue[0], res.pvalue[1]);
    ginv_sbc_result_release(&res);

    run_sbc(ginv_sampler_nuts, GINV_ADAPT_ALL, 0, 0.5, 6, &res);
    CHECK_MSG(!res.pass && res.p_bonferroni < 0.01, "NUTS on the tempered posterior passed SBC: p %.3g, %.3g",
              res.pvalue[0], res.pvalue[1]);
    ginv_sbc_result_release(&res);

    run_sbc(ginv_sampler_ula, GINV_ADAPT_OFF, 0.05, 1.0, 10, &res);
    CHECK_MSG(!res.pass, "ULA at a large step passed SBC: p %.3g, %.3g", res.pvalue[0], res.pvalue[1]);
    ginv_sbc_result_release(&res);
}

TEST(sbc_refuses_bad_options)
{
    ginv_net *net = tanh_net();
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 3));
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.samples = 20; /* 21 ranks: bins 3, 7 or 21 */
    ginv_sbc_opts so;
    ginv_sbc_opts_init(&so);
    ginv_sbc_result res;
    so.bins = 4;
    CHECK(ginv_sbc_run(net, op, SIGMA, &o, &so, &res) == GINV_ERR_ARG);
    so.bins = 0, so.replicates = 1;
    CHECK(ginv_sbc_run(net, op, SIGMA, &o, &so, &res) == GINV_ERR_ARG);
    so.replicates = 10, so.alpha = 1.0;
    CHECK(ginv_sbc_run(net, op, SIGMA, &o, &so, &res) == GINV_ERR_ARG);
    so.alpha = 0.01;
    CHECK(ginv_sbc_run(net, op, 0.0, &o, &so, &res) == GINV_ERR_ARG);
    o.temps = 2;
    CHECK(ginv_sbc_run(net, op, SIGMA, &o, &so, &res) == GINV_ERR_UNSUPPORTED);
    o.temps = 1;
    ginv_op *wrong = NULL;
    CHECK_OK(ginv_op_identity(&wrong, 4));
    CHECK(ginv_sbc_run(net, wrong, SIGMA, &o, &so, &res) == GINV_ERR_SHAPE);
    ginv_op_free(wrong);
    CHECK(res.ranks == NULL && res.hist == NULL);
    ginv_op_free(op);
    ginv_net_free(net);
}

TEST(sbc_nuts_measures_each_chain_against_its_own_y_when_chains_wait)
{
    /* NUTS evaluates only the chains still building their trees, gathered
     * into the first rows of the batch; with one y per chain each must still
     * be measured against its own y. Chain 1 of a run with y = (y_a, y_b)
     * must draw what chain 1 of a run with y = (y_b, y_b) draws: its noise
     * streams and its y are the same; only the batch sizes of its gradient
     * evaluations differ, a rounding (observed max |diff| 1.2e-7; before
     * the fix chain 1, gathered into row 0 while chain 0 waited, was
     * measured against y_a: max |diff| 1.84). */
    ginv_net *net = tanh_net();
    ginv_op *op = NULL;
    CHECK_OK(ginv_op_identity(&op, 3));
    const float ya[3] = {-1.5f, 0.8f, -0.2f}, yb[3] = {0.9f, -0.4f, 1.3f};
    float y1[6], y2[6];
    memcpy(y1, ya, sizeof ya), memcpy(y1 + 3, yb, sizeof yb);
    memcpy(y2, yb, sizeof yb), memcpy(y2 + 3, yb, sizeof yb);
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.type = ginv_sampler_nuts;
    o.adapt = GINV_ADAPT_OFF;
    o.step = 0.05;
    o.chains = 2, o.burn_in = 20, o.samples = 50;
    ginv_posterior *p1 = NULL, *p2 = NULL;
    ginv_sample_result r1, r2;
    CHECK_OK(ginv_posterior_new(&p1, net, op, y1, 2, SIGMA, GINV_PRIOR_GAUSSIAN, 2));
    CHECK_OK(ginv_posterior_new(&p2, net, op, y2, 2, SIGMA, GINV_PRIOR_GAUSSIAN, 2));
    CHECK_OK(ginv_sample_run(p1, &o, &r1));
    CHECK_OK(ginv_sample_run(p2, &o, &r2));
    double maxdiff = 0;
    int depth_differs = 0;
    for (int s = 0; s < 50; s++) {
        for (int i = 0; i < 2; i++)
            maxdiff = fmax(maxdiff, fabs(r1.samples[(s * 2 + 1) * 2 + i] - r2.samples[(s * 2 + 1) * 2 + i]));
        depth_differs |= r1.stat_depth[s * 2] != r1.stat_depth[s * 2 + 1];
    }
    CHECK_MSG(maxdiff < 1e-4, "chain 1's draws depend on chain 0's y: max |diff| %g", maxdiff);
    CHECK_MSG(depth_differs, "the chains' trees never differed in depth: the test gathered nothing");
    ginv_sample_result_release(&r1);
    ginv_sample_result_release(&r2);
    ginv_posterior_free(p1);
    ginv_posterior_free(p2);
    ginv_op_free(op);
    ginv_net_free(net);
}
