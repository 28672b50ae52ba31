"""`python -m bot content check`: validate content and enforce the writing guide.

The schema catches structural errors; these rules catch what makes a lesson hard for an older
reader (long cards, long options) or unsafe (clickable links to unofficial sites).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.mastery import (
    MIN_OWN_QUESTIONS,
    correct_in_a_row_to_master,
    own_lessons,
    question_params,
)
from lessons import Content, ContentError, ContentIssue, load_content
from lessons.schema import NATIONAL_AREAS, Question
from scenarios.loader import Scenarios, load_scenarios

MAX_CARD_CHARS = 350
MAX_CARD_LINES = 5
MAX_OPTION_CHARS = 80
MAX_QUESTION_CHARS = 300
MAX_FEEDBACK_CHARS = 300
MIN_QUESTIONS_PER_COMPETENCY = 4
MIN_CORRECT_IN_A_ROW = 3
#: Within one competency, pressing the longest option may be right on at most this share of
#: its questions (ties shared). Shuffling cannot hide length, and a competency whose keys are
#: mostly the longest option can be "mastered" by that habit alone: before this rule, the
#: calibration's longest-option learner mastered 6-7% of competencies (ms.dat_hang every time)
#: while pressing at random mastered under 1%. Chance on a three-option question is 33%.
MAX_LONGEST_KEY_SHARE = 0.4
#: Links may point only at official Vietnamese government or bank-association domains.
ALLOWED_LINK_DOMAINS = (
    "gov.vn",
    "vneid.gov.vn",
    "dichvucong.gov.vn",
    "baohiemxahoi.gov.vn",
    "tinnhiemmang.vn",
    "chongluadao.vn",
    "napas.com.vn",
    "vnpt.vn",
    "evn.com.vn",
)
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s)>\]]+")
_FIXED_ADDRESS = re.compile(r"(?i)\b(ông/bà|ông bà ơi|bác ơi|cô ơi|chú ơi|ông ơi|bà ơi)\b")


@dataclass
class Report:
    content: Content | None
    issues: list[ContentIssue] = field(default_factory=list)
    scenarios: Scenarios | None = None


#: Choices that are risky in real life and so may never be `safe: true` (folded text).
RISKY_CHOICE = re.compile(
    r"\b(khong can (xem|doc)|quet thu|(tra tien|chuyen tien|chuyen|xac nhan|tra) (ngay|luon)"
    r"|bam (xac nhan|tiep tuc|dat hang) (ngay|luon)|tra tien roi tinh sau)\b"
)
#: Dangerous actions (transfer, type a password or code, read a code, scan, install, open a
#: link), unless negated: wrong-answer feedback on them must not open with "Không sao".
DANGEROUS_ACTION = re.compile(
    r"(?<!khong )(?<!dung )(?<!chua )(?<!cho )\b(chuyen (tien|khoan|luon|ngay|coc)|nap (tien|\d)"
    r"|(nhap|go|doc|dua|gui|cho) (mat khau|ma otp|ma pin|ma \d|ma xac|ma so|otp)|doc ma"
    r"|quet (ma|thu)|cai (ung dung|app|tep|file)|bam (vao )?(link|duong link))"
)
_GENTLE = "khong sao"


def safety_issues(content: Content, scenarios: Scenarios | None) -> list[ContentIssue]:
    """Rules from issue 9 that a program can check: a risky choice is never safe, an unsafe
    choice never leads straight to the good ending, and a dangerous wrong choice is not
    answered with the gentle "Không sao ạ" kept for harmless mistakes."""
    from bot.core.matching import fold

    issues: list[ContentIssue] = []
    gentle = "feedback mở đầu «Không sao» sau một lựa chọn nguy hiểm; hãy nói rõ là nguy hiểm"
    for lesson in content.lessons.values():
        path = content.sources[lesson.id]
        for i, q in enumerate(lesson.questions):
            for j, o in enumerate(q.options):
                if (
                    not o.correct
                    and DANGEROUS_ACTION.search(fold(o.text))
                    and fold(o.feedback).startswith(_GENTLE)
                ):
                    issues.append(ContentIssue(path, f"questions.{i}.options.{j}.feedback", gentle))
    if scenarios is None:
        return issues
    for sc in scenarios.by_id.values():
        path = scenarios.paths[sc.id]
        for sid, step in sc.steps.items():
            for i, c in enumerate(step.choices):
                where = f"steps.{sid}.choices.{i}"
                if c.safe and RISKY_CHOICE.search(fold(c.text)):
                    issues.append(
                        ContentIssue(
                            path,
                            f"{where}.safe",
                            "lựa chọn rủi ro ngoài đời không được là safe: true",
                        )
                    )
                if not c.safe and sc.steps[c.next].end == "good":
                    issues.append(
                        ContentIssue(
                            path,
                            f"{where}.next",
                            "lựa chọn không an toàn không được dẫn tới kết thúc tốt",
                        )
                    )
                if (
                    not c.safe
                    and DANGEROUS_ACTION.search(fold(c.text))
                    and fold(c.feedback).startswith(_GENTLE)
                ):
                    issues.append(ContentIssue(path, f"{where}.feedback", gentle))
    return issues


def _domain_allowed(url: str) -> bool:
    host = re.sub(r"(?i)^(https?://)?(www\.)?", "", url).split("/")[0].lower()
    return any(host == d or host.endswith("." + d) for d in ALLOWED_LINK_DOMAINS)


def _text_rules(path: str, where: str, text: str, limit: int, issues: list[ContentIssue]) -> None:
    if len(text) > limit:
        issues.append(ContentIssue(path, where, f"dài {len(text)} ký tự, tối đa {limit}"))
    for url in _URL.findall(text):
        if not _domain_allowed(url):
            issues.append(
                ContentIssue(
                    path,
                    where,
                    f"đường link '{url}' không thuộc trang chính thức; "
                    "hãy viết tách dạng ten-mien[.]vn hoặc đưa vào ảnh",
                )
            )
    if m := _FIXED_ADDRESS.search(text):
        issues.append(
            ContentIssue(
                path, where, f"dùng cách xưng hô cố định '{m.group(0)}'; hãy dùng {{ong_ba}}"
            )
        )


def lint(content: Content) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    for lesson in content.lessons.values():
        path = content.sources[lesson.id]
        for i, card in enumerate(lesson.cards):
            _text_rules(path, f"cards.{i}.text", card.text, MAX_CARD_CHARS, issues)
            lines = [ln for ln in card.text.splitlines() if ln.strip()]
            if len(lines) > MAX_CARD_LINES:
                issues.append(
                    ContentIssue(
                        path, f"cards.{i}.text", f"có {len(lines)} dòng, tối đa {MAX_CARD_LINES}"
                    )
                )
        for i, q in enumerate(lesson.questions):
            _text_rules(path, f"questions.{i}.text", q.text, MAX_QUESTION_CHARS, issues)
            for j, opt in enumerate(q.options):
                _text_rules(
                    path, f"questions.{i}.options.{j}.text", opt.text, MAX_OPTION_CHARS, issues
                )
                _text_rules(
                    path,
                    f"questions.{i}.options.{j}.feedback",
                    opt.feedback,
                    MAX_FEEDBACK_CHARS,
                    issues,
                )
        for i, q in enumerate(lesson.questions):
            params = question_params(lesson, q)
            if params.guess >= 1 - params.slip:
                issues.append(
                    ContentIssue(
                        path,
                        f"questions.{i}",
                        f"guess {params.guess:.2f} + slip {params.slip:.2f} từ 1 trở lên:"
                        " trả lời đúng câu này không cho biết gì",
                    )
                )
            elif (n := correct_in_a_row_to_master(params)) < MIN_CORRECT_IN_A_ROW:
                issues.append(
                    ContentIssue(
                        path,
                        "bkt",
                        f"chỉ cần {n} câu đúng liên tiếp là thành thạo; "
                        f"cần ít nhất {MIN_CORRECT_IN_A_ROW}",
                    )
                )
                break
    own = own_lessons(content)
    for area in content.areas.values():
        for comp in area.competencies:
            n = len(content.competency_questions.get(comp.id, []))
            where = (f"lessons/{area.id}/_area.yaml", f"competencies.{comp.id}")
            if n < MIN_QUESTIONS_PER_COMPETENCY:
                issues.append(
                    ContentIssue(
                        *where, f"chỉ có {n} câu hỏi, cần ít nhất {MIN_QUESTIONS_PER_COMPETENCY}"
                    )
                )
                continue
            taught = sum(
                comp.id in q.competencies
                for lid in own.get(comp.id, ())
                for q in content.lessons[lid].questions
            )
            if taught < MIN_OWN_QUESTIONS:
                issues.append(
                    ContentIssue(
                        *where,
                        f"chỉ có {taught} câu trong các bài dạy chính kỹ năng này (bài có ít nhất"
                        f" nửa số câu gắn kỹ năng); cần ít nhất {MIN_OWN_QUESTIONS}"
                        " thì người học mới có thể thành thạo",
                    )
                )
    for comp, (n, right) in longest_key_by_competency(content).items():
        if n >= MIN_QUESTIONS_PER_COMPETENCY and right / n > MAX_LONGEST_KEY_SHARE:
            area = content.competency_area[comp]
            issues.append(
                ContentIssue(
                    f"lessons/{area}/_area.yaml",
                    f"competencies.{comp}",
                    f"chọn phương án dài nhất thì đúng {right:g} trong {n} câu"
                    f" ({round(100 * right / n)}%), tối đa {round(100 * MAX_LONGEST_KEY_SHARE)}%:"
                    " viết phương án sai cụ thể, dài như đáp án, hoặc rút gọn đáp án",
                )
            )
    for area_id in NATIONAL_AREAS:
        if not content.lessons_in(area_id, ()):
            issues.append(
                ContentIssue(f"lessons/{area_id}", "", "vùng kỹ năng chưa có bài học nào")
            )
    return issues


def lint_scenarios(scenarios: Scenarios) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    for sc in scenarios.by_id.values():
        path = scenarios.paths[sc.id]
        _text_rules(path, "intro", sc.intro, MAX_CARD_CHARS, issues)
        _text_rules(path, "remember", sc.remember, MAX_FEEDBACK_CHARS, issues)
        for sid, step in sc.steps.items():
            _text_rules(path, f"steps.{sid}.text", step.text, MAX_CARD_CHARS, issues)
            lines = [ln for ln in step.text.splitlines() if ln.strip()]
            if len(lines) > MAX_CARD_LINES:
                issues.append(
                    ContentIssue(
                        path, f"steps.{sid}.text", f"có {len(lines)} dòng, tối đa {MAX_CARD_LINES}"
                    )
                )
            for i, c in enumerate(step.choices):
                where = f"steps.{sid}.choices.{i}"
                _text_rules(path, f"{where}.text", c.text, MAX_OPTION_CHARS, issues)
                _text_rules(path, f"{where}.feedback", c.feedback, MAX_FEEDBACK_CHARS, issues)
                if sc.kind == "scam" and not c.safe and not c.signs:
                    issues.append(
                        ContentIssue(
                            path,
                            f"{where}.signs",
                            "lựa chọn không an toàn cần nêu dấu hiệu lừa đảo",
                        )
                    )
    return issues


def check(root: Path | None = None, scenario_root: Path | None = None) -> Report:
    try:
        content = load_content(root)
    except ContentError as exc:
        return Report(None, exc.issues)
    issues = lint(content)
    try:
        scenarios = load_scenarios(scenario_root, content.competency_area)
    except ContentError as exc:
        return Report(content, issues + exc.issues)
    issues += lint_scenarios(scenarios) + safety_issues(content, scenarios)
    return Report(content, issues, scenarios)


def table(content: Content) -> str:
    """A per-area and per-competency count table, for the terminal."""
    rows = [f"{'Vùng kỹ năng / kỹ năng':<44} {'Bài':>4} {'Câu hỏi':>8}"]
    total_lessons = total_questions = 0
    for area in content.ordered_areas():
        lessons = [le for le in content.lessons.values() if le.area == area.id]
        questions = sum(len(le.questions) for le in lessons)
        total_lessons += len(lessons)
        total_questions += questions
        rows.append(f"{area.name:<44} {len(lessons):>4} {questions:>8}")
        for comp in area.competencies:
            n = len(content.competency_questions.get(comp.id, []))
            rows.append(f"  {comp.id:<42} {'':>4} {n:>8}")
    rows.append(f"{'Tổng':<44} {total_lessons:>4} {total_questions:>8}")
    return "\n".join(rows)


def position_counts(content: Content) -> dict[int, list[int]]:
    """number of options -> how many questions have their key at each position (in the file)."""
    out: dict[int, list[int]] = {}
    for lesson in content.lessons.values():
        for q in lesson.questions:
            row = out.setdefault(len(q.options), [0] * len(q.options))
            row[next(i for i, o in enumerate(q.options) if o.correct)] += 1
    return dict(sorted(out.items()))


def position_table(content: Content) -> str:
    """Share of keys at each position, per number of options: the bot shuffles options, but
    content whose key is mostly "B" still teaches people to pick B when they read it elsewhere."""
    rows = [f"{'Vị trí đáp án đúng (trong tệp)':<44} {'Số câu':>8}   A / B / C / D"]
    for n, counts in position_counts(content).items():
        total = sum(counts)
        shares = " / ".join(f"{round(100 * c / total)}%" for c in counts)
        rows.append(f"  {n} phương án{'':<32} {total:>8}   {shares}")
    longest, chance = longest_key_share(content)
    rows.append(
        f"  Đáp án đúng là phương án dài nhất: {round(100 * longest)}%"
        f" (nếu ngẫu nhiên: {round(100 * chance)}%)"
    )
    rows.append(
        f"{'Chọn phương án dài nhất, theo kỹ năng':<44} {'Số câu':>8}   đúng"
        f" (tối đa {round(100 * MAX_LONGEST_KEY_SHARE)}%)"
    )
    by_comp = longest_key_by_competency(content)
    for comp, (n, right) in sorted(by_comp.items(), key=lambda kv: (-kv[1][1] / kv[1][0], kv[0])):
        rows.append(f"  {comp:<42} {n:>8}   {round(100 * right / n)}%")
    return "\n".join(rows)


def longest_option_score(q: Question) -> float:
    """What pressing the longest option scores on `q`: 1 when the key alone is longest,
    1/k when it ties with k-1 others, else 0."""
    lengths = [len(o.text) for o in q.options]
    key = next(i for i, o in enumerate(q.options) if o.correct)
    return 1 / lengths.count(lengths[key]) if lengths[key] == max(lengths) else 0.0


def longest_key_by_competency(content: Content) -> dict[str, tuple[int, float]]:
    """competency -> (its questions, how many of them pressing the longest option gets right,
    ties shared)."""
    out: dict[str, tuple[int, float]] = {}
    for comp, qids in content.competency_questions.items():
        if qids:
            scores = [longest_option_score(content.questions[qid][1]) for qid in qids]
            out[comp] = (len(scores), sum(scores))
    return out


def longest_key_share(content: Content) -> tuple[float, float]:
    """(share of questions whose key is the strictly longest option, the share expected if
    lengths told nothing): shuffling cannot hide length, so "pick the longest" beats chance
    wherever the first number is well above the second."""
    questions = [q for _, q in content.questions.values()]
    longest = 0
    for q in questions:
        lengths = [len(o.text) for o in q.options]
        key = next(i for i, o in enumerate(q.options) if o.correct)
        longest += lengths[key] == max(lengths) and lengths.count(max(lengths)) == 1
    n = len(questions) or 1
    return longest / n, sum(1 / len(q.options) for q in questions) / n


def scenario_table(scenarios: Scenarios) -> str:
    kinds = {"scam": "Tình huống lừa đảo", "task": "Thực hành việc thật"}
    rows = [f"{'Tình huống luyện tập':<44} {'Số':>4} {'Bước':>8}"]
    for kind, label in kinds.items():
        items = [s for s in scenarios.by_id.values() if s.kind == kind]
        rows.append(f"{label:<44} {len(items):>4} {sum(len(s.steps) for s in items):>8}")
    return "\n".join(rows)
