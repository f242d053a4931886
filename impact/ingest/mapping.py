"""Which table a sheet holds and which header is which canonical column.

Headers are matched by exact name, synonym, distinctive phrase (survey tools put
whole questions in the header: "I feel more confident about what I just
learned" -> confidence) and fuzzy similarity; each canonical column is given to
the one header that matches it best.
"""
from __future__ import annotations

import difflib
import functools
import re
import threading
from dataclasses import dataclass

from impact import schema

WAVE_MARK = re.compile(
    r"^(?:(?P<p1>pre|before|post|after|follow[ -]?up)\s*[:\-–(\[]\s*|(?P<p2>before|after)\s+)(?P<rest1>.+?)[)\]]?$"
    r"|^(?P<rest2>.+?)\s*(?:[._\s]|\s[-–(\[]\s?)(?P<s>pre|post|before|after|follow[ _-]?up)[)\]]?$",
    re.IGNORECASE,
)
AGE_HEADER = re.compile(
    r"^(?:aged?\s*)?(?:under\s*\d+|over\s*\d+|\d+\s*(?:-|–|to)\s*\d+|\d+\s*\+|\d+\s*(?:and|&)\s*(?:over|older|above)"
    r"|children|adults?|teens?|young people|older people|babies|toddlers|seniors|under 5s|under fives)"
    r"(?:\s*(?:years?|yrs|y\.?o\.?))?$",
    re.IGNORECASE,
)
MONTH_NAMES = ("january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep"
               "|october|oct|november|nov|december|dec")
# one column per month: 'JANUARY', 'Jan-24', 'Apr 2023', 'Total Attendees At Physical Events - April 2023'
MONTH_COLUMN = re.compile(rf"^(?:(?P<prefix>.*?\S)\s*[-–:]\s*)?(?P<month>{MONTH_NAMES})\.?"
                          r"(?:[\s\-/'’]*(?P<year>\d{4}|\d{2}))?$", re.IGNORECASE)
MEASURE_WORDS = re.compile(r"^.*?\b(?:attendees|attendance|attended|attending|participants)\b"
                           r"(?:\s+at\s+\w+\s+events)?\s*", re.IGNORECASE)


def month_column(header: str) -> tuple[str, int, int | None] | None:
    """'Physical Attendees Adults - Jan 2024' -> ('Physical Attendees Adults', 1, 2024); 'MARCH' -> ('', 3, None)."""
    m = MONTH_COLUMN.match(str(header).strip())
    if not m:
        return None
    month = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(
        m.group("month")[:3].lower()) + 1
    year = m.group("year")
    return (m.group("prefix") or "").strip(), month, (int(year) + (2000 if len(year) == 2 else 0)) if year else None


def month_groups(headers) -> dict[str, list[tuple[str, int, int | None]]]:
    """Headers that are one column per month, by what they count (their prefix); three months or more."""
    groups: dict[str, list] = {}
    for h in headers:
        found = month_column(h)
        if found:
            groups.setdefault(found[0], []).append((h, found[1], found[2]))
    return {k: v for k, v in groups.items() if len({(m, y) for _, m, y in v}) >= 3}


def band_of(prefix: str) -> str:
    """The group a month column's prefix names after what it counts: 'Physical Attendees Adults' -> 'Adults'."""
    rest = MEASURE_WORDS.sub("", prefix).strip(" -–:")
    return rest if rest != prefix else ""


SINGLE_AGE = re.compile(r"^\d{1,3}\+?$")
DAY_HEADER = re.compile(r"^(?:day|session|week)\s*(\d{1,2})$", re.IGNORECASE)
ATTENDED_QUESTION = re.compile(r"\b(?:which|what)\b.*\b(?:did|do) you (?:attend|go to|come to|join|take part in)\b")
TOTAL_HEADER = re.compile(r"^(?:all ages|all|total|totals|grand total|sum|all people|all persons)$", re.IGNORECASE)
PERSONAL_HEADER = re.compile(
    r"^(?:(?:your|full|first|last|family|given|participant'?s?|attendee'?s?|respondent'?s?|contact|child'?s?"
    r"|parent'?s?|customer|member|learner)\s*)?(?:name|names|surname|forename|first name|last name)$"
    r"|e-?mail|phone|telephone|mobile|tel\.?$|contact number|address|street|postcode|post code|zip code|zip"
    r"|ip address|date of birth|dob|national insurance|nhs number|signature",
    re.IGNORECASE,
)


def normalise(header) -> str:
    """'  No. Attending* ' -> 'no attending'; 'session_date' -> 'session date'."""
    text = str(header).replace("\u00a0", " ").replace("’", "'")
    text = re.sub(r"\((?:optional|required|£|gbp|hrs|hours|\$|yes/no|y/n)\)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[_/]+", " ", text.lower())
    text = re.sub(r"[^a-z0-9'&+ \-]+", " ", text)
    text = text.replace("'", "")
    return " ".join(text.split())


@dataclass(frozen=True)
class Match:
    column: str
    strength: float  # 1 exact, 0.9 synonym, 0.8 phrase, fuzzy ratio below
    how: str = "name"  # name, synonym, phrase, question, fuzzy: why the header was matched
    like: str = ""  # for a fuzzy match: the name or synonym it is close to

    @property
    def similarity(self) -> float:
        """How alike the header and `like` are (0-1), for a fuzzy match."""
        return self.strength / 0.85 if self.how == "fuzzy" else 1.0


def match_header(header: str, table: schema.Table, fuzzy: bool = True) -> Match | None:
    """The best canonical column of `table` for one header, or None (fuzzy=False: no similarity matching)."""
    return _match_header(str(header), table.name, fuzzy)


@functools.lru_cache(maxsize=65_536)
def _names(table_name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((c.name, tuple(normalise(s) for s in (c.name, *c.synonyms)))
                 for c in schema.TABLES[table_name].columns)


_LOCAL = threading.local()


def _matcher(name: str) -> difflib.SequenceMatcher:
    """This thread's matcher against one canonical name: difflib indexes the second sequence once, so the
    index of each name is built once per thread, not once per header compared with it."""
    matchers = _LOCAL.__dict__.setdefault("matchers", {})
    m = matchers.get(name)
    if m is None:
        m = matchers[name] = difflib.SequenceMatcher(None, "", name)
    return m


@functools.lru_cache(maxsize=65_536)
def _match_header(header: str, table_name: str, fuzzy: bool = True) -> Match | None:
    table = schema.TABLES[table_name]
    h = normalise(header)
    if not h:
        return None
    if table.name == "survey_responses":
        m = re.match(r"^outcome\s+([a-z0-9 ]+)$", h)
        if m and m.group(1).replace(" ", "_") not in schema.OUTCOME_DOMAINS:
            return Match("outcome_" + m.group(1).strip().replace(" ", "_"), 1.0, "name")
    best: Match | None = None
    if ATTENDED_QUESTION.search(h) and any(c.name == "programme" for c in table.columns):
        best = Match("programme", 0.8, "question")  # survey tools: "Which workshop did you attend?"
    for col, names in zip(table.columns, _names(table_name)):
        if h == names[1][0]:
            return Match(col.name, 1.0)
        if h in names[1][1:]:
            cand = Match(col.name, 0.9, "synonym")
        elif len(h) > 12 and any(p in h for p in col.phrases):
            cand = Match(col.name, 0.8, "phrase")
        elif 4 <= len(h) <= 40 and not h.replace(" ", "").isdigit():  # CSV numbers are text: never a header
            ratio, like = 0.0, ""
            for s in names[1]:
                if 2 * min(len(h), len(s)) < 0.88 * (len(h) + len(s)):
                    continue  # lengths alone keep the ratio below the threshold: skip building a matcher
                m = _matcher(s)
                m.set_seq1(h)
                if m.real_quick_ratio() >= 0.88 and m.quick_ratio() >= 0.88 and m.ratio() > ratio:
                    ratio, like = m.ratio(), s
            cand = Match(col.name, round(ratio * 0.85, 3), "fuzzy", like) if ratio >= 0.88 else None
        else:
            cand = None
        if cand and (best is None or cand.strength > best.strength):
            best = cand
    return best


NAME_COLUMNS = frozenset({"name", "programme", "partner", "theme", "branch"})


def map_headers(headers: list[str], table: schema.Table, overrides: dict[str, str | None] | None = None,
                numeric: frozenset[str] = frozenset()) -> dict[str, str | None]:
    """header -> canonical column (or None when ignored); each canonical column used at most once.

    A header whose cells are numbers (`numeric`) never names a programme, partner, theme or branch:
    "Events" holding 1, 2, 3 is a count, however close the word is to "event".
    """
    overrides = overrides or {}
    result: dict[str, str | None] = {}
    taken: set[str] = set()
    for h in headers:
        if h in overrides:
            result[h] = overrides[h] or None
            if overrides[h]:
                taken.add(overrides[h])
    candidates = []
    for h in headers:
        if h in result:
            continue
        m = match_header(h, table)
        if m and not (h in numeric and m.column in NAME_COLUMNS):
            candidates.append((m.strength, -headers.index(h), h, m.column))
        result[h] = None
    for strength, _, h, column in sorted(candidates, reverse=True):
        if column in taken:
            continue
        result[h] = column
        taken.add(column)
    return result


def table_score(headers: list[str], table: schema.Table, sheet_name: str = "",
                numeric: frozenset[str] = frozenset()) -> float:
    """How well a sheet's headers fit a table: matched strength, required columns, the sheet's name."""
    mapping = map_headers(headers, table, numeric=numeric)
    strengths = {}
    for h, c in mapping.items():
        if c:
            m = match_header(h, table)
            strengths[c] = m.strength if m and m.column == c else 0.5
    score = sum(strengths.values())
    required = table.required
    # wide group or day columns are reshaped on import into the required columns they stand for
    supplied = set(reshaped_columns(headers, table.name))
    score += 1.5 * sum(1 for r in required if r in strengths or r in supplied)
    score -= 1.0 * sum(1 for r in required if r not in strengths and r not in supplied)
    if table.name == "survey_responses":
        score += 0.5 * len(schema.outcome_columns(strengths))
    if table.name == "attendance" and (any(AGE_HEADER.match(normalise(h) or "") for h in headers)
                                       or sum(1 for h in headers if DAY_HEADER.match(str(h).strip())) >= 2
                                       or month_groups(headers)):
        score += 2
    if table.name == "population" and sum(1 for h in headers if SINGLE_AGE.match(str(h).strip())) >= 5:
        score += 4
    name = sheet_name.lower()
    if any(w in name for w in table.sheet_words):
        score += 2
    return score


def reshaped_columns(headers: list[str], table_name: str) -> tuple[str, ...]:
    """Required columns that the sheet's wide layout supplies once reshaped to long form.

    Head counts per age group (Under 5, 5-11, ...) or per day (Day1, Day2, ...) become `attendees`;
    a population per single year of age (0, 1, ..., 90+) becomes `dimension`, `group`, `population`.
    """
    if table_name == "attendance":
        groups = sum(1 for h in headers if AGE_HEADER.match(normalise(h) or ""))
        days = sum(1 for h in headers if DAY_HEADER.match(str(h).strip()))
        return ("attendees",) if groups >= 2 or days >= 2 or month_groups(headers) else ()
    if table_name == "population":
        groups = sum(1 for h in headers if AGE_HEADER.match(normalise(h) or "") or SINGLE_AGE.match(str(h).strip()))
        return ("dimension", "group", "population") if groups >= 2 else ()
    return ()


def detect_table(headers: list[str], sheet_name: str = "",
                 numeric: frozenset[str] = frozenset()) -> tuple[str | None, float]:
    """The table a sheet most likely holds, and its score; None when nothing fits."""
    scored = sorted(((table_score(headers, t, sheet_name, numeric), t.name) for t in schema.TABLES.values()),
                    reverse=True)
    best_score, best = scored[0]
    return (best, best_score) if best_score >= 2.0 else (None, best_score)


def wave_split(header: str) -> tuple[str, str] | None:
    """'confidence.pre' -> ('confidence', 'pre'); 'After: I feel confident' -> ('I feel confident', 'post')."""
    m = WAVE_MARK.match(str(header).strip())
    if not m:
        return None
    marker = (m.group("p1") or m.group("p2") or m.group("s") or "").lower().replace("_", " ")
    rest = (m.group("rest1") or m.group("rest2") or "").strip()
    if not rest:
        return None
    wave = {"pre": "pre", "before": "pre", "post": "post", "after": "post"}.get(marker, "follow_up")
    return rest, wave


def is_personal_header(header: str) -> bool:
    return bool(PERSONAL_HEADER.search(normalise(header))) or bool(
        re.search(r"e-?mail|phone|address", str(header), re.IGNORECASE))
