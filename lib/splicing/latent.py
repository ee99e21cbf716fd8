"""Table 2: fixed-length feature vectors of sequences, and three simple classifiers that read them.

Feature sets (rows, shape (n, d)): the encoder's latent vectors, the same from an untrained encoder (control),
k-mer frequencies (k = 1..3, 84 values) and intron length alone (log10, 1 value).
Classifiers: an RBF SVM, a 2-layer neural network (one hidden layer of 64 units: two weight layers), and a
vanilla RNN. The paper does not say how its RNN reads one vector; here it reads the vector as a sequence of
``chunk``-sized pieces (a 64-d latent is 8 steps of 8 values), its final hidden state feeding a linear layer.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from torch import nn

from lib import seeds, vocab
from lib.splicing import published
from lib.splicing.models import Encoder
from lib.splicing.tokens import batches, encode_all

KMERS = ["".join(p) for k in (1, 2, 3) for p in product(vocab.BASES, repeat=k)]


class FeatureNames(NamedTuple):
    """The names of Table 2's four feature sets, as they label its rows."""

    trained: str
    untrained: str
    kmer: str
    length: str


def feature_names(latent_size: int) -> FeatureNames:
    """The feature-set names for encoders of ``latent_size`` dimensions."""
    return FeatureNames(f"latent, trained encoder ({latent_size})", f"latent, untrained encoder ({latent_size})",
                        f"k-mer frequencies ({len(KMERS)})", "intron length (1)")


def latents(encoder: Encoder, tokens, batch_size: int = 128) -> np.ndarray:
    """Latent vectors (n, latent) of token sequences, in input order."""
    encoder.eval()
    out = None
    with torch.no_grad():
        for index, padded, lengths in batches(tokens, batch_size, None):
            z = encoder(padded, lengths).numpy()
            out = np.empty((len(tokens), z.shape[1]), dtype=np.float32) if out is None else out
            out[index] = z
    return out


def kmer_frequencies(seqs) -> np.ndarray:
    """Frequencies of every k-mer, k = 1, 2, 3, within each sequence (n, 84); each k's block sums to 1."""
    index = {kmer: i for i, kmer in enumerate(KMERS)}
    out = np.zeros((len(seqs), len(KMERS)), dtype=np.float32)
    for row, seq in enumerate(seqs):
        for k in (1, 2, 3):
            windows = [seq[i : i + k] for i in range(len(seq) - k + 1)]
            counts = np.zeros(len(KMERS), dtype=np.float32)
            for w in windows:
                if w in index:
                    counts[index[w]] += 1
            out[row] += counts / max(len(windows), 1)
    return out


class VectorRNN:
    """A vanilla (tanh) RNN over a vector cut into ``chunk``-sized steps; sklearn-like ``fit``/``predict``."""

    def __init__(self, seed: int, chunk: int = 8, hidden: int = 32, steps: int = 300, lr: float = 1e-2):
        self.seed, self.chunk, self.hidden, self.steps, self.lr = seed, chunk, hidden, steps, lr

    def _sequence(self, x: np.ndarray) -> torch.Tensor:
        chunk = min(self.chunk, x.shape[1])
        width = -(-x.shape[1] // chunk) * chunk
        padded = np.zeros((len(x), width), dtype=np.float32)
        padded[:, : x.shape[1]] = self.scaler.transform(x)
        return torch.from_numpy(padded.reshape(len(x), width // chunk, chunk))

    def fit(self, x: np.ndarray, y: np.ndarray) -> VectorRNN:
        torch.manual_seed(self.seed)
        self.scaler = StandardScaler().fit(x)
        seq = self._sequence(x)
        self.rnn = nn.RNN(seq.shape[2], self.hidden, batch_first=True)
        self.head = nn.Linear(self.hidden, 2)
        optimizer = torch.optim.Adam([*self.rnn.parameters(), *self.head.parameters()], lr=self.lr)
        target = torch.tensor(np.asarray(y), dtype=torch.int64)
        for _ in range(self.steps):  # full-batch training
            loss = nn.functional.cross_entropy(self._logits(seq), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return self

    def _logits(self, seq: torch.Tensor) -> torch.Tensor:
        _, hidden = self.rnn(seq)
        return self.head(hidden[0])

    def predict(self, x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self._logits(self._sequence(x)).argmax(1).numpy()


def classifiers(seed: int) -> dict:
    """The three Table 2 classifiers, freshly made with ``seed``."""
    return {
        "SVM": make_pipeline(StandardScaler(), SVC(kernel="rbf", C=1.0)),
        # L-BFGS: sklearn's recommended solver for data sets of a few thousand rows; converges within max_iter here
        "2-layer ANN": make_pipeline(StandardScaler(), MLPClassifier((64,), solver="lbfgs", max_iter=2000,
                                                                     random_state=seed)),
        "vanilla RNN": VectorRNN(seed),
    }


def feature_sets(names: FeatureNames, encoders: dict[int, Encoder], untrained: Callable[[int], Encoder],
                 train_rows: pd.DataFrame, test_rows: pd.DataFrame) -> dict[int, dict[str, tuple[np.ndarray, ...]]]:
    """Per seed of ``encoders`` (seed -> trained encoder), Table 2's four feature sets of the rows (``seq`` and
    ``length`` columns), name (``names``, :func:`feature_names`) -> (train matrix, test matrix), each (rows, d):
    that seed's latent vectors, those of ``untrained(seed)`` (an encoder never trained), the k-mer frequencies
    and log10 of the intron length; the last two are the same for every seed."""
    tokens = [encode_all(rows["seq"]) for rows in (train_rows, test_rows)]
    fixed = {names.kmer: tuple(kmer_frequencies(rows["seq"]) for rows in (train_rows, test_rows)),
             names.length: tuple(np.log10(rows[["length"]].to_numpy(float)) for rows in (train_rows, test_rows))}
    sets = {}
    for seed, encoder in encoders.items():
        trained = tuple(latents(encoder, t) for t in tokens)
        control = untrained(seed)
        sets[seed] = {names.trained: trained, names.untrained: tuple(latents(control, t) for t in tokens), **fixed}
    return sets


def accuracy_runs(features: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]], y_train: np.ndarray,
                  y_test: np.ndarray) -> pd.DataFrame:
    """Test accuracy (%) of every classifier on every feature set, per seed: one row per (``seed``,
    ``features``, ``classifier``).

    ``features`` maps a seed to its feature sets (name -> (train matrix, test matrix)): a seed's latent vectors
    come from that seed's encoder, and its classifiers are seeded with it (the SVM has no seed of its own)."""
    rows = []
    for seed, sets in features.items():
        for name, (x_train, x_test) in sets.items():
            for model_name, model in classifiers(seed).items():
                model.fit(x_train, y_train)
                rows.append({"seed": seed, "features": name, "classifier": model_name,
                             "accuracy": 100 * float((model.predict(x_test) == y_test).mean())})
    return pd.DataFrame(rows)


def margin(runs: pd.DataFrame, features: str, control: str) -> dict:
    """How much better ``features`` are than ``control`` over seeds: per seed, the mean accuracy of the three
    classifiers on each, paired by seed (:func:`lib.seeds.paired_effect`, points)."""
    per_seed = runs.groupby(["features", "seed"])["accuracy"].mean()
    return seeds.paired_effect(per_seed.loc[features].sort_index(), per_seed.loc[control].sort_index())


def paper_row() -> pd.DataFrame:
    """Paper A's Table 2 as one row shaped like :func:`accuracy_table`'s means."""
    return pd.DataFrame({("mean", name): [value] for name, value in published.TABLE2.items()},
                        index=[f"paper: latent ({published.TABLE2_LATENT})"])


def accuracy_table(runs: pd.DataFrame) -> pd.DataFrame:
    """:func:`accuracy_runs` as Table 2: mean and sd over seeds, one row per feature set (0 sd for one seed)."""
    table = runs.groupby(["features", "classifier"], sort=False)["accuracy"].agg(["mean", "std"]).round(2)
    return table.fillna(0.0).unstack("classifier")
