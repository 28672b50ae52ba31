"""The understanding corpus: what older learners type on each kind of screen, and what they mean.

Files in `corpus/` (used while tuning the matchers) and `heldout/` (written before any tuning and
never looked at while tuning) hold one example a line: ``input | meaning``. ``## ...`` lines set
a context (the quiz question, the list of places searched). Every hand-written input with
diacritics also stands for the same input typed without them (most older learners type without
marks), unless the line starts with ``=`` (where the bare form means something else).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.matching import strip_marks

HERE = Path(__file__).parent
KINDS = ("consent", "yesno", "next", "menu", "quiz", "place", "year", "question")


@dataclass(frozen=True)
class Example:
    kind: str
    text: str
    meaning: str
    context: str  # the "## ..." section ("" when none)
    heldout: bool
    written: bool  # False: the diacritics-free twin of a written line
    line: int


def load(kind: str, heldout: bool) -> list[Example]:
    path = HERE / ("heldout" if heldout else "corpus") / f"{kind}.txt"
    out: list[Example] = []
    seen: set[tuple[str, str]] = set()
    context = ""
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("## "):
            context = raw[3:].strip()
            continue
        if not raw.strip() or raw.startswith("#"):
            continue
        text, sep, meaning = raw.rpartition(" | ")
        assert sep, f"{path}:{n}: no ' | ' in {raw!r}"
        twin = not text.startswith("=")
        text = text.removeprefix("=")
        variants = [(text, True)]
        if twin and strip_marks(text) != text:
            variants.append((strip_marks(text), False))
        for variant, written in variants:
            if (context, variant) in seen:
                continue
            seen.add((context, variant))
            out.append(Example(kind, variant, meaning.strip(), context, heldout, written, n))
    return out
