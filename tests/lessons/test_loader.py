from pathlib import Path

import pytest
import yaml

from bot.content_check import check
from lessons import ContentError, load_content
from lessons.loader import CONTENT_DIR, SAFE_LOADER
from tests.content_copy import copy_tree, edit

LESSON = "dich_vu_cong/01_vneid_la_gi.yaml"


@pytest.fixture
def tree(tmp_path) -> Path:
    return copy_tree(CONTENT_DIR, tmp_path / "lessons")


def issues_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as exc:
        load_content(root)
    return [str(i) for i in exc.value.issues]


def test_shipped_content_loads_and_passes_the_checks():
    content = load_content()
    assert len(content.lessons) >= 4
    report = check()
    assert report.issues == []


def test_unknown_field_is_rejected_with_file_and_field(tree):
    edit(tree, LESSON, lambda d: d["cards"][0].update(colour="red"))
    (issue,) = issues_of(tree)
    assert issue.startswith("lessons/dich_vu_cong/01_vneid_la_gi.yaml: cards.0.colour:")


def test_missing_feedback_and_two_correct_options(tree):
    def change(d):
        del d["questions"][0]["options"][1]["feedback"]
        wrong = next(o for o in d["questions"][1]["options"] if not o.get("correct"))
        wrong["correct"] = True

    edit(tree, LESSON, change)
    found = issues_of(tree)
    assert any("questions.0.options.1.feedback: thiếu trường bắt buộc" in i for i in found)
    assert any("questions.1" in i and "đúng một phương án đúng" in i for i in found)


def test_undeclared_competency_unknown_prerequisite_and_bad_placeholder(tree):
    def change(d):
        d["questions"][0]["competencies"] = ["dvc.khong_co"]
        d["requires"] = ["bai-khong-co"]

    edit(tree, LESSON, change)
    found = "\n".join(issues_of(tree))
    assert "questions.0.competencies.0: kỹ năng 'dvc.khong_co' chưa khai báo" in found
    assert "requires.0: không có bài 'bai-khong-co'" in found
    edit(tree, LESSON, lambda d: d["cards"][0].update(text="Chào {ba_con}"))
    found = issues_of(tree)
    assert any("cards.0.text" in i and "{ba_con}" in i for i in found)
    # a lesson that failed to load is not reported again as a missing prerequisite
    assert not any("không có bài" in i and "01_vneid" not in i for i in found)


def test_broken_yaml_and_non_nfc_text(tree):
    (tree / "mua_sam" / "99_hong.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    edit(tree, LESSON, lambda d: d.update(title="Ho\u0300a"))
    found = "\n".join(issues_of(tree))
    assert "lessons/mua_sam/99_hong.yaml" in found and "YAML" in found
    assert "title" in found and "NFC" in found


def test_a_guess_below_the_chance_rate_is_rejected(tree):
    """Pressing at random is right 1 time in n: a guess below 1/n would make luck look like
    skill. A lesson-wide guess must clear its questions with the fewest options."""
    data = yaml.safe_load((tree / LESSON).read_text(encoding="utf-8"))
    fewest = min(len(q["options"]) for q in data["questions"])
    edit(tree, LESSON, lambda d: d.update(bkt={"guess": 0.2}))
    assert any("bkt" in i and f"1/{fewest}" in i for i in issues_of(tree))
    edit(tree, LESSON, lambda d: d.update(bkt={}))
    edit(tree, LESSON, lambda d: d["questions"][0].update(guess=0.1))
    n = len(data["questions"][0]["options"])
    assert any("questions.0" in i and f"1/{n}" in i for i in issues_of(tree))
    edit(tree, LESSON, lambda d: d["questions"][0].update(guess=0.95))  # right is no evidence
    assert any("questions.0" in str(i) and "slip" in str(i) for i in check(tree).issues)


def test_at_most_one_option_is_pinned_last(tree):
    def pin_two(d):
        for o in d["questions"][0]["options"][:2]:
            o["pin_last"] = True

    edit(tree, LESSON, pin_two)
    assert any("pin_last" in i for i in issues_of(tree))


def test_prerequisite_cycle_is_rejected(tree):
    first = yaml.safe_load((tree / LESSON).read_text(encoding="utf-8"))["id"]
    second_path = sorted((tree / "dich_vu_cong").glob("0[2-9]*.yaml"))[0]
    second = yaml.safe_load(second_path.read_text(encoding="utf-8"))["id"]
    edit(tree, LESSON, lambda d: d.update(requires=[second]))
    edit(tree, str(second_path.relative_to(tree)), lambda d: d.update(requires=[first]))
    assert any("vòng tròn" in i for i in issues_of(tree))


def test_lint_reports_long_cards_links_and_too_few_questions(tree):
    def change(d):
        d["cards"][0]["text"] = "Chữ dài. " * 60
        d["cards"][1]["text"] = "Vào http://vneid-capnhat.top để cập nhật"

    edit(tree, LESSON, change)
    report = check(tree)
    found = "\n".join(str(i) for i in report.issues)
    assert "cards.0.text: dài" in found
    assert "vneid-capnhat.top" in found
    edit(
        tree,
        "dich_vu_cong/_area.yaml",
        lambda d: d["competencies"].append({"id": "dvc.moi", "name": "Kỹ năng mới"}),
    )
    report = check(tree)
    assert any("dvc.moi" in str(i) and "chỉ có 0 câu hỏi" in str(i) for i in report.issues)


def test_content_check_command_exit_codes(tree, capsys):
    from bot.__main__ import main

    assert main(["content", "check"]) == 0
    out = capsys.readouterr().out
    assert "Tổng" in out and "dvc.vneid_tai_khoan" in out
    edit(tree, LESSON, lambda d: d.update(colour=1))
    assert main(["content", "check", "--dir", str(tree)]) == 1
    assert "01_vneid_la_gi.yaml: colour" in capsys.readouterr().err


def test_position_bias_table_counts_keys_per_position(tree):
    from bot.content_check import position_counts, position_table

    content = load_content(tree)
    counts = position_counts(content)
    assert sum(sum(row) for row in counts.values()) == len(content.questions)
    assert all(len(row) == n for n, row in counts.items())
    assert "A / B" in position_table(content)


def test_a_dangerous_wrong_choice_is_not_answered_gently(tree):
    def change(d):
        q = d["questions"][0]
        wrong = next(o for o in q["options"] if not o.get("correct"))
        wrong["text"] = "Đọc mã OTP cho họ"
        wrong["feedback"] = "Không sao ạ, lần sau nhớ giữ kín."

    edit(tree, LESSON, change)
    found = [str(i) for i in check(tree).issues]
    assert any("questions.0.options" in i and "Không sao" in i for i in found)


def test_pressing_the_longest_option_scores_one_a_share_of_a_tie_or_nothing():
    from bot.content_check import longest_option_score
    from lessons.schema import Question

    def q(*texts: str, key: int) -> Question:
        options = [
            {"text": t, "feedback": "Ạ.", **({"correct": True} if i == key else {})}
            for i, t in enumerate(texts)
        ]
        return Question(id="q", competencies=["c"], text="Hỏi?", options=options)

    assert longest_option_score(q("Dài nhất đây", "Ngắn", "Vừa vừa", key=0)) == 1
    assert longest_option_score(q("Dài nhất đây", "Ngắn", "Vừa vừa", key=2)) == 0
    assert longest_option_score(q("Bằng nhau", "Bằng nhau", "Ngắn", key=1)) == 0.5
    assert longest_option_score(q("Ba bằng", "Ba bằng", "Ba bằng", key=0)) == 1 / 3


def test_a_competency_whose_keys_are_mostly_the_longest_option_is_rejected(tree):
    """Shuffling cannot hide length: within a competency, pressing the longest option may be
    right on at most MAX_LONGEST_KEY_SHARE of its questions."""
    from bot.content_check import MAX_LONGEST_KEY_SHARE, longest_key_by_competency

    shipped = longest_key_by_competency(load_content(tree))
    assert all(right / n <= MAX_LONGEST_KEY_SHARE for n, right in shipped.values())

    def key_is_the_longest(d):
        for q in d["questions"]:
            if "dvc.vneid_tai_khoan" in q["competencies"]:
                key = next(o for o in q["options"] if o.get("correct"))
                key["text"] = "Đáp án đúng, " + "dài hơn mọi phương án khác " * 3

    for path in sorted(tree.glob("dich_vu_cong/[0-9]*.yaml")):
        edit(tree, str(path.relative_to(tree)), key_is_the_longest)
    n, right = longest_key_by_competency(load_content(tree))["dvc.vneid_tai_khoan"]
    assert n == shipped["dvc.vneid_tai_khoan"][0] and right == n
    found = [str(i) for i in check(tree).issues if "phương án dài nhất" in str(i)]
    assert (
        "lessons/dich_vu_cong/_area.yaml: competencies.dvc.vneid_tai_khoan: chọn phương án dài"
        f" nhất thì đúng {n} trong {n} câu (100%), tối đa 40%: viết phương án sai cụ thể, dài"
        " như đáp án, hoặc rút gọn đáp án"
    ) in found
    # Only competencies that share those questions can have crossed the line.
    assert all("competencies.dvc." in i for i in found)


def test_content_is_parsed_by_libyaml_where_present_with_the_same_result():
    if yaml.__with_libyaml__:
        assert SAFE_LOADER is yaml.CSafeLoader
    else:  # PyYAML built without libyaml: the pure-Python safe loader
        assert SAFE_LOADER is yaml.SafeLoader
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text), path
