"""`python -m impact comments code|themes|quotes|codebook`: through ingest from a workbook, in-process."""
from __future__ import annotations

import json

import pytest
from workbooks import workbook

from impact.cli import main
from impact.comments import CommentStore
from impact.comments.codebook import DEFAULT, to_frame, to_sheet
from impact.ingest import ingest_files
from impact.store import Store

TEXTS = ["I learned how to use email", "More evening sessions please", "The room was too noisy to hear",
         "I feel more confident online", "Thanks to Mrs Khan for her patience"]


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    rows = [["Programme", "I learned something new", "What did you like most?",
             "May we quote your comments anonymously?"]]
    rows += [["Code Club", 5, TEXTS[i % len(TEXTS)], "No" if i == 0 else "Yes"] for i in range(25)]
    result = ingest_files([("survey.xlsx", workbook({"Survey": rows}))])
    assert result.ok, result.errors
    Store(url).commit(result)
    return url


def _json(capsys, *argv) -> dict:
    assert main(["comments", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_code_gives_each_comment_its_codes_and_the_counts(db, capsys):
    out = _json(capsys, "code", "--db", db, "--programme", "Code Club")
    assert out["comments"] == 25 and out["confirmed"] == 0
    first = out["coded"][0]
    assert first["text"] == "I learned how to use email" and "knowledge" in first["codes"]
    skills = next(r for r in out["counts"]["codes"] if r["code"] == "knowledge")
    assert skills["comments"] == 25 and skills["outcome positive %"] == 100.0


def test_quotes_leave_out_the_respondent_who_said_no_and_scrub_names(db, capsys):
    out = _json(capsys, "quotes", "--db", db, "--limit", "5")
    assert out["left_out"]["no consent to quote"] == 1
    quotes = " ".join(q["quote"] for q in out["quotes"])
    assert "Khan" not in quotes and "[name]" in quotes
    assert {q["status"] for q in out["quotes"]} == {"proposed"}


def test_themes_and_an_unknown_filter_value(db, capsys):
    out = _json(capsys, "themes", "--db", db)
    assert out["n"] == 25 and out["themes"]
    assert main(["comments", "code", "--db", db, "--from", "not-a-date"]) == 2


def test_the_codebook_goes_out_as_a_sheet_and_comes_back_edited(db, capsys, tmp_path):
    out = tmp_path / "codebook.xlsx"
    assert main(["comments", "codebook", "--db", db, "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert "Knowledge and understanding" in capsys.readouterr().out
    edited = to_frame(DEFAULT)
    edited.loc[len(edited)] = {"code": "social", "label": "Meeting people", "kind": "theme", "outcome": "",
                               "description": "", "phrases": "meet; friends"}
    path = tmp_path / "edited.csv"
    path.write_text(edited.to_csv(index=False))
    loaded = _json(capsys, "codebook", "--db", db, "--load", str(path), "--who", "AB")
    assert loaded["codebook"][-1]["code"] == "social"
    assert CommentStore(Store(db)).codebook()[-1].label == "Meeting people"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nonsense")
    assert main(["comments", "codebook", "--db", db, "--load", str(bad)]) == 1
    assert "could not read" in capsys.readouterr().err
    assert to_sheet(DEFAULT)
