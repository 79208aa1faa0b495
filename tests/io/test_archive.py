"""Bounded zip reading (graphkit.io.archive): lying members and bzip2/lzma are refused, and the bombs of issue 16
stay far under 300 MB of peak memory — measured (VmHWM, or ``resource``) in a fresh interpreter, never with a timer."""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from graphkit.io.archive import CHUNK, ArchiveError, open_archive

_spec = importlib.util.spec_from_file_location("bombs", DATA / "bombs.py")
bombs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bombs)

HEAD = b"center_id,name,level,field_id,province\nC1,x,provincial,F03,ln\n"[:64].ljust(64, b"x")
ORGS = bombs.Member.honest("organizations.csv", b"org_id,name,kind\nO1,x,enterprise\n")
PEAK_LIMIT_KB = 300 * 1024


def _workbook() -> bytes:
    spec = importlib.util.spec_from_file_location("xlsx_build", DATA / "invalid_xlsx" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.to_bytes(module.workbook(module.base()))


@pytest.fixture(scope="module")
def bomb_files(tmp_path_factory):
    """Four bombs, each inflating to 256 MiB or more from a few KB: without bounded reads each one needs more than
    256 MB on top of the interpreter."""
    out = tmp_path_factory.mktemp("bombs")
    paths = {}
    paths["zip_bzip2_declares_64_bytes"] = out / "a.zip"
    paths["zip_bzip2_declares_64_bytes"].write_bytes(bombs.build_zip(
        [bombs.Member("centers.csv", zipfile.ZIP_BZIP2, bombs.bzip2_zeros(HEAD, 256), zlib.crc32(HEAD), 64), ORGS]))
    paths["zip_deflate_declares_64_bytes"] = out / "b.zip"
    paths["zip_deflate_declares_64_bytes"].write_bytes(
        bombs.build_zip([bombs.lying_deflate("centers.csv", HEAD, 1024), ORGS]))
    book = _workbook()

    def bzip2_types(name, data):
        if name != "[Content_Types].xml":
            return None
        return bombs.Member(name, zipfile.ZIP_BZIP2, bombs.bzip2_zeros(data, 256), zlib.crc32(data), len(data))

    paths["xlsx_bzip2_content_types"] = out / "c.xlsx"
    paths["xlsx_bzip2_content_types"].write_bytes(bombs.rewrite(book, bzip2_types))
    paths["xlsx_deflate_sheet_lies"] = out / "d.xlsx"
    paths["xlsx_deflate_sheet_lies"].write_bytes(bombs.rewrite(
        book, lambda name, data: bombs.lying_deflate(name, data, 1024) if name == "xl/worksheets/sheet1.xml" else None))
    return paths


_MEASURE = """
import json, resource, sys
from graphkit.cli import main
try:
    main(["validate", sys.argv[1], "--format", "json", "--lang", "en"])
except SystemExit as exc:
    code = exc.code
# VmHWM is this process's own peak; ru_maxrss is not: Linux carries the parent's high-water mark across fork and
# exec, so a child of a large pytest process would report the parent's size.
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"exit": code, "peak_kb": peak}), file=sys.stderr)
"""


def _validate_measured(path: Path) -> tuple[int, dict, int]:
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=600)
    last = json.loads(proc.stderr.strip().splitlines()[-1])
    return last["exit"], json.loads(proc.stdout), last["peak_kb"]


@pytest.mark.parametrize("case, expected", [
    ("zip_bzip2_declares_64_bytes", "a.zip:1:*: centers.csv in the zip is compressed with bzip2; only stored or "
                                    "deflate members are read (zip it again with an ordinary zip tool)"),
    ("zip_deflate_declares_64_bytes", "centers.csv:1:*: centers.csv in the zip inflates beyond the 64 bytes its "
                                      "header declares (a decompression bomb?); zip it again"),
    ("xlsx_bzip2_content_types", "c.xlsx:1:*: [Content_Types].xml in the zip is compressed with bzip2; only stored "
                                 "or deflate members are read (zip it again with an ordinary zip tool)"),
    ("xlsx_deflate_sheet_lies", "d.xlsx[centers]:1:*: xl/worksheets/sheet1.xml in the zip inflates beyond the 1467 "
                                "bytes its header declares (a decompression bomb?); zip it again"),
])
def test_bombs_are_refused_in_bounded_memory(bomb_files, case, expected):
    path = bomb_files[case]
    assert path.stat().st_size < 3_000_000  # a few KB (bzip2) to 1 MB (deflate) on disk
    code, out, peak_kb = _validate_measured(path)
    assert code == 2
    assert out["errors"] == [expected]
    assert peak_kb < PEAK_LIMIT_KB, f"{case}: peak RSS {peak_kb / 1024:.0f} MB"


def _zip(*members: tuple[str, bytes, int]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method in members:
            zf.writestr(name, data, compress_type=method)
    return buf.getvalue()


def test_an_honest_archive_reads_back_exactly_in_chunks():
    data = bytes(range(256)) * (3 * CHUNK // 256 + 7)  # over three chunks
    archive = open_archive(_zip(("a.bin", data, zipfile.ZIP_DEFLATED), ("b.txt", b"stored", zipfile.ZIP_STORED)),
                           limit=len(data) + 6)
    assert archive.read("a.bin") == data
    assert archive.read("b.txt") == b"stored"
    with archive.open("a.bin") as f:
        assert len(f.read(10)) == 10 and len(f.read(5 * CHUNK)) == CHUNK  # one read never inflates more than CHUNK
    assert archive.inflated == len(data) + 6  # a member read twice counts once


@pytest.mark.parametrize("method, name", [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")])
def test_bzip2_and_lzma_members_are_refused_before_inflating(method, name):
    with pytest.raises(ArchiveError) as info:
        open_archive(_zip(("ok.csv", b"a", zipfile.ZIP_DEFLATED), ("x.csv", b"a" * 100, method)), limit=10_000)
    assert (info.value.code, info.value.params) == ("zip_method", {"member": "x.csv", "method": name})


def test_declared_sizes_over_the_limit_are_refused():
    with pytest.raises(ArchiveError) as info:
        open_archive(_zip(("a", b"x" * 600, zipfile.ZIP_DEFLATED), ("b", b"y" * 500, zipfile.ZIP_STORED)), limit=1099)
    assert (info.value.code, info.value.params) == ("file_too_large", {"n": 1100, "limit": 1099})


def test_a_member_that_inflates_past_its_declared_size_is_refused():
    archive = open_archive(bombs.build_zip([bombs.lying_deflate("c.csv", HEAD, 16)]), limit=1000)
    with pytest.raises(ArchiveError) as info:
        archive.read("c.csv")
    assert (info.value.code, info.value.params) == ("zip_member_lies", {"member": "c.csv", "n": 64})
