"""Small workbooks made in memory for tests (a module of its own: every test folder may import it)."""
from __future__ import annotations

import io


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx made in memory: {sheet name: rows}."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
