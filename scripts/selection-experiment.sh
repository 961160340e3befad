#!/usr/bin/env bash
# SFT data selection experiment (issue 11) on a tiny model, in minutes on 2 cores:
# "Define WORD." -> the first sense of its gcide entry (Webster 1913 / WordNet), 2,700 training and 200 held-out pairs;
# a nano TeleChat2 pre-trained on other gcide entries; SFT on 10 % chosen by IFD, by clustering + IFD, at random, and on
# all of it (same steps for each), 3 seeds; held-out loss and 4-way multiple-choice answer accuracy (the true definition
# against three others, by the lowest mean per-token loss). Usage: scripts/selection-experiment.sh [WORKDIR] [THREADS] [SFT_STEPS] [PRETRAIN_STEPS]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
w="${1:-/tmp/selexp}"; t="${2:-2}"; steps="${3:-100}"; presteps="${4:-200}"
wk="$here/bin/wanka"
mkdir -p "$w"
[ -f "$here/.wanka/corpora/gcide/documents.jsonl" ] || "$wk" corpus fetch gcide
python3 "$here/scripts/selection-experiment.py" build "$here/.wanka/corpora/gcide/documents.jsonl" "$w"
[ -f "$w/tok/tokenizer.json" ] || "$wk" tokenizer train "$w/pretrain.txt" --vocab 2000 --out "$w/tok"
[ -f "$w/pre/model/config.json" ] || "$wk" pretrain --preset nano --vocab-size 2000 --text "$w/pretrain.txt" --tokenizer "$w/tok" --out "$w/pre" \
    --steps "$presteps" --batch 8 --seq 64 --lr 2e-3 --min-lr 2e-4 --warmup 20 --threads "$t" --quiet 2>&1 | grep -E '^done'
base="$w/pre/model"
common=(--model "$base" --seq 48 --threads "$t")
"$wk" select "${common[@]}" --data "$w/train.jsonl" --out "$w/sel-ifd" --rank-by ifd --keep 0.1 --batch 16 2>&1 | grep -E '^kept'
"$wk" select "${common[@]}" --data "$w/train.jsonl" --out "$w/sel-cluster" --rank-by ifd --keep 0.1 --clusters 27 --nearest 20 --batch 16 2>&1 | grep -E '^kept'
for seed in 1 2 3; do
  "$wk" select "${common[@]}" --data "$w/train.jsonl" --out "$w/sel-random-$seed" --rank-by random --seed "$seed" --keep 0.1 --batch 16 2>&1 | grep -E '^kept'
done
for seed in 1 2 3; do
  for cond in ifd cluster random all; do
    case $cond in all) data="$w/train.jsonl";; random) data="$w/sel-random-$seed/selected.jsonl";; *) data="$w/sel-$cond/selected.jsonl";; esac
    out="$w/sft-$cond-$seed"
    [ -f "$out/model/config.json" ] || "$wk" sft "${common[@]}" --data "$data" --out "$out" --overwrite --steps "$steps" --batch 8 --lr 1e-3 \
        --schedule constant --seed "$seed" --eval "$w/test.jsonl" 2>&1 | grep -E '^eval loss after' > "$w/eval-$cond-$seed.txt"
    echo "$cond seed $seed: $(cat "$w/eval-$cond-$seed.txt")"
    [ -f "$w/mc-$cond-$seed/scores.jsonl" ] || "$wk" select --model "$out/model" --seq 48 --threads "$t" --data "$w/mc.jsonl" --out "$w/mc-$cond-$seed" \
        --rank-by ppl --keep 1 --keep-ifd-above-1 --batch 16 >/dev/null 2>&1
  done
done
"$wk" select --model "$base" --seq 48 --threads "$t" --data "$w/mc.jsonl" --out "$w/mc-base" --rank-by ppl --keep 1 --keep-ifd-above-1 --batch 16 >/dev/null 2>&1
python3 "$here/scripts/selection-experiment.py" report "$w"
