"""Pages share one read-only columnar copy per data version per server process (ui/common.py), and see an upload
or undo made elsewhere on their next rerun."""
from __future__ import annotations

from pagetest import run

from impact import columnar
from impact.store import Store


def test_sessions_and_pages_share_one_copy_and_an_undo_shows_on_the_next_rerun(demo, monkeypatch):
    calls = []
    real = columnar.load

    def counted(store):
        copy = real(store)
        calls.append(copy.source)
        return copy

    monkeypatch.setattr(columnar, "load", counted)
    first = run()  # overview, session one
    run("pages/outcomes.py")  # session two, another page
    first.switch_page("pages/equity.py").run()
    assert not first.exception
    # read once; the demo's database was copied to this test's folder, so its copy is written here first
    assert calls == ["rebuilt"]
    store = Store(demo)
    batch = int(store.batches()["id"].iloc[-1])
    store.undo(batch)  # e.g. through the command line, another process
    again = run()
    assert not again.exception
    assert calls == ["rebuilt", "copy"]  # the undo wrote the new version's copy: read once more, from it
    again.switch_page("pages/outcomes.py").run()
    assert len(calls) == 2
