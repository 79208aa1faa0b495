"""Atomic writes (graphkit.io.files) and the CLI's output paths: every user error is exit 2 naming the target the
user gave (never a hidden temporary), a failed write leaves nothing behind, and what a SIGKILLed write left is
cleaned on the next write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT, run_cli

from graphkit.errors import OutputError
from graphkit.io.files import atomic_file, atomic_folder, clean_stale, write_bytes

TINY = DATA / "tiny"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_csv_export_onto_an_existing_file_is_exit_2_naming_it(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("keep me", encoding="utf-8")
    r = run_cli("export", TINY, "--to", "csv", "-o", target, "--lang", "en", "-q")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"graphkit: {target} exists and is not a folder; choose another output path"
    assert target.read_text(encoding="utf-8") == "keep me" and _leftovers(tmp_path) == []


def test_xlsx_export_onto_a_folder_is_exit_2_naming_it(tmp_path):
    target = tmp_path / "book.xlsx"
    target.mkdir()
    r = run_cli("export", TINY, "--to", "xlsx", "-o", target, "--lang", "en", "-q")
    assert r.exit_code == 2
    assert r.stderr.strip() == f"graphkit: {target} is a folder; the xlsx export writes a file"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("seed", ["-5", "-1", "x"])
def test_generate_with_a_bad_seed_is_a_usage_error(tmp_path, seed):
    r = run_cli("generate", "--seed", seed, "-o", tmp_path / "g")
    assert r.exit_code == 2 and "internal error" not in r.stderr
    assert "Invalid value for '--seed'" in r.stderr
    assert not (tmp_path / "g").exists()


_LIMITED = """
import resource, signal, sys
sys.dont_write_bytecode = True  # a .pyc cut short by the limit would break later imports
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit, write() fails with EFBIG instead of killing us
resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))
from graphkit.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("to, name", [("xlsx", "book.xlsx"), ("csv", "out"), ("turtle", "g.ttl")])
def test_a_write_that_runs_out_of_space_is_exit_2_naming_the_target(tmp_path, to, name):
    """A process that may write at most 300 bytes per file (RLIMIT_FSIZE: the kernel refuses like a full disk)."""
    target = tmp_path / name
    proc = subprocess.run([sys.executable, "-c", _LIMITED, "export", str(DATA / "tiny_full"), "--to", to,
                           "-o", str(target), "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().endswith(f"graphkit: cannot write {target}: File too large"), proc.stderr
    assert ".tmp" not in proc.stderr and "Traceback" not in proc.stderr
    assert not target.exists() and _leftovers(tmp_path) == []


@pytest.fixture
def mounted(tmp_path):
    """A 64 KB tmpfs, and the same one remounted read-only (needs mount rights: skipped without them)."""
    where = tmp_path / "fs"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True)


def test_a_full_disk_and_a_read_only_disk_are_exit_2_naming_the_target(mounted):
    target = mounted / "book.xlsx"
    (mounted / "filler").write_bytes(b"\0" * 60_000)
    r = run_cli("export", DATA / "tiny_full", "--to", "csv", "-o", mounted / "out", "-q")
    assert r.exit_code == 2 and r.stderr.strip() == f"graphkit: cannot write {mounted / 'out'}: No space left on device"
    assert sorted(p.name for p in mounted.iterdir()) == ["filler"]
    assert subprocess.run(["mount", "-o", "remount,ro", str(mounted)], capture_output=True).returncode == 0
    r = run_cli("export", TINY, "--to", "xlsx", "-o", target, "-q")
    assert r.exit_code == 2 and r.stderr.strip() == f"graphkit: cannot write {target}: Read-only file system"


_KILLED_WRITER = """
import sys, time
from pathlib import Path
from graphkit.io.files import atomic_file, atomic_folder
target = Path(sys.argv[1])
with (atomic_folder(target, ["a.csv"]) if sys.argv[2] == "folder" else atomic_file(target)) as tmp:
    (tmp / "a.csv" if sys.argv[2] == "folder" else tmp).write_bytes(b"half")
    print(tmp, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_what_a_sigkilled_write_left_is_removed_by_the_next_write(tmp_path, kind):
    target = tmp_path / ("out.csv" if kind == "file" else "out")
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target), kind], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    left = Path(proc.stdout.readline().strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert left.exists() and left.name.startswith(f".{target.name}.{proc.pid}-") and left.name.endswith(".tmp")
    if kind == "file":
        write_bytes(target, b"whole")
        assert target.read_bytes() == b"whole"
    else:
        with atomic_folder(target, ["a.csv"]) as tmp:
            (tmp / "a.csv").write_bytes(b"whole")
        assert (target / "a.csv").read_bytes() == b"whole"
    assert not left.exists() and _leftovers(tmp_path) == []


def test_clean_stale_keeps_live_writes_and_recent_unowned_temporaries(tmp_path):
    target = tmp_path / "r.html"
    live = tmp_path / f".r.html.{os.getppid()}-0123abcd.tmp"  # our parent is alive
    dead = tmp_path / ".r.html.999999999-0123abcd.tmp"  # no such process
    recent, old = tmp_path / ".r.html.0123abcd.tmp", tmp_path / ".r.html.89abcdef.tmp"  # the names of older versions
    other = tmp_path / ".s.html.999999999-0123abcd.tmp"  # another target's
    for path in (live, dead, recent, old, other):
        path.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert sorted(p.name for p in clean_stale(target)) == [old.name, dead.name]
    assert live.exists() and recent.exists() and other.exists()


def test_atomic_file_refuses_a_folder_and_leaves_the_target_on_failure(tmp_path):
    with pytest.raises(OutputError, match="is a folder"):
        with atomic_file(tmp_path):
            pass
    target = tmp_path / "t.txt"
    target.write_bytes(b"before")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as tmp:
            tmp.write_bytes(b"after")
            raise RuntimeError("the writer failed")
    assert target.read_bytes() == b"before" and _leftovers(tmp_path) == []
