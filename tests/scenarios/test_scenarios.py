from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from bot.content_check import check
from lessons import ContentError, load_content
from scenarios.loader import SCENARIO_DIR, load_scenarios
from scenarios.render import font_file, render
from scenarios.schema import SIGNS, Screen
from tests.content_copy import copy_tree, edit

EXAMPLE = "lua_dao/01_cong_an_goi_dien.yaml"


@pytest.fixture
def tree(tmp_path) -> Path:
    return copy_tree(SCENARIO_DIR, tmp_path / "scenarios")


def problems(root: Path) -> str:
    with pytest.raises(ContentError) as exc:
        load_scenarios(root, load_content().competency_area)
    return "\n".join(str(i) for i in exc.value.issues)


def test_shipped_scenarios_load_and_pass_the_checks():
    scenarios = load_scenarios(None, load_content().competency_area)
    assert scenarios.by_id
    report = check()
    assert report.issues == []
    assert report.scenarios is not None


def test_dead_end_unknown_target_and_unreachable_step(tree):
    def change(d):
        d["steps"]["lac_loi"] = {"text": "Bước không ai tới", "end": "bad"}
        d["steps"]["goi_den"]["choices"][0]["next"] = "khong_co"

    edit(tree, EXAMPLE, change)
    found = problems(tree)
    assert "lua_dao/01_cong_an_goi_dien.yaml" in found and "không có bước 'khong_co'" in found

    edit(tree, EXAMPLE, lambda d: d["steps"]["goi_den"]["choices"][0].update(next="xung_cong_an"))
    assert "bước 'lac_loi' không thể tới được" in problems(tree)

    def loop(d):
        del d["steps"]["lac_loi"]
        d["steps"]["doi_tien"]["choices"] = [
            {**c, "next": "xung_cong_an"} for c in d["steps"]["doi_tien"]["choices"]
        ]
        d["steps"]["xung_cong_an"]["choices"][1]["next"] = "doi_tien"
        d["steps"]["goi_den"]["choices"][1]["next"] = "xung_cong_an"

    edit(tree, EXAMPLE, loop)
    assert "không đi tới kết thúc nào" in problems(tree)


def test_a_step_with_one_choice_and_a_wrong_competency_are_rejected(tree):
    def change(d):
        d["steps"]["goi_den"]["choices"] = d["steps"]["goi_den"]["choices"][:1]
        d["competencies"] = ["tt.vietqr"]

    edit(tree, EXAMPLE, change)
    found = problems(tree)
    assert "steps.goi_den" in found and "2 đến 4 lựa chọn" in found


def test_unsafe_scam_choice_must_name_its_signs(tree):
    edit(tree, EXAMPLE, lambda d: d["steps"]["doi_tien"]["choices"][0].update(signs=[]))
    report = check(None, tree)
    assert any("doi_tien.choices.0.signs" in str(i) for i in report.issues)


def test_every_picture_is_drawn_with_a_font_that_has_every_letter(tmp_path):
    cmap = TTFont(font_file()).getBestCmap()
    bold = TTFont(font_file(bold=True)).getBestCmap()
    screens = [
        st.screen for sc in load_scenarios().by_id.values() for st in sc.steps.values() if st.screen
    ]
    assert screens
    for screen in screens:
        for ch in screen.title + "".join(screen.lines):
            assert ord(ch) in cmap and ord(ch) in bold, (ch, screen.title)
        path = render(screen, tmp_path)
        with Image.open(path) as img:
            assert img.format == "PNG" and img.width == 720 and 480 <= img.height <= 1080
    assert all(ord(ch) in cmap for ch in "ăâđêôơưÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬỀẾỂỄỆỒỐỔỖỘỜỚỞỠỢỪỨỬỮỰỲÝỶỸỴ")


def test_rendering_is_cached_by_content(tmp_path):
    s = Screen(kind="sms", title="NGANHANG", lines=["Tài khoản của quý khách bị khóa"])
    first = render(s, tmp_path)
    mtime = first.stat().st_mtime_ns
    assert render(s, tmp_path) == first and first.stat().st_mtime_ns == mtime
    other = render(Screen(kind="sms", title="NGANHANG", lines=["khác"]), tmp_path)
    assert other != first


def test_sign_vocabulary_is_vietnamese():
    assert all(name and name == name.strip() for name in SIGNS.values())


def test_safety_rules_an_unsafe_choice_never_ends_well_and_a_risky_one_is_never_safe(tree):
    """Issue 9, section 4: what a rule can enforce."""

    def change(d):
        d["steps"]["xung_cong_an"]["choices"].append(  # unsafe, straight to the good ending
            {
                "text": "Làm theo trước, hỏi con sau",
                "next": "ket_tot",
                "safe": False,
                "signs": ["giuc_gap"],
                "feedback": "Chưa đúng ạ. Làm theo người lạ là mất tiền.",
            }
        )
        safe = d["steps"]["goi_den"]["choices"][0]
        safe["text"] = "Quét thử mã cho biết"  # risky in real life, marked safe
        d["steps"]["doi_tien"]["choices"][0].update(
            text="Chuyển tiền cho xong", feedback="Không sao ạ, lần sau cẩn thận hơn."
        )

    edit(tree, EXAMPLE, change)
    found = [str(i) for i in check(None, tree).issues]
    assert any("xung_cong_an.choices.2.next" in i and "kết thúc tốt" in i for i in found)
    assert any("goi_den.choices.0.safe" in i for i in found)
    assert any("doi_tien.choices.0.feedback" in i and "Không sao" in i for i in found)
