"""Is the partnership working for them? Both sides' health checks (impact/equity/feedback.py), by hand."""
from __future__ import annotations

import pandas as pd
import pytest
from indicators.tables import frames

from impact.equity.feedback import benefit_value, partnership_feedback
from impact.equity.partners import Thresholds
from impact.filters import Filters

ITEMS = ("shared_decisions", "recognised", "own_goals", "benefits_outweigh_costs", "work_again")


def check(partner, party, scores, programme=None, answered_on=None, **more):
    return {"partner": partner, "programme": programme, "party": party, "answered_on": answered_on,
            **dict(zip(ITEMS, scores)), **more}


def data(rows):
    made = frames(partners=[{"name": "Food Bank", "partnership_type": "community"},
                            {"name": "Parks Trust", "partnership_type": "stakeholder"}])
    feedback = pd.DataFrame(rows)
    for c in ITEMS:
        feedback[c] = feedback[c].astype("Int64")
    feedback["answered_on"] = pd.to_datetime(feedback["answered_on"])
    return {**made, "partnership_feedback": feedback}


def test_the_library_loving_a_partnership_the_partner_does_not_is_flagged_with_both_means():
    f = partnership_feedback(data([
        check("Food Bank", "library", (5, 5, 4, 5, 5), new_audiences="40", comment="a great partner"),
        check("Food Bank", "partner", (2, 1, 3, 2, 3), referrals="yes", volunteers="no"),
        check("Parks Trust", "library", (4, 4, 4, 4, 4)), check("Parks Trust", "partner", (4, 5, 4, 4, 4))]))
    bank = next(p for p in f.partnerships if p.partner == "Food Bank")
    # library mean 24 / 5 = 4.8; partner 11 / 5 = 2.2; gap 2.6 ≥ 1
    assert (bank.library.mean, bank.partner_side.mean) == pytest.approx((4.8, 2.2))
    assert bank.gap == pytest.approx(2.6) and bank.library_rates_higher
    assert bank.words == "The library rates Food Bank at 4.8 out of 5; Food Bank rates it 2.2: the one to talk about"
    assert f.library_rates_higher == (bank,) and f.partnerships[0] is bank  # listed first
    trust = next(p for p in f.partnerships if p.partner == "Parks Trust")
    assert trust.gap == pytest.approx(4.0 - 4.2) and not trust.library_rates_higher
    (not_working,) = f.not_working  # 2.2 < 3: not working for the food bank
    assert not_working.party == "partner" and set(not_working.lowest) == {"shared_decisions", "recognised",
                                                                           "benefits_outweigh_costs"}
    benefits = {b.benefit: (b.received, b.amount) for b in bank.partner_side.benefits}
    assert benefits["referrals"] == (True, None) and benefits["volunteers"] == (False, None)
    assert {b.benefit: b.amount for b in bank.library.benefits}["new_audiences"] == 40
    assert bank.library.comments == ("a great partner",) and f.both_sides == 2


def test_one_side_only_says_whose_check_is_missing():
    f = partnership_feedback(data([check("Food Bank", "library", (4, 4, 4, 4, 4), programme="Cook and Eat")]))
    (p,) = f.partnerships
    assert p.gap is None and p.programme == "Cook and Eat" and "the partner's health check is missing" in p.words


def test_only_the_latest_check_of_a_side_counts_and_the_rating_gap_is_a_setting():
    f = partnership_feedback(data([
        check("Food Bank", "partner", (1, 1, 1, 1, 1), answered_on="2023-01-01"),
        check("Food Bank", "partner", (4, 4, 4, 4, 4), answered_on="2024-01-01"),
        check("Food Bank", "library", (5, 5, 5, 5, 5), answered_on="2024-01-01")]), thresholds=Thresholds(rating_gap=0.5))
    (p,) = f.partnerships
    assert p.partner_side.mean == 4 and p.gap == 1 and p.library_rates_higher and f.not_working == ()
    older = partnership_feedback(data([check("Food Bank", "partner", (1, 1, 1, 1, 1), answered_on="2023-01-01"),
                                       check("Food Bank", "partner", (4, 4, 4, 4, 4), answered_on="2024-01-01")]),
                                 Filters(date_to="2023-12-31"))
    assert older.partnerships[0].partner_side.mean == 1  # the period filter keeps the older check


def test_filters_by_partnership_type_and_nothing_recorded_is_empty():
    rows = [check("Food Bank", "library", (5,) * 5), check("Parks Trust", "library", (3,) * 5)]
    f = partnership_feedback(data(rows), Filters(partnership_types=("stakeholder",)))
    assert [p.partner for p in f.partnerships] == ["Parks Trust"]
    assert partnership_feedback(frames()).partnerships == ()


@pytest.mark.parametrize(("text", "expected"), [("12", (True, 12.0)), ("0", (False, 0.0)), ("yes", (True, None)),
                                                ("no", (False, None)), (None, (None, None)), ("", (None, None))])
def test_a_benefit_is_a_count_or_yes_no(text, expected):
    assert benefit_value(text) == expected
