/* cs_sgilo.c — SGILO as a method of `ginv cs` (Daras et al. 2022 §2, §4):
 * the score prior from the model file (or --score), Langevin in the input of
 * --layer started at ILO's answer, the posterior mean as the reconstruction,
 * its per-pixel std and draws beside it. */
#include "cs_pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cs_sgilo_configure(const ginv_cs_params *p, cs_config *cfg)
{
    ginv_sgilo_opts *o = &cfg->sgilo;
    ginv_sgilo_opts_init(o);
    o->ilo = cfg->ilo; /* the start: ILO with cs's stages; SGILO runs at the last one's layer */
    o->layer = cfg->ilo.nstages ? cfg->ilo.layers[cfg->ilo.nstages - 1] : cfg->ilo.layer;
    o->chains = p->sgilo_chains, o->burn = p->sgilo_burn, o->draws = p->sgilo_draws;
    o->step = p->sgilo_step, o->step_scale = p->sgilo_step_scale;
    o->sigma = p->noise;
    o->prior_weight = p->sgilo_prior_weight, o->temperature = p->sgilo_temperature;
    o->mode = p->sgilo_sdedit > 0 ? GINV_SGILO_SDEDIT : GINV_SGILO_DIRECT;
    o->t_score = p->sgilo_t, o->t_sdedit = p->sgilo_t, o->sdedit_steps = p->sgilo_sdedit > 0 ? p->sgilo_sdedit : 1;
    o->precond = p->sgilo_precond && !strcmp(p->sgilo_precond, "none") ? GINV_PRECOND_NONE : GINV_PRECOND_LAPLACE;
    o->start = p->sgilo_start && !strcmp(p->sgilo_start, "prior") ? GINV_SGILO_START_PRIOR : GINV_SGILO_START_ILO;
    cfg->score_path = p->score ? p->score : p->model;
}

int cs_run_sgilo(const char *C, ginv_net *net, const ginv_op *op, int N, const float *Y,
                 const cs_config *cfg, float *X, cs_result *res)
{
    ginv_score *sc = NULL;
    if (!cfg->score_path || ginv_score_load(cfg->score_path, &sc) != GINV_OK)
        return cli_error_code(C, CLI_EXIT_FORMAT, "sgilo: %s (train a prior with 'ginv train score --model M "
                              "--layer L -o FILE', then give --model FILE or --score FILE)",
                              cfg->score_path ? ginv_last_error() : "no score file");
    ginv_sgilo_opts o = cfg->sgilo;
    int L = ginv_score_get_arch(sc)->layer;
    if (L && L != o.layer) {
        ginv_score_free(sc);
        return cli_usage_error(C, "sgilo: the score prior in %s is for layer %d but --layer is %d; give --layer %d",
                               cfg->score_path, L, o.layer, L);
    }
    o.ilo.csgm = cfg->csgm;
    o.ilo.csgm.ctx = NULL;
    o.ilo.lr = cfg->csgm.lr;
    o.keep = cfg->samples;
    o.seed = cfg->seed, o.threads = cfg->threads, o.ctx = cfg->csgm.ctx;
    ginv_score_prior pr;
    ginv_score_prior_of(sc, &pr);
    ginv_sgilo_result r;
    ginv_status st = ginv_sgilo_run(net, op, N, Y, &pr, &o, &r);
    ginv_score_free(sc);
    if (st != GINV_OK) return cli_fail(C, "sgilo: %s", ginv_last_error());
    int n = r.n, code = 0;
    memcpy(X, r.mean_x, (size_t)N * n * sizeof(float));
    res->sgilo_std = malloc((size_t)N * n * sizeof(float));
    res->sgilo_rhat = malloc((size_t)N * sizeof(double));
    res->sgilo_ess = malloc((size_t)N * sizeof(double));
    res->sgilo_step = malloc((size_t)N * sizeof(double));
    res->sgilo_draws = o.keep ? malloc((size_t)N * o.keep * n * sizeof(float)) : NULL;
    if (!res->sgilo_std || !res->sgilo_rhat || !res->sgilo_ess || !res->sgilo_step || (o.keep && !res->sgilo_draws))
        code = cli_oom(C);
    else {
        memcpy(res->sgilo_std, r.std_x, (size_t)N * n * sizeof(float));
        memcpy(res->sgilo_rhat, r.max_rhat, (size_t)N * sizeof(double));
        memcpy(res->sgilo_ess, r.min_ess_bulk, (size_t)N * sizeof(double));
        memcpy(res->sgilo_step, r.step, (size_t)N * sizeof(double));
        if (o.keep) memcpy(res->sgilo_draws, r.x_draws, (size_t)N * o.keep * n * sizeof(float));
        res->sgilo_grad_evals = r.grad_evals, res->sgilo_score_evals = r.score_evals;
    }
    ginv_sgilo_result_release(&r);
    return code;
}

int cs_write_std_grid(const char *C, const char *path, const cs_result *res, int maxcols, int scale)
{
    int cols = res->N < maxcols ? res->N : maxcols, n = res->n;
    float *t = malloc((size_t)cols * n * sizeof(float));
    if (!t) return cli_oom(C);
    float mx = 0;
    for (size_t q = 0; q < (size_t)cols * n; q++) mx = res->sgilo_std[q] > mx ? res->sgilo_std[q] : mx;
    for (size_t q = 0; q < (size_t)cols * n; q++) t[q] = mx > 0 ? res->sgilo_std[q] / mx : 0;
    char title[96];
    snprintf(title, sizeof title, "SGILO posterior std per pixel (white = %.3g)", mx);
    const char *rl[1] = {"std"};
    ginv_grid_style gs;
    ginv_grid_style_init(&gs);
    gs.scale = scale, gs.row_labels = rl, gs.title = title;
    ginv_status st = ginv_png_write_grid_styled(path, 1, cols, res->h, res->w, t, &gs);
    free(t);
    return st == GINV_OK ? 0 : cli_fail(C, "%s", ginv_last_error());
}
