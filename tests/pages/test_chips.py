"""Active filters show as removable chips at the top of the page (what a phone user sees with the sidebar shut)."""
from __future__ import annotations

from pagetest import run

from ui.common import Keys


def _chips(at) -> list:
    return [b for b in at.button if b.key and b.key.startswith("filters.chip.")]


def test_each_active_filter_is_a_chip_and_removing_one_keeps_the_others(demo):
    at = run(query={"theme": ["Early literacy", "Digital inclusion"], "period": "2024/25"})
    labels = [b.label for b in _chips(at)]
    assert labels == ["Period: Financial year 2024/25", "Theme: Early literacy", "Theme: Digital inclusion"]
    next(b for b in _chips(at) if b.label == "Theme: Early literacy").click().run()
    assert not at.exception
    assert at.multiselect(key=Keys.THEMES).value == ["Digital inclusion"]
    assert [b.label for b in _chips(at)] == ["Period: Financial year 2024/25", "Theme: Digital inclusion"]
    assert at.query_params["theme"] in ("Digital inclusion", ["Digital inclusion"])
    _chips(at)[0].click().run()
    assert at.selectbox(key=Keys.PERIOD).value == "All time"


def test_no_chips_without_filters(demo):
    assert not _chips(run())
