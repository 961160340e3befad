#!/usr/bin/env python3
"""Merges the JSON lines of one `scripts/bench.sh` part (train, tokenizer or langid) into one Markdown table per ISA.

Usage: isa_table.py train|tokenizer|langid FILE ...
Each FILE is named ISA.WHO.jsonl by scripts/bench.sh: ISA is avx512, avx2 or `any` (a peer whose speed does not depend
on the ISA chosen, run once and shown beside every ISA); WHO is `info` (the ISA's vector width and JVM options, and one
line per peer naming the core or ISA it ran with), `wanka` or a peer. Ratios are wanka over the faster peer (for
training seconds: the peer's time over wanka's).
"""
import collections
import json
import os
import sys


def load(paths):
    runs = collections.defaultdict(lambda: collections.defaultdict(list))   # isa -> who -> [records]
    for path in paths:
        isa, who = os.path.basename(path).split(".")[:2]
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                runs[isa][who].append(json.loads(line))
    return runs


def header(part, isa, info):
    head = next((r for r in info if "vector_bits" in r), {})
    opts = head.get("jvm_options") or "default JVM options"
    print(f"\n### {part}, {isa}: JVM vector width {head.get('vector_bits', '?')} bits ({opts})")
    for r in info:
        if "peer_core" in r:
            print(f"- {r['peer_core']}: {r['core']}")
    print()


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "—"


def train(runs):
    for isa in ("avx512", "avx2"):
        if isa not in runs:
            continue
        r = runs[isa]
        header("train", isa, r["info"])
        peers = [p for p in ("pytorch", "djl") if p in r]
        names = {"pytorch": "PyTorch 1.13", "djl": "DJL 0.36 + libtorch 2.7.1"}
        print("| config | wanka tokens/s | " + " | ".join(names[p] + " tokens/s" for p in peers)
              + " | wanka / faster peer | wanka model GFLOP/s | wanka forward / backward / AdamW s |")
        print("|---|---|" + "---|" * len(peers) + "---|---|---|")
        for w in r["wanka"]:
            c = w["config"]
            ps = [next((x.get("tokens_per_s") for x in r[p] if x.get("config") == c), None) for p in peers]
            top = max([x for x in ps if x], default=None)
            ph = w.get("phaseSeconds", {})
            phases = " / ".join(fmt(ph.get(k), 2) for k in ("forward_incl_lm_head_grad", "backward", "optimizer"))
            print(f"| {c} | {fmt(w['tokensPerSecond'])} | " + " | ".join(fmt(x) for x in ps)
                  + f" | {ratio(w['tokensPerSecond'], top)} | {fmt(w['modelGflops'])} | {phases} |")


def tokenizer(runs):
    anyr = runs.get("any", {})
    spm_train = next(iter(anyr.get("spm-train", [])), {}).get("seconds")
    spm_own = next(iter(anyr.get("spm-own", [])), {}).get("mb_per_s")
    spm_wanka = next(iter(anyr.get("spm-wanka", [])), {})
    for isa in ("avx512", "avx2"):
        if isa not in runs:
            continue
        r = runs[isa]
        header("tokenizer", isa, r["info"])
        tr = next((x for x in r["wanka"] if x.get("impl") == "wanka-train"), {})
        enc = next((x for x in r["wanka"] if "mb_per_s" in x), {})
        print("| | wanka | SentencePiece (scalar C++, one run for both ISAs) | wanka / peer |")
        print("|---|---|---|---|")
        print(f"| train {tr.get('vocab', '?')} vocab, {tr.get('threads', '?')} threads, s | {fmt(tr.get('seconds'))} | "
              f"{fmt(spm_train)} | {ratio(spm_train, tr.get('seconds'))} |")
        print(f"| encode, 1 thread, wanka's model, MB/s | {fmt(enc.get('mb_per_s'), 2)} | {fmt(spm_wanka.get('mb_per_s'), 2)} | "
              f"{ratio(enc.get('mb_per_s'), spm_wanka.get('mb_per_s'))} |")
        print(f"| encode, 1 thread, SentencePiece's own model, MB/s | — | {fmt(spm_own, 2)} | |")
        if enc.get("tokens") and spm_wanka.get("tokens"):
            same = "the same" if enc["tokens"] == spm_wanka["tokens"] else "DIFFERENT"
            print(f"\nTokens on wanka's model: wanka {enc['tokens']:,}, SentencePiece {spm_wanka['tokens']:,} ({same} count).")


def langid(runs):
    anyr = runs.get("any", {})
    peers = [(f"fastText C++ via Python, k = {x['k']}", x.get("mb_per_cpu_s")) for x in anyr.get("fasttext", [])]
    peers += [("`fasttext predict` (whole file, load included)", x.get("mb_per_cpu_s")) for x in anyr.get("fasttext-cli", [])]
    for isa in ("avx512", "avx2"):
        if isa not in runs:
            continue
        r = runs[isa]
        header("langid", isa, r["info"])
        w = next(iter(r["wanka"]), {})
        print("| identifier | accuracy | MB/s (CPU) | wanka / this peer |")
        print("|---|---:|---:|---:|")
        print(f"| wanka, {w.get('model', '?')} | {fmt(w.get('accuracy'), 4)} | {fmt(w.get('mb_per_cpu_s'), 2)} | |")
        for name, mb in peers:
            print(f"| {name} (one run for both ISAs) | | {fmt(mb, 2)} | {ratio(w.get('mb_per_cpu_s'), mb)} |")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("train", "tokenizer", "langid"):
        sys.exit(__doc__)
    {"train": train, "tokenizer": tokenizer, "langid": langid}[sys.argv[1]](load(sys.argv[2:]))
