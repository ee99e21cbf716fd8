"""`lib.splicing`: paper A, "Unsupervised Representation Learning of DNA Sequences".

The splice-junction data set (``junctions``, ``sites``, ``shortcuts``; chapter 01's tables in
``junction_report``), its tokens (``tokens``), the autoencoder and classifiers (``models``) and their training
(``train``), the experiments as functions of the configuration (``experiments``), the latent-size sweep
(``latent_sweep``), latent features for Table 2 (``latent``), Integrated Gradients (``attribution``: attributions
and the statistics of one model; ``ig_summary``: chapter 05's numbers over seeds; ``ig_figures``: Figures 2-5),
the figures of chapters 00-03 (``figures``) and the paper's published numbers (``published``)."""
