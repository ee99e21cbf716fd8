"""`lib.data`: shared data access: downloads, where inputs live, genome (FASTA) and annotation (GTF)."""
