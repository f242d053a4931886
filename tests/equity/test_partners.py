"""Equity across partners (impact/equity/partners.py): stakes, balance and imbalance worked out by hand."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicators.tables import frames

from impact.equity.partners import LIBRARY, imbalance, partner_equity
from impact.filters import Filters

RATE = 10.0  # £ an hour
PROGRAMMES = [{"name": "ESOL Cafe", "library_cost": 1000.0, "library_staff_hours": 0.0},
              {"name": "Summer Reading", "library_cost": 9000.0, "library_staff_hours": 0.0},
              {"name": "Money Talk", "library_cost": 500.0},
              {"name": "Hall Talk", "library_cost": 500.0}]
PARTNERS = [{"name": "Giver", "partnership_type": "community"}, {"name": "Taker", "partnership_type": "stakeholder"},
            {"name": "Referrer", "partnership_type": "stakeholder"}, {"name": "Church", "partnership_type": "community"}]
LINKS = [
    # gives 3000 cash and 100 hours (£1000) to a programme of 10 people: input 4000 of the programme's 5000
    {"programme": "ESOL Cafe", "partner": "Giver", "role": "lead", "cash": 3000.0, "staff_hours": 100.0,
     "in_kind": 0.0, "promoted": True, "credited": False},
    # gives 1000 to a programme of 890 people: input 1000 of 10000, and is credited
    {"programme": "Summer Reading", "partner": "Taker", "role": "funder", "cash": 1000.0, "staff_hours": 0.0,
     "in_kind": 0.0, "promoted": False, "credited": True},
    {"programme": "Money Talk", "partner": "Referrer", "role": "referral"},  # contributes nothing
    {"programme": "Hall Talk", "partner": "Church", "role": "venue"},  # the venue, nothing else recorded
]
ATTENDANCE = [{"programme": "ESOL Cafe", "session_date": "2024-05-01", "attendees": 5},
              {"programme": "ESOL Cafe", "session_date": "2024-06-01", "attendees": 5},
              {"programme": "Summer Reading", "session_date": "2024-05-01", "attendees": 890}]


def data(**more):
    return frames(programmes=PROGRAMMES, partners=PARTNERS, links=LINKS, attendance=ATTENDANCE, **more)


def test_a_partner_who_gives_much_and_gets_little_has_balance_below_1():
    e = partner_equity(data(), hourly_rate=RATE)
    assert e.basis == "attendance"  # no survey answers: results are attendance
    giver, taker = e.partner("Giver"), e.partner("Taker")
    assert (giver.input, taker.input) == (4000, 1000)
    # results: 10 × 4000/5000 = 8 and 890 × 1000/10000 = 89 attendances
    assert (giver.attendance, taker.attendance) == pytest.approx((8, 89))
    assert (giver.input_share, taker.input_share) == pytest.approx((0.8, 0.2))
    assert (giver.result_share, taker.result_share) == pytest.approx((8 / 97, 89 / 97))
    assert giver.balance == pytest.approx((8 / 97) / 0.8) and giver.balance < 1
    assert taker.balance == pytest.approx((89 / 97) / 0.2) and taker.balance > 1
    assert e.imbalance == pytest.approx(0.5 * (abs(8 / 97 - 0.8) + abs(89 / 97 - 0.2)))
    assert e.partner("Referrer").balance is None  # gives nothing, gets nothing: no balance to show
    assert (giver.effort_share, giver.money_share) == pytest.approx((1.0, 3000 / 4000))
    assert (giver.promoted, giver.credited, taker.promoted, taker.credited) == (1, 0, 0, 1)


def test_results_are_estimated_positive_outcomes_when_surveys_answer():
    surveys = ([{"programme": "ESOL Cafe", "wave": "post", "knowledge": s} for s in (5, 2)]  # 1 of 2
               + [{"programme": "Summer Reading", "wave": "post", "knowledge": s} for s in (4, 4, 5, 1)]  # 3 of 4
               + [{"programme": "Summer Reading", "wave": "post", "satisfaction": 1}])  # not an outcome item
    e = partner_equity(data(surveys=surveys), hourly_rate=RATE)
    assert e.basis == "outcomes"
    giver, taker = e.partner("Giver"), e.partner("Taker")
    # ESOL: 10 × 1/2 = 5 positive outcomes, 4/5 to the giver; Summer: 890 × 3/4 = 667.5, 1/10 to the taker
    assert (giver.positive_outcomes, taker.positive_outcomes) == pytest.approx((4, 66.75))
    assert giver.balance == pytest.approx((4 / 70.75) / 0.8)
    assert giver.attendance_share == pytest.approx(8 / 97)  # attendance stays beside it


def test_partnership_programmes_follow_the_public_libraries_survey_rule():
    e = partner_equity(data(), hourly_rate=RATE)
    flags = {p.programme: p.partnership for p in e.programmes}
    assert flags == {"ESOL Cafe": True, "Summer Reading": True, "Money Talk": False, "Hall Talk": True}
    assert e.partnership_programmes == 3 and e.programmes_in_scope == 4


def test_every_partys_stake_in_a_programme_includes_the_library_service():
    e = partner_equity(data(), hourly_rate=RATE)
    esol = [s for s in e.stakes if s.programme == "ESOL Cafe"]
    assert [(s.party, s.input, s.input_share, s.attendance) for s in esol] == [
        (LIBRARY, 1000, 0.2, pytest.approx(2)), ("Giver", 4000, 0.8, pytest.approx(8))]


def test_a_given_split_replaces_the_input_share_and_the_library_takes_the_rest():
    e = partner_equity(data(), hourly_rate=RATE, split={("Summer Reading", "Taker"): 0.5})
    assert e.partner("Taker").attendance == pytest.approx(445)
    summer = {s.party: s.result_split for s in e.stakes if s.programme == "Summer Reading"}
    assert summer == {LIBRARY: 0.5, "Taker": 0.5}
    assert next(p for p in e.programmes if p.programme == "Summer Reading").split_given


def test_a_period_filter_scales_inputs_by_the_share_of_attendance_in_the_period():
    e = partner_equity(data(), Filters(date_from="2024-06", date_to="2024-06"), hourly_rate=RATE)
    giver = e.partner("Giver")  # half of ESOL's attendance is in June; Summer Reading none
    assert giver.input == pytest.approx(2000) and giver.attendance == pytest.approx(4)
    assert [p.partner for p in e.partners] == ["Giver"] and e.imbalance == pytest.approx(0)


def test_balance_by_partnership_type():
    by = {t.type: t for t in partner_equity(data(), hourly_rate=RATE).by_type}
    assert by["community"].input_share == pytest.approx(0.8)  # Giver and Church (who gives 0)
    assert by["community"].result_share == pytest.approx(8 / 97)
    assert by["stakeholder"].balance == pytest.approx((89 / 97) / 0.2)


def test_partners_without_a_partnership_type_are_grouped_as_not_recorded():
    partners = [{"name": "Giver"}, *PARTNERS[1:]]
    e = partner_equity(frames(programmes=PROGRAMMES, partners=partners, links=LINKS, attendance=ATTENDANCE),
                       hourly_rate=RATE)
    assert e.partner("Giver").type is None
    assert "(not recorded)" in {t.type for t in e.by_type}


# --- properties ---------------------------------------------------------------------------------------

@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=10).filter(lambda xs: sum(xs) > 0))
def test_imbalance_is_0_when_every_result_share_equals_the_input_share(values):
    total = sum(values)
    share = [v / total for v in values]
    assert imbalance(share, share) == pytest.approx(0, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=2, max_size=6))
def test_imbalance_is_0_end_to_end_when_results_follow_inputs(sizes):
    """Each partner funds its own programme alone (the library puts in nothing) and draws attendance in
    proportion to what it gives: every result share equals its input share."""
    programmes = [{"name": f"P{i}", "library_cost": 0.0} for i in range(len(sizes))]
    partners = [{"name": f"Partner {i}", "partnership_type": "community"} for i in range(len(sizes))]
    links = [{"programme": f"P{i}", "partner": f"Partner {i}", "cash": 10.0 * s} for i, s in enumerate(sizes)]
    attendance = [{"programme": f"P{i}", "session_date": "2024-05-01", "attendees": s} for i, s in enumerate(sizes)]
    e = partner_equity(frames(programmes=programmes, partners=partners, links=links, attendance=attendance))
    assert e.imbalance == pytest.approx(0, abs=1e-12)
    assert [p.balance for p in e.partners] == pytest.approx([1.0] * len(sizes))
    assert sum(p.input_share for p in e.partners) == pytest.approx(1)
    assert sum(p.result_share for p in e.partners) == pytest.approx(1)


@given(st.lists(st.floats(0, 1), min_size=2, max_size=10), st.lists(st.floats(0, 1), min_size=2, max_size=10))
def test_imbalance_of_two_share_vectors_lies_between_0_and_1(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    if sum(a) == 0 or sum(b) == 0:
        return
    r, i = [x / sum(a) for x in a], [x / sum(b) for x in b]
    assert -1e-12 <= imbalance(r, i) <= 1 + 1e-12
