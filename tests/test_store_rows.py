"""The bulk insert's rows (impact.store._rows) are what they were before dates and text were converted once per
distinct value: the reference below is the former per-cell conversion."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.store import _metadata, _rows


def _reference(frame, table, columns, iso_dates=False):
    out = {}
    for c in columns:
        s = frame[c] if c in frame else pd.Series(None, index=frame.index, dtype=object)
        missing = s.isna().to_numpy()
        sql_type = table.c[c].type
        if pd.api.types.is_datetime64_any_dtype(s):
            values = s.dt.strftime("%Y-%m-%d").tolist() if iso_dates else s.dt.date.tolist()
        elif isinstance(sql_type, sa.Integer) and not isinstance(sql_type, sa.Boolean):
            values = s.astype("float64").fillna(0).round().astype("int64").tolist()
        elif isinstance(sql_type, sa.Float):
            values = s.astype("float64").tolist()
        elif isinstance(sql_type, sa.Boolean):
            values = [bool(v) for v in s.fillna(False).astype(bool).tolist()]
        else:
            values = s.astype(object).tolist()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing)]
        out[c] = values
    return list(zip(*(out[c] for c in columns)))


TEXTS = ["Code Club", "code club", "Zoë", "", " ", "Straße", "Lego", "1", "NA"]
DAYS = [dt.date(2024, 1, 1), dt.date(1999, 12, 31), dt.date(2024, 2, 29), dt.date(1901, 1, 1)]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(TEXTS + [None]), st.sampled_from(DAYS + [None]),
                               st.one_of(st.none(), st.integers(0, 500)), st.sampled_from(TEXTS + [None])),
                     min_size=1, max_size=40),
       iso=st.booleans(), text_dtype=st.sampled_from(["str", "object"]))
def test_rows_are_the_per_cell_conversion(rows, iso, text_dtype):
    _, tables = _metadata()
    table = tables["attendance"]
    programme, day, attendees, area = zip(*rows)
    frame = pd.DataFrame({
        "programme": pd.Series(programme, dtype=text_dtype),
        "session_date": pd.Series(pd.to_datetime(pd.Series(day, dtype=object))).astype("datetime64[us]"),
        "attendees": pd.Series(attendees, dtype="Int64"),
        "area": pd.Series(area, dtype=text_dtype),
        "batch_id": np.int64(3), "source_row": np.arange(2, len(rows) + 2)})
    columns = ["batch_id", "source_row", "programme", "session_date", "attendees", "area"]
    got = _rows(frame, table, columns, iso_dates=iso)
    assert got == _reference(frame, table, columns, iso_dates=iso)
    assert [type(v) for v in got[0]] == [type(v) for v in _reference(frame, table, columns, iso_dates=iso)[0]]
