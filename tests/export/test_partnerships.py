"""The evidence pack's partnerships section (impact/export/partnerships.py): built for no partners, partners
with no links, one partner and a lopsided partnership, without rendering files (the demo pack is
tests/export/test_pack.py)."""
from __future__ import annotations

from indicators.tables import frames as rows_to_frames

from impact.export import pack, statements
from impact.export.partnerships import EMPTY

PROGRAMMES = [{"name": "Cook and Eat", "library_cost": 100.0, "library_staff_hours": 10.0}]
ATTENDANCE = [{"programme": "Cook and Eat", "session_date": "2024-05-01", "attendees": 40, "sessions": 10}]
BANK = [{"name": "Food Bank", "partnership_type": "community"}]
LEAD = [{"programme": "Cook and Eat", "partner": "Food Bank", "role": "lead", "staff_hours": 30.0,
         "sessions_led": 7, "promoted": True, "credited": False}]


def frames(**tables) -> dict:
    """As the store gives them: every row from batch 1."""
    return {name: frame.assign(batch_id=1) for name, frame in rows_to_frames(**tables).items()}


def _tables(evidence) -> dict:
    return {t.name: t for t in evidence.tables}


def test_no_partners_gives_a_pack_whose_partnerships_table_says_what_to_upload():
    for made in (frames(programmes=PROGRAMMES, attendance=ATTENDANCE),
                 frames(programmes=PROGRAMMES, attendance=ATTENDANCE, partners=BANK)):
        evidence = pack.build(made)
        table = _tables(evidence)["partnerships"]
        assert table.frame["what to do"].tolist() == [EMPTY] and table.sheet == "Partners"
        assert not any(c.name.startswith("partnership") for c in evidence.charts)


def test_one_partner_doing_most_of_the_work_uncredited_is_named_fairly_in_the_pack():
    evidence = pack.build(frames(programmes=PROGRAMMES, attendance=ATTENDANCE, partners=BANK, links=LEAD))
    tables = _tables(evidence)
    row = tables["partnerships"].frame.iloc[0]
    assert row["shared"] == "not shared" and "Food Bank gave 75% of the staff hours" in row["out of line"]
    (said_first,) = tables["partnerships_not_shared"].frame.to_dict("records")
    assert said_first["partnership"] == "Cook and Eat" and said_first["what is out of line"] == row["out of line"]
    assert tables["partnerships_not_shared"].in_pdf and not tables["partnerships"].in_pdf
    parties = tables["partnership_parties"].frame
    assert parties["party"].tolist() == ["(the library service)", "Food Bank"]  # the library is a party too
    assert parties["efforts % (staff hours)"].tolist() == [25.0, 75.0]
    assert tables["partner_cost_effectiveness"].sheet == "Value"
    assert "not a measure of fairness" in tables["partner_cost_effectiveness"].title
    # two parties make two bars: too few to chart, so the chart is left out and its table kept (issue 14)
    assert any(c.name == "partnership_contribution_recognition" for c in evidence.dropped_charts)
    assert not any(c.name == "partnership_contribution_recognition" for c in evidence.charts)
    said = " ".join(s.text for s in evidence.statements if s.kind == "partnership")
    assert "0 of 1 partnership programmes" in said and "gives more than it gets" not in said
    assert "Partnership fairness" in dict(evidence.methodology)
    assert evidence.title == "Evidence of impact"  # the section's headings never replace the pack's title


def test_statements_without_partnerships_say_nothing_about_them():
    evidence = pack.build(frames(programmes=PROGRAMMES, attendance=ATTENDANCE))
    assert not [s for s in evidence.statements if s.kind == "partnership"]
    assert statements  # the module the pack uses
