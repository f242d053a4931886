"""Reach and engagement (impact/indicators/reach.py) on small tables worked out by hand."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import indicators
from impact.filters import Filters, prepare
from impact.indicators.reach import reach, reach_by
from impact.stats import wilson

from .tables import frames

PROGRAMMES = [
    {"name": "Chess Club", "theme": "Games", "branch": "Central", "capacity_per_session": 10},
    {"name": "Rhyme Time", "theme": "Early literacy", "branch": "Northgate", "capacity_per_session": 20},
]
ATTENDANCE = [
    {"programme": "Chess Club", "session_date": "2024-05-01", "attendees": 7, "new_attendees": 2},
    {"programme": "Chess Club", "session_date": "2024-05-08", "attendees": 9},
    {"programme": "Chess Club", "session_date": "2024-05-15"},  # attendance not recorded
    {"programme": "Rhyme Time", "session_date": "2024-06-01", "attendees": 15, "new_attendees": 5},
    # a monthly return: four sessions in July, kept whole with its period
    {"programme": "Rhyme Time", "period_start": "2024-07-01", "period_end": "2024-07-31", "attendees": 60,
     "new_attendees": 10, "sessions": 4},
]
SURVEYS = [{"programme": "Chess Club", "wave": "post", "knowledge": 5},
           {"programme": "Rhyme Time", "wave": "post", "knowledge": 4},
           {"programme": "Rhyme Time", "wave": "post", "knowledge": 3},
           {"programme": "Rhyme Time", "wave": "pre", "knowledge": 2}]


def test_counts_of_the_footfall_baseline():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE, surveys=SURVEYS))
    assert r.headline() == {"attendance": 7 + 9 + 15 + 60, "sessions": 1 + 1 + 1 + 1 + 4, "new_attendees": 17,
                            "not_recorded": 1}
    assert r.n == 91 and r.reliable


def test_blank_attendance_is_not_recorded_never_zero_in_the_mean_per_session():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE))
    # the unrecorded Chess Club session is out of the denominator: 91 over 7 recorded sessions, not 8
    assert r.mean_per_session.value == pytest.approx(91 / 7)
    assert (r.mean_per_session.numerator, r.mean_per_session.denominator) == (91, 7)


def test_fill_rate_is_attendance_over_sessions_times_capacity():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE))
    places = 2 * 10 + (1 + 4) * 20  # Chess Club: 2 recorded sessions of 10; Rhyme Time: 5 sessions of 20
    assert r.fill_rate.value == pytest.approx(91 / places)
    assert r.fill_rate.n == 7


def test_fill_rate_leaves_out_programmes_without_a_capacity():
    progs = [{"name": "Chess Club", "capacity_per_session": 10}, {"name": "Rhyme Time"}]
    r = reach(frames(progs, attendance=ATTENDANCE))
    assert (r.fill_rate.numerator, r.fill_rate.denominator) == (16, 20)


def test_new_to_library_share_counts_rows_recording_both_with_wilson_interval():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE))
    # the 9-attendee row records no new attendees, so it is out of the base: 17 new of 7 + 15 + 60
    assert (r.new_to_library.k, r.new_to_library.n) == (17, 82)
    assert (r.new_to_library.low, r.new_to_library.high) == wilson(17, 82)


def test_survey_response_rate_is_post_responses_over_attendance():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE, surveys=SURVEYS))
    assert r.post_responses == 3
    assert r.response_rate.value == pytest.approx(3 / 91)


PEOPLE = [  # one row per person per session: two sessions, three people, A and B came twice
    {"programme": "Coding Club", "session_date": "2024-05-02", "participant_id": "A", "attendees": 1, "age_band": "12-17"},
    {"programme": "Coding Club", "session_date": "2024-05-02", "participant_id": "B", "attendees": 1, "age_band": "12-17"},
    {"programme": "Coding Club", "session_date": "2024-05-02", "participant_id": "C", "attendees": 1, "age_band": "18-24"},
    {"programme": "Coding Club", "session_date": "2024-05-09", "participant_id": "A", "attendees": 1, "age_band": "12-17"},
    {"programme": "Coding Club", "session_date": "2024-05-09", "participant_id": "B", "attendees": 1, "age_band": "12-17"},
]


def test_unique_participants_and_repeat_rate_from_participant_ids():
    r = reach(frames(attendance=PEOPLE))
    assert r.unique_participants == 3
    assert (r.repeat_rate.k, r.repeat_rate.n) == (2, 3)
    assert r.attendance == 5


def test_rows_that_are_parts_of_one_session_count_it_once():
    head_count = [  # a head-count sheet reshaped to one row per age band: one session, 10 people
        {"programme": "Rhyme Time", "session_date": "2024-06-08", "age_band": "0-4", "attendees": 6},
        {"programme": "Rhyme Time", "session_date": "2024-06-08", "age_band": "5-11", "attendees": 4},
    ]
    r = reach(frames(attendance=PEOPLE + head_count))
    assert r.sessions == 3 and r.attendance == 15
    assert r.mean_per_session.value == pytest.approx(5.0)
    by_age = dict(reach_by(frames(attendance=PEOPLE + head_count), "age_band"))
    # a session reached each group it had rows in
    assert {g: x.sessions for g, x in by_age.items()} == {"12-17": 2, "18-24": 1, "0-4": 1, "5-11": 1}


def test_without_participant_ids_unique_participants_is_unknown_not_zero():
    r = reach(frames(PROGRAMMES, attendance=ATTENDANCE))
    assert r.unique_participants is None and r.repeat_rate is None


def test_a_person_in_two_programmes_of_one_partner_counts_once_for_that_partner():
    links = [{"programme": "Coding Club", "partner": "Code Club UK"}, {"programme": "Maths Club", "partner": "Code Club UK"},
             {"programme": "Maths Club", "partner": "Numeracy Trust"}]
    maths = [{"programme": "Maths Club", "session_date": "2024-05-03", "participant_id": "A", "attendees": 1}]
    by = dict(reach_by(frames(links=links, attendance=PEOPLE + maths), "partner"))
    assert by["Code Club UK"].unique_participants == 3
    assert by["Code Club UK"].attendance == 6
    assert (by["Numeracy Trust"].unique_participants, by["Numeracy Trust"].repeat_rate.k) == (1, 0)


def test_partner_groups_overlap_a_programme_run_with_two_partners_counts_in_both():
    links = [{"programme": "Chess Club", "partner": "Chess Society"}, {"programme": "Chess Club", "partner": "Age UK"}]
    by = dict(reach_by(frames(PROGRAMMES, links=links, attendance=ATTENDANCE), "partner"))
    assert by["Chess Society"].attendance == by["Age UK"].attendance == 16
    assert by["(no partner)"].attendance == 75


# --- additivity: the sum over groups equals the total --------------------------------------------

ROW = st.fixed_dictionaries({
    "programme": st.sampled_from(["Chess Club", "Rhyme Time", "Coding Club"]),
    "session_date": st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)).map(str)),
    "branch": st.sampled_from(["Central", "Northgate", None]),
    "attendees": st.one_of(st.none(), st.integers(0, 40)),
    "new_attendees": st.one_of(st.none(), st.integers(0, 5)),
    "age_band": st.sampled_from(["0-4", "65+", None]),
    "participant_id": st.sampled_from(["A", "B", None]),
})
SURVEY = st.fixed_dictionaries({
    "programme": st.sampled_from(["Chess Club", "Rhyme Time", "Coding Club"]),
    "response_date": st.one_of(st.none(), st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)).map(str)),
    "wave": st.sampled_from(["pre", "post", "follow_up"]),
    "age_band": st.sampled_from(["0-4", "65+", None]),
    "knowledge": st.one_of(st.none(), st.integers(1, 5)),
})
ADDITIVE = ("attendance", "new_attendees", "not_recorded")
COSTED = [{**p, "library_cost": cost, "library_staff_hours": 10.0} for p, cost in zip(PROGRAMMES, (300.0, 450.0))]
COSTED.append({"name": "Storytime", "theme": "Early literacy", "library_cost": 120.0})  # no attendance at all


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=25), st.lists(SURVEY, max_size=15),
       st.sampled_from(["programme", "theme", "branch", "period", "age_band"]),
       st.sampled_from(["month", "quarter", "year", "financial_year"]))
def test_the_sum_over_groups_equals_the_total_for_additive_indicators(rows, surveys, dimension, grain):
    data = prepare(frames(COSTED, links=[{"programme": "Chess Club", "partner": "Chess Society", "cash": 80.0}],
                          attendance=rows, surveys=surveys))
    filters = Filters(grain=grain)
    total = indicators.compute(data, filters)
    groups = indicators.compute_by(data, dimension, filters)
    for key in ADDITIVE:
        assert sum(g.reach.headline()[key] for g in groups) == total.reach.headline()[key]
    assert sum(g.reach.post_responses for g in groups) == total.reach.post_responses
    for domain, o in total.outcomes.items():
        assert sum(g.outcomes[domain].n for g in groups if domain in g.outcomes) == o.n
        assert sum(g.outcomes[domain].positive for g in groups if domain in g.outcomes) == o.positive
    if dimension != "age_band":  # a session split across age bands reaches each of them
        assert sum(g.reach.sessions for g in groups) == total.reach.sessions
    if dimension in ("programme", "theme", "branch"):
        assert sum(g.value.total_input for g in groups) == pytest.approx(total.value.total_input)
        assert total.value.total_input >= 120.0  # Storytime has no attendance: its input stays in the total
