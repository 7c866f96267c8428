#!/usr/bin/python3
"""conv_onednn_merge.py — merge the markdown of several bench/conv_onednn runs
(files given): per layer and per whole model, the median over the runs of
each run's median, with the smallest and largest run beside ginv's and
oneDNN nchw's; the sgemm peaks likewise; and how many runs saw a result
change with the thread count.

  bench/conv_onednn_merge.py RUN1.md RUN2.md ..."""
import re
import statistics
import sys


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def main():
    layer, whole, peak, peak512, det = {}, {}, [], [], {}
    for path in sys.argv[1:]:
        for line in open(path, encoding="utf-8"):
            m = re.match(r"sgemm peak \(best median\): ([\d.]+) .* ([\d.]+) GFLOP/s the best", line)
            if m:
                peak.append(float(m.group(1)))
                peak512.append(float(m.group(2)))
            c = cells(line)
            if not line.startswith("| dcgan") and not line.startswith("| convvae"):
                continue
            if len(c) == 19:  # model layer shape B op GFLOP ginv nchw blk blk+r ... 512 ms, rel, 1-thread
                key = tuple(c[0:6])
                layer.setdefault(key, []).append([float(c[i]) for i in (6, 7, 8, 9, 16)])
                det.setdefault(key, []).append(c[18].split())
            elif len(c) == 12:  # model B op GFLOP ginv nchw blk blk+r 512 ...
                whole.setdefault(tuple(c[0:4]), []).append([float(c[i]) for i in (4, 5, 6, 7, 8)])
    n = len(sys.argv) - 1
    med = lambda v: statistics.median(v)
    print("Merged %d runs: medians over the runs (smallest-largest run in brackets).\n" % n)
    print("sgemm peak, 2 threads: %.1f GFLOP/s (%.1f-%.1f) with the kernels ginv uses; %.1f (%.1f-%.1f) with the"
          " AVX-512 (SkylakeX) kernels\n" % (med(peak), min(peak), max(peak), med(peak512), min(peak512), max(peak512)))
    hdr = ("| ginv ms | oneDNN nchw ms | oneDNN blk ms | blk+reorder ms | ginv AVX-512 ms | ginv/nchw | ginv AVX-512/nchw"
           " | ginv GF/s | nchw GF/s |")
    for title, rows, nkey in (("Whole models (the layers' sums)", whole, 4), ("Layers", layer, 6)):
        print("%s:\n\n| %s %s" % (title, " | ".join(["model", "B", "op", "GFLOP"] if nkey == 4 else
                                               ["model", "layer", "shape", "B", "op", "GFLOP"]), hdr))
        print("|" + "---|" * nkey + "---:|" * 9)
        for key, runs in rows.items():
            col = [med([r[i] for r in runs]) for i in range(5)]
            rng = lambda i: "%.3f (%.3f-%.3f)" % (col[i], min(r[i] for r in runs), max(r[i] for r in runs))
            g = float(key[-1])
            print("| %s | %s | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.1f | %.1f |" % (
                " | ".join(key), rng(0), rng(1), col[2], col[3], col[4], col[0] / col[1], col[4] / col[1],
                g / col[0] * 1e3, g / col[1] * 1e3))
        print()
    bad = ["%s %s B=%s %s: %s" % (k[0], k[1], k[3], k[4], ", ".join(
        "%s in %d of %d" % (name, sum(d[i] == "NO" for d in v), len(v))
        for i, name in enumerate(("ginv", "oneDNN nchw", "oneDNN blk")) if any(d[i] == "NO" for d in v)))
        for k, v in det.items() if any("NO" in d for d in v)]
    print("Results that changed between 1 thread and 2: " + ("; ".join(bad) if bad else "none"))


if __name__ == "__main__":
    main()
