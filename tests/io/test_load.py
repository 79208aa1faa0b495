"""graphkit.io.load: the progress a load reports, stage by stage (the app's progress bar at L)."""

from conftest import write_dataset

from graphkit.io.load import STAGES, load_dataset, validate_dataset


def test_progress_reports_every_stage_in_order(tmp_path):
    folder = write_dataset(tmp_path / "ok", centers=[{"center_id": "C1", "name": "甲中心", "level": "provincial",
                                                      "field_id": "F03", "province": "辽宁"}],
                           organizations=[{"org_id": "E1", "name": "企业", "kind": "enterprise"}])
    heard = []
    ds = load_dataset(folder, progress=lambda stage, fraction: heard.append((stage, fraction)))
    assert heard == [("reading", 0.0), ("validating", 0.4), ("indexing", 0.7), ("done", 1.0)]
    assert [s for s, _ in heard] == list(STAGES) and ds.counts()["centers"] == 1
    assert load_dataset(folder).counts()["centers"] == 1  # progress stays optional


def test_progress_of_an_invalid_dataset_ends_without_indexing(tmp_path):
    folder = write_dataset(tmp_path / "bad", centers=[{"center_id": "C1", "name": "甲中心", "level": "nope",
                                                       "field_id": "F03", "province": "辽宁"}],
                           organizations=[{"org_id": "E1", "name": "企业", "kind": "enterprise"}])
    heard = []
    report = validate_dataset(folder, progress=lambda stage, fraction: heard.append(stage))
    assert report.dataset is None and heard == ["reading", "validating", "done"]
