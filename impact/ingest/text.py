"""CSV text: the encoding detected (never guessed silently), control characters removed with a warning, and
the width and field size checked while the rows are split, before a reader builds a row of a million cells."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from impact.ingest.limits import Limits, too_big
from impact.ingest.report import ERROR, WARNING, Problem


def _problem(file: str, code: str, message: str, fix: str) -> Problem:
    return Problem(ERROR, code, file, None, None, None, None, message, fix)


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL_BYTES = [*range(9), 11, 12, *range(14, 32), 127]
_CONTROL_DELETE = bytes(_CONTROL_BYTES)  # the same characters as CONTROL, as bytes
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


def rows_text(rows: list[int]) -> str:
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
        found = [warn("undecodable-bytes", f"some bytes are not {encoding} ({rows_text(bad)}); they show as \ufffd")] \
            if bad else []
        return text.removeprefix("\ufeff"), encoding, found
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(data) % 2:
            return None, "utf-16", [refuse("odd-length-utf-16", "the file is UTF-16 text with an odd number of bytes: "
                                           "it is cut short or damaged", "save it again (as CSV UTF-8) and upload that")]
        return data.decode("utf-16", errors="replace"), "utf-16", []
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
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
    lines = data.split(b"\n")  # only now: the rows to name (a million-row file need not be split otherwise)
    bad = _rows_where(lines, _not_utf8)
    if _UTF8_MULTIBYTE.search(data):
        sample = next((lines[r - 1] for r in bad), b"").decode("cp1252", errors="replace").strip()[:80]
        return None, "mixed", [refuse(
            "mixed-encoding", f"the file mixes UTF-8 text with bytes that are not UTF-8 ({rows_text(bad)}), so no "
            f"one encoding reads it right (as Windows-1252 the first would read '{sample}')")]
    text = data.decode("cp1252", errors="replace")
    example = next((lines[r - 1] for r in bad), b"").decode("cp1252", errors="replace").strip()[:80]
    return text, "cp1252", [warn("read-as-windows-1252", f"the file is not UTF-8; it was read as Windows-1252 (what "
                                 f"Excel on Windows saves): {rows_text(bad)}, e.g. '{example}'. If those characters "
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


class ColumnRows(Sequence):
    """A CSV's rows held as columns (object arrays of str, one per column, every row as wide as the header):
    what `csv.reader` would give, without a Python list per row. Indexing and iterating give rows as lists;
    the sheet reader builds its grid straight from `columns`. `blank` (one bool array per column: the cell is
    empty or only spaces, as sheet.blank_cells says) and `longest` (the longest cell's length) are worked out
    once per distinct value while the columns are made, when known."""

    def __init__(self, columns: list, blank: list | None = None, longest: int | None = None):
        self.columns = columns
        self.blank = blank
        self.longest = longest
        self._length = len(columns[0]) if columns else 0

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._length))]
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError(i)
        return [c[i] for c in self.columns]

    def __iter__(self):
        return (list(r) for r in zip(*self.columns))


def _simple(text: str, delimiter: str) -> bool:
    """No quote, no carriage return but in CRLF, no empty line: a CSV that splits the same whatever reads it
    (every row one line, every field the text between two separators). Not one that still starts with a
    byte-order mark (a file saved with two): pyarrow would drop it, csv.reader keeps it in the first cell."""
    return bool(text) and not text.startswith("\ufeff") and '"' not in text and "\n\n" not in text \
        and ("\r" not in text or (text.count("\r") == text.count("\r\n") and "\n\r\n" not in text)) \
        and not text.startswith(("\n", "\r\n"))


def columns_fast(text: str, delimiter: str, limits: Limits, utf8: bytes | memoryview | None = None) -> ColumnRows | None:
    """A simple CSV (see _simple) split by pyarrow's columnar reader into ColumnRows; None for any other file, or
    one whose rows differ in width or break a limit: csv.reader then reads it and says what is wrong, as ever.
    `utf8`: the text's UTF-8 bytes when the caller has them already (the file as read)."""
    if not _simple(text, delimiter):
        return None
    first = text[:text.find("\n")] if "\n" in text else text
    width = first.count(delimiter) + 1
    if width > limits.max_columns:
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv as pacsv

        names = [f"c{i}" for i in range(width)]
        table = pacsv.read_csv(
            pa.py_buffer(text.encode("utf-8") if utf8 is None else utf8),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                             escape_char=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[],
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 check_utf8=False))
    except Exception:  # noqa: BLE001 - rows of another width, anything unusual: the csv module reads it
        return None
    if table.num_rows * width > limits.max_cells:
        return None
    encoded = [table.column(n).dictionary_encode().combine_chunks() for n in names]
    # the longest cell, measured once per distinct value, before any cell becomes a Python string
    longest = max(pc.max(pc.utf8_length(e.dictionary)).as_py() or 0 for e in encoded)
    if len(text) > limits.max_field_chars and longest >= limits.max_field_chars:
        return None
    parts = [_column_parts(table.column(n), e) for n, e in zip(names, encoded)]
    return ColumnRows([p[0] for p in parts], [p[1] for p in parts], longest)


def _column_parts(column, encoded):
    """(cells, blank) of a pyarrow string column and its dictionary encoding: the cells as an object array of
    str, and where they are blank (as sheet.blank_cells tells it: missing or only spaces). A column that
    repeats its values (most do) makes one Python string per distinct value, shared by its cells (fewer objects
    to build, hash and keep), and the blank test is made once per distinct value."""
    import pandas as pd

    values = encoded.dictionary.to_numpy(zero_copy_only=False)
    # the same pandas operations as blank_cells (str dtype strip), so the same answer for every kind of space
    blank = (pd.Series(values, dtype=object).astype(str).str.strip() == "").to_numpy(dtype=bool)
    codes = encoded.indices.to_numpy()
    if len(values) > len(column) // 2:
        return column.to_numpy(zero_copy_only=False), blank[codes]
    return values[codes], blank[codes]


class _TooWide(Exception):
    def __init__(self, row: int, width: int):
        super().__init__(row, width)
        self.row, self.width = row, width


def read_csv(data: bytes, name: str, limits: Limits | None = None) -> tuple[list[list[str]] | None, str, list[Problem]]:
    """A CSV's rows (None when it cannot be read), its encoding and what to tell the user: the width and
    field size checked while streaming, control characters removed with a warning."""
    limits = limits or Limits()
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None, "", [_problem(name, "workbook-named-csv", "the file is named .csv but is an Excel or LibreOffice "
                               "workbook inside", "rename it to .xlsx (or .xls / .ods) and upload it again, or open "
                               "it and save it as CSV")]
    head = data[:8000]
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head)
    if head and not utf16 and not limits.encoding and \
            sum(head.count(bytes([b])) for b in _CONTROL_BYTES) > 0.05 * len(head):
        return None, "", [_problem(name, "not-text", "the file is named .csv but is not text (it looks like a program, "
                               "image or other binary file)", "export the data from its program as .csv or .xlsx")]
    text, encoding, problems = decode_text(data, name, limits.encoding)
    if text is None:
        return None, encoding, problems
    sample, length = text[:8000], len(text)
    # UTF-8 text holds a control character exactly where its bytes hold that byte (a multi-byte character never
    # holds a byte under 0x80): the bytes are checked at once, the text's regex search only for other encodings
    if (CONTROL.search(text) if encoding not in ("utf-8", "utf-8-sig")
            else len(data.translate(None, _CONTROL_DELETE)) != len(data)):
        rows = [i + 1 for i, line in enumerate(text.split("\n")) if CONTROL.search(line)]
        problems.append(Problem(WARNING, "control-characters-removed", name, stem, rows[0], None, None,
                                f"{rows_text(rows[:10])} held invisible control characters (such as NUL); they "
                                f"were removed ({len(rows):,} rows in all)",
                                "nothing to do; if text looks wrong, save the file again from its program"))
        text = CONTROL.sub("", text)
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    # a file found to be UTF-8 (strictly decoded, no encoding chosen) and left as it was is its text's UTF-8 bytes
    # already: not encoded again for pyarrow
    unchanged = not limits.encoding and encoding in ("utf-8", "utf-8-sig") and len(text) == length
    fast = columns_fast(text, delimiter, limits,
                        (memoryview(data)[3:] if encoding == "utf-8-sig" else data) if unchanged else None)
    if fast is not None:
        return fast, encoding, problems
    # the limit is the csv module's, for the whole process: set for this file, then put back
    previous = csv.field_size_limit(max(int(limits.max_field_chars), 1))
    try:
        reader = csv.reader(_guarded(io.StringIO(text, newline=""), delimiter, limits), delimiter=delimiter)
        rows, width = [], 0
        try:
            for row in reader:
                rows.append(row)
                width = max(width, len(row))
                if width * len(rows) > limits.max_cells:
                    return None, "", problems + [too_big(name, "sheet-too-large", f"the file holds more than {limits.max_cells:,} "
                                                     "cells", f"{limits.max_cells:,} cells", "max_cells",
                                                     "split it into smaller files (e.g. one per year)", sheet=stem)]
        except _TooWide as wide:
            return None, "", problems + [too_big(name, "too-many-columns", f"row {wide.row} has {wide.width:,} columns",
                                             f"{limits.max_columns:,} columns", "max_columns",
                                             "check the row for a stray run of separators; save the sheet as CSV again "
                                             "from Excel or LibreOffice", sheet=stem)]
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                message, fix = ((f"a cell on or after row {line} is longer than {limits.max_field_chars:,} characters "
                                "(setting max_field_chars), so the file was not read"),
                                "shorten the cell, or check for a quote (\") that is opened and never closed")
            else:
                message, fix = (f"the file cannot be split into cells at row {line} ({exc})",
                                "check that row for a stray quote (\"), then save it again as CSV from Excel")
            return None, "", problems + [Problem(ERROR, "malformed-csv", name, stem, line or None, None, None, message, fix)]
        if rows and rows[-1] and "\n" in rows[-1][-1] and text.count('"') % 2:
            opened = reader.line_num - sum(str(c).count("\n") for c in rows[-1])
            return None, "", problems + [Problem(ERROR, "unclosed-quote", name, stem, opened, None, None,
                                             "a quote (\") is opened and never closed, so every row after it would be "
                                             "read as one cell; nothing was read",
                                             "find the stray quote (on or after the row named), remove it or close it, "
                                             "then save the file again as CSV")]
        return rows, encoding, problems
    finally:
        csv.field_size_limit(previous)
