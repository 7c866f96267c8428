/* posterior.c — the energy the chains sample, for a batch of latents:
 *     U(z) = ||A G(z) - y||^2 / (2 sigma^2) + prior(z),   pi(z) ∝ exp(-beta U(z)),
 * (phaseless operators: || |A G(z)| - y ||^2 / (2 sigma^2), the amplitude
 * Gaussian likelihood, with |.| the complex modulus of each pair for
 * phaseless-fourier (the objective's CABS term); 1-bit: the probit -sum_i log Phi(y_i (A G(z))_i / sigma)),
 * built on the objective f(z) = 1/2||A G(z) - y||^2 + lambda ||z||^2: with
 * lambda = sigma^2/2 (gaussian prior 1/2||z||^2) or 0 (uniform, none),
 * U = f / sigma^2 and grad U = grad f / sigma^2. With A = I, sigma = beta_PR
 * and the gaussian prior this is Pareek & Risteski's L(z) (eq. 3).
 * ginv_posterior_new_energy: U and grad U from the caller's function instead
 * (no generator, operator or measurements; e.g. Neal's funnel, Neal 2003,
 * "Slice sampling", sec. 8, the test of docs/sampling.md). */
#include "sample/sampler_internal.h"
#include "base/check_internal.h"
#include "infer/objective_internal.h"

#include <math.h>
#include <string.h>

struct ginv_posterior {
    ginv_objective *obj;
    ginv_net *net;
    const ginv_op *op;
    float *y;         /* (ny, m) copy, for the GD stage */
    int ny;
    ginv_prior prior;
    double sigma;
    int k, cap;
    ginv_energy_fn energy; /* a caller's energy instead of the objective, or NULL */
    void *user;
};

static const char *const prior_names[] = {"gaussian", "uniform", "none"};

/* The prior's name as the CLI spells it (--prior). */
const char *ginv_prior_name(ginv_prior p)
{
    return (unsigned)p < 3 ? prior_names[p] : "?";
}

/* Parse "gaussian", "uniform" or "none". */
ginv_status ginv_prior_parse(const char *name, ginv_prior *out)
{
    GINV_NONNULL(name);
    GINV_NONNULL(out);
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, prior_names[i])) {
            *out = (ginv_prior)i;
            return GINV_OK;
        }
    return ginv_fail(GINV_ERR_ARG, "unknown prior '%s': use gaussian, uniform or none", name);
}

/* U = f / sigma^2 with f the objective at lambda = sigma^2/2 (gaussian) or 0. */
ginv_status ginv_posterior_new(ginv_posterior **out, ginv_net *net, const ginv_op *op,
                               const float *y, int ny, double sigma, ginv_prior prior, int B)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(net);
    GINV_NONNULL(op);
    GINV_NONNULL(y);
    if (!(sigma > 0) || !isfinite(sigma))
        return ginv_fail(GINV_ERR_ARG, "the likelihood's noise level sigma %g must be positive "
                                       "and finite (give --sigma or --noise)", sigma);
    if ((unsigned)prior > GINV_PRIOR_NONE)
        return ginv_fail(GINV_ERR_ARG, "unknown prior %d", (int)prior);
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "posterior batch %d must be at least 1", B);
    ginv_posterior *p = ginv_calloc(1, sizeof *p);
    if (!p) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    double lambda = prior == GINV_PRIOR_GAUSSIAN ? 0.5 * sigma * sigma : 0.0;
    ginv_status st = ginv_objective_new(&p->obj, net, op, y, ny, lambda, B);
    if (st != GINV_OK) {
        ginv_free(p);
        return st;
    }
    /* 1-bit: the probit likelihood of y = sign(A x + e), e ~ N(0, sigma^2) */
    if (ginv_op_link(op) == GINV_LINK_SIGN) ginv_objective_set_probit(p->obj, sigma);
    size_t ylen = (size_t)ny * ginv_op_m(op);
    p->y = ginv_malloc(ylen * sizeof(float));
    if (!p->y) {
        ginv_posterior_free(p);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    }
    memcpy(p->y, y, ylen * sizeof(float));
    p->ny = ny;
    p->net = net;
    p->op = op;
    p->prior = prior;
    p->sigma = sigma;
    p->k = ginv_net_in(net);
    p->cap = B;
    *out = p;
    return GINV_OK;
}

ginv_status ginv_posterior_new_energy(ginv_posterior **out, int k, ginv_energy_fn energy,
                                      void *user, int B)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(energy);
    if (k < 1) return ginv_fail(GINV_ERR_ARG, "latent size %d must be at least 1", k);
    if (B < 1) return ginv_fail(GINV_ERR_ARG, "posterior batch %d must be at least 1", B);
    ginv_posterior *p = ginv_calloc(1, sizeof *p);
    if (!p) return ginv_fail(GINV_ERR_NOMEM, "out of memory");
    p->energy = energy;
    p->user = user;
    p->ny = 1; /* no measurements: one (empty) row, shared by every chain */
    p->prior = GINV_PRIOR_NONE;
    p->sigma = NAN;
    p->k = k;
    p->cap = B;
    *out = p;
    return GINV_OK;
}

int ginv_posterior_has_generator(const ginv_posterior *p) { return p->energy == NULL; }

void ginv_posterior_free(ginv_posterior *p)
{
    if (!p) return;
    ginv_objective_free(p->obj);
    ginv_free(p->y);
    ginv_free(p);
}

int ginv_posterior_k(const ginv_posterior *p) { return p->k; }
double ginv_posterior_sigma(const ginv_posterior *p) { return p->sigma; }
int ginv_posterior_cap(const ginv_posterior *p) { return p->cap; }
ginv_prior ginv_posterior_prior(const ginv_posterior *p) { return p->prior; }
ginv_objective *ginv_posterior_objective(ginv_posterior *p) { return p->obj; }
ginv_net *ginv_posterior_net(const ginv_posterior *p) { return p->net; }
const ginv_op *ginv_posterior_op(const ginv_posterior *p) { return p->op; }
const float *ginv_posterior_y(const ginv_posterior *p, int *ny)
{
    *ny = p->ny;
    return p->y;
}

/* U and grad U for a batch: one objective evaluation scaled by 1/sigma^2. */
ginv_status ginv_posterior_eval(ginv_posterior *p, int B, const float *z, double *U, float *grad)
{
    GINV_NONNULL(p);
    GINV_NONNULL(z);
    GINV_NONNULL(U);
    if (p->energy) {
        if (B < 1 || B > p->cap)
            return ginv_fail(GINV_ERR_ARG, "batch %d outside the posterior's 1 .. %d", B, p->cap);
        return p->energy(p->user, B, p->k, z, U, grad);
    }
    ginv_status st = ginv_objective_eval(p->obj, B, z, U, grad);
    if (st != GINV_OK) return st;
    double s2 = 1.0 / (p->sigma * p->sigma);
    for (int b = 0; b < B; b++) U[b] *= s2;
    if (grad) {
        float g = (float)s2;
        for (size_t i = 0; i < (size_t)B * p->k; i++) grad[i] *= g;
    }
    return GINV_OK;
}

ginv_status ginv_posterior_eval_rows(ginv_posterior *p, int B, const int *rows, const float *z,
                                     double *U, float *grad)
{
    GINV_NONNULL(p);
    if (p->energy) return ginv_posterior_eval(p, B, z, U, grad);
    ginv_objective_set_rows(p->obj, rows);
    ginv_status st = ginv_posterior_eval(p, B, z, U, grad);
    ginv_objective_set_rows(p->obj, NULL);
    return st;
}
