/* opts.c — option tables: parsing with range checks, and --help generated
 * from the same table. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cli_opt *cli_find(const cli_opt *opts, const char *name)
{
    for (const cli_opt *o = opts; o->name; o++)
        if (o->type != OPT_ALIAS && !strcmp(o->name, name)) return o;
    return NULL;
}

void cli_help(const cli_cmd *cmd, const cli_opt *opts)
{
    printf("%s\n\nusage: %s\n\noptions:\n", cmd->summary, cmd->usage);
    int naliases = 0;
    for (const cli_opt *o = opts; o->name; o++) {
        if (o->type == OPT_ALIAS) { naliases++; continue; }
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                     o->type == OPT_FLAG ? "" : " ", o->type == OPT_FLAG ? "" : o->meta);
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->type == OPT_FLAG ? "" : " ",
                     o->type == OPT_FLAG ? "" : o->meta);
        printf("  %-26s %s", left, o->help);
        /* defaults: an int <= 0 or a negative double means "none" or "automatic" */
        if (o->type == OPT_INT && o->dst && *(int *)o->dst > 0) printf(" [%d]", *(int *)o->dst);
        if (o->type == OPT_U64 && o->dst) printf(" [%llu]", (unsigned long long)*(uint64_t *)o->dst);
        if (o->type == OPT_DOUBLE && o->dst && *(double *)o->dst >= 0) printf(" [%g]", *(double *)o->dst);
        if (o->type == OPT_STRING && o->dst && *(const char **)o->dst)
            printf(" [%s]", *(const char **)o->dst);
        printf("\n");
    }
    printf("  %-26s %s\n", "-h, --help", "show this help");
    if (naliases) {
        printf("\ndeprecated spellings (they still work, with a warning, for one release):");
        for (const cli_opt *o = opts; o->name; o++)
            if (o->type == OPT_ALIAS) printf(" --%s (now --%s)%s", o->name, o->meta, --naliases ? "," : "");
        printf("\n");
    }
    if (cmd->details) printf("\n%s\n", cmd->details);
}

/* Store text into the option, checking type and range. */
static int set_value(const cli_cmd *cmd, cli_opt *o, const char *v)
{
    char *end;
    errno = 0;
    switch (o->type) {
    case OPT_ALIAS: return 2; /* resolved by the parser */
    case OPT_FLAG: *(int *)o->dst = 1; return 0;
    case OPT_STRING:
        if (!*v) return cli_usage_error(cmd->name, "--%s needs a non-empty value", o->name);
        *(const char **)o->dst = v;
        return 0;
    case OPT_INT: {
        long x = strtol(v, &end, 10);
        if (!*v || *end || errno || x < -2147483647L || x > 2147483647L)
            return cli_usage_error(cmd->name, "--%s expects an integer, got '%s'", o->name, v);
        if (o->lo < o->hi && (x < o->lo || x > o->hi))
            return cli_usage_error(cmd->name, "--%s %ld is out of range [%g, %g]", o->name, x,
                                   o->lo, o->hi);
        *(int *)o->dst = (int)x;
        return 0;
    }
    case OPT_U64: {
        if (*v == '-') return cli_usage_error(cmd->name, "--%s must not be negative, got '%s'", o->name, v);
        unsigned long long x = strtoull(v, &end, 10);
        if (!*v || *end || errno)
            return cli_usage_error(cmd->name, "--%s expects a non-negative integer, got '%s'", o->name, v);
        *(uint64_t *)o->dst = x;
        return 0;
    }
    case OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (!*v || *end || errno == ERANGE)
            return cli_usage_error(cmd->name, "--%s expects a number, got '%s'", o->name, v);
        if (!isfinite(x)) return cli_usage_error(cmd->name, "--%s must be finite, got '%s'", o->name, v);
        if (o->lo < o->hi && (x < o->lo || x > o->hi))
            return cli_usage_error(cmd->name, "--%s %g is out of range [%g, %g]", o->name, x, o->lo,
                                   o->hi);
        *(double *)o->dst = x;
        return 0;
    }
    }
    return 2;
}

/* Levenshtein distance between a (length la) and b, capped at 8. */
static int edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b);
    if (la > 32 || lb > 32) return 8;
    int row[33];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb] < 8 ? row[lb] : 8;
}

/* The option a mistyped long name most likely meant: the one at the smallest
 * edit distance, if that is at most 2 (1 for names under 5 letters),
 * or the one the name is a prefix of, when only one is. NULL: none close. */
static const char *closest_option(const cli_opt *opts, const char *name)
{
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const char *best = NULL, *prefix = NULL;
    int bestd = 3, nprefix = 0;
    for (const cli_opt *p = opts; p->name; p++) {
        if (p->type == OPT_ALIAS) continue; /* suggest the current spelling only */
        int d = edit_distance(name, len, p->name);
        int limit = len < 5 ? 1 : 2;
        if (d <= limit && d < bestd) bestd = d, best = p->name;
        if (len >= 3 && !strncmp(p->name, name, len)) nprefix++, prefix = p->name;
    }
    if (best) return best;
    return nprefix == 1 ? prefix : NULL;
}

int cli_parse(const cli_cmd *cmd, cli_opt *opts, int argc, char **argv, const char **pos,
              int maxpos, int *npos)
{
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cli_help(cmd, opts);
            return CLI_HELP;
        }
        if (a[0] != '-' || !strcmp(a, "-")) {
            if (*npos >= maxpos) return cli_usage_error(cmd->name, "unexpected argument '%s'", a);
            pos[(*npos)++] = a;
            continue;
        }
        cli_opt *o = NULL;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            for (cli_opt *p = opts; p->name; p++)
                if (strlen(p->name) == len && !strncmp(p->name, a + 2, len)) o = p;
            if (eq) val = eq + 1;
        } else if (!a[2]) {
            for (cli_opt *p = opts; p->name; p++)
                if (p->short_name == a[1]) o = p;
        }
        if (!o) {
            const char *near = a[1] == '-' ? closest_option(opts, a + 2) : NULL;
            if (near) return cli_usage_error(cmd->name, "unknown option '%s': did you mean --%s?", a, near);
            return cli_usage_error(cmd->name, "unknown option '%s' (see --help)", a);
        }
        if (o->type == OPT_ALIAS) {
            cli_opt *to = NULL;
            for (cli_opt *p = opts; p->name; p++)
                if (p->type != OPT_ALIAS && !strcmp(p->name, o->meta)) to = p;
            if (!to) return cli_error(cmd->name, "internal: --%s is an alias of the unknown --%s", o->name, o->meta);
            if (!o->seen)
                fprintf(stderr, "ginv %s: warning: --%s is deprecated; use --%s\n", cmd->name, o->name, to->name);
            o->seen = 1;
            o = to;
        }
        if (o->type == OPT_FLAG) {
            if (val) return cli_usage_error(cmd->name, "--%s takes no value", o->name);
        } else if (!val) {
            if (i + 1 >= argc) return cli_usage_error(cmd->name, "--%s needs a value (%s)", o->name, o->meta);
            val = argv[++i];
        }
        int rc = set_value(cmd, o, val);
        if (rc) return rc;
        o->seen = 1;
    }
    return CLI_OK;
}

int cli_parse_sizes(const char *cmd, const char *opt, const char *text, int *out, int max)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 1 || v > (1L << 24)) {
            cli_usage_error(cmd, "--%s '%s': sizes must be positive integers separated by commas", opt, text);
            return -1;
        }
        if (n >= max) {
            cli_usage_error(cmd, "--%s '%s': at most %d sizes", opt, text, max);
            return -1;
        }
        out[n++] = (int)v;
        if (*end == ',') end++;
        else if (*end) {
            cli_usage_error(cmd, "--%s '%s': sizes must be positive integers separated by commas", opt, text);
            return -1;
        }
        p = end;
    }
    return n;
}

int cli_default_threads(void)
{
    const char *env = getenv("GINV_THREADS");
    if (env && *env) {
        char *end;
        errno = 0;
        long t = strtol(env, &end, 10);
        if (!*end && !errno && t >= 1 && t <= 256) return (int)t;
        static int warned;
        if (!warned++)
            fprintf(stderr, "ginv: warning: GINV_THREADS='%s' is not an integer in [1, 256]; ignored\n", env);
    }
    return ginv_cpus_available();
}

int cli_threads(int t)
{
    return t > 0 ? t : cli_default_threads();
}

int cli_read_vector(const char *cmd, const char *opt, const char *path, size_t count,
                    ginv_array *a)
{
    ginv_status st = ginv_array_read(path, a);
    if (st != GINV_OK) return cli_fail(cmd, "--%s: %s", opt, ginv_last_error());
    if (count && ginv_array_count(a) != count) {
        size_t got = ginv_array_count(a);
        ginv_array_release(a);
        return cli_error_code(cmd, CLI_EXIT_FORMAT, "--%s '%s' holds %zu values; expected %zu", opt, path, got, count);
    }
    return 0;
}

void cli_scenario_opts(ginv_scenario_opts *o, ginv_net *net, const ginv_layer *spec, int nspec,
                       const ginv_op_spec *ops, uint64_t seed)
{
    ginv_scenario_opts_init(o);
    o->net = net;
    o->nspec = nspec;
    o->spec = spec;
    o->op = ops;
    o->seed = seed;
}
