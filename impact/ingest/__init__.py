"""Ingest: read -> find header -> detect table -> map columns -> clean -> report.

`ingest_files` never raises on bad input: every problem is a `Problem` in the
result, with file, sheet, spreadsheet row, column, value, message and fix.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field

import pandas as pd

from impact.ingest.clean import slug
from impact.ingest.limits import MB, Limits
from impact.ingest.read import read_sheets
from impact.ingest.report import ERROR, WARNING, Problem, SheetSummary
from impact.ingest.sheet import SKIP_SHEET, Options, SheetOptions, SheetReader

__all__ = ["SKIP_SHEET", "FileResult", "IngestResult", "Limits", "Options", "Problem", "SheetOptions",
           "check_mapping_keys", "ingest_files",
           "ingest_paths"]


@dataclass
class FileResult:
    name: str
    data: bytes
    sha256: str
    sheets: list[SheetSummary] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)
    # names scrubbed of personal data, for a rename box: (column, name as written, name stored, what it held)
    scrubbed_names: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def rows(self) -> dict[str, int]:
        return {t: len(f) for t, f in self.frames.items()}


@dataclass
class IngestResult:
    files: list[FileResult]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def sheets(self) -> list[SheetSummary]:
        return [s for f in self.files for s in f.sheets]

    def frame(self, table: str) -> pd.DataFrame:
        frames = [f.frames[table] for f in self.files if table in f.frames]
        return pd.concat(frames) if frames else pd.DataFrame()

    def report(self) -> dict:
        """The validation report as the CLI prints it with --json."""
        return {"ok": self.ok, "sheets": [s.to_dict() for s in self.sheets],
                "errors": [p.to_dict() for p in self.errors], "warnings": [p.to_dict() for p in self.warnings]}


# sheets that hold guidance rather than data (a template's Instructions, a return's 'Field definitions')
NOTES_SHEET = re.compile(r"^(?:read\s*me|instructions?|introduction|intro|guidance|guide|help|about|contents|notes"
                         r"|field definitions|definitions|glossary|data dictionary|lookups?|lists?|dropdowns?)\b",
                         re.IGNORECASE)


def skipped(result: FileResult, raw, chosen: bool) -> None:
    """A sheet left out on purpose still appears: in the sheet list (no table, 0 rows) and as a warning."""
    filled = sum(1 for r in raw.rows if any(v not in (None, "") for v in r))
    result.sheets.append(SheetSummary(result.name, raw.name, None, 0, None, {}))
    why = "you chose not to import it" if chosen else "its name says it holds notes or guidance, not data"
    result.problems.append(Problem(WARNING, "sheet-not-imported", result.name, raw.name, None, None, None,
                                   f"this sheet ({filled} filled rows) is not imported: {why}",
                                   "nothing to do; if it holds data, choose its table on the upload page "
                                   "(or --table), or rename the sheet"))


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def too_large(name: str, size: int, limits: Limits, sha256: str = "") -> FileResult:
    """A file over the upload limit: reported, never read (the CLI does not even load it)."""
    result = FileResult(name, b"", sha256)
    result.problems.append(Problem(
        ERROR, "file-too-large", name, None, None, None, f"{size / MB:.1f} MB",
        f"the file is larger than the upload limit of {limits.max_upload_mb:g} MB (setting max_upload_mb), "
        "so it was not read", "split it into smaller files (e.g. one per year), or ask an admin to raise "
                              "max_upload_mb"))
    return result


def ingest_file(name: str, data: bytes, options: Options | None = None, limits: Limits | None = None) -> FileResult:
    """Read, check and clean one file. Never raises: a fault of ours becomes an `internal-error` problem
    with an incident id (logged with its traceback); with `limits.isolate` it runs in a capped worker."""
    options = options or Options()
    limits = limits or Limits()
    if len(data) > limits.max_upload_mb * MB:
        return too_large(name, len(data), limits, file_sha256(data))
    if limits.isolate:
        from impact.ingest.isolate import ingest_isolated

        return ingest_isolated(name, data, options, limits)
    result = FileResult(name, data, file_sha256(data))
    try:
        raws = _ingest(result, name, data, options, limits)
        if raws is not None:
            from impact.ingest import plausible

            plausible.check(result, raws, limits, options.renames)
    except MemoryError:
        raise  # over the worker's memory cap: the worker reports it
    except Exception as exc:  # a fault of ours must not become a traceback, nor a half-read file
        from impact.incident import record

        incident = record(exc, f"reading {name}")
        result.frames, result.sheets = {}, []
        result.problems.append(Problem(ERROR, "internal-error", name, None, None, None, incident,
                                       f"this file could not be read because of a fault in Beyond Footfall "
                                       f"(incident {incident}); nothing from it will be stored",
                                       f"tell your administrator the incident id {incident}, and send the file "
                                       "to the Beyond Footfall team if you can"))
    return result


def _ingest(result: FileResult, name: str, data: bytes, options: Options, limits: Limits):
    sheets, problems = read_sheets(data, name, limits)
    result.problems.extend(problems)
    if any(p.severity == ERROR for p in problems):
        return None
    for raw in sheets:
        sheet_options = options.for_sheet(name, raw.name)
        if sheet_options.table == SKIP_SHEET or (sheet_options.table is None and NOTES_SHEET.match(raw.name.strip())):
            skipped(result, raw, chosen=sheet_options.table == SKIP_SHEET)
            continue
        try:
            sheet = SheetReader(raw, name, sheet_options).run()
        except MemoryError:
            raise
        except Exception as exc:  # a bug must not become a traceback for staff; report it as a problem
            from impact.incident import record

            incident = record(exc, f"reading sheet {raw.name} of {name}")
            result.problems.append(Problem(ERROR, "internal-error", name, raw.name, None, None, incident,
                                           f"this sheet could not be read because of a fault in Beyond Footfall "
                                           f"(incident {incident}: {exc.__class__.__name__})",
                                           f"tell your administrator the incident id {incident}, and send the "
                                           "file to the Beyond Footfall team if you can"))
            continue
        if sheet is None:
            continue
        result.sheets.append(sheet.summary)
        result.problems.extend(sheet.problems)
        result.personal_columns.extend(sheet.personal_columns)
        for table, frame in sheet.frames.items():
            prior = result.frames.get(table)
            result.frames[table] = frame if prior is None else pd.concat([prior, frame])
    if not result.sheets and not any(p.severity == ERROR for p in result.problems):
        result.problems.append(Problem(ERROR, "no-data", name, None, None, None, None, "the file has no data in it",
                                       "fill in at least one sheet, then upload it"))
    return sheets


REFERENCES = (  # (table, column, defining table, code, what happens, fix)
    ("attendance", "programme", "programmes", "new-programme",
     "is not on a programmes sheet in this upload; it will be created if it is not already stored",
     "nothing to do, or add it to the Programmes sheet with its theme and branch"),
    ("survey_responses", "programme", "programmes", "new-programme",
     "is not on a programmes sheet in this upload; it will be created if it is not already stored",
     "nothing to do, or add it to the Programmes sheet with its theme and branch"),
    ("programme_partners", "programme", "programmes", "new-programme",
     "is not on a programmes sheet in this upload; it will be created if it is not already stored",
     "nothing to do, or add it to the Programmes sheet with its theme and branch"),
    ("programme_partners", "partner", "partners", "new-partner",
     "is not on a partners sheet in this upload; it will be created (with no partnership type) if not stored",
     "add it to the Partners sheet with its partnership type"),
    ("partnership_feedback", "partner", "partners", "new-partner",
     "is not on a partners sheet in this upload; it will be created (with no partnership type) if not stored",
     "check it is spelled as on the Partners sheet, or add it there with its partnership type"),
)


def cross_check(result: IngestResult) -> None:
    """Warnings between sheets: programmes and partners named but not defined in the upload (first row each)."""
    defined = {}
    for table in ("programmes", "partners"):
        frame = result.frame(table)
        defined[table] = set(frame["name"].dropna().map(slug)) if len(frame) and "name" in frame else set()
    for f in result.files:
        for table, column, defining, code, message, fix in REFERENCES:
            frame = f.frames.get(table)
            if frame is None or column not in frame:
                continue
            firsts = frame.dropna(subset=[column]).drop_duplicates(column)
            new = firsts[~firsts[column].map(slug).isin(defined[defining])]
            for r in new[["_sheet", "_row", column]].to_dict("records"):
                f.problems.append(Problem(WARNING, code, f.name, r["_sheet"], int(r["_row"]), column, r[column],
                                          f"'{r[column]}' {message}", fix))


def check_mapping_keys(result: IngestResult, options: Options | None) -> None:
    """A header the user mapped (--map) that no sheet has is said, never silently ignored."""
    if not options or not options.mapping or not result.files:
        return
    used = set().union(*(s.used_keys for s in result.sheets)) if result.sheets else set()
    headers = sorted({h for s in result.sheets for h in s.mapping if not h.startswith("(every row)")}
                     | {b for s in result.sheets for b in s.pairs})
    from impact.ingest.mapping import normalise

    known = {normalise(h) for h in headers}
    for key in options.mapping:
        if key in used or normalise(key) in known:
            continue  # used, or on a sheet that was not read as a table (its own problem says why)
        close = difflib.get_close_matches(key, headers, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        result.files[0].problems.append(Problem(
            WARNING, "mapped-header-not-found", result.files[0].name, None, None, key, options.mapping[key],
            f"no sheet has a header '{key}', so this mapping was not used",
            f"{hint}give the header exactly as the file writes it (headers: {', '.join(headers[:12])}"
            f"{' …' if len(headers) > 12 else ''})"))


def ingest_files(files: list[tuple[str, bytes]], options: Options | None = None,
                 limits: Limits | None = None) -> IngestResult:
    """Read and check several files as one upload; nothing is stored here."""
    result = IngestResult([ingest_file(name, data, options, limits) for name, data in files])
    cross_check(result)
    check_mapping_keys(result, options)
    return result


def ingest_paths(paths, options: Options | None = None, limits: Limits | None = None) -> IngestResult:
    """Files on disk as one upload; a file over the upload limit is reported without being loaded."""
    from pathlib import Path

    limits = limits or Limits()
    results = []
    for p in paths:
        path = Path(p)
        size = path.stat().st_size
        if size > limits.max_upload_mb * MB:
            results.append(too_large(path.name, size, limits))
        else:
            results.append(ingest_file(path.name, path.read_bytes(), options, limits))
    result = IngestResult(results)
    cross_check(result)
    check_mapping_keys(result, options)
    return result
