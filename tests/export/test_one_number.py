"""One number everywhere (issue 11, part 6): for several scopes, the pack's tables and statements, the pages'
figures (the same `impact` calls the pages make) and the CLI's JSON give each figure the same value."""
from __future__ import annotations

import json

import pytest

from impact import equity, indicators, views
from impact.cli import main
from impact.export.disclosure import SUPPRESSED
from impact.export.pack import TOTAL, build
from impact.filters import Filters, prepare
from impact.store import Store, load_demo

SCOPES = [
    ({}, []),
    ({"themes": ["Digital inclusion"]}, ["--theme", "Digital inclusion"]),
    ({"themes": ["Early literacy"], "date_from": "2024-04", "date_to": "2024-06"},
     ["--theme", "Early literacy", "--from", "2024-04", "--to", "2024-06"]),
    ({"programmes": ["Central Rhyme Time"], "date_from": "2024-05", "date_to": "2024-05"},
     ["--programme", "Central Rhyme Time", "--from", "2024-05", "--to", "2024-05"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('one') / 'x.db'}")
    load_demo(store)
    return store


def _cli(capsys, store, command, flags) -> dict:
    capsys.readouterr()
    assert main([command, "--json", "--db", str(store.engine.url), *flags]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("scope,flags", SCOPES)
def test_the_pack_the_page_and_the_cli_give_the_same_figures(store, capsys, scope, flags):
    settings = store.settings()
    min_n, threshold = int(settings["min_n"]), float(settings["blindspot_threshold"])
    data = prepare(store.frames())
    filters = Filters(**scope)
    evidence = build(data.frames, filters, settings)
    page = indicators.compute(data, filters, min_n, float(settings["hourly_rate"]))  # what pages/outcomes.py shows
    cli = _cli(capsys, store, "indicators", flags)
    # attendance: the page's card, the CLI, the pack's total row (unless hidden)
    total = evidence.table("reach_by_theme").frame
    shown = total.loc[total["theme"] == TOTAL, "attendance"]
    assert cli["reach"]["attendance"] == page.reach.attendance
    if len(shown) and shown.item() != SUPPRESSED:
        assert shown.item() == page.reach.attendance
    # outcomes: n, positive and the interval in the page's table, the CLI and the pack
    table = views.outcome_table(page, min_n)
    outcomes = evidence.table("outcomes").frame
    for domain, o in page.outcomes.items():
        assert cli["outcomes"][domain]["n"] == o.n and cli["outcomes"][domain]["ci_low"] == pytest.approx(o.ci_low)
        row = outcomes[outcomes["outcome"] == views.domain_label(domain)].iloc[0]
        if row["n"] != SUPPRESSED:
            assert row["n"] == o.n == table.loc[table["outcome"] == views.domain_label(domain), "n"].item()
        if o.reliable and row["95% CI low %"] not in (SUPPRESSED, None) and o.ci_low is not None:
            assert row["95% CI low %"] == pytest.approx(round(100 * o.ci_low, 1))
    # blindspots: the page's table, the CLI's JSON and the pack's equity table count the same groups
    found = equity.compute(data, filters, threshold, min_n)
    page_blind = views.blindspot_table(found.reach)
    eq_cli = _cli(capsys, store, "equity", flags)
    cli_blind = sum(len(d["blindspots"]) for d in eq_cli["reach"].values() if d["reliable"])
    eq = evidence.table("equity_reach").frame if any(t.name == "equity_reach" for t in evidence.tables) else None
    pack_blind = int((eq["blindspot"] == "yes").sum()) if eq is not None and len(eq) else 0
    hidden = int(((eq["participants"] == SUPPRESSED) & (eq["group"] != TOTAL)).sum()) if eq is not None and len(eq) else 0
    assert len(page_blind) == cli_blind
    assert pack_blind == len(page_blind) or hidden  # a blindspot row can only differ by being suppressed
    # the statements use the same outcome figures
    for s in evidence.statements:
        if s.kind == "outcome":
            assert any(s.n == o.n and s.low == o.ci_low for o in page.outcomes.values())
