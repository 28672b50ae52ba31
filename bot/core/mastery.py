"""Bayesian Knowledge Tracing (Corbett & Anderson, 1995).

One estimate per learner and competency: the probability that the skill is known. Each answer
updates it by Bayes' rule with the question set's guess and slip, then applies the chance of
learning from the attempt. A wrong answer lowers it, so mastery can be lost and regained.
"""

from __future__ import annotations

from dataclasses import dataclass

MASTERY_THRESHOLD = 0.95


@dataclass(frozen=True)
class BktParams:
    prior: float = 0.1
    learn: float = 0.15
    guess: float = 0.2
    slip: float = 0.1


def update(p_known: float, correct: bool, params: BktParams) -> float:
    """Return the estimate after one observed answer."""
    if correct:
        evidence = p_known * (1 - params.slip)
        posterior = evidence / (evidence + (1 - p_known) * params.guess)
    else:
        evidence = p_known * params.slip
        posterior = evidence / (evidence + (1 - p_known) * (1 - params.guess))
    return posterior + (1 - posterior) * params.learn


def is_mastered(p_known: float) -> bool:
    return p_known >= MASTERY_THRESHOLD


def correct_in_a_row_to_master(params: BktParams, limit: int = 50) -> int:
    """How many correct answers a fresh learner needs; content checks keep this at 3 or more."""
    p = params.prior
    for n in range(1, limit + 1):
        p = update(p, True, params)
        if is_mastered(p):
            return n
    return limit + 1
