"""The demo's partnership stories: who led sessions, how far promotion reached, agreed splits, and both sides'
partnership health checks. Drawn from a stream of their own (`numpy.random.default_rng([2026, 12])`), after
the rest of the demo is built, so every earlier figure stays as it was.

Stories planted for the Partners page to find:
- a partner doing most of the work uncredited: Rainbow Refugee Network leads most ESOL Conversation Café
  sessions (as well as its hours, cash and interpreters) and is credited in none of its programmes; it says
  so in its health check.
- a partnership the library loves and the partner does not: Westfield Family History Society (the library
  answers 5 on every item; the society 1-3, "our contribution is recognised" 1).
- one fair on every stake: Central Health Check Drop-in with Westfield Borough Council Public Health, sessions
  led half and half, staff time and money near even, both promote and are credited, as their agreement says.
- an agreed split not kept: Westfield College agreed half the staff time of Northgate Job Club and gave
  about a quarter.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

STREAM = (2026, 12)
UNCREDITED = "Rainbow Refugee Network"
LOVED_BY_LIBRARY = "Westfield Family History Society"
FAIR_PROGRAMME, FAIR_PARTNER = "Central Health Check Drop-in", "Westfield Borough Council Public Health"
UNKEPT_PROGRAMME, UNKEPT_PARTNER = "Northgate Job Club", "Westfield College"
ITEMS = ("shared_decisions", "recognised", "own_goals", "benefits_outweigh_costs", "work_again")
PARTNER_COMMENTS = ("Good to reach people we would not otherwise meet", "Easy to work with",
                    "We would like more say in planning the sessions", "Useful referrals both ways",
                    "The room bookings could be simpler")
LIBRARY_COMMENTS = ("A reliable partner", "Brings people we struggle to reach", "Great volunteers",
                    "Communication could be better")


def stake_details(programmes: pd.DataFrame, stakes: pd.DataFrame, rng: np.random.Generator) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Programmes gain the library's promotion reach; stakes gain sessions led, promotion reach and, for some
    single-partner programmes, the agreed split. Existing columns are untouched."""
    programmes = programmes.copy()
    stakes = stakes.copy()
    programmes["promotion_reach"] = pd.array(np.round(rng.uniform(800, 6000, len(programmes)), -1).astype(int),
                                             dtype="Int64")
    sessions = dict(zip(programmes["name"], programmes["_sessions"]))
    n = len(stakes)
    led = pd.array([pd.NA] * n, dtype="Int64")
    reach = pd.array([pd.NA] * n, dtype="Int64")
    draws = rng.random((n, 3))
    for i, row in enumerate(stakes.itertuples(index=False)):
        total = int(sessions[row.programme])
        if row.role == "lead" and draws[i, 0] < 0.6:  # about half the lead partners count what they led
            led[i] = int(round(total * (0.6 + 0.4 * draws[i, 1])))
        if row.promoted and draws[i, 2] < 0.6:
            reach[i] = int(round(float(rng.uniform(150, 4000)), -1))
        if row.partner == UNCREDITED and row.role == "lead":
            led[i] = int(round(total * 0.85))
        if row.programme == FAIR_PROGRAMME and row.partner == FAIR_PARTNER:
            led[i] = total // 2
            reach[i] = pd.NA
    stakes["sessions_led"] = led
    stakes["promotion_reach"] = reach
    fair = programmes["name"] == FAIR_PROGRAMME
    programmes.loc[fair, "promotion_reach"] = pd.NA  # promotion counted yes / no on both sides
    for column in ("agreed_efforts", "agreed_outputs", "agreed_money"):
        stakes[column] = np.nan
    alone = stakes.groupby("programme")["partner"].transform("size") == 1
    picked = stakes.index[alone & stakes["role"].isin(["lead", "co-delivery"])]
    picked = picked[rng.permutation(len(picked))[:10]]
    for i in picked:  # the memorandum's split: near what each side usually gives
        stakes.loc[i, "agreed_efforts"] = float(rng.choice([30, 40, 50]))
        stakes.loc[i, "agreed_outputs"] = 100.0 if stakes.loc[i, "role"] == "lead" else 50.0
    for programme, partner, split in ((FAIR_PROGRAMME, FAIR_PARTNER, (50.0, 50.0, 40.0)),
                                      (UNKEPT_PROGRAMME, UNKEPT_PARTNER, (50.0, 50.0, np.nan))):
        at = (stakes["programme"] == programme) & (stakes["partner"] == partner)
        stakes.loc[at, ["agreed_efforts", "agreed_outputs", "agreed_money"]] = split
    return programmes, stakes


def health_checks(stakes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Both sides' health checks for most partners (one per partner, spring 2025); a few only the library's."""
    rows = []
    partners = sorted(set(stakes["partner"]))
    for partner in partners:
        draw = rng.random(4)
        if draw[0] < 0.12 and partner not in (UNCREDITED, LOVED_BY_LIBRARY):
            continue  # no health check yet
        library = np.clip(np.round(rng.normal(4.3, 0.6, 5)), 1, 5)
        theirs = np.clip(np.round(rng.normal(4.0, 0.7, 5)), 1, 5)
        if partner == LOVED_BY_LIBRARY:
            library, theirs = np.full(5, 5.0), np.array([2.0, 1.0, 3.0, 2.0, 3.0])
        if partner == UNCREDITED:
            library, theirs = np.array([4.0, 4.0, 5.0, 4.0, 5.0]), np.array([2.0, 1.0, 4.0, 2.0, 3.0])
        day = pd.Timestamp("2025-03-03") + pd.Timedelta(days=int(rng.integers(0, 60)))
        sides = [("library", library), ("partner", theirs)]
        if draw[1] < 0.1 and partner not in (UNCREDITED, LOVED_BY_LIBRARY):
            sides = sides[:1]  # the partner has not answered yet
        for party, scores in sides:
            counts = rng.integers(0, 40, 3)
            funding = float(rng.choice([0, 0, 500, 1500, 5000]))
            comment = None
            if party == "partner" and partner == UNCREDITED:
                comment = "We run most of the sessions and bring the interpreters, but reports never mention us"
            elif party == "partner" and partner == LOVED_BY_LIBRARY:
                comment = "Our volunteers do the research and the talks; we are rarely asked or thanked"
            elif rng.random() < 0.3:
                comment = str(rng.choice(PARTNER_COMMENTS if party == "partner" else LIBRARY_COMMENTS))
            yes_no = rng.random() < 0.3  # some sides tick yes / no rather than counting
            rows.append({
                "partner": partner, "party": party, "answered_on": day + pd.Timedelta(days=int(party == "partner")),
                **{item: int(s) for item, s in zip(ITEMS, scores)},
                "new_audiences": ("yes" if counts[0] else "no") if yes_no else str(int(counts[0])),
                "referrals": ("yes" if counts[1] else "no") if yes_no else str(int(counts[1])),
                "volunteers": str(int(counts[2] // 4)),
                "funding_leveraged": f"{funding:g}" if party == "partner" else None,
                "comment": comment})
    frame = pd.DataFrame(rows)
    frame["answered_on"] = frame["answered_on"].astype("datetime64[us]")
    for item in ITEMS:
        frame[item] = frame[item].astype("Int64")
    for c in ("partner", "party", "new_audiences", "referrals", "volunteers", "funding_leveraged", "comment"):
        frame[c] = frame[c].astype("str").where(frame[c].notna(), np.nan)
    return frame


def partnership_stories(programmes: pd.DataFrame, stakes: pd.DataFrame, seed=STREAM) -> tuple[
        pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(programmes, programme_partners, partnership_feedback) with the partnership stories added."""
    details, checks = np.random.default_rng(list(seed)).spawn(2)
    programmes, stakes = stake_details(programmes, stakes, details)
    return programmes, stakes, health_checks(stakes, checks)


__all__ = ["FAIR_PARTNER", "FAIR_PROGRAMME", "LOVED_BY_LIBRARY", "STREAM", "UNCREDITED", "UNKEPT_PARTNER",
           "UNKEPT_PROGRAMME", "health_checks", "partnership_stories", "stake_details"]
