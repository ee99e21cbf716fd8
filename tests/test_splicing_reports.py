"""What chapters 01-04 report, on tiny inputs: the junction counts and checks, the chance-level verdict, the latent
sweep, the Table 1 and Table 2 tables, the settings line, the figures, and paper A's published numbers."""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from lib import seeds
from lib.book import scorecard
from lib.splicing import experiments, figures, junction_report, latent, latent_sweep, published, shortcuts
from lib.splicing.junctions import JunctionSet
from lib.splicing.models import Autoencoder
from lib.splicing.tokens import encode_all

REPORT = {"train": {"positives before cap": 10, "removed by max_len": 4, "positives": 6, "length range": [35, 900]},
          "test": {"positives before cap": 3, "removed by max_len": 0, "positives": 3, "length range": [40, 700]}}


def _rows(split, specs):
    """Junction rows (chrom, start, end, strand, length, variant, split) from (start, length, variant) triples."""
    return pd.DataFrame([{"chrom": "chr1", "start": s, "end": s + n, "strand": "+", "length": n, "variant": v,
                          "split": split, "label": int(v == "annotated")} for s, n, v in specs])


def test_published_numbers_of_paper_a():
    assert (published.TRAIN_POSITIVES, published.TEST_POSITIVES) == (290_502, 5_612)
    assert published.BEST_LATENT in published.LATENT_SIZES == (128, 256, 512)
    assert published.TABLE1[("autoencoder", "bilstm_attention")] == 99.07 and len(published.TABLE1) == 6
    assert all(published.TABLE1[("autoencoder", k)] > published.TABLE1[("random", k)] for k in experiments.LABELS)
    assert list(published.TABLE2) == ["SVM", "2-layer ANN", "vanilla RNN"] and published.TABLE2["SVM"] == 98.63
    assert (published.IG_DONOR_BASE, published.IG_LOGO_FINDING) == ("G", "strong GT and AG")
    claims = {c.claim: c.paper_value for c in scorecard._claims() if c.paper == "A"}
    assert claims["training positives, GENCODE v20 (section 4.1)"] == "290,502"
    assert claims["latent size with the lowest autoencoder loss (section 4.2)"] == "256 of 128/256/512"
    assert claims["Table 2, vanilla RNN on the 256-d latent vectors"] == "98.93%"


def test_counts_and_length_cap_tables():
    counts = junction_report.counts(REPORT)
    assert counts["paper"].tolist() == [290_502, 5_612]
    assert counts["this book, all lengths"].tolist() == [10, 3]
    assert counts["this book, length <= max_len"].tolist() == counts["negatives per variant"].tolist() == [6, 3]
    cap = junction_report.length_cap(REPORT)
    assert cap["train"].tolist() == [10, 4, 6, 35, 900] and cap["test"]["longest kept (nt)"] == 700
    assert junction_report.removed_share(REPORT) == 40.0 and junction_report.removed_share(REPORT, "test") == 0


def test_shared_junctions_and_the_problems_of_a_data_set():
    train = _rows("train", [(100, 50, "annotated"), (300, 60, "heuristic")])
    test = _rows("test", [(100, 50, "annotated"), (500, 70, "heuristic")])
    assert junction_report.shared_junctions(train, test) == {("chr1", 100, 150, "+")}
    assert junction_report.shared_junctions(train, test.iloc[1:]) == set()
    index = pd.MultiIndex.from_product([["train"], ["annotated", "heuristic"]], names=["split", "variant"])
    good = pd.DataFrame({"rows": [5, 5], "GT at donor %": [100.0, 100.0],
                         "negatives equal to an annotated junction": pd.array([pd.NA, 0], dtype="Int64")}, index=index)
    assert junction_report.problems(good, set()) == []
    bad = good.assign(rows=[5, 4], **{"GT at donor %": [100.0, 99.5]})
    bad["negatives equal to an annotated junction"] = pd.array([pd.NA, 1], dtype="Int64")
    found = junction_report.problems(bad, {("chr1", 1, 40, "+")})
    assert len(found) == 4 and "shares below 100%" in found[0] and "1 junctions in both splits" in found


def test_checks_cover_both_splits():
    flank = 2
    seqs = ["AC" + "GT" + "A" * 30 + "AG" + "TT", "CC" + "GT" + "C" * 31 + "AG" + "GG"]
    table = _rows("train", [(100, 34, "annotated"), (300, 35, "heuristic")]).assign(seq=seqs, flank=flank)
    data = JunctionSet(table, table.assign(split="test"), {})
    checked = junction_report.checks(data, set())
    assert list(checked.index.get_level_values("split").unique()) == ["train", "test"]
    assert (checked.filter(like="%") == 100).all().all()
    assert junction_report.problems(checked, set()) == []


@pytest.mark.parametrize("accuracy, spread, words", [(53.0, 0.5, "about chance level"), (53.1, 0.5, "above chance"),
                                                     (58.0, 4.0, "about chance level"), (58.1, 4.0, "above chance")])
def test_chance_verdict_takes_the_larger_of_two_spreads_and_three_points(accuracy, spread, words):
    assert shortcuts.chance_verdict(accuracy, spread) == words


def _history(losses, accuracy=0.5):
    return [{"epoch": i + 1, "train_loss": loss + 0.1, "held_out_loss": loss, "held_out_accuracy": accuracy,
             "seconds": 2.0, "nt_per_s": 100.0 * (i + 1)} for i, loss in enumerate(losses)]


def test_composition_and_the_loss_of_a_decoder_that_ignores_the_latent():
    composition = latent_sweep.base_composition(["ACGT", "ACGT"])
    assert composition.to_dict() == {b: 0.25 for b in "ACGT"}
    assert latent_sweep.chance_loss(composition) == pytest.approx(math.log(4))
    assert latent_sweep.chance_loss(latent_sweep.base_composition(["AAAA"])) == 0
    skewed = latent_sweep.base_composition(["AAAC"])
    assert skewed.index[0] == "A" and skewed.max() == 0.75
    assert latent_sweep.chance_loss(skewed) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))


def test_sweep_table_and_the_best_latent_against_the_seed_spread():
    table = latent_sweep.sweep_table({8: _history([1.3, 1.2, 1.25], 0.6), 16: _history([1.3, 1.1], 0.7)})
    assert table.index.name == "latent" and table.index.tolist() == [8, 16]
    assert table.loc[8, "held-out loss (nats/base)"] == 1.25 and table.loc[8, "lowest held-out loss"] == 1.2
    assert table.loc[16, "held-out per-base accuracy %"] == pytest.approx(70) and table.loc[8, "epochs"] == 3
    assert table.loc[8, "s/epoch"] == 2.0 and table.loc[8, "nt/s"] == 200.0
    assert latent_sweep.lowest_loss(_history([1.3, 1.1, 1.2])) == 1.1
    clear = latent_sweep.latent_choice({8: 1.2, 16: 1.1, 32: 1.3}, 0.01, paper_best=256)
    assert clear.chosen == 16 and latent_sweep.runner_up_gap(clear) == pytest.approx(0.1) and clear.decided
    assert not latent_sweep.latent_choice({8: 1.2, 16: 1.19}, 0.01, paper_best=256).decided
    one = latent_sweep.latent_choice({8: 1.2, 16: 1.1}, float("nan"), paper_best=256)
    assert one.chosen == 8 and not one.decided  # no measured spread: every size is tied, the smaller one wins
    assert latent_sweep.order_text(True).endswith("the order is a result")
    assert latent_sweep.order_text(False).endswith("which one comes out lowest is seed noise")


def _table1_runs():
    rows = []
    for kind in experiments.LABELS:
        for seed in (0, 1, 2):
            rows.append({"model": kind, "init": "random", "seed": seed, "test accuracy %": 80.0 + seed,
                         "test AUC %": 85.0, "epochs to converge_acc": np.nan})
            rows.append({"model": kind, "init": "autoencoder", "seed": seed, "test accuracy %": 90.0 + seed,
                         "test AUC %": 95.0, "epochs to converge_acc": 2.0 + seed % 2})
    return pd.DataFrame(rows)


def test_table1_summary_sets_the_paper_beside_the_mean_over_seeds():
    summary = experiments.table1_summary(_table1_runs())
    assert summary.index.names == ["init", "model"] and len(summary) == 6
    row = summary.loc[("autoencoder", "BiLSTM + attention")]
    assert row["paper accuracy %"] == 99.07 and row["accuracy % (mean)"] == 91.0 and row["accuracy % (sd)"] == 1.0
    assert row["runs reaching it"] == 3 and row["seeds"] == 3 and row["epochs to converge_acc (mean)"] == 2.33
    assert summary.loc[("random", "LSTM"), "runs reaching it"] == 0


def test_initialization_effects_pair_seeds_and_count_unreached_as_over_budget():
    effects = experiments.initialization_effects(_table1_runs(), budget=8)
    accuracy = effects.loc[("LSTM", "test accuracy (points)")]
    assert accuracy["mean"] == 10 and accuracy["sd"] == 0 and accuracy["n"] == 3
    speed = effects.loc[("BiLSTM", "epochs saved reaching converge_acc")]
    assert speed["mean"] == pytest.approx(9 - 7 / 3) and speed["verdict"] == seeds.HOLDS


def test_table2_features_and_the_paper_row():
    names = latent.feature_names(8)
    assert names.trained == "latent, trained encoder (8)" and names.kmer == "k-mer frequencies (84)"
    torch.manual_seed(10)  # "trained" encoders: other weights than the untrained ones of seeds 0 and 1
    encoders = {0: Autoencoder(8, 4).encoder, 1: Autoencoder(8, 4).encoder}
    calls = []

    def untrained(seed):
        calls.append(seed)
        torch.manual_seed(seed)
        return Autoencoder(8, 4).encoder

    train_rows = pd.DataFrame({"seq": ["ACGTACGT", "GGGTTTAA", "ACG"], "length": [8, 8, 3]})
    test_rows = pd.DataFrame({"seq": ["TTTT", "ACGTTT"], "length": [100, 10]})
    features = latent.feature_sets(names, encoders, untrained, train_rows, test_rows)
    assert list(features) == [0, 1] and calls == [0, 1] and list(features[0]) == list(names)
    x_train, x_test = features[1][names.trained]
    assert x_train.shape == (3, 8) and x_test.shape == (2, 8)
    assert np.allclose(x_train, latent.latents(encoders[1], encode_all(train_rows["seq"])))
    assert not np.allclose(features[0][names.trained][0], features[0][names.untrained][0])
    assert features[0][names.kmer][1].shape == (2, 84) and features[0][names.kmer] is features[1][names.kmer]
    assert features[0][names.length][1].ravel().tolist() == [2.0, 1.0]
    paper = latent.paper_row()
    assert paper.index.tolist() == ["paper: latent (256)"]
    assert paper.columns.tolist() == [("mean", "SVM"), ("mean", "2-layer ANN"), ("mean", "vanilla RNN")]
    assert paper.iloc[0].tolist() == [98.63, 98.88, 98.93]


def test_settings_line_names_the_models_settings():
    P = SimpleNamespace(profile="smoke", device="cpu", max_len=500, embed_dim=8, ae_latents=(8, 16), ae_latent=16,
                        ae_epochs=2, clf_epochs=2, patience=2, clf_seeds=(0,))
    assert experiments.settings(P) == ("profile 'smoke' on cpu: max_len 500, embedding 8, latents [8, 16] "
                                       "(downstream 16), 2 autoencoder epochs, classifiers up to 2 epochs "
                                       "(patience 2), seeds [0]")


def test_figures_are_returned_closed():
    qc = pd.DataFrame({"GT-AG": [90, 80], "GC-AG": [5, 4], "AT-AC": [1, 1], "other": [4, 3]}, index=["old", "new"])
    detail = {label: pd.DataFrame({"start": [0, 100, 1000], "end": [50, 400, 9000]}) for label in ("old", "new")}
    table = _rows("train", [(0, 40, "annotated"), (100, 60, "heuristic"), (200, 50, "length_matched")])
    curves = pd.DataFrame([{"model": kind, "init": init, "seed": seed, "epoch": epoch, "val_accuracy": 0.5 + epoch / 10}
                           for kind in experiments.LABELS for init in ("random", "autoencoder") for seed in (0, 1)
                           for epoch in (1, 2)])
    drawn = [figures.intron_qc(qc, detail), figures.junction_lengths(JunctionSet(table, table.assign(split="test"), {})),
             figures.autoencoder_curves({8: _history([1.3, 1.2]), 16: _history([1.2, 1.1])}, 1.38, 0.3),
             figures.table1_curves(curves, 0.6)]
    assert [len(fig.axes) for fig in drawn] == [2, 2, 2, 3]
    assert not set(plt.get_fignums()) & {fig.number for fig in drawn}
    assert drawn[3].axes[2].get_title() == "BiLSTM + attention"
