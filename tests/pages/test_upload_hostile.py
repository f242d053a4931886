"""The Upload page with hostile files (AppTest): the file that killed the server is an error in the report,
the page keeps working, names with markup are shown as text, an encoding can be chosen."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from pagetest import upload_files as _upload
from pagetest import upload_page as _page
from streamlit.testing.v1 import AppTest

from impact.store import Store

ROOT = Path(__file__).resolve().parents[2]
_SPEC = importlib.util.spec_from_file_location("make_hostile", ROOT / "tests" / "hostile" / "make_hostile.py")
hostile = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(hostile)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _store(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Store this upload").click().run()
    assert not at.exception, at.exception
    return at


def _report(at: AppTest):
    return next(d.value for d in at.dataframe if "code" in d.value.columns)


def test_the_corner_cell_file_is_an_error_and_the_page_keeps_working(app):
    at = _upload(_page(), ("corner.xlsx", hostile.corner_cell(), XLSX))
    report = _report(at)
    assert "too-many-columns" in set(report["code"])
    assert any("corner.xlsx: could not be read" in e.value for e in at.error)
    good = hostile.csv_bytes([hostile.HEADER, *hostile.ROWS])
    at = _upload(at, ("corner.xlsx", hostile.corner_cell(), XLSX), ("good.csv", good, "text/csv"))
    assert len(Store(app).batches()) == 0  # one bad file: nothing of the upload is stored
    at = _upload(at, ("good.csv", good, "text/csv"))
    _store(at)
    assert len(Store(app).load("attendance")) == 3


def test_a_name_with_a_markdown_link_is_stored_and_shown_as_text(app):
    at = _upload(_page(), ("phish.csv", hostile.markdown_link_name(), "text/csv"))
    shown = " ".join(m.value for m in at.markdown)
    assert "[Phish](http" not in shown  # the plan's "New programmes" line
    at = _store(at)
    success = " ".join(s.value for s in at.success)
    assert "\\[Phish\\]" in success and "[Phish](http" not in success
    assert "[Phish](http://evil.example/login)" in set(Store(app).load("programmes")["name"])


def test_a_windows_1252_file_is_read_with_a_warning_and_can_be_read_as_chosen(app):
    at = _upload(_page(), ("cafe.csv", hostile.windows_1252(), "text/csv"))
    assert "read-as-windows-1252" in set(_report(at)["code"])
    at.selectbox(key="upload.encoding").set_value("utf-8").run()
    assert not at.exception
    assert "undecodable-bytes" in set(_report(at)["code"])  # as UTF-8 its é shows as a replacement mark


def test_a_name_that_held_personal_data_can_be_renamed_on_the_page_and_is_stored_renamed(app):
    at = _upload(_page(), ("personal.csv", hostile.personal_programme(), "text/csv"))
    assert "personal-data-in-name" in set(_report(at)["code"])
    box = next(t for t in at.text_input if "stored as 'Code Club" in t.label)
    assert "email address" in box.label and box.value == "Code Club (contact [email] [phone])"  # scrubbed, offered
    box.set_value("Code Club Tuesdays").run()
    assert not at.exception, at.exception
    assert "personal-data-in-name" not in set(_report(at)["code"])  # the user's own name, checked again: clean
    assert any("stored as 'Code Club Tuesdays'" in c.value for c in at.caption)
    _store(at)
    assert set(Store(app).load("attendance")["programme"]) == {"Code Club Tuesdays"}
