"""One error path for what a user can fix: a bad knob, a missing or damaged input, an unreachable URL, a busy port.

Every such failure raises an :class:`InputError` (or a subclass: ``ConfigError``, ``GenomeError``, ``GTFError``,
``SequenceError``, ``DownloadError``) whose message is one line naming the knob, file or URL, the value, and what
is allowed or what to do. ``python -m lib`` prints it as ``error: <message>`` and exits with status 2, without a
traceback unless ``DNABOOK_DEBUG=1`` asks for one (:func:`report`).
"""

from __future__ import annotations

import os
import sys


class InputError(ValueError):
    """Bad input that the user can fix; the message is one line and says what to do."""


class MissingInput(InputError, FileNotFoundError):
    """An input file or folder that is not where a setting says it is (also a ``FileNotFoundError``)."""


# The names of InputError and its subclasses, to recognize one raised inside a chapter's kernel (papermill reports
# the class name only); tests/test_bad_input.py checks that it lists every subclass.
NAMES = frozenset({"InputError", "MissingInput", "ConfigError", "GenomeError", "GTFError", "SequenceError",
                   "DownloadError"})


def debug() -> bool:
    """Whether ``DNABOOK_DEBUG`` asks for tracebacks (any value but empty or ``0``)."""
    return os.environ.get("DNABOOK_DEBUG", "") not in ("", "0")


def report(error: BaseException) -> str:
    """The one line ``python -m lib`` prints for ``error``."""
    return "error: " + " ".join(str(error).split("\n")).strip()


def exit_with(error: BaseException) -> None:
    """Print :func:`report`'s line to stderr and exit with status 2 (re-raise instead under ``DNABOOK_DEBUG``)."""
    if debug():
        raise error
    print(report(error), file=sys.stderr)
    sys.exit(2)
