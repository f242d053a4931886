"""impact/upload.py (the upload page's logic): reading an upload, the mapping editor, the report, the plan, history."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
from workbooks import workbook

from impact import upload
from impact.ingest import Options, SheetOptions, ingest_files
from impact.store import Store

ATTENDANCE = workbook({"Attendance": [["Programme", "Date", "Headcount", "Email"],
                                      ["Code Club", "2025-04-03", 12, "a@example.org"],
                                      ["Code Club", "2025-04-10", "=SUM(1,2)", "b@example.org"]]})


def test_progress_is_reported_for_each_file_and_ends_at_one():
    steps = []
    upload.read_upload([("a.xlsx", ATTENDANCE), ("b.xlsx", ATTENDANCE)], progress=lambda f, t: steps.append((f, t)))
    assert [round(f, 2) for f, _ in steps] == [0.0, 0.33, 0.67, 1.0]
    assert "a.xlsx (1 of 2)" in steps[0][1]


def test_the_mapping_rows_say_what_each_header_becomes_and_why_personal_columns_are_not_stored():
    result = ingest_files([("a.xlsx", ATTENDANCE)])
    (sheet,) = result.sheets
    rows = upload.mapping_rows(sheet, result.files[0].personal_columns)
    assert rows.values.tolist()[:3] == [
        ["Programme", "programme", "required · programme the session belongs to"],
        ["Date", "session_date", "the day of the session; or give year and month, or period, for returns"],
        ["Headcount", "attendees", "required · people at the session(s); blank means not recorded, never zero"]]
    assert rows.values.tolist()[3] == ["Email", "(not imported)", "personal data: never stored"]


def test_edits_become_overrides_and_values_that_are_not_columns_of_the_table_are_ignored():
    headers = ["Programme", "Date", "Headcount"]
    edits = {0: {"Imported as": None}, "2": {"Imported as": "new_attendees"}, 1: {"Imported as": "confidence"},
             7: {"Imported as": "attendees"}}
    assert upload.overrides_from_edits(headers, edits, "attendance") == {"Programme": "", "Headcount": "new_attendees"}
    ignored = upload.overrides_from_edits(headers, {1: {"Imported as": upload.IGNORE}}, "attendance")
    assert ignored == {"Date": ""}  # ingest's word for not imported


def test_the_report_workbook_keeps_formulas_as_text():
    result = ingest_files([("a.xlsx", ATTENDANCE)])
    problems = upload.problems_table(result)
    problems.loc[len(problems)] = ["error", "a.xlsx", "Attendance", 3, "Headcount", "=SUM(1,2)", "m", "f", "x"]
    sheet = openpyxl.load_workbook(io.BytesIO(upload.report_workbook(problems)))["Validation report"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == upload.REPORT_COLUMNS
    assert values[-1][:6] == ["error", "a.xlsx", "Attendance", 3, "Headcount", "=SUM(1,2)"]
    assert sheet.cell(row=len(values), column=6).data_type == "s"


def test_problems_list_errors_first_and_filter_by_severity_and_sheet():
    bad = workbook({"A": [["Programme", "Date", "Attendees"], ["X", "2025-01-01", -1]],
                    "B": [["Programme", "Date", "Attendees"], ["Y", "2025-01-01", 3]]})
    problems = upload.problems_table(ingest_files([("bad.xlsx", bad)]))
    assert problems["severity"].tolist()[0] == "error"
    assert problems.loc[0, ["sheet", "row", "column", "code"]].tolist() == ["A", 2, "Attendees", "negative-count"]
    assert set(upload.filter_problems(problems, ["warning"])["severity"]) == {"warning"}
    assert set(upload.filter_problems(problems, None, ["B"])["sheet"]) == {"B"}


def test_the_plan_lists_what_will_be_created_against_the_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    store.commit(ingest_files([("p.xlsx", workbook({"Programmes": [["Programme"], ["Code Club"]]}))]))
    data = workbook({"Stakes": [["Programme", "Partner", "Cash"], ["Code Club", "Age UK", 10],
                                ["Chess Club", "Age UK", 5]]})
    plan = upload.plan(ingest_files([("s.xlsx", data)]), store)
    assert plan.created == {"programmes": ["Chess Club"], "partners": ["Age UK"]}
    assert plan.rows == {"programme_partners": 2} and plan.duplicates == []
    assert store.load("partners").empty  # a preview writes nothing


def test_per_sheet_choices_apply_to_their_sheet_only():
    data = workbook({"One": [["Club", "When", "Kids"], ["Lego Club", "2025-04-05", 9]],
                     "Two": [["Programme", "Date", "Attendees"], ["Chess", "2025-04-05", 4]]})
    choice = SheetOptions("attendance", {"Club": "programme", "When": "session_date", "Kids": "attendees"})
    result = ingest_files([("c.xlsx", data)], Options(sheets={("c.xlsx", "One"): choice}))
    assert result.ok, result.errors
    assert result.frame("attendance")[["_sheet", "programme", "attendees"]].values.tolist() == [
        ["One", "Lego Club", 9], ["Two", "Chess", 4]]
    by_name = ingest_files([("c.xlsx", data)], Options(sheets={"One": ("", {})}))  # a sheet name, a tuple
    assert [(s.sheet, s.table) for s in by_name.sheets] == [("One", None), ("Two", "attendance")]
    assert [(p.sheet, p.code) for p in by_name.warnings if p.code == "sheet-not-imported"] == [
        ("One", "sheet-not-imported")]


def test_history_says_who_when_what_and_whether_it_was_undone():
    batches = pd.DataFrame({"id": [1, 2], "file_name": ["a.xlsx", "b.csv"],
                            "uploaded_at": pd.to_datetime(["2025-04-03 10:15", "2025-04-04 09:00"]),
                            "uploader": ["amy", None], "rows": [{"attendance": 3}, {"survey_responses": 1}],
                            "personal_data": [False, True], "undone_at": [pd.Timestamp("2025-04-05 12:00"), None],
                            "original_kept": [False, False]})
    table = upload.history_table(batches)
    assert table.values.tolist() == [
        [2, "b.csv", "04 Apr 2025 09:00", "", "1 survey response", "no (personal data)", "active"],
        [1, "a.xlsx", "03 Apr 2025 10:15", "amy", "3 attendance rows", "no", "undone 05 Apr 2025 12:00"]]
