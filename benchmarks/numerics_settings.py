"""Which CPU settings change the trained weights: ``python benchmarks/numerics_settings.py``.

The experiment behind :mod:`lib.numerics`. For each setting (environment variables that differ between
machines, or that emulate another CPU on this one), a fresh process trains the latent-64 autoencoder for 2
epochs on 144 of the `default` training positives and the CNN for 1 epoch on 512 random sequences, and prints a
digest of each model's weights. Rows under "native" show which settings matter when nothing is pinned; rows
under "pinned" must all print the same digests (torch's capability, MKL's branch and the threads are set by
the pin, so varying them there shows the pin wins; MKL's instruction cap, oneDNN's instruction set and one CPU
core are not pinned and must not matter). A setting this CPU cannot run (AVX-512 on an AVX2 machine) falls back
to what the CPU has. Takes about 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

# Each setting: the environment variables a run gets on top of this process's ("CORES": CPU cores it may use).
NATIVE = [{}, {"ATEN_CPU_CAPABILITY": "default"}, {"ATEN_CPU_CAPABILITY": "avx2"}, {"ATEN_CPU_CAPABILITY": "avx512"},
          {"MKL_CBWR": "COMPATIBLE"}, {"MKL_CBWR": "AVX2"}, {"MKL_CBWR": "AVX2,STRICT"}, {"MKL_CBWR": "AVX512"},
          {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}, {"ONEDNN_MAX_CPU_ISA": "SSE41"}, {"ONEDNN_MAX_CPU_ISA": "AVX"},
          {"OMP_NUM_THREADS": "1"}, {"OMP_NUM_THREADS": "4"}]
PINNED = [{}, {"ATEN_CPU_CAPABILITY": "default"}, {"MKL_CBWR": "AUTO"}, {"MKL_CBWR": "COMPATIBLE,STRICT"},
          {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2"}, {"ONEDNN_MAX_CPU_ISA": "SSE41"}, {"OMP_NUM_THREADS": "1"},
          {"CORES": "1"}]


def worker() -> dict:
    """Train the two models under this process's environment; their weight digests and the numerics."""
    import lib  # noqa: F401  (first: pins the numerics unless DNABOOK_NUMERICS=native)

    # isort: split
    import numpy as np
    import torch

    from lib import cache, numerics
    from lib.book import config
    from lib.coding import training
    from lib.coding.model import SimpleSaliencyCNN
    from lib.recipe import Recipe
    from lib.splicing import experiments, train
    from lib.splicing.models import Autoencoder
    from lib.splicing.tokens import encode_all

    P = config.resolve("default")
    seqs = experiments.junction_data(P).split("train").query("label == 1")["seq"].tolist()[:160]
    tokens = encode_all(seqs)
    torch.manual_seed(0)
    ae = Autoencoder(64, 16, False)
    train.fit_autoencoder(ae, tokens[:144], tokens[144:], Recipe(2, 64, 3e-3, 0), torch.device("cpu"))
    rng = np.random.default_rng(0)
    x, y = rng.integers(1, 5, size=(512, 200)).astype(np.uint8), rng.integers(0, 2, size=512)
    torch.manual_seed(0)
    model = SimpleSaliencyCNN()
    training.fit(model, x, y, Recipe(1, 64, 1e-3, 0), torch.device("cpu"))
    return {"autoencoder": cache.module_digest(ae), "cnn": cache.module_digest(model), **numerics.describe()}


def run(mode: str, env: dict[str, str]) -> dict:
    env = dict(env)
    cores = env.pop("CORES", None)
    affinity = (lambda: os.sched_setaffinity(0, set(range(int(cores))))) if cores else None
    out = subprocess.run([sys.executable, __file__, "--worker"], env={**os.environ, **env, "DNABOOK_NUMERICS": mode},
                         capture_output=True, text=True, preexec_fn=affinity, check=False)
    if out.returncode:
        sys.exit(f"worker failed ({mode}, {env}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    if parser.parse_args().worker:
        print(json.dumps(worker()))
        return
    for mode, settings in (("native", NATIVE), ("pinned", PINNED)):
        print(f"{mode}:")
        digests = set()
        for env in settings:
            name = ", ".join(f"{k}={v}" for k, v in env.items()) or "as is"
            r = run(mode, env)
            digests.add((r["autoencoder"], r["cnn"]))
            print(f"  {name:32} autoencoder {r['autoencoder']}  CNN {r['cnn']}  (torch {r['capability']}, "
                  f"{r['threads']} threads, oneDNN {'on' if r['onednn'] else 'off'}, MKL {r['mkl_cbwr']})")
        print(f"  -> {len(digests)} distinct pair(s) of weights over {len(settings)} settings")


if __name__ == "__main__":
    main()
