"""python -m impact: the JSON a script reads, exit codes, and the whole import → batches → undo round."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workbooks import workbook

ROOT = Path(__file__).resolve().parent.parent


def run(*args, db=None):
    cmd = [sys.executable, "-m", "impact", *args]
    if db:
        cmd += ["--db", db]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def _files(tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "2025-05-01", 7],
                                              ["Chess Club", "08/05/2025", 9]]}))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "soon", "-3"]]}))
    return good, bad


def test_validate_json_names_file_sheet_row_column_and_fix(tmp_path):
    _, bad = _files(tmp_path)
    code, out, _ = run("validate", str(bad), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert report["sheets"][0] == {"file": "bad.xlsx", "sheet": "Attendance", "table": "attendance", "rows": 1,
                                   "header_row": 1, "mapping": {"Programme": "programme", "Date": "session_date",
                                                                "Attendance": "attendees"}}
    places = {(e["sheet"], e["row"], e["column"], e["code"] if "code" in e else None) for e in report["errors"]}
    assert ("Attendance", 2, "Date", "unparsable-date") in places
    assert ("Attendance", 2, "Attendance", "negative-count") in places
    assert all(set(e) >= {"file", "sheet", "row", "column", "value", "message", "fix"} for e in report["errors"])


def test_validate_exits_zero_without_errors_and_map_overrides_detection(tmp_path):
    good, _ = _files(tmp_path)
    code, out, _ = run("validate", str(good), "--json", "--map", "Date=", "--table", "attendance")
    report = json.loads(out)
    assert code == 0 and report["ok"]
    assert report["sheets"][0]["mapping"]["Date"] is None


def test_import_batches_undo_round_trip(tmp_path):
    good, bad = _files(tmp_path)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out, _ = run("import", str(bad), "--json", db=db)
    assert code == 1 and json.loads(out)["stored"] == {}
    code, out, _ = run("import", str(good), "--json", db=db)
    result = json.loads(out)
    assert code == 0 and result["stored"]["attendance"] == 2 and result["batch_id"] == 1
    code, out, _ = run("import", str(good), "--json", db=db)
    assert code == 1 and "already uploaded" in json.loads(out)["message"]
    code, out, _ = run("indicators", "--json", db=db)
    assert json.loads(out)["reach"] == {"attendance": 16, "sessions": 2, "new_attendees": 0, "not_recorded": 0}
    code, out, _ = run("batches", "--json", db=db)
    assert [b["file"] for b in json.loads(out)] == ["good.xlsx"]
    code, out, _ = run("undo", "1", db=db)
    assert code == 0
    code, out, _ = run("indicators", "--json", db=db)
    assert json.loads(out)["reach"]["attendance"] == 0


def test_a_missing_file_is_a_message_not_a_traceback(tmp_path):
    code, out, err = run("validate", str(tmp_path / "nope.xlsx"))
    assert code == 2 and "no such file" in err and "Traceback" not in err


def test_set_gives_a_value_where_the_file_is_silent(tmp_path):
    survey = tmp_path / "forms.xlsx"
    survey.write_bytes(workbook({"Form responses 1": [
        ["Timestamp", "I feel more confident about what I just learned", "Which branch?"],
        ["2025-05-01 10:00", "Agree", "Central"], ["2025-05-01 10:05", "Strongly agree", "Central"]]}))
    code, out, _ = run("validate", str(survey), "--json", "--table", "survey_responses")
    assert code == 1 and any(e["code"] == "missing-column" for e in json.loads(out)["errors"])
    code, out, _ = run("import", str(survey), "--json", "--table", "survey_responses", "--set",
                       "programme=Code Club", db=f"sqlite:///{tmp_path / 's.db'}")
    assert code == 0, out
    assert json.loads(out)["stored"]["survey_responses"] == 2
