"""``python -m lib numerics-check``'s comparison of a rerun with the committed chapters (lib.book.runner)."""

import shutil

import nbformat
import pytest

from lib import paths
from lib.book import config, executed, runner


def _copy(folder, *stems):
    for stem in stems:
        shutil.copy2(paths.NOTEBOOKS / f"{stem}.ipynb", folder / f"{stem}.ipynb")


def test_an_identical_rerun_passes_with_no_moves_and_no_changed_verdict(tmp_path):
    _copy(tmp_path, "01_splice_junctions", "10_cnn")
    summary = runner.compare_runs(tmp_path)
    assert summary["failures"] == 0 and summary["verdicts"] == []
    assert {stem: c["moved"] for stem, c in summary["chapters"].items()} == {"01_splice_junctions": 0, "10_cnn": 0}
    assert "0 failure(s)" in runner.describe_comparison("test", summary)


def _set_glue(path, name, text):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                output["data"][executed.GLUE_MIME] = text
    nbformat.write(nb, path)


def test_a_value_beyond_its_tolerance_and_a_changed_verdict_fail(tmp_path):
    _copy(tmp_path, "01_splice_junctions", "10_cnn")
    _set_glue(tmp_path / "01_splice_junctions.ipynb", "n_train", "'1'")  # data: must be identical
    summary = runner.compare_runs(tmp_path)
    chapter = summary["chapters"]["01_splice_junctions"]
    assert chapter["moved"] == 1 and "n_train" in chapter["failed"] and summary["failures"] >= 1
    assert "FAILED n_train" in runner.describe_comparison("test", summary)
    _set_glue(tmp_path / "10_cnn.ipynb", "score_cnn_size", "{'state_dict_values': 1, 'learnable': 1, 'buffers': 0}")
    verdicts = runner.compare_runs(tmp_path)["verdicts"]
    assert len(verdicts) == 1 and "reproduced -> not reproduced" in verdicts[0]


def test_an_unknown_profile_fails_before_any_earlier_check_is_deleted(tmp_path, monkeypatch):
    """``numerics-check --profile nosuch`` (issue 22) is refused before the folders of an earlier check go."""
    monkeypatch.setattr(paths, "REPO", tmp_path)
    earlier = tmp_path / "_build" / "numerics" / next(iter(runner.OTHER_MACHINES)) / "summary.json"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("{}")
    with pytest.raises(config.ConfigError, match="nosuch"):
        runner.numerics_check("nosuch", None, list(runner.OTHER_MACHINES))
    assert earlier.read_text() == "{}"
