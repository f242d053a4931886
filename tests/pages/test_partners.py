"""The partners page with AppTest."""
from __future__ import annotations

from pagetest import figure, infos, run

from impact.charts import PARTNERSHIP_COLOURS
from ui.common import Keys

PAGE = "pages/partners.py"


def test_partners_render_on_the_demo_with_one_colour_per_type(demo):
    at = run(PAGE)
    scatter = figure(at, "Input share against result share")
    colours = {t["name"]: t["marker"]["color"] for t in scatter["data"] if t.get("mode") == "markers"}
    assert colours["community"] == PARTNERSHIP_COLOURS["community"]
    assert colours["stakeholder"] == PARTNERSHIP_COLOURS["stakeholder"]
    network = figure(at, "Partnership network")
    assert {t["name"] for t in network["data"] if t.get("name")} >= {"programme", "library partner"}
    balance = figure(at, "Balance per partner")
    assert "n = " in balance["data"][0]["hovertemplate"]
    stakes = at.dataframe[0].value
    assert {"partner", "input share %", "result share %", "balance"} <= set(stakes.columns)


def test_empty_database_says_what_to_do(app):
    at = run(PAGE)
    assert "upload" in infos(at).lower()


def test_a_partnership_type_filter_narrows_the_partners(demo):
    at = run(PAGE)
    everyone = len(at.dataframe[0].value)
    at.multiselect(key=Keys.TYPES).set_value(["library"]).run()
    assert not at.exception
    stakes = at.dataframe[0].value
    # programmes with a library-type partner, and every partner of those programmes (their co-partners too)
    assert 0 < len(stakes) < everyone and "library" in set(stakes["partnership type"])


def test_a_partner_profile(demo):
    at = run(PAGE)
    at.selectbox(key=Keys.PARTNER).set_value("Age UK Westfield").run()
    assert not at.exception
    profile = next(d.value for d in at.dataframe if "party" in d.value.columns and
                   set(d.value["party"]) == {"Age UK Westfield"})
    assert len(profile) >= 1
