"""One exception tree for graphkit: every error a user can meet says what, where and what to do."""

from __future__ import annotations

import re as _re
from urllib.parse import quote as _quote

__all__ = [
    "GraphkitError",
    "InvalidDatasetError",
    "RulesError",
    "UnknownIdError",
    "EngineError",
    "ServerError",
    "LimitExceededError",
    "ReportFormatError",
    "SettingsError",
    "BoltUriError",
    "OutputError",
    "redact",
]

#: ``scheme://user:password@`` (or ``user@``) in any URI inside a text.
_USERINFO = _re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/@'\"<>]*@")


def redact(text, *secrets) -> str:
    """``text`` with the ``user:password@`` part of every URI removed and every one of ``secrets`` (as written and
    URL-encoded) replaced by ``***``: what an exception says is scrubbed before anyone is shown it.

    >>> redact("cannot open 'bolt://neo4j:s3cret@db:7687' (s3cret)", "s3cret")
    "cannot open 'bolt://db:7687' (***)"
    """
    text = _USERINFO.sub(r"\1", str(text))
    for secret in secrets:
        if secret and len(str(secret)) >= 2:  # a one-character "password" would blank every such character
            for form in {str(secret), _quote(str(secret), safe="")}:
                text = text.replace(form, "***")
    return text


class GraphkitError(Exception):
    """Base class of every error graphkit raises on purpose."""

    exit_code = 1


class InvalidDatasetError(GraphkitError):
    """The dataset failed validation: nothing was loaded.

    ``problems`` is the :class:`graphkit.model.validate.Problems` report with every error and warning.
    """

    exit_code = 2

    def __init__(self, problems, lang: str = "zh"):
        self.problems = problems
        lines = problems.format_errors(lang)
        head = f"{len(lines)} error(s) in the dataset" if lang == "en" else f"数据集有 {len(lines)} 处错误"
        super().__init__(head + (":\n" + "\n".join(lines[:20]) if lines else ""))


class RulesError(GraphkitError):
    """The rules file is invalid (unknown setting, wrong type, out of range)."""

    exit_code = 2


class UnknownIdError(GraphkitError, KeyError):
    """A center, organisation, platform or field id that the dataset does not hold."""

    exit_code = 2
    _KINDS_ZH = {"center": "创新中心", "field": "领域", "org": "机构", "organisation": "机构", "platform": "平台",
                 "organisation or platform": "机构或平台", "": ""}

    def __str__(self):  # KeyError would repr() the message
        return self.args[0] if self.args else ""

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang`` (raised as "unknown <kind> id <value>")."""
        import re

        text = str(self)
        m = re.fullmatch(r"unknown ((?:[a-z]+(?: or [a-z]+)?)?) ?id (.*)", text, re.S)
        if lang != "zh" or not m:
            return text
        kind = self._KINDS_ZH.get(m.group(1), m.group(1))
        return f"不存在的{kind}编号 {m.group(2)}"


class LimitExceededError(GraphkitError):
    """An input exceeds a configured limit (upload size, rows, cell length)."""

    exit_code = 2


class EngineError(GraphkitError):
    """A query cannot run on the chosen engine."""


class ServerError(EngineError):
    """The graph server (Neo4j / Bolt) is unreachable or failed; the message says how to retry.

    Exit code 2, like invalid input: the URI, credentials, database or server the user named is what to fix."""

    exit_code = 2


class ReportFormatError(GraphkitError, ValueError):
    """A report was asked for in a format graphkit does not write (only .html and .md)."""

    exit_code = 2


class SettingsError(GraphkitError):
    """A setting (a ``GRAPHKIT_*`` environment variable) is not a whole number in its range."""

    exit_code = 2


class BoltUriError(ServerError):
    """A Bolt URI that cannot be used as written (a password in it, an unknown scheme): the user's to fix."""

    exit_code = 2


class OutputError(GraphkitError, OSError):
    """An output path that cannot be written (a file where a folder is needed, a read-only or full disk, a folder
    holding other files); the message names the target the user gave, never a temporary file."""

    exit_code = 2
