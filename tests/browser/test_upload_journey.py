"""A member of staff's upload in a real browser: a messy workbook from the corpus through the file input,
one mapping corrected in the editor, stored, seen on the overview, undone, and the overview back as it was."""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from streamlit_idle import IDLE

from impact.ingest import ingest_files
from impact.store import Store

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path("/tmp/upload_shots")  # copies for people to look at
CHESS = b"Programme,Date,Attendees\nChess Club,2025-05-01,7\nChess Club,2025-05-08,5\n"


@pytest.fixture(autouse=True)
def no_demo(monkeypatch):
    """An empty service (no demo), so the overview's figure is the one this test stored; set before the app starts."""
    monkeypatch.setenv("IMPACT_AUTOLOAD_DEMO", "0")


@pytest.fixture
def messy(tmp_path) -> Path:
    """title_totals_notes.xlsx from the corpus: title rows, a blank column, a totals row and notes."""
    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    import make_corpus

    path = tmp_path / "title_totals_notes.xlsx"
    make_corpus.title_totals_notes(path)
    return path


def _attendance(page) -> int:
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    card = page.get_by_test_id("stMetric").filter(has_text="Attendance")
    return int(re.sub(r"\D", "", card.get_by_test_id("stMetricValue").inner_text()))


def _go(page, title: str, ready: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    page.get_by_text(ready).first.wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)


@pytest.fixture
def shot(page, tmp_path):
    """shot(name) saves a numbered screenshot under tmp_path; all are copied to /tmp/upload_shots at the end,
    with one of the page as it was if the journey failed."""
    shots: list[Path] = []

    def take(name: str) -> None:
        page.wait_for_timeout(300)  # let the last elements paint
        path = tmp_path / f"{len(shots) + 1:02d}_{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    yield take
    if not shots or not shots[-1].name.endswith("overview_after_undo.png"):
        take("failed_here")
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir()
    for path in shots:
        shutil.copy(path, SHOTS / path.name)


def test_upload_correct_a_mapping_commit_see_it_on_the_overview_and_undo(app_server, page, messy, shot):
    base, db = app_server
    store = Store(db)
    store.commit(ingest_files([("chess.csv", CHESS)]))  # already stored: 12 people
    page.set_viewport_size({"width": 1280, "height": 2100})
    page.goto(base, timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    assert _attendance(page) == 12
    shot("overview_before")

    _go(page, "Upload", "1 · Start from the template")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(messy))
    page.get_by_text("Rows ready to store").wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.wait_for_selector('[data-testid="stDataFrame"] canvas', timeout=30_000)
    text = page.inner_text("body")
    assert "title_totals_notes.xlsx › Attendance · 4 rows · header on row 4" in text
    assert "New programmes (2): Rhyme Time, Lego Club." in text
    shot("upload_read")

    # correct one mapping: Branch -> (not imported). The editor is a canvas: click the header 'Branch' in the
    # third row (rows are 35 px under a 35 px header), step right into 'Imported as' and open its dropdown
    # the report (and the cleaned rows) come first: the editor is the grid inside the sheet's own box
    editor = page.get_by_text("title_totals_notes.xlsx › Attendance").locator(
        "xpath=following::*[@data-testid='stDataFrame'][1]")
    editor.scroll_into_view_if_needed()
    grid = editor.locator("canvas").first.bounding_box()
    page.mouse.click(grid["x"] + 30, grid["y"] + 35 + 2 * 35 + 17)
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    page.get_by_role("option", name="(not imported)").wait_for(timeout=30_000)
    page.keyboard.type("(not imp")  # the dropdown filters as one types; Enter takes the one option left
    page.get_by_role("option").first.filter(has_text="(not imported)").wait_for(timeout=30_000)
    page.keyboard.press("Enter")
    remembered = page.get_by_text("Remembered: the next file with these headers")
    remembered.first.wait_for(timeout=30_000)  # .first: the rerun's message may sit beside the stale one a moment
    page.wait_for_selector(IDLE, timeout=30_000)
    assert remembered.count() == 1  # once the rerun is done, said once
    shot("mapping_corrected")

    page.get_by_label("Your name or initials, for the upload history").fill("amy")
    page.keyboard.press("Enter")
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_role("button", name="Store this upload").click()
    page.get_by_text(re.compile(r"^Stored .*4 attendance rows")).wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    shot("stored")
    stored = store.load("attendance")
    assert stored[stored["programme"] == "Rhyme Time"]["branch"].isna().all()  # the correction took effect

    _go(page, "Overview", "What data is loaded")
    assert _attendance(page) == 12 + 14 + 17 + 9 + 11
    shot("overview_after_upload")

    _go(page, "Upload", "Upload history")
    page.get_by_text("Undo a whole upload").wait_for(timeout=30_000)
    page.get_by_test_id("stSelectbox").filter(has_text="Undo a whole upload").click()
    page.get_by_role("option", name=re.compile(r"^Batch 2 · title_totals_notes\.xlsx")).click()
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_role("button", name="Undo this upload…").click()
    page.get_by_role("button", name="Yes, undo batch 2").wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    shot("undo_asked")
    page.get_by_role("button", name="Yes, undo batch 2").click()
    page.get_by_text("Undone batch 2: removed").wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    shot("undone")

    _go(page, "Overview", "What data is loaded")
    assert _attendance(page) == 12
    shot("overview_after_undo")
    assert "Traceback" not in page.inner_text("body")
