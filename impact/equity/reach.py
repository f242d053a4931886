"""Equity of reach (SPEC.md): who the library reaches in proportion to the community, and who not yet.

For a dimension with groups g (age band, area, deprivation quintile, ...):
participant share       p_g = k_g / N, k_g participants in group g, N all participants whose group is
                        recorded and matches the baseline; with its Wilson (1927) 95% interval
population share        q_g = population_g / Σ population (the `population` table, the community baseline)
representation index    RI_g = p_g / q_g (1 = reached in proportion), interval = Wilson interval of p_g / q_g
blindspot               RI_g < threshold (setting `blindspot_threshold`, default 0.8) and the whole interval < 1;
                        listed with `population_unreached` = population_g × (1 − RI_g), the residents the library
                        would also reach if it reached the group as well as everyone else, and `shortfall` =
                        q_g·N − k_g, the participants that would take
dissimilarity index     D = ½ Σ_g |p_g − q_g| (Duncan & Duncan 1955): the share of participants who would have to
                        be in another group for participants to mirror the population; 0 = mirror
most deprived           share of participants from deprivation quintiles 1 and 2 (Wilson 95% CI) against the
                        two quintiles' share of the local population (the baseline, not a national 40%)
concentration index     C = 1 − Σ_t (P_t − P_{t−1})(L_t + L_{t−1}) over quintiles ranked most deprived first,
                        P cumulative population share, L cumulative participant share (Kakwani, Wagstaff & van
                        Doorslaer 1997, grouped data); C = 2·cov(h, R)/mean(h) with h the participation rate and R
                        the fractional deprivation rank. Negative = participation concentrated among the more
                        deprived (what outreach wants), 0 = proportional, positive = among the less deprived.

Participants come from attendance breakdowns where the scope has any for the dimension (a head count
reshaped to age bands, or one row per person), else from post-session survey demographics; each result
says which (`source`) and what it counts (`unit`): people where every row carries a participant id,
attendances otherwise (a regular is counted at each visit), survey responses for surveys.
Rows whose group is not recorded are counted in `not_recorded`, outside the shares. Labels are matched
to the baseline's by `impact.equity.labels`; unmatched labels are listed with their participants.

The baseline: rows of one dimension are added up over catchments. With a branch filter, or `catchments`
given, only the catchments named are used (when the baseline has them). When a dimension holds both rows
with a catchment and rows without, the rows without are taken as the whole-service figures.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from impact.equity.labels import GroupMatch, dimension_name, match_groups
from impact.filters import (
    WAVES,
    Filters,
    Prepared,
    Selection,
    distinct_pairs,
    prepare,
    select,
)
from impact.stats import Proportion, proportion, wilson

POST = WAVES.index("post")
ATTENDANCE, SURVEYS = "attendance", "surveys"
UNITS = {"people": "people (distinct participant ids)", "attendances": "attendances (a person at each visit)",
         "responses": "post-session survey responses"}
DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class GroupReach:
    group: str
    participants: int
    share: float | None  # p_g
    share_low: float | None
    share_high: float | None
    population: float
    population_share: float | None  # q_g
    representation_index: float | None  # p_g / q_g
    ri_low: float | None
    ri_high: float | None
    blindspot: bool
    population_unreached: float | None  # population_g × (1 − RI_g) when RI_g < 1, else 0
    shortfall: float | None  # q_g·N − k_g participants for proportional reach (negative: above it)
    labels: tuple[str, ...]  # participants' labels counted in this group

    def to_dict(self) -> dict:
        out = asdict(self)
        out["labels"] = list(self.labels)
        return out


@dataclass(frozen=True)
class Unmatched:
    group: str
    participants: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DimensionReach:
    """Equity of reach on one dimension."""

    dimension: str
    source: str  # attendance | surveys
    unit: str  # people | attendances | responses
    participants: int  # N: participants in the groups compared
    not_recorded: int  # participants in scope whose group is not recorded
    groups: tuple[GroupReach, ...]
    dissimilarity: float | None
    threshold: float
    unmatched: tuple[Unmatched, ...]  # participants' labels the baseline has no group for
    merged: tuple[str, ...]  # groups formed by adding up labels of different widths (see labels.py)
    catchments: tuple[str, ...]  # baseline catchments used; () = all
    most_deprived: Proportion | None = None  # deprivation_quintile only: share from quintiles 1-2
    most_deprived_population_share: float | None = None
    most_deprived_index: float | None = None  # most_deprived.rate / its population share
    concentration_index: float | None = None
    reliable: bool = True  # N ≥ the display minimum

    @property
    def blindspots(self) -> tuple[GroupReach, ...]:
        return tuple(g for g in self.groups if g.blindspot)

    def to_dict(self) -> dict:
        out = {"source": self.source, "unit": self.unit, "participants": self.participants,
               "not_recorded": self.not_recorded, "groups": [g.to_dict() for g in self.groups],
               "dissimilarity": self.dissimilarity, "threshold": self.threshold,
               "blindspots": [{"group": g.group, "representation_index": g.representation_index,
                               "ri_high": g.ri_high, "population": g.population,
                               "population_unreached": g.population_unreached, "shortfall": g.shortfall}
                              for g in self.blindspots],
               "unmatched": [u.to_dict() for u in self.unmatched], "merged": list(self.merged),
               "catchments": list(self.catchments), "reliable": self.reliable}
        if self.dimension == "deprivation_quintile":
            out["most_deprived"] = {
                "quintiles": ["1", "2"],
                "share": self.most_deprived.to_dict() if self.most_deprived else None,
                "population_share": self.most_deprived_population_share,
                "representation_index": self.most_deprived_index}
            out["concentration_index"] = self.concentration_index
        return out


@dataclass(frozen=True)
class ReachEquity:
    dimensions: dict  # dimension -> DimensionReach
    skipped: dict  # dimension -> why it has no result (no baseline, no participants' groups, ...)
    unknown_dimensions: tuple[str, ...]  # baseline dimensions that are not a demographic column

    @property
    def blindspots(self) -> list[tuple[str, GroupReach]]:
        return [(d, g) for d, r in self.dimensions.items() for g in r.blindspots]

    def to_dict(self) -> dict:
        return {d: r.to_dict() for d, r in self.dimensions.items()}


# --- the pure formulas ----------------------------------------------------------------------------

def dissimilarity(participant_share, population_share) -> float:
    """D = ½ Σ |p_g − q_g| (Duncan & Duncan 1955)."""
    return float(0.5 * np.abs(np.asarray(participant_share, "float64") - np.asarray(population_share, "float64")).sum())


def concentration_index(participants, population) -> float | None:
    """Concentration index of participation over groups already ranked most deprived first (grouped data,
    Kakwani, Wagstaff & van Doorslaer 1997): C = 1 − Σ_t (P_t − P_{t−1})(L_t + L_{t−1}). None when undefined."""
    k = np.asarray(participants, "float64")
    pop = np.asarray(population, "float64")
    if len(k) < 2 or k.sum() <= 0 or pop.sum() <= 0:
        return None
    cum_p = np.concatenate([[0.0], np.cumsum(pop) / pop.sum()])
    cum_l = np.concatenate([[0.0], np.cumsum(k) / k.sum()])
    return float(1 - (np.diff(cum_p) * (cum_l[1:] + cum_l[:-1])).sum())


def representation(participants, population, threshold: float = DEFAULT_THRESHOLD,
                   labels=None) -> tuple[list[GroupReach], float | None]:
    """Participants k_g and population per group -> (GroupReach per group, dissimilarity index D)."""
    k = np.asarray(participants, "float64")
    pop = np.asarray(population, "float64")
    n, total = float(k.sum()), float(pop.sum())
    names = list(labels) if labels is not None else [str(i) for i in range(len(k))]
    p = k / n if n else np.full(len(k), np.nan)
    q = pop / total if total else np.full(len(k), np.nan)
    out = []
    for i, name in enumerate(names):
        low, high = wilson(int(np.rint(k[i])), int(np.rint(n))) if n else (None, None)
        qi = float(q[i]) if total else None
        ri = float(p[i] / qi) if n and qi else None
        ri_low = low / qi if low is not None and qi else None
        ri_high = high / qi if high is not None and qi else None
        out.append(GroupReach(
            group=name, participants=int(np.rint(k[i])), share=float(p[i]) if n else None, share_low=low,
            share_high=high, population=float(pop[i]), population_share=qi, representation_index=ri,
            ri_low=ri_low, ri_high=ri_high,
            blindspot=bool(ri is not None and ri < threshold and ri_high is not None and ri_high < 1),
            population_unreached=float(pop[i] * max(0.0, 1 - ri)) if ri is not None else None,
            shortfall=float(qi * n - k[i]) if qi is not None and n else None, labels=()))
    d = dissimilarity(p, q) if n and total else None
    return out, d


# --- the baseline -----------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def baseline(population: pd.DataFrame | None, catchments=()) -> tuple[dict, tuple[str, ...], dict]:
    """The population table -> ({dimension: {group label: population}}, unknown dimensions,
    {dimension: catchments used}). See the module docstring for how catchments are chosen."""
    if population is None or population.empty or not {"dimension", "group", "population"} <= set(population):
        return {}, (), {}
    frame = pd.DataFrame({
        "dimension": population["dimension"].map(_text), "group": population["group"].map(_text),
        "population": pd.to_numeric(population["population"], errors="coerce"),
        "catchment": population["catchment"].map(_text) if "catchment" in population else None})
    frame = frame[frame["dimension"].notna() & frame["group"].notna() & frame["population"].notna()]
    canonical = {d: dimension_name(d) for d in frame["dimension"].unique()}
    unknown = tuple(sorted(d for d, c in canonical.items() if c is None))
    frame = frame.assign(dimension=frame["dimension"].map(canonical)).dropna(subset=["dimension"])
    wanted = {c.strip().casefold() for c in catchments or ()}
    found, used = {}, {}
    for dim, rows in frame.groupby("dimension", sort=False):
        has = rows["catchment"].notna()
        keep = rows
        names: tuple[str, ...] = ()
        if wanted:
            chosen = has & rows["catchment"].str.casefold().isin(wanted).fillna(False).astype(bool)
            if chosen.any():
                keep = rows[chosen]
                names = tuple(sorted(keep["catchment"].unique()))
        elif has.any() and not has.all():
            keep = rows[~has]
        totals = keep.groupby("group", sort=False)["population"].sum()
        found[dim] = {str(g): float(v) for g, v in totals.items()}
        used[dim] = names
    return found, unknown, used


# --- participants from the prepared rows -------------------------------------------------------------

def participants(data: Prepared, selection: Selection, dimension: str,
                 source: str = "auto") -> tuple[str, str, np.ndarray, int] | None:
    """(source, unit, participants per label code of `data.group_labels[dimension]`, not recorded) for the
    selected rows, or None when neither attendance nor surveys record the dimension in scope."""
    size = len(data.group_labels[dimension])
    if source in ("auto", ATTENDANCE):
        att = data.attendance
        rows = np.flatnonzero(selection.attendance & (att.weights["recorded"] > 0))
        codes = att.groups[dimension][rows]
        known = codes >= 0
        if known.any():
            people = att.participant[rows]
            if (people[known] >= 0).all():
                groups, _ = distinct_pairs(codes[known], people[known], int(att.participant.max()) + 1, size)
                counts = np.bincount(groups, minlength=size)[:size]
                missing = len(np.setdiff1d(people[~known], people[known])) if (~known).any() else 0
                return ATTENDANCE, "people", counts.astype("int64"), int(missing)
            weights = att.weights["attendees"][rows]
            counts = np.bincount(codes[known], weights=weights[known], minlength=size)[:size]
            return ATTENDANCE, "attendances", np.round(counts).astype("int64"), int(np.rint(weights[~known].sum()))
        if source == ATTENDANCE:
            return None
    srv = data.surveys
    rows = np.flatnonzero(selection.surveys & (srv.wave == POST))
    codes = srv.groups[dimension][rows]
    known = codes >= 0
    if not known.any():
        return None
    return SURVEYS, "responses", np.bincount(codes[known], minlength=size)[:size].astype("int64"), int((~known).sum())


def _most_deprived(match: GroupMatch, k: np.ndarray, pop: np.ndarray, min_n: int):
    first_two = [i for i, key in enumerate(match.keys) if key in ("1", "2")]
    n, total = int(k.sum()), float(pop.sum())
    if len(first_two) != 2 or not n or not total:
        return None, None, None, None
    share = proportion(int(k[first_two].sum()), n, min_n)
    q = float(pop[first_two].sum() / total)
    index = share.rate / q if q else None
    quintiles = sorted((int(key), i) for i, key in enumerate(match.keys) if key in ("1", "2", "3", "4", "5"))
    c = None
    if len(quintiles) == len(match.keys):  # every group is a quintile: rank most deprived (1) first
        order = [i for _, i in quintiles]
        c = concentration_index(k[order], pop[order])
    return share, q, index, c


def dimension_reach(dimension: str, source: str, unit: str, counts: dict, not_recorded: int, population: dict,
                    threshold: float = DEFAULT_THRESHOLD, min_n: int = 10,
                    catchments: tuple[str, ...] = ()) -> DimensionReach:
    """{participants' label: participants} and {baseline label: population} of one dimension -> DimensionReach."""
    counts = {str(label): int(v) for label, v in counts.items() if v}
    match = match_groups(dimension, list(counts), list(population))
    size = len(match.groups)
    k = np.zeros(size)
    for label, group in match.participant_group.items():
        k[group] += counts[label]
    pop = np.zeros(size)
    for label, group in match.population_group.items():
        pop[group] += population[label]
    rows, d = representation(k, pop, threshold, match.groups)
    labels = {i: tuple(lab for lab, g in match.participant_group.items() if g == i) for i in range(size)}
    rows = [GroupReach(**{**asdict(r), "labels": labels[i]}) for i, r in enumerate(rows)]
    extra = {}
    if dimension == "deprivation_quintile":
        share, q, index, c = _most_deprived(match, k, pop, min_n)
        extra = {"most_deprived": share, "most_deprived_population_share": q, "most_deprived_index": index,
                 "concentration_index": c}
    return DimensionReach(
        dimension=dimension, source=source, unit=unit, participants=int(k.sum()), not_recorded=int(not_recorded),
        groups=tuple(rows), dissimilarity=d, threshold=threshold,
        unmatched=tuple(Unmatched(label, counts[label]) for label in match.unmatched_participants),
        merged=match.merged, catchments=catchments, reliable=int(k.sum()) >= min_n, **extra)


def reach_equity(data, filters: Filters | None = None, threshold: float = DEFAULT_THRESHOLD, min_n: int = 10,
                 dimensions=None, source: str = "auto", catchments=None,
                 selection: Selection | None = None) -> ReachEquity:
    """Canonical frames (or `Prepared`) + Filters -> equity of reach on every dimension the baseline has.

    `dimensions` narrows the dimensions; `source` forces "attendance" or "surveys"; `catchments` names the
    baseline catchments to compare against (default: the branches the filters name, where the baseline has them).
    """
    data = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    if catchments is None:
        catchments = filters.branches
    base, unknown, used = baseline(data.frames.get("population"), catchments)
    wanted = list(dimensions) if dimensions else [d for d in data.group_labels if d in base]
    results, skipped = {}, {}
    for dim in wanted:
        if dim not in data.group_labels:
            skipped[dim] = f"not a demographic column (one of {', '.join(data.group_labels)})"
            continue
        if dim not in base:
            skipped[dim] = "no population baseline for this dimension: add it to the population table"
            continue
        found = participants(data, selection, dim, source)
        if found is None:
            skipped[dim] = "no attendance or survey rows in scope record this dimension"
            continue
        src, unit, per_code, not_recorded = found
        labels = data.group_labels[dim]
        counts = {labels[i]: int(v) for i, v in enumerate(per_code) if v}
        results[dim] = dimension_reach(dim, src, unit, counts, not_recorded, base[dim], threshold, min_n,
                                       used.get(dim, ()))
    return ReachEquity(dimensions=results, skipped=skipped, unknown_dimensions=unknown)


__all__ = [
    "UNITS",
    "DimensionReach",
    "GroupReach",
    "ReachEquity",
    "Unmatched",
    "baseline",
    "concentration_index",
    "dimension_reach",
    "dissimilarity",
    "participants",
    "reach_equity",
    "representation",
]
