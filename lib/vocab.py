"""The one DNA vocabulary of the book: letters, their order, and the token ids of both papers' models.

Sequences are upper-case A, C, G, T, N (:data:`LETTERS`, in this order everywhere: one-hot columns, logos,
k-mers use :data:`BASES`). The two papers' models number them differently, and the numbering is part of each
trained model (an embedding row per id), so both layouts live here:

- paper A's LSTMs (:mod:`lib.splicing`): A=0, C=1, G=2, T=3, N=4, padding 5 (:data:`SPLICING_PAD`);
- paper B's CNN (:mod:`lib.coding`), as Genomic Benchmarks numbers them: padding 0, A=1, ..., N=5.

:func:`code_table` gives the byte -> id lookup of either layout; 255 marks a letter outside the vocabulary.
"""

from __future__ import annotations

import numpy as np

LETTERS = "ACGTN"
BASES = LETTERS[:4]
SIZE = len(LETTERS) + 1  # letters and a padding id, in both layouts

SPLICING_PAD = 5  # paper A: letters first, then padding
CODING_PAD = 0  # paper B: padding first, then letters
CODING_NAMES = ("<pad>", *LETTERS)  # paper B's ids 0-5 by name
UNKNOWN = 255


def code_table(first: int) -> np.ndarray:
    """uint8 lookup of length 256: the id of each ASCII letter of :data:`LETTERS` (``first`` for A, then
    consecutive), :data:`UNKNOWN` for every other byte."""
    table = np.full(256, UNKNOWN, dtype=np.uint8)
    for offset, letter in enumerate(LETTERS.encode()):
        table[letter] = first + offset
    return table
