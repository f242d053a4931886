"""Audit a published evidence pack for disclosure, from its files alone.

    python -m impact audit-pack evidence-pack.zip      # or the folder the export wrote

Reads every `tables/*.csv` and `tables/disclosure.json` (which cells count people, which add up to which,
which rates and means are computed from them) and bounds every suppressed count ([c]) by linear programming
from everything published beside it (impact.export.disclosure.audit_frames): the audit a funder's analyst
would run. It fails when any hidden count could take fewer than the threshold's number of whole values.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd

from impact.export.disclosure import Audit, audit_frames

SPEC = "tables/disclosure.json"


def _read_csv(data: bytes) -> pd.DataFrame:
    # every cell as text, so "[c]" stays "[c]" and numbers are parsed by the audit itself
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except pd.errors.EmptyDataError:  # a table with nothing in it (no rows, no columns)
        return pd.DataFrame()


def read_pack(path) -> tuple[dict, dict]:
    """A pack (zip, or the folder the export wrote) -> ({table name: frame}, disclosure spec)."""
    path = Path(path)
    files: dict[str, bytes] = {}
    if path.is_dir():
        for p in path.rglob("*"):
            if p.is_file():
                files[p.relative_to(path).as_posix()] = p.read_bytes()
        if SPEC not in files:  # a folder holding the zip only
            zips = [p for p in path.glob("*.zip")]
            if zips:
                return read_pack(zips[0])
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            files = {name: z.read(name) for name in z.namelist()}
    else:
        raise FileNotFoundError(f"{path} is neither a pack folder nor a zip")
    if SPEC not in files:
        raise FileNotFoundError(f"{path} has no {SPEC}: export the pack with the CSV tables (format csv)")
    spec = json.loads(files[SPEC].decode("utf-8"))
    frames = {name.removeprefix("tables/").removesuffix(".csv"): _read_csv(data)
              for name, data in files.items() if name.startswith("tables/") and name.endswith(".csv")}
    return frames, spec


def audit_pack(path, threshold: int | None = None) -> Audit:
    """Audit the pack at `path` (see the module docstring); `threshold` defaults to the pack's own."""
    frames, spec = read_pack(path)
    return audit_frames(frames, spec, threshold)


def report(audit: Audit) -> str:
    """The audit as text for people."""
    lines = [(f"{len(audit.cells)} suppressed counts bounded by {audit.programs} linear programs "
              f"(threshold {audit.threshold}).")]
    if audit.ok:
        narrowest = min((c.values for c in audit.cells), default=None)
        lines.append("OK: no suppressed count can be narrowed to fewer than "
                     f"{audit.threshold} whole values" + (f" (narrowest: {narrowest:g})." if narrowest is not None
                                                          and narrowest != float("inf") else "."))
    else:
        lines.append(f"NOT OK: {len(audit.failures)} suppressed counts can be worked out too closely:")
        for c in audit.failures:
            lines.append(f"  {c.table} row {c.row + 2} (spreadsheet row), {c.column}: between {c.low:g} and "
                         f"{c.high:g}")
    return "\n".join(lines)


__all__ = ["audit_pack", "read_pack", "report"]
