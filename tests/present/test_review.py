"""graphkit.present.review: decisions applied to a copy of the dataset, exported (neutralised) and read back, and
every problem of an uploaded assessments table reported at once."""

import pytest
from conftest import make_dataset

from graphkit.checks.conditions import check
from graphkit.present import review

AS_OF = "2026-12-01"


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("review"),
        centers=[{"center_id": "C1", "name": "甲中心", "level": "provincial", "field_id": "F03", "province": "辽宁"},
                 {"center_id": "C2", "name": "乙中心", "level": "provincial", "field_id": "F05", "province": "江苏"}],
        organizations=[{"org_id": "E1", "name": "企业", "kind": "enterprise", "province": "辽宁"}],
        assessments=[{"center_id": "C2", "check_id": "3", "status": "met", "assessor": "王五", "date": "2026-01-05"}])


def status(ds, center, check_id):
    return next(c for c in check(ds, center, as_of=AS_OF)[0].checks if c.id == check_id)


def test_a_decision_decides_an_attested_check_on_a_copy(two):
    rows = [{"center_id": "C1", "check_id": "2", "status": "not_met", "assessor": "张三", "date": "2026-11-02",
             "note": "需求论证不足", "evidence": "会议纪要"}]
    copy = review.with_assessments(two, rows)
    decided = status(copy, "C1", "2")
    assert (decided.status, decided.assessment["assessor"], decided.assessment["note"]) == ("not_met", "张三", "需求论证不足")
    assert status(two, "C1", "2").status == "needs_review"  # the loaded dataset is unchanged
    assert review.reviewable_checks(check(two, "C1", as_of=AS_OF)[0]) == ["2", "3", "5.2", "10.1"]
    # a session decision replaces the dataset's assessment of the same check
    over = review.with_assessments(two, [{"center_id": "C2", "check_id": "3", "status": "not_met", "assessor": "李四",
                                          "date": "2025-12-01"}])
    assert (status(over, "C2", "3").status, status(over, "C2", "3").assessment["assessor"]) == ("not_met", "李四")
    assert len(over.frames["assessments"]) == 1
    assert review.with_assessments(two, []) is two


def test_export_neutralises_and_reads_back(two):
    rows = [{"center_id": "C1", "check_id": "5.2", "status": "met", "assessor": "=HYPERLINK(\"x\")", "date": "2026-11-02",
             "note": "+1 制度齐全", "evidence": None}]
    data = review.assessments_csv_bytes(rows)
    assert data.decode("utf-8-sig").splitlines() == [
        "center_id,check_id,status,assessor,date,note,evidence",
        "C1,5.2,met,\"'=HYPERLINK(\"\"x\"\")\",2026-11-02,'+1 制度齐全,"]
    back, problems = review.read_assessments(data, "assessments.csv", two)
    assert problems.items == [] and back == [{**rows[0], "evidence": None}]
    xlsx, problems = review.read_assessments(review.assessments_xlsx_bytes(rows), "assessments.xlsx", two)
    assert problems.items == [] and xlsx == back


def test_every_problem_at_once(two):
    data = "center_id,check_id,status,date\nC9,99,ok,2026-13-01\nC1,4.3,met,\n,2,not_met,2026\n".encode()
    rows, problems = review.read_assessments(data, "assessments.csv", two)
    assert rows == []
    assert problems.format_errors("zh") == [
        "assessments.csv:2:center_id: 引用了不存在的创新中心编号 C9",
        "assessments.csv:2:check_id: 99 不是条件编号；可用：1, 2, 3, 4.1, 4.2, 4.3, 5.1, 5.2, 6.1, 6.2, 7.1, 7.2, 7.3, "
        "8.1, 8.2, 9.1, 9.2, 10.1, 10.2, 11, 12",
        "assessments.csv:2:status: 取值 ok 无效，应为：met / not_met",
        "assessments.csv:2:date: 2026-13-01 不是日期（应为 YYYY、YYYY-MM 或 YYYY-MM-DD）",
        "assessments.csv:4:center_id: 必填项为空"]
    _, missing = review.read_assessments(b"center_id,status\nC1,met\n", "a.csv", two)
    assert missing.format_errors("en") == ["a.csv:1:check_id: required column check_id is missing"]
