"""Raking (who answered, weighted to the attendance profile): the weighted shares of every dimension match its
targets, and raking the distinct combinations of codes gives the row-by-row algorithm's weights."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.indicators.outcomes import _rake


def _rake_rows(codes, targets, rounds=50):
    """Iterative proportional fitting over every row, as written first (the reference)."""
    w = np.ones(len(codes[0]))
    for _ in range(rounds):
        for c, target in zip(codes, targets):
            k = len(target)
            idx = np.where(c >= 0, c, k)
            current = np.bincount(idx, weights=w, minlength=k + 1)
            want = np.append(target * (current.sum() - current[k]), current[k])
            w = w * np.divide(want, current, out=np.ones(k + 1), where=current > 0)[idx]
    return w


def test_weighted_shares_match_the_attendance_profile_by_hand():
    # three young respondents, one old, one whose age is not recorded; attendance is half young, half old
    age = np.array([0, 0, 0, 1, -1])
    w = _rake([age], [np.array([0.5, 0.5])])
    # the recorded four keep their total (4) split half and half; the unrecorded one keeps its own weight
    assert np.allclose(w, [2 / 3, 2 / 3, 2 / 3, 2.0, 1.0])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_cells_give_the_row_by_row_weights(data):
    n = data.draw(st.integers(1, 80))
    sizes = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    codes = [np.array(data.draw(st.lists(st.integers(-1, k - 1), min_size=n, max_size=n))) for k in sizes]
    targets = []
    for k in sizes:
        raw = np.array(data.draw(st.lists(st.floats(0.05, 1), min_size=k, max_size=k)))
        targets.append(raw / raw.sum())
    assert np.allclose(_rake(codes, targets), _rake_rows(codes, targets), rtol=1e-9, atol=1e-12)
