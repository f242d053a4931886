"""The canonical tables of SPEC.md: columns, kinds, allowed values, synonyms, in one place.

Ingest maps uploads onto these columns, the store creates its tables from them,
pandera contracts check cleaned frames against them, and the README's data
dictionary is printed from them (`python -m impact schema`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandera takes ~0.3 s to import: only when a cleaned frame is checked (contract below)
    import pandera.pandas as pa

# Column kinds: how a raw cell is cleaned (impact/ingest/clean.py) and stored.
TEXT, ID, DATE, COUNT, MONEY, HOURS, NUMBER, BOOL, CHOICE, SCORE, QUINTILE, PERIOD, INTEGER = (
    "text", "id", "date", "count", "money", "hours", "number", "bool", "choice",
    "score", "quintile", "period", "integer",
)
BENEFIT = "benefit"  # a count (or £) received, or yes / no when it was not counted: stored as "12", "yes", "no"

PARTNERSHIP_TYPES = ("library", "community", "stakeholder")
ROLES = ("lead", "co-delivery", "referral", "venue", "funder", "other")
WAVES = ("pre", "post", "follow_up")
OUTCOME_DOMAINS = ("knowledge", "confidence", "application", "awareness", "library_use", "satisfaction")
DEMOGRAPHICS = ("age_band", "gender", "ethnicity", "disability", "area", "deprivation_quintile")
COMMENTS = ("comment_benefit", "comment_improve", "comment_action")
PARTIES = ("library", "partner")  # who answered a partnership health check


@dataclass(frozen=True)
class Column:
    """One canonical column. `stored=False` columns are read on import and turned into others."""

    name: str
    kind: str
    required: bool = False
    allowed: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()  # distinctive words inside whole-question headers
    description: str = ""
    stored: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    sheet_words: tuple[str, ...] = ()  # sheet-name words that suggest this table
    keys: tuple[str, ...] = field(default=())  # columns that identify a row for de-duplication

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        if self.name == "survey_responses" and is_own_outcome(name):
            return Column(name, SCORE, description="custom outcome item (5-point agreement)")
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.stored)


def _demographic_columns() -> tuple[Column, ...]:
    return (
        Column("age_band", TEXT, synonyms=("age", "age group", "age range", "age bracket", "audience", "age category"),
               description="age group as the library records it, e.g. 18-64 or 65+"),
        Column("gender", TEXT, synonyms=("sex", "gender identity"), description="gender as self-described"),
        Column("ethnicity", TEXT, synonyms=("ethnic group", "ethnic origin", "race", "race/ethnicity"),
               description="ethnic group as self-described"),
        Column("disability", TEXT, synonyms=("disabled", "disability status", "long-term condition"),
               description="disability as self-described"),
        Column("area", TEXT, synonyms=("ward", "neighbourhood", "neighborhood", "locality", "postcode district",
                                       "home area", "community area"),
               description="area of residence (ward, neighbourhood); never a full address"),
        Column("deprivation_quintile", QUINTILE, synonyms=("imd quintile", "deprivation", "imd", "quintile",
                                                           "deprivation decile group", "simd quintile"),
               description="1 = most deprived ... 5 = least deprived"),
    )


PARTNERS = Table(
    "partners",
    "Organisations the library works with, by the kind of partnership.",
    (
        Column("partner_id", ID, synonyms=("partner id", "partner code", "organisation id", "org id"),
               description="stable id; made from the name when absent"),
        Column("name", TEXT, required=True,
               synonyms=("partner", "partner name", "organisation", "organization", "organisation name",
                         "organization name", "org", "group", "host", "host name", "host organisation"),
               description="partner's name as it should appear in reports"),
        Column("partnership_type", CHOICE, required=True, allowed=PARTNERSHIP_TYPES,
               synonyms=("type", "partner type", "partnership", "kind", "category", "partnership category"),
               description="library (other libraries, library bodies), community (community groups), "
                           "stakeholder (charities, schools, health, councils, businesses)"),
        Column("sector", TEXT, synonyms=("sector", "organisation type", "org type", "industry"),
               description="charity, school, health, business, government, culture, faith, ..."),
        Column("area", TEXT, synonyms=("location", "based in", "ward", "locality"), description="where the partner is based"),
    ),
    sheet_words=("partner", "organisation", "organization", "org"),
    keys=("name",),
)

PROGRAMMES = Table(
    "programmes",
    "What the library runs: a series of sessions with a theme, a branch, costs and capacity.",
    (
        Column("programme_id", ID, synonyms=("programme id", "program id", "programme code", "program code",
                                              "activity id", "event id", "course code"),
               description="stable id; made from the name when absent"),
        Column("name", TEXT, required=True,
               synonyms=("programme", "program", "programme name", "program name", "activity", "activity name",
                         "event", "event name", "event title", "title", "course", "course name", "session name",
                         "workshop", "class", "project"),
               description="programme name as staff know it"),
        Column("theme", TEXT, synonyms=("service area", "category", "strand", "outcome area", "theme area",
                                         "focus", "topic", "programme type", "program type"),
               description="service area, e.g. digital inclusion, early literacy, health & wellbeing"),
        Column("branch", TEXT, synonyms=("library", "location", "site", "venue", "library branch", "branch name"),
               description="branch or site that runs it"),
        Column("start_date", DATE, synonyms=("start", "start date", "from", "date started", "begins", "launch date")),
        Column("end_date", DATE, synonyms=("end", "end date", "to", "until", "date ended", "finishes")),
        Column("library_cost", MONEY, synonyms=("cost", "library cost", "budget", "spend", "expenditure",
                                                 "library spend", "cost to library", "total cost"),
               description="money the library spent on it"),
        Column("library_staff_hours", HOURS, synonyms=("staff hours", "library staff hours", "staff time",
                                                        "hours", "staff time hours", "officer hours"),
               description="hours of library staff time"),
        Column("capacity_per_session", COUNT, synonyms=("capacity", "places", "max attendees", "spaces",
                                                         "places per session", "max capacity"),
               description="places per session, for the fill rate"),
        Column("target_group", TEXT, synonyms=("target audience", "audience", "for", "intended for", "target group")),
        Column("promotion_reach", COUNT, synonyms=("promotion reach", "library promotion reach", "marketing reach",
                                                    "people reached by promotion"),
               description="people the library's own promotion of it reached (mailing list, social followers)"),
        Column("partner", TEXT, stored=False,
               synonyms=("partner", "partners", "delivered with", "partner organisation", "host", "host name",
                         "lead partner", "in partnership with"),
               description="import only: partner names (several separated by ;) that become programme_partners links"),
    ),
    sheet_words=("programme", "program", "activit", "event", "course", "project"),
    keys=("name",),
)

PROGRAMME_PARTNERS = Table(
    "programme_partners",
    "The stakes each partner holds in a programme: time, money, in-kind, marketing, credit.",
    (
        Column("programme", TEXT, required=True, synonyms=("programme", "program", "programme name",
                                                            "program name", "activity", "event", "project")),
        Column("partner", TEXT, required=True, synonyms=("partner", "partner name", "organisation",
                                                          "organization", "org")),
        Column("role", CHOICE, allowed=ROLES, synonyms=("role", "partner role", "contribution type", "involvement")),
        Column("staff_hours", HOURS, synonyms=("partner hours", "staff hours", "hours", "volunteer hours",
                                                "partner staff hours", "time given")),
        Column("cash", MONEY, synonyms=("cash", "money", "funding", "cash contribution", "grant", "amount")),
        Column("in_kind", MONEY, synonyms=("in kind", "in-kind", "in kind value", "in-kind value",
                                            "non-cash contribution", "donated value")),
        Column("promoted", BOOL, synonyms=("promoted", "marketed", "marketing", "publicised", "publicized",
                                            "did they promote it", "shared on social")),
        Column("credited", BOOL, synonyms=("credited", "named", "logo used", "acknowledged", "credit")),
        Column("sessions_led", COUNT, synonyms=("sessions led", "sessions delivered", "sessions co-delivered",
                                                 "sessions run", "sessions led by partner"),
               description="sessions it led or co-delivered (default: every session for a lead or co-delivery role)"),
        Column("promotion_reach", COUNT, synonyms=("promotion reach", "partner promotion reach", "marketing reach",
                                                    "reach", "audience reached",
                                                    "people reached by promotion", "followers reached"),
               description="people its promotion reached (newsletter, social followers), where known"),
        Column("agreed_efforts", NUMBER, synonyms=("agreed efforts", "agreed hours share", "agreed staff time",
                                                   "agreed share of hours", "mou hours"),
               description="its agreed share of the staff hours (memorandum), e.g. 40%"),
        Column("agreed_outputs", NUMBER, synonyms=("agreed outputs", "agreed sessions share", "agreed share of sessions",
                                                   "mou sessions"),
               description="its agreed share of the sessions led or co-delivered, e.g. 50%"),
        Column("agreed_money", NUMBER, synonyms=("agreed money", "agreed funding share", "agreed share of costs",
                                                 "mou money"),
               description="its agreed share of the cash and in-kind value, e.g. 30%"),
    ),
    sheet_words=("stake", "contribution", "programme partner", "program partner", "partnership"),
    keys=("programme", "partner"),
)

ATTENDANCE = Table(
    "attendance",
    "Who came, at the finest grain the library has: per session, or per month or quarter.",
    (
        Column("programme", TEXT, required=True,
               synonyms=("programme", "program", "programme name", "program name", "activity", "activity name",
                         "event", "event name", "event title", "session", "session name", "class", "course",
                         "workshop", "title"),
               description="programme the session belongs to"),
        Column("session_date", DATE,
               synonyms=("date", "session date", "event date", "date of session", "date held", "day",
                         "start date", "start time", "when"),
               description="the day of the session; or give year and month, or period, for returns"),
        Column("branch", TEXT, synonyms=("library", "branch", "location", "site", "venue", "branch name",
                                          "library name", "user library")),
        Column("attendees", COUNT, required=True,
               synonyms=("attendance", "attendees", "attended", "headcount", "head count", "no attending",
                         "number attending", "participants", "number of participants", "people", "total attendance",
                         "count", "no of attendees", "number of attendees", "visitors", "footfall", "total", "turnout",
                         "numbers", "how many came", "no attended", "number attended"),
               description="people at the session(s); blank means not recorded, never zero"),
        Column("new_attendees", COUNT, synonyms=("new attendees", "new to library", "new members", "first time",
                                                  "new participants", "new joiners", "first-time attendees")),
        Column("participant_id", ID, synonyms=("participant id", "attendee id", "member id", "card number",
                                                "library card", "person id", "pseudonymous id"),
               description="pseudonymous id; then each row is one person at one session"),
        Column("sessions", COUNT, synonyms=("sessions", "events", "number of sessions", "no of sessions",
                                             "number of events", "occurrences", "no of events"),
               description="sessions this row covers (default 1)"),
        *_demographic_columns(),
        Column("session_lead", TEXT, synonyms=("session lead", "led by", "delivered by", "lead organisation",
                                                "lead organization", "session led by"),
               description="who led the session: a partner's name as on the partners sheet, or library (for the "
                           "outputs stake; an organisation, never a person)"),
        Column("year", INTEGER, stored=False, synonyms=("year", "event year", "calendar year")),
        Column("month", INTEGER, stored=False, synonyms=("month", "event month", "month number")),
        Column("period", PERIOD, stored=False,
               synonyms=("period", "reporting period", "quarter", "time period", "return period"),
               description="a month (2024-05), a quarter (2024 Q2) or an ISO 8601 interval (2023-04-01/P3M)"),
        Column("partner", TEXT, stored=False, synonyms=("partner", "partner organisation", "host", "host name",
                                                         "delivered with", "in partnership with"),
               description="import only: becomes a programme_partners link"),
    ),
    sheet_words=("attendance", "session", "footfall", "headcount", "register", "visits", "returns", "events"),
)

_SURVEY_OUTCOMES = (
    Column("knowledge", SCORE, phrases=("learned something new", "learnt something new", "learned something",
                                        "learnt something", "learned new", "new skills", "learned skills",
                                        "knowledge", "something new that is helpful"),
           synonyms=("knowledge", "learned", "learnt", "learned something new"),
           description="I learned something new that is helpful"),
    Column("confidence", SCORE, phrases=("more confident", "feel confident", "confidence"),
           synonyms=("confidence", "confident"), description="I feel more confident about what I just learned"),
    Column("application", SCORE, phrases=("intend to apply", "apply what", "applied what", "have applied",
                                          "will apply", "plan to use", "put into practice", "use what i learned"),
           synonyms=("application", "apply", "applied", "intend to apply"),
           description="I intend to apply / I have applied what I learned"),
    Column("awareness", SCORE, phrases=("more aware", "aware of resources", "aware of", "awareness"),
           synonyms=("awareness", "aware"),
           description="I am more aware of resources and services provided by the library"),
    Column("library_use", SCORE, phrases=("more likely to use", "use other library", "likely to use the library",
                                          "continue to use", "use the library more", "library resources and services"),
           synonyms=("library use", "library_use", "use library"),
           description="I am more likely to use other library resources and services"),
    Column("satisfaction", SCORE, phrases=("satisfied", "satisfaction", "enjoyed", "would recommend"),
           synonyms=("satisfaction", "satisfied", "overall satisfaction"),
           description="I was satisfied with the session"),
)

SURVEY_RESPONSES = Table(
    "survey_responses",
    "Outcome surveys: what changed for people, on a 5-point agreement scale.",
    (
        Column("programme", TEXT, required=True,
               synonyms=("programme", "program", "programme name", "program name", "activity", "event",
                         "event name", "session", "course", "workshop", "which session did you attend",
                         "which event did you attend", "program title", "workshop id"),
               description="programme the respondent attended"),
        Column("response_date", DATE, synonyms=("date", "response date", "timestamp", "submitted", "completion time",
                                                 "start time", "end date", "start date", "date submitted",
                                                 "survey date", "date entered", "program date")),
        Column("wave", CHOICE, allowed=WAVES, synonyms=("wave", "survey type", "stage", "when", "pre or post",
                                                         "survey", "timing", "when taking"),
               description="pre, post (default: right after the session) or follow_up"),
        Column("respondent_id", ID, synonyms=("respondent id", "respondent", "response id", "participant id",
                                               "unique id", "uniqueid", "id", "learner id", "code"),
               description="pseudonymous id pairing pre with post"),
        *_SURVEY_OUTCOMES,
        *_demographic_columns(),
        Column("comment_benefit", TEXT, phrases=("like most", "liked most", "benefit", "most useful", "best thing",
                                                 "what did you like"),
               synonyms=("comment", "comments", "what did you like most", "benefit")),
        Column("comment_improve", TEXT, phrases=("improve", "could the library do", "better", "change"),
               synonyms=("improve", "improvements", "suggestions")),
        Column("comment_action", TEXT, phrases=("what will you do", "what have you done", "next step", "action"),
               synonyms=("action", "what will you do")),
        Column("quote_consent", BOOL, phrases=("may we quote", "quote your", "use your comment", "consent to quote",
                                               "happy for us to quote", "happy for us to use"),
               synonyms=("quote consent", "consent to quote", "may we quote you", "quote ok", "can we quote you"),
               description="yes: the comments may be quoted anonymously; where a survey asks, no or blank means "
                           "they are never quoted"),
        Column("theme", TEXT, stored=False, synonyms=("service area", "theme", "programme theme", "program type"),
               description="import only: the programme's theme (Project Outcome's service area)"),
    ),
    sheet_words=("survey", "response", "feedback", "outcome", "evaluation", "form responses", "questionnaire"),
)

POPULATION = Table(
    "population",
    "The community baseline: how many people live in each group, to compare reach against.",
    (
        Column("dimension", TEXT, required=True, synonyms=("dimension", "characteristic", "variable", "measure",
                                                            "breakdown"),
               description="age_band, area, deprivation_quintile, gender, ethnicity, disability, ..."),
        Column("group", TEXT, required=True, synonyms=("group", "category", "value", "band", "group name")),
        Column("population", COUNT, required=True, synonyms=("population", "residents", "people", "count",
                                                              "number", "estimate", "total population",
                                                              "number of users", "usual residents")),
        Column("catchment", TEXT, synonyms=("catchment", "branch", "library", "area", "geography", "name",
                                             "local authority", "authority", "user library")),
        Column("margin_of_error", NUMBER, synonyms=("margin of error", "moe", "95% margin of error",
                                                     "margin of error (95%)", "plus or minus", "confidence margin"),
               description="± 95% margin of error in people when the baseline is a survey estimate; blank for a "
                           "census count (representation indices then use Fieller's ratio interval)"),
    ),
    sheet_words=("population", "baseline", "census", "community", "residents", "demograph", "catchment"),
)

# The partnership health check (PARTNERSHIPS.md): items written for this product, in the spirit of the
# Partnership Self-Assessment Tool's benefits and decision-making sections; no published wording copied.
HEALTH_CHECK = ("shared_decisions", "recognised", "own_goals", "benefits_outweigh_costs", "work_again")
BENEFITS = ("new_audiences", "referrals", "volunteers", "funding_leveraged")

PARTNERSHIP_FEEDBACK = Table(
    "partnership_feedback",
    "Is the partnership working for each party? Each side's health check (1-5) and the benefits it received.",
    (
        Column("partner", TEXT, required=True,
               synonyms=("partner", "partner name", "partnership with", "organisation", "organization", "partnership"),
               description="the partner organisation the partnership is with (the same name on both sides' rows)"),
        Column("programme", TEXT, synonyms=("programme", "program", "project", "activity", "programme name"),
               description="the programme it is about; blank for the partnership as a whole"),
        Column("party", CHOICE, required=True, allowed=PARTIES,
               synonyms=("party", "answered by", "who answered", "respondent", "side", "respondent type",
                         "completed by"),
               description="library (the library's answers) or partner (the partner's answers)"),
        Column("answered_on", DATE, synonyms=("date", "date completed", "check date", "answered on", "review date")),
        Column("shared_decisions", SCORE, phrases=("share decisions", "shared decisions", "decisions about"),
               synonyms=("shared decisions", "decisions"), description="We share decisions about this work."),
        Column("recognised", SCORE, phrases=("contribution is recognised", "contribution is recognized",
                                             "recognised", "recognized"),
               synonyms=("recognised", "recognized", "recognition", "contribution recognised"),
               description="Our contribution is recognised."),
        Column("own_goals", SCORE, phrases=("own goals", "our goals", "reach our own"),
               synonyms=("own goals", "helps our goals", "goals"),
               description="This partnership helps us reach our own goals."),
        Column("benefits_outweigh_costs", SCORE, phrases=("outweigh", "benefits to us", "worth the cost"),
               synonyms=("benefits outweigh costs", "benefits vs costs", "worth it"),
               description="The benefits to us outweigh the costs."),
        Column("work_again", SCORE, phrases=("work together again", "partner again", "work with them again"),
               synonyms=("work again", "would work together again", "partner again"),
               description="We would work together again."),
        Column("new_audiences", BENEFIT, synonyms=("new audiences", "new audiences reached", "new people reached"),
               description="new audiences reached since the last check: a number, or yes / no"),
        Column("referrals", BENEFIT, synonyms=("referrals", "referrals received", "referrals made"),
               description="referrals received through the partnership: a number, or yes / no"),
        Column("volunteers", BENEFIT, synonyms=("volunteers", "volunteers gained", "new volunteers"),
               description="volunteers gained through the partnership: a number, or yes / no"),
        Column("funding_leveraged", BENEFIT, synonyms=("funding leveraged", "funding", "funding raised",
                                                       "money leveraged"),
               description="funding leveraged through the partnership: an amount in £, or yes / no"),
        Column("comment", TEXT, synonyms=("comment", "comments", "anything else", "notes"),
               description="free text; emails and phone numbers are removed on import"),
    ),
    sheet_words=("health check", "partnership feedback", "partnership review", "partner feedback"),
    keys=("partner", "programme", "party", "answered_on"),
)

TABLES: dict[str, Table] = {t.name: t for t in (PARTNERS, PROGRAMMES, PROGRAMME_PARTNERS, ATTENDANCE,
                                                 SURVEY_RESPONSES, POPULATION, PARTNERSHIP_FEEDBACK)}


OWN_OUTCOME = re.compile(r"^outcome_[a-z0-9]+(?:_[a-z0-9]+)*$")


def is_own_outcome(name) -> bool:
    """'outcome_learning_objectives': an outcome item of the library's own (5-point agreement)."""
    return isinstance(name, str) and bool(OWN_OUTCOME.match(name)) and name[len("outcome_"):] not in OUTCOME_DOMAINS


def is_outcome(name) -> bool:
    return name in OUTCOME_DOMAINS or is_own_outcome(name)


def own_outcome_name(question: str) -> str:
    """An own outcome item's column from its question: 'Agree learning.' -> 'outcome_agree_learning'."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(question))  # LearnedSkills -> Learned Skills
    slug_ = "_".join(re.findall(r"[a-z0-9]+", words.lower()))[:40].strip("_") or "item"
    name = f"outcome_{slug_}"
    return name if is_own_outcome(name) else f"outcome_{slug_}_own"


def outcome_columns(columns) -> list[str]:
    """The outcome items present among `columns`, canonical ones first, then custom `outcome_<name>`."""
    cols = list(columns)
    return [d for d in OUTCOME_DOMAINS if d in cols] + sorted(c for c in cols if c.startswith("outcome_"))


# --- pandera contracts: what a cleaned frame must satisfy before it may be stored ------------------

_DTYPES = {
    TEXT: "str", ID: "str", CHOICE: "str", DATE: "datetime64[us]", COUNT: "Int64", INTEGER: "Int64",
    QUINTILE: "Int64", SCORE: "Int64", MONEY: "float64", HOURS: "float64", NUMBER: "float64", BOOL: "boolean",
    BENEFIT: "str",
}


def _checks(col: Column) -> list[pa.Check]:
    import pandera.pandas as pa

    if col.allowed:
        return [pa.Check.isin(list(col.allowed), error=f"one of {', '.join(col.allowed)}")]
    if col.kind in (COUNT, MONEY, HOURS):
        return [pa.Check.ge(0, error="not negative")]
    if col.kind == SCORE:
        return [pa.Check.in_range(1, 5, error="between 1 and 5")]
    if col.kind == QUINTILE:
        return [pa.Check.in_range(1, 5, error="a quintile from 1 (most deprived) to 5")]
    if col.kind == TEXT and col.required:
        return [pa.Check.str_length(min_value=1, error="not empty")]
    return []


def stored_columns(table: str, columns):
    """(name, column) for each of `columns` that `table` stores (unknown and derived names left out)."""
    t = TABLES[table]
    for name in columns:
        try:
            col = t.column(name)
        except KeyError:
            continue
        if col.stored:
            yield name, col


def contract(table: str, columns) -> pa.DataFrameSchema:
    """The pandera schema for the cleaned frame of `table` holding `columns` (only those present)."""
    import pandera.pandas as pa

    spec = {}
    for name, col in stored_columns(table, columns):
        # attendees may be blank (not recorded); other required columns may not
        nullable = not col.required or name == "attendees"
        spec[name] = pa.Column(_DTYPES[col.kind], checks=_checks(col), nullable=nullable, coerce=False,
                               required=False)
    return pa.DataFrameSchema(spec, strict=False, name=table)


def data_dictionary() -> list[dict]:
    """Every canonical column as a row: table, column, kind, required, allowed values, description."""
    rows = []
    for t in TABLES.values():
        for c in t.columns:
            rows.append({"table": t.name, "column": c.name, "kind": c.kind, "required": c.required,
                         "stored": c.stored, "allowed": ", ".join(c.allowed), "description": c.description})
    return rows


TABLES_BY_COLUMN_ALLOWED: dict[str, tuple[str, ...]] = {
    c.name: c.allowed for t in TABLES.values() for c in t.columns if c.allowed
}
