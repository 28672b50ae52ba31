"""Every source can be found again: an https url, or a document number with its issuing body."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from lessons import ContentError, load_content
from lessons.loader import CONTENT_DIR
from lessons.schema import Source
from scenarios.loader import SCENARIO_DIR, load_scenarios
from tests.content_copy import copy_tree, edit

LESSON = "an_toan/01_ma_otp.yaml"
SCENARIO = "lua_dao/05_bhxh_luong_huu_gia.yaml"
MESSAGE = "nguồn phải có đường dẫn https (url) hoặc số hiệu văn bản"


@pytest.mark.parametrize(
    "document",
    [
        "Quyết định 2345/QĐ-NHNN ngày 18/12/2023 về xác thực khuôn mặt",
        "Công văn 168/BHXH-QLT ngày 26/3/2025 về cấp thẻ BHYT",
        "Nghị định 69/2024/NĐ-CP ngày 25/6/2024 về định danh và xác thực điện tử",
        "Luật Bảo vệ quyền lợi người tiêu dùng số 19/2023/QH15",
        "Quyết định 379/QĐ-TTg ngày 20/02/2025",
        "Công văn 557/BKHCN-CĐSQG ngày 31/3/2025",
    ],
)
def test_a_numbered_document_needs_no_url(document):
    assert Source(issuer="Cơ quan ban hành", document=document).url is None


@pytest.mark.parametrize(
    "document",
    [
        "Cảnh báo tháng 5/2022 về lừa đảo tuyển cộng tác viên",
        "Cảnh báo ngày 16/6/2025 – không cung cấp mã OTP",
        "Tổng đài 1900 9068 (1.000 đồng/phút)",
    ],
)
def test_a_warning_cited_by_body_and_date_only_is_rejected(document):
    with pytest.raises(ValidationError, match=re.escape(MESSAGE)):
        Source(issuer="Công an tỉnh", document=document)
    with_url = Source(issuer="Công an tỉnh", document=document, url="https://example.vn/canh-bao")
    assert with_url.url.startswith("https://")


def test_a_plain_http_url_is_still_rejected():
    with pytest.raises(ValidationError):
        Source(issuer="Công an tỉnh", document="Cảnh báo tháng 5/2022", url="http://example.vn")


def test_shipped_sources_are_all_findable():
    content = load_content()
    scenarios = load_scenarios()
    sources = [s for lesson in content.lessons.values() for s in lesson.sources]
    sources += [s for sc in scenarios.by_id.values() for s in sc.sources]
    assert len(sources) > 300
    by_number = [s for s in sources if s.url is None]
    assert by_number, "numbered documents without a page are still allowed"


def test_loader_names_the_file_and_source_without_url_or_number(tmp_path):
    tree = copy_tree(CONTENT_DIR, tmp_path / "lessons")

    def strip(d):
        d["sources"][0].pop("url", None)
        d["sources"][0]["document"] = "Cảnh báo tháng 6/2025 về giả danh công an"

    edit(tree, LESSON, strip)
    with pytest.raises(ContentError) as exc:
        load_content(tree)
    issues = [str(i) for i in exc.value.issues]
    assert any(i.startswith(f"lessons/{LESSON}: sources.0") and MESSAGE in i for i in issues), (
        issues
    )


def test_scenario_sources_follow_the_same_rule(tmp_path):
    tree: Path = copy_tree(SCENARIO_DIR, tmp_path / "scenarios")
    edit(tree, SCENARIO, lambda d: d["sources"][2].pop("url"))
    with pytest.raises(ContentError) as exc:
        load_scenarios(tree)
    issues = [str(i) for i in exc.value.issues]
    assert any(f"scenarios/{SCENARIO}: sources.2" in i and MESSAGE in i for i in issues), issues
