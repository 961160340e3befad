#!/usr/bin/env python3
"""Independent PyTorch (fp32, CPU) references of wanka's post-training losses, for the align module's parity tests.

The TeleChat2 forward is the model module's plain-PyTorch reference (model/src/test/resources/telechat2_reference.py,
written from the HF remote code); its directory is argv[1]. Everything post-training is written here from the
definitions in shared/research/algorithms.md section 4:

  sft   masked next-token CE, token-mean over the positions whose NEXT token is an assistant token (mask from the
        request, shifted here), gradients by autograd
  rm    r = score . h_last (h after ln_f at each row's last real token), L = mean(-logsigmoid(r_c - r_r - m))
        + c * mean((r_c + r_r)^2)
  dpo   sequence log-probs summed over completion tokens; h = beta*((pc - rc) - (pr - rr));
        sigmoid: -logsigmoid(h), ipo: ((pc-rc)-(pr-rr) - 1/(2 beta))^2, hinge: relu(1 - h);
        plus alpha * NLL, NLL = -(sum of chosen completion log-probs) / (chosen completion tokens), per pair; mean over pairs

LoRA: when the request names an adapter directory (PEFT layout: adapter_config.json + adapter_model.safetensors with
base_model.model.<module>.lora_A.weight [r, in] / lora_B.weight [out, r]), each targeted weight becomes
W + (lora_alpha / r) * B @ A with A and B leaves, so gradients w.r.t. A and B come from autograd.

Usage: align_reference.py MODEL_REFERENCE_DIR --serve  (one JSON request per stdin line, one JSON response per line)
"""
import json
import math
import os
import sys

sys.path.insert(0, sys.argv[1])
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from telechat2_reference import Config, TeleChat2Reference, read_model_dir, read_safetensors, rms_norm  # noqa: E402


def load(req):
    d = req["model_dir"]
    with open(os.path.join(d, "config.json")) as f:
        config = Config(json.load(f))
    want = set(req.get("grads", []))
    params = {n: torch.from_numpy(a).requires_grad_(n in want) for n, a in read_model_dir(d).items()}
    leaves = dict(params)
    if req.get("adapter_dir"):
        a = req["adapter_dir"]
        with open(os.path.join(a, "adapter_config.json")) as f:
            ac = json.load(f)
        scale = ac["lora_alpha"] / ac["r"]
        tensors = {n: torch.from_numpy(x) for n, x in read_safetensors(os.path.join(a, "adapter_model.safetensors")).items()}
        for n, t in tensors.items():
            t.requires_grad_(n in want)
            leaves[n] = t
        for n in tensors:
            if n.endswith(".lora_A.weight"):
                module = n[len("base_model.model."):-len(".lora_A.weight")]
                A = tensors[n]
                B = tensors[n.replace("lora_A", "lora_B")]
                params[module + ".weight"] = params[module + ".weight"] + scale * (B @ A)
    missing = want - leaves.keys()
    if missing:
        raise ValueError("no such parameters: %s" % sorted(missing))
    return config, params, leaves, want


def hidden(model, ids):
    """Hidden states after ln_f [b, s, h]: the reference forward without lm_head."""
    c, p = model.c, model.p
    cos, sin = model.rotary(ids.shape[1])
    h = F.embedding(ids, p["transformer.word_embeddings.weight"])
    for i in range(c.n_layer):
        pre = "transformer.h.%d." % i
        ln = rms_norm(h, p[pre + "input_layernorm.weight"], c.layer_norm_epsilon)
        h = model.attention(i, ln, cos, sin) + h
        ln = rms_norm(h, p[pre + "post_attention_layernorm.weight"], c.layer_norm_epsilon)
        h = model.mlp(i, ln) + h
    return rms_norm(h, p["transformer.ln_f.weight"], c.layer_norm_epsilon)


def token_logps(model, ids):
    """log p(ids[t+1] | ids[<=t]) for t < s-1: [b, s-1]."""
    logits = F.linear(hidden(model, ids), model.p["lm_head.weight"])
    return torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None])[..., 0]


def sft(model, req):
    ids = torch.tensor(req["ids"], dtype=torch.long)
    mask = torch.tensor(req["mask"], dtype=torch.bool)[:, 1:]  # position t is trained when token t+1 is an assistant token
    lp = token_logps(model, ids)
    return -(lp * mask).sum() / mask.sum(), {}


def seq_logps(model, ids, mask):
    ids = torch.tensor(ids, dtype=torch.long)
    m = torch.tensor(mask, dtype=torch.float32)[:, 1:]
    lp = token_logps(model, ids)
    return (lp * m).sum(-1), m.sum(-1)


def dpo(model, req):
    beta, alpha, kind = req["beta"], req["alpha"], req["loss_type"]
    pc, nc = seq_logps(model, req["chosen_ids"], req["chosen_mask"])
    pr, _ = seq_logps(model, req["rejected_ids"], req["rejected_mask"])
    rc = torch.tensor(req["ref_chosen"], dtype=torch.float32)
    rr = torch.tensor(req["ref_rejected"], dtype=torch.float32)
    logits = (pc - rc) - (pr - rr)
    if kind == "sigmoid":
        losses = -F.logsigmoid(beta * logits)
    elif kind == "ipo":
        losses = (logits - 1 / (2 * beta)) ** 2
    elif kind == "hinge":
        losses = torch.relu(1 - beta * logits)
    else:
        raise ValueError(kind)
    nll = -pc / nc
    loss = (losses + alpha * nll).mean()
    extra = {"policy_chosen": pc.tolist(), "policy_rejected": pr.tolist(),
             "chosen_rewards": (beta * (pc - rc)).tolist(), "rejected_rewards": (beta * (pr - rr)).tolist()}
    return loss, extra


def rm(model, req):
    score = torch.from_numpy(read_safetensors(req["head_file"])["score.weight"]).requires_grad_(True)
    model.score = score

    def rewards(ids, last):
        h = hidden(model, torch.tensor(ids, dtype=torch.long))
        rows = h[torch.arange(h.shape[0]), torch.tensor(last, dtype=torch.long)]
        return rows @ score[0]

    r_c = rewards(req["chosen_ids"], req["chosen_last"])
    r_r = rewards(req["rejected_ids"], req["rejected_last"])
    margin = torch.tensor(req["margins"], dtype=torch.float32)
    loss = -F.logsigmoid(r_c - r_r - margin).mean() + req["center"] * ((r_c + r_r) ** 2).mean()
    return loss, {"chosen_rewards": r_c.tolist(), "rejected_rewards": r_r.tolist()}


def run(req):
    torch.set_num_threads(1)
    config, params, leaves, want = load(req)
    model = TeleChat2Reference(config, params)
    op = {"sft": sft, "dpo": dpo, "rm": rm}[req["op"]]
    loss, out = op(model, req)
    out["loss"] = float(loss)
    grad_of = dict(leaves)
    if req["op"] == "rm":
        grad_of["score.weight"] = model.score
    if want or req["op"] == "rm":
        loss.backward()
        out["grads"] = {n: grad_of[n].grad.reshape(-1).double().tolist() for n in sorted(want | ({"score.weight"} if req["op"] == "rm" else set()))}
    return out


def main():
    print(json.dumps({"ready": torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = run(json.loads(line))
        except Exception as e:  # report and keep serving
            out = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
