"""graphkit app: `streamlit run app.py` (optionally `-- --data PATH`, or GRAPHKIT_DATA=PATH).

This file only sets the page up, draws the sidebar (language, the data in use) and hands over to the page the
user chose; each page lives in app_pages/, and every number comes from the graphkit library.
"""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # app_pages and app_components sit beside this file
    sys.path.insert(0, str(ROOT))

from app_pages import loading, text  # noqa: E402
from app_pages.common import PAGES, lang, translate  # noqa: E402
from app_pages.state import K, relabel  # noqa: E402


@st.cache_resource(show_spinner=False)
def _favicon():
    """Drawn here: a Material-icon favicon would be fetched from fonts.gstatic.com, and the app stays offline."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for x, y in ((14, 14), (50, 20), (22, 50), (48, 48)):
        draw.line((32, 32, x, y), fill=(120, 130, 150, 255), width=4)
        draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=(31, 119, 180, 255))
    draw.ellipse((20, 20, 44, 44), fill=(192, 57, 43, 255))
    return image


st.set_page_config(page_title="graphkit · 制造业创新中心", page_icon=_favicon(), layout="wide")

if st.session_state.get(K.LANG) not in text.LANGS:
    st.session_state[K.LANG] = "zh"
with st.sidebar:
    st.segmented_control("语言 / Language", text.LANGS, key=K.LANG, format_func=lambda c: text.LANG_NAMES[c],
                         required=True, on_change=relabel)
current = lang()


def t(key: str, **kw) -> str:
    return translate(key, current, **kw)


pages = [st.Page(path, title=t(f"nav.{key}"), icon=icon, url_path=url, default=(key == "overview"))
         for key, path, icon, url in PAGES]
navigation = st.navigation(pages)

# A first load of a large dataset takes a while: a progress bar with its stage, in the page (not a blank page).
slot = st.empty()


def _progress(stage: str, fraction: float) -> None:
    slot.progress(min(1.0, max(0.0, fraction)), text=t(f"data.stage_{stage}", name=loading.default_source().name))


data = loading.current(_progress)
slot.empty()
with st.sidebar:
    if data is not None:
        counts = data.dataset.counts()
        st.caption(t("data.in_use", name=Path(data.name).name if not data.uploaded else data.name))
        st.caption(t("data.counts", centers=counts["centers"], orgs=counts["organizations"],
                     platforms=counts["platforms"]))
        if data.dataset.is_synthetic:
            st.caption(t("prov.sidebar"))
    st.caption(t("app.offline"))

navigation.run()
