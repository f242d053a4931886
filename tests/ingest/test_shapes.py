"""Shapes of real files from other systems, each made here by a script (never copied), read through
`read_upload` (what the Upload page calls) and through the CLI, with the expected figures worked out in
the test from the generated cells themselves (issue 10).
"""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd

from impact import cli
from impact.ingest import Options
from impact.upload import read_upload

SCALE = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def validate(tmp_path, name: str, data: bytes, *args) -> dict:
    """The CLI's --json report (in-process: the same argument parsing as `python -m impact validate`)."""
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        cli.main(["validate", str(path), "--json", *args])
    return json.loads(out.getvalue())


def codes(result) -> list[tuple]:
    return sorted((p.code, p.row, p.column) for p in result.problems)


# --- part 1: wide pre/post with the file's own item names ----------------------------------------------------

def wide_pre_post(seed: int = 10, n: int = 14):
    """One row per respondent: three pre/post pairs in three spellings, a satisfaction and a comment asked
    only after. Some respondents skipped every 'before' question (they came late), a few every question."""
    rng = np.random.default_rng([2026, 10, seed])
    header = ["Respondent", "Programme", "agree_learning.pre", "agree_learning.post", "Q3 (before)", "Q3 (after)",
              "Pre: I can find trusted health information", "Post: I can find trusted health information",
              "Overall satisfaction", "Comment"]
    rows, truth = [header], []
    for i in range(n):
        late = i % 5 == 1          # answered after only
        silent = i == n - 1        # answered nothing at all
        r = {"id": f"P{i + 1:02d}"}
        for item in ("learning", "q3", "health"):
            r[f"{item}.pre"] = None if late or silent or rng.random() < 0.1 else int(rng.integers(1, 6))
            r[f"{item}.post"] = None if silent else int(rng.integers(1, 6))
        r["satisfaction"] = None if silent else int(rng.integers(3, 6))
        r["comment"] = None if silent or i % 3 else f"comment {i}"
        truth.append(r)
        cell = lambda v, words=False: "" if v is None else (SCALE[v] if words else v)
        rows.append([r["id"], "Digital Drop-in", cell(r["learning.pre"]), cell(r["learning.post"]),
                     cell(r["q3.pre"], True), cell(r["q3.post"], True), cell(r["health.pre"]),
                     cell(r["health.post"]), cell(r["satisfaction"], True), r["comment"] or ""])
    return csv_bytes(rows), truth


def test_wide_pre_post_pairs_keep_each_wave_to_its_own_answers(tmp_path):
    data, truth = wide_pre_post()
    result = read_upload([("wide.csv", data)])
    frame = result.frame("survey_responses")
    pre, post = frame[frame["wave"] == "pre"], frame[frame["wave"] == "post"]
    answered_pre = [r for r in truth if any(r[f"{k}.pre"] is not None for k in ("learning", "q3", "health"))]
    answered_post = [r for r in truth if r["satisfaction"] is not None]
    assert sorted(pre["respondent_id"]) == [r["id"] for r in answered_pre]
    assert sorted(post["respondent_id"]) == [r["id"] for r in answered_post]
    # own items, named after the file's words; each wave holds only what was answered in it
    for column, item in (("outcome_agree_learning", "learning"), ("outcome_q3", "q3"),
                         ("outcome_i_can_find_trusted_health_information", "health")):
        assert pre[column].sum() == sum(r[f"{item}.pre"] or 0 for r in truth)
        assert pre[column].notna().sum() == sum(r[f"{item}.pre"] is not None for r in truth)
        assert post[column].sum() == sum(r[f"{item}.post"] or 0 for r in truth)
    # asked once, after: never copied into the 'before' response
    assert pre["satisfaction"].isna().all() and pre["comment_benefit"].isna().all()
    assert post["satisfaction"].sum() == sum(r["satisfaction"] or 0 for r in truth)
    assert post["comment_benefit"].notna().sum() == sum(r["comment"] is not None for r in truth)
    # pairs: respondents with both a pre and a post response
    waves = frame.groupby("respondent_id")["wave"].apply(set)
    assert sum(w == {"pre", "post"} for w in waves) == len(answered_pre)
    (sheet,) = result.sheets
    assert sheet.pairs["Q3"] == {"pre": "Q3 (before)", "post": "Q3 (after)"}
    assert sheet.pair_mapping["agree_learning"] == "outcome_agree_learning"
    late = sum(1 for r in truth if r not in answered_pre)
    assert [p.message for p in result.problems if p.code == "no-answers"] == [
        (f"{late} respondents answered no pre question (rows "
         f"{', '.join(str(i + 2) for i, r in enumerate(truth) if r not in answered_pre)}), so no pre response is "
         "made for them"),
        f"1 respondent answered no post question (row {len(truth) + 1}), so no post response is made for it"]
    assert sorted(p.code for p in result.problems if p.severity == "warning" and p.code != "new-programme") == \
        ["no-answers", "no-answers", "own-outcome-item", "own-outcome-item", "own-outcome-item"]
    assert result.ok


def test_a_pair_maps_to_a_standard_outcome_from_the_cli_and_the_page(tmp_path):
    data, truth = wide_pre_post(seed=11)
    report = validate(tmp_path, "wide.csv", data, "--map", "Q3=confidence", "--map", "agree_learning=knowledge")
    (sheet,) = report["sheets"]
    assert sheet["pairs"]["Q3"] == {"columns": {"pre": "Q3 (before)", "post": "Q3 (after)"},
                                    "imported_as": "confidence"}
    assert sheet["pairs"]["agree_learning"]["imported_as"] == "knowledge"
    assert report["ok"]
    # the page sends the same choice as a sheet's override
    result = read_upload([("wide.csv", data)], Options(sheets={"wide": ({}.get("x"), {"Q3": "confidence"})}))
    frame = result.frame("survey_responses")
    pre = frame[frame["wave"] == "pre"]
    assert pre["confidence"].sum() == sum(r["q3.pre"] or 0 for r in truth)
    assert "outcome_q3" not in frame


# --- part 3: one source per column, the user's choice wins -------------------------------------------------------

ATTENDANCE = [["Programme", "Date", "Attendance", "Headcount"],
              ["Chess Club", "2025-05-01", 7, 8],
              ["Chess Club", "2025-05-08", 9, 10]]


def test_two_headers_to_one_column_is_an_error_naming_both(tmp_path):
    result = read_upload([("a.csv", csv_bytes(ATTENDANCE))],
                         Options(mapping={"Attendance": "attendees", "Headcount": "attendees"}))
    (problem,) = result.errors
    assert problem.code == "same-column-twice"
    assert "'Attendance' and 'Headcount' are both to be imported as attendees" in problem.message
    report = validate(tmp_path, "a.csv", csv_bytes(ATTENDANCE), "--map", "Attendance=attendees",
                      "--map", "Headcount=attendees")
    assert [e["code"] for e in report["errors"]] == ["same-column-twice"]


def test_an_explicit_choice_is_never_replaced_by_detection(tmp_path):
    result = read_upload([("a.csv", csv_bytes(ATTENDANCE))], Options(mapping={"Headcount": "attendees"}))
    assert result.frame("attendance")["attendees"].tolist() == [8, 10]
    assert result.sheets[0].mapping["Attendance"] is None
    # a header given in another case or spacing is still the user's choice
    result = read_upload([("a.csv", csv_bytes(ATTENDANCE))], Options(mapping={" headcount": "attendees"}))
    assert result.frame("attendance")["attendees"].tolist() == [8, 10]


def test_an_unknown_target_is_a_plain_error_naming_the_valid_columns(tmp_path):
    report = validate(tmp_path, "a.csv", csv_bytes(ATTENDANCE), "--map", "Headcount=head_count")
    (error,) = report["errors"]
    assert error["code"] == "unknown-target" and error["column"] == "Headcount"
    assert "'head_count' is not a column of the attendance table" in error["message"]
    assert "attendees" in error["fix"] and "report" not in error["fix"]


def test_a_mapped_header_that_no_sheet_has_is_said(tmp_path):
    report = validate(tmp_path, "a.csv", csv_bytes(ATTENDANCE), "--map", "Head count=attendees")
    (warning,) = [w for w in report["warnings"] if w["code"] == "mapped-header-not-found"]
    assert warning["column"] == "Head count" and "did you mean 'Headcount'?" in warning["fix"]


# --- part 5: missing-value codes ----------------------------------------------------------------------------------

def coded_return(seed: int = 5):
    """A statistics office's return: -1 'not collected', -3 'suppressed'; a literal NA programme; blank rows."""
    rng = np.random.default_rng([2026, 10, seed])
    rows = [["Programme", "Date", "Attendance", "New attendees"]]
    truth = []
    for i in range(12):
        attendance = int(rng.integers(5, 40)) if i % 4 else [-1, -3][i % 8 // 4]
        new = int(rng.integers(0, 5))
        programme = "NA" if i == 6 else "Rhyme Time"
        rows.append([programme, f"2025-03-{i + 1:02d}", attendance, new])
        truth.append((programme, attendance, new))
        if i == 3:
            rows.append(["", "", "", ""])  # a blank row: not a row of data
    return csv_bytes(rows), truth


def test_negative_codes_are_one_error_then_one_choice_reads_them_as_missing(tmp_path):
    data, truth = coded_return()
    result = read_upload([("r.csv", data)])
    coded = [a for _, a, _ in truth if a < 0]
    assert [(p.code, p.column, p.value) for p in result.errors if p.code != "missing-value"] == [
        ("missing-value-codes", "Attendance", "-1, -3")]
    (error,) = [p for p in result.errors if p.code == "missing-value-codes"]
    assert error.message.startswith(f"{len(coded)} cells in 'Attendance' hold -1, -3")
    assert "minus" not in error.fix and '--codes-missing "Attendance"' in error.fix
    result = read_upload([("r.csv", data)], Options(codes_missing=("Attendance",)))
    frame = result.frame("attendance")
    assert len(frame) == len(truth)
    assert frame["attendees"].isna().sum() == len(coded)  # not recorded, never a number
    assert frame["attendees"].sum() == sum(a for _, a, _ in truth if a >= 0)
    report = validate(tmp_path, "r.csv", data, "--codes-missing", "Attendance")
    assert "missing-value-codes" not in [e["code"] for e in report["errors"]]


def test_a_literal_na_is_no_programme(tmp_path):
    data, _ = coded_return()
    result = read_upload([("r.csv", data)], Options(codes_missing=("*",)))
    frame = result.frame("attendance")
    assert "NA" not in set(frame["programme"].dropna())
    (missing,) = [p for p in result.errors if p.code == "missing-value"]
    assert missing.column == "Programme" and missing.row == 2 + 6 + 1  # the blank row sits above it


def test_one_stray_negative_is_checked_never_told_to_drop_its_minus():
    data = csv_bytes([["Programme", "Date", "Attendance"], ["Chess", "2025-05-01", 7], ["Chess", "2025-05-08", -4]])
    (error,) = read_upload([("a.csv", data)]).errors
    assert error.code == "negative-count" and error.row == 3 and "minus" not in error.fix


def test_survey_rows_that_answer_nothing_are_not_responses():
    rows = [["Programme", "I feel more confident about what I just learned", "Comments"],
            ["Code Club", "Agree", ""], ["Code Club", "", ""], ["Code Club", "N/A", "great"], ["Code Club", "", ""]]
    result = read_upload([("s.csv", csv_bytes(rows))])
    assert result.frame("survey_responses")["_row"].tolist() == [2, 4]
    (warning,) = [p for p in result.problems if p.code == "no-answers"]
    assert warning.message == "2 rows answer no question (rows 3, 5), so they are not responses and not imported"


# --- part 6: dates that could be read two ways --------------------------------------------------------------------

def dated(days):
    return csv_bytes([["Programme", "Date", "Attendance"]] + [["Chess", d, 5] for d in days])


def test_dates_that_read_two_ways_are_said_and_a_choice_settles_them(tmp_path):
    days = ["03/04/2025", "05/06/2025", "12/01/2025"]
    result = read_upload([("d.csv", dated(days))])
    (warning,) = [p for p in result.problems if p.code == "ambiguous-dates"]
    assert warning.value == "03/04/2025"
    assert "3 April 2025 day first, or 4 March 2025 month first; they were read day first" in warning.message
    assert "--us-dates" in warning.fix
    assert result.frame("attendance")["session_date"].tolist() == [pd.Timestamp(2025, 4, 3), pd.Timestamp(2025, 6, 5),
                                                                   pd.Timestamp(2025, 1, 12)]
    report = validate(tmp_path, "d.csv", dated(days), "--us-dates")
    assert not [w for w in report["warnings"] if w["code"] == "ambiguous-dates"]
    us = read_upload([("d.csv", dated(days))], Options(dayfirst=False, date_order_chosen=True))
    assert us.frame("attendance")["session_date"].tolist() == [pd.Timestamp(2025, 3, 4), pd.Timestamp(2025, 5, 6),
                                                               pd.Timestamp(2025, 12, 1)]
    report = validate(tmp_path, "d.csv", dated(days), "--uk-dates")
    assert not [w for w in report["warnings"] if w["code"] == "ambiguous-dates"]
    # a column that says which way it reads asks nothing
    assert not [p for p in read_upload([("d.csv", dated(days + ["25/12/2025"]))]).problems
                if p.code == "ambiguous-dates"]


def test_a_day_that_does_not_exist_is_named_as_such():
    result = read_upload([("d.csv", dated(["28/02/2025", "31/02/2025"]))])
    (error,) = result.errors
    assert (error.code, error.row, error.value) == ("no-such-day", 3, "31/02/2025")
    assert error.message == "there is no 31 February 2025: February 2025 has 28 days"


# --- part 2: the library's own outcome items ------------------------------------------------------------------

def own_items_survey(seed: int = 2, n: int = 16):
    rng = np.random.default_rng([2026, 10, seed])
    rows = [["Programme", "I learned something new that is helpful", "The staff were welcoming", "Pace"]]
    welcoming = []
    for i in range(n):
        w = None if i % 7 == 3 else int(rng.integers(1, 6))
        welcoming.append(w)
        rows.append(["Book Club", SCALE[int(rng.integers(1, 6))], "" if w is None else SCALE[w],
                     ["Too fast", "About right", "Too slow"][i % 3]])
    return csv_bytes(rows), welcoming


def test_an_agreement_column_is_named_then_kept_as_an_own_outcome(tmp_path):
    data, welcoming = own_items_survey()
    result = read_upload([("s.csv", data)])
    (warning,) = [p for p in result.problems if p.code == "agreement-column-not-imported"]
    assert warning.column == "The staff were welcoming" and '--own-outcome "The staff were welcoming"' in warning.fix
    assert "outcome_the_staff_were_welcoming" not in result.frame("survey_responses")
    kept = read_upload([("s.csv", data)], Options(own_outcomes=("The staff were welcoming",)))
    frame = kept.frame("survey_responses")
    assert frame["outcome_the_staff_were_welcoming"].sum() == sum(w or 0 for w in welcoming)
    assert frame["outcome_the_staff_were_welcoming"].notna().sum() == sum(w is not None for w in welcoming)
    assert not [p for p in kept.problems if p.code == "agreement-column-not-imported"]  # 'Pace' is not agreement
    report = validate(tmp_path, "s.csv", data, "--own-outcome", "*")
    assert report["sheets"][0]["mapping"]["The staff were welcoming"] == "outcome_the_staff_were_welcoming"
    report = validate(tmp_path, "s.csv", data, "--map", "The staff were welcoming=outcome_welcome")
    assert report["sheets"][0]["mapping"]["The staff were welcoming"] == "outcome_welcome" and report["ok"]


# --- part 4: fuzzy matches say how sure they are -------------------------------------------------------------

def test_fuzzy_matches_are_listed_and_weak_ones_only_suggested():
    import difflib

    rows = [["Programme", "Date", "Num attending", "Sesions"], ["Chess", "2025-05-01", 7, 2]]
    result = read_upload([("a.csv", csv_bytes(rows))])
    weak = difflib.SequenceMatcher(None, "num attending", "number attending").ratio()
    strong = difflib.SequenceMatcher(None, "sesions", "sessions").ratio()
    assert weak < 0.9 <= strong  # worked out here: the first is a suggestion, the second a guess applied
    found = {p.code: p for p in result.problems if p.code in ("suggested-column", "guessed-column")}
    assert found["suggested-column"].column == "Num attending"
    assert f"{weak:.0%} alike with 'number attending'" in found["suggested-column"].message
    assert found["guessed-column"].column == "Sesions"
    assert result.sheets[0].mapping["Sesions"] == "sessions"
    assert [p.code for p in result.errors] == ["missing-column"]  # attendees: the weak match is not applied
    assert result.sheets[0].suggestions == {"Num attending": "attendees"}
    # the suggestion applied (one click on the page, --map on the command line) imports it
    applied = read_upload([("a.csv", csv_bytes(rows))], Options(mapping={"Num attending": "attendees"}))
    assert applied.frame("attendance")["attendees"].tolist() == [7] and applied.ok
    assert applied.frame("attendance")["sessions"].tolist() == [2]


# --- part 7: one column per month ---------------------------------------------------------------------------------

def monthly_return(seed: int = 7):
    """A return with April … March columns and no year in them; a blank cell is a month not counted."""
    rng = np.random.default_rng([2026, 10, seed])
    months = ["APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "JANUARY",
              "FEBRUARY", "MARCH"]
    rows = [["Programme", "Branch", *months]]
    counts = {}
    for name in ("Rhyme Time", "Code Club", "Knit & Natter"):
        values = [None if rng.random() < 0.15 else int(rng.integers(0, 60)) for _ in months]
        counts[name] = values
        rows.append([name, "Central", *["" if v is None else v for v in values]])
    return csv_bytes(rows), counts


def test_month_columns_become_one_row_per_month_in_the_right_year(tmp_path):
    data, counts = monthly_return()
    result = read_upload([("r.csv", data)])
    assert [p.code for p in result.errors] == ["month-without-year"]
    assert "--set year=2024" in result.errors[0].fix
    result = read_upload([("r.csv", data)], Options(defaults={"year": "2023"}))
    frame = result.frame("attendance")
    assert len(frame) == 3 * 12
    for name, values in counts.items():
        mine = frame[frame["programme"] == name]
        assert mine["attendees"].sum() == sum(v for v in values if v is not None)
        assert mine["attendees"].isna().sum() == values.count(None)
        assert mine["period_start"].tolist() == [pd.Timestamp(2023 + (m < 4), m, 1)
                                                 for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    assert frame["sessions"].isna().all()
    report = validate(tmp_path, "r.csv", data, "--set", "year=2023")
    assert report["ok"] and report["sheets"][0]["rows"] == 36


# --- part 8: 'did you mean community?', applied to every such row --------------------------------------------

def test_a_value_close_to_the_fixed_list_is_suggested_and_one_choice_applies_it(tmp_path):
    rows = [["Partner name", "Partnership type"], ["Age UK", "comunity"], ["Scouts", "comunity"],
            ["Library X", "Library"], ["Odd Co", "zzz"]]
    result = read_upload([("p.csv", csv_bytes(rows))])
    assert [(p.row, p.value) for p in result.errors] == [(2, "comunity"), (3, "comunity"), (5, "zzz")]
    assert result.errors[0].message.endswith("did you mean community?")
    assert result.sheets[0].value_suggestions == [("partnership_type", "Partnership type", "comunity", "community", 2)]
    fixed = read_upload([("p.csv", csv_bytes(rows))], Options(read_as={"partnership_type": {"comunity": "community"}}))
    assert fixed.frame("partners")["partnership_type"].tolist()[:3] == ["community", "community", "library"]
    assert [(p.row, p.value) for p in fixed.errors] == [(5, "zzz")]
    report = validate(tmp_path, "p.csv", csv_bytes(rows), "--read-as", "partnership_type:comunity=community")
    assert [e["row"] for e in report["errors"]] == [5]


def test_a_follow_up_column_joins_its_pair_as_a_third_wave():
    rows = [["ID", "Programme", "Confidence (before)", "Confidence (after)", "Confidence (follow-up)", "Satisfied"],
            ["A", "Job Club", 2, 4, 5, "Agree"], ["B", "Job Club", 3, 3, "", "Strongly agree"],
            ["C", "Job Club", "", 5, 4, ""]]
    result = read_upload([("f.csv", csv_bytes(rows))])
    frame = result.frame("survey_responses")
    waves = {w: g.set_index("respondent_id")["confidence"].dropna().to_dict() for w, g in frame.groupby("wave")}
    assert waves == {"pre": {"A": 2, "B": 3}, "post": {"A": 4, "B": 3, "C": 5}, "follow_up": {"A": 5, "C": 4}}
    assert frame.loc[frame["wave"] != "post", "satisfaction"].isna().all()  # asked once, after
    assert result.sheets[0].pairs["Confidence"] == {"pre": "Confidence (before)", "post": "Confidence (after)",
                                                    "follow_up": "Confidence (follow-up)"}


def test_the_cli_chooses_the_table_per_sheet(tmp_path):
    from workbooks import workbook

    data = workbook({"Kids": [["Club", "When", "Kids"], ["Lego Club", "2025-04-05", 9], ["Lego Club", "2025-04-12", 7]],
                     "Scratch": [["Widget", "Colour"], ["Sprocket", "Blue"]]})
    report = validate(tmp_path, "clubs.xlsx", data, "--sheet-table", "Kids=attendance", "--sheet-table",
                      "Scratch=skip", "--map", "Club=programme", "--map", "When=session_date", "--map",
                      "Kids=attendees")
    assert report["ok"], report["errors"]
    sheets = {s["sheet"]: (s["table"], s["rows"]) for s in report["sheets"]}
    assert sheets == {"Kids": ("attendance", 2), "Scratch": (None, 0)}
    assert [w["sheet"] for w in report["warnings"] if w["code"] == "sheet-not-imported"] == ["Scratch"]
