"""A rehearsal of the ``paper`` profile on a local mirror: ``python -m lib rehearse [--smoke] [--device D]``.

It builds the mirror of the downloads from the offline data (:mod:`lib.data.mirror`) into
``_build/rehearsal/mirror``, serves it on 127.0.0.1, and runs every chapter with ``--profile paper`` and
``DNABOOK_MIRROR`` pointing at the server, in a fresh cache ``_build/rehearsal/cache``: the downloads, the
publishers' checksums, the decompression and indexing of the genome, the data builds (the paper's 24 contigs
against a genome with 4: the missing ones are reported and skipped), training on the device chosen,
attribution, the CNN on the benchmark's archive and the scorecard in paper mode all really happen. The
executed notebooks go to ``_build/rehearsal/notebooks``; a summary (files fetched and verified, chapters and
their seconds, the scorecard's verdicts) is printed and written to ``_build/rehearsal/summary.json``.

Overrides of the ``paper`` preset (:data:`FULL`, :data:`SMOKE`): the full rehearsal shrinks epochs and seeds
(:data:`EPOCHS_AND_SEEDS`) and, beyond them, :data:`BEYOND_EPOCHS`: ``max_len`` 400 (paper 3,000),
``ae_latents`` 128/256 (paper 128/256/512), ``ig_n`` 40 (paper 2,000) and ``ig_max_steps`` 400 (paper 1,600).
Paper B's sizes stay the paper's: the mirror's archive is small (its test split holds about 130 sequences, so
the saliency samples are capped at those). Why (:data:`BEYOND_WHY`): at the paper's sizes chapters 02, 03 and 05
would each take hours on one CPU core even at one epoch. Measured at these sizes (two runs on 2 shared cores,
one thread): chapter 02 106-140 s, 03 288-334 s, 04 59-63 s, 05 503-588 s, the whole rehearsal about 19
minutes. With max_len 400 the slice keeps 352 of its 1,155 training introns; at 3,000 nt it would keep about
three quarters of them, with a mean length of about 870 nt against 170 (about 12 times the bases read), and an
LSTM's cost grows with the bases it reads and with the square of its latent size (512 in the paper's sweep). ``ae_latent`` stays the paper's 256, and the knobs that decide whether the
scorecard compares a claim (``source``, ``contigs``, ``gb_source``) are never changed, so its verdicts are
computed as comparable. The smoke rehearsal (``make test``: tests/test_rehearsal.py) shrinks model and sample
sizes too, to run in about 2-3 minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from lib import paths
from lib.book import runner
from lib.data import download, mirror

ROOT = paths.REPO / "_build" / "rehearsal"
MISSING_MARK = "are not in this genome and are skipped"  # lib.data.genome.missing_text

EPOCHS_AND_SEEDS: dict[str, Any] = {"ae_epochs": 1, "ae_addition_epochs": 1, "clf_epochs": 2, "patience": 1,
                                    "clf_seeds": [0, 1], "ig_seeds": 1, "cnn_epochs": 1, "cnn_seeds": 2}
# Beyond epochs and seeds, and why (the module docstring has the measured times).
BEYOND_WHY = ("on one CPU core the paper's sizes take hours even at one epoch: the autoencoders and classifiers "
              "run over every base of introns up to max_len 3,000 nt (cost grows with max_len and with the square "
              "of the latent size 512), and Integrated Gradients runs up to 1,600 steps for each of 2,000 "
              "sequences; ae_latent stays the paper's 256, source, contigs and gb_source stay the paper's")
SMOKE_WHY = "smoke: tiny sizes everywhere, for a test of a few minutes"
BEYOND_EPOCHS: dict[str, Any] = {"max_len": 400, "ae_latents": [128, 256], "ig_n": 40, "ig_max_steps": 400}
FULL: dict[str, Any] = {**EPOCHS_AND_SEEDS, **BEYOND_EPOCHS, "workers": 1}
SMOKE: dict[str, Any] = {**EPOCHS_AND_SEEDS, "workers": 1, "max_len": 300, "embed_dim": 8, "ae_latents": [8, 16],
                         "ae_latent": 16, "ig_n": 8, "ig_max_steps": 200, "ig_internal_batch": 256,
                         "saliency_n": 40, "saliency_per_class": 10, "saliency_compare_n": 8, "saliency_ig_steps": 8,
                         "saliency_smoothgrad_samples": 4}


def rehearse(smoke: bool = False, device: str = "auto", root: Path = ROOT) -> dict[str, Any]:
    """Run the rehearsal into ``root`` (its cache and notebooks start empty; the mirror is rebuilt) and return
    the summary that it also writes to ``root/summary.json``."""
    start = time.perf_counter()
    overrides = {**(SMOKE if smoke else FULL), "device": device}
    for name in ("cache", "notebooks"):
        shutil.rmtree(root / name, ignore_errors=True)
    built = mirror.build(root / "mirror")
    url, stop = mirror.serve(root / "mirror")
    saved = {k: os.environ.get(k) for k in ("DNABOOK_MIRROR", "DNABOOK_CACHE", "PYTHONPATH")}
    # the kernels import this checkout's lib, whatever an installed copy says
    pythonpath = os.pathsep.join(p for p in (str(paths.REPO), saved["PYTHONPATH"]) if p)
    os.environ.update(DNABOOK_MIRROR=url, DNABOOK_CACHE=str(root / "cache"), PYTHONPATH=pythonpath)
    chapters = {}
    try:
        for notebook in runner.chapters():
            began = time.perf_counter()
            runner.run("paper", [notebook.name[:2]], overrides, root / "notebooks")
            chapters[notebook.stem] = round(time.perf_counter() - began, 1)
        summary = _summary(root, overrides, smoke, built, chapters)
    finally:
        stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value
    summary["total seconds"] = round(time.perf_counter() - start, 1)
    (root / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _summary(root: Path, overrides: dict, smoke: bool, built: list[Path], chapters: dict) -> dict[str, Any]:
    from lib.book import scorecard

    downloads = root / "cache" / "downloads"
    recorded = json.loads((downloads / download.CHECKSUMS).read_text())
    files = []
    for remote in download.REGISTRY.values():
        path = downloads / remote.filename
        listed = download.PARSERS[remote.checksums_kind](download.listing_path(downloads, remote).read_text())
        got = mirror.md5(path)
        files.append({"file": remote.filename, "bytes": path.stat().st_size, "md5": got,
                      "listing": remote.checksums, "md5 verified": got == listed.get(remote.filename),
                      "sha256 recorded": remote.filename in recorded})
    frame = scorecard.table(root / "notebooks")
    comparable = frame[frame["verdict"] != scorecard.NOT_COMPARABLE]
    return {
        "kind": "smoke" if smoke else "full", "profile": "paper", "overrides": overrides,
        "shrunk beyond epochs and seeds": {k: v for k, v in overrides.items()
                                           if k not in EPOCHS_AND_SEEDS and k not in ("device", "workers")},
        "why": SMOKE_WHY if smoke else BEYOND_WHY,
        "mirror": [str(p.relative_to(root / "mirror")) for p in built], "files": files,
        "missing contigs": _missing_reports(root / "notebooks"), "chapter seconds": chapters,
        "scorecard verdicts": frame["verdict"].value_counts().to_dict(),
        "comparable rows": comparable[["paper", "claim", "this book", "verdict"]].to_dict("records"),
    }


def _missing_reports(folder: Path) -> dict[str, str]:
    """Chapter -> the line its output printed about contigs the genome lacks (chapters 00 and 01)."""
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                for line in "".join(output.get("text", "")).splitlines():
                    if MISSING_MARK in line:
                        found.setdefault(path.stem, line)
    return found


def describe(summary: dict[str, Any]) -> str:
    """The summary as text, for the terminal."""
    shrunk = json.dumps(summary["shrunk beyond epochs and seeds"])
    lines = [f"rehearsal ({summary['kind']}) of the paper profile, overrides: {json.dumps(summary['overrides'])}",
             f"shrunk beyond epochs and seeds: {shrunk} ({summary['why']})", "files:"]
    lines += [f"  {f['file']:<42} {f['bytes']:>10,} bytes  md5 {f['md5']} "
              f"{'verified' if f['md5 verified'] else 'NOT VERIFIED'} against {f['listing']}" for f in summary["files"]]
    lines += ["missing contigs:"] + [f"  {k}: {v}" for k, v in summary["missing contigs"].items()]
    lines += ["chapters:"] + [f"  {k:<32} {v:>8.1f} s" for k, v in summary["chapter seconds"].items()]
    lines += [f"scorecard verdicts: {json.dumps(summary['scorecard verdicts'])}", "comparable rows:"]
    lines += [f"  paper {r['paper']}, {r['claim']}: {r['this book']} -> {r['verdict']}"
              for r in summary["comparable rows"]]
    lines.append(f"total: {summary.get('total seconds', 0):.1f} s")
    return "\n".join(lines)
