/* cnf.c — DIMACS CNF formulas (the k-SAT instances of Keles & Hegde 2023,
 * Thms 1-2): a strict and a lenient reader, a writer, uniform random k-SAT
 * and the satisfaction check map-back uses. */
#include "io/dimacs.h"
#include "base/check_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CNF_MAX_VARS (1 << 24)        /* a net's widest layer (src/net) */
#define CNF_MAX_CLAUSES (1 << 26)
#define CNF_MAX_LITS ((size_t)1 << 28)

void ginv_cnf_release(ginv_cnf *f)
{
    if (!f) return;
    ginv_free(f->start);
    ginv_free(f->lits);
    memset(f, 0, sizeof *f);
}

/* Growing int vectors for the parse. */
typedef struct { int *v; size_t n, cap; } ivec;

static int ivec_push(ivec *a, int x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        int *v = ginv_realloc(a->v, cap * sizeof *v);
        if (!v) return 0;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 1;
}

/* The state of a parse: the clauses so far (start[c] is where clause c's
 * literals begin in lits), the header and the line being read. */
typedef struct {
    ivec lits, start;
    int strict;
    long long nvars, nclauses;
    size_t header_line, line, open_line; /* open_line: where the unfinished clause began */
    int open;                            /* literals in the unfinished clause */
    char shown[DIMACS_SHOW_MAX];
} cnf_parse;

static ginv_status cnf_nomem(void)
{
    return ginv_fail(GINV_ERR_NOMEM, "out of memory reading a CNF");
}

/* The rest of a 'p' line: "cnf VARIABLES CLAUSES" and nothing after. */
static ginv_status parse_header(cnf_parse *P, dimacs_line *L)
{
    size_t line = P->line;
    if (P->header_line)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: a second 'p' header (the first is on line %zu)",
                         line, P->header_line);
    char fmt[DIMACS_TOKEN_MAX], a[DIMACS_TOKEN_MAX], b[DIMACS_TOKEN_MAX], extra[DIMACS_TOKEN_MAX];
    int nt = ginv_dimacs_next(L, fmt, sizeof fmt) + ginv_dimacs_next(L, a, sizeof a) +
             ginv_dimacs_next(L, b, sizeof b);
    if (nt < 3)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: the header must read 'p cnf VARIABLES CLAUSES'", line);
    if (strcmp(fmt, "cnf"))
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: format '%s' in the header is not 'cnf'", line,
                         ginv_dimacs_show(fmt, P->shown));
    if (!ginv_dimacs_count(a, CNF_MAX_VARS, &P->nvars) || P->nvars < 1)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: the number of variables '%s' is not an integer "
                                          "in 1..%d", line, ginv_dimacs_show(a, P->shown), CNF_MAX_VARS);
    if (!ginv_dimacs_count(b, CNF_MAX_CLAUSES, &P->nclauses))
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: the number of clauses '%s' is not an integer "
                                          "in 0..%d", line, ginv_dimacs_show(b, P->shown), CNF_MAX_CLAUSES);
    if (ginv_dimacs_next(L, extra, sizeof extra))
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: text '%s' after 'p cnf %lld %lld'", line,
                         ginv_dimacs_show(extra, P->shown), P->nvars, P->nclauses);
    P->header_line = line;
    return GINV_OK;
}

/* One literal token: appended to the open clause, or 0, which ends it. */
static ginv_status parse_literal(cnf_parse *P, const char *tok)
{
    size_t line = P->line;
    long long v, nvars = P->nvars;
    if (!ginv_dimacs_is_int(tok))
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: '%s' is not an integer literal", line,
                         ginv_dimacs_show(tok, P->shown));
    if (!ginv_dimacs_int(tok, &v))
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: literal '%s' is too large", line,
                         ginv_dimacs_show(tok, P->shown));
    if (!P->header_line)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: literal '%s' comes before the 'p cnf' header",
                         line, ginv_dimacs_show(tok, P->shown));
    if (v == 0 && tok[0] == '-')
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: '-0' is not a literal (0 alone ends a clause)", line);
    if (v < -nvars || v > nvars)
        return ginv_fail(GINV_ERR_FORMAT, "line %zu: literal %lld names variable %lld, but the header "
                                          "declares %lld variables", line, v, v < 0 ? -v : v, nvars);
    if (v == 0) {
        if (P->strict && (long long)P->start.n - 1 >= P->nclauses)
            return ginv_fail(GINV_ERR_FORMAT, "line %zu: clause %zu, but the header declares %lld clauses",
                             line, P->start.n, P->nclauses);
        if (P->start.n - 1 >= CNF_MAX_CLAUSES)
            return ginv_fail(GINV_ERR_FORMAT, "line %zu: more than %d clauses", line, CNF_MAX_CLAUSES);
        if (!ivec_push(&P->start, (int)P->lits.n)) return cnf_nomem();
        P->open = 0;
    } else {
        if (P->lits.n >= CNF_MAX_LITS)
            return ginv_fail(GINV_ERR_FORMAT, "line %zu: more than %zu literals", line, CNF_MAX_LITS);
        if (!P->open) P->open_line = line;
        P->open++;
        if (!ivec_push(&P->lits, (int)v)) return cnf_nomem();
    }
    return GINV_OK;
}

/* After the last line: a header was read, the last clause is ended (lenient:
 * by the end of file) and, strict, the clause count is the header's. */
static ginv_status parse_finish(cnf_parse *P)
{
    if (!P->header_line) return ginv_fail(GINV_ERR_FORMAT, "no 'p cnf VARIABLES CLAUSES' header");
    if (P->open) {
        if (P->strict)
            return ginv_fail(GINV_ERR_FORMAT, "line %zu: the last clause is not ended by 0", P->open_line);
        if (!ivec_push(&P->start, (int)P->lits.n)) return cnf_nomem(); /* lenient: the end of file ends it */
    }
    if (P->strict && (long long)P->start.n - 1 != P->nclauses)
        return ginv_fail(GINV_ERR_FORMAT, "the header (line %zu) declares %lld clauses but the file has %zu",
                         P->header_line, P->nclauses, P->start.n - 1);
    return GINV_OK;
}

ginv_status ginv_cnf_parse(const char *buf, size_t len, int strict, ginv_cnf *out)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "ginv_cnf_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!buf && len) return ginv_fail(GINV_ERR_ARG, "ginv_cnf_parse: buf is NULL");
    cnf_parse P = {.strict = strict, .nvars = -1, .nclauses = -1};
    ginv_status st = GINV_OK;
    char tok[DIMACS_TOKEN_MAX];
    if (!ivec_push(&P.start, 0)) goto nomem;
    if (len == 0) {
        st = ginv_fail(GINV_ERR_FORMAT, "the file is empty (a CNF needs a 'p cnf VARIABLES CLAUSES' line)");
        goto fail;
    }
    size_t i = 0;
    while (i < len) {
        size_t eol = i;
        while (eol < len && buf[eol] != '\n') eol++;
        P.line++;
        dimacs_line L = {buf + i, eol - i, 0};
        i = eol + 1;
        if (!ginv_dimacs_next(&L, tok, sizeof tok)) continue; /* blank */
        if (tok[0] == 'c') continue; /* comment */
        if (!strcmp(tok, "%")) {
            if (strict) {
                st = ginv_fail(GINV_ERR_FORMAT, "line %zu: '%%' is SATLIB's end marker, not DIMACS "
                                                "(lenient mode accepts it)", P.line);
                goto fail;
            }
            break; /* SATLIB: "%" then "0": the rest is not part of the formula */
        }
        if (!strcmp(tok, "p")) {
            if ((st = parse_header(&P, &L)) != GINV_OK) goto fail;
            continue;
        }
        /* a line of literals (a clause may span lines; a line may hold several) */
        do {
            if ((st = parse_literal(&P, tok)) != GINV_OK) goto fail;
        } while (ginv_dimacs_next(&L, tok, sizeof tok));
    }
    if ((st = parse_finish(&P)) != GINV_OK) goto fail;
    out->nvars = (int)P.nvars;
    out->nclauses = (int)(P.start.n - 1);
    out->start = P.start.v;
    out->lits = P.lits.v ? P.lits.v : ginv_calloc(1, sizeof(int));
    if (!out->lits) {
        memset(out, 0, sizeof *out);
        goto nomem;
    }
    return GINV_OK;
nomem:
    st = cnf_nomem();
fail:
    ginv_free(P.lits.v);
    ginv_free(P.start.v);
    return st;
}

ginv_status ginv_cnf_read(const char *path, int strict, ginv_cnf *out)
{
    if (out) memset(out, 0, sizeof *out);
    unsigned char *buf;
    size_t len;
    ginv_status st = ginv_read_file(path, (size_t)1 << 31, &buf, &len);
    if (st != GINV_OK) return st;
    st = ginv_cnf_parse((const char *)buf, len, strict, out);
    ginv_free(buf);
    if (st != GINV_OK) return ginv_dimacs_prefix_path(st, path);
    return GINV_OK;
}

ginv_status ginv_cnf_write(const char *path, const ginv_cnf *f, const char *comment)
{
    GINV_NONNULL(path);
    GINV_NONNULL(f);
    dimacs_text t = {0};
    if (comment) ginv_dimacs_comment(&t, comment);
    ginv_dimacs_printf(&t, "p cnf %d %d\n", f->nvars, f->nclauses);
    for (int c = 0; c < f->nclauses; c++) {
        for (int j = f->start[c]; j < f->start[c + 1]; j++) ginv_dimacs_printf(&t, "%d ", f->lits[j]);
        ginv_dimacs_printf(&t, "0\n");
    }
    return ginv_dimacs_text_save(&t, path);
}

ginv_status ginv_cnf_random(ginv_cnf *out, int n, int m, int k, uint64_t seed)
{
    GINV_NONNULL(out);
    memset(out, 0, sizeof *out);
    if (n < 1 || n > CNF_MAX_VARS) return ginv_fail(GINV_ERR_ARG, "random k-SAT: n = %d must be in 1..%d", n, CNF_MAX_VARS);
    if (m < 0 || m > CNF_MAX_CLAUSES) return ginv_fail(GINV_ERR_ARG, "random k-SAT: m = %d must be in 0..%d", m, CNF_MAX_CLAUSES);
    if (k < 1 || k > n) return ginv_fail(GINV_ERR_ARG, "random k-SAT: k = %d must be in 1..n = %d", k, n);
    if ((size_t)m * (size_t)k > CNF_MAX_LITS) return ginv_fail(GINV_ERR_ARG, "random k-SAT: m k = %zu literals is too many", (size_t)m * k);
    out->start = ginv_malloc(((size_t)m + 1) * sizeof(int));
    out->lits = ginv_malloc(((size_t)m * k + 1) * sizeof(int));
    if (!out->start || !out->lits) {
        ginv_cnf_release(out);
        return ginv_fail(GINV_ERR_NOMEM, "out of memory for %d clauses", m);
    }
    ginv_rng r;
    ginv_rng_init(&r, seed, GINV_STREAM_SAT, 0);
    out->nvars = n;
    out->nclauses = m;
    for (int c = 0; c < m; c++) {
        int *cl = out->lits + (size_t)c * k;
        out->start[c] = c * k;
        for (int j = 0; j < k; j++) { /* k distinct variables, by rejection */
            int v, dup;
            do {
                v = 1 + (int)ginv_rng_below(&r, (uint64_t)n);
                dup = 0;
                for (int q = 0; q < j; q++) dup |= abs(cl[q]) == v;
            } while (dup);
            cl[j] = v;
        }
        for (int j = 0; j < k; j++)
            if (ginv_rng_below(&r, 2)) cl[j] = -cl[j];
    }
    out->start[m] = m * k;
    return GINV_OK;
}

int ginv_cnf_first_unsat(const ginv_cnf *f, const unsigned char *assign)
{
    for (int c = 0; c < f->nclauses; c++) {
        int sat = 0;
        for (int j = f->start[c]; j < f->start[c + 1] && !sat; j++) {
            int l = f->lits[j];
            sat = l > 0 ? assign[l - 1] != 0 : assign[-l - 1] == 0;
        }
        if (!sat) return c;
    }
    return -1;
}

int ginv_cnf_satisfied(const ginv_cnf *f, const unsigned char *assign)
{
    return ginv_cnf_first_unsat(f, assign) < 0;
}
