"""The store: batches, atomic commit, duplicate refusal, undo, frames back out.

SQLAlchemy 2 Core over the embedded SQLite file (default `data/impact.db`) or a
shared PostgreSQL database (`IMPACT_DATABASE_URL=postgresql+psycopg://...`).
Every stored row knows its batch, sheet and spreadsheet row; a commit is one
transaction, so an upload lands whole or not at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from impact import schema
from impact.columnar_parts import GROWING
from impact.ingest import IngestResult
from impact.ingest.clean import slug

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'data' / 'impact.db'}"
DEFAULT_SETTINGS = {
    "hourly_rate": "15.0",  # £ per hour of staff time, for total input
    "min_n": "10",  # display minimum: below it no percentage is shown
    "suppress_n": "5",  # exports suppress cells describing fewer people
    "dayfirst": "true",  # 03/04/2025 is 3 April (UK); set false for US files
    "blindspot_threshold": "0.8",
    "max_half_width": "10",  # "reliable": the 95% interval's half-width is at most this many percentage points
    "fy_start_month": "4",
    "max_upload_mb": "50",
    # partnership fairness (impact.equity.partners.Thresholds): the words "most", "far apart", "as agreed"
    "partner_most": "0.5",  # a party carries most of a stake above this share
    "partner_gap": "0.5",  # contribution and recognition further apart than this: not shared
    "partner_agreed_tolerance": "0.1",  # agreed and delivered shares further apart: over- or under-delivered
    "partner_rating_gap": "1.0",  # the library rates a partnership this much above the partner (health check)
    "partner_working_from": "3.0",  # a side's mean health-check score below this: not working for it
    # read limits and plausibility (impact/ingest/limits.py): a file over a limit is refused, naming the setting
    "max_uncompressed_mb": "500",
    "max_compression_ratio": "100",
    "max_zip_parts": "2000",
    "max_columns": "2000",
    "max_cells": "10000000",
    "max_field_chars": "131072",
    "read_timeout_s": "120",
    "read_memory_mb": "2048",
    "earliest_year": "1990",
    "latest_year": "",  # blank = next year
    "max_attendees_per_session": "1000",
}
_SQL_TYPES = {
    schema.TEXT: sa.Text, schema.ID: sa.Text, schema.CHOICE: sa.Text, schema.DATE: sa.Date,
    schema.COUNT: sa.Integer, schema.INTEGER: sa.Integer, schema.QUINTILE: sa.Integer, schema.SCORE: sa.Integer,
    schema.MONEY: sa.Float, schema.HOURS: sa.Float, schema.NUMBER: sa.Float, schema.BOOL: sa.Boolean,
    schema.BENEFIT: sa.Text,
}


def database_url(url: str | None = None) -> str:
    """--db beats IMPACT_DATABASE_URL beats the embedded default."""
    return url or os.environ.get("IMPACT_DATABASE_URL") or DEFAULT_URL


def _add_missing_columns(engine, tables: dict) -> None:
    """A database made by an older version gains the optional columns added since (nullable, so old rows read as
    blank): create_all makes missing tables only."""
    found = sa.inspect(engine)
    for name, table in tables.items():
        if not found.has_table(name):
            continue
        have = {c["name"] for c in found.get_columns(name)}
        for column in table.columns:
            if column.name not in have and column.nullable and not column.primary_key:
                kind = column.type.compile(dialect=engine.dialect)
                prep = engine.dialect.identifier_preparer
                with engine.begin() as conn:
                    conn.execute(sa.text(f"ALTER TABLE {prep.quote(name)} ADD COLUMN {prep.quote(column.name)} {kind}"))


def _metadata() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    md = sa.MetaData()
    batches = sa.Table(
        "batches", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column("uploader", sa.Text),
        sa.Column("rows", sa.Text, nullable=False),  # JSON {table: rows}
        sa.Column("original", sa.LargeBinary),  # the file's bytes, unless it held personal data
        sa.Column("personal_data", sa.Boolean, nullable=False, default=False),
        sa.Column("undone_at", sa.DateTime),
        # the file's hash while the batch is active and was not stored again on purpose (NULL otherwise): unique,
        # so the same file imported twice at once is stored once (a constraint, not a check-then-insert)
        sa.Column("active_sha256", sa.String(64)),
        sa.Index("batches_active_sha256", "active_sha256", unique=True),
    )
    tables = {"batches": batches}
    for t in schema.TABLES.values():
        cols = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), nullable=False, index=True),
                sa.Column("sheet", sa.Text), sa.Column("source_row", sa.Integer)]
        for c in t.stored_columns:
            cols.append(sa.Column(c.name, _SQL_TYPES[c.kind]()))
        if t.name in ("partners", "programmes"):
            cols.append(sa.Column("auto", sa.Boolean, nullable=False, default=False))  # created from a reference
        if t.name == "attendance":
            cols += [sa.Column("period_start", sa.Date), sa.Column("period_end", sa.Date)]
        if t.name == "survey_responses":
            cols.append(sa.Column("custom_outcomes", sa.Text))  # JSON {outcome_<name>: score}
        tables[t.name] = sa.Table(t.name, md, *cols)
    tables["settings"] = sa.Table("settings", md, sa.Column("key", sa.String(80), primary_key=True),
                                  sa.Column("value", sa.Text))
    tables["mappings"] = sa.Table("mappings", md, sa.Column("headers_key", sa.String(64), primary_key=True),
                                  sa.Column("table_name", sa.Text), sa.Column("mapping", sa.Text),
                                  sa.Column("saved_at", sa.DateTime))
    return md, tables


@dataclass
class CommitOutcome:
    ok: bool
    batch_ids: list[int] = field(default_factory=list)
    stored: dict[str, int] = field(default_factory=dict)
    created: dict[str, list[str]] = field(default_factory=dict)  # new partners / programmes made from references
    refused: list[dict] = field(default_factory=list)  # duplicates: {file, first_file, first_uploaded, batch_id}
    message: str = ""

    def to_dict(self) -> dict:
        return {"ok": self.ok, "batch_id": self.batch_ids[0] if len(self.batch_ids) == 1 else None,
                "batch_ids": self.batch_ids, "stored": self.stored, "created": self.created,
                "refused": self.refused, "message": self.message}


def _by_distinct(s: pd.Series, convert) -> list:
    """`convert` (distinct values -> list) applied once per distinct value of a column of dates or of text and
    spread back to its rows (a column repeats its values: a million rows, a thousand dates); missing -> None."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    out = np.empty(len(uniques) + 1, dtype=object)
    out[:len(uniques)] = convert(uniques)
    return out[codes].tolist()  # code -1 takes the last slot: None


def _rows(frame: pd.DataFrame, table: sa.Table, columns: list[str], iso_dates: bool = False) -> list[tuple]:
    """DataFrame rows as plain Python tuples for the driver's executemany: NA -> None, Timestamps -> dates,
    integer columns as int (a count read as 12.0 is stored as 12)."""
    values = _column_values(frame, table, columns, iso_dates)
    return list(zip(*values))


def _flat_values(frame: pd.DataFrame, table: sa.Table, columns: list[str], iso_dates: bool = False) -> list:
    """The values _rows gives, row after row in one flat list (row i's are [i * len(columns):(i + 1) * len(columns)]):
    a statement of many rows takes a slice of it, without a tuple per row made and taken apart again."""
    values = _column_values(frame, table, columns, iso_dates)
    flat = [None] * (len(frame) * len(columns))
    for j, column in enumerate(values):
        flat[j::len(columns)] = column
    return flat


def _column_values(frame: pd.DataFrame, table: sa.Table, columns: list[str], iso_dates: bool = False) -> list[list]:
    """Each column's values as _rows binds them, one list per column in the order of `columns`."""
    out = {}
    for c in columns:
        s = frame[c] if c in frame else pd.Series(None, index=frame.index, dtype=object)
        missing = s.isna().to_numpy()
        sql_type = table.c[c].type
        if pd.api.types.is_datetime64_any_dtype(s):
            # SQLite keeps dates as ISO text anyway; formatting the column at once beats per-value adapters
            values = _by_distinct(s, (lambda u: u.strftime("%Y-%m-%d").tolist()) if iso_dates
                                  else (lambda u: list(u.date)))
        elif isinstance(sql_type, sa.Integer) and not isinstance(sql_type, sa.Boolean):
            values = s.astype("float64").fillna(0).round().astype("int64").tolist()  # numpy's tolist gives ints
        elif isinstance(sql_type, sa.Float):
            values = s.astype("float64").tolist()
        elif isinstance(sql_type, sa.Boolean):
            values = [bool(v) for v in s.fillna(False).astype(bool).tolist()]
        elif isinstance(s.dtype, pd.StringDtype):  # text only: equal values are the same value
            values = _by_distinct(s, lambda u: np.asarray(u, dtype=object).tolist())
        else:
            values = s.astype(object).tolist()
        if missing.any():
            values = [None if m else v for v, m in zip(values, missing)]
        out[c] = values
    return [out[c] for c in columns]


class DatabaseUnavailable(Exception):
    """The database cannot be used (down, read-only, damaged, locked too long); str() is the plain message."""


def database_problem(exc: BaseException, url: str = "") -> str:
    """A database error as a sentence for staff, with what to check; never the driver's traceback."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    where = sa.engine.make_url(url).render_as_string(hide_password=True) if url else "the database"
    if "locked" in text or "busy" in text:
        return ("the database was busy with another upload for too long. Nothing was changed; try again in a "
                "minute.")
    if "readonly" in text or "read-only" in text or "read only" in text or "permission denied" in text:
        return (f"the database ({where}) is read-only, so nothing can be stored. Check that the server may write "
                "to the database file and its folder (or that the database user may write), then try again.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"the database ({where}) is damaged and cannot be read. Restore it from your last backup, or move "
                "it aside so a new one is made, then restart.")
    if "connection" in text or "could not connect" in text or "refused" in text or "timeout" in text \
            or "unable to open" in text or "does not exist" in text:
        return (f"the database ({where}) cannot be reached. Check that the database server is running and that "
                "IMPACT_DATABASE_URL (or --db) points at it, then try again.")
    return (f"the database ({where}) reported a problem ({exc.__class__.__name__}). Nothing was changed; check the "
            "database server and try again.")


def with_retries(action, attempts: int = 5, wait: float = 0.2):
    """Run `action`, again after a short wait while SQLite says the database is locked (busy_timeout covers
    most waits; a lock upgrade in WAL mode can still fail at once) or PostgreSQL reports a serialisation clash."""
    import time

    for attempt in range(attempts):
        try:
            return action()
        except sa.exc.OperationalError as exc:
            text = str(exc.orig if exc.orig is not None else exc).lower()
            if attempt == attempts - 1 or not ("locked" in text or "busy" in text or "serializ" in text
                                               or "deadlock" in text):
                raise
            time.sleep(wait * (attempt + 1))


class Store:
    def __init__(self, url: str | None = None, columnar_dir: Path | None | str = "default"):
        self.url = database_url(url)
        from impact import columnar

        # the columnar copy's folder (impact/columnar.py); None: frames are read from the database every time
        self.columnar_dir = columnar.folder_for(self.url) if columnar_dir == "default" else \
            (Path(columnar_dir) if columnar_dir else None)
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        sqlite = self.url.startswith("sqlite")
        # SQLite: wait up to 30 s for another writer (the app and the CLI, two uploads) instead of failing at once
        self.engine = sa.create_engine(self.url, future=True, connect_args={"timeout": 30} if sqlite else {})
        if self.engine.dialect.name == "sqlite":
            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(conn, _):
                cur = conn.cursor()
                cur.execute("PRAGMA busy_timeout=30000")
                try:
                    cur.execute("PRAGMA journal_mode=WAL")  # the app and the CLI may use the file at once
                except Exception:  # noqa: BLE001, S110 - a read-only file keeps its journal mode; reading still works
                    pass
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()
        self.metadata, self.tables = _metadata()
        try:
            with_retries(lambda: self.metadata.create_all(self.engine))
            with_retries(self._migrate)
            with_retries(lambda: _add_missing_columns(self.engine, self.tables))
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseUnavailable(database_problem(exc, self.url)) from exc

    def _migrate(self) -> None:
        """Databases made before batches.active_sha256: add it, filled for the first active copy of each file."""
        columns = {c["name"] for c in sa.inspect(self.engine).get_columns("batches")}
        if "active_sha256" in columns:
            return
        with self.engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE batches ADD COLUMN active_sha256 VARCHAR(64)"))
            if "sha256" in columns:  # a database older still has no hashes to carry over
                conn.execute(sa.text("UPDATE batches SET active_sha256 = sha256 WHERE undone_at IS NULL AND id = "
                                     "(SELECT MIN(b2.id) FROM batches b2 WHERE b2.sha256 = batches.sha256 "
                                     "AND b2.undone_at IS NULL)"))
            conn.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS batches_active_sha256 ON batches (active_sha256)"))

    def dispose(self):
        self.engine.dispose()

    # -- settings ------------------------------------------------------------------------------
    def setting(self, key: str) -> str:
        t = self.tables["settings"]
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(t.c.value).where(t.c.key == key)).scalar()
        return DEFAULT_SETTINGS.get(key, "") if value is None else value

    def set_setting(self, key: str, value) -> None:
        t = self.tables["settings"]
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.key == key))
            conn.execute(t.insert().values(key=key, value=str(value)))

    def settings(self) -> dict[str, str]:
        """Every setting (stored value, else its default) in one query: pages read them on every rerun."""
        t = self.tables["settings"]
        with self.engine.connect() as conn:
            stored = dict(conn.execute(sa.select(t.c.key, t.c.value)).all())
        return {k: default if stored.get(k) is None else stored[k] for k, default in DEFAULT_SETTINGS.items()}

    # -- remembered mappings ---------------------------------------------------------------------
    @staticmethod
    def headers_key(headers) -> str:
        """The same headers in the same order give the same key, whatever the file is called."""
        text = "\x1f".join(" ".join(str(h).split()).casefold() for h in headers)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def remember_mapping(self, headers, table: str | None, mapping: dict[str, str | None]) -> None:
        """Keep a sheet's corrected table and header overrides for the next file with the same headers."""
        t, key = self.tables["mappings"], self.headers_key(headers)
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.headers_key == key))
            conn.execute(t.insert().values(headers_key=key, table_name=table, mapping=json.dumps(mapping),
                                           saved_at=dt.datetime.now().replace(microsecond=0)))

    def recall_mapping(self, headers) -> dict | None:
        """{table, mapping, saved_at} remembered for these headers, or None."""
        t = self.tables["mappings"]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.headers_key == self.headers_key(headers))).first()
        if row is None:
            return None
        return {"table": row.table_name, "mapping": json.loads(row.mapping or "{}"), "saved_at": row.saved_at}

    def forget_mapping(self, headers) -> None:
        t = self.tables["mappings"]
        with self.engine.begin() as conn:
            conn.execute(t.delete().where(t.c.headers_key == self.headers_key(headers)))

    # -- batches -------------------------------------------------------------------------------
    def preview(self, result: IngestResult) -> dict[str, list[str]]:
        """What a commit of `result` would create from references, without writing:
        {"partners": [names], "programmes": [names]} not stored yet and not defined in the upload."""
        created: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            known = self._known(conn, result)
        for f in result.files:
            for table, frame in self._expand(f.frames, known).items():
                if table.startswith("_created_"):
                    created.setdefault(table.removeprefix("_created_"), []).extend(frame)
        return created

    def find_duplicate(self, sha256: str, conn=None) -> dict | None:
        b = self.tables["batches"]
        query = sa.select(b.c.id, b.c.file_name, b.c.uploaded_at).where(b.c.sha256 == sha256, b.c.undone_at.is_(None))
        if conn is None:
            with self.engine.connect() as c:
                row = c.execute(query.order_by(b.c.id)).first()
        else:
            row = conn.execute(query.order_by(b.c.id)).first()
        return None if row is None else {"batch_id": row.id, "file": row.file_name,
                                         "first_uploaded": row.uploaded_at.isoformat(timespec="seconds")}

    def commit(self, result: IngestResult, uploader: str = "", force: bool = False) -> CommitOutcome:
        """Store every file of an upload as one batch each, in one transaction: all or nothing. Never raises:
        a locked, unreachable, read-only or damaged database, or a fault of ours, is a plain message."""
        if not result.ok:
            return CommitOutcome(False, message=f"not stored: {len(result.errors)} errors to fix first")
        if not any(len(frame) for f in result.files for frame in f.frames.values()):
            return CommitOutcome(False, message="not stored: the upload has no data rows")
        try:
            outcome, written = with_retries(lambda: self._commit(result, uploader, force))
            if outcome.ok:
                self.refresh_copy(written)
            return outcome
        except sa.exc.IntegrityError as exc:
            refused = self._refusals(result)
            if refused:  # another upload of the same file landed first: refused like any duplicate
                return self._refused(refused)
            names = {}
            for f in result.files:
                names.setdefault(f.sha256, []).append(f.name)
            twice = [n for n in names.values() if len(n) > 1]
            if twice:
                return CommitOutcome(False, message=f"not stored: the upload holds the same file twice "
                                                    f"({' and '.join(twice[0])}); leave one of them out")
            return CommitOutcome(False, message="not stored: " + database_problem(exc, self.url))
        except sa.exc.SQLAlchemyError as exc:
            return CommitOutcome(False, message="not stored: " + database_problem(exc, self.url))
        except Exception as exc:  # noqa: BLE001 - a fault of ours: logged with an id, nothing stored
            from impact.incident import fault_text, record

            return CommitOutcome(False, message="not stored. " + fault_text(record(exc, "storing an upload")))

    def _refusals(self, result: IngestResult) -> list[dict]:
        refused = []
        for f in result.files:
            dup = self.find_duplicate(f.sha256)
            if dup:
                # the file as named now, and as it was named when first stored
                refused.append({**dup, "file": f.name, "first_file": dup["file"]})
        return refused

    @staticmethod
    def _refused(refused: list[dict]) -> CommitOutcome:
        first = refused[0]
        return CommitOutcome(False, refused=refused,
                             message=f"not stored: {first['file']} was already uploaded on "
                                     f"{first['first_uploaded']} (batch {first['batch_id']}); "
                                     "undo that batch or force to upload it again")

    def _commit(self, result: IngestResult, uploader: str, force: bool) -> tuple[CommitOutcome, dict]:
        """(outcome, written): written holds, per batch, the rows inserted into the large tables with the ids the
        database gave them, so the columnar copy is made from them instead of reading them back."""
        if not force and (refused := self._refusals(result)):
            return self._refused(refused), {}
        outcome = CommitOutcome(True)
        written: dict[int, dict] = {}
        with self.engine.begin() as conn:
            known = self._known(conn, result)
            for f in result.files:
                expanded = self._expand(f.frames, known)
                rows = {table: len(frame) for table, frame in expanded.items() if not table.startswith("_created_")}
                # the batch row is written once, with its counts: updating it afterwards rewrote its copy of the file
                batch_id = self._insert_batch(conn, f, uploader, force, rows)
                outcome.batch_ids.append(batch_id)
                for table, frame in expanded.items():
                    if table.startswith("_created_"):
                        outcome.created.setdefault(table.removeprefix("_created_"), []).extend(frame)
                        continue
                    last = self._last_id(conn, table) if table in GROWING and len(frame) else None
                    inserted = self._insert_rows(conn, table, frame, batch_id)
                    if table in GROWING and inserted is not None and len(frame):
                        written.setdefault(batch_id, {})[table] = (*inserted, self._ids_of(conn, table, batch_id,
                                                                                           last, len(frame)))
                    elif table in GROWING:
                        written.setdefault(batch_id, {})
                    outcome.stored[table] = outcome.stored.get(table, 0) + len(frame)
        outcome.message = "stored " + ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in outcome.stored.items())
        return outcome, written

    def _last_id(self, conn, table: str) -> int | None:
        """SQLite: the table's highest id before a batch's rows go in (None on other databases)."""
        if self.engine.dialect.name != "sqlite":
            return None
        t = self.tables[table]
        return conn.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0

    def _ids_of(self, conn, table: str, batch_id: int, last: int | None = None, count: int = 0) -> np.ndarray:
        """The ids of one batch's rows in the order they were inserted: a batch's rows are inserted in one statement
        (COPY or executemany) in order, and both databases number new rows upwards (SQLite's next rowid, a
        PostgreSQL sequence), so ascending ids follow the insert's order; a gap (another upload's rows numbered
        in between) reads the ids themselves. SQLite (`last`, the highest id before): the transaction holds the
        only write lock and each new row takes the highest id + 1, so when the highest id has grown by exactly
        `count` the ids are last + 1 ... last + count, known without reading the batch's rows through its index."""
        t = self.tables[table]
        if last is not None:
            high = conn.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0
            if high - last == count:
                return np.arange(last + 1, high + 1, dtype="int64")
        low, high, count = conn.execute(sa.select(sa.func.min(t.c.id), sa.func.max(t.c.id), sa.func.count())
                                        .where(t.c.batch_id == batch_id)).one()
        if count and high - low + 1 == count:
            return np.arange(low, high + 1, dtype="int64")
        return np.asarray(conn.execute(sa.select(t.c.id).where(t.c.batch_id == batch_id).order_by(t.c.id))
                          .scalars().all(), dtype="int64")

    def _known(self, conn, result: IngestResult) -> dict[str, set]:
        """Partner and programme ids already stored or defined by any file of this upload: what any file
        defines is not "new" for the others (a workbook of programmes beside a workbook of attendance)."""
        known = {name: set(self._ids(conn, name)) for name in ("partners", "programmes")}
        for f in result.files:
            for name, id_col in (("partners", "partner_id"), ("programmes", "programme_id")):
                if name in f.frames and id_col in f.frames[name]:
                    known[name] |= set(f.frames[name][id_col].dropna())
        return known

    def _ids(self, conn, table: str) -> list[str]:
        t = self.tables[table]
        id_col = t.c.partner_id if table == "partners" else t.c.programme_id
        b = self.tables["batches"]
        q = sa.select(id_col).join(b, b.c.id == t.c.batch_id).where(b.c.undone_at.is_(None)).distinct()
        return [r[0] for r in conn.execute(q)]

    def _insert_batch(self, conn, f, uploader: str, force: bool = False, rows: dict | None = None) -> int:
        b = self.tables["batches"]
        personal = bool(f.personal_columns)
        res = conn.execute(b.insert().values(
            file_name=f.name, sha256=f.sha256, active_sha256=None if force else f.sha256, uploaded_at=dt.datetime.now().replace(microsecond=0),
            uploader=uploader or os.environ.get("USER", ""), rows=json.dumps(rows or {}), original=None if personal else f.data,
            personal_data=personal))
        return int(res.inserted_primary_key[0])

    def _expand(self, frames: dict[str, pd.DataFrame], known: dict[str, set]) -> dict[str, pd.DataFrame]:
        """Add what references imply: programmes and partners named but not yet stored, and the
        programme_partners links that a `partner` column on attendance or programmes gives."""
        out = {t: f.copy() for t, f in frames.items()}
        links = []
        for table in ("programmes", "attendance"):
            f = out.get(table)
            if f is not None and "partner" in f:
                prog_col = "name" if table == "programmes" else "programme"
                pairs = f[[prog_col, "partner", "_sheet", "_row"]].dropna(subset=[prog_col, "partner"])
                # several partners in one cell are separated by ; or | or a line break (never a comma:
                # "Hospital for Sick Children, Toronto" is one partner)
                pairs = pairs.assign(partner=pairs["partner"].str.split(r"[;|\n]", regex=True)).explode("partner")
                pairs["partner"] = pairs["partner"].str.strip()
                pairs = pairs[pairs["partner"] != ""].drop_duplicates([prog_col, "partner"])
                links.append(pairs.rename(columns={prog_col: "programme"}))
        if links:
            new_links = pd.concat(links)
            existing = out.get("programme_partners")
            if existing is not None:
                keys = set(zip(existing["programme"].str.casefold(), existing["partner"].str.casefold()))
                new_links = new_links[[(a.casefold(), b.casefold()) not in keys
                                       for a, b in zip(new_links["programme"], new_links["partner"])]]
            out["programme_partners"] = new_links if existing is None else pd.concat([existing, new_links])
        for ref, table, id_col, columns in (("programme", "programmes", "programme_id",
                                             ("attendance", "survey_responses", "programme_partners")),
                                            ("partner", "partners", "partner_id", ("programme_partners", "partnership_feedback"))):
            names = pd.concat([out[c][[ref, "_sheet", "_row"]] for c in columns if c in out and ref in out[c]]
                              or [pd.DataFrame(columns=[ref, "_sheet", "_row"])])
            names = names.dropna(subset=[ref]).drop_duplicates(ref)
            names["_id"] = names[ref].map(slug)
            have = set(known[table]) | (set(out[table][id_col]) if table in out else set())
            new = names[~names["_id"].isin(have)].drop_duplicates("_id")
            if len(new):
                stub = pd.DataFrame({"name": new[ref].values, id_col: new["_id"].values, "auto": True,
                                     "_sheet": new["_sheet"].values, "_row": new["_row"].values})
                if table == "programmes" and "survey_responses" in out and "theme" in out["survey_responses"]:
                    themes = out["survey_responses"].dropna(subset=["theme"]).drop_duplicates("programme")
                    stub["theme"] = stub["name"].map(dict(zip(themes["programme"], themes["theme"])))
                out[table] = stub if table not in out else pd.concat([out[table], stub])
                out[f"_created_{table}"] = list(new[ref])
            known[table] |= set(out[table][id_col]) if table in out else set()
        return out

    def _insert_rows(self, conn, table: str, frame: pd.DataFrame, batch_id: int) -> tuple[pd.DataFrame, list[str]]:
        """Insert one table's rows of a batch; returns (the frame as inserted, the columns it gave)."""
        t = self.tables[table]
        frame = frame.copy()
        frame["batch_id"] = batch_id
        frame["sheet"] = frame["_sheet"]
        frame["source_row"] = frame["_row"]
        if table in ("partners", "programmes") and "auto" not in frame:
            frame["auto"] = False
        if table in ("partners", "programmes"):
            frame["auto"] = frame["auto"].fillna(False).astype(bool)
        if table == "survey_responses":
            custom = [c for c in frame.columns if c.startswith("outcome_")]
            if custom:
                values = frame[custom].astype(object).where(frame[custom].notna(), None)
                frame["custom_outcomes"] = [json.dumps({k: (None if v is None else int(v)) for k, v in r.items()})
                                            for r in values.to_dict("records")]
        # a column with no value in this batch is left to be NULL by itself (fewer values to convert and bind;
        # never a column with a default, which would then differ)
        columns = [c.name for c in t.columns if c.name != "id" and c.name in frame.columns
                   and not (c.nullable and c.default is None and c.server_default is None
                            and bool(frame[c.name].isna().all()))]
        quote = self.engine.dialect.identifier_preparer.quote
        if self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg":
            # COPY: the rows stream in one command, in the same transaction (several times an executemany)
            sql = f"COPY {quote(t.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as copy:
                for row in _rows(frame, t, columns):
                    copy.write_row(row)
            return frame, columns
        marker = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        head = f"INSERT INTO {quote(t.name)} ({', '.join(quote(c) for c in columns)}) VALUES "
        one = f"({', '.join([marker] * len(columns))})"
        if self.engine.dialect.name != "sqlite":
            rows = _rows(frame, t, columns)
            for start in range(0, len(rows), 20_000):
                conn.exec_driver_sql(head + one, rows[start:start + 20_000])
            return frame, columns
        # SQLite: many rows per statement (a fifth to a quarter less CPU than a statement per row), in order, so ids are
        # numbered as before; within SQLite's oldest limit of 999 values per statement; each statement's values are
        # one slice of the flat list
        flat, width, count = _flat_values(frame, t, columns, iso_dates=True), len(columns), len(frame)
        per = max(1, 999 // width)
        block = 20_000 // per * per
        for start in range(0, count, block):
            end = min(start + block, count)
            whole = start + (end - start) // per * per
            if per > 1 and whole > start:
                conn.exec_driver_sql(head + ", ".join([one] * per),
                                     [tuple(flat[i * width:(i + per) * width]) for i in range(start, whole, per)])
            if end > whole:
                conn.exec_driver_sql(head + one, [tuple(flat[i * width:(i + 1) * width]) for i in range(whole, end)])
        return frame, columns

    def batches(self) -> pd.DataFrame:
        b = self.tables["batches"]
        q = sa.select(b.c.id, b.c.file_name, b.c.sha256, b.c.uploaded_at, b.c.uploader, b.c.rows,
                      b.c.personal_data, b.c.undone_at, (b.c.original.is_not(None)).label("original_kept"))
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(q.order_by(b.c.id)).mappings().all())
        if frame.empty:
            return pd.DataFrame(columns=["id", "file_name", "sha256", "uploaded_at", "uploader", "rows",
                                         "personal_data", "undone_at", "original_kept"])
        frame["rows"] = frame["rows"].map(json.loads)
        return frame

    def original(self, batch_id: int) -> bytes | None:
        b = self.tables["batches"]
        with self.engine.connect() as conn:
            return conn.execute(sa.select(b.c.original).where(b.c.id == batch_id)).scalar()

    def undo(self, batch_id: int) -> dict[str, int]:
        """Remove every row of one batch, in one transaction; the batch stays in the history as undone."""
        b = self.tables["batches"]
        removed = {}
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(b.c.id, b.c.undone_at).where(b.c.id == batch_id)).first()
            if row is None:
                raise KeyError(f"no batch {batch_id}")
            if row.undone_at is not None:
                return {}
            for name in schema.TABLES:
                t = self.tables[name]
                n = conn.execute(t.delete().where(t.c.batch_id == batch_id)).rowcount
                if n:
                    removed[name] = n
            conn.execute(b.update().where(b.c.id == batch_id).values(
                undone_at=dt.datetime.now().replace(microsecond=0), original=None, active_sha256=None))
        self.refresh_copy()
        return removed

    def refresh_copy(self, written: dict | None = None) -> None:
        """Bring the columnar copy up to the data version just stored (`written`: the rows a commit inserted, see
        _commit). The store is the system of record: a copy that cannot be written is logged and rebuilt on the
        next read, and never fails the commit or undo."""
        if self.columnar_dir is None:
            return
        from impact import columnar

        try:
            columnar.update(self, written)
        except Exception as exc:  # noqa: BLE001 - e.g. a full disk: the next read rebuilds it
            from impact.incident import record

            record(exc, "writing the columnar copy")

    def version(self) -> str:
        """Changes whenever the stored data changes: a cache key for frames and pages."""
        b = self.tables["batches"]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sa.func.max(b.c.id), sa.func.count(b.c.undone_at))).first()
        return f"{row[0] or 0}-{row[1] or 0}"

    def _key(self, conn) -> tuple[str, str, list[int]]:
        """(data key, version, active batch ids): the version plus a fingerprint of the whole batch history, so a
        database made again at the same address (same version, other data) never matches an old columnar copy."""
        b = self.tables["batches"]
        rows = conn.execute(sa.select(b.c.id, b.c.sha256, b.c.uploaded_at, b.c.undone_at).order_by(b.c.id)).all()
        version = f"{rows[-1][0] if rows else 0}-{sum(r[3] is not None for r in rows)}"
        history = hashlib.sha256(repr([tuple(map(str, r)) for r in rows]).encode()).hexdigest()[:16]
        return f"{version}-{history}", version, [int(r[0]) for r in rows if r[3] is None]

    def _marks(self, conn) -> dict[str, str]:
        """{active batch id: what names it (file hash, upload time)}: a copy made for one database is never built on
        by another made again at the same address."""
        b = self.tables["batches"]
        rows = conn.execute(sa.select(b.c.id, b.c.sha256, b.c.uploaded_at).where(b.c.undone_at.is_(None))).all()
        return {str(r[0]): f"{r[1]}|{r[2]}" for r in rows}

    def data_key(self) -> str:
        """A key naming the stored data exactly (Store.version() plus the batch history's fingerprint)."""
        with self.engine.connect() as conn:
            return self._key(conn)[0]

    def reading(self):
        """A connection inside one read transaction (REPEATABLE READ on PostgreSQL): every read through it sees
        one snapshot. A context manager."""
        import contextlib

        @contextlib.contextmanager
        def snapshot():
            with self.engine.connect() as conn:
                if self.engine.dialect.name == "postgresql":
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    if self.engine.dialect.name == "sqlite":
                        conn.exec_driver_sql("BEGIN")  # pysqlite opens no transaction for reads by itself
                    yield conn

        return snapshot()

    def is_empty(self) -> bool:
        b = self.tables["batches"]
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(b).where(b.c.undone_at.is_(None))).scalar() == 0

    # -- frames out ------------------------------------------------------------------------------
    def load(self, table: str, conn=None, batch_ids=None) -> pd.DataFrame:
        """One canonical table as a DataFrame (active batches only, or only these batches' rows); partners and
        programmes one row per id."""
        t, b = self.tables[table], self.tables["batches"]
        q = sa.select(t).join(b, b.c.id == t.c.batch_id).where(b.c.undone_at.is_(None)).order_by(t.c.id)
        if batch_ids is not None:
            q = q.where(t.c.batch_id.in_(list(batch_ids)))
        if conn is None:
            with self.engine.connect() as own:
                frame = pd.read_sql(q, own)
        else:
            frame = pd.read_sql(q, conn)
        tdef = schema.TABLES[table]
        for c in tdef.stored_columns:
            if c.name not in frame:
                continue
            if c.kind == schema.DATE:
                frame[c.name] = pd.to_datetime(frame[c.name]).astype("datetime64[us]")
            elif c.kind in (schema.COUNT, schema.INTEGER, schema.QUINTILE, schema.SCORE):
                frame[c.name] = frame[c.name].astype("Int64")
            elif c.kind == schema.BOOL:
                frame[c.name] = frame[c.name].astype("boolean")
        if table == "attendance":
            for c in ("period_start", "period_end"):
                frame[c] = pd.to_datetime(frame[c]).astype("datetime64[us]")
        if table == "survey_responses" and "custom_outcomes" in frame:
            custom = frame["custom_outcomes"].dropna()
            if len(custom):
                extra = pd.DataFrame([json.loads(v) for v in custom], index=custom.index)
                for c in extra:
                    frame[c] = extra[c].astype("Int64")
            frame = frame.drop(columns=["custom_outcomes"])
        if table in ("partners", "programmes"):
            id_col = "partner_id" if table == "partners" else "programme_id"
            frame = (frame.assign(_rank=~frame["auto"].astype(bool)).sort_values(["_rank", "batch_id", "id"])
                     .drop_duplicates(id_col, keep="last").drop(columns="_rank").sort_values("id"))
        return frame.reset_index(drop=True)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table from one snapshot (one read transaction; REPEATABLE READ on PostgreSQL), so an undo or
        an upload landing while a page reads never mixes two data versions."""
        return self.snapshot()[2]

    def snapshot(self) -> tuple[str, str, dict[str, pd.DataFrame]]:
        """(data key, version, frames), all read in one transaction: the key names exactly the frames read."""
        with self.reading() as conn:
            key, version, _ = self._key(conn)
            return key, version, {name: self.load(name, conn) for name in schema.TABLES}

    def read_frames(self) -> dict[str, pd.DataFrame]:
        """The frames of the current data version, read from the columnar copy (rebuilt when missing or stale):
        the same frames as frames(), many times faster on a large store."""
        from impact import columnar

        return columnar.load(self).frames


def demo_files() -> list[Path]:
    """The demo workbooks under data/demo/, written first if they are not there."""
    from impact import demo

    folder = ROOT / "data" / "demo"
    files = sorted(folder.glob("*.xlsx"))
    if not files:
        files = demo.write_demo(folder)
    return sorted(files)


def load_demo(store: Store, force: bool = False) -> CommitOutcome:
    """Load the demo library service through the same ingest path as a user's files."""
    from impact.ingest import ingest_paths

    result = ingest_paths(demo_files())
    return store.commit(result, uploader="demo", force=force)


def ensure_demo(store: Store) -> CommitOutcome | None:
    """On an empty database, load the demo so a first start shows a real overview
    (IMPACT_AUTOLOAD_DEMO=0 turns this off, e.g. for a service starting from its own data)."""
    if os.environ.get("IMPACT_AUTOLOAD_DEMO", "1") == "0":
        return None
    if store.is_empty() and not store.batches().shape[0]:
        return load_demo(store)
    return None



_CREATED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> metadata whose tables exist there


def engine_with(store, metadata: sa.MetaData) -> sa.Engine:
    """The store's engine, with a module's own tables (accounts, audit trail) created once per engine."""
    engine = store.engine
    made = _CREATED.setdefault(engine, set())
    if id(metadata) not in made:
        metadata.create_all(engine)
        made.add(id(metadata))
    return engine
