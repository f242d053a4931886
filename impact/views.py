"""Tables the dashboard shows: indicator and equity results in, DataFrames out (never streamlit).

Every table here is what sits behind a chart (and its CSV download). Rules they all follow:
- every figure has its n beside it;
- below the display minimum (`min_n`, default 10) a percentage is left blank and the `note`
  column says "fewer than 10 responses" (or participants, pairs) instead;
- column names live in `Col`, so pages, charts and tests never spell them twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from impact.filters import (
    NO_DAY,
    NOT_RECORDED,
    Filters,
    Prepared,
    period_index,
    period_label,
    select,
)
from impact.indicators import Indicators
from impact.indicators.outcomes import NOT_OUTCOMES
from impact.stats import PAIRED, Proportion, proportion

DOMAIN_LABELS = {
    "knowledge": "Learned something new", "confidence": "More confident", "application": "Intend to apply",
    "awareness": "More aware of library services", "library_use": "More likely to use the library",
    "satisfaction": "Satisfied",
}
ALL_OUTCOMES = "all"  # the pooled positive rate over every outcome item (satisfaction left out)
DIMENSION_LABELS = {
    "programme": "Programme", "theme": "Theme", "branch": "Branch", "partner": "Partner",
    "partnership_type": "Partnership type", "period": "Period", "age_band": "Age band", "gender": "Gender",
    "ethnicity": "Ethnicity", "disability": "Disability", "area": "Area",
    "deprivation_quintile": "Deprivation quintile (1 = most deprived)",
}


class Col:
    """Column names of every table the pages show."""

    GROUP = "group"
    PERIOD = "period"
    OUTCOME = "outcome"
    PROGRAMME = "programme"
    PARTNER = "partner"
    TYPE = "partnership type"
    THEME = "theme"
    BRANCH = "branch"
    N = "n"
    POSITIVE = "positive"
    RATE = "positive rate %"
    LOW = "95% CI low %"
    HIGH = "95% CI high %"
    NOTE = "note"
    ATTENDANCE = "attendance"
    SESSIONS = "sessions"
    MEAN_PER_SESSION = "mean per session"
    FILL_RATE = "fill rate %"
    RESPONSES = "post-session responses"
    RESPONSE_RATE = "response rate %"
    COST_PER_ATTENDANCE = "cost per attendance £"
    METHOD = "method"
    N_BEFORE = "n before"
    N_AFTER = "n after"
    MEAN_BEFORE = "mean before"
    MEAN_AFTER = "mean after"
    MEAN_CHANGE = "change in mean"
    EFFECT = "effect size"
    EFFECT_NAME = "effect size measure"
    TEST = "test"
    P = "p value"
    IMPROVED = "improved %"
    SAME = "same %"
    WORSE = "worse %"
    PROGRAMMES = "programmes"
    STAFF_HOURS = "staff hours"
    CASH = "cash £"
    IN_KIND = "in-kind £"
    INPUT = "input £"
    PROMOTED = "promoted"
    CREDITED = "credited"
    PARTNERS = "partners"
    LINKS_WITHIN = "co-partner links within type"
    LINKS_ACROSS = "co-partner links across types"
    ROLE = "role"
    PARTY = "party"
    PARTICIPANTS = "participants"
    SHARE = "participant share %"
    POPULATION = "population"
    POPULATION_SHARE = "population share %"
    RI = "representation index"
    RI_LOW = "RI 95% low"
    RI_HIGH = "RI 95% high"
    BLINDSPOT = "blindspot"
    SHORTFALL = "shortfall"  # in the data's unit: attendances (or responses, or people) that would match the share
    UNIT = "unit"
    DESIGN_EFFECT = "design effect"
    CLUSTERED_BY = "clustered by"
    RELIABLE = "reliable (for a statement)"
    DIMENSION = "dimension"
    CO_PARTNERS = "co-partners"
    CLUSTER = "cluster"
    PARTNER_A = "partner A"
    PARTNER_B = "partner B"
    SHARED = "programmes shared"
    COMMENT = "comment"
    KIND = "about"
    DATE = "date"


def domain_label(domain: str) -> str:
    if domain == ALL_OUTCOMES:
        return "Any outcome (all items pooled)"
    return DOMAIN_LABELS.get(domain, domain.removeprefix("outcome_").replace("_", " ").capitalize())


def dimension_label(dimension: str) -> str:
    return DIMENSION_LABELS.get(dimension, dimension.replace("_", " ").capitalize())


def too_few(min_n: int, what: str = "responses") -> str:
    return f"fewer than {min_n} {what}"


def _pct(x: float | None, reliable: bool = True) -> float | None:
    return round(100 * x, 1) if x is not None and reliable and not np.isnan(x) else None


# --- outcomes ------------------------------------------------------------------------------------

def pooled(ind: Indicators, min_n: int = 10) -> Proportion:
    """Positive answers / valid answers over every outcome item (satisfaction left out), Wilson 95% CI."""
    items = [o for d, o in ind.outcomes.items() if d not in NOT_OUTCOMES]
    return proportion(sum(o.positive for o in items), sum(o.n for o in items), min_n)


def domains(rows: list[Indicators]) -> list[str]:
    """Outcome items answered anywhere in `rows`, the standard ones first."""
    found = dict.fromkeys(d for r in rows for d in r.outcomes)
    standard = [d for d in DOMAIN_LABELS if d in found]
    return standard + sorted(d for d in found if d not in DOMAIN_LABELS)


def _rate_row(k: int, n: int, low, high, rate, reliable: bool, min_n: int, what: str = "responses") -> dict:
    return {Col.N: int(n), Col.POSITIVE: int(k), Col.RATE: _pct(rate, reliable), Col.LOW: _pct(low, reliable),
            Col.HIGH: _pct(high, reliable), Col.NOTE: "" if reliable else too_few(min_n, what)}


def outcome_table(ind: Indicators, min_n: int = 10, rule=None) -> pd.DataFrame:
    """Indicators -> one row per outcome item (post-session wave): n, positive, rate and its cluster-robust 95% CI,
    with the design effect, what the clusters were, and whether the figure is reliable enough for a statement
    (`rule`: an impact.stats.Reliability; default: the display minimum and ±10 points)."""
    from impact.stats import Reliability

    rule = rule or Reliability(min_n)
    rows = []
    for domain in domains([ind]):
        o = ind.outcomes[domain]
        rows.append({Col.OUTCOME: domain_label(domain),
                     **_rate_row(o.positive, o.n, o.ci_low, o.ci_high, o.positive_rate, o.reliable, min_n),
                     Col.DESIGN_EFFECT: round(o.design_effect, 1) if o.design_effect and o.reliable else None,
                     Col.CLUSTERED_BY: o.cluster_unit,
                     Col.RELIABLE: "yes" if rule.holds(o.n, o.ci_low, o.ci_high, o.positive) else "no"})
    return pd.DataFrame(rows, columns=[Col.OUTCOME, Col.N, Col.POSITIVE, Col.RATE, Col.LOW, Col.HIGH,
                                       Col.DESIGN_EFFECT, Col.CLUSTERED_BY, Col.RELIABLE, Col.NOTE])


def outcomes_by_group(rows: list[Indicators], domain: str, min_n: int = 10) -> pd.DataFrame:
    """compute_by rows -> positive rate of `domain` (or ALL_OUTCOMES, pooled) per group, with n and 95% CI.
    Groups with no answers to the item are left out."""
    out = []
    for r in rows:
        if domain == ALL_OUTCOMES:
            p = pooled(r, min_n)
            if not p.n:
                continue
            cells = _rate_row(p.k, p.n, p.low, p.high, p.rate, p.reliable, min_n, "answers")
        else:
            o = r.outcomes.get(domain)
            if o is None:
                continue
            cells = _rate_row(o.positive, o.n, o.ci_low, o.ci_high, o.positive_rate, o.reliable, min_n)
        rate = r.reach.response_rate
        out.append({Col.GROUP: r.group, **cells,
                    Col.RESPONSE_RATE: _pct(rate.value, rate.reliable) if rate.value is not None else None})
    return pd.DataFrame(out, columns=[Col.GROUP, Col.N, Col.POSITIVE, Col.RATE, Col.LOW, Col.HIGH, Col.NOTE,
                                      Col.RESPONSE_RATE])


def change_table(ind: Indicators, min_n: int = 10) -> pd.DataFrame:
    """Pre -> post change per outcome item, the method named: matched pairs (paired) or unmatched groups."""
    rows = []
    for domain, c in ind.change.items():
        paired = c.method == PAIRED
        ok = c.reliable
        rows.append({
            Col.OUTCOME: domain_label(domain),
            Col.METHOD: "matched pairs (same respondents)" if paired else "unmatched groups (different respondents)",
            Col.N: c.n, Col.N_BEFORE: c.n_before, Col.N_AFTER: c.n_after,
            Col.MEAN_BEFORE: round(c.mean_before, 2) if c.mean_before is not None else None,
            Col.MEAN_AFTER: round(c.mean_after, 2) if c.mean_after is not None else None,
            Col.MEAN_CHANGE: round(c.mean_diff, 2) if c.mean_diff is not None and ok else None,
            "change 95% low": round(c.mean_low, 2) if c.mean_low is not None and ok else None,
            "change 95% high": round(c.mean_high, 2) if c.mean_high is not None and ok else None,
            Col.DESIGN_EFFECT: round(c.design_effect, 1) if c.design_effect and ok else None,
            Col.EFFECT: round(c.effect_size, 2) if c.effect_size is not None and ok else None,
            Col.EFFECT_NAME: c.effect_size_name, Col.TEST: c.test,
            Col.P: float(f"{c.p_value:.3g}") if c.p_value is not None and ok else None,
            Col.IMPROVED: _pct(c.improved.rate, ok) if c.improved else None,
            Col.SAME: _pct(c.same.rate, ok) if c.same else None,
            Col.WORSE: _pct(c.worse.rate, ok) if c.worse else None,
            Col.NOTE: "" if ok else too_few(min_n, "pairs" if paired else "responses on one side"),
        })
    return pd.DataFrame(rows, columns=[Col.OUTCOME, Col.METHOD, Col.N, Col.N_BEFORE, Col.N_AFTER, Col.MEAN_BEFORE,
                                       Col.MEAN_AFTER, Col.MEAN_CHANGE, "change 95% low", "change 95% high",
                                       Col.DESIGN_EFFECT, Col.EFFECT, Col.EFFECT_NAME, Col.TEST, Col.P,
                                       Col.IMPROVED, Col.SAME, Col.WORSE, Col.NOTE])


def who_answered_table(answered) -> pd.DataFrame:
    """WhoAnswered -> per dimension and group: attendances and responses with their shares and the difference."""
    rows = [{Col.DIMENSION: dimension_label(d.dimension), Col.GROUP: g.group, Col.ATTENDANCE: g.attendances,
             "share of attendances %": _pct(g.attendance_share), Col.RESPONSES: g.responses,
             "share of responses %": _pct(g.response_share),
             "difference (points)": round(100 * g.difference, 1) if g.difference is not None else None,
             Col.NOTE: "differs" if d.differs and abs(g.difference or 0) > answered.threshold else ""}
            for d in answered.dimensions for g in d.groups]
    return pd.DataFrame(rows, columns=[Col.DIMENSION, Col.GROUP, Col.ATTENDANCE, "share of attendances %",
                                       Col.RESPONSES, "share of responses %", "difference (points)", Col.NOTE])


def weighted_table(answered) -> pd.DataFrame:
    """WhoAnswered -> per item: the respondents' positive rate and the rate raked to the attendance profile."""
    return pd.DataFrame([{Col.OUTCOME: domain_label(k), "positive rate (respondents) %": _pct(v[0]),
                          "weighted to attendances %": _pct(v[1])} for k, v in answered.weighted.items()],
                        columns=[Col.OUTCOME, "positive rate (respondents) %", "weighted to attendances %"])


# --- programmes and trends -----------------------------------------------------------------------

def programme_table(rows: list[Indicators], data: Prepared, min_n: int = 10) -> pd.DataFrame:
    """compute_by(…, "programme") rows -> one row per programme: reach, pooled outcomes, cost, theme, branch."""
    info = data.programmes.set_index("name")[["theme", "branch"]]
    out = []
    for r in rows:
        p = pooled(r, min_n)
        reach = r.reach
        theme, branch = (info.loc[r.group].tolist() if r.group in info.index else (None, None))
        fill = reach.fill_rate
        out.append({
            Col.PROGRAMME: r.group, Col.THEME: theme, Col.BRANCH: branch, Col.SESSIONS: reach.sessions,
            Col.ATTENDANCE: reach.attendance,
            Col.MEAN_PER_SESSION: round(reach.mean_per_session.value, 1) if reach.mean_per_session.value else None,
            Col.FILL_RATE: _pct(fill.value, fill.reliable) if fill.value is not None else None,
            Col.RESPONSES: reach.post_responses,
            Col.RESPONSE_RATE: _pct(reach.response_rate.value, reach.response_rate.reliable)
            if reach.response_rate.value is not None else None,
            **_rate_row(p.k, p.n, p.low, p.high, p.rate, p.reliable, min_n, "answers"),
            Col.COST_PER_ATTENDANCE: round(r.value.cost_per_attendance, 2)
            if r.value.cost_per_attendance is not None else None,
        })
    return pd.DataFrame(out, columns=[Col.PROGRAMME, Col.THEME, Col.BRANCH, Col.SESSIONS, Col.ATTENDANCE,
                                      Col.MEAN_PER_SESSION, Col.FILL_RATE, Col.RESPONSES, Col.RESPONSE_RATE, Col.N,
                                      Col.POSITIVE, Col.RATE, Col.LOW, Col.HIGH, Col.NOTE, Col.COST_PER_ATTENDANCE])


def best_and_weakest(programmes: pd.DataFrame, k: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The k programmes with the highest and the lowest pooled positive rate, among those with enough answers."""
    ranked = programmes.dropna(subset=[Col.RATE]).sort_values([Col.RATE, Col.N], ascending=[False, False])
    shown = [Col.PROGRAMME, Col.THEME, Col.N, Col.RATE, Col.LOW, Col.HIGH]
    best = ranked.head(k)[shown]
    weakest = ranked.iloc[::-1].head(k)[shown] if len(ranked) > k else ranked.iloc[0:0][shown]
    return best.reset_index(drop=True), weakest.reset_index(drop=True)


def trend_table(rows: list[Indicators], min_n: int = 10) -> pd.DataFrame:
    """compute_by(…, "period") rows -> attendance, sessions and the pooled positive rate per period."""
    out = []
    for r in rows:
        p = pooled(r, min_n)
        out.append({Col.PERIOD: r.group, Col.ATTENDANCE: r.reach.attendance, Col.SESSIONS: r.reach.sessions,
                    **_rate_row(p.k, p.n, p.low, p.high, p.rate, p.reliable, min_n, "answers")
                    } | ({Col.NOTE: ""} if not p.n else {}))
    return pd.DataFrame(out, columns=[Col.PERIOD, Col.ATTENDANCE, Col.SESSIONS, Col.N, Col.POSITIVE, Col.RATE,
                                      Col.LOW, Col.HIGH, Col.NOTE])


def comments(frames: dict[str, pd.DataFrame], limit: int = 30) -> pd.DataFrame:
    """The latest free-text comments in already-filtered survey responses (scrubbed of emails and phones on import)."""
    responses = frames.get("survey_responses")
    kinds = {"comment_benefit": "what helped", "comment_improve": "what to improve", "comment_action": "what I'll do"}
    if responses is None or not len(responses):
        return pd.DataFrame(columns=[Col.DATE, Col.PROGRAMME, Col.KIND, Col.COMMENT])
    parts = []
    for column, kind in kinds.items():
        if column not in responses:
            continue
        text = responses[column].astype("str").str.strip()
        has = responses[column].notna() & (text != "") & (text.str.lower() != "nan")
        found = responses.loc[has, ["response_date", "programme"]].copy()
        found[Col.KIND] = kind
        found[Col.COMMENT] = text[has]
        parts.append(found)
    if not parts:
        return pd.DataFrame(columns=[Col.DATE, Col.PROGRAMME, Col.KIND, Col.COMMENT])
    found = pd.concat(parts).rename(columns={"response_date": Col.DATE, "programme": Col.PROGRAMME})
    found[Col.DATE] = pd.to_datetime(found[Col.DATE], errors="coerce").dt.date
    return found.sort_values(Col.DATE, ascending=False, na_position="last").head(limit).reset_index(drop=True)


# --- periods -----------------------------------------------------------------------------------

def date_range(data: Prepared) -> tuple[dt.date, dt.date] | None:
    """First and last dated attendance or survey row, or None when nothing is dated."""
    days = np.concatenate([data.attendance.day, data.surveys.day])
    days = days[days != NO_DAY]
    if not len(days):
        return None
    first, last = (np.datetime64(int(d), "D").astype(dt.date) for d in (days.min(), days.max()))
    return first, last


def financial_years(data: Prepared, fy_start_month: int = 4) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of every financial year holding data, latest first."""
    span = date_range(data)
    if span is None:
        return []
    first, last = (int(period_index(np.array([np.datetime64(d, "D").astype("int64")]), "financial_year",
                                    fy_start_month)[0]) for d in span)
    years = []
    for index in range(last, first - 1, -1):
        start = dt.date(1970 + index, fy_start_month, 1)
        end = dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)
        years.append((period_label(index, "financial_year", fy_start_month), start, end))
    return years


@dataclass(frozen=True)
class Comparison:
    """The period the overview's cards show and the one before it, of the same length."""

    current: Filters
    previous: Filters
    label: str  # e.g. "1 Apr 2025 – 31 Mar 2026 against the 365 days before"
    chosen: bool  # the user picked the period (else: the latest 12 months of data)
    current_name: str = ""  # short names a card can say aloud: "2025/26", "2024/25"
    previous_name: str = ""


def undated(data: Prepared, filters: Filters) -> int:
    """Attendance and survey rows the filters select that carry no date (a period filter would drop them)."""
    selection = select(data, filters)
    return int((selection.attendance & (data.attendance.day == NO_DAY)).sum()
               + (selection.surveys & (data.surveys.day == NO_DAY)).sum())


def comparison(filters: Filters, data: Prepared) -> Comparison | None:
    """The filter's period (or, when none is chosen, the latest 12 months of data) and the equal period before.
    None when nothing is dated, or when no period is chosen and some rows in scope have no date (a window
    would silently leave them out)."""
    span = date_range(data)
    if span is None:
        return None
    first, last = span
    chosen = filters.narrows_period
    if not chosen and undated(data, filters):
        return None
    if chosen:
        start, end = filters.date_from or first, filters.date_to or last
    else:
        end = last
        start = dt.date(end.year - 1, end.month, end.day) + dt.timedelta(days=1) if not (
            end.month == 2 and end.day == 29) else dt.date(end.year - 1, 3, 1)
    from impact.scope import period_name, period_words

    days = (end - start).days + 1
    current = replace(filters, date_from=start, date_to=end)
    unit = _calendar_unit(period_words(current))
    if unit:  # a financial or calendar year, a quarter or a month is compared with the one before it
        prev_start, prev_end = _shift_months(start, -unit), _shift_months(end + dt.timedelta(days=1), -unit) \
            - dt.timedelta(days=1)
    else:
        prev_end = start - dt.timedelta(days=1)
        prev_start = prev_end - dt.timedelta(days=days - 1)
    previous = replace(filters, date_from=prev_start, date_to=prev_end)
    before = (f"{period_name(previous)} ({prev_start:%-d %b %Y} – {prev_end:%-d %b %Y})" if unit else
              f"the {days:,} days before ({prev_start:%-d %b %Y} – {prev_end:%-d %b %Y})")
    label = (f"{start:%-d %b %Y} – {end:%-d %b %Y}" + ("" if chosen else " (the latest 12 months of data)")
             + f", against {before}")
    return Comparison(current, previous, label, chosen, period_name(current), period_name(previous))


def _calendar_unit(words: str) -> int:
    """Months in the named period ('financial year …' 12, 'Q2 2025' 3, 'May 2025' 1), or 0 for other spans."""
    if words.startswith(("financial year", "calendar year")):
        return 12
    if words.startswith("Q") and words[1:2].isdigit():
        return 3
    if " to " not in words and not words.startswith(("from", "up to", "all")):
        return 1
    return 0


def _shift_months(day: dt.date, months: int) -> dt.date:
    """The first of a month moved by `months` (day is always the 1st here)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Card:
    """One headline figure: its value as text, its n, and the change against the previous period."""

    label: str
    value: str
    n: str
    delta: str | None = None
    inverse: bool = False  # a rise is bad news (blindspots, imbalance)
    help: str = ""
    before: str | None = None  # the previous period's figure with its name: "2024/25: 3,936"
    items: tuple[str, ...] = ()  # what a counting card counts, by name (blindspot groups, partnerships)

    @property
    def unchanged(self) -> bool:
        return self.delta is not None and self.delta.lstrip("+-").split(" ")[0] in ("0", "0.0", "0.00")


def _delta(now: float | None, before: float | None, fmt: str) -> str | None:
    if now is None or before is None:
        return None
    return fmt.format(now - before)


def _before(name: str, value: str | None) -> str | None:
    return f"{name}: {value}" if name and value is not None else None


def headline_cards(now: Indicators, before: Indicators | None, blindspots: tuple | None,
                   blindspots_before: tuple | None, balance: tuple | None,
                   balance_before: tuple | None, min_n: int = 10, before_name: str = "") -> list[Card]:
    """The overview's cards: attendance beside the positive outcome rate, unique reach, new to library,
    blindspots (count, dimensions compared[, names of the groups]) and partnerships not shared (`balance` =
    (names of the partnership programmes not shared, partnership programmes, network imbalance)).
    `before_name` ("2024/25") names the previous period: each card then reads "2024/25: 3,936" as well."""
    cards = _cards(now, before, blindspots, blindspots_before, balance, balance_before, min_n)
    if before is None or not before_name:
        return cards
    rb = before.reach
    p = pooled(before, min_n)
    new = rb.new_to_library
    old = {"Attendance": f"{rb.attendance:,}",
           "Positive outcomes": f"{100 * p.rate:.0f}% (n = {p.n:,})" if p.reliable else
           (too_few(min_n) if p.n else "no answers"),
           "Unique people reached": f"{rb.unique_participants:,}" if rb.unique_participants is not None else None,
           "New to the library": f"{100 * new.rate:.0f}% (n = {new.n:,})" if new and new.reliable else None,
           "Blindspots": f"{blindspots_before[0]:,}" if blindspots_before else None,
           "Partnerships not shared": f"{len(balance_before[0]):,} of {balance_before[1]:,}"
           if balance_before and balance_before[1] else None}
    return [replace(c, before=_before(before_name, old.get(c.label))) for c in cards]


def _cards(now, before, blindspots, blindspots_before, balance, balance_before, min_n) -> list[Card]:
    r, rb = now.reach, before.reach if before else None
    sessions = f"{r.sessions:,} sessions" + (f" + {r.attendance_in_returns:,} in returns" if r.attendance_in_returns
                                              else "")
    cards = [Card("Attendance", f"{r.attendance:,}", sessions,
                  _delta(r.attendance, rb.attendance if rb else None, "{:+,.0f}"),
                  help="people at sessions (outputs); change against the previous period")]
    p, pb = pooled(now, min_n), pooled(before, min_n) if before else None
    cards.append(Card(
        "Positive outcomes", f"{100 * p.rate:.0f}%" if p.reliable else (too_few(min_n) if p.n else "no answers"),
        f"n = {p.n:,} answers", _delta(100 * p.rate if p.reliable else None,
                                       100 * pb.rate if pb and pb.reliable else None, "{:+.1f} pts"),
        help="share of post-session answers that agree or strongly agree, all outcome items pooled"))
    people = r.unique_participants
    cards.append(Card("Unique people reached", f"{people:,}" if people is not None else "not recorded",
                      "people with a participant id" if people is not None else "no participant ids in scope",
                      _delta(people, rb.unique_participants if rb else None, "{:+,.0f}"),
                      help="distinct participant ids (only where attendance records them)"))
    new, newb = r.new_to_library, rb.new_to_library if rb else None
    cards.append(Card(
        "New to the library", f"{100 * new.rate:.0f}%" if new and new.reliable else
        (too_few(min_n, "attendances") if new else "not recorded"),
        f"n = {new.n:,} attendances" if new else "no new-attendee counts in scope",
        _delta(100 * new.rate if new and new.reliable else None,
               100 * newb.rate if newb and newb.reliable else None, "{:+.1f} pts"),
        help="new attendees / attendance, where both are recorded"))
    if blindspots is not None:
        cards.append(Card("Blindspots", f"{blindspots[0]:,}", f"groups on {blindspots[1]} dimensions compared",
                          _delta(blindspots[0], blindspots_before[0] if blindspots_before else None, "{:+,.0f}"),
                          inverse=True, help="groups reached well below their share of the population",
                          items=tuple(blindspots[2]) if len(blindspots) > 2 else ()))
    else:
        cards.append(Card("Blindspots", "no baseline", "add a population table", help="needs a population baseline"))
    if balance is not None and balance[1]:
        names, total, imbalance = balance
        before = balance_before[0] if balance_before and balance_before[1] else None
        cards.append(Card("Partnerships not shared", f"{len(names):,} of {total:,}",
                          ("partnership programmes, listed below" if names else "every partnership shares its stakes")
                          + (f" · imbalance {imbalance:.2f}" if imbalance is not None else ""),
                          _delta(len(names), len(before) if before is not None else None, "{:+,.0f}"), inverse=True,
                          items=tuple(names),
                          help="partnership programmes where a party carries most of the staff hours, sessions or "
                               "money and gets none of the credit or promotion, or its contribution and recognition "
                               "are far apart (Partners page)" + (f": {', '.join(names[:12])}"
                                                                  + ("…" if len(names) > 12 else "") if names else "")))
    else:
        cards.append(Card("Partnerships not shared", "no partnerships", "record programme partners' stakes",
                          help="needs a programme partners sheet: who gives staff time, leads sessions, puts money "
                               "in, promotes and is credited"))
    return cards


# --- partners ------------------------------------------------------------------------------------

def network_tables(network) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(partners with degree and cluster, co-partner links) of a PartnerNetwork."""
    partners = pd.DataFrame([{Col.PARTNER: p.partner, Col.TYPE: p.type or NOT_RECORDED, Col.PROGRAMMES: p.programmes,
                              Col.CO_PARTNERS: p.co_partners,
                              Col.CLUSTER: p.cluster + 1 if p.cluster is not None else None}
                             for p in network.partners],
                            columns=[Col.PARTNER, Col.TYPE, Col.PROGRAMMES, Col.CO_PARTNERS, Col.CLUSTER])
    links = pd.DataFrame(list(network.co_partner_links), columns=[Col.PARTNER_A, Col.PARTNER_B, Col.SHARED])
    return partners, links


# --- equity of reach and outcomes ----------------------------------------------------------------

def representation_table(dim, min_n: int = 10) -> pd.DataFrame:
    """DimensionReach -> participant share against population share and the representation index per group.
    When the dimension's participants are fewer than the display minimum, no share or index is shown."""
    ok = dim.reliable
    rows = [{Col.GROUP: g.group, Col.PARTICIPANTS: g.participants, Col.UNIT: dim.unit, Col.SHARE: _pct(g.share, ok),
             Col.POPULATION: round(g.population), Col.POPULATION_SHARE: _pct(g.population_share),
             Col.RI: round(g.representation_index, 2) if ok and g.representation_index is not None else None,
             Col.RI_LOW: round(g.ri_low, 2) if ok and g.ri_low is not None else None,
             Col.RI_HIGH: round(g.ri_high, 2) if ok and g.ri_high is not None else None,
             Col.DESIGN_EFFECT: round(g.design_effect, 1) if ok and g.design_effect else None,
             Col.BLINDSPOT: bool(g.blindspot and ok),
             Col.SHORTFALL: round(g.shortfall) if ok and g.blindspot and g.shortfall is not None else None,
             Col.NOTE: "" if ok else too_few(min_n, dim.unit)}
            for g in dim.groups]
    return pd.DataFrame(rows, columns=[Col.GROUP, Col.PARTICIPANTS, Col.UNIT, Col.SHARE, Col.POPULATION,
                                       Col.POPULATION_SHARE, Col.RI, Col.RI_LOW, Col.RI_HIGH, Col.DESIGN_EFFECT,
                                       Col.BLINDSPOT, Col.SHORTFALL, Col.NOTE])


def blindspot_table(reach) -> pd.DataFrame:
    """Every blindspot of a ReachEquity with its shortfall in the data's unit (attendances, responses or people
    that would match the group's share), largest first."""
    rows = [{Col.DIMENSION: dimension_label(d), Col.GROUP: g.group, Col.RI: round(g.representation_index, 2),
             Col.RI_HIGH: round(g.ri_high, 2) if g.ri_high is not None else None,
             Col.PARTICIPANTS: g.participants, Col.UNIT: reach.dimensions[d].unit,
             Col.SHORTFALL: round(g.shortfall or 0)}
            for d, g in reach.blindspots if reach.dimensions[d].reliable]
    table = pd.DataFrame(rows, columns=[Col.DIMENSION, Col.GROUP, Col.RI, Col.RI_HIGH, Col.PARTICIPANTS, Col.UNIT,
                                        Col.SHORTFALL])
    return table.sort_values(Col.SHORTFALL, ascending=False).reset_index(drop=True)


def gap_table(gap, min_n: int = 10) -> pd.DataFrame:
    """OutcomeGap -> positive rate per group with n and 95% CI (no percentage below the minimum)."""
    rows = [{Col.GROUP: g.group, **_rate_row(g.positive, g.n, g.low, g.high, g.rate, g.reliable, min_n)}
            for g in gap.groups]
    return pd.DataFrame(rows, columns=[Col.GROUP, Col.N, Col.POSITIVE, Col.RATE, Col.LOW, Col.HIGH, Col.NOTE])


PAGE_COUNTS = {  # count column -> columns computed from it, in the pages' tables
    Col.N: (Col.RATE, Col.LOW, Col.HIGH, Col.DESIGN_EFFECT, Col.MEAN_BEFORE, Col.MEAN_AFTER, Col.MEAN_CHANGE,
            "change 95% low", "change 95% high",
            Col.EFFECT, Col.P, Col.IMPROVED, Col.SAME, Col.WORSE),
    Col.POSITIVE: (Col.RATE, Col.LOW, Col.HIGH),
    Col.PARTICIPANTS: (Col.SHARE, Col.RI, Col.RI_LOW, Col.RI_HIGH, Col.DESIGN_EFFECT, Col.SHORTFALL),
    Col.ATTENDANCE: (Col.MEAN_PER_SESSION, Col.FILL_RATE, Col.RESPONSE_RATE, Col.COST_PER_ATTENDANCE,
                     "share of attendances %", "difference (points)"),
    Col.RESPONSES: (Col.RESPONSE_RATE, "share of responses %", "difference (points)"),
    Col.N_BEFORE: (), Col.N_AFTER: (),
}


def page_rule(table: pd.DataFrame):
    """The disclosure rule of a page's table, from its column names: counts of people and what is computed from
    them; every count column taken to add up to a total shown on the page."""
    from impact.export.disclosure import Suppression

    counts = tuple(c for c in PAGE_COUNTS if c in table.columns)
    if not counts:
        return None
    return Suppression(counts, {c: tuple(d for d in PAGE_COUNTS[c] if d in table.columns) for c in counts})


def csv_bytes(table: pd.DataFrame, threshold: int = 5) -> bytes:
    """A table as CSV for a page's download: the same disclosure control (counts below `threshold` and their
    complements as [c]) and formula neutralisation as every export."""
    from impact.export.disclosure import safe_csv

    return safe_csv(table, page_rule(table), threshold)
