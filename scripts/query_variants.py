#!/usr/bin/env python3
"""Variants of a corpus manifest whose cross-lingual queries are phrased
differently, to see how much the two-stage search's cross-lingual figures
owe to the queries being apertium's own translations (docs/clasp.md,
"Two-stage search"). Only the test split's translations change; audio
paths are made absolute so `clasp eval -i OUT --cache CORPUS/mel-cache`
reads the same clips.

  --mode route: each translation made again by another apertium route
    (ca: the Valencian variant eng-cat_valencia; es: eng-spa, then through
    Portuguese and back; fr and it: from that Spanish).
  --mode drop: a third of each translation's words dropped (seeded).

Usage: scripts/query_variants.py --mode route|drop -i data/corpus20k/manifest.jsonl -o OUT.jsonl
"""
import argparse
import json
import os
import random
import subprocess
import sys


def apertium(mode, lines):
    r = subprocess.run(["apertium", "-u", mode], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, timeout=600)
    out = r.stdout.rstrip("\n").split("\n")
    if r.returncode != 0 or len(out) != len(lines):
        sys.exit(f"apertium {mode}: exit {r.returncode}, {len(out)} lines for {len(lines)}: {r.stderr[:200]}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["route", "drop"], required=True)
    ap.add_argument("-i", "--input", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    base = os.path.dirname(os.path.abspath(a.input))
    rows = [json.loads(l) for l in open(a.input, encoding="utf-8")]
    english = [d for d in rows if d["split"] == "test" and d["lang"] == "en"]
    pos = {d["id"]: i for i, d in enumerate(english)}
    if a.mode == "route":
        src = [d["text"] for d in english]
        es = apertium("pt-es", apertium("es-pt", apertium("eng-spa", src)))
        alt = {"ca": apertium("eng-cat_valencia", src), "es": es,
               "fr": apertium("es-fr", es), "it": apertium("spa-ita", es)}
    rng = random.Random(a.seed)
    changed = 0
    with open(a.output, "w", encoding="utf-8") as f:
        for d in rows:
            if d["split"] == "test" and d["lang"] != "en" and d.get("source_id") in pos:
                if a.mode == "route":
                    d["text"] = alt[d["lang"]][pos[d["source_id"]]]
                else:
                    words = d["text"].split()
                    d["text"] = " ".join([w for w in words if rng.random() >= 1 / 3] or words[:1])
                changed += 1
            d["audio"] = os.path.join(base, d["audio"])
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"{a.output}: {changed} test translations rephrased ({a.mode})")


if __name__ == "__main__":
    main()
