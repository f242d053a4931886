"""Equity of reach (impact/equity/reach.py) on baselines and attendance worked out by hand."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicators.tables import frames
from scipy import stats as sps

from impact.equity.reach import (
    concentration_index,
    dimension_reach,
    reach_equity,
    representation,
)
from impact.filters import Filters

AGE_POPULATION = [{"dimension": "Age band", "group": "0-17", "population": 200},
                  {"dimension": "Age band", "group": "18-64", "population": 600},
                  {"dimension": "Age band", "group": "65 and over", "population": 200},
                  {"dimension": "religion", "group": "none", "population": 10}]
# 10 + 50 + 40 = 100 attendances in the baseline's groups; 5 in a group it does not have
AGE_ATTENDANCE = [{"programme": "Chess Club", "session_date": "2024-05-01", "attendees": 10, "age_band": "Under 18"},
                  {"programme": "Chess Club", "session_date": "2024-05-02", "attendees": 50, "age_band": "18-64"},
                  {"programme": "Chess Club", "session_date": "2024-05-03", "attendees": 40, "age_band": "65+"},
                  {"programme": "Chess Club", "session_date": "2024-05-04", "attendees": 5, "age_band": "Martians"},
                  {"programme": "Chess Club", "session_date": "2024-05-05", "attendees": 7}]  # no age recorded


def wilson_scipy(k, n):
    ci = sps.binomtest(k, n).proportion_ci(method="wilson")
    return ci.low, ci.high


def test_indices_dissimilarity_and_blindspots_worked_out_by_hand():
    result = reach_equity(frames(attendance=AGE_ATTENDANCE, population=AGE_POPULATION))
    r = result.dimensions["age_band"]
    assert (r.source, r.unit, r.participants, r.not_recorded) == ("attendance", "attendances", 100, 7)
    by = {g.group: g for g in r.groups}
    assert list(by) == ["0-17", "18-64", "65 and over"]  # the baseline's wording
    # p = 0.1, 0.5, 0.4 against q = 0.2, 0.6, 0.2
    assert [by[g].share for g in by] == pytest.approx([0.1, 0.5, 0.4])
    assert [by[g].population_share for g in by] == pytest.approx([0.2, 0.6, 0.2])
    assert [by[g].representation_index for g in by] == pytest.approx([0.5, 0.5 / 0.6, 2.0])
    assert r.dissimilarity == pytest.approx(0.5 * (0.1 + 0.1 + 0.2))
    # each session holds one group: clusters are the 3 sessions in the baseline's groups. For 0-17,
    # k_c = (10, 0, 0), n_c = (10, 50, 40), p = 0.1: v = 3/2 · (9² + 5² + 4²) / 100² = 0.0183 (the ratio
    # estimator's linearised variance, Cochran 1977 §6.11), against p(1 − p)/n = 0.0009: design effect 20.3
    assert (r.clusters, r.cluster_unit) == (3, "sessions")
    assert by["0-17"].design_effect == pytest.approx(1.5 * 122 / 10000 / 0.0009)
    # so 100 attendances weigh as ~5 independent ones, with t on 2 degrees of freedom: no blindspot can be claimed
    assert r.blindspots == ()
    assert by["0-17"].ri_high > 1
    assert by["0-17"].population_unreached is None  # attendances are not residents
    assert by["0-17"].shortfall == pytest.approx(0.2 * 100 - 10)  # attendances by 0-17s that would match
    assert by["0-17"].labels == ("Under 18",)
    assert [(u.group, u.participants) for u in r.unmatched] == [("Martians", 5)]
    assert result.unknown_dimensions == ("religion",)


def test_a_low_index_on_few_people_is_not_a_blindspot_when_its_interval_reaches_1():
    # 1 of 10 where q = 0.2: RI 0.5, but the Wilson upper bound 0.40 / 0.2 = 2.0 > 1
    rows, _ = representation([1, 9], [200, 800])
    assert rows[0].representation_index == pytest.approx(0.5)
    assert rows[0].ri_high == pytest.approx(wilson_scipy(1, 10)[1] / 0.2)
    assert not rows[0].blindspot


def test_independent_rows_give_the_wilson_interval_divided_by_the_census_share():
    rows, _ = representation([10, 50, 40], [200, 600, 200])
    low, high = wilson_scipy(10, 100)  # Wilson interval of p, divided by q
    assert (rows[0].ri_low, rows[0].ri_high) == pytest.approx((low / 0.2, high / 0.2))
    # 0-17: 0.5 < 0.8 and its interval (0.28-0.87) lies below 1; 18-64: 0.83 is above the threshold
    assert [r.blindspot for r in rows] == [True, False, False]
    assert rows[0].ri_method == "share interval / census baseline share"


def test_the_threshold_is_a_parameter():
    rows, _ = representation([10, 50, 40], [200, 600, 200], threshold=0.9)
    assert [r.blindspot for r in rows] == [True, True, False]


QUINTILE_POPULATION = [{"dimension": "IMD quintile", "group": f"Q{q}", "population": n}
                       for q, n in zip(range(1, 6), (300, 200, 200, 200, 100))]
QUINTILE_ATTENDANCE = [{"programme": "Code Club", "session_date": "2024-05-01", "attendees": n,
                        "deprivation_quintile": q} for q, n in zip(range(1, 6), (10, 20, 30, 20, 20))]


def test_most_deprived_share_and_concentration_index_by_hand():
    r = reach_equity(frames(attendance=QUINTILE_ATTENDANCE, population=QUINTILE_POPULATION)).dimensions[
        "deprivation_quintile"]
    assert [g.group for g in r.groups] == ["Q1", "Q2", "Q3", "Q4", "Q5"]  # Int64 1..5 matched to "Q1".."Q5"
    assert (r.most_deprived.k, r.most_deprived.n) == (30, 100)
    assert r.most_deprived_population_share == pytest.approx(0.5)  # the local share, not a national 40%
    assert r.most_deprived_index == pytest.approx(0.6)
    # cumulative population .3 .5 .7 .9 1 and participants .1 .3 .6 .8 1:
    # 1 - (.3×.1 + .2×.4 + .2×.9 + .2×1.4 + .1×1.8) = 1 - .75
    assert r.concentration_index == pytest.approx(0.25)
    assert r.dissimilarity == pytest.approx(0.5 * (0.2 + 0 + 0.1 + 0 + 0.1))


def test_concentration_index_equals_the_covariance_formula_with_midpoint_ranks():
    """C = 2 cov(h, R) / mean(h), population-weighted (O'Donnell et al. 2008, Analyzing Health Equity, ch. 8)."""
    rng = np.random.default_rng(4)
    for _ in range(20):
        k, pop = rng.integers(0, 500, 5).astype(float), rng.integers(1, 5000, 5).astype(float)
        q = pop / pop.sum()
        h = k / pop
        rank = np.cumsum(q) - q / 2
        mean = (q * h).sum()
        cov = (q * (h - mean) * (rank - (q * rank).sum())).sum()
        assert concentration_index(k, pop) == pytest.approx(2 * cov / mean)


def test_participation_concentrated_among_the_more_deprived_is_negative():
    assert concentration_index([50, 30, 10, 5, 5], [100] * 5) < 0
    assert concentration_index([20] * 5, [100] * 5) == pytest.approx(0)


def test_survey_demographics_stand_in_when_attendance_has_no_breakdown_and_the_result_says_so():
    surveys = [{"programme": "Chess Club", "wave": "post", "knowledge": 4, "age_band": band}
               for band in ("18-64", "18-64", "65+", "0-17")]
    surveys.append({"programme": "Chess Club", "wave": "pre", "knowledge": 2, "age_band": "65+"})  # not counted
    attendance = [{"programme": "Chess Club", "session_date": "2024-05-01", "attendees": 30}]
    r = reach_equity(frames(attendance=attendance, surveys=surveys, population=AGE_POPULATION)).dimensions["age_band"]
    assert (r.source, r.unit, r.participants) == ("surveys", "responses", 4)
    assert [g.participants for g in r.groups] == [1, 2, 1]


def test_people_are_counted_once_when_every_row_carries_a_participant_id():
    # one row per person per session (ingest sets attendees to 1 on such rows)
    attendance = [{"programme": "Chess Club", "session_date": f"2024-05-0{d}", "participant_id": "P1",
                   "attendees": 1, "age_band": "65+"} for d in (1, 2, 3)]
    attendance.append({"programme": "Chess Club", "session_date": "2024-05-01", "participant_id": "P2",
                       "attendees": 1, "age_band": "18-64"})
    r = reach_equity(frames(attendance=attendance, population=AGE_POPULATION)).dimensions["age_band"]
    assert r.unit == "people"
    assert [g.participants for g in r.groups] == [0, 1, 1]


AREA_POPULATION = [{"dimension": "ward", "group": w, "population": n, "catchment": c}
                   for w, n, c in (("Abbey", 100, "Central"), ("Castle", 300, "Central"), ("Docklands", 600, "North"))]
AREA_ATTENDANCE = [{"programme": "Rhymes", "session_date": "2024-05-01", "branch": "Central", "attendees": 30,
                    "area": "Abbey"},
                   {"programme": "Rhymes", "session_date": "2024-05-01", "branch": "Central", "attendees": 10,
                    "area": "Castle ward"},
                   {"programme": "Rhymes", "session_date": "2024-05-01", "branch": "North", "attendees": 5,
                    "area": "Docklands"}]


def test_a_branch_filter_compares_with_that_branchs_catchment_only():
    data = frames(attendance=AREA_ATTENDANCE, population=AREA_POPULATION)
    r = reach_equity(data, Filters(branches=["Central"])).dimensions["area"]
    assert r.catchments == ("Central",)
    assert [(g.group, g.participants, g.population_share) for g in r.groups] == [("Abbey", 30, 0.25),
                                                                               ("Castle", 10, 0.75)]
    whole = reach_equity(data).dimensions["area"]
    assert whole.catchments == () and [g.population for g in whole.groups] == [100, 300, 600]


def test_rows_without_a_catchment_are_the_whole_service_when_a_dimension_mixes_both():
    population = AREA_POPULATION + [{"dimension": "ward", "group": w, "population": n}
                                    for w, n in (("Abbey", 1000), ("Castle", 1000), ("Docklands", 2000))]
    r = reach_equity(frames(attendance=AREA_ATTENDANCE, population=population)).dimensions["area"]
    assert [g.population for g in r.groups] == [1000, 1000, 2000]


def test_dimensions_without_a_baseline_or_without_data_say_why():
    result = reach_equity(frames(attendance=AGE_ATTENDANCE, population=QUINTILE_POPULATION),
                          dimensions=["age_band", "deprivation_quintile"])
    assert set(result.skipped) == {"age_band", "deprivation_quintile"}
    assert "baseline" in result.skipped["age_band"] and "record" in result.skipped["deprivation_quintile"]


# --- properties ---------------------------------------------------------------------------------------

groups = st.integers(2, 8)


@st.composite
def baselines(draw):
    n = draw(groups)
    population = draw(st.lists(st.integers(1, 1_000_000), min_size=n, max_size=n))
    participants = draw(st.lists(st.integers(0, 5_000), min_size=n, max_size=n).filter(lambda xs: sum(xs) > 0))
    return participants, population


@given(baselines())
def test_participant_and_population_shares_each_sum_to_1(case):
    participants, population = case
    r = dimension_reach("area", "attendance", "attendances", {f"g{i}": k for i, k in enumerate(participants)}, 0,
                        {f"g{i}": float(p) for i, p in enumerate(population)})
    assert sum(g.share for g in r.groups) == pytest.approx(1)
    assert sum(g.population_share for g in r.groups) == pytest.approx(1)
    assert 0 <= r.dissimilarity <= 1
    for g in r.groups:  # RI × q = p, and the interval holds the index
        assert g.representation_index * g.population_share == pytest.approx(g.share)
        assert g.ri_low <= g.representation_index + 1e-12 and g.representation_index <= g.ri_high + 1e-12


@given(population=st.lists(st.integers(1, 100_000), min_size=2, max_size=8), scale=st.integers(1, 5))
def test_index_is_1_everywhere_when_participants_mirror_the_population(population, scale):
    counts = {f"g{i}": p * scale for i, p in enumerate(population)}
    r = dimension_reach("area", "attendance", "attendances", counts, 0,
                        {f"G{i} ": float(p) for i, p in enumerate(population)})  # labels match ignoring case
    assert [g.representation_index for g in r.groups] == pytest.approx([1.0] * len(population))
    assert r.dissimilarity == pytest.approx(0, abs=1e-12)
    assert not r.blindspots and not r.unmatched


@settings(max_examples=25, deadline=None)
@given(population=st.lists(st.integers(1, 50_000), min_size=2, max_size=5))
def test_index_is_1_end_to_end_when_attendance_mirrors_the_population(population):
    attendance = [{"programme": "Walks", "session_date": "2024-05-01", "attendees": p, "area": f"Ward {i}"}
                  for i, p in enumerate(population)]
    baseline = [{"dimension": "area", "group": f"ward {i}", "population": p} for i, p in enumerate(population)]
    r = reach_equity(frames(attendance=attendance, population=baseline)).dimensions["area"]
    assert [g.representation_index for g in r.groups] == pytest.approx([1.0] * len(population))


# --- real data: Arts Council England attendance against ONS single years of age -------------------

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "ace_england"


@pytest.mark.skipif(not REALDATA.is_dir(), reason="the real-data folder is not on this machine")
def test_york_event_attendance_against_ons_single_years_of_age():
    """Arts Council England Libraries Activity Data 2023-24 (tidy form by LibrariesHacked) and ONS mid-2024
    population estimates, both Open Government Licence v3. ACE's bands are Under 12, 12-17 and Adult; ONS
    counts single years 0 ... 90+ for every geography (country, region, authority) in one table."""
    read = lambda name: list(csv.DictReader(io.StringIO((REALDATA / name).read_text("utf-8-sig"))))
    ace, ons = read("event_attendance.csv"), read("mye24tablesew.csv")
    attendance = [{"programme": r["Event type"], "branch": r["Authority"], "age_band": r["Age group"],
                   "attendees": int(r["Count"]), "period_start": r["Period"][:10]} for r in ace]
    ages = [str(a) for a in range(90)] + ["90+"]
    population = [{"dimension": "age_band", "group": a, "population": int(r[a]), "catchment": r["Name"]}
                  for r in ons for a in ages]
    r = reach_equity(frames(attendance=attendance, population=population), Filters(branches=["E06000014"]),
                     catchments=["York"]).dimensions["age_band"]
    k = defaultdict(int)
    for row in ace:
        if row["Authority"] == "E06000014":
            k[row["Age group"]] += int(row["Count"])
    york = next(row for row in ons if row["Name"] == "York")
    pop = {"Under 12": sum(int(york[str(a)]) for a in range(12)),
           "12-17": sum(int(york[str(a)]) for a in range(12, 18)),
           "Adult": sum(int(york[a]) for a in ages[18:])}
    assert sum(pop.values()) == int(york["All ages"])
    n, total = sum(k.values()), sum(pop.values())
    assert [g.group for g in r.groups] == ["Under 12", "12-17", "Adult"]
    assert r.unmatched == () and r.participants == n and r.catchments == ("York",)
    for g in r.groups:
        assert g.population == pop[g.group]
        assert g.representation_index == pytest.approx((k[g.group] / n) / (pop[g.group] / total))
    assert {g.group for g in r.blindspots} == {"12-17", "Adult"}  # children's events dominate library events


# --- target groups (issue 11) ----------------------------------------------------------------------

from impact.equity.reach import target_ages, target_baseline


def test_target_group_text_gives_the_ages_it_is_aimed_at():
    assert target_ages("Under 5s and their carers") == [(0, 4)]
    assert target_ages("Children aged 9-13") == [(9, 13)]
    assert target_ages("Older adults") == [(65, float("inf"))]
    assert target_ages("Tablet Taster for Over-60s") == [(60, float("inf"))]
    assert target_ages("Everyone") is None and target_ages("Job seekers") == [(16, 64)]
    base = {"0-4": 10, "5-11": 20, "65+": 30}
    assert target_baseline("age_band", "Under 5s and their carers", base) == {"0-4": 10}
    assert target_baseline("age_band", "Everyone", base) is None
    assert target_baseline("area", "Docklands residents", {"Docklands": 5, "Hillside": 7}) == {"Docklands": 5}
    assert target_baseline("deprivation_quintile", "families in the most deprived areas",
                           {"1": 1, "2": 1, "3": 1}) == {"1": 1, "2": 1}


POP = [{"dimension": "age_band", "group": g, "population": p} for g, p in (("0-4", 100), ("5-17", 300),
                                                                           ("18-64", 1200), ("65+", 400))]


def _two_programmes(target_a="Under 5s and their carers", target_b="Everyone"):
    programmes = [{"name": "Rhyme Time", "theme": "Early literacy", "target_group": target_a},
                  {"name": "Warm Space", "theme": "Community", "target_group": target_b}]
    attendance = []
    for day in range(1, 11):  # ten sessions each; Rhyme Time: 18 under-5s and 2 carers per session
        attendance += [{"programme": "Rhyme Time", "session_date": f"2024-05-{day:02d}", "attendees": 18,
                        "age_band": "0-4"},
                       {"programme": "Rhyme Time", "session_date": f"2024-05-{day:02d}", "attendees": 2,
                        "age_band": "18-64"},
                       {"programme": "Warm Space", "session_date": f"2024-06-{day:02d}", "attendees": 12,
                        "age_band": "18-64"},
                       {"programme": "Warm Space", "session_date": f"2024-06-{day:02d}", "attendees": 8,
                        "age_band": "65+"}]
    return frames(programmes=programmes, attendance=attendance, population=POP)


def test_a_programme_aimed_at_under_5s_is_compared_with_under_5s_only():
    r = reach_equity(_two_programmes(), Filters(programmes=["Rhyme Time"])).dimensions["age_band"]
    by = {g.group: g for g in r.groups}
    assert r.outside_target == 20 and r.participants == 180  # the carers are not what it aims at
    assert by["0-4"].population_share == pytest.approx(1.0)
    assert by["65+"].representation_index is None and not by["65+"].blindspot  # never a blindspot here
    assert r.targets == (("Under 5s and their carers", "0-4"),)


def test_a_whole_service_baseline_is_the_mix_of_where_programmes_were_aimed():
    r = reach_equity(_two_programmes()).dimensions["age_band"]
    by = {g.group: g for g in r.groups}
    # Rhyme Time: 180 in target, all of its baseline is 0-4; Warm Space: 200, the whole baseline
    w = {"0-4": (180 * 1.0 + 200 * 100 / 2000) / 380, "65+": (200 * 400 / 2000) / 380}
    assert by["0-4"].population_share == pytest.approx(w["0-4"])
    assert by["65+"].population_share == pytest.approx(w["65+"])
    assert by["65+"].shortfall == pytest.approx(w["65+"] * 380 - 80)  # in attendances, not residents
    assert "target groups" in r.baseline_label


def test_without_target_groups_the_baseline_is_the_whole_population():
    r = reach_equity(_two_programmes("Everyone", "Everyone")).dimensions["age_band"]
    assert r.baseline_label == "residents" and r.outside_target == 0
    assert {g.group: g.population_share for g in r.groups}["65+"] == pytest.approx(400 / 2000)


def test_a_survey_based_baseline_gives_fieller_s_ratio_interval():
    from impact.equity.reach import dimension_reach

    counts = {"a": 30, "b": 70}
    census = dimension_reach("area", "attendance", "attendances", counts, 0, {"a": 500, "b": 500})
    survey = dimension_reach("area", "attendance", "attendances", counts, 0, {"a": 500, "b": 500},
                             margin_of_error={"a": 100, "b": 100})
    a0, a1 = (next(g for g in r.groups if g.group == "a") for r in (census, survey))
    assert a1.ri_method.startswith("Fieller") and a0.ri_method.startswith("share interval")
    assert a1.ri_low < a0.ri_low and a1.ri_high > a0.ri_high  # the baseline's own error widens it
