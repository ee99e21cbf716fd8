"""`lib.coding`: paper B, "Deep Sequence Model for Genome Wide Discovery of Coding and Regulatory Element
Signatures".

The Genomic Benchmarks coding-vs-intergenomic data (``genomic_benchmarks``: archive and rebuild; ``windows``: the
benchmark's recipe on a genome; ``dataset``: what chapters train on; ``data_report``: chapter 10's account of
it), the CNN (``model``) and its training and evaluation (``training``), Table 1 over seeds (``accuracy``),
saliency maps (``attribution``) and their statistics (``saliency``), chapter 11's tables (``saliency_report``),
the chapters' figures (``figures``) and the paper's published numbers (``published``)."""
