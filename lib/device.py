"""Choosing the torch device: CUDA when present, overridable by parameter or ``DNABOOK_DEVICE``.

Importing this module configures torch's numerics (:func:`lib.numerics.configure_torch`); every module of
``lib`` that runs torch imports it."""

from __future__ import annotations

import os

import torch

from lib import numerics

numerics.configure_torch()


def pick(requested: str | None = "auto") -> torch.device:
    """The device to use.

    ``requested`` is ``"auto"`` / ``None`` (CUDA if available, else CPU), or any torch device string
    (``"cpu"``, ``"cuda"``, ``"cuda:1"``). The environment variable ``DNABOOK_DEVICE``, when set, wins over
    ``"auto"`` but not over an explicit request. Asking for CUDA where there is none is an error.
    """
    if requested in (None, "auto"):
        requested = os.environ.get("DNABOOK_DEVICE", "auto")
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {requested!r} was requested but torch sees no CUDA device; use 'cpu' or 'auto'")
    return device
