"""Gradient saliency and two other attribution methods on the CNN's embeddings (paper B section 3.3), and the
cached saliency maps of every model of a configuration.

Notation as in the paper: for a sequence of length L with embeddings E (L x d), G = d f(x)_y / d E is the
gradient of the predicted class's logit, and I_j = sum_k |G_jk| the importance of position j. Every method
here returns such an importance map, float64 (n, L); :mod:`lib.coding.saliency` computes their statistics.

Models need ``embed(tokens) -> (n, L, d)`` and ``classify(embedded) -> (n, classes)`` (e.g.
:class:`lib.coding.model.SimpleSaliencyCNN`) and must be in evaluation mode.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from lib import cache, device, numerics, workers
from lib.coding import training


def _batches(tokens: np.ndarray, batch_size: int):
    for i in range(0, len(tokens), batch_size):
        yield torch.tensor(np.asarray(tokens[i : i + batch_size]), dtype=torch.long)


def gradient_importance(model, tokens: np.ndarray, device: torch.device, batch_size: int = 250
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Plain-gradient importance I (float64, (n, L)) and the predicted class of each sequence ((n,))."""
    model.to(device).eval()
    importance, predicted = [], []
    for x in _batches(tokens, batch_size):
        embedded = model.embed(x.to(device)).detach().requires_grad_(True)
        logits = model.classify(embedded)
        choice = logits.argmax(1)
        logits.gather(1, choice[:, None]).sum().backward()  # eval mode: each row's gradient is its own
        importance.append(embedded.grad.abs().sum(-1).cpu().double())
        predicted.append(choice.cpu())
    return torch.cat(importance).numpy(), torch.cat(predicted).numpy()


def integrated_gradients_importance(model, tokens: np.ndarray, device: torch.device, steps: int,
                                    batch_size: int = 50) -> np.ndarray:
    """Integrated Gradients (captum; zero-embedding baseline, ``steps`` Riemann steps) of the predicted class,
    summed in absolute value over embedding dimensions: float64 (n, L)."""
    model.to(device).eval()
    method, out = _captum("IntegratedGradients")(model.classify), []
    for x in _batches(tokens, batch_size):
        embedded = model.embed(x.to(device)).detach()
        with torch.no_grad():
            target = model.classify(embedded).argmax(1)
        attr = method.attribute(embedded, target=target, n_steps=steps, internal_batch_size=batch_size * 8)
        out.append(attr.abs().sum(-1).detach().cpu().double())
    return torch.cat(out).numpy()


def smoothgrad_importance(model, tokens: np.ndarray, device: torch.device, samples: int, noise: float = 0.15,
                          seed: int = 0, batch_size: int = 50) -> np.ndarray:
    """SmoothGrad (captum NoiseTunnel over absolute gradients; Gaussian noise with standard deviation
    ``noise`` times the range of the embedding table, ``samples`` draws) of the predicted class, summed over
    embedding dimensions: float64 (n, L)."""
    model.to(device).eval()
    weights = model.embedding.weight.detach()
    sigma = float(noise * (weights.max() - weights.min()))
    method, out = _captum("NoiseTunnel")(_captum("Saliency")(model.classify)), []
    torch.manual_seed(seed)
    for x in _batches(tokens, batch_size):
        embedded = model.embed(x.to(device)).detach()
        with torch.no_grad():
            target = model.classify(embedded).argmax(1)
        attr = method.attribute(embedded, nt_type="smoothgrad", nt_samples=samples, stdevs=sigma, target=target,
                                nt_samples_batch_size=batch_size * 4)
        out.append(attr.abs().sum(-1).detach().cpu().double())
    return torch.cat(out).numpy()


def _captum(name: str):
    """``captum.attr.<name>``, imported on first use without the warning that captum's import of tqdm.auto
    prints in a kernel without ipywidgets (it names a machine-local path)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from captum import attr
    return getattr(attr, name)


def analyse(model, tokens: np.ndarray, labels: np.ndarray, device: torch.device, *, n: int, per_class: int,
            compare_n: int, ig_steps: int, smoothgrad_samples: int, seed: int, threads: int | None = None
            ) -> dict[str, np.ndarray]:
    """Every saliency map chapter 11 needs from one model, cached through :func:`lib.cache.cached`
    (``$CACHE/saliency``, npz) keyed by the model's weights, the data and these settings.

    From ``tokens`` / ``labels`` (a test set) it draws with ``seed``: ``n`` sequences (``index``) for the
    positional statistics, ``per_class`` of each class (``class_index``; the whole class where it has fewer) for
    the class-wise means, and uses the first ``compare_n`` of ``index`` to compare methods. Returns
    ``importance`` (n, L), ``predicted``, ``labels``, ``class_importance`` (up to 2 * per_class, L), ``class_labels``,
    ``ig`` and ``smoothgrad`` (compare_n, L), the indices, and ``seconds`` (wall time of plain gradients, IG,
    SmoothGrad, measured when computed). ``threads``: torch CPU threads while computing.
    """
    params = {"model": cache.module_digest(model), "data": _sha(tokens, labels), "n": n, "per_class": per_class,
              "compare_n": compare_n, "ig_steps": ig_steps, "smoothgrad_samples": smoothgrad_samples,
              "seed": seed}

    def compute() -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        index = np.sort(rng.choice(len(tokens), min(n, len(tokens)), replace=False))
        members = [np.flatnonzero(labels == c) for c in (0, 1)]  # a small test set may hold fewer than per_class
        class_index = np.concatenate([np.sort(rng.choice(m, min(per_class, len(m)), replace=False)) for m in members])
        compare = index[:compare_n]
        with numerics.fixed_threads(threads):
            clock = [time.perf_counter()]
            importance, predicted = gradient_importance(model, tokens[index], device)
            class_importance, _ = gradient_importance(model, tokens[class_index], device)
            clock.append(time.perf_counter())
            ig = integrated_gradients_importance(model, tokens[compare], device, ig_steps)
            clock.append(time.perf_counter())
            smooth = smoothgrad_importance(model, tokens[compare], device, smoothgrad_samples, seed=seed)
            clock.append(time.perf_counter())
        return {"index": index, "importance": importance, "predicted": predicted, "labels": labels[index],
                "class_index": class_index, "class_importance": class_importance,
                "class_labels": labels[class_index], "ig": ig, "smoothgrad": smooth, "seconds": np.diff(clock)}

    def save(result: dict[str, np.ndarray], tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **result)

    def load(target: Path) -> dict[str, np.ndarray]:
        with np.load(target) as saved:
            return dict(saved)

    return cache.cached("saliency", "saliency", params, "npz", compute, save, load)


def compared(result: dict[str, np.ndarray]) -> np.ndarray:
    """The plain-gradient maps of the sequences on which :func:`analyse` also ran Integrated Gradients and
    SmoothGrad: the first ``len(result["ig"])`` rows of ``result["importance"]``, (compare_n, L)."""
    return result["importance"][: len(result["ig"])]


def analyse_seeds(P, data) -> dict[int, dict[str, np.ndarray]]:
    """:func:`analyse` of every seed's model of configuration ``P`` (:func:`lib.coding.training.trained`) on the
    test split of ``data``, with the ``saliency_*`` knobs, drawing the sequences with ``P.seed`` (the same
    sequences for every model); keyed by the model's seed. The seeds run in ``P.workers`` processes first when
    ``cnn_threads`` fixes the thread count (a worker then computes what this process would)."""
    workers.run([(_analyse_seed, (P, data, s)) for s in training.seeds(P)], P.workers if P.cnn_threads else 1)
    return {s: _analyse_seed(P, data, s) for s in training.seeds(P)}


def _analyse_seed(P, data, seed: int) -> dict[str, np.ndarray]:
    tokens, labels = data.arrays("test")
    return analyse(training.trained(P, data, seed)[0], tokens, labels, device.pick(P.device), n=P.saliency_n,
                   per_class=P.saliency_per_class, compare_n=P.saliency_compare_n, ig_steps=P.saliency_ig_steps,
                   smoothgrad_samples=P.saliency_smoothgrad_samples, seed=P.seed, threads=P.cnn_threads)


def _sha(*arrays: np.ndarray) -> str:
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()[:16]
