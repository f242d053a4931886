"""Disclosure control worked by hand: small cells, their complements, personal data, formulas."""
from __future__ import annotations

import io

import pandas as pd

from impact.export.disclosure import (
    SUPPRESSED,
    Suppression,
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
