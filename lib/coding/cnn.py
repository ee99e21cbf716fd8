"""Paper B's SimpleSaliencyCNN, its training and evaluation, and cached checkpoints.

Architecture, as the paper describes it: token embedding (vocabulary 6: pad, A, C, G, T, N; 128 dimensions)
-> three blocks of Conv1d (kernel 8; 32, 16, 4 channels; 'same' padding) + batch norm + ReLU + max-pool 2
-> flatten (4 channels x 25 positions = 100 features for 200-nt input) -> dense 512 + ReLU + dropout 0.3
-> 2 logits (0 coding, 1 intergenomic). Trained with cross-entropy and Adam (see :func:`train`).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from lib import cache
from lib import device, numerics, vocab

SEQ_LEN = 200
VOCAB_SIZE = vocab.SIZE  # paper B's layout of lib.vocab: pad, A, C, G, T, N


class SimpleSaliencyCNN(nn.Module):
    """Input: token ids, LongTensor (n, length). Output: logits (n, n_classes).

    :meth:`embed` and :meth:`classify` split the forward pass at the embeddings, where saliency is taken.
    'Same' padding for the even kernel pads ``(kernel - 1) // 2`` zeros on the left and the rest on the
    right, as ``padding="same"`` does in torch (done explicitly here, which avoids torch's warning about it).
    """

    def __init__(self, vocab_size: int = VOCAB_SIZE, embed_dim: int = 128,
                 channels: tuple[int, ...] = (32, 16, 4), kernel: int = 8, hidden: int = 512, dropout: float = 0.3,
                 length: int = SEQ_LEN,
                 n_classes: int = 2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        blocks, width = [], embed_dim
        for out in channels:
            blocks += [nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0), nn.Conv1d(width, out, kernel),
                       nn.BatchNorm1d(out), nn.ReLU(), nn.MaxPool1d(2)]
            width = out
        self.features = nn.Sequential(*blocks)
        pooled = length // 2 ** len(channels)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(width * pooled, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, n_classes))

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """(n, length) token ids -> (n, length, embed_dim) embeddings."""
        return self.embedding(tokens)

    def classify(self, embedded: torch.Tensor) -> torch.Tensor:
        """(n, length, embed_dim) embeddings -> (n, n_classes) logits."""
        return self.head(self.features(embedded.transpose(1, 2)))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.classify(self.embed(tokens))


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Learnable parameters, buffers (batch-norm running mean/variance and batch counters) and all values
    in the state dict (the sum of the two)."""
    learnable = sum(p.numel() for p in model.parameters())
    state = sum(v.numel() for v in model.state_dict().values())
    return {"learnable parameters": learnable, "buffers": state - learnable, "state dict values": state}


@dataclass(frozen=True)
class TrainConfig:
    """Training settings; ``seed`` fixes the initialisation, the batch order and dropout."""

    epochs: int
    batch_size: int
    lr: float
    seed: int


def train(model: SimpleSaliencyCNN, tokens: np.ndarray, labels: np.ndarray, config: TrainConfig,
          device: torch.device) -> list[dict[str, float]]:
    """Fit ``model`` in place on ``tokens`` (uint8, (n, 200)) and ``labels`` (int, (n,)) with cross-entropy and
    Adam, the learning rate decaying linearly from ``config.lr`` to 0 over the run (the paper gives no
    schedule; without one the last epoch's decision threshold swings from run to run). Returns one record
    per epoch: ``epoch, loss`` (mean training loss), ``accuracy`` (on the training batches, in training
    mode), ``seconds`` and ``sequences_per_s``."""
    generator = torch.Generator().manual_seed(config.seed)
    x = torch.tensor(np.asarray(tokens), dtype=torch.long)
    y = torch.tensor(np.asarray(labels), dtype=torch.long)
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    steps = config.epochs * -(-len(x) // config.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
    history = []
    for epoch in range(1, config.epochs + 1):
        start, total_loss, correct = time.perf_counter(), 0.0, 0
        order = torch.randperm(len(x), generator=generator)
        for batch in order.split(config.batch_size):
            xb, yb = x[batch].to(device), y[batch].to(device)
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += loss.item() * len(batch)
            correct += (logits.argmax(1) == yb).sum().item()
        seconds = time.perf_counter() - start
        history.append({"epoch": epoch, "loss": total_loss / len(x), "accuracy": correct / len(x),
                        "seconds": seconds, "sequences_per_s": len(x) / seconds})
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, tokens: np.ndarray, device: torch.device, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities, float array (n, n_classes), in evaluation mode."""
    model.to(device).eval()
    x = torch.tensor(np.asarray(tokens), dtype=torch.long)
    out = [torch.softmax(model(x[i : i + batch_size].to(device)), 1).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros((0, 2))


def fit(tokens: np.ndarray, labels: np.ndarray, config: TrainConfig, device: torch.device, data_key: str,
        threads: int | None = None) -> tuple[SimpleSaliencyCNN, list[dict[str, float]]]:
    """A trained model and its training history, from the cache (``$CACHE/cnn``) when this ``data_key`` and
    ``config`` were trained before, else trained now and cached (state dict via ``torch.save``, loaded with
    ``weights_only=True``; history as JSON). The same inputs give the same weights on the same machine."""
    params = {"data": data_key, "config": asdict(config), "arch": "SimpleSaliencyCNN-v1", "threads": threads}
    weights = cache.path("cnn", "cnn", params, "pt")
    log = weights.with_suffix(".json")
    model = SimpleSaliencyCNN()
    if weights.exists() and log.exists():
        model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        return model.eval(), json.loads(log.read_text())
    with numerics.fixed_threads(threads):
        torch.manual_seed(config.seed)
        model = SimpleSaliencyCNN()
        history = train(model, tokens, labels, config, device)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    cache.write_atomic(weights, lambda tmp: torch.save(state, tmp))
    cache.write_atomic(log, lambda tmp: Path(tmp).write_text(json.dumps(history, indent=1)))
    return model.cpu().eval(), history


def trained(P, data, seed: int) -> tuple[SimpleSaliencyCNN, list[dict[str, float]]]:
    """The model of profile parameters ``P`` (``cnn_*`` knobs, ``device``) trained with ``seed`` on the
    training split of ``data`` (:class:`lib.coding.dataset.BenchmarkData`); cached (see :func:`fit`)."""
    tokens, labels = data.arrays("train")
    config = TrainConfig(P.cnn_epochs, P.cnn_batch_size, P.cnn_lr, seed)
    return fit(tokens, labels, config, device.pick(P.device), data.key, P.cnn_threads)


def evaluate(model: nn.Module, tokens: np.ndarray, labels: np.ndarray, device: torch.device) -> dict[str, float]:
    """Accuracy, and recall of each class, of ``model`` on ``tokens`` / ``labels``."""
    correct = predict(model, tokens, device).argmax(1) == labels
    return {"accuracy": float(correct.mean()), "coding recall": float(correct[labels == 0].mean()),
            "intergenomic recall": float(correct[labels == 1].mean()), "sequences": int(len(labels))}


# Published accuracies on demo_coding_vs_intergenomic_seqs (test split), as cited in issue 6 of this book and
# in paper B (Table 1): paper B's CNN 91.87 and HyenaDNA 91.31 (paper B); HyenaDNA 91.3 and DNABERT 92.5 (the
# HyenaDNA paper); the Genomic Benchmarks paper's two CNN baselines 87.6 and 89.6.
PUBLISHED = [
    ("SimpleSaliencyCNN", "paper B, Table 1", 91.87),
    ("HyenaDNA", "paper B, Table 1", 91.31),
    ("HyenaDNA", "HyenaDNA paper", 91.3),
    ("DNABERT", "HyenaDNA paper", 92.5),
    ("CNN baseline (first)", "Genomic Benchmarks paper", 87.6),
    ("CNN baseline (second)", "Genomic Benchmarks paper", 89.6),
]


def seed_results(P, data) -> pd.DataFrame:
    """One row per seed (``seed``, ``seed + 1``, ... ``cnn_seeds`` of them): accuracy and class recalls on
    the test split and on the held-out real benchmark sequences, training time and throughput. Models come
    from the cache or are trained (:func:`trained`)."""
    dev, rows = device.pick(P.device), []
    test, real = data.arrays("test"), data.arrays(real=True)
    for seed in range(P.seed, P.seed + P.cnn_seeds):
        model, history = trained(P, data, seed)
        row = {"seed": seed}
        for name, (tokens, labels) in (("test", test), ("real", real)):
            row |= {f"{name} {key}": value for key, value in evaluate(model, tokens, labels, dev).items()}
        row |= {"training s": sum(h["seconds"] for h in history),
                "training sequences/s": float(np.mean([h["sequences_per_s"] for h in history]))}
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")


def table1(results: pd.DataFrame, test_label: str, real_label: str) -> pd.DataFrame:
    """Paper B's Table 1 with this book's rows: mean and SD over seeds of test and real-sequence accuracy
    (percent), beside :data:`PUBLISHED`."""
    n = len(results)
    ours = [("SimpleSaliencyCNN, this book", f"{label} ({n} seeds)", 100 * results[column].mean(),
             100 * results[column].std(ddof=1) if n > 1 else float("nan"))
            for label, column in ((test_label, "test accuracy"), (real_label, "real accuracy"))]
    published = [(method, f"published: {source}", value, float("nan")) for method, source, value in PUBLISHED]
    return pd.DataFrame(ours + published, columns=["method", "evaluated on / source", "accuracy %", "SD %"])
