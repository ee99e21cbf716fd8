"""Paper A's experiments as functions of the resolved profile parameters ``P`` (chapters 02-04).

Each returns cached results when the same parameters ran before (:func:`lib.cache.trained`), so chapter 03
reuses chapter 02's autoencoder and chapter 04 reuses both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib import cache, choice, numerics, seeds, workers
from lib import device as devices
from lib.data import sources
from lib.recipe import Recipe
from lib.splicing import attribution, control, junctions, published, train
from lib.splicing.models import Autoencoder, Encoder
from lib.splicing.tokens import encode_all


def settings(P) -> str:
    """One line naming the profile, the device and the settings of chapters 02-04's models."""
    return (f"profile {P.profile!r} on {devices.pick(P.device).type}: max_len {P.max_len}, embedding {P.embed_dim}, "
            f"latents {list(P.ae_latents)} (downstream {P.ae_latent}), {P.ae_epochs} autoencoder epochs, "
            f"classifiers up to {P.clf_epochs} epochs (patience {P.patience}), seeds {list(P.clf_seeds)}")


def junction_data(P) -> junctions.JunctionSet:
    """Chapter 01's data set for these parameters (built once, then read from the cache)."""
    return junctions.build(sources.of(P), P.contigs, P.flank, P.max_len, P.seed, progress=lambda m: None)


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
    variant: str


# The autoencoder as the paper describes it, and the standard remedies tried beside it (chapter 02)
AE_VARIANTS: dict[str, dict] = {
    "paper": {},
    "reverse": {"reverse": True},  # the decoder emits the sequence last base first
    "curriculum": {"curriculum": True},  # short sequences first, every length from half-way
    "more data": {"extra": True},  # as many unlabeled sequences again: other introns, then genomic windows
}


def autoencoder(P, latent: int, data: junctions.JunctionSet | None = None, seed: int | None = None,
                variant: str = "paper", epochs: int | None = None) -> AutoencoderRun:
    """The autoencoder with ``latent`` dimensions, trained on the training positives only (90%; 10% held
    out to measure reconstruction), as the paper trains it on release 20's junctions. ``seed`` (default
    ``P.seed``) sets the initial weights and the batch order; the held-out split always follows ``P.seed``.
    ``variant``: a key of :data:`AE_VARIANTS`; ``epochs``: default ``P.ae_epochs``."""
    if variant not in AE_VARIANTS:
        raise ValueError(f"unknown autoencoder variant {variant!r}; choose one of {', '.join(AE_VARIANTS)}")
    seed = P.seed if seed is None else seed
    epochs = P.ae_epochs if epochs is None else epochs
    data = data or junction_data(P)
    seqs = data.split("train").query("label == 1")["seq"].tolist()
    kept, held = held_out_split(len(seqs), 0.1, P.seed)
    options = AE_VARIANTS[variant]
    params = {"latent": latent, "embed": P.embed_dim, "packed": P.packed, "epochs": epochs, "batch": P.batch_size,
              "lr": P.lr, "init": "seeded", "seed": seed, "data": train.data_key(seqs), "training": train.VERSION,
              "threads": workers.TRAIN_THREADS, **options}
    if P.precision != "fp32":  # float32 models keep the keys they had before the knob existed
        params["precision"] = P.precision
    tokens = encode_all(seqs)
    training = [tokens[i] for i in kept]
    if options.get("extra"):
        extra = extra_sequences(P, data, len(kept))
        params["extra"] = train.data_key(extra)
        training += encode_all(extra)

    def fit(model):
        with numerics.fixed_threads(workers.TRAIN_THREADS):
            return train.fit_autoencoder(model, training, [tokens[i] for i in held],
                                         Recipe(epochs, P.batch_size, P.lr, seed, precision=P.precision),
                                         devices.pick(P.device),
                                         curriculum=options.get("curriculum", False))

    def make():  # seeded before construction: the initial weights depend on the seed alone
        torch.manual_seed(seed)
        return Autoencoder(latent, P.embed_dim, P.packed, reverse=options.get("reverse", False))

    model, history = cache.trained("models", "autoencoder", params, make, fit)
    return AutoencoderRun(model, history, latent, variant)


def extra_sequences(P, data: junctions.JunctionSet, total: int) -> list[str]:
    """``total`` unlabeled sequences for the "more data" autoencoder (:func:`lib.splicing.junctions.unlabeled`:
    other annotated introns, then genomic windows; none from the test split or the held-out positives), built
    once and cached as text, one sequence per line."""
    seqs = data.split("train").query("label == 1")
    held = seqs.iloc[held_out_split(len(seqs), 0.1, P.seed)[1]]
    params = {"data": train.data_key(data.train["seq"]) + train.data_key(data.test["seq"]), "total": total,
              "seed": P.seed, "flank": P.flank, "max_len": P.max_len, "contigs": P.contigs and list(P.contigs)}
    return cache.cached("junctions", "unlabeled", params, "txt",
                        lambda: junctions.unlabeled(sources.of(P), data, P.contigs, P.flank, P.max_len,
                                                    total, P.seed, set(held[junctions.KEY].itertuples(
                                                        index=False, name=None))),
                        lambda value, tmp: tmp.write_text("\n".join(value)),
                        lambda path: path.read_text().split("\n"))


def ae_held_out(P, data: junctions.JunctionSet | None = None) -> list[torch.Tensor]:
    """Tokens of the autoencoder's held-out training positives (10%, drawn with ``P.seed``)."""
    data = data or junction_data(P)
    seqs = data.split("train").query("label == 1")["seq"].tolist()
    return encode_all([seqs[i] for i in held_out_split(len(seqs), 0.1, P.seed)[1]])


def reconstruction_hits(P, run: AutoencoderRun, data: junctions.JunctionSet | None = None) -> list[np.ndarray]:
    """Which bases of each held-out training positive (:func:`ae_held_out`) ``run``'s autoencoder
    reconstructs: one bool array per sequence."""
    return train.reconstructed(run.model, ae_held_out(P, data), P.batch_size, devices.pick(P.device))


def addition_epochs(P) -> int:
    """Epochs of each of chapter 02's additions (the remedies and the replicas): ``P.ae_addition_epochs``, or
    ``P.ae_epochs`` when it is unset."""
    return P.ae_epochs if P.ae_addition_epochs is None else P.ae_addition_epochs


def variant_runs(P, data: junctions.JunctionSet | None = None) -> dict[str, AutoencoderRun]:
    """Every variant of :data:`AE_VARIANTS` at the downstream size ``P.ae_latent``, seed ``P.seed``, trained for
    :func:`addition_epochs`."""
    data = data or junction_data(P)
    return {v: autoencoder(P, P.ae_latent, data, variant=v, epochs=addition_epochs(P)) for v in AE_VARIANTS}


def replicas(P, data: junctions.JunctionSet | None = None, variant: str = "paper") -> dict[int, AutoencoderRun]:
    """``variant``'s autoencoder of size ``P.ae_latent`` for every classifier seed (``P.clf_seeds``), trained for
    :func:`addition_epochs`: the seed spread that the variant choice weighs the variants' gaps against."""
    data = data or junction_data(P)
    return {seed: autoencoder(P, P.ae_latent, data, seed, variant, addition_epochs(P)) for seed in P.clf_seeds}


def replica_sd(P, data: junctions.JunctionSet | None = None, variant: str = "paper") -> float:
    """Seed-to-seed sd (nats/base) of the lowest held-out loss of ``variant``'s :func:`replicas` (NaN for one
    seed)."""
    losses = [min(h["held_out_loss"] for h in run.history) for run in replicas(P, data, variant).values()]
    return float(np.std(losses, ddof=1)) if len(losses) > 1 else float("nan")


def variant_choice(runs: dict[str, AutoencoderRun], seed_sd: float) -> choice.Choice:
    """Which variant of :data:`AE_VARIANTS` feeds chapters 03-05 (:mod:`lib.choice`): each variant's lowest
    held-out reconstruction loss (one run each) against the seed sd ``seed_sd`` of one run (the paper variant's
    replicas, :func:`replica_sd`). A remedy replaces the paper's variant only when it wins by more than the
    margin; ties go to the order of :data:`AE_VARIANTS`. The held-out training positives decide; the test split
    is never read."""
    scores = {v: choice.Score(min(h["held_out_loss"] for h in run.history), seed_sd) for v, run in runs.items()}
    return choice.choose(scores, [v for v in AE_VARIANTS if v in runs])


def chosen_variant(P, data: junctions.JunctionSet | None = None) -> choice.Choice:
    """:func:`variant_choice` of ``P``'s trained variants and paper replicas (read from the cache)."""
    data = data or junction_data(P)
    return variant_choice(variant_runs(P, data), replica_sd(P, data))


def encoder_seed(P, seed: int) -> int:
    """The autoencoder seed that classifier seed ``seed`` builds on: ``seed`` itself, or with ``P.encoder_seeds``
    set, the one of ``P.clf_seeds[i % P.encoder_seeds]`` for the ``i``-th classifier seed."""
    if P.encoder_seeds is None:
        return seed
    return P.clf_seeds[P.clf_seeds.index(seed) % P.encoder_seeds]


def encoders(P, data: junctions.JunctionSet | None = None) -> dict[int, Encoder]:
    """The trained encoder (latent ``P.ae_latent``, the variant chosen in chapter 02, ``P.ae_epochs``) of each
    classifier seed: classifier seed ``s`` builds on the autoencoder trained with seed :func:`encoder_seed` (``s``
    itself unless ``P.encoder_seeds`` is set), so claims over seeds include the encoder's own seed-to-seed
    spread (only over ``P.encoder_seeds`` encoders where it is set)."""
    data = data or junction_data(P)
    variant = chosen_variant(P, data).chosen
    return {seed: autoencoder(P, P.ae_latent, data, encoder_seed(P, seed), variant).model.encoder
            for seed in P.clf_seeds}


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


def classifier_recipe(P, seed: int) -> Recipe:
    """The classifiers' training recipe of profile ``P`` for ``seed``."""
    return Recipe(P.clf_epochs, P.clf_batch_size, P.clf_lr, seed, P.patience, P.clf_weight_decay, P.clf_schedule,
                  P.precision)


def trained_classifier(P, kind: str, initialized: bool, seed: int, sets: ClassifierData, encoder: Encoder | None,
                       train_rows: np.ndarray | None = None):
    """A classifier trained (or loaded) on ``sets``' training split, or on its rows ``train_rows`` only (a
    learning curve), with early stopping on the validation split; returns (model, history). It never reads the
    test split. ``initialized`` runs take ``encoder``'s embedding and LSTM weights; everything else (random
    init of the other layers, data order, budget, early stopping) is shared."""
    rows = np.arange(len(sets.labels["train"])) if train_rows is None else np.asarray(train_rows)
    tokens, labels = [sets.tokens["train"][i] for i in rows], sets.labels["train"][rows]
    recipe = classifier_recipe(P, seed)
    params = {"kind": kind, "initialized": initialized, "hidden": P.ae_latent // 2, "embed": P.embed_dim,
              "packed": P.packed, "dropout": P.clf_dropout, **recipe.as_key(), "training": train.VERSION,
              "threads": workers.TRAIN_THREADS,
              "data": train.data_key(sets.tables["train"]["seq"].iloc[rows], labels),
              "val": train.data_key(sets.tables["val"]["seq"], sets.labels["val"]),
              "encoder": cache.module_digest(encoder) if initialized else None}

    def fit(model):
        with numerics.fixed_threads(workers.TRAIN_THREADS):
            return train.fit_classifier(model, tokens, labels, sets.tokens["val"], sets.labels["val"], recipe,
                                        devices.pick(P.device))

    def make():
        return train.classifier(kind, P.ae_latent // 2, P.embed_dim, seed, encoder if initialized else None,
                                P.packed, P.clf_dropout)

    return cache.trained("models", "classifier", params, make, fit)


def classifier_run(P, kind: str, initialized: bool, seed: int, sets: ClassifierData, encoder: Encoder | None):
    """One Table 1 run: :func:`trained_classifier` on the whole training split, scored on the test split.
    Returns (model, history, test scores)."""
    model, history = trained_classifier(P, kind, initialized, seed, sets, encoder)
    probability = train.predict(model, sets.tokens["test"], P.clf_batch_size, devices.pick(P.device))
    return model, history, train.scores(probability, sets.labels["test"])


def subsample(n: int, fraction: float, seed: int) -> np.ndarray:
    """A seeded random ``fraction`` of ``range(n)`` (at least 2 rows), sorted: a learning curve's training rows."""
    return np.sort(np.random.default_rng(seed).permutation(n)[: max(2, round(n * fraction))])


# --------------------------------------------------------------------------- training in parallel (lib.workers)


def _autoencoder_job(P, latent: int, seed: int, variant: str, epochs: int) -> None:
    autoencoder(P, latent, None, seed, variant, epochs)


def _classifier_job(P, kind: str, initialized: bool, seed: int, fraction: float) -> None:
    data = junction_data(P)
    sets = classifier_data(P, data)
    encoder = encoders(P, data)[seed] if initialized else None
    rows = subsample(len(sets.labels["train"]), fraction, seed) if fraction < 1 else None
    trained_classifier(P, kind, initialized, seed, sets, encoder, rows)


def train_autoencoders(P, data: junctions.JunctionSet) -> None:
    """Train (into the cache) chapter 02's autoencoders in ``P.workers`` processes: the latent-size sweep
    (``P.ae_epochs``), the variants of size ``ae_latent`` and the paper variant for every classifier seed (its seed
    spread decides the variant, :func:`chosen_variant`; both for :func:`addition_epochs`), then the chosen variant
    for every encoder seed (:func:`encoder_seed`, ``P.ae_epochs``)."""
    extra = addition_epochs(P)
    first = ({(latent, P.seed, "paper", P.ae_epochs) for latent in P.ae_latents}
             | {(P.ae_latent, P.seed, v, extra) for v in AE_VARIANTS}
             | {(P.ae_latent, seed, "paper", extra) for seed in P.clf_seeds})
    workers.run([(_autoencoder_job, (P, *job)) for job in sorted(first, reverse=True)], P.workers)
    chosen = chosen_variant(P, data).chosen
    workers.run([(_autoencoder_job, (P, P.ae_latent, seed, chosen, P.ae_epochs))
                 for seed in sorted({encoder_seed(P, s) for s in P.clf_seeds})], P.workers)


def train_classifiers(P, jobs: list[tuple[str, bool, int, float]]) -> None:
    """Train (into the cache) the classifiers ``jobs`` (kind, initialized, seed, share of the training rows) in
    ``P.workers`` processes; the encoders must be in the cache already (chapter 02)."""
    workers.run([(_classifier_job, (P, *job)) for job in jobs], P.workers)


LABELS = {"lstm": "LSTM", "bilstm": "BiLSTM", "bilstm_attention": "BiLSTM + attention"}
KIND_ORDER = ("bilstm_attention", "bilstm", "lstm")  # declared order of choices: the paper's best model first


def table1_runs(P, sets: ClassifierData, encoders: dict[int, Encoder]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every (model, initialization, seed) run of Table 1; initialized runs of seed ``s`` take ``encoders[s]``.
    The runs of ``P``'s own splits are first trained in ``P.workers`` processes (:func:`train_classifiers`).

    Returns (runs: one row per run with test accuracy/AUC %, epochs trained and the first epoch whose
    validation accuracy reached ``P.converge_acc``; curves: one row per run and epoch)."""
    train_classifiers(P, [(kind, init, seed, 1.0) for kind in reversed(LABELS) for init in (True, False)
                          for seed in P.clf_seeds])  # the slowest first: the two workers finish together
    runs, curves = [], []
    for kind in LABELS:
        for init in ("random", "autoencoder"):
            for seed in P.clf_seeds:
                _, history, test = classifier_run(P, kind, init == "autoencoder", seed, sets, encoders[seed])
                reached = [h["epoch"] for h in history if h["val_accuracy"] >= P.converge_acc]
                runs.append({"model": kind, "init": init, "seed": seed, "test accuracy %": 100 * test["accuracy"],
                             "test AUC %": 100 * test["auc"], "best val loss": min(h["val_loss"] for h in history),
                             "epochs trained": len(history),
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
        for quantity, treated, untreated in (
                ("test accuracy (points)", pair["test accuracy %"]["autoencoder"], pair["test accuracy %"]["random"]),
                ("epochs saved reaching converge_acc", reached["random"], reached["autoencoder"])):
            rows.append({"model": label, "quantity": quantity, **seeds.paired_effect(treated, untreated)})
    return pd.DataFrame(rows).set_index(["model", "quantity"])


def control_gap_text(control_accuracy: float, summary: pd.DataFrame) -> str:
    """How the control's test accuracy (%) compares with the best Table 1 model's mean (``summary`` from
    :func:`table1_summary`), in words: ahead by more than twice that model's seed sd, or not clearly."""
    best = summary["accuracy % (mean)"].idxmax()
    mean, sd = summary.loc[best, "accuracy % (mean)"], summary.loc[best, "accuracy % (sd)"]
    gap = control_accuracy - mean
    if not gap > 2 * (0 if np.isnan(sd) else sd):  # one seed (no sd): any positive gap counts
        return f"not clearly above the best paper architecture ({gap:+.1f} points, seed sd {sd:.1f})"
    return (f"{gap:.1f} points above the best paper architecture's mean, more than twice its seed-to-seed sd "
            f"({sd:.1f})")


def kind_choice(runs: pd.DataFrame, init: str = "random") -> choice.Choice:
    """The classifier kind of the learning curves (:mod:`lib.choice`): each kind's mean best validation loss
    over seeds among ``init`` runs of :func:`table1_runs`, with its seed sd; ties go to the order of
    :data:`LABELS` (the paper's headline model, BiLSTM + attention, first). The test split does not decide."""
    chosen = runs[runs["init"] == init]
    scores = {kind: choice.Score.of(group["best val loss"]) for kind, group in chosen.groupby("model")}
    return choice.choose(scores, [k for k in KIND_ORDER if k in scores])


LEARNING_FRACTIONS = (0.125, 0.25, 0.5)  # shares of the training split below "all of it" (Table 1's runs)
LEARNING_SEEDS = 3  # the first seeds of clf_seeds that learning curves train


def learning_curves(P, sets: ClassifierData, kind: str, runs: pd.DataFrame, fitted: dict) -> pd.DataFrame:
    """Test accuracy against training-set size for the position-aware control (:mod:`lib.splicing.control`,
    hyperparameters ``fitted``: ``{donor, acceptor, C}``) and the random-init classifier ``kind``, for the
    first :data:`LEARNING_SEEDS` seeds: each seed draws :data:`LEARNING_FRACTIONS` of the training rows
    (:func:`subsample`); the whole split is Table 1's run (``runs``). Validation rows and early stopping are the
    same at every size. One row per (model, fraction, seed): training rows and test accuracy %."""
    samples = {name: control.sample_of(sets.tables[name], P.flank) for name in ("train", "test")}
    n, rows = len(sets.labels["train"]), []
    train_classifiers(P, [(kind, False, seed, fraction) for fraction in reversed(LEARNING_FRACTIONS)
                          for seed in P.clf_seeds[:LEARNING_SEEDS]])
    for seed in P.clf_seeds[:LEARNING_SEEDS]:
        for fraction in (*LEARNING_FRACTIONS, 1.0):
            picked = subsample(n, fraction, seed) if fraction < 1 else np.arange(n)
            fit = control.fit(samples["train"].take(picked), **fitted)
            accuracy = train.scores(fit.probability(samples["test"]), sets.labels["test"])["accuracy"]
            rows.append({"model": "position-aware control", "fraction": fraction, "seed": seed,
                         "training rows": len(picked), "test accuracy %": 100 * accuracy})
            if fraction < 1:
                model, _ = trained_classifier(P, kind, False, seed, sets, None, picked)
                probability = train.predict(model, sets.tokens["test"], P.clf_batch_size, devices.pick(P.device))
                accuracy = train.scores(probability, sets.labels["test"])["accuracy"]
            else:
                accuracy = runs.query("model == @kind and init == 'random' and seed == @seed")[
                    "test accuracy %"].item() / 100
            rows.append({"model": LABELS[kind], "fraction": fraction, "seed": seed, "training rows": len(picked),
                         "test accuracy %": 100 * accuracy})
    return pd.DataFrame(rows)


def fitted_control(P, data: junctions.JunctionSet, negatives: str) -> tuple[control.Control, pd.DataFrame]:
    """The position-aware control on Table 1's splits with ``negatives``: hyperparameters chosen by
    cross-validation on the training and validation rows (:func:`lib.splicing.control.select`), fitted on the
    training rows. Returns (the fitted control, the selection grid)."""
    sets = classifier_data(dataclasses.replace(P, negatives=negatives), data)
    pooled = pd.concat([sets.tables["train"], sets.tables["val"]], ignore_index=True)
    grid = control.select(control.sample_of(pooled, P.flank), P.seed)
    return control.fit(control.sample_of(sets.tables["train"], P.flank), **control.chosen(grid)), grid


def control_table(P, data: junctions.JunctionSet) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """:func:`fitted_control` for both negative variants, scored on the test split. Returns (one row per variant:
    windows, C, test accuracy and AUC %; the selection grid of each variant)."""
    rows, grids = [], {}
    for negatives in ("heuristic", "length_matched"):
        fitted, grids[negatives] = fitted_control(P, data, negatives)
        test = classifier_data(dataclasses.replace(P, negatives=negatives), data).tables["test"]
        scores = train.scores(fitted.probability(control.sample_of(test, P.flank)), test["label"].to_numpy())
        rows.append({"negatives": negatives, "donor window (nt each side)": fitted.donor,
                     "acceptor window (nt each side)": fitted.acceptor, "C": fitted.C,
                     "test accuracy %": 100 * scores["accuracy"], "test AUC %": 100 * scores["auc"]})
    return pd.DataFrame(rows).set_index("negatives"), grids


def classifier_choice(P, sets: ClassifierData, encoders: dict[int, Encoder]) -> choice.Choice:
    """Which of Table 1's classifiers Integrated Gradients explains: :func:`choose_classifier` on every (kind,
    initialization)'s best validation loss over the seeds ``P.clf_seeds``, read from the trained models'
    histories (the test split does not decide)."""
    return choose_classifier({classifier_name(kind, init): [
        min(h["val_loss"] for h in trained_classifier(P, kind, init, seed, sets, encoders[seed])[1])
        for seed in P.clf_seeds] for kind in LABELS for init in (False, True)})


def choose_classifier(losses: dict[str, list[float]]) -> choice.Choice:
    """:mod:`lib.choice` over classifiers named by :func:`classifier_name` (-> best validation loss per seed):
    ties go to the paper's best model first (autoencoder-initialized, then random, each in :data:`KIND_ORDER`)."""
    order = [classifier_name(kind, init) for init in (True, False) for kind in KIND_ORDER]
    return choice.choose({name: choice.Score.of(values) for name, values in losses.items()},
                         [name for name in order if name in losses])


def classifier_name(kind: str, initialized: bool) -> str:
    """``"bilstm_attention/autoencoder"``: a Table 1 classifier as a candidate of :func:`classifier_choice`."""
    return f"{kind}/{'autoencoder' if initialized else 'random'}"


def classifier_of(name: str) -> tuple[str, bool]:
    """(kind, initialized) of a :func:`classifier_name`."""
    kind, init = name.split("/")
    return kind, init == "autoencoder"


def attribution_sample(P, sets: ClassifierData) -> pd.DataFrame:
    """``P.ig_n`` test rows, half positives and half negatives, drawn with ``P.seed``."""
    test = sets.tables["test"]
    per_class = P.ig_n // 2
    picked = [group.sample(min(per_class, len(group)), random_state=P.seed) for _, group in test.groupby("label")]
    return pd.concat(picked).sort_index()


IG_TOLERANCE = 0.01  # largest accepted |delta| / sum |attribution| of a sequence before its steps are doubled
IG_MIN_POSITIVES = 5  # a seed's IG statistics are judged only if at least this many attributed positives converged


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
