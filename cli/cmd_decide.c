/* cmd_decide.c — `ginv decide`: is there a latent z in the domain with
 * ||G(z) - x||_p <= delta (exact: G(z) = x)? YES with a verified witness, NO
 * with a certificate, UNKNOWN at the time limit (Keles & Hegde 2023). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "01", "pm1", "real", "real:box=R" */
static int parse_latent(const char *C, const char *text, ginv_latent_domain *dom, double *box)
{
    if (!strncmp(text, "real:box=", 9)) {
        char *end = NULL;
        double r = strtod(text + 9, &end);
        if (end == text + 9 || *end || !isfinite(r) || r <= 0)
            return cli_usage_error(C, "--latent '%s': the box must be a finite number > 0, e.g. "
                                      "real:box=2", text);
        *dom = GINV_LATENT_REAL;
        *box = r;
        return 0;
    }
    if (ginv_latent_domain_parse(text, dom) != GINV_OK)
        return cli_usage_error(C, "--latent '%s' must be 01, pm1, real or real:box=R", text);
    *box = 0;
    return 0;
}

/* The target in double: text files are parsed with strtod (17 digits
 * survive, which exact targets need); .npy goes through ginv_array (float32). */
static int read_target(const char *C, const char *path, int n, double *out)
{
    size_t len = strlen(path);
    if (len >= 4 && !strcmp(path + len - 4, ".npy")) {
        ginv_array a = {0};
        if (ginv_array_read(path, &a) != GINV_OK) return cli_fail(C, "--target: %s", ginv_last_error());
        size_t got = ginv_array_count(&a);
        if (got == (size_t)n)
            for (int i = 0; i < n; i++) out[i] = a.data[i];
        ginv_array_release(&a);
        if (got != (size_t)n)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--target '%s' holds %zu values; the net's output has %d", path, got, n);
    } else {
        unsigned char *buf = NULL;
        size_t blen = 0;
        if (ginv_read_file(path, (size_t)1 << 30, &buf, &blen) != GINV_OK)
            return cli_fail(C, "--target: %s", ginv_last_error());
        char *txt = ginv_malloc(blen + 1);
        if (!txt) { ginv_free(buf); return cli_oom(C); }
        memcpy(txt, buf, blen);
        txt[blen] = 0;
        ginv_free(buf);
        size_t got = 0;
        int bad = 0;
        for (char *p = txt, *tok; (tok = strtok(p, " \t\r\n,")) != NULL; p = NULL) {
            char *end = NULL;
            double v = strtod(tok, &end);
            if (end == tok || *end) { bad = 1; cli_error_code(C, CLI_EXIT_FORMAT, "--target '%s': '%s' is not a number", path, tok); break; }
            if (got < (size_t)n) out[got] = v;
            got++;
        }
        ginv_free(txt);
        if (bad) return CLI_EXIT_FORMAT;
        if (got != (size_t)n)
            return cli_error_code(C, CLI_EXIT_FORMAT, "--target '%s' holds %zu values; the net's output has %d", path, got, n);
    }
    for (int i = 0; i < n; i++)
        if (!isfinite(out[i])) return cli_error_code(C, CLI_EXIT_NUMERIC, "--target '%s': value %d is not finite", path, i);
    return 0;
}

static void print_vec(FILE *fp, const char *name, int n, const double *v)
{
    fprintf(fp, "%s:", name);
    for (int i = 0; i < n && i < 64; i++) fprintf(fp, " %.17g", v[i]);
    if (n > 64) fprintf(fp, " ... (%d values; see --json)", n);
    fputc('\n', fp);
}

static cJSON *certificate_json(const ginv_decide_result *r)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "kind", ginv_decide_method_name(r->method));
    cJSON_AddStringToObject(c, "note", r->note);
    cJSON_AddNumberToObject(c, "threshold", r->threshold);
    cJSON_AddNumberToObject(c, "margin", r->margin);
    cJSON_AddItemToObject(c, "lower_bound", cli_json_num(r->lower_bound));
    cJSON_AddItemToObject(c, "upper_bound", cli_json_num(r->upper_bound));
    if (r->method == GINV_DECIDE_ENUM) {
        cJSON_AddNumberToObject(c, "latents", ldexp(1, r->k));
        cJSON_AddNumberToObject(c, "visited", (double)r->visited);
        cJSON_AddNumberToObject(c, "pruned_latents", (double)r->pruned_latents);
        cJSON_AddNumberToObject(c, "pruned_subtrees", (double)r->pruned_subtrees);
        cJSON *arr = cJSON_AddArrayToObject(c, "pruned");
        for (int i = 0; i < r->npruned; i++) {
            cJSON *o = cJSON_CreateObject();
            char bits[65];
            for (int j = 0; j < r->pruned[i].depth; j++)
                bits[j] = (r->pruned[i].prefix >> j) & 1 ? '1' : '0';
            bits[r->pruned[i].depth] = 0;
            cJSON_AddStringToObject(o, "prefix", bits);
            cJSON_AddNumberToObject(o, "bound", r->pruned[i].bound);
            cJSON_AddItemToArray(arr, o);
        }
    } else {
        cJSON_AddItemToObject(c, "solver_bound", cli_json_num(r->solver_bound));
        cJSON_AddNumberToObject(c, "unstable_units", r->unstable_units);
        cJSON_AddNumberToObject(c, "stable_units", r->stable_units);
        cJSON_AddNumberToObject(c, "lp_solves", r->lp_solves);
        if (r->method == GINV_DECIDE_BNB) {
            cJSON_AddNumberToObject(c, "infeasible_nodes", r->infeasible_nodes);
            cJSON_AddNumberToObject(c, "bound_pruned_nodes", r->bound_pruned_nodes);
            cJSON_AddNumberToObject(c, "exact_leaves", r->exact_leaves);
            cJSON_AddNumberToObject(c, "qp_leaves", r->qp_leaves);
            cJSON_AddNumberToObject(c, "max_kkt_residual", r->max_kkt_residual);
            cJSON_AddNumberToObject(c, "cuts", r->cuts);
            cJSON_AddNumberToObject(c, "cut_rounds", r->cut_rounds);
            cJSON_AddNumberToObject(c, "max_leaf_gap", r->max_leaf_gap);
            cJSON_AddBoolToObject(c, "cut_budget_hit", r->cut_budget_hit);
        }
    }
    return c;
}

int cmd_decide(int argc, char **argv)
{
    const char *C = "decide";
    const char *model = NULL, *target = NULL, *norm = NULL, *latent = NULL, *method = "auto";
    const char *write_lp = NULL, *json = NULL;
    double delta = 0, time_limit = 0;
    int minimize = 0, quiet = 0, max_pruned = 4096;
    cli_opt opts[] = {
        {"model", 0, OPT_STRING, &model, "FILE", "model file (.safetensors), with or without a stored problem"},
        {"target", 0, OPT_STRING, &target, "FILE", "target x (n values: text, read in double, or .npy); default: the stored one"},
        {"norm", 0, OPT_STRING, &norm, "exact|P|inf", "exact (G(z) = x) or the l_p norm, p = 1, 2, 3, ..., inf"},
        {"delta", 0, OPT_DOUBLE, &delta, "D", "YES iff some ||G(z) - x||_p <= D (not with exact)", 0, 1e300},
        {"latent", 0, OPT_STRING, &latent, "DOMAIN", "01 | pm1 | real | real:box=R (|z_i| <= R)"},
        {"method", 0, OPT_STRING, &method, "NAME", "auto | enum | milp | bnb"},
        {"time-limit", 0, OPT_DOUBLE, &time_limit, "S", "give up with UNKNOWN after S seconds (0: none)", 0, 1e9},
        {"minimize", 0, OPT_FLAG, &minimize, "", "go on to the proven minimum distance"},
        {"write-lp", 0, OPT_STRING, &write_lp, "FILE", "also write the MILP in CPLEX LP format (glpsol --lp, cbc)"},
        {"max-pruned", 0, OPT_INT, &max_pruned, "N", "enumeration: pruned subtrees listed in the certificate", 0, 1 << 24},
        {"json", 0, OPT_STRING, &json, "FILE", "write the answer as JSON ('-': stdout)"},
        CLI_QUIET_OPT(quiet),
        {0},
    };
    cli_cmd cmd = {C, "Decide exactly whether a target is in (or near) the range of a ReLU generator.",
                   "ginv decide --model FILE [--target FILE] [--norm N] [--delta D] [--latent DOMAIN] [options]",
                   "YES: a witness latent whose distance a double-precision forward pass confirms\n"
                   "(exact: ||G(z) - x||_inf <= 1e-9 max(1, ||x||_inf)). NO: a certificate -- every\n"
                   "binary latent visited or pruned by an interval bound, or an MILP/LP/QP bound\n"
                   "above delta by a margin (1e-6 max(1, ||x||_inf)). UNKNOWN: the time limit, or a\n"
                   "bound too close to delta to trust. Target, norm, delta and latent domain default\n"
                   "to the problem stored in the model file by `ginv reduce`.\n"
                   "Methods: enum (binary latents, any p), milp (GLPK; exact, 1, inf; binary or\n"
                   "boxed real latents), bnb (real latents, boxed or not; exact, 1, 2, 3, ..., inf);\n"
                   "auto picks enum for binary latents, milp for boxed real ones with exact/1/inf,\n"
                   "bnb otherwise. Networks: dense layers each followed by relu or nothing.\n"
                   "Exit status: 0 for YES or NO, 3 for UNKNOWN, 2 on usage errors, 4-8 by the class of\n"
                   "other errors (ginv --help, docs/cli.md)."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    cli_install_callbacks(quiet);
    if (!model) return cli_usage_error(C, "--model FILE is required");
    ginv_decide_opts o;
    ginv_decide_opts_init(&o);
    if (ginv_decide_method_parse(method, &o.method) != GINV_OK)
        return cli_usage_error(C, "--method '%s' must be auto, enum, milp or bnb", method);
    o.time_limit = time_limit, o.minimize = minimize, o.max_pruned = max_pruned;

    ginv_st_file f;
    ginv_status st = ginv_st_read(model, &f);
    if (st != GINV_OK) return cli_lib_error(C, st);
    ginv_net *net = NULL;
    ginv_problem pb;
    memset(&pb, 0, sizeof pb);
    ginv_decide_result res;
    memset(&res, 0, sizeof res);
    int found = 0, have_res = 0;
    if ((st = ginv_net_from_st(&f, &net)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    int n = ginv_net_out(net), k = ginv_net_in(net);
    if ((st = ginv_problem_from_st(&f, n, &pb, &found)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    if (!found) {
        if (!target || !norm || !latent) {
            rc = cli_usage_error(C, "'%s' stores no problem: give --target, --norm and --latent", model);
            goto out;
        }
        pb.n = n;
        pb.p = GINV_NORM_EXACT;
    }
    if (norm && ginv_norm_parse(norm, &pb.p) != GINV_OK) {
        rc = cli_usage_error(C, "--norm: %s", ginv_last_error());
        goto out;
    }
    if (latent && (rc = parse_latent(C, latent, &pb.latent, &pb.box))) goto out;
    if (cli_find(opts, "delta")->seen) {
        if (pb.p == GINV_NORM_EXACT && delta != 0) {
            rc = cli_usage_error(C, "--delta %g with --norm exact: exact inversion has no delta", delta);
            goto out;
        }
        pb.delta = delta;
    } else if (!found && pb.p != GINV_NORM_EXACT) {
        rc = cli_usage_error(C, "--norm %s needs --delta D", norm);
        goto out;
    }
    if (target) {
        ginv_free(pb.target);
        pb.target = ginv_malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
        if (!pb.target) { rc = cli_oom(C); goto out; }
        if ((rc = read_target(C, target, n, pb.target))) goto out;
    }
    if (write_lp && (st = ginv_milp_write_lp(net, &pb, write_lp)) != GINV_OK) {
        rc = cli_fail(C, "--write-lp: %s", ginv_last_error());
        goto out;
    }
    o.ctx = cli_run_ctx(); /* Ctrl-C: exit 130, nothing written */
    if ((st = ginv_decide(net, &pb, &o, &res)) != GINV_OK) { rc = cli_lib_error(C, st); goto out; }
    have_res = 1;
    char nb[16];
    ginv_norm_name(pb.p, nb, sizeof nb);
    if (!quiet) {
        printf("answer: %s\n", ginv_answer_name(res.answer));
        printf("problem: norm %s, delta %g, latent %s", nb, pb.delta, ginv_latent_domain_name(pb.latent));
        if (pb.latent == GINV_LATENT_REAL && pb.box > 0) printf(" (box %g)", pb.box);
        printf(", k %d, n %d\n", k, n);
        if (isfinite(res.distance)) printf("distance: %.17g\n", res.distance);
        printf("bounds: %.17g <= min distance <= %.17g\n", res.lower_bound, res.upper_bound);
        if (res.witness) print_vec(stdout, res.answer == GINV_ANSWER_YES ? "witness" : "minimiser", k, res.witness);
        printf("method: %s, %ld nodes, %.3f s\n", ginv_decide_method_name(res.method), res.nodes, res.seconds);
        printf("certificate: %s\n", res.note);
    }
    if (json) {
        cJSON *doc = cli_json_new(C);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddStringToObject(p, "model", model);
        cJSON_AddStringToObject(p, "target", target ? target : "stored");
        cJSON_AddStringToObject(p, "norm", nb);
        cJSON_AddNumberToObject(p, "delta", pb.delta);
        cJSON_AddStringToObject(p, "latent", ginv_latent_domain_name(pb.latent));
        if (pb.latent == GINV_LATENT_REAL) cJSON_AddNumberToObject(p, "box", pb.box);
        cJSON_AddStringToObject(p, "method", method);
        cJSON_AddNumberToObject(p, "time_limit", time_limit);
        cJSON_AddBoolToObject(p, "minimize", minimize);
        cJSON_AddNumberToObject(p, "k", k);
        cJSON_AddNumberToObject(p, "n", n);
        if (pb.source_json) {
            cJSON *src = cJSON_Parse(pb.source_json);
            if (src) cJSON_AddItemToObject(p, "source", src);
        }
        cJSON_AddStringToObject(doc, "answer", ginv_answer_name(res.answer));
        if (res.witness) {
            cJSON *w = cJSON_AddArrayToObject(doc, res.answer == GINV_ANSWER_YES ? "witness" : "minimiser");
            for (int j = 0; j < k; j++) cJSON_AddItemToArray(w, cJSON_CreateNumber(res.witness[j]));
        }
        cJSON_AddItemToObject(doc, "distance", cli_json_num(res.distance));
        cJSON_AddItemToObject(doc, "lower_bound", cli_json_num(res.lower_bound));
        cJSON_AddItemToObject(doc, "upper_bound", cli_json_num(res.upper_bound));
        cJSON_AddStringToObject(doc, "method", ginv_decide_method_name(res.method));
        cJSON_AddNumberToObject(doc, "nodes", res.nodes);
        cJSON_AddNumberToObject(doc, "seconds", res.seconds);
        cJSON_AddItemToObject(doc, "certificate", certificate_json(&res));
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    if (!rc && res.answer == GINV_ANSWER_UNKNOWN) rc = CLI_EXIT_UNKNOWN;
out:
    if (have_res) ginv_decide_result_release(&res);
    ginv_problem_release(&pb);
    ginv_net_free(net);
    ginv_st_release(&f);
    return rc;
}
