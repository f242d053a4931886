"""The capped worker: whatever happens to it, the caller gets a FileResult with one plain problem."""
from __future__ import annotations

import multiprocessing as mp
import os
import time

import pytest

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
