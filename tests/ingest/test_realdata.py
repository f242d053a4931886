"""Ingest on real files that libraries and others publish (../shared/realdata), byte for byte.

Every expected figure is worked out here from the raw file with the csv module, never from
pandas' cleaning or from the code under test. Where a file needs a choice only its owner can
make (which column names the programme), the test makes it the way a user would on the
Upload page: `Options(table=..., mapping={header as written: canonical column})`.

Data, with thanks to its publishers:
- timberland/: Timberland Regional Library (Washington, USA), 2021 programmes, via the
  Washington State open data portal (data.wa.gov); public domain.
- carpentries/: The Carpentries (carpentries/assessment on GitHub), workshops, attendance and
  the instructor-training post survey; CC BY 4.0, attribute "The Carpentries".
- ace_england/: Arts Council England, Libraries Activity Data 2023-24 (event attendance, tidy
  form by LibrariesHacked), and ONS mid-2024 population estimates for England and Wales;
  both Open Government Licence v3.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from impact.ingest import IngestResult, Options, ingest_files

REALDATA = next((p for p in (Path(__file__).resolve().parents[2].parent / "shared" / "realdata",
                              Path(__file__).resolve().parents[4] / "shared" / "realdata") if p.is_dir()),
                Path(__file__).resolve().parents[2].parent / "shared" / "realdata")  # a worktree sits one deeper

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real-data folder {REALDATA} is not on this machine")


def ingest(relative: str, options: Options | None = None) -> IngestResult:
    path = REALDATA / relative
    return ingest_files([(path.name, path.read_bytes())], options)


def csv_rows(relative: str) -> list[list[str]]:
    """The file as the csv module splits it: row 0 is the header (spreadsheet row 1), ragged rows kept whole."""
    text = (REALDATA / relative).read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_records(relative: str) -> list[dict[str, str]]:
    header, *rows = csv_rows(relative)
    return [dict(zip(header, r)) for r in rows]


def problems(result: IngestResult, code: str) -> list[tuple]:
    """Problems flattened as (sheet, row, column, code), the way the validation report lists them."""
    return [(p.sheet, p.row, p.column, p.code) for p in result.problems if p.code == code]


def number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


# --- Timberland Regional Library: monthly returns per branch x category x audience ---------------------

TIMBERLAND = "timberland/Raw_2021Programs.csv"


@pytest.fixture(scope="module")
def timberland():
    """Imported as attendance returns; Category names the programme (the user's choice on the Upload page).

    Timberland Regional Library via Washington State open data, public domain.
    """
    result = ingest(TIMBERLAND, Options(table="attendance", mapping={"Category": "programme"}))
    return result, result.frame("attendance"), csv_records(TIMBERLAND)


def test_timberland_maps_its_other_headers_by_itself(timberland):
    result, _, _ = timberland
    (sheet,) = result.sheets
    assert sheet.mapping == {"Library": "branch", "Event Year": "year", "Event Month": "month",
                             "Category": "programme", "Age Group": "age_band", "Events": "sessions",
                             "Attendance": "attendees"}
    assert result.ok, result.errors[:5]


def test_timberland_keeps_every_row_and_blank_attendance_stays_not_recorded(timberland):
    result, attendance, records = timberland
    counts = [number(r["Attendance"]) for r in records]
    assert len(records) == 1308
    assert len(attendance) == 1308
    assert sorted(attendance["_row"]) == list(range(2, 1310))
    assert attendance["attendees"].sum() == sum(c for c in counts if c is not None)  # 28,527
    assert attendance["attendees"].isna().sum() == counts.count(None) == 435
    assert (attendance["attendees"] == 0).sum() == counts.count(0) == 13
    (warning,) = [p for p in result.warnings if p.code == "attendance-not-recorded"]
    assert "435" in warning.message


def test_timberland_monthly_returns_are_not_spread_into_sessions(timberland):
    _, attendance, records = timberland
    assert attendance["sessions"].sum() == sum(int(r["Events"]) for r in records) == 2195
    by_row = attendance.set_index("_row")
    for row, r in enumerate(records, start=2):
        year, month = int(r["Event Year"]), int(r["Event Month"])
        assert by_row.at[row, "period_start"] == pd.Timestamp(year, month, 1)
        assert by_row.at[row, "period_end"] == pd.Timestamp(year, month, calendar.monthrange(year, month)[1])
        assert by_row.at[row, "sessions"] == int(r["Events"])


def test_timberland_comma_joined_categories_and_audiences_stay_one_row(timberland):
    _, attendance, records = timberland
    by_row = attendance.set_index("_row")
    joined = [(row, r) for row, r in enumerate(records, start=2) if "," in r["Category"] or "," in r["Age Group"]]
    assert len(joined) > 400
    for row, r in joined:
        assert by_row.at[row, "programme"] == r["Category"].strip()
        assert by_row.at[row, "age_band"] == r["Age Group"].strip()


# --- The Carpentries: workshops with their host organisation ---------------------------------------------

WORKSHOPS = "carpentries/all_workshops.csv"


@pytest.fixture(scope="module")
def workshops():
    """The slug names each workshop; host_name is the partner that hosted it. The Carpentries, CC BY 4.0."""
    result = ingest(WORKSHOPS, Options(table="attendance", mapping={"slug": "programme", "host_name": "partner"}))
    return result, result.frame("attendance"), csv_records(WORKSHOPS)


def test_carpentries_workshops_rows_and_total_attendance(workshops):
    result, attendance, records = workshops
    counts = [number(r["attendance"]) for r in records]
    assert result.ok, result.errors[:5]
    assert len(attendance) == len(records) == 1869
    assert attendance["attendees"].sum() == sum(c for c in counts if c is not None) == 41554
    assert attendance["attendees"].isna().sum() == counts.count(None) == 218
    assert attendance["sessions"].sum() == 1869
    by_row = attendance.set_index("_row")
    for row, r in enumerate(records, start=2):
        assert by_row.at[row, "session_date"] == pd.Timestamp(dt.date.fromisoformat(r["start_date"]))
        assert by_row.at[row, "partner"] == r["host_name"].strip()  # names with commas stay whole


def test_carpentries_hosts_become_one_partner_link_per_workshop(workshops, tmp_path):
    from impact.store import Store

    result, _, records = workshops
    store = Store(f"sqlite:///{tmp_path / 'impact.db'}")
    try:
        assert store.commit(result).ok
        links = store.load("programme_partners")
    finally:
        store.dispose()
    expected = {(r["slug"], r["host_name"].strip()) for r in records if r["host_name"].strip()}
    assert set(zip(links["programme"], links["partner"])) == expected


# --- The Carpentries: registered vs attended per day, ragged rows ---------------------------------------

DAYS = "carpentries/attendance.csv"


@pytest.fixture(scope="module")
def days():
    """Day1..Day5 head counts per workshop; the user maps Slug to the programme. The Carpentries, CC BY 4.0."""
    result = ingest(DAYS, Options(mapping={"Slug": "programme"}))
    return result, result.frame("attendance"), csv_rows(DAYS)


def test_carpentries_day_columns_become_one_row_per_day_and_no_row_is_lost(days):
    result, attendance, rows = days
    header, *data = rows
    assert header == ["Slug", "Registered", "Day1", "Day2", "Day3", "Day4", "Day5"]
    assert Counter(len(r) for r in data) == {4: 270, 5: 16, 6: 5, 3: 3, 2: 2, 7: 1, 9: 1}
    assert [s.table for s in result.sheets] == ["attendance"]
    assert result.ok, result.errors[:5]
    day_cells = [[c.strip() for c in r[2:7]] for r in data]
    filled = [[int(c) for c in cells if c] for cells in day_cells]
    # one row per day with a count; a workshop with no day count at all stays once, as not recorded
    assert len(attendance) == sum(max(len(f), 1) for f in filled)
    assert attendance["attendees"].sum() == sum(map(sum, filled)) == 14440
    assert attendance["attendees"].isna().sum() == sum(1 for f in filled if not f) == 3
    assert sorted(set(attendance["_row"])) == list(range(2, len(rows) + 1))
    by_day = attendance.dropna(subset=["attendees"]).groupby("_day")["attendees"].sum()
    for day in range(1, 6):
        assert by_day.get(day, 0) == sum(int(c[day - 1]) for c in day_cells if len(c) >= day and c[day - 1])


def test_carpentries_ragged_rows_are_reported_and_their_extra_cells_not_counted(days):
    result, attendance, rows = days
    width = len(rows[0])
    extra = [i for i, r in enumerate(rows, start=1) if len(r) > width and any(c.strip() for c in r[width:])]
    assert extra == [273]
    assert problems(result, "extra-cells") == [("attendance", 273, None, "extra-cells")]
    row_273 = attendance[attendance["_row"] == 273]
    assert list(row_273["attendees"]) == [int(c) for c in rows[272][2:7]]  # 18, 12, 11, 17, 16; not 10 and 6
    # short rows whose counts were typed into one cell ('27-22-20') are kept as not recorded, not dropped
    squashed = [i for i, r in enumerate(rows, start=1) if len(r) == 2]
    assert squashed == [123, 250]
    assert attendance.loc[attendance["_row"].isin(squashed), "attendees"].isna().all()


# --- The Carpentries: instructor-training post survey -----------------------------------------------------

SURVEY = "carpentries/20180908_post_clean.csv"
SURVEY_MAPPING = {
    "MemberSite": "programme",     # the training event the respondent attended
    "LearnedSkills": "knowledge",  # "I learned skills that I will be able to use"
    "Recommend": "satisfaction",   # "I would recommend this training to a friend or colleague"
    "WhenTaking": "",              # "at the event" / "after I left the event": both are the post survey
}
AGREEMENT = {"Strongly Agree": 5, "Agree": 4, "Neither Agree nor Disagree": 3, "Disagree": 2,
             "Strongly Disagree": 1}


@pytest.fixture(scope="module")
def survey():
    """US dates with two-digit years (9/8/18 15:29), read month-first. The Carpentries, CC BY 4.0."""
    result = ingest(SURVEY, Options(table="survey_responses", mapping=SURVEY_MAPPING, dayfirst=False))
    return result, result.frame("survey_responses"), csv_records(SURVEY)


def test_carpentries_survey_imports_every_response_as_a_post_survey(survey):
    result, responses, records = survey
    assert len(records) == 967
    assert len(responses) == 967
    assert sorted(responses["_row"]) == list(range(2, 969))
    assert set(responses["wave"]) == {"post"}
    (sheet,) = result.sheets
    assert sheet.header_row == 1
    assert {h: c for h, c in sheet.mapping.items() if c} == {
        "Date": "response_date", "MemberSite": "programme", "UniqueID": "respondent_id",
        "LearnedSkills": "knowledge", "Recommend": "satisfaction"}


def test_carpentries_survey_agreement_labels_map_to_five_to_one(survey):
    _, responses, records = survey
    by_row = responses.set_index("_row")
    for header, column in (("LearnedSkills", "knowledge"), ("Recommend", "satisfaction")):
        expected = Counter(AGREEMENT.get(r[header].strip()) for r in records)
        got = Counter(None if pd.isna(v) else int(v) for v in responses[column])
        assert got == expected
        for row, r in enumerate(records, start=2):
            value = by_row.at[row, column]
            assert (None if pd.isna(value) else int(value)) == AGREEMENT.get(r[header].strip())
    assert Counter(responses["knowledge"].dropna()) == {5: 581, 4: 292, 3: 24, 2: 4, 1: 10}


def test_carpentries_survey_us_two_digit_year_dates(survey):
    _, responses, records = survey
    by_row = responses.set_index("_row")
    assert by_row.at[2, "response_date"] == pd.Timestamp(2018, 9, 8)  # "9/8/18 15:29"
    for row, r in enumerate(records, start=2):
        expected = dt.datetime.strptime(r["Date"].strip(), "%m/%d/%y %H:%M").date()
        assert by_row.at[row, "response_date"] == pd.Timestamp(expected)


def test_carpentries_survey_rows_without_an_event_are_errors_with_their_row(survey):
    """The event column is blank on 51 rows: each is named, and nothing else blocks the upload.

    A user cannot give those rows a programme from the Upload page (no constant or fallback column
    such as MemberSiteOther), so they must fill the cells in the file.
    """
    result, _, records = survey
    blank = [row for row, r in enumerate(records, start=2) if not r["MemberSite"].strip()]
    assert len(blank) == 51
    assert [(p.row, p.column, p.code) for p in result.errors] == [(row, "MemberSite", "missing-value") for row in blank]


# --- Arts Council England: event attendance by authority, age group and period --------------------------

ACE = "ace_england/event_attendance.csv"


def iso_interval(text: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """'2023-04-01/P3M' -> (1 April 2023, 30 June 2023), worked out with the calendar, not pandas offsets."""
    start_text, duration = text.split("/")
    start = dt.date.fromisoformat(start_text)
    n, unit = int(duration[1:-1]), duration[-1]
    months = n * 12 if unit == "Y" else n
    year, month = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)
    return pd.Timestamp(start), pd.Timestamp(end)


@pytest.fixture(scope="module")
def ace():
    """Event type names the programme, Authority the library service. Arts Council England, OGL v3."""
    result = ingest(ACE, Options(table="attendance", mapping={"Event type": "programme", "Authority": "branch"}))
    return result, result.frame("attendance"), csv_records(ACE)


def test_ace_event_attendance_periods_counts_and_age_groups(ace):
    result, attendance, records = ace
    assert result.ok, result.errors[:5]
    (sheet,) = result.sheets
    assert sheet.mapping == {"Authority": "branch", "Event type": "programme", "Age group": "age_band",
                             "Period": "period", "Count": "attendees"}
    assert len(attendance) == len(records) == 2078
    assert attendance["attendees"].sum() == sum(int(r["Count"]) for r in records)  # 4,876,692
    assert attendance["sessions"].sum() == 2078  # a monthly, quarterly or annual return is one row, not spread
    assert Counter(attendance["age_band"]) == Counter(r["Age group"] for r in records)
    by_row = attendance.set_index("_row")
    for row, r in enumerate(records, start=2):
        assert (by_row.at[row, "period_start"], by_row.at[row, "period_end"]) == iso_interval(r["Period"])
    assert Counter(re.sub(r"^.*/", "", r["Period"]) for r in records) == {"P1M": 1984, "P3M": 92, "P1Y": 2}
    annual = attendance[attendance["period_end"] - attendance["period_start"] > pd.Timedelta(days=300)]
    assert set(annual["period_end"]) == {pd.Timestamp(2024, 3, 31)}


# --- ONS: mid-2024 population by single year of age --------------------------------------------------------

ONS = "ace_england/mye24tablesew.csv"


@pytest.fixture(scope="module")
def ons():
    """Detected and reshaped with no choices made by the user. ONS mid-2024 estimates, OGL v3."""
    result = ingest(ONS)
    return result, result.frame("population"), csv_records(ONS)


def test_ons_single_years_of_age_become_long_population_rows(ons):
    result, population, records = ons
    header = csv_rows(ONS)[0]
    ages = header[header.index("All ages") + 1:]
    assert ages[0] == "0" and ages[-1] == "90+" and len(ages) == 91
    assert [s.table for s in result.sheets] == ["population"]
    assert result.ok, result.errors[:5]
    assert len(population) == len(records) * len(ages) == 357 * 91
    assert set(population["dimension"]) == {"age_band"}
    assert sorted(set(population["group"]), key=lambda g: int(g.rstrip("+"))) == ages
    assert "All ages" not in set(population["group"])
    assert problems(result, "totals-column-excluded") == [("mye24tablesew", None, "All ages", "totals-column-excluded")]


def test_ons_each_geography_sums_to_its_all_ages_total(ons):
    _, population, records = ons
    per_row = population.groupby("_row")["population"].sum()
    catchment = population.groupby("_row")["catchment"].first()
    for row, r in enumerate(records, start=2):
        assert per_row[row] == int(r["All ages"]), r["Name"]
        assert catchment[row] == r["Name"].strip()
    assert per_row[2] == 61806682  # ENGLAND AND WALES
