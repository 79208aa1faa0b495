"""The rules file: rules.toml (what ``graphkit rules`` prints) and the code's defaults are one source."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from graphkit.rules.thresholds import RULES_HELP, Rules, default_rules_text, parse_as_of


def test_rules_toml_is_the_code_defaults():
    assert Rules.from_toml_text(default_rules_text()) == Rules()


def test_every_setting_is_in_rules_toml_with_help():
    text = default_rules_text()
    names = [f.name for f in dataclasses.fields(Rules)]
    for name in names:
        assert f"\n{name} = " in "\n" + text, name
    assert sorted(RULES_HELP) == sorted(names)


@pytest.mark.parametrize("text, day", [("2024-12", "2024-12-31"), ("2023-02", "2023-02-28"), ("2024", "2024-12-31"),
                                       ("2024-06-30", "2024-06-30"), ("2024-11", "2024-11-30")])
def test_parse_as_of_partial_dates(text, day):
    assert parse_as_of(text).isoformat() == day


def test_tests_do_not_depend_on_the_working_directory(tmp_path):
    """The coverage doctest (it reads tests/fixtures/tiny) and a test reading the sample pass when pytest starts elsewhere."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
                        str(ROOT / "graphkit" / "queries" / "coverage.py"),
                        str(ROOT / "tests" / "queries" / "test_coverage.py") + "::test_hits_by_binary_search_equal_the_mask"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
