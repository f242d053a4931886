"""The Upload page does what the CLI does (issue 10): pairs mapped in the editor, values a sheet leaves out,
one-click fixes from the report, the date order, and removing the demo once a library's own data is in.
Files are generated here; expected figures are worked out from the generated cells."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from impact.store import Store, load_demo

ROOT = Path(__file__).resolve().parents[2]
CSV = "text/csv"


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def page(*files) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/upload.py").run()
    if files:
        at.file_uploader[0].set_value(list(files)).run()
    assert not at.exception, at.exception
    return at


def errors(at) -> str:
    return next(m.value for m in at.metric if m.label == "Errors to fix")


def report_codes(at) -> list[str]:
    report = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    return report.loc[report["severity"] == "error", "code"].tolist()


def wide_survey(n: int = 12):
    rng = np.random.default_rng([2026, 10, 80])
    rows = [["Respondent", "Programme", "Q3 (before)", "Q3 (after)", "Comment"]]
    pre, post = [], []
    for i in range(n):
        a = None if i % 4 == 0 else int(rng.integers(1, 6))
        b = int(rng.integers(1, 6))
        pre.append(a)
        post.append(b)
        rows.append([f"R{i}", "Job Club", "" if a is None else a, b, "useful" if i % 3 == 0 else ""])
    return csv_bytes(rows), pre, post


def test_a_pair_is_one_row_of_the_editor_and_mapping_it_maps_both_waves(app):
    data, pre, post = wide_survey()
    at = page(("wide.csv", data, CSV))
    mapping = at.data_editor[0].value
    rows = dict(zip(mapping["Column in your file"], mapping["Imported as"]))
    assert rows["Q3 (before) + Q3 (after)"] == "outcome_q3"
    assert "Q3 (before)" not in rows
    position = list(mapping["Column in your file"]).index("Q3 (before) + Q3 (after)")
    at.session_state["upload.mapping.0.wide.csv.wide.survey_responses"] = {
        "edited_rows": {position: {"Imported as": "confidence"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, at.exception
    assert errors(at) == "0"
    at.button(key="upload.commit").click().run()
    stored = Store(app).load("survey_responses")
    by_wave = stored.groupby("wave")["confidence"].agg(["sum", "count"])
    assert by_wave.loc["pre"].tolist() == [sum(a for a in pre if a is not None), sum(a is not None for a in pre)]
    assert by_wave.loc["post"].tolist() == [sum(post), len(post)]
    assert stored.loc[stored["wave"] == "pre", "comment_benefit"].isna().all()  # asked after only


def test_a_value_for_what_the_sheet_leaves_out_and_the_report_above_the_editors(app):
    months = ["APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "JANUARY",
              "FEBRUARY", "MARCH"]
    counts = list(range(3, 15))
    data = csv_bytes([["Branch", *months], ["Central", *counts]])
    at = page(("return.csv", data, CSV))
    assert sorted(report_codes(at)) == ["missing-column", "month-without-year"]
    # the report (step 3) comes before the mapping (step 4), each fix in full
    headers = [h.value for h in at.header]
    assert headers.index("3 · Validation report") < headers.index("4 · Check how each sheet is read")
    assert any("**Fix:** give the year" in m.value for m in at.markdown)
    at.text_input(key="upload.default.0.return.csv.return.year").input("2024").run()
    at.text_input(key="upload.default.0.return.csv.return.programme").input("Branch events").run()
    assert not at.exception, at.exception
    assert errors(at) == "0"
    at.button(key="upload.commit").click().run()
    stored = Store(app).load("attendance")
    assert len(stored) == 12 and stored["attendees"].sum() == sum(counts)
    assert set(stored["programme"]) == {"Branch events"}
    assert str(min(stored["period_start"]))[:7] == "2024-04" and str(max(stored["period_start"]))[:7] == "2025-03"


def test_did_you_mean_applies_to_every_such_row_in_one_click(app):
    data = csv_bytes([["Partner name", "Partnership type"], ["Age UK", "comunity"], ["Scouts", "comunity"],
                      ["Westfield Library", "library"]])
    at = page(("partners.csv", data, CSV))
    assert errors(at) == "2"
    button = next(b for b in at.button if b.label.startswith("Read 'comunity' as community"))
    assert button.label == "Read 'comunity' as community (2 rows)"
    button.click().run()
    assert errors(at) == "0"
    at.button(key="upload.commit").click().run()
    stored = Store(app).load("partners").sort_values("name")
    assert stored["partnership_type"].tolist() == ["community", "community", "library"]


def test_codes_are_read_as_missing_and_own_outcomes_kept_by_one_click(app):
    codes = csv_bytes([["Programme", "Date", "Attendance"], ["Chess", "2025-05-01", 7], ["Chess", "2025-05-08", -1],
                       ["Chess", "2025-05-15", -1], ["Chess", "2025-05-22", 9]])
    at = page(("codes.csv", codes, CSV))
    assert report_codes(at) == ["missing-value-codes"]
    next(b for b in at.button if b.label.startswith("Read the codes -1 in 'Attendance'")).click().run()
    assert errors(at) == "0"
    at.button(key="upload.commit").click().run()
    stored = Store(app).load("attendance")
    assert stored["attendees"].sum() == 16 and stored["attendees"].isna().sum() == 2

    survey = csv_bytes([["Programme", "The staff were welcoming"], ["Book Club", "Agree"],
                        ["Book Club", "Strongly agree"]])
    at = page(("survey.csv", survey, CSV))
    next(b for b in at.button if b.label.startswith("Keep 1 agreement column")).click().run()
    mapping = at.data_editor[0].value
    assert dict(zip(mapping["Column in your file"], mapping["Imported as"]))["The staff were welcoming"] == \
        "outcome_the_staff_were_welcoming"


def test_the_demo_can_be_removed_once_the_librarys_own_data_is_in(app):
    store = Store(app)
    load_demo(store)
    at = page()
    assert not [b for b in at.button if b.label == "Remove the demo data"]  # only the demo: nothing offered
    data = csv_bytes([["Programme", "Date", "Attendance"], ["Chess", "2025-05-01", 7]])
    at.file_uploader[0].set_value([("own.csv", data, CSV)]).run()
    at.button(key="upload.commit").click().run()
    at.button(key="upload.remove_demo").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Removed the demo data:")
    assert Store(app).load("attendance")["attendees"].tolist() == [7]


def test_own_items_show_on_the_outcomes_page_before_after_and_in_follow_up(app):
    data, pre, _ = wide_survey()
    later = [4, 5, 3, 4, 4, 2, 5, 5, 4, 3, 4]
    follow = csv_bytes([["Respondent", "Programme", "Wave", "Outcome q3"]] +
                       [[f"R{i}", "Job Club", "follow-up", v] for i, v in enumerate(later)])
    at = page(("wide.csv", data, CSV), ("later.csv", follow, CSV))
    assert errors(at) == "0", report_codes(at)
    at.button(key="upload.commit").click().run()
    at.switch_page("pages/outcomes.py").run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe]
    change = next(t for t in tables if "method" in " ".join(map(str, t.columns)).lower())
    row = change.iloc[[str(o).lower() == "q3" for o in change.iloc[:, 0]]]
    pairs = sum(a is not None for a in pre)  # respondents who answered before and after
    assert row.iloc[0, 2] == pairs
    follow_table = next(t for t in tables if len(t) == 1 and t.iloc[0, 0] == "Q3" and t.iloc[0, 1] == len(later))
    assert follow_table.iloc[0, 2] == sum(v >= 4 for v in later)


def test_the_date_order_is_asked_and_the_choice_settles_it(app):
    data = csv_bytes([["Programme", "Date", "Attendance"], ["Chess", "03/04/2025", 5], ["Chess", "05/06/2025", 6]])
    at = page(("dates.csv", data, CSV))
    report = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    assert "ambiguous-dates" in report["code"].tolist()
    at.radio(key="upload.date_order").set_value("month first (US): 03/04/2025 is March 4").run()
    report = next(d.value for d in at.dataframe if "fix" in d.value.columns)
    assert "ambiguous-dates" not in report["code"].tolist()
    at.button(key="upload.commit").click().run()
    stored = Store(app).load("attendance").sort_values("attendees")
    assert [str(d)[:10] for d in stored["session_date"]] == ["2025-03-04", "2025-05-06"]
