"""Importing the partnership health check (schema.PARTNERSHIP_FEEDBACK) and the new stake columns: mapping,
validation as problems, comments scrubbed, stored and read back, and older databases gaining the columns."""
from __future__ import annotations

import sqlalchemy as sa
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store

HEADERS = ["Partner", "Programme", "Answered by", "Date", "We share decisions about this work.",
           "Our contribution is recognised.", "This partnership helps us reach our own goals.",
           "The benefits to us outweigh the costs.", "We would work together again.", "New audiences reached",
           "Referrals", "Volunteers", "Funding leveraged", "Comment"]


def _checks(*rows) -> bytes:
    return workbook({"Partnership health check": [HEADERS, *rows],
                     "Partners": [["Partner", "Partnership type"], ["Food Bank", "community"]]})


def test_the_health_check_sheet_maps_every_column_and_cleans_counts_yes_no_and_agreement_words():
    result = ingest_files([("checks.xlsx", _checks(
        ["Food Bank", "Cook and Eat", "Library", "01/05/2024", 5, "Strongly agree", "Agree", 4, 5, 12, "yes", "No",
         "£2,000", "Lovely"],
        ["Food Bank", None, "partner", "03/05/2024", 2, 1, "Neither agree nor disagree", 2, 3, "Yes", 4, 0, None,
         None]))])
    assert result.ok, result.errors
    sheet = next(s for s in result.sheets if s.table == "partnership_feedback")
    assert None not in sheet.mapping.values()
    frame = result.frame("partnership_feedback")
    assert frame["party"].tolist() == ["library", "partner"]
    assert frame["recognised"].tolist() == [5, 1] and frame["own_goals"].tolist() == [4, 3]
    assert frame["new_audiences"].tolist() == ["12", "yes"] and frame["referrals"].tolist() == ["yes", "4"]
    assert frame["volunteers"].tolist() == ["no", "0"] and frame["funding_leveraged"].tolist()[0] == "2000"


def test_a_wrong_party_or_benefit_is_a_problem_naming_row_column_and_fix():
    result = ingest_files([("checks.xlsx", _checks(
        ["Food Bank", None, "Food Bank", None, 5, 5, 5, 5, 5, "lots", None, None, None, None]))])
    problems = {(p.sheet, p.row, p.column, p.value, p.code) for p in result.errors}
    assert ("Partnership health check", 2, "Answered by", "Food Bank", "invalid-choice") in problems
    benefit = next(p for p in result.errors if p.column == "New audiences reached")
    assert benefit.code == "not-a-count-or-yes-no" and benefit.row == 2 and "Yes or No" in benefit.fix


def test_comments_lose_emails_and_phone_numbers_like_survey_comments():
    result = ingest_files([("checks.xlsx", _checks(
        ["Food Bank", None, "partner", None, 3, 3, 3, 3, 3, None, None, None, None,
         "call Jo on 07700 900123 or jo@example.org"]))])
    comment = result.frame("partnership_feedback")["comment"].iloc[0]
    assert "07700" not in comment and "example.org" not in comment and "[phone removed]" in comment
    assert any(p.code == "personal-data-removed" for p in result.warnings)


def test_new_stake_columns_map_from_staff_headers():
    result = ingest_files([("stakes.xlsx", workbook({"Programme partners": [
        ["Programme", "Partner", "Role", "Sessions led", "Promotion reach", "Agreed share of hours",
         "Agreed share of sessions", "Agreed share of costs"],
        ["Cook and Eat", "Food Bank", "lead", 7, 2500, "40%", 50, 0.3]]}))])
    frame = result.frame("programme_partners")
    assert frame[["sessions_led", "promotion_reach"]].iloc[0].tolist() == [7, 2500]
    assert frame[["agreed_efforts", "agreed_outputs", "agreed_money"]].iloc[0].tolist() == [40.0, 50.0, 0.3]


def test_a_database_made_before_the_new_columns_gains_them_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # an older programme_partners table, without the stake columns of issue 12
        conn.execute(sa.text("CREATE TABLE batches (id INTEGER PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO batches (id) VALUES (1)"))
        conn.execute(sa.text("CREATE TABLE programme_partners (id INTEGER PRIMARY KEY, batch_id INTEGER, sheet TEXT, "
                             "source_row INTEGER, programme TEXT, partner TEXT, role TEXT, staff_hours FLOAT, "
                             "cash FLOAT, in_kind FLOAT, promoted BOOLEAN, credited BOOLEAN)"))
        conn.execute(sa.text("INSERT INTO programme_partners (batch_id, programme, partner, staff_hours) "
                             "VALUES (1, 'Cook and Eat', 'Food Bank', 3.0)"))
    engine.dispose()
    store = Store(url)
    stakes = store.load("programme_partners")
    assert stakes["staff_hours"].tolist() == [3.0] and stakes["sessions_led"].isna().all()
    assert store.load("partnership_feedback").empty
    store.dispose()
