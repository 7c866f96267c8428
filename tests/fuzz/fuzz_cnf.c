/* fuzz_cnf.c — libFuzzer target: ginv_cnf_parse on arbitrary bytes, strict
 * and lenient, must return a status without crashing or leaking; on success
 * the clauses are well formed (offsets increase, literals within +-1..nvars),
 * every strict success is a lenient success with the same formula, and the
 * satisfaction check runs. */
#include "ginv.h"

#include <stdlib.h>
#include <string.h>

static void check_formula(const ginv_cnf *f)
{
    if (f->nvars < 1 || f->nclauses < 0 || f->start[0] != 0) abort();
    for (int c = 0; c < f->nclauses; c++) {
        if (f->start[c + 1] < f->start[c]) abort();
        for (int j = f->start[c]; j < f->start[c + 1]; j++)
            if (f->lits[j] == 0 || abs(f->lits[j]) > f->nvars) abort();
    }
    if (f->nvars <= 4096) {
        unsigned char *as = calloc((size_t)f->nvars, 1);
        if (ginv_cnf_first_unsat(f, as) >= f->nclauses) abort();
        free(as);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ginv_cnf strict, lenient;
    ginv_status s = ginv_cnf_parse((const char *)data, size, 1, &strict);
    ginv_status l = ginv_cnf_parse((const char *)data, size, 0, &lenient);
    if (s == GINV_OK) check_formula(&strict);
    if (l == GINV_OK) check_formula(&lenient);
    if (s == GINV_OK) {
        if (l != GINV_OK || strict.nclauses != lenient.nclauses || strict.nvars != lenient.nvars ||
            memcmp(strict.start, lenient.start, sizeof(int) * (strict.nclauses + 1)) ||
            memcmp(strict.lits, lenient.lits, sizeof(int) * strict.start[strict.nclauses]))
            abort();
    }
    ginv_cnf_release(&strict);
    ginv_cnf_release(&lenient);
    if (ginv_live_bytes() != 0) abort();
    return 0;
}
