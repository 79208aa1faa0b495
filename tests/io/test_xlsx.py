"""The XLSX door (graphkit.io.xlsx) against damaged and lying workbooks: every row is read whatever the sheet's
<dimension> says, and no mutation of a sheet's XML escapes as an internal error (exit 0 or 2, located)."""

from __future__ import annotations

import importlib.util
import random
import re

import pytest
from conftest import DATA, run_cli

_spec = importlib.util.spec_from_file_location("xlsx_build", DATA / "invalid_xlsx" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


@pytest.mark.parametrize("dimension", ["A1:B1", "A1", "A1:D2", "A1:Z9999"])
def test_every_row_is_read_whatever_the_dimension_says(tmp_path, dimension):
    path = tmp_path / "book.xlsx"
    path.write_bytes(build._patched(build.base(), build.MEMBERS_XML, '<dimension ref="A1:D4"/>',
                                    f'<dimension ref="{dimension}"/>'))
    r = run_cli("validate", path, "--format", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert r.json()["counts"]["alliance_members"] == 3
    assert r.json()["errors"] == []


def test_a_row_hidden_past_the_dimension_is_still_validated(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(build.dimension_smaller_than_the_sheet())
    r = run_cli("validate", path, "--format", "json", "--lang", "en")
    assert r.exit_code == 2
    assert r.json()["errors"] == ["book.xlsx[alliance_members]:4:member_id: unknown organisation/platform id O9"]


_LOCATED = re.compile(r"^book\.xlsx(\[[a-z_]+\])?:\d+:[^:]+: ")


def _mutations(xml: str, rng: random.Random, n: int):
    """``n`` damaged copies of ``xml``: a byte deleted, duplicated or replaced by an XML-significant character,
    a value or attribute mangled, or the document cut short."""
    specials = ['&', '<', '>', '"', "'", '=', '/', 'x', '9', '-', 'E', ' ']
    for _ in range(n):
        text, how = list(xml), rng.randrange(5)
        at = rng.randrange(len(text))
        if how == 0:
            del text[at]
        elif how == 1:
            text.insert(at, text[at])
        elif how == 2:
            text[at] = rng.choice(specials)
        elif how == 3:
            text = list(re.sub(r"<v>[^<]*</v>", lambda m: f"<v>{rng.choice(['x', '-', '1e999', '99999999999', ''])}</v>"
                               if rng.random() < 0.3 else m.group(0), xml))
        else:
            text = text[:at]
        yield "".join(text)


def test_a_hundred_mutated_workbooks_are_each_valid_or_a_located_error(tmp_path):
    rng = random.Random(16)
    book = build.to_bytes(build.workbook(build.base()))
    bombs = build._bombs()
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        parts = {name: zf.read(name).decode("utf-8") for name in
                 (build.CENTERS_XML, build.ORGS_XML, build.MEMBERS_XML, "xl/workbook.xml", "xl/styles.xml")}
    outcomes = {0: 0, 2: 0}
    for i in range(100):
        part = rng.choice(sorted(parts))
        damaged = next(_mutations(parts[part], rng, 1)).encode("utf-8")
        path = tmp_path / "book.xlsx"
        path.write_bytes(bombs.rewrite(book, lambda name, data: damaged if name == part else None))
        r = run_cli("validate", path, "--format", "json", "--lang", "en")
        assert r.exit_code in (0, 2), (i, part, r.stderr)
        assert "internal error" not in r.stderr and "Traceback" not in r.stderr
        out = r.json()
        assert (r.exit_code == 2) == bool(out["errors"])
        for line in out["errors"]:
            assert _LOCATED.match(line), line
        outcomes[r.exit_code] += 1
    assert outcomes[2] >= 20  # most mutations damage something that must be reported
