/* test_theory.c — the angle calculus of Hand & Voroninski §II. */
#include "test.h"

TEST(theory_g_is_monotone_and_contracts_angles)
{
    /* g(0) = 0, g(pi) = acos(0) = pi/2, g increasing, g(theta) <= theta */
    CHECK_NEAR(ginv_theory_g(0), 0, 1e-7);
    CHECK_NEAR(ginv_theory_g(M_PI), M_PI / 2, 1e-12);
    double prev = -1;
    for (int i = 0; i <= 10000; i++) {
        double th = M_PI * i / 10000, g = ginv_theory_g(th);
        CHECK_MSG(g >= prev, "g not monotone at %g", th);
        CHECK_MSG(g <= th + 1e-12, "g(%g) = %g > theta", th, g);
        prev = g;
    }
}

TEST(theory_rho_matches_an_independent_horner_evaluation)
{
    /* rho_d = sum_i s_i prod_{j>i} p_j evaluated forwards as r <- r p_i + s_i
     * in long double, angles iterated with their own acos formula: agreement
     * to 1e-9 for d = 1..20; rho_1 = sin(pi)/pi = 0, rho_2 = 1/pi (th_1 = pi/2:
     * sin(pi)/pi * 1/2 + sin(pi/2)/pi), and rho_d -> 1 slowly. */
    for (int d = 1; d <= 20; d++) {
        long double th = M_PIl, r = 0;
        for (int i = 0; i < d; i++) {
            if (i > 0) th = acosl(((M_PIl - th) * cosl(th) + sinl(th)) / M_PIl);
            r = r * ((M_PIl - th) / M_PIl) + sinl(th) / M_PIl;
        }
        CHECK_NEAR(ginv_theory_rho(d), (double)r, 1e-9);
    }
    CHECK_NEAR(ginv_theory_rho(1), 0, 1e-15);
    CHECK_NEAR(ginv_theory_rho(2), 1 / M_PI, 1e-12);
    CHECK(ginv_theory_rho(20) > ginv_theory_rho(5));
    CHECK(ginv_theory_rho(200) < 1.0 && ginv_theory_rho(200) > 0.8);
}

TEST(theory_h_vanishes_at_x0_and_at_minus_rho_x0)
{
    double x0[3] = {0.3, -1.2, 0.8}, x[3], h[3];
    for (int d = 2; d <= 6; d++) {
        CHECK_OK(ginv_theory_h(d, 3, x0, x0, h));
        for (int i = 0; i < 3; i++) CHECK_NEAR(h[i], 0, 1e-12);
        double rho = ginv_theory_rho(d);
        for (int i = 0; i < 3; i++) x[i] = -rho * x0[i];
        CHECK_OK(ginv_theory_h(d, 3, x, x0, h));
        for (int i = 0; i < 3; i++) CHECK_NEAR(h[i], 0, 1e-12);
        /* and not elsewhere on the ray: at -x0 it points along -x0 times (1 - rho)/2^d */
        for (int i = 0; i < 3; i++) x[i] = -x0[i];
        CHECK_OK(ginv_theory_h(d, 3, x, x0, h));
        for (int i = 0; i < 3; i++) CHECK_NEAR(h[i], -(1 - rho) * x0[i] / (1 << d), 1e-12);
    }
}

TEST(theory_g_iter_is_g_composed_d_times)
{
    /* g(0) = 0 is a fixed point; g_iter(theta, 0) = theta; otherwise the
     * composition by hand */
    CHECK(ginv_theory_g_iter(0.7, 0) == 0.7);
    CHECK(ginv_theory_g_iter(0.0, 5) == 0.0);
    double t = 1.3;
    for (int d = 1; d <= 6; d++) {
        t = ginv_theory_g(t);
        CHECK_NEAR(ginv_theory_g_iter(1.3, d), t, 1e-15);
    }
    /* g(theta) < theta on (0, pi]: the iterates shrink */
    CHECK(ginv_theory_g_iter(1.3, 3) < ginv_theory_g_iter(1.3, 2));
}
