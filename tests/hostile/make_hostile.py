"""A corpus of hostile and broken files: bombs, a lone cell at the sheet's last corner, lying zips, wide and
malformed CSVs, wrong encodings, impossible values, personal data and markup in names.

Each builder returns the file's bytes (made here, never stored: none is kept in git, the largest stays far
under 1 MB zipped); tests/test_hostile.py states beside each name what must happen to it through the CLI and
the Upload page's functions. Build them by hand to look at them:

    python tests/hostile/make_hostile.py /tmp/hostile
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import struct
import sys
import zipfile
from pathlib import Path

import openpyxl

HEADER = ["Programme", "Date", "Attendees"]
ROWS = [["Rhyme Time", "2025-04-01", 14], ["Rhyme Time", "2025-04-08", 17], ["Lego Club", "2025-04-05", 9]]


def csv_bytes(rows, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def workbook(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- hand-made xlsx: the XML exactly as a hostile tool would write it -----------------------------------

NS = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Attendance" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    b'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def raw_xlsx(sheet_xml: bytes, extra: dict[str, bytes] | None = None, workbook_xml: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in _PARTS.items():
            z.writestr(name, workbook_xml if name == "xl/workbook.xml" and workbook_xml else data)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def _cell(ref: str, value) -> bytes:
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
    return f'<c r="{ref}"><v>{value}</v></c>'.encode()


def _sheet_rows(rows, extra_xml: bytes = b"", dimension: bytes = b"") -> bytes:
    body = b""
    for i, row in enumerate(rows, 1):
        body += f'<row r="{i}">'.encode() + b"".join(_cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row)) \
            + b"</row>"
    return NS + dimension + b"<sheetData>" + body + extra_xml + b"</sheetData></worksheet>"


def _attendance_serial_rows():
    # dates as Excel serials (2025-04-01 = 45748) so the sheet XML holds numbers only
    return [HEADER, ["Rhyme Time", 45748, 14], ["Rhyme Time", 45755, 17], ["Lego Club", 45752, 9]]


def corner_cell() -> bytes:
    """The 1.7 KB file that killed the server: real rows plus one cell at XFD1048576."""
    return raw_xlsx(_sheet_rows(_attendance_serial_rows(), b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))


def far_row_cell() -> bytes:
    """A cell at T1048576: only 20 columns, but 21 million cells once a reader makes the grid."""
    return raw_xlsx(_sheet_rows(_attendance_serial_rows(), b'<row r="1048576"><c r="T1048576"><v>1</v></c></row>'))


def dimension_lies() -> bytes:
    """A <dimension> claiming the whole sheet over three real rows: readers must not trust it (nor refuse it)."""
    return raw_xlsx(_sheet_rows(_attendance_serial_rows(), dimension=b'<dimension ref="A1:XFD1048576"/>'))


def whitespace_bomb() -> bytes:
    """2 GiB is what the attack used; 64 MB of whitespace inside the sheet XML zips to ~60 KB here."""
    xml = _sheet_rows(_attendance_serial_rows())
    cut = xml.index(b"</sheetData>")
    return raw_xlsx(xml[:cut] + b" " * (64 * 1024 * 1024) + xml[cut:])


def shared_strings_bomb() -> bytes:
    """The bomb in sharedStrings.xml rather than the sheet."""
    return raw_xlsx(_sheet_rows(_attendance_serial_rows()),
                    {"xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     + b"\t" * (32 * 1024 * 1024) + b"</sst>"})


def lying_size() -> bytes:
    """The zip's headers declare the sheet 100 bytes long; it inflates to far more."""
    data = bytearray(raw_xlsx(_sheet_rows(_attendance_serial_rows() * 50)))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at:start + name_at + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, 100)
            start += 4
    return bytes(data)


def many_parts() -> bytes:
    """3,000 tiny parts: a zip of that many members is not a spreadsheet."""
    return raw_xlsx(_sheet_rows(_attendance_serial_rows()), {f"xl/media/p{i}.xml": b"<a/>" for i in range(3000)})


def billion_laughs() -> bytes:
    """Nested entity expansion in the workbook XML (the 'billion laughs')."""
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10 if i else "lol"}">' for i in range(10))
    wb = (f'<?xml version="1.0"?><!DOCTYPE workbook [{entities}]><workbook xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="&l9;" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    return raw_xlsx(_sheet_rows(_attendance_serial_rows()), workbook_xml=wb)


def truncated_xlsx() -> bytes:
    """A real workbook cut off half way (an upload that stopped)."""
    data = workbook({"Attendance": [HEADER, *ROWS]})
    return data[: len(data) // 2]


def zip_not_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "not a spreadsheet")
    return buffer.getvalue()


def random_with_zip_magic() -> bytes:
    return b"PK\x03\x04" + random.Random(16).randbytes(4000)


def ole_garbage() -> bytes:
    """The signature of an old .xls and nothing readable after it."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(17).randbytes(4000)


def password_protected() -> bytes:
    """What Excel saves with a password: an OLE file holding EncryptionInfo and EncryptedPackage streams
    (the directory entries here, with random bytes for the encrypted package)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in
                       ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    return header + entries + random.Random(18).randbytes(4096)


def ods_repeated() -> bytes:
    """An .ods whose one cell is repeated 16,384 columns across and a million rows down (two attributes)."""
    content = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               b'<office:spreadsheet><table:table table:name="Attendance"><table:table-row '
               b'table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" '
               b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
               b'</table:table></office:spreadsheet></office:body></office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                   '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
                   'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   '</manifest:manifest>')
        z.writestr("content.xml", content)
    return buffer.getvalue()


def excel_errors() -> bytes:
    """#REF! and #DIV/0! where the attendance should be: calamine reads them as blank."""
    rows = _attendance_serial_rows()
    xml = _sheet_rows(rows[:2])
    cut = xml.index(b"</sheetData>")
    errors = (b'<row r="3"><c r="A3" t="inlineStr"><is><t>Rhyme Time</t></is></c><c r="B3"><v>45755</v></c>'
              b'<c r="C3" t="e"><v>#REF!</v></c></row><row r="4"><c r="A4" t="inlineStr"><is><t>Lego Club</t></is>'
              b'</c><c r="B4"><v>45752</v></c><c r="C4" t="e"><f>C2/0</f><v>#DIV/0!</v></c></row>')
    return raw_xlsx(xml[:cut] + errors + xml[cut:])


def ods_errors() -> bytes:
    """An .ods as LibreOffice saves a formula error (#DIV/0!) where the attendance should be: the reader gives
    the error's text, never a value."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    sheet = Table(name="Attendance")
    for values in (HEADER, ["Rhyme Time", "2025-04-01", "14"], ["Lego Club", "2025-04-05", "#DIV/0!"]):
        row = TableRow()
        for v in values:
            cell = TableCell(valuetype="string")
            if v == "#DIV/0!":
                cell = TableCell(formula="of:=[.C2]/0", valuetype="string")
                cell.setAttrNS("urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0", "value-type",
                               "error")
            cell.addElement(P(text=v))
            row.addElement(cell)
        sheet.addElement(row)
    doc.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def excel_error_in_notes() -> bytes:
    """An error cell in a column that is not imported: a warning, the rows are stored."""
    rows = [HEADER + ["Notes"], ["Rhyme Time", 45748, 14, "ok"], ["Lego Club", 45752, 9, "ok"]]
    xml = _sheet_rows(rows)
    cut = xml.index(b"</sheetData>")
    extra = b'<row r="4"><c r="A4" t="inlineStr"><is><t>Chess Club</t></is></c><c r="B4"><v>45753</v></c>' \
            b'<c r="C4"><v>5</v></c><c r="D4" t="e"><v>#N/A</v></c></row>'
    return raw_xlsx(xml[:cut] + extra + xml[cut:])


def controls_in_xlsx() -> bytes:
    """A name holding Excel's escaped control characters (_x0000_ is NUL, _x0007_ a bell)."""
    rows = [HEADER, ["Rhyme_x0000_ Time_x0007_", 45748, 14], ["Lego Club", 45752, 9]]
    return raw_xlsx(_sheet_rows(rows))


# --- CSVs ---------------------------------------------------------------------------------------------------

def million_columns() -> bytes:
    return b"," * 1_000_000 + b"\r\n"


def wide_16000() -> bytes:
    return csv_bytes([[f"c{i}" for i in range(16_000)], *[[str(i)] * 16_000 for i in range(3)]])


def huge_field() -> bytes:
    return csv_bytes([HEADER, ["Rhyme Time", "2025-04-01", 14], ["x" * 200_000, "2025-04-02", 3]])


def unclosed_quote() -> bytes:
    return b'Programme,Date,Attendees\r\nRhyme Time,2025-04-01,14\r\n"Lego Club,2025-04-05,9\r\nChess,2025-04-06,3\r\n'


def binary_named_csv() -> bytes:
    rng = random.Random(19)
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(0, 32) if i % 3 == 0 else rng.randrange(256) for i in range(6000))


def xlsx_named_csv() -> bytes:
    return workbook({"Attendance": [HEADER, *ROWS]})


def utf16_without_bom() -> bytes:
    return csv_bytes([HEADER, *ROWS], "utf-16-le")


def utf16_without_bom_odd() -> bytes:
    return csv_bytes([HEADER, *ROWS], "utf-16-le")[:-1]


def utf16_with_bom() -> bytes:
    return b"\xff\xfe" + csv_bytes([HEADER, *ROWS, ["Café Club", "2025-04-09", 6]], "utf-16-le")


def utf16_with_bom_odd() -> bytes:
    return utf16_with_bom()[:-1]


def mixed_encoding() -> bytes:
    """UTF-8 'Café Club' and a Windows-1252 'Crèche Chat' in one file: decoding it all as 1252 gives 'CafÃ© Club'."""
    return csv_bytes([HEADER, ["Café Club", "2025-04-01", 5]]) + "Crèche Chat,2025-04-02,4\r\n".encode("cp1252")


def windows_1252() -> bytes:
    return csv_bytes([HEADER, ["Café Club", "2025-04-01", 5], ["Crèche Chat", "2025-04-02", 4]], "cp1252")


def nul_bytes() -> bytes:
    return b"Programme,Date,Attendees\r\nRhyme\x00 Time,2025-04-01,14\r\nLego Club\x00,2025-04-05,9\r\n"


def bom_utf8() -> bytes:
    return b"\xef\xbb\xbf" + csv_bytes([HEADER, *ROWS])


def empty() -> bytes:
    return b""


def whitespace_only() -> bytes:
    return b"   \r\n\r\n,,,\r\n"


def header_only_csv() -> bytes:
    return csv_bytes([HEADER])


def header_only_xlsx() -> bytes:
    return workbook({"Attendance": [HEADER]})


def text_named_xlsx() -> bytes:
    return b"Programme,Date,Attendees\nRhyme Time,2025-04-01,14\n"


def semicolons_and_tabs() -> bytes:
    return csv_bytes([HEADER, *ROWS], delimiter=";")


# --- values that cannot be right ------------------------------------------------------------------------------

def _dates(*dates) -> bytes:
    return csv_bytes([HEADER, *[["Rhyme Time", d, 10 + i] for i, d in enumerate(dates)]])


def date_year_1() -> bytes:
    return _dates("2025-04-01", "0001-01-01")


def date_1899() -> bytes:
    return workbook({"Attendance": [HEADER, ["Rhyme Time", dt.datetime(2025, 4, 1), 14],
                                    ["Rhyme Time", dt.datetime(1899, 12, 30), 9]]})


def date_1900() -> bytes:
    return _dates("2025-04-01", "1900-01-01")


def date_9999() -> bytes:
    return _dates("2025-04-01", "9999-12-31")


def date_1985() -> bytes:
    return _dates("2025-04-01", "1985-06-01")


def date_far_future() -> bytes:
    return _dates("2025-04-01", f"{dt.date.today().year + 5}-06-01")


def _counts(*counts) -> bytes:
    return csv_bytes([HEADER, *[["Rhyme Time", f"2025-04-{i + 1:02d}", c] for i, c in enumerate(counts)]])


def count_max_safe_integer() -> bytes:
    return _counts(14, 9_007_199_254_740_991)


def count_beyond_int32() -> bytes:
    return _counts(14, 3_000_000_000)


def count_negative() -> bytes:
    return _counts(14, -3)


def count_infinite() -> bytes:
    return _counts(14, "inf")


def count_nan() -> bytes:
    return _counts(14, "NaN")


def count_implausible() -> bytes:
    return _counts(14, 5000)


def count_exponent() -> bytes:
    return _counts(14, "1e400")


def money_infinite() -> bytes:
    return csv_bytes([["Programme", "Theme", "Branch", "Library cost"], ["Rhyme Time", "Early years", "Central", "1e400"]])


def repeated_date_header() -> bytes:
    return csv_bytes([["Programme", "Date", "Attendees", "Date"], ["Rhyme Time", "2025-04-01", 14, "2025-05-01"]])


def repeated_programme_header() -> bytes:
    return csv_bytes([["Programme", "Programme", "Date", "Attendees"], ["Rhyme Time", "Lego Club", "2025-04-01", 14]])


def cell_too_long_xlsx() -> bytes:
    return workbook({"Attendance": [HEADER + ["Notes"], ["Rhyme Time", dt.datetime(2025, 4, 1), 14, "y" * 32_767],
                                    ["Lego Club", dt.datetime(2025, 4, 5), 9, "fine"]]})


# --- personal data and markup in names -----------------------------------------------------------------------

def personal_programme() -> bytes:
    return _named("Code Club (contact jane.doe@example.com 07700 900123)")


def personal_partner() -> bytes:
    return workbook({"Partners": [["Partner", "Partnership type"],
                                  ["Age UK - Mrs Jane Doe +44 20 7946 0958", "community"]]})


def _named(*names) -> bytes:
    return csv_bytes([HEADER, *[[n, f"2025-04-{i + 1:02d}", 10 + i] for i, n in enumerate(names)]])


def markdown_link_name() -> bytes:
    return _named("[Phish](http://evil.example/login)")


def markdown_image_name() -> bytes:
    return _named("![t](http://evil.example/t.png)")


def html_theme() -> bytes:
    return workbook({"Programmes": [["Programme", "Theme", "Branch"],
                                    ["Rhyme Time", "<a href='http://evil.example'>Early years</a>", "Central"]]})


def formula_names() -> bytes:
    return _named('=HYPERLINK("http://evil.example","Click")', "+SUM(1,2)", "@cmd")


def streamlit_directives() -> bytes:
    return _named(":red[Rhyme] :material/warning: $x^2$", "<script>alert(1)</script>")


def bidi_and_emoji() -> bytes:
    return _named("Rhyme Time \u202egnp.exe", "Lego Club 🧱")


def sql_in_name() -> bytes:
    return _named("Robert'); DROP TABLE attendance;--")


def very_long_name() -> bytes:
    return _named("Rhyme Time " * 2000)


def many_sheets() -> bytes:
    """300 sheets of notes and one of data."""
    sheets = {f"Notes {i}": [["nothing here"]] for i in range(300)}
    sheets["Attendance"] = [HEADER, *ROWS]
    return workbook(sheets)


def hidden_huge_sheet_name() -> bytes:
    return workbook({"A" * 31: [HEADER, *ROWS]})


def unknown_headers() -> bytes:
    return csv_bytes([["Foo", "Bar", "Baz"], ["a", "b", "c"]])


def only_totals() -> bytes:
    return csv_bytes([HEADER, ["Total", "", 40]])


def tall_for_cells() -> bytes:
    """600 rows: over max_cells when the test sets it to 1,000."""
    return csv_bytes([HEADER, *[["Rhyme Time", f"2025-04-{1 + i % 28:02d}", 5] for i in range(600)]])


def larger() -> bytes:
    """30,000 rows (~0.8 MB): more than a forked worker has spare, read under a 1 MB memory cap by the test."""
    return csv_bytes([HEADER, *[["Rhyme Time", f"2025-04-{1 + i % 28:02d}", 5 + i % 7] for i in range(30_000)]])


def ordinary() -> bytes:
    """A good file, read under a tiny time or memory cap (the test's settings), or the upload limit."""
    return csv_bytes([HEADER, *[["Rhyme Time", f"2025-04-{1 + i % 28:02d}", 5 + i % 7] for i in range(3000)]])


BUILDERS = {
    "corner_cell.xlsx": corner_cell, "far_row_cell.xlsx": far_row_cell, "dimension_lies.xlsx": dimension_lies,
    "whitespace_bomb.xlsx": whitespace_bomb, "shared_strings_bomb.xlsx": shared_strings_bomb,
    "lying_size.xlsx": lying_size, "many_parts.xlsx": many_parts, "billion_laughs.xlsx": billion_laughs,
    "truncated.xlsx": truncated_xlsx, "zip_not_workbook.xlsx": zip_not_workbook,
    "random_with_zip_magic.xlsx": random_with_zip_magic, "ole_garbage.xls": ole_garbage,
    "password_protected.xlsx": password_protected, "ods_repeated.ods": ods_repeated,
    "excel_errors.xlsx": excel_errors, "excel_error_in_notes.xlsx": excel_error_in_notes,
    "controls_in_xlsx.xlsx": controls_in_xlsx,
    "million_columns.csv": million_columns, "wide_16000.csv": wide_16000, "huge_field.csv": huge_field,
    "unclosed_quote.csv": unclosed_quote, "binary_named.csv": binary_named_csv, "xlsx_named.csv": xlsx_named_csv,
    "utf16_without_bom.csv": utf16_without_bom, "utf16_without_bom_odd.csv": utf16_without_bom_odd,
    "utf16_with_bom.csv": utf16_with_bom, "utf16_with_bom_odd.csv": utf16_with_bom_odd,
    "mixed_encoding.csv": mixed_encoding, "windows_1252.csv": windows_1252, "nul_bytes.csv": nul_bytes,
    "bom_utf8.csv": bom_utf8, "empty.csv": empty, "whitespace_only.csv": whitespace_only,
    "header_only.csv": header_only_csv, "header_only.xlsx": header_only_xlsx, "text_named.xlsx": text_named_xlsx,
    "semicolons.csv": semicolons_and_tabs,
    "date_year_1.csv": date_year_1, "date_1899.xlsx": date_1899, "date_1900.csv": date_1900,
    "date_9999.csv": date_9999, "date_1985.csv": date_1985, "date_far_future.csv": date_far_future,
    "count_max_safe_integer.csv": count_max_safe_integer, "count_beyond_int32.csv": count_beyond_int32,
    "count_negative.csv": count_negative, "count_infinite.csv": count_infinite, "count_nan.csv": count_nan,
    "count_implausible.csv": count_implausible, "count_exponent.csv": count_exponent,
    "money_infinite.csv": money_infinite, "repeated_date_header.csv": repeated_date_header,
    "repeated_programme_header.csv": repeated_programme_header, "cell_too_long.xlsx": cell_too_long_xlsx,
    "ods_errors.ods": ods_errors, "personal_programme.csv": personal_programme, "personal_partner.xlsx": personal_partner,
    "markdown_link_name.csv": markdown_link_name, "markdown_image_name.csv": markdown_image_name,
    "html_theme.xlsx": html_theme, "formula_names.csv": formula_names,
    "streamlit_directives.csv": streamlit_directives, "bidi_and_emoji.csv": bidi_and_emoji,
    "sql_in_name.csv": sql_in_name, "very_long_name.csv": very_long_name, "many_sheets.xlsx": many_sheets,
    "long_sheet_name.xlsx": hidden_huge_sheet_name, "unknown_headers.csv": unknown_headers,
    "only_totals.csv": only_totals, "tall_for_cells.csv": tall_for_cells, "ordinary_timeout.csv": ordinary,
    "ordinary_too_large.csv": ordinary,
}


def build(directory) -> dict[str, Path]:
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, builder in BUILDERS.items():
        path = folder / name
        path.write_bytes(builder())
        out[name] = path
    return out


if __name__ == "__main__":
    for name, path in build(sys.argv[1] if len(sys.argv) > 1 else "hostile").items():
        print(f"{path.stat().st_size:>10,}  {name}")
