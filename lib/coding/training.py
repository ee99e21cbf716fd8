"""Training, prediction and evaluation of paper B's CNN on the book's convention (:mod:`lib.recipe`), and the
trained models of a configuration, cached.

Paper B trains for a fixed number of epochs and reports the accuracy of the last one, so :func:`fit` takes no
validation inputs and refuses a recipe with ``patience``.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from lib import cache, device, numerics, workers
from lib.coding.model import SimpleSaliencyCNN
from lib.recipe import Recipe

EVAL_BATCH = 1024  # sequences per forward pass when evaluating
ARCHITECTURE = "SimpleSaliencyCNN-v2"  # in the checkpoints' cache key; v2: forward by table lookup (model.first_layer)


def fit(model: SimpleSaliencyCNN, tokens: np.ndarray, labels: np.ndarray, recipe: Recipe,
        device: torch.device) -> list[dict[str, float]]:
    """Fit ``model`` in place on ``tokens`` (uint8, (n, 200)) and ``labels`` (int, (n,)) with cross-entropy and
    AdamW (``recipe.weight_decay``; 0 is Adam), the learning rate decaying linearly from ``recipe.lr`` to 0 over
    the run (the paper gives no schedule; without one the last epoch's decision threshold swings from run to
    run); ``recipe.seed`` fixes the batch order. Returns one record per epoch: ``epoch, loss`` (mean training loss), ``accuracy`` (on the
    training batches, in training mode), ``seconds`` and ``sequences_per_s``."""
    if recipe.patience is not None:
        raise ValueError("paper B's CNN trains every epoch of its recipe: patience must be None")
    generator = torch.Generator().manual_seed(recipe.seed)
    x = torch.tensor(np.asarray(tokens), dtype=torch.long)
    y = torch.tensor(np.asarray(labels), dtype=torch.long)
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
    history = []
    for epoch in range(1, recipe.epochs + 1):
        start, total_loss, correct = time.perf_counter(), 0.0, 0
        order = torch.randperm(len(x), generator=generator)
        for batch in order.split(recipe.batch_size):
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
def probabilities(model: nn.Module, tokens: np.ndarray, batch_size: int, device: torch.device) -> np.ndarray:
    """Class probabilities (softmax of the logits), float array (n, n_classes), in evaluation mode."""
    model.to(device).eval()
    x = torch.tensor(np.asarray(tokens), dtype=torch.long)
    out = [torch.softmax(model(x[i : i + batch_size].to(device)), 1).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy() if out else np.zeros((0, 2))


def predict(model: nn.Module, tokens: np.ndarray, batch_size: int, device: torch.device) -> np.ndarray:
    """The probability of class 1 (intergenomic), float array (n,), in evaluation mode."""
    return probabilities(model, tokens, batch_size, device)[:, 1]


def evaluate(model: nn.Module, tokens: np.ndarray, labels: np.ndarray, device: torch.device) -> dict[str, float]:
    """Accuracy, recall of each class (fractions) and the number of ``sequences`` of ``model`` on ``tokens``
    (uint8, (n, 200)) / ``labels`` ((n,)); a sequence's class is the more probable one."""
    correct = probabilities(model, tokens, EVAL_BATCH, device).argmax(1) == labels
    return {"accuracy": float(correct.mean()), "coding recall": float(correct[labels == 0].mean()),
            "intergenomic recall": float(correct[labels == 1].mean()), "sequences": len(labels)}


def trained_model(tokens: np.ndarray, labels: np.ndarray, recipe: Recipe, device: torch.device, data_key: str,
                  threads: int | None = None) -> tuple[SimpleSaliencyCNN, list[dict[str, float]]]:
    """A model fitted from torch seed ``recipe.seed`` (:func:`fit`) on ``tokens``/``labels`` (named ``data_key``
    in the cache key) with ``threads`` torch CPU threads, and its training history, in evaluation mode on the
    CPU. Cached by :func:`lib.cache.trained` (``$CACHE/cnn/cnn-<key>/``). The same inputs give the same weights
    on the same machine."""
    recipe_key = {"epochs": recipe.epochs, "batch_size": recipe.batch_size, "lr": recipe.lr, "seed": recipe.seed,
                  "weight_decay": recipe.weight_decay}
    params = {"data": data_key, "config": recipe_key, "arch": ARCHITECTURE, "threads": threads}

    def make() -> SimpleSaliencyCNN:  # seeded before construction: the initial weights depend on the seed alone
        torch.manual_seed(recipe.seed)
        return SimpleSaliencyCNN()

    def train(model: SimpleSaliencyCNN) -> list[dict[str, float]]:
        with numerics.fixed_threads(threads):
            return fit(model, tokens, labels, recipe, device)

    model, history = cache.trained("cnn", "cnn", params, make, train)
    return model.cpu().eval(), history


def trained(P, data, seed: int) -> tuple[SimpleSaliencyCNN, list[dict[str, float]]]:
    """The model of configuration ``P`` (``cnn_*`` knobs, ``device``) trained with ``seed`` on the training split
    of ``data`` (:class:`lib.coding.dataset.BenchmarkData`), and its history; cached (:func:`trained_model`)."""
    tokens, labels = data.arrays("train")
    recipe = Recipe(P.cnn_epochs, P.cnn_batch_size, P.cnn_lr, seed, weight_decay=P.cnn_weight_decay)
    return trained_model(tokens, labels, recipe, device.pick(P.device), data.key, P.cnn_threads)


def train_all(P, data) -> None:
    """Train (into the cache) the model of every seed of ``P`` on ``data`` in ``P.workers`` processes
    (:mod:`lib.workers`) when ``cnn_threads`` fixes the thread count, so a worker gives the same weights as this
    process; one after the other here otherwise."""
    workers.run([(trained, (P, data, seed)) for seed in seeds(P)], P.workers if P.cnn_threads else 1)


def seeds(P) -> range:
    """The seeds of configuration ``P``'s models: ``seed``, ``seed + 1``, ... (``cnn_seeds`` of them)."""
    return range(P.seed, P.seed + P.cnn_seeds)
