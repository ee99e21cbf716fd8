"""Claims over seeds (lib.seeds) and the regression check of glued values (lib.book.regression)."""

import ast
import math

import pytest

from lib import paths, seeds
from lib.book import executed, regression


def test_paired_effect_holds_fails_or_is_undecided():
    assert seeds.paired_effect([70, 72, 71], [60, 61, 62])["verdict"] == seeds.HOLDS
    assert seeds.paired_effect([60, 61, 62], [70, 72, 71])["verdict"] == seeds.FAILS
    noisy = seeds.paired_effect([70, 60, 66], [65, 66, 64])
    assert noisy["verdict"] == seeds.UNDECIDED and noisy["low"] < 0 < noisy["high"] and noisy["positive"] == 2
    assert noisy["mean"] == pytest.approx(1 / 3) and noisy["n"] == 3
    # t interval: mean ± t(0.975, 2) * sd / sqrt(3)
    assert noisy["high"] - noisy["mean"] == pytest.approx(4.302653 * noisy["sd"] / math.sqrt(3), rel=1e-5)
    one = seeds.paired_effect([1.0], [0.0])
    assert math.isnan(one["low"]) and one["verdict"] == seeds.UNDECIDED and "no interval" in seeds.effect_text(one)
    with pytest.raises(ValueError, match="equal-length"):
        seeds.paired_effect([1, 2], [1])


def test_a_verdict_inside_the_drift_band_is_undecided():
    # the interval clears zero, but by less than the drift band: another CPU could flip it
    close = seeds.paired_effect([1.2, 0.2, 2.2, 1.7, 0.7], [0.0, 0.0, 0.0, 0.0, 0.0])
    se = close["sd"] / math.sqrt(5)
    assert close["low"] > 0 and close["band"] == pytest.approx(2 * math.sqrt(2) * se)
    assert close["low"] < close["band"] and close["verdict"] == seeds.UNDECIDED
    clear = seeds.paired_effect([13.0, 12.0, 14.0, 13.5, 12.5], [0.0, 0.0, 0.0, 0.0, 0.0])
    assert clear["verdict"] == seeds.HOLDS and "drift band ±" in seeds.effect_text(clear)
    assert seeds.paired_effect([0.0] * 5, [13.0, 12.0, 14.0, 13.5, 12.5])["verdict"] == seeds.FAILS


def test_pooled_sd_and_its_upper_bound():
    sd, df = seeds.pooled_sd([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [5.0]])
    assert sd == pytest.approx(math.sqrt(2 / 4)) and df == 4
    assert math.isnan(seeds.pooled_sd([[1.0]])[0])
    assert seeds.sd_upper_factor(2) == pytest.approx(4.42, abs=0.01) and seeds.sd_upper_factor(24) < 1.4
    with pytest.raises(ValueError, match="degree of freedom"):
        seeds.sd_upper_factor(0)


def test_trained_tolerances_come_from_the_spread_the_chapter_measured():
    committed = {"ae_seed_sd": "'1.0e-03'", "ae_best_latent": "32", "ae_best_loss": "'1.367'"}
    tol = regression.tolerance("02_autoencoder", "ae_best_loss").derived(committed, {})
    assert tol.absolute == pytest.approx(regression.DRIFT * seeds.sd_upper_factor(4) * 1e-3)
    assert "ae_seed_sd" in tol.why and "df 4" in tol.why
    named = regression.Tolerance(0.0, 0.0, "x", spread="t1_se").derived({"t1_se": "'2.00 (df 24)'"}, {})
    assert named.absolute == pytest.approx(regression.DRIFT * seeds.sd_upper_factor(24) * 2.0)
    unknown = regression.Tolerance(0.0, 0.0, "x", spread="t1_se").derived({"t1_se": "'nan (df 0)'"}, {})
    assert unknown.absolute == 0.0  # no measured spread: exact
    table = regression.compare("02_autoencoder", committed, {**committed, "ae_best_loss": "'1.370'"})
    assert table.set_index("name").loc["ae_best_loss", "status"] == "within tolerance"
    table = regression.compare("02_autoencoder", committed, {**committed, "ae_best_loss": "'1.390'"})
    row = table.set_index("name").loc["ae_best_loss"]
    assert row["status"] == "changed" and row["move"] > 1


def test_a_changed_choice_is_reported_and_what_follows_it_is_not_compared():
    committed = {"ae_variant": "'more data'", "ae_variant_acc": "'30.8%'", "ae_acc_sd": "'1.0 (df 16)'",
                 "ae_region_middle": "'26.3%'"}
    fresh = {"ae_variant": "'reverse'", "ae_variant_acc": "'20.0%'", "ae_acc_sd": "'1.0 (df 16)'",
             "ae_region_middle": "'46.3%'"}
    table = regression.compare("02_autoencoder", committed, fresh).set_index("name")
    assert table.loc["ae_variant", "status"] == "choice differs"
    assert table.loc["ae_variant_acc", "status"] == "follows another choice"
    assert table.loc["ae_region_middle", "status"] == "changed"  # the paper variant's: it follows no choice
    assert regression.is_choice("05_integrated_gradients", "ig_classifier")
    assert regression.is_choice("11_saliency", "p3_holds")  # a count of seeds over a per-seed threshold


def test_agreement_counts_seeds():
    assert seeds.agreement([True, True]) == {"k": 2, "n": 2, "verdict": seeds.HOLDS}
    assert seeds.agreement([False, False])["verdict"] == seeds.FAILS
    assert seeds.agreement([True, False, True])["verdict"] == seeds.MIXED
    with pytest.raises(ValueError):
        seeds.agreement([])


def test_numbers_are_compared_within_their_tolerance_and_the_text_exactly():
    tol = regression.Tolerance(3.0, 0.0, "points")
    assert regression.differences("'66.6%'", "'68.1%'", tol) is None
    assert "exceeds" in regression.differences("'66.6%'", "'76.6%'", tol)
    assert "text differs" in regression.differences("'G (+0.01)'", "'C (+0.01)'", tol)
    assert regression.differences("'1,155'", "'1,156'", regression.EXACT) is not None
    assert regression.differences("'2.5e-05'", "'2.6e-05'", regression.Tolerance(0.002, 0.25, "")) is None
    assert regression.tolerance("01_splice_junctions", "n_train") == regression.EXACT
    assert regression.tolerance("10_cnn", "train_seconds").absolute is None


def test_spreads_over_seeds_can_be_left_out_while_their_means_are_compared():
    tol = regression.Tolerance(8.0, 0.0, "test", spreads=False)
    committed = "+0.6 points (95% CI -6.1 to +7.3, 3 seeds); {'mean': 61.7, 'sd': 0.585}"
    wide = "+2.0 points (95% CI -18.0 to +22.0, 3 seeds); {'mean': 63.1, 'sd': 5.456}"
    assert regression.differences(committed, wide, tol) is None
    assert "exceeds" in regression.differences(committed, wide.replace("63.1", "71.7"), tol)
    assert "exceeds" in regression.differences(committed, wide.replace("+2.0 points", "+10.6 points"), tol)
    assert "exceeds" in regression.differences(committed, wide, regression.Tolerance(8.0, 0.0, "test"))


def test_a_result_moved_by_ten_points_fails_the_check(monkeypatch, capsys):
    """The check on a committed chapter: identical values pass; one accuracy 10 points off fails."""
    chapter = "03_table1_initialization"
    nb = executed.read(paths.NOTEBOOKS / f"{chapter}.ipynb")
    committed = executed.glued(nb)
    params = executed.resolved(nb)
    record = "score_table1"
    fresh = regression.text(ast.literal_eval(committed[record]))
    monkeypatch.setattr(regression, "RECORDED", {})
    for name, text in committed.items():
        if not text.startswith("<Figure"):
            regression.RECORDED[name] = _Literal(text)
    table = regression.check(chapter, params)
    assert set(table["status"]) == {"identical"} and fresh == committed[record]
    first = float(committed[record].split("'mean': ")[1].split(",")[0])
    moved = committed[record].replace(f"'mean': {first!r}", f"'mean': {first + 10!r}", 1)
    assert moved != committed[record]
    regression.RECORDED[record] = _Literal(moved)
    with pytest.raises(AssertionError, match="score_table1"):
        regression.check(chapter, params)
    monkeypatch.setenv("DNABOOK_ACCEPT_CHANGES", "1")
    assert (regression.check(chapter, params)["status"] == "changed").sum() == 1
    assert "1 changed" in capsys.readouterr().out


def test_other_parameters_are_not_compared(capsys):
    nb = executed.read(paths.NOTEBOOKS / "01_splice_junctions.ipynb")
    params = dict(executed.resolved(nb)) | {"max_len": 500}
    assert regression.check("01_splice_junctions", params) is None
    assert "other parameters (max_len)" in capsys.readouterr().out


class _Literal:
    """A value whose pretty-printed text is ``text`` (stands in for a glued value in these tests)."""

    def __init__(self, text):
        self.text = text

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.text)
