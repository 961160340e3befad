#!/usr/bin/env python3
"""Merges the JSON lines of `wanka bench gemm` and sgemm_peer.py runs into one Markdown table per ISA.

Usage: gemm_table.py FILE ...   Each FILE is one run, named ISA.IMPL.tN.jsonl by scripts/bench.sh (ISA avx512 or
avx2). Where a cell was measured more than once (ROUNDS > 1) the best figure is kept. The ratio is wanka over the
faster peer on the same call; the last line of each table gives the lowest ratio per thread count.
METRIC=cpu takes the one-thread figures from each process's own CPU time (gflops_cpu) instead of the wall clock:
on a loaded machine the wall clock also counts the time the core was given to other processes.
The last column, for more than one thread, is wanka's parallel efficiency: the one-thread call's CPU time over the
CPU time all threads of the multi-thread run spent per call (process_cpu_ms; spin-waiting counts). 1.00 means the
second thread added no work; it is not distorted by other processes the way the wall clock is.
"""
import collections, json, os, sys

best = {}        # (isa, threads, op, m, n, k, impl) -> gflops
cpu1 = {}        # (isa, op, m, n, k) -> wanka's best one-thread GFLOP/s by thread CPU time
proc = {}        # (isa, threads, op, m, n, k) -> wanka's least CPU ms of all threads per call
cores = collections.defaultdict(set)   # (isa, impl) -> cores
header = {}      # isa -> the wanka run's vector width
order = []
for path in sys.argv[1:]:
    isa, impl = os.path.basename(path).split(".")[:2]
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "vector_bits" in r:
            header[isa] = r
            continue
        if "gflops" not in r:
            if "core" in r:
                cores[(isa, impl)].add(r["core"])
            continue
        key = (isa, r["threads"], r["op"], r["m"], r["n"], r["k"])
        if key not in order:
            order.append(key)
        g = r.get("gflops_cpu", r["gflops"]) if os.environ.get("METRIC") == "cpu" else r["gflops"]
        best[key + (impl,)] = max(best.get(key + (impl,), 0), g)
        if impl == "wanka" and r["threads"] == 1 and "gflops_cpu" in r:
            cpu1[(isa,) + key[2:]] = max(cpu1.get((isa,) + key[2:], 0), r["gflops_cpu"])
        if impl == "wanka" and "process_cpu_ms" in r:
            proc[key] = min(proc.get(key, 9e99), r["process_cpu_ms"])

for isa in ("avx512", "avx2"):
    keys = [k for k in order if k[0] == isa]
    if not keys:
        continue
    h = header.get(isa, {})
    peers = sorted({k[-1] for k in best if k[0] == isa and k[-1] != "wanka"})
    names = [f"{p} ({', '.join(sorted(cores[(isa, p)]))})" for p in peers]
    metric = "thread CPU time for 1 thread, wall clock for more" if os.environ.get("METRIC") == "cpu" else "wall clock"
    print(f"\n### {isa} ({metric}): JVM vector width {h.get('vector_bits', '?')} bits, {h.get('jvm_options', '')}".rstrip(", "))
    print()
    print("| threads | op | m × n × k | wanka GFLOP/s | " + " | ".join(n + " GFLOP/s" for n in names) + " | wanka / best peer | wanka parallel efficiency |")
    print("|---|---|---|---|" + "---|" * len(peers) + "---|---|")
    low = {}
    for k in sorted(keys, key=lambda k: (k[1], order.index(k))):
        w = best.get(k + ("wanka",))
        ps = [best.get(k + (p,)) for p in peers]
        top = max([x for x in ps if x], default=None)
        ratio = w / top if w and top else None
        if ratio is not None:
            low[k[1]] = min(low.get(k[1], 9e9), ratio)
        cell = lambda x: f"{x:.1f}" if x else "—"
        eff = None
        if k[1] > 1 and k in proc and (isa,) + k[2:] in cpu1:
            eff = 2 * k[3] * k[4] * k[5] / (cpu1[(isa,) + k[2:]] * 1e9) / (proc[k] / 1e3)
        tail = (f" | {ratio:.2f} |" if ratio else " | — |") + (f" {eff:.2f} |" if eff else " — |")
        print(f"| {k[1]} | {k[2]} | {k[3]} × {k[4]} × {k[5]} | {cell(w)} | " + " | ".join(cell(x) for x in ps) + tail)
    print()
    print("lowest ratio: " + ", ".join(f"{t} thread{'s' if t > 1 else ''} {r:.2f}×" for t, r in sorted(low.items())))
