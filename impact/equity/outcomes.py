"""Equity of outcomes (SPEC.md): whose outcomes lag.

For each outcome item (satisfaction left out: it is not a change in the person) and each demographic
dimension the surveys record: the positive rate per group (answers of 4 or 5 among valid answers,
post-session wave by default) with its Wilson (1927) 95% interval and n; the gap between the best- and
worst-served groups, taken over groups that reach the display minimum (n ≥ min_n, default 10) so that a
handful of answers cannot make a gap; and `significant` when their two intervals do not overlap (a
conservative check: non-overlapping 95% intervals imply a difference at well below the 5% level).
Labels that mean the same group ("65+", "65 and over") are one group, under the baseline's wording when
the population table has the dimension. Responses with no group recorded are counted in `not_recorded`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impact.equity.labels import display_names, order_key
from impact.equity.reach import baseline
from impact.filters import WAVES, Filters, Prepared, Selection, prepare, select
from impact.stats import POSITIVE_FROM, Proportion, proportion

NOT_OUTCOMES = ("satisfaction",)


@dataclass(frozen=True)
class GroupOutcome:
    group: str
    positive: int
    n: int
    rate: float | None
    low: float | None
    high: float | None
    reliable: bool  # n ≥ the display minimum

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class OutcomeGap:
    """Positive rate of one item by the groups of one dimension."""

    domain: str
    dimension: str
    wave: str
    groups: tuple[GroupOutcome, ...]
    not_recorded: int  # valid answers from respondents whose group is not recorded
    best: str | None  # best-served group among those with n ≥ min_n
    worst: str | None
    gap: float | None  # best rate − worst rate
    significant: bool  # the two groups' 95% intervals do not overlap

    def to_dict(self) -> dict:
        return {"groups": [g.to_dict() for g in self.groups], "gap": self.gap, "significant": self.significant,
                "best": self.best, "worst": self.worst, "not_recorded": self.not_recorded, "wave": self.wave}


@dataclass(frozen=True)
class OutcomeEquity:
    gaps: dict  # domain -> {dimension -> OutcomeGap}

    @property
    def significant(self) -> list[OutcomeGap]:
        return [g for by_dim in self.gaps.values() for g in by_dim.values() if g.significant]

    def to_dict(self) -> dict:
        return {domain: {dim: g.to_dict() for dim, g in by_dim.items()} for domain, by_dim in self.gaps.items()}


def gap(groups: list[GroupOutcome]) -> tuple[str | None, str | None, float | None, bool]:
    """(best group, worst group, best rate − worst rate, intervals do not overlap) over reliable groups."""
    shown = [g for g in groups if g.reliable and g.rate is not None]
    if len(shown) < 2:
        return None, None, None, False
    best = max(shown, key=lambda g: (g.rate, g.n))
    worst = min(shown, key=lambda g: (g.rate, -g.n))
    return best.group, worst.group, best.rate - worst.rate, bool(worst.high < best.low)


def group_outcomes(labels, positive, n, min_n: int = 10) -> list[GroupOutcome]:
    """Per group: positive answers and valid answers -> GroupOutcome with its Wilson interval."""
    out = []
    for label, k, m in zip(labels, positive, n):
        if m <= 0:
            continue
        p: Proportion = proportion(int(k), int(m), min_n)
        out.append(GroupOutcome(str(label), p.k, p.n, p.rate, p.low, p.high, p.reliable))
    return out


def outcome_equity(data, filters: Filters | None = None, min_n: int = 10, dimensions=None, domains=None,
                   wave: str = "post", selection: Selection | None = None) -> OutcomeEquity:
    """Canonical frames (or `Prepared`) + Filters -> {item: {dimension: OutcomeGap}} for every item answered in
    `wave` and every dimension the selected responses record."""
    data: Prepared = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    srv = data.surveys
    rows = np.flatnonzero(selection.surveys & (srv.wave == WAVES.index(wave)))
    items = [d for d in (domains or data.domains) if d in data.domains and (domains or d not in NOT_OUTCOMES)]
    base, _, _ = baseline(data.frames.get("population"))
    scores = srv.scores[rows][:, [data.domains.index(d) for d in items]] if items else np.zeros((len(rows), 0))
    valid = (scores > 0).astype("float64")
    good = (scores >= POSITIVE_FROM).astype("float64")
    gaps: dict = {d: {} for d in items}
    for dim in dimensions or data.group_labels:
        if dim not in data.group_labels:
            continue
        codes = srv.groups[dim][rows]
        known = codes >= 0
        if not known.any():
            continue
        labels = data.group_labels[dim]
        frequent = np.argsort(-np.bincount(codes[known], minlength=len(labels)), kind="stable")
        names = display_names(dim, [labels[i] for i in frequent], base.get(dim, {}).keys())  # most used wording
        group_names = sorted(dict.fromkeys(names[str(label)] for label in labels), key=lambda x: order_key(dim, x))
        to_group = np.array([group_names.index(names[str(label)]) for label in labels], "int64")
        g = to_group[codes[known]]
        size = len(group_names)
        for j, domain in enumerate(items):
            n = np.bincount(g, weights=valid[known, j], minlength=size)
            k = np.bincount(g, weights=good[known, j], minlength=size)
            found = group_outcomes(group_names, np.round(k), np.round(n), min_n)
            if not found:
                continue
            best, worst, difference, significant = gap(found)
            gaps[domain][dim] = OutcomeGap(domain=domain, dimension=dim, wave=wave, groups=tuple(found),
                                           not_recorded=int(valid[~known, j].sum()), best=best, worst=worst,
                                           gap=difference, significant=significant)
    return OutcomeEquity({d: by_dim for d, by_dim in gaps.items() if by_dim})


__all__ = ["GroupOutcome", "OutcomeEquity", "OutcomeGap", "gap", "group_outcomes", "outcome_equity"]
