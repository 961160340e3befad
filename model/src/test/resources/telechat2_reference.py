#!/usr/bin/env python3
"""An independent PyTorch (fp32, CPU) reference of the TeleChat2 forward, written from the description of the
Hugging Face remote code (modeling_telechat2.py) in shared/research/telechat2.md section 1. Used by
TorchParityTest to cross-check wanka's Java implementation.

Reads a model directory (config.json with HF TeleChat2 field names + model.safetensors or an index with shards),
parses the safetensors files with json + numpy (no `safetensors` package needed), runs the forward and prints JSON.

Usage: telechat2_reference.py [REQUEST_JSON]   (one request as argv[1], else read from stdin)
       telechat2_reference.py --serve          (one request per stdin line, one response per stdout line,
                                                after a first line {"ready": torch version})
Request (JSON):
  {"model_dir": "...",
   "ids": [[...], ...],                  # token ids [batch][seq]
   "targets": [[...], ...],              # optional, per position (already shifted: target of position t), -100 = ignored
   "grads": ["lm_head.weight", ...],     # optional: gradients of the mean loss w.r.t. these parameters (autograd)
   "decode_prefill": n}                  # optional: also run the HF KV-cache decode (prefill n tokens, then one at a time)
Response:
  {"logits": [batch][seq][vocab], "loss": float, "grads": {name: flat list}, "decode_logits": [[vocab] per step],
   "rope": {"seq_len": .., "ntk_alpha": .., "base": .., "mscale": ..}}

Deliberate deviation from the HF code: the HF RotaryEmbedding builds cos/sin in fp32 and then casts them to fp16
(`emb.cos()[:, None, :].half()`) before multiplying by mscale. Here the tables stay fp32 (wanka trains in fp32 and
builds its table in double, rounded once to float), so the comparison tests the math, not the fp16 rounding.
Everything else follows the remote code: the cos/sin table covers `seq_len = max(total_len, training_seqlen)`
positions, ntk_alpha / NTK base / mscale as in `RotaryEmbedding`, rotate_half, the interleaved key_value split per kv
head, repeat_kv GQA, softmax scale 1/sqrt(head_dim), biases only on dense and down_proj, untied lm_head, no logit scale.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def read_safetensors(path):
    """name -> float32 numpy array. Format: u64 LE header length, JSON header, raw little-endian data."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dt = info["dtype"]
        if dt == "BF16":
            u16 = np.frombuffer(data[start:end], dtype="<u2").astype(np.uint32) << 16
            arr = u16.view(np.float32)
        else:
            arr = np.frombuffer(data[start:end], dtype=np.dtype(_DTYPES[dt]).newbyteorder("<")).astype(np.float32)
        out[name] = arr.reshape(info["shape"]).copy()
    return out


def read_model_dir(d):
    single = os.path.join(d, "model.safetensors")
    if os.path.exists(single):
        return read_safetensors(single)
    with open(os.path.join(d, "model.safetensors.index.json")) as f:
        index = json.load(f)
    out = {}
    for shard in sorted(set(index["weight_map"].values())):
        out.update(read_safetensors(os.path.join(d, shard)))
    return out


class Config:
    def __init__(self, c):
        self.vocab_size = c["vocab_size"]
        self.hidden_size = c.get("hidden_size", c.get("n_embed"))
        self.n_layer = c.get("n_layer", c.get("num_hidden_layers"))
        self.n_head = c.get("n_head", c.get("num_attention_heads"))
        self.num_key_value_heads = c.get("num_key_value_heads") or self.n_head
        self.ffn_hidden_size = c["ffn_hidden_size"]
        self.layer_norm_epsilon = c.get("layer_norm_epsilon", 1e-5)
        self.training_seqlen = c.get("training_seqlen", 8192)
        self.base_seqlen = c.get("base_seqlen", self.training_seqlen)
        self.head_dim = self.hidden_size // self.n_head
        # The GitHub modeling code hard-codes base 10000; wanka reads rope_theta (default 10000) - use the same.
        self.rope_base = c.get("rope_theta", 10000.0)


class RotaryEmbedding:
    """TeleChat2's RotaryEmbedding: dynamic NTK alpha and mscale chosen from the total length."""

    def __init__(self, dim, config):
        self.dim = dim
        self.base = config.rope_base
        self.config = config

    def get_mscale(self, scale=1):
        if scale <= 1:
            return 1.0
        return 0.1 * math.log(scale) + 1.0

    def get_ntk_alpha(self, true_seq_len):
        context_value = math.log(true_seq_len / self.config.base_seqlen, 2) + 1
        ntk_alpha = 2 ** math.ceil(context_value) - 1
        return max(ntk_alpha, 1)

    def __call__(self, seq_len):
        seq_len = max(seq_len, self.config.training_seqlen)
        ntk_alpha = self.get_ntk_alpha(seq_len)
        mscale = float(self.get_mscale(seq_len / self.config.training_seqlen))
        base = self.base * ntk_alpha ** (self.dim / (self.dim - 2))  # python float
        inv_freq = 1.0 / (base ** (torch.arange(0, self.dim, 2).float() / self.dim))  # fp32 like HF
        t = torch.arange(seq_len, dtype=inv_freq.dtype)
        freqs = torch.einsum("i,j->ij", t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        # HF: self.mscale * emb.cos()[:, None, :].half()  -- kept in fp32 here (see module docstring).
        cos = mscale * emb.cos()
        sin = mscale * emb.sin()
        self.last = {"seq_len": seq_len, "ntk_alpha": ntk_alpha, "base": base, "mscale": mscale}
        return cos, sin  # [seq_len, dim]


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary(x, cos, sin, offset):
    # x: [b, s, heads, d]; cos/sin: [table_len, d]
    s = x.shape[1]
    c = cos[offset:offset + s][None, :, None, :]
    si = sin[offset:offset + s][None, :, None, :]
    return x * c + rotate_half(x) * si


def rms_norm(x, weight, eps):
    input_dtype = x.dtype
    h = x.to(torch.float32)
    variance = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(variance + eps)
    return weight * h.to(input_dtype)


def repeat_kv(x, n_rep):
    # x: [b, s, kv, d] -> [b, s, kv * n_rep, d]; each kv head repeated n_rep times consecutively
    if n_rep == 1:
        return x
    b, s, kv, d = x.shape
    return x[:, :, :, None, :].expand(b, s, kv, n_rep, d).reshape(b, s, kv * n_rep, d)


class TeleChat2Reference:
    def __init__(self, config, params):
        self.c = config
        self.p = params
        self.rotary = RotaryEmbedding(config.head_dim, config)

    def attention(self, i, x, cos, sin, cache=None):
        c, p = self.c, self.p
        pre = "transformer.h.%d.self_attention." % i
        b, s, _ = x.shape
        nh, kvh, hd = c.n_head, c.num_key_value_heads, c.head_dim
        q = F.linear(x, p[pre + "query.weight"]).view(b, s, nh, hd)
        mixed_kv = F.linear(x, p[pre + "key_value.weight"]).view(b, s, kvh, 2 * hd)
        k, v = torch.split(mixed_kv, hd, dim=-1)  # split_tensor_along_last_dim(mixed_kv, 2): interleaved per kv head
        offset = 0 if cache is None or cache.get(i) is None else cache[i][0].shape[1]
        q = apply_rotary(q, cos, sin, offset)
        k = apply_rotary(k, cos, sin, offset)
        if cache is not None:
            if cache.get(i) is not None:  # keys are cached after RoPE, as in the remote code
                k = torch.cat((cache[i][0], k), dim=1)
                v = torch.cat((cache[i][1], v), dim=1)
            cache[i] = (k, v)
        k = repeat_kv(k, nh // kvh)
        v = repeat_kv(v, nh // kvh)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))  # [b, heads, s, d]
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        sk = k.shape[2]
        if s == sk:  # flash: causal when q and k have the same length; a single decode token sees everything
            mask = torch.ones(s, sk, dtype=torch.bool).triu(1)
            scores = scores.masked_fill(mask, float("-inf"))
        probs = torch.softmax(scores.float(), dim=-1)
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, nh * hd)
        return F.linear(ctx, p[pre + "dense.weight"], p[pre + "dense.bias"])

    def mlp(self, i, x):
        p = self.p
        pre = "transformer.h.%d.mlp." % i
        gate = F.linear(x, p[pre + "gate_proj.weight"])
        up = F.linear(x, p[pre + "up_proj.weight"])
        return F.linear(F.silu(gate) * up, p[pre + "down_proj.weight"], p[pre + "down_proj.bias"])

    def forward(self, ids, cache=None):
        c, p = self.c, self.p
        past = 0 if cache is None or cache.get(0) is None else cache[0][0].shape[1]
        cos, sin = self.rotary(past + ids.shape[1])  # seq_len = past + current length
        h = F.embedding(ids, p["transformer.word_embeddings.weight"])
        for i in range(c.n_layer):
            pre = "transformer.h.%d." % i
            ln = rms_norm(h, p[pre + "input_layernorm.weight"], c.layer_norm_epsilon)
            h = self.attention(i, ln, cos, sin, cache) + h
            ln = rms_norm(h, p[pre + "post_attention_layernorm.weight"], c.layer_norm_epsilon)
            h = self.mlp(i, ln) + h
        h = rms_norm(h, p["transformer.ln_f.weight"], c.layer_norm_epsilon)
        return F.linear(h, p["lm_head.weight"])  # untied, no bias, no logit scaling


def run(req):
    torch.set_num_threads(int(req.get("threads", 1)))
    d = req["model_dir"]
    with open(os.path.join(d, "config.json")) as f:
        config = Config(json.load(f))
    want = set(req.get("grads", []))
    params = {}
    for name, arr in read_model_dir(d).items():
        params[name] = torch.from_numpy(arr).requires_grad_(name in want)
    missing = want - params.keys()
    if missing:
        raise ValueError("no such parameters: %s" % sorted(missing))
    model = TeleChat2Reference(config, params)
    ids = torch.tensor(req["ids"], dtype=torch.long)
    out = {}
    with torch.set_grad_enabled(bool(want)):
        logits = model.forward(ids)
        out["rope"] = model.rotary.last
        out["logits"] = logits.detach().double().tolist()
        if "targets" in req:
            targets = torch.tensor(req["targets"], dtype=torch.long)
            loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), targets.reshape(-1), ignore_index=-100)
            out["loss"] = float(loss)
            if want:
                loss.backward()
                out["grads"] = {n: params[n].grad.reshape(-1).double().tolist() for n in sorted(want)}
    if "decode_prefill" in req:
        n = int(req["decode_prefill"])
        cache = {}
        steps = []
        with torch.no_grad():
            seq = ids[:1]
            steps.append(model.forward(seq[:, :n], cache)[0, -1].double().tolist())
            for t in range(n, seq.shape[1]):
                steps.append(model.forward(seq[:, t:t + 1], cache)[0, -1].double().tolist())
        out["decode_logits"] = steps
    return out


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        # One JSON request per stdin line, one JSON response per stdout line (torch is imported once).
        print(json.dumps({"ready": torch.__version__}), flush=True)
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                out = run(json.loads(line))
            except Exception as e:  # report and keep serving
                out = {"error": "%s: %s" % (type(e).__name__, e)}
            print(json.dumps(out), flush=True)
        return
    json.dump(run(json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
