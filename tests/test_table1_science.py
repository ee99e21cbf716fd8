"""Chapter 02, 03 and 05's new measurements on tiny inputs: the position-aware control, the splice signals, the
autoencoder's reconstruction profiles and remedies, the training recipe and search, and the relative claims of
the scorecard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from lib import seeds
from lib.book import config, scorecard
from lib.recipe import Recipe, optimizer
from lib.splicing import control, experiments, latent_sweep, search, signals, train
from lib.splicing.ig_summary import SiteSample, SiteWindows
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import encode_all

FLANK = 40


def _junctions(n: int, seed: int) -> pd.DataFrame:
    """Rows (seq, length, label): positives carry the donor consensus AG|GTAAGT, negatives a random exon end
    and intron start (both classes read GT...AG)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = i % 2
        length = int(rng.integers(40, 90))
        intron = list(rng.choice(list("ACGT"), length))
        exon5 = list(rng.choice(list("ACGT"), FLANK))
        intron[:2], intron[-2:] = ["G", "T"], ["A", "G"]
        if label:
            exon5[-2:] = ["A", "G"]
            intron[2:6] = list("AAGT")
        seq = "".join(exon5 + intron + list(rng.choice(list("ACGT"), FLANK)))
        rows.append({"seq": seq, "length": length, "label": label})
    return pd.DataFrame(rows)


def test_control_features_reads_windows_around_both_sites():
    sample = control.sample_of(_junctions(6, 0), FLANK)
    x = control.features(sample, 5, 10)
    assert x.shape == (6, 4 * (2 * 5 + 2 * 10))
    assert np.allclose(x.reshape(6, -1, 4).sum(-1), 1)  # one base per position, no N here
    first_intron_base = x.reshape(6, -1, 4)[:, 5]  # donor window: 5 exon bases, then the G of GT
    assert (first_intron_base[:, 2] == 1).all()
    with pytest.raises(ValueError, match="half-widths"):
        control.features(sample, 0, 10)


def test_control_learns_the_donor_consensus_and_names_its_weights():
    sample = control.sample_of(_junctions(120, 1), FLANK)
    fitted = control.fit(sample, 10, 5, 1.0)
    test = control.sample_of(_junctions(60, 2), FLANK)
    assert train.scores(fitted.probability(test), test.positive)["accuracy"] > 0.9
    weights = fitted.coefficients()
    assert weights.shape == (2 * 10 + 2 * 5, 4) and list(weights.columns) == list("ACGT")
    assert weights.loc[("donor", 4), "A"] > weights.loc[("donor", 4), ["C", "G", "T"]].max()  # intron +4 A
    assert signals.control_weight(weights, signals.SIGNALS[1]) > 0  # exon's last base G
    assert np.isnan(signals.control_weight(weights, signals.SIGNALS[6]))  # the tract lies beyond a 5-nt window


def test_control_selection_uses_folds_and_ranks_by_loss():
    grid = control.select(control.sample_of(_junctions(60, 3), FLANK), seed=0, folds=3)
    assert len(grid) % len(control.HALF_WIDTHS) ** 2 == 0 and set(control.STRENGTHS) <= set(grid["C"])
    assert grid["cv loss"].is_monotonic_increasing
    assert set(control.chosen(grid)) == {"donor", "acceptor", "C"}


def test_control_grid_grows_until_its_choice_is_interior():
    """A separable consensus wants weak regularization: the grid grows past C = 1 until a larger C stops winning
    (or the limit is reached), so the chosen C is never the edge of what was tried below the limit."""
    grid = control.select(control.sample_of(_junctions(60, 3), FLANK), seed=0, folds=3)
    tried, best = sorted(set(grid["C"])), control.chosen(grid)["C"]
    assert tried[-1] > max(control.STRENGTHS)
    assert tried[0] < best < tried[-1] or best in control.STRENGTH_LIMITS


def test_site_sample_take_keeps_rows_aligned():
    sample = control.sample_of(_junctions(8, 4), FLANK)
    part = sample.take(np.array([1, 3]))
    assert part.positive.tolist() == [True, True] and part.bases["donor"].shape[0] == 2
    assert np.array_equal(part.bases["acceptor"][1], sample.bases["acceptor"][3])


def test_signal_attribution_means_split_consensus_and_other_bases():
    bases = np.zeros((2, 80, 4))
    bases[0, 43, 0], bases[1, 43, 2] = 1, 1  # donor +4: A in row 0 (consensus), G in row 1
    attributions = np.zeros((2, 80))
    attributions[0, 43], attributions[1, 43] = 0.5, -0.25
    windows = SiteWindows({"donor": attributions, "acceptor": attributions}, {"donor": bases, "acceptor": bases},
                          np.array([True, True]))
    plus4 = next(s for s in signals.SIGNALS if s.positions == (4,))
    assert signals.attribution_means(windows, plus4) == (0.5, -0.25)


def test_reconstruction_profiles_by_position_region_and_length():
    hits = [np.r_[np.ones(40, bool), np.zeros(20, bool), np.ones(40, bool)], np.ones(90, bool), np.zeros(30, bool)]
    profile = latent_sweep.position_profile(hits)
    assert profile.shape == (40, 2) and (profile == 100).all().all()  # the 30-nt sequence is too short to count
    regions = latent_sweep.region_accuracy(hits)
    assert regions == {"first bases": 100.0, "middle": pytest.approx(100 * 10 / 30), "last bases": 100.0}
    by_length = latent_sweep.length_profile(hits, bins=3)
    assert by_length["sequences"].tolist() == [1, 1, 1] and by_length["accuracy %"].iloc[0] == 0
    with pytest.raises(ValueError, match="no sequence"):
        latent_sweep.position_profile([np.ones(10, bool)])


def test_reverse_decoding_returns_logits_in_input_order():
    torch.manual_seed(0)
    forward, backward = Autoencoder(8, 4), Autoencoder(8, 4, reverse=True)
    backward.load_state_dict(forward.state_dict())  # same weights: reversal has none
    tokens, lengths = torch.tensor([[0, 1, 2, 3, 5], [3, 2, 1, 5, 5]]), torch.tensor([4, 3])
    a, b = forward(tokens, lengths), backward(tokens, lengths)
    assert a.shape == b.shape
    assert torch.allclose(b[0, :4], a[0, :4].flip(0)) and torch.allclose(b[1, :3], a[1, :3].flip(0))
    hits = train.reconstructed(backward, encode_all(["ACGT", "TGC"]), 2, torch.device("cpu"))
    assert [len(h) for h in hits] == [4, 3] and hits[0].dtype == bool


def test_length_curriculum_grows_to_every_sequence_by_half_way():
    lengths = list(range(100, 200))
    caps = [train.curriculum_cap(lengths, epoch, 10) for epoch in range(10)]
    assert caps == sorted(caps) and caps[0] < 130 and caps[4:] == [199] * 6


def test_recipe_schedules_and_weight_decay():
    with pytest.raises(ValueError, match="schedule"):
        Recipe(1, 2, 0.1, 0, schedule="linear")
    weights = torch.nn.Parameter(torch.ones(2))
    opt, schedule = optimizer([weights], Recipe(2, 2, 0.1, 0, weight_decay=0.5, schedule="cosine"), 3)
    rates = []
    for _ in range(6):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        schedule.step()
    assert rates[0] == 0.1 and rates == sorted(rates, reverse=True) and rates[-1] < 0.01
    assert opt.param_groups[0]["weight_decay"] == 0.5


def test_classifier_scores_include_log_loss():
    out = train.scores(np.array([0.9, 0.2]), np.array([1, 0]))
    assert out["accuracy"] == 1 and out["loss"] == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)


def test_subsample():
    rows = experiments.subsample(100, 0.25, 3)
    assert len(rows) == 25 and np.all(np.diff(rows) > 0) and np.array_equal(rows, experiments.subsample(100, 0.25, 3))


def test_default_recipe_is_tied_with_the_committed_search_winner():
    preset, winner = search.preset_accepted(pd.read_csv(search.RESULTS), config.resolve("default"))
    assert preset in winner.tied


def test_relative_claims_follow_the_paired_interval():
    holds = seeds.paired_effect([3.0, 4.0, 5.0], [1.0, 1.5, 2.0])
    undecided = seeds.paired_effect([1.0, -1.0, 2.0], [0.0, 0.0, 0.0])
    rec = {"init_effects": {"LSTM": {"test accuracy (points)": holds},
                            "BiLSTM": {"test accuracy (points)": undecided}}}
    assert scorecard._init_effect("LSTM", "test accuracy (points)", "points")(rec)[1] == scorecard.REPRODUCED
    assert scorecard._init_effect("BiLSTM", "test accuracy (points)", "points")(rec)[1] == scorecard.UNDECIDED
    sweep = {"latent_sweep": {"lowest_loss": {"32": 1.30, "64": 1.20, "128": 1.31}, "seed_sd": 0.01}}
    assert scorecard._middle_latent(sweep)[1] == scorecard.REPRODUCED
    sweep["latent_sweep"]["seed_sd"] = 0.1
    assert scorecard._middle_latent(sweep)[1] == scorecard.UNDECIDED


def test_unknown_autoencoder_variant_is_refused():
    with pytest.raises(ValueError, match="variant"):
        experiments.autoencoder(config.resolve("smoke"), 8, data=object(), variant="upside-down")


def test_site_windows_sample_is_built_from_rows():
    sample = SiteSample.of(_junctions(4, 5), FLANK)
    assert sample.bases["donor"].shape == (4, 80, 4)
