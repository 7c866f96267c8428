/* cmd_landscape.c — `ginv landscape`: the geometry of the noiseless empirical
 * risk f(z) = 1/2 ||A G(z) - A G(z0)||^2 (Hand & Voroninski 2019, §II and
 * Lemma 10): f along the line t z0 and on a plane through it, the negative
 * stationary point against rho_d, its Hessian, the basins of plain GD, as
 * PNG figures and JSON. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "local minimum" / "saddle" / "degenerate" from ascending eigenvalues. */
static const char *classify(int k, const double *eig)
{
    double scale = fmax(fabs(eig[0]), fabs(eig[k - 1])), tol = 1e-3 * scale;
    if (eig[0] > tol) return "local minimum";
    if (eig[0] < -tol && eig[k - 1] > tol) return "saddle";
    if (eig[k - 1] < -tol) return "local maximum";
    return "degenerate";
}

int cmd_landscape(int argc, char **argv)
{
    const char *C = "landscape";
    const char *model = NULL, *layers = NULL, *opspec = "identity", *truth_path = NULL;
    const char *out_dir = NULL, *json = NULL, *fig_format = "png";
    int m = 0, points = 201, grid = 41, inits = 20, iters = 500, quiet = 0;
    double range = 2.0, lr = 1.0, radius = 0.1;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "generator model file (.safetensors)"},
        {"layers", 0, OPT_STRING, &layers, "K,N1,..,ND", "instead of --model: a random bias-free ReLU generator, W_i ~ N(0, 1/n_i)"},
        {"op", 0, OPT_STRING, &opspec, "SPEC", "identity | gaussian (entries N(0, 1/m)) | gaussian-unit (entries N(0, 1), Bora et al.) | subsample[:MASK] | downsample:F | matrix:FILE"},
        {"m", 0, OPT_INT, &m, "M", "number of measurements (gaussian, subsample)", 1, 1 << 24},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (generator, z0, operator, direction, inits)"},
        {"truth", 0, OPT_STRING, &truth_path, "FILE", "z0 (k values, .npy or text) instead of N(0, I)"},
        {"points", 0, OPT_INT, &points, "N", "points on the line t z0, t in [-R, R]", 3, 100000},
        {"range", 0, OPT_DOUBLE, &range, "R", "half-width of the line and the plane, in units of ||z0||", 0.01, 1000},
        {"grid", 0, OPT_INT, &grid, "G", "the plane is a G x G grid", 2, 1001},
        {"inits", 0, OPT_INT, &inits, "I", "random initialisations for the basins (GD)", 1, 1 << 20},
        {"iters", 0, OPT_INT, &iters, "T", "GD iterations per initialisation", 0, 1 << 30},
        {"lr", 0, OPT_DOUBLE, &lr, "ETA", "GD step size", 1e-12, 1e12},
        {"radius", 0, OPT_DOUBLE, &radius, "E", "an init ends near a point when within E ||z0|| of it", 1e-9, 10},
        {"out", 0, OPT_STRING, &out_dir, "DIR", "directory for landscape_line.png and landscape_plane.png"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the data and results as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        CLI_FIGURE_OPTS(fig_format),
        {0},
    };
    cli_cmd cmd = {C, "Map the landscape of f(z) = 1/2 ||A G(z) - A G(z0)||^2 around z0 and -rho_d z0.",
                   "ginv landscape (--model FILE | --layers K,N1,..,ND) [--op SPEC --m M] --out DIR [options]",
                   "Hand & Voroninski (2019, Lemma 10): on random expansive ReLU nets f has stationary\n"
                   "points only near z0 and near -rho_d z0, d the number of ReLU layers. This command\n"
                   "draws z0 ~ N(0, I) (or --truth), y = A G(z0) without noise, and measures:\n"
                   "  - f and ||grad f|| along z = t z0, t in [-R, R] (one batch), the minimiser t* < 0\n"
                   "    of f on the negative ray (golden section) and the zero of the slope\n"
                   "    <grad f, z0>/||z0|| there (bisection), reported as -t* next to rho_d;\n"
                   "  - the Hessian at t* z0 by central differences of grad f, for steps 1e-4, 1e-3,\n"
                   "    1e-2 and 1e-1 times ||z0|| (f is piecewise quadratic: the step decides how\n"
                   "    many ReLU kinks the difference sees), its eigenvalues and their signs;\n"
                   "  - f on the plane a z0 + b ||z0|| u, u a random unit vector orthogonal to z0,\n"
                   "    a, b in [-R, R] (heat map of log10 f);\n"
                   "  - plain GD from I inits N(0, ||z0||^2/k I): the fraction ending within E ||z0||\n"
                   "    of z0, of t* z0, or elsewhere.\n"
                   "--layers draws trial 0's generator of `ginv recover --layers ... --seed S`.\n"
                   "Outputs are written only after everything succeeded. Exit status: docs/cli.md."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(quiet);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    if (!!model == !!layers) return cli_usage_error(C, "give exactly one of --model FILE or --layers K,N1,..,ND");
    if (!out_dir) return cli_usage_error(C, "--out DIR is required (the figures go there)");
    {
        struct stat sb;
        if (stat(out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
            return cli_error_code(C, CLI_EXIT_IO, "--out '%s' exists and is not a directory", out_dir);
    }

    ginv_layer spec[128];
    int nspec = 0;
    if (layers && (rc = cli_build_spec(C, layers, "relu", NULL, 0.2, 0, spec, &nspec))) return rc;

    ginv_net *net = NULL;
    ginv_op *op = NULL;
    ginv_op_spec ops;
    int have_ops = 0;
    ginv_array truth = {0};
    ginv_landscape *ls = NULL;
    ginv_landscape_basins bas = {0};
    double *t = NULL, *f = NULL, *gn = NULL, *sl = NULL, *pf = NULL, *axis = NULL, *H = NULL,
           *eig = NULL;
    float *z0 = NULL, *dir = NULL, *zneg = NULL, *gneg = NULL;
    char *png_line = NULL, *png_plane = NULL, *tmp_line = NULL, *tmp_plane = NULL;
    ginv_outset *set = NULL; /* the figures appear in --out together */
    cJSON *doc = NULL;
    ginv_status st;
    enum { NSTEPS = 4 };
    const double steps[NSTEPS] = {1e-4, 1e-3, 1e-2, 1e-1};
    double *eigs[NSTEPS] = {0};

    if (model && (st = ginv_net_load(model, &net)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    if ((st = ginv_op_spec_parse(&ops, opspec, m)) != GINV_OK) { rc = cli_fail(C, "--op: %s", ginv_last_error()); goto out; }
    have_ops = 1;
    /* G, A and z0: trial 0's scenario, as `ginv recover --seed S` draws it (no noise: f is
     * the noiseless empirical risk of Hand & Voroninski) */
    ginv_scenario sc;
    ginv_scenario_opts sco;
    cli_scenario_opts(&sco, net, spec, nspec, &ops, seed);
    if (truth_path) {
        int kk = net ? ginv_net_in(net) : spec[0].in;
        if ((st = ginv_array_read(truth_path, &truth)) != GINV_OK) { rc = cli_fail(C, "--truth: %s", ginv_last_error()); goto out; }
        if (ginv_array_count(&truth) != (size_t)kk) {
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "--truth '%s' holds %zu values; expected %d", truth_path, ginv_array_count(&truth), kk);
            goto out;
        }
        sco.truth = truth.data;
    }
    if ((st = ginv_scenario_draw(&sc, &sco)) != GINV_OK) {
        ginv_scenario_release(&sc);
        rc = cli_fail(C, "--op: %s", ginv_last_error());
        goto out;
    }
    net = sc.net, op = sc.op, z0 = sc.z0, m = sc.m; /* owned here from now on (freed at out:) */
    sc.owns_net = 0, sc.op = NULL, sc.z0 = NULL;
    ginv_scenario_release(&sc);
    int k = ginv_net_in(net), n = ginv_net_out(net), d = 0;
    (void)n;
    for (int i = 0; i < ginv_net_nlayers(net); i++)
        d += ginv_net_layer_c(net, i)->kind == GINV_LAYER_RELU;
    double rho = d >= 1 ? ginv_theory_rho(d) : NAN;
    dir = malloc(sizeof(float) * k);
    zneg = malloc(sizeof(float) * k);
    gneg = malloc(sizeof(float) * k);
    if (!dir || !zneg || !gneg) { rc = cli_oom(C); goto out; }
    double nz0 = 0;
    for (int i = 0; i < k; i++) nz0 += (double)z0[i] * z0[i];
    nz0 = sqrt(nz0);
    if (k < 2) { rc = cli_error_code(C, CLI_EXIT_USAGE, "the plane needs a latent size k >= 2 (the generator has k = %d)", k); goto out; }
    int cap = points;
    if (cap < 2 * k) cap = 2 * k;
    if (cap < (inits < 1024 ? inits : 1024)) cap = inits < 1024 ? inits : 1024;
    if (cap < 64) cap = 64;
    if ((st = ginv_landscape_new(&ls, net, op, z0, cap)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }

    /* 1. the line t z0 */
    t = malloc(sizeof(double) * points);
    f = malloc(sizeof(double) * points);
    gn = malloc(sizeof(double) * points);
    sl = malloc(sizeof(double) * points);
    if (!t || !f || !gn || !sl) { rc = cli_oom(C); goto out; }
    for (int i = 0; i < points; i++) t[i] = -range + 2 * range * i / (points - 1);
    if ((st = ginv_landscape_line(ls, points, t, f, gn, sl)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }

    /* 2. the negative stationary point: golden section on f, bisection on the slope */
    double t_neg, f_neg, t_slope;
    if ((st = ginv_landscape_ray_min(ls, -range, 0.0, &t_neg, &f_neg)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    if ((st = ginv_landscape_slope_zero(ls, -range, -1e-6 * range, &t_slope)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    int interior = t_neg > -range * (1 - 1e-6) && t_neg < -1e-6 * range;
    for (int i = 0; i < k; i++) zneg[i] = (float)(t_neg * z0[i]);
    double fz;
    if ((st = ginv_landscape_eval(ls, 1, zneg, &fz, gneg)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    double gnn = 0, gpar = 0;
    for (int i = 0; i < k; i++) {
        gnn += (double)gneg[i] * gneg[i];
        gpar += (double)gneg[i] * z0[i] / nz0;
    }
    double grad_orth = sqrt(fmax(0, gnn - gpar * gpar));
    gnn = sqrt(gnn);

    /* 3. Hessian at t* z0 for several steps */
    H = malloc(sizeof(double) * k * k);
    if (!H) { rc = cli_oom(C); goto out; }
    for (int s = 0; s < NSTEPS; s++) {
        eigs[s] = malloc(sizeof(double) * k);
        if (!eigs[s]) { rc = cli_oom(C); goto out; }
        if ((st = ginv_landscape_hessian(ls, zneg, steps[s] * nz0, H)) != GINV_OK ||
            (st = ginv_landscape_eigvals(k, H, eigs[s])) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    }

    /* 4. the plane through z0 and a random orthogonal direction */
    if ((st = ginv_landscape_orth_dir(ls, seed, dir)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    axis = malloc(sizeof(double) * grid);
    pf = malloc(sizeof(double) * (size_t)grid * grid);
    if (!axis || !pf) { rc = cli_error_code(C, CLI_EXIT_RESOURCE, "out of memory for a %d x %d grid", grid, grid); goto out; }
    for (int i = 0; i < grid; i++) axis[i] = -range + 2 * range * i / (grid - 1);
    if ((st = ginv_landscape_plane(ls, dir, grid, axis, grid, axis, pf)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    {   /* log10 f, clipped 4 decades below the maximum so that f = 0 at z0 stays finite */
        double fmx = 0;
        for (size_t i = 0; i < (size_t)grid * grid; i++) fmx = fmax(fmx, pf[i]);
        double floor_ = fmx > 0 ? 1e-4 * fmx : 1e-12;
        for (size_t i = 0; i < (size_t)grid * grid; i++) pf[i] = log10(fmax(pf[i], floor_));
    }

    /* 5. basins of plain GD */
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_gd;
    so.lr = lr;
    so.iters = iters;
    if ((st = ginv_landscape_basins_run(ls, &so, inits, seed, interior ? t_neg : NAN, radius, &bas)) != GINV_OK) {
        rc = cli_fail(C, "basins: %s", ginv_last_error());
        goto out;
    }

    if (!quiet) {
        printf("generator k = %d, n = %d, d = %d ReLU layers; operator %s, m = %d; ||z0|| = %.4f\n", k, n, d,
               ginv_op_name(op), m, nz0);
        printf("negative ray: minimiser t* = %.6f (slope zero %.6f), -t* = %.4f vs rho_%d = %.4f (%+.1f%%)%s\n",
               t_neg, t_slope, -t_neg, d, rho, 100 * (-t_neg - rho) / rho, interior ? "" : "  [at the end of the range]");
        printf("  f(t* z0) = %.4e vs f(0) = %.4e; ||grad f|| = %.3e, of which orthogonal to z0 %.3e\n", f_neg,
               f[points / 2], gnn, grad_orth);
        for (int s = 0; s < NSTEPS; s++)
            printf("  Hessian (step %.0e ||z0||): eigenvalues %.3e .. %.3e -> %s\n", steps[s], eigs[s][0],
                   eigs[s][k - 1], classify(k, eigs[s]));
        printf("basins (GD, lr %g, %d iters, %d inits, radius %g): near z0 %d, near t* z0 %d, elsewhere %d\n", lr,
               iters, inits, radius, bas.n_pos, bas.n_neg, bas.n_other);
    }

    /* outputs, only now */
    if (ginv_outset_begin(out_dir, &set) != GINV_OK) {
        rc = cli_fail(C, "--out: %s", ginv_last_error());
        goto out;
    }
    size_t L = strlen(out_dir) + 32, LT = strlen(ginv_outset_dir(set)) + 32;
    png_line = malloc(L);
    png_plane = malloc(L);
    tmp_line = malloc(LT);
    tmp_plane = malloc(LT);
    if (!png_line || !png_plane || !tmp_line || !tmp_plane) { rc = cli_oom(C); goto out; }
    snprintf(png_line, L, "%s/landscape_line.%s", out_dir, plot_ext());
    snprintf(png_plane, L, "%s/landscape_plane.%s", out_dir, plot_ext());
    snprintf(tmp_line, LT, "%s/landscape_line.png", ginv_outset_dir(set));
    snprintf(tmp_plane, LT, "%s/landscape_plane.png", ginv_outset_dir(set));
    {
        char title[256], lab_neg[64], lab_rho[64];
        snprintf(title, sizeof title, "f(t z0) = 1/2 ||A G(t z0) - A G(z0)||^2, k = %d, n = %d, m = %d, d = %d, seed %llu",
                 k, n, m, d, (unsigned long long)seed);
        snprintf(lab_neg, sizeof lab_neg, "measured t* = %.3f", t_neg);
        snprintf(lab_rho, sizeof lab_rho, "t = -rho_%d = %.3f", d, -rho);
        const char *names[2] = {"f(t z0)", "||grad f(t z0)||"};
        const double *ys[2] = {f, gn};
        double marks[3] = {1.0, -rho, t_neg};
        const char *mlab[3] = {"t = 1 (z0)", lab_rho, lab_neg};
        if ((rc = plot_lines_marked(tmp_line, title, "t (z = t z0)", "value (log scale)", 2, names, points, t,
                                    ys, 1, 3, marks, mlab)))
            goto out;
        snprintf(title, sizeof title, "log10 f (clipped at 1e-4 max f) on the plane a z0 + b ||z0|| u, u orthogonal to z0, d = %d, seed %llu",
                 d, (unsigned long long)seed);
        if ((rc = plot_heatmap(tmp_plane, title, "a (along z0)", "b (along u, units of ||z0||)", grid, axis, grid,
                               axis, pf, "log10 f")))
            goto out;
    }
    if (json) {
        doc = cli_json_new(C);
        cJSON_AddNumberToObject(doc, "seed", (double)seed);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        if (model) cJSON_AddStringToObject(p, "model", model);
        if (layers) cJSON_AddStringToObject(p, "layers", layers);
        if (truth_path) cJSON_AddStringToObject(p, "truth", truth_path);
        cJSON_AddNumberToObject(p, "k", k);
        cJSON_AddNumberToObject(p, "n", n);
        cJSON_AddNumberToObject(p, "d", d);
        cJSON_AddStringToObject(p, "op", opspec);
        cJSON_AddNumberToObject(p, "m", m);
        cJSON_AddNumberToObject(p, "points", points);
        cJSON_AddNumberToObject(p, "range", range);
        cJSON_AddNumberToObject(p, "grid", grid);
        cJSON_AddNumberToObject(p, "inits", inits);
        cJSON_AddNumberToObject(p, "iters", iters);
        cJSON_AddNumberToObject(p, "lr", lr);
        cJSON_AddNumberToObject(p, "radius", radius);
        cJSON_AddItemToObject(doc, "z0", cJSON_CreateFloatArray(z0, k));
        cJSON_AddItemToObject(doc, "z0_norm", cli_json_num(nz0));
        cJSON *neg = cJSON_AddObjectToObject(doc, "negative");
        cJSON_AddItemToObject(neg, "t_min", cli_json_num(t_neg));
        cJSON_AddItemToObject(neg, "f_min", cli_json_num(f_neg));
        cJSON_AddItemToObject(neg, "t_slope_zero", cli_json_num(t_slope));
        cJSON_AddItemToObject(neg, "measured_rho", cli_json_num(-t_neg));
        cJSON_AddItemToObject(neg, "rho_d", cli_json_num(rho));
        cJSON_AddItemToObject(neg, "rel_diff", cli_json_num((-t_neg - rho) / rho));
        cJSON_AddBoolToObject(neg, "interior", interior);
        cJSON_AddItemToObject(neg, "grad_norm", cli_json_num(gnn));
        cJSON_AddItemToObject(neg, "grad_norm_orthogonal", cli_json_num(grad_orth));
        cJSON *hs = cJSON_AddArrayToObject(neg, "hessian");
        for (int s = 0; s < NSTEPS; s++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "step", steps[s]);
            cJSON_AddItemToObject(o, "eigenvalues", cJSON_CreateDoubleArray(eigs[s], k));
            cJSON_AddStringToObject(o, "kind", classify(k, eigs[s]));
            cJSON_AddItemToArray(hs, o);
        }
        cJSON *line = cJSON_AddObjectToObject(doc, "line");
        cJSON_AddItemToObject(line, "t", cJSON_CreateDoubleArray(t, points));
        cJSON_AddItemToObject(line, "f", cJSON_CreateDoubleArray(f, points));
        cJSON_AddItemToObject(line, "grad_norm", cJSON_CreateDoubleArray(gn, points));
        cJSON_AddItemToObject(line, "slope", cJSON_CreateDoubleArray(sl, points));
        cJSON *lm = cJSON_AddArrayToObject(line, "local_minima");
        for (int i = 0; i < points; i++) {
            int left = i == 0 || f[i] <= f[i - 1], right = i == points - 1 || f[i] <= f[i + 1];
            if (left && right) cJSON_AddItemToArray(lm, cJSON_CreateNumber(t[i]));
        }
        cJSON *pl = cJSON_AddObjectToObject(doc, "plane");
        cJSON_AddItemToObject(pl, "direction", cJSON_CreateFloatArray(dir, k));
        cJSON_AddItemToObject(pl, "a", cJSON_CreateDoubleArray(axis, grid));
        cJSON_AddItemToObject(pl, "b", cJSON_CreateDoubleArray(axis, grid));
        cJSON *rows = cJSON_AddArrayToObject(pl, "log10_f_clipped");
        for (int j = 0; j < grid; j++) cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(pf + (size_t)j * grid, grid));
        cJSON *b = cJSON_AddObjectToObject(doc, "basins");
        cJSON_AddNumberToObject(b, "inits", inits);
        cJSON_AddNumberToObject(b, "near_z0", bas.n_pos);
        cJSON_AddNumberToObject(b, "near_negative", bas.n_neg);
        cJSON_AddNumberToObject(b, "elsewhere", bas.n_other);
        cJSON_AddNumberToObject(b, "frac_near_z0", (double)bas.n_pos / inits);
        cJSON_AddNumberToObject(b, "frac_near_negative", (double)bas.n_neg / inits);
        cJSON_AddNumberToObject(b, "frac_elsewhere", (double)bas.n_other / inits);
        cJSON_AddItemToObject(b, "dist_z0", cJSON_CreateDoubleArray(bas.dist_pos, inits));
        cJSON_AddItemToObject(b, "dist_negative", cJSON_CreateDoubleArray(bas.dist_neg, inits));
        cJSON_AddItemToObject(b, "f", cJSON_CreateDoubleArray(bas.f, inits));
        cJSON *fl = cJSON_AddObjectToObject(doc, "files");
        cJSON_AddStringToObject(fl, "line", png_line);
        cJSON_AddStringToObject(fl, "plane", png_plane);
        rc = cli_json_write(C, doc, json); /* on failure the figures are not committed */
    }
    if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
out:
    ginv_outset_free(set);
    free(tmp_line);
    free(tmp_plane);
    cJSON_Delete(doc);
    for (int s = 0; s < NSTEPS; s++) free(eigs[s]);
    free(png_line);
    free(png_plane);
    free(H);
    free(eig);
    free(axis);
    free(pf);
    free(t);
    free(f);
    free(gn);
    free(sl);
    ginv_free(z0);
    free(dir);
    free(zneg);
    free(gneg);
    ginv_landscape_basins_release(&bas);
    ginv_landscape_free(ls);
    ginv_op_free(op);
    if (have_ops) ginv_op_spec_release(&ops);
    ginv_array_release(&truth);
    ginv_net_free(net);
    return rc;
}
