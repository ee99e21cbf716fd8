"""Integrated Gradients throughput: ``python benchmarks/bench_attribution.py [--profile default] [--n 16]
[--device auto]``.

Attributes ``--n`` test sequences of the profile with chapter 05's model at the profile's step count (200 in
``default``), for a few ``internal_batch_size`` values, on ``--device`` (``auto``: CUDA when torch sees a GPU,
else the CPU; the model runs in evaluation mode, through cuDNN's LSTM on a GPU). Prints sequences and
nucleotides per second, the peak resident memory of the process and, on a GPU, the peak GPU memory.
"""

from __future__ import annotations

import lib  # noqa: F401  (first: pins the numerics before numpy and torch load; see lib.numerics)

# isort: split

import argparse
import resource
import time

import torch

from lib import device as devices
from lib.book import config
from lib.splicing import attribution, experiments
from lib.splicing.tokens import encode_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu or cuda")
    args = parser.parse_args()
    device = devices.pick(args.device)
    P = config.resolve(args.profile)
    data = experiments.junction_data(P)
    sets = experiments.classifier_data(P, data)
    encoder = experiments.autoencoder(P, P.ae_latent, data).model.encoder
    model, _, _ = experiments.classifier_run(P, "bilstm_attention", True, P.clf_seeds[0], sets, encoder)
    rows = sets.tables["test"].head(args.n)
    tokens = encode_all(rows["seq"])
    print(f"profile {P.profile}: {len(tokens)} sequences, mean length {rows['seq'].str.len().mean():.0f} nt, "
          f"{P.ig_steps} steps, torch threads {torch.get_num_threads()}")
    nucleotides = int(rows["seq"].str.len().sum())
    for internal in (128, 512, 2048):
        start = time.perf_counter()
        attribution.integrated_gradients(model, tokens, None, P.ig_steps, internal, P.batch_size, device)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        gpu = (f"; peak GPU memory {torch.cuda.max_memory_allocated(device) / 2**20:,.0f} MiB"
               if device.type == "cuda" else "")
        print(f"{device.type:>4} internal_batch_size {internal:5d}: {len(tokens) / seconds:6.2f} seq/s, "
              f"{nucleotides / seconds:,.0f} nt/s ({seconds:.1f} s); peak RSS so far {peak:,.0f} MiB{gpu}")


if __name__ == "__main__":
    main()
