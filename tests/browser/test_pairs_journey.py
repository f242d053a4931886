"""Issue 10 in a real browser: /upload opened first shows the same navigation as the home page; a wide
pre/post survey (one row per respondent, 'Q3 (before)' / 'Q3 (after)') is uploaded, its pair mapped to
confidence in the mapping editor, stored, and the Outcomes page's before/after table (its CSV) equals the
pairs counted here from the generated answers."""
from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def no_demo(monkeypatch):
    monkeypatch.setenv("IMPACT_AUTOLOAD_DEMO", "0")


def wide_survey(path, n: int = 30):
    rng = np.random.default_rng([2026, 10, 90])
    rows = [["Respondent", "Programme", "Confidence (before)", "Confidence (after)", "Comment"]]
    pairs = []
    for i in range(n):
        before = None if i % 6 == 0 else int(rng.integers(1, 4))
        after = int(rng.integers(2, 6))
        rows.append([f"R{i:02d}", "Job Club", "" if before is None else before, after, "good" if i % 4 == 0 else ""])
        if before is not None:
            pairs.append((before, after))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue())
    return pairs


def _nav(page) -> list[str]:
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
    return [a.inner_text().strip() for a in page.get_by_test_id("stSidebarNav").get_by_role("link").all()]


def test_a_deep_link_opened_first_shows_the_same_navigation_as_the_home_page(app_server, page):
    base, _ = app_server
    page.goto(f"{base}/upload", timeout=60_000)  # the first visit to a fresh server
    page.get_by_text("1 · Start from the template").wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector(IDLE, timeout=60_000)
    deep = _nav(page)
    page.goto(base, timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector(IDLE, timeout=60_000)
    home = _nav(page)
    assert deep == home, (deep, home)
    assert not any("dashboard" in link or "common" in link or "filterbar" in link for link in deep)


def test_pairs_mapped_in_the_page_reach_the_outcomes_before_after_table(app_server, page, tmp_path):
    base, _ = app_server
    path = tmp_path / "wide.csv"
    pairs = wide_survey(path)
    page.set_viewport_size({"width": 1280, "height": 2400})

    page.goto(base, timeout=60_000)  # home first (see the deep-link test above)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Upload", exact=False).first.click()
    page.get_by_text("1 · Start from the template").wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text("Rows ready to store").wait_for(timeout=30_000)
    page.wait_for_selector(IDLE, timeout=30_000)
    # the report and the cleaned rows come first; the editor is the grid after the sheet's title
    editor = page.get_by_text("wide.csv › wide").locator("xpath=following::*[@data-testid='stDataFrame'][1]")
    editor.locator("canvas").first.wait_for(timeout=30_000)
    editor.scroll_into_view_if_needed()

    # the pair is the third row (Respondent, Programme, the pair, Comment). Its header matches the standard
    # "confidence" item, which is worded as change ("I feel more confident…") and so never compared pre against
    # post; this survey asks a state ("How confident are you?"), so keep it as an outcome of the library's own
    grid = editor.locator("canvas").first.bounding_box()
    page.mouse.click(grid["x"] + 30, grid["y"] + 35 + 2 * 35 + 17)
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    page.get_by_role("option").first.wait_for(timeout=30_000)
    page.keyboard.type("conf")
    own = page.get_by_role("option").filter(has_text="Own outcome: confidence").first
    own.wait_for(timeout=30_000)
    own.click()
    page.get_by_text("the next file with these headers will be read this way").first.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)

    page.get_by_role("button", name="Store this upload").click()
    # the store's own message (a bare "Stored " also matches the page's introduction, "…stored…", at once)
    page.get_by_text(re.compile(r"^Stored \d")).first.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=30_000)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Outcomes").click()
    try:
        page.get_by_text("Before and after").first.wait_for(timeout=120_000)  # first view codes every comment once
    except Exception as error:  # say what the page showed instead
        raise AssertionError("the Outcomes page showed instead:\n" + page.inner_text("body")[-3000:]) from error
    page.wait_for_selector(IDLE, timeout=30_000)
    with page.expect_download(timeout=30_000) as download:
        page.locator(".st-key-download-outcomes-change button").click()
    table = pd.read_csv(download.value.path())
    (row,) = table.to_dict("records")
    before = [b for b, _ in pairs]
    after = [a for _, a in pairs]
    from impact.views import domain_label

    assert row[table.columns[0]] in (domain_label("outcome_confidence"), domain_label("outcome_confidence_own"))
    assert row[table.columns[2]] == len(pairs)  # n: matched pairs, counted here
    means = [c for c in table.columns if "mean" in c.lower()]
    assert round(row[means[0]], 2) == round(float(np.mean(before)), 2)
    assert round(row[means[1]], 2) == round(float(np.mean(after)), 2)
    assert "Traceback" not in page.inner_text("body")
