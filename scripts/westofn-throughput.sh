#!/usr/bin/env bash
# West-of-N sampling throughput, batched (the N samples of a prompt decoded together) vs one at a time, on the nano
# preset (weights on the heap) with a tokenizer trained on the word list below, 16 prompts, N = 12, 48 new tokens. Usage:
#   scripts/westofn-throughput.sh [WORKDIR] [THREADS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
w="${1:-/tmp/wn-bench}"; t="${2:-2}"
rm -rf "$w"; mkdir -p "$w"
python3 - "$w" <<'PY'
import json, random, sys
w = sys.argv[1]
random.seed(0)
words = "the cat dog mat sat on what is a an answer question hello world you are helpful river stone light dark water fire".split()
with open(f"{w}/text.txt", "w") as f:
    for i in range(3000):
        f.write(" ".join(random.choice(words) for _ in range(12)) + "\n")
with open(f"{w}/graded.jsonl", "w") as f:
    for i in range(8):
        q = " ".join(random.choice(words) for _ in range(5))
        f.write(json.dumps({"prompt": q, "high": q + " is the answer", "mid": "maybe " + q, "low": "dark dark"}) + "\n")
with open(f"{w}/prompts.jsonl", "w") as f:
    for i in range(16):
        f.write(json.dumps({"prompt": " ".join(random.choice(words) for _ in range(6))}) + "\n")
PY
wk="$here/bin/wanka"
"$wk" tokenizer train "$w/text.txt" --vocab 1000 --out "$w/tok" >/dev/null
"$wk" pretrain --preset nano --vocab-size 1000 --text "$w/text.txt" --tokenizer "$w/tok" --out "$w/pre" --steps 30 --batch 4 --seq 64 --threads "$t" --quiet >/dev/null 2>&1
"$wk" rm --model "$w/pre/model" --data "$w/graded.jsonl" --out "$w/rm" --steps 5 --lr 1e-4 --threads "$t" --seq 64 >/dev/null 2>&1
for mode in batched one; do
  extra=(); [ "$mode" = one ] && extra=(--one-at-a-time)
  "$wk" west-of-n --policy "$w/pre/model" --reward "$w/rm/model" --prompts "$w/prompts.jsonl" --out "$w/wn-$mode" --n 12 \
      --max-new-tokens 48 --threads "$t" "${extra[@]}" 2>&1 | grep '^done'
done
cmp "$w/wn-batched/pairs.jsonl" "$w/wn-one/pairs.jsonl" && echo "pairs identical"
