"""The overview page with AppTest: headline cards with n and change, a trend, outcomes, an empty state."""
from __future__ import annotations

from pagetest import figure, infos, run
from workbooks import workbook

from impact.ingest import ingest_files
from impact.store import Store
from ui.common import Keys

SMALL = workbook({
    "Attendance": [["Programme", "Date", "Attendance", "New to library"],
                   ["Code Club", "2025-04-03", 12, 2], ["Code Club", "2025-04-10", 8, 1]],
    "Survey": [["Programme", "I feel more confident about what I just learned"]] +
              [["Code Club", "Strongly agree"]] * 9 + [["Code Club", "Disagree"]] * 3,
})


def _cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_shows_attendance_and_outcomes_with_n(app):
    Store(app).commit(ingest_files([("small.xlsx", SMALL)]))
    at = run()
    cards = _cards(at)
    assert cards["Attendance"] == "20"
    assert cards["Positive outcomes"] == "75%"  # 9 of 12 agree
    assert cards["New to the library"] == "15%"  # 3 of 20
    captions = " ".join(c.value for c in at.caption)
    assert "2 sessions" in captions and "n = 12 answers" in captions and "n = 20 attendances" in captions
    table = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    row = table[table["outcome"] == "More confident"].iloc[0]
    assert row["n"] == 12 and row["positive"] == 9 and row["positive rate %"] == 75.0
    assert "n = " in figure(at, "Share of responses agreeing")["data"][0]["hovertemplate"]


def test_overview_marks_small_groups_instead_of_showing_a_percentage(app):
    few = workbook({"Survey": [["Programme", "I feel more confident about what I just learned"]] +
                              [["Code Club", "Agree"]] * 4})
    Store(app).commit(ingest_files([("few.xlsx", few)]))
    at = run()
    assert _cards(at)["Positive outcomes"] == "fewer than 10 responses"
    table = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert table.loc[0, "note"] == "fewer than 10 responses"
    assert table["positive rate %"].isna().all()


def test_empty_database_shows_what_to_do_next(app):
    at = run()
    assert "No attendance or survey responses" in infos(at)
    assert not at.metric
    assert not at.get("plotly_chart")


def test_cards_compare_with_the_previous_period_on_the_demo(demo):
    at = run()
    attendance = next(m for m in at.metric if m.label == "Attendance")
    assert attendance.proto.delta  # change against the 12 months before
    assert any("against 2024/25 (1 Apr 2024 – 31 Mar 2025)" in c.value for c in at.caption)  # the year before
    assert {"Blindspots", "Partnerships not shared", "Unique people reached"} <= set(_cards(at))
    trend = figure(at, "Attendance and positive outcomes by month")
    assert len(trend["data"][0]["x"]) == 36  # April 2023 to March 2026


def test_choosing_a_theme_changes_the_cards_and_the_trend(demo):
    at = run()
    before = _cards(at)["Attendance"]
    trend_before = figure(at, "Attendance and positive outcomes")["data"][0]["y"]
    at.multiselect(key=Keys.THEMES).set_value(["Early literacy"]).run()
    assert not at.exception
    assert _cards(at)["Attendance"] != before
    assert figure(at, "Attendance and positive outcomes")["data"][0]["y"] != trend_before


def test_the_grain_regroups_the_trend(demo):
    at = run()
    at.selectbox(key=Keys.GRAIN).set_value("financial_year").run()
    trend = figure(at, "by financial year")
    assert trend["data"][0]["x"] == ["2023/24", "2024/25", "2025/26"]


def test_cards_name_the_previous_period_and_its_figure_and_list_what_they_count(demo):
    """A manager reads a card aloud: this year's figure, last year's with its name, the change, and who."""
    from impact import indicators
    from impact.filters import Filters
    from impact.store import Store as _Store

    at = run(query={"period": "2025/26"})
    attendance = next(m for m in at.metric if m.label == "Attendance")
    frames = _Store(demo).frames()
    now = indicators.compute(frames, Filters(date_from="2025-04-01", date_to="2026-03-31")).reach.attendance
    before = indicators.compute(frames, Filters(date_from="2024-04-01", date_to="2025-03-31")).reach.attendance
    assert attendance.value == f"{now:,}"
    assert attendance.proto.delta == f"{now - before:+,}"
    captions = [c.value for c in at.caption]
    assert any(f"This period: 2025/26 · 2024/25: {before:,}" in c for c in captions), captions
    lists = [m.value.split("\n") for m in at.markdown if m.value.startswith("- ")]
    cards = _cards(at)
    blind, not_shared = int(cards["Blindspots"]), int(cards["Partnerships not shared"].split(" of ")[0])
    assert blind and not_shared  # the demo has both
    groups = next(items for items in lists if items[0].startswith("- Age band:") or ": " in items[0])
    assert len(groups) == min(blind, 8)
    programmes = next(items for items in lists if items is not groups)
    assert len(programmes) == min(not_shared, 8) + (not_shared > 8)
    assert not_shared <= 8 or programmes[-1].startswith(f"- and {not_shared - 8} more")
