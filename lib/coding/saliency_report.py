"""What chapter 11 reports: the per-seed tables, the texts it glues, and paper B beside this book.

``per_seed`` is ``{seed: lib.coding.saliency.model_statistics(...)}`` over the models of a configuration and
``result`` one model's maps (:func:`lib.coding.attribution.analyse`); the figures show the first seed's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib import seeds
from lib.coding import accuracy, attribution, published, saliency

# The methods compared with plain gradients: glue prefix, row name, key of their maps in an analyse() result.
METHODS = (("ig", "Integrated Gradients", "ig"), ("sg", "SmoothGrad", "smoothgrad"))


def headline(P, data, results: dict[int, dict[str, np.ndarray]]) -> str:
    """Two lines: the models' seeds and the size of the test split of ``data``, then the sample sizes of
    configuration ``P``'s ``results`` (keyed by seed; the first seed's drawn)."""
    result = results[P.seed]
    importance, test_size = result["importance"], int((data.table["split"] == "test").sum())
    drawn = np.bincount(result["class_labels"], minlength=2)
    per_class = (f"{drawn[0]} per class" if drawn[0] == drawn[1] else
                 f"{drawn[0]} coding and {drawn[1]} intergenomic (the test split's, fewer than {P.saliency_per_class})")
    return (f"profile {P.profile!r}: models of seeds {list(results)} (figures: seed {P.seed}), test split of "
            f"{test_size:,} sequences ({P.gb_source})\n"
            f"Figures 1-2: {importance.shape[0]:,} sequences x {importance.shape[1]} positions; "
            f"Figure 3: {per_class}; method comparison: {len(result['ig'])} sequences")


def sample_texts(importance: np.ndarray, per_class: int) -> dict[str, str]:
    """``n_seqs`` (the sequences of an importance map (n, L)) and ``per_class`` (Figure 3's sequences per class)."""
    return {"n_seqs": f"{importance.shape[0]:,}", "per_class": f"{per_class:,}"}


def correlation_texts(per_seed: dict[int, dict]) -> dict[str, str]:
    """Figure 1's ``r`` of every seed's model and its 95% interval (``r_interval``), in seed order."""
    return {"r": ", ".join(f"{st['r']:.3f}" for st in per_seed.values()),
            "r_interval": "; ".join(f"{st['r_low']:.3f} to {st['r_high']:.3f}" for st in per_seed.values())}


def high_position_texts(numbers: dict, regions: list[tuple[int, int]]) -> dict[str, int | str]:
    """Figure 2's counts from :func:`lib.coding.saliency.summary` (``high_positions``, ``high_regions``,
    ``above_pooled``: ints) and the high-importance ``regions`` (runs of positions) as ``region_list``
    (``"3-9, 12"``)."""
    return {"high_positions": numbers["high_positions"], "high_regions": numbers["high_regions"],
            "above_pooled": numbers["above_pooled_p75"],
            "region_list": ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in regions)}


def region_frame(regions: list[tuple[int, int]]) -> pd.DataFrame:
    """The high-importance regions (runs of positions), one row each, numbered from 1: ``first``, ``last``."""
    return pd.DataFrame({"first": [a for a, _ in regions], "last": [b for _, b in regions]},
                        index=pd.RangeIndex(1, len(regions) + 1, name="high-importance region"))


def class_texts(classes: pd.DataFrame, regions: pd.DataFrame) -> dict[str, str]:
    """Figure 3's glued texts from :func:`lib.coding.saliency.class_means` and
    :func:`lib.coding.saliency.region_stats`: per paper region (``coding``, ``intergenomic``) the share of
    positions with delta > 0 (``share_*``), the mean relative delta (``rel_*``) and its share > 0
    (``relshare_*``); ``level_ratio``, mean coding over mean intergenomic importance."""
    texts = {}
    for key, name in zip(("coding", "intergenomic"), published.REGIONS):
        texts[f"share_{key}"] = f"{100 * regions.loc[name, ('delta', 'share delta > 0')]:.0f}%"
        texts[f"rel_{key}"] = f"{regions.loc[name, ('relative delta', 'mean delta')]:+.3f}"
        texts[f"relshare_{key}"] = f"{100 * regions.loc[name, ('relative delta', 'share delta > 0')]:.0f}%"
    texts["level_ratio"] = f"{classes['coding'].mean() / classes['intergenomic'].mean():.2f}"
    return texts


def spread_texts(per_seed: dict[int, dict]) -> dict[str, str]:
    """The seed-to-seed spread of every statistic chapter 11 reports per seed (``per_seed``: seed ->
    :func:`lib.coding.saliency.model_statistics`), as ``"<pooled sd> (df <degrees of freedom>)"``: they size the
    chapter's regression tolerances. ``sal_r_sd`` (Pearson r), ``sal_regions_sd`` (high-importance runs, and
    positions above the pooled percentile), ``sal_share_sd`` (shares of positions with delta > 0, %),
    ``sal_level_sd`` (level ratio), ``sal_p3_sd`` (median period-3 ratios of both classes), ``sal_p3_share_sd``
    (shares of ratios above 3, %)."""
    stats = list(per_seed.values())

    def spread(*groups) -> str:
        sd, df = seeds.pooled_sd(groups)
        return f"{sd:.3g} (df {df})"
    return {"sal_r_sd": spread([st["r"] for st in stats]),
            "sal_regions_sd": spread([st["high_regions"] for st in stats], [st["above_pooled"] for st in stats]),
            "sal_share_sd": spread(*([100 * st["delta_positive_share"][k] for st in stats]
                                     for k in stats[0]["delta_positive_share"])),
            "sal_level_sd": spread([st["level_ratio"] for st in stats]),
            "sal_p3_sd": spread(*([st["period3"][k] for st in stats] for k in ("coding", "intergenomic"))),
            "sal_p3_share_sd": spread(*([100 * st["period3"][k] for st in stats]
                                        for k in ("share_coding", "share_intergenomic")))}


def score_record(per_seed: dict[int, dict]) -> dict:
    """What the scorecard judges: ``seeds``, every seed's statistics with its ``seed``, in seed order."""
    return {"seeds": [{"seed": s, **st} for s, st in per_seed.items()]}


def periodicity_table(per_seed: dict[int, dict]) -> pd.DataFrame:
    """The codon-periodicity test (:func:`lib.coding.saliency.period3_test`) of every seed's model, one row per
    seed: median period-3 ratio of each class, Mann-Whitney p, share of ratios above 3 per class, ``holds``."""
    return pd.DataFrame({s: {"median ratio, coding": st["period3"]["coding"],
                             "median ratio, intergenomic": st["period3"]["intergenomic"],
                             "Mann-Whitney p": st["period3"]["p"],
                             "share > 3, coding": st["period3"]["share_coding"],
                             "share > 3, intergenomic": st["period3"]["share_intergenomic"],
                             "holds": st["period3"]["holds"]} for s, st in per_seed.items()}).T.rename_axis("seed")


def periodicity_texts(periodicity: pd.DataFrame) -> dict[str, str]:
    """The glued texts of a :func:`periodicity_table` (``p3_*``: one value per seed, comma-separated), how many
    seeds' models the finding holds for, the factor it needs, and a verdict in words."""
    holds, n = int(periodicity["holds"].sum()), len(periodicity)
    return {"p3_coding": ", ".join(f"{v:.2f}" for v in periodicity["median ratio, coding"]),
            "p3_intergenomic": ", ".join(f"{v:.2f}" for v in periodicity["median ratio, intergenomic"]),
            "p3_p": ", ".join(f"{v:.1e}" for v in periodicity["Mann-Whitney p"]),
            "p3_share_coding": ", ".join(f"{100 * v:.0f}%" for v in periodicity["share > 3, coding"]),
            "p3_share_intergenomic": ", ".join(f"{100 * v:.0f}%" for v in periodicity["share > 3, intergenomic"]),
            "p3_holds": f"{holds} of {n}", "p3_factor": f"{saliency.PERIOD3_FACTOR:g}",
            "p3_verdict": "holds on every seed" if holds == n else
                          "does not hold on most seeds" if 2 * holds <= n else "holds on most seeds, not all"}


def method_agreement(result: dict[str, np.ndarray]) -> pd.DataFrame:
    """:func:`lib.coding.saliency.agreement` of Integrated Gradients and of SmoothGrad (rows) with plain
    gradients, on the sequences where they were compared (:func:`lib.coding.attribution.compared`)."""
    return pd.DataFrame({name: saliency.agreement(attribution.compared(result), result[key])
                         for _, name, key in METHODS}).T


def agreement_texts(agreement: pd.DataFrame, n_compare: int, P) -> dict[str, int | str]:
    """The glued texts of a :func:`method_agreement` table on ``n_compare`` sequences: ``n_compare``, the
    settings of configuration ``P`` (``ig_steps``, ``sg_samples``: ints), and per method the mean
    per-sequence Spearman (``*_rho``), the Pearson r of the positional means (``*_r``) and the top-quartile
    Jaccard overlap (``*_jaccard``)."""
    texts = {"n_compare": f"{n_compare:,}", "ig_steps": P.saliency_ig_steps,
             "sg_samples": P.saliency_smoothgrad_samples}
    for key, name, _ in METHODS:
        texts[f"{key}_rho"] = f"{agreement.loc[name, 'per-sequence Spearman (mean)']:.2f}"
        texts[f"{key}_r"] = f"{agreement.loc[name, 'Pearson r of positional means']:.2f}"
        texts[f"{key}_jaccard"] = f"{agreement.loc[name, 'top-quartile Jaccard']:.2f}"
    return texts


def closing_table(results: pd.DataFrame, counts: dict[str, int], per_seed: dict[int, dict],
                  result: dict[str, np.ndarray], gb_source: str) -> pd.DataFrame:
    """Paper B beside this book, one row per quantity: the accuracies over seeds
    (:func:`lib.coding.accuracy.seed_results`), the model size (:func:`lib.coding.model.parameter_counts`), every
    seed's r and codon-periodicity test (``per_seed``), and the high positions, class regions and method
    agreement of the first seed's maps ``result``. ``gb_source``: the data the models trained on."""
    acc = {name: accuracy.mean_sd_text(results[f"{name} accuracy"]) for name in ("test", "real", "real balanced")}
    importance = result["importance"]
    numbers = saliency.summary(saliency.positional_stats(importance), importance)
    regions = saliency.region_stats(saliency.class_means(result["class_importance"], result["class_labels"]))
    shares, rel = regions[("delta", "share delta > 0")], regions[("relative delta", "mean delta")]
    periodicity, agreement = periodicity_table(per_seed), method_agreement(result)
    medians = zip(periodicity["median ratio, coding"], periodicity["median ratio, intergenomic"])
    coding, intergenomic = (published.span(region) for region in published.REGIONS.values())
    return pd.DataFrame([
        ("Table 1: accuracy", f"{published.ACCURACY}% (HyenaDNA {published.HYENADNA_ACCURACY}%)",
         (f"{acc['test']} {accuracy.TEST_LABELS[gb_source]}; {acc['real']} on the held-out real benchmark sequences "
          f"({acc['real balanced']} class-balanced; {len(results)} seeds)")),
        ("parameters", f"{published.PARAMETERS:,}",
         f"{counts['state dict values']:,} state-dict values ({counts['learnable parameters']:,} learnable)"),
        ("Figure 1: r(mean, SD)", f"{published.PEARSON_R:.3f}",
         ", ".join(f"{st['r']:.3f}" for st in per_seed.values()) + " (one per seed)"),
        ("Figure 2: high importance", f"{published.HIGH_POSITIONS_WORD} positions / regions",
         (f"{numbers['high_positions']} positions in {numbers['high_regions']} regions; "
          f"{numbers['above_pooled_p75']} above the pooled 75th percentile")),
        (f"Figure 3: {coding}", "coding emphasis (delta > 0)",
         f"delta > 0 at {100 * shares.iloc[0]:.0f}% of positions; relative delta {rel.iloc[0]:+.3f}"),
        (f"Figure 3: {intergenomic}", "intergenomic emphasis (delta < 0)",
         f"delta > 0 at {100 * shares.iloc[1]:.0f}% of positions; relative delta {rel.iloc[1]:+.3f}"),
        ("codon periodicity", "suggested, not measured",
         (f"coding more period-3 than intergenomic on {int(periodicity['holds'].sum())} of {len(periodicity)} "
          f"seeds (median ratios {', '.join(f'{c:.2f} vs {i:.2f}' for c, i in medians)})")),
        ("IG / SmoothGrad vs gradient", "not compared",
         f"Spearman {agreement.iloc[0, 0]:.2f} (IG), {agreement.iloc[1, 0]:.2f} (SmoothGrad)"),
    ], columns=["quantity", "paper B", "this book"]).set_index("quantity")
