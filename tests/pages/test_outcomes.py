"""The outcomes page with AppTest."""
from __future__ import annotations

from pagetest import figure, infos, run
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store
from ui.common import Keys

PAGE = "pages/outcomes.py"


def test_outcomes_render_on_the_demo_with_n_and_the_method_named(demo):
    at = run(PAGE)
    assert "n = " in figure(at, "Share of responses agreeing")["data"][0]["hovertemplate"]
    assert "n = " in figure(at, "share positive by theme")["data"][0]["hovertemplate"]
    change = next(d.value for d in at.dataframe if "method" in d.value.columns)
    assert change["method"].str.contains("pairs|groups").all()
    assert "Method:" in " ".join(c.value for c in at.caption)
    assert any(m.label == "Applied it later" for m in at.metric)


def test_empty_database_says_what_to_do(app):
    at = run(PAGE)
    assert "upload" in infos(at).lower()
    assert at.get("page_link")
    assert not at.get("plotly_chart")


def test_a_branch_filter_changes_the_comparison(demo):
    at = run(PAGE)
    before = figure(at, "share positive by theme")["data"][0]["customdata"]
    at.multiselect(key=Keys.BRANCHES).set_value(["Eastfield"]).run()
    assert not at.exception
    assert figure(at, "share positive by theme")["data"][0]["customdata"] != before


def test_breakdown_over_time_and_by_outcome(demo):
    at = run(PAGE)
    at.selectbox(key=Keys.OUTCOMES_BY).set_value("period").run()
    at.selectbox(key=Keys.OUTCOMES_DOMAIN).set_value("confidence").run()
    fig = figure(at, "More confident: share positive by period")
    assert fig["data"][0]["type"] == "scatter" and len(fig["data"][0]["x"]) == 36


def test_small_groups_are_marked_not_given_a_percentage(app):
    few = workbook({"Survey": [["Programme", "I feel more confident about what I just learned"]]
                    + [["Code Club", "Agree"]] * 12 + [["Chess Club", "Agree"]] * 3})
    Store(app).commit(ingest_files([("few.xlsx", few)]))
    at = run(PAGE)
    at.selectbox(key=Keys.OUTCOMES_BY).set_value("programme").run()
    table = next(d.value for d in at.dataframe if {"group", "positive rate %"} <= set(d.value.columns))
    chess = table[table["group"] == "Chess Club"].iloc[0]
    assert chess["note"] == "fewer than 10 answers" or chess["note"] == "fewer than 10 responses"
    assert chess["positive rate %"] != chess["positive rate %"]  # NaN: no percentage
    fig = figure(at, "share positive by programme")
    assert any("fewer than 10" in (t.get("name") or "") for t in fig["data"])
