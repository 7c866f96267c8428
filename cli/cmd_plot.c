/* cmd_plot.c — `ginv plot`: line plots of numeric arrays from the JSON
 * outputs of several runs in one figure (e.g. the fraction of chains near z0
 * against the step, one curve per temperature), through plot_lines. */
#include "cli.h"
#include "io/json_internal.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 16

/* The array at a dotted path ("trajectory.frac_near") of a JSON document. */
static cJSON *at_path(cJSON *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *node = doc;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && node; tok = strtok_r(NULL, ".", &save))
        node = cJSON_GetObjectItemCaseSensitive(node, tok);
    return cJSON_IsArray(node) ? node : NULL;
}

/* Read FILE's arrays at xpath and ypath into x, y (numbers; null -> NaN). */
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
    cJSON *ax = at_path(doc, xpath), *ay = at_path(doc, ypath);
    int rc = 0;
    if (!ax || !ay) rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s' has no array at '%s'", file, !ax ? xpath : ypath);
    else if (cJSON_GetArraySize(ax) != cJSON_GetArraySize(ay) || cJSON_GetArraySize(ax) < 1)
        rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s': '%s' and '%s' differ in length or are empty", file, xpath, ypath);
    if (!rc) {
        *n = cJSON_GetArraySize(ax);
        *x = malloc(sizeof(double) * *n);
        *y = malloc(sizeof(double) * *n);
        if (!*x || !*y) rc = cli_oom(C);
        for (int i = 0; !rc && i < *n; i++) {
            cJSON *a = cJSON_GetArrayItem(ax, i), *b = cJSON_GetArrayItem(ay, i);
            (*x)[i] = cJSON_IsNumber(a) ? a->valuedouble : NAN;
            (*y)[i] = cJSON_IsNumber(b) ? b->valuedouble : NAN;
        }
    }
    cJSON_Delete(doc);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    const char *C = "plot", *out = NULL, *xpath = NULL, *ypath = NULL, *title = "", *xl = NULL, *yl = NULL;
    int logy = 0;
    cli_opt opts[] = {
        {"output", 'o', OPT_STRING, &out, "PNG", "the figure (required)"},
        {"x", 0, OPT_STRING, &xpath, "PATH", "dotted path of the x array in each JSON, e.g. trajectory.step"},
        {"y", 0, OPT_STRING, &ypath, "PATH", "dotted path of the y array, e.g. trajectory.frac_near"},
        {"title", 0, OPT_STRING, &title, "TEXT", "figure title"},
        {"xlabel", 0, OPT_STRING, &xl, "TEXT", "x axis label (default: the x path)"},
        {"ylabel", 0, OPT_STRING, &yl, "TEXT", "y axis label (default: the y path)"},
        {"logy", 0, OPT_FLAG, &logy, "", "log-scale y axis"},
        {0},
    };
    cli_cmd cmd = {C, "Plot arrays from several JSON results as lines in one PNG.",
                   "ginv plot -o FIG.png --x PATH --y PATH RUN.json[=LABEL] ...",
                   "Each positional argument is a JSON file written by a ginv command, optionally\n"
                   "followed by =LABEL for the legend; x and y are arrays of equal length found at\n"
                   "the dotted paths (null entries are skipped). At most 16 files."};
    const char *pos[MAXS];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, MAXS, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    plot_set_command(C);
    if (!out || !xpath || !ypath) return cli_usage_error(C, "-o PNG, --x PATH and --y PATH are required");
    if (npos < 1) return cli_usage_error(C, "give at least one JSON file");
    double *xs[MAXS] = {0}, *ys[MAXS] = {0};
    int ns[MAXS];
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
    /* plot_lines takes one shared x: resample each series onto the union only
     * when needed; runs of one experiment share their x, so require it */
    for (int i = 1; i < npos && !rc; i++)
        if (ns[i] != ns[0] || memcmp(xs[i], xs[0], sizeof(double) * ns[0]))
            rc = cli_error_code(C, CLI_EXIT_FORMAT, "'%s' has other x values than '%s': the series must share x", files[i], files[0]);
    if (!rc) rc = plot_lines(out, title, xl ? xl : xpath, yl ? yl : ypath, npos, labels, ns[0], xs[0],
                             (const double *const *)ys, logy ? PLOT_LOGY : 0);
    for (int i = 0; i < npos; i++) {
        free(xs[i]);
        free(ys[i]);
        free(files[i]);
    }
    return rc;
}
