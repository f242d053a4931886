"""Read a file's sheets as grids of raw cells, whatever the format, without ever raising.

xlsx, xlsm, xls and ods are read with python-calamine (fast); merged cells come
from calamine's merged ranges, and from openpyxl where calamine has none to give
(xlsx written by some tools). CSV is decoded as UTF-8, UTF-8 with BOM or
Windows-1252 and split with the csv module, which keeps ragged rows whole.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from impact.ingest.limits import Limits, check_zip, is_encrypted_office, too_big
from impact.ingest.report import ERROR, WARNING, Problem

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
SUFFIXES = EXCEL_SUFFIXES + (".csv", ".txt", ".tsv")
MAX_CELL_CHARS = 32_767  # Excel's own limit; anything longer is not a spreadsheet cell


@dataclass
class RawSheet:
    name: str
    rows: list[list]  # row 0 is the spreadsheet's row 1, column 0 its column A
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based inclusive
    encoding: str | None = None
    # formula cells saved without a calculated value (written by a program, never opened in Excel):
    # (row0, col0, formula); their cells in `rows` are blanked, whatever the reader made of them
    formulas: list[tuple[int, int, str]] = field(default_factory=list)
    # Excel error cells (#REF!, #DIV/0!, ...): (row0, col0, error); calamine reads them as blank
    errors: list[tuple[int, int, str]] = field(default_factory=list)


def _problem(file: str, code: str, message: str, fix: str, sheet: str | None = None) -> Problem:
    return Problem(ERROR, code, file, sheet, None, None, None, message, fix)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL_BYTES = [*range(0, 9), 11, 12, *range(14, 32), 127]
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never part of a name, a date or a number
ENCODING_FIX = ("in Excel use File > Save As > 'CSV UTF-8', or choose the file's encoding (Upload page: "
                "'Text encoding of CSV files'; command line: --encoding cp1252)")


def _rows_where(lines: list[bytes], bad) -> list[int]:
    return [i + 1 for i, line in enumerate(lines) if bad(line)][:10]


def _not_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


def _rows_text(rows: list[int]) -> str:
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(map(str, rows)) + ("…" if len(rows) == 10 else "")


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when every other byte of the start is a NUL, as in UTF-16 text saved without
    a byte-order mark; None otherwise."""
    sample = data[:4000]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.4 * half and even <= 0.05 * half:
        return "utf-16-le"
    if even >= 0.4 * half and odd <= 0.05 * half:
        return "utf-16-be"
    return None


def decode_text(data: bytes, name: str = "", encoding: str | None = None) -> tuple[str | None, str, list[Problem]]:
    """Text of a CSV, its encoding and what to tell the user (text None: not read).

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they are; UTF-16 without a BOM is read
    with a warning; bytes that are not UTF-8 are read as Windows-1252 (what Excel on Windows saves) with a
    warning naming the rows, unless the file also holds UTF-8 text, when no guess is safe and it is refused."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    lines = data.split(b"\n")

    def warn(code, message, fix=ENCODING_FIX):
        return Problem(WARNING, code, name, stem, None, None, None, message, fix)

    def refuse(code, message, fix=ENCODING_FIX):
        return Problem(ERROR, code, name, stem, None, None, None, message, fix)

    if encoding:
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            return None, encoding, [refuse("unknown-encoding", f"'{encoding}' is not a text encoding Python knows",
                                           "choose utf-8, cp1252, latin-1 or utf-16")]
        bad = [i + 1 for i, line in enumerate(text.split("\n")) if "\ufffd" in line][:10]
        found = [warn("undecodable-bytes", f"some bytes are not {encoding} ({_rows_text(bad)}); they show as \ufffd")] \
            if bad else []
        return text.removeprefix("\ufeff"), encoding, found
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(data) % 2:
            return None, "utf-16", [refuse("odd-length-utf-16", "the file is UTF-16 text with an odd number of bytes: "
                                           "it is cut short or damaged", "save it again (as CSV UTF-8) and upload that")]
        return data.decode("utf-16", errors="replace"), "utf-16", []
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding, lines = data[3:], "utf-8-sig", data[3:].split(b"\n")
    guess = _utf16_without_bom(data) if encoding != "utf-8-sig" else None
    if guess:
        if len(data) % 2:
            return None, guess, [refuse("odd-length-utf-16", "the file looks like UTF-16 text (no byte-order mark) but "
                                        "has an odd number of bytes: it is cut short or damaged",
                                        "save it again as CSV UTF-8 and upload that")]
        try:
            return data.decode(guess), guess, [warn("utf-16-without-bom", f"the file has no byte-order mark; it was "
                                                    f"read as {guess.upper()} (every other byte is empty)")]
        except UnicodeDecodeError:
            return None, guess, [refuse("unknown-encoding", "the file looks like UTF-16 text but is not valid "
                                        "UTF-16")]
    try:
        return data.decode("utf-8"), encoding or "utf-8", []
    except UnicodeDecodeError:
        pass
    bad = _rows_where(lines, _not_utf8)
    if _UTF8_MULTIBYTE.search(data):
        sample = next((lines[r - 1] for r in bad), b"").decode("cp1252", errors="replace").strip()[:80]
        return None, "mixed", [refuse(
            "mixed-encoding", f"the file mixes UTF-8 text with bytes that are not UTF-8 ({_rows_text(bad)}), so no "
            f"one encoding reads it right (as Windows-1252 the first would read '{sample}')")]
    text = data.decode("cp1252", errors="replace")
    example = next((lines[r - 1] for r in bad), b"").decode("cp1252", errors="replace").strip()[:80]
    return text, "cp1252", [warn("read-as-windows-1252", f"the file is not UTF-8; it was read as Windows-1252 (what "
                                 f"Excel on Windows saves): {_rows_text(bad)}, e.g. '{example}'. If those characters "
                                 "look wrong, choose the file's encoding")]


def _guarded(lines, delimiter: str, limits: Limits):
    """Lines on to the csv reader, stopping at one with more fields than max_columns (checked before the
    reader builds a row of a million empty strings)."""
    for number, line in enumerate(lines, 1):
        if line.count(delimiter) >= limits.max_columns:
            width = len(next(csv.reader([line], delimiter=delimiter), []))
            if width > limits.max_columns:
                raise _TooWide(number, width)
        yield line


class _TooWide(Exception):
    def __init__(self, row: int, width: int):
        super().__init__(row, width)
        self.row, self.width = row, width


def _read_csv(data: bytes, name: str, limits: Limits | None = None) -> tuple[RawSheet | None, list[Problem]]:
    limits = limits or Limits()
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None, [_problem(name, "workbook-named-csv", "the file is named .csv but is an Excel or LibreOffice "
                               "workbook inside", "rename it to .xlsx (or .xls / .ods) and upload it again, or open "
                               "it and save it as CSV")]
    head = data[:8000]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head)
    if head and not utf16 and not limits.encoding and \
            sum(head.count(bytes([b])) for b in _CONTROL_BYTES) > 0.05 * len(head):
        return None, [_problem(name, "not-text", "the file is named .csv but is not text (it looks like a program, "
                               "image or other binary file)", "export the data from its program as .csv or .xlsx")]
    text, encoding, problems = decode_text(data, name, limits.encoding)
    if text is None:
        return None, problems
    sample = text[:8000]
    if CONTROL.search(text):
        rows = [i + 1 for i, line in enumerate(text.split("\n")) if CONTROL.search(line)]
        problems.append(Problem(WARNING, "control-characters-removed", name, stem, rows[0], None, None,
                                f"{_rows_text(rows[:10])} held invisible control characters (such as NUL); they "
                                f"were removed ({len(rows):,} rows in all)",
                                "nothing to do; if text looks wrong, save the file again from its program"))
        text = CONTROL.sub("", text)
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    csv.field_size_limit(max(int(limits.max_field_chars), 1))
    reader = csv.reader(_guarded(io.StringIO(text, newline=""), delimiter, limits), delimiter=delimiter)
    rows, width = [], 0
    try:
        for row in reader:
            rows.append(row)
            width = max(width, len(row))
            if width * len(rows) > limits.max_cells:
                return None, problems + [too_big(name, "sheet-too-large", f"the file holds more than {limits.max_cells:,} "
                                                 "cells", f"{limits.max_cells:,} cells", "max_cells",
                                                 "split it into smaller files (e.g. one per year)", sheet=stem)]
    except _TooWide as wide:
        return None, problems + [too_big(name, "too-many-columns", f"row {wide.row} has {wide.width:,} columns",
                                         f"{limits.max_columns:,} columns", "max_columns",
                                         "check the row for a stray run of separators; save the sheet as CSV again "
                                         "from Excel or LibreOffice", sheet=stem)]
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            message, fix = (f"a cell on or after row {line} is longer than {limits.max_field_chars:,} characters "
                            "(setting max_field_chars), so the file was not read",
                            "shorten the cell, or check for a quote (\") that is opened and never closed")
        else:
            message, fix = (f"the file cannot be split into cells at row {line} ({exc})",
                            "check that row for a stray quote (\"), then save it again as CSV from Excel")
        return None, problems + [Problem(ERROR, "malformed-csv", name, stem, line or None, None, None, message, fix)]
    if rows and rows[-1] and "\n" in rows[-1][-1] and text.count('"') % 2:
        opened = reader.line_num - sum(str(c).count("\n") for c in rows[-1])
        return None, problems + [Problem(ERROR, "unclosed-quote", name, stem, opened, None, None,
                                         "a quote (\") is opened and never closed, so every row after it would be "
                                         "read as one cell; nothing was read",
                                         "find the stray quote (on or after the row named), remove it or close it, "
                                         "then save the file again as CSV")]
    return RawSheet(stem, rows, [], encoding), problems


def _openpyxl_merged(data: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges per sheet, read from the workbook XML with openpyxl (only the header area matters)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1)
                         for r in ws.merged_cells.ranges]
    wb.close()
    return out


def _has_merge_xml(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                if n.startswith("xl/worksheets/sheet"):
                    with z.open(n) as f:
                        if b"<mergeCell " in f.read():
                            return True
    except zipfile.BadZipFile:
        return False
    return False


class _SheetTooLarge(Exception):
    def __init__(self, sheet: str, rows: int, columns: int):
        super().__init__(sheet, rows, columns)
        self.sheet, self.rows, self.columns = sheet, rows, columns


def _read_workbook(data: bytes, name: str, limits: Limits | None = None) -> list[RawSheet]:
    """Every sheet's grid; a sheet whose used range is over the limits is refused before it becomes Python
    lists (the cheap check before parsing covers xlsx; this one covers .xls, .xlsb and .ods too)."""
    import python_calamine as pc

    limits = limits or Limits()

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    need_fallback = False
    for sheet_name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(sheet_name)
        height, width = sheet.total_height, sheet.total_width
        if width > limits.max_columns or height * width > limits.max_cells:
            raise _SheetTooLarge(sheet_name, height, width)
        rows = sheet.to_python(skip_empty_area=False)
        merged = []
        ranges = getattr(sheet, "merged_cell_ranges", None)
        if ranges:
            merged = [(a[0], a[1], b[0], b[1]) for a, b in ranges]
        elif ranges is None:
            need_fallback = True
        sheets.append(RawSheet(sheet_name, rows if isinstance(rows, list) else list(rows), merged))
    wb.close()
    if need_fallback and name.lower().endswith((".xlsx", ".xlsm")) and _has_merge_xml(data):
        merged = _openpyxl_merged(data)
        for s in sheets:
            s.merged = merged.get(s.name, s.merged)
    if data[:4] == b"PK\x03\x04":
        uncalculated = _uncalculated_formulas(data)
        for s in sheets:
            s.formulas = uncalculated.get(s.name, [])
            for r, c, _ in s.formulas:
                if r < len(s.rows) and c < len(s.rows[r]):
                    s.rows[r][c] = None  # calamine reads these as '' or 0: neither is the value
    return sheets


_CELL = re.compile(rb"<c\b([^>]*?)(?<!/)>(.*?)</c>", re.DOTALL)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.DOTALL)
_CACHED_VALUE = re.compile(rb"<v>[^<]")


def _uncalculated_formulas(data: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Per sheet name, the formula cells of an xlsx/xlsm that hold no cached value: (row0, col0, '=formula')."""
    import html
    import xml.etree.ElementTree as ET

    out: dict[str, list[tuple[int, int, str]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
                return out
            rels = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
            workbook = ET.fromstring(z.read("xl/workbook.xml"))
            rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            for sheet in workbook.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
                target = rels.get(sheet.get(rid), "")
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if part not in names:
                    continue
                xml = z.read(part)
                if b"<f>" not in xml and b"<f " not in xml:
                    continue
                cells = []
                for attrs, body in _CELL.findall(xml):
                    formula = _FORMULA.search(body)
                    ref = _CELL_REF.search(attrs)
                    if not formula or not ref or _CACHED_VALUE.search(body):
                        continue
                    col = 0
                    for ch in ref.group(1):
                        col = col * 26 + ch - 64
                    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
                    cells.append((int(ref.group(2)) - 1, col - 1, "=" + text if text else "(shared formula)"))
                out[sheet.get("name")] = cells
    except (zipfile.BadZipFile, ET.ParseError, KeyError):
        return {}
    return out


_ERROR_CELL = re.compile(rb'<c\b([^>]*?\bt="e"[^>]*)>(.*?)</c>', re.DOTALL)
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_cells(data: bytes) -> dict[str, list[tuple[int, int, str]]]:
    """Per sheet name, the Excel error cells of an xlsx/xlsm (#REF!, #DIV/0!, ...): (row0, col0, error)."""
    from impact.ingest.limits import _sheet_names, column_number

    out: dict[str, list[tuple[int, int, str]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for part, sheet in _sheet_names(z).items():
                if part not in z.namelist():
                    continue
                xml = z.read(part)
                if b't="e"' not in xml:
                    continue
                cells = []
                for attrs, body in _ERROR_CELL.findall(xml):
                    ref, value = _CELL_REF.search(attrs), _VALUE.search(body)
                    if ref:
                        cells.append((int(ref.group(2)) - 1, column_number(ref.group(1)) - 1,
                                      value.group(1).decode("utf-8", "replace") if value else "#error"))
                out[sheet] = cells
    except Exception:  # noqa: BLE001 - the reader has read the file; an unreadable part is not an error cell
        return out
    return out


def _remove_controls(sheet: RawSheet, name: str) -> list[Problem]:
    """NULs and other control characters out of a workbook's text cells, with one warning per sheet."""
    rows = []
    for i, row in enumerate(sheet.rows):
        for j, v in enumerate(row):
            if type(v) is str and CONTROL.search(v):
                row[j] = CONTROL.sub("", v)
                if not rows or rows[-1] != i + 1:
                    rows.append(i + 1)
    if not rows:
        return []
    return [Problem(WARNING, "control-characters-removed", name, sheet.name, rows[0], None, None,
                    f"{_rows_text(rows[:10])} held invisible control characters (such as NUL); they were removed "
                    f"({len(rows):,} rows in all)", "nothing to do; if text looks wrong, check those cells")]


PASSWORD_FIX = ("open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password, "
                "clear it), save it and upload it again")


def read_sheets(data: bytes, name: str, limits: Limits | None = None) -> tuple[list[RawSheet], list[Problem]]:
    """All sheets of one file as raw grids, or the problems that stop it being read (warnings come with sheets)."""
    limits = limits or Limits()
    lower = name.lower()
    if not data:
        return [], [_problem(name, "empty-file", "the file is empty", "check you saved the file before uploading")]
    if not lower.endswith(SUFFIXES):
        return [], [_problem(name, "unsupported-file-type", "this kind of file cannot be read",
                             "save it as .xlsx, .ods or .csv and upload that")]
    notes: list[Problem] = []
    if lower.endswith(EXCEL_SUFFIXES):
        looks_zip = data[:4] == b"PK\x03\x04"
        looks_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        if not (looks_zip or looks_ole):
            return [], [_problem(name, "not-a-spreadsheet",
                                 f"the file is named {name.rsplit('.', 1)[-1]} but is not a spreadsheet inside",
                                 "open it in Excel or LibreOffice and save it again as .xlsx, or save it as .csv")]
        if is_encrypted_office(data):
            return [], [_problem(name, "password-protected", "the workbook is password-protected, so it cannot be "
                                 "read", PASSWORD_FIX)]
        if looks_zip and (refused := check_zip(data, name, limits)):
            return [], refused
        try:
            sheets = _read_workbook(data, name, limits)
        except _SheetTooLarge as big:
            wide = big.columns > limits.max_columns
            return [], [too_big(name, "too-many-columns" if wide else "sheet-too-large",
                                f"the sheet's used range is {big.rows:,} rows by {big.columns:,} columns",
                                f"{limits.max_columns:,} columns" if wide else f"{limits.max_cells:,} cells",
                                "max_columns" if wide else "max_cells",
                                "delete empty rows and columns beyond your data (or a stray cell far out), or "
                                "split the sheet, then upload it again", sheet=big.sheet)]
        except Exception as exc:  # a damaged or password-protected workbook: report, never raise
            if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
                return [], [_problem(name, "password-protected", "the workbook is password-protected, so it cannot "
                                     "be read", PASSWORD_FIX)]
            return [], [_problem(name, "unreadable-workbook", f"the workbook cannot be opened ({exc.__class__.__name__})",
                                 "open it in Excel or LibreOffice, remove any password, save it again as .xlsx")]
        if looks_zip:
            errors = _error_cells(data)
            for s in sheets:
                s.errors = errors.get(s.name, [])
        for s in sheets:
            notes += _remove_controls(s, name)
    else:
        sheet, notes = _read_csv(data, name, limits)
        if sheet is None:
            return [], notes
        sheets = [sheet]
    if not any(any(c not in (None, "") for c in r) for s in sheets for r in s.rows) and not any(s.errors for s in sheets):
        return sheets, notes + [_problem(name, "no-data", "the file has no data in it",
                                         "fill in at least one sheet (the template shows the columns), then upload it")]
    return sheets, notes
