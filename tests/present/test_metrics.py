"""graphkit.present.metrics: the values that size or colour a network's nodes (on the star dataset of
test_views)."""

import pytest
from test_views import star  # noqa: F401  (the fixture)

from graphkit.present.metrics import node_metric


def test_members_coverage_and_platforms(star):  # noqa: F811
    ids = ["C1", "C2", "U00", "E03", "N1", "P01", "agg:enterprise|江苏", "nope"]
    assert node_metric(star, ids, "members") == {"C1": 56.0, "C2": 15.0, "U00": 2.0, "E03": 2.0, "N1": 0.0,
                                                 "P01": 0.0}
    # C1 covers 10 of F03's 15 platforms (through U00..U09); C2 (F05) covers P16 through its member E03
    assert node_metric(star, ids, "coverage") == {"C1": 10 / 15, "C2": 1.0}
    assert node_metric(star, ids, "platforms") == {"C1": 10.0, "C2": 1.0, "U00": 1.0, "E03": 1.0, "N1": 5.0}
    with pytest.raises(ValueError, match="metric must be one of"):
        node_metric(star, ids, "degree")
