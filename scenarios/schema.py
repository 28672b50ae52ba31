"""Practice scenarios as state graphs: the bot plays the caller, the SMS, the shop or the app.

A step shows some text (and optionally a phone screen rendered as a picture), then offers 2 to 4
choices; each choice gives feedback naming the warning signs and leads to another step. End steps
say how it went. Graph checks (no dead end, nothing unreachable, an end reachable from every
step) live here too, so a broken scenario fails when it is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lessons.schema import AreaId, Id, Source, Text

#: Warning signs a choice's feedback can name (CONTENT_GUIDE: người lạ gọi, giục gấp, ...).
SIGNS: dict[str, str] = {
    "nguoi_la": "người lạ liên lạc",
    "gia_danh": "giả danh cơ quan, ngân hàng hay người quen",
    "giuc_gap": "giục gấp",
    "doi_otp": "đòi mã OTP hay mật khẩu",
    "gui_link": "gửi đường link lạ",
    "doi_chuyen_tien": "đòi chuyển tiền",
    "doa_nat": "dọa nạt",
    "qua_tang": "hứa quà, lãi, việc nhẹ lương cao",
    "cai_ung_dung": "bảo cài ứng dụng lạ",
    "bi_mat": "dặn giữ bí mật, không hỏi ai",
    "gia_re": "giá rẻ bất thường",
}
SignId = Literal[
    "nguoi_la",
    "gia_danh",
    "giuc_gap",
    "doi_otp",
    "gui_link",
    "doi_chuyen_tien",
    "doa_nat",
    "qua_tang",
    "cai_ung_dung",
    "bi_mat",
    "gia_re",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Screen(Strict):
    """A phone screen drawn as a picture: an incoming call, an SMS or an app page."""

    kind: Literal["call", "sms", "app"]
    title: Text  # caller name or number, SMS sender, or app name
    lines: list[Text] = Field(default=[], max_length=8)


class Choice(Strict):
    text: Text
    feedback: Text
    next: Id
    safe: bool
    signs: list[SignId] = []


class Step(Strict):
    text: Text
    screen: Screen | None = None
    choices: list[Choice] = Field(default=[], max_length=4)
    end: Literal["good", "bad"] | None = None

    @model_validator(mode="after")
    def _end_or_choices(self) -> Step:
        if self.end is None and len(self.choices) < 2:
            raise ValueError("bước chưa kết thúc cần 2 đến 4 lựa chọn (hoặc ghi end: good / bad)")
        if self.end is not None and self.choices:
            raise ValueError("bước kết thúc (end) không có lựa chọn")
        return self


class Scenario(Strict):
    id: Id
    kind: Literal["scam", "task"]
    title: Text
    area: AreaId
    competencies: list[Id] = Field(min_length=1)
    order: int = Field(ge=1, le=999)
    checked: dt.date
    sources: list[Source] = Field(min_length=1)
    intro: Text
    remember: Text  # the one thing to remember, said at the end
    start: Id
    steps: dict[Id, Step] = Field(min_length=2)

    @model_validator(mode="after")
    def _graph(self) -> Scenario:
        problems = graph_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self


def graph_problems(s: Scenario) -> list[str]:
    """Dead ends, unknown targets, unreachable steps, and steps from which no end is reachable."""
    out = []
    if s.start not in s.steps:
        return [f"start '{s.start}' không có trong steps"]
    for sid, step in s.steps.items():
        for i, c in enumerate(step.choices):
            if c.next not in s.steps:
                out.append(f"steps.{sid}.choices.{i}.next: không có bước '{c.next}'")
    if out:
        return out
    seen, todo = set(), [s.start]
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo.extend(c.next for c in s.steps[sid].choices)
    out += [f"bước '{sid}' không thể tới được từ start" for sid in s.steps if sid not in seen]
    ends = {sid for sid, st in s.steps.items() if st.end}
    if not any(s.steps[e].end == "good" for e in ends):
        out.append("cần ít nhất một kết thúc tốt (end: good)")
    reach_end = set(ends)
    changed = True
    while changed:
        changed = False
        for sid, st in s.steps.items():
            if sid not in reach_end and any(c.next in reach_end for c in st.choices):
                reach_end.add(sid)
                changed = True
    out += [
        f"từ bước '{sid}' không đi tới kết thúc nào (vòng lặp kín)"
        for sid in s.steps
        if sid not in reach_end
    ]
    return out
