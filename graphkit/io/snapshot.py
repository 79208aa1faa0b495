"""Validated snapshots: a dataset that validated once opens again from its typed tables, kept as Arrow IPC.

After a dataset validates, :func:`write_snapshot` keeps its typed tables, fields, labels and warnings in one file
in the cache folder (``GRAPHKIT_CACHE_DIR``, else the platform's user cache folder), named by
:func:`snapshot_key`: a SHA-256 of the input files' bytes, graphkit's version, the source of the code that
validates (``graphkit/model``, ``graphkit/io``) and the settings that limit loading. A changed input therefore
never meets an old snapshot. The file carries a checksum of every part: a corrupt or truncated snapshot, or one
of another format, is ignored (and rebuilt by the next load). Writers write a temporary file and rename it into
place, so concurrent processes never leave a half-written snapshot. No pickle: Arrow IPC for the tables, JSON for
the rest.

>>> key = snapshot_key(b"center_id\\n", name="centers.csv")
>>> len(key)
64
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import struct
import sys
import uuid
import zlib
from pathlib import Path

import pyarrow as pa

from graphkit.io.columnar import (
    LazyFrames,
    array_from_ipc,
    frame_from_ipc,
    frame_to_ipc,
    index_from_arrays,
    index_to_arrays,
)
from graphkit.model.dataset import Index
from graphkit.model.i18n import Kinds, Term
from graphkit.model.notice import Field
from graphkit.model.problems import Problem, Problems
from graphkit.model.schema import TABLES
from graphkit.model.validate import Tables
from graphkit.settings import Settings, get_settings

__all__ = ["FORMAT", "LazyFrames", "Snapshot", "cache_dir", "read_snapshot", "snapshot_key", "snapshot_path", "write_snapshot"]

log = logging.getLogger(__name__)

FORMAT = 2  # bump when the layout of the file changes
_MAGIC = b"GKSNAP\x00\x01"
_LIMITS = ("max_upload_bytes", "max_file_bytes", "max_rows", "max_cell_chars")  # settings that change validation
_FILENAMES = {t.filename for t in TABLES.values()}
_code_digest_cache: list[bytes] = []


class Snapshot:
    """What a snapshot holds: the typed tables (decoded on first use), the indexes, the problems (warnings) of the
    validation, the origin and the row counts."""

    def __init__(self, tables: Tables, problems: Problems, origin: str, index: Index | None = None,
                 counts: dict | None = None):
        self.tables, self.problems, self.origin, self.index, self.counts = tables, problems, origin, index, counts


def cache_dir() -> Path:
    """``GRAPHKIT_CACHE_DIR``, else the user cache folder (XDG ``~/.cache``, macOS ``~/Library/Caches``, Windows
    ``%LOCALAPPDATA%``) + ``graphkit``."""
    env = os.environ.get("GRAPHKIT_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "graphkit" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "graphkit"
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "graphkit"


def _code_digest() -> bytes:
    """The source of the modules that read and validate (a changed rule must not meet an old snapshot)."""
    if not _code_digest_cache:
        h = hashlib.sha256()
        root = Path(__file__).resolve().parent.parent
        for sub in ("model", "io"):
            for path in sorted((root / sub).rglob("*.py")):
                h.update(path.relative_to(root).as_posix().encode())
                h.update(path.read_bytes())
        _code_digest_cache.append(h.digest())
    return _code_digest_cache[0]


def snapshot_key(source, *, name: str | None = None, settings: Settings | None = None) -> str | None:
    """The hex SHA-256 naming ``source``'s snapshot, or None when it has none (a missing path, raw tables)."""
    from graphkit import __version__

    settings = settings or get_settings()
    h = hashlib.sha256()
    h.update(f"graphkit {__version__} snapshot {FORMAT}\n".encode())
    h.update(_code_digest())
    h.update(json.dumps({k: getattr(settings, k) for k in _LIMITS}, sort_keys=True).encode())

    def add(label: str, data: bytes | None) -> None:
        h.update(struct.pack("<Q", len(label.encode())) + label.encode())
        h.update(b"\x00" if data is None else struct.pack("<Q", len(data)) + data)

    if isinstance(source, (bytes, bytearray)):
        add("bytes:" + (name or "upload"), bytes(source))
        return h.hexdigest()
    if not isinstance(source, (str, os.PathLike)):
        return None
    path = Path(source)
    try:
        if path.is_dir():
            add("folder:" + str(source), None)
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if child.is_file():  # a contract file's bytes; any other file by name (it may be warned about)
                    add(child.name, child.read_bytes() if child.name.lower() in _FILENAMES else None)
            return h.hexdigest()
        if path.is_file():
            add("file:" + str(source), path.read_bytes())
            return h.hexdigest()
    except OSError as exc:  # unreadable: the load reports it; no snapshot
        log.debug("no snapshot key for %s: %s", source, exc)
    return None


def snapshot_path(key: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / f"{key}.gksnap"


def _param(v):
    if isinstance(v, Kinds):
        return {"kinds": list(v)}
    if isinstance(v, Term):  # a code shown in words (Chinese) when the message is rendered
        return {"term": str(v)}
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    raise TypeError(f"cannot keep a {type(v).__name__} message parameter in a snapshot")


def _unparam(v):
    if isinstance(v, dict):
        return Term(v["term"]) if "term" in v else Kinds(v["kinds"])
    return v


# ---- the file --------------------------------------------------------------------------------------------------

def write_snapshot(key: str, tables: Tables, problems: Problems, origin: str, directory: Path | None = None,
                   index: Index | None = None) -> Path | None:
    """Keep a validated dataset (and its ``index``, when given) under ``key``; returns the file, or None when it
    could not be written (logged)."""
    directory = directory or cache_dir()
    final = snapshot_path(key, directory)
    tmp = directory / f".{key}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
    try:
        blobs, metas, index_meta, index_blobs = [], {}, None, {}
        for name, frame in tables.frames.items():
            blob, meta = frame_to_ipc(frame)
            meta.update(crc32=zlib.crc32(blob), length=len(blob), rows=len(frame))
            metas[name] = meta
            blobs.append(blob)
        if index is not None:
            index_meta, parts = index_to_arrays(index)
            for name, blob in parts:
                index_blobs[name] = {"crc32": zlib.crc32(blob), "length": len(blob)}
                blobs.append(blob)
        header = json.dumps({
            "format": FORMAT, "key": key, "origin": origin, "tables": metas, "labels": tables.labels,
            "index": index_meta, "index_arrays": index_blobs,
            "fields": [vars(f) for f in tables.fields],
            "problems": [[p.severity, p.file, p.row, p.column, p.code, [[k, _param(v)] for k, v in p.params]]
                         for p in problems.items],
        }, ensure_ascii=False).encode()
        directory.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(_MAGIC + struct.pack("<QI", len(header), zlib.crc32(header)) + header)
            for blob in blobs:
                fh.write(blob)
        os.replace(tmp, final)  # atomic: a reader sees the old file, the new one, or none — never half of one
        _prune(directory, keep=final)
        return final
    except (OSError, TypeError, ValueError, pa.ArrowException) as exc:
        log.warning("graphkit: no snapshot written for %s: %s", origin, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return None


_UNUSED_DAYS = 30  # a snapshot not opened for this long is deleted when another one is written


def _prune(directory: Path, keep: Path) -> None:
    """Delete snapshots not opened for :data:`_UNUSED_DAYS` days and temporary files a crashed writer left."""
    import time

    now = time.time()
    for path in directory.iterdir():
        try:
            age = now - path.stat().st_mtime
            if (path.suffix == ".gksnap" and path != keep and age > _UNUSED_DAYS * 86400) or \
                    (path.suffix == ".tmp" and path.name.startswith(".") and age > 86400):
                path.unlink()
        except OSError:  # another process removed or replaced it meanwhile
            pass


def read_snapshot(key: str, directory: Path | None = None) -> Snapshot | None:
    """The snapshot under ``key``, or None when there is none or it is damaged (checksums, lengths, format)."""
    path = snapshot_path(key, directory)
    try:
        data = pa.memory_map(str(path)).read_buffer()  # mapped, not copied: tables not asked for are never read
    except (OSError, pa.ArrowException):
        return None
    try:
        head = len(_MAGIC) + 12
        view = memoryview(data)
        if len(data) < head or bytes(view[:len(_MAGIC)]) != _MAGIC:
            raise ValueError("not a graphkit snapshot of this format")
        length, crc = struct.unpack("<QI", view[len(_MAGIC):head])
        header_bytes = bytes(view[head: head + length])
        if len(header_bytes) != length or zlib.crc32(header_bytes) != crc:
            raise ValueError("damaged header")
        header = json.loads(header_bytes)
        if header.get("format") != FORMAT or header.get("key") != key:
            raise ValueError("another format or key")
        buf = data
        offset = head + length

        def part(what, meta):
            nonlocal offset
            n = meta["length"]
            if offset + n > len(data) or zlib.crc32(view[offset: offset + n]) != meta["crc32"]:
                raise ValueError(f"damaged {what}")
            offset += n
            return buf.slice(offset - n, n)

        decoders, lengths = {}, {}
        for name, meta in header["tables"].items():
            decoders[name] = functools.partial(frame_from_ipc, part(name, meta), meta)
            lengths[name] = meta["rows"]
        arrays = {name: array_from_ipc(part(name, meta)) for name, meta in header["index_arrays"].items()}
        if offset != len(data):
            raise ValueError("trailing bytes")
        index = index_from_arrays(header["index"], arrays) if header["index"] is not None else None
        problems = Problems()
        for severity, file, row, column, code, params in header["problems"]:
            problems.items.append(Problem(severity, file, row, column, code, tuple((k, _unparam(v)) for k, v in params)))
        fields = [Field(**f) for f in header["fields"]]
        frames = LazyFrames(list(header["tables"]), decoders, lengths)
        if index is None:  # without an index the dataset builds one from every table: decode them now
            frames = {name: frames[name] for name in frames}
        counts = {name: n for name, n in lengths.items() if name != "fields"}
        counts["fields"] = len(fields)
        try:
            os.utime(path)  # opened: not "unused" (see _prune)
        except OSError:
            pass
        return Snapshot(Tables(frames, fields, header["labels"]), problems, header["origin"], index, counts)
    except (ValueError, KeyError, TypeError, IndexError, struct.error, pa.ArrowException) as exc:
        log.info("graphkit: ignoring the snapshot %s (%s); the dataset is validated again", path.name, exc)
        return None
