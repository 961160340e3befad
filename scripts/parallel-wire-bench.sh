#!/usr/bin/env bash
# Exposed communication removed by bucketing + overlap and by multi-replica, where the wire and not the CPU is the
# bottleneck (issue 8). Two ranks as processes in two network namespaces (scripts/netns-hosts.sh), joined by veths
# whose egress is shaped with tc's token bucket filter (tbf) to RATE, talking Open MPI's tcp BTL over them only.
# Runs, one after the other: dp2 with one gradient bucket vs buckets of BUCKET elements, and tp2 with 1 vs 2
# replicas; every rank prints each step's compute, exposed and overlapped communication (ParallelBench
# --layout-worker) and the medians of the second half of the steps. Needs root, iproute2's ip and tc, Open MPI.
# The namespaces, bridge, veths and /etc/hosts lines it made are removed at the end, also on failure or Ctrl-C.
#   scripts/parallel-wire-bench.sh [RATE=1gbit] [CONFIG=tiny] [STEPS=6] [ROUNDS=2] [SEQ=256] [BATCH=4] [BUCKET=1000000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rate=${1:-1gbit}; config=${2:-tiny}; steps=${3:-6}; rounds=${4:-2}; seq=${5:-256}; batch=${6:-4}; bucket=${7:-1000000}
[ "$(id -u)" = 0 ] || { echo "parallel-wire-bench: needs root (network namespaces, tc)" >&2; exit 2; }
for p in ip tc mpirun; do command -v "$p" >/dev/null || { echo "parallel-wire-bench: needs $p" >&2; exit 2; }; done
name="wkw$$" # hosts wkw<pid>h1, h2; the subnet is chosen free by netns-hosts.sh (auto)
work="$(mktemp -d /tmp/wanka-wire-bench.XXXXXX)"
cleanup() { [ -n "${WIRE_KEEP_LOG:-}" ] && cp "$work/log" "$WIRE_KEEP_LOG" 2>/dev/null; "$root/scripts/netns-hosts.sh" down "$name" || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/bin/wanka" --version >/dev/null 2>&1 || true # builds the fat jar when the sources changed
jar="$root/cli/target/wanka.jar"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jvm=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx3g -cp "$jar" wanka.bench.parallel.ParallelBench)
"$java" "${jvm[@]}" --write-shard "$work" "$config" 2>&1 | grep -v "^WARNING: Using incubator" || true

prefix=$("$root/scripts/netns-hosts.sh" up "$name" auto 2 | sed -n 's/^prefix //p'); subnet="$prefix.0/24"
for i in 1 2; do ip netns exec "${name}h$i" tc qdisc add dev eth0 root tbf rate "$rate" burst 256kb latency 50ms; done
"$root/scripts/netns-hosts.sh" agent "$work/rsh"

echo "# wanka parallel wire bench: $config, batch $batch x seq $seq, $rounds rounds of $steps steps per layout (medians of the second half of each); 2 ranks in network namespaces ${name}h{1,2}, veth egress shaped by tc tbf rate $rate; $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores; $("$java" -version 2>&1 | head -1)"
# One mpirun, one JVM per rank for all four layouts: each warmed up, then ROUNDS rounds of each in turn (same load).
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --allow-run-as-root --oversubscribe --bind-to none \
  --host "${name}h1,${name}h2" --mca plm_rsh_agent "$work/rsh" --mca btl tcp,self \
  --mca btl_tcp_if_include "$subnet" --mca oob_tcp_if_include "$subnet" \
  -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM -x PATH \
  "$java" "${jvm[@]}" --layout-worker "$config" "$steps" "$seq" "$batch" "$work/bench.tokens" "$work/out" "$rounds" \
  "dp2_one_bucket:1:2:1000000000000:1" "dp2_buckets_of_$bucket:1:2:$bucket:1" "tp2:2:1:1000000000000:1" "tp2_replicas_2:2:1:1000000000000:2" 2>&1 \
  | tee "$work/log" | grep -E '^wire'
echo "# tc counters (sent bytes, drops) on each namespace's eth0:"
for i in 1 2; do echo "${name}h$i: $(ip netns exec "${name}h$i" tc -s qdisc show dev eth0 | grep -m1 Sent | sed 's/^ *//')"; done
