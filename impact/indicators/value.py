"""Value: what the work cost everyone who put into it, per attendance and per positive outcome.

total input        library cost + library staff hours × hourly rate
                   + partners' cash + in-kind + partner staff hours × hourly rate (rate: a setting)
cost per attendance          total input / attendance
cost per positive outcome    total input / (attendance × positive rate): an ESTIMATE, since the
                             positive rate comes from those who answered the survey (pooled over the
                             outcome items, satisfaction left out, post-session wave)
partner leverage   partners' inputs / library inputs (2.0: partners put in twice what the library did)

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
