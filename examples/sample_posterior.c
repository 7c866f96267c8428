/* sample_posterior.c — sample the posterior p(z | y) of a small random ReLU
 * generator by MALA and read the MCMC diagnostics (rank-normalised split
 * R-hat, bulk and tail ESS; Vehtari et al. 2021).
 *
 *   cc sample_posterior.c $(pkg-config --cflags --libs ginv) -o sample_posterior
 *   ./sample_posterior
 *
 * The energy is U(z) = ||A G(z) - y||^2 / (2 sigma^2) + ||z||^2 / 2; four
 * chains start at the gradient-descent point (Pareek & Risteski 2021) and
 * run in one batch. */
#include <ginv.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what)
{
    fprintf(stderr, "sample_posterior: %s: %s\n", what, ginv_last_error());
    return 1;
}

int main(void)
{
    enum { K = 5, H = 40, N = 100, M = 30, CHAINS = 4 };
    const double sigma = 0.1;
    const uint64_t seed = 1;

    ginv_lib_init(0, NULL);

    /* G: 5 -> 40 -> 100, ReLU after each dense layer, W_i ~ N(0, 1/n_i) */
    ginv_layer spec[4] = {{.kind = GINV_LAYER_DENSE, .in = K, .out = H},
                          {.kind = GINV_LAYER_RELU, .in = H, .out = H},
                          {.kind = GINV_LAYER_DENSE, .in = H, .out = N},
                          {.kind = GINV_LAYER_RELU, .in = N, .out = N}};
    ginv_net *net = NULL;
    ginv_net_ws *ws = NULL;
    ginv_op *A = NULL;
    ginv_posterior *post = NULL;
    ginv_sample_result res = {0};
    double *draws = NULL;
    int rc = 1;
    if (ginv_net_new(&net, 4, spec) != GINV_OK ||
        ginv_net_randomize(net, GINV_INIT_PAPER, 0, seed, 0) != GINV_OK) {
        rc = fail("generator");
        goto done;
    }

    /* the truth z0 ~ N(0, I) and y = A G(z0) + noise, A (M x N) ~ N(0, 1/M) */
    float z0[K], y[M];
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_TRUTH, 0);
    ginv_rng_normal_f32(&r, z0, K, 1.0);
    if (ginv_net_ws_new(&ws, net, 1) != GINV_OK || ginv_op_gaussian(&A, M, N, seed, 0) != GINV_OK) {
        rc = fail("set-up");
        goto done;
    }
    ginv_op_apply(A, 1, ginv_net_forward(net, ws, 1, z0), y);
    ginv_add_noise(y, M, sigma, seed, 0);

    if (ginv_posterior_new(&post, net, A, y, 1, sigma, GINV_PRIOR_GAUSSIAN, CHAINS) != GINV_OK) {
        rc = fail("posterior");
        goto done;
    }
    ginv_sample_opts o;
    ginv_sample_opts_init(&o);
    o.type = ginv_sampler_mala;
    o.step = 0.02;
    o.chains = CHAINS;
    o.burn_in = 500;
    o.samples = 2000;
    o.init = GINV_CHAIN_INIT_GD;
    o.seed = seed;
    if (ginv_sample_run(post, &o, &res) != GINV_OK) {
        rc = fail("sampling");
        goto done;
    }

    /* diagnostics per latent coordinate: draws x[s * C + c] of chain c */
    draws = malloc((size_t)res.S * res.C * sizeof *draws);
    if (!draws) {
        fprintf(stderr, "sample_posterior: out of memory\n");
        goto done;
    }
    double max_rhat = 0, min_ess = INFINITY;
    printf("coord    truth     mean       sd    rhat  ess_bulk  ess_tail\n");
    for (int j = 0; j < res.k; j++) {
        for (long i = 0; i < (long)res.S * res.C; i++) draws[i] = res.samples[i * res.k + j];
        ginv_diag d;
        if (ginv_diag_compute(res.S, res.C, draws, &d) != GINV_OK) {
            rc = fail("diagnostics");
            goto done;
        }
        printf("%5d %8.3f %8.3f %8.3f %7.4f %9.1f %9.1f\n", j, z0[j], d.mean, d.sd, d.rhat,
               d.ess_bulk, d.ess_tail);
        if (d.rhat > max_rhat) max_rhat = d.rhat;
        if (d.ess_bulk < min_ess) min_ess = d.ess_bulk;
    }
    printf("mala: %d chains x %d samples, acceptance %.3f, max R-hat %.4f, min bulk ESS %.1f\n",
           res.C, res.S, res.accept_rate, max_rhat, min_ess);
    rc = 0;
done:
    free(draws);
    ginv_sample_result_release(&res);
    ginv_posterior_free(post);
    ginv_op_free(A);
    ginv_net_ws_free(ws);
    ginv_net_free(net);
    return rc;
}
