"""Outcomes (impact/indicators/outcomes.py): positive rates, distributions, change before to after,
follow-up application, on small tables worked out by hand; tests against scipy."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as sps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import indicators
from impact.filters import Filters
from impact.indicators.outcomes import (
    change,
    change_worded,
    follow_up_application,
    outcomes,
    outcomes_by,
)

from .tables import frames

POST = [{"programme": "Digital Drop-in", "wave": "post", "knowledge": k} for k in (5, 4, 3, None, 2, 4)]


def test_positive_rate_is_4_or_5_among_valid_answers_with_wilson_interval():
    o = outcomes(frames(surveys=POST))["knowledge"]
    assert (o.n, o.positive, o.missing) == (5, 3, 1)  # the blank answer is out of n, not a negative
    assert o.positive_rate == pytest.approx(3 / 5)
    ci = sps.binomtest(3, 5).proportion_ci(method="wilson")
    assert (o.ci_low, o.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert o.mean == pytest.approx((5 + 4 + 3 + 2 + 4) / 5)
    assert o.to_dict()["distribution"] == {"1": 0, "2": 1, "3": 1, "4": 2, "5": 1}
    assert o.reliable is False  # 5 < the display minimum of 10


def test_the_response_rate_sits_beside_every_outcome():
    f = frames(attendance=[{"programme": "Digital Drop-in", "session_date": "2024-05-01", "attendees": 12}],
               surveys=POST)
    found = outcomes(f)
    assert found["knowledge"].response_rate == pytest.approx(6 / 12)


def test_only_the_post_session_wave_by_default_and_custom_items_are_outcomes_too():
    rows = POST + [{"programme": "Digital Drop-in", "wave": "pre", "knowledge": 1},
                   {"programme": "Digital Drop-in", "wave": "post", "outcome_belonging": 5},
                   {"programme": "Digital Drop-in", "wave": "post", "outcome_belonging": 2}]
    found = outcomes(frames(surveys=rows))
    assert found["knowledge"].n == 5
    assert (found["outcome_belonging"].n, found["outcome_belonging"].positive) == (2, 1)
    assert outcomes(frames(surveys=rows), wave="pre")["knowledge"].n == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=40))
def test_missing_answers_are_never_negative_and_never_in_a_mean(answers):
    found = outcomes(frames(surveys=[{"programme": "P", "wave": "post", "confidence": a} for a in answers]))
    valid = [a for a in answers if a is not None]
    if not valid:
        assert "confidence" not in found
        return
    o = found["confidence"]
    assert o.n == len(valid) and o.missing == len(answers) - len(valid)
    assert o.positive == sum(a >= 4 for a in valid)
    assert o.mean == pytest.approx(sum(valid) / len(valid))
    assert 0 <= o.ci_low <= o.positive_rate <= o.ci_high <= 1


PRE_POST = [  # four respondents answered before and after; R5 only after (unmatched, left out of the pairs)
    {"programme": "Job Club", "wave": "pre", "respondent_id": "R1", "outcome_digital_skills": 2},
    {"programme": "Job Club", "wave": "pre", "respondent_id": "R2", "outcome_digital_skills": 3},
    {"programme": "Job Club", "wave": "pre", "respondent_id": "R3", "outcome_digital_skills": 3},
    {"programme": "Job Club", "wave": "pre", "respondent_id": "R4", "outcome_digital_skills": 4},
    {"programme": "Job Club", "wave": "post", "respondent_id": "R1", "outcome_digital_skills": 4},
    {"programme": "Job Club", "wave": "post", "respondent_id": "R2", "outcome_digital_skills": 3},
    {"programme": "Job Club", "wave": "post", "respondent_id": "R3", "outcome_digital_skills": 5},
    {"programme": "Job Club", "wave": "post", "respondent_id": "R4", "outcome_digital_skills": 5},
    {"programme": "Job Club", "wave": "post", "respondent_id": "R5", "outcome_digital_skills": 1},
]


def test_pre_post_change_is_paired_on_respondent_id_with_hand_worked_figures():
    c = change(frames(surveys=PRE_POST), min_n=3)["outcome_digital_skills"]
    diffs = [2, 0, 2, 1]
    sd = float(np.std(diffs, ddof=1))
    assert (c.method, c.n, c.test, c.effect_size_name) == ("paired", 4, "Wilcoxon signed-rank", "Cohen's d_z")
    assert c.mean_diff == pytest.approx(1.25) and c.effect_size == pytest.approx(1.25 / sd)
    assert c.p_value == pytest.approx(sps.wilcoxon(diffs).pvalue)
    assert (c.improved.k, c.same.k, c.worse.k) == (3, 1, 0)
    # agree (4-5) before: R4 only; after: R1, R3, R4 -> two became positive, none stopped
    assert (c.became_positive, c.stopped_positive) == (2, 0)
    assert c.mcnemar_p == pytest.approx(sps.binomtest(2, 2, 0.5).pvalue)


def test_the_same_respondent_id_in_another_programme_is_another_pair():
    other = [{"programme": "Book Club", "wave": "post", "respondent_id": "R1", "outcome_digital_skills": 1}]
    assert change(frames(surveys=PRE_POST + other))["outcome_digital_skills"].n == 4


def test_without_respondent_ids_change_is_unpaired_and_says_so():
    rows = [{**r, "respondent_id": None} for r in PRE_POST]
    c = change(frames(surveys=rows))["outcome_digital_skills"]
    before, after = [2, 3, 3, 4], [4, 3, 5, 5, 1]
    assert (c.method, c.test, c.effect_size_name) == ("unpaired", "Mann-Whitney U", "Hedges' g")
    assert (c.n_before, c.n_after, c.n) == (4, 5, 4)
    assert c.mean_diff == pytest.approx(np.mean(after) - np.mean(before))
    pooled = math.sqrt((3 * np.var(before, ddof=1) + 4 * np.var(after, ddof=1)) / 7)
    assert c.effect_size == pytest.approx((np.mean(after) - np.mean(before)) / pooled * (1 - 3 / (4 * 9 - 9)))
    assert c.p_value == pytest.approx(sps.mannwhitneyu(before, after).pvalue)
    assert c.improved is None and c.mcnemar_p is None


def test_change_worded_items_are_never_compared_pre_against_post():
    # "I feel more confident" asks about change: a pre answer to it is not a baseline
    rows = [{**r, "confidence": r["outcome_digital_skills"]} for r in PRE_POST]
    found = change(frames(surveys=rows))
    assert "confidence" not in found and "outcome_digital_skills" in found
    assert change_worded("knowledge") and change_worded("outcome_more_confident_online")
    assert not change_worded("outcome_digital_skills")


def test_change_json_has_the_shape_the_cli_promises():
    c = change(frames(surveys=PRE_POST))["outcome_digital_skills"].to_dict()
    assert {"method", "n", "mean_diff", "effect_size", "p_value"} <= set(c)
    assert c["improved"]["k"] == 3


def test_follow_up_application_rate():
    rows = [{"programme": "Job Club", "wave": "follow_up", "application": a} for a in (5, 4, 2, None)]
    rows.append({"programme": "Job Club", "wave": "post", "application": 1})
    f = follow_up_application(frames(surveys=rows))
    assert (f.wave, f.n, f.positive) == ("follow_up", 3, 2)


def test_outcomes_by_theme_and_over_time():
    programmes = [{"name": "Job Club", "theme": "Job skills"}, {"name": "Rhyme Time", "theme": "Early literacy"}]
    rows = [{"programme": "Job Club", "wave": "post", "response_date": "2024-03-31", "knowledge": 5},
            {"programme": "Job Club", "wave": "post", "response_date": "2024-04-01", "knowledge": 2},
            {"programme": "Rhyme Time", "wave": "post", "response_date": "2024-07-01", "knowledge": 4}]
    by_theme = dict(outcomes_by(frames(programmes, surveys=rows), "theme"))
    assert by_theme["Job skills"]["knowledge"].positive == 1 and by_theme["Job skills"]["knowledge"].n == 2
    by_fy = dict(outcomes_by(frames(programmes, surveys=rows), "period", Filters(grain="financial_year")))
    assert {k: v["knowledge"].n for k, v in by_fy.items()} == {"2023/24": 1, "2024/25": 2}


def test_summary_keeps_the_shape_the_overview_page_reads():
    s = indicators.summary(frames(surveys=POST), min_n=10)
    assert set(s["reach"]) == {"attendance", "sessions", "new_attendees", "not_recorded"}
    assert {"n", "positive", "positive_rate", "ci_low", "ci_high", "mean", "reliable"} <= set(s["outcomes"]["knowledge"])
    assert s["counts"]["post_responses"] == 6


def test_a_paired_mean_change_has_the_paired_t_interval_when_pairs_are_independent():
    c = change(frames(surveys=PRE_POST), min_n=3)["outcome_digital_skills"]
    diffs = [2, 0, 2, 1]  # all answers undated: no clusters known, so the pairs are taken as independent
    half = sps.t.ppf(0.975, 3) * np.std(diffs, ddof=1) / 2
    assert (c.mean_low, c.mean_high) == (pytest.approx(1.25 - half), pytest.approx(1.25 + half))
    assert c.cluster_unit == "pairs"


def test_a_paired_mean_change_clustered_by_session_is_worked_by_hand():
    # two sessions of pairs: differences (2, 2) on 1 May, (0, 0) on 8 May; mean 1, clusters n_c = 2, sums 4 and 0
    rows = []
    for k, (day, b, a) in enumerate([("2024-05-01", 2, 4), ("2024-05-01", 3, 5), ("2024-05-08", 3, 3),
                                     ("2024-05-08", 4, 4)]):
        rows += [{"programme": "Job Club", "wave": "pre", "respondent_id": f"R{k}", "outcome_digital_skills": b,
                  "response_date": "2024-04-01"},
                 {"programme": "Job Club", "wave": "post", "respondent_id": f"R{k}", "outcome_digital_skills": a,
                  "response_date": day}]
    c = change(frames(surveys=rows), min_n=3)["outcome_digital_skills"]
    v = 2 / 1 * ((4 - 1 * 2) ** 2 + (0 - 1 * 2) ** 2) / 4 ** 2  # C/(C−1) Σ (D_c − mean·n_c)² / n²
    half = sps.t.ppf(0.975, 1) * math.sqrt(v)
    assert (c.clusters, c.cluster_unit) == (2, "sessions")
    assert (c.mean_low, c.mean_high) == (pytest.approx(1 - half), pytest.approx(1 + half))
    assert c.design_effect == pytest.approx(v / (np.var([2, 2, 0, 0], ddof=1) / 4))
