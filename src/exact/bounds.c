/* bounds.c — interval propagation: from a latent box to bounds on every
 * pre-activation (the big-M constants of the MILP, the stable units of
 * branch and bound, the pruning bounds of enumeration). */
#include "exact_internal.h"
#include "base/check_internal.h"

#include <math.h>
#include <string.h>

/* lo/hi of w . h + b over h in [hl, hh]; 0 * inf counts as 0. */
static void affine_range(int in, const double *w, double b, const double *hl, const double *hh,
                         double *lo, double *hi)
{
    double l = b, h = b;
    for (int j = 0; j < in; j++) {
        if (w[j] > 0) {
            l += w[j] * hl[j];
            h += w[j] * hh[j];
        } else if (w[j] < 0) {
            l += w[j] * hh[j];
            h += w[j] * hl[j];
        }
    }
    *lo = isnan(l) ? -INFINITY : l;
    *hi = isnan(h) ? INFINITY : h;
}

void ginv_dnet_bounds(const ginv_dnet *d, const double *zlo, const double *zhi, double *lo,
                      double *hi)
{
    /* post-activation bounds of the previous layer, two buffers of maxw */
    double sbuf[4][256], *heap = NULL;
    double *al = sbuf[0], *ah = sbuf[1], *bl = sbuf[2], *bh = sbuf[3];
    if (d->maxw > 256) {
        heap = ginv_malloc(sizeof(double) * 4 * (size_t)d->maxw);
        if (!heap) { /* no bound rather than a wrong one */
            for (int u = 0; u < d->units; u++) { lo[u] = -INFINITY; hi[u] = INFINITY; }
            return;
        }
        al = heap; ah = heap + d->maxw; bl = heap + 2 * d->maxw; bh = heap + 3 * d->maxw;
    }
    memcpy(al, zlo, sizeof(double) * d->k);
    memcpy(ah, zhi, sizeof(double) * d->k);
    for (int l = 0; l < d->L; l++) {
        double *pl = lo + d->off[l], *ph = hi + d->off[l];
        for (int i = 0; i < d->out[l]; i++) {
            affine_range(d->in[l], d->W[l] + (size_t)i * d->in[l], d->b[l][i], al, ah, pl + i,
                         ph + i);
            bl[i] = d->relu[l] ? fmax(pl[i], 0) : pl[i];
            bh[i] = d->relu[l] ? fmax(ph[i], 0) : ph[i];
        }
        double *t = al; al = bl; bl = t;
        t = ah; ah = bh; bh = t;
    }
    ginv_free(heap);
}

ginv_status ginv_output_bounds(const ginv_net *net, const double *zlo, const double *zhi,
                               double *xlo, double *xhi)
{
    GINV_NONNULL(net);
    GINV_NONNULL(zlo);
    GINV_NONNULL(zhi);
    GINV_NONNULL(xlo);
    GINV_NONNULL(xhi);
    ginv_dnet d;
    ginv_status st = ginv_dnet_from(net, &d);
    if (st != GINV_OK) return st;
    double *lo = ginv_malloc(sizeof(double) * d.units), *hi = ginv_malloc(sizeof(double) * d.units);
    if (!lo || !hi) {
        st = ginv_fail(GINV_ERR_NOMEM, "out of memory");
    } else {
        ginv_dnet_bounds(&d, zlo, zhi, lo, hi);
        int o = d.off[d.L - 1], r = d.relu[d.L - 1];
        for (int i = 0; i < d.n; i++) {
            xlo[i] = r ? fmax(lo[o + i], 0) : lo[o + i];
            xhi[i] = r ? fmax(hi[o + i], 0) : hi[o + i];
        }
    }
    ginv_free(lo);
    ginv_free(hi);
    ginv_dnet_release(&d);
    return st;
}
