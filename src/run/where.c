/* where.c — filters over a sweep store's units, `ginv results --where`:
 * "P=V;P=V;..." keeps the units whose canonical parameters have P equal to V
 * (as text) for every condition. Parsed strictly (empty conditions, a missing
 * '=', empty names or values, "P==V", a name twice are refused) and, given the
 * store's canonical spec, checked against it: P must be a parameter of the
 * sweep and V one of its values, so a typo is an error, not an empty table. */
#include "ginv.h"
#include "base/check_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ginv_where_release(ginv_where *w)
{
    if (!w) return;
    ginv_free(w->buf);
    memset(w, 0, sizeof *w);
}

static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    char *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) *--e = 0;
    return p;
}

/* The values parameter `name` takes in a canonical spec: a fixed parameter's
 * one value (*fixed), or its grid list (returned); neither: not a parameter. */
static const cJSON *spec_values(const cJSON *spec, const char *name, const cJSON **fixed)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(spec, "fixed");
    const cJSON *v = cJSON_IsObject(f) ? cJSON_GetObjectItemCaseSensitive(f, name) : NULL;
    *fixed = cJSON_IsString(v) ? v : NULL;
    const cJSON *e, *g = cJSON_GetObjectItemCaseSensitive(spec, "grid");
    if (!cJSON_IsArray(g)) g = NULL;
    cJSON_ArrayForEach(e, g)
    {
        const cJSON *n = cJSON_GetArrayItem(e, 0), *vals = cJSON_GetArrayItem(e, 1);
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name) && cJSON_IsArray(vals)) return vals;
    }
    return NULL;
}

/* "a, b, c" from a spec's parameter names (fixed, then grid), into buf. */
static const char *spec_names(const cJSON *spec, char *buf, size_t cap)
{
    buf[0] = 0;
    const cJSON *e, *f = cJSON_GetObjectItemCaseSensitive(spec, "fixed"), *g = cJSON_GetObjectItemCaseSensitive(spec, "grid");
    if (!cJSON_IsObject(f)) f = NULL;
    if (!cJSON_IsArray(g)) g = NULL;
    cJSON_ArrayForEach(e, f)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? ", " : "", e->string);
    cJSON_ArrayForEach(e, g)
    {
        const cJSON *n = cJSON_GetArrayItem(e, 0);
        if (cJSON_IsString(n)) snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? ", " : "", n->valuestring);
    }
    return buf;
}

static ginv_status check_against_spec(const cJSON *spec, const char *cond, const char *name,
                                      const char *value)
{
    const cJSON *fixed, *vals = spec_values(spec, name, &fixed);
    if (!vals && !fixed) {
        char names[768];
        return ginv_fail(GINV_ERR_ARG, "condition '%s': '%s' is not a parameter of this sweep (its "
                                       "parameters: %s)", cond, name, spec_names(spec, names, sizeof names));
    }
    int found = fixed && !strcmp(fixed->valuestring, value);
    char list[768] = "";
    if (fixed) snprintf(list, sizeof list, "'%s'", fixed->valuestring);
    const cJSON *v;
    cJSON_ArrayForEach(v, vals)
    {
        if (!cJSON_IsString(v)) continue;
        found |= !strcmp(v->valuestring, value);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", list[0] ? ", " : "", v->valuestring);
    }
    if (!found)
        return ginv_fail(GINV_ERR_ARG, "condition '%s': parameter '%s' is never '%s' in this sweep "
                                       "(its value%s: %s)", cond, name, value, fixed ? "" : "s", list);
    return GINV_OK;
}

ginv_status ginv_where_parse(const char *text, const char *spec_json, ginv_where *out)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    if (!text) return ginv_fail(GINV_ERR_ARG, "no filter text");
    cJSON *spec = NULL;
    if (spec_json && !(spec = cJSON_Parse(spec_json)))
        return ginv_fail(GINV_ERR_FORMAT, "the store's spec is not valid JSON");
    size_t len = strlen(text);
    out->buf = ginv_malloc(len + 1);
    if (!out->buf) {
        cJSON_Delete(spec);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    memcpy(out->buf, text, len + 1);
    ginv_status st = GINV_OK;
    char *p = out->buf;
    if (!*trim(p)) st = ginv_fail(GINV_ERR_ARG, "no condition: expected P=V, several joined by ';'");
    while (!st && p) {
        char *semi = strchr(p, ';');
        if (semi) *semi = 0;
        char *cond = trim(p);
        char shown[160]; /* the condition as given, for messages */
        snprintf(shown, sizeof shown, "%s", cond);
        char *eq = strchr(cond, '=');
        if (!*cond)
            st = ginv_fail(GINV_ERR_ARG, "an empty condition (';' at an end, or two in a row): expected "
                                         "P=V, several joined by ';'");
        else if (!eq)
            st = ginv_fail(GINV_ERR_ARG, "condition '%s': expected P=V", shown);
        else {
            *eq = 0;
            char *name = trim(cond), *value = trim(eq + 1);
            if (!*name) st = ginv_fail(GINV_ERR_ARG, "condition '%s': no parameter name before '='", shown);
            else if (!*value) st = ginv_fail(GINV_ERR_ARG, "condition '%s': no value after '='", shown);
            else if (*value == '=')
                st = ginv_fail(GINV_ERR_ARG, "condition '%s': one '=' between parameter and value (P=V)", shown);
            else if (out->n == GINV_WHERE_MAX)
                st = ginv_fail(GINV_ERR_ARG, "more than %d conditions", GINV_WHERE_MAX);
            for (int i = 0; !st && i < out->n; i++)
                if (!strcmp(out->name[i], name))
                    st = ginv_fail(GINV_ERR_ARG, "condition '%s': parameter '%s' is given twice (a unit "
                                                 "has one value)", shown, name);
            if (!st && spec) st = check_against_spec(spec, shown, name, value);
            if (!st) {
                out->name[out->n] = name;
                out->value[out->n++] = value;
            }
        }
        p = semi ? semi + 1 : NULL;
    }
    cJSON_Delete(spec);
    if (st) ginv_where_release(out);
    return st;
}

int ginv_where_match(const ginv_where *w, const char *params_json)
{
    if (!w || !w->n) return 1;
    cJSON *p = params_json ? cJSON_Parse(params_json) : NULL;
    int ok = cJSON_IsObject(p);
    for (int i = 0; ok && i < w->n; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(p, w->name[i]);
        ok = cJSON_IsString(x) && !strcmp(x->valuestring, w->value[i]);
    }
    cJSON_Delete(p);
    return ok;
}
