"""What chapters 10-11 report, on tiny inputs: data counts and texts, Table 1 over seeds, the saliency tables
and texts, the closing comparison, the figures, and paper B's published numbers."""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from lib.book import config
from lib.coding import accuracy, attribution, data_report, figures, model, published, saliency
from lib.coding import genomic_benchmarks as gb
from lib.coding import saliency_report as report
from lib.coding.dataset import BenchmarkData

OPEN, CLOSED = "A" * 200, "TAAT" * 50  # a window with an open reading frame, one with a stop in every frame


def _table(rows, split):
    """Rows (label, seq) of one split as a benchmark table."""
    return pd.DataFrame([(split, label, f"{split}{i}", seq) for i, (label, seq) in enumerate(rows)],
                        columns=["split", "label", "id", "seq"])


@pytest.fixture
def data():
    rng = np.random.default_rng(0)

    def random_seqs(n):
        return ["".join(rng.choice(list("ACGT"), 200)) for _ in range(n)]

    train = _table([(0, OPEN), (0, CLOSED)] * 16 + [(1, s) for s in random_seqs(32)], "train")
    test = _table([(0, OPEN)] * 6 + [(1, s) for s in random_seqs(6)], "test")
    table = pd.concat([train.assign(region=[f"T{i % 5}" for i in range(len(train))]), test], ignore_index=True)
    real = _table([(0, OPEN)] * 3 + [(1, CLOSED)] * 2, "test").assign(region=["T1", "T1", "T2", "chr1", "chr1"],
                                                                       held_out=True)
    real = real.assign(reference=["chr21 cDNA", "GRCh38 slice", "GRCh38 slice", "GRCh38 slice", "GRCh38 slice"])
    rebuild = pd.DataFrame({"coding_seqs": [3, 2], "intergenomic_seqs": [2, 0]},
                           index=pd.Index([gb.REBUILT, data_report.PAST_END], name="outcome"))
    return BenchmarkData("slice", table, real, rebuild, None, "tiny")


def test_counts_texts_and_composition_of_the_data(data):
    assert data_report.headline("smoke", data) == ("profile 'smoke': data source 'slice'\ntraining and test "
                                                   "sequences: 76; real benchmark sequences rebuilt: 5 (5 held out "
                                                   "from training)")
    assert list(data_report.class_counts(data.table).index) == ["test", "train"]
    sizes = data_report.split_sizes(data.table)
    assert list(sizes.index) == ["train", "test"] and list(sizes.columns) == ["coding_seqs", "intergenomic_seqs"]
    assert sizes.loc["train"].tolist() == [32, 32]
    assert data_report.rebuild_outcomes(data.rebuild_report).loc["total"].tolist() == [5, 2]
    assert data_report.real_texts(data) == {"real_n": "5", "real_coding": "3", "real_intergenomic": "2",
                                            "real_transcripts": "2", "real_past_end": "2"}
    text = data_report.describe_real(data.real)
    assert text.startswith("real sequences per benchmark split and class:\n") and "archive" not in text
    matched = data.real.assign(matches_archive=[True, True, False, True, True])
    assert data_report.describe_real(matched).startswith("rebuilt sequences identical to the archive's: 4 of 5\n")
    intervals = pd.DataFrame({"label": [0, 0, 0, 1], "start": [10, 30, 2_000, 5]})
    assert data_report.coding_start_texts(intervals) == {"coding_start_median": "30"}
    composition = data_report.composition(data)
    assert composition.index.names == ["set", "class"]
    assert data_report.composition_texts(composition, "slice") == {"real_orf": "100%", "train_orf": "50%"}
    assert data_report.training_texts(data.table, 1_500) == {"block_kb": "1.5", "n_train": "64", "n_test": "12",
                                                             "train_transcripts": "5"}
    no_regions = data_report.training_texts(data.table.drop(columns="region"), 100_000)
    assert no_regions["block_kb"] == "100" and no_regions["train_transcripts"] == "n/a"


def _results(test, real, sequences=100):
    n = len(test)
    return pd.DataFrame({"test accuracy": test, "real accuracy": real, "real coding recall": [0.9] * n,
                         "real intergenomic recall": [0.7] * n, "real balanced accuracy": [0.8] * n,
                         "real sequences": [sequences] * n,
                         "training s": [10.0] * n, "training sequences/s": [1500.0] * n},
                        index=pd.Index(range(n), name="seed"))


def test_table1_texts_and_score_record_over_seeds():
    results = _results([0.8, 0.9], [0.5, 0.5])
    table = accuracy.table1(results, "slice")
    assert table["method"].tolist()[:4] == ["SimpleSaliencyCNN, this book"] * 3 + ["SimpleSaliencyCNN"]
    assert table.loc[0, "evaluated on / source"] == "slice held-out blocks (validation) (2 seeds)"
    assert table.loc[1, "evaluated on / source"] == "real benchmark sequences, held out: all 100 (2 seeds)"
    assert table.loc[0, "accuracy %"] == pytest.approx(85) and table.loc[0, "SD %"] == pytest.approx(50 ** 0.5)
    assert table.loc[2, "accuracy %"] == pytest.approx(80) and table.loc[2, "SD %"] == 0
    assert table.loc[3, "accuracy %"] == published.ACCURACY and math.isnan(table.loc[3, "SD %"])
    assert len(table) == 3 + len(published.TABLE1)
    assert math.isnan(accuracy.table1(results.iloc[:1], "archive").loc[0, "SD %"])
    histories = [[{"accuracy": 0.5}, {"accuracy": 0.9}], [{"accuracy": 0.7}]]
    assert accuracy.accuracy_texts(results, histories) == {
        "acc_test": "85.0% ± 7.1", "acc_real": "50.0% ± 0.0", "acc_real_balanced": "80.0% ± 0.0",
        "real_vs_baselines": "0 of 2 seeds reach 87.6%, 0 of 2 seeds reach 89.6%",
        "real_coding_recall": "90.0%",
        "real_intergenomic_recall": "70.0%", "n_seeds": 2, "n_real_held_out": "100", "real_se": "5.0",
        "train_acc": "80.0%"}
    assert accuracy.binomial_se(0.9, 400) == pytest.approx(1.5)
    reaching = results.assign(**{"real balanced accuracy": [0.88, 0.9]})
    assert accuracy.baseline_text(reaching) == "2 of 2 seeds reach 87.6%, 1 of 2 seeds reach 89.6%"
    P = SimpleNamespace(cnn_epochs=3, cnn_batch_size=64)
    assert accuracy.training_texts(P, results) == {"epochs": 3, "batch_size": 64, "train_seconds": "20 s",
                                                   "train_rate": "1,500"}
    record = accuracy.score_record(results)
    assert record["test"]["mean"] == pytest.approx(85) and record["test"]["n"] == 2
    assert record["real"]["sequences"] == 100 and record["real"]["sd"] == 0
    assert record["real_balanced"]["mean"] == pytest.approx(80)


def test_seed_results_and_saliency_of_every_seed_on_tiny_data(data):
    P = SimpleNamespace(device="cpu", seed=3, cnn_seeds=2, cnn_epochs=1, cnn_batch_size=16, cnn_lr=1e-3, cnn_weight_decay=0.0,
                        cnn_threads=1, workers=2, saliency_n=8, saliency_per_class=2, saliency_compare_n=3, saliency_ig_steps=2,
                        saliency_smoothgrad_samples=2)
    results = accuracy.seed_results(P, data)
    assert list(results.index) == [3, 4] and results["test sequences"].tolist() == [12, 12]
    assert results["real sequences"].tolist() == [5, 5] and results["test accuracy"].between(0, 1).all()
    groups = accuracy.real_groups(P, data)
    assert groups.loc[("chr21 cDNA", "coding_seqs", "test"), "sequences"] == 1
    assert groups.loc[("GRCh38 slice", "coding_seqs", "test"), "sequences"] == 2
    assert groups.loc[("all", "intergenomic_seqs", "all"), "sequences"] == 2
    everything = groups.loc[("all", "all", "all")]
    assert everything["sequences"] == 5 and everything["seeds"] == 2
    assert everything["mean"] == pytest.approx(100 * results["real accuracy"].mean())
    assert set(accuracy.group_texts(groups)) == {"real_all", "real_coding_seqs", "real_intergenomic_seqs"}
    maps = attribution.analyse_seeds(P, data)
    assert list(maps) == [3, 4] and maps[3]["importance"].shape == (8, 200) and maps[3]["ig"].shape == (3, 200)
    assert (maps[3]["index"] == maps[4]["index"]).all()  # the same sequences for every model
    assert not np.allclose(maps[3]["importance"], maps[4]["importance"])  # other weights
    again = attribution.analyse_seeds(P, data)  # from the cache
    np.testing.assert_array_equal(again[4]["smoothgrad"], maps[4]["smoothgrad"])


def _maps(seed=0, n=40, length=200):
    """A result like lib.coding.attribution.analyse's, coding sequences period-3 and higher."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1], n // 2)
    importance = rng.gamma(2.0, 1.0, (n, length)) + 2 * np.outer(labels == 0, 1 + np.cos(2 * np.pi * np.arange(length) / 3))
    return {"importance": importance, "labels": labels, "class_importance": importance, "class_labels": labels,
            "ig": importance[:10] * 2, "smoothgrad": importance[:10] + 0.01, "seconds": np.array([1.0, 2.0, 3.0])}


def test_saliency_texts_and_tables():
    result = _maps()
    per_seed = {0: saliency.model_statistics(result, 0), 1: saliency.model_statistics(_maps(1), 0)}
    P = SimpleNamespace(profile="smoke", seed=0, gb_source="slice", saliency_per_class=20, saliency_ig_steps=8,
                        saliency_smoothgrad_samples=4)
    data = SimpleNamespace(table=pd.DataFrame({"split": ["train", "test", "test"]}))
    assert report.headline(P, data, {0: result, 1: _maps(1)}) == (
        "profile 'smoke': models of seeds [0, 1] (figures: seed 0), test split of 2 sequences (slice)\n"
        "Figures 1-2: 40 sequences x 200 positions; Figure 3: 20 per class; method comparison: 10 sequences")
    small = {**result, "class_labels": np.array([0] * 20 + [1] * 7)}  # a small test split: 7 intergenomic
    assert report.headline(P, data, {0: small}).endswith(
        "Figure 3: 20 coding and 7 intergenomic (the test split's, fewer than 20); method comparison: 10 sequences")
    assert report.sample_texts(result["importance"], 1250) == {"n_seqs": "40", "per_class": "1,250"}
    texts = report.correlation_texts(per_seed)
    assert texts["r"] == f"{per_seed[0]['r']:.3f}, {per_seed[1]['r']:.3f}" and texts["r_interval"].count(" to ") == 2
    numbers = {"high_positions": 5, "high_regions": 2, "above_pooled_p75": 1}
    assert report.high_position_texts(numbers, [(3, 9), (12, 12)]) == {
        "high_positions": 5, "high_regions": 2, "above_pooled": 1, "region_list": "3-9, 12"}
    frame = report.region_frame([(3, 9), (12, 12)])
    assert frame.loc[2].tolist() == [12, 12] and frame.index.name == "high-importance region"
    classes = saliency.class_means(result["class_importance"], result["class_labels"])
    texts = report.class_texts(classes, saliency.region_stats(classes))
    assert texts["share_coding"] == "100%" and texts["share_intergenomic"] == "100%"
    assert set(texts) == {"share_coding", "rel_coding", "relshare_coding", "share_intergenomic", "rel_intergenomic",
                          "relshare_intergenomic", "level_ratio"}
    assert float(texts["level_ratio"]) > 1
    record = report.score_record(per_seed)
    assert [s["seed"] for s in record["seeds"]] == [0, 1] and record["seeds"][1]["r"] == per_seed[1]["r"]


def test_periodicity_table_texts_and_verdicts():
    def stats(coding, holds):
        return {"period3": {"coding": coding, "intergenomic": 1.0, "p": 1e-4, "share_coding": 0.25,
                            "share_intergenomic": 0.05, "holds": holds}}

    table = report.periodicity_table({0: stats(2.5, True), 1: stats(1.1, False)})
    assert list(table.index) == [0, 1] and table.index.name == "seed"
    texts = report.periodicity_texts(table)
    assert texts["p3_coding"] == "2.50, 1.10" and texts["p3_p"] == "1.0e-04, 1.0e-04"
    assert texts["p3_share_coding"] == "25%, 25%" and texts["p3_holds"] == "1 of 2" and texts["p3_factor"] == "1.2"
    assert texts["p3_verdict"] == "does not hold on most seeds"
    every = report.periodicity_table({s: stats(2.5, True) for s in range(3)})
    assert report.periodicity_texts(every)["p3_verdict"] == "holds on every seed"
    most = report.periodicity_table({0: stats(2.5, True), 1: stats(2.5, True), 2: stats(1.0, False)})
    assert report.periodicity_texts(most)["p3_verdict"] == "holds on most seeds, not all"


def test_method_agreement_and_its_texts():
    result = _maps()
    np.testing.assert_array_equal(attribution.compared(result), result["importance"][:10])
    agreement = report.method_agreement(result)
    assert list(agreement.index) == ["Integrated Gradients", "SmoothGrad"]
    assert agreement.loc["Integrated Gradients", "per-sequence Spearman (mean)"] == pytest.approx(1)
    P = SimpleNamespace(saliency_ig_steps=8, saliency_smoothgrad_samples=4)
    texts = report.agreement_texts(agreement, 1200, P)
    assert texts["n_compare"] == "1,200" and texts["ig_steps"] == 8 and texts["sg_samples"] == 4
    assert texts["ig_rho"] == "1.00" and texts["sg_jaccard"] == "1.00"


def test_closing_table_sets_paper_b_beside_this_book():
    result = _maps()
    per_seed = {0: saliency.model_statistics(result, 0), 1: saliency.model_statistics(_maps(1), 0)}
    counts = model.parameter_counts(model.SimpleSaliencyCNN())
    table = report.closing_table(_results([0.8, 0.9], [0.5, 0.5]), counts, per_seed, result, "slice")
    assert list(table.columns) == ["paper B", "this book"] and len(table) == 8
    assert table.loc["Table 1: accuracy", "paper B"] == "91.87% (HyenaDNA 91.31%)"
    assert table.loc["Table 1: accuracy", "this book"] == (
        "85.0% ± 7.1 slice held-out blocks (validation); 50.0% ± 0.0 on the held-out real benchmark sequences "
        "(80.0% ± 0.0 class-balanced; 2 seeds)")
    assert table.loc["parameters"].tolist() == ["91,145", "91,145 state-dict values (91,038 learnable)"]
    assert table.loc["Figure 1: r(mean, SD)", "paper B"] == "0.530"
    assert table.loc["Figure 2: high importance", "paper B"] == "nine positions / regions"
    assert table.loc["Figure 2: high importance", "this book"].startswith("50 positions in ")
    assert table.loc["Figure 3: 20-100", "this book"].startswith("delta > 0 at 100% of positions")
    assert "on 2 of 2 seeds" in table.loc["codon periodicity", "this book"]
    assert table.loc["IG / SmoothGrad vs gradient", "this book"] == "Spearman 1.00 (IG), 1.00 (SmoothGrad)"


def test_figures_are_returned_closed():
    result = _maps()
    positions = saliency.positional_stats(result["importance"])
    classes = saliency.class_means(result["class_importance"], result["class_labels"])
    drawn = {"table1": figures.table1(accuracy.table1(_results([0.8, 0.9], [0.5, 0.5]), "slice")),
             "mean_std": figures.mean_std(positions, 0.5),
             "profile": figures.profile(positions, 40),
             "classes": figures.class_profiles(classes),
             "spectrum": figures.spectrum(result["importance"], result["labels"]),
             "methods": figures.methods(result)}
    assert plt.get_fignums() == []
    assert [len(fig.axes) for fig in drawn.values()] == [1, 1, 1, 2, 1, 1]
    assert drawn["mean_std"].axes[0].get_title() == "Pearson r = 0.500 (paper: 0.530)"
    assert len(drawn["table1"].axes[0].patches) == 3 + len(published.TABLE1)
    assert drawn["classes"].axes[1].get_xlabel().endswith("the paper's regions 20-100 and 150-190")
    assert len(drawn["methods"].axes[0].lines) == 3


def test_model_size_texts_record_and_state_dict_table():
    cnn = model.SimpleSaliencyCNN()
    counts = model.parameter_counts(cnn)
    assert model.size_texts(counts) == {"n_learnable": "91,038", "n_buffers": "107", "n_state": "91,145"}
    assert model.size_record(counts) == {"state_dict_values": 91_145, "learnable": 91_038, "buffers": 107}
    table = model.state_dict_table(cnn)
    assert table["values"].sum() == published.PARAMETERS
    assert table.loc[table["learnable"], "values"].sum() == 91_038
    assert table.loc["embedding.weight", "shape"] == (6, 128)


def test_published_numbers_of_paper_b():
    assert published.span(published.CODING_REGION) == "20-100"
    assert list(published.REGIONS) == ["coding emphasis, 20-100", "intergenomic emphasis, 150-190"]
    assert ("SimpleSaliencyCNN", "paper B, Table 1", published.ACCURACY) in published.TABLE1
    assert ("HyenaDNA", "paper B, Table 1", published.HYENADNA_ACCURACY) in published.TABLE1
    paper = config.resolve("paper")  # the paper preset draws the paper's sample sizes
    assert (paper.saliency_n, paper.saliency_per_class) == (published.SEQUENCES, published.PER_CLASS)
