"""A new user's first start: the app loads the demo library service on an empty database and shows a
real overview in a real browser."""
from __future__ import annotations

import re

import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser


def test_first_start_shows_the_demo_overview(app_server, page, tmp_path):
    base, _ = app_server
    page.goto(base, timeout=90_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    text = page.inner_text("body")
    assert "Overview" in text
    attendance = page.locator('[data-testid="stMetric"]').filter(has_text="Attendance").inner_text()
    assert int(re.sub(r"\D", "", attendance.split("\n")[-1])) > 10_000
    assert "Learned something new" in text or "More confident" in text
    assert "Traceback" not in text
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
