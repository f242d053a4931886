"""The template workbook staff can fill in, and the printable survey form that matches it.

Both are made from impact/schema.py, so a column added there appears in the
template with its comment and its dropdown. Every header of the template reads
back through ingest onto the canonical column it stands for (tests/test_templates.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from impact import schema

SHEET_TITLES = {
    "partners": "Partners", "programmes": "Programmes", "programme_partners": "Programme partners",
    "attendance": "Attendance", "survey_responses": "Survey responses", "population": "Population",
    "partnership_feedback": "Partnership health check",
}
# the immediate (post-session) wording; a follow-up survey asks "I have applied what I learned"
OUTCOME_QUESTIONS = {c.name: c.description for c in schema.SURVEY_RESPONSES.columns if c.kind == schema.SCORE} | {
    "application": "I intend to apply what I just learned"}
COMMENT_QUESTIONS = {
    "comment_benefit": "What did you like most about the session?",
    "comment_improve": "What could the library do to improve?",
    "comment_action": "What will you do as a result of the session?",
}
# header as written in the template, where it differs from the canonical name made readable
LABELS = {
    ("partners", "partner_id"): "Partner ID", ("partners", "name"): "Partner name",
    ("programmes", "programme_id"): "Programme ID", ("programmes", "name"): "Programme",
    ("programmes", "capacity_per_session"): "Places per session",
    ("programme_partners", "staff_hours"): "Partner staff hours", ("programme_partners", "in_kind"): "In-kind value",
    ("attendance", "participant_id"): "Participant ID", ("survey_responses", "respondent_id"): "Respondent ID",
    **{("survey_responses", c): q for c, q in OUTCOME_QUESTIONS.items()},
    **{("survey_responses", c): q for c, q in COMMENT_QUESTIONS.items()},
    ("programmes", "promotion_reach"): "Library promotion reach",
    ("programme_partners", "sessions_led"): "Sessions led by partner",
    ("programme_partners", "promotion_reach"): "Partner promotion reach",
    ("programme_partners", "agreed_efforts"): "Agreed share of hours %",
    ("programme_partners", "agreed_outputs"): "Agreed share of sessions %",
    ("programme_partners", "agreed_money"): "Agreed share of costs %",
    ("partnership_feedback", "party"): "Answered by", ("partnership_feedback", "answered_on"): "Date",
    **{("partnership_feedback", c.name): c.description.rstrip(".") for c in schema.PARTNERSHIP_FEEDBACK.columns
       if c.name in schema.HEALTH_CHECK},
    ("partnership_feedback", "new_audiences"): "New audiences reached",
}
AGREEMENT = ("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know")
KIND_HINTS = {
    schema.DATE: "A date, e.g. 03/04/2025 (day first) or a date cell.",
    schema.COUNT: "A whole number, 0 or more. Leave blank if not counted: blank means 'not recorded', never zero.",
    schema.MONEY: "Money in pounds, e.g. 1200 or £1,200.50.",
    schema.HOURS: "Hours, e.g. 3.5.",
    schema.BOOL: "Yes or No.",
    schema.SCORE: "The answer as written (Strongly agree … Strongly disagree) or 5 … 1. Don't know or N/A counts "
                  "as no answer.",
    schema.QUINTILE: "1 (most deprived) to 5 (least deprived).",
    schema.ID: "A code, not a name: it must not identify a person outside the library.",
    schema.BENEFIT: "How many (or the amount in £ for funding), or Yes / No when it was not counted.",
    schema.NUMBER: "A number; a share as a percentage, e.g. 40 or 40%.",
}
EXAMPLES = {
    "partners": [["age-uk-westfield", "Age UK Westfield", "stakeholder", "charity", "Central"],
                 ["westfield-book-group", "Westfield Book Group", "community", "culture", "North"]],
    "programmes": [["code-club", "Code Club", "digital inclusion", "Central", dt.date(2025, 4, 1),
                    dt.date(2026, 3, 31), 1200, 80, 12, "children 9-13", 2500],
                   ["rhyme-time", "Rhyme Time", "early literacy", "North", dt.date(2025, 4, 1), None, 300, 50, 20,
                    "families with under 5s", None]],
    "programme_partners": [["Code Club", "Age UK Westfield", "co-delivery", 20, 0, 150, "Yes", "Yes", 10, 800, 40, 50,
                            None],
                           ["Rhyme Time", "Westfield Book Group", "venue", 4, 0, 60, "No", "Yes", None, None, None,
                            None, None]],
    "partnership_feedback": [["Age UK Westfield", "Code Club", "library", dt.date(2025, 9, 1), "Strongly agree",
                              "Agree", "Agree", "Strongly agree", "Strongly agree", 12, "Yes", 2, None,
                              "Reliable volunteers"],
                             ["Age UK Westfield", "Code Club", "partner", dt.date(2025, 9, 3), "Disagree", "Disagree",
                              "Agree", "Neither agree nor disagree", "Agree", "Yes", 5, 0, 500,
                              "We would like a say in planning"]],
    "attendance": [["Code Club", dt.date(2025, 4, 3), "Central", 12, 3, None, 1, "12-17", None, None, None, None,
                    None, "Age UK Westfield"],
                   ["Rhyme Time", dt.date(2025, 4, 4), "North", 18, 5, None, 1, "Under 5", None, None, None, None,
                    None, "library"]],
    "survey_responses": [["Code Club", dt.date(2025, 4, 3), "post", "R001", "Strongly agree", "Agree", "Agree",
                          "Strongly agree", "Agree", "Strongly agree", "12-17", None, None, None, None, None,
                          "Making a game", "More sessions", "Show my family"],
                         ["Code Club", dt.date(2025, 4, 3), "post", "R002", "Agree", "Neither agree nor disagree",
                          "Agree", "Don't know", None, "Agree", "12-17", None, None, None, None, None, None, None,
                          None]],
    "population": [["age_band", "Under 5", 5200, "Westfield"], ["age_band", "65+", 14100, "Westfield"]],
}
HEADER_FILL = PatternFill("solid", fgColor="D9E7F5")
REQUIRED_FILL = PatternFill("solid", fgColor="A9C8EA")
EXAMPLE_FONT = Font(italic=True, color="808080")
DATA_ROWS = 2000  # rows the dropdowns and number checks cover


def template_columns(table: str) -> list[schema.Column]:
    """The columns a template sheet has: the stored ones (import-only columns are for other people's files)."""
    return list(schema.TABLES[table].stored_columns)


def label(table: str, column: str) -> str:
    """The header the template writes for a canonical column."""
    return LABELS.get((table, column), column.replace("_", " ").capitalize())


def column_note(table: str, column: schema.Column) -> str:
    """What the header comment says: what the column holds, whether it is required, how to write it."""
    parts = [column.description or label(table, column.name)]
    parts.append("Required." if column.required else "Optional.")
    if column.allowed:
        parts.append("One of: " + ", ".join(column.allowed) + ".")
    elif column.kind in KIND_HINTS:
        parts.append(KIND_HINTS[column.kind])
    if table == "attendance" and column.name == "attendees":
        parts.append("For a monthly return, put the month's total here and the number of sessions in Sessions.")
    return " ".join(p[0].upper() + p[1:] if p else p for p in parts)


def _validation(column: schema.Column) -> DataValidation | None:
    """An Excel dropdown or number check for the column, or None."""
    if column.allowed:
        dv = DataValidation(type="list", formula1='"' + ",".join(column.allowed) + '"', allow_blank=True)
    elif column.kind == schema.SCORE:
        # a warning, not a stop: 1-5 typed as numbers is fine too
        dv = DataValidation(type="list", formula1='"' + ",".join(AGREEMENT) + '"', allow_blank=True,
                            errorStyle="warning")
    elif column.kind == schema.QUINTILE:
        dv = DataValidation(type="list", formula1='"1,2,3,4,5"', allow_blank=True)
    elif column.kind == schema.BOOL:
        dv = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    elif column.kind == schema.COUNT:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    elif column.kind in (schema.MONEY, schema.HOURS):
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    elif column.kind == schema.NUMBER and column.name.startswith("agreed_"):
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                            errorStyle="warning")
    else:
        return None
    dv.showErrorMessage = True
    dv.error = "This cell expects: " + (", ".join(column.allowed) if column.allowed else KIND_HINTS[column.kind])[:200]
    dv.errorTitle = "Check this value"
    return dv


def _instructions(ws) -> None:
    ws["A1"] = "Beyond Footfall: spreadsheet template"
    ws["A1"].font = Font(bold=True, size=14)
    steps = [
        ("Fill in the sheets you have data for; leave the others empty. One row per session (Attendance), "
         "per survey answered (Survey responses), per partner, per programme."),
        "Each header has a note (hover over it) saying what goes in the column. Darker headers are required.",
        "Cells with a dropdown only take the listed values. Blank means 'not recorded', never zero.",
        "The grey rows are examples: type over them or below them. Rows exactly like the examples are not imported.",
        ("Never put names, emails, phone numbers or addresses in the template: use codes for people "
         "(Participant ID, Respondent ID)."),
        ("Upload the file on the Upload page. You will see how each column is read, a report of anything to fix, "
         "and what will be stored, before anything is stored. This sheet is not imported."),
    ]
    for i, step in enumerate(steps, start=3):
        ws.cell(row=i, column=1, value=f"{i - 2}. {step}").alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=5)
        ws.row_dimensions[i].height = 32
    start = len(steps) + 5
    head = ["Sheet", "Column", "Required", "What to put in it", "Allowed values"]
    for j, text in enumerate(head, start=1):
        cell = ws.cell(row=start, column=j, value=text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    row = start + 1
    for table, title in SHEET_TITLES.items():
        for column in template_columns(table):
            allowed = ", ".join(column.allowed) or (", ".join(AGREEMENT[:5]) if column.kind == schema.SCORE else "")
            values = [title, label(table, column.name), "yes" if column.required else "",
                      column_note(table, column), allowed]
            for j, value in enumerate(values, start=1):
                ws.cell(row=row, column=j, value=value).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
    for letter, width in zip("ABCDE", (20, 34, 10, 80, 40)):
        ws.column_dimensions[letter].width = width


def _table_sheet(ws, table: str) -> None:
    columns = template_columns(table)
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=label(table, column.name))
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        comment = Comment(column_note(table, column), "Beyond Footfall")
        comment.width, comment.height = 320, 140
        cell.comment = comment
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(14, min(40, len(label(table, column.name)) + 4))
        dv = _validation(column)
        if dv is not None:
            dv.promptTitle = label(table, column.name)[:32]
            dv.prompt = column_note(table, column)[:250]
            dv.showInputMessage = True
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            ws.add_data_validation(dv)
        if column.kind == schema.DATE:
            for r in range(2, 2 + len(EXAMPLES[table])):
                ws.cell(row=r, column=j).number_format = "dd/mm/yyyy"
    for i, example in enumerate(EXAMPLES[table], start=2):
        for j, value in enumerate(example, start=1):
            cell = ws.cell(row=i, column=j, value=value)
            cell.font = EXAMPLE_FONT
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = "A2"
    if table in ("survey_responses", "partnership_feedback"):
        ws.row_dimensions[1].height = 60


@functools.lru_cache(maxsize=1)
def template_workbook() -> bytes:
    """The template: an Instructions sheet, then one sheet per canonical table, as .xlsx bytes."""
    wb = Workbook()
    _instructions(wb.active)
    wb.active.title = "Instructions"
    for table, title in SHEET_TITLES.items():
        _table_sheet(wb.create_sheet(title), table)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def survey_form(programme: str = "", include_library_use: bool = False) -> str:
    """A blank, printable survey whose questions are the template's Survey responses headers, word for word."""
    items = ["knowledge", "confidence", "application", "awareness"] + (["library_use"] if include_library_use else [])
    boxes = "  ".join(f"[ ] {a}" for a in AGREEMENT)
    lines = [
        "SESSION FEEDBACK",
        "",
        f"Programme: {programme or '_' * 40}    Date: ___ / ___ / ______",
        "",
        "Thank you for coming. Your answers are anonymous and help the library show what its sessions change.",
        "Please tick one box for each statement.",
        "",
    ]
    for i, item in enumerate(items, start=1):
        lines += [f"{i}. {OUTCOME_QUESTIONS[item]}", f"   {boxes}", ""]
    n = len(items)
    for i, column in enumerate(("comment_benefit", "comment_improve", "comment_action"), start=n + 1):
        lines += [f"{i}. {COMMENT_QUESTIONS[column]}", "   " + "_" * 70, "   " + "_" * 70, ""]
    lines += [
        "About you (optional)",
        "Age band:  [ ] Under 18   [ ] 18-24   [ ] 25-44   [ ] 45-64   [ ] 65+   [ ] Prefer not to say",
        "Area you live in (ward or neighbourhood, not your address): ______________________",
        "",
        "Please do not write your name, email or phone number on this form.",
        "",
        "For staff: type each form as one row of the 'Survey responses' sheet of the template; the questions",
        "above are its column headers. Ticked boxes go in as written (e.g. 'Agree'); leave unanswered ones blank.",
    ]
    return "\n".join(lines) + "\n"


def health_check_form(partner: str = "", programme: str = "") -> str:
    """A blank, printable partnership health check whose statements are the template's headers, word for word:
    each side (the library, the partner) fills in one about the same partnership."""
    boxes = "  ".join(f"[ ] {a}" for a in AGREEMENT[:5])
    lines = [
        "PARTNERSHIP HEALTH CHECK",
        "",
        (f"Partnership with: {partner or '_' * 40}    Programme (blank = the whole partnership): "
         f"{programme or '_' * 30}"),
        "Answered by:  [ ] the library   [ ] the partner        Date: ___ / ___ / ______",
        "",
        "Is this partnership working for you? Please tick one box for each statement.",
        "",
    ]
    items = [c for c in schema.PARTNERSHIP_FEEDBACK.columns if c.name in schema.HEALTH_CHECK]
    for i, column in enumerate(items, start=1):
        lines += [f"{i}. {label('partnership_feedback', column.name)}", f"   {boxes}", ""]
    lines += ["Since the last check, through this partnership we gained (a number, or tick yes / no):"]
    for name in schema.BENEFITS:
        lines.append(f"   {label('partnership_feedback', name)}: ________   [ ] yes  [ ] no")
    lines += ["", "Anything else (please no names, emails or phone numbers):", "   " + "_" * 70, "   " + "_" * 70, "",
              "For staff: type each form as one row of the 'Partnership health check' sheet of the template."]
    return "\n".join(lines) + "\n"
