/* cs_pipeline.h — compressed sensing on images, shared by `ginv cs`,
 * `ginv experiment cs` and `ginv demo`: measure a batch of images with one
 * operator, reconstruct them with CSGM and the Lasso baselines (for Fourier
 * phase retrieval: HIO and ER), score each reconstruction (per-pixel MSE,
 * up to the operator's trivial ambiguities for a nonlinear one; PSNR). */
#ifndef GINV_CS_PIPELINE_H
#define GINV_CS_PIPELINE_H

#include "cli.h"

/* the methods, in the library's order (ginv_cs_method_name) */
enum { CS_CSGM = GINV_CS_CSGM, CS_NMETHODS = GINV_CS_NMETHODS };
/* "csgm,lasso-dct" -> methods (in order given); returns the count or -1. */
int cs_parse_methods(const char *cmd, const char *text, int *methods);

typedef struct {
    const char *op;            /* operator text: gaussian, subsample, inpaint-box[:..],
                                  downsample:F, identity */
    int m;                     /* measurements (gaussian, subsample) */
    double noise;              /* sigma per measurement */
    int nmethods, methods[CS_NMETHODS];
    ginv_csgm_opts csgm;       /* lambda in the CSGM paper's convention */
    ginv_ilo_opts ilo;         /* ilo: its stages and fix_z (ginv_cs_ilo_opts); cs_run sets
                                  csgm, lr, threads and ctx from csgm */
    ginv_sgilo_opts sgilo;     /* sgilo (its layer and ILO start: ilo's last stage) */
    const char *score_path;    /* sgilo: the file with the score prior */
    int samples;               /* sgilo: posterior draws of x kept per image */
    ginv_pr_opts pr;           /* hio, er: Fienup's algorithms (algo set per method) */
    double lasso_lambda;       /* > 0: fixed; else tuned on `tune` */
    int lasso_iters;
    const ginv_images *tune;   /* held-out images for the Lasso's lambda, or NULL */
    int nlambdas;              /* the tuning grid: logspace(1e-5, 1, nlambdas) */
    uint64_t seed;
    int threads;
} cs_config;

typedef struct {
    int N, n, h, w, m;
    float *y;                        /* N x m: the measurements */
    float *view;                     /* N x n: an image of what was measured (NaN: unseen) */
    float *xhat[CS_NMETHODS];        /* N x n, NULL for methods not run */
    double *mse[CS_NMETHODS];        /* N */
    float *shown[CS_NMETHODS];       /* N x n for the grid: xhat moved onto the truth by
                                        ginv_op_align (phaseless-fourier), else NULL */
    double lambda[CS_NMETHODS];      /* the lambda used (Lasso: tuned) */
    double seconds[CS_NMETHODS];
    /* sgilo's posterior: per-pixel std (N x n), kept draws (N x samples x n),
     * per image the worst R-hat, the smallest bulk ESS and the step */
    float *sgilo_std, *sgilo_draws;
    double *sgilo_rhat, *sgilo_ess, *sgilo_step;
    long sgilo_grad_evals, sgilo_score_evals;
    const char *error_metric;        /* "mse", or up to the operator's ambiguities:
                                        "mse-up-to-sign[-shift-flip]", "mse-up-to-scale" */
} cs_result;

/* Runs every method of cfg on the images (the truth). 0 or an exit code
 * (the error printed). */
int cs_run(const char *cmd, ginv_net *net, const ginv_images *truth, const cs_config *cfg,
           cs_result *res);
void cs_result_release(cs_result *res);
/* SGILO on the N images' measurements Y (cs_sgilo.c): the posterior mean
 * into X, its std, draws and diagnostics into res. 0 or an exit code. */
int cs_run_sgilo(const char *cmd, ginv_net *net, const ginv_op *op, int N, const float *Y,
                 const cs_config *cfg, float *X, cs_result *res);
/* sgilo's options from the cs parameters (the start's ILO from the ILO and
 * CSGM ones). */
void cs_sgilo_configure(const ginv_cs_params *p, cs_config *cfg);
/* Mean and 1.96 standard errors of a method's per-pixel MSE. */
void cs_summary(const cs_result *res, int method, double *mean, double *ci95);
/* Grid PNG (phase retrieval: each reconstruction as res->shown, aligned):
 * a column per image (at most maxcols, labelled #0, #1, ..), rows
 * truth, the view of y (labelled by the operator `op`: A^T y, observed, ..),
 * each method run (labelled by its name), under `title` (may be NULL); tiles
 * upscaled `scale` times. */
int cs_write_grid(const char *cmd, const char *path, const ginv_images *truth,
                  const cs_result *res, int maxcols, int scale, const char *op, const char *title);
/* sgilo's per-pixel posterior std as a grid (one row, each image's map
 * scaled by the largest std of all, which the title gives). */
int cs_write_std_grid(const char *cmd, const char *path, const cs_result *res, int maxcols, int scale);
/* The default --png-scale of the image grids. */
#define CS_PNG_SCALE 3

/* The in-range truth: N images x_i = G(z_i), z_i ~ N(0, I) from stream
 * (seed, GINV_STREAM_TRUTH, i), shaped s x s when n = s^2. 0 or an exit code. */
int cs_in_range_truth(const char *cmd, ginv_net *net, int N, uint64_t seed, ginv_images *im);

#endif
