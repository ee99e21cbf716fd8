"""The reproduction scorecard: every number the two papers report, beside this book's value and a verdict.

A chapter hands a result to the scorecard with :func:`record`, a myst-nb glue value named ``score_<name>``
(plain numbers, no formatting). :func:`table` reads the committed chapter notebooks, finds each claim's
record and the parameters the chapter ran with (papermill's metadata), and applies these rules:

- A **measured** number (a data count, an accuracy, a correlation, the best latent size) depends on the data
  and the settings. It is compared only when the chapter ran with the paper's data and the settings the number
  depends on; otherwise the verdict is *not comparable* and the reason names what differed.
- A **design** number (the parameter count, how many positions a percentile rule selects) follows from the
  method alone and is compared on any profile.
- A **relative** claim (initialization improves accuracy, the middle latent size reconstructs best) compares
  the paper's own variants with each other, so it can be tested on any data: it is judged on the profile's
  data over seeds (*reproduced* when the paired 95% interval lies on the paper's side of zero by more than the
  drift band of :mod:`lib.seeds`, *not reproduced* likewise on the other side, *undecided* otherwise; a latent
  size's order counts only beyond the margin of :mod:`lib.choice`), and its reason names the data it was measured
  on.
- A **finding** (where attribution concentrates) is checked on each seed's model that the profile trained, with
  the rule stated in its row: *reproduced* when it holds for every seed, *not reproduced* when it holds for
  none, *undecided* when the seeds disagree (:mod:`lib.seeds`); on a profile that is not the paper's, the row
  says so.
- Counts are *reproduced* within 1% of the paper's count. Accuracies are *reproduced* when the paper's value
  lies within the book's mean ± 2 standard deviations over seeds (at least ± 0.5 points). The correlation is
  *reproduced* when the paper's r lies within the book's r ± 1.96 bootstrap standard errors.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib import choice, paths, seeds
from lib.book import config, executed
from lib.coding import published as paper_b
from lib.splicing import latent_sweep, published

REPRODUCED, NOT_REPRODUCED, UNDECIDED, NOT_COMPARABLE = "reproduced", "not reproduced", "undecided", "not comparable"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, UNDECIDED, NOT_COMPARABLE)
COUNT_TOLERANCE = 0.01  # relative
ACCURACY_FLOOR = 0.5  # points: the smallest accuracy tolerance, whatever the spread over seeds

# The papers' data, and how each parameter value that selects data reads in a reason.
PAPER_A_DATA = {"source": ("gencode",), "contigs": (None, config.PAPER_CONTIGS)}
PAPER_B_DATA = {"gb_source": ("archive",)}
DATA_WORDS = {
    ("source", "gencode"): "GENCODE v20/v26 on the whole genome",
    ("source", "slice"): "the 9.5 Mb genome slice",
    ("source", "chromosomes"): "the 92 Mb chromosome set (chr21, chr22 whole)",
    ("gb_source", "archive"): "the benchmark itself",
    ("gb_source", "slice"): "the benchmark's recipe on the 9.5 Mb genome slice",
    ("gb_source", "chromosomes"): "the benchmark's recipe on the 92 Mb chromosome set",
}
PAIR_WORDS = {"canonical": "", "releases": ", real GENCODE v24/v31 on chr22"}


def data_words(paper: str, params: config.Config) -> str:
    """The data a chapter of ``paper`` ("A" or "B") ran on, in words (the scorecard's ``data`` column)."""
    if paper == "B":
        return DATA_WORDS[("gb_source", params["gb_source"])]
    pair = PAIR_WORDS[params["annotations"]] if params["source"] == "chromosomes" else ""
    return DATA_WORDS[("source", params["source"])] + pair


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays, tuples and NaN turned into plain Python (NaN -> None), so that
    its text form is a Python literal."""
    if isinstance(value, dict):
        return {(k.item() if isinstance(k, np.generic) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def record(name: str, values: dict[str, Any]) -> None:
    """Glue ``values`` (numbers, strings, lists, dicts) as ``score_<name>`` for the scorecard; nothing is shown."""
    from lib.book.regression import glue

    glue(f"score_{name}", _plain(values))


def records(nb) -> dict[str, Any]:
    """The ``score_*`` records of an executed notebook, name (without ``score_``) -> values."""
    return {key.removeprefix("score_"): ast.literal_eval(text)
            for key, text in executed.glued(nb).items() if key.startswith("score_")}


def spread(values) -> dict[str, Any]:
    """Mean, sample standard deviation (None for one value) and count of a sequence of numbers."""
    values = [float(v) for v in values]
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None,
            "n": len(values)}


# --- judges: a chapter's records -> (this book's value, verdict, reason) ---------------------------------

Judge = Callable[[dict[str, Any]], tuple[str, str, str]]


def _count(key: str, paper: int) -> Judge:
    def judge(rec):
        book = rec["positives"][key]
        off = (book - paper) / paper
        verdict = REPRODUCED if abs(off) <= COUNT_TOLERANCE else NOT_REPRODUCED
        return f"{book:,}", verdict, f"{off:+.1%} from the paper's count (tolerance ±{COUNT_TOLERANCE:.0%})"
    return judge


def _accuracy(paper: float, stat: dict[str, Any]) -> tuple[str, str, str]:
    mean, sd, n = stat["mean"], stat["sd"], stat["n"]
    tolerance = max(2 * sd, ACCURACY_FLOOR) if sd is not None else ACCURACY_FLOOR
    value = f"{mean:.2f}% ± {sd:.2f} ({n} seeds)" if sd is not None else f"{mean:.2f}% (1 seed)"
    off = mean - paper
    verdict = REPRODUCED if abs(off) <= tolerance else NOT_REPRODUCED
    return value, verdict, f"{off:+.2f} points from the paper (tolerance ±{tolerance:.2f})"


def _table1(init: str, model: str, paper: float) -> Judge:
    return lambda rec: _accuracy(paper, rec["table1"][f"{init}/{model}"])


def _table2(classifier: str, paper: float) -> Judge:
    return lambda rec: _accuracy(paper, rec["table2"][classifier])


def _latent_choice(sweep: dict):
    lowest = {int(size): loss for size, loss in sweep["lowest_loss"].items()}
    sd = float("nan") if sweep["seed_sd"] is None else sweep["seed_sd"]
    return lowest, latent_sweep.latent_choice(lowest, sd, published.BEST_LATENT)


def _best_latent(rec):
    sweep = rec["latent_sweep"]
    lowest, picked = _latent_choice(sweep)
    spread = f"{sweep['seed_sd']:.4f}" if sweep["seed_sd"] is not None else "unknown (one seed)"
    losses = ", ".join(f"{size}: {lowest[size]:.3f}" for size in sweep["sizes"])
    value = f"{picked.best} of {'/'.join(map(str, sweep['sizes']))} (lowest held-out loss {losses})"
    reason = (f"{sweep['epochs']} autoencoder epochs per size; the lowest beats the next by "
              f"{latent_sweep.runner_up_gap(picked):.4f} nats, against a seed-to-seed sd of {spread} "
              f"({sweep['seeds']} seeds of one size): ")
    if not picked.decided:
        return value, UNDECIDED, reason + f"within {choice.MARGIN:g} sd of the noise of a difference, so the order is noise"
    verdict = REPRODUCED if picked.best == published.BEST_LATENT else NOT_REPRODUCED
    return value, verdict, reason + f"more than {choice.MARGIN:g} sd of the noise of a difference"


def _over_seeds(per_seed: list[dict], holds, describe, rule: str) -> tuple[str, str, str]:
    """A finding judged on every seed's statistics: ``holds(stats) -> bool``, ``describe(stats) -> str``."""
    agree = seeds.agreement([holds(s) for s in per_seed])
    verdict = {seeds.HOLDS: REPRODUCED, seeds.FAILS: NOT_REPRODUCED, seeds.MIXED: UNDECIDED}[agree["verdict"]]
    value = "; ".join(f"seed {s['seed']}: {describe(s)}" for s in per_seed)
    return value, verdict, f"{rule}; holds for {agree['k']} of {agree['n']} seeds' models"


def _ig_over_seeds(rec, holds, describe, rule: str) -> tuple[str, str, str]:
    """:func:`_over_seeds` on the seeds whose IG converged on enough positives (chapter 05 judges only those);
    undecided when none did."""
    judged = rec["ig"]["seeds"]
    if not judged:
        return ("no seed's IG converged on enough sequences", UNDECIDED,
                f"{rule}; none of the {len(rec['ig']['attributed'])} seeds' models could be judged")
    value, verdict, reason = _over_seeds(judged, holds, describe, rule)
    return value, verdict, f"{reason} ({len(judged)} of {len(rec['ig']['attributed'])} seeds' IG converged)"


def _ig_near(rec):
    def holds(ig):
        return all(abs(ig["peak"][s]) <= 5 and ig["near_share"][s] > ig["uniform_share"] for s in ("donor", "acceptor"))

    def describe(ig):
        return (f"peaks {ig['peak']['donor']:+d} (donor), {ig['peak']['acceptor']:+d} (acceptor), "
                f"{ig['near_share']['donor']:.0f}% and {ig['near_share']['acceptor']:.0f}% within ±5 nt "
                f"(even spread: {ig['uniform_share']:.1f}%)")
    return _ig_over_seeds(rec, holds, describe,
                          "rule: at both sites the peak lies within ±5 nt and more of the |mean attribution| lies "
                          "there than an even spread over the 80-nt window would put")


def _ig_donor_g(rec):
    def near(ig):
        return ig["base_means_near"]["donor"]

    def describe(ig):
        means = near(ig)
        return ", ".join(f"{base} {means[base]:+.4f}" for base in sorted(means, key=means.get, reverse=True))
    return _ig_over_seeds(rec, lambda ig: max(near(ig), key=near(ig).get) == published.IG_DONOR_BASE, describe,
                          f"rule: {published.IG_DONOR_BASE} has the highest mean attribution of the four bases within "
                          "±5 nt of the donor (positives), where the splice-site consensus lies")


def _ig_logos(rec):
    def describe(ig):
        return ", ".join(f"{name} {v:+.4f}" for name, v in ig["logo"].items())
    return _ig_over_seeds(rec, lambda ig: all(v > 0 for v in ig["logo"].values()), describe,
                          "rule: all four letters push the score towards 'junction' (positive logo height)")


def _relative(effect: dict[str, Any], unit: str) -> tuple[str, str]:
    """(value, verdict) of a paired effect over seeds (:func:`lib.seeds.paired_effect`): *reproduced* when its
    95% interval lies above zero, *not reproduced* below, *undecided* when it contains zero."""
    verdict = {seeds.HOLDS: REPRODUCED, seeds.FAILS: NOT_REPRODUCED, seeds.UNDECIDED: UNDECIDED}[effect["verdict"]]
    return seeds.effect_text(effect, unit).split(":")[0], verdict


def _init_effect(model: str, quantity: str, unit: str) -> Judge:
    def judge(rec):
        value, verdict = _relative(rec["init_effects"][model][quantity], unit)
        return value, verdict, ("rule: the paired difference over seeds (initialized minus random; same seed, data "
                                "order and budget) has a 95% confidence interval above zero by more than the drift "
                                "band, 2 sd of the move a mean makes when another CPU trains every seed's model anew")
    return judge


def _middle_latent(rec):
    sweep = rec["latent_sweep"]
    lowest, picked = _latent_choice(sweep)
    sizes = sorted(lowest)
    middle = sizes[len(sizes) // 2]
    others = min(lowest[s] for s in sizes if s != middle)
    value = f"{middle} of {'/'.join(map(str, sizes))}: {lowest[middle]:.4f} vs {others:.4f} nats (best other size)"
    if not picked.decided:
        verdict = UNDECIDED
    else:
        verdict = REPRODUCED if picked.best == middle else NOT_REPRODUCED
    spread = f"{sweep['seed_sd']:.4f}" if sweep["seed_sd"] is not None else "unknown"
    return value, verdict, (f"rule: the middle size's lowest held-out loss beats every other size's by more than "
                            f"{choice.MARGIN:g} sd of the noise of a difference between two runs (seed sd {spread})")


def _parameters(rec):
    size = rec["cnn_size"]
    value = f"{size['state_dict_values']:,} ({size['learnable']:,} learnable + {size['buffers']:,} batch-norm buffers)"
    verdict = REPRODUCED if size["state_dict_values"] == paper_b.PARAMETERS else NOT_REPRODUCED
    return value, verdict, "the paper's count is that of the state dict: weights and batch-norm buffers"


def _cnn_accuracy(rec):
    acc = rec["cnn_accuracy"]
    value, verdict, reason = _accuracy(paper_b.ACCURACY, acc["test"])
    real, balanced = acc["real"], acc["real_balanced"]
    on_real = f"{real['mean']:.2f}% on {real['sequences']:,} real benchmark sequences ({balanced['mean']:.2f}% " \
              "class-balanced)"
    return f"{value} on the test split; {on_real}", verdict, reason


def _hyena(rec):
    return ("not trained here", NOT_COMPARABLE,
            "a published baseline that paper B quotes; this book trains only paper B's CNN")


def _pearson_r(rec):
    per_seed = rec["saliency"]["seeds"]
    low, high = min(s["r_low"] for s in per_seed), max(s["r_high"] for s in per_seed)
    value = "; ".join(f"seed {s['seed']}: {s['r']:.3f} ({s['r_low']:.3f} to {s['r_high']:.3f})" for s in per_seed)
    verdict = REPRODUCED if low <= paper_b.PEARSON_R <= high else NOT_REPRODUCED
    rule = ("rule: the paper's r lies within the union of the seeds' 95% intervals (r ± 1.96 bootstrap standard "
            "errors over the sequences)")
    return f"{value}; {per_seed[0]['n']:,} sequences", verdict, rule


def _nine_positions(rec):
    per_seed = rec["saliency"]["seeds"]
    counts = sorted({s["high_positions"] for s in per_seed})
    first = per_seed[0]
    why = (f"the paper's rule (a mean above the 75th percentile of the {first['length']} positional means) marks a "
           f"quarter of the positions whatever the model; here they form "
           f"{', '.join(str(s['high_regions']) for s in per_seed)} runs, and "
           f"{', '.join(str(s['above_pooled']) for s in per_seed)} positions exceed the 75th percentile of all "
           "values pooled (per seed)")
    return (f"{'/'.join(map(str, counts))} of {first['length']} positions ({len(per_seed)} seeds)",
            REPRODUCED if counts == [paper_b.HIGH_POSITIONS] else NOT_REPRODUCED, why)


def _coverage(runs: list[list[int]], first: int, last: int) -> float:
    high = {p for a, b in runs for p in range(a, b + 1)}
    return len(high & set(range(first, last + 1))) / (last - first + 1)


def _high_regions(rec):
    def shares(s):
        return {f"{a}-{b}": _coverage(s["high_runs"], a, b) for a, b in paper_b.HIGH_REGIONS}
    return _over_seeds(rec["saliency"]["seeds"], lambda s: min(shares(s).values()) >= 0.5,
                       lambda s: ", ".join(f"{name} {share:.0%} high" for name, share in shares(s).items()),
                       "rule: at least half of each region's positions are high-importance positions")


def _emphasis(region: str, coding: bool) -> Judge:
    sign = ">" if coding else "<"

    def favoured(s):
        share = s["delta_positive_share"][region]
        return share if coding else 1 - share

    def describe(s):
        return f"δ {sign} 0 at {favoured(s):.0%} of {region} (δ > 0 at {s['delta_positive_share']['all']:.0%} of all)"

    def judge(rec):
        return _over_seeds(rec["saliency"]["seeds"], lambda s: favoured(s) > 0.5, describe,
                           f"rule: δ = μ(coding) − μ(intergenomic) is {sign} 0 at more than half of the region's "
                           "positions (the paper's definition)")
    return judge


# --- the claims -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """One number or finding a paper reports, where the book computes it, and how it is judged."""

    paper: str  # "A" or "B"
    claim: str
    paper_value: str
    chapter: str  # notebook stem, e.g. "03_table1_initialization"
    kind: str  # "measured", "design", "relative" or "finding"
    judge: Judge
    needs: dict[str, tuple] = field(default_factory=dict)  # parameter -> values the number is comparable under


def _claims() -> list[Claim]:
    from lib.splicing.experiments import LABELS

    ch01, ch02, ch03 = "01_splice_junctions", "02_autoencoder", "03_table1_initialization"
    ch04, ch05, ch10, ch11 = "04_table2_latent_features", "05_integrated_gradients", "10_cnn", "11_saliency"
    sweep_needs = {**PAPER_A_DATA, "ae_latents": (published.LATENT_SIZES,),
                   "ae_epochs": (published.AUTOENCODER_EPOCHS,)}
    sizes = "/".join(map(str, published.LATENT_SIZES))
    coding, intergenomic = paper_b.span(paper_b.CODING_REGION), paper_b.span(paper_b.INTERGENOMIC_REGION)
    claims = [
        Claim("A", "training positives, GENCODE v20 (section 4.1)", f"{published.TRAIN_POSITIVES:,}", ch01,
              "measured", _count("train", published.TRAIN_POSITIVES), PAPER_A_DATA),
        Claim("A", "test positives, new in v26 (section 4.1)", f"{published.TEST_POSITIVES:,}", ch01, "measured",
              _count("test", published.TEST_POSITIVES), PAPER_A_DATA),
        Claim("A", "latent size with the lowest autoencoder loss (section 4.2)", f"{published.BEST_LATENT} of {sizes}",
              ch02, "measured", _best_latent, sweep_needs),
    ]
    for init, words in (("random", "random weights"), ("autoencoder", "autoencoder-initialized")):
        for kind, model in LABELS.items():
            paper = published.TABLE1[(init, kind)]
            claims.append(Claim("A", f"Table 1, {words} {model}", f"{paper:.2f}%", ch03, "measured",
                                _table1(init, model, paper), PAPER_A_DATA))
    for classifier, paper in published.TABLE2.items():
        claims.append(Claim("A", f"Table 2, {classifier} on the {published.TABLE2_LATENT}-d latent vectors",
                            f"{paper:.2f}%", ch04, "measured", _table2(classifier, paper),
                            {**PAPER_A_DATA, "ae_latent": (published.TABLE2_LATENT,)}))
    claims.append(Claim("A", "the middle latent size gives the lowest autoencoder loss (section 4.2, relative)",
                        f"{published.BEST_LATENT} of {sizes}", ch02, "relative", _middle_latent, PAPER_A_DATA))
    for kind, model in LABELS.items():
        claims += [
            Claim("A", f"autoencoder initialization improves accuracy, {model} (Table 1, relative)",
                  "higher accuracy", ch03, "relative", _init_effect(model, "test accuracy (points)", "points"),
                  PAPER_A_DATA),
            Claim("A", f"autoencoder initialization converges faster, {model} (section 5.1, relative)",
                  "fewer epochs", ch03, "relative",
                  _init_effect(model, "epochs saved reaching converge_acc", "epochs"), PAPER_A_DATA),
        ]
    claims += [
        Claim("A", "Integrated Gradients: nucleotides near the sites matter most (Figure 2)",
              published.IG_NEAR_FINDING, ch05, "finding", _ig_near, PAPER_A_DATA),
        Claim("A", f"Integrated Gradients: {published.IG_DONOR_BASE} is very important at the donor (Figure 4)",
              published.IG_DONOR_BASE, ch05, "finding", _ig_donor_g, PAPER_A_DATA),
        Claim("A", f"attribution logos: {published.DONOR_DIMER} at the donor, {published.ACCEPTOR_DIMER} at the "
              "acceptor (Figure 5)", published.IG_LOGO_FINDING, ch05, "finding", _ig_logos, PAPER_A_DATA),
        Claim("B", "parameters of SimpleSaliencyCNN (section 4.1)", f"{paper_b.PARAMETERS:,}", ch10, "design",
              _parameters),
        Claim("B", "validation accuracy, SimpleSaliencyCNN (Table 1)", f"{paper_b.ACCURACY:.2f}%", ch10, "measured",
              _cnn_accuracy, PAPER_B_DATA),
        Claim("B", "validation accuracy, HyenaDNA (Table 1, quoted)", f"{paper_b.HYENADNA_ACCURACY:.2f}%", ch10,
              "measured", _hyena),
        Claim("B", "correlation of positional mean and SD (Figure 1)", f"r = {paper_b.PEARSON_R:.3f}", ch11, "measured",
              _pearson_r, PAPER_B_DATA),
        Claim("B", "positions above the 75th percentile (Figure 2)", paper_b.HIGH_POSITIONS_WORD, ch11, "design",
              _nine_positions),
        Claim("B", "high-importance regions (section 4.2)", " and ".join(map(paper_b.span, paper_b.HIGH_REGIONS)), ch11,
              "finding", _high_regions, PAPER_B_DATA),
        Claim("B", "coding emphasis (Figure 3)", f"positions {coding}", ch11, "finding", _emphasis(coding, True),
              PAPER_B_DATA),
        Claim("B", "intergenomic emphasis (Figure 3)", f"positions {intergenomic}", ch11, "finding",
              _emphasis(intergenomic, False), PAPER_B_DATA),
    ]
    return claims


def _words(value: Any) -> str:
    return "/".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _normal(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def mismatches(params: config.Config, needs: dict[str, tuple]) -> list[str]:
    """How the run's parameters differ from what a claim needs, in words (empty: comparable)."""
    out = []
    for name, allowed in needs.items():
        ran = _normal(params[name])
        if ran in allowed:
            continue
        wanted = next(v for v in allowed if v is not None)
        if (name, ran) in DATA_WORDS:
            out.append(f"ran on {DATA_WORDS[(name, ran)]}, not {DATA_WORDS[(name, wanted)]}")
        else:
            out.append(f"{name} {_words(params[name])}, not {_words(wanted)}")
    return out


def table(notebooks: Path, scale: Path | None = None) -> pd.DataFrame:
    """One row per claim: paper, claim, the paper's value, this book's value, the chapter (notebook stem), the
    folder of the notebook it was judged on (relative to the repository), the profile it ran with, the data in
    words, the verdict and its reason. ``notebooks`` holds the executed chapters; where ``scale`` (the scale
    tier's folder) holds the same chapter, the claim is judged on that one, the largest data the book ran, and
    ``on the CI tier`` gives the value the chapter in ``notebooks`` reached (empty otherwise)."""
    rows, cache = [], {}

    def judged(folder: Path, claim: Claim) -> tuple[str, str, str, str, str]:
        path = folder / f"{claim.chapter}.ipynb"
        if path not in cache:
            nb = executed.read(path)
            cache[path] = (records(nb), executed.resolved(nb), executed.profile_label(nb))
        recs, params, profile = cache[path]
        value, verdict, reason = claim.judge(recs)
        differs = mismatches(params, claim.needs)
        if differs and claim.kind == "measured":
            verdict, reason = NOT_COMPARABLE, "; ".join(differs)
        elif differs and claim.kind == "relative":
            reason += f" (a relative claim, measured on the {profile} profile's data: {'; '.join(differs)})"
        elif differs:
            reason += f" (judged on the {profile} profile's model: {'; '.join(differs)})"
        return value, verdict, reason, profile, data_words(claim.paper, params)

    for claim in _claims():
        at_scale = scale is not None and (scale / f"{claim.chapter}.ipynb").exists()
        folder = scale if at_scale else notebooks
        value, verdict, reason, profile, data = judged(folder, claim)
        rows.append({"paper": claim.paper, "claim": claim.claim, "paper's value": claim.paper_value,
                     "this book": value, "chapter": claim.chapter, "folder": _repo_relative(folder), "profile": profile,
                     "data": data, "verdict": verdict, "why": reason,
                     "on the CI tier": judged(notebooks, claim)[0] if at_scale else ""})
    return pd.DataFrame(rows)


def _repo_relative(folder: Path) -> str:
    """``folder`` relative to the repository (``notebooks``, ``notebooks/chromosomes``), else its name."""
    try:
        return folder.resolve().relative_to(paths.REPO).as_posix()
    except ValueError:
        return folder.name


def closing_note(frame: pd.DataFrame) -> str:
    """A Markdown summary of :func:`table`'s verdicts: what is reproduced, what is not and why, and what
    cannot be compared, grouped by reason."""
    def name(row) -> str:
        return f"paper {row['paper']}, {row['claim']}"

    parts = []
    for verdict in VERDICTS:
        chosen = frame[frame["verdict"] == verdict]
        if chosen.empty:
            parts.append(f"**{verdict.capitalize()}: none.**")
            continue
        parts.append(f"**{verdict.capitalize()} ({len(chosen)}):**")
        if verdict == NOT_COMPARABLE:
            for reason, group in chosen.groupby("why", sort=False):
                parts.append(f"- {'; '.join(map(name, group.to_dict('records')))}. Why: {reason}.")
        else:
            for row in chosen.to_dict("records"):
                paper_value, why = row["paper's value"], row["why"]
                parts.append(f"- {name(row)}: the paper reports {paper_value}, this book {row['this book']}. "
                             f"{why[0].upper()}{why[1:]}.")
    return "\n\n".join(parts)
