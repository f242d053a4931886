"""The quote bank: only consented, scrubbed, attributed to large groups, in proportion; only approved ones in a pack."""
from __future__ import annotations

import pandas as pd
import pytest

from impact.comments import CommentState, coded, what_people_said
from impact.comments.quotes import bank, safe_text, safety
from impact.export.pack import build
from impact.filters import prepare

BIG = [  # Big Club: 12 respondents; what each said and whether they agreed to be quoted
    ("I learned how to send emails to my family", True),
    ("I learned so much about online banking", False),  # said no: never quoted
    ("The staff, especially Priya, were brilliant", True),
    ("Janet was so kind to me every week", True),  # may begin with a name: left out
    ("Email me at jo.bloggs@example.org about the next one", True),
    ("It was much better than Tiny Club down the road", True),  # names a group of 2
    ("The room was too noisy to hear the tutor", True),
    ("More sessions in the evening please", True),
    ("I feel more confident using my phone now", True),
    ("We had a great time and made friends", True),
    (None, None),
    (None, None),
]


@pytest.fixture
def frames(make_survey):
    improve = ("More", "The room")
    rows = [{"programme": "Big Club", "comment_benefit": t if t and not t.startswith(improve) else None,
             "comment_improve": t if t and t.startswith(improve) else None, "quote_consent": c, "age_band": "65+"}
            for t, c in BIG]
    rows += [{"programme": "Tiny Club", "comment_benefit": "I loved learning to video call my son",
              "quote_consent": True, "age_band": "65+"},
             {"programme": "Tiny Club", "comment_benefit": None, "quote_consent": None, "age_band": "65+"},
             {"programme": "Solo Club", "comment_benefit": "The poetry evening inspired me to write again",
              "quote_consent": True, "age_band": "18-64"}]
    frames = make_survey(rows, [{"name": "Big Club", "theme": "Digital inclusion"},
                                {"name": "Tiny Club", "theme": "Digital inclusion"},
                                {"name": "Solo Club", "theme": "Culture & creativity"}])
    frames["partners"] = pd.DataFrame([{"partner_id": "age-uk", "name": "Age UK", "partnership_type": "community"}])
    frames["programme_partners"] = pd.DataFrame([{"programme": "Big Club", "partner": "Age UK", "role": "co-delivery",
                                                  "staff_hours": 2.0}])
    return frames


def _bank(frames, decisions=None, limit=20):
    data = prepare(frames)
    return bank(data, coded(data), threshold=5, limit=limit, decisions=decisions)


def test_a_respondent_who_said_no_is_never_in_the_bank(frames):
    b = _bank(frames)
    assert not b.quotes["quote"].str.contains("online banking").any()
    assert b.left_out["no consent to quote"] == 1


def test_names_contacts_and_small_groups_are_scrubbed_or_left_out(frames):
    quotes = " | ".join(_bank(frames).quotes["quote"])
    assert "Priya" not in quotes and "The staff, especially [name], were brilliant" in quotes
    assert "jo.bloggs" not in quotes and "[email]" in quotes
    assert "Janet" not in quotes  # it begins the comment: cannot tell a name from a word, so left out
    assert "Tiny Club" not in quotes and "[group]" in quotes


def test_quotes_are_attributed_only_to_groups_of_at_least_the_threshold(frames):
    q = _bank(frames).quotes.set_index("quote")["attribution"]
    assert q["I learned how to send emails to my family"] == "a participant aged 65+ at Big Club"
    # Tiny Club has 2 respondents: the quote is attributed to its theme, never to the club
    assert q["I loved learning to video call my son"] == "a participant in a digital inclusion programme"
    # Solo Club and its theme have 1 respondent: only "a participant" (15 respondents in all) describes them
    assert q["The poetry evening inspired me to write again"] == "a participant"


def test_the_bank_shows_every_tone_present_in_proportion_including_the_critical_ones(frames):
    b = _bank(frames, limit=4)
    assert len(b.quotes) == 4
    assert {"negative", "suggestion"} <= set(b.quotes["tone"])  # 1 of 10 eligible each, still shown
    assert (b.quotes["tone"] == "positive").sum() == 2


def test_safe_text_scrubs_addresses_and_ids(frames):
    s = safety(prepare(frames), [], 5)
    text, risky = safe_text("I walk here from 14 Mill Lane, postcode AB1 2CD, my id WF014402", s)
    assert "Mill Lane" not in text and "[address]" in text and "[postcode]" in text and "[id]" in text
    assert not risky


def test_an_unapproved_or_unconsented_quote_never_reaches_a_pack(frames):
    ids = coded(frames).set_index("text")["comment_id"]
    decisions = pd.DataFrame([
        {"comment_id": ids["I learned how to send emails to my family"], "status": "approved",
         "text": "I learned how to send emails to my family"},
        # approved by mistake, but the respondent said no: the pack re-checks consent
        {"comment_id": ids["I learned so much about online banking"], "status": "approved",
         "text": "I learned so much about online banking"},
        # approved with an edit that put a name back: scrubbed again at export
        {"comment_id": ids["The staff, especially Priya, were brilliant"], "status": "approved",
         "text": "Thanks, Mrs Patel and Priya were brilliant"},
        {"comment_id": ids["We had a great time and made friends"], "status": "rejected", "text": ""},
    ])
    evidence = build(frames, comments=CommentState(decisions=decisions))
    assert len(evidence.quotes) == 2
    assert "I learned how to send emails to my family" in evidence.quotes
    everything = " ".join(evidence.quotes) + " ".join(t.frame.to_csv() for t in evidence.tables)
    assert "online banking" not in everything and "Priya" not in everything and "Patel" not in everything
    assert "made friends" not in everything and "noisy" not in everything  # rejected; never approved
    table = evidence.table("quotes").frame
    assert list(table["attribution"]) == ["a participant aged 65+ at Big Club"] * 2
    assert "What people said" in dict(evidence.methodology)


def test_a_pack_checks_only_the_approved_comments_and_quotes_what_the_whole_bank_would(frames, monkeypatch):
    from impact.comments import quotes

    ids = coded(frames).set_index("text")["comment_id"]
    decisions = pd.DataFrame([
        {"comment_id": ids["I learned how to send emails to my family"], "status": "approved",
         "text": "I learned how to send emails to my family"},
        {"comment_id": ids["The staff, especially Priya, were brilliant"], "status": "approved",
         "text": "Thanks, Mrs Patel and Priya were brilliant"},
        {"comment_id": ids["Janet was so kind to me every week"], "status": "approved", "text": ""},  # risky start
        {"comment_id": ids["We had a great time and made friends"], "status": "rejected", "text": ""},
    ])
    whole = _bank(frames, decisions, limit=0).approved()
    checked = []
    monkeypatch.setattr(quotes, "safe_text", lambda text, s: checked.append(text) or safe_text(text, s))
    data = prepare(frames)
    pack = bank(data, coded(data), threshold=5, limit=12, decisions=decisions, approved_only=True)
    pd.testing.assert_frame_equal(pack.quotes, whole)
    assert len(pack.quotes) == 2 and "Priya" not in " ".join(pack.quotes["quote"])
    assert set(checked) <= {"I learned how to send emails to my family", "The staff, especially Priya, were brilliant",
                            "Janet was so kind to me every week", "Thanks, Mrs Patel and Priya were brilliant"}
    checked.clear()
    nothing = bank(data, coded(data), threshold=5, decisions=None, approved_only=True)
    assert nothing.quotes.empty and checked == []  # no approvals: no comment scrubbed at all


def test_without_approvals_a_pack_has_coded_findings_and_no_quotes(frames):
    evidence = build(frames)
    assert evidence.quotes == ()
    codes = evidence.table("comment_codes").frame
    assert "Skills" in set(codes["code"])
    assert any("none approved" in x for x in evidence.left_out)


def test_what_people_said_for_one_scope(frames):
    from impact.filters import Filters

    said = what_people_said(frames, filters=Filters(programmes=("Big Club",)), min_n=5, suppress_n=5)
    assert len(said.comments) == 10 and set(said.comments["programme"]) == {"Big Club"}
    assert said.counts.n == 10


def test_the_pack_states_the_most_frequent_codes_beside_their_outcome_but_never_from_a_small_count(frames):
    evidence = build(frames, settings={"min_n": 10, "suppress_n": 5})
    said = [s for s in evidence.statements if s.kind == "comments"]
    # 12 comments in all; no code is carried by 5 or more of them, so nothing may be stated
    assert said == []
    evidence = build(frames, settings={"min_n": 10, "suppress_n": 2})
    said = [s for s in evidence.statements if s.kind == "comments"]
    assert said and all(s.n == 12 for s in said)
    assert said[0].text.startswith(f"{100 * said[0].value:.0f}% of 12 comments (95% CI")


from hypothesis import given, settings
from hypothesis import strategies as st

from impact.comments.quotes import _ordinary_words

NAMES = st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True).filter(lambda w: w.casefold() not in _ordinary_words())


def test_a_name_never_survives_safe_text_unless_the_comment_is_left_out(frames):
    s = safety(prepare(frames), [], 5)

    @settings(max_examples=80, deadline=None)
    @given(name=NAMES, where=st.sampled_from(["I met {} at the session", "Thanks to {} for everything",
                                              "The tutor, {}, was patient", "{} made us feel welcome",
                                              "Lovely session. {} was great"]))
    def check(name, where):
        text, risky = safe_text(where.format(name), s)
        assert risky or name not in text

    check()
