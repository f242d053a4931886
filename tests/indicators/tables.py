"""Canonical frames, with the dtypes `Store.frames()` gives, from rows written inline in a test."""
from __future__ import annotations

import pandas as pd

from impact import schema

_KINDS = {c.name: c.kind for t in schema.TABLES.values() for c in t.columns}
_KINDS.update({"period_start": schema.DATE, "period_end": schema.DATE})


def _frame(rows: list[dict], table: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for name in frame.columns:
        kind = schema.SCORE if name.startswith("outcome_") else _KINDS.get(name, schema.TEXT)
        if kind == schema.DATE:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
        elif kind in (schema.COUNT, schema.INTEGER, schema.QUINTILE, schema.SCORE):
            frame[name] = pd.array(frame[name].astype("object").where(frame[name].notna(), None), dtype="Int64")
        elif kind in (schema.MONEY, schema.HOURS, schema.NUMBER):
            frame[name] = frame[name].astype("float64")
        elif kind == schema.BOOL:
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].astype("str")
    return frame


def frames(programmes=(), partners=(), links=(), attendance=(), surveys=(), population=()) -> dict[str, pd.DataFrame]:
    """{table: frame} from lists of row dicts; a missing key in a row is a blank cell."""
    return {"programmes": _frame(list(programmes), "programmes"), "partners": _frame(list(partners), "partners"),
            "programme_partners": _frame(list(links), "programme_partners"),
            "attendance": _frame(list(attendance), "attendance"),
            "survey_responses": _frame(list(surveys), "survey_responses"),
            "population": _frame(list(population), "population")}
