"""An advocate picks a scope in the Evidence page's filter bar, builds the pack and downloads one zip, in a real browser."""
from __future__ import annotations

import io
import zipfile

import pytest
from streamlit_idle import IDLE

pytestmark = pytest.mark.browser


def test_choose_a_theme_build_the_pack_and_download_the_zip(app_server, page, tmp_path):
    base, _ = app_server
    page.goto(f"{base}/evidence", timeout=90_000)
    page.wait_for_selector("text=Build the evidence pack", timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    themes = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Theme")
    themes.click()
    page.keyboard.type("Digital")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Build the evidence pack").click()
    download_button = page.get_by_role("button", name="Download the evidence pack (zip)")
    download_button.wait_for(timeout=120_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    assert "digital inclusion programmes" in page.inner_text("body")
    assert "Scope: Digital inclusion, all dates" in page.inner_text("body")
    with page.expect_download(timeout=60_000) as info:
        download_button.click()
    path = tmp_path / "pack.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        names = z.namelist()
        statements = z.read("statements.txt").decode()
    assert {"evidence-pack.xlsx", "evidence-pack.pdf", "evidence-pack.html", "statements.txt"} <= set(names)
    assert any(n.startswith("charts/") and n.endswith(".png") for n in names)
    assert "Themes: Digital inclusion" in statements
    assert page.locator('[data-testid="stException"]').count() == 0
