#!/usr/bin/python3
"""make test-oracles: ginv sample's diagnostics against the R package posterior.

Usage: /usr/bin/python3 tests/oracle/posterior_oracle.py BUILD/ginv

Runs ginv sample on several posteriors (NUTS on a small ReLU generator, MALA
from the GD point, a poorly mixed ULA run whose R-hat is far from 1, a
thinned HMC run, an odd number of draws per chain), hands each run's samples.npy to posterior::summarise_draws
(tests/oracle/posterior_oracle.R) and requires ginv's JSON per coordinate --
mean, sd, MCSE of the mean, R-hat (max of the rank-normalised bulk and folded
split R-hats), bulk and tail ESS, and the 5/50/95 % quantiles (type 7) -- to
agree within 1e-6 relative. Prints ok/FAIL per run and "N passed, M failed";
ORACLE_VERBOSE=1 also prints the largest relative difference per quantity.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

RUNS = {
    "nuts_relu": ["--layers", "4,20", "--m", "10", "--noise", "0.1", "--sampler", "nuts",
                  "--burn-in", "200", "--samples", "300", "--chains", "4"],
    "mala_gd": ["--layers", "6,40,80", "--m", "30", "--noise", "0.05", "--sampler", "mala",
                "--start", "gd", "--burn-in", "300", "--samples", "400", "--chains", "3"],
    "ula_unmixed": ["--layers", "5,30", "--m", "15", "--noise", "0.2", "--sampler", "ula",
                    "--step", "1e-4", "--start", "random", "--burn-in", "0", "--samples", "200",
                    "--chains", "4"],
    "hmc_thinned": ["--layers", "3,12", "--m", "8", "--noise", "0.3", "--sampler", "hmc",
                    "--leapfrog", "8", "--burn-in", "150", "--samples", "250", "--thin", "3",
                    "--chains", "2"],
    # an odd draw count: the split chains leave the middle draw out
    "nuts_odd_draws": ["--layers", "4,16", "--m", "9", "--noise", "0.1", "--sampler", "nuts",
                       "--burn-in", "100", "--samples", "201", "--chains", "3"],
}
KEYS = [("mean", "mean"), ("sd", "sd"), ("mcse_mean", "mcse_mean"), ("rhat", "rhat"),
        ("ess_bulk", "ess_bulk"), ("ess_tail", "ess_tail"), ("q5", "q5"), ("q50", "q50"),
        ("q95", "q95")]


def main():
    ginv = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in RUNS.items():
            out, js = os.path.join(tmp, name), os.path.join(tmp, name + ".json")
            try:
                subprocess.run([ginv, "sample", *args, "--seed", "3", "--allow-warnings", "--out", out,
                                "--json", js, "-q"], check=True, capture_output=True, text=True)
                x = np.load(os.path.join(out, "samples.npy")).transpose(1, 0, 2)  # C x S x k -> S x C x k
                S, C, K = x.shape
                draws = os.path.join(tmp, name + ".csv")
                np.savetxt(draws, x.reshape(-1).astype(np.float64), fmt="%.17g")  # the exact doubles ginv reads
                res = os.path.join(tmp, name + "_r.csv")
                subprocess.run(["Rscript", os.path.join(here, "posterior_oracle.R"), draws, str(S), str(C),
                                str(K), res], check=True, capture_output=True, text=True)
                rows = list(csv.DictReader(open(res)))
                ours = {d["coord"]: d for d in json.load(open(js))["diagnostics"]}
                worst, where = 0.0, ""
                for j, r in enumerate(rows):
                    for gk, rk in KEYS:
                        a, b = float(ours[j][gk]), float(r[rk])
                        rel = abs(a - b) / max(abs(b), 1e-12)
                        if rel > worst:
                            worst, where = rel, "z[%d] %s: ginv %.17g, posterior %.17g" % (j, gk, a, b)
                rh = max(float(r["rhat"]) for r in rows)
                if os.environ.get("ORACLE_VERBOSE"):
                    for gk, rk in KEYS:
                        m = max(abs(float(ours[j][gk]) - float(r[rk])) / max(abs(float(r[rk])), 1e-12)
                                for j, r in enumerate(rows))
                        print("  %s %s: largest relative difference %.3g" % (name, gk, m))
                if worst > 1e-6:
                    raise AssertionError("largest relative difference %.3g at %s" % (worst, where))
                print("ok posterior_oracle_%s (%d x %d x %d draws, max R-hat %.4f, largest relative "
                      "difference %.2g)" % (name, S, C, K, rh, worst))
                passed += 1
            except Exception as e:  # report every failure, then fail
                msg = e.stderr if isinstance(e, subprocess.CalledProcessError) else str(e)
                print("FAIL posterior_oracle_%s: %s" % (name, (msg or type(e).__name__).strip().splitlines()[-1]))
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
