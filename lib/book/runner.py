"""Running the chapters in order with papermill: ``python -m lib run [--profile P] [--only NN] [-p k=v]``.

The committed notebooks carry two tiers (:data:`lib.paths.COMMITTED`): ``notebooks/`` the ``default`` profile's
outputs on the slice (the CI tier), ``notebooks/chromosomes/`` the ``chromosomes`` profile's chapters 00-05 and
10-11 on the chromosome-scale data (the scale tier: hours on 2 cores, ``make scale``). Only a plain run of one of
these profiles, without overrides, writes its tier in place; any other run writes its executed copies to
``_build/runs/<profile>/`` (or ``--output-dir``). An in-place run then refreshes the book's summary pages
(:data:`PAGES`: the scorecard, the comparison of the tiers and the execution statistics), which read the
committed chapters; ``python -m lib pages`` refreshes them alone.

Every executed notebook records the numerics it ran with (``metadata.dnabook.numerics``, see
:mod:`lib.numerics`). Each chapter ends with a regression check (:mod:`lib.book.regression`) against the committed
values of its tier; an in-place run first saves them to ``_build/reference/<profile>`` and checks against those.
``python -m lib numerics-check`` reruns the chapters as another machine would and compares every glued value.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lib import errors, numerics, paths
from lib.book import config

# The chapters a tier profile runs (the rest of the book does not change with its data); others run every chapter.
TIER_CHAPTERS = {"chromosomes": ("00", "01", "02", "03", "04", "05", "10", "11")}

# The book's summary pages, executed after the chapters in this order: each reads the committed chapter
# notebooks (the execution statistics also read the scorecard's run time, so they come last).
PAGES = ("book/scorecard.ipynb", "book/scale_tier.ipynb", "book/execution_statistics.ipynb")


def chapters(only: list[str] | None = None) -> list[Path]:
    """The chapter notebooks ``notebooks/NN_*.ipynb`` in order, restricted to the numbers in ``only``."""
    found = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return found
    wanted = {n.zfill(2) for item in only for n in item.split(",") if n}
    chosen = [p for p in found if p.name[:2] in wanted]
    missing = wanted - {p.name[:2] for p in chosen}
    if missing:
        known = ", ".join(p.name[:2] for p in found)
        raise SystemExit(f"error: no chapter numbered {', '.join(sorted(missing))}; chapters: {known}")
    return chosen


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``["max_len=500", "contigs=[chr1, chr2]"]`` -> ``{"max_len": 500, "contigs": ["chr1", "chr2"]}``.

    Each value is read by its knob's kind, strictly (:func:`lib.book.config.from_text`: decimal integers, decimal
    or scientific numbers, true/false, null only where it has a meaning, lists in brackets); an unknown knob keeps
    its text for :func:`lib.book.config.resolve` to report, which also checks bounds and choices. Raises
    ``SystemExit`` (one line) for a pair without ``=`` or a malformed value."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SystemExit(f"error: -p expects key=value, got {pair!r}")
        try:
            out[key] = config.from_text(key, value)
        except config.ConfigError as error:
            raise SystemExit(f"error: {error}") from None
    return out


# What the runs themselves write in the checkout: the tiers' executed chapters and the summary pages. A change
# to them alone leaves the code that ran at its commit (a chapter's code is in its executed notebook).
RUN_OUTPUTS = ("notebooks/*.ipynb", "book/*.ipynb")


@contextlib.contextmanager
def _environment(settings: dict[str, str]):
    """Set the environment variables ``settings`` for the duration of the block, then restore the previous ones."""
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def source_commit() -> str:
    """The commit of the code that ran (``git describe --always``), with ``-dirty`` where a tracked file other
    than :data:`RUN_OUTPUTS` differs from it (so that a tier's second in-place run, which rewrites its committed
    notebooks as it goes, still names a clean commit); ``unknown`` outside a checkout."""
    try:
        commit = _git("describe", "--always")
        changed = _git("status", "--porcelain", "--untracked-files=no", "--", ".",
                       *(f":(exclude){pattern}" for pattern in RUN_OUTPUTS))
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}-dirty" if changed else commit


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=paths.REPO, capture_output=True, text=True, check=True).stdout.strip()


def _finish_metadata(notebook: Path, cfg: config.Config | None) -> None:
    """Replace papermill's absolute input/output paths in the notebook metadata by repo-relative ones (committed
    notebooks carry no machine-local paths) and record the numerics and the whole resolved configuration the run
    used (``metadata.dnabook``; a summary page has no configuration)."""
    import nbformat

    import lib.device  # noqa: F401  (configures torch as the kernels did, so describe() reports it)

    nb = nbformat.read(notebook, as_version=4)
    meta = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = paths.display(meta[key]).removeprefix("$REPO/")
    nb.metadata["dnabook"] = {"numerics": numerics.describe(), "commit": source_commit(),
                              **({"config": cfg.as_dict()} if cfg else {})}
    nbformat.write(nb, notebook)


def _execute(notebook: Path, out: Path, parameters: dict[str, Any], cfg: config.Config | None = None,
             log_cells: bool = False) -> None:
    """Run ``notebook`` with papermill into ``out``; ``log_cells`` prints every cell's text output as it comes
    (the progress of a long run, for its log)."""
    import papermill

    if log_cells:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout, force=True)
    from traitlets.config import Config

    # The kernel talks over IPC sockets in a private folder, not TCP: nothing else on the machine can listen, and
    # ipykernel prints no warning about unencrypted TCP for every chapter.
    with tempfile.TemporaryDirectory(prefix="dnabook-kernel-") as sockets:
        papermill.execute_notebook(
            str(notebook), str(out), parameters=parameters, kernel_name="python3", cwd=str(notebook.parent),
            progress_bar=sys.stderr.isatty() and not log_cells, request_save_on_cell_execute=False,
            log_output=log_cells, config=Config({"KernelManager": {"transport": "ipc",
                                                                   "ip": os.path.join(sockets, "kernel")}}),
        )
    _finish_metadata(out, cfg)


# The note the runner puts under the title of a tier's chapters (keys: profiles of paths.COMMITTED but default).
TIER_NOTES = {
    "chromosomes": "This is the chapter's **scale tier**: the `chromosomes` profile, `default`'s settings on the "
                   "92 Mb chromosome set (chr21 and chr22 whole and pieces of six other chromosomes). The same "
                   "chapter on the 9.5 Mb slice, which CI reruns, is [here](../{name}). This run's time, machine, "
                   "numerics and code commit are on the execution-statistics page; `make scale` rebuilds it.",
}


def _mark_tier(notebook: Path, profile: str) -> None:
    """Put :data:`TIER_NOTES`' note for ``profile`` under the title (the first cell) of an executed chapter."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    note = nbformat.v4.new_markdown_cell(TIER_NOTES[profile].format(name=notebook.name))
    note.metadata["tags"] = ["tier-note"]
    nb.cells.insert(1, note)
    relabel(nb, profile)
    nbformat.write(nb, notebook)


def relabel(nb, profile: str) -> None:
    """Prefix the figure labels (``:name: fig-...``) of a tier's executed chapter ``nb`` with ``profile-``, in
    place: the book holds both tiers' chapters, and Sphinx refuses a label defined twice."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"^(:name:\s*)(?!" + re.escape(profile) + r"-)(\S+)", rf"\g<1>{profile}-\2",
                                 cell.source, flags=re.MULTILINE)


def run_pages() -> list[Path]:
    """Execute the summary pages (:data:`PAGES`) in place; returns their paths."""
    written = []
    for name in PAGES:
        page = paths.REPO / name
        start = time.perf_counter()
        _execute(page, page, {})
        print(f"== {name}  done in {time.perf_counter() - start:.1f} s")
        written.append(page)
    return written


def check_inputs(cfg: config.Config) -> None:
    """Checks that need this machine or the data, made before any chapter starts: the device asked for exists
    (``device=cuda``, or ``DNABOOK_DEVICE=cuda...`` under ``device=auto``, needs a CUDA device that torch sees),
    and every contig asked for exists in the offline genome. A downloaded source is not checked here: chapters
    00-01 report the contigs its genome lacks and skip them (:meth:`lib.data.genome.Genome.choose`). Raises
    ``SystemExit`` (one line)."""
    import torch

    asked = os.environ.get("DNABOOK_DEVICE", "auto") if cfg.device == "auto" else cfg.device
    if asked.startswith("cuda") and not torch.cuda.is_available():
        if cfg.device == "cuda":
            raise SystemExit("error: device=cuda: torch sees no CUDA device on this machine; use device=cpu, or "
                             "device=auto (CUDA where there is one)")
        raise SystemExit(f"error: DNABOOK_DEVICE={asked} (device=auto): torch sees no CUDA device on this machine; "
                         "unset DNABOOK_DEVICE or set it to cpu")
    if cfg.source == "gencode" or cfg.gb_source == "archive":  # downloads: a bad DNABOOK_MIRROR fails here
        from lib.data import download

        download.mirror_base()
    if cfg.contigs is None or cfg.source == "gencode":
        return
    from lib.data import genome, sources

    known = genome.Genome(sources.of(cfg).genome).lengths
    missing = [c for c in cfg.contigs if c not in known and f"chr{c}" not in known]
    if missing:
        raise SystemExit(f"error: contigs={list(cfg.contigs)}: {', '.join(missing)} not in the {cfg.source} genome; "
                         f"it has: {', '.join(known)}")


def run(profile: str, only: list[str] | None, overrides: dict[str, Any], output_dir: Path | None,
        accept_changes: bool = False, dry_run: bool = False, log_cells: bool = False) -> list[Path]:
    """Execute the chosen chapters (then, for an in-place run, the summary pages); returns the paths of the
    executed chapters. Every chapter receives the same ``profile`` and ``overrides`` and resolves the same
    configuration, checked here before anything runs. ``dry_run`` prints the configuration and the chapters,
    runs nothing and returns ``[]``. A chapter whose results moved beyond the stated tolerances fails its
    regression check unless ``accept_changes`` (see :mod:`lib.book.regression`)."""
    try:
        cfg = config.resolve(profile, overrides)
    except config.ConfigError as error:
        raise SystemExit(f"error: {error}") from None
    selected = chapters(only)
    if not selected:
        raise SystemExit("error: no chapter notebooks found in notebooks/")
    committed = {folder.resolve(): name for name, folder in paths.COMMITTED.items()}
    tier = committed.get(output_dir.resolve()) if output_dir is not None else None
    if tier is not None and (tier != profile or overrides):
        raise errors.InputError(f"--output-dir {output_dir}: that folder holds the committed {tier} tier, which only "
                                f"a plain `python -m lib run --profile {tier}` writes; choose another folder")
    in_place = (output_dir is None or tier is not None) and profile in paths.COMMITTED and not overrides
    if profile in TIER_CHAPTERS:
        selected = [nb for nb in selected if nb.name[:2] in TIER_CHAPTERS[profile]]
    target = paths.COMMITTED[profile] if in_place else (output_dir or paths.REPO / "_build" / "runs" / profile)
    if dry_run:
        print(config.describe(cfg))
        print(f"chapters: {', '.join(nb.stem for nb in selected)}")
        print(f"executed notebooks would go to {paths.display(target)}"
              + ("; then the summary pages" if in_place else ""))
        return []
    check_inputs(cfg)
    target.mkdir(parents=True, exist_ok=True)
    settings = {}
    if in_place:  # the committed notebooks are about to be overwritten: keep them as the regression reference
        reference = paths.REPO / "_build" / "reference" / profile
        shutil.rmtree(reference, ignore_errors=True)
        reference.mkdir(parents=True)
        for nb in selected:
            if (target / nb.name).exists():
                shutil.copy2(target / nb.name, reference / nb.name)
        settings["DNABOOK_REFERENCE_DIR"] = str(reference)
    if accept_changes:
        settings["DNABOOK_ACCEPT_CHANGES"] = "1"
    params = {"profile": profile, **({"overrides": overrides} if overrides else {})}
    written = []
    with _environment(settings):  # the chapters' kernels inherit these; the caller's environment comes back after
        for nb in selected:
            out = target / nb.name
            print(f"== {nb.name}  profile={profile}  {json.dumps(overrides) if overrides else ''}", flush=True)
            start = time.perf_counter()
            try:
                _execute(nb, out, params, cfg, log_cells)
            except Exception as error:  # papermill's PapermillExecutionError: a cell raised in the chapter's kernel
                if getattr(error, "ename", None) not in errors.NAMES:
                    raise
                raise errors.InputError(f"chapter {nb.stem}: {error.evalue} (executed notebook with the traceback: "
                                        f"{paths.display(out)})") from None
            if in_place and profile in TIER_NOTES:
                _mark_tier(out, profile)
            print(f"   done in {time.perf_counter() - start:.1f} s -> {paths.display(out)}", flush=True)
            written.append(out)
        if in_place:
            run_pages()
    return written


# Settings that make this machine compute like another, for ``numerics-check``: name -> (environment, CPU cores
# the run may use). ``native`` lets every library pick its own kernels for this CPU (oneDNN on, AVX-512, MKL's
# automatic branch): the weights differ in their last bits, but on an AMD EPYC no glued value of chapters 02-04
# moved. ``scalar`` is native with torch's scalar kernels (no SIMD), which moves the autoencoder as far as another
# CPU vendor does (chapter 02: the latent-64 loss by 0.004, the variant choice flips). ``one-thread`` keeps the
# pinned kernels but sums on one thread, which reorders every parallel reduction (it moves the CNN; paper A's
# models train on one thread anyway). None may move a result beyond the book's tolerances or change a verdict.
OTHER_MACHINES: dict[str, tuple[dict[str, str], int | None]] = {
    "native": ({"DNABOOK_NUMERICS": "native"}, None),
    "scalar": ({"DNABOOK_NUMERICS": "native", "ATEN_CPU_CAPABILITY": "default"}, None),
    "one-thread": ({"DNABOOK_THREADS": "1"}, None),
    "other-cpu": ({"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "AUTO", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
                   "ONEDNN_MAX_CPU_ISA": "SSE41", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}, None),
    "one-core": ({}, 1),  # slow: two threads share one core
}
DEFAULT_MACHINES = ("native", "one-thread")
FAILING = ("changed", "missing", "new")


def numerics_check(profile: str, only: list[str] | None, machines: list[str]) -> int:
    """Run the chapters once per emulated machine (:data:`OTHER_MACHINES`), each with an empty cache under
    ``_build/numerics/<name>``, compare every glued value with the committed notebooks within the book's
    tolerances (:func:`lib.book.regression.compare`) and every scorecard verdict exactly. Prints, per chapter,
    how many values moved and the largest move against its tolerance, writes ``summary.json`` beside the
    notebooks and returns the number of failures (values beyond tolerance, verdicts that changed)."""
    config.resolve(profile, {})  # a bad profile fails here, before anything is deleted
    selected = chapters(only)
    failures = 0
    for name in machines:
        env, cores = OTHER_MACHINES[name]
        folder = paths.REPO / "_build" / "numerics" / name
        shutil.rmtree(folder, ignore_errors=True)
        command = [sys.executable, "-m", "lib", "run", "--profile", profile, "--output-dir", str(folder / "notebooks"),
                   "--accept-changes", *(f"--only={nb.name[:2]}" for nb in selected)]
        affinity = (lambda n=cores: os.sched_setaffinity(0, set(range(n)))) if cores else None
        print(f"== {name}: {' '.join(f'{k}={v}' for k, v in env.items())}"
              f"{f', {cores} core(s)' if cores else ''}", flush=True)
        start = time.perf_counter()
        subprocess.run(command, env={**os.environ, **env, "DNABOOK_CACHE": str(folder / "cache")},
                       preexec_fn=affinity, check=True)
        summary = compare_runs(folder / "notebooks")
        summary["minutes"] = round((time.perf_counter() - start) / 60, 1)
        summary["environment"] = env
        (folder / "summary.json").write_text(json.dumps(summary, indent=1))
        failures += summary["failures"]
        print(describe_comparison(name, summary), flush=True)
    return failures


def compare_runs(fresh_folder: Path) -> dict[str, Any]:
    """Every chapter notebook in ``fresh_folder`` against the committed one (glued values within tolerance) and
    the scorecard of the fresh chapters (the committed ones where a chapter was not rerun) against the committed
    scorecard. Returns ``{"chapters": {stem: {values, moved, changed, choices, largest_move, worst}}, "verdicts":
    [claims whose verdict changed], "failures": count}``."""
    from lib.book import executed, regression, scorecard

    out: dict[str, Any] = {"chapters": {}, "verdicts": []}
    failures = 0
    for fresh in sorted(fresh_folder.glob("[0-9][0-9]_*.ipynb")):
        table = regression.compare(fresh.stem, executed.glued(executed.read(paths.NOTEBOOKS / fresh.name)),
                                   executed.glued(executed.read(fresh)))
        moved = table[table["status"] != "identical"]
        compared = table[table["status"].isin(["within tolerance", "changed"])]
        worst = compared.loc[compared["move"].fillna(float("inf")).idxmax()] if len(compared) else None
        bad = table[table["status"].isin(FAILING)]
        failures += len(bad)
        out["chapters"][fresh.stem] = {
            "values": len(table), "moved": len(moved),
            "statuses": {k: int(v) for k, v in table["status"].value_counts().items()},
            "largest_move": None if worst is None else float(worst["move"]),
            "worst": None if worst is None else f"{worst['name']}: {worst['committed']} -> {worst['fresh']}",
            "choices": {r.name: [r.committed, r.fresh] for r in table[table["status"] == "choice differs"].itertuples()},
            "failed": {r.name: [r.committed, r.fresh, r.why] for r in bad.itertuples()}}
    with tempfile.TemporaryDirectory() as merged:
        for nb in chapters():
            rerun = fresh_folder / nb.name
            shutil.copy2(rerun if rerun.exists() else nb, Path(merged) / nb.name)
        ours, theirs = scorecard.table(paths.NOTEBOOKS), scorecard.table(Path(merged))
    for (_, a), (_, b) in zip(ours.iterrows(), theirs.iterrows()):
        if a["verdict"] != b["verdict"]:
            out["verdicts"].append(f"paper {a['paper']}, {a['claim']}: {a['verdict']} -> {b['verdict']}")
    failures += len(out["verdicts"])
    out["failures"] = failures
    return out


def describe_comparison(name: str, summary: dict[str, Any]) -> str:
    """A few lines per chapter of :func:`compare_runs`' summary."""
    lines = [f"numerics-check {name}: {summary['failures']} failure(s)"]
    for stem, c in summary["chapters"].items():
        move = "n/a" if c["largest_move"] is None else f"{c['largest_move']:.2f} of its tolerance ({c['worst']})"
        lines.append(f"   {stem}: {c['moved']} of {c['values']} glued values moved; largest move {move}")
        lines += [f"      choice {k}: {a} -> {b}" for k, (a, b) in c["choices"].items()]
        lines += [f"      FAILED {k}: {a} -> {b} ({why})" for k, (a, b, why) in c["failed"].items()]
    lines.append("   scorecard verdicts: " + ("; ".join(summary["verdicts"]) if summary["verdicts"] else "all unchanged"))
    return "\n".join(lines)


def _mirror(action: str, folder: Path, port: int) -> int:
    """``python -m lib mirror build|serve FOLDER``."""
    from lib.data import mirror

    if action == "build":
        for path in mirror.build(folder):
            print(f"{path}  {path.stat().st_size:,} bytes")
        return 0
    url, stop = mirror.serve(folder, port)
    print(f"serving {folder} at {url}; use it with DNABOOK_MIRROR={url} (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m lib`` and the ``dnabook`` script: a user-facing failure (:class:`lib.errors.InputError`) is one
    line on stderr and exit status 2 (:func:`lib.errors.exit_with`; ``DNABOOK_DEBUG=1`` shows the traceback)."""
    try:
        return _command(argv)
    except errors.InputError as error:
        errors.exit_with(error)
    return 2


def _command(argv: list[str] | None) -> int:
    prog = "dnabook" if Path(sys.argv[0]).name == "dnabook" else "python -m lib"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="execute chapters in order with papermill")
    r.add_argument("--profile", default="default", help=f"one of: {', '.join(config.PRESETS)} (default: default)")
    r.add_argument("--only", action="append", metavar="NN", help="chapter number(s), e.g. --only 00 or --only 01,02")
    r.add_argument("-p", "--parameter", action="append", default=[], metavar="KNOB=VALUE",
                   help="override a knob: a decimal number, true/false, null where allowed, a [list] (see `python -m lib config`)")
    r.add_argument("--dry-run", action="store_true", help="print the resolved configuration and the chapters, "
                   "run nothing")
    r.add_argument("--output-dir", type=Path, help="where executed notebooks go (default: in place for a plain "
                   "default run, else _build/runs/<profile>)")
    r.add_argument("--log-cells", action="store_true", help="print every cell's text output as it runs (the "
                   "progress of a long run, for its log)")
    r.add_argument("--accept-changes", action="store_true", help="results that moved beyond the stated "
                   "tolerances do not fail the chapters' regression checks (a deliberate change)")
    n = sub.add_parser("numerics-check", help="rerun the chapters as other machines would (empty caches) and "
                       "compare every glued value with the committed notebooks")
    n.add_argument("--profile", default="default")
    n.add_argument("--only", action="append", metavar="NN", help="chapter number(s)")
    n.add_argument("--machine", action="append", choices=list(OTHER_MACHINES), help="emulated machine(s) "
                   f"(default: {', '.join(DEFAULT_MACHINES)})")
    c = sub.add_parser("config", help="print a resolved configuration: every knob, its section and meaning")
    c.add_argument("--profile", default="default", help=f"one of: {', '.join(config.PRESETS)}")
    c.add_argument("-p", "--parameter", action="append", default=[], metavar="KNOB=VALUE")
    sub.add_parser("pages", help="refresh the summary pages (scorecard, execution statistics) from the chapters")
    s = sub.add_parser("search", help="rerun a validation-only search of a training recipe: chapter 03's of paper "
                       "A's classifiers (notebooks/results/recipe_search.csv) or chapter 10's of paper B's CNN "
                       "(--model cnn: notebooks/results/cnn_recipe_search.csv)")
    s.add_argument("--model", choices=("classifiers", "cnn"), default="classifiers")
    s.add_argument("--profile", default="default", help=f"one of: {', '.join(config.PRESETS)}")
    s.add_argument("-p", "--parameter", action="append", default=[], metavar="KNOB=VALUE")
    m = sub.add_parser("mirror", help="build a local mirror of the downloads from the offline data, or serve one "
                       "on 127.0.0.1 (lib/data/mirror.py)")
    m.add_argument("action", choices=("build", "serve"))
    m.add_argument("folder", type=Path)
    m.add_argument("--port", type=int, default=0, help="serve: the port (default: any free one)")
    h = sub.add_parser("rehearse", help="run every chapter with the paper profile against a local mirror, in a "
                       "fresh cache under _build/rehearsal (lib/book/rehearsal.py)")
    h.add_argument("--smoke", action="store_true", help="tiny sizes: a few minutes")
    h.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    args = parser.parse_args(argv)
    if args.command == "mirror":
        return _mirror(args.action, args.folder, args.port)
    if args.command == "rehearse":
        from lib.book import rehearsal

        print(rehearsal.describe(rehearsal.rehearse(args.smoke, args.device)))
        return 0
    if args.command == "search":
        P = config.resolve(args.profile, parse_overrides(args.parameter))
        check_inputs(P)  # before anything trains
        if args.model == "cnn":  # torch loads only for the commands that train
            from lib.coding import dataset, search

            data = dataset.load(P.gb_source, block_nt=P.gb_block_nt, seed=P.seed, max_per_class=P.gb_max_per_class)
            results = search.run(P, data)
        else:
            from lib.splicing import experiments, search

            results = search.run(P, experiments.classifier_data(P))
        print(results.to_string())
        print(f"written: {search.save(results)}")
        return 0
    if args.command == "config":
        print(config.describe(config.resolve(args.profile, parse_overrides(args.parameter))))
        return 0
    if args.command == "pages":
        run_pages()
        return 0
    if args.command == "numerics-check":
        try:
            return 1 if numerics_check(args.profile, args.only, args.machine or list(DEFAULT_MACHINES)) else 0
        except config.ConfigError as error:
            raise SystemExit(f"error: {error}") from None
    run(args.profile, args.only, parse_overrides(args.parameter), args.output_dir, args.accept_changes, args.dry_run,
        args.log_cells)
    return 0
