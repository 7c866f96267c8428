/* check_internal.h — argument checks at the top of public functions: a NULL
 * pointer the function needs fails with GINV_ERR_ARG and a message naming
 * the function and the parameter ("ginv_net_save: path is NULL"), never a
 * crash (tests/unit/test_api_nulls.c calls every public function so). */
#ifndef GINV_CHECK_INTERNAL_H
#define GINV_CHECK_INTERNAL_H

#include "ginv.h"

#define GINV_NONNULL(p)                                                        \
    do {                                                                       \
        if (!(p)) return ginv_fail(GINV_ERR_ARG, "%s: %s is NULL", __func__, #p); \
    } while (0)

#endif
