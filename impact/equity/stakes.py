"""The stakes table behind partnership fairness (impact/equity/partners.py): each party's amount of each stake
in each partnership programme in scope, and its share of it.

`links` reads programme_partners once per prepared data; `party_frame` adds the library as a party and works
out the shares (see partners.py for the definitions); `session_leads` reads attendance's per-session lead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from impact.filters import Filters, Prepared, Selection, per_prepared
from impact.ingest.clean import slug

LIBRARY = "(the library service)"
AGREED = {"efforts": "agreed_efforts", "outputs": "agreed_outputs", "money": "agreed_money"}


def _codes(table: pd.DataFrame) -> dict[str, int]:
    index = {}
    for code, (key, id_key) in enumerate(zip(table["key"], table["id_key"])):
        index.setdefault(key, code)
        index.setdefault(id_key, code)
    return index


NUMBERS = ("staff_hours", "cash", "in_kind")
OPTIONAL = ("sessions_led", "promotion_reach", *AGREED.values())  # NaN when not recorded


def links(data: Prepared) -> pd.DataFrame:
    """`_links`, computed once per `Prepared` (the page, the network and Value all read it)."""
    return per_prepared(data, "stakes.links", _links)


def _links(data: Prepared) -> pd.DataFrame:
    """programme_partners as one row per (programme code, partner code): hours, cash, in-kind summed; sessions
    led and promotion reach summed (NaN when none records them); agreed shares the first given; promoted and
    credited true when any row says so (NA when none records it); roles joined."""
    raw = data.frames.get("programme_partners")
    columns = ["programme", "partner", *NUMBERS, *OPTIONAL, "promoted", "credited", "role", "venue"]
    if raw is None or raw.empty or not {"programme", "partner"} <= set(raw):
        return pd.DataFrame(columns=columns)
    prog_index, partner_index = _codes(data.programmes), _codes(data.partners)
    frame = pd.DataFrame({
        "programme": raw["programme"].map(lambda x: prog_index.get(slug(x), -1) if pd.notna(x) else -1),
        "partner": raw["partner"].map(lambda x: partner_index.get(slug(x), -1) if pd.notna(x) else -1)})
    for c in NUMBERS:
        frame[c] = pd.to_numeric(raw[c], errors="coerce").fillna(0.0).to_numpy("float64") if c in raw else 0.0
    for c in OPTIONAL:
        frame[c] = pd.to_numeric(raw[c], errors="coerce").to_numpy("float64") if c in raw else np.nan
    for c in ("promoted", "credited"):
        frame[c] = raw[c].astype("boolean").astype("Int8") if c in raw else pd.array([pd.NA] * len(raw), "Int8")
    frame["role"] = raw["role"].astype("object").where(raw["role"].notna(), None) if "role" in raw else None
    frame["venue"] = (raw["role"].astype("str").str.strip().str.casefold() == "venue").fillna(False).to_numpy(bool) \
        if "role" in raw else False
    frame = frame[(frame["programme"] >= 0) & (frame["partner"] >= 0)]
    grouped = frame.groupby(["programme", "partner"], sort=True)
    out = grouped[list(NUMBERS)].sum()
    for c in ("sessions_led", "promotion_reach"):
        out[c] = grouped[c].sum(min_count=1)
    for c in AGREED.values():
        out[c] = grouped[c].first()
    out["promoted"] = grouped["promoted"].max()
    out["credited"] = grouped["credited"].max()
    out["role"] = grouped["role"].agg(lambda r: "; ".join(dict.fromkeys(x for x in r if x)) or None)
    out["venue"] = grouped["venue"].any()
    return out.reset_index()[columns]


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


def sessions_in_scope(data: Prepared, selection: Selection) -> np.ndarray:
    """Sessions per programme among the attendance rows in scope: Σ `sessions` of whole rows, plus each
    multi-row session (a head count split by group) once."""
    n_prog = len(data.programmes)
    att = data.attendance
    keep = np.asarray(selection.attendance, bool)
    whole = keep & (att.session < 0)
    out = np.bincount(att.programme[whole], weights=att.sessions[whole], minlength=n_prog)[:n_prog].astype("float64")
    parts = keep & (att.session >= 0)
    if parts.any():
        ids, first = np.unique(att.session[parts], return_index=True)
        out += np.bincount(att.programme[parts][first], weights=data.session_sessions[ids], minlength=n_prog)[:n_prog]
    return out


LIBRARY_WORDS = frozenset(slug(w) for w in ("library", "the library", "library staff", "library service",
                                              "libraries", LIBRARY))


def _leads(data: Prepared):
    """Per attendance row, once per `Prepared`: whether it names a session lead, whose (-2 the library, -1 neither
    the library nor a partner, else the partner's code) and the sessions it stands for; None without leads."""
    raw = data.frames.get("attendance")
    if raw is None or "session_lead" not in raw or len(raw) != len(data.attendance):
        return None
    lead = raw["session_lead"]
    has_lead = lead.notna().to_numpy(bool)
    partner_index = _codes(data.partners)
    codes, uniques = pd.factorize(lead)
    party = np.array([-2 if slug(str(u)) in LIBRARY_WORDS else partner_index.get(slug(str(u)), -1)
                      for u in uniques] + [-1], "int64")[codes]  # a missing lead (code -1) takes the last: -1
    # each whole row counts its sessions; the rows of one multi-row session share its sessions
    att = data.attendance
    session = att.session
    if len(data.session_sessions):
        parts = np.bincount(session[session >= 0], minlength=len(data.session_sessions))
        ids = np.maximum(session, 0)
        weight = np.where(session < 0, att.sessions, data.session_sessions[ids] / np.maximum(parts[ids], 1))
    else:
        weight = np.asarray(att.sessions, "float64")
    for a in (has_lead, party, weight):
        a.setflags(write=False)
    return has_lead, party, weight


def session_leads(data: Prepared, selection: Selection):
    """Sessions led per party from attendance's `session_lead`, over the rows in scope: (programmes with a
    lead recorded, sessions the library led per programme, {(programme, partner code): sessions}), or None
    when no row in scope names a lead. A multi-row session counts once; a lead matching neither a partner
    nor the library is left out."""
    leads = per_prepared(data, "stakes.leads", _leads)
    if leads is None:
        return None
    has_lead, party_all, weight_all = leads
    named = np.flatnonzero(np.asarray(selection.attendance, bool) & has_lead)
    if not len(named):
        return None
    att, n_prog = data.attendance, len(data.programmes)
    party, weight = party_all[named], weight_all[named]
    prog = att.programme[named]
    known = party != -1
    recorded = np.bincount(prog[known], minlength=n_prog)[:n_prog] > 0
    is_library = party == -2
    library = np.bincount(prog[is_library], weights=weight[is_library], minlength=n_prog)[:n_prog]
    mine = party >= 0
    width = max(len(data.partners), 1)
    pairs, inverse = np.unique(prog[mine] * width + party[mine], return_inverse=True)
    sums = np.bincount(inverse, weights=weight[mine], minlength=len(pairs))
    partners = {(int(k // width), int(k % width)): float(v) for k, v in zip(pairs, sums)}
    return (recorded, library, partners) if recorded.any() else None


def _has_role(roles: np.ndarray, *words: str) -> np.ndarray:
    return np.array([r is not None and any(w in str(r).casefold() for w in words) for r in roles], bool)


def party_frame(data: Prepared, filters: Filters, selection: Selection) -> pd.DataFrame:
    """One row per (partnership programme in scope, party), the library first in each programme: amounts of
    every stake (scaled to the scope) and the party's share of each."""
    n_prog = len(data.programmes)
    stake = links(data)
    _, factor = scope(data, selection, filters)
    stake = stake[factor[stake["programme"].to_numpy("int64")] > 0] if len(stake) else stake
    if stake.empty:
        return pd.DataFrame()
    p = stake["programme"].to_numpy("int64")
    f = factor[p]
    roles = stake["role"].to_numpy(object)
    codeliver = _has_role(roles, "co-deliver", "co deliver", "codeliver")
    leads = _has_role(roles, "lead")
    led = stake["sessions_led"].to_numpy("float64") * f
    sessions = sessions_in_scope(data, selection)
    # a partner leads every session when its role says lead and no count is given; the library delivers
    # the sessions no partner led alone (co-delivered sessions count for both)
    progs = np.unique(p)
    nominal = np.where(sessions > 0, sessions, 1.0)
    partner_sessions = np.where(~np.isnan(led), led, np.where(leads | codeliver, nominal[p], 0.0))
    alone = np.bincount(p, weights=np.where(codeliver, 0.0, partner_sessions), minlength=n_prog)[:n_prog]
    total_sessions = np.maximum(nominal, alone)
    library_sessions = np.clip(total_sessions - alone, 0, None)
    # where attendance names each session's lead, count those sessions instead (per-session lead wins)
    by_lead = session_leads(data, selection)
    if by_lead is not None:
        recorded, library_led, partner_led = by_lead
        in_recorded = recorded[p]
        partner_sessions = np.where(in_recorded, [partner_led.get((a, b), 0.0) for a, b in
                                                  zip(p, stake["partner"].to_numpy("int64"))], partner_sessions)
        library_sessions = np.where(recorded, library_led, library_sessions)

    programmes = data.programmes
    cost = np.nan_to_num(programmes["library_cost"].to_numpy("float64", na_value=np.nan))
    hours = np.nan_to_num(programmes["library_staff_hours"].to_numpy("float64", na_value=np.nan))
    reach = _programme_column(data, "promotion_reach")
    names = data.partners["name"].to_numpy(object)
    types = [None if pd.isna(t) or not str(t).strip() else str(t) for t in data.partners["partnership_type"]]
    prog_names = programmes["name"].to_numpy(object)
    library = pd.DataFrame({
        "code": progs, "programme": prog_names[progs], "party": LIBRARY, "type": None, "role": None,
        "staff_hours": hours[progs] * factor[progs], "sessions": library_sessions[progs],
        "partner_money": 0.0, "money": cost[progs] * factor[progs], "promoted": 1.0,
        "promotion_reach": reach[progs] * factor[progs], "credited": 1.0, "order": 0})
    q = stake["partner"].to_numpy("int64")
    partners = pd.DataFrame({
        "code": p, "programme": prog_names[p], "party": names[q], "type": [types[j] for j in q], "role": roles,
        "staff_hours": stake["staff_hours"].to_numpy("float64") * f, "sessions": partner_sessions,
        "partner_money": (stake["cash"] + stake["in_kind"]).to_numpy("float64") * f,
        "promoted": stake["promoted"].astype("Float64").to_numpy("float64", na_value=np.nan),
        "promotion_reach": stake["promotion_reach"].to_numpy("float64") * f,
        "credited": stake["credited"].astype("Float64").to_numpy("float64", na_value=np.nan), "order": 1})
    partners["money"] = partners["partner_money"]
    for c in AGREED.values():
        partners[c] = stake[c].to_numpy("float64")
    frame = pd.concat([library, partners], ignore_index=True).sort_values(["code", "order"], kind="stable")
    frame = frame.reset_index(drop=True)
    g = frame["code"]
    frame["efforts"] = _shares_within(frame["staff_hours"], g)
    frame["outputs"] = _shares_within(frame["sessions"], g)
    relevant = frame.groupby("code")["partner_money"].transform("sum") > 0  # money only where a partner puts some in
    frame["money_share"] = _shares_within(frame["money"], g).where(relevant)
    # marketing: recorded when a partner's promotion is; by reach when every party that promoted records it
    partner_rows = frame["order"] == 1
    promo_known = frame["promoted"].where(partner_rows).notna().groupby(frame["code"]).transform("any")
    promoted = frame["promoted"].fillna(0.0)
    reach_missing = (promoted > 0) & frame["promotion_reach"].isna()
    by_reach = ~reach_missing.groupby(frame["code"]).transform("any") & \
        (frame["promotion_reach"].fillna(0) * promoted).groupby(frame["code"]).transform("sum").gt(0)
    weight = np.where(by_reach, frame["promotion_reach"].fillna(0) * promoted, promoted)
    frame["marketing"] = _shares_within(pd.Series(weight, index=frame.index), g).where(promo_known)
    credit_known = frame["credited"].where(partner_rows).notna().groupby(frame["code"]).transform("any")
    frame["results"] = _shares_within(frame["credited"].fillna(0.0), g).where(credit_known)
    frame["contribution"] = frame[["efforts", "outputs", "money_share"]].mean(axis=1, skipna=True)
    frame["recognition"] = frame[["marketing", "results"]].mean(axis=1, skipna=True)
    return frame


def _shares_within(values: pd.Series, codes: pd.Series) -> pd.Series:
    total = values.fillna(0).groupby(codes).transform("sum")
    return (values.fillna(0) / total).where(total > 0)


def _programme_column(data: Prepared, column: str) -> np.ndarray:
    """A numeric column of the programmes table that `prepare` does not carry, in programme-code order."""
    raw = data.frames.get("programmes")
    if raw is None or column not in raw or "name" not in raw or not len(data.programmes):
        return np.full(len(data.programmes), np.nan)
    values = dict(zip(raw["name"].map(lambda x: slug(x) if pd.notna(x) else None),
                      pd.to_numeric(raw[column], errors="coerce")))
    return data.programmes["key"].map(values).to_numpy("float64", na_value=np.nan)


__all__ = ["AGREED", "LIBRARY", "LIBRARY_WORDS", "links", "party_frame", "scope", "session_leads",
           "sessions_in_scope"]
