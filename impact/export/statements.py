"""Plain-language statements for funders, generated from the indicators, each with its n and interval.

"91% of 212 participants (95% CI 87–94%) said they feel more confident after Digital Skills Drop-ins
delivered with Age UK Westfield." No statement is made from an unreliable figure: below the display
minimum (min_n), or resting on a count below the suppression threshold.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from impact.charts import DOMAIN_LABELS
from impact.filters import Filters

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
    kind: str  # reach | outcome | programme | change | follow_up | value | blindspot | partnership
    text: str
    value: float | None = None  # the figure the sentence rests on (a rate 0-1, a count, a ratio)
    n: int | None = None
    low: float | None = None
    high: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


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


def _ok(n, min_n, *counts, suppress_n=5) -> bool:
    return n is not None and n >= min_n and all(c is None or c >= suppress_n for c in counts)


def statements(ind, by_programme, eq, fair, filters: Filters, frames: dict, min_n: int = 10,
               suppress_n: int = 5) -> list[Statement]:
    """Indicators (+ per programme), equity and partnerships of one scope -> statements, reliable figures only."""
    found: list[Statement] = []
    r = ind.reach
    what = subject(filters)
    if r.attendance >= min_n:
        found.append(Statement("reach", f"{r.sessions_text} of {what} (outputs).", r.attendance, r.attendance))
        if r.new_to_library and r.new_to_library.reliable and r.new_attendees >= suppress_n:
            p = r.new_to_library
            found.append(Statement("reach", f"{pct(p.rate)} of {p.n:,} attendances were by people new to the "
                                   f"library ({ci(p.low, p.high)}).", p.rate, p.n, p.low, p.high))
        if r.repeat_rate and r.repeat_rate.reliable and r.repeat_rate.k >= suppress_n:
            p = r.repeat_rate
            found.append(Statement("reach", f"{r.unique_participants:,} different people took part; {pct(p.rate)} "
                                   f"came to two or more sessions ({ci(p.low, p.high)}).", p.rate, p.n, p.low, p.high))
        if r.post_responses >= suppress_n and r.response_rate.value is not None:
            found.append(Statement("reach", f"{r.post_responses:,} post-session survey responses: a response rate "
                                   f"of {pct(r.response_rate.value)} of attendances.", r.response_rate.value,
                                   r.attendance))
    for domain, o in ind.outcomes.items():
        if _ok(o.n, min_n, o.positive, suppress_n=suppress_n) and o.positive_rate is not None:
            found.append(Statement("outcome", f"{pct(o.positive_rate)} of {o.n:,} participants "
                                   f"({ci(o.ci_low, o.ci_high)}) said they {said(domain)} after {what}.",
                                   o.positive_rate, o.n, o.ci_low, o.ci_high))
    # the best-evidenced programmes, named with their partners
    links = frames.get("programme_partners")
    partners_of = {} if links is None or not len(links) else \
        links.groupby("programme")["partner"].agg(lambda s: sorted(set(map(str, s)))).to_dict()
    candidates = []
    for g in by_programme:
        domain = next((d for d in HEADLINE_DOMAINS if d in g.outcomes), None)
        o = g.outcomes.get(domain) if domain else None
        if o and _ok(o.n, min_n, o.positive, suppress_n=suppress_n) and o.positive_rate is not None:
            candidates.append((o.n, g.group, domain, o))
    if len(by_programme) > 1:
        for _, name, domain, o in sorted(candidates, key=lambda c: (-c[0], c[1]))[:3]:
            partners = partners_of.get(name, [])
            run = f" delivered with {_and(partners)}" if partners else ""
            found.append(Statement("programme", f"{pct(o.positive_rate)} of {o.n:,} participants "
                                   f"({ci(o.ci_low, o.ci_high)}) said they {said(domain)} after {name}{run}.",
                                   o.positive_rate, o.n, o.ci_low, o.ci_high))
    for domain, c in ind.change.items():
        if not c.reliable or c.mean_diff is None:
            continue
        if c.method == "paired" and c.positive_before and c.positive_after:
            p = f"{c.p_value:.3f}" if c.p_value is not None and c.p_value >= 0.001 else "< 0.001"
            found.append(Statement("change", f"Among {c.n:,} participants who answered before and after, the share "
                                   f"who {said(domain)} went from {pct(c.positive_before.rate)} to "
                                   f"{pct(c.positive_after.rate)} (mean change {c.mean_diff:+.2f} points on a "
                                   f"5-point scale; {c.test} p {p}).", c.mean_diff, c.n))
        else:
            found.append(Statement("change", f"Comparing {c.n_before:,} answers before with {c.n_after:,} after "
                                   f"(not matched), the mean answer on '{said(domain)}' changed by "
                                   f"{c.mean_diff:+.2f} points on a 5-point scale.", c.mean_diff, c.n))
    f = ind.follow_up_application
    if f is not None and _ok(f.n, min_n, f.positive, suppress_n=suppress_n) and f.positive_rate is not None:
        found.append(Statement("follow_up", f"{pct(f.positive_rate)} of {f.n:,} participants surveyed again "
                               f"later said they have applied what they learned ({ci(f.ci_low, f.ci_high)}).",
                               f.positive_rate, f.n, f.ci_low, f.ci_high))
    v = ind.value
    if v.attendance >= min_n and v.total_input:
        text = f"Total input £{v.total_input:,.0f}: £{v.cost_per_attendance:,.2f} per attendance"
        if v.leverage is not None and v.partner_input:
            text += (f"; partners put in £{v.partner_input:,.0f} beside the library's £{v.library_input:,.0f} "
                     f"(£{v.leverage:.2f} for every £1 of library input)")
        found.append(Statement("value", text + ".", v.cost_per_attendance, v.attendance))
    if eq is not None:
        for dim, d in eq.reach.dimensions.items():
            if not d.reliable:
                continue
            label = dim.replace("_", " ")
            unit = {"attendances": "attendances", "people": "participants", "responses": "survey responses"}.get(
                d.unit, d.unit)
            for g in d.blindspots:
                if g.participants < suppress_n or g.representation_index is None:
                    continue
                found.append(Statement(
                    "blindspot", f"Blindspot ({label} {g.group}): {pct(g.share)} of {unit} against "
                    f"{pct(g.population_share)} of residents (representation index {g.representation_index:.2f}, "
                    f"95% CI {g.ri_low:.2f}–{g.ri_high:.2f}); about {g.population_unreached:,.0f} residents not "
                    f"reached in proportion.", g.representation_index, d.participants, g.ri_low, g.ri_high))
            if dim == "deprivation_quintile" and d.most_deprived is not None and d.most_deprived.reliable \
                    and d.most_deprived_population_share and d.most_deprived.k >= suppress_n:
                p = d.most_deprived
                found.append(Statement(
                    "reach", f"{pct(p.rate)} of {unit} came from the two most deprived quintiles "
                    f"({ci(p.low, p.high)}), against {pct(d.most_deprived_population_share)} of local residents.",
                    p.rate, p.n, p.low, p.high))
    if fair is not None and fair.fairness.partnerships:
        f = fair.fairness
        judged = [p for p in f.partnerships if p.shared is not None]
        shared = sum(1 for p in judged if p.shared)
        found.append(Statement("partnership", f"Partnerships: {shared} of {len(judged)} partnership programmes with "
                               "credit or promotion recorded share their stakes (no party carries most of the staff "
                               "time, sessions or money without credit)" + (
                                   f"; the imbalance between what parties give and the recognition they get is "
                                   f"{f.imbalance:.2f} (0 = in proportion; Beyond Footfall's own measure)."
                                   if f.imbalance is not None else "."), f.imbalance, len(judged)))
        for finding in [x for x in f.findings if x.programme is None][:3]:
            found.append(Statement("partnership", finding.words + ".", finding.contribution, 1))
    return found


__all__ = ["Statement", "said", "statements", "subject"]
