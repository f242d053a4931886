"""Evidence -> one self-contained, accessible HTML page: the same report as the PDF (impact/export/report.py),
for a screen reader, a phone or a funder's browser.

<html lang="en-GB">; headings in order (h1 the title, h2 each part, h3 each table and method); every table a
<table> with a <caption>, column headers <th scope="col"> and each row's first cell <th scope="row">; every
chart an <img> embedded as a base64 PNG with its table in words as alt text (the table follows it). Every piece
of text, the users' own included (programme, partner and file names, quotes), goes through html.escape: no
user text ever becomes markup.
"""
from __future__ import annotations

import base64
from html import escape

from impact.export.disclosure import SUPPRESSION_NOTE
from impact.export.pack import Evidence, Table
from impact.export.pdf import _text, alt_text
from impact.export.report import NO_PREVIOUS, dropped_words, headlines, sections
from impact.scope import describe, line

STYLE = """
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1a1a1a;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5}
h1,h2{color:#005a8c}h3{color:#004466;font-size:1.05rem}
.scope{color:#3b4754;font-size:.9rem}.facts{color:#3b4754;font-size:.9rem;margin-top:-.4rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem;display:block;overflow-x:auto}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #8a8a8a;padding:.2rem .4rem;text-align:right;vertical-align:top}
thead th{background:#005a8c;color:#fff}tbody th{text-align:left;font-weight:normal}
img{max-width:100%;height:auto}.note{font-style:italic;font-size:.85rem}
a:focus,:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
"""


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{escape(text)}</p>' if cls else f"<p>{escape(text)}</p>"


def _table(table: Table, level: int = 3) -> str:
    frame = table.frame
    out = [f"<h{level}>{escape(table.title)}</h{level}>"]
    if frame.empty:
        return "".join(out) + _p("No data in this scope.", "note")
    columns = list(frame.columns)
    out.append(f"<table><caption>{escape(table.title)}</caption><thead><tr>")
    out += [f'<th scope="col">{escape(str(c))}</th>' for c in columns]
    out.append("</tr></thead><tbody>")
    for values in frame.itertuples(index=False, name=None):
        cells = [escape(_text(v, table.formats.get(c))) for c, v in zip(columns, values)]
        out.append(f'<tr><th scope="row">{cells[0]}</th>' + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    out.append("</tbody></table>")
    if table.note:
        out.append(_p(table.note, "note"))
    return "".join(out)


def _img(evidence: Evidence, chart, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="'
            f'{escape(alt_text(chart, evidence.table(chart.table).frame), quote=True)}"></figure>')


def build_html(evidence: Evidence, images: dict[str, bytes] | None = None) -> bytes:
    """Evidence (+ PNG bytes per chart name) -> the report as one UTF-8 HTML file."""
    images = images or {}
    out = ['<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(evidence.title)}: {escape(describe(evidence.filters))}</title>",
           f"<style>{STYLE}</style></head><body>",
           f'<header><p class="scope">{escape(line(evidence.filters, evidence.sources, evidence.generated))}</p>',
           "</header><main>",
           '<section id="summary" aria-labelledby="summary-title">',
           f'<h1 id="summary-title">{escape(evidence.title)}</h1>',
           _p(f"{describe(evidence.filters)}. " + "; ".join(f"{k}: {v}" for k, v in evidence.scope) + "."),
           _p(f"Generated {evidence.generated:%d %B %Y at %H:%M} from {len(evidence.sources)} uploads (listed "
              "under Sources). Survey answers are self-reported by those who chose to answer, with no comparison "
              "group: a direction of change, not proof of cause.", "note"),
           "<h2>Headline findings</h2><ul>"]
    found = headlines(evidence)
    for h in found:
        facts = "; ".join(x for x in (h.n_words, h.interval_words) if x) + (f". {h.before}." if h.before else ".")
        out.append(f"<li><p>{escape(h.statement.text)}</p>{_p(facts, 'facts')}</li>")
    out.append("</ul>")
    if not found:
        out.append(_p("No finding in this scope meets the reliability rule (see Methodology)."))
    if not evidence.previous_name:
        out.append(_p(NO_PREVIOUS, "note"))
    out.append("</section>")
    for section in sections(evidence, set(images)):
        if not (section.statements or section.charts or section.tables or section.dropped or section.long):
            continue
        out.append(f'<section id="{section.key}"><h2>{escape(section.heading)}</h2>')
        if section.statements:
            out.append("<ul>" + "".join(f"<li>{escape(s.text)}</li>" for s in section.statements) + "</ul>")
        if section.key == "outcomes" and evidence.quotes:
            out.append("<h3>In participants' words</h3>"
                       + "".join(f"<blockquote><p>{escape(q)}</p></blockquote>" for q in evidence.quotes))
        printed = {t.name for t in section.tables}
        for table in section.tables:
            for c in section.charts:
                if c.table == table.name:
                    out.append(_img(evidence, c, images[c.name]))
            for c in section.dropped:
                if c.table == table.name:
                    out.append(_p(dropped_words(c, table), "note"))
            out.append(_table(table))
        for c in section.charts:
            if c.table not in printed:
                out.append(_img(evidence, c, images[c.name]))
        if section.long:
            out.append(_p("In the workbook and CSV files only (too long to show here): "
                          + "; ".join(t.title for t in section.long) + ".", "note"))
        out.append("</section>")
    out.append('<section id="methodology"><h2>Methodology</h2>')
    out.append(_p(SUPPRESSION_NOTE.format(threshold=evidence.suppress_n)))
    out += [_p(f"Left out of this pack: {note}", "note") for note in evidence.left_out]
    for topic, text in evidence.methodology:
        out.append(f"<h3>{escape(topic)}</h3>{_p(text)}")
    out.append('</section><section id="sources"><h2>Sources</h2>')
    out.append(_table(Table("sources", "", "The uploads (batches) every figure comes from", evidence.sources)))
    out.append("</section></main></body></html>\n")
    return "".join(out).encode("utf-8")
