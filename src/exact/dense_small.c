/* dense_small.c — the little dense linear algebra of the leaf QP and the
 * witness polisher (k is small): a cyclic Jacobi eigen-solver and
 * pseudo-inverse solves of positive semidefinite systems. */
#include "exact_internal.h"

#include <math.h>
#include <string.h>

void ginv_jacobi_eig(int n, double *A, double *ev, double *V)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) V[i * n + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, tot = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                tot += A[i * n + j] * A[i * n + j];
                if (i != j) off += A[i * n + j] * A[i * n + j];
            }
        if (off <= 1e-30 * tot || off == 0) break;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++) {
                double apq = A[p * n + q];
                if (apq == 0) continue;
                double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int r = 0; r < n; r++) { /* columns p, q */
                    double arp = A[r * n + p], arq = A[r * n + q];
                    A[r * n + p] = c * arp - s * arq;
                    A[r * n + q] = s * arp + c * arq;
                }
                for (int r = 0; r < n; r++) { /* rows p, q */
                    double apr = A[p * n + r], aqr = A[q * n + r];
                    A[p * n + r] = c * apr - s * aqr;
                    A[q * n + r] = s * apr + c * aqr;
                }
                for (int r = 0; r < n; r++) {
                    double vrp = V[r * n + p], vrq = V[r * n + q];
                    V[r * n + p] = c * vrp - s * vrq;
                    V[r * n + q] = s * vrp + c * vrq;
                }
            }
    }
    for (int i = 0; i < n; i++) ev[i] = A[i * n + i];
}

int ginv_psd_solve(int n, const double *S, const double *r, double rel, double *x)
{
    double *A = ginv_malloc(sizeof(double) * n * n), *V = ginv_malloc(sizeof(double) * n * n);
    double *ev = ginv_malloc(sizeof(double) * n);
    int rank = 0;
    if (!A || !V || !ev) {
        memset(x, 0, sizeof(double) * n);
        goto out;
    }
    memcpy(A, S, sizeof(double) * n * n);
    ginv_jacobi_eig(n, A, ev, V);
    double mx = 0;
    for (int i = 0; i < n; i++) mx = fmax(mx, fabs(ev[i]));
    memset(x, 0, sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        if (!(ev[i] > rel * mx) || mx == 0) continue;
        rank++;
        double c = 0;
        for (int j = 0; j < n; j++) c += V[j * n + i] * r[j];
        c /= ev[i];
        for (int j = 0; j < n; j++) x[j] += c * V[j * n + i];
    }
out:
    ginv_free(A);
    ginv_free(V);
    ginv_free(ev);
    return rank;
}
