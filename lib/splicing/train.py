"""Training loops for paper A's models, with seeds and early stopping.

The functions follow the book's training convention (:mod:`lib.recipe`): ``fit_*(model, <training inputs>,
<validation inputs>, recipe, device) -> history`` and ``predict(model, tokens, batch_size, device)``.
:mod:`lib.splicing.experiments` caches the trained models with :func:`lib.cache.trained`
(``$DNABOOK_CACHE/models/<kind>-<key>/``; history: one entry per epoch with losses, accuracies, seconds and
nucleotides per second), keyed by every parameter and the training data.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from tqdm import tqdm  # not tqdm.auto: no widgets in notebooks; disable=None hides bars off a terminal

from lib.recipe import Recipe, autocast
from lib.recipe import optimizer as make_optimizer
from lib.splicing.models import Autoencoder, SpliceClassifier, init_from_encoder
from lib.splicing.tokens import PAD, batches

Tokens = Sequence[torch.Tensor]
VERSION = 2  # bump when the training code changes trained weights (part of every model's cache key)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed torch (CPU and CUDA) and return a numpy Generator; also flush denormals, which otherwise slow
    LSTM backward passes on CPUs by orders of magnitude."""
    torch.manual_seed(seed)
    torch.set_flush_denormal(True)
    return np.random.default_rng(seed)


def data_key(seqs: Sequence[str], labels: Sequence[int] | None = None) -> str:
    """A short hash of a training set (sequences and labels), for cache keys."""
    digest = hashlib.sha256("\n".join(seqs).encode())
    if labels is not None:
        digest.update(bytes(int(x) for x in labels))
    return digest.hexdigest()[:16]


class _Sums:
    """An epoch's running sum of ``loss * weight`` and of the weights, kept on the device in float64 so that a
    training step never waits for the GPU to hand a loss back (``loss.item()`` per batch would); read once per
    epoch. The same sums, in the same order and precision, as adding ``loss.item() * weight`` in Python."""

    def __init__(self, device: torch.device):
        self.total = torch.zeros((), dtype=torch.float64, device=device)
        self.weight = torch.zeros((), dtype=torch.int64, device=device)

    def add(self, loss: torch.Tensor, weight) -> None:
        self.total += loss.detach().double() * weight
        self.weight += weight

    def read(self) -> tuple[float, int]:
        """(sum of loss * weight, sum of weights)."""
        return self.total.item(), int(self.weight.item())


# --------------------------------------------------------------------------------------------- autoencoder


def reconstruction(model: Autoencoder, tokens: Tokens, batch_size: int, device: torch.device) -> dict:
    """Mean cross-entropy per base (nats) and per-base accuracy of reconstructing ``tokens``."""
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for _, padded, lengths in batches(tokens, batch_size, None):
            padded = padded.to(device)
            logits = model(padded, lengths)
            target = padded[:, : logits.shape[1]]
            mask = target != PAD
            total += nn.functional.cross_entropy(logits[mask], target[mask], reduction="sum").item()
            correct += (logits.argmax(-1)[mask] == target[mask]).sum().item()
            count += int(mask.sum())
    return {"loss": total / count, "accuracy": correct / count}


def curriculum_cap(lengths: Sequence[int], epoch: int, epochs: int) -> int:
    """Longest sequence trained in ``epoch`` (0-based) of ``epochs`` under the length curriculum: the
    ``2 (epoch + 1) / epochs`` quantile of ``lengths`` during the first half of the epochs, every sequence after."""
    share = min(1.0, 2 * (epoch + 1) / epochs)
    return int(np.quantile(np.asarray(lengths), share, method="higher"))


def reconstructed(model: Autoencoder, tokens: Tokens, batch_size: int, device: torch.device) -> list[np.ndarray]:
    """Which bases the autoencoder reconstructs: one bool array (length,) per sequence, in input order."""
    model.to(device).eval()
    out: list[np.ndarray] = [np.empty(0, bool)] * len(tokens)
    with torch.no_grad():
        for index, padded, lengths in batches(tokens, batch_size, None):
            hit = (model(padded.to(device), lengths).argmax(-1).cpu() == padded[:, : int(lengths.max())]).numpy()
            for row, i in enumerate(index):
                out[i] = hit[row, : int(lengths[row])]
    return out


def fit_autoencoder(model: Autoencoder, train: Tokens, held_out: Tokens, recipe: Recipe,
                    device: torch.device, curriculum: bool = False) -> list[dict]:
    """Train with Adam on cross-entropy (padding masked out) for ``recipe.epochs`` epochs; ``recipe.seed`` seeds
    torch and the batch order. No early stopping: ``recipe.patience`` must be ``None``. With ``curriculum`` the
    first half of the epochs trains on the shorter sequences only, the cap growing to every sequence
    (:func:`curriculum_cap`). Returns one history entry per epoch (losses in nats per base, reconstruction of
    ``held_out``, the longest sequence trained)."""
    if recipe.patience is not None:
        raise ValueError(f"the autoencoder trains every epoch; patience={recipe.patience} is not used")
    rng = seed_everything(recipe.seed)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    history, sizes = [], [len(t) for t in train]
    bar = tqdm(range(recipe.epochs), desc=f"autoencoder latent {model.latent_size}", disable=None)
    for epoch in bar:
        model.train()
        start, sums = time.perf_counter(), _Sums(device)
        cap = curriculum_cap(sizes, epoch, recipe.epochs) if curriculum else max(sizes)
        for _, padded, lengths in batches([t for t in train if len(t) <= cap], recipe.batch_size, rng):
            padded = padded.to(device, non_blocking=True)
            with autocast(recipe.precision, device):
                logits = model(padded, lengths)
                target = padded[:, : logits.shape[1]]
                loss = nn.functional.cross_entropy(logits.reshape(-1, 4).float(), target.reshape(-1),
                                                   ignore_index=PAD)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            sums.add(loss, (target != PAD).sum())
        total, count = sums.read()
        seconds = time.perf_counter() - start
        held = reconstruction(model, held_out, recipe.batch_size, device)
        history.append({"epoch": epoch + 1, "train_loss": total / count, "held_out_loss": held["loss"],
                        "held_out_accuracy": held["accuracy"], "seconds": seconds, "nt_per_s": count / seconds,
                        "longest": cap})
        bar.set_postfix(loss=f"{held['loss']:.3f}", nt_s=f"{count / seconds:,.0f}")
    model.cpu()
    return history


# --------------------------------------------------------------------------------------------- classifiers


def predict(model: SpliceClassifier, tokens: Tokens, batch_size: int, device: torch.device) -> np.ndarray:
    """Probability of class 1 (splice junction) for each sequence, in input order."""
    model.to(device).eval()
    out = np.empty(len(tokens))
    with torch.no_grad():
        for index, padded, lengths in batches(tokens, batch_size, None):
            out[index] = torch.softmax(model(padded.to(device), lengths), dim=1)[:, 1].cpu().numpy()
    return out


def scores(probability: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy (threshold 0.5), ROC AUC and log loss (nats per sequence) of class-1 probabilities."""
    labels = np.asarray(labels)
    p = np.clip(probability, 1e-7, 1 - 1e-7)
    return {"accuracy": float(((probability > 0.5) == labels).mean()), "auc": float(roc_auc_score(labels, probability)),
            "loss": float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))}


def fit_classifier(model: SpliceClassifier, train: Tokens, train_labels: np.ndarray, val: Tokens,
                   val_labels: np.ndarray, recipe: Recipe, device: torch.device) -> list[dict]:
    """AdamW + cross-entropy for up to ``recipe.epochs`` epochs (learning rate per ``recipe.schedule``) with
    early stopping on validation loss: stops after ``recipe.patience`` epochs without a lower one (``None``:
    never) and restores the best epoch's weights. The data order and dropout depend on ``recipe.seed`` only (the
    initial weights are the caller's), so two models trained with the same seed see the same batches in the same
    order. Labels: shape (n,), 0 or 1. History: one entry per epoch (train and validation loss in nats per
    sequence, validation accuracy and AUC, seconds, nucleotides per second)."""
    rng = seed_everything(recipe.seed)
    model.to(device)
    chunks = -(-len(train) // recipe.batch_size)
    optimizer, schedule = make_optimizer(model.parameters(), recipe, chunks)
    labels = torch.tensor(np.asarray(train_labels), dtype=torch.int64)
    history, best, best_state, waited = [], float("inf"), None, 0
    for epoch in tqdm(range(recipe.epochs), desc=f"{model.kind}", disable=None):
        model.train()
        start, sums, nt = time.perf_counter(), _Sums(device), 0
        for index, padded, lengths in batches(train, recipe.batch_size, rng):
            with autocast(recipe.precision, device):
                logits = model(padded.to(device, non_blocking=True), lengths)
                loss = nn.functional.cross_entropy(logits.float(), labels[index].to(device, non_blocking=True))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            sums.add(loss, len(index))
            nt += int(lengths.sum())
        total = sums.read()[0]
        seconds = time.perf_counter() - start
        val_scores = scores(predict(model, val, recipe.batch_size, device), val_labels)
        history.append({"epoch": epoch + 1, "train_loss": total / len(train), "val_loss": val_scores["loss"],
                        "val_accuracy": val_scores["accuracy"], "val_auc": val_scores["auc"], "seconds": seconds,
                        "nt_per_s": nt / seconds})
        if val_scores["loss"] < best:
            best, waited = val_scores["loss"], 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if recipe.patience is not None and waited >= recipe.patience:
                break
    model.load_state_dict(best_state)
    model.cpu()
    return history


def classifier(kind: str, hidden: int, embed: int, seed: int, encoder=None, packed: bool = False,
               dropout: float = 0.0) -> SpliceClassifier:
    """A classifier whose random initialization depends on ``seed`` only; with ``encoder`` its embedding and
    LSTM weights are then overwritten by the encoder's, so the two variants differ in those weights alone."""
    torch.manual_seed(seed)
    model = SpliceClassifier(kind, hidden, embed, packed=packed, dropout=dropout)
    if encoder is not None:
        init_from_encoder(model, encoder)
    return model
