"""Scopes: an account limited to some partners or branches sees only their part of the data.

A partner's own login sees its partnerships and the figures of the programmes it is part of, never another
partner's links or programmes; a branch login sees the programmes of its branches and the attendance recorded
there. The frames are cut before anything is computed, so every page, chart, table and export of that account
shows the cut data only, and disclosure control (suppression) applies to it as to any scope.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from impact.ingest.clean import slug


@dataclass(frozen=True)
class Scope:
    """Partner and branch names (or ids) an account is limited to; both empty: everything."""

    partners: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        return bool(self.partners or self.branches)

    def to_dict(self) -> dict:
        return {"partners": list(self.partners), "branches": list(self.branches)}

    def to_json(self) -> str | None:
        return json.dumps(self.to_dict()) if self.limited else None

    @classmethod
    def from_json(cls, text: str | None) -> Scope:
        if not isinstance(text, str) or not text:  # None, or NaN from a frame
            return cls()
        data = json.loads(text)
        return cls(tuple(data.get("partners") or ()), tuple(data.get("branches") or ()))

    def describe(self) -> str:
        parts = [f"partners: {', '.join(self.partners)}" if self.partners else "",
                 f"branches: {', '.join(self.branches)}" if self.branches else ""]
        return "; ".join(p for p in parts if p) or "everything"


def _keys(series: pd.Series) -> pd.Series:
    """References as the store matches them: by slug of the name or id, blank as None."""
    return series.map(lambda v: slug(str(v)) if pd.notna(v) and str(v).strip() else None)


def _get(frames: dict, name: str) -> pd.DataFrame:
    frame = frames.get(name)
    return frame if frame is not None else pd.DataFrame()


def limit(frames: dict[str, pd.DataFrame], scope: Scope) -> dict[str, pd.DataFrame]:
    """The canonical frames (Store.frames()) cut to `scope`: programmes of the scoped partners (through
    programme_partners) and of the scoped branches; their attendance and survey responses (attendance recorded
    at another branch is left out for a branch scope); only the scoped partners, their links and their partnership health checks. Other tables
    (the population baseline) pass through."""
    if not scope.limited:
        return frames
    out = dict(frames)
    programmes, partners, links = _get(frames, "programmes"), _get(frames, "partners"), _get(frames, "programme_partners")
    prog_name = _keys(programmes.get("name", pd.Series(dtype=object)))
    prog_id = _keys(programmes.get("programme_id", pd.Series(dtype=object)))
    allowed: set | None = None
    link_keep = pd.Series(True, index=links.index)
    partner_keep = pd.Series(True, index=partners.index)
    if scope.partners:
        wanted = {slug(p) for p in scope.partners}
        by_name = _keys(partners.get("name", pd.Series(dtype=object)))
        by_id = _keys(partners.get("partner_id", pd.Series(dtype=object)))
        partner_keep = by_name.isin(wanted) | by_id.isin(wanted)
        wanted |= set(by_name[partner_keep]) | set(by_id[partner_keep])  # a name also matches by its id
        link_keep = _keys(links.get("partner", pd.Series(dtype=object))).isin(wanted) if len(links) else link_keep
        linked = set(_keys(links.loc[link_keep, "programme"])) if len(links) else set()
        # a programme named in links by its id or its name: take both keys of every matching programme
        matching = prog_name.isin(linked) | prog_id.isin(linked)
        allowed = linked | set(prog_name[matching]) | set(prog_id[matching])
    branches = {slug(b) for b in scope.branches}
    if branches:
        in_branch = _keys(programmes.get("branch", pd.Series(dtype=object))).isin(branches)
        branch_programmes = set(prog_name[in_branch]) | set(prog_id[in_branch])
        allowed = branch_programmes if allowed is None else allowed & branch_programmes
    allowed = {k for k in allowed if k}
    keep_programme = prog_name.isin(allowed) | prog_id.isin(allowed)
    out["programmes"] = programmes[keep_programme]
    if len(links):
        out["programme_partners"] = links[link_keep & _keys(links["programme"]).isin(allowed)]
    if len(partners):
        kept_links = _keys(out["programme_partners"]["partner"]) if len(links) else pd.Series(dtype=object)
        linked_partners = (_keys(partners["name"]).isin(set(kept_links))
                           | _keys(partners.get("partner_id", partners["name"])).isin(set(kept_links)))
        out["partners"] = partners[partner_keep & (linked_partners if not scope.partners else True)]
    for table in ("attendance", "survey_responses"):
        frame = _get(frames, table)
        if not len(frame):
            continue
        keep = _keys(frame["programme"]).isin(allowed) if "programme" in frame else pd.Series(False, frame.index)
        if branches and table == "attendance" and "branch" in frame:
            own = _keys(frame["branch"])
            keep &= own.isna() | own.isin(branches)  # recorded at another branch: not this login's
        out[table] = frame[keep]
    feedback = _get(frames, "partnership_feedback")
    if len(feedback):  # health checks: only the partnerships this login sees (both sides' views of them)
        kept = out.get("partners", partners)
        own = set(_keys(kept.get("name", pd.Series(dtype=object)))) | set(_keys(kept.get("partner_id",
                                                                                           pd.Series(dtype=object))))
        keep = _keys(feedback["partner"]).isin(own - {None})
        if "programme" in feedback:
            programme = _keys(feedback["programme"])
            keep &= programme.isna() | programme.isin(allowed)
        out["partnership_feedback"] = feedback[keep]
    return {name: frame.reset_index(drop=True) for name, frame in out.items()}
