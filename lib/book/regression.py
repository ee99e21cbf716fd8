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
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from lib import choice, numerics, paths, seeds
from lib.book import executed

RECORDED: dict[str, Any] = {}  # name -> value glued in this kernel, in order
DF = re.compile(r"\(df (\d+)\)")
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


# A number that states a spread over seeds, not a result: after "'sd': " (or "_sd': ", "'low': ", "'high': ",
# "'band': ") in a record, or a confidence bound or drift band ("95% CI -6.1 to +7.3", "drift band ±2.9"). On a
# few seeds these swing by more than the results they qualify (measured: a CI bound moved by 12 points between
# two CPUs while its mean moved by 1.4), so a tolerance may leave them out.
SPREAD = re.compile(r"(?:(?:'|_)sd': |'(?:low|high|band)': |CI |\d to |band ±)$")

# A trained value on another machine is a redraw of its seed's training noise: a difference of two draws has sd
# sqrt(2) times the seed sd, and the book's margin (lib.choice.MARGIN) is 2 of those.
DRIFT = choice.MARGIN * math.sqrt(2)


@dataclass(frozen=True)
class Tolerance:
    """``|fresh - committed| <= absolute + relative * |committed|`` for every number of a value; ``None``
    for both: the value is not compared (timings). ``spreads=False``: numbers that state a spread over seeds
    (:data:`SPREAD`: standard deviations, confidence bounds) are not compared, only the results they qualify.

    ``spread``: the name of a value the same chapter glues that measures the value's seed noise (an sd of one
    run, or a standard error of a mean over seeds), as ``"<number>"`` or ``"<number> (df <degrees of freedom>)"``.
    The absolute tolerance is then :data:`DRIFT` x the 95% upper bound of that spread (:func:`lib.seeds.
    sd_upper_factor`: a spread measured on a few seeds may be much larger in truth) x the measured spread, read
    from the committed notebook (:meth:`derived`); ``df`` is used where the glued text names none.
    ``depends``: glued choices (:data:`CHOICES`) the value follows; it is compared only when they agree."""

    absolute: float | None
    relative: float | None
    why: str
    spreads: bool = True
    spread: str | None = None
    df: int | None = None
    depends: tuple[str, ...] = ()

    def admits(self, committed: float, fresh: float) -> bool:
        if self.absolute is None:
            return True
        return abs(fresh - committed) <= self.absolute + self.relative * abs(committed)

    def derived(self, committed: dict[str, str], fresh: dict[str, str]) -> Tolerance:
        """This tolerance with ``absolute`` = ``times`` x the value of :attr:`spread` in the ``committed``
        notebook's glued texts (in ``fresh`` when a reference predates the spread; unchanged without a spread).
        A spread that is not a number (NaN: one seed) leaves ``absolute`` as it is."""
        if self.spread is None or self.absolute is None:
            return self
        text = committed.get(self.spread, fresh.get(self.spread, ""))
        found = NUMBER.search(text)
        if found is None:
            return replace(self, why=f"{self.spread} is {text or 'not glued'}, so {self.absolute:g}: {self.why}")
        measured = float(found.group().replace(",", ""))
        named = DF.search(text)
        df = int(named.group(1)) if named else self.df
        times = DRIFT * (seeds.sd_upper_factor(df) if df else 1.0)
        absolute = max(self.absolute, times * measured)
        return replace(self, absolute=absolute, why=f"{times:.2f} x {self.spread} ({measured:.3g}, df {df}) = "
                                                    f"{absolute:.3g}: {self.why}")

    def describe(self) -> str:
        """The rule in words, for the execution-statistics page."""
        if self.absolute is None:
            return "not compared"
        if self.spread:
            return f"{DRIFT:.2f} x upper bound of `{self.spread}`"
        return f"{self.absolute:g}" + (f" + {self.relative:g} x value" if self.relative else "")


EXACT = Tolerance(0.0, 0.0, "data, design and anything not listed: computed without training, identical on every "
                            "machine")
NOT_COMPARED = Tolerance(None, None, "a run time or throughput: depends on the machine")
SPREAD_ONLY = Tolerance(None, None, "a spread over seeds: it sizes the tolerances of this chapter, and swings on a "
                                    "few seeds by more than the results it qualifies")


def _trained(spread: str, why: str, depends: tuple[str, ...] = (), spreads: bool = False,
             df: int | None = None) -> Tolerance:
    """A trained value's tolerance: :data:`DRIFT` x the upper bound of the measured ``spread`` the chapter glues."""
    return Tolerance(0.0, 0.0, why, spreads=spreads, spread=spread, df=df, depends=depends)


# Choices made from trained results (lib.choice), and discrete outcomes of per-seed thresholds whose inputs are
# compared within tolerance (how many seeds' CNNs show codon periodicity: the per-seed ratios are p3_coding and
# p3_intergenomic), by chapter: a changed one is reported, not failed, and the values that follow it are
# compared only when it agrees (Tolerance.depends).
CHOICES = {"02": ("ae_variant", "ae_best_latent", "ae_order_text"), "03": ("ae_variant", "best_kind"),
           "04": ("ae_variant",), "05": ("ae_variant", "ig_classifier"), "11": ("p3_holds", "p3_verdict")}
VARIANT = ("ae_variant",)
TOLERANCES: list[tuple[str, Tolerance]] = [
    # "<chapter stem>:<glue name>" (fnmatch patterns); the first match wins
    ("*:*seconds", NOT_COMPARED),
    ("*:train_rate", NOT_COMPARED),
    ("*:*_sd", SPREAD_ONLY),
    ("*:*_se", SPREAD_ONLY),
    ("02_*:ae_chance_*", EXACT),
    ("02_*:ae_latent_used", EXACT),
    ("02_*:ae_n_replicas", EXACT),
    ("02_*:ae_best_loss", _trained("ae_seed_sd", "the chosen latent size's lowest held-out loss, one run",
                                   depends=("ae_best_latent",), df=4)),
    ("02_*:ae_best_acc", _trained("ae_acc_sd", "the chosen latent size's accuracy (%), one run",
                                  depends=("ae_best_latent",))),
    ("02_*:ae_variant_acc", _trained("ae_acc_sd", "reconstruction accuracy (%) of the chosen variant, one run",
                                     depends=VARIANT)),
    ("02_*:ae_region_*", _trained("ae_acc_sd", "reconstruction accuracy (%) of a region, the paper variant, one run")),
    ("02_*:*", _trained("ae_seed_sd", "autoencoder losses (nats/base), one run each", spreads=False, df=4)),
    ("03_*:baseline_*", EXACT),
    ("03_*:control_acc*", EXACT),
    ("03_*:lc_control", EXACT),
    ("03_*:search_winner", EXACT),
    ("03_*:t1_n_seeds", EXACT),
    ("03_*:t1_holds", Tolerance(0.0, 0.0, "how many initialization effects hold: a verdict, decided only beyond the "
                                          "drift band (lib.seeds)", depends=VARIANT)),
    ("03_*:t1_fails", Tolerance(0.0, 0.0, "as t1_holds", depends=VARIANT)),
    ("03_*:lc_best", _trained("t1_se", "learning curve of the chosen architecture: means over seeds (%)",
                              depends=("best_kind",))),
    ("03_*:*", _trained("t1_se", "means over seeds of accuracies, gains (% points) and epochs saved; verdicts "
                                 "exactly", depends=VARIANT)),
    ("04_*:t2_n_seeds", EXACT),
    ("04_*:*", _trained("t2_se", "Table 2 accuracies and margins (% points), means over seeds; verdicts exactly",
                        depends=VARIANT)),
    ("05_*:ig_tolerance", EXACT),
    ("05_*:ig_judged_minimum", EXACT),
    ("05_*:signals_control", EXACT),
    ("05_*:signals_n", EXACT),
    ("05_*:*", Tolerance(None, None, "attributions of chapter 03's models, and how many of them converged: "
                                     "another CPU trains other encoders, which changes both as another seed "
                                     "would (seed 0's IG converged on 60 of 60 sequences on an Intel Xeon, on "
                                     "under half on an AMD EPYC); the scorecard judges the findings over seeds "
                                     "instead")),
    ("10_*:real_vs_baselines", Tolerance(None, None, "how many seeds reach each CNN baseline: compared through "
                                                     "the class-balanced accuracy (acc_real_balanced)")),
    ("10_*:real_se", SPREAD_ONLY),
    ("10_*:acc_*", _trained("cnn_se", "CNN accuracies (% points), means over seeds")),
    ("10_*:*recall", _trained("cnn_se", "CNN recalls (% points), means over seeds")),
    ("10_*:train_acc", _trained("cnn_se", "CNN training accuracy (% points), mean over seeds")),
    ("10_*:real_*_seqs", _trained("cnn_sd", "accuracy on the real sequences of one class (% points): mean, and the "
                                            "range of single seeds")),
    ("10_*:real_all", _trained("cnn_sd", "accuracy on every real sequence (% points): mean, and the range of single "
                                         "seeds")),
    ("10_*:score_cnn_accuracy", _trained("cnn_se", "CNN accuracies (% points)")),
    ("11_*:n_*", EXACT),
    ("11_*:per_class", EXACT),
    ("11_*:high_positions", EXACT),
    ("11_*:p3_factor", EXACT),
    ("11_*:ig_steps", EXACT),
    ("11_*:sg_samples", EXACT),
    ("11_*:r", _trained("sal_r_sd", "Pearson r of the positional mean and sd, per seed")),
    ("11_*:r_interval", _trained("sal_r_sd", "bootstrap interval of r, per seed", spreads=True)),
    ("11_*:high_regions", Tolerance(1.0, 0.0, "runs of high-importance positions, the first seed's model (at least "
                                              "1)", spread="sal_regions_sd")),
    ("11_*:above_pooled", Tolerance(1.0, 0.0, "positions above the pooled 75th percentile (at least 1)",
                                    spread="sal_regions_sd")),
    ("11_*:level_ratio", _trained("sal_level_sd", "mean coding over mean intergenomic importance, the first "
                                                  "seed's model")),
    ("11_*:p3_coding", _trained("sal_p3_sd", "median period-3 ratios, per seed")),
    ("11_*:p3_intergenomic", _trained("sal_p3_sd", "median period-3 ratios, per seed")),
    ("11_*:p3_share_*", _trained("sal_p3_share_sd", "shares of sequences with a period-3 ratio above 3 (%), per "
                                                    "seed")),
    ("11_*:share_*", Tolerance(2.5, 0.0, "shares of a paper region's positions with delta > 0 (%), the first seed's "
                                         "model (at least 2.5, one position of the 40-nt region)",
                               spread="sal_share_sd")),
    ("11_*:*", Tolerance(None, None, "a statistic of one seed's CNN whose seed spread the chapter does not measure "
                                     "(which positions form the runs, relative deltas, p-values, the agreement of "
                                     "attribution methods on the first seed's model; the IG/gradient Jaccard moved "
                                     "from 0.52 to 0.27 between an Intel and an AMD CPU), or the scorecard's record "
                                     "of them; the scorecard judges the findings over seeds")),
]


def tolerance(chapter: str, name: str) -> Tolerance:
    """The tolerance of glued value ``name`` in chapter ``chapter`` (a notebook stem)."""
    key = f"{chapter}:{name}"
    return next((tol for pattern, tol in TOLERANCES if fnmatch.fnmatchcase(key, pattern)), EXACT)


def is_choice(chapter: str, name: str) -> bool:
    """Whether glued value ``name`` of ``chapter`` is a choice made from trained results (:data:`CHOICES`)."""
    return name in CHOICES.get(chapter[:2], ())


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

    One row per value glued in both: name, committed text, fresh text, ``status`` and ``why``. Statuses:
    ``identical``, ``within tolerance``, ``not compared`` (a timing or a spread), ``choice differs`` (a choice
    of :data:`CHOICES` came out otherwise: reported, not a failure), ``follows another choice`` (a value that
    depends on a choice that differs) and ``changed``. Values glued on one side only are rows too (``missing``
    / ``new``). The ``move`` column is the largest |fresh - committed| of the value's numbers over its
    tolerance (0: identical; above 1: changed). Figures are skipped."""
    rows = []
    for name in dict.fromkeys([*committed, *fresh]):
        old = committed.get(name)
        new = fresh.get(name)
        if (old or "").startswith("<Figure") or (new or "").startswith("<Figure"):
            continue
        tol = tolerance(chapter, name)
        moved = [d for d in tol.depends if committed.get(d) != fresh.get(d)]
        move = 0.0
        if old is None or new is None:
            status, why = ("new", "not in the reference") if old is None else ("missing", "not glued by this run")
        elif old == new:
            status, why = "identical", ""
        elif is_choice(chapter, name):
            status, why = "choice differs", f"a choice from trained results: {old} -> {new}"
        elif moved:
            status, why = "follows another choice", "; ".join(f"{d}: {committed.get(d)} -> {fresh.get(d)}" for d in moved)
        elif tol.absolute is None:
            status, why = "not compared", tol.why
        else:
            tol = tol.derived(committed, fresh)
            why = differences(old, new, tol)
            move = largest_move(old, new, tol)
            status, why = ("changed", why) if why else ("within tolerance", tol.why)
        rows.append({"name": name, "committed": old, "fresh": new, "status": status, "move": move, "why": why})
    return pd.DataFrame(rows, columns=["name", "committed", "fresh", "status", "move", "why"])


def largest_move(committed: str, fresh: str, tol: Tolerance) -> float:
    """The largest |fresh - committed| over the compared numbers of a value, in units of its tolerance (inf when
    the tolerance is 0 and a number moved; NaN when the texts differ beyond their numbers)."""
    if NUMBER.sub("#", committed) != NUMBER.sub("#", fresh):
        return float("nan")
    largest = 0.0
    for old, new in zip(NUMBER.finditer(committed), NUMBER.finditer(fresh)):
        if not tol.spreads and SPREAD.search(committed[: old.start()]):
            continue
        a, b = (float(m.group().replace(",", "")) for m in (old, new))
        allowed = tol.absolute + tol.relative * abs(a)
        largest = max(largest, abs(b - a) / allowed if allowed else (0.0 if a == b else float("inf")))
    return largest


def reference_path(chapter: str, profile: str = "default") -> Path:
    """The notebook to compare with: ``$DNABOOK_REFERENCE_DIR/<chapter>.ipynb`` when set (an in-place run
    saves the committed notebooks there first), else the committed one of ``profile``'s tier
    (:data:`lib.paths.COMMITTED`: ``notebooks/`` for ``default``, ``notebooks/chromosomes/`` for ``chromosomes``)."""
    folder = os.environ.get("DNABOOK_REFERENCE_DIR")
    return (Path(folder) if folder else paths.COMMITTED.get(profile, paths.NOTEBOOKS)) / f"{chapter}.ipynb"


def check(chapter: str, params) -> pd.DataFrame | None:
    """Compare this kernel's glued values with the reference notebook's (see :func:`reference_path`).

    Compared only when the reference ran with the same resolved parameters ``params`` and the same numerics
    mode; otherwise says why not and returns ``None``. Prints a one-line summary; raises ``AssertionError``
    listing every changed, missing or new value unless ``DNABOOK_ACCEPT_CHANGES=1`` (a deliberate change of
    results, whose notebooks then become the new reference)."""
    path = reference_path(chapter, params["profile"])
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
          ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))
    for row in table[table["status"] == "choice differs"].itertuples():
        print(f"  choice {row.name}: {row.committed} -> {row.fresh}; the values that follow it are not compared")
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


STATUSES = ("identical", "within tolerance", "not compared", "choice differs", "follows another choice", "changed",
            "missing", "new")


def tolerance_table() -> pd.DataFrame:
    """:data:`TOLERANCES` as the book shows them: pattern, absolute and relative tolerance, whether spreads
    over seeds are compared, why."""
    return pd.DataFrame([{"chapter:value": f"`{pattern}`" if ":" in pattern else pattern,
                          "absolute": tol.describe(),
                          "relative": "" if tol.relative is None else tol.relative,
                          "spreads (sd, CI bounds)": "compared" if tol.spreads and tol.absolute is not None
                          else "not compared",
                          "follows": ", ".join(tol.depends),
                          "why": tol.why}
                         for pattern, tol in [*TOLERANCES, ("anything else", EXACT)]])
