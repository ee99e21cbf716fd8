"""The shortcut check: can one trivial feature separate positives from negatives on its own?"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.tree import DecisionTreeClassifier

CHANCE = 50.0  # accuracy (%) of a constant guess on a balanced set
CHANCE_MARGIN = 3.0  # points: the least an accuracy must exceed chance by to count as above it


def chance_verdict(accuracy: float, spread: float) -> str:
    """Words for a cross-validated accuracy (%) against the chance level: "about chance level" when it exceeds
    :data:`CHANCE` by at most twice its spread over folds (``spread``, points) or :data:`CHANCE_MARGIN`, whichever
    is larger; otherwise "above chance"."""
    return "about chance level" if accuracy - CHANCE <= max(2 * spread, CHANCE_MARGIN) else "above chance"


def gc_content(seqs: pd.Series) -> np.ndarray:
    """Fraction of G or C in each sequence (N excluded from neither count; sequences here have none)."""
    return np.array([(s.count("G") + s.count("C")) / max(len(s), 1) for s in seqs])


def one_feature_accuracy(x: np.ndarray, y: np.ndarray, seed: int, folds: int = 5) -> tuple[float, float]:
    """Cross-validated accuracy (mean, standard deviation over ``folds`` stratified folds) of a depth-3
    decision tree that sees the single feature ``x`` (shape (n,)): up to 8 intervals of the feature, enough
    for a threshold or a band."""
    model = DecisionTreeClassifier(max_depth=3, random_state=seed)
    scores = cross_val_score(model, x.reshape(-1, 1), y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed))
    return float(scores.mean()), float(scores.std())


def shortcut_table(tables: dict[tuple[str, str], pd.DataFrame], seed: int) -> pd.DataFrame:
    """Accuracy of intron length alone and GC content alone, per (split, negative variant) table.

    Each table has ``length``, ``seq`` and ``label``. Returns one row per key with mean and std columns
    (percent); 50% is chance for these balanced sets.
    """
    rows = []
    for (split, variant), table in tables.items():
        y = table["label"].to_numpy()
        row = {"split": split, "negatives": variant, "rows": len(table)}
        for name, x in (("length", np.log10(table["length"].to_numpy())), ("GC", gc_content(table["seq"]))):
            mean, std = one_feature_accuracy(x, y, seed)
            row[f"{name} only %"], row[f"{name} ± %"] = round(100 * mean, 1), round(100 * std, 1)
        rows.append(row)
    return pd.DataFrame(rows).set_index(["split", "negatives"])


def train_test_accuracy(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> dict[str, float]:
    """Test accuracy (%) of the depth-3 one-feature tree trained on ``train``: length only and GC only."""
    out = {}
    for name, feature in (("length only", lambda t: np.log10(t["length"].to_numpy())),
                          ("GC only", lambda t: gc_content(t["seq"]))):
        model = DecisionTreeClassifier(max_depth=3, random_state=seed)
        model.fit(feature(train).reshape(-1, 1), train["label"].to_numpy())
        out[name] = 100 * float((model.predict(feature(test).reshape(-1, 1)) == test["label"].to_numpy()).mean())
    return out
