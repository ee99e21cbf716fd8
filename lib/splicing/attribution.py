"""Paper A, section 5.2: Integrated Gradients on the classifier's embedding layer, aligned on splice sites.

The attributed score is the classifier's log-odds of "junction" (logit 1 - logit 0). Attributions are taken on
the embedded input (batch, length, embed) and summed over the embedding dimensions, giving one value per
position. Padding embeds to the zero vector, which is also the zero baseline, so padding gets no attribution.
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
import torch
from captum.attr import IntegratedGradients

from lib import vocab
from lib.splicing.models import SpliceClassifier
from lib.splicing.tokens import batches, encode

CPU = torch.device("cpu")  # the default device of the attribution passes


def _log_odds(model: SpliceClassifier):
    def score(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        logits = model.forward_embedded(embedded, lengths)
        return logits[:, 1] - logits[:, 0]
    return score


@contextlib.contextmanager
def _recurrent_train_mode(model: SpliceClassifier):
    """The model in eval mode but its LSTMs in train mode, for the attribution passes, restored afterwards.

    cuDNN's RNN backward refuses to run in eval mode ("cudnn RNN backward can only be called in training mode"),
    and without cuDNN a GPU runs the LSTM step by step, many times slower. A single-layer ``nn.LSTM`` computes the
    same in both modes (its dropout acts between layers only), and the classifier's own dropout stays off, so
    the attributions do not change; the LSTMs just take the cuDNN path on a GPU (and the same path as before on a
    CPU)."""
    recurrent = [m for m in model.modules() if isinstance(m, torch.nn.LSTM)]
    model.eval()
    for lstm in recurrent:
        lstm.train()
    try:
        yield model
    finally:
        model.eval()


def integrated_gradients(model: SpliceClassifier, tokens, baselines=None, steps: int = 200,
                         internal_batch_size: int = 512, batch_size: int = 32,
                         device: torch.device = CPU) -> tuple[list[np.ndarray], np.ndarray]:
    """Per-position IG attributions of each sequence and the convergence delta of each.

    ``tokens``: list of token tensors. ``baselines``: ``None`` (zero embedding, the paper's choice) or a list of
    token tensors of the same lengths whose embeddings serve as references. ``internal_batch_size`` bounds how
    many interpolated inputs go through the model at once (memory stays bounded).
    Returns (list of arrays (length,) in input order, deltas (n,)): delta = sum of attributions - (f(x) - f(x')).
    """
    model.to(device)
    ig = IntegratedGradients(_log_odds(model))
    out, deltas = [None] * len(tokens), np.empty(len(tokens))
    with _recurrent_train_mode(model):
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


def relative_delta(values: list[np.ndarray], deltas: np.ndarray) -> np.ndarray:
    """|convergence delta| / sum |attribution| per sequence: the share of the attribution that the path
    integral's discretisation leaves unexplained (0 when no attribution)."""
    scale = np.array([np.abs(v).sum() for v in values])
    return np.divide(np.abs(deltas), scale, out=np.zeros(len(values)), where=scale > 0)


def converged_integrated_gradients(model: SpliceClassifier, tokens, baselines=None, steps: int = 200,
                                   max_steps: int = 1600, tolerance: float = 0.01, internal_batch_size: int = 512,
                                   batch_size: int = 32, device: torch.device = CPU,
                                   ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """:func:`integrated_gradients` with the number of steps doubled, per sequence, until its
    :func:`relative_delta` is at most ``tolerance`` or ``max_steps`` is reached (how captum users check that
    the path integral converged). Returns (attributions, deltas, steps used per sequence)."""
    values, deltas = integrated_gradients(model, tokens, baselines, steps, internal_batch_size, batch_size, device)
    used = np.full(len(tokens), steps)
    while steps < max_steps:
        todo = np.flatnonzero(relative_delta(values, deltas) > tolerance)
        if not len(todo):
            break
        steps = min(2 * steps, max_steps)
        again, again_deltas = integrated_gradients(
            model, [tokens[i] for i in todo], None if baselines is None else [baselines[i] for i in todo], steps,
            internal_batch_size, batch_size, device)
        for k, i in enumerate(todo):
            values[i], deltas[i], used[i] = again[k], again_deltas[k], steps
    return values, deltas, used


def converged(values: list[np.ndarray], deltas: np.ndarray, tolerance: float) -> np.ndarray:
    """Boolean (n,): the sequences whose :func:`relative_delta` is at most ``tolerance``, the only ones whose
    attributions chapter 05 averages (an unconverged path integral does not sum to the score it explains)."""
    return relative_delta(values, deltas) <= tolerance


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
    for a, b in itertools.pairwise(seq):
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
    """(length, 4) float one-hot with one column per base of :data:`lib.vocab.BASES` (A, C, G, T); N is all
    zeros. Paper A's token of a letter is its index in :data:`lib.vocab.LETTERS`, so a base's token is its column."""
    return (encode(seq).numpy()[:, None] == np.arange(len(vocab.BASES))).astype(float)


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


# The splice-site positions whose logo letters the paper's Figure 5 shows (GT at the donor, AG at the acceptor).
SITE_LETTERS = {"donor +1 G": ("donor", 1, "G"), "donor +2 T": ("donor", 2, "T"),
                "acceptor -2 A": ("acceptor", -2, "A"), "acceptor -1 G": ("acceptor", -1, "G")}


def site_statistics(windows: dict[str, np.ndarray], bases: dict[str, np.ndarray], positive: np.ndarray,
                    near: int = 5) -> dict:
    """The numbers chapter 05 reports and the scorecard judges, for one model's attributions.

    ``windows``: {"donor", "acceptor"} -> attributions (n, 2w) from :func:`stack_windows`; ``bases`` the
    one-hot bases (n, 2w, 4) of the same windows; ``positive``: boolean (n,) marking true junctions. Returns
    ``peak`` (position of the largest |mean attribution| per site), ``near_share`` (% of the |mean attribution|
    within ±``near`` nt), ``uniform_share`` (% an even spread would put there), ``base_means`` and
    ``base_means_near`` (mean attribution of each base over the positives' whole window, and within ±``near``
    nt), ``top_base`` (per site position of :data:`SITE_LETTERS`: the tallest logo letter and its height) and
    ``logo`` (the logo height of each letter of :data:`SITE_LETTERS`)."""
    width = windows["donor"].shape[1] // 2
    x = positions(width)
    close = np.abs(x) <= near
    out = {"peak": {}, "near_share": {}, "uniform_share": float(100 * close.mean()), "base_means": {},
           "base_means_near": {}, "top_base": {}, "logo": {}}
    logos = {}
    for site in ("donor", "acceptor"):
        profile = np.abs(np.nanmean(windows[site], axis=0))
        out["peak"][site] = int(x[np.argmax(profile)])
        out["near_share"][site] = float(100 * profile[close].sum() / profile.sum())
        pos, pos_bases = windows[site][positive], bases[site][positive]
        for key, mask in (("base_means", slice(None)), ("base_means_near", close)):
            means = per_nucleotide(pos[:, mask].reshape(-1, 1), pos_bases[:, mask].reshape(-1, 1, len(vocab.BASES)))[0]
            out[key][site] = dict(zip(vocab.BASES, map(float, means)))
        logos[site] = logo_matrix(pos, pos_bases)
    for name, (site, position, base) in SITE_LETTERS.items():
        column = logos[site][int(np.flatnonzero(x == position)[0])]
        top = int(np.argmax(np.abs(column)))
        out["top_base"][f"{site} {position:+d}"] = (vocab.BASES[top], float(column[top]))
        out["logo"][name] = float(column[vocab.BASES.index(base)])
    return out
