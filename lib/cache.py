"""The one on-disk cache of expensive steps, keyed by everything that produced them.

:func:`cached` (a value: load it or compute and save it), :func:`built` (a file or folder: made once) and
:func:`trained` (a torch model and its training history, on top of :func:`cached`) are the only ways to cache: a result lives at ``$CACHE/<folder>/<stem>-<key>.<ext>``
(a folder when ``ext`` is empty) where ``key`` is a short SHA-256 of the parameter dict (JSON, sorted keys)
and the numerics mode. Results are written under a temporary name in the same folder and renamed when
complete, so a killed run never leaves a half-written file under the final name. Torch checkpoints are
``state_dict`` files, loaded with ``weights_only=True``.

A run killed while writing (SIGKILL, power loss) leaves its temporary ``.<name>.<host>-<pid>.part``; the next
:func:`cached`, :func:`built` or :func:`write_atomic` in that folder removes it (:func:`remove_stale`) once its
writer is gone: the process ``pid`` no longer runs on this machine or, for a leftover of another machine sharing
the cache, it has not changed for a day. A temporary file of a live process is never touched, so two runs can
share a cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lib import numerics, paths


def key(params: dict[str, Any]) -> str:
    """A 16-hex-digit digest of ``params`` and the numerics mode (:func:`lib.numerics.fingerprint`: pinned and
    native runs never share a result), JSON with sorted keys; tuples and lists hash alike."""
    text = json.dumps({**params, "numerics": numerics.fingerprint()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def path(folder: str, stem: str, params: dict[str, Any], ext: str) -> Path:
    """Where the result of ``stem`` for ``params`` is cached: ``$CACHE/folder/stem-<key>.ext`` (no suffix when
    ``ext`` is empty)."""
    return paths.cache_dir(folder) / f"{stem}-{key(params)}{'.' + ext if ext else ''}"


T = TypeVar("T")


def cached(folder: str, stem: str, params: dict[str, Any], ext: str, compute: Callable[[], T],
           save: Callable[[T, Path], None], load: Callable[[Path], T]) -> T:
    """``load(target)`` when ``target = path(folder, stem, params, ext)`` exists; else ``value = compute()``,
    ``save(value, tmp)`` to a temporary path renamed to ``target`` (see :func:`write_atomic`), and ``value``.
    ``save`` writes one file, or a folder when ``ext`` is empty."""
    target = path(folder, stem, params, ext)
    remove_stale(target.parent)
    if target.exists():
        return load(target)
    value = compute()
    write_atomic(target, lambda tmp: save(value, tmp))
    return value


def trained(folder: str, stem: str, params: dict[str, Any], make: Callable[[], Any],
            fit: Callable[[Any], list[dict]]) -> tuple[Any, list[dict]]:
    """A trained torch module and its history (one dict per epoch): ``model = make()`` then ``fit(model)`` on a
    miss, else ``make()`` with the cached weights. Cached as the folder ``$CACHE/folder/stem-<key>/``:
    ``model.pt`` (the state dict, loaded with ``weights_only=True`` on the CPU) and ``history.json`` (``params``
    and ``epochs``). A computed model is returned as ``fit`` left it."""
    import torch

    def compute() -> tuple[Any, list[dict]]:
        model = make()
        return model, fit(model)

    def save(value: tuple[Any, list[dict]], target: Path) -> None:
        model, history = value
        target.mkdir(parents=True)
        torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, target / "model.pt")
        (target / "history.json").write_text(json.dumps({"params": params, "epochs": history}, indent=1,
                                                        default=str))

    def load(target: Path) -> tuple[Any, list[dict]]:
        model = make()
        model.load_state_dict(torch.load(target / "model.pt", weights_only=True, map_location="cpu"))
        return model, json.loads((target / "history.json").read_text())["epochs"]

    return cached(folder, stem, params, "", compute, save, load)


def built(folder: str, stem: str, params: dict[str, Any], ext: str, write: Callable[[Path], None]) -> Path:
    """The path ``path(folder, stem, params, ext)``, made by ``write(tmp)`` first if it does not exist (a file,
    or a folder when ``ext`` is empty; see :func:`write_atomic`)."""
    target = path(folder, stem, params, ext)
    remove_stale(target.parent)
    if not target.exists():
        write_atomic(target, write)
    return target


_HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname())  # no "." or "-": the name's last fields parse back
# Temporary names: .<name>.<host>-<pid>.part (older versions wrote .<name>.<pid>.part)
_PART = re.compile(r"\..+\.(?:(\w+)-)?(\d+)\.part")
STALE_AFTER_S = 24 * 3600  # a leftover whose writer cannot be checked is removed once unchanged this long


def write_atomic(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``target`` (it may write a file or make a folder there),
    then rename it to ``target``; on failure nothing is left behind (a killed run's leftover is removed by a later
    run, :func:`remove_stale`)."""
    remove_stale(target.parent)
    tmp = target.with_name(f".{target.name}.{_HOST}-{os.getpid()}.part")
    try:
        write(tmp)
        try:
            os.replace(tmp, target)
        except OSError:
            if not target.is_dir():  # a folder another process finished first is kept; anything else is an error
                raise
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp)
        else:
            tmp.unlink(missing_ok=True)
    return target


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files and folders that killed runs left in ``folder`` (names from
    :func:`write_atomic`) and return them. One is stale when its process (the ``pid`` in its name) no longer runs
    on this machine (names without a host, from older versions, count as this machine's); one named by another
    machine when it has not been modified for :data:`STALE_AFTER_S` seconds (its process cannot be checked from
    here). The temporary files of live processes are kept."""
    removed = []
    try:
        entries = [entry for entry in os.scandir(folder) if entry.name.endswith(".part")]
    except FileNotFoundError:
        return removed
    for entry in entries:
        found = _PART.fullmatch(entry.name)
        if found is None:
            continue
        host, pid = found[1], int(found[2])
        if host in (None, _HOST):
            stale = not _running(pid)
        else:
            try:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_S
            except FileNotFoundError:  # removed meanwhile (another run's sweep, or its owner finished)
                continue
        if stale:
            leftover = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def file_identity(file: Path) -> dict[str, Any]:
    """Name, size and modification time of an input file, for cache keys (a changed input misses the cache)."""
    stat = Path(file).stat()
    return {"name": Path(file).name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def module_digest(model) -> str:
    """A 16-hex-digit SHA-256 of a torch module's state dict (names and values), for cache keys of results
    computed from its weights: a retrained model misses the cache."""
    sha = hashlib.sha256()
    for name, value in model.state_dict().items():
        sha.update(name.encode())
        sha.update(value.detach().cpu().contiguous().numpy().tobytes())
    return sha.hexdigest()[:16]
