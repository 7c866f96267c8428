/* cs_params.c — `cs`'s parameter table and check, its method names and its
 * operator (compressed sensing on images, Bora et al. 2017: CSGM, eq. (2),
 * against the Lasso in a sparsifying basis). `ginv cs`, `ginv experiment
 * cs`, the demo and the sweep's cs units read the same rows, so one
 * parameter set means one problem everywhere. */
#include "ginv.h"
#include "base/check_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define F(x) offsetof(ginv_cs_params, x)
static const ginv_param_def cs_defs[] = {
    {"model", GINV_PARAM_STRING, F(model), "FILE", "the generator (e.g. a VAE from 'ginv train vae'); needed by csgm and --in-range", NULL, 0, 0, NULL},
    {"data", GINV_PARAM_STRING, F(data), "SPEC", "the true images: fashion-mnist:test[a:b], idx:FILE[a:b], or PNG/PGM files", "fashion-mnist:test[0:16]", 0, 0, NULL},
    {"op", GINV_PARAM_STRING, F(op), "SPEC", GINV_OP_HELP, "gaussian-unit", 0, 0, NULL},
    {"m", GINV_PARAM_INT, F(m), "M", GINV_M_HELP, "100", 1, 1 << 24, NULL},
    {"noise", GINV_PARAM_DOUBLE, F(noise), "SIGMA", "std of the Gaussian noise added to each measurement (0.1: Bora et al.'s setup, where recover's 0 is the noiseless theory)", "0.1", 0, 1e6, NULL},
    {"method", GINV_PARAM_STRING, F(method), "LIST", "comma list of csgm, lasso-pixel, lasso-dct, lasso-wavelet (Haar), lasso-db4, ilo (CSGM, then the intermediate layer --layer), hio (hybrid input-output, then error reduction) and er (error reduction), the last two for --op phaseless-fourier only", "csgm,lasso-dct", 0, 0, NULL},
    {"lambda", GINV_PARAM_DOUBLE, F(lambda), "L", "CSGM: weight of the prior term lambda ||z||^2 in ||A G(z) - y||^2 + lambda ||z||^2 (0.1: Bora et al.'s, with their noise)", "0.1", 0, 1e6, NULL},
    {"restarts", GINV_PARAM_INT, F(restarts), "R", "CSGM: random starts per image (the lowest loss is kept)", "10", 1, 1 << 16, NULL},
    {"iters", GINV_PARAM_INT, F(iters), "T", "CSGM: Adam iterations", "1000", 0, 1 << 24, NULL},
    {"lr", GINV_PARAM_DOUBLE, F(lr), "ETA", "CSGM: Adam learning rate", "0.01", 1e-300, 1e3, NULL},
    {"lasso-lambda", GINV_PARAM_DOUBLE, F(lasso_lambda), "L", "Lasso: the l1 weight (default: tuned on --tune-data)", NULL, 0, 1e6, NULL},
    {"lasso-iters", GINV_PARAM_INT, F(lasso_iters), "T", "Lasso: FISTA iterations", "500", 1, 1 << 24, NULL},
    {"layer", GINV_PARAM_INT, F(layer), "L", "ILO: optimise the input of layer L (G = G2 o G1, G1 = layers before L; docs/ilo.md)", "1", 1, 255, NULL},
    {"ilo-radius", GINV_PARAM_DOUBLE, F(ilo_radius), "R", "ILO: l1 radius of the allowed deviation h - G1(z-hat)", "1", 0, 1e6, NULL},
    {"ilo-iters", GINV_PARAM_INT, F(ilo_iters), "T", "ILO: Adam iterations on h after CSGM's", "300", 0, 1 << 24, NULL},
    {"pr-iters", GINV_PARAM_INT, F(pr_iters), "T", "hio, er: iterations of HIO (then --er-iters of ER) or of ER (Fienup 1982)", "500", 0, 1 << 24, NULL},
    {"er-iters", GINV_PARAM_INT, F(er_iters), "T", "hio: error-reduction iterations after HIO's", "100", 0, 1 << 24, NULL},
    {"hio-beta", GINV_PARAM_DOUBLE, F(hio_beta), "B", "hio: the feedback beta of hybrid input-output", "0.9", 1e-6, 2, NULL},
    {"pr-restarts", GINV_PARAM_INT, F(pr_restarts), "R", "hio, er: random starts per image (the smallest magnitude residual is kept)", "10", 1, 1 << 20, NULL},
};
#undef F

const ginv_param_table ginv_cs_table = {"cs", cs_defs, (int)(sizeof cs_defs / sizeof cs_defs[0]),
                                        sizeof(ginv_cs_params), NULL};

void ginv_cs_params_init(ginv_cs_params *p)
{
    if (p) ginv_param_defaults(&ginv_cs_table, p);
}

static const char *const method_names[GINV_CS_NMETHODS] = {"csgm", "lasso-pixel", "lasso-dct",
                                                          "lasso-wavelet", "lasso-db4", "ilo",
                                                          "hio", "er"};
static const ginv_basis method_basis[GINV_CS_NMETHODS] = {GINV_BASIS_PIXEL, GINV_BASIS_PIXEL,
                                                         GINV_BASIS_DCT, GINV_BASIS_HAAR,
                                                         GINV_BASIS_DB4, GINV_BASIS_PIXEL,
                                                         GINV_BASIS_PIXEL, GINV_BASIS_PIXEL};

const char *ginv_cs_method_name(int m) { return m >= 0 && m < GINV_CS_NMETHODS ? method_names[m] : NULL; }
ginv_basis ginv_cs_method_basis(int m) { return m >= 0 && m < GINV_CS_NMETHODS ? method_basis[m] : GINV_BASIS_PIXEL; }

/* The Lasso and ILO fit y = A x + e only; hio and er need phaseless-fourier.
 * An op text that does not parse is left to ginv_cs_op, which names it. */
static ginv_status methods_fit_op(const ginv_cs_params *p, const int *list, int n)
{
    int linear_only = -1, pr = -1;
    for (int i = 0; i < n; i++) {
        if (list[i] == GINV_CS_HIO || list[i] == GINV_CS_ER) pr = list[i];
        else if (list[i] != GINV_CS_CSGM && linear_only < 0) linear_only = list[i];
    }
    if (linear_only < 0 && pr < 0) return GINV_OK;
    ginv_op_spec spec;
    if (ginv_op_spec_parse(&spec, p->op, p->m) != GINV_OK) {
        ginv_clear_error();
        return GINV_OK;
    }
    ginv_link link = ginv_op_spec_link(&spec);
    int pf = spec.kind == GINV_OPK_PHASELESS_FOURIER;
    ginv_op_spec_release(&spec);
    if (linear_only >= 0 && link != GINV_LINK_LINEAR)
        return ginv_fail(GINV_ERR_ARG, "parameter 'method': %s needs a linear operator (y = A x + "
                         "noise) but --op '%s' measures %s; use csgm%s", method_names[linear_only],
                         p->op, link == GINV_LINK_SIGN ? "signs" : "magnitudes",
                         pf ? ", hio or er" : "");
    if (pr >= 0 && !pf)
        return ginv_fail(GINV_ERR_ARG, "parameter 'method': %s (Fourier phase retrieval) needs "
                         "--op phaseless-fourier[:K], not '%s'", method_names[pr], p->op);
    return GINV_OK;
}

ginv_status ginv_cs_check(const ginv_cs_params *p, int *methods, int *count)
{
    GINV_NONNULL(p);
    ginv_status st = ginv_param_validate(&ginv_cs_table, p);
    if (st != GINV_OK) return st;
    if (!p->op || !p->data || !p->method)
        return ginv_fail(GINV_ERR_ARG, "parameters 'op', 'data' and 'method' need values");
    int list[GINV_CS_NMETHODS], n = 0, csgm = 0;
    for (const char *q = p->method; *q;) {
        size_t len = strcspn(q, ",");
        int found = -1;
        for (int i = 0; i < GINV_CS_NMETHODS; i++)
            if (strlen(method_names[i]) == len && !strncmp(q, method_names[i], len)) found = i;
        if (found < 0)
            return ginv_fail(GINV_ERR_ARG, "parameter 'method': unknown method '%.*s' (use csgm, lasso-pixel, "
                                           "lasso-dct, lasso-wavelet (Haar), lasso-db4, ilo, hio or er)", (int)len, q);
        for (int i = 0; i < n; i++)
            if (list[i] == found)
                return ginv_fail(GINV_ERR_ARG, "parameter 'method': '%s' is listed twice", method_names[found]);
        list[n++] = found;
        csgm |= found == GINV_CS_CSGM || found == GINV_CS_ILO; /* both need a generator */
        q += len;
        if (*q == ',') q++;
    }
    if (!n) return ginv_fail(GINV_ERR_ARG, "parameter 'method': no method given");
    if (csgm && !p->model) return ginv_fail(GINV_ERR_ARG, "parameter 'model' is required for methods csgm and ilo");
    if ((st = methods_fit_op(p, list, n)) != GINV_OK) return st;
    if (methods) memcpy(methods, list, sizeof(int) * (size_t)n);
    if (count) *count = n;
    return GINV_OK;
}

ginv_status ginv_cs_op(const ginv_cs_params *p, int c, int h, int w, uint64_t seed, ginv_op **out)
{
    GINV_NONNULL(out);
    *out = NULL;
    GINV_NONNULL(p);
    GINV_NONNULL(p->op);
    if (c < 1 || h < 1 || w < 1) return ginv_fail(GINV_ERR_ARG, "ginv_cs_op: image %dx%dx%d", c, h, w);
    ginv_op_spec spec;
    ginv_status st = ginv_op_spec_parse(&spec, p->op, p->m);
    if (st != GINV_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", ginv_last_error());
        return ginv_fail(st, "parameter 'op' '%s': %s", p->op, msg);
    }
    if (!spec.c) spec.c = c, spec.h = h, spec.w = w;
    st = ginv_op_from_spec(out, &spec, c * h * w, seed, 0);
    ginv_op_spec_release(&spec);
    return st;
}
