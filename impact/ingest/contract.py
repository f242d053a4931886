"""The table contract checked without pandera when a cleaned frame plainly meets it.

`schema.contract` (pandera) stays the judge: this module only answers "does every column present have the
contract's dtype, no missing value where one is required, and every value inside its check?" with a few
vectorised comparisons. When the answer is yes pandera would find nothing, so it is neither imported (a quarter
of a second) nor run; any doubt (an unusual dtype, one failing value) hands the frame to pandera, whose failure
cases the report is made from, exactly as before. tests/ingest/test_fast_ingest.py checks that a frame passed
here is one pandera passes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from impact import schema

_EXACT = {"Int64": pd.Int64Dtype(), "float64": np.dtype("float64"), "boolean": pd.BooleanDtype(),
          "datetime64[us]": np.dtype("datetime64[us]")}


def _dtype_holds(s: pd.Series, want: str) -> bool:
    if want == "str":
        if isinstance(s.dtype, pd.StringDtype):
            return True
        return s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) == "string"
    return want in _EXACT and s.dtype == _EXACT[want]


def _check_holds(values: pd.Series, col: schema.Column) -> bool:
    """The same check as schema._checks(col), over the filled values."""
    if not len(values):
        return True
    if col.allowed:
        return bool(values.isin(list(col.allowed)).all())
    if col.kind in (schema.COUNT, schema.MONEY, schema.HOURS):
        return bool((values >= 0).all())
    if col.kind in (schema.SCORE, schema.QUINTILE):
        return bool(((values >= 1) & (values <= 5)).all())
    if col.kind == schema.TEXT and col.required:
        return bool((values.str.len() >= 1).all())
    return True


def holds(frame: pd.DataFrame, table: str) -> bool:
    """True when `frame` certainly meets schema.contract(table, frame.columns); False means: ask pandera."""
    if frame.columns.duplicated().any():
        return False
    for name, col in schema.stored_columns(table, frame.columns):
        s = frame[name]
        if not _dtype_holds(s, schema._DTYPES[col.kind]):
            return False
        missing = s.isna().to_numpy()
        nullable = not col.required or name == "attendees"  # as schema.contract
        if missing.any() and not nullable:
            return False
        if not _check_holds(s[~missing], col):
            return False
    return True
