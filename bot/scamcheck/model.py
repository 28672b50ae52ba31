"""A small classifier on character n-grams, trained from the messages kept in the repository.

Nothing is downloaded: the model is trained from `data/messages.csv` the first time it is
needed (a fraction of a second) and kept in memory. `split()` is the fixed held-out split the
benchmark uses; the bot's own model trains on every message.
"""

from __future__ import annotations

import csv
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.scamcheck.normalize import fold

DATA = Path(__file__).parent / "data"
TEST_SHARE = 30  # percent of messages held out, chosen by a hash of their id


@dataclass(frozen=True)
class Example:
    id: str
    label: str  # "scam" | "ok"
    source: str
    text: str

    @property
    def y(self) -> int:
        return int(self.label == "scam")


def examples(path: Path | None = None) -> list[Example]:
    with (path or DATA / "messages.csv").open(encoding="utf-8") as fh:
        return [Example(r["id"], r["label"], r["source"], r["text"]) for r in csv.DictReader(fh)]


def held_out(example: Example) -> bool:
    return int(hashlib.sha1(example.id.encode()).hexdigest(), 16) % 100 < TEST_SHARE


def split(rows: list[Example]) -> tuple[list[Example], list[Example]]:
    return [e for e in rows if not held_out(e)], [e for e in rows if held_out(e)]


def features(text: str) -> str:
    return fold(text)


class Model:
    def __init__(self, rows: list[Example]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000),
        )
        self.pipeline.fit([features(e.text) for e in rows], [e.y for e in rows])

    def probability(self, folded: str) -> float:
        return float(self.pipeline.predict_proba([folded])[0][1])


_lock = threading.Lock()
_model: Model | None = None


def default() -> Model:
    """The bot's model, trained on every message in the repository (once per process)."""
    global _model
    with _lock:
        if _model is None:
            _model = Model(examples())
        return _model
