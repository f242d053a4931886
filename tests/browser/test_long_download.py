"""A long table's CSV is made when its button is clicked (Streamlit's deferred download), in a real browser."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser


def test_the_comments_table_downloads_every_comment_on_click(app_server, page):
    base, _ = app_server
    page.goto(f"{base}/outcomes", timeout=90_000)
    page.get_by_text("What people said").first.wait_for(timeout=180_000)  # the first view codes every comment
    page.wait_for_selector(IDLE, timeout=60_000)
    said = page.get_by_text("comments in scope; codes and tone").first
    n = int(said.inner_text().split()[0].replace(",", ""))
    assert n > 1_000  # a long table: its CSV is made on click (ui.common.csv_when_clicked)
    page.get_by_text("Every comment in scope, with its codes and tone").first.click()  # drawn once opened
    button = page.locator(".st-key-download-outcomes-said-comments button")
    button.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        button.click()
    table = pd.read_csv(download.value.path())
    assert len(table) == n and {"comment", "codes", "tone"} <= set(table.columns)
    assert "Traceback" not in page.inner_text("body")
