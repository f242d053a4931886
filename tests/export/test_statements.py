"""Statements: each claim with its own test, Holm across the set, no p where there is no test, units in words."""
from __future__ import annotations

import pytest
import scipy.stats as sps
from indicators.tables import frames

from impact import indicators
from impact.export.statements import statements
from impact.filters import Filters
from impact.stats import Reliability, holm


def _pairs(item: str, before: list[int], after: list[int]) -> list[dict]:
    rows = []
    for i, (b, a) in enumerate(zip(before, after)):
        rows.append({"programme": "Job Club", "wave": "pre", "respondent_id": f"R{i}", item: b,
                     "response_date": "2024-05-01"})
        rows.append({"programme": "Job Club", "wave": "post", "respondent_id": f"R{i}", item: a,
                     "response_date": "2024-06-01"})
    return rows


# 16 pairs: 10 agree before (62%), 15 after (94%): 5 became positive, none stopped (the example)
BEFORE = [4] * 10 + [3] * 6
AFTER = [5] * 10 + [4] * 5 + [3]


def _statements(rows, **kw):
    data = frames(surveys=rows, attendance=[{"programme": "Job Club", "session_date": "2024-06-01",
                                             "attendees": 200}])
    ind = indicators.compute(data, Filters(), min_n=10)
    return statements(ind, [], None, None, Filters(), data, 10, 5, Reliability(10, 0.5, 5)), ind


def test_a_change_in_a_share_names_mcnemar_and_a_change_in_a_mean_names_wilcoxon_each_holm_adjusted():
    found, _ = _statements(_pairs("outcome_digital_skills", BEFORE, AFTER))
    change = [s for s in found if s.kind == "change"]
    share = next(s for s in change if s.test == "McNemar exact")
    mean = next(s for s in change if s.test == "Wilcoxon signed-rank")
    assert share.p_value == pytest.approx(sps.binomtest(5, 5, 0.5).pvalue)  # 0.0625, not Wilcoxon's
    assert "went from 62% to 94%" in share.text and "McNemar exact p = 0.062" in share.text
    diffs = [a - b for a, b in zip(AFTER, BEFORE)]
    assert mean.p_value == pytest.approx(sps.wilcoxon(diffs).pvalue)
    adjusted = holm([s.p_value for s in found])
    assert [s.p_holm for s in found] == adjusted
    assert f"Holm-adjusted p = {share.p_holm:.3f}" in share.text
    assert "95% CI" in share.text and "Cohen's d_z" in mean.text  # effect sizes with intervals


def test_a_change_worded_item_is_never_compared_before_against_after():
    found, ind = _statements(_pairs("knowledge", BEFORE, AFTER))
    assert not [s for s in found if s.kind == "change"] and "knowledge" not in ind.change


def test_a_statement_without_a_test_prints_no_p_value():
    found, _ = _statements(_pairs("outcome_digital_skills", BEFORE, AFTER))
    for s in found:
        if s.p_value is None:
            assert " p " not in s.text and "p <" not in s.text and "{P}" not in s.text


def test_outcome_statements_count_responses_not_participants():
    rows = [{"programme": "Job Club", "wave": "post", "knowledge": 5 if i % 5 else 2,
             "response_date": f"2024-06-{1 + i % 20:02d}"} for i in range(200)]
    found, _ = _statements(rows)
    outcome = [s for s in found if s.kind == "outcome"]
    assert outcome and all("post-session responses" in s.text and "participants" not in s.text for s in outcome)
