"""The mastery model: BKT maths, honest guesses, the evidence rules and the shuffled order."""

import pytest

from bot.core import mastery
from bot.core.mastery import (
    BktParams,
    Learner,
    Model,
    correct_in_a_row_to_master,
    is_mastered,
    option_order,
    question_params,
    update,
)

P = BktParams(prior=0.1, learn=0.15, guess=0.2, slip=0.1, forget=0.0)


def test_update_after_a_correct_answer_matches_hand_computation():
    # posterior = 0.1*0.9 / (0.1*0.9 + 0.9*0.2) = 0.09 / 0.27 = 1/3
    # then learning: 1/3 + (2/3)*0.15 = 0.4333...
    assert update(0.1, True, P) == pytest.approx(1 / 3 + (2 / 3) * 0.15)


def test_update_after_a_wrong_answer_matches_hand_computation():
    # posterior = 0.5*0.1 / (0.5*0.1 + 0.5*0.8) = 0.05 / 0.45 = 1/9
    # then learning: 1/9 + (8/9)*0.15 = 0.2444...
    assert update(0.5, False, P) == pytest.approx(1 / 9 + (8 / 9) * 0.15)


def test_a_wrong_answer_loses_mastery_and_it_can_be_regained():
    p = 0.96
    p = update(p, False, P)
    assert not is_mastered(p)
    while not is_mastered(p):
        p = update(p, True, P)
    assert is_mastered(p)


def test_a_low_guess_makes_mastery_too_easy():
    assert correct_in_a_row_to_master(BktParams(guess=0.05)) < 3


def test_forgetting_keeps_the_estimate_below_certainty():
    params = BktParams(guess=1 / 3)
    p = params.prior
    for _ in range(200):
        p = update(p, True, params)
    assert 0.95 < p < 0.995
    p = update(update(p, False, params), False, params)
    assert not is_mastered(p)  # two wrong answers in review take mastery away


def test_each_question_guesses_at_least_its_chance_rate(content):
    for lesson, q in content.questions.values():
        params = question_params(lesson, q)
        assert params.guess >= 1 / len(q.options) - 1e-12
    two = next((le, q) for le, q in content.questions.values() if len(q.options) == 2)
    assert question_params(*two).guess == 0.5
    assert correct_in_a_row_to_master(question_params(*two)) >= 4


def _own_question_lessons(content, model):
    """A competency with two own lessons, and a question of another lesson tagged with it."""
    for comp, own in model.own.items():
        borrowed = [
            qid
            for qid in content.competency_questions[comp]
            if content.questions[qid][0].id not in own
        ]
        if len(own) >= 2 and borrowed:
            return comp, sorted(own), borrowed
    raise AssertionError("no competency with a borrowed question")


def test_review_questions_of_another_lesson_cannot_master_a_competency(content):
    model = Model(content)
    comp, own, borrowed = _own_question_lessons(content, model)
    learner = Learner(model)
    for _ in range(8):  # right many times, but only on another lesson's question, in review
        for qid in borrowed:
            lesson = content.questions[qid][0]
            learner.observe(qid, lesson.id, "review", True)
    assert is_mastered(learner.p[comp]) and not learner.mastered(comp)
    # Right answers on the competency's own questions, but never inside its lessons: not yet.
    own_qids = [q.id for q in content.lessons[own[0]].questions if comp in q.competencies][
        : mastery.MIN_OWN_QUESTIONS
    ]
    for qid in own_qids:
        learner.observe(qid, own[0], "review", True)
    assert not learner.mastered(comp)
    learner.observe(own_qids[0], own[0], "lesson", True)  # now taken inside the lesson
    assert learner.mastered(comp)


def test_two_of_four_in_one_lesson_and_a_review_never_master(content):
    """The case from issue 9: one lesson with 2/4 right and one review question."""
    model = Model(content)
    for lesson in content.lessons.values():
        learner = Learner(model)
        for i, q in enumerate(lesson.questions):
            learner.observe(q.id, lesson.id, "lesson", i < 2)
        for i, q in enumerate(lesson.questions):
            learner.observe(q.id, lesson.id, "review", True)
            if i == 0:
                break
        assert learner.all_mastered() == set(), lesson.id


def test_option_order_is_deterministic_and_moves_on_each_attempt(content):
    q = next(q for _, q in content.questions.values() if len(q.options) == 3)
    first = option_order("u1", q, 0)
    assert sorted(first) == [0, 1, 2] and option_order("u1", q, 0) == first
    retries = [option_order("u1", q, a) for a in range(3)]
    key = next(i for i, o in enumerate(q.options) if o.correct)
    assert len({order.index(key) for order in retries}) == 3  # the key visits every place
    orders = {tuple(option_order(f"u{n}", q, 0)) for n in range(40)}
    assert len(orders) == 6  # every order of three options turns up across learners


def test_a_pinned_option_stays_last(content):
    _, q = next((le, q) for le, q in content.questions.values() if len(q.options) == 3)
    options = [o.model_copy(update={"pin_last": i == 0}) for i, o in enumerate(q.options)]
    pinned = q.model_copy(update={"options": options})
    for n in range(10):
        for attempt in range(3):
            assert option_order(f"u{n}", pinned, attempt)[-1] == 0
