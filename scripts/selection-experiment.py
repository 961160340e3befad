#!/usr/bin/env python3
"""Data building and the report of scripts/selection-experiment.sh."""
import json, math, os, random, re, statistics, sys


def first_sense(text):
    lines = text.split("\n")
    head = lines[0]
    body = []
    for l in lines[1:]:
        s = l.strip()
        if not s:
            if body:
                break
            continue
        if s.startswith("[") or s.startswith("--") or s.startswith("Syn:") or s.startswith("Note:"):
            if body:
                break
            continue
        s = re.sub(r"^\d+\.\s*", "", s)
        s = re.sub(r"^\([^)]*\)\s*", "", s)
        body.append(s)
    d = " ".join(body)
    d = re.split(r"[.;:]", d)[0].strip()
    d = re.sub(r"[{}]", "", d)
    return head, d


def build(src, w):
    entries = []
    with open(src, encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            hw = doc["metadata"].get("headwords", "")
            if ";" in hw or not re.fullmatch(r"[A-Za-z]{3,14}", hw or ""):
                entries.append((None, None, doc["text"]))
                continue
            _, d = first_sense(doc["text"])
            words = d.split()
            ok = 3 <= len(words) <= 14 and re.fullmatch(r"[A-Za-z ,'\-()]+", d) is not None
            entries.append((hw.lower() if ok else None, d if ok else None, doc["text"]))
    rnd = random.Random(0)
    seen, cands = set(), []
    for hw, d, _ in entries:
        if hw and hw not in seen:
            seen.add(hw)
            cands.append((hw, d))
    rnd.shuffle(cands)
    chosen = cands[:2900]
    train, test = chosen[:2700], chosen[2700:2900]
    used = {hw for hw, _ in chosen}
    pre = [t for hw, d, t in entries if not (hw and hw in used) and not t.startswith("00-")]
    rnd.shuffle(pre)
    with open(os.path.join(w, "pretrain.txt"), "w", encoding="utf-8") as f:
        for t in pre[:30000]:
            f.write(" ".join(t.split()) + "\n")

    def row(hw, d):
        return json.dumps({"instruction": f"Define {hw}.", "output": d[0].upper() + d[1:] + "."})

    with open(os.path.join(w, "train.jsonl"), "w") as f:
        f.writelines(row(hw, d) + "\n" for hw, d in train)
    with open(os.path.join(w, "test.jsonl"), "w") as f:
        f.writelines(row(hw, d) + "\n" for hw, d in test)
    with open(os.path.join(w, "mc.jsonl"), "w") as f:
        for i, (hw, d) in enumerate(test):
            others = [test[(i + k * 37) % len(test)][1] for k in (1, 2, 3)]
            for c in [d] + others:
                f.write(row(hw, c) + "\n")
    print(f"built {len(train)} training and {len(test)} held-out pairs, {min(len(pre), 30000)} pre-training entries")


def mc_accuracy(scores):
    """Questions are 4 consecutive lines of mc.jsonl, the true definition first; one with a line quarantined is skipped."""
    s = {}
    with open(scores) as f:
        for l in f:
            n = json.loads(l)
            s[int(n["source"].rsplit(":", 1)[1]) - 1] = n["s_cond"]
    qs = [q for q in range(max(s) // 4 + 1) if all(4 * q + k in s for k in range(4))]
    right = sum(1 for q in qs if min(range(4), key=lambda k: s[4 * q + k]) == 0)
    return right / len(qs)


def report(w):
    conds = ["ifd", "cluster", "random", "all"]
    names = {"ifd": "10 % by IFD", "cluster": "10 % by clustering + IFD", "random": "10 % at random", "all": "all (2,700)"}
    print("| training data | held-out loss | answer accuracy (4-way) |")
    print("|---|---:|---:|")
    base = mc_accuracy(os.path.join(w, "mc-base/scores.jsonl"))
    for c in conds:
        losses, accs = [], []
        for seed in (1, 2, 3):
            log = os.path.join(w, f"eval-{c}-{seed}.txt")
            losses.append(float(open(log).read().split()[-1]) if os.path.exists(log) else float("nan"))
            accs.append(mc_accuracy(os.path.join(w, f"mc-{c}-{seed}/scores.jsonl")))
        fmt = lambda xs: f"{statistics.mean(xs):.3f} ± {statistics.stdev(xs):.3f}"
        print(f"| {names[c]} | {fmt(losses)} | {fmt(accs)} |")
    print(f"| base model, no SFT | | {base:.3f} |")


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        report(sys.argv[2])
