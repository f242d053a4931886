"""Evidence -> an A4 PDF report (fpdf2) a funder reads in five minutes: page one holds the scope and four to six
headline findings (n, interval, the period before beside each); then one section per question (reach, outcomes,
change, equity, partnerships, value) with its charts, its tables and the rest of its statements; the methodology
and the sources last (the outline is impact/export/report.py). DejaVuSans (Debian's fonts-dejavu-core) prints
"–", "£" and "≥".

Tagged: fpdf2 2.8 tags only images (a /Figure with /Alt), so `Tags` adds the rest to its structure tree in
reading order: headings /H1-/H3, paragraphs /P, the findings as lists /L > /LI > /LBody > /P, tables /Table > /TR > /TH (scope Column or
Row) and /TD; the running header and footer are marked /Artifact. The catalog names the language (en-GB) and
/MarkInfo /Marked true. A block never straddles a page (it is split into page-sized parts, each tagged)."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import CharVPos, TextMode
from fpdf.fonts import TTFFont
from fpdf.structure_tree import StructElem, StructureTreeBuilder
from PIL import Image

from impact.export.disclosure import SUPPRESSION_NOTE
from impact.export.pack import DEC, INT, MONEY, PCT, Evidence, Table
from impact.export.report import (
    NO_PREVIOUS,
    Headline,
    dropped_words,
    headlines,
    sections,
)
from impact.scope import describe, line

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BLUE = (0, 114, 178)
MAX_COLUMNS = 9  # wider tables are split into column groups that fit A4 portrait


class TaggedElem(StructElem):
    """A structure element that may hold other elements (fpdf2's hold marked content only) and attributes."""

    def __init__(self, struct_type, parent, kids, page_number=None, title=None, alt=None, attributes=None):
        super().__init__(struct_type, parent, kids, page_number, title, alt)
        self.a = attributes  # e.g. "<</O /Table /Scope /Column>>"


class Tags(StructureTreeBuilder):
    """fpdf2's structure tree with nesting (Table > TR > TH/TD) and one MCID counter per page."""

    def __init__(self):
        super().__init__()
        self.mcids: dict[int, int] = {}

    def next_mcid_for_page(self, page_number: int) -> int:
        n = self.mcids.get(page_number, 0)
        self.mcids[page_number] = n + 1
        return n

    def __iter__(self):
        yield self.struct_tree_root
        yield self.doc_struct_elem
        yield self.struct_tree_root.parent_tree

        def walk(elem):
            for kid in elem.k:
                if isinstance(kid, StructElem):
                    yield kid
                    yield from walk(kid)
        yield from walk(self.doc_struct_elem)


class Report(FPDF):
    title_text = ""
    scope_text = ""  # the scope and source in words, at the top of every page

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.struct_builder = Tags()
        self.pending: dict[str, tuple] = {}  # chart name -> (stand-in image info, images.Pending)
        self.broken: dict[tuple, tuple] = {}  # (font, size, width, height, text, align, padding) -> its lines

    @contextmanager
    def artifact(self):
        """Running header and footer: not content, skipped by a screen reader."""
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    @contextmanager
    def tagged(self, kind: str, parent: StructElem | None = None, attributes: str | None = None):
        """Content drawn inside is one structure element `kind` (H1, P, TD…) under `parent` (the document)."""
        parent = parent or self.struct_builder.doc_struct_elem
        page = self.page
        mcid = self.struct_builder.next_mcid_for_page(page)
        elem = TaggedElem(f"/{kind}", parent, [mcid], page_number=page, attributes=attributes)
        elem.pg = self.pages[page]
        parent.k.append(elem)
        spid = self.struct_builder.spid_per_page_number.setdefault(page, len(self.struct_builder.spid_per_page_number))
        self.struct_builder.struct_tree_root.parent_tree.nums[spid].append(elem)
        self.pages[page].struct_parents = spid
        self._set_min_pdf_version("1.4")
        self._out(f"/{kind} <</MCID {mcid}>> BDC")
        yield elem
        self._out("EMC")
        if self.page != page:
            raise RuntimeError(f"a tagged {kind} straddled a page break")

    def group(self, kind: str, parent: StructElem | None = None) -> StructElem:
        """A structure element holding others (Table, TR), with no content of its own."""
        parent = parent or self.struct_builder.doc_struct_elem
        elem = TaggedElem(f"/{kind}", parent, [], page_number=self.page)
        elem.pg = self.pages[self.page]
        parent.k.append(elem)
        return elem

    def header(self):
        if not self.scope_text:
            return
        with self.artifact():
            self.set_y(5)
            self.set_font("DejaVu", size=8)
            self.set_text_color(60)
            self.multi_cell(0, 3.6, self.scope_text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_text_color(0)
        self.set_y(max(self.get_y() + 2, self.t_margin))

    def footer(self):
        with self.artifact():
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


def _plain(pdf: FPDF) -> bool:
    """Whether text is set the plain way every table cell and paragraph line of the report is: one TrueType font,
    no text shaping, fallback fonts, stretching, spacing, underline, text mode or quad points. Then `_width` and
    `_line` write what fpdf would, without its per-call fragment, graphics-state and bidi machinery (most of a
    pack's PDF time went there: ~4,000 table cells)."""
    font = pdf.current_font
    return (isinstance(font, TTFFont) and not font.is_symbol and not pdf.text_shaping and not pdf._fallback_font_ids
            and pdf.font_stretching == 100 and not pdf.char_spacing and not pdf.underline and not pdf.strikethrough
            and pdf.text_mode == TextMode.FILL and pdf.char_vpos == CharVPos.LINE and not pdf._record_text_quad_points)


def _width(pdf: FPDF, text: str) -> float:
    """`pdf.get_string_width(text)`: the characters' advance widths in the current font, as fpdf sums them."""
    if not _plain(pdf) or pdf.str_alias_nb_pages in text:
        return pdf.get_string_width(text)
    if not text:  # fpdf measures no fragment, so its font's biggest size is left as it was
        return 0.0
    font, size = pdf.current_font, pdf.font_size_pt
    font.biggest_size_pt = max(font.biggest_size_pt, size)
    widths = font.cw
    return sum(widths[ord(c)] for c in text) * size * 0.001 / pdf.k


def _line(pdf: FPDF, w: float, h: float, text: str, align: str = "L", next_line: bool = False) -> None:
    """`pdf.cell(w, h, text, align=align)` (new_x="LMARGIN", new_y="NEXT" when `next_line`): the same bytes in the
    page, the same position after, the same glyphs in the font subset (tests/export/test_pdf.py compares them with
    fpdf's). Anything but a plain line that fits on the page goes to fpdf itself."""
    if not _plain(pdf) or pdf.str_alias_nb_pages in text or pdf.will_page_break(h):
        pdf.cell(w, h, text, align=align, **({"new_x": "LMARGIN", "new_y": "NEXT"} if next_line else {}))
        return
    w = w or pdf.w - pdf.r_margin - pdf.x
    if text:
        font, k = pdf.current_font, pdf.k
        if not pdf.current_font_is_set_on_page:  # fpdf writes the font first, on its own
            pdf._out(pdf._set_font_for_page(font, pdf.font_size_pt))
        width = _width(pdf, text)
        dx = w - pdf.c_margin - width if align == "R" else (w - width) / 2 if align == "C" else pdf.c_margin
        ops = [f"BT {(pdf.x + dx) * k:.2f} {(pdf.h - pdf.y - 0.5 * h - 0.3 * (pdf.font_size_pt / k)) * k:.2f} Td"]
        coloured = pdf.text_color != pdf.fill_color  # fpdf sets the text colour inside the line, then restores it
        if coloured:
            ops.append(pdf.text_color.serialize().lower())
        pick = font.subset.pick
        glyphs = "".join(chr(g) for g in (pick(ord(c)) for c in text) if g)
        ops += [f"({font.escape_text(glyphs)}) Tj", "ET"]
        pdf._out(f"q {' '.join(ops)} Q" if coloured else " ".join(ops))
    pdf._lasth = h
    if next_line:
        pdf.x, pdf.y = pdf.l_margin, pdf.y + h
    else:
        pdf.x += w


def _lines(pdf: FPDF, w: float, h: float, text: str, align: str = "L", padding: float = 0) -> list[str]:
    """fpdf's line breaking of `text` in the current font (`multi_cell` dry run), remembered for the document: a
    list item is measured to keep it on one page, then drawn with the same lines; a label recurs in many tables.
    (How a text breaks does not depend on its alignment.)"""
    width = w or pdf.w - pdf.r_margin - pdf.x
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, width, h, text, align, padding)
    found = pdf.broken.get(key)
    if found is None:
        found = _broken(pdf, width, text, padding)
        if found is None:
            found = pdf.multi_cell(w, h, text, dry_run=True, output="LINES", align=align, padding=padding)
        found = pdf.broken[key] = tuple(found)
    return list(found)


_SPECIAL = re.compile("[\x00-\x09\x0b-\x1f\x7f\u00a0\u00ad\u200b\u2000-\u200a\u202f\u205f\u3000]")


def _broken(pdf: FPDF, width: float, text: str, padding: float) -> list[str] | None:
    """fpdf's line breaking (fpdf.line_break.MultiLineBreak, as `multi_cell(..., dry_run=True, output="LINES")`
    runs it) of plain text in one TrueType font, without its per-character fragment objects (it measured the
    whole line again at every character: a pack's 400 texts took ~0.25 s). The same rules: a line breaks at
    its last space when the next character would pass the width (the overflowing space itself is dropped),
    mid-word when it has no space, and at every newline; widths are fpdf's own sums of the font's character
    widths, compared with its tolerance. None (fpdf then breaks it) for anything else: another font setting, a
    control character (a tab), the page count's alias, a soft hyphen, a non-breaking or other special space, a
    character wider than the line (tests/export/test_pdf.py compares the two under hypothesis; on the demo pack's
    388 texts they were equal too)."""
    if not _plain(pdf) or _SPECIAL.search(text) or pdf.str_alias_nb_pages in text:  # "{nb}": fpdf's own measure
        return None
    font, size, k = pdf.current_font, pdf.font_size_pt, pdf.k
    widths = font.cw
    font.biggest_size_pt = max(font.biggest_size_pt, size)  # as fpdf's measuring does
    limit = width - 2 * padding - (0 if padding else 2 * pdf.c_margin)
    tolerance = 1e-9  # fpdf.util.FloatTolerance

    def over(units: int, char: int) -> bool:
        return (units * size * 0.001 / k + char * size * 0.001 / k) - limit > tolerance

    lines: list[str] = []
    paragraphs = text.split("\n")
    for number, paragraph in enumerate(paragraphs):
        last = number == len(paragraphs) - 1
        start, i, units = 0, 0, 0  # the line is paragraph[start:i], `units` its width in font units
        space = None  # (index of the line's last space, units before it)
        n = len(paragraph)
        while i < n:
            char = paragraph[i]
            cw = widths[ord(char)]
            if over(units, cw):
                if char == " ":  # the overflowing space is dropped
                    lines.append(paragraph[start:i])
                    i += 1
                elif space is not None:  # back to the line's last space, which is dropped
                    lines.append(paragraph[start:space[0]])
                    i = space[0] + 1
                elif i > start:  # no space on the line: broken mid-word
                    lines.append(paragraph[start:i])
                else:
                    return None  # one character wider than the line: fpdf's own error
                start, units, space = i, 0, None
                continue
            if char == " ":
                space = (i, units)
            units += cw
            i += 1
        if not last:
            lines.append(paragraph[start:])  # a newline ends the line, even an empty one
        elif units:
            lines.append(paragraph[start:])
    return lines or [""]


def _block(pdf: Report, kind: str, text: str, size: float, style: str = "", colour=(0, 0, 0),
           height: float | None = None, align: str = "L", parent: StructElem | None = None,
           keep: bool = False) -> None:
    """Text as one tagged element under `parent` (the document when None). `keep`: moved whole to the next page
    rather than split; otherwise split at a page break into parts, each tagged, never one across pages."""
    height = height or size * 0.5
    pdf.set_font("DejaVu", style, size)
    lines = _lines(pdf, 0, height, text, align)
    page_lines = int((pdf.h - pdf.b_margin - pdf.t_margin - 8) // height)
    while lines:
        room = max(1, int((pdf.h - pdf.b_margin - pdf.get_y()) // height))
        if room < min(len(lines), 2) or (kind.startswith("H") and room < 4) or \
                (keep and room < len(lines) <= page_lines):  # a heading keeps its next lines
            pdf.add_page()
            pdf.set_font("DejaVu", style, size)
            continue
        part, lines = lines[:room], lines[room:]
        pdf.set_text_color(*colour)
        with pdf.tagged(kind, parent):
            for text_line in part:  # the lines already broken: drawn as they are, not broken again
                _line(pdf, 0, height, text_line, align, next_line=True)
        pdf.set_text_color(0)
        if lines:
            pdf.add_page()
            pdf.set_font("DejaVu", style, size)


def _item(pdf: Report, items: StructElem, texts: list[tuple[str, float, str, tuple, float]]) -> None:
    """One list item (LI > LBody > P for each text), kept on one page."""
    need = 0.0
    for text, size, style, _, height in texts:
        pdf.set_font("DejaVu", style, size)
        need += height * len(_lines(pdf, 0, height, text))
    if pdf.get_y() + need > pdf.h - pdf.b_margin and need < pdf.h - pdf.b_margin - pdf.t_margin - 8:
        pdf.add_page()
    body = pdf.group("LBody", pdf.group("LI", items))
    for text, size, style, colour, height in texts:
        _block(pdf, "P", text, size, style, colour, height, parent=body)


def _heading(pdf: Report, text: str, size: int = 14, level: int = 2) -> None:
    _block(pdf, f"H{level}", text, size, "B", BLUE, size * 0.55)
    pdf.ln(2)


def _paragraph(pdf: Report, text: str, size: float = 10, style: str = "") -> None:
    _block(pdf, "P", text, size, style)
    pdf.ln(1.5)


LINE, PAD = 3.6, 0.8


def _cell_lines(pdf: Report, text: str, width: float) -> list[str]:
    """A cell's text broken into the lines that fit its width (most cells are one short figure: no breaking)."""
    if "\n" not in text and _width(pdf, text) <= width - 2 * PAD - 0.2:
        return [text]
    return _lines(pdf, width, LINE, text, padding=PAD) or [""]


def _row(pdf: Report, table_elem, cells: list[list[str]], widths: list[float], header: bool) -> None:
    """One table row of cells already broken into lines, tagged TR with TH (a header row's cells: scope Column;
    a body row's first cell: scope Row) and TD cells; the caller has made room for it."""
    height = max(len(x) for x in cells) * LINE + 2 * PAD
    tr = pdf.group("TR", table_elem)
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font("DejaVu", "B" if header else "", 7)
    pdf.set_fill_color(*BLUE)
    for k, (lines, w) in enumerate(zip(cells, widths)):
        kind = "TH" if header or k == 0 else "TD"
        scope = "<</O /Table /Scope /Column>>" if header else "<</O /Table /Scope /Row>>" if k == 0 else None
        with pdf.tagged(kind, tr, scope):
            pdf.rect(x, y, w, height, style="DF" if header else "D")
            if header:
                pdf.set_text_color(255)
            for i, text in enumerate(lines):
                pdf.set_xy(x + PAD, y + PAD + i * LINE)
                _line(pdf, w - 2 * PAD, LINE, text, "L" if k == 0 else "R")
            pdf.set_text_color(0)
        x += w
    pdf.set_xy(pdf.l_margin, y + height)


def _table(pdf: Report, table: Table) -> None:
    """A table in column groups that fit A4 portrait, each repeating the first column; split by rows only, with
    the header row again at the top of every page it runs onto."""
    frame = table.frame
    columns = list(frame.columns)
    _heading(pdf, table.title, 11, 3)
    if frame.empty:
        _paragraph(pdf, "No data in this scope.", 9, "I")
        return
    key, rest = columns[0], columns[1:]
    groups = [rest[i:i + MAX_COLUMNS - 1] for i in range(0, len(rest), MAX_COLUMNS - 1)] or [[]]
    for group in groups:
        shown = [key, *group]
        unit = pdf.epw / (2.4 + len(group))
        widths = [2.4 * unit] + [unit] * len(group)
        pdf.set_font("DejaVu", "B", 7)
        head = [_cell_lines(pdf, str(c), w) for c, w in zip(shown, widths)]
        pdf.set_font("DejaVu", "", 7)
        body = [[_cell_lines(pdf, _text(v, table.formats.get(c)), w) for c, v, w in zip(shown, values, widths)]
                for values in frame[shown].itertuples(index=False, name=None)]
        height = lambda cells: max(len(x) for x in cells) * LINE + 2 * PAD
        elem = pdf.group("Table")
        if pdf.get_y() + height(head) + (height(body[0]) if body else 0) > pdf.h - pdf.b_margin:
            pdf.add_page()
        _row(pdf, elem, head, widths, True)
        for cells in body:
            if pdf.get_y() + height(cells) > pdf.h - pdf.b_margin:
                pdf.add_page()
                _row(pdf, elem, head, widths, True)
            _row(pdf, elem, cells, widths, False)
        pdf.ln(2)
    if table.note:
        _paragraph(pdf, table.note, 8, "I")
    pdf.ln(2)


ALT_ROWS = 12  # rows read out in a chart's alternative text; the full table follows it


def alt_text(chart, frame: pd.DataFrame) -> str:
    """A chart's alternative text from its table: the title, then each category with its values."""
    rows = frame.iloc[chart.rows[0]: chart.rows[1] + 1] if chart.rows else frame
    parts = []
    for _, row in rows.head(ALT_ROWS).iterrows():
        values = ", ".join(f"{col} {row[col]}" for col in chart.values if col in row and pd.notna(row[col]))
        parts.append(f"{row[chart.category]}: {values}" if values else str(row[chart.category]))
    more = f"; and {len(rows) - ALT_ROWS} more rows" if len(rows) > ALT_ROWS else ""
    return f"Chart: {chart.title}. " + "; ".join(parts) + more + ". Its table follows."


def _headline(pdf: Report, items: StructElem, h: Headline) -> None:
    facts = "; ".join(x for x in (h.n_words, h.interval_words) if x) + (f".   {h.before}." if h.before else ".")
    _item(pdf, items, [(f"\u2022  {h.statement.text}", 10.5, "", (0, 0, 0), 5),
                       (facts, 9, "I", (60, 60, 60), 4.5)])
    pdf.ln(1.5)


def _chart(pdf: Report, evidence: Evidence, chart, png) -> None:
    """A chart at the page's width: `png` is its bytes, or a drawing in progress (images.Pending: its size now,
    its bytes at `finish`), placed now as a stand-in image that `finish` fills with the real one."""
    width = pdf.epw
    if isinstance(png, bytes):
        with Image.open(io.BytesIO(png)) as im:
            height = width * im.height / im.width
        source = io.BytesIO(png)
    else:
        height = width * png.height / png.width
        source = Image.new("RGB", (1, 1), (len(pdf.pending) % 256, len(pdf.pending) // 256 % 256, 1))  # unique
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    info = pdf.image(source, w=width, h=height, title=chart.title,
                     alt_text=alt_text(chart, evidence.table(chart.table).frame))
    if not isinstance(png, bytes):
        pdf.pending[chart.name] = (info, png)
    pdf.ln(3)


def _fill(pdf: Report, images: dict[str, bytes]) -> None:
    """The stand-in images replaced by the charts' PNGs, exactly as `pdf.image` would have stored them (the page
    refers to an image by its number only, so the layout stays as it is)."""
    from fpdf.image_parsing import get_img_info

    cache = pdf.image_cache
    for name, (stand_in, _) in pdf.pending.items():
        key = next(k for k, v in cache.images.items() if v is stand_in)
        info = get_img_info(key, io.BytesIO(images[name]), cache.image_filter, None,
                            resource_access_policy=pdf.resource_access_policy)
        for field in ("i", "usages", "rendered_width", "rendered_height"):
            info[field] = stand_in[field]
        info["iccp_i"] = None
        if info.get("iccp") is not None:  # as fpdf's preload_image does
            info["iccp_i"] = cache.icc_profiles.setdefault(info["iccp"], len(cache.icc_profiles))
            info["iccp"] = None
        cache.images[key] = info
    pdf.pending = {}


def build_pdf(evidence: Evidence, images: dict[str, bytes] | None = None) -> bytes:
    """Evidence (+ PNG bytes per chart name) -> PDF bytes."""
    return finish(layout(evidence, images))


def finish(pdf: Report, images: dict[str, bytes] | None = None) -> bytes:
    """A laid-out report -> PDF bytes; charts still being drawn at `layout` are waited for (or taken from `images`,
    their PNG bytes by chart name) and put in place first."""
    if pdf.pending:
        _fill(pdf, {name: (images or {}).get(name) or pending.result() for name, (_, pending) in
                    pdf.pending.items()})
    return bytes(pdf.output())


def layout(evidence: Evidence, images: dict | None = None) -> Report:
    """Evidence (+ per chart name its PNG bytes, or an images.Pending still being drawn) -> the report laid out,
    every page written; `finish` turns it into bytes."""
    images = images or {}
    pdf = Report(format="A4")
    pdf.title_text = evidence.title
    pdf.scope_text = line(evidence.filters, evidence.sources, evidence.generated)
    pdf.set_top_margin(16)
    pdf.set_title(evidence.title)
    pdf.set_creator("Beyond Footfall")
    pdf.set_lang("en-GB")  # the document language a screen reader speaks it in
    pdf.set_display_mode("fullpage")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)  # a reader shows the title, not the file
    pdf.set_auto_page_break(True, margin=16)
    _fonts(pdf)

    # Page one: the scope, the headline findings, the period before beside each ---------------------
    pdf.add_page()
    _heading(pdf, evidence.title, 20, 1)
    _paragraph(pdf, f"{describe(evidence.filters)}. " + "; ".join(f"{k}: {v}" for k, v in evidence.scope) + ".",
               10, "B")
    _paragraph(pdf, f"Generated {evidence.generated:%d %B %Y at %H:%M} from {len(evidence.sources)} uploads "
               "(listed under Sources). Survey answers are self-reported by those who chose to answer, with no "
               "comparison group: a direction of change, not proof of cause.", 8.5, "I")
    _heading(pdf, "Headline findings", 13)
    found = headlines(evidence)
    if not found:
        _paragraph(pdf, "No finding in this scope meets the reliability rule (see Methodology).", 10)
    items = pdf.group("L")
    for h in found:
        _headline(pdf, items, h)
    if not evidence.previous_name:
        _paragraph(pdf, NO_PREVIOUS, 8, "I")

    # One section per question ------------------------------------------------------------------------
    for section in sections(evidence, set(images)):
        if not (section.statements or section.charts or section.tables or section.dropped or section.long):
            continue
        pdf.add_page()
        _heading(pdf, section.heading, 15)
        items = pdf.group("L") if section.statements else None
        for s in section.statements:
            _item(pdf, items, [(f"\u2022  {s.text}", 10, "", (0, 0, 0), 5)])
            pdf.ln(1.2)
        if section.key == "outcomes" and evidence.quotes:
            _heading(pdf, "In participants' words", 11, 3)
            for q in evidence.quotes:
                _paragraph(pdf, f"\u201c{q}\u201d", 10, "I")
        for table in section.tables:
            for c in [c for c in section.charts if c.table == table.name]:
                _chart(pdf, evidence, c, images[c.name])
            for c in [c for c in section.dropped if c.table == table.name]:
                _paragraph(pdf, dropped_words(c, table), 8.5, "I")
            _table(pdf, table)
        for c in [c for c in section.charts if c.table not in {t.name for t in section.tables}]:
            _chart(pdf, evidence, c, images[c.name])  # a chart of a workbook-only table
        if section.long:
            _paragraph(pdf, "In the workbook and CSV files only (too long to print): "
                       + "; ".join(t.title for t in section.long) + ".", 8.5, "I")

    # Methodology and sources last --------------------------------------------------------------------
    pdf.add_page()
    _heading(pdf, "Methodology", 15)
    _paragraph(pdf, SUPPRESSION_NOTE.format(threshold=evidence.suppress_n), 9)
    for note in evidence.left_out:
        _paragraph(pdf, f"Left out of this pack: {note}", 9, "I")
    for topic, text in evidence.methodology:
        _heading(pdf, topic, 10, 3)
        _paragraph(pdf, text, 9)
    _heading(pdf, "Sources", 15)
    _table(pdf, Table("sources", "", "The uploads (batches) every figure comes from", evidence.sources))
    return pdf
