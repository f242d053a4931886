"""The large tables' rows in the columnar copy (impact/columnar.py): Arrow tables of the database's own types, one
per batch (or per rebuild), and how joined parts become exactly the frame `Store.load` gives.

`Store.load` reads rows through the driver, and `pd.read_sql` types a column by what the *whole table* holds: no
rows -> object; every value missing -> object of None; an integer column with a gap -> float64; text -> str.
Dates, counts, scores and booleans `Store.load` then types itself. So a part keeps each value as the database
returns it, typed by the database column (integer, float, text, boolean, date), and `as_loaded` applies pandas'
rules once the parts are joined: a copy made of parts written at different times equals one whole read.

A part comes from the frame a commit just inserted (`from_written`: every value as the insert converted it,
`impact.store._rows`), or from rows read back (`from_loaded`, what `Store.load` gave). `from_written` answers None
for a column it cannot vouch for (e.g. text held as objects of several types): that batch is read back instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from impact import schema

GROWING = ("attendance", "survey_responses")  # the large tables: rows only ever added by a batch
OUTCOME = "outcome_"  # a survey's own outcome columns, stored as JSON in custom_outcomes (Store._insert_rows)
_TYPES = {"int": pa.int64(), "float": pa.float64(), "text": pa.large_string(), "bool": pa.bool_(),
          "date": pa.timestamp("us")}
_INT_KINDS = (schema.COUNT, schema.INTEGER, schema.QUINTILE, schema.SCORE)
# dates read back as date objects: beyond these pandas' nanosecond range would be the first to differ
_EARLIEST, _LATEST = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
_LOADED = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}  # the dtypes Store.load gives its columns
_EXACT = 2 ** 53  # integers pass through float64 on the way in (Store._rows) and out (read_sql with a gap)


def kind(column: sa.Column) -> str:
    """The database column's type as a part stores it: int, float, text, bool or date."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer):
        return "int"
    if isinstance(t, sa.Float):
        return "float"
    if isinstance(t, sa.Date):
        return "date"
    if isinstance(t, (sa.Text, sa.String)):
        return "text"
    raise TypeError(f"no part type for {column.name} ({t!r})")


def columns(table: sa.Table) -> list[tuple[str, str]]:
    """(name, kind) of the columns `Store.load` returns before a survey's own outcomes, in its order."""
    return [(c.name, kind(c)) for c in table.columns if c.name != "custom_outcomes"]


def typed_by_load(name: str) -> set[str]:
    """Columns `Store.load` types itself (dates, counts, scores, booleans): their dtype never depends on the data."""
    typed = {c.name for c in schema.TABLES[name].stored_columns
             if c.kind == schema.DATE or c.kind in _INT_KINDS or c.kind == schema.BOOL}
    return typed | ({"period_start", "period_end"} if name == "attendance" else set())


def _outcomes(arrow: pa.Table, base: list[tuple[str, str]]) -> list[str]:
    known = {n for n, _ in base}
    return [n for n in arrow.column_names if n not in known]


def _slim(name: str, arrays: list, names: list[str]) -> pa.Table:
    """The part as an Arrow table; a column Store.load leaves as read and holding no value is Arrow's null type
    (nothing to store or read: a join with a part holding values takes the other part's type)."""
    typed = typed_by_load(name)
    arrays = [pa.nulls(len(a)) if c not in typed and not c.startswith(OUTCOME) and a.null_count == len(a) else a
              for c, a in zip(names, arrays, strict=True)]
    return pa.Table.from_arrays(arrays, names=names)


# -- into a part ------------------------------------------------------------------------------------------------
def from_loaded(table: sa.Table, frame: pd.DataFrame) -> pa.Table:
    """A frame `Store.load` gave (any batches of one large table) as a part."""
    base = columns(table)
    arrays, names = [], []
    for name, k in base:
        s = frame[name]
        if k == "int":
            arr = pa.array(s.astype("Int64"), type=pa.int64())
        elif k == "float":
            arr = pa.array(s.astype("float64"), type=pa.float64(), from_pandas=True)
        elif k == "text":
            arr = pa.array(s, type=pa.large_string(), from_pandas=True)
        elif k == "bool":
            arr = pa.array(s.astype("boolean"), type=pa.bool_())
        else:
            arr = pa.array(pd.to_datetime(s).astype("datetime64[us]"), type=pa.timestamp("us"))
        arrays.append(arr)
        names.append(name)
    for name in frame.columns[len(base):]:  # a survey's own outcomes, Int64, in Store.load's order
        arrays.append(pa.array(frame[name].astype("Int64"), type=pa.int64()))
        names.append(name)
    return _slim(table.name, arrays, names)


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def _as_written(s: pd.Series, k: str) -> pa.Array | None:
    """One column as the insert sent it and the database gives it back (Store._rows), or None when unsure."""
    if k == "text":
        if not isinstance(s.dtype, pd.StringDtype):
            if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
                return None
            s = s.astype(pd.StringDtype(na_value=np.nan))
        return pa.array(s, type=pa.large_string(), from_pandas=True)
    if k in ("int", "float"):
        if not _numeric(s):
            return None
        missing = s.isna().to_numpy()
        values = s.astype("float64").to_numpy(na_value=np.nan)
        if k == "float":
            return pa.array(values, type=pa.float64(), mask=missing)
        present = values[~missing]
        if not np.isfinite(present).all() or (len(present) and np.abs(present).max() >= _EXACT):
            return None  # the insert would fail or round: read it back
        return pa.array(np.round(values).astype("int64", copy=False) if not missing.any()
                        else np.where(missing, 0, np.round(values)).astype("int64"), type=pa.int64(), mask=missing)
    if k == "bool":
        if not pd.api.types.is_bool_dtype(s.dtype):
            return None
        return pa.array(s.astype("boolean"), type=pa.bool_())
    # a date: the time of day dropped (the database keeps the date)
    if not pd.api.types.is_datetime64_dtype(s.dtype) or isinstance(s.dtype, pd.DatetimeTZDtype):
        return None
    days = s.dt.floor("D")
    if days.notna().any() and (days.min() < _EARLIEST or days.max() > _LATEST):
        return None
    return pa.array(days.astype("datetime64[us]"), type=pa.timestamp("us"))


def _outcome_written(s: pd.Series) -> pa.Array | None:
    """A survey's own outcome column as its JSON gives it back: int(v) of each value (Store._insert_rows)."""
    if pd.api.types.is_integer_dtype(s.dtype):
        values = s.astype("Int64")
    elif pd.api.types.is_float_dtype(s.dtype):
        f = s.astype("float64")
        present = f.dropna().to_numpy()
        if not np.isfinite(present).all():
            return None
        values = pd.Series(np.trunc(f.to_numpy(na_value=np.nan)), index=s.index).astype("Int64")
    else:
        return None
    present = values.dropna()
    if len(present) and present.abs().max() >= _EXACT:
        return None
    return pa.array(values, type=pa.int64())


def from_written(table: sa.Table, frame: pd.DataFrame, inserted: list[str], ids) -> pa.Table | None:
    """The rows one commit inserted into a large table (`frame` as Store._insert_rows sent its `inserted` columns;
    `ids` the ids the database gave them, in the same order) as a part equal to reading them back; None when a
    column is held in a form whose stored value cannot be vouched for."""
    if len(ids) != len(frame):
        return None
    n = len(frame)
    arrays, names = [], []
    for name, k in columns(table):
        if name == "id":
            arr = pa.array(np.asarray(ids, dtype="int64"), type=pa.int64())
        elif name not in inserted:
            arr = pa.nulls(n, type=_TYPES[k])
        else:
            arr = _as_written(frame[name], k)
            if arr is None:
                return None
        arrays.append(arr)
        names.append(name)
    if table.name == "survey_responses":
        for name in [c for c in frame.columns if c.startswith(OUTCOME)]:
            if name in names:
                return None
            arr = _outcome_written(frame[name])
            if arr is None:
                return None
            arrays.append(arr)
            names.append(name)
    return _slim(table.name, arrays, names)


# -- out of parts -------------------------------------------------------------------------------------------------
def join(table: sa.Table, parts: list[pa.Table]) -> pa.Table:
    """Parts in id order as one Arrow table: the base columns, then every survey's own outcomes in the order a
    whole read meets them (first part first; a part missing one has it empty)."""
    base = columns(table)
    if not parts:
        return pa.Table.from_arrays([pa.array([], type=_TYPES[k]) for _, k in base], names=[n for n, _ in base])
    order = [n for n, _ in base]
    for part in parts:
        order += [n for n in _outcomes(part, base) if n not in order]
    joined = pa.concat_tables(parts, promote_options="default") if len(parts) > 1 else parts[0]
    return joined.select(order)


def as_loaded(table: sa.Table, arrow: pa.Table) -> pd.DataFrame:
    """A joined large table as `Store.load` gives it: dtypes by pandas' read_sql rules over the whole table.

    Arrow's own conversion already follows them for the columns Store.load leaves as read (an integer column int64,
    float64 with a gap; text str; float float64; a boolean with a gap objects), once a column with no value is made
    Arrow's null type (objects of None); the columns Store.load types itself are converted with its dtypes. Two
    conversions, each building its frame whole, are several times faster than a column at a time."""
    base = columns(table)
    typed = typed_by_load(table.name)
    n = arrow.num_rows
    raw_names = [name for name, _ in base if name not in typed]
    raw_columns = []
    for name in raw_names:
        col = arrow.column(name)
        raw_columns.append(pa.nulls(n) if n == 0 or col.null_count == n else col)
    raw = pa.Table.from_arrays(raw_columns, names=raw_names).to_pandas()
    for name, k in base:
        if k == "date" and name not in typed and raw[name].dtype != object:  # Store.load leaves it as date objects
            raw[name] = pd.Series(np.asarray([None if pd.isna(v) else v.date() for v in raw[name]], dtype=object))
    others = [name for name in arrow.column_names if name not in raw_names]  # typed, and a survey's own outcomes
    typed_frame = arrow.select(others).to_pandas(types_mapper=_LOADED.get)
    frame = pd.concat([raw, typed_frame], axis=1)[[name for name, _ in base] + _outcomes(arrow, base)]
    if n and not frame["id"].is_monotonic_increasing:  # parts are kept in id order; never trust it blindly
        frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    return frame
