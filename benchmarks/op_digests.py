"""Which torch operation gives other bits on another machine: ``python benchmarks/op_digests.py --out A.json``.

:mod:`lib.numerics` pins the CPU code path, yet the trained autoencoder and CNN differ in their last bits
between an Intel Xeon and an AMD EPYC (``benchmarks/numerics_settings.py`` shows the weights). This script runs
ONE training step (forward, backward, optimizer step) of each model, on the data and seeds of
numerics_settings.py, under a ``TorchDispatchMode`` that records every aten op in order with a digest (first 16
hex digits of SHA-256) of its output tensors' bytes. It also digests the parameters before the step, their
gradients and the weights after it, and a set of isolated primitives (GEMMs at the models' shapes, the
nonlinearities, softmax / cross-entropy, conv1d, batch norm, reductions, embedding) on fixed random inputs.
It prints one JSON object; ``--out FILE`` also writes it to FILE. About 8 s on 2 cores.

Use: run it on each machine (a fresh process; ``DNABOOK_NUMERICS``, ``DNABOOK_THREADS`` and the other
environment variables apply as everywhere in the book), then on either one::

    python benchmarks/op_digests.py --out xeon.json          # machine 1
    python benchmarks/op_digests.py --out epyc.json          # machine 2
    python benchmarks/op_digests.py --compare xeon.json epyc.json

``--compare`` prints, per model, the first op whose output differs (all its inputs come from earlier ops with
identical digests, the data or the initial weights, so that op's kernel is the culprit), its input shapes and
strides, and the primitives, gradients and weights that differ. Ops that only make views and the
uninitialized outputs of ``empty`` are not recorded.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics unless DNABOOK_NUMERICS=native)

# isort: split
import argparse
import hashlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils._python_dispatch import TorchDispatchMode

from lib import device, numerics  # noqa: F401  (lib.device applies numerics.configure_torch)

warnings.filterwarnings("ignore", message="TF32 acceleration")  # torch.backends.mkldnn.flags(), harmless
SKIP = {"empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided"}  # uninitialized memory


def digest(t: torch.Tensor) -> str:
    return hashlib.sha256(t.detach().contiguous().cpu().numpy().tobytes()).hexdigest()[:16]


def describe(t: torch.Tensor) -> str:
    return f"{str(t.dtype).removeprefix('torch.')}{list(t.shape)}:{tuple(t.stride())}"


class Recorder(TorchDispatchMode):
    """Records [index, phase, op, output shape, digest, input tensors] for every computing aten op."""

    def __init__(self):
        super().__init__()
        self.ops, self.phase = [], ""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        returns = func._schema.returns
        is_view = bool(returns) and all(r.alias_info is not None and not r.alias_info.is_write for r in returns)
        if is_view or func._schema.name.split("::")[-1] in SKIP:
            return out
        tensors = [t for t in (out if isinstance(out, (tuple, list)) else [out]) if isinstance(t, torch.Tensor)]
        if tensors:
            inputs = [describe(a) for a in torch.utils._pytree.tree_leaves((args, kwargs)) if isinstance(a, torch.Tensor)]
            self.ops.append([len(self.ops), self.phase, str(func), [list(t.shape) for t in tensors],
                             "/".join(digest(t) for t in tensors), " ".join(inputs)])
        return out


def step(model: torch.nn.Module, loss_fn, optimizer) -> dict:
    """One training step of ``model`` under a :class:`Recorder`: ops, initial weights, gradients, new weights."""
    params = dict(model.named_parameters())
    init = {name: digest(p) for name, p in model.state_dict().items()}
    recorder = Recorder()
    with recorder:
        recorder.phase = "forward"
        loss = loss_fn()
        optimizer.zero_grad()
        recorder.phase = "backward"
        loss.backward()
        recorder.phase = "step"
        optimizer.step()
    return {"ops": recorder.ops, "init": init, "grads": {n: digest(p.grad) for n, p in params.items()},
            "weights": {n: digest(v) for n, v in model.state_dict().items()}, "loss": loss.item()}


def autoencoder_step() -> dict:
    """The first step of numerics_settings.py's autoencoder training (latent 64, embed 16, batch 64, Adam)."""
    from lib.book import config
    from lib.splicing import experiments, train
    from lib.splicing.models import Autoencoder
    from lib.splicing.tokens import PAD, batches, encode_all

    seqs = experiments.junction_data(config.resolve("default")).split("train").query("label == 1")["seq"]
    tokens = encode_all(seqs.tolist()[:144])
    torch.manual_seed(0)
    model = Autoencoder(64, 16, False)
    rng = train.seed_everything(0)  # as fit_autoencoder: seeds torch again, flushes denormals
    _, padded, lengths = next(batches(tokens, 64, rng))
    model.train()

    def loss():
        logits = model(padded, lengths)
        target = padded[:, : logits.shape[1]]
        return F.cross_entropy(logits.reshape(-1, 4), target.reshape(-1), ignore_index=PAD)

    return {"batch": list(padded.shape), **step(model, loss, torch.optim.Adam(model.parameters(), lr=3e-3))}


def cnn_step() -> dict:
    """The first step of numerics_settings.py's CNN training (512 random sequences, batch 64, AdamW)."""
    from lib.coding.model import SimpleSaliencyCNN

    rng = np.random.default_rng(0)
    x, y = rng.integers(1, 5, size=(512, 200)).astype(np.uint8), rng.integers(0, 2, size=512)
    torch.manual_seed(0)
    model = SimpleSaliencyCNN().train()
    batch = torch.randperm(512, generator=torch.Generator().manual_seed(0))[:64]
    xb, yb = torch.tensor(x, dtype=torch.long)[batch], torch.tensor(y, dtype=torch.long)[batch]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
    return {"batch": list(xb.shape), **step(model, lambda: F.cross_entropy(model(xb), yb), optimizer)}


def primitives() -> dict[str, str]:
    """Digests of isolated ops on fixed random inputs, at the shapes the two models run."""
    g = torch.Generator().manual_seed(0)

    def r(*shape, scale=1.0):
        return torch.randn(*shape, generator=g) * scale

    out: dict[str, torch.Tensor] = {}
    # GEMMs (m, k) @ (k, n); "t": the right operand is a transposed (n, k) weight, as in x @ W^T.
    # (first autoencoder batch: 16 sequences x 674 steps = 10784 rows; later batches have 64 sequences)
    gemms = {"enc_in": (10784, 16, 128), "dec_in": (10784, 64, 256), "enc_rec": (16, 32, 128), "dec_rec": (16, 64, 256),
             "enc_rec_b64": (64, 32, 128), "dec_rec_b64": (64, 64, 256), "enc_grad_w": (128, 10784, 16),
             "dec_grad_w": (256, 10784, 64), "dec_grad_x": (10784, 256, 64), "dec_grad_h": (16, 256, 64),
             "dec_out": (10784, 64, 4), "dec_out_grad_x": (10784, 4, 64), "dec_out_grad_w": (4, 10784, 64),
             "cnn_fc1": (64, 100, 512), "cnn_fc2": (64, 512, 2), "cnn_fc1_grad_x": (64, 512, 100),
             "cnn_fc1_grad_w": (512, 64, 100)}
    for name, (m, k, n) in gemms.items():
        a, b, bias = r(m, k), r(k, n, scale=0.1), r(n)
        out[f"mm {name}"] = torch.mm(a, b)
        out[f"mm {name} t"] = torch.mm(a, b.t().contiguous().t())
        out[f"addmm {name} t"] = torch.addmm(bias, a, b.t().contiguous().t())
        out[f"mm {name} lhs t"] = torch.mm(a.t().contiguous().t(), b)
    out["matmul 3d"] = torch.matmul(r(16, 674, 64), r(4, 64).t())
    out["addmm_ inplace rec"] = r(16, 128).addmm_(r(16, 32), r(128, 32).t())
    out["einsum cnn table"] = torch.einsum("vd,cdk->kvc", r(6, 128), r(32, 128, 8, scale=0.1))
    # Elementwise and reductions: a large tensor with an odd size (vector tails, several threads' chunks).
    big, small = r(1_000_003, scale=3.0), r(64, 256, scale=3.0)
    for name, fn in {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "exp": torch.exp,
                     "log": lambda t: torch.log(t.abs() + 1e-3), "sqrt": lambda t: torch.sqrt(t.abs()),
                     "div": lambda t: t / (t.abs() + 1e-8), "addcdiv": lambda t: t.addcdiv(t, t.abs().sqrt() + 1e-8),
                     "lerp": lambda t: t.lerp(t.flip(0), 0.1), "sum": torch.sum, "mean": torch.mean}.items():
        out[f"{name} large"], out[f"{name} 64x256"] = fn(big), fn(small)
    out["sigmoid_ strided view"] = r(64, 512).chunk(4, dim=1)[1].sigmoid_()
    out["sum dim0 10784x256"], out["sum dim1 10784x256"] = r(10784, 256).sum(0), r(10784, 256).sum(1)
    out["sum dim2 64x200x8x32"] = r(64, 200, 8, 32).sum(2)
    logits, target = r(10784, 4, scale=2.0), torch.randint(0, 6, (10784,), generator=g)
    out["log_softmax 10784x4"], out["softmax 10784x4"] = F.log_softmax(logits, -1), F.softmax(logits, -1)
    out["cross_entropy 10784x4 ignore"] = F.cross_entropy(logits, target.where(target < 4, -100))
    out["cross_entropy 64x2"] = F.cross_entropy(r(64, 2), torch.randint(0, 2, (64,), generator=g))
    with torch.backends.mkldnn.flags(enabled=False):
        for name, (c_in, c_out, length) in {"conv2": (32, 16, 100), "conv3": (16, 4, 50)}.items():
            x, w = r(64, c_in, length + 7).requires_grad_(), r(c_out, c_in, 8, scale=0.1).requires_grad_()
            y = F.conv1d(x, w, r(c_out))
            gx, gw = torch.autograd.grad(y, (x, w), r(*y.shape))
            out[f"conv1d {name}"], out[f"conv1d {name} grad x"], out[f"conv1d {name} grad w"] = y, gx, gw
    x = r(64, 32, 200).requires_grad_()
    y = F.batch_norm(x, torch.zeros(32), torch.ones(32), r(32), r(32), training=True)
    out["batch_norm 64x32x200"], out["batch_norm grad"] = y, torch.autograd.grad(y, x, r(*y.shape))[0]
    weight, index = r(6, 16).requires_grad_(), torch.randint(0, 6, (64, 200), generator=g)
    e = F.embedding(index, weight, padding_idx=5)
    out["embedding"], out["embedding grad"] = e, torch.autograd.grad(e, weight, r(*e.shape))[0]
    table = r(64, 32).requires_grad_()
    gathered = table[torch.randint(0, 64, (64, 200, 8), generator=g)].sum(2)
    out["index sum grad (index_put accumulate)"] = torch.autograd.grad(gathered, table, r(*gathered.shape))[0]
    return {name: digest(t) for name, t in out.items()}


def run() -> dict:
    models = {"autoencoder": autoencoder_step(), "cnn": cnn_step()}
    result = {"numerics": numerics.describe(), "primitives": primitives(),
              **{key: {m: v[key] for m, v in models.items()} for key in ("ops", "init", "grads", "weights", "loss", "batch")}}
    return result


def compare(a_path: str, b_path: str) -> None:
    a, b = (json.loads(Path(path).read_text()) for path in (a_path, b_path))
    print(f"A: {a_path}: {a['numerics']}\nB: {b_path}: {b['numerics']}")
    for model in a["ops"]:
        ops_a, ops_b = a["ops"][model], b["ops"][model]
        first = next((i for i, (x, y) in enumerate(zip(ops_a, ops_b)) if x[1:5] != y[1:5]), None)
        if first is None and len(ops_a) != len(ops_b):
            first = min(len(ops_a), len(ops_b))
        n_diff = sum(x[4] != y[4] for x, y in zip(ops_a, ops_b))
        print(f"\n{model}: {len(ops_a)} / {len(ops_b)} ops recorded, {n_diff} differ; loss {a['loss'][model]!r} / "
              f"{b['loss'][model]!r}")
        if first is None:
            print("  no op differs")
        else:
            for label, ops in (("A", ops_a), ("B", ops_b)):
                if first < len(ops):
                    index, phase, op, shape, dig, inputs = ops[first]
                    print(f"  first difference, {label}: op #{index} ({phase}) {op} -> {shape} {dig}\n      inputs: {inputs}")
        for key in ("init", "grads", "weights"):
            names = [n for n in a[key][model] if a[key][model][n] != b[key][model].get(n)]
            print(f"  {key} differing: {', '.join(names) or 'none'}")
    names = [n for n in a["primitives"] if a["primitives"][n] != b["primitives"].get(n)]
    print(f"\nprimitives differing ({len(names)} of {len(a['primitives'])}): " + (", ".join(names) or "none"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two JSON files of this script")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    start = time.perf_counter()
    result = run()
    text = json.dumps(result)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(f"{sum(map(len, result['ops'].values()))} ops, {len(result['primitives'])} primitives, "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
