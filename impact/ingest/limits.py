"""Limits checked before a file is parsed, and the plausibility window its values are checked against.

A workbook is a zip: its declared and actual uncompressed sizes, compression ratio, number of parts and each
sheet's used range (the furthest cell reference in the sheet XML, not the <dimension> a tool wrote) are
checked by streaming the zip, so a 1.7 KB file with one cell at XFD1048576 is refused before any reader
allocates its grid. Every limit is a setting (store.DEFAULT_SETTINGS) named in the message that refuses a file.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields

from impact.ingest.report import ERROR, Problem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a file may be before it is parsed, and what its values may be before they are doubted."""

    max_upload_mb: float = 50  # the file as uploaded
    max_uncompressed_mb: float = 500  # a workbook's parts once unzipped
    max_compression_ratio: float = 100  # any one part of 1 MB or more, unzipped : zipped
    max_zip_parts: int = 2_000
    max_columns: int = 2_000  # per sheet, from the furthest cell reference
    max_cells: int = 10_000_000  # per sheet: rows x columns of its used range (a reader allocates the grid)
    max_field_chars: int = 131_072  # one CSV field
    read_timeout_s: float = 120  # reading and checking one file in its worker
    read_memory_mb: int = 2_048  # memory the worker may take on top of what it starts with
    isolate: bool = False  # read in a worker process with the time and memory caps above
    encoding: str | None = None  # a CSV's text encoding chosen by the user; None = detect
    earliest_year: int = 1990  # plausible dates: from 1 January of this year ...
    latest_year: int | None = None  # ... to 31 December of this year (None = next year)
    max_attendees_per_session: int = 1_000  # more is a warning naming the rows

    @property
    def date_window(self) -> tuple[dt.date, dt.date]:
        last = self.latest_year or dt.date.today().year + 1
        return dt.date(self.earliest_year, 1, 1), dt.date(last, 12, 31)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], **overrides) -> Limits:
        """Limits from the store's settings (strings), unknown or blank keys left at their defaults."""
        values = {}
        for f in fields(cls):
            raw = settings.get(f.name)
            if raw in (None, "") or f.name in ("isolate", "encoding"):
                continue
            try:
                values[f.name] = int(float(raw)) if f.type in ("int", "int | None") else float(raw)
            except ValueError:
                continue
        return cls(**{**values, **overrides})


def too_big(name: str, code: str, what: str, limit_text: str, setting: str, fix: str,
            sheet: str | None = None, value: str | None = None) -> Problem:
    """A refusal that names the limit and the setting that holds it."""
    return Problem(ERROR, code, name, sheet, None, None, value,
                   f"{what}, over the limit of {limit_text} (setting {setting}), so it was not read", fix)


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_ROW_REF = re.compile(rb'<row\b[^>]*?\br="(\d{1,7})"')
_CHUNK = 4 * MB
_ZIP_FIX = "open it in Excel or LibreOffice and save it again as .xlsx; if it really is this large, split it " \
           "(e.g. one file per year) or ask an admin to raise the setting"


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, from the workbook and its relationships (empty if they cannot be read)."""
    import xml.etree.ElementTree as ET

    names = set(z.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if z.getinfo(part).file_size > 10 * MB:
            return {}
    rels = {r.get("Id"): r.get("Target", "") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
    out = {}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sheet in ET.fromstring(z.read("xl/workbook.xml")).iter(
            "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
        target = rels.get(sheet.get(rid), "")
        out[target.lstrip("/") if target.startswith("/") else "xl/" + target] = sheet.get("name")
    return out


def check_zip(data: bytes, name: str, limits: Limits) -> list[Problem]:
    """Refusals for a zipped workbook (xlsx, xlsm, ods) before any reader opens it: [] when it is within limits.

    Streams every part once (Python's zipfile stops at the declared size and checks the CRC, so a part that
    lies about its size is caught), and scans worksheet XML for the furthest row and column it references."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return []  # not a zip after all: the reader will say it cannot be opened
    with z:
        infos = z.infolist()
        if len(infos) > limits.max_zip_parts:
            return [too_big(name, "too-many-parts", f"the workbook holds {len(infos):,} parts",
                            f"{limits.max_zip_parts:,}", "max_zip_parts", _ZIP_FIX)]
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_uncompressed_mb * MB:
            return [too_big(name, "unpacks-too-large",
                            f"the workbook would unpack to {declared / MB:,.0f} MB",
                            f"{limits.max_uncompressed_mb:g} MB", "max_uncompressed_mb", _ZIP_FIX,
                            value=f"{len(data) / MB:.1f} MB zipped")]
        for i in infos:
            if i.file_size >= MB and i.file_size > limits.max_compression_ratio * max(i.compress_size, 1):
                ratio = i.file_size / max(i.compress_size, 1)
                return [too_big(name, "compression-ratio-too-high",
                                f"part {i.filename} unpacks {ratio:,.0f} times larger than it is zipped",
                                f"{limits.max_compression_ratio:g} to 1", "max_compression_ratio",
                                "this is typical of a 'zip bomb', not of a spreadsheet; " + _ZIP_FIX)]
        try:
            sheets = _sheet_names(z)
        except Exception:  # noqa: BLE001 - unreadable workbook XML: the reader reports it
            sheets = {}
        actual = 0
        try:
            for i in infos:
                sheet = sheets.get(i.filename) or (i.filename.rsplit("/", 1)[-1]
                                                   if i.filename.startswith("xl/worksheets/") else None)
                max_row = max_col = 0
                tail = b""
                with z.open(i) as part:
                    while chunk := part.read(_CHUNK):
                        actual += len(chunk)
                        if actual > limits.max_uncompressed_mb * MB:
                            return [too_big(name, "unpacks-too-large",
                                            f"the workbook unpacks to more than {actual / MB:,.0f} MB",
                                            f"{limits.max_uncompressed_mb:g} MB", "max_uncompressed_mb", _ZIP_FIX)]
                        if sheet is None:
                            continue
                        text = tail + chunk
                        cut = text.rfind(b"<")  # a tag cut by the chunk boundary is scanned with the next chunk
                        scan, tail = (text[:cut], text[cut:]) if cut > 0 and len(text) - cut < 4096 else (text, b"")
                        cols = set(m for m, _ in _CELL_REF.findall(scan))
                        if cols:
                            widest = max(cols, key=lambda c: (len(c), c))
                            max_col = max(max_col, column_number(widest))
                        rows = [int(r) for r in _ROW_REF.findall(scan)]
                        rows += [int(r) for _, r in _CELL_REF.findall(scan)] if not rows else []
                        if rows:
                            max_row = max(max_row, max(rows))
                        if max_col > limits.max_columns:
                            return [too_big(name, "too-many-columns",
                                            f"the sheet reaches column {widest.decode()} ({max_col:,} columns)",
                                            f"{limits.max_columns:,} columns", "max_columns",
                                            "delete the empty columns at the far right (or the stray cell "
                                            "far out), save, and upload it again", sheet=sheet)]
                        if max_row * max_col > limits.max_cells:
                            return [too_big(name, "sheet-too-large",
                                            f"the sheet's used range is {max_row:,} rows by {max_col:,} columns",
                                            f"{limits.max_cells:,} cells", "max_cells",
                                            "delete empty rows and columns beyond your data (or a stray cell far "
                                            "out), or split the sheet, then upload it again", sheet=sheet)]
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            encrypted = "encrypted" in str(exc).lower() or "password" in str(exc).lower()
            return [Problem(ERROR, "password-protected" if encrypted else "damaged-workbook", name, None, None, None,
                            None, "the workbook is password-protected, so it cannot be read" if encrypted else
                            f"the workbook is damaged: one of its parts does not unpack as it says ({exc})",
                            "open it in Excel or LibreOffice, remove the password (File > Info > Protect "
                            "Workbook), save it as .xlsx and upload that" if encrypted else
                            "open it in Excel or LibreOffice and save it again as .xlsx")]
    return []


def is_encrypted_office(data: bytes) -> bool:
    """An OLE file holding an encrypted Office Open XML package: what Excel saves when a password is set."""
    return data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and (
        "EncryptedPackage".encode("utf-16-le") in data or b"EncryptionInfo" in data
        or "EncryptionInfo".encode("utf-16-le") in data)
