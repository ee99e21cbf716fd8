"""Paper B's model (parameter counts), its training (cache, prediction, evaluation), attribution methods on toy
models (known gradients) and saliency statistics."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from lib import cache
from lib.coding import attribution, model, saliency, training
from lib.recipe import Recipe


def test_parameter_counts_match_the_papers_91145():
    counts = model.parameter_counts(model.SimpleSaliencyCNN())
    print(counts)
    assert counts == {"learnable parameters": 91_038, "buffers": 107, "state dict values": 91_145}


def test_same_padding_keeps_length_and_gives_100_features():
    cnn = model.SimpleSaliencyCNN().eval()
    tokens = torch.randint(0, 6, (3, 200))
    assert cnn.features(cnn.embed(tokens).transpose(1, 2)).shape == (3, 4, 25)
    assert cnn(tokens).shape == (3, 2)
    assert torch.allclose(cnn(tokens), cnn.classify(cnn.embed(tokens)), atol=1e-6)  # float rounding only


def test_table_lookup_forward_has_the_convolutions_gradients():
    torch.manual_seed(1)
    cnn = model.SimpleSaliencyCNN().train()
    tokens, labels = torch.randint(0, 6, (4, 200)), torch.tensor([0, 1, 1, 0])
    grads = []
    for forward in (cnn, lambda t: cnn.classify(cnn.embed(t))):
        cnn.zero_grad()
        torch.manual_seed(2)  # the same dropout mask
        torch.nn.functional.cross_entropy(forward(tokens), labels).backward()
        grads.append({name: p.grad.clone() for name, p in cnn.named_parameters()})
    for name in grads[0]:
        assert torch.allclose(grads[0][name], grads[1][name], atol=1e-6), name


def test_trained_model_is_cached_deterministic_and_reloads_with_weights_only(isolated_cache):
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 5, (64, 200)).astype(np.uint8)
    labels = (tokens[:, :100] == 2).sum(1) > (tokens[:, 100:] == 2).sum(1)
    recipe = Recipe(epochs=1, batch_size=16, lr=1e-3, seed=5)
    cpu = torch.device("cpu")
    cnn, history = training.trained_model(tokens, labels.astype(np.int64), recipe, cpu, "toy", threads=1)
    saved = list((isolated_cache / "cnn").iterdir())
    key = {"data": "toy", "config": {"epochs": 1, "batch_size": 16, "lr": 1e-3, "seed": 5, "weight_decay": 0.0},
           "arch": training.ARCHITECTURE,
           "threads": 1}
    assert saved == [cache.path("cnn", "cnn", key, "")]
    assert len(history) == 1 and history[0]["sequences_per_s"] > 0 and not cnn.training
    again, history_again = training.trained_model(tokens, labels, recipe, cpu, "toy", threads=1)
    assert history_again == history and cache.module_digest(again) == cache.module_digest(cnn)
    shutil.rmtree(saved[0])
    retrained, _ = training.trained_model(tokens, labels, recipe, cpu, "toy", threads=1)
    assert cache.module_digest(retrained) == cache.module_digest(cnn)  # same seed, same weights
    other, _ = training.trained_model(tokens, labels, Recipe(1, 16, 1e-3, 6), cpu, "toy", threads=1)
    assert cache.module_digest(other) != cache.module_digest(cnn)


def test_fit_refuses_patience_the_paper_trains_every_epoch():
    tokens, labels = np.ones((4, 200), dtype=np.uint8), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match="patience"):
        training.fit(model.SimpleSaliencyCNN(), tokens, labels, Recipe(1, 2, 1e-3, 0, patience=2), torch.device("cpu"))


class FirstToken(nn.Module):
    """Logits (0, t - 2.5) from the first token t: class 1 (intergenomic) when t is 3 or more."""

    def forward(self, tokens):
        first = tokens[:, 0].double() - 2.5
        return torch.stack([torch.zeros_like(first), first], 1)


def test_predict_is_the_probability_of_class_1_and_evaluate_counts_per_class():
    tokens = np.array([[1] * 200, [4] * 200, [3] * 200, [2] * 200, [5] * 200], dtype=np.uint8)
    labels = np.array([0, 1, 0, 1, 1])  # predicted: 0, 1, 1, 0, 1
    p = training.predict(FirstToken(), tokens, 2, torch.device("cpu"))
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(np.array([1, 4, 3, 2, 5]) - 2.5))))
    assert p.shape == (5,)
    found = training.evaluate(FirstToken(), tokens, labels, torch.device("cpu"))
    assert found == {"accuracy": 0.6, "coding recall": 0.5, "intergenomic recall": pytest.approx(2 / 3),
                     "sequences": 5}


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
    importance, predicted = attribution.gradient_importance(model, tokens, torch.device("cpu"), batch_size=3)
    with torch.no_grad():
        expected_class = model(torch.as_tensor(tokens)).argmax(1).numpy()
    assert (predicted == expected_class).all()
    expected = model.weight.detach().abs().sum(-1).numpy()[predicted]  # I_j = sum_k |W[c, j, k]|
    np.testing.assert_allclose(importance, expected, rtol=1e-6)


def test_integrated_gradients_and_smoothgrad_on_a_linear_model():
    model = Linear().eval()
    tokens = np.random.default_rng(2).integers(1, 6, (5, 12))
    plain, predicted = attribution.gradient_importance(model, tokens, torch.device("cpu"))
    embedded = model.embed(torch.as_tensor(tokens)).detach()
    weight = model.weight.detach()[torch.as_tensor(predicted)]
    ig = attribution.integrated_gradients_importance(model, tokens, torch.device("cpu"), steps=10)
    np.testing.assert_allclose(ig, (embedded * weight).abs().sum(-1).numpy(), rtol=1e-5)  # exact when linear
    smooth = attribution.smoothgrad_importance(model, tokens, torch.device("cpu"), samples=4)
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


def test_region_stats_put_the_raw_and_relative_delta_side_by_side():
    importance = np.ones((4, 200))
    importance[0, 20:100] = 3  # coding (label 0) higher over the paper's coding region
    classes = saliency.class_means(importance, np.array([0, 0, 1, 1]))
    stats = saliency.region_stats(classes)
    assert list(stats.columns.get_level_values(0).unique()) == ["delta", "relative delta"]
    assert list(stats.index) == ["coding emphasis, 20-100", "intergenomic emphasis, 150-190", "all positions"]
    assert stats.loc["coding emphasis, 20-100", ("delta", "share delta > 0")] == pytest.approx(80 / 81)
    assert stats.loc["intergenomic emphasis, 150-190", ("delta", "mean delta")] == 0
    assert stats.loc["intergenomic emphasis, 150-190", ("relative delta", "mean delta")] < 0


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
    assert list(stats["delta_positive_share"]) == ["20-100", "150-190", "all"]
    assert stats["period3"]["holds"] and stats["period3"]["p"] < 0.05
    assert stats["high_positions"] == 50 and stats["n"] == n and stats["length"] == length
    assert stats["delta_positive_share"]["all"] == 1.0 and stats["level_ratio"] > 1
    assert stats["r_low"] <= stats["r"] <= stats["r_high"]
    flat = {**result, "importance": rng.gamma(2.0, 1.0, (n, length))}
    assert not saliency.model_statistics(flat, seed=0)["period3"]["holds"]


def test_analyse_takes_a_whole_class_that_has_fewer_than_per_class():
    torch.manual_seed(0)
    cnn = model.SimpleSaliencyCNN().eval()
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 5, size=(12, 200)).astype(np.uint8)
    labels = np.array([0] * 9 + [1] * 3)  # a small archive's test split: 3 intergenomic sequences
    result = attribution.analyse(cnn, tokens, labels, torch.device("cpu"), n=50, per_class=5, compare_n=2,
                                 ig_steps=4, smoothgrad_samples=2, seed=0)
    assert np.bincount(result["class_labels"]).tolist() == [5, 3]
    assert result["importance"].shape == (12, 200) and result["ig"].shape == (2, 200)
