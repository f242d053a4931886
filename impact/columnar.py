"""The columnar copy: every canonical table as Parquet, one folder per data version, beside the store.

The store (SQLite or PostgreSQL) stays the system of record; this copy only makes reading fast (a Parquet read is
many times faster than rows through the database driver). A commit and an undo bring it up to date; a copy that
is missing, stale (another data version), made by another format, or damaged is rebuilt from one snapshot of the
store, never trusted. A copy is written into a temporary folder and renamed into place whole, so a process killed
mid-write leaves no half copy under a version's name.

    <folder>/v-<data key>/manifest.json + <table>.parquet (+ <table>.<n>.parquet: the large tables' later parts)

The large tables (attendance, survey responses) are datasets of parts in id order: a commit's copy is the previous
version's parts (hard links: no bytes copied) plus one part per new batch made from the rows the commit inserted
(impact/columnar_parts.py), not read back; the small tables are read whole in one snapshot with the batch list.
An undo's copy is the previous version's parts less the undone batch's rows: its own files left out, a file it
shares with other batches (a merge's or a rebuild's) written again without them; the kept rows per batch are
checked against the database. A previous copy that does not fit (missing, damaged, of another database, rows per
batch other than the database's) rebuilds from one snapshot.

The folder: IMPACT_COLUMNAR_DIR (a store's copies in a sub-folder named after its database, so one setting serves
several stores; `off` turns the copy off); by default `data/<name>.columnar/` beside an SQLite file, and
`data/columnar/<database>/` for PostgreSQL. `python -m impact rebuild-cache` rebuilds it.
"""
from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from impact import columnar_parts as parts_of
from impact import schema
from impact.columnar_parts import GROWING

FORMAT = 2  # bump when what is written changes: copies of another format are rebuilt
ENV = "IMPACT_COLUMNAR_DIR"
KEEP = 2  # versions kept: a reader in another process may still be opening the one before
STALE_TEMP_S = 3600  # a temporary folder older than this was left by a killed writer
MAX_PARTS = 32  # a large table with more parts has its newer small ones merged into one (reading many files costs)


def _fingerprint() -> str:
    """What the code would write: the tables and their stored columns (a copy of older code is rebuilt)."""
    text = json.dumps([FORMAT, {name: [c.name for c in t.stored_columns] for name, t in schema.TABLES.items()}])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


FINGERPRINT = _fingerprint()


@functools.cache
def _sql_tables() -> dict:
    from impact.store import _metadata

    return _metadata()[1]


def folder_for(url: str) -> Path | None:
    """Where one store's copies live (None: no copy, e.g. an in-memory database or IMPACT_COLUMNAR_DIR=off)."""
    import sqlalchemy as sa

    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in ("off", "0", "none", "false"):
        return None
    parsed = sa.engine.make_url(url)
    identity = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    if setting:
        return Path(setting) / identity
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return None
        db = Path(parsed.database)
        return db.with_name(db.stem + ".columnar")
    from impact.store import ROOT

    return ROOT / "data" / "columnar" / f"{parsed.get_backend_name()}-{parsed.database or 'db'}-{identity}"


@dataclass(frozen=True)
class Copy:
    """One data version's frames, as read from the columnar copy or from the store."""

    key: str  # the store's data key: version plus a fingerprint of the batch history
    version: str  # Store.version() at the snapshot
    frames: dict  # empty when update() wrote the copy without holding it whole ("updated", "current")
    # "copy" (read from Parquet), "rebuilt" (written whole, on no earlier copy), "updated" (an earlier copy's parts
    # plus the new batches'), "current" (already there), "store" (no copy)
    source: str
    read_back: int | None = None  # rows of the large tables read from the database to write it (None: not counted)


class CopyInvalid(Exception):
    """A copy that must not be trusted (missing, other format, damaged): rebuild it."""


@dataclass(frozen=True)
class _Part:
    """One part of a large table: new rows (`arrow`) or an earlier version's file (`path`) linked in."""

    rows: int
    first_id: int
    last_id: int
    arrow: object = None  # pa.Table
    path: Path | None = None

    @staticmethod
    def of(arrow) -> _Part:
        ids = arrow.column("id")
        return _Part(arrow.num_rows, int(ids[0].as_py()) if len(ids) else 0, int(ids[-1].as_py()) if len(ids) else 0,
                     arrow=arrow)


def _dir_name(key: str) -> str:
    return "v-" + key


def _part_file(name: str, index: int) -> str:
    return f"{name}.parquet" if index == 0 else f"{name}.{index}.parquet"


def _link(source: Path, target: Path) -> None:
    """The earlier version's file under the new version's name: a hard link (no bytes copied), a copy where the
    file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write(folder: Path, key: str, version: str, frames: dict[str, pd.DataFrame], active: list[int] | None = None,
          marks: dict | None = None) -> Path:
    """Write one data version's frames (as Store.load gives them) atomically; returns its folder (an existing
    complete copy is kept)."""
    tables = _sql_tables()
    small = {name: frame for name, frame in frames.items() if name not in GROWING}
    growing = {name: [_Part.of(parts_of.from_loaded(tables[name], frame))] if len(frame) else []
               for name, frame in frames.items() if name in GROWING}
    return _write_version(folder, key, version, active, marks, small, growing)


def _write_version(folder: Path, key: str, version: str, active, marks, small: dict, growing: dict) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / _dir_name(key)
    if final.exists():
        return final
    temp = folder / f".tmp-{uuid.uuid4().hex}"
    temp.mkdir()
    try:
        tables = {}
        for name in schema.TABLES:
            if name in small:
                path = temp / f"{name}.parquet"
                pq.write_table(pa.Table.from_pandas(small[name], preserve_index=False), path, compression="zstd",
                               write_page_checksum=True)
                tables[name] = {"rows": len(small[name]), "bytes": path.stat().st_size}
                continue
            entries = []
            for index, part in enumerate(growing[name]):
                path = temp / _part_file(name, index)
                if part.arrow is not None:
                    pq.write_table(part.arrow, path, compression="zstd", write_page_checksum=True)
                else:
                    _link(part.path, path)
                entries.append({"file": path.name, "rows": part.rows, "bytes": path.stat().st_size,
                                "first_id": part.first_id, "last_id": part.last_id})
            tables[name] = {"rows": sum(e["rows"] for e in entries), "parts": entries}
        manifest = {"format": FORMAT, "fingerprint": FINGERPRINT, "key": key, "version": version,
                    "active": active, "marks": marks, "tables": tables, "written_at": time.time()}
        (temp / "manifest.json").write_text(json.dumps(manifest))
        for path in temp.iterdir():  # on disk before the folder gets its name
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        try:
            os.rename(temp, final)
        except OSError:  # another process wrote the same version first: keep its copy
            if not final.exists():
                raise
            shutil.rmtree(temp, ignore_errors=True)
        try:
            fd = os.open(folder, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        except OSError:
            pass
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _prune(folder, keep=final)
    return final


def _prune(folder: Path, keep: Path) -> None:
    """Drop all but the newest KEEP versions, and temporary folders a killed writer left."""
    now = time.time()
    versions = []
    for path in folder.iterdir():
        try:
            if path.name.startswith(".tmp-") and now - path.stat().st_mtime > STALE_TEMP_S:
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.startswith("v-") and path != keep:
                versions.append((path.stat().st_mtime, path))
        except OSError:
            continue
    for _, path in sorted(versions, reverse=True)[KEEP - 1:]:
        shutil.rmtree(path, ignore_errors=True)


def _read_file(path: Path, info: dict):
    """One Parquet file checked against what the manifest says was written (size, rows, page checksums)."""
    import pyarrow.parquet as pq

    try:
        if path.stat().st_size != info["bytes"]:
            raise CopyInvalid(f"{path.name} has another size than written")
        table = pq.read_table(path, page_checksum_verification=True)
    except CopyInvalid:
        raise
    except Exception as exc:  # a truncated or damaged file: rebuild, never trust
        raise CopyInvalid(f"{path.name} cannot be read: {exc}") from exc
    if table.num_rows != info["rows"]:
        raise CopyInvalid(f"{path.name} has {table.num_rows} rows, not {info['rows']}")
    return table


def _manifest(where: Path, key: str) -> dict:
    try:
        manifest = json.loads((where / "manifest.json").read_text())
    except FileNotFoundError as exc:
        raise CopyInvalid(f"no copy for {key}") from exc
    except (OSError, ValueError) as exc:
        raise CopyInvalid(f"unreadable manifest: {exc}") from exc
    if manifest.get("fingerprint") != FINGERPRINT or manifest.get("key") != key:
        raise CopyInvalid("written by another format")
    if set(manifest.get("tables", {})) != set(schema.TABLES):
        raise CopyInvalid("tables differ")
    return manifest


def read(folder: Path, key: str) -> tuple[str, dict[str, pd.DataFrame]]:
    """(version, frames) of one data key's copy; CopyInvalid when it is missing, of another format or damaged."""
    where = folder / _dir_name(key)
    manifest = _manifest(where, key)
    frames = {}
    for name, info in manifest["tables"].items():
        if name not in GROWING:
            frames[name] = _read_file(where / f"{name}.parquet", info).to_pandas()
            continue
        table = _sql_tables()[name]
        try:
            arrow = parts_of.join(table, [_read_file(where / e["file"], e) for e in info["parts"]])
        except (KeyError, TypeError, ValueError) as exc:  # parts that do not fit together (pyarrow's errors)
            raise CopyInvalid(f"{name}'s parts cannot be joined: {exc}") from exc
        frames[name] = parts_of.as_loaded(table, arrow)
    return manifest["version"], frames


def rebuild(store, folder: Path | None = None) -> Copy:
    """Read one snapshot of the store and write it as the copy of its data version."""
    folder = folder if folder is not None else store.columnar_dir
    key, version, active, marks, frames = _snapshot(store)
    if folder is not None:
        write(folder, key, version, frames, active, marks)
    return Copy(key, version, frames, "rebuilt" if folder is not None else "store", _growing_rows(frames))


def _growing_rows(frames: dict) -> int:
    return sum(len(frames[name]) for name in GROWING)


def _snapshot(store) -> tuple[str, str, list[int], dict, dict[str, pd.DataFrame]]:
    with store.reading() as conn:
        key, version, active = store._key(conn)
        return key, version, active, store._marks(conn), {name: store.load(name, conn) for name in schema.TABLES}


def _newest(folder: Path) -> dict | None:
    """The manifest of the newest copy in the folder (None when there is none)."""
    best = None
    for path in folder.glob("v-*/manifest.json"):
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if manifest.get("fingerprint") == FINGERPRINT and (best is None or manifest["written_at"] > best["written_at"]):
            best = manifest
    return best


def _earlier_parts(folder: Path, prior: dict | None, marks: dict, undone: frozenset = frozenset(),
                   count=None) -> dict[str, list[_Part]] | None:
    """The large tables' parts of an earlier copy a new version can be built on: every batch it holds still
    active and the same batch (file hash, upload time: never another database's made again at the same address),
    and its files the size written. None when there is none.

    After an undo (`undone`: batches the earlier copy holds that the database has marked undone since) a file
    holding only undone batches' rows is left out, one holding none of them is kept (linked), and one holding both
    (a rebuild's or a merge's) is read (checked) and written again without the undone batches' rows, each row's
    batch_id saying whose it is (unless it holds a survey's own outcomes: None). The kept rows per batch must then
    equal the database's (`count(table, batches)` -> {batch: rows}, read in the same snapshot), or: None."""
    if not prior or not isinstance(prior.get("marks"), dict):
        return None
    if any(marks.get(batch) != mark for batch, mark in prior["marks"].items() if int(batch) not in undone):
        return None  # a batch undone since without the database saying so, or another database at the same address
    if undone and count is None:
        return None
    where = folder / _dir_name(prior["key"])
    found = {}
    try:
        for name in GROWING:
            found[name] = []
            held: dict[int, int] = {}
            for entry in prior["tables"][name]["parts"]:
                path = where / entry["file"]
                if path.stat().st_size != entry["bytes"]:
                    return None
                if undone:
                    rows = _rows_per_batch(path, entry)
                    if rows.keys() <= undone:
                        continue  # the undone batch's own file: left out
                    held.update({batch: n for batch, n in rows.items() if batch not in undone})
                    if rows.keys() & undone:  # beside other batches' rows (a merge's or a rebuild's file)
                        part = _without(name, _read_file(path, entry), undone)
                        if part is None:
                            return None
                        found[name].append(part)
                        continue
                found[name].append(_Part(entry["rows"], entry["first_id"], entry["last_id"], path=path))
            if undone:
                batches = [int(b) for b in prior["marks"] if int(b) not in undone]
                stored = count(name, batches)
                if {b: n for b, n in stored.items() if n} != held:
                    return None  # the files do not hold exactly the database's rows of the batches kept
    except (OSError, KeyError, TypeError, CopyInvalid):
        return None
    return found


def _without(name: str, arrow, undone: frozenset) -> _Part | None:
    """A file's rows less the undone batches' (its batch_id column says whose each row is), as a new part. None
    when the file holds a survey's own outcome columns: which of them the kept batches asked, and in which order a
    whole read meets them, is in the database's JSON, not in a file where every batch's rows have every column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if set(arrow.column_names) - {n for n, _ in parts_of.columns(_sql_tables()[name])}:
        return None
    batch = arrow.column("batch_id")
    gone = pc.is_in(batch, value_set=pa.array(sorted(undone), type=batch.type))
    return _Part.of(arrow.filter(pc.invert(gone)))


def _rows_per_batch(path: Path, entry: dict) -> dict[int, int]:
    """{batch id: rows} of one part, from its batch_id column alone (checked as every read is)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        column = pq.read_table(path, columns=["batch_id"], page_checksum_verification=True).column("batch_id")
    except Exception as exc:  # a damaged file: rebuild, never trust
        raise CopyInvalid(f"{path.name} cannot be read: {exc}") from exc
    if len(column) != entry["rows"] or column.null_count:
        raise CopyInvalid(f"{path.name} does not hold the rows written")
    counts = pc.value_counts(column)
    return {int(b): int(n) for b, n in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist(),
                                           strict=True)}


def _undone_since(store, conn, prior: dict | None, marks: dict) -> frozenset:
    """Batches an earlier copy holds that are no longer active and that the database marks undone (an empty set
    when some are gone without being marked undone: _earlier_parts then refuses the copy)."""
    if not prior or not isinstance(prior.get("marks"), dict):
        return frozenset()
    gone = {int(b) for b in prior["marks"] if b not in marks}
    if not gone:
        return frozenset()
    import sqlalchemy as sa

    b = store.tables["batches"]
    marked = {int(r[0]) for r in conn.execute(sa.select(b.c.id).where(b.c.id.in_(sorted(gone)),
                                                                      b.c.undone_at.is_not(None)))}
    return frozenset(gone) if marked == gone else frozenset()


def _counter(store, conn):
    """count(table, batches) -> {batch id: rows stored}, in the caller's snapshot."""
    import sqlalchemy as sa

    def count(name: str, batches: list[int]) -> dict[int, int]:
        if not batches:
            return {}
        t = store.tables[name]
        q = sa.select(t.c.batch_id, sa.func.count()).where(t.c.batch_id.in_(batches)).group_by(t.c.batch_id)
        return {int(b): int(n) for b, n in conn.execute(q)}

    return count


def _in_id_order(parts: list[_Part]) -> bool:
    """Each part's ids all above the one before's: the parts joined in order are the table in id order, and a
    survey's own outcomes meet a whole read's columns in the same order."""
    return all(a.last_id < b.first_id for a, b in itertools.pairwise(parts))


def _merged_tail(name: str, parts: list[_Part]) -> list[_Part]:
    """Over MAX_PARTS parts: the ones after the largest merged into one (all of them when the largest is last), so
    a table read stays a few files while an upload still writes only its own rows."""
    if len(parts) <= MAX_PARTS:
        return parts
    largest = max(range(len(parts)), key=lambda i: parts[i].rows)
    keep = parts[:largest + 1] if largest < len(parts) - 2 else []
    tail = parts[len(keep):]
    arrows = [p.arrow if p.arrow is not None else _read_file(p.path, {"bytes": p.path.stat().st_size,
                                                                       "rows": p.rows}) for p in tail]
    return keep + [_Part.of(parts_of.join(_sql_tables()[name], arrows))]


def update(store, written: dict | None = None) -> Copy:
    """After a commit: the new version's copy is the newest earlier copy's large-table parts plus a part per new
    batch: made from the rows the commit inserted (`written`, Store._commit) when there are any, read from the
    database in the same snapshot as the small tables otherwise (another process's upload). The small tables are
    read whole. After an undo the undone batches' rows are left out (_earlier_parts). With no earlier copy to
    build on (the first upload, a copy missing or damaged, rows per batch other than the database's) the large
    tables are the commit's rows when they are all there is, else read whole from one snapshot."""
    folder = store.columnar_dir
    if folder is None:
        return rebuild(store, folder)
    written = written or {}
    prior = _newest(folder) if folder.exists() else None
    read_back = 0
    with store.reading() as conn:
        key, version, active = store._key(conn)
        if (folder / _dir_name(key)).exists():
            return Copy(key, version, {}, "current", 0)
        marks = store._marks(conn)
        undone = _undone_since(store, conn, prior, marks)
        earlier = _earlier_parts(folder, prior, marks, undone, _counter(store, conn))
        held = {int(b) for b in prior["marks"]} - undone if earlier is not None else set()
        added = sorted(set(active) - held)
        others = [b for b in added if b not in written]  # e.g. another process's upload landing meanwhile
        small = {name: store.load(name, conn) for name in schema.TABLES if name not in GROWING}
        growing = {}
        for name in GROWING:
            table = store.tables[name]
            if earlier is None and others:  # nothing to build on and not only this commit's rows: read whole
                frame = store.load(name, conn)
                read_back += len(frame)
                growing[name] = [_Part.of(parts_of.from_loaded(table, frame))] if len(frame) else []
                continue
            new = []
            if others:
                frame = store.load(name, conn, batch_ids=others)
                read_back += len(frame)
                if len(frame):
                    new.append(_Part.of(parts_of.from_loaded(table, frame)))
            for batch in added:
                if batch not in written or name not in written[batch]:
                    continue  # this commit put no rows in this table
                frame, inserted, ids = written[batch][name]
                arrow = parts_of.from_written(table, frame, inserted, ids)
                if arrow is None:  # a column held in a form the copy cannot vouch for: read this batch back
                    loaded = store.load(name, conn, batch_ids=[batch])
                    read_back += len(loaded)
                    arrow = parts_of.from_loaded(table, loaded)
                if arrow.num_rows:
                    new.append(_Part.of(arrow))
            combined = (earlier[name] if earlier is not None else []) + sorted(new, key=lambda p: p.first_id)
            if not _in_id_order(combined):  # rows numbered between another upload's (PostgreSQL): read whole
                frame = store.load(name, conn)
                read_back += len(frame)
                combined = [_Part.of(parts_of.from_loaded(table, frame))] if len(frame) else []
            growing[name] = combined
    try:
        growing = {name: _merged_tail(name, found) for name, found in growing.items()}
        _write_version(folder, key, version, active, marks, small, growing)
    except (CopyInvalid, FileNotFoundError):
        if earlier is None:
            raise
        # an earlier part damaged since it was checked, or its version pruned meanwhile by another server before
        # it was linked: start again from the store
        return rebuild(store, folder)
    return Copy(key, version, {}, "updated" if earlier is not None else "rebuilt", read_back)


def rebuild_fresh(store) -> Copy:
    """`python -m impact rebuild-cache`: drop every copy of this store and write the current version anew."""
    folder = store.columnar_dir
    if folder is not None and folder.exists():
        for path in folder.iterdir():
            if path.name.startswith(("v-", ".tmp-")):
                shutil.rmtree(path, ignore_errors=True)
    return rebuild(store, folder)


def _rebuild_or_store(store, folder: Path) -> Copy:
    """Rebuild the copy; when it cannot be written (a full disk, a read-only folder) the frames still come from
    the store, and the fault is logged."""
    key, version, active, marks, frames = _snapshot(store)
    try:
        write(folder, key, version, frames, active, marks)
    except Exception as exc:  # noqa: BLE001
        from impact.incident import record

        record(exc, "writing the columnar copy")
        return Copy(key, version, frames, "store", _growing_rows(frames))
    return Copy(key, version, frames, "rebuilt", _growing_rows(frames))


def load(store) -> Copy:
    """The store's frames at its current data version: from the copy when it is there and sound, else rebuilt."""
    folder = store.columnar_dir
    if folder is None:
        key, version, _, _, frames = _snapshot(store)
        return Copy(key, version, frames, "store")
    key = store.data_key()
    try:
        version, frames = read(folder, key)
        return Copy(key, version, frames, "copy")
    except CopyInvalid:
        shutil.rmtree(folder / _dir_name(key), ignore_errors=True)  # a damaged copy goes; a sound one replaces it
        return _rebuild_or_store(store, folder)


def size_on_disk(folder: Path | None, key: str) -> int:
    """Bytes of one version's copy (0 when there is none)."""
    if folder is None or not (folder / _dir_name(key)).exists():
        return 0
    return sum(p.stat().st_size for p in (folder / _dir_name(key)).iterdir())
