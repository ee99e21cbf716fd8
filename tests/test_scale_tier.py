"""The scale tier (issue 21): the ``chromosomes`` data source and its annotation pairs, the ``chromosomes``
profile's runs, the scorecard reading the largest data, and the committed scale-tier chapters checked against the
code without rerunning them (hours on 2 cores)."""

from __future__ import annotations

import os
import shutil
import subprocess

import nbformat
import pytest

from lib import paths
from lib.book import config, executed, runner, scorecard
from lib.data import sources


def test_chromosomes_source_offers_two_annotation_pairs():
    canonical = sources.get("chromosomes")
    assert canonical.name == "chromosomes" and canonical.genome.name == "GRCh38.chromosomes.fa.gz"
    assert list(canonical.releases) == ["v24 canonical", "all transcripts"]
    releases = sources.get("chromosomes", "releases")
    assert releases.name == "chromosomes-releases" and list(releases.releases) == ["v24", "v31"]
    assert all(p.is_file() for s in (canonical, releases) for p in (s.genome, s.older, s.newer))
    with pytest.raises(ValueError, match="unknown annotation pair 'v99'"):
        sources.get("chromosomes", "v99")
    P = config.resolve("chromosomes")
    assert sources.of(P) == canonical


def test_missing_chromosomes_folder_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("DNABOOK_SHARED_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="grch38-chromosomes does not exist: set DNABOOK_SHARED_DATA"):
        sources.get("chromosomes")
    (tmp_path / "grch38-slice").mkdir()
    with pytest.raises(FileNotFoundError, match="grch38-slice has no GRCh38.slice.fa.gz"):
        sources.get("slice")


def test_release_pair_is_chr22_of_the_chromosomes_only():
    assert config.resolve("chromosomes", {"annotations": "releases"}).contigs == ("chr22",)
    assert config.resolve("chromosomes", {"annotations": "releases", "contigs": "chr22"}).contigs == ("chr22",)
    with pytest.raises(config.ConfigError, match="only the chromosomes source has it"):
        config.resolve("default", {"annotations": "releases"})
    with pytest.raises(config.ConfigError, match="annotations=releases covers chr22 only"):
        config.resolve("chromosomes", {"annotations": "releases", "contigs": ["chr21"]})


def test_chromosomes_profile_is_default_on_the_larger_data():
    default, scale = config.resolve("default"), config.resolve("chromosomes")
    differs = {k for k in config.KNOBS if default[k] != scale[k]}
    assert differs == {"profile", "source", "gb_source", "gb_max_per_class"}
    assert scale.source == scale.gb_source == "chromosomes"


def test_a_plain_chromosomes_run_writes_the_tier_and_an_override_does_not(monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(runner, "_execute", lambda nb, out, params, cfg, log_cells=False: ran.append(out))
    monkeypatch.setattr(runner, "_mark_tier", lambda out, profile: None)
    monkeypatch.setattr(paths, "COMMITTED", {**paths.COMMITTED, "chromosomes": tmp_path / "tier"})
    monkeypatch.setattr(runner, "run_pages", list)
    monkeypatch.delenv("DNABOOK_REFERENCE_DIR", raising=False)
    runner.run("chromosomes", None, {}, None)
    assert "DNABOOK_REFERENCE_DIR" not in os.environ  # set for the chapters' kernels only, not left behind
    assert [p.parent for p in ran] == [tmp_path / "tier"] * len(runner.TIER_CHAPTERS["chromosomes"])
    assert [p.name[:2] for p in ran] == list(runner.TIER_CHAPTERS["chromosomes"])
    ran.clear()
    runner.run("chromosomes", ["02"], {"ae_epochs": 1}, tmp_path / "out")
    assert ran == [tmp_path / "out" / "02_autoencoder.ipynb"]


def test_tier_note_links_the_ci_tier_chapter(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("1")])
    path = tmp_path / "03_table1_initialization.ipynb"
    nbformat.write(nb, path)
    runner._mark_tier(path, "chromosomes")
    cells = nbformat.read(path, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "markdown", "code"]
    assert "(../03_table1_initialization.ipynb)" in cells[1].source and "scale tier" in cells[1].source


def test_scorecard_judges_on_the_scale_tier_where_it_ran(tmp_path):
    shutil.copy2(paths.NOTEBOOKS / "01_splice_junctions.ipynb", tmp_path / "01_splice_junctions.ipynb")
    card = scorecard.table(paths.NOTEBOOKS, tmp_path)
    from_scale = card["chapter"] == "01_splice_junctions"
    assert (card.loc[from_scale, "folder"] == tmp_path.name).all()
    assert (card.loc[from_scale, "on the CI tier"] == card.loc[from_scale, "this book"]).all()  # same notebook
    assert (card.loc[~from_scale, "folder"] == "notebooks").all()
    assert (card.loc[~from_scale, "on the CI tier"] == "").all()
    assert (card.loc[card["paper"] == "A", "data"] == "the 9.5 Mb genome slice").all()


def test_paper_b_real_set_grows_on_the_chromosomes():
    from lib.coding import dataset
    from lib.coding import genomic_benchmarks as gb

    real, report = dataset.real_sequences("chromosomes")
    slice_real, _ = dataset.real_sequences("slice")
    assert len(real) > len(slice_real) and set(real["reference"]) <= set(gb.REFERENCES)
    for label in (0, 1):
        assert (real["label"] == label).sum() > (slice_real["label"] == label).sum()
    assert report.loc[gb.rebuilt_from(gb.REFERENCES[2])].sum() == (real["reference"] == gb.REFERENCES[2]).sum()


# --- the committed scale tier, checked without rerunning it --------------------------------------------------

TIER = [paths.SCALE / nb.name for nb in runner.chapters(list(runner.TIER_CHAPTERS["chromosomes"]))]


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", TIER, ids=lambda p: p.stem)
def test_committed_scale_chapter_matches_the_code(path):
    """Each scale-tier chapter exists, ran the chapter's current code with the current ``chromosomes`` preset
    and no override, and records its run time, numerics and the commit that ran it (an ancestor of HEAD)."""
    assert path.exists(), f"{paths.display(path)} is missing: rebuild the scale tier with `make scale`"
    nb = executed.read(path)
    source = nbformat.read(paths.NOTEBOOKS / path.name, as_version=4)
    assert _code(nb) == _code(source), f"{path.name}: its code differs from the chapter's: rerun `make scale`"
    assert executed.run_parameters(nb) == {"profile": "chromosomes"}
    assert config.as_recorded_now(nb.metadata["dnabook"]["config"]) == config.resolve("chromosomes").as_dict()
    assert nb.metadata["papermill"]["duration"] > 0 and nb.metadata["dnabook"]["numerics"]["cpu"]
    assert any("tier-note" in c.metadata.get("tags", []) for c in nb.cells)
    commit = nb.metadata["dnabook"]["commit"]
    assert not commit.endswith("-dirty"), f"{path.name} ran uncommitted code ({commit})"
    known = subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=paths.REPO, check=False)
    assert known.returncode == 0, f"{path.name} ran commit {commit}, which is not in this history"


def test_output_dir_never_overwrites_a_committed_tier_with_another_run(monkeypatch):
    """A stray ``--output-dir notebooks`` (issue 22) is refused before anything runs, unless the run is that
    folder's own plain run."""
    from lib import errors

    ran = []
    monkeypatch.setattr(runner, "_execute", lambda nb, out, params, cfg, log_cells=False: ran.append(out))
    for profile, overrides, folder in (("smoke", {}, paths.NOTEBOOKS), ("default", {"max_len": 500}, paths.NOTEBOOKS),
                                       ("default", {}, paths.SCALE), ("chromosomes", {"seed": 1}, paths.SCALE)):
        with pytest.raises(errors.InputError, match="holds the committed .* tier, which only a plain"):
            runner.run(profile, ["01"], overrides, folder)
    assert ran == []


def test_the_recorded_commit_is_dirty_for_code_changes_only(tmp_path, monkeypatch):
    """A rerun that rewrites committed notebooks as it goes (a tier's in-place run) still names a clean commit;
    any other uncommitted change to a tracked file marks it ``-dirty``."""
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    for name in ("lib/code.py", "notebooks/01.ipynb", "notebooks/chromosomes/01.ipynb", "book/scorecard.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
    monkeypatch.setattr(paths, "REPO", tmp_path)
    clean = runner.source_commit()
    assert clean != "unknown" and not clean.endswith("-dirty")
    for name in ("notebooks/01.ipynb", "notebooks/chromosomes/01.ipynb", "book/scorecard.ipynb"):
        (tmp_path / name).write_text("2\n")
    (tmp_path / "notes.txt").write_text("untracked\n")
    assert runner.source_commit() == clean
    (tmp_path / "lib/code.py").write_text("2\n")
    assert runner.source_commit() == f"{clean}-dirty"


def test_figure_labels_are_unique_across_the_two_tiers():
    """Sphinx refuses a label defined twice: the tier's chapters carry their figures under ``chromosomes-``."""
    def labels(folder):
        return [line for path in sorted(folder.glob("*.ipynb")) for cell in executed.read(path).cells
                if cell.cell_type == "markdown" for line in cell.source.splitlines() if line.startswith(":name:")]

    ci, tier = labels(paths.NOTEBOOKS), labels(paths.SCALE)
    assert tier and len(set(tier)) == len(tier) and not set(ci) & set(tier)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("```{glue:figure} x\n:name: fig-x\n```")])
    runner.relabel(nb, "chromosomes")
    runner.relabel(nb, "chromosomes")
    assert nb.cells[0].source == "```{glue:figure} x\n:name: chromosomes-fig-x\n```"
