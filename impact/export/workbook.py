"""Evidence -> an Excel workbook (openpyxl): Summary, indicator sheets with native charts, Methodology,
Sources, Data dictionary. Styled headers, number formats, frozen panes, A4 print settings; every text cell
neutralised (impact/export/disclosure.py) so nothing in it runs as a formula."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from impact.charts import PALETTE
from impact.export.disclosure import SUPPRESSION_NOTE, neutralise
from impact.export.pack import DEC, INT, MONEY, PCT, Chart, Evidence, Table
from impact.scope import describe, line, source_words

HEADER_FILL = PatternFill("solid", fgColor=PALETTE[0].lstrip("#"))
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
NUMBER_FORMATS = {PCT: "0.0", INT: "#,##0", MONEY: "£#,##0.00", DEC: "0.00"}
SHEETS = ("Summary", "Reach", "Outcomes", "Value", "Equity", "Partners", "Methodology", "Sources", "Data dictionary")


def _cell(ws, row: int, col: int, value, **style):
    """Write one value; text is neutralised and kept as text (never a formula)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        value = None
    elif hasattr(value, "item"):  # numpy scalar
        value = value.item()
    value = neutralise(value)
    c = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        c.data_type = "s"
    for key, v in style.items():
        setattr(c, key, v)
    return c


def _print_setup(ws, landscape: bool = True, title_rows: str | None = None):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A – page &P of &N"


def write_table(ws, table: Table, top: int) -> tuple[int, int, int]:
    """Write a titled table from row `top`; -> (header row, first body row, last body row)."""
    _cell(ws, top, 1, table.title, font=Font(bold=True, size=12))
    header = top + 1
    frame = table.frame
    for j, col in enumerate(frame.columns, start=1):
        _cell(ws, header, j, str(col), font=HEADER_FONT, fill=HEADER_FILL,
              alignment=Alignment(wrap_text=True, vertical="top"))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header + 1):
        for j, (col, value) in enumerate(zip(frame.columns, row), start=1):
            c = _cell(ws, i, j, value)
            fmt = table.formats.get(col)
            if fmt and isinstance(c.value, (int, float)):
                c.number_format = NUMBER_FORMATS[fmt]
            if isinstance(c.value, str) and col in table.formats:
                c.alignment = Alignment(horizontal="right")
        if str(row[0]) == "Total":
            for j in range(1, len(frame.columns) + 1):
                ws.cell(row=i, column=j).font = Font(bold=True)
    last = header + len(frame)
    if table.note:
        _cell(ws, last + 1, 1, table.note, font=Font(italic=True, size=9))
    return header, header + 1, last


def add_chart(ws, chart: Chart, header: int, first: int, columns: list[str], anchor: str):
    """A native Excel chart over the table's cells (suppressed '[c]' cells plot as gaps)."""
    body_first, body_last = (first + chart.rows[0], first + chart.rows[1]) if chart.rows else (first, first)
    if body_last < body_first:
        return None
    x = columns.index(chart.category) + 1
    if chart.kind == "line":
        c = LineChart()
    else:
        c = BarChart()
        c.type = "bar" if chart.kind == "barh" else "col"
        if chart.stacked:
            c.grouping, c.overlap = "stacked", 100
    c.title = chart.title
    c.y_axis.title = chart.axis_title
    c.y_axis.delete = False
    c.x_axis.delete = False
    for k, value in enumerate(chart.values):
        col = columns.index(value) + 1
        if body_first == header + 1:  # the header cell names the series
            c.add_data(Reference(ws, min_col=col, min_row=header, max_row=body_last), titles_from_data=True)
        else:
            c.add_data(Reference(ws, min_col=col, min_row=body_first, max_row=body_last))
            c.series[-1].tx = SeriesLabel(v=value)
        colour = PALETTE[k % len(PALETTE)].lstrip("#")
        c.series[-1].graphicalProperties.solidFill = colour
        if chart.kind == "line":
            c.series[-1].graphicalProperties.line.solidFill = colour
    c.set_categories(Reference(ws, min_col=x, min_row=body_first, max_row=body_last))
    if chart.kind == "barh":
        c.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
    c.legend = c.legend if len(chart.values) > 1 else None
    c.height = max(7.5, 0.55 * (body_last - body_first + 1) + 3) if chart.kind == "barh" else 8
    c.width = 18
    ws.add_chart(c, anchor)
    return c


def _widths(ws, frame_columns: int, widest: int = 45):
    for j in range(1, ws.max_column + 1):
        letter = get_column_letter(j)
        longest = max((len(str(c.value)) for c in ws[letter][:200] if c.value is not None), default=8)
        ws.column_dimensions[letter].width = min(max(10, longest * 0.9 + 2), widest)


def build_workbook(evidence: Evidence) -> bytes:
    """Evidence -> .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _cell(ws, 1, 1, evidence.title, font=TITLE_FONT)
    _cell(ws, 2, 1, f"{describe(evidence.filters)}. Generated {evidence.generated:%d %B %Y %H:%M}; "
                    f"{source_words(evidence.sources)}", font=Font(bold=True))
    row = 4
    _cell(ws, row, 1, "Scope", font=Font(bold=True, size=12))
    for label, value in evidence.scope:
        row += 1
        _cell(ws, row, 1, label, font=Font(bold=True))
        _cell(ws, row, 2, value)
    row += 2
    _cell(ws, row, 1, "What the evidence says", font=Font(bold=True, size=12))
    for s in evidence.statements:
        row += 1
        _cell(ws, row, 1, s.kind)
        _cell(ws, row, 2, s.text, alignment=Alignment(wrap_text=True, vertical="top"))
    if evidence.quotes:
        row += 2
        _cell(ws, row, 1, "In participants' words", font=Font(bold=True, size=12))
        for q in evidence.quotes:
            row += 1
            _cell(ws, row, 2, f"\u201c{q}\u201d", font=Font(italic=True))
    row += 2
    _cell(ws, row, 1, "Read with care", font=Font(bold=True, size=12))
    for text in (("Survey answers are self-reported by a convenience sample with no comparison group: a direction "
                  "of change, not proof of cause."),
                 f"No percentage is shown for fewer than {evidence.min_n} responses.",
                 SUPPRESSION_NOTE.format(threshold=evidence.suppress_n), *[f"Left out: {x}" for x in evidence.left_out]):
        row += 1
        _cell(ws, row, 2, text, alignment=Alignment(wrap_text=True, vertical="top"))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 120
    _print_setup(ws, landscape=False)

    words = line(evidence.filters, evidence.sources, evidence.generated)
    charts_by_table: dict[str, list[Chart]] = {}
    for ch in evidence.charts:
        charts_by_table.setdefault(ch.table, []).append(ch)
    sheets: dict[str, object] = {}
    next_row: dict[str, int] = {}
    for table in evidence.tables:
        if table.sheet not in sheets:
            sheets[table.sheet] = wb.create_sheet(table.sheet)
            next_row[table.sheet] = 1
        sh = sheets[table.sheet]
        top = next_row[table.sheet]
        header, first, last = write_table(sh, table, top)
        if top == 1:  # the sheet's title row also says the scope and the source, and so does every printed page
            _cell(sh, 1, 1, f"{table.title} · {words}", font=Font(bold=True, size=12))
            sh.oddHeader.center.text = words.replace("&", "&&")
            sh.freeze_panes = sh.cell(row=header + 1, column=2)
            _print_setup(sh, title_rows=f"{header}:{header}")
        anchor_col = get_column_letter(len(table.frame.columns) + 2)
        offset = top
        for ch in charts_by_table.get(table.name, []):
            made = add_chart(sh, ch, header, first, list(table.frame.columns), f"{anchor_col}{offset}")
            if made is not None:
                offset += int(made.height * 2) + 2
        next_row[table.sheet] = max(last + 3, offset if charts_by_table.get(table.name) else 0) + 1
    for sh in sheets.values():
        _widths(sh, 0)

    ws = wb.create_sheet("Methodology")
    _cell(ws, 1, 1, "Methodology and definitions", font=TITLE_FONT)
    for i, (topic, text) in enumerate(evidence.methodology, start=3):
        _cell(ws, i, 1, topic, font=Font(bold=True), alignment=Alignment(vertical="top"))
        _cell(ws, i, 2, text, alignment=Alignment(wrap_text=True, vertical="top"))
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 110
    _print_setup(ws, landscape=False)
    for name, frame, title in (("Sources", evidence.sources, "Data sources: the uploads (batches) every figure comes from"),
                               ("Data dictionary", evidence.dictionary, "Data dictionary: the canonical tables")):
        ws = wb.create_sheet(name)
        header, _, _ = write_table(ws, Table(name.lower(), name, title, frame), 1)
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
        _widths(ws, 0, widest=80)
        _print_setup(ws, title_rows=f"{header}:{header}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
