"""The capped worker: whatever happens to it, the caller gets a FileResult with one plain problem."""
from __future__ import annotations

import multiprocessing as mp
import os
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import impact.ingest
from impact.ingest import Limits, ingest_file, isolate

GOOD = b"Programme,Date,Attendees\nRhyme Time,2025-04-01,14\n"


@pytest.fixture(autouse=True)
def forked(monkeypatch):
    """Fork (not the forkserver) so the worker sees this test's stand-in for ingest_file."""
    monkeypatch.setattr(isolate, "_context", lambda: mp.get_context("fork"))


def _run(monkeypatch, stand_in, **limits):
    monkeypatch.setattr(impact.ingest, "ingest_file", stand_in)
    return isolate.ingest_isolated("f.csv", GOOD, None, Limits(**limits))


def test_a_good_file_comes_back_whole_with_its_bytes():
    result = ingest_file("f.csv", GOOD, None, Limits(isolate=True))
    assert result.rows == {"attendance": 1} and result.data == GOOD


def test_a_reader_that_aborts_is_reported_as_over_the_memory_cap(monkeypatch):
    result = _run(monkeypatch, lambda *a: os.abort())
    assert [p.code for p in result.problems] == ["read-out-of-memory"]
    assert "setting read_memory_mb" in result.problems[0].message and not result.frames


def test_a_memory_error_is_reported_as_over_the_memory_cap(monkeypatch):
    def hungry(*a):
        raise MemoryError
    assert [p.code for p in _run(monkeypatch, hungry).problems] == ["read-out-of-memory"]


def test_a_reader_that_never_ends_is_stopped_at_the_time_cap(monkeypatch):
    start = time.monotonic()
    result = _run(monkeypatch, lambda *a: time.sleep(30), read_timeout_s=1)
    assert time.monotonic() - start < 5
    assert [p.code for p in result.problems] == ["read-timeout"]
    assert "setting read_timeout_s" in result.problems[0].message


def test_a_reader_that_exits_is_reported_in_words(monkeypatch):
    result = _run(monkeypatch, lambda *a: os._exit(3))
    assert [p.code for p in result.problems] == ["reader-stopped"] and "exit 3" in result.problems[0].message


def test_a_long_file_read_in_the_worker_is_the_file_read_here():
    """The worker sends text columns as codes and distinct values: the parent gets back the same frames."""
    rows = [f"Programme {i % 7},2025-04-{1 + i % 28:02d},{i % 40},{'' if i % 9 else 'n/a'},{i}" for i in range(3_000)]
    data = ("Programme,Date,Attendees,Branch,Notes\n" + "\n".join(rows) + "\n").encode()
    here = ingest_file("f.csv", data, None, Limits(isolate=False))
    there = ingest_file("f.csv", data, None, Limits(isolate=True))
    assert [p.to_dict() for p in there.problems] == [p.to_dict() for p in here.problems]
    assert there.frames.keys() == here.frames.keys() == {"attendance"}
    for table in here.frames:
        pd.testing.assert_frame_equal(there.frames[table], here.frames[table], check_exact=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "Code Club", "Zoë", " b "]), st.text(max_size=4)),
                min_size=1, max_size=8),
       st.integers(0, 3_000), st.sampled_from(["str", "string", object]), st.booleans())
def test_frames_packed_for_the_parent_come_back_the_same(values, length, dtype, repeated_index):
    cells = pd.Series([values[i % len(values)] for i in range(length)], dtype=dtype)
    frame = pd.DataFrame({"_row": range(length), "name": cells.values, "count": pd.array(range(length), "Int64"),
                          "_sheet": pd.Series(["Sheet1"] * length, dtype="str").values})
    if repeated_index:  # two sheets' frames concatenated
        frame.index = [i // 2 for i in range(length)]
    pd.testing.assert_frame_equal(isolate._unpacked(isolate._packed(frame)), frame, check_exact=True)


@pytest.mark.parametrize("distinct", [100, 200, 40_000])  # codes of 8, 16 and 32 bits
def test_frames_with_many_distinct_values_come_back_the_same(distinct):
    names = [f"Programme {i}" if i % 17 else None for i in range(distinct)]
    cells = [names[i % distinct] for i in range(max(2 * distinct + 5, 1_000))]
    frame = pd.DataFrame({"programme": pd.Series(cells, dtype="str")})
    packed = isolate._packed(frame)
    assert isinstance(packed, tuple)  # sent as codes
    pd.testing.assert_frame_equal(isolate._unpacked(packed), frame, check_exact=True)
