/* run_internal.h — what the files of src/run/ share: the spec's runner, the
 * hash, the SQLite store's writer side and the unit codec used between ranks. */
#ifndef GINV_RUN_INTERNAL_H
#define GINV_RUN_INTERNAL_H

#include "ginv.h"

uint64_t ginv_run_fnv1a(const char *s);
const ginv_unit_runner *ginv_run_spec_runner(const ginv_sweep_spec *s);

/* One finished unit, as the writer stores it. */
typedef struct {
    long cell;
    int trial;
    ginv_status status;
    char error[256];
    double started;     /* Unix time the unit started */
    double seconds;     /* its wall time */
    int rank;
    ginv_metrics metrics;
} ginv_run_result;

/* The writer side of the store (store.c). */
typedef struct ginv_run_store ginv_run_store;
/* Open or create db for spec s: refuses a store another sweep holds (the
 * advisory lock db.lock, named with its owner's PID), a file that is not
 * SQLite, is corrupted or locked, belongs to another spec, or (without
 * resume) already holds a sweep. *done gets a byte per unit (cell * trials +
 * trial): 1 when finished, 2 when stored as an error that retry_errors runs
 * again (its row is replaced when the new result is stored), 0 otherwise. */
ginv_status ginv_run_store_open(ginv_run_store **out, const char *db, const ginv_sweep_spec *s,
                                int resume, int retry_errors, int busy_ms, unsigned char *done);
/* One transaction: the unit's row and its metrics. */
ginv_status ginv_run_store_put(ginv_run_store *st, const ginv_sweep_spec *s,
                               const ginv_run_result *r);
void ginv_run_store_close(ginv_run_store *st);

/* Unit results as bytes for MPI messages: every double as its bit pattern. */
size_t ginv_run_result_encode(const ginv_run_result *r, unsigned char *buf, size_t cap);
int ginv_run_result_decode(const unsigned char *buf, size_t len, const ginv_unit_runner *runner,
                           ginv_run_result *r);

#endif
