/* problem.c — the decision problem stored with a model file (Keles & Hegde
 * 2023, §2: exact and approximate l_p inversion): target, delta, norm and
 * latent domain, kept as JSON in __metadata__["ginv.problem"]. */
#include "ginv.h"
#include "base/check_internal.h"
#include "io/json_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ginv_problem_release(ginv_problem *pb)
{
    if (!pb) return;
    ginv_free(pb->target);
    ginv_free(pb->source_json);
    memset(pb, 0, sizeof *pb);
}

const char *ginv_latent_domain_name(ginv_latent_domain d)
{
    switch (d) {
    case GINV_LATENT_01: return "01";
    case GINV_LATENT_PM1: return "pm1";
    default: return "real";
    }
}

ginv_status ginv_latent_domain_parse(const char *text, ginv_latent_domain *out)
{
    GINV_NONNULL(text);
    GINV_NONNULL(out);
    if (!strcmp(text, "real")) *out = GINV_LATENT_REAL;
    else if (!strcmp(text, "01")) *out = GINV_LATENT_01;
    else if (!strcmp(text, "pm1")) *out = GINV_LATENT_PM1;
    else
        return ginv_fail(GINV_ERR_ARG, "unknown latent domain '%s' (use 01, pm1 or real)",
                         text);
    return GINV_OK;
}

ginv_status ginv_norm_parse(const char *text, double *p)
{
    GINV_NONNULL(text);
    GINV_NONNULL(p);
    if (!strcmp(text, "exact")) { *p = GINV_NORM_EXACT; return GINV_OK; }
    if (!strcmp(text, "inf")) { *p = INFINITY; return GINV_OK; }
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < 1 || v > 64)
        return ginv_fail(GINV_ERR_ARG, "unknown norm '%s' (use exact, inf or an integer p "
                                       "in 1..64)", text);
    *p = (double)v;
    return GINV_OK;
}

const char *ginv_norm_name(double p, char *buf, size_t len)
{
    if (p == GINV_NORM_EXACT) snprintf(buf, len, "exact");
    else if (isinf(p)) snprintf(buf, len, "inf");
    else snprintf(buf, len, "%d", (int)p);
    return buf;
}

double ginv_dist_p(int n, const double *a, const double *b, double p)
{
    double acc = 0;
    if (p == GINV_NORM_EXACT || isinf(p)) {
        for (int i = 0; i < n; i++) acc = fmax(acc, fabs(a[i] - b[i]));
        return acc;
    }
    for (int i = 0; i < n; i++) acc += pow(fabs(a[i] - b[i]), p);
    return pow(acc, 1.0 / p);
}

static ginv_status bad(const char *what)
{
    return ginv_fail(GINV_ERR_FORMAT, "__metadata__[\"ginv.problem\"]: %s", what);
}

ginv_status ginv_problem_from_st(const ginv_st_file *f, int n_out, ginv_problem *out,
                                 int *found)
{
    GINV_NONNULL(out);
    GINV_NONNULL(found);
    memset(out, 0, sizeof *out);
    *found = 0;
    GINV_NONNULL(f);
    if (!f->metadata_json) return GINV_OK;
    cJSON *meta = cJSON_Parse(f->metadata_json);
    const cJSON *txt = cJSON_GetObjectItemCaseSensitive(meta, "ginv.problem");
    if (!txt) {
        cJSON_Delete(meta);
        return GINV_OK;
    }
    ginv_status st = GINV_OK;
    cJSON *pj = NULL;
    if (cJSON_IsString(txt) &&
        ginv_json_parse_strict(txt->valuestring, (size_t)-1, "__metadata__[\"ginv.problem\"]", &pj) != GINV_OK) {
        cJSON_Delete(meta);
        return GINV_ERR_FORMAT; /* the message names the entry and the key */
    }
    const cJSON *tg = cJSON_GetObjectItemCaseSensitive(pj, "target");
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(pj, "delta");
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(pj, "p");
    const cJSON *lt = cJSON_GetObjectItemCaseSensitive(pj, "latent");
    const cJSON *bx = cJSON_GetObjectItemCaseSensitive(pj, "box");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(pj, "source");
    if (!cJSON_IsObject(pj)) st = bad("not a JSON object text");
    else if (!cJSON_IsArray(tg)) st = bad("\"target\" must be an array of numbers");
    else if (cJSON_GetArraySize(tg) != n_out) {
        st = ginv_fail(GINV_ERR_SHAPE, "__metadata__[\"ginv.problem\"]: target has %d entries "
                                       "but the net's output has %d", cJSON_GetArraySize(tg),
                       n_out);
    } else if (!cJSON_IsNumber(dl) || !isfinite(dl->valuedouble) || dl->valuedouble < 0)
        st = bad("\"delta\" must be a finite number >= 0");
    else if (!(cJSON_IsString(pp) || cJSON_IsNumber(pp)))
        st = bad("\"p\" must be \"exact\", \"inf\" or an integer");
    else if (!cJSON_IsString(lt)) st = bad("\"latent\" must be \"01\", \"pm1\" or \"real\"");
    if (st == GINV_OK) {
        char buf[32];
        if (cJSON_IsNumber(pp)) snprintf(buf, sizeof buf, "%d", (int)pp->valuedouble);
        st = ginv_norm_parse(cJSON_IsString(pp) ? pp->valuestring : buf, &out->p);
        if (st == GINV_OK && cJSON_IsNumber(pp) && pp->valuedouble != floor(pp->valuedouble))
            st = bad("\"p\" must be an integer");
        if (st == GINV_OK) st = ginv_latent_domain_parse(lt->valuestring, &out->latent);
        if (st != GINV_OK) st = bad(ginv_last_error());
    }
    if (st == GINV_OK && bx && !cJSON_IsNull(bx)) {
        if (!cJSON_IsNumber(bx) || !isfinite(bx->valuedouble) || bx->valuedouble < 0)
            st = bad("\"box\" must be a finite number >= 0");
        else out->box = bx->valuedouble;
    }
    if (st == GINV_OK) {
        out->n = n_out;
        out->delta = dl->valuedouble;
        out->target = ginv_malloc((size_t)(n_out > 0 ? n_out : 1) * sizeof(double));
        if (!out->target) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
        for (int i = 0; st == GINV_OK && i < n_out; i++) {
            const cJSON *v = cJSON_GetArrayItem(tg, i);
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
                st = ginv_fail(GINV_ERR_FORMAT, "__metadata__[\"ginv.problem\"]: target[%d] is "
                                                "not a finite number", i);
                break;
            }
            out->target[i] = v->valuedouble;
        }
    }
    if (st == GINV_OK && cJSON_IsObject(src)) {
        char *s = cJSON_PrintUnformatted(src);
        out->source_json = s ? ginv_strdup(s) : NULL;
        cJSON_free(s);
    }
    cJSON_Delete(pj);
    cJSON_Delete(meta);
    if (st != GINV_OK) {
        ginv_problem_release(out);
        return st;
    }
    *found = 1;
    return GINV_OK;
}

ginv_status ginv_problem_save(const ginv_net *net, const ginv_problem *pb, const char *path)
{
    GINV_NONNULL(net);
    GINV_NONNULL(pb);
    GINV_NONNULL(path);
    if (pb->n != ginv_net_out(net))
        return ginv_fail(GINV_ERR_SHAPE, "problem target has %d entries but the net's output "
                                         "has %d", pb->n, ginv_net_out(net));
    cJSON *o = cJSON_CreateObject();
    cJSON *tg = cJSON_AddArrayToObject(o, "target");
    for (int i = 0; i < pb->n; i++) cJSON_AddItemToArray(tg, cJSON_CreateNumber(pb->target[i]));
    cJSON_AddNumberToObject(o, "delta", pb->delta);
    char nb[16];
    ginv_norm_name(pb->p, nb, sizeof nb);
    if (pb->p == GINV_NORM_EXACT || isinf(pb->p)) cJSON_AddStringToObject(o, "p", nb);
    else cJSON_AddNumberToObject(o, "p", pb->p);
    cJSON_AddStringToObject(o, "latent", ginv_latent_domain_name(pb->latent));
    if (pb->box > 0) cJSON_AddNumberToObject(o, "box", pb->box);
    if (pb->source_json) {
        cJSON *src = cJSON_Parse(pb->source_json);
        if (src) cJSON_AddItemToObject(o, "source", src);
    }
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    ginv_st_writer *w = ginv_st_writer_new();
    ginv_status st = w ? ginv_net_write_part(net, w, "ginv", "")
                       : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) st = ginv_st_writer_meta(w, "ginv.problem", txt);
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    cJSON_free(txt);
    return st;
}

double ginv_problem_clamp_box(const ginv_problem *pb)
{
    cJSON *s = pb->source_json ? cJSON_Parse(pb->source_json) : NULL;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "clamp");
    double R = 0;
    if (cJSON_GetArraySize(c) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(c, 0)) &&
        cJSON_IsNumber(cJSON_GetArrayItem(c, 1)))
        R = fmax(fabs(cJSON_GetArrayItem(c, 0)->valuedouble),
                 fabs(cJSON_GetArrayItem(c, 1)->valuedouble));
    cJSON_Delete(s);
    return R;
}
