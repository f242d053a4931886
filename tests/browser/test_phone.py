"""A manager on a phone between meetings (390 × 844): the filter button is labelled, active filters are chips
at the top, tables and charts stay inside the screen (scrolling inside themselves), the chart toolbar covers no
title. Screenshots are kept under the test's temporary folder (PHONE_SHOTS=dir keeps them elsewhere)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PHONE_SHOTS") or tmp_path / "phone")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_overview_on_a_phone(app_server, page, tmp_path):
    base, _ = app_server
    shots = _shots(tmp_path)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/?theme=Early+literacy&period=2024%2F25", timeout=90_000)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(shots / "overview-top.png"))
    page.screenshot(path=str(shots / "overview-full.png"), full_page=True)
    # the page never scrolls sideways: every table and chart fits or scrolls inside itself
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width
    for box in page.locator('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]').all():
        b = box.bounding_box()
        assert b and b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] + 1, b
    # the active filters are chips at the top, each one removable
    main = page.locator('[data-testid="stMain"]')
    chip = main.get_by_role("button", name="Theme: Early literacy")
    assert chip.count() == 1
    assert chip.bounding_box()["y"] < 400  # near the top, above the cards
    # the button that opens the filters shows its name as text (Streamlit names it "Expand sidebar")
    opener = page.get_by_role("button", name="Expand sidebar", exact=True)
    assert opener.count() == 1 and opener.is_visible()
    shown = opener.evaluate("e => getComputedStyle(e, '::after').content")
    assert shown == '"Expand sidebar"' and opener.bounding_box()["width"] > 80
    # the chart toolbar (shown on hover or tap) covers no title
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    page.wait_for_timeout(300)
    bar = chart.locator(".modebar")
    title = chart.locator(".gtitle")
    if bar.count() and bar.first.is_visible():
        a, t = bar.first.bounding_box(), title.first.bounding_box()
        overlap = not (a["x"] + a["width"] <= t["x"] or t["x"] + t["width"] <= a["x"]
                       or a["y"] + a["height"] <= t["y"] or t["y"] + t["height"] <= a["y"])
        assert not overlap, (a, t)
    page.screenshot(path=str(shots / "overview-chart.png"))
    chip.click()
    page.wait_for_function("() => !location.search.includes('theme=')", timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    opener.click()
    page.get_by_role("button", name="Clear filters").wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "filters-open.png"))
    assert page.locator('[data-testid="stException"]').count() == 0
