"""Every number and finding paper B publishes that the book uses, in one place.

Paper B: "Deep Sequence Model for Genome Wide Discovery of Coding and Regulatory Element Signatures"; plain text
in ``../shared/papers/``. Chapters 10-11 print these beside the book's results and :mod:`lib.book.scorecard`
judges the book's results against them. Accuracies are percentages of test sequences classified correctly, on
the Genomic Benchmarks data set ``demo_coding_vs_intergenomic_seqs``; positions are 1-based, regions closed.
"""

from __future__ import annotations

# Section 4.1: the size of SimpleSaliencyCNN, which is the number of values in its state dict (learnable
# parameters and batch-norm buffers; chapter 10).
PARAMETERS = 91_145

# Table 1: accuracy (%) on the benchmark's test split. Paper B's CNN and HyenaDNA as paper B quotes it; as
# cited in issue 6 of this book, HyenaDNA and DNABERT as the HyenaDNA paper reports them, and the Genomic
# Benchmarks paper's two CNN baselines. Rows: (method, source, accuracy %).
ACCURACY = 91.87
HYENADNA_ACCURACY = 91.31
CNN_BASELINES = (87.6, 89.6)  # the Genomic Benchmarks paper's two CNNs
TABLE1 = (
    ("SimpleSaliencyCNN", "paper B, Table 1", ACCURACY),
    ("HyenaDNA", "paper B, Table 1", HYENADNA_ACCURACY),
    ("HyenaDNA", "HyenaDNA paper", 91.3),
    ("DNABERT", "HyenaDNA paper", 92.5),
    ("CNN baseline (first)", "Genomic Benchmarks paper", CNN_BASELINES[0]),
    ("CNN baseline (second)", "Genomic Benchmarks paper", CNN_BASELINES[1]),
)

# Section 4.2 and Figures 1-3, gradient saliency: N test sequences (Figures 1-2) and sequences per class
# (Figure 3); the correlation of positional mean and SD (Figure 1); the count of positions above the 75th
# percentile of the positional means (Figure 2), as a number and as the paper words it; the high-importance
# regions of section 4.2; the regions of coding (delta > 0) and intergenomic (delta < 0) emphasis (Figure 3).
SEQUENCES = 1000
PER_CLASS = 250
PEARSON_R = 0.530
HIGH_POSITIONS = 9
HIGH_POSITIONS_WORD = "nine"
HIGH_REGIONS = ((20, 40), (160, 190))
CODING_REGION = (20, 100)
INTERGENOMIC_REGION = (150, 190)


def span(region: tuple[int, int]) -> str:
    """A region as the paper writes it: ``(20, 100)`` -> ``"20-100"``."""
    return f"{region[0]}-{region[1]}"


# Figure 3's regions by the names the book's tables give them.
REGIONS = {f"coding emphasis, {span(CODING_REGION)}": CODING_REGION,
           f"intergenomic emphasis, {span(INTERGENOMIC_REGION)}": INTERGENOMIC_REGION}
