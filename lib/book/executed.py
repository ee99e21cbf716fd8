"""Reading what an executed notebook recorded: its myst-nb glue values and papermill's run metadata.

The book's summary pages (the scorecard and the execution statistics) are built from the committed chapter
notebooks through these functions, so every value they show was computed by a chapter, never typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from lib.book import config

GLUE_MIME = "application/papermill.record/text/plain"


def read(notebook: Path) -> nbformat.NotebookNode:
    """The notebook at ``notebook`` (nbformat 4)."""
    return nbformat.read(notebook, as_version=4)


def glued(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Every value the notebook glued (``myst_nb.glue``), key -> its text/plain form, as the book renders it."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and GLUE_MIME in output.get("data", {}):
                values[name] = output["data"][GLUE_MIME]
    return values


def title(nb: nbformat.NotebookNode) -> str:
    """The text of the notebook's first level-1 heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("the notebook has no level-1 heading")


def run_parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The parameters papermill injected when the notebook was executed (``profile`` and any overrides).

    Raises ``ValueError`` for a notebook that papermill has not executed."""
    meta = nb.metadata.get("papermill")
    if not meta or "parameters" not in meta:
        raise ValueError("the notebook carries no papermill metadata: execute it with `python -m lib run`")
    return dict(meta["parameters"])


def resolved(nb: nbformat.NotebookNode) -> config.Config:
    """The whole configuration the notebook ran with: its preset with the injected overrides applied."""
    params = run_parameters(nb)
    return config.resolve(params.pop("profile"), params.pop("overrides", None) or {})


def profile_label(nb: nbformat.NotebookNode) -> str:
    """``default``, or ``paper (max_len=500)`` when the run overrode parameters; ``-`` for a notebook that
    takes no profile (a summary page)."""
    params = run_parameters(nb)
    profile = params.pop("profile", "-")
    overrides = {**(params.pop("overrides", None) or {}), **params}
    return f"{profile} ({', '.join(f'{k}={v}' for k, v in overrides.items())})" if overrides else profile


def execution_table(notebooks: list[Path], root: Path) -> pd.DataFrame:
    """One row per executed notebook: its title, path (relative to ``root``), profile, papermill's start time
    (UTC, to the minute), run time in seconds, the numerics and CPU that produced it and the commit of the code
    (``metadata.dnabook``, written by :mod:`lib.book.runner`; ``-`` where not recorded), in the order given."""
    rows = []
    for path in notebooks:
        nb = read(path)
        meta = nb.metadata["papermill"]
        rows.append({"page": title(nb), "notebook": path.relative_to(root).as_posix(),
                     "profile": profile_label(nb), "started (UTC)": meta["start_time"][:16].replace("T", " "),
                     "seconds": float(meta["duration"]), "numerics": numerics_label(nb),
                     "commit": nb.metadata.get("dnabook", {}).get("commit", "-")})
    return pd.DataFrame(rows)


def numerics_label(nb: nbformat.NotebookNode) -> str:
    """``pinned on AMD EPYC (torch AVX2, 2 threads, oneDNN off)``, from the run's recorded numerics; ``-`` if
    none were recorded."""
    n = nb.metadata.get("dnabook", {}).get("numerics")
    if not n:
        return "-"
    return (f"{n['mode']} on {n['cpu']} (torch {n['capability']}, {n['threads']} threads, "
            f"oneDNN {'on' if n['onednn'] else 'off'}, MKL {n['mkl_cbwr']})")


def markdown_table(frame: pd.DataFrame) -> str:
    """``frame`` as a Markdown table (rendered as MyST by the book), with ``|`` in cells escaped."""
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(map(cell, frame.columns)) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)
