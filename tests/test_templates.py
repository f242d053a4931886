"""The template workbook and the printable survey form, opened the way staff's Excel would open them."""
from __future__ import annotations

import io

import openpyxl
import pytest

from impact import schema
from impact.ingest import ingest_files
from impact.templates import survey_form, template_workbook


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(io.BytesIO(template_workbook()))


def _validations(ws) -> dict[str, str]:
    """Column letter -> the validation's formula (list values or bound), for the cells under the header."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row >= 1000
            out[cell_range.coord.split(":")[0].rstrip("0123456789")] = (dv.type, dv.formula1)
    return out


def _header(ws) -> dict[str, str]:
    return {c.value: c.column_letter for c in ws[1]}


def test_the_template_has_instructions_then_a_sheet_per_canonical_table(book):
    assert book.sheetnames == ["Instructions", "Partners", "Programmes", "Programme partners", "Attendance",
                               "Survey responses", "Population", "Partnership health check"]
    text = " ".join(str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value)
    assert "not imported" in text and "Never put names, emails" in text
    assert "Partnership type" in text and "stakeholder" in text  # the column list sits on the sheet


def test_every_header_has_a_comment_saying_what_goes_in_it(book):
    for title in book.sheetnames[1:]:
        for cell in book[title][1]:
            assert cell.comment is not None, (title, cell.value)
            assert "Required." in cell.comment.text or "Optional." in cell.comment.text
    partners = book["Partners"]
    note = partners[_header(partners)["Partnership type"] + "1"].comment.text
    assert "Required." in note and "One of: library, community, stakeholder." in note


def test_fixed_values_have_dropdowns_and_counts_are_checked(book):
    partners = book["Partners"]
    assert _validations(partners)[_header(partners)["Partnership type"]] == (
        "list", '"library,community,stakeholder"')
    survey, columns = book["Survey responses"], _header(book["Survey responses"])
    checks = _validations(survey)
    assert checks[columns["Wave"]] == ("list", '"pre,post,follow_up"')
    agreement = checks[columns["I feel more confident about what I just learned"]]
    assert agreement[0] == "list" and "Strongly agree,Agree,Neither agree nor disagree" in agreement[1]
    assert checks[columns["Deprivation quintile"]] == ("list", '"1,2,3,4,5"')
    stakes, columns = book["Programme partners"], _header(book["Programme partners"])
    assert _validations(stakes)[columns["Role"]] == ("list", '"' + ",".join(schema.ROLES) + '"')
    assert _validations(stakes)[columns["Promoted"]] == ("list", '"Yes,No"')
    attendance, columns = book["Attendance"], _header(book["Attendance"])
    assert _validations(attendance)[columns["Attendees"]] == ("whole", "0")


def test_every_template_header_reads_back_onto_its_own_column_and_the_examples_are_clean():
    result = ingest_files([("template.xlsx", template_workbook())])
    assert result.ok, result.errors
    tables = {s.sheet: s for s in result.sheets}
    assert tables["Instructions"].table is None
    for name, table in schema.TABLES.items():
        sheet = next(s for s in result.sheets if s.table == name)
        assert list(sheet.mapping.values()) == [c.name for c in table.stored_columns], name
        assert sheet.rows == 2
    codes = {p.code for p in result.warnings}
    assert codes <= {"sheet-not-imported", "new-programme", "new-partner"}, codes


def test_the_survey_form_asks_the_template_questions_word_for_word(book):
    form = survey_form()
    headers = [c.value for c in book["Survey responses"][1]]
    for question in ("I learned something new that is helpful", "I feel more confident about what I just learned",
                     "I intend to apply what I just learned",
                     "I am more aware of resources and services provided by the library"):
        assert f". {question}\n" in form and question in headers
    assert "I am more likely to use" not in form  # the fifth item only when asked for
    assert "I am more likely to use other library resources and services" in survey_form(include_library_use=True)
    assert form.count("[ ] Strongly agree") == 4
    assert "Please do not write your name" in form


def test_the_health_check_form_asks_the_template_statements_word_for_word_with_dropdowns(book):
    from impact.templates import health_check_form
    form = health_check_form("Age UK Westfield")
    headers = [c.value for c in book["Partnership health check"][1]]
    for statement in ("We share decisions about this work", "Our contribution is recognised",
                      "This partnership helps us reach our own goals", "The benefits to us outweigh the costs",
                      "We would work together again"):
        assert f". {statement}\n" in form and statement in headers
    assert "Age UK Westfield" in form and "[ ] the library   [ ] the partner" in form
    validations = {str(v.sqref).split(":")[0][:-1]: v.formula1 for v in book["Partnership health check"]
                   .data_validations.dataValidation}
    answered_by = next(c.column_letter for c in book["Partnership health check"][1] if c.value == "Answered by")
    assert validations[answered_by] == '"library,partner"'
