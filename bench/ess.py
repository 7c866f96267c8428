#!/usr/bin/python3
"""ess.py — rank-normalised split bulk-ESS (Vehtari, Gelman, Simpson, Carpenter
& Bürkner 2021) of an array of MCMC samples, with numpy only.  The sampling
benchmark (bench/sample_run.sh) computes the ESS of ginv's samples and of the
PyTorch peer's with this one implementation, so both columns use identical
ESS code.

For one scalar quantity with draws x[s, c] (S draws of C chains):
  - split: each chain into its two halves of h = S // 2 draws (the middle draw
    of an odd S is dropped): 2C chains of h;
  - rank-normalise over all S*C pooled draws: z = Phi^-1((r - 3/8) / (n + 1/4)),
    r the rank (ties: the average rank);
  - ESS of the split rank-normalised chains: rho_t = 1 - (W - mean_m s_m^2
    rho_{t,m}) / var+, with rho_{t,m} chain m's autocorrelation (autocovariance
    divisor h), W the mean within-chain variance (divisor h - 1), var+ =
    (h-1)/h W + var(chain means); Geyer's initial monotone sequence P_k =
    rho_2k + rho_2k+1 summed while positive and made non-increasing;
    tau = -1 + 2 sum P_k, kept >= 1/log10(N M); ESS = N M / tau.
This is the definition docs/sampling.md gives for `ginv sample`'s bulk-ESS.

usage: ess.py SAMPLES.npy [--json]   (C x S x k, chain-first; prints min / median bulk-ESS)
"""
import json
import statistics
import sys

import numpy as np

_QCACHE = {}


def _normal_quantiles_of_half_ranks(n):
    """q[j] = Phi^-1((j/2 - 3/8) / (n + 1/4)) for j = 0..2n (cached per n): the
    rank-normal scores of every rank and half-rank (average ranks of ties)."""
    q = _QCACHE.get(n)
    if q is None:
        nd = statistics.NormalDist()
        q = np.array([nd.inv_cdf((0.5 * j - 0.375) / (n + 0.25)) if j >= 2 else np.nan
                      for j in range(2 * n + 1)])
        _QCACHE[n] = q
    return q


def rank_normalise(x):
    """Rank-normalise the pooled draws of x (any shape); ties get average ranks."""
    flat = np.asarray(x, dtype=np.float64).ravel()
    n = flat.size
    order = np.argsort(flat, kind="mergesort")
    srt = flat[order]
    # runs of equal values in the sorted draws: ranks a+1..b share (a+1+b)/2
    starts = np.flatnonzero(np.r_[True, srt[1:] != srt[:-1]])
    ends = np.r_[starts[1:], n]  # exclusive
    twice_rank = np.repeat(starts + 1 + ends, ends - starts)  # 2 x average rank, sorted order
    z = np.empty(n)
    z[order] = _normal_quantiles_of_half_ranks(n)[twice_rank]
    return z.reshape(np.shape(x))


def split_chains(x):
    """x [S, C] -> [h, 2C]: first halves, then second halves (middle draw of odd S dropped)."""
    S = x.shape[0]
    h = S // 2
    return np.concatenate([x[:h], x[S - h:]], axis=1)


def ess(x):
    """ESS of draws x [N, M] (N draws of M chains), Geyer's initial monotone sequence."""
    x = np.asarray(x, dtype=np.float64)
    N, M = x.shape
    if N < 4:
        return float("nan")
    means = x.mean(axis=0)
    d = x - means
    # autocovariances with divisor N, all lags, by FFT (zero-padded: no wrap-around)
    nfft = 1 << (2 * N - 1).bit_length()
    f = np.fft.rfft(d, n=nfft, axis=0)
    acov = np.fft.irfft(f * np.conj(f), n=nfft, axis=0)[:N] / N  # [N, M]
    acov0 = acov[0]
    s2 = acov0 * N / (N - 1)
    W = s2.mean()
    if not W > 0:
        return float("nan")
    B_over_N = means.var(ddof=1) if M > 1 else 0.0
    vp = (N - 1) / N * W + B_over_N
    with np.errstate(invalid="ignore", divide="ignore"):
        rho_m = np.where(acov0 > 0, acov / acov0, 0.0)  # a constant chain contributes nothing
    rho = 1.0 - (W - (s2 * rho_m).mean(axis=1)) / vp  # [N]
    tau_half = 0.0
    prev = float("inf")
    k = 0
    while 2 * k + 1 < N:
        P = rho[2 * k] + rho[2 * k + 1]
        if not P > 0:
            break
        if P > prev:
            P = prev
        tau_half += P
        prev = P
        k += 1
    NM = N * M
    tau = -1.0 + 2.0 * tau_half
    floor_ = 1.0 / np.log10(NM)
    if not tau >= floor_:
        tau = floor_
    return float(NM / tau)


def bulk_ess(x):
    """Bulk-ESS of one quantity, draws x [S, C]."""
    return ess(split_chains(rank_normalise(x)))


def bulk_ess_all(samples):
    """Per-coordinate bulk-ESS of samples [S, C, k]."""
    samples = np.asarray(samples)
    return [bulk_ess(samples[:, :, j]) for j in range(samples.shape[2])]


def summary(path):
    """The bulk-ESS of a chain-first C x S x k samples file (ginv's samples.npy)."""
    s = np.load(path)
    if s.ndim != 3:
        raise ValueError(f"{path}: expected C x S x k samples, got shape {s.shape}")
    s = s.transpose(1, 0, 2)
    e = bulk_ess_all(s)
    return {"S": s.shape[0], "C": s.shape[1], "k": s.shape[2], "min_ess_bulk": min(e),
            "median_ess_bulk": float(np.median(e)), "ess_bulk": e,
            "finite": bool(np.isfinite(s).all())}


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    d = summary(argv[1])
    if "--json" in argv[2:]:
        print(json.dumps(d))
    else:
        print(f"{d['S']} x {d['C']} x {d['k']}: min bulk-ESS {d['min_ess_bulk']:.1f}, "
              f"median {d['median_ess_bulk']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
