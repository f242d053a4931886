"""The store on SQLite and on PostgreSQL: atomic commit, duplicates, undo, frames back out."""
from __future__ import annotations

from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store

ATTENDANCE = workbook({
    "Partners": [["Partner", "Partnership type"], ["Age UK Westfield", "Stakeholder"], ["Book Group", "community"]],
    "Programmes": [["Programme", "Theme", "Branch", "Cost"], ["Code Club", "Digital inclusion", "Central", "£1,200.00"]],
    "Attendance": [["Event name", "Date", "Branch", "No. attending"],
                   ["Code Club", "03/04/2025", "Central", 12],
                   ["Code Club", "10/04/2025", "Central", 9],
                   ["Rhyme Time", "2025-04-04", "North", None]],
    "Stakes": [["Programme", "Partner", "Staff hours", "Cash"], ["Code Club", "Age UK Westfield", "3.5 hrs", 200]],
})


def _upload(name="westfield.xlsx", data=ATTENDANCE):
    return ingest_files([(name, data)])


def test_commit_stores_every_table_with_batch_sheet_and_row(db_url):
    store = Store(db_url)
    outcome = store.commit(_upload(), uploader="amy")
    assert outcome.ok
    assert outcome.stored["attendance"] == 3
    attendance = store.load("attendance")
    assert attendance["attendees"].sum() == 21  # the blank row is not recorded, not zero
    assert attendance["attendees"].isna().sum() == 1
    assert list(attendance["source_row"]) == [2, 3, 4]
    assert set(attendance["sheet"]) == {"Attendance"}
    assert set(attendance["batch_id"]) == {outcome.batch_ids[0]}
    # Rhyme Time was only named on the attendance sheet: it is created, and reported as created
    assert outcome.created["programmes"] == ["Rhyme Time"]
    programmes = store.load("programmes").set_index("name")
    assert programmes.loc["Code Club", "library_cost"] == 1200.0
    assert programmes.loc["Code Club", "theme"] == "Digital inclusion"
    stakes = store.load("programme_partners")
    assert stakes.loc[0, "staff_hours"] == 3.5
    batches = store.batches()
    assert batches.loc[0, "uploader"] == "amy"
    assert batches.loc[0, "rows"]["attendance"] == 3
    assert store.original(outcome.batch_ids[0]) == ATTENDANCE


def test_the_same_file_twice_is_refused_with_the_date_it_was_first_uploaded(db_url):
    store = Store(db_url)
    first = store.commit(_upload())
    second = store.commit(_upload("renamed copy.xlsx"))
    assert not second.ok
    assert second.refused[0]["batch_id"] == first.batch_ids[0]
    assert "already uploaded on" in second.message
    assert len(store.load("attendance")) == 3
    forced = store.commit(_upload(), force=True)
    assert forced.ok and len(store.load("attendance")) == 6


def test_undo_removes_exactly_that_batch(db_url):
    store = Store(db_url)
    other = workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "2025-05-01", 7]]})
    a = store.commit(_upload())
    b = store.commit(_upload("chess.xlsx", other))
    removed = store.undo(a.batch_ids[0])
    assert removed["attendance"] == 3
    attendance = store.load("attendance")
    assert list(attendance["programme"]) == ["Chess Club"]
    assert set(attendance["batch_id"]) == {b.batch_ids[0]}
    assert set(store.load("programmes")["name"]) == {"Chess Club"}
    history = store.batches().set_index("id")
    assert history.loc[a.batch_ids[0], "undone_at"] is not None
    # once undone, the same file may come back without forcing
    assert store.commit(_upload()).ok


def test_a_failure_mid_commit_leaves_the_database_unchanged(db_url, monkeypatch):
    store = Store(db_url)
    store.commit(_upload("chess.xlsx", workbook({"Attendance": [["Programme", "Date", "Attendance"],
                                                                 ["Chess Club", "2025-05-01", 7]]})))
    before = {t: len(store.load(t)) for t in ("attendance", "programmes", "partners")}
    batches_before = len(store.batches())
    calls = {"n": 0}
    real_insert = Store._insert_rows

    def failing(self, conn, table, frame, batch_id):
        calls["n"] += 1
        if calls["n"] == 3:  # after two tables have been written inside the transaction
            raise RuntimeError("disk full")
        return real_insert(self, conn, table, frame, batch_id)

    monkeypatch.setattr(Store, "_insert_rows", failing)
    outcome = store.commit(_upload())  # a fault of ours: a message with an incident id, never a traceback
    assert not outcome.ok and "incident" in outcome.message
    monkeypatch.undo()
    assert {t: len(store.load(t)) for t in ("attendance", "programmes", "partners")} == before
    assert len(store.batches()) == batches_before


def test_nothing_is_stored_when_the_upload_has_errors(db_url):
    store = Store(db_url)
    bad = workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "2025-05-01", -7]]})
    result = _upload("bad.xlsx", bad)
    assert not result.ok
    outcome = store.commit(result)
    assert not outcome.ok and "errors" in outcome.message
    assert store.batches().empty and store.load("attendance").empty


def test_personal_data_file_is_not_kept_and_its_columns_are_not_stored(db_url):
    store = Store(db_url)
    data = workbook({"Survey": [["Programme", "Name", "Email", "I feel more confident about what I just learned"],
                                ["Code Club", "Ann Smith", "ann@example.org", "Agree"]]})
    outcome = store.commit(_upload("survey.xlsx", data))
    assert outcome.ok
    assert store.original(outcome.batch_ids[0]) is None
    responses = store.load("survey_responses")
    assert responses.loc[0, "confidence"] == 4
    text = responses.astype(str).to_string()
    assert "Ann Smith" not in text and "ann@example.org" not in text


def test_settings_have_defaults_and_are_stored(db_url):
    store = Store(db_url)
    assert store.setting("min_n") == "10"
    store.set_setting("hourly_rate", 18.5)
    assert Store(db_url).setting("hourly_rate") == "18.5"


def test_version_changes_with_every_commit_and_undo(db_url):
    store = Store(db_url)
    v0 = store.version()
    outcome = store.commit(_upload())
    v1 = store.version()
    store.undo(outcome.batch_ids[0])
    assert len({v0, v1, store.version()}) == 3


def test_a_refused_duplicate_names_the_new_file_and_the_first_one(db_url):
    store = Store(db_url)
    first = store.commit(_upload())
    again = store.commit(_upload("renamed copy.xlsx"))
    assert again.refused == [{"batch_id": first.batch_ids[0], "file": "renamed copy.xlsx",
                              "first_file": "westfield.xlsx", "first_uploaded": again.refused[0]["first_uploaded"]}]
    store.undo(first.batch_ids[0])  # once undone, the file is no longer a duplicate
    sha = _upload().files[0].sha256
    assert store.find_duplicate(sha) is None
    assert store.commit(_upload("renamed copy.xlsx")).ok
    assert store.find_duplicate(sha)["file"] == "renamed copy.xlsx"


def test_a_corrected_mapping_is_remembered_by_its_headers_not_its_file_name(db_url):
    store = Store(db_url)
    headers = ["Club", "When", "Kids"]
    assert store.recall_mapping(headers) is None
    store.remember_mapping(headers, "attendance", {"Club": "programme", "Kids": "attendees"})
    store.remember_mapping(headers, "attendance", {"Club": "programme", "Kids": "attendees", "When": "session_date"})
    recalled = Store(db_url).recall_mapping([" club", "When ", "KIDS"])  # spacing and case do not matter
    assert recalled["table"] == "attendance"
    assert recalled["mapping"] == {"Club": "programme", "Kids": "attendees", "When": "session_date"}
    assert store.recall_mapping(["When", "Club", "Kids"]) is None  # other headers (here: order) are another sheet
    store.forget_mapping(headers)
    assert store.recall_mapping(headers) is None


def test_preview_says_what_a_commit_would_create_and_writes_nothing(db_url):
    store = Store(db_url)
    store.commit(_upload())
    more = workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Code Club", "2025-05-01", 7],
                                    ["Chess Club", "2025-05-01", 4]]})
    result = _upload("more.xlsx", more)
    before = store.version()
    assert store.preview(result) == {"programmes": ["Chess Club"]}
    assert store.version() == before
    assert store.commit(result).created == {"programmes": ["Chess Club"]}
