"""A library manager's tour in a real browser: every explore page on the demo data, a theme chosen in the
shared filter bar, the chart redrawn, the view in the address bar; screenshots kept to look at."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/dash_shots")  # copies for people to look at
PAGES = [("Overview", "Headline figures"), ("Outcomes", "By outcome"), ("Programmes", "Compare programmes"),
         ("Partners", "The five stakes per partnership"), ("Equity", "Representation by group")]


def _idle(page) -> None:
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(200)  # a rerun can start just after idle is reached
    page.wait_for_selector(IDLE, timeout=60_000)


def _chart(page) -> str:
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=30_000)
    return plot.locator("svg.main-svg").first.inner_html()


def _choose_theme(page, theme: str) -> None:
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Theme")
    box.click()
    page.keyboard.type(theme)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def _clear_filters(page) -> None:
    page.get_by_test_id("stSidebar").get_by_role("button", name="Clear filters").click()
    page.wait_for_function("() => !location.search.includes('theme=')", timeout=30_000)
    _idle(page)


def test_every_page_redraws_when_a_filter_changes(app_server, page, tmp_path):
    base, _ = app_server
    page.set_viewport_size({"width": 1280, "height": 2600})  # 1280 wide; tall so a screenshot holds the page
    page.goto(base, timeout=120_000)
    page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)  # the first start loads the demo
    _idle(page)
    shots = []
    try:
        for title, ready in PAGES:
            page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
            page.get_by_text(ready).first.wait_for(timeout=60_000)
            _idle(page)
            before = _chart(page)
            assert page.get_by_test_id("stException").count() == 0, title
            path = tmp_path / f"{len(shots) + 1:02d}_{title.lower()}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)
            _choose_theme(page, "Early literacy")
            page.wait_for_function("() => location.search.includes('theme=Early')", timeout=30_000)
            _idle(page)
            assert _chart(page) != before, f"{title}: the chart did not change with the filter"
            assert page.get_by_test_id("stException").count() == 0, title
            assert "Traceback" not in page.inner_text("body")
            path = tmp_path / f"{len(shots) + 1:02d}_{title.lower()}_early_literacy.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)
            _clear_filters(page)
        # the address bar holds the view: opening it afresh shows the same filter
        page.goto(f"{base}/outcomes?theme=Early+literacy&period=2024%2F25", timeout=60_000)
        page.get_by_text("By outcome").first.wait_for(timeout=60_000)
        _idle(page)
        path = tmp_path / f"{len(shots) + 1:02d}_shared_link.png"
        page.screenshot(path=str(path))
        shots.append(path)
        bar = page.get_by_test_id("stSidebar")
        bar.get_by_text("Early literacy").first.wait_for(timeout=30_000)
        period = bar.get_by_test_id("stSelectbox").filter(has_text="Period")
        assert "2024/25" in (period.inner_text() + " " + period.locator("input").first.input_value())
    finally:
        if SHOTS.exists():
            shutil.rmtree(SHOTS)
        SHOTS.mkdir()
        for path in shots:
            shutil.copy(path, SHOTS / path.name)
