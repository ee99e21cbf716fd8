"""Paper B's SimpleSaliencyCNN and its size.

Architecture, as the paper describes it: token embedding (vocabulary 6: pad, A, C, G, T, N; 128 dimensions)
-> three blocks of Conv1d (kernel 8; 32, 16, 4 channels; 'same' padding) + batch norm + ReLU + max-pool 2
-> flatten (4 channels x 25 positions = 100 features for 200-nt input) -> dense 512 + ReLU + dropout 0.3
-> 2 logits (0 coding, 1 intergenomic). Training: :mod:`lib.coding.training`.
"""

from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from lib import vocab

SEQ_LEN = 200
VOCAB_SIZE = vocab.SIZE  # paper B's layout of lib.vocab: pad, A, C, G, T, N


class SimpleSaliencyCNN(nn.Module):
    """Input: token ids, LongTensor (n, length). Output: logits (n, n_classes).

    :meth:`embed` and :meth:`classify` split the forward pass at the embeddings, where saliency is taken.
    'Same' padding for the even kernel pads ``(kernel - 1) // 2`` zeros on the left and the rest on the
    right, as ``padding="same"`` does in torch (done explicitly here, which avoids torch's warning about it).

    :meth:`forward` computes the same function faster: the embedding followed by the first convolution is a
    sum over the kernel's offsets of (offset, token) -> channel vectors, so it looks up a table of
    ``kernel x (vocab + 1) x channels`` values built from both weights (the extra token is the zero padding)
    instead of convolving 128-dimensional embeddings. Gradients reach both weights through the table. With
    torch's oneDNN kernels off (:mod:`lib.numerics`) it trains about 6 times as fast on a CPU
    (``benchmarks/bench_cnn.py``); its logits equal :meth:`classify`'s to float rounding (``tests``).
    """

    def __init__(self, vocab_size: int = VOCAB_SIZE, embed_dim: int = 128,
                 channels: tuple[int, ...] = (32, 16, 4), kernel: int = 8, hidden: int = 512, dropout: float = 0.3,
                 length: int = SEQ_LEN,
                 n_classes: int = 2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        blocks, width = [], embed_dim
        for out in channels:
            blocks += [nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0), nn.Conv1d(width, out, kernel),
                       nn.BatchNorm1d(out), nn.ReLU(), nn.MaxPool1d(2)]
            width = out
        self.features = nn.Sequential(*blocks)
        pooled = length // 2 ** len(channels)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(width * pooled, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, n_classes))

    def embed(self, tokens: torch.Tensor) -> torch.Tensor:
        """(n, length) token ids -> (n, length, embed_dim) embeddings."""
        return self.embedding(tokens)

    def classify(self, embedded: torch.Tensor) -> torch.Tensor:
        """(n, length, embed_dim) embeddings -> (n, n_classes) logits."""
        return self.head(self.features(embedded.transpose(1, 2)))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """(n, length) token ids -> (n, n_classes) logits, through :meth:`first_layer`."""
        return self.head(self.features[2:](self.first_layer(tokens)))

    def first_layer(self, tokens: torch.Tensor) -> torch.Tensor:
        """The padded first convolution (``features[1]``) of the embeddings of ``tokens`` ((n, length) ids), as
        a table lookup: (n, channels, length)."""
        weight, bias = self.features[1].weight, self.features[1].bias  # (channels, embed_dim, kernel), (channels,)
        kernel = weight.shape[2]
        table = torch.einsum("vd,cdk->kvc", self.embedding.weight, weight)  # (kernel, vocab, channels)
        table = torch.cat([table, table.new_zeros(kernel, 1, table.shape[2])], 1)  # + the padding's zero row
        width = table.shape[1]
        padded = nn.functional.pad(tokens, ((kernel - 1) // 2, kernel // 2), value=width - 1)
        index = padded.unfold(1, kernel, 1) + torch.arange(kernel, device=tokens.device) * width  # (n, L, k)
        summed = table.reshape(kernel * width, -1)[index].sum(2) + bias  # (n, length, channels)
        return summed.transpose(1, 2)


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Learnable parameters, buffers (batch-norm running mean/variance and batch counters) and all values
    in the state dict (the sum of the two)."""
    learnable = sum(p.numel() for p in model.parameters())
    state = sum(v.numel() for v in model.state_dict().values())
    return {"learnable parameters": learnable, "buffers": state - learnable, "state dict values": state}


def size_record(counts: dict[str, int]) -> dict[str, int]:
    """:func:`parameter_counts` as the scorecard reads them (``state_dict_values``, ``learnable``, ``buffers``)."""
    return {"state_dict_values": counts["state dict values"], "learnable": counts["learnable parameters"],
            "buffers": counts["buffers"]}


def size_texts(counts: dict[str, int]) -> dict[str, str]:
    """Chapter 10's glued texts of :func:`parameter_counts`: ``n_learnable``, ``n_buffers``, ``n_state``
    (thousands separated by commas)."""
    return {"n_learnable": f"{counts['learnable parameters']:,}", "n_buffers": f"{counts['buffers']:,}",
            "n_state": f"{counts['state dict values']:,}"}


def state_dict_table(model: nn.Module) -> pd.DataFrame:
    """One row per state-dict entry (index): its ``shape``, number of ``values`` and whether it is
    ``learnable`` (a parameter, not a buffer)."""
    learnable = dict(model.named_parameters())
    return pd.DataFrame([(name, tuple(value.shape), value.numel(), name in learnable)
                         for name, value in model.state_dict().items()],
                        columns=["state dict entry", "shape", "values", "learnable"]).set_index("state dict entry")
