"""The disclosure audit on random small scopes of the demo: whatever the scope, no suppressed count in a pack
can be narrowed below the threshold from what the pack publishes (the files, read back as an analyst would)."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from networkx.exception import NetworkXAlgorithmError

from impact.export import csv_files
from impact.export.audit import _read_csv
from impact.export.disclosure import audit_frames
from impact.export.pack import build
from impact.filters import Filters
from impact.store import Store, load_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('audit') / 'x.db'}")
    load_demo(store)
    frames = store.frames()
    att = frames["attendance"]
    month = pd.to_datetime(att["session_date"]).dt.strftime("%Y-%m")
    runs = sorted(set(zip(att["programme"].astype(str), month)))  # (programme, month) with sessions
    themes = frames["programmes"].set_index("name")["theme"].astype(str).to_dict()
    return frames, store.settings(), runs, themes


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_suppressed_count_is_narrower_than_the_threshold_on_random_small_scopes(demo, data):
    frames, stored, runs, themes = demo
    kind = data.draw(st.sampled_from(["programme-month", "theme-month", "programmes-quarter"]))
    programme, month = data.draw(st.sampled_from(runs))
    if kind == "programme-month":
        filters = Filters(programmes=[programme], date_from=month, date_to=month)
    elif kind == "theme-month":
        filters = Filters(themes=[themes[programme]], date_from=month, date_to=month)
    else:
        same_month = [p for p, m in runs if m == month]
        chosen = data.draw(st.lists(st.sampled_from(same_month), min_size=1, max_size=4, unique=True))
        filters = Filters(programmes=chosen, date_from=month, date_to=f"{month[:4]}-{min(12, int(month[5:]) + 2):02d}")
    threshold = data.draw(st.sampled_from([5, 10]))
    try:
        evidence = build(frames, filters, {**stored, "suppress_n": str(threshold)})
    except NetworkXAlgorithmError:  # the partner network fails on a scope whose programmes have no partner:
        reject()  # a known bug of impact/equity/network.py (issue 12's), not of disclosure control
    assert evidence.audit.ok, [c.to_dict() for c in evidence.audit.failures]
    published = {name.removeprefix("tables/").removesuffix(".csv"): _read_csv(data_)
                 for name, data_ in csv_files(evidence).items() if name.endswith(".csv")}
    again = audit_frames(published, evidence.disclosure)
    assert again.ok and all(c.values >= threshold for c in again.cells)
    assert len(again.cells) == len(evidence.audit.cells)


def test_a_demo_scope_where_suppression_must_reach_across_tables(demo, monkeypatch):
    # digital inclusion in August 2024: each table protected on its own (even with its own audit) leaves outcome
    # counts that the outcomes-by-theme rows and the totals give away; the pack's one step across margins does not
    from impact.export import pack
    from impact.export.disclosure import protect, suppress

    frames, stored, _, _ = demo
    captured = {}

    def spy(ruled, margins, same, threshold):
        captured["ruled"] = ruled
        return protect(ruled, margins, same, threshold)

    monkeypatch.setattr(pack, "protect", spy)
    evidence = pack.build(frames, Filters(themes=["Digital inclusion"], date_from="2024-08", date_to="2024-08"), stored)
    assert evidence.audit.ok and evidence.audit.cells
    alone = {name: suppress(frame, rule, 5).table for name, (frame, rule) in captured["ruled"].items()}
    table_by_table = audit_frames(alone, evidence.disclosure)
    assert not table_by_table.ok
    assert any(c.low == c.high for c in table_by_table.failures)  # some hidden count recovered exactly
