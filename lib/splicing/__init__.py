"""`lib.splicing`: paper A, "Unsupervised Representation Learning of DNA Sequences".

The splice-junction data set (``junctions``, ``sites``, ``shortcuts``), its tokens (``tokens``), the
autoencoder and classifiers (``models``) and their training (``train``), the experiments as functions of the
configuration (``experiments``), latent features for Table 2 (``latent``), Integrated Gradients
(``attribution``: attributions and the statistics of one model; ``ig_summary``: chapter 05's numbers over seeds;
``ig_figures``: Figures 2-5) and the paper's published numbers (``published``)."""
