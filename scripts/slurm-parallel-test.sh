#!/usr/bin/env bash
# Parallel pre-training under a real single-node Slurm (scripts/slurm-local.sh): `srun --mpi=pmix` starts two
# `wanka pretrain --dp 2` processes, which find their ranks through PMIx and talk through Open MPI; their losses
# are compared with the single-process run of the same data, seed and batch (relative deviation < 1e-4 per step).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
command -v mpirun >/dev/null || { echo "slurm-parallel: no Open MPI (apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 2; }
scripts/slurm-local.sh start
trap 'scripts/slurm-local.sh stop' EXIT
srun --mpi=list 2>&1 | grep -q pmix || { echo "slurm-parallel: this Slurm has no pmix plugin (srun --mpi=list)" >&2; exit 2; }
bin/wanka --version >/dev/null 2>&1 || true # builds the jar once, before srun starts two copies
work=$(mktemp -d)
# A shard of arithmetic walks through a vocabulary of 100 (docs/formats.md: packed token shard, CRC-32C of the ids).
python3 - "$work/train.tokens" <<'PY'
import random, struct, sys
def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF
r = random.Random(0); ids = []; docs = 200
for d in range(docs):
    start, step = 3 + r.randrange(30), 1 + r.randrange(3)
    ids += [3 + (start + i * step - 3) % 97 for i in range(24)] + [2]
body = struct.pack("<%dH" % len(ids), *ids)
header = b"WKTOKENS" + struct.pack("<IIQII", 1, 2, len(ids), 100, crc32c(body)) + struct.pack("<QI", docs, 2) + bytes(20)
open(sys.argv[1], "wb").write(header + body)
PY
common=(--preset nano --vocab-size 100 --data "$work/train.tokens" --seq 16 --steps 20 --lr 3e-3 --min-lr 1e-4 --warmup 2 --seed 42 --threads 1 --quiet)
export WANKA_JAVA_OPTS=-Xmx1g
bin/wanka pretrain "${common[@]}" --out "$work/single" --batch 4 --grad-accum 2 --checkpoint-every 0 >"$work/single.log" 2>&1
srun -n 2 --overcommit --mpi=pmix bin/wanka pretrain "${common[@]}" --out "$work/srun" --dp 2 --micro-batch 2 --global-batch 8 >"$work/srun.log" 2>&1 \
  || { echo "slurm-parallel: srun failed:" >&2; tail -30 "$work/srun.log" >&2; exit 1; }
python3 - "$work/single/metrics.jsonl" "$work/srun/metrics.jsonl" <<'PY'
import json, sys
a = [json.loads(l)["loss"] for l in open(sys.argv[1])]
b = [json.loads(l)["loss"] for l in open(sys.argv[2])]
assert len(a) == len(b) == 20, (len(a), len(b))
dev = max(abs(x - y) / abs(x) for x, y in zip(a, b))
print("slurm: srun --mpi=pmix dp2 vs single process, max relative loss deviation over 20 steps: %.3e" % dev)
sys.exit(0 if dev < 1e-4 else 1)
PY
grep -q "Open MPI, one process per rank" "$work/srun.log" || { echo "slurm-parallel: the srun job did not run on Open MPI:" >&2; cat "$work/srun.log" >&2; exit 1; }
rm -rf "$work"
