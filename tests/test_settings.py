"""Settings: every one has Chinese and English help and is documented where users look (graphkit.settings)."""

from __future__ import annotations

from dataclasses import fields

import pytest
from conftest import ROOT

from graphkit.errors import GraphkitError
from graphkit.settings import SETTINGS_HELP, Settings, get_settings


def test_every_setting_has_help_in_both_languages():
    names = [f.name for f in fields(Settings)]
    assert sorted(SETTINGS_HELP) == sorted(names)
    for name in names:
        zh, en = SETTINGS_HELP[name]
        assert zh.strip() and en.strip(), name


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
    with pytest.raises(GraphkitError, match="GRAPHKIT_BOLT_READ_TIMEOUT must be a whole number, not 'soon'"):
        get_settings()
