"""Every number and finding paper A publishes that the book uses, in one place.

Paper A: "Unsupervised Representation Learning of DNA Sequences" (arXiv, June 2019); plain text in
``../shared/papers/``. Chapters 01-05 print these beside the book's results and :mod:`lib.book.scorecard` judges
the book's results against them. Accuracies are percentages of test sequences classified correctly.
"""

from __future__ import annotations

# Section 4.1, data: GENCODE v20 junctions train, those new in v26 test (GRCh38, chromosomes 1-22, X, Y).
TRAIN_POSITIVES = 290_502
TEST_POSITIVES = 5_612
MIN_INTRON_LENGTH = 30  # nt: introns longer than this are kept
DONOR_DIMER, ACCEPTOR_DIMER = "GT", "AG"  # an intron starts with the donor dimer and ends with the acceptor dimer

# Section 4.2, autoencoder: latent sizes tried, the one with the lowest cross-entropy loss, and the epochs.
LATENT_SIZES = (128, 256, 512)
BEST_LATENT = 256
AUTOENCODER_EPOCHS = 300

# Table 1: accuracy (%) of classifiers with random or autoencoder-initialized weights, keyed by
# (initialization, model kind of lib.splicing.models).
TABLE1 = {("random", "lstm"): 95.43, ("random", "bilstm"): 96.04, ("random", "bilstm_attention"): 97.23,
          ("autoencoder", "lstm"): 98.54, ("autoencoder", "bilstm"): 98.60, ("autoencoder", "bilstm_attention"): 99.07}

# Table 2: accuracy (%) of classifiers on the 256-d latent vectors, keyed by the book's name of the classifier.
TABLE2 = {"SVM": 98.63, "2-layer ANN": 98.88, "vanilla RNN": 98.93}
TABLE2_LATENT = 256

# Section 5.2 and Figures 2-5, Integrated Gradients: a zero-embedding baseline, 200 steps, windows of 40 nt
# up- and downstream of each site; the findings the figures show.
IG_BASELINE = "zero"
IG_STEPS = 200
IG_FLANK = 40  # nt on each side of the donor and of the acceptor
IG_NEAR_FINDING = "nearest positions highest"  # Figure 2: the nucleotides closest to the sites matter most
IG_DONOR_BASE = "G"  # Figure 4: "the nucleotide G is very important for the donor site"
IG_LOGO_FINDING = f"strong {DONOR_DIMER} and {ACCEPTOR_DIMER}"  # Figure 5: GT at the donor, AG at the acceptor
