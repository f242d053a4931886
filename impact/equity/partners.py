"""Equity across partners (SPEC.md): is each partnership fair to both sides?

This is the product's own measure (no existing tool measures it); the methodology says so.

Stakes, per partner and per programme (`programme_partners`):
effort       staff hours (partner's share of all staff hours, the library's included, in its programmes)
money        cash + in-kind value (share of all money, library cost included, in its programmes)
marketing    programmes it promoted;  credit   programmes that name it in outputs
input        money + staff hours × hourly rate (the setting), its money-equivalent contribution
results      attendance and estimated positive outcomes (attendance × the programme's positive rate, pooled
             over outcome items, post-session wave; a programme with no survey answers in scope takes the
             scope's pooled rate) of the programmes it is part of, split between the library and the
             programme's partners by their share of the programme's inputs, unless a split is given.

Reciprocity, over the partners in scope:
input share      input_p / Σ inputs of all partners
result share     results_p / Σ results of all partners (estimated positive outcomes; attendance when the scope
                 has no survey answers, or with basis="attendance")
balance          result share / input share: 1 = gets what it gives, < 1 = carries more than it gets
imbalance        ½ Σ_p |result share_p − input share_p|: 0 = every partner gets what it gives, 1 = the most lopsided

A programme counts as a partnership programme when a partner contributes staff time, money, in-kind value
or the venue (role "venue"): the rule US Public Libraries Survey reporting uses for co-sponsored programmes.
Inputs are recorded per programme for its whole run; when the filters narrow the period, branch or people, a
programme's inputs are scaled by the share of its recorded attendance in scope (as `impact.indicators.value`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from impact.filters import NOT_RECORDED, WAVES, Filters, Prepared, Selection, prepare, select
from impact.ingest.clean import slug
from impact.stats import POSITIVE_FROM

LIBRARY = "(the library service)"
NOT_OUTCOMES = ("satisfaction",)
BASES = ("outcomes", "attendance")
METHOD_NOTE = ("Balance and imbalance are Beyond Footfall's own measures of reciprocity: each partner's share of "
               "the results (estimated positive outcomes, split by input share within each programme) divided by "
               "its share of the inputs (staff time at the hourly rate, cash and in-kind value).")


@dataclass(frozen=True)
class PartnerBalance:
    partner: str
    type: str | None  # partnership type: library, community, stakeholder (None: not recorded)
    programmes: int  # programmes in scope it is part of
    partnership_programmes: int  # of those, where it contributes time, money, in-kind value or the venue
    staff_hours: float
    cash: float
    in_kind: float
    input: float  # cash + in-kind + staff hours × hourly rate
    effort_share: float | None  # its staff hours / all staff hours (library's too) in its programmes
    money_share: float | None  # its cash + in-kind / all money (library cost too) in its programmes
    promoted: int  # programmes it promoted
    credited: int  # programmes that credit it
    attendance: float  # attendance allocated to it
    positive_outcomes: float | None  # estimated positive outcomes allocated to it
    input_share: float | None
    attendance_share: float | None
    result_share: float | None
    balance: float | None  # result share / input share

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ProgrammeStake:
    """One party's stake in one programme: a partner, or the library service itself."""

    programme: str
    party: str
    type: str | None
    role: str | None
    staff_hours: float
    cash: float
    in_kind: float
    input: float
    input_share: float | None  # of the programme's inputs (library's included)
    result_split: float | None  # share of the programme's results allocated to the party
    promoted: bool | None
    credited: bool | None
    attendance: float
    positive_outcomes: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ProgrammePartnership:
    programme: str
    partners: int
    partnership: bool  # a partner contributes time, money, in-kind value or the venue
    library_input: float
    partner_input: float
    attendance: float
    positive_rate: float | None
    rate_source: str | None  # "programme" (its own answers) or "scope" (the pooled rate in scope)
    positive_outcomes: float | None
    split_given: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TypeBalance:
    type: str
    partners: int
    input_share: float | None
    result_share: float | None
    balance: float | None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PartnerEquity:
    partners: tuple[PartnerBalance, ...]
    imbalance: float | None
    by_type: tuple[TypeBalance, ...]
    programmes: tuple[ProgrammePartnership, ...]
    stakes: tuple[ProgrammeStake, ...]
    basis: str  # outcomes | attendance: what the result share counts
    hourly_rate: float
    programmes_in_scope: int  # all programmes in scope, with partners or not
    note: str = METHOD_NOTE

    @property
    def partnership_programmes(self) -> int:
        return sum(p.partnership for p in self.programmes)

    def partner(self, name: str) -> PartnerBalance | None:
        return next((p for p in self.partners if p.partner == name), None)

    def to_dict(self) -> dict:
        return {"partners": [p.to_dict() for p in self.partners], "imbalance": self.imbalance,
                "by_type": [t.to_dict() for t in self.by_type], "basis": self.basis,
                "hourly_rate": self.hourly_rate, "partnership_programmes": self.partnership_programmes,
                "programmes_in_scope": self.programmes_in_scope,
                "programmes": [p.to_dict() for p in self.programmes],
                "stakes": [s.to_dict() for s in self.stakes], "note": self.note}


# --- the pure formulas ----------------------------------------------------------------------------

def shares(values) -> np.ndarray:
    """Each value's share of their sum (NaN everywhere when the sum is 0)."""
    v = np.asarray(values, "float64")
    total = v.sum()
    return v / total if total > 0 else np.full(len(v), np.nan)


def balances(result_share, input_share) -> np.ndarray:
    """result share / input share per partner (NaN where the input share is 0 or unknown)."""
    r, i = np.asarray(result_share, "float64"), np.asarray(input_share, "float64")
    return np.divide(r, i, out=np.full(len(r), np.nan), where=np.nan_to_num(i) > 0)


def imbalance(result_share, input_share) -> float | None:
    """½ Σ |result share − input share| over partners: 0 = every partner gets what it gives."""
    r, i = np.asarray(result_share, "float64"), np.asarray(input_share, "float64")
    if not len(r) or np.isnan(r).all() or np.isnan(i).all():
        return None
    return float(0.5 * np.abs(np.nan_to_num(r) - np.nan_to_num(i)).sum())


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


# --- the stakes table -------------------------------------------------------------------------------

def _codes(table: pd.DataFrame) -> dict[str, int]:
    index = {}
    for code, (key, id_key) in enumerate(zip(table["key"], table["id_key"])):
        index.setdefault(key, code)
        index.setdefault(id_key, code)
    return index


def links(data: Prepared) -> pd.DataFrame:
    """programme_partners as one row per (programme code, partner code): hours, cash, in-kind summed; promoted
    and credited true when any row says so (NA when none records it); roles joined."""
    raw = data.frames.get("programme_partners")
    columns = ["programme", "partner", "staff_hours", "cash", "in_kind", "promoted", "credited", "role", "venue"]
    if raw is None or raw.empty or not {"programme", "partner"} <= set(raw):
        return pd.DataFrame(columns=columns)
    prog_index, partner_index = _codes(data.programmes), _codes(data.partners)
    frame = pd.DataFrame({
        "programme": raw["programme"].map(lambda x: prog_index.get(slug(x), -1) if pd.notna(x) else -1),
        "partner": raw["partner"].map(lambda x: partner_index.get(slug(x), -1) if pd.notna(x) else -1)})
    for c in ("staff_hours", "cash", "in_kind"):
        frame[c] = pd.to_numeric(raw[c], errors="coerce").fillna(0.0).to_numpy("float64") if c in raw else 0.0
    for c in ("promoted", "credited"):
        frame[c] = raw[c].astype("boolean").astype("Int8") if c in raw else pd.array([pd.NA] * len(raw), "Int8")
    role = raw["role"].astype("object").where(raw["role"].notna(), None) if "role" in raw else None
    frame["role"] = role
    frame["venue"] = (raw["role"].astype("str").str.strip().str.casefold() == "venue").fillna(False).to_numpy(bool) \
        if "role" in raw else False
    frame = frame[(frame["programme"] >= 0) & (frame["partner"] >= 0)]
    grouped = frame.groupby(["programme", "partner"], sort=True)
    out = grouped[["staff_hours", "cash", "in_kind"]].sum()
    out["promoted"] = grouped["promoted"].max()
    out["credited"] = grouped["credited"].max()
    out["role"] = grouped["role"].agg(lambda r: "; ".join(dict.fromkeys(x for x in r if x)) or None)
    out["venue"] = grouped["venue"].any()
    return out.reset_index()[columns]


def _split_lookup(split) -> dict[tuple[str, str], float]:
    """A given split of results: {(programme, partner): share} or a frame with programme, partner, result_share."""
    if split is None:
        return {}
    if isinstance(split, pd.DataFrame):
        column = "result_share" if "result_share" in split else "share"
        split = dict(zip(zip(split["programme"], split["partner"]), split[column]))
    return {(slug(p), slug(q)): float(v) for (p, q), v in split.items()}


def scope(data: Prepared, selection: Selection, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
    """Per programme: (attendance in scope, the share of its inputs in scope). The share is the share of its
    recorded attendance the filters keep; a programme with no recorded attendance keeps its whole input unless
    the filters narrow the period, branch or people. 0 for programmes the filters leave out."""
    n_prog = len(data.programmes)
    att = data.attendance
    attendees = att.weights["attendees"]
    total = np.bincount(att.programme, weights=attendees, minlength=n_prog)[:n_prog]
    scoped = np.bincount(att.programme, weights=attendees * selection.attendance, minlength=n_prog)[:n_prog]
    narrowed = filters.narrows_period or filters.narrows_people or bool(filters.branches)
    factor = np.divide(scoped, total, out=np.full(n_prog, 0.0 if narrowed else 1.0), where=total > 0)
    return scoped, factor * selection.programmes if n_prog else factor


def partner_equity(data, filters: Filters | None = None, hourly_rate: float = 15.0, basis: str = "outcomes",
                   split=None, selection: Selection | None = None) -> PartnerEquity:
    """Canonical frames (or `Prepared`) + Filters -> stakes, balance per partner, imbalance of the network.

    `split` gives results shares directly for some (programme, partner) pairs (the library takes the rest of
    that programme's results); elsewhere results follow input shares.
    """
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    data = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    n_prog = len(data.programmes)
    srv = data.surveys
    stake = links(data)

    # per programme: attendance in scope, share of its recorded attendance in scope, positive rate
    scoped_att, factor = scope(data, selection, filters)
    items = [i for i, d in enumerate(data.domains) if d not in NOT_OUTCOMES]
    rows = np.flatnonzero(selection.surveys & (srv.wave == WAVES.index("post")))
    answers = srv.scores[rows][:, items] if items else np.zeros((len(rows), 0), "int8")
    k = np.bincount(srv.programme[rows], weights=(answers >= POSITIVE_FROM).sum(axis=1), minlength=n_prog)[:n_prog]
    n = np.bincount(srv.programme[rows], weights=(answers > 0).sum(axis=1), minlength=n_prog)[:n_prog]
    scope_rate = k.sum() / n.sum() if n.sum() else None
    if scope_rate is None:
        basis = "attendance"
    rate = np.divide(k, n, out=np.full(n_prog, scope_rate if scope_rate is not None else np.nan), where=n > 0)
    positive = scoped_att * rate

    programmes = data.programmes
    cost = programmes["library_cost"].to_numpy("float64", na_value=np.nan) if n_prog else np.zeros(0)
    lib_hours = np.nan_to_num(programmes["library_staff_hours"].to_numpy("float64", na_value=np.nan)) \
        if n_prog else np.zeros(0)
    lib_money = np.nan_to_num(cost)
    lib_input = lib_money + lib_hours * hourly_rate

    p, q = stake["programme"].to_numpy("int64"), stake["partner"].to_numpy("int64")
    hours, cash, in_kind = (stake[c].to_numpy("float64") for c in ("staff_hours", "cash", "in_kind"))
    link_input = cash + in_kind + hours * hourly_rate
    programme_input = lib_input + np.bincount(p, weights=link_input, minlength=n_prog)[:n_prog]
    programme_hours = lib_hours + np.bincount(p, weights=hours, minlength=n_prog)[:n_prog]
    programme_money = lib_money + np.bincount(p, weights=cash + in_kind, minlength=n_prog)[:n_prog]
    split_share = np.divide(link_input, programme_input[p], out=np.zeros(len(p)), where=programme_input[p] > 0)
    given = _split_lookup(split)
    split_given = np.zeros(n_prog, bool)
    if given:
        keys = list(zip(data.programmes["key"].to_numpy()[p], data.partners["key"].to_numpy()[q]))
        found = np.array([key in given for key in keys], bool)
        split_given[p[found]] = True
        split_share = np.where(split_given[p], [given.get(key, 0.0) for key in keys], split_share)
    in_scope = factor[p] > 0 if len(p) else np.zeros(0, bool)
    f = factor[p]
    link_att = split_share * scoped_att[p]
    link_pos = split_share * positive[p]
    contributes = (hours > 0) | (cash > 0) | (in_kind > 0) | stake["venue"].to_numpy(bool)

    # per partner
    n_partners = len(data.partners)
    kept = np.flatnonzero(in_scope)
    qk = q[kept]

    def per_partner(values):
        return np.bincount(qk, weights=np.asarray(values, "float64")[kept], minlength=n_partners)[:n_partners]

    involved = per_partner(np.ones(len(q))) > 0
    scaled_input = per_partner(link_input * f)
    their_hours, their_cash, their_kind = per_partner(hours * f), per_partner(cash * f), per_partner(in_kind * f)
    all_hours, all_money = per_partner(programme_hours[p] * f), per_partner(programme_money[p] * f)
    result_att, result_pos = per_partner(link_att), per_partner(link_pos)
    promoted = per_partner(stake["promoted"].fillna(0).to_numpy("float64"))
    credited = per_partner(stake["credited"].fillna(0).to_numpy("float64"))
    count = per_partner(np.ones(len(q)))
    counted = per_partner(contributes.astype("float64"))

    who = np.flatnonzero(involved)
    input_share = shares(scaled_input[who])
    attendance_share = shares(result_att[who])
    outcome_share = shares(result_pos[who]) if basis == "outcomes" else attendance_share
    result_share = outcome_share
    balance = balances(result_share, input_share)
    types = np.array([None if pd.isna(t) or not str(t).strip() else str(t) for t in data.partners["partnership_type"]],
                     object)
    names = data.partners["name"].to_numpy(object)
    partners = tuple(PartnerBalance(
        partner=str(names[j]), type=types[j], programmes=int(count[j]), partnership_programmes=int(counted[j]),
        staff_hours=float(their_hours[j]), cash=float(their_cash[j]), in_kind=float(their_kind[j]),
        input=float(scaled_input[j]),
        effort_share=_num(their_hours[j] / all_hours[j]) if all_hours[j] > 0 else None,
        money_share=_num((their_cash[j] + their_kind[j]) / all_money[j]) if all_money[j] > 0 else None,
        promoted=int(promoted[j]), credited=int(credited[j]), attendance=float(result_att[j]),
        positive_outcomes=float(result_pos[j]) if basis == "outcomes" else None,
        input_share=_num(input_share[i]), attendance_share=_num(attendance_share[i]),
        result_share=_num(result_share[i]), balance=_num(balance[i]))
        for i, j in enumerate(who))

    by_type = []
    type_of = np.array([t if t is not None else NOT_RECORDED for t in types[who]], object)
    for t in dict.fromkeys(["library", "community", "stakeholder", *sorted(set(type_of))]):
        mine = type_of == t
        if not mine.any():
            continue
        i_t, r_t = float(np.nansum(input_share[mine])), float(np.nansum(result_share[mine]))
        valid = not np.isnan(input_share).all()
        by_type.append(TypeBalance(type=t, partners=int(mine.sum()), input_share=i_t if valid else None,
                                   result_share=r_t if not np.isnan(result_share).all() else None,
                                   balance=r_t / i_t if valid and i_t > 0 and not np.isnan(result_share).all()
                                   else None))

    # per programme, and every party's stake
    partners_in = np.bincount(p[kept], minlength=n_prog)[:n_prog]
    partnership = np.zeros(n_prog, bool)
    partnership[p[kept][contributes[kept]]] = True
    partner_split = np.bincount(p[kept], weights=split_share[kept], minlength=n_prog)[:n_prog]
    shown = np.flatnonzero((factor > 0) & (partners_in > 0))
    programme_names = data.programmes["name"].to_numpy(object)
    partner_input_scoped = np.bincount(p[kept], weights=(link_input * f)[kept], minlength=n_prog)[:n_prog]
    rows_out = tuple(ProgrammePartnership(
        programme=str(programme_names[j]), partners=int(partners_in[j]), partnership=bool(partnership[j]),
        library_input=float(lib_input[j] * factor[j]), partner_input=float(partner_input_scoped[j]),
        attendance=float(scoped_att[j]), positive_rate=_num(rate[j]),
        rate_source=("programme" if n[j] > 0 else "scope") if not np.isnan(rate[j]) else None,
        positive_outcomes=_num(positive[j]) if basis == "outcomes" else None, split_given=bool(split_given[j]))
        for j in shown)
    stakes = []
    for j in shown:
        library_split = 1.0 - partner_split[j] if programme_input[j] > 0 or split_given[j] else None
        stakes.append(ProgrammeStake(
            programme=str(programme_names[j]), party=LIBRARY, type=None, role=None,
            staff_hours=float(lib_hours[j] * factor[j]), cash=float(lib_money[j] * factor[j]), in_kind=0.0,
            input=float(lib_input[j] * factor[j]),
            input_share=float(lib_input[j] / programme_input[j]) if programme_input[j] > 0 else None,
            result_split=library_split, promoted=None, credited=None,
            attendance=float(scoped_att[j] * library_split) if library_split is not None else 0.0,
            positive_outcomes=float(positive[j] * library_split) if library_split is not None and basis == "outcomes"
            else None))
    promoted_col, credited_col = stake["promoted"].to_numpy(object), stake["credited"].to_numpy(object)
    roles = stake["role"].to_numpy(object)
    for i in kept[np.argsort(p[kept], kind="stable")]:
        j = p[i]
        stakes.append(ProgrammeStake(
            programme=str(programme_names[j]), party=str(names[q[i]]), type=types[q[i]], role=roles[i],
            staff_hours=float(hours[i] * f[i]), cash=float(cash[i] * f[i]), in_kind=float(in_kind[i] * f[i]),
            input=float(link_input[i] * f[i]),
            input_share=float(link_input[i] / programme_input[j]) if programme_input[j] > 0 else None,
            result_split=float(split_share[i]) if programme_input[j] > 0 or split_given[j] else None,
            promoted=None if pd.isna(promoted_col[i]) else bool(promoted_col[i]),
            credited=None if pd.isna(credited_col[i]) else bool(credited_col[i]),
            attendance=float(link_att[i]), positive_outcomes=float(link_pos[i]) if basis == "outcomes" else None))
    order = {name: i for i, name in enumerate(programme_names[shown])}
    stakes.sort(key=lambda s: (order[s.programme], s.party != LIBRARY))
    return PartnerEquity(partners=partners, imbalance=imbalance(result_share, input_share), by_type=tuple(by_type),
                         programmes=rows_out, stakes=tuple(stakes), basis=basis, hourly_rate=float(hourly_rate),
                         programmes_in_scope=int((factor > 0).sum()))


__all__ = [
    "LIBRARY",
    "METHOD_NOTE",
    "PartnerBalance",
    "PartnerEquity",
    "ProgrammePartnership",
    "ProgrammeStake",
    "TypeBalance",
    "balances",
    "imbalance",
    "links",
    "partner_equity",
    "scope",
    "shares",
]
