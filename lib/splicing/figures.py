"""The figures of chapters 00-03. Each function draws one figure and returns it, closed in pyplot: it shows
where the chapter glues it, not a second time at the end of the cell. Lengths are in nt, losses in nats per base.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from lib.splicing import junctions
from lib.splicing.experiments import LABELS


def _done(fig: Figure) -> Figure:
    fig.tight_layout()
    plt.close(fig)
    return fig


def intron_qc(qc: pd.DataFrame, detail: dict[str, pd.DataFrame]) -> Figure:
    """Chapter 00: splice-site motif classes per release (log scale) and the intron length distribution per
    release; ``qc`` and ``detail`` are :func:`lib.data.stats.intron_qc`'s two results."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    motifs = (qc[["GT-AG", "GC-AG", "AT-AC", "other"]].rename_axis("release").reset_index()
              .melt(id_vars="release", var_name="motif", value_name="introns"))
    sns.barplot(motifs, x="motif", y="introns", hue="release", ax=axes[0])
    axes[0].set_yscale("log")
    axes[0].set_title("Splice-site motifs of N-free protein-coding introns")
    lengths = pd.concat([d.assign(release=label, length=d["end"] - d["start"]) for label, d in detail.items()])
    sns.histplot(lengths, x="length", hue="release", log_scale=True, element="step", stat="count", ax=axes[1])
    axes[1].set_title("Intron length (nt)")
    return _done(fig)


def junction_lengths(data: junctions.JunctionSet) -> Figure:
    """Chapter 01: intron length histograms of each split, positives and both negative variants."""
    lengths = pd.concat([data.train, data.test])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharex=True)
    for ax, (name, table) in zip(axes, lengths.groupby("split", sort=False)):
        sns.histplot(table, x="length", hue="variant", element="step", fill=False, bins=30, ax=ax,
                     hue_order=["annotated", "heuristic", "length_matched"])
        ax.set_title(f"{name}: intron length (nt)")
    return _done(fig)


def autoencoder_curves(histories: dict[int, list[dict]], chance_loss: float, chance_accuracy: float) -> Figure:
    """Chapter 02: training (solid) and held-out (dashed) loss, and held-out per-base accuracy, per epoch and
    latent size (``histories``: latent size -> :func:`lib.splicing.train.fit_autoencoder`'s history); grey lines
    mark what the base composition alone achieves."""
    curves = pd.DataFrame([{"latent": str(latent), **h} for latent, history in histories.items() for h in history])
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    sns.lineplot(curves, x="epoch", y="train_loss", hue="latent", ax=axes[0])
    sns.lineplot(curves, x="epoch", y="held_out_loss", hue="latent", ax=axes[0], linestyle="--", legend=False)
    axes[0].axhline(chance_loss, color="grey", lw=0.8)
    axes[0].set(ylabel="cross-entropy (nats/base)", title="training (solid) and held-out (dashed) loss")
    sns.lineplot(curves, x="epoch", y="held_out_accuracy", hue="latent", ax=axes[1])
    axes[1].axhline(chance_accuracy, color="grey", lw=0.8)
    axes[1].set(ylabel="per-base accuracy", title="held-out reconstruction accuracy")
    return _done(fig)


def table1_curves(curves: pd.DataFrame, converge_acc: float) -> Figure:
    """Chapter 03: validation accuracy per epoch of each model, random against autoencoder initialization (mean
    and sd over seeds; ``curves`` from :func:`lib.splicing.experiments.table1_runs`); a grey line at
    ``converge_acc``."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    for ax, (kind, label) in zip(axes, LABELS.items()):
        sns.lineplot(curves[curves["model"] == kind], x="epoch", y="val_accuracy", hue="init",
                     hue_order=["random", "autoencoder"], ax=ax, errorbar="sd", marker="o")
        ax.axhline(converge_acc, color="grey", lw=0.8)
        ax.set(title=label, ylabel="validation accuracy")
    return _done(fig)


def learning_curves(frame: pd.DataFrame) -> Figure:
    """Chapter 03: test accuracy against training rows (log scale), mean and sd over seeds, for the
    position-aware control and the best paper architecture (``frame`` from
    :func:`lib.splicing.experiments.learning_curves`)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    sns.lineplot(frame, x="training rows", y="test accuracy %", hue="model", errorbar="sd", marker="o", ax=ax)
    ax.set_xscale("log", base=2)
    ax.set_title("Learning curves on the novel-junction test split")
    return _done(fig)


def reconstruction_profiles(profiles: dict[str, pd.DataFrame], chance_accuracy: float) -> Figure:
    """Chapter 02: per-base reconstruction accuracy by offset from the 5' end and from the 3' end, one line per
    autoencoder variant (``profiles``: variant -> :func:`lib.splicing.latent_sweep.position_profile`); a grey
    line at what the base composition alone achieves (%)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
    for ax, end in zip(axes, ("from 5' end", "from 3' end")):
        for variant, profile in profiles.items():
            ax.plot(profile.index, profile[end], label=variant)
        ax.axhline(chance_accuracy, color="grey", lw=0.8)
        ax.set(xlabel=f"offset {end} (nt)", ylabel="per-base accuracy %", title=f"reconstruction, {end}")
    axes[0].legend(title="variant")
    return _done(fig)
