"""The report's outline, shared by the PDF (pdf.py) and the HTML version (html.py): page one's headline findings
and one section per question a funder asks (reach, outcomes, change, equity, partnerships, value), each with
its charts, its tables and the rest of its statements; the methodology comes last.

A headline is a statement already made (impact/export/statements.py: reliable figures only) with its n and
interval, and, when the scope is a chosen period, the same figure for the period before (as the dashboard's
cards compare them, impact.views.comparison) beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from impact.export.pack import Chart, Evidence, Table
from impact.export.statements import SAID, Statement, ci, pct
from impact.stats import Reliability

QUESTIONS = (
    ("reach", "Reach: who came", ("reach", "response")),
    ("outcomes", "Outcomes: what changed for people", ("outcome", "programme", "follow_up", "comments")),
    ("change", "Change: before and after", ("change",)),
    ("equity", "Equity: who was reached, who was missed", ("blindspot",)),
    ("partnerships", "Partnerships: are they shared?", ("partnership",)),
    ("value", "Value: what it cost", ("value",)),
)
SHEETS = {"Reach": "reach", "Outcomes": "outcomes", "What people said": "outcomes", "Equity": "equity",
          "Partners": "partnerships", "Value": "value"}
TABLE_QUESTION = {"change": "change"}  # tables on a sheet whose question is another
MIN_HEADLINES, MAX_HEADLINES = 4, 6


@dataclass(frozen=True)
class Headline:
    question: str  # reach | outcomes | change | equity | partnerships | value
    statement: Statement
    before: str = ""  # the previous period's figure in words: "2023/24: 81% of 402 responses (95% CI 76–85%)"
    before_value: float | None = None
    before_n: int | None = None
    before_low: float | None = None
    before_high: float | None = None

    @property
    def n_words(self) -> str:
        s = self.statement
        return f"n = {s.n:,}" if s.n is not None else ""

    @property
    def interval_words(self) -> str:
        s = self.statement
        if s.low is None or s.high is None:
            if s.kind == "partnership":
                return "a count of partnership programmes: no interval"
            return "a complete count: no interval" if s.kind in ("reach", "value", "response") else "no interval"
        if s.kind == "change" and s.test == "McNemar exact":
            return f"95% CI {100 * s.low:+.0f} to {100 * s.high:+.0f} points"
        if s.kind == "change":
            return f"effect size 95% CI {s.low:.2f} to {s.high:.2f}"
        if s.kind == "blindspot":
            return f"representation index 95% CI {s.low:.2f} to {s.high:.2f}"
        return ci(s.low, s.high)


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    statements: tuple[Statement, ...]
    charts: tuple[Chart, ...]
    dropped: tuple[Chart, ...]  # too few marks to chart: the table says it
    tables: tuple[Table, ...]  # printed ones (in_pdf)
    long: tuple[Table, ...] = field(default=())  # in the workbook and CSVs only


def question_of(statement: Statement) -> str:
    return next((key for key, _, kinds in QUESTIONS if statement.kind in kinds), "outcomes")


def table_question(table: Table) -> str:
    return TABLE_QUESTION.get(table.name) or SHEETS.get(table.sheet, "outcomes")


def _domain(text: str) -> str | None:
    """Which outcome an outcome statement is about (its words, statements.SAID)."""
    return next((d for d, words in SAID.items() if f"said they {words}" in text), None)


def _before(st: Statement, question: str, evidence: Evidence) -> dict:
    """The same figure for the period before, meeting the same reliability rule; {} when there is none."""
    prev, name = evidence.previous, evidence.previous_name
    if prev is None or not name:
        return {}
    rel = evidence.reliability or Reliability(evidence.min_n, 0.10, evidence.suppress_n)
    if st.kind == "reach" and st.value is not None and st.n == st.value:  # the attendance statement
        a = prev.reach.attendance
        if a and a < rel.suppress_n:
            return {"before": f"{name}: fewer than {rel.suppress_n} attendances"}
        return {"before": f"{name}: {a:,} attendances", "before_value": a, "before_n": a}
    if st.kind == "outcome":
        o = prev.outcomes.get(_domain(st.text) or "")
        if o is None or o.n == 0:
            return {"before": f"{name}: no answers"}
        if not (rel.holds(o.n, o.ci_low, o.ci_high, o.positive) and o.positive_rate is not None):
            return {"before": f"{name}: too few answers for a reliable figure (n = {o.n:,})"
                    if o.n >= rel.suppress_n else f"{name}: fewer than {rel.suppress_n} answers"}
        return {"before": f"{name}: {pct(o.positive_rate)} of {o.n:,} responses ({ci(o.ci_low, o.ci_high)})",
                "before_value": o.positive_rate, "before_n": o.n, "before_low": o.ci_low, "before_high": o.ci_high}
    if st.kind == "change":
        c = prev.change.get(st.key) if st.key else None
        if c is None or c.mean_diff is None or c.n < rel.min_n:
            return {"before": f"{name}: too few answered before and after to say"}
        if st.test == "McNemar exact":  # a change in the share agreeing: the same measure the year before
            if not (c.positive_before and c.positive_after) or min(c.positive_before.k,
                                                                   c.positive_after.k) < rel.suppress_n:
                return {"before": f"{name}: too few answered before and after to say"}
            return {"before": f"{name}: the share agreeing went from {pct(c.positive_before.rate)} to "
                              f"{pct(c.positive_after.rate)} among {c.n:,} respondents",
                    "before_value": c.positive_after.rate - c.positive_before.rate, "before_n": c.n}
        return {"before": f"{name}: the mean answer changed by {c.mean_diff:+.2f} points among {c.n:,} "
                          "respondents", "before_value": c.mean_diff, "before_n": c.n}
    if st.kind == "blindspot" and "/" in st.key and evidence.previous_equity is not None:
        dim, group = st.key.split("/", 1)
        d = evidence.previous_equity.dimensions.get(dim)
        g = next((g for g in d.groups if g.group == group), None) if d is not None and d.reliable else None
        if g is None or g.participants < rel.suppress_n or g.representation_index is None or g.ri_high is None:
            return {"before": f"{name}: too few recorded to say"}
        return {"before": f"{name}: representation index {g.representation_index:.2f} (95% CI {g.ri_low:.2f}"
                          f"\u2013{g.ri_high:.2f}) from {d.participants:,} recorded",
                "before_value": g.representation_index, "before_n": d.participants, "before_low": g.ri_low,
                "before_high": g.ri_high}
    if st.kind == "partnership" and st.key == "all" and evidence.previous_fairness is not None:
        f = evidence.previous_fairness
        judged = [p for p in f.partnerships if p.shared is not None]
        if not judged:
            return {"before": f"{name}: no partnership programmes with credit or promotion recorded"}
        shared = sum(1 for p in judged if p.shared)
        return {"before": f"{name}: {shared} of {len(judged)} shared their stakes"
                          + (f", imbalance {f.imbalance:.2f}" if f.imbalance is not None else ""),
                "before_value": f.imbalance, "before_n": len(judged)}
    if st.kind == "value":
        v = prev.value
        if v.attendance >= rel.min_n and v.total_input and v.cost_per_attendance is not None:
            return {"before": f"{name}: £{v.cost_per_attendance:,.2f} per attendance (n = {v.attendance:,})",
                    "before_value": v.cost_per_attendance, "before_n": v.attendance}
        return {"before": f"{name}: not enough recorded to say"}
    return {}


def headlines(evidence: Evidence) -> list[Headline]:
    """Four to six findings for page one: the lead statement of each question in order, then (when fewer than
    four questions have one) the next statements of the questions that do."""
    by_question: dict[str, list[Statement]] = {key: [] for key, _, _ in QUESTIONS}
    for st in evidence.statements:
        by_question[question_of(st)].append(st)
    if by_question["outcomes"]:  # the outcome with the most answers among the headline domains leads
        outcome = [s for s in by_question["outcomes"] if s.kind == "outcome"]
        if outcome:
            lead = max(outcome, key=lambda s: ((_domain(s.text) in ("confidence", "knowledge", "application")),
                                               s.n or 0))
            by_question["outcomes"].remove(lead)
            by_question["outcomes"].insert(0, lead)
    chosen = [(key, found[0]) for key, found in by_question.items() if found][:MAX_HEADLINES]
    spare = [(key, s) for key, found in by_question.items() for s in found[1:]]
    while len(chosen) < MIN_HEADLINES and spare:
        chosen.append(spare.pop(0))
    order = {key: i for i, (key, _, _) in enumerate(QUESTIONS)}
    chosen.sort(key=lambda c: order[c[0]])
    return [Headline(key, st, **_before(st, key, evidence)) for key, st in chosen]


def sections(evidence: Evidence, shown: set[str] | None = None) -> list[Section]:
    """One section per question, each with its charts (those with an image in `shown`, when given), the charts
    too thin to draw, its printed tables and the statements not already on page one."""
    on_page_one = {id(h.statement) for h in headlines(evidence)}
    tables = {t.name: t for t in evidence.tables}
    found = []
    for key, heading, _ in QUESTIONS:
        found.append(Section(
            key, heading,
            tuple(s for s in evidence.statements if question_of(s) == key and id(s) not in on_page_one),
            tuple(c for c in evidence.charts if table_question(tables[c.table]) == key
                  and (shown is None or c.name in shown)),
            tuple(c for c in evidence.dropped_charts if table_question(tables[c.table]) == key),
            tuple(t for t in evidence.tables if table_question(t) == key and t.in_pdf),
            tuple(t for t in evidence.tables if table_question(t) == key and not t.in_pdf)))
    return found


def dropped_words(chart: Chart, table: Table) -> str:
    return (f"Not charted: \u2018{chart.title}\u2019 would have fewer than three bars or points, so its table "
            f"\u2018{table.title}\u2019 says it.")


NO_PREVIOUS = ("No period is chosen, so there is no 'last year' to set beside these figures: choose a period (a "
               "financial year, say) in the filter bar to see the period before beside each finding.")
