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
#include <stdlib.h>
#include <string.h>

#define F(x) offsetof(ginv_cs_params, x)
static const ginv_param_def cs_defs[] = {
    {"model", GINV_PARAM_STRING, F(model), "FILE", "the generator (e.g. a VAE from 'ginv train vae'); needed by csgm and --in-range", NULL, 0, 0, NULL},
    {"data", GINV_PARAM_STRING, F(data), "SPEC", "the true images: fashion-mnist:test[a:b], idx:FILE[a:b], or PNG/PGM files", "fashion-mnist:test[0:16]", 0, 0, NULL},
    {"op", GINV_PARAM_STRING, F(op), "SPEC", GINV_OP_HELP, "gaussian-unit", 0, 0, NULL},
    {"m", GINV_PARAM_INT, F(m), "M", GINV_M_HELP, "100", 1, 1 << 24, NULL},
    {"noise", GINV_PARAM_DOUBLE, F(noise), "SIGMA", "std of the Gaussian noise added to each measurement (0.1: Bora et al.'s setup, where recover's 0 is the noiseless theory)", "0.1", 0, 1e6, NULL},
    {"method", GINV_PARAM_STRING, F(method), "LIST", "comma list of csgm, lasso-pixel, lasso-dct, lasso-wavelet (Haar), lasso-db4, ilo (CSGM, then the intermediate layer(s) --layer), sgilo (Langevin there with a score prior), hio (hybrid input-output, then error reduction) and er (error reduction), the last two for --op phaseless-fourier only", "csgm,lasso-dct", 0, 0, NULL},
    {"lambda", GINV_PARAM_DOUBLE, F(lambda), "L", "CSGM: weight of the prior term lambda ||z||^2 in ||A G(z) - y||^2 + lambda ||z||^2 (0.1: Bora et al.'s, with their noise)", "0.1", 0, 1e6, NULL},
    {"restarts", GINV_PARAM_INT, F(restarts), "R", "CSGM: random starts per image (the lowest loss is kept)", "10", 1, 1 << 16, NULL},
    {"iters", GINV_PARAM_INT, F(iters), "T", "CSGM: Adam iterations", "1000", 0, 1 << 24, NULL},
    {"lr", GINV_PARAM_DOUBLE, F(lr), "ETA", "CSGM: Adam learning rate", "0.01", 1e-300, 1e3, NULL},
    {"lasso-lambda", GINV_PARAM_DOUBLE, F(lasso_lambda), "L", "Lasso: the l1 weight (default: tuned on --tune-data)", NULL, 0, 1e6, NULL},
    {"lasso-iters", GINV_PARAM_INT, F(lasso_iters), "T", "Lasso: FISTA iterations", "500", 1, 1 << 24, NULL},
    {"layer", GINV_PARAM_STRING, F(layer), "L1,L2,..", "ILO: the split layers, one stage each (G = G2 o G1, G1 = the layers before L; increasing; docs/ilo.md)", "1", 0, 0, NULL},
    {"ilo-radius", GINV_PARAM_STRING, F(ilo_radius), "R1,R2,..", "ILO: l1 radius of each stage's deviation d at its layer (inf: none; one value: every stage)", "1", 0, 0, NULL},
    {"ilo-iters", GINV_PARAM_STRING, F(ilo_iters), "T1,T2,..", "ILO: Adam iterations of each stage after CSGM's (one value: every stage)", "300", 0, 0, NULL},
    {"ilo-fix-z", GINV_PARAM_FLAG, F(ilo_fix_z), NULL, "ILO: keep z (and each later stage's start) fixed, only the deviation moves (default: z free)", NULL, 0, 1, NULL},
    {"score", GINV_PARAM_STRING, F(score), "FILE", "SGILO: the file with the score prior for --layer (default: --model, as 'ginv train score' writes it)", NULL, 0, 0, NULL},
    {"sgilo-step", GINV_PARAM_DOUBLE, F(sgilo_step), "ETA", "SGILO: Langevin step size (0: --sgilo-step-scale / the largest curvature of U at each chain's start)", "0", 0, 1e6, NULL},
    {"sgilo-step-scale", GINV_PARAM_DOUBLE, F(sgilo_step_scale), "C", "SGILO: the automatic step's fraction of 1 / curvature", "0.1", 1e-9, 1.99, NULL},
    {"sgilo-chains", GINV_PARAM_INT, F(sgilo_chains), "C", "SGILO: Langevin chains per image", "2", 1, 1 << 12, NULL},
    {"sgilo-burn", GINV_PARAM_INT, F(sgilo_burn), "B", "SGILO: steps before draws are recorded", "200", 0, 1 << 24, NULL},
    {"sgilo-draws", GINV_PARAM_INT, F(sgilo_draws), "D", "SGILO: recorded steps per chain (the posterior mean and std are over them)", "100", 1, 1 << 24, NULL},
    {"sgilo-t", GINV_PARAM_DOUBLE, F(sgilo_t), "T", "SGILO: the time the score is read at, or with --sgilo-sdedit the perturbation time", "0.05", 1e-6, 1, NULL},
    {"sgilo-sdedit", GINV_PARAM_INT, F(sgilo_sdedit), "S", "SGILO: 0 reads the score directly; S > 0: after each Langevin step perturb h to --sgilo-t and run S reverse-SDE steps back (the paper's hot start)", "0", 0, 1 << 16, NULL},
    {"sgilo-prior-weight", GINV_PARAM_DOUBLE, F(sgilo_prior_weight), "W", "SGILO: weight of -log p(h) in U (0: the likelihood alone)", "1", 0, 1e6, NULL},
    {"sgilo-temperature", GINV_PARAM_DOUBLE, F(sgilo_temperature), "T", "SGILO: the Langevin noise temperature (1: the posterior)", "1", 1e-9, 1e6, NULL},
    {"sgilo-precond", GINV_PARAM_STRING, F(sgilo_precond), "laplace|none", "SGILO: precondition Langevin by the inverse Gauss-Newton Hessian of U at each image's start (laplace) or not", "laplace", 0, 0, NULL},
    {"sgilo-start", GINV_PARAM_STRING, F(sgilo_start), "ilo|prior", "SGILO: start the chains at ILO's h (with the ILO options) or at G1(z), z ~ N(0, I)", "ilo", 0, 0, NULL},
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
                                                          "lasso-wavelet", "lasso-db4", "ilo", "sgilo",
                                                          "hio", "er"};
static const ginv_basis method_basis[GINV_CS_NMETHODS] = {GINV_BASIS_PIXEL, GINV_BASIS_PIXEL,
                                                         GINV_BASIS_DCT, GINV_BASIS_HAAR,
                                                         GINV_BASIS_DB4, GINV_BASIS_PIXEL,
                                                         GINV_BASIS_PIXEL, GINV_BASIS_PIXEL, GINV_BASIS_PIXEL};

const char *ginv_cs_method_name(int m) { return m >= 0 && m < GINV_CS_NMETHODS ? method_names[m] : NULL; }
ginv_basis ginv_cs_method_basis(int m) { return m >= 0 && m < GINV_CS_NMETHODS ? method_basis[m] : GINV_BASIS_PIXEL; }

/* The Lasso and ILO fit y = A x + e only; hio and er need phaseless-fourier.
 * An op text that does not parse is left to ginv_cs_op, which names it. */
static ginv_status methods_fit_op(const ginv_cs_params *p, const int *list, int n)
{
    int linear_only = -1, pr = -1, values = -1; /* values: ilo, sgilo compare values or magnitudes */
    for (int i = 0; i < n; i++) {
        if (list[i] == GINV_CS_HIO || list[i] == GINV_CS_ER) pr = list[i];
        else if (list[i] == GINV_CS_ILO || list[i] == GINV_CS_SGILO) values = list[i];
        else if (list[i] != GINV_CS_CSGM && linear_only < 0) linear_only = list[i];
    }
    if (linear_only < 0 && pr < 0 && values < 0) return GINV_OK;
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
    if (values >= 0 && link == GINV_LINK_SIGN)
        return ginv_fail(GINV_ERR_ARG, "parameter 'method': %s compares values or magnitudes but --op '%s' "
                         "measures signs; use csgm", method_names[values], p->op);
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
                                           "lasso-dct, lasso-wavelet (Haar), lasso-db4, ilo, sgilo, hio or er)", (int)len, q);
        for (int i = 0; i < n; i++)
            if (list[i] == found)
                return ginv_fail(GINV_ERR_ARG, "parameter 'method': '%s' is listed twice", method_names[found]);
        list[n++] = found;
        csgm |= found == GINV_CS_CSGM || found == GINV_CS_ILO || found == GINV_CS_SGILO; /* a generator */
        q += len;
        if (*q == ',') q++;
    }
    if (!n) return ginv_fail(GINV_ERR_ARG, "parameter 'method': no method given");
    ginv_ilo_opts io;
    if ((st = ginv_cs_ilo_opts(p, &io)) != GINV_OK) return st;
    if ((st = methods_fit_op(p, list, n)) != GINV_OK) return st;
    if (csgm && !p->model) return ginv_fail(GINV_ERR_ARG, "parameter 'model' is required for methods csgm, ilo and sgilo");
    for (int i = 0; i < n; i++) {
        if (list[i] != GINV_CS_SGILO) continue;
        if (!(p->noise > 0))
            return ginv_fail(GINV_ERR_ARG, "parameter 'noise' is 0 but sgilo's likelihood needs the noise level: "
                                           "give noise > 0");
        if (!p->sgilo_precond || (strcmp(p->sgilo_precond, "laplace") && strcmp(p->sgilo_precond, "none")))
            return ginv_fail(GINV_ERR_ARG, "parameter 'sgilo-precond' is '%s' but must be laplace or none",
                             p->sgilo_precond ? p->sgilo_precond : "");
        if (!p->sgilo_start || (strcmp(p->sgilo_start, "ilo") && strcmp(p->sgilo_start, "prior")))
            return ginv_fail(GINV_ERR_ARG, "parameter 'sgilo-start' is '%s' but must be ilo or prior",
                             p->sgilo_start ? p->sgilo_start : "");
    }
    if (methods) memcpy(methods, list, sizeof(int) * (size_t)n);
    if (count) *count = n;
    return GINV_OK;
}

/* One comma list of at most GINV_ILO_MAXSTAGES numbers ("inf" allowed where
 * inf_ok) into v; *count of them. */
static ginv_status parse_list(const char *name, const char *text, int integer, int inf_ok,
                              double *v, int *count)
{
    if (!text || !*text) return ginv_fail(GINV_ERR_ARG, "parameter '%s' needs a value", name);
    int n = 0;
    for (const char *q = text;; q++) {
        size_t len = strcspn(q, ",");
        char buf[64], *end;
        if (n == GINV_ILO_MAXSTAGES)
            return ginv_fail(GINV_ERR_ARG, "parameter '%s': more than %d stages in '%s'", name,
                             GINV_ILO_MAXSTAGES, text);
        if (!len || len >= sizeof buf)
            return ginv_fail(GINV_ERR_ARG, "parameter '%s': an empty or overlong entry in '%s'",
                             name, text);
        memcpy(buf, q, len);
        buf[len] = 0;
        double x = INFINITY;
        if (!(inf_ok && (!strcmp(buf, "inf") || !strcmp(buf, "infinity")))) {
            x = strtod(buf, &end);
            if (*end || !isfinite(x) || x < 0 || (integer && (x != floor(x) || x > 1 << 24)))
                return ginv_fail(GINV_ERR_ARG, "parameter '%s': '%s' is not a%s number >= 0%s",
                                 name, buf, integer ? "n integer" : "", inf_ok ? " (or inf)" : "");
        }
        v[n++] = x;
        q += len;
        if (!*q) break;
    }
    *count = n;
    return GINV_OK;
}

ginv_status ginv_cs_ilo_opts(const ginv_cs_params *p, ginv_ilo_opts *o)
{
    GINV_NONNULL(p);
    GINV_NONNULL(o);
    double L[GINV_ILO_MAXSTAGES], R[GINV_ILO_MAXSTAGES], T[GINV_ILO_MAXSTAGES];
    int nl, nr, nt;
    ginv_status st = parse_list("layer", p->layer, 1, 0, L, &nl);
    if (st == GINV_OK) st = parse_list("ilo-radius", p->ilo_radius, 0, 1, R, &nr);
    if (st == GINV_OK) st = parse_list("ilo-iters", p->ilo_iters, 1, 0, T, &nt);
    if (st != GINV_OK) return st;
    if ((nr != 1 && nr != nl) || (nt != 1 && nt != nl))
        return ginv_fail(GINV_ERR_ARG, "parameters 'ilo-radius' (%d values) and 'ilo-iters' (%d) "
                                       "need one value or one per layer of 'layer' (%d)", nr, nt, nl);
    for (int s = 0; s < nl; s++) {
        if (L[s] < 1 || (s && L[s] <= L[s - 1]))
            return ginv_fail(GINV_ERR_ARG, "parameter 'layer': '%s' must be layers >= 1 in "
                                           "increasing order", p->layer);
        o->layers[s] = (int)L[s];
        o->radii[s] = R[nr == 1 ? 0 : s];
        o->stage_iters[s] = (int)T[nt == 1 ? 0 : s];
    }
    o->nstages = nl;
    o->layer = o->layers[0], o->radius = o->radii[0], o->iters = o->stage_iters[0];
    o->fix_z = p->ilo_fix_z;
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
