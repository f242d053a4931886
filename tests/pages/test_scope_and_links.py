"""One scope everywhere: the Evidence page uses the filter bar, financial-year presets, page choices in the URL,
and a link value that matches nothing named in a warning."""
from __future__ import annotations

import datetime as dt

from pagetest import run

from ui.common import Keys
from ui.filterbar import LAST_FY, last_financial_year


def _warnings(at) -> str:
    return " ".join(w.value for w in at.warning).replace("\\", "")  # markdown escapes


def test_last_financial_year_is_the_one_that_ended_most_recently():
    assert last_financial_year(4, dt.date(2026, 11, 30)) == ("2025/26", dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert last_financial_year(4, dt.date(2026, 3, 31)) == ("2024/25", dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert last_financial_year(7, dt.date(2026, 7, 1))[1:] == (dt.date(2025, 7, 1), dt.date(2026, 6, 30))


def test_the_evidence_page_uses_the_filter_bar_and_says_the_scope_in_words(demo):
    at = run("pages/evidence.py", query={"theme": "Early literacy", "period": "2024/25"})
    assert at.multiselect(key=Keys.THEMES).value == ["Early literacy"]
    assert "Scope: Early literacy, financial year 2024/25" in [s.value for s in at.header]
    assert any("Source:" in c.value and "uploads" in c.value for c in at.caption)
    assert not at.get("form")  # no scope form of its own any more


def test_financial_year_presets_are_labelled_as_such(demo):
    at = run()
    period = at.selectbox(key=Keys.PERIOD)
    shown = [period.format_func(o) if hasattr(period, "format_func") else o for o in period.options]
    assert "Financial year 2024/25" in " ".join(shown)
    if LAST_FY in period.options:  # the demo's data reaches into the last financial year
        period.set_value(LAST_FY).run()
        assert at.query_params["period"] in (LAST_FY, [LAST_FY])


def test_a_filter_value_in_the_link_that_matches_nothing_is_named(demo):
    at = run(query={"theme": ["Early literacy", "Early litracy"], "period": "2099/00"})
    text = _warnings(at)
    assert "Early litracy" in text and "2099/00" in text and "matches nothing" in text
    assert at.multiselect(key=Keys.THEMES).value == ["Early literacy"]


def test_page_choices_are_in_the_url_and_a_wrong_one_is_named(demo):
    at = run("pages/outcomes.py")
    at.selectbox(key=Keys.OUTCOMES_BY).set_value("branch").run()
    assert at.query_params["by"] in ("branch", ["branch"])
    good = run("pages/equity.py", query={"dimension": "age_band"})
    assert good.selectbox(key=Keys.EQUITY_DIMENSION).value == "age_band"
    assert not _warnings(good)
    bad = run("pages/equity.py", query={"dimension": "shoe_size"})
    assert "shoe_size" in _warnings(bad)
    assert bad.selectbox(key=Keys.EQUITY_DIMENSION).value != "shoe_size"


def test_the_evidence_page_builds_the_pack_for_its_scope_and_the_trail_records_it(demo):
    """The button behind the page (role check, comments' approved quotes, the pack) end to end in AppTest."""
    from impact import audit_trail
    from impact.store import Store

    at = run("pages/evidence.py", query={"theme": "Early literacy", "period": "2024/25"})
    next(b for b in at.button if b.label == "Build the evidence pack").click().run()
    assert not at.exception, at.exception
    assert at.success and at.success[0].value.startswith("The pack for Early literacy, financial year 2024/25 is ready")
    exports = audit_trail.trail(Store(demo), event="export")
    assert len(exports) == 1 and "Early literacy" in str(exports["detail"].iloc[0])
