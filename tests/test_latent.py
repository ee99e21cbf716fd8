"""lib.splicing.latent: k-mer features, the vector RNN and the Table 2 accuracy table on toy data."""

from __future__ import annotations

import numpy as np
import torch

from lib.splicing.latent import KMERS, VectorRNN, accuracy_runs, accuracy_table, kmer_frequencies, latents
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import encode


def test_kmer_frequencies_sum_to_one_per_k():
    features = kmer_frequencies(["ACGTAC", "GGGG"])
    assert features.shape == (2, 84) and len(KMERS) == 84
    for start, size in ((0, 4), (4, 16), (20, 64)):
        assert np.allclose(features[:, start : start + size].sum(1), 1)
    assert features[1, KMERS.index("GGG")] == 1.0


def test_latents_are_in_input_order():
    torch.manual_seed(0)
    encoder = Autoencoder(8, 4).encoder
    tokens = [encode("ACGTACGT"), encode("AC"), encode("GGGTTTAAAC")]
    together = latents(encoder, tokens)
    alone = np.concatenate([latents(encoder, [t]) for t in tokens])
    assert together.shape == (3, 8) and np.allclose(together, alone, atol=1e-6)


def test_vector_rnn_learns_a_separable_toy():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 100)
    x = rng.normal(0, 1, (200, 16)) + y[:, None] * 1.5
    assert (VectorRNN(seed=0).fit(x, y).predict(x) == y).mean() > 0.95


def test_accuracy_table_has_every_classifier_and_feature_set():
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 40)
    informative = rng.normal(0, 1, (80, 4)) + y[:, None]
    noise = rng.normal(0, 1, (80, 4))
    runs = accuracy_runs({0: {"informative": (informative, informative), "noise": (noise, noise)}}, y, y)
    assert set(runs.columns) == {"seed", "features", "classifier", "accuracy"} and len(runs) == 6
    table = accuracy_table(runs)
    assert list(table.index) == ["informative", "noise"]
    assert set(table["mean"].columns) == {"SVM", "2-layer ANN", "vanilla RNN"}
    assert (table.loc["informative", "mean"] > 70).all()
