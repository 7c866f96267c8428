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
    /* options: the table's (ginv_landscape_table) and the command's own */
    ginv_landscape_params p;
    const char *truth_path, *out_dir, *json, *fig_format;
    int quiet, trial;
    uint64_t seed;
    /* the problem (borrowed from su, which owns it) */
    ginv_landscape_setup su;
    ginv_net *net;
    ginv_op *op;
    int k, n, d, m;
    ginv_array truth;
    const float *z0;
    double nz0, rho;
    double hb_radius, hb_step; /* --hessian-ball: Daras et al. Lemma B.6 */
    int hb_points;
    ginv_landscape_convexity cvx;
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

/* The option table into a (the task's rows, then the command's own), and
 * the checks. CLI_OK, CLI_HELP or an exit code. */
static int parse_options(landscape_cmd *a, int argc, char **argv)
{
    ginv_landscape_params_init(&a->p);
    cli_opt own[] = {
        {"seed", 0, OPT_U64, &a->seed, "S", "random seed (generator, z0, operator, direction, inits)"},
        {"trial", 0, OPT_INT, &a->trial, "T", "draw trial T's problem (the one `ginv recover` draws as trial T), the direction and inits seeded S + T: what sweep unit (seed S, trial T) measures", 0, 1 << 30},
        {"truth", 0, OPT_STRING, &a->truth_path, "FILE", "z0 (k values, .npy or text) instead of N(0, I)"},
        {"out", 0, OPT_STRING, &a->out_dir, "DIR", "directory for landscape_line.png and landscape_plane.png"},
        {"json", 0, OPT_STRING, &a->json, "FILE", "write the data and results as JSON ('-': stdout)"},
        {"hessian-ball", 0, OPT_DOUBLE, &a->hb_radius, "R", "also Daras et al.'s Lemma B.6: the smallest Hessian eigenvalue of f at z0 and at --hessian-points points uniform in the ball ||z - z0|| <= R ||z0|| (JSON convexity; 0: off)", 0, 100},
        {"hessian-points", 0, OPT_INT, &a->hb_points, "P", "with --hessian-ball: points in the ball", 1, 1 << 20},
        {"hessian-step", 0, OPT_DOUBLE, &a->hb_step, "H", "with --hessian-ball: central-difference step, times ||z0|| (the step decides how many ReLU kinks each difference spans)", 1e-6, 1},
        CLI_QUIET_OPT(a->quiet),
        CLI_FIGURE_OPTS(a->fig_format),
        {0},
    };
    cli_opt opts[64];
    if (cli_table_join(&ginv_landscape_table, &a->p, own, opts, 64)) return cli_error(C, "internal: option table too long");
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
                   "--layers draws trial T's generator of `ginv recover --layers ... --seed S`.\n"
                   "The options above --seed are the parameters a sweep cell may set (same names); a\n"
                   "landscape unit reports the negative point, the Hessian and the basins (docs/sweeps.md).\n"
                   "Outputs are written only after everything succeeded. Exit status: docs/cli.md."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc;
    cli_install_callbacks(a->quiet);
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", a->fig_format))) return rc;
    ginv_status st = ginv_landscape_check(&a->p);
    if (st != GINV_OK) return cli_param_error(C, st);
    if (!a->out_dir) return cli_usage_error(C, "--out DIR is required (the figures go there)");
    struct stat sb;
    if (stat(a->out_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_error_code(C, CLI_EXIT_IO, "--out '%s' exists and is not a directory", a->out_dir);
    return CLI_OK;
}

/* G, A and z0: trial T's scenario, as `ginv recover --seed S` draws it (no
 * noise: f is the noiseless empirical risk of Hand & Voroninski), and the
 * landscape object (ginv_landscape_setup). 0 or an exit code. */
static int draw_problem(landscape_cmd *a)
{
    ginv_status st;
    if (a->truth_path && (st = ginv_array_read(a->truth_path, &a->truth)) != GINV_OK)
        return cli_fail(C, "--truth: %s", ginv_last_error());
    st = ginv_landscape_setup_init(&a->su, &a->p, a->seed, (uint64_t)a->trial, a->truth_path ? a->truth.data : NULL,
                                   ginv_array_count(&a->truth));
    if (st == GINV_ERR_SHAPE && a->truth_path) return cli_fail(C, "--truth '%s': %s", a->truth_path, ginv_last_error());
    if (st != GINV_OK) return cli_param_error(C, st);
    ginv_landscape_setup *su = &a->su;
    a->net = su->net, a->op = su->op, a->z0 = su->z0, a->ls = su->ls;
    a->k = su->k, a->n = su->n, a->m = su->m, a->d = su->d, a->nz0 = su->z0_norm, a->rho = su->rho;
    int k = a->k;
    a->dir = malloc(sizeof(float) * k);
    a->zneg = malloc(sizeof(float) * k);
    a->gneg = malloc(sizeof(float) * k);
    if (!a->dir || !a->zneg || !a->gneg) return cli_oom(C);
    ginv_landscape_set_ctx(a->ls, cli_run_ctx()); /* Ctrl-C: exit 130, nothing written */
    return 0;
}

/* 1. the line t z0; 2. the negative stationary point: golden section on f,
 * bisection on the slope; 3. the Hessian at t* z0 for several steps.
 * 0 or an exit code. */
static int measure_line(landscape_cmd *a)
{
    int k = a->k, points = a->p.points;
    double range = a->p.range;
    ginv_status st;
    a->t = malloc(sizeof(double) * points);
    a->f = malloc(sizeof(double) * points);
    a->gn = malloc(sizeof(double) * points);
    a->sl = malloc(sizeof(double) * points);
    if (!a->t || !a->f || !a->gn || !a->sl) return cli_oom(C);
    for (int i = 0; i < points; i++) a->t[i] = -range + 2 * range * i / (points - 1);
    ginv_landscape_negative neg;
    if ((st = ginv_landscape_line(a->ls, points, a->t, a->f, a->gn, a->sl)) != GINV_OK ||
        (st = ginv_landscape_negative_point(a->ls, range, &neg)) != GINV_OK)
        return cli_lib_error(C, st);
    a->t_neg = neg.t_min, a->f_neg = neg.f_min, a->t_slope = neg.t_slope_zero, a->interior = neg.interior;
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
    int grid = a->p.grid;
    ginv_status st;
    if ((st = ginv_landscape_orth_dir(a->ls, a->seed + (uint64_t)a->trial, a->dir)) != GINV_OK) return cli_lib_error(C, st);
    a->axis = malloc(sizeof(double) * grid);
    a->pf = malloc(sizeof(double) * (size_t)grid * grid);
    if (!a->axis || !a->pf) return cli_error_code(C, CLI_EXIT_RESOURCE, "out of memory for a %d x %d grid", grid, grid);
    for (int i = 0; i < grid; i++) a->axis[i] = -a->p.range + 2 * a->p.range * i / (grid - 1);
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
    so.lr = a->p.lr;
    so.iters = a->p.iters;
    if ((st = ginv_landscape_basins_run(a->ls, &so, a->p.inits, a->seed + (uint64_t)a->trial, a->interior ? a->t_neg : NAN, a->p.radius,
                                        &a->bas)) != GINV_OK)
        return cli_fail(C, "basins: %s", ginv_last_error());
    return 0;
}

/* --hessian-ball: Lemma B.6's smallest eigenvalue in the ball. 0 or an exit code. */
static int measure_convexity(landscape_cmd *a)
{
    if (!(a->hb_radius > 0)) return 0;
    ginv_status st = ginv_landscape_hessian_ball(a->ls, a->hb_radius * a->nz0, a->hb_points, a->hb_step * a->nz0,
                                                 a->seed + (uint64_t)a->trial, &a->cvx);
    return st == GINV_OK ? 0 : cli_lib_error(C, st);
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
           a->f[a->p.points / 2], a->gnn, a->grad_orth);
    for (int s = 0; s < NSTEPS; s++)
        printf("  Hessian (step %.0e ||z0||): eigenvalues %.3e .. %.3e -> %s\n", steps[s], a->eigs[s][0],
               a->eigs[s][k - 1], classify(k, a->eigs[s]));
    printf("basins (GD, lr %g, %d iters, %d inits, radius %g): near z0 %d, near t* z0 %d, elsewhere %d\n", a->p.lr,
           a->p.iters, a->p.inits, a->p.radius, a->bas.n_pos, a->bas.n_neg, a->bas.n_other);
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
    if ((rc = plot_lines_marked(a->tmp_line, title, "t (z = t z0)", "value (log scale)", 2, names, a->p.points, a->t,
                                ys, 1, 3, marks, mlab)))
        return rc;
    snprintf(title, sizeof title, "log10 f (clipped at 1e-4 max f) on the plane a z0 + b ||z0|| u, u orthogonal to z0, d = %d, seed %llu",
             d, (unsigned long long)a->seed);
    return plot_heatmap(a->tmp_plane, title, "a (along z0)", "b (along u, units of ||z0||)", a->p.grid, a->axis, a->p.grid,
                        a->axis, a->pf, "log10 f");
}

/* the JSON's "seed", "params", "z0" and "negative" */
static void json_params_negative(cJSON *doc, const landscape_cmd *a)
{
    int k = a->k;
    cJSON_AddNumberToObject(doc, "seed", (double)a->seed);
    cJSON_AddNumberToObject(doc, "trial", a->trial);
    ginv_landscape_params used = a->p;
    used.m = a->m;
    if (!used.out_act) used.out_act = used.act;
    cJSON *p = cli_json_table(cJSON_AddObjectToObject(doc, "params"), &ginv_landscape_table, &used);
    if (a->truth_path) cJSON_AddStringToObject(p, "truth", a->truth_path);
    cJSON_AddNumberToObject(p, "k", k);
    cJSON_AddNumberToObject(p, "n", a->n);
    cJSON_AddNumberToObject(p, "d", a->d);
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
    if (a->hb_radius > 0) { /* Daras et al. Lemma B.6; their L = 2^d f (weights N(0, 2/n_i)) */
        cJSON *cv = cJSON_AddObjectToObject(doc, "convexity");
        cJSON_AddNumberToObject(cv, "radius", a->hb_radius);
        cJSON_AddNumberToObject(cv, "points", a->hb_points);
        cJSON_AddNumberToObject(cv, "step", a->hb_step);
        cJSON_AddItemToObject(cv, "lambda_min_at_z0", cli_json_num(a->cvx.at_z0));
        cJSON_AddItemToObject(cv, "lambda_min", cli_json_num(a->cvx.min));
        cJSON_AddItemToObject(cv, "lambda_min_mean", cli_json_num(a->cvx.mean));
        cJSON_AddItemToObject(cv, "frac_positive", cli_json_num(a->cvx.frac_positive));
        cJSON_AddNumberToObject(cv, "daras_scale", ldexp(1, a->d));
    }
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
    int points = a->p.points, grid = a->p.grid, inits = a->p.inits;
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
    free(a->dir);
    free(a->zneg);
    free(a->gneg);
    ginv_landscape_basins_release(&a->bas);
    ginv_array_release(&a->truth);
    ginv_landscape_setup_release(&a->su);
}

int cmd_landscape(int argc, char **argv)
{
    landscape_cmd *a = calloc(1, sizeof *a);
    if (!a) return cli_oom(C);
    *a = (landscape_cmd){.fig_format = "png", .seed = 1, .hb_points = 50, .hb_step = 0.03};
    int rc = parse_options(a, argc, argv);
    if (rc) {
        free(a);
        return rc == CLI_HELP ? 0 : rc;
    }
    if (!(rc = draw_problem(a)) && !(rc = measure_line(a)) && !(rc = measure_plane_and_basins(a)) &&
        !(rc = measure_convexity(a))) {
        if (!a->quiet) print_summary(a);
        if (!a->quiet && a->hb_radius > 0)
            printf("Hessian in the ball of radius %g ||z0|| (%d points, step %g ||z0||): smallest eigenvalue %.4g at z0, "
                   "min %.4g, mean %.4g, fraction > 0 %.3f; times 2^d = %g (Daras's L, Lemma B.6: 1 at z0, >= 0.9): "
                   "%.4g at z0, min %.4g\n", a->hb_radius, a->hb_points, a->hb_step, a->cvx.at_z0, a->cvx.min,
                   a->cvx.mean, a->cvx.frac_positive, ldexp(1, a->d), ldexp(a->cvx.at_z0, a->d), ldexp(a->cvx.min, a->d));
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
