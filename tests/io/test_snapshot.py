"""Validated snapshots: identical datasets and output with and without them; damaged, stale or changed ones ignored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, run_cli, write_dataset

from graphkit.io import load as load_module
from graphkit.io import snapshot as snap
from graphkit.io.load import load_dataset, validate_dataset
from graphkit.settings import SETTINGS_HELP, get_settings

SAMPLE = ROOT / "data" / "sample"
TINY = ROOT / "tests" / "fixtures" / "tiny"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRAPHKIT_SNAPSHOT", raising=False)
    return folder


def _copy(src: Path, tmp_path: Path, name: str = "data") -> Path:
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def _snapshots(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.gksnap")) if folder.exists() else []


def _assert_same(a, b):
    assert list(a.frames) == list(b.frames)
    for name in a.frames:
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name], check_index_type=True, check_exact=True)
        assert [str(t) for t in a.frames[name].dtypes] == [str(t) for t in b.frames[name].dtypes], name
    assert a.problems.items == b.problems.items
    assert a.fields == b.fields and a.labels == b.labels and a.origin == b.origin and a.counts() == b.counts()
    _assert_same_index(a.index, b.index)


def _assert_same_index(a, b):
    import numpy as np
    import pyarrow as pa
    import scipy.sparse as sp

    assert sorted(a.__dict__) == sorted(b.__dict__)
    for name, x in a.__dict__.items():
        y = b.__dict__[name]
        assert type(x) is type(y), name
        if sp.issparse(x):
            assert x.shape == y.shape and x.dtype == y.dtype and (x != y).nnz == 0, name
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
        elif isinstance(x, dict):
            assert list(x) == list(y) and all(x[k].equals(y[k]) for k in x), name
        elif isinstance(x, pa.Array):
            assert x.equals(y), name
        elif isinstance(x, pd.Index):
            assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
        else:
            assert x == y, name


# ---- the round trip -----------------------------------------------------------------------------------------

def test_sample_opens_from_its_snapshot_with_the_same_tables(cache, monkeypatch):
    fresh = load_dataset(SAMPLE, cache=False)
    assert _snapshots(cache) == []  # cache=False neither reads nor writes
    load_dataset(SAMPLE)
    [path] = _snapshots(cache)
    assert path.name == snap.snapshot_key(SAMPLE) + ".gksnap"
    monkeypatch.setattr(load_module, "read_raw", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read again")))
    warm = load_dataset(SAMPLE)
    _assert_same(fresh, warm)


def test_tables_are_decoded_only_when_asked_for(cache, monkeypatch):
    from graphkit.queries.coverage import coverage

    fresh = load_dataset(SAMPLE)
    decoded = []
    real = snap.frame_from_ipc
    monkeypatch.setattr(snap, "frame_from_ipc", lambda blob, meta: decoded.append(meta["columns"][0]) or real(blob, meta))
    warm = load_dataset(SAMPLE)
    assert isinstance(warm.frames, snap.LazyFrames)
    assert warm.counts() == fresh.counts() and decoded == []
    assert [c.to_dict() for c in coverage(warm, all_fields=True)] == [c.to_dict() for c in coverage(fresh, all_fields=True)]
    # coverage runs on the indexes and the dated facts (the evaluation date, default today, filters them: SPEC §4)
    assert sorted(decoded) == ["center_id", "center_id", "center_id", "from_id", "org_id", "platform_id"]
    decoded.clear()
    assert warm.center("C0001") == fresh.center("C0001")
    assert decoded == ["center_id"]  # centers.csv, decoded only now
    assert set(dict(warm.frames)) == set(fresh.frames)


def test_list_int_bool_and_parsed_claim_columns_survive(cache, tmp_path):
    folder = _copy(ROOT / "tests" / "fixtures" / "tiny_full", tmp_path)
    fresh = load_dataset(folder, cache=False)
    load_dataset(folder)
    opened = snap.read_snapshot(snap.snapshot_key(folder))
    assert opened is not None
    claims = opened.tables.frames["claims"]
    assert claims["parsed_value"].tolist() == fresh.frames["claims"]["parsed_value"].tolist()
    assert [type(v).__name__ for v in fresh.frames["platforms"]["host_ids"]] == \
        [type(v).__name__ for v in opened.tables.frames["platforms"]["host_ids"]]
    _assert_same(fresh, load_dataset(folder))


def test_warnings_are_kept(cache, tmp_path, monkeypatch):
    folder = _copy(ROOT / "tests" / "fixtures" / "valid" / "inactive_platforms", tmp_path)
    first = run_cli("validate", folder, "--lang", "en")
    assert first.exit_code == 0
    warnings = [line.strip() for line in first.stderr.splitlines() if ":status: platform" in line]
    assert warnings == ["platforms.csv:3:status: platform status is reorganized; it does not count towards coverage",
                        "platforms.csv:4:status: platform status is revoked; it does not count towards coverage"]
    monkeypatch.setattr(load_module, "read_raw", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read again")))
    again = run_cli("validate", folder, "--lang", "en")
    assert again.exit_code == 0
    assert again.stderr == first.stderr and again.stdout == first.stdout


def test_check_output_is_byte_identical_with_and_without_the_snapshot_on_the_sample(cache):
    plain = run_cli("check", SAMPLE, "--format", "json", "--lang", "en", "--no-cache")
    assert plain.exit_code == 0 and _snapshots(cache) == []
    first = run_cli("check", SAMPLE, "--format", "json", "--lang", "en")
    assert len(_snapshots(cache)) == 1
    warm = run_cli("check", SAMPLE, "--format", "json", "--lang", "en")
    assert plain.stdout.encode() == first.stdout.encode() == warm.stdout.encode()
    text_plain = run_cli("check", SAMPLE, "--no-cache")
    text_warm = run_cli("check", SAMPLE)
    assert text_plain.stdout == text_warm.stdout and text_plain.exit_code == text_warm.exit_code == 0


def test_check_output_is_byte_identical_on_a_generated_s_dataset(cache, tmp_path):
    from graphkit.data.synthetic import generate

    folder = tmp_path / "S"
    generate("S", seed=3, out=folder)
    plain = run_cli("check", folder, "--format", "json", "--no-cache")
    first = run_cli("check", folder, "--format", "json")
    key = snap.snapshot_key(folder)
    assert snap.read_snapshot(key) is not None
    warm = run_cli("check", folder, "--format", "json")
    assert plain.exit_code == first.exit_code == warm.exit_code == 0
    assert plain.stdout.encode() == first.stdout.encode() == warm.stdout.encode()
    cov_plain = run_cli("coverage", folder, "--all-fields", "--format", "json", "--no-cache")
    cov_warm = run_cli("coverage", folder, "--all-fields", "--format", "json")
    assert cov_plain.stdout == cov_warm.stdout


# ---- what makes a snapshot not count --------------------------------------------------------------------------

def test_a_changed_cell_is_a_new_key_and_the_new_value_is_loaded(cache, tmp_path):
    folder = _copy(TINY, tmp_path)
    before = load_dataset(folder)
    key = snap.snapshot_key(folder)
    path = folder / "centers.csv"
    text = path.read_text(encoding="utf-8")
    old = before.frames["centers"]["name"].iloc[0]
    path.write_text(text.replace(old, "改名创新中心", 1), encoding="utf-8")
    assert snap.snapshot_key(folder) != key
    after = load_dataset(folder)
    assert after.frames["centers"]["name"].iloc[0] == "改名创新中心"
    assert len(_snapshots(cache)) == 2


@pytest.mark.parametrize("damage", ["flip_table_byte", "flip_header_byte", "truncate", "append", "empty"])
def test_a_damaged_snapshot_is_ignored_and_rebuilt(cache, tmp_path, damage):
    folder = _copy(TINY, tmp_path)
    fresh = load_dataset(folder)
    [path] = _snapshots(cache)
    data = bytearray(path.read_bytes())
    if damage == "flip_table_byte":
        data[-200] ^= 0x01
    elif damage == "flip_header_byte":
        data[40] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "append":
        data += b"\x00"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    assert snap.read_snapshot(snap.snapshot_key(folder)) is None
    again = load_dataset(folder)
    _assert_same(fresh, again)
    assert snap.read_snapshot(snap.snapshot_key(folder)) is not None  # rebuilt


def test_another_version_or_format_is_not_used(cache, tmp_path, monkeypatch):
    import graphkit

    folder = _copy(TINY, tmp_path)
    key = snap.snapshot_key(folder)
    monkeypatch.setattr(graphkit, "__version__", "99.0.0")
    assert snap.snapshot_key(folder) != key
    monkeypatch.undo()
    ds = load_dataset(folder, cache=False)
    from graphkit.model.validate import Tables

    tables = Tables(ds.frames, list(ds.fields.values()), ds.labels)
    current = snap.FORMAT
    monkeypatch.setattr(snap, "FORMAT", current + 1)
    snap.write_snapshot(key, tables, ds.problems, ds.origin, index=ds.index)
    monkeypatch.setattr(snap, "FORMAT", current)
    assert snap.snapshot_path(key).exists() and snap.read_snapshot(key) is None


def test_a_different_limit_is_a_different_key(cache):
    assert snap.snapshot_key(TINY) != snap.snapshot_key(TINY, settings=get_settings(max_rows=10))
    assert snap.snapshot_key(TINY) == snap.snapshot_key(TINY, settings=get_settings(bolt_retries=9))


def test_invalid_data_leaves_no_snapshot(cache, tmp_path):
    folder = write_dataset(tmp_path / "bad", centers="center_id,name\n,无编号\n")
    report = validate_dataset(folder)
    assert not report.ok and _snapshots(cache) == []
    assert snap.snapshot_key(tmp_path / "missing") is None


def test_uploads_are_keyed_by_name_and_bytes(cache):
    import io
    import zipfile

    body = b"center_id\n"
    assert snap.snapshot_key(body, name="a.csv") != snap.snapshot_key(body, name="b.csv")
    assert snap.snapshot_key(body, name="a.csv") != snap.snapshot_key(body + b"x", name="a.csv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(TINY.glob("*.csv")):
            z.write(f, f.name)
    first = load_dataset(buf.getvalue(), name="tiny.zip")
    assert [p.name for p in _snapshots(cache)] == [snap.snapshot_key(buf.getvalue(), name="tiny.zip") + ".gksnap"]
    _assert_same(first, load_dataset(buf.getvalue(), name="tiny.zip"))


def test_snapshots_unused_for_30_days_and_stale_temporary_files_are_deleted(cache, tmp_path):
    old_folder, new_folder = _copy(TINY, tmp_path, "old"), _copy(TINY, tmp_path, "new")
    (new_folder / "centers.csv").write_bytes((new_folder / "centers.csv").read_bytes() + b"\n")
    load_dataset(old_folder)
    [old] = _snapshots(cache)
    fresh = cache / "recent.gksnap"
    fresh.write_bytes(b"x")
    stale_tmp, recent_tmp = cache / ".k.1.a.tmp", cache / ".k.2.b.tmp"
    stale_tmp.write_bytes(b""), recent_tmp.write_bytes(b"")
    import time

    month = time.time() - 31 * 86400
    os.utime(old, (month, month))
    os.utime(stale_tmp, (time.time() - 2 * 86400,) * 2)
    load_dataset(new_folder)
    names = sorted(p.name for p in cache.iterdir())
    assert names == sorted([".k.2.b.tmp", "recent.gksnap", snap.snapshot_key(new_folder) + ".gksnap"])


def test_opening_a_snapshot_marks_it_used(cache, tmp_path):
    import time

    folder = _copy(TINY, tmp_path)
    load_dataset(folder)
    [path] = _snapshots(cache)
    month = time.time() - 31 * 86400
    os.utime(path, (month, month))
    load_dataset(folder)
    assert time.time() - path.stat().st_mtime < 3600


# ---- switches ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["validate", "coverage", "check", "reach", "gaps", "claims"])
def test_no_cache_on_every_loading_command(cache, command):
    extra = ["--center", "C0001"] if command == "reach" else []
    r = run_cli(command, SAMPLE, *extra, "--no-cache", "-q")
    assert r.exit_code == 0, (r.stdout, r.stderr)
    assert _snapshots(cache) == []
    r = run_cli(command, SAMPLE, *extra, "-q")
    assert r.exit_code == 0 and len(_snapshots(cache)) == 1


def test_the_snapshot_setting_turns_it_off(cache, monkeypatch):
    assert get_settings().snapshot == 1
    zh, en = SETTINGS_HELP["snapshot"]
    assert "GRAPHKIT_CACHE_DIR" in zh and "--no-cache" in en
    monkeypatch.setenv("GRAPHKIT_SNAPSHOT", "0")
    assert get_settings().snapshot == 0
    load_dataset(TINY)
    assert _snapshots(cache) == []
    load_dataset(TINY, cache=True)  # an explicit argument wins
    assert len(_snapshots(cache)) == 1


def test_cache_folder_default_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("GRAPHKIT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert snap.cache_dir() == tmp_path / "xdg" / "graphkit"
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert snap.cache_dir() == tmp_path / "mine"


def test_an_unwritable_cache_folder_only_skips_the_snapshot(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRAPHKIT_CACHE_DIR", str(blocker / "cache"))
    ds = load_dataset(TINY)
    assert ds.counts()["centers"] == 1


# ---- concurrent writers -----------------------------------------------------------------------------------------

_WRITER = """
import sys
from graphkit.io import snapshot as snap
from graphkit.io.load import load_dataset
from graphkit.model.validate import Tables
ds = load_dataset(sys.argv[1], cache=False)
tables = Tables(ds.frames, list(ds.fields.values()), ds.labels)
key = snap.snapshot_key(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
for _ in range(40):
    assert snap.write_snapshot(key, tables, ds.problems, ds.origin, index=ds.index) is not None
"""


def test_two_processes_writing_the_same_snapshot_do_not_corrupt_it(cache, tmp_path):
    folder = _copy(SAMPLE, tmp_path)
    env = dict(os.environ, PYTHONPATH=str(ROOT), GRAPHKIT_CACHE_DIR=str(cache))
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env, text=True) for _ in range(2)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:  # both start writing together
        p.stdin.write("go\n")
        p.stdin.flush()
    key = snap.snapshot_key(folder)
    seen = 0
    while any(p.poll() is None for p in procs):  # a reader meanwhile sees a whole snapshot or none
        if snap.snapshot_path(key).exists():
            assert snap.read_snapshot(key) is not None
            seen += 1
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert [p.name for p in cache.iterdir()] == [key + ".gksnap"]  # no temporary file left behind
    _assert_same(load_dataset(folder, cache=False), load_dataset(folder))
