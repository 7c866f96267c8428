/* encoder_dlg_train.c — `ginv encoder train --arch dlg`: an amortised deep
 * latent Gaussian encoder (Pareek & Risteski 2021, Definition 2) of L layers
 * of width H, trained with G frozen by Adam on the semi-implicit variational
 * bound L_K (Yin & Zhou 2018; ginv_dlg_train), saved as a DLG file for
 * `ginv encoder sample` and `ginv encoder distance` (docs/encoders.md). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void json_run(const char *C, const cli_dlg_train_args *a, const ginv_dlg *E, const ginv_net *G, double fb,
                     int *rc)
{
    cJSON *doc = cli_json_new(C);
    cJSON *p = cJSON_AddObjectToObject(doc, "params");
    cJSON_AddStringToObject(p, "model", a->model);
    cJSON_AddNumberToObject(p, "beta", a->beta);
    cJSON_AddStringToObject(p, "arch", "dlg");
    cJSON_AddNumberToObject(p, "layers", a->layers);
    cJSON_AddNumberToObject(p, "hidden", a->hidden);
    cJSON_AddStringToObject(p, "act", a->act_s);
    cJSON_AddNumberToObject(p, "sivi_k", a->sivi_k);
    cJSON_AddNumberToObject(p, "steps", a->steps);
    cJSON_AddNumberToObject(p, "batch", a->batch);
    cJSON_AddNumberToObject(p, "lr", a->lr);
    cJSON_AddNumberToObject(p, "seed", (double)a->seed);
    cJSON_AddNumberToObject(p, "checkpoint_every", a->ckpt_every);
    cJSON_AddBoolToObject(p, "resume", a->resume);
    cJSON_AddStringToObject(doc, "file", a->out);
    cJSON_AddNumberToObject(doc, "parameters", (double)ginv_dlg_nparams(E));
    cJSON_AddNumberToObject(doc, "generator_parameters", (double)ginv_net_nparams(G));
    cJSON_AddItemToObject(doc, "final_bound", cli_json_num(fb));
    *rc = cli_json_write(C, doc, a->json);
    cJSON_Delete(doc);
}

int cli_encoder_train_dlg(const char *C, const cli_dlg_train_args *a)
{
    cli_install_callbacks(a->quiet);
    ginv_layer_kind act;
    if (ginv_layer_kind_parse(a->act_s, &act) != GINV_OK || !ginv_layer_is_act(act) || act == GINV_LAYER_SIGN)
        return cli_usage_error(C, "--act '%s' is not a differentiable activation (relu, tanh, softplus, ...)", a->act_s);
    ginv_net *G = NULL;
    ginv_dlg *E = NULL;
    ginv_status st = ginv_net_load(a->model, &G);
    if (st == GINV_OK)
        st = ginv_dlg_new_mlp(&E, ginv_net_out(G), ginv_net_in(G), a->layers, a->hidden, act, 0.2, 0.5, a->seed);
    if (st == GINV_OK && !a->quiet)
        printf("deep latent Gaussian %d -> %d: %d layers of width %d, N' = %zu parameters (G: %zu)\n", ginv_dlg_in(E),
               ginv_dlg_out(E), a->layers, a->hidden, ginv_dlg_nparams(E), ginv_net_nparams(G));
    ginv_dlg_train_opts o;
    ginv_dlg_train_opts_init(&o);
    o.steps = a->steps, o.batch = a->batch, o.K = a->sivi_k, o.lr = a->lr, o.seed = a->seed;
    o.threads = cli_threads(a->threads), o.ctx = cli_run_ctx();
    o.checkpoint = a->ckpt, o.checkpoint_every = a->ckpt_every, o.resume = a->resume;
    double fb = NAN;
    if (st == GINV_OK) st = ginv_dlg_train(E, G, a->beta, &o, &fb);
    if (st == GINV_OK) st = ginv_dlg_save(E, a->out);
    int rc = 0;
    if (st != GINV_OK) {
        rc = cli_lib_error(C, st);
    } else {
        if (!a->quiet)
            printf("SIVI bound L_%d (a lower bound on log p(x)) over the last tenth of %d steps: %.4f -> %s\n", a->sivi_k,
                   a->steps, fb, a->out);
        if (a->json) json_run(C, a, E, G, fb, &rc);
    }
    ginv_dlg_free(E);
    ginv_net_free(G);
    return rc;
}
