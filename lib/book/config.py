"""The configuration of a run: one typed, validated set of knobs that every chapter receives whole.

A run is a preset (:data:`PRESETS`: ``smoke``, ``default``, ``paper``) plus overrides of single knobs.
:func:`resolve` checks every value (type, range, choices) before anything runs and raises
:class:`ConfigError` with one line that names the knob, the bad value and what is allowed. Every chapter's
``parameters`` cell holds only ``profile`` and ``overrides`` and calls ``config.resolve(profile, overrides)``,
so an override reaches every chapter that uses the stage it changes (``max_len`` changes the data of chapters
01-05 alike).

- ``smoke``: seconds per chapter, tiny subsets; for tests.
- ``default``: the offline GRCh38 slice (``DNABOOK_SHARED_DATA``), sized for a 2-core CPU. The committed
  notebooks carry this preset's outputs.
- ``chromosomes``: the scale tier, ``default``'s settings on the chromosome-scale offline data (chr21 and chr22
  whole); its executed chapters 00-05 are committed in ``notebooks/chromosomes/``.
- ``paper``: the papers' full data (downloaded through :mod:`lib.data.download`) and settings; for a GPU.

``python -m lib config [--profile P] [-p knob=value]`` prints a resolved configuration with each knob's
section, chapters and meaning.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lib.coding import published as paper_b
from lib.errors import InputError
from lib.recipe import PRECISIONS, SCHEDULES
from lib.splicing import published as paper_a

PAPER_CONTIGS = tuple(f"chr{c}" for c in [*range(1, 23), "X", "Y"])

# Which chapters use the knobs of each section (the dry run prints them).
SECTIONS: dict[str, str] = {
    "run": "every chapter",
    "genome and splice junctions (paper A data)": "chapters 00-05",
    "paper A models": "chapters 02-05",
    "paper A attribution": "chapter 05",
    "paper B data and CNN": "chapters 10-11",
    "paper B saliency": "chapter 11",
}


class ConfigError(InputError):
    """A knob with a value that is not allowed; the message is one line."""


# Bounds that come from what the values reach, not from taste:
# - seeds: P.seed reaches scikit-learn (StratifiedKFold, DecisionTreeClassifier) and pandas' sample, and every
#   seed of clf_seeds reaches MLPClassifier (Table 2); all three draw through numpy's RandomState, which takes
#   0..2**32 - 1 and nothing larger. The seeds derived from P.seed need no tighter bound: seed + 1 and
#   seed * 1000 + ... seed numpy's default_rng (any size), and the CNN seeds seed .. seed + cnn_seeds - 1 reach
#   only torch.manual_seed and torch.Generator.manual_seed (up to 2**64 - 1).
SEED_MAX = 2**32 - 1
# - workers: each is a spawned process that imports torch and the data (about 0.5 GB before it trains; measured
#   470 MB for the imports alone) and trains one model on one core, so 64 workers already need some 30 GB and 64
#   cores; a larger count is a typo, not a machine.
WORKERS_MAX = 64
# - max_len: the longest human introns are about 1-2 Mb, so a cap of 3 Mb keeps every intron there is; a larger cap
#   keeps nothing more. (An LSTM reads every base: the paper profile caps at 3,000 nt, see its preset.)
MAX_LEN_MAX = 3_000_000


def knob(section: str, meaning: str, kind: str, *, low: float | None = None, high: float | None = None,
         choices: tuple = (), nullable: str = ""):
    """A configuration field: ``kind`` is ``int``, ``float``, ``bool``, ``str``, ``ints`` (a tuple of ints) or
    ``contigs``; ``low``/``high`` bound numbers (inclusive); ``nullable`` says what ``None`` means (empty: not
    allowed)."""
    return field(metadata={"section": section, "meaning": meaning, "kind": kind, "low": low, "high": high,
                           "choices": choices, "nullable": nullable})


_DATA, _A, _IG = "genome and splice junctions (paper A data)", "paper A models", "paper A attribution"
_B, _SAL = "paper B data and CNN", "paper B saliency"


@dataclass(frozen=True)
class Config(Mapping):
    """The resolved knobs of one run. Read them as attributes (``P.max_len``) or as a mapping (``dict(P)``)."""

    profile: str = knob("run", "the preset these values start from", "str",
                         choices=("smoke", "default", "chromosomes", "paper"))
    seed: int = knob("run", "seeds data sampling, splits and the first model of every seeded set (at most 2**32 - 1: "
                     "numpy's RandomState under scikit-learn)", "int", low=0, high=SEED_MAX)
    device: str = knob("run", "auto picks CUDA when present (lib.device)", "str", choices=("auto", "cpu", "cuda"))
    workers: int = knob("run", "processes that train paper A's models at once, one torch thread each (lib.workers)",
                        "int", low=1, high=WORKERS_MAX)
    # paper A data (chapters 00-05)
    source: str = knob(_DATA, "slice: the offline GRCh38 slice; chromosomes: its offline superset (chr21, chr22 "
                       "whole); gencode: GENCODE v20/v26 + GRCh38, downloaded", "str",
                       choices=("slice", "chromosomes", "gencode"))
    annotations: str = knob(_DATA, "chromosomes' annotation pair: canonical (v24 canonical vs all transcripts, "
                            "every contig) or releases (real GENCODE v24 vs v31, chr22)", "str",
                            choices=("canonical", "releases"))
    contigs: tuple[str, ...] | None = knob(_DATA, "contigs used, e.g. chr20 or [chr20, chr21]", "contigs",
                                           nullable="every contig of the source")
    flank: int = knob(_DATA, "exonic nt kept on each side of an intron (the attribution window)", "int", low=1,
                      high=1000)
    max_len: int = knob(_DATA, "longest intron kept (nt); the paper states no cap (3,000,000 keeps every human "
                        "intron)", "int", low=10, high=MAX_LEN_MAX)
    # paper A models (chapters 02-05)
    negatives: str = knob(_A, "negatives the models see", "str", choices=("heuristic", "length_matched"))
    packed: bool = knob(_A, "packed or padded LSTM input (both exact; padded is faster on CPU)", "bool")
    embed_dim: int = knob(_A, "nucleotide embedding size", "int", low=1)
    batch_size: int = knob(_A, "sequences per batch", "int", low=1)
    lr: float = knob(_A, "Adam learning rate", "float", low=0)
    ae_latents: tuple[int, ...] = knob(_A, "latent sizes of the autoencoder sweep", "ints", low=2)
    ae_latent: int = knob(_A, "latent size the classifiers build on (even: half per LSTM direction)", "int", low=2)
    ae_epochs: int = knob(_A, "autoencoder epochs", "int", low=1)
    ae_addition_epochs: int | None = knob(_A, "epochs of each of chapter 02's additions: the remedies and the paper "
                                          "variant's seed replicas that decide between them", "int", low=1,
                                          nullable="ae_epochs")
    encoder_seeds: int | None = knob(_A, "autoencoders of the chosen variant trained for the classifiers: classifier "
                                     "seed i builds on the one of clf_seeds[i mod encoder_seeds]", "int", low=1,
                                     nullable="one per classifier seed")
    clf_epochs: int = knob(_A, "classifier budget (max epochs), with and without initialization", "int", low=1)
    patience: int = knob(_A, "early stopping: epochs without a lower validation loss", "int", low=1)
    clf_lr: float = knob(_A, "classifiers' AdamW learning rate", "float", low=0)
    clf_batch_size: int = knob(_A, "classifiers' sequences per batch", "int", low=1)
    clf_weight_decay: float = knob(_A, "classifiers' AdamW weight decay (0: Adam)", "float", low=0)
    clf_dropout: float = knob(_A, "classifiers' dropout on the pooled representation", "float", low=0, high=0.9)
    clf_schedule: str = knob(_A, "classifiers' learning rate schedule", "str", choices=SCHEDULES)
    precision: str = knob(_A, "training steps of the autoencoders and classifiers in fp32 or under bf16 autocast "
                          "(evaluation stays fp32)", "str", choices=PRECISIONS)
    clf_seeds: tuple[int, ...] = knob(_A, "seeds of the classifiers (and their encoders)", "ints", low=0,
                                      high=SEED_MAX)
    converge_acc: float = knob(_A, "validation accuracy whose first epoch measures convergence speed", "float",
                               low=0, high=1)
    # paper A attribution (chapter 05)
    ig_seeds: int = knob(_IG, "models attributed: the best classifier of the first ig_seeds of clf_seeds (at most "
                         "their number)", "int", low=1)
    ig_n: int = knob(_IG, "test sequences attributed per seed (half positives, half negatives: even)", "int", low=2)
    ig_steps: int = knob(_IG, "first number of steps along the path", "int", low=2)
    ig_max_steps: int = knob(_IG, "steps double per sequence up to this until IG converges", "int", low=2)
    ig_internal_batch: int = knob(_IG, "interpolated inputs per pass (bounds memory)", "int", low=1)
    # paper B (chapters 10-11)
    gb_source: str = knob(_B, "slice or chromosomes: the benchmark's recipe on that offline genome; archive: the "
                          "real benchmark", "str", choices=("slice", "chromosomes", "archive"))
    gb_block_nt: int = knob(_B, "slice recipe: genome block size of the 75/25 train/test split", "int", low=1000)
    gb_max_per_class: int | None = knob(_B, "training sequences per class (test: a third)", "int", low=1,
                                        nullable="all of them")
    cnn_epochs: int = knob(_B, "CNN epochs", "int", low=1)
    cnn_seeds: int = knob(_B, "CNNs trained, with seeds seed, seed + 1, ...", "int", low=1)
    cnn_batch_size: int = knob(_B, "sequences per batch", "int", low=1)
    cnn_lr: float = knob(_B, "AdamW learning rate (decays linearly to 0)", "float", low=0)
    cnn_weight_decay: float = knob(_B, "AdamW weight decay (0: Adam)", "float", low=0)
    cnn_threads: int | None = knob(_B, "torch CPU threads for CNN training and saliency", "int", low=1,
                                   nullable="torch's default")
    saliency_n: int = knob(_SAL, "test sequences for Figures 1-2 (paper: 1,000)", "int", low=1)
    saliency_per_class: int = knob(_SAL, "test sequences per class for Figure 3 (paper: 250)", "int", low=1)
    saliency_compare_n: int = knob(_SAL, "sequences on which IG and SmoothGrad are compared (the first of the "
                                   "saliency_n)", "int", low=1)
    saliency_ig_steps: int = knob(_SAL, "IG steps in the comparison", "int", low=2)
    saliency_smoothgrad_samples: int = knob(_SAL, "SmoothGrad samples in the comparison", "int", low=1)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _checked(f, getattr(self, f.name)))
        if self.ig_max_steps < self.ig_steps:
            raise ConfigError(f"ig_max_steps={self.ig_max_steps}: must be at least ig_steps ({self.ig_steps})")
        if self.annotations == "releases":
            if self.source != "chromosomes":
                raise ConfigError(f"annotations=releases: only the chromosomes source has it (source={self.source})")
            if self.contigs not in (None, ("chr22",)):
                raise ConfigError(f"contigs={list(self.contigs)}: annotations=releases covers chr22 only "
                                  "(set contigs=chr22 or leave it null)")
            object.__setattr__(self, "contigs", ("chr22",))
        if self.ae_latent % 2:
            raise ConfigError(f"ae_latent={self.ae_latent}: must be even (the classifiers' BiLSTM has "
                              "ae_latent / 2 units per direction)")
        if self.ig_n % 2:
            raise ConfigError(f"ig_n={self.ig_n}: must be even (half positives, half negatives)")
        if self.ae_addition_epochs is not None and self.ae_addition_epochs > self.ae_epochs:
            raise ConfigError(f"ae_addition_epochs={self.ae_addition_epochs}: at most ae_epochs ({self.ae_epochs}); "
                              f"set ae_addition_epochs too when shrinking ae_epochs")
        if self.encoder_seeds is not None and self.encoder_seeds > len(self.clf_seeds):
            raise ConfigError(f"encoder_seeds={self.encoder_seeds}: at most the number of clf_seeds "
                              f"({len(self.clf_seeds)})")
        if self.ig_seeds > len(self.clf_seeds):
            raise ConfigError(f"ig_seeds={self.ig_seeds}: at most the number of clf_seeds ({len(self.clf_seeds)}; "
                              "chapter 05 attributes the models of the first ig_seeds of them)")
        if self.saliency_compare_n > self.saliency_n:
            raise ConfigError(f"saliency_compare_n={self.saliency_compare_n}: at most saliency_n ({self.saliency_n}; "
                              "the comparison uses the first saliency_compare_n of those sequences)")

    # Mapping protocol: dict(P), P["max_len"], iteration over knob names
    def __getitem__(self, name: str) -> Any:
        if name not in KNOBS:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(KNOBS)

    def __len__(self) -> int:
        return len(KNOBS)

    def as_dict(self) -> dict[str, Any]:
        """Every knob as plain JSON-ready data (tuples as lists), for the executed notebook's metadata."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.items()}


KNOBS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Config))
_FIELDS = {f.name: f for f in dataclasses.fields(Config)}

_COMMON: dict[str, Any] = {"seed": 0, "device": "auto", "workers": 2, "annotations": "canonical", "precision": "fp32",
                           "ae_addition_epochs": None, "encoder_seeds": None}

_PAPER_B: dict[str, Any] = {
    "gb_source": "slice",
    "gb_block_nt": 100_000,
    "gb_max_per_class": None,
    "cnn_epochs": 6,  # the winner of python -m lib search --model cnn (chapter 10)
    "cnn_seeds": 3,
    "cnn_batch_size": 64,
    "cnn_lr": 1e-3,
    "cnn_weight_decay": 0.0,
    "cnn_threads": 1,  # on the shared 2-core machine 1 thread trained about 5 times faster than 2 (bench_cnn)
    "saliency_n": paper_b.SEQUENCES,
    "saliency_per_class": paper_b.PER_CLASS,
    "saliency_compare_n": 200,
    "saliency_ig_steps": 50,
    "saliency_smoothgrad_samples": 20,
}

PRESETS: dict[str, dict[str, Any]] = {
    "smoke": {
        **_COMMON, "source": "slice", "contigs": ("chr20",), "flank": 40, "max_len": 500,
        "negatives": "heuristic", "packed": False, "embed_dim": 8, "batch_size": 64, "lr": 3e-3,
        "ae_latents": (8, 16), "ae_latent": 16, "ae_epochs": 2, "clf_epochs": 2, "patience": 2, "clf_seeds": (0,),
        "clf_lr": 3e-3, "clf_batch_size": 64, "clf_weight_decay": 0.0, "clf_dropout": 0.0, "clf_schedule": "constant",
        "converge_acc": 0.6, "ig_seeds": 1, "ig_n": 16, "ig_steps": 20, "ig_max_steps": 160, "ig_internal_batch": 256,
        **_PAPER_B, "gb_max_per_class": 300, "cnn_epochs": 1, "cnn_seeds": 2, "saliency_n": 100,
        "saliency_per_class": 50, "saliency_compare_n": 20, "saliency_ig_steps": 8, "saliency_smoothgrad_samples": 4,
    },
    "default": {
        **_COMMON,
        "source": "slice",
        "contigs": None,
        "flank": 40,
        "max_len": 600,  # fits the 25-minute budget with 5 seeds; 1,000 kept 29% more junctions
        # paper A models: sized so chapters 02-04 take about 15 min on 2 CPU cores
        "negatives": "heuristic",
        "packed": False,
        "embed_dim": 16,  # the paper does not give its embedding size
        "batch_size": 64,
        "lr": 3e-3,
        "ae_latents": (32, 64, 128),  # paper: 128, 256, 512
        "ae_latent": 64,  # paper: 256
        "ae_epochs": 10,  # paper: 300
        "clf_epochs": 15,
        "patience": 3,
        "clf_lr": 3e-3,  # the winner of python -m lib search (chapter 03)
        "clf_batch_size": 32,
        "clf_weight_decay": 0.0,
        "clf_dropout": 0.0,
        "clf_schedule": "constant",
        "clf_seeds": (0, 1, 2, 3, 4),
        "converge_acc": 0.7,
        "ig_seeds": 3,
        "ig_n": 60,
        "ig_steps": paper_a.IG_STEPS,
        "ig_max_steps": 400,  # the models of some seeds need far more (1,600 left most unconverged): a bound
        "ig_internal_batch": 128,  # fastest on 2 CPU cores (benchmarks/bench_attribution.py)
        **_PAPER_B,
    },
    "paper": {
        **_COMMON,
        "workers": 1,  # one GPU: the models train one after another on it
        "source": "gencode",
        "contigs": PAPER_CONTIGS,
        "flank": paper_a.IG_FLANK,
        "max_len": 3000,  # no cap is infeasible: heuristic negatives would average ~half the longest intron
        "negatives": "heuristic",
        "packed": False,
        "embed_dim": 32,
        # Speed settings the paper does not state (issue 23; the How-to-rerun page shows the paired seed runs that
        # check them on the default data and the hours of every loop): 16 times the batch of 64 for the
        # autoencoders, 4 times for the classifiers, bfloat16 autocast. Learning rates by the rule chosen on
        # validation data at 4 times the default batches (benchmarks/paired_settings.py): the autoencoder's grows
        # with the square root of the batch (x4 here), the classifiers' stays. On the default data that batch
        # moved Table 1 beyond seed noise; bf16 did not, but for one cell (How to rerun).
        "batch_size": 1024,
        "lr": 4e-3,
        "precision": "bf16",
        "ae_latents": paper_a.LATENT_SIZES,
        "ae_latent": paper_a.BEST_LATENT,
        "ae_epochs": paper_a.AUTOENCODER_EPOCHS,
        # The book's additions, on a budget: the remedies and replicas of chapter 02 train 10 epochs each, and
        # every classifier seed builds on the one autoencoder of the sweep (seed 0).
        "ae_addition_epochs": 10,
        "encoder_seeds": 1,
        "clf_epochs": 6,  # 2,043 steps per epoch at batch 256; the default tier's classifiers peaked by 375
        "patience": 2,
        "clf_lr": 1e-3,
        "clf_batch_size": 256,
        "clf_weight_decay": 0.0,
        "clf_dropout": 0.0,
        "clf_schedule": "constant",
        "clf_seeds": (0, 1, 2),
        "converge_acc": 0.9,
        "ig_seeds": 3,
        "ig_n": 2000,
        "ig_steps": paper_a.IG_STEPS,
        "ig_max_steps": 1600,
        "ig_internal_batch": 2048,
        **_PAPER_B,
        "gb_source": "archive",
        "cnn_epochs": 10,
        "cnn_threads": None,
        "saliency_compare_n": 1000,
    },
}


# the scale tier: default's settings on the chromosome-scale offline data (chapters 00-05; hours on 2 CPU cores)
PRESETS["chromosomes"] = {**PRESETS["default"], "source": "chromosomes", "gb_source": "chromosomes",
                          "gb_max_per_class": 10_000}


# Knobs added after a committed tier last ran, with the value under which the code does what it did before they
# existed (the same computations, the same cache keys): a tier chapter's recorded configuration without them ran as
# if they had these values (tests/test_scale_tier.py). A knob leaves this list when every tier records it.
ADDED_SINCE_TIERS: dict[str, Any] = {"precision": "fp32", "ae_addition_epochs": None, "encoder_seeds": None}


def as_recorded_now(recorded: Mapping[str, Any]) -> dict[str, Any]:
    """A configuration recorded by an executed chapter, with :data:`ADDED_SINCE_TIERS`' values for the knobs it
    predates; compare it with ``resolve(...).as_dict()``."""
    return {**ADDED_SINCE_TIERS, **recorded}


def resolve(profile: str = "default", overrides: Mapping[str, Any] | None = None) -> Config:
    """The preset ``profile`` with ``overrides`` (knob -> value) applied and every value checked.

    ``overrides`` is a mapping of knob names to values, or ``None`` for none. Values come as YAML gives them
    (papermill's ``-y 'overrides: {max_len: 500}'``) or as :func:`from_text` reads ``-p`` text. An int knob takes an
    int (not a bool, a float or text), a float knob a finite number or its text in decimal or scientific notation
    (YAML 1.1 reads ``1e-3`` as text), a bool knob true or false, a str knob one of its choices, an ``ints`` knob a
    non-empty list of distinct ints, ``contigs`` a contig name, a comma list of them or a list of distinct names;
    each within its bounds. ``None`` sets the knob to ``None`` where that has a meaning (``contigs``,
    ``gb_max_per_class``, ``cnn_threads``) and is refused elsewhere. Raises :class:`ConfigError` (one line) for an
    unknown preset, overrides that are not a mapping, an unknown knob or a value that is not allowed."""
    if not isinstance(profile, str) or profile not in PRESETS:
        raise ConfigError(f"profile={profile!r}: unknown; choose one of: {', '.join(PRESETS)}")
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"overrides={overrides!r}: expected a mapping of knob names to values, e.g. "
                          "{max_len: 500} (papermill: -y 'overrides: {max_len: 500}')")
    unknown = sorted(str(k) for k in overrides if k not in _FIELDS or k == "profile")
    if unknown:
        raise ConfigError(f"unknown knob(s) {', '.join(unknown)}; knobs: {', '.join(KNOBS[1:])} "
                          "(choose the preset with --profile)")
    return Config(**{**PRESETS[profile], **overrides, "profile": profile})


# What -p text may look like (from_text): no hex, octal, sexagesimal, underscores, inf or nan.
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_CONTIG = re.compile(r"[A-Za-z0-9_.]+")
_EXPECTED_INTS = "expected a non-empty list of integers, e.g. [1, 2]"
_EXPECTED_CONTIGS = "expected a contig name or a list of them, e.g. chr20 or [chr20, chr21]"


def from_text(name: str, text: str) -> Any:
    """Knob ``name``'s value written as ``text`` (``-p name=text``), read by the knob's kind and nothing else, so
    that none of YAML 1.1's surprises passes (``10:00`` read as 600, ``0x10`` as 16, ``yes`` as true, an empty
    value as null). Allowed, around optional spaces:

    - int: decimal digits after an optional minus sign (``500``, ``-1``);
    - float: decimal or scientific notation (``0.001``, ``.5``, ``3e-3``, ``1.5E+2``), not ``inf`` or ``nan``;
    - bool: ``true`` or ``false``;
    - str: the text itself;
    - ints: such integers in brackets (``[1, 2]``);
    - contigs: a name, a comma list or a list in brackets of names made of letters, digits, ``_`` and ``.``
      (``chr20``, ``chr20,chr21``, ``[chr20, chr21]``);
    - ``null`` (``None``), only for a knob where it has a meaning (``contigs``, ``gb_max_per_class``,
      ``cnn_threads``).

    Bounds, choices and repeated items are left to :func:`resolve`; an unknown name (or ``profile``) returns the
    text unchanged for :func:`resolve` to report with the list of knobs. Raises :class:`ConfigError` (one line)
    for an empty or malformed value."""
    if name not in _FIELDS or name == "profile":
        return text
    m = _FIELDS[name].metadata
    kind, text = m["kind"], text.strip()

    def fail(expected: str = "") -> ConfigError:
        return ConfigError(f"{name}={text!r}: " + (f"{expected} ({_allowed(m)})" if expected else _allowed(m)))

    if not text:
        raise ConfigError(f"{name}=: no value; write one after '=' ({_allowed(m)})")
    if text == "null":
        if m["nullable"]:
            return None
        raise fail()
    if kind == "ints":
        numbers = [_decimal(item) for item in _bracketed(text) or []]
        if not numbers or None in numbers:
            raise fail(_EXPECTED_INTS)
        return numbers
    if kind == "contigs":
        items = _contig_items(text)
        if not items or not all(_CONTIG.fullmatch(item) for item in items):
            raise fail(_EXPECTED_CONTIGS)
        return items
    if kind == "int":
        number = _decimal(text)
        if number is None:
            raise fail()
        return number
    if kind == "float":
        if not _FLOAT.fullmatch(text) or not math.isfinite(float(text)):  # 1e999 is inf
            raise fail()
        return float(text)
    if kind == "bool":
        if text not in ("true", "false"):
            raise fail()
        return text == "true"
    return text


def _decimal(text: str) -> int | None:
    """``text`` as an int where it is decimal digits after an optional minus sign, else ``None`` (also for more
    digits than Python converts, 4,300)."""
    if not _INT.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _bracketed(text: str) -> list[str] | None:
    """``"[a, b]"`` -> ``["a", "b"]`` (``"[]"`` -> ``[]``); ``None`` when ``text`` is not in brackets."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    inner = text[1:-1].strip()
    return [item.strip() for item in inner.split(",")] if inner else []


def _contig_items(text: str) -> list[str] | None:
    """Contig names written as ``[a, b]``, ``a,b`` or ``a``; ``None`` for a bracket without its partner."""
    text = text.strip()
    if text.startswith("[") or text.endswith("]"):
        return _bracketed(text)
    return [item.strip() for item in text.split(",")]


def _same_contig(name: str) -> str:
    """One spelling per contig, as :meth:`lib.data.genome.Genome.contig` matches them (``chr1`` = ``1``,
    ``chrM`` = ``MT``)."""
    bare = name.removeprefix("chr")
    return "M" if bare == "MT" else bare


def _repeated(items: Any, key: Any = None) -> list[str]:
    """The items that an earlier item already named (compared by ``key``, default the item), as text:
    ``"20 (as chr20)"`` where the earlier item spelled it otherwise."""
    first, repeated = {}, []
    for item in items:
        k = item if key is None else key(item)
        if k in first:
            repeated.append(str(item) if first[k] == item else f"{item} (as {first[k]})")
        first.setdefault(k, item)
    return repeated


def _checked(f: dataclasses.Field, value: Any) -> Any:
    """``value`` normalized for field ``f`` (lists become tuples, a single contig a 1-tuple), or ConfigError."""
    m = f.metadata
    name, kind = f.name, m["kind"]

    def fail(allowed: str) -> ConfigError:
        return ConfigError(f"{name}={value!r}: {allowed}")

    if value is None:
        if m["nullable"]:
            return None
        raise fail(f"must be set ({_allowed(m)})")
    if kind == "contigs":
        items = _contig_items(value) if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)) or not items or not all(
                isinstance(c, str) and _CONTIG.fullmatch(c) for c in items):
            raise fail(_EXPECTED_CONTIGS)
        repeated = _repeated(items, _same_contig)
        if repeated:
            raise fail(f"repeats {', '.join(repeated)}; {_allowed(m)}")
        return tuple(items)
    if kind == "ints":
        if not isinstance(value, (list, tuple)) or not value:
            raise fail(f"{_EXPECTED_INTS} ({_allowed(m)})")
        items = tuple(_scalar(name, v, "int", m) for v in value)
        repeated = _repeated(items)
        if repeated:
            raise fail(f"repeats {', '.join(repeated)}; {_allowed(m)}")
        return items
    return _scalar(name, value, kind, m)


def _scalar(name: str, value: Any, kind: str, m: Mapping[str, Any]) -> Any:
    def fail() -> ConfigError:
        return ConfigError(f"{name}={value!r}: {_allowed(m)}")

    if kind == "bool":
        if not isinstance(value, bool):
            raise fail()
        return value
    if kind == "str":
        if value not in m["choices"]:
            raise fail()
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail()
    elif kind == "float":
        if isinstance(value, str):  # YAML 1.1 reads 1e-3 (no dot) as text: read it as -p text is read
            if not _FLOAT.fullmatch(value.strip()):
                raise fail()
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail()
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float
            raise fail() from None
        if not math.isfinite(number):
            raise fail()
        value = number
    if (m["low"] is not None and value < m["low"]) or (m["high"] is not None and value > m["high"]):
        raise fail()
    return value


def _bound(x: float) -> str:
    """A bound as ``-p`` takes it: ``3000000``, ``0``, ``0.9``."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _allowed(m: Mapping[str, Any]) -> str:
    """What a knob allows, in words: ``an integer >= 1``, ``one of: slice, gencode``, ``... or null (all of them)``."""
    if m["choices"]:
        text = f"one of: {', '.join(map(str, m['choices']))}"
    else:
        noun = {"int": "an integer", "float": "a number", "bool": "true or false",
                "ints": "a list of distinct integers", "contigs": "a contig name or a list of distinct ones"}[m["kind"]]
        bounds = [f">= {_bound(m['low'])}" if m["low"] is not None else "",
                  f"<= {_bound(m['high'])}" if m["high"] is not None else ""]
        text = " ".join([noun, " and ".join(b for b in bounds if b)]).strip()
    return f"allowed: {text}" + (f", or null ({m['nullable']})" if m["nullable"] else "")


def describe(cfg: Config) -> str:
    """The resolved configuration as text: one block per section with the chapters that use it, then one line
    per knob with its value and meaning; knobs that differ from the preset are marked ``*``."""
    preset = PRESETS[cfg.profile]
    lines = [f"profile {cfg.profile}"]
    for section, chapters in SECTIONS.items():
        lines.append(f"[{section}]  used by {chapters}")
        for name in KNOBS[1:]:
            f = _FIELDS[name]
            if f.metadata["section"] != section:
                continue
            value = cfg[name]
            mark = "*" if value != preset[name] else " "
            lines.append(f" {mark} {name:<28} {_text(value):<24} {f.metadata['meaning']}")
    return "\n".join(lines)


def _text(value: Any) -> str:
    """A knob's value as YAML would write it (what ``-p knob=value`` takes)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return "null" if value is None else str(value)
