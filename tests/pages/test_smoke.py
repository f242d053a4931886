"""Every page renders on the demo data without an exception; every chart has a title, n in its hover,
and a table behind it."""
from __future__ import annotations

import pytest
from pagetest import PAGES, figures, run


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo(demo, page):
    at = run(page)
    charts = figures(at)
    assert charts, "a page with data draws at least one chart"
    for fig in charts:
        assert fig["layout"]["title"]["text"]
        hovers = " ".join(t.get("hovertemplate", "") for t in fig["data"])
        assert "n = " in hovers or "sessions" in hovers, fig["layout"]["title"]["text"]
    assert len(at.dataframe) >= 1
    assert len(at.get("download_button")) >= 1
    assert not at.get("exception")


def test_the_dashboard_sends_at_once_from_its_first_run_and_asks_only_once(demo, monkeypatch):
    from ui import transport
    calls = []
    monkeypatch.setattr(transport, "_DONE", False)
    monkeypatch.setattr(transport, "no_delay_everywhere", lambda: calls.append(1) or 0)
    at = run()
    at.run()
    run("pages/outcomes.py")  # another session of the same process
    assert calls == [1]
