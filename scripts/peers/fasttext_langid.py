#!/usr/bin/python3
"""Peer for wanka's language identification: fastText (C++, Debian python3-fasttext) on the same lines.

Usage: fasttext_langid.py MODEL LINES_FILE [--k 1,-1] [--repeat 3]

Reads one document per line (line breaks already replaced by spaces, as datatrove does), predicts each the way
datatrove's LanguageFilter does (`model.predict(text, k=-1)`: every label) and with k=1 (top label only), and
prints one JSON line per k: documents/s and MB/s (UTF-8) of process CPU time, one thread, best of --repeat passes.
"""
import json
import sys
import time

import fasttext


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    model_path, lines_path = sys.argv[1], sys.argv[2]
    ks = [1, -1]
    if "--k" in sys.argv:
        ks = [int(k) for k in sys.argv[sys.argv.index("--k") + 1].split(",")]
    fasttext.FastText.eprint = lambda *a, **kw: None  # the binding warns about load_model on stderr
    model = fasttext.load_model(model_path)
    with open(lines_path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    mb = sum(len(l.encode("utf-8")) for l in lines) / 1e6
    for k in ks:
        for l in lines[:500]:
            model.predict(l, k=k)  # warm-up
        cpu = wall = float("inf")
        for _ in range(repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            top = {}
            for l in lines:
                labels, _ = model.predict(l, k=k)
                lab = labels[0][len("__label__"):] if labels else "none"
                top[lab] = top.get(lab, 0) + 1
            cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - t0)
        print(json.dumps({"peer": "fasttext-python", "k": k, "docs": len(lines), "mb": round(mb, 3),
                          "docs_per_cpu_s": round(len(lines) / cpu, 1), "mb_per_cpu_s": round(mb / cpu, 3),
                          "docs_per_s": round(len(lines) / wall, 1), "top_labels": dict(sorted(top.items(), key=lambda x: -x[1])[:6])}))


if __name__ == "__main__":
    main()
