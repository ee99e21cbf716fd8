"""CPU speed of ``torch.nn.LSTM`` vs :func:`lib.splicing.fused_lstm.lstm`: ``python benchmarks/bench_fused_lstm.py``.

One unidirectional layer, batch first, forward + backward (a loss on every output step) through the input and
all weights; prints seconds per call for paper A's shapes (hidden 32: the encoder of a 64-d latent, one
direction; hidden 64: its decoder and the largest classifiers), and the largest difference of the outputs.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import torch

from lib import device  # noqa: F401  (importing it configures torch's numerics)
from lib.splicing.fused_lstm import lstm as fused

SHAPES = ((64, 530, 16, 32), (64, 530, 64, 64))  # (batch, length, input, hidden)


def seconds_per_call(step, repeats: int) -> float:
    """Median wall-clock seconds of ``step()`` over ``repeats`` calls, after one warm-up call."""
    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def compare(batch: int, length: int, size: int, hidden: int, repeats: int) -> tuple[float, float, float]:
    """(nn.LSTM seconds, fused seconds, max |output difference|) for one shape."""
    torch.manual_seed(0)
    module = torch.nn.LSTM(size, hidden, batch_first=True)
    x = torch.randn(batch, length, size, requires_grad=True)
    weights = (module.weight_ih_l0, module.weight_hh_l0, module.bias_ih_l0, module.bias_hh_l0)

    def torch_step():
        module(x)[0].sum().backward()

    def fused_step():
        fused(x, *weights)[0].sum().backward()

    reference, ours = seconds_per_call(torch_step, repeats), seconds_per_call(fused_step, repeats)
    with torch.no_grad():
        difference = (module(x)[0] - fused(x, *weights)[0]).abs().max().item()
    return reference, ours, difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_flush_denormal(True)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; forward + backward, seconds per call "
          f"(median of {args.repeats})")
    for shape in SHAPES:
        reference, ours, difference = compare(*shape, args.repeats)
        print("batch {}, length {}, input {}, hidden {}: ".format(*shape) + f"nn.LSTM {reference:.4f} s, "
              f"fused {ours:.4f} s ({reference / ours:.1f}x); max |output difference| {difference:.1e}")


if __name__ == "__main__":
    main()
