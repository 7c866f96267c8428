#!/usr/bin/python3
"""sample_report.py — the sampling benchmark's raw samples into its table.

usage: sample_report.py --raw RAW.jsonl --meta META.json --json OUT.json --md OUT.md

RAW.jsonl has one JSON object per run: {"impl": "ginv"|"torch"|"blas",
"threads", "rep", "seconds_per_step"} and, for the two samplers, "seconds"
(the timed loop: burn-in and samples), "min_ess_bulk" (bench/ess.py, the
smallest bulk-ESS over the latent coordinates) and "ess_per_second"
(= min_ess_bulk / seconds); or "error"/"skipped".  Prints the table, writes
medians, every sample and the target check to OUT.json and markdown to OUT.md.

ESS/s: the ESS of a run is a random quantity (about +-10 % between seeds for
the smallest bulk-ESS over 20 coordinates) whose expectation depends only on
the Markov chain (target, step, length), which both samplers share; the time
per step depends on the implementation and the thread count. So the headline
ESS/s of an implementation at T threads is (mean ESS over all its runs, every
thread count) / (median loop seconds at T); the per-run median of
ESS/seconds is kept beside it as "ess_per_second_per_run".
"""
import json
import statistics
import sys

import report_io

IMPLS = ("ginv", "torch", "blas")
TARGET_THREADS = 2
TARGET_ESS_SPEEDUP = 1.4  # ginv ESS/s >= 1.4 x torch ESS/s
TARGET_CHAIN_FRAC = 0.9   # chain ms/step >= 0.9 x ginv ms/step


def med(v):
    return statistics.median(v) if v else None


def f_ms(s):
    return "n/a" if s is None else f"{s * 1e3:.3f}"


def f_num(x, d=1):
    return "n/a" if x is None else f"{x:.{d}f}"


def ratio(a, b):
    return a / b if a and b else None


def main():
    a, meta, samples = report_io.load()

    rows, notes = [], set()
    pooled = {}
    for impl in ("ginv", "torch"):
        e = [s["min_ess_bulk"] for s in samples if s["impl"] == impl and "seconds_per_step" in s]
        em = [s["median_ess_bulk"] for s in samples
              if s["impl"] == impl and "seconds_per_step" in s and s.get("median_ess_bulk")]
        pooled[impl] = {"runs": len(e), "mean_min_ess_bulk": statistics.mean(e) if e else None,
                        "sd_min_ess_bulk": statistics.stdev(e) if len(e) > 1 else None,
                        "mean_median_ess_bulk": statistics.mean(em) if em else None}
    for T in sorted({s["threads"] for s in samples}):
        row = {"threads": T}
        for impl in IMPLS:
            ss = [s for s in samples if s["impl"] == impl and s["threads"] == T]
            for s in ss:
                if "skipped" in s:
                    notes.add(f"{impl}: skipped ({s['skipped']})")
                if "error" in s:
                    notes.add(f"{impl} T={T}: {s['error']}")
                if s.get("finite") is False:
                    notes.add(f"{impl} T={T} rep {s['rep']}: non-finite samples")
            ok = [s for s in ss if "seconds_per_step" in s]
            r = {"n": len(ok), "samples": ok,
                 "seconds_per_step": med([s["seconds_per_step"] for s in ok]),
                 "min_seconds_per_step": min((s["seconds_per_step"] for s in ok), default=None)}
            if impl != "blas":
                pe = pooled[impl]["mean_min_ess_bulk"]
                r["min_ess_bulk"] = pe
                r["min_ess_bulk_median_here"] = med([s["min_ess_bulk"] for s in ok])
                secs = med([s["seconds"] for s in ok])
                r["ess_per_second"] = pe / secs if pe and secs else None
                r["ess_per_second_per_run"] = med([s["ess_per_second"] for s in ok])
                r["max_ess_per_second"] = max((s["ess_per_second"] for s in ok), default=None)
            if impl == "ginv":
                # the cross-check: ginv's own diagnostics against bench/ess.py
                d = [abs(s["ginv_min_ess_bulk"] - s["min_ess_bulk"]) / s["min_ess_bulk"]
                     for s in ok if s.get("ginv_min_ess_bulk")]
                r["ess_rel_diff_vs_ginv_diag"] = max(d) if d else None
                r["max_rhat"] = med([s["max_rhat"] for s in ok if s.get("max_rhat") is not None])
            row[impl] = r
        g, t, b = row["ginv"], row["torch"], row["blas"]
        row["ess_speedup"] = ratio(g.get("ess_per_second"), t.get("ess_per_second"))
        row["ess_speedup_per_run"] = ratio(g.get("ess_per_second_per_run"), t.get("ess_per_second_per_run"))
        row["time_speedup"] = ratio(t["seconds_per_step"], g["seconds_per_step"])
        row["chain_over_ginv"] = ratio(b["seconds_per_step"], g["seconds_per_step"])
        row["best_ess_speedup"] = ratio(g.get("max_ess_per_second"), t.get("max_ess_per_second"))
        row["best_chain_over_ginv"] = ratio(b["min_seconds_per_step"], g["min_seconds_per_step"])
        rows.append(row)

    checks = []
    r = next((x for x in rows if x["threads"] == TARGET_THREADS), None)
    if r is not None:
        checks.append({"threads": TARGET_THREADS, "what": "ESS/s ginv / torch",
                       "value": r["ess_speedup"], "target": TARGET_ESS_SPEEDUP,
                       "met": None if r["ess_speedup"] is None else r["ess_speedup"] >= TARGET_ESS_SPEEDUP})
        checks.append({"threads": TARGET_THREADS, "what": "chain ms/step / ginv ms/step",
                       "value": r["chain_over_ginv"], "target": TARGET_CHAIN_FRAC,
                       "met": None if r["chain_over_ginv"] is None else r["chain_over_ginv"] >= TARGET_CHAIN_FRAC})
    out = {"meta": meta, "rows": rows, "pooled_ess": pooled, "targets": checks, "notes": sorted(notes)}
    with open(a.json, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")

    hdr = ("threads", "ginv ms/step", "torch ms/step", "chain ms/step", "ginv ESS", "torch ESS",
           "ginv ESS/s", "torch ESS/s", "ESS/s ginv/torch", "ms torch/ginv", "chain/ginv")
    lines = []
    for r in rows:
        g, t, b = r["ginv"], r["torch"], r["blas"]
        lines.append((str(r["threads"]), f_ms(g["seconds_per_step"]), f_ms(t["seconds_per_step"]),
                      f_ms(b["seconds_per_step"]), f_num(g.get("min_ess_bulk")),
                      f_num(t.get("min_ess_bulk")), f_num(g.get("ess_per_second")),
                      f_num(t.get("ess_per_second")), f_num(r["ess_speedup"], 2),
                      f_num(r["time_speedup"], 2), f_num(r["chain_over_ginv"], 2)))
    w = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(hdr)] if lines else []
    print("  ".join(h.rjust(w[i]) for i, h in enumerate(hdr)))
    for l in lines:
        print("  ".join(c.rjust(w[i]) for i, c in enumerate(l)))
    print()

    def verdict(v):
        return "n/a" if v is None else ("met" if v else "MISSED")

    check_lines = [f"T={c['threads']}: {c['what']} {f_num(c['value'], 3)} "
                   f"(target >= {c['target']:g}: {verdict(c['met'])})" for c in checks]
    for r in rows:
        d = r["ginv"].get("ess_rel_diff_vs_ginv_diag")
        if d is not None:
            notes.add(f"T={r['threads']}: bench/ess.py and ginv's own bulk-ESS of ginv's "
                      f"samples differ by at most {d:.1e} (relative)")
    for impl, p in pooled.items():
        if p["mean_min_ess_bulk"] is not None:
            notes.add(f"{impl}: smallest bulk-ESS {p['mean_min_ess_bulk']:.1f} mean over {p['runs']} runs "
                      f"(sd {f_num(p['sd_min_ess_bulk'])}), median-coordinate bulk-ESS "
                      f"{f_num(p['mean_median_ess_bulk'])} mean")
    for r in rows:
        if r.get("ess_speedup_per_run") is not None:
            notes.add(f"T={r['threads']}: per-run median ESS/s ginv/torch {r['ess_speedup_per_run']:.3f} "
                      "(each run's own ESS: carries the seed noise)")
    for l in check_lines:
        print(l)
    for n in sorted(notes):
        print("note:", n)

    md = [f"Medians of {meta.get('reps', '?')} interleaved runs, {meta.get('date', '')}, "
          f"{meta.get('cpu', '')} ({meta.get('nproc', '?')} CPUs), OpenBLAS core "
          f"`{meta.get('openblas_core', '?')}`"
          + (f" (OPENBLAS_CORETYPE={meta['openblas_coretype']})" if meta.get("openblas_coretype") else "")
          + (f"; {meta['ginv']}" if meta.get("ginv") else "")
          + (f"; torch {meta['torch']}" if meta.get("torch") else "; no torch")
          + f"; load average {' '.join(meta.get('loadavg_start', []))} at the start, "
            f"{' '.join(meta.get('loadavg_end', []))} at the end.",
          "",
          f"ULA, {meta.get('chains')} chains from z = 0, {meta.get('burn_in')} burn-in + "
          f"{meta.get('samples')} kept steps (all timed), eta = {meta.get('step')}, "
          f"beta = {meta.get('temperature')}, sigma = {meta.get('sigma')}, gaussian prior. "
          "ESS: the smallest bulk-ESS over the 20 latent coordinates, by bench/ess.py for "
          "both samplers, averaged over all of the implementation's runs (independent seeds); "
          "ESS/s = that ESS / (median loop seconds at T).",
          "",
          "| " + " | ".join(hdr) + " |",
          "|" + "|".join("---:" for _ in hdr) + "|"]
    md += ["| " + " | ".join(l) + " |" for l in lines]
    md.append("")
    md.append("Best of the same runs (smallest time per step, largest ESS/s):")
    md.append("")
    bh = ("threads", "ginv ms/step", "torch ms/step", "chain ms/step", "ginv ESS/s",
          "torch ESS/s", "ESS/s ginv/torch", "chain/ginv")
    md.append("| " + " | ".join(bh) + " |")
    md.append("|" + "|".join("---:" for _ in bh) + "|")
    for r in rows:
        g, t, b = r["ginv"], r["torch"], r["blas"]
        md.append("| " + " | ".join((str(r["threads"]), f_ms(g["min_seconds_per_step"]),
                                     f_ms(t["min_seconds_per_step"]), f_ms(b["min_seconds_per_step"]),
                                     f_num(g.get("max_ess_per_second")),
                                     f_num(t.get("max_ess_per_second")),
                                     f_num(r["best_ess_speedup"], 2),
                                     f_num(r["best_chain_over_ginv"], 2))) + " |")
    md.append("")
    md += ["- " + l for l in check_lines]
    md += ["- note: " + n for n in sorted(notes)]
    with open(a.md, "w") as f:
        f.write("\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
