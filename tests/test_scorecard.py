"""The scorecard's rules, its reading of glued records, and the summary pages' inputs."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from IPython.lib.pretty import pretty

from lib import paths
from lib.book import config, executed, runner, scorecard
from lib.coding import saliency


def glued_notebook(values: dict, parameters: dict) -> nbformat.NotebookNode:
    """A notebook holding ``values`` as glue outputs, the way myst_nb.glue stores them, run with ``parameters``."""
    outputs = [nbformat.v4.new_output("display_data", data={executed.GLUE_MIME: pretty(value)},
                                      metadata={"scrapbook": {"name": key}}) for key, value in values.items()]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter"),
                                         nbformat.v4.new_code_cell("", outputs=outputs)])
    nb.metadata["papermill"] = {"parameters": parameters, "duration": 1.5, "start_time": "2026-01-02T03:04:05"}
    return nb


def test_records_round_trip_numpy_values_and_nan():
    values = {"a": np.float64(1.5), "b": [np.int64(3), float("nan")], "c": {np.int64(7): (1, 2)}}
    nb = glued_notebook({"score_x": scorecard._plain(values), "other": "'ignored'"}, {"profile": "smoke"})
    assert scorecard.records(nb) == {"x": {"a": 1.5, "b": [3, None], "c": {7: [1, 2]}}}


def test_spread_of_one_and_of_several_values():
    assert scorecard.spread([70.0]) == {"mean": 70.0, "sd": None, "n": 1}
    three = scorecard.spread(np.array([1.0, 2.0, 3.0]))
    assert three["mean"] == 2.0 and math.isclose(three["sd"], 1.0) and three["n"] == 3


def test_accuracy_rule_uses_two_sd_with_a_floor():
    assert scorecard._accuracy(95.0, {"mean": 94.0, "sd": 0.6, "n": 3})[1] == scorecard.REPRODUCED
    assert scorecard._accuracy(95.0, {"mean": 93.9, "sd": 0.5, "n": 3})[1] == scorecard.NOT_REPRODUCED
    assert scorecard._accuracy(95.0, {"mean": 94.6, "sd": 0.0, "n": 3})[1] == scorecard.REPRODUCED  # floor 0.5
    value, verdict, _ = scorecard._accuracy(95.0, {"mean": 80.0, "sd": None, "n": 1})
    assert value == "80.00% (1 seed)" and verdict == scorecard.NOT_REPRODUCED


def test_count_rule_allows_one_percent():
    judge = scorecard._count("train", 1000)
    assert judge({"positives": {"train": 1009}})[1] == scorecard.REPRODUCED
    assert judge({"positives": {"train": 1011}})[1] == scorecard.NOT_REPRODUCED


def test_mismatches_name_the_data_and_settings():
    default, paper = config.resolve("default"), config.resolve("paper")
    assert scorecard.mismatches(paper, scorecard.PAPER_A_DATA) == []
    assert scorecard.mismatches(paper, scorecard.PAPER_B_DATA) == []
    words = scorecard.mismatches(default, {**scorecard.PAPER_A_DATA, "ae_latent": (256,)})
    assert words == ["ran on the 9.5 Mb genome slice, not GENCODE v20/v26 on the whole genome", "ae_latent 64, not 256"]
    assert scorecard.mismatches(config.resolve("paper", {"contigs": ["chr1"]}), scorecard.PAPER_A_DATA)


def _seeds(*shares):
    return {"saliency": {"seeds": [{"seed": i, "delta_positive_share": {"20-100": a, "150-190": b, "all": 0.5}}
                                   for i, (a, b) in enumerate(shares)]}}


def test_emphasis_rule_follows_the_papers_sign_of_delta_on_every_seed():
    assert scorecard._emphasis("20-100", True)(_seeds((0.8, 0.3), (0.7, 0.2)))[1] == scorecard.REPRODUCED
    assert scorecard._emphasis("150-190", False)(_seeds((0.8, 0.3), (0.7, 0.2)))[1] == scorecard.REPRODUCED
    assert scorecard._emphasis("150-190", False)(_seeds((0.8, 1.0), (0.7, 0.9)))[1] == scorecard.NOT_REPRODUCED
    value, verdict, why = scorecard._emphasis("150-190", False)(_seeds((0.8, 0.3), (0.7, 0.9)))
    assert verdict == scorecard.UNDECIDED and "1 of 2 seeds" in why and "seed 1" in value


def test_ig_findings_are_undecided_when_no_seed_converged():
    _, verdict, reason = scorecard._ig_near({"ig": {"seeds": [], "attributed": [0, 1, 2]}})
    assert verdict == scorecard.UNDECIDED and "none of the 3 seeds" in reason


def test_best_latent_is_undecided_within_the_seed_spread():
    sweep = {"sizes": [128, 256, 512], "epochs": 300, "seeds": 3, "lowest_loss": {128: 1.30, 256: 1.20, 512: 1.21}}
    assert scorecard._best_latent({"latent_sweep": {**sweep, "seed_sd": 0.01}})[1] == scorecard.UNDECIDED
    assert scorecard._best_latent({"latent_sweep": {**sweep, "seed_sd": 0.001}})[1] == scorecard.REPRODUCED
    assert scorecard._best_latent({"latent_sweep": {**sweep, "seed_sd": None}})[1] == scorecard.UNDECIDED


def test_committed_scorecard_inputs_give_a_verdict_for_every_claim():
    card = scorecard.table(paths.NOTEBOOKS)
    assert len(card) == len(scorecard._claims()) and set(card["verdict"]) <= set(scorecard.VERDICTS)
    params = card.set_index("claim")
    assert params.loc["parameters of SimpleSaliencyCNN (section 4.1)", "verdict"] == scorecard.REPRODUCED
    if (card["profile"] == "default").all():  # measured numbers need the paper's data
        kinds = {c.claim: c.kind for c in scorecard._claims()}
        measured = card[card["claim"].map(kinds) == "measured"]
        assert (measured["verdict"] == scorecard.NOT_COMPARABLE).all(), measured
        relative = card[card["claim"].map(kinds) == "relative"]  # judged on the slice, and say so
        assert len(relative) == 7 and (relative["verdict"] != scorecard.NOT_COMPARABLE).all()
        assert relative["why"].str.contains("a relative claim, measured on the default profile's data").all()
    note = scorecard.closing_note(card)
    assert all(f"**{v.capitalize()}" in note for v in scorecard.VERDICTS)


def test_execution_table_reads_papermill_metadata(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(glued_notebook({}, {"profile": "paper", "max_len": 500}), path)
    table = executed.execution_table([path], tmp_path)
    assert table.to_dict("records") == [{"page": "A chapter", "notebook": "nb.ipynb", "profile": "paper (max_len=500)",
                                         "started (UTC)": "2026-01-02 03:04", "seconds": 1.5, "numerics": "-", "commit": "-"}]
    with pytest.raises(ValueError, match="no papermill metadata"):
        executed.run_parameters(nbformat.v4.new_notebook())


def test_summary_pages_exist_and_are_in_the_toc():
    toc = (paths.REPO / "_toc.yml").read_text()
    for page in runner.PAGES:
        assert (paths.REPO / page).is_file() and page.removesuffix(".ipynb") in toc


def test_markdown_table_escapes_pipes():
    frame = pd.DataFrame({"a": ["x|y"], "b": [1]})
    assert executed.markdown_table(frame).splitlines() == ["| a | b |", "| --- | --- |", "| x\\|y | 1 |"]


def test_bootstrap_interval_of_r_brackets_the_estimate():
    rng = np.random.default_rng(0)
    importance = np.abs(rng.normal(size=(300, 50))) * np.linspace(1, 1.3, 50)
    low, high = saliency.bootstrap_pearson_r(importance, n_boot=200, seed=1)
    mean, std = importance.mean(0), importance.std(0, ddof=1)
    r = np.corrcoef(mean, std)[0, 1]
    assert math.isclose((low + high) / 2, r) and 0 < high - low < 0.5
