"""Themes the codebook lacks: comments clustered by their words (TF-IDF, then non-negative matrix factorisation).

TF-IDF weights each word by how often a comment uses it against how many comments use it (Spärck Jones 1972);
NMF (Lee & Seung 1999, scikit-learn's `NMF` with the deterministic NNDSVD start) splits the comments x words
matrix into k themes, each a weighted set of words. A comment belongs to the theme with its largest weight.
A theme whose comments mostly carry one code already is "in the codebook"; the others are proposals.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact.comments.coding import matrix_of

MIN_COMMENTS = 20  # fewer comments than this give themes that are noise


@dataclass(frozen=True)
class Theme:
    number: int
    words: tuple[str, ...]  # top words, strongest first
    comments: int  # comments whose strongest theme this is
    examples: tuple[str, ...]  # the comments most typical of it
    covered_by: str  # the code most of its comments already carry ("" when none does: a proposal)
    covered_share: float  # share of its comments carrying that code

    @property
    def proposal(self) -> bool:
        return not self.covered_by

    def to_dict(self) -> dict:
        return {"theme": self.number, "words": list(self.words), "comments": self.comments,
                "examples": list(self.examples), "covered_by": self.covered_by,
                "covered_share": round(self.covered_share, 3), "proposal": self.proposal}


@dataclass(frozen=True)
class Themes:
    themes: tuple[Theme, ...]
    n: int  # comments clustered
    note: str = ""  # why there are none, when there are none

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{"theme": t.number, "top words": ", ".join(t.words), "comments": t.comments,
                              "already coded as": t.covered_by or "(new: not in the codebook)",
                              "share already coded %": round(100 * t.covered_share, 1),
                              "examples": " | ".join(t.examples)} for t in self.themes],
                            columns=["theme", "top words", "comments", "already coded as", "share already coded %",
                                     "examples"])

    def to_dict(self) -> dict:
        return {"n": self.n, "note": self.note, "themes": [t.to_dict() for t in self.themes]}


def propose(coded: pd.DataFrame, codebook, k: int | None = None, words: int = 6, examples: int = 3,
            covered: float = 0.5) -> Themes:
    """Coded comments (text, codes) -> k themes (default: about one per 40 comments, 3 to 10), each with its top
    words, size and most typical comments, and the existing code covering at least `covered` of it, if any."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = coded["text"].astype(str).reset_index(drop=True) if len(coded) else pd.Series([], dtype=str)
    n = len(texts)
    if n < MIN_COMMENTS:
        return Themes((), n, f"fewer than {MIN_COMMENTS} comments in scope: too few to find themes")
    vectoriser = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5, ngram_range=(1, 2),
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b", sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # every word is a stop word or appears once
        return Themes((), n, "the comments share too few words to find themes")
    k = k or int(np.clip(round(n / 40), 3, 10))
    k = max(1, min(k, matrix.shape[1] - 1, n - 1))
    model = NMF(n_components=k, init="nndsvd", random_state=0, max_iter=400)
    with warnings.catch_warnings():  # NNDSVD starts near the answer; a slow last digit is not worth a warning
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    vocabulary = np.array(vectoriser.get_feature_names_out())
    strongest = weights.argmax(axis=1)
    has_theme = weights.max(axis=1) > 0
    names = [c.code for c in codebook]
    labels = {c.code: c.label for c in codebook}
    present = matrix_of(coded.reset_index(drop=True), names) if len(names) else np.zeros((n, 0), bool)
    found = []
    for t in range(k):
        members = np.flatnonzero(has_theme & (strongest == t))
        if not len(members):
            continue
        top = tuple(vocabulary[np.argsort(model.components_[t])[::-1][:words]])
        order = members[np.argsort(weights[members, t])[::-1]]
        chosen = tuple(dict.fromkeys(texts.iloc[order].tolist()))[:examples]
        share, best = 0.0, ""
        if present.shape[1]:
            shares = present[members].mean(axis=0)
            j = int(shares.argmax())
            if shares[j] >= covered:
                share, best = float(shares[j]), labels[names[j]]
        found.append((len(members), top, chosen, best, share))
    found.sort(key=lambda f: (f[3] != "", -f[0]))  # proposals first, biggest first
    themes = tuple(Theme(i + 1, top, size, chosen, best, share)
                   for i, (size, top, chosen, best, share) in enumerate(found))
    return Themes(themes, n)


__all__ = ["MIN_COMMENTS", "Theme", "Themes", "propose"]
