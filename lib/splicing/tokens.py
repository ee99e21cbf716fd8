"""DNA strings -> token tensors, and length-bucketed batches for recurrent models.

Tokens: A=0, C=1, G=2, T=3, N=4; padding=5 (:data:`PAD`), vocabulary size 6 (paper A's layout of
:mod:`lib.vocab`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import torch

from lib import vocab

PAD = vocab.SPLICING_PAD
VOCAB = vocab.SIZE
_CODES = vocab.code_table(first=0)


def encode(seq: str) -> torch.Tensor:
    """A DNA string (upper-case ACGTN) -> int64 tokens (length,); other letters raise ``ValueError``."""
    codes = _CODES[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)]
    if (codes == vocab.UNKNOWN).any():
        bad = seq[int(np.flatnonzero(codes == vocab.UNKNOWN)[0])]
        raise ValueError(f"{bad!r} is not one of A, C, G, T, N")
    return torch.from_numpy(codes.astype(np.int64))


def encode_all(seqs: Sequence[str]) -> list[torch.Tensor]:
    return [encode(s) for s in seqs]


def pad(tokens: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token tensors -> (padded (batch, max length) with :data:`PAD`, lengths (batch,))."""
    lengths = torch.tensor([len(t) for t in tokens], dtype=torch.int64)
    out = torch.full((len(tokens), int(lengths.max())), PAD, dtype=torch.int64)
    for row, t in enumerate(tokens):
        out[row, : len(t)] = t
    return out, lengths


def buckets(lengths: Sequence[int], batch_size: int, rng: np.random.Generator | None) -> list[np.ndarray]:
    """Index batches of similar lengths: sort by length, cut into ``batch_size`` chunks, shuffle the chunk
    order (when ``rng`` is given) so that every epoch sees short and long batches in a seeded order.

    Sorting keeps padding to a minimum, so padded and packed batches cost almost the same.
    """
    order = np.argsort(np.asarray(lengths), kind="stable")
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        chunks = [chunks[i] for i in rng.permutation(len(chunks))]
    return chunks


def batches(tokens: Sequence[torch.Tensor], batch_size: int, rng: np.random.Generator | None
            ) -> Iterator[tuple[np.ndarray, torch.Tensor, torch.Tensor]]:
    """(indices, padded tokens, lengths) for each length bucket of ``tokens``."""
    for index in buckets([len(t) for t in tokens], batch_size, rng):
        padded, lengths = pad([tokens[i] for i in index])
        yield index, padded, lengths
