"""Equity of reach (SPEC.md): who the library reaches in proportion to the community, and who not yet.

For a dimension with groups g (age band, area, deprivation quintile, ...):
participant share       p_g = k_g / N, k_g participants in group g, N all participants whose group is
                        recorded and matches the baseline; with its Wilson (1927) 95% interval
population share        q_g = population_g / Σ population (the `population` table, the community baseline)
representation index    RI_g = p_g / q_g (1 = reached in proportion), interval = Wilson interval of p_g / q_g
blindspot               RI_g < threshold (setting `blindspot_threshold`, default 0.8) and the whole interval < 1;
                        listed with `shortfall` = q_g·N − k_g, in the data's own unit: the attendances (or
                        responses, or people where participant ids count people) by the group that would match
                        its share. Never "residents not reached": the library cannot reach every resident.
                        `population_unreached` is kept only for people (= shortfall), else None.
target groups           a programme's `target_group` ("Under 5s and their carers", "Older adults", "Docklands
                        residents", "most deprived", "Everyone") restricts the baseline of the dimension it names
                        to the groups it covers (`target_baseline`). A scope of several programmes compares against
                        the mix of their target baselines, weighted by each programme's participants
                        (q_g = Σ_p w_p q_g|p): the whole service against where its programmes were aimed.
clustering              attendance comes in sessions (a session's whole headcount often sits in one group) and
                        sessions in programmes: the share's interval is cluster-robust (`impact.stats`), with
                        programmes as clusters where the scope has at least MIN_CLUSTERS of them, sessions
                        otherwise, and the design effect is reported. RI interval: the share's interval / q_g for
                        a census baseline; Fieller's ratio interval when the baseline is a survey estimate (the
                        population table gives a `margin_of_error`); `ri_method` says which.
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
import re
import weakref
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from impact.equity.labels import GroupMatch, age_range, dimension_name, match_groups
from impact.filters import (
    WAVES,
    Filters,
    Prepared,
    Selection,
    dense_codes,
    distinct_pairs,
    prepare,
    select,
    unique_rows,
)
from impact.ingest.clean import slug
from impact.stats import (
    Proportion,
    cluster_variance,
    proportion,
    ratio_interval,
    t_quantile,
    wilson,
    wilson_effective,
)

POST = WAVES.index("post")
ATTENDANCE, SURVEYS = "attendance", "surveys"
UNITS = {"people": "people (distinct participant ids)", "attendances": "attendances (a person at each visit)",
         "responses": "post-session survey responses"}
DEFAULT_THRESHOLD = 0.8
MIN_CLUSTERS = 10  # programmes needed before programmes (not sessions) are the clusters


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
    population_unreached: float | None  # people only: = shortfall when the unit is people, else None
    shortfall: float | None  # q_g·N − k_g in the unit, for proportional reach (negative: above it)
    labels: tuple[str, ...]  # participants' labels counted in this group
    design_effect: float | None = None  # of the share's cluster-robust interval
    ri_method: str = ""  # how the RI interval was made
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
    baseline_label: str = "residents"  # what the population shares are shares of
    targets: tuple[tuple[str, str], ...] = ()  # (target group text, groups it covers) of the programmes in scope
    clusters: int = 0
    cluster_unit: str = ""  # programmes | sessions | "" (one cluster: intervals treat rows as independent)
    design_effect: float | None = None  # overall, of the whole dimension (largest over its groups)
    outside_target: int = 0  # participants outside their programme's target groups: not in the shares

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
               "catchments": list(self.catchments), "reliable": self.reliable,
               "baseline": self.baseline_label, "targets": [list(t) for t in self.targets],
               "clusters": self.clusters, "cluster_unit": self.cluster_unit, "design_effect": self.design_effect,
               "outside_target": self.outside_target}
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
                   labels=None, expected_share=None, design_effects=None, clusters: int = 0,
                   population_se=None, unit: str = "attendances") -> tuple[list[GroupReach], float | None]:
    """Participants k_g and population per group -> (GroupReach per group, dissimilarity index D).

    `expected_share`: the baseline share q_g when it is not population_g / Σ population (target groups);
    `design_effects`: per group, the clustering's design effect (1 = independent rows), with `clusters` clusters
    (t on clusters − 1 degrees of freedom); `population_se`: standard error of each q_g when the baseline is a
    survey estimate (Fieller's interval for the RI)."""
    k = np.asarray(participants, "float64")
    pop = np.asarray(population, "float64")
    n, total = float(k.sum()), float(pop.sum())
    names = list(labels) if labels is not None else [str(i) for i in range(len(k))]
    p = k / n if n else np.full(len(k), np.nan)
    if expected_share is not None:
        q = np.asarray(expected_share, "float64")
        total = float(q.sum())
    else:
        q = pop / total if total else np.full(len(k), np.nan)
    out = []
    for i, name in enumerate(names):
        deff = float(design_effects[i]) if design_effects is not None else None
        if not n:
            low, high = None, None
        elif deff is None:
            low, high = wilson(int(np.rint(k[i])), int(np.rint(n)))
        elif clusters < 2:
            low, high = None, None  # one cluster: nothing says how much sessions differ
        else:
            low, high = wilson_effective(float(p[i]), n / deff, t_quantile(0.975, clusters - 1))
        qi = float(q[i]) if total else None
        ri = float(p[i] / qi) if n and qi else None
        se_q = float(population_se[i]) if population_se is not None and qi else None
        se_p = math.sqrt((deff or 1.0) * p[i] * (1 - p[i]) / n) if n else None
        ri_low, ri_high, method = ratio_interval(low, high, qi, se_q, float(p[i]) if n else None, se_p)
        short = float(qi * n - k[i]) if qi is not None and n else None
        out.append(GroupReach(
            group=name, participants=int(np.rint(k[i])), share=float(p[i]) if n else None, share_low=low,
            share_high=high, population=float(pop[i]), population_share=qi, representation_index=ri,
            ri_low=ri_low, ri_high=ri_high,
            blindspot=bool(ri is not None and ri < threshold and ri_high is not None and ri_high < 1),
            population_unreached=short if unit == "people" and short is not None else None,
            shortfall=short, labels=(), design_effect=deff, ri_method=method))
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


def baseline_errors(population: pd.DataFrame | None, catchments=()) -> dict:
    """{dimension: {group label: ± 95% margin of error in people}} for a survey-based baseline (the population
    table's optional `margin_of_error`), added in quadrature over the catchments `baseline` uses."""
    if population is None or population.empty or "margin_of_error" not in population:
        return {}
    moe = pd.to_numeric(population["margin_of_error"], errors="coerce")
    if not moe.notna().any():
        return {}
    frame = population.assign(_moe=moe.fillna(0.0) ** 2, _pop=pd.to_numeric(population["population"], errors="coerce"))
    base, _, used = baseline(population, catchments)
    out = {}
    for dim in base:
        rows = frame[frame["dimension"].map(_text).map(lambda d: dimension_name(d) if d else None) == dim]
        if "catchment" in rows and used.get(dim):
            rows = rows[rows["catchment"].map(_text).isin(used[dim])]
        elif "catchment" in rows and rows["catchment"].notna().any() and not rows["catchment"].notna().all():
            rows = rows[rows["catchment"].isna()]
        sums = rows.groupby(rows["group"].map(_text))["_moe"].sum()
        found = {str(g): math.sqrt(v) for g, v in sums.items() if v > 0}
        if found:
            out[dim] = found
    return out


# --- target groups -------------------------------------------------------------------------------

_AGED = re.compile(r"(?:aged?|ages)\s*(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})", re.IGNORECASE)
_UNDER_T = re.compile(r"\bunder[\s-]*(\d{1,3})", re.IGNORECASE)
_OVER_T = re.compile(r"\b(?:over[\s-]*(\d{1,3})s?|(\d{1,3})\s*\+|(\d{1,3})\s+and\s+over)", re.IGNORECASE)
_AGE_WORDS = (  # (pattern, age range) in the order they are tried; the first that matches is the target
    (re.compile(r"\bbab(?:y|ies)\b|\btoddlers?\b", re.IGNORECASE), (0, 4)),
    (re.compile(r"\bchild(?:ren)?\b|\bkids\b", re.IGNORECASE), (0, 15)),
    (re.compile(r"\bteen(?:s|agers?)?\b", re.IGNORECASE), (12, 19)),
    (re.compile(r"\bschool pupils?\b", re.IGNORECASE), (5, 17)),
    (re.compile(r"\byoung people\b|\byoung adults?\b", re.IGNORECASE), (16, 24)),
    (re.compile(r"\bolder (?:adults|people)\b|\bpensioners?\b|\bseniors?\b", re.IGNORECASE), (65, math.inf)),
    (re.compile(r"\bjob ?seekers?\b|\bworking age\b", re.IGNORECASE), (16, 64)),
    (re.compile(r"\bfamil(?:y|ies)\b", re.IGNORECASE), (0, 15)),  # a family programme is aimed at the children
)
_CARERS = re.compile(r"\b(?:carers?|parents?|families|grown-ups)\b", re.IGNORECASE)
_EVERYONE = re.compile(r"\b(?:everyone|all ages|all residents|general public|anyone)\b", re.IGNORECASE)
_MOST_DEPRIVED = re.compile(r"\bmost deprived\b|\bdeprived\b", re.IGNORECASE)
_QUINTILE = re.compile(r"\bquintiles?\s*(\d)(?:\s*(?:-|–|and|to)\s*(\d))?", re.IGNORECASE)


def target_ages(text) -> list[tuple[float, float]] | None:
    """A target group's text -> the age ranges it covers, None when it says nothing about age (or "everyone").
    "Under 5s and their carers" -> [(0, 4), (18, 64)]; "Children aged 9-13" -> [(9, 13)]; "Older adults" ->
    [(65, inf)]."""
    text = _text(text)
    if text is None or _EVERYONE.search(text):
        return None
    found = None
    m = _AGED.search(text)
    if m:
        found = (float(m[1]), float(m[2]))
    elif (m := _UNDER_T.search(text)):
        found = (0.0, float(m[1]) - 1)
    elif (m := _OVER_T.search(text)):
        found = (float(next(g for g in m.groups() if g)), math.inf)
    else:
        found = next(((float(a), float(b)) for pattern, (a, b) in _AGE_WORDS if pattern.search(text)), None)
    if found is None:
        return None
    return [found]  # "and their carers": the carers come with them, but the programme is aimed at the children


def target_baseline(dimension: str, text, population: dict) -> dict | None:
    """The baseline of one dimension restricted to a target group's groups, None when the target does not
    narrow this dimension (no mention of it, "everyone", or nothing in the baseline would be left)."""
    text = _text(text)
    if text is None:
        return None
    keep: list[str] = []
    if dimension == "age_band":
        ranges = target_ages(text)
        if ranges is None:
            return None
        for label in population:
            r = age_range(label)
            if r is not None and any(r[0] <= high and low <= r[1] for low, high in ranges):
                keep.append(label)
    elif dimension == "deprivation_quintile":
        m = _QUINTILE.search(text)
        wanted = set()
        if m:
            wanted = {str(q) for q in range(int(m[1]), int(m[2] or m[1]) + 1)}
        elif _MOST_DEPRIVED.search(text):
            wanted = {"1", "2"}
        keep = [label for label in population if str(label).strip().lstrip("Qq").split(".")[0] in wanted]
    else:  # area and any other dimension: the baseline's own group names, mentioned in the text
        lowered = text.casefold()
        keep = [label for label in population
                if re.search(r"(?<!\w)" + re.escape(str(label).casefold()) + r"(?!\w)", lowered)]
    if not keep or len(keep) == len(population):
        return None
    return {label: population[label] for label in keep}


def programme_targets(data: Prepared) -> list[str | None]:
    """The `target_group` text of every programme (by code), None where it is not recorded."""
    frame = data.frames.get("programmes")
    if frame is None or "target_group" not in frame or not len(frame):
        return [None] * len(data.programmes)
    by_key = {}
    for name, target in zip(frame["name"].astype(str), frame["target_group"]):
        by_key.setdefault(slug(name), _text(target))
    return [by_key.get(key) for key in data.programmes["key"]]


# --- participants from the prepared rows -------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Counted:
    """Who took part, per label code of one dimension, with what the cluster-robust interval and the target
    mix need."""

    source: str
    unit: str
    counts: np.ndarray  # per label code
    not_recorded: int
    by_programme: np.ndarray  # (programmes, label codes): participants' weight per programme, for the target mix
    by_cluster: np.ndarray  # (clusters, label codes)
    cluster_unit: str  # programmes | sessions
    cluster_programme: np.ndarray  # programme code of each cluster


def _clusters(programme: np.ndarray, session: np.ndarray, codes: np.ndarray, weights: np.ndarray,
              size: int) -> tuple[np.ndarray, str, np.ndarray]:
    """Weights per (cluster, label code): programmes when there are MIN_CLUSTERS of them, else sessions;
    and the programme of each cluster."""
    inverse, c = dense_codes(programme)
    unit = "programmes"
    if c < MIN_CLUSTERS:
        (inverse, c), unit = dense_codes(session), "sessions"
    table = np.bincount(inverse * size + codes, weights=weights, minlength=c * size)[: c * size].reshape(c, size)
    owner = np.zeros(c, "int64")
    owner[inverse] = programme
    return table, unit, owner


def counted(data: Prepared, selection: Selection, dimension: str, source: str = "auto") -> Counted | None:
    """Participants of the selected rows per label code (see `participants`), with per-programme and
    per-cluster counts; None when neither attendance nor surveys record the dimension in scope."""
    size = len(data.group_labels[dimension])
    n_prog = len(data.programmes)
    if source in ("auto", ATTENDANCE):
        att = data.attendance
        rows = np.flatnonzero(selection.attendance & (att.weights["recorded"] > 0))
        codes = att.groups[dimension][rows]
        known = codes >= 0
        if known.any():
            kr, kc = rows[known], codes[known]
            weights = att.weights["attendees"][kr]
            prog = att.programme[kr]
            by_prog = np.zeros((n_prog, size))
            ok = prog >= 0
            np.add.at(by_prog, (prog[ok], kc[ok]), weights[ok])
            session = np.where(att.session[kr] >= 0, att.session[kr], len(data.session_sessions) + kr)
            clusters, unit_c, owner = _clusters(prog, session, kc, weights, size)
            people = att.participant[rows]
            if (people[known] >= 0).all():
                groups, _ = distinct_pairs(kc, people[known], int(att.participant.max()) + 1, size)
                counts = np.bincount(groups, minlength=size)[:size]
                missing = len(np.setdiff1d(people[~known], people[known])) if (~known).any() else 0
                return Counted(ATTENDANCE, "people", counts.astype("int64"), int(missing), by_prog, clusters, unit_c,
                               owner)
            counts = np.bincount(kc, weights=weights, minlength=size)[:size]
            return Counted(ATTENDANCE, "attendances", np.round(counts).astype("int64"),
                           int(np.rint(att.weights["attendees"][rows][~known].sum())), by_prog, clusters, unit_c,
                           owner)
        if source == ATTENDANCE:
            return None
    srv = data.surveys
    rows = np.flatnonzero(selection.surveys & (srv.wave == POST))
    codes = srv.groups[dimension][rows]
    known = codes >= 0
    if not known.any():
        return None
    kr, kc = rows[known], codes[known]
    prog = srv.programme[kr]
    ones = np.ones(len(kr))
    by_prog = np.zeros((n_prog, size))
    ok = prog >= 0
    np.add.at(by_prog, (prog[ok], kc[ok]), 1.0)
    _, session = unique_rows(prog, srv.day[kr])
    clusters, unit_c, owner = _clusters(prog, np.asarray(session).ravel(), kc, ones, size)
    return Counted(SURVEYS, "responses", np.bincount(kc, minlength=size)[:size].astype("int64"),
                   int((~known).sum()), by_prog, clusters, unit_c, owner)


def participants(data: Prepared, selection: Selection, dimension: str,
                 source: str = "auto") -> tuple[str, str, np.ndarray, int] | None:
    """(source, unit, participants per label code of `data.group_labels[dimension]`, not recorded) for the
    selected rows, or None when neither attendance nor surveys record the dimension in scope."""
    found = counted(data, selection, dimension, source)
    return None if found is None else (found.source, found.unit, found.counts, found.not_recorded)


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
                    catchments: tuple[str, ...] = (), clusters: dict | None = None, cluster_unit: str = "",
                    programme_counts: dict | None = None, programme_targets: list | None = None,
                    cluster_programme: np.ndarray | None = None,
                    margin_of_error: dict | None = None) -> DimensionReach:
    """{participants' label: participants} and {baseline label: population} of one dimension -> DimensionReach.

    clusters           {participants' label: per-cluster participants (one array, same clusters for every label)}:
                       the share's interval is then cluster-robust, with its design effect
    programme_counts   {participants' label: participants per programme code} and
    programme_targets  [(target baseline or None = the whole baseline, target text)] per programme code: each
                       programme is compared against its own target groups (participants outside them are
                       `outside_target`, left out of the shares), and the baseline share is the mix of the
                       programmes' target shares weighted by their participants in target
    cluster_programme  programme code of each cluster (to leave out-of-target participants out of clusters too)
    margin_of_error    {baseline label: ± 95% margin in people}: a survey-based baseline (Fieller interval)"""
    counts = {str(label): int(v) for label, v in counts.items() if v}
    match = match_groups(dimension, list(counts), list(population))
    size = len(match.groups)
    k = np.zeros(size)
    for label, group in match.participant_group.items():
        k[group] += counts[label]
    pop = np.zeros(size)
    for label, group in match.population_group.items():
        pop[group] += population[label]
    expected, baseline_label, targets, outside = None, "residents", (), 0
    in_target = None  # (programmes, groups) bool
    if programme_counts and programme_targets and any(t[0] is not None for t in programme_targets):
        n_prog = len(programme_targets)
        per_prog = np.zeros((n_prog, size))
        for label, group in match.participant_group.items():
            if label in programme_counts:
                per_prog[:, group] += programme_counts[label]
        in_target = np.ones((n_prog, size), bool)
        mixed, described = np.zeros(size), {}
        for code, (restricted, text) in enumerate(programme_targets):
            if restricted is not None:
                in_target[code] = False
                for label in restricted:
                    group = match.population_group.get(label)
                    if group is not None:
                        in_target[code, group] = True
                described[text] = ", ".join(map(str, restricted))
            w = float((per_prog[code] * in_target[code]).sum())
            vec = pop * in_target[code]
            if w > 0 and vec.sum() > 0:
                mixed += w * vec / vec.sum()
        kept = (per_prog * in_target).sum(axis=0)
        scale = np.divide(kept, per_prog.sum(axis=0), out=np.ones(size), where=per_prog.sum(axis=0) > 0)
        new_k = np.round(k * scale)  # people: the in-target share of their attendances
        outside = int(k.sum() - new_k.sum())
        k = new_k
        if mixed.sum() > 0:
            expected = mixed / mixed.sum()
            targets = tuple(sorted(described.items()))
            baseline_label = ("residents in the programmes' target groups (weighted by where the "
                              f"{UNITS.get(unit, unit).split(' (')[0]} were)")
    deffs, n_clusters = None, 0
    if clusters:
        first = next(iter(clusters.values()))
        per_group = np.zeros((len(first), size))
        for label, group in match.participant_group.items():
            if label in clusters:
                per_group[:, group] += clusters[label]
        if in_target is not None and cluster_programme is not None:
            per_group = per_group * in_target[cluster_programme]
        total_c = per_group.sum(axis=1)
        n_clusters = int((total_c > 0).sum())
        deffs = np.ones(size)
        n = float(total_c.sum())
        for g in range(size):
            v, _ = cluster_variance(per_group[:, g], total_c)
            p = per_group[:, g].sum() / n if n else 0.0
            srs = p * (1 - p) / n if n else 0.0
            deffs[g] = max(1.0, v / srs) if v is not None and srs > 0 else 1.0
    se = None
    if margin_of_error:
        moe = np.zeros(size)
        for label, group in match.population_group.items():
            moe[group] = math.sqrt(moe[group] ** 2 + float(margin_of_error.get(label, 0.0) or 0.0) ** 2)
        q = (expected if expected is not None else pop / pop.sum()) if pop.sum() else np.zeros(size)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.where(pop > 0, q * (moe / 1.959963984540054) / pop, 0.0)
    rows, d = representation(k, pop, threshold, match.groups, expected, deffs, n_clusters, se, unit)
    labels = {i: tuple(lab for lab, g in match.participant_group.items() if g == i) for i in range(size)}
    rows = [GroupReach(**{**asdict(r), "labels": labels[i]}) for i, r in enumerate(rows)]
    if expected is not None:  # groups no programme in scope aims at are not compared (no index, no blindspot)
        rows = [r if expected[i] > 0 else GroupReach(**{**asdict(r), "labels": r.labels, "representation_index": None,
                                                         "ri_low": None, "ri_high": None, "blindspot": False,
                                                         "shortfall": None, "population_unreached": None})
                for i, r in enumerate(rows)]
    extra = {}
    if dimension == "deprivation_quintile":
        share, q, index, c = _most_deprived(match, k, pop if expected is None else expected, min_n)
        extra = {"most_deprived": share, "most_deprived_population_share": q, "most_deprived_index": index,
                 "concentration_index": c}
    return DimensionReach(
        dimension=dimension, source=source, unit=unit, participants=int(k.sum()), not_recorded=int(not_recorded),
        groups=tuple(rows), dissimilarity=d, threshold=threshold,
        unmatched=tuple(Unmatched(label, counts[label]) for label in match.unmatched_participants),
        merged=match.merged, catchments=catchments, reliable=int(k.sum()) >= min_n, baseline_label=baseline_label,
        targets=targets, clusters=n_clusters, cluster_unit=cluster_unit if clusters else "",
        design_effect=float(deffs.max()) if deffs is not None and len(deffs) else None, outside_target=outside,
        **extra)


_BASELINES: dict = {}  # (id(Prepared), catchments) -> (weak reference, what _baselines returns)


def _baselines(data: Prepared, catchments: tuple) -> tuple:
    """The population baseline, its margins of error and the programmes' target groups: functions of the data
    version and the catchments alone, read once per `Prepared` (not per scope). Shared: read, never changed."""
    key = (id(data), catchments)
    cached = _BASELINES.get(key)
    if cached is not None and cached[0]() is data:
        return cached[1]
    population = data.frames.get("population")
    found = (*baseline(population, catchments), baseline_errors(population, catchments), programme_targets(data))
    for k in [k for k, (ref, _) in list(_BASELINES.items()) if ref() is None]:
        _BASELINES.pop(k, None)
    _BASELINES[key] = (weakref.ref(data), found)
    return found


def reach_equity(data, filters: Filters | None = None, threshold: float = DEFAULT_THRESHOLD, min_n: int = 10,
                 dimensions=None, source: str = "auto", catchments=None,
                 selection: Selection | None = None, use_targets: bool = True) -> ReachEquity:
    """Canonical frames (or `Prepared`) + Filters -> equity of reach on every dimension the baseline has.

    `dimensions` narrows the dimensions; `source` forces "attendance" or "surveys"; `catchments` names the
    baseline catchments to compare against (default: the branches the filters name, where the baseline has them).
    """
    data = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    if catchments is None:
        catchments = filters.branches
    base, unknown, used, errors, targets = _baselines(data, tuple(catchments))
    wanted = list(dimensions) if dimensions else [d for d in data.group_labels if d in base]
    results, skipped = {}, {}
    for dim in wanted:
        if dim not in data.group_labels:
            skipped[dim] = f"not a demographic column (one of {', '.join(data.group_labels)})"
            continue
        if dim not in base:
            skipped[dim] = "no population baseline for this dimension: add it to the population table"
            continue
        found = counted(data, selection, dim, source)
        if found is None:
            skipped[dim] = "no attendance or survey rows in scope record this dimension"
            continue
        labels = data.group_labels[dim]
        counts = {labels[i]: int(v) for i, v in enumerate(found.counts) if v}
        clusters = {labels[i]: found.by_cluster[:, i] for i in range(len(labels)) if found.counts[i]}
        per_programme = {labels[i]: found.by_programme[:, i] for i in range(len(labels)) if found.counts[i]}
        aimed = [(target_baseline(dim, t, base[dim]) if use_targets else None, t) for t in targets]
        results[dim] = dimension_reach(dim, found.source, found.unit, counts, found.not_recorded, base[dim],
                                       threshold, min_n, used.get(dim, ()), clusters, found.cluster_unit,
                                       per_programme, aimed, found.cluster_programme, errors.get(dim))
    return ReachEquity(dimensions=results, skipped=skipped, unknown_dimensions=unknown)


__all__ = [
    "UNITS",
    "Counted",
    "DimensionReach",
    "GroupReach",
    "ReachEquity",
    "Unmatched",
    "baseline",
    "baseline_errors",
    "concentration_index",
    "counted",
    "dimension_reach",
    "dissimilarity",
    "participants",
    "programme_targets",
    "reach_equity",
    "representation",
    "target_ages",
    "target_baseline",
]
