"""Partnership fairness (impact/equity/partners.py): the five stakes, shared or not, agreed against delivered
and the imbalance, each worked out by hand beside small frames."""
from __future__ import annotations

import pytest
from indicators.tables import frames

from impact import equity
from impact.equity.partners import LIBRARY, Thresholds, imbalance, partnership_fairness
from impact.filters import Filters

COOK = {"name": "Cook and Eat", "library_cost": 100.0, "library_staff_hours": 10.0}
FAIR = {"name": "Story Walk", "library_cost": 100.0, "library_staff_hours": 20.0}
PARTNERS = [{"name": "Westfield Food Bank", "partnership_type": "community"},
            {"name": "Parks Trust", "partnership_type": "stakeholder"},
            {"name": "Reading Circle", "partnership_type": "library"}]
# the food bank gives 30 of 40 staff hours and leads 7 of 10 sessions; promoted, never credited
FOOD_BANK = {"programme": "Cook and Eat", "partner": "Westfield Food Bank", "role": "lead", "staff_hours": 30.0,
             "sessions_led": 7, "promoted": True, "credited": False}
# the trust co-delivers every session, gives 20 hours and £100 (the library: 20 hours, £100), promoted, credited
TRUST = {"programme": "Story Walk", "partner": "Parks Trust", "role": "co-delivery", "staff_hours": 20.0,
         "cash": 60.0, "in_kind": 40.0, "promoted": True, "credited": True}
ATTENDANCE = [{"programme": "Cook and Eat", "session_date": "2024-05-01", "attendees": 50, "sessions": 10},
              {"programme": "Story Walk", "session_date": "2024-05-01", "attendees": 30, "sessions": 4}]


def data(programmes=(COOK, FAIR), links=(FOOD_BANK, TRUST), partners=PARTNERS, attendance=ATTENDANCE):
    return frames(programmes=list(programmes), partners=list(partners), links=list(links),
                  attendance=list(attendance))


def test_a_partner_doing_most_of_the_work_uncredited_is_named_with_the_stake_in_words():
    f = partnership_fairness(data(links=[FOOD_BANK], programmes=[COOK]))
    bank, library = f.stake("Cook and Eat", "Westfield Food Bank"), f.stake("Cook and Eat", LIBRARY)
    assert (bank.efforts, library.efforts) == pytest.approx((30 / 40, 10 / 40))
    assert (bank.outputs, library.outputs) == pytest.approx((7 / 10, 3 / 10))  # the library led the other 3
    assert bank.money_share is None and library.money_share is None  # no partner money: not relevant
    assert (bank.marketing, library.marketing) == (0.5, 0.5)  # both promoted (the library its own programme)
    assert (bank.results, library.results) == (0.0, 1.0)
    assert bank.contribution == pytest.approx((0.75 + 0.7) / 2) and bank.recognition == pytest.approx(0.25)
    (p,) = f.partnerships
    assert p.shared is False and p.recorded == ("efforts", "outputs", "marketing", "results")
    # ½ (|0.725 − 0.25| + |0.275 − 0.75|)
    assert p.imbalance == pytest.approx(0.475) and f.imbalance == pytest.approx(0.475)
    (finding,) = p.findings
    assert finding.kind == "uncredited" and finding.stakes == ("efforts", "outputs")
    assert finding.words == ("Westfield Food Bank gave 75% of the staff hours and led or co-delivered 70% of the "
                             "sessions in Cook and Eat and was not credited")


def test_a_partnership_fair_on_every_stake_is_shared_with_imbalance_zero():
    f = partnership_fairness(data(links=[TRUST], programmes=[FAIR]))
    trust = f.stake("Story Walk", "Parks Trust")
    # co-delivery: both deliver all 4 sessions; money £100 each; both promoted and credited
    assert (trust.efforts, trust.outputs, trust.money_share, trust.marketing, trust.results) == (0.5,) * 5
    (p,) = f.partnerships
    assert p.shared is True and p.findings == () and p.imbalance == 0 and f.imbalance == 0


def test_network_imbalance_averages_each_party_over_the_partnership_programmes():
    f = partnership_fairness(data())
    # library: C = (0.275 + 0.5) / 2, R = (0.75 + 0.5) / 2; food bank C = 0.725 / 2, R = 0.25 / 2; trust 0.25, 0.25
    assert f.imbalance == pytest.approx(0.5 * (abs(0.3875 - 0.625) + abs(0.3625 - 0.125)))
    assert [p.programme for p in f.not_shared] == ["Cook and Eat"]
    lib = f.party(LIBRARY)
    assert lib.programmes == 2 and lib.efforts == pytest.approx(30 / 80)  # 10 + 20 of 40 + 40 hours
    assert imbalance([0.5, 0.5], [1.0, 0.0]) == 0.5 and imbalance([0.5], [float("nan")]) is None


def test_reach_of_promotion_weights_marketing_when_every_promoter_records_it():
    cook = {**COOK, "promotion_reach": 1000}
    bank = {**FOOD_BANK, "promotion_reach": 3000}
    f = partnership_fairness(data(programmes=[cook], links=[bank]))
    assert f.stake("Cook and Eat", "Westfield Food Bank").marketing == pytest.approx(0.75)
    # the library's reach unknown: promotion counts yes/no
    f = partnership_fairness(data(programmes=[COOK], links=[bank]))
    assert f.stake("Cook and Eat", "Westfield Food Bank").marketing == pytest.approx(0.5)


def test_a_partner_given_the_credit_for_little_is_not_shared_only_past_the_gap_setting():
    referral = {"programme": "Cook and Eat", "partner": "Reading Circle", "role": "referral", "promoted": True,
                "credited": True}
    # the library gives everything (C = 1) and has half the recognition (R = 0.5): 0.5 apart
    f = partnership_fairness(data(programmes=[COOK], links=[referral]))
    assert f.partnerships[0].shared is True  # not more than the default gap of 0.5
    f = partnership_fairness(data(programmes=[COOK], links=[referral]), thresholds=Thresholds(gap=0.4))
    by = {x.party: x for x in f.partnerships[0].findings}
    assert f.partnerships[0].shared is False and by[LIBRARY].kind == by["Reading Circle"].kind == "gap"
    assert by[LIBRARY].words.startswith("(the library service) carried 100% of the contribution to Cook and Eat")
    assert by["Reading Circle"].words.startswith("Reading Circle had 50% of the recognition for Cook and Eat")


def test_two_partners_lead_and_co_delivery_share_the_sessions():
    lead = {"programme": "Cook and Eat", "partner": "Westfield Food Bank", "role": "lead", "sessions_led": 4}
    co = {"programme": "Cook and Eat", "partner": "Parks Trust", "role": "co-delivery"}
    f = partnership_fairness(data(programmes=[COOK], links=[lead, co]))
    # 10 sessions: the food bank led 4, the library the other 6, the trust co-delivered all 10: of 20
    outputs = {s.party: s.outputs for s in f.stakes}
    assert outputs == pytest.approx({LIBRARY: 6 / 20, "Westfield Food Bank": 4 / 20, "Parks Trust": 10 / 20})
    assert f.partnerships[0].shared is None  # no promotion or credit recorded: nothing to judge by


def test_agreed_split_against_delivered_for_both_sides():
    bank = {**FOOD_BANK, "agreed_efforts": 30.0, "agreed_outputs": 0.6}
    f = partnership_fairness(data(programmes=[COOK], links=[bank]))
    by = {(d.party, d.stake): d for d in f.deliveries}
    efforts = by[("Westfield Food Bank", "efforts")]
    assert (efforts.agreed, efforts.delivered, efforts.verdict) == (0.3, 0.75, "over-delivered")
    library = by[(LIBRARY, "efforts")]
    assert library.agreed == pytest.approx(0.7) and library.verdict == "under-delivered"
    assert by[("Westfield Food Bank", "outputs")].verdict == "as agreed"  # 70% against 60%: within 10 points
    assert "agreed 30% of the staff hours of Cook and Eat and gave 75%: over-delivered" in efforts.words


def test_a_partner_uncredited_across_its_programmes_is_named_once_across_them():
    second = {**FOOD_BANK, "programme": "Story Walk"}
    f = partnership_fairness(data(links=[FOOD_BANK, second]))
    across = [x for x in f.findings if x.programme is None]
    assert [x.party for x in across] == ["Westfield Food Bank"]
    assert across[0].words.endswith("in its 2 partnership programmes and was credited in none of them")


def test_thresholds_come_from_settings_with_stated_defaults():
    t = Thresholds.from_settings({"partner_most": "0.6", "partner_gap": "", "partner_rating_gap": "oops"})
    assert (t.most, t.gap, t.rating_gap, t.tolerance) == (0.6, 0.5, 1.0, 0.1)


@pytest.mark.parametrize("case", ["no partners", "partners with no links", "filters leave none", "nothing at all"])
def test_no_partnership_gives_an_empty_answer_not_an_error(case):
    made = {"no partners": lambda: data(partners=[], links=[]),
            "partners with no links": lambda: data(links=[]),
            "filters leave none": lambda: data(),
            "nothing at all": lambda: frames()}[case]()
    found = equity.partnerships(made, Filters(date_from="2030-01-01") if case == "filters leave none" else None)
    assert found.empty and found.fairness.imbalance is None and found.fairness.not_shared == ()
    assert found.to_dict()["partnerships"] == []


def test_one_partner_in_every_programme():
    links = [{**FOOD_BANK, "programme": "Cook and Eat"}, {**TRUST, "partner": "Westfield Food Bank"}]
    found = equity.partnerships(data(partners=PARTNERS[:1], links=links))
    assert len(found.fairness.partnerships) == 2 and found.network.library_only == ("Westfield Food Bank",)
    assert found.fairness.party("Westfield Food Bank").programmes == 2


def test_a_session_lead_on_attendance_counts_the_sessions_each_party_led():
    attendance = [{"programme": "Cook and Eat", "session_date": f"2024-05-0{d}", "attendees": 5, "session_lead": lead}
                  for d, lead in ((1, "Westfield Food Bank"), (2, "westfield food bank"), (3, "Library"),
                                  (4, "Westfield Food Bank"), (5, "Jo Smith"))]  # not a party: left out
    f = partnership_fairness(data(programmes=[COOK], links=[FOOD_BANK], attendance=attendance))
    # the lead column wins over sessions_led: 3 sessions led by the food bank, 1 by the library
    assert f.stake("Cook and Eat", "Westfield Food Bank").outputs == pytest.approx(3 / 4)
    assert f.stake("Cook and Eat", LIBRARY).sessions == 1


def test_session_leads_count_only_the_rows_in_scope_and_skip_rows_naming_no_lead():
    """Leads are read per row once per data version; each scope counts its own rows: a period that leaves a
    partner's sessions out, and rows with no lead, change the counts."""
    from impact.filters import Filters

    attendance = [{"programme": "Cook and Eat", "session_date": day, "attendees": 5, "session_lead": lead}
                  for day, lead in (("2024-05-01", "Westfield Food Bank"), ("2024-05-02", None),
                                    ("2024-05-03", "Library"), ("2024-05-04", "Westfield Food Bank"),
                                    ("2024-06-01", "Westfield Food Bank"), ("2024-06-02", "the library"))]
    d = data(programmes=[COOK], links=[FOOD_BANK], attendance=attendance)
    may = partnership_fairness(d, Filters(date_from="2024-05-01", date_to="2024-05-31"))
    assert may.stake("Cook and Eat", "Westfield Food Bank").sessions == 2
    assert may.stake("Cook and Eat", LIBRARY).sessions == 1
    june = partnership_fairness(d, Filters(date_from="2024-06-01", date_to="2024-06-30"))
    assert june.stake("Cook and Eat", "Westfield Food Bank").sessions == 1
    assert june.stake("Cook and Eat", LIBRARY).sessions == 1
    whole = partnership_fairness(d)
    assert whole.stake("Cook and Eat", "Westfield Food Bank").sessions == 3
    assert whole.stake("Cook and Eat", LIBRARY).sessions == 2
