"""Indicators beyond footfall: pure functions of the canonical frames and a `Filters`.

    from impact import indicators
    from impact.filters import Filters, prepare
    data = prepare(store.frames())                       # once per database change
    ind = indicators.compute(data, Filters(themes=["Digital inclusion"]), min_n=10, hourly_rate=15.0)
    rows = indicators.compute_by(data, "partner", Filters(date_from="2024-04"))

`reach` (outputs: attendance, sessions, engagement), `outcomes` (what changed for people:
positive rates, change from before to after, follow-up application) and `value` (inputs,
cost per attendance and per estimated positive outcome, partner leverage) each have their own
functions too; `compute` shares one selection and one pass over the rows between them.
Every result carries its n and a `reliable` flag (n ≥ the display minimum).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from impact.filters import Filters, Prepared, grouping, prepare, select
from impact.indicators import outcomes, reach, value
from impact.indicators.outcomes import Outcome
from impact.indicators.reach import Reach
from impact.indicators.value import Value
from impact.stats import Change


@dataclass(frozen=True)
class Indicators:
    """The full set for one scope (one filter, or one group of a group-by)."""

    group: str | None
    reach: Reach
    outcomes: dict[str, Outcome]
    change: dict[str, Change]
    follow_up_application: Outcome | None
    value: Value
    follow_up: dict[str, Outcome] = field(default_factory=dict)  # every item answered in follow-up surveys

    def to_dict(self) -> dict:
        out = {"group": self.group} if self.group is not None else {}
        out.update({
            "reach": self.reach.headline(), "engagement": self.reach.engagement(),
            "outcomes": {d: o.to_dict() for d, o in self.outcomes.items()},
            "change": {d: c.to_dict() for d, c in self.change.items()},
            "follow_up_application": self.follow_up_application.to_dict() if self.follow_up_application else None,
            "follow_up": {d: o.to_dict() for d, o in self.follow_up.items()},
            "value": self.value.to_dict(),
        })
        return out


def _compute(data, dimension: str | None, filters: Filters | None, min_n: int, hourly_rate: float,
             outcome: str | None) -> list[Indicators]:
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    grp = grouping(data, dimension, filters, selection)
    r = reach.tally(data, selection, grp)
    o = outcomes.tally(data, selection, grp, attendance=r.attendance)
    v = value.tally(data, selection, grp, filters, hourly_rate)
    found = []
    for i, label in enumerate(grp.labels):
        has_data = r.rows[i] or o.responses[i] or v.library_input[i] or v.partner_input[i]
        if dimension is not None and not grp.shown(i, has_data):
            continue
        follow_up = o.outcome(i, "application", "follow_up", min_n) if "application" in o.domains else None
        found.append(Indicators(
            group=label if dimension is not None else None, reach=r.reach(i, min_n),
            outcomes=o.outcomes(i, "post", min_n), change=o.changes(i, min_n), follow_up_application=follow_up,
            value=v.value(i, o.positive_rate(i, domain=outcome), min_n), follow_up=o.outcomes(i, "follow_up", min_n)))
    return found


def compute(data, filters: Filters | None = None, min_n: int = 10, hourly_rate: float = 15.0,
            outcome: str | None = None) -> Indicators:
    """Canonical frames (or `Prepared`) + Filters -> every indicator for what the filters select."""
    return _compute(data, None, filters, min_n, hourly_rate, outcome)[0]


def compute_by(data, dimension: str, filters: Filters | None = None, min_n: int = 10, hourly_rate: float = 15.0,
               outcome: str | None = None) -> list[Indicators]:
    """Every indicator per group of `dimension`: programme, theme, branch, partner, partnership_type,
    period (by `filters.grain`), or a demographic column. Partner and partnership type groups overlap
    (a programme run with two partners counts in both), so only the other dimensions add up to the total."""
    return _compute(data, dimension, filters, min_n, hourly_rate, outcome)


def summary(frames: dict[str, pd.DataFrame] | Prepared, min_n: int = 10) -> dict:
    """The headline indicators of everything loaded, as plain dicts (the overview page reads this)."""
    data = prepare(frames)
    ind = compute(data, None, min_n)
    responses = data.frames.get("survey_responses")
    responses = responses if responses is not None else pd.DataFrame()
    return {
        "reach": ind.reach.headline(),
        "engagement": ind.reach.engagement(),
        "outcomes": {d: o.to_dict() for d, o in ind.outcomes.items()},
        "counts": {"partners": len(data.frames.get("partners", [])),
                   "programmes": len(data.frames.get("programmes", [])),
                   "survey_responses": len(responses),
                   "post_responses": int((responses["wave"] == "post").sum()) if "wave" in responses else 0},
    }


__all__ = ["Filters", "Indicators", "compute", "compute_by", "outcomes", "prepare", "reach", "summary", "value"]
