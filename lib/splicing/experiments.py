"""Paper A's experiments as functions of the resolved profile parameters ``P`` (chapters 02-04).

Each returns cached results when the same parameters ran before (:func:`lib.cache.trained`), so chapter 03
reuses chapter 02's autoencoder and chapter 04 reuses both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib import cache, seeds
from lib import device as devices
from lib.data import sources
from lib.recipe import Recipe
from lib.splicing import attribution, junctions, published, train
from lib.splicing.models import Autoencoder, Encoder
from lib.splicing.tokens import encode_all


def settings(P) -> str:
    """One line naming the profile, the device and the settings of chapters 02-04's models."""
    return (f"profile {P.profile!r} on {devices.pick(P.device).type}: max_len {P.max_len}, embedding {P.embed_dim}, "
            f"latents {list(P.ae_latents)} (downstream {P.ae_latent}), {P.ae_epochs} autoencoder epochs, "
            f"classifiers up to {P.clf_epochs} epochs (patience {P.patience}), seeds {list(P.clf_seeds)}")


def junction_data(P) -> junctions.JunctionSet:
    """Chapter 01's data set for these parameters (built once, then read from the cache)."""
    return junctions.build(sources.get(P.source), P.contigs, P.flank, P.max_len, P.seed, progress=lambda m: None)


def held_out_split(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded split of ``range(n)`` into (kept, held out) index arrays, ``fraction`` held out (at least 1)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = max(1, round(n * fraction))
    return np.sort(order[cut:]), np.sort(order[:cut])


@dataclass
class AutoencoderRun:
    model: Autoencoder
    history: list[dict]
    latent: int


def autoencoder(P, latent: int, data: junctions.JunctionSet | None = None, seed: int | None = None) -> AutoencoderRun:
    """The autoencoder with ``latent`` dimensions, trained on the training positives only (90%; 10% held
    out to measure reconstruction), as the paper trains it on release 20's junctions. ``seed`` (default
    ``P.seed``) sets the initial weights and the batch order; the held-out split always follows ``P.seed``."""
    seed = P.seed if seed is None else seed
    data = data or junction_data(P)
    seqs = data.split("train").query("label == 1")["seq"].tolist()
    kept, held = held_out_split(len(seqs), 0.1, P.seed)
    params = {"latent": latent, "embed": P.embed_dim, "packed": P.packed, "epochs": P.ae_epochs, "batch": P.batch_size,
              "lr": P.lr, "init": "seeded",
              "seed": seed, "data": train.data_key(seqs)}
    tokens = encode_all(seqs)

    def fit(model):
        return train.fit_autoencoder(model, [tokens[i] for i in kept], [tokens[i] for i in held],
                                     Recipe(P.ae_epochs, P.batch_size, P.lr, seed), devices.pick(P.device))

    def make():  # seeded before construction: the initial weights depend on the seed alone
        torch.manual_seed(seed)
        return Autoencoder(latent, P.embed_dim, P.packed)

    model, history = cache.trained("models", "autoencoder", params, make, fit)
    return AutoencoderRun(model, history, latent)


def encoders(P, data: junctions.JunctionSet | None = None) -> dict[int, Encoder]:
    """The trained encoder (latent ``P.ae_latent``) of each classifier seed: classifier seed ``s`` builds on the
    autoencoder trained with seed ``s``, so claims over seeds include the encoder's own seed-to-seed spread."""
    data = data or junction_data(P)
    return {seed: autoencoder(P, P.ae_latent, data, seed).model.encoder for seed in P.clf_seeds}


def untrained_encoder(P, latent: int, seed: int | None = None) -> Encoder:
    """An encoder with the same architecture and a seeded random initialization (``seed``, default ``P.seed``),
    never trained (a control)."""
    torch.manual_seed(P.seed if seed is None else seed)
    return Autoencoder(latent, P.embed_dim, P.packed).encoder


@dataclass
class ClassifierData:
    """Tokens and labels of the classifier splits: train (90% of the training split), val (10%, for early
    stopping), test (the novel-junction split); ``tables`` holds the rows behind them."""

    tokens: dict[str, list[torch.Tensor]]
    labels: dict[str, np.ndarray]
    tables: dict[str, pd.DataFrame]


def classifier_data(P, data: junctions.JunctionSet | None = None) -> ClassifierData:
    data = data or junction_data(P)
    full = data.split("train", P.negatives)
    kept, held = held_out_split(len(full), 0.1, P.seed + 1)
    tables = {"train": full.iloc[kept].reset_index(drop=True), "val": full.iloc[held].reset_index(drop=True),
              "test": data.split("test", P.negatives)}
    return ClassifierData({k: encode_all(t["seq"]) for k, t in tables.items()},
                          {k: t["label"].to_numpy() for k, t in tables.items()}, tables)


def classifier_run(P, kind: str, initialized: bool, seed: int, sets: ClassifierData, encoder: Encoder | None):
    """One Table 1 run: train (or load) a classifier and score it on the test split.

    Returns (model, history, test scores). ``initialized`` runs take ``encoder``'s embedding and LSTM weights;
    everything else (random init of the other layers, data order, budget, early stopping) is shared.
    """
    hidden = P.ae_latent // 2
    params = {"kind": kind, "initialized": initialized, "seed": seed, "hidden": hidden, "embed": P.embed_dim,
              "packed": P.packed,
              "epochs": P.clf_epochs, "patience": P.patience, "batch": P.batch_size, "lr": P.lr,
              "data": train.data_key(sets.tables["train"]["seq"], sets.labels["train"]),
              "encoder": cache.module_digest(encoder) if initialized else None}

    def fit(model):
        return train.fit_classifier(model, sets.tokens["train"], sets.labels["train"], sets.tokens["val"],
                                    sets.labels["val"], Recipe(P.clf_epochs, P.batch_size, P.lr, seed, P.patience),
                                    devices.pick(P.device))

    def make():
        return train.classifier(kind, hidden, P.embed_dim, seed, encoder if initialized else None, P.packed)

    model, history = cache.trained("models", "classifier", params, make, fit)
    probability = train.predict(model, sets.tokens["test"], P.batch_size, devices.pick(P.device))
    return model, history, train.scores(probability, sets.labels["test"])


LABELS = {"lstm": "LSTM", "bilstm": "BiLSTM", "bilstm_attention": "BiLSTM + attention"}


def table1_runs(P, sets: ClassifierData, encoders: dict[int, Encoder]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every (model, initialization, seed) run of Table 1; initialized runs of seed ``s`` take ``encoders[s]``.

    Returns (runs: one row per run with test accuracy/AUC %, epochs trained and the first epoch whose
    validation accuracy reached ``P.converge_acc``; curves: one row per run and epoch)."""
    runs, curves = [], []
    for kind in LABELS:
        for init in ("random", "autoencoder"):
            for seed in P.clf_seeds:
                _, history, test = classifier_run(P, kind, init == "autoencoder", seed, sets, encoders[seed])
                reached = [h["epoch"] for h in history if h["val_accuracy"] >= P.converge_acc]
                runs.append({"model": kind, "init": init, "seed": seed, "test accuracy %": 100 * test["accuracy"],
                             "test AUC %": 100 * test["auc"], "epochs trained": len(history),
                             "epochs to converge_acc": reached[0] if reached else np.nan,
                             "seconds per epoch": np.mean([h["seconds"] for h in history])})
                curves += [{"model": kind, "init": init, "seed": seed, **h} for h in history]
    return pd.DataFrame(runs), pd.DataFrame(curves)


def table1_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over seeds per (init, model), beside the paper's accuracy."""
    grouped = runs.groupby(["init", "model"], sort=False)
    table = pd.DataFrame({
        "accuracy % (mean)": grouped["test accuracy %"].mean(),
        "accuracy % (sd)": grouped["test accuracy %"].std(ddof=1),
        "AUC % (mean)": grouped["test AUC %"].mean(),
        "AUC % (sd)": grouped["test AUC %"].std(ddof=1),
        "epochs to converge_acc (mean)": grouped["epochs to converge_acc"].mean(),
        "runs reaching it": grouped["epochs to converge_acc"].count(),
        "seeds": grouped.size(),
    }).round(2)
    table.insert(0, "paper accuracy %", [published.TABLE1[key] for key in table.index])
    return table.rename(index=LABELS, level="model")


def initialization_effects(runs: pd.DataFrame, budget: int) -> pd.DataFrame:
    """The paper's two claims about initialization as paired differences over seeds (:func:`lib.seeds.
    paired_effect`), per model: test accuracy (points; initialized minus random) and epochs saved in reaching
    ``converge_acc`` (random minus initialized: positive means initialized models converge faster; a run that
    never reached it within the ``budget`` counts as ``budget + 1``). One row per (model, quantity); a verdict
    of "holds" supports the paper's claim."""
    rows = []
    for kind, label in LABELS.items():
        pair = runs[runs["model"] == kind].pivot(index="seed", columns="init")
        reached = pair["epochs to converge_acc"].fillna(budget + 1)
        for quantity, treated, control in (
                ("test accuracy (points)", pair["test accuracy %"]["autoencoder"], pair["test accuracy %"]["random"]),
                ("epochs saved reaching converge_acc", reached["random"], reached["autoencoder"])):
            rows.append({"model": label, "quantity": quantity, **seeds.paired_effect(treated, control)})
    return pd.DataFrame(rows).set_index(["model", "quantity"])


def attribution_sample(P, sets: ClassifierData) -> pd.DataFrame:
    """``P.ig_n`` test rows, half positives and half negatives, drawn with ``P.seed``."""
    test = sets.tables["test"]
    per_class = P.ig_n // 2
    picked = [group.sample(min(per_class, len(group)), random_state=P.seed) for _, group in test.groupby("label")]
    return pd.concat(picked).sort_index()


IG_TOLERANCE = 0.01  # largest accepted |delta| / sum |attribution| of a sequence before its steps are doubled
IG_JUDGED_SHARE = 0.5  # a seed's IG statistics are judged only if this share of its attributed positives converged


def attributions(P, model, rows: pd.DataFrame, baseline: str) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """IG attributions (one array per row), convergence deltas and the steps each row needed, cached by
    parameters. Steps start at ``P.ig_steps`` and double per row up to ``P.ig_max_steps`` until the row's
    relative delta is at most :data:`IG_TOLERANCE` (:func:`lib.splicing.attribution.converged_integrated_gradients`).

    ``baseline``: ``"zero"`` (zero embedding, the paper's) or ``"shuffled"`` (a dinucleotide-shuffled copy of
    each sequence, seeded)."""
    params = {"model": cache.module_digest(model), "rows": train.data_key(rows["seq"]), "baseline": baseline,
              "steps": P.ig_steps, "max_steps": P.ig_max_steps, "tolerance": IG_TOLERANCE, "seed": P.seed}

    def compute():
        references = attribution.shuffled_references(rows["seq"], P.seed) if baseline == "shuffled" else None
        return attribution.converged_integrated_gradients(
            model, encode_all(rows["seq"]), references, P.ig_steps, P.ig_max_steps, IG_TOLERANCE,
            P.ig_internal_batch, P.batch_size, devices.pick(P.device))

    def save(result, tmp):
        values, deltas, steps = result
        with open(tmp, "wb") as handle:  # a file object: np.savez would add ".npz" to a bare path
            np.savez(handle, deltas=deltas, steps=steps, **{f"a{i}": v for i, v in enumerate(values)})

    def load(path):
        stored = np.load(path)
        return [stored[f"a{i}"] for i in range(len(rows))], stored["deltas"], stored["steps"]

    return cache.cached("attributions", "ig", params, "npz", compute, save, load)
