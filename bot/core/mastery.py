"""Bayesian Knowledge Tracing (Corbett & Anderson, 1995) and the rules that say "mastered".

One estimate per learner and competency: the probability that the skill is known. Each answer
updates it by Bayes' rule with the question's guess and slip, then applies the chance of
learning from the attempt. A wrong answer lowers it, so mastery can be lost and regained.

The estimate alone is not enough: a competency is mastered when
- the estimate is at least MASTERY_THRESHOLD (0.95),
- at least MIN_OWN_QUESTIONS distinct questions of the competency's own lessons (the lessons
  where it is tagged on at least half of the questions) were answered right, and
- the learner answered a question inside one of those lessons (not only in review),
so a few lucky presses, or review questions borrowed from another lesson, cannot master it.

Everything here is pure: the engine (bot/core/learning.py), the report oracle
(bot/reports/naive.py), account merges and the start-up recomputation all go through
`Learner`, so they agree to the last bit. The calibration run that chose the numbers is
benchmarks/mastery_calibration.py.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lessons import Content
    from lessons.schema import Lesson, Question
    from scenarios.loader import Scenarios
    from scenarios.schema import Scenario

MASTERY_THRESHOLD = 0.95
#: Distinct own-lesson questions answered right before a competency can count as mastered.
MIN_OWN_QUESTIONS = 3
#: Bumped whenever the rules or defaults change: stored mastery is then recomputed from the
#: answer events once, at start-up (bot/core/remaster.py).
MODEL_VERSION = "2"

#: Defaults (a lesson's `bkt:` block may override them; none does today), chosen with
#: benchmarks/mastery_calibration.py:
#: - prior 0.15: the first question comes after the lesson's cards, so some learners already
#:   know; still, most start without the skill (the bot is for people new to it).
#: - learn 0.12: each question with its explanation teaches something. On the half-two-option
#:   curriculum, 0.15 let random pressing reach a lucky "mastered" twice as often (19% of
#:   competencies at some point) and 0.05-0.1 made a learner who knows need a median of 7-8
#:   answers. On today's (mostly three-option) curriculum, 0.15/0.12 gives a median of 5 with
#:   0.9% of competencies left to random pressing; 0.1/0.1 gives 6 and 0.7%: both meet the
#:   goals, this one with a margin on each.
#: - slip 0.1: a learner who knows still mis-taps or misreads about one time in ten (older
#:   eyes, small buttons); the "knower" of the calibration answers right 9 times in 10.
#: - guess: per question, the chance rate 1/(number of options); never lower.
DEFAULT_PRIOR = 0.15
DEFAULT_LEARN = 0.12
DEFAULT_SLIP = 0.1
#: - forget 0.01: the chance that a known skill is lost between two answers (BKT with
#:   forgetting). Without it the estimate creeps towards 1 with practice and one forgotten
#:   skill would need many wrong answers before mastery is lost; with it the estimate stays
#:   below about 0.99, so one or two wrong answers in review take mastery away.
DEFAULT_FORGET = 0.01
#: A practice scenario finished well: the chance of that by pressing at random along its
#: graph, but never below this, since the safe choice in a role-play is often guessable by tone.
SCENARIO_MIN_GUESS = 0.25


@dataclass(frozen=True)
class BktParams:
    prior: float = DEFAULT_PRIOR
    learn: float = DEFAULT_LEARN
    guess: float = 0.5
    slip: float = DEFAULT_SLIP
    forget: float = DEFAULT_FORGET


def update(p_known: float, correct: bool, params: BktParams) -> float:
    """Return the estimate after one observed answer."""
    if correct:
        evidence = p_known * (1 - params.slip)
        posterior = evidence / (evidence + (1 - p_known) * params.guess)
    else:
        evidence = p_known * params.slip
        posterior = evidence / (evidence + (1 - p_known) * (1 - params.guess))
    return posterior * (1 - params.forget) + (1 - posterior) * params.learn


def is_mastered(p_known: float) -> bool:
    """The estimate part of the rule only; `Learner.mastered` applies the whole rule."""
    return p_known >= MASTERY_THRESHOLD


def correct_in_a_row_to_master(params: BktParams, limit: int = 50) -> int:
    """How many correct answers a fresh learner needs for the estimate alone to pass 0.95."""
    p = params.prior
    for n in range(1, limit + 1):
        p = update(p, True, params)
        if is_mastered(p):
            return n
    return limit + 1


def question_params(lesson: Lesson, q: Question) -> BktParams:
    """The lesson's parameters (or the defaults), with the question's own guess."""
    b = lesson.bkt
    guess = q.guess if q.guess is not None else b.guess
    return BktParams(
        prior=DEFAULT_PRIOR if b.prior is None else b.prior,
        learn=DEFAULT_LEARN if b.learn is None else b.learn,
        guess=max(guess if guess is not None else 0.0, 1 / len(q.options)),
        slip=DEFAULT_SLIP if b.slip is None else b.slip,
        forget=DEFAULT_FORGET,
    )


def scenario_chance(sc: Scenario) -> float:
    """Probability that choosing at random at every step ends well with no unsafe choice."""
    memo: dict[str, float] = {}

    def walk(sid: str, depth: int) -> float:
        step = sc.steps[sid]
        if step.end is not None:
            return 1.0 if step.end == "good" else 0.0
        if depth > 40:  # loops back to earlier steps: treat the rest as a failure
            return 0.0
        if sid in memo:
            return memo[sid]
        total = sum(walk(c.next, depth + 1) for c in step.choices if c.safe)
        memo[sid] = total / len(step.choices)
        return memo[sid]

    return walk(sc.start, 0)


def scenario_params(sc: Scenario) -> BktParams:
    return BktParams(
        prior=DEFAULT_PRIOR,
        learn=DEFAULT_LEARN,
        guess=max(SCENARIO_MIN_GUESS, scenario_chance(sc)),
        slip=DEFAULT_SLIP,
        forget=DEFAULT_FORGET,
    )


def own_lessons(content: Content) -> dict[str, frozenset[str]]:
    """competency -> the lessons that teach it: tagged on at least half of their questions."""
    out: dict[str, set[str]] = {c: set() for c in content.competency_area}
    for lesson in content.lessons.values():
        for c in content.teaches(lesson):
            out.setdefault(c, set()).add(lesson.id)
    return {c: frozenset(v) for c, v in out.items()}


class Model:
    """What the rules need from the content and the scenarios, worked out once."""

    def __init__(self, content: Content, scenarios: Scenarios | None = None):
        self.content = content
        self.own = own_lessons(content)
        self.questions: dict[str, tuple[BktParams, tuple[str, ...], str]] = {
            qid: (question_params(lesson, q), tuple(q.competencies), lesson.id)
            for qid, (lesson, q) in content.questions.items()
        }
        self.scenarios: dict[str, tuple[BktParams, tuple[str, ...]]] = {}
        if scenarios is not None:
            self.scenarios = {
                sid: (scenario_params(sc), tuple(sc.competencies))
                for sid, sc in scenarios.by_id.items()
            }

    def evidence(self, qid: str, context: str) -> tuple[BktParams, tuple[str, ...]] | None:
        """Parameters and competencies of an answer event, or None (content removed since)."""
        if context == "scenario":
            return self.scenarios.get(qid)
        found = self.questions.get(qid)
        return (found[0], found[1]) if found else None

    def own_question(self, comp: str, qid: str) -> bool:
        found = self.questions.get(qid)
        return found is not None and comp in found[1] and found[2] in self.own.get(comp, ())


_MODELS: dict[tuple[int, int], tuple[object, object, Model]] = {}


def model_for(content: Content, scenarios: Scenarios | None = None) -> Model:
    """The model of this content, built once per loaded content."""
    key = (id(content), id(scenarios))
    cached = _MODELS.get(key)
    if cached is not None and cached[0] is content and cached[1] is scenarios:
        return cached[2]
    model = Model(content, scenarios)
    _MODELS[key] = (content, scenarios, model)
    return model


@dataclass
class Learner:
    """One learner's estimates and evidence, built from their answer events in order."""

    model: Model
    p: dict[str, float] = field(default_factory=dict)
    own_right: dict[str, set[str]] = field(default_factory=dict)
    took: set[str] = field(default_factory=set)  # lessons answered inside the lesson

    def see(self, qid: str, lesson_id: str, context: str, correct: bool) -> None:
        """Record what an answer event shows beyond the estimate: the evidence rules."""
        if context == "lesson":
            self.took.add(lesson_id)
        if not correct or context == "scenario":
            return
        found = self.model.questions.get(qid)
        if found is None:
            return
        for comp in found[1]:
            if found[2] in self.model.own.get(comp, ()):
                self.own_right.setdefault(comp, set()).add(qid)

    def step(self, params: BktParams, comps: Iterable[str], correct: bool) -> None:
        for c in comps:
            self.p[c] = update(self.p.get(c, params.prior), correct, params)

    def observe(self, qid: str, lesson_id: str, context: str, correct: bool) -> tuple[str, ...]:
        """One answer event: evidence, then the estimate; returns the competencies it bears on."""
        self.see(qid, lesson_id, context, correct)
        found = self.model.evidence(qid, context)
        if found is None:  # content removed since: the engine could not have traced it
            return ()
        self.step(found[0], found[1], correct)
        return found[1]

    def mastered(self, comp: str) -> bool:
        return (
            is_mastered(self.p.get(comp, 0.0))
            and len(self.own_right.get(comp, ())) >= MIN_OWN_QUESTIONS
            and bool(self.took & self.model.own.get(comp, frozenset()))
        )

    def all_mastered(self) -> set[str]:
        return {c for c in self.p if self.mastered(c)}


# --- the order options are shown in ---


def option_order(learner: str, question: Question, attempt: int) -> list[int]:
    """File indices of the options in the order shown to `learner` on their `attempt`-th try
    (0 first) at `question`. A hash of learner and question fixes a shuffled order; each later
    attempt turns it by one place, so a retry always sees the right answer somewhere else.
    An option marked `pin_last` stays last."""
    free = [i for i, o in enumerate(question.options) if not o.pin_last]
    pinned = [i for i, o in enumerate(question.options) if o.pin_last]
    seed = hashlib.sha256(f"{learner}\x1f{question.id}".encode()).digest()
    random.Random(int.from_bytes(seed[:8], "big")).shuffle(free)
    k = attempt % len(free) if free else 0
    return free[k:] + free[:k] + pinned
