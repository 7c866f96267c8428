/* cmd_reduce.c — `ginv reduce`: the hardness reductions of Keles & Hegde
 * (2023) as model files (net + decision problem), the instance generators,
 * and map-back (check a latent against the original instance, encode a
 * certificate as a latent). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const SUBS =
    "  sat FILE.cnf --latent pm1|real -o OUT     k-SAT -> exact inversion (Thm 1: 2 layers; Thm 2: 4 layers)\n"
    "  cvp --basis F --target F --radius R --p P --latent 01|real [--gap G] -o OUT\n"
    "                                            (0,1)-CVP_p -> l_p inversion (Thm 3: 1 layer; Thm 4/App. A: 5)\n"
    "  half-clique GRAPH --p P [--bound M] [--latent 01|real] -o OUT\n"
    "                                            Half-Clique -> l_p inversion (Thm 5: 1 layer; Thm 6: 5)\n"
    "  vertex-cover GRAPH --size Q --p P [--latent 01|real] -o OUT\n"
    "                                            Vertex Cover -> l_p inversion (§5.3: 1 layer; real: 5)\n"
    "  random-sat --n N --ratio R --k K --seed S -o FILE.cnf     uniform random k-SAT\n"
    "  random-graph --n N --p-edge P --seed S -o FILE.col        G(n, p) in DIMACS\n"
    "  random-lattice --n N --d D --seed S --basis-out F --target-out F   small integer lattice + target\n"
    "  random-gap-cvp --n N --d D --radius R --gap G --answer yes|no --basis-out F --target-out F\n"
    "                                            a planted YES / certified NO Gap-CVP_gamma instance\n"
    "  check MODEL --z FILE                      map a latent back and check it against the instance\n"
    "  encode MODEL --solution FILE -o Z         the latent the proof builds from a certificate\n";

/* ------------------------------------------------------------ helpers */

/* Add "key": value (a string, made valid UTF-8: a path need not be, and the
 * model file's metadata must) to the problem's source JSON. */
static void source_add(ginv_problem *pb, const char *key, const char *value)
{
    cJSON *s = cJSON_Parse(pb->source_json);
    if (!s) return;
    char *clean = cli_utf8_clean(value);
    cJSON_AddStringToObject(s, key, clean ? clean : "?");
    free(clean);
    char *txt = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    if (!txt) return;
    ginv_free(pb->source_json);
    pb->source_json = ginv_strdup(txt);
    free(txt);
}

/* The source without the embedded instance (for the JSON summary). */
static cJSON *source_summary(const ginv_problem *pb)
{
    cJSON *s = cJSON_Parse(pb->source_json);
    const char *big[] = {"clauses", "edges", "basis", "target"};
    for (int i = 0; i < 4; i++) cJSON_DeleteItemFromObjectCaseSensitive(s, big[i]);
    return s;
}

static void arch_line(const ginv_net *net, char *buf, size_t len)
{
    int k = snprintf(buf, len, "%d", ginv_net_in(net));
    for (int l = 0; l < ginv_net_nlayers(net) && (size_t)k < len; l++) {
        const ginv_layer *L = ginv_net_layer_c(net, l);
        if (L->kind == GINV_LAYER_DENSE) k += snprintf(buf + k, len - k, " -> %d", L->out);
    }
}

/* Save, then report (text unless JSON goes to stdout; JSON if asked). */
static int finish(const char *C, ginv_net *net, ginv_problem *pb, const char *out, const char *json,
                  const char *what)
{
    ginv_status st = ginv_problem_save(net, pb, out);
    if (st != GINV_OK) return cli_lib_error(C, st);
    char arch[256], nb[16];
    arch_line(net, arch, sizeof arch);
    int ndense = ginv_net_nlayers(net) / 2;
    ginv_norm_name(pb->p, nb, sizeof nb);
    if (!json || strcmp(json, "-"))
        fprintf(cli_wrote_stream(out), "wrote %s: %s, %d ReLU layer%s %s, latent %s, p %s, delta %.17g\n", out, what, ndense,
               ndense == 1 ? "" : "s", arch, ginv_latent_domain_name(pb->latent), nb, pb->delta);
    if (!json) return 0;
    cJSON *doc = cli_json_new(C);
    cJSON_AddStringToObject(doc, "file", out);
    cJSON_AddStringToObject(doc, "reduction", what);
    cJSON_AddNumberToObject(doc, "layers", ndense);
    cJSON_AddStringToObject(doc, "architecture", arch);
    cJSON_AddNumberToObject(doc, "parameters", (double)ginv_net_nparams(net));
    cJSON_AddNumberToObject(doc, "latent_size", ginv_net_in(net));
    cJSON_AddNumberToObject(doc, "output_size", ginv_net_out(net));
    cJSON_AddStringToObject(doc, "latent", ginv_latent_domain_name(pb->latent));
    cJSON_AddStringToObject(doc, "p", nb);
    cJSON_AddNumberToObject(doc, "delta", pb->delta);
    cJSON_AddItemToObject(doc, "source", source_summary(pb));
    int rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    return rc;
}

static int parse_latent(const char *C, const char *text, ginv_latent_domain a, ginv_latent_domain b,
                        ginv_latent_domain *out)
{
    if (ginv_latent_domain_parse(text, out) != GINV_OK || (*out != a && *out != b))
        return cli_usage_error(C, "--latent '%s' must be %s or %s", text, ginv_latent_domain_name(a),
                               ginv_latent_domain_name(b));
    return 0;
}

/* --p: an integer 1..64, or inf when allow_inf (ginv_norm_parse); cli.h */
int cli_reduce_parse_p(const char *C, const char *text, int allow_inf, double *p)
{
    if (!text) return cli_usage_error(C, "--p P is required (an integer 1..64%s)", allow_inf ? " or inf" : "");
    if (ginv_norm_parse(text, p) != GINV_OK || *p == GINV_NORM_EXACT || (isinf(*p) && !allow_inf))
        return cli_usage_error(C, "--p '%s' must be an integer in 1..64%s", text, allow_inf ? " or inf" : "");
    return 0;
}

/* ------------------------------------------------------- reductions */

static int run_sat(int argc, char **argv)
{
    const char *C = "reduce sat", *latent = NULL, *out = NULL, *json = NULL;
    int lenient = 0;
    cli_opt opts[] = {
        {"latent", 0, OPT_STRING, &latent, "pm1|real", "pm1: Thm 1 (2 layers, z in {-1,1}^n); real: Thm 2 (4 layers, z in R^n)"},
        {"lenient", 0, OPT_FLAG, &lenient, "", "accept SATLIB's '%' trailer, a last clause without 0, another clause count"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (.safetensors, required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "describe the reduction as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "k-SAT -> exact inversion (Keles & Hegde 2023, Thms 1-2).",
                   "ginv reduce sat FILE.cnf --latent pm1|real -o OUT.safetensors",
                   "Thm 1: G(z) = ReLU(1^T ReLU(A z + b1)) with A_ji = -1 (+1) when variable i is in\n"
                   "clause j positively (negatively), (b1)_j = -(k_j - 1); target 0, z in {-1,1}^n.\n"
                   "G(z) counts the clauses z leaves unsatisfied. Thm 2 adds two clamping layers and\n"
                   "the |v_i| sum: G(z) = (unsatisfied clauses, sum |clamp(z_i, -1, 1)|), target (0, n),\n"
                   "z in R^n. Both problems are exact (G(z) == x). Every layer is ReLU(W h + b).\n"
                   "The file is DIMACS CNF, read strictly unless --lenient (docs/hardness.md)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error(C, "give the CNF file (ginv reduce sat FILE.cnf ...)");
    if (!latent) return cli_usage_error(C, "--latent pm1|real is required");
    if (!out) return cli_usage_error(C, "-o FILE is required");
    ginv_latent_domain dom;
    if ((rc = parse_latent(C, latent, GINV_LATENT_PM1, GINV_LATENT_REAL, &dom))) return rc;
    ginv_cnf f;
    ginv_status st = ginv_cnf_read(pos[0], !lenient, &f);
    if (st != GINV_OK) return cli_lib_error(C, st);
    ginv_net *net;
    ginv_problem pb;
    st = dom == GINV_LATENT_PM1 ? ginv_reduce_sat_pm1(&f, &net, &pb) : ginv_reduce_sat_real(&f, &net, &pb);
    ginv_cnf_release(&f);
    if (st != GINV_OK) return cli_lib_error(C, st);
    source_add(&pb, "file", pos[0]);
    rc = finish(C, net, &pb, out, json, dom == GINV_LATENT_PM1 ? "k-SAT, Thm 1" : "k-SAT, Thm 2");
    ginv_net_free(net);
    ginv_problem_release(&pb);
    return rc;
}

static int run_cvp(int argc, char **argv)
{
    const char *C = "reduce cvp", *basis = NULL, *target = NULL, *ptext = NULL, *latent = NULL, *out = NULL,
               *json = NULL;
    double radius = -1, gamma = 1;
    cli_opt opts[] = {
        {"basis", 0, OPT_STRING, &basis, "FILE", "n x d array: one basis vector a row (.npy or text)"},
        {"target", 0, OPT_STRING, &target, "FILE", "d values"},
        {"radius", 0, OPT_DOUBLE, &radius, "R", "YES iff ||B y - t||_p <= R for some y in {0,1}^n", 0, 8388607},
        {"p", 0, OPT_STRING, &ptext, "P", "the norm: an integer 1..64 or inf (the theorems: odd p)"},
        {"latent", 0, OPT_STRING, &latent, "01|real", "01: Thm 3 (1 layer, z in {0,1}^2n); real: Thm 4 (5 layers)"},
        {"gap", 0, OPT_DOUBLE, &gamma, "GAMMA", "Gap-CVP_gamma (NO: every y farther than GAMMA R): the constants exceed GAMMA R, not R (default 1)", 1, 1e6},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "describe the reduction as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "(0,1)-CVP_p -> approximate l_p inversion (Keles & Hegde 2023, Thms 3-4, App. A).",
                   "ginv reduce cvp --basis B.txt --target t.txt --radius R --p P --latent 01|real -o OUT",
                   "Thm 3: G(z) = ReLU([W1; -W1] z + [b1; -b1]), W1 = [v_1 0 v_2 0 ...; alpha pairs],\n"
                   "b1 = [-t; -alpha], target 0, delta = R, z in {0,1}^2n; alpha = floor(R) + 1 > delta.\n"
                   "Thm 4 (R < 1/4) and its Appendix A (R >= 1/4, c = 2 + 1/R) add four layers that\n"
                   "clamp z to [0, c delta] and snap it to {0,1}; z in R^2n. The problem is\n"
                   "||G(z) - x||_p <= delta. Every layer is ReLU(W h + b) (docs/hardness.md).\n"
                   "--gap GAMMA: the same nets for Gap-CVP_gamma with alpha = floor(GAMMA R) + 1 and\n"
                   "the real front end built for GAMMA R: a YES instance (some binary y within R)\n"
                   "has a latent within delta = R, a NO instance (every y farther than GAMMA R) has\n"
                   "every latent farther than GAMMA R. 'ginv reduce random-gap-cvp' makes instances."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!basis || !target) return cli_usage_error(C, "--basis FILE and --target FILE are required");
    if (radius < 0) return cli_usage_error(C, "--radius R is required");
    if (!latent) return cli_usage_error(C, "--latent 01|real is required");
    if (!out) return cli_usage_error(C, "-o FILE is required");
    double p;
    ginv_latent_domain dom;
    if ((rc = cli_reduce_parse_p(C, ptext, 1, &p)) || (rc = parse_latent(C, latent, GINV_LATENT_01, GINV_LATENT_REAL, &dom)))
        return rc;
    ginv_cvp c;
    ginv_status st = ginv_cvp_read(basis, target, &c);
    if (st != GINV_OK) return cli_lib_error(C, st);
    ginv_net *net;
    ginv_problem pb;
    st = dom == GINV_LATENT_01 ? ginv_reduce_gap_cvp_01(&c, radius, gamma, p, &net, &pb)
                               : ginv_reduce_gap_cvp_real(&c, radius, gamma, p, &net, &pb);
    ginv_cvp_release(&c);
    if (st != GINV_OK) return cli_lib_error(C, st);
    source_add(&pb, "basis_file", basis);
    source_add(&pb, "target_file", target);
    /* the theorem the library chose (Thm 4 or its App. A form), as its source records it */
    char what[64] = "(0,1)-CVP";
    cJSON *src = cJSON_Parse(pb.source_json);
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(src, "theorem");
    if (cJSON_IsString(th))
        snprintf(what, sizeof what, "(0,1)-CVP, Thm %.*s", (int)strcspn(th->valuestring, ","), th->valuestring);
    cJSON_Delete(src);
    char gwhat[128];
    if (gamma != 1) snprintf(gwhat, sizeof gwhat, "Gap-%s, gamma %g (NO: > %.17g)", what, gamma, gamma * radius);
    rc = finish(C, net, &pb, out, json, gamma != 1 ? gwhat : what);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    return rc;
}

static int run_graph(int argc, char **argv, int cover)
{
    const char *C = cover ? "reduce vertex-cover" : "reduce half-clique", *ptext = NULL, *out = NULL, *json = NULL,
               *latent = NULL;
    int lenient = 0, size = -1;
    double bound = 0;
    cli_opt opts_hc[] = {
        {"bound", 0, OPT_DOUBLE, &bound, "M", "YES iff a clique on n/2 vertices weighs < M (default: any half-clique)", 1, 16777216},
        {"p", 0, OPT_STRING, &ptext, "P", "the norm: an integer 1..64 (the theorem: even p)"},
        {"latent", 0, OPT_STRING, &latent, "01|real", "01: Thm 5 (1 layer, z in {0,1}^n; the default); real: Thm 6 (5 layers)"},
        {"lenient", 0, OPT_FLAG, &lenient, "", "merge repeated edges, ignore 'n' lines and the header's edge count"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "describe the reduction as JSON ('-': stdout)"},
        {0},
    };
    cli_opt opts_vc[] = {
        {"size", 0, OPT_INT, &size, "Q", "YES iff some vertex cover has exactly Q vertices", 0, 1 << 24},
        {"p", 0, OPT_STRING, &ptext, "P", "the norm: an integer 1..64 (the theorem: even p)"},
        {"latent", 0, OPT_STRING, &latent, "01|real", "01: §5.3 (1 layer, z in {0,1}^n; the default); real: §5.3 behind Thm 6's front end (5 layers)"},
        {"lenient", 0, OPT_FLAG, &lenient, "", "merge repeated edges, ignore 'n' lines and the header's edge count"},
        {"output", 'o', OPT_STRING, &out, "FILE", "model file to write (required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "describe the reduction as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd hc = {C, "Half-Clique -> approximate l_p inversion (Keles & Hegde 2023, Thms 5-6).",
                  "ginv reduce half-clique GRAPH.col --p P [--bound M] [--latent 01|real] -o OUT.safetensors",
                  "Thm 5 (--latent 01): one layer ReLU([W; -W] z + [b; -b]), z in {0,1}^n (n even),\n"
                  "target 0: a row per vertex pair (edges 2 w^(1/p), non-edges 2 alpha, bias -w^(1/p) /\n"
                  "-alpha) and a size row beta 1^T, bias -(n/2) beta; delta^p = sum w + alpha^p Z +\n"
                  "(3^p - 1)(M - 1/2). Thm 6 (--latent real): z in R^n, 5 layers: App. A's front end\n"
                  "(box B = 2 ceil(delta) + 1) makes t in {0,1}^n, then Thm 5's layer and sum |v_i - B/2|;\n"
                  "target (0, n B/2), the same delta. 'ginv decide' decides it for p = 2 only.\n"
                  "Edge weights: 'e U V W' (integers >= 1), else 1 (docs/hardness.md)."};
    cli_cmd vc = {C, "Vertex Cover -> approximate l_p inversion (Keles & Hegde 2023, §5.3).",
                  "ginv reduce vertex-cover GRAPH.col --size Q --p P [--latent 01|real] -o OUT.safetensors",
                  "One layer ReLU([W; -W] z + [b; -b]), z in {0,1}^n (z_i = 0: vertex i in the cover),\n"
                  "target 0: a row per vertex pair (edges 2 alpha, bias -alpha; non-edges 0) and a size\n"
                  "row beta 1^T, bias -(n - Q) beta; delta = (Z alpha^p)^(1/p), alpha = 1,\n"
                  "beta = floor(delta) + 1. --latent real: z in R^n, Thm 6's 5-layer front end before\n"
                  "that layer (an extension of the paper; docs/hardness.md)."};
    cli_opt *opts = cover ? opts_vc : opts_hc;
    const char *pos[1];
    int npos, rc = cli_parse(cover ? &vc : &hc, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error(C, "give the graph file (DIMACS 'p edge N M')");
    if (cover && size < 0) return cli_usage_error(C, "--size Q is required");
    if (!out) return cli_usage_error(C, "-o FILE is required");
    if (!cover && bound != floor(bound)) return cli_usage_error(C, "--bound %g must be an integer", bound);
    double p;
    if ((rc = cli_reduce_parse_p(C, ptext, 0, &p))) return rc;
    ginv_latent_domain dom = GINV_LATENT_01;
    if (latent && (rc = parse_latent(C, latent, GINV_LATENT_01, GINV_LATENT_REAL, &dom))) return rc;
    ginv_graph g;
    ginv_status st = ginv_graph_read(pos[0], !lenient, &g);
    if (st != GINV_OK) return cli_lib_error(C, st);
    long long M = (long long)bound;
    if (!cover && !cli_find(opts, "bound")->seen) {
        M = 1; /* any half-clique: one more than the total weight */
        for (int e = 0; e < g.m; e++) M += g.w[e];
    }
    ginv_net *net;
    ginv_problem pb;
    int real = dom == GINV_LATENT_REAL;
    st = cover ? (real ? ginv_reduce_vertex_cover_real : ginv_reduce_vertex_cover)(&g, size, (int)p, &net, &pb)
               : (real ? ginv_reduce_half_clique_real : ginv_reduce_half_clique)(&g, M, (int)p, &net, &pb);
    ginv_graph_release(&g);
    if (st != GINV_OK) return cli_lib_error(C, st);
    source_add(&pb, "file", pos[0]);
    rc = finish(C, net, &pb, out, json,
                cover ? (real ? "Vertex Cover, §5.3 behind Thm 6's front end" : "Vertex Cover, §5.3")
                      : real ? "Half-Clique, Thm 6" : "Half-Clique, Thm 5");
    ginv_net_free(net);
    ginv_problem_release(&pb);
    return rc;
}

/* ------------------------------------------------------- generators */

static int run_random_sat(int argc, char **argv)
{
    const char *C = "reduce random-sat", *out = NULL;
    int n = 0, m = 0, k = 3;
    double ratio = 4.26;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"n", 0, OPT_INT, &n, "N", "variables (required)", 1, 1 << 24},
        {"ratio", 0, OPT_DOUBLE, &ratio, "R", "clauses per variable: m = round(R n)", 0, 1e6},
        {"m", 0, OPT_INT, &m, "M", "the number of clauses instead of --ratio", 1, 1 << 26},
        {"k", 0, OPT_INT, &k, "K", "literals per clause (distinct variables)", 1, 1 << 20},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (stream GINV_STREAM_SAT)"},
        {"output", 'o', OPT_STRING, &out, "FILE", "DIMACS CNF file to write (required)"},
        {0},
    };
    cli_cmd cmd = {C, "Uniform random k-SAT in DIMACS CNF.",
                   "ginv reduce random-sat --n N [--ratio 4.26 | --m M] [--k 3] --seed S -o FILE.cnf",
                   "Each clause: k distinct variables drawn uniformly, each negated with probability\n"
                   "1/2. Near ratio 4.26 random 3-SAT is about half satisfiable."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!n) return cli_usage_error(C, "--n N is required");
    if (!out) return cli_usage_error(C, "-o FILE is required");
    if (cli_find(opts, "m")->seen && cli_find(opts, "ratio")->seen) return cli_usage_error(C, "give --m or --ratio, not both");
    if (!cli_find(opts, "m")->seen) m = (int)lround(ratio * n);
    if (k > n) return cli_usage_error(C, "--k %d is more than the %d variables", k, n);
    ginv_cnf f;
    ginv_status st = ginv_cnf_random(&f, n, m, k, seed);
    if (st != GINV_OK) return cli_lib_error(C, st);
    char comment[256];
    snprintf(comment, sizeof comment, "uniform random %d-SAT: n = %d, m = %d, seed %llu (ginv %s)", k, n, m,
             (unsigned long long)seed, GINV_VERSION);
    st = ginv_cnf_write(out, &f, comment);
    ginv_cnf_release(&f);
    if (st != GINV_OK) return cli_lib_error(C, st);
    fprintf(cli_wrote_stream(out), "wrote %s: %d variables, %d clauses of %d literals\n", out, n, m, k);
    return 0;
}

static int run_random_graph(int argc, char **argv)
{
    const char *C = "reduce random-graph", *out = NULL;
    int n = 0;
    double pe = -1;
    double maxw = 1;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"n", 0, OPT_INT, &n, "N", "vertices (required)", 1, 65536},
        {"p-edge", 0, OPT_DOUBLE, &pe, "P", "edge probability (required)", 0, 1},
        {"max-weight", 0, OPT_DOUBLE, &maxw, "W", "edge weights uniform in 1..W (1: unweighted)", 1, 1e12},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (stream GINV_STREAM_GRAPH)"},
        {"output", 'o', OPT_STRING, &out, "FILE", "DIMACS graph file to write (required)"},
        {0},
    };
    cli_cmd cmd = {C, "An Erdos-Renyi graph G(n, p) in DIMACS edge format.",
                   "ginv reduce random-graph --n N --p-edge P [--max-weight W] --seed S -o FILE.col", NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!n || pe < 0) return cli_usage_error(C, "--n N and --p-edge P are required");
    if (!out) return cli_usage_error(C, "-o FILE is required");
    if (maxw != floor(maxw)) return cli_usage_error(C, "--max-weight %g must be an integer", maxw);
    ginv_graph g;
    ginv_status st = ginv_graph_random(&g, n, pe, (long long)maxw, seed);
    if (st != GINV_OK) return cli_lib_error(C, st);
    char comment[256];
    snprintf(comment, sizeof comment, "G(n = %d, p = %g)%s, seed %llu (ginv %s)", n, pe, maxw > 1 ? ", weighted" : "",
             (unsigned long long)seed, GINV_VERSION);
    st = ginv_graph_write(out, &g, comment);
    int m = g.m;
    ginv_graph_release(&g);
    if (st != GINV_OK) return cli_lib_error(C, st);
    fprintf(cli_wrote_stream(out), "wrote %s: %d vertices, %d edges\n", out, n, m);
    return 0;
}

static int run_random_lattice(int argc, char **argv)
{
    const char *C = "reduce random-lattice", *bout = NULL, *tout = NULL;
    int n = 0, d = 0, range = 10, noise = 2;
    uint64_t seed = 1;
    cli_opt opts[] = {
        {"n", 0, OPT_INT, &n, "N", "basis vectors (required)", 1, 4096},
        {"d", 0, OPT_INT, &d, "D", "their dimension (required)", 1, 4096},
        {"range", 0, OPT_INT, &range, "R", "basis entries uniform integers in [-R, R]", 1, 1 << 20},
        {"noise", 0, OPT_INT, &noise, "E", "target t = B y0 + e, y0 in {0,1}^n, e uniform in [-E, E]^d", 0, 1 << 20},
        {"seed", 0, OPT_U64, &seed, "S", "random seed (stream GINV_STREAM_LATTICE)"},
        {"basis-out", 0, OPT_STRING, &bout, "FILE", "basis to write, n x d (.npy or text; required)"},
        {"target-out", 0, OPT_STRING, &tout, "FILE", "target to write, d values (required)"},
        {0},
    };
    cli_cmd cmd = {C, "A small random integer lattice and a target near a planted binary combination.",
                   "ginv reduce random-lattice --n N --d D [--range 10] [--noise 2] --seed S --basis-out B --target-out T",
                   NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!n || !d) return cli_usage_error(C, "--n N and --d D are required");
    if (!bout || !tout) return cli_usage_error(C, "--basis-out FILE and --target-out FILE are required");
    ginv_cvp c;
    ginv_status st = ginv_cvp_random(&c, n, d, range, noise, seed);
    if (st == GINV_OK) st = ginv_cvp_write(bout, tout, &c);
    ginv_cvp_release(&c);
    if (st != GINV_OK) return cli_lib_error(C, st);
    fprintf(cli_wrote_stream(bout), "wrote %s (%d x %d) and %s (%d)\n", bout, n, d, tout, d);
    return 0;
}

/* ---------------------------------------------------------- map-back */

static int load_reduced(const char *C, const char *path, ginv_net **net, ginv_problem *pb)
{
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return cli_lib_error(C, st);
    st = ginv_net_from_st(&f, net);
    int found = 0;
    if (st == GINV_OK) st = ginv_problem_from_st(&f, ginv_net_out(*net), pb, &found);
    ginv_st_release(&f);
    if (st != GINV_OK) {
        ginv_net_free(*net);
        return cli_fail(C, "'%s': %s", path, ginv_last_error());
    }
    if (!found) {
        ginv_net_free(*net);
        return cli_error_code(C, CLI_EXIT_FORMAT, "'%s' holds a net but no problem (make one with 'ginv reduce')", path);
    }
    return 0;
}

static const char *object_name(const char *kind)
{
    return !strcmp(kind, "sat") ? "assignment" : !strcmp(kind, "cvp") ? "coefficients y"
           : !strcmp(kind, "vertex-cover") ? "cover D" : "clique";
}

static void print_witness(const ginv_witness *w, const ginv_problem *pb)
{
    char nb[16];
    printf("dist %.17g (p %s, delta %.17g): %s\n", w->dist, ginv_norm_name(pb->p, nb, sizeof nb), pb->delta,
           w->within ? "within" : "not within");
    printf("encoding: %s\n%s:", w->encoding_ok ? "ok" : "not one the proof names", object_name(w->kind));
    int sets = strcmp(w->kind, "sat") && strcmp(w->kind, "cvp"); /* vertex sets: list the members */
    for (int i = 0; i < w->size; i++)
        if (!sets) printf(" %d", w->object[i]);
        else if (w->object[i]) printf(" %d", i + 1);
    printf("\nsolves the instance: %s%s%s%s\n", w->solves ? "yes" : "no", w->solves ? "" : " (", w->why,
           w->solves ? "" : ")");
}

static cJSON *witness_json(const ginv_witness *w)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "dist", cli_json_num(w->dist));
    cJSON_AddBoolToObject(o, "within", w->within);
    cJSON_AddBoolToObject(o, "encoding_ok", w->encoding_ok);
    cJSON_AddBoolToObject(o, "solves", w->solves);
    cJSON_AddItemToObject(o, "value", cli_json_num(w->value));
    cJSON_AddItemToObject(o, "object", cJSON_CreateIntArray(w->object, w->size));
    cJSON_AddStringToObject(o, "why", w->why);
    return o;
}

static int run_check(int argc, char **argv)
{
    const char *C = "reduce check", *zpath = NULL, *json = NULL;
    cli_opt opts[] = {
        {"z", 0, OPT_STRING, &zpath, "FILE", "latents: k values, or B rows of k (.npy or text; required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write the result as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "Map latents of a reduced net back to the original instance and check them.",
                   "ginv reduce check MODEL.safetensors --z Z.txt [--json FILE]",
                   "For one latent: ||G(z) - x||_p (double precision), whether it is within delta,\n"
                   "whether z is an encoding the proof names, the object z encodes (assignment,\n"
                   "coefficients y, vertex set) and whether that object solves the instance stored in\n"
                   "the file. For B rows: how many are within delta, how many map to certificates,\n"
                   "and the first one within delta in full. Exit status 0 whenever the check ran."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1 || !zpath) return cli_usage_error(C, "give the model file and --z FILE");
    ginv_net *net;
    ginv_problem pb;
    if ((rc = load_reduced(C, pos[0], &net, &pb))) return rc;
    ginv_array za = {0};
    ginv_status st = ginv_array_read(zpath, &za);
    int k = ginv_net_in(net);
    long rows = 0;
    if (st != GINV_OK) rc = cli_lib_error(C, st);
    else if (za.ndim > 2 || za.shape[za.ndim - 1] != k)
        rc = cli_error_code(C, CLI_EXIT_FORMAT, "--z '%s' has rows of %lld values; the net's latent has %d", zpath,
                       (long long)za.shape[za.ndim - 1], k);
    else rows = za.ndim == 2 ? (long)za.shape[0] : 1;
    ginv_witness first = {0};
    long within = 0, solves = 0, encodings = 0, bad = 0, first_row = -1;
    double *z = malloc(sizeof(double) * (k + 1));
    for (long r = 0; !rc && r < rows; r++) {
        for (int i = 0; i < k; i++) z[i] = za.data[(size_t)r * k + i];
        ginv_witness w;
        st = ginv_reduce_map_back(net, &pb, z, &w);
        if (st != GINV_OK) {
            rc = cli_fail(C, "--z row %ld: %s", r + 1, ginv_last_error());
            break;
        }
        within += w.within;
        solves += w.solves;
        encodings += w.encoding_ok;
        bad += w.within && !w.solves; /* a reduction that is wrong, or a latent off the proof's encodings */
        if ((w.within && first_row < 0) || r == 0) {
            ginv_witness_release(&first);
            first = w;
            if (w.within) first_row = r;
        } else {
            ginv_witness_release(&w);
        }
    }
    free(z);
    if (!rc && (!json || strcmp(json, "-"))) {
        if (rows > 1) {
            printf("%ld latents: %ld within delta, %ld map to certificates, %ld encodings, %ld within delta but "
                   "not certificates\n", rows, within, solves, encodings, bad);
            if (first_row >= 0) printf("first within delta: row %ld\n", first_row + 1);
        }
        if (rows == 1 || first_row >= 0) print_witness(&first, &pb);
    }
    if (!rc && json) {
        cJSON *doc = cli_json_new(C);
        cJSON_AddStringToObject(doc, "model", pos[0]);
        cJSON_AddStringToObject(doc, "z", zpath);
        cJSON_AddStringToObject(doc, "kind", first.kind);
        cJSON_AddNumberToObject(doc, "delta", pb.delta);
        cJSON_AddNumberToObject(doc, "latents", (double)rows);
        cJSON_AddNumberToObject(doc, "within", (double)within);
        cJSON_AddNumberToObject(doc, "solves", (double)solves);
        cJSON_AddNumberToObject(doc, "encodings", (double)encodings);
        cJSON_AddNumberToObject(doc, "within_not_solving", (double)bad);
        cJSON_AddNumberToObject(doc, "first_within_row", first_row >= 0 ? (double)first_row + 1 : 0);
        cJSON_AddItemToObject(doc, "result", witness_json(&first));
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    ginv_witness_release(&first);
    ginv_array_release(&za);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    return rc;
}

static int run_encode(int argc, char **argv)
{
    const char *C = "reduce encode", *sol = NULL, *out = NULL;
    cli_opt opts[] = {
        {"solution", 0, OPT_STRING, &sol, "FILE", "the certificate: n values 0/1 (sat: variable values; cvp: y; "
                                                  "half-clique: members; vertex-cover: the cover)"},
        {"output", 'o', OPT_STRING, &out, "FILE", "the latent to write (.npy or text; required)"},
        {0},
    };
    cli_cmd cmd = {C, "The latent the reduction's proof builds from a certificate of the original instance.",
                   "ginv reduce encode MODEL.safetensors --solution FILE -o Z.txt", NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1 || !sol || !out) return cli_usage_error(C, "give the model file, --solution FILE and -o FILE");
    ginv_net *net;
    ginv_problem pb;
    if ((rc = load_reduced(C, pos[0], &net, &pb))) return rc;
    ginv_array sa = {0};
    ginv_status st = ginv_array_read(sol, &sa);
    int k = ginv_net_in(net), ns = (int)ginv_array_count(&sa);
    if (st != GINV_OK) rc = cli_lib_error(C, st);
    else {
        int *obj = malloc(sizeof(int) * (ns + 1));
        double *z = malloc(sizeof(double) * k);
        float *zf = malloc(sizeof(float) * k);
        for (int i = 0; i < ns; i++) obj[i] = sa.data[i] == 1 ? 1 : sa.data[i] == 0 ? 0 : -1;
        st = ginv_reduce_encode(&pb, ns, obj, z, k);
        if (st != GINV_OK) rc = cli_fail(C, "--solution '%s': %s", sol, ginv_last_error());
        else {
            for (int i = 0; i < k; i++) zf[i] = (float)z[i];
            int64_t shape[1] = {k};
            st = ginv_array_write(out, zf, 1, shape);
            if (st != GINV_OK) rc = cli_lib_error(C, st);
            else fprintf(cli_wrote_stream(out), "wrote %s: %d latent values\n", out, k);
        }
        free(obj);
        free(z);
        free(zf);
    }
    ginv_array_release(&sa);
    ginv_net_free(net);
    ginv_problem_release(&pb);
    return rc;
}

int cmd_reduce(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        printf("Hardness reductions of Keles & Hegde (2023): instances -> ReLU nets + decision problems.\n\n"
               "usage: ginv reduce SUBCOMMAND ...   ('ginv reduce SUBCOMMAND --help' for its options)\n\n%s", SUBS);
        return argc < 2 ? 2 : 0;
    }
    const char *s = argv[1];
    if (!strcmp(s, "sat")) return run_sat(argc - 1, argv + 1);
    if (!strcmp(s, "cvp")) return run_cvp(argc - 1, argv + 1);
    if (!strcmp(s, "half-clique")) return run_graph(argc - 1, argv + 1, 0);
    if (!strcmp(s, "vertex-cover")) return run_graph(argc - 1, argv + 1, 1);
    if (!strcmp(s, "random-sat")) return run_random_sat(argc - 1, argv + 1);
    if (!strcmp(s, "random-graph")) return run_random_graph(argc - 1, argv + 1);
    if (!strcmp(s, "random-lattice")) return run_random_lattice(argc - 1, argv + 1);
    if (!strcmp(s, "random-gap-cvp")) return reduce_random_gap_cvp(argc - 1, argv + 1);
    if (!strcmp(s, "check")) return run_check(argc - 1, argv + 1);
    if (!strcmp(s, "encode")) return run_encode(argc - 1, argv + 1);
    return cli_usage_error("reduce", "unknown subcommand '%s' (see 'ginv reduce --help')", s);
}
