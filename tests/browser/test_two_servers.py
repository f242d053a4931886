"""Past one machine (issue 13, part 5): two app servers (`streamlit run dashboard.py`, as behind a load balancer) on
one PostgreSQL database and one shared IMPACT_COLUMNAR_DIR. An upload through one is on the other's pages at its
next rerun, read from the copy the first wrote (not rebuilt); each keeps serving while the other is stopped, and
a restarted one serves the current data."""
from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from app_process import CHROMIUM, NotStarted, free_port, serving
from streamlit_idle import IDLE

from impact.ingest import ingest_files
from impact.store import Store

pytestmark = pytest.mark.browser
CHESS = b"Programme,Date,Attendees\nChess Club,2025-05-01,7\nChess Club,2025-05-08,5\n"  # 12 people


@pytest.fixture
def shared(db_url, tmp_path):
    """db_url's schema of its own on the PostgreSQL server (so other tests are not disturbed) holding 12
    attendances, and the environment both servers get: that database, one columnar folder, no demo."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required under CI (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    folder = tmp_path / "shared-columnar"  # the storage every server mounts
    env = {**os.environ, "IMPACT_DATABASE_URL": db_url, "IMPACT_COLUMNAR_DIR": str(folder),
           "IMPACT_AUTOLOAD_DEMO": "0"}
    store = Store(db_url, columnar_dir=None)  # stored before the servers start, by a process that writes no copy
    assert store.commit(ingest_files([("chess.csv", CHESS)])).ok
    store.dispose()
    return db_url, env


def _attendance(page) -> int:
    card = page.get_by_test_id("stMetric").filter(has_text="Attendance")
    card.first.wait_for(timeout=60_000)
    return int(re.sub(r"\D", "", card.get_by_test_id("stMetricValue").inner_text()))


def _go(page, title: str, ready: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_text(ready).first.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)


def _open(page, base: str) -> None:
    page.goto(base, timeout=90_000)
    page.wait_for_selector(IDLE, timeout=120_000)


def _overview_after_a_rerun(page) -> int:
    """The same session moves to another page and back: two reruns, no reload."""
    _go(page, "Upload", "Upload history")
    _go(page, "Overview", "What data is loaded")
    return _attendance(page)


def _upload(page, path: Path, who: str) -> None:
    _go(page, "Upload", "1 · Start from the template")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text("Rows ready to store").wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.get_by_label("Your name or initials, for the upload history").fill(who)
    page.keyboard.press("Enter")
    page.wait_for_selector(IDLE, timeout=60_000)
    page.get_by_role("button", name="Store this upload").click()
    page.get_by_text(re.compile(r"^Stored 1 attendance row")).wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)


def _copy_of(folder: Path, key: str) -> dict:
    """The manifest of one data version's copy in the shared folder (each store has a sub-folder there)."""
    found = list(folder.glob(f"*/v-{key}/manifest.json"))
    assert len(found) == 1, f"no single copy of {key} in {folder}: {found}"
    return json.loads(found[0].read_text())


class Server:
    """One app server on a fixed address, started and stopped at will (as one behind a load balancer)."""

    def __init__(self, name: str, env: dict, logs: Path):
        self.name, self.env, self.logs, self.port, self.runs = name, env, logs, free_port(), 0
        self._running: contextlib.ExitStack | None = None

    def start(self) -> str:
        self.runs += 1
        self._running = contextlib.ExitStack()
        try:
            return self._running.enter_context(serving(self.logs / f"{self.name}{self.runs}.log", self.env,
                                                       port=self.port))
        except NotStarted as exc:
            pytest.fail(str(exc))

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_servers_on_one_database_share_uploads_and_outlive_each_others_restart(shared, page, tmp_path):
    url, env = shared
    folder = Path(env["IMPACT_COLUMNAR_DIR"])
    store = Store(url, columnar_dir=None)  # the test's own look at the database
    a, b = Server("a", env, tmp_path), Server("b", env, tmp_path)
    a_page = page
    b_page = page.context.browser.new_page(viewport={"width": 1280, "height": 800})  # another user's browser
    files = {}
    for name, row in (("rhyme", "Rhyme Time,2025-05-02,9"), ("lego", "Lego Club,2025-05-03,20"),
                      ("story", "Story Time,2025-05-04,4")):
        files[name] = tmp_path / f"{name}.csv"
        files[name].write_text(f"Programme,Date,Attendees\n{row}\n")
    try:
        _open(a_page, a.start())
        _open(b_page, b.start())
        assert _attendance(a_page) == 12 and _attendance(b_page) == 12

        # an upload through A is on B's pages at B's next rerun, read from the copy A's commit wrote
        _upload(a_page, files["rhyme"], "amy")
        key = store.data_key()
        written = _copy_of(folder, key)["written_at"]
        assert _overview_after_a_rerun(b_page) == 21
        assert _copy_of(folder, key)["written_at"] == written  # B read A's copy; it did not write its own

        # each stops in turn: the other keeps serving and takes an upload; the stopped one starts again at its
        # address and serves the current data
        for stopped, stopped_page, serving_page, name, uploader, before, after in (
                (a, a_page, b_page, "lego", "ben", 21, 41), (b, b_page, a_page, "story", "cal", 41, 45)):
            stopped.stop()
            assert _overview_after_a_rerun(serving_page) == before
            _upload(serving_page, files[name], uploader)
            _go(serving_page, "Overview", "What data is loaded")
            assert _attendance(serving_page) == after
            _open(stopped_page, stopped.start())
            assert _attendance(stopped_page) == after
        assert _overview_after_a_rerun(a_page) == 45
    finally:
        b_page.close()
        a.stop()
        b.stop()
        store.dispose()
    stored = Store(url, columnar_dir=None)
    assert stored.batches()["uploader"].tolist()[1:] == ["amy", "ben", "cal"]
    assert int(stored.load("attendance")["attendees"].sum()) == 45
    stored.dispose()
    for log in sorted(tmp_path.glob("*.log")):
        assert "Traceback" not in log.read_text(errors="replace"), log.name
