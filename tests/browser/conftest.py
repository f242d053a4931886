"""Start the real app on a free loopback port and drive it with Debian's chromium (never a downloaded browser)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from app_process import ARGS, CHROMIUM, NotStarted, serving
from streamlit_idle import IDLE  # noqa: F401  (re-exported for the tests)


@pytest.fixture
def app_server(tmp_path):
    """The dashboard started headless on its own database; yields (base url, database url)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is required under CI (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    db = f"sqlite:///{tmp_path / 'browser.db'}"
    try:
        with serving(tmp_path / "server.log", {**os.environ, "IMPACT_DATABASE_URL": db}) as base:
            yield base, db
    except NotStarted as e:
        pytest.fail(str(e))


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 800})
        yield pg
        browser.close()
