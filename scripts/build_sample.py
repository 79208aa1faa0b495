#!/usr/bin/env python
"""Rewrite the bundled sample (data/sample) from data/realdata and the seeded design in graphkit.data.sample.

Usage: python scripts/build_sample.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from graphkit.data.sample import SAMPLE_DIR, build_sample


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else SAMPLE_DIR
    counts = build_sample(out)
    print(f"{out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
