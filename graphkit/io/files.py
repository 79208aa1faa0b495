"""Atomic writes: a file or a whole folder appears complete or not at all, and an existing one survives a failure.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_bytes(d / "a.txt", b"hello").read_bytes()
b'hello'
"""

from __future__ import annotations

import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from graphkit.errors import GraphkitError

__all__ = ["atomic_file", "atomic_folder", "write_bytes"]


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it is synced and renamed over ``target``,
    on failure removed (``target`` is then untouched)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "xb"):  # created with the user's umask (mkstemp would make it owner-only)
        pass
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_file(Path(target)) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def check_replaceable(folder: Path, allowed: Iterable[str], what: str = "a dataset's CSVs") -> None:
    """Refuse to replace a path that is not a folder holding only ``allowed`` file names (never delete a user's
    other files)."""
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise GraphkitError(f"{folder} exists and is not a folder; choose another output path")
    names = {a.lower() for a in allowed}
    other = sorted(p.name for p in folder.iterdir() if p.name.lower() not in names or not p.is_file())
    if other:
        raise GraphkitError(f"{folder} holds files other than {what} ({', '.join(other[:5])}); "
                            "refusing to replace it — choose an empty or new folder")


@contextmanager
def atomic_folder(output: Path, allowed: Iterable[str]) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``output``; on success it replaces ``output`` (which may only hold
    ``allowed`` files), on failure it is removed and an existing ``output`` is put back as it was."""
    output = Path(output)
    allowed = list(allowed)
    check_replaceable(output, allowed)
    output.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    tmp = output.with_name(f".{output.name}.{token}.tmp")
    tmp.mkdir()
    try:
        yield tmp
        for path in tmp.iterdir():
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
        check_replaceable(output, allowed)  # again: the folder may have changed while we wrote
        if output.exists():
            old = output.with_name(f".{output.name}.{token}.old")
            os.rename(output, old)
            try:
                os.rename(tmp, output)
            except BaseException:
                os.rename(old, output)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


__all__ += ["check_replaceable"]
