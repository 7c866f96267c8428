/* vae_io.c — a VAE in one model file: the generator sigmoid(L(z)) as the
 * file's net (so every command that takes --model uses it as G), the encoder
 * beside it under "encoder.", the sizes and the likelihood in
 * __metadata__["ginv.vae"], and for checkpoints the Adam state under "train.". */
#include "io/json_internal.h"
#include "base/check_internal.h"
#include "learn/vae_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[4] = {"train.adam.enc_m", "train.adam.enc_v",
                                           "train.adam.dec_m", "train.adam.dec_v"};

ginv_status ginv_vae_save(const ginv_vae *v, const char *path, int with_state)
{
    GINV_NONNULL(v);
    GINV_NONNULL(path);
    ginv_net *gen = NULL;
    ginv_status st = ginv_vae_generator(v, &gen);
    if (st != GINV_OK) return st;
    ginv_st_writer *w = ginv_st_writer_new();
    if (!w) st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    if (st == GINV_OK) st = ginv_net_write_part(gen, w, "ginv", "");
    if (st == GINV_OK) st = ginv_net_write_part(v->enc, w, "ginv.encoder", "encoder.");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "arch", v->arch.kind == GINV_VAE_CONV ? "conv" : "mlp");
    cJSON_AddNumberToObject(o, "n", v->arch.n);
    cJSON_AddNumberToObject(o, "k", v->arch.k);
    cJSON *hid = cJSON_AddArrayToObject(o, "hidden");
    for (int i = 0; i < v->arch.nhidden; i++)
        cJSON_AddItemToArray(hid, cJSON_CreateNumber(v->arch.hidden[i]));
    if (v->arch.kind == GINV_VAE_CONV) {
        cJSON *img = cJSON_AddArrayToObject(o, "image");
        cJSON_AddItemToArray(img, cJSON_CreateNumber(v->arch.c));
        cJSON_AddItemToArray(img, cJSON_CreateNumber(v->arch.h));
        cJSON_AddItemToArray(img, cJSON_CreateNumber(v->arch.w));
        if (v->arch.fc > 0) cJSON_AddNumberToObject(o, "fc", v->arch.fc); /* absent: none */
    }
    cJSON_AddStringToObject(o, "act", ginv_layer_kind_name(v->arch.act));
    if (v->arch.likelihood == GINV_VAE_GAUSSIAN) {
        cJSON_AddStringToObject(o, "likelihood", "gaussian");
        cJSON_AddNumberToObject(o, "beta", v->arch.beta); /* cJSON prints doubles that read back exactly */
    } else {
        cJSON_AddStringToObject(o, "likelihood", "bernoulli");
    }
    cJSON_AddNumberToObject(o, "epochs", v->epoch);
    cJSON_AddNumberToObject(o, "steps", (double)v->step);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (st == GINV_OK) st = txt ? ginv_st_writer_meta(w, "ginv.vae", txt)
                                : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    cJSON_free(txt);
    if (with_state && v->have_rec && st == GINV_OK) { /* what the epochs were trained with */
        char hash[24], seed[24];
        snprintf(hash, sizeof hash, "%016" PRIx64, v->rec.data_hash);
        snprintf(seed, sizeof seed, "%" PRIu64, v->rec.seed);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "images", v->rec.images);
        cJSON_AddStringToObject(r, "data_hash", hash);
        cJSON_AddNumberToObject(r, "batch", v->rec.batch);
        cJSON_AddNumberToObject(r, "lr", v->rec.lr);
        cJSON_AddStringToObject(r, "seed", seed);
        if (isfinite(v->rec.last_loss)) cJSON_AddNumberToObject(r, "last_loss", v->rec.last_loss);
        char *rt = cJSON_PrintUnformatted(r);
        cJSON_Delete(r);
        st = rt ? ginv_st_writer_meta(w, "ginv.train", rt) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
        cJSON_free(rt);
    }
    if (with_state && st == GINV_OK) {
        const float *blk[4] = {v->m_enc, v->v_enc, v->m_dec, v->v_dec};
        int64_t ne = (int64_t)ginv_net_nparams(v->enc), nd = (int64_t)ginv_net_nparams(v->dec);
        for (int i = 0; st == GINV_OK && i < 4; i++) {
            int64_t shape[1] = {i < 2 ? ne : nd};
            st = ginv_st_writer_add(w, state_names[i], GINV_DT_F32, 1, shape, blk[i]);
        }
    }
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    ginv_net_free(gen);
    return st;
}

static ginv_status bad(const char *path, const char *what)
{
    return ginv_fail(GINV_ERR_FORMAT, "'%s' is not a ginv VAE file: %s", path, what);
}

/* The generator without its final sigmoid: the logits network. */
static ginv_status strip_sigmoid(const char *path, ginv_net *gen, ginv_net **out)
{
    int nl = ginv_net_nlayers(gen);
    if (nl < 2 || ginv_net_layer_c(gen, nl - 1)->kind != GINV_LAYER_SIGMOID)
        return bad(path, "its generator does not end in a sigmoid");
    ginv_layer spec[64];
    if (nl - 1 > 64) return bad(path, "too many layers");
    for (int i = 0; i < nl - 1; i++) {
        spec[i] = *ginv_net_layer_c(gen, i);
        spec[i].W = spec[i].b = spec[i].dW = spec[i].db = NULL;
    }
    ginv_status st = ginv_net_new(out, nl - 1, spec);
    if (st != GINV_OK) return st;
    memcpy(ginv_net_params(*out), ginv_net_params(gen), ginv_net_nparams(gen) * sizeof(float));
    return GINV_OK;
}

/* "likelihood" (absent: bernoulli, the files written before the Gaussian
 * one) and, for "gaussian", "beta" into a. */
static ginv_status read_likelihood(const char *path, const cJSON *vo, ginv_vae_arch *a)
{
    const cJSON *jl = cJSON_GetObjectItemCaseSensitive(vo, "likelihood");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(vo, "beta");
    if (!jl || (cJSON_IsString(jl) && !strcmp(jl->valuestring, "bernoulli"))) {
        if (jb) return bad(path, "\"ginv.vae\" has a beta but a Bernoulli likelihood");
        a->likelihood = GINV_VAE_BERNOULLI;
        a->beta = 0;
        return GINV_OK;
    }
    if (!cJSON_IsString(jl) || strcmp(jl->valuestring, "gaussian"))
        return bad(path, "\"ginv.vae\" likelihood must be \"bernoulli\" or \"gaussian\"");
    if (!cJSON_IsNumber(jb) || !(jb->valuedouble > 0) || !isfinite(jb->valuedouble))
        return bad(path, "a Gaussian VAE's \"ginv.vae\" needs beta > 0");
    a->likelihood = GINV_VAE_GAUSSIAN;
    a->beta = jb->valuedouble;
    return GINV_OK;
}

ginv_status ginv_vae_load(const char *path, ginv_vae **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(path);
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return st;
    ginv_net *gen = NULL, *dec = NULL, *enc = NULL;
    ginv_vae_arch a = {.act = GINV_LAYER_SOFTPLUS};
    long steps = 0;
    int epochs = 0, have_rec = 0;
    ginv_vae_train_record rec = {.last_loss = NAN};
    cJSON *meta = f.metadata_json ? cJSON_Parse(f.metadata_json) : NULL;
    const cJSON *vt = cJSON_GetObjectItemCaseSensitive(meta, "ginv.vae");
    cJSON *vo = NULL;
    if (!cJSON_IsString(vt)) st = bad(path, "no __metadata__[\"ginv.vae\"] (train one with 'ginv train vae')");
    else if (ginv_json_parse_strict(vt->valuestring, (size_t)-1, "__metadata__[\"ginv.vae\"]", &vo) != GINV_OK)
        st = bad(path, ginv_last_error());
    else if (!cJSON_IsObject(vo))
        st = bad(path, "__metadata__[\"ginv.vae\"] is not a JSON object");
    if (st == GINV_OK) {
        const cJSON *jn = cJSON_GetObjectItemCaseSensitive(vo, "n");
        const cJSON *jk = cJSON_GetObjectItemCaseSensitive(vo, "k");
        const cJSON *jh = cJSON_GetObjectItemCaseSensitive(vo, "hidden");
        const cJSON *ja = cJSON_GetObjectItemCaseSensitive(vo, "act");
        const cJSON *je = cJSON_GetObjectItemCaseSensitive(vo, "epochs");
        const cJSON *js = cJSON_GetObjectItemCaseSensitive(vo, "steps");
        if (!cJSON_IsNumber(jn) || !cJSON_IsNumber(jk) || !cJSON_IsArray(jh) ||
            cJSON_GetArraySize(jh) > 8 || !cJSON_IsString(ja))
            st = bad(path, "\"ginv.vae\" needs n, k, hidden (at most 8) and act");
        else {
            a.n = jn->valueint;
            a.k = jk->valueint;
            a.nhidden = cJSON_GetArraySize(jh);
            for (int i = 0; i < a.nhidden; i++)
                a.hidden[i] = cJSON_GetArrayItem(jh, i)->valueint;
            st = ginv_layer_kind_parse(ja->valuestring, &a.act);
            /* "arch" absent: an MLP VAE (files written before the conv VAE) */
            const cJSON *jr = cJSON_GetObjectItemCaseSensitive(vo, "arch");
            const cJSON *ji = cJSON_GetObjectItemCaseSensitive(vo, "image");
            if (st != GINV_OK) st = bad(path, ginv_last_error());
            else if (jr && (!cJSON_IsString(jr) || (strcmp(jr->valuestring, "mlp") &&
                                                   strcmp(jr->valuestring, "conv"))))
                st = bad(path, "\"ginv.vae\" arch must be \"mlp\" or \"conv\"");
            else if (jr && !strcmp(jr->valuestring, "conv")) {
                a.kind = GINV_VAE_CONV;
                if (!cJSON_IsArray(ji) || cJSON_GetArraySize(ji) != 3 ||
                    !cJSON_IsNumber(cJSON_GetArrayItem(ji, 0)) ||
                    !cJSON_IsNumber(cJSON_GetArrayItem(ji, 1)) ||
                    !cJSON_IsNumber(cJSON_GetArrayItem(ji, 2)))
                    st = bad(path, "a conv VAE's \"ginv.vae\" needs image [C, H, W]");
                else {
                    a.c = cJSON_GetArrayItem(ji, 0)->valueint;
                    a.h = cJSON_GetArrayItem(ji, 1)->valueint;
                    a.w = cJSON_GetArrayItem(ji, 2)->valueint;
                }
                const cJSON *jf = cJSON_GetObjectItemCaseSensitive(vo, "fc");
                if (st == GINV_OK && jf && (!cJSON_IsNumber(jf) || !(jf->valuedouble >= 0 && jf->valuedouble <= 65536) ||
                                         jf->valuedouble != floor(jf->valuedouble)))
                    st = bad(path, "a conv VAE's \"fc\" must be an integer 0..65536 (the dense hidden width)");
                else if (jf)
                    a.fc = jf->valueint;
            }
            if (st == GINV_OK) st = read_likelihood(path, vo, &a);
            if (st == GINV_OK && ginv_vae_arch_check(&a) != GINV_OK) st = bad(path, ginv_last_error());
            epochs = cJSON_IsNumber(je) ? je->valueint : 0;
            steps = cJSON_IsNumber(js) ? (long)js->valuedouble : 0;
        }
    }
    const cJSON *tt = cJSON_GetObjectItemCaseSensitive(meta, "ginv.train");
    if (st == GINV_OK && tt) { /* a checkpoint's training record */
        cJSON *to = cJSON_IsString(tt) ? cJSON_Parse(tt->valuestring) : NULL;
        const cJSON *ji = cJSON_GetObjectItemCaseSensitive(to, "images");
        const cJSON *jh = cJSON_GetObjectItemCaseSensitive(to, "data_hash");
        const cJSON *jb = cJSON_GetObjectItemCaseSensitive(to, "batch");
        const cJSON *jl = cJSON_GetObjectItemCaseSensitive(to, "lr");
        const cJSON *js = cJSON_GetObjectItemCaseSensitive(to, "seed");
        const cJSON *jz = cJSON_GetObjectItemCaseSensitive(to, "last_loss");
        char *e1 = NULL, *e2 = NULL;
        if (!cJSON_IsNumber(ji) || !cJSON_IsString(jh) || !cJSON_IsNumber(jb) || !cJSON_IsNumber(jl) ||
            !cJSON_IsString(js) || (jz && !cJSON_IsNumber(jz)) || ji->valuedouble < 1 ||
            ji->valuedouble != floor(ji->valuedouble) || jb->valuedouble != floor(jb->valuedouble) ||
            ji->valuedouble > 2147483647.0 || jb->valuedouble < 1 || jb->valuedouble > 2147483647.0 ||
            strlen(jh->valuestring) != 16 || strspn(jh->valuestring, "0123456789abcdef") != 16 ||
            !*js->valuestring || strlen(js->valuestring) > 20 ||
            strspn(js->valuestring, "0123456789") != strlen(js->valuestring))
            st = bad(path, "\"ginv.train\" needs images, data_hash (16 hex digits), batch, lr and seed");
        else {
            rec.images = (int)ji->valuedouble;
            rec.data_hash = strtoull(jh->valuestring, &e1, 16);
            rec.batch = (int)jb->valuedouble;
            rec.lr = jl->valuedouble;
            rec.seed = strtoull(js->valuestring, &e2, 10);
            rec.last_loss = jz ? jz->valuedouble : NAN;
            have_rec = 1;
        }
        cJSON_Delete(to);
    }
    cJSON_Delete(vo);
    cJSON_Delete(meta);
    if (st == GINV_OK) st = ginv_net_from_st_part(&f, "ginv", "", &gen);
    if (st == GINV_OK) st = strip_sigmoid(path, gen, &dec);
    if (st == GINV_OK) st = ginv_net_from_st_part(&f, "ginv.encoder", "encoder.", &enc);
    if (st == GINV_OK && (ginv_net_in(enc) != a.n || ginv_net_out(enc) != 2 * a.k ||
                          ginv_net_in(dec) != a.k || ginv_net_out(dec) != a.n))
        st = bad(path, "encoder/decoder sizes do not match n and k of \"ginv.vae\"");
    ginv_net_free(gen);
    ginv_vae *v = NULL;
    if (st == GINV_OK) st = ginv_vae_wrap(&v, &a, enc, dec);
    if (st != GINV_OK) {
        ginv_net_free(enc);
        ginv_net_free(dec);
    } else {
        v->epoch = epochs;
        v->step = steps;
        v->have_rec = have_rec;
        v->rec = rec;
        float *blk[4] = {v->m_enc, v->v_enc, v->m_dec, v->v_dec};
        size_t cnt[4] = {ginv_net_nparams(enc), ginv_net_nparams(enc), ginv_net_nparams(dec),
                         ginv_net_nparams(dec)};
        int have = 0;
        for (int i = 0; i < 4; i++) have += ginv_st_find(&f, state_names[i]) != NULL;
        if (have != 0 && have != 4) st = bad(path, "the optimizer state is incomplete");
        for (int i = 0; have == 4 && st == GINV_OK && i < 4; i++) {
            float *tmp = NULL;
            st = ginv_st_get_f32(&f, state_names[i], cnt[i], &tmp);
            if (st == GINV_OK) memcpy(blk[i], tmp, cnt[i] * sizeof(float));
            ginv_free(tmp);
        }
        if (st != GINV_OK) ginv_vae_free(v);
        else *out = v;
    }
    ginv_st_release(&f);
    return st;
}
