/* spec.c — sweep specs: {"command", "fixed", "grid", "trials", "seed",
 * "seeds"} parsed, checked against the command's unit runner, and expanded
 * into cells (the first grid key varies slowest). Every cell has a canonical
 * text (its parameters as a JSON object with sorted keys and text values), and
 * its streams' seed is derived from that text, so a cell keeps its numbers
 * when the grid around it changes. */
#include "ginv.h"
#include "base/check_internal.h"
#include "io/json_internal.h"
#include "run/run_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ginv_sweep_spec {
    char *command;
    const ginv_unit_runner *runner;
    uint64_t seed;
    int trials, shared_seeds;
    int nfixed;
    char *fixed_name[GINV_PARAMS_MAX], *fixed_value[GINV_PARAMS_MAX];
    int ngrid;
    char *grid_name[GINV_PARAMS_MAX];
    int grid_len[GINV_PARAMS_MAX];
    char **grid_value[GINV_PARAMS_MAX];
    long ncells;
    ginv_params *cells;
    char **cell_text;
    uint64_t *cell_seed;
    char *canonical;
    char hash[17];
};

#define MAX_CELLS 10000000L

uint64_t ginv_run_fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void ginv_sweep_spec_free(ginv_sweep_spec *s)
{
    if (!s) return;
    ginv_free(s->command);
    for (int i = 0; i < s->nfixed; i++) {
        ginv_free(s->fixed_name[i]);
        ginv_free(s->fixed_value[i]);
    }
    for (int i = 0; i < s->ngrid; i++) {
        ginv_free(s->grid_name[i]);
        for (int j = 0; j < s->grid_len[i]; j++) ginv_free(s->grid_value[i][j]);
        ginv_free(s->grid_value[i]);
    }
    if (s->cell_text)
        for (long c = 0; c < s->ncells; c++) ginv_free(s->cell_text[c]);
    ginv_free(s->cell_text);
    ginv_free(s->cells);
    ginv_free(s->cell_seed);
    ginv_free(s->canonical);
    ginv_free(s);
}

/* A parameter value as the text a command-line option would get. */
static ginv_status value_text(const cJSON *v, const char *where, const char *name, char **out)
{
    char buf[64];
    const char *t;
    if (cJSON_IsString(v)) {
        if (!*v->valuestring)
            return ginv_fail(GINV_ERR_ARG, "%s parameter '%s': empty string", where, name);
        t = v->valuestring;
    } else if (cJSON_IsBool(v)) {
        t = cJSON_IsTrue(v) ? "true" : "false";
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == floor(d) && fabs(d) < 1e15) snprintf(buf, sizeof buf, "%lld", (long long)d);
        else snprintf(buf, sizeof buf, "%.17g", d);
        t = buf;
    } else {
        return ginv_fail(GINV_ERR_ARG,
                         "%s parameter '%s': values must be strings, numbers or true/false", where,
                         name);
    }
    *out = ginv_strdup(t);
    return *out ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
}

/* The parameter must be one of the runner's option names. */
static ginv_status check_name(const ginv_unit_runner *r, const char *where, const char *name)
{
    if (!strcmp(name, "seed") || !strcmp(name, "trials"))
        return ginv_fail(GINV_ERR_ARG,
                         "%s parameter '%s' belongs at the top level of the spec (\"%s\": N)", where,
                         name, name);
    char list[1024] = "";
    if (r->table) {
        if (ginv_param_find(r->table, name)) return GINV_OK;
        for (int i = 0; i < r->table->n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     r->table->defs[i].name);
    } else {
        for (const char *const *p = r->params; *p; p++)
            if (!strcmp(*p, name)) return GINV_OK;
        for (const char *const *p = r->params; *p; p++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", p == r->params ? "" : ", ",
                     *p);
    }
    return ginv_fail(GINV_ERR_ARG, "unknown parameter '%s' in %s for command '%s' (valid: %s)", name,
                     where, r->command, list);
}

static int by_name(const void *a, const void *b, void *ctx)
{
    const ginv_params *p = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    return strcmp(p->name[i], p->name[j]);
}

/* Cell c: fixed parameters plus the grid values at c's mixed-radix digits,
 * sorted by name. */
static ginv_status build_cell(ginv_sweep_spec *s, long c)
{
    ginv_params raw = {0};
    for (int i = 0; i < s->nfixed; i++) {
        raw.name[raw.n] = s->fixed_name[i];
        raw.value[raw.n++] = s->fixed_value[i];
    }
    long rest = c;
    int digit[GINV_PARAMS_MAX];
    for (int g = s->ngrid - 1; g >= 0; g--) {
        digit[g] = (int)(rest % s->grid_len[g]);
        rest /= s->grid_len[g];
    }
    for (int g = 0; g < s->ngrid; g++) {
        raw.name[raw.n] = s->grid_name[g];
        raw.value[raw.n++] = s->grid_value[g][digit[g]];
    }
    int order[GINV_PARAMS_MAX];
    for (int i = 0; i < raw.n; i++) order[i] = i;
    qsort_r(order, (size_t)raw.n, sizeof order[0], by_name, &raw);
    ginv_params *p = &s->cells[c];
    p->n = raw.n;
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < raw.n; i++) {
        p->name[i] = raw.name[order[i]];
        p->value[i] = raw.value[order[i]];
        cJSON_AddItemToObject(o, p->name[i], cJSON_CreateString(p->value[i]));
    }
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    s->cell_text[c] = ginv_strdup(txt);
    free(txt);
    if (!s->cell_text[c]) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    s->cell_seed[c] = s->shared_seeds ? s->seed
                                      : mix64(s->seed ^ mix64(ginv_run_fnv1a(s->cell_text[c]))) >> 1;
    return GINV_OK;
}

static const char *const top_keys[] = {"command", "fixed", "grid", "trials", "seed", "seeds", NULL};

static ginv_status parse_doc(ginv_sweep_spec *s, const cJSON *doc)
{
    if (!cJSON_IsObject(doc)) return ginv_fail(GINV_ERR_FORMAT, "a spec must be a JSON object");
    for (const cJSON *it = doc->child; it; it = it->next) {
        int known = 0;
        for (const char *const *k = top_keys; *k; k++) known |= !strcmp(*k, it->string);
        if (!known)
            return ginv_fail(GINV_ERR_ARG,
                             "unknown spec key '%s' (valid: command, fixed, grid, trials, seed, "
                             "seeds; a command's parameters go in \"fixed\" or \"grid\")",
                             it->string);
    }
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(doc, "command");
    if (!cJSON_IsString(cmd)) return ginv_fail(GINV_ERR_ARG, "the spec needs \"command\": a command name");
    s->command = ginv_strdup(cmd->valuestring);
    if (!s->command) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (!(s->runner = ginv_unit_find(s->command))) {
        char list[512];
        return ginv_fail(GINV_ERR_ARG, "command '%s' cannot run in a sweep (sweeps run: %s)",
                         s->command, ginv_unit_commands(list, sizeof list));
    }
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(doc, "trials");
    s->trials = 1;
    if (tr) {
        if (!cJSON_IsNumber(tr) || tr->valuedouble != floor(tr->valuedouble) || tr->valuedouble < 1 ||
            tr->valuedouble > 1e7)
            return ginv_fail(GINV_ERR_ARG, "\"trials\" must be an integer in [1, 10000000]");
        s->trials = (int)tr->valuedouble;
    }
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(doc, "seed");
    s->seed = 1;
    if (sd) {
        if (cJSON_IsNumber(sd) && sd->valuedouble == floor(sd->valuedouble) && sd->valuedouble >= 0 &&
            sd->valuedouble <= 9007199254740992.0)
            s->seed = (uint64_t)sd->valuedouble;
        else if (cJSON_IsString(sd) && *sd->valuestring &&
                 strspn(sd->valuestring, "0123456789") == strlen(sd->valuestring) &&
                 strlen(sd->valuestring) <= 19)
            s->seed = strtoull(sd->valuestring, NULL, 10);
        else
            return ginv_fail(GINV_ERR_ARG, "\"seed\" must be a non-negative integer");
    }
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(doc, "seeds");
    if (sm) {
        if (cJSON_IsString(sm) && !strcmp(sm->valuestring, "shared")) s->shared_seeds = 1;
        else if (!cJSON_IsString(sm) || strcmp(sm->valuestring, "cell"))
            return ginv_fail(GINV_ERR_ARG, "\"seeds\" must be \"cell\" (each cell its own streams) or "
                                           "\"shared\" (every cell the spec seed)");
    }
    const cJSON *fx = cJSON_GetObjectItemCaseSensitive(doc, "fixed");
    if (fx && !cJSON_IsObject(fx)) return ginv_fail(GINV_ERR_ARG, "\"fixed\" must be an object");
    for (const cJSON *it = fx ? fx->child : NULL; it; it = it->next) {
        ginv_status st = check_name(s->runner, "\"fixed\"", it->string);
        if (st) return st;
        if (s->nfixed == GINV_PARAMS_MAX) return ginv_fail(GINV_ERR_ARG, "too many parameters");
        for (int i = 0; i < s->nfixed; i++)
            if (!strcmp(s->fixed_name[i], it->string))
                return ginv_fail(GINV_ERR_ARG, "parameter '%s' appears twice in \"fixed\"", it->string);
        s->fixed_name[s->nfixed] = ginv_strdup(it->string);
        s->fixed_value[s->nfixed] = NULL;
        s->nfixed++;
        if (!s->fixed_name[s->nfixed - 1]) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        if ((st = value_text(it, "\"fixed\"", it->string, &s->fixed_value[s->nfixed - 1]))) return st;
    }
    const cJSON *gr = cJSON_GetObjectItemCaseSensitive(doc, "grid");
    if (!gr || !cJSON_IsObject(gr) || !gr->child)
        return ginv_fail(GINV_ERR_ARG, "the grid is empty: \"grid\" must map at least one parameter to "
                                       "a list of values (one cell: a list of one value)");
    s->ncells = 1;
    for (const cJSON *it = gr->child; it; it = it->next) {
        ginv_status st = check_name(s->runner, "\"grid\"", it->string);
        if (st) return st;
        for (int i = 0; i < s->nfixed; i++)
            if (!strcmp(s->fixed_name[i], it->string))
                return ginv_fail(GINV_ERR_ARG, "parameter '%s' is both fixed and in the grid", it->string);
        for (int i = 0; i < s->ngrid; i++)
            if (!strcmp(s->grid_name[i], it->string))
                return ginv_fail(GINV_ERR_ARG, "parameter '%s' appears twice in \"grid\"", it->string);
        if (!cJSON_IsArray(it)) return ginv_fail(GINV_ERR_ARG, "grid parameter '%s' must be a list of values", it->string);
        int len = cJSON_GetArraySize(it);
        if (len == 0) return ginv_fail(GINV_ERR_ARG, "the grid is empty: grid parameter '%s' has no values", it->string);
        if (s->nfixed + s->ngrid == GINV_PARAMS_MAX) return ginv_fail(GINV_ERR_ARG, "too many parameters");
        int g = s->ngrid++;
        s->grid_name[g] = ginv_strdup(it->string);
        s->grid_value[g] = ginv_calloc((size_t)len, sizeof(char *));
        if (!s->grid_name[g] || !s->grid_value[g]) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (const cJSON *v = it->child; v; v = v->next) {
            char *t;
            if ((st = value_text(v, "grid", it->string, &t))) return st;
            for (int j = 0; j < s->grid_len[g]; j++)
                if (!strcmp(s->grid_value[g][j], t)) {
                    ginv_fail(GINV_ERR_ARG, "grid parameter '%s' lists '%s' twice", it->string, t);
                    ginv_free(t);
                    return GINV_ERR_ARG;
                }
            s->grid_value[g][s->grid_len[g]++] = t;
        }
        if (s->ncells > MAX_CELLS / len) return ginv_fail(GINV_ERR_ARG, "the grid has more than %ld cells", MAX_CELLS);
        s->ncells *= len;
    }
    return GINV_OK;
}

static ginv_status make_canonical(ginv_sweep_spec *s)
{
    cJSON *o = cJSON_CreateObject(), *f = cJSON_CreateObject(), *g = cJSON_CreateArray();
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, s->seed);
    cJSON_AddStringToObject(o, "command", s->command);
    cJSON_AddStringToObject(o, "seed", seed);
    cJSON_AddStringToObject(o, "seeds", s->shared_seeds ? "shared" : "cell");
    cJSON_AddNumberToObject(o, "trials", s->trials);
    /* fixed in name order; the grid in the given order (it numbers the cells) */
    int order[GINV_PARAMS_MAX];
    for (int i = 0; i < s->nfixed; i++) order[i] = i;
    for (int i = 1; i < s->nfixed; i++)
        for (int j = i; j > 0 && strcmp(s->fixed_name[order[j - 1]], s->fixed_name[order[j]]) > 0; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 0; i < s->nfixed; i++)
        cJSON_AddStringToObject(f, s->fixed_name[order[i]], s->fixed_value[order[i]]);
    cJSON_AddItemToObject(o, "fixed", f);
    for (int i = 0; i < s->ngrid; i++) {
        cJSON *e = cJSON_CreateArray();
        cJSON_AddItemToArray(e, cJSON_CreateString(s->grid_name[i]));
        cJSON_AddItemToArray(e, cJSON_CreateStringArray((const char *const *)s->grid_value[i], s->grid_len[i]));
        cJSON_AddItemToArray(g, e);
    }
    cJSON_AddItemToObject(o, "grid", g);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    s->canonical = ginv_strdup(txt);
    free(txt);
    if (!s->canonical) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    snprintf(s->hash, sizeof s->hash, "%016" PRIx64, ginv_run_fnv1a(s->canonical));
    return GINV_OK;
}

ginv_status ginv_sweep_spec_parse(const char *json, size_t len, ginv_sweep_spec **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(json);
    cJSON *doc;
    ginv_status pst = ginv_json_parse_strict(json, len, "the spec", &doc);
    if (pst) return pst;
    ginv_sweep_spec *s = ginv_calloc(1, sizeof *s);
    if (!s) {
        cJSON_Delete(doc);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    ginv_status st = parse_doc(s, doc);
    cJSON_Delete(doc);
    if (!st) st = make_canonical(s);
    if (!st) {
        s->cells = ginv_calloc((size_t)s->ncells, sizeof *s->cells);
        s->cell_text = ginv_calloc((size_t)s->ncells, sizeof *s->cell_text);
        s->cell_seed = ginv_calloc((size_t)s->ncells, sizeof *s->cell_seed);
        if (!s->cells || !s->cell_text || !s->cell_seed) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    for (long c = 0; !st && c < s->ncells; c++) st = build_cell(s, c);
    /* each cell's values checked by the runner before anything runs */
    for (long c = 0; !st && c < s->ncells; c++)
        if ((s->runner->check && (st = s->runner->check(&s->cells[c])) != GINV_OK) ||
            (s->runner->check_trials && (st = s->runner->check_trials(&s->cells[c], s->trials)) != GINV_OK)) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", ginv_last_error());
            st = ginv_fail(st, "cell %ld %s: %s", c, s->cell_text[c], msg);
        }
    if (st) {
        ginv_sweep_spec_free(s);
        return st;
    }
    *out = s;
    return GINV_OK;
}

ginv_status ginv_sweep_spec_load(const char *path, ginv_sweep_spec **out)
{
    GINV_NONNULL(path);
    GINV_NONNULL(out);
    unsigned char *buf;
    size_t len;
    *out = NULL;
    ginv_status st = ginv_read_file(path, (size_t)64 << 20, &buf, &len);
    if (st) return st;
    st = ginv_sweep_spec_parse((const char *)buf, len, out);
    ginv_free(buf);
    if (st) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(st, "spec '%s': %s", path, msg);
    }
    return GINV_OK;
}

const char *ginv_sweep_spec_command(const ginv_sweep_spec *s) { return s->command; }
long ginv_sweep_spec_cells(const ginv_sweep_spec *s) { return s->ncells; }
int ginv_sweep_spec_trials(const ginv_sweep_spec *s) { return s->trials; }
const ginv_params *ginv_sweep_spec_cell(const ginv_sweep_spec *s, long c) { return &s->cells[c]; }
const char *ginv_sweep_spec_cell_text(const ginv_sweep_spec *s, long c) { return s->cell_text[c]; }
uint64_t ginv_sweep_cell_seed(const ginv_sweep_spec *s, long c) { return s->cell_seed[c]; }
const char *ginv_sweep_spec_canonical(const ginv_sweep_spec *s) { return s->canonical; }
const char *ginv_sweep_spec_hash(const ginv_sweep_spec *s) { return s->hash; }
const ginv_unit_runner *ginv_run_spec_runner(const ginv_sweep_spec *s) { return s->runner; }
