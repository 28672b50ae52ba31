"""Accuracy of understanding per screen kind, on the corpus and on the held-out part.

Prints a table (run with -s to see it) and fails when a kind is understood below 97%.
"""

from __future__ import annotations

import pytest

from tests.nlu.corpus import KINDS, load
from tests.nlu.readers import READERS, right

THRESHOLD = 0.97
MIN_EXAMPLES = 300


def measure(kind: str, heldout: bool, content) -> tuple[int, int, list[str]]:
    examples = load(kind, heldout)
    misses = []
    for ex in examples:
        got = READERS[kind](ex.text, ex.context, content)
        if not right(ex.meaning, got):
            misses.append(f"{kind}:{ex.line} {ex.text!r}: want {ex.meaning}, got {got}")
    return len(examples) - len(misses), len(examples), misses


def table(content) -> dict[str, tuple[int, int, int, int, list[str]]]:
    rows = {}
    for kind in KINDS:
        good, n, misses = measure(kind, False, content)
        hgood, hn, hmisses = measure(kind, True, content)
        rows[kind] = (good, n, hgood, hn, misses + hmisses)
    return rows


@pytest.fixture(scope="module")
def results(content):
    rows = table(content)
    print(f"\n{'kind':10} {'all':>16} {'tuning':>16} {'held out':>16}")
    for kind, (good, n, hgood, hn, _) in rows.items():
        total = f"{good + hgood}/{n + hn} {100 * (good + hgood) / (n + hn):5.1f}%"
        print(
            f"{kind:10} {total:>16} {f'{good}/{n} {100 * good / n:5.1f}%':>16}"
            f" {f'{hgood}/{hn} {100 * hgood / hn:5.1f}%':>16}"
        )
    return rows


@pytest.mark.parametrize("kind", KINDS)
def test_enough_examples(kind):
    n = len(load(kind, False)) + len(load(kind, True))
    written = sum(ex.written for h in (False, True) for ex in load(kind, h))
    assert n >= MIN_EXAMPLES, f"{kind}: {n} examples"
    assert written > 0.5 * n, f"{kind}: most examples must be written by hand"


@pytest.mark.parametrize("kind", KINDS)
def test_accuracy(kind, results):
    good, n, hgood, hn, misses = results[kind]
    accuracy = (good + hgood) / (n + hn)
    assert accuracy >= THRESHOLD, f"{kind}: {accuracy:.1%}\n" + "\n".join(misses)
