"""The settings registry (graphkit.settings): every setting has help text in both languages and is documented in
docs/settings.md with its environment variable and default, and a value out of range is refused."""

from __future__ import annotations

from dataclasses import fields

import pytest
from conftest import ROOT

from graphkit.errors import SettingsError
from graphkit.settings import SETTINGS_HELP, Settings, get_settings

DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_every_setting_has_help_and_is_documented(name):
    zh, en = SETTINGS_HELP[name]
    assert zh.strip() and en.strip()
    default = next(f.default for f in fields(Settings) if f.name == name)
    assert f"| `{name}` | `GRAPHKIT_{name.upper()}` | {default:,} | {en} | {zh} |" in DOC


def test_no_help_without_a_setting():
    assert set(SETTINGS_HELP) == {f.name for f in fields(Settings)}


def test_environment_overrides_and_range(monkeypatch):
    monkeypatch.setenv("GRAPHKIT_MAX_COLUMNS", "12")
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "0")
    assert (get_settings().max_columns, get_settings().bolt_retries) == (12, 0)
    with pytest.raises(SettingsError, match=r"^the setting max_rows \(environment variable GRAPHKIT_MAX_ROWS\) must be "
                                            r"a whole number of at least 1, not -1 \(most data rows per table\)$"):
        Settings(max_rows=-1)
    with pytest.raises(SettingsError, match="at least 1, not 0"):
        get_settings().with_(max_line_bytes=0)
    assert SettingsError.exit_code == 2
    assert (Settings(snapshot=0).snapshot, Settings(bolt_transaction_timeout=0).bolt_transaction_timeout) == (0, 0)


def test_the_bolt_timeouts_have_sane_defaults_and_are_documented():
    s = get_settings()
    assert (s.bolt_connect_timeout, s.bolt_read_timeout, s.bolt_transaction_timeout) == (5, 300, 600)
    doc = (ROOT / "docs" / "neo4j.md").read_text(encoding="utf-8")
    for name, default in (("BOLT_CONNECT_TIMEOUT", 5), ("BOLT_READ_TIMEOUT", 300), ("BOLT_TRANSACTION_TIMEOUT", 600)):
        assert f"| `GRAPHKIT_{name}` | {default} |" in doc, name


def test_a_setting_from_the_environment(monkeypatch):
    monkeypatch.setenv("GRAPHKIT_BOLT_READ_TIMEOUT", "7")
    assert get_settings().bolt_read_timeout == 7
    monkeypatch.setenv("GRAPHKIT_BOLT_READ_TIMEOUT", "soon")
    with pytest.raises(SettingsError, match="GRAPHKIT_BOLT_READ_TIMEOUT must be a whole number, not 'soon'"):
        get_settings()
