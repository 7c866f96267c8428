/* cmd_theory.c — `ginv theory g|rho|h`: the closed-form quantities of Hand &
 * Voroninski (2019) §II: g (eq. 3), rho_d (Lemma 10), h_{x,x0} (eq. 29). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int theory_g(int argc, char **argv)
{
    const char *C = "theory g", *json = NULL;
    double theta = NAN;
    int depth = 1;
    cli_opt opts[] = {
        {"theta", 0, OPT_DOUBLE, &theta, "T", "angle in radians, in [0, pi] (required)", 0, M_PI},
        {"depth", 0, OPT_INT, &depth, "D", "apply g D times (the angle after D ReLU layers)", 1, 4096},
        {"json", 0, OPT_STRING, &json, "FILE", "write JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "g(theta) = acos(((pi - theta) cos theta + sin theta) / pi) (eq. 3), iterated.",
                   "ginv theory g --theta T [--depth D]", NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!cli_find(opts, "theta")->seen) return cli_usage_error(C, "--theta is required");
    double g = ginv_theory_g_iter(theta, depth);
    if (!json || strcmp(json, "-")) printf("g^%d(%.17g) = %.17g\n", depth, theta, g);
    if (!json) return 0;
    cJSON *doc = cli_json_new(C);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddNumberToObject(p, "theta", theta);
    cJSON_AddNumberToObject(p, "depth", depth);
    cJSON_AddNumberToObject(doc, "theta", theta);
    cJSON_AddNumberToObject(doc, "depth", depth);
    cJSON_AddNumberToObject(doc, "g", g);
    rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    return rc;
}

static int theory_rho(int argc, char **argv)
{
    const char *C = "theory rho", *json = NULL;
    int depth = 0, table = 0;
    cli_opt opts[] = {
        {"depth", 0, OPT_INT, &depth, "D", "network depth d (required)", 1, 4096},
        {"table", 0, OPT_FLAG, &table, "", "print rho_1 .. rho_D"},
        {"json", 0, OPT_STRING, &json, "FILE", "write JSON ('-': stdout); field \"rho\""},
        {0},
    };
    cli_cmd cmd = {C, "rho_d of Lemma 10: the spurious stationary point of f sits near -rho_d z0.",
                   "ginv theory rho --depth D [--table] [--json FILE]",
                   "rho_d = sum_{i<d} sin(th_i)/pi prod_{j=i+1}^{d-1} (pi - th_j)/pi, th_0 = pi,\n"
                   "th_i = g(th_{i-1}); rho_d -> 1 as d grows."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!depth) return cli_usage_error(C, "--depth is required");
    int quiet = json && !strcmp(json, "-");
    if (!quiet) {
        if (table)
            for (int d = 1; d <= depth; d++) printf("%4d  %.15f\n", d, ginv_theory_rho(d));
        else
            printf("rho_%d = %.15f\n", depth, ginv_theory_rho(depth));
    }
    if (!json) return 0;
    cJSON *doc = cli_json_new(C);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddNumberToObject(p, "depth", depth);
    cJSON_AddBoolToObject(p, "table", table);
    cJSON_AddNumberToObject(doc, "depth", depth);
    cJSON_AddNumberToObject(doc, "rho", ginv_theory_rho(depth));
    if (table) {
        cJSON *arr = cJSON_AddArrayToObject(doc, "table");
        for (int d = 1; d <= depth; d++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(ginv_theory_rho(d)));
    }
    rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    return rc;
}

/* An array file of exactly k values (k = 0: any), as doubles. */
static int read_doubles(const char *C, const char *opt, const char *path, double **out, int *k)
{
    ginv_array a;
    ginv_status st = ginv_array_read(path, &a);
    if (st != GINV_OK) return cli_fail(C, "--%s: %s", opt, ginv_last_error());
    int n = (int)ginv_array_count(&a);
    if (*k && n != *k) {
        ginv_array_release(&a);
        return cli_error_code(C, CLI_EXIT_FORMAT, "--%s '%s' holds %d values; --x holds %d", opt, path, n, *k);
    }
    *k = n;
    *out = malloc(sizeof(double) * (n ? n : 1));
    for (int i = 0; i < n; i++) (*out)[i] = a.data[i];
    ginv_array_release(&a);
    return 0;
}

static int theory_h(int argc, char **argv)
{
    const char *C = "theory h", *json = NULL, *xp = NULL, *x0p = NULL;
    int depth = 0;
    cli_opt opts[] = {
        {"depth", 0, OPT_INT, &depth, "D", "network depth d (required)", 1, 4096},
        {"x", 0, OPT_STRING, &xp, "FILE", "the point x (k values, required)"},
        {"x0", 0, OPT_STRING, &x0p, "FILE", "the truth x0 (k values, required)"},
        {"json", 0, OPT_STRING, &json, "FILE", "write JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "h_{x,x0} of eq. (29): the gradient's concentration point on random nets.",
                   "ginv theory h --depth D --x FILE --x0 FILE", NULL};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!depth || !xp || !x0p) return cli_usage_error(C, "--depth, --x and --x0 are required");
    double *x = NULL, *x0 = NULL;
    int k = 0;
    if ((rc = read_doubles(C, "x", xp, &x, &k)) || (rc = read_doubles(C, "x0", x0p, &x0, &k))) {
        free(x);
        return rc;
    }
    double *h = malloc(sizeof(double) * k), nh = 0;
    ginv_status st = ginv_theory_h(depth, k, x, x0, h);
    if (st != GINV_OK) rc = cli_lib_error(C, st);
    for (int i = 0; !rc && i < k; i++) nh += h[i] * h[i];
    if (!rc && (!json || strcmp(json, "-"))) {
        printf("h =");
        for (int i = 0; i < k; i++) printf(" %.10g", h[i]);
        printf("\n||h|| = %.10g\n", sqrt(nh));
    }
    if (!rc && json) {
        cJSON *doc = cli_json_new(C);
        cJSON *p = cJSON_AddObjectToObject(doc, "params");
        cJSON_AddNumberToObject(p, "depth", depth);
        cJSON_AddStringToObject(p, "x", xp);
        cJSON_AddStringToObject(p, "x0", x0p);
        cJSON_AddNumberToObject(doc, "depth", depth);
        cJSON_AddItemToObject(doc, "h", cJSON_CreateDoubleArray(h, k));
        cJSON_AddNumberToObject(doc, "norm", sqrt(nh));
        rc = cli_json_write(C, doc, json);
        cJSON_Delete(doc);
    }
    free(x);
    free(x0);
    free(h);
    return rc;
}

int cmd_theory(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "g")) return theory_g(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "rho")) return theory_rho(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "h")) return theory_h(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: ginv theory g|rho|h [options]\n\n"
               "  g    g(theta) of eq. (3), iterated\n"
               "  rho  rho_d of Lemma 10\n"
               "  h    h_{x,x0} of eq. (29)\n");
        return 0;
    }
    return cli_usage_error("theory", "expected g, rho or h (see 'ginv theory --help')");
}
