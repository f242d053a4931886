"""The upload workflow without the page: read and check files, the mapping editor's rows, the report,
what a commit would do, and the upload history. pages/upload.py lays these out; nothing here is stored.
"""
from __future__ import annotations

import dataclasses
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from impact import schema
from impact.ingest import (
    SKIP_SHEET,
    IngestResult,
    Limits,
    Options,
    Problem,
    check_mapping_keys,
    cross_check,
    ingest_file,
)
from impact.ingest.report import ERROR, WARNING, SheetSummary

IGNORE = "(not imported)"  # the mapping editor's value for a header that is not imported (ingest's '')
ACCEPTED_TYPES = ("xlsx", "xlsm", "xls", "ods", "csv")
REPORT_COLUMNS = ["severity", "file", "sheet", "row", "column", "value", "problem", "fix", "code"]
MAPPING_COLUMNS = ["Column in your file", "Imported as", "What it holds"]
Progress = Callable[[float, str], None]
KIND_WORDS = {schema.DATE: "a date", schema.COUNT: "a count of people or sessions", schema.MONEY: "money",
              schema.HOURS: "hours", schema.BOOL: "yes or no", schema.NUMBER: "a number", schema.INTEGER: "a number",
              schema.ID: "a code", schema.CHOICE: "one of a fixed list", schema.SCORE: "an agreement answer, 1-5",
              schema.PERIOD: "a month, quarter or period"}


# -- reading --------------------------------------------------------------------------------------------

def read_upload(files: list[tuple[str, bytes]], options: Options | None = None, max_mb: float | None = None,
                progress: Progress | None = None, limits: Limits | None = None) -> IngestResult:
    """Read and check every file as one upload (nothing stored), each in a worker with time and memory caps
    (`limits`, default: the defaults with `max_mb` as the upload limit). A file over a limit is reported, not
    read; rows identical to the template's example rows are left out, each with a warning."""
    options = options or Options()
    limits = limits or Limits(isolate=True)
    if max_mb is not None:
        limits = dataclasses.replace(limits, max_upload_mb=max_mb)
    step = progress or (lambda fraction, text: None)
    files_out = []
    for i, (name, data) in enumerate(files):
        step(i / (len(files) + 1), f"Reading and checking {name} ({i + 1} of {len(files)})…")
        files_out.append(ingest_file(name, data, options, limits))
    result = IngestResult(files_out)
    step(len(files) / (len(files) + 1), "Checking the sheets against each other…")
    drop_template_examples(result)
    cross_check(result)
    check_mapping_keys(result, options)
    step(1.0, "Done")
    return result


@functools.lru_cache(maxsize=1)
def _template_examples() -> dict[str, pd.DataFrame]:
    """The template's example rows as ingest cleans them, per table."""
    from impact.templates import template_workbook

    file = ingest_file("template.xlsx", template_workbook())
    return {table: frame for table, frame in file.frames.items()}


def drop_template_examples(result: IngestResult) -> None:
    """Leave out rows that are exactly the template's example rows (on every column of the template's sheet)."""
    examples = _template_examples()
    for f in result.files:
        for table, frame in list(f.frames.items()):
            example = examples.get(table)
            if example is None or frame.empty:
                continue
            columns = [c for c in example.columns if not c.startswith("_")]
            if not set(columns) <= set(frame.columns):
                continue  # not the template's sheet: its rows cannot be the examples
            key = pd.MultiIndex.from_frame(frame[columns].astype(str))
            is_example = key.isin(pd.MultiIndex.from_frame(example[columns].astype(str)))
            if not is_example.any():
                continue
            dropped = frame[is_example]
            for sheet, row in zip(dropped["_sheet"], dropped["_row"]):
                f.problems.append(Problem(WARNING, "template-example-row", f.name, sheet, int(row), None, None,
                                          "this is one of the template's example rows, so it is not imported",
                                          "nothing to do; type over the examples or delete them"))
            kept = frame[~is_example]
            if kept.empty:
                del f.frames[table]
            else:
                f.frames[table] = kept
            counts = dropped["_sheet"].value_counts()
            for summary in f.sheets:
                if summary.table == table and summary.sheet in counts:
                    summary.rows -= int(counts[summary.sheet])


# -- the mapping editor -----------------------------------------------------------------------------------

def sheet_headers(summary: SheetSummary) -> list[str]:
    """The sheet's headers as written, in order (what a remembered mapping is keyed on)."""
    return [h for h in summary.mapping if not h.startswith("(every row)")]


def _grouped(summary: SheetSummary) -> dict[str, str]:
    """header -> the pair or month group it belongs to (mapped as one row of the editor)."""
    return {h: key for key, columns in summary.pairs.items() for h in columns.values()}


def editor_keys(summary: SheetSummary) -> list[str]:
    """What each row of the mapping editor is keyed on: a header, or a pair's item / a month group's name,
    in the order of the file's columns (a group where its first column is)."""
    grouped, keys = _grouped(summary), []
    for h in sheet_headers(summary):
        key = grouped.get(h, h)
        if key not in keys:
            keys.append(key)
    return keys


def own_outcome_choices(summary: SheetSummary) -> list[str]:
    """For a survey sheet: each row's header kept as an outcome item of the library's own."""
    if summary.table != "survey_responses":
        return []
    return [schema.own_outcome_name(k.strip("()") or "item") for k in editor_keys(summary)]


def column_choices(table: str | None, summary: SheetSummary | None = None) -> list[str]:
    """What a header can be imported as: not imported, or any column of the table (import-only ones too),
    and for a survey sheet each header as an outcome item of the library's own."""
    if table not in schema.TABLES:
        return [IGNORE]
    own = own_outcome_choices(summary) if summary is not None and summary.table == table else []
    return [IGNORE] + [c.name for c in schema.TABLES[table].columns] + [o for o in own]


def choice_label(value: str | None) -> str:
    """'session_date' -> 'Session date'; 'outcome_q3' -> 'Own outcome: q3'; IGNORE -> '(not imported)'."""
    if not value or value == IGNORE:
        return IGNORE
    if schema.is_own_outcome(value):
        return "Own outcome: " + value.removeprefix("outcome_").replace("_", " ")
    return value.replace("_", " ")[0].upper() + value.replace("_", " ")[1:]


def mapping_rows(summary: SheetSummary, personal_columns) -> pd.DataFrame:
    """One row per header (a pre/post pair or a month group is one row): the header(s), what it is imported
    as, and what that column holds (or why not)."""
    table = schema.TABLES.get(summary.table)
    names = {c.name for c in table.columns} if table else set()
    repeated = pd.Series([c for c in summary.mapping.values() if c]).value_counts()
    personal = set(personal_columns)
    rows = []
    for key in editor_keys(summary):
        if key in summary.pairs:
            columns = list(summary.pairs[key].values())
            target = summary.pair_mapping.get(key)
            waves = [w for w in summary.pairs[key] if w in schema.WAVES]
            if waves:
                label = " + ".join(columns)
                what = (f"a pair: one item, each answer to its own wave ({' / '.join(waves)})" if target else
                        "a pair of wave columns, not imported: choose the item it asks")
            else:
                label = f"{key} ({len(columns)} month columns: {columns[0]} … {columns[-1]})"
                what = ("reshaped: one row per month" + (f", '{key}' as the group" if key.strip("()") else "")
                        if target else "month columns not imported: choose attendees if they are head counts")
            rows.append((label, target or IGNORE, what))
            continue
        header, canonical = key, summary.mapping[key]
        if header in personal and not canonical:
            rows.append((header, IGNORE, "personal data: never stored"))
        elif not canonical:
            hint = summary.suggestions.get(header)
            rows.append((header, IGNORE, f"not imported: may be {hint} (see the suggestion below)" if hint else
                         "not imported: choose a column to import it"))
        elif schema.is_own_outcome(canonical):
            rows.append((header, canonical, "an outcome item of your own (agreement, 1-5), named after the header"))
        elif canonical not in names:  # a joined pre/post column, e.g. 'confidence (pre)'
            rows.append((header, canonical, "split: one response per wave, sharing a respondent id"))
        elif repeated.get(canonical, 0) > 1 and canonical in ("age_band", "group", "attendees"):
            what = "the header becomes the group, each count one row" if canonical != "attendees" \
                else "one row per column"
            rows.append((header, canonical, f"reshaped: {what}"))
        else:
            column = table.column(canonical)
            note = column.description or KIND_WORDS.get(column.kind, choice_label(canonical))
            if column.allowed:
                note += f" ({' / '.join(column.allowed)})"
            rows.append((header, canonical, ("required · " if column.required else "") + note))
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def overrides_from_edits(headers: list[str], edited_rows: dict, table: str | None) -> dict[str, str]:
    """The mapping editor's edits ({row position: {column: value}}) as header overrides for ingest;
    (IGNORE, or a cleared cell, becomes '' = not imported); values that are not a column of the table
    (or, for a survey, an outcome item of the library's own) are dropped."""
    allowed = set(column_choices(table))
    out = {}
    for position, change in (edited_rows or {}).items():
        i = int(position)
        if not 0 <= i < len(headers) or MAPPING_COLUMNS[1] not in change:
            continue
        value = change[MAPPING_COLUMNS[1]] or IGNORE
        if value in allowed or (table == "survey_responses" and schema.is_own_outcome(value)):
            out[headers[i]] = "" if value == IGNORE else value
    return out


DEFAULT_COLUMNS = {  # what a sheet of each table may leave out that the page asks for ("values the file leaves out")
    "attendance": ("programme", "branch", "year", "period", "age_band"),
    "survey_responses": ("programme", "wave", "response_date"),
    "programmes": ("theme", "branch"),
    "programme_partners": ("programme", "role"),
    "partners": ("partnership_type",),
    "population": ("dimension", "catchment"),
}


def default_columns(table: str | None) -> tuple[str, ...]:
    """Columns whose value the page lets the user give for a sheet (the CLI's --set): required ones first."""
    if table not in schema.TABLES:
        return ()
    t = schema.TABLES[table]
    measured = (schema.COUNT, schema.MONEY, schema.HOURS, schema.NUMBER, schema.SCORE)  # never one value for all
    return tuple(c for c in dict.fromkeys((*t.required, *DEFAULT_COLUMNS.get(table, ())))
                 if t.column(c).kind not in measured)


def sheet_problems(result: IngestResult, summary: SheetSummary, code: str) -> list[Problem]:
    return [p for p in result.problems if p.code == code and p.file == summary.file and p.sheet == summary.sheet]


def table_choices() -> list[str]:
    return list(schema.TABLES) + [SKIP_SHEET]


def table_label(table: str | None) -> str:
    if table == SKIP_SHEET:
        return "(do not import this sheet)"
    return table.replace("_", " ") if table else "(choose a table)"


# -- the validation report ------------------------------------------------------------------------------------

def problems_table(result: IngestResult) -> pd.DataFrame:
    """Every problem as a row (errors first), with the spreadsheet's own row numbers and a fix."""
    rows = [(p.severity, p.file, p.sheet, p.row, p.column, p.value, p.message, p.fix, p.code)
            for p in result.problems]
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    frame["_order"] = (frame["severity"] != ERROR).astype(int)
    return (frame.sort_values(["_order", "file", "sheet", "row"], kind="stable", na_position="first")
            .drop(columns="_order").reset_index(drop=True))


def problems_shown(problems: pd.DataFrame) -> pd.DataFrame:
    """The report as the page shows it: empty cells empty (never 'None'), row numbers as the sheet shows them."""
    out = problems.copy()
    out["row"] = [("" if pd.isna(r) else str(int(r))) for r in out["row"]]
    for c in ("file", "sheet", "column", "value", "problem", "fix", "code"):
        out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    return out


def fix_list(problems: pd.DataFrame, limit: int = 40) -> list[str]:
    """Each distinct problem once, with its fix in full and where it occurs: what the page lists above the table."""
    from impact.safe_text import markdown as as_text

    lines = []
    if problems.empty:
        return lines
    keys = ["severity", "message_key", "fix"]
    frame = problems.assign(message_key=problems["problem"])
    for (severity, message, fix), group in frame.groupby(keys, sort=False):
        places = []
        for sheet, rows in group.groupby(group["sheet"].fillna(""), sort=False):
            numbers = [str(int(r)) for r in rows["row"].dropna()]
            columns = sorted({c for c in rows["column"].dropna() if c})
            where = sheet or rows["file"].iloc[0]
            if columns:
                where += f", column {', '.join(columns[:3])}{' …' if len(columns) > 3 else ''}"
            if numbers:
                where += f", row{'s' if len(numbers) > 1 else ''} {', '.join(numbers[:10])}"
                where += " …" if len(numbers) > 10 else ""
            places.append(where)
        count = f"{len(group)} × " if len(group) > 1 else ""
        # markdown for the page: what a file says (values, names, headers) is escaped, never live
        lines.append(f"**{severity}** · {count}{as_text(message)} ({as_text('; '.join(places))}). "
                     f"**Fix:** {as_text(fix)}")
        if len(lines) >= limit:
            break
    return lines


def remove_demo_offer(batches: pd.DataFrame) -> list[int]:
    """The demo's active batches, once a library's own data is stored beside them (else [])."""
    if batches.empty:
        return []
    active = batches[batches["undone_at"].isna()]
    demo = active["uploader"].fillna("") == "demo"
    return sorted(int(b) for b in active.loc[demo, "id"]) if demo.any() and (~demo).any() else []


def filter_problems(problems: pd.DataFrame, severities=None, sheets=None) -> pd.DataFrame:
    keep = pd.Series(True, index=problems.index)
    if severities:
        keep &= problems["severity"].isin(list(severities))
    if sheets:
        keep &= problems["sheet"].isin(list(sheets))
    return problems[keep].reset_index(drop=True)


def report_workbook(problems: pd.DataFrame) -> bytes:
    """The report as .xlsx; every cell is text or a number, never a formula (a value may start with '=')."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Validation report"
    ws.append(REPORT_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for record in problems[REPORT_COLUMNS].itertuples(index=False):
        ws.append([None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in record])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # openpyxl would write it as a formula
    for letter, width in zip("ABCDEFGHI", (9, 28, 20, 6, 24, 24, 70, 60, 24)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def preview_frames(result: IngestResult, limit: int = 200) -> dict[str, pd.DataFrame]:
    """The cleaned rows per table as they will be stored (first `limit`), the sheet and row first."""
    out = {}
    for table in schema.TABLES:
        frame = result.frame(table)
        if frame.empty:
            continue
        order = [c.name for c in schema.TABLES[table].columns if c.name in frame.columns]
        extra = [c for c in frame.columns if not c.startswith("_") and c not in order]
        shown = frame.head(limit)[["_sheet", "_row", *order, *extra]].rename(columns={"_sheet": "sheet",
                                                                                        "_row": "row"})
        for c in shown.columns:
            if pd.api.types.is_datetime64_any_dtype(shown[c]):
                shown[c] = shown[c].dt.date  # dates carry no time of day
            if shown[c].isna().any():  # blank is blank (not recorded), never the word 'None'
                shown[c] = [("" if pd.isna(v) else str(v)) for v in shown[c]]
        out[table] = shown.reset_index(drop=True)
    return out


# -- what a commit would do, and what one did -------------------------------------------------------------

@dataclass(frozen=True)
class UploadPlan:
    """What storing the upload would do: rows per table, partners and programmes it would create,
    and files already stored (refused unless stored again on purpose)."""

    rows: dict[str, int]
    created: dict[str, list[str]] = field(default_factory=dict)
    duplicates: list[dict] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def plan(result: IngestResult, store) -> UploadPlan:
    rows = {t: len(result.frame(t)) for t in schema.TABLES if len(result.frame(t))}
    duplicates = []
    for f in result.files:
        dup = store.find_duplicate(f.sha256)
        if dup:
            duplicates.append({**dup, "file": f.name, "first_file": dup["file"]})
    return UploadPlan(rows, store.preview(result) if result.ok else {}, duplicates)


def rows_text(rows: dict[str, int]) -> str:
    """{'attendance': 12, 'programmes': 1} -> '12 attendance rows, 1 programme'."""
    words = {"partners": ("partner", "partners"), "programmes": ("programme", "programmes"),
             "programme_partners": ("partner stake", "partner stakes"),
             "attendance": ("attendance row", "attendance rows"),
             "survey_responses": ("survey response", "survey responses"),
             "population": ("population row", "population rows")}
    parts = [f"{n:,} {words.get(t, (t, t))[0 if n == 1 else 1]}" for t, n in rows.items() if n]
    return ", ".join(parts) or "no rows"


def when(timestamp) -> str:
    """'2025-04-03T10:15:00' -> '3 Apr 2025 at 10:15'."""
    stamp = pd.Timestamp(timestamp)
    return f"{stamp.day} {stamp:%b %Y at %H:%M}"


def same_as(duplicate: dict) -> str:
    """' as westfield.xlsx' when the same file was first stored under another name."""
    first = duplicate.get("first_file")
    return f" as {first}" if first and first != duplicate["file"] else ""


def commit_summary(outcome) -> str:
    """One paragraph saying what landed (or why nothing did), in the user's words."""
    if outcome.refused:
        return " ".join(f"Not stored: {r['file']} was already uploaded on {when(r['first_uploaded'])}"
                        f"{same_as(r)} (batch {r['batch_id']})." for r in outcome.refused) + \
            " Undo that upload in the history below, or tick 'Store it again anyway'."
    if not outcome.ok:
        return outcome.message
    batches = ", ".join(str(b) for b in outcome.batch_ids)
    text = f"Stored {rows_text(outcome.stored)} (batch {batches})."
    for table, names in outcome.created.items():
        if names:
            text += f" New {table}: {', '.join(names)}."
    return text


def history_table(batches: pd.DataFrame) -> pd.DataFrame:
    """The upload history for people: who, when, which file, rows per table, kept or undone."""
    if batches.empty:
        return pd.DataFrame(columns=["batch", "file", "uploaded", "by", "rows", "original kept", "status"])
    undone = batches["undone_at"]
    return pd.DataFrame({
        "batch": batches["id"].astype(int),
        "file": batches["file_name"],
        "uploaded": pd.to_datetime(batches["uploaded_at"]).dt.strftime("%d %b %Y %H:%M"),
        "by": batches["uploader"].fillna(""),
        "rows": batches["rows"].map(rows_text),
        "original kept": batches["original_kept"].astype(bool).map({True: "yes", False: "no"})
        .where(~batches["personal_data"].astype(bool), "no (personal data)"),
        "status": ["active" if pd.isna(u) else f"undone {pd.Timestamp(u):%d %b %Y %H:%M}" for u in undone],
    }).sort_values("batch", ascending=False).reset_index(drop=True)
