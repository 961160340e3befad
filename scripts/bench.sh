#!/usr/bin/env bash
# Runs wanka's benchmarks beside their peers in one go, so every figure has its peer from the same run.
#   scripts/bench.sh [gemm|train|tokenizer|langid|all]     (default: all)
# Peers live in the shared bench folder (default ../shared/bench, override with WANKA_PEERS=DIR) and need
# Debian python3-numpy, python3-torch, libopenblas0-pthread, libblis4-openmp, python3-sentencepiece (installed here if
# missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
what="${1:-all}"
peers="${WANKA_PEERS:-../shared/bench}"
py=/usr/bin/python3
threads="${THREADS:-2}"
if [ "$(id -u)" = 0 ] && { ! $py -c 'import numpy, torch, sentencepiece' 2>/dev/null || ! ldconfig -p | grep -q libblis.so.4; }; then
  apt-get install -y -qq python3-numpy python3-torch libopenblas0-pthread libblis4-openmp python3-sentencepiece >/dev/null 2>&1 || true
fi
bin/wanka --version >/dev/null   # build once, outside the timed parts
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%F)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# The ISAs this CPU has, each benchmark run under every one of them: AVX-512 (the JVM's default here), then AVX2 (the
# JVM limited by -XX:UseAVX=2 and every peer held to its AVX2 kernels, for these commands alone). isa_env ISA sets:
#   jvm   wanka's JVM options;  vbits  the JVM's vector width under them (MaxVectorSize, bits)
#   ob    OpenBLAS core (OPENBLAS_CORETYPE; the environment's OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, set on some machines
#         to keep old OpenBLAS builds safe, would hold OpenBLAS to a slower core)
#   bl    BLIS_ARCH_TYPE (Debian's BLIS 0.9.0 does not know Zen 4/5 and falls back to generic kernels): skx / zen3
#   aten  ATEN_CPU_CAPABILITY (PyTorch's own kernels; Debian's PyTorch 1.13 picks AVX2 by itself even on AVX-512)
#   mkl   MKL_ENABLE_INSTRUCTIONS and ONEDNN_MAX_CPU_ISA for libtorch 2.7.1 under DJL
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
isas=""
case "$flags" in *" avx512f "*) isas="avx512";; esac
case "$flags" in *" avx2 "*) isas="$isas avx2";; esac
isas="${ISAS:-$isas}"   # ISAS=avx2 runs one of them only
isa_env() {
  if [ "$1" = avx512 ]; then jvm=""; ob=SkylakeX; bl=0; aten=avx512; mkl=AVX512; dnnl=AVX512_CORE
  else jvm="-XX:UseAVX=2"; ob=Haswell; bl=6; aten=avx2; mkl=AVX2; dnnl=AVX2; fi
  vbits=$(( $("$JAVA_HOME/bin/java" $jvm -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "MaxVectorSize" {print $4}') * 8 ))
}
# Prints the FMA rate each core gives the JVM now (bin/wanka bench fma pinned with taskset, under the ISA's JVM options):
# a core slowed by a neighbour on a shared machine shows here, and it moves two-thread ratios more than their margins.
core_peaks() {
  command -v taskset >/dev/null || { echo "# $1: per-core FMA rates need taskset (util-linux)"; return 0; }
  local out="" c v
  for c in $($py -c 'import os; print(*sorted(os.sched_getaffinity(0)))'); do   # the CPUs this process may run on
    # (-BackgroundCompilation: on one pinned core the compiler thread would otherwise share the core with the loop it
    # is compiling, and the measured batches could still run interpreted)
    v=$(WANKA_JAVA_OPTS="-XX:-BackgroundCompilation $jvm" taskset -c "$c" bin/wanka bench fma --seconds 0.3 2>/dev/null | sed -n 's/.*"gflops":\([0-9.]*\).*/\1/p')
    out="$out core$c ${v:-?}"   # ?: the run failed
  done
  echo "# $1: FMA GFLOP/s per core ($isa, $vbits-bit vectors):$out"
}
need_isas() { [ -n "$isas" ] || { echo "$1: this CPU has neither AVX-512 nor AVX2; the peers' kernel choice is not scripted for it" >&2; exit 1; }; }

if [ "$what" = gemm ] || [ "$what" = all ]; then
  # wanka, OpenBLAS and BLIS on the same calls (cblas_sgemm through ctypes: NN, NT and TN with TN's beta = 1),
  # under each ISA the CPU has (AVX-512, then AVX2 with the JVM limited by -XX:UseAVX=2 and each peer forced to its
  # AVX2 kernels), 1 and 2 threads; GEMM_SHAPES="OP,M,N,K ..." times only those; ROUNDS=N repeats everything and keeps each cell's best; GEMM_RAW=DIR keeps the
  # JSON lines (METRIC=cpu scripts/peers/gemm_table.py DIR/*.jsonl: one-thread figures by CPU time). The peers' cores are
  # set for these commands alone: OpenBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment (set on some machines to
  # keep old OpenBLAS builds safe) would hold OpenBLAS to a slower core, and Debian's BLIS 0.9.0 does not know Zen 4/5
  # (it falls back to unvectorised generic kernels), so both are forced: SkylakeX / skx (BLIS_ARCH_TYPE=0) for
  # AVX-512, Haswell / zen3 (BLIS_ARCH_TYPE=6) for AVX2. Each peer prints the core it ran.
  echo "## gemm: wanka vs OpenBLAS and BLIS, threads 1 and ${threads}"
  need_isas gemm
  echo "# ISAs: $isas; OpenBLAS core with the environment's settings: $(OPENBLAS_VERBOSE=2 $py -c 'import numpy' 2>&1 | grep -m1 -o 'Core: .*' || echo '?')"
  shapes="NN,512,512,512 NN,1024,1024,1024 NN,2048,2048,2048"   # the shapes and order of `wanka bench gemm`
  for l in 512,512 512,256 512,1376 1376,512 512,32000; do i=${l%,*}; o=${l#*,}; shapes="$shapes NT,2048,$o,$i NN,2048,$i,$o TN,$o,$i,2048"; done
  only=""
  if [ -n "${GEMM_SHAPES:-}" ]; then shapes="$GEMM_SHAPES"; for s in $shapes; do only="$only --shape $s"; done; fi   # a subset, e.g. on a loaded machine
  res=$(mktemp -d)
  for round in $(seq "${ROUNDS:-1}"); do
    for isa in $isas; do
      isa_env "$isa"
      core_peaks "round $round before"
      for t in $(printf '%s\n' 1 "$threads" | sort -un); do
        # -BackgroundCompilation: C2 compiles while the warm-up waits, not behind it (on a loaded machine the compiler
        # thread may otherwise finish only after the first shapes have been timed)
        WANKA_JAVA_OPTS="-Xmx8g -XX:-BackgroundCompilation $jvm" bin/wanka bench gemm --threads "$t" $only >> "$res/$isa.wanka.t$t.jsonl"
        env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$ob OPENBLAS_VERBOSE=2 $py scripts/peers/sgemm_peer.py --lib openblas --threads "$t" $shapes >> "$res/$isa.openblas.t$t.jsonl"
        BLIS_ARCH_TYPE=$bl $py scripts/peers/sgemm_peer.py --lib blis --threads "$t" $shapes >> "$res/$isa.blis.t$t.jsonl"
      done
      core_peaks "round $round after"
    done
  done
  $py scripts/peers/gemm_table.py "$res"/*.jsonl
  if [ -n "${GEMM_RAW:-}" ]; then mkdir -p "$GEMM_RAW"; cp "$res"/*.jsonl "$GEMM_RAW/"; fi   # the JSON lines, kept on request
  rm -rf "$res"
fi

if [ "$what" = train ] || [ "$what" = all ]; then
  # Training under each ISA: wanka (bench train), PyTorch 1.13 (matmuls through Debian's OpenBLAS, the rest ATen's
  # own kernels) and DJL 0.36 on libtorch 2.7.1 (MKL and oneDNN inside), TRAIN_STEPS steps each (first one warm-up,
  # median of the rest). Each prints the core or ISA it ran with; one table per ISA (scripts/peers/isa_table.py).
  need_isas train
  steps="${TRAIN_STEPS:-6}"
  echo "## train (threads=$threads, steps=$steps, ISAs:$isas)"
  res=$(mktemp -d)
  djl=""
  if [ -x "$peers/djl-bench/run.sh" ] && [ -z "${NO_DJL:-}" ]; then
    # DJL is built and run from a writable copy (the shared folder may be read-only)
    djl=$(mktemp -d); cp -r "$peers/djl-bench/." "$djl/"; chmod -R u+w "$djl"; rm -f "$djl/cp.txt"
  fi
  for isa in $isas; do
    isa_env "$isa"
    core_peaks "train before"
    echo "{\"isa\": \"$isa\", \"vector_bits\": $vbits, \"jvm_options\": \"$jvm\"}" > "$res/$isa.info.jsonl"
    WANKA_JAVA_OPTS="-Xmx8g $jvm" bin/wanka bench train --config tiny,small --threads "$threads" --steps "$steps" 2> >(grep -v "incubator modules" >&2) | tee "$res/$isa.wanka.jsonl"
    tenv=(env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$ob ATEN_CPU_CAPABILITY=$aten)
    core=$("${tenv[@]}" OPENBLAS_VERBOSE=2 $py -c 'import torch; torch.ones(64, 64) @ torch.ones(64, 64); print(torch.__config__.show())' 2>&1 \
      | sed -n 's/.*Core: \(.*\)/\1/p; s/.*CPU capability usage: \(.*\)/\1/p' | paste -sd' ')
    echo "{\"peer_core\": \"pytorch\", \"core\": \"OpenBLAS $(echo "$core" | cut -d' ' -f1), ATen $(echo "$core" | cut -d' ' -f2-)\"}" >> "$res/$isa.info.jsonl"
    "${tenv[@]}" $py "$peers/torch_telechat.py" --config tiny,small --threads "$threads" --steps "$steps" | tee "$res/$isa.pytorch.jsonl"
    if [ -n "$djl" ]; then
      denv=(env MKL_ENABLE_INSTRUCTIONS=$mkl ONEDNN_MAX_CPU_ISA=$dnnl ATEN_CPU_CAPABILITY=$aten)
      echo "{\"peer_core\": \"djl\", \"core\": \"MKL_ENABLE_INSTRUCTIONS=$mkl, ONEDNN_MAX_CPU_ISA=$dnnl, ATEN_CPU_CAPABILITY=$aten\"}" >> "$res/$isa.info.jsonl"
      (cd "$djl" && "${denv[@]}" ./run.sh --configs tiny,small --steps "$steps" --threads "$threads" --no-gemm 2>/dev/null) | tee "$res/$isa.djl.jsonl"
    fi
    core_peaks "train after"
  done
  $py scripts/peers/isa_table.py train "$res"/*.jsonl
  if [ -n "${TRAIN_RAW:-}" ]; then mkdir -p "$TRAIN_RAW"; cp "$res"/*.jsonl "$TRAIN_RAW/"; fi
  rm -rf "$res" ${djl:+"$djl"}
fi

if [ "$what" = tokenizer ] || [ "$what" = all ]; then
  # wanka trains and encodes under each ISA (the models must come out byte-identical); SentencePiece is scalar C++
  # (Debian builds it for baseline x86-64), so it runs once and stands beside both ISAs.
  need_isas tokenizer
  echo "## tokenizer (ISAs:$isas)"
  corpus="${CORPUS:-.wanka/corpora/tokenizer-bench.txt}"
  if [ ! -f "$corpus" ]; then
    echo "(no tokenizer bench corpus at $corpus; build it with scripts/tokenizer-corpus.sh)"
  else
    out=$(mktemp -d); first=""
    for isa in $isas; do
      isa_env "$isa"
      echo "{\"isa\": \"$isa\", \"vector_bits\": $vbits, \"jvm_options\": \"$jvm\"}" > "$out/$isa.info.jsonl"
      WANKA_JAVA_OPTS="-Xmx8g $jvm" bin/wanka bench tokenizer "$corpus" --vocab 32000 --threads "$threads" --out "$out/$isa" \
        2> >(grep -v "incubator modules" >&2) | tee "$out/$isa.wanka.jsonl"
      if [ -z "$first" ]; then first=$isa
      elif ! cmp -s "$out/$first.model" "$out/$isa.model"; then echo "tokenizer: the $isa model differs from the $first model" >&2; exit 1; fi
    done
    $py "$peers/peer_sentencepiece.py" train "$corpus" "$out/peer" --vocab 32000 | tee "$out/any.spm-train.jsonl"
    $py "$peers/peer_sentencepiece.py" bench "$out/peer.model" "$corpus" | tee "$out/any.spm-own.jsonl"
    $py "$peers/peer_sentencepiece.py" bench "$out/$first.model" "$corpus" | tee "$out/any.spm-wanka.jsonl"
    $py scripts/peers/isa_table.py tokenizer "$out"/*.jsonl
    rm -rf "$out"
  fi
fi
if [ "$what" = langid ] || [ "$what" = all ]; then
  # Language ID: lid.176 in wanka under each ISA vs the same model in fastText's C++ through its Python binding,
  # called as datatrove calls it, and the `fasttext` command (Debian builds fastText for baseline x86-64, so the
  # peers run once). Needs `bin/wanka corpus fetch lid176`, Debian fortunes-zh and python3-fasttext.
  need_isas langid
  echo "## langid (one thread, ISAs:$isas)"
  if [ "$(id -u)" = 0 ] && { ! $py -c 'import fasttext' 2>/dev/null || [ ! -f /usr/share/games/fortunes/chinese ]; }; then
    apt-get install -y -qq python3-fasttext fortunes-zh >/dev/null 2>&1 || true
  fi
  bin/wanka corpus fetch lid176 >/dev/null 2>&1 || true
  out=$(mktemp -d); lines="$out/lines.txt"
  for isa in $isas; do
    isa_env "$isa"
    echo "{\"isa\": \"$isa\", \"vector_bits\": $vbits, \"jvm_options\": \"$jvm\"}" > "$out/$isa.info.jsonl"
    WANKA_JAVA_OPTS="-Xmx8g $jvm" bin/wanka bench langid --limit 2000 --repeat 5 --dump "$lines" 2>/dev/null | grep summary | tee "$out/$isa.wanka.jsonl"
  done
  $py scripts/peers/fasttext_langid.py .wanka/corpora/lid176/lid.176.ftz "$lines" --repeat 5 | tee "$out/any.fasttext.jsonl"
  if command -v fasttext >/dev/null; then   # the C++ command itself: whole file, model load included (~0.04 s)
    for _ in 1 2 3; do /usr/bin/time -f "%U" fasttext predict .wanka/corpora/lid176/lid.176.ftz "$lines" 1 2>&1 >/dev/null; done \
      | sort -n | head -1 | awk -v b="$(wc -c < "$lines")" '{printf "{\"peer\": \"fasttext-cli\", \"k\": 1, \"user_s\": %s, \"mb_per_cpu_s\": %.3f}\n", $1, b / 1e6 / $1}' \
      | tee "$out/any.fasttext-cli.jsonl"
  fi
  $py scripts/peers/isa_table.py langid "$out"/*.jsonl
  rm -rf "$out"
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
