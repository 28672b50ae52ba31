"""Pydantic models for lesson content.

Content is data written by people who are not programmers, so every model forbids unknown
fields: a misspelt key fails loudly with its path instead of being silently ignored.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
UnitRef = Annotated[str, StringConstraints(pattern=r"^(province|commune):\d{1,5}$")]

AreaId = Literal["dich_vu_cong", "thanh_toan", "mua_sam", "an_toan", "dia_phuong", "dien_thoai"]
NATIONAL_AREAS: tuple[str, ...] = ("dich_vu_cong", "thanh_toan", "mua_sam", "an_toan")
#: "dien_thoai" (everyday phone and Zalo skills, QĐ 757/QĐ-BKHCN's first group) is taught and
#: tracked but, like the local area, not part of the 379 "proficient" indicator.
ALL_AREAS: tuple[str, ...] = (*NATIONAL_AREAS, "dia_phuong", "dien_thoai")

#: Placeholders a text may use; they are filled per learner at send time.
PLACEHOLDERS = ("{ong_ba}", "{Ong_ba}", "{ten}")
_BRACE = re.compile(r"\{[^{}]*\}")


def _check_text(value: str) -> str:
    """Reject text that would look wrong or differ byte-wise from what was reviewed."""
    value = value.strip()
    if not value:
        raise ValueError("không được để trống")
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("chữ chưa ở dạng Unicode NFC (hãy lưu lại tệp bằng trình soạn thảo UTF-8)")
    for token in _BRACE.findall(value):
        if token not in PLACEHOLDERS:
            raise ValueError(f"chỗ trống {token} không hợp lệ; chỉ dùng {', '.join(PLACEHOLDERS)}")
    return value


Text = Annotated[str, AfterValidator(_check_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Competency(Strict):
    id: Id
    name: Text
    description: Text | None = None


class Area(Strict):
    """A skill area; its competencies are declared beside its lessons in `_area.yaml`."""

    id: AreaId
    name: Text
    short_name: Text
    order: int = Field(ge=1, le=99)
    competencies: list[Competency] = Field(min_length=1)


class Source(Strict):
    """Where a lesson's or scenario's facts come from; every source must be findable again.

    A source needs either an ``url`` (an https page of the issuing body, or a press report that
    quotes it) or a Vietnamese document number (số hiệu văn bản) inside ``document``, so that a
    reviewer can look it up by its issuing body and number. A warning cited only by body and month
    ("Cảnh báo tháng 5/2022") cannot be found again and is rejected.

    A document number is recognised by the official form ``<number>/[<year>/]<code>``:

    - ``<number>/<year>/<kind>-<issuer>`` for decrees, circulars and dated decisions:
      ``13/2023/NĐ-CP``, ``50/2024/TT-NHNN``, ``31/2021/QĐ-TTg``;
    - ``<number>/<year>/QH<term>`` for laws and codes: ``19/2023/QH15``, ``91/2015/QH13``;
    - ``<number>/<kind>-<issuer>`` for decisions and official letters: ``2345/QĐ-NHNN``,
      ``379/QĐ-TTg``, ``168/BHXH-QLT``, ``557/BKHCN-CĐSQG``, ``5234/LĐTBXH-TTTT``.

    The code is upper-case letters (Đ included) in dash-separated parts; a part after the first
    may end in lower case (``QĐ-TTg``, ``CT-TTg``). Dates such as ``16/6/2025`` or ``5/2022`` do
    not match, since after the slash they have digits, not a code.
    """

    issuer: Text
    document: Text
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")] | None = None

    @model_validator(mode="after")
    def _findable(self) -> Source:
        number = r"\b\d{1,5}/(?:\d{4}/)?(?:QH\d{1,2}\b|[A-ZĐ]{1,8}(?:-[A-ZĐ][A-Za-zĐđ]*)+)"
        if self.url is None and re.search(number, self.document) is None:
            raise ValueError(
                "nguồn phải có đường dẫn https (url) hoặc số hiệu văn bản trong document "
                "(ví dụ 2345/QĐ-NHNN, 168/BHXH-QLT, 13/2023/NĐ-CP, 19/2023/QH15); "
                "cảnh báo chỉ ghi cơ quan và tháng thì không tra lại được"
            )
        return self


class Bkt(Strict):
    """Bayesian Knowledge Tracing parameters for one question set (a lesson).

    Every field is optional; the defaults and their reasons are in bot/core/mastery.py. `guess`
    is the chance of a right answer without the skill: never below 1/(number of options), since
    a random press is right that often. Left out, each question gets its own chance rate.
    """

    prior: float | None = Field(None, gt=0, lt=1)
    learn: float | None = Field(None, ge=0, lt=1)
    guess: float | None = Field(None, gt=0, lt=1)
    slip: float | None = Field(None, gt=0, lt=0.5)


class Card(Strict):
    text: Text
    image: str | None = None


class Option(Strict):
    text: Text
    correct: bool = False
    feedback: Text
    #: Options are shown in a new order to each learner and on each attempt; an option such as
    #: "Cả hai cách trên" that refers to the others stays last.
    pin_last: bool = False


def chance(options: int) -> float:
    """The share of right answers from pressing at random."""
    return 1 / options


class Question(Strict):
    id: Id
    competencies: list[Id] = Field(min_length=1)
    text: Text
    options: list[Option] = Field(min_length=2, max_length=4)
    #: Chance of a right answer without the skill; at least 1/(number of options).
    guess: float | None = Field(None, gt=0, lt=1)

    @model_validator(mode="after")
    def _one_correct(self) -> Question:
        n = sum(o.correct for o in self.options)
        if n != 1:
            raise ValueError(f"cần đúng một phương án đúng (correct: true), hiện có {n}")
        if self.guess is not None and self.guess < chance(len(self.options)) - 1e-9:
            raise ValueError(
                f"guess = {self.guess} nhỏ hơn 1/{len(self.options)}: bấm bừa cũng đúng"
                f" {round(100 / len(self.options))}% số lần"
            )
        if sum(o.pin_last for o in self.options) > 1:
            raise ValueError("chỉ một phương án được ghim cuối (pin_last: true)")
        return self


class Lesson(Strict):
    id: Id
    area: AreaId
    title: Text
    order: int = Field(ge=1, le=999)
    summary: Text | None = None
    #: Words people use when they ask about this lesson's topic ("chuyển khoản", "app ngân
    #: hàng"), searched with the title, summary and cards when a learner types a question.
    keywords: list[Text] = []
    requires: list[Id] = []
    localities: list[UnitRef] = []
    checked: dt.date
    sources: list[Source] = Field(min_length=1)
    bkt: Bkt = Bkt()
    cards: list[Card] = Field(min_length=1, max_length=8)
    questions: list[Question] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _guess_bound(self) -> Lesson:
        """A lesson-wide guess may not be below the chance rate of any of its questions."""
        if self.bkt.guess is None:
            return self
        fewest = min(len(q.options) for q in self.questions)
        if self.bkt.guess < chance(fewest) - 1e-9:
            raise ValueError(
                f"bkt.guess = {self.bkt.guess} nhỏ hơn 1/{fewest}: câu có {fewest} phương án"
                " thì bấm bừa cũng đúng chừng ấy lần"
            )
        return self
