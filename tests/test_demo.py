"""The Westfield demo: deterministic, the promised shape, and every workbook loads through ingest cleanly.

One module-scoped fixture writes the demo once and ingests it once, so the whole file stays fast.
"""
from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from impact.demo import (
    FILES,
    LOPSIDED_GIVER,
    LOPSIDED_TAKER,
    UNDER_REACHED,
    WEAK_PROGRAMMES,
    build_demo,
    write_demo,
)
from impact.ingest import ingest_paths

ITEMS = ["knowledge", "confidence", "application", "awareness", "library_use", "satisfaction"]


@pytest.fixture(scope="module")
def demo():
    return build_demo()


@pytest.fixture(scope="module")
def written(demo, tmp_path_factory):
    return write_demo(tmp_path_factory.mktemp("demo"), demo)


@pytest.fixture(scope="module")
def ingested(written):
    return ingest_paths(written)


def digest(paths) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_the_demo_is_written_as_four_workbooks(written):
    assert [p.name for p in written] == list(FILES)
    assert all(p.read_bytes()[:4] == b"PK\x03\x04" for p in written)


def test_writing_twice_gives_the_same_bytes(demo, tmp_path):
    # the full demo is the same frames every time (below); here the writer adds no timestamps of its own
    small = type(demo)(**{table: frame.head(200) for table, frame in demo.tables().items()})
    first = write_demo(tmp_path / "first", small)
    second = write_demo(tmp_path / "second", small)
    assert digest(first) == digest(second)


def test_building_twice_gives_the_same_frames(demo):
    again = build_demo()
    for table, frame in demo.tables().items():
        pd.testing.assert_frame_equal(frame, again.tables()[table], obj=table)


def test_ingest_reads_every_sheet_as_its_table_with_every_column_mapped_and_no_problems(ingested):
    assert ingested.ok
    assert ingested.errors == []
    assert ingested.warnings == []
    tables = {s.sheet: s.table for s in ingested.sheets}
    assert tables == {"Partners": "partners", "Programmes": "programmes",
                      "Programme partners": "programme_partners", "Attendance": "attendance",
                      "Survey responses": "survey_responses", "Population": "population",
                      "Partnership health check": "partnership_feedback"}
    for sheet in ingested.sheets:
        unmapped = [h for h, c in sheet.mapping.items() if not c]
        assert unmapped == [], (sheet.sheet, unmapped)


def test_ingest_gives_back_exactly_the_demo_that_was_built(demo, ingested):
    # labels ("Strongly agree"), N/A and don't know, staff headers and wave words all clean to the built values
    for table, built in demo.tables().items():
        read = ingested.frame(table)[list(built.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(read, built.reset_index(drop=True), obj=table)


def test_about_forty_partners_of_all_three_partnership_types(ingested):
    partners = ingested.frame("partners")
    assert 35 <= len(partners) <= 45
    assert set(partners["partnership_type"]) == {"library", "community", "stakeholder"}
    assert partners["sector"].notna().all() and partners["area"].notna().all()


def test_120_programmes_at_4_branches_with_dates_costs_and_capacity(ingested):
    programmes = ingested.frame("programmes")
    assert len(programmes) == 120
    assert programmes["name"].is_unique
    assert set(programmes["branch"]) == {"Central", "Northgate", "Riverside", "Eastfield"}
    assert programmes["theme"].nunique() == 9
    for column in ("start_date", "end_date", "library_cost", "library_staff_hours", "capacity_per_session",
                   "target_group"):
        assert programmes[column].notna().all(), column
    assert (programmes["start_date"] <= programmes["end_date"]).all()


def test_most_programmes_have_one_to_three_partners(ingested):
    stakes = ingested.frame("programme_partners")
    per_programme = stakes.groupby("programme").size()
    assert 0.6 <= len(per_programme) / 120 <= 0.72
    assert per_programme.between(1, 3).all()
    assert set(stakes["partner"]) <= set(ingested.frame("partners")["name"])
    assert set(stakes["role"]) <= {"lead", "co-delivery", "referral", "venue", "funder", "other"}


def test_the_lopsided_partners_are_planted(ingested):
    stakes = ingested.frame("programme_partners")
    attendance = ingested.frame("attendance").groupby("programme")["attendees"].sum()
    giver = stakes[stakes["partner"] == LOPSIDED_GIVER]
    taker = stakes[stakes["partner"] == LOPSIDED_TAKER]
    # the giver puts in far more time and money, on programmes that draw far fewer people
    assert giver["staff_hours"].sum() > 20 * taker["staff_hours"].sum()
    assert giver["cash"].sum() > 5 * taker["cash"].sum()
    assert attendance[giver["programme"]].mean() * 3 < attendance[taker["programme"]].mean()
    assert not giver["credited"].any() and taker["credited"].all()


def test_about_10000_session_rows_over_three_financial_years(ingested):
    attendance = ingested.frame("attendance")
    assert 9_000 <= len(attendance) <= 11_000
    assert attendance["session_date"].min() >= pd.Timestamp("2023-04-01")
    assert attendance["session_date"].max() <= pd.Timestamp("2026-03-31")
    financial_year = (attendance["session_date"] - pd.DateOffset(months=3)).dt.year
    assert financial_year.value_counts().min() > 2_500  # every year well filled
    assert (attendance["sessions"] == 1).all()
    assert (attendance["new_attendees"] <= attendance["attendees"]).all()
    assert set(attendance["deprivation_quintile"].dropna()) == {1, 2, 3, 4, 5}
    assert attendance["area"].nunique() == 8


def test_about_20000_responses_in_three_waves_with_pre_and_post_paired(ingested):
    responses = ingested.frame("survey_responses")
    assert 17_000 <= len(responses) <= 23_000
    assert set(responses["wave"]) == {"pre", "post", "follow_up"}
    paired = responses.dropna(subset=["respondent_id"]).groupby("respondent_id")["wave"].agg(set)
    assert paired.map(lambda waves: {"pre", "post"} <= waves).sum() > 1_000
    assert paired.map(lambda waves: {"post", "follow_up"} <= waves).sum() > 300
    follow_up = responses[responses["wave"] == "follow_up"]
    assert follow_up["application"].notna().mean() > 0.9
    assert follow_up[["knowledge", "confidence", "satisfaction"]].isna().all().all()
    # labels and numbers both arrive as 1-5; N/A and don't know become missing, never a number
    answers = responses[ITEMS].stack().dropna()
    assert answers.isin([1, 2, 3, 4, 5]).all()
    assert 0.02 < responses.loc[responses["wave"] == "post", ITEMS].isna().mean().mean() < 0.1


def test_pre_scores_are_below_post_and_weak_programmes_are_weak(ingested):
    responses = ingested.frame("survey_responses")
    pre, post = responses[responses["wave"] == "pre"], responses[responses["wave"] == "post"]
    assert pre["confidence"].mean() + 0.3 < post["confidence"].mean()
    positive = post.set_index("programme")[ITEMS].ge(4).where(post.set_index("programme")[ITEMS].notna())
    by_programme = positive.stack().groupby(level=0).mean()
    weak = by_programme[list(WEAK_PROGRAMMES)]
    assert (weak < 0.65).all()
    others = by_programme.drop(list(WEAK_PROGRAMMES))
    assert others.median() > 0.8


def test_population_baseline_matches_the_groups_used(ingested):
    population = ingested.frame("population")
    totals = population.groupby("dimension")["population"].sum()
    # disability comes from a residents' survey (issue 11): whole service, with a margin of error
    assert set(totals.index) == {"age_band", "area", "deprivation_quintile", "disability"}
    assert (totals == totals.iloc[0]).all() and 170_000 <= totals.iloc[0] <= 190_000
    survey = population[population["dimension"] == "disability"]
    assert survey["margin_of_error"].notna().all() and survey["catchment"].isna().all()
    assert population.loc[population["dimension"] != "disability", "margin_of_error"].isna().all()
    attendance = ingested.frame("attendance")
    groups = population.groupby("dimension")["group"].agg(set)
    assert set(attendance["age_band"]) == groups["age_band"]
    assert set(attendance["area"]) == groups["area"]
    assert set(attendance["deprivation_quintile"].astype(str)) == groups["deprivation_quintile"]


def test_the_under_reached_groups_are_under_represented(ingested):
    attendance = ingested.frame("attendance")
    population = ingested.frame("population")

    def index(dimension: str, group: str) -> float:
        people = population[population["dimension"] == dimension].groupby("group")["population"].sum()
        came = attendance.groupby(attendance[dimension].astype(str))["attendees"].sum()
        return (came[group] / came.sum()) / (people[group] / people.sum())

    for dimension, groups in UNDER_REACHED.items():
        for group in groups:
            assert index(dimension, str(group)) < 0.8, (dimension, group)
    assert index("age_band", "18-24") < 0.3  # the starkest gap
    assert index("deprivation_quintile", "5") > 1 and index("area", "Castle") > 1
