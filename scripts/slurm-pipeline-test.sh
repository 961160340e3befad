#!/usr/bin/env bash
# End-to-end check of `wanka data slurm` on a real single-node Slurm (scripts/slurm-local.sh): runs a 4-task pipeline as
# an array job plus the dependent report job, and compares its output with the same pipeline run locally in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
scripts/slurm-local.sh start
trap 'scripts/slurm-local.sh stop' EXIT
work=$(mktemp -d); mkdir -p "$work/raw"
for i in 0 1 2 3; do
  for j in $(seq 1 50); do echo "document $j of shard $i: the council adopted the proposal on energy $((i * 100 + j))"; done > "$work/raw/part-$i.txt"
  echo "short" >> "$work/raw/part-$i.txt"
done
cat > "$work/pipeline.yaml" <<CONF
input: {reader: text, paths: [raw/*.txt], domain: test}
steps:
  - {type: length_filter, min_chars: 20}
  - {type: jsonl_writer}
CONF
bin/wanka data run "$work/pipeline.yaml" --out "$work/local" --threads 1 >/dev/null 2>&1
ids=$(bin/wanka data slurm "$work/pipeline.yaml" --out "$work/slurm" --submit 2>/dev/null)
report_job=${ids##* }
for i in $(seq 1 120); do
  squeue -h -j "$report_job" 2>/dev/null | grep -q . || break
  sleep 2
done
state=$(sacct -n -X -j "$report_job" -o State 2>/dev/null | head -1 | xargs || true)
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1" >&2; fi; }
check "report written by the dependent job" "[ -f '$work/slurm/report.md' ]"
check "four array tasks finished" "[ \$(ls '$work/slurm/work/done' | wc -l) = 4 ]"
check "slurm output equals the single-process output" "diff -r '$work/local/output' '$work/slurm/output' >/dev/null"
check "report counts the dropped short documents" "grep -q 'too_short\`: 4' '$work/slurm/report.md'"
[ "$failed" = 0 ] || { echo "job logs:" >&2; cat "$work"/slurm/slurm/*.log >&2 || true; echo "report job state: $state" >&2; }
echo "slurm: $passed passed, $failed failed"
[ "$failed" = 0 ] && rm -rf "$work" || echo "kept $work for inspection" >&2
[ "$failed" = 0 ]
