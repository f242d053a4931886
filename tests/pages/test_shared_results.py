"""What a page computes is shared by every session asking for the same scope (issue 16: many users), and never
by a session of another account scope (a partner login must not be served the whole service's figures)."""
from __future__ import annotations

from pagetest import run

from impact import indicators, scopes


def _responses(at) -> str:
    return next(m.value for m in at.metric if m.label == "Post-session responses")


def test_a_second_session_recomputes_nothing_and_another_scope_gets_its_own_figures(demo, monkeypatch):
    from ui import common

    calls = []
    real = indicators.compute

    def counted(data, *args, **kwargs):
        calls.append(len(data.programmes))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(indicators, "compute", counted)
    whole = run("pages/outcomes.py")
    first = len(calls)
    assert first > 0
    again = run("pages/outcomes.py")  # another session, the same scope and filters
    assert len(calls) == first and _responses(again) == _responses(whole)

    monkeypatch.setattr(common, "_scope", lambda: scopes.Scope(("Westfield Digital Champions",), ()))
    partner = run("pages/outcomes.py")
    assert len(calls) > first  # computed anew for this scope, not served the whole service's result
    assert int(_responses(partner).replace(",", "")) < int(_responses(whole).replace(",", ""))


def _confirmed_caption(at) -> str:
    return next(c.value for c in at.caption if "confirmed by staff" in c.value)


def test_staff_decisions_made_elsewhere_show_on_the_next_run_and_reads_are_shared(demo, monkeypatch):
    """The comment tables are read once per change (one version query per rerun), not on every rerun; a
    confirmation saved by another session or process shows on this page's next run."""
    from impact import comments
    from impact.store import Store

    reads = []
    real = comments.load
    monkeypatch.setattr(comments, "load", lambda store: reads.append(1) or real(store))
    before = run("pages/outcomes.py")
    run("pages/outcomes.py")
    assert len(reads) <= 1  # the second run (another session) read nothing again
    assert " 0 confirmed by staff" in _confirmed_caption(before)

    everything = comments.coded(comments.prepare(Store(demo).frames()))
    comments.CommentStore(Store(demo)).confirm(
        [{"comment_id": i, "codes": "skills", "tone": "positive"} for i in everything["comment_id"]], coder="AB")
    caption = _confirmed_caption(run("pages/outcomes.py"))
    in_scope = caption.split(" comments in scope")[0]
    assert f"codebook, {in_scope} confirmed by staff" in caption and in_scope != "0"


def test_a_shared_table_and_figure_are_converted_once_and_sent_unchanged():
    """A memoised table's Arrow form and CSV, and a memoised figure's plain form, are made once per object (not
    on every rerun of every session) and are exactly what Streamlit would have made of them."""
    import pandas as pd
    import plotly.graph_objects as go
    import plotly.io as pio
    from streamlit import dataframe_util

    from impact import views
    from ui import common

    table = pd.DataFrame({"programme": ["Code Club", "=HYPERLINK(1)"], "n": [12, 3], "when": pd.to_datetime(
        ["2024-01-02", "2024-03-04"]).date})
    made = []
    counted = common.per_object(lambda t: made.append(1) or views.csv_bytes(t))
    assert counted(table) is counted(table) and len(made) == 1
    assert counted(table.copy()) == counted(table) and len(made) == 2  # another object: made anew
    assert common.arrow_of(table) is common.arrow_of(table)
    assert common.arrow_of(table).equals(dataframe_util.convert_pandas_df_to_arrow_table(table))

    fig = go.Figure(go.Bar(x=[1, 2], y=["a", "b"]), layout={"title": {"text": "Reach"}})
    expected = pio.to_json(fig.to_dict(), validate=False)
    drawn = common._drawn_once(fig)
    assert drawn.to_dict() is drawn.to_dict()  # the deep copy is made once
    assert pio.to_json(drawn.to_dict(), validate=False) == expected


def test_a_tables_csv_is_made_when_clicked_and_the_download_recorded_then(demo, monkeypatch):
    """Drawing a page makes no CSV (most tables are never downloaded); the CSV a click asks for is the table's
    screened CSV, and that download is in the audit trail with the filters that were in force."""
    import pandas as pd

    from impact import audit_trail, views
    from impact.store import Store
    from ui import common

    made = []
    real = views.csv_bytes
    monkeypatch.setattr(views, "csv_bytes", lambda t: made.append(1) or real(t))
    monkeypatch.setattr(common, "csv_of", common.per_object(views.csv_bytes))
    at = run("pages/overview.py")
    assert len(at.get("download_button")) >= 2 and made == []

    table = pd.DataFrame({"programme": ["=HYPERLINK(1)"], "n": [12]})
    click = common.csv_when_clicked(table, "reach.csv")
    assert made == [] and audit_trail.trail(Store(demo), "export").empty
    assert click() == real(table) and made == [1]
    (row,) = audit_trail.trail(Store(demo), "export").to_dict("records")
    assert '"what": "reach.csv"' in row["detail"]


def test_one_run_reads_the_data_version_and_settings_once(demo, monkeypatch):
    """Every figure of a run comes from one data version (an upload landing mid-run shows whole on the next run),
    and a page asking for many results makes one version query and one settings query per run, not one each."""
    from impact.store import Store

    calls = {"version": 0, "settings": 0}
    version, settings = Store.version, Store.settings
    monkeypatch.setattr(Store, "version", lambda self: calls.__setitem__("version", calls["version"] + 1)
                        or version(self))
    monkeypatch.setattr(Store, "settings", lambda self: calls.__setitem__("settings", calls["settings"] + 1)
                        or settings(self))
    at = run("pages/outcomes.py")  # two runs: the overview, then the Outcomes page
    assert calls == {"version": 2, "settings": 2}, calls
    at.run()
    assert calls == {"version": 3, "settings": 3}, calls


def test_shared_results_are_computed_once_at_a_time_bounded_and_a_fault_is_not_kept():
    """Sessions asking at once for the same new scope wait for one computation; at most `size` results are
    kept, the least recently used dropped; a computation that fails is not stored, the next asker tries again."""
    import threading
    import time

    from ui.common import _Results

    results, calls = _Results(size=2), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(results.get("a", slow))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and all(g is got[0] for g in got)

    results.get("b", lambda: 2)
    results.get("a", slow)  # used again: now "b" is the least recently used
    results.get("c", lambda: 3)
    assert list(results.values) == ["a", "c"] and len(calls) == 1

    def broken():
        raise ValueError("a fault")

    try:
        results.get("d", broken)
    except ValueError:
        pass
    assert "d" not in results.values and results.get("d", lambda: 4) == 4


def test_shared_results_are_bounded_by_memory_not_only_by_count():
    """Results are kept while their sizes add up to the budget, the least recently used dropped first; a result
    alone over the budget is returned but not kept; the sizes are the frames' and figures' own."""
    import numpy as np
    import pandas as pd
    import plotly.graph_objects as go

    from ui.common import _Results, approx_bytes

    frame = pd.DataFrame({"n": np.arange(10_000, dtype="int64"), "name": [f"programme {i}" for i in range(10_000)]})
    assert approx_bytes(frame) == frame.memory_usage(index=True, deep=True).sum() > 80_000
    figure = go.Figure(go.Bar(x=np.arange(50_000, dtype="float64"), y=np.arange(50_000, dtype="float64")))
    assert approx_bytes(figure) >= 2 * 50_000 * 8  # its two arrays, not its validators
    assert approx_bytes(frame) < approx_bytes((frame, frame)) < approx_bytes(frame) + 100  # one object counted once

    results = _Results(size=100, budget=3 * approx_bytes(frame))
    for k in range(3):
        results.get(k, lambda: frame.copy())
    assert list(results.values) == [0, 1, 2]
    results.get(0, lambda: None)  # used again: 1 is now the least recently used
    results.get("big", lambda: frame.copy())
    assert list(results.values) == [2, 0, "big"] and results.held <= results.budget

    huge = pd.DataFrame({"n": np.arange(1_000_000, dtype="int64")})
    assert results.get("huge", lambda: huge) is huge  # returned to the page that asked ...
    assert "huge" not in results.values and results.held == sum(results.sizes.values())  # ... not kept

    results.clear()
    assert results.held == 0 and not results.sizes

    class Unsizable:
        @property
        def __dict__(self):
            raise RuntimeError("no")

    odd, roomy = Unsizable(), _Results(budget=2**30)
    assert roomy.get("odd", lambda: odd) is odd and roomy.sizes["odd"] == 2**20  # kept, counted as 1 MB


def test_a_long_comment_list_draws_its_latest_rows_and_its_csv_has_every_one(demo):
    """The list of comments is sent on every rerun: the page draws the latest 500 and says so; its CSV (made on
    click) has every comment in scope."""
    import pandas as pd

    from ui.comments import LISTED

    at = run("pages/outcomes.py")
    assert not [d for d in at.dataframe if "coded by" in d.value.columns]  # closed: not drawn, not sent
    at.session_state["outcomes.said.comments_box"] = True  # the reader opens it
    at.run()
    (caption,) = [c.value for c in at.caption if c.value.startswith(f"The latest {LISTED:,} of the ")]
    n = int(caption.split(" of the ")[1].split()[0].replace(",", ""))
    assert n > LISTED
    (listed,) = [d.value for d in at.dataframe if "comment" in d.value.columns and "coded by" in d.value.columns]
    assert len(listed) == LISTED
    dates = pd.to_datetime(listed["date"])
    assert dates.is_monotonic_decreasing  # the latest first


def test_a_closed_section_draws_nothing_and_stays_open_across_filter_changes_once_opened(demo):
    """The page's expanders are drawn only while open (ui.common.opened): a closed one costs no element and sends
    no table on the reruns of every session; once opened it stays open when the filters change."""
    from ui.common import Keys

    at = run("pages/outcomes.py")
    closed = len(at.dataframe)
    at.session_state["outcomes.who_answered"] = True
    at.run()
    assert len(at.dataframe) > closed and any(b.label.startswith("Download") for b in at.get("download_button"))
    opened_tables = len(at.dataframe)
    themes = at.multiselect(key=Keys.THEMES)
    themes.set_value([themes.options[0]]).run()
    assert not at.exception
    assert at.session_state["outcomes.who_answered"] is True and len(at.dataframe) == opened_tables


def test_the_results_budget_is_a_setting_with_a_safe_default(monkeypatch):
    """IMPACT_RESULTS_MB sets the bytes kept; a value that is not a number keeps the default (256 MB)."""
    from ui.common import _Results

    monkeypatch.setenv("IMPACT_RESULTS_MB", "1.5")
    assert _Results().budget == int(1.5 * 2**20)
    for wrong in ("lots", "nan", "inf"):
        monkeypatch.setenv("IMPACT_RESULTS_MB", wrong)
        assert _Results().budget == 256 * 2**20
    monkeypatch.delenv("IMPACT_RESULTS_MB")
    assert _Results().budget == 256 * 2**20
    monkeypatch.setenv("IMPACT_RESULTS_MB", "0")  # nothing kept: every result computed when asked
    results = _Results()
    assert results.get("a", lambda: 1) == 1 and not results.values
