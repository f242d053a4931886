"""Safe to share: small-cell suppression, personal-data scrubbing, formula neutralisation.

suppression     a cell counting fewer than `threshold` people (setting `suppress_n`, default 5; 0 is not
                suppressed: it describes nobody) is replaced by SUPPRESSED, and so is every cell derived from
                it in its row (a rate, an interval, a mean). Secondary suppression: every count column is
                treated as adding up to a total published elsewhere in the pack, so a column never has
                exactly one suppressed cell; the smallest unsuppressed cell beside it is suppressed too, and
                while the suppressed cells of a column add up to fewer than `threshold` more are taken
                (the sum of suppressed cells is what a reader can work out from the total).
scrubbing       emails, phone numbers, UK postcodes, web addresses, @handles, titled names ("Mrs Jones"),
                self-introductions ("my name is Sam"), id-like codes (letters and digits, "WF014402") and any
                string the caller names (respondent and participant ids) are replaced by a bracketed word.
neutralising    text a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
                return: OWASP's CSV injection list) gets a leading apostrophe, in every workbook and CSV.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUPPRESSED = "[c]"  # the ONS marker for a confidential cell
SUPPRESSION_NOTE = ("[c] = suppressed: the cell counts fewer than {threshold} people, or would let such a cell be "
                    "worked out from a total; rates, intervals and means of a suppressed count are suppressed too.")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])(?:\+?\d[\d ()-]{7,}\d)(?![\w/])")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", re.IGNORECASE)
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w.])@\w{2,}")
TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Sir|Dame)\.?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")
INTRODUCED = re.compile(r"\b((?i:my name is|i am called|i'm called|name's|call me|thanks to|thank you|thanks)"
                        r"[\s,]+)([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)")
ID_LIKE = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{5,}\b")


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table count people, which cells are computed from them, and which cells add up.

    counts      columns counting people
    derived     count column -> columns computed from it in the same row (a rate, an interval, a mean)
    additive    count columns whose body rows add up to a total published in the pack (the totals row,
                or another table); `within` splits them into separate sums (e.g. one per outcome item)
    row_sums    groups of count columns that add up, within a row, to another column shown (the 5-point
                distribution adds up to n)
    total_row   label (first column) of a totals row: never suppressed itself"""

    counts: tuple[str, ...]
    derived: dict = field(default_factory=dict)
    additive: tuple[str, ...] | None = None  # None: every count column
    within: str | None = None
    row_sums: tuple[tuple[str, ...], ...] = ()
    total_row: str | None = None


@dataclass(frozen=True)
class Suppressed:
    """A table after suppression, and what was hidden (kept in memory for tests; never written out)."""

    table: pd.DataFrame
    primary: tuple[tuple[int, str], ...]  # (row position, column)
    secondary: tuple[tuple[int, str], ...]
    hidden: tuple[float, ...]  # the values that were replaced


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy("float64", na_value=np.nan)


def suppress(table: pd.DataFrame, rule: Suppression, threshold: int = 5) -> Suppressed:
    """Table + which columns count people -> the table with small cells and their complements as SUPPRESSED.

    Primary: 0 < count < threshold. Secondary, over every set of cells that adds up to a published total
    (an additive column, a row's distribution): while the set has exactly one suppressed cell, or its
    suppressed cells add up to fewer than `threshold` (a reader can work out their sum), the smallest
    unsuppressed non-zero cell of the set is suppressed too, repeated until nothing changes.
    Derived cells of a suppressed count go with it."""
    out = table.copy().reset_index(drop=True)
    counts = [c for c in rule.counts if c in out]
    body = np.ones(len(out), bool)
    if rule.total_row is not None and len(out.columns):
        body = (out.iloc[:, 0].astype("object").astype(str) != rule.total_row).to_numpy(bool)
    values = {c: _numbers(out[c]) for c in counts}
    hide = {c: body & (values[c] > 0) & (values[c] < threshold) for c in counts}
    primary = [(int(i), c) for c in counts for i in np.flatnonzero(hide[c])]
    lines = []  # each: list of (row, column) cells adding up to a published total
    additive = counts if rule.additive is None else [c for c in rule.additive if c in values]
    parts = out[rule.within].astype("object").astype(str).to_numpy() if rule.within in out else np.zeros(len(out))
    for c in additive:
        for part in dict.fromkeys(parts[body]):
            lines.append([(int(i), c) for i in np.flatnonzero(body & (parts == part))])
    for group in rule.row_sums:
        group = [c for c in group if c in values]
        lines += [[(int(i), c) for c in group] for i in np.flatnonzero(body)]
    secondary = []
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_cells = [(i, c) for i, c in line if hide[c][i]]
            if not hidden_cells:
                continue
            if len(hidden_cells) >= 2 and sum(values[c][i] for i, c in hidden_cells) >= threshold:
                continue
            free = [(values[c][i], i, c) for i, c in line if not hide[c][i] and values[c][i] > 0]
            if not free:
                continue
            _, i, c = min(free)
            hide[c][i] = True
            secondary.append((i, c))
            changed = True
    hidden = []
    for c in counts:
        small = hide[c]
        if not small.any():
            continue
        hidden += [float(v) for v in values[c][small]]
        for target in (c, *rule.derived.get(c, ())):
            if target in out:
                out[target] = out[target].astype("object")
                out.loc[small, target] = SUPPRESSED
    return Suppressed(out, tuple(primary), tuple(secondary), tuple(hidden))


def known_pattern(values) -> re.Pattern | None:
    """Strings that must never appear (respondent and participant ids, people's names) -> one pattern,
    compiled once for many `scrub` calls."""
    found = sorted({str(v).strip() for v in values if v is not None and str(v).strip()}, key=len, reverse=True)
    if not found:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, found)) + r")(?!\w)", re.IGNORECASE)


def scrub(text, known=()) -> str:
    """Free text -> the same text with personal data replaced by "[email]", "[phone]", "[name]", ...

    `known`: strings that must never appear, or a pattern from `known_pattern`."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    out = str(text)
    pattern = known if isinstance(known, re.Pattern) else known_pattern(known)
    if pattern is not None:
        out = pattern.sub("[removed]", out)
    out = EMAIL.sub("[email]", out)
    out = URL.sub("[web address]", out)
    out = HANDLE.sub("[handle]", out)
    out = PHONE.sub("[phone]", out)
    out = POSTCODE.sub("[postcode]", out)
    out = TITLED.sub("[name]", out)
    out = INTRODUCED.sub(lambda m: m.group(1) + "[name]", out)
    out = ID_LIKE.sub("[id]", out)
    return out


def neutralise(value):
    """A value a spreadsheet would run as a formula -> the same text with a leading apostrophe; others as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and column name neutralised (numbers are left as numbers)."""
    out = table.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("object").map(neutralise)
    return out


def safe_csv(table: pd.DataFrame, rule: Suppression | None = None, threshold: int = 5) -> bytes:
    """A table -> CSV bytes (UTF-8 with BOM, so Excel reads accents) with small cells suppressed when `rule`
    says which columns count people, and formulas neutralised: the per-chart download every page offers."""
    if rule is not None:
        table = suppress(table, rule, threshold).table
    return neutralise_frame(table).to_csv(index=False).encode("utf-8-sig")


__all__ = [
    "SUPPRESSED",
    "SUPPRESSION_NOTE",
    "Suppressed",
    "Suppression",
    "known_pattern",
    "neutralise",
    "neutralise_frame",
    "safe_csv",
    "scrub",
    "suppress",
]
