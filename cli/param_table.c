/* param_table.c — a library parameter table (ginv/base.h) as command-line
 * options, as the JSON "params" block, and its messages in option spelling:
 * the command reads, checks and reports a task's parameters from the same
 * rows the sweep runner uses. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_table_opts(const ginv_param_table *t, void *obj, cli_opt *rows, int max)
{
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        const ginv_param_def *d = &t->defs[i];
        if (n == max) return -1;
        static const opt_type types[] = {OPT_FLAG, OPT_INT, OPT_DOUBLE, OPT_STRING};
        rows[n++] = (cli_opt){d->name, 0, types[d->type], (char *)obj + d->offset, d->meta, d->help,
                              d->lo, d->hi, 0};
    }
    for (const char *const *a = t->aliases; a && a[0] && a[1]; a += 2) {
        if (n == max) return -1;
        rows[n++] = (cli_opt)CLI_ALIAS(a[0], a[1]);
    }
    return n;
}

int cli_table_join(const ginv_param_table *t, void *obj, const cli_opt *own, cli_opt *rows, int max)
{
    int n = cli_table_opts(t, obj, rows, max), nown = 0;
    while (own[nown].name) nown++;
    if (n < 0 || n + nown + 1 > max) return -1;
    memcpy(rows + n, own, sizeof(cli_opt) * (size_t)(nown + 1)); /* with the closing {0} */
    return 0;
}

int cli_param_error(const char *cmd, ginv_status st)
{
    /* the report rewrites "parameter 'lr'" as "--lr" (cli_option_spelling) */
    return cli_error_code(cmd, st == GINV_ERR_ARG ? CLI_EXIT_USAGE : cli_exit_code(st), "%s",
                          ginv_last_error());
}

cJSON *cli_json_table(cJSON *parent, const ginv_param_table *t, const void *obj)
{
    for (int i = 0; i < t->n; i++) {
        const ginv_param_def *d = &t->defs[i];
        const void *f = (const char *)obj + d->offset;
        char key[64];
        snprintf(key, sizeof key, "%s", d->name);
        for (char *c = key; *c; c++)
            if (*c == '-') *c = '_';
        switch (d->type) {
        case GINV_PARAM_FLAG: cJSON_AddBoolToObject(parent, key, *(const int *)f); break;
        case GINV_PARAM_INT:
            if (*(const int *)f || d->def) cJSON_AddNumberToObject(parent, key, *(const int *)f);
            break;
        case GINV_PARAM_DOUBLE:
            if (!isnan(*(const double *)f)) cJSON_AddItemToObject(parent, key, cli_json_num(*(const double *)f));
            break;
        case GINV_PARAM_STRING:
            if (*(const char *const *)f) cJSON_AddStringToObject(parent, key, *(const char *const *)f);
            break;
        }
    }
    return parent;
}
