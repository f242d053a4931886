"""`python -m impact equity` and `python -m impact partners`: JSON shape, filters, settings from the store.
Runs the CLI in-process on a small workbook (with a population sheet) imported into SQLite."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from workbooks import workbook

from impact.cli import main
from impact.store import Store


def _workbook(path) -> None:
    day = dt.date(2024, 5, 1)
    sheets = {
        "Programmes": [["Programme", "Branch", "Library cost", "Staff hours"], ["ESOL Cafe", "Central", 1000, 0],
                       ["Summer Reading", "Central", 9000, 0]],
        "Partners": [["Partner", "Partnership type"], ["Giver", "community"], ["Taker", "stakeholder"]],
        "Programme partners": [["Programme", "Partner", "Cash", "Partner staff hours", "Promoted?", "Credited?"],
                               ["ESOL Cafe", "Giver", 3000, 100, "Yes", "No"],
                               ["Summer Reading", "Taker", 1000, 0, "No", "Yes"]],
        "Attendance": [["Programme", "Date", "Attendance", "Age band", "Ward"],
                       ["ESOL Cafe", day, 10, "18-24", "Docklands"],
                       ["Summer Reading", day, 800, "Under 12", "Abbey"],
                       ["Summer Reading", day + dt.timedelta(days=1), 90, "65 and over", "Abbey"]],
        "Survey responses": [["Programme", "Wave", "I learned something new", "Age band"],
                             *[["Summer Reading", "post", 5, "Under 12"]] * 12,
                             *[["ESOL Cafe", "post", score, "18-24"] for score in (2, 2, 2, 3, 3, 4, 2, 2, 5, 1, 2, 3)]],
        "Population": [["Dimension", "Group", "Population"], ["Age band", "0-11", 1000], ["Age band", "12-17", 500],
                       ["Age band", "18-24", 1000], ["Age band", "25-64", 5000], ["Age band", "65+", 2500],
                       ["Ward", "Abbey", 5000], ["Ward", "Docklands", 5000]],
    }
    path.write_bytes(workbook(sheets))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("equity_cli")
    _workbook(folder / "small.xlsx")
    url = f"sqlite:///{folder / 'impact.db'}"
    assert main(["import", str(folder / "small.xlsx"), "--db", url]) == 0
    store = Store(url)
    store.set_setting("hourly_rate", 10)
    store.dispose()
    return url


def run(capsys, db, command, *args) -> dict:
    capsys.readouterr()
    assert main([command, "--json", "--db", db, *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_equity_json_has_reach_by_dimension_and_outcome_gaps_by_domain_and_dimension(capsys, db):
    out = run(capsys, db, "equity")
    age = out["reach"]["age_band"]
    assert {"groups", "dissimilarity"} <= set(age)
    assert {"group", "participants", "share", "population_share", "representation_index", "blindspot"} \
        <= set(age["groups"][0])
    by = {g["group"]: g for g in age["groups"]}
    assert by["65+"]["participants"] == 90  # "65 and over" matched to the baseline's "65+"
    assert by["0-11"]["participants"] == 800  # "Under 12" is 0-11
    assert by["25-64"]["participants"] == 0 and by["25-64"]["blindspot"]
    assert age["dissimilarity"] == pytest.approx(0.5 * sum(abs(g["share"] - g["population_share"])
                                                           for g in age["groups"]))
    gap = out["outcomes"]["knowledge"]["age_band"]
    assert {"groups", "gap", "significant"} <= set(gap)
    assert (gap["best"], gap["worst"], gap["significant"]) == ("0-11", "18-24", True)  # the baseline's wording
    assert gap["gap"] == pytest.approx(1 - 2 / 12)


def test_equity_takes_the_indicators_filters_and_one_dimension(capsys, db):
    out = run(capsys, db, "equity", "--dimension", "area", "--programme", "ESOL Cafe")
    assert list(out["reach"]) == ["area"]
    assert [(g["group"], g["participants"]) for g in out["reach"]["area"]["groups"]] == [("Abbey", 0),
                                                                                      ("Docklands", 10)]
    assert out["filters"]["programmes"] == ["ESOL Cafe"]


def test_the_blindspot_threshold_is_read_from_the_store(capsys, db):
    store = Store(db)
    store.set_setting("blindspot_threshold", 0.01)
    store.dispose()
    try:
        out = run(capsys, db, "equity")
        assert out["threshold"] == 0.01
        assert [g["group"] for g in out["reach"]["age_band"]["groups"] if g["blindspot"]] == ["12-17", "25-64"]
    finally:
        store = Store(db)
        store.set_setting("blindspot_threshold", 0.8)
        store.dispose()


def test_partners_json_has_the_five_stakes_findings_in_words_and_the_imbalance(capsys, db):
    out = run(capsys, db, "partners")
    stakes = {(s["programme"], s["party"]): s for s in out["stakes"]}
    giver = stakes[("ESOL Cafe", "Giver")]
    # ESOL Cafe: the library 0 hours and £1,000; Giver 100 hours and £3,000, promoted, not credited; 1 session
    assert (giver["efforts"], giver["outputs"], giver["money_share"]) == pytest.approx((1.0, 0.0, 0.75))
    assert (giver["marketing"], giver["results"]) == (0.5, 0.0)
    taker = stakes[("Summer Reading", "Taker")]
    assert taker["efforts"] is None and taker["money_share"] == pytest.approx(0.1) and taker["marketing"] == 0
    assert out["not_shared"] == ["ESOL Cafe"]
    assert [f["words"] for f in out["findings"]] == [
        "Giver gave 100% of the staff hours and put in 75% of the money in ESOL Cafe and was not credited"]
    # library C = (5/12 + 0.95) / 2, R = 0.75; Giver C = 7/12 / 2, R = 0.125; Taker C = 0.025, R = 0.125
    assert out["imbalance"] == pytest.approx(0.5 * (abs((5 / 12 + 0.95) / 2 - 0.75) + abs(7 / 24 - 0.125) + 0.1))
    assert out["network"]["library_only"] == ["Giver", "Taker"]
    assert out["thresholds"]["most"] == 0.5 and out["feedback"]["partnerships"] == []


def test_partners_json_carries_cost_effectiveness_at_the_stored_hourly_rate_labelled_as_such(capsys, db):
    value = run(capsys, db, "partners")["cost_effectiveness"]
    assert value["hourly_rate"] == 10 and "not fairness" in value["note"]
    by = {v["partner"]: v for v in value["partners"]}
    # ESOL Cafe: 10 × 2/12 positive for £5,000; Summer Reading: 890 × 12/12 for £10,000
    assert by["Giver"]["per_1000"] == pytest.approx(1000 * (10 * 2 / 12) / 5000)
    average = 1000 * (10 * 2 / 12 + 890) / 15000
    assert by["Taker"]["relative"] == pytest.approx(89 / average)


def test_text_output_names_blindspots_and_partnerships_not_shared(capsys, db):
    capsys.readouterr()
    assert main(["equity", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "blindspot: 25-64" in text and "dissimilarity" in text
    assert main(["partners", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "imbalance of the network" in text and "Giver gave 100% of the staff hours" in text
    assert "gives more than it gets" not in text


def test_partners_on_an_empty_database_says_what_to_upload(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    out = run(capsys, url, "partners")
    assert out["partnerships"] == [] and "Programme partners sheet" in out["empty"]
    assert main(["partners", "--db", url]) == 0 and "upload a Programme partners sheet" in capsys.readouterr().out


def test_a_wrong_filter_is_a_message_and_exit_code_2(capsys, db):
    assert main(["equity", "--db", db, "--group", "shoe_size=9"]) == 2
    assert "unknown demographic dimension" in capsys.readouterr().err
