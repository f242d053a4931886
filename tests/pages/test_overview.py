"""The overview page with AppTest: real figures on data, an empty state on an empty database."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from workbooks import workbook
from streamlit.testing.v1 import AppTest

from impact.ingest import ingest_files
from impact.store import Store

ROOT = Path(__file__).resolve().parents[2]
SMALL = workbook({
    "Attendance": [["Programme", "Date", "Attendance", "New to library"],
                   ["Code Club", "2025-04-03", 12, 2], ["Code Club", "2025-04-10", 8, 1]],
    "Survey": [["Programme", "I feel more confident about what I just learned"]] +
              [["Code Club", "Strongly agree"]] * 9 + [["Code Club", "Disagree"]] * 3,
})


@pytest.fixture
def app(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("IMPACT_DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_AUTOLOAD_DEMO", "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    st.cache_data.clear()
    st.cache_resource.clear()


def _run() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_overview_shows_attendance_and_outcomes_with_n(app):
    Store(app).commit(ingest_files([("small.xlsx", SMALL)]))
    at = _run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attendance"] == "20"
    assert metrics["Sessions"] == "2"
    assert metrics["New to the library"] == "3"
    table = at.dataframe[0].value
    row = table[table["outcome"] == "More confident"].iloc[0]
    assert row["n"] == 12 and row["positive"] == 9 and row["positive rate %"] == 75.0
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "n = " in figure["data"][0]["hovertemplate"]


def test_overview_marks_small_groups_instead_of_showing_a_percentage(app):
    few = workbook({"Survey": [["Programme", "I feel more confident about what I just learned"]] +
                              [["Code Club", "Agree"]] * 4})
    Store(app).commit(ingest_files([("few.xlsx", few)]))
    at = _run()
    table = at.dataframe[0].value
    assert table.loc[0, "note"] == "fewer than 10 responses"
    assert table["positive rate %"].isna().all()


def test_empty_database_shows_what_to_do_next(app):
    at = _run()
    assert any("No attendance or survey responses" in i.value for i in at.info)
    assert not at.metric
