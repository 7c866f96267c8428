/* experiment_cs_gen.c — the generator methods of `ginv experiment cs` beyond
 * CSGM: ILO and SGILO (Daras et al. 2021, 2022), each with the SGILO paper's
 * protocol (§4): per m, the method's hyper-parameters are tuned on 8 held-out
 * images (the last 8 test images, or 8 in-range truths of another seed), and
 * the curve point is the tuned setting on the experiment's images. ILO tunes
 * its radius over 1, 4, 16, inf; SGILO its prior weight over 0.1, 1 and its
 * automatic-step scale over 0.1, 0.5, starting from the tuned ILO. */
#include "cs_pipeline.h"
#include "experiment_cs_gen.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int excs_parse_generators(const char *C, const char *text, int *gen)
{
    int n = 0;
    for (const char *q = text; *q;) {
        size_t len = strcspn(q, ",");
        int m = len == 3 && !strncmp(q, "ilo", 3) ? GINV_CS_ILO : len == 5 && !strncmp(q, "sgilo", 5) ? GINV_CS_SGILO : -1;
        if (m < 0 || n >= 2 || (n && gen[0] == m)) {
            cli_usage_error(C, "--generators '%s': expected ilo, sgilo or ilo,sgilo", text);
            return -1;
        }
        gen[n++] = m;
        q += len;
        if (*q == ',') q++;
    }
    return n;
}

/* One run of the method on images: its mean MSE (and CI, seconds). */
static int one(const char *C, ginv_net *net, const ginv_images *im, cs_config *cfg, int method, double *mean,
               double *ci, double *secs)
{
    cs_result res;
    cfg->nmethods = 1, cfg->methods[0] = method;
    int code = cs_run(C, net, im, cfg, &res);
    if (code) return code;
    cs_summary(&res, method, mean, ci);
    if (secs) *secs = res.seconds[method];
    cs_result_release(&res);
    return 0;
}

int excs_run_generator(const char *C, ginv_net *net, const char *model, const ginv_images *truth,
                       const ginv_images *held, cs_config *cfg, int method, int layer, excs_cell *out)
{
    static const double radii[4] = {1, 4, 16, INFINITY}, weights[2] = {0.1, 1}, scales[2] = {0.1, 0.5};
    ginv_ilo_opts_init(&cfg->ilo);
    cfg->ilo.layer = layer, cfg->ilo.iters = 300;
    double best = INFINITY, m_, c_;
    int code = 0;
    out->radius = 1;
    for (int i = 0; !code && i < 4; i++) { /* ILO's radius (SGILO starts from the tuned ILO) */
        cfg->ilo.radius = radii[i];
        code = one(C, net, held, cfg, GINV_CS_ILO, &m_, &c_, NULL);
        if (!code && m_ < best) best = m_, out->radius = radii[i];
    }
    cfg->ilo.radius = out->radius;
    out->weight = out->scale = NAN;
    if (!code && method == GINV_CS_SGILO) {
        ginv_sgilo_opts_init(&cfg->sgilo);
        ginv_sgilo_opts *o = &cfg->sgilo;
        o->layer = layer, o->chains = 2, o->sigma = cfg->noise, o->precond = GINV_PRECOND_LAPLACE;
        o->t_score = 0.05, o->start = GINV_SGILO_START_ILO, o->ilo = cfg->ilo;
        cfg->score_path = model, cfg->samples = 0;
        best = INFINITY;
        for (int i = 0; !code && i < 4; i++) {
            o->prior_weight = weights[i / 2], o->step_scale = scales[i % 2];
            code = one(C, net, held, cfg, GINV_CS_SGILO, &m_, &c_, NULL);
            if (!code && m_ < best) best = m_, out->weight = o->prior_weight, out->scale = o->step_scale;
        }
        o->prior_weight = out->weight, o->step_scale = out->scale;
    }
    if (!code) code = one(C, net, truth, cfg, method, &out->mean, &out->ci, &out->seconds);
    return code;
}
