"""Loading: any source read, validated and indexed into a :class:`graphkit.model.dataset.Dataset` — or every problem
reported at once."""

from __future__ import annotations

import logging

from graphkit.errors import InvalidDatasetError
from graphkit.io.read import read_raw
from graphkit.model.columns import release_arrow_memory
from graphkit.model.dataset import Dataset, ValidationReport
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset
from graphkit.model.schema import TABLES
from graphkit.model.validate import validate_raw
from graphkit.settings import Settings, get_settings

__all__ = ["STAGES", "load_dataset", "validate_dataset"]

log = logging.getLogger(__name__)


def _raw_counts(raw: RawDataset) -> dict[str, int]:
    out = {name: (len(raw.tables[name].frame) if name in raw.tables else 0) for name in TABLES if name != "fields"}
    out["fields"] = 22 + (len(raw.tables["fields"].frame) if "fields" in raw.tables else 0)
    return out


STAGES = ("reading", "validating", "indexing", "done")


def validate_dataset(source, *, name: str | None = None, settings: Settings | None = None,
                     cache: bool | None = None, progress=None) -> ValidationReport:
    """Read and validate ``source``; never raises for bad data (the report says what is wrong).

    Every problem is reported at once: when a file cannot be read, the other files are still validated, and
    only the "unknown id" errors that the unreadable file would have answered are left out. ``progress``, if
    given, is called as ``progress(stage, fraction)`` as each stage starts (``STAGES``; "done" at 1.0).

    ``cache`` (default: the ``snapshot`` setting) opens an unchanged dataset from its validated snapshot and
    keeps one after a successful validation (:mod:`graphkit.io.snapshot`); its warnings are those of the
    original validation.
    """
    step = progress or (lambda stage, fraction: None)
    settings = settings or get_settings()
    own = not isinstance(source, RawDataset)
    key = None
    if own and (settings.snapshot != 0 if cache is None else cache):
        from graphkit.io.snapshot import read_snapshot, snapshot_key

        key = snapshot_key(source, name=name, settings=settings)
        snap = read_snapshot(key) if key else None
        if snap is not None:
            ds = Dataset(snap.tables, snap.problems, origin=snap.origin, index=snap.index)
            step("done", 1.0)
            return ValidationReport(snap.problems, ds.counts(), ds)
    problems = Problems()
    step("reading", 0.0)
    raw = read_raw(source, problems, settings, name=name) if own else source
    counts = _raw_counts(raw)
    origin = str(raw.origin)
    # skips the references an unreadable file would have answered; frees our own raw tables as it goes
    step("validating", 0.4)
    tables = validate_raw(raw, problems, consume=own)
    del raw
    release_arrow_memory()
    if tables is None or problems.has_errors():
        step("done", 1.0)
        return ValidationReport(problems, counts, None)
    step("indexing", 0.7)
    ds = Dataset(tables, problems, origin=origin)
    release_arrow_memory()  # and what building the indexes used
    if key:
        from graphkit.io.snapshot import write_snapshot

        write_snapshot(key, tables, problems, origin, index=ds.index)
    step("done", 1.0)
    return ValidationReport(problems, ds.counts(), ds)


def load_dataset(source, *, name: str | None = None, settings: Settings | None = None, lang: str = "zh",
                 cache: bool | None = None, progress=None) -> Dataset:
    """Load and validate a dataset (folder of CSVs, .zip, .xlsx, .ttl, .jsonld, or upload bytes with ``name``).

    Raises :class:`graphkit.errors.InvalidDatasetError` with every problem when the dataset is invalid.
    ``cache`` and ``progress(stage, fraction)`` as in :func:`validate_dataset`.
    """
    report = validate_dataset(source, name=name, settings=settings, cache=cache, progress=progress)
    if report.dataset is None:
        raise InvalidDatasetError(report.problems, lang)
    return report.dataset
