"""What every page shares: its context (language, texts, data), the page registry, formatting and navigation.

Text from the data reaches the page only as plain text: through ``st.text``/dataframes, or through
:func:`md` (Markdown-escaped) — the app never asks Streamlit to render raw HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

import numpy as np
import streamlit as st

from app_pages import loading, text
from app_pages.state import K

__all__ = ["PAGES", "Ctx", "page", "md", "pct", "num", "upload_limit", "open_center", "open_field", "open_node", "names", "label_of"]

# key, file, icon, url path (stable across languages, so switching language keeps the page)
PAGES = [
    ("overview", "app_pages/overview.py", ":material/dashboard:", "overview"),
    ("center", "app_pages/center.py", ":material/apartment:", "center"),
    ("field", "app_pages/field.py", ":material/category:", "field"),
    ("explorer", "app_pages/explorer.py", ":material/hub:", "explorer"),
    ("whatif", "app_pages/whatif.py", ":material/science:", "whatif"),
    ("claims", "app_pages/claims.py", ":material/fact_check:", "claims"),
    ("data", "app_pages/data.py", ":material/database:", "data"),
]
PAGE_FILE = {key: path for key, path, _, _ in PAGES}


@dataclass
class Ctx:
    lang: str
    t: object  # t(key, **kw) -> str in the session's language
    data: loading.Data | None

    @property
    def ds(self):
        return self.data.dataset if self.data else None

    @property
    def token(self) -> str:
        return self.data.token

    def term(self, code) -> str:
        return text.term(code, self.lang)

    def country(self, code) -> str:
        """A country code in words (US → 美国)."""
        from graphkit.model.i18n import country_name

        return country_name(code, self.lang)


def lang() -> str:
    value = st.session_state.get(K.LANG)
    return value if value in text.LANGS else "zh"


_NOT_COUNTS = frozenset({"date", "row", "year", "path", "name", "who", "uri"})  # ints there are no quantities


def translate(key: str, lang: str = "zh", **kw) -> str:
    """``text.t`` with every value Markdown-escaped (the result may go to any element: most render Markdown), and
    counts with thousands separators (500,000)."""
    return text.t(key, lang, **{k: md(num(v) if k not in _NOT_COUNTS else v) for k, v in kw.items()})


def num(value):
    """A count with thousands separators ("500,000"); anything else unchanged."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return value
    return f"{int(value):,}"


def page(require_data: bool = True) -> Ctx:
    """The page's context. Without data to show, it explains why, and stops the page unless ``require_data`` is
    false (the data page, where the user can upload)."""
    current = lang()
    t = partial(translate, lang=current)
    data = loading.reviewed(loading.current())
    if data is None:
        st.error(t("data.no_default", path=str(loading.default_source())))
        if require_data:
            st.stop()
    return Ctx(current, t, data)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
#: Streamlit turns ``:material/NAME:``, ``:smile:`` and ``:red[…]`` into icons, emoji and colours *after* Markdown
#: has removed backslash escapes (and rewrites ``:material/`` in the raw source first), so an escaped colon is not
#: enough: a WORD JOINER (U+2060, invisible, not a word character) after every colon breaks each of those patterns.
_JOINER = "\u2060"


def md(value) -> str:
    r"""Text from the data made inert for anything Streamlit renders as Markdown (``st.markdown``, captions, labels of
    widgets, tabs, expanders and metrics): Markdown and HTML specials escaped, ``$`` (LaTeX) escaped, and
    Streamlit's own ``:icon:`` / ``:colour[…]`` markup broken by an invisible joiner after each colon.

    >>> ":material/" in md(":material/home:"), md("$x$ <b>")
    (False, '\\$x\\$ \\<b\\>')
    """
    return _MD_SPECIAL.sub(r"\\\1", str(value)).replace(":", ":" + _JOINER)


_SHOWN_MAX_MB = 500  # Streamlit shows its limit in decimal units rounded to whole ones: 512 MB reads "1GB"


def upload_limit(cap_mb: int = _SHOWN_MAX_MB) -> tuple[int, str]:
    """The app's upload limit, in whole MB for ``st.file_uploader(max_upload_size=…)`` and as text ("500 MB"):
    the library's (``GRAPHKIT_MAX_UPLOAD_BYTES``, checked again on every upload), at most ``cap_mb`` — above 500
    Streamlit's drop zone would print "1GB per file" beside our label."""
    from graphkit.settings import Settings

    mb = max(1, min(cap_mb, Settings().max_upload_bytes // 2**20))
    return mb, f"{mb} MB"


def pct(x, digits: int = 1) -> str:
    return "—" if x is None or x != x else f"{float(x) * 100:.{digits}f}%"


def names(ctx: Ctx, ids) -> list[str]:
    """The names of center, organisation or platform ids (dictionary lookups: no cache needed)."""
    from graphkit.present.views import names as _names

    return _names(ctx.ds, ids)


def label_of(ctx: Ctx, id_: str) -> str:
    """"name (id)" for a center, organisation or platform id."""
    name = names(ctx, (id_,))[0]
    return f"{name} ({id_})" if name != id_ else id_


def open_center(center_id: str) -> None:
    st.session_state[K.CENTER] = center_id
    st.switch_page(PAGE_FILE["center"])


def open_field(field_id: str) -> None:
    st.session_state[K.FIELD] = field_id
    st.switch_page(PAGE_FILE["field"])


def open_node(node_id: str) -> None:
    """Show a node's neighbourhood in the network explorer."""
    st.session_state[K.X_FOCUS] = node_id
    st.session_state[K.X_SELECTED] = node_id
    st.switch_page(PAGE_FILE["explorer"])
