"""A new user's first start: the app loads the demo library service on an empty database and shows a
real overview in a real browser."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

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
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Attendance")
    assert int(re.sub(r"\D", "", card.get_by_test_id("stMetricValue").inner_text())) > 10_000
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert page.locator(".js-plotly-plot").filter(has_text="Share of responses agreeing with each outcome").count()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in text
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("IMPACT_SHOTS"):  # keep a copy to look at
        shutil.copy(shot, Path(os.environ["IMPACT_SHOTS"]) / shot.name)
