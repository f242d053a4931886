"""Counts of codes with n and Wilson intervals beside the outcome rate; themes proposed from the words."""
from __future__ import annotations

import math

import pytest

from impact.comments import coded
from impact.comments.codebook import DEFAULT, Code
from impact.comments.counts import ALL, count, sentences
from impact.comments.themes import propose
from impact.filters import Filters, prepare


def wilson(k, n, z=1.959963984540054):
    """Wilson (1927), written out by hand for the test."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture
def frames(make_survey):
    rows = []
    for i in range(12):  # Code Club: 12 comments, 3 describe a skill; knowledge answered 4 or 5 by 9 of 12
        rows.append({"programme": "Code Club",
                     "comment_benefit": "I learned how to code" if i < 3 else "It was a nice afternoon",
                     "knowledge": 5 if i < 9 else 2})
    for i in range(4):  # Chess Club: 4 comments, too few for a percentage
        rows.append({"programme": "Chess Club", "comment_benefit": "Practising openings", "knowledge": 4})
    return make_survey(rows, [{"name": "Code Club", "theme": "Digital inclusion"},
                              {"name": "Chess Club", "theme": "Culture & creativity"}])


def test_each_code_is_counted_with_its_n_and_wilson_interval_beside_the_outcome_rate(frames):
    data = prepare(frames)
    counts = count(data, coded(data), DEFAULT, Filters(), by="programme", min_n=10)
    row = counts.codes.set_index(["group", "code"]).loc[("Code Club", "skills")]
    assert row["comments with code"] == 3 and row["comments"] == 12
    low, high = wilson(3, 12)
    assert row["share %"] == 25.0 and row["low %"] == round(100 * low, 1) and row["high %"] == round(100 * high, 1)
    knowledge = counts.codes.set_index(["group", "code"]).loc[("Code Club", "knowledge")]
    assert knowledge["matching outcome"] == "Learned something new"
    assert knowledge["outcome positive %"] == 75.0 and knowledge["outcome n"] == 12
    chess = counts.codes.set_index(["group", "code"]).loc[("Chess Club", "skills")]
    assert chess["comments with code"] == 4 and math.isnan(chess["share %"]) and chess["note"] == "fewer than 10 comments"


def test_tones_add_up_to_the_comments_of_each_group(frames):
    data = prepare(frames)
    counts = count(data, coded(data), DEFAULT, by="theme", min_n=10)
    assert counts.tones.groupby("group")["comments with tone"].sum().to_dict() == {
        "Culture & creativity": 4, "Digital inclusion": 12}


def test_a_headline_sentence_puts_the_share_of_comments_beside_the_outcome(frames):
    data = prepare(frames)
    counts = count(data, coded(data), DEFAULT, min_n=10)
    assert counts.codes["group"].eq(ALL).all() and counts.n == 16
    said = sentences(counts)
    skills = next(s for s in said if "skills" in s)
    assert skills.startswith("44% of 16 comments")  # 3 + 4 of 16 describe a skill
    assert "of 16 survey answers agreed: learned something new" in skills


def test_themes_the_codebook_lacks_are_proposed_with_top_words_and_examples(make_survey):
    parking = ["No parking near the library", "Parking is impossible on a Saturday", "The car park was full",
               "Finding parking took ages", "Hard to find parking nearby"]
    babies = ["My baby loves the rhymes", "Rhymes and songs for babies", "The baby songs were lovely",
              "Baby rhyme time is the best", "Singing rhymes with my baby"]
    rows = [{"programme": "Club", "comment_benefit": t} for t in (parking + babies) * 3]
    frames = make_survey(rows)
    codebook = (Code("skills", "Skills", "theme", "", ("how to",)),)
    themes = propose(coded(frames, None).assign(codes=""), codebook, k=2)
    assert len(themes.themes) == 2 and all(t.proposal for t in themes.themes)
    words = [set(t.words) for t in themes.themes]
    assert any("parking" in w for w in words) and any("baby" in w or "rhymes" in w for w in words)
    for t in themes.themes:
        topic = parking if "parking" in t.words else babies
        assert set(t.examples) <= set(topic)
    assert themes.table()["already coded as"].eq("(new: not in the codebook)").all()


def test_too_few_comments_give_no_themes_and_say_why(make_survey):
    themes = propose(coded(make_survey([{"programme": "Club", "comment_benefit": "Great"}] * 5)), DEFAULT)
    assert themes.themes == () and "fewer than 20" in themes.note
