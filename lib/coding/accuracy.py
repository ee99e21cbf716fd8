"""Paper B's Table 1 in this book: the CNN's accuracy over seeds, beside the published accuracies.

Every configuration trains ``cnn_seeds`` models (:func:`lib.coding.training.trained`); each is evaluated on the
test split of its data (with the slice source: held-out genome blocks, the validation data of the recipe
search) and on the held-out real benchmark sequences (:func:`seed_results`), the latter also per reference,
class and benchmark split (:func:`real_groups`). The benchmark's test split is balanced, so the number to set
beside the published accuracies is the class-balanced accuracy on the real sequences (the mean of the two
class recalls): the real sequences here are mostly coding. Accuracies are fractions in the results and
percentages in the tables and the texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib import device
from lib.book.scorecard import spread
from lib.coding import genomic_benchmarks as gb
from lib.coding import published, training

REAL_LABEL = "real benchmark sequences, held out"
TEST_LABELS = {"slice": "slice held-out blocks (validation)", "chromosomes": "chromosomes' held-out blocks "
               "(validation)", "archive": "benchmark test split"}  # by gb_source
ALL = "all"


def seed_results(P, data) -> pd.DataFrame:
    """One row per seed of configuration ``P`` (:func:`lib.coding.training.seeds`), indexed by ``seed``:
    accuracy, class recalls and sequences (:func:`lib.coding.training.evaluate`) on the test split
    (``test ...``) and on the held-out real benchmark sequences (``real ...``) of ``data``, ``training s``
    (seconds, all epochs) and ``training sequences/s`` (mean over epochs). Models come from the cache or are
    trained, in parallel where that cannot change them (:func:`lib.coding.training.train_all`)."""
    dev, rows = device.pick(P.device), []
    test, real = data.arrays("test"), data.arrays(real=True)
    training.train_all(P, data)
    for seed in training.seeds(P):
        model, history = training.trained(P, data, seed)
        row = {"seed": seed}
        for name, (tokens, labels) in (("test", test), ("real", real)):
            row |= {f"{name} {key}": value for key, value in training.evaluate(model, tokens, labels, dev).items()}
        row["real balanced accuracy"] = (row["real coding recall"] + row["real intergenomic recall"]) / 2
        row |= {"training s": sum(h["seconds"] for h in history),
                "training sequences/s": float(np.mean([h["sequences_per_s"] for h in history]))}
        rows.append(row)
    return pd.DataFrame(rows).set_index("seed")


def real_groups(P, data) -> pd.DataFrame:
    """The accuracy (%) of configuration ``P``'s models on the held-out real benchmark sequences of ``data`` per
    ``reference`` (where the sequence was rebuilt from), ``class`` and benchmark ``split``, then per class over
    both references and splits (:data:`ALL`), and over everything: ``sequences``, the ``mean``, ``SD``,
    ``min`` and ``max`` over seeds, and ``seeds``. Rows indexed by (reference, class, split). The models come
    from the cache (:func:`seed_results` trains them)."""
    held = data.real[data.real["held_out"]].reset_index(drop=True)
    tokens, labels = data.arrays(real=True)
    dev = device.pick(P.device)
    seeds = list(training.seeds(P))
    correct = pd.DataFrame({seed: training.probabilities(training.trained(P, data, seed)[0], tokens,
                                                         training.EVAL_BATCH, dev).argmax(1) == labels
                            for seed in seeds})
    keys = pd.DataFrame({"reference": held["reference"], "class": held["label"].map(dict(enumerate(gb.CLASSES))),
                         "split": held["split"]})
    parts = [keys, keys.assign(reference=ALL, split=ALL), keys.assign(reference=ALL, split=ALL, **{"class": ALL})]
    rows = []
    for part in parts:
        for group, index in part.groupby(["reference", "class", "split"], sort=False).groups.items():
            per_seed = 100 * correct.loc[index].mean()
            rows.append((*group, len(index), per_seed.mean(), per_seed.std(ddof=1) if len(seeds) > 1 else np.nan,
                         per_seed.min(), per_seed.max(), len(seeds)))
    table = pd.DataFrame(rows, columns=["reference", "class", "split", "sequences", "mean", "SD", "min", "max",
                                        "seeds"])
    return table.drop_duplicates(["reference", "class", "split"]).set_index(["reference", "class", "split"])


def group_texts(groups: pd.DataFrame) -> dict[str, str]:
    """Chapter 10's glued texts of :func:`real_groups`: for every class and for all sequences (``real_all``,
    ``real_coding_seqs``, ``real_intergenomic_seqs``), ``mean ± SD (min-max) on n``, in percent."""
    texts = {}
    for cls in (ALL, *gb.CLASSES):
        row = groups.loc[(ALL, cls, ALL)]
        texts[f"real_{cls}"] = (f"{row['mean']:.1f}% ± {row['SD']:.1f} ({row['min']:.1f}-{row['max']:.1f}%) on "
                                f"{int(row['sequences']):,}")
    return texts


def table1(results: pd.DataFrame, gb_source: str) -> pd.DataFrame:
    """Paper B's Table 1 with this book's rows first: mean and SD over seeds (NaN for one seed) of the test
    accuracy, the real-sequence accuracy and the class-balanced real-sequence accuracy (percent) of
    :func:`seed_results`, then :data:`lib.coding.published.TABLE1` (SD NaN). Columns ``method``,
    ``evaluated on / source``, ``accuracy %``, ``SD %``."""
    n, real = len(results), int(results["real sequences"].iloc[0])
    rows = ((TEST_LABELS[gb_source], "test accuracy"), (f"{REAL_LABEL}: all {real:,}", "real accuracy"),
            (f"{REAL_LABEL}: class-balanced", "real balanced accuracy"))
    ours = [("SimpleSaliencyCNN, this book", f"{label} ({n} seeds)", 100 * results[column].mean(),
             100 * results[column].std(ddof=1) if n > 1 else float("nan")) for label, column in rows]
    quoted = [(method, f"published: {source}", value, float("nan")) for method, source, value in published.TABLE1]
    return pd.DataFrame(ours + quoted, columns=["method", "evaluated on / source", "accuracy %", "SD %"])


def mean_sd_text(fractions: pd.Series) -> str:
    """Mean ± sample SD of accuracies given as fractions, in percent with one decimal: ``"78.1% ± 0.9"``."""
    return f"{100 * fractions.mean():.1f}% ± {100 * fractions.std(ddof=1):.1f}"


def baseline_text(results: pd.DataFrame) -> str:
    """How many seeds' class-balanced accuracy on the real sequences (:func:`seed_results`) reaches each of the
    benchmark's CNN baselines: ``"3 of 3 seeds reach 87.6%, 1 of 3 reach 89.6%"``."""
    balanced, n = 100 * results["real balanced accuracy"], len(results)
    return ", ".join(f"{int((balanced >= b).sum())} of {n} seeds reach {b}%" for b in published.CNN_BASELINES)


def binomial_se(accuracy: float, n: int) -> float:
    """The binomial standard error of an accuracy ``accuracy`` (fraction) measured on ``n`` sequences, in
    percentage points."""
    return 100 * np.sqrt(accuracy * (1 - accuracy) / n)


def training_texts(P, results: pd.DataFrame) -> dict[str, int | str]:
    """Chapter 10's glued values of the training runs: configuration ``P``'s ``epochs`` and ``batch_size``
    (ints), ``train_seconds`` (all seeds) and ``train_rate`` (mean sequences per second)."""
    return {"epochs": P.cnn_epochs, "batch_size": P.cnn_batch_size,
            "train_seconds": f"{results['training s'].sum():.0f} s",
            "train_rate": f"{results['training sequences/s'].mean():,.0f}"}


def accuracy_texts(results: pd.DataFrame, histories: list[list[dict[str, float]]]) -> dict[str, str | int]:
    """Chapter 10's glued results of :func:`seed_results`: ``acc_test``, ``acc_real`` and ``acc_real_balanced``
    (:func:`mean_sd_text`), ``real_vs_baselines`` (:func:`baseline_text`),
    the mean real-sequence recalls of each class, ``n_seeds`` (an int), ``n_real_held_out``, ``real_se`` (the
    binomial standard error of the mean real accuracy, points) and ``train_acc``, the mean over the seeds'
    training ``histories`` of the last epoch's training accuracy."""
    held_out = results["real sequences"].iloc[0]
    return {"acc_test": mean_sd_text(results["test accuracy"]), "acc_real": mean_sd_text(results["real accuracy"]),
            "acc_real_balanced": mean_sd_text(results["real balanced accuracy"]),
            "real_vs_baselines": baseline_text(results),
            "real_coding_recall": f"{100 * results['real coding recall'].mean():.1f}%",
            "real_intergenomic_recall": f"{100 * results['real intergenomic recall'].mean():.1f}%",
            "n_seeds": len(results), "n_real_held_out": f"{int(held_out):,}",
            "real_se": f"{binomial_se(results['real accuracy'].mean(), held_out):.1f}",
            "train_acc": f"{100 * np.mean([h[-1]['accuracy'] for h in histories]):.1f}%"}


def score_record(results: pd.DataFrame) -> dict:
    """What the scorecard judges of :func:`seed_results`: ``test``, ``real`` and ``real_balanced`` accuracy
    (percent) as :func:`lib.book.scorecard.spread` (mean, SD, n), ``real`` with its number of ``sequences``."""
    return {"test": spread(100 * results["test accuracy"]),
            "real": {**spread(100 * results["real accuracy"]), "sequences": int(results["real sequences"].iloc[0])},
            "real_balanced": spread(100 * results["real balanced accuracy"])}
