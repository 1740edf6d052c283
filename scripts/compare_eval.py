#!/usr/bin/env python3
"""HITS@1 (hard protocol) of several `clasp eval --json` reports side by side:
same language (text -> audio), cross-lingual both ways, single vector and two-stage.
Usage: compare_eval.py NAME=REPORT.json [NAME=REPORT.json ...]"""
import json
import sys


def rows(d):
    out = {}
    for lang, v in d.get("languages", {}).items():
        out[f"{lang} -> {lang}, single vector"] = v["text_to_audio"]["hard"]["hits1"]
    ts = d.get("two_stage", {})
    for lang, v in ts.get("languages", {}).items():
        out[f"{lang} -> {lang}, two-stage"] = v["hard"]["hits1"]
    for key, fmt in (("cross_lingual", "{l} -> en"), ("cross_lingual_from_en", "en -> {l}")):
        for lang, v in d.get(key, {}).items():
            out[fmt.format(l=lang) + ", single vector"] = v["hard"]["hits1"]
        for lang, v in ts.get(key, {}).items():
            out[fmt.format(l=lang) + ", two-stage"] = v["hard"]["hits1"]
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names, tables = [], []
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        names.append(name)
        with open(path) as f:
            tables.append(rows(json.load(f)))
    keys = list(tables[0])
    print("| HITS@1 | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in keys:
        print(f"| {k} | " + " | ".join(f"{t.get(k, float('nan')):.3f}" for t in tables) + " |")


if __name__ == "__main__":
    main()
