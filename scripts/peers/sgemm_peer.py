#!/usr/bin/env python3
"""GEMM peer: cblas_sgemm of OpenBLAS or BLIS through ctypes, on exactly the calls `wanka bench gemm` times.

Usage: sgemm_peer.py --lib openblas|blis [--threads N] [--reps N] OP,M,N,K ...
OP is NN, NT or TN (transposition of A, then B), row-major as in wanka; TN accumulates (beta = 1), like the
weight-gradient pass, the others overwrite (beta = 0). Prints one JSON line naming the library, its version and the
core (kernel set) it runs, then one JSON line per shape with the best GFLOP/s after warm-up (at least REPS calls,
more for fast shapes, up to 0.5 s), measured as wanka's GemmBench measures: by wall-clock time and, with one thread
(which runs in the calling thread), by that thread's CPU time too (gflops_cpu).

The core is the library's own choice unless the environment forces one: OPENBLAS_CORETYPE (e.g. SkylakeX, Haswell)
for OpenBLAS, BLIS_ARCH_TYPE for BLIS (0.9.0 takes the arch_t number: 0 skx, 3 haswell, 6 zen3; Debian's BLIS 0.9.0
does not recognise Zen 4/5 and would run its generic, unvectorised kernels there). Needs Debian python3-numpy,
libopenblas0-pthread, libblis4-openmp.
"""
import argparse, ctypes, ctypes.util, json, sys, time
import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def load(lib):
    if lib == "openblas":
        h = ctypes.CDLL(ctypes.util.find_library("openblas") or "libopenblas.so.0")
        h.openblas_get_corename.restype = ctypes.c_char_p
        h.openblas_get_config.restype = ctypes.c_char_p
        version = h.openblas_get_config().decode().split()[1]
        return h, "openblas-" + version, h.openblas_get_corename().decode(), h.openblas_set_num_threads
    if lib == "blis":
        h = ctypes.CDLL(ctypes.util.find_library("blis") or "libblis.so.4")
        h.bli_init()  # before the arch query: BLIS_ARCH_TYPE is checked against the initialised kernel registry
        h.bli_arch_query_id.restype = ctypes.c_int
        h.bli_arch_string.restype = ctypes.c_char_p
        h.bli_info_get_version_str.restype = ctypes.c_char_p
        version = h.bli_info_get_version_str().decode()
        return h, "blis-" + version, h.bli_arch_string(h.bli_arch_query_id()).decode(), h.bli_thread_set_num_threads
    raise SystemExit("--lib must be openblas or blis, got " + lib)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lib", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("shapes", nargs="+", help="OP,M,N,K")
    a = ap.parse_args()
    h, name, core, set_threads = load(a.lib)
    set_threads(a.threads)
    print(json.dumps({"peer": name, "core": core, "threads": a.threads}), flush=True)
    sgemm = h.cblas_sgemm
    f, i = ctypes.c_float, ctypes.c_int
    ptr = ctypes.c_void_p
    sgemm.argtypes = [i, i, i, i, i, i, f, ptr, i, ptr, i, f, ptr, i]
    sgemm.restype = None
    rng = np.random.default_rng(42)
    for s in a.shapes:
        op, m, n, k = s.split(",")[0], *(int(x) for x in s.split(",")[1:])
        if op not in ("NN", "NT", "TN") or min(m, n, k) < 1:
            raise SystemExit("shape must be OP,M,N,K with OP in NN, NT, TN and dims >= 1, got " + s)
        ta, tb = op[0] == "T", op[1] == "T"
        A = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
        B = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
        C = np.zeros((m, n), np.float32)
        beta = 1.0 if ta and not tb else 0.0
        args = (ROW_MAJOR, TRANS if ta else NO_TRANS, TRANS if tb else NO_TRANS, m, n, k, 1.0,
                A.ctypes.data, A.shape[1], B.ctypes.data, B.shape[1], beta, C.ctypes.data, n)
        # Check once that the call computes the product (a peer that returns early would look fast).
        sgemm(*args)
        want = (A.T if ta else A)[:4].astype(np.float64) @ (B.T if tb else B).astype(np.float64)
        if not np.allclose(C[:4], want, rtol=1e-3, atol=1e-3 * np.sqrt(k)):
            raise SystemExit(f"{name} ({core}) gave a wrong product for {s}")
        end = time.thread_time() + 0.3  # windows in CPU time of the calling thread, as in GemmBench
        calls = 0
        while calls < 2 or time.thread_time() < end:
            sgemm(*args); calls += 1
        best, best_cpu, calls, end = float("inf"), float("inf"), 0, time.thread_time() + 0.5
        while calls < a.reps or (time.thread_time() < end and calls < 200):
            c, t = time.thread_time(), time.perf_counter()
            sgemm(*args)
            best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, time.thread_time() - c)
            calls += 1
        r = {"impl": name, "core": core, "op": op, "m": m, "n": n, "k": k, "threads": a.threads,
             "gflops": round(2 * m * n * k / best / 1e9, 1)}
        if a.threads == 1:  # one thread runs in the caller: its CPU time excludes time the core was taken away
            r["gflops_cpu"] = round(2 * m * n * k / max(best_cpu, 1e-9) / 1e9, 1)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
