"""Is the partnership working for them? The partnership health check from both sides (PARTNERSHIPS.md).

Each party (the library, the partner) answers five items, 1-5 agreement, about a partnership (a partner, and
optionally one programme with it), and records the benefits it received (new audiences, referrals,
volunteers, funding leveraged: a count or amount, or yes / no).

side mean      the mean of a side's answers over the five items and its rows (1-5; blanks left out)
gap            library mean − partner mean for the same partnership; at or above `Thresholds.rating_gap`
               the library rates the partnership much higher than the partner does: the one to talk about
not working    a side whose mean is below `Thresholds.working` (3 = neither agree nor disagree)
Only the latest check per partnership and side counts when the rows carry dates (older ones are history).
Comments were scrubbed of emails and phone numbers on import, as survey comments are.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from impact.equity.partners import Thresholds
from impact.filters import Filters, Prepared, prepare
from impact.ingest.clean import slug
from impact.schema import BENEFITS, HEALTH_CHECK, PARTNERSHIP_FEEDBACK

ITEM_WORDS = {c.name: c.description for c in PARTNERSHIP_FEEDBACK.columns if c.name in HEALTH_CHECK}
BENEFIT_WORDS = {"new_audiences": "new audiences", "referrals": "referrals", "volunteers": "volunteers",
                 "funding_leveraged": "funding leveraged"}
NOTE = ("Partnership health check: each side's agreement (1 strongly disagree … 5 strongly agree) with five "
        "statements written for Beyond Footfall in the spirit of the Partnership Self-Assessment Tool. A side's "
        "mean is over the items it answered; a gap is the library's mean minus the partner's for the same "
        "partnership. Self-reported by one person per side: a prompt for a conversation, not a verdict.")


@dataclass(frozen=True)
class Benefit:
    benefit: str
    received: bool | None  # None: not recorded
    amount: float | None  # a count, or £ for funding, when given as a number

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Side:
    party: str  # library | partner
    answers: int  # rows (health checks) counted
    scores: dict  # item -> mean score (None when unanswered)
    mean: float | None
    benefits: tuple[Benefit, ...]
    comments: tuple[str, ...]
    answered_on: str | None

    def to_dict(self) -> dict:
        return {**asdict(self), "benefits": [b.to_dict() for b in self.benefits]}


@dataclass(frozen=True)
class BothSides:
    partner: str
    programme: str | None  # None: the partnership as a whole
    library: Side | None
    partner_side: Side | None
    gap: float | None  # library mean − partner mean
    library_rates_higher: bool
    words: str

    @property
    def label(self) -> str:
        return self.partner + (f" ({self.programme})" if self.programme else "")

    def to_dict(self) -> dict:
        return {"partner": self.partner, "programme": self.programme,
                "library": self.library.to_dict() if self.library else None,
                "partner_side": self.partner_side.to_dict() if self.partner_side else None,
                "gap": self.gap, "library_rates_higher": self.library_rates_higher, "words": self.words}


@dataclass(frozen=True)
class NotWorking:
    partner: str
    programme: str | None
    party: str
    mean: float
    lowest: tuple[str, ...]  # items it scored 2 or below
    words: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PartnershipFeedback:
    partnerships: tuple[BothSides, ...]
    not_working: tuple[NotWorking, ...]
    rows: int  # health checks counted
    note: str = NOTE

    @property
    def library_rates_higher(self) -> tuple[BothSides, ...]:
        return tuple(p for p in self.partnerships if p.library_rates_higher)

    @property
    def both_sides(self) -> int:
        return sum(1 for p in self.partnerships if p.library and p.partner_side)

    def to_dict(self) -> dict:
        return {"partnerships": [p.to_dict() for p in self.partnerships],
                "library_rates_higher": [p.label for p in self.library_rates_higher],
                "not_working": [n.to_dict() for n in self.not_working], "rows": self.rows,
                "both_sides": self.both_sides, "note": self.note}


def benefit_value(text) -> tuple[bool | None, float | None]:
    """A stored benefit ('12', 'yes', 'no', blank) -> (received, amount)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() in ("", "nan", "None"):
        return None, None
    t = str(text).strip().lower()
    if t in ("yes", "no"):
        return t == "yes", None
    try:
        amount = float(t)
    except ValueError:
        return None, None
    return amount > 0, amount


def _score(x) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _side(party: str, rows: list[dict]) -> Side:
    """One side's latest health check(s) -> its scores, mean, benefits and comments (plain records: fast)."""
    scores, answers = {}, []
    for item in HEALTH_CHECK:
        values = [v for v in (_score(r.get(item)) for r in rows) if v is not None]
        scores[item] = sum(values) / len(values) if values else None
        answers += values
    benefits = []
    for b in BENEFITS:
        known = [x for x in (benefit_value(r.get(b)) for r in rows) if x[0] is not None]
        amounts = [a for _, a in known if a is not None]
        benefits.append(Benefit(b, any(r for r, _ in known) if known else None,
                                float(sum(amounts)) if amounts else None))
    comments = tuple(str(r["comment"]) for r in rows if isinstance(r.get("comment"), str) and r["comment"].strip()
                     and r["comment"] != "nan")
    dates = [r["answered_on"] for r in rows if r.get("answered_on") is not None]
    return Side(party, len(rows), scores, sum(answers) / len(answers) if answers else None, tuple(benefits),
                comments, str(max(dates).date()) if dates else None)


def _latest(rows: list[dict]) -> list[dict]:
    """The latest dated check of a side (every row when none is dated)."""
    dated = [r["answered_on"] for r in rows if r.get("answered_on") is not None]
    if not dated:
        return rows
    last = max(dated)
    return [r for r in rows if r.get("answered_on") == last]


def partnership_feedback(data, filters: Filters | None = None, thresholds: Thresholds | None = None) -> \
        PartnershipFeedback:
    """Canonical frames (or `Prepared`) + Filters -> both sides' health checks per partnership, partnerships the
    library rates much higher than the partner does, and the sides for whom it is not working. The partner,
    partnership type and programme filters apply; the period filter keeps checks answered within it."""
    data: Prepared = prepare(data)
    filters = filters or Filters()
    t = thresholds or Thresholds()
    raw = data.frames.get("partnership_feedback")
    if raw is None or raw.empty or not {"partner", "party"} <= set(raw):
        return PartnershipFeedback((), (), 0)
    frame = raw[raw["partner"].notna() & raw["party"].notna()].copy()
    names = dict(zip(data.partners["key"], data.partners["name"])) if len(data.partners) else {}
    types = dict(zip(data.partners["key"], data.partners["partnership_type"])) if len(data.partners) else {}
    frame["_key"] = frame["partner"].map(lambda x: slug(x))
    frame["_partner"] = frame["_key"].map(names).fillna(frame["partner"]).astype(str)
    if filters.partners:
        wanted = {slug(p) for p in filters.partners}
        frame = frame[frame["_key"].isin(wanted)]
    if filters.partnership_types:
        frame = frame[frame["_key"].map(types).isin(filters.partnership_types)]
    if filters.programmes and "programme" in frame:
        wanted = {slug(p) for p in filters.programmes}
        frame = frame[frame["programme"].map(lambda x: slug(x) if pd.notna(x) else None).isin(wanted)
                      | frame["programme"].isna()]
    if "answered_on" in frame and filters.narrows_period:
        dates = pd.to_datetime(frame["answered_on"], errors="coerce")
        inside = ((dates >= pd.Timestamp(filters.date_from)) if filters.date_from else True) & \
                 ((dates <= pd.Timestamp(filters.date_to)) if filters.date_to else True)
        frame = frame[dates.isna() | inside]
    if frame.empty:
        return PartnershipFeedback((), (), 0)
    programme = frame["programme"].where(frame["programme"].notna(), None) if "programme" in frame else None
    frame["_programme"] = programme.map(lambda x: str(x).strip() if x else "") if programme is not None else ""
    frame["_party"] = frame["party"].astype(str).str.strip().str.casefold()
    if "answered_on" in frame:
        frame["answered_on"] = pd.to_datetime(frame["answered_on"], errors="coerce")
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["_partner"], r["_programme"]), []).append(r)
    pairs, not_working, counted = [], [], 0
    for (partner, prog) in sorted(groups):
        rows = groups[(partner, prog)]
        sides = {}
        for party in ("library", "partner"):
            mine = [r for r in rows if r["_party"] == party]
            if mine:
                latest = _latest(mine)
                counted += len(latest)
                sides[party] = _side(party, latest)
        library, theirs = sides.get("library"), sides.get("partner")
        gap = library.mean - theirs.mean if library and theirs and library.mean is not None and \
            theirs.mean is not None else None
        higher = gap is not None and gap >= t.rating_gap
        label = partner + (f" ({prog})" if prog else "")
        if gap is None:
            missing = "the partner's" if library and not theirs else "the library's" if theirs and not library \
                else "a rating"
            words = f"{label}: only one side has answered; {missing} health check is missing"
        else:
            words = (f"The library rates {label} at {library.mean:.1f} out of 5; {partner} rates it "
                     f"{theirs.mean:.1f}" + (": the one to talk about" if higher else ""))
        pairs.append(BothSides(partner, prog or None, library, theirs, gap, higher, words))
        for side in (library, theirs):
            if side and side.mean is not None and side.mean < t.working:
                low = tuple(i for i, s in side.scores.items() if s is not None and s <= 2)
                said = "; ".join(f"“{ITEM_WORDS[i].rstrip('.')}” {side.scores[i]:.0f}" for i in low)
                where = f" ({prog})" if prog else ""
                who = f"the library in its partnership with {partner}{where}" if side.party == "library" else \
                    f"{partner}{where}"
                not_working.append(NotWorking(partner, prog or None, side.party, side.mean, low,
                                              f"It is not working for {who}: mean {side.mean:.1f} out of 5"
                                              + (f" ({said})" if said else "")))
    pairs.sort(key=lambda p: (not p.library_rates_higher, -(p.gap or -9), p.partner))
    return PartnershipFeedback(tuple(pairs), tuple(not_working), counted)


__all__ = [
    "BENEFIT_WORDS",
    "ITEM_WORDS",
    "BothSides",
    "NotWorking",
    "PartnershipFeedback",
    "Side",
    "benefit_value",
    "partnership_feedback",
]
