"""Westfield Libraries: a believable demo library service, written as the workbooks its staff keep.

`build_demo()` makes the canonical tables of SPEC.md from one fixed seed
(`numpy.random.default_rng(2026)`, one spawned stream per table), so the same call
always gives the same frames, in the dtypes of the contracts in impact/schema.py.
`write_demo(directory)` writes them as four .xlsx workbooks (openpyxl, write-only)
with the headers staff would type, real date cells, waves as "Pre" / "Post" /
"Follow-up", and about a third of the agreement answers as labels ("Strongly
agree", "N/A", "Don't know") as if typed up from paper forms; ingest reads them
back to exactly the built frames. `python -m impact.demo` writes them to
data/demo/. The workbooks are byte-for-byte reproducible (fixed zip and document
timestamps), so a regenerated demo uploads as the same file.

The service: 4 branches (Central, Northgate, Riverside, Eastfield) serving
180,000 people in 8 wards; 42 partners (7 library, 14 community, 21
stakeholder); 120 programmes over the nine service areas of SPEC.md, about two
thirds with 1-3 partners; ~10,000 session rows from April 2023 to March 2026
(three financial years); ~20,000 survey responses: post surveys for most
programmes, pre surveys paired by respondent id for courses, follow-up surveys
(the application item) for some.

Demographics, a simple scheme: each attendance row is one session and carries
the session's *dominant* age band, ward and deprivation quintile, as if the whole
session were that group. The age band is drawn from the programme's audience
profile (AUDIENCES); the ward from the branch's catchment weighted by ward
population and by how well the library reaches the ward (Ward.reach); the
quintile from the ward's own quintile mix tilted towards the less deprived
(QUINTILE_TILT). A survey respondent takes the groups of the session answered
(or, one time in four, of another session of the same programme). The
population sheet gives, per branch catchment, residents by the same age bands,
wards and quintiles.

Stories planted for the product to find (the partnership stories of issue 12: impact/demo_partnerships.py):
- lopsided partnerships: Rainbow Refugee Network gives hundreds of staff hours,
  cash and interpreters to ESOL, dual-language storytime and citizenship
  sessions that draw about five people, and is never credited (about a quarter
  of all partner input for a few per cent of the results); Westfield Building
  Society gives a token £150-£300 and no time, is credited as funder (never
  promoting) on the Summer Reading Challenge, as its only partner, and on the
  Family Fun Days, the biggest programmes.
- under-reached groups (UNDER_REACHED): people aged 18-24 (representation index
  about 0.15), teenagers and 45-64s less so, the most deprived quintile (about
  0.6), and the Docklands and Hillside wards (0.6-0.7).
- lagging outcomes (LAGGING_OUTCOMES): respondents aged 18-24 and from the most
  deprived quintiles answer positively less often than others.
- weak programmes (WEAK_PROGRAMMES, positive rates near 50%): Eastfield Online
  Safety for Beginners, Eastfield CV Clinic, Central Young People's Careers Hub,
  Northgate Teen Book Club; most others 75-92%; pre scores well below post.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from impact import demo_comments
from impact.demo_partnerships import partnership_stories

SEED = 2026
FIRST_DAY, LAST_DAY = pd.Timestamp("2023-04-01"), pd.Timestamp("2026-03-31")
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "demo"
FILES = ("westfield_library_service.xlsx", "westfield_attendance.xlsx", "westfield_surveys.xlsx",
         "westfield_population.xlsx")

BRANCHES = ("Central", "Northgate", "Riverside", "Eastfield")
AGE_BANDS = ("0-4", "5-11", "12-17", "18-24", "25-44", "45-64", "65+")
AGE_SHARES = np.array([0.055, 0.085, 0.07, 0.09, 0.26, 0.25, 0.19])  # Westfield as a whole (ONS-like)


@dataclass(frozen=True)
class Ward:
    name: str
    branch: str  # the branch whose catchment it is in
    population: int
    quintiles: tuple[float, ...]  # share of residents in deprivation quintiles 1 (most deprived) ... 5
    age_tilt: tuple[float, ...]  # multipliers on AGE_SHARES
    reach: float  # how well the library reaches the ward (1 = in proportion); planted blindspots < 1


_FLAT = (1.0,) * 7
WARDS = (
    Ward("Abbey", "Central", 21_000, (0.05, 0.15, 0.30, 0.30, 0.20), _FLAT, 1.1),
    Ward("Castle", "Central", 19_000, (0.00, 0.05, 0.15, 0.35, 0.45), (0.9, 0.9, 0.9, 0.7, 0.9, 1.05, 1.3), 1.5),
    Ward("Northgate", "Northgate", 24_000, (0.15, 0.25, 0.30, 0.20, 0.10), _FLAT, 1.0),
    Ward("Millbrook", "Northgate", 26_000, (0.45, 0.30, 0.15, 0.10, 0.00), (1.2, 1.1, 1.05, 1.2, 1.05, 0.95, 0.8),
         0.85),
    Ward("Riverside", "Riverside", 22_000, (0.10, 0.20, 0.30, 0.25, 0.15), (0.9, 0.85, 0.85, 1.8, 1.1, 0.9, 0.8), 1.1),
    Ward("Docklands", "Riverside", 25_000, (0.60, 0.25, 0.10, 0.05, 0.00), (1.3, 1.2, 1.1, 1.15, 1.05, 0.9, 0.7), 0.45),
    Ward("Eastfield", "Eastfield", 23_000, (0.20, 0.25, 0.25, 0.20, 0.10), _FLAT, 1.0),
    Ward("Hillside", "Eastfield", 20_000, (0.05, 0.10, 0.20, 0.30, 0.35), (0.9, 0.95, 1.0, 0.8, 0.9, 1.05, 1.25), 0.55),
)
QUINTILE_TILT = np.array([0.55, 0.85, 1.0, 1.15, 1.3])  # library users lean towards the less deprived

# audience profiles: weights over AGE_BANDS for a session's dominant age band
AUDIENCES = {
    "early_years": (0.50, 0.04, 0.0, 0.0, 0.42, 0.03, 0.01),
    "children": (0.05, 0.70, 0.15, 0.0, 0.10, 0.0, 0.0),
    "teens": (0.0, 0.10, 0.75, 0.10, 0.05, 0.0, 0.0),
    "young_adults": (0.0, 0.0, 0.10, 0.45, 0.35, 0.10, 0.0),
    "working_age": (0.0, 0.0, 0.0, 0.06, 0.46, 0.40, 0.08),
    "adults": (0.0, 0.0, 0.0, 0.04, 0.26, 0.42, 0.28),
    "older": (0.0, 0.0, 0.0, 0.0, 0.02, 0.25, 0.73),
    "families": (0.20, 0.42, 0.02, 0.0, 0.32, 0.03, 0.01),
    "everyone": (0.06, 0.10, 0.06, 0.04, 0.25, 0.25, 0.24),
}

# (name, partnership type, sector, area)
PARTNERS = (
    ("County Libraries Consortium", "library", "library", "County-wide"),
    ("The Reading Agency", "library", "charity", "National"),
    ("Libraries Connected", "library", "charity", "National"),
    ("University of Westfield Library", "library", "education", "Riverside"),
    ("Westfield Schools Library Service", "library", "government", "Westfield-wide"),
    ("Westfield Local Studies & Archives", "library", "culture", "Castle"),
    ("British Library Business & IP Centre", "library", "library", "National"),
    ("Rainbow Refugee Network", "community", "community group", "Docklands"),
    ("Docklands Residents' Association", "community", "community group", "Docklands"),
    ("Eastfield Mums & Tots Group", "community", "community group", "Eastfield"),
    ("Millbrook Men's Shed", "community", "community group", "Millbrook"),
    ("Westfield Knit & Natter Group", "community", "community group", "Abbey"),
    ("Westfield Writers' Circle", "community", "culture", "Castle"),
    ("Westfield Family History Society", "community", "community group", "Castle"),
    ("Somali Community Association Westfield", "community", "community group", "Millbrook"),
    ("Westfield Dementia Friends", "community", "community group", "Hillside"),
    ("Westfield Ramblers", "community", "community group", "Hillside"),
    ("St Mark's Church", "community", "faith", "Northgate"),
    ("Northgate Mosque Women's Group", "community", "faith", "Northgate"),
    ("Westfield Arts Collective", "community", "culture", "Riverside"),
    ("Westfield Digital Champions", "community", "community group", "Westfield-wide"),
    ("Age UK Westfield", "stakeholder", "charity", "Abbey"),
    ("Westfield Food Bank", "stakeholder", "charity", "Docklands"),
    ("St Mark's Primary School", "stakeholder", "school", "Northgate"),
    ("Northgate Academy", "stakeholder", "school", "Northgate"),
    ("Westfield NHS Talking Therapies", "stakeholder", "health", "Westfield-wide"),
    ("Mind in Westfield", "stakeholder", "charity", "Riverside"),
    ("Westfield Borough Council Public Health", "stakeholder", "government", "Westfield-wide"),
    ("Westfield Job Centre Plus", "stakeholder", "government", "Abbey"),
    ("Citizens Advice Westfield", "stakeholder", "charity", "Abbey"),
    ("Westfield Building Society", "stakeholder", "business", "Castle"),
    ("Westfield Adult Learning", "stakeholder", "government", "Westfield-wide"),
    ("Westfield College", "stakeholder", "education", "Riverside"),
    ("Westfield Museum & Art Gallery", "stakeholder", "culture", "Castle"),
    ("Westfield Theatre", "stakeholder", "culture", "Abbey"),
    ("Good Things Foundation", "stakeholder", "charity", "National"),
    ("Westfield Chamber of Commerce", "stakeholder", "business", "Abbey"),
    ("Westfield Family Hubs", "stakeholder", "government", "Westfield-wide"),
    ("Westfield Carers Centre", "stakeholder", "charity", "Eastfield"),
    ("The Reader", "stakeholder", "charity", "National"),
    ("Waterstones Westfield", "stakeholder", "business", "Abbey"),
    ("Barclays Digital Eagles", "stakeholder", "business", "National"),
)

LOPSIDED_GIVER = "Rainbow Refugee Network"
LOPSIDED_TAKER = "Westfield Building Society"
WEAK_PROGRAMMES = {  # programme -> positive rate near 50%
    "Eastfield Online Safety for Beginners": 0.48,
    "Eastfield CV Clinic": 0.50,
    "Central Young People's Careers Hub": 0.52,
    "Northgate Teen Book Club": 0.50,
}
PLANTED_PARTNERS = (LOPSIDED_GIVER, LOPSIDED_TAKER)  # always on the programmes that list them
UNDER_REACHED = {"age_band": ("18-24",), "deprivation_quintile": (1,), "area": ("Docklands", "Hillside")}
LAGGING_OUTCOMES = {"age_band": {"18-24": -0.14}, "deprivation_quintile": {1: -0.09, 2: -0.03}}

DI, EL, ED, JS = ("Digital inclusion", "Early literacy", "Education & lifelong learning",
                  "Job skills & economic development")
HW, CC, FE, RP, CR = ("Health & wellbeing", "Civic & community engagement", "Family engagement",
                      "Reading for pleasure", "Culture & creativity")


@dataclass(frozen=True)
class Kind:
    """One kind of programme, run at one or more branches (each branch's run is one programme)."""

    name: str
    theme: str
    target_group: str
    branches: tuple[str, ...]
    cadence: str  # weekly, fortnightly, monthly, course, summer, holidays, week, winter, annual
    capacity: int
    fill: float  # mean share of places taken
    audience: str  # key of AUDIENCES
    positive: float  # typical positive rate of its outcomes
    response_rate: float = 0.15  # post survey responses per attendance; 0 = not surveyed
    pre: float = 0.0  # share of post respondents who also answered a pre survey
    follow_up: float = 0.0  # share of post respondents who answered a follow-up survey
    partnered: float = 0.6  # chance that a run has partners
    partners: tuple[tuple[str, str], ...] = ()  # candidate (partner, role)
    term_time: bool = False
    hours: float = 1.5  # session length
    weekday: int | None = None  # 0 = Monday; None = drawn


KINDS = (
    # Digital inclusion (18)
    Kind("Digital Drop-in", DI, "Older adults new to digital", BRANCHES, "weekly", 12, 0.7, "older", 0.87,
         partnered=0.6, partners=(("Age UK Westfield", "co-delivery"), ("Westfield Digital Champions", "co-delivery"),
                                  ("Good Things Foundation", "other"), ("Barclays Digital Eagles", "co-delivery"))),
    Kind("Get Online Course", DI, "Adults with no or few digital skills", ("Central", "Northgate", "Eastfield"),
         "course", 8, 0.8, "adults", 0.88, response_rate=0.36, pre=0.72, follow_up=0.5, partnered=0.7,
         partners=(("Good Things Foundation", "other"), ("Westfield Adult Learning", "co-delivery"),
                   ("Age UK Westfield", "referral"), ("Westfield Job Centre Plus", "referral")), hours=2),
    Kind("Tablet Taster for Over-60s", DI, "Older adults", ("Riverside", "Eastfield"), "course", 8, 0.8, "older",
         0.86, response_rate=0.36, pre=0.71, follow_up=0.48, partnered=0.7,
         partners=(("Age UK Westfield", "referral"), ("Westfield Carers Centre", "referral"),
                   ("County Libraries Consortium", "funder")), hours=2),
    Kind("Online Safety for Beginners", DI, "Older adults", ("Eastfield",), "monthly", 15, 0.45, "older", 0.5,
         response_rate=0.3, pre=0.51, partnered=1.0, partners=(("Barclays Digital Eagles", "lead"),)),
    Kind("Digital Champions Volunteering", DI, "Volunteers", ("Central",), "fortnightly", 12, 0.55, "adults", 0.84,
         response_rate=0.24, partnered=1.0,
         partners=(("Westfield Digital Champions", "lead"), ("Good Things Foundation", "other"))),
    Kind("Code Club", DI, "Children aged 9-13", ("Central", "Northgate", "Riverside"), "weekly", 15, 0.75,
         "children", 0.85, response_rate=0.12, pre=0.38, partnered=0.4, term_time=True,
         partners=(("Northgate Academy", "referral"), ("University of Westfield Library", "co-delivery"),
                   ("Westfield Schools Library Service", "other"))),
    Kind("Smartphone Help Clinic", DI, "Adults", ("Northgate", "Riverside"), "weekly", 10, 0.7, "adults", 0.86,
         partnered=0.3,
         partners=(("Westfield Digital Champions", "co-delivery"), ("Barclays Digital Eagles", "co-delivery"))),
    Kind("Get Online Week", DI, "Everyone", ("Central", "Riverside"), "week", 20, 0.6, "adults", 0.85,
         response_rate=0.0, partnered=1.0,
         partners=(("Good Things Foundation", "other"), ("Westfield Digital Champions", "co-delivery"))),
    # Early literacy (16)
    Kind("Rhyme Time", EL, "Under 5s and their carers", BRANCHES, "weekly", 35, 0.75, "early_years", 0.9,
         response_rate=0.07, partnered=0.3,
         partners=(("Westfield Family Hubs", "referral"), ("Eastfield Mums & Tots Group", "referral"))),
    Kind("Baby Bounce", EL, "Babies and their carers", ("Central", "Northgate", "Eastfield"), "weekly", 25, 0.7,
         "early_years", 0.9, response_rate=0.07, partnered=0.25, partners=(("Westfield Family Hubs", "referral"),)),
    Kind("Storytime", EL, "Under 5s and their carers", BRANCHES, "weekly", 25, 0.6, "early_years", 0.88,
         response_rate=0.07, partnered=0.25,
         partners=(("St Mark's Primary School", "other"), ("Westfield Schools Library Service", "other"))),
    Kind("Bookstart Bear Club", EL, "Under 5s and their carers", ("Riverside", "Eastfield"), "monthly", 30, 0.6,
         "early_years", 0.88, response_rate=0.09, partnered=0.8, partners=(("Westfield Family Hubs", "co-delivery"),)),
    Kind("Dual-Language Storytime", EL, "Families speaking other languages", ("Northgate", "Riverside"),
         "fortnightly", 20, 0.25, "early_years", 0.86, response_rate=0.18, partnered=1.0,
         partners=(("Rainbow Refugee Network", "co-delivery"),
                   ("Somali Community Association Westfield", "co-delivery"),
                   ("Northgate Mosque Women's Group", "referral"))),
    Kind("Chatter Matters", EL, "Under 5s with speech and language needs", ("Riverside",), "course", 10, 0.7,
         "early_years", 0.87, response_rate=0.3, pre=0.64, partnered=1.0,
         partners=(("Westfield Family Hubs", "lead"),)),
    # Education & lifelong learning (12)
    Kind("ESOL Conversation Café", ED, "Refugees and people learning English", ("Central", "Riverside"), "weekly",
         16, 0.3, "working_age", 0.84, response_rate=0.42, pre=0.64, partnered=1.0,
         partners=(("Rainbow Refugee Network", "lead"), ("Westfield Adult Learning", "referral"))),
    Kind("Family History Workshop", ED, "Adults", ("Central",), "monthly", 20, 0.8, "older", 0.9, partnered=1.0,
         partners=(("Westfield Family History Society", "co-delivery"),
                   ("Westfield Local Studies & Archives", "co-delivery"))),
    Kind("Homework Club", ED, "School pupils", ("Northgate", "Riverside", "Eastfield"), "weekly", 20, 0.55,
         "children", 0.82, response_rate=0.09, partnered=0.4, term_time=True,
         partners=(("St Mark's Primary School", "referral"), ("Northgate Academy", "referral"),
                   ("Westfield Schools Library Service", "other"))),
    Kind("Learn a Language Taster", ED, "Adults", ("Central",), "course", 14, 0.75, "adults", 0.86,
         response_rate=0.36, pre=0.64, partnered=1.0, partners=(("Westfield College", "co-delivery"),), hours=2),
    Kind("Maths for Life", ED, "Adults improving everyday maths", ("Northgate", "Riverside"), "course", 10, 0.6,
         "working_age", 0.83, response_rate=0.36, pre=0.72, follow_up=0.48, partnered=1.0,
         partners=(("Westfield Adult Learning", "lead"), ("Westfield Job Centre Plus", "referral")), hours=2),
    Kind("Study Space Revision Sessions", ED, "Students", ("Central",), "weekly", 30, 0.5, "teens", 0.8,
         response_rate=0.0, partnered=0.0, term_time=True, hours=3),
    Kind("Local History Talks", ED, "Adults", ("Riverside", "Eastfield"), "monthly", 40, 0.6, "older", 0.9,
         partnered=0.3, partners=(("Westfield Local Studies & Archives", "co-delivery"),
                                  ("Westfield Family History Society", "co-delivery"))),
    # Job skills & economic development (12)
    Kind("Job Club", JS, "Job seekers", BRANCHES, "weekly", 12, 0.55, "working_age", 0.8, response_rate=0.21,
         pre=0.38, follow_up=0.4, partnered=0.7,
         partners=(("Westfield Job Centre Plus", "referral"), ("Westfield College", "co-delivery"),
                   ("Citizens Advice Westfield", "referral"))),
    Kind("CV Clinic", JS, "Job seekers", ("Central", "Eastfield"), "fortnightly", 8, 0.6, "working_age", 0.82,
         response_rate=0.36, follow_up=0.4, partnered=0.5, partners=(("Westfield Job Centre Plus", "referral"),)),
    Kind("Start Your Own Business", JS, "Would-be entrepreneurs", ("Central",), "course", 16, 0.75, "working_age",
         0.88, response_rate=0.36, pre=0.72, follow_up=0.5, partnered=1.0,
         partners=(("British Library Business & IP Centre", "co-delivery"),
                   ("Westfield Chamber of Commerce", "co-delivery"))),
    Kind("Interview Skills Workshop", JS, "Job seekers", ("Northgate", "Riverside"), "course", 10, 0.6,
         "working_age", 0.84, response_rate=0.36, pre=0.64, follow_up=0.48, partnered=0.8,
         partners=(("Westfield Job Centre Plus", "referral"), ("Westfield Chamber of Commerce", "co-delivery"))),
    Kind("Young People's Careers Hub", JS, "Young people aged 16-24", ("Central",), "fortnightly", 15, 0.25,
         "young_adults", 0.55, response_rate=0.36, pre=0.51, partnered=1.0,
         partners=(("Westfield College", "co-delivery"), ("Westfield Job Centre Plus", "referral"))),
    Kind("Money Matters Advice Sessions", JS, "Adults", ("Northgate", "Riverside"), "fortnightly", 10, 0.65,
         "working_age", 0.86, response_rate=0.24, follow_up=0.4, partnered=1.0,
         partners=(("Citizens Advice Westfield", "lead"), ("Westfield Food Bank", "referral"))),
    # Health & wellbeing (14)
    Kind("Reading Well Group", HW, "Adults with mild to moderate mental health needs", ("Central", "Eastfield"),
         "fortnightly", 12, 0.6, "adults", 0.86, response_rate=0.3, follow_up=0.4, partnered=1.0,
         partners=(("Westfield NHS Talking Therapies", "referral"), ("Mind in Westfield", "co-delivery"),
                   ("The Reading Agency", "other"))),
    Kind("Chair Yoga", HW, "Older adults", ("Central", "Northgate", "Riverside"), "weekly", 16, 0.75, "older", 0.9,
         partnered=0.3,
         partners=(("Age UK Westfield", "co-delivery"), ("Westfield Borough Council Public Health", "funder"))),
    Kind("Memory Café", HW, "People living with dementia and their carers", BRANCHES, "monthly", 20, 0.65, "older",
         0.88, response_rate=0.18, partnered=0.6,
         partners=(("Westfield Dementia Friends", "co-delivery"), ("Age UK Westfield", "co-delivery"),
                   ("Westfield Carers Centre", "referral"))),
    Kind("Wellbeing Walks", HW, "Adults", ("Riverside", "Eastfield"), "weekly", 20, 0.5, "adults", 0.88,
         partnered=1.0,
         partners=(("Westfield Ramblers", "lead"), ("Westfield Borough Council Public Health", "funder"))),
    Kind("Mindful Colouring", HW, "Adults", ("Northgate",), "fortnightly", 12, 0.6, "adults", 0.84, partnered=0.3,
         partners=(("Mind in Westfield", "referral"),)),
    Kind("Health Check Drop-in", HW, "Adults aged 40-74", ("Central", "Eastfield"), "monthly", 20, 0.55,
         "adults", 0.85, partnered=1.0, partners=(("Westfield Borough Council Public Health", "lead"),)),
    # Civic & community engagement (10)
    Kind("Warm Welcome Space", CC, "Everyone", BRANCHES, "winter", 40, 0.45, "everyone", 0.85, response_rate=0.0,
         partnered=0.5,
         partners=(("Westfield Food Bank", "referral"), ("Westfield Borough Council Public Health", "funder"),
                   ("St Mark's Church", "venue"), ("Docklands Residents' Association", "referral"))),
    Kind("Meet Your Councillor", CC, "Residents", ("Central", "Northgate"), "monthly", 20, 0.35, "adults", 0.78,
         response_rate=0.18, partnered=0.0),
    Kind("Volunteer Fair", CC, "Everyone", ("Central",), "annual", 150, 0.6, "everyone", 0.82, response_rate=0.0,
         partnered=1.0,
         partners=(("Docklands Residents' Association", "other"), ("Westfield Food Bank", "other"))),
    Kind("Community Conversations", CC, "Residents", ("Riverside",), "monthly", 25, 0.45, "adults", 0.8,
         response_rate=0.24, partnered=1.0,
         partners=(("Docklands Residents' Association", "co-delivery"), ("Northgate Mosque Women's Group", "venue"))),
    Kind("Citizenship Test Prep", CC, "People preparing for citizenship", ("Central", "Riverside"), "course", 12,
         0.5, "working_age", 0.87, response_rate=0.42, pre=0.64, follow_up=0.48, partnered=0.7,
         partners=(("Rainbow Refugee Network", "referral"), ("Somali Community Association Westfield", "referral"))),
    # Family engagement (12)
    Kind("Lego Club", FE, "Families with children aged 5-11", BRANCHES, "weekly", 24, 0.7, "families", 0.88,
         response_rate=0.0, partnered=0.2, weekday=5, partners=(("Millbrook Men's Shed", "other"),)),
    Kind("Family Fun Day", FE, "Families", ("Central", "Northgate", "Eastfield"), "holidays", 150, 0.65,
         "families", 0.89, response_rate=0.05, partnered=1.0, weekday=5,
         partners=(("Westfield Building Society", "funder"), ("Westfield Family Hubs", "co-delivery"),
                   ("Westfield Theatre", "co-delivery"))),
    Kind("Stay and Play", FE, "Under 5s and their carers", ("Riverside", "Eastfield"), "weekly", 20, 0.65,
         "early_years", 0.88, response_rate=0.07, partnered=0.3,
         partners=(("Eastfield Mums & Tots Group", "co-delivery"), ("Westfield Family Hubs", "referral"))),
    Kind("Dads' Storytime Saturdays", FE, "Dads and their children", ("Northgate", "Riverside"), "monthly", 20, 0.5,
         "families", 0.86, response_rate=0.14, partnered=0.5, weekday=5,
         partners=(("Westfield Family Hubs", "referral"),)),
    Kind("Cooking on a Budget", FE, "Families on low incomes", ("Riverside",), "course", 10, 0.7, "working_age",
         0.87, response_rate=0.42, pre=0.51, partnered=1.0,
         partners=(("Westfield Food Bank", "co-delivery"), ("Westfield Family Hubs", "referral"))),
    # Reading for pleasure (16)
    Kind("Summer Reading Challenge", RP, "Children aged 4-11", BRANCHES, "summer", 120, 0.65, "children", 0.9,
         response_rate=0.06, partnered=1.0,
         partners=(("Westfield Building Society", "funder"),)),
    Kind("Reading Group", RP, "Adults", BRANCHES, "monthly", 14, 0.7, "adults", 0.87, response_rate=0.24,
         partnered=0.3, partners=(("County Libraries Consortium", "other"), ("Waterstones Westfield", "other"),
                                  ("The Reading Agency", "other"))),
    Kind("Teen Book Club", RP, "Teenagers", ("Central", "Northgate"), "monthly", 12, 0.5, "teens", 0.82,
         response_rate=0.3, partnered=0.5,
         partners=(("Northgate Academy", "referral"), ("Waterstones Westfield", "other"))),
    Kind("Shared Reading", RP, "Adults", ("Riverside", "Eastfield"), "weekly", 12, 0.6, "adults", 0.88,
         response_rate=0.18, partnered=1.0,
         partners=(("The Reader", "co-delivery"), ("Mind in Westfield", "referral"))),
    Kind("Author Talks", RP, "Adults", ("Central", "Northgate"), "monthly", 60, 0.6, "adults", 0.9,
         response_rate=0.14, partnered=0.5,
         partners=(("Waterstones Westfield", "co-delivery"), ("Libraries Connected", "other"))),
    Kind("Large Print & Audiobook Club", RP, "Older and visually impaired readers", ("Northgate", "Eastfield"),
         "monthly", 12, 0.6, "older", 0.89, response_rate=0.24, partnered=0.4,
         partners=(("County Libraries Consortium", "other"),)),
    # Culture & creativity (10)
    Kind("Creative Writing Workshop", CR, "Adults", ("Central", "Riverside"), "course", 12, 0.7, "adults", 0.88,
         response_rate=0.36, pre=0.51, partnered=0.5, hours=2,
         partners=(("Westfield Writers' Circle", "co-delivery"), ("Westfield Theatre", "other"))),
    Kind("Craft Club", CR, "Adults", ("Northgate", "Eastfield"), "weekly", 14, 0.65, "adults", 0.88, partnered=0.5,
         partners=(("Westfield Arts Collective", "co-delivery"), ("Millbrook Men's Shed", "co-delivery"))),
    Kind("Knit & Natter", CR, "Adults", ("Central", "Riverside"), "weekly", 15, 0.6, "older", 0.9,
         response_rate=0.0, partnered=0.5, partners=(("Westfield Knit & Natter Group", "lead"),)),
    Kind("Exhibition Tours", CR, "Everyone", ("Central",), "monthly", 20, 0.55, "adults", 0.88, partnered=1.0,
         partners=(("Westfield Museum & Art Gallery", "co-delivery"), ("Westfield Arts Collective", "other"))),
    Kind("Poetry Open Mic", CR, "Adults", ("Central",), "monthly", 30, 0.5, "adults", 0.86, response_rate=0.18,
         partnered=0.6, partners=(("Westfield Writers' Circle", "co-delivery"),)),
    Kind("Museum Object Handling", CR, "Families", ("Riverside", "Eastfield"), "monthly", 20, 0.6, "families", 0.9,
         response_rate=0.0, partnered=1.0, partners=(("Westfield Museum & Art Gallery", "lead"),)),
)
TWICE_WEEKLY = ("Central Rhyme Time", "Northgate Rhyme Time", "Central Digital Drop-in")

ITEM_OFFSETS = {"knowledge": 0.02, "confidence": -0.03, "application": -0.02, "awareness": 0.0,
                "library_use": 0.03, "satisfaction": 0.06}
PRE_ITEMS = ("knowledge", "confidence", "awareness")
WAVE_WORDS = {"pre": "Pre", "post": "Post", "follow_up": "Follow-up"}
LABELS = {5: "Strongly agree", 4: "Agree", 3: "Neither agree nor disagree", 2: "Disagree", 1: "Strongly disagree"}

COMMENTS_BENEFIT = {
    DI: ("I can now video call my family", "Patient volunteers who explained everything",
         "Learning to spot scam emails",
         "Setting up my email on my phone", "Going at my own pace", "Finally understand how to use apps"),
    EL: ("My little one loves the songs", "A chance to meet other parents", "We borrow books every week now",
         "Lovely friendly staff", "New rhymes to sing at home"),
    ED: ("Practising speaking with real people", "Friendly and welcoming group", "I found records I never knew existed",
         "Help with homework I could not get at home", "Learning something new every week"),
    JS: ("Help with my CV", "Feeling less alone looking for work", "Practising interview questions",
         "Advice about starting a business", "Useful contacts"),
    HW: ("It gets me out of the house", "A calm space to talk", "Gentle exercise I can manage",
         "Somewhere we both feel welcome", "Good company"),
    CC: ("Meeting people from my area", "Finding out what is going on locally", "Being listened to"),
    FE: ("Something free to do with the kids", "The children loved it", "Time together as a family"),
    RP: ("The children read more over the summer", "Good discussion of the book", "Meeting the author",
         "Books I would never have picked", "Large print choices"),
    CR: ("Trying something creative", "Sharing my writing with others", "Seeing the collection up close",
         "A relaxing afternoon"),
}
COMMENTS_IMPROVE = ("More sessions please", "Longer sessions", "Evening sessions for people who work",
                    "The room was too warm", "More parking", "Smaller groups", "Better advertising",
                    "A session at the weekend", "Nothing, it was great", "More computers")


@dataclass(frozen=True)
class Demo:
    """The canonical tables of the demo service, in canonical column names."""

    partners: pd.DataFrame
    programmes: pd.DataFrame
    programme_partners: pd.DataFrame
    attendance: pd.DataFrame
    survey_responses: pd.DataFrame
    population: pd.DataFrame
    partnership_feedback: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"partners": self.partners, "programmes": self.programmes,
                "programme_partners": self.programme_partners, "attendance": self.attendance,
                "survey_responses": self.survey_responses, "population": self.population,
                "partnership_feedback": self.partnership_feedback}


# --- sessions ------------------------------------------------------------------------------------

def _closed(dates: pd.DatetimeIndex, term_time: bool) -> np.ndarray:
    """Christmas closure for every programme; school holidays too for term-time programmes."""
    md = dates.month * 100 + dates.day
    closed = (md >= 1224) | (md <= 102)
    if term_time:
        closed |= ((md >= 721) & (md <= 905)) | (md >= 1218) | (md <= 106) | ((md >= 401) & (md <= 414)) \
            | ((md >= 1023) & (md <= 1031)) | ((md >= 214) & (md <= 221)) | ((md >= 527) & (md <= 602))
    return closed


def _on_weekday(day: pd.Timestamp, weekday: int) -> pd.Timestamp:
    return day + pd.Timedelta(days=(weekday - day.weekday()) % 7)


def _session_dates(kind: Kind, start: pd.Timestamp, end: pd.Timestamp, weekday: int,
                   rng: np.random.Generator, twice: bool = False) -> pd.DatetimeIndex:
    """The days a programme met between `start` and `end`, by its cadence, less closures and cancellations."""
    first = _on_weekday(start, weekday)
    years = range(2023, 2026 + 1)
    if kind.cadence in ("weekly", "fortnightly", "monthly"):
        step = {"weekly": 7, "fortnightly": 14, "monthly": 28}[kind.cadence]
        dates = pd.date_range(first, end, freq=f"{step}D")
        if twice:  # a second session two days later each week
            dates = dates.append(dates + pd.Timedelta(days=2)).sort_values()
    elif kind.cadence == "course":  # 8-12 week blocks from each term's start
        weeks = int(rng.integers(8, 13))
        starts = [pd.Timestamp(y, m, d) for y in years for m, d in ((1, 10), (4, 20), (9, 15))]
        dates = pd.DatetimeIndex([_on_weekday(s, weekday) + pd.Timedelta(weeks=w) for s in starts
                                  for w in range(weeks)])
    elif kind.cadence == "summer":  # Summer Reading Challenge: two events a week in the school holidays
        dates = pd.DatetimeIndex([d for y in years for d in pd.date_range(f"{y}-07-22", f"{y}-09-01")
                                  if d.weekday() in (weekday % 5, 5)])
    elif kind.cadence == "holidays":  # one event in each school holiday
        dates = pd.DatetimeIndex([_on_weekday(pd.Timestamp(y, m, d), weekday) for y in years
                                  for m, d in ((2, 15), (4, 5), (5, 28), (7, 27), (8, 12), (8, 26), (10, 25))])
    elif kind.cadence == "week":  # Get Online Week: five days in mid-October
        dates = pd.DatetimeIndex([_on_weekday(pd.Timestamp(y, 10, 14), 0) + pd.Timedelta(days=i)
                                  for y in years for i in range(5)])
    elif kind.cadence == "winter":  # warm spaces: twice a week, November to March
        dates = pd.DatetimeIndex([d for d in pd.date_range(start, end)
                                  if (d.month >= 11 or d.month <= 3) and d.weekday() in (weekday % 5, 5)])
    elif kind.cadence == "annual":  # a fair in June and in September
        dates = pd.DatetimeIndex([_on_weekday(pd.Timestamp(y, m, 1), 5) for y in years for m in (6, 9)])
    else:
        raise ValueError(kind.cadence)
    dates = dates[(dates >= start) & (dates <= end)]
    dates = dates[~_closed(dates, kind.term_time)]
    keep = rng.random(len(dates)) >= 0.03  # a few sessions cancelled
    return dates[keep]


# --- the tables ----------------------------------------------------------------------------------

def _population() -> pd.DataFrame:
    """Residents by catchment (branch) for age band, ward and deprivation quintile; each dimension sums
    to the same catchment totals (about 180,000 in all)."""
    rows = []
    for branch in BRANCHES:
        wards = [w for w in WARDS if w.branch == branch]
        ages = np.zeros(len(AGE_BANDS))
        quintiles = np.zeros(5)
        for w in wards:
            shares = AGE_SHARES * np.array(w.age_tilt)
            ages += _split(w.population, shares / shares.sum())
            quintiles += _split(w.population, np.array(w.quintiles))
            rows.append(("area", w.name, w.population, branch))
        rows += [("age_band", band, int(n), branch) for band, n in zip(AGE_BANDS, ages)]
        rows += [("deprivation_quintile", str(q), int(n), branch) for q, n in zip(range(1, 6), quintiles)]
    order = {"age_band": 0, "area": 1, "deprivation_quintile": 2}
    rows.sort(key=lambda r: (order[r[0]], BRANCHES.index(r[3])))
    frame = pd.DataFrame(rows, columns=["dimension", "group", "population", "catchment"])
    out = pd.concat([frame, _survey_baseline(int(frame.loc[frame["dimension"] == "area", "population"].sum()))],
                    ignore_index=True)
    return out.astype({"dimension": "str", "group": "str", "catchment": "str"})


DISABLED_SHARE, DISABLED_MARGIN = 0.18, 3_100  # the residents' survey: 18% ± 3,100 people (95%)


def _survey_baseline(residents: int) -> pd.DataFrame:
    """Issue 11: a baseline that is itself an estimate: disability from a residents' survey, whole service (no
    catchment), with its ± 95% margin of error, so representation indices use Fieller's ratio interval."""
    yes = round(residents * DISABLED_SHARE, -2)
    return pd.DataFrame({"dimension": "disability", "group": ["Yes", "No"], "population": [yes, residents - yes],
                         "catchment": None, "margin_of_error": float(DISABLED_MARGIN)})


def _split(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole numbers in proportion to `shares` that add up to `total` (largest remainder)."""
    exact = total * shares / shares.sum()
    out = np.floor(exact).astype(int)
    out[np.argsort(-(exact - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _ward_weights(branch: str) -> np.ndarray:
    """Where a branch's attendance lives: ward population x nearness to the branch x the library's reach there."""
    near = np.array([1.0 if w.branch == branch else (0.35 if branch == "Central" else 0.12) for w in WARDS])
    weights = np.array([w.population * w.reach for w in WARDS]) * near
    return weights / weights.sum()


def _quintile_weights() -> np.ndarray:
    """P(quintile | ward): the ward's mix tilted towards the less deprived (rows: wards)."""
    mix = np.array([w.quintiles for w in WARDS]) * QUINTILE_TILT
    return mix / mix.sum(axis=1, keepdims=True)


def _draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of `probabilities` (vectorised inverse-CDF draw)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random((len(probabilities), 1)) * cumulative[:, -1:]
    return (u > cumulative).sum(axis=1)


def build_demo(seed: int = SEED) -> Demo:
    """The whole demo service from one seed: same seed, same frames."""
    # one stream per table, so that retuning one table does not reshuffle the others
    rng, stakes_rng, surveys_rng = np.random.default_rng(seed).spawn(3)
    partners = pd.DataFrame(PARTNERS, columns=["name", "partnership_type", "sector", "area"])

    # programmes and their sessions
    programme_rows, session_parts = [], []
    for kind in KINDS:
        for branch in kind.branches:
            name = f"{branch} {kind.name}"
            start, end = FIRST_DAY, LAST_DAY
            if kind.cadence not in ("summer", "holidays", "week", "annual") and rng.random() < 0.2:
                start = FIRST_DAY + pd.Timedelta(days=int(rng.integers(60, 800)))  # started later
            if name == "Eastfield Online Safety for Beginners":
                start = pd.Timestamp("2024-05-01")
            if name == "Central Young People's Careers Hub":
                start = pd.Timestamp("2024-09-02")
            if rng.random() < 0.12 and kind.cadence in ("weekly", "fortnightly", "monthly", "course"):
                end = min(LAST_DAY, start + pd.Timedelta(days=int(rng.integers(270, 720))))  # funding ended
            weekday = kind.weekday if kind.weekday is not None else int(rng.integers(0, 5))
            dates = _session_dates(kind, start, end, weekday, rng, twice=name in TWICE_WEEKLY)
            fill = float(np.clip(kind.fill + rng.normal(0, 0.06), 0.12, 0.95))
            positive = WEAK_PROGRAMMES.get(name, float(np.clip(kind.positive + rng.normal(0, 0.02), 0.74, 0.93)))
            big_event = kind.cadence in ("summer", "holidays", "annual")
            per_session_cost = float(rng.uniform(8, 45)) * (3 if big_event else 1)
            staff = 1 + (kind.capacity >= 30) + (kind.capacity >= 100)
            n = len(dates)
            programme_rows.append({
                "name": name, "theme": kind.theme, "branch": branch,
                "start_date": dates.min() if n else start, "end_date": dates.max() if n else end,
                "library_cost": round(n * per_session_cost + float(rng.choice([0, 250, 500, 1500])), 2),
                "library_staff_hours": round(n * (kind.hours * staff + 0.75), 1),
                "capacity_per_session": kind.capacity, "target_group": kind.target_group,
                "_kind": kind, "_fill": fill, "_positive": positive, "_sessions": n,
            })
            session_parts.append(pd.DataFrame({"programme": name, "session_date": dates, "branch": branch,
                                               "_p": len(programme_rows) - 1}))
    programmes = pd.DataFrame(programme_rows)
    attendance = _attendance(pd.concat(session_parts, ignore_index=True), programmes, rng)
    programme_partners = _stakes(programmes, stakes_rng)
    surveys = _surveys(attendance, programmes, surveys_rng)
    surveys = demo_comments.vary(surveys, programmes)  # a stream of its own: no other figure changes
    # sessions led, promotion reach, agreed splits and health checks: a stream of their own (issue 12)
    programmes, programme_partners, feedback = partnership_stories(programmes, programme_partners)
    attendance = _registers(attendance)  # after the surveys, which are drawn per session row
    # the dtypes of the canonical contracts (impact/schema.py), so the frames are what ingest gives back
    return Demo(
        partners=partners,
        programmes=programmes.drop(columns=[c for c in programmes if c.startswith("_")])
        .astype({"capacity_per_session": "Int64"}),
        programme_partners=programme_partners.astype({"promoted": "boolean", "credited": "boolean"}),
        attendance=attendance.drop(columns=[c for c in attendance if c.startswith("_")])
        .astype({c: "Int64" for c in ("attendees", "new_attendees", "sessions", "deprivation_quintile")}),
        survey_responses=surveys,
        population=_population().astype({"population": "Int64"}),
        partnership_feedback=feedback,
    )


def _attendance(sessions: pd.DataFrame, programmes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Attendees per session: places x fill rate x season x growth; dominant groups per session."""
    p = sessions["_p"].to_numpy()
    kinds = programmes["_kind"].to_numpy()
    capacity = programmes["capacity_per_session"].to_numpy()[p]
    month = sessions["session_date"].dt.month.to_numpy()
    season = np.array([0.0, 0.9, 0.95, 1.0, 1.0, 1.0, 0.95, 0.9, 0.9, 1.05, 1.05, 1.0, 0.85])[month]
    years = (sessions["session_date"] - FIRST_DAY).dt.days.to_numpy() / 365.25
    fill = np.clip(programmes["_fill"].to_numpy()[p] * season * (1 + 0.04 * years) * rng.normal(1, 0.12, len(p)),
                   0.02, 1.0)
    attendees = rng.binomial(capacity, fill)
    index = sessions.groupby("_p").cumcount().to_numpy()
    outreach = np.array([k.theme in (ED, CC) or k.cadence in ("summer", "holidays", "week") for k in kinds])[p]
    new_share = np.clip(0.06 + 0.3 * np.exp(-index / 6) + 0.12 * outreach, 0, 0.9)
    new = rng.binomial(attendees, new_share)
    audiences = np.array([AUDIENCES[k.audience] for k in kinds])[p]
    age = _draw(rng, audiences)
    branch_weights = np.array([_ward_weights(b) for b in BRANCHES])
    ward = _draw(rng, branch_weights[sessions["branch"].map(BRANCHES.index).to_numpy()])
    quintile = _draw(rng, _quintile_weights()[ward]) + 1
    out = sessions.assign(attendees=attendees, new_attendees=new, sessions=1,
                          age_band=np.array(AGE_BANDS)[age], area=np.array([w.name for w in WARDS])[ward],
                          deprivation_quintile=quintile)
    return out.sort_values(["session_date", "programme"], kind="stable").reset_index(drop=True)


def _stakes(programmes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Who put what into each programme: about two thirds have 1-3 partners; two partners are lopsided."""
    rows = []
    for _, prog in programmes.iterrows():
        kind: Kind = prog["_kind"]
        if not kind.partners or rng.random() >= kind.partnered:
            continue
        k = min(len(kind.partners), int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15])))
        chosen = [kind.partners[j] for j in sorted(rng.permutation(len(kind.partners))[:k])]
        chosen += [c for c in kind.partners if c[0] in PLANTED_PARTNERS and c not in chosen]
        for partner, role in chosen:
            rows.append(_stake(prog, partner, role, rng))
    stakes = pd.DataFrame(rows)
    # every partner works on at least one programme: add the unused to the first programme that lists them
    for name, *_ in PARTNERS:
        if name in set(stakes["partner"]):
            continue
        for _, prog in programmes.iterrows():
            role = dict(prog["_kind"].partners).get(name)
            if role:
                stakes = pd.concat([stakes, pd.DataFrame([_stake(prog, name, role, rng)])], ignore_index=True)
                break
    order = programmes["name"].tolist()
    stakes["_order"] = stakes["programme"].map(order.index)
    return stakes.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _stake(prog: pd.Series, partner: str, role: str, rng: np.random.Generator) -> dict:
    """One partner's stake in one programme, sized by its role against the library's own effort."""
    hours_base = prog["library_staff_hours"]
    share = {"lead": (0.6, 1.2), "co-delivery": (0.25, 0.7), "referral": (0.05, 0.15), "venue": (0.03, 0.08),
             "funder": (0.0, 0.02), "other": (0.04, 0.12)}[role]
    hours = round(hours_base * float(rng.uniform(*share)), 1)
    cash = 0.0
    if role == "funder":
        cash = round(prog["library_cost"] * float(rng.uniform(0.1, 0.6)), -1)
    elif role == "lead" and rng.random() < 0.4:
        cash = round(float(rng.uniform(200, 2500)), -1)
    in_kind = 0.0
    if role == "other" or (role in ("lead", "co-delivery") and rng.random() < 0.6):
        in_kind = round(prog["_sessions"] * float(rng.uniform(5, 30)), -1)
    if role == "venue":
        in_kind = round(prog["_sessions"] * float(rng.uniform(25, 40)), -1)
    promoted = rng.random() < {"lead": 0.9, "co-delivery": 0.7, "referral": 0.8, "venue": 0.5, "funder": 0.3,
                               "other": 0.4}[role]
    credited = rng.random() < {"lead": 0.95, "co-delivery": 0.8, "referral": 0.35, "venue": 0.6, "funder": 0.9,
                               "other": 0.6}[role]
    if partner == LOPSIDED_GIVER:  # carries far more than it gets, and is not named in outputs
        hours = round(prog["_sessions"] * float(rng.uniform(2.5, 3.5)), 1)
        cash = round(float(rng.uniform(1500, 3500)), -1)
        in_kind = round(prog["_sessions"] * float(rng.uniform(20, 35)), -1)  # interpreters, refreshments
        promoted, credited = True, False
    if partner == LOPSIDED_TAKER:  # a token sum, named as funder on the biggest programmes
        hours, cash, in_kind = float(rng.choice([0, 1, 2])), float(rng.choice([150, 200, 250, 300])), 0.0
        promoted, credited = False, True
    return {"programme": prog["name"], "partner": partner, "role": role, "staff_hours": hours, "cash": cash,
            "in_kind": in_kind, "promoted": bool(promoted), "credited": bool(credited)}


def _surveys(attendance: pd.DataFrame, programmes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Post surveys per session (binomial on attendance), pre and follow-up for some, scores from a latent."""
    kinds = programmes["_kind"].to_numpy()
    rate = np.array([k.response_rate for k in kinds])
    p = attendance["_p"].to_numpy()
    counts = rng.binomial(attendance["attendees"].to_numpy(), rate[p])
    session = np.repeat(np.arange(len(attendance)), counts)
    n = len(session)
    rp = p[session]
    # rows of each programme in date order: `order[starts[p] + k]` is programme p's k-th session
    order = np.argsort(p, kind="stable")
    sizes = np.bincount(p, minlength=len(kinds))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = attendance.groupby("_p").cumcount().to_numpy()[session]
    # one time in four the respondent's groups are those of another session of the same programme
    other = order[starts[rp] + np.floor(rng.random(n) * sizes[rp]).astype(int)]
    source = np.where(rng.random(n) < 0.25, other, session)
    age = attendance["age_band"].to_numpy()[source]
    area = attendance["area"].to_numpy()[source]
    quintile = attendance["deprivation_quintile"].to_numpy()[source]
    dates = attendance["session_date"].to_numpy()[session]

    pre_share = np.array([k.pre for k in kinds])[rp]
    fu_share = np.array([k.follow_up for k in kinds])[rp]
    has_pre = rng.random(n) < pre_share
    dropped = has_pre & (rng.random(n) < 0.12)  # answered the pre survey, left before the post one
    has_fu = ~dropped & (rng.random(n) < fu_share)
    paired_programme = (np.array([k.pre + k.follow_up for k in kinds]) > 0)[rp]
    ids = np.where(paired_programme, np.char.add("WF", np.char.zfill(rng.permutation(n).astype(str), 6)), "")

    # how positive each respondent is: programme, then the groups that lag
    base = programmes["_positive"].to_numpy()[rp].copy()
    for value, shift in LAGGING_OUTCOMES["age_band"].items():
        base += np.where(age == value, shift, 0)
    for value, shift in LAGGING_OUTCOMES["deprivation_quintile"].items():
        base += np.where(quintile == value, shift, 0)
    gain = np.where(np.isin(programmes["name"].to_numpy()[rp], list(WEAK_PROGRAMMES)), 0.08, 0.3)
    person = rng.normal(size=n)

    def scores(p_positive: np.ndarray) -> np.ndarray:
        latent = 0.55 * person + np.sqrt(1 - 0.55 ** 2) * rng.normal(size=len(person))
        u = ndtr(latent)
        p_positive = np.clip(p_positive, 0.05, 0.98)
        cuts = np.stack([p_positive * 0.5, p_positive, p_positive + (1 - p_positive) * 0.6,
                         p_positive + (1 - p_positive) * 0.88], axis=1)
        return 5 - (u[:, None] > cuts).sum(axis=1)

    post = {item: scores(base + offset) for item, offset in ITEM_OFFSETS.items()}
    pre = {item: scores(base + ITEM_OFFSETS[item] - gain) for item in PRE_ITEMS}
    follow = scores(base + ITEM_OFFSETS["application"] - 0.08)

    # pre survey at a session 4-8 weeks earlier (or the programme's first); follow-up 2-4 months later
    pre_session = order[starts[rp] + np.maximum(0, position - rng.integers(4, 9, n))]
    pre_dates = attendance["session_date"].to_numpy()[pre_session]
    fu_dates = dates + rng.integers(60, 121, n).astype("timedelta64[D]")
    has_fu &= fu_dates <= LAST_DAY.to_datetime64()

    names = programmes["name"].to_numpy()[rp]
    frames = []
    for wave, mask, when, items in (("pre", has_pre, pre_dates, pre), ("post", ~dropped, dates, post),
                                    ("follow_up", has_fu, fu_dates, {"application": follow})):
        frame = pd.DataFrame({"programme": names[mask], "response_date": when[mask], "wave": wave,
                              "respondent_id": ids[mask]})
        for item in ITEM_OFFSETS:
            frame[item] = items[item][mask] if item in items else 0
        frame["age_band"], frame["area"], frame["deprivation_quintile"] = age[mask], area[mask], quintile[mask]
        frame["_theme"] = np.array([k.theme for k in kinds])[rp][mask]
        frame["_order"] = np.flatnonzero(mask)
        frame["_wave"] = ("pre", "post", "follow_up").index(wave)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["response_date", "_order", "_wave"], kind="stable").reset_index(drop=True)
    m = len(out)
    # not every item answered; demographics sometimes skipped
    for item in ITEM_OFFSETS:
        out[item] = out[item].where((out[item] > 0) & (rng.random(m) >= 0.03)).astype("Int64")
    out["age_band"] = out["age_band"].where(rng.random(m) >= 0.05)
    out["area"] = out["area"].where(rng.random(m) >= 0.07)
    out["deprivation_quintile"] = out["deprivation_quintile"].where(rng.random(m) >= 0.1).astype("Int64")
    out["respondent_id"] = out["respondent_id"].replace("", np.nan)
    # a short comment from some post respondents (no personal data)
    is_post = (out["wave"] == "post").to_numpy()
    benefit = is_post & (rng.random(m) < 0.18)
    picks = rng.random(m)
    out["comment_benefit"] = [COMMENTS_BENEFIT[t][int(u * len(COMMENTS_BENEFIT[t]))] if b else None
                              for t, u, b in zip(out["_theme"], picks, benefit)]
    improve = is_post & (rng.random(m) < 0.08)
    out["comment_improve"] = np.where(improve, np.array(COMMENTS_IMPROVE)[rng.integers(0, len(COMMENTS_IMPROVE), m)],
                                      None)
    _state_item(out)
    _disability(out)
    return out.drop(columns=["_theme", "_order", "_wave"])


def _disability(out: pd.DataFrame) -> None:
    """Issue 11: respondents say whether they are disabled (about 12% yes against 18% of residents), from its own
    stream, so the survey-based baseline has something to compare with."""
    rng = np.random.default_rng([SEED, 11, 2])
    u = rng.random(len(out))
    out["disability"] = np.where(u < 0.12, "Yes", np.where(u < 0.95, "No", None))


REGISTER_PROGRAMME = "Central Get Online Course"  # keeps a register: one row per learner, with a learner id


def _registers(attendance: pd.DataFrame) -> pd.DataFrame:
    """Issue 11: one programme keeps a register, so part of the attendance carries participant ids (people can be
    counted there). Each of its session rows becomes one row per learner (same session, date, groups; the new
    attendees first), learners drawn from the course's cohort with its own stream. A learner keeps one age band,
    ward and quintile (drawn from the course's sessions), so only this course's 391 attendances may move between
    groups; totals, sessions and every other programme's figures stay as they were."""
    rng = np.random.default_rng([SEED, 11, 1])
    mine = (attendance["programme"] == REGISTER_PROGRAMME).to_numpy()
    if not mine.any():
        return attendance
    rows = attendance[mine]
    pool = [f"GOC{n:04d}" for n in range(1, 1 + max(12, int(rows["attendees"].max()) * 3))]
    weights = rng.gamma(0.8, 1.0, len(pool))  # some learners come to most sessions, some once
    weights /= weights.sum()
    groups = ["age_band", "area", "deprivation_quintile"]
    drawn = rows[groups].iloc[rng.integers(0, len(rows), len(pool))].reset_index(drop=True)
    parts = []
    for _, row in rows.iterrows():
        k = int(row["attendees"])
        if k <= 0:
            parts.append(row.to_frame().T.assign(participant_id=None))
            continue
        chosen = rng.choice(len(pool), size=k, replace=False, p=weights)
        person = pd.DataFrame([row] * k).reset_index(drop=True)
        person["attendees"] = 1
        person["new_attendees"] = (np.arange(k) < int(row["new_attendees"])).astype(int)
        person["participant_id"] = [pool[i] for i in chosen]
        for g in groups:
            person[g] = drawn[g].to_numpy()[chosen]
        parts.append(person)
    out = pd.concat([attendance[~mine].assign(participant_id=None), *parts], ignore_index=True)
    out = out.astype({c: attendance[c].dtype for c in attendance.columns if c in out})
    out["participant_id"] = out["participant_id"].astype("str").where(out["participant_id"].notna())
    return out.sort_values(["session_date", "programme"], kind="stable").reset_index(drop=True)


STATE_ITEM = "outcome_online_skills"  # "I can do what I need to online": a state, so before and after compare


def _state_item(out: pd.DataFrame) -> None:
    """Issue 11: a state-worded item on the digital inclusion surveys, pre and post (never follow-up), drawn from
    its own stream so every other figure of the demo stays as it was. A respondent's pre and post answers share a
    person effect; post answers are about a point higher."""
    rng = np.random.default_rng([SEED, 11])
    digital = ((out["_theme"] == DI) & out["wave"].isin(["pre", "post"])).to_numpy()
    ids = out["respondent_id"].astype("object").where(out["respondent_id"].notna(), None).to_numpy()
    keys = np.array([i if i is not None else f"row{n}" for n, i in enumerate(ids)], dtype=object)
    _, person = np.unique(keys, return_inverse=True)
    effect = rng.normal(0, 0.7, int(person.max()) + 1)[person]
    centre = np.where(out["wave"].to_numpy() == "pre", 2.8, 3.8) + effect + rng.normal(0, 0.6, len(out))
    answer = np.clip(np.rint(centre), 1, 5)
    answered = digital & (rng.random(len(out)) >= 0.04)
    out[STATE_ITEM] = pd.array(np.where(answered, answer, np.nan), dtype="Float64").astype("Int64")


# --- writing -------------------------------------------------------------------------------------

SHEETS = {  # file -> sheet name -> (table, {canonical column: header as staff write it})
    "westfield_library_service.xlsx": {
        "Partners": ("partners", {"name": "Organisation", "partnership_type": "Partnership type", "sector": "Sector",
                                  "area": "Based in"}),
        "Programmes": ("programmes", {"name": "Programme", "theme": "Theme", "branch": "Branch",
                                      "start_date": "Start date", "end_date": "End date",
                                      "library_cost": "Library cost (£)", "library_staff_hours": "Library staff hours",
                                      "capacity_per_session": "Places per session", "target_group": "Target group",
                                      "promotion_reach": "Promotion reach"}),
        "Programme partners": ("programme_partners", {"programme": "Programme", "partner": "Partner", "role": "Role",
                                                      "staff_hours": "Partner staff hours", "cash": "Cash (£)",
                                                      "in_kind": "In-kind value (£)", "promoted": "Promoted?",
                                                      "credited": "Credited?", "sessions_led": "Sessions led",
                                                      "promotion_reach": "Promotion reach",
                                                      "agreed_efforts": "Agreed share of hours",
                                                      "agreed_outputs": "Agreed share of sessions",
                                                      "agreed_money": "Agreed share of costs"}),
        "Partnership health check": ("partnership_feedback", {
            "partner": "Partner", "party": "Answered by", "answered_on": "Date",
            "shared_decisions": "We share decisions about this work",
            "recognised": "Our contribution is recognised",
            "own_goals": "This partnership helps us reach our own goals",
            "benefits_outweigh_costs": "The benefits to us outweigh the costs",
            "work_again": "We would work together again", "new_audiences": "New audiences reached",
            "referrals": "Referrals", "volunteers": "Volunteers", "funding_leveraged": "Funding leveraged",
            "comment": "Comment"}),
    },
    "westfield_attendance.xlsx": {
        "Attendance": ("attendance", {"programme": "Programme", "session_date": "Date", "branch": "Branch",
                                      "attendees": "Attendees", "new_attendees": "New to library",
                                      "sessions": "Sessions", "age_band": "Age band", "area": "Ward",
                                      "deprivation_quintile": "IMD quintile", "participant_id": "Participant ID"}),
    },
    "westfield_surveys.xlsx": {
        "Survey responses": ("survey_responses", {
            "programme": "Programme", "response_date": "Date", "wave": "Survey type",
            "respondent_id": "Respondent ID",
            "knowledge": "I learned something new that is helpful",
            "confidence": "I feel more confident about what I just learned",
            "application": "I intend to apply / have applied what I learned",
            "awareness": "I am more aware of resources and services provided by the library",
            "library_use": "I am more likely to use other library resources and services",
            "satisfaction": "Overall, I was satisfied with the session",
            "age_band": "Age band", "area": "Ward", "deprivation_quintile": "IMD quintile",
            "comment_benefit": "What did you like most?", "comment_improve": "What could the library improve?",
            "comment_action": "What will you do next?",
            "quote_consent": "May we quote your comments anonymously?",
            STATE_ITEM: "Outcome: online skills", "disability": "Disability"}),

    },
    "westfield_population.xlsx": {
        "Population": ("population", {"dimension": "Dimension", "group": "Group", "population": "Population",
                                      "catchment": "Catchment", "margin_of_error": "Margin of error"}),
    },
}
_FIXED_TIME = dt.datetime(2026, 4, 1)


def _cells(frame: pd.DataFrame, column: str) -> list:
    """A column as the cells staff would type: dates as dates, missing as None, waves as words, and about a
    third of the agreement answers as labels ("Strongly agree"), as if typed up from paper forms."""
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return [None if pd.isna(v) else v.date() for v in values]
    if column == "wave":
        return values.map(WAVE_WORDS).tolist()
    if column in ITEM_OFFSETS:
        labelled = np.random.default_rng(SEED + 1).random(len(frame)) < 1 / 3  # the same rows for every item
        no_answer = np.array(["N/A", "Don't know", None], dtype=object)[np.arange(len(frame)) % 3]
        return [(LABELS[v] if label else int(v)) if not pd.isna(v) else (word if label else None)
                for v, label, word in zip(values, labelled, no_answer)]
    return [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v) for v in values.astype(object)]


def _workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """An .xlsx written with openpyxl in write-only mode, then made reproducible (fixed timestamps)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = "Westfield Libraries"
    wb.properties.created = _FIXED_TIME
    for title, (headers, columns) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(headers)
        for row in zip(*columns):
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(data: bytes) -> bytes:
    """The same zip with every entry dated _FIXED_TIME and the document's modified time fixed."""
    out = io.BytesIO()
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def write_demo(directory: Path = DEFAULT_DIRECTORY, demo: Demo | None = None) -> list[Path]:
    """Write the demo service as four workbooks in `directory`; returns their paths."""
    demo = demo or build_demo()
    tables = demo.tables()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for file, sheets in SHEETS.items():
        content = {}
        for title, (table, headers) in sheets.items():
            frame = tables[table]
            content[title] = (list(headers.values()), [_cells(frame, c) for c in headers])
        path = directory / file
        path.write_bytes(_workbook_bytes(content))
        paths.append(path)
    return paths


if __name__ == "__main__":
    import time

    began = time.perf_counter()
    written = write_demo(DEFAULT_DIRECTORY)
    print(f"wrote {len(written)} workbooks to {DEFAULT_DIRECTORY} in {time.perf_counter() - began:.1f} s")
    for p in written:
        print(f"  {p.name}  {p.stat().st_size / 1024:,.0f} KB")
