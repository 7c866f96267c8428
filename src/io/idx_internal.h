/* idx_internal.h — inside libginv only: reading the leading entries of an
 * IDX file without inflating (or converting) the rest (images.c: a slice of
 * a large or hostile .idx.gz). */
#ifndef GINV_IO_IDX_INTERNAL_H
#define GINV_IO_IDX_INTERNAL_H

#include "ginv.h"

/* Told the header (head: type, ndim, dims set; no data), a reader either
 * refuses the file (a status, its message naming the file) or sets *rows,
 * in [0, dims[0]], to the number of leading entries along dimension 0 it
 * needs (*rows starts at dims[0]). */
typedef ginv_status (*ginv_idx_rows_fn)(const ginv_idx *head, void *ctx, int64_t *rows);

/* ginv_idx_read keeping only the first *rows entries: out->dims[0] is that
 * number, out->count their elements. A raw file is checked whole (it is on
 * disk already); a gzip file is inflated only up to those entries, so its
 * memory and time follow the slice, not what the stream would inflate to
 * (damage after them goes unnoticed). Asked for every entry, the whole
 * stream is inflated and checked, never past the size its header declares.
 * fn NULL: every entry (ginv_idx_read). */
ginv_status ginv_idx_read_rows(const char *path, ginv_idx_rows_fn fn, void *ctx, ginv_idx *out);

#endif
