/* score_io.c — a generator endowed with a score-based prior (Daras et al.
 * 2022 §1) in one model file: G as the file's net ("ginv", so every command
 * that takes --model uses it), the score model beside it: its architecture
 * in __metadata__["ginv.score"], its net under "score." (architecture in
 * "ginv.score.net"), the Fourier frequencies and the standardisation as
 * "score.freq", "score.center", "score.scale"; checkpoints add Adam's moments
 * ("score.train.adam_m", "score.train.adam_v") and the training record
 * ("ginv.score.train"). docs/ilo-sgilo.md has the layout. */
#include "learn/score_internal.h"
#include "io/json_internal.h"
#include "base/check_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *arch_json(const ginv_score *s)
{
    const ginv_score_arch *a = &s->arch;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "p", a->p);
    cJSON_AddNumberToObject(o, "layer", a->layer);
    cJSON_AddNumberToObject(o, "nfreq", a->nfreq);
    cJSON_AddNumberToObject(o, "freq_scale", a->freq_scale);
    cJSON *hid = cJSON_AddArrayToObject(o, "hidden");
    for (int i = 0; i < a->nhidden; i++) cJSON_AddItemToArray(hid, cJSON_CreateNumber(a->hidden[i]));
    cJSON_AddStringToObject(o, "act", ginv_layer_kind_name(a->act));
    cJSON_AddStringToObject(o, "sde", "vp");
    cJSON_AddNumberToObject(o, "beta_min", a->beta_min);
    cJSON_AddNumberToObject(o, "beta_max", a->beta_max);
    cJSON_AddNumberToObject(o, "t_min", a->t_min);
    cJSON_AddNumberToObject(o, "ema", a->ema);
    cJSON_AddStringToObject(o, "predicts", "eps");
    cJSON_AddNumberToObject(o, "epochs", s->epoch);
    cJSON_AddNumberToObject(o, "steps", (double)s->step);
    cJSON_AddBoolToObject(o, "scaled", s->scaled);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}

static char *record_json(const ginv_score_record *r)
{
    char hash[24], seed[24];
    snprintf(hash, sizeof hash, "%016" PRIx64, r->data_hash);
    snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "examples", r->examples);
    cJSON_AddStringToObject(o, "data_hash", hash);
    cJSON_AddNumberToObject(o, "batch", r->batch);
    cJSON_AddNumberToObject(o, "lr", r->lr);
    cJSON_AddStringToObject(o, "seed", seed);
    if (isfinite(r->last_loss)) cJSON_AddNumberToObject(o, "last_loss", r->last_loss);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return txt;
}

static ginv_status add_meta(ginv_st_writer *w, const char *key, char *txt)
{
    ginv_status st = txt ? ginv_st_writer_meta(w, key, txt) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    cJSON_free(txt);
    return st;
}

ginv_status ginv_score_save(const ginv_score *s, const ginv_net *G, const char *path, int with_state)
{
    GINV_NONNULL(s);
    GINV_NONNULL(path);
    int p = s->arch.p;
    if (G && s->arch.layer > 0) { /* the prior must fit the generator it is stored with */
        if (s->arch.layer >= ginv_net_nlayers(G))
            return ginv_fail(GINV_ERR_SHAPE, "the score model is for layer %d but the generator has %d "
                             "layers", s->arch.layer, ginv_net_nlayers(G));
        if (ginv_net_layer_c(G, s->arch.layer)->in != p)
            return ginv_fail(GINV_ERR_SHAPE, "the score model has p = %d but the generator's layer %d "
                             "takes %d values", p, s->arch.layer, ginv_net_layer_c(G, s->arch.layer)->in);
    }
    ginv_st_writer *w = ginv_st_writer_new();
    ginv_status st = w ? GINV_OK : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK && G) st = ginv_net_write_part(G, w, "ginv", "");
    if (st == GINV_OK) st = ginv_net_write_part(s->avg, w, "ginv.score.net", "score.");
    if (st == GINV_OK) st = add_meta(w, "ginv.score", arch_json(s));
    int64_t sp[1] = {p}, sf[1] = {s->arch.nfreq};
    if (st == GINV_OK && s->arch.nfreq) st = ginv_st_writer_add(w, "score.freq", GINV_DT_F32, 1, sf, s->freq);
    if (st == GINV_OK) st = ginv_st_writer_add(w, "score.center", GINV_DT_F32, 1, sp, s->center);
    if (st == GINV_OK) st = ginv_st_writer_add(w, "score.scale", GINV_DT_F32, 1, sp, s->scale);
    if (with_state && st == GINV_OK) {
        int64_t sn[1] = {(int64_t)ginv_net_nparams(s->net)};
        st = ginv_st_writer_add(w, "score.train.raw", GINV_DT_F32, 1, sn, ginv_net_params(s->net));
        if (st == GINV_OK) st = ginv_st_writer_add(w, "score.train.adam_m", GINV_DT_F32, 1, sn, s->m);
        if (st == GINV_OK) st = ginv_st_writer_add(w, "score.train.adam_v", GINV_DT_F32, 1, sn, s->v);
        if (st == GINV_OK && s->have_rec) st = add_meta(w, "ginv.score.train", record_json(&s->rec));
    }
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    return st;
}

static ginv_status bad(const char *path, const char *what)
{
    return ginv_fail(GINV_ERR_FORMAT, "'%s' holds no usable score model: %s", path, what);
}

static int json_int(const cJSON *o, const char *key, int lo, int hi, int *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(j) || j->valuedouble != floor(j->valuedouble) || j->valuedouble < lo ||
        j->valuedouble > hi)
        return 0;
    *out = (int)j->valuedouble;
    return 1;
}

static int json_num(const cJSON *o, const char *key, double *out)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble)) return 0;
    *out = j->valuedouble;
    return 1;
}

/* The architecture and counters of "ginv.score". */
static ginv_status read_arch(const char *path, const char *text, ginv_score_arch *a, int *epochs,
                             long *steps, int *scaled)
{
    cJSON *o = NULL;
    if (ginv_json_parse_strict(text, (size_t)-1, "__metadata__[\"ginv.score\"]", &o) != GINV_OK)
        return bad(path, ginv_last_error());
    ginv_score_arch_init(a);
    const cJSON *hid = cJSON_GetObjectItemCaseSensitive(o, "hidden");
    const cJSON *act = cJSON_GetObjectItemCaseSensitive(o, "act");
    const cJSON *sde = cJSON_GetObjectItemCaseSensitive(o, "sde");
    double st_ = 0;
    ginv_status st = GINV_OK;
    if (!cJSON_IsObject(o) || !json_int(o, "p", 1, 1 << 24, &a->p) ||
        !json_int(o, "layer", 0, 1 << 20, &a->layer) || !json_int(o, "nfreq", 0, 4096, &a->nfreq) ||
        !json_num(o, "freq_scale", &a->freq_scale) || !json_num(o, "beta_min", &a->beta_min) ||
        !json_num(o, "beta_max", &a->beta_max) || !json_num(o, "t_min", &a->t_min) ||
        !json_num(o, "ema", &a->ema) ||
        !cJSON_IsArray(hid) || cJSON_GetArraySize(hid) < 1 || cJSON_GetArraySize(hid) > 8 ||
        !cJSON_IsString(act) || !cJSON_IsString(sde) || strcmp(sde->valuestring, "vp") ||
        !json_int(o, "epochs", 0, 1 << 30, epochs) || !json_num(o, "steps", &st_))
        st = bad(path, "\"ginv.score\" needs p, layer, nfreq, freq_scale, hidden (1 to 8), act, sde "
                       "\"vp\", beta_min, beta_max, t_min, ema, epochs and steps");
    if (st == GINV_OK) {
        a->nhidden = cJSON_GetArraySize(hid);
        for (int i = 0; i < a->nhidden && st == GINV_OK; i++) {
            const cJSON *x = cJSON_GetArrayItem(hid, i);
            if (!cJSON_IsNumber(x) || x->valuedouble < 1 || x->valuedouble > 65536) st = bad(path, "a hidden width is not in [1, 65536]");
            else a->hidden[i] = x->valueint;
        }
        if (st == GINV_OK && ginv_layer_kind_parse(act->valuestring, &a->act) != GINV_OK) st = bad(path, ginv_last_error());
        if (st == GINV_OK && ginv_score_arch_check(a) != GINV_OK) st = bad(path, ginv_last_error());
        *steps = (long)st_;
        *scaled = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "scaled"));
    }
    cJSON_Delete(o);
    return st;
}

static ginv_status read_record(const char *path, const char *text, ginv_score_record *r)
{
    cJSON *o = NULL;
    if (ginv_json_parse_strict(text, (size_t)-1, "__metadata__[\"ginv.score.train\"]", &o) != GINV_OK)
        return bad(path, ginv_last_error());
    const cJSON *jh = cJSON_GetObjectItemCaseSensitive(o, "data_hash");
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(o, "seed");
    ginv_status st = GINV_OK;
    r->last_loss = NAN;
    if (!json_int(o, "examples", 1, 2147483647, &r->examples) || !json_int(o, "batch", 1, 2147483647, &r->batch) ||
        !json_num(o, "lr", &r->lr) || !cJSON_IsString(jh) || strlen(jh->valuestring) != 16 ||
        strspn(jh->valuestring, "0123456789abcdef") != 16 || !cJSON_IsString(js) || !*js->valuestring ||
        strlen(js->valuestring) > 20 || strspn(js->valuestring, "0123456789") != strlen(js->valuestring))
        st = bad(path, "\"ginv.score.train\" needs examples, data_hash (16 hex digits), batch, lr and seed");
    else {
        r->data_hash = strtoull(jh->valuestring, NULL, 16);
        r->seed = strtoull(js->valuestring, NULL, 10);
        json_num(o, "last_loss", &r->last_loss);
    }
    cJSON_Delete(o);
    return st;
}

/* Tensor `name` of `count` floats into dst (all finite). */
static ginv_status read_block(const char *path, const ginv_st_file *f, const char *name, size_t count, float *dst)
{
    float *tmp = NULL;
    ginv_status st = ginv_st_get_f32(f, name, count, &tmp);
    if (st != GINV_OK) return bad(path, ginv_last_error());
    for (size_t i = 0; i < count && st == GINV_OK; i++)
        if (!isfinite(tmp[i])) st = bad(path, "a standardisation, frequency or optimizer value is not finite");
    if (st == GINV_OK) memcpy(dst, tmp, count * sizeof(float));
    ginv_free(tmp);
    return st;
}

static ginv_status read_parts(const char *path, const ginv_st_file *f, ginv_score *s)
{
    int p = s->arch.p;
    ginv_status st = GINV_OK;
    if (s->arch.nfreq) st = read_block(path, f, "score.freq", (size_t)s->arch.nfreq, s->freq);
    if (st == GINV_OK) st = read_block(path, f, "score.center", (size_t)p, s->center);
    if (st == GINV_OK) st = read_block(path, f, "score.scale", (size_t)p, s->scale);
    for (int j = 0; st == GINV_OK && j < p; j++)
        if (!(s->scale[j] > 0)) st = bad(path, "a standardisation scale is not positive");
    int have = (ginv_st_find(f, "score.train.adam_m") != NULL) + (ginv_st_find(f, "score.train.adam_v") != NULL) +
               (ginv_st_find(f, "score.train.raw") != NULL);
    if (st == GINV_OK && have && have != 3) st = bad(path, "the optimizer state is incomplete");
    size_t np = ginv_net_nparams(s->net);
    if (st == GINV_OK && have) st = read_block(path, f, "score.train.raw", np, ginv_net_params(s->net));
    if (st == GINV_OK && have) st = read_block(path, f, "score.train.adam_m", np, s->m);
    if (st == GINV_OK && have) st = read_block(path, f, "score.train.adam_v", np, s->v);
    return st;
}

ginv_status ginv_score_load(const char *path, ginv_score **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(path);
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return st;
    cJSON *meta = NULL;
    if (!f.metadata_json || ginv_json_parse_strict(f.metadata_json, (size_t)-1, "__metadata__", &meta) != GINV_OK) {
        ginv_st_release(&f);
        return bad(path, "it has no __metadata__ (train one with 'ginv train score')");
    }
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(meta, "ginv.score");
    const cJSON *rj = cJSON_GetObjectItemCaseSensitive(meta, "ginv.score.train");
    ginv_score_arch a;
    int epochs = 0, scaled = 0;
    long steps = 0;
    ginv_score_record rec = {0};
    if (!cJSON_IsString(sj)) st = bad(path, "no __metadata__[\"ginv.score\"] (train one with 'ginv train score')");
    else st = read_arch(path, sj->valuestring, &a, &epochs, &steps, &scaled);
    if (st == GINV_OK && rj) st = cJSON_IsString(rj) ? read_record(path, rj->valuestring, &rec)
                                                     : bad(path, "\"ginv.score.train\" is not a string");
    ginv_net *net = NULL;
    float *freq = NULL;
    ginv_score *s = NULL;
    if (st == GINV_OK) st = ginv_net_from_st_part(&f, "ginv.score.net", "score.", &net);
    if (st == GINV_OK && (ginv_net_in(net) != a.p + 2 * a.nfreq || ginv_net_out(net) != a.p))
        st = bad(path, "the score net's sizes do not match p and nfreq of \"ginv.score\"");
    if (st == GINV_OK && !(freq = ginv_malloc((size_t)(a.nfreq ? a.nfreq : 1) * sizeof(float))))
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) st = ginv_score_wrap(&s, &a, net, freq);
    if (st != GINV_OK) {
        ginv_net_free(net);
        ginv_free(freq);
    } else {
        s->epoch = epochs, s->step = steps, s->scaled = scaled;
        s->have_rec = rj != NULL, s->rec = rec;
        st = read_parts(path, &f, s);
        if (st != GINV_OK) ginv_score_free(s);
        else *out = s;
    }
    cJSON_Delete(meta);
    ginv_st_release(&f);
    return st;
}
