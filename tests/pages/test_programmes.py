"""The programmes page with AppTest."""
from __future__ import annotations

from pagetest import figure, infos, run

from ui.common import Keys

PAGE = "pages/programmes.py"


def test_programmes_compare_and_drill_into_one_on_the_demo(demo):
    at = run(PAGE)
    bars = figure(at, "Attendance by programme")
    assert len(bars["data"][0]["y"]) == 20 and "sessions" in bars["data"][0]["hovertemplate"]
    table = at.dataframe[0].value
    assert len(table) > 20 and {"programme", "attendance", "n", "positive rate %"} <= set(table.columns)
    name = at.selectbox(key=Keys.PROGRAMME).value
    assert name == table.iloc[0]["programme"]  # best attended first
    assert {"Sessions", "Attendance", "Fill rate"} <= {m.label for m in at.metric}
    assert figure(at, "Attendance and positive outcomes")


def test_empty_database_says_what_to_do(app):
    at = run(PAGE)
    assert "upload" in infos(at).lower()
    assert not at.get("plotly_chart")


def test_a_theme_filter_and_the_outcome_view_change_the_comparison(demo):
    at = run(PAGE)
    before = figure(at, "Attendance by programme")["data"][0]["y"]
    at.multiselect(key=Keys.THEMES).set_value(["Health & wellbeing"]).run()
    assert figure(at, "Attendance by programme")["data"][0]["y"] != before
    at.radio(key=Keys.PROGRAMMES_METRIC).set_value("Positive outcomes").run()
    assert "n = " in figure(at, "Share of positive answers by programme")["data"][0]["hovertemplate"]


def test_choosing_another_programme_shows_its_partners(demo):
    at = run(PAGE)
    names = at.selectbox(key=Keys.PROGRAMME).options
    at.selectbox(key=Keys.PROGRAMME).set_value(names[-1]).run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Sessions")
