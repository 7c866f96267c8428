/* cmd_sample.c — `ginv sample`: posterior sampling of the latent code by
 * Langevin chains (Daras et al. 2022 Thm 3.1; Pareek & Risteski 2021 §5):
 * ULA, MALA, projected and annealed chains in one batch, samples and their
 * moments as arrays, Vehtari et al. (2021) diagnostics as a table and JSON,
 * and a trace plot. */
#include "cli.h"
#include "plot.h"
#include "sample_rhat_curve.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NOUT = 11 }; /* output files in --out */

/* The image shape of an n-pixel signal: --image CxHxW, else a perfect square
 * n = s^2 as 1 x s x s; 0 when neither. */
static int image_shape(int n, const ginv_op_spec *ops, int *c, int *h, int *w)
{
    if (ops->c > 0 && (long)ops->c * ops->h * ops->w == n) {
        *c = ops->c, *h = ops->h, *w = ops->w;
        return 1;
    }
    int s = (int)lround(sqrt((double)n));
    if (n > 1 && s * s == n) {
        *c = 1, *h = s, *w = s;
        return 1;
    }
    return 0;
}

/* Kept sample i (0..ns-1) of up to `nd` spread over S: the last sample and
 * nd - 1 before it, evenly spaced, in time order. */
static int draw_index(int S, int nd, int i) { return (int)(((long)(i + 1) * S) / nd) - 1; }

/* mean.png (clipped to [0, 1]) and std.png (0 .. its max), each with a gray
 * colour bar labelled with its ends, and samples.png: a grid of G(z) with a
 * row per chain (up to 4 chains, labelled) and a column per kept draw (up to
 * 4, spread over the kept samples, the last one rightmost, labelled by the
 * step), so that both the spread across chains and the movement within a
 * chain show; 2-pixel white gaps, clipped to [0, 1]. Channel planes are
 * stacked vertically (a c*h x w tile); every picture upscaled `scale` times. */
static ginv_status write_images(char *const *paths, const ginv_net *net, const ginv_sample_result *r,
                                const ginv_sample_opts *so, const float *mx, const float *sx, int c,
                                int h, int w, int scale)
{
    int n = c * h * w, nc = r->C < 4 ? r->C : 4, nd = r->S < 4 ? r->S : 4;
    double smax = 0;
    for (int i = 0; i < n; i++) smax = fmax(smax, sx[i]);
    ginv_grid_style gs;
    ginv_grid_style_init(&gs);
    gs.pad = 0, gs.scale = scale, gs.colorbar = 1, gs.title = "mean G(z)";
    ginv_status st = ginv_png_write_grid_styled(paths[0], 1, 1, c * h, w, mx, &gs);
    gs.hi = smax > 0 ? smax : 1.0, gs.title = "std G(z)";
    if (st == GINV_OK) st = ginv_png_write_grid_styled(paths[1], 1, 1, c * h, w, sx, &gs);
    if (st != GINV_OK) return st;
    int B = nc * nd;
    float *z = malloc(sizeof(float) * (size_t)B * r->k);
    ginv_net_ws *ws = NULL;
    if (!z) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    for (int ch = 0; ch < nc; ch++) /* tile ch*nd + d: chain ch at draw d */
        for (int d = 0; d < nd; d++)
            memcpy(z + ((size_t)ch * nd + d) * r->k,
                   r->samples + ((size_t)draw_index(r->S, nd, d) * r->C + ch) * r->k, sizeof(float) * r->k);
    char rl[4][24], cl[4][32];
    const char *rp[4], *cp[4];
    for (int ch = 0; ch < nc; ch++) snprintf(rl[ch], sizeof rl[ch], "chain %d", ch), rp[ch] = rl[ch];
    for (int d = 0; d < nd; d++) {
        long step = (long)so->burn_in + (long)(draw_index(r->S, nd, d) + 1) * so->thin;
        snprintf(cl[d], sizeof cl[d], "step %ld", step), cp[d] = cl[d];
    }
    ginv_grid_style_init(&gs);
    gs.scale = scale, gs.row_labels = rp, gs.col_labels = cp, gs.title = "G(z): samples";
    if ((st = ginv_net_ws_new(&ws, net, B)) == GINV_OK) {
        const float *x = ginv_net_forward(net, ws, B, z);
        st = ginv_png_write_grid_styled(paths[2], nc, nd, c * h, w, x, &gs);
    }
    ginv_net_ws_free(ws);
    free(z);
    return st;
}

static char *join(const char *dir, const char *name)
{
    size_t L = strlen(dir) + strlen(name) + 2;
    char *p = malloc(L);
    if (p) snprintf(p, L, "%s/%s", dir, name);
    return p;
}

int cmd_sample(int argc, char **argv)
{
    const char *C = "sample";
    const char *model = NULL, *layers = NULL, *act = "relu", *out_act = NULL, *weights = "paper";
    const char *opspec = "gaussian", *image = NULL, *prior_s = "gaussian", *sampler = "ula";
    const char *precond_s = "none";
    const char *init_s = "zero", *centre_path = NULL, *truth_path = NULL, *y_path = NULL;
    const char *out_dir = NULL, *json = NULL, *ref_path = NULL, *fig_format = "png";
    int bias = 0, m = 0, quiet = 0, w1_dirs = 16, png_scale = 4, signal_diag = 0, rhat_curve = 0;
    double signal_floor = 1e-3, rhat_target = 1.01;
    double near = 0.1;
    double alpha = 0.2, bias_sd = 0, noise = 0, sigma = -1;
    ginv_sample_opts so;
    ginv_sample_opts_init(&so);
    so.threads = 0; /* cli_threads() after parsing */
    so.step = -1;
    so.radius = -1;
    uint64_t seed = 1, chain_seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "generator model file (.safetensors)"},
        {"layers", 0, OPT_STRING, &layers, "K,N1,..,ND", "instead of --model: a random generator (stream of trial 0)"},
        CLI_LAYERS_OPTS(act, out_act, alpha, bias, bias_sd),
        {"weights", 0, OPT_STRING, &weights, "paper|fanin|orthogonal", "with --layers: weight scaling"},
        CLI_OP_OPTS(opspec, m, image),
        {"noise", 0, OPT_DOUBLE, &noise, "SIGMA", "std of the Gaussian noise added to simulated y; the likelihood's sigma unless --sigma", 0, 1e30},
        {"sigma", 0, OPT_DOUBLE, &sigma, "S", "the likelihood's noise level: U = ||A G(z) - y||^2 / (2 S^2) + prior", 0, 1e30},
        {"prior", 0, OPT_STRING, &prior_s, "gaussian|uniform|none", "prior on z: 1/2||z||^2, uniform on the ball (--radius), or none"},
        {"sampler", 0, OPT_STRING, &sampler, "ula|mala|projected|annealed", "chain: z <- z - eta grad U + sqrt(2 eta/beta) u, adjusted, projected or annealed"},
        {"step", 0, OPT_DOUBLE, &so.step, "ETA", "step size eta (required)", 0, 1e30},
        {"temperature", 0, OPT_DOUBLE, &so.beta, "BETA", "inverse temperature: the chains target exp(-beta U)", 0, 1e30},
        {"chains", 0, OPT_INT, &so.chains, "C", "chains, run in one batch", 1, 1 << 20},
        {"burn-in", 0, OPT_INT, &so.burn_in, "TB", "steps discarded first", 0, 1 << 30},
        {"samples", 0, OPT_INT, &so.samples, "S", "samples kept per chain", 4, 1 << 30},
        {"thin", 0, OPT_INT, &so.thin, "K", "keep every K-th step after the burn-in", 1, 1 << 20},
        {"start", 0, OPT_STRING, &init_s, "zero|gd|random|negative|truth", "chain start: 0, GD from 0 on 1/2||A G(z) - y||^2 (Pareek-Risteski Thm 1), N(0, S^2 I), near -z0: -z0 + N(0, (S ||z0||)^2 I/k), or z0 + that noise"},
        {"start-scale", 0, OPT_DOUBLE, &so.init_sd, "S", "with --start random / negative / truth: the scale S (default 1 / 0.05 / 0)", 0, 1e6},
        {"near", 0, OPT_DOUBLE, &near, "R", "trajectory: a chain is near z0 when ||z - z0|| <= R ||z0||", 0, 1e6},
        {"reference", 0, OPT_STRING, &ref_path, "FILE", "trajectory: samples.npy of a long reference run (any array of k-vectors); records the sliced W1 to them at every kept step"},
        {"w1-dirs", 0, OPT_INT, &w1_dirs, "P", "with --reference: random directions of the sliced W1", 1, 1 << 16},
        {"gd-iters", 0, OPT_INT, &so.gd_iters, "T", "with --start gd: GD iterations", 0, 1 << 30},
        {"gd-lr", 0, OPT_DOUBLE, &so.gd_lr, "ETA", "with --start gd: GD step size", 0, 1e30},
        {"radius", 0, OPT_DOUBLE, &so.radius, "R", "projected sampler / uniform prior: the ball's radius", 0, 1e30},
        {"centre", 0, OPT_STRING, &centre_path, "FILE", "the ball's centre (k values; default: the GD point with --start gd, else 0)"},
        {"levels", 0, OPT_INT, &so.levels, "L", "annealed: geometric noise levels over the burn-in", 1, 1 << 20},
        {"level-max", 0, OPT_DOUBLE, &so.level_max, "S0", "annealed: the first level (the last is 1)", 1, 1e6},
        {"temps", 0, OPT_INT, &so.temps, "R", "ula, mala: parallel tempering with R rungs per chain (1: off); only rung 0 (temperature 1) is kept", 1, 64},
        {"temp-max", 0, OPT_DOUBLE, &so.temp_max, "T", "with --temps: the hottest rung's temperature (geometric ladder 1 .. T)", 1, 1e12},
        {"swap-every", 0, OPT_INT, &so.swap_every, "K", "with --temps: propose swaps of adjacent rungs every K steps", 1, 1 << 30},
        {"seed", 0, OPT_U64, &seed, "S", "random seed"},
        {"chain-seed", 0, OPT_U64, &chain_seed, "S", "seed of the chains' starts and noise only (default: --seed), e.g. for an independent reference run on the same problem"},
        {"truth", 0, OPT_STRING, &truth_path, "FILE", "z0 (k values) instead of N(0, I)"},
        {"y", 0, OPT_STRING, &y_path, "FILE", "your measurements (m values) instead of simulating"},
        {"out", 0, OPT_STRING, &out_dir, "DIR", "directory for samples.npy, moments (.npy) and trace.png"},
        {"signal-diag", 0, OPT_FLAG, &signal_diag, "", "also R-hat and ESS of every pixel of G(z) (pixels with sd <= --signal-sd-floor left out): whether the images have converged, whatever the latent does"},
        {"signal-sd-floor", 0, OPT_DOUBLE, &signal_floor, "S", "with --signal-diag: pixels whose posterior sd is at most S are constant", 0, 1e30},
        {"png-scale", 0, OPT_INT, &png_scale, "S", "images: mean.png, std.png and samples.png upscaled S times (nearest neighbour), their labels with them", 1, 64},
        CLI_FIGURE_OPTS(fig_format),
        {"precond", 0, OPT_STRING, &precond_s, "none|laplace", "ula, mala: laplace preconditions with the Gauss-Newton Hessian at the GD point, (A J)^T(A J)/sigma^2 + I (needs --start gd and the gaussian prior): flat and stiff directions then move at one pace"},
        {"rhat-curve", 0, OPT_FLAG, &rhat_curve, "", "also max R-hat against run length (each length's first half discarded) and the steps from which it stays below --rhat-target: JSON rhat_curve, rhat_curve.png"},
        {"rhat-target", 0, OPT_DOUBLE, &rhat_target, "R", "with --rhat-curve: the R-hat to reach", 1, 100},
        {"json", 0, OPT_STRING, &json, "FILE", "write results and diagnostics as JSON ('-': stdout)"},
        CLI_THREADS_OPT(so.threads),
        CLI_ALIAS("init", "start"),
        CLI_ALIAS("init-scale", "start-scale"),
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Sample the posterior of the latent code given y = A G(z0) + noise (Langevin chains).",
                   "ginv sample (--model FILE | --layers K,N1,..,ND) --op gaussian --m M --step ETA --out DIR [options]",
                   "Energy U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z); the chains target exp(-beta U).\n"
                   "ula:       z <- z - eta grad U(z) + sqrt(2 eta / beta) u   (Daras et al. 2022 eq. 2;\n"
                   "           Pareek & Risteski 2021 eq. 6 with beta = 1)\n"
                   "mala:      the same proposal, Metropolis-adjusted per chain (exact at any step)\n"
                   "projected: the ULA step projected onto the ball ||z - c|| <= r (Pareek & Risteski eq. 8)\n"
                   "annealed:  ULA whose burn-in runs through L geometric levels s from S0 down to 1,\n"
                   "           targeting exp(-beta U / s^2) with step eta s^2\n"
                   "--precond laplace: drift eta P grad U, noise P^(1/2), P = H^-1 from the GD point\n"
                   "--temps R:  replica exchange; rung r targets exp(-beta U / T_r), rung 0 is kept\n"
                   "Daras et al.: f = ||A G(z) - y||^2 and exp(-beta f): --sigma 0.70710678 --prior none\n"
                   "--temperature beta. Pareek & Risteski: L = 1/2(||z||^2 + ||G(z) - x||^2 / b^2):\n"
                   "--op identity --sigma b --prior gaussian --temperature 1. See docs/sampling.md.\n"
                   "Outputs in DIR: samples.npy and samples.safetensors (S x C x k), mean_z.npy, std_z.npy,\n"
                   "mean_x.npy, std_x.npy (per-pixel std of G(z)), trace.png, trajectory.png (fraction of\n"
                   "chains near z0 per kept step, with a truth; the JSON's \"trajectory\" also holds the mean\n"
                   "||z - z0||/||z0|| and the sliced W1 to --reference); for images (--image CxHxW, or n a perfect square)\n"
                   "mean.png, std.png (per-pixel posterior std, 0 .. its max) and samples.png (rows: up to 4\n"
                   "chains; columns: up to 4 kept draws spread over the run, the last rightmost), all upscaled\n"
                   "--png-scale times. Diagnostics (Vehtari et al. 2021):\n"
                   "rank-normalised split R-hat, bulk/tail ESS, MCSE of the mean."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    so.seed = cli_find(opts, "chain-seed")->seen ? chain_seed : seed;
    so.threads = cli_threads(so.threads);
    cli_install_callbacks(quiet);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;

    if (!!model == !!layers) return cli_usage_error(C, "give exactly one of --model FILE or --layers K,N1,..,ND");
    if (!(so.type = ginv_sampler_find(sampler)))
        return cli_usage_error(C, "--sampler '%s' must be ula, mala, projected or annealed", sampler);
    ginv_prior prior;
    if (ginv_prior_parse(prior_s, &prior) != GINV_OK)
        return cli_usage_error(C, "--prior '%s' must be gaussian, uniform or none", prior_s);
    /* around the truth: -1 (negative) or +1 (truth) times z0, plus noise */
    int init_sign = !strcmp(init_s, "negative") ? -1 : !strcmp(init_s, "truth") ? 1 : 0;
    if (init_sign) {
        so.init = GINV_CHAIN_INIT_GIVEN; /* built once z0 is known */
        if (y_path) return cli_usage_error(C, "--start %s needs a truth, not --y", init_s);
        if (!cli_find(opts, "start-scale")->seen) so.init_sd = init_sign < 0 ? 0.05 : 0.0;
    } else if (ginv_chain_init_parse(init_s, &so.init) != GINV_OK) {
        return cli_usage_error(C, "--start '%s' must be zero, gd, random, negative or truth", init_s);
    }
    if (ginv_precond_parse(precond_s, &so.precond) != GINV_OK)
        return cli_usage_error(C, "--precond '%s' must be none or laplace", precond_s);
    if (so.precond == GINV_PRECOND_LAPLACE &&
        (so.init != GINV_CHAIN_INIT_GD || prior != GINV_PRIOR_GAUSSIAN ||
         (so.type != ginv_sampler_ula && so.type != ginv_sampler_mala)))
        return cli_usage_error(C, "--precond laplace needs --start gd, --prior gaussian and "
                                  "--sampler ula or mala (it is the Hessian at the GD point)");
    if (!cli_find(opts, "step")->seen || !(so.step > 0))
        return cli_usage_error(C, "--step ETA (> 0) is required");
    if (!(so.beta > 0)) return cli_usage_error(C, "--temperature must be positive");
    if ((so.type == ginv_sampler_projected || prior == GINV_PRIOR_UNIFORM) && !(so.radius > 0))
        return cli_usage_error(C, "--sampler projected and --prior uniform need --radius R > 0");
    if (!out_dir) return cli_usage_error(C, "--out DIR is required (the samples go there)");
    if (y_path && truth_path) return cli_usage_error(C, "--y and --truth exclude each other: with --y there is no truth");
    double lik_sigma = cli_find(opts, "sigma")->seen ? sigma : noise;
    if (!(lik_sigma > 0))
        return cli_usage_error(C, "the likelihood needs a noise level: give --noise SIGMA > 0 or --sigma S > 0");
    ginv_init winit;
    if (ginv_init_parse(weights, &winit) != GINV_OK)
        return cli_usage_error(C, "--weights '%s' must be paper, fanin or orthogonal", weights);
    {
        struct stat sb;
        if (stat(out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
            return cli_error_code(C, CLI_EXIT_IO, "--out '%s' exists and is not a directory", out_dir);
    }

    ginv_layer spec[128];
    int nspec = 0;
    if (layers && (rc = cli_build_spec(C, layers, act, out_act, alpha, bias, spec, &nspec))) return rc;

    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_op_spec ops;
    int have_ops = 0;
    ginv_posterior *post = NULL;
    ginv_sample_result res = {0};
    ginv_array truth = {0}, yarr = {0}, centre = {0}, ref = {0};
    float *z0 = NULL, *y = NULL, *mz = NULL, *sz = NULL, *mx = NULL, *sx = NULL, *zinit = NULL;
    double *draws = NULL, *traj = NULL;
    ginv_diag *diag = NULL;
    char *paths[NOUT] = {0}; /* in the output set's staging directory */
    ginv_outset *set = NULL;
    ginv_st_writer *stw = NULL;
    ginv_status st;
    if (model && (st = ginv_net_load(model, &net)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    if (y_path) {
        if ((rc = cli_read_vector(C, "y", y_path, 0, &yarr))) goto out;
        if (m == 0) m = (int)ginv_array_count(&yarr);
    }
    if ((st = ginv_op_spec_parse(&ops, opspec, m)) != GINV_OK) { rc = cli_fail(C, "--op: %s", ginv_last_error()); goto out; }
    have_ops = 1;
    if (image && (sscanf(image, "%dx%dx%d", &ops.c, &ops.h, &ops.w) != 3 || ops.c < 1 || ops.h < 1 || ops.w < 1)) {
        rc = cli_usage_error(C, "--image '%s' must be CxHxW, e.g. 1x28x28", image);
        goto out;
    }
    /* the problem: trial 0's scenario, the one `ginv recover` draws with this seed */
    ginv_scenario sc;
    ginv_scenario_opts sco;
    cli_scenario_opts(&sco, net, spec, nspec, &ops, seed);
    sco.init = winit;
    sco.bias_sd = bias_sd;
    sco.noise = noise;
    if (y_path) {
        sco.y = yarr.data;
        sco.y_count = ginv_array_count(&yarr);
    } else if (truth_path) {
        int kk = net ? ginv_net_in(net) : spec[0].in;
        if ((rc = cli_read_vector(C, "truth", truth_path, (size_t)kk, &truth))) goto out;
        sco.truth = truth.data;
    }
    st = ginv_scenario_draw(&sc, &sco);
    if (st != GINV_OK) {
        ginv_scenario_release(&sc);
        rc = y_path && st == GINV_ERR_SHAPE ? cli_fail(C, "--y '%s': %s", y_path, ginv_last_error())
                                            : cli_fail(C, "--op: %s", ginv_last_error());
        goto out;
    }
    /* this function owns what the scenario drew (freed at out:) */
    net = sc.net, op = sc.op, z0 = sc.z0, y = sc.y, m = sc.m;
    sc.owns_net = 0, sc.op = NULL, sc.z0 = sc.y = NULL;
    ginv_scenario_release(&sc);
    int k = ginv_net_in(net), n = ginv_net_out(net);
    if (init_sign) {
        /* -+z0 + N(0, (S ||z0||)^2 I / k), chain c from stream (seed, SAMPLE, 4c), as `recover --start negative` */
        double nz = 0;
        for (int j = 0; j < k; j++) nz += (double)z0[j] * z0[j];
        if (!(zinit = malloc(sizeof(float) * (size_t)so.chains * k))) { rc = cli_oom(C); goto out; }
        for (int c = 0; c < so.chains; c++) {
            ginv_rng r;
            ginv_rng_init(&r, seed, GINV_STREAM_SAMPLE, (uint64_t)c * 4);
            float *zc = zinit + (size_t)c * k;
            ginv_rng_normal_f32(&r, zc, (size_t)k, so.init_sd * sqrt(nz / k));
            for (int j = 0; j < k; j++) zc[j] += init_sign * z0[j];
        }
        so.init_z = zinit;
    }
    if (ref_path) {
        ginv_status rs = ginv_array_read(ref_path, &ref);
        if (rs != GINV_OK) { rc = cli_fail(C, "--reference: %s", ginv_last_error()); goto out; }
        if (ginv_array_count(&ref) == 0 || ginv_array_count(&ref) % (size_t)k) {
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "--reference '%s' holds %zu values, not a whole number of %d-vectors", ref_path, ginv_array_count(&ref), k);
            goto out;
        }
    }
    if (centre_path) {
        if ((rc = cli_read_vector(C, "centre", centre_path, (size_t)k, &centre))) goto out;
        so.centre = centre.data;
    }
    if ((st = ginv_posterior_new(&post, net, op, y, 1, lik_sigma, prior, so.chains * so.temps)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    if ((st = ginv_sample_run(post, &so, &res)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }

    /* moments and diagnostics */
    int S = res.S, Cn = res.C;
    mz = malloc(sizeof(float) * k);
    sz = malloc(sizeof(float) * k);
    mx = malloc(sizeof(float) * n);
    sx = malloc(sizeof(float) * n);
    draws = malloc(sizeof(double) * (size_t)S * Cn);
    diag = calloc((size_t)k, sizeof *diag);
    if (!mz || !sz || !mx || !sx || !draws || !diag) { rc = cli_oom(C); goto out; }
    if ((st = ginv_sample_moments(&res, net, mz, sz, mx, sx)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    double max_rhat = 0, min_bulk = INFINITY, min_tail = INFINITY;
    for (int j = 0; j < k; j++) {
        for (size_t i = 0; i < (size_t)S * Cn; i++) draws[i] = res.samples[i * k + j];
        if ((st = ginv_diag_compute(S, Cn, draws, &diag[j])) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        /* NaN (a constant coordinate) propagates into the summary as unknown */
        max_rhat = isnan(diag[j].rhat) || isnan(max_rhat) ? NAN : fmax(max_rhat, diag[j].rhat);
        min_bulk = isnan(diag[j].ess_bulk) || isnan(min_bulk) ? NAN : fmin(min_bulk, diag[j].ess_bulk);
        min_tail = isnan(diag[j].ess_tail) || isnan(min_tail) ? NAN : fmin(min_tail, diag[j].ess_tail);
    }
    double spes = res.seconds / min_bulk; /* seconds per effective sample (worst coordinate) */
    ginv_signal_diag sdg = {.max_rhat = NAN, .min_ess_bulk = NAN, .min_ess_tail = NAN, .worst_pixel = -1};
    if (signal_diag && (st = ginv_sample_signal_diag(&res, net, signal_floor, NULL, &sdg)) != GINV_OK) {
        rc = cli_lib_error(C, st);
        goto out;
    }
    ginv_rhat_curve rcurve = {.points = 0};
    if (rhat_curve && (st = ginv_sample_rhat_curve(&res, so.burn_in, so.thin, rhat_target, &rcurve)) != GINV_OK) {
        rc = cli_lib_error(C, st);
        goto out;
    }
    double mean_err = NAN;
    if (z0) {
        double d = 0, s = 0;
        for (int j = 0; j < k; j++) {
            d += ((double)mz[j] - z0[j]) * ((double)mz[j] - z0[j]);
            s += (double)z0[j] * z0[j];
        }
        mean_err = s > 0 ? sqrt(d / s) : sqrt(d);
    }
    /* trajectory: per kept step, the fraction of chains within near ||z0|| of z0,
     * their mean ||z - z0|| / ||z0|| (with a truth), and the sliced W1 to the
     * reference samples (with --reference); NaN where unknown */
    if (!(traj = malloc(sizeof(double) * 4 * (size_t)S))) { rc = cli_oom(C); goto out; }
    for (int s = 0; s < S; s++) {
        double *tr = traj + 4 * (size_t)s;
        const float *blk = res.samples + (size_t)s * Cn * k;
        tr[0] = so.burn_in + (double)(s + 1) * so.thin;
        tr[1] = tr[2] = tr[3] = NAN;
        if (z0) {
            double nz = 0, cnt = 0, sum = 0;
            for (int j = 0; j < k; j++) nz += (double)z0[j] * z0[j];
            nz = sqrt(nz);
            for (int c = 0; c < Cn; c++) {
                double d = 0;
                for (int j = 0; j < k; j++) d += ((double)blk[(size_t)c * k + j] - z0[j]) * ((double)blk[(size_t)c * k + j] - z0[j]);
                d = sqrt(d) / nz;
                cnt += d <= near;
                sum += d;
            }
            tr[1] = cnt / Cn;
            tr[2] = sum / Cn;
        }
        if (ref_path && (st = ginv_w1_sliced(k, Cn, blk, (int)(ginv_array_count(&ref) / k), ref.data, w1_dirs, seed, &tr[3])) != GINV_OK) {
            rc = cli_lib_error(C, st);
            goto out;
        }
    }
    if (!quiet) {
        printf("%5s  %10s  %10s  %10s  %7s  %9s  %9s\n", "coord", "mean", "sd", "mcse", "rhat", "ess_bulk", "ess_tail");
        int show = k <= 20 ? k : 20;
        for (int j = 0; j < show; j++)
            printf("%5d  %10.4f  %10.4f  %10.2e  %7.4f  %9.1f  %9.1f\n", j, diag[j].mean, diag[j].sd,
                   diag[j].mcse_mean, diag[j].rhat, diag[j].ess_bulk, diag[j].ess_tail);
        if (show < k) printf("  ... (%d more coordinates in the JSON)\n", k - show);
        printf("%s, %d chains x %d samples (thin %d, burn-in %d): max rhat %.4f, min bulk-ESS %.1f, "
               "min tail-ESS %.1f, acceptance %.3f, %.3f s, %.3g ms per effective sample\n",
               sampler, Cn, S, so.thin, so.burn_in, max_rhat, min_bulk, min_tail, res.accept_rate,
               res.seconds, 1e3 * spes);
        if (z0) printf("posterior mean vs truth: rel_error %.3e; at the last step %.3f of the chains "
                       "are within %g ||z0|| of z0\n", mean_err, traj[4 * (size_t)(S - 1) + 1], near);
        if (ref_path) printf("sliced W1 to the reference: %.4g at the last step\n", traj[4 * (size_t)(S - 1) + 3]);
        if (so.precond == GINV_PRECOND_LAPLACE)
            printf("laplace preconditioner: Hessian eigenvalues %.4g .. %.4g at the GD point "
                   "(condition %.3g removed)\n", res.precond_eig[0], res.precond_eig[1],
                   res.precond_eig[1] / res.precond_eig[0]);
        if (so.temps > 1) {
            printf("tempering: %d rungs, temperatures 1 .. %g; swap acceptance (rungs r, r+1):", so.temps, so.temp_max);
            for (int r = 0; r + 1 < so.temps; r++) printf(" %.3f", res.swap_rate[r]);
            printf("\n");
        }
        if (rhat_curve) sample_rhat_curve_print(&rcurve);
        if (signal_diag)
            printf("signal G(z): %d of %d pixels vary (sd > %g): max rhat %.4f (pixel %d), min bulk-ESS "
                   "%.1f, min tail-ESS %.1f\n", sdg.pixels, n, signal_floor, sdg.max_rhat,
                   sdg.worst_pixel, sdg.min_ess_bulk, sdg.min_ess_tail);
    }

    /* outputs: the trace plot first (it may fail without gnuplot), then arrays, then JSON */
    /* ... all into the output set, which appears in --out as a whole */
    if (ginv_outset_begin(out_dir, &set) != GINV_OK) { rc = cli_fail(C, "--out: %s", ginv_last_error()); goto out; }
    char trace_name[16], traj_name[24], rhat_name[24]; /* figures: .png, .svg or .pdf (--format) */
    snprintf(trace_name, sizeof trace_name, "trace.%s", plot_ext());
    snprintf(traj_name, sizeof traj_name, "trajectory.%s", plot_ext());
    snprintf(rhat_name, sizeof rhat_name, "rhat_curve.%s", plot_ext());
    const char *names[NOUT] = {"samples.npy", "mean_z.npy", "std_z.npy", "mean_x.npy", "std_x.npy", trace_name,
                               "samples.safetensors", traj_name, "mean.png", "std.png", "samples.png"};
    int ic = 0, ih = 0, iw = 0, is_image = image_shape(n, &ops, &ic, &ih, &iw);
    for (int i = 0; i < NOUT; i++)
        if (!(paths[i] = join(ginv_outset_dir(set), names[i]))) { rc = cli_oom(C); goto out; }
    {
        int nser = Cn < 8 ? Cn : 8;
        double *xs = malloc(sizeof(double) * S), *ys = malloc(sizeof(double) * (size_t)S * nser);
        const double *yp[8];
        char lab[8][32];
        const char *labp[8];
        if (!xs || !ys) { free(xs); free(ys); rc = cli_oom(C); goto out; }
        for (int s = 0; s < S; s++) xs[s] = so.burn_in + (double)(s + 1) * so.thin;
        for (int c = 0; c < nser; c++) {
            for (int s = 0; s < S; s++) ys[(size_t)c * S + s] = res.samples[((size_t)s * Cn + c) * k];
            yp[c] = ys + (size_t)c * S;
            snprintf(lab[c], sizeof lab[c], "chain %d", c);
            labp[c] = lab[c];
        }
        char title[160];
        snprintf(title, sizeof title, "%s: z[0] after burn-in (rhat %.3f, bulk-ESS %.0f)", sampler,
                 diag[0].rhat, diag[0].ess_bulk);
        rc = plot_lines(paths[5], title, "step", "z[0]", nser, labp, S, xs, yp, 0);
        if (!rc && z0) {
            for (int s = 0; s < S; s++) ys[s] = traj[4 * (size_t)s + 1];
            const double *fy[1] = {ys};
            char lab0[64];
            snprintf(lab0, sizeof lab0, "within %g ||z0|| of z0", near);
            const char *fl[1] = {lab0};
            snprintf(title, sizeof title, "%s: fraction of %d chains near z0", sampler, Cn);
            /* a fraction: the axis is 0..1 whatever the data */
            plot_style fs = {.title = title, .xlabel = "step", .ylabel = "fraction of chains", .ymin = 0, .ymax = 1};
            const double *fx[1] = {xs};
            rc = plot_series(paths[7], &fs, 1, fl, &S, fx, fy, NULL);
            if (rc) unlink(paths[5]);
        }
        if (!rc && rhat_curve) {
            char *cp = join(ginv_outset_dir(set), rhat_name);
            rc = cp ? sample_rhat_curve_plot(cp, sampler, &rcurve) : cli_oom(C);
            free(cp);
            if (rc) {
                unlink(paths[5]);
                if (z0) unlink(paths[7]);
            }
        }
        free(xs);
        free(ys);
        if (rc) goto out;
    }
    {
        int64_t sh3[3] = {S, Cn, k}, shk[1] = {k}, shn[1] = {n};
        if ((st = ginv_array_write(paths[0], res.samples, 3, sh3)) != GINV_OK ||
            (st = ginv_array_write(paths[1], mz, 1, shk)) != GINV_OK ||
            (st = ginv_array_write(paths[2], sz, 1, shk)) != GINV_OK ||
            (st = ginv_array_write(paths[3], mx, 1, shn)) != GINV_OK ||
            (st = ginv_array_write(paths[4], sx, 1, shn)) != GINV_OK) {
            rc = cli_lib_error(C, st);
            goto out;
        }
        if (!(stw = ginv_st_writer_new())) { rc = cli_oom(C); goto out; }
        if ((st = ginv_st_writer_add(stw, "samples", GINV_DT_F32, 3, sh3, res.samples)) != GINV_OK ||
            (st = ginv_st_writer_meta(stw, "sampler", sampler)) != GINV_OK ||
            (st = ginv_st_writer_meta(stw, "layout", "samples[s, c, :] is kept sample s of chain c")) != GINV_OK ||
            (st = ginv_st_writer_save(stw, paths[6])) != GINV_OK) {
            rc = cli_lib_error(C, st);
            goto out;
        }
        if (is_image && (st = write_images(paths + 8, net, &res, &so, mx, sx, ic, ih, iw, png_scale)) != GINV_OK) {
            rc = cli_lib_error(C, st);
            goto out;
        }
        if ((st = ginv_outset_commit(set)) != GINV_OK) {
            rc = cli_fail(C, "--out: %s", ginv_last_error());
            goto out;
        }
    }
    if (json) {
        cJSON *doc = cli_json_new(C);
        cJSON_AddNumberToObject(doc, "seed", (double)seed);
        cJSON_AddNumberToObject(doc, "chain_seed", (double)so.seed);
        cli_problem pr = {model, layers, act, out_act, "weights", weights, opspec, bias, k, n, m};
        cJSON *p = cli_json_problem(doc, &pr);
        cJSON_AddNumberToObject(p, "noise", noise);
        cJSON_AddNumberToObject(p, "sigma", lik_sigma);
        cJSON_AddStringToObject(p, "prior", prior_s);
        cJSON_AddStringToObject(p, "sampler", sampler);
        cJSON_AddNumberToObject(p, "step", so.step);
        cJSON_AddNumberToObject(p, "temperature", so.beta);
        cJSON_AddNumberToObject(p, "chains", so.chains);
        cJSON_AddNumberToObject(p, "burn_in", so.burn_in);
        cJSON_AddNumberToObject(p, "samples", so.samples);
        cJSON_AddNumberToObject(p, "thin", so.thin);
        cJSON_AddStringToObject(p, "start", init_s);
        cJSON_AddStringToObject(p, "precond", precond_s);
        if (so.temps > 1) {
            cJSON_AddNumberToObject(p, "temps", so.temps);
            cJSON_AddNumberToObject(p, "temp_max", so.temp_max);
            cJSON_AddNumberToObject(p, "swap_every", so.swap_every);
        }
        if (so.init == GINV_CHAIN_INIT_RANDOM) cJSON_AddNumberToObject(p, "start_scale", so.init_sd);
        if (so.init == GINV_CHAIN_INIT_GD) {
            cJSON_AddNumberToObject(p, "gd_iters", so.gd_iters);
            cJSON_AddNumberToObject(p, "gd_lr", so.gd_lr);
        }
        if (res.centre) {
            cJSON_AddNumberToObject(p, "radius", so.radius);
            if (centre_path) cJSON_AddStringToObject(p, "centre", centre_path);
        }
        if (so.type == ginv_sampler_annealed) {
            cJSON_AddNumberToObject(p, "levels", so.levels);
            cJSON_AddNumberToObject(p, "level_max", so.level_max);
        }
        if (truth_path) cJSON_AddStringToObject(p, "truth", truth_path);
        if (y_path) cJSON_AddStringToObject(p, "y", y_path);
        cJSON_AddItemToObject(doc, "y", cJSON_CreateFloatArray(y, m));
        if (z0) cJSON_AddItemToObject(doc, "z0", cJSON_CreateFloatArray(z0, k));
        cJSON_AddItemToObject(doc, "posterior_mean", cJSON_CreateFloatArray(mz, k));
        cJSON_AddItemToObject(doc, "posterior_std", cJSON_CreateFloatArray(sz, k));
        cJSON *arr = cJSON_AddArrayToObject(doc, "diagnostics");
        for (int j = 0; j < k; j++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "coord", j);
            cJSON_AddItemToObject(o, "mean", cli_json_num(diag[j].mean));
            cJSON_AddItemToObject(o, "sd", cli_json_num(diag[j].sd));
            cJSON_AddItemToObject(o, "mcse_mean", cli_json_num(diag[j].mcse_mean));
            cJSON_AddItemToObject(o, "rhat", cli_json_num(diag[j].rhat));
            cJSON_AddItemToObject(o, "ess_bulk", cli_json_num(diag[j].ess_bulk));
            cJSON_AddItemToObject(o, "ess_tail", cli_json_num(diag[j].ess_tail));
            cJSON_AddItemToArray(arr, o);
        }
        cJSON *acc = cJSON_AddArrayToObject(doc, "acceptance_per_chain");
        for (int c = 0; c < Cn; c++)
            cJSON_AddItemToArray(acc, cJSON_CreateNumber((double)res.accepted[c] / res.proposed));
        cJSON *s = cJSON_AddObjectToObject(doc, "summary");
        cJSON_AddItemToObject(s, "max_rhat", cli_json_num(max_rhat));
        cJSON_AddItemToObject(s, "min_ess_bulk", cli_json_num(min_bulk));
        cJSON_AddItemToObject(s, "min_ess_tail", cli_json_num(min_tail));
        cJSON_AddItemToObject(s, "acceptance_rate", cli_json_num(res.accept_rate));
        cJSON_AddNumberToObject(s, "steps_per_chain", (double)res.steps);
        cJSON_AddItemToObject(s, "sampling_seconds", cli_json_num(res.seconds));
        cJSON_AddItemToObject(s, "seconds_per_step", cli_json_num(res.seconds / res.steps));
        cJSON_AddItemToObject(s, "seconds_per_effective_sample", cli_json_num(spes));
        if (signal_diag) {
            cJSON *g = cJSON_AddObjectToObject(doc, "signal_summary");
            cJSON_AddNumberToObject(g, "sd_floor", signal_floor);
            cJSON_AddNumberToObject(g, "pixels", sdg.pixels);
            cJSON_AddItemToObject(g, "max_rhat", cli_json_num(sdg.max_rhat));
            cJSON_AddNumberToObject(g, "worst_pixel", sdg.worst_pixel);
            cJSON_AddItemToObject(g, "min_ess_bulk", cli_json_num(sdg.min_ess_bulk));
            cJSON_AddItemToObject(g, "min_ess_tail", cli_json_num(sdg.min_ess_tail));
        }
        if (so.init == GINV_CHAIN_INIT_GD) {
            cJSON_AddItemToObject(s, "gd_meas_loss", cli_json_num(res.gd_loss));
            cJSON_AddNumberToObject(s, "gd_iters", res.gd_iters);
        }
        if (z0) cJSON_AddItemToObject(s, "mean_rel_error", cli_json_num(mean_err));
        if (rhat_curve) sample_rhat_curve_json(doc, &rcurve);
        if (so.temps > 1) {
            cJSON *sw = cJSON_AddArrayToObject(s, "swap_rate");
            for (int r = 0; r + 1 < so.temps; r++) cJSON_AddItemToArray(sw, cli_json_num(res.swap_rate[r]));
        }
        if (so.precond == GINV_PRECOND_LAPLACE) {
            cJSON *pe = cJSON_AddArrayToObject(s, "precond_eig");
            cJSON_AddItemToArray(pe, cli_json_num(res.precond_eig[0]));
            cJSON_AddItemToArray(pe, cli_json_num(res.precond_eig[1]));
        }
        cJSON *tj = cJSON_AddObjectToObject(doc, "trajectory");
        cJSON_AddNumberToObject(tj, "near", near);
        if (ref_path) {
            cJSON_AddStringToObject(tj, "reference", ref_path);
            cJSON_AddNumberToObject(tj, "w1_dirs", w1_dirs);
        }
        const char *tn[4] = {"step", "frac_near", "mean_rel_dist", "w1_sliced"};
        for (int q = 0; q < 4; q++) {
            if ((q == 1 || q == 2) && !z0) continue;
            if (q == 3 && !ref_path) continue;
            cJSON *a = cJSON_AddArrayToObject(tj, tn[q]);
            for (int s2 = 0; s2 < S; s2++) cJSON_AddItemToArray(a, cli_json_num(traj[4 * (size_t)s2 + q]));
        }
        cJSON *f = cJSON_AddObjectToObject(doc, "files");
        for (int i = 0; i < NOUT; i++)
            if ((i != 7 || z0) && (i < 8 || is_image)) {
                char *fp = join(out_dir, names[i]);
                if (fp) cJSON_AddStringToObject(f, names[i], fp);
                free(fp);
            }
        if (rhat_curve) {
            char *cp = join(out_dir, rhat_name);
            if (cp) cJSON_AddStringToObject(f, rhat_name, cp);
            free(cp);
        }
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
out:
    ginv_outset_free(set);
    for (int i = 0; i < NOUT; i++) free(paths[i]);
    ginv_st_writer_free(stw);
    free(zinit);
    free(traj);
    ginv_array_release(&ref);
    ginv_free(z0);
    ginv_free(y);
    free(mz);
    free(sz);
    free(mx);
    free(sx);
    free(draws);
    free(diag);
    ginv_sample_result_release(&res);
    ginv_posterior_free(post);
    ginv_op_free(op);
    if (have_ops) ginv_op_spec_release(&ops);
    ginv_array_release(&truth);
    ginv_array_release(&yarr);
    ginv_array_release(&centre);
    ginv_net_free(net);
    return rc;
}
