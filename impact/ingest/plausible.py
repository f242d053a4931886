"""Values that cannot be right, checked once a file is read and cleaned (one call, from ingest_file).

- Excel error cells (#REF!, #DIV/0!, ...): an error per cell in an imported column, a warning elsewhere.
- Dates outside the plausible window (settings earliest_year, latest_year; default 1990 to next year) are
  warnings naming the rows; Excel's zero date (1899/1900) and years before 1900 or after 2200 are errors.
- Counts above max_attendees_per_session (per session when a row counts several) are warnings; negative,
  not finite or beyond the database's integer range (2,147,483,647) are errors, as is money not finite.
- A header written twice, where the copy would be imported, is an error naming both columns.
- A file that yields no data rows is an error, never an empty batch.
- Names of programmes, partners, themes and branches holding an email address, a phone number or a
  titled person's name ("Mrs Jane Doe") have them removed before storing, with a warning naming what was found.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from impact import schema
from impact.ingest.limits import Limits
from impact.ingest.report import ERROR, WARNING, Problem, value_text
from impact.ingest.sheet import column_letter

DB_INT_MAX = 2_147_483_647  # SQL INTEGER on PostgreSQL (int4); SQLite would take more, PostgreSQL would fail
LISTED = 20  # rows named per problem before "and N more"
NAME_COLUMNS = ("name", "programme", "partner", "theme", "branch", "catchment", "target_group", "sector", "area")
NAME_TABLES = ("programmes", "partners", "programme_partners", "attendance", "survey_responses", "population")
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# ten digits or more, not starting like an ISO date (workshop slugs such as "2018-10-18-2018" are no phone)
PHONE = re.compile(r"(?<![\w/])(?!\d{4}-\d{1,2}-\d{1,2})\+?\d(?:[ ()-]{0,2}\d){9,}(?![\w/])")
SUSPECT = re.compile(r"@|\d{3}|\b(?:Mr|Mrs|Ms|Miss|Mx)\b")  # cheap first look: may hold one of the three
TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")


def check(result, raws, limits: Limits, renames: dict[str, str] | None = None) -> None:
    """Add the problems above to `result` (a FileResult), scrubbing personal data out of names in place."""
    summaries = {s.sheet: s for s in result.sheets}
    for raw in raws:
        summary = summaries.get(raw.name)
        error_cells(result, raw, summary)
        if summary is not None and summary.header_row:
            repeated_headers(result, raw, summary)
    for table, frame in list(result.frames.items()):
        dates(result, table, frame, limits)
        numbers(result, table, frame, limits)
    personal_names(result, renames or {})
    if not any(len(f) for f in result.frames.values()) and not any(p.severity == ERROR for p in result.problems):
        result.problems.append(Problem(
            ERROR, "no-data-rows", result.name, None, None, None, None,
            "the file has headers but no data rows, so there is nothing to store",
            "fill in the rows under the headers (or upload the file that has them)"))


def _rows_text(rows) -> str:
    rows = [int(r) for r in rows]
    more = f" and {len(rows) - LISTED:,} more" if len(rows) > LISTED else ""
    return ", ".join(map(str, rows[:LISTED])) + more


def error_cells(result, raw, summary) -> None:
    header_row = summary.header_row if summary is not None else None
    headers = raw.rows[header_row - 1] if header_row and header_row <= len(raw.rows) else []
    for row0, col0, error in raw.errors:
        header = headers[col0] if col0 < len(headers) and headers[col0] not in (None, "") else None
        imported = bool(header_row and row0 + 1 > header_row and summary.mapping.get(str(header).strip()))
        where = f"column {column_letter(col0)}"
        result.problems.append(Problem(
            ERROR if imported else WARNING, "excel-error-cell", result.name, raw.name, row0 + 1,
            str(header).strip() if header is not None else where, error,
            f"the cell in {where} holds Excel's error {error}, not a value" +
            ("" if imported else "; it is not imported, so nothing depends on it"),
            "fix the formula in Excel (or type the value) and save again; Beyond Footfall never guesses it"))


def repeated_headers(result, raw, summary) -> None:
    row = raw.rows[summary.header_row - 1] if summary.header_row <= len(raw.rows) else []
    seen: dict[str, int] = {}
    reshaped = {"age_band", "group", "attendees", "population", "dimension"}
    for i, v in enumerate(row):
        if v in (None, "") or not isinstance(v, str | int | float):
            continue
        label = " ".join(str(v).split())
        key = label.casefold()
        canonical = summary.mapping.get(label)
        if key in seen and canonical and canonical not in reshaped and "(" not in str(canonical):
            first = seen[key]
            result.problems.append(Problem(
                ERROR, "repeated-header", result.name, raw.name, summary.header_row, label, label,
                f"the header '{label}' is written twice, in column {column_letter(first)} and column "
                f"{column_letter(i)}; only one of them can be read as {canonical}",
                "rename or delete one of the two columns, then upload again"))
        seen.setdefault(key, i)


def _kind(table: str, column: str) -> str | None:
    tdef = schema.TABLES.get(table)
    if tdef is None:
        return None
    try:
        return tdef.column(column).kind
    except (KeyError, ValueError, StopIteration):
        return None


def dates(result, table: str, frame: pd.DataFrame, limits: Limits) -> None:
    first, last = (pd.Timestamp(d) for d in limits.date_window)
    for column in frame.columns:
        if column.startswith("_") or not pd.api.types.is_datetime64_any_dtype(frame[column]):
            continue
        values = frame[column]
        year = values.dt.year  # once: a million dates' years take as long as the rest of the check
        impossible = values.notna() & ((year < 1900) | (year > 2200) | (values <= pd.Timestamp("1900-01-01")))
        unlikely = values.notna() & ~impossible & ((values < first) | (values > last + pd.Timedelta(days=1)))
        for mask, severity, code, why in (
                (impossible, ERROR, "impossible-date", ("cannot be a real date here (Excel shows 0 or a broken "
                                                        "formula as 1900-01-00 / 1899-12-30)")),
                (unlikely, WARNING, "implausible-date", (f"is outside {first:%Y} to {last:%Y} (settings "
                                                         "earliest_year, latest_year)"))):
            if not mask.any():
                continue
            for sheet, group in frame[mask].groupby("_sheet", sort=False):
                rows = group["_row"].tolist()
                result.problems.append(Problem(
                    severity, code, result.name, sheet, int(rows[0]), column, value_text(group[column].iloc[0].date()),
                    f"{column.replace('_', ' ')} on rows {_rows_text(rows)} {why}",
                    "check the date in the file (a typed year, a day/month swap, or a cell formatted as a date "
                    "that holds a number)"))


def numbers(result, table: str, frame: pd.DataFrame, limits: Limits) -> None:
    for column in frame.columns:
        kind = _kind(table, column)
        if kind not in (schema.COUNT, schema.INTEGER, schema.MONEY, schema.HOURS, schema.NUMBER, schema.QUINTILE,
                        schema.SCORE) or not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        checks = [(~np.isfinite(values) & values.notna(), "not-finite", "is not a finite number")]
        if kind in (schema.COUNT, schema.INTEGER, schema.QUINTILE, schema.SCORE):
            checks.append((values.abs() > DB_INT_MAX, "beyond-database-range",
                           f"is larger than the largest whole number the database holds ({DB_INT_MAX:,})"))
        if kind in (schema.COUNT, schema.MONEY, schema.HOURS):
            checks.append((values < 0, "negative-value", "is negative"))
        reported = pd.Series(False, index=frame.index)
        for mask, code, why in checks:
            mask = mask.fillna(False) & ~reported
            if not mask.any():
                continue
            reported |= mask
            if code == "negative-value" and any(p.code in ("negative-count", "negative-value") and p.column
                                                for p in result.problems):
                continue  # cleaning already named these rows
            for sheet, group in frame[mask].groupby("_sheet", sort=False):
                rows = group["_row"].tolist()
                result.problems.append(Problem(
                    ERROR, code, result.name, sheet, int(rows[0]), column, value_text(group[column].iloc[0]),
                    f"{column.replace('_', ' ')} on rows {_rows_text(rows)} {why}",
                    "correct the number in the file and upload it again"))
        if table == "attendance" and column == "attendees":
            sessions = frame["sessions"].astype("float64").fillna(1).clip(lower=1) if "sessions" in frame else 1
            per_session = values / sessions
            high = (per_session > limits.max_attendees_per_session).fillna(False) & ~reported
            for sheet, group in frame[high].groupby("_sheet", sort=False):
                rows = group["_row"].tolist()
                result.problems.append(Problem(
                    WARNING, "implausible-count", result.name, sheet, int(rows[0]), column,
                    value_text(group[column].iloc[0]),
                    f"attendees on rows {_rows_text(rows)} are more than {limits.max_attendees_per_session:,} per "
                    "session (setting max_attendees_per_session)",
                    "check for a typing slip or a totals row; if the figure is right, nothing to do"))


def scrub_name(text: str) -> tuple[str, list[str]]:
    """A name with emails, phone numbers and titled people's names replaced, and what was found."""
    found, out = [], text
    for pattern, word, what in ((EMAIL, "[email]", "an email address"), (PHONE, "[phone]", "a phone number"),
                                (TITLED, "[name]", "a person's name")):
        out, n = pattern.subn(word, out)
        if n:
            found.append(what)
    return out, found


def _rename(result, table: str, frame: pd.DataFrame, column: str, renames: dict[str, str]) -> pd.DataFrame:
    """The user's own names for names that held personal data (the page's rename box, the CLI's --rename)."""
    from impact.ingest.clean import slug

    hits = frame[column].isin(list(renames))
    if not hits.any():
        return frame
    frame = frame.copy()
    id_column = {"programmes": "programme_id", "partners": "partner_id"}.get(table)
    for old, new in renames.items():
        where = frame[column] == old
        if not where.any() or not str(new).strip():
            continue
        if id_column and column == "name" and id_column in frame:
            frame.loc[where & (frame[id_column] == slug(old)), id_column] = slug(new.strip())
        frame.loc[where, column] = new.strip()
        if f"{table}.{column}" not in result.personal_columns:
            result.personal_columns.append(f"{table}.{column}")  # the file held personal data: not kept
    return frame


def personal_names(result, renames: dict[str, str] | None = None) -> None:
    """Scrub names that would reach every page and pack; one warning per distinct name (first row named).
    A name the user renamed is stored as renamed, and checked again like any other."""
    from impact.ingest.clean import slug

    renames = renames or {}
    for table in NAME_TABLES:
        frame = result.frames.get(table)
        if frame is None:
            continue
        for column in NAME_COLUMNS:
            if column not in frame or not (pd.api.types.is_object_dtype(frame[column])
                                           or pd.api.types.is_string_dtype(frame[column])):
                continue
            if renames:
                frame = result.frames[table] = _rename(result, table, frame, column, renames)
            values = frame[column]
            if pd.api.types.infer_dtype(values, skipna=True) == "string":
                texts = values[values.notna()]  # every filled cell is text: no look at each one
            else:
                texts = values[values.map(lambda v: isinstance(v, str))]
            distinct = pd.Series(texts.unique(), dtype=object)  # first-seen order, as suspect.unique() gave
            suspect = distinct[distinct.str.contains(SUSPECT, regex=True)
                               .astype(bool).to_numpy()] if len(distinct) else distinct
            if suspect.empty:
                continue
            changed = {}
            for value in suspect:
                clean, found = scrub_name(value)
                if found:
                    changed[value] = (clean.strip(), found)
            if not changed:
                continue
            frame = frame.copy()
            for value, (clean, found) in changed.items():
                where = frame[column] == value
                first = frame[where].iloc[0]
                if not any(n[1] == value for n in result.scrubbed_names):
                    result.scrubbed_names.append((column, value, clean, " and ".join(found)))
                result.problems.append(Problem(
                    WARNING, "personal-data-in-name", result.name, first["_sheet"], int(first["_row"]), column,
                    clean, f"this {column.replace('_', ' ')} held {' and '.join(found)}; it is stored as "
                           f"'{clean}' so they never reach a page or an export",
                    "type the name to store in the rename box under the report (or --rename on the command line), "
                    "or rename it in your file and upload again; or store it as it is now"))
                id_column = {"programmes": "programme_id", "partners": "partner_id"}.get(table)
                if id_column and column == "name" and id_column in frame:
                    derived = where & (frame[id_column] == slug(value))
                    frame.loc[derived, id_column] = slug(clean)
                frame.loc[where, column] = clean
            result.frames[table] = frame
            if f"{table}.{column}" not in result.personal_columns:
                result.personal_columns.append(f"{table}.{column}")  # so the original file is not kept
