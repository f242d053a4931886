"""The Filters value object (impact/filters.py): parsing, joins to programmes and partners, periods
and financial years, and that filters selecting everything equal no filter."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import indicators
from impact.filters import (
    NO_DAY,
    Filters,
    apply,
    period_index,
    period_label,
    prepare,
    select,
    unique_rows,
)

from .tables import frames

PROGRAMMES = [
    {"programme_id": "P1", "name": "Chess Club", "theme": "Games", "branch": "Central"},
    {"programme_id": "P2", "name": "Rhyme Time", "theme": "Early literacy", "branch": "Northgate"},
    {"programme_id": "P3", "name": "Job Club", "theme": "Job skills", "branch": "Central"},
]
PARTNERS = [{"partner_id": "age-uk", "name": "Age UK", "partnership_type": "stakeholder"},
            {"name": "Chess Society", "partnership_type": "community"},
            {"name": "County Libraries", "partnership_type": "library"}]
LINKS = [{"programme": "Chess Club", "partner": "Age UK"}, {"programme": "Chess Club", "partner": "Chess Society"},
         {"programme": "Rhyme Time", "partner": "County Libraries"}]
ATTENDANCE = [
    {"programme": "Chess Club", "session_date": "2024-03-31", "attendees": 1, "age_band": "65+"},
    {"programme": "chess club ", "session_date": "2024-04-01", "attendees": 2, "age_band": "65+"},  # same programme
    {"programme": "Rhyme Time", "session_date": "2024-04-02", "attendees": 4, "branch": "Central", "age_band": "0-4"},
    {"programme": "Job Club", "period_start": "2024-06-01", "period_end": "2024-08-31", "attendees": 8, "sessions": 12},
    {"programme": "Job Club", "attendees": 16},  # no date at all
]
DATA = frames(PROGRAMMES, PARTNERS, LINKS, ATTENDANCE)


def attendance(filters: Filters) -> int:
    return indicators.compute(DATA, filters).reach.attendance


def test_dates_parse_from_text_a_month_or_a_year_means_all_of_it():
    f = Filters(date_from="2024-04", date_to="2025-03")
    assert (f.date_from, f.date_to) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    f = Filters(date_from="2024", date_to="2024")
    assert (f.date_from, f.date_to) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Filters(date_from=dt.datetime(2024, 5, 6, 10, 30)).date_from == dt.date(2024, 5, 6)


@pytest.mark.parametrize("kwargs,message", [({"date_from": "soon"}, "not a date"), ({"grain": "week"}, "grain"),
                                            ({"fy_start_month": 13}, "month"), ({"groups": {"shoe_size": ["9"]}}, "demographic"),
                                            ({"partnership_types": ["friends"]}, "partnership type"),
                                            ({"date_from": "2025", "date_to": "2024"}, "after it ends")])
def test_a_filter_that_cannot_mean_anything_is_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Filters(**kwargs)


def test_filters_are_frozen_hashable_values_for_caching():
    a = Filters(themes=["Games"], groups={"age_band": ["65+"]})
    b = Filters(themes=("Games",), groups={"age_band": ("65+",)})
    assert a == b and hash(a) == hash(b)
    assert a.group == {"age_band": ("65+",)}
    with pytest.raises(AttributeError):
        a.themes = ()
    assert a.to_dict()["groups"] == {"age_band": ["65+"]}


@pytest.mark.parametrize("day,grain,fy,label", [
    ("2024-03-31", "financial_year", 4, "2023/24"), ("2024-04-01", "financial_year", 4, "2024/25"),
    ("2024-06-30", "financial_year", 7, "2023/24"), ("2024-07-01", "financial_year", 7, "2024/25"),
    ("2024-12-31", "financial_year", 1, "2024"), ("1999-12-31", "financial_year", 4, "1999/00"),
    ("2024-05-17", "month", 4, "2024-05"), ("2024-05-17", "quarter", 4, "2024 Q2"), ("2024-05-17", "year", 4, "2024"),
])
def test_periods_and_financial_years_with_a_configurable_first_month(day, grain, fy, label):
    days = np.array([np.datetime64(day, "D").astype("int64")])
    assert period_label(int(period_index(days, grain, fy)[0]), grain, fy) == label


def test_a_partner_filter_keeps_programmes_run_with_that_partner_by_name_or_id():
    assert attendance(Filters(partners=["Age UK"])) == 3
    assert attendance(Filters(partners=["age-uk"])) == 3
    assert attendance(Filters(partners=["County Libraries", "Age UK"])) == 7


def test_partnership_type_theme_and_programme_filters():
    assert attendance(Filters(partnership_types=["community"])) == 3
    assert attendance(Filters(partnership_types=["library", "community"])) == 7
    assert attendance(Filters(themes=["early LITERACY"])) == 4  # themes ignore case
    assert attendance(Filters(programmes=["P3"])) == 24  # by id
    assert attendance(Filters(programmes=["Chess Club"])) == 3  # both spellings of the name join it


def test_a_branch_is_the_rows_own_else_its_programmes():
    # Rhyme Time belongs to Northgate, but that session was held at Central
    assert attendance(Filters(branches=["Central"])) == 1 + 2 + 4 + 8 + 16
    assert attendance(Filters(branches=["Northgate"])) == 0


def test_a_demographic_group_filter():
    assert attendance(Filters(groups={"age_band": ["65+"]})) == 3
    assert attendance(Filters(groups={"age_band": ["65+", "0-4"]})) == 7


def test_a_period_filter_counts_a_return_where_it_starts_and_leaves_undated_rows_out():
    assert attendance(Filters(date_from="2024-04-01", date_to="2025-03-31")) == 2 + 4 + 8
    assert attendance(Filters(date_from="2024-07-01")) == 0  # the June-August return started in June
    assert attendance(Filters()) == 31  # no filter: the undated row counts


def test_by_period_puts_undated_rows_in_their_own_group_and_shows_empty_periods():
    groups = {g.group: g.reach.attendance for g in
              indicators.compute_by(DATA, "period", Filters(grain="quarter"))}
    assert groups == {"2024 Q1": 1, "2024 Q2": 2 + 4 + 8, "(not recorded)": 16}
    months = [g.group for g in indicators.compute_by(DATA, "period", Filters(grain="month"))]
    assert months[:4] == ["2024-03", "2024-04", "2024-05", "2024-06"]  # May had nothing, shown as zero


def test_demographic_groups_come_in_natural_order_and_quintiles_match_as_text():
    rows = [{"programme": "Chess Club", "session_date": "2024-05-01", "attendees": 1, "age_band": band,
             "deprivation_quintile": q} for band, q in (("65+", 5), ("12-17", 1), ("5-11", 2), ("0-4", 1))]
    data = frames(PROGRAMMES, attendance=rows)
    assert [g.group for g in indicators.compute_by(data, "age_band")] == ["0-4", "5-11", "12-17", "65+"]
    assert indicators.compute(data, Filters(groups={"deprivation_quintile": ["1"]})).reach.attendance == 2


def test_apply_narrows_the_frames_themselves():
    out = apply(DATA, Filters(partners=["Chess Society"]))
    assert list(out["attendance"]["attendees"]) == [1, 2]
    assert list(out["programmes"]["name"]) == ["Chess Club"]
    assert len(out["programme_partners"]) == 2


def test_select_gives_masks_over_prepared_rows():
    data = prepare(DATA)
    s = select(data, Filters(themes=["Games"]))
    assert s.attendance.tolist() == [True, True, False, False, False]
    assert s.programmes.sum() == 1


# --- everything selected equals no filter ---------------------------------------------------------

THEMES, BRANCHES, BANDS = ["Games", "Early literacy", "Job skills"], ["Central", "Northgate"], ["0-4", "65+"]
NAMES = ["Chess Club", "Rhyme Time", "Job Club"]
DAY = st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31)).map(str)
ROW = st.fixed_dictionaries({"programme": st.sampled_from(NAMES), "session_date": DAY,
                             "branch": st.sampled_from(BRANCHES), "attendees": st.one_of(st.none(), st.integers(0, 30)),
                             "new_attendees": st.one_of(st.none(), st.integers(0, 3)),
                             "participant_id": st.sampled_from(["A", "B", None]), "age_band": st.sampled_from(BANDS)})
ANSWER = st.one_of(st.none(), st.integers(1, 5))
SURVEY = st.fixed_dictionaries({"programme": st.sampled_from(NAMES), "response_date": DAY,
                                "wave": st.sampled_from(["pre", "post", "follow_up"]),
                                "respondent_id": st.sampled_from(["R1", "R2", None]), "age_band": st.sampled_from(BANDS),
                                "knowledge": ANSWER, "application": ANSWER})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=20), st.lists(SURVEY, max_size=20))
def test_filters_that_select_everything_equal_no_filter(rows, surveys):
    # "everything" means every row has a value in every filtered dimension: a date, a branch, an age band,
    # and every programme a recorded session (inputs of a programme with none have no date or group)
    programmes = [{**p, "library_cost": 100.0 * (i + 1)} for i, p in enumerate(PROGRAMMES)]
    links = LINKS + [{"programme": "Job Club", "partner": "Age UK", "cash": 50.0}]
    held = [{"programme": name, "session_date": "2024-01-01", "branch": "Central", "attendees": 0, "age_band": "0-4"}
            for name in NAMES]
    data = prepare(frames(programmes, PARTNERS, links, held + rows, surveys))
    everything = Filters(date_from="2023-01-01", date_to="2025-12-31", partners=["Age UK", "Chess Society", "County Libraries"],
                         partnership_types=["library", "community", "stakeholder"], themes=THEMES, branches=BRANCHES,
                         programmes=NAMES, groups={"age_band": BANDS})
    assert indicators.compute(data, everything).to_dict() == indicators.compute(data).to_dict()


COLUMN = st.one_of(
    st.lists(st.integers(-5, 40), min_size=1, max_size=60),
    st.lists(st.sampled_from([NO_DAY, -3, 0, 19_000, 19_500]), min_size=1, max_size=60),
    st.lists(st.integers(-2**40, 2**40), min_size=1, max_size=60),  # too wide to pack: numpy's own path
)


@given(st.lists(COLUMN, min_size=1, max_size=3))
@settings(max_examples=300, deadline=None)
def test_unique_rows_is_numpys_unique_over_columns(columns):
    """unique_rows packs tuples into one int64 to be fast: its answer is np.unique(axis=1)'s, exactly."""
    size = min(len(c) for c in columns)
    columns = [np.array(c[:size], "int64") for c in columns]
    expected = np.unique(np.stack(columns), axis=1, return_inverse=True, return_counts=True)
    found = unique_rows(*columns, counts=True)
    np.testing.assert_array_equal(found[0], expected[0])
    np.testing.assert_array_equal(found[1], np.asarray(expected[1]).ravel())
    np.testing.assert_array_equal(found[2], expected[2])
    np.testing.assert_array_equal(unique_rows(*columns)[1], np.asarray(expected[1]).ravel())


def test_a_scope_is_selected_once_and_shared_read_only():
    data = prepare(frames(PROGRAMMES, PARTNERS, LINKS, ATTENDANCE))
    first = select(data, Filters(themes=["Games"]))
    assert select(data, Filters(themes=("Games",))) is first  # equal filters: the same masks
    assert select(data, Filters(themes=["Job skills"])) is not first
    with pytest.raises(ValueError):
        first.attendance[0] = not first.attendance[0]  # shared: nobody may change it


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, max_size=20), st.lists(SURVEY, min_size=5, max_size=40), st.sampled_from(THEMES + BRANCHES))
def test_a_scope_of_all_rows_equals_its_rows_computed_alone(rows, surveys, chosen):
    """A scope's outcome figures, intervals and cluster units (survey sessions: the clusters behind intervals) are
    those of its own rows prepared alone: nothing outside the scope changes how its answers cluster."""
    data = frames(PROGRAMMES, PARTNERS, LINKS, rows, surveys)
    scope = Filters(themes=[chosen]) if chosen in THEMES else Filters(branches=[chosen])
    whole = indicators.compute(prepare(data), scope, min_n=1).to_dict()
    alone = indicators.compute(prepare(apply(data, scope)), scope, min_n=1).to_dict()
    assert whole["outcomes"] == alone["outcomes"] and whole["change"] == alone["change"]


def test_a_scope_s_interval_clusters_by_its_own_dated_sessions():
    """Four dated sessions of one programme, 3 answers each (and another programme's session the theme leaves
    out): the theme's interval clusters by its 4 sessions, a month's by its 2, whichever scope was asked first."""
    programmes = [{"programme_id": "P1", "name": "Chess Club", "theme": "Games", "branch": "Central"},
                  {"programme_id": "P2", "name": "Job Club", "theme": "Job skills", "branch": "Central"}]
    surveys = [{"programme": "Chess Club", "response_date": day, "wave": "post", "knowledge": k}
               for day in ("2024-01-01", "2024-01-08", "2024-02-15", "2024-02-22") for k in (5, 4, 2)]
    surveys += [{"programme": "Job Club", "response_date": "2024-01-03", "wave": "post", "knowledge": 3}] * 3
    data = prepare(frames(programmes, [], [], [], surveys))
    games = indicators.compute(data, Filters(themes=["Games"])).to_dict()["outcomes"]["knowledge"]
    assert (games["n"], games["positive"], games["clusters"], games["cluster_unit"]) == (12, 8, 4, "sessions")
    february = indicators.compute(data, Filters(themes=["Games"], date_from="2024-02-01", date_to="2024-02-29"),
                                  min_n=1).to_dict()["outcomes"]["knowledge"]
    assert (february["n"], february["clusters"], february["cluster_unit"]) == (6, 2, "sessions")
    everyone = indicators.compute(data).to_dict()["outcomes"]["knowledge"]
    assert (everyone["n"], everyone["clusters"], everyone["cluster_unit"]) == (15, 5, "sessions")
