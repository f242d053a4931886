"""The partnership stories the demo plants (impact/demo_partnerships.py) are what `python -m impact partners
--json` reports, run in-process on the demo loaded into SQLite."""
from __future__ import annotations

import json

import pytest

from impact.cli import main
from impact.demo_partnerships import (
    FAIR_PARTNER,
    FAIR_PROGRAMME,
    LOVED_BY_LIBRARY,
    UNCREDITED,
    UNKEPT_PARTNER,
    UNKEPT_PROGRAMME,
)
from impact.store import Store, load_demo


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo_partners') / 'demo.db'}"
    store = Store(url)
    load_demo(store)
    store.dispose()
    capture = tmp_path_factory.mktemp("out") / "partners.json"
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["partners", "--json", "--db", url]) == 0
    capture.write_text(buffer.getvalue())
    return json.loads(buffer.getvalue())


def test_a_partner_doing_most_of_the_work_uncredited_is_named_in_words(out):
    across = [f for f in out["findings"] if f["party"] == UNCREDITED and f["programme"] is None]
    assert len(across) == 1 and across[0]["words"].endswith("and was credited in none of them")
    named = {f["programme"] for f in out["findings"] if f["party"] == UNCREDITED and f["kind"] == "uncredited"}
    assert "Central ESOL Conversation Café" in named and set(named) - {None} <= set(out["not_shared"])


def test_the_partnership_the_library_loves_and_the_partner_does_not_is_flagged(out):
    feedback = out["feedback"]
    assert LOVED_BY_LIBRARY in feedback["library_rates_higher"]
    loved = next(p for p in feedback["partnerships"] if p["partner"] == LOVED_BY_LIBRARY)
    assert loved["library"]["mean"] == 5 and loved["partner_side"]["mean"] == pytest.approx(11 / 5)
    assert feedback["both_sides"] >= 30  # both sides for most partnerships
    assert any(n["partner"] == LOVED_BY_LIBRARY and n["party"] == "partner" for n in feedback["not_working"])


def test_one_partnership_is_fair_on_every_stake_and_kept_its_agreement(out):
    fair = next(p for p in out["partnerships"] if p["programme"] == FAIR_PROGRAMME)
    assert fair["shared"] is True and fair["recorded"] == ["efforts", "outputs", "money", "marketing", "results"]
    assert fair["imbalance"] < 0.05
    stake = next(s for s in out["stakes"] if s["programme"] == FAIR_PROGRAMME and s["party"] == FAIR_PARTNER)
    for name in ("efforts", "outputs", "money_share", "marketing", "results"):
        assert 0.4 <= stake[name] <= 0.6, name
    verdicts = {d["verdict"] for d in out["deliveries"] if d["programme"] == FAIR_PROGRAMME}
    assert verdicts == {"as agreed"}


def test_an_agreed_split_not_kept_shows_on_both_sides(out):
    kept = {(d["party"], d["stake"]): d["verdict"] for d in out["deliveries"] if d["programme"] == UNKEPT_PROGRAMME}
    assert kept[(UNKEPT_PARTNER, "efforts")] == "under-delivered"
    assert kept[("(the library service)", "efforts")] == "over-delivered"


def test_no_word_of_the_old_balance(out):
    text = json.dumps(out)
    assert "gives more than it gets" not in text and '"balance"' not in text
