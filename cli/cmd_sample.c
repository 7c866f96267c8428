/* cmd_sample.c — `ginv sample`: posterior sampling of the latent code by
 * Langevin chains (Daras et al. 2022 Thm 3.1; Pareek & Risteski 2021 §5),
 * HMC and NUTS: ULA, MALA, projected, annealed, HMC and NUTS chains in one
 * batch with Stan's warm-up adaptation, samples and their moments as arrays,
 * Vehtari et al. (2021) diagnostics with quantiles as a table (worst first)
 * and JSON, Stan's convergence warnings (exit 9), and a trace plot. */
#include "cli.h"
#include "plot.h"
#include "sample_rhat_curve.h"
#include "sample_sbc.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NOUT = 14 }; /* output files in --out */

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

/* What the command reads (options) and what it computes, in one place so
 * that each step below is a function of it. */
typedef struct {
    /* options: the table's (ginv_sample_table) and the command's own */
    ginv_sample_params p;
    const char *centre_path, *truth_path, *y_path, *out_dir, *json, *ref_path, *fig_format;
    const char *metric_path, *start_from, *couple_path; /* --start-from, --couple (Daras Thm 3.1's coupling) */
    int quiet, w1_dirs, png_scale, signal_diag, rhat_curve, allow_warnings, threads, trial;
    int sbc, sbc_bins;       /* --sbc R: simulation-based calibration instead of one posterior */
    double sbc_alpha;
    ginv_sbc_result sbc_res;
    double signal_floor, rhat_target, near, lik_sigma;
    uint64_t seed, chain_seed;
    ginv_sample_setup su;   /* the problem, the posterior and the options (owns them) */
    ginv_sample_opts so;    /* su.opts with the command's seed, threads, metric, centre, ctx */
    /* the problem and the run (borrowed from su) */
    ginv_net *net;
    ginv_op *op;
    int k, n, m;
    ginv_posterior *post;
    ginv_sample_result res;
    ginv_array truth, yarr, centre, ref, startarr, couple;
    const float *z0, *y;
    /* summaries */
    float *mz, *sz, *mx, *sx;
    double *draws, *traj;   /* traj: 4 per kept step (step, frac_near, mean_rel_dist, w1_sliced) */
    double *ctraj;          /* with --couple: 3 per kept step (coupling, ot_w1, ot_w2) */
    ginv_diag *diag;
    double max_rhat, min_bulk, min_tail, spes, mean_err;
    ginv_signal_diag sdg;
    ginv_rhat_curve rcurve;
    double *q05, *q50, *q95; /* per coordinate, pooled draws */
    int *order;              /* coordinates, worst R-hat first */
    double *metric;          /* --metric: rows x k */
    ginv_array metric_arr;
    char warn[16][256];      /* the warnings, one line each */
    const char *warn_code[16];
    int nwarn;
    long *stopped;           /* copy of res.stopped_at, all chains */
    int all_chains;
    /* outputs */
    char *paths[NOUT];      /* in the output set's staging directory */
    const char *names[NOUT];
    char trace_name[16], traj_name[24], rhat_name[24], rank_name[16];
    int is_image, ic, ih, iw;
    ginv_outset *set;
    ginv_st_writer *stw;
} sample_cmd;

static const char *const C = "sample";

/* The option table into a: the task's rows, then the command's own.
 * CLI_OK, CLI_HELP or an exit code. */
static int parse_options(sample_cmd *a, int argc, char **argv, cli_opt *opts, int nmax)
{
    ginv_sample_params_init(&a->p);
    cli_opt own[] = {
        {"metric", 0, OPT_STRING, &a->metric_path, "diag|dense|FILE", "ula, mala, hmc, nuts: the metric the warm-up adapts, diag (default) or dense (Stan's dense_e: the covariance), or FILE: an inverse metric to use, k values or chains x k (diagonal, all > 0), or a symmetric positive definite k x k matrix or chains x k x k (dense), e.g. inv_metric.npy of an adapted run"},
        {"centre", 0, OPT_STRING, &a->centre_path, "FILE", "the ball's centre (k values; default: the GD point with --start gd, else 0)"},
        {"allow-warnings", 0, OPT_FLAG, &a->allow_warnings, "", "exit 0 even when a convergence check fails (the warnings are still printed and in the JSON)"},
        {"near", 0, OPT_DOUBLE, &a->near, "R", "trajectory: a chain is near z0 when ||z - z0|| <= R ||z0||", 0, 1e6},
        {"reference", 0, OPT_STRING, &a->ref_path, "FILE", "trajectory: samples.npy of a long reference run (any array of k-vectors); records the sliced W1 to them at every kept step"},
        {"w1-dirs", 0, OPT_INT, &a->w1_dirs, "P", "with --reference: random directions of the sliced W1", 1, 1 << 16},
        {"start-from", 0, OPT_STRING, &a->start_from, "FILE", "start the chains at FILE, in place of --start: C x k values, or a run's samples.npy (C x S x k: chain c starts at its chain c's last kept state, e.g. a long reference run's: draws of the stationary law)"},
        {"couple", 0, OPT_STRING, &a->couple_path, "FILE", "trajectory: samples.npy of a twin run with the same chains, samples, thinning and --chain-seed (the same noise drives chain c in both: a synchronous coupling); records at every kept step the mean ||z_c - z'_c|| (an upper bound on W1 between the two runs' laws) and the exact OT W1 and W2 between the two clouds of C chains"},
        {"seed", 0, OPT_U64, &a->seed, "S", "random seed"},
        {"trial", 0, OPT_INT, &a->trial, "T", "draw trial T's problem (the one `ginv recover` draws as trial T), chains seeded S + T: what sweep unit (seed S, trial T) runs", 0, 1 << 30},
        {"chain-seed", 0, OPT_U64, &a->chain_seed, "S", "seed of the chains' noise (and random starts) only (default: --seed plus --trial), e.g. for an independent reference run on the same problem"},
        {"truth", 0, OPT_STRING, &a->truth_path, "FILE", "z0 (k values) instead of N(0, I)"},
        {"y", 0, OPT_STRING, &a->y_path, "FILE", "your measurements (m values) instead of simulating"},
        {"out", 0, OPT_STRING, &a->out_dir, "DIR", "directory for samples.npy, moments (.npy) and trace.png (none: the table and --json only)"},
        {"signal-diag", 0, OPT_FLAG, &a->signal_diag, "", "also R-hat and ESS of every pixel of G(z) (pixels with sd <= --signal-sd-floor left out): whether the images have converged, whatever the latent does"},
        {"signal-sd-floor", 0, OPT_DOUBLE, &a->signal_floor, "S", "with --signal-diag: pixels whose posterior sd is at most S are constant", 0, 1e30},
        CLI_PNG_SCALE_OPT_HELP(a->png_scale, "images: mean.png, std.png and samples.png upscaled S times (nearest neighbour), their labels with them"),
        CLI_FIGURE_OPTS(a->fig_format),
        {"rhat-curve", 0, OPT_FLAG, &a->rhat_curve, "", "also max R-hat against run length (each length's first half discarded) and the steps from which it stays below --rhat-target: JSON rhat_curve, rhat_curve.png"},
        {"rhat-target", 0, OPT_DOUBLE, &a->rhat_target, "R", "with --rhat-curve: the R-hat to reach", 1, 100},
        {"sbc", 0, OPT_INT, &a->sbc, "R", "simulation-based calibration (Talts et al. 2018) of the sampler instead of one posterior: R replicates z0 ~ N(0, I), y = A G(z0) + sigma e, one chain each (--samples draws, --thin, --burn-in), ranks of every z0[j] among its draws, chi-square per coordinate; exit 9 when the ranks are not uniform unless --allow-warnings; --out DIR: sbc_ranks.png, sbc_ranks.npy", 2, 1 << 20},
        {"sbc-bins", 0, OPT_INT, &a->sbc_bins, "B", "with --sbc: rank bins, a divisor of --samples + 1 (default: its largest divisor up to 20)", 2, 1 << 20},
        {"sbc-alpha", 0, OPT_DOUBLE, &a->sbc_alpha, "A", "with --sbc: family-wise level; the ranks fail when a coordinate's p-value <= A / k (Bonferroni)", 1e-12, 0.5},
        {"json", 0, OPT_STRING, &a->json, "FILE", "write results and diagnostics as JSON ('-': stdout)"},
        CLI_THREADS_OPT(a->threads),
        CLI_QUIET_OPT(a->quiet),
        {0},
    };
    if (cli_table_join(&ginv_sample_table, &a->p, own, opts, nmax))
        return cli_error(C, "internal: option table too long");
    cli_cmd cmd = {C, "Sample the posterior of the latent code given y = A G(z0) + noise (Langevin chains).",
                   "ginv sample (--model FILE | --layers K,N1,..,ND) --op gaussian --m M [--sampler nuts | --step ETA] [--out DIR] [options]",
                   "Energy U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z); the chains target exp(-beta U).\n"
                   "ula:       z <- z - eta grad U(z) + sqrt(2 eta / beta) u   (Daras et al. 2022 eq. 2;\n"
                   "           Pareek & Risteski 2021 eq. 6 with beta = 1)\n"
                   "mala:      the same proposal, Metropolis-adjusted per chain (exact at any step)\n"
                   "projected: the ULA step projected onto the ball ||z - c|| <= r (Pareek & Risteski eq. 8)\n"
                   "annealed:  ULA whose burn-in runs through L geometric levels s from S0 down to 1,\n"
                   "           targeting exp(-beta U / s^2) with step eta s^2 (tempering of one energy,\n"
                   "           not Song & Ermon's noise-conditional score annealing; see 'ginv cs --method sgilo')\n"
                   "hmc:       L leapfrog steps on H = beta U + p^T M^-1 p / 2, Metropolis on H\n"
                   "nuts:      Stan's No-U-Turn Sampler (multinomial, generalised U-turn, max depth, divergences)\n"
                   "Adaptation (mala, hmc, nuts; default on): Stan's dual averaging of the step toward\n"
                   "--target-accept and the diagonal metric in expanding windows over the burn-in.\n"
                   "After sampling Stan's checks (R-hat > 1.01, ESS < 100 per chain, acceptance, divergences,\n"
                   "tree depth, NaN) print warnings and exit 9 unless --allow-warnings.\n"
                   "--precond laplace: drift eta P grad U, noise P^(1/2), P = H^-1 from the GD point;\n"
                   "            hmc, nuts: H^-1 starts the adapted metric (diagonal, or dense with --metric dense)\n"
                   "--temps R:  replica exchange; rung r targets exp(-beta U / T_r), rung 0 is kept\n"
                   "Daras et al.: f = ||A G(z) - y||^2 and exp(-beta f): --sigma 0.70710678 --prior none\n"
                   "--temperature beta. Pareek & Risteski: L = 1/2(||z||^2 + ||G(z) - x||^2 / b^2):\n"
                   "--op identity --sigma b --prior gaussian --temperature 1. See docs/sampling.md.\n"
                   "Outputs in DIR: samples.npy and samples.safetensors (C x S x k), samples.nc (ArviZ's\n"
                   "InferenceData in NetCDF-4: arviz.from_netcdf; chain-first), mean_z.npy, std_z.npy,\n"
                   "mean_x.npy, std_x.npy (per-pixel std of G(z)), trace.png and rank.png (the worst R-hat's\n"
                   "coordinate: its trace, and its ranks per chain), trajectory.png (fraction of\n"
                   "chains near z0 per kept step, with a truth; the JSON's \"trajectory\" also holds the mean\n"
                   "||z - z0||/||z0|| and the sliced W1 to --reference); for images (--image CxHxW, or n a perfect square)\n"
                   "mean.png, std.png (per-pixel posterior std, 0 .. its max) and samples.png (rows: up to 4\n"
                   "chains; columns: up to 4 kept draws spread over the run, the last rightmost), all upscaled\n"
                   "--png-scale times. Diagnostics (Vehtari et al. 2021):\n"
                   "rank-normalised split R-hat, bulk/tail ESS, MCSE of the mean.\n"
                   "The options above --metric are the parameters a sweep cell may set (same names).\n"
                   "No --resume: a run is one batch of chains whose adaptation and state would have to be\n"
                   "saved mid-run; for many long runs use `ginv sweep` (command sample), which resumes."};
    const char *pos[1];
    int npos;
    return cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
}

/* --sbc: what it excludes (one posterior's inputs and outputs, --chains,
 * a prior other than N(0, I), tempering) and its bins. 0 or an exit code. */
static int check_sbc(const sample_cmd *a, const cli_opt *opts)
{
    const char *own[] = {"sbc-bins", "sbc-alpha"};
    for (int i = 0; i < 2 && !a->sbc; i++)
        if (cli_find(opts, own[i])->seen) return cli_usage_error(C, "--%s needs --sbc", own[i]);
    if (!a->sbc) return 0;
    const char *excl[] = {"chains", "y", "truth", "reference", "rhat-curve", "signal-diag", "centre", "temps"};
    for (int i = 0; i < 8; i++)
        if (cli_find(opts, excl[i])->seen)
            return cli_usage_error(C, "--sbc and --%s exclude each other (--sbc runs one chain per simulated replicate)",
                                   excl[i]);
    if (strcmp(a->p.prior, "gaussian"))
        return cli_usage_error(C, "--sbc draws z0 from the prior N(0, I): --prior %s is not it", a->p.prior);
    if (!strcmp(a->p.start, "negative") || !strcmp(a->p.start, "truth"))
        return cli_usage_error(C, "--sbc: --start %s would start the chains from the replicate's z0", a->p.start);
    if (a->metric_path && strcmp(a->metric_path, "dense") && strcmp(a->metric_path, "diag"))
        return cli_usage_error(C, "--sbc takes --metric diag or dense, not a file");
    int L1 = a->p.samples + 1, B = a->sbc_bins;
    for (int b = 20; B == 0 && b >= 2; b--)
        if (L1 % b == 0) B = b;
    if (B == 0)
        return cli_usage_error(C, "--sbc: no bin count in 2 .. 20 divides the %d possible ranks (--samples + 1): "
                               "choose --samples (e.g. 19, 39, 99) or --sbc-bins", L1);
    if (L1 % B)
        return cli_usage_error(C, "--sbc-bins %d does not divide the %d possible ranks (--samples + 1)", B, L1);
    return 0;
}

/* The table's check, then the options that need each other or exclude
 * each other. 0 or an exit code. */
static int check_options(sample_cmd *a, const cli_opt *opts)
{
    cli_install_callbacks(a->quiet);
    plot_set_command(C);
    int rc;
    if ((rc = plot_set_format(C, "--format", a->fig_format))) return rc;
    ginv_status st = ginv_sample_check(&a->p);
    if (st != GINV_OK) return cli_param_error(C, st);
    const ginv_sampler_type *t = ginv_sampler_find(a->p.sampler);
    int adjusted = t == ginv_sampler_mala || t == ginv_sampler_hmc || t == ginv_sampler_nuts;
    if (a->metric_path && !adjusted && t != ginv_sampler_ula)
        return cli_usage_error(C, "--metric works with ula, mala, hmc and nuts, not %s", a->p.sampler);
    int metric_file = a->metric_path && strcmp(a->metric_path, "dense") && strcmp(a->metric_path, "diag");
    if (metric_file && !strcmp(a->p.precond, "laplace"))
        return cli_usage_error(C, "--metric FILE and --precond laplace exclude each other (both set the "
                                  "metric)");
    if (a->metric_path && !strcmp(a->metric_path, "dense") && !strcmp(a->p.precond, "laplace") &&
        t != ginv_sampler_hmc && t != ginv_sampler_nuts)
        return cli_usage_error(C, "--metric dense and --precond laplace exclude each other for %s (with "
                                  "hmc and nuts laplace starts the dense metric)", a->p.sampler);
    if (a->y_path && (!strcmp(a->p.start, "negative") || !strcmp(a->p.start, "truth")))
        return cli_usage_error(C, "--start %s needs a truth, not --y", a->p.start);
    if (a->y_path && a->truth_path) return cli_usage_error(C, "--y and --truth exclude each other: with --y there is no truth");
    struct stat sb;
    if (a->out_dir && stat(a->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_error_code(C, CLI_EXIT_IO, "--out '%s' exists and is not a directory", a->out_dir);
    if (!cli_find(opts, "chain-seed")->seen) a->chain_seed = a->seed + (uint64_t)a->trial;
    return check_sbc(a, opts);
}

/* The problem: trial T's scenario, the one `ginv recover` draws with this
 * seed (or the given y / truth), the posterior and the chains' options
 * (ginv_sample_setup). 0 or an exit code. */
static int draw_problem(sample_cmd *a)
{
    int rc;
    if (a->y_path && (rc = cli_read_vector(C, "y", a->y_path, 0, &a->yarr))) return rc;
    if (a->truth_path) { /* its length is checked once the generator is known */
        if ((rc = cli_read_vector(C, "truth", a->truth_path, 0, &a->truth))) return rc;
    }
    ginv_status st = ginv_sample_setup_init(&a->su, &a->p, a->seed, (uint64_t)a->trial,
                                            a->truth_path ? a->truth.data : NULL, ginv_array_count(&a->truth),
                                            a->y_path ? a->yarr.data : NULL, ginv_array_count(&a->yarr));
    if (st == GINV_ERR_SHAPE && (a->y_path || a->truth_path))
        return cli_fail(C, "--%s '%s': %s", a->y_path ? "y" : "truth", a->y_path ? a->y_path : a->truth_path,
                        ginv_last_error());
    if (st != GINV_OK) return cli_param_error(C, st);
    a->net = a->su.net, a->op = a->su.op, a->z0 = a->su.z0, a->y = a->su.y, a->post = a->su.post;
    a->k = a->su.k, a->n = a->su.n, a->m = a->su.m;
    a->lik_sigma = a->su.sigma;
    a->so = a->su.opts;
    a->so.seed = a->chain_seed;
    a->so.threads = cli_threads(a->threads);
    return 0;
}

/* Whether the n x n row-major array is symmetric (to float precision). */
static int symmetric(const float *A, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (fabsf(A[i * n + j] - A[j * n + i]) > 1e-6f * fmaxf(fabsf(A[i * n + j]), fabsf(A[j * n + i])))
                return 0;
    return 1;
}

/* --metric FILE: k values or chains x k (diagonal), k x k or chains x k x k
 * (dense; when chains == k a square array is dense if symmetric). Positive
 * definiteness is the library's check (run_sampler). 0 or an exit code. */
static int metric_file(sample_cmd *a)
{
    int k = a->k, rc;
    if ((rc = cli_read_vector(C, "metric", a->metric_path, 0, &a->metric_arr))) return rc;
    const ginv_array *m = &a->metric_arr;
    size_t n = ginv_array_count(m), K = (size_t)k, Cn = (size_t)a->so.chains, kk = K * K;
    int dense = k > 1 && (n == Cn * kk || n == kk) && (n != Cn * K || (m->ndim == 2 && symmetric(m->data, K)));
    if (!dense && n != K && n != Cn * K)
        return cli_error_code(C, CLI_EXIT_FORMAT, "--metric '%s' holds %zu values: give k = %d or chains x k = %zu "
                              "(diagonal), or k x k = %zu or chains x k x k = %zu (dense)", a->metric_path, n, k,
                              Cn * K, kk, Cn * kk);
    if (!(a->metric = malloc(sizeof(double) * n))) return cli_oom(C);
    for (size_t i = 0; i < n; i++) {
        a->metric[i] = m->data[i];
        if ((!dense && !(a->metric[i] > 0)) || !isfinite(a->metric[i]))
            return cli_error_code(C, CLI_EXIT_FORMAT, "--metric '%s': entry %zu is %g; every entry must be "
                                  "%s", a->metric_path, i, a->metric[i], dense ? "finite" : "positive and finite (variances)");
    }
    for (size_t r = 0; dense && r < n / kk; r++)
        if (!symmetric(m->data + r * kk, K))
            return cli_error_code(C, CLI_EXIT_FORMAT, "--metric '%s': matrix %zu is not symmetric: a dense inverse "
                                  "metric is a covariance", a->metric_path, r);
    a->so.metric = a->metric;
    a->so.dense = dense;
    a->so.metric_rows = n == K || n == kk ? 1 : a->so.chains;
    return 0;
}

/* --start-from (C x S' x k: chain c starts at [c, S' - 1, :]) and --couple
 * (the twin run's samples.npy, C x S x k, checked after the run). 0 or an
 * exit code. */
static int coupling_inputs(sample_cmd *a)
{
    size_t k = (size_t)a->k, C0 = (size_t)a->so.chains;
    if (a->start_from) {
        if (ginv_array_read(a->start_from, &a->startarr) != GINV_OK) return cli_fail(C, "--start-from: %s", ginv_last_error());
        size_t nv = ginv_array_count(&a->startarr);
        if (nv == 0 || nv % (C0 * k))
            return cli_error_code(C, CLI_EXIT_FORMAT, "--start-from '%s' holds %zu values, not %zu chains x S x %zu",
                                  a->start_from, nv, C0, k);
        size_t S0 = nv / (C0 * k);
        float *d = a->startarr.data;
        for (size_t c = 0; c < C0; c++) /* chain c's last state to row c, in place (rows only move down) */
            memmove(d + c * k, d + (c * S0 + S0 - 1) * k, k * sizeof(float));
        for (size_t i = 0; i < C0 * k; i++)
            if (!isfinite(d[i]))
                return cli_error_code(C, CLI_EXIT_NUMERIC, "--start-from '%s': a start is not finite", a->start_from);
        a->so.init = GINV_CHAIN_INIT_GIVEN;
        a->so.init_z = d;
    }
    if (a->couple_path && ginv_array_read(a->couple_path, &a->couple) != GINV_OK)
        return cli_fail(C, "--couple: %s", ginv_last_error());
    return 0;
}

/* The reference samples, the ball's centre, the metric. 0 or an exit code. */
static int chain_inputs(sample_cmd *a)
{
    int k = a->k, rc;
    if (a->ref_path) {
        if (ginv_array_read(a->ref_path, &a->ref) != GINV_OK) return cli_fail(C, "--reference: %s", ginv_last_error());
        if (ginv_array_count(&a->ref) == 0 || ginv_array_count(&a->ref) % (size_t)k)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--reference '%s' holds %zu values, not a whole number of %d-vectors",
                                  a->ref_path, ginv_array_count(&a->ref), k);
    }
    if ((rc = coupling_inputs(a))) return rc;
    if (a->centre_path) {
        if ((rc = cli_read_vector(C, "centre", a->centre_path, (size_t)k, &a->centre))) return rc;
        a->so.centre = a->centre.data;
    }
    if (a->metric_path && !strcmp(a->metric_path, "dense")) a->so.dense = 1;
    if (a->metric_path && strcmp(a->metric_path, "dense") && strcmp(a->metric_path, "diag"))
        return metric_file(a);
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The 5 %, 50 % and 95 % quantiles of n draws (sorted copy; linear
 * interpolation between order statistics, R's type 7 as posterior's
 * summarise_draws uses). */
static void quantiles(const double *x, size_t n, double q[3])
{
    double *s = malloc(sizeof(double) * n);
    if (!s) {
        q[0] = q[1] = q[2] = NAN;
        return;
    }
    memcpy(s, x, sizeof(double) * n);
    qsort(s, n, sizeof(double), cmp_double);
    const double p[3] = {0.05, 0.5, 0.95};
    for (int i = 0; i < 3; i++) {
        double h = (n - 1) * p[i];
        size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
        q[i] = s[lo] + (h - lo) * (s[hi] - s[lo]);
    }
    free(s);
}

/* a before b in the summary table: higher R-hat (NaN highest), then lower bulk-ESS */
static int worse(const ginv_diag *a, const ginv_diag *b)
{
    if (isnan(a->rhat) != isnan(b->rhat)) return isnan(a->rhat);
    if (a->rhat != b->rhat) return a->rhat > b->rhat;
    return a->ess_bulk < b->ess_bulk;
}

/* Chains that stopped on NaN/Inf are left out of every summary: the result
 * keeps the others (samples, energy, statistics). 0 or an exit code. */
static int drop_stopped(sample_cmd *a)
{
    ginv_sample_result *r = &a->res;
    int keep = 0, k = r->k;
    a->all_chains = r->C;
    if (!(a->stopped = malloc(sizeof(long) * r->C))) return cli_oom(C);
    memcpy(a->stopped, r->stopped_at, sizeof(long) * r->C);
    for (int c = 0; c < r->C; c++) keep += r->stopped_at[c] < 0;
    if (keep == r->C) return 0;
    for (int s = 0; s < r->S; s++) {
        int o = 0;
        for (int c = 0; c < r->C; c++) {
            if (r->stopped_at[c] >= 0) continue;
            size_t from = (size_t)s * r->C + c, to = (size_t)s * keep + o++;
            memmove(r->samples + to * k, r->samples + from * k, sizeof(float) * k);
            r->energy[to] = r->energy[from];
            r->stat_accept[to] = r->stat_accept[from];
            r->stat_energy[to] = r->stat_energy[from];
            r->stat_depth[to] = r->stat_depth[from];
            r->stat_leapfrog[to] = r->stat_leapfrog[from];
            r->stat_divergent[to] = r->stat_divergent[from];
        }
    }
    int o = 0;
    for (int c = 0; c < r->C; c++) {
        if (r->stopped_at[c] >= 0) continue;
        r->accepted[o] = r->accepted[c];
        r->step_size[o] = r->step_size[c];
        r->divergences[o] = r->divergences[c];
        r->depth_hits[o] = r->depth_hits[c];
        memmove(r->inv_metric + (size_t)o * k, r->inv_metric + (size_t)c * k, sizeof(double) * k);
        if (r->inv_metric_dense)
            memmove(r->inv_metric_dense + (size_t)o * k * k, r->inv_metric_dense + (size_t)c * k * k, sizeof(double) * k * k);
        o++;
    }
    r->C = keep;
    return 0;
}

/* Stan's checks after sampling (Vehtari et al. 2021 for R-hat and ESS):
 * each failed check one line with the number that tripped it and what to try. */
static void add_warning(sample_cmd *a, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_warning(sample_cmd *a, const char *code, const char *fmt, ...)
{
    if (a->nwarn >= 16) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->warn[a->nwarn], sizeof a->warn[0], fmt, ap);
    va_end(ap);
    a->warn_code[a->nwarn++] = code;
}

static void check_warnings(sample_cmd *a)
{
    const ginv_sample_result *r = &a->res;
    int Cn = r->C, S = r->S, k = a->k;
    for (int c = 0; c < a->all_chains; c++)
        if (a->stopped[c] >= 0)
            add_warning(a, "nan", "chain %d stopped at step %ld: its energy became NaN/Inf (its draws are left out; "
                        "lower --step or use mala/nuts)", c, a->stopped[c]);
    int w = a->order[0];
    if (!(a->diag[w].rhat <= 1.01))
        add_warning(a, "rhat", "max R-hat %.4f (z[%d]) > 1.01: the chains disagree; run longer (--samples, "
                    "--burn-in), or try --sampler nuts / --precond laplace", a->diag[w].rhat, w);
    if (!(a->min_bulk >= 100.0 * Cn))
        add_warning(a, "ess_bulk", "min bulk-ESS %.1f < 100 per chain (%d): too few effective draws for the "
                    "posterior mean; run longer or use a better-mixing sampler", a->min_bulk, 100 * Cn);
    if (!(a->min_tail >= 100.0 * Cn))
        add_warning(a, "ess_tail", "min tail-ESS %.1f < 100 per chain (%d): the 5%% / 95%% quantiles are "
                    "unreliable; run longer", a->min_tail, 100 * Cn);
    const ginv_sampler_type *ty = a->so.type;
    if (ty == ginv_sampler_mala || ty == ginv_sampler_hmc || ty == ginv_sampler_nuts) {
        for (int c = 0; c < Cn; c++) {
            double m = 0;
            for (int s = 0; s < S; s++) m += r->stat_accept[(size_t)s * Cn + c];
            m /= S;
            if (m < 0.05 || m > 0.99) {
                add_warning(a, "acceptance", "chain %d's mean acceptance %.4f is %s: %s", c, m,
                            m < 0.05 ? "below 0.05" : "above 0.99",
                            m < 0.05 ? "the step is too large for the posterior; lower --step or adapt (--adapt on)"
                                     : "the step is too small to move; raise --step or adapt (--adapt on)");
                break; /* the first such chain */
            }
        }
        long div = 0, hits = 0;
        for (int c = 0; c < Cn; c++) div += r->divergences[c], hits += r->depth_hits[c];
        if (div > 0)
            add_warning(a, "divergences", "%ld divergent transitions after the warm-up (energy error > 1000): "
                        "the draws may be biased; raise --target-accept (e.g. 0.95) or reparameterise", div);
        if (hits > 0)
            add_warning(a, "max_depth", "%ld transitions hit the maximum tree depth %d: efficiency, not validity; "
                        "raise --max-depth", hits, a->so.max_depth);
    }
    int bad = 0;
    for (size_t i = 0; i < (size_t)S * Cn * k && !bad; i++) bad = !isfinite(r->samples[i]);
    if (bad) add_warning(a, "nan", "a draw holds NaN/Inf: the summaries are not to be trusted");
}

/* Moments, per-coordinate diagnostics and their worst values, the signal
 * diagnostics and R-hat curve when asked, the posterior mean's error. */
static int summarise(sample_cmd *a)
{
    ginv_sample_result *res = &a->res;
    int S = res->S, Cn = res->C, k = a->k, n = a->n;
    ginv_status st;
    a->mz = malloc(sizeof(float) * k);
    a->sz = malloc(sizeof(float) * k);
    a->mx = malloc(sizeof(float) * n);
    a->sx = malloc(sizeof(float) * n);
    a->draws = malloc(sizeof(double) * (size_t)S * Cn);
    a->diag = calloc((size_t)k, sizeof *a->diag);
    a->q05 = malloc(sizeof(double) * 3 * (size_t)k);
    a->order = malloc(sizeof(int) * (size_t)k);
    if (!a->mz || !a->sz || !a->mx || !a->sx || !a->draws || !a->diag || !a->q05 || !a->order) return cli_oom(C);
    a->q50 = a->q05 + k, a->q95 = a->q05 + 2 * (size_t)k;
    if ((st = ginv_sample_moments(res, a->net, a->mz, a->sz, a->mx, a->sx)) != GINV_OK) return cli_lib_error(C, st);
    a->max_rhat = 0, a->min_bulk = INFINITY, a->min_tail = INFINITY;
    for (int j = 0; j < k; j++) {
        const ginv_diag *d = &a->diag[j];
        for (size_t i = 0; i < (size_t)S * Cn; i++) a->draws[i] = res->samples[i * k + j];
        if ((st = ginv_diag_compute(S, Cn, a->draws, &a->diag[j])) != GINV_OK) return cli_lib_error(C, st);
        double q[3];
        quantiles(a->draws, (size_t)S * Cn, q);
        a->q05[j] = q[0], a->q50[j] = q[1], a->q95[j] = q[2];
        a->order[j] = j;
        /* NaN (a constant coordinate) propagates into the summary as unknown */
        a->max_rhat = isnan(d->rhat) || isnan(a->max_rhat) ? NAN : fmax(a->max_rhat, d->rhat);
        a->min_bulk = isnan(d->ess_bulk) || isnan(a->min_bulk) ? NAN : fmin(a->min_bulk, d->ess_bulk);
        a->min_tail = isnan(d->ess_tail) || isnan(a->min_tail) ? NAN : fmin(a->min_tail, d->ess_tail);
    }
    /* worst first: R-hat descending (NaN first), ties by bulk-ESS */
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && worse(&a->diag[a->order[j]], &a->diag[a->order[j - 1]]); j--) {
            int t = a->order[j];
            a->order[j] = a->order[j - 1];
            a->order[j - 1] = t;
        }
    a->spes = res->seconds / a->min_bulk; /* seconds per effective sample (worst coordinate) */
    a->sdg = (ginv_signal_diag){.max_rhat = NAN, .min_ess_bulk = NAN, .min_ess_tail = NAN, .worst_pixel = -1};
    if (a->signal_diag && (st = ginv_sample_signal_diag(res, a->net, a->signal_floor, NULL, &a->sdg)) != GINV_OK)
        return cli_lib_error(C, st);
    a->rcurve = (ginv_rhat_curve){.points = 0};
    if (a->rhat_curve && (st = ginv_sample_rhat_curve(res, a->so.burn_in, a->so.thin, a->rhat_target, &a->rcurve)) != GINV_OK)
        return cli_lib_error(C, st);
    a->mean_err = NAN;
    if (a->z0) {
        double d = 0, s = 0;
        for (int j = 0; j < k; j++) {
            d += ((double)a->mz[j] - a->z0[j]) * ((double)a->mz[j] - a->z0[j]);
            s += (double)a->z0[j] * a->z0[j];
        }
        a->mean_err = s > 0 ? sqrt(d / s) : sqrt(d);
    }
    return 0;
}

/* --couple: per kept step s, the twin run's C states at s against ours:
 * the synchronous coupling's mean distance and the exact OT W1, W2
 * (Daras et al. Thm 3.1's W(Z_t, mu) from above when the twin started from
 * mu; src/sample/transport.c). */
static int coupling_trajectory(sample_cmd *a)
{
    int S = a->res.S, Cn = a->res.C, k = a->k;
    size_t want = (size_t)S * Cn * k;
    if (ginv_array_count(&a->couple) != want)
        return cli_error_code(C, CLI_EXIT_FORMAT, "--couple '%s' holds %zu values, not this run's %d chains x %d "
                              "samples x %d", a->couple_path, ginv_array_count(&a->couple), Cn, S, k);
    float *y = malloc(sizeof(float) * (size_t)Cn * k);
    if (!y || !(a->ctraj = malloc(sizeof(double) * 3 * (size_t)S))) {
        free(y);
        return cli_oom(C);
    }
    for (int s = 0; s < S; s++) {
        const float *x = a->res.samples + (size_t)s * Cn * k;
        for (int c = 0; c < Cn; c++) /* the twin's chain-first samples.npy at step s */
            memcpy(y + (size_t)c * k, a->couple.data + ((size_t)c * S + s) * k, sizeof(float) * k);
        double *tr = a->ctraj + 3 * (size_t)s;
        ginv_status st;
        if ((st = ginv_coupling_distance(k, Cn, x, y, &tr[0])) != GINV_OK ||
            (st = ginv_ot_exact(k, Cn, x, y, 1, NULL, &tr[1])) != GINV_OK ||
            (st = ginv_ot_exact(k, Cn, x, y, 2, NULL, &tr[2])) != GINV_OK) {
            free(y);
            return cli_lib_error(C, st);
        }
    }
    free(y);
    return 0;
}

/* trajectory: per kept step, the fraction of chains within near ||z0|| of z0,
 * their mean ||z - z0|| / ||z0|| (with a truth), and the sliced W1 to the
 * reference samples (with --reference); NaN where unknown */
static int trajectory(sample_cmd *a)
{
    int S = a->res.S, Cn = a->res.C, k = a->k;
    const float *z0 = a->z0;
    if (!(a->traj = malloc(sizeof(double) * 4 * (size_t)S))) return cli_oom(C);
    double nz = 0; /* ||z0||, once */
    if (z0) {
        for (int j = 0; j < k; j++) nz += (double)z0[j] * z0[j];
        nz = sqrt(nz);
    }
    for (int s = 0; s < S; s++) {
        double *tr = a->traj + 4 * (size_t)s;
        const float *blk = a->res.samples + (size_t)s * Cn * k;
        tr[0] = a->so.burn_in + (double)(s + 1) * a->so.thin;
        tr[1] = tr[2] = tr[3] = NAN;
        if (z0) {
            double cnt = 0, sum = 0;
            for (int c = 0; c < Cn; c++) {
                double d = 0;
                for (int j = 0; j < k; j++) d += ((double)blk[(size_t)c * k + j] - z0[j]) * ((double)blk[(size_t)c * k + j] - z0[j]);
                d = sqrt(d) / nz;
                cnt += d <= a->near;
                sum += d;
            }
            tr[1] = cnt / Cn;
            tr[2] = sum / Cn;
        }
        ginv_status st;
        if (a->ref_path && (st = ginv_w1_sliced(k, Cn, blk, (int)(ginv_array_count(&a->ref) / k), a->ref.data, a->w1_dirs,
                                                a->seed, &tr[3])) != GINV_OK)
            return cli_lib_error(C, st);
    }
    return a->couple_path ? coupling_trajectory(a) : 0;
}

static void print_table(const sample_cmd *a)
{
    const ginv_diag *diag = a->diag;
    const ginv_sample_result *res = &a->res;
    const ginv_sample_opts *so = &a->so;
    int k = a->k, S = res->S;
    printf("%5s  %10s  %10s  %10s  %10s  %10s  %10s  %7s  %9s  %9s\n", "coord", "mean", "sd", "q5", "q50", "q95",
           "mcse", "rhat", "ess_bulk", "ess_tail");
    int show = k <= 20 ? k : 20;
    for (int i = 0; i < show; i++) { /* worst R-hat first */
        int j = a->order[i];
        printf("%5d  %10.4f  %10.4f  %10.4f  %10.4f  %10.4f  %10.2e  %7.4f  %9.1f  %9.1f\n", j, diag[j].mean,
               diag[j].sd, a->q05[j], a->q50[j], a->q95[j], diag[j].mcse_mean, diag[j].rhat, diag[j].ess_bulk,
               diag[j].ess_tail);
    }
    if (show < k) printf("  ... (%d more coordinates in the JSON)\n", k - show);
    printf("%s, %d chains x %d samples (thin %d, burn-in %d): max rhat %.4f, min bulk-ESS %.1f, "
           "min tail-ESS %.1f, acceptance %.3f, %.3f s, %.3g ms per effective sample\n",
           a->p.sampler, res->C, S, so->thin, so->burn_in, a->max_rhat, a->min_bulk, a->min_tail, res->accept_rate,
           res->seconds, 1e3 * a->spes);
    if (a->z0) printf("posterior mean vs truth: rel_error %.3e; at the last step %.3f of the chains "
                      "are within %g ||z0|| of z0\n", a->mean_err, a->traj[4 * (size_t)(S - 1) + 1], a->near);
    if (a->ref_path) printf("sliced W1 to the reference: %.4g at the last step\n", a->traj[4 * (size_t)(S - 1) + 3]);
    if (a->ctraj) printf("coupled twin at the last step: mean distance %.4g, exact OT W1 %.4g, W2 %.4g\n",
                         a->ctraj[3 * (size_t)(S - 1)], a->ctraj[3 * (size_t)(S - 1) + 1], a->ctraj[3 * (size_t)(S - 1) + 2]);
    if (so->precond == GINV_PRECOND_LAPLACE)
        printf("laplace preconditioner: Hessian eigenvalues %.4g .. %.4g at the GD point "
               "(condition %.3g removed)\n", res->precond_eig[0], res->precond_eig[1],
               res->precond_eig[1] / res->precond_eig[0]);
    if (so->temps > 1) {
        printf("tempering: %d rungs, temperatures 1 .. %g; swap acceptance (rungs r, r+1):", so->temps, so->temp_max);
        for (int r = 0; r + 1 < so->temps; r++) printf(" %.3f", res->swap_rate[r]);
        printf("\n");
    }
    if (a->rhat_curve) sample_rhat_curve_print(&a->rcurve);
    if (so->adapt || so->type == ginv_sampler_hmc || so->type == ginv_sampler_nuts) {
        double lo = INFINITY, hi = 0;
        for (int c = 0; c < res->C; c++) lo = fmin(lo, res->step_size[c]), hi = fmax(hi, res->step_size[c]);
        long div = 0, hits = 0, leap = 0;
        for (int c = 0; c < res->C; c++) div += res->divergences[c], hits += res->depth_hits[c];
        for (size_t t = 0; t < (size_t)S * res->C; t++) leap += res->stat_leapfrog[t];
        printf("%s step %.4g .. %.4g over the chains%s; %.1f gradient evaluations per draw, %ld divergent, "
               "%ld at max depth", so->adapt ? "adapted" : "fixed", lo, hi,
               so->adapt == GINV_ADAPT_ALL && so->precond == GINV_PRECOND_NONE
                   ? (so->dense ? ", dense metric adapted" : ", diagonal metric adapted") : "",
               (double)leap / ((double)S * res->C), div, hits);
        if (so->type == ginv_sampler_nuts) printf("; batch fill %.2f", res->batch_fill);
        printf("\n");
    }
    if (a->signal_diag)
        printf("signal G(z): %d of %d pixels vary (sd > %g): max rhat %.4f (pixel %d), min bulk-ESS "
               "%.1f, min tail-ESS %.1f\n", a->sdg.pixels, a->n, a->signal_floor, a->sdg.max_rhat,
               a->sdg.worst_pixel, a->sdg.min_ess_bulk, a->sdg.min_ess_tail);
}

/* The output set and the paths of its files. 0 or an exit code. */
static int open_outputs(sample_cmd *a)
{
    if (ginv_outset_begin(a->out_dir, &a->set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    /* figures: .png, .svg or .pdf (--format) */
    snprintf(a->trace_name, sizeof a->trace_name, "trace.%s", plot_ext());
    snprintf(a->traj_name, sizeof a->traj_name, "trajectory.%s", plot_ext());
    snprintf(a->rhat_name, sizeof a->rhat_name, "rhat_curve.%s", plot_ext());
    snprintf(a->rank_name, sizeof a->rank_name, "rank.%s", plot_ext());
    const char *names[NOUT] = {"samples.npy", "mean_z.npy", "std_z.npy", "mean_x.npy", "std_x.npy", a->trace_name,
                               "samples.safetensors", a->traj_name, "mean.png", "std.png", "samples.png",
                               "inv_metric.npy", "samples.nc", a->rank_name};
    memcpy(a->names, names, sizeof names);
    a->is_image = image_shape(a->n, &a->su.ops, &a->ic, &a->ih, &a->iw);
    for (int i = 0; i < NOUT; i++)
        if (!(a->paths[i] = join(ginv_outset_dir(a->set), a->names[i]))) return cli_oom(C);
    return 0;
}

/* qsort_r order of draw indices by value, ties by index */
static int by_value(const void *pa, const void *pb, void *user)
{
    const double *v = user;
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    return v[i] < v[j] ? -1 : v[i] > v[j] ? 1 : (i > j) - (i < j);
}

/* rank.png: the rank plot of Vehtari et al. (2021, section 4.3) for
 * coordinate j, as an overlay: the draws of every chain ranked together,
 * the ranks cut into B equal bins, one line per chain (up to 8) of its count
 * per bin, and the count every bin has when the chains agree, S / B. A chain
 * that is not mixing shows as a line far from the flat one. */
static int write_rank_plot(const sample_cmd *a, int j)
{
    int S = a->res.S, Cn = a->res.C, k = a->k, nser = Cn < 8 ? Cn : 8;
    int B = S >= 80 ? 20 : S / 4 > 1 ? S / 4 : 2;
    size_t n = (size_t)S * Cn;
    double *v = malloc(sizeof(double) * n), *cnt = calloc((size_t)(nser + 1) * B, sizeof(double));
    double *bx = malloc(sizeof(double) * B);
    size_t *ord = malloc(sizeof(size_t) * n);
    if (!v || !cnt || !bx || !ord) {
        free(v), free(cnt), free(bx), free(ord);
        return cli_oom(C);
    }
    for (size_t i = 0; i < n; i++) v[i] = a->res.samples[i * k + j], ord[i] = i;
    qsort_r(ord, n, sizeof *ord, by_value, v); /* ranks: the draws in order (ties by index) */
    for (size_t r = 0; r < n; r++) {
        int c = (int)(ord[r] % (size_t)Cn), b = (int)(r * (size_t)B / n);
        if (c < nser) cnt[(size_t)c * B + b] += 1;
    }
    const double *ys[9], *xs[9];
    int np[9];
    char lab[9][32];
    const char *labp[9];
    for (int b = 0; b < B; b++) bx[b] = (b + 0.5) * (double)n / B, cnt[(size_t)nser * B + b] = (double)S / B;
    for (int c = 0; c <= nser; c++) {
        ys[c] = cnt + (size_t)c * B, xs[c] = bx, np[c] = B;
        if (c < nser) snprintf(lab[c], sizeof lab[c], "chain %d", c);
        else snprintf(lab[c], sizeof lab[c], "uniform (S/%d)", B);
        labp[c] = lab[c];
    }
    char title[160];
    snprintf(title, sizeof title, "%s: ranks of z[%d] (worst R-hat %.3f) per chain, %d bins", a->p.sampler, j,
             a->diag[j].rhat, B);
    plot_style st = {.title = title, .xlabel = "rank among all draws", .ylabel = "draws of the chain per bin",
                     .ymin = 0, .ymax = NAN};
    int rc = plot_series(a->paths[13], &st, nser + 1, labp, np, xs, ys, NULL);
    free(v), free(cnt), free(bx), free(ord);
    return rc;
}

/* trace.png and rank.png of the worst coordinate (highest R-hat),
 * trajectory.png (with a truth), rhat_curve.png (when asked), into the output
 * set's staging directory (dropped whole on a failure). 0 or an exit code. */
static int write_figures(const sample_cmd *a)
{
    int S = a->res.S, Cn = a->res.C, k = a->k, rc, w = a->order[0];
    int nser = Cn < 8 ? Cn : 8;
    double *xs = malloc(sizeof(double) * S), *ys = malloc(sizeof(double) * (size_t)S * nser);
    const double *yp[8];
    char lab[8][32];
    const char *labp[8];
    if (!xs || !ys) { free(xs); free(ys); return cli_oom(C); }
    for (int s = 0; s < S; s++) xs[s] = a->so.burn_in + (double)(s + 1) * a->so.thin;
    for (int c = 0; c < nser; c++) {
        for (int s = 0; s < S; s++) ys[(size_t)c * S + s] = a->res.samples[((size_t)s * Cn + c) * k + w];
        yp[c] = ys + (size_t)c * S;
        snprintf(lab[c], sizeof lab[c], "chain %d", c);
        labp[c] = lab[c];
    }
    char title[160], ylab[32];
    snprintf(title, sizeof title, "%s: z[%d], the worst R-hat, after burn-in (rhat %.3f, bulk-ESS %.0f)",
             a->p.sampler, w, a->diag[w].rhat, a->diag[w].ess_bulk);
    snprintf(ylab, sizeof ylab, "z[%d]", w);
    rc = plot_lines(a->paths[5], title, "step", ylab, nser, labp, S, xs, yp, 0);
    if (!rc) rc = write_rank_plot(a, w);
    if (!rc && a->z0) {
        for (int s = 0; s < S; s++) ys[s] = a->traj[4 * (size_t)s + 1];
        const double *fy[1] = {ys};
        char lab0[64];
        snprintf(lab0, sizeof lab0, "within %g ||z0|| of z0", a->near);
        const char *fl[1] = {lab0};
        snprintf(title, sizeof title, "%s: fraction of %d chains near z0", a->p.sampler, Cn);
        /* a fraction: the axis is 0..1 whatever the data */
        plot_style fs = {.title = title, .xlabel = "step", .ylabel = "fraction of chains", .ymin = 0, .ymax = 1};
        const double *fx[1] = {xs};
        rc = plot_series(a->paths[7], &fs, 1, fl, &S, fx, fy, NULL);
    }
    if (!rc && a->rhat_curve) {
        char *cp = join(ginv_outset_dir(a->set), a->rhat_name);
        rc = cp ? sample_rhat_curve_plot(cp, a->p.sampler, &a->rcurve) : cli_oom(C);
        free(cp);
    }
    free(xs);
    free(ys);
    return rc;
}

/* The arrays, the safetensors file and the images; then the set appears in
 * --out. 0 or an exit code. */
/* samples.npy and samples.safetensors from the chain-first draws cf (C x S x k) */
static ginv_status write_chain_first(sample_cmd *a, const float *cf, const int64_t *sh3)
{
    ginv_status st = ginv_array_write(a->paths[0], cf, 3, sh3);
    if (st != GINV_OK) return st;
    if (!(a->stw = ginv_st_writer_new())) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if ((st = ginv_st_writer_add(a->stw, "samples", GINV_DT_F32, 3, sh3, cf)) != GINV_OK ||
        (st = ginv_st_writer_meta(a->stw, "sampler", a->p.sampler)) != GINV_OK ||
        (st = ginv_st_writer_meta(a->stw, "layout", "samples[c, s, :] is kept sample s of chain c")) != GINV_OK)
        return st;
    return ginv_st_writer_save(a->stw, a->paths[6]);
}

static int write_arrays(sample_cmd *a)
{
    const ginv_sample_result *res = &a->res;
    int64_t sh3[3] = {res->C, res->S, a->k}, shk[1] = {a->k}, shn[1] = {a->n};
    ginv_status st;
    /* chain-first, C x S x k, as ArviZ, posterior and Stan's tools expect
     * (the result holds S x C x k: kept sample s of every chain together) */
    size_t k = (size_t)a->k, per = (size_t)res->S * k;
    float *cf = malloc(sizeof(float) * (size_t)res->C * (per ? per : 1));
    if (!cf) return cli_oom(C);
    for (int s = 0; s < res->S; s++)
        for (int c = 0; c < res->C; c++)
            memcpy(cf + (size_t)c * per + (size_t)s * k, res->samples + ((size_t)s * res->C + c) * k, sizeof(float) * k);
    st = write_chain_first(a, cf, sh3);
    free(cf);
    if (st != GINV_OK) return cli_lib_error(C, st);
    if ((st = ginv_array_write(a->paths[1], a->mz, 1, shk)) != GINV_OK ||
        (st = ginv_array_write(a->paths[2], a->sz, 1, shk)) != GINV_OK ||
        (st = ginv_array_write(a->paths[3], a->mx, 1, shn)) != GINV_OK ||
        (st = ginv_array_write(a->paths[4], a->sx, 1, shn)) != GINV_OK)
        return cli_lib_error(C, st);
    { /* the metric the chains ran with (C x k, dense C x k x k), for --metric */
        const double *src = res->inv_metric_dense ? res->inv_metric_dense : res->inv_metric;
        size_t n = (size_t)res->C * a->k * (res->inv_metric_dense ? a->k : 1);
        float *im = malloc(sizeof(float) * (n ? n : 1));
        if (!im) return cli_oom(C);
        for (size_t i = 0; i < n; i++) im[i] = (float)src[i];
        int64_t shm[3] = {res->C, a->k, a->k};
        st = ginv_array_write(a->paths[11], im, res->inv_metric_dense ? 3 : 2, shm);
        free(im);
        if (st != GINV_OK) return cli_lib_error(C, st);
    }
    /* ArviZ's InferenceData layout: arviz.from_netcdf(DIR/samples.nc) */
    if ((st = ginv_sample_write_netcdf(a->paths[12], res, a->mx, a->sx, a->n)) != GINV_OK)
        return cli_lib_error(C, st);
    if (a->is_image && (st = write_images(a->paths + 8, a->net, res, &a->so, a->mx, a->sx, a->ic, a->ih, a->iw,
                                          a->png_scale)) != GINV_OK)
        return cli_lib_error(C, st);
    return 0;
}

/* the JSON's "seed", "chain_seed" and "params": the table's parameters with
 * the values used (automatic ones resolved), the sizes and the files */
static void json_params(cJSON *doc, const sample_cmd *a)
{
    const ginv_sample_opts *so = &a->so;
    cJSON_AddNumberToObject(doc, "seed", (double)a->seed);
    cJSON_AddNumberToObject(doc, "chain_seed", (double)so->seed);
    cJSON_AddNumberToObject(doc, "trial", a->trial);
    ginv_sample_params used = a->p;
    used.m = a->m;
    used.sigma = a->lik_sigma;
    used.adapt = a->su.adapt;
    used.start_scale = so->init_sd;
    if (!used.out_act) used.out_act = used.act;
    cJSON *p = cli_json_table(cJSON_AddObjectToObject(doc, "params"), &ginv_sample_table, &used);
    cJSON_AddNumberToObject(p, "k", a->k);
    cJSON_AddNumberToObject(p, "n", a->n);
    if (a->metric_path) cJSON_AddStringToObject(p, "metric", a->metric_path);
    if (a->centre_path) cJSON_AddStringToObject(p, "centre", a->centre_path);
    if (a->truth_path) cJSON_AddStringToObject(p, "truth", a->truth_path);
    if (a->y_path) cJSON_AddStringToObject(p, "y", a->y_path);
}

/* the JSON's "summary" (and "signal_summary") */
static void json_summary(cJSON *doc, const sample_cmd *a)
{
    const ginv_sample_result *res = &a->res;
    const ginv_sample_opts *so = &a->so;
    cJSON *s = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddItemToObject(s, "max_rhat", cli_json_num(a->max_rhat));
    cJSON_AddItemToObject(s, "min_ess_bulk", cli_json_num(a->min_bulk));
    cJSON_AddItemToObject(s, "min_ess_tail", cli_json_num(a->min_tail));
    cJSON_AddItemToObject(s, "acceptance_rate", cli_json_num(res->accept_rate));
    cJSON_AddNumberToObject(s, "steps_per_chain", (double)res->steps);
    cJSON_AddItemToObject(s, "sampling_seconds", cli_json_num(res->seconds));
    cJSON_AddItemToObject(s, "seconds_per_step", cli_json_num(res->seconds / res->steps));
    cJSON_AddItemToObject(s, "seconds_per_effective_sample", cli_json_num(a->spes));
    if (a->signal_diag) {
        cJSON *g = cJSON_AddObjectToObject(doc, "signal_summary");
        cJSON_AddNumberToObject(g, "sd_floor", a->signal_floor);
        cJSON_AddNumberToObject(g, "pixels", a->sdg.pixels);
        cJSON_AddItemToObject(g, "max_rhat", cli_json_num(a->sdg.max_rhat));
        cJSON_AddNumberToObject(g, "worst_pixel", a->sdg.worst_pixel);
        cJSON_AddItemToObject(g, "min_ess_bulk", cli_json_num(a->sdg.min_ess_bulk));
        cJSON_AddItemToObject(g, "min_ess_tail", cli_json_num(a->sdg.min_ess_tail));
    }
    if (so->init == GINV_CHAIN_INIT_GD) {
        cJSON_AddItemToObject(s, "gd_meas_loss", cli_json_num(res->gd_loss));
        cJSON_AddNumberToObject(s, "gd_iters", res->gd_iters);
    }
    if (a->z0) cJSON_AddItemToObject(s, "mean_rel_error", cli_json_num(a->mean_err));
    if (a->rhat_curve) sample_rhat_curve_json(doc, &a->rcurve);
    if (so->temps > 1) {
        cJSON *sw = cJSON_AddArrayToObject(s, "swap_rate");
        for (int r = 0; r + 1 < so->temps; r++) cJSON_AddItemToArray(sw, cli_json_num(res->swap_rate[r]));
    }
    if (so->precond == GINV_PRECOND_LAPLACE) {
        cJSON *pe = cJSON_AddArrayToObject(s, "precond_eig");
        cJSON_AddItemToArray(pe, cli_json_num(res->precond_eig[0]));
        cJSON_AddItemToArray(pe, cli_json_num(res->precond_eig[1]));
    }
}

/* the JSON's "trajectory" and "files" */
static void json_trajectory_files(cJSON *doc, const sample_cmd *a)
{
    int S = a->res.S;
    cJSON *tj = cJSON_AddObjectToObject(doc, "trajectory");
    cJSON_AddNumberToObject(tj, "near", a->near);
    if (a->ref_path) {
        cJSON_AddStringToObject(tj, "reference", a->ref_path);
        cJSON_AddNumberToObject(tj, "w1_dirs", a->w1_dirs);
    }
    const char *tn[4] = {"step", "frac_near", "mean_rel_dist", "w1_sliced"};
    for (int q = 0; q < 4; q++) {
        if ((q == 1 || q == 2) && !a->z0) continue;
        if (q == 3 && !a->ref_path) continue;
        cJSON *arr = cJSON_AddArrayToObject(tj, tn[q]);
        for (int s2 = 0; s2 < S; s2++) cJSON_AddItemToArray(arr, cli_json_num(a->traj[4 * (size_t)s2 + q]));
    }
    const char *cn[3] = {"coupling", "ot_w1", "ot_w2"};
    if (a->ctraj) cJSON_AddStringToObject(tj, "couple", a->couple_path);
    for (int q = 0; q < 3 && a->ctraj; q++) {
        cJSON *arr = cJSON_AddArrayToObject(tj, cn[q]);
        for (int s2 = 0; s2 < S; s2++) cJSON_AddItemToArray(arr, cli_json_num(a->ctraj[3 * (size_t)s2 + q]));
    }
    if (!a->out_dir) return; /* no files: the table and the JSON only */
    cJSON *f = cJSON_AddObjectToObject(doc, "files");
    for (int i = 0; i < NOUT; i++)
        if ((i != 7 || a->z0) && (i < 8 || i >= 11 || a->is_image)) {
            char *fp = join(a->out_dir, a->names[i]);
            if (fp) cJSON_AddStringToObject(f, a->names[i], fp);
            free(fp);
        }
    if (a->rhat_curve) {
        char *cp = join(a->out_dir, a->rhat_name);
        if (cp) cJSON_AddStringToObject(f, a->rhat_name, cp);
        free(cp);
    }
}

static int write_json(const sample_cmd *a)
{
    cJSON *doc = cli_json_new(C);
    json_params(doc, a);
    cJSON_AddItemToObject(doc, "y", cJSON_CreateFloatArray(a->y, a->m));
    if (a->z0) cJSON_AddItemToObject(doc, "z0", cJSON_CreateFloatArray(a->z0, a->k));
    cJSON_AddItemToObject(doc, "posterior_mean", cJSON_CreateFloatArray(a->mz, a->k));
    cJSON_AddItemToObject(doc, "posterior_std", cJSON_CreateFloatArray(a->sz, a->k));
    cJSON *arr = cJSON_AddArrayToObject(doc, "diagnostics");
    for (int j = 0; j < a->k; j++) {
        const ginv_diag *d = &a->diag[j];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "coord", j);
        cJSON_AddItemToObject(o, "mean", cli_json_num(d->mean));
        cJSON_AddItemToObject(o, "sd", cli_json_num(d->sd));
        cJSON_AddItemToObject(o, "mcse_mean", cli_json_num(d->mcse_mean));
        cJSON_AddItemToObject(o, "rhat", cli_json_num(d->rhat));
        cJSON_AddItemToObject(o, "ess_bulk", cli_json_num(d->ess_bulk));
        cJSON_AddItemToObject(o, "ess_tail", cli_json_num(d->ess_tail));
        cJSON_AddItemToObject(o, "q5", cli_json_num(a->q05[j]));
        cJSON_AddItemToObject(o, "q50", cli_json_num(a->q50[j]));
        cJSON_AddItemToObject(o, "q95", cli_json_num(a->q95[j]));
        cJSON_AddItemToArray(arr, o);
    }
    cJSON *ord = cJSON_AddArrayToObject(doc, "worst_first");
    for (int j = 0; j < a->k; j++) cJSON_AddItemToArray(ord, cJSON_CreateNumber(a->order[j]));
    cJSON *wa = cJSON_AddArrayToObject(doc, "warnings");
    for (int i = 0; i < a->nwarn; i++) {
        cJSON *w = cJSON_CreateObject();
        cJSON_AddStringToObject(w, "check", a->warn_code[i]);
        cJSON_AddStringToObject(w, "message", a->warn[i]);
        cJSON_AddItemToArray(wa, w);
    }
    /* the values the chains ran with after the warm-up: reuse them with --step and --metric, --adapt off */
    const ginv_sample_result *r = &a->res;
    cJSON *ad = cJSON_AddObjectToObject(doc, "adaptation");
    cJSON_AddStringToObject(ad, "adapt", a->su.adapt);
    cJSON_AddNumberToObject(ad, "target_accept", a->so.target_accept > 0 ? a->so.target_accept
                                                  : a->so.type == ginv_sampler_mala ? 0.574
                                                  : a->so.type == ginv_sampler_ula  ? 0.95 : 0.8);
    cJSON_AddItemToObject(ad, "step_size", cJSON_CreateDoubleArray(r->step_size, r->C));
    cJSON *im = cJSON_AddArrayToObject(ad, "inv_metric");
    for (int c = 0; c < r->C; c++) cJSON_AddItemToArray(im, cJSON_CreateDoubleArray(r->inv_metric + (size_t)c * a->k, a->k));
    cJSON_AddStringToObject(ad, "metric", r->inv_metric_dense ? "dense" : "diag");
    if (r->inv_metric_dense) { /* chains x k x k; inv_metric above is its diagonal */
        cJSON *imd = cJSON_AddArrayToObject(ad, "inv_metric_dense");
        for (int c = 0; c < r->C; c++) {
            cJSON *mc = cJSON_CreateArray();
            for (int i = 0; i < a->k; i++)
                cJSON_AddItemToArray(mc, cJSON_CreateDoubleArray(r->inv_metric_dense + ((size_t)c * a->k + i) * a->k, a->k));
            cJSON_AddItemToArray(imd, mc);
        }
    }
    cJSON *ss = cJSON_AddObjectToObject(doc, "sample_stats");
    cJSON *ma = cJSON_AddArrayToObject(ss, "mean_accept_stat"), *ml = cJSON_AddArrayToObject(ss, "mean_leapfrog"),
          *md = cJSON_AddArrayToObject(ss, "max_tree_depth");
    for (int c = 0; c < r->C; c++) {
        double sa = 0, sl = 0;
        int dm = 0;
        for (int s2 = 0; s2 < r->S; s2++) {
            size_t t = (size_t)s2 * r->C + c;
            sa += r->stat_accept[t], sl += r->stat_leapfrog[t];
            if (r->stat_depth[t] > dm) dm = r->stat_depth[t];
        }
        cJSON_AddItemToArray(ma, cli_json_num(sa / r->S));
        cJSON_AddItemToArray(ml, cli_json_num(sl / r->S));
        cJSON_AddItemToArray(md, cJSON_CreateNumber(dm));
    }
    cJSON *dv = cJSON_AddArrayToObject(ss, "divergences"), *dh = cJSON_AddArrayToObject(ss, "max_depth_hits");
    for (int c = 0; c < r->C; c++) {
        cJSON_AddItemToArray(dv, cJSON_CreateNumber((double)r->divergences[c]));
        cJSON_AddItemToArray(dh, cJSON_CreateNumber((double)r->depth_hits[c]));
    }
    cJSON_AddItemToObject(ss, "batch_fill", cli_json_num(r->batch_fill));
    cJSON *sc = cJSON_AddArrayToObject(ss, "stopped_at"); /* every chain run, -1: did not stop */
    for (int c = 0; c < a->all_chains; c++) cJSON_AddItemToArray(sc, cJSON_CreateNumber((double)a->stopped[c]));
    cJSON *acc = cJSON_AddArrayToObject(doc, "acceptance_per_chain");
    for (int c = 0; c < a->res.C; c++)
        cJSON_AddItemToArray(acc, cJSON_CreateNumber((double)a->res.accepted[c] / a->res.proposed));
    json_summary(doc, a);
    json_trajectory_files(doc, a);
    int rc = cli_json_write(C, doc, a->json);
    cJSON_Delete(doc);
    return rc;
}

static void sample_release(sample_cmd *a)
{
    ginv_outset_free(a->set);
    for (int i = 0; i < NOUT; i++) free(a->paths[i]);
    ginv_st_writer_free(a->stw);
    free(a->traj);
    ginv_array_release(&a->ref);
    free(a->mz);
    free(a->sz);
    free(a->mx);
    free(a->sx);
    free(a->draws);
    free(a->diag);
    free(a->q05);
    free(a->order);
    free(a->metric);
    free(a->stopped);
    ginv_array_release(&a->metric_arr);
    ginv_sample_result_release(&a->res);
    ginv_array_release(&a->truth);
    ginv_array_release(&a->yarr);
    ginv_array_release(&a->centre);
    ginv_array_release(&a->startarr);
    ginv_array_release(&a->couple);
    free(a->ctraj);
    ginv_sample_setup_release(&a->su);
    ginv_sbc_result_release(&a->sbc_res);
}

/* --sbc: the calibration run (ginv_sbc_run: simulation seed --seed, chains
 * --chain-seed) on the command's generator, operator and sigma, its table,
 * sbc_ranks.png and sbc_ranks.npy (R x k) in --out, the JSON; exit 9 when
 * the ranks are not uniform, unless --allow-warnings. 0 or an exit code. */
static int run_sbc(sample_cmd *a)
{
    ginv_sbc_opts sbo;
    ginv_sbc_opts_init(&sbo);
    sbo.replicates = a->sbc, sbo.bins = a->sbc_bins, sbo.alpha = a->sbc_alpha, sbo.seed = a->seed;
    a->so.ctx = cli_run_ctx();
    ginv_status st = ginv_sbc_run(a->net, a->op, a->lik_sigma, &a->so, &sbo, &a->sbc_res);
    if (st != GINV_OK) return cli_lib_error(C, st);
    const ginv_sbc_result *r = &a->sbc_res;
    if (!a->quiet) sample_sbc_print(r, a->p.sampler);
    if (!r->pass)
        fprintf(stderr, "ginv sample: warning: SBC ranks not uniform: min p %.3g <= %g / %d (Bonferroni): the "
                "sampler does not sample this posterior, or its draws are autocorrelated (try a larger --thin; "
                "ess per replicate is in the table)\n", r->min_p, r->alpha, r->k);
    int rc = 0;
    if (a->out_dir) {
        char png[32];
        snprintf(png, sizeof png, "sbc_ranks.%s", plot_ext());
        if (ginv_outset_begin(a->out_dir, &a->set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
        char *pp = join(ginv_outset_dir(a->set), png), *np = join(ginv_outset_dir(a->set), "sbc_ranks.npy");
        float *rk = malloc(sizeof(float) * (size_t)r->R * r->k);
        if (!pp || !np || !rk) rc = cli_oom(C);
        if (!rc) rc = sample_sbc_plot(pp, a->p.sampler, r);
        if (!rc) {
            for (size_t i = 0; i < (size_t)r->R * r->k; i++) rk[i] = (float)r->ranks[i];
            int64_t sh[2] = {r->R, r->k};
            if (ginv_array_write(np, rk, 2, sh) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
        }
        free(pp), free(np), free(rk);
    }
    if (!rc && a->json) {
        cJSON *doc = cli_json_new(C);
        cJSON_AddNumberToObject(doc, "seed", (double)a->seed);
        cJSON_AddNumberToObject(doc, "chain_seed", (double)a->so.seed);
        ginv_sample_params used = a->p;
        used.m = a->m, used.sigma = a->lik_sigma, used.adapt = a->su.adapt, used.chains = r->R;
        if (!used.out_act) used.out_act = used.act;
        cJSON *p = cli_json_table(cJSON_AddObjectToObject(doc, "params"), &ginv_sample_table, &used);
        cJSON_AddNumberToObject(p, "k", a->k);
        cJSON_AddNumberToObject(p, "n", a->n);
        sample_sbc_json(doc, r);
        rc = cli_json_write(C, doc, a->json);
        cJSON_Delete(doc);
    }
    if (!rc && a->set && ginv_outset_commit(a->set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    if (!rc && !r->pass && !a->allow_warnings) rc = CLI_EXIT_WARNINGS;
    return rc;
}

int cmd_sample(int argc, char **argv)
{
    sample_cmd *a = calloc(1, sizeof *a);
    if (!a) return cli_oom(C);
    *a = (sample_cmd){.fig_format = "png", .w1_dirs = 16, .png_scale = 4, .signal_floor = 1e-3,
                      .rhat_target = 1.01, .near = 0.1, .seed = 1, .chain_seed = 1, .sbc_alpha = 0.01};
    cli_opt opts[96];
    int rc = parse_options(a, argc, argv, opts, 96);
    if (rc) {
        free(a);
        return rc == CLI_HELP ? 0 : rc;
    }
    ginv_status st;
    if (!(rc = check_options(a, opts)) && !(rc = draw_problem(a)) && !(rc = chain_inputs(a)) && a->sbc) {
        rc = run_sbc(a);
        sample_release(a);
        free(a);
        return rc;
    }
    if (!rc) {
        a->so.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
        if ((st = ginv_sample_run(a->post, &a->so, &a->res)) == GINV_OK) rc = 0;
        else if (st == GINV_ERR_ARG && a->so.dense && a->so.metric && strstr(ginv_last_error(), "not positive definite"))
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "--metric '%s': %s", a->metric_path, ginv_last_error());
        else rc = cli_lib_error(C, st);
    }
    if (!rc && !(rc = drop_stopped(a)) && !(rc = summarise(a)) && !(rc = trajectory(a))) {
        check_warnings(a);
        if (!a->quiet) print_table(a);
        for (int i = 0; i < a->nwarn; i++) fprintf(stderr, "ginv sample: warning: %s\n", a->warn[i]);
        /* outputs: the trace plot first (it may fail without gnuplot), then
         * arrays into the output set, then the JSON; the set appears in --out
         * as a whole, last, so a failure anywhere publishes nothing there (as
         * in landscape) */
        if (a->out_dir && !(rc = open_outputs(a)) && !(rc = write_figures(a))) rc = write_arrays(a);
        if (!rc && a->json) rc = write_json(a);
        if (!rc && a->set && ginv_outset_commit(a->set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
        if (!rc && a->nwarn && !a->allow_warnings) rc = CLI_EXIT_WARNINGS;
    }
    sample_release(a);
    free(a);
    return rc;
}
