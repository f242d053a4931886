"""The report's short ways of setting text write exactly what fpdf2 would: the same page bytes, the same position
after, the same glyphs in the font subset; and charts still being drawn while the PDF is laid out end up exactly
where drawn charts would."""
from __future__ import annotations

import datetime as dt
import io
import re
from concurrent.futures import Future

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from impact.export.images import Pending
from impact.export.pdf import FONT_DIR, Report, _broken, _fonts, _line, _width

PLACEHOLDER = re.compile(rb"::placeholder:[0-9a-f-]+::")
TEXTS = st.lists(st.sampled_from(list("aZ09 .,%()\\-–—£≥…’“”é[c]Ω{}") + ["{nb}"]), max_size=30).map("".join)


def _report(text_colour, fill_colour, style, size, primed) -> Report:
    pdf = Report(format="A4")
    pdf.scope_text = "The scope, on every page"
    for loaded in {"", style}:  # the regular style for the running header of a new page
        pdf.add_font("DejaVu", loaded, str(FONT_DIR / {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf",
                                                       "I": "DejaVuSans-Oblique.ttf"}[loaded]))
    pdf.add_page()
    pdf.set_font("DejaVu", style, size)
    if primed:
        pdf.cell(10, 4, "x")  # the font is set on the page, as it is for every line after a table's first cell
    pdf.set_text_color(*text_colour)
    pdf.set_fill_color(*fill_colour)
    return pdf


@settings(max_examples=80, deadline=None)
@example(texts=[""], align="L", w=0, next_line=False, style="", size=8.5, text_colour=(0,), fill_colour=(0,), y=30.0,
         primed=False)  # an empty line: fpdf measures nothing, so the font's biggest size stays as it was
@given(texts=st.lists(TEXTS, min_size=1, max_size=4), align=st.sampled_from(["L", "R", "C"]),
       w=st.sampled_from([0, 5.0, 17.3, 60.0]), next_line=st.booleans(), style=st.sampled_from(["", "B", "I"]),
       size=st.sampled_from([7, 8.5, 10.5]), text_colour=st.sampled_from([(0,), (255,), (60, 60, 60), (0, 114, 178)]),
       fill_colour=st.sampled_from([(0,), (255,), (0, 114, 178)]), y=st.sampled_from([30.0, 279.0]),
       primed=st.booleans())
def test_a_line_is_written_byte_for_byte_as_fpdf_writes_a_cell(texts, align, w, next_line, style, size, text_colour,
                                                               fill_colour, y, primed):
    ours, theirs = (_report(text_colour, fill_colour, style, size, primed) for _ in range(2))
    for text in texts:
        for pdf in (ours, theirs):
            pdf.set_xy(20.5, y)
        _line(ours, w, 3.6, text, align, next_line)
        theirs.cell(w, 3.6, text, align=align, **({"new_x": "LMARGIN", "new_y": "NEXT"} if next_line else {}))
        assert _width(ours, text) == theirs.get_string_width(text)
    # y=279: a page break (fpdf's); "{nb}" (the page count, fpdf's): a placeholder with a random name
    assert PLACEHOLDER.sub(b"", ours.pages[ours.page].contents) == \
        PLACEHOLDER.sub(b"", theirs.pages[theirs.page].contents)
    assert (ours.page, ours.x, ours.y) == (theirs.page, theirs.x, theirs.y)
    font, other = ours.current_font, theirs.current_font
    assert list(font.subset.items()) == list(other.subset.items()) and font.biggest_size_pt == other.biggest_size_pt


WORDS = st.sampled_from(["a", "library", "Wilson", "95%", "n=12", "£1,200", "—", "co-delivered", "x" * 40,
                         "évaluation", "Ω", "18–24s", "(suppressed)", "W" * 90, "ﬁ", "e\u0301", "\t", "\u00ad",
                         "\u00a0", "{nb}"])
GAPS = st.sampled_from([" ", " ", "", "  ", "\n", "   ", "\n\n"])
PARAGRAPHS = st.lists(st.tuples(WORDS, GAPS), max_size=40).map(lambda pairs: "".join(w + g for w, g in pairs))


@settings(max_examples=300, deadline=None)
@example(text="", style="", size=8.0, w=60.0, padding=0.0)
@example(text="a\n", style="", size=8.0, w=60.0, padding=0.0)
@example(text="ab  \n\n  cd", style="B", size=10.0, w=7.3, padding=0.8)
@given(text=PARAGRAPHS, style=st.sampled_from(["", "B", "I"]), size=st.sampled_from([6.5, 7.0, 8.0, 10.0, 14.0]),
       w=st.sampled_from([0.0, 7.3, 20.0, 35.5, 60.0, 190.0]), padding=st.sampled_from([0.0, 0.8]))
def test_lines_are_broken_as_fpdf_breaks_them(text, style, size, w, padding):
    """The report's own line breaking gives fpdf's lines (multi_cell's dry run) for every text it takes; for the
    rest (a tab, a soft hyphen, a non-breaking space, the page count's alias, a character wider than the line) it
    says so and fpdf breaks them."""
    pdf = _report((0,), (255,), style, size, False)
    width = w or pdf.w - pdf.r_margin - pdf.x
    ours = _broken(pdf, width, text, padding)
    try:
        theirs = pdf.multi_cell(width, 3.6, text, dry_run=True, output="LINES", padding=padding)
    except Exception:  # noqa: BLE001 - fpdf's own error (no room for one character): ours must have declined
        theirs = None
    if ours is not None:
        assert ours == list(theirs)
    if not any(c in text for c in ("\t", "\u00ad", "\u00a0", "{nb}")) and theirs is not None and w >= 20:
        assert ours is not None  # plain text is ours to break


def _png(width: int, height: int, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def fixed_clock(monkeypatch):
    """fpdf stamps each document with the time it was made: the same time for both, so the bytes can be compared."""
    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 11, 30, 12, 0, 0, tzinfo=tz)
    monkeypatch.setattr("fpdf.fpdf.datetime", Clock)


def test_charts_drawn_after_the_layout_give_the_same_pdf_as_charts_drawn_before(fixed_clock):
    from impact.export.pack import Chart
    from impact.export.pdf import _chart, finish

    class Evidence:  # what _chart reads: the chart's table, for its alternative text
        def table(self, name):
            return type("T", (), {"frame": pd.DataFrame({"group": ["a", "b", "c"], "n": [1, 2, 3]})})

    pngs = {"one": _png(1000, 420, (0, 114, 178, 255)), "two": _png(1000, 680, (230, 159, 0, 255)),
            "three": _png(1000, 500, (0, 158, 115, 128))}
    made = []
    for deferred in (False, True):
        pdf = Report(format="A4")
        _fonts(pdf)
        pdf.add_page()
        futures = {}
        for name, png in pngs.items():
            image = png
            if deferred:
                futures[name] = Future()
                image = Pending(futures[name], *Image.open(io.BytesIO(png)).size)
            _chart(pdf, Evidence(), Chart(name, f"Chart {name}", "t", "group", ("n",)), image)
        for name, future in futures.items():
            future.set_result(pngs[name])  # drawn after the layout placed it
        made.append(finish(pdf))
    assert made[0].count(b"/Subtype /Image") == 4  # three charts and the soft mask of the see-through one
    assert made[1] == made[0]
