"""Evidence -> an A4 PDF report (fpdf2): title page with the scope, the statements, the charts, the tables,
the methodology and the sources. DejaVuSans (Debian's fonts-dejavu-core) prints "–", "£" and "≥"."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from impact.export.disclosure import SUPPRESSION_NOTE
from impact.export.pack import DEC, INT, MONEY, PCT, Evidence, Table
from impact.scope import describe, line

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BLUE = (0, 114, 178)
MAX_COLUMNS = 9  # wider tables are split into column groups that fit A4 portrait


class Report(FPDF):
    title_text = ""
    scope_text = ""  # the scope and source in words, at the top of every page

    def header(self):
        if not self.scope_text:
            return
        self.set_y(5)
        self.set_font("DejaVu", size=8)
        self.set_text_color(60)
        self.multi_cell(0, 3.6, self.scope_text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_y(max(self.get_y() + 2, self.t_margin))

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(110)
        self.cell(0, 8, f"{self.title_text}   ·   page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)


def _fonts(pdf: FPDF) -> None:
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))


def _text(value, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    if fmt == PCT:
        return f"{value:.1f}%"
    if fmt == MONEY:
        return f"£{value:,.0f}" if abs(value) >= 100 else f"£{value:,.2f}"
    if fmt == INT:
        return f"{value:,.0f}"
    if fmt == DEC:
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _heading(pdf: FPDF, text: str, size: int = 14) -> None:
    pdf.set_font("DejaVu", "B", size)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)


def _paragraph(pdf: FPDF, text: str, size: float = 10, style: str = "") -> None:
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _table(pdf: FPDF, table: Table) -> None:
    frame = table.frame
    columns = list(frame.columns)
    _heading(pdf, table.title, 11)
    if frame.empty:
        _paragraph(pdf, "No data in this scope.", 9, "I")
        return
    key, rest = columns[0], columns[1:]
    groups = [rest[i:i + MAX_COLUMNS - 1] for i in range(0, len(rest), MAX_COLUMNS - 1)] or [[]]
    for group in groups:
        shown = [key, *group]
        pdf.set_font("DejaVu", size=7)
        widths = [2.4] + [1.0 for _ in group]
        with pdf.table(col_widths=widths, text_align=["LEFT"] + ["RIGHT"] * len(group), line_height=3.6,
                       headings_style=FontFace(emphasis="BOLD", color=255, fill_color=BLUE),
                       repeat_headings=1, padding=0.8) as t:
            head = t.row()
            for col in shown:
                head.cell(str(col))
            for values in frame[shown].itertuples(index=False):
                row = t.row()
                for col, value in zip(shown, values):
                    row.cell(_text(value, table.formats.get(col)))
        pdf.ln(2)
    if table.note:
        _paragraph(pdf, table.note, 8, "I")
    pdf.ln(2)


ALT_ROWS = 12  # rows read out in a chart's alternative text; the full table follows under "Tables"


def alt_text(chart, frame: pd.DataFrame) -> str:
    """A chart's alternative text from its table: the title, then each category with its values."""
    rows = frame.iloc[chart.rows[0]: chart.rows[1] + 1] if chart.rows else frame
    parts = []
    for _, row in rows.head(ALT_ROWS).iterrows():
        values = ", ".join(f"{col} {row[col]}" for col in chart.values if col in row and pd.notna(row[col]))
        parts.append(f"{row[chart.category]}: {values}" if values else str(row[chart.category]))
    more = f"; and {len(rows) - ALT_ROWS} more rows" if len(rows) > ALT_ROWS else ""
    return f"Chart: {chart.title}. " + "; ".join(parts) + more + ". The table is under Tables."


def build_pdf(evidence: Evidence, images: dict[str, bytes] | None = None) -> bytes:
    """Evidence (+ PNG bytes per chart name) -> PDF bytes."""
    images = images or {}
    pdf = Report(format="A4")
    pdf.title_text = evidence.title
    pdf.scope_text = line(evidence.filters, evidence.sources, evidence.generated)
    pdf.set_top_margin(16)
    pdf.set_title(evidence.title)
    pdf.set_creator("Beyond Footfall")
    pdf.set_lang("en-GB")  # the document language a screen reader speaks it in
    pdf.set_auto_page_break(True, margin=16)
    _fonts(pdf)
    pdf.add_page()
    pdf.ln(30)
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(0, 12, evidence.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    _paragraph(pdf, "Beyond footfall: what the library's programmes reached and what changed for people.", 12)
    pdf.ln(6)
    _heading(pdf, "Scope", 13)
    _paragraph(pdf, describe(evidence.filters), 12, "B")
    for label, value in evidence.scope:
        _paragraph(pdf, f"{label}: {value}", 11)
    pdf.ln(4)
    _paragraph(pdf, f"Generated {evidence.generated:%d %B %Y at %H:%M} from {len(evidence.sources)} uploads "
               "(listed under Sources).", 10)
    _paragraph(pdf, "Survey answers are self-reported by those who chose to answer, with no comparison group: "
               "a direction of change, not proof of cause. " + SUPPRESSION_NOTE.format(threshold=evidence.suppress_n),
               9, "I")

    pdf.add_page()
    _heading(pdf, "What the evidence says")
    for s in evidence.statements:
        pdf.set_font("DejaVu", size=10)
        lines = pdf.multi_cell(0, 5, f"•  {s.text}", dry_run=True, output="LINES")
        if pdf.get_y() + 5 * len(lines) > pdf.h - pdf.b_margin:  # a statement never breaks across pages
            pdf.add_page()
        pdf.multi_cell(0, 5, f"•  {s.text}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    if evidence.quotes:
        pdf.ln(3)
        _heading(pdf, "In participants' words", 12)
        for q in evidence.quotes:
            _paragraph(pdf, f"\u201c{q}\u201d", 10, "I")
    for note in evidence.left_out:
        _paragraph(pdf, f"Left out of this pack: {note}", 8, "I")

    charts = [c for c in evidence.charts if c.name in images]
    if charts:
        pdf.add_page()
        _heading(pdf, "Charts")
        width = pdf.epw
        for c in charts:
            with Image.open(io.BytesIO(images[c.name])) as im:
                height = width * im.height / im.width
            if pdf.get_y() + height > pdf.h - pdf.b_margin:
                pdf.add_page()
            pdf.image(io.BytesIO(images[c.name]), w=width, h=height, title=c.title,
                      alt_text=alt_text(c, evidence.table(c.table).frame))
            pdf.ln(4)

    pdf.add_page()
    _heading(pdf, "Tables")
    for table in evidence.tables:
        if table.in_pdf:
            _table(pdf, table)
    long = [t.title for t in evidence.tables if not t.in_pdf]
    if long:
        _paragraph(pdf, "In the workbook and CSV files only (too long to print): " + "; ".join(long) + ".", 9, "I")

    pdf.add_page()
    _heading(pdf, "Methodology")
    for topic, text in evidence.methodology:
        _paragraph(pdf, topic, 10, "B")
        _paragraph(pdf, text, 9)
    _table(pdf, Table("sources", "", "Sources: the uploads (batches) every figure comes from", evidence.sources))
    return bytes(pdf.output())
