/* test.h — a tiny test harness. TEST(name) registers a test; CHECK* count
 * failures into the current test; the runner asserts that no library bytes
 * are live after each test (counted allocation). Test names read as claims. */
#ifndef GINV_TEST_H
#define GINV_TEST_H

#include "ginv.h"

#include <math.h>
#include <stdio.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
extern int test_failures;
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(name)                                                             \
    static void name(void);                                                    \
    __attribute__((constructor)) static void test_reg_##name(void)             \
    {                                                                          \
        test_register(#name, name);                                            \
    }                                                                          \
    static void name(void)

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) test_fail(__FILE__, __LINE__, "CHECK(%s)", #c);              \
    } while (0)

#define CHECK_MSG(c, ...)                                                      \
    do {                                                                       \
        if (!(c)) test_fail(__FILE__, __LINE__, __VA_ARGS__);                  \
    } while (0)

/* |a - b| <= tol, printing both numbers when it fails */
#define CHECK_NEAR(a, b, tol)                                                  \
    do {                                                                       \
        double a_ = (a), b_ = (b), t_ = (tol);                                 \
        if (!(fabs(a_ - b_) <= t_))                                            \
            test_fail(__FILE__, __LINE__, "%s = %.9g, %s = %.9g, |diff| %.3g > %.3g", #a, \
                      a_, #b, b_, fabs(a_ - b_), t_);                          \
    } while (0)

#define CHECK_OK(expr)                                                         \
    do {                                                                       \
        ginv_status s_ = (expr);                                               \
        if (s_ != GINV_OK)                                                     \
            test_fail(__FILE__, __LINE__, "%s failed: %s", #expr, ginv_last_error()); \
    } while (0)

/* Relative difference of two arrays: max|a-b| / max(max|b|, floor). Prints
 * the worst index. */
double test_max_rel_diff(const float *a, const float *b, size_t n, double floor_);

/* A temporary directory for this test run (created once). */
const char *test_tmpdir(void);

#endif
