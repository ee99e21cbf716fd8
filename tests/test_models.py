"""lib.splicing.models, lib.splicing.tokens and lib.splicing.train: shapes, exactness of padded vs packed runs, reconstruction on a toy
set, the encoder-to-classifier weight transfer, and that initialized and random runs differ only there."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from lib import cache
from lib.recipe import Recipe
from lib.splicing import train
from lib.splicing.models import Autoencoder, SpliceClassifier, init_from_encoder, reverse_within
from lib.splicing.tokens import PAD, buckets, encode, pad


def test_encode_and_pad():
    assert encode("ACGTN").tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="'X' is not one of A, C, G, T, N"):
        encode("ACXT")
    padded, lengths = pad([encode("ACG"), encode("A")])
    assert padded.tolist() == [[0, 1, 2], [0, PAD, PAD]] and lengths.tolist() == [3, 1]


def test_buckets_group_similar_lengths_and_cover_everything():
    lengths = [5, 100, 7, 98, 6, 99]
    chunks = buckets(lengths, 3, np.random.default_rng(0))
    assert sorted(np.concatenate(chunks).tolist()) == list(range(6))
    assert sorted(sorted(lengths[i] for i in c) for c in chunks) == [[5, 6, 7], [98, 99, 100]]


def test_reverse_within_keeps_padding_and_inverts():
    x = torch.arange(8).view(2, 4, 1)
    out = reverse_within(x, torch.tensor([4, 2]))
    assert out.squeeze(-1).tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]
    assert torch.equal(reverse_within(out, torch.tensor([4, 2])), x)


def test_autoencoder_shapes(token_batch):
    tokens, lengths = token_batch
    model = Autoencoder(latent=16, embed=8)
    assert model.encoder(tokens, lengths).shape == (5, 16)
    assert model(tokens, lengths).shape == (5, 30, 4)


def test_padded_runs_equal_packed_runs_and_torch_bidirectional_lstm(token_batch):
    tokens, lengths = token_batch
    padded, packed = Autoencoder(16, 8, packed=False), Autoencoder(16, 8, packed=True)
    packed.load_state_dict(padded.state_dict())
    mask = torch.arange(30)[None] < lengths[:, None]
    assert torch.allclose(padded.encoder(tokens, lengths), packed.encoder(tokens, lengths), atol=1e-6)
    assert torch.allclose(padded(tokens, lengths)[mask], packed(tokens, lengths)[mask], atol=1e-6)
    reference = torch.nn.LSTM(8, 8, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for name, parameter in reference.named_parameters():
            lstm = padded.encoder.lstm
            direction = lstm.backward_lstm if name.endswith("_reverse") else lstm.forward_lstm
            parameter.copy_(getattr(direction, name.removesuffix("_reverse")))
    embedded = padded.encoder.embedding(tokens)
    _, (hidden, _) = reference(pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False))
    assert torch.allclose(torch.cat([hidden[0], hidden[1]], 1), padded.encoder(tokens, lengths), atol=1e-6)


@pytest.mark.parametrize("kind", ["lstm", "bilstm", "bilstm_attention"])
def test_classifier_shapes_and_modes(token_batch, kind):
    tokens, lengths = token_batch
    padded, packed = SpliceClassifier(kind, 8, 8), SpliceClassifier(kind, 8, 8, packed=True)
    packed.load_state_dict(padded.state_dict())
    assert padded(tokens, lengths).shape == (5, 2)
    assert torch.allclose(padded(tokens, lengths), packed(tokens, lengths), atol=1e-6)


def test_reconstruction_from_the_latent_alone_beats_chance():
    """Four fixed 12-nt sequences: a 16-d latent must tell them apart and the decoder must write them back."""
    words = ["ACGTACGTACGT", "TTTTGGGGCCCC", "GATTACAGATTA", "CCGGAATTCCGG"]
    tokens = [encode(w) for w in words] * 8
    model = Autoencoder(latent=16, embed=8)
    history = train.fit_autoencoder(model, tokens, tokens[:4], Recipe(epochs=60, batch_size=32, lr=0.02, seed=0),
                                    torch.device("cpu"))
    assert history[-1]["held_out_loss"] < 0.3 * np.log(4)  # chance: ln 4 nats per base
    assert history[-1]["held_out_accuracy"] > 0.9


def test_the_autoencoder_trains_every_epoch_and_refuses_a_patience():
    tokens = [encode("ACGTACGT")] * 4
    recipe = Recipe(epochs=2, batch_size=4, lr=0.01, seed=0)
    assert len(train.fit_autoencoder(Autoencoder(8, 4), tokens, tokens, recipe, torch.device("cpu"))) == 2
    with pytest.raises(ValueError, match="patience=3 is not used"):
        train.fit_autoencoder(Autoencoder(8, 4), tokens, tokens, Recipe(2, 4, 0.01, 0, patience=3), torch.device("cpu"))


@pytest.mark.parametrize("kind", ["lstm", "bilstm", "bilstm_attention"])
def test_weights_really_copied(kind):
    encoder = Autoencoder(16, 8).encoder
    model = SpliceClassifier(kind, 8, 8)
    copied = init_from_encoder(model, encoder)
    state, source = model.state_dict(), encoder.state_dict()
    for name in copied:
        assert torch.equal(state[name], source[name]), name
    assert ("lstm.backward_lstm.weight_hh_l0" in copied) == (kind != "lstm")


def test_transfer_refuses_mismatched_sizes():
    with pytest.raises(ValueError, match="hidden size 4 != encoder's 8"):
        init_from_encoder(SpliceClassifier("bilstm", 4, 8), Autoencoder(16, 8).encoder)


@pytest.mark.parametrize("kind", ["lstm", "bilstm", "bilstm_attention"])
def test_random_and_initialized_runs_differ_only_in_the_transferred_weights(kind):
    encoder = Autoencoder(16, 8).encoder
    random = train.classifier(kind, 8, 8, seed=3)
    initialized = train.classifier(kind, 8, 8, seed=3, encoder=encoder)
    transferred = {n for n in initialized.state_dict() if n.startswith(("embedding.", "lstm."))}
    for name, tensor in initialized.state_dict().items():
        if name in transferred:
            assert torch.equal(tensor, encoder.state_dict()[name])
            assert not torch.equal(tensor, random.state_dict()[name])
        else:
            assert torch.equal(tensor, random.state_dict()[name]), name


def test_classifier_training_is_seeded_and_cached():
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 20)) for _ in range(40)]
    labels = np.array([int(s.count("G") > 5) for s in seqs])
    tokens = [encode(s) for s in seqs]

    def run():
        model = train.classifier("bilstm", 4, 4, seed=1)
        recipe = Recipe(epochs=2, batch_size=8, lr=0.01, seed=1, patience=2)
        return model, train.fit_classifier(model, tokens, labels, tokens[:10], labels[:10], recipe, torch.device("cpu"))

    (a, history_a), (b, history_b) = run(), run()
    stalled = train.fit_classifier(train.classifier("bilstm", 4, 4, seed=1), tokens, labels, tokens[:10],
                                   labels[:10], Recipe(4, 8, 0.0, 1), torch.device("cpu"))
    assert len(stalled) == 4  # lr 0: validation accuracy never improves, and without a patience every epoch runs
    assert [h["val_accuracy"] for h in history_a] == [h["val_accuracy"] for h in history_b]
    assert all(torch.equal(a.state_dict()[k], v) for k, v in b.state_dict().items())
    calls = []

    def make():
        return train.classifier("bilstm", 4, 4, seed=1)

    def fit(model):
        calls.append(1)
        return []

    first, _ = cache.trained("models", "classifier", {"x": 1}, make, fit)
    again, _ = cache.trained("models", "classifier", {"x": 1}, make, fit)
    assert len(calls) == 1 and cache.module_digest(again) == cache.module_digest(first)
