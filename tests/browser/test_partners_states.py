"""The Partners page in a real browser for the two states every real file tried was in: no partners at all,
and one partner with a few links. Neither may show an exception."""
from __future__ import annotations

import contextlib
import datetime as dt
import os

import pytest
from app_process import serving
from streamlit_idle import IDLE
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store

pytestmark = pytest.mark.browser
DAY = dt.date(2024, 5, 1)
ONE_PARTNER = {
    "Programmes": [["Programme", "Library cost", "Staff hours"], ["Cook and Eat", 100, 10], ["Story Walk", 100, 20]],
    "Attendance": [["Programme", "Date", "Attendance"], ["Cook and Eat", DAY, 12], ["Story Walk", DAY, 30]],
    "Partners": [["Partner", "Partnership type"], ["Food Bank", "community"]],
    "Programme partners": [["Programme", "Partner", "Role", "Partner staff hours", "Promoted", "Credited"],
                           ["Cook and Eat", "Food Bank", "lead", 30, "yes", "no"],
                           ["Story Walk", "Food Bank", "co-delivery", 20, "yes", "yes"]],
}


@pytest.fixture
def serve(tmp_path):
    """Start the dashboard on a database of the test's own, without loading the demo."""
    with contextlib.ExitStack() as running:

        def start(sheets: dict | None) -> str:
            url = f"sqlite:///{tmp_path / 'partners.db'}"
            if sheets:
                store = Store(url)
                assert store.commit(ingest_files([("upload.xlsx", workbook(sheets))])).ok
                store.dispose()
            env = {**os.environ, "IMPACT_DATABASE_URL": url, "IMPACT_AUTOLOAD_DEMO": "0"}
            return running.enter_context(serving(tmp_path / "server.log", env))

        yield start


def _open_partners(page, base: str, ready: str) -> str:
    page.goto(f"{base}/partners", timeout=90_000)
    page.get_by_text(ready).first.wait_for(timeout=90_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0
    text = page.inner_text("body")
    assert "Traceback" not in text and "NetworkXAlgorithmError" not in text
    return text


def test_no_partners_shows_what_to_upload(serve, page, tmp_path):
    base = serve({"Programmes": ONE_PARTNER["Programmes"], "Attendance": ONE_PARTNER["Attendance"]})
    text = _open_partners(page, base, "Programme partners sheet")
    assert "Partnership health check sheet" in text
    page.screenshot(path=str(tmp_path / "partners_empty.png"), full_page=True)


def test_one_partner_shows_its_stakes_and_the_network(serve, page, tmp_path):
    base = serve(ONE_PARTNER)
    text = _open_partners(page, base, "The five stakes per partnership")
    assert "Food Bank gave 75% of the staff hours" in text
    page.locator(".js-plotly-plot").filter(has_text="Partnership network").wait_for(timeout=30_000)
    page.screenshot(path=str(tmp_path / "partners_one.png"), full_page=True)
