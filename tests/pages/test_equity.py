"""The equity page with AppTest."""
from __future__ import annotations

from pagetest import figure, infos, run
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store
from ui.common import Keys

PAGE = "pages/equity.py"


def test_equity_renders_on_the_demo_with_blindspots_and_gaps(demo):
    at = run(PAGE)
    ri = figure(at, "Who is reached in proportion")
    assert "n = " in ri["data"][0]["hovertemplate"]
    assert any(shape.get("x0") == 1 for shape in ri["layout"]["shapes"])  # the parity line
    blind = next(d.value for d in at.dataframe if "shortfall" in d.value.columns
                 and "dimension" in d.value.columns)
    assert len(blind) == int(next(m.value for m in at.metric if m.label == "Blindspots"))
    assert figure(at, "share positive by")


def test_empty_database_says_what_to_do(app):
    at = run(PAGE)
    assert "upload" in infos(at).lower()


def test_without_a_population_baseline_the_page_says_so(app):
    surveys = workbook({"Survey": [["Programme", "Age", "I feel more confident about what I just learned"]]
                        + [["Code Club", "65+", "Agree"]] * 12 + [["Code Club", "18-64", "Disagree"]] * 12})
    Store(app).commit(ingest_files([("ages.xlsx", surveys)]))
    at = run(PAGE)
    assert "population table" in infos(at)
    assert figure(at, "share positive by age band")  # outcome gaps need no baseline


def test_a_branch_filter_and_another_dimension_change_the_figure(demo):
    at = run(PAGE)
    before = figure(at, "Who is reached in proportion")["data"][0]["x"]
    at.multiselect(key=Keys.BRANCHES).set_value(["Riverside"]).run()
    assert not at.exception
    assert figure(at, "Who is reached in proportion")["data"][0]["x"] != before
    names = at.selectbox(key=Keys.EQUITY_DIMENSION).options
    at.selectbox(key=Keys.EQUITY_DIMENSION).set_value(names[-1]).run()
    assert not at.exception
