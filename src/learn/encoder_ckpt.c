/* encoder_ckpt.c — checkpoints of amortised encoder training (ginv encoder
 * train, Gaussian and deep latent Gaussian): the whole state of Adam (Kingma
 * & Ba 2015, Algorithm 1) — parameters, first and second moments, the step —
 * and what the steps were trained with (the encoder's architecture, G's
 * identity, beta, the objective, K, batch, lr, seed), in one safetensors file
 * written atomically: tensors "train.params", "train.adam.m", "train.adam.v",
 * the record under __metadata__["ginv.encoder_ckpt"]. Every step's batch
 * comes from its own stream (seed, ENCODER or DLG_TRAIN, step), so a resumed
 * run draws what the uninterrupted one would: the same bits at the end. */
#include "learn/encoder_ckpt_internal.h"
#include "base/check_internal.h"
#include "io/json_internal.h"
#include "learn/vae_internal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define META_KEY "ginv.encoder_ckpt"
static const char *const names[3] = {"train.params", "train.adam.m", "train.adam.v"};

uint64_t ginv_enc_ckpt_mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

void ginv_enc_ckpt_generator(ginv_enc_ckpt *c, const ginv_net *G)
{
    size_t np = ginv_net_nparams(G);
    c->g_in = ginv_net_in(G);
    c->g_out = ginv_net_out(G);
    c->g_nparams = np;
    c->g_hash = ginv_train_data_hash(1, np, ginv_net_params((ginv_net *)G));
}

static void add_num(cJSON *o, const char *key, double x)
{
    char b[40];
    snprintf(b, sizeof b, "%.17g", x); /* reads back to the same bits */
    cJSON_AddStringToObject(o, key, b);
}

static void add_u64(cJSON *o, const char *key, uint64_t x)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRIu64, x);
    cJSON_AddStringToObject(o, key, b);
}

ginv_status ginv_enc_ckpt_save(const char *path, const ginv_enc_ckpt *c, const float *params, const float *m,
                               const float *v)
{
    cJSON *o = cJSON_CreateObject();
    char hx[24];
    cJSON_AddStringToObject(o, "arch", c->arch);
    snprintf(hx, sizeof hx, "%016" PRIx64, c->arch_hash);
    cJSON_AddStringToObject(o, "arch_hash", hx);
    add_u64(o, "nparams", c->nparams);
    snprintf(hx, sizeof hx, "%016" PRIx64, c->g_hash);
    cJSON_AddStringToObject(o, "generator_hash", hx);
    add_u64(o, "generator_in", (uint64_t)c->g_in);
    add_u64(o, "generator_out", (uint64_t)c->g_out);
    add_u64(o, "generator_nparams", c->g_nparams);
    add_num(o, "beta", c->beta);
    cJSON_AddStringToObject(o, "objective", c->objective);
    add_u64(o, "K", (uint64_t)c->K);
    add_u64(o, "batch", (uint64_t)c->batch);
    add_num(o, "lr", c->lr);
    add_u64(o, "seed", c->seed);
    add_u64(o, "step", (uint64_t)c->step);
    add_u64(o, "tail_from", (uint64_t)c->tail_from);
    add_num(o, "tail_sum", c->tail_sum);
    add_u64(o, "tail_n", (uint64_t)c->tail_n);
    add_num(o, "last_loss", c->last_loss);
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    ginv_st_writer *w = ginv_st_writer_new();
    ginv_status st = txt && w ? ginv_st_writer_meta(w, META_KEY, txt) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
    cJSON_free(txt);
    const float *blk[3] = {params, m, v};
    int64_t shape[1] = {(int64_t)c->nparams};
    for (int i = 0; st == GINV_OK && i < 3; i++) st = ginv_st_writer_add(w, names[i], GINV_DT_F32, 1, shape, blk[i]);
    if (st == GINV_OK) st = ginv_st_writer_save(w, path);
    ginv_st_writer_free(w);
    return st;
}

/* one record field: a string (text) or a number written as a string */
static const char *field(const cJSON *o, const char *key)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int get_u64(const cJSON *o, const char *key, uint64_t *x)
{
    const char *s = field(o, key);
    char *e = NULL;
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20) return 0;
    *x = strtoull(s, &e, 10);
    return 1;
}

static int get_num(const cJSON *o, const char *key, double *x)
{
    const char *s = field(o, key);
    char *e = NULL;
    if (!s || !*s) return 0;
    *x = strtod(s, &e);
    return *e == 0;
}

static int get_hex(const cJSON *o, const char *key, uint64_t *x)
{
    const char *s = field(o, key);
    if (!s || strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16) return 0;
    *x = strtoull(s, NULL, 16);
    return 1;
}

/* the record of a checkpoint's metadata into *c; 0 when a field is missing or bad */
static int parse_record(const cJSON *o, ginv_enc_ckpt *c)
{
    uint64_t u[10];
    const char *arch = field(o, "arch"), *obj = field(o, "objective");
    if (!arch || !obj || strlen(arch) >= sizeof c->arch || strlen(obj) >= sizeof c->objective) return 0;
    snprintf(c->arch, sizeof c->arch, "%s", arch);
    snprintf(c->objective, sizeof c->objective, "%s", obj);
    if (!get_hex(o, "arch_hash", &c->arch_hash) || !get_hex(o, "generator_hash", &c->g_hash)) return 0;
    if (!get_u64(o, "nparams", &u[0]) || !get_u64(o, "generator_in", &u[1]) || !get_u64(o, "generator_out", &u[2]) ||
        !get_u64(o, "generator_nparams", &u[3]) || !get_u64(o, "K", &u[4]) || !get_u64(o, "batch", &u[5]) ||
        !get_u64(o, "seed", &c->seed) || !get_u64(o, "step", &u[6]) || !get_u64(o, "tail_from", &u[7]) ||
        !get_u64(o, "tail_n", &u[8]))
        return 0;
    if (!get_num(o, "beta", &c->beta) || !get_num(o, "lr", &c->lr) || !get_num(o, "tail_sum", &c->tail_sum) ||
        !get_num(o, "last_loss", &c->last_loss))
        return 0;
    for (int i = 1; i < 9; i++)
        if (u[i] > (1ull << 40)) return 0;
    c->nparams = (size_t)u[0];
    c->g_in = (int)u[1], c->g_out = (int)u[2], c->g_nparams = (size_t)u[3];
    c->K = (int)u[4], c->batch = (int)u[5];
    c->step = (long)u[6], c->tail_from = (long)u[7], c->tail_n = (long)u[8];
    return c->batch >= 1 && c->tail_n <= c->step;
}

/* the refusals (the run would train another problem) and the warnings (the
 * same problem, but not the run an uninterrupted one would have been) */
static ginv_status compare(const char *path, const ginv_enc_ckpt *h, const ginv_enc_ckpt *w, long steps)
{
    if (h->arch_hash != w->arch_hash || strcmp(h->arch, w->arch) || h->nparams != w->nparams)
        return ginv_fail(GINV_ERR_ARG, "resume: %s holds an encoder %s, this run asks for %s; give the checkpoint's "
                         "architecture, or start afresh (without --resume)", path, h->arch, w->arch);
    if (h->g_hash != w->g_hash || h->g_in != w->g_in || h->g_out != w->g_out || h->g_nparams != w->g_nparams)
        return ginv_fail(GINV_ERR_ARG, "resume: %s was trained for a generator %d -> %d with %zu parameters (hash "
                         "%016" PRIx64 "), this run gives %d -> %d with %zu (hash %016" PRIx64 "): another G", path,
                         h->g_in, h->g_out, h->g_nparams, h->g_hash, w->g_in, w->g_out, w->g_nparams, w->g_hash);
    if (h->beta != w->beta || strcmp(h->objective, w->objective))
        return ginv_fail(GINV_ERR_ARG, "resume: %s was trained with objective %s at beta %.10g, this run asks for %s "
                         "at beta %.10g: another loss", path, h->objective, h->beta, w->objective, w->beta);
    const char *tail = "; the continued run is not the one an uninterrupted run would give";
    if (h->step >= steps) return GINV_OK; /* nothing left to train: nothing differs */
    if (h->K != w->K)
        ginv_log(GINV_LOG_WARN, "resuming with SIVI K %d, the checkpoint's steps used %d%s", w->K, h->K, tail);
    if (h->batch != w->batch)
        ginv_log(GINV_LOG_WARN, "resuming with batch size %d, the checkpoint's steps used %d%s", w->batch, h->batch,
                 tail);
    if (h->lr != w->lr)
        ginv_log(GINV_LOG_WARN, "resuming with learning rate %g, the checkpoint's steps used %g%s", w->lr, h->lr,
                 tail);
    if (h->seed != w->seed)
        ginv_log(GINV_LOG_WARN, "resuming with seed %" PRIu64 ", the checkpoint's steps used %" PRIu64 "%s", w->seed,
                 h->seed, tail);
    return GINV_OK;
}

ginv_status ginv_enc_ckpt_resume(const char *path, const ginv_enc_ckpt *want, long steps, ginv_enc_ckpt *have,
                                 float *params, float *m, float *v)
{
    ginv_st_file f;
    ginv_status st = ginv_st_read(path, &f);
    if (st != GINV_OK) return ginv_fail(st, "resume: %s", ginv_last_error());
    cJSON *meta = f.metadata_json ? cJSON_Parse(f.metadata_json) : NULL, *ro = NULL;
    const cJSON *jt = cJSON_GetObjectItemCaseSensitive(meta, META_KEY);
    memset(have, 0, sizeof *have);
    if (!cJSON_IsString(jt) || ginv_json_parse_strict(jt->valuestring, (size_t)-1, META_KEY, &ro) != GINV_OK ||
        !parse_record(ro, have))
        st = ginv_fail(GINV_ERR_FORMAT, "resume: '%s' is not an encoder training checkpoint (no valid "
                       "__metadata__[\"" META_KEY "\"])", path);
    if (st == GINV_OK) st = compare(path, have, want, steps);
    float *blk[3] = {params, m, v}, *tmp[3] = {NULL, NULL, NULL};
    for (int i = 0; st == GINV_OK && i < 3; i++)
        if ((st = ginv_st_get_f32(&f, names[i], want->nparams, &tmp[i])) != GINV_OK)
            st = ginv_fail(GINV_ERR_FORMAT, "resume: '%s': %s", path, ginv_last_error());
    for (int i = 0; i < 3; i++) { /* all three or nothing: the caller's state stays whole on failure */
        if (st == GINV_OK) memcpy(blk[i], tmp[i], want->nparams * sizeof(float));
        ginv_free(tmp[i]);
    }
    cJSON_Delete(ro);
    cJSON_Delete(meta);
    ginv_st_release(&f);
    return st;
}

ginv_status ginv_enc_ckpt_begin(ginv_enc_ckpt *c, const char *path, int resume, long steps, float *params, float *m,
                                float *v)
{
    c->step = 0;
    c->tail_from = steps - steps / 10; /* the reported loss: the mean over the last tenth */
    c->tail_sum = 0;
    c->tail_n = 0;
    c->last_loss = NAN;
    if (!resume) return GINV_OK;
    if (!path) return ginv_fail(GINV_ERR_ARG, "resume: no checkpoint path given");
    ginv_enc_ckpt have;
    ginv_status st = ginv_enc_ckpt_resume(path, c, steps, &have, params, m, v);
    if (st != GINV_OK) return st;
    c->step = have.step;
    c->last_loss = have.last_loss;
    if (have.tail_from == c->tail_from) {
        c->tail_sum = have.tail_sum, c->tail_n = have.tail_n;
    } else if (have.step > c->tail_from) {
        ginv_log(GINV_LOG_WARN, "resuming a run of another length: the final loss averages only the steps from %ld on",
                 have.step + 1);
    }
    if (have.step >= steps)
        ginv_log(GINV_LOG_WARN, "nothing left to train: %s is at step %ld and %ld steps were asked; its encoder is "
                 "written as it is", path, have.step, steps);
    else
        ginv_log(GINV_LOG_INFO, "resuming from %s at step %ld of %ld", path, have.step, steps);
    return GINV_OK;
}

ginv_status ginv_enc_ckpt_step(ginv_enc_ckpt *c, const char *path, long every, long steps, double loss,
                               const float *params, const float *m, const float *v)
{
    c->step++;
    c->last_loss = loss;
    if (c->step > c->tail_from) c->tail_sum += loss, c->tail_n++;
    if (!path || every <= 0 || (c->step % every && c->step != steps)) return GINV_OK;
    return ginv_enc_ckpt_save(path, c, params, m, v);
}

void ginv_enc_ckpt_run(ginv_enc_ckpt *c, const ginv_net *G, double beta, int batch, double lr, uint64_t seed)
{
    ginv_enc_ckpt_generator(c, G);
    c->beta = beta;
    c->batch = batch;
    c->lr = lr;
    c->seed = seed;
}

void ginv_enc_model_batch(ginv_net *G, ginv_net_ws *gws, int B, double beta, ginv_rng *r, float *z, float *x)
{
    size_t bk = (size_t)B * ginv_net_in(G), bn = (size_t)B * ginv_net_out(G);
    ginv_rng_normal_f32(r, z, bk, 1.0);
    const float *g = ginv_net_forward(G, gws, B, z);
    ginv_rng_normal_f32(r, x, bn, beta);
    for (size_t i = 0; i < bn; i++) x[i] += g[i];
}

ginv_status ginv_enc_train_loop(ginv_enc_ckpt *c, ginv_ctx *ctx, long steps, double lr, const char *path, long every,
                                float *params, float *m, float *v, size_t np, ginv_enc_step_fn step, void *user)
{
    ginv_status st = GINV_OK;
    for (long t = c->step + 1; st == GINV_OK && t <= steps; t++) {
        if (ginv_ctx_cancelled(ctx))
            return ginv_fail(GINV_ERR_CANCELLED, "cancelled after %ld of %ld encoder steps", t - 1, steps);
        double loss = NAN;
        const float *grad = NULL;
        if ((st = step(user, t, &loss, &grad)) != GINV_OK) break;
        ginv_adam_block(params, grad, m, v, np, lr, 0.9, 0.999, 1e-8, t);
        st = ginv_enc_ckpt_step(c, path, every, steps, loss, params, m, v);
        if (t % 50 == 0 || t == steps) ginv_progress("encoder steps", t, steps);
    }
    return st;
}
