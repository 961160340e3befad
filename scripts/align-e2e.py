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


def degrade(sense, rnd):
    """mid: the true sense lightly damaged, one of: cut to its first half, one word doubled, two neighbours swapped."""
    words = sense.rstrip(".").split()
    kind = rnd.randrange(3)
    if kind == 0:
        words = words[:max(2, len(words) // 2)]
    elif kind == 1:
        i = rnd.randrange(len(words))
        words = words[:i + 1] + [words[i].lower()] + words[i + 1:]
    else:
        i = rnd.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words).rstrip(",;:") + "."


def scramble(sense, rnd):
    """low: another word's sense, its words shuffled (so that it is worse than mid without knowing the word)."""
    words = sense.rstrip(".").lower().split()
    for _ in range(10):
        rnd.shuffle(words)
        if len(words) < 3 or words != sense.rstrip(".").lower().split():
            break
    return (" ".join(words) + ".").capitalize()


def build(src, w, n_prompts):
    selexp.build(src, w)  # train.jsonl (2,700), test.jsonl (200), mc.jsonl, pretrain.txt
    rnd = random.Random(1)
    for split in ("train", "test"):
        rows = read(os.path.join(w, f"{split}.jsonl"))
        graded, kinds = [], {"hm": [], "hl": [], "ml": [], "knowledge": []}
        for i, r in enumerate(rows):
            other = rows[(i + 1 + rnd.randrange(len(rows) - 1)) % len(rows)]["output"]
            high, mid, low = r["output"], degrade(r["output"], rnd), scramble(other, rnd)
            graded.append({"prompt": r["instruction"], "high": high, "mid": mid, "low": low})
            kinds["hm"].append({"prompt": r["instruction"], "chosen": high, "rejected": mid})
            kinds["hl"].append({"prompt": r["instruction"], "chosen": high, "rejected": low})
            kinds["ml"].append({"prompt": r["instruction"], "chosen": mid, "rejected": low})
            # the previous round's pairs (true sense vs another word's intact sense): needs knowledge of the word
            kinds["knowledge"].append({"prompt": r["instruction"], "chosen": high, "rejected": other})
        with open(os.path.join(w, f"pairs-{split}.jsonl"), "w") as f:
            f.writelines(json.dumps(g) + "\n" for g in graded)
        if split == "test":
            for k, v in kinds.items():
                with open(os.path.join(w, f"pairs-test-{k}.jsonl"), "w") as f:
                    f.writelines(json.dumps(g) + "\n" for g in v)
        with open(os.path.join(w, f"prompts-{split}.jsonl"), "w") as f:
            for r in rows[:n_prompts]:
                f.write(json.dumps({"prompt": r["instruction"]}) + "\n")
    print(f"built graded high/mid/low lines (3 pairs each) and {n_prompts} West-of-N prompts per split")


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
    acc = {}
    for when in ("before", "after"):  # "eval accuracy before[ FILE]: 0.530 (600 pairs)"
        p = os.path.join(w, f"rm-acc-{when}.txt")
        for line in (open(p).read().splitlines() if os.path.exists(p) else []):
            head, val = line.split(":", 1)
            name = head.split()[3] if len(head.split()) > 3 else "all"
            acc[(name, when)] = val.split()[0]
    kinds = [("pairs-test.jsonl", "all graded pairs (3 per held-out word)"), ("pairs-test-hm.jsonl", "high > mid"), ("pairs-test-hl.jsonl", "high > low"),
             ("pairs-test-ml.jsonl", "mid > low"), ("pairs-test-knowledge.jsonl", "diagnostic: true sense > another word's intact sense")]
    for name, what in kinds:
        print(f"| reward model (SFT → RM) | held-out pairwise accuracy, {what} | {acc.get((name, 'before'), 'n/a')} | {acc.get((name, 'after'), 'n/a')} |")
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
