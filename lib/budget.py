"""The work a profile does at the papers' data sizes, loop by loop, for projecting its run time.

:func:`loops` lists every training, evaluation and attribution loop of chapters 02, 03, 05, 10 and 11 with the
number of sequences it processes (sequences x epochs x models), which measured rate it runs at (:class:`Loop`'s
``rate``: a key such as ``"autoencoder 256"``) and whether the paper itself does it (``paper``) or the book adds it
(``addition``: the remedies, replicas and extra seeds of chapter 02, extra classifier seeds, learning curves, the
IG of more than one model). ``benchmarks/project_paper.py`` measures or reads the rates and prints the hours.

Sizes: paper A's 290,502 training junctions (:data:`lib.splicing.published.TRAIN_POSITIVES`; the autoencoders train
on 90% of them and hold out 10%; the classifiers see as many negatives again, 90% for training and 10% for
validation); paper B's 75,000 training sequences (:data:`BENCHMARK_TRAIN`). Counts are upper bounds where early
stopping can end a loop sooner (every classifier counts ``clf_epochs``) and lower bounds where a loop may repeat
(IG counts its first pass at ``ig_steps``; sequences that have not converged are run again with twice the steps).
Chapter 04 (Table 2: scikit-learn models on the latent vectors) and chapter 03's position-aware control run on the
CPU and are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.coding import published as paper_b
from lib.splicing import experiments
from lib.splicing import published as paper_a

BENCHMARK_TRAIN = 75_000  # paper B: the benchmark's training sequences
HELD_OUT = 0.1  # share of the autoencoders' training positives held out, and of the classifiers' rows validated
PAPER, ADDITION = "paper", "addition"


@dataclass(frozen=True)
class Loop:
    """One loop of the profile: ``items`` sequences processed at the rate measured for ``rate``; ``part`` is
    :data:`PAPER` or :data:`ADDITION`."""

    name: str
    rate: str
    items: float
    part: str


def autoencoder_rate(latent: int, evaluation: bool = False) -> str:
    return f"autoencoder {latent}" + (" eval" if evaluation else "")


def classifier_rate(kind: str, evaluation: bool = False) -> str:
    return f"classifier {kind}" + (" eval" if evaluation else "")


def loops(P, positives: int = paper_a.TRAIN_POSITIVES) -> list[Loop]:
    """Every loop of profile ``P`` with ``positives`` training junctions (see the module's docstring), in the
    order the chapters run them. The additions of chapter 02 assume it keeps the paper's autoencoder (a remedy
    that wins adds its own ``ae_epochs`` for every encoder seed: :func:`remedy_loops`)."""
    train, held = (1 - HELD_OUT) * positives, HELD_OUT * positives
    out: list[Loop] = []

    def autoencoders(name: str, latent: int, models: float, epochs: int, part: str, share: float = 1.0) -> None:
        if models:
            out.append(Loop(f"{name}: {models:g} x {epochs} epochs", autoencoder_rate(latent),
                            models * epochs * share * train, part))
            out.append(Loop(f"{name}: held-out pass, {models:g} x {epochs}", autoencoder_rate(latent, True),
                            models * epochs * held, part))

    for latent in P.ae_latents:
        autoencoders(f"autoencoder sweep, latent {latent}", latent, 1, P.ae_epochs, PAPER)
    extra = experiments.addition_epochs(P)
    short = extra != P.ae_epochs  # the additions are other models than the sweep's (seed P.seed, paper variant)
    remedies = {"reverse": 1.0, "curriculum": 1.0, "more data": 2.0}  # share of the training sequences per epoch
    for variant, share in remedies.items():
        autoencoders(f"variant {variant!r}, latent {P.ae_latent}", P.ae_latent, 1, extra, ADDITION, share)
    autoencoders(f"paper variant's seed replicas, latent {P.ae_latent}", P.ae_latent,
                 len(P.clf_seeds) - (0 if short else 1), extra, ADDITION)
    encoder_seeds = {experiments.encoder_seed(P, s) for s in P.clf_seeds} - {P.seed}
    autoencoders(f"encoders of further seeds, latent {P.ae_latent}", P.ae_latent, len(encoder_seeds), P.ae_epochs,
                 ADDITION)
    rows = 2 * positives  # the classifiers: as many negatives as positives
    for kind in experiments.LABELS:
        for seeds, part in ((1, PAPER), (len(P.clf_seeds) - 1, ADDITION)):
            if seeds:
                runs = 2 * seeds  # random and autoencoder initialization
                out.append(Loop(f"classifier {kind}: {runs} runs x {P.clf_epochs} epochs (at most)",
                                classifier_rate(kind), runs * P.clf_epochs * (1 - HELD_OUT) * rows, part))
                out.append(Loop(f"classifier {kind}: validation pass, {runs} x {P.clf_epochs}",
                                classifier_rate(kind, True), runs * P.clf_epochs * HELD_OUT * rows, part))
    curve_seeds = min(experiments.LEARNING_SEEDS, len(P.clf_seeds))
    share = sum(experiments.LEARNING_FRACTIONS)
    slowest = experiments.KIND_ORDER[0]  # the kind is chosen from trained results: count the slowest
    out.append(Loop(f"learning curves ({slowest}): {curve_seeds} seeds x {share:g} of the rows x {P.clf_epochs} "
                    "epochs", classifier_rate(slowest), curve_seeds * share * P.clf_epochs * (1 - HELD_OUT) * rows,
                    ADDITION))
    out.append(Loop(f"learning curves ({slowest}): validation pass", classifier_rate(slowest, True),
                    curve_seeds * P.clf_epochs * HELD_OUT * rows, ADDITION))
    out.append(Loop(f"IG, {P.ig_steps} steps: 1 model x {P.ig_n} sequences (first pass)", "ig", P.ig_n, PAPER))
    if P.ig_seeds > 1:
        out.append(Loop(f"IG, {P.ig_steps} steps: {P.ig_seeds - 1} more models x {P.ig_n} sequences", "ig",
                        (P.ig_seeds - 1) * P.ig_n, ADDITION))
    out.append(Loop(f"CNN: {P.cnn_seeds} models x {P.cnn_epochs} epochs", "cnn",
                    P.cnn_seeds * P.cnn_epochs * BENCHMARK_TRAIN, PAPER))
    saliency = {"saliency gradient": P.saliency_n + 2 * paper_b.PER_CLASS,
                "saliency ig": P.saliency_compare_n, "saliency smoothgrad": P.saliency_compare_n}
    for rate, count in saliency.items():
        out.append(Loop(f"CNN {rate}: {P.cnn_seeds} models x {count} sequences", rate, P.cnn_seeds * count, PAPER))
    return out


def remedy_loops(P, variant: str, positives: int = paper_a.TRAIN_POSITIVES) -> list[Loop]:
    """What chapter 02 adds when ``variant`` (a remedy of :data:`lib.splicing.experiments.AE_VARIANTS`) replaces
    the paper's autoencoder: that variant for every encoder seed, ``P.ae_epochs`` each."""
    share = 2.0 if experiments.AE_VARIANTS[variant].get("extra") else 1.0
    seeds = len({experiments.encoder_seed(P, s) for s in P.clf_seeds})
    train, held = (1 - HELD_OUT) * positives, HELD_OUT * positives
    return [Loop(f"encoders if {variant!r} wins: {seeds} x {P.ae_epochs} epochs", autoencoder_rate(P.ae_latent),
                 seeds * P.ae_epochs * share * train, ADDITION),
            Loop(f"encoders if {variant!r} wins: held-out pass", autoencoder_rate(P.ae_latent, True),
                 seeds * P.ae_epochs * held, ADDITION)]


def hours(loop_list: list[Loop], rates: dict[str, float]) -> dict[str, float]:
    """Hours of each loop (by name) at ``rates`` (rate key -> sequences per second); raises ``KeyError`` naming a
    rate that is missing."""
    missing = sorted({loop.rate for loop in loop_list} - set(rates))
    if missing:
        raise KeyError(f"no rate for {', '.join(missing)}")
    return {loop.name: loop.items / rates[loop.rate] / 3600 for loop in loop_list}
