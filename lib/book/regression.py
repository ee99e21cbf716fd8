"""Regression checks: a rerun's glued values against the committed notebook's, within stated tolerances.

Chapters glue their results with :func:`glue` (myst-nb's glue, which also remembers the value in this
kernel). The chapter's last cell calls :func:`check`, which compares every remembered value with the value the
reference notebook glued under the same name: by default the committed notebook; during an in-place
``python -m lib run`` the copy the runner saved before overwriting it (``DNABOOK_REFERENCE_DIR``). nbval runs
the same cell, so ``make test`` fails when a result moved.

A value is compared as text: the numbers in it (``66.6%``, ``{'mean': 61.08, ...}``) one by one, everything
else exactly. Each number must lie within the tolerance of its value's name (:data:`TOLERANCES`, first
matching pattern wins; exact if none matches). With pinned numerics (:mod:`lib.numerics`) a rerun on the
same machine is identical, and so is everything computed without training on any machine; a trained model
still moves between CPU vendors about as far as between seeds (measured: AMD EPYC against Intel Xeon), so the
tolerances of trained results are sized to the seed-to-seed spread, and are printed on the
execution-statistics page.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lib import numerics, paths
from lib.book import executed

RECORDED: dict[str, Any] = {}  # name -> value glued in this kernel, in order
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


# A number that states a spread over seeds, not a result: after "'sd': " in a record, or a confidence bound
# ("95% CI -6.1 to +7.3"). On three seeds these swing by more than the results they qualify (measured: a CI
# bound moved by 12 points between two CPUs while its mean moved by 1.4), so a tolerance may leave them out.
SPREAD = re.compile(r"(?:'sd': |CI |\d to )$")


@dataclass(frozen=True)
class Tolerance:
    """``|fresh - committed| <= absolute + relative * |committed|`` for every number of a value; ``None``
    for both: the value is not compared (timings). ``spreads=False``: numbers that state a spread over seeds
    (:data:`SPREAD`: standard deviations, confidence bounds) are not compared, only the results they qualify."""

    absolute: float | None
    relative: float | None
    why: str
    spreads: bool = True

    def admits(self, committed: float, fresh: float) -> bool:
        if self.absolute is None:
            return True
        return abs(fresh - committed) <= self.absolute + self.relative * abs(committed)


EXACT = Tolerance(0.0, 0.0, "data, design and anything not listed: computed without training, identical on every "
                            "machine")
NOT_COMPARED = Tolerance(None, None, "a run time or throughput: depends on the machine")
TOLERANCES: list[tuple[str, Tolerance]] = [
    # "<chapter stem>:<glue name>" (fnmatch patterns); the first match wins
    ("*:*seconds", NOT_COMPARED),
    ("*:train_rate", NOT_COMPARED),
    ("02_*:ae_best_latent", Tolerance(None, None, "the order of the latent sizes lies within the seed spread "
                                                  "(chapter 02 says so); their losses are compared")),
    ("02_*:ae_variant", Tolerance(None, None, "which autoencoder variant has the lowest held-out loss: compared "
                                              "through the variants' losses and accuracies")),
    ("02_*:ae_region_*", Tolerance(2.0, 0.0, "reconstruction accuracy of a region of the sequence (%): 2 points")),
    ("02_*:ae_variant_acc", Tolerance(2.0, 0.0, "reconstruction accuracy of the chosen variant (%): 2 points")),
    ("02_*:*acc*", Tolerance(0.5, 0.0, "reconstruction accuracy (%): 0.5 points")),
    ("02_*:*", Tolerance(0.005, 0.0, "autoencoder losses (nats/base): 0.005. Another CPU vendor moves them like "
                                     "another seed does (pinned runs on AMD EPYC and Intel Xeon differ by up to "
                                     "0.004; seed sd 0.0005-0.0015), so only a larger change fails")),
    ("03_*:baseline_*", EXACT),
    ("03_*:control_acc*", EXACT),
    ("03_*:lc_control", EXACT),
    ("03_*:best_kind", Tolerance(None, None, "the architecture with the lowest mean validation loss: compared "
                                             "through Table 1's accuracies")),
    ("03_*:*", Tolerance(8.0, 0.0, "means over seeds of accuracies, AUCs, gains (% points) and epochs saved: 8, "
                                   "twice the spread of a 3-seed mean that another CPU's encoder causes (seed sd "
                                   "up to 4.7 points); a 10-point change fails. Seed sds and confidence bounds "
                                   "are not compared", spreads=False)),
    ("04_*:*", Tolerance(8.0, 0.0, "Table 2 accuracies and margins (% points): as Table 1", spreads=False)),
    ("05_*:ig_tolerance", EXACT),
    ("05_*:ig_judged_share", EXACT),
    ("05_*:*", Tolerance(None, None, "attributions of chapter 03's models, and how many of them converged: "
                                     "another CPU trains other encoders, which changes both as another seed "
                                     "would (seed 0's IG converged on 60 of 60 sequences here, on under half "
                                     "on an AMD CPU); the scorecard judges the findings over seeds instead")),
    ("10_*:acc_*", Tolerance(2.0, 0.0, "CNN accuracies (% points) over seeds: 2 points (seed sd about 1)")),
    ("10_*:*recall", Tolerance(2.0, 0.0, "CNN recalls (% points): 2 points")),
    ("10_*:train_acc", Tolerance(2.0, 0.0, "CNN training accuracy (% points): 2 points")),
    ("10_*:real_se", Tolerance(0.2, 0.0, "standard error of an accuracy (% points): 0.2")),
    ("10_*:real_vs_baselines", Tolerance(None, None, "how many seeds reach each CNN baseline: compared through "
                                                     "the class-balanced accuracy (acc_real_balanced)")),
    ("10_*:real_*_seqs", Tolerance(4.0, 0.0, "accuracy on the real sequences of one class (% points; mean, SD, "
                                             "range over seeds): 4 points, the intergenomic class has few "
                                             "sequences", spreads=False)),
    ("10_*:real_all", Tolerance(2.0, 0.0, "accuracy on every real sequence (% points): 2 points", spreads=False)),
    ("10_*:score_cnn_accuracy", Tolerance(2.0, 0.0, "CNN accuracies (% points): 2 points")),
    ("11_*:n_*", EXACT),
    ("11_*:per_class", EXACT),
    ("11_*:high_positions", EXACT),
    ("11_*:*", Tolerance(0.05, 0.1, "saliency statistics (correlations, ratios, shares, p-values): 10% of "
                                    "each value, at least 0.05")),
]


def tolerance(chapter: str, name: str) -> Tolerance:
    """The tolerance of glued value ``name`` in chapter ``chapter`` (a notebook stem)."""
    key = f"{chapter}:{name}"
    return next((tol for pattern, tol in TOLERANCES if fnmatch.fnmatchcase(key, pattern)), EXACT)


def glue(name: str, value: Any, display: bool = False) -> None:
    """``myst_nb.glue(name, value, display)``, remembering ``value`` for :func:`check`."""
    from myst_nb import glue as myst_glue

    myst_glue(name, value, display=display)
    RECORDED[name] = value


def text(value: Any) -> str:
    """The text/plain form a notebook stores for a glued ``value`` (IPython's pretty printer)."""
    from IPython.lib.pretty import pretty

    return pretty(value)


def differences(committed: str, fresh: str, tol: Tolerance) -> str | None:
    """Why ``fresh`` is not ``committed`` within ``tol`` (``None``: it is). Numbers are compared one by one,
    the text around them exactly."""
    if committed == fresh or tol.absolute is None:
        return None
    if NUMBER.sub("#", committed) != NUMBER.sub("#", fresh):
        return "the text differs beyond its numbers"
    for old, new in zip(NUMBER.finditer(committed), NUMBER.finditer(fresh)):
        if not tol.spreads and SPREAD.search(committed[: old.start()]):
            continue
        a, b = old.group(), new.group()
        if not tol.admits(float(a.replace(",", "")), float(b.replace(",", ""))):
            return f"{a} -> {b} exceeds the tolerance ({tol.why})"
    return None


def compare(chapter: str, committed: dict[str, str], fresh: dict[str, str]) -> pd.DataFrame:
    """Glued texts of a chapter (name -> text/plain) side by side.

    One row per value glued in both: name, committed text, fresh text, ``status`` (``identical``,
    ``within tolerance``, ``not compared`` or ``changed``) and ``why``. Values glued on one side only are
    rows too (``missing`` / ``new``). Figures are skipped."""
    rows = []
    for name in dict.fromkeys([*committed, *fresh]):
        old = committed.get(name)
        new = fresh.get(name)
        if (old or "").startswith("<Figure") or (new or "").startswith("<Figure"):
            continue
        tol = tolerance(chapter, name)
        if old is None or new is None:
            status, why = ("new", "not in the reference") if old is None else ("missing", "not glued by this run")
        elif old == new:
            status, why = "identical", ""
        elif tol.absolute is None:
            status, why = "not compared", tol.why
        else:
            why = differences(old, new, tol)
            status, why = ("changed", why) if why else ("within tolerance", tol.why)
        rows.append({"name": name, "committed": old, "fresh": new, "status": status, "why": why})
    return pd.DataFrame(rows, columns=["name", "committed", "fresh", "status", "why"])


def reference_path(chapter: str) -> Path:
    """The notebook to compare with: ``$DNABOOK_REFERENCE_DIR/<chapter>.ipynb`` when set (an in-place run
    saves the committed notebooks there first), else the committed ``notebooks/<chapter>.ipynb``."""
    folder = os.environ.get("DNABOOK_REFERENCE_DIR")
    return (Path(folder) if folder else paths.NOTEBOOKS) / f"{chapter}.ipynb"


def check(chapter: str, params) -> pd.DataFrame | None:
    """Compare this kernel's glued values with the reference notebook's (see :func:`reference_path`).

    Compared only when the reference ran with the same resolved parameters ``params`` and the same numerics
    mode; otherwise says why not and returns ``None``. Prints a one-line summary; raises ``AssertionError``
    listing every changed, missing or new value unless ``DNABOOK_ACCEPT_CHANGES=1`` (a deliberate change of
    results, whose notebooks then become the new reference)."""
    path = reference_path(chapter)
    if not path.exists():
        print(f"regression check: no reference notebook {paths.display(path)}")
        return None
    nb = executed.read(path)
    try:
        reference_params = dict(executed.resolved(nb))
    except ValueError:
        print("regression check: the reference notebook was never executed by papermill")
        return None
    ours = dict(params)
    if _plain(reference_params) != _plain(ours):
        changed = sorted(k for k in set(ours) | set(reference_params) if _plain(ours.get(k)) !=
                         _plain(reference_params.get(k)))
        print(f"regression check: not compared, the reference ran with other parameters ({', '.join(changed)})")
        return None
    reference_mode = nb.metadata.get("dnabook", {}).get("numerics", {}).get("mode", "pinned")
    if reference_mode != numerics.mode():
        print(f"regression check: not compared, the reference used {reference_mode} numerics and this run "
              f"{numerics.mode()}")
        return None
    table = compare(chapter, executed.glued(nb), {name: text(value) for name, value in RECORDED.items()})
    counts = table["status"].value_counts()
    print("regression check against the committed values: " +
          ", ".join(f"{counts.get(s, 0)} {s}" for s in ("identical", "within tolerance", "not compared", "changed",
                                                         "missing", "new")))
    bad = table[table["status"].isin(["changed", "missing", "new"])]
    if len(bad) and os.environ.get("DNABOOK_ACCEPT_CHANGES") != "1":
        raise AssertionError("results differ from the committed notebook beyond the stated tolerances "
                             "(set DNABOOK_ACCEPT_CHANGES=1 to accept a deliberate change):\n" +
                             bad.to_string(index=False, max_colwidth=60))
    return table


def _plain(value: Any) -> Any:
    """Parameters compared as plain data: tuples and lists alike."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def tolerance_table() -> pd.DataFrame:
    """:data:`TOLERANCES` as the book shows them: pattern, absolute and relative tolerance, whether spreads
    over seeds are compared, why."""
    return pd.DataFrame([{"chapter:value": f"`{pattern}`" if ":" in pattern else pattern,
                          "absolute": "not compared" if tol.absolute is None else tol.absolute,
                          "relative": "" if tol.relative is None else tol.relative,
                          "spreads (sd, CI bounds)": "compared" if tol.spreads and tol.absolute is not None
                          else "not compared",
                          "why": tol.why}
                         for pattern, tol in [*TOLERANCES, ("anything else", EXACT)]])
