/* param.c — typed parameter tables: defaults, parsing text into a task's
 * struct, range and choice checks. A task (recover, cs) lists its
 * parameters once; the CLI, the sweep runner and the JSON writer read the
 * same rows (ginv/base.h, docs/library.md "Parameter tables"). */
#include "ginv.h"
#include "base/check_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ginv_param_def *ginv_param_find(const ginv_param_table *t, const char *name)
{
    if (!t || !name) return NULL;
    for (const char *const *a = t->aliases; a && a[0] && a[1]; a += 2)
        if (!strcmp(a[0], name)) {
            name = a[1];
            break;
        }
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->defs[i].name, name)) return &t->defs[i];
    return NULL;
}

int ginv_param_choice(const ginv_param_def *d, const char *value)
{
    if (!d || !d->choices || !value) return -1;
    for (int i = 0; d->choices[i]; i++)
        if (!strcmp(d->choices[i], value)) return i;
    return -1;
}

static void *field(void *obj, const ginv_param_def *d) { return (char *)obj + d->offset; }
static const void *cfield(const void *obj, const ginv_param_def *d)
{
    return (const char *)obj + d->offset;
}

/* "a, b or c" into buf */
static const char *choice_list(const ginv_param_def *d, char *buf, size_t len)
{
    buf[0] = 0;
    int n = 0;
    while (d->choices[n]) n++;
    for (int i = 0; i < n; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
                 d->choices[i]);
    return buf;
}

static ginv_status check_value(const ginv_param_def *d, const void *obj)
{
    const void *f = cfield(obj, d);
    char list[512];
    switch (d->type) {
    case GINV_PARAM_FLAG: {
        int v = *(const int *)f;
        if (v != 0 && v != 1)
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' is a flag (0 or 1), not %d", d->name, v);
        return GINV_OK;
    }
    case GINV_PARAM_INT: {
        int v = *(const int *)f;
        if (v == 0 && !d->def) return GINV_OK; /* unset */
        if (d->lo < d->hi && (v < d->lo || v > d->hi))
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' %d is out of range [%.17g, %.17g]", d->name,
                             v, d->lo, d->hi);
        return GINV_OK;
    }
    case GINV_PARAM_DOUBLE: {
        double v = *(const double *)f;
        if (isnan(v) && !d->def) return GINV_OK; /* automatic */
        if (!isfinite(v))
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' must be a finite number", d->name);
        if (d->lo < d->hi && (v < d->lo || v > d->hi))
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' %g is out of range [%g, %g]", d->name, v,
                             d->lo, d->hi);
        return GINV_OK;
    }
    case GINV_PARAM_STRING: {
        const char *v = *(const char *const *)f;
        if (v && d->choices && ginv_param_choice(d, v) < 0)
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' '%s' must be %s", d->name, v,
                             choice_list(d, list, sizeof list));
        return GINV_OK;
    }
    }
    return ginv_fail(GINV_ERR_ARG, "parameter '%s' has an unknown type %d", d->name, (int)d->type);
}

/* Parse text into the row's field (no range check). */
static ginv_status parse_into(const ginv_param_def *d, void *obj, const char *text)
{
    void *f = field(obj, d);
    char *end;
    errno = 0;
    switch (d->type) {
    case GINV_PARAM_FLAG:
        if (!strcmp(text, "true") || !strcmp(text, "1")) *(int *)f = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "0")) *(int *)f = 0;
        else return ginv_fail(GINV_ERR_ARG, "parameter '%s' is a flag: true or false, got '%s'", d->name, text);
        return GINV_OK;
    case GINV_PARAM_INT: {
        long v = strtol(text, &end, 10);
        if (!*text || *end || errno || v < -2147483647L || v > 2147483647L)
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' expects an integer, got '%s'", d->name, text);
        *(int *)f = (int)v;
        return GINV_OK;
    }
    case GINV_PARAM_DOUBLE: {
        double v = strtod(text, &end);
        if (!*text || *end || errno == ERANGE || !isfinite(v))
            return ginv_fail(GINV_ERR_ARG, "parameter '%s' expects a finite number, got '%s'", d->name, text);
        *(double *)f = v;
        return GINV_OK;
    }
    case GINV_PARAM_STRING:
        *(const char **)f = text;
        return GINV_OK;
    }
    return ginv_fail(GINV_ERR_ARG, "parameter '%s' has an unknown type %d", d->name, (int)d->type);
}

ginv_status ginv_param_defaults(const ginv_param_table *t, void *obj)
{
    GINV_NONNULL(t);
    GINV_NONNULL(obj);
    memset(obj, 0, t->size);
    for (int i = 0; i < t->n; i++) {
        const ginv_param_def *d = &t->defs[i];
        if (d->def) {
            ginv_status st = parse_into(d, obj, d->def);
            if (st != GINV_OK) return ginv_fail(st, "%s: the default of %s", t->task, ginv_last_error());
        } else if (d->type == GINV_PARAM_DOUBLE) {
            *(double *)field(obj, d) = NAN;
        }
    }
    return GINV_OK;
}

ginv_status ginv_param_set(const ginv_param_table *t, void *obj, const char *name, const char *text)
{
    GINV_NONNULL(t);
    GINV_NONNULL(obj);
    GINV_NONNULL(name);
    GINV_NONNULL(text);
    const ginv_param_def *d = ginv_param_find(t, name);
    if (!d) return ginv_fail(GINV_ERR_ARG, "'%s' is not a parameter of %s", name, t->task);
    /* a refused value leaves the field as it was */
    union { int i; double d; const char *s; } old;
    size_t width = d->type == GINV_PARAM_DOUBLE ? sizeof(double)
                   : d->type == GINV_PARAM_STRING ? sizeof(const char *) : sizeof(int);
    memcpy(&old, (char *)obj + d->offset, width);
    ginv_status st = parse_into(d, obj, text);
    if (st == GINV_OK) st = check_value(d, obj);
    if (st != GINV_OK) memcpy((char *)obj + d->offset, &old, width);
    return st;
}

ginv_status ginv_param_validate(const ginv_param_table *t, const void *obj)
{
    GINV_NONNULL(t);
    GINV_NONNULL(obj);
    for (int i = 0; i < t->n; i++) {
        ginv_status st = check_value(&t->defs[i], obj);
        if (st != GINV_OK) return st;
    }
    return GINV_OK;
}
