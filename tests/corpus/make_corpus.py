"""A corpus of messy and bad spreadsheets, as library staff really make them.

Each builder writes one small file; tests/ingest/test_corpus.py states, beside
the name, what ingest must find in it (tables, row counts, totals worked out by
hand, the rows it must report). Build it by hand to look at the files:

    python tests/corpus/make_corpus.py /tmp/corpus
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd

OUTCOME_QUESTIONS = (
    "I learned something new that is helpful",
    "I feel more confident about what I just learned",
    "I intend to apply what I just learned",
    "I am more aware of resources and services provided by the library",
)


def _workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> None:
    """Write rows (None = empty cell) to sheets in order; merges are Excel ranges such as 'C1:D1'."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell_range in (merges or {}).get(title, []):
            ws.merge_cells(cell_range)
    wb.save(path)


def _csv(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


# --- layout: title rows, totals, notes, blank rows and columns, merged headers ------------------------

def title_totals_notes(path: Path) -> None:
    """Two title rows above the header, a blank column B, a blank row, a totals row and two notes."""
    _workbook(path, {"Attendance": [
        ["Westfield Libraries: children's activities 2025"],          # 1
        ["Prepared by the Children's team, April 2025"],               # 2
        [],                                                             # 3
        ["Programme", None, "Date", "Branch", "No. attending"],        # 4 header
        ["Rhyme Time", None, dt.datetime(2025, 4, 1), "Central", 14],  # 5
        ["Rhyme Time", None, dt.datetime(2025, 4, 8), "Central", 17],  # 6
        [],                                                             # 7 blank row
        ["Lego Club", None, dt.datetime(2025, 4, 5), "North", 9],      # 8
        ["Lego Club", None, dt.datetime(2025, 4, 12), "North", 11],    # 9
        ["Total", None, None, None, 51],                                # 10
        [],                                                             # 11
        ["Notes: counts are taken from the branch registers"],          # 12
        ["* Lego Club moved to Saturdays in April"],                    # 13
    ]})


def merged_group_header(path: Path) -> None:
    """A merged 'Attendance' cell over 'Adults' | 'Children'; Programme and Date merged down two rows."""
    _workbook(path, {"Sessions": [
        ["Programme", "Date", "Attendance", None],        # 1
        [None, None, "Adults", "Children"],               # 2
        ["Baby Bounce", dt.datetime(2025, 5, 2), 6, 9],    # 3
        ["Baby Bounce", dt.datetime(2025, 5, 9), 5, 8],    # 4
        ["Story Time", dt.datetime(2025, 5, 3), 3, 12],    # 5
    ]}, merges={"Sessions": ["A1:A2", "B1:B2", "C1:D1"]})


def blank_rows_and_missing_markers(path: Path) -> None:
    """Blank rows between blocks, a blank column, and n/a, '-', '—', blank meaning 'not recorded'."""
    _csv(path, [
        ["Activity", "", "Session date", "Headcount", "Library"],   # 1
        ["Chatter Books", "", "2025-02-04", "8", "Central"],          # 2
        ["", "", "", "", ""],                                         # 3
        ["Chatter Books", "", "2025-02-11", "n/a", "Central"],        # 4
        ["Chatter Books", "", "2025-02-18", "-", "Central"],          # 5
        ["", "", "", "", ""],                                         # 6
        ["Knit and Natter", "", "2025-02-05", "—", "East"],           # 7
        ["Knit and Natter", "", "2025-02-12", "", "East"],            # 8
        ["Knit and Natter", "", "2025-02-19", " 6 ", "East"],         # 9
    ])


# --- each date form -------------------------------------------------------------------------------

def _date_sheet(dates: list) -> list[list]:
    rows = [["Programme", "Date", "Attendees"]]
    rows += [["Code Club", d, 10 + i] for i, d in enumerate(dates)]
    return rows


def dates_excel_serial(path: Path) -> None:
    """Dates stored as plain numbers (Excel serials, as when a date column loses its format)."""
    # 45748 = 2025-04-01, 45755 = 2025-04-08, 45291 = 2023-12-31, 36526 = 2000-01-01
    _workbook(path, {"Attendance": _date_sheet([45748, 45755, 45291, 36526])})


def dates_iso_text(path: Path) -> None:
    _csv(path, _date_sheet(["2025-04-03", "2025-12-01", "2024-01-05", "2025-04-03T10:00:00"]))


def dates_uk_text(path: Path) -> None:
    _csv(path, _date_sheet(["03/04/2025", "01/12/2025", "05/01/2024", "3.4.2025"]))


def dates_us_text(path: Path) -> None:
    """US month-first dates, all ambiguous (day <= 12): only the dayfirst=False setting can tell."""
    _csv(path, _date_sheet(["04/03/2025", "12/01/2025", "01/05/2024", "4/3/25"]))


def dates_ordinal_text(path: Path) -> None:
    _workbook(path, {"Attendance": _date_sheet(
        ["3rd April 2025", "Thursday, 10th April 2025", "1st May 2025", "22nd May 2025"])})


def dates_datetime_cells(path: Path) -> None:
    """Real date and datetime cells with times of day: the time is dropped."""
    _workbook(path, {"Attendance": _date_sheet(
        [dt.datetime(2025, 4, 3, 10, 30), dt.datetime(2025, 4, 10, 18, 0), dt.date(2024, 1, 5),
         dt.datetime(2024, 12, 31, 23, 59)])})


# --- encodings ------------------------------------------------------------------------------------

def utf8_programmes(path: Path) -> None:
    _csv(path, [
        ["Programme name", "Theme", "Branch", "Cost to library", "Staff hours"],
        ["Café Culture", "Culture & creativity", "Central", "£1,200.00", "3.5 hrs"],
        ["Zoë's Story Time", "Early literacy", "Bishop’s Park", "£350", "12"],
        ["Señor Bookworm", "Reading for pleasure", "North", "£ 75.50", "90 mins"],
    ], "utf-8")


def utf8_bom_partners(path: Path) -> None:
    """Excel's 'CSV UTF-8' adds a byte-order mark that must not end up in the first header."""
    _csv(path, [
        ["Name", "Partnership type", "Sector", "Area"],
        ["Age UK Westfield", "Stakeholder", "charity", "Westfield"],
        ["Bibliothèque Française de Londres", "Library", "culture", "Kensington"],
        ["Côte Community Café", "Community group", "community", "Ørsted Ward"],
    ], "utf-8-sig")


def windows_1252_programmes(path: Path) -> None:
    """What Excel on Windows saves as plain 'CSV': Windows-1252, with £ and accents as single bytes."""
    _csv(path, [
        ["Programme", "Theme", "Branch", "Budget"],
        ["Crèche Rhymes", "Early literacy", "Église Road", "£250"],
        ["Noël Craft Fair", "Culture & creativity", "Central", "£1,050.25"],
    ], "cp1252")


# --- survey-tool exports --------------------------------------------------------------------------

def google_forms(path: Path) -> None:
    """'Download responses (.csv)' from Google Forms: timestamps with their zone, whole questions as headers."""
    _csv(path, [
        ["Timestamp", "Email address", "Which session did you attend?", *OUTCOME_QUESTIONS,
         "What did you like most about the session?", "What could the library do better?"],
        ["2025/04/03 10:15:22 AM GMT+1", "amy@example.com", "Digital Drop-in", "Strongly agree", "Agree", "Agree",
         "Strongly agree", "Patient helpers", ""],
        ["2025/04/03 11:02:09 AM GMT+1", "bo@example.org", "Digital Drop-in", "Agree", "Strongly agree",
         "Neither agree nor disagree", "Agree", "", "Longer sessions"],
        ["2025/04/10 10:48:51 AM GMT+1", "cy@example.net", "Digital Drop-in", "Disagree", "Don't know", "N/A",
         "Agree", "", ""],
        ["2025/04/17 3:30:00 PM GMT+1", "di@example.com", "Family History", "Strongly agree", "Strongly agree",
         "Strongly agree", "Strongly disagree", "Learning about the census", ""],
    ])


def microsoft_forms(path: Path) -> None:
    rows = [["ID", "Start time", "Completion time", "Email", "Name", "Which event did you attend?",
             *OUTCOME_QUESTIONS, "What did you like most?"]]
    answers = [
        (1, "Job Club", "5", "4", "4", "3", "The CV tips", "jo@example.com", "Jo Bloggs"),
        (2, "Job Club", "4", "4", "5", "5", "", "anonymous", ""),
        (3, "Job Club", "Agree", "Strongly Agree", "Agree", "Agree", "Meeting others", "anonymous", ""),
    ]
    for i, (rid, event, k, c, a, w, like, email, name) in enumerate(answers):
        start = dt.datetime(2025, 6, 2 + i, 14, 1)
        rows.append([rid, start, start + dt.timedelta(minutes=4), email, name or None, event, k, c, a, w, like or None])
    _workbook(path, {"Form1": rows})


def surveymonkey(path: Path) -> None:
    """Two header rows: the question, then 'Response' / 'Open-Ended Response' beneath it."""
    _workbook(path, {"Sheet": [
        ["Respondent ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
         "Which workshop did you attend?", OUTCOME_QUESTIONS[0], OUTCOME_QUESTIONS[1],
         "What did you like most?"],
        [None, None, None, None, None, None, "Response", "Response", "Response", "Open-Ended Response"],
        [11482, "04/15/2025 10:12:00 AM", "04/15/2025 10:14:00 AM", "81.2.69.160", None, None,
         "Coding for Adults", "Strongly agree", "Agree", "Friendly tutor"],
        [11483, "04/15/2025 10:20:31 AM", "04/15/2025 10:25:02 AM", "81.2.69.161", None, None,
         "Coding for Adults", "Agree", "Agree", None],
        [11490, "04/22/2025 06:01:00 PM", "04/22/2025 06:03:00 PM", "81.2.69.162", None, None,
         "Coding for Adults", "Neither agree nor disagree", "Disagree", "Too fast"],
    ]})


def joined_pre_post(path: Path) -> None:
    """One row per respondent with .pre / .post columns: split into a pre and a post response."""
    _csv(path, [
        ["Programme", "Date", "confidence.pre", "confidence.post", "knowledge.pre", "knowledge.post"],
        ["Silver Surfers", "2025-03-04", "2", "4", "1", "4"],
        ["Silver Surfers", "2025-03-04", "3", "5", "2", "5"],
        ["Silver Surfers", "2025-03-11", "1", "3", "n/a", "3"],
    ])


def before_after(path: Path) -> None:
    _workbook(path, {"Survey": [
        ["Respondent", "Workshop", "Before: I feel confident using online banking",
         "After: I feel confident using online banking"],
        ["R1", "Online Banking Basics", "Disagree", "Agree"],
        ["R2", "Online Banking Basics", "Strongly disagree", "Agree"],
        ["R3", "Online Banking Basics", "Neither agree nor disagree", "Strongly agree"],
        ["R4", "Online Banking Basics", "Agree", "Agree"],
    ]})


def project_outcome(path: Path) -> None:
    """A raw export from the PLA's Project Outcome platform (closed in 2025): immediate and follow-up."""
    header = ["Survey ID", "Program Name", "Program Date", "Service Area", "Survey Type", *OUTCOME_QUESTIONS,
              "What did you like most about the program?",
              "What could the library do to help you continue learning more about this topic?"]
    rows = [header,
            [5012, "Resume Workshop", "2024-09-12", "Job Skills", "Immediate", "Strongly Agree", "Agree",
             "Strongly Agree", "Agree", "Practical examples", "More evening sessions"],
            [5012, "Resume Workshop", "2024-09-12", "Job Skills", "Immediate", "Agree", "Agree", "Agree",
             "Neither Agree nor Disagree", None, None],
            [5012, "Resume Workshop", "2024-09-12", "Job Skills", "Immediate", "Disagree", "Neither Agree nor Disagree",
             "Agree", "Strongly Agree", None, "Handouts"],
            [5077, "Resume Workshop", "2024-10-24", "Job Skills", "Follow-Up", "Agree", "Strongly Agree",
             "Strongly Agree", "Agree", None, None],
            [5077, "Resume Workshop", "2024-10-24", "Job Skills", "Follow-Up", "Strongly Agree", "Strongly Agree",
             "Agree", "Don't Know", "Got an interview", None]]
    _workbook(path, {"Project Outcome Export": rows})


# --- attendance shapes ----------------------------------------------------------------------------

def age_band_headcount(path: Path) -> None:
    """One column per age band and a Total column: reshaped to long form, the total not imported."""
    _workbook(path, {"Headcount": [
        ["Programme", "Date", "Under 5", "5-11", "12-17", "18-64", "65+", "Total"],
        ["Summer Reading Launch", dt.datetime(2025, 7, 12), 14, 22, 3, 18, 2, 59],
        ["Family Film Club", dt.datetime(2025, 7, 19), 6, 11, 0, 9, 1, 27],
        ["Family Film Club", dt.datetime(2025, 7, 26), 4, None, 2, 7, 5, 18],
    ]})


def monthly_returns(path: Path) -> None:
    """A monthly return: one row covers a month's sessions, never spread into invented dates."""
    _workbook(path, {"Monthly returns": [
        ["Programme", "Year", "Month", "Sessions", "Attendance"],
        ["Rhyme Time", 2024, "April", 8, 160],
        ["Rhyme Time", 2024, "May", 9, 171],
        ["Rhyme Time", 2024, 6, 8, 150],
        ["Homework Club", 2024, 4, 12, 95],
    ]})


def quarterly_iso_periods(path: Path) -> None:
    _csv(path, [
        ["Activity", "Period", "Events", "Total attendance"],
        ["Author talks", "2023-04-01/P3M", "4", "212"],
        ["Author talks", "2023-07-01/P3M", "3", "148"],
        ["Author talks", "2023 Q4", "5", "260"],
        ["Book groups", "2023/24", "40", "410"],
    ])


def wrong_types(path: Path) -> None:
    """'Yes' in a number column, money with £ and commas, hours with units, 'TBC' for a cost."""
    _workbook(path, {"Programmes": [
        ["Programme", "Theme", "Library cost", "Staff hours", "Capacity"],       # 1
        ["Digital Drop-in", "Digital inclusion", "£1,200.00", "3.5 hrs", 12],     # 2
        ["Job Club", "Job skills", "1,050", "90 mins", "Yes"],                     # 3
        ["Baby Bounce", "Early literacy", "TBC", "2", "20 people"],              # 4
        ["Poetry Slam", "Culture", 300, "two hours", 40],                         # 5
    ]})


def negative_counts(path: Path) -> None:
    _csv(path, [
        ["Programme", "Date", "Attendees", "New attendees"],   # 1
        ["Code Club", "2025-01-07", "12", "3"],                # 2
        ["Code Club", "2025-01-14", "-4", "0"],                # 3
        ["Code Club", "2025-01-21", "10", "-1"],               # 4
        ["Code Club", "2025-01-28", "12.5", "2"],              # 5
        ["Code Club", "2025-02-04", "9", ""],                  # 6
    ])


def several_sheets(path: Path) -> None:
    _workbook(path, {
        "Partners": [
            ["Partner name", "Partnership type", "Sector"],
            ["Age UK Westfield", "stakeholder", "charity"],
            ["Westfield Food Bank", "community", "charity"],
            ["County Library Service", "library", "government"],
        ],
        "Programmes": [
            ["Programme", "Theme", "Branch", "Start date", "Library cost", "Capacity"],
            ["Digital Drop-in", "Digital inclusion", "Central", dt.datetime(2025, 1, 6), 500, 12],
            ["Cook and Read", "Health & wellbeing", "East", dt.datetime(2025, 2, 3), 250.5, 15],
        ],
        "Programme partners": [
            ["Programme", "Partner", "Role", "Staff hours", "Cash", "In-kind value", "Promoted", "Credited"],
            ["Digital Drop-in", "Age UK Westfield", "co-delivery", 20, 0, 150, "Yes", "Yes"],
            ["Cook and Read", "Westfield Food Bank", "lead", 12, 100, 0, "No", "Yes"],
            ["Cook and Read", "County Library Service", "funder", 0, 400, 0, "Y", "N"],
        ],
        "Attendance": [
            ["Programme", "Date", "Attendees", "New attendees"],
            ["Digital Drop-in", dt.datetime(2025, 1, 6), 10, 4],
            ["Digital Drop-in", dt.datetime(2025, 1, 13), 12, 2],
            ["Cook and Read", dt.datetime(2025, 2, 3), 14, 9],
        ],
    })


def personal_data(path: Path) -> None:
    """A register with names, emails and phones; a comment holding an email; a 'Contact' column of emails."""
    _csv(path, [
        ["Name", "Email", "Phone", "Contact", "Programme", "Date", OUTCOME_QUESTIONS[1], "Comments"],
        ["Ann Lee", "ann@example.com", "07700 900123", "ann@example.com", "Job Club", "2025-05-06",
         "Agree", "Please email me at ann.lee@example.com about the next one"],
        ["Raj Patel", "raj@example.org", "020 7946 0018", "raj@example.org", "Job Club", "2025-05-06",
         "Strongly agree", "Call me on 07700 900456"],
        ["Sue Brown", "", "", "sue@example.net", "Job Club", "2025-05-13", "Disagree", "Too short"],
    ])


def comment_with_contact_details(path: Path) -> None:
    """No personal column at all, but comments that hold a phone number and an email address."""
    _csv(path, [
        ["Programme", "Date", OUTCOME_QUESTIONS[3], "Comments"],
        ["Benefits Advice", "2025-06-10", "Agree", "Ring me on +44 7700 900789 please"],
        ["Benefits Advice", "2025-06-10", "Strongly agree", "Very helpful"],
        ["Benefits Advice", "2025-06-17", "Agree", "mo.khan@example.co.uk wants the slides"],
    ])


# --- files that cannot be read, or hold traps ---------------------------------------------------------

def empty_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)


def text_named_xlsx(path: Path) -> None:
    path.write_text("Programme,Date,Attendees\nCode Club,2025-01-07,12\n", encoding="utf-8")


def empty_csv(path: Path) -> None:
    path.write_bytes(b"")


def huge_cell(path: Path) -> None:
    """A comment longer than any spreadsheet cell can hold (32,767 characters)."""
    _csv(path, [
        ["Programme", "Date", OUTCOME_QUESTIONS[0], "Comments"],
        ["Local History Talk", "2025-03-01", "Agree", "Fascinating"],
        ["Local History Talk", "2025-03-01", "Strongly agree", "word " * 8000],
        ["Local History Talk", "2025-03-01", "Agree", ""],
    ])


def formulas(path: Path) -> None:
    """Formula cells written by a library and never opened in Excel: no cached value to read."""
    _workbook(path, {"Attendance": [
        ["Programme", "Date", "Adults", "Attendees"],                   # 1
        ["Craft Club", dt.datetime(2025, 3, 1), 5, 11],                  # 2
        ["Craft Club", dt.datetime(2025, 3, 8), 6, "=C3+7"],             # 3
        ["Craft Club", "=DATE(2025,3,15)", 4, 9],                        # 4
        ["Total", None, "=SUM(C2:C4)", "=SUM(D2:D4)"],                    # 5
    ]})


def unknown_table(path: Path) -> None:
    _csv(path, [
        ["Widget", "Colour", "Weight (kg)"],
        ["Sprocket", "Blue", "1.2"],
        ["Flange", "Red", "0.4"],
    ])


def ods_attendance(path: Path) -> None:
    frame = pd.DataFrame({
        "Event name": ["Tech Tuesday", "Tech Tuesday", "Tech Tuesday"],
        "Event date": ["2025-01-07", "2025-01-14", "2025-01-21"],
        "Number attending": [7, 9, 6],
        "Venue": ["Central", "Central", "Central"],
    })
    frame.to_excel(path, engine="odf", index=False, sheet_name="Events")


def xlsm_attendance(path: Path) -> None:
    _workbook(path, {"Register": [
        ["Session name", "Date held", "Total attendance", "Branch"],
        ["Board Games Night", dt.datetime(2025, 2, 20), 16, "West"],
        ["Board Games Night", dt.datetime(2025, 2, 27), 21, "West"],
    ]})


BUILDERS: dict[str, Callable[[Path], None]] = {
    "title_totals_notes.xlsx": title_totals_notes,
    "merged_group_header.xlsx": merged_group_header,
    "blank_rows_and_missing_markers.csv": blank_rows_and_missing_markers,
    "dates_excel_serial.xlsx": dates_excel_serial,
    "dates_iso_text.csv": dates_iso_text,
    "dates_uk_text.csv": dates_uk_text,
    "dates_us_text.csv": dates_us_text,
    "dates_ordinal_text.xlsx": dates_ordinal_text,
    "dates_datetime_cells.xlsx": dates_datetime_cells,
    "utf8_programmes.csv": utf8_programmes,
    "utf8_bom_partners.csv": utf8_bom_partners,
    "windows_1252_programmes.csv": windows_1252_programmes,
    "google_forms.csv": google_forms,
    "microsoft_forms.xlsx": microsoft_forms,
    "surveymonkey.xlsx": surveymonkey,
    "joined_pre_post.csv": joined_pre_post,
    "before_after.xlsx": before_after,
    "project_outcome.xlsx": project_outcome,
    "age_band_headcount.xlsx": age_band_headcount,
    "monthly_returns.xlsx": monthly_returns,
    "quarterly_iso_periods.csv": quarterly_iso_periods,
    "wrong_types.xlsx": wrong_types,
    "negative_counts.csv": negative_counts,
    "several_sheets.xlsx": several_sheets,
    "personal_data.csv": personal_data,
    "comment_with_contact_details.csv": comment_with_contact_details,
    "empty_workbook.xlsx": empty_workbook,
    "text_named.xlsx": text_named_xlsx,
    "empty.csv": empty_csv,
    "huge_cell.csv": huge_cell,
    "formulas.xlsx": formulas,
    "unknown_table.csv": unknown_table,
    "attendance.ods": ods_attendance,
    "register.xlsm": xlsm_attendance,
}


def build(directory) -> dict[str, Path]:
    """Write every corpus file into `directory`; name -> path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, builder in BUILDERS.items():
        path = directory / name
        builder(path)
        paths[name] = path
    return paths


if __name__ == "__main__":
    out = build(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    print("\n".join(str(p) for p in out.values()))
