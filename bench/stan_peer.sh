#!/usr/bin/env bash
# bench/stan_peer.sh — Stan as the peer (issue 15): the inpainting posterior
# of docs/sampling.md (shipped VAE decoder models/fmnist-vae-k20.safetensors,
# Fashion-MNIST test image 0, centred 14 x 14 box hidden, sigma 0.1, gaussian
# prior) sampled by Stan's NUTS with its defaults (bench/stan/vae_inpaint.stan,
# the decoder's weights passed as data; diag_e metric, adapt_delta 0.8, max
# depth 10; random inits in (-2, 2)) and by ginv's NUTS (adapted step and
# diagonal metric, GD start as in docs/sampling.md) and ginv's best (the same
# NUTS with its dense metric started at the Laplace covariance, --precond
# laplace --metric dense), the same chains, warm-up and draws, 4 chains on 2 cores (Stan: cores = 2; ginv: --threads 2), side by
# side in one run. Reports min bulk-ESS per second (the sampling alone, and
# the whole process: R's start, rstan loading the cached model and the data,
# sampling and summaries; ginv's start, GD, sampling and outputs), max R-hat,
# and the agreement of the posteriors: per-coordinate |mean difference| over
# sqrt(MCSE_ginv^2 + MCSE_stan^2). Stan's compile time (once, cached) is
# reported apart. Not a test: `make bench-stan`; docs/benchmarks.md records
# its figures with this command. Needs scripts/deps.sh --stan.
#
#   NSTAN_REPS [1]  NSTAN_CHAINS [4]  NSTAN_CORES [2]  NSTAN_WARMUP [1000]
#   NSTAN_DRAWS [1000]  GINV [build/ginv]  BENCH_OUT [bench/results]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
G=${GINV:-build/ginv}
REPS=${NSTAN_REPS:-1}
CH=${NSTAN_CHAINS:-4}
CORES=${NSTAN_CORES:-2}
WARM=${NSTAN_WARMUP:-1000}
DRAWS=${NSTAN_DRAWS:-1000}
OUT=$(mkdir -p "${BENCH_OUT:-bench/results}/stan" && cd "${BENCH_OUT:-bench/results}/stan" && pwd)
V=models/fmnist-vae-k20.safetensors
command -v Rscript >/dev/null && Rscript -e 'library(rstan); library(posterior)' >/dev/null 2>&1 ||
    { echo "stan_peer: rstan or posterior missing: run scripts/deps.sh --stan and --oracles" >&2; exit 1; }
[[ -s $OUT/cs_inp0/y.npy ]] ||
    $G cs --model $V --data "fashion-mnist:test[0:1]" --op inpaint-box --method csgm --iters 300 --restarts 2 \
        --out "$OUT/cs_inp0" -q
# the decoder's weights, the observed pixels (the complement of the centred
# box, raster order, 1-based) and y as an R dump for rstan::read_rdump
python3 - "$V" "$OUT/cs_inp0/y.npy" "$OUT/data.R" <<'PY'
import ast, json, struct, sys
from array import array
buf = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", buf[:8])[0]; hdr = json.loads(buf[8:8 + n]); base = 8 + n
def t(name):  # a safetensors F32 tensor: (flat values, shape)
    h = hdr[name]; assert h["dtype"] == "F32"
    a, b = h["data_offsets"]
    v = array("f"); v.frombytes(buf[base + a:base + b])
    return v, h["shape"]
raw = open(sys.argv[2], "rb").read()  # .npy version 1: magic, header length, header dict, data
hl = struct.unpack("<H", raw[8:10])[0]; meta = ast.literal_eval(raw[10:10 + hl].decode())
assert meta["descr"] == "<f4" and not meta["fortran_order"]
y = array("f"); y.frombytes(raw[10 + hl:])
idx = [r * 28 + c + 1 for r in range(28) for c in range(28) if not (7 <= r < 21 and 7 <= c < 21)]
assert len(idx) == len(y), (len(idx), len(y))
def vec(v): return "c(" + ", ".join(repr(float(x)) for x in v) + ")"
def mat(v, shape):  # row-major values of an r x c matrix, written column-major for R
    r, c = shape
    return "structure(%s, .Dim = c(%d, %d))" % (vec(v[i * c + j] for j in range(c) for i in range(r)), r, c)
with open(sys.argv[3], "w") as o:
    o.write("K <- 20\nH <- 500\nN <- 784\nM <- %d\nsigma <- 0.1\n" % len(y))
    for nm, key in (("W0", "layers.0.weight"), ("W1", "layers.2.weight"), ("W2", "layers.4.weight")):
        o.write("%s <- %s\n" % (nm, mat(*t(key))))
    for nm, key in (("b0", "layers.0.bias"), ("b1", "layers.2.bias"), ("b2", "layers.4.bias")):
        o.write("%s <- %s\n" % (nm, vec(t(key)[0])))
    o.write("idx <- c(%s)\ny <- %s\n" % (", ".join(map(str, idx)), vec(y)))
PY
cp -p bench/stan/vae_inpaint.stan "$OUT/vae_inpaint.stan"
if [[ ! -s $OUT/vae_inpaint.rds || $OUT/vae_inpaint.rds -ot $OUT/vae_inpaint.stan ]]; then
    t0=$(date +%s.%N)
    Rscript -e "rstan::rstan_options(auto_write = TRUE); invisible(rstan::stan_model('$OUT/vae_inpaint.stan'))" >/dev/null 2>&1
    t1=$(date +%s.%N)
    echo "stan model compiled in $(python3 -c "print('%.1f' % ($t1 - $t0))") s (cached in $OUT/vae_inpaint.rds)"
fi
for r in $(seq 1 "$REPS"); do
    d="$OUT/rep$r"
    mkdir -p "$d"
    t0=$(date +%s.%N)
    # each process's CPU seconds (user + system of it and its children, from
    # the subshell's `times`): a figure that the machine's other load inflates
    # far less than wall time
    ( Rscript bench/stan/run_stan.R "$OUT/data.R" "$d" "$CH" "$CORES" "$WARM" "$DRAWS" "$r" \
        "$OUT/vae_inpaint.stan" > "$d/stan.log" 2>&1; times > "$d/stan.cpu" )
    t1=$(date +%s.%N)
    ( $G sample --model $V --op inpaint-box --y "$OUT/cs_inp0/y.npy" --sigma 0.1 --prior gaussian --start gd \
        --gd-iters 1000 --gd-lr 0.1 --sampler nuts --chains "$CH" --burn-in "$WARM" --samples "$DRAWS" \
        --threads "$CORES" --chain-seed "$r" --allow-warnings -q --json "$d/ginv.json"; times > "$d/ginv.cpu" )
    t2=$(date +%s.%N)
    # ginv's best: the same NUTS, its dense metric started at the Laplace
    # covariance H^-1 of the GD point (--precond laplace) instead of I
    ( $G sample --model $V --op inpaint-box --y "$OUT/cs_inp0/y.npy" --sigma 0.1 --prior gaussian --start gd \
        --gd-iters 1000 --gd-lr 0.1 --sampler nuts --chains "$CH" --burn-in "$WARM" --samples "$DRAWS" \
        --threads "$CORES" --chain-seed "$r" --precond laplace --metric dense --allow-warnings -q \
        --json "$d/ginv_laplace.json"; times > "$d/ginv_laplace.cpu" )
    t3=$(date +%s.%N)
    python3 - "$d" "$r" "$t0" "$t1" "$t2" "$t3" <<'PY'
import csv, json, math, sys
d, rep, t0, t1, t2, t3 = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
S = list(csv.DictReader(open(d + "/stan_summary.csv")))
T = next(csv.DictReader(open(d + "/stan_times.csv")))
g = json.load(open(d + "/ginv.json")); G = g["diagnostics"]
smin = min(float(x["ess_bulk"]) for x in S); srh = max(float(x["rhat"]) for x in S)
gmin = g["summary"]["min_ess_bulk"]; grh = g["summary"]["max_rhat"]
dev = [abs(G[j]["mean"] - float(S[j]["mean"])) / math.hypot(G[j]["mcse_mean"], float(S[j]["mcse_mean"])) for j in range(len(G))]
ss, sp = float(T["sampling_s"]), t1 - t0
gs, gp = g["summary"]["sampling_seconds"], t2 - t1
def cpu(path):  # the second line of `times`: children's user and system, as XmY.Zs
    u, s_ = open(path).read().split("\n")[1].split()
    f = lambda t: float(t.split("m")[0]) * 60 + float(t.split("m")[1].rstrip("s"))
    return f(u) + f(s_)
sc, gc = cpu(d + "/stan.cpu"), cpu(d + "/ginv.cpu")
print("rep %s stan: min bulk-ESS %.1f, sampling %.2f s, process %.2f s, ESS/s %.3f / %.3f, max R-hat %.4f, "
      "%.1f leapfrog a draw, %s divergences, max depth %s, steps %s, chains warm-up %s s, sampling %s s"
      % (rep, smin, ss, sp, smin / ss, smin / sp, srh, float(T["leapfrog_per_draw"]), T["divergences"],
         T["max_depth"], T["step_size"], T["warmup_chain_s"], T["sample_chain_s"]))
print("rep %s ginv: min bulk-ESS %.1f, sampling %.2f s, process %.2f s, ESS/s %.1f / %.1f, max R-hat %.4f"
      % (rep, gmin, gs, gp, gmin / gs, gmin / gp, grh))
print("rep %s ratio ginv/stan ESS/s: sampling %.1f, process %.1f; agreement: max |mean diff|/MCSE %.2f "
      "(coordinate %d), %d of %d coordinates above 3"
      % (rep, (gmin / gs) / (smin / ss), (gmin / gp) / (smin / sp), max(dev), dev.index(max(dev)),
         sum(x > 3 for x in dev), len(dev)))
print("rep %s CPU seconds of the whole process (user + system): stan %.1f, ginv %.1f; min bulk-ESS per CPU "
      "second: stan %.2f, ginv %.2f, ratio %.1f"
      % (rep, sc, gc, smin / sc, gmin / gc, (gmin / gc) / (smin / sc)))
L = json.load(open(d + "/ginv_laplace.json")); LD = L["diagnostics"]
lmin, lrh, ls, lp, lc = (L["summary"]["min_ess_bulk"], L["summary"]["max_rhat"], L["summary"]["sampling_seconds"],
                         t3 - t2, cpu(d + "/ginv_laplace.cpu"))
ldev = [abs(LD[j]["mean"] - float(S[j]["mean"])) / math.hypot(LD[j]["mcse_mean"], float(S[j]["mcse_mean"]))
        for j in range(len(LD))]
print("rep %s ginv laplace (dense metric from H^-1): min bulk-ESS %.1f, sampling %.2f s, process %.2f s, CPU %.1f s, "
      "max R-hat %.4f, %.1f leapfrog a draw; ratio to stan ESS/s: sampling %.1f, process %.1f, CPU %.1f; "
      "agreement with stan: max |mean diff|/MCSE %.2f, %d of %d above 3"
      % (rep, lmin, ls, lp, lc, lrh, sum(L["sample_stats"]["mean_leapfrog"]) / len(L["sample_stats"]["mean_leapfrog"]),
         (lmin / ls) / (smin / ss), (lmin / lp) / (smin / sp), (lmin / lc) / (smin / sc), max(ldev),
         sum(x > 3 for x in ldev), len(ldev)))
PY
done | tee "$OUT/report.txt"
