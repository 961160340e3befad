#!/usr/bin/env python3
"""Data building and the report of scripts/align-e2e.sh (post-training end to end on gcide "Define WORD.")."""
import importlib.util, json, math, os, random, statistics, sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("selexp", os.path.join(here, "selection-experiment.py"))
selexp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(selexp)


def read(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def build(src, w, n_prompts):
    selexp.build(src, w)  # train.jsonl (2,700), test.jsonl (200), mc.jsonl, pretrain.txt
    rnd = random.Random(1)
    for split in ("train", "test"):
        rows = read(os.path.join(w, f"{split}.jsonl"))
        with open(os.path.join(w, f"pairs-{split}.jsonl"), "w") as f:
            for i, r in enumerate(rows):  # chosen: the word's first sense; rejected: another word's
                other = rows[(i + 1 + rnd.randrange(len(rows) - 1)) % len(rows)]["output"]
                f.write(json.dumps({"prompt": r["instruction"], "chosen": r["output"], "rejected": other}) + "\n")
        with open(os.path.join(w, f"prompts-{split}.jsonl"), "w") as f:
            for r in rows[:n_prompts]:
                f.write(json.dumps({"prompt": r["instruction"]}) + "\n")
    print(f"built preference pairs and {n_prompts} West-of-N prompts per split")


def mean_reward(path):
    rs = [x for r in read(path) for x in r.get("rewards", [])]
    return statistics.mean(rs), statistics.stdev(rs) / math.sqrt(len(rs)), len(rs)


def report(w):
    def num(name):
        p = os.path.join(w, name)
        return open(p).read().strip() if os.path.exists(p) else "n/a"
    print("| stage | metric | before | after |")
    print("|---|---|---:|---:|")
    print(f"| SFT (base → SFT) | held-out answer loss (200 pairs) | {num('sft-eval-before.txt')} | {num('sft-eval-after.txt')} |")
    print(f"| reward model (SFT → RM) | held-out pairwise accuracy (200 pairs, true vs another word's sense) | {num('rm-acc-before.txt')} | {num('rm-acc-after.txt')} |")
    wn = read(os.path.join(w, "wn-train/pairs.jsonl"))
    conf = [r["confidence"] for r in wn if "confidence" in r]
    print(f"| West-of-N (SFT policy, RM) | pairs from {len(wn)} training prompts; mean confidence | | {statistics.mean(conf):.3f} |")
    b, be, bn = mean_reward(os.path.join(w, "wn-test-sft/pairs.jsonl"))
    a, ae, an = mean_reward(os.path.join(w, "wn-test-dpo/pairs.jsonl"))
    print(f"| DPO + NLL (SFT → DPO) | mean RM score of sampled answers to held-out prompts ({bn} / {an} samples, ± s.e.) | {b:.3f} ± {be:.3f} | {a:.3f} ± {ae:.3f} |")
    losses = {}
    for line in open(os.path.join(w, "models/models.tsv")).read().splitlines()[1:]:
        name, _, loss, _ = line.split("\t")
        losses[name] = float(loss)
    print(f"| DPO + NLL | held-out answer loss | {losses.get('sft/model', float('nan')):.4f} | {losses.get('dpo/model', float('nan')):.4f} |")
    accs = {k: selexp.mc_accuracy(os.path.join(w, f"mc-{k}/scores.jsonl")) for k in ("base", "sft", "dpo")}
    print(f"| all | 4-way answer accuracy (base {accs['base']:.3f}) | SFT {accs['sft']:.3f} | DPO {accs['dpo']:.3f} |")


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        report(sys.argv[2])
