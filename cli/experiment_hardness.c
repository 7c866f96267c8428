/* experiment_hardness.c — `ginv experiment hardness`: the exponential wall of
 * Keles & Hegde (2023). Times `decide` on reduced random instances of growing
 * size — 3-SAT at clause ratio 4.26 (Thms 1 and 2), (0,1)-CVP in l1 (Thm 3)
 * and Vertex Cover in l1 (§5.3) — beside the reference solvers on the
 * original instance (minisat, fplll, cliquer), glpsol and cbc on the MILP
 * decide exports, and gradient descent with restarts on the same nets (how
 * often it finds a YES witness, verified by map-back). Median times per size,
 * a least-squares fit log2(time) = a n + b per solver, a table, JSON and a
 * log-scale plot per family. */
#include "cli.h"
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MAXN = 64, MAXI = 64 };
/* the series timed in every family (a family leaves some out) */
enum { S_DECIDE, S_DECIDE2, S_REF, S_GLPSOL, S_CBC, S_GD, NS };
enum { F_SAT, F_CVP, F_VC, NF };
static const char *const family_names[NF] = {"sat", "cvp", "vertex-cover"};
static const char *const series_names[NF][NS] = {
    {"decide Thm 1 (enum)", "decide Thm 2 (bnb, clamp box)", "minisat", "glpsol", "cbc", "GD Thm 2 net"},
    {"decide Thm 3 (enum)", NULL, "fplll (l2, Z^n)", "glpsol", "cbc", "GD Thm 4 net"},
    {"decide §5.3 (enum)", NULL, "cliquer (complement)", "glpsol", "cbc", "GD relaxed [0,1]^n"},
};
static const char *const series_keys[NF][NS] = {
    {"decide", "decide_thm2", "minisat", "glpsol", "cbc", "gd"},
    {"decide", NULL, "fplll", "glpsol", "cbc", "gd"},
    {"decide", NULL, "cliquer", "glpsol", "cbc", "gd"},
};
static const char *const ref_prog[NF] = {"minisat", "fplll", "cliquer"};

/* one series on one instance */
typedef enum { RUN_NONE = 0, RUN_OK, RUN_TIMEOUT, RUN_ABSENT, RUN_STOPPED, RUN_FAILED } run_state;
static const char *const state_names[] = {"not run", "ok", "timeout", "absent", "stopped", "failed"};
typedef struct {
    run_state state;
    double seconds;
    int answer;        /* 1 YES, 0 NO, -1 none (timing only, or failed) */
} run;
typedef struct {
    uint64_t seed;
    int variant;       /* cvp, vertex-cover: 0 the YES variant, 1 the (mostly) NO one */
    int yes;           /* the instance's answer: decide's, else the reference's; -1 unknown */
    int k;             /* latents of the decide net */
    double param;      /* sat: clauses; cvp: radius; vc: q */
    run r[NS];
    int gd_found;      /* GD's rounded latent mapped back to a certificate */
} instance;
typedef struct {
    int n, ninst, complete;
    instance inst[MAXI];
    double median[NS]; /* INFINITY: more than half timed out; NaN: not run */
    int yes, no, unknown, gd_found, disagree[NS];
} size_row;
typedef struct {
    int ok;
    double a, b, se_a, se_b;
    int points;
    double n_lo, n_hi;
} fit;

typedef struct {
    double timeout, fit_min, budget;
    int instances, gd_restarts, gd_iters;
    double gd_lr;
    uint64_t seed;
    int quiet;
    const char *fams, *outdir, *json;
    int use[NF], nfam;  /* families run */
    int sizes[NF][MAXN], nsizes[NF];
    char tmp[256];
    int have[NF][NS];  /* external program installed */
} config;

/* what a run measured: per family, its sizes and the fits */
typedef struct {
    size_row *rows[NF];
    int nrows[NF];
    fit fits[NF][NS];
    double total;      /* seconds */
} results;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---------------------------------------------------------- external runs */

/* Run argv with the timeout; the state and whole-process wall time. */
static run run_child(const config *cf, const char *const *argv, const char *in, const char *out)
{
    run r = {RUN_FAILED, NAN, -1};
    if (ginv_ctx_cancelled(cli_run_ctx())) { /* Ctrl-C: start no more reference solvers */
        r.state = RUN_STOPPED;
        return r;
    }
    ginv_child_result cr;
    ginv_status st = ginv_child_run(argv, in, out, cf->timeout, &cr);
    if (st == GINV_ERR_UNSUPPORTED) { r.state = RUN_ABSENT; return r; }
    if (st != GINV_OK) return r;
    r.seconds = cr.seconds;
    r.state = cr.timed_out ? RUN_TIMEOUT : RUN_OK;
    if (cr.timed_out) r.seconds = INFINITY;
    return r;
}

static int slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = 0;
    fclose(f);
    return (int)n;
}

/* glpsol and cbc on the exported MILP (min distance): YES iff the optimum
 * <= delta (+ 1e-6 max(1, |x|_inf)), read from their reports. */
static void run_milps(const config *cf, const ginv_net *net, const ginv_problem *pb, instance *I,
                      const int *active)
{
    char lp[300], out[300], buf[1 << 16];
    snprintf(lp, sizeof lp, "%s/m.lp", cf->tmp);
    snprintf(out, sizeof out, "%s/m.out", cf->tmp);
    if (ginv_milp_write_lp(net, pb, lp) != GINV_OK) {
        I->r[S_GLPSOL].state = I->r[S_CBC].state = RUN_FAILED;
        return;
    }
    double s = 1;
    for (int i = 0; i < pb->n; i++) s = fmax(s, fabs(pb->target[i]));
    double thr = (pb->p == GINV_NORM_EXACT ? 0 : pb->delta) + 1e-6 * s;
    if (active[S_GLPSOL]) {
        const char *argv[] = {"glpsol", "--lp", lp, "-o", out, NULL};
        char log[300];
        snprintf(log, sizeof log, "%s/glpsol.log", cf->tmp);
        unlink(out);
        I->r[S_GLPSOL] = run_child(cf, argv, NULL, log);
        const char *o;
        if (I->r[S_GLPSOL].state == RUN_OK && slurp(out, buf, sizeof buf) > 0 && (o = strstr(buf, "obj =")) &&
            strstr(buf, "INTEGER OPTIMAL"))
            I->r[S_GLPSOL].answer = strtod(o + 5, NULL) <= thr;
        else if (I->r[S_GLPSOL].state == RUN_OK)
            I->r[S_GLPSOL].state = RUN_FAILED;
    }
    if (active[S_CBC]) {
        const char *argv[] = {"cbc", lp, "solve", NULL};
        I->r[S_CBC] = run_child(cf, argv, NULL, out);
        const char *o = NULL, *p;
        if (I->r[S_CBC].state == RUN_OK && slurp(out, buf, sizeof buf) > 0 && strstr(buf, "Optimal solution found")) {
            for (p = buf; (p = strstr(p, "Objective value:")); p++) o = p;
        }
        if (o) I->r[S_CBC].answer = strtod(o + 16, NULL) <= thr;
        else if (I->r[S_CBC].state == RUN_OK) I->r[S_CBC].state = RUN_FAILED;
    }
}

/* ------------------------------------------------------------------ decide */

static run run_decide(const config *cf, const ginv_net *net, const ginv_problem *pb,
                      ginv_decide_method m)
{
    run r = {RUN_FAILED, NAN, -1};
    ginv_decide_opts o;
    ginv_decide_opts_init(&o);
    o.method = m;
    o.time_limit = cf->timeout;
    o.max_pruned = 0;
    ginv_decide_result res;
    memset(&res, 0, sizeof res);
    double t0 = now_s();
    o.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
    ginv_status st = ginv_decide(net, pb, &o, &res);
    double t = now_s() - t0;
    if (st != GINV_OK) return r;
    if (res.answer == GINV_ANSWER_UNKNOWN) {
        r.state = RUN_TIMEOUT;
        r.seconds = INFINITY;
    } else {
        r.state = RUN_OK;
        r.seconds = t;
        r.answer = res.answer == GINV_ANSWER_YES;
        /* a YES witness must map back to a certificate of the instance */
        if (res.witness) {
            ginv_witness w;
            if (ginv_reduce_map_back(net, pb, res.witness, &w) != GINV_OK || !w.solves) r.state = RUN_FAILED;
            if (r.state == RUN_FAILED) r.answer = -1;
            ginv_witness_release(&w);
        }
    }
    ginv_decide_result_release(&res);
    return r;
}

/* ------------------------------------------------------------- instances */

/* The reference solver's answer from minisat's result file ("SAT" / "UNSAT");
 * minisat exits 10 or 20, so run_child keeps only the time. */
static void minisat_answer(const char *out, run *r)
{
    if (r->state != RUN_OK) return;
    char buf[16] = "";
    slurp(out, buf, sizeof buf);
    r->answer = !strncmp(buf, "SAT", 3) ? 1 : !strncmp(buf, "UNSAT", 5) ? 0 : -1;
    if (r->answer < 0) r->state = RUN_FAILED;
}

/* the nets of one instance and the answer its builder knows (-1: none) */
typedef struct {
    ginv_net *net, *net2;   /* net2: the real-latent net of sat and cvp */
    ginv_problem pb, pb2;
    int ref_answer;
} reduced;

/* 3-SAT at clause ratio 4.26: the Thm 1 and Thm 2 nets, minisat on the CNF */
static ginv_status build_sat(const config *cf, int n, instance *I, const int *active, reduced *R)
{
    char path[300], out[300];
    ginv_cnf f;
    int m = (int)lround(4.26 * n);
    I->param = m;
    ginv_status st = ginv_cnf_random(&f, n, m, 3, I->seed);
    if (st != GINV_OK) return st;
    snprintf(path, sizeof path, "%s/f.cnf", cf->tmp);
    snprintf(out, sizeof out, "%s/f.minisat", cf->tmp);
    if ((st = ginv_cnf_write(path, &f, "experiment hardness")) == GINV_OK &&
        (st = ginv_reduce_sat_pm1(&f, &R->net, &R->pb)) == GINV_OK)
        st = ginv_reduce_sat_real(&f, &R->net2, &R->pb2);
    ginv_cnf_release(&f);
    if (st != GINV_OK) return st;
    if (active[S_REF]) {
        const char *argv[] = {"minisat", "-verb=0", path, out, NULL};
        I->r[S_REF] = run_child(cf, argv, NULL, NULL);
        minisat_answer(out, &I->r[S_REF]);
    }
    R->pb2.box = ginv_problem_clamp_box(&R->pb2);
    return GINV_OK;
}

/* (0,1)-CVP in l1: a planted target t = B y0 + e, e in {-1,0,1}^d: radius
 * ||e||_1 (a YES) on even instances, half of it on odd ones (mostly NO); the
 * Thm 3 and Thm 4 nets, fplll -a cvp on the lattice */
static ginv_status build_cvp(const config *cf, int n, instance *I, const int *active, reduced *R)
{
    char path[300], out[300];
    ginv_cvp c;
    int d = n + 2;
    ginv_status st = ginv_cvp_random(&c, n, d, 6, 0, I->seed);
    if (st != GINV_OK) return st;
    ginv_rng rng;
    ginv_rng_init(&rng, I->seed, GINV_STREAM_LATTICE, 1);
    double e1 = 0;
    for (int j = 0; j < d; j++) {
        int e = (int)ginv_rng_below(&rng, 3) - 1;
        c.target[j] += e;
        e1 += abs(e);
    }
    double r = I->variant ? floor(e1 / 2) : e1;
    I->param = r;
    snprintf(path, sizeof path, "%s/l.fplll", cf->tmp);
    st = ginv_cvp_write_fplll(path, &c);
    if (st == GINV_OK && (st = ginv_reduce_cvp_01(&c, r, 1, &R->net, &R->pb)) == GINV_OK)
        st = ginv_reduce_cvp_real(&c, r, 1, &R->net2, &R->pb2);
    ginv_cvp_release(&c);
    if (st != GINV_OK) return st;
    if (active[S_REF]) {
        const char *argv[] = {"fplll", "-a", "cvp", NULL};
        snprintf(out, sizeof out, "%s/l.out", cf->tmp);
        I->r[S_REF] = run_child(cf, argv, path, out);
    }
    return GINV_OK;
}

/* Vertex cover of G(n, 1/2) in l1: q = tau (YES) on even instances, tau - 1
 * (NO) on odd ones, tau = n - alpha from the exact independent set; the §5.3
 * net, cliquer on the complement (its largest clique is alpha) */
static ginv_status build_vc(const config *cf, int n, instance *I, const int *active, reduced *R)
{
    char path[300], out[300];
    ginv_graph g, gc = {0};
    ginv_status st = ginv_graph_random(&g, n, 0.5, 1, I->seed);
    if (st != GINV_OK) return st;
    int alpha = 0;
    if ((st = ginv_graph_max_independent_set(&g, NULL, &alpha)) != GINV_OK) {
        ginv_graph_release(&g);
        return st;
    }
    int tau = n - alpha, q = I->variant && tau > 0 ? tau - 1 : tau;
    I->param = q;
    snprintf(path, sizeof path, "%s/gc.col", cf->tmp);
    snprintf(out, sizeof out, "%s/gc.out", cf->tmp);
    if ((st = ginv_graph_complement(&g, &gc)) == GINV_OK && (st = ginv_graph_write(path, &gc, NULL)) == GINV_OK)
        st = ginv_reduce_vertex_cover(&g, q, 1, &R->net, &R->pb);
    ginv_graph_release(&gc);
    ginv_graph_release(&g);
    if (st != GINV_OK) return st;
    if (active[S_REF]) {
        const char *argv[] = {"cliquer", "-u", "-q", "-q", path, NULL};
        run *r = &I->r[S_REF];
        *r = run_child(cf, argv, NULL, out);
        char buf[4096];
        const char *sz;
        if (r->state == RUN_OK && slurp(out, buf, sizeof buf) > 0 && (sz = strstr(buf, "size=")))
            r->answer = q >= n - atoi(sz + 5);
        else if (r->state == RUN_OK)
            r->state = RUN_FAILED;
    }
    R->ref_answer = q >= tau;
    return GINV_OK;
}

/* GD on the real-latent net (unconstrained: no box) or the binary one relaxed */
static run run_gd(const config *cf, reduced *R, instance *I)
{
    ginv_gd_search_opts o;
    ginv_gd_search_opts_init(&o);
    o.restarts = cf->gd_restarts;
    o.iters = cf->gd_iters;
    o.lr = cf->gd_lr;
    o.seed = I->seed;
    ginv_net *gnet = R->net2 ? R->net2 : R->net;
    ginv_problem *gpb = R->net2 ? &R->pb2 : &R->pb;
    if (R->net2) gpb->box = 0;
    double t0 = now_s();
    ginv_status st = ginv_reduce_gd_search(gnet, gpb, &o, &I->gd_found);
    /* GD gives no answer: found or not */
    return (run){st == GINV_OK ? RUN_OK : RUN_FAILED, now_s() - t0, -1};
}

/* Build instance I of family fam at size n, run every active series on it.
 * Returns 0, or an exit code after printing the error. */
static int run_instance(const char *C, const config *cf, int fam, int n, instance *I, const int *active)
{
    reduced R = {.ref_answer = -1};
    for (int s = 0; s < NS; s++)
        I->r[s] = (run){!cf->have[fam][s] ? RUN_ABSENT : active[s] ? RUN_NONE : RUN_STOPPED, NAN, -1};
    I->yes = -1;
    I->gd_found = 0;
    ginv_status st = fam == F_SAT ? build_sat(cf, n, I, active, &R)
                   : fam == F_CVP ? build_cvp(cf, n, I, active, &R)
                                  : build_vc(cf, n, I, active, &R);
    int rc = st != GINV_OK ? cli_lib_error(C, st) : 0;
    if (!rc) {
        I->k = ginv_net_in(R.net);
        if (active[S_DECIDE]) I->r[S_DECIDE] = run_decide(cf, R.net, &R.pb, GINV_DECIDE_AUTO);
        if (active[S_DECIDE2] && R.net2) I->r[S_DECIDE2] = run_decide(cf, R.net2, &R.pb2, GINV_DECIDE_BNB);
        run_milps(cf, R.net, &R.pb, I, active);
        /* the instance's answer: decide's, else the reference's (or our own) */
        if (I->r[S_DECIDE].answer >= 0) I->yes = I->r[S_DECIDE].answer;
        else if (I->r[S_DECIDE2].answer >= 0) I->yes = I->r[S_DECIDE2].answer;
        else if (I->r[S_REF].answer >= 0) I->yes = I->r[S_REF].answer;
        else if (R.ref_answer >= 0) I->yes = R.ref_answer;
        else if (I->r[S_GLPSOL].answer >= 0) I->yes = I->r[S_GLPSOL].answer;
        if (active[S_GD]) I->r[S_GD] = run_gd(cf, &R, I);
    }
    ginv_net_free(R.net);
    ginv_net_free(R.net2);
    ginv_problem_release(&R.pb);
    ginv_problem_release(&R.pb2);
    return rc;
}

/* -------------------------------------------------------------- summaries */

static void summarise(size_row *row, const int *in_family)
{
    row->yes = row->no = row->unknown = row->gd_found = 0;
    for (int i = 0; i < row->ninst; i++) {
        instance *I = &row->inst[i];
        I->yes == 1 ? row->yes++ : I->yes == 0 ? row->no++ : row->unknown++;
        row->gd_found += I->yes == 1 && I->gd_found;
    }
    for (int s = 0; s < NS; s++) {
        double t[MAXI];
        int c = 0;
        row->disagree[s] = 0;
        for (int i = 0; i < row->ninst; i++) {
            const run *r = &row->inst[i].r[s];
            if (r->state == RUN_OK || r->state == RUN_TIMEOUT) t[c++] = r->seconds;
            if (s != S_GD && r->state == RUN_OK && r->answer >= 0 && row->inst[i].yes >= 0 &&
                r->answer != row->inst[i].yes)
                row->disagree[s]++;
            if (r->state == RUN_FAILED && s != S_GD) row->disagree[s]++;
        }
        if (!in_family[s] || c == 0 || c * 2 < row->ninst) { row->median[s] = NAN; continue; }
        qsort(t, (size_t)c, sizeof *t, cmp_d);
        row->median[s] = c % 2 ? t[c / 2] : 0.5 * (t[c / 2 - 1] + t[c / 2]);
    }
}

/* log2(median) = a n + b over the complete sizes with a finite median >= fit_min */
static fit fit_series(const size_row *rows, int nrows, int s, double fit_min)
{
    fit F = {0};
    double x[MAXN], y[MAXN];
    int c = 0;
    for (int i = 0; i < nrows; i++)
        if (rows[i].complete && isfinite(rows[i].median[s]) && rows[i].median[s] >= fit_min) {
            x[c] = rows[i].n;
            y[c++] = log2(rows[i].median[s]);
        }
    F.points = c;
    if (c >= 2 && ginv_linear_fit(c, x, y, &F.a, &F.b, &F.se_a, &F.se_b) == GINV_OK) {
        F.ok = 1;
        F.n_lo = x[0];
        F.n_hi = x[c - 1];
    }
    return F;
}

static void fmt_time(char *buf, size_t len, double t, double timeout)
{
    if (isnan(t)) snprintf(buf, len, "–");
    else if (isinf(t)) snprintf(buf, len, "> %g", timeout);
    else if (t < 1e-3) snprintf(buf, len, "%.0f µs", t * 1e6);
    else if (t < 1) snprintf(buf, len, "%.1f ms", t * 1e3);
    else snprintf(buf, len, "%.2f s", t);
}

/* ------------------------------------------------------------------ command */

static int parse_list(const char *C, const char *opt, const char *text, int *out, int lo, int hi)
{
    int n = cli_parse_sizes(C, opt, text, out, MAXN);
    if (n < 1) return -1;
    for (int i = 0; i < n; i++)
        if (out[i] < lo || out[i] > hi || (i && out[i] <= out[i - 1])) {
            cli_usage_error(C, "--%s '%s': sizes must increase and lie in %d..%d", opt, text, lo, hi);
            return -1;
        }
    return n;
}

/* The options into cf. CLI_OK, CLI_HELP or an exit code. */
static int parse_options(const char *C, int argc, char **argv, config *cf)
{
    const char *sat_s = "8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40";
    const char *cvp_s = "4,6,8,10,12,14,16,18,20,22,24,26,28,30";
    const char *vc_s = "8,10,12,14,16,18,20,22,24,26,28,30,32";
    const char *fig_format = "png";
    cli_opt opts[] = {
        {"families", 0, OPT_STRING, &cf->fams, "LIST", "among sat, cvp, vertex-cover"},
        {"sat-n", 0, OPT_STRING, &sat_s, "N1,N2,..", "3-SAT variables (clause ratio 4.26)"},
        {"cvp-n", 0, OPT_STRING, &cvp_s, "N1,N2,..", "CVP basis vectors (latents 2n, dimension n + 2)"},
        {"vc-n", 0, OPT_STRING, &vc_s, "N1,N2,..", "vertex-cover graph sizes (G(n, 1/2))"},
        {"instances", 0, OPT_INT, &cf->instances, "I", "instances per size", 1, MAXI},
        {"time-budget", 0, OPT_DOUBLE, &cf->budget, "S", "seconds for the whole run, split evenly over the families", 1, 1e7},
        {"solver-timeout", 0, OPT_DOUBLE, &cf->timeout, "S", "per solver and instance (decide's --time-limit too)", 0.01, 1e6},
        {"fit-min", 0, OPT_DOUBLE, &cf->fit_min, "S", "fit only sizes whose median time is at least S", 0, 1e6},
        {"gd-restarts", 0, OPT_INT, &cf->gd_restarts, "R", "GD restarts (one batch)", 1, 1 << 16},
        {"gd-iters", 0, OPT_INT, &cf->gd_iters, "T", "Adam iterations", 1, 1 << 24},
        {"gd-lr", 0, OPT_DOUBLE, &cf->gd_lr, "ETA", "Adam step", 1e-9, 1e3},
        {"seed", 0, OPT_U64, &cf->seed, "S", "random seed of the instances and GD starts"},
        {"out", 0, OPT_STRING, &cf->outdir, "DIR", "table.md, results.json, time_vs_n_FAMILY.png (required)"},
        {"json", 0, OPT_STRING, &cf->json, "FILE", "also write the results JSON here ('-': stdout)"},
        CLI_QUIET_OPT(cf->quiet),
        CLI_FIGURE_OPTS(fig_format),
        {0},
    };
    cli_cmd cmd = {C, "Time decide against minisat, fplll, cliquer, glpsol, cbc and GD as instances grow.",
                   "ginv experiment hardness --out DIR [--time-budget S] [--families ..] [options]",
                   "Families: sat (random 3-SAT, m = round(4.26 n); decide on the Thm 1 net by\n"
                   "enumeration and on the Thm 2 net by branch and bound in its clamp box |z_i| <= 1;\n"
                   "minisat on the CNF), cvp ((0,1)-CVP in l1 on a planted lattice target, radius\n"
                   "||e||_1 on even instances and half of it on odd ones; decide on the Thm 3 net;\n"
                   "fplll -a cvp times the l2 CVP over all integer coefficients, a related problem),\n"
                   "vertex-cover (G(n, 1/2), q = tau on even instances and tau - 1 on odd ones;\n"
                   "decide on the §5.3 net in l1; cliquer finds the complement's maximum clique).\n"
                   "glpsol and cbc solve the MILP decide exports (decide --write-lp: the minimum\n"
                   "distance, to optimality). GD: Adam with restarts on 1/2 ||G(z) - x||^2 over the\n"
                   "real-latent net (Thm 2, Thm 4) or the binary one relaxed, each restart rounded\n"
                   "to the domain and mapped back; 'found' counts YES instances where one restart\n"
                   "gave a certificate. External programs run without a shell, timed as whole\n"
                   "processes, killed at --solver-timeout; a missing one is reported absent. A\n"
                   "solver whose median at a size is a timeout is not run at larger sizes. A size\n"
                   "starts only if it is predicted to fit the family's share of --time-budget.\n"
                   "Fit: least squares of log2(median seconds) on n over the sizes with median\n"
                   "at least --fit-min (smaller ones measure overheads); a +- its standard error."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc;
    if (!cf->outdir) return cli_usage_error(C, "--out DIR is required");
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;

    char buf[256];
    snprintf(buf, sizeof buf, "%s", cf->fams);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int f = 0;
        while (f < NF && strcmp(t, family_names[f])) f++;
        if (f == NF) return cli_usage_error(C, "--families: unknown family '%s' (sat, cvp, vertex-cover)", t);
        cf->use[f] = 1;
    }
    if ((cf->nsizes[F_SAT] = parse_list(C, "sat-n", sat_s, cf->sizes[F_SAT], 3, 60)) < 0) return 2;
    if ((cf->nsizes[F_CVP] = parse_list(C, "cvp-n", cvp_s, cf->sizes[F_CVP], 2, 31)) < 0) return 2;
    if ((cf->nsizes[F_VC] = parse_list(C, "vc-n", vc_s, cf->sizes[F_VC], 4, 63)) < 0) return 2;
    cf->nfam = cf->use[F_SAT] + cf->use[F_CVP] + cf->use[F_VC];
    if (!cf->nfam) return cli_usage_error(C, "--families is empty");
    return CLI_OK;
}

/* Which series can run: the external programs found on PATH. */
static void find_programs(config *cf)
{
    static const char *const prog[NS] = {NULL, NULL, NULL, "glpsol", "cbc", NULL};
    for (int f = 0; f < NF; f++)
        for (int s = 0; s < NS; s++) {
            const char *p = s == S_REF ? ref_prog[f] : prog[s];
            cf->have[f][s] = series_names[f][s] && (!p || ginv_child_find(p, NULL, 0));
            if (cf->use[f] && series_names[f][s] && !cf->have[f][s] && !cf->quiet)
                fprintf(stderr, "%s: %s is not installed: reported absent\n", family_names[f], p);
        }
}

/* the progress line of one instance */
static void print_instance(const config *cf, int f, int n, int i, const instance *I)
{
    fprintf(stderr, "%s n=%d #%d (%s):", family_names[f], n, i + 1, I->yes == 1 ? "YES" : I->yes == 0 ? "NO" : "?");
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s] || I->r[s].state == RUN_STOPPED) continue;
        char tb[32];
        fmt_time(tb, sizeof tb, I->r[s].seconds, cf->timeout);
        fprintf(stderr, " %s %s%s", series_keys[f][s],
                I->r[s].state == RUN_OK || I->r[s].state == RUN_TIMEOUT ? tb : state_names[I->r[s].state],
                s == S_GD && I->yes == 1 ? (I->gd_found ? " found" : " missed") : "");
    }
    fputc('\n', stderr);
}

/* The instances of one size into row; *aborted when the family's time ran
 * out (1.5 shares) before the last one. 0 or an exit code. */
static int run_size(const char *C, const config *cf, int f, size_row *row, const int *active, double t_fam,
                    double share, int *aborted)
{
    *aborted = 0;
    for (int i = 0; i < cf->instances; i++) {
        if (now_s() - t_fam > 1.5 * share) { *aborted = 1; break; }
        instance *I = &row->inst[row->ninst];
        I->seed = cf->seed * 1000003ULL + (uint64_t)f * 100000 + (uint64_t)row->n * 100 + (uint64_t)i;
        I->variant = i & 1; /* even/odd instances: YES/NO variants (cvp, vertex-cover) */
        int rc = run_instance(C, cf, f, row->n, I, active);
        if (rc) return rc;
        if (ginv_ctx_cancelled(cli_run_ctx())) /* Ctrl-C: stop, write nothing */
            return cli_error_code(C, CLI_EXIT_CANCELLED, "cancelled at %s n = %d, instance %d",
                                  family_names[f], row->n, i);
        row->ninst++;
        if (!cf->quiet) print_instance(cf, f, row->n, i, I);
    }
    return 0;
}

/* Family f size by size while the next size is predicted to fit its share of
 * the budget; a solver whose median timed out is stopped for larger sizes.
 * Rows into res->rows[f], fits into res->fits[f]. 0 or an exit code. */
static int run_family(const char *C, const config *cf, int f, double share, results *res)
{
    if (!(res->rows[f] = calloc((size_t)cf->nsizes[f], sizeof(size_row)))) return cli_oom(C);
    int active[NS], in_family[NS];
    for (int s = 0; s < NS; s++) active[s] = cf->have[f][s], in_family[s] = series_names[f][s] != NULL;
    double t_fam = now_s(), last = 0, growth = 2;
    for (int si = 0; si < cf->nsizes[f]; si++) {
        double spent = now_s() - t_fam, predicted = last * growth;
        if (si > 0 && spent + predicted > share) {
            if (!cf->quiet)
                fprintf(stderr, "%s: stopping before n = %d: %.0f s spent, the next size predicted %.0f s, share %.0f s\n",
                        family_names[f], cf->sizes[f][si], spent, predicted, share);
            break;
        }
        size_row *row = &res->rows[f][res->nrows[f]++];
        row->n = cf->sizes[f][si];
        double t_size = now_s();
        int aborted, rc = run_size(C, cf, f, row, active, t_fam, share, &aborted);
        if (rc) return rc;
        row->complete = !aborted && row->ninst == cf->instances;
        summarise(row, in_family);
        double took = now_s() - t_size;
        if (last > 0) growth = fmin(16, fmax(1.5, took / last));
        last = took;
        for (int s = 0; s < NS; s++)
            if (active[s] && isinf(row->median[s])) {
                active[s] = 0;
                if (!cf->quiet) fprintf(stderr, "%s: %s timed out at n = %d: not run at larger sizes\n", family_names[f], series_keys[f][s], row->n);
            }
        if (aborted) {
            if (!cf->quiet) fprintf(stderr, "%s: n = %d incomplete (%d instances) at the budget: left out of the table\n", family_names[f], row->n, row->ninst);
            break;
        }
    }
    for (int s = 0; s < NS; s++)
        if (series_names[f][s]) res->fits[f][s] = fit_series(res->rows[f], res->nrows[f], s, cf->fit_min);
    return 0;
}

/* clean the temporary files (only ours, by name) */
static void remove_tmp(const config *cf)
{
    static const char *const tmpfiles[] = {"f.cnf", "f.minisat", "l.fplll", "l.out", "gc.col", "gc.out",
                                           "m.lp", "m.out", "glpsol.log", NULL};
    for (int i = 0; tmpfiles[i]; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s/%s", cf->tmp, tmpfiles[i]);
        unlink(p);
    }
    rmdir(cf->tmp);
}

/* ------------------------------------------------------ JSON and table */

static cJSON *run_json(const instance *I, int f)
{
    cJSON *io = cJSON_CreateObject();
    cJSON_AddNumberToObject(io, "seed", (double)I->seed);
    cJSON_AddItemToObject(io, "answer", I->yes < 0 ? cJSON_CreateNull() : cJSON_CreateString(I->yes ? "YES" : "NO"));
    cJSON_AddNumberToObject(io, f == F_SAT ? "clauses" : f == F_CVP ? "radius" : "q", I->param);
    cJSON_AddBoolToObject(io, "gd_found", I->gd_found);
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s]) continue;
        cJSON *so = cJSON_AddObjectToObject(io, series_keys[f][s]);
        cJSON_AddStringToObject(so, "state", state_names[I->r[s].state]);
        cJSON_AddItemToObject(so, "seconds", cli_json_num(I->r[s].seconds));
        if (I->r[s].answer >= 0) cJSON_AddStringToObject(so, "answer", I->r[s].answer ? "YES" : "NO");
    }
    return io;
}

static cJSON *row_json(const size_row *row, int f)
{
    cJSON *ro = cJSON_CreateObject();
    cJSON_AddNumberToObject(ro, "n", row->n);
    cJSON_AddNumberToObject(ro, "latents", row->inst[0].k);
    cJSON_AddNumberToObject(ro, "instances", row->ninst);
    cJSON_AddBoolToObject(ro, "complete", row->complete);
    cJSON_AddNumberToObject(ro, "yes", row->yes);
    cJSON_AddNumberToObject(ro, "no", row->no);
    cJSON_AddNumberToObject(ro, "unknown", row->unknown);
    cJSON_AddNumberToObject(ro, "gd_found", row->gd_found);
    cJSON *med = cJSON_AddObjectToObject(ro, "median_seconds");
    cJSON *dis = cJSON_AddObjectToObject(ro, "disagreements");
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s]) continue;
        double m = row->median[s];
        if (isinf(m)) cJSON_AddStringToObject(med, series_keys[f][s], "timeout");
        else cJSON_AddItemToObject(med, series_keys[f][s], cli_json_num(m));
        if (s != S_GD) cJSON_AddNumberToObject(dis, series_keys[f][s], row->disagree[s]);
    }
    cJSON *insts = cJSON_AddArrayToObject(ro, "runs");
    for (int j = 0; j < row->ninst; j++) cJSON_AddItemToArray(insts, run_json(&row->inst[j], f));
    return ro;
}

/* family f's sizes, fits and disagreement totals under fj */
static void family_json(cJSON *fj, const results *res, int f)
{
    cJSON *fo = cJSON_AddObjectToObject(fj, family_names[f]);
    cJSON *sz = cJSON_AddArrayToObject(fo, "sizes");
    int disagree[NS] = {0};
    for (int i = 0; i < res->nrows[f]; i++) {
        cJSON_AddItemToArray(sz, row_json(&res->rows[f][i], f));
        for (int s = 0; s < NS; s++) disagree[s] += res->rows[f][i].disagree[s];
    }
    cJSON *fa = cJSON_AddObjectToObject(fo, "fits");
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s]) continue;
        const fit *F = &res->fits[f][s];
        cJSON *o = cJSON_AddObjectToObject(fa, series_keys[f][s]);
        cJSON_AddBoolToObject(o, "ok", F->ok);
        cJSON_AddItemToObject(o, "a", cli_json_num(F->ok ? F->a : NAN));
        cJSON_AddItemToObject(o, "se_a", cli_json_num(F->ok ? F->se_a : NAN));
        cJSON_AddItemToObject(o, "b", cli_json_num(F->ok ? F->b : NAN));
        cJSON_AddItemToObject(o, "se_b", cli_json_num(F->ok ? F->se_b : NAN));
        cJSON_AddNumberToObject(o, "points", F->points);
        cJSON_AddItemToObject(o, "doubling_n", cli_json_num(F->ok && F->a > 0 ? 1 / F->a : NAN));
    }
    cJSON *dtot = cJSON_AddObjectToObject(fo, "disagreements");
    for (int s = 0; s < NS; s++)
        if (s != S_GD && series_names[f][s]) cJSON_AddNumberToObject(dtot, series_keys[f][s], disagree[s]);
}

static cJSON *results_json(const char *C, const config *cf, const results *res)
{
    cJSON *doc = cli_json_new(C);
    cJSON *par = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(par, "families", cf->fams);
    cJSON_AddNumberToObject(par, "instances", cf->instances);
    cJSON_AddNumberToObject(par, "time_budget", cf->budget);
    cJSON_AddNumberToObject(par, "solver_timeout", cf->timeout);
    cJSON_AddNumberToObject(par, "fit_min", cf->fit_min);
    cJSON_AddNumberToObject(par, "gd_restarts", cf->gd_restarts);
    cJSON_AddNumberToObject(par, "gd_iters", cf->gd_iters);
    cJSON_AddNumberToObject(par, "gd_lr", cf->gd_lr);
    cJSON_AddNumberToObject(par, "seed", (double)cf->seed);
    cJSON_AddNumberToObject(doc, "seconds", res->total);
    cJSON *fj = cJSON_AddObjectToObject(doc, "families");
    for (int f = 0; f < NF; f++)
        if (cf->use[f]) family_json(fj, res, f);
    return doc;
}

/* family f's section of table.md: a row per complete size, the fits, the
 * disagreements */
static void family_table(FILE *md, const config *cf, const results *res, int f)
{
    fprintf(md, "\n### %s\n\n| n | latents | YES/NO |", family_names[f]);
    for (int s = 0; s < NS; s++)
        if (series_names[f][s]) fprintf(md, " %s |", series_names[f][s]);
    fprintf(md, " GD found |\n|---|---|---|");
    for (int s = 0; s < NS; s++)
        if (series_names[f][s]) fprintf(md, "---|");
    fprintf(md, "---|\n");
    int disagree[NS] = {0};
    for (int i = 0; i < res->nrows[f]; i++) {
        const size_row *row = &res->rows[f][i];
        for (int s = 0; s < NS; s++) disagree[s] += row->disagree[s];
        if (!row->complete) continue;
        fprintf(md, "| %d | %d | %d/%d%s |", row->n, row->inst[0].k, row->yes, row->no,
                row->unknown ? " (+unknown)" : "");
        for (int s = 0; s < NS; s++) {
            if (!series_names[f][s]) continue;
            char tb[32];
            if (!cf->have[f][s]) snprintf(tb, sizeof tb, "absent");
            else fmt_time(tb, sizeof tb, row->median[s], cf->timeout);
            fprintf(md, " %s |", tb);
        }
        fprintf(md, " %d/%d |\n", row->gd_found, row->yes);
    }
    fprintf(md, "| fit a | | |");
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s]) continue;
        const fit *F = &res->fits[f][s];
        if (F->ok) {
            char se[32] = "";
            if (isfinite(F->se_a)) snprintf(se, sizeof se, " ± %.3f", F->se_a);
            fprintf(md, " %.3f%s (n %g–%g, %d pts) |", F->a, se, F->n_lo, F->n_hi, F->points);
        } else {
            fprintf(md, " – |");
        }
    }
    fprintf(md, " |\n\nlog2(median seconds) = a n + b, least squares over the sizes with a median of at least %g s; "
                "a = 1 doubles the time per unit of n.",
            cf->fit_min);
    int any = 0;
    for (int s = 0; s < NS; s++)
        if (s != S_GD && series_names[f][s] && disagree[s]) {
            fprintf(md, "%s %s: %d disagreements or failures", any ? ";" : " Disagreements with the instance's answer:", series_keys[f][s], disagree[s]);
            any = 1;
        }
    fprintf(md, "%s\n", any ? "." : " Every solver that gives an answer agreed with decide on every instance.");
}

/* table.md into the output set's directory sd. 0 or an exit code. */
static int write_table(const char *C, const config *cf, const results *res, const char *sd)
{
    char *md_text = NULL;
    size_t md_len = 0;
    FILE *md = open_memstream(&md_text, &md_len);
    if (!md) return cli_oom(C);
    fprintf(md, "Median wall time per size (%d instances each; decide and GD in-process, the others whole "
                "processes), solver timeout %g s. GD: YES instances where one of %d Adam restarts "
                "(%d iterations), rounded and mapped back, was a certificate.\n",
            cf->instances, cf->timeout, cf->gd_restarts, cf->gd_iters);
    for (int f = 0; f < NF; f++)
        if (cf->use[f]) family_table(md, cf, res, f);
    int rc = 0, bad = ferror(md);
    bad |= fclose(md);
    char path[4096];
    snprintf(path, sizeof path, "%s/table.md", sd);
    if (bad) rc = cli_oom(C);
    else if (ginv_write_atomic(path, md_text, md_len) != GINV_OK) rc = cli_fail(C, "%s", ginv_last_error());
    free(md_text);
    return rc;
}

/* ------------------------------------------------ plots and summary */

/* time_vs_n_FAMILY: the median of every series against n, log scale */
static int plot_family(const config *cf, const results *res, int f, const char *sd)
{
    double x[MAXN], *y[NS];
    const char *names[NS];
    int ns = 0, np = 0, rc = 0;
    const size_row *rows = res->rows[f];
    for (int i = 0; i < res->nrows[f]; i++)
        if (rows[i].complete) x[np++] = rows[i].n;
    for (int s = 0; s < NS; s++) {
        if (!series_names[f][s]) continue;
        y[ns] = malloc(sizeof(double) * MAXN);
        names[ns] = series_names[f][s];
        int j = 0;
        for (int i = 0; i < res->nrows[f]; i++)
            if (rows[i].complete) {
                double m = rows[i].median[s];
                y[ns][j++] = isfinite(m) ? m : NAN;
            }
        ns++;
    }
    if (np >= 1) {
        char title[256], path[4096];
        snprintf(title, sizeof title, "%s: median wall time vs n (%d instances per size)", family_names[f], cf->instances);
        snprintf(path, sizeof path, "%s/time_vs_n_%s.png", sd, family_names[f]);
        rc = plot_lines(path, title, f == F_SAT ? "variables n" : f == F_CVP ? "basis vectors n (latents 2n)" : "vertices n",
                        "median seconds", ns, names, np, x, (const double *const *)y, PLOT_LOGY);
    }
    for (int s = 0; s < ns; s++) free(y[s]);
    return rc;
}

static void print_summary(const config *cf, const results *res)
{
    printf("%-14s %-32s %-24s %s\n", "family", "solver", "a (log2 s per n)", "sizes fitted");
    for (int f = 0; f < NF; f++)
        for (int s = 0; s < NS; s++) {
            if (!cf->use[f] || !series_names[f][s]) continue;
            const fit *F = &res->fits[f][s];
            char a[48] = "-";
            if (F->ok) snprintf(a, sizeof a, "%.3f +- %.3f", F->a, F->se_a);
            printf("%-14s %-32s %-24s %d\n", family_names[f], series_names[f][s], cf->have[f][s] ? a : "absent", F->points);
        }
    printf("wrote %s/table.md, %s/results.json and time_vs_n_*.%s (%.0f s)\n", cf->outdir, cf->outdir, plot_ext(),
           res->total);
}

/* table, JSON and figures into the output set. 0 or an exit code. */
static int write_outputs(const char *C, const config *cf, const results *res, ginv_outset *set)
{
    const char *sd = ginv_outset_dir(set);
    int rc = write_table(C, cf, res, sd);
    cJSON *doc = rc ? NULL : results_json(C, cf, res);
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", sd);
    if (!rc) rc = cli_json_write(C, doc, path);
    if (!rc && cf->json) rc = cli_json_write(C, doc, cf->json);
    cJSON_Delete(doc);
    for (int f = 0; f < NF && !rc; f++)
        if (cf->use[f] && res->nrows[f] >= 1) rc = plot_family(cf, res, f, sd);
    if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    return rc;
}

int experiment_hardness(int argc, char **argv)
{
    const char *C = "experiment hardness";
    config cf = {.timeout = 30, .fit_min = 1e-3, .budget = 600, .instances = 5, .gd_restarts = 32,
                 .gd_iters = 400, .gd_lr = 0.05, .seed = 1, .fams = "sat,cvp,vertex-cover"};
    int rc = parse_options(C, argc, argv, &cf);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(1); /* progress is this command's own lines on stderr */
    /* the output set: table, JSON and figures appear in --out together */
    ginv_outset *set = NULL;
    if (ginv_outset_begin(cf.outdir, &set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    snprintf(cf.tmp, sizeof cf.tmp, "/tmp/ginv-hardness-XXXXXX");
    if (!mkdtemp(cf.tmp)) {
        int e = errno;
        ginv_outset_free(set);
        return cli_error_code(C, CLI_EXIT_IO, "cannot create a temporary directory: %s", strerror(e));
    }
    find_programs(&cf);
    results res;
    memset(&res, 0, sizeof res);
    double share = cf.budget / cf.nfam, t_all = now_s();
    for (int f = 0; f < NF && !rc; f++)
        if (cf.use[f]) rc = run_family(C, &cf, f, share, &res);
    res.total = now_s() - t_all;
    remove_tmp(&cf);
    if (!rc) rc = write_outputs(C, &cf, &res, set);
    ginv_outset_free(set);
    if (!rc && !cf.quiet) print_summary(&cf, &res);
    for (int f = 0; f < NF; f++) free(res.rows[f]);
    return rc;
}
