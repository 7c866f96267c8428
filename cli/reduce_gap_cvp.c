/* reduce_gap_cvp.c — `ginv reduce random-gap-cvp`: a planted YES or a
 * certified NO instance of Gap-CVP_gamma (Keles & Hegde 2023, §3.3), for
 * `ginv reduce cvp --gap` (the reductions of §5.1 with the gap kept). */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the instance's summary as JSON */
static cJSON *gap_json(const char *C, const ginv_gap_cvp_opts *o, const ginv_gap_cvp_cert *cert, const char *bout,
                       const char *tout, const char *sout)
{
    cJSON *doc = cli_json_new(C);
    cJSON_AddStringToObject(doc, "answer", cert->yes ? "YES" : "NO");
    cJSON_AddNumberToObject(doc, "n", o->n);
    cJSON_AddNumberToObject(doc, "d", o->d);
    cJSON_AddNumberToObject(doc, "range", o->range);
    cJSON_AddNumberToObject(doc, "radius", o->radius);
    cJSON_AddNumberToObject(doc, "gamma", o->gamma);
    cJSON_AddNumberToObject(doc, "delta_no", o->gamma * o->radius);
    if (isinf(o->p)) cJSON_AddStringToObject(doc, "p", "inf");
    else cJSON_AddNumberToObject(doc, "p", o->p);
    cJSON_AddNumberToObject(doc, "seed", (double)o->seed);
    /* dist_p(t, L) when within gamma r; a NO is certified beyond it */
    if (isinf(cert->dist)) cJSON_AddStringToObject(doc, "dist", "> delta_no");
    else cJSON_AddNumberToObject(doc, "dist", cert->dist);
    cJSON_AddItemToObject(doc, "planted_dist", cli_json_num(cert->planted));
    cJSON_AddNumberToObject(doc, "tries", cert->tries);
    cJSON_AddStringToObject(doc, "certificate", cert->yes ? "the planted y0 in {0,1}^n: ||B y0 - t||_p <= radius"
                                                          : "enumeration of every lattice vector within delta_no found none");
    cJSON_AddStringToObject(doc, "basis", bout);
    cJSON_AddStringToObject(doc, "target", tout);
    if (sout) cJSON_AddStringToObject(doc, "solution", sout);
    return doc;
}

int reduce_random_gap_cvp(int argc, char **argv)
{
    const char *C = "reduce random-gap-cvp", *bout = NULL, *tout = NULL, *sout = NULL, *answer = NULL,
               *ptext = "2", *json = NULL;
    ginv_gap_cvp_opts o;
    ginv_gap_cvp_opts_init(&o);
    o.radius = -1;
    cli_opt opts[] = {
        {"n", 0, OPT_INT, &o.n, "N", "basis vectors (required)", 1, 4096},
        {"d", 0, OPT_INT, &o.d, "D", "their dimension, >= N (required)", 1, 4096},
        {"range", 0, OPT_INT, &o.range, "R", "basis entries uniform integers in [-R, R] (default 6)", 1, 1 << 20},
        {"radius", 0, OPT_DOUBLE, &o.radius, "R", "YES iff dist_p(t, L) <= R (required)", 0, 1e6},
        {"gap", 0, OPT_DOUBLE, &o.gamma, "GAMMA", "NO: dist_p(t, L) > GAMMA R (default 1)", 1, 1e6},
        {"p", 0, OPT_STRING, &ptext, "P", "the norm: an integer 1..64 or inf (default 2)"},
        {"answer", 0, OPT_STRING, &answer, "yes|no", "a planted YES or a certified NO instance (required)"},
        {"seed", 0, OPT_U64, &o.seed, "S", "random seed (basis: GINV_STREAM_LATTICE; target: GINV_STREAM_GAP_CVP)"},
        {"tries", 0, OPT_INT, &o.max_tries, "T", "NO: targets drawn before giving up (default 200)", 1, 1 << 20},
        {"basis-out", 0, OPT_STRING, &bout, "FILE", "basis to write, n x d (.npy or text; required)"},
        {"target-out", 0, OPT_STRING, &tout, "FILE", "target to write, d values (required)"},
        {"solution-out", 0, OPT_STRING, &sout, "FILE", "the planted y0 (n values 0/1; for 'reduce encode')"},
        {"json", 0, OPT_STRING, &json, "FILE", "describe the instance as JSON ('-': stdout)"},
        {0},
    };
    cli_cmd cmd = {C, "A planted YES or certified NO instance of Gap-CVP_gamma (Keles & Hegde 2023, §3.3).",
                   "ginv reduce random-gap-cvp --n N --d D --radius R [--gap G] [--p P] --answer yes|no --seed S\n"
                   "       --basis-out B --target-out T [--solution-out Y]",
                   "The basis is random-lattice's (same --n, --d, --range, --seed). YES: t = B y0 + e,\n"
                   "y0 uniform in {0,1}^n, e an integer vector with ||e||_p <= R (a random walk), so\n"
                   "dist_p(t, L) <= R with y0 a (0,1)-CVP certificate. NO: t = B y0 + e with\n"
                   "||e||_p <= 2 G R + 2, redrawn until an exact enumeration of the lattice vectors\n"
                   "within G R finds none: dist_p(t, L) > G R over all integer coefficients.\n"
                   "Exit 6 when no drawn target is certified within --tries."};
    const char *pos[1];
    int npos, rc = cli_parse(&cmd, opts, argc, argv, pos, 0, &npos);
    if (rc) return rc == CLI_HELP ? 0 : rc;
    if (!o.n || !o.d) return cli_usage_error(C, "--n N and --d D are required");
    if (o.radius < 0) return cli_usage_error(C, "--radius R is required");
    if (!answer || (strcmp(answer, "yes") && strcmp(answer, "no")))
        return cli_usage_error(C, "--answer must be yes or no");
    if (!bout || !tout) return cli_usage_error(C, "--basis-out FILE and --target-out FILE are required");
    if ((rc = cli_reduce_parse_p(C, ptext, 1, &o.p))) return rc;
    o.yes = !strcmp(answer, "yes");
    ginv_cvp c;
    ginv_gap_cvp_cert cert;
    int *y0 = calloc((size_t)o.n, sizeof(int));
    if (!y0) return cli_oom(C);
    ginv_status st = ginv_cvp_gap_random(&c, y0, &o, &cert);
    if (st == GINV_OK) st = ginv_cvp_write(bout, tout, &c);
    if (st == GINV_OK && sout) {
        float *yf = malloc(sizeof(float) * (size_t)o.n);
        int64_t shape[1] = {o.n};
        for (int i = 0; yf && i < o.n; i++) yf[i] = (float)y0[i];
        st = yf ? ginv_array_write(sout, yf, 1, shape) : ginv_fail(GINV_ERR_NOMEM, "out of memory");
        free(yf);
    }
    ginv_cvp_release(&c); /* zeroed when the generator failed */
    free(y0);
    if (st != GINV_OK) return cli_lib_error(C, st);
    if (!json || strcmp(json, "-")) {
        FILE *w = cli_wrote_stream(bout);
        fprintf(w, "wrote %s (%d x %d) and %s: a %s instance of Gap-CVP_gamma, p %s, r %g, gamma %g: ", bout, o.n, o.d,
                tout, o.yes ? "YES" : "NO", ptext, o.radius, o.gamma);
        if (o.yes) fprintf(w, "dist_p(t, L) = %.17g <= ||B y0 - t||_p = %.17g <= r\n", cert.dist, cert.planted);
        else fprintf(w, "dist_p(t, L) > gamma r = %.17g (certified by enumeration, %d tries)\n", o.gamma * o.radius, cert.tries);
    }
    if (!json) return 0;
    cJSON *doc = gap_json(C, &o, &cert, bout, tout, sout);
    rc = cli_json_write(C, doc, json);
    cJSON_Delete(doc);
    return rc;
}
