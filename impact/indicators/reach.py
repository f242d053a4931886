"""Reach and engagement (ISO 16439 outputs): who came, how often, how full, how many answered.

attendance        Σ attendees over rows where it was recorded (blank = not recorded, never zero)
sessions          Σ `sessions` of whole rows (default 1) + each multi-row session once (see filters)
mean per session  attendance / sessions, both over rows where attendance was recorded
fill rate         attendance / Σ(sessions × capacity per session), over programmes with a capacity
unique participants, repeat rate
                  distinct participant ids; share of them attending ≥ 2 sessions (Wilson 95% CI)
new to library    new_attendees / attendees over rows recording both (Wilson 95% CI)
response rate     post-session survey responses / attendance (SPEC: survey response rate)
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
from impact.stats import Proportion, Ratio, proportion, ratio

POST = WAVES.index("post")


@dataclass(frozen=True)
class Reach:
    attendance: int
    sessions: int
    new_attendees: int
    not_recorded: int  # attendance rows left blank: not counted as zero
    mean_per_session: Ratio
    fill_rate: Ratio
    unique_participants: int | None  # None: no participant ids recorded in scope
    repeat_rate: Proportion | None
    new_to_library: Proportion | None
    post_responses: int
    response_rate: Ratio
    n: int  # attendance
    reliable: bool
    attendance_in_returns: int = 0  # of `attendance`, people counted in monthly or yearly returns (no sessions)

    @property
    def sessions_text(self) -> str:
        """'1,234 attendances at 56 sessions', and what came in returns (never 'at sessions')."""
        at = self.attendance - self.attendance_in_returns
        if not self.attendance_in_returns:
            return f"{self.attendance:,} attendances at {self.sessions:,} sessions"
        if not at:
            return f"{self.attendance:,} attendances counted in monthly or yearly returns (sessions not recorded)"
        return (f"{self.attendance:,} attendances ({at:,} at {self.sessions:,} sessions, "
                f"{self.attendance_in_returns:,} counted in monthly or yearly returns)")

    def headline(self) -> dict:
        """The footfall baseline as plain counts (the shape `python -m impact indicators` has always had)."""
        out = {"attendance": self.attendance, "sessions": self.sessions, "new_attendees": self.new_attendees,
               "not_recorded": self.not_recorded}
        if self.attendance_in_returns:
            out["attendance_in_returns"] = self.attendance_in_returns
        return out

    def engagement(self) -> dict:
        """Everything beyond the four counts, each with its n."""
        return {"mean_per_session": self.mean_per_session.to_dict(), "fill_rate": self.fill_rate.to_dict(),
                "unique_participants": self.unique_participants,
                "repeat_rate": self.repeat_rate.to_dict() if self.repeat_rate else None,
                "new_to_library": self.new_to_library.to_dict() if self.new_to_library else None,
                "post_responses": self.post_responses, "response_rate": self.response_rate.to_dict(),
                "n": self.n, "reliable": self.reliable}

    def to_dict(self) -> dict:
        return {**self.headline(), **self.engagement()}


@dataclass(frozen=True, eq=False)
class ReachTally:
    """Sums per group (arrays indexed by group) from which each group's Reach is built."""

    attendance: np.ndarray
    rows: np.ndarray  # attendance rows in the group, recorded or not
    not_recorded: np.ndarray
    sessions: np.ndarray
    sessions_recorded: np.ndarray
    new_attendees: np.ndarray
    new_base_attendance: np.ndarray  # attendance of rows that also record new attendees
    new_base_new: np.ndarray
    capacity_attendance: np.ndarray
    capacity_places: np.ndarray
    capacity_sessions: np.ndarray
    unique_participants: np.ndarray
    repeat_participants: np.ndarray
    has_participants: np.ndarray  # bool: any participant id in the group
    returns_attendance: np.ndarray  # attendance in rows counting no session (returns)
    post_responses: np.ndarray

    def reach(self, i: int, min_n: int = 10) -> Reach:
        att = round(self.attendance[i])
        unique = int(self.unique_participants[i]) if self.has_participants[i] else None
        base = round(self.new_base_attendance[i])
        new = min(round(self.new_base_new[i]), base)
        return Reach(
            attendance=att, sessions=round(self.sessions[i]), new_attendees=round(self.new_attendees[i]),
            not_recorded=int(self.not_recorded[i]),
            mean_per_session=ratio(att - round(self.returns_attendance[i]), self.sessions_recorded[i], min_n=min_n),
            fill_rate=ratio(self.capacity_attendance[i], self.capacity_places[i],
                            n=round(self.capacity_sessions[i]), min_n=min_n),
            unique_participants=unique,
            repeat_rate=proportion(int(self.repeat_participants[i]), unique, min_n) if unique else None,
            new_to_library=proportion(new, base, min_n) if base else None,
            post_responses=int(self.post_responses[i]),
            response_rate=ratio(self.post_responses[i], att, min_n=min_n),
            n=att, reliable=att >= min_n, attendance_in_returns=round(self.returns_attendance[i]))


def _participants(data: Prepared, selection: Selection, grp: Grouping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unique participants, participants with ≥ 2 sessions, whether any participant id) per group,
    groups folded through members: a person in two programmes of one partner counts once for it."""
    att = data.attendance
    size = len(grp.labels)
    rows = np.flatnonzero(att.participant >= 0)
    rows = rows[selection.attendance[rows]]
    if not len(rows):
        return np.zeros(size), np.zeros(size), np.zeros(size, bool)
    people = int(att.participant.max()) + 1
    person, weight = att.participant[rows], att.sessions[rows]
    if grp.members is None and size == 1:
        visits = np.bincount(person, weights=weight, minlength=people)
        return np.array([(visits > 0).sum()]), np.array([(visits >= 2).sum()]), np.array([True])
    codes = grp.attendance[rows]
    keys, inverse = np.unique(codes * people + person, return_inverse=True)
    visits = np.bincount(inverse, weights=weight)
    code, person = keys // people, keys % people
    if grp.members is not None:  # (programme, person) -> (group, person) for every group the programme is in
        programmes, groups = grp.members
        order = np.argsort(programmes, kind="stable")
        programmes, groups = programmes[order], groups[order]
        starts = np.searchsorted(programmes, np.arange(grp.size))
        repeat = np.bincount(programmes, minlength=grp.size)[code]
        offset = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        code = groups[np.repeat(starts[code], repeat) + offset]
        keys, inverse = np.unique(code * people + np.repeat(person, repeat), return_inverse=True)
        visits = np.bincount(inverse, weights=np.repeat(visits, repeat))
        code = keys // people
    unique_people = np.bincount(code, minlength=size)[:size].astype("float64")
    return unique_people, np.bincount(code[visits >= 2], minlength=size)[:size].astype("float64"), unique_people > 0


def tally(data: Prepared, selection: Selection, grp: Grouping) -> ReachTally:
    """Reach sums for every group of `grp` over the selected rows: sums of precomputed per-row weights."""
    att, size = data.attendance, grp.size
    w = att.weights
    sums = GroupSums(selection.attendance, grp.attendance, size)
    n_sessions = len(data.session_sessions)
    one = not grp.splits_sessions

    def distinct(weights, row_filter=None):
        return sums.distinct(att.session, n_sessions, weights, row_filter, one_group_per_item=one)

    unique, repeat, has_people = _participants(data, selection, grp)
    fold = grp.fold
    if len(data.surveys):
        post = GroupSums(selection.surveys & (data.surveys.wave == POST), grp.surveys, size)()
    else:
        post = np.zeros(size)
    return ReachTally(
        attendance=fold(sums(w["attendees"])), rows=fold(sums()), not_recorded=fold(sums(w["not_recorded"])),
        sessions=fold(sums(w["whole_sessions"]) + distinct(data.session_sessions)),
        sessions_recorded=fold(sums(w["whole_sessions_recorded"]) + distinct(data.session_sessions, w["recorded"])),
        new_attendees=fold(sums(w["new_attendees"])), new_base_attendance=fold(sums(w["new_base_attendees"])),
        new_base_new=fold(sums(w["new_base_new"])), capacity_attendance=fold(sums(w["capacity_attendees"])),
        capacity_places=fold(sums(w["capacity_places"]) + distinct(data.session_capacity, w["has_capacity"])),
        capacity_sessions=fold(sums(w["capacity_sessions"]) + distinct(data.session_sessions, w["has_capacity"])),
        unique_participants=unique, repeat_participants=repeat, has_participants=has_people,
        returns_attendance=fold(sums(w["returns_attendees"])),
        post_responses=fold(post))


def reach(data, filters: Filters | None = None, min_n: int = 10) -> Reach:
    """Canonical frames (or `Prepared`) + Filters -> Reach of everything the filters select."""
    data = prepare(data)
    selection = select(data, filters)
    return tally(data, selection, grouping(data, None)).reach(0, min_n)


def reach_by(data, dimension: str, filters: Filters | None = None, min_n: int = 10) -> list[tuple[str, Reach]]:
    """Reach per group of `dimension` (partner, theme, period, age_band, ...); empty groups left out."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    grp = grouping(data, dimension, filters, selection)
    t = tally(data, selection, grp)
    return [(label, t.reach(i, min_n)) for i, label in enumerate(grp.labels)
            if grp.shown(i, t.rows[i] or t.post_responses[i])]
