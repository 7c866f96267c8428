#!/usr/bin/env python3
"""gd_failure_geometry.py Z0.npy Z_HAT.npy DEPTH — where plain GD's failures
end, against the spurious point -rho_d z0 of Hand & Voroninski's landscape:
for the rows of Z_HAT (trials x k, from `ginv recover --save-z` with
`--truth Z0.npy`) that missed z0 (rel_error > 1e-5), prints rel_error, the
cosine with z0, |z|/|z0|, the distance ||z + rho_d z0|| / ||z0|| and how many
lie within 0.25 ||z0|| of -rho_d z0. rho_d from `ginv theory rho`.
(docs/recovery.md, section 2.)"""
import sys

import numpy as np

RHO = {1: 0.0, 2: 0.32, 3: 0.49, 4: 0.60}  # ginv theory rho --depth 4 --table, 2 digits


def main():
    z0 = np.load(sys.argv[1]).astype(float).ravel()
    Z = np.load(sys.argv[2]).astype(float).reshape(-1, z0.size)
    d = int(sys.argv[3])
    n0 = np.linalg.norm(z0)
    rel = np.linalg.norm(Z - z0, axis=1) / n0
    F = rel > 1e-5
    print("failures %d/%d" % (F.sum(), len(Z)))
    if not F.any():
        return
    cos = Z[F] @ z0 / (np.linalg.norm(Z[F], axis=1) * n0)
    ratio = np.linalg.norm(Z[F], axis=1) / n0
    near = np.linalg.norm(Z[F] + RHO[d] * z0, axis=1) / n0
    q = lambda v: "%.2f/%.2f/%.2f" % (v.min(), np.median(v), v.max())
    print("rel_error min/median/max %s; histogram over [1,1.2,1.4,1.6,1.8,2,2.5]: %s"
          % (q(rel[F]), np.histogram(rel[F], bins=[1, 1.2, 1.4, 1.6, 1.8, 2, 2.5])[0].tolist()))
    print("cos(z, z0) %s; |z|/|z0| %s (rho_%d = %.2f)" % (q(cos), q(ratio), d, RHO[d]))
    print("||z + rho_d z0||/||z0|| %s; within 0.25: %d of %d" % (q(near), (near < 0.25).sum(), F.sum()))


if __name__ == "__main__":
    main()
