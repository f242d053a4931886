"""Every file of the messy-spreadsheet corpus (tests/corpus/make_corpus.py), ingested as staff would.

Per file: the tables found and their row counts, totals worked out by hand from the
rows the builder writes, the exact error rows as (sheet, row, column, code), and the
warnings that must be among the report's. Rows are the spreadsheet's own 1-based rows.
"""
from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from impact.ingest import IngestResult, Options, ingest_paths

_SPEC = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).resolve().parents[1] / "corpus" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(make_corpus)


@dataclass
class Expect:
    tables: dict[str, int]  # table -> rows in its cleaned frame
    errors: set[tuple] = field(default_factory=set)  # exactly these (sheet, row, column, code)
    warnings: set[tuple] = field(default_factory=set)  # at least these (sheet, row, column, code)
    totals: dict[tuple[str, str], float] = field(default_factory=dict)  # (table, column) -> sum by hand
    options: Options | None = None
    check: Callable[[IngestResult], None] | None = None


def dates(*texts: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(t) for t in texts]


def by_wave(result: IngestResult, column: str) -> dict[str, float]:
    frame = result.frame("survey_responses")
    return frame.groupby("wave")[column].sum().to_dict()


# --- extra checks, one per file that needs more than tables, totals and problems ------------------

def check_title_totals_notes(result):
    assert result.sheets[0].header_row == 4
    assert result.frame("attendance")["_row"].tolist() == [5, 6, 8, 9]


def check_merged_group_header(result):
    frame = result.frame("attendance")
    assert result.sheets[0].mapping["Adults"] == "age_band"
    assert frame["age_band"].tolist() == ["Adults", "Children"] * 3
    assert frame["sessions"].sum() == 3  # one session per row, however many groups it is split into


def check_missing_markers(result):
    frame = result.frame("attendance")
    assert frame["_row"].tolist() == [2, 4, 5, 7, 8, 9]
    assert frame["attendees"].isna().sum() == 4  # n/a, -, —, blank: not recorded, never zero


def date_check(*expected: str):
    def check(result):
        assert result.frame("attendance")["session_date"].tolist() == dates(*expected)
    return check


def check_utf8_programmes(result):
    frame = result.frame("programmes")
    assert frame["name"].tolist() == ["Café Culture", "Zoë's Story Time", "Señor Bookworm"]
    assert frame["branch"].tolist()[1] == "Bishop’s Park"


def check_bom_partners(result):
    assert list(result.sheets[0].mapping) == ["Name", "Partnership type", "Sector", "Area"]  # no BOM in 'Name'
    frame = result.frame("partners")
    assert frame["partnership_type"].tolist() == ["stakeholder", "library", "community"]
    assert frame["name"].tolist()[1] == "Bibliothèque Française de Londres"
    assert frame["area"].tolist()[2] == "Ørsted Ward"


def check_cp1252(result):
    frame = result.frame("programmes")
    assert frame["name"].tolist() == ["Crèche Rhymes", "Noël Craft Fair"]
    assert frame["branch"].tolist()[0] == "Église Road"


def check_google_forms(result):
    frame = result.frame("survey_responses")
    assert frame["response_date"].tolist() == dates("2025-04-03", "2025-04-03", "2025-04-10", "2025-04-17")
    assert frame["confidence"].isna().sum() == 1  # "Don't know"
    assert frame["application"].isna().sum() == 1  # "N/A"
    assert (frame["wave"] == "post").all()
    assert "@" not in frame.to_string()


def check_microsoft_forms(result):
    frame = result.frame("survey_responses")
    assert frame["respondent_id"].tolist() == ["1", "2", "3"]
    assert frame["response_date"].tolist() == dates("2025-06-02", "2025-06-03", "2025-06-04")
    assert "jo@example.com" not in frame.to_string() and "Jo Bloggs" not in frame.to_string()


def check_surveymonkey(result):
    assert result.sheets[0].header_row == 1
    frame = result.frame("survey_responses")
    assert frame["_row"].tolist() == [3, 4, 5]  # the 'Response' row is part of the header
    assert frame["programme"].unique().tolist() == ["Coding for Adults"]
    assert frame["response_date"].tolist() == dates("2025-04-15", "2025-04-15", "2025-04-22")  # month-first


def check_joined_pre_post(result):
    assert by_wave(result, "confidence") == {"pre": 2 + 3 + 1, "post": 4 + 5 + 3}
    assert by_wave(result, "knowledge") == {"pre": 1 + 2, "post": 4 + 5 + 3}  # n/a is no answer
    frame = result.frame("survey_responses")
    pairs = frame.groupby("respondent_id")["wave"].apply(sorted)
    assert len(pairs) == 3 and all(w == ["post", "pre"] for w in pairs)


def check_before_after(result):
    assert by_wave(result, "confidence") == {"pre": 2 + 1 + 3 + 4, "post": 4 + 4 + 5 + 4}
    frame = result.frame("survey_responses")
    assert sorted(frame.loc[frame["wave"] == "pre", "respondent_id"]) == ["R1", "R2", "R3", "R4"]
    assert sorted(frame.loc[frame["wave"] == "post", "respondent_id"]) == ["R1", "R2", "R3", "R4"]


def check_project_outcome(result):
    frame = result.frame("survey_responses")
    assert frame["wave"].tolist() == ["post"] * 3 + ["follow_up"] * 2
    assert frame["theme"].unique().tolist() == ["Job Skills"]
    assert frame["awareness"].isna().sum() == 1  # "Don't Know"
    assert frame["comment_benefit"].notna().sum() == 2 and frame["comment_improve"].notna().sum() == 2


def check_age_band_headcount(result):
    frame = result.frame("attendance")
    assert frame["age_band"].tolist()[:5] == ["Under 5", "5-11", "12-17", "18-64", "65+"]
    assert frame["sessions"].sum() == 3
    assert frame.groupby("_row")["attendees"].sum().tolist() == [59, 27, 18]  # the sheet's own Total column


def check_monthly_returns(result):
    frame = result.frame("attendance")
    assert frame["period_start"].tolist() == dates("2024-04-01", "2024-05-01", "2024-06-01", "2024-04-01")
    assert frame["period_end"].tolist() == dates("2024-04-30", "2024-05-31", "2024-06-30", "2024-04-30")


def check_quarterly_periods(result):
    frame = result.frame("attendance")
    assert frame["period_start"].tolist() == dates("2023-04-01", "2023-07-01", "2023-10-01", "2023-04-01")
    assert frame["period_end"].tolist() == dates("2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31")


def check_negative_counts(result):
    frame = result.frame("attendance")
    readable = frame[~frame["_row"].isin([3, 4, 5])]
    assert readable["attendees"].sum() == 12 + 9
    assert frame.loc[frame["_row"] == 5, "attendees"].isna().all()  # 12.5 is not read as 12 or 13


def check_several_sheets(result):
    assert {s.sheet: s.table for s in result.sheets} == {
        "Partners": "partners", "Programmes": "programmes", "Programme partners": "programme_partners",
        "Attendance": "attendance"}
    assert not {p.code for p in result.warnings} & {"new-programme", "new-partner"}
    assert result.frame("programme_partners")["promoted"].tolist() == [True, False, True]


def check_personal_data(result):
    frame = result.frame("survey_responses")
    assert frame["comment_benefit"].tolist() == [
        "Please email me at [email removed] about the next one", "Call me on [phone removed]", "Too short"]
    text = frame.to_string()
    assert "@" not in text and "Ann Lee" not in text and "07700" not in text
    assert result.files[0].personal_columns == ["Name", "Email", "Phone", "Contact", "Comments"]


def check_comment_with_contact_details(result):
    assert result.frame("survey_responses")["comment_benefit"].tolist() == [
        "Ring me on [phone removed] please", "Very helpful", "[email removed] wants the slides"]
    assert result.files[0].personal_columns == ["Comments"]  # so the original file is not kept


def check_huge_cell(result):
    frame = result.frame("survey_responses")
    assert frame["comment_benefit"].isna().tolist() == [False, True, True]


def check_formulas(result):
    frame = result.frame("attendance")
    assert frame["attendees"].isna().tolist() == [False, True, False]  # blank, not calamine's 0
    formula_rows = {p.row for p in result.warnings if p.code == "formula-not-calculated"}
    assert formula_rows == {3, 4}  # the totals row's =SUM is excluded with its row, not warned twice


def check_ods(result):
    assert result.frame("attendance")["branch"].unique().tolist() == ["Central"]


FILE = (None, None, None)

CASES: dict[str, Expect] = {
    "title_totals_notes.xlsx": Expect(
        {"attendance": 4}, totals={("attendance", "attendees"): 14 + 17 + 9 + 11},
        warnings={("Attendance", 10, None, "totals-row-excluded"), ("Attendance", 12, None, "notes-row-excluded"),
                  ("Attendance", 13, None, "notes-row-excluded")},
        check=check_title_totals_notes),
    "merged_group_header.xlsx": Expect(
        {"attendance": 3 * 2}, totals={("attendance", "attendees"): 6 + 9 + 5 + 8 + 3 + 12},
        check=check_merged_group_header),
    "blank_rows_and_missing_markers.csv": Expect(
        {"attendance": 6}, totals={("attendance", "attendees"): 8 + 6},
        warnings={("blank_rows_and_missing_markers", None, "Headcount", "attendance-not-recorded")},
        check=check_missing_markers),
    "dates_excel_serial.xlsx": Expect(
        {"attendance": 4}, totals={("attendance", "attendees"): 10 + 11 + 12 + 13},
        check=date_check("2025-04-01", "2025-04-08", "2023-12-31", "2000-01-01")),
    "dates_iso_text.csv": Expect(
        {"attendance": 4}, check=date_check("2025-04-03", "2025-12-01", "2024-01-05", "2025-04-03")),
    "dates_uk_text.csv": Expect(
        {"attendance": 4}, check=date_check("2025-04-03", "2025-12-01", "2024-01-05", "2025-04-03")),
    "dates_us_text.csv": Expect(
        {"attendance": 4}, options=Options(dayfirst=False),
        check=date_check("2025-04-03", "2025-12-01", "2024-01-05", "2025-04-03")),
    "dates_ordinal_text.xlsx": Expect(
        {"attendance": 4}, check=date_check("2025-04-03", "2025-04-10", "2025-05-01", "2025-05-22")),
    "dates_datetime_cells.xlsx": Expect(
        {"attendance": 4}, check=date_check("2025-04-03", "2025-04-10", "2024-01-05", "2024-12-31")),
    "utf8_programmes.csv": Expect(
        {"programmes": 3},
        totals={("programmes", "library_cost"): 1200 + 350 + 75.5,
                ("programmes", "library_staff_hours"): 3.5 + 12 + 1.5},  # 90 mins = 1.5 hours
        check=check_utf8_programmes),
    "utf8_bom_partners.csv": Expect({"partners": 3}, check=check_bom_partners),
    "windows_1252_programmes.csv": Expect(
        {"programmes": 2}, totals={("programmes", "library_cost"): 250 + 1050.25}, check=check_cp1252),
    "google_forms.csv": Expect(
        {"survey_responses": 4},
        totals={("survey_responses", "knowledge"): 5 + 4 + 2 + 5,
                ("survey_responses", "confidence"): 4 + 5 + 5,
                ("survey_responses", "application"): 4 + 3 + 5,
                ("survey_responses", "awareness"): 5 + 4 + 4 + 1},
        warnings={("google_forms", None, "Email address", "personal-data-not-stored")},
        check=check_google_forms),
    "microsoft_forms.xlsx": Expect(
        {"survey_responses": 3},
        totals={("survey_responses", "knowledge"): 5 + 4 + 4, ("survey_responses", "confidence"): 4 + 4 + 5,
                ("survey_responses", "application"): 4 + 5 + 4, ("survey_responses", "awareness"): 3 + 5 + 4},
        warnings={("Form1", None, "Email", "personal-data-not-stored"),
                  ("Form1", None, "Name", "personal-data-not-stored")},
        check=check_microsoft_forms),
    "surveymonkey.xlsx": Expect(
        {"survey_responses": 3},
        totals={("survey_responses", "knowledge"): 5 + 4 + 3, ("survey_responses", "confidence"): 4 + 4 + 2},
        warnings={("Sheet", None, "IP Address", "personal-data-not-stored"),
                  ("Sheet", None, "Email Address", "personal-data-not-stored"),
                  ("Sheet", None, "First Name", "personal-data-not-stored")},
        check=check_surveymonkey),
    "joined_pre_post.csv": Expect({"survey_responses": 3 * 2}, check=check_joined_pre_post),
    "before_after.xlsx": Expect({"survey_responses": 4 * 2}, check=check_before_after),
    "project_outcome.xlsx": Expect(
        {"survey_responses": 5},
        totals={("survey_responses", "knowledge"): 5 + 4 + 2 + 4 + 5,
                ("survey_responses", "confidence"): 4 + 4 + 3 + 5 + 5,
                ("survey_responses", "application"): 5 + 4 + 4 + 5 + 4,
                ("survey_responses", "awareness"): 4 + 3 + 5 + 4},
        check=check_project_outcome),
    "age_band_headcount.xlsx": Expect(
        {"attendance": 3 * 5},
        totals={("attendance", "attendees"): (14 + 22 + 3 + 18 + 2) + (6 + 11 + 0 + 9 + 1) + (4 + 2 + 7 + 5)},
        warnings={("Headcount", None, "Total", "totals-column-excluded"),
                  ("Headcount", None, None, "attendance-not-recorded")},
        check=check_age_band_headcount),
    "monthly_returns.xlsx": Expect(
        {"attendance": 4},
        totals={("attendance", "sessions"): 8 + 9 + 8 + 12, ("attendance", "attendees"): 160 + 171 + 150 + 95},
        check=check_monthly_returns),
    "quarterly_iso_periods.csv": Expect(
        {"attendance": 4},
        totals={("attendance", "sessions"): 4 + 3 + 5 + 40, ("attendance", "attendees"): 212 + 148 + 260 + 410},
        check=check_quarterly_periods),
    "wrong_types.xlsx": Expect(
        {"programmes": 4},
        errors={("Programmes", 3, "Capacity", "not-a-whole-number"), ("Programmes", 4, "Library cost", "not-a-number"),
                ("Programmes", 5, "Staff hours", "not-a-number")},
        totals={("programmes", "library_cost"): 1200 + 1050 + 300,
                ("programmes", "library_staff_hours"): 3.5 + 1.5 + 2,
                ("programmes", "capacity_per_session"): 12 + 20 + 40}),
    "negative_counts.csv": Expect(
        {"attendance": 5},
        errors={("negative_counts", 3, "Attendees", "negative-count"),
                ("negative_counts", 4, "New attendees", "negative-count"),
                ("negative_counts", 5, "Attendees", "not-a-whole-number")},
        check=check_negative_counts),
    "several_sheets.xlsx": Expect(
        {"partners": 3, "programmes": 2, "programme_partners": 3, "attendance": 3},
        totals={("attendance", "attendees"): 10 + 12 + 14, ("attendance", "new_attendees"): 4 + 2 + 9,
                ("programmes", "library_cost"): 500 + 250.5, ("programme_partners", "cash"): 0 + 100 + 400,
                ("programme_partners", "in_kind"): 150, ("programme_partners", "staff_hours"): 20 + 12 + 0},
        check=check_several_sheets),
    "personal_data.csv": Expect(
        {"survey_responses": 3}, totals={("survey_responses", "confidence"): 4 + 5 + 2},
        warnings={("personal_data", None, h, "personal-data-not-stored") for h in ("Name", "Email", "Phone", "Contact")}
        | {("personal_data", None, "Comments", "personal-data-removed")},
        check=check_personal_data),
    "comment_with_contact_details.csv": Expect(
        {"survey_responses": 3}, totals={("survey_responses", "awareness"): 4 + 5 + 4},
        warnings={("comment_with_contact_details", None, "Comments", "personal-data-removed")},
        check=check_comment_with_contact_details),
    "empty_workbook.xlsx": Expect({}, errors={(*FILE, "no-data")}),
    "text_named.xlsx": Expect({}, errors={(*FILE, "not-a-spreadsheet")}),
    "empty.csv": Expect({}, errors={(*FILE, "empty-file")}),
    "huge_cell.csv": Expect(
        {"survey_responses": 3}, errors={("huge_cell", 3, "Comments", "cell-too-long")},
        totals={("survey_responses", "knowledge"): 4 + 5 + 4}, check=check_huge_cell),
    "formulas.xlsx": Expect(
        {"attendance": 3}, totals={("attendance", "attendees"): 11 + 9},
        warnings={("Attendance", 3, "Attendees", "formula-not-calculated"),
                  ("Attendance", 4, "Date", "formula-not-calculated"),
                  ("Attendance", 5, None, "totals-row-excluded")},
        check=check_formulas),
    "unknown_table.csv": Expect({}, errors={("unknown_table", 1, None, "unknown-table")}),
    "attendance.ods": Expect({"attendance": 3}, totals={("attendance", "attendees"): 7 + 9 + 6}, check=check_ods),
    "register.xlsm": Expect({"attendance": 2}, totals={("attendance", "attendees"): 16 + 21}),
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return make_corpus.build(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_has_an_expectation_for_every_file_and_at_least_25_files(corpus):
    assert set(CASES) == set(corpus)
    assert len(corpus) >= 25


@pytest.mark.parametrize("name", list(CASES))
def test_corpus_file_gives_its_tables_totals_and_problem_rows(corpus, name):
    expect = CASES[name]
    result = ingest_paths([corpus[name]], expect.options)

    found = {table: len(result.frame(table)) for table in
             ("partners", "programmes", "programme_partners", "attendance", "survey_responses", "population")
             if len(result.frame(table))}
    assert found == expect.tables

    assert {(p.sheet, p.row, p.column, p.code) for p in result.errors} == expect.errors
    assert result.ok == (not expect.errors)
    warnings = {(p.sheet, p.row, p.column, p.code) for p in result.warnings}
    assert expect.warnings <= warnings

    for (table, column), total in expect.totals.items():
        assert result.frame(table)[column].sum() == pytest.approx(total), (table, column)

    # every problem says where it is and how to fix it
    for p in result.problems:
        assert p.file == name and p.message and p.fix

    if expect.check:
        expect.check(result)
