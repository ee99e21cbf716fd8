"""Paper B's model (parameter counts, training cache) and saliency statistics on toy models (known gradients)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from lib import cache
from lib.coding import cnn, saliency


def test_parameter_counts_match_the_papers_91145():
    counts = cnn.parameter_counts(cnn.SimpleSaliencyCNN())
    print(counts)
    assert counts == {"learnable parameters": 91_038, "buffers": 107, "state dict values": 91_145}


def test_same_padding_keeps_length_and_gives_100_features():
    model = cnn.SimpleSaliencyCNN().eval()
    tokens = torch.randint(0, 6, (3, 200))
    assert model.features(model.embed(tokens).transpose(1, 2)).shape == (3, 4, 25)
    assert model(tokens).shape == (3, 2)
    assert torch.allclose(model(tokens), model.classify(model.embed(tokens)))


def test_fit_is_cached_deterministic_and_reloads_with_weights_only(isolated_cache):
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 5, (64, 200)).astype(np.uint8)
    labels = (tokens[:, :100] == 2).sum(1) > (tokens[:, 100:] == 2).sum(1)
    config = cnn.TrainConfig(epochs=1, batch_size=16, lr=1e-3, seed=5)
    model, history = cnn.fit(tokens, labels.astype(np.int64), config, torch.device("cpu"), "toy", threads=1)
    saved = list((isolated_cache / "cnn").glob("*.pt"))
    assert len(saved) == 1 and len(history) == 1 and history[0]["sequences_per_s"] > 0
    again, history_again = cnn.fit(tokens, labels, config, torch.device("cpu"), "toy", threads=1)
    assert history_again == history and cache.module_digest(again) == cache.module_digest(model)
    (isolated_cache / "cnn").joinpath(saved[0].name).unlink()
    retrained, _ = cnn.fit(tokens, labels, config, torch.device("cpu"), "toy", threads=1)
    assert cache.module_digest(retrained) == cache.module_digest(model)  # same seed, same weights


class Linear(nn.Module):
    """logits_c = sum_jk W[c, j, k] E[j, k] + b_c: the gradient wrt E of class c's logit is W[c]."""

    def __init__(self, length=12, dim=3, seed=0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.embedding = nn.Embedding(6, dim)
        self.weight = nn.Parameter(torch.randn(2, length, dim, generator=generator))
        self.bias = nn.Parameter(torch.zeros(2))

    def embed(self, tokens):
        return self.embedding(tokens)

    def classify(self, embedded):
        return torch.einsum("nld,cld->nc", embedded, self.weight) + self.bias

    def forward(self, tokens):
        return self.classify(self.embed(tokens))


def test_gradient_importance_of_a_linear_model_is_the_weight_magnitude():
    model = Linear().eval()
    tokens = np.random.default_rng(1).integers(1, 6, (7, 12))
    importance, predicted = saliency.gradient_importance(model, tokens, torch.device("cpu"), batch_size=3)
    with torch.no_grad():
        expected_class = model(torch.as_tensor(tokens)).argmax(1).numpy()
    assert (predicted == expected_class).all()
    expected = model.weight.detach().abs().sum(-1).numpy()[predicted]  # I_j = sum_k |W[c, j, k]|
    np.testing.assert_allclose(importance, expected, rtol=1e-6)


def test_integrated_gradients_and_smoothgrad_on_a_linear_model():
    model = Linear().eval()
    tokens = np.random.default_rng(2).integers(1, 6, (5, 12))
    plain, predicted = saliency.gradient_importance(model, tokens, torch.device("cpu"))
    embedded = model.embed(torch.as_tensor(tokens)).detach()
    weight = model.weight.detach()[torch.as_tensor(predicted)]
    ig = saliency.integrated_gradients_importance(model, tokens, torch.device("cpu"), steps=10)
    np.testing.assert_allclose(ig, (embedded * weight).abs().sum(-1).numpy(), rtol=1e-5)  # exact when linear
    smooth = saliency.smoothgrad_importance(model, tokens, torch.device("cpu"), samples=4)
    np.testing.assert_allclose(smooth, plain, rtol=1e-5)  # noise does not move a constant gradient


def test_positional_statistics_runs_and_class_difference():
    importance = np.array([[1.0, 2, 9, 9, 1, 8, 1, 1],
                           [3.0, 2, 7, 9, 1, 8, 1, 3]])
    table = saliency.positional_stats(importance)
    np.testing.assert_allclose(table["mean"], [2, 2, 8, 9, 1, 8, 1, 2])
    np.testing.assert_allclose(table["std"], np.std(importance, axis=0, ddof=1))
    assert table.attrs["threshold"] == pytest.approx(np.percentile([2, 2, 8, 9, 1, 8, 1, 2], 75))
    assert table.index[table["high"]].tolist() == [4]  # positions are 1-based; 8 is not above p75 = 8
    assert saliency.runs([False, True, True, False, True]) == [(2, 3), (5, 5)]
    numbers = saliency.summary(table, importance)
    assert numbers["high_positions"] == 1 and numbers["high_regions"] == 1
    assert numbers["pearson_r"] == pytest.approx(np.corrcoef(table["mean"], table["std"])[0, 1])

    means = saliency.class_means(importance, np.array([0, 1]))
    assert means["delta"].tolist() == [-2, 0, 2, 0, 0, 0, 0, -2]
    assert means["relative delta"].sum() == pytest.approx(0)
    regions = saliency.region_table(means["delta"], {"first two": (1, 2)})
    assert regions.loc["first two", "mean delta"] == -1 and regions.loc["first two", "share delta > 0"] == 0


def test_period3_ratio_finds_a_codon_period_and_not_noise():
    rng = np.random.default_rng(0)
    positions = np.arange(200)
    periodic = 1 + np.cos(2 * np.pi * positions / 3) + 0.3 * rng.standard_normal((50, 200))
    noise = 1 + 0.3 * rng.standard_normal((50, 200))
    assert np.median(saliency.period3_ratio(periodic)) > 20
    assert 0.3 < np.median(saliency.period3_ratio(noise)) < 3
    spectrum = saliency.spectrum(periodic)
    assert spectrum.idxmax() == pytest.approx(200 / 67, rel=1e-6)  # the bin nearest period 3


def test_agreement_of_identical_and_shuffled_maps():
    rng = np.random.default_rng(0)
    maps = rng.random((20, 50)) + np.linspace(0, 1, 50)
    same = saliency.agreement(maps, maps)
    assert same["per-sequence Spearman (mean)"] == pytest.approx(1)
    assert same["top-quartile Jaccard"] == 1
    other = saliency.agreement(maps, rng.random((20, 50)))
    assert abs(other["per-sequence Spearman (mean)"]) < 0.2
    assert isinstance(pd.Series(other), pd.Series)


def test_model_statistics_report_the_period3_finding_and_region_shares():
    rng = np.random.default_rng(0)
    n, length = 60, 200
    labels = np.repeat([0, 1], n // 2)
    wave = 1 + np.cos(2 * np.pi * np.arange(length) / 3)  # codon period
    importance = rng.gamma(2.0, 1.0, (n, length)) + 3 * np.outer(labels == 0, wave)
    result = {"importance": importance, "labels": labels, "class_importance": importance, "class_labels": labels}
    stats = saliency.model_statistics(result, seed=0)
    assert stats["period3"]["holds"] and stats["period3"]["p"] < 0.05
    assert stats["high_positions"] == 50 and stats["n"] == n and stats["length"] == length
    assert stats["delta_positive_share"]["all"] == 1.0 and stats["level_ratio"] > 1
    assert stats["r_low"] <= stats["r"] <= stats["r_high"]
    flat = {**result, "importance": rng.gamma(2.0, 1.0, (n, length))}
    assert not saliency.model_statistics(flat, seed=0)["period3"]["holds"]
