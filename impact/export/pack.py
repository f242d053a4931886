"""An evidence pack computed once: statements, safe tables and chart definitions for one scope.

`build` turns the canonical frames, a `Filters` and the settings into an `Evidence` value; the workbook,
the PDF, the chart images, the CSVs and the statements file each render that same value
(impact/export/workbook.py, pdf.py, images.py, __init__.py). Every table in it has already been through
the display minimum (no percentage below min_n) and disclosure control (impact/export/disclosure.py).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from impact import equity, indicators, schema
from impact.charts import DOMAIN_LABELS
from impact.equity.partners import METHOD_NOTE, Thresholds
from impact.export import statements as statements_module
from impact.export.disclosure import (
    SUPPRESSED,
    SUPPRESSION_NOTE,
    Audit,
    Margin,
    Rate,
    Same,
    Suppression,
    protect,
    scrub,
)
from impact.export.partnerships import section as partnership_section
from impact.export.statements import Statement
from impact.filters import NOT_RECORDED, Filters, prepare
from impact.indicators.value import (
    COST_EFFECTIVENESS_NOTE,
    ESTIMATE_NOTE,
    partner_cost_effectiveness,
)
from impact.stats import Reliability

TOTAL = "Total"
NOTE = "note"
PCT, INT, MONEY, DEC = "percent", "integer", "money", "decimal"  # how a column is formatted (values: % as 0-100)


@dataclass(frozen=True)
class Table:
    """One table of the pack: what the workbook sheet, the PDF and the CSV show."""

    name: str  # file stem and anchor: reach_by_theme
    sheet: str  # workbook sheet it sits on: Reach, Outcomes, Value, Equity, Partners
    title: str
    frame: pd.DataFrame  # already suppressed; SUPPRESSED marks hidden cells
    formats: dict = field(default_factory=dict)  # column -> PCT | INT | MONEY | DEC
    note: str = ""
    hidden: tuple[float, ...] = ()  # values suppression replaced (for tests; never written)
    in_pdf: bool = True  # long tables stay in the workbook and CSVs only
    rule: Suppression | None = field(default=None, repr=False, compare=False)  # what disclosure control knows


@dataclass(frozen=True)
class Chart:
    """A chart of columns of one table; rendered natively in Excel and as a PNG (plotly) from the same spec."""

    name: str
    title: str
    table: str  # Table.name
    category: str  # column with the labels
    values: tuple[str, ...]  # columns plotted (one series each)
    kind: str = "bar"  # bar (vertical) | barh (horizontal) | line
    axis_title: str = ""
    rows: tuple[int, int] | None = None  # first and last body row (0-based) when the chart shows part of the table
    stacked: bool = False
    reference: float | None = None  # a line to read against (1 = fair, 1 = in proportion)


@dataclass(frozen=True)
class Evidence:
    title: str
    scope: tuple[tuple[str, str], ...]  # (what, value) lines describing the filters
    generated: dt.datetime
    filters: Filters
    min_n: int
    suppress_n: int
    hourly_rate: float
    statements: tuple[Statement, ...]
    quotes: tuple[str, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    methodology: tuple[tuple[str, str], ...]  # (topic, text)
    sources: pd.DataFrame  # the batches every figure comes from
    dictionary: pd.DataFrame
    left_out: tuple[str, ...]  # parts of a full pack this one could not include, and why
    disclosure: dict = field(default_factory=dict)  # the structure the audit needs (tables/disclosure.json)
    audit: Audit | None = None  # every hidden count's feasible range, from what the pack publishes
    reliability: Reliability | None = None  # the rule every statement met
    previous: object = None  # Indicators of the period before a chosen period (same length), or None
    previous_name: str = ""  # '2023/24': what page one calls it
    dropped_charts: tuple[Chart, ...] = ()  # charts with fewer than MIN_MARKS marks: their tables stand alone
    previous_equity: object = None  # equity.reach_equity of the period before (blindspots beside this period's)
    previous_fairness: object = None  # equity.partnerships(...).fairness of the period before

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


MIN_MARKS = 3  # a chart of one or two bars says nothing its table does not


def marks(chart: Chart, frame: pd.DataFrame) -> int:
    """Bars or points a chart would draw: rows in its range with a number (not [c], not blank) to plot."""
    rows = frame.iloc[chart.rows[0]: chart.rows[1] + 1] if chart.rows else frame
    if not len(rows):
        return 0
    drawn = pd.DataFrame({c: pd.to_numeric(rows[c], errors="coerce") for c in chart.values if c in rows})
    return int(drawn.notna().any(axis=1).sum()) if len(drawn.columns) else 0


def _pct(x) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(100 * float(x), 1)


def _round(x, digits=2):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), digits)


def _outcome_label(domain: str) -> str:
    return DOMAIN_LABELS.get(domain, domain.removeprefix("outcome_").replace("_", " ").capitalize())


def _few(min_n: int, what: str = "responses") -> str:
    return f"fewer than {min_n} {what}"


def scope_lines(filters: Filters) -> tuple[tuple[str, str], ...]:
    """Filters -> the scope lines page one of the report and the Summary sheet show."""
    period = "all dates"
    if filters.date_from or filters.date_to:
        period = f"{filters.date_from or 'the start'} to {filters.date_to or 'the latest data'}"
    lines = [("Period", period)]
    for label, values in (("Partners", filters.partners), ("Partnership types", filters.partnership_types),
                          ("Themes", filters.themes), ("Branches", filters.branches),
                          ("Programmes", filters.programmes)):
        lines.append((label, ", ".join(values) if values else "all"))
    for dim, values in filters.groups:
        lines.append((dim.replace("_", " ").capitalize(), ", ".join(values)))
    return tuple(lines)


def _suppressed(name, sheet, title, frame, rule, threshold, formats, note="", in_pdf=True) -> Table:
    """A table before disclosure control: `build` protects every table at once, across their margins."""
    return Table(name, sheet, title, frame, formats, note, (), in_pdf, rule)


REACH_COUNTS = ("attendance", "new to the library", "post-session responses")
MARGINS = (
    Margin("reach_by_programme", "theme", "reach_by_theme", "theme", REACH_COUNTS),
    Margin("outcomes_by_theme", "outcome", "outcomes", "outcome", ("n", "positive")),
)
SAME = (
    Same("reach_by_theme", "theme", "reach_by_quarter", "quarter", tuple((c, c) for c in REACH_COUNTS), ("Total",)),
    Same("reach_by_theme", "theme", "reach_by_programme", "programme", tuple((c, c) for c in REACH_COUNTS),
         ("Total",)),
    Same("reach_by_theme", "theme", "value_by_theme", "theme", (("attendance", "attendance"),)),
)


def _same_groups(tables: list[Table]) -> tuple[Same, ...]:
    """Equity of reach and Who answered count the same attendances by group where no target group narrows a
    dimension: declared as the same figure, so a cell hidden in one is hidden in the other."""
    by = {t.name: t.frame for t in tables}
    eq, who = by.get("equity_reach"), by.get("who_answered")
    if eq is None or who is None or not len(eq) or not len(who):
        return ()
    key = lambda f: f["dimension"].astype(str) + "|" + f["group"].astype(str)
    left = dict(zip(key(eq[eq["unit"] == "attendances"]), eq.loc[eq["unit"] == "attendances", "participants"]))
    right = dict(zip(key(who), who["attendances"]))
    labels = tuple(k for k, v in left.items() if k in right and right[k] == v)
    if not labels:
        return ()
    return (Same("equity_reach", ("dimension", "group"), "who_answered", ("dimension", "group"),
                 (("participants", "attendances"),), labels),)


def _protect(tables: list[Table], threshold: int) -> tuple[list[Table], Audit, dict]:
    """Every table through one disclosure step that knows all their margins (impact/export/disclosure.py)."""
    ruled = {t.name: (t.frame, t.rule) for t in tables if t.rule is not None}
    done = protect(ruled, MARGINS, SAME + _same_groups(tables), threshold)
    out = []
    for t in tables:
        if t.name in done.tables:
            s = done.tables[t.name]
            frame = s.table
            if t.name == "equity_reach" and len(frame):  # a hidden total would be given away by the shares
                frame = frame.copy()
                totals = frame[(frame["group"] == TOTAL) & (frame["participants"] == SUPPRESSED)]["dimension"]
                rows = frame["dimension"].isin(set(totals))
                for c in ("share %", "representation index", "index low", "index high"):
                    frame[c] = frame[c].astype("object")
                    frame.loc[rows, c] = SUPPRESSED
            t = dataclasses.replace(t, frame=frame, hidden=s.hidden)
        out.append(t)
    return out, done.audit, done.spec


def _reach_rows(found, label: str, min_n: int) -> list[dict]:
    rows = []
    for g in found:
        r = g.reach
        rows.append({label: g.group, "attendance": r.attendance, "sessions": r.sessions,
                     "new to the library": r.new_attendees, "post-session responses": r.post_responses,
                     "response rate %": _pct(r.response_rate.value) if r.attendance >= min_n else None})
    return rows


def _with_total(rows: list[dict], label: str, total: dict) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if len(frame):
        frame = pd.concat([frame, pd.DataFrame([{label: TOTAL, **total}])], ignore_index=True)
    return frame


def _programme_partners(frames: dict) -> dict[str, list[str]]:
    links = frames.get("programme_partners")
    if links is None or not len(links):
        return {}
    return links.groupby("programme")["partner"].agg(lambda s: sorted(set(map(str, s)))).to_dict()


def _batches_by_programme(frames: dict) -> dict[str, str]:
    parts = [frames[t][["programme", "batch_id"]] for t in ("attendance", "survey_responses")
             if t in frames and len(frames[t])]
    if not parts:
        return {}
    both = pd.concat(parts)
    return both.groupby("programme")["batch_id"].agg(lambda s: ", ".join(str(int(b)) for b in sorted(set(s)))).to_dict()


def methodology(min_n: int, suppress_n: int, hourly_rate: float, threshold: float,
                reliability: Reliability | None = None) -> tuple[tuple[str, str], ...]:
    rel = reliability or Reliability(min_n, 0.10, suppress_n)
    return (
        ("What the figures are", ("Outputs (what was delivered: attendance, sessions), outcomes (what changed for "
         "people, from their own survey answers) and impact (wider change) in the words of ISO 16439. Survey "
         "answers are self-reported by those who chose to answer (a convenience sample) with no comparison "
         "group: they show a direction of change, not proof of cause.")),
        ("Units", ("'Attendances' count a person at each visit (a regular counts every time); 'responses' count "
         "survey answers; 'people' are counted only where participant ids are recorded. A complete count (such "
         "as attendances by people new to the library) is stated without an interval: nothing is inferred.")),
        ("Attendance", ("Sum of attendees over rows where attendance was recorded; a blank is 'not recorded', "
         "never zero. A monthly or quarterly return counts in the period where it starts.")),
        ("Sessions, response rate", ("Sessions as recorded (a return covering several sessions counts each); "
         "response rate = post-session survey responses / attendances. The 'Who answered' table compares "
         "respondents with attendances on every group both record.")),
        ("Positive rate", ("Share answering 4 or 5 (agree, strongly agree) on the 5-point scale among valid "
         "answers; N/A, don't know and blank are left out. 95% interval: Wilson (1927) on the effective sample "
         "size n / design effect, with Student's t on clusters − 1 degrees of freedom. The design effect is the "
         "cluster-robust (linearised ratio) variance over the simple-random-sampling one, never below 1; "
         "clusters are programmes where answers come from at least 10 of them, sessions (programme and date) "
         "otherwise. With one cluster, or no session dates, answers are taken as independent (Wilson).")),
        ("Change before to after", ("Only for items that describe a state: items worded as change ('I learned "
         "something new', 'I feel more confident') or about the session mean nothing before it, and their pre "
         "answers are never compared with post answers. A change in the share agreeing is tested with McNemar's "
         "exact test on matched pairs, with the difference in shares and its Agresti-Min (2005) interval; a change "
         "in the mean with the Wilcoxon signed-rank test, the mean change's cluster-robust interval (linearised "
         "variance over programmes or sessions, t on clusters − 1 df; the paired t interval when pairs cannot be "
         "clustered) and Cohen's d_z with its interval; unmatched answers with "
         "the Mann-Whitney U test and Hedges' g. Every p-value in the statements is Holm-adjusted across the "
         "statements' tests; a test that could not be run prints nothing.")),
        ("Value", (f"Total input = library cost + library staff hours × £{hourly_rate:,.2f} + partners' cash + "
         f"in-kind + partner staff hours × £{hourly_rate:,.2f}. Cost per attendance = total input / attendance. "
         f"Cost per positive outcome is {ESTIMATE_NOTE}. Partner leverage = partners' inputs / library inputs.")),
        ("Equity of reach", ("Representation index = participants' share of a group / the group's share of the "
         "baseline (1 = reached in proportion). Where programmes name a target group (an age band, an area, "
         "a deprivation quintile), each is compared against its target groups only, participants outside them "
         "are left out of the shares, and a scope of several programmes is compared against the mix of their "
         "baselines weighted by their participants. The share's interval is cluster-robust as above "
         "(attendance comes in sessions); the index interval divides it by a census baseline share, or is "
         "Fieller's ratio interval when the baseline is a survey estimate with a margin of error. "
         f"A blindspot is an index below {threshold:g} whose whole interval is below 1; its shortfall is said "
         "in the data's unit (attendances that would match the group's share), never as residents unreached. "
         "Dissimilarity index D = ½ Σ |p − q|.")),
        ("Equity of outcomes", ("Whether groups differ is one chi-square test of the whole dimension, Rao-Scott "
         "corrected for clustering, Holm-adjusted across every outcome and dimension; beside the crude gap "
         "between the best- and worst-served groups, the gap within programmes (Mantel-Haenszel difference "
         "stratified by programme, Greenland & Robins 1985 interval) allows for which programmes each group "
         "attends.")),
        ("Partnership fairness", (METHOD_NOTE + " The network imbalance averages each party's contribution and "
         "recognition shares over the partnership programmes (each counts once) before taking ½ Σ |C − R|: 0 when "
         "everyone is recognised in proportion to what it gives, near 1 when one side gives and the other takes "
         "the credit. Thresholds are settings (defaults: most = more than 50%, far apart = more than 50 points).")),
        ("Cost-effectiveness of partners' programmes", COST_EFFECTIVENESS_NOTE),
        ("Display minimum and reliability", (f"No percentage, rate or mean is shown for fewer than {min_n} "
         f"responses (or attendances); the table says '{_few(min_n)}' instead. Statements are made only from "
         f"reliable figures: {rel.text()}.")),
        ("Disclosure control", (SUPPRESSION_NOTE.format(threshold=suppress_n) + " Every table of the pack goes "
         "through one step that knows how they add up: columns to their totals (totals are suppressed too when "
         "needed), a row's answers 1-5 to its n, answers 4-5 to 'positive', programmes to their theme's row, "
         "outcome rows by theme to the outcome, and the same figure in two tables; means and rates of a "
         "suppressed count are suppressed. What is guaranteed: an audit solves linear programs "
         "(scipy.optimize.linprog) over every sum and every shown rate or mean within its rounding, using only "
         f"what the pack publishes, and no suppressed count can be narrowed to fewer than {suppress_n} possible "
         "whole values; the pack is not released otherwise. tables/disclosure.json describes these sums, and "
         "`python -m impact audit-pack` repeats the audit on the files. Not covered: figures published outside "
         "this pack (other scopes, other reports), which a reader could combine with it. No participant or "
         "respondent id, name, email, phone number or address is exported; quotes are short comments with "
         "nothing personal in them.")),
        ("Sources", ("Every figure is computed from the rows of the uploads (batches) listed on the Sources "
         "table, active at the time of export; the programme table names the batches each programme's "
         "rows come from.")),
    )


def _partnership_charts(found) -> list[Chart]:
    """Contribution against recognition per party, the library first (from the partnership_parties table)."""
    parties = found.fairness.parties
    if not parties:
        return []
    return [Chart("partnership_contribution_recognition", "Each party's contribution and recognition (mean share "
                  "over its partnership programmes, %)", "partnership_parties", "party",
                  ("contribution %", "recognition %"), "barh", "share %", rows=(0, len(parties) - 1))]


def build(frames: dict, filters: Filters | None = None, settings: dict | None = None,
          batches: pd.DataFrame | None = None, title: str = "Evidence of impact", comments=None) -> Evidence:
    """Canonical frames + Filters + settings (min_n, suppress_n, hourly_rate, blindspot_threshold) -> Evidence.

    `comments`: the staff's codebook, confirmations and quote approvals (impact.comments.CommentState); only
    approved quotes reach a pack, so without it the pack has coded findings from suggestions and no quotes."""
    settings = settings or {}
    filters = filters or Filters()
    min_n = int(settings.get("min_n", 10))
    threshold_n = int(settings.get("suppress_n", 5))
    rate = float(settings.get("hourly_rate", 15.0))
    blindspot = float(settings.get("blindspot_threshold", 0.8) or 0.8)
    data = prepare(frames)
    frames = data.frames
    left_out: list[str] = []

    ind = indicators.compute(data, filters, min_n, rate)
    by_theme = indicators.compute_by(data, "theme", filters, min_n, rate)
    by_programme = indicators.compute_by(data, "programme", filters, min_n, rate)
    by_period = indicators.compute_by(data, "period", dataclasses.replace(filters, grain="quarter"), min_n, rate)
    eq = equity.compute(data, filters, threshold=blindspot, min_n=min_n)
    fair = equity.partnerships(data, filters, Thresholds.from_settings(settings))
    if not eq.reach.dimensions:
        left_out.append("equity of reach: no population baseline or no participants' groups in this scope")

    tables: list[Table] = []
    charts: list[Chart] = []
    people = {"counts": REACH_COUNTS,
              "derived": {"attendance": ("response rate %",), "post-session responses": ("response rate %",)},
              "rates": (Rate("response rate %", (("post-session responses", 1.0),), "attendance"),)}
    total = {"attendance": ind.reach.attendance, "sessions": ind.reach.sessions,
             "new to the library": ind.reach.new_attendees, "post-session responses": ind.reach.post_responses,
             "response rate %": _pct(ind.reach.response_rate.value) if ind.reach.attendance >= min_n else None}
    reach_formats = {"attendance": INT, "sessions": INT, "new to the library": INT, "post-session responses": INT,
                     "response rate %": PCT}

    # Reach -------------------------------------------------------------------------------------------
    theme = _with_total(_reach_rows(by_theme, "theme", min_n), "theme", total)
    tables.append(_suppressed("reach_by_theme", "Reach", "Reach by theme (outputs)", theme,
                              Suppression(**people, total_row=TOTAL), threshold_n, reach_formats))
    if len(theme):
        charts.append(Chart("attendance_by_theme", "Attendance by theme", "reach_by_theme", "theme",
                            ("attendance",), "barh", "attendance", rows=(0, len(theme) - 2)))
    period = _with_total(_reach_rows(by_period, "quarter", min_n), "quarter", total)
    tables.append(_suppressed("reach_by_quarter", "Reach", "Reach by quarter (outputs)", period,
                              Suppression(**people, total_row=TOTAL), threshold_n, reach_formats))
    if len(period) > 2:
        charts.append(Chart("attendance_by_quarter", "Attendance by quarter", "reach_by_quarter", "quarter",
                            ("attendance",), "line", "attendance", rows=(0, len(period) - 2)))
    partners_of = _programme_partners(frames)
    batches_of = _batches_by_programme(frames)
    meta = data.programmes.set_index("name")
    rows = []
    for g, r in zip(by_programme, _reach_rows(by_programme, "programme", min_n)):
        info = meta.loc[g.group] if g.group in meta.index else None
        first = (lambda v: v.iloc[0] if isinstance(v, pd.Series) else v)
        theme_of = None if info is None else first(info["theme"])
        rows.append({"programme": g.group,
                     "theme": NOT_RECORDED if theme_of is None or pd.isna(theme_of) else theme_of,
                     "branch": None if info is None else first(info["branch"]),
                     "partners": "; ".join(partners_of.get(g.group, [])),
                     **{k: v for k, v in r.items() if k != "programme"},
                     "batches": batches_of.get(g.group, "")})
    programme = _with_total(rows, "programme", {**total, "batches": ""})
    tables.append(_suppressed("reach_by_programme", "Reach", "Reach by programme (outputs), with the batches "
                              "its figures come from", programme, Suppression(**people, total_row=TOTAL),
                              threshold_n, reach_formats, in_pdf=False))

    # Outcomes ----------------------------------------------------------------------------------------
    levels = [f"answered {k}" for k in range(1, 6)]
    rows = []
    for domain, o in ind.outcomes.items():
        ok = o.n >= min_n
        rows.append({"outcome": _outcome_label(domain), "n": o.n, "positive": o.positive,
                     "positive rate %": _pct(o.positive_rate) if ok else None,
                     "95% CI low %": _pct(o.ci_low) if ok else None, "95% CI high %": _pct(o.ci_high) if ok else None,
                     "mean (1-5)": _round(o.mean) if ok else None,
                     **dict(zip(levels, o.distribution)),
                     "design effect": _round(o.design_effect, 1) if ok else None,
                     "clustered by": o.cluster_unit if ok else "",
                     NOTE: "" if ok else _few(min_n)})
    outcome_frame = pd.DataFrame(rows)
    rate_cols = ("positive rate %", "95% CI low %", "95% CI high %")
    tables.append(_suppressed(
        "outcomes", "Outcomes", "Outcomes: share agreeing after the session (post-session survey)", outcome_frame,
        Suppression(counts=("n", "positive", *levels),
                    derived={"n": (*rate_cols, "mean (1-5)", "design effect"), "positive": rate_cols,
                             **{lvl: ("mean (1-5)",) for lvl in levels}},
                    additive=(), row_totals=((tuple(levels), "n"), (tuple(levels[3:]), "positive")),
                    rates=(Rate("positive rate %", (("positive", 1.0),), "n"),
                           Rate("mean (1-5)", tuple((lvl, float(k)) for k, lvl in enumerate(levels, 1)), "n", 1.0, 2))),
        threshold_n, {"n": INT, "positive": INT, **{c: PCT for c in rate_cols}, "mean (1-5)": DEC,
                      **{c: INT for c in levels}, "design effect": DEC},
        "Self-reported by those who chose to answer; no comparison group. 95% intervals allow for clustering "
        "(answers within programmes, or within sessions where the scope has fewer than 10 programmes): the design "
        "effect says how much wider they are than if every answer were independent."))
    shown = outcome_frame[outcome_frame[NOTE] == ""] if len(outcome_frame) else outcome_frame
    if len(shown):
        charts.append(Chart("outcomes", "Share of post-session responses agreeing with each outcome (agree or strongly agree)",
                            "outcomes", "outcome", ("positive rate %",), "barh", "% positive",
                            rows=(0, len(outcome_frame) - 1)))
    rows = []
    for g in by_theme:
        for domain, o in g.outcomes.items():
            ok = o.n >= min_n
            rows.append({"theme": g.group, "outcome": _outcome_label(domain), "n": o.n, "positive": o.positive,
                         "positive rate %": _pct(o.positive_rate) if ok else None,
                         "95% CI low %": _pct(o.ci_low) if ok else None,
                         "95% CI high %": _pct(o.ci_high) if ok else None, NOTE: "" if ok else _few(min_n)})
    tables.append(_suppressed(
        "outcomes_by_theme", "Outcomes", "Outcomes by theme", pd.DataFrame(rows),
        Suppression(counts=("n", "positive"), derived={"n": rate_cols, "positive": rate_cols},
                    additive=(), rates=(Rate("positive rate %", (("positive", 1.0),), "n"),)),
        threshold_n, {"n": INT, "positive": INT, **{c: PCT for c in rate_cols}}))
    rows = []
    for domain, c in ind.change.items():
        ok = c.reliable
        rows.append({"outcome": _outcome_label(domain), "method": c.method, "n": c.n,
                     "mean before": _round(c.mean_before) if ok else None,
                     "mean after": _round(c.mean_after) if ok else None,
                     "mean change": _round(c.mean_diff) if ok else None,
                     "change 95% low": _round(c.mean_low) if ok and c.mean_low is not None else None,
                     "change 95% high": _round(c.mean_high) if ok and c.mean_high is not None else None,
                     "design effect": _round(c.design_effect, 1) if ok and c.design_effect else None,
                     "clustered by": c.cluster_unit if ok else "",
                     "share agreeing: McNemar exact p": (float(f"{c.mcnemar_p:.3g}") if c.mcnemar_p is not None
                                                         else None) if ok else None,
                     "effect size": _round(c.effect_size) if ok else None, "effect size name": c.effect_size_name,
                     "test": c.test, "p value": (float(f"{c.p_value:.3g}") if c.p_value is not None else None) if ok else None,
                     "improved %": _pct(c.improved.rate) if ok and c.improved else None,
                     "worse %": _pct(c.worse.rate) if ok and c.worse else None,
                     NOTE: "" if ok else _few(min_n, "pairs or answers")})
    tables.append(_suppressed(
        "change", "Outcomes", "Change from before to after (5-point scale; items that describe a state only)",
        pd.DataFrame(rows),
        Suppression(counts=("n",), derived={"n": ("mean before", "mean after", "mean change", "effect size",
                                                  "p value", "improved %", "worse %", "change 95% low",
                                                  "change 95% high", "design effect",
                                                  "share agreeing: McNemar exact p")}, additive=()),
        threshold_n, {"n": INT, "mean before": DEC, "mean after": DEC, "mean change": DEC, "effect size": DEC,
                      "improved %": PCT, "worse %": PCT}))

    # Who answered: respondents against attendances on every group both record -------------------------
    answered = indicators.outcomes.who_answered(data, filters, min_n=min_n)
    rows = []
    for d in answered.dimensions:
        label = d.dimension.replace("_", " ")
        for g in d.groups:
            rows.append({"dimension": label, "group": g.group, "attendances": g.attendances,
                         "share of attendances %": _pct(g.attendance_share), "responses": g.responses,
                         "share of responses %": _pct(g.response_share),
                         "difference (points)": _round(100 * g.difference, 1)})
        rows.append({"dimension": label, "group": TOTAL, "attendances": d.attendances, "responses": d.responses,
                     NOTE: "differs by more than " f"{100 * answered.threshold:.0f} points" if d.differs else ""})
    rate_text = (f"{100 * answered.response_rate:.0f}% of {answered.attendance:,} attendances answered a "
                 "post-session survey" if answered.response_rate is not None and answered.attendance >= min_n
                 else "response rate not known")
    tables.append(_suppressed(
        "who_answered", "Outcomes", "Who answered: respondents against attendances (groups both record)",
        pd.DataFrame(rows),
        Suppression(counts=("attendances", "responses"),
                    derived={"attendances": ("share of attendances %", "difference (points)"),
                             "responses": ("share of responses %", "difference (points)")},
                    within="dimension", total_row=TOTAL, total_column="group"),
        threshold_n, {"attendances": INT, "share of attendances %": PCT, "responses": INT,
                      "share of responses %": PCT, "difference (points)": DEC},
        f"Response rate: {rate_text}. " + (answered.warning() or "Respondents' groups are within "
                                          f"{100 * answered.threshold:.0f} points of attendances' on every "
                                          "dimension both record.")))
    if answered.weighted:
        tables.append(_suppressed(
            "weighted_outcomes", "Outcomes", "Positive rate weighted to the attendance profile (raking; for "
            "comparison only)",
            pd.DataFrame([{"outcome": _outcome_label(k), "positive rate (respondents) %": _pct(v[0]),
                           "positive rate weighted to attendances %": _pct(v[1])}
                          for k, v in answered.weighted.items()]),
            Suppression(counts=()), threshold_n,
            {"positive rate (respondents) %": PCT, "positive rate weighted to attendances %": PCT},
            "Respondents weighted by raking (iterative proportional fitting) so their groups match attendances' "
            "on every dimension both record. It allows only for those groups, not for why people chose to "
            "answer; the respondents' rate is the one stated elsewhere."))

    # Value -------------------------------------------------------------------------------------------
    def value_row(label, v):
        return {"theme": label, "attendance": v.attendance, "library input £": _round(v.library_input, 0),
                "partner input £": _round(v.partner_input, 0), "total input £": _round(v.total_input, 0),
                "cost per attendance £": _round(v.cost_per_attendance) if v.attendance >= min_n else None,
                "partner leverage": _round(v.leverage)}
    value_frame = pd.DataFrame([value_row(g.group, g.value) for g in by_theme])
    if len(value_frame):
        value_frame = pd.concat([value_frame, pd.DataFrame([value_row(TOTAL, ind.value)])], ignore_index=True)
    tables.append(_suppressed(
        "value_by_theme", "Value", "Value: inputs and cost per attendance by theme", value_frame,
        Suppression(counts=("attendance",), derived={"attendance": ("cost per attendance £",)}, total_row=TOTAL),
        threshold_n, {"attendance": INT, "library input £": MONEY, "partner input £": MONEY, "total input £": MONEY,
                      "cost per attendance £": MONEY, "partner leverage": DEC},
        f"Staff time at £{rate:,.2f} an hour. Cost per positive outcome: {ESTIMATE_NOTE}."))
    if len(value_frame):
        charts.append(Chart("inputs_by_theme", "Inputs by theme: library and partners (£)", "value_by_theme",
                            "theme", ("library input £", "partner input £"), "barh", "£",
                            rows=(0, len(value_frame) - 2), stacked=True))

    # Equity ------------------------------------------------------------------------------------------
    if eq is not None:
        rows = []
        for dim, r in eq.reach.dimensions.items():
            for g in r.groups:
                ok = r.reliable
                rows.append({"dimension": dim.replace("_", " "), "group": g.group, "unit": r.unit,
                             "participants": g.participants, "share %": _pct(g.share) if ok else None,
                             "population": _round(g.population, 0), "baseline share %": _pct(g.population_share),
                             "representation index": _round(g.representation_index) if ok else None,
                             "index low": _round(g.ri_low) if ok else None,
                             "index high": _round(g.ri_high) if ok else None,
                             "design effect": _round(g.design_effect, 1) if ok else None,
                             "blindspot": "yes" if g.blindspot and ok else "",
                             f"shortfall ({r.unit})": _round(g.shortfall, 0) if g.blindspot and ok else None,
                             "baseline": r.baseline_label,
                             NOTE: "" if ok else _few(min_n, r.unit)})
            rows.append({"dimension": dim.replace("_", " "), "group": TOTAL, "unit": r.unit,
                         "participants": r.participants, "baseline": r.baseline_label,
                         NOTE: (f"{r.clusters:,} {r.cluster_unit} as clusters" if r.cluster_unit else "")
                         + (f"; {r.outside_target:,} {r.unit} outside their programme's target groups left out"
                            if r.outside_target else "")})
        eq_frame = pd.DataFrame(rows)
        shortfalls = tuple(c for c in eq_frame.columns if str(c).startswith("shortfall ("))
        tables.append(_suppressed(
            "equity_reach", "Equity", "Equity of reach: participants against the baseline (target groups where "
            "programmes name them)", eq_frame,
            Suppression(counts=("participants",), derived={"participants": (
                "share %", "representation index", "index low", "index high", "design effect", *shortfalls)},
                within="dimension", total_row=TOTAL, total_column="group"),
            threshold_n, {"participants": INT, "share %": PCT, "population": INT, "baseline share %": PCT,
                          "representation index": DEC, "index low": DEC, "index high": DEC, "design effect": DEC,
                          **{c: INT for c in shortfalls}},
            equity.CAVEATS + " Intervals allow for clustering (attendance comes in sessions, sessions in programmes); "
            "the shortfall is in the data's own unit, never residents."))
        for dim in [d for d in ("deprivation_quintile", "age_band", "area") if d in eq.reach.dimensions][:2] or \
                list(eq.reach.dimensions)[:2]:
            label = dim.replace("_", " ")
            idx = np.flatnonzero((eq_frame["dimension"] == label) & (eq_frame["group"] != TOTAL)) \
                if len(eq_frame) else []
            if len(idx) and eq.reach.dimensions[dim].reliable:
                charts.append(Chart(f"representation_{dim}", f"Representation index by {label} (1 = in proportion)",
                                    "equity_reach", "group", ("representation index",), "bar", "index",
                                    rows=(int(idx[0]), int(idx[-1])), reference=1.0))
        rows = []
        for domain, by_dim in eq.outcomes.gaps.items():
            for dim, gap in by_dim.items():
                if gap.gap is None:
                    continue
                best = next(x for x in gap.groups if x.group == gap.best)
                worst = next(x for x in gap.groups if x.group == gap.worst)
                rows.append({"outcome": _outcome_label(domain), "dimension": dim.replace("_", " "),
                             "best served": best.group, "best rate %": _pct(best.rate), "best n": best.n,
                             "worst served": worst.group, "worst rate %": _pct(worst.rate), "worst n": worst.n,
                             "gap (points)": _round(100 * gap.gap, 1),
                             "gap within programmes (points)": _round(100 * gap.adjusted_gap, 1)
                             if gap.adjusted_gap is not None else None,
                             "within low": _round(100 * gap.adjusted_low, 1) if gap.adjusted_low is not None else None,
                             "within high": _round(100 * gap.adjusted_high, 1)
                             if gap.adjusted_high is not None else None,
                             "test of the dimension": gap.test,
                             "Holm-adjusted p": float(f"{gap.p_holm:.3g}") if gap.p_holm is not None else None,
                             "groups differ": "yes" if gap.significant else "no"})
        tables.append(_suppressed(
            "outcome_gaps", "Equity", "Equity of outcomes: best- and worst-served groups", pd.DataFrame(rows),
            Suppression(counts=("best n", "worst n"),
                        derived={"best n": ("best rate %", "gap (points)", "gap within programmes (points)",
                                            "within low", "within high"),
                                 "worst n": ("worst rate %", "gap (points)", "gap within programmes (points)",
                                             "within low", "within high")},
                        additive=()),
            threshold_n, {"best rate %": PCT, "best n": INT, "worst rate %": PCT, "worst n": INT,
                          "gap (points)": DEC, "gap within programmes (points)": DEC, "within low": DEC,
                          "within high": DEC},
            "Whether groups differ is one chi-square test of the whole dimension (Rao-Scott corrected for "
            "clustering), Holm-adjusted across every outcome and dimension tested; the gap within programmes is "
            "the Mantel-Haenszel difference stratified by programme (Greenland & Robins 1985)."))
    for name, sheet, heading, frame, formats, note, in_pdf in partnership_section(
            fair, partner_cost_effectiveness(data, filters, hourly_rate=rate), scrub):
        tables.append(Table(name, sheet, heading, frame, formats, note, (), in_pdf))
    charts.extend(_partnership_charts(fair))

    from impact.comments import (
        pack as comments_pack,  # what people said: coded findings, approved quotes only
    )

    said = comments_pack.part(data, filters, comments, min_n, threshold_n)
    tables += said.tables
    left_out += said.left_out
    tables, audit, spec = _protect(tables, threshold_n)
    by_name = {t.name: t.frame for t in tables}
    dropped = tuple(c for c in charts if marks(c, by_name[c.table]) < MIN_MARKS)
    charts = [c for c in charts if c not in dropped]
    previous, previous_name, previous_equity, previous_fairness = _previous(
        data, filters, min_n, rate, blindspot, Thresholds.from_settings(settings))
    statements = statements_module.statements(ind, by_programme, eq, fair, filters, frames, min_n, threshold_n,
                                              Reliability.from_settings(settings))
    statements = [*statements, *said.statements]
    if answered.warning() and not (next(t for t in tables if t.name == "who_answered").frame == SUPPRESSED).any().any():
        statements.append(Statement("response", answered.warning(), answered.response_rate, answered.responses))
    statements = _published_only(statements, tables)
    quotes = said.quotes

    from impact.upload import rows_text  # the upload history's words for a batch's rows

    sources = batches if batches is not None else pd.DataFrame(columns=["id", "file_name", "uploaded_at", "rows"])
    if len(sources):
        if "undone_at" in sources:
            sources = sources[sources["undone_at"].isna()]
        sources = pd.DataFrame({
            "batch": sources["id"].astype(int), "file": sources["file_name"].astype(str),
            "uploaded": pd.to_datetime(sources["uploaded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
            "rows": sources["rows"].map(lambda r: rows_text(r) if isinstance(r, dict) else str(r))})
    dictionary = pd.DataFrame(schema.data_dictionary())[["table", "column", "kind", "required", "allowed",
                                                         "description"]]
    dictionary["required"] = dictionary["required"].map({True: "yes", False: ""})
    return Evidence(title=title, scope=scope_lines(filters), generated=dt.datetime.now().replace(microsecond=0),
                    filters=filters, min_n=min_n, suppress_n=threshold_n, hourly_rate=rate,
                    statements=tuple(statements), quotes=quotes, tables=tuple(tables), charts=tuple(charts),
                    methodology=methodology(min_n, threshold_n, rate, blindspot, Reliability.from_settings(settings))
                    + (("Disclosure audit of this pack", audit_text(audit)), said.method),
                    sources=sources, dictionary=dictionary, left_out=tuple(left_out), disclosure=spec, audit=audit,
                    reliability=Reliability.from_settings(settings), previous=previous, previous_name=previous_name,
                    dropped_charts=dropped, previous_equity=previous_equity, previous_fairness=previous_fairness)


def _previous(data, filters: Filters, min_n: int, rate: float, blindspot: float = 0.8, thresholds=None):
    """The period before a chosen period, as the dashboard's cards compare it (impact.views.comparison): its
    indicators, short name, equity and partnership fairness, or (None, '', None, None) when no period is chosen
    or nothing is dated."""
    if not filters.narrows_period:
        return None, "", None, None
    from impact.views import comparison

    found = comparison(filters, data)
    if found is None:
        return None, "", None, None
    fair = equity.partnerships(data, found.previous, thresholds or Thresholds()).fairness
    return (indicators.compute(data, found.previous, min_n, rate), found.previous_name,
            equity.reach_equity(data, found.previous, blindspot, min_n), fair)


def audit_text(audit: Audit | None) -> str:
    """What the audit found for this pack, in one paragraph for the methodology."""
    if audit is None or not audit.cells:
        return "No count in this pack is suppressed: every figure counts at least the threshold or is zero."
    finite = [c.values for c in audit.cells if c.values != float("inf")]
    narrowest = f"; the most a reader can narrow one down to is {min(finite):,.0f} possible values" if finite else ""
    verdict = ("none can be narrowed to fewer than the threshold" if audit.ok else
               f"{len(audit.failures)} could be narrowed below the threshold")
    return (f"{len(audit.cells):,} counts are suppressed. Bounded by {audit.programs:,} linear programs from "
            f"everything this pack publishes, {verdict} ({audit.threshold} whole values){narrowest}.")


def _published_only(statements: list, tables: list[Table]) -> list:
    """Statements whose figures a table hides are left out: a sentence never says what a [c] keeps back."""
    by = {t.name: t.frame for t in tables}

    def hidden(name, label_col, label, cols) -> bool:
        f = by.get(name)
        if f is None or not len(f) or label_col not in f:
            return False
        rows = f[f[label_col].astype(str) == label]
        return any((rows[c] == SUPPRESSED).any() for c in cols if c in rows)

    reach_hidden = hidden("reach_by_theme", "theme", TOTAL, REACH_COUNTS)
    kept = []
    for st in statements:
        if st.kind in ("reach", "response", "value") and reach_hidden:
            continue
        if st.kind == "outcome" and any(hidden("outcomes", "outcome", _outcome_label(d), ("n", "positive"))
                                        for d in statements_module.SAID if statements_module.said(d) in st.text):
            continue
        if st.kind == "blindspot" and "equity_reach" in by and (by["equity_reach"]["participants"] == SUPPRESSED).any():
            dims = by["equity_reach"]
            gone = dims[dims["participants"] == SUPPRESSED]
            if any(f"({d} {g})" in st.text for d, g in zip(gone["dimension"], gone["group"])) or \
                    any(f"({d} " in st.text for d in gone[gone["group"] == TOTAL]["dimension"]):
                continue
        kept.append(st)
    return kept
