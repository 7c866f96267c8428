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

enum { NSTEPS = 4 };
static const double steps[NSTEPS] = {1e-4, 1e-3, 1e-2, 1e-1}; /* Hessian steps, units of ||z0|| */
static const char *const C = "landscape";

/* The options and everything measured, so that each step below is a
 * function of it. */
typedef struct {
    /* options */
    const char *model, *layers, *opspec, *truth_path, *out_dir, *json, *fig_format;
    int m, points, grid, inits, iters, quiet;
    double range, lr, radius;
    uint64_t seed;
    ginv_layer spec[128];
    int nspec;
    /* the problem */
    ginv_net *net;
    ginv_op *op;
    ginv_op_spec ops;
    int have_ops, k, n, d;  /* d: ReLU layers */
    ginv_array truth;
    float *z0;
    double nz0, rho;
    ginv_landscape *ls;
    /* the line, the negative stationary point, its Hessians */
    double *t, *f, *gn, *sl;
    double t_neg, f_neg, t_slope, gnn, grad_orth;
    int interior;
    float *zneg, *gneg;
    double *H, *eigs[NSTEPS];
    /* the plane and the basins */
    float *dir;
    double *axis, *pf;
    ginv_landscape_basins bas;
    /* outputs */
    char png_line[4096], png_plane[4096], tmp_line[4096], tmp_plane[4096];
    ginv_outset *set;       /* the figures appear in --out together */
} landscape_cmd;

/* The option table into a, and the checks. CLI_OK, CLI_HELP or an exit code. */
static int parse_options(landscape_cmd *a, int argc, char **argv)
{
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &a->model, "FILE", "generator model file (.safetensors)"},
        {"layers", 0, OPT_STRING, &a->layers, "K,N1,..,ND", "instead of --model: a random bias-free ReLU generator, W_i ~ N(0, 1/n_i)"},
        {"op", 0, OPT_STRING, &a->opspec, "SPEC", CLI_OP_HELP},
        {"m", 0, OPT_INT, &a->m, "M", GINV_M_HELP, 1, 1 << 24},
        {"seed", 0, OPT_U64, &a->seed, "S", "random seed (generator, z0, operator, direction, inits)"},
        {"truth", 0, OPT_STRING, &a->truth_path, "FILE", "z0 (k values, .npy or text) instead of N(0, I)"},
        {"points", 0, OPT_INT, &a->points, "N", "points on the line t z0, t in [-R, R]", 3, 100000},
        {"range", 0, OPT_DOUBLE, &a->range, "R", "half-width of the line and the plane, in units of ||z0||", 0.01, 1000},
        {"grid", 0, OPT_INT, &a->grid, "G", "the plane is a G x G grid", 2, 1001},
        {"inits", 0, OPT_INT, &a->inits, "I", "random initialisations for the basins (GD)", 1, 1 << 20},
        {"iters", 0, OPT_INT, &a->iters, "T", "GD iterations per initialisation", 0, 1 << 30},
        {"lr", 0, OPT_DOUBLE, &a->lr, "ETA", "GD step size", 1e-12, 1e12},
        {"radius", 0, OPT_DOUBLE, &a->radius, "E", "an init ends near a point when within E ||z0|| of it", 1e-9, 10},
        {"out", 0, OPT_STRING, &a->out_dir, "DIR", "directory for landscape_line.png and landscape_plane.png"},
        {"json", 0, OPT_STRING, &a->json, "FILE", "write the data and results as JSON ('-': stdout)"},
        CLI_QUIET_OPT(a->quiet),
        CLI_FIGURE_OPTS(a->fig_format),
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
    if (rc) return rc;
    cli_install_callbacks(a->quiet);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", a->fig_format))) return rc;
    if (!!a->model == !!a->layers) return cli_usage_error(C, "give exactly one of --model FILE or --layers K,N1,..,ND");
    if (!a->out_dir) return cli_usage_error(C, "--out DIR is required (the figures go there)");
    struct stat sb;
    if (stat(a->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_error_code(C, CLI_EXIT_IO, "--out '%s' exists and is not a directory", a->out_dir);
    if (a->layers && (rc = cli_build_spec(C, a->layers, "relu", NULL, 0.2, 0, a->spec, &a->nspec))) return rc;
    return CLI_OK;
}

/* G, A and z0: trial 0's scenario, as `ginv recover --seed S` draws it (no
 * noise: f is the noiseless empirical risk of Hand & Voroninski); then the
 * landscape object. 0 or an exit code. */
static int draw_problem(landscape_cmd *a)
{
    ginv_status st;
    if (a->model && (st = ginv_net_load(a->model, &a->net)) != GINV_OK) return cli_lib_error(C, st);
    if ((st = ginv_op_spec_parse(&a->ops, a->opspec, a->m)) != GINV_OK) return cli_fail(C, "--op: %s", ginv_last_error());
    a->have_ops = 1;
    ginv_scenario sc;
    ginv_scenario_opts sco;
    cli_scenario_opts(&sco, a->net, a->spec, a->nspec, &a->ops, a->seed);
    if (a->truth_path) {
        int kk = a->net ? ginv_net_in(a->net) : a->spec[0].in;
        if ((st = ginv_array_read(a->truth_path, &a->truth)) != GINV_OK) return cli_fail(C, "--truth: %s", ginv_last_error());
        if (ginv_array_count(&a->truth) != (size_t)kk)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--truth '%s' holds %zu values; expected %d", a->truth_path,
                                  ginv_array_count(&a->truth), kk);
        sco.truth = a->truth.data;
    }
    if ((st = ginv_scenario_draw(&sc, &sco)) != GINV_OK) {
        ginv_scenario_release(&sc);
        return cli_fail(C, "--op: %s", ginv_last_error());
    }
    a->net = sc.net, a->op = sc.op, a->z0 = sc.z0, a->m = sc.m; /* owned here from now on */
    sc.owns_net = 0, sc.op = NULL, sc.z0 = NULL;
    ginv_scenario_release(&sc);
    int k = a->k = ginv_net_in(a->net);
    a->n = ginv_net_out(a->net);
    for (int i = 0; i < ginv_net_nlayers(a->net); i++) a->d += ginv_net_layer_c(a->net, i)->kind == GINV_LAYER_RELU;
    a->rho = a->d >= 1 ? ginv_theory_rho(a->d) : NAN;
    a->dir = malloc(sizeof(float) * k);
    a->zneg = malloc(sizeof(float) * k);
    a->gneg = malloc(sizeof(float) * k);
    if (!a->dir || !a->zneg || !a->gneg) return cli_oom(C);
    for (int i = 0; i < k; i++) a->nz0 += (double)a->z0[i] * a->z0[i];
    a->nz0 = sqrt(a->nz0);
    if (k < 2) return cli_error_code(C, CLI_EXIT_USAGE, "the plane needs a latent size k >= 2 (the generator has k = %d)", k);
    int cap = a->points;
    if (cap < 2 * k) cap = 2 * k;
    if (cap < (a->inits < 1024 ? a->inits : 1024)) cap = a->inits < 1024 ? a->inits : 1024;
    if (cap < 64) cap = 64;
    if ((st = ginv_landscape_new(&a->ls, a->net, a->op, a->z0, cap)) != GINV_OK) return cli_lib_error(C, st);
    ginv_landscape_set_ctx(a->ls, cli_run_ctx()); /* Ctrl-C: exit 130, nothing written */
    return 0;
}

/* 1. the line t z0; 2. the negative stationary point: golden section on f,
 * bisection on the slope; 3. the Hessian at t* z0 for several steps.
 * 0 or an exit code. */
static int measure_line(landscape_cmd *a)
{
    int k = a->k, points = a->points;
    double range = a->range;
    ginv_status st;
    a->t = malloc(sizeof(double) * points);
    a->f = malloc(sizeof(double) * points);
    a->gn = malloc(sizeof(double) * points);
    a->sl = malloc(sizeof(double) * points);
    if (!a->t || !a->f || !a->gn || !a->sl) return cli_oom(C);
    for (int i = 0; i < points; i++) a->t[i] = -range + 2 * range * i / (points - 1);
    if ((st = ginv_landscape_line(a->ls, points, a->t, a->f, a->gn, a->sl)) != GINV_OK ||
        (st = ginv_landscape_ray_min(a->ls, -range, 0.0, &a->t_neg, &a->f_neg)) != GINV_OK ||
        (st = ginv_landscape_slope_zero(a->ls, -range, -1e-6 * range, &a->t_slope)) != GINV_OK)
        return cli_lib_error(C, st);
    a->interior = a->t_neg > -range * (1 - 1e-6) && a->t_neg < -1e-6 * range;
    for (int i = 0; i < k; i++) a->zneg[i] = (float)(a->t_neg * a->z0[i]);
    double fz;
    if ((st = ginv_landscape_eval(a->ls, 1, a->zneg, &fz, a->gneg)) != GINV_OK) return cli_lib_error(C, st);
    double gnn = 0, gpar = 0;
    for (int i = 0; i < k; i++) {
        gnn += (double)a->gneg[i] * a->gneg[i];
        gpar += (double)a->gneg[i] * a->z0[i] / a->nz0;
    }
    a->grad_orth = sqrt(fmax(0, gnn - gpar * gpar));
    a->gnn = sqrt(gnn);
    if (!(a->H = malloc(sizeof(double) * k * k))) return cli_oom(C);
    for (int s = 0; s < NSTEPS; s++) {
        if (!(a->eigs[s] = malloc(sizeof(double) * k))) return cli_oom(C);
        if ((st = ginv_landscape_hessian(a->ls, a->zneg, steps[s] * a->nz0, a->H)) != GINV_OK ||
            (st = ginv_landscape_eigvals(k, a->H, a->eigs[s])) != GINV_OK)
            return cli_lib_error(C, st);
    }
    return 0;
}

/* 4. the plane through z0 and a random orthogonal direction; 5. the basins
 * of plain GD. 0 or an exit code. */
static int measure_plane_and_basins(landscape_cmd *a)
{
    int grid = a->grid;
    ginv_status st;
    if ((st = ginv_landscape_orth_dir(a->ls, a->seed, a->dir)) != GINV_OK) return cli_lib_error(C, st);
    a->axis = malloc(sizeof(double) * grid);
    a->pf = malloc(sizeof(double) * (size_t)grid * grid);
    if (!a->axis || !a->pf) return cli_error_code(C, CLI_EXIT_RESOURCE, "out of memory for a %d x %d grid", grid, grid);
    for (int i = 0; i < grid; i++) a->axis[i] = -a->range + 2 * a->range * i / (grid - 1);
    if ((st = ginv_landscape_plane(a->ls, a->dir, grid, a->axis, grid, a->axis, a->pf)) != GINV_OK)
        return cli_lib_error(C, st);
    /* log10 f, clipped 4 decades below the maximum so that f = 0 at z0 stays finite */
    double fmx = 0;
    for (size_t i = 0; i < (size_t)grid * grid; i++) fmx = fmax(fmx, a->pf[i]);
    double floor_ = fmx > 0 ? 1e-4 * fmx : 1e-12;
    for (size_t i = 0; i < (size_t)grid * grid; i++) a->pf[i] = log10(fmax(a->pf[i], floor_));
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_gd;
    so.lr = a->lr;
    so.iters = a->iters;
    if ((st = ginv_landscape_basins_run(a->ls, &so, a->inits, a->seed, a->interior ? a->t_neg : NAN, a->radius,
                                        &a->bas)) != GINV_OK)
        return cli_fail(C, "basins: %s", ginv_last_error());
    return 0;
}

static void print_summary(const landscape_cmd *a)
{
    int k = a->k, d = a->d;
    double rho = a->rho, t_neg = a->t_neg;
    printf("generator k = %d, n = %d, d = %d ReLU layers; operator %s, m = %d; ||z0|| = %.4f\n", k, a->n, d,
           ginv_op_name(a->op), a->m, a->nz0);
    printf("negative ray: minimiser t* = %.6f (slope zero %.6f), -t* = %.4f vs rho_%d = %.4f (%+.1f%%)%s\n",
           t_neg, a->t_slope, -t_neg, d, rho, 100 * (-t_neg - rho) / rho, a->interior ? "" : "  [at the end of the range]");
    printf("  f(t* z0) = %.4e vs f(0) = %.4e; ||grad f|| = %.3e, of which orthogonal to z0 %.3e\n", a->f_neg,
           a->f[a->points / 2], a->gnn, a->grad_orth);
    for (int s = 0; s < NSTEPS; s++)
        printf("  Hessian (step %.0e ||z0||): eigenvalues %.3e .. %.3e -> %s\n", steps[s], a->eigs[s][0],
               a->eigs[s][k - 1], classify(k, a->eigs[s]));
    printf("basins (GD, lr %g, %d iters, %d inits, radius %g): near z0 %d, near t* z0 %d, elsewhere %d\n", a->lr,
           a->iters, a->inits, a->radius, a->bas.n_pos, a->bas.n_neg, a->bas.n_other);
}

/* The output set and the two figures in it. 0 or an exit code. */
static int write_figures(landscape_cmd *a)
{
    if (ginv_outset_begin(a->out_dir, &a->set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    const char *sd = ginv_outset_dir(a->set);
    size_t need = strlen(strlen(a->out_dir) > strlen(sd) ? a->out_dir : sd) + 32;
    if (need > sizeof a->png_line) return cli_error_code(C, CLI_EXIT_IO, "--out '%s': the path is too long", a->out_dir);
    snprintf(a->png_line, sizeof a->png_line, "%s/landscape_line.%s", a->out_dir, plot_ext());
    snprintf(a->png_plane, sizeof a->png_plane, "%s/landscape_plane.%s", a->out_dir, plot_ext());
    snprintf(a->tmp_line, sizeof a->tmp_line, "%s/landscape_line.png", sd);
    snprintf(a->tmp_plane, sizeof a->tmp_plane, "%s/landscape_plane.png", sd);
    int d = a->d, rc;
    char title[256], lab_neg[64], lab_rho[64];
    snprintf(title, sizeof title, "f(t z0) = 1/2 ||A G(t z0) - A G(z0)||^2, k = %d, n = %d, m = %d, d = %d, seed %llu",
             a->k, a->n, a->m, d, (unsigned long long)a->seed);
    snprintf(lab_neg, sizeof lab_neg, "measured t* = %.3f", a->t_neg);
    snprintf(lab_rho, sizeof lab_rho, "t = -rho_%d = %.3f", d, -a->rho);
    const char *names[2] = {"f(t z0)", "||grad f(t z0)||"};
    const double *ys[2] = {a->f, a->gn};
    double marks[3] = {1.0, -a->rho, a->t_neg};
    const char *mlab[3] = {"t = 1 (z0)", lab_rho, lab_neg};
    if ((rc = plot_lines_marked(a->tmp_line, title, "t (z = t z0)", "value (log scale)", 2, names, a->points, a->t,
                                ys, 1, 3, marks, mlab)))
        return rc;
    snprintf(title, sizeof title, "log10 f (clipped at 1e-4 max f) on the plane a z0 + b ||z0|| u, u orthogonal to z0, d = %d, seed %llu",
             d, (unsigned long long)a->seed);
    return plot_heatmap(a->tmp_plane, title, "a (along z0)", "b (along u, units of ||z0||)", a->grid, a->axis, a->grid,
                        a->axis, a->pf, "log10 f");
}

/* the JSON's "seed", "params", "z0" and "negative" */
static void json_params_negative(cJSON *doc, const landscape_cmd *a)
{
    int k = a->k;
    cJSON_AddNumberToObject(doc, "seed", (double)a->seed);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    if (a->model) cJSON_AddStringToObject(p, "model", a->model);
    if (a->layers) cJSON_AddStringToObject(p, "layers", a->layers);
    if (a->truth_path) cJSON_AddStringToObject(p, "truth", a->truth_path);
    cJSON_AddNumberToObject(p, "k", k);
    cJSON_AddNumberToObject(p, "n", a->n);
    cJSON_AddNumberToObject(p, "d", a->d);
    cJSON_AddStringToObject(p, "op", a->opspec);
    cJSON_AddNumberToObject(p, "m", a->m);
    cJSON_AddNumberToObject(p, "points", a->points);
    cJSON_AddNumberToObject(p, "range", a->range);
    cJSON_AddNumberToObject(p, "grid", a->grid);
    cJSON_AddNumberToObject(p, "inits", a->inits);
    cJSON_AddNumberToObject(p, "iters", a->iters);
    cJSON_AddNumberToObject(p, "lr", a->lr);
    cJSON_AddNumberToObject(p, "radius", a->radius);
    cJSON_AddItemToObject(doc, "z0", cJSON_CreateFloatArray(a->z0, k));
    cJSON_AddItemToObject(doc, "z0_norm", cli_json_num(a->nz0));
    cJSON *neg = cJSON_AddObjectToObject(doc, "negative");
    cJSON_AddItemToObject(neg, "t_min", cli_json_num(a->t_neg));
    cJSON_AddItemToObject(neg, "f_min", cli_json_num(a->f_neg));
    cJSON_AddItemToObject(neg, "t_slope_zero", cli_json_num(a->t_slope));
    cJSON_AddItemToObject(neg, "measured_rho", cli_json_num(-a->t_neg));
    cJSON_AddItemToObject(neg, "rho_d", cli_json_num(a->rho));
    cJSON_AddItemToObject(neg, "rel_diff", cli_json_num((-a->t_neg - a->rho) / a->rho));
    cJSON_AddBoolToObject(neg, "interior", a->interior);
    cJSON_AddItemToObject(neg, "grad_norm", cli_json_num(a->gnn));
    cJSON_AddItemToObject(neg, "grad_norm_orthogonal", cli_json_num(a->grad_orth));
    cJSON *hs = cJSON_AddArrayToObject(neg, "hessian");
    for (int s = 0; s < NSTEPS; s++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "step", steps[s]);
        cJSON_AddItemToObject(o, "eigenvalues", cJSON_CreateDoubleArray(a->eigs[s], k));
        cJSON_AddStringToObject(o, "kind", classify(k, a->eigs[s]));
        cJSON_AddItemToArray(hs, o);
    }
}

/* the JSON's "line", "plane", "basins" and "files" */
static void json_measurements(cJSON *doc, const landscape_cmd *a)
{
    int points = a->points, grid = a->grid, inits = a->inits;
    const double *t = a->t, *f = a->f;
    cJSON *line = cJSON_AddObjectToObject(doc, "line");
    cJSON_AddItemToObject(line, "t", cJSON_CreateDoubleArray(t, points));
    cJSON_AddItemToObject(line, "f", cJSON_CreateDoubleArray(f, points));
    cJSON_AddItemToObject(line, "grad_norm", cJSON_CreateDoubleArray(a->gn, points));
    cJSON_AddItemToObject(line, "slope", cJSON_CreateDoubleArray(a->sl, points));
    cJSON *lm = cJSON_AddArrayToObject(line, "local_minima");
    for (int i = 0; i < points; i++) {
        int left = i == 0 || f[i] <= f[i - 1], right = i == points - 1 || f[i] <= f[i + 1];
        if (left && right) cJSON_AddItemToArray(lm, cJSON_CreateNumber(t[i]));
    }
    cJSON *pl = cJSON_AddObjectToObject(doc, "plane");
    cJSON_AddItemToObject(pl, "direction", cJSON_CreateFloatArray(a->dir, a->k));
    cJSON_AddItemToObject(pl, "a", cJSON_CreateDoubleArray(a->axis, grid));
    cJSON_AddItemToObject(pl, "b", cJSON_CreateDoubleArray(a->axis, grid));
    cJSON *rows = cJSON_AddArrayToObject(pl, "log10_f_clipped");
    for (int j = 0; j < grid; j++) cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(a->pf + (size_t)j * grid, grid));
    const ginv_landscape_basins *bas = &a->bas;
    cJSON *b = cJSON_AddObjectToObject(doc, "basins");
    cJSON_AddNumberToObject(b, "inits", inits);
    cJSON_AddNumberToObject(b, "near_z0", bas->n_pos);
    cJSON_AddNumberToObject(b, "near_negative", bas->n_neg);
    cJSON_AddNumberToObject(b, "elsewhere", bas->n_other);
    cJSON_AddNumberToObject(b, "frac_near_z0", (double)bas->n_pos / inits);
    cJSON_AddNumberToObject(b, "frac_near_negative", (double)bas->n_neg / inits);
    cJSON_AddNumberToObject(b, "frac_elsewhere", (double)bas->n_other / inits);
    cJSON_AddItemToObject(b, "dist_z0", cJSON_CreateDoubleArray(bas->dist_pos, inits));
    cJSON_AddItemToObject(b, "dist_negative", cJSON_CreateDoubleArray(bas->dist_neg, inits));
    cJSON_AddItemToObject(b, "f", cJSON_CreateDoubleArray(bas->f, inits));
    cJSON *fl = cJSON_AddObjectToObject(doc, "files");
    cJSON_AddStringToObject(fl, "line", a->png_line);
    cJSON_AddStringToObject(fl, "plane", a->png_plane);
}

static void landscape_release(landscape_cmd *a)
{
    ginv_outset_free(a->set);
    for (int s = 0; s < NSTEPS; s++) free(a->eigs[s]);
    free(a->H);
    free(a->axis);
    free(a->pf);
    free(a->t);
    free(a->f);
    free(a->gn);
    free(a->sl);
    ginv_free(a->z0);
    free(a->dir);
    free(a->zneg);
    free(a->gneg);
    ginv_landscape_basins_release(&a->bas);
    ginv_landscape_free(a->ls);
    ginv_op_free(a->op);
    if (a->have_ops) ginv_op_spec_release(&a->ops);
    ginv_array_release(&a->truth);
    ginv_net_free(a->net);
}

int cmd_landscape(int argc, char **argv)
{
    landscape_cmd *a = calloc(1, sizeof *a);
    if (!a) return cli_oom(C);
    *a = (landscape_cmd){.opspec = "identity", .fig_format = "png", .points = 201, .grid = 41, .inits = 20,
                         .iters = 500, .range = 2.0, .lr = 1.0, .radius = 0.1, .seed = 1};
    int rc = parse_options(a, argc, argv);
    if (rc) {
        free(a);
        return rc == CLI_HELP ? 0 : rc;
    }
    if (!(rc = draw_problem(a)) && !(rc = measure_line(a)) && !(rc = measure_plane_and_basins(a))) {
        if (!a->quiet) print_summary(a);
        /* outputs, only now; on a JSON failure the figures are not committed */
        if (!(rc = write_figures(a)) && a->json) {
            cJSON *doc = cli_json_new(C);
            json_params_negative(doc, a);
            json_measurements(doc, a);
            rc = cli_json_write(C, doc, a->json);
            cJSON_Delete(doc);
        }
        if (!rc && ginv_outset_commit(a->set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    }
    landscape_release(a);
    free(a);
    return rc;
}
