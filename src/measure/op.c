/* op.c — the measurement operator object: construction from a vtable and
 * state, and the dispatch of free/m/n/name/apply/adjoint. */
#include "measure/op_impl.h"

/* Free a kind's state with its own release function, or ginv_free. */
static void free_state(const ginv_op_vtable *vt, void *state)
{
    if (!state) return;
    if (vt->free_state) vt->free_state(state);
    else ginv_free(state);
}

ginv_status ginv_op_check_out(ginv_op **out, const char *who)
{
    if (!out) return ginv_fail(GINV_ERR_ARG, "%s: out is NULL; pass the address of a ginv_op *", who);
    *out = NULL;
    return GINV_OK;
}

ginv_status ginv_op_wrap(ginv_op **out, const ginv_op_vtable *vt, int m, int n, void *state)
{
    ginv_op *op = ginv_malloc(sizeof *op);
    if (!op) {
        free_state(vt, state);
        *out = NULL;
        return ginv_fail(GINV_ERR_NOMEM, "ginv_op_%s: cannot allocate the operator (%zu bytes)",
                         vt->name, sizeof *op);
    }
    op->vt = vt;
    op->m = m;
    op->n = n;
    op->state = state;
    *out = op;
    return GINV_OK;
}

void ginv_op_free(ginv_op *op)
{
    if (!op) return;
    free_state(op->vt, op->state);
    ginv_free(op);
}

int ginv_op_m(const ginv_op *op) { return op ? op->m : 0; }

int ginv_op_n(const ginv_op *op) { return op ? op->n : 0; }

const char *ginv_op_name(const ginv_op *op) { return op ? op->vt->name : "(null)"; }

/* y (B x m) = A x (B x n); B <= 0 does nothing */
void ginv_op_apply(const ginv_op *op, int B, const float *x, float *y)
{
    if (B <= 0) return;
    op->vt->apply(op, B, x, y);
}

/* x (B x n) = A^T y (B x m); B <= 0 does nothing */
void ginv_op_adjoint(const ginv_op *op, int B, const float *y, float *x)
{
    if (B <= 0) return;
    op->vt->adjoint(op, B, y, x);
}
