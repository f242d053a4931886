"""The columnar copy (impact/columnar.py) equals the store after every commit, undo and forced rebuild, on SQLite
and PostgreSQL; a stale, missing, half-written or damaged copy is rebuilt from the store, never trusted."""
from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from workbooks import workbook

from impact import columnar, schema
from impact.columnar_parts import GROWING
from impact.ingest import ingest_files
from impact.store import Store

FIRST = workbook({
    "Partners": [["Partner", "Partnership type"], ["Age UK Westfield", "Stakeholder"]],
    "Programmes": [["Programme", "Theme", "Branch", "Cost"], ["Code Club", "Digital inclusion", "Central", "£1,200.00"]],
    "Attendance": [["Event name", "Date", "Branch", "No. attending"],
                   ["Code Club", "03/04/2025", "Central", 12],
                   ["Rhyme Time", "2025-04-04", "North", None]],
})
SECOND = workbook({
    "Programmes": [["Programme", "Theme", "Branch", "Cost"], ["Code Club", "Digital inclusion", "North", "£900"]],
    "Attendance": [["Event name", "Date", "Branch", "No. attending"], ["Code Club", "17/04/2025", "Central", 7]],
})


def _same(store: Store, copy: columnar.Copy) -> None:
    """The copy's frames are the store's frames at that version, value for value and dtype for dtype."""
    assert copy.version == store.version()
    expected = store.frames()
    assert set(copy.frames) == set(expected) == set(schema.TABLES)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(copy.frames[name], frame, check_exact=True, obj=name)


@pytest.fixture
def store(db_url, tmp_path):
    return Store(db_url, columnar_dir=tmp_path / "copy")


def _versions(store: Store) -> list[str]:
    return sorted(p.name for p in store.columnar_dir.iterdir() if p.name.startswith("v-"))


def test_the_copy_equals_the_store_after_commit_undo_and_a_forced_rebuild(store):
    empty = columnar.load(store)  # an empty store: empty frames, still equal (and written)
    _same(store, empty)
    first = store.commit(ingest_files([("first.xlsx", FIRST)]))
    assert first.ok
    assert f"v-{store.data_key()}" in _versions(store)  # the commit wrote the new version's copy
    loaded = columnar.load(store)
    assert loaded.source == "copy"  # read from Parquet, not the database
    _same(store, loaded)
    assert loaded.frames["attendance"]["attendees"].tolist()[0] == 12
    second = store.commit(ingest_files([("second.xlsx", SECOND)]))
    loaded = columnar.load(store)
    assert loaded.source == "copy" and len(loaded.frames["attendance"]) == 3
    # the later upload's programme row wins, as Store.load dedupes it
    assert loaded.frames["programmes"].set_index("name").loc["Code Club", "branch"] == "North"
    _same(store, loaded)
    store.undo(second.batch_ids[0])
    loaded = columnar.load(store)
    assert loaded.source == "copy" and len(loaded.frames["attendance"]) == 2
    assert loaded.frames["programmes"].set_index("name").loc["Code Club", "branch"] == "Central"
    _same(store, loaded)
    rebuilt = columnar.rebuild(store)
    assert rebuilt.source == "rebuilt"
    _same(store, rebuilt)
    _same(store, columnar.load(store))
    assert len(_versions(store)) <= columnar.KEEP  # old versions are pruned


def test_a_missing_copy_is_rebuilt(store):
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    shutil.rmtree(store.columnar_dir)
    loaded = columnar.load(store)
    assert loaded.source == "rebuilt"
    _same(store, loaded)
    assert columnar.load(store).source == "copy"


def test_a_stale_copy_is_never_read(store):
    """A change made by a process that wrote no copy (the copy off there): the next read finds no copy for the
    new version and rebuilds; the older version's copy is not used."""
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    other = Store(store.url, columnar_dir=None)  # e.g. an old version of the app, or the copy turned off
    other.commit(ingest_files([("second.xlsx", SECOND)]))
    loaded = columnar.load(store)
    assert loaded.source == "rebuilt" and len(loaded.frames["attendance"]) == 3
    _same(store, loaded)


def test_a_damaged_or_half_written_copy_is_rebuilt(store):
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    where = store.columnar_dir / f"v-{store.data_key()}"
    # a truncated file (a kill -9 cannot leave one under a version's name, but a disk can)
    data = (where / "attendance.parquet").read_bytes()
    (where / "attendance.parquet").write_bytes(data[: len(data) // 2])
    loaded = columnar.load(store)
    assert loaded.source == "rebuilt"
    _same(store, loaded)
    # same size, bytes flipped inside a data page: the page checksums catch it
    data = bytearray((where / "attendance.parquet").read_bytes())
    for i in range(8, 40):
        data[i] ^= 0xFF
    (where / "attendance.parquet").write_bytes(bytes(data))
    loaded = columnar.load(store)
    assert loaded.source == "rebuilt"
    _same(store, loaded)
    # a manifest from another format of the copy
    manifest = json.loads((where / "manifest.json").read_text())
    (where / "manifest.json").write_text(json.dumps({**manifest, "fingerprint": "older"}))
    assert columnar.load(store).source == "rebuilt"
    # a writer killed mid-write leaves only a temporary folder, never read as a version
    (store.columnar_dir / ".tmp-killed").mkdir()
    (store.columnar_dir / ".tmp-killed" / "attendance.parquet").write_bytes(b"PAR1 half")
    loaded = columnar.load(store)
    assert loaded.source == "copy"
    _same(store, loaded)


def test_a_database_made_again_at_the_same_address_never_matches_the_old_copy(tmp_path):
    url = f"sqlite:///{tmp_path / 'again.db'}"
    store = Store(url, columnar_dir=tmp_path / "copy")
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    old_key, version = store.data_key(), store.version()
    store.dispose()
    (tmp_path / "again.db").unlink()
    again = Store(url, columnar_dir=tmp_path / "copy")
    again.commit(ingest_files([("second.xlsx", SECOND)]))
    assert again.version() == version and again.data_key() != old_key  # same version, other data
    loaded = columnar.load(again)
    _same(again, loaded)
    assert len(loaded.frames["attendance"]) == 1


def test_a_copy_that_cannot_be_written_never_fails_the_commit(db_url, tmp_path):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    store = Store(db_url, columnar_dir=blocker / "copy")
    outcome = store.commit(ingest_files([("first.xlsx", FIRST)]))
    assert outcome.ok and len(store.load("attendance")) == 2
    loaded = columnar.load(store)  # pages still get the store's frames
    assert loaded.source == "store"
    _same(store, loaded)


def test_rebuild_cache_from_the_command_line(tmp_path, capsys, monkeypatch):
    from impact.cli import main

    monkeypatch.setenv("IMPACT_COLUMNAR_DIR", str(tmp_path / "copies"))
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    store = Store(url)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    (store.columnar_dir / ".tmp-left-by-a-killed-writer").mkdir()
    assert main(["rebuild-cache", "--db", url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == store.version() and report["rows"]["attendance"] == 2 and report["bytes"] > 0
    assert sorted(p.name for p in store.columnar_dir.iterdir()) == [f"v-{store.data_key()}"]
    _same(store, columnar.load(store))


def test_a_commit_adds_the_new_batch_to_the_previous_copy_and_equals_a_whole_read(store, monkeypatch):
    """The copy after a commit is the previous copy plus the new batch's rows (not a whole read of the store)
    when that is sound (after an undo: less the undone batch's file); either way it equals the store."""
    sources = []
    real = columnar.update

    def recorded(s, written=None):
        copy = real(s, written)
        sources.append(copy.source)
        return copy

    monkeypatch.setattr(columnar, "update", recorded)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    again = store.commit(ingest_files([("first again.xlsx", FIRST)]), force=True)  # same shape: rows appended
    assert sources == ["rebuilt", "updated"]
    loaded = columnar.load(store)
    assert loaded.source == "copy" and len(loaded.frames["attendance"]) == 4
    _same(store, loaded)
    store.undo(again.batch_ids[0])
    assert sources[-1] == "updated"
    _same(store, columnar.load(store))
    store.commit(ingest_files([("second.xlsx", SECOND)]))  # other columns typed differently: rebuilt whole
    _same(store, columnar.load(store))


SURVEY = workbook({
    "Survey": [["Programme", "Date", "Wave", "Knowledge", "Outcome online skills"],
               ["Code Club", "03/04/2025", "pre", 2, 3], ["Code Club", "17/04/2025", "post", 4, None]],
})
PLAIN_SURVEY = workbook({
    "Survey": [["Programme", "Date", "Wave", "Knowledge"],
               ["Code Club", "03/05/2025", "pre", 3], ["Code Club", "17/05/2025", "post", 5]],
})


def _spied(monkeypatch) -> list[columnar.Copy]:
    made = []
    real = columnar.update

    def spy(s, written=None):
        made.append(real(s, written))
        return made[-1]

    monkeypatch.setattr(columnar, "update", spy)
    return made


def _parts(store: Store, table: str) -> list:
    """The files of the current version's copy of a large table, in order."""
    manifest = json.loads((store.columnar_dir / f"v-{store.data_key()}" / "manifest.json").read_text())
    return [store.columnar_dir / f"v-{store.data_key()}" / e["file"] for e in manifest["tables"][table]["parts"]]


def test_a_commit_copies_the_rows_it_inserted_and_adds_a_file_per_batch(store, monkeypatch):
    """The copy after a commit is made from the rows the commit inserted (none of the large tables' rows read back),
    the earlier batches' files are the earlier version's (linked, not rewritten), and after every commit, an undo
    and a forced rebuild the copy equals a whole read of the store, dtype for dtype, on SQLite and PostgreSQL."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    assert (made[-1].source, made[-1].read_back) == ("rebuilt", 0)  # the first copy: written whole, nothing read
    _same(store, columnar.load(store))
    first_file = _parts(store, "attendance")[0].stat().st_ino
    store.commit(ingest_files([("survey.xlsx", SURVEY)]))  # other tables, a survey's own outcome
    store.commit(ingest_files([("second.xlsx", SECOND)]))  # other columns than the first batch's
    assert [(c.source, c.read_back) for c in made[1:]] == [("updated", 0), ("updated", 0)]
    files = _parts(store, "attendance")
    assert len(files) == 2 and files[0].stat().st_ino == first_file  # linked: the same file
    loaded = columnar.load(store)
    assert loaded.source == "copy" and loaded.frames["attendance"]["attendees"].tolist() == [12, pd.NA, 7]
    assert loaded.frames["survey_responses"]["outcome_online_skills"].tolist() == [3, pd.NA]
    _same(store, loaded)
    store.undo(int(store.batches()["id"].iloc[0]))  # an undo leaves the batch's own file out: nothing read back
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    assert [f.stat().st_ino for f in _parts(store, "attendance")] == [files[1].stat().st_ino]
    _same(store, columnar.load(store))
    store.commit(ingest_files([("first.xlsx", FIRST)]))  # onto the rebuilt copy: a file added again
    assert (made[-1].source, made[-1].read_back) == ("updated", 0) and len(_parts(store, "attendance")) == 2
    _same(store, columnar.load(store))
    rebuilt = columnar.rebuild_fresh(store)
    assert rebuilt.source == "rebuilt" and len(_parts(store, "attendance")) == 1
    _same(store, rebuilt)
    _same(store, columnar.load(store))


def test_an_upload_through_another_process_is_read_from_the_store_in_the_next_commit(store, monkeypatch):
    """A batch stored by a process that wrote no copy is read back (its rows only) when this one commits next."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    Store(store.url, columnar_dir=None).commit(ingest_files([("second.xlsx", SECOND)]))
    store.commit(ingest_files([("survey.xlsx", SURVEY)]))
    assert made[-1].source == "updated" and made[-1].read_back == 1  # the other process's one attendance row
    _same(store, columnar.load(store))


def test_a_copy_of_many_uploads_merges_its_newer_files(store, monkeypatch):
    monkeypatch.setattr(columnar, "MAX_PARTS", 3)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    for i in range(4):
        store.commit(ingest_files([(f"again {i}.xlsx", FIRST)]), force=True)
        assert len(_parts(store, "attendance")) <= 3
        _same(store, columnar.load(store))
    assert len(store.load("attendance")) == 10


def test_a_database_made_again_is_never_built_on_by_its_old_copy(tmp_path):
    """The old database's copy holds batch 1; the new one's first upload is batches 1 and 2: its copy must not be
    the old batch 1's rows plus the new batch 2's."""
    url = f"sqlite:///{tmp_path / 'again.db'}"
    store = Store(url, columnar_dir=tmp_path / "copy")
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    store.dispose()
    (tmp_path / "again.db").unlink()
    again = Store(url, columnar_dir=tmp_path / "copy")
    again.commit(ingest_files([("survey.xlsx", SURVEY), ("first.xlsx", FIRST)]))
    loaded = columnar.load(again)
    assert len(loaded.frames["attendance"]) == 2 and len(loaded.frames["survey_responses"]) == 2
    _same(again, loaded)


def test_an_earlier_copy_removed_while_a_commit_builds_on_it_is_rebuilt_from_the_store(store, monkeypatch):
    """Another server pruning the earlier version between the check and the link: the new copy is rebuilt whole."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    real = columnar._earlier_parts

    def then_pruned(folder, prior, marks, *rest):
        found = real(folder, prior, marks, *rest)
        shutil.rmtree(folder / f"v-{prior['key']}")
        return found

    monkeypatch.setattr(columnar, "_earlier_parts", then_pruned)
    assert store.commit(ingest_files([("second.xlsx", SECOND)])).ok
    assert made[-1].source == "rebuilt" and made[-1].read_back == 3
    _same(store, columnar.load(store))


def _batch_ids(store: Store) -> list[int]:
    return [int(b) for b in store.batches().sort_values("id")["id"]]


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_an_undo_leaves_out_the_batchs_own_file_and_equals_a_whole_read(store, monkeypatch, which):
    """An undo's copy is the previous version's files less the undone batch's (linked, none of the large tables'
    rows read back), equal to a whole read dtype for dtype (a survey's own outcome gone with its batch); a commit
    after it builds on it, and an undo of that commit too."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    store.commit(ingest_files([("survey.xlsx", SURVEY)]))  # the only one with a survey's own outcome
    store.commit(ingest_files([("second.xlsx", SECOND)]))
    batches = _batch_ids(store)
    linked = {f.stat().st_ino for name in GROWING for f in _parts(store, name)}
    store.undo(batches[{"first": 0, "middle": 1, "last": 2}[which]])
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    assert {f.stat().st_ino for name in GROWING for f in _parts(store, name)} < linked  # linked, none written
    loaded = columnar.load(store)
    assert loaded.source == "copy"
    _same(store, loaded)
    assert ("outcome_online_skills" in loaded.frames["survey_responses"]) == (which != "middle")
    assert len(loaded.frames["attendance"]) == {"first": 1, "middle": 3, "last": 2}[which]
    store.commit(ingest_files([("first again.xlsx", FIRST)]), force=True)
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    _same(store, columnar.load(store))
    store.undo(_batch_ids(store)[-1])  # then undo what was just committed
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    _same(store, columnar.load(store))


def test_an_undo_of_a_batch_sharing_a_file_writes_that_file_again_without_its_rows(store, monkeypatch):
    """Files merged past MAX_PARTS (or written by a rebuild) hold several batches: an undo of one of them writes that
    file again without the batch's rows (nothing read back from the database; the other files still linked); an
    undo of a batch in a file of its own still leaves the file out. Each copy equals a whole read."""
    made = _spied(monkeypatch)
    monkeypatch.setattr(columnar, "MAX_PARTS", 3)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    for i in range(3):
        store.commit(ingest_files([(f"again {i}.xlsx", FIRST)]), force=True)
    assert len(_parts(store, "attendance")) == 2  # the first batch's file, then the three later merged
    _same(store, columnar.load(store))
    batches = _batch_ids(store)
    store.undo(batches[0])  # a file of its own
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    _same(store, columnar.load(store))
    store.undo(batches[2])  # inside the merged file: that file again, less its 2 rows
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    (merged,) = _parts(store, "attendance")
    assert len(columnar._read_file(merged, {"bytes": merged.stat().st_size, "rows": 4})) == 4
    _same(store, columnar.load(store))
    rebuilt = columnar.rebuild_fresh(store)  # one file of every batch, then an undo inside it
    assert len(_parts(store, "attendance")) == 1
    _same(store, rebuilt)
    store.undo(batches[1])
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    _same(store, columnar.load(store))
    store.commit(ingest_files([("second.xlsx", SECOND)]))
    store.undo(_batch_ids(store)[-1])  # a file of its own: left out
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    _same(store, columnar.load(store))
    store.commit(ingest_files([("survey.xlsx", SURVEY)]))
    assert made[-1].source == "updated"
    _same(store, columnar.load(store))


def test_an_undo_in_a_file_of_surveys_splits_it_unless_a_survey_asked_its_own_outcomes(store, monkeypatch):
    """Surveys of standard outcomes in one rebuilt file: an undo writes it again without the batch's rows. A file
    holding a survey's own outcome columns is rebuilt whole instead: which columns the kept batches asked, and in
    which order a whole read meets them, is in the database's JSON, not in the file. Each copy equals a whole read."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    store.commit(ingest_files([("plain survey.xlsx", PLAIN_SURVEY)]))
    store.commit(ingest_files([("plain again.xlsx", PLAIN_SURVEY)]), force=True)
    columnar.rebuild_fresh(store)
    (shared,) = _parts(store, "survey_responses")
    assert columnar._rows_per_batch(shared, {"rows": 4}).keys() == set(_batch_ids(store)[1:])  # both surveys' rows
    store.undo(_batch_ids(store)[1])
    assert (made[-1].source, made[-1].read_back) == ("updated", 0)
    loaded = columnar.load(store)
    assert loaded.source == "copy" and len(loaded.frames["survey_responses"]) == 2
    _same(store, loaded)

    store.commit(ingest_files([("survey.xlsx", SURVEY)]))  # its own outcome: online skills
    columnar.rebuild_fresh(store)
    assert "outcome_online_skills" in columnar.load(store).frames["survey_responses"]
    store.undo(_batch_ids(store)[-1])
    assert made[-1].source == "rebuilt"
    loaded = columnar.load(store)
    assert "outcome_online_skills" not in loaded.frames["survey_responses"]
    _same(store, loaded)


def test_an_undo_on_a_copy_that_does_not_match_the_database_is_rebuilt(store, monkeypatch):
    """A kept batch's file holding other rows than the database, or no previous copy at all: rebuilt whole."""
    made = _spied(monkeypatch)
    store.commit(ingest_files([("first.xlsx", FIRST)]))
    store.commit(ingest_files([("second.xlsx", SECOND)]))
    t = store.tables["attendance"]
    with store.engine.begin() as conn:  # a row gone behind the copy's back (no new version)
        conn.execute(t.delete().where(t.c.id == int(store.load("attendance")["id"].iloc[0])))
    store.undo(_batch_ids(store)[-1])
    assert made[-1].source == "rebuilt"
    _same(store, columnar.load(store))
    store.commit(ingest_files([("second.xlsx", SECOND)]), force=True)
    shutil.rmtree(store.columnar_dir)  # no previous copy at all
    store.undo(_batch_ids(store)[-1])
    assert made[-1].source == "rebuilt"
    _same(store, columnar.load(store))
