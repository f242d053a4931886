"""How often each code and each tone appears, for any scope and by group, beside the matching outcome rate.

share of comments with a code = k / n, k the comments carrying it, n every comment in the group, with the
95% Wilson (1927) interval; below the display minimum no percentage is shown. Each code that names a survey
item (codebook `outcome`) sits beside that item's positive rate for the same group, so a reader sees
"82% said they learned something; 31% of comments describe a new skill" side by side.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact import indicators
from impact.charts import DOMAIN_LABELS
from impact.comments.coding import TONES, matrix_of
from impact.filters import Filters, Prepared, grouping, prepare, select
from impact.stats import proportion

ALL = "all comments in scope"


def _pct(x) -> float | None:
    return None if x is None else round(100 * float(x), 1)


def in_scope(data: Prepared, coded: pd.DataFrame, filters: Filters | None = None) -> np.ndarray:
    """Bool per coded comment: its survey row is selected by `filters`."""
    mask = select(data, filters or Filters()).surveys
    rows = coded["row"].to_numpy("int64") if len(coded) else np.zeros(0, "int64")
    return mask[rows] if len(mask) else np.zeros(len(coded), bool)


def group_masks(data: Prepared, coded: pd.DataFrame, by: str | None, filters: Filters) -> list[tuple[str, np.ndarray]]:
    """(group label, bool per coded comment) for every group of `by` (None: one group, everything in scope).
    Partner groups overlap, as everywhere: a programme run with two partners counts for both."""
    scope = in_scope(data, coded, filters)
    if by is None:
        return [(ALL, scope)]
    grp = grouping(data, by, filters)
    rows = coded["row"].to_numpy("int64")
    out = []
    for i, label in enumerate(grp.labels):
        if grp.members is not None:
            programmes, groups = grp.members
            wanted = np.zeros(len(data.programmes) + 1, bool)
            wanted[programmes[groups == i]] = True
            member = wanted[grp.surveys[rows]]
        else:
            member = grp.surveys[rows] == i
        mask = member & scope
        if mask.any():
            out.append((str(label), mask))
    return out


@dataclass(frozen=True)
class CodeCounts:
    """Counts of codes and tones per group, with n and intervals (long tables, one row per group and code)."""

    by: str | None
    codes: pd.DataFrame
    tones: pd.DataFrame
    n: int  # comments in scope
    min_n: int

    def to_dict(self) -> dict:
        return {"by": self.by, "n": self.n, "min_n": self.min_n,
                "codes": self.codes.astype(object).where(self.codes.notna(), None).to_dict("records"),
                "tones": self.tones.astype(object).where(self.tones.notna(), None).to_dict("records")}


def count(data, coded: pd.DataFrame, codebook, filters: Filters | None = None, by: str | None = None,
          min_n: int = 10, matrix: np.ndarray | None = None, found=None) -> CodeCounts:
    """Coded comments (row, codes, tone) + codebook -> each code's and tone's share of comments per group of `by`.
    `matrix`: the comments' codes as `matrix_of(coded, codebook codes)` gives them, when already made; `found`:
    the indicators of the same scope and min_n (`indicators.compute`, or `compute_by` of `by`), when computed."""
    data = prepare(data)
    filters = filters or Filters()
    codebook = tuple(codebook)
    names = [c.code for c in codebook]
    if matrix is None:
        matrix = matrix_of(coded, names) if len(coded) else np.zeros((0, len(names)), bool)
    tone = coded["tone"].to_numpy(object) if len(coded) else np.zeros(0, object)
    groups = group_masks(data, coded, by, filters) if len(coded) else []
    outcome_of = {}
    if any(c.outcome for c in codebook) and groups:
        if found is None:
            found = indicators.compute(data, filters, min_n) if by is None else indicators.compute_by(data, by, filters,
                                                                                                      min_n)
        found = [found] if by is None else found
        outcome_of = {(ALL if by is None else str(g.group)): g.outcomes for g in found}
    code_rows, tone_rows = [], []
    for label, mask in groups:
        n = int(mask.sum())
        ok = n >= min_n
        outcomes = outcome_of.get(label, {})
        with_code = matrix[mask].sum(axis=0)  # comments of the group carrying each code
        tones = tone[mask]
        for j, c in enumerate(codebook):
            p = proportion(int(with_code[j]), n, min_n)
            o = outcomes.get(c.outcome) if c.outcome else None
            code_rows.append({
                "group": label, "code": c.code, "label": c.label, "kind": c.kind, "comments with code": p.k,
                "comments": n, "share %": _pct(p.rate) if ok else None, "low %": _pct(p.low) if ok else None,
                "high %": _pct(p.high) if ok else None,
                "matching outcome": DOMAIN_LABELS.get(c.outcome, c.outcome) if c.outcome else "",
                "outcome positive %": _pct(o.positive_rate) if o is not None and o.reliable else None,
                "outcome n": o.n if o is not None else None,
                "note": "" if ok else f"fewer than {min_n} comments"})
        for t in TONES:
            p = proportion(int((tones == t).sum()), n, min_n)
            tone_rows.append({"group": label, "tone": t, "comments with tone": p.k, "comments": n,
                              "share %": _pct(p.rate) if ok else None, "low %": _pct(p.low) if ok else None,
                              "high %": _pct(p.high) if ok else None,
                              "note": "" if ok else f"fewer than {min_n} comments"})
    codes = pd.DataFrame(code_rows, columns=["group", "code", "label", "kind", "comments with code", "comments",
                                             "share %", "low %", "high %", "matching outcome", "outcome positive %",
                                             "outcome n", "note"])
    tones = pd.DataFrame(tone_rows, columns=["group", "tone", "comments with tone", "comments", "share %", "low %",
                                             "high %", "note"])
    total = int(in_scope(data, coded, filters).sum()) if len(coded) else 0
    return CodeCounts(by, codes, tones, total, min_n)


def sentences(counts: CodeCounts, top: int = 3) -> list[str]:
    """The codes most often found in the whole scope, each beside its matching outcome rate, as sentences."""
    rows = counts.codes[(counts.codes["group"] == ALL) & counts.codes["share %"].notna()]
    rows = rows[rows["comments with code"] > 0].sort_values("comments with code", ascending=False).head(top)
    out = []
    for _, r in rows.iterrows():
        text = (f"{r['share %']:.0f}% of {r['comments']:,} comments (95% CI {r['low %']:.0f}–{r['high %']:.0f}%) "
                f"describe {r['label'].casefold()}")
        if r["matching outcome"] and pd.notna(r["outcome positive %"]):
            text += (f"; {r['outcome positive %']:.0f}% of {int(r['outcome n']):,} survey answers agreed: "
                     f"{r['matching outcome'].casefold()}")
        out.append(text + ".")
    return out


__all__ = ["ALL", "CodeCounts", "count", "group_masks", "in_scope", "sentences"]
