"""report_io.py — what the benchmark reports share: their command line
(--raw RAW.jsonl --meta META.json --json OUT.json --md OUT.md), the run's
metadata and its raw samples (one JSON object per non-empty line)."""
import argparse
import json


def load():
    """Parse the report's arguments; returns (args, meta, samples)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    with open(a.meta) as f:
        meta = json.load(f)
    with open(a.raw) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    return a, meta, samples
