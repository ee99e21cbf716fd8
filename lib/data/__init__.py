"""`lib.data`: downloads, genome and annotation access, and the data sets built from them."""
