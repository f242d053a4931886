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
