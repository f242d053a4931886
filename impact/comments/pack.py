"""The evidence pack's "What people said" page: coded findings with their n, and the quotes staff approved.
Only quotes staff approved reach a pack, and only while they still pass every check of the quote bank
(in scope, consented where the survey asks, attributable to a group of at least the suppression threshold);
their text is scrubbed again at export. Counts go through the same disclosure control as every other table.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from impact.comments import CommentState, what_people_said
from impact.comments.counts import ALL
from impact.comments.store import APPROVED
from impact.filters import Filters

SHEET = "What people said"
METHOD = ("What people said", (
    "Free-text answers (what people liked, what the library could improve, what they will do next) are coded "
    "against the codebook: the Generic Learning Outcomes, the survey's outcome items and feedback codes "
    "(suggestion, barrier). Codes and tone are suggested from the codebook's phrases and the VADER sentiment "
    "lexicon (Hutto & Gilbert 2014), and confirmed or changed by staff; a confirmed coding is never overwritten. "
    "Share of comments = comments with the code / all comments in scope, 95% Wilson interval; a comment can "
    "carry several codes, so shares do not add up to 100%. Quotes are chosen to show the range of tones and "
    "codes in proportion, only from respondents who consented where the survey asked, scrubbed of names, "
    "contact details and addresses, attributed only to groups of at least the suppression threshold, and "
    "approved by staff before use."))


@dataclass(frozen=True)
class PackPart:
    tables: tuple  # impact.export.pack.Table
    quotes: tuple[str, ...]
    left_out: tuple[str, ...]
    method: tuple[str, str] = METHOD
    statements: tuple = ()  # impact.export.statements.Statement of kind "comments"


def _statements(codes, n: int, min_n: int, suppress_n: int, top: int = 3) -> tuple:
    """The most frequent codes as statements, beside their outcome: never below the display minimum of
    comments or from fewer than `suppress_n` comments with the code (that would describe a small group)."""
    from impact.export.statements import Statement

    if n < min_n:
        return ()
    rows = codes[(codes["comments with code"] >= suppress_n) & codes["share %"].notna()]
    out = []
    for _, r in rows.sort_values("comments with code", ascending=False).head(top).iterrows():
        text = (f"{r['share %']:.0f}% of {n:,} comments (95% CI {r['low %']:.0f}–{r['high %']:.0f}%) describe "
                f"{r['label'].casefold()}")
        if r["matching outcome"] and r["outcome positive %"] == r["outcome positive %"] \
                and r["outcome positive %"] is not None:
            text += (f", beside {r['outcome positive %']:.0f}% of {int(r['outcome n']):,} survey answers agreeing: "
                     f"{r['matching outcome'].casefold()}")
        out.append(Statement("comments", text + ".", r["share %"] / 100, n, r["low %"] / 100, r["high %"] / 100))
    return tuple(out)


def part(data, filters: Filters, state: CommentState | None, min_n: int, suppress_n: int) -> PackPart:
    """Prepared data + scope + staff decisions -> the tables and approved quotes of the pack's comments page."""
    from impact.export.disclosure import Suppression
    from impact.export.pack import INT, PCT, Table, _suppressed

    state = state or CommentState()
    said = what_people_said(data, state, filters, None, min_n, suppress_n, limit=0, approved_only=True)
    left_out = []
    tables = []
    if not len(said.comments):
        return PackPart((), (), ("what people said: no free-text comments in this scope",))
    overall = said.counts.codes[said.counts.codes["group"] == ALL]
    statements = _statements(overall, said.counts.n, min_n, suppress_n)
    codes = overall.drop(columns=["group", "code", "kind"])
    codes = codes.rename(columns={"label": "code"})
    tables.append(_suppressed(
        "comment_codes", SHEET, f"What people said: share of {said.counts.n:,} comments carrying each code, "
        "beside the matching survey outcome", codes,
        Suppression(counts=("comments with code",), derived={"comments with code": ("share %", "low %", "high %")},
                    additive=()),
        suppress_n, {"comments with code": INT, "comments": INT, "share %": PCT, "low %": PCT, "high %": PCT,
                     "outcome positive %": PCT, "outcome n": INT},
        "A comment can carry several codes. Codes are suggested from the codebook and confirmed by staff "
        f"({int((said.comments['source'] == 'confirmed').sum()):,} of {len(said.comments):,} confirmed)."))
    tones = said.counts.tones[said.counts.tones["group"] == ALL].drop(columns=["group", "comments"])
    # every comment has one tone: the tones add up to the total, so the total is a row disclosure control knows
    # (a total repeated in a column of its own would give a hidden tone away as total minus the rest)
    total = pd.DataFrame([{"tone": "Total", "comments with tone": int(said.counts.n), "share %": 100.0}])
    tones = pd.concat([tones, total], ignore_index=True)
    tables.append(_suppressed(
        "comment_tones", SHEET, "What people said: tone of the comments", tones,
        Suppression(counts=("comments with tone",), derived={"comments with tone": ("share %", "low %", "high %")},
                    total_row="Total", total_column="tone"),
        suppress_n, {"comments with tone": INT, "share %": PCT, "low %": PCT, "high %": PCT}))
    approved = said.quotes.quotes[said.quotes.quotes["status"] == APPROVED]
    if len(approved):
        frame = approved[["quote", "attribution", "tone", "codes"]].reset_index(drop=True)
        tables.append(Table("quotes", SHEET, "In participants' words: quotes approved by staff", frame, {},
                            "Scrubbed of names, contact details and addresses; attributed only to groups of at "
                            f"least {suppress_n} respondents; consented where the survey asked."))
    else:
        left_out.append("quotes: none approved by staff for this scope yet (approve them on the Comments page)")
    return PackPart(tuple(tables), tuple(approved["quote"]), tuple(left_out), METHOD, statements)


__all__ = ["METHOD", "SHEET", "PackPart", "part"]
