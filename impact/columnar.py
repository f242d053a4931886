"""The columnar copy: every canonical table as Parquet, one folder per data version, beside the store.

The store (SQLite or PostgreSQL) stays the system of record; this copy only makes reading fast (a Parquet read is
many times faster than rows through the database driver). A commit and an undo bring it up to date; a copy that
is missing, stale (another data version), made by another format, or damaged is rebuilt from one snapshot of the
store, never trusted. A copy is written into a temporary folder and renamed into place whole, so a process killed
mid-write leaves no half copy under a version's name.

    <folder>/v-<data key>/manifest.json + <table>.parquet

The folder: IMPACT_COLUMNAR_DIR (a store's copies in a sub-folder named after its database, so one setting serves
several stores; `off` turns the copy off); by default `data/<name>.columnar/` beside an SQLite file, and
`data/columnar/<database>/` for PostgreSQL. `python -m impact rebuild-cache` rebuilds it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from impact import schema

FORMAT = 1  # bump when what is written changes: copies of another format are rebuilt
ENV = "IMPACT_COLUMNAR_DIR"
KEEP = 2  # versions kept: a reader in another process may still be opening the one before
STALE_TEMP_S = 3600  # a temporary folder older than this was left by a killed writer


def _fingerprint() -> str:
    """What the code would write: the tables and their stored columns (a copy of older code is rebuilt)."""
    text = json.dumps([FORMAT, {name: [c.name for c in t.stored_columns] for name, t in schema.TABLES.items()}])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


FINGERPRINT = _fingerprint()


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
    frames: dict
    source: str  # "copy" (read from Parquet), "rebuilt" (read from the store and written), "store" (no copy)


class CopyInvalid(Exception):
    """A copy that must not be trusted (missing, other format, damaged): rebuild it."""


def _dir_name(key: str) -> str:
    return "v-" + key


def write(folder: Path, key: str, version: str, frames: dict[str, pd.DataFrame], active: list[int] | None = None) -> Path:
    """Write one data version's frames atomically; returns its folder (an existing complete copy is kept)."""
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
        for name, frame in frames.items():
            path = temp / f"{name}.parquet"
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, compression="zstd",
                           write_page_checksum=True)
            tables[name] = {"rows": len(frame), "bytes": path.stat().st_size}
        manifest = {"format": FORMAT, "fingerprint": FINGERPRINT, "key": key, "version": version,
                    "active": active, "tables": tables, "written_at": time.time()}
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


def read(folder: Path, key: str) -> tuple[str, dict[str, pd.DataFrame]]:
    """(version, frames) of one data key's copy; CopyInvalid when it is missing, of another format or damaged."""
    import pyarrow.parquet as pq

    where = folder / _dir_name(key)
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
    frames = {}
    for name, info in manifest["tables"].items():
        path = where / f"{name}.parquet"
        try:
            if path.stat().st_size != info["bytes"]:
                raise CopyInvalid(f"{name}.parquet has another size than written")
            table = pq.read_table(path, page_checksum_verification=True)
        except CopyInvalid:
            raise
        except Exception as exc:  # noqa: BLE001 - a truncated or damaged file: rebuild, never trust
            raise CopyInvalid(f"{name}.parquet cannot be read: {exc}") from exc
        if table.num_rows != info["rows"]:
            raise CopyInvalid(f"{name}.parquet has {table.num_rows} rows, not {info['rows']}")
        frames[name] = table.to_pandas()
    return manifest["version"], frames


def rebuild(store, folder: Path | None = None) -> Copy:
    """Read one snapshot of the store and write it as the copy of its data version."""
    folder = folder if folder is not None else store.columnar_dir
    key, version, active, frames = _snapshot(store)
    if folder is not None:
        write(folder, key, version, frames, active)
    return Copy(key, version, frames, "rebuilt" if folder is not None else "store")


def _snapshot(store) -> tuple[str, str, list[int], dict[str, pd.DataFrame]]:
    with store.reading() as conn:
        key, version, active = store._key(conn)
        return key, version, active, {name: store.load(name, conn) for name in schema.TABLES}


GROWING = ("attendance", "survey_responses")  # the large tables: rows only ever added by a batch


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


def update(store) -> Copy:
    """After a commit: when the newest copy holds exactly the active batches but the new ones, the new version's
    copy is that copy plus the new batches' rows of the large tables (read from the database in the same snapshot
    as the small tables, which are read whole); anything else (an undo, a copy missing or damaged, columns or
    dtypes that would not match a whole read) rebuilds from one snapshot."""
    folder = store.columnar_dir
    if folder is None:
        return rebuild(store, folder)
    prior = _newest(folder) if folder.exists() else None
    with store.reading() as conn:
        key, version, active = store._key(conn)
        if (folder / _dir_name(key)).exists():
            return Copy(key, version, {}, "current")
        added = sorted(set(active) - set(prior.get("active") or ())) if prior else []
        if not prior or prior.get("active") is None or not added or set(prior["active"]) - set(active):
            frames = None
        else:
            try:
                frames = read(folder, prior["key"])[1]
            except CopyInvalid:
                frames = None
        if frames is not None:
            for name in schema.TABLES:
                if name not in GROWING:
                    frames[name] = store.load(name, conn)
                    continue
                new = store.load(name, conn, batch_ids=added)
                if not len(new):
                    continue
                old = frames[name]
                if list(new.columns) != list(old.columns) or not len(old) or \
                        any(new[c].dtype != old[c].dtype for c in old.columns):
                    frames = None  # a whole read might type a column otherwise: rebuild
                    break
                both = pd.concat([old, new], ignore_index=True)
                if not both["id"].is_monotonic_increasing:  # PostgreSQL may number concurrent batches out of order
                    both = both.sort_values("id", kind="stable").reset_index(drop=True)
                frames[name] = both
            source = "updated"
        if frames is None:
            frames = {name: store.load(name, conn) for name in schema.TABLES}
            source = "rebuilt"
    write(folder, key, version, frames, active)
    return Copy(key, version, frames, source)


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
    key, version, active, frames = _snapshot(store)
    try:
        write(folder, key, version, frames, active)
    except Exception as exc:  # noqa: BLE001
        from impact.incident import record

        record(exc, "writing the columnar copy")
        return Copy(key, version, frames, "store")
    return Copy(key, version, frames, "rebuilt")


def load(store) -> Copy:
    """The store's frames at its current data version: from the copy when it is there and sound, else rebuilt."""
    folder = store.columnar_dir
    if folder is None:
        key, version, _, frames = _snapshot(store)
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
