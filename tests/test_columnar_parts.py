"""The copy's large tables made from the rows a commit inserted (impact/columnar_parts.py) equal reading them back,
whatever the frames hold: gaps, times of day, halves to round, a survey's own outcomes with fractions, all-missing
columns, text held as objects; batch after batch with other columns each time, on SQLite and PostgreSQL."""
from __future__ import annotations

import contextlib
import hashlib
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import columnar, columnar_parts, schema
from impact.ingest import FileResult, IngestResult
from impact.store import Store

TEXTS = ["Code Club", "", " ", "Zoë’s Rhyme Time", "NA", "1", "line\nbreak", "tab\there", "back\\slash", "🙂"]
DATES = [pd.Timestamp("2025-04-03"), pd.Timestamp("2025-04-03 23:59:59.999"), pd.Timestamp("1990-01-01 12:00"),
         pd.NaT]
COUNTS = [0, 2.5, 3.5, 999.49, np.nan]  # .5 rounds to even, as the insert rounds


@contextlib.contextmanager
def _database(db_url: str):
    """A fresh database per example, of db_url's kind: SQLite in a temporary folder, or another schema of its own
    on db_url's PostgreSQL server."""
    with tempfile.TemporaryDirectory() as tmp:
        if db_url.startswith("sqlite"):
            yield f"sqlite:///{tmp}/impact.db", Path(tmp) / "copy"
            return
        server = sa.engine.make_url(db_url).difference_update_query(["options"])
        name = f"impact_test_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(server)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        try:
            url = server.update_query_dict({"options": f"-csearch_path={name}"})
            yield url.render_as_string(hide_password=False), Path(tmp) / "copy"
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
            engine.dispose()


@st.composite
def batches(draw):
    """One upload's attendance and survey frames, with a random choice of columns and of how each is held."""
    with_survey = draw(st.booleans())
    n = draw(st.integers(0 if with_survey else 1, 5))  # an upload of survey responses only holds no attendance

    def column(values):
        return [draw(st.sampled_from(values)) for _ in range(n)]

    frames = {}
    att = {"_sheet": pd.array(["Attendance"] * n, dtype="str"), "_row": np.arange(2, n + 2),
           "programme": pd.array(column(["Code Club", "Rhyme Time"]), dtype="str")}
    if draw(st.booleans()):
        att["session_date"] = pd.Series(column(DATES), dtype="datetime64[us]")
    if draw(st.booleans()):  # counts as floats (rounded on insert) or as Int64
        values = column(COUNTS)
        att["attendees"] = pd.Series(values, dtype="float64") if draw(st.booleans()) else \
            pd.Series([None if pd.isna(v) else int(v) for v in values], dtype="Int64")
    if draw(st.booleans()):
        att["branch"] = pd.array(column([*TEXTS, None]), dtype="str")
    if draw(st.booleans()):  # text held as Python objects: strings and gaps (or, below, something else)
        att["participant_id"] = pd.Series(column(["p1", "p2", None, np.nan]), dtype=object)
    if draw(st.booleans()):
        att["gender"] = pd.array([None] * n, dtype="str")  # a column present but empty
    frames["attendance"] = pd.DataFrame(att)
    if with_survey:
        m = draw(st.integers(1, 4))
        survey = {"_sheet": pd.array(["Survey"] * m, dtype="str"), "_row": np.arange(2, m + 2),
                  "programme": pd.array(["Code Club"] * m, dtype="str"),
                  "response_date": pd.Series([draw(st.sampled_from(DATES)) for _ in range(m)], dtype="datetime64[us]"),
                  "wave": pd.array([draw(st.sampled_from(["pre", "post"])) for _ in range(m)], dtype="str"),
                  "knowledge": pd.Series([draw(st.sampled_from([1, 5, None])) for _ in range(m)], dtype="Int64")}
        if draw(st.booleans()):
            survey["quote_consent"] = pd.Series([draw(st.sampled_from([True, False, None])) for _ in range(m)],
                                                dtype="boolean")
        for name in draw(st.lists(st.sampled_from(["outcome_online_skills", "outcome_wellbeing"]), unique=True)):
            values = [draw(st.sampled_from([1.0, 2.7, -1.5, 4.0, np.nan])) for _ in range(m)]
            survey[name] = pd.Series(values, dtype="float64") if draw(st.booleans()) else \
                pd.Series([None if pd.isna(v) else int(v) for v in values], dtype="Int64")
        frames["survey_responses"] = pd.DataFrame(survey)
    return frames


def _upload(frames: dict, index: int) -> IngestResult:
    data = f"upload {index} {uuid.uuid4()}".encode()
    return IngestResult([FileResult(f"upload-{index}.xlsx", data, hashlib.sha256(data).hexdigest(), frames=frames)])


def _same(store: Store) -> None:
    copy = columnar.load(store)
    assert copy.source == "copy"
    expected = store.frames()
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(copy.frames[name], expected[name], check_exact=True, obj=name)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(uploads=st.lists(batches(), min_size=1, max_size=3), odd=st.booleans())
def test_a_copy_made_from_the_inserted_rows_equals_reading_them_back(db_url, uploads, odd, monkeypatch):
    reads = []
    real = columnar.update

    def counted(store, written=None):
        copy = real(store, written)
        reads.append(copy.read_back)
        return copy

    monkeypatch.setattr(columnar, "update", counted)
    if odd:  # a text column holding a number: the copy cannot vouch for the stored text, so reads it back
        frame = uploads[-1]["attendance"]
        uploads[-1]["attendance"] = frame.assign(participant_id=pd.Series([7] * len(frame), dtype=object))
    with _database(db_url) as (url, folder):
        store = Store(url, columnar_dir=folder)
        try:
            for index, frames in enumerate(uploads):
                outcome = store.commit(_upload(frames, index))
                assert outcome.ok, outcome.message
                _same(store)
            expected_reads = [0] * len(uploads)
            if odd and len(uploads[-1]["attendance"]):
                expected_reads[-1] = len(uploads[-1]["attendance"])
            assert reads == expected_reads
        finally:
            store.dispose()


def test_every_awkward_value_in_one_upload_is_copied_as_stored(db_url, tmp_path, monkeypatch):
    """Each rule at once, so none hangs on a random draw: halves rounded to even (with and without a gap), times of
    day dropped, a survey's own outcomes truncated as int() does, gaps in text held as objects, an empty column."""
    reads = []
    real = columnar.update
    monkeypatch.setattr(columnar, "update", lambda store, written=None: reads.append(real(store, written).read_back))
    store = Store(db_url, columnar_dir=tmp_path / "copy")
    attendance = pd.DataFrame({
        "_sheet": pd.array(["Attendance"] * 4, dtype="str"), "_row": np.arange(2, 6),
        "programme": pd.array(["Code Club", "Code Club", "Rhyme Time", "Rhyme Time"], dtype="str"),
        "session_date": pd.Series(["2025-04-03 23:59", "2025-04-04", None, "2025-04-05 00:00:01"],
                                  dtype="datetime64[us]"),
        "attendees": pd.Series([2.5, 3.5, np.nan, 999.49]),  # 2, 4, missing, 999
        "sessions": pd.Series([0.5, 1.5, 2.5, 3.5]),  # no gap: 0, 2, 2, 4
        "branch": pd.Series(["Central", None, np.nan, ""], dtype=object),
        "gender": pd.array([None] * 4, dtype="str"),
    })
    survey = pd.DataFrame({
        "_sheet": pd.array(["Survey"] * 3, dtype="str"), "_row": np.arange(2, 5),
        "programme": pd.array(["Code Club"] * 3, dtype="str"),
        "response_date": pd.Series(["2025-04-03 12:00", None, "2025-04-04"], dtype="datetime64[us]"),
        "wave": pd.array(["pre", "post", None], dtype="str"),
        "quote_consent": pd.Series([True, None, False], dtype="boolean"),
        "outcome_wellbeing": pd.Series([2.7, -1.5, np.nan]),  # int(): 2, -1, missing
        "outcome_online_skills": pd.Series([None, None, None], dtype="Int64"),
    })
    assert store.commit(_upload({"attendance": attendance, "survey_responses": survey}, 0)).ok
    assert reads == [0]  # nothing read back
    _same(store)
    frames = store.frames()
    assert frames["attendance"]["attendees"].tolist()[:2] == [2, 4]
    assert frames["attendance"]["sessions"].tolist() == [0, 2, 2, 4]
    assert frames["survey_responses"]["outcome_wellbeing"].tolist()[:2] == [2, -1]
    assert frames["attendance"]["session_date"].iloc[0] == pd.Timestamp("2025-04-03")


def test_a_rebuilt_part_reads_back_as_the_store_gave_it_even_empty():
    """Store.load's dtypes depend on the whole table (no rows, all missing, a gap): as_loaded(from_loaded(x)) is x."""
    tables = columnar._sql_tables()
    for name in columnar_parts.GROWING:
        table = tables[name]
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c, _ in columnar_parts.columns(table)})
        for c in columnar_parts.typed_by_load(name):
            kind = dict(columnar_parts.columns(table))[c]
            empty[c] = empty[c].astype({"int": "Int64", "bool": "boolean", "date": "datetime64[us]"}[kind])
        back = columnar_parts.as_loaded(table, columnar_parts.join(table, [columnar_parts.from_loaded(table, empty)]))
        pd.testing.assert_frame_equal(back, empty, check_exact=True)
        assert back["id"].dtype == object and back["programme"].dtype == object
