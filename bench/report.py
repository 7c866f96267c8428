#!/usr/bin/python3
"""report.py — turn the benchmark's raw samples into the result table.

usage: report.py --raw RAW.jsonl --meta META.json --json OUT.json --md OUT.md

RAW.jsonl has one JSON object per run: {"impl": "ginv"|"torch"|"blas", "B",
"threads", "rep", "seconds_per_iter"} (or "error"/"skipped" instead of a
time).  Prints the table to stdout, writes the medians, every sample and the
target check to OUT.json and a markdown version to OUT.md.
"""
import json
import statistics
import sys

import report_io

IMPLS = ("ginv", "torch", "blas")

# The targets, at 2 threads: (B, min torch/ginv, min blas/ginv).
TARGETS = [(1, 5.0, 1 / 1.3), (64, 1.4, 0.9), (256, 1.3, 0.9)]
TARGET_THREADS = 2


def fmt_ms(s):
    return "n/a" if s is None else f"{s * 1e3:.3f}"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}"


def fmt_ratio3(r):
    return "n/a" if r is None else f"{r:.3f}"


def main():
    a, meta, samples = report_io.load()

    configs = sorted({(s["B"], s["threads"]) for s in samples})
    rows = []
    notes = set()
    for B, T in configs:
        row = {"B": B, "threads": T}
        spreads = []
        for impl in IMPLS:
            ss = [s for s in samples if s["impl"] == impl and s["B"] == B and s["threads"] == T]
            times = [s["seconds_per_iter"] for s in ss if "seconds_per_iter" in s]
            for s in ss:
                if "skipped" in s:
                    notes.add(f"{impl}: skipped ({s['skipped']})")
                if "error" in s:
                    notes.add(f"{impl} B={B} T={T}: {s['error']}")
            iters = sorted({s.get("iters") for s in ss if s.get("iters")})
            med = statistics.median(times) if times else None
            row[impl] = {"median_s": med, "samples_s": times, "n": len(times),
                         "iters": iters[0] if len(iters) == 1 else iters,
                         "min_s": min(times) if times else None,
                         "max_s": max(times) if times else None}
            if times and med:
                spreads.append((max(times) - min(times)) / med)
        g, t, b = (row[i]["median_s"] for i in IMPLS)
        row["torch_over_ginv"] = t / g if g and t else None
        row["ginv_over_blas"] = g / b if g and b else None
        row["blas_over_ginv"] = b / g if g and b else None
        row["spread"] = max(spreads) if spreads else None
        rows.append(row)

    checks = []
    for B, min_speedup, min_blas_frac in TARGETS:
        r = next((x for x in rows if x["B"] == B and x["threads"] == TARGET_THREADS), None)
        if r is None:
            continue
        sp, bf = r["torch_over_ginv"], r["blas_over_ginv"]
        checks.append({"B": B, "threads": TARGET_THREADS,
                       "torch_over_ginv": sp, "target_torch_over_ginv": min_speedup,
                       "speedup_met": None if sp is None else sp >= min_speedup,
                       "blas_over_ginv": bf, "target_blas_over_ginv": round(min_blas_frac, 4),
                       "blas_limit_met": None if bf is None else bf >= min_blas_frac})

    out = {"meta": meta, "rows": rows, "targets": checks, "notes": sorted(notes)}
    with open(a.json, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")

    # ---- text table ------------------------------------------------------
    hdr = ("B", "threads", "ginv ms/iter", "torch ms/iter", "blas-chain ms/iter",
           "torch/ginv", "ginv/blas", "spread")
    lines = []
    for r in rows:
        lines.append((str(r["B"]), str(r["threads"]), fmt_ms(r["ginv"]["median_s"]),
                      fmt_ms(r["torch"]["median_s"]), fmt_ms(r["blas"]["median_s"]),
                      fmt_ratio(r["torch_over_ginv"]), fmt_ratio(r["ginv_over_blas"]),
                      "n/a" if r["spread"] is None else f"{100 * r['spread']:.0f}%"))
    w = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(hdr)]
    print("  ".join(h.rjust(w[i]) for i, h in enumerate(hdr)))
    for l in lines:
        print("  ".join(c.rjust(w[i]) for i, c in enumerate(l)))
    print()

    def verdict(v):
        return "n/a" if v is None else ("met" if v else "MISSED")

    check_lines = []
    for c in checks:
        check_lines.append(
            f"B={c['B']} T={c['threads']}: torch/ginv {fmt_ratio3(c['torch_over_ginv'])} "
            f"(target >= {c['target_torch_over_ginv']:g}: {verdict(c['speedup_met'])}); "
            f"blas/ginv {fmt_ratio3(c['blas_over_ginv'])} "
            f"(target >= {c['target_blas_over_ginv']:.2f}: {verdict(c['blas_limit_met'])})")
    for l in check_lines:
        print(l)
    for n in sorted(notes):
        print("note:", n)

    # ---- markdown ---------------------------------------------------------
    md = []
    md.append(f"Medians of {meta.get('reps', '?')} interleaved runs, "
              f"{meta.get('date', '')}, {meta.get('cpu', '')} "
              f"({meta.get('nproc', '?')} CPUs), OpenBLAS core "
              f"`{meta.get('openblas_core', '?')}`"
              + (f" (OPENBLAS_CORETYPE={meta['openblas_coretype']})"
                 if meta.get("openblas_coretype") else "")
              + (f"; {meta['ginv']}" if meta.get("ginv") else "")
              + (f"; torch {meta['torch']}" if meta.get("torch") else "; no torch") + ".")
    md.append("")
    md.append("| " + " | ".join(hdr) + " |")
    md.append("|" + "|".join("---:" for _ in hdr) + "|")
    for l in lines:
        md.append("| " + " | ".join(l) + " |")
    md.append("")
    md.append("spread: the largest (max - min) / median of the three columns' samples.")
    md.append("")
    md.append("Best (minimum) of the same samples, the least disturbed by other load:")
    md.append("")
    bh = ("B", "threads", "ginv ms/iter", "torch ms/iter", "blas-chain ms/iter",
          "torch/ginv", "ginv/blas")
    md.append("| " + " | ".join(bh) + " |")
    md.append("|" + "|".join("---:" for _ in bh) + "|")
    for r in rows:
        g, t, b = (r[i]["min_s"] for i in IMPLS)
        md.append("| " + " | ".join((str(r["B"]), str(r["threads"]), fmt_ms(g), fmt_ms(t),
                                     fmt_ms(b), fmt_ratio(t / g if g and t else None),
                                     fmt_ratio(g / b if g and b else None))) + " |")
    titer = {r["B"]: r["torch"]["iters"] for r in rows if r["torch"]["iters"]}
    odd = {B: it for B, it in titer.items() if it != meta.get("iters")}
    if odd:
        md.append("torch timed over " + ", ".join(f"{it} iterations at B={B}"
                                                  for B, it in sorted(odd.items()))
                  + f" (the others {meta.get('iters')}).")
    md.append("")
    for l in check_lines:
        md.append("- " + l)
    for n in sorted(notes):
        md.append("- note: " + n)
    with open(a.md, "w") as f:
        f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
