"""The two committed tiers side by side: what the scale tier's larger data changed (``book/scale_tier.ipynb``).

The CI tier (``notebooks/``, profile ``default``) runs on the 9.5 Mb slice; the scale tier (``notebooks/chromosomes``,
profile ``chromosomes``) runs the same chapters with the same settings on the 92 Mb chromosome set. Every value
here is a glued value of a committed chapter (:mod:`lib.book.executed`), never recomputed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from lib.book import executed

# (chapter, glued name, what it is), in the order shown
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("01_splice_junctions", "n_train_capped", "training positives (older release, up to max_len)"),
    ("01_splice_junctions", "n_test_capped", "test positives (new in the newer release, up to max_len)"),
    ("02_autoencoder", "ae_best_loss", "autoencoder: lowest held-out loss (nats/base; chance 1.386)"),
    ("02_autoencoder", "ae_best_acc", "autoencoder: held-out reconstruction accuracy (chance about 25%)"),
    ("02_autoencoder", "ae_variant", "autoencoder variant chosen (lib.choice)"),
    ("03_table1_initialization", "control_acc", "position-aware control: test accuracy"),
    ("03_table1_initialization", "t1_best", "Table 1: best paper architecture, mean test accuracy"),
    ("03_table1_initialization", "control_gap", "control against the best architecture"),
    ("03_table1_initialization", "lc_best", "learning curve of the best architecture (training rows: accuracy)"),
    ("03_table1_initialization", "lc_control", "learning curve of the control"),
    ("03_table1_initialization", "t1_gain_text", "initialization effect on accuracy"),
    ("03_table1_initialization", "t1_speed_text", "initialization effect on convergence (epochs)"),
    ("04_table2_latent_features", "t2_trained", "Table 2: classifiers on the trained encoder's latent vectors"),
    ("04_table2_latent_features", "t2_untrained", "Table 2 control: an untrained encoder's latent vectors"),
    ("04_table2_latent_features", "t2_kmer", "Table 2 control: k-mer counts"),
    ("04_table2_latent_features", "t2_margin", "trained over untrained encoder (SVM)"),
    ("05_integrated_gradients", "ig_model", "IG: the attributed model"),
    ("05_integrated_gradients", "ig_converged", "IG: sequences whose attributions converged"),
    ("05_integrated_gradients", "signals_control", "splice signals the control weights as expected (of 8)"),
    ("05_integrated_gradients", "signals_zero", "splice signals IG (zero baseline) ranks as expected (of 8)"),
    ("10_cnn", "n_real_held_out", "paper B: held-out real benchmark sequences"),
    ("10_cnn", "real_coding_seqs", "paper B: CNN accuracy on the real coding sequences"),
    ("10_cnn", "real_intergenomic_seqs", "paper B: CNN accuracy on the real intergenomic sequences"),
    ("10_cnn", "real_all", "paper B: CNN accuracy on all real sequences"),
    ("10_cnn", "acc_test", "paper B: CNN accuracy on held-out genome blocks"),
    ("11_saliency", "region_list", "paper B: saliency regions above the 75th percentile"),
    ("11_saliency", "p3_verdict", "paper B: codon periodicity of the coding saliency"),
)


def comparison(ci: Path, scale: Path) -> pd.DataFrame:
    """One row per :data:`COMPARED` value: chapter, what it is, its value in the CI tier's chapter (in folder
    ``ci``) and in the scale tier's (``scale``); ``-`` where a chapter or value is missing."""
    glued: dict[Path, dict] = {}

    def value(folder: Path, chapter: str, name: str) -> str:
        path = folder / f"{chapter}.ipynb"
        if path not in glued:
            glued[path] = executed.glued(executed.read(path)) if path.exists() else {}
        text = glued[path].get(name, "-")
        try:  # a glued string shows as its repr ('reverse'): the text itself reads better
            return str(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return text

    return pd.DataFrame([{"chapter": chapter[:2], "value": what, "slice (CI tier)": value(ci, chapter, name),
                          "chromosomes (scale tier)": value(scale, chapter, name)}
                         for chapter, name, what in COMPARED])
