"""lib.attribution: IG completeness on a toy model, window alignment on a hand-made sequence, shuffles."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from lib.attribution import dinucleotide_shuffle, integrated_gradients, one_hot, shuffled_references, site_windows
from lib.models import SpliceClassifier
from lib.seqdata import encode


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


def test_site_windows_align_on_hand_made_sites():
    flank, intron = 5, 12
    seq = "CCCAG" + "GTAAGT" + "TTCCAG" + "GCATG"  # exon | GT...AG intron | exon
    assert len(seq) == 2 * flank + intron
    donor, acceptor = site_windows(one_hot(seq), intron, flank, width=3)
    letters = lambda w: "".join("ACGT"[int(np.argmax(r))] if not np.isnan(r).any() else "-" for r in w)  # noqa: E731
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
        assert Counter(zip(s, s[1:])) == Counter(zip(seq, seq[1:]))
        assert (s[0], s[-1]) == (seq[0], seq[-1])
