"""The fast ingest paths give what the slow ones give: a simple CSV split by pyarrow's columnar reader yields
the cells csv.reader yields and the same frames, sheets and problems end to end; a frame the vectorised contract
check passes is one pandera passes."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import schema
from impact.ingest import Limits, Options, contract, ingest_files, text
from impact.ingest.text import ColumnRows, columns_fast, read_csv

DATES = ["03/04/2025", "3/4/25", "2025-04-03", "3 April 2025", "3rd Apr 2025", "Thursday, 3 April 2025 10:00",
         "45000", "31/02/2025", "13/13/2025", "2025/04/03", "April 3 2025", "not a date", "", " ", "n/a", "NA",
         "-", "?", "12/25/2024", "01.02.2024"]
NUMBERS = ["12", "1,200", " 7 ", "-9", "-1", "-99", "n/a", "NA", "", "-", "12.5", "£3", "0", "7 people", "x",
           "1 200", "(4)", "nan", "None", "１２", "\u00a012", "3.0", "1e3", "inf"]
NAMES = ["Code Club", "code club ", "Zoë’s Rhyme Time", "Café Lecture", "Straße", "NA", "n/a", "", " ",
         "Totals", "Total", "Notes: from the branch", "Mrs Jane Doe's group", "Call 07700 900123",
         "jo@example.org drop-in", "Programme\u00a0A", "Lego  League", "—", "#N/A", "Storytime",
         "\u2003", "\x85", "Total\u00a0", " Grand total ", "\u200b", "Sub-total\u3000"]  # spaces of every kind
BRANCHES = ["Central", "Northgate", "", "N/A", "Riverside  ", "Eastfield", "Ward 1"]
BANDS = ["Under 5", "5-11", "12-17", "18-24", "25-64", "65+", "", "unknown", "Adults", "0-4"]
QUINTILES = ["1", "2", "5", "Q3", "6", "0", "", "Most deprived", "least deprived", "3.0", "two"]
GENDERS = ["Female", "Male", "", "Non-binary", "Prefer not to say", "F", "m"]
HEADER = ["Programme", "Session date", "Branch", "Attendees", "Age band", "Deprivation quintile", "Gender"]
COLUMNS = [NAMES, DATES, BRANCHES, NUMBERS, BANDS, QUINTILES, GENDERS]


def _slow(monkeypatch):
    monkeypatch.setattr(text, "columns_fast", lambda *a, **k: None)


def _same(a, b):
    assert [p.to_dict() for p in a.problems] == [p.to_dict() for p in b.problems]
    assert [s.to_dict() for s in a.sheets] == [s.to_dict() for s in b.sheets]
    for fa, fb in zip(a.files, b.files, strict=True):
        assert fa.frames.keys() == fb.frames.keys()
        assert fa.personal_columns == fb.personal_columns
        for table in fa.frames:
            pd.testing.assert_frame_equal(fa.frames[table], fb.frames[table], check_exact=True)


rows_strategy = st.lists(st.tuples(*[st.sampled_from(c) for c in COLUMNS]), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, crlf=st.booleans(), bom=st.booleans(), dayfirst=st.booleans(),
       delimiter=st.sampled_from([",", ";", "\t"]))
def test_fast_csv_ingest_is_the_csv_module_ingest(monkeypatch, rows, crlf, bom, dayfirst, delimiter):
    # a cell holding the separator would need quotes ('1,200' under commas): keep the file simple
    rows = [tuple(c.replace(delimiter, " ") for c in r) for r in rows]
    body = ("\r\n" if crlf else "\n").join(delimiter.join(r) for r in [HEADER, *rows]) + "\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")
    options = Options(dayfirst=dayfirst)
    taken = []
    with monkeypatch.context() as m:
        m.setattr(text, "columns_fast", lambda *a, **k: taken.append(columns_fast(*a, **k)) or taken[-1])
        fast = ingest_files([("attendance.csv", data)], options, Limits(isolate=False))
    assert isinstance(taken[0], ColumnRows)  # the columnar reader read it
    with monkeypatch.context() as m:
        _slow(m)
        slow = ingest_files([("attendance.csv", data)], options, Limits(isolate=False))
    _same(fast, slow)


def test_a_long_csv_read_by_columns_is_read_as_by_the_csv_module(monkeypatch):
    """Over 2,000 rows the readers take their per-distinct-value paths (blanks, lengths, totals rows): the same
    frames, sheets and problems as the csv module's rows give."""
    import random

    rnd = random.Random(13)
    rows = [tuple(rnd.choice(c) for c in COLUMNS) for _ in range(3_000)]
    rows[1_500] = ("x" * 33_000, *rows[1_500][1:])  # a cell longer than a spreadsheet cell
    body = "\n".join(",".join(c.replace(",", " ") for c in r) for r in [HEADER, *rows]) + "\n"
    fast = ingest_files([("attendance.csv", body.encode())], Options(), Limits(isolate=False))
    assert any(p.code == "cell-too-long" for p in fast.problems)
    assert any(p.code == "totals-row-excluded" for p in fast.problems)
    with monkeypatch.context() as m:
        _slow(m)
        slow = ingest_files([("attendance.csv", body.encode())], Options(), Limits(isolate=False))
    _same(fast, slow)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NAMES), st.text(max_size=12)), min_size=1, max_size=30),
       st.integers(2_000, 4_000))
def test_totals_rows_found_per_distinct_value_as_per_cell(values, length):
    """drop_totals_and_notes reads a long column once per distinct value: the same stripped text and totals rows
    as reading every cell (the path a short column takes)."""
    from impact.ingest.sheet import _stripped_totals

    cells = pd.Series([values[i % len(values)] for i in range(length)], dtype=object,
                      index=range(5, length + 5))
    stripped, hit = _stripped_totals(cells)
    short = [_stripped_totals(cells.iloc[i:i + 1_000]) for i in range(0, length, 1_000)]  # < 2,000: per cell
    pd.testing.assert_series_equal(stripped, pd.concat([s for s, _ in short]), check_exact=True)
    pd.testing.assert_series_equal(hit, pd.concat([h for _, h in short]), check_exact=True)


cell = st.text(alphabet=st.characters(blacklist_characters='"\r\n', blacklist_categories=("Cs",)), max_size=8)


@settings(max_examples=150, deadline=None)
@given(grid=st.integers(1, 5).flatmap(lambda w: st.lists(st.lists(cell, min_size=w, max_size=w), min_size=1,
                                                          max_size=12)),
       crlf=st.booleans(), end=st.booleans())
def test_columnar_reader_splits_as_csv_reader(grid, crlf, end):
    body = ("\r\n" if crlf else "\n").join(",".join(r) for r in grid) + (("\r\n" if crlf else "\n") if end else "")
    fast = columns_fast(body, ",", Limits())
    expected = list(csv.reader(io.StringIO(body, newline="")))
    if fast is None:  # not simple (an empty line, a lone carriage return) or rows of other widths
        return
    assert list(fast) == expected
    assert len(fast) == len(expected) and all(fast[i] == expected[i] for i in range(len(expected)))


def test_simple_csv_is_read_by_columns_and_others_are_not():
    rows, _, _ = read_csv(b"Programme,Attendees\nCode Club,12\n", "a.csv")
    assert isinstance(rows, ColumnRows) and list(rows) == [["Programme", "Attendees"], ["Code Club", "12"]]
    for data in (b'Programme,Attendees\n"Code Club, Tuesdays",12\n', b"Programme,Attendees\n\nCode Club,12\n",
                 b"Programme,Attendees\nCode Club,12,extra\n", b"Programme,Attendees\rCode Club,12\r",
                 "\ufeffProgramme,Attendees\nCode Club,12\n".encode("utf-8-sig")):
        rows, _, _ = read_csv(data, "a.csv")
        assert not isinstance(rows, ColumnRows)
        assert rows == list(csv.reader(io.StringIO(data.decode().removeprefix("\ufeff"), newline="")))


def test_a_limit_broken_is_reported_by_the_csv_module_path():
    data = b"a,b\n" + b"1,2\n" * 30
    rows, _, problems = read_csv(data, "a.csv", Limits(max_cells=40))
    assert rows is None and problems[0].code == "sheet-too-large"
    rows, _, problems = read_csv(b"a,b\n" + b"x" * 50 + b",2\n", "a.csv", Limits(max_field_chars=20))
    assert rows is None and problems[0].code == "malformed-csv"


# --- the contract without pandera ------------------------------------------------------------------

def _pandera_passes(frame: pd.DataFrame, table: str) -> bool:
    import pandera.errors as pe

    try:
        schema.contract(table, frame.columns).validate(frame, lazy=True)
        return True
    except pe.SchemaErrors:
        return False


SERIES = {
    "programme": [pd.Series(["Code Club", "Lego"], dtype="str"), pd.Series(["Code Club", None], dtype=object),
                  pd.Series(["Code Club", ""], dtype="str"), pd.Series([1, 2], dtype=object),
                  pd.Series([np.nan, np.nan]), pd.Series(["a", "b"], dtype=object)],
    "attendees": [pd.Series([1, 2], dtype="Int64"), pd.Series([1, None], dtype="Int64"),
                  pd.Series([-1, 2], dtype="Int64"), pd.Series([1.0, 2.0]), pd.Series([1, 2], dtype="int64")],
    "session_date": [pd.Series(pd.to_datetime(["2024-01-02", None])).astype("datetime64[us]"),
                     pd.Series(pd.to_datetime(["2024-01-02", "2024-02-03"])).astype("datetime64[ns]"),
                     pd.Series(["2024-01-02", "x"], dtype=object)],
    "deprivation_quintile": [pd.Series([1, 5], dtype="Int64"), pd.Series([0, 3], dtype="Int64"),
                             pd.Series([None, 6], dtype="Int64"), pd.Series([1.0, 2.0])],
    "sessions": [pd.Series([1, 0], dtype="Int64"), pd.Series([-2, 1], dtype="Int64")],
    "branch": [pd.Series(["Central", None], dtype="str"), pd.Series([None, None], dtype=object)],
}


@settings(max_examples=120, deadline=None)
@given(choice=st.fixed_dictionaries({k: st.integers(0, len(v) - 1) for k, v in SERIES.items()}),
       present=st.sets(st.sampled_from(sorted(SERIES)), min_size=1))
def test_contract_passed_without_pandera_is_passed_by_pandera(choice, present):
    frame = pd.DataFrame({k: SERIES[k][choice[k]].reset_index(drop=True) for k in sorted(present)})
    frame["_row"] = [2, 3]
    if contract.holds(frame, "attendance"):
        assert _pandera_passes(frame, "attendance")


def test_cleaned_frames_skip_pandera_and_broken_ones_still_reach_it():
    data = "\n".join(",".join(r) for r in [HEADER, ["Code Club", "03/04/2025", "Central", "12", "5-11", "2", "Female"],
                                           ["Lego", "04/04/2025", "Northgate", "-3", "65+", "7", "Male"]]).encode()
    result = ingest_files([("a.csv", data)], Options(), Limits(isolate=False))
    frame = result.files[0].frames.get("attendance")
    assert frame is None or not contract.holds(frame, "attendance")
    assert {"negative-count", "invalid-quintile"} <= {p.code for p in result.errors}
    good = ingest_files([("a.csv", data.replace(b"-3", b"3").replace(b",7,", b",4,"))], Options(),
                        Limits(isolate=False))
    assert good.ok
    frame = good.files[0].frames["attendance"]
    assert contract.holds(frame.drop(columns=["_sheet"]), "attendance")
    assert _pandera_passes(frame, "attendance")


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_contract_of_an_empty_frame(table):
    frame = pd.DataFrame({"_row": pd.Series([], dtype="int64")})
    assert contract.holds(frame, table) == _pandera_passes(frame, table)


# --- header matching with one difflib matcher per canonical name --------------------------------------

@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(headers=st.lists(st.one_of(
    st.sampled_from(["Programme", "Progamme", "Sesion date", "Atendees", "No. attending", "Age bands", "Brnach",
                     "Deprivation quintle", "Partner organisation", "Which workshop did you attend?", "Ward 3"]),
    st.text(alphabet="abcdefghilmnoprstuy _-", min_size=3, max_size=24)), min_size=1, max_size=8))
def test_reused_matchers_match_headers_as_fresh_ones(monkeypatch, headers):
    """Each header against each table, in one order with the thread's matchers, in the other with new ones."""
    import difflib

    from impact.ingest import mapping

    match = mapping._match_header.__wrapped__  # past the lru_cache
    pairs = [(h, t) for h in headers for t in sorted(schema.TABLES)]
    reused = {p: match(*p) for p in pairs}
    with monkeypatch.context() as m:
        m.setattr(mapping, "_matcher", lambda name: difflib.SequenceMatcher(None, "", name))
        fresh = {p: match(*p) for p in reversed(pairs)}
    assert reused == fresh


def test_a_small_field_limit_for_one_file_is_not_left_on_the_csv_module():
    import csv

    before = csv.field_size_limit()
    read_csv(b"a,b\n" + b"x" * 50 + b",2\n", "a.csv", Limits(max_field_chars=20))
    assert csv.field_size_limit() == before  # the next reader in the process (the audit CSV, another file) is unhurt


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", ",", "\n", "é", "€", "😀", "\x00", "\x07", "\x1f", "\x7f", "\t",
                                         "\r", "\x80", "\xa0"]), max_size=40),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_control_characters_are_found_in_the_bytes_as_in_the_text(body, encoding):
    """read_csv checks UTF-8 files' bytes for control characters instead of the decoded text: the same answer
    (the warning, its rows, the text left) as the regex over the text, in every encoding."""
    data = ("Programme,Attendees\n" + body).encode(encoding, errors="replace")
    _, _, problems = read_csv(data, "f.csv")
    if any(p.code == "not-text" for p in problems):  # refused before any text is read, by either check
        return
    decoded, _, _ = text.decode_text(data, "f.csv")
    expected = decoded is not None and bool(text.CONTROL.search(decoded))
    assert any(p.code == "control-characters-removed" for p in problems) == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(np.nan), st.sampled_from(["a", "", "Code Club"])), max_size=40),
       st.integers(0, 6_000), st.integers(1, 600))
def test_the_first_filled_values_are_those_dropna_gives(values, length, n):
    from impact.ingest.sheet import _first_filled

    cells = pd.Series([values[i % len(values)] if values else None for i in range(length)], dtype=object)
    pd.testing.assert_series_equal(_first_filled(cells, n), cells.dropna().head(n), check_exact=True)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(np.nan), st.just(pd.NA), st.integers(), st.text(max_size=3)),
                max_size=12), st.sampled_from([object, "str"]))
def test_text_cells_are_found_as_a_cell_by_cell_look_finds_them(values, dtype):
    from impact.ingest.clean import is_text

    if dtype == "str" and not all(v is None or isinstance(v, str) for v in values):
        return
    cells = pd.Series(values, dtype=dtype, name="Programme")
    expected = pd.Series([isinstance(v, str) for v in cells.tolist()], index=cells.index, name="Programme",
                         dtype=bool)
    found = is_text(cells)
    pd.testing.assert_series_equal(found, expected, check_names=False)
    if values and all(isinstance(v, str) for v in values):  # named as the column, as s.notna() names it
        assert found.name == "Programme"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(["a", ",", "\n", "é", "€", "\ufeff", "\x00", "\x07", "\x80", "\xa0"]),
               max_size=30),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]), st.sampled_from([None, "utf-8", "cp1252"]))
def test_the_bytes_given_to_the_columnar_reader_are_the_text_it_reads(monkeypatch, body, encoding, chosen):
    """read_csv hands pyarrow the file's own bytes instead of encoding the text again only when they are the same."""
    data = ("Programme,Attendees\n" + body).encode(encoding, errors="replace")
    seen = []
    monkeypatch.setattr(text, "columns_fast", lambda t, d, limits, utf8=None: seen.append((t, utf8)))
    read_csv(data, "f.csv", Limits(encoding=chosen))
    for decoded, utf8 in seen:
        assert utf8 is None or bytes(utf8) == decoded.encode("utf-8")
