"""Value: what the work cost everyone who put into it, per attendance and per positive outcome.

total input        library cost + library staff hours × hourly rate
                   + partners' cash + in-kind + partner staff hours × hourly rate (rate: a setting)
cost per attendance          total input / attendance
cost per positive outcome    total input / (attendance × positive rate): an ESTIMATE, since the
                             positive rate comes from those who answered the survey (pooled over the
                             outcome items, satisfaction left out, post-session wave)
partner leverage   partners' inputs / library inputs (2.0: partners put in twice what the library did)
cost-effectiveness of a partner's programmes  estimated positive outcomes per £1,000 of everyone's input in
                   the programmes it contributes to, against the average (`partner_cost_effectiveness`).
                   This is what the old partnership "balance" measured: cost-effectiveness, never fairness.

Inputs are recorded per programme for its whole run. They are spread evenly over the programme's
sessions with recorded attendance (a session left blank is assumed to be like the others), and the
rows of one session share its part by attendance; a period, a branch or a demographic group then
takes the part of the sessions it holds, so a quarter of poorly attended sessions shows a higher cost
per attendance. A programme with no recorded sessions keeps its whole input in the total and under
programme, theme, branch and partner groups, unless the filters narrow the period or the people
(nothing then places it in time or among people, and it is left out, as an undated row would be).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impact.filters import (
    Filters,
    Grouping,
    GroupSums,
    Prepared,
    Selection,
    _in,
    _matching,
    distinct_pairs,
    grouping,
    prepare,
    select,
)
from impact.indicators import outcomes as outcomes_module

ESTIMATE_NOTE = ("an estimate: total input / (attendance × share of survey answers that were positive); "
                 "survey respondents may differ from everyone who attended")


@dataclass(frozen=True)
class Value:
    library_input: float
    partner_input: float
    total_input: float
    attendance: int
    cost_per_attendance: float | None
    positive_rate: float | None  # pooled positive rate the estimate rests on
    estimated_positive_outcomes: float | None
    cost_per_positive_outcome: float | None  # an estimate: see ESTIMATE_NOTE
    leverage: float | None
    hourly_rate: float
    programmes: int  # programmes contributing inputs
    programmes_without_costs: int  # of those, how many record neither library cost nor staff hours
    n: int  # attendance
    reliable: bool
    estimate_note: str = ESTIMATE_NOTE

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class ValueTally:
    library_input: np.ndarray
    partner_input: np.ndarray
    attendance: np.ndarray
    programmes: np.ndarray
    programmes_without_costs: np.ndarray
    hourly_rate: float

    def value(self, i: int, positive: tuple[int, int], min_n: int = 10) -> Value:
        library, partner = float(self.library_input[i]), float(self.partner_input[i])
        total = library + partner
        att = round(self.attendance[i])
        k, n = positive
        rate = k / n if n else None
        estimated = att * rate if rate is not None else None
        return Value(library_input=library, partner_input=partner, total_input=total, attendance=att,
                     cost_per_attendance=total / att if att else None, positive_rate=rate,
                     estimated_positive_outcomes=estimated,
                     cost_per_positive_outcome=total / estimated if estimated else None,
                     leverage=partner / library if library else None, hourly_rate=self.hourly_rate,
                     programmes=int(self.programmes[i]), programmes_without_costs=int(self.programmes_without_costs[i]),
                     n=att, reliable=att >= min_n)


def programme_inputs(data: Prepared, hourly_rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per programme: (library input, partners' input, whether library cost or hours are recorded)."""
    p = data.programmes
    n = len(p)
    cost = p["library_cost"].to_numpy("float64", na_value=np.nan) if n else np.zeros(0)
    hours = p["library_staff_hours"].to_numpy("float64", na_value=np.nan) if n else np.zeros(0)
    library = np.nan_to_num(cost) + np.nan_to_num(hours) * hourly_rate
    links = data.links
    partner = np.bincount(links["programme"].to_numpy("int64"),
                          weights=(links["cash"] + links["in_kind"] + links["staff_hours"] * hourly_rate).to_numpy(),
                          minlength=n)[:n]
    return library, partner, ~(np.isnan(cost) & np.isnan(hours))


def tally(data: Prepared, selection: Selection, grp: Grouping, filters: Filters, hourly_rate: float) -> ValueTally:
    att, size, n_prog = data.attendance, grp.size, len(data.programmes)
    library, partner, costed = programme_inputs(data, hourly_rate)
    share = att.weights["input_share"]
    sums = GroupSums(selection.attendance, grp.attendance, size)
    lib, par = sums(share * library[att.programme]), sums(share * partner[att.programme])
    attendance = sums(att.weights["attendees"])
    # programmes contributing to each group: distinct (group, programme) over rows with recorded attendance
    if sums.one:
        seen = np.bincount(att.programme, weights=sums.maskf * att.weights["recorded"], minlength=n_prog) > 0
        g, p = np.zeros(int(seen.sum()), "int64"), np.flatnonzero(seen)
    else:
        recorded = att.weights["recorded"][sums.rows] > 0
        g, p = distinct_pairs(sums.codes[recorded], att.programme[sums.rows][recorded], n_prog, size)
    unshared = selection.programmes & (data.programme_sessions == 0)
    if filters.narrows_period or filters.narrows_people or grp.programme_groups is None:
        unshared &= False
    if filters.branches and unshared.any():
        unshared &= _in(data.programme_branch, _matching(data.branches, filters.branches), len(data.branches))
    extra = np.flatnonzero(unshared)
    if len(extra):
        groups = grp.programme_groups[extra]
        ok = groups >= 0
        extra, groups = extra[ok], groups[ok]
        lib = lib + np.bincount(groups, weights=library[extra], minlength=size)[:size]
        par = par + np.bincount(groups, weights=partner[extra], minlength=size)[:size]
        g, p = np.concatenate([g, groups]), np.concatenate([p, extra])
    programmes = np.bincount(g, minlength=size)[:size]
    uncosted = np.bincount(g[~costed[p]], minlength=size)[:size] if len(p) else np.zeros(size)
    fold = grp.fold
    return ValueTally(library_input=fold(lib), partner_input=fold(par), attendance=fold(attendance),
                      programmes=fold(programmes), programmes_without_costs=fold(uncosted), hourly_rate=hourly_rate)


def value(data, filters: Filters | None = None, hourly_rate: float = 15.0, min_n: int = 10,
          outcome: str | None = None) -> Value:
    """Canonical frames (or `Prepared`) + Filters -> Value. `outcome` picks the item whose positive rate
    the cost per positive outcome uses (default: pooled over every outcome item)."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    grp = grouping(data, None)
    t = tally(data, selection, grp, filters, hourly_rate)
    o = outcomes_module.tally(data, selection, grp, attendance=t.attendance)
    return t.value(0, o.positive_rate(0, domain=outcome), min_n)


# --- cost-effectiveness of partners' programmes (what the old partnership "balance" measured) ----------

COST_EFFECTIVENESS_NOTE = (
    "Cost-effectiveness, not fairness: estimated positive outcomes (attendance × the programme's positive rate) "
    "per £1,000 of everyone's input (library and partners, staff time at the hourly rate) in the programmes a "
    "partner is part of, weighted by what it put into each, against the same figure over all partnership "
    "programmes (1 = average). Costly small-group work for hard-to-reach people scores low here by design: it is "
    "no sign that a partner takes more than it gives.")


@dataclass(frozen=True)
class PartnerValue:
    partner: str
    type: str | None
    programmes: int  # programmes in scope it contributes to
    input: float  # its own input (cash + in-kind + hours × rate), scaled to the scope
    programme_input: float  # everyone's input in those programmes
    results: float  # estimated positive outcomes (or attendance) of those programmes
    per_1000: float | None  # results per £1,000, weighted by its input in each programme
    relative: float | None  # per_1000 / the same over all partnership programmes (1 = average)
    basis: str  # outcomes | attendance

    def to_dict(self) -> dict:
        from dataclasses import asdict
        return asdict(self)


def partner_cost_effectiveness(data, filters: Filters | None = None, hourly_rate: float = 15.0) -> tuple[
        PartnerValue, ...]:
    """Canonical frames (or `Prepared`) + Filters -> per partner: results per £1,000 of its programmes.

    per_1000_p = Σ_j w_pj · (R_j / I_j) / Σ_j w_pj × 1000, w_pj its input to programme j, R_j the programme's
    estimated positive outcomes (attendance when no survey answers are in scope), I_j everyone's input;
    relative = per_1000_p / (Σ_j R_j / Σ_j I_j × 1000) over the partnership programmes in scope."""
    from impact.equity.stakes import links, scope
    from impact.filters import WAVES
    from impact.stats import POSITIVE_FROM

    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    n_prog = len(data.programmes)
    stake = links(data)
    if stake.empty or not n_prog:
        return ()
    attendance, factor = scope(data, selection, filters)
    srv = data.surveys
    items = [i for i, d in enumerate(data.domains) if d != "satisfaction"]
    rows = np.flatnonzero(selection.surveys & (srv.wave == WAVES.index("post")))
    answers = srv.scores[rows][:, items] if items else np.zeros((len(rows), 0), "int8")
    k = np.bincount(srv.programme[rows], weights=(answers >= POSITIVE_FROM).sum(axis=1), minlength=n_prog)[:n_prog]
    n = np.bincount(srv.programme[rows], weights=(answers > 0).sum(axis=1), minlength=n_prog)[:n_prog]
    basis = "outcomes" if n.sum() else "attendance"
    rate = np.divide(k, n, out=np.full(n_prog, k.sum() / n.sum() if n.sum() else 1.0), where=n > 0)
    results = attendance * rate
    library, partner, _ = programme_inputs(data, hourly_rate)
    p, q = stake["programme"].to_numpy("int64"), stake["partner"].to_numpy("int64")
    own = (stake["cash"] + stake["in_kind"] + stake["staff_hours"] * hourly_rate).to_numpy("float64")
    keep = (factor[p] > 0) & (own > 0)
    p, q, own = p[keep], q[keep], own[keep] * factor[p[keep]]
    total = (library + partner) * factor
    per_pound = np.divide(results, total, out=np.full(n_prog, np.nan), where=total > 0)
    progs = np.unique(p)
    average = results[progs].sum() / total[progs].sum() if len(progs) and total[progs].sum() > 0 else np.nan
    n_partners = len(data.partners)
    weight = np.bincount(q, weights=own, minlength=n_partners)[:n_partners]
    valued = np.nan_to_num(per_pound[p])
    weighted = np.bincount(q, weights=own * valued, minlength=n_partners)[:n_partners]
    count = np.bincount(q, minlength=n_partners)[:n_partners]
    prog_input = np.bincount(q, weights=total[p], minlength=n_partners)[:n_partners]
    prog_results = np.bincount(q, weights=results[p], minlength=n_partners)[:n_partners]
    names = data.partners["name"].to_numpy(object)
    types = data.partners["partnership_type"].to_numpy(object)
    out = []
    for j in np.flatnonzero(count):
        per = 1000 * weighted[j] / weight[j] if weight[j] > 0 else None
        out.append(PartnerValue(
            partner=str(names[j]), type=None if types[j] is None or types[j] != types[j] else str(types[j]),
            programmes=int(count[j]), input=float(weight[j]), programme_input=float(prog_input[j]),
            results=float(prog_results[j]), per_1000=per,
            relative=per / (1000 * average) if per is not None and average == average and average > 0 else None,
            basis=basis))
    return tuple(sorted(out, key=lambda v: (v.relative is None, -(v.relative or 0), v.partner)))
