"""The report a funder reads in five minutes (issue 14, part 3): page one holds the scope and four to six headline
findings with n and interval and the period before beside each, and its figures are the dashboard's; one
section per question; charts of fewer than three marks left out with their tables kept; the PDF tagged (checked
here with pikepdf: structure tree, reading order, alt text, language, no untagged content); an accessible HTML
version in the zip with user text never turned into markup."""
from __future__ import annotations

import io
import itertools
import re
import subprocess
from html import escape
from html.parser import HTMLParser

import pandas as pd
import pikepdf
import pytest

from impact import equity, indicators, views
from impact.equity.partners import Thresholds
from impact.export import export_pack
from impact.export.images import stop
from impact.export.pack import MIN_MARKS, Chart, marks
from impact.export.report import QUESTIONS, headlines, sections
from impact.filters import Filters, prepare
from impact.store import Store, load_demo

PERIOD = Filters(date_from="2024-04", date_to="2025-03")  # financial year 2024/25: 2023/24 is the period before
THIN = Filters(programmes=["Central Rhyme Time"], date_from="2024-05", date_to="2024-05")
HOSTILE = '<img src=x onerror="alert(1)">Partner'


def _with_hostile_partner(frames: dict) -> dict:
    frames = {k: v.copy() for k, v in frames.items()}
    programme = frames["programme_partners"]["programme"].iloc[0]
    add = {"partners": {"partner_id": "hostile", "name": HOSTILE, "partnership_type": "community", "batch_id": 1},
           "programme_partners": {"programme": programme, "partner": HOSTILE, "role": "co-delivery",
                                  "staff_hours": 40.0, "cash": 0.0, "in_kind": 0.0, "promoted": True,
                                  "credited": True, "batch_id": 1}}
    for table, row in add.items():
        frames[table] = pd.concat([frames[table], pd.DataFrame([row])], ignore_index=True)
    return frames


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    store = Store(f"sqlite:///{folder / 'x.db'}")
    load_demo(store)
    frames = _with_hostile_partner(store.frames())
    settings, batches = store.settings(), store.batches()
    period = export_pack(frames, PERIOD, settings, batches, formats=("pdf", "html", "png"))
    thin = export_pack(frames, THIN, settings, batches, formats=("pdf", "html", "png"))
    stop()
    yield frames, settings, period, thin, folder


def _page_text(pdf: bytes, folder, first: int, last: int | None = None) -> str:
    path = folder / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last or first), str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", out)


# --- page one and its numbers ----------------------------------------------------------------------------

def test_page_one_holds_the_scope_and_four_to_six_findings_each_with_n_interval_and_the_year_before(packs):
    _, _, period, _, folder = packs
    ev = period.evidence
    found = headlines(ev)
    assert 4 <= len(found) <= 6
    assert [h.question for h in found] == [q for q, _, _ in QUESTIONS if q in {h.question for h in found}]
    page = _page_text(period.files["evidence-pack.pdf"], folder, 1)
    assert "All programmes, financial year 2024/25" in page and "Headline findings" in page
    assert ev.previous_name == "2023/24"
    for h in found:
        assert re.sub(r"\s+", " ", h.statement.text) in page
        assert h.n_words and h.n_words in page and h.interval_words in page
    befores = [h for h in found if h.before]
    assert {h.question for h in befores} >= {"reach", "outcomes"}
    assert all(h.before.startswith("2023/24: ") and h.before in page for h in befores)
    # each statement is said once: on page one or in its question's section
    said = [s for sec in sections(ev) for s in sec.statements] + [h.statement for h in found]
    assert sorted(s.text for s in said) == sorted(s.text for s in ev.statements)


def test_every_number_on_page_one_equals_the_dashboards_for_the_same_scope(packs):
    """The overview page's cards and tables come from these calls (pages/overview.py, views.headline_cards)."""
    frames, settings, period, _, _ = packs
    min_n, rate = int(settings["min_n"]), float(settings["hourly_rate"])
    data = prepare(frames)
    now = indicators.compute(data, PERIOD, min_n, rate)
    comparison = views.comparison(PERIOD, data)
    before = indicators.compute(data, comparison.previous, min_n, rate)
    cards = {c.label: c for c in views.headline_cards(now, before, None, None, None, None, min_n,
                                                      comparison.previous_name)}
    found = headlines(period.evidence)
    checked = set()
    for h in found:
        s = h.statement
        if s.kind == "reach":
            assert s.value == s.n == now.reach.attendance
            assert f"{s.n:,}" == cards["Attendance"].value
            assert s.text.startswith(now.reach.sessions_text)
            assert h.before_value == before.reach.attendance
            assert h.before == cards["Attendance"].before + " attendances"
        elif s.kind == "outcome":
            o = next(o for o in now.outcomes.values() if o.n == s.n and o.positive_rate == s.value)
            assert (s.low, s.high) == (o.ci_low, o.ci_high)
            assert s.text.startswith(f"{100 * o.positive_rate:.0f}% of {o.n:,} post-session responses (95% CI "
                                     f"{100 * o.ci_low:.0f}–{100 * o.ci_high:.0f}%")
            domain = next(d for d, x in now.outcomes.items() if x is o)
            b = before.outcomes[domain]
            assert (h.before_value, h.before_n, h.before_low, h.before_high) == (b.positive_rate, b.n, b.ci_low,
                                                                                 b.ci_high)
            assert f"{100 * b.positive_rate:.0f}% of {b.n:,} responses" in h.before
        elif s.kind == "change":
            c = next(c for c in now.change.values() if c.n == s.n)
            assert s.text.startswith(f"Among {c.n:,} respondents") or s.text.startswith(f"Comparing {c.n_before:,}")
            b = before.change[s.key]  # the same item in 2023/24, by the same measure
            if s.test == "McNemar exact":
                assert (h.before_value, h.before_n) == (b.positive_after.rate - b.positive_before.rate, b.n)
                assert h.before.startswith("2023/24: the share agreeing went from")
            else:
                assert (h.before_value, h.before_n) == (b.mean_diff, b.n)
                assert h.before == (f"2023/24: the mean answer changed by {b.mean_diff:+.2f} points among {b.n:,} "
                                    "respondents")
        elif s.kind == "blindspot":
            eq = equity.compute(data, PERIOD, float(settings["blindspot_threshold"]), min_n)
            groups = [(g, d) for d in eq.reach.dimensions.values() for g in d.blindspots]
            assert any(g.representation_index == s.value and (g.ri_low, g.ri_high) == (s.low, s.high)
                       and d.participants == s.n for g, d in groups)
            dim, group = s.key.split("/", 1)
            was = equity.reach_equity(data, comparison.previous, float(settings["blindspot_threshold"]), min_n)
            g = next(g for g in was.dimensions[dim].groups if g.group == group)
            assert (h.before_value, h.before_low, h.before_high) == (g.representation_index, g.ri_low, g.ri_high)
            assert h.before.startswith(f"2023/24: representation index {g.representation_index:.2f}")
        elif s.kind == "partnership":
            fair = equity.partnerships(data, PERIOD, Thresholds.from_settings(settings)).fairness
            assert s.n == sum(p.shared is not None for p in fair.partnerships) and s.value == fair.imbalance
            was = equity.partnerships(data, comparison.previous, Thresholds.from_settings(settings)).fairness
            judged = [p for p in was.partnerships if p.shared is not None]
            assert (h.before_value, h.before_n) == (was.imbalance, len(judged))
            assert h.before.startswith(f"2023/24: {sum(p.shared for p in judged)} of {len(judged)} shared")
        elif s.kind == "value":
            assert s.value == now.value.cost_per_attendance and s.n == now.value.attendance
            assert f"£{now.value.total_input:,.0f}" in s.text
            assert h.before_value == before.value.cost_per_attendance
        else:
            continue
        checked.add(s.kind)
        # the words printed beside it are made from the figures checked above, nothing else
        if s.n is not None:
            assert h.n_words == f"n = {s.n:,}"
    assert {"reach", "outcome", "value"} <= checked and len(checked) >= 4


# --- charts with too few marks ---------------------------------------------------------------------------

def test_marks_count_bars_with_a_figure():
    frame = pd.DataFrame({"theme": ["A", "B", "C", "Total"], "attendance": [5, "[c]", None, 9]})
    assert marks(Chart("c", "t", "x", "theme", ("attendance",), rows=(0, 2)), frame) == 1
    assert marks(Chart("c", "t", "x", "theme", ("attendance",)), frame) == 2


def test_a_chart_of_fewer_than_three_marks_is_left_out_and_its_table_kept(packs):
    _, _, _, thin, folder = packs
    ev = thin.evidence
    dropped = {c.name for c in ev.dropped_charts}
    assert "attendance_by_theme" in dropped  # one programme: one theme, one bar
    for c in ev.charts:
        assert marks(c, ev.table(c.table).frame) >= MIN_MARKS
    assert not any(f"charts/{name}.png" in thin.files for name in dropped)
    text = _page_text(thin.files["evidence-pack.pdf"], folder, 1, 99)
    assert "Not charted: ‘Attendance by theme’ would have fewer than three bars or points" in text
    assert "Reach by theme (outputs)" in text  # its table is still there
    html = thin.files["evidence-pack.html"].decode()
    assert "Not charted: ‘Attendance by theme’" in html and "<caption>Reach by theme (outputs)</caption>" in html
    assert len(_Outline.of(html).images) == len(ev.charts)


# --- the PDF's tags --------------------------------------------------------------------------------------

def _elements(elem):
    kids = elem.get("/K")
    for k in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(k, pikepdf.Dictionary) and "/S" in k:
            yield k
            yield from _elements(k)


def test_the_pdf_is_tagged_in_reading_order_with_alt_text_for_every_chart_and_no_untagged_content(packs):
    _, _, period, _, _ = packs
    pdf = pikepdf.open(io.BytesIO(period.files["evidence-pack.pdf"]))
    root = pdf.Root
    assert str(root.Lang) == "en-GB" and bool(root.MarkInfo.Marked) is True
    assert bool(root.ViewerPreferences.DisplayDocTitle) and str(pdf.docinfo.Title) == period.evidence.title
    tree = root.StructTreeRoot
    elements = list(_elements(tree))
    kinds = [str(e.S) for e in elements]
    assert kinds[0] == "/Document" and kinds.count("/H1") == 1 and kinds[1] == "/H1"
    lists = [e for e in elements if e.S == "/L"]
    assert len(lists[0].K) == len(headlines(period.evidence))  # page one's findings: one list item each
    assert all(i.S == "/LI" and i.K[0].S == "/LBody" for e in lists for i in e.K)
    figures = [e for e in elements if e.S == "/Figure"]
    assert len(figures) == len(period.evidence.charts) >= 5
    assert all(str(f.Alt).startswith("Chart: ") and len(str(f.Alt)) > 40 for f in figures)
    h2 = [e for e in elements if e.S == "/H2"]
    assert len(h2) >= 1 + len([s for s in sections(period.evidence) if s.tables])  # findings, sections, methodology
    tables = [e for e in elements if e.S == "/Table"]
    assert tables and all(e.K[0].S == "/TR" and all(c.S == "/TH" for c in e.K[0].K) for e in tables)
    assert all(any(c.S == "/TD" for r in e.K[1:] for c in r.K) for e in tables if len(e.K) > 1)
    parents = tree.ParentTree.Nums
    by_key = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
    images_drawn = 0
    for number, page in enumerate(pdf.pages, start=1):
        owners = by_key[int(page.obj.StructParents)]
        stack, mcids = [], []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "BDC":
                stack.append(int(operands[1].MCID) if "/MCID" in operands[1] else None)
                mcids.append(stack[-1])
            elif op == "BMC":
                stack.append(str(operands[0]))
            elif op == "EMC":
                stack.pop()
            elif op in ("Tj", "TJ", "'", '"', "Do"):  # text or an image drawn: inside a tag or an artifact
                assert stack and stack[-1] is not None, f"untagged content on page {number}"
                if op == "Do":
                    images_drawn += 1
                    owner = owners[stack[-1]]
                    assert owner.S == "/Figure" and str(owner.Alt)
        assert mcids == list(range(len(mcids))), f"page {number}: MCIDs out of order"
        assert len(owners) == len(mcids)  # every marked sequence has its element, and the reverse
        assert all(owners[m].Pg.objgen == page.obj.objgen for m in mcids)
    assert images_drawn == len(figures)


# --- the HTML version ------------------------------------------------------------------------------------

class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang, self.headings, self.images, self.tags, self.th, self.captions = None, [], [], [], [], 0
        self._heading, self._text = None, []

    @classmethod
    def of(cls, html: str) -> _Outline:
        found = cls()
        found.feed(html)
        return found

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, []
        if tag == "img":
            self.images.append(attrs)
        if tag == "th":
            self.th.append(attrs.get("scope"))
        if tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((int(tag[1]), "".join(self._text)))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)


def test_the_html_report_is_accessible_and_says_what_the_pdf_says(packs):
    period = packs[2]
    html = period.files["evidence-pack.html"].decode("utf-8")
    found = _Outline.of(html)
    assert found.lang == "en-GB"
    levels = [level for level, _ in found.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))  # never skips a level
    assert [text for level, text in found.headings if level == 2][:2] == ["Headline findings", "Reach: who came"]
    assert len(found.images) == len(period.evidence.charts)
    assert all(i.get("alt", "").startswith("Chart: ") and i["src"].startswith("data:image/png;base64,")
               for i in found.images)
    assert found.th and all(scope in ("col", "row") for scope in found.th)
    assert found.captions == found.tags.count("table")
    page_one = html[:html.index('<section id="reach">')]
    for h in headlines(period.evidence):
        assert escape(h.statement.text) in page_one and escape(h.n_words) in page_one
        assert escape(h.before) in page_one if h.before else True
    for s in period.evidence.statements:
        assert s.text.replace("&", "&amp;").replace("'", "&#x27;").replace("<", "&lt;") in html


def test_user_text_in_the_html_stays_text(packs):
    _, _, period, _, _ = packs
    html = period.files["evidence-pack.html"].decode("utf-8")
    found = _Outline.of(html)
    assert "script" not in found.tags
    assert all(i["src"].startswith("data:image/png;base64,") for i in found.images)  # no <img src=x>
    shown = any(t.frame.astype(str).apply(lambda c: c.str.contains("onerror", regex=False)).any().any()
                for t in period.evidence.tables if t.in_pdf)
    assert shown  # the hostile partner's name is in a printed table …
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Partner" in html  # … as text
    assert HOSTILE not in html
