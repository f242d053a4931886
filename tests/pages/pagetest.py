"""Helpers for the page tests: run the dashboard with AppTest and read its figures."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/overview.py", "pages/outcomes.py", "pages/programmes.py", "pages/partners.py", "pages/equity.py",
         "pages/comments.py"]


def run(page: str | None = None, query: dict | None = None) -> AppTest:
    """The dashboard run once (then switched to `page`), with no exception."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    if page and page != "pages/overview.py":
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def figure(at: AppTest, title_part: str) -> dict:
    found = [f for f in figures(at) if title_part in f["layout"]["title"]["text"]]
    assert found, [f["layout"]["title"]["text"] for f in figures(at)]
    return found[0]


def infos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def upload_page() -> AppTest:
    """The dashboard opened on the Upload page, with no exception."""
    return run("pages/upload.py")


def upload_files(at: AppTest, *files) -> AppTest:
    """(name, bytes, mime) files given to the Upload page's file uploader, with no exception."""
    at.file_uploader[0].set_value(list(files)).run()
    assert not at.exception, at.exception
    return at
