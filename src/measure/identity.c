/* identity.c — the identity operator (denoising, or plain inversion of G):
 * m = n, apply and adjoint are copies. */
#include "measure/op_impl.h"

#include <string.h>

/* y (B x n) = x (B x n); also the adjoint */
static void identity_copy(const ginv_op *op, int B, const float *x /* (B, n) */,
                          float *y /* (B, n) */)
{
    if (x != y) memmove(y, x, (size_t)B * (size_t)op->n * sizeof(float));
}

static const ginv_op_vtable identity_vt = {"identity", identity_copy, identity_copy, NULL};

/* The n x n identity */
ginv_status ginv_op_identity(ginv_op **out, int n)
{
    ginv_status s = ginv_op_check_out(out, "ginv_op_identity");
    if (s) return s;
    if (n < 1)
        return ginv_fail(GINV_ERR_ARG, "ginv_op_identity: n = %d is invalid; n must be >= 1", n);
    return ginv_op_wrap(out, &identity_vt, n, n, NULL);
}
