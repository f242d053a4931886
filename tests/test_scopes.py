"""An account limited to some partners or branches: the frames are cut before anything is computed."""
from __future__ import annotations

import pandas as pd

from impact.scopes import Scope, limit


def _frames():
    programmes = pd.DataFrame({"programme_id": ["code-club", "rhyme-time", "chess-club"],
                               "name": ["Code Club", "Rhyme Time", "Chess Club"],
                               "branch": ["Central", "Northside", "Central"]})
    partners = pd.DataFrame({"partner_id": ["stem-trust", "health-visitors", "chess-society"],
                             "name": ["STEM Trust", "Health Visitors", "Chess Society"]})
    links = pd.DataFrame({"programme": ["Code Club", "Rhyme Time", "Chess Club", "Code Club"],
                          "partner": ["STEM Trust", "Health Visitors", "Chess Society", "Chess Society"]})
    attendance = pd.DataFrame({"programme": ["Code Club", "code-club", "Rhyme Time", "Chess Club", "Code Club"],
                               "branch": ["Central", None, "Northside", "Central", "Northside"],
                               "attendees": [12, 9, 15, 7, 4]})
    surveys = pd.DataFrame({"programme": ["Code Club", "Rhyme Time", "Chess Club"], "knowledge": [5, 4, 3]})
    population = pd.DataFrame({"catchment": ["Central"], "population": [1000]})
    return {"programmes": programmes, "partners": partners, "programme_partners": links,
            "attendance": attendance, "survey_responses": surveys, "population": population}


def test_no_scope_is_everything():
    frames = _frames()
    assert limit(frames, Scope()) is frames


def test_a_partner_sees_its_partnerships_and_the_programmes_it_is_part_of_never_others():
    out = limit(_frames(), Scope(partners=("STEM Trust",)))
    assert out["programmes"]["name"].tolist() == ["Code Club"]
    assert out["partners"]["name"].tolist() == ["STEM Trust"]  # not Chess Society, its co-partner
    assert out["programme_partners"][["programme", "partner"]].values.tolist() == [["Code Club", "STEM Trust"]]
    # Code Club's attendance by name and by id: 12 + 9 + 4
    assert out["attendance"]["attendees"].sum() == 25
    assert out["survey_responses"]["knowledge"].tolist() == [5]
    assert len(out["population"]) == 1


def test_a_partner_named_by_its_id_and_a_partner_in_two_programmes():
    out = limit(_frames(), Scope(partners=("chess-society",)))
    assert out["programmes"]["name"].tolist() == ["Code Club", "Chess Club"]
    assert out["partners"]["name"].tolist() == ["Chess Society"]
    assert sorted(out["programme_partners"]["programme"]) == ["Chess Club", "Code Club"]
    assert out["attendance"]["attendees"].sum() == 12 + 9 + 7 + 4


def test_a_branch_sees_its_programmes_and_only_attendance_recorded_there():
    out = limit(_frames(), Scope(branches=("central",)))
    assert out["programmes"]["name"].tolist() == ["Code Club", "Chess Club"]
    # Code Club at Northside (4) is another branch's; the blank branch row is its programme's (Central)
    assert out["attendance"]["attendees"].tolist() == [12, 9, 7]
    assert sorted(out["partners"]["name"]) == ["Chess Society", "STEM Trust"]


def test_partner_and_branch_together_are_both_required_and_an_unknown_partner_sees_nothing():
    out = limit(_frames(), Scope(partners=("Health Visitors",), branches=("Central",)))
    assert out["programmes"].empty and out["attendance"].empty and out["survey_responses"].empty
    out = limit(_frames(), Scope(partners=("Nobody Ltd",)))
    assert out["programmes"].empty and out["partners"].empty and out["attendance"].empty


def test_a_scope_round_trips_through_json():
    scope = Scope(partners=("STEM Trust",), branches=("Central",))
    assert Scope.from_json(scope.to_json()) == scope
    assert Scope.from_json(None) == Scope() and Scope().to_json() is None


def test_a_partner_sees_only_the_health_checks_of_its_own_partnerships():
    """Both sides' views of its own partnership, never what another partner said of the library (a leak the
    browser test found once partnership feedback joined the tables)."""
    frames = _frames()
    frames["partnership_feedback"] = pd.DataFrame({
        "partner": ["STEM Trust", "STEM Trust", "Chess Society", "health-visitors"],
        "programme": ["Code Club", None, "Chess Club", None],
        "party": ["library", "partner", "partner", "partner"], "work_again": [5, 4, 2, 3]})
    out = limit(frames, Scope(partners=("STEM Trust",)))
    assert out["partnership_feedback"][["partner", "party"]].values.tolist() == [["STEM Trust", "library"],
                                                                                   ["STEM Trust", "partner"]]
    branch = limit(frames, Scope(branches=("Northside",)))  # Rhyme Time, with Health Visitors (named by id)
    assert branch["partnership_feedback"]["work_again"].tolist() == [3]
