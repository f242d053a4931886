"""Partnership fairness as libraries define it (PARTNERSHIPS.md): are efforts, outputs, money, marketing and
results shared, party by party, the library included?

This is the product's own measure (no existing tool measures it from data); the methodology says so.

The five stakes, per partnership programme and per party (each partner, and the library service itself):
efforts     share of staff hours                 partner staff_hours; the library's library_staff_hours
outputs     share of sessions led or co-delivered  the session lead of each attendance row where given; else
                                                 sessions_led, else every session for a lead or co-delivery
                                                 role; the library delivers the sessions no partner led
                                                 (co-delivered sessions count for both)
money       share of cash + in-kind value        only where a partner puts money in ("where relevant")
marketing   share of the promotion               promoted (yes/no), by promotion_reach when every party that
                                                 promoted records it; the library promotes its own programmes
results     share of the credit                  credited (yes/no); the library is named in its own reports
Contribution = the mean of a party's recorded shares of efforts, outputs and money; recognition = the mean
of its recorded shares of marketing and results.

A partnership is NOT SHARED when a party carries most (more than `Thresholds.most`) of a contribution stake
and gets none of a recorded recognition stake ("Westfield Food Bank led 70% of the sessions and was not
credited"), or when its contribution and recognition shares are more than `Thresholds.gap` apart.

imbalance (per partnership)  ½ Σ_parties |contribution share − recognition share|
imbalance (network)          the same over parties, each party's shares averaged over the partnership
                             programmes (each counts once): 0 = everyone recognised in proportion to what it
                             gives, near 1 = one side gives and the other takes the credit.
agreed vs delivered          a partner's agreed share of a stake (agreed_efforts, agreed_outputs, agreed_money:
                             the memorandum's split) against its delivered share; the library's agreed share is
                             what the partners' agreed shares leave. Further apart than `Thresholds.tolerance`:
                             over- or under-delivered.

Inputs are recorded per programme for its whole run; under a period, branch or people filter a programme's
stakes are scaled by the share of its recorded attendance in scope (shares within a programme do not change).
Outcomes per pound of a partner's programmes is cost-effectiveness, not fairness: see
`impact.indicators.value.partner_cost_effectiveness`. The stakes table itself is built in
`impact.equity.stakes`; this module turns it into shares, findings in words and the imbalance.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

from impact.equity.stakes import (
    AGREED,
    LIBRARY,
    links,
    party_frame,
    scope,
    sessions_in_scope,
)
from impact.filters import Filters, Selection, prepare, select

CONTRIBUTION = ("efforts", "outputs", "money")
RECOGNITION = ("marketing", "results")
STAKES = CONTRIBUTION + RECOGNITION
STAKE_WORDS = {"efforts": "staff hours", "outputs": "sessions led or co-delivered", "money": "cash and in-kind value",
               "marketing": "promotion", "results": "credit in reports and publicity"}
METHOD_NOTE = ("Beyond Footfall's own measure of partnership fairness (PARTNERSHIPS.md): per partnership programme, "
               "each party's share (the library's included) of the efforts (staff hours), outputs (sessions led or "
               "co-delivered), money (cash and in-kind, where a partner puts any in), marketing (promotion) and "
               "results (credit). Not shared: a party carries most of a contribution stake and gets none of the "
               "credit or promotion, or its contribution and recognition shares are far apart. Imbalance = "
               "½ Σ |contribution share − recognition share| over parties. Outcomes per pound is "
               "cost-effectiveness (see Value), not fairness.")


THRESHOLD_SETTINGS = {"most": "partner_most", "gap": "partner_gap", "tolerance": "partner_agreed_tolerance",
                      "rating_gap": "partner_rating_gap", "working": "partner_working_from"}  # store setting keys


@dataclass(frozen=True)
class Thresholds:
    """The settings behind the words (stated defaults; Settings in the store override them)."""

    most: float = 0.5  # a party carries "most" of a stake above this share
    gap: float = 0.5  # contribution and recognition shares further apart than this: not shared
    tolerance: float = 0.1  # agreed and delivered shares further apart than this: over or under
    rating_gap: float = 1.0  # the library's mean health-check score above the partner's by this or more
    working: float = 3.0  # a party's mean health-check score below this: not working for it

    @classmethod
    def from_settings(cls, settings: dict) -> Thresholds:
        values = {}
        for f in fields(cls):
            raw = settings.get(THRESHOLD_SETTINGS[f.name])
            try:
                values[f.name] = float(raw) if raw not in (None, "") else f.default
            except (TypeError, ValueError):
                values[f.name] = f.default
        return cls(**values)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class PartyStake:
    """One party's stake in one partnership programme: a partner, or the library service itself."""

    programme: str
    party: str
    type: str | None  # partnership type (None for the library, or not recorded)
    role: str | None
    staff_hours: float
    sessions: float | None  # sessions led or co-delivered
    money: float  # cash + in-kind (the library: its cost)
    promoted: bool | None
    promotion_reach: float | None
    credited: bool | None
    efforts: float | None  # shares of each stake in the programme; None = not recorded / not relevant
    outputs: float | None
    money_share: float | None
    marketing: float | None
    results: float | None
    contribution: float | None
    recognition: float | None

    def share(self, stake: str) -> float | None:
        return self.money_share if stake == "money" else getattr(self, stake)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """A stake out of line, in words."""

    programme: str | None  # None: across the party's partnership programmes
    party: str
    kind: str  # uncredited | unpromoted | gap
    stakes: tuple[str, ...]  # the contribution stakes it carries most of (gap: empty)
    contribution: float | None
    recognition: float | None
    words: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Partnership:
    programme: str
    partners: tuple[str, ...]
    types: tuple[str, ...]  # partnership types of its partners
    recorded: tuple[str, ...]  # stakes recorded for it
    shared: bool | None  # None: no recognition or no contribution recorded to judge by
    imbalance: float | None
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PartyTotal:
    """A party across its partnership programmes: pooled share of each stake, credit and promotion counted."""

    party: str
    type: str | None
    programmes: int
    efforts: float | None  # its staff hours / all staff hours in its partnership programmes
    outputs: float | None
    money_share: float | None
    marketing: float | None  # its mean share of the promotion over programmes recording it
    results: float | None  # its mean share of the credit over programmes recording it
    promoted: int  # programmes where it promoted
    promotion_recorded: int
    credited: int
    credit_recorded: int
    contribution: float | None  # mean over its programmes
    recognition: float | None
    not_shared: int  # its programmes with a finding about it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Delivery:
    """Agreed share of a stake against the delivered share, for one party in one programme."""

    programme: str
    party: str
    stake: str
    agreed: float
    delivered: float | None
    difference: float | None  # delivered − agreed
    verdict: str  # as agreed | over-delivered | under-delivered | not recorded
    words: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PartnershipFairness:
    partnerships: tuple[Partnership, ...]
    stakes: tuple[PartyStake, ...]
    parties: tuple[PartyTotal, ...]
    findings: tuple[Finding, ...]  # per programme, then across programmes
    deliveries: tuple[Delivery, ...]
    imbalance: float | None
    thresholds: Thresholds
    programmes_in_scope: int
    partners_listed: int  # partners on the partners list, linked or not
    note: str = METHOD_NOTE

    @property
    def not_shared(self) -> tuple[Partnership, ...]:
        return tuple(p for p in self.partnerships if p.shared is False)

    @property
    def partners(self) -> tuple[PartyTotal, ...]:
        return tuple(p for p in self.parties if p.party != LIBRARY)

    def party(self, name: str) -> PartyTotal | None:
        return next((p for p in self.parties if p.party == name), None)

    def partnership(self, programme: str) -> Partnership | None:
        return next((p for p in self.partnerships if p.programme == programme), None)

    def stake(self, programme: str, party: str) -> PartyStake | None:
        return next((s for s in self.stakes if s.programme == programme and s.party == party), None)

    def to_dict(self) -> dict:
        return {"partnerships": [p.to_dict() for p in self.partnerships],
                "not_shared": [p.programme for p in self.not_shared],
                "stakes": [s.to_dict() for s in self.stakes], "parties": [p.to_dict() for p in self.parties],
                "findings": [f.to_dict() for f in self.findings],
                "deliveries": [d.to_dict() for d in self.deliveries], "imbalance": self.imbalance,
                "thresholds": self.thresholds.to_dict(), "programmes_in_scope": self.programmes_in_scope,
                "partners_listed": self.partners_listed, "note": self.note}


# --- the pure formulas ----------------------------------------------------------------------------

def shares(values) -> np.ndarray:
    """Each value's share of their sum (NaN everywhere when the sum is 0)."""
    v = np.asarray(values, "float64")
    total = np.nansum(v)
    return np.nan_to_num(v) / total if total > 0 else np.full(len(v), np.nan)


def imbalance(contribution, recognition) -> float | None:
    """½ Σ |contribution share − recognition share| over parties (None when either is unknown)."""
    c, r = np.asarray(contribution, "float64"), np.asarray(recognition, "float64")
    if not len(c) or np.isnan(c).any() or np.isnan(r).any():
        return None
    return float(0.5 * np.abs(c - r).sum())


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x) -> float | None:
    """A number, or None for blank, NaN and NA (fast: called for every cell of the stakes)."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def _bool(x) -> bool | None:
    return None if x is None or pd.isna(x) else bool(x)


def _share_of(x) -> float:
    """An agreed share typed as 0.3, 30 or 30%: the fraction."""
    x = float(x)
    return x / 100 if x > 1 else x


# --- findings in words --------------------------------------------------------------------------------

def _carries(stake: str, share: float, where: str) -> str:
    return {"efforts": f"gave {pct(share)} of the staff hours{where}",
            "outputs": f"led or co-delivered {pct(share)} of the sessions{where}",
            "money": f"put in {pct(share)} of the money{where}"}[stake]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _share(r: dict, stake: str) -> float | None:
    return _num(r["money_share" if stake == "money" else stake])


def programme_findings(rows: list[dict], t: Thresholds) -> list[Finding]:
    """The findings for one partnership programme's parties (records of `party_frame`)."""
    found = []
    for r in rows:
        programme = r["programme"]
        big = [s for s in CONTRIBUTION if (_share(r, s) or 0) > t.most]
        c, rec = _num(r["contribution"]), _num(r["recognition"])
        credit, marketing = _share(r, "results"), _share(r, "marketing")
        # none of the credit; or, where credit is not recorded, none of the promotion
        uncredited = credit == 0.0
        unpromoted = marketing == 0.0 and credit in (None, 0.0)
        if big and (uncredited or unpromoted):
            carried = [_carries(s, _share(r, s), "") for s in big]
            lacks = ("was neither credited nor in the promotion" if uncredited and unpromoted
                     else "was not credited" if uncredited else "had no part in the promotion")
            found.append(Finding(programme, str(r["party"]), "uncredited" if uncredited else "unpromoted",
                                 tuple(big), c, rec, f"{r['party']} {_join(carried)} in {programme} and {lacks}"))
        elif c is not None and rec is not None and abs(c - rec) > t.gap:
            words = (f"{r['party']} carried {pct(c)} of the contribution to {programme} (staff hours, sessions, "
                     f"money) and had {pct(rec)} of the recognition (promotion, credit)") if c > rec else \
                    (f"{r['party']} had {pct(rec)} of the recognition for {programme} (promotion, credit) for "
                     f"{pct(c)} of the contribution (staff hours, sessions, money)")
            found.append(Finding(programme, str(r["party"]), "gap", (), c, rec, words))
    return found


def party_findings(totals: list[PartyTotal], t: Thresholds) -> list[Finding]:
    """Across programmes: a partner carrying most of a stake over its partnership programmes, credited in none
    of them."""
    found = []
    for p in totals:
        if p.party == LIBRARY or p.programmes < 2:
            continue
        big = [s for s in CONTRIBUTION if (getattr(p, "money_share" if s == "money" else s) or 0) > t.most]
        if big and p.credit_recorded > 0 and p.credited == 0:
            carried = [_carries(s, getattr(p, "money_share" if s == "money" else s), "") for s in big]
            found.append(Finding(None, p.party, "uncredited", tuple(big), p.contribution, p.recognition,
                                 f"{p.party} {_join(carried)} in its {p.programmes} partnership programmes and was "
                                 "credited in none of them"))
    return found


def _mean(values) -> float | None:
    known = [v for v in values if v is not None and v == v]
    return sum(known) / len(known) if known else None


def _totals(by_code: dict[int, list[dict]], findings: list[Finding]) -> list[PartyTotal]:
    flagged: dict[str, int] = {}
    for f in findings:
        if f.programme is not None:
            flagged[f.party] = flagged.get(f.party, 0) + 1
    acc: dict[str, dict] = {}
    for rows in by_code.values():
        totals = {c: sum(r[c] or 0 for r in rows) for c in ("staff_hours", "sessions", "money")}
        for r in rows:
            a = acc.setdefault(r["party"], {"type": r["type"], "codes": set(), "mine": dict.fromkeys(totals, 0.0),
                                            "all": dict.fromkeys(totals, 0.0), "rows": []})
            a["codes"].add(r["code"])
            a["rows"].append(r)
            for c in totals:
                if c == "money" and _num(r["money_share"]) is None:
                    continue  # money only where relevant
                a["mine"][c] += r[c] or 0
                a["all"][c] += totals[c]
    out = []
    for party, a in acc.items():
        rows = a["rows"]

        def pooled(c, a=a):
            return a["mine"][c] / a["all"][c] if a["all"][c] > 0 else None

        out.append(PartyTotal(
            party=str(party), type=a["type"], programmes=len(a["codes"]), efforts=pooled("staff_hours"),
            outputs=pooled("sessions"), money_share=pooled("money"),
            marketing=_mean([_num(r["marketing"]) for r in rows]), results=_mean([_num(r["results"]) for r in rows]),
            promoted=sum(1 for r in rows if _num(r["marketing"]) is not None and (r["promoted"] or 0) > 0),
            promotion_recorded=sum(1 for r in rows if _num(r["marketing"]) is not None),
            credited=sum(1 for r in rows if _num(r["results"]) is not None and (r["credited"] or 0) > 0),
            credit_recorded=sum(1 for r in rows if _num(r["results"]) is not None),
            contribution=_mean([_num(r["contribution"]) for r in rows]),
            recognition=_mean([_num(r["recognition"]) for r in rows]), not_shared=flagged.get(party, 0)))
    library = [p for p in out if p.party == LIBRARY]
    return library + sorted((p for p in out if p.party != LIBRARY), key=lambda p: p.party)


def network_imbalance(by_code: dict[int, list[dict]]) -> float | None:
    """½ Σ_parties |C − R|, each party's contribution and recognition shares averaged over the partnership
    programmes where every party has both (each programme counts once, so the averages sum to 1)."""
    complete = [rows for rows in by_code.values()
                if all(_num(r["contribution"]) is not None and _num(r["recognition"]) is not None for r in rows)]
    if not complete:
        return None
    c: dict[str, float] = {}
    r_: dict[str, float] = {}
    for rows in complete:
        for r in rows:
            c[r["party"]] = c.get(r["party"], 0.0) + r["contribution"] / len(complete)
            r_[r["party"]] = r_.get(r["party"], 0.0) + r["recognition"] / len(complete)
    return float(0.5 * sum(abs(c[p] - r_[p]) for p in c))


def deliveries(by_code: dict[int, list[dict]], t: Thresholds) -> list[Delivery]:
    """Agreed against delivered, for the partners that record an agreed split and for the library."""
    out = []
    for rows in by_code.values():
        partners = [r for r in rows if r["order"] == 1]
        if not any(_num(r.get(c)) is not None for r in partners for c in AGREED.values()):
            continue
        programme = str(rows[0]["programme"])
        library = next(r for r in rows if r["order"] == 0)
        for stake, column in AGREED.items():
            parties = [(r["party"], _share_of(r[column]), _share(r, stake)) for r in partners
                       if _num(r.get(column)) is not None]
            if not parties:
                continue
            if len(parties) == len(partners):  # the library agreed to what the partners' shares leave
                parties.insert(0, (LIBRARY, max(0.0, 1 - sum(a for _, a, _ in parties)), _share(library, stake)))
            for party, a, d in parties:
                if d is None:
                    verdict = "not recorded"
                    words = f"{party} agreed {pct(a)} of the {STAKE_WORDS[stake]} of {programme}; what it " \
                            "delivered is not recorded"
                else:
                    diff = d - a
                    verdict = ("over-delivered" if diff > t.tolerance else "under-delivered" if diff < -t.tolerance
                               else "as agreed")
                    words = (f"{party} agreed {pct(a)} of the {STAKE_WORDS[stake]} of {programme} and gave {pct(d)}"
                             + ("" if verdict == "as agreed" else f": {verdict}"))
                out.append(Delivery(programme, str(party), stake, a, d, None if d is None else d - a, verdict, words))
    return out


def _stake_rows(records: list[dict]) -> list[PartyStake]:
    return [PartyStake(
        programme=str(r["programme"]), party=str(r["party"]), type=r["type"], role=r["role"],
        staff_hours=float(r["staff_hours"]), sessions=_num(r["sessions"]), money=float(r["money"]),
        promoted=_bool(r["promoted"]), promotion_reach=_num(r["promotion_reach"]), credited=_bool(r["credited"]),
        efforts=_num(r["efforts"]), outputs=_num(r["outputs"]), money_share=_num(r["money_share"]),
        marketing=_num(r["marketing"]), results=_num(r["results"]), contribution=_num(r["contribution"]),
        recognition=_num(r["recognition"]))
        for r in records]


def partnership_fairness(data, filters: Filters | None = None, thresholds: Thresholds | None = None,
                         selection: Selection | None = None) -> PartnershipFairness:
    """Canonical frames (or `Prepared`) + Filters -> the five stakes per partnership programme and party,
    the partnerships not shared (in words), agreed against delivered, and the network imbalance."""
    data = prepare(data)
    filters = filters or Filters()
    t = thresholds or Thresholds()
    selection = selection or select(data, filters)
    _, factor = scope(data, selection, filters)
    in_scope = int((factor > 0).sum())
    frame = party_frame(data, filters, selection)
    if frame.empty:
        return PartnershipFairness((), (), (), (), (), None, t, in_scope, len(data.partners))
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    by_code: dict[int, list[dict]] = {}
    for r in records:
        by_code.setdefault(r["code"], []).append(r)
    partnerships, findings = [], []
    for code in sorted(by_code):
        rows = by_code[code]
        found = programme_findings(rows, t)
        findings += found
        partners = [r for r in rows if r["order"] == 1]
        recorded = tuple(s for s in STAKES if any(_share(r, s) is not None for r in rows))
        judged = bool(set(recorded) & set(CONTRIBUTION)) and bool(set(recorded) & set(RECOGNITION))
        contribution = [_num(r["contribution"]) for r in rows]
        recognition = [_num(r["recognition"]) for r in rows]
        known = None not in contribution and None not in recognition
        partnerships.append(Partnership(
            programme=str(rows[0]["programme"]), partners=tuple(str(r["party"]) for r in partners),
            types=tuple(sorted({str(r["type"]) for r in partners if r["type"]})), recorded=recorded,
            shared=(not found) if judged else (False if found else None),
            imbalance=imbalance(contribution, recognition) if known else None, findings=tuple(found)))
    totals = _totals(by_code, findings)
    return PartnershipFairness(
        partnerships=tuple(partnerships), stakes=tuple(_stake_rows(records)), parties=tuple(totals),
        findings=tuple(findings + party_findings(totals, t)), deliveries=tuple(deliveries(by_code, t)),
        imbalance=network_imbalance(by_code), thresholds=t, programmes_in_scope=in_scope,
        partners_listed=len(data.partners))


__all__ = [
    "AGREED",
    "CONTRIBUTION",
    "LIBRARY",
    "METHOD_NOTE",
    "RECOGNITION",
    "STAKES",
    "STAKE_WORDS",
    "Delivery",
    "Finding",
    "Partnership",
    "PartnershipFairness",
    "PartyStake",
    "PartyTotal",
    "Thresholds",
    "deliveries",
    "imbalance",
    "links",
    "network_imbalance",
    "partnership_fairness",
    "scope",
    "sessions_in_scope",
    "shares",
]
