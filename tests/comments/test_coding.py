"""Suggested codes and tone against hand coding; confirmations win; Cohen's kappa against scikit-learn."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from impact.comments import CommentState, coded
from impact.comments.codebook import DEFAULT, Code
from impact.comments.coding import (
    agreement,
    cohen_kappa,
    comments,
    merge,
    precision_recall,
    split_codes,
    suggest,
)
from impact.comments.store import CommentStore
from impact.store import Store

HAND = pd.read_csv(Path(__file__).with_name("handcoded.csv"), keep_default_na=False)


def test_suggested_codes_agree_with_the_hand_coded_fixture():
    found = suggest(HAND, DEFAULT)
    table = precision_recall(HAND, found, DEFAULT).set_index("code")
    tp = table["true positives"].sum()
    assert tp / table["suggested"].sum() >= 0.75  # precision over all codes
    assert tp / table["hand coded"].sum() >= 0.75  # recall over all codes
    # feedback codes carry the "what to improve" half of a report: they must be nearly always right
    assert table.loc["suggestion", "recall"] >= 0.85 and table.loc["barrier", "recall"] >= 0.85
    assert table.loc["barrier", "precision"] >= 0.8


def test_coding_the_same_comments_again_gives_the_same_answer_and_a_changed_comment_is_coded_afresh():
    first = suggest(HAND, DEFAULT)
    again = suggest(HAND, DEFAULT)  # worked out once: the second answer comes from the first
    pd.testing.assert_frame_equal(first, again)
    changed = HAND.copy()
    row = changed.index[changed["text"] == "Please run it on Saturdays as well"][0]
    changed.loc[row, "text"] = "The session was cancelled without warning"
    recoded = suggest(changed, DEFAULT).loc[row]
    assert "barrier" in split_codes(recoded["codes"]) and recoded["sentiment"] != first.loc[row, "sentiment"]
    without_barrier = tuple(c for c in DEFAULT if c.code != "barrier")
    assert "barrier" not in " ".join(suggest(changed, without_barrier)["codes"])  # another codebook: coded afresh
    assert suggest(HAND, DEFAULT).loc[row, "codes"] == first.loc[row, "codes"]  # the first texts still as they were


def test_a_few_comments_get_the_codes_a_person_gave_them():
    found = suggest(HAND, DEFAULT).set_index("text")
    assert "confidence" in split_codes(found.loc["I finally feel confident using a computer on my own", "codes"])
    assert "awareness" in split_codes(found.loc["I never knew the library had free e-books", "codes"])
    assert split_codes(found.loc["Please run it on Saturdays as well", "codes"]) == ("suggestion",)
    assert "barrier" in split_codes(found.loc["The session was cancelled without warning", "codes"])


def test_tone_agrees_with_the_hand_coding_and_reads_the_question():
    found = suggest(HAND, DEFAULT)
    assert (found["tone"] == HAND["tone"]).mean() >= 0.9
    tone = found.set_index("text")["tone"]
    assert tone["Nothing, it was perfect"] == "positive"  # nothing to improve is praise
    assert tone["Lovely tutor but the session felt rushed"] == "mixed"
    assert tone["The staff member was rude to my mother"] == "negative"
    assert tone["More evening sessions for people who work"] == "suggestion"


def test_precision_and_recall_by_hand():
    precision_example = pd.DataFrame({"codes": ["a", "a; b", "", "b"]})
    codebook = (Code("a", "A", "theme", "", ("x",)), Code("b", "B", "theme", "", ("y",)))
    found = pd.DataFrame({"codes": ["a", "a", "a", ""]})
    table = precision_recall(precision_example, found, codebook).set_index("code")
    # a: hand on rows 0,1; suggested on 0,1,2 -> tp 2, fp 1, fn 0; b: hand on 1,3, never suggested
    assert table.loc["a", "precision"] == round(2 / 3, 3) and table.loc["a", "recall"] == 1.0
    assert pd.isna(table.loc["b", "precision"]) and table.loc["b", "recall"] == 0.0


def test_cohens_kappa_matches_a_published_example_and_scikit_learn():
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, both yes 20, A yes B no 5, A no B yes 10,
    # both no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    rng = np.random.default_rng(3)
    x = rng.choice(["positive", "mixed", "negative", "suggestion"], 200)
    y = np.where(rng.random(200) < 0.7, x, rng.choice(["positive", "negative"], 200))
    assert cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None  # no variation: kappa is not defined


def test_comments_come_one_per_answer_and_consent_counts_only_where_the_upload_asked(make_survey):
    frames = make_survey([
        {"programme": "Code Club", "comment_benefit": "Learned to code", "comment_improve": "Longer sessions",
         "quote_consent": True, "batch_id": 1},
        {"programme": "Code Club", "comment_benefit": "Fun", "quote_consent": None, "batch_id": 1},
        {"programme": "Code Club", "comment_benefit": "  ", "batch_id": 1},
        {"programme": "Code Club", "comment_benefit": "Great", "quote_consent": None, "batch_id": 2},
    ])
    found = comments(frames)
    assert list(found["comment_id"]) == ["1.benefit", "1.improve", "2.benefit", "4.benefit"]
    assert list(found["asks_consent"]) == [True, True, True, False]  # batch 2 never asked
    assert found["consent"].isna().tolist() == [False, False, True, True]
    assert bool(found["consent"].iloc[0]) is True


def test_a_confirmed_coding_is_never_overwritten_by_suggestions(make_survey, tmp_path):
    frames = make_survey([{"programme": "Code Club", "comment_benefit": "I learned how to code"},
                          {"programme": "Code Club", "comment_benefit": "I learned to paint"}])
    store = CommentStore(Store(f"sqlite:///{tmp_path / 'c.db'}"))
    store.confirm([{"comment_id": "1.benefit", "codes": ["enjoyment"], "tone": "mixed"}], coder="AB")
    state = CommentState(store.codebook(), store.confirmed(), store.decisions())
    first = coded(frames, state).set_index("comment_id")
    assert first.loc["1.benefit", "codes"] == "enjoyment" and first.loc["1.benefit", "source"] == "confirmed"
    assert "knowledge" in split_codes(first.loc["1.benefit", "suggested_codes"])
    # the codebook changes: suggestions change, the confirmed coding does not
    store.save_codebook([Code("making", "Making things", "theme", "", ("code", "paint"))], who="AB")
    state = CommentState(store.codebook(), store.confirmed(), store.decisions())
    again = coded(frames, state).set_index("comment_id")
    assert again.loc["1.benefit", "codes"] == "enjoyment" and again.loc["1.benefit", "tone"] == "mixed"
    assert again.loc["2.benefit", "codes"] == "making" and again.loc["2.benefit", "source"] == "suggested"
    # a later confirmation is added beside the first, which stays in the history
    store.confirm([{"comment_id": "1.benefit", "codes": "making", "tone": "positive"}], coder="CD")
    assert list(store.confirmed()["coder"]) == ["AB", "CD"]
    assert merge(suggest(comments(frames), state.codebook), store.confirmed()).loc[0, "codes"] == "making"


def test_agreement_between_two_coders_is_cohens_kappa_per_code_and_for_tone(tmp_path):
    store = CommentStore(Store(f"sqlite:///{tmp_path / 'k.db'}"))
    a = [("1", "skills", "positive"), ("2", "skills; barrier", "mixed"), ("3", "", "positive"),
         ("4", "barrier", "negative"), ("5", "skills", "positive"), ("6", "suggestion", "suggestion")]
    b = [("1", "skills", "positive"), ("2", "barrier", "negative"), ("3", "skills", "positive"),
         ("4", "barrier", "negative"), ("5", "", "positive"), ("6", "suggestion", "suggestion"), ("7", "x", "mixed")]
    store.confirm([{"comment_id": i, "codes": c, "tone": t} for i, c, t in a], coder="Ann")
    store.confirm([{"comment_id": i, "codes": c, "tone": t} for i, c, t in b], coder="Bo")
    result = agreement(store.confirmed(), "Ann", "Bo", DEFAULT)
    assert result.n == 6  # comment 7 was coded by one person only
    skills = result.codes.set_index("code").loc["skills"]
    ann = [1, 1, 0, 0, 1, 0]
    bo = [1, 0, 1, 0, 0, 0]
    assert skills["kappa"] == pytest.approx(cohen_kappa_score(ann, bo), abs=1e-3)
    assert skills["both"] == 1 and skills["only Ann"] == 2 and skills["only Bo"] == 1
    assert result.tone_kappa == pytest.approx(cohen_kappa_score([t for _, _, t in a], [t for _, _, t in b[:6]]))
