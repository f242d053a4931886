"""Safe to share: small-cell suppression, personal-data scrubbing, formula neutralisation.

suppression     one step (`protect`) for every table of a pack at once, knowing their margins: columns to
                their total rows, a row's 5-point distribution to its n, programmes to their theme's row,
                outcome rows by theme to the outcome's row, the same figure in two tables. A cell counting
                fewer than `threshold` people (setting `suppress_n`, default 5; 0 is not suppressed: it
                describes nobody) is replaced by SUPPRESSED, totals included; secondary cells are chosen
                across all the margins; rates, intervals and means of a hidden count go with it.
audit           `audit_frames` bounds every hidden count from everything published beside it by linear
                programming (scipy.optimize.linprog): sums, and every shown rate or mean within its rounding.
                `protect` hides more until no hidden count could take fewer than `threshold` whole values;
                `python -m impact audit-pack PACK` repeats the audit from the pack's files alone.
scrubbing       emails, phone numbers, UK postcodes, web addresses, @handles, titled names ("Mrs Jones"),
                self-introductions ("my name is Sam"), id-like codes (letters and digits, "WF014402") and any
                string the caller names (respondent and participant ids) are replaced by a bracketed word.
neutralising    text a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
                return: OWASP's CSV injection list) gets a leading apostrophe, in every workbook and CSV.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SUPPRESSED = "[c]"  # the ONS marker for a confidential cell
SUPPRESSION_NOTE = ("[c] = suppressed: the cell counts fewer than {threshold} people, or would let such a cell be "
                    "worked out from the figures beside it; rates, intervals and means of a suppressed count are "
                    "suppressed too.")
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
class Rate:
    """A shown value computed from count cells of its own row: value = Σ weight·numerator / denominator × scale,
    rounded to `decimals`. Hidden whenever any of its cells is; the audit bounds counts with it when shown."""

    value: str
    numerator: tuple[tuple[str, float], ...]
    denominator: str | None = None  # None: the value is Σ weight·numerator itself (scaled)
    scale: float = 100.0
    decimals: int = 1


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table count people, which cells are computed from them, and which cells add up.

    counts      columns counting people
    derived     count column -> columns computed from it in the same row (a rate, an interval, a mean)
    additive    count columns whose body rows add up to a total (the totals row, or a total published
                elsewhere); `within` splits them into separate sums (e.g. one per outcome item); None: every count
    row_sums    groups of count columns that add up, within a row, to a total shown elsewhere
    row_totals  (parts, total column): count columns adding up, within a row, to another count column of it
                (the 5-point distribution to n; answers of 4 and 5 to "positive")
    total_row   label of a totals row (in `total_column`, default the first column); totals are suppressed like
                any other cell when they are small or when a hidden cell could be worked out from them
    rates       shown values computed from the row's counts (see `Rate`)"""

    counts: tuple[str, ...]
    derived: dict = field(default_factory=dict)
    additive: tuple[str, ...] | None = None  # None: every count column
    within: str | None = None
    row_sums: tuple[tuple[str, ...], ...] = ()
    total_row: str | None = None
    total_column: str | None = None
    row_totals: tuple[tuple[tuple[str, ...], str], ...] = ()
    rates: tuple[Rate, ...] = ()


@dataclass(frozen=True)
class Margin:
    """Rows of `parts` (body rows whose `parts_key` is L) add up to the row of `whole` whose `whole_key` is L,
    in each of `columns`: programmes within a theme to the theme's row, outcome rows by theme to the outcome."""

    parts: str
    parts_key: str
    whole: str
    whole_key: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Same:
    """The same figure in two tables: rows with equal keys hold equal values in the paired columns (only the
    rows labelled one of `labels`, when given). A key of several columns matches on "value|value"."""

    a: str
    a_key: str | tuple[str, ...]
    b: str
    b_key: str | tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    labels: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Suppressed:
    """A table after suppression, and what was hidden (kept in memory for tests; never written out)."""

    table: pd.DataFrame
    primary: tuple[tuple[int, str], ...]  # (row position, column)
    secondary: tuple[tuple[int, str], ...]
    hidden: tuple[float, ...]  # the values that were replaced


@dataclass(frozen=True)
class CellRange:
    """What a reader can work out about one hidden count from everything published beside it."""

    table: str
    row: int
    column: str
    low: float  # linear-programming bounds (continuous relaxation)
    high: float  # inf: no upper bound
    values: float  # whole numbers in [ceil(low), floor(high)]; inf when unbounded

    def to_dict(self) -> dict:
        return {"table": self.table, "row": self.row, "column": self.column, "low": self.low,
                "high": None if math.isinf(self.high) else self.high,
                "values": None if math.isinf(self.values) else self.values}


@dataclass(frozen=True)
class Audit:
    """Every hidden count's feasible range; `failures` are those narrower than the threshold."""

    threshold: int
    cells: tuple[CellRange, ...]
    failures: tuple[CellRange, ...]
    programs: int  # linear programs solved (over every round, when protect hid more between audits)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return {"ok": self.ok, "threshold": self.threshold, "hidden_cells": len(self.cells),
                "failures": [c.to_dict() for c in self.failures], "cells": [c.to_dict() for c in self.cells],
                "linear_programs": self.programs}


@dataclass(frozen=True)
class Protected:
    """Every table of a pack after one disclosure step across all their margins, with the audit that checked it
    and the structure (`spec`) an auditor needs to repeat it from the published files alone."""

    tables: dict  # name -> Suppressed
    audit: Audit
    spec: dict


def _numbers(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").to_numpy("float64", na_value=np.nan)


def _text_of(column: pd.Series) -> np.ndarray:
    return column.astype("object").map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                                       else str(v)).to_numpy()


def _structure(tables: dict, margins=(), same=()) -> tuple[list, list, dict]:
    """(lines, rates, totals) of a set of tables: each line [(cell, coef)] with a flag saying whether its sum is a
    published constant (True) or zero (its total is one of its cells); rates [(cell of the value, [(cell, w)],
    denominator cell or None, scale, decimals)]; totals: {table: bool array of total rows}."""
    lines, rates, totals = [], [], {}
    keys = {}
    for name, (frame, rule) in tables.items():
        n = len(frame)
        is_total = np.zeros(n, bool)
        col = rule.total_column or (frame.columns[0] if len(frame.columns) else None)
        if rule.total_row is not None and col in frame:
            is_total = _text_of(frame[col]) == rule.total_row
        totals[name] = is_total
        body = ~is_total
        counts = [c for c in rule.counts if c in frame]
        additive = counts if rule.additive is None else [c for c in rule.additive if c in counts]
        parts = _text_of(frame[rule.within]) if rule.within in frame else np.full(n, "")
        for c in additive:
            for part in dict.fromkeys(parts[body]):
                members = [((name, int(i), c), 1.0) for i in np.flatnonzero(body & (parts == part))]
                whole = np.flatnonzero(is_total & (parts == part)) if rule.within in frame else np.flatnonzero(is_total)
                if len(whole):
                    lines.append((members + [((name, int(whole[0]), c), -1.0)], False))
                else:
                    lines.append((members, True))
        for group in rule.row_sums:
            group = [c for c in group if c in counts]
            lines += [([((name, int(i), c), 1.0) for c in group], True) for i in range(n)]
        for group, total in rule.row_totals:
            group = [c for c in group if c in counts]
            if total in counts and group:
                lines += [([((name, int(i), c), 1.0) for c in group] + [((name, int(i), total), -1.0)], False)
                          for i in range(n)]
        for r in rule.rates:
            if r.value in frame and all(c in frame for c, _ in r.numerator):
                for i in range(n):
                    rates.append(((name, i, r.value), [((name, i, c), w) for c, w in r.numerator],
                                  (name, i, r.denominator) if r.denominator in frame else None, r.scale, r.decimals))
        keys[name] = frame
    for m in margins:
        if m.parts not in tables or m.whole not in tables:
            continue
        pf, pt = tables[m.parts][0], totals[m.parts]
        wf, wt = tables[m.whole][0], totals[m.whole]
        if m.parts_key not in pf or m.whole_key not in wf:
            continue
        plabels, wlabels = _text_of(pf[m.parts_key]), _text_of(wf[m.whole_key])
        for j in np.flatnonzero(~wt):
            rows = np.flatnonzero(~pt & (plabels == wlabels[j]))
            for c in m.columns:
                if c in pf and c in wf:
                    lines.append(([((m.parts, int(i), c), 1.0) for i in rows] + [((m.whole, int(j), c), -1.0)], False))
    def labels_of(frame, key):
        keys = (key,) if isinstance(key, str) else tuple(key)
        if not all(k in frame for k in keys):
            return None
        texts = [_text_of(frame[k]) for k in keys]
        return ["|".join(parts) for parts in zip(*texts)]

    for s in same:
        if s.a not in tables or s.b not in tables:
            continue
        af, bf = tables[s.a][0], tables[s.b][0]
        alabels, blist = labels_of(af, s.a_key), labels_of(bf, s.b_key)
        if alabels is None or blist is None:
            continue
        blabels = {label: i for i, label in enumerate(blist)}
        for i, label in enumerate(alabels):
            j = blabels.get(label)
            if j is None or (s.labels is not None and label not in s.labels):
                continue
            for ca, cb in s.columns:
                if ca in af and cb in bf:
                    lines.append(([((s.a, i, ca), 1.0), ((s.b, j, cb), -1.0)], False))
    return lines, rates, totals


def _bound(hidden: set, values: dict, lines: list, rates: list, shown: dict,
           memo: dict | None = None) -> tuple[list[CellRange], int]:
    """Feasible range of every hidden cell by linear programming (scipy.optimize.linprog, HiGHS), one small program
    per connected set of hidden cells. `values`: published counts (cell -> number; hidden or blank cells are not in
    it); `shown`: published rate values (cell -> number). Hidden cells are at least 1 (a zero is always shown)."""
    parent = {c: c for c in hidden}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def free(cell):  # a count that is hidden, or not published at all (blank): an unknown
        return cell in hidden or cell not in values

    relations = []  # (kind, cells with coefficients, constant) over unknowns: kind "eq" or "ub"
    for members, constant in lines:
        unknown = [(c, w) for c, w in members if free(c)]
        if not any(c in hidden for c, _ in unknown):
            continue
        if constant:  # the sum is published elsewhere: it is what the known cells + the true hidden ones make
            continue  # (handled by the caller giving the true total as a published cell; see _constant_lines)
        rhs = -sum(w * values[c] for c, w in members if not free(c))
        relations.append(("eq", unknown, rhs))
    for value_cell, numerator, denominator, scale, decimals in rates:
        if value_cell not in shown:
            continue
        cells = list(numerator) + ([(denominator, 0.0)] if denominator else [])
        if not any(c in hidden for c, _ in cells):
            continue
        half = 0.5 * 10 ** (-decimals)
        lo, hi = shown[value_cell] - half, shown[value_cell] + half
        # lo ≤ scale·Σ w·x / d ≤ hi  ->  scale·Σ w·x − hi·d ≤ 0  and  lo·d − scale·Σ w·x ≤ 0 (d > 0)
        num = [(c, scale * w) for c, w in numerator]
        den = [(denominator, 1.0)] if denominator else []
        d_const = 0.0 if denominator else 1.0
        for sign, bound in ((1.0, hi), (-1.0, lo)):
            terms = [(c, sign * w) for c, w in num] + [(c, -sign * bound * w) for c, w in den]
            unknown = [(c, w) for c, w in terms if free(c)]
            rhs = -sum(w * values[c] for c, w in terms if not free(c)) + sign * bound * d_const
            relations.append(("ub", unknown, rhs))
    extra = set()
    for _, unknown, _ in relations:
        for c, _ in unknown:
            if c not in parent:
                parent[c] = c
                extra.add(c)
        first = find(unknown[0][0]) if unknown else None
        for c, _ in unknown[1:]:
            root = find(c)
            if root != first:
                parent[root] = first
    groups: dict = {}
    for c in parent:
        groups.setdefault(find(c), []).append(c)
    by_group: dict = {}
    for rel in relations:
        if rel[1]:
            by_group.setdefault(find(rel[1][0][0]), []).append(rel)
    found, programs = [], 0
    for root, cells in groups.items():
        targets = [c for c in cells if c in hidden]
        if not targets:
            continue
        rels = by_group.get(root, [])
        if not rels:
            found += [CellRange(*c, 1.0, math.inf, math.inf) for c in targets]
            continue
        key = None
        if memo is not None:  # a component no new suppression touched is the same program: solved once
            key = (tuple(sorted(targets)), tuple(sorted(cells)),
                   tuple(sorted((k, tuple(sorted(u)), round(r, 9)) for k, u, r in rels)))
            if key in memo:
                found += memo[key]
                continue
        before = len(found)
        index = {c: i for i, c in enumerate(cells)}
        eq = [r for r in rels if r[0] == "eq"]
        ub = [r for r in rels if r[0] == "ub"]

        def matrix(rs, cells=cells, index=index):
            if not rs:
                return None, None
            a = np.zeros((len(rs), len(cells)))
            for k, (_, unknown, _) in enumerate(rs):
                for c, w in unknown:
                    a[k, index[c]] += w
            return a, np.array([r[2] for r in rs])

        # imported at the first program (~0.2 s): a pack with none never imports it
        from scipy.optimize import linprog

        a_eq, b_eq = matrix(eq)
        a_ub, b_ub = matrix(ub)
        bounds = [(1.0, None) if c in hidden else (0.0, None) for c in cells]
        for c in targets:
            obj = np.zeros(len(cells))
            obj[index[c]] = 1.0
            ends = []
            for sign in (1.0, -1.0):
                res = linprog(sign * obj, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
                programs += 1
                if res.status == 3:  # unbounded
                    ends.append(math.inf if sign < 0 else 1.0)
                elif res.status == 0:
                    ends.append(sign * res.fun)
                else:  # infeasible: the published figures contradict each other; report the cell as exposed
                    ends.append(float("nan"))
            low, high = ends
            if any(math.isnan(e) for e in ends):
                found.append(CellRange(*c, low, high, 0.0))
                continue
            count = math.inf if math.isinf(high) else math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1
            found.append(CellRange(*c, float(low), float(high), float(count)))
        if key is not None:
            memo[key] = found[before:]
    return found, programs


def audit_frames(frames: dict, spec: dict, threshold: int | None = None) -> Audit:
    """Published tables (with SUPPRESSED marking hidden cells) + their disclosure spec -> the feasible range of
    every hidden count, from the published figures alone (what an analyst with the pack could work out)."""
    threshold = int(spec.get("threshold", 5) if threshold is None else threshold)
    hidden, values, shown = set(), {}, {}
    for name, counts in spec["counts"].items():
        frame = frames.get(name)
        if frame is None:
            continue
        for c in counts:
            if c not in frame:
                continue
            raw = frame[c].astype("object").tolist()
            for i, v in enumerate(raw):
                if isinstance(v, str) and v.strip() == SUPPRESSED:
                    hidden.add((name, i, c))
                else:
                    x = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
                    if pd.notna(x):
                        values[(name, i, c)] = float(x)
    lines = [([(tuple(cell), float(w)) for *cell, w in members], False) for members in spec["lines"]]
    for members, total in spec.get("constant_lines", []):  # sums published outside the pack's tables
        cells = [(tuple(cell), float(w)) for *cell, w in members]
        const_cell = ("(published total)", len(values), "total")
        values[const_cell] = float(total)
        lines.append((cells + [(const_cell, -1.0)], False))
    rates = []
    for value_cell, numerator, denominator, scale, decimals in spec.get("rates", []):
        value_cell = tuple(value_cell)
        frame = frames.get(value_cell[0])
        if frame is None or value_cell[2] not in frame or value_cell[1] >= len(frame):
            continue
        v = frame[value_cell[2]].astype("object").iloc[value_cell[1]]
        x = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        if pd.notna(x):
            shown[value_cell] = float(x)
        rates.append((value_cell, [(tuple(c), float(w)) for *c, w in numerator],
                      tuple(denominator) if denominator else None, float(scale), int(decimals)))
    found, programs = _bound(hidden, values, lines, rates, shown)
    failures = tuple(c for c in found if c.values < threshold)
    return Audit(threshold, tuple(found), failures, programs)


def _spec(tables: dict, lines: list, rates: list, values: dict, threshold: int) -> dict:
    """The structure an auditor needs (which cells count people, which add up, which rates are computed from
    them): JSON, no data beyond sums the pack already publishes."""
    return {"threshold": threshold,
            "counts": {name: [c for c in rule.counts if c in frame] for name, (frame, rule) in tables.items()},
            "lines": [[[*cell, w] for cell, w in members] for members, constant in lines if not constant],
            "constant_lines": [[[[*cell, w] for cell, w in members], sum(w * values.get(cell, 0.0) for cell, w in members)]
                               for members, constant in lines if constant],
            "rates": [[list(v), [[*c, w] for c, w in num], list(d) if d else None, scale, dec]
                      for v, num, d, scale, dec in rates]}


def protect(tables: dict, margins=(), same=(), threshold: int = 5, max_rounds: int = 50) -> Protected:
    """{name: (frame, Suppression)} + the margins linking them -> every table suppressed, checked by the audit.

    Primary: 0 < count < threshold, totals included. Secondary, over every set of cells that adds up (a column to
    its total row, a row's distribution to its n, programmes to their theme's row, the same figure in two
    tables): while a set has exactly one hidden cell, or its hidden parts add up to fewer than `threshold`, its
    smallest unhidden non-zero cell is hidden too. Then the audit (`audit_frames`'s linear programs, on exactly
    what would be published) bounds every hidden cell; while one could take fewer than `threshold` whole values,
    the smallest unhidden cell of a set it belongs to is hidden too. Rates, intervals and means computed from a
    hidden count are hidden with it."""
    tables = {name: (frame.copy().reset_index(drop=True), rule) for name, (frame, rule) in tables.items()}
    lines, rates, totals = _structure(tables, margins, same)
    values = {}
    for name, (frame, rule) in tables.items():
        for c in rule.counts:
            if c in frame:
                for i, v in enumerate(_numbers(frame[c])):
                    if not np.isnan(v):
                        values[(name, i, c)] = float(v)
    hide = {cell for cell, v in values.items() if 0 < v < threshold}
    primary = set(hide)
    order = []

    def smallest_free(cells):
        free = [(values[c], c[0] in totals and totals[c[0]][c[1]], c) for c in cells
                if c in values and c not in hide and values[c] > 0]
        return min(free)[2] if free else None

    membership: dict = {}
    for k, (members, _) in enumerate(lines):
        for c, _ in members:
            membership.setdefault(c, []).append(k)
    changed = True
    while changed:
        changed = False
        for members, _ in lines:
            hidden = [(c, w) for c, w in members if c in hide]
            if not hidden:
                continue
            parts = sum(values.get(c, 0.0) for c, w in hidden if w > 0)
            if len(hidden) >= 2 and (parts >= threshold or any(w < 0 for _, w in hidden)):
                continue
            pick = smallest_free([c for c, _ in members])
            if pick is not None:
                hide.add(pick)
                order.append(pick)
                changed = True
    const_lines = [(members, True) for members, constant in lines if constant]
    spec = _spec(tables, lines, rates, values, threshold)
    audit = None
    memo: dict = {}  # component -> its ranges, so a round re-solves only what new suppression changed
    solved = [0]  # linear programs solved over every round

    def run_audit():
        published = {c: v for c, v in values.items() if c not in hide}
        const = []
        for members, _ in const_lines:
            total = sum(w * values.get(c, 0.0) for c, w in members)
            cell = ("(published total)", len(const), "total")
            published[cell] = total
            const.append((members + [(cell, -1.0)], False))
        shown = {}
        for value_cell, numerator, denominator, scale, decimals in rates:
            cells = [c for c, _ in numerator] + ([denominator] if denominator else [])
            if not any(c in hide for c in cells):
                v = _numbers(tables[value_cell[0]][0][value_cell[2]].iloc[[value_cell[1]]])[0]
                if not np.isnan(v):
                    shown[value_cell] = float(v)
        found, programs = _bound(set(hide), published, [l for l in lines if not l[1]] + const, rates, shown, memo)
        solved[0] += programs
        return Audit(threshold, tuple(found), tuple(c for c in found if c.values < threshold), solved[0])

    for _ in range(max_rounds):
        audit = run_audit()
        if audit.ok:
            break
        added = False
        for failure in audit.failures:
            cell = (failure.table, failure.row, failure.column)
            candidates = [c for k in membership.get(cell, []) for c, _ in lines[k][0]]
            pick = smallest_free(candidates)
            if pick is not None:
                hide.add(pick)
                order.append(pick)
                added = True
        if not added:
            break
    if audit is not None and not audit.ok:  # last resort: every count of a table with an exposed cell is hidden
        for failure in audit.failures:
            hide |= {c for c, v in values.items() if c[0] == failure.table and v > 0}
        audit = run_audit()
    out = {}
    for name, (frame, rule) in tables.items():
        frame = frame.copy()
        hidden_values, prim, sec = [], [], []
        mask = {c: np.zeros(len(frame), bool) for c in frame.columns}
        for c in rule.counts:
            if c not in frame:
                continue
            for i in range(len(frame)):
                if (name, i, c) in hide:
                    mask[c][i] = True
                    hidden_values.append(values[(name, i, c)])
                    (prim if (name, i, c) in primary else sec).append((i, c))
                    for target in rule.derived.get(c, ()):
                        if target in mask:
                            mask[target][i] = True
        for r in rule.rates:
            if r.value not in frame:
                continue
            for i in range(len(frame)):
                cells = [c for c, _ in r.numerator] + ([r.denominator] if r.denominator else [])
                if any((name, i, c) in hide for c in cells):
                    mask[r.value][i] = True
        for c, m in mask.items():
            if m.any():
                frame[c] = frame[c].astype("object")
                frame.loc[m, c] = SUPPRESSED
        sec = sorted(sec, key=lambda cell: order.index((name, *cell)) if (name, *cell) in order else 0)
        out[name] = Suppressed(frame, tuple(sorted(prim)), tuple(sec), tuple(hidden_values))
    return Protected(out, audit, spec)


def suppress(table: pd.DataFrame, rule: Suppression, threshold: int = 5) -> Suppressed:
    """One table + which columns count people -> the table with small cells and their complements as SUPPRESSED
    (`protect` on a pack of one table: a page's CSV download)."""
    return protect({"table": (table, rule)}, threshold=threshold).tables["table"]


def known_pattern(values) -> re.Pattern | None:
    """Strings that must never appear (respondent and participant ids, people's names) -> one pattern,
    compiled once for many `scrub` calls."""
    found = sorted({str(v).strip() for v in values if v is not None and str(v).strip()}, key=len, reverse=True)
    if not found:
        return None
    return re.compile(r"(?<!\w)(?:" + alternatives(found) + r")(?!\w)", re.IGNORECASE)


TRIE_MAX = 100  # longer strings nest too deep for re's compiler: they keep the plain alternation


def alternatives(strings: list[str]) -> str:
    """Strings, longest first -> a case-insensitive alternation matching what `a|b|c` matches, written as a trie of
    their lower-cased characters: re tries every alternative of `a|b|c` at every position (6,000 respondent ids:
    ~0.6 ms a comment), a trie one character at a time. Deeper branches come before a string's end, so the longest
    match that fits is taken, as with `a|b|c` longest first. Non-ASCII strings keep the plain alternation (case
    folding of a few letters is not one character to one)."""
    if not all(s.isascii() and len(s) <= TRIE_MAX for s in strings):
        return "|".join(map(re.escape, strings))
    trie: dict = {}
    for s in strings:
        node = trie
        for ch in s.lower():
            node = node.setdefault(ch, {})
        node[""] = {}  # a string ends here

    def regex(node: dict) -> str:
        branches = []
        for ch, child in node.items():
            if not ch:
                continue
            run = [ch]
            while len(child) == 1 and "" not in child:  # a chain of single characters: one literal, no group
                (ch, child), = child.items()
                run.append(ch)
            branches.append(re.escape("".join(run)) + regex(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
        return body

    return regex(trie)


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
    "Audit",
    "CellRange",
    "Margin",
    "Protected",
    "Rate",
    "Same",
    "Suppressed",
    "Suppression",
    "alternatives",
    "audit_frames",
    "known_pattern",
    "neutralise",
    "neutralise_frame",
    "protect",
    "safe_csv",
    "scrub",
    "suppress",
]
