/* cmd_results.c — `ginv results DB`: a sweep store summarised by groups of
 * parameters: units, errors, success rate with its Wilson 95% interval, and
 * the median and quartiles of every metric; as an aligned table, CSV or JSON,
 * and as a PNG (a heat map over two parameters, a curve over one). */
#include "cli.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAXG 16
#define MAXM GINV_METRICS_MAX

typedef struct {
    char *val[MAXG];        /* the group's parameter values (text) */
    long first_cell, n, errors, succ;
    double *m[MAXM];        /* each metric's finite values */
    long mn[MAXM], mcap[MAXM];
} group;

typedef struct {
    int ng;
    const char *gb[MAXG];   /* group-by names */
    int nw;                 /* --where conditions */
    const ginv_where *where;
    int nm;
    char *mname[MAXM];      /* metrics in first-seen order */
    const char *success;    /* the 0/1 metric */
    group *g;
    long n, cap;
    int oom;
} summary;

/* The width to fit the table to: $COLUMNS when set, else the terminal's
 * (TIOCGWINSZ on stdout); 0 (no limit) when stdout is not a terminal. */
static int terminal_columns(void)
{
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long c = strtol(env, &end, 10);
        if (!*end && c >= 20 && c <= 100000) return (int)c;
    }
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
    return 0;
}

static int metric_index(summary *s, const char *name)
{
    for (int i = 0; i < s->nm; i++)
        if (!strcmp(s->mname[i], name)) return i;
    if (s->nm == MAXM) return -1;
    s->mname[s->nm] = strdup(name);
    return s->nm++;
}

static int on_row(void *user, const ginv_store_row *r)
{
    summary *s = user;
    if (s->nw && !ginv_where_match(s->where, r->params)) return 0;
    cJSON *p = cJSON_Parse(r->params);
    const char *v[MAXG];
    for (int i = 0; i < s->ng; i++) {
        cJSON *x = cJSON_GetObjectItemCaseSensitive(p, s->gb[i]);
        v[i] = cJSON_IsString(x) ? x->valuestring : "-";
    }
    long gi;
    for (gi = 0; gi < s->n; gi++) {
        int same = 1;
        for (int i = 0; i < s->ng && same; i++) same = !strcmp(s->g[gi].val[i], v[i]);
        if (same) break;
    }
    if (gi == s->n) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 64;
            group *ng = realloc(s->g, sizeof *ng * (size_t)s->cap);
            if (!ng) { s->oom = 1; cJSON_Delete(p); return 1; }
            s->g = ng;
        }
        memset(&s->g[gi], 0, sizeof s->g[gi]);
        for (int i = 0; i < s->ng; i++) s->g[gi].val[i] = strdup(v[i]);
        s->g[gi].first_cell = r->cell;
        s->n++;
    }
    cJSON_Delete(p);
    group *g = &s->g[gi];
    g->n++;
    if (r->cell < g->first_cell) g->first_cell = r->cell;
    if (strcmp(r->status, "ok")) {
        g->errors++;
        return 0;
    }
    for (int k = 0; k < r->metrics->n; k++) {
        int mi = metric_index(s, r->metrics->name[k]);
        if (mi < 0) continue;
        double x = r->metrics->value[k];
        if (s->success && !strcmp(r->metrics->name[k], s->success) && x == 1) g->succ++;
        if (!isfinite(x)) continue;
        if (g->mn[mi] == g->mcap[mi]) {
            g->mcap[mi] = g->mcap[mi] ? 2 * g->mcap[mi] : 32;
            double *nm = realloc(g->m[mi], sizeof(double) * (size_t)g->mcap[mi]);
            if (!nm) { s->oom = 1; return 1; }
            g->m[mi] = nm;
        }
        g->m[mi][g->mn[mi]++] = x;
    }
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_group(const void *a, const void *b)
{
    const group *x = a, *y = b;
    return (x->first_cell > y->first_cell) - (x->first_cell < y->first_cell);
}

/* "a,b" -> names; returns the count or -1 */
static int split_names(char *text, char sep, const char **out, int max)
{
    int n = 0;
    for (char *p = text; p && *p;) {
        char *e = strchr(p, sep);
        if (e) *e = 0;
        if (*p) {
            if (n == max) return -1;
            out[n++] = p;
        }
        p = e ? e + 1 : NULL;
    }
    return n;
}

static double quant(group *g, int mi, double q)
{
    return ginv_quantile_sorted(g->m[mi], g->mn[mi], q);
}

/* The values parameter column col takes over the groups, as the categories
 * of an axis: numbers in increasing order, else the texts in the order of
 * the grid; labels[i] points into the groups (not owned). Returns the count,
 * -1 over max; *numeric says which. */
static int axis(summary *s, int col, double *vals, const char **labels, int max, int *numeric)
{
    int n = 0, num = 1;
    for (long gi = 0; gi < s->n && num; gi++) {
        char *end;
        strtod(s->g[gi].val[col], &end);
        num = end != s->g[gi].val[col] && !*end;
    }
    for (long gi = 0; gi < s->n; gi++) {
        const char *t = s->g[gi].val[col];
        double v = num ? strtod(t, NULL) : 0;
        int seen = 0;
        for (int j = 0; j < n && !seen; j++) seen = num ? vals[j] == v : !strcmp(labels[j], t);
        if (seen) continue;
        if (n == max) return -1;
        vals[n] = num ? v : n;
        labels[n++] = t;
    }
    if (num) /* sort values and labels together (insertion: axes are short) */
        for (int i = 1; i < n; i++)
            for (int j = i; j > 0 && vals[j - 1] > vals[j]; j--) {
                double tv = vals[j]; vals[j] = vals[j - 1]; vals[j - 1] = tv;
                const char *tl = labels[j]; labels[j] = labels[j - 1]; labels[j - 1] = tl;
            }
    *numeric = num;
    return n;
}

/* the category of group gi in column col */
static int axis_pos(summary *s, long gi, int col, const double *vals, const char **labels, int n, int numeric)
{
    const char *t = s->g[gi].val[col];
    double v = numeric ? strtod(t, NULL) : 0;
    for (int i = 0; i < n; i++)
        if (numeric ? vals[i] == v : !strcmp(labels[i], t)) return i;
    return 0;
}

static double group_value(summary *s, group *g, int zm)
{
    if (zm < 0) return g->n - g->errors > 0 ? (double)g->succ / (g->n - g->errors) : NAN;
    return quant(g, zm, 0.5);
}

static int make_plot(const char *C, summary *s, const char *png, const char *zname)
{
    int zm = -1;
    if (zname && strcmp(zname, "success_rate")) {
        for (int i = 0; i < s->nm; i++)
            if (!strcmp(s->mname[i], zname)) zm = i;
        if (zm < 0) return cli_usage_error(C, "--z '%s' is not a metric of this store (success_rate or a metric name)", zname);
    } else if (!s->success) {
        return cli_usage_error(C, "this store has no success metric: give --z METRIC");
    }
    if (s->ng < 1 || s->ng > 2)
        return cli_usage_error(C, "--plot needs one (a curve) or two (a heat map) --group-by parameters; "
                                  "fix the others with --where");
    enum { MAXA = 512 };
    double xs[MAXA], ys[MAXA] = {0};
    const char *xl[MAXA], *yl[MAXA];
    int xnum = 1, ynum = 1, xcol = s->ng == 2 ? 1 : 0;
    int nx = axis(s, xcol, xs, xl, MAXA, &xnum), ny = s->ng == 2 ? axis(s, 0, ys, yl, MAXA, &ynum) : 1;
    if (nx < 0 || ny < 0) return cli_usage_error(C, "--plot: more than %d values on an axis", MAXA);
    double *z = malloc(sizeof(double) * (size_t)nx * ny);
    if (!z) return cli_oom(C);
    for (int i = 0; i < nx * ny; i++) z[i] = NAN;
    for (long gi = 0; gi < s->n; gi++) {
        int i = axis_pos(s, gi, xcol, xs, xl, nx, xnum), j = s->ng == 2 ? axis_pos(s, gi, 0, ys, yl, ny, ynum) : 0;
        z[j * nx + i] = group_value(s, &s->g[gi], zm);
    }
    char title[512], zl[128];
    snprintf(zl, sizeof zl, "%s", zm < 0 ? "success rate" : s->mname[zm]);
    snprintf(title, sizeof title, "%s%s%s", zm < 0 ? "success rate" : "median ", zm < 0 ? "" : s->mname[zm],
             s->nw ? " (filtered)" : "");
    int rc;
    if (s->ng == 2 && nx > 1 && ny > 1) {
        /* a heat map of categories: one equal cell per value, tics at the
         * centres named by the values; a rate on 0..1 */
        plot_map_style ms = {.title = title, .xlabel = s->gb[1], .ylabel = s->gb[0], .zlabel = zl,
                             .categorical = 1, .xticks = xl, .yticks = yl, .values = 1};
        if (zm < 0) ms.zmin = 0, ms.zmax = 1;
        const double *zz[1] = {z};
        rc = plot_map(png, &ms, 1, NULL, nx, xs, ny, ys, zz);
    } else {
        /* a curve over one parameter (also when one of two takes a single
         * value: that value goes into the title); numbers on a numeric
         * axis, other values as named positions */
        int one = -1, col = xcol, n = nx;
        const double *v = xs;
        const char **lab = xl;
        int num = xnum;
        if (s->ng == 2) {
            if (nx == 1) one = 1, col = 0, n = ny, v = ys, lab = yl, num = ynum; /* z holds the ny values in order */
            else one = 0;
        }
        if (one >= 0)
            snprintf(title + strlen(title), sizeof title - strlen(title), ", %s = %s", s->gb[one], s->g[0].val[one]);
        plot_style st = {.title = title, .xlabel = s->gb[col], .ylabel = zl};
        if (zm < 0) st.ymin = 0, st.ymax = 1;
        double pos[MAXA];
        if (!num) {
            for (int i = 0; i < n; i++) pos[i] = i;
            st.nxticks = n, st.xtick_x = pos, st.xtick_labels = lab;
        }
        const double *ysr[1] = {z}, *xsr[1] = {num ? v : pos};
        const char *names[1] = {zl};
        rc = plot_series(png, &st, 1, names, &n, xsr, ysr, NULL);
    }
    free(z);
    return rc;
}

/* the options the JSON's "params" repeat */
typedef struct {
    const char *db, *group_by, *where, *metrics, *format, *command;
} results_opts;

/* The summary as JSON: params, the groups with their success rates, Wilson
 * intervals and the chosen metrics' quartiles (a number stays a number). */
static cJSON *summary_json(const results_opts *ro, const summary *sm, const int *show, int nshow)
{
    const summary s = *sm;
    cJSON *doc = cli_json_new("results");
    cJSON *par = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(par, "db", ro->db);
    if (ro->group_by) cJSON_AddStringToObject(par, "group_by", ro->group_by);
    if (ro->where) cJSON_AddStringToObject(par, "where", ro->where);
    if (ro->metrics) cJSON_AddStringToObject(par, "metrics", ro->metrics);
    cJSON_AddStringToObject(par, "format", ro->format);
    cJSON_AddStringToObject(doc, "db", ro->db);
    if (ro->command) cJSON_AddStringToObject(doc, "sweep_command", ro->command);
    cJSON_AddItemToObject(doc, "group_by", cJSON_CreateStringArray(s.gb, s.ng));
    cJSON *arr = cJSON_AddArrayToObject(doc, "groups");
    for (long gi = 0; gi < s.n; gi++) {
        group *g = &s.g[gi];
        cJSON *o = cJSON_CreateObject(), *pp = cJSON_AddObjectToObject(o, "params");
        for (int i = 0; i < s.ng; i++) { /* a number stays a number */
            char *end;
            double x = strtod(g->val[i], &end);
            if (*g->val[i] && !*end && isfinite(x)) cJSON_AddNumberToObject(pp, s.gb[i], x);
            else cJSON_AddStringToObject(pp, s.gb[i], g->val[i]);
        }
        long ok = g->n - g->errors;
        cJSON_AddNumberToObject(o, "units", g->n);
        cJSON_AddNumberToObject(o, "errors", g->errors);
        if (s.success) {
            double lo, hi;
            ginv_wilson_interval(g->succ, ok, 1.959963984540054, &lo, &hi);
            cJSON_AddNumberToObject(o, "successes", g->succ);
            cJSON_AddItemToObject(o, "success_rate", cli_json_num(ok ? (double)g->succ / ok : NAN));
            cJSON *wi = cJSON_AddArrayToObject(o, "wilson95");
            cJSON_AddItemToArray(wi, cli_json_num(lo));
            cJSON_AddItemToArray(wi, cli_json_num(hi));
        }
        cJSON *mo = cJSON_AddObjectToObject(o, "metrics");
        for (int k = 0; k < nshow; k++) {
            int m = show[k];
            cJSON *q = cJSON_AddObjectToObject(mo, s.mname[m]);
            cJSON_AddNumberToObject(q, "n", g->mn[m]);
            cJSON_AddItemToObject(q, "median", cli_json_num(quant(g, m, 0.5)));
            cJSON_AddItemToObject(q, "q1", cli_json_num(quant(g, m, 0.25)));
            cJSON_AddItemToObject(q, "q3", cli_json_num(quant(g, m, 0.75)));
        }
        cJSON_AddItemToArray(arr, o);
    }
    return doc;
}

/* --format csv: a header and a line per group, full precision */
static void print_csv(const summary *sm, const int *show, int nshow)
{
    const summary s = *sm;
    for (int i = 0; i < s.ng; i++) printf("%s%s", i ? "," : "", s.gb[i]);
    printf("%sunits,errors", s.ng ? "," : "");
    if (s.success) printf(",successes,success_rate,wilson95_lo,wilson95_hi");
    for (int k = 0; k < nshow; k++) printf(",%s_median,%s_q1,%s_q3", s.mname[show[k]], s.mname[show[k]], s.mname[show[k]]);
    printf("\n");
    for (long gi = 0; gi < s.n; gi++) {
        group *g = &s.g[gi];
        long ok = g->n - g->errors;
        double lo, hi;
        ginv_wilson_interval(g->succ, ok, 1.959963984540054, &lo, &hi);
        for (int i = 0; i < s.ng; i++) printf(strpbrk(g->val[i], ",\"") ? "%s\"%s\"" : "%s%s", i ? "," : "", g->val[i]);
        printf("%s%ld,%ld", s.ng ? "," : "", g->n, g->errors);
        if (s.success) printf(",%ld,%.17g,%.17g,%.17g", g->succ, ok ? (double)g->succ / ok : NAN, lo, hi);
        for (int k = 0; k < nshow; k++)
            printf(",%.17g,%.17g,%.17g", quant(g, show[k], 0.5), quant(g, show[k], 0.25), quant(g, show[k], 0.75));
        printf("\n");
    }
}

/* --format table: an aligned table, cells as text first, then each column
 * padded to its widest; metric columns dropped from the right to fit the
 * terminal, with a note. 0 or an exit code. */
static int print_table(const char *C, const summary *sm, const int *show, int nshow)
{
    const summary s = *sm;
    int rc = 0;
    /* an aligned table: cells as text first, then each column padded to its widest */
    int tshow[MAXM], nt = 0;
    for (int k = 0; k < nshow; k++) /* the success metric has its own column */
        if (!s.success || strcmp(s.mname[show[k]], s.success)) tshow[nt++] = show[k];
    int ncol = s.ng + 2 + (s.success ? 2 : 0) + nt;
    long nrow = s.n + 2;
    char (*cell)[64] = calloc((size_t)(ncol * nrow), sizeof *cell);
    if (!cell) rc = cli_oom(C);
    for (long r = 0; !rc && r < nrow; r++) {
        int c = 0;
        group *g = r >= 2 ? &s.g[r - 2] : NULL;
        char (*row)[64] = cell + r * ncol;
        for (int i = 0; i < s.ng; i++, c++) snprintf(row[c], 64, "%s", r == 0 ? s.gb[i] : g ? g->val[i] : "");
        snprintf(row[c++], 64, "%s", r == 0 ? "units" : g ? "" : "");
        snprintf(row[c++], 64, "%s", r == 0 ? "errors" : "");
        if (g) {
            snprintf(row[c - 2], 64, "%ld", g->n);
            snprintf(row[c - 1], 64, "%ld", g->errors);
        }
        if (s.success) {
            if (g) {
                long ok = g->n - g->errors;
                double lo, hi;
                ginv_wilson_interval(g->succ, ok, 1.959963984540054, &lo, &hi);
                snprintf(row[c++], 64, "%ld/%ld", g->succ, ok);
                snprintf(row[c++], 64, "%.2f [%.2f, %.2f]", ok ? (double)g->succ / ok : NAN, lo, hi);
            } else {
                snprintf(row[c++], 64, "%s", r == 0 ? "success" : "");
                snprintf(row[c++], 64, "%s", r == 0 ? "rate" : "[wilson 95%]");
            }
        }
        for (int k = 0; k < nt; k++, c++) {
            if (g) snprintf(row[c], 64, "%.4g [%.3g, %.3g]", quant(g, tshow[k], 0.5), quant(g, tshow[k], 0.25), quant(g, tshow[k], 0.75));
            else snprintf(row[c], 64, "%s", r == 0 ? s.mname[tshow[k]] : "median [q1, q3]");
        }
    }
    int width[MAXG + 4 + MAXM], keep[MAXG + 4 + MAXM], total = 0;
    for (int c = 0; !rc && c < ncol; c++) {
        int w = 0;
        for (long r = 0; r < nrow; r++) if ((int)strlen(cell[r * ncol + c]) > w) w = (int)strlen(cell[r * ncol + c]);
        for (long r = 0; r < nrow; r++) {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%-*s", w, cell[r * ncol + c]);
            memcpy(cell[r * ncol + c], tmp, sizeof tmp);
        }
        width[c] = w, keep[c] = 1;
        total += w + (c ? 2 : 0);
    }
    /* fit the terminal: drop metric columns from the right, and say so */
    int cols = terminal_columns(), dropped = 0;
    char note[1024] = "";
    for (int c = ncol - 1; !rc && cols > 0 && total > cols && c >= ncol - nt; c--) {
        keep[c] = 0, total -= width[c] + 2, dropped++;
        snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s", dropped > 1 ? ", " : "",
                 s.mname[tshow[c - (ncol - nt)]]);
    }
    for (long r = 0; !rc && r < nrow; r++) {
        char line[8192] = "";
        for (int c = 0, first = 1; c < ncol; c++) {
            if (!keep[c]) continue;
            snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", first ? "" : "  ", cell[r * ncol + c]);
            first = 0;
        }
        for (size_t L = strlen(line); L && line[L - 1] == ' '; L--) line[L - 1] = 0;
        printf("%s\n", line);
    }
    free(cell);
    if (!rc && dropped)
        printf("(%d metric column%s left out to fit %d columns: %s; --metrics picks them, "
               "--format csv or json shows all)\n", dropped, dropped == 1 ? "" : "s", cols, note);
    if (!rc && !s.n) printf("(no units stored%s)\n", s.nw ? " match --where" : " yet");
    return rc;
}

int cmd_results(int argc, char **argv)
{
    const char *C = "results", *group_by = NULL, *format = "table", *json = NULL, *where = NULL;
    const char *metrics = NULL, *png = NULL, *zname = NULL;
    int busy = 10000;
    cli_opt opts[] = {
        {"group-by", 0, OPT_STRING, &group_by, "P1,P2,..", "parameters that form the groups (default: the grid's)"},
        {"where", 0, OPT_STRING, &where, "P=V;..", "keep only units whose parameter P is V (';' between conditions)"},
        {"metrics", 0, OPT_STRING, &metrics, "M1,M2,..", "metrics to show (default: all)"},
        {"format", 0, OPT_STRING, &format, "table|csv|json", "what to print on stdout"},
        {"json", 0, OPT_STRING, &json, "FILE", "also write the summary as JSON ('-': stdout)"},
        {"plot", 0, OPT_STRING, &png, "FIG", "a figure: heat map over two group-by parameters, curve over one; FIG.png, .svg or .pdf (by the name), FIG.dat and FIG.gp beside"},
        {"z", 0, OPT_STRING, &zname, "METRIC", "the plotted value: success_rate, or a metric's median [success_rate]"},
        {"busy-timeout", 0, OPT_INT, &busy, "MS", "wait this long for a locked store", 0, 1 << 30},
        {0},
    };
    cli_cmd cmd = {C, "Summarise a sweep store: success rates with Wilson intervals, medians with quartiles.",
                   "ginv results DB [--group-by P1,P2] [--format table|csv|json] [--plot FIG.png] [options]",
                   "Groups the stored units by the chosen parameters (default: the spec's grid parameters)\n"
                   "and reports per group: units, errors (runner failures, stored with their message),\n"
                   "successes and the success rate with its Wilson score 95% interval, and for each\n"
                   "metric the median and the quartiles q1, q3 (linear interpolation) over the units\n"
                   "where it is finite. --plot draws the success rate (or --z METRIC's median) as a heat\n"
                   "map over two parameters (first: y axis, second: x axis; one cell per value) or a curve over one\n"
                   "(also when one of two takes a single value). --where P=V;P=V keeps the units with\n"
                   "those values; P must be a parameter of the sweep and V one of its values (a usage\n"
                   "error otherwise, exit 2). The store is only read: a store in a read-only directory\n"
                   "is read as it is (when it has no pending write-ahead log)."};
    const char *pos[1];
    static const char *const own[] = {"group-by", "where", "metrics", "format", "json", "plot", "z",
                                      "busy-timeout", NULL};
    cli_spell_only = own; /* the other parameters an error names are the spec's keys */
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 1, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (npos != 1) return cli_usage_error(C, "give the store: ginv results DB");
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
        return cli_usage_error(C, "--format '%s' must be table, csv or json", format);
    plot_set_command(C);
    if (png) plot_format_from_path(png);

    /* the spec first: default groups and the success metric */
    char *spec_txt = NULL, *command = NULL;
    ginv_status st = ginv_store_read(pos[0], busy, &spec_txt, &command, NULL, NULL);
    if (st) return cli_lib_error(C, st);
    summary s = {0};
    ginv_where wh = {0};
    char gbuf[1024], mbuf[1024];
    const char *ml[MAXM];
    int nml = 0;
    cJSON *spec = cJSON_Parse(spec_txt ? spec_txt : "{}");
    if (group_by) {
        snprintf(gbuf, sizeof gbuf, "%s", group_by);
        if ((s.ng = split_names(gbuf, ',', s.gb, MAXG)) < 0) rc = cli_usage_error(C, "--group-by: at most %d parameters", MAXG);
    } else {
        cJSON *grid = cJSON_GetObjectItemCaseSensitive(spec, "grid"), *e;
        cJSON_ArrayForEach(e, grid) if (s.ng < MAXG) s.gb[s.ng++] = cJSON_GetArrayItem(e, 0)->valuestring;
    }
    /* group-by names must be parameters of the spec */
    for (int i = 0; i < s.ng && !rc; i++) {
        int known = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(spec, "fixed"), s.gb[i]) != NULL;
        cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "grid")) known |= !strcmp(cJSON_GetArrayItem(e, 0)->valuestring, s.gb[i]);
        if (!known) rc = cli_usage_error(C, "--group-by '%s' is not a parameter of this sweep", s.gb[i]);
    }
    /* --where: well formed, and only parameters and values of this sweep */
    if (where && !rc) {
        if ((st = ginv_where_parse(where, spec_txt, &wh)) != GINV_OK)
            rc = cli_error_code(C, cli_exit_code(st), "--where: %s", ginv_last_error());
        s.nw = wh.n;
        s.where = &wh;
    }
    if (metrics && !rc) {
        snprintf(mbuf, sizeof mbuf, "%s", metrics);
        nml = split_names(mbuf, ',', ml, MAXM);
        if (nml < 0) rc = cli_usage_error(C, "--metrics: at most %d names", MAXM);
    }
    const ginv_unit_runner *runner = command ? ginv_unit_find(command) : NULL;
    s.success = runner ? runner->success : "success";
    if (!rc) {
        st = ginv_store_read(pos[0], busy, NULL, NULL, on_row, &s);
        if (st) rc = cli_lib_error(C, st);
        else if (s.oom) rc = cli_oom(C);
    }
    /* chosen metrics, in the store's order */
    int show[MAXM], nshow = 0;
    for (int i = 0; i < s.nm && !rc; i++) {
        int keep = !nml;
        for (int j = 0; j < nml; j++) keep |= !strcmp(ml[j], s.mname[i]);
        if (keep) show[nshow++] = i;
    }
    for (int j = 0; j < nml && !rc; j++) {
        int found = 0;
        for (int i = 0; i < s.nm; i++) found |= !strcmp(ml[j], s.mname[i]);
        if (!found && s.n) rc = cli_usage_error(C, "--metrics: '%s' is not a metric of this store", ml[j]);
    }
    if (!rc && s.n) { /* (qsort of no elements may still not be given NULL) */
        qsort(s.g, (size_t)s.n, sizeof *s.g, cmp_group);
        for (long gi = 0; gi < s.n; gi++)
            for (int m = 0; m < s.nm; m++)
                if (s.g[gi].mn[m]) qsort(s.g[gi].m[m], (size_t)s.g[gi].mn[m], sizeof(double), cmp_d);
    }
    cJSON *doc = NULL;
    if (!rc) {
        results_opts ro = {pos[0], group_by, where, metrics, format, command};
        doc = summary_json(&ro, &s, show, nshow);
    }
    if (!rc && !strcmp(format, "json")) rc = cli_json_write(C, doc, "-");
    if (!rc && !strcmp(format, "csv")) print_csv(&s, show, nshow);
    else if (!rc && !strcmp(format, "table")) rc = print_table(C, &s, show, nshow);
    if (!rc && json && strcmp(json, "-")) rc = cli_json_write(C, doc, json);
    else if (!rc && json && strcmp(format, "json")) rc = cli_json_write(C, doc, "-");
    if (!rc && png) {
        if (!s.n) rc = cli_error(C, "nothing to plot: no units stored%s", s.nw ? " match --where" : "");
        else rc = make_plot(C, &s, png, zname);
    }
    cJSON_Delete(doc);
    cJSON_Delete(spec);
    for (long gi = 0; gi < s.n; gi++) {
        for (int i = 0; i < s.ng; i++) free(s.g[gi].val[i]);
        for (int m = 0; m < MAXM; m++) free(s.g[gi].m[m]);
    }
    free(s.g);
    for (int i = 0; i < s.nm; i++) free(s.mname[i]);
    ginv_where_release(&wh);
    ginv_free(spec_txt);
    ginv_free(command);
    return rc;
}
