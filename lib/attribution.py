"""Paper A, section 5.2: Integrated Gradients on the classifier's embedding layer, aligned on splice sites.

The attributed score is the classifier's log-odds of "junction" (logit 1 - logit 0). Attributions are taken on
the embedded input (batch, length, embed) and summed over the embedding dimensions, giving one value per
position. Padding embeds to the zero vector, which is also the zero baseline, so padding gets no attribution.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from captum.attr import IntegratedGradients

from lib.models import SpliceClassifier
from lib.seqdata import batches, encode


def _log_odds(model: SpliceClassifier):
    def score(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        logits = model.forward_embedded(embedded, lengths)
        return logits[:, 1] - logits[:, 0]
    return score


def _no_cudnn(device: torch.device):
    """cuDNN's RNN backward refuses to run in eval mode ("cudnn RNN backward can only be called in training
    mode"); switching to train mode would turn dropout on and change the attributions, so cuDNN is switched off
    for the attribution pass instead."""
    return torch.backends.cudnn.flags(enabled=False) if device.type == "cuda" else contextlib.nullcontext()


def integrated_gradients(model: SpliceClassifier, tokens, baselines=None, steps: int = 200,
                         internal_batch_size: int = 512, batch_size: int = 32,
                         device: torch.device = torch.device("cpu")) -> tuple[list[np.ndarray], np.ndarray]:
    """Per-position IG attributions of each sequence and the convergence delta of each.

    ``tokens``: list of token tensors. ``baselines``: ``None`` (zero embedding, the paper's choice) or a list of
    token tensors of the same lengths whose embeddings serve as references. ``internal_batch_size`` bounds how
    many interpolated inputs go through the model at once (memory stays bounded).
    Returns (list of arrays (length,) in input order, deltas (n,)): delta = sum of attributions - (f(x) - f(x')).
    """
    model.to(device).eval()
    ig = IntegratedGradients(_log_odds(model))
    out, deltas = [None] * len(tokens), np.empty(len(tokens))
    with _no_cudnn(device):
        for index, padded, lengths in batches(tokens, batch_size, None):
            padded, lengths = padded.to(device), lengths.to(device)
            embedded = model.embedding(padded).detach()
            if baselines is None:
                reference = torch.zeros_like(embedded)
            else:
                reference = torch.zeros_like(embedded)
                for row, i in enumerate(index):
                    reference[row, : len(baselines[i])] = model.embedding(baselines[i].to(device)).detach()
            attributions, delta = ig.attribute(embedded, baselines=reference, additional_forward_args=(lengths,),
                                               n_steps=steps, internal_batch_size=internal_batch_size,
                                               return_convergence_delta=True)
            per_position = attributions.sum(-1).detach().cpu().numpy()
            for row, i in enumerate(index):
                out[i] = per_position[row, : int(lengths[row])]
            deltas[index] = delta.detach().cpu().numpy()
    return out, deltas


def site_windows(values: np.ndarray, intron_length: int, flank: int, width: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``width`` positions upstream and downstream of the donor and of the acceptor.

    ``values`` (length, ...) follows a sequence laid out as ``flank`` exon + intron + ``flank`` exon. The donor
    is the exon|intron boundary (before sequence index ``flank``), the acceptor the intron|exon boundary
    (before index ``flank + intron_length``). Each window has ``2 * width`` rows: index ``width`` is the first
    base after the site (intron position +1 at the donor, exon position +1 at the acceptor). Positions outside
    the sequence are NaN.
    """
    def window(site: int) -> np.ndarray:
        shape = (2 * width, *values.shape[1:])
        out = np.full(shape, np.nan)
        lo, hi = site - width, site + width
        src_lo, src_hi = max(lo, 0), min(hi, len(values))
        out[src_lo - lo : src_hi - lo] = values[src_lo:src_hi]
        return out

    return window(flank), window(flank + intron_length)


def dinucleotide_shuffle(seq: str, rng: np.random.Generator) -> str:
    """A random sequence with exactly the dinucleotide counts of ``seq`` and the same first and last letter.

    An Eulerian walk over the dinucleotide graph (Altschul and Erickson, 1985): for every letter but the last,
    one outgoing edge is drawn as its last exit so that the remaining edges, shuffled, always leave a path
    that uses every dinucleotide once.
    """
    if len(seq) < 3:
        return seq
    letters = sorted(set(seq))
    edges = {a: [] for a in letters}
    for a, b in zip(seq, seq[1:]):
        edges[a].append(b)
    last = seq[-1]
    while True:  # draw a spanning arborescence of last exits pointing to `last`
        exits = {a: edges[a][rng.integers(len(edges[a]))] for a in letters if a != last and edges[a]}
        if _reaches(exits, last):
            break
    walk = {}
    for a in letters:
        rest = list(edges[a])
        if a in exits:
            rest.remove(exits[a])
        order = [rest[i] for i in rng.permutation(len(rest))]
        walk[a] = order + ([exits[a]] if a in exits else [])
    out, used = [seq[0]], {a: 0 for a in letters}
    for _ in range(len(seq) - 1):
        previous = out[-1]
        out.append(walk[previous][used[previous]])
        used[previous] += 1
    return "".join(out)


def _reaches(exits: dict[str, str], last: str) -> bool:
    """True if following ``exits`` from every letter ends at ``last`` (no cycle)."""
    for start in exits:
        seen, node = set(), start
        while node != last:
            if node in seen or node not in exits:
                return False
            seen.add(node)
            node = exits[node]
    return True


def shuffled_references(seqs, seed: int) -> list[torch.Tensor]:
    """Token tensors of one dinucleotide-shuffled copy of each sequence (seeded)."""
    rng = np.random.default_rng(seed)
    return [encode(dinucleotide_shuffle(s, rng)) for s in seqs]


def one_hot(seq: str) -> np.ndarray:
    """(length, 4) one-hot of A, C, G, T (N is all zeros)."""
    codes = encode(seq).numpy()
    out = np.zeros((len(seq), 4))
    keep = codes < 4
    out[np.flatnonzero(keep), codes[keep]] = 1
    return out



def stack_windows(per_sequence: list[np.ndarray], lengths, flank: int, width: int = 40) -> dict[str, np.ndarray]:
    """Donor and acceptor windows of many sequences: {"donor": (n, 2*width, ...), "acceptor": ...}.

    ``per_sequence`` holds one array (sequence length, ...) per sequence (attributions, or one-hot bases);
    ``lengths`` the intron lengths.
    """
    pairs = [site_windows(values, int(n), flank, width) for values, n in zip(per_sequence, lengths)]
    return {"donor": np.stack([d for d, _ in pairs]), "acceptor": np.stack([a for _, a in pairs])}


def positions(width: int = 40) -> np.ndarray:
    """Window coordinates relative to the site: -width..-1 before it, +1..+width after (no zero)."""
    return np.concatenate([np.arange(-width, 0), np.arange(1, width + 1)])


def per_nucleotide(attributions: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """Mean attribution at each window position among the sequences that carry each base there.

    ``attributions`` (n, w), ``bases`` (n, w, 4) one-hot; returns (w, 4), NaN where no sequence has the base.
    """
    counts = np.nansum(bases, axis=0)
    sums = np.nansum(attributions[:, :, None] * bases, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def logo_matrix(attributions: np.ndarray, bases: np.ndarray) -> np.ndarray:
    """Attribution-weighted base matrix (w, 4): the mean over sequences of attribution x one-hot, so each
    position shows the bases present there, scaled by how much they pushed the score (negative: against)."""
    return np.nanmean(attributions[:, :, None] * bases, axis=0)
