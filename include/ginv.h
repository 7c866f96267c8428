/* ginv.h — the public API of libginv, a library for inverting deep generative
 * models.
 *
 * Conventions (see docs/architecture.md):
 *  - every call that can fail returns a ginv_status; the message that goes
 *    with a failure is read with ginv_last_error() (thread-local);
 *  - the library never prints and never exits: logging and progress go
 *    through callbacks the caller installs;
 *  - latents are B x k row-major float32, signals B x n, measurements B x m;
 *  - _new/_free for heap objects, _init/_release for caller-owned structs;
 *  - a call that returns a ginv_status checks its pointers and sizes: NULL
 *    where a pointer is needed fails with GINV_ERR_ARG and a message
 *    naming the function and the parameter; the calls that return a value
 *    (accessors, kernels such as ginv_gemm, ginv_net_forward, ginv_op_apply)
 *    take non-NULL pointers unless their comment says otherwise;
 *    _free(NULL) and _release(NULL) do nothing.
 */
#ifndef GINV_H
#define GINV_H

/* The module headers, one per part of the library (docs/library.md lists
 * them); each compiles on its own and includes the modules it needs. */
#include "ginv/base.h"
#include "ginv/io.h"
#include "ginv/net.h"
#include "ginv/measure.h"
#include "ginv/infer.h"
#include "ginv/sample.h"
#include "ginv/theory.h"
#include "ginv/learn.h"
#include "ginv/exact.h"
#include "ginv/reduce.h"
#include "ginv/run.h"

#endif
