"""One sheet: find the header, drop blanks, totals and notes, map, reshape, clean, check.

Row numbers are the spreadsheet's own (1-based) from the first read to the last
problem: every frame here is indexed by them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from impact import schema
from impact.ingest import clean, mapping
from impact.ingest.read import MAX_CELL_CHARS, RawSheet
from impact.ingest.report import ERROR, WARNING, Problem, SheetSummary, value_text
from impact.ingest.text import ColumnRows

TOTALS_ROW = re.compile(r"^(?:grand\s+|sub\s*-?\s*)?totals?\b|^sum\b|^overall\b|^all (?:programmes|programs|sessions"
                        r"|events|branches|libraries|partners)\b", re.IGNORECASE)
NOTES_ROW = re.compile(r"^(?:\*|(?:notes?|source|sources|n\.?\s?b\.?|figures|data (?:from|as)|prepared|compiled"
                       r"|updated|please|key|footnote)\b)", re.IGNORECASE)  # '* footnote': no \b after '*'
NUMERIC_KINDS = frozenset({schema.COUNT, schema.MONEY, schema.HOURS, schema.NUMBER, schema.INTEGER, schema.SCORE,
                           schema.QUINTILE})
SUBHEADER_WORDS = {"response", "open-ended response", "open ended response", "other (please specify)"}
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/-])(?:\+?\d[\d ()-]{8,}\d)(?![\w/-])")


@dataclass
class Options:
    table: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)  # header as written -> canonical ('' = ignore)
    dayfirst: bool = True
    # canonical column -> value for rows that leave it blank or sheets without it ("all these
    # responses are for Code Club"); a user's answer where the file is silent
    defaults: dict[str, str] = field(default_factory=dict)
    # per-sheet choices, keyed by (file, sheet) or by sheet name: SheetOptions or (table, mapping);
    # they beat `table` and add to `mapping` for that sheet only (table SKIP_SHEET = do not import it)
    sheets: dict = field(default_factory=dict)
    # headers whose negative missing-value codes (-1, -3, -9, -99) are to be read as missing ('*' = every one)
    codes_missing: tuple[str, ...] = ()
    # headers of agreement-scale columns to keep as outcome items of the library's own ('*' = every one
    # the mapping leaves out), as outcome_<name> named after the header
    own_outcomes: tuple[str, ...] = ()
    # a value outside a fixed list read as one on it: {column: {value as written: allowed value}}
    # ('did you mean community?' applied to every such row)
    read_as: dict[str, dict[str, str]] = field(default_factory=dict)
    # True when the user said which way 03/04/2025 reads (--us-dates / --uk-dates, the page's choice)
    date_order_chosen: bool = False
    # a name to store instead of one as written, in every name column and row: {name as written: new name} (a
    # name that held personal data, renamed by the user rather than scrubbed; the new name is checked again)
    renames: dict[str, str] = field(default_factory=dict)

    def for_sheet(self, file: str, sheet: str) -> Options:
        """The options one sheet is read with: the upload's, with that sheet's own choices on top."""
        choice = self.sheets.get((file, sheet), self.sheets.get(sheet))
        if choice is None:
            return self
        if not isinstance(choice, SheetOptions):
            choice = SheetOptions(*choice)
        return replace(self, table=choice.table if choice.table is not None else self.table,
                       mapping={**self.mapping, **(choice.mapping or {})},
                       defaults={**self.defaults, **(getattr(choice, "defaults", None) or {})}, sheets={})


SKIP_SHEET = ""  # a sheet's table choice meaning "do not import this sheet"


@dataclass(frozen=True)
class SheetOptions:
    """One sheet's choices on the upload page: which table it holds (None = detect) and header overrides."""

    table: str | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)  # values for columns the sheet leaves out (--set)


@dataclass
class SheetResult:
    summary: SheetSummary
    frames: dict[str, pd.DataFrame]
    problems: list[Problem]
    personal_columns: list[str]


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _filled(s: pd.Series) -> pd.Series:
    return ~blank_cells(s.to_frame()).iloc[:, 0]


def _read_as(table: dict[str, str], v):
    """One cell read as the value the user chose for it ('comunity' -> 'community'); others unchanged."""
    return table.get(v.strip(), v) if isinstance(v, str) else v


def month_columns_of(groups: dict, every: bool = False) -> set[str]:
    """The headers of month groups (every=False: only those imported)."""
    return {h for target, cols in groups.values() if target or every for h, _, _ in cols}


def _filled_any(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Rows with at least one filled cell among `columns`."""
    return (~blank_cells(frame[columns])).any(axis=1)


def _longer_than(cells: pd.Series, limit: int) -> np.ndarray:
    """len(str(cell)) > limit for each cell, measured once per distinct value (a column repeats its values)."""
    codes, uniques = pd.factorize(cells.astype(object), use_na_sentinel=True)
    longer = np.fromiter((len(str(u)) > limit for u in uniques), dtype=bool, count=len(uniques))
    return np.append(longer, False)[codes]  # a missing cell (code -1) never is


def _first_filled(cells: pd.Series, n: int) -> pd.Series:
    """cells.dropna().head(n), looking only as far down the column as it needs to."""
    size = n
    while True:
        found = cells.iloc[:size].dropna()
        if len(found) >= n or size >= len(cells):
            return found.head(n)
        size *= 8


def _totals_of(stripped: pd.Series) -> pd.Series:
    """True where stripped text (str dtype) names a totals row."""
    # a cheap first look: totals rows start with one of these letters
    maybe = stripped.str[:1].str.lower().isin(["t", "g", "s", "o", "a"]).fillna(False).astype(bool)
    hit = pd.Series(False, index=stripped.index)
    if maybe.any():
        hit.loc[maybe] = stripped[maybe].str.match(TOTALS_ROW.pattern, case=False).fillna(False).astype(bool)
    return hit


def _stripped_totals(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the text cells stripped, as str dtype; True where one names a totals row); a long column is worked
    out once per distinct value (a column repeats its values) and spread back to its cells."""
    if len(texts) >= 2_000:
        codes, uniques = pd.factorize(texts.astype(object))
        if len(uniques) <= len(texts) // 4:
            stripped = pd.Series(uniques, dtype=object).astype("str").str.strip()
            hit = _totals_of(stripped).to_numpy(dtype=bool)[codes]
            stripped = stripped.iloc[codes].set_axis(texts.index)
            return stripped, pd.Series(hit, index=texts.index)
    stripped = texts.astype("str").str.strip()
    return stripped, _totals_of(stripped)


def blank_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised _blank over a frame: missing, or text that is only spaces."""
    if len(frame) > 400:
        # titles and headers make the top of a numeric column mixed (slow to check); the body rarely is
        return pd.concat([_blank_cells(frame.iloc[:60]), _blank_cells(frame.iloc[60:])])
    return _blank_cells(frame)


def _blank_cells(frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in frame.columns:
        s = frame[col]
        mask = s.isna()
        if len(s) > 1_000 and s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "string":
            # a text column: the same test once per distinct value (a column repeats its values), spread back
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            empty = (pd.Series(uniques, dtype=object).astype(str).str.strip() == "").to_numpy(dtype=bool)
            mask |= np.append(empty, False)[codes]  # code -1 (missing) is already in the mask
            out[col] = mask.astype(bool)
            continue
        text = clean.is_text(s)
        if text.any():
            mask |= text & (s.where(text, "x").astype(str).str.strip() == "")
        out[col] = mask.astype(bool)
    return pd.DataFrame(out, index=frame.index)


def group_label(parent: str, sub: str) -> str:
    """The label of a column under a merged group cell: 'Cost' over 'Cash' -> 'Cost Cash'.

    An age group keeps its own name ('Attendance' over 'Adults' -> 'Adults'), so that a head count
    split by age under a merged cell is reshaped like any other head-count sheet.
    """
    if not parent or parent == sub or mapping.AGE_HEADER.match(mapping.normalise(sub)):
        return sub
    return f"{parent} {sub}".strip()


class SheetReader:
    def __init__(self, raw: RawSheet, file: str, options: Options):
        self.raw, self.file, self.options = raw, file, options
        self.problems: list[Problem] = []
        self.personal: list[str] = []
        self.own_labels: dict[str, str] = {}  # outcome_<name> -> the question as the file words it
        self.returns = False  # rows are counts for a month or year (a return), not sessions
        self.suggestions: list[tuple[str, str, str, str, int]] = []  # (column, header, value, did you mean, rows)

    # -- reporting -----------------------------------------------------------------------------
    def problem(self, severity, code, row, column, value, message, fix):
        if isinstance(column, str) and column.startswith("__"):
            column = None  # a reshaped column has no header of its own in the file
        self.problems.append(Problem(severity, code, self.file, self.raw.name, None if row is None else int(row),
                                     column, value_text(value), message, fix))

    def bad_cells(self, frame: pd.DataFrame, header: str, cleaned: clean.Cleaned, severity=ERROR):
        for row in cleaned.bad[cleaned.bad].index:
            self.problem(severity, cleaned.code, frame.loc[row, "_row"] if "_row" in frame else row, header,
                         frame.at[row, header], cleaned.message, cleaned.fix)

    # -- steps ---------------------------------------------------------------------------------
    def grid(self) -> pd.DataFrame:
        rows = self.raw.rows
        if isinstance(rows, ColumnRows):  # a simple CSV read by columns: every row as wide as the header
            frame = pd.DataFrame(dict(enumerate(rows.columns)), dtype=object)
            frame.index, frame.columns = range(1, len(frame) + 1), pd.RangeIndex(len(rows.columns))
            return frame  # a CSV has no merged cells
        width = max((len(r) for r in rows), default=0)
        if all(len(r) == width for r in rows):
            frame = pd.DataFrame(rows, dtype=object)
        else:
            frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows], dtype=object)
        frame.index = range(1, len(frame) + 1)
        # merged cells: the value sits top-left; fill the range so headers and labels read whole
        for r0, c0, r1, c1 in self.raw.merged:
            if r0 < len(frame) and c0 < width and r0 < 40:
                v = frame.iat[r0, c0]
                frame.iloc[r0:r1 + 1, c0:min(c1, width - 1) + 1] = v
        return frame

    def find_header(self, frame: pd.DataFrame) -> int | None:
        tables = [schema.TABLES[self.options.table]] if self.options.table else list(schema.TABLES.values())
        best, best_score = None, -1e9
        for row in frame.index[:40]:
            cells = [v for v in frame.loc[row].tolist() if not _blank(v)]
            if len(cells) < 2 and best is not None:
                continue
            texts = [str(v) for v in cells if isinstance(v, str)]
            numbers = len(cells) - len(texts)
            matched = 0.0
            # a header names each canonical column once: answers repeated along a data row
            # ("Some knowledge of topic" x 7) must not outscore the real header
            columns: dict[tuple[str, str], float] = {}
            for t in texts:
                if t in self.options.mapping:
                    matched += 1
                    continue
                found = [(m.strength, tb.name, m.column) for tb in tables
                         if (m := mapping.match_header(t, tb, fuzzy=False))]
                if found:
                    strength, table_name, column = max(found)
                    columns[table_name, column] = max(columns.get((table_name, column), 0.0), strength)
                if mapping.AGE_HEADER.match(mapping.normalise(t)) or mapping.DAY_HEADER.match(t.strip()):
                    matched += 0.5
            matched += sum(columns.values())
            score = 2 * matched + 0.3 * len(texts) - 1.0 * numbers + (0.5 if len(cells) >= 2 else -5)
            if score > best_score + 1e-9:
                best, best_score = row, score
        return best

    def header_labels(self, frame: pd.DataFrame, header_row: int) -> tuple[list[str], int]:
        """Labels for each column and the first data row; joins two-row headers (merged groups, SurveyMonkey)."""
        labels = ["" if _blank(v) else str(v).strip() for v in frame.loc[header_row].tolist()]
        first_data = header_row + 1
        merged_rows = {r0 + 1 for r0, c0, r1, c1 in self.raw.merged if c1 > c0}
        nxt = frame.loc[first_data].tolist() if first_data in frame.index else []
        nxt_text = [str(v).strip() for v in nxt if not _blank(v)]
        survey_monkey = nxt_text and all(t.lower() in SUBHEADER_WORDS or not re.search(r"\d", t) for t in nxt_text) \
            and any(t.lower() in SUBHEADER_WORDS for t in nxt_text)
        grouped = header_row in merged_rows and nxt_text and all(isinstance(v, str) for v in nxt if not _blank(v))
        if survey_monkey or grouped:
            parent = ""
            joined = []
            for top, sub in zip(labels, nxt):
                parent = top or parent
                sub = "" if _blank(sub) else str(sub).strip()
                if not sub or sub.lower() in SUBHEADER_WORDS:
                    joined.append(top or parent if not top else top)
                else:
                    joined.append(group_label(parent, sub))
            labels, first_data = joined, first_data + 1
        elif header_row - 1 in frame.index and header_row - 1 + 1 - 1 in merged_rows:
            above = ["" if _blank(v) else str(v).strip() for v in frame.loc[header_row - 1].tolist()]
            labels = [group_label(a, b) for a, b in zip(above, labels)]
        seen: dict[str, int] = {}
        out = []
        for i, label in enumerate(labels):
            label = label or ""
            if not label:  # named after its column letter by run()
                out.append(label)
                continue
            if label in seen:
                seen[label] += 1
                label = f"{label} ({seen[label]})"
            else:
                seen[label] = 1
            out.append(label)
        return out, first_data

    def run(self) -> SheetResult | None:
        frame = self.grid()
        if frame.empty:
            return None
        rows = self.raw.rows
        if isinstance(rows, ColumnRows) and rows.blank is not None:  # worked out per distinct value while read
            blank = pd.DataFrame(dict(enumerate(rows.blank)), index=frame.index)
        else:
            blank = blank_cells(frame)
        keep_rows, keep_columns = ~blank.all(axis=1), ~blank.all(axis=0)
        if not (keep_rows.all() and keep_columns.all()):  # else nothing to drop, and no copy of every cell
            frame = frame.loc[keep_rows, keep_columns]
            blank = blank.loc[frame.index, frame.columns]
        self._blank = blank  # reused below: one pass over every cell
        if frame.empty:
            return None
        header_row = self.find_header(frame)
        labels, first_data = self.header_labels(frame, header_row)
        if frame.index.is_monotonic_increasing:  # the data rows are the frame's tail: taken without a copy
            data = frame.iloc[int((frame.index < first_data).sum()):]
        else:
            data = frame.loc[frame.index >= first_data].copy()
        for i, label in enumerate(labels):
            if not label:
                col = frame.columns[i]
                if data[col].map(lambda v: not _blank(v)).any():
                    labels[i] = f"Column {column_letter(col)}"
                    self.problem(WARNING, "missing-header", header_row, labels[i], None,
                                 f"column {column_letter(col)} has values but no header, so it is not imported",
                                 "type a header for it (the template shows the names) and upload again")
                else:
                    labels[i] = f"Column {column_letter(col)}"
        data.columns = labels
        data.insert(0, "_row", data.index)
        ragged = [] if isinstance(self.raw.rows, ColumnRows) else [i + 1 for i, r in enumerate(self.raw.rows)
                  if i + 1 >= first_data and len(r) > len(self.raw.rows[header_row - 1]) and
                  any(not _blank(v) for v in r[len(self.raw.rows[header_row - 1]):])]
        for row in ragged:
            self.problem(WARNING, "extra-cells", row, None, None,
                         "this row has more cells than the header has columns; the extra cells are not imported",
                         "check the row for a stray comma or shifted values")
        headers = [c for c in data.columns if c != "_row"]
        # which table
        table_name = self.options.table
        if table_name is None:
            keyed = [mapping.wave_split(h)[0] if mapping.wave_split(h) else h for h in headers]
            numeric = self.numeric_headers(data, headers)
            numeric_keyed = frozenset(k for k, h in zip(keyed, headers) if h in numeric)
            table_name, _ = mapping.detect_table(keyed, self.raw.name, numeric_keyed)
        summary = SheetSummary(self.file, self.raw.name, table_name, 0, int(header_row), {})
        if table_name is None:
            self.problem(ERROR, "unknown-table", header_row, None, ", ".join(headers[:8]),
                         "cannot tell which table this sheet holds from its headers",
                         "choose the table for this sheet (upload page, or --table), or rename the headers as in "
                         "the template: " + "; ".join(f"{t.name}: {', '.join(t.required)}" for t in schema.TABLES.values()))
            summary.mapping = {h: None for h in headers}
            return SheetResult(summary, {}, self.problems, self.personal)
        table = schema.TABLES[table_name]
        data = self.drop_totals_and_notes(data, headers)
        data, headers = self.drop_total_columns(data, headers)
        self.report_formulas(frame, data, labels, first_data)
        result = self.to_table(data, headers, table, summary)
        return SheetResult(summary, result, self.problems, self.personal)

    def report_formulas(self, frame: pd.DataFrame, data: pd.DataFrame, labels: list[str], first_data: int):
        """Formula cells saved without a calculated value, in rows and columns that are imported."""
        label_of = dict(zip(frame.columns, labels))
        reported = 0
        for r0, c0, formula in self.raw.formulas:
            row = r0 + 1
            if row < first_data or (row in frame.index and row not in data.index):
                continue  # in the header, or a totals or notes row that is not imported anyway
            label = label_of.get(c0, f"Column {column_letter(c0)}")
            if c0 in label_of and label not in data.columns:
                continue  # a totals column that is not imported
            self.problem(WARNING, "formula-not-calculated", row, label, formula,
                         "this cell holds a formula that was never calculated (the file was made by a program "
                         "and not opened in Excel since), so it has no value: it is read as blank",
                         "open the file in Excel or LibreOffice, save it (that calculates the formulas), "
                         "and upload it again")
            reported += 1
            if reported >= 200:
                break

    @staticmethod
    def numeric_headers(data: pd.DataFrame, headers: list[str], sample: int = 200) -> frozenset[str]:
        """Headers whose first filled cells are (nearly) all numbers, as read or as text."""
        out = set()
        for h in headers:
            if h not in data:
                continue
            values = data[h].head(sample * 2)
            values = values[~blank_cells(values.to_frame()).iloc[:, 0]].head(sample)
            if len(values) and pd.to_numeric(values.astype(str).str.replace(",", ""), errors="coerce").notna().mean() >= 0.9:
                out.add(h)
        return frozenset(out)

    def drop_totals_and_notes(self, data: pd.DataFrame, headers: list[str]) -> pd.DataFrame:
        keep = pd.Series(True, index=data.index)
        cells = data[headers]
        known = getattr(self, "_blank", None)
        if known is not None and known.index.isin(data.index).sum() >= len(data) and len(known.columns) == len(headers):
            filled = ~known.loc[data.index].set_axis(headers, axis=1)
        else:
            filled = ~blank_cells(cells)
        counts = filled.sum(axis=1)
        totals = pd.Series(False, index=data.index)
        texts = []  # per column of the first three: its text cells, stripped
        for col in headers[:3]:
            s = cells[col]
            text = clean.is_text(s) & filled[col]
            if not text.any():
                continue
            stripped, hit = _stripped_totals(s if bool(text.all()) else s[text])
            totals.loc[hit[hit].index] = True
            texts.append(stripped)
        # the text a totals row is reported with: its first text cell of the three
        first_text = pd.Series(None, index=data.index[totals], dtype=object)
        for stripped in texts:
            first_text = first_text.where(first_text.notna(), stripped.reindex(first_text.index))
        for row in data.index[totals]:
            keep[row] = False
            self.problem(WARNING, "totals-row-excluded", row, None, first_text[row],
                         "a totals row is not imported (totals are worked out from the rows above)",
                         "nothing to do; remove the row if it is not a total")
        if len(headers) >= 3:
            for row in data.index[(counts == 1) & ~totals]:
                values = [v for v in cells.loc[row].tolist() if not _blank(v)]
                if isinstance(values[0], str) and (NOTES_ROW.match(values[0].strip()) or len(values[0]) >= 40):
                    keep[row] = False
                    self.problem(WARNING, "notes-row-excluded", row, None, values[0],
                                 "a note below or inside the table is not imported",
                                 "nothing to do; if it was data, put each value in its own column")
        return data if bool(keep.all()) else data.loc[keep]  # every row kept: no copy of every cell

    def drop_total_columns(self, data, headers):
        groups = [h for h in headers if mapping.AGE_HEADER.match(mapping.normalise(h))
                  or mapping.SINGLE_AGE.match(h.strip())]
        if len(groups) < 3:
            return data, headers
        totals = [h for h in headers if mapping.TOTAL_HEADER.match(mapping.normalise(h))
                  and h not in self.options.mapping]
        for h in totals:
            self.problem(WARNING, "totals-column-excluded", None, h, None,
                         f"the column '{h}' totals the group columns beside it, so it is not imported",
                         "nothing to do: totals are worked out from the group columns")
        return data.drop(columns=totals), [h for h in headers if h not in totals]

    # -- mapping and reshaping -------------------------------------------------------------------
    def to_table(self, data: pd.DataFrame, headers: list[str], table: schema.Table,
                 summary: SheetSummary) -> dict[str, pd.DataFrame]:
        overrides, pair_overrides = self.resolve_overrides(headers, table, summary)
        frames: dict[str, pd.DataFrame] = {}
        # personal data by header: never mapped, never stored
        for h in headers:
            if overrides.get(h):
                continue
            if mapping.is_personal_header(h) and not (table.name in ("partners", "programmes", "population")
                                                       and mapping.normalise(h) in ("name", "names")):
                self.personal.append(h)
        candidates = [h for h in headers if h not in self.personal]
        wide_groups: list[str] = []
        day_columns: list[str] = []
        month_groups: dict[str, tuple[str, list]] = {}
        wave_columns: dict[str, tuple[str, str]] = {}
        if table.name in ("attendance", "population"):
            wide_groups = [h for h in candidates if h not in overrides and (
                mapping.AGE_HEADER.match(mapping.normalise(h))
                or (table.name == "population" and mapping.SINGLE_AGE.match(h.strip())))]
            if len(wide_groups) < 2:
                wide_groups = []
            if table.name == "attendance":
                day_columns = [h for h in candidates if mapping.DAY_HEADER.match(h.strip()) and h not in overrides]
                if len(day_columns) < 2:
                    day_columns = []
                if not day_columns:
                    month_groups = self.month_groups(candidates, overrides, pair_overrides, summary)
                    wide_groups = [h for h in wide_groups if h not in month_columns_of(month_groups)]
        if table.name == "survey_responses":
            wave_columns = self.wave_columns(data, candidates, table, overrides, pair_overrides, summary)
            for h in wave_columns:
                overrides.pop(h, None)  # an explicit choice for one column of a pair: applied as the pair's
        special = set(wide_groups) | set(day_columns) | set(wave_columns) | month_columns_of(month_groups, every=True)
        col_map = mapping.map_headers([h for h in candidates if h not in special], table, overrides,
                                      numeric=self.numeric_headers(data, candidates))
        for h in special:
            col_map[h] = None
        self.check_guesses(data, col_map, overrides, table, summary)
        # content check: emails / phone numbers in a column make it personal whatever its header
        for h, c in list(col_map.items()):
            if c in ("comment_benefit", "comment_improve", "comment_action") or (c and table.column(c).kind != schema.TEXT
                                                                               and c not in ("respondent_id", "participant_id")):
                continue
            values = _first_filled(data[h], 500).astype(str)  # the first 500 values: only those made text
            values = values[values.str.strip() != ""]
            if len(values) and (values.str.fullmatch(EMAIL.pattern) | values.str.fullmatch(PHONE.pattern)).mean() >= 0.3:
                self.personal.append(h)
                col_map[h] = None
        if table.name == "survey_responses":
            self.own_outcomes(data, col_map, overrides, special, summary)
        for h in self.personal:
            col_map[h] = None
            self.problem(WARNING, "personal-data-not-stored", None, h, None,
                         f"the column '{h}' holds personal data (names, emails, phone numbers or addresses); "
                         "it is not stored and the original file is not kept",
                         "nothing to do; leave such columns out of future uploads")
        shown = {h: col_map.get(h) for h in headers}
        for h in wide_groups:
            shown[h] = "age_band" if table.name == "attendance" else "group"
        for h in day_columns:
            shown[h] = "attendees"
        for h, (c, w) in wave_columns.items():
            shown[h] = f"{c} ({w})"
        for base, waves in summary.pairs.items():
            if summary.pair_mapping.get(base) is None:
                for h in waves.values():
                    shown[h] = None
        for target, cols in month_groups.values():
            for h, month, year in cols:
                shown[h] = target and f"{target} ({'month' if year is None else f'{year}-{month:02d}'})"
        summary.mapping = shown
        mapped = {h: c for h, c in col_map.items() if c}
        for c, value in self.options.defaults.items():
            if c not in {col.name for col in table.columns} and not c.startswith("outcome_"):
                continue
            header = next((h for h, m in mapped.items() if m == c), None)
            if header is None:
                data = data.assign(**{f"__default_{c}": value})
                mapped[f"__default_{c}"] = c
                shown[f"(every row) {c}"] = c
            else:
                blank = ~_filled(data[header])
                data = data.assign(**{header: data[header].where(~blank, value)})
        if wave_columns:
            data, mapped = self.split_waves(data, mapped, wave_columns)
        if wide_groups:
            data, mapped = self.melt(data, mapped, wide_groups,
                                     "age_band" if table.name == "attendance" else "group",
                                     "attendees" if table.name == "attendance" else "population")
        if day_columns:
            data, mapped = self.melt(data, mapped, day_columns, "_day", "attendees", drop_blank=True)
        if any(target for target, _ in month_groups.values()):
            data, mapped = self.melt_months(data, mapped, month_groups, summary)
        missing = [c for c in table.required if c not in mapped.values()]
        if table.name == "population" and "dimension" in missing and wide_groups:
            missing.remove("dimension")
        if missing:
            self.problem(ERROR, "missing-column", summary.header_row, None, None,
                         f"the {table.name} sheet has no column for {', '.join(missing)}",
                         f"add a column headed {', '.join(missing)}, or map an existing header to it"
                         + (f"; columns not imported now: {', '.join(unused[:6])} (map one of them to {missing[0]})"
                            if (unused := [h for h, c in shown.items() if c is None and h not in self.personal])
                            else ""))
            summary.rows = len(data)
            return {}
        if table.name == "survey_responses" and not schema.outcome_columns(mapped.values()):
            self.problem(ERROR, "no-outcome-columns", summary.header_row, None, None,
                         "this survey sheet has no outcome question the importer recognises",
                         "map the agreement questions to knowledge, confidence, application, awareness, library_use "
                         "or satisfaction (or outcome_<name>), or choose the table this sheet really holds")
            summary.rows = len(data)
            return {}
        out = self.clean_columns(data, mapped, table)
        summary.value_suggestions = list(self.suggestions)
        frames[table.name] = out
        summary.rows = len(out)
        return frames

    def resolve_overrides(self, headers: list[str], table: schema.Table, summary: SheetSummary):
        """The user's explicit choices for this sheet: header -> column, and pair item -> column.

        A key is a header as written (or the same header but for case, spaces and punctuation), or a
        pre/post pair's item name without its wave mark. A target that is not a column of the table is an
        error naming the valid ones; two headers given one column is an error naming both (a pre and a post
        column given one outcome are a pair, not two sources).
        """
        valid = [c.name for c in table.columns]
        by_norm: dict[str, list[str]] = {}
        for h in headers:
            by_norm.setdefault(mapping.normalise(h), []).append(h)
        bases: dict[str, str] = {}  # groups of columns mapped as one: pre/post pairs, months of one measure
        if table.name == "survey_responses":
            for h in headers:
                split = mapping.wave_split(h)
                if split:
                    bases.setdefault(mapping.normalise(split[0]), split[0])
        if table.name == "attendance":
            for prefix in mapping.month_groups(headers):
                if prefix:
                    bases.setdefault(mapping.normalise(prefix), prefix)
        overrides: dict[str, str] = {}
        pair_overrides: dict[str, str] = {}
        for key, value in self.options.mapping.items():
            value = (value or "").strip()
            if key in headers:
                header = key
            elif key not in headers and len(by_norm.get(mapping.normalise(key), [])) == 1 \
                    and mapping.normalise(key) not in bases:
                header = by_norm[mapping.normalise(key)][0]
            elif mapping.normalise(key) in bases:
                header = None
            else:
                continue  # a header of another sheet or file
            summary.used_keys.add(key)
            if value and value not in valid and not (table.name == "survey_responses"
                                                     and schema.is_own_outcome(value)):
                own = " or outcome_<name> for an outcome item of your own" if table.name == "survey_responses" else ""
                self.problem(ERROR, "unknown-target", summary.header_row, header or key, value,
                             f"'{value}' is not a column of the {table.name} table, so '{header or key}' cannot be "
                             "imported as it", f"choose one of: {', '.join(valid)}{own}; or leave it out")
                continue
            if header is None:
                pair_overrides[bases[mapping.normalise(key)]] = value
            else:
                overrides[header] = value
        # one source per column: two headers chosen for the same column
        by_target: dict[str, list[str]] = {}
        for h, c in overrides.items():
            if c:
                by_target.setdefault(c, []).append(h)
        for c, hs in by_target.items():
            if len(hs) < 2:
                continue
            waves = [mapping.wave_split(h) for h in hs]
            if c in schema.outcome_columns([c]) and all(waves) and len({w[1] for w in waves}) == len(hs):
                continue  # 'Q3 (before)' and 'Q3 (after)' both to confidence: one pair
            named = " and ".join(f"'{h}'" for h in hs)
            self.problem(ERROR, "same-column-twice", summary.header_row, hs[1], c,
                         f"{named} are both to be imported as {c}; a column takes its values from one header only",
                         f"choose one of {named} for {c} and set the other to another column or '(not imported)'")
            for h in hs[1:]:
                overrides[h] = ""  # nothing is overwritten: the error blocks storing until it is resolved
        return overrides, pair_overrides

    def wave_columns(self, data, candidates, table, overrides, pair_overrides, summary):
        """Pre/post/follow-up columns: header -> (outcome, wave); each pair (or single marked item) one item.

        A pair's target is the user's choice, else the standard item its name matches, else (when its
        answers are on the agreement scale) an outcome item of the library's own, named after it.
        """
        groups: dict[str, dict[str, str]] = {}
        names: dict[str, str] = {}
        for h in candidates:
            split = mapping.wave_split(h)
            if not split:
                continue
            if h in overrides and not (overrides[h] and schema.is_outcome(overrides[h])):
                continue  # the user chose what this column is on its own
            key = mapping.normalise(split[0])
            names.setdefault(key, split[0])
            if split[1] in groups.setdefault(key, {}):
                continue  # two columns for one wave: not a pair; each is mapped on its own
            groups[key][split[1]] = h
        out: dict[str, tuple[str, str]] = {}
        for key, waves in groups.items():
            base = names[key]
            explicit = {overrides[h] for h in waves.values() if overrides.get(h)}
            if base in pair_overrides:
                target = pair_overrides[base] or None
            elif explicit:
                target = min(explicit)
            else:
                m = mapping.match_header(base, table)
                target = m.column if m and schema.is_outcome(m.column) else None
                if target is None and len(waves) >= 2:
                    if self.agreement_like(data, list(waves.values())):
                        target = schema.own_outcome_name(base)
                        self.problem(WARNING, "own-outcome-item", summary.header_row, " / ".join(waves.values()),
                                     None, f"the pair '{base}' is kept as an outcome item of your own, {target}, "
                                     "named after its question", "nothing to do; or map the pair to a standard "
                                     "outcome (knowledge, confidence, application, awareness, library_use, "
                                     "satisfaction) if it asks the same question")
                    else:
                        self.problem(WARNING, "pair-not-imported", summary.header_row, " / ".join(waves.values()),
                                     None, f"the pair '{base}' ({', '.join(waves)}) is not imported: its answers are "
                                     "not on an agreement scale", "choose the column it holds for the pair, or "
                                     "leave it out")
            if target is None and len(waves) < 2 and base not in pair_overrides:
                continue  # a single marked column that is not an outcome: mapped like any other header
            summary.pairs[base] = dict(waves)
            summary.pair_mapping[base] = target
            if target:
                for wave, h in waves.items():
                    out[h] = (target, wave)
            else:
                for h in waves.values():
                    overrides[h] = ""
        if out:
            labels = {c: b for b, c in summary.pair_mapping.items() if c and schema.is_own_outcome(c)}
            self.own_labels.update(labels)
        return out

    WEAK = 0.9  # a fuzzy match less alike than this is a suggestion, never applied

    def check_guesses(self, data, col_map, overrides, table, summary) -> None:
        """Columns matched by similarity or by a word in the header are said, with the reason; a weak match
        is only suggested, and a name match whose answers are not on the agreement scale is not applied."""
        for h, c in list(col_map.items()):
            if not c or h in overrides:
                continue
            m = mapping.match_header(h, table)
            if m is None or m.column != c:
                continue
            if table.column(c).kind == schema.SCORE and m.how in ("phrase", "fuzzy") \
                    and not self.agreement_like(data, [h]):
                col_map[h] = None
                example = next((str(v) for v in data[h] if not _blank(v)), "")
                summary.suggestions[h] = c
                self.problem(WARNING, "guess-not-applied", summary.header_row, h, example,
                             f"'{h}' looks like {c} by its name, but its answers are not on the agreement scale "
                             f"(e.g. '{example}'), so it is not imported", f"nothing to do; if it is {c}, choose "
                             f"{c} for it (Upload page, or --map \"{h}={c}\")")
            elif m.how == "fuzzy" and m.similarity < self.WEAK:
                col_map[h] = None
                summary.suggestions[h] = c
                self.problem(WARNING, "suggested-column", summary.header_row, h, None,
                             f"'{h}' may be {c} ({m.similarity:.0%} alike with '{m.like}'), but the match is weak, "
                             "so it is not imported", f"if it is {c}, apply the suggestion on the Upload page, or "
                             f"add --map \"{h}={c}\"")
            elif m.how == "fuzzy":
                self.problem(WARNING, "guessed-column", summary.header_row, h, None,
                             f"'{h}' is read as {c}: the header is {m.similarity:.0%} alike with '{m.like}'",
                             "nothing to do if that is right; else choose another column for it")

    def own_outcomes(self, data, col_map, overrides, special, summary) -> None:
        """Agreement-scale columns the mapping leaves out: kept as outcome items of the library's own when the
        user says so (every one with '*'), else named in one warning with the choice that keeps them."""
        left = [h for h, c in col_map.items() if c is None and h not in overrides and h not in special
                and h not in self.personal and self.agreement_like(data, [h])]
        if not left:
            return
        chosen = self.options.own_outcomes
        taken = {c for c in col_map.values() if c}
        keep = [h for h in left if "*" in chosen or h in chosen]
        for h in keep:
            name = schema.own_outcome_name(h)
            while name in taken:
                name += "_2"
            col_map[h] = name
            taken.add(name)
        rest = [h for h in left if h not in keep]
        summary.agreement_left = rest
        if rest:
            listed = ", ".join(f"'{h}'" for h in rest[:12]) + (" …" if len(rest) > 12 else "")
            self.problem(WARNING, "agreement-column-not-imported", summary.header_row,
                         rest[0] if len(rest) == 1 else None, None,
                         f"{len(rest)} {'columns hold' if len(rest) > 1 else 'column holds'} answers on the "
                         f"agreement scale but {'are' if len(rest) > 1 else 'is'} not imported: {listed}",
                         "keep them as outcome items of your own: on the Upload page press 'Keep them as your own "
                         "outcomes' (or choose 'Own outcome' for one in the mapping); on the command line add "
                         f"--own-outcome \"{rest[0]}\" (or --own-outcome \"*\" for all); or map one to a standard "
                         "outcome")

    @staticmethod
    def agreement_like(data: pd.DataFrame, headers: list[str]) -> bool:
        """Whether the answers in these columns are (nearly all) on the 5-point agreement scale."""
        values = pd.concat([data[h] for h in headers if h in data], ignore_index=True)
        cleaned = clean.clean_score(values)
        answered = cleaned.values.notna().sum()
        return answered > 0 and answered >= 0.8 * (answered + cleaned.bad.sum())

    RETURN_TARGETS = ("attendees", "new_attendees")

    def month_groups(self, candidates, overrides, group_overrides, summary) -> dict[str, tuple[str | None, list]]:
        """One column per month (JANUARY …, Jan-24 …, 'Attendees Adults - April 2023' …), by what the columns
        count: prefix -> (column they are imported as, or None; [(header, month, year)]).

        Columns of head counts are attendees; when some groups name who they count ('… Adults', '… Children')
        the groups that name no one are their totals, and are left out (said, and the user's choice wins).
        """
        groups = mapping.month_groups([h for h in candidates if h not in overrides])
        if not groups:
            return {}
        auto = {}
        for prefix in groups:
            if not prefix:
                auto[prefix] = "attendees"
            else:
                m = mapping.match_header(prefix, schema.TABLES["attendance"])
                if m and m.column in self.RETURN_TARGETS and m.how != "fuzzy":
                    auto[prefix] = m.column
                elif mapping.MEASURE_WORDS.match(prefix):
                    auto[prefix] = "attendees"
                else:
                    auto[prefix] = None
        banded = {p for p in groups if auto[p] == "attendees" and mapping.band_of(p)}
        out = {}
        left_out, totals = [], []
        for prefix, cols in groups.items():
            if prefix in group_overrides:
                target = group_overrides[prefix] or None
                if target and target not in self.RETURN_TARGETS:
                    self.problem(ERROR, "unknown-target", summary.header_row, prefix, target,
                                 f"month columns can be imported as {' or '.join(self.RETURN_TARGETS)}, not {target}",
                                 f"choose {' or '.join(self.RETURN_TARGETS)} for '{prefix}', or leave it out")
                    target = None
            elif auto[prefix] == "attendees" and banded and prefix not in banded:
                target = None
                totals.append(prefix)
            else:
                target = auto[prefix]
                if target is None:
                    left_out.append(prefix)
            out[prefix] = (target, cols)
            summary.pairs[prefix or "(months)"] = {f"{y}-{m:02d}" if y else f"month {m}": h for h, m, y in cols}
            summary.pair_mapping[prefix or "(months)"] = target
        for prefix in totals:
            self.problem(WARNING, "totals-column-excluded", summary.header_row, prefix, None,
                         f"the month columns '{prefix}' name no group while the columns beside them do (e.g. "
                         f"'{min(banded)}'), so they are read as their totals and not imported",
                         f"nothing to do; if they are not totals, choose attendees for '{prefix}' (Upload page, or "
                         f"--map \"{prefix}=attendees\")")
        if left_out:
            listed = ", ".join(f"'{p}'" for p in left_out[:8]) + (" …" if len(left_out) > 8 else "")
            self.problem(WARNING, "month-columns-not-imported", summary.header_row, None, None,
                         f"{len(left_out)} groups of month columns are not head counts the importer recognises, so "
                         f"they are not imported: {listed}", "if one holds head counts, choose attendees for it "
                         f"(Upload page, or --map \"{left_out[0]}=attendees\")")
        return out

    def melt_months(self, data, mapped, month_groups, summary):
        """One row per spreadsheet row, month and group: the count, its month as a period, the group as age band.

        A month without a year in its header takes the year from the sheet's year column (or the value given
        for year); months that run on past December (Apr … Mar) move into the next year.
        """
        ids = ["_row", *[h for h in mapped if h in data.columns]]
        year_header = next((h for h, c in mapped.items() if c == "year"), None)
        years = pd.to_numeric(data[year_header], errors="coerce") if year_header else None
        has_band = "age_band" in mapped.values()
        parts = []
        no_year = False
        for prefix, (target, cols) in month_groups.items():
            if not target:
                continue
            band = mapping.band_of(prefix)
            offset, previous = 0, 0
            for h, month, year in cols:
                if year is None:
                    offset += month < previous
                    previous = month
                part = data[ids].copy()
                part["__value"] = data[h]
                part["__target"] = target
                if year is not None:
                    part["__period"] = f"{year}-{month:02d}"
                elif years is not None:
                    part["__period"] = [f"{int(y) + offset}-{month:02d}" if pd.notna(y) else None for y in years]
                else:
                    part["__period"] = None
                    no_year = True
                part["__header"] = h
                if band and not has_band:
                    part["__age_band"] = band
                parts.append(part)
        if no_year:
            self.problem(ERROR, "month-without-year", summary.header_row, None, None,
                         "the month columns say no year, and the sheet has no year column",
                         "give the year: on the Upload page type it under 'Values the file leaves out', or add "
                         "--set year=2024 (for April … March columns, the year April falls in)")
        long = pd.concat(parts)
        long = long.set_index(long["_row"].astype(int).rename(None)).sort_index(kind="stable")
        for target in {t for t, _ in month_groups.values() if t}:
            long[f"__{target}"] = long["__value"].where(long["__target"] == target, None)
        m = {h: c for h, c in mapped.items() if c not in ("year", "month", "period", *self.RETURN_TARGETS)}
        for target in {t for t, _ in month_groups.values() if t}:
            m[f"__{target}"] = target
        m["__period"] = "period"
        if "__age_band" in long:
            m["__age_band"] = "age_band"
        self.returns = True
        return long.drop(columns=["__value", "__target"]), m

    ANSWERS = ("comment_benefit", "comment_improve", "comment_action")

    def split_waves(self, data, mapped, wave_columns):
        """A joined pre/post export -> one response per wave sharing a respondent id.

        Who answered (programme, id, date, demographics) is copied to every wave; each answer goes to its
        own wave only: a pair's columns to theirs, an unmarked question (a satisfaction or a comment asked
        once) to the post wave, where the default wave puts a one-wave survey. Nothing is copied across waves.
        """
        if "respondent_id" not in mapped.values():
            data = data.copy()
            data["_respondent"] = [f"{self.raw.name}-r{r}" for r in data["_row"]]
            mapped = {**mapped, "_respondent": "respondent_id"}
        parts = []
        waves = sorted({w for _, w in wave_columns.values()}, key=schema.WAVES.index)
        once = "post" if "post" in waves else waves[-1]
        answers = [h for h, c in mapped.items() if schema.is_outcome(c) or c in self.ANSWERS]
        shared = [h for h in mapped if h not in answers and mapped[h] != "wave"]
        for wave in waves:
            part = data[["_row", *shared]].copy()
            for h in answers:
                part[h] = data[h] if wave == once else None
            for column in {c for c, _ in wave_columns.values()}:
                part[f"__{column}"] = None
            for h, (column, w) in wave_columns.items():
                if w == wave:
                    part[f"__{column}"] = data[h]
            part["__wave"] = wave
            parts.append(part)
        joined = pd.concat(parts)
        m = {**{h: c for h, c in mapped.items() if c != "wave"}, "__wave": "wave"}
        for column in {c for c, _ in wave_columns.values()}:
            m[f"__{column}"] = column
        return joined, m

    def melt(self, data, mapped, groups, group_col, value_col, drop_blank=False):
        ids = ["_row", *[h for h in mapped if h in data.columns]]
        long = data.melt(id_vars=ids, value_vars=groups, var_name=f"__{group_col}", value_name=f"__{value_col}")
        long = long.set_index(long["_row"].astype(int).rename(None)).sort_index(kind="stable")
        long["__header"] = long[f"__{group_col}"]  # the header each value came from, for the report
        if drop_blank:
            filled = long[f"__{value_col}"].map(lambda v: not _blank(v))
            # a row with every cell blank stays once, as 'not recorded': a row is never lost
            empty = ~filled.groupby(level=0).transform("any")
            long = long[filled.values | (empty.values & ~long.index.duplicated(keep="first"))]
        m = {h: c for h, c in mapped.items() if c != value_col}
        m[f"__{group_col}"] = group_col
        m[f"__{value_col}"] = value_col
        return long, m

    # -- cleaning ------------------------------------------------------------------------------------
    def clean_columns(self, data: pd.DataFrame, mapped: dict[str, str], table: schema.Table) -> pd.DataFrame:
        out = pd.DataFrame(index=data.index)
        out["_row"] = data["_row"].astype(int).values
        out["_sheet"] = self.raw.name
        self._current_rows = out["_row"].to_numpy()
        headers_of = {}
        for h, c in mapped.items():
            if c == "_day":
                out["_day"] = data[h].map(lambda v: int(mapping.DAY_HEADER.match(v).group(1))).values
                continue
            if h not in data.columns:
                continue
            too_long = pd.Series(False, index=data.index)
            if not self.cells_short():
                text = clean.is_text(data[h])
                if text.any():
                    too_long.loc[text] = _longer_than(data.loc[text, h], MAX_CELL_CHARS)
            for row in too_long[too_long].index:
                self.problem(ERROR, "cell-too-long", data.at[row, "_row"] if np.ndim(data.at[row, "_row"]) == 0 else row,
                             h, str(data.at[row, h])[:60],
                             f"this cell holds {len(data.at[row, h]):,} characters; a spreadsheet cell holds at most "
                             f"{MAX_CELL_CHARS:,}", "shorten the text or move it out of the spreadsheet")
            column = table.column(c) if not c.startswith("__") else None
            if column is None:
                continue
            raw = data[h].where(~too_long, None)
            if c == "period":
                start, end, cleaned = clean.clean_period(raw)
                out["_period_start"], out["_period_end"] = start.values, end.values
            else:
                if column.kind == schema.CHOICE and self.options.read_as.get(c):
                    raw = raw.map(functools.partial(_read_as, self.options.read_as[c]))
                cleaned = clean.clean_column(raw, column, self.options.dayfirst)
                if column.kind in NUMERIC_KINDS and self.may_hold_codes(cleaned) \
                        and (codes := clean.sentinel_codes(raw)):
                    raw = self.missing_codes(data, h, raw, codes)  # then cleaned again without them
                    cleaned = clean.clean_column(raw, column, self.options.dayfirst)
                out[c] = cleaned.values.values
                if column.kind == schema.CHOICE and cleaned.bad.any():
                    cleaned = self.suggest_choices(h, c, raw, cleaned)
                if column.kind == schema.DATE:
                    self.check_date_order(data, h, raw, cleaned)
            headers_of[c] = h
            if cleaned.bad.any():
                frame = data[["_row", h]].reset_index(drop=True)
                bad = cleaned.bad.reset_index(drop=True)
                cell_header = data["__header"].tolist() if h.startswith("__") and "__header" in data else None
                for i in bad[bad].index:
                    self.problem(ERROR, cleaned.code, frame.at[i, "_row"], cell_header[i] if cell_header else h,
                                 frame.at[i, h], cleaned.message, cleaned.fix)
        out = self.derive(out, table, headers_of)
        if table.name == "survey_responses":
            others = [h for h in data.columns if h not in mapped and not h.startswith("_") and h not in self.personal]
            answered_elsewhere = set(data.loc[_filled_any(data, others), "_row"]) if others else set()
            out = self.drop_unanswered(out, "__wave" in mapped, answered_elsewhere)
        self.check_contract(out, table, headers_of,
                            data["__header"].tolist() if "__header" in data and len(data) == len(out) else None)
        return out

    def cells_short(self) -> bool:
        """True when no text the sheet can give is longer than a spreadsheet cell: every cell of a CSV read by
        columns is known to be short, and a value made from cells (a default, a rename, two header cells joined
        into one label, a label numbered as a repeat) at most twice as long and a few characters more."""
        longest = getattr(self.raw.rows, "longest", None)
        if longest is None:
            return False
        made = [*self.options.defaults.values(), *self.options.renames.values()]
        return 2 * max([longest, *(len(str(v)) for v in made)]) + 100 < MAX_CELL_CHARS

    def suggest_choices(self, h: str, c: str, raw: pd.Series, cleaned: clean.Cleaned) -> clean.Cleaned:
        """A value outside a fixed list, close to one on it: 'did you mean community?' for each such value,
        with every row that holds it; the choice reads them all as the suggestion (Options.read_as)."""
        bad = cleaned.bad.to_numpy()
        values = pd.Series(raw.to_numpy()[bad]).map(lambda v: str(v).strip())
        rows = np.asarray(self._rows_of(raw))[bad]
        handled = np.zeros(len(bad), bool)
        for value, count in values.value_counts(sort=False).items():
            guess = clean.closest_choice(value, c)
            if guess is None:
                continue
            at = rows[(values == value).to_numpy()]
            self.suggestions.append((c, h, value, guess, int(count)))
            for row in at:
                self.problem(ERROR, "invalid-choice", row, h, value,
                             f"'{value}' is not one of {', '.join(schema.TABLES_BY_COLUMN_ALLOWED.get(c, ()))}: "
                             f"did you mean {guess}?",
                             f"apply '{value}' → {guess} on the Upload page (every row with it, in one click), or "
                             f"type {guess} in the file")
            handled[np.flatnonzero(bad)[(values == value).to_numpy()]] = True
        return clean.Cleaned(cleaned.values, pd.Series(bad & ~handled, index=cleaned.bad.index), cleaned.code,
                             cleaned.message, cleaned.fix)

    def _rows_of(self, raw: pd.Series):
        return self._current_rows if getattr(self, "_current_rows", None) is not None and \
            len(self._current_rows) == len(raw) else raw.index

    def check_date_order(self, data: pd.DataFrame, h: str, raw: pd.Series, cleaned: clean.Cleaned) -> None:
        """Dates that could be read two ways are said (with an example both ways) unless the user chose;
        a day that does not exist (31/02/2025) is its own error, not a format error."""
        if not self.options.date_order_chosen and (example := clean.ambiguous_example(raw)):
            text, day_first, month_first = example
            read = "day first (UK)" if self.options.dayfirst else "month first (US)"
            self.problem(WARNING, "ambiguous-dates", None, h, text,
                         f"every date in this column could be read two ways: {text} is {day_first:%-d %B %Y} day "
                         f"first, or {month_first:%-d %B %Y} month first; they were read {read}",
                         "say which: on the Upload page choose the date order; on the command line add "
                         "--us-dates (month first) or --uk-dates (day first)")
        if not cleaned.bad.any():
            return
        bad = cleaned.bad.to_numpy()
        missing_day = np.array([bool(b) and clean.no_such_day(v, self.options.dayfirst) is not None
                                for b, v in zip(bad, raw.tolist())])
        if not missing_day.any():
            return
        rows = data["_row"].to_numpy()
        for i in np.flatnonzero(missing_day):
            value = raw.iloc[i]
            self.problem(ERROR, "no-such-day", rows[i], h, value, clean.no_such_day(value, self.options.dayfirst),
                         "check the day and the month, and type the date that was meant")
        cleaned.bad = pd.Series(bad & ~missing_day, index=cleaned.bad.index)

    @staticmethod
    def may_hold_codes(cleaned: clean.Cleaned) -> bool:
        """Cheap look at a cleaned numeric column: negative numbers, or cells that could not be read."""
        values = cleaned.values
        if bool(cleaned.bad.any()):
            return True
        return pd.api.types.is_numeric_dtype(values) and bool((values < 0).fillna(False).any())

    def missing_codes(self, data: pd.DataFrame, h: str, raw: pd.Series, codes: tuple[int, ...]) -> pd.Series:
        """Cells holding missing-value codes: blank when the user chose so, else one error for the column
        (not one per cell, and never 'remove the minus sign': that would make a count up)."""
        is_code = clean.code_cells(raw, codes)
        headers = (sorted(set(data.loc[is_code.to_numpy(), "__header"])) if h.startswith("__") and "__header" in data
                   else [h])
        chosen = self.options.codes_missing
        listed = ", ".join(str(c) for c in codes)
        where = ", ".join(f"'{x}'" for x in headers[:6]) + (" …" if len(headers) > 6 else "")
        if "*" in chosen or any(x in chosen for x in headers):
            self.problem(WARNING, "codes-read-as-missing", None, headers[0] if len(headers) == 1 else None, listed,
                         f"{int(is_code.sum())} cells in {where} held the codes {listed}; they are read as missing, "
                         "as you chose", "nothing to do")
        else:
            self.problem(ERROR, "missing-value-codes", None, headers[0] if len(headers) == 1 else None, listed,
                         f"{int(is_code.sum())} cells in {where} hold {listed}: every negative value there is one of "
                         "these few codes, which statistics offices and survey tools write for 'not known' or "
                         "'not applicable'; they are not numbers",
                         "treat them as missing: tick 'Read these codes as missing' for this column on the Upload "
                         f"page, or add --codes-missing \"{headers[0]}\" to the command")
        return raw.where(~is_code.to_numpy(), None)

    def derive(self, out: pd.DataFrame, table: schema.Table, headers_of: dict[str, str]) -> pd.DataFrame:
        if table.name == "partners" and "name" in out:
            ids = out.get("partner_id", pd.Series(np.nan, index=out.index))
            out["partner_id"] = ids.where(ids.notna(), out["name"].map(lambda v: clean.slug(v) if isinstance(v, str) else np.nan))
        if table.name == "programmes" and "name" in out:
            ids = out.get("programme_id", pd.Series(np.nan, index=out.index))
            out["programme_id"] = ids.where(ids.notna(), out["name"].map(lambda v: clean.slug(v) if isinstance(v, str) else np.nan))
        if table.name == "attendance":
            out = self.derive_attendance(out, headers_of)
        if table.name == "survey_responses":
            if "wave" not in out:
                out["wave"] = "post"
            out["wave"] = out["wave"].where(out["wave"].notna(), "post")
            for c in ("comment_benefit", "comment_improve", "comment_action"):
                if c in out:
                    out[c] = self.scrub(out, c, headers_of[c])
        if table.name == "partnership_feedback" and "comment" in out:
            out["comment"] = self.scrub(out, "comment", headers_of["comment"])
        if table.name == "population" and "dimension" not in out:
            out["dimension"] = "age_band"
        return out

    def drop_unanswered(self, out: pd.DataFrame, split: bool, answered_elsewhere=frozenset()) -> pd.DataFrame:
        """Responses that answer no question (no outcome item, no comment) are not responses: left out, said.

        A row with something in a column that is not imported is kept (in a one-wave sheet): it answered a
        question the mapping leaves out, and the user may map it.
        """
        answers = [c for c in out.columns if schema.is_outcome(c) or c in self.ANSWERS]
        if not answers or out.empty:
            return out
        none = out[answers].isna().all(axis=1).to_numpy()
        unreadable = {p.row for p in self.problems if p.severity == ERROR and p.row is not None}
        none = none & ~out["_row"].isin(unreadable).to_numpy()
        if not split:  # in a one-wave sheet the 'about you' questions are answers too
            none = none & ~out["_row"].isin(answered_elsewhere).to_numpy()
            about = [c for c in schema.DEMOGRAPHICS if c in out.columns]
            if about:
                none = none & out[about].isna().all(axis=1).to_numpy()
        if not none.any():
            return out
        dropped = out[none]
        for wave, rows in dropped.groupby("wave", sort=False)["_row"]:
            listed = ", ".join(str(int(r)) for r in rows.head(20)) + (" …" if len(rows) > 20 else "")
            if split:
                self.problem(WARNING, "no-answers", None, None, None,
                             f"{len(rows)} {'respondent' if len(rows) == 1 else 'respondents'} answered no {wave} "
                             f"question (row{'s' if len(rows) > 1 else ''} {listed}), so no {wave} response is made "
                             f"for {'them' if len(rows) > 1 else 'it'}", "nothing to do")
            else:
                self.problem(WARNING, "no-answers", int(rows.iloc[0]) if len(rows) == 1 else None, None, None,
                             f"{len(rows)} {'rows answer' if len(rows) > 1 else 'row answers'} no question "
                             f"(row{'s' if len(rows) > 1 else ''} {listed}), so "
                             f"{'they are not responses' if len(rows) > 1 else 'it is not a response'} and not imported", "nothing to do; fill in the answers if they were given")
        return out[~none]

    def derive_attendance(self, out: pd.DataFrame, headers_of: dict[str, str]) -> pd.DataFrame:
        if "participant_id" in out and "attendees" not in headers_of:
            out["attendees"] = pd.array([1] * len(out), dtype="Int64")
        if "sessions" not in out and self.returns:
            out["sessions"] = pd.array([pd.NA] * len(out), dtype="Int64")  # a month's count: sessions unknown
        elif "sessions" not in out:
            out["sessions"] = pd.array([1] * len(out), dtype="Int64")
        if "_day" not in out and not self.returns and out.index.duplicated().any():
            # a head-count row spread over group columns is still one set of sessions: count them once
            out.loc[out.index.duplicated(keep="first"), "sessions"] = 0
        start = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
        end = start.copy()
        if "session_date" in out:
            start, end = out["session_date"].copy(), out["session_date"].copy()
        if "_period_start" in out:
            start = start.where(start.notna(), out["_period_start"])
            end = end.where(end.notna(), out["_period_end"])
        if "year" in out:
            month = out["month"] if "month" in out else pd.Series(pd.NA, index=out.index, dtype="Int64")
            has_year = out["year"].notna() & start.isna()
            ym = pd.DataFrame({"year": out["year"], "month": month.fillna(1), "day": 1})[has_year]
            if len(ym):
                s = pd.to_datetime(ym.astype(int), errors="coerce").astype("datetime64[us]")
                whole_year = month[has_year].isna()
                e = (s + pd.offsets.MonthEnd(0)).where(~whole_year, s + pd.offsets.YearEnd(0)).astype("datetime64[us]")
                start.loc[s.index], end.loc[e.index] = s, e
        if "_day" in out and start.isna().all():
            pass  # day-numbered workshop sheets carry no dates: the rows count in totals, not in any period
        out["period_start"], out["period_end"] = start, end
        no_date = start.isna()
        unreadable = {p.row for p in self.problems if p.severity == ERROR}
        no_date &= ~out["_row"].isin(unreadable)
        has_date_column = bool({"session_date", "period", "year"} & set(headers_of))
        if no_date.any() and has_date_column:
            no_year = any(p.code == "month-without-year" for p in self.problems)  # said once for the sheet
            for row in ([] if no_year else pd.unique(out.loc[no_date.to_numpy(), "_row"])[:1000]):
                self.problem(WARNING, "missing-date", row, headers_of.get("session_date") or
                             headers_of.get("period") or headers_of.get("year"), None,
                             "this row has no date, so it counts in totals but not in any period",
                             "type the session date, or the year and month it covers")
        elif no_date.any():
            self.problem(WARNING, "no-dates", None, None, None,
                         "this sheet has no date column, so its rows count in totals but not in any period",
                         "add a Date column (or Year and Month) for trends over time")
        if "attendees" in out:
            blank = out["attendees"].isna()
            if blank.any():
                self.problem(WARNING, "attendance-not-recorded", None, headers_of.get("attendees"), None,
                             f"{int(blank.sum())} rows have no attendance; they are kept as 'not recorded', not zero",
                             "fill in the head counts you have; leave blank what was not counted")
            if "new_attendees" in out:
                over = out["new_attendees"].gt(out["attendees"]).fillna(False).astype(bool)
                for row in out.index[over]:
                    self.problem(WARNING, "new-above-attendance", out.at[row, "_row"], headers_of.get("new_attendees"),
                                 out.at[row, "new_attendees"], "more new attendees than attendees",
                                 "check the two counts")
        future = start > pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
        for row in out.index[future.fillna(False).astype(bool)][:200]:
            self.problem(WARNING, "date-in-future", out.at[row, "_row"], headers_of.get("session_date"),
                         str(start[row].date()), "this date is in the future", "check the year")
        return out.drop(columns=[c for c in ("year", "month", "_period_start", "_period_end") if c in out])

    def scrub(self, out: pd.DataFrame, column: str, header: str) -> pd.Series:
        text = out[column]
        has = text.notna()
        scrubbed = text.copy()
        if has.any():
            replaced = text[has].str.replace(EMAIL, "[email removed]", regex=True)
            replaced = replaced.str.replace(PHONE, "[phone removed]", regex=True)
            changed = replaced != text[has]
            if changed.any():
                scrubbed.loc[replaced.index] = replaced
                if header not in self.personal:
                    self.personal.append(header)  # the original file holds them: it must not be kept either
                self.problem(WARNING, "personal-data-removed", None, header, None,
                             f"{int(changed.sum())} comments held an email address or phone number; "
                             "they were replaced by a placeholder before storing, and the original file is not kept",
                             "nothing to do")
        return scrubbed

    def check_contract(self, out: pd.DataFrame, table: schema.Table, headers_of: dict[str, str],
                       cell_headers: list | None = None):
        """pandera, lazily: every failure of the table contract as a problem with its row.

        `cell_headers`: for a reshaped sheet, the header each row's value came from (one per row of `out`).
        """
        from impact.ingest import contract as fast

        if fast.holds(out, table.name):
            return  # pandera would find nothing: not imported, not run
        import pandera.errors as pe

        contract = schema.contract(table.name, out.columns)
        try:
            contract.validate(out, lazy=True)
        except pe.SchemaErrors as err:
            cases = err.failure_cases
            used: set[int] = set()
            for case in cases.itertuples(index=False):
                column = getattr(case, "column", None)
                index = getattr(case, "index", None)
                check = str(getattr(case, "check", ""))
                if index is None or pd.isna(index) or column not in out:
                    continue
                matches = out.index == index
                rows = out.loc[matches, "_row"].tolist() or [index]
                value = getattr(case, "failure_case", None)
                if "not_nullable" in check:
                    if any(p.row in rows and p.column == headers_of.get(column) for p in self.problems):
                        continue  # already reported as unreadable
                    code, msg, fix = ("missing-value", f"{column} is required and this row has none",
                                      f"fill in {column} for this row, or delete the row")
                elif "not negative" in check or "greater_than_or_equal" in check:
                    counted = table.column(column).kind == schema.COUNT
                    code, msg, fix = ("negative-count" if counted else "negative-value",
                                      f"{column} cannot be negative",
                                      ("check the value: it cannot be below zero; if it stands for 'not known', "
                                       "leave the cell blank"))
                elif "one of" in check or "isin" in check:
                    code, msg, fix = ("invalid-choice", f"{column} must be {check}", f"choose {check}")
                elif "between" in check or "quintile" in check or "in_range" in check:
                    code, msg, fix = ("out-of-range", f"{column} must be {check}", f"type a value {check}")
                else:
                    code, msg, fix = ("invalid-value", f"{column}: {check}", "correct the value")
                header = headers_of.get(column, column)
                if cell_headers is not None and str(header).startswith("__"):
                    # a reshaped row: find which of the spreadsheet row's cells holds the failing value
                    cells = [int(p) for p in np.flatnonzero(matches) if p not in used]
                    same = [p for p in cells if str(out[column].iloc[p]) == str(value)] or cells
                    if same:
                        used.add(same[0])
                        header = cell_headers[same[0]]
                for row in rows[:1]:
                    self.problem(ERROR, code, row, header, value, msg, fix)
