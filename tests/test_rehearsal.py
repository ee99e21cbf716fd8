"""The smoke rehearsal of the ``paper`` profile on a local mirror, end to end (a few minutes)."""

from __future__ import annotations

import json

from lib.book import rehearsal, scorecard
from lib.book.runner import chapters
from lib.data import download


def test_smoke_rehearsal_runs_every_chapter_on_the_mirror(tmp_path):
    summary = rehearsal.rehearse(smoke=True, device="cpu", root=tmp_path)

    assert json.loads((tmp_path / "summary.json").read_text()) == summary
    files = {f["file"]: f for f in summary["files"]}
    assert sorted(files) == sorted(r.filename for r in download.REGISTRY.values())
    assert all(f["md5 verified"] and f["sha256 recorded"] and f["bytes"] > 0 for f in files.values())
    assert list(summary["chapter seconds"]) == [nb.stem for nb in chapters()]
    assert all((tmp_path / "notebooks" / f"{nb.stem}.ipynb").exists() for nb in chapters())
    assert summary["comparable rows"] and all(r["verdict"] != scorecard.NOT_COMPARABLE
                                              for r in summary["comparable rows"])
    assert sum(summary["scorecard verdicts"].values()) == len(scorecard.table(tmp_path / "notebooks"))
    for chapter in ("00_genome_and_annotations", "01_splice_junctions"):  # the paper's 24 contigs, the genome's 4
        report = summary["missing contigs"][chapter]
        assert report.startswith("20 of the 24 contigs asked for are not in this genome and are skipped: chr1,")
        assert report.endswith("using chr2, chr9, chr17, chr20")
