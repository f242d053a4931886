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

Everything here is built from counts of answers per (group, wave, item, answer) and of pairs per
(group, item, answer before, answer after): the 5-point scale makes those tables tiny, and every
statistic above is a function of them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from impact.filters import (
    WAVES,
    Filters,
    Grouping,
    GroupSums,
    Prepared,
    Selection,
    grouping,
    prepare,
    select,
)
from impact.stats import (
    POSITIVE_FROM,
    Change,
    paired_change_from_table,
    proportion,
    ratio,
    unpaired_change_from_counts,
)

LEVELS = np.arange(1, 6)
PRE, POST, FOLLOW_UP = (WAVES.index(w) for w in ("pre", "post", "follow_up"))
NOT_OUTCOMES = ("satisfaction",)  # satisfaction is asked, but it is not a change in the person


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
    reliable: bool

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

    def outcome(self, i: int, domain: str, wave: str = "post", min_n: int = 10) -> Outcome | None:
        d = self.domains.index(domain)
        counts = self.answers[i, WAVES.index(wave), d]
        n = int(counts[1:].sum())
        if n == 0:
            return None
        positive = int(counts[POSITIVE_FROM:].sum())
        p = proportion(positive, n, min_n)
        return Outcome(domain=domain, wave=wave, n=n, positive=positive, positive_rate=p.rate, ci_low=p.low,
                       ci_high=p.high, mean=float((counts[1:] * LEVELS).sum() / n),
                       distribution=tuple(int(c) for c in counts[1:]), missing=int(counts[0]),
                       response_rate=ratio(self.post_responses[i], self.attendance[i]).value, reliable=p.reliable)

    def outcomes(self, i: int, wave: str = "post", min_n: int = 10) -> dict[str, Outcome]:
        found = {d: self.outcome(i, d, wave, min_n) for d in self.domains}
        return {d: o for d, o in found.items() if o is not None}

    def change(self, i: int, domain: str, min_n: int = 10) -> Change | None:
        d = self.domains.index(domain)
        table = self.pairs[i, d, 1:, 1:]
        if table.sum() >= 2:
            return paired_change_from_table(LEVELS, table, min_n)
        return unpaired_change_from_counts(LEVELS, self.answers[i, PRE, d, 1:], self.answers[i, POST, d, 1:], min_n)

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
                        post_responses=grp.fold(post), attendance=attendance)


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


__all__ = ["Outcome", "OutcomeTally", "change", "follow_up_application", "outcomes", "outcomes_by", "tally"]
