import pytest

from bot.core.mastery import BktParams, correct_in_a_row_to_master, is_mastered, update

P = BktParams(prior=0.1, learn=0.15, guess=0.2, slip=0.1)


def test_update_after_a_correct_answer_matches_hand_computation():
    # posterior = 0.1*0.9 / (0.1*0.9 + 0.9*0.2) = 0.09 / 0.27 = 1/3
    # then learning: 1/3 + (2/3)*0.15 = 0.4333...
    assert update(0.1, True, P) == pytest.approx(1 / 3 + (2 / 3) * 0.15)


def test_update_after_a_wrong_answer_matches_hand_computation():
    # posterior = 0.5*0.1 / (0.5*0.1 + 0.5*0.8) = 0.05 / 0.45 = 1/9
    # then learning: 1/9 + (8/9)*0.15 = 0.2444...
    assert update(0.5, False, P) == pytest.approx(1 / 9 + (8 / 9) * 0.15)


def test_default_parameters_need_three_correct_in_a_row():
    p = P.prior
    p = update(p, True, P)
    assert p == pytest.approx(0.43333, abs=1e-4) and not is_mastered(p)
    p = update(p, True, P)
    assert p == pytest.approx(0.80861, abs=1e-4) and not is_mastered(p)
    p = update(p, True, P)
    assert p == pytest.approx(0.95753, abs=1e-4) and is_mastered(p)
    assert correct_in_a_row_to_master(BktParams()) == 3


def test_a_wrong_answer_loses_mastery_and_it_can_be_regained():
    p = 0.96
    p = update(p, False, P)
    assert not is_mastered(p)
    while not is_mastered(p):
        p = update(p, True, P)
    assert is_mastered(p)


def test_a_low_guess_makes_mastery_too_easy():
    assert correct_in_a_row_to_master(BktParams(guess=0.05)) < 3
