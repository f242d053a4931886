"""Equity of outcomes (impact/equity/outcomes.py): positive rate by group, the gap, and whether it is clear."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicators.tables import frames
from scipy import stats as sps

from impact.equity.outcomes import GroupOutcome, gap, outcome_equity
from impact.filters import Filters


def answers(band: str, scores: list[int | None], wave: str = "post", programme: str = "Job Club") -> list[dict]:
    return [{"programme": programme, "wave": wave, "age_band": band, "knowledge": s, "confidence": s,
             "satisfaction": 5} for s in scores]


SURVEYS = (answers("65+", [5] * 9 + [2])  # 9 of 10 positive
           + answers("65 and over", [4, 4])  # the same group written differently: 11 of 12
           + answers("18-24", [4, 5, 4] + [3] * 8 + [1, None])  # 3 of 12 (the blank is not an answer)
           + answers("25-44", [5, 5, 5])  # below the display minimum: shown, but not in the gap
           + answers("18-24", [5] * 20, wave="pre")  # another wave: not counted
           + answers(None, [5, 1]))  # no group recorded


def wilson_scipy(k, n):
    ci = sps.binomtest(k, n).proportion_ci(method="wilson")
    return ci.low, ci.high


def test_positive_rate_by_group_with_wilson_intervals_and_the_gap_by_hand():
    found = outcome_equity(frames(surveys=SURVEYS), min_n=10)
    assert set(found.gaps) == {"knowledge", "confidence"}  # satisfaction is not a change in the person
    g = found.gaps["knowledge"]["age_band"]
    by = {x.group: x for x in g.groups}
    assert list(by) == ["18-24", "25-44", "65+"]  # "65 and over" joined "65+"
    assert (by["65+"].positive, by["65+"].n) == (11, 12)
    assert (by["18-24"].positive, by["18-24"].n) == (3, 12)
    assert (by["65+"].low, by["65+"].high) == pytest.approx(wilson_scipy(11, 12))
    assert (by["18-24"].low, by["18-24"].high) == pytest.approx(wilson_scipy(3, 12))
    assert not by["25-44"].reliable
    assert (g.best, g.worst) == ("65+", "18-24")
    assert g.gap == pytest.approx(11 / 12 - 3 / 12)
    assert wilson_scipy(3, 12)[1] < wilson_scipy(11, 12)[0] and g.significant
    assert g.not_recorded == 2


def test_a_gap_whose_intervals_overlap_is_not_flagged():
    surveys = answers("65+", [5] * 8 + [1] * 4) + answers("18-24", [5] * 6 + [1] * 6)
    g = outcome_equity(frames(surveys=surveys), min_n=10).gaps["knowledge"]["age_band"]
    assert g.gap == pytest.approx(8 / 12 - 6 / 12)
    assert not g.significant


def test_groups_follow_the_baselines_wording_and_filters_apply():
    population = [{"dimension": "age_band", "group": "65 and over", "population": 100}]
    data = frames(surveys=SURVEYS + answers("18-24", [5] * 12, programme="Book Club"), population=population)
    g = outcome_equity(data, min_n=10).gaps["knowledge"]["age_band"]
    assert [x.group for x in g.groups] == ["18-24", "25-44", "65 and over"]
    narrowed = outcome_equity(data, Filters(programmes=["Book Club"]), min_n=10).gaps["knowledge"]["age_band"]
    assert [(x.group, x.n) for x in narrowed.groups] == [("18-24", 12)] and narrowed.gap is None


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 200)), min_size=2, max_size=8))
def test_the_gap_is_the_spread_of_reliable_rates_and_never_negative(cases):
    groups = []
    for i, (k, n) in enumerate(cases):
        k = min(k, n)
        low, high = wilson_scipy(k, n)
        groups.append(GroupOutcome(f"g{i}", k, n, k / n, low, high, n >= 10))
    _, _, difference, significant = gap(groups)
    reliable = [g.rate for g in groups if g.reliable]
    if len(reliable) < 2:
        assert difference is None and not significant
    else:
        assert difference == pytest.approx(max(reliable) - min(reliable))
        assert difference >= 0
        assert not significant or difference > 0


def test_the_dimension_is_tested_as_a_whole_and_the_gap_within_programmes_is_beside_the_crude_one():
    # Programme A: good results for everyone; programme B: poor for everyone. Young people go mostly to B,
    # older people mostly to A: the crude gap is large, within programmes there is none.
    rows = (answers("65+", [5] * 36 + [2] * 4, programme="A") + answers("18-24", [5] * 9 + [2], programme="A")
            + answers("65+", [5] * 5 + [2] * 5, programme="B") + answers("18-24", [5] * 20 + [2] * 20, programme="B"))
    g = outcome_equity(frames(surveys=rows), min_n=10).gaps["knowledge"]["age_band"]
    assert (g.best, g.worst) == ("65+", "18-24")
    assert g.gap == pytest.approx(41 / 50 - 29 / 50)
    # the whole dimension: chi-square on the 2 × 2 table (no clustering info: answers undated, design effect 1)
    table = [[41, 9], [29, 21]]
    assert g.p_value == pytest.approx(sps.chi2_contingency(table, correction=False).pvalue)
    assert g.p_holm == pytest.approx(min(1, 2 * g.p_value))  # knowledge and confidence tested: Holm over 2
    # within programmes: A 0.9 vs 0.9, B 0.5 vs 0.5 -> Mantel-Haenszel difference 0
    assert g.adjusted_gap == pytest.approx(0.0) and g.strata == 2
    assert g.adjusted_low < 0 < g.adjusted_high
