"""The partners page with AppTest: the demo, an empty database, partners with no links, one partner."""
from __future__ import annotations

import datetime as dt

from conftest import _use
from pagetest import figure, infos, run
from workbooks import workbook

from impact.charts import LIBRARY_COLOUR, PARTNERSHIP_COLOURS
from impact.ingest import ingest_files
from impact.store import Store
from ui.common import Keys

PAGE = "pages/partners.py"


def _database(tmp_path, monkeypatch, sheets: dict) -> str:
    url = f"sqlite:///{tmp_path / 'partners.db'}"
    store = Store(url)
    assert store.commit(ingest_files([("upload.xlsx", workbook(sheets))])).ok
    store.dispose()
    _use(url, monkeypatch)
    return url


DAY = dt.date(2024, 5, 1)
PROGRAMMES = [["Programme", "Library cost", "Staff hours"], ["Cook and Eat", 100, 10], ["Story Walk", 100, 20]]
ATTENDANCE = [["Programme", "Date", "Attendance"], ["Cook and Eat", DAY, 12], ["Story Walk", DAY, 30]]


def test_the_demo_leads_with_partnerships_not_shared_and_colours_by_type(demo):
    at = run(PAGE)
    text = " ".join(m.value for m in at.markdown)
    assert "Rainbow Refugee Network" in text and "not credited" in text
    stakes = figure(at, "The five stakes per partnership")
    colours = {t["name"]: t["marker"]["color"] for t in stakes["data"]}
    assert colours["library service"] == LIBRARY_COLOUR
    assert colours["community"] == PARTNERSHIP_COLOURS["community"]
    assert {t["xaxis"] for t in stakes["data"]} == {"x", "x2", "x3", "x4", "x5"}  # one small multiple per stake
    network = figure(at, "Partnership network")
    assert {t["name"] for t in network["data"] if t.get("name")} >= {"programme", "library partner"}
    feedback = figure(at, "Is it working for both sides")
    assert {t["name"] for t in feedback["data"] if t.get("name")} == {"the library's view", "the partner's view"}
    tables = [d.value for d in at.dataframe]
    assert any("efforts % (staff hours)" in t.columns and "(the library service)" in set(t["party"]) for t in tables)
    assert not any("balance" in t.columns for t in tables)
    assert "gives more than it gets" not in " ".join(m.value for m in at.caption)


def test_empty_database_says_what_to_upload(app):
    at = run(PAGE)
    assert "Programme partners sheet" in infos(at)


def test_partners_listed_with_no_links_say_so_without_an_error(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, {"Programmes": PROGRAMMES, "Attendance": ATTENDANCE,
                                      "Partners": [["Partner", "Partnership type"], ["Food Bank", "community"]]})
    at = run(PAGE)
    assert "1 partners are listed but none is linked" in infos(at)


def test_one_partner_in_every_programme_renders_every_section(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, {
        "Programmes": PROGRAMMES, "Attendance": ATTENDANCE,
        "Partners": [["Partner", "Partnership type"], ["Food Bank", "community"]],
        "Programme partners": [["Programme", "Partner", "Role", "Partner staff hours", "Sessions led", "Promoted",
                                "Credited"],
                               ["Cook and Eat", "Food Bank", "lead", 30, 1, "yes", "no"],
                               ["Story Walk", "Food Bank", "co-delivery", 20, "", "yes", "yes"]]})
    at = run(PAGE)
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Food Bank gave 75% of the staff hours" in text
    assert at.selectbox(key=Keys.PARTNER).value == "Food Bank"
    assert figure(at, "The five stakes per partnership")
    assert "No health checks" in " ".join(c.value for c in at.caption)


def test_a_partnership_type_filter_narrows_the_partnerships(demo):
    at = run(PAGE)
    everyone = len(at.dataframe[0].value)
    at.multiselect(key=Keys.TYPES).set_value(["library"]).run()
    assert not at.exception
    assert 0 < len(at.dataframe[0].value) < everyone


def test_a_partner_profile(demo):
    at = run(PAGE)
    at.selectbox(key=Keys.PARTNER).set_value("Age UK Westfield").run()
    assert not at.exception
    profile = next(d.value for d in at.dataframe[::-1] if "party" in d.value.columns)
    assert "Age UK Westfield" in set(profile["party"]) and "(the library service)" in set(profile["party"])
