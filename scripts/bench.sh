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
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  isas=""
  case "$flags" in *" avx512f "*) isas="avx512";; esac
  case "$flags" in *" avx2 "*) isas="$isas avx2";; esac
  [ -n "$isas" ] || { echo "gemm: this CPU has neither AVX-512 nor AVX2; the peers' kernel choice is not scripted for it" >&2; exit 1; }
  echo "# ISAs: $isas; OpenBLAS core with the environment's settings: $(OPENBLAS_VERBOSE=2 $py -c 'import numpy' 2>&1 | grep -m1 -o 'Core: .*' || echo '?')"
  shapes="NN,512,512,512 NN,1024,1024,1024 NN,2048,2048,2048"   # the shapes and order of `wanka bench gemm`
  for l in 512,512 512,256 512,1376 1376,512 512,32000; do i=${l%,*}; o=${l#*,}; shapes="$shapes NT,2048,$o,$i NN,2048,$i,$o TN,$o,$i,2048"; done
  only=""
  if [ -n "${GEMM_SHAPES:-}" ]; then shapes="$GEMM_SHAPES"; for s in $shapes; do only="$only --shape $s"; done; fi   # a subset, e.g. on a loaded machine
  res=$(mktemp -d)
  for round in $(seq "${ROUNDS:-1}"); do
    for isa in $isas; do
      if [ "$isa" = avx512 ]; then jvm=""; ob=SkylakeX; bl=0; else jvm="-XX:UseAVX=2"; ob=Haswell; bl=6; fi
      for t in $(printf '%s\n' 1 "$threads" | sort -un); do
        # -BackgroundCompilation: C2 compiles while the warm-up waits, not behind it (on a loaded machine the compiler
        # thread may otherwise finish only after the first shapes have been timed)
        WANKA_JAVA_OPTS="-Xmx8g -XX:-BackgroundCompilation $jvm" bin/wanka bench gemm --threads "$t" $only >> "$res/$isa.wanka.t$t.jsonl"
        env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=$ob OPENBLAS_VERBOSE=2 $py scripts/peers/sgemm_peer.py --lib openblas --threads "$t" $shapes >> "$res/$isa.openblas.t$t.jsonl"
        BLIS_ARCH_TYPE=$bl $py scripts/peers/sgemm_peer.py --lib blis --threads "$t" $shapes >> "$res/$isa.blis.t$t.jsonl"
      done
    done
  done
  $py scripts/peers/gemm_table.py "$res"/*.jsonl
  if [ -n "${GEMM_RAW:-}" ]; then mkdir -p "$GEMM_RAW"; cp "$res"/*.jsonl "$GEMM_RAW/"; fi   # the JSON lines, kept on request
  rm -rf "$res"
fi

if [ "$what" = train ] || [ "$what" = all ]; then
  echo "## train (threads=$threads)"
  bin/wanka bench train --config tiny,small --threads "$threads" --steps 6
  $py "$peers/torch_telechat.py" --config tiny,small --threads "$threads" --steps 6
  if [ -x "$peers/djl-bench/run.sh" ] && [ -z "${NO_DJL:-}" ]; then
    # DJL on libtorch: built and run from a writable copy (the shared folder may be read-only).
    djl=$(mktemp -d); cp -r "$peers/djl-bench/." "$djl/"; chmod -R u+w "$djl"; rm -f "$djl/cp.txt"
    (cd "$djl" && ./run.sh --configs tiny,small --steps 12 --threads "$threads" --no-gemm 2>/dev/null)
    rm -rf "$djl"
  fi
fi

if [ "$what" = tokenizer ] || [ "$what" = all ]; then
  echo "## tokenizer"
  corpus="${CORPUS:-.wanka/corpora/tokenizer-bench.txt}"
  if [ ! -f "$corpus" ]; then
    echo "(no tokenizer bench corpus at $corpus; build it with scripts/tokenizer-corpus.sh)"
  else
    out=$(mktemp -d)
    bin/wanka bench tokenizer "$corpus" --vocab 32000 --threads "$threads" --out "$out/ours"
    $py "$peers/peer_sentencepiece.py" train "$corpus" "$out/peer" --vocab 32000
    $py "$peers/peer_sentencepiece.py" bench "$out/peer.model" "$corpus"
    $py "$peers/peer_sentencepiece.py" bench "$out/ours.model" "$corpus"
  fi
fi
if [ "$what" = langid ] || [ "$what" = all ]; then
  # Language ID: lid.176 in wanka (and Lingua) vs the same model in fastText's C++ through its Python binding,
  # called as datatrove calls it. Needs `bin/wanka corpus fetch lid176`, Debian fortunes-zh and python3-fasttext.
  echo "## langid (one thread)"
  if [ "$(id -u)" = 0 ] && { ! $py -c 'import fasttext' 2>/dev/null || [ ! -f /usr/share/games/fortunes/chinese ]; }; then
    apt-get install -y -qq python3-fasttext fortunes-zh >/dev/null 2>&1 || true
  fi
  bin/wanka corpus fetch lid176 >/dev/null 2>&1 || true
  lines=$(mktemp)
  bin/wanka bench langid --limit 2000 --repeat 5 --dump "$lines" 2>/dev/null | grep summary
  $py scripts/peers/fasttext_langid.py .wanka/corpora/lid176/lid.176.ftz "$lines" --repeat 5
  if command -v fasttext >/dev/null; then   # the C++ command itself: whole file, model load included (~0.04 s)
    for _ in 1 2 3; do /usr/bin/time -f "%U" fasttext predict .wanka/corpora/lid176/lid.176.ftz "$lines" 1 2>&1 >/dev/null; done \
      | sort -n | head -1 | awk -v b="$(wc -c < "$lines")" '{printf "{\"peer\": \"fasttext-cli\", \"k\": 1, \"user_s\": %s, \"mb_per_cpu_s\": %.3f}\n", $1, b / 1e6 / $1}'
  fi
  rm -f "$lines"
fi
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
