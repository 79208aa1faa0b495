"""The valid workbooks come from the same builder as the invalid ones: ../invalid_xlsx/build.py."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("xlsx_corpus_build", Path(__file__).parents[1] / "invalid_xlsx" / "build.py")
_builder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_builder)
build = _builder.build
