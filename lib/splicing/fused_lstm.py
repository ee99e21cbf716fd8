"""A single-layer unidirectional LSTM for the CPU, with a hand-written backward (backpropagation through time).

Same equations, gate layout and parameters as ``torch.nn.LSTM`` (gates i, f, g, o stacked in the rows of
``weight_ih`` (4H, input) and ``weight_hh`` (4H, H)), so the results agree with it to float rounding (the sums
run in another order). Why: on the CPU ``nn.LSTM`` runs a dozen small autograd ops per time step, and on
paper A's sequences (hundreds of steps, 16-64 units) that per-op overhead takes much of the time. Here each
forward step is one matrix multiply and seven elementwise ops, in place and without autograd bookkeeping, each
backward step one matrix multiply and four elementwise ops, and everything that can run over all steps at once
(input projection, gradients of the weights, biases and input) does so in single large matrix multiplies
(``benchmarks/bench_fused_lstm.py`` compares the speed). Memory: (I + 7 H) B T floats are saved for the backward
(input, gates, cell and hidden states, tanh of the cells), and the backward adds about (I + 5 H) B T.

Shapes (B batch, T steps, I input size, H hidden units), all one floating dtype:
``x`` (B, T, I), batch first; ``state`` optional (h0, c0), each (B, H) (2-D, unlike ``nn.LSTM``'s
(1, B, H)). Returns output (B, T, H) and the state after the last step, h_n and c_n (B, H).
Differentiable once in every input, including h0 and c0.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


def lstm(x: torch.Tensor, weight_ih: torch.Tensor, weight_hh: torch.Tensor, bias_ih: torch.Tensor,
         bias_hh: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None,
         ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(output (B, T, H), h_n (B, H), c_n (B, H)) of an LSTM over ``x`` (B, T, I) from ``state`` (h0, c0)
    (zeros when ``None``). h_n and c_n are taken after step T - 1: a shorter sequence of a padded batch has its
    final hidden state in ``output`` at its own length - 1."""
    h0, c0 = state if state is not None else (None, None)
    return _LSTM.apply(x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0)


def _gates(buffer: torch.Tensor) -> list[torch.Tensor]:
    """The four H-wide column blocks (i, f, g, o) of ``buffer`` (..., 4H), as views."""
    return list(buffer.chunk(4, dim=-1))


class _LSTM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight_ih, weight_hh, bias_ih, bias_hh, h0, c0):
        batch, length, _ = x.shape
        hidden = weight_hh.shape[1]
        x_steps = x.transpose(0, 1).contiguous()  # time major: every step's rows are contiguous
        # All steps' input projections at once; step t then adds h_{t-1} W_hh^T and applies the nonlinearities
        # in place, so ``gates`` ends up holding i, f, g, o after their nonlinearity (T, B, 4H).
        gates = torch.addmm(bias_ih + bias_hh, x_steps.view(length * batch, -1), weight_ih.t())
        gates = gates.view(length, batch, 4 * hidden)
        hs = x.new_empty(length + 1, batch, hidden)  # hs[0] = h0, hs[t + 1] = h_t; cs likewise
        cs = x.new_empty(length + 1, batch, hidden)
        hs[0] = 0 if h0 is None else h0
        cs[0] = 0 if c0 is None else c0
        tanh_cs = x.new_empty(length, batch, hidden)  # tanh(c_t)
        i, f, g, o = (part.unbind(0) for part in _gates(gates))
        sigmoid_if = gates[..., : 2 * hidden].unbind(0)
        w_hh_t = weight_hh.t()
        h, c = hs.unbind(0), cs.unbind(0)
        for t, (step, tanh_c) in enumerate(zip(gates.unbind(0), tanh_cs.unbind(0))):
            step.addmm_(h[t], w_hh_t)
            sigmoid_if[t].sigmoid_()
            g[t].tanh_()
            o[t].sigmoid_()
            torch.mul(f[t], c[t], out=c[t + 1])
            c[t + 1].addcmul_(i[t], g[t])
            torch.tanh(c[t + 1], out=tanh_c)
            torch.mul(o[t], tanh_c, out=h[t + 1])
        ctx.save_for_backward(x_steps, weight_ih, weight_hh, gates, hs, cs, tanh_cs)
        return hs[1:].transpose(0, 1), hs[length], cs[length]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output, grad_h_n, grad_c_n):
        x_steps, weight_ih, weight_hh, gates, hs, cs, tanh_cs = ctx.saved_tensors
        length, batch, hidden = tanh_cs.shape
        i, f, g, o = _gates(gates)
        # ``d`` becomes the gradient w.r.t. the gates before their nonlinearity (T, B, 4H). It starts as the
        # factors that turn dL/dc_t (for i, f, g) and dL/dh_t (for o) into it, computed for all steps at once:
        # sigmoid' = s - s^2 and tanh' = 1 - tanh^2, from the squares of the gates.
        d = gates * gates
        d_i, d_f, d_g, d_o = _gates(d)
        torch.sub(gates[..., : 2 * hidden], d[..., : 2 * hidden], out=d[..., : 2 * hidden])
        d_i.mul_(g)  # times dL/dc_t: as dc_t/di_t = g_t
        d_f.mul_(cs[:-1])  # times dL/dc_t: dc_t/df_t = c_{t-1}
        torch.addcmul(i, i, d_g, value=-1, out=d_g)  # (1 - g_t^2) i_t, times dL/dc_t: dc_t/dg_t = i_t
        torch.sub(o, d_o, out=d_o).mul_(tanh_cs)  # times dL/dh_t: dh_t/do_t = tanh(c_t)
        dc_dh = tanh_cs * tanh_cs  # dc_t / dh_t through h_t = o_t tanh(c_t): o_t (1 - tanh(c_t)^2)
        torch.addcmul(o, o, dc_dh, value=-1, out=dc_dh)
        d_ifg = d.view(length, batch, 4, hidden)[:, :, :3].unbind(0)
        d_o, d_steps, f, dc_dh = d_o.unbind(0), d.unbind(0), f.unbind(0), dc_dh.unbind(0)
        grad_steps = grad_output.transpose(0, 1).unbind(0)  # dL/dh_t from the output, (B, H) each
        dh = grad_steps[-1] + grad_h_n  # dL/dh_t, all paths
        dc = grad_c_n.clone()  # dL/dc_t, all paths; after step t's update, dL/dc_{t-1}
        dc_ifg = dc.unsqueeze(1)
        for t in range(length - 1, -1, -1):
            if t < length - 1:
                dh = torch.addmm(grad_steps[t], d_steps[t + 1], weight_hh)
            dc.addcmul_(dh, dc_dh[t])
            d_ifg[t].mul_(dc_ifg)
            d_o[t].mul_(dh)
            dc.mul_(f[t])
        d = d.view(length * batch, 4 * hidden)
        need = ctx.needs_input_grad
        grad_x = torch.mm(d, weight_ih).view(length, batch, -1).transpose(0, 1) if need[0] else None
        grad_w_ih = torch.mm(d.t(), x_steps.view(length * batch, -1)) if need[1] else None
        grad_w_hh = torch.mm(d.t(), hs[:-1].reshape(length * batch, hidden)) if need[2] else None
        grad_bias = d.sum(0) if need[3] or need[4] else None
        grad_h0 = torch.mm(d_steps[0], weight_hh) if need[5] else None
        grad_c0 = dc if need[6] else None
        # A separate tensor for each bias, so that their .grad never share memory.
        return (grad_x, grad_w_ih, grad_w_hh, grad_bias if need[3] else None,
                grad_bias.clone() if need[4] else None, grad_h0, grad_c0)
