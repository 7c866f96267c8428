/* dimacs.h — what the DIMACS readers and writers (cnf.c, graph.c) share:
 * tokens of a line, integer checks, safe display of bad tokens, the path
 * prefix on errors and a growing text buffer written atomically. Internal to
 * src/io. */
#ifndef GINV_IO_DIMACS_H
#define GINV_IO_DIMACS_H

#include "ginv.h"

#include <stddef.h>

#define DIMACS_TOKEN_MAX 64 /* longer tokens are cut (and then never valid numbers) */
#define DIMACS_SHOW_MAX 40

typedef struct {
    const char *p;
    size_t len, pos;
} dimacs_line;

/* The next blank-separated token of the line into tok (cut to size - 1
 * bytes); 0 at the end of the line. Blanks: space, tab, CR, VT, FF. */
int ginv_dimacs_next(dimacs_line *L, char *tok, size_t size);
/* tok is an optional '-' followed by decimal digits only. */
int ginv_dimacs_is_int(const char *tok);
/* tok as an int (|v| <= INT_MAX); 0 if it is not one. */
int ginv_dimacs_int(const char *tok, long long *v);
/* tok is digits only and at most max: *v. */
int ginv_dimacs_count(const char *tok, long long max, long long *v);
/* tok for an error message: at most 24 bytes, non-printable bytes as '?',
 * "..." when cut. Returns buf (DIMACS_SHOW_MAX bytes). */
const char *ginv_dimacs_show(const char *tok, char *buf);
/* Re-raise the current error as "'path': message". */
ginv_status ginv_dimacs_prefix_path(ginv_status st, const char *path);

typedef struct {
    char *s;
    size_t n, cap;
    int failed;
} dimacs_text;
void ginv_dimacs_printf(dimacs_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "c " + each line of text. */
void ginv_dimacs_comment(dimacs_text *t, const char *text);
/* Write atomically and free the buffer. */
ginv_status ginv_dimacs_text_save(dimacs_text *t, const char *path);

#endif
