"""The codebook: its starting codes, its phrases, and the sheet staff edit and upload back."""
from __future__ import annotations

import pandas as pd

from impact.comments.codebook import (
    BARRIER,
    DEFAULT,
    GLO,
    SUGGESTION,
    from_frame,
    from_sheet,
    pattern,
    to_frame,
    to_sheet,
)


def test_the_codebook_starts_with_the_five_generic_learning_outcomes_the_survey_items_and_feedback():
    glos = [c.label for c in DEFAULT if c.kind == GLO]
    assert glos == ["Knowledge and understanding", "Skills", "Attitudes and values",
                    "Enjoyment, inspiration and creativity", "Activity, behaviour and progression"]
    codes = {c.code for c in DEFAULT}
    assert {"confidence", "awareness", "library_use", SUGGESTION, BARRIER} <= codes
    assert all(c.phrases and c.description for c in DEFAULT)
    assert {c.outcome for c in DEFAULT} >= {"knowledge", "confidence", "application", "awareness", "library_use"}


def test_phrases_match_whole_words_and_a_star_matches_any_ending():
    p = pattern(["learn*", "how to", "cv"])
    assert p.search("I learned a lot") and p.search("LEARNING") and p.search("showed me how  to")
    assert not p.search("unlearned habits")
    assert p.search("my CV.") and not p.search("cvs pharmacy")
    assert pattern([]) is None and pattern(["  "]) is None


def test_the_sheet_round_trips_to_the_same_codebook():
    codes, problems = from_sheet(to_sheet(DEFAULT))
    assert problems == ()
    assert codes == DEFAULT


def test_an_edited_sheet_adds_a_theme_and_names_each_bad_row_by_its_spreadsheet_row():
    frame = to_frame(DEFAULT[:2])
    extra = pd.DataFrame([
        {"code": "", "label": "Meeting people", "kind": "", "outcome": "", "description": "", "phrases": "meet; friends"},
        {"code": "skills", "label": "Skills again", "kind": "theme", "outcome": "", "description": "", "phrases": "x"},
        {"code": "odd", "label": "Odd", "kind": "vibes", "outcome": "", "description": "", "phrases": "y"},
        {"code": "bad", "label": "Bad outcome", "kind": "theme", "outcome": "happiness", "description": "",
         "phrases": "z"},
        {"code": "", "label": "", "kind": "", "outcome": "", "description": "", "phrases": ""},
    ])
    codes, problems = from_frame(pd.concat([frame, extra], ignore_index=True))
    assert [c.code for c in codes] == ["knowledge", "skills", "meeting_people"]
    assert codes[2].kind == "theme" and codes[2].phrases == ("meet", "friends")
    # header on row 1, two default rows on 2-3, the new rows from 4
    assert [(p.row, p.column, p.code) for p in problems] == [(5, "code", "duplicate-code"), (6, "kind", "unknown-kind"),
                                                             (7, "outcome", "unknown-outcome")]


def test_an_unreadable_file_is_a_problem_not_a_traceback():
    codes, problems = from_sheet(b"not a workbook", "codebook.xlsx")
    assert codes == () and problems[0].code == "unreadable-file"
    codes, problems = from_sheet(b"label\nOnly a label\n", "codebook.csv")
    assert problems[0].code == "missing-column" and problems[0].column == "phrases"
