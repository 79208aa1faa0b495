"""Plain-text tables and numbers for a terminal: columns measured by display width (CJK characters take two
columns, wcwidth decides), numbers right-aligned with thousands separators, and no ambiguous-width characters.

>>> print(text_table([["C1", "机器人创新中心", 1200, "50.0%"], ["C22", "x", 7, "-"]], ["id", "名称", "平台", "覆盖率"]))
id   名称             平台  覆盖率
---  --------------  -----  ------
C1   机器人创新中心  1,200   50.0%
C22  x                   7       -
"""

from __future__ import annotations

from wcwidth import wcswidth

__all__ = ["display_width", "pad", "number", "percent", "text_table", "MISSING"]

#: what an empty cell shows: ASCII, so that no terminal draws it one or two columns wide at will
MISSING = "-"


def display_width(text) -> int:
    """Terminal columns ``text`` takes (a character wcwidth cannot measure counts as one)."""
    s = str(text)
    w = wcswidth(s)
    return w if w >= 0 else sum(max(wcswidth(ch), 1) for ch in s)


def pad(text, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns, on the left when ``right``."""
    s = str(text)
    fill = " " * max(0, width - display_width(s))
    return fill + s if right else s + fill


def number(n) -> str:
    """An integer with thousands separators (``12,345``); a float keeps two decimals at most."""
    if n is None:
        return MISSING
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.2f}".rstrip("0").rstrip(".")
    return f"{int(n):,}"


def percent(x) -> str:
    """A ratio as a percentage with one decimal, or :data:`MISSING` when undefined."""
    return MISSING if x is None else f"{x * 100:.1f}%"


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def text_table(rows: list[list], header: list[str], right: set[int] | None = None) -> str:
    """Rows under a header, columns two spaces apart; numeric cells (and the ``right`` columns, e.g. percentages)
    are right-aligned, numbers get thousands separators."""
    right = set(right or ())
    for i in range(len(header)):
        if rows and all(_is_number(r[i]) or r[i] in (None, MISSING) or str(r[i]).endswith("%") for r in rows):
            right.add(i)
    cells = [[number(v) if _is_number(v) else (MISSING if v is None else str(v)) for v in r] for r in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(pad(h, w, i in right) for i, (h, w) in enumerate(zip(header, widths))).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in cells:
        lines.append("  ".join(pad(v, w, i in right) for i, (v, w) in enumerate(zip(r, widths))).rstrip())
    return "\n".join(lines)
