"""kill -9 at any point of an import leaves the store as it was and usable, on SQLite and PostgreSQL.

A real `python -m impact import` of 20,000 rows is killed with SIGKILL at several points of its run (timed
as fractions of an uninterrupted run of the same import: starting, reading, inside the commit's transaction,
near its end). After each kill the store opens, holds exactly what it held before or the whole import (never
part of it), and takes the import again.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from hostile.make_hostile import HEADER, csv_bytes

from impact.ingest import ingest_files
from impact.store import Store

ROOT = Path(__file__).resolve().parents[1]
ROWS = 20_000
FRACTIONS = (0.3, 0.55, 0.7, 0.8, 0.88, 0.94, 0.98)


def _import(path: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "impact", "import", str(path), "--db", url],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _processes_reading(path: Path) -> list[int]:
    """Live processes (not zombies) whose command line names `path`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(path).encode() in (entry / "cmdline").read_bytes() and \
                    ") Z " not in (entry / "stat").read_text():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _state(url: str) -> tuple[int, int, int]:
    store = Store(url)
    try:
        active = store.batches()
        active = active[active["undone_at"].isna()]
        return len(active), len(store.load("attendance")), len(store.load("programmes"))
    finally:
        store.dispose()


def test_kill_9_at_any_point_of_an_import_leaves_the_store_whole_and_usable(db_url, tmp_path):
    store = Store(db_url)
    store.commit(ingest_files([("before.csv", csv_bytes([HEADER, ["Chess Club", "2025-03-01", 6]]))]))
    store.dispose()
    before = _state(db_url)
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([HEADER, *[[f"Club {r % 40}", f"2025-04-{1 + r % 28:02d}", 1 + r % 9]
                                          for r in range(ROWS)]]))
    start = time.monotonic()
    assert _import(path, db_url).wait(300) == 0
    whole = time.monotonic() - start
    landed = _state(db_url)
    assert landed == (before[0] + 1, before[1] + ROWS, before[2] + 40)
    store = Store(db_url)
    store.undo(int(store.batches()["id"].max()))
    store.dispose()
    outcomes = []
    for fraction in FRACTIONS:
        run = _import(path, db_url)
        time.sleep(whole * fraction)
        run.send_signal(signal.SIGKILL)
        run.wait(60)
        state = _state(db_url)  # the store opens after every kill
        assert state in (before, landed), (fraction, state)
        outcomes.append("landed" if state == landed else "as before")
        if state == landed:  # finished just before the kill: undo so the next kill starts from `before`
            store = Store(db_url)
            store.undo(int(store.batches()["id"].max()))
            store.dispose()
    assert "as before" in outcomes, outcomes
    # nothing of a killed import is left running: its reading worker dies with it (no orphan holding memory)
    for _ in range(50):
        left = _processes_reading(path)
        if not left:
            break
        time.sleep(0.1)
    assert not left, left
    assert _import(path, db_url).wait(300) == 0  # and it takes the import again, whole
    assert _state(db_url) == landed
