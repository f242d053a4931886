"""Every coded comment made ready for any scope: once per data version, coding and suppression threshold.

What the quote bank and the code counts do to each comment does not depend on the scope: its codes as a row of
the code matrix, its text scrubbed (quotes.safe_text, against a `Safety` built from every comment), whether it
may begin with a person's name, and the narrowest group of `threshold` or more respondents it can be attributed
to (quotes.attribute). `screen` does that once; a new scope then only selects rows (`what_people_said(...,
screened=...)`), and gets what computing it per scope gives, value for value. Staff decisions (approve, reject,
an edited text) are applied per scope, so a decision shows at the next rerun without screening again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from impact.comments.codebook import DEFAULT
from impact.comments.coding import matrix_of, split_codes
from impact.comments.quotes import (
    Safety,
    attribute,
    attributions,
    object_array,
    quote_lengths,
    safe_text,
    safety,
)
from impact.filters import prepare


@dataclass(frozen=True, eq=False)
class Screened:
    """Per coded comment (aligned with `coded`, by position): codes, scrubbed text, name risk, attribution."""

    coded: pd.DataFrame
    codebook: tuple
    threshold: int
    matrix: np.ndarray  # bool (comments, codebook codes): the `codes` column as coding.matrix_of reads it
    code_lists: np.ndarray  # object: each comment's codes as a tuple (coding.split_codes)
    quote: np.ndarray  # object: the text as quotes.safe_text scrubs it
    risky: np.ndarray  # bool: its first word may be a person's name (never quoted)
    attribution: np.ndarray  # object: quotes.attribute's description, None when no group is large enough
    safety: Safety | None  # what the texts were checked against (staff's edited quotes are scrubbed with it)
    quote_length: np.ndarray = field(default_factory=lambda: np.zeros(0, "int64"))  # int64: len of each quote

    def __len__(self) -> int:
        return len(self.coded)

    def fits(self, coded: pd.DataFrame, threshold: int, codebook) -> bool:
        """Whether this screening is of these comments, at this threshold, with this codebook."""
        return coded is self.coded and int(threshold) == self.threshold and tuple(codebook) == self.codebook


def screen(data, coded: pd.DataFrame, threshold: int = 5, codebook=DEFAULT) -> Screened:
    """Prepared data + every coded comment (comment_id, row, text, codes, tone, ...) -> `Screened`. Each distinct
    text is scrubbed once and each distinct (programme, age band) attributed once: the same calls on the same
    inputs as per comment."""
    data = prepare(data)
    codebook = tuple(codebook)
    n = len(coded)
    names = [c.code for c in codebook]
    if not n:
        empty = np.zeros(0, object)
        return Screened(coded, codebook, int(threshold), np.zeros((0, len(names)), bool), empty, empty,
                        np.zeros(0, bool), empty, None)
    s = safety(data, coded["text"], threshold, codebook)
    texts, which = np.unique(coded["text"].astype(str).to_numpy(object), return_inverse=True)
    checked = [safe_text(t, s) for t in texts]
    quote = object_array([q for q, _ in checked])[np.asarray(which).ravel()]
    risky = np.array([r for _, r in checked], bool)[np.asarray(which).ravel()]
    a = attributions(data, threshold)
    rows = coded["row"].to_numpy("int64")
    ages = data.surveys.groups.get("age_band")
    key = data.surveys.programme[rows] * (len(data.group_labels.get("age_band", ())) + 2) + (
        ages[rows] + 1 if ages is not None else 0)
    _, first, who_key = np.unique(key, return_index=True, return_inverse=True)
    described = [attribute(a, data, int(rows[i])) for i in first]
    attribution = object_array(described)[np.asarray(who_key).ravel()]
    code_lists = object_array([split_codes(v) for v in coded["codes"].tolist()])
    return Screened(coded, codebook, int(threshold), matrix_of(coded, names), code_lists, quote, risky,
                    attribution, s, quote_lengths(quote))


__all__ = ["Screened", "screen"]
