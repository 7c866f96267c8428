/* op_impl.h — the inside of a measurement operator: a small vtable (what the
 * operator is called, how it applies, its adjoint, how its state is freed)
 * plus its sizes m x n and a pointer to the kind's own state. Private to
 * src/measure/. */
#ifndef GINV_MEASURE_OP_IMPL_H
#define GINV_MEASURE_OP_IMPL_H

#include "ginv.h"

typedef struct {
    const char *name;
    /* y (B x m) = A x (B x n) */
    void (*apply)(const ginv_op *op, int B, const float *x, float *y);
    /* x (B x n) = A^T y (B x m) */
    void (*adjoint)(const ginv_op *op, int B, const float *y, float *x);
    /* release op->state (NULL: ginv_free it) */
    void (*free_state)(void *state);
    /* the elementwise link after A (a ginv_link; 0: linear) */
    int link;
    /* the error of an estimate a of the signal b (n values each) up to the
     * kind's own ambiguities (ginv_op_rel_error); NULL: the link's metric */
    double (*rel_error)(const ginv_op *op, const float *a, const float *b);
} ginv_op_vtable;

struct ginv_op {
    const ginv_op_vtable *vt;
    int m, n;
    void *state; /* the kind's own data (owned), or NULL */
    int onebit_loss; /* SIGN link: the objective's ginv_onebit_loss */
    const int *pair; /* CABS link: (m) each output's partner p(i), inside state */
};

/* Wrap state into a new operator; on failure frees state and sets *out NULL. */
ginv_status ginv_op_wrap(ginv_op **out, const ginv_op_vtable *vt, int m, int n, void *state);

/* Fail with GINV_ERR_ARG unless out != NULL; sets *out = NULL. `who` names
 * the caller. */
ginv_status ginv_op_check_out(ginv_op **out, const char *who);

/* The cells of the centred h x w grid that fourier-subsample's mode
 * (ginv_fourier_mode: RANDOM, RADIAL or CARTESIAN) keeps with its parameter,
 * in increasing order (fourier.c); *cells is ginv_malloc'd. */
ginv_status ginv_fourier_cells(int mode, int param, int h, int w, uint64_t seed, uint64_t index,
                               int **cells, int *kept);

#endif
