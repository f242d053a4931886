"""Disclosure control worked by hand: small cells, their complements, personal data, formulas."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.export.disclosure import (
    SUPPRESSED,
    Suppression,
    known_pattern,
    neutralise,
    safe_csv,
    scrub,
    suppress,
)


def test_a_small_cell_and_the_smallest_complement_are_suppressed_so_the_total_cannot_give_it_away():
    table = pd.DataFrame({"theme": ["a", "b", "c", "d", "Total"], "attendance": [3, 20, 7, 40, 70],
                          "rate": [50.0, 60.0, 70.0, 80.0, 70.0]})
    done = suppress(table, Suppression(("attendance",), {"attendance": ("rate",)}, total_row="Total"))
    assert done.table["attendance"].tolist() == [SUPPRESSED, 20, SUPPRESSED, 40, 70]
    assert done.table["rate"].tolist() == [SUPPRESSED, 60.0, SUPPRESSED, 80.0, 70.0]
    assert done.primary == ((0, "attendance"),) and done.secondary == ((2, "attendance"),)


def test_two_small_cells_adding_up_to_under_the_threshold_take_a_third():
    table = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [1, 2, 9, 30]})
    done = suppress(table, Suppression(("n",)))
    assert done.table["n"].tolist() == [SUPPRESSED, SUPPRESSED, SUPPRESSED, 30]  # 1 + 2 < 5, so 9 goes too


def test_zero_is_not_suppressed_and_a_distribution_row_never_has_one_hidden_level():
    table = pd.DataFrame({"outcome": ["x"], "n": [40], "answered 1": [0], "answered 2": [2],
                          "answered 3": [8], "answered 4": [10], "answered 5": [20]})
    levels = ("answered 1", "answered 2", "answered 3", "answered 4", "answered 5")
    done = suppress(table, Suppression(("n", *levels), additive=(), row_sums=(levels,)))
    row = done.table.iloc[0]
    assert row["answered 1"] == 0 and row["answered 2"] == SUPPRESSED and row["answered 3"] == SUPPRESSED
    assert row["n"] == 40 and row["answered 5"] == 20


def test_scrub_removes_emails_phones_postcodes_titled_names_and_known_ids():
    text = "Thanks to Sarah Jones! Call 07700 900123 or jo.bloggs@example.org, Mrs Patel at SW1A 1AA, id WF014402"
    out = scrub(text, known=["WF014402"])
    for personal in ("Sarah", "Jones", "07700", "jo.bloggs", "Patel", "SW1A", "WF014402"):
        assert personal not in out
    assert scrub("Lovely friendly staff") == "Lovely friendly staff"


# ids and names sharing prefixes, differing in case, with spaces and punctuation; texts built from their pieces
PIECES = ["WF0", "wf01", "WF014402", "WF0144", "GOC0014", "Jo", "jo-", "Jo Ann", "Ann", "a.b", "Ab", "ab c", "K", "s"]
TEXT_PIECES = PIECES + [" ", "-", ".", "x", "1", "_", "\u212a", "\u017f", "Ä", ", "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text("aAbBjJoO0 1-.", min_size=1, max_size=6), min_size=1, max_size=8),
       st.lists(st.sampled_from(TEXT_PIECES), max_size=14))
def test_the_known_strings_pattern_replaces_exactly_what_a_plain_longest_first_alternation_does(known, pieces):
    text = "".join(pieces)
    found = sorted({k.strip() for k in known if k.strip()}, key=len, reverse=True)
    if not found:
        return
    plain = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, found)) + r")(?!\w)", re.IGNORECASE)
    assert known_pattern(known).sub("[removed]", text) == plain.sub("[removed]", text)


def test_thousands_of_known_ids_scrub_a_comment_in_well_under_a_millisecond():
    import time

    ids = [f"WF{i:06d}" for i in range(0, 60000, 9)] + [f"GOC{i:04d}" for i in range(300)]
    pattern = known_pattern(ids)
    text = "Lovely staff, my code is wf000090 and GOC0012 came too; WF0000901 is not one. " * 3
    assert scrub(text, pattern).count("[removed]") == 6
    start = time.perf_counter()
    for _ in range(200):
        scrub(text, pattern)
    assert (time.perf_counter() - start) / 200 < 0.002  # ~0.1 ms; a plain alternation of these 6,967 ids: ~7 ms


def test_formula_text_is_neutralised_and_numbers_are_left_alone():
    assert neutralise('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert [neutralise(v) for v in ("+1", "-a", "@sum", "ok")] == ["'+1", "'-a", "'@sum", "ok"]
    assert neutralise(-3) == -3


def test_safe_csv_suppresses_and_neutralises():
    table = pd.DataFrame({"partner": ['=HYPERLINK("http://x","y")', "Age UK"], "attendance": [3, 50]})
    back = pd.read_csv(io.BytesIO(safe_csv(table, Suppression(("attendance",)))), encoding="utf-8-sig", dtype=str)
    assert back["partner"].tolist() == ['\'=HYPERLINK("http://x","y")', "Age UK"]
    assert back["attendance"].tolist() == [SUPPRESSED, SUPPRESSED]  # one hidden cell would be given away


def test_page_downloads_neutralise_formulas_like_the_pack():
    """Every per-chart CSV download on the pages goes through views.csv_bytes."""
    import pandas as pd

    from impact import views

    text = views.csv_bytes(pd.DataFrame({"partner": ['=HYPERLINK("http://x","y")', "@SUM(A1)", "Age UK"],
                                         "n": [1, 2, 3]})).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and "\n=" not in text


# --- across margins, audited by linear programming ------------------------------------------------------

from impact.export.disclosure import Margin, Rate, Same, audit_frames, protect

REACH = Suppression(("attendance",), total_row="Total")


def _theme_and_programmes(small=4):
    reading = 68 + small + 22 + 26  # 120
    themes = pd.DataFrame({"theme": ["Reading", "Digital", "Total"], "attendance": [reading, 300, reading + 300]})
    programmes = pd.DataFrame({"programme": ["A", "B", "C", "D", "E", "Total"],
                               "theme": ["Reading", "Reading", "Reading", "Reading", "Digital", None],
                               "attendance": [68, small, 22, 26, 300, reading + 300]})
    return themes, programmes


def test_the_audit_finds_a_programme_cell_given_away_by_its_theme_row_when_suppression_ignores_the_margin():
    # the case: a theme row of 120 beside programme rows 68 + [c] + 22 + 26
    themes, programmes = _theme_and_programmes()
    alone = {"themes": (themes, REACH), "programmes": (suppress(programmes, REACH).table, REACH)}
    frames = {name: frame for name, (frame, _) in alone.items()}
    spec = protect({"themes": (themes, REACH), "programmes": (programmes, REACH)},
                   [Margin("programmes", "theme", "themes", "theme", ("attendance",))]).spec
    found = audit_frames(frames, spec)
    # per-table suppression hid B (4) and C (22, its smallest complement): the theme row gives B + C = 26,
    # so B lies in 1..25 -- wide; but suppose the theme row had been checked alone and hid nothing more:
    assert found.ok
    # now reveal C as a careless table would: B = 120 - 68 - 22 - 26 exactly
    frames["programmes"] = frames["programmes"].astype("object")
    frames["programmes"].loc[2, "attendance"] = 22
    exposed = audit_frames(frames, spec)
    assert not exposed.ok
    cell = exposed.failures[0]
    assert (cell.table, cell.row, cell.column, cell.values) == ("programmes", 1, "attendance", 1)
    assert cell.low == pytest.approx(4) and cell.high == pytest.approx(4)


def test_protect_chooses_secondary_cells_across_the_margin_and_passes_its_own_audit():
    themes, programmes = _theme_and_programmes()
    done = protect({"themes": (themes, REACH), "programmes": (programmes, REACH)},
                   [Margin("programmes", "theme", "themes", "theme", ("attendance",))])
    shown = done.tables["programmes"].table["attendance"].tolist()
    assert shown[1] == SUPPRESSED and sum(v == SUPPRESSED for v in shown[:4]) >= 2
    assert done.audit.ok and all(c.values >= 5 for c in done.audit.cells)


def test_a_total_is_suppressed_when_it_would_equal_its_only_hidden_cell():
    # one programme of 3 attendances: the total row would say 3
    table = pd.DataFrame({"programme": ["A", "Total"], "attendance": [3, 3]})
    done = suppress(table, REACH)
    assert done.table["attendance"].tolist() == [SUPPRESSED, SUPPRESSED]


def test_a_mean_to_two_decimals_cannot_pin_hidden_answer_counts():
    # n = 40 and the mean 4.10 with answers 1 and 2 hidden: without hiding the mean, 1·a1 + 2·a2 is pinned
    levels = ("answered 1", "answered 2", "answered 3", "answered 4", "answered 5")
    counts = [2, 3, 5, 10, 20]
    table = pd.DataFrame([{"outcome": "x", "n": 40, "positive": 30, **dict(zip(levels, counts)),
                           "mean (1-5)": round(sum(k * c for k, c in zip(range(1, 6), counts)) / 40, 2)}])
    rule = Suppression(("n", "positive", *levels), derived={lvl: ("mean (1-5)",) for lvl in levels}, additive=(),
                       row_totals=((levels, "n"), (levels[3:], "positive")),
                       rates=(Rate("mean (1-5)", tuple((lvl, float(k)) for k, lvl in enumerate(levels, 1)), "n",
                                   1.0, 2),))
    done = protect({"outcomes": (table, rule)})
    row = done.tables["outcomes"].table.iloc[0]
    assert row["mean (1-5)"] == SUPPRESSED and done.audit.ok
    # answers 1 and 2 hidden but the mean shown: a1 + a2 = 5 and a1 + 2·a2 = 40 × 4.08 − 155 within rounding
    leaky = table.astype("object")
    leaky.loc[0, ["answered 1", "answered 2"]] = SUPPRESSED
    found = audit_frames({"outcomes": leaky}, done.spec)
    assert not found.ok and ("answered 2", 1) in {(c.column, c.values) for c in found.failures}


def test_the_same_figure_in_two_tables_is_hidden_in_both():
    a = pd.DataFrame({"theme": ["x", "y", "Total"], "attendance": [3, 40, 43]})
    b = pd.DataFrame({"theme": ["x", "y", "Total"], "attendance": [3, 40, 43], "cost": [10.0, 2.0, 2.5]})
    rule_b = Suppression(("attendance",), derived={"attendance": ("cost",)}, total_row="Total")
    done = protect({"a": (a, REACH), "b": (b, rule_b)}, same=[Same("a", "theme", "b", "theme",
                                                                     (("attendance", "attendance"),))])
    assert done.tables["b"].table.loc[0, "cost"] == SUPPRESSED
    assert done.audit.ok


def test_a_shown_rate_beside_a_hidden_count_is_what_the_audit_bounds_with():
    # the case: a response rate beside an attendance reveals a suppressed n
    table = pd.DataFrame({"theme": ["x", "y", "Total"], "attendance": [50, 60, 110], "responses": [3, 20, 23],
                          "rate %": [6.0, 33.3, 20.9]})
    rule = Suppression(("attendance", "responses"), total_row="Total",
                       rates=(Rate("rate %", (("responses", 1.0),), "attendance"),))
    done = protect({"t": (table, rule)})
    assert done.tables["t"].table.loc[0, "rate %"] == SUPPRESSED and done.audit.ok
    leaky = done.tables["t"].table.copy()
    leaky["rate %"] = table["rate %"]  # 6.0% of 50 can only be 3
    assert not audit_frames({"t": leaky}, done.spec).ok
