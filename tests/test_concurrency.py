"""Many users at once, and databases that cannot be used: the same file uploaded twice at once is stored
once (a unique index on the active file hash, not a check-then-insert), uploads into one SQLite file all land
(WAL, busy timeout, retries; never "database is locked"), and a database that is down, read-only or damaged
is a plain message with what to check, in the store, the CLI and the pages."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from hostile.make_hostile import HEADER, csv_bytes

from impact import cli
from impact.ingest import ingest_files
from impact.store import DatabaseUnavailable, Store

ROOT = Path(__file__).resolve().parents[1]


def _file(i: int, rows: int = 200) -> tuple[str, bytes]:
    return (f"return_{i}.csv", csv_bytes([HEADER, *[[f"Club {i}", f"2025-04-{1 + r % 28:02d}", 1 + r % 9]
                                                    for r in range(rows)]]))


def _race(url: str, uploads: list[tuple[str, bytes]]) -> list:
    """Commit each upload from its own thread and Store at the same moment (a barrier), as separate
    sessions of the server would."""
    stores = [Store(url) for _ in uploads]
    results = [ingest_files([u]) for u in uploads]
    barrier = threading.Barrier(len(uploads))
    outcomes = [None] * len(uploads)

    def go(i):
        barrier.wait()
        outcomes[i] = stores[i].commit(results[i], uploader=f"user{i}")

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(uploads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for s in stores:
        s.dispose()
    return outcomes


@pytest.mark.parametrize("trial", range(3))
def test_the_same_file_uploaded_four_times_at_once_is_stored_once(db_url, trial):
    outcomes = _race(db_url, [_file(0)] * 4)
    stored = [o for o in outcomes if o.ok]
    assert len(stored) == 1, [o.message for o in outcomes]
    for o in outcomes:
        if not o.ok:
            assert o.refused and "already uploaded" in o.message, o.message
    store = Store(db_url)
    assert len(store.batches()) == 1
    assert len(store.load("attendance")) == 200


def test_storing_it_again_on_purpose_still_works_and_undo_frees_the_hash(db_url):
    store = Store(db_url)
    first = store.commit(ingest_files([_file(1)]))
    assert not store.commit(ingest_files([_file(1)])).ok
    again = store.commit(ingest_files([_file(1)]), force=True)
    assert again.ok and len(store.load("attendance")) == 400
    store.undo(first.batch_ids[0])
    store.undo(again.batch_ids[0])
    assert store.commit(ingest_files([_file(1)])).ok


def test_six_different_files_at_once_all_land(db_url):
    outcomes = _race(db_url, [_file(i) for i in range(6)])
    assert all(o.ok for o in outcomes), [o.message for o in outcomes]
    store = Store(db_url)
    assert len(store.batches()) == 6
    assert len(store.load("attendance")) == 6 * 200
    assert len(store.load("programmes")) == 6


def test_two_real_cli_processes_importing_the_same_file_store_it_once(db_url, tmp_path):
    name, data = _file(7, rows=2000)
    path = tmp_path / name
    path.write_bytes(data)
    Store(db_url).dispose()  # tables made before the race
    runs = [subprocess.Popen([sys.executable, "-m", "impact", "import", str(path), "--db", db_url],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    finished = [(r.wait(120), *r.communicate()) for r in runs]
    assert sorted(code for code, _, _ in finished) == [0, 1, 1], finished
    for code, out, err in finished:
        assert "locked" not in out + err and "Traceback" not in err
    store = Store(db_url)
    assert len(store.batches()) == 1 and len(store.load("attendance")) == 2000


def test_a_database_made_before_the_unique_hash_gets_it_with_the_first_active_copy(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    store.commit(ingest_files([_file(2)]))
    store.commit(ingest_files([_file(2)]), force=True)
    with store.engine.begin() as conn:  # as an older version left it
        conn.execute(sa.text("DROP INDEX batches_active_sha256"))
        conn.execute(sa.text("ALTER TABLE batches DROP COLUMN active_sha256"))
    store.dispose()
    again = Store(url)
    assert not again.commit(ingest_files([_file(2)])).ok
    with again.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(active_sha256) FROM batches")).scalar() == 1


# --- databases that cannot be used -------------------------------------------------------------------------

DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"


def test_a_server_that_is_down_is_a_plain_message_with_what_to_check():
    with pytest.raises(DatabaseUnavailable) as caught:
        Store(DOWN)
    assert "cannot be reached" in str(caught.value) and "IMPACT_DATABASE_URL" in str(caught.value)


def test_the_cli_says_so_in_words_when_the_database_is_down_damaged_or_read_only(tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    good = tmp_path / "good.db"
    Store(f"sqlite:///{good}").commit(ingest_files([_file(3)]))
    read_only = f"sqlite:///file:{good}?mode=ro&uri=true"
    path = tmp_path / "return_4.csv"
    path.write_bytes(_file(4)[1])
    for url, words in ((DOWN, "cannot be reached"), (f"sqlite:///{damaged}", "damaged"),
                       (read_only, "read-only")):
        err = io.StringIO()
        with redirect_stderr(err):
            code = cli.main(["import", str(path), "--db", url])
        assert code != 0
        if url == read_only:  # the store opens for reading; the commit says why nothing was stored
            continue
        assert words in err.getvalue(), err.getvalue()
        assert "Traceback" not in err.getvalue()
    outcome = Store(read_only).commit(ingest_files([_file(4)]))
    assert not outcome.ok and "read-only" in outcome.message
    assert len(Store(f"sqlite:///{good}").batches()) == 1


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/upload.py", "pages/evidence.py"])
def test_every_page_shows_a_plain_message_when_the_database_is_down(page, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("IMPACT_DATABASE_URL", DOWN)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert any("cannot be reached" in e.value for e in at.error), [e.value for e in at.error]
    st.cache_resource.clear()


def test_pages_read_one_data_version_while_uploads_and_undos_land(db_url):
    """Frames are read in one snapshot: every read sees each batch whole or not at all, while another
    thread stores and undoes batches of 300 rows (the programme and its rows always arrive together)."""
    store = Store(db_url)
    store.commit(ingest_files([_file(50, rows=300)]))
    writer_store = Store(db_url)
    stop = threading.Event()

    def churn():
        i = 100
        while not stop.is_set():
            outcome = writer_store.commit(ingest_files([_file(i, rows=300)]))
            if outcome.ok:
                writer_store.undo(outcome.batch_ids[0])
            i += 1

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        for _ in range(15):
            frames = store.frames()
            attendance, programmes = frames["attendance"], frames["programmes"]
            assert len(attendance) % 300 == 0, len(attendance)
            assert len(attendance) // 300 == len(programmes)
            assert set(attendance["batch_id"]) == set(programmes["batch_id"])
    finally:
        stop.set()
        writer.join(60)


def test_a_fault_in_a_page_is_a_message_with_an_incident_id_in_the_log(monkeypatch, tmp_path):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from impact import views

    monkeypatch.setenv("IMPACT_FAULTS", "")  # as in production (the tests raise by default)
    monkeypatch.setenv("IMPACT_INCIDENT_LOG", str(tmp_path / "incidents.log"))
    monkeypatch.setenv("IMPACT_DATABASE_URL", f"sqlite:///{tmp_path / 'f.db'}")
    monkeypatch.setenv("IMPACT_AUTOLOAD_DEMO", "0")
    Store(f"sqlite:///{tmp_path / 'f.db'}").commit(ingest_files([_file(9)]))

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "trend_table", broken)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    shown = [e.value for e in at.error]
    assert len(shown) == 1 and "incident" in shown[0] and "a bug" not in shown[0]
    incident = re.search(r"incident ([0-9a-f]{8})", shown[0]).group(1)
    log = (tmp_path / "incidents.log").read_text()
    assert f"incident {incident}" in log and "RuntimeError: a bug" in log and "Traceback" in log
    st.cache_resource.clear()


def test_the_same_file_twice_in_one_upload_is_refused_in_words(db_url):
    store = Store(db_url)
    outcome = store.commit(ingest_files([_file(11), ("copy.csv", _file(11)[1])]))
    assert not outcome.ok and "the same file twice (return_11.csv and copy.csv)" in outcome.message
    assert store.batches().empty
