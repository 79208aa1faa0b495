"""Atomic writes: a file or a whole folder appears complete or not at all, and an existing one survives a failure.

A write goes to ``.NAME.PID-TOKEN.tmp`` beside the target and is renamed into place. A write killed before the
rename (SIGKILL, power loss) leaves that temporary behind; the next write to the same target removes it once the
process that made it is gone. A failure (a read-only or full disk, a folder where a file should be) is an
:class:`graphkit.errors.OutputError` naming the target, never the temporary file.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> write_bytes(d / "a.txt", b"hello").read_bytes()
b'hello'
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from graphkit.errors import OutputError

__all__ = ["atomic_file", "atomic_folder", "write_bytes", "check_replaceable", "clean_stale"]

#: A temporary of a write whose process cannot be identified (older names) is stale after this many seconds.
_UNOWNED_STALE_SECONDS = 3600


def _temporary(target: Path, suffix: str) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.{suffix}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the temporaries that killed writes to ``target`` left beside it (``.NAME.PID-TOKEN.tmp`` whose
    process is gone, ``.NAME.TOKEN.tmp`` / ``.old`` older than an hour); returns what was removed."""
    target = Path(target)
    pattern = re.compile(r"\.%s\.(?:(\d+)-)?[0-9a-f]{8}\.(tmp|old)" % re.escape(target.name))
    removed = []
    try:
        candidates = list(target.parent.iterdir())
    except OSError:
        return removed
    for path in candidates:
        m = pattern.fullmatch(path.name)
        if not m:
            continue
        try:
            if m.group(1) is not None:
                if int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
                    continue
            elif time.time() - path.lstat().st_mtime < _UNOWNED_STALE_SECONDS:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:  # someone else's, or gone already: not ours to insist on
            continue
    return removed


def _failure(target: Path, exc: OSError) -> OutputError:
    """The failure as the user should read it: their target and the system's reason (an OSError still)."""
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``target``; on success it is synced and renamed over ``target``,
    on failure removed (``target`` is then untouched)."""
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give the path of a file to write")
    tmp = _temporary(target, "tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target)
        with open(tmp, "xb"):  # created with the user's umask (mkstemp would make it owner-only)
            pass
    except OSError as exc:
        raise _failure(target, exc) from None
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _failure(target, exc) from None
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
        raise OutputError(f"{folder} exists and is not a folder; choose another output path")
    names = {a.lower() for a in allowed}
    other = sorted(p.name for p in folder.iterdir() if p.name.lower() not in names or not p.is_file())
    if other:
        raise OutputError(f"{folder} holds files other than {what} ({', '.join(other[:5])}); "
                          "refusing to replace it — choose an empty or new folder")


@contextmanager
def atomic_folder(output: Path, allowed: Iterable[str]) -> Iterator[Path]:
    """Yield a fresh temporary folder beside ``output``; on success it replaces ``output`` (which may only hold
    ``allowed`` files), on failure it is removed and an existing ``output`` is put back as it was."""
    output = Path(output)
    allowed = list(allowed)
    check_replaceable(output, allowed)
    tmp = _temporary(output, "tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(output)
        tmp.mkdir()
    except OSError as exc:
        raise _failure(output, exc) from None
    try:
        yield tmp
        for path in tmp.iterdir():
            with open(path, "rb+") as fh:
                os.fsync(fh.fileno())
        check_replaceable(output, allowed)  # again: the folder may have changed while we wrote
        if output.exists():
            old = tmp.with_suffix(".old")
            os.rename(output, old)
            try:
                os.rename(tmp, output)
            except BaseException:
                os.rename(old, output)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, output)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _failure(output, exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
