"""The shared filter bar: read from and written to the URL, kept across pages, tolerant of stale values."""
from __future__ import annotations

from pagetest import run

from ui.common import Keys


def _attendance(at) -> str:
    return next(m.value for m in at.metric if m.label == "Attendance")


def test_the_url_sets_the_filters_and_unknown_values_are_ignored(demo):
    at = run(query={"theme": ["Early literacy", "No such theme"], "period": "2024/25", "grain": "quarter"})
    assert at.multiselect(key=Keys.THEMES).value == ["Early literacy"]
    assert at.selectbox(key=Keys.PERIOD).value == "2024/25"
    assert at.selectbox(key=Keys.GRAIN).value == "quarter"
    everything = run()
    assert _attendance(at) != _attendance(everything)


def test_a_filter_change_is_written_to_the_url(demo):
    at = run()
    at.multiselect(key=Keys.BRANCHES).set_value(["Central"]).run()
    at.selectbox(key=Keys.PERIOD).set_value("2024/25").run()
    assert at.query_params["branch"] == ["Central"] or at.query_params["branch"] == "Central"
    assert at.query_params["period"] in ("2024/25", ["2024/25"])


def test_filters_are_kept_when_switching_pages_even_through_upload(demo):
    at = run()
    at.multiselect(key=Keys.THEMES).set_value(["Early literacy"]).run()
    at.selectbox(key=Keys.PERIOD).set_value("2023/24").run()
    at.switch_page("pages/upload.py").run()
    at.switch_page("pages/outcomes.py").run()
    assert not at.exception
    assert at.multiselect(key=Keys.THEMES).value == ["Early literacy"]
    assert at.selectbox(key=Keys.PERIOD).value == "2023/24"


def test_a_custom_period_from_the_url_and_clear_filters(demo):
    at = run(query={"from": "2024-01-01", "to": "2024-03-31"})
    assert at.selectbox(key=Keys.PERIOD).value == "Custom dates"
    assert "1 Jan 2024 – 31 Mar 2024" in " ".join(c.value for c in at.caption)
    clear = next(b for b in at.button if b.label == "Clear filters")
    clear.click().run()
    assert at.selectbox(key=Keys.PERIOD).value == "All time"


def test_a_demographic_group_narrows_the_figures(demo):
    at = run()
    before = _attendance(at)
    at.selectbox(key=Keys.GROUP_DIMENSION).set_value("age_band").run()
    at.multiselect(key=Keys.GROUPS).set_value(["65+"]).run()
    assert not at.exception
    assert _attendance(at) != before
