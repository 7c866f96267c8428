/* qp.c — the convex QP at the l2 leaves of branch and bound:
 *     min ||C z + e||^2  subject to  A z <= c
 * (C: nr x k, A: m x k, k small), by a primal active-set method that allows a
 * singular C^T C (the gradient 2 C^T (C z + e) never has a component along
 * the null space of C, so each equality-constrained step has a minimiser: the
 * pseudo-inverse one). Its certificate is a Lagrangian dual bound, valid for
 * any multipliers (docs/decide.md). */
#include "exact_internal.h"

#include <math.h>
#include <string.h>

int ginv_qp_solve(int k, int nr, const double *C, const double *e, int m, const double *A,
                  const double *c, double *z, double *lam)
{
    double *H = ginv_calloc((size_t)k * k, sizeof(double));
    double *M = ginv_malloc(sizeof(double) * k * k), *V = ginv_malloc(sizeof(double) * k * k);
    double *ev = ginv_malloc(sizeof(double) * k), *N = ginv_malloc(sizeof(double) * k * k);
    double *R = ginv_malloc(sizeof(double) * k * k), *rhs = ginv_malloc(sizeof(double) * k);
    double *y = ginv_malloc(sizeof(double) * k), *p = ginv_malloc(sizeof(double) * k);
    double *g = ginv_malloc(sizeof(double) * k), *r = ginv_malloc(sizeof(double) * (nr + 1));
    double *mu = ginv_malloc(sizeof(double) * (k + 1));
    int *W = ginv_malloc(sizeof(int) * (k + 1)), nw = 0, ret = 1;
    char *inW = ginv_calloc((size_t)m + 1, 1);
    if (!H || !M || !V || !ev || !N || !R || !rhs || !y || !p || !g || !r || !mu || !W || !inW)
        goto out;
    memset(lam, 0, sizeof(double) * m);
    for (int i = 0; i < nr; i++)
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) H[a * k + b] += C[(size_t)i * k + a] * C[(size_t)i * k + b];
    int maxit = 50 * (m + k) + 100;
    for (int it = 0; it < maxit; it++) {
        double zn = 0, gn = 0;
        for (int i = 0; i < nr; i++) {
            double s = e[i];
            for (int t = 0; t < k; t++) s += C[(size_t)i * k + t] * z[t];
            r[i] = s;
        }
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (int i = 0; i < nr; i++) s += C[(size_t)i * k + a] * r[i];
            g[a] = s; /* half the gradient */
            gn = fmax(gn, fabs(s));
            zn = fmax(zn, fabs(z[a]));
        }
        /* N: a basis of the null space of the working rows */
        int nn = 0;
        if (nw == 0) {
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++) N[a * k + b] = a == b;
            nn = k;
        } else {
            memset(M, 0, sizeof(double) * k * k);
            for (int w = 0; w < nw; w++) {
                const double *Aw = A + (size_t)W[w] * k;
                for (int a = 0; a < k; a++)
                    for (int b = 0; b < k; b++) M[a * k + b] += Aw[a] * Aw[b];
            }
            ginv_jacobi_eig(k, M, ev, V);
            double mx = 0;
            for (int a = 0; a < k; a++) mx = fmax(mx, ev[a]);
            for (int a = 0; a < k; a++)
                if (ev[a] <= 1e-10 * mx) {
                    for (int b = 0; b < k; b++) N[b * k + nn] = V[b * k + a];
                    nn++;
                }
        }
        memset(p, 0, sizeof(double) * k);
        if (nn > 0) { /* min over y of ||C (z + N y) + e||^2 */
            for (int a = 0; a < nn; a++) {
                double s = 0;
                for (int t = 0; t < k; t++) s -= N[t * k + a] * g[t];
                rhs[a] = s;
                for (int b = 0; b < nn; b++) {
                    double h = 0;
                    for (int s1 = 0; s1 < k; s1++) {
                        double hn = 0;
                        for (int s2 = 0; s2 < k; s2++) hn += H[s1 * k + s2] * N[s2 * k + b];
                        h += N[s1 * k + a] * hn;
                    }
                    R[a * nn + b] = h;
                }
            }
            ginv_psd_solve(nn, R, rhs, 1e-12, y);
            for (int t = 0; t < k; t++)
                for (int a = 0; a < nn; a++) p[t] += N[t * k + a] * y[a];
        }
        double pn = 0;
        for (int t = 0; t < k; t++) pn = fmax(pn, fabs(p[t]));
        if (pn <= 1e-12 * (1 + zn)) {
            if (nw == 0) {
                ret = 0;
                goto out;
            }
            /* multipliers: A_W^T mu = -g in least squares; lambda = 2 mu */
            for (int a = 0; a < nw; a++) {
                const double *Aa = A + (size_t)W[a] * k;
                double s = 0;
                for (int t = 0; t < k; t++) s -= Aa[t] * g[t];
                rhs[a] = s;
                for (int b = 0; b < nw; b++) {
                    const double *Ab = A + (size_t)W[b] * k;
                    double d = 0;
                    for (int t = 0; t < k; t++) d += Aa[t] * Ab[t];
                    R[a * nw + b] = d;
                }
            }
            ginv_psd_solve(nw, R, rhs, 1e-14, mu);
            int worst = -1;
            double wv = -1e-12 * (1 + gn);
            for (int a = 0; a < nw; a++)
                if (mu[a] < wv) {
                    wv = mu[a];
                    worst = a;
                }
            memset(lam, 0, sizeof(double) * m);
            for (int a = 0; a < nw; a++) lam[W[a]] = mu[a] > 0 ? 2 * mu[a] : 0;
            if (worst < 0) {
                ret = 0;
                goto out;
            }
            inW[W[worst]] = 0;
            W[worst] = W[--nw];
            continue;
        }
        double alpha = 1;
        int block = -1;
        for (int i = 0; i < m; i++) {
            if (inW[i]) continue;
            const double *Ai = A + (size_t)i * k;
            double ap = 0, an = 0, az = 0;
            for (int t = 0; t < k; t++) {
                ap += Ai[t] * p[t];
                an = fmax(an, fabs(Ai[t]));
                az += Ai[t] * z[t];
            }
            if (ap <= 1e-14 * an * pn) continue;
            double t = fmax(c[i] - az, 0) / ap;
            if (t < alpha) {
                alpha = t;
                block = i;
            }
        }
        for (int t = 0; t < k; t++) z[t] += alpha * p[t];
        if (block >= 0 && nw < k) {
            W[nw++] = block;
            inW[block] = 1;
        }
    }
out:
    ginv_free(H); ginv_free(M); ginv_free(V); ginv_free(ev); ginv_free(N); ginv_free(R);
    ginv_free(rhs); ginv_free(y); ginv_free(p); ginv_free(g); ginv_free(r); ginv_free(mu);
    ginv_free(W); ginv_free(inW);
    return ret;
}
