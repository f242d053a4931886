"""User text as text: names from files never become live markdown, links, images or HTML on a page or a chart."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from impact import charts
from impact.safe_text import JOINER, html_text, markdown
from impact.views import Col

HOSTILE = ["[Phish](http://evil.example/login)", "![t](http://evil.example/t.png)", "<a href='http://x'>y</a>",
           ":red[big] :material/warning:", "$x^2$", "**bold** _it_ `code`", "- a list", "1. a list", "# heading",
           "<http://evil.example>", "see www.evil.example", "jane@example.com"]


def _unescaped(text: str, chars: str) -> list[str]:
    """Characters of `chars` not preceded by a backslash."""
    return re.findall(r"(?<!\\)[" + re.escape(chars) + "]", text)


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_escapes_every_link_image_emphasis_html_and_directive(name):
    text = markdown(name)
    assert _unescaped(text, "[]<>!*_`$#") == []
    assert not re.search(r"(?<!\\):\w", text)  # :red[..] and :material/..: are Streamlit directives
    assert "://" not in text and "www." not in text  # not auto-linked
    assert not re.match(r"\s*(?:[-+]|\d+\.)\s", text)  # not a list item
    # what the reader sees: the escapes and the invisible joiner removed, the text as written
    assert re.sub(r"\\(.)", r"\1", text).replace(JOINER, "") == name


def test_plain_names_are_left_as_they_are():
    assert markdown("Rhyme Time (Central), 2025: 14 children.") == "Rhyme Time (Central), 2025: 14 children."


def test_chart_labels_and_hovers_escape_html_from_names():
    table = pd.DataFrame({Col.PROGRAMME: ["<a href='http://evil.example'>Early years</a>", "Arts & Crafts"],
                          Col.ATTENDANCE: [10, 5], Col.SESSIONS: [2, 1]})
    fig = charts.attendance_bars(table, Col.PROGRAMME, "Attendance by programme")
    labels = list(fig.data[0].y)
    assert labels == ["&lt;a href='http://evil.example'&gt;Early years&lt;/a&gt;", "Arts &amp; Crafts"]
    assert "<a" not in fig.to_json()


def test_html_text_leaves_numbers_alone():
    assert html_text(3) == 3 and html_text("a<b") == "a&lt;b"


def test_escaping_touches_only_values_that_need_it():
    """A chart's arrays are set again (and validated again by Plotly) only where a string was escaped."""
    plain = ["Early years", "Arts and crafts", 3]
    assert charts._escaped(plain) is plain
    assert charts._escaped("Early years") == "Early years"
    hostile = ["Early years", "<b>x</b>", 3]
    assert list(charts._escaped(hostile)) == ["Early years", "&lt;b&gt;x&lt;/b&gt;", 3]
    table = pd.DataFrame({"programme": ["<i>Code</i> club", "Rhyme time"], "party": ["<b>Age UK</b>", "Library"],
                          "partnership type": ["community", None]})
    from impact.equity.partners import STAKES
    from impact.partner_views import STAKE_COLUMNS
    for stake in STAKES:
        table[STAKE_COLUMNS[stake]] = [60.0, 40.0]
    for column in ("staff hours", "sessions led or co-delivered", "cash + in-kind £"):
        table[column] = [1.0, 2.0]
    fig = charts.stake_bars(table, ["<i>Code</i> club", "Rhyme time"])
    shown = " ".join(str(v) for trace in fig.data for v in [*trace.y, *(c[0] for c in trace.customdata)])
    assert "<i>" not in shown and "<b>" not in shown and "&lt;i&gt;Code&lt;/i&gt; club" in shown
