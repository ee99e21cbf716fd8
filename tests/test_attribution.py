"""lib.splicing.attribution: IG completeness on a toy model, window alignment on a hand-made sequence, shuffles."""

from __future__ import annotations

import itertools
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from lib import cache, vocab
from lib.splicing import experiments, train
from lib.splicing.attribution import (
    converged,
    converged_integrated_gradients,
    dinucleotide_shuffle,
    integrated_gradients,
    logo_matrix,
    one_hot,
    per_nucleotide,
    positions,
    relative_delta,
    shuffled_references,
    site_statistics,
    site_windows,
)
from lib.splicing.models import SpliceClassifier
from lib.splicing.tokens import encode


@pytest.mark.parametrize("kind", ["bilstm", "bilstm_attention"])
def test_completeness_attributions_sum_to_score_difference(kind):
    torch.manual_seed(0)
    model = SpliceClassifier(kind, 8, 6)
    seqs = ["ACGTACGTTTGA", "GGTAAGCCCAGGT", "ACG"]
    tokens = [encode(s) for s in seqs]
    attributions, deltas = integrated_gradients(model, tokens, steps=200, internal_batch_size=64)
    model.eval()
    with torch.no_grad():
        for seq, tok, attribution in zip(seqs, tokens, attributions):
            lengths = torch.tensor([len(tok)])
            embedded = model.embedding(tok[None])
            logits = model.forward_embedded(embedded, lengths)
            zero = model.forward_embedded(torch.zeros_like(embedded), lengths)
            difference = float((logits[0, 1] - logits[0, 0]) - (zero[0, 1] - zero[0, 0]))
            assert attribution.shape == (len(seq),)
            assert attribution.sum() == pytest.approx(difference, abs=1e-2 + 1e-2 * abs(difference))
    assert np.abs(deltas).max() < 1e-2


def test_completeness_with_a_shuffled_reference():
    torch.manual_seed(1)
    model = SpliceClassifier("bilstm", 8, 6)
    tokens = [encode("ACGTTGCAAGTCCGATAGGT")]
    references = shuffled_references(["ACGTTGCAAGTCCGATAGGT"], seed=0)
    _, deltas = integrated_gradients(model, tokens, baselines=references, steps=200)
    assert abs(deltas[0]) < 1e-2


def test_one_hot_columns_follow_the_vocabulary():
    assert one_hot("ACGTN").tolist() == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    assert one_hot("GATTACA").dtype == np.float64
    assert "".join(vocab.BASES[int(np.argmax(row))] for row in one_hot("GATTACA")) == "GATTACA"
    with pytest.raises(ValueError):
        one_hot("ACGU")


def test_per_nucleotide_and_logo_matrix_weigh_attribution_by_base():
    attributions = np.array([[1.0, 2.0], [3.0, -4.0]])  # 2 sequences, 2 positions
    bases = np.array([[[1, 0, 0, 0], [0, 0, 1, 0]], [[1, 0, 0, 0], [0, 0, 0, 0]]], float)  # AG, then AN
    means = per_nucleotide(attributions, bases)
    assert means[0, 0] == 2.0 and np.isnan(means[0, 1])  # A at position 0 in both: (1 + 3) / 2; no C
    assert means[1, 2] == 2.0  # only the first sequence has G at position 1; the N carries no base
    assert logo_matrix(attributions, bases).tolist() == [[2.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]


def test_site_windows_align_on_hand_made_sites():
    flank, intron = 5, 12
    seq = "CCCAG" + "GTAAGT" + "TTCCAG" + "GCATG"  # exon | GT...AG intron | exon
    assert len(seq) == 2 * flank + intron
    donor, acceptor = site_windows(one_hot(seq), intron, flank, width=3)
    letters = lambda w: "".join(vocab.BASES[int(np.argmax(r))] if not np.isnan(r).any() else "-" for r in w)
    assert letters(donor) == "CAGGTA"  # 3 exonic bases | intron +1 +2 +3
    assert letters(acceptor) == "CAGGCA"  # intron -3 -2 -1 | 3 exonic bases
    wide_donor, _ = site_windows(one_hot(seq), intron, flank, width=7)
    assert letters(wide_donor)[:2] == "--"  # beyond the sequence start: NaN, never shifted


def test_dinucleotide_shuffle_keeps_counts_and_ends():
    rng = np.random.default_rng(0)
    seq = "ACGTTGCAAGTCCGATAGGTACCA" * 3
    shuffled = {dinucleotide_shuffle(seq, rng) for _ in range(20)}
    assert len(shuffled) > 10
    for s in shuffled:
        assert Counter(itertools.pairwise(s)) == Counter(itertools.pairwise(seq))
        assert (s[0], s[-1]) == (seq[0], seq[-1])


def test_converged_integrated_gradients_doubles_steps_until_the_delta_is_small():
    torch.manual_seed(0)
    model = SpliceClassifier("bilstm_attention", 8, 4).eval()
    tokens = [encode("ACGTGGTAAGCTTTCAGGT"), encode("GTACCAGTAG")]
    values, deltas, steps = converged_integrated_gradients(model, tokens, steps=2, max_steps=64, tolerance=1e-7)
    assert (steps > 2).any() and (steps <= 64).all()
    assert (relative_delta(values, deltas)[steps < 64] <= 1e-7).all()
    _, _, capped = converged_integrated_gradients(model, tokens, steps=2, max_steps=4, tolerance=0.0)
    assert (capped == 4).all()


def test_converged_keeps_only_sequences_within_the_tolerance():
    values = [np.array([1.0, -1.0]), np.array([0.5, 0.5]), np.zeros(3)]
    deltas = np.array([0.01, 0.5, 0.0])  # relative deltas 0.005, 0.5 and 0 (no attribution at all)
    assert converged(values, deltas, 0.01).tolist() == [True, False, True]


def test_site_statistics_find_a_planted_peak_and_letters():
    width, n = 10, 4
    x = positions(width)
    windows = {site: np.zeros((n, 2 * width)) for site in ("donor", "acceptor")}
    windows["donor"][:, x == 1] = 1.0  # all attribution on intron +1 at the donor
    windows["acceptor"][:, x == -3] = -2.0
    bases = {site: np.zeros((n, 2 * width, 4)) for site in windows}
    for one_hot_bases in bases.values():
        one_hot_bases[:, :, 2] = 1  # G everywhere
    stats = site_statistics(windows, bases, np.ones(n, bool))
    assert stats["peak"] == {"donor": 1, "acceptor": -3}
    assert stats["near_share"]["donor"] == 100.0 and stats["uniform_share"] == 50.0
    assert stats["top_base"]["donor +1"] == ("G", 1.0) and stats["logo"]["donor +2 T"] == 0.0
    assert stats["base_means_near"]["acceptor"]["G"] == pytest.approx(-2.0 / 10)


def test_attributions_are_cached_by_their_parameters(isolated_cache):
    torch.manual_seed(0)
    model = SpliceClassifier("bilstm", 8, 4)
    rows = pd.DataFrame({"seq": ["ACGTGGTAAGC", "GTACCAG"]})
    P = SimpleNamespace(ig_steps=4, ig_max_steps=8, seed=0, ig_internal_batch=16, batch_size=2, device="cpu")
    values, deltas, steps = experiments.attributions(P, model, rows, "zero")
    stored = list((isolated_cache / "attributions").glob("ig-*.npz"))
    assert len(stored) == 1 and [len(v) for v in values] == [11, 7]
    again = experiments.attributions(P, model, rows, "zero")  # read back from the file
    assert all(np.array_equal(a, b) for a, b in zip(values, again[0]))
    assert np.array_equal(deltas, again[1]) and np.array_equal(steps, again[2])
    experiments.attributions(P, model, rows, "shuffled")
    assert len(list((isolated_cache / "attributions").glob("ig-*.npz"))) == 2  # another baseline, another key
    assert stored[0].name == cache.path("attributions", "ig", {
        "model": cache.module_digest(model), "rows": train.data_key(rows["seq"]), "baseline": "zero",
        "steps": 4, "max_steps": 8, "tolerance": experiments.IG_TOLERANCE, "seed": 0}, "npz").name
