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

from impact.ingest.report import ERROR, Problem

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


def _problem(file: str, code: str, message: str, fix: str, sheet: str | None = None) -> Problem:
    return Problem(ERROR, code, file, sheet, None, None, None, message, fix)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text of a CSV: UTF-8 (with or without BOM), else Windows-1252 (what Excel on Windows saves)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _read_csv(data: bytes, name: str) -> RawSheet:
    text, encoding = decode_text(data)
    sample = text[:20_000]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return RawSheet(stem, rows, [], encoding)


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


def _read_workbook(data: bytes, name: str) -> list[RawSheet]:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    need_fallback = False
    for sheet_name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(sheet_name)
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


def read_sheets(data: bytes, name: str) -> tuple[list[RawSheet], list[Problem]]:
    """All sheets of one file as raw grids, or the problems that stop it being read."""
    lower = name.lower()
    if not data:
        return [], [_problem(name, "empty-file", "the file is empty", "check you saved the file before uploading")]
    if not lower.endswith(SUFFIXES):
        return [], [_problem(name, "unsupported-file-type", "this kind of file cannot be read",
                             "save it as .xlsx, .ods or .csv and upload that")]
    if lower.endswith(EXCEL_SUFFIXES):
        looks_zip = data[:4] == b"PK\x03\x04"
        looks_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        if not (looks_zip or looks_ole):
            return [], [_problem(name, "not-a-spreadsheet",
                                 f"the file is named {name.rsplit('.', 1)[-1]} but is not a spreadsheet inside",
                                 "open it in Excel or LibreOffice and save it again as .xlsx, or save it as .csv")]
        try:
            sheets = _read_workbook(data, name)
        except Exception as exc:  # a damaged or password-protected workbook: report, never raise
            return [], [_problem(name, "unreadable-workbook", f"the workbook cannot be opened ({exc.__class__.__name__})",
                                 "open it in Excel or LibreOffice, remove any password, save it again as .xlsx")]
    else:
        sheets = [_read_csv(data, name)]
    if not any(any(c not in (None, "") for c in r) for s in sheets for r in s.rows):
        return sheets, [_problem(name, "no-data", "the file has no data in it",
                                 "fill in at least one sheet (the template shows the columns), then upload it")]
    return sheets, []
