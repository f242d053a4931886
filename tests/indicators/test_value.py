"""Value (impact/indicators/value.py): inputs, cost per attendance and per estimated positive outcome,
partner leverage, on a small table worked out by hand; the hourly rate comes from the caller (the store)."""
from __future__ import annotations

import pytest

from impact import indicators
from impact.filters import Filters
from impact.indicators.value import value

from .tables import frames

PROGRAMMES = [
    {"name": "Job Club", "theme": "Job skills", "branch": "Central", "library_cost": 1000.0, "library_staff_hours": 10.0},
    {"name": "Book Club", "theme": "Reading", "branch": "Northgate", "library_cost": 500.0},
    {"name": "Storytime", "theme": "Reading", "branch": "Central", "library_cost": 300.0},  # no attendance recorded
    {"name": "Craft Club", "theme": "Culture", "branch": "Central"},  # no costs recorded
]
LINKS = [
    {"programme": "Job Club", "partner": "Jobcentre", "cash": 200.0, "in_kind": 300.0, "staff_hours": 4.0},
    {"programme": "Book Club", "partner": "Reading Friends", "in_kind": 100.0},
]
PARTNERS = [{"name": "Jobcentre", "partnership_type": "stakeholder"},
            {"name": "Reading Friends", "partnership_type": "community"}]
ATTENDANCE = [
    {"programme": "Job Club", "session_date": "2024-05-01", "attendees": 20},
    {"programme": "Job Club", "session_date": "2024-06-01", "attendees": 10},
    {"programme": "Book Club", "session_date": "2024-05-02", "attendees": 10},
    {"programme": "Craft Club", "session_date": "2024-06-03", "attendees": 5},
]
SURVEYS = [{"programme": "Job Club", "wave": "post", "knowledge": k, "confidence": c, "satisfaction": 5}
           for k, c in ((5, 4), (4, 4), (2, 3), (1, None))]
DATA = frames(PROGRAMMES, PARTNERS, LINKS, ATTENDANCE, SURVEYS)
RATE = 20.0
LIBRARY = (1000 + 10 * RATE) + 500 + 300  # Job Club, Book Club, Storytime; Craft Club recorded nothing
PARTNER = (200 + 300 + 4 * RATE) + 100


def test_total_input_adds_library_and_partner_money_and_time_at_the_hourly_rate():
    v = value(DATA, hourly_rate=RATE)
    assert (v.library_input, v.partner_input, v.total_input) == (LIBRARY, PARTNER, LIBRARY + PARTNER)
    assert (v.programmes, v.programmes_without_costs) == (4, 1)
    assert value(DATA, hourly_rate=0.0).total_input == 1800 + 600  # the rate only prices hours


def test_cost_per_attendance_and_leverage():
    v = value(DATA, hourly_rate=RATE)
    assert v.attendance == 45
    assert v.cost_per_attendance == pytest.approx((LIBRARY + PARTNER) / 45)
    assert v.leverage == pytest.approx(PARTNER / LIBRARY)


def test_cost_per_positive_outcome_is_an_estimate_from_the_pooled_positive_rate():
    v = value(DATA, hourly_rate=RATE)
    # positive answers: knowledge 2 of 4, confidence 2 of 3 (a blank is not a negative); satisfaction is no outcome
    assert v.positive_rate == pytest.approx(4 / 7)
    assert v.cost_per_positive_outcome == pytest.approx((LIBRARY + PARTNER) / (45 * 4 / 7))
    assert "estimate" in v.estimate_note
    assert value(DATA, hourly_rate=RATE, outcome="knowledge").positive_rate == pytest.approx(2 / 4)


def test_part_of_a_programme_takes_its_share_of_sessions_of_the_inputs():
    june = value(DATA, Filters(date_from="2024-06", date_to="2024-06"), hourly_rate=RATE)
    # Job Club held 1 of its 2 sessions in June: half of its inputs; Storytime (no sessions to share by)
    # and Book Club (May only) are out; Craft Club is in but cost nothing
    assert june.total_input == pytest.approx((1000 + 10 * RATE + 580) / 2)
    assert june.attendance == 15 and june.programmes == 2
    assert june.cost_per_attendance == pytest.approx(890 / 15)


def test_a_session_of_several_rows_shares_its_part_by_attendance():
    rows = [{"programme": "Book Club", "session_date": "2024-05-02", "age_band": "18-24", "attendees": 3},
            {"programme": "Book Club", "session_date": "2024-05-02", "age_band": "65+", "attendees": 1},
            {"programme": "Book Club", "session_date": "2024-05-09", "age_band": "65+", "attendees": 4},
            {"programme": "Book Club", "session_date": "2024-05-16", "age_band": "65+"}]  # not recorded: no share
    data = frames(PROGRAMMES[1:2], attendance=rows)
    by_age = {g.group: g.value for g in indicators.compute_by(data, "age_band", hourly_rate=RATE)}
    # two recorded sessions: 250 each; the first split 3:1 between its rows
    assert by_age["18-24"].total_input == pytest.approx(250 * 3 / 4)
    assert by_age["65+"].total_input == pytest.approx(250 * 1 / 4 + 250)
    assert value(data, Filters(groups={"age_band": ["65+"]}), hourly_rate=RATE).cost_per_attendance == \
        pytest.approx((250 / 4 + 250) / 5)


def test_value_by_partner_and_by_theme():
    by_partner = {g.group: g.value for g in indicators.compute_by(DATA, "partner", hourly_rate=RATE)}
    assert by_partner["Jobcentre"].total_input == pytest.approx(1000 + 10 * RATE + 580)
    assert by_partner["Reading Friends"].total_input == pytest.approx(600)
    assert by_partner["(no partner)"].total_input == pytest.approx(300)  # Storytime; Craft Club cost nothing
    by_theme = {g.group: g.value for g in indicators.compute_by(DATA, "theme", hourly_rate=RATE)}
    assert by_theme["Reading"].total_input == pytest.approx(900)
    assert by_theme["Culture"].cost_per_attendance == 0.0 and by_theme["Culture"].programmes_without_costs == 1


def test_nothing_to_divide_by_gives_no_figure_not_zero_or_infinity():
    v = value(frames([{"name": "Storytime", "library_cost": 300.0}]), hourly_rate=RATE)
    assert (v.total_input, v.cost_per_attendance, v.cost_per_positive_outcome, v.leverage) == (300.0, None, None, 0.0)
    assert v.reliable is False
    assert value(frames(), hourly_rate=RATE).leverage is None


def test_value_json_has_the_shape_the_cli_promises():
    d = indicators.compute(DATA, hourly_rate=RATE).to_dict()["value"]
    assert {"total_input", "cost_per_attendance", "cost_per_positive_outcome", "leverage", "n", "reliable"} <= set(d)


def test_cost_effectiveness_of_partners_programmes_is_value_weighted_by_what_each_put_in():
    # what the old partnership "balance" measured, now labelled cost-effectiveness (PARTNERSHIPS.md)
    from impact.indicators.value import partner_cost_effectiveness
    made = frames(
        programmes=[{"name": "ESOL Cafe", "library_cost": 1000.0}, {"name": "Summer Reading", "library_cost": 9000.0}],
        partners=[{"name": "Refugee Network", "partnership_type": "community"},
                  {"name": "Building Society", "partnership_type": "stakeholder"}],
        links=[{"programme": "ESOL Cafe", "partner": "Refugee Network", "cash": 3000.0, "staff_hours": 100.0},
               {"programme": "Summer Reading", "partner": "Building Society", "cash": 1000.0}],
        attendance=[{"programme": "ESOL Cafe", "session_date": "2024-05-01", "attendees": 10},
                    {"programme": "Summer Reading", "session_date": "2024-05-01", "attendees": 890}])
    by = {v.partner: v for v in partner_cost_effectiveness(made, hourly_rate=10.0)}
    # no survey answers: attendance per £1,000. ESOL 10 / £5,000 = 2; Summer 890 / £10,000 = 89; all 900 / £15,000
    refugee, society = by["Refugee Network"], by["Building Society"]
    assert refugee.basis == "attendance" and (refugee.input, refugee.programme_input) == (4000, 5000)
    assert (refugee.per_1000, society.per_1000) == pytest.approx((2.0, 89.0))
    assert (refugee.relative, society.relative) == pytest.approx((2 / 60, 89 / 60))
