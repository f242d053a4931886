"""Read a file's sheets as grids of raw cells, whatever the format, without ever raising.

xlsx, xlsm, xls and ods are read with python-calamine (fast); merged cells come
from calamine's merged ranges, and from openpyxl where calamine has none to give
(xlsx written by some tools). Before a workbook is parsed its zip and used range are checked against
the limits (limits.py); CSV text is decoded and split in text.py.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from impact.ingest.limits import Limits, check_zip, is_encrypted_office, too_big
from impact.ingest.report import ERROR, WARNING, Problem
from impact.ingest.text import CONTROL, read_csv, rows_text

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


# Excel's and LibreOffice's formula errors as a reader gives them for .ods and .xls ("#N/A" is left out: typed
# as text it usually means "not available", and it is read as missing like in a CSV)
ERROR_TEXTS = frozenset({"#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                         "#GETTING_DATA", "Err:502", "Err:504", "Err:508", "Err:511", "Err:522", "Err:523"})


def _error_texts(sheet: RawSheet) -> list[tuple[int, int, str]]:
    """Error cells of a sheet read as text: (row0, col0, error); each is blanked, as an xlsx error cell is."""
    found = []
    for i, row in enumerate(sheet.rows):
        for j, v in enumerate(row):
            if type(v) is str and v.strip() in ERROR_TEXTS:
                found.append((i, j, v.strip()))
                row[j] = None
    return found


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
                    f"{rows_text(rows[:10])} held invisible control characters (such as NUL); they were removed "
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
        if looks_zip and not lower.endswith(".ods"):
            errors = _error_cells(data)
            for s in sheets:
                s.errors = errors.get(s.name, [])
        else:  # .ods and .xls: the reader gives an error cell as its text ("#DIV/0!")
            for s in sheets:
                s.errors = _error_texts(s)
        for s in sheets:
            notes += _remove_controls(s, name)
    else:
        rows, encoding, notes = read_csv(data, name, limits)
        if rows is None:
            return [], notes
        sheets = [RawSheet(name.rsplit("/", 1)[-1].rsplit(".", 1)[0], rows, [], encoding)]
    if not any(any(c not in (None, "") for c in r) for s in sheets for r in s.rows) and not any(s.errors for s in sheets):
        return sheets, notes + [_problem(name, "no-data", "the file has no data in it",
                                         "fill in at least one sheet (the template shows the columns), then upload it")]
    return sheets, notes
