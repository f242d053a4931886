"""Names stored with personal data in them (before uploads scrubbed them, or by another tool) are shown
scrubbed on every page and in every pack, the same everywhere, never merged (issue 16 part 5)."""
from __future__ import annotations

import pandas as pd

from impact import indicators
from impact.filters import Filters, prepare
from impact.names import screen

JANE = "Code Club (contact jane.doe@example.com 07700 900123)"
BOB = "Code Club (contact bob@example.org 07700 900456)"


def _frames():
    programmes = pd.DataFrame({"programme_id": ["code-club-contact-jane-doe-example-com-07700-900123", "lego-club",
                                                "code-club-contact-bob-example-org-07700-900456"],
                               "name": [JANE, "Lego Club", BOB], "theme": ["Digital", "Play", "Digital"],
                               "branch": ["Central", "Central", "Mrs Smith's branch"]})
    attendance = pd.DataFrame({"programme": [JANE, "Lego Club", BOB, JANE],
                               "date": pd.to_datetime(["2025-04-01", "2025-04-02", "2025-04-03", "2025-04-08"]),
                               "attendees": [10, 7, 5, 12]})
    partners = pd.DataFrame({"partner_id": ["age-uk-mrs-jane-doe-44-20-7946-0958"],
                             "name": ["Age UK - Mrs Jane Doe +44 20 7946 0958"], "partnership_type": ["community"]})
    return {"programmes": programmes, "attendance": attendance, "partners": partners}


def test_every_name_holding_personal_data_is_scrubbed_the_same_everywhere_and_never_merged():
    frames = _frames()
    out, changed = screen(frames)
    names = list(out["programmes"]["name"])
    scrubbed = "Code Club (contact [email] [phone])"
    assert {names[0], names[2]} == {scrubbed, scrubbed + " (2)"}  # bob's is not merged into jane's
    assert list(out["attendance"]["programme"]) == [names[0], "Lego Club", names[2], names[0]]
    assert out["partners"]["name"].iloc[0] == "Age UK - [name] [phone]"
    assert "jane" not in " ".join(out["programmes"]["programme_id"]) + " ".join(out["partners"]["partner_id"])
    assert out["programmes"]["branch"].iloc[2] == "[name] branch"  # the titled name (with its 's) is gone
    assert ("programme", names[0]) in changed and ("partner", "Age UK - [name] [phone]") in changed
    assert frames["programmes"]["name"].iloc[0] == JANE  # what was given is never changed


def test_indicators_count_each_screened_programme_apart_and_the_prepared_data_says_what_was_screened():
    data = prepare(_frames())
    assert len(data.screened) == 4  # two programmes, one partner, one branch
    assert JANE not in set(data.programmes["name"]) and JANE not in set(data.frames["attendance"]["programme"])
    by = indicators.compute_by(data, "programme", Filters(), 1, 15.0)
    attendance = {ind.group: ind.reach.attendance for ind in by}
    jane = data.programmes["name"].iloc[0]  # jane's programme as shown now (the first row of the programmes table)
    bob = data.programmes["name"].iloc[2]
    assert attendance[jane] == 22 and attendance[bob] == 5  # 10 + 12 and 5, counted by hand


def test_clean_names_come_back_untouched():
    frames = {"programmes": pd.DataFrame({"programme_id": ["a"], "name": ["Rhyme Time 2025"]})}
    out, changed = screen(frames)
    assert out is frames and changed == ()

