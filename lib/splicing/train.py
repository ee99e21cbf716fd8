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

from lib.recipe import Recipe
from lib.splicing.models import Autoencoder, SpliceClassifier, init_from_encoder
from lib.splicing.tokens import PAD, batches

Tokens = Sequence[torch.Tensor]


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


def fit_autoencoder(model: Autoencoder, train: Tokens, held_out: Tokens, recipe: Recipe,
                    device: torch.device) -> list[dict]:
    """Train with Adam on cross-entropy (padding masked out) for ``recipe.epochs`` epochs; ``recipe.seed`` seeds
    torch and the batch order. No early stopping: ``recipe.patience`` must be ``None``. Returns one history entry
    per epoch (losses in nats per base, reconstruction of ``held_out``)."""
    if recipe.patience is not None:
        raise ValueError(f"the autoencoder trains every epoch; patience={recipe.patience} is not used")
    rng = seed_everything(recipe.seed)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    history = []
    bar = tqdm(range(recipe.epochs), desc=f"autoencoder latent {model.latent_size}", disable=None)
    for epoch in bar:
        model.train()
        start, total, count = time.perf_counter(), 0.0, 0
        for _, padded, lengths in batches(train, recipe.batch_size, rng):
            padded = padded.to(device)
            logits = model(padded, lengths)
            target = padded[:, : logits.shape[1]]
            loss = nn.functional.cross_entropy(logits.reshape(-1, 4), target.reshape(-1), ignore_index=PAD)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            n = int((target != PAD).sum())
            total, count = total + loss.item() * n, count + n
        seconds = time.perf_counter() - start
        held = reconstruction(model, held_out, recipe.batch_size, device)
        history.append({"epoch": epoch + 1, "train_loss": total / count, "held_out_loss": held["loss"],
                        "held_out_accuracy": held["accuracy"], "seconds": seconds, "nt_per_s": count / seconds})
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
    """Accuracy (threshold 0.5) and ROC AUC."""
    return {"accuracy": float(((probability > 0.5) == labels).mean()), "auc": float(roc_auc_score(labels, probability))}


def fit_classifier(model: SpliceClassifier, train: Tokens, train_labels: np.ndarray, val: Tokens,
                   val_labels: np.ndarray, recipe: Recipe, device: torch.device) -> list[dict]:
    """Adam + cross-entropy for up to ``recipe.epochs`` epochs with early stopping on validation accuracy:
    stops after ``recipe.patience`` epochs without improvement (``None``: never) and restores the best epoch's
    weights. The data order depends on ``recipe.seed`` only (the initial weights are the caller's), so two
    models trained with the same seed see the same batches in the same order. Labels: shape (n,), 0 or 1."""
    rng = np.random.default_rng(recipe.seed)
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    labels = torch.tensor(np.asarray(train_labels), dtype=torch.int64)
    history, best, best_state, waited = [], -1.0, None, 0
    for epoch in tqdm(range(recipe.epochs), desc=f"{model.kind}", disable=None):
        model.train()
        start, total, nt = time.perf_counter(), 0.0, 0
        for index, padded, lengths in batches(train, recipe.batch_size, rng):
            loss = nn.functional.cross_entropy(model(padded.to(device), lengths), labels[index].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, nt = total + loss.item() * len(index), nt + int(lengths.sum())
        seconds = time.perf_counter() - start
        val_scores = scores(predict(model, val, recipe.batch_size, device), val_labels)
        history.append({"epoch": epoch + 1, "train_loss": total / len(train), "val_accuracy": val_scores["accuracy"],
                        "val_auc": val_scores["auc"], "seconds": seconds, "nt_per_s": nt / seconds})
        if val_scores["accuracy"] > best:
            best, waited = val_scores["accuracy"], 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            waited += 1
            if recipe.patience is not None and waited >= recipe.patience:
                break
    model.load_state_dict(best_state)
    model.cpu()
    return history


def classifier(kind: str, hidden: int, embed: int, seed: int, encoder=None, packed: bool = False) -> SpliceClassifier:
    """A classifier whose random initialization depends on ``seed`` only; with ``encoder`` its embedding and
    LSTM weights are then overwritten by the encoder's, so the two variants differ in those weights alone."""
    torch.manual_seed(seed)
    model = SpliceClassifier(kind, hidden, embed, packed=packed)
    if encoder is not None:
        init_from_encoder(model, encoder)
    return model
