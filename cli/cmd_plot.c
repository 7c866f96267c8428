/* cmd_plot.c — `ginv plot`: line plots of numeric arrays from the JSON
 * outputs of several runs in one figure (e.g. the fraction of chains near z0
 * against the step, one curve per temperature), through plot_series. A path
 * reaches into arrays of objects (`trials[].rel_error`), and each file's
 * series has its own x and length. */
#include "cli.h"
#include "io/json_internal.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 16

/* The numbers at a path into a JSON document: dot-separated keys, each
 * optionally followed by [] (every element of that array) or [I] (element I,
 * from 0); a path may start with [] or [I] for a document that is an array.
 * The path must end at one array (its elements are the values) or, through
 * [], at several values. Elements that are not numbers become NaN. Returns
 * the count (>= 0), -1 when the path leads nowhere, -2 out of memory. */
static int at_path(cJSON *doc, const char *path, double **out)
{
    int n = 1;
    cJSON **nodes = malloc(sizeof *nodes), **next = NULL;
    if (!nodes) return -2;
    nodes[0] = doc;
    const char *p = path;
    int expanded = 0;
    while (*p && n > 0) {
        size_t len = strcspn(p, ".[");
        char key[256];
        if (len >= sizeof key) { free(nodes); return -1; }
        memcpy(key, p, len);
        key[len] = 0;
        p += len;
        if (len) /* a key: each node's member */
            for (int i = 0; i < n; i++)
                if (!(nodes[i] = cJSON_GetObjectItemCaseSensitive(nodes[i], key))) { free(nodes); return -1; }
        while (*p == '[') { /* [] or [I] */
            const char *e = strchr(p, ']');
            if (!e) { free(nodes); return -1; }
            int all = e == p + 1;
            long idx = 0;
            if (!all) {
                char *end;
                idx = strtol(p + 1, &end, 10);
                if (end != e || idx < 0) { free(nodes); return -1; }
            }
            int total = 0;
            for (int i = 0; i < n; i++) {
                if (!cJSON_IsArray(nodes[i])) { free(nodes); return -1; }
                total += all ? cJSON_GetArraySize(nodes[i]) : 1;
            }
            next = malloc(sizeof *next * (size_t)(total ? total : 1));
            if (!next) { free(nodes); return -2; }
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (all) {
                    cJSON *el;
                    cJSON_ArrayForEach(el, nodes[i]) next[m++] = el;
                } else if (!(next[m++] = cJSON_GetArrayItem(nodes[i], (int)idx))) {
                    free(next);
                    free(nodes);
                    return -1;
                }
            }
            free(nodes);
            nodes = next, n = m;
            expanded |= all;
            p = e + 1;
        }
        if (*p == '.') p++;
        else if (*p) { free(nodes); return -1; }
    }
    cJSON *arr = n == 1 && cJSON_IsArray(nodes[0]) ? nodes[0] : NULL;
    if (!arr && !expanded) { free(nodes); return -1; }
    int cnt = arr ? cJSON_GetArraySize(arr) : n;
    *out = malloc(sizeof(double) * (size_t)(cnt ? cnt : 1));
    if (!*out) { free(nodes); return -2; }
    for (int i = 0; i < cnt; i++) {
        cJSON *v = arr ? cJSON_GetArrayItem(arr, i) : nodes[i];
        (*out)[i] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    }
    free(nodes);
    return cnt;
}

/* Read FILE's numbers at ypath (and xpath, else 0, 1, ..) into x, y. */
static int load_series(const char *C, const char *file, const char *xpath, const char *ypath,
                       double **x, double **y, int *n)
{
    unsigned char *txt = NULL;
    size_t len;
    if (ginv_read_file(file, (size_t)1 << 30, &txt, &len) != GINV_OK) return cli_fail(C, "%s", ginv_last_error());
    char what[1100];
    snprintf(what, sizeof what, "'%s'", file);
    cJSON *doc;
    ginv_status st = ginv_json_parse_strict((const char *)txt, len, what, &doc);
    ginv_free(txt);
    if (st != GINV_OK) return cli_lib_error(C, st);
    int rc = 0, ny = at_path(doc, ypath, y), nx = -1;
    if (ny == -2) rc = cli_oom(C);
    else if (ny < 0) rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s' has no array at '%s'", file, ypath);
    else if (xpath) {
        nx = at_path(doc, xpath, x);
        if (nx == -2) rc = cli_oom(C);
        else if (nx < 0) rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s' has no array at '%s'", file, xpath);
        else if (nx != ny)
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s': '%s' has %d values but '%s' %d: x and y of one file "
                                "must pair up", file, xpath, nx, ypath, ny);
    } else if (!(*x = malloc(sizeof(double) * (size_t)(ny ? ny : 1)))) {
        rc = cli_oom(C);
    } else {
        for (int i = 0; i < ny; i++) (*x)[i] = i;
    }
    if (!rc && ny < 1) rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s': the array at '%s' is empty", file, ypath);
    if (!rc) *n = ny;
    cJSON_Delete(doc);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    const char *C = "plot", *out = NULL, *xpath = NULL, *ypath = NULL, *title = "", *xl = NULL, *yl = NULL;
    const char *fig_format = NULL;
    int logy = 0, logx = 0;
    cli_opt opts[] = {
        {"output", 'o', OPT_STRING, &out, "FIG", "the figure (required): FIG.png, .svg or .pdf (by the name, or --format); FIG.dat and FIG.gp beside"},
        {"x", 0, OPT_STRING, &xpath, "PATH", "path of the x values in each JSON, e.g. trajectory.step or trials[].m (default: 0, 1, ..)"},
        {"y", 0, OPT_STRING, &ypath, "PATH", "path of the y values, e.g. trajectory.frac_near or trials[].rel_error"},
        {"title", 0, OPT_STRING, &title, "TEXT", "figure title"},
        {"xlabel", 0, OPT_STRING, &xl, "TEXT", "x axis label (default: the x path)"},
        {"ylabel", 0, OPT_STRING, &yl, "TEXT", "y axis label (default: the y path)"},
        {"logy", 0, OPT_FLAG, &logy, "", "log-scale y axis"},
        {"logx", 0, OPT_FLAG, &logx, "", "log-scale x axis (x = 0 drawn as a separate point)"},
        CLI_FIGURE_OPTS(fig_format),
        {0},
    };
    cli_cmd cmd = {C, "Plot arrays from several JSON results as lines in one figure.",
                   "ginv plot -o FIG.png [--x PATH] --y PATH RUN.json[=LABEL] ...",
                   "Each positional argument is a JSON file written by a ginv command, optionally\n"
                   "followed by =LABEL for the legend. A path is keys joined by dots; KEY[] takes\n"
                   "every element of an array (trials[].rel_error: the rel_error of each trial),\n"
                   "KEY[I] element I. It must lead to an array of numbers or, through [], to several\n"
                   "numbers; null entries are skipped. Within a file x and y pair up; files may\n"
                   "differ in length and x (each its own curve). At most 16 files."};
    const char *pos[MAXS];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, MAXS, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    plot_set_command(C);
    if (!out || !ypath) return cli_usage_error(C, "-o FIG and --y PATH are required");
    if (npos < 1) return cli_usage_error(C, "give at least one JSON file");
    if (fig_format) {
        if ((rc = plot_set_format(C, "--format", fig_format))) return rc;
    } else {
        plot_format_from_path(out);
    }
    double *xs[MAXS] = {0}, *ys[MAXS] = {0};
    int ns[MAXS] = {0};
    char *files[MAXS] = {0};
    const char *labels[MAXS];
    for (int i = 0; i < npos && !rc; i++) {
        files[i] = strdup(pos[i]);
        char *eq = files[i] ? strchr(files[i], '=') : NULL;
        if (eq) *eq = 0;
        labels[i] = eq ? eq + 1 : files[i];
        if (!files[i]) rc = cli_oom(C);
        else rc = load_series(C, files[i], xpath, ypath, &xs[i], &ys[i], &ns[i]);
    }
    if (!rc) {
        plot_style st = {.title = title, .xlabel = xl ? xl : xpath ? xpath : "index", .ylabel = yl ? yl : ypath,
                         .log = (logy ? PLOT_LOGY : 0) | (logx ? PLOT_LOGX : 0)};
        rc = plot_series(out, &st, npos, labels, ns, (const double *const *)xs, (const double *const *)ys, NULL);
    }
    for (int i = 0; i < npos; i++) {
        free(xs[i]);
        free(ys[i]);
        free(files[i]);
    }
    return rc;
}
