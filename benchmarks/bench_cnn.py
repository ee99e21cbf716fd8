"""Paper B's CNN speed: ``python benchmarks/bench_cnn.py [--device auto] [--sequences 20208] [--threads 1 2]``.

Times, on random 200-nt token sequences (speed does not depend on content):
- training: sequences and nucleotides per second and seconds per epoch of :func:`lib.coding.training.fit`
  (batch 64, as in ``default``), with the model's table-lookup forward pass and with the plain embedding and
  convolution it replaces (:meth:`lib.coding.model.SimpleSaliencyCNN.forward`);
- saliency: sequences per second of plain gradients, Integrated Gradients (50 steps) and SmoothGrad (20 samples).
On CPU it repeats for each ``--threads`` value; on a GPU (``--device auto`` picks CUDA when present) it runs once.
Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import time

import numpy as np
import torch

from lib import device, numerics
from lib.coding import attribution, training
from lib.coding.model import SEQ_LEN, SimpleSaliencyCNN
from lib.recipe import Recipe


class ConvolutionCNN(SimpleSaliencyCNN):
    """The same model with the forward pass through the embeddings and the first convolution (no table)."""

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.classify(self.embed(tokens))


def bench_training(tokens, labels, dev, epochs: int, batch_size: int,
                   model_class: type[SimpleSaliencyCNN] = SimpleSaliencyCNN) -> tuple[float, float]:
    """Mean (sequences/s, seconds per epoch) over ``epochs`` epochs after one warm-up epoch."""
    torch.manual_seed(0)
    model = model_class()
    training.fit(model, tokens[:2048], labels[:2048], Recipe(1, batch_size, 1e-3, 0), dev)  # warm-up
    history = training.fit(model, tokens, labels, Recipe(epochs, batch_size, 1e-3, 0), dev)
    rate, seconds = np.mean([[h["sequences_per_s"], h["seconds"]] for h in history], axis=0)
    return float(rate), float(seconds)


def bench_saliency(tokens, dev) -> dict[str, float]:
    """Sequences per second of each attribution method on ``tokens``."""
    model = SimpleSaliencyCNN().eval()
    runs = {"gradient": lambda x: attribution.gradient_importance(model, x, dev),
            "Integrated Gradients, 50 steps":
                lambda x: attribution.integrated_gradients_importance(model, x, dev, 50),
            "SmoothGrad, 20 samples": lambda x: attribution.smoothgrad_importance(model, x, dev, 20)}
    rates = {}
    for name, run in runs.items():
        count = len(tokens) if name == "gradient" else max(1, len(tokens) // 5)
        run(tokens[:8])  # warm-up
        start = time.perf_counter()
        run(tokens[:count])
        rates[name] = count / (time.perf_counter() - start)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    parser.add_argument("--sequences", type=int, default=20208,
                        help="training set size (default: the default profile's)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--saliency-sequences", type=int, default=1000)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="CPU thread counts to compare")
    args = parser.parse_args()
    dev = device.pick(args.device)
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 6, (args.sequences, SEQ_LEN)).astype(np.uint8)
    labels = rng.integers(0, 2, args.sequences)
    name = (torch.cuda.get_device_name(dev) if dev.type == "cuda"
            else f"CPU ({torch.get_num_threads()} threads default)")
    print(f"device: {name}; {args.sequences:,} training sequences, batch {args.batch_size}")
    for threads in (args.threads if dev.type == "cpu" else [torch.get_num_threads()]):
        with numerics.fixed_threads(threads):
            for path, model_class in (("table lookup", SimpleSaliencyCNN), ("convolution", ConvolutionCNN)):
                rate, epoch = bench_training(tokens, labels, dev, args.epochs, args.batch_size, model_class)
                print(f"[{dev.type}, {threads} thread(s)] training ({path}): {rate:,.0f} sequences/s, "
                      f"{rate * SEQ_LEN:,.0f} nt/s, {epoch:.1f} s per epoch")
            for method, speed in bench_saliency(tokens[: args.saliency_sequences], dev).items():
                print(f"[{dev.type}, {threads} thread(s)] saliency, {method}: {speed:,.0f} sequences/s")


if __name__ == "__main__":
    main()
