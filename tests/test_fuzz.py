"""Fuzzing the readers (issue #7: every input is untrusted, every failure recoverable).

1. A seeded mutation fuzzer over the bundled sample: each mutant applies one to three mutations (truncate, flip
   bytes, drop / duplicate / swap columns, shuffle the header, duplicate / delete rows, insert quotes, NULs, BOMs or
   CRs, re-encode to GBK or UTF-16, empty a file, replace it by random bytes, delete it), sometimes inside a zip
   that may itself be damaged, and goes through the real CLI, ``graphkit validate MUTANT --format json``. It must
   exit 0 (no errors) or 2 (errors, each a FILE:ROW:COLUMN line) — never 1, never a traceback.
   ``GRAPHKIT_FUZZ_CASES`` (default 60) and ``GRAPHKIT_FUZZ_SEED`` choose the mutants; a failing mutant is kept on
   disk (``GRAPHKIT_FUZZ_KEEP``, default the test's temporary folder) and the failure names its seed, so
   ``GRAPHKIT_FUZZ_SEED=<seed> GRAPHKIT_FUZZ_CASES=1 pytest tests/test_fuzz.py`` replays it.
2. Hypothesis properties: random bytes under every name a reader dispatches on, and random CSV text, give a
   validation report — never an exception.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.io.load import validate_dataset

SAMPLE = ROOT / "data" / "sample"
SEED = int(os.environ.get("GRAPHKIT_FUZZ_SEED", "7000"))
CASES = int(os.environ.get("GRAPHKIT_FUZZ_CASES", "60"))
SUBPROCESS_EVERY = 20  # every 20th mutant also runs through a real `python -m graphkit` process
EXPORT_CASES = max(1, CASES // 4)  # mutants of each export format


# ---- the mutations: (rng, bytes) → bytes --------------------------------------------------------------------------

def _rows(data: bytes) -> list[list[str]]:
    csv.field_size_limit(max(csv.field_size_limit(), len(data) + 1))
    try:
        return list(csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline="")))
    except csv.Error:  # an earlier mutation made it unreadable as CSV: leave its columns alone
        return []


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def _columns(rng, data, how):
    rows = _rows(data)
    if not rows or not rows[0]:
        return data
    width = len(rows[0])
    i, j = rng.randrange(width), rng.randrange(width)
    if how == "shuffle_header":
        rng.shuffle(rows[0])
        return _csv(rows)
    for row in rows:
        if how == "drop_column" and i < len(row):
            del row[i]
        elif how == "duplicate_column" and i < len(row):
            row.insert(i, row[i])
        elif how == "swap_columns" and max(i, j) < len(row):
            row[i], row[j] = row[j], row[i]
    return _csv(rows)


def _lines(rng, data, how):
    lines = data.split(b"\n")
    if len(lines) < 3:
        return data
    for _ in range(rng.randint(1, 5)):
        k = rng.randrange(1, len(lines))
        if how == "duplicate_rows":
            lines.insert(rng.randrange(1, len(lines)), lines[k])
        else:
            del lines[k]
            if len(lines) < 3:
                break
    return b"\n".join(lines)


def _insert(rng, data, what: bytes):
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + what + data[at:]
    return data


def _flip(rng, data):
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


MUTATIONS = {
    "truncate": lambda rng, d: d[: rng.randrange(len(d) + 1)],
    "flip_bytes": _flip,
    "drop_column": lambda rng, d: _columns(rng, d, "drop_column"),
    "duplicate_column": lambda rng, d: _columns(rng, d, "duplicate_column"),
    "swap_columns": lambda rng, d: _columns(rng, d, "swap_columns"),
    "shuffle_header": lambda rng, d: _columns(rng, d, "shuffle_header"),
    "duplicate_rows": lambda rng, d: _lines(rng, d, "duplicate_rows"),
    "delete_rows": lambda rng, d: _lines(rng, d, "delete_rows"),
    "insert_quotes": lambda rng, d: _insert(rng, d, b'"'),
    "insert_nuls": lambda rng, d: _insert(rng, d, b"\x00"),
    "insert_boms": lambda rng, d: _insert(rng, d, "\ufeff".encode()),
    "insert_crs": lambda rng, d: _insert(rng, d, b"\r"),
    "to_gbk": lambda rng, d: d.decode("utf-8", "replace").encode("gbk", "replace"),
    "to_utf16": lambda rng, d: d.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"])),
    "empty_file": lambda rng, d: b"",
    "random_bytes": lambda rng, d: rng.randbytes(rng.randrange(4096)),
    "delete_file": None,  # handled by mutant(): the file disappears
}


def mutant(seed: int) -> tuple[dict[str, bytes], list[str], str]:
    """The mutant of the sample for ``seed``: its files, what was done, and its container ("folder" or "zip")."""
    rng = random.Random(seed)
    files = {p.name: p.read_bytes() for p in sorted(SAMPLE.glob("*.csv"))}
    done = []
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(sorted(files))
        how = rng.choice(sorted(MUTATIONS))
        done.append(f"{how} {name}")
        if how == "delete_file":
            del files[name]
            if not files:
                break
        else:
            files[name] = MUTATIONS[how](rng, files[name])
    container = "zip" if rng.random() < 0.2 else "folder"
    return files, done, container


def write_mutant(seed: int, folder: Path) -> tuple[Path, list[str]]:
    files, done, container = mutant(seed)
    folder.mkdir(parents=True)
    if container == "folder":
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return folder, done
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"dataset/{name}", data)
    data = buf.getvalue()
    rng = random.Random(-seed)
    if rng.random() < 0.5:  # damage the archive itself half of the time
        data = _flip(rng, data) if rng.random() < 0.7 else data[: rng.randrange(len(data))]
        done.append("damaged zip")
    path = folder / "mutant.zip"
    path.write_bytes(data)
    return path, done + ["as zip"]


# ---- the fuzzer ---------------------------------------------------------------------------------------------------

def _check_output(exit_code: int, stdout: str, stderr: str) -> list[str]:
    """What is wrong with one `graphkit validate --format json` run (empty when it behaved)."""
    wrong = []
    if exit_code not in (0, 2):
        wrong.append(f"exit code {exit_code}")
    if "Traceback" in stderr or "internal error" in stderr:
        wrong.append("a traceback or internal error on stderr")
    try:
        out = json.loads(stdout)
    except ValueError:
        return wrong + [f"stdout is not JSON: {stdout[:200]!r}"]
    if (exit_code == 0) != (out["errors"] == []):
        wrong.append("exit code and errors disagree")
    for p in out["problems"]:
        if not (p["file"] and p["row"] >= 1 and p["column"] and p["message"].strip()):
            wrong.append(f"a problem without FILE:ROW:COLUMN and a message: {p}")
        if p["text"] != f"{p['file']}:{p['row']}:{p['column']}: {p['message']}":
            wrong.append(f"a problem line that does not say FILE:ROW:COLUMN: {p['text']!r}")
    return wrong


@pytest.fixture(scope="module")
def keep(tmp_path_factory) -> Path:
    return Path(os.environ.get("GRAPHKIT_FUZZ_KEEP") or tmp_path_factory.mktemp("fuzz-failures"))


@pytest.mark.parametrize("seed", range(SEED, SEED + CASES), ids=lambda s: f"seed={s}")
def test_mutant_of_the_sample(seed, tmp_path, keep):
    source, done = write_mutant(seed, tmp_path / f"mutant-{seed}")
    if (seed - SEED) % SUBPROCESS_EVERY == 0:
        proc = subprocess.run([sys.executable, "-m", "graphkit", "validate", str(source), "--format", "json", "--lang", "en"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        exit_code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    else:
        r = run_cli("validate", source, "--format", "json", "--lang", "en")
        exit_code, stdout, stderr = r.exit_code, r.stdout, r.stderr
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            stderr += f"\nTraceback: {type(r.exception).__name__}: {r.exception}"
    wrong = _check_output(exit_code, stdout, stderr)
    if wrong:
        kept = keep / source.parent.name
        shutil.copytree(source.parent, kept, dirs_exist_ok=True)
        pytest.fail(f"mutant seed {seed} ({'; '.join(done)}), kept in {kept}: {'; '.join(wrong)}\n"
                    f"replay: GRAPHKIT_FUZZ_SEED={seed} GRAPHKIT_FUZZ_CASES=1 pytest tests/test_fuzz.py\n{stderr[-2000:]}")


def test_mutants_are_reproducible_and_varied():
    """The same seed gives the same mutant; the default run covers every mutation and both containers."""
    assert mutant(SEED) == mutant(SEED)
    seen = {how.split()[0] for s in range(7000, 7060) for how in mutant(s)[1]}
    assert seen == set(MUTATIONS)
    assert {mutant(s)[2] for s in range(7000, 7060)} == {"folder", "zip"}


# ---- hypothesis: the loaders return a report for anything ---------------------------------------------------------

SMALL_CENTERS = "center_id,name,level,field_id,province\nC1,中心一,provincial,F03,辽宁\n"
SMALL_ORGS = "org_id,name,kind\nO1,公司一,enterprise\n"
NAMES = ["upload.zip", "upload.xlsx", "upload.ttl", "upload.jsonld", "centers.csv", "upload.bin", "upload"]


def _report_is_sound(report) -> None:
    assert report.ok == (report.dataset is not None)
    for p in report.problems.items:
        assert p.row >= 1 and p.file and p.column
        assert p.message("en") and p.message("zh")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), name=st.sampled_from(NAMES))
def test_random_bytes_under_any_name_give_a_report(data, name):
    _report_is_sound(validate_dataset(data, name=name))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe",
                                                               b"org_id,name,kind\n"]))
def test_random_bytes_as_a_csv_file_give_a_report(tmp_path_factory, data, prefix):
    folder = write_dataset(tmp_path_factory.mktemp("bytes"), centers=SMALL_CENTERS, organizations=prefix + data)
    _report_is_sound(validate_dataset(folder))


CSV_ALPHABET = st.sampled_from(list('abcO1,,,"""\n\n\r\t |;=+-@\'\\') + ["\ufeff", "\x00", "\u202e", "中", "，", "０", "\U0001f600"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.text(CSV_ALPHABET, max_size=400), header=st.sampled_from(["org_id,name,kind\n", "org_id,name,kind,aliases\n",
                                                                           "", "org_id,org_id,name\n", '"org_id",name\n']))
def test_random_csv_text_gives_a_report(tmp_path_factory, header, body):
    folder = write_dataset(tmp_path_factory.mktemp("text"), centers=SMALL_CENTERS,
                           organizations=(header + body).encode("utf-8"),
                           alliance_members=("center_id,member_id\nC1,O1\n" + body).encode("utf-8"))
    _report_is_sound(validate_dataset(folder))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
                                         st.dates(), st.datetimes()), min_size=1, max_size=6), max_size=6))
def test_random_workbook_cells_give_a_report(cells):
    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = openpyxl.Workbook()
    book.active.title = "centers"
    book.active.append(["center_id", "name", "level", "field_id", "province", "founded", "employees"])
    orgs = book.create_sheet("organizations")
    orgs.append(["org_id", "name", "kind", "is_sme"])
    try:
        for row in cells:
            orgs.append(row)
            book.active.append(row)
        buf = io.BytesIO()
        book.save(buf)
    except (IllegalCharacterError, ValueError, TypeError):
        return  # openpyxl cannot write it: no workbook would hold it
    _report_is_sound(validate_dataset(buf.getvalue(), name="book.xlsx"))


# ---- the other doors: mutants of our own XLSX, Turtle and JSON-LD exports -----------------------------------------

@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, bytes]:
    from graphkit import load_dataset
    from graphkit.io.export import export_dataset

    ds = load_dataset(ROOT / "tests" / "fixtures" / "tiny_full")
    folder = tmp_path_factory.mktemp("exports")
    return {suffix: export_dataset(ds, to, folder / f"tiny.{suffix}").read_bytes()
            for to, suffix in (("xlsx", "xlsx"), ("turtle", "ttl"), ("jsonld", "jsonld"))}


@pytest.mark.parametrize("suffix", ["xlsx", "ttl", "jsonld"])
def test_mutants_of_exports_give_a_report(exports, suffix):
    text_mutations = ["truncate", "flip_bytes", "insert_quotes", "insert_nuls", "insert_boms", "delete_rows",
                      "duplicate_rows", "to_utf16"]
    for seed in range(SEED, SEED + EXPORT_CASES):
        rng = random.Random(seed)
        how = rng.choice(["truncate", "flip_bytes"] if suffix == "xlsx" else text_mutations)
        data = MUTATIONS[how](rng, exports[suffix])
        report = validate_dataset(data, name=f"mutant.{suffix}")
        _report_is_sound(report)


@pytest.mark.parametrize("name,data", [
    ("deep.jsonld", b"[" * 100_000 + b"]" * 100_000),
    ("deep.jsonld", b'{"@context": {"@vocab": "http://e/"}, "@graph": [' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"]}"),
    ("deep.ttl", b"@prefix ex: <http://e/> . ex:a ex:p " + b"(" * 50_000 + b")" * 50_000 + b" ."),
    ("deep.ttl", b"@prefix ex: <http://e/> . ex:a ex:p " + b"[ ex:q " * 20_000 + b"1" + b" ]" * 20_000 + b" ."),
], ids=["json-arrays", "jsonld-objects", "turtle-lists", "turtle-blank-nodes"])
def test_deeply_nested_documents_give_a_report(name, data):
    report = validate_dataset(data, name=name)
    assert not report.ok and report.problems.errors[0].code == "rdf_parse"
