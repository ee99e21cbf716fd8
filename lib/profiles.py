"""The parameter sets of the book, in one place.

A profile is a flat mapping of knob -> value. Each chapter's ``parameters`` cell names the profile and the
knobs it uses (set to ``None``, meaning "take the profile's value"); papermill ``-p`` overrides any of them,
and :func:`resolve` merges the two.

- ``smoke``: seconds per chapter, tiny subsets; for tests.
- ``default``: the offline GRCh38 slice (``DNABOOK_SHARED_DATA``), sized for a 2-core CPU. The committed
  notebooks carry this profile's outputs.
- ``paper``: the papers' full data (downloaded through :mod:`lib.data.download`) and settings; for a GPU.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PAPER_CONTIGS = tuple(f"chr{c}" for c in [*range(1, 23), "X", "Y"])

_COMMON: dict[str, Any] = {
    "seed": 0,
    "device": "auto",  # "auto" picks CUDA when present; "cpu" / "cuda" force one (see lib.device)
}

# paper B (chapters 10-11): Genomic Benchmarks data, SimpleSaliencyCNN training, saliency.
_PAPER_B: dict[str, Any] = {
    "gb_source": "slice",  # "slice": the benchmark's recipe on the GRCh38 slice; "archive": the real benchmark
    "gb_block_nt": 100_000,  # slice recipe: genome block size of the 75/25 train/test split
    "gb_max_per_class": None,  # training sequences per class (test: a third); None: all
    "cnn_epochs": 3,
    "cnn_seeds": 3,  # models trained with seeds seed, seed + 1, ...; chapter 11 explains the first
    "cnn_batch_size": 64,
    "cnn_lr": 1e-3,
    "cnn_threads": 1,  # torch CPU threads for training and saliency (None: torch's default); on the shared
    # 2-core machine 1 thread trained about 5 times faster than 2 (benchmarks/bench_cnn.py)
    "saliency_n": 1000,  # test sequences for the positional statistics (paper: 1,000)
    "saliency_per_class": 250,  # test sequences per class for the class-wise means (paper: 250)
    "saliency_compare_n": 200,  # sequences on which Integrated Gradients and SmoothGrad are compared
    "saliency_ig_steps": 50,
    "saliency_smoothgrad_samples": 20,
}

PROFILES: dict[str, dict[str, Any]] = {
    "smoke": {
        **_COMMON,
        "source": "slice",  # lib.data.sources: the GRCh38 slice in DNABOOK_SHARED_DATA
        "contigs": ("chr20",),
        # paper A, splice junctions (chapter 01)
        "flank": 40,
        "max_len": 500,
        # paper A, models (chapters 02-04)
        "negatives": "heuristic",
        "packed": False,
        "embed_dim": 8,
        "batch_size": 64,
        "lr": 3e-3,
        "ae_latents": (8, 16),
        "ae_latent": 16,
        "ae_epochs": 2,
        "clf_epochs": 2,
        "patience": 2,
        "clf_seeds": (0,),
        "converge_acc": 0.6,
        # paper A, Integrated Gradients (chapter 05)
        "ig_n": 16,
        "ig_steps": 20,
        "ig_max_steps": 160,
        "ig_internal_batch": 256,
        # paper B (chapters 10-11)
        **_PAPER_B,
        "gb_max_per_class": 300,
        "cnn_epochs": 1,
        "cnn_seeds": 2,
        "saliency_n": 100,
        "saliency_per_class": 50,
        "saliency_compare_n": 20,
        "saliency_ig_steps": 8,
        "saliency_smoothgrad_samples": 4,
    },
    "default": {
        **_COMMON,
        "source": "slice",
        "contigs": None,  # None: every contig the source has
        "flank": 40,  # exonic nt kept on each side of an intron: the paper's attribution window
        "max_len": 1000,  # longest intron kept (nt); the paper states no cap
        # paper A, models (chapters 02-04); sized so the three chapters take about 15 min on 2 CPU cores
        "negatives": "heuristic",  # which negatives the models see: "heuristic" (paper) or "length_matched"
        "packed": False,  # packed or padded LSTM input: both exact; padded trains far faster on CPU
        "embed_dim": 16,  # the paper does not give its embedding size
        "batch_size": 64,
        "lr": 3e-3,
        "ae_latents": (32, 64, 128),  # latent sizes of the sweep (paper: 128, 256, 512)
        "ae_latent": 64,  # the latent size the classifiers build on (paper: 256)
        "ae_epochs": 20,  # paper: 300
        "clf_epochs": 8,  # classifier budget (max epochs), the same with and without initialization
        "patience": 3,  # early stopping: epochs without a better validation accuracy
        "clf_seeds": (0, 1, 2),
        "converge_acc": 0.7,  # "epochs to reach" this validation accuracy measures convergence speed
        "ig_n": 60,  # test sequences attributed per seed (half positives, half negatives)
        "ig_steps": 200,  # the paper's 200 steps along the path
        "ig_max_steps": 400,  # steps double per sequence up to this until IG converges (lib.experiments); the
        # models of some seeds need far more (1600 left most of them unconverged), so this bounds the cost
        "ig_internal_batch": 128,  # interpolated inputs per pass: bounds memory; 128 was fastest on 2 CPU cores
        # (benchmarks/bench_attribution.py: 1.7 seq/s at 128, 1.4 at 512, 0.9 at 2048)
        # paper B (chapters 10-11)
        **_PAPER_B,
    },
    "paper": {
        **_COMMON,
        "source": "gencode",  # GENCODE v20 / v26 annotations + GRCh38, downloaded
        "contigs": PAPER_CONTIGS,
        "flank": 40,
        "max_len": 3000,  # no cap is infeasible: heuristic negatives would average ~half the longest intron
        "negatives": "heuristic",
        "packed": False,
        "embed_dim": 32,
        "batch_size": 64,
        "lr": 1e-3,
        "ae_latents": (128, 256, 512),
        "ae_latent": 256,
        "ae_epochs": 300,
        "clf_epochs": 50,
        "patience": 10,
        "clf_seeds": (0, 1, 2, 3, 4),
        "converge_acc": 0.9,
        "ig_n": 2000,
        "ig_steps": 200,
        "ig_max_steps": 1600,
        "ig_internal_batch": 2048,
        # paper B (chapters 10-11)
        **_PAPER_B,
        "gb_source": "archive",
        "cnn_epochs": 10,
        "cnn_threads": None,
        "saliency_compare_n": 1000,
    },
}


class Params(Mapping):
    """A read-only mapping of resolved parameters that also allows attribute access (``P.seed``)."""

    def __init__(self, values: dict[str, Any]):
        self._values = dict(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no parameter named {name!r}; known: {', '.join(sorted(self))}") from None

    def __repr__(self) -> str:
        return f"Params({self._values!r})"


def resolve(profile: str, **overrides: Any) -> Params:
    """The parameters of ``profile`` with every override that is not ``None`` applied.

    Raises ``ValueError`` for an unknown profile or an override the profile does not define.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    values = dict(PROFILES[profile])
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for profile {profile!r}; known: {', '.join(sorted(values))}"
        )
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["profile"] = profile
    return Params(values)
