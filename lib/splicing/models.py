"""Paper A's models: the sequence autoencoder (section 3.1 / 4.2) and the splice classifiers (Table 1).

Tokens: A=0, C=1, G=2, T=3, N=4, padding=5 (:mod:`lib.splicing.tokens`). Shapes: ``tokens`` (batch, length) int64,
``lengths`` (batch,) int64. Every recurrent layer runs either packed or padded (``packed``), both exact. Padded
on the CPU, the ``nn.LSTM`` modules only hold the parameters and :mod:`lib.splicing.fused_lstm` runs them (same
equations, several times fewer ops per step); elsewhere (and packed, and under autocast) ``nn.LSTM`` runs itself
(cuDNN on a GPU).

The encoder's bidirectional LSTM (:class:`BiLSTM`) has ``latent // 2`` units per direction; the latent vector
is the final hidden states of both directions, concatenated (size ``latent``). The decoder is a unidirectional LSTM with
``latent`` units that starts from the latent vector and receives it again at every step, and nothing else: no
teacher forcing, so whatever it reconstructs comes from the latent vector alone.

The classifiers embed tokens the same way and read them with an LSTM (``lstm``: unidirectional), a BiLSTM
(``bilstm``), or a BiLSTM whose outputs are pooled by additive attention (``bilstm_attention``); a linear
layer gives 2 logits. :func:`init_from_encoder` copies the encoder's embedding and LSTM weights into them.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lib import device  # noqa: F401  (importing it configures torch's numerics)
from lib.splicing import fused_lstm
from lib.splicing.tokens import PAD, VOCAB

KINDS = ("lstm", "bilstm", "bilstm_attention")
# Padded runs on the CPU use lib.splicing.fused_lstm; False runs nn.LSTM itself (tests compare the two).
_FUSED_ON_CPU = True


def reverse_within(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence of ``x`` (batch, length, ...) within its own length; padding stays at the end.
    Applying it twice gives ``x`` back."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]
    n = lengths.to(x.device)[:, None]
    index = torch.where(steps < n, n - 1 - steps, steps)
    return torch.gather(x, 1, index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x))


def run_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor, packed: bool,
             state: tuple[torch.Tensor, torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A unidirectional ``lstm`` over variable-length ``x`` (batch, length, in).

    Returns (outputs (batch, length, hidden), final hidden state (batch, hidden) at each sequence's last
    position). Both modes are exact: ``packed`` skips the padding; padded runs over it, which cannot change
    any valid position of a left-to-right LSTM, and the final state is read at ``length - 1``. On CPUs the
    padded mode trains many times faster (``benchmarks/bench_paper_a.py``), and runs ``lstm``'s parameters
    through :func:`lib.splicing.fused_lstm.lstm` (``benchmarks/bench_fused_lstm.py``), except under CPU
    autocast (``precision=bf16``), where ``nn.LSTM`` runs so that torch's autocast decides what runs in bfloat16,
    as it does for cuDNN on a GPU. ``state``: (h0, c0),
    each (1, batch, hidden) as for ``nn.LSTM``.
    """
    if packed:
        sequence = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        output, (hidden, _) = lstm(sequence, state)
        return pad_packed_sequence(output, batch_first=True, total_length=x.shape[1])[0], hidden[0]
    if x.device.type == "cpu" and _FUSED_ON_CPU and not torch.is_autocast_enabled("cpu"):
        output = fused_lstm.lstm(x, lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0,
                                 None if state is None else (state[0][0], state[1][0]))[0]
    else:
        output, _ = lstm(x, state)
    last = (lengths.to(x.device) - 1).view(-1, 1, 1).expand(-1, 1, output.shape[2])
    return output, torch.gather(output, 1, last).squeeze(1)


class BiLSTM(nn.Module):
    """Two unidirectional LSTMs, ``forward_lstm`` reading 5'->3' and ``backward_lstm`` reading 3'->5'.

    Kept as two modules (instead of ``nn.LSTM(bidirectional=True)``) so that each direction can run padded
    and exact, and so that a unidirectional classifier can take the forward direction alone.
    """

    def __init__(self, embed: int, hidden: int, directions: int = 2):
        super().__init__()
        self.hidden_size = hidden
        self.forward_lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.backward_lstm = nn.LSTM(embed, hidden, batch_first=True) if directions == 2 else None

    def forward(self, x: torch.Tensor, lengths: torch.Tensor, packed: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs (batch, length, directions * hidden) and final states (batch, directions * hidden)."""
        output, final = run_lstm(self.forward_lstm, x, lengths, packed)
        if self.backward_lstm is None:
            return output, final
        reversed_output, reversed_final = run_lstm(self.backward_lstm, reverse_within(x, lengths), lengths, packed)
        return (torch.cat([output, reverse_within(reversed_output, lengths)], dim=2),
                torch.cat([final, reversed_final], dim=1))


class Encoder(nn.Module):
    """Embedding + BiLSTM -> latent vector (batch, latent)."""

    def __init__(self, latent: int, embed: int, packed: bool = False):
        super().__init__()
        if latent % 2:
            raise ValueError(f"latent size must be even (two LSTM directions), got {latent}")
        self.packed = packed
        self.embedding = nn.Embedding(VOCAB, embed, padding_idx=PAD)
        self.lstm = BiLSTM(embed, latent // 2)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.lstm(self.embedding(tokens), lengths, self.packed)[1]


class Decoder(nn.Module):
    """Latent (batch, latent) -> logits over A, C, G, T at every position (batch, max(lengths), 4)."""

    def __init__(self, latent: int, packed: bool = False):
        super().__init__()
        self.packed = packed
        self.lstm = nn.LSTM(latent, latent, batch_first=True)
        self.out = nn.Linear(latent, 4)

    def forward(self, latent: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        steps = latent.unsqueeze(1).expand(-1, int(lengths.max()), -1)
        state = (latent.unsqueeze(0).contiguous(), torch.zeros_like(latent).unsqueeze(0))
        return self.out(run_lstm(self.lstm, steps, lengths, self.packed, state)[0])


class Autoencoder(nn.Module):
    """Encoder + decoder; ``forward`` returns reconstruction logits (batch, length, 4), aligned with the input.

    With ``reverse`` the decoder emits each sequence from its last base to its first (target reversal, as
    Sutskever et al. 2014 reversed the source: the first decoded bases are then the ones the encoder's forward
    direction read last); the logits are turned back to input order, so losses and accuracies compare the same
    positions either way. Reversal has no weights: both variants have the same parameters."""

    def __init__(self, latent: int, embed: int, packed: bool = False, reverse: bool = False):
        super().__init__()
        self.latent_size, self.reverse = latent, reverse
        self.encoder = Encoder(latent, embed, packed)
        self.decoder = Decoder(latent, packed)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        logits = self.decoder(self.encoder(tokens, lengths), lengths)
        return reverse_within(logits, lengths) if self.reverse else logits


class SpliceClassifier(nn.Module):
    """Embedding + (Bi)LSTM [+ attention] + linear -> logits (batch, 2).

    ``hidden`` units per direction; to take an encoder's weights it must be the encoder's ``latent // 2``.
    ``dropout`` zeroes that share of the pooled representation in training (a regularizer without weights).
    """

    def __init__(self, kind: str, hidden: int, embed: int, attention: int = 32, packed: bool = False,
                 dropout: float = 0.0):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown classifier {kind!r}; choose one of {', '.join(KINDS)}")
        self.kind, self.packed = kind, packed
        self.embedding = nn.Embedding(VOCAB, embed, padding_idx=PAD)
        self.lstm = BiLSTM(embed, hidden, directions=1 if kind == "lstm" else 2)
        width = hidden * (1 if kind == "lstm" else 2)
        if kind == "bilstm_attention":
            self.score = nn.Sequential(nn.Linear(width, attention), nn.Tanh(), nn.Linear(attention, 1, bias=False))
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(width, 2)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.forward_embedded(self.embedding(tokens), lengths)

    def forward_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits from already embedded input (batch, length, embed): the entry point for attributions."""
        output, final = self.lstm(embedded, lengths, self.packed)
        if self.kind != "bilstm_attention":
            return self.head(self.dropout(final))
        scores = self.score(output).squeeze(-1)  # (batch, length)
        mask = torch.arange(embedded.shape[1], device=embedded.device)[None, :] >= lengths.to(embedded.device)[:, None]
        weights = torch.softmax(scores.masked_fill(mask, float("-inf")), dim=1)
        return self.head(self.dropout(torch.einsum("bl,blh->bh", weights, output)))


def init_from_encoder(classifier: SpliceClassifier, encoder: Encoder) -> list[str]:
    """Copy the encoder's embedding and LSTM weights into ``classifier``; returns the copied parameter names.

    A bidirectional classifier takes both directions as they are. The unidirectional ``lstm`` takes the
    encoder's forward direction (the LSTM that reads 5'->3'), as it reads the sequence the same way. The
    attention and output layers keep their own initialization.
    """
    if classifier.lstm.hidden_size != encoder.lstm.hidden_size:
        raise ValueError(f"classifier hidden size {classifier.lstm.hidden_size} != encoder's "
                         f"{encoder.lstm.hidden_size} (latent // 2)")
    if classifier.embedding.embedding_dim != encoder.embedding.embedding_dim:
        raise ValueError("classifier and encoder embedding sizes differ")
    source = encoder.state_dict()
    copied = [name for name in classifier.state_dict() if name.startswith(("embedding.", "lstm."))]
    classifier.load_state_dict({name: source[name] for name in copied}, strict=False)
    return copied
