"""Gradient saliency on the embeddings and the positional statistics of paper B (sections 3.3-3.5, Figures 1-3).

Notation as in the paper: for a sequence of length L with embeddings E (L x d), G = d f(x)_y / d E is the
gradient of the predicted class's logit, and I_j = sum_k |G_jk| the importance of position j. Over N sequences,
mu_j and sigma_j (ddof 1) are the positional mean and standard deviation. Positions are reported 1-based
(j = 1..L) as in the paper.

Models need ``embed(tokens) -> (n, L, d)`` and ``classify(embedded) -> (n, classes)`` (e.g.
:class:`lib.coding.cnn.SimpleSaliencyCNN`) and must be in evaluation mode.
"""

from __future__ import annotations

import hashlib
import time
import warnings

import numpy as np
import pandas as pd
import torch
from scipy import stats

# What paper B reports (section 4.2, Figures 1-3): N = 1,000 sequences, 250 a class.
PAPER = {"pearson_r": 0.530, "high_positions": 9, "n": 1000, "per_class": 250}
PAPER_REGIONS = {"coding emphasis, 20-100": (20, 100), "intergenomic emphasis, 150-190": (150, 190)}


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


def positional_stats(importance: np.ndarray, percentile: float = 75) -> pd.DataFrame:
    """Per position (index 1..L): ``mean`` mu_j, ``std`` sigma_j (ddof 1) and ``high`` (mu_j above the
    ``percentile``-th percentile of the L means)."""
    mean, std = importance.mean(0), importance.std(0, ddof=1)
    threshold = np.percentile(mean, percentile)
    table = pd.DataFrame({"mean": mean, "std": std, "high": mean > threshold},
                         index=pd.RangeIndex(1, importance.shape[1] + 1, name="position"))
    table.attrs["threshold"] = float(threshold)
    return table


def runs(mask: np.ndarray | pd.Series) -> list[tuple[int, int]]:
    """Maximal runs of True as 1-based closed (first, last) positions."""
    mask = np.asarray(mask, dtype=bool)
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s) + 1, int(e)) for s, e in zip(starts, ends)]


def summary(table: pd.DataFrame, importance: np.ndarray) -> dict[str, float | int]:
    """The Figure 1-2 statistics of :func:`positional_stats`' table: Pearson r of mean vs std, the number
    of high positions, of runs of them, and of positions whose mean exceeds the 75th percentile of all
    I values pooled (another reading of the paper's threshold)."""
    pooled = np.percentile(importance, 75)
    return {"pearson_r": float(stats.pearsonr(table["mean"], table["std"])[0]),
            "high_positions": int(table["high"].sum()),
            "high_regions": len(runs(table["high"])),
            "above_pooled_p75": int((table["mean"] > pooled).sum())}


def bootstrap_pearson_r(importance: np.ndarray, n_boot: int = 1000, seed: int = 0) -> tuple[float, float]:
    """A 95% interval for :func:`summary`'s Pearson r (positional mean against SD): r ± 1.96 standard errors,
    the standard error taken over ``n_boot`` resamplings of the sequences (rows of ``importance``, shape
    (N, L)). Centred on r because resampling sequences biases the replicates' r downwards (duplicated rows
    add noise to the positional means), which would shift a percentile interval."""
    rng = np.random.default_rng(seed)
    n = importance.shape[0]
    replicates = []
    for _ in range(n_boot):
        sample = importance[rng.integers(0, n, n)]
        replicates.append(np.corrcoef(sample.mean(0), sample.std(0, ddof=1))[0, 1])
    r = np.corrcoef(importance.mean(0), importance.std(0, ddof=1))[0, 1]
    half = 1.96 * float(np.std(replicates, ddof=1))
    return float(max(r - half, -1.0)), float(min(r + half, 1.0))


def class_means(importance: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per position (1..L): mean importance of class 0 (coding), class 1 (intergenomic), ``delta`` =
    mu_0 - mu_1 (> 0: coding-specific, < 0: intergenomic-specific), and ``relative delta``, the same
    difference after dividing each class's profile by its own average over positions (shape, not level)."""
    mu0, mu1 = importance[labels == 0].mean(0), importance[labels == 1].mean(0)
    return pd.DataFrame({"coding": mu0, "intergenomic": mu1, "delta": mu0 - mu1,
                         "relative delta": mu0 / mu0.mean() - mu1 / mu1.mean()},
                        index=pd.RangeIndex(1, importance.shape[1] + 1, name="position"))


def region_table(delta: pd.Series, regions: dict[str, tuple[int, int]] = PAPER_REGIONS) -> pd.DataFrame:
    """For each named region (1-based closed positions), the mean delta and the share of its positions with
    delta > 0 (coding-specific), beside the same over all positions."""
    rows = {name: delta.loc[first:last] for name, (first, last) in regions.items()}
    rows["all positions"] = delta
    return pd.DataFrame({"mean delta": {k: v.mean() for k, v in rows.items()},
                         "share delta > 0": {k: (v > 0).mean() for k, v in rows.items()}})


def power(importance: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
    """Periodogram of each mean-centred profile at ``frequencies`` (cycles per position): (n, len(freqs))."""
    x = importance - importance.mean(1, keepdims=True)
    waves = np.exp(-2j * np.pi * np.outer(np.arange(x.shape[1]), frequencies))
    return np.abs(x @ waves) ** 2


def period3_ratio(importance: np.ndarray, band: tuple[float, float] = (0.28, 0.39)) -> np.ndarray:
    """Per sequence, the power of its saliency profile at period 3 (1/3 cycle per position) over the median
    power of nearby frequencies (``band``, leaving out 1/3 +- 0.01): about 1 without a 3-periodic component,
    larger when importance repeats with the codon period."""
    nearby = np.arange(band[0], band[1] + 1e-9, 0.0025)
    nearby = nearby[np.abs(nearby - 1 / 3) > 0.01]
    peak = power(importance, np.array([1 / 3]))[:, 0]
    return peak / np.maximum(np.median(power(importance, nearby), axis=1), 1e-30)


def spectrum(importance: np.ndarray) -> pd.Series:
    """Mean power spectrum of the mean-centred profiles, each normalised to unit mean power (index:
    period in positions, frequencies 1/L .. 1/2)."""
    x = importance - importance.mean(1, keepdims=True)
    power = np.abs(np.fft.rfft(x, axis=1)) ** 2
    power = power[:, 1:] / np.maximum(power[:, 1:].mean(1, keepdims=True), 1e-30)
    periods = x.shape[1] / np.arange(1, power.shape[1] + 1)
    return pd.Series(power.mean(0), index=pd.Index(periods, name="period"))


PERIOD3_FACTOR = 1.2  # "coding importance is more period-3 than intergenomic": median ratio at least 20% higher


def period3_test(ratio: np.ndarray, labels: np.ndarray) -> dict:
    """Codon periodicity of the importance profiles of one model: median period-3 ratio (:func:`period3_ratio`)
    of coding (label 0) and intergenomic (label 1) sequences, one-sided Mann-Whitney p (coding greater), and
    ``holds``: the coding median is at least :data:`PERIOD3_FACTOR` times the intergenomic one with p < 0.05."""
    coding, intergenomic = ratio[labels == 0], ratio[labels == 1]
    p = float(stats.mannwhitneyu(coding, intergenomic, alternative="greater").pvalue)
    c, i = float(np.median(coding)), float(np.median(intergenomic))
    return {"coding": c, "intergenomic": i, "p": p, "holds": bool(c > PERIOD3_FACTOR * i and p < 0.05),
            "share_coding": float((coding > 3).mean()), "share_intergenomic": float((intergenomic > 3).mean())}


def model_statistics(result: dict, seed: int) -> dict:
    """The statistics chapter 11 reports and the scorecard judges, for one model's :func:`analyse` ``result``
    (``seed`` seeds the bootstrap): ``r`` with its 95% interval ``r_low``/``r_high``, ``n`` sequences,
    ``length``, ``high_positions``, ``high_regions``, ``above_pooled``, ``high_runs`` (1-based runs of high
    positions), ``delta_positive_share`` (share of positions with δ > 0 in each paper region and overall),
    ``level_ratio`` (mean coding / intergenomic importance) and ``period3`` (:func:`period3_test`)."""
    importance = result["importance"]
    table = positional_stats(importance)
    numbers = summary(table, importance)
    low, high = bootstrap_pearson_r(importance, seed=seed)
    classes = class_means(result["class_importance"], result["class_labels"])
    regions = region_table(classes["delta"])
    return {"r": numbers["pearson_r"], "r_low": low, "r_high": high, "n": int(importance.shape[0]),
            "length": int(importance.shape[1]), "high_positions": numbers["high_positions"],
            "high_regions": numbers["high_regions"], "above_pooled": numbers["above_pooled_p75"],
            "high_runs": runs(table["high"]),
            "delta_positive_share": {"20-100": float(regions.iloc[0, 1]), "150-190": float(regions.iloc[1, 1]),
                                     "all": float(regions.loc["all positions", "share delta > 0"])},
            "level_ratio": float(classes["coding"].mean() / classes["intergenomic"].mean()),
            "period3": period3_test(period3_ratio(importance), result["labels"])}


def agreement(reference: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """How well ``other`` importance (n, L) agrees with ``reference``: mean and SD over sequences of the
    per-sequence Spearman correlation across positions; Pearson r of the positional means; Jaccard overlap of
    the positions above the 75th percentile of each positional mean."""
    ranks_a, ranks_b = stats.rankdata(reference, axis=1), stats.rankdata(other, axis=1)
    a = ranks_a - ranks_a.mean(1, keepdims=True)
    b = ranks_b - ranks_b.mean(1, keepdims=True)
    rho = (a * b).sum(1) / np.sqrt((a**2).sum(1) * (b**2).sum(1))
    mean_a, mean_b = reference.mean(0), other.mean(0)
    top_a, top_b = mean_a > np.percentile(mean_a, 75), mean_b > np.percentile(mean_b, 75)
    return {"per-sequence Spearman (mean)": float(rho.mean()),
            "per-sequence Spearman (SD)": float(rho.std(ddof=1)),
            "Pearson r of positional means": float(stats.pearsonr(mean_a, mean_b)[0]),
            "top-quartile Jaccard": float((top_a & top_b).sum() / (top_a | top_b).sum())}


def analyse(model, tokens: np.ndarray, labels: np.ndarray, device: torch.device, *, n: int, per_class: int,
            compare_n: int, ig_steps: int, smoothgrad_samples: int, seed: int, threads: int | None = None
            ) -> dict[str, np.ndarray]:
    """Everything chapter 11 computes from one model, cached under ``$CACHE/saliency`` (npz) keyed by the
    model's weights, the data and these settings.

    From ``tokens`` / ``labels`` (a test set) it draws with ``seed``: ``n`` sequences (``index``) for the
    positional statistics, ``per_class`` of each class (``class_index``) for the class-wise means, and uses
    the first ``compare_n`` of ``index`` to compare methods. Returns ``importance`` (n, L), ``predicted``,
    ``labels``, ``class_importance`` (2 * per_class, L), ``class_labels``, ``ig`` and ``smoothgrad``
    (compare_n, L), the indices, and ``seconds`` (wall time of plain gradients, IG, SmoothGrad, measured when
    computed). ``threads``: torch CPU threads while computing.
    """
    from lib import cache, numerics

    params = {"model": cache.module_digest(model), "data": _sha(tokens, labels), "n": n, "per_class": per_class,
              "compare_n": compare_n, "ig_steps": ig_steps, "smoothgrad_samples": smoothgrad_samples,
              "seed": seed}
    target = cache.path("saliency", "saliency", params, "npz")
    if target.exists():
        with np.load(target) as saved:
            return dict(saved)
    rng = np.random.default_rng(seed)
    index = np.sort(rng.choice(len(tokens), min(n, len(tokens)), replace=False))
    class_index = np.concatenate([np.sort(rng.choice(np.flatnonzero(labels == c), per_class, replace=False))
                                  for c in (0, 1)])
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
    result = {"index": index, "importance": importance, "predicted": predicted, "labels": labels[index],
              "class_index": class_index, "class_importance": class_importance,
              "class_labels": labels[class_index], "ig": ig, "smoothgrad": smooth,
              "seconds": np.diff(clock)}
    def write(tmp):
        with open(tmp, "wb") as handle:
            np.savez(handle, **result)

    cache.write_atomic(target, write)
    return result


def _sha(*arrays: np.ndarray) -> str:
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()[:16]
