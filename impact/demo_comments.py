"""The demo's free-text comments with the variety real surveys have: praise, new skills, barriers, suggestions,
next steps, and a few that name people or places (for the quote bank's scrubbing to deal with).

Drawn from a stream of its own (`numpy.random.default_rng([2026, 17])`), after every other table is built,
so no existing demo figure changes. Emails and phone numbers are left out on purpose: ingest removes those
on upload (with a warning), and the demo uploads cleanly; names and addresses are what reach the quote bank.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

STREAM = [2026, 17]

PRAISE = {
    "Digital inclusion": (
        "I can now do my online banking without asking my daughter",
        "I was scared of computers but now I feel much more confident",
        "Learned how to book a GP appointment on the app",
        "The volunteers never made me feel stupid, even when I asked the same thing twice",
        "Now I know how to check if a website is safe",
        "I set up video calls with my grandchildren in Canada",
        "I found out the library lends tablets, which I never knew",
    ),
    "Early literacy": (
        "My daughter now asks for a story every night",
        "We learned new songs we sing in the car",
        "It was lovely to see the little ones enjoy the books",
        "I did not know we could borrow so many books for free",
        "My son is much more confident around other children now",
        "Staff were so welcoming when I came for the first time",
    ),
    "Education & lifelong learning": (
        "My English is getting better and I am less nervous speaking",
        "I learned how to research my family history",
        "The homework help meant I finally understood fractions",
        "I now come to the library every week to study",
        "Great to learn something new at my age",
    ),
    "Job skills & economic development": (
        "I got an interview after they helped me rewrite my CV",
        "I applied for three jobs online during the session",
        "I feel more confident talking about my skills in interviews",
        "I learned how to use spreadsheets for my small business",
        "Knowing someone believed in me made a big difference",
    ),
    "Health & wellbeing": (
        "I feel less lonely since I started coming",
        "It is the highlight of my week, I really enjoy it",
        "I learned ways to manage stress and sleep better",
        "A safe and friendly place where nobody judges you",
        "I have made friends and we now meet for coffee",
    ),
    "Civic & community engagement": (
        "I understand how to contact my councillor now",
        "I found out about services in my area I did not know existed",
        "I signed up to volunteer at the food bank",
        "Good to feel listened to by the council",
    ),
    "Family engagement": (
        "We had so much fun making things together",
        "The kids loved the crafts and want to come back",
        "Nice to do something as a family that does not cost anything",
        "We borrowed a pile of books to take home",
    ),
    "Reading for pleasure": (
        "I am reading more than I have in years",
        "The group got me to try books I would never have picked",
        "My children read every day over the summer and loved the medals",
        "I enjoy talking about books with other people",
    ),
    "Culture & creativity": (
        "It inspired me to start writing poems again",
        "I discovered the local history collection and loved it",
        "Very creative and relaxing, I felt proud of what I made",
        "Amazing to see the old maps up close",
    ),
}
PERSONAL = (  # what the quote bank must scrub or leave out
    "Thanks to Mrs Khan for her patience with me",
    "The staff, especially Priya, were brilliant with my son",
    "Thank you Dave for helping me with my CV",
    "I walk here from 14 Mill Lane so it is close by and easy",
    "Janet on the front desk always makes us feel welcome",
    "My grandson Tomasz loves the stories and asks to come back",
)
BARRIERS = (
    "The room was too noisy to hear the tutor",
    "I could not get in because the session was fully booked",
    "There is no parking nearby and the bus only comes once an hour",
    "The stairs are hard for me, I wish there was a lift",
    "The session was cancelled twice without any notice, which was disappointing",
    "The computers were slow and one was broken",
    "It felt rushed and I could not keep up",
    "The sessions are at the same time as school pick up so I often miss them",
    "It was great but far too short, we always have to stop just as it gets going",
    "Lovely staff but the room was freezing",
)
SUGGESTIONS = (
    "Please run some sessions on Saturdays for people who work",
    "It would be good to have a follow-up session a month later",
    "More sessions in the evening would help",
    "Could you advertise it at the school gate? I only heard by chance",
    "Handouts to take home would help me remember",
    "Maybe split the group by level so beginners are not left behind",
    "A longer session, two hours would be better",
    "Offer it in other languages too",
)
ACTIONS = (
    "I will practise at home every day",
    "I am going to apply for the volunteer role",
    "I plan to join the library's reading group",
    "I will show my husband how to video call",
    "Sign up for the next course",
    "I will keep reading with my children at bedtime",
    "Use the library computers to look for work",
    "Come back next week",
)


def vary(surveys: pd.DataFrame, programmes: pd.DataFrame, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """The built survey responses -> the same rows with varied comments, a "what will you do" answer for some,
    and each commenter's answer to "may we quote your comments anonymously?" (yes 80%, no 15%, blank 5%)."""
    rng = rng or np.random.default_rng(STREAM)
    out = surveys.copy()
    m = len(out)
    theme = out["programme"].map(programmes.set_index("name")["theme"]).to_numpy(object)
    post = (out["wave"] == "post").to_numpy(bool)
    u = rng.random((m, 6))
    benefit = out["comment_benefit"].to_numpy(object).copy()
    has = pd.notna(benefit)
    rich = has & (u[:, 0] < 0.55)
    for i in np.flatnonzero(rich):
        bank = PRAISE.get(theme[i])
        if bank:
            benefit[i] = bank[int(u[i, 1] * len(bank))]
    personal = has & (u[:, 0] >= 0.55) & (u[:, 0] < 0.575)
    benefit[personal] = np.array(PERSONAL, dtype=object)[(u[personal, 1] * len(PERSONAL)).astype(int)]
    improve = out["comment_improve"].to_numpy(object).copy()
    said = pd.notna(improve)
    barrier = said & (u[:, 2] < 0.35)
    improve[barrier] = np.array(BARRIERS, dtype=object)[(u[barrier, 3] * len(BARRIERS)).astype(int)]
    suggestion = said & (u[:, 2] >= 0.35) & (u[:, 2] < 0.65)
    improve[suggestion] = np.array(SUGGESTIONS, dtype=object)[(u[suggestion, 3] * len(SUGGESTIONS)).astype(int)]
    action = post & (u[:, 4] < 0.06)
    actions = np.full(m, None, dtype=object)
    actions[action] = np.array(ACTIONS, dtype=object)[(u[action, 5] * len(ACTIONS)).astype(int)]
    out["comment_benefit"] = pd.Series(benefit, index=out.index, dtype="str").where(pd.notna(benefit))
    out["comment_improve"] = pd.Series(improve, index=out.index, dtype="str").where(pd.notna(improve))
    out["comment_action"] = pd.Series(actions, index=out.index, dtype="str").where(pd.notna(actions))
    commented = pd.notna(benefit) | pd.notna(improve) | pd.notna(actions)
    answer = rng.random(m)
    consent = pd.array([True if a < 0.8 else (False if a < 0.95 else pd.NA) for a in answer], dtype="boolean")
    out["quote_consent"] = consent
    out.loc[~commented, "quote_consent"] = pd.NA
    return out
