"""`python -m impact indicators`: filter flags, --by groups, and the settings (hourly rate, display
minimum) read from the store. Runs the CLI in-process on a small workbook imported into SQLite."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from workbooks import workbook

from impact.cli import main
from impact.store import Store


def _workbook(path) -> None:
    sheets = {
        "Programmes": [["Programme", "Theme", "Branch", "Library cost", "Staff hours"],
                       ["Job Club", "Job skills", "Central", 1000, 10], ["Book Club", "Reading for pleasure", "Northgate", 500, None]],
        "Partners": [["Partner", "Partnership type"], ["Jobcentre", "stakeholder"], ["Reading Friends", "community"]],
        "Programme partners": [["Programme", "Partner", "Cash", "In-kind value", "Partner staff hours"],
                               ["Job Club", "Jobcentre", 200, 300, 4], ["Book Club", "Reading Friends", 0, 100, 0]],
        "Attendance": [["Programme", "Date", "Attendance"], ["Job Club", dt.date(2024, 5, 1), 20],
                       ["Job Club", dt.date(2024, 6, 1), 10], ["Book Club", dt.date(2024, 5, 2), 10]],
        "Survey responses": [["Programme", "Wave", "Respondent ID", "Knowledge"], ["Job Club", "pre", "R1", 2],
                             ["Job Club", "post", "R1", 4], ["Job Club", "pre", "R2", 3], ["Job Club", "post", "R2", 5]],
    }
    path.write_bytes(workbook(sheets))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    _workbook(folder / "small.xlsx")
    url = f"sqlite:///{folder / 'impact.db'}"
    assert main(["import", str(folder / "small.xlsx"), "--db", url]) == 0
    store = Store(url)
    store.set_setting("hourly_rate", 20)
    store.set_setting("min_n", 3)
    store.dispose()
    return url


def run(capsys, db, *args) -> dict:
    capsys.readouterr()
    assert main(["indicators", "--json", "--db", db, *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_holds_reach_engagement_outcomes_change_and_value_priced_at_the_stored_hourly_rate(capsys, db):
    out = run(capsys, db)
    assert out["reach"] == {"attendance": 40, "sessions": 3, "new_attendees": 0, "not_recorded": 0}
    assert (out["hourly_rate"], out["min_n"]) == (20.0, 3)
    assert out["value"]["total_input"] == pytest.approx((1000 + 10 * 20 + 500) + (200 + 300 + 4 * 20 + 100))
    assert out["value"]["leverage"] == pytest.approx(680 / 1700)
    assert "knowledge" not in out["change"]  # "I learned something new" asks about change: no pre baseline
    assert out["outcomes"]["knowledge"]["n"] == 2 and "groups" not in out


def test_filter_flags_narrow_the_scope(capsys, db):
    assert run(capsys, db, "--from", "2024-06", "--to", "2024-06")["reach"]["attendance"] == 10
    assert run(capsys, db, "--type", "community")["reach"]["attendance"] == 10
    assert run(capsys, db, "--partner", "Jobcentre", "--theme", "job skills")["reach"]["attendance"] == 30
    assert run(capsys, db, "--branch", "Northgate")["reach"]["attendance"] == 10
    assert run(capsys, db, "--programme", "Job Club", "--programme", "Book Club")["reach"]["attendance"] == 40
    out = run(capsys, db, "--from", "2024-06-01", "--partner", "Jobcentre")
    assert out["filters"]["from"] == "2024-06-01" and out["filters"]["partners"] == ["Jobcentre"]
    assert out["value"]["total_input"] == pytest.approx((1000 + 200 + 580) / 2)  # one of Job Club's 2 sessions


def test_by_gives_one_entry_per_group(capsys, db):
    out = run(capsys, db, "--by", "partner")
    groups = {g["group"]: g for g in out["groups"]}
    assert set(groups) == {"Jobcentre", "Reading Friends"}
    assert set(groups["Jobcentre"]) >= {"group", "reach", "outcomes", "value", "change"}
    assert groups["Jobcentre"]["reach"]["attendance"] == 30
    assert groups["Reading Friends"]["value"]["total_input"] == pytest.approx(600)
    periods = run(capsys, db, "--by", "period", "--grain", "financial_year")["groups"]
    # the survey sheet has no dates: its responses form their own group rather than vanish
    assert [(g["group"], g["reach"]["attendance"], g["engagement"]["post_responses"]) for g in periods] == \
        [("2024/25", 40, 0), ("(not recorded)", 0, 2)]


def test_text_output_and_a_bad_flag_is_a_message_not_a_traceback(capsys, db):
    assert main(["indicators", "--db", db, "--by", "theme"]) == 0
    text = capsys.readouterr().out
    assert "attendance 40 over 3 sessions" in text and "by theme:" in text and "Job skills" in text
    assert main(["indicators", "--db", db, "--from", "someday"]) == 2
    assert "not a date" in capsys.readouterr().err
