"""Outcomes (what changed for people): positive rates, 5-point distributions, change from before to after.

positive rate   share answering 4 or 5 among valid answers (1-5) of one item in one wave, Wilson 95% CI.
                N/A, don't know and blank are missing: out of n, never counted as negative, never in a mean.
mean            mean of the valid answers; distribution: how many answered 1, 2, 3, 4, 5.
response rate   post-session responses / attendance, beside every outcome figure.
change          pre -> post, matched on respondent id within a programme when at least two pairs
                answered the item (paired: mean difference, Cohen's d_z, Wilcoxon signed-rank p,
                improved / same / worse, McNemar's exact test on agreeing before and after);
                otherwise every pre answer against every post answer (unpaired: difference in
                means, Hedges' g, Mann-Whitney U p), and `method` says which.
follow-up application rate
                positive rate of `application` in the follow_up wave.
clustering      answers cluster: people at one session, programmes with different results. Every positive
                rate's interval is cluster-robust (`impact.stats.clustered_share`): programmes are the clusters
                when the answers come from at least MIN_CLUSTERS programmes, sessions (programme × date)
                otherwise; the design effect and the clusters are on the Outcome. With one cluster there is
                no interval at all.
change-worded   an item that asks about change ("I learned something new", "I feel MORE confident") means
                nothing before the session: its pre answers are never compared with post answers
                (`CHANGE_WORDED`); change is computed only for items that describe a state.

Everything here is built from counts of answers per (group, wave, item, answer) and of pairs per
(group, item, answer before, answer after): the 5-point scale makes those tables tiny, and every
statistic above is a function of them.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from impact.filters import (
    NO_DAY,
    WAVES,
    Filters,
    Grouping,
    GroupSums,
    Prepared,
    Selection,
    grouping,
    prepare,
    select,
    unique_rows,
)
from impact.stats import (
    POSITIVE_FROM,
    Change,
    Clustered,
    cluster_variance,
    clustered_share,
    paired_change_from_table,
    proportion,
    ratio,
    t_quantile,
    unpaired_change_from_counts,
)

LEVELS = np.arange(1, 6)
PRE, POST, FOLLOW_UP = (WAVES.index(w) for w in ("pre", "post", "follow_up"))
NOT_OUTCOMES = ("satisfaction",)  # satisfaction is asked, but it is not a change in the person
MIN_CLUSTERS = 10  # programmes needed before programmes (not sessions) are the clusters of an interval
# The canonical items (PLA Project Outcome) are worded as change or about the session itself: a pre answer to
# "I learned something new" or "I was satisfied with the session" is not a baseline.
CHANGE_WORDED = ("knowledge", "confidence", "application", "awareness", "library_use", "satisfaction")
_CHANGE_WORDS = re.compile(r"more|better|improv|increas|learn|less|new|now|since|after", re.IGNORECASE)


def change_worded(domain: str) -> bool:
    """Whether an item asks about change (pre answers mean nothing): the canonical items, and custom items whose
    name says more, better, improved, learned, new, ..."""
    return domain in CHANGE_WORDED or bool(_CHANGE_WORDS.search(domain.removeprefix("outcome_")))


@dataclass(frozen=True)
class Outcome:
    domain: str
    wave: str
    n: int  # valid answers (1-5)
    positive: int  # answers of 4 or 5
    positive_rate: float | None
    ci_low: float | None
    ci_high: float | None
    mean: float | None
    distribution: tuple[int, int, int, int, int]  # answers of 1, 2, 3, 4, 5
    missing: int  # responses in the wave that left this item blank, N/A or don't know
    response_rate: float | None  # post responses / attendance in the same scope
    reliable: bool  # n reaches the display minimum
    design_effect: float | None = None  # of the cluster-robust interval (ci_low, ci_high)
    clusters: int = 0
    cluster_unit: str = ""  # programmes | sessions

    @property
    def half_width(self) -> float | None:
        return None if self.ci_low is None or self.ci_high is None else (self.ci_high - self.ci_low) / 2

    def to_dict(self) -> dict:
        out = dict(self.__dict__)
        out["distribution"] = {str(level): int(c) for level, c in zip(LEVELS, self.distribution)}
        return out


@dataclass(frozen=True, eq=False)
class OutcomeTally:
    domains: tuple[str, ...]
    answers: np.ndarray  # (groups, waves, domains, 6): column 0 = missing, 1..5 = answers
    pairs: np.ndarray  # (groups, domains, 6, 6): pre answer x post answer of matched pairs
    responses: np.ndarray  # survey rows per group, all waves
    post_responses: np.ndarray
    attendance: np.ndarray
    clusters: ClusterCounts | None = None
    pair_clusters: ClusterCounts | None = None

    def clustered(self, i: int, domain: str, wave: str = "post") -> Clustered | None:
        """Cluster-robust positive rate of one item (see the module docstring), None without cluster counts."""
        if self.clusters is None:
            return None
        return self.clusters.share(i, WAVES.index(wave), self.domains.index(domain))

    def outcome(self, i: int, domain: str, wave: str = "post", min_n: int = 10) -> Outcome | None:
        d = self.domains.index(domain)
        counts = self.answers[i, WAVES.index(wave), d]
        n = int(counts[1:].sum())
        if n == 0:
            return None
        positive = int(counts[POSITIVE_FROM:].sum())
        p = proportion(positive, n, min_n)
        low, high, deff, clusters, unit = p.low, p.high, None, 0, ""
        c = self.clustered(i, domain, wave)
        if c is not None:
            low, high, deff, clusters = c.low, c.high, c.design_effect, c.clusters
        if self.clusters is not None:
            unit = self.clusters.unit(i, WAVES.index(wave), d)
        return Outcome(domain=domain, wave=wave, n=n, positive=positive, positive_rate=p.rate, ci_low=low,
                       ci_high=high, mean=float((counts[1:] * LEVELS).sum() / n),
                       distribution=tuple(int(c) for c in counts[1:]), missing=int(counts[0]),
                       response_rate=ratio(self.post_responses[i], self.attendance[i]).value, reliable=p.reliable,
                       design_effect=deff, clusters=clusters, cluster_unit=unit)

    def outcomes(self, i: int, wave: str = "post", min_n: int = 10) -> dict[str, Outcome]:
        found = {d: self.outcome(i, d, wave, min_n) for d in self.domains}
        return {d: o for d, o in found.items() if o is not None}

    def change(self, i: int, domain: str, min_n: int = 10) -> Change | None:
        """Change from pre to post of a state-worded item; None for a change-worded one (see CHANGE_WORDED)."""
        if change_worded(domain):
            return None
        d = self.domains.index(domain)
        table = self.pairs[i, d, 1:, 1:]
        if table.sum() >= 2:
            found = paired_change_from_table(LEVELS, table, min_n)
            return self._clustered_mean(found, i, d)
        return unpaired_change_from_counts(LEVELS, self.answers[i, PRE, d, 1:], self.answers[i, POST, d, 1:], min_n)

    def _clustered_mean(self, c: Change, i: int, d: int) -> Change:
        """The paired change with its mean difference's cluster-robust 95% interval: the linearised variance of
        Σ differences / pairs over programmes (or sessions of the post answer), t on clusters − 1 df; the design
        effect against the independent-pairs variance s²/n. Without two clusters, the paired t interval."""
        from dataclasses import replace

        if c is None or c.mean_diff is None:
            return c
        pc = self.pair_clusters
        var_d = None
        if c.effect_size is not None and c.effect_size != 0:
            var_d = (c.mean_diff / c.effect_size) ** 2
        rows = pc._rows(i, 0, d) if pc is not None else np.zeros(0, "int64")
        key, unit = pc._by(rows) if len(rows) else (None, "pairs")
        if key is not None and c.n >= 2:
            _, inverse = np.unique(key, return_inverse=True)
            v, clusters = cluster_variance(np.bincount(inverse, weights=pc.positive[rows, d]),
                                           np.bincount(inverse, weights=pc.valid[rows, d]))
            if v is not None:
                t = t_quantile(0.975, clusters - 1)
                srs = var_d / c.n if var_d else None
                deff = max(1.0, v / srs) if srs else None
                half = t * math.sqrt(max(v, srs or 0.0))
                return replace(c, mean_low=c.mean_diff - half, mean_high=c.mean_diff + half, design_effect=deff,
                               clusters=clusters, cluster_unit=unit)
        if var_d is not None and c.n >= 2:  # one cluster, or no dates: pairs taken as independent (paired t)
            half = t_quantile(0.975, c.n - 1) * math.sqrt(var_d / c.n)
            return replace(c, mean_low=c.mean_diff - half, mean_high=c.mean_diff + half, cluster_unit="pairs")
        return c

    def changes(self, i: int, min_n: int = 10) -> dict[str, Change]:
        found = {d: self.change(i, d, min_n) for d in self.domains}
        return {d: c for d, c in found.items() if c is not None}

    def positive_rate(self, i: int, wave: str = "post", domain: str | None = None) -> tuple[int, int]:
        """(positive answers, valid answers) of one item, or pooled over every outcome item
        (satisfaction left out) when `domain` is None."""
        items = [domain] if domain else [d for d in self.domains if d not in NOT_OUTCOMES]
        idx = [self.domains.index(d) for d in items if d in self.domains]
        counts = self.answers[i, WAVES.index(wave)][idx]
        return int(counts[:, POSITIVE_FROM:].sum()), int(counts[:, 1:].sum())


@dataclass(frozen=True, eq=False)
class ClusterCounts:
    """Valid and positive answers per (group, programme, session, wave), sorted by group: what cluster-robust
    intervals are computed from."""

    group: np.ndarray
    programme: np.ndarray
    session: np.ndarray
    wave: np.ndarray
    valid: np.ndarray  # (keys, domains)
    positive: np.ndarray
    starts: np.ndarray  # first key of each group (len groups + 1)
    dated: np.ndarray | None = None  # per session code: whether it has a date

    def _rows(self, i: int, wave: int, d: int):
        lo, hi = self.starts[i], self.starts[i + 1]
        keep = (self.wave[lo:hi] == wave) & (self.valid[lo:hi, d] > 0)
        return np.arange(lo, hi)[keep]

    def _by(self, rows) -> tuple[np.ndarray | None, str]:
        """Cluster of each key: programmes when there are MIN_CLUSTERS of them, else dated sessions; None (the
        answers taken as independent, Wilson) when there is only one cluster or no session has a date."""
        if len(np.unique(self.programme[rows])) >= MIN_CLUSTERS:
            return self.programme[rows], "programmes"
        if self.dated is not None and not self.dated[self.session[rows]].any():
            return None, "answers"
        if len(np.unique(self.session[rows])) < 2:
            return None, "answers"
        return self.session[rows], "sessions"

    def unit(self, i: int, wave: int, d: int) -> str:
        rows = self._rows(i, wave, d)
        return self._by(rows)[1] if len(rows) else ""

    def share(self, i: int, wave: int, d: int) -> Clustered | None:
        rows = self._rows(i, wave, d)
        if not len(rows):
            return None
        key, unit = self._by(rows)
        if key is None:
            return None
        _, inverse = np.unique(key, return_inverse=True)
        k = np.bincount(inverse, weights=self.positive[rows, d])
        n = np.bincount(inverse, weights=self.valid[rows, d])
        return clustered_share(k, n, unit)


def cluster_counts(data: Prepared, rows: np.ndarray, grp: Grouping) -> ClusterCounts:
    """Answer counts per (row code, programme, session, wave) of the selected survey rows, folded into groups."""
    srv = data.surveys
    scores = srv.scores[rows].astype("int64")
    return _cluster_table(srv.programme[rows], srv.day[rows], srv.wave[rows], grp.surveys[rows],
                          (scores > 0).astype("float64"), (scores >= POSITIVE_FROM).astype("float64"), grp)


def pair_clusters(data: Prepared, before: np.ndarray, after: np.ndarray, grp: Grouping) -> ClusterCounts:
    """Matched pairs per (row code, programme, session of the post answer): `valid` = pairs answering the item
    both times, `positive` = the sum of their differences (after − before), for the cluster-robust mean change."""
    srv = data.surveys
    b, a = srv.scores[before].astype("int64"), srv.scores[after].astype("int64")
    both = (b > 0) & (a > 0)
    return _cluster_table(srv.programme[after], srv.day[after], np.zeros(len(after), "int64"), grp.surveys[after],
                          both.astype("float64"), np.where(both, a - b, 0).astype("float64"), grp)


def _cluster_table(prog, day, wave, code, valid_rows, sum_rows, grp: Grouping) -> ClusterCounts:
    n_dom = valid_rows.shape[1] if valid_rows.ndim == 2 else 0
    sessions, session = unique_rows(prog, day) if len(prog) \
        else (np.zeros((2, 0), "int64"), np.zeros(0, "int64"))
    session = np.asarray(session, "int64").ravel()
    dated = sessions[1] != NO_DAY
    keys, inverse = unique_rows(code, session, wave) \
        if len(prog) else (np.zeros((3, 0), "int64"), np.zeros(0, "int64"))
    inverse = np.asarray(inverse, "int64").ravel()
    k = keys.shape[1]
    valid = np.zeros((k, n_dom))
    positive = np.zeros((k, n_dom))
    for d in range(n_dom):
        valid[:, d] = np.bincount(inverse, weights=valid_rows[:, d], minlength=k)
        positive[:, d] = np.bincount(inverse, weights=sum_rows[:, d], minlength=k)
    key_prog = np.zeros(k, "int64")
    key_prog[inverse] = prog
    group, key_session, key_wave = keys[0], keys[1], keys[2]
    if grp.members is not None:  # row codes are programmes: one copy of each key per group the programme is in
        programmes, groups = grp.members
        order = np.argsort(programmes, kind="stable")
        programmes, groups = programmes[order], groups[order]
        first = np.searchsorted(programmes, group, side="left")
        last = np.searchsorted(programmes, group, side="right")
        repeat = last - first
        take = np.repeat(np.arange(k), repeat)
        offset = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        group = groups[np.repeat(first, repeat) + offset]
        key_prog, key_session, key_wave = key_prog[take], key_session[take], key_wave[take]
        valid, positive = valid[take], positive[take]
    order = np.argsort(group, kind="stable")
    size = len(grp.labels)
    starts = np.searchsorted(group[order], np.arange(size + 1))
    return ClusterCounts(group[order], key_prog[order], key_session[order], key_wave[order], valid[order],
                         positive[order], starts, dated)


def tally(data: Prepared, selection: Selection, grp: Grouping, attendance: np.ndarray | None = None) -> OutcomeTally:
    """Answer and pair counts for every group of `grp` over the selected survey rows."""
    srv, size = data.surveys, grp.size
    n_dom, n_waves = len(data.domains), len(WAVES)
    cells = n_waves * 6
    rows = np.flatnonzero(selection.surveys)
    codes = grp.surveys[rows]
    answers = np.zeros((size, n_dom, cells), "int64")
    for d in range(n_dom):  # one bincount per item over (group, wave, answer)
        answers[:, d] = np.bincount(codes * cells + srv.wave_scores[d, rows],
                                    minlength=size * cells)[: size * cells].reshape(size, cells)
    answers = answers.reshape(size, n_dom, n_waves, 6).transpose(0, 2, 1, 3)
    kept = selection.surveys[srv.pair_after]  # a pair is in scope when its post answer is
    before, after = srv.pair_before[kept], srv.pair_after[kept]
    both = (srv.scores[before] > 0) & (srv.scores[after] > 0)
    index = (((grp.surveys[after][:, None] * n_dom + np.arange(n_dom)) * 6 + srv.scores[before]) * 6
             + srv.scores[after])[both]
    pairs = np.bincount(index, minlength=size * n_dom * 36)[: size * n_dom * 36].reshape(size, n_dom, 6, 6)
    post = np.bincount(codes[srv.wave[rows] == POST], minlength=size)[:size]
    if attendance is None:
        att = data.attendance
        attendance = grp.fold(GroupSums(selection.attendance, grp.attendance, size)(att.weights["attendees"]))
    return OutcomeTally(domains=data.domains, answers=grp.fold(answers), pairs=grp.fold(pairs),
                        responses=grp.fold(np.bincount(codes, minlength=size)[:size]),
                        post_responses=grp.fold(post), attendance=attendance,
                        clusters=cluster_counts(data, rows, grp), pair_clusters=pair_clusters(data, before, after, grp))


def _one(data, filters) -> tuple[Prepared, OutcomeTally]:
    data = prepare(data)
    selection = select(data, filters)
    return data, tally(data, selection, grouping(data, None))


def outcomes(data, filters: Filters | None = None, min_n: int = 10, wave: str = "post") -> dict[str, Outcome]:
    """Canonical frames (or `Prepared`) + Filters -> {item: Outcome} for items answered in `wave`."""
    return _one(data, filters)[1].outcomes(0, wave, min_n)


def change(data, filters: Filters | None = None, min_n: int = 10) -> dict[str, Change]:
    """Canonical frames + Filters -> {item: Change} from pre to post, paired where respondents match."""
    return _one(data, filters)[1].changes(0, min_n)


def follow_up_application(data, filters: Filters | None = None, min_n: int = 10) -> Outcome | None:
    """Positive rate of `application` ("I have applied what I learned") in the follow-up wave."""
    t = _one(data, filters)[1]
    return t.outcome(0, "application", "follow_up", min_n) if "application" in t.domains else None


def outcomes_by(data, dimension: str, filters: Filters | None = None, min_n: int = 10,
                wave: str = "post") -> list[tuple[str, dict[str, Outcome]]]:
    """Outcomes per group of `dimension` (theme, programme, partner, age_band, period, ...)."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    grp = grouping(data, dimension, filters, selection)
    t = tally(data, selection, grp)
    return [(label, t.outcomes(i, wave, min_n)) for i, label in enumerate(grp.labels) if t.responses[i]]


__all__ = ["CHANGE_WORDED", "ClusterCounts", "DimensionAnswered", "GroupAnswered", "Outcome", "OutcomeTally", "WhoAnswered", "change", "change_worded", "cluster_counts", "follow_up_application", "outcomes", "outcomes_by", "tally", "who_answered"]


# --- who answered -------------------------------------------------------------------------------------

DIFFERENCE_THRESHOLD = 0.10  # respondents' share of a group this far from attendances' share: a warning


@dataclass(frozen=True)
class GroupAnswered:
    group: str
    attendances: int
    attendance_share: float | None
    responses: int
    response_share: float | None
    difference: float | None  # response share − attendance share

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DimensionAnswered:
    """Respondents against attendances on one dimension both record (shares among those with it recorded)."""

    dimension: str
    groups: tuple[GroupAnswered, ...]
    attendances: int  # with the dimension recorded
    responses: int
    largest_difference: float | None
    differs: bool  # some group's shares differ by more than the threshold

    def to_dict(self) -> dict:
        return {"dimension": self.dimension, "groups": [g.to_dict() for g in self.groups],
                "attendances": self.attendances, "responses": self.responses,
                "largest_difference": self.largest_difference, "differs": self.differs}


@dataclass(frozen=True)
class WhoAnswered:
    """The response rate and whether respondents look like attendees (SPEC: every outcome view says so).

    weighted: {item: (crude positive rate, raked positive rate)}: respondents weighted by raking (iterative
    proportional fitting, Deming & Stephan 1940) to the attendance profile on every dimension both record;
    labelled as such wherever shown, never in place of the crude rate."""

    attendance: int
    responses: int
    response_rate: float | None
    dimensions: tuple[DimensionAnswered, ...]
    threshold: float
    weighted: dict

    @property
    def differs(self) -> list[DimensionAnswered]:
        return [d for d in self.dimensions if d.differs]

    def warning(self) -> str:
        """One sentence for a page or a pack, "" when respondents look like attendees (or nothing compares)."""
        if not self.differs:
            return ""
        parts = []
        for d in self.differs:
            g = max(d.groups, key=lambda x: abs(x.difference or 0))
            parts.append(f"{d.dimension.replace('_', ' ')} {g.group}: {100 * g.attendance_share:.0f}% of attendances "
                         f"but {100 * g.response_share:.0f}% of responses")
        return ("Respondents differ from attendees (" + "; ".join(parts) + "): outcome rates describe those who "
                "answered; a rate weighted to the attendance profile is shown beside them, labelled as such.")

    def to_dict(self) -> dict:
        return {"attendance": self.attendance, "responses": self.responses, "response_rate": self.response_rate,
                "threshold": self.threshold, "dimensions": [d.to_dict() for d in self.dimensions],
                "differs": [d.dimension for d in self.differs], "warning": self.warning(),
                "weighted_positive_rate": {k: {"crude": v[0], "weighted_to_attendance": v[1]}
                                           for k, v in self.weighted.items()}}


def _rake(codes: list[np.ndarray], targets: list[np.ndarray], rounds: int = 50) -> np.ndarray:
    """Weights for rows so each dimension's weighted shares match `targets` (codes -1 = not recorded, a category
    of its own kept at its own share). Iterative proportional fitting, on the distinct combinations of codes (rows
    sharing every code share a weight): a few hundred cells per round instead of every response in scope."""
    n = len(codes[0]) if codes else 0
    if not n:
        return np.ones(0)
    cells, inverse, sizes = unique_rows(*codes, counts=True)
    w = np.ones(cells.shape[1])
    idxs = [np.where(c >= 0, c, len(target)) for c, target in zip(cells, targets)]
    for _ in range(rounds):
        for idx, target in zip(idxs, targets):
            k = len(target)
            current = np.bincount(idx, weights=w * sizes, minlength=k + 1)
            total = current.sum()
            want = np.append(target * (total - current[k]), current[k])
            factor = np.divide(want, current, out=np.ones(k + 1), where=current > 0)
            w = w * factor[idx]
    return w[inverse]


def who_answered(data, filters: Filters | None = None, threshold: float = DIFFERENCE_THRESHOLD,
                 min_n: int = 10) -> WhoAnswered:
    """Canonical frames (or `Prepared`) + Filters -> response rate, respondents against attendances on every
    demographic dimension both record, and positive rates raked to the attendance profile."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    att, srv = data.attendance, data.surveys
    a_rows = np.flatnonzero(selection.attendance & (att.weights["recorded"] > 0))
    s_rows = np.flatnonzero(selection.surveys & (srv.wave == POST))
    attendance = round(att.weights["attendees"][a_rows].sum())
    dims, codes, targets = [], [], []
    for dim, labels in data.group_labels.items():
        size = len(labels)
        if not size:
            continue
        ac, sc = att.groups[dim][a_rows], srv.groups[dim][s_rows]
        ak, sk = ac >= 0, sc >= 0
        if not ak.any() or not sk.any():
            continue
        a = np.bincount(ac[ak], weights=att.weights["attendees"][a_rows][ak], minlength=size)[:size]
        s = np.bincount(sc[sk], minlength=size)[:size].astype("float64")
        a_share, s_share = a / a.sum(), s / s.sum()
        groups = tuple(GroupAnswered(str(labels[i]), round(a[i]), float(a_share[i]), int(s[i]), float(s_share[i]),
                                     float(s_share[i] - a_share[i])) for i in range(size) if a[i] or s[i])
        largest = max((abs(g.difference) for g in groups), default=None)
        reliable = s.sum() >= min_n and a.sum() >= min_n
        dims.append(DimensionAnswered(dim, groups, round(a.sum()), int(s.sum()), largest,
                                      bool(reliable and largest is not None and largest > threshold)))
        if reliable:
            codes.append(sc)
            targets.append(a_share)
    weighted = {}
    if codes and len(s_rows):
        w = _rake(codes, targets)
        for d, domain in enumerate(data.domains):
            if domain in NOT_OUTCOMES:
                continue
            score = srv.scores[s_rows, d]
            valid = score > 0
            if valid.sum() < min_n:
                continue
            good = score >= POSITIVE_FROM
            weighted[domain] = (float(good[valid].mean()), float((w * good)[valid].sum() / w[valid].sum()))
    rate = ratio(len(s_rows), attendance).value
    return WhoAnswered(attendance, len(s_rows), rate, tuple(dims), threshold, weighted)
