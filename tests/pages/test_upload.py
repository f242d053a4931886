"""The upload page with AppTest, step by step: templates, upload, mapping corrections, report, commit,
duplicates, history and undo."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from pagetest import upload_files as _upload
from pagetest import upload_page as _page
from streamlit.testing.v1 import AppTest
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store
from impact.templates import template_workbook

ROOT = Path(__file__).resolve().parents[2]
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = workbook({
    "Programmes": [["Programme", "Theme", "Branch"], ["Code Club", "Digital inclusion", "Central"]],
    "Attendance": [["Event name", "Date", "No. attending"],
                   ["Code Club", "03/04/2025", 12], ["Code Club", "10/04/2025", 9], ["Rhyme Time", "04/04/2025", 15]],
})
NEGATIVE = (b"Programme,Date,Attendees,New attendees\n"
            b"Code Club,2025-01-07,12,3\nCode Club,2025-01-14,-4,0\nCode Club,2025-01-21,10,-1\n")
TURNOUT = b"Programme,Date,Came along\nChess Club,2025-05-01,7\nChess Club,2025-05-08,5\n"


def _edit(at: AppTest, file: str, sheet: str, table: str, edits: dict[int, str]) -> AppTest:
    """What a user does in the mapping editor: choose 'Imported as' for rows of the sheet's mapping."""
    at.session_state[f"upload.mapping.0.{file}.{sheet}.{table}"] = {
        "edited_rows": {row: {"Imported as": value} for row, value in edits.items()},
        "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _report(at: AppTest):
    """The validation report table (the one with a 'fix' column)."""
    report = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    assert not report.isna().any().any() and not (report == "None").any().any()  # empty cells are empty
    return report.assign(row=[int(r) if r else None for r in report["row"]])


def _commit_button(at: AppTest):
    return at.button(key="upload.commit")


def test_the_page_offers_the_template_and_the_survey_form_and_says_what_to_do(app):
    at = _page()
    assert at.title[0].value == "Upload"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the template workbook (.xlsx)" in labels
    assert "Download a blank survey form (.txt)" in labels
    assert at.file_uploader[0].accept_multiple_files
    assert set(at.file_uploader[0].allowed_type) == {".xlsx", ".xlsm", ".xls", ".ods", ".csv"}
    assert at.file_uploader[0].proto.max_upload_size_mb == 50  # the max_upload_mb setting
    assert any("Choose one or more files" in i.value for i in at.info)
    assert any("Nothing has been uploaded yet" in c.value for c in at.caption)


def test_a_workbook_is_mapped_checked_previewed_and_stored_with_a_summary(app):
    at = _upload(_page(), ("westfield.xlsx", GOOD, XLSX))
    sheets = [m.value for m in at.markdown if "›" in m.value]
    assert sheets == ["**westfield.xlsx › Programmes** · 1 rows · header on row 1",
                      "**westfield.xlsx › Attendance** · 3 rows · header on row 1"]
    mapping = at.data_editor[1].value
    assert dict(zip(mapping["Column in your file"], mapping["Imported as"])) == {
        "Event name": "programme", "Date": "session_date", "No. attending": "attendees"}
    assert _metrics(at)["Errors to fix"] == "0" and _metrics(at)["Rows ready to store"] == "4"
    # what will be created is listed before anything is stored
    assert any("New programmes (1): Rhyme Time." in m.value for m in at.markdown)
    preview = next(d.value for d in at.dataframe if "attendees" in d.value.columns)
    assert list(preview["row"]) == [2, 3, 4] and list(preview["attendees"]) == [12, 9, 15]
    assert Store(app).batches().empty  # nothing stored yet
    at.text_input(key="upload.uploader").input("amy")
    _commit_button(at).click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == ("Stored 2 programmes, 3 attendance rows (batch 1). "
                                   "New programmes: Rhyme Time.")
    history = at.dataframe[-1].value
    assert list(history[["batch", "file", "by", "status"]].iloc[0]) == [1, "westfield.xlsx", "amy", "active"]
    assert history.loc[0, "rows"] == "2 programmes, 3 attendance rows"
    assert Store(app).load("attendance")["attendees"].sum() == 36
    assert not at.file_uploader[0].value  # a fresh uploader for the next file
    at.switch_page("pages/overview.py").run()
    assert _metrics(at)["Attendance"] == "36"


def test_a_file_with_errors_shows_them_and_cannot_be_stored(app):
    at = _upload(_page(), ("negative.csv", NEGATIVE, CSV))
    assert _metrics(at)["Errors to fix"] == "2"
    report = _report(at)
    errors = report[report["severity"] == "error"]
    assert [(r.sheet, r.row, r.column, r.code) for r in errors.itertuples()] == [
        ("negative", 3, "Attendees", "negative-count"), ("negative", 4, "New attendees", "negative-count")]
    assert errors["value"].tolist() == ["-4", "-1"] and errors["fix"].str.len().min() > 10
    assert _commit_button(at).disabled
    assert any("2 errors must be fixed" in e.value for e in at.error)
    # filter the report by severity
    at.multiselect(key="upload.report.severity").set_value(["warning"]).run()
    assert set(_report(at)["severity"]) == {"warning"}
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download this report (.xlsx)" in labels
    assert Store(app).batches().empty


def test_a_corrected_mapping_is_used_and_remembered_for_the_next_file_with_the_same_headers(app):
    at = _upload(_page(), ("turnout.csv", TURNOUT, CSV))
    # with no column it knows for a head count, the sheet is taken for survey responses: the user corrects it
    assert at.selectbox(key="upload.table.0.turnout.csv.turnout").value == "survey_responses"
    at.selectbox(key="upload.table.0.turnout.csv.turnout").set_value("attendance").run()
    report = _report(at)
    assert report.loc[report["severity"] == "error", "code"].tolist() == ["missing-column"]
    at = _edit(at, "turnout.csv", "turnout", "attendance", {2: "attendees"})  # Came along -> attendees
    mapping = at.data_editor[0].value
    assert dict(zip(mapping["Column in your file"], mapping["Imported as"]))["Came along"] == "attendees"
    assert _metrics(at)["Errors to fix"] == "0" and _metrics(at)["Rows ready to store"] == "2"
    assert any("Remembered" in c.value for c in at.caption)
    _commit_button(at).click().run()
    assert Store(app).load("attendance")["attendees"].tolist() == [7, 5]
    # next month's file, same headers: read the remembered way without asking again
    may = b"Programme,Date,Came along\nChess Club,2025-06-05,11\n"
    at = _upload(at, ("turnout june.csv", may, CSV))
    assert _metrics(at)["Errors to fix"] == "0"
    assert any("Read with the mapping remembered on" in c.value for c in at.caption)


def test_choosing_the_table_for_a_sheet_and_leaving_another_out(app):
    data = workbook({"Kids": [["Club", "When", "Kids"], ["Lego Club", "2025-04-05", 9]],
                     "Scratch": [["Widget", "Colour"], ["Sprocket", "Blue"]]})
    at = _upload(_page(), ("clubs.xlsx", data, XLSX))
    codes = _report(at).query("severity == 'error'")[["sheet", "code"]].values.tolist()
    assert ["Scratch", "unknown-table"] in codes
    at.selectbox(key="upload.table.0.clubs.xlsx.Scratch").set_value("").run()  # (do not import this sheet)
    at.selectbox(key="upload.table.0.clubs.xlsx.Kids").set_value("attendance").run()
    at = _edit(at, "clubs.xlsx", "Kids", "attendance", {0: "programme", 1: "session_date", 2: "attendees"})
    report = _report(at)
    assert report.query("severity == 'error'").empty, report
    assert report.query("code == 'sheet-not-imported'")["sheet"].tolist() == ["Scratch"]
    _commit_button(at).click().run()
    stored = Store(app).load("attendance")
    assert stored[["programme", "attendees"]].values.tolist() == [["Lego Club", 9]]


def test_the_same_file_twice_is_refused_with_the_date_it_was_first_uploaded(app):
    first = Store(app).commit(ingest_files([("westfield.xlsx", GOOD)]))
    at = _upload(_page(), ("westfield copy.xlsx", GOOD, XLSX))
    warned = [w.value for w in at.warning]
    assert any("was already uploaded on" in w and f"(batch {first.batch_ids[0]})" in w for w in warned)
    _commit_button(at).click().run()
    assert any("Not stored: westfield copy.xlsx was already uploaded on" in e.value for e in at.error)
    assert len(Store(app).batches()) == 1
    at.checkbox(key="upload.force").check().run()
    _commit_button(at).click().run()
    assert len(Store(app).batches()) == 2


def test_undo_asks_first_then_removes_the_whole_batch(app):
    at = _upload(_page(), ("westfield.xlsx", GOOD, XLSX))
    _commit_button(at).click().run()
    at.selectbox(key="upload.undo.choice").set_value(1).run()
    at.button(key="upload.undo.ask").click().run()
    assert any("Undo Batch 1 · westfield.xlsx" in w.value for w in at.warning)
    assert len(Store(app).load("attendance")) == 3  # asked, not yet done
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not any("Undo Batch 1" in w.value for w in at.warning)
    at.button(key="upload.undo.ask").click().run()
    next(b for b in at.button if b.label == "Yes, undo batch 1").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Undone batch 1: removed 2 programmes, 3 attendance rows."
    assert Store(app).load("attendance").empty
    assert at.dataframe[-1].value.loc[0, "status"].startswith("undone")


def test_a_file_over_the_size_limit_is_reported_and_not_read(app):
    Store(app).set_setting("max_upload_mb", 0.0001)
    at = _upload(_page(), ("westfield.xlsx", GOOD, XLSX))
    report = _report(at)
    assert report[["file", "code"]].values.tolist() == [["westfield.xlsx", "file-too-large"]]
    assert _commit_button(at).disabled


def test_the_filled_template_stores_only_the_rows_staff_added(app):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    book["Attendance"].append(["Chess Club", "2025-05-01", "West", 7])
    buffer = io.BytesIO()
    book.save(buffer)
    at = _upload(_page(), ("template filled.xlsx", buffer.getvalue(), XLSX))
    report = _report(at)
    assert report.query("severity == 'error'").empty, report
    examples = report[report["code"] == "template-example-row"]
    assert len(examples) == 14  # two example rows on each of the seven sheets
    assert set(examples["row"]) == {2, 3}
    assert report.query("code == 'sheet-not-imported'")["sheet"].tolist() == ["Instructions"]
    _commit_button(at).click().run()
    attendance = Store(app).load("attendance")
    assert attendance[["programme", "attendees", "source_row"]].values.tolist() == [["Chess Club", 7, 4]]
