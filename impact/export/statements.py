"""Plain-language statements for funders, generated from the indicators, each with its n and interval.

"91% of 212 post-session responses (95% CI 86–95%, allowing for clustering) said they feel more confident after
Digital Skills Drop-ins delivered with Age UK Westfield." No statement is made from an unreliable figure
(`impact.stats.Reliability`: the display minimum, no count below the suppression threshold, and an interval
no wider than the setting `max_half_width`). Units are the data's own: "attendances", "responses", and
"people" only where participant ids count people. A complete count (attendances new to the library) is
stated without an interval: there is nothing to infer.

Each claim of change names its own test: a change in a share, McNemar's exact test on the matched pairs
(with the difference in shares and its Agresti-Min interval); a change in a mean, the Wilcoxon signed-rank
test (with Cohen's d_z and its interval); unmatched answers, the Mann-Whitney U test (Hedges' g). Every
p-value of one statement set is Holm-adjusted across the set (Holm 1979) and both are printed. Items worded
as change ("I learned something new") are never compared before against after. A test that could not be
run prints nothing.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from impact.charts import DOMAIN_LABELS
from impact.filters import Filters
from impact.stats import (
    Reliability,
    dz_interval,
    format_p,
    holm,
    paired_share_difference,
)

SAID = {
    "knowledge": "learned something new that is helpful",
    "confidence": "feel more confident about what they learned",
    "application": "intend to apply what they learned",
    "awareness": "are more aware of the library's resources and services",
    "library_use": "are more likely to use other library resources and services",
    "satisfaction": "were satisfied",
}
HEADLINE_DOMAINS = ("confidence", "knowledge", "application")  # first one answered heads the programme statements


@dataclass(frozen=True)
class Statement:
    kind: str  # reach | outcome | programme | change | follow_up | value | blindspot | partnership | response
    text: str
    value: float | None = None  # the figure the sentence rests on (a rate 0-1, a count, a ratio)
    n: int | None = None
    low: float | None = None
    high: float | None = None
    test: str = ""  # the test named in the sentence
    p_value: float | None = None  # as the test gives it
    p_holm: float | None = None  # Holm-adjusted across every test of this statement set
    # what the figure is of, to find the same figure for the period before: an outcome item (change), a
    # "dimension/group" (blindspot), "all" (the partnerships summary); not part of the statement's text or export
    key: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("key")
        return out


def pct(x: float) -> str:
    if 0 < x < 0.005:
        return "under 1%"
    return f"{100 * x:.0f}%"


def ci(low: float, high: float) -> str:
    digits = 0 if round(100 * low) != round(100 * high) else 1  # a narrow interval keeps one decimal
    return f"95% CI {100 * low:.{digits}f}–{100 * high:.{digits}f}%"


def said(domain: str) -> str:
    if domain in SAID:
        return SAID[domain]
    label = DOMAIN_LABELS.get(domain, domain.removeprefix("outcome_").replace("_", " "))
    return f"agree with \u2018{label}\u2019"


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def subject(filters: Filters) -> str:
    """What the scope is, as the object of 'after …': 'the library's programmes', 'Code Club', …"""
    if len(filters.programmes) == 1:
        text = filters.programmes[0]
    elif filters.themes:
        text = f"the library's {_and([t.lower() for t in filters.themes])} programmes"
    else:
        text = "the library's programmes"
    if filters.partners:
        text += f" run with {_and(filters.partners)}"
    if filters.branches:
        text += f" at {_and(filters.branches)}"
    return text


def _cluster_note(o) -> str:
    unit = getattr(o, "cluster_unit", "")
    return ", allowing for clustering within " + unit if unit in ("programmes", "sessions") else ""


def _g_interval(g: float | None, n1: int, n2: int) -> tuple[float | None, float | None]:
    """Approximate 95% interval of Hedges' g: g ± 1.96·sqrt((n1 + n2)/(n1·n2) + g²/(2(n1 + n2))) (Hedges &
    Olkin 1985, the large-sample variance)."""
    if g is None or n1 < 2 or n2 < 2:
        return None, None
    se = math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)))
    return g - 1.96 * se, g + 1.96 * se


def _tests(found: list[Statement]) -> list[Statement]:
    """Holm-adjust every p-value of the set and put both into each sentence that has a test."""
    from dataclasses import replace

    adjusted = holm([s.p_value for s in found])
    out = []
    for s, adj in zip(found, adjusted):
        if s.p_value is not None:
            s = replace(s, p_holm=adj, text=s.text.replace(
                "{P}", f"{s.test} {format_p(s.p_value)}; Holm-adjusted {format_p(adj)} across the "
                f"{sum(a is not None for a in adjusted)} tests stated here"))
        else:
            s = replace(s, text=s.text.replace(" ({P})", "").replace("; {P}", "").replace("{P}", ""))
        out.append(s)
    return out


def _change(domain: str, c, rel: Reliability) -> list[Statement]:
    """The claims one item's change supports, each with its own test (p filled in by `_tests`)."""
    found = []
    if c.n < rel.min_n or c.mean_diff is None:
        return found
    if c.method == "paired":
        if c.positive_before and c.positive_after and c.became_positive is not None:
            d, low, high = paired_share_difference(c.became_positive, c.stopped_positive, c.n)
            if d is not None and low is not None and (high - low) / 2 <= rel.max_half_width + 1e-12 \
                    and min(c.positive_before.k, c.positive_after.k) >= rel.suppress_n:
                found.append(Statement(
                    "change", f"Among {c.n:,} respondents who answered before and after, the share who "
                    f"{said(domain)} went from {pct(c.positive_before.rate)} to {pct(c.positive_after.rate)} "
                    f"({100 * d:+.0f} points, 95% CI {100 * low:+.0f} to {100 * high:+.0f}; {{P}}).",
                    d, c.n, low, high, "McNemar exact", c.mcnemar_p, key=domain))
        lo, hi = dz_interval(c.effect_size, c.n)
        es = (f", Cohen's d_z {c.effect_size:.2f} (95% CI {lo:.2f} to {hi:.2f})" if c.effect_size is not None
              and lo is not None else "")
        mean_ci = ""
        if c.mean_low is not None and c.mean_high is not None:
            how = (f", allowing for clustering within {c.cluster_unit}" if c.cluster_unit in ("programmes", "sessions")
                   else "")
            mean_ci = f" (95% CI {c.mean_low:+.2f} to {c.mean_high:+.2f}{how})"
        found.append(Statement(
            "change", f"Among {c.n:,} respondents who answered before and after, the mean answer on "
            f"\u2018{said(domain)}\u2019 changed by {c.mean_diff:+.2f} points on a 5-point scale{mean_ci}{es} "
            f"({{P}}).", c.mean_diff, c.n, lo, hi, "Wilcoxon signed-rank", c.p_value, key=domain))
    else:
        lo, hi = _g_interval(c.effect_size, c.n_before, c.n_after)
        es = (f", Hedges' g {c.effect_size:.2f} (95% CI {lo:.2f} to {hi:.2f})" if c.effect_size is not None
              and lo is not None else "")
        found.append(Statement(
            "change", f"Comparing {c.n_before:,} responses before with {c.n_after:,} after (not matched), the mean "
            f"answer on \u2018{said(domain)}\u2019 changed by {c.mean_diff:+.2f} points on a 5-point scale{es} "
            f"({{P}}).", c.mean_diff, c.n, lo, hi, "Mann-Whitney U", c.p_value, key=domain))
    return found


def statements(ind, by_programme, eq, fair, filters: Filters, frames: dict, min_n: int = 10,
               suppress_n: int = 5, reliability: Reliability | None = None) -> list[Statement]:
    """Indicators (+ per programme), equity and partnerships of one scope -> statements, reliable figures only."""
    rel = reliability or Reliability(min_n, 0.10, suppress_n)
    found: list[Statement] = []
    r = ind.reach
    what = subject(filters)
    if r.attendance >= rel.min_n:
        found.append(Statement("reach", f"{r.sessions_text} of {what} (outputs).", r.attendance, r.attendance))
        if r.new_to_library and r.new_to_library.n >= rel.min_n and r.new_attendees >= rel.suppress_n:
            p = r.new_to_library
            found.append(Statement("reach", f"{pct(p.rate)} of {p.n:,} attendances were by people new to the "
                                   f"library (a complete count of the attendances that record it).", p.rate, p.n))
        if r.repeat_rate and r.repeat_rate.n >= rel.min_n and r.repeat_rate.k >= rel.suppress_n:
            p = r.repeat_rate
            found.append(Statement("reach", f"{r.unique_participants:,} different people (counted by participant id) "
                                   f"took part; {pct(p.rate)} of them came to two or more sessions.", p.rate, p.n))
        if r.post_responses >= rel.suppress_n and r.response_rate.value is not None:
            found.append(Statement("response", f"{r.post_responses:,} post-session survey responses: "
                                   f"{pct(r.response_rate.value)} of attendances answered, so outcome figures describe "
                                   f"those who chose to answer.", r.response_rate.value, r.attendance))
    for domain, o in ind.outcomes.items():
        if rel.holds(o.n, o.ci_low, o.ci_high, o.positive) and o.positive_rate is not None:
            found.append(Statement("outcome", f"{pct(o.positive_rate)} of {o.n:,} post-session responses "
                                   f"({ci(o.ci_low, o.ci_high)}{_cluster_note(o)}) said they {said(domain)} after "
                                   f"{what}.", o.positive_rate, o.n, o.ci_low, o.ci_high))
    # the best-evidenced programmes, named with their partners
    links = frames.get("programme_partners")
    partners_of = {} if links is None or not len(links) else \
        links.groupby("programme")["partner"].agg(lambda s: sorted(set(map(str, s)))).to_dict()
    candidates = []
    for g in by_programme:
        domain = next((d for d in HEADLINE_DOMAINS if d in g.outcomes), None)
        o = g.outcomes.get(domain) if domain else None
        if o and rel.holds(o.n, o.ci_low, o.ci_high, o.positive) and o.positive_rate is not None:
            candidates.append((o.n, g.group, domain, o))
    if len(by_programme) > 1:
        for _, name, domain, o in sorted(candidates, key=lambda c: (-c[0], c[1]))[:3]:
            partners = partners_of.get(name, [])
            run = f" delivered with {_and(partners)}" if partners else ""
            found.append(Statement("programme", f"{pct(o.positive_rate)} of {o.n:,} post-session responses "
                                   f"({ci(o.ci_low, o.ci_high)}{_cluster_note(o)}) said they {said(domain)} after "
                                   f"{name}{run}.", o.positive_rate, o.n, o.ci_low, o.ci_high))
    for domain, c in ind.change.items():
        found += _change(domain, c, rel)
    f = ind.follow_up_application
    if f is not None and rel.holds(f.n, f.ci_low, f.ci_high, f.positive) and f.positive_rate is not None:
        found.append(Statement("follow_up", f"{pct(f.positive_rate)} of {f.n:,} follow-up responses said they have "
                               f"applied what they learned ({ci(f.ci_low, f.ci_high)}{_cluster_note(f)}).",
                               f.positive_rate, f.n, f.ci_low, f.ci_high))
    v = ind.value
    if v.attendance >= rel.min_n and v.total_input:
        text = f"Total input £{v.total_input:,.0f}: £{v.cost_per_attendance:,.2f} per attendance"
        if v.leverage is not None and v.partner_input:
            text += (f"; partners put in £{v.partner_input:,.0f} beside the library's £{v.library_input:,.0f} "
                     f"(£{v.leverage:.2f} for every £1 of library input)")
        found.append(Statement("value", text + ".", v.cost_per_attendance, v.attendance))
    if eq is not None:
        found += equity_statements(eq, rel)
    if fair is not None and fair.fairness.partnerships:
        f = fair.fairness
        judged = [p for p in f.partnerships if p.shared is not None]
        shared = sum(1 for p in judged if p.shared)
        found.append(Statement("partnership", f"Partnerships: {shared} of {len(judged)} partnership programmes with "
                               "credit or promotion recorded share their stakes (no party carries most of the staff "
                               "time, sessions or money without credit)" + (
                                   f"; the imbalance between what parties give and the recognition they get is "
                                   f"{f.imbalance:.2f} (0 = in proportion; Beyond Footfall's own measure)."
                                   if f.imbalance is not None else "."), f.imbalance, len(judged), key="all"))
        for finding in [x for x in f.findings if x.programme is None][:3]:
            found.append(Statement("partnership", finding.words + ".", finding.contribution, 1))
    return _tests(found)


UNIT_WORDS = {"attendances": "attendances", "people": "people", "responses": "survey responses"}


def equity_statements(eq, rel: Reliability) -> list[Statement]:
    """Blindspots and the most deprived share, from reliable dimensions only; shortfalls in the data's unit."""
    found = []
    for dim, d in eq.reach.dimensions.items():
        if not d.reliable or d.participants < rel.min_n:
            continue
        label = dim.replace("_", " ")
        unit = UNIT_WORDS.get(d.unit, d.unit)
        baseline = getattr(d, "baseline_label", "") or "residents"
        for g in d.blindspots:
            if g.participants < rel.suppress_n or g.representation_index is None or g.ri_high is None:
                continue
            more = (f"; about {g.shortfall:,.0f} more {unit} by this group would match its share"
                    if g.shortfall and g.shortfall > 0 else "")
            found.append(Statement(
                "blindspot", f"Blindspot ({label} {g.group}): {pct(g.share)} of {unit} against "
                f"{pct(g.population_share)} of {baseline} (representation index {g.representation_index:.2f}, "
                f"95% CI {g.ri_low:.2f}\u2013{g.ri_high:.2f}{_ri_note(d)}){more}.",
                g.representation_index, d.participants, g.ri_low, g.ri_high, key=f"{dim}/{g.group}"))
        if dim == "deprivation_quintile" and d.most_deprived is not None and d.most_deprived.n >= rel.min_n \
                and d.most_deprived_population_share and d.most_deprived.k >= rel.suppress_n:
            p = d.most_deprived
            found.append(Statement(
                "reach", f"{pct(p.rate)} of {p.n:,} {unit} with a recorded quintile came from the two most deprived "
                f"quintiles, against {pct(d.most_deprived_population_share)} of {baseline}.", p.rate, p.n))
    return found


def _ri_note(d) -> str:
    deff = getattr(d, "design_effect", None)
    return f", design effect {deff:.1f}" if deff else ""


__all__ = ["Statement", "said", "statements", "subject"]
