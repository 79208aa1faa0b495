"""Where the data comes from: the default dataset, or this session's own upload; and the token keying every cache.

The default is ``GRAPHKIT_DATA``, else ``--data PATH`` after ``--`` on the command line
(``streamlit run app.py -- --data PATH``), else ``data/sample``. It is loaded once per process
(a process-wide store keyed by its path and modification time) and shared read-only by every session. An upload
belongs to the session that made it (kept in its session state), so two users never see each other's data.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from app_pages.state import K

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

__all__ = ["Data", "default_source", "current", "accept_upload", "forget_upload", "upload_token", "decisions",
           "record", "reviewed"]


@dataclass
class Data:
    """The dataset a session is looking at, and the token that keys everything derived from it."""

    token: str
    dataset: object
    name: str
    uploaded: bool
    base_token: str = ""  # the token of the data as loaded (before this session's decisions); "" = ``token``

    @property
    def review_token(self) -> str:
        """The key of this session's decisions: the data as loaded, whatever was decided since."""
        return self.base_token or self.token


def default_source() -> Path:
    """The default dataset's path (see the module docstring)."""
    env = os.environ.get("GRAPHKIT_DATA", "").strip()
    if env:
        return Path(env).expanduser()
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--data" and i + 1 < len(args):
            return Path(args[i + 1]).expanduser()
        if arg.startswith("--data="):
            return Path(arg.split("=", 1)[1]).expanduser()
    if sys.argv and sys.argv[0].endswith("app.py") and len(args) == 1 and not args[0].startswith("-"):
        return Path(args[0]).expanduser()
    return SAMPLE


def _stamp(path: Path) -> int:
    """A cheap change marker: the newest modification time of the path (or of the files in the folder)."""
    if path.is_dir():
        return max((p.stat().st_mtime_ns for p in path.iterdir() if p.is_file()), default=0)
    return path.stat().st_mtime_ns if path.exists() else 0


@st.cache_resource(show_spinner=False)
def _store() -> dict:
    """The process-wide store of loaded defaults: {(path, stamp): report}, the newest four, behind one lock.
    (Not ``st.cache_resource`` on the load itself: the load reports its progress to this session's page, and a
    cached function may not draw outside itself.)"""
    return {"lock": threading.Lock(), "reports": OrderedDict()}


def _load(path: str, stamp: int, progress=None):
    from graphkit.io.load import validate_dataset

    store = _store()
    key = (path, stamp)
    with store["lock"]:  # a second session waits for the load under way rather than loading again
        reports = store["reports"]
        if key not in reports:
            reports[key] = validate_dataset(path, progress=progress)
            while len(reports) > 4:
                reports.popitem(last=False)
        return reports[key]


def current(progress=None) -> Data | None:
    """This session's dataset: its upload, else the default dataset (None when the default cannot be loaded;
    :func:`default_report` then says why). ``progress(stage, fraction)`` hears the stages of a first load."""
    up = st.session_state.get(K.UPLOADED)
    if up:
        return Data(up["token"], up["dataset"], up["name"], True)
    path = default_source()
    report = default_report(progress)
    if report is None or report.dataset is None:
        return None
    return Data(f"path:{path.resolve()}:{_stamp(path)}", report.dataset, str(path), False)


def default_report(progress=None):
    """The validation report of the default dataset (None when the path does not exist)."""
    path = default_source()
    if not path.exists():
        return None
    return _load(str(path.resolve()), _stamp(path), progress)


def upload_token(data: bytes) -> str:
    return "upload:" + hashlib.sha256(data).hexdigest()[:24]


def accept_upload(name: str, data: bytes, report) -> None:
    """Make a validated upload this session's dataset (the caller checked ``report.ok``)."""
    st.session_state[K.UPLOADED] = {"token": upload_token(data), "name": name, "dataset": report.dataset}


def forget_upload() -> None:
    """Back to the default dataset (the same file uploaded again is then validated and loaded again)."""
    st.session_state[K.UPLOADED] = None
    st.session_state[K.UPLOAD_DONE] = None
    st.session_state[K.UPLOAD_RESULT] = None


# ---- the review recorded in this session ------------------------------------------------------------------------

def decisions(token: str) -> list[dict]:
    """This session's decisions on the dataset keyed by ``token`` (assessment rows, oldest first)."""
    return st.session_state.setdefault(K.REVIEW, {}).setdefault(token, [])


def record(token: str, rows) -> None:
    """Add decisions; a later decision on the same center and check replaces the earlier one."""
    kept = decisions(token)
    for row in rows:
        kept[:] = [r for r in kept if (r["center_id"], r["check_id"]) != (row["center_id"], row["check_id"])]
        kept.append(dict(row))


@st.cache_resource(show_spinner=False, max_entries=16)
def _reviewed(token: str, digest: str, _ds, _rows: tuple):
    from graphkit.present.review import with_assessments

    return with_assessments(_ds, [dict(r) for r in _rows])


def reviewed(data: Data | None) -> Data | None:
    """``data`` with this session's decisions applied (a copy; the shared dataset is never changed), under its own
    token so every cached result derived from it is its own."""
    if data is None:
        return None
    rows = decisions(data.token)
    if not rows:
        return data
    items = tuple(tuple(sorted((k, v) for k, v in r.items())) for r in rows)
    digest = hashlib.sha256(repr(items).encode("utf-8")).hexdigest()[:16]
    ds = _reviewed(data.token, digest, data.dataset, items)
    return Data(f"{data.token}#review:{digest}", ds, data.name, data.uploaded, base_token=data.token)
