"""Every chart on every explore page has an accessible name (role="figure" with aria-label in the browser): its
title in plain words and where its table is (WCAG 1.1.1; issue 14)."""
from __future__ import annotations

import json

import pytest
from pagetest import PAGES, run


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_named_by_its_title(page):
    at = run(page)
    charts = at.get("plotly_chart")
    assert charts, page
    for element in charts:
        title = json.loads(element.proto.spec)["layout"].get("title", {}).get("text", "")
        assert element.proto.alt.startswith("Chart: "), (page, element.proto.alt)
        assert "<" not in element.proto.alt  # plain words, no markup from the title
        plain = title.replace("<b>", "").replace("</b>", "").split("<br>")[0].strip()
        assert plain.split()[0] in element.proto.alt, (title, element.proto.alt)
        assert element.proto.alt.endswith("Every figure in it is in the table that follows.")
