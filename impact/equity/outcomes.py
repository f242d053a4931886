"""Equity of outcomes (SPEC.md): whose outcomes lag.

For each outcome item (satisfaction left out: it is not a change in the person) and each demographic
dimension the surveys record: the positive rate per group (answers of 4 or 5 among valid answers,
post-session wave by default) with its Wilson (1927) 95% interval and n; the gap between the best- and
worst-served groups, taken over groups that reach the display minimum (n ≥ min_n, default 10) so that a
handful of answers cannot make a gap.

Whether the dimension matters at all is one test of the whole dimension, not best against worst: Pearson's
chi-square test that every group (n ≥ min_n) shares one positive rate, with the Rao-Scott first-order
correction for clustering (X² divided by the mean design effect of the groups' shares, programmes or sessions
as clusters, as in impact.indicators.outcomes). The p-values of every (item, dimension) tested are
Holm-adjusted together (Holm 1979); `significant` = Holm-adjusted p < 0.05.

Groups attend different programmes, and programmes differ: beside the crude gap, `adjusted_gap` is the
Mantel-Haenszel difference between the best- and worst-served groups stratified by programme (Greenland &
Robins 1985 variance, 95% interval): the gap that remains within programmes.
Labels that mean the same group ("65+", "65 and over") are one group, under the baseline's wording when
the population table has the dimension. Responses with no group recorded are counted in `not_recorded`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from impact.equity.labels import display_names, order_key
from impact.equity.reach import baseline
from impact.filters import (
    NO_DAY,
    WAVES,
    Filters,
    Prepared,
    Selection,
    dense_codes,
    prepare,
    select,
    unique_rows,
)
from impact.stats import (
    POSITIVE_FROM,
    Proportion,
    chi2_sf,
    chi_square_homogeneity,
    cluster_variance,
    holm,
    mantel_haenszel_difference,
    proportion,
)

MIN_CLUSTERS = 10
ALPHA = 0.05

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
    significant: bool  # Holm-adjusted p of the dimension's test < 0.05
    test: str = ""
    statistic: float | None = None  # Rao-Scott corrected chi-square
    df: int = 0
    p_value: float | None = None
    p_holm: float | None = None
    design_effect: float | None = None  # mean over the groups tested
    adjusted_gap: float | None = None  # Mantel-Haenszel best − worst within programmes
    adjusted_low: float | None = None
    adjusted_high: float | None = None
    strata: int = 0  # programmes where both groups answered

    def to_dict(self) -> dict:
        return {"groups": [g.to_dict() for g in self.groups], "gap": self.gap, "significant": self.significant,
                "best": self.best, "worst": self.worst, "not_recorded": self.not_recorded, "wave": self.wave,
                "test": self.test, "statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                "p_holm": self.p_holm, "design_effect": self.design_effect,
                "adjusted_gap": {"value": self.adjusted_gap, "low": self.adjusted_low, "high": self.adjusted_high,
                                 "method": "Mantel-Haenszel difference stratified by programme",
                                 "programmes": self.strata}}


@dataclass(frozen=True)
class OutcomeEquity:
    gaps: dict  # domain -> {dimension -> OutcomeGap}

    @property
    def significant(self) -> list[OutcomeGap]:
        return [g for by_dim in self.gaps.values() for g in by_dim.values() if g.significant]

    def to_dict(self) -> dict:
        return {domain: {dim: g.to_dict() for dim, g in by_dim.items()} for domain, by_dim in self.gaps.items()}


TEST = "chi-square test of the whole dimension (Rao-Scott corrected for clustering), Holm-adjusted"


def gap(groups: list[GroupOutcome]) -> tuple[str | None, str | None, float | None, bool]:
    """(best group, worst group, best rate − worst rate, intervals do not overlap) over reliable groups
    (the overlap is kept as a description; `OutcomeGap.significant` comes from the dimension's test)."""
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
    prog = srv.programme[rows]
    _, session = unique_rows(prog, srv.day[rows]) if len(rows) \
        else (None, np.zeros(0, "int64"))
    session = np.asarray(session, "int64").ravel()
    dated = srv.day[rows] != NO_DAY
    n_prog = max(1, len(data.programmes))
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
            best, worst, difference, _ = gap(found)
            tested = dict(_dimension_test(found, g, valid[known, j], good[known, j], prog[known], session[known],
                                          group_names, min_n, dated[known]))
            if best is not None:
                b, w = group_names.index(best), group_names.index(worst)
                p = prog[known]
                pk = [np.bincount(p[g == x], weights=good[known, j][g == x], minlength=n_prog) for x in (b, w)]
                pn = [np.bincount(p[g == x], weights=valid[known, j][g == x], minlength=n_prog) for x in (b, w)]
                rd, low, high = mantel_haenszel_difference(pk[0], pn[0], pk[1], pn[1])
                tested.update(adjusted_gap=rd, adjusted_low=low, adjusted_high=high,
                              strata=int(((pn[0] > 0) & (pn[1] > 0)).sum()))
            gaps[domain][dim] = OutcomeGap(domain=domain, dimension=dim, wave=wave, groups=tuple(found),
                                           not_recorded=int(valid[~known, j].sum()), best=best, worst=worst,
                                           gap=difference, significant=False, **tested)
    found_gaps = [g for by_dim in gaps.values() for g in by_dim.values()]
    adjusted = holm([g.p_value for g in found_gaps])
    for g, p in zip(found_gaps, adjusted):
        gaps[g.domain][g.dimension] = replace(g, p_holm=p, significant=bool(p is not None and p < ALPHA))
    return OutcomeEquity({d: by_dim for d, by_dim in gaps.items() if by_dim})


def _dimension_test(found, g, valid, good, prog, session, names, min_n, dated) -> dict:
    """Rao-Scott first-order corrected chi-square over the groups reaching min_n (see the module docstring)."""
    shown = [names.index(x.group) for x in found if x.reliable]
    if len(shown) < 2:
        return {}
    k = [float(good[g == x].sum()) for x in shown]
    n = [float(valid[g == x].sum()) for x in shown]
    stat, df, _ = chi_square_homogeneity(k, n)
    if stat is None:
        return {}
    deffs = []
    for x, kx, nx in zip(shown, k, n):
        rows = (g == x) & (valid > 0)
        # the clusters of impact.indicators.outcomes: programmes (10 or more), else dated sessions, else none
        inverse, clusters = dense_codes(prog[rows])
        if clusters < MIN_CLUSTERS:
            if not dated[rows].any():
                deffs.append(1.0)
                continue
            inverse, _ = dense_codes(session[rows])
        v, _ = cluster_variance(np.bincount(inverse, weights=good[rows]), np.bincount(inverse, weights=valid[rows]))
        p = kx / nx
        srs = p * (1 - p) / nx
        deffs.append(max(1.0, v / srs) if v is not None and srs > 0 else 1.0)
    deff = float(np.mean(deffs))
    corrected = stat / deff
    return {"test": TEST, "statistic": corrected, "df": df, "p_value": chi2_sf(corrected, df),
            "design_effect": deff}


__all__ = ["GroupOutcome", "OutcomeEquity", "OutcomeGap", "gap", "group_outcomes", "outcome_equity"]
