"""Validation problems: every error and warning with its FILE:ROW:COLUMN, rendered in Chinese or English.

>>> p = Problems()
>>> p.error("centers.csv", 3, "rd_staff", "rd_staff_gt", rd_staff=60, employees=50)
>>> p.format_errors("en")
['centers.csv:3:rd_staff: rd_staff 60 exceeds employees 50']
>>> p.format_errors("zh")
['centers.csv:3:rd_staff: 研发人员 60 多于职工总数 50']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphkit.model.i18n import msg

__all__ = ["Problem", "Problems"]


@dataclass(frozen=True)
class Problem:
    """One problem at FILE:ROW:COLUMN. ``column`` is the column name, or ``*`` for the whole row or file."""

    severity: str  # error | warning
    file: str
    row: int
    column: str
    code: str
    params: tuple = ()

    def message(self, lang: str = "zh") -> str:
        return msg(self.code, lang, **dict(self.params))

    def format(self, lang: str = "zh") -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message(lang)}"

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message(lang),
            "text": self.format(lang),
        }


@dataclass
class Problems:
    """All problems found in one dataset, in the order found (sorted for display)."""

    items: list[Problem] = field(default_factory=list)

    def _add(self, severity, file, row, column, code, params, /):
        self.items.append(Problem(severity, file, int(row), str(column), code, tuple(sorted(params.items()))))

    def error(self, file: str, row: int, column: str, code: str, /, **params) -> None:
        self._add("error", file, row, column, code, params)

    def warning(self, file: str, row: int, column: str, code: str, /, **params) -> None:
        self._add("warning", file, row, column, code, params)

    @property
    def errors(self) -> list[Problem]:
        return self._sorted("error")

    @property
    def warnings(self) -> list[Problem]:
        return self._sorted("warning")

    def _sorted(self, severity):
        # stable: by file order of first appearance, then row, then column order of appearance
        chosen = [p for p in self.items if p.severity == severity]
        first_file = {}
        for p in chosen:
            first_file.setdefault(p.file, len(first_file))
        return sorted(chosen, key=lambda p: (first_file[p.file], p.row))

    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.items)

    def has_errors_for(self, file: str) -> bool:
        return any(p.severity == "error" and p.file == file for p in self.items)

    def has_warning_for(self, file: str, code: str) -> bool:
        return any(p.severity == "warning" and p.file == file and p.code == code for p in self.items)

    def format_errors(self, lang: str = "zh") -> list[str]:
        return [p.format(lang) for p in self.errors]

    def format_warnings(self, lang: str = "zh") -> list[str]:
        return [p.format(lang) for p in self.warnings]

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)
