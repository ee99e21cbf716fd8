"""`lib.coding`: paper B, "Deep Sequence Model for Genome Wide Discovery of Coding and Regulatory Element
Signatures".

The Genomic Benchmarks coding-vs-intergenomic data (``genomic_benchmarks``: archive and rebuild; ``windows``: the
benchmark's recipe on a genome; ``dataset``: what chapters train on), the CNN and its training (``cnn``),
saliency statistics (``saliency``) and the paper's published numbers (``published``)."""
