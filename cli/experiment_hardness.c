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
    double timeout, fit_min;
    int instances, gd_restarts, gd_iters;
    double gd_lr;
    uint64_t seed;
    int quiet;
    char tmp[256];
    int have[NF][NS];  /* external program installed */
} config;

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

/* ---------------------------------------------------------------------- GD */

/* Adam with restarts on 1/2 ||G(z) - x||^2 (the library's objective, A = I),
 * starts uniform in the clamp interval (binary latents: in [0,1] or [-1,1]);
 * each restart is rounded to the latent domain (binary: nearest point; real:
 * the object map-back reads, encoded as the proof does) and checked by
 * map-back. 1 when one of them is a certificate. */
static int gd_find(const config *cf, ginv_net *net, const ginv_problem *pb, uint64_t seed, double *secs)
{
    int k = ginv_net_in(net), n = ginv_net_out(net), B = cf->gd_restarts, found = 0;
    double t0 = now_s();
    ginv_op *op = NULL;
    ginv_objective *obj = NULL;
    float *y = malloc(sizeof(float) * n), *z = malloc(sizeof(float) * (size_t)B * k);
    double *f = malloc(sizeof(double) * B), *zd = malloc(sizeof(double) * k), *ze = malloc(sizeof(double) * k);
    if (!y || !z || !f || !zd || !ze) goto out;
    for (int i = 0; i < n; i++) y[i] = (float)pb->target[i];
    double lo = pb->latent == GINV_LATENT_PM1 ? -1 : 0, hi = 1;
    if (pb->latent == GINV_LATENT_REAL) {
        cJSON *s = cJSON_Parse(pb->source_json ? pb->source_json : "");
        cJSON *c = s ? cJSON_GetObjectItem(s, "clamp") : NULL;
        if (cJSON_GetArraySize(c) == 2) {
            lo = cJSON_GetArrayItem(c, 0)->valuedouble;
            hi = cJSON_GetArrayItem(c, 1)->valuedouble;
        }
        cJSON_Delete(s);
    }
    ginv_rng rng;
    ginv_rng_init(&rng, seed, GINV_STREAM_INIT, 0);
    for (long i = 0; i < (long)B * k; i++) z[i] = (float)(lo + (hi - lo) * ginv_rng_uniform(&rng));
    if (ginv_op_identity(&op, n) != GINV_OK || ginv_objective_new(&obj, net, op, y, 1, 0.0, B) != GINV_OK) goto out;
    ginv_solve_opts so;
    ginv_solve_opts_init(&so);
    so.type = ginv_solver_adam;
    so.lr = cf->gd_lr;
    so.iters = cf->gd_iters;
    if (ginv_solve(obj, &so, B, z, f, NULL) != GINV_OK) goto out;
    for (int b = 0; b < B && !found; b++) {
        for (int i = 0; i < k; i++) {
            double v = z[(size_t)b * k + i];
            if (pb->latent == GINV_LATENT_01) v = v >= 0.5;
            else if (pb->latent == GINV_LATENT_PM1) v = v >= 0 ? 1 : -1;
            zd[i] = v;
        }
        ginv_witness w;
        if (ginv_reduce_map_back(net, pb, zd, &w) != GINV_OK) continue;
        if (pb->latent == GINV_LATENT_REAL) {
            /* the object z reads as, encoded: the rounded latent */
            ginv_witness w2;
            if (ginv_reduce_encode(pb, w.size, w.object, ze, k) == GINV_OK &&
                ginv_reduce_map_back(net, pb, ze, &w2) == GINV_OK) {
                found = w2.solves;
                ginv_witness_release(&w2);
            }
        } else {
            found = w.solves;
        }
        ginv_witness_release(&w);
    }
out:
    ginv_objective_free(obj);
    ginv_op_free(op);
    free(y);
    free(z);
    free(f);
    free(zd);
    free(ze);
    *secs = now_s() - t0;
    return found;
}

/* ------------------------------------------------------------- instances */

/* the largest independent set of g (its complement's largest clique), by
 * branching on a vertex of largest degree: n <= 63 */
static int mis(const uint64_t *adj, uint64_t mask)
{
    if (!mask) return 0;
    int best = -1, bdeg = -1;
    for (int v = 0; v < 64; v++)
        if (mask >> v & 1) {
            int d = __builtin_popcountll(adj[v] & mask);
            if (d > bdeg) { bdeg = d; best = v; }
        }
    if (bdeg == 0) return __builtin_popcountll(mask);
    uint64_t without = mask & ~(1ULL << best);
    int a = mis(adj, without);
    int b = 1 + mis(adj, without & ~adj[best]);
    return a > b ? a : b;
}

static int write_complement(const char *path, const ginv_graph *g)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int n = g->n, m = 0;
    unsigned char *e = calloc((size_t)n * n, 1);
    for (int i = 0; i < g->m; i++) e[g->u[i] * n + g->v[i]] = 1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) m += !e[i * n + j];
    fprintf(f, "p edge %d %d\n", n, m);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (!e[i * n + j]) fprintf(f, "e %d %d\n", i + 1, j + 1);
    free(e);
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

static int write_fplll(const char *path, const ginv_cvp *c)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputc('[', f);
    for (int i = 0; i < c->n; i++) {
        fputc('[', f);
        for (int j = 0; j < c->d; j++) fprintf(f, "%s%.0f", j ? " " : "", c->basis[i * c->d + j]);
        fputc(']', f);
    }
    fputs("]\n[", f);
    for (int j = 0; j < c->d; j++) fprintf(f, "%s%.0f", j ? " " : "", c->target[j]);
    fputs("]\n", f);
    int bad = ferror(f);
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

/* Build instance I of family fam at size n, run every active series on it.
 * Returns 0, or an exit code after printing the error. */
static int run_instance(const char *C, const config *cf, int fam, int n, instance *I, const int *active)
{
    ginv_net *net = NULL, *net2 = NULL;
    ginv_problem pb, pb2;
    memset(&pb, 0, sizeof pb);
    memset(&pb2, 0, sizeof pb2);
    ginv_status st = GINV_OK;
    char path[300], out[300];
    int ref_answer = -1, rc = 0;
    for (int s = 0; s < NS; s++)
        I->r[s] = (run){!cf->have[fam][s] ? RUN_ABSENT : active[s] ? RUN_NONE : RUN_STOPPED, NAN, -1};
    I->yes = -1;
    I->gd_found = 0;

    if (fam == F_SAT) {
        ginv_cnf f;
        int m = (int)lround(4.26 * n);
        I->param = m;
        if ((st = ginv_cnf_random(&f, n, m, 3, I->seed)) != GINV_OK) return cli_lib_error(C, st);
        snprintf(path, sizeof path, "%s/f.cnf", cf->tmp);
        snprintf(out, sizeof out, "%s/f.minisat", cf->tmp);
        if ((st = ginv_cnf_write(path, &f, "experiment hardness")) == GINV_OK &&
            (st = ginv_reduce_sat_pm1(&f, &net, &pb)) == GINV_OK)
            st = ginv_reduce_sat_real(&f, &net2, &pb2);
        ginv_cnf_release(&f);
        if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        if (active[S_REF]) {
            const char *argv[] = {"minisat", "-verb=0", path, out, NULL};
            I->r[S_REF] = run_child(cf, argv, NULL, NULL);
            if (I->r[S_REF].state == RUN_OK) {
                /* minisat exits 10 (SAT) or 20 (UNSAT); run_child kept the time only */
                char buf[16] = "";
                slurp(out, buf, sizeof buf);
                I->r[S_REF].answer = !strncmp(buf, "SAT", 3) ? 1 : !strncmp(buf, "UNSAT", 5) ? 0 : -1;
                if (I->r[S_REF].answer < 0) I->r[S_REF].state = RUN_FAILED;
            }
        }
        pb2.box = ginv_problem_clamp_box(&pb2);
    } else if (fam == F_CVP) {
        /* a planted target t = B y0 + e, e in {-1,0,1}^d: radius ||e||_1 (a YES)
         * on even instances, half of it on odd ones (mostly NO) */
        ginv_cvp c;
        int d = n + 2;
        if ((st = ginv_cvp_random(&c, n, d, 6, 0, I->seed)) != GINV_OK) return cli_lib_error(C, st);
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
        if (write_fplll(path, &c) != 0) st = ginv_fail(GINV_ERR_IO, "cannot write '%s'", path);
        if (st == GINV_OK && (st = ginv_reduce_cvp_01(&c, r, 1, &net, &pb)) == GINV_OK)
            st = ginv_reduce_cvp_real(&c, r, 1, &net2, &pb2);
        ginv_cvp_release(&c);
        if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        if (active[S_REF]) {
            const char *argv[] = {"fplll", "-a", "cvp", NULL};
            snprintf(out, sizeof out, "%s/l.out", cf->tmp);
            I->r[S_REF] = run_child(cf, argv, path, out);
        }
    } else {
        ginv_graph g;
        if ((st = ginv_graph_random(&g, n, 0.5, 1, I->seed)) != GINV_OK) return cli_lib_error(C, st);
        uint64_t adj[64] = {0};
        for (int e = 0; e < g.m; e++) {
            adj[g.u[e]] |= 1ULL << g.v[e];
            adj[g.v[e]] |= 1ULL << g.u[e];
        }
        int alpha = mis(adj, n == 64 ? ~0ULL : (1ULL << n) - 1), tau = n - alpha;
        /* q = tau (YES) on even instances, tau - 1 (NO) on odd ones */
        int q = I->variant && tau > 0 ? tau - 1 : tau;
        I->param = q;
        snprintf(path, sizeof path, "%s/gc.col", cf->tmp);
        snprintf(out, sizeof out, "%s/gc.out", cf->tmp);
        if (write_complement(path, &g) != 0) st = ginv_fail(GINV_ERR_IO, "cannot write '%s'", path);
        if (st == GINV_OK) st = ginv_reduce_vertex_cover(&g, q, 1, &net, &pb);
        ginv_graph_release(&g);
        if (st != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
        if (active[S_REF]) {
            const char *argv[] = {"cliquer", "-u", "-q", "-q", path, NULL};
            I->r[S_REF] = run_child(cf, argv, NULL, out);
            char buf[4096];
            const char *sz;
            if (I->r[S_REF].state == RUN_OK && slurp(out, buf, sizeof buf) > 0 && (sz = strstr(buf, "size=")))
                I->r[S_REF].answer = q >= n - atoi(sz + 5);
            else if (I->r[S_REF].state == RUN_OK)
                I->r[S_REF].state = RUN_FAILED;
        }
        ref_answer = q >= tau;
    }
    I->k = ginv_net_in(net);
    if (active[S_DECIDE]) I->r[S_DECIDE] = run_decide(cf, net, &pb, GINV_DECIDE_AUTO);
    if (active[S_DECIDE2] && net2) I->r[S_DECIDE2] = run_decide(cf, net2, &pb2, GINV_DECIDE_BNB);
    run_milps(cf, net, &pb, I, active);
    /* the instance's answer: decide's, else the reference's (or our own) */
    if (I->r[S_DECIDE].answer >= 0) I->yes = I->r[S_DECIDE].answer;
    else if (I->r[S_DECIDE2].answer >= 0) I->yes = I->r[S_DECIDE2].answer;
    else if (I->r[S_REF].answer >= 0) I->yes = I->r[S_REF].answer;
    else if (ref_answer >= 0) I->yes = ref_answer;
    else if (I->r[S_GLPSOL].answer >= 0) I->yes = I->r[S_GLPSOL].answer;
    if (active[S_GD]) {
        double secs;
        ginv_net *gnet = net2 ? net2 : net;
        ginv_problem *gpb = net2 ? &pb2 : &pb;
        if (net2) gpb->box = 0; /* GD runs unconstrained on the stored problem */
        I->gd_found = gd_find(cf, gnet, gpb, I->seed, &secs);
        I->r[S_GD] = (run){RUN_OK, secs, -1}; /* GD gives no answer: found or not */
    }
out:
    ginv_net_free(net);
    ginv_net_free(net2);
    ginv_problem_release(&pb);
    ginv_problem_release(&pb2);
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

int experiment_hardness(int argc, char **argv)
{
    const char *C = "experiment hardness";
    const char *sat_s = "8,10,12,14,16,18,20,22,24,26,28,30,32,34,36,38,40";
    const char *cvp_s = "4,6,8,10,12,14,16,18,20,22,24,26,28,30";
    const char *vc_s = "8,10,12,14,16,18,20,22,24,26,28,30,32";
    const char *fams = "sat,cvp,vertex-cover", *outdir = NULL, *json = NULL, *fig_format = "png";
    config cf = {.timeout = 30, .fit_min = 1e-3, .instances = 5, .gd_restarts = 32, .gd_iters = 400,
                 .gd_lr = 0.05, .seed = 1};
    double budget = 600;
    cli_opt opts[] = {
        {"families", 0, OPT_STRING, &fams, "LIST", "among sat, cvp, vertex-cover"},
        {"sat-n", 0, OPT_STRING, &sat_s, "N1,N2,..", "3-SAT variables (clause ratio 4.26)"},
        {"cvp-n", 0, OPT_STRING, &cvp_s, "N1,N2,..", "CVP basis vectors (latents 2n, dimension n + 2)"},
        {"vc-n", 0, OPT_STRING, &vc_s, "N1,N2,..", "vertex-cover graph sizes (G(n, 1/2))"},
        {"instances", 0, OPT_INT, &cf.instances, "I", "instances per size", 1, MAXI},
        {"time-budget", 0, OPT_DOUBLE, &budget, "S", "seconds for the whole run, split evenly over the families", 1, 1e7},
        {"solver-timeout", 0, OPT_DOUBLE, &cf.timeout, "S", "per solver and instance (decide's --time-limit too)", 0.01, 1e6},
        {"fit-min", 0, OPT_DOUBLE, &cf.fit_min, "S", "fit only sizes whose median time is at least S", 0, 1e6},
        {"gd-restarts", 0, OPT_INT, &cf.gd_restarts, "R", "GD restarts (one batch)", 1, 1 << 16},
        {"gd-iters", 0, OPT_INT, &cf.gd_iters, "T", "Adam iterations", 1, 1 << 24},
        {"gd-lr", 0, OPT_DOUBLE, &cf.gd_lr, "ETA", "Adam step", 1e-9, 1e3},
        {"seed", 0, OPT_U64, &cf.seed, "S", "random seed of the instances and GD starts"},
        {"out", 0, OPT_STRING, &outdir, "DIR", "table.md, results.json, time_vs_n_FAMILY.png (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "also write the results JSON here ('-': stdout)"},
        CLI_QUIET_OPT(cf.quiet),
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
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!outdir) return cli_usage_error(C, "--out DIR is required");
    plot_set_command(C);
    if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    cli_install_callbacks(1); /* progress is this command's own lines on stderr */

    int use[NF] = {0}, sizes[NF][MAXN], nsizes[NF];
    char buf[256];
    snprintf(buf, sizeof buf, "%s", fams);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int f = 0;
        while (f < NF && strcmp(t, family_names[f])) f++;
        if (f == NF) return cli_usage_error(C, "--families: unknown family '%s' (sat, cvp, vertex-cover)", t);
        use[f] = 1;
    }
    if ((nsizes[F_SAT] = parse_list(C, "sat-n", sat_s, sizes[F_SAT], 3, 60)) < 0) return 2;
    if ((nsizes[F_CVP] = parse_list(C, "cvp-n", cvp_s, sizes[F_CVP], 2, 31)) < 0) return 2;
    if ((nsizes[F_VC] = parse_list(C, "vc-n", vc_s, sizes[F_VC], 4, 63)) < 0) return 2;
    int nfam = use[F_SAT] + use[F_CVP] + use[F_VC];
    if (!nfam) return cli_usage_error(C, "--families is empty");
    /* the output set: table, JSON and figures appear in --out together */
    ginv_outset *set = NULL;
    if (ginv_outset_begin(outdir, &set) != GINV_OK) return cli_fail(C, "--out: %s", ginv_last_error());
    const char *sd = ginv_outset_dir(set);
    snprintf(cf.tmp, sizeof cf.tmp, "/tmp/ginv-hardness-XXXXXX");
    if (!mkdtemp(cf.tmp)) {
        int e = errno;
        ginv_outset_free(set);
        return cli_error_code(C, CLI_EXIT_IO, "cannot create a temporary directory: %s", strerror(e));
    }
    static const char *const prog[NS] = {NULL, NULL, NULL, "glpsol", "cbc", NULL};
    for (int f = 0; f < NF; f++)
        for (int s = 0; s < NS; s++) {
            const char *p = s == S_REF ? ref_prog[f] : prog[s];
            cf.have[f][s] = series_names[f][s] && (!p || ginv_child_find(p, NULL, 0));
            if (use[f] && series_names[f][s] && !cf.have[f][s] && !cf.quiet)
                fprintf(stderr, "%s: %s is not installed: reported absent\n", family_names[f], p);
        }

    size_row *rows[NF] = {0};
    int nrows[NF] = {0};
    fit fits[NF][NS];
    memset(fits, 0, sizeof fits);
    double share = budget / nfam, t_all = now_s();
    for (int f = 0; f < NF && !rc; f++) {
        if (!use[f]) continue;
        rows[f] = calloc((size_t)nsizes[f], sizeof(size_row));
        int active[NS];
        for (int s = 0; s < NS; s++) active[s] = cf.have[f][s];
        double t_fam = now_s(), last = 0, growth = 2;
        for (int si = 0; si < nsizes[f] && !rc; si++) {
            double spent = now_s() - t_fam, predicted = last * growth;
            if (si > 0 && spent + predicted > share) {
                if (!cf.quiet)
                    fprintf(stderr, "%s: stopping before n = %d: %.0f s spent, the next size predicted %.0f s, share %.0f s\n",
                            family_names[f], sizes[f][si], spent, predicted, share);
                break;
            }
            size_row *row = &rows[f][nrows[f]++];
            row->n = sizes[f][si];
            double t_size = now_s();
            int aborted = 0;
            for (int i = 0; i < cf.instances && !rc; i++) {
                if (now_s() - t_fam > 1.5 * share) { aborted = 1; break; }
                instance *I = &row->inst[row->ninst];
                I->seed = cf.seed * 1000003ULL + (uint64_t)f * 100000 + (uint64_t)row->n * 100 + (uint64_t)i;
                I->variant = i & 1; /* even/odd instances: YES/NO variants (cvp, vertex-cover) */
                rc = run_instance(C, &cf, f, row->n, I, active);
                if (rc) break;
                row->ninst++;
                if (!cf.quiet) {
                    fprintf(stderr, "%s n=%d #%d (%s):", family_names[f], row->n, i + 1,
                            I->yes == 1 ? "YES" : I->yes == 0 ? "NO" : "?");
                    for (int s = 0; s < NS; s++) {
                        if (!series_names[f][s] || I->r[s].state == RUN_STOPPED) continue;
                        char tb[32];
                        fmt_time(tb, sizeof tb, I->r[s].seconds, cf.timeout);
                        fprintf(stderr, " %s %s%s", series_keys[f][s], I->r[s].state == RUN_OK || I->r[s].state == RUN_TIMEOUT ? tb : state_names[I->r[s].state],
                                s == S_GD && I->yes == 1 ? (I->gd_found ? " found" : " missed") : "");
                    }
                    fputc('\n', stderr);
                }
            }
            int in_family[NS];
            for (int s = 0; s < NS; s++) in_family[s] = series_names[f][s] != NULL;
            row->complete = !aborted && row->ninst == cf.instances;
            summarise(row, in_family);
            double took = now_s() - t_size;
            if (last > 0) growth = fmin(16, fmax(1.5, took / last));
            last = took;
            /* solvers whose median timed out are stopped for the larger sizes */
            for (int s = 0; s < NS; s++)
                if (active[s] && isinf(row->median[s])) {
                    active[s] = 0;
                    if (!cf.quiet) fprintf(stderr, "%s: %s timed out at n = %d: not run at larger sizes\n", family_names[f], series_keys[f][s], row->n);
                }
            if (aborted) {
                if (!cf.quiet) fprintf(stderr, "%s: n = %d incomplete (%d instances) at the budget: left out of the table\n", family_names[f], row->n, row->ninst);
                break;
            }
        }
        for (int s = 0; s < NS; s++)
            if (series_names[f][s]) fits[f][s] = fit_series(rows[f], nrows[f], s, cf.fit_min);
    }
    double total = now_s() - t_all;
    /* clean the temporary files (only ours, by name) */
    static const char *const tmpfiles[] = {"f.cnf", "f.minisat", "l.fplll", "l.out", "gc.col", "gc.out",
                                           "m.lp", "m.out", "glpsol.log", NULL};
    for (int i = 0; tmpfiles[i]; i++) {
        char p[320];
        snprintf(p, sizeof p, "%s/%s", cf.tmp, tmpfiles[i]);
        unlink(p);
    }
    rmdir(cf.tmp);
    if (rc) {
        for (int f = 0; f < NF; f++) free(rows[f]);
        ginv_outset_free(set);
        return rc;
    }

    /* ---------------------------------------------------- JSON and table */
    cJSON *doc = cli_json_new(C);
    cJSON *par = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(par, "families", fams);
    cJSON_AddNumberToObject(par, "instances", cf.instances);
    cJSON_AddNumberToObject(par, "time_budget", budget);
    cJSON_AddNumberToObject(par, "solver_timeout", cf.timeout);
    cJSON_AddNumberToObject(par, "fit_min", cf.fit_min);
    cJSON_AddNumberToObject(par, "gd_restarts", cf.gd_restarts);
    cJSON_AddNumberToObject(par, "gd_iters", cf.gd_iters);
    cJSON_AddNumberToObject(par, "gd_lr", cf.gd_lr);
    cJSON_AddNumberToObject(par, "seed", (double)cf.seed);
    cJSON_AddNumberToObject(doc, "seconds", total);
    cJSON *fj = cJSON_AddObjectToObject(doc, "families");
    char path[4096];
    snprintf(path, sizeof path, "%s/table.md", sd);
    char *md_text = NULL;
    size_t md_len = 0;
    FILE *md = open_memstream(&md_text, &md_len);
    if (!md) {
        cJSON_Delete(doc);
        for (int f = 0; f < NF; f++) free(rows[f]);
        ginv_outset_free(set);
        return cli_oom(C);
    }
    fprintf(md, "Median wall time per size (%d instances each; decide and GD in-process, the others whole "
                "processes), solver timeout %g s. GD: YES instances where one of %d Adam restarts "
                "(%d iterations), rounded and mapped back, was a certificate.\n",
            cf.instances, cf.timeout, cf.gd_restarts, cf.gd_iters);
    for (int f = 0; f < NF; f++) {
        if (!use[f]) continue;
        cJSON *fo = cJSON_AddObjectToObject(fj, family_names[f]);
        cJSON *sz = cJSON_AddArrayToObject(fo, "sizes");
        fprintf(md, "\n### %s\n\n| n | latents | YES/NO |", family_names[f]);
        for (int s = 0; s < NS; s++)
            if (series_names[f][s]) fprintf(md, " %s |", series_names[f][s]);
        fprintf(md, " GD found |\n|---|---|---|");
        for (int s = 0; s < NS; s++)
            if (series_names[f][s]) fprintf(md, "---|");
        fprintf(md, "---|\n");
        int disagree[NS] = {0};
        for (int i = 0; i < nrows[f]; i++) {
            size_row *row = &rows[f][i];
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
                disagree[s] += row->disagree[s];
            }
            cJSON *insts = cJSON_AddArrayToObject(ro, "runs");
            for (int j = 0; j < row->ninst; j++) {
                instance *I = &row->inst[j];
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
                cJSON_AddItemToArray(insts, io);
            }
            cJSON_AddItemToArray(sz, ro);
            if (!row->complete) continue;
            fprintf(md, "| %d | %d | %d/%d%s |", row->n, row->inst[0].k, row->yes, row->no,
                    row->unknown ? " (+unknown)" : "");
            for (int s = 0; s < NS; s++) {
                if (!series_names[f][s]) continue;
                char tb[32];
                int absent = !cf.have[f][s];
                if (absent) snprintf(tb, sizeof tb, "absent");
                else fmt_time(tb, sizeof tb, row->median[s], cf.timeout);
                fprintf(md, " %s |", tb);
            }
            fprintf(md, " %d/%d |\n", row->gd_found, row->yes);
        }
        fprintf(md, "| fit a | | |");
        cJSON *fa = cJSON_AddObjectToObject(fo, "fits");
        for (int s = 0; s < NS; s++) {
            if (!series_names[f][s]) continue;
            fit *F = &fits[f][s];
            if (F->ok) {
                char se[32] = "";
                if (isfinite(F->se_a)) snprintf(se, sizeof se, " ± %.3f", F->se_a);
                fprintf(md, " %.3f%s (n %g–%g, %d pts) |", F->a, se, F->n_lo, F->n_hi, F->points);
            } else {
                fprintf(md, " – |");
            }
            cJSON *o = cJSON_AddObjectToObject(fa, series_keys[f][s]);
            cJSON_AddBoolToObject(o, "ok", F->ok);
            cJSON_AddItemToObject(o, "a", cli_json_num(F->ok ? F->a : NAN));
            cJSON_AddItemToObject(o, "se_a", cli_json_num(F->ok ? F->se_a : NAN));
            cJSON_AddItemToObject(o, "b", cli_json_num(F->ok ? F->b : NAN));
            cJSON_AddItemToObject(o, "se_b", cli_json_num(F->ok ? F->se_b : NAN));
            cJSON_AddNumberToObject(o, "points", F->points);
            cJSON_AddItemToObject(o, "doubling_n", cli_json_num(F->ok && F->a > 0 ? 1 / F->a : NAN));
        }
        fprintf(md, " |\n\nlog2(median seconds) = a n + b, least squares over the sizes with a median of at least %g s; "
                    "a = 1 doubles the time per unit of n.",
                cf.fit_min);
        int any = 0;
        for (int s = 0; s < NS; s++)
            if (s != S_GD && series_names[f][s] && disagree[s]) {
                fprintf(md, "%s %s: %d disagreements or failures", any ? ";" : " Disagreements with the instance's answer:", series_keys[f][s], disagree[s]);
                any = 1;
            }
        fprintf(md, "%s\n", any ? "." : " Every solver that gives an answer agreed with decide on every instance.");
        cJSON *dtot = cJSON_AddObjectToObject(fo, "disagreements");
        for (int s = 0; s < NS; s++)
            if (s != S_GD && series_names[f][s]) cJSON_AddNumberToObject(dtot, series_keys[f][s], disagree[s]);
    }
    int bad = ferror(md);
    bad |= fclose(md);
    if (bad) rc = cli_oom(C);
    else if (ginv_write_atomic(path, md_text, md_len) != GINV_OK)
        rc = cli_fail(C, "%s", ginv_last_error());
    free(md_text);
    snprintf(path, sizeof path, "%s/results.json", sd);
    if (!rc) rc = cli_json_write(C, doc, path);
    if (!rc && json) rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);

    /* ------------------------------------------------ plots and summary */
    for (int f = 0; f < NF && !rc; f++) {
        if (!use[f] || nrows[f] < 1) continue;
        double x[MAXN], *y[NS];
        const char *names[NS];
        int ns = 0, np = 0;
        for (int i = 0; i < nrows[f]; i++)
            if (rows[f][i].complete) x[np++] = rows[f][i].n;
        for (int s = 0; s < NS; s++) {
            if (!series_names[f][s]) continue;
            y[ns] = malloc(sizeof(double) * MAXN);
            names[ns] = series_names[f][s];
            int j = 0;
            for (int i = 0; i < nrows[f]; i++)
                if (rows[f][i].complete) {
                    double m = rows[f][i].median[s];
                    y[ns][j++] = isfinite(m) ? m : NAN;
                }
            ns++;
        }
        if (np >= 1) {
            char title[256];
            snprintf(title, sizeof title, "%s: median wall time vs n (%d instances per size)", family_names[f], cf.instances);
            snprintf(path, sizeof path, "%s/time_vs_n_%s.png", sd, family_names[f]);
            rc = plot_lines(path, title, f == F_SAT ? "variables n" : f == F_CVP ? "basis vectors n (latents 2n)" : "vertices n",
                            "median seconds", ns, names, np, x, (const double *const *)y, PLOT_LOGY);
        }
        for (int s = 0; s < ns; s++) free(y[s]);
    }
    if (!rc && ginv_outset_commit(set) != GINV_OK) rc = cli_fail(C, "--out: %s", ginv_last_error());
    ginv_outset_free(set);
    if (!rc && !cf.quiet) {
        printf("%-14s %-32s %-24s %s\n", "family", "solver", "a (log2 s per n)", "sizes fitted");
        for (int f = 0; f < NF; f++)
            for (int s = 0; s < NS; s++) {
                if (!use[f] || !series_names[f][s]) continue;
                fit *F = &fits[f][s];
                char a[48] = "-";
                if (F->ok) snprintf(a, sizeof a, "%.3f +- %.3f", F->a, F->se_a);
                printf("%-14s %-32s %-24s %d\n", family_names[f], series_names[f][s], cf.have[f][s] ? a : "absent", F->points);
            }
        printf("wrote %s/table.md, %s/results.json and time_vs_n_*.%s (%.0f s)\n", outdir, outdir, plot_ext(), total);
    }
    for (int f = 0; f < NF; f++) free(rows[f]);
    return rc;
}
