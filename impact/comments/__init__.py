"""What people said: free-text survey comments coded to outcomes, counted with their n, and a safe quote bank.

    from impact import comments
    state = comments.load(store)                          # codebook, confirmations, quote decisions
    said = comments.what_people_said(frames, state, Filters(themes=["Digital inclusion"]), min_n=10, suppress_n=5)
    said.counts.codes        # each code's share of comments (n, Wilson interval) beside its outcome rate
    said.quotes.quotes       # proposed and approved quotes, scrubbed, attributed to large groups only

codebook.py (the codes, edited as a table or a sheet), coding.py (comments, suggested codes and tone,
confirmations, Cohen's kappa), themes.py (TF-IDF + NMF theme proposals), counts.py, quotes.py, store.py
(the tables), pack.py (the evidence pack's page). Nothing here imports streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from impact.comments import codebook as codebook_module
from impact.comments.codebook import DEFAULT, Code
from impact.comments.coding import comments, merge, suggest
from impact.comments.counts import CodeCounts, count, in_scope, sentences
from impact.comments.quotes import QuoteBank, bank
from impact.comments.screened import Screened, screen
from impact.comments.store import APPROVED, REJECTED, CommentStore
from impact.filters import Filters, prepare


@dataclass(frozen=True)
class CommentState:
    """What staff have decided: the codebook, every confirmation, every quote decision."""

    codebook: tuple[Code, ...] = DEFAULT
    confirmed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["comment_id", "coder", "codes", "tone", "confirmed_at"]))
    decisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["comment_id", "status", "text", "attribution", "decided_by", "decided_at"]))


def load(store) -> CommentState:
    """The comment tables of a Store (created on first use)."""
    cs = CommentStore(store)
    return CommentState(cs.codebook(), cs.confirmed(), cs.decisions())


def state_version(store) -> int:
    """Raised by every change to the codebook, codings or quote decisions: a cache key for `load(store)`."""
    return CommentStore(store).version()


def coded(frames, state: CommentState | None = None) -> pd.DataFrame:
    """Every comment in the data with its codes and tone: confirmed where someone confirmed it, else suggested."""
    state = state or CommentState()
    frames = prepare(frames).frames
    return merge(suggest(comments(frames), state.codebook), state.confirmed)


@dataclass(frozen=True)
class Said:
    """What people said in one scope: the coded comments, counts by group, the quote bank, headline sentences."""

    comments: pd.DataFrame  # coded comments in scope
    counts: CodeCounts
    quotes: QuoteBank
    sentences: tuple[str, ...]
    codebook: tuple[Code, ...]

    def to_dict(self) -> dict:
        return {"comments": len(self.comments), "sentences": list(self.sentences),
                "counts": self.counts.to_dict(), "quotes": self.quotes.to_dict()}


def what_people_said(frames, state: CommentState | None = None, filters: Filters | None = None, by: str | None = None,
                     min_n: int = 10, suppress_n: int = 5, limit: int = 12, all_coded: pd.DataFrame | None = None,
                     approved_only: bool = False, screened: Screened | None = None, found=None) -> Said:
    """Frames (or Prepared) + decisions + scope -> `Said`. Pass `all_coded` (from `coded`) to code only once, or
    `screened` (from `screen`, once per data version, coding and `suppress_n`) to also check every comment for
    quoting only once: a scope then only selects rows; `found` (indicators.compute of this scope and min_n) when the
    caller has it. `approved_only` for a pack, whose quotes are the approved ones alone (quotes.bank)."""
    state = state or CommentState()
    filters = filters or Filters()
    data = prepare(frames)
    if screened is not None:
        all_coded = screened.coded
    everything = all_coded if all_coded is not None else coded(data, state)
    matrix = screened.matrix if screened is not None else None
    scope = in_scope(data, everything, filters) if len(everything) else []
    counts = count(data, everything, state.codebook, filters, by, min_n, matrix, found if by is None else None)
    overall = counts if by is None else count(data, everything, state.codebook, filters, None, min_n, matrix, found)
    quotes = bank(data, everything, filters, suppress_n, limit, state.decisions, state.codebook, approved_only,
                  screened)
    return Said(everything[scope].reset_index(drop=True) if len(everything) else everything, counts, quotes,
                tuple(sentences(overall)), state.codebook)


__all__ = ["APPROVED", "REJECTED", "CommentState", "CommentStore", "Said", "Screened", "codebook_module", "coded",
           "comments", "load", "screen", "state_version", "what_people_said"]
