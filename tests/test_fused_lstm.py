"""lib.splicing.fused_lstm: outputs and every gradient equal nn.LSTM's, gradcheck in float64, inference modes,
and paper A's models giving the same outputs and gradients with it as with nn.LSTM (padded runs on the CPU)."""

from __future__ import annotations

import pytest
import torch

from lib.splicing import models
from lib.splicing.fused_lstm import lstm
from lib.splicing.models import KINDS, Autoencoder, SpliceClassifier


def weights(module: torch.nn.LSTM) -> list[torch.Tensor]:
    return [module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0, module.bias_hh_l0]


@pytest.mark.parametrize("batch, length, size, hidden, with_state", [
    (3, 7, 5, 4, False), (3, 7, 5, 4, True), (1, 1, 2, 3, True), (4, 11, 3, 6, False), (2, 5, 6, 2, True)])
def test_outputs_and_all_gradients_equal_torch(batch, length, size, hidden, with_state):
    torch.manual_seed(batch * 100 + length)
    module = torch.nn.LSTM(size, hidden, batch_first=True)
    x = torch.randn(batch, length, size, requires_grad=True)
    state = [torch.randn(batch, hidden, requires_grad=True) for _ in range(2)] if with_state else None
    inputs = [x, *weights(module), *(state or [])]
    # A loss touching every output step and the final h and c, with random weights so no gradient is uniform.
    w_out, w_h, w_c = torch.randn(batch, length, hidden), torch.randn(batch, hidden), torch.randn(batch, hidden)

    output, (h_n, c_n) = module(x, None if state is None else (state[0][None], state[1][None]))
    expected = (output, h_n[0], c_n[0])
    expected_grads = torch.autograd.grad((output * w_out).sum() + (h_n[0] * w_h).sum() + (c_n[0] * w_c).sum(),
                                         inputs)
    got = lstm(x, *weights(module), state)
    grads = torch.autograd.grad((got[0] * w_out).sum() + (got[1] * w_h).sum() + (got[2] * w_c).sum(), inputs)
    for a, b in zip(expected, got, strict=True):
        assert a.shape == b.shape and torch.allclose(a, b, rtol=0, atol=1e-5)
    for a, b in zip(expected_grads, grads, strict=True):
        assert a.shape == b.shape and torch.allclose(a, b, rtol=0, atol=1e-5)


def test_gradcheck_float64():
    torch.manual_seed(0)
    batch, length, size, hidden = 2, 4, 3, 2
    inputs = [torch.randn(*shape, dtype=torch.float64, requires_grad=True) for shape in
              [(batch, length, size), (4 * hidden, size), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,),
               (batch, hidden), (batch, hidden)]]
    assert torch.autograd.gradcheck(lambda x, *p: lstm(x, *p[:4], (p[4], p[5])), inputs)
    assert torch.autograd.gradcheck(lambda x, *p: lstm(x, *p), inputs[:5])


def test_only_the_inputs_that_need_it_get_gradients_and_inference_needs_none():
    torch.manual_seed(1)
    module = torch.nn.LSTM(3, 4, batch_first=True)
    x = torch.randn(2, 6, 3)  # no grad: as the token embeddings of a frozen embedding
    fused_grads = torch.autograd.grad(lstm(x, *weights(module))[0].sum(), weights(module))
    for a, b in zip(fused_grads, torch.autograd.grad(module(x)[0].sum(), weights(module)), strict=True):
        assert torch.allclose(a, b, rtol=0, atol=1e-5)
    with torch.no_grad():
        output, h_n, c_n = lstm(x, *weights(module))
    assert output.grad_fn is None and not output.requires_grad
    assert torch.allclose(output, module(x)[0], rtol=0, atol=1e-5) and torch.equal(h_n, output[:, -1])
    assert torch.allclose(c_n, module(x)[1][1][0], rtol=0, atol=1e-5)


@pytest.mark.parametrize("make", [lambda: Autoencoder(16, 8)] + [lambda kind=kind: SpliceClassifier(kind, 8, 6)
                                                                 for kind in KINDS])
def test_models_give_the_same_outputs_and_gradients_as_with_torch_lstm(make, monkeypatch, token_batch):
    """models._FUSED_ON_CPU switches padded CPU runs between the fused function and nn.LSTM itself."""
    tokens, lengths = token_batch
    torch.manual_seed(2)
    model = make()
    runs = []
    for fused in (True, False):
        monkeypatch.setattr(models, "_FUSED_ON_CPU", fused)
        model.zero_grad()
        output = model(tokens, lengths)
        output.square().sum().backward()
        runs.append((output, [p.grad.clone() for p in model.parameters()]))
        with torch.no_grad():  # inference, in eval mode, as the attribution and evaluation passes run
            assert torch.allclose(model.eval()(tokens, lengths), output, rtol=0, atol=1e-5)
        model.train()
    (fused_output, fused_grads), (torch_output, torch_grads) = runs
    assert torch.allclose(fused_output, torch_output, rtol=0, atol=1e-5)
    for a, b in zip(fused_grads, torch_grads, strict=True):
        assert torch.allclose(a, b, rtol=0, atol=1e-5)
