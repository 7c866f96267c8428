#!/usr/bin/python3
"""paired_mse.py — summarise scripts/convvae_small_m.sh's JSON (ginv cs
--json): the tuning grid's mean MSE per model and lambda, and for each
evaluation setting the conv VAE's and the MLP VAE's mean per-pixel MSE with
the paired difference conv - MLP over the same images (mean +- 1.96 SE of
the differences, and on how many images the conv VAE is better).
  scripts/paired_mse.py OUTDIR
Extra evaluations on other images, more_<model>_<tag>.json (ginv cs --json),
are paired the same way, then pooled with the m = 25 tuned 20-restart pair
(eval_*_m25_tuned_r20.json) when it exists, with a two-sided sign test on
the number of images where the conv VAE is better.
The two models are $CONV and $MLP (defaults: the shipped fmnist-convvae-k20
and fmnist-vae-k20); rows are sorted by m."""
import glob
import json
import math
import os
import sys

CONV = os.environ.get("CONV", "fmnist-convvae-k20")
MLP = os.environ.get("MLP", "fmnist-vae-k20")


def load(path):
    d = json.load(open(path))
    return d["params"]["lambda"], {im["index"]: im["csgm"]["mse"] for im in d["images"]}, d["summary"]["csgm"]


def main(out):
    print("tuning (mean MSE on the held-out images):")
    for path in sorted(glob.glob(os.path.join(out, "tune_*.json"))):
        lam, _, s = load(path)
        print("  %-40s lambda %-5g %.5f +- %.5f" % (os.path.basename(path), lam, s["mse_mean"], s["mse_ci95"]))
    print("\n| m | setting | lambda conv / MLP | conv VAE | MLP VAE | conv - MLP (paired) | conv better on |")
    print("|---|---|---|---|---|---|---|")
    def m_of(path):  # eval_<model>_m<M>_<setting>.json: sort numerically by M
        return int(os.path.basename(path)[len("eval_%s_m" % CONV):].split("_")[0])
    for path in sorted(glob.glob(os.path.join(out, "eval_%s_m*.json" % CONV)), key=lambda p: (m_of(p), p)):
        tag = os.path.basename(path)[len("eval_%s_" % CONV):-len(".json")]
        other = os.path.join(out, "eval_%s_%s.json" % (MLP, tag))
        if not os.path.exists(other):
            continue
        lc, c, sc = load(path)
        lm, p, sm = load(other)
        idx = sorted(set(c) & set(p))
        d = [c[i] - p[i] for i in idx]
        n = len(d)
        mean = sum(d) / n
        sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1)) if n > 1 else float("nan")
        m, setting = tag.split("_", 1)
        print("| %s | %s | %g / %g | %.4f +- %.4f | %.4f +- %.4f | %+.4f +- %.4f | %d of %d |" % (
            m[1:], setting, lc, lm, sc["mse_mean"], sc["mse_ci95"], sm["mse_mean"], sm["mse_ci95"],
            mean, 1.96 * sd / math.sqrt(n), sum(x < 0 for x in d), n))


def paired(c, p):
    """conv - MLP per image over their common images: the differences"""
    return [c[i] - p[i] for i in sorted(set(c) & set(p))]


def summary(d):
    n = len(d)
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1)) if n > 1 else float("nan")
    better = sum(x < 0 for x in d)
    k = max(better, n - better)  # two-sided sign test (exact binomial, p = 1/2)
    sign_p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k, n + 1)) / 2 ** n)
    return "%+.5f +- %.5f over %d images, conv better on %d (sign test p = %.3g)" % (
        mean, 1.96 * sd / math.sqrt(n), n, better, sign_p)


def extra(out):
    pooled = []
    for path in sorted(glob.glob(os.path.join(out, "more_%s_*.json" % CONV))):
        tag = os.path.basename(path)[len("more_%s_" % CONV):]
        other = os.path.join(out, "more_%s_%s" % (MLP, tag))
        if not os.path.exists(other):
            continue
        d = paired(load(path)[1], load(other)[1])
        print("\nmore %s: %s" % (tag[:-len(".json")], summary(d)))
        pooled += d
    ev = [os.path.join(out, "eval_%s_m25_tuned_r20.json" % m) for m in (CONV, MLP)]
    if pooled and all(os.path.exists(e) for e in ev):
        print("pooled with eval m25_tuned_r20: %s" % summary(pooled + paired(load(ev[0])[1], load(ev[1])[1])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/convvae-small-m")
    extra(sys.argv[1] if len(sys.argv) > 1 else "out/convvae-small-m")
