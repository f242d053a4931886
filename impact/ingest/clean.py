"""Cleaning rules: raw spreadsheet cells -> canonical values, vectorised over a column.

Each cleaner takes a raw Series (object dtype, as read) and returns a `Cleaned`:
the clean Series and a boolean mask of cells that had a value but could not be
read, with the code, message and fix the validation report shows for them.
Missing markers (blank, "-", "n/a", "don't know", ...) become missing, never zero.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact import schema

MISSING_TOKENS = frozenset({
    "", "-", "--", "—", "–", "n/a", "na", "n.a.", "n.a", "nan", "none", "null", "nil", "#n/a", "not recorded",
    "not known", "unknown", "?", ".", "x",
})
# answers that mean "no answer" on an agreement item; never a number
NO_ANSWER_TOKENS = MISSING_TOKENS | frozenset({
    "don't know", "dont know", "do not know", "don’t know", "not sure", "not applicable", "no answer",
    "prefer not to say", "skipped", "no opinion", "dk", "does not apply", "doesn't apply",
})
# in a name or text column: a literal NA is no value, never a programme called "NA"
TEXT_MISSING = frozenset({"", "-", "--", "—", "–", "n/a", "na", "n.a.", "n.a", "#na", ".", "nan", "none", "null",
                          "#n/a"})
# negative whole numbers that statistics offices and survey tools write for 'not known', 'not asked', ...
SENTINEL_CODES = frozenset({-1, -2, -3, -4, -5, -6, -7, -8, -9, -77, -88, -98, -99, -999, -9999})


@dataclass
class Cleaned:
    values: pd.Series
    bad: pd.Series  # True where a value was present but unreadable
    code: str = ""
    message: str = ""
    fix: str = ""


def _norm(raw: pd.Series) -> pd.Series:
    """Cells as stripped text (object dtype) with NaN for None/NaN; non-breaking spaces become spaces."""
    s = raw.astype(object).where(raw.notna(), np.nan)
    text = is_text(s)
    if text.any():
        texts = s[text].astype(str)
        odd = texts.str.contains("\u00a0|\\s\\s|[\t\n\r]", regex=True)
        if odd.any():
            texts.loc[odd] = texts[odd].str.replace("\u00a0", " ", regex=False).str.replace(r"\s+", " ", regex=True)
        s.loc[text] = texts.str.strip().astype(object)
    return s


_NO_TEXT = frozenset({"integer", "floating", "mixed-integer-float", "datetime", "datetime64", "date", "boolean",
                      "empty", "decimal", "time", "timedelta"})


def is_text(s: pd.Series) -> pd.Series:
    """True where a cell holds text; lib.infer_dtype answers most columns without a Python loop."""
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind == "string":
        if s.dtype == object and pd.api.types.infer_dtype(s, skipna=False) == "string":
            return pd.Series(True, index=s.index, name=s.name)  # text in every cell: nothing missing to look for
        return s.notna().astype(bool)
    if kind in _NO_TEXT:
        return pd.Series(False, index=s.index)
    return s.map(lambda v: type(v) is str).astype(bool)


def missing_mask(raw: pd.Series, tokens=MISSING_TOKENS) -> pd.Series:
    """True where the cell means 'no value': blank, NaN, or a missing marker such as n/a or '-'."""
    mask = pd.isna(raw).astype(bool)
    text = is_text(raw)
    if text.any():
        lowered = raw[text].astype(str).str.strip().str.lower()
        mask.loc[text] = lowered.isin(tokens).values
    return mask


def _non_text_numbers(s: pd.Series, text_cells: pd.Series) -> pd.Series:
    """The cells that are already numbers, as float; text and booleans are left for the text rules."""
    if text_cells.all():
        return pd.Series(np.nan, index=s.index, dtype="float64")
    if pd.api.types.infer_dtype(s, skipna=True) in ("integer", "floating", "mixed-integer-float", "decimal"):
        return pd.to_numeric(s, errors="coerce").astype("float64")
    keep = ~text_cells & ~s.map(lambda v: isinstance(v, bool))
    return pd.to_numeric(s.where(keep, np.nan), errors="coerce").astype("float64")


# --- text and ids ---------------------------------------------------------------------------------

def _clean_strings(raw: pd.Series) -> Cleaned:
    """clean_text for a column holding only text (the usual case), with pyarrow string kernels."""
    st = raw.astype("str")
    odd = st.str.contains("\u00a0|\\s\\s|[\t\n\r]", regex=True).fillna(False).astype(bool)
    if odd.any():
        st = st.where(~odd, st.str.replace("\u00a0", " ", regex=False).str.replace(r"\s+", " ", regex=True))
    st = st.str.strip()
    short = (st.str.len() <= 4).fillna(False).astype(bool)  # every missing marker is short
    miss = st.isna().astype(bool)
    if short.any():
        miss |= (short & st.where(short).str.lower().isin(TEXT_MISSING)).fillna(False).astype(bool)
    return Cleaned(st.where(~miss), pd.Series(False, index=raw.index))


def clean_text(raw: pd.Series) -> Cleaned:
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        return _clean_strings(raw)
    s = _norm(raw)
    miss = missing_mask(s, TEXT_MISSING)
    out = s.copy()
    other = ~is_text(s) & ~miss
    if other.any():
        out.loc[other] = s[other].map(_as_text)
    return Cleaned(out.where(~miss, np.nan).astype("str").where(~miss, np.nan), pd.Series(False, index=raw.index))


def _as_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date().isoformat() if v == pd.Timestamp(v).normalize() else str(v)
    if isinstance(v, bool):
        return "Yes" if v else "No"
    return str(v)


def clean_id(raw: pd.Series) -> Cleaned:
    return clean_text(raw)


def slug(name: str) -> str:
    """A stable id from a name: 'Age UK Westfield' -> 'age-uk-westfield'."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-") or "unnamed"


# --- numbers --------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:gbp|usd|eur|£|\$|€)\s*|\s*(?:gbp|usd|eur|£|\$|€)$|(?<=\d)[\s,](?=\d{3}\b)")
_UNIT = re.compile(r"^(-?[\d.]+)\s*(hours|hour|hrs|hr|h|minutes|minute|mins|min|m|people|persons|pp|%)?\.?$")


def _number_text(v, kind: str):
    """One text cell as a float, or None when it is not a number."""
    t = v.strip().lower().replace("£", "£ ").strip()
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1].strip()
    t = t.replace("£ ", "£")
    previous = None
    while previous != t:
        previous, t = t, _CURRENCY.sub("", t).strip()
    t = t.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", t) else t
    m = _UNIT.match(t)
    if not m:
        return None
    try:
        number = float(m.group(1))
    except ValueError:
        return None
    unit = m.group(2) or ""
    if kind == schema.HOURS and unit in ("minutes", "minute", "mins", "min", "m"):
        number /= 60
    return -number if negative else number


def clean_number(raw: pd.Series, kind: str = schema.NUMBER) -> Cleaned:
    """Numbers as float64: numbers stored as text, '£1,200.00', '3.5 hrs', '90 mins' (hours), '(200)'."""
    s = _norm(raw)
    miss = missing_mask(s)
    text_cells = is_text(s)
    numeric = _non_text_numbers(s, text_cells)
    text = text_cells & ~miss
    if text.any():
        numeric.loc[text] = s[text].map(lambda v: _number_text(v, kind)).astype(float)
    numeric = numeric.astype("float64")
    numeric = numeric.where(np.isfinite(numeric))  # '999…9' (400 digits) overflows to inf: not a number
    bad = numeric.isna() & ~miss
    what = {schema.MONEY: "an amount of money", schema.HOURS: "a number of hours"}.get(kind, "a number")
    return Cleaned(numeric.where(~miss, np.nan), bad, "not-a-number", f"expected {what}",
                   f"type {what} (e.g. {'1200.50' if kind == schema.MONEY else '3.5'}) or leave it blank")


def sentinel_codes(raw: pd.Series) -> tuple[int, ...]:
    """The missing-value codes of a numeric column: every negative value (two or more of them) is one of a
    few (at most four) whole numbers from the usual code list (-1, -3, -9, -99, ...). Empty when none."""
    numbers = clean_number(raw).values
    negative = numbers[numbers < 0]
    if len(negative) < 2 or (negative != np.floor(negative)).any():
        return ()  # one negative cell is a slip to check, not a code
    distinct = {int(v) for v in negative.unique()}
    if len(distinct) > 4 or not distinct <= SENTINEL_CODES:
        return ()
    return tuple(sorted(distinct, reverse=True))


def code_cells(raw: pd.Series, codes: tuple[int, ...]) -> pd.Series:
    """True where a cell holds one of `codes`."""
    return clean_number(raw).values.isin([float(c) for c in codes]).astype(bool)


def clean_count(raw: pd.Series, kind: str = schema.COUNT) -> Cleaned:
    """Whole numbers as Int64; 12.0 is 12, 12.5 is an error; blank stays missing (not recorded)."""
    c = clean_number(raw, kind)
    fractional = c.values.notna() & (c.values != np.floor(c.values.fillna(0)))
    beyond = c.values.abs() >= 2 ** 53  # past what a float holds exactly: no count of people is this big
    bad = c.bad | fractional | beyond
    values = c.values.where(~bad).round().astype("Int64")
    return Cleaned(values, bad, "not-a-whole-number", "expected a whole number of people or sessions",
                   "type a whole number such as 12, or leave it blank if it was not recorded")


# --- agreement scores -----------------------------------------------------------------------------

AGREEMENT = {
    "strongly agree": 5, "agree strongly": 5, "completely agree": 5, "totally agree": 5, "very much agree": 5,
    "strongly agreed": 5, "definitely": 5,
    "agree": 4, "somewhat agree": 4, "mostly agree": 4, "slightly agree": 4, "tend to agree": 4, "agreed": 4,
    "neither agree nor disagree": 3, "neither agree or disagree": 3, "neither": 3, "neutral": 3,
    "undecided": 3, "neither agree disagree": 3, "no strong feelings": 3, "unsure": 3,
    "disagree": 2, "somewhat disagree": 2, "slightly disagree": 2, "mostly disagree": 2, "tend to disagree": 2,
    "disagreed": 2,
    "strongly disagree": 1, "disagree strongly": 1, "completely disagree": 1, "totally disagree": 1,
    "strongly disagreed": 1,
}
_LEADING_SCORE = re.compile(r"^\(?([0-9])\)?\s*(?:[-=:.)]|$)|\(([0-9])\)$")


def _score_text(v: str):
    t = v.strip().lower().replace("’", "'")
    m = _LEADING_SCORE.search(t)
    if m:
        return float(m.group(1) or m.group(2))
    t = re.sub(r"[^a-z' ]+", " ", t)
    t = " ".join(t.split())
    if t in AGREEMENT:
        return float(AGREEMENT[t])
    return None


def clean_score(raw: pd.Series) -> Cleaned:
    """Agreement answers -> 5..1: 'Strongly agree' 5 ... 'Strongly disagree' 1, '4 - Agree' 4.

    N/A, don't know, blank -> missing, never a number. Numbers outside 1-5 are errors.
    """
    s = _norm(raw)
    miss = missing_mask(s, NO_ANSWER_TOKENS)
    text_cells = is_text(s)
    numeric = _non_text_numbers(s, text_cells)
    text = text_cells & ~miss
    if text.any():
        numeric.loc[text] = s[text].map(_score_text).astype(float)
    numeric = numeric.astype("float64")
    bad = (numeric.isna() | ~numeric.isin([1, 2, 3, 4, 5])) & ~miss
    values = numeric.where(~bad & ~miss).astype("Int64")
    return Cleaned(values, bad, "unknown-answer",
                   "expected an answer on the 5-point agreement scale",
                   "use 1-5 or Strongly disagree / Disagree / Neither agree nor disagree / Agree / Strongly agree; "
                   "leave N/A or don't know as they are (they count as no answer)")


# --- choices, booleans, quintiles -----------------------------------------------------------------

CHOICES = {
    "partnership_type": {
        "library": "library", "libraries": "library", "library field": "library", "library sector": "library",
        "library body": "library", "library partner": "library", "other library": "library", "lib": "library",
        "community": "community", "community group": "community", "community groups": "community",
        "community organisation": "community", "community organization": "community", "voluntary": "community",
        "grassroots": "community", "local group": "community", "communities": "community",
        "stakeholder": "stakeholder", "external": "stakeholder", "external stakeholder": "stakeholder",
        "stakeholders": "stakeholder", "external partner": "stakeholder", "institutional": "stakeholder",
    },
    "role": {
        "lead": "lead", "lead partner": "lead", "leader": "lead", "co-delivery": "co-delivery",
        "co delivery": "co-delivery", "codelivery": "co-delivery", "co-deliver": "co-delivery",
        "delivery": "co-delivery", "delivery partner": "co-delivery", "co-delivered": "co-delivery",
        "referral": "referral", "referrals": "referral", "referrer": "referral", "signposting": "referral",
        "venue": "venue", "host": "venue", "space": "venue", "venue provider": "venue",
        "funder": "funder", "funding": "funder", "sponsor": "funder", "other": "other",
    },
    "wave": {
        "pre": "pre", "before": "pre", "baseline": "pre", "pre-session": "pre", "pre session": "pre",
        "pre-course": "pre", "start": "pre", "pre-test": "pre", "pretest": "pre",
        "i am taking it before the event": "pre",
        "post": "post", "after": "post", "immediate": "post", "end": "post", "post-session": "post",
        "post session": "post", "post-course": "post", "exit": "post", "post-test": "post", "posttest": "post",
        "follow_up": "follow_up", "follow-up": "follow_up", "follow up": "follow_up", "followup": "follow_up",
        "later": "follow_up", "3 months": "follow_up", "six months": "follow_up",
    },
}


def clean_choice(raw: pd.Series, column: str) -> Cleaned:
    s = _norm(raw)
    miss = missing_mask(s, TEXT_MISSING)
    lookup = CHOICES.get(column, {})
    allowed = schema.TABLES_BY_COLUMN_ALLOWED.get(column, ())

    def one(v):
        t = " ".join(re.sub(r"[^a-z0-9_\- ]+", " ", str(v).lower()).split())
        if t in lookup:
            return lookup[t]
        if t in allowed:
            return t
        for key, value in lookup.items():  # 'Community (local groups)', 'Survey Type: Immediate'
            if len(key) > 3 and re.search(rf"\b{re.escape(key)}\b", t):
                return value
        return None

    values = s.where(~miss).map(lambda v: one(v) if isinstance(v, str) else None)
    bad = values.isna() & ~miss
    values = values.where(values.notna(), np.nan).astype("str").where(values.notna(), np.nan)
    return Cleaned(values, bad, "invalid-choice", f"{column} must be one of {', '.join(allowed)}",
                   f"choose one of: {', '.join(allowed)}")


def closest_choice(value: str, column: str) -> str | None:
    """The allowed value a typo stands for: 'comunity' -> 'community'; None when nothing is close."""
    import difflib

    lookup = CHOICES.get(column, {})
    allowed = schema.TABLES_BY_COLUMN_ALLOWED.get(column, ())
    words = {**{a: a for a in allowed}, **lookup}
    t = " ".join(re.sub(r"[^a-z0-9_\- ]+", " ", str(value).lower()).split())
    close = difflib.get_close_matches(t, list(words), n=1, cutoff=0.75)
    return words[close[0]] if close else None


TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "✓", "✔", "ticked", "done", "t", "1.0"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "f", "not", "0.0"})


def clean_bool(raw: pd.Series) -> Cleaned:
    s = _norm(raw)
    miss = pd.isna(s) | s.map(lambda v: isinstance(v, str) and v.strip().lower() in TEXT_MISSING - {"x"})

    def one(v):
        if isinstance(v, bool):
            return v
        t = str(v).strip().lower()
        if t in TRUE_WORDS:
            return True
        if t in FALSE_WORDS:
            return False
        return None

    values = s.where(~miss).map(lambda v: one(v) if not pd.isna(v) else None)
    bad = values.isna() & ~miss
    return Cleaned(values.astype("boolean"), bad, "not-yes-or-no", "expected yes or no", "type Yes or No")


def clean_benefit(raw: pd.Series) -> Cleaned:
    """A benefit received: a count or an amount ('12', '£2,000') kept as its number in text, or yes / no."""
    s = _norm(raw)
    miss = missing_mask(s)

    def one(v):
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, (int, float, np.number)):
            return f"{float(v):g}" if float(v) >= 0 else None
        t = str(v).strip().lower()
        if t in TRUE_WORDS - {"1", "1.0"}:
            return "yes"
        if t in FALSE_WORDS - {"0", "0.0"}:
            return "no"
        number = _number_text(t, schema.MONEY)
        return f"{number:g}" if number is not None and number >= 0 else None

    values = s.where(~miss).map(lambda v: one(v) if not pd.isna(v) else None)
    bad = values.isna() & ~miss
    return Cleaned(values.astype("str").where(values.notna(), np.nan), bad, "not-a-count-or-yes-no",
                   "expected a number or yes / no", "type how many (or the amount in £), or Yes or No")


def clean_quintile(raw: pd.Series) -> Cleaned:
    """Deprivation quintile 1 (most deprived) ... 5 (least): 1, 'Q1', '1 - most deprived', 'Most deprived'."""
    if pd.api.types.infer_dtype(raw, skipna=True) in ("integer", "floating", "mixed-integer-float"):
        numeric = pd.to_numeric(raw, errors="coerce").astype("float64")
        miss = numeric.isna()
        bad = ~numeric.isin([1, 2, 3, 4, 5]) & ~miss
        return Cleaned(numeric.where(~bad).astype("Int64"), bad, "invalid-quintile",
                       "expected a deprivation quintile from 1 (most deprived) to 5 (least deprived)",
                       "type 1, 2, 3, 4 or 5")
    s = _norm(raw)
    miss = missing_mask(s)

    def one(v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        t = str(v).strip().lower()
        if "most deprived" in t and not re.search(r"\d", t):
            return 1.0
        if "least deprived" in t and not re.search(r"\d", t):
            return 5.0
        m = re.match(r"^(?:q|quintile)?\s*([0-9]+(?:\.0)?)\b", t)
        return float(m.group(1)) if m else None

    numeric = s.where(~miss).map(lambda v: one(v) if not pd.isna(v) else None).astype(float)
    bad = (numeric.isna() | ~numeric.isin([1, 2, 3, 4, 5])) & ~miss
    return Cleaned(numeric.where(~bad).astype("Int64"), bad, "invalid-quintile",
                   "expected a deprivation quintile from 1 (most deprived) to 5 (least deprived)",
                   "type 1, 2, 3, 4 or 5")


# --- dates and periods ----------------------------------------------------------------------------

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# a clock time at the end, with its zone as survey tools write it: '10:15:22 AM GMT+1' (Google Forms), '+01:00', 'UTC'
_TIME_PART = re.compile(r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm)?"
                        r"(?:z|\s*(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?|\s*(?:gmt|utc|bst|[ecmp][sd]t))?)$")
_ORDINAL = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")
_WEEKDAY = re.compile(r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|urday)?\b\.?")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_TEXT_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d %B %y", "%d %b %y", "%b %d %y", "%B %d %y")
_ISO_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d")


def _date_text(v: str) -> str:
    t = v.strip().lower()
    t = _TIME_PART.sub("", t).strip()
    t = _WEEKDAY.sub(" ", t)
    t = _ORDINAL.sub(r"\1", t)
    t = t.replace(",", " ").replace(" of ", " ").replace("sept ", "sep ")
    return " ".join(t.split())


def _date_texts(texts: pd.Series) -> pd.Series:
    """_date_text over a column, vectorised."""
    t = texts.str.strip().str.lower()
    t = t.str.replace(_TIME_PART, "", regex=True).str.strip()
    t = t.str.replace(_WEEKDAY, " ", regex=True)
    t = t.str.replace(_ORDINAL, r"\1", regex=True)
    t = t.str.replace(",", " ", regex=False).str.replace(" of ", " ", regex=False).str.replace("sept ", "sep ", regex=False)
    return t.str.replace(r"\s+", " ", regex=True).str.strip()


def day_first_for(texts: pd.Series, setting: bool) -> bool:
    """Whether numeric dates like 03/04/2025 in this column are day-first.

    A column that holds 25/12/2025 must be day-first, one that holds 12/25/2025
    month-first; only when every value is ambiguous does the setting decide.
    """
    parts = texts.str.extract(_NUMERIC_DATE.pattern).dropna()
    if parts.empty:
        return setting
    first, second = parts[0].astype(int), parts[1].astype(int)
    if (first > 12).any() and not (second > 12).any():
        return True
    if (second > 12).any() and not (first > 12).any():
        return False
    return setting


def ambiguous_example(raw: pd.Series):
    """(text, read day first, read month first) when every numeric date of the column could be read both
    ways (day and month both 12 or less) and at least one reads differently; else None."""
    texts = raw[is_text(raw)].drop_duplicates().astype(str).str.strip()
    if texts.empty:
        return None
    texts = _date_texts(texts)
    parts = texts.str.extract(_NUMERIC_DATE.pattern).dropna()
    if parts.empty:
        return None
    first, second = parts[0].astype(int), parts[1].astype(int)
    if (first > 12).any() or (second > 12).any():
        return None  # the column says which way it reads
    differs = (first != second) & (first >= 1) & (second >= 1)
    if not differs.any():
        return None
    i = differs[differs].index[0]
    year = int(parts.at[i, 2])
    year = year + 2000 if year < 100 else year
    a, b = int(first[i]), int(second[i])
    try:
        return raw[i], pd.Timestamp(year, b, a), pd.Timestamp(year, a, b)
    except ValueError:
        return None


def no_such_day(value, dayfirst: bool = True) -> str | None:
    """'31/02/2025' -> "there is no 31 February 2025 (February has 28 days)"; None for anything else."""
    if not isinstance(value, str):
        return None
    m = _NUMERIC_DATE.match(_date_text(value)) or re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value.strip())
    if not m:
        return None
    if len(m.group(1)) == 4:  # ISO: year-month-day
        orders = [(int(m.group(3)), int(m.group(2)), int(m.group(1)))]
    else:
        year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
        a, b = int(m.group(1)), int(m.group(2))
        orders = [(a, b, year), (b, a, year)] if dayfirst else [(b, a, year), (a, b, year)]
    for day, month, year in orders:
        if 1 <= month <= 12 and 1 <= day <= 31:
            days = pd.Period(year=year, month=month, freq="M").days_in_month
            if day > days:
                name = pd.Timestamp(year, month, 1).strftime("%B")
                return f"there is no {day} {name} {year}: {name} {year} has {days} days"
            return None
    return None


def clean_date(raw: pd.Series, dayfirst: bool = True) -> Cleaned:
    """Dates as datetime64: Excel serials, ISO text, UK day-first text (US with dayfirst=False),
    '3rd April 2025', 'Thursday, 3 April 2025 10:00', datetime cells. Times are dropped."""
    index = raw.index  # may repeat a row (reshaped sheets): work by position, give the index back at the end
    s = _norm(raw.reset_index(drop=True))
    miss = missing_mask(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    present = s[~miss]
    types = present.map(type)
    is_dt = types.map(lambda t: issubclass(t, (dt.date, pd.Timestamp))).astype(bool)
    if is_dt.any():
        try:
            parsed = pd.to_datetime(present[is_dt].tolist(), errors="coerce")
        except (TypeError, ValueError):  # mixed time zones: make each naive first
            parsed = pd.to_datetime([pd.Timestamp(v).tz_localize(None) if getattr(v, "tzinfo", None) else v
                                     for v in present[is_dt]], errors="coerce")
        if getattr(parsed, "tz", None) is not None:
            parsed = parsed.tz_localize(None)
        out.loc[is_dt[is_dt].index] = pd.Series(parsed, index=is_dt[is_dt].index).dt.normalize().astype("datetime64[us]")
    is_num = types.map(lambda t: issubclass(t, (int, float, np.integer, np.floating)) and t is not bool).astype(bool)
    if is_num.any():
        serial = pd.to_numeric(present[is_num], errors="coerce")
        serial = serial.where((serial >= 1) & (serial < 2958466))
        out.loc[serial.index] = (_EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")).astype("datetime64[us]")
    is_txt = is_text(present)
    if is_txt.any():
        text = _date_texts(present[is_txt].astype(str))
        serial_text = text.str.fullmatch(r"\d{5}(\.\d+)?")
        if serial_text.any():
            serial = text[serial_text].astype(float)
            out.loc[serial.index] = (_EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")).astype("datetime64[us]")
        remaining = text[~serial_text]
        first = day_first_for(remaining, dayfirst)
        numeric_formats = (("%d/%m/%Y", "%d/%m/%y") if first else ("%m/%d/%Y", "%m/%d/%y"))
        slashed = remaining.str.replace(r"^(\d{1,2})[.\-](\d{1,2})[.\-](\d{2,4})$", r"\1/\2/\3", regex=True)
        for fmt in _ISO_FORMATS + numeric_formats + _TEXT_FORMATS + ("%Y-%m-%d %H:%M:%S",):
            todo = out.loc[slashed.index].isna()
            if not todo.any():
                break
            parsed = pd.to_datetime(slashed[todo], format=fmt, errors="coerce")
            ok = parsed.notna()
            if ok.any():
                out.loc[parsed[ok].index] = parsed[ok].astype("datetime64[us]")
    bad = (out.isna() & ~miss).set_axis(index)
    return Cleaned(out.set_axis(index), bad, "unparsable-date", "this is not a date the importer can read",
                   "type the date as 2025-04-03, 03/04/2025 or 3 April 2025")


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def _period_one(v) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if isinstance(v, (dt.date, pd.Timestamp)):
        start = pd.Timestamp(v).normalize()
        return start, start
    t = str(v).strip().lower()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*/\s*p(\d+)([ymwd])", t)
    if m:
        start = pd.Timestamp(m.group(1))
        n, unit = int(m.group(2)), m.group(3)
        offset = {"y": pd.DateOffset(years=n), "m": pd.DateOffset(months=n), "w": pd.DateOffset(weeks=n),
                  "d": pd.DateOffset(days=n)}[unit]
        return start, start + offset - pd.Timedelta(days=1)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*/\s*(\d{4}-\d{2}-\d{2})", t)
    if m:
        return pd.Timestamp(m.group(1)), pd.Timestamp(m.group(2))
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        start = pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)
        return start, start + pd.offsets.MonthEnd(0)
    m = re.fullmatch(r"([a-z]{3})[a-z]*\.?\s+(\d{4})", t)
    if m and m.group(1) in _MONTHS:
        start = pd.Timestamp(int(m.group(2)), _MONTHS[m.group(1)], 1)
        return start, start + pd.offsets.MonthEnd(0)
    m = re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", t)
    if m:
        year = int(m.group(1) or m.group(4))
        q = int(m.group(2) or m.group(3))
        start = pd.Timestamp(year, 3 * q - 2, 1)
        return start, start + pd.offsets.QuarterEnd(0)
    m = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", t)  # financial year 2023/24 (April to March)
    if m and (int(m.group(2)) % 100) == (int(m.group(1)) + 1) % 100:
        year = int(m.group(1))
        return pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)
    m = re.fullmatch(r"(\d{4})", t)
    if m:
        return pd.Timestamp(int(t), 1, 1), pd.Timestamp(int(t), 12, 31)
    return None


def clean_period(raw: pd.Series) -> tuple[pd.Series, pd.Series, Cleaned]:
    """Periods -> (start, end): '2023-04-01/P3M', '2023-04-01/2023-06-30', '2024-05', 'May 2024',
    '2024 Q2', '2023/24' (financial year, April-March), '2024'."""
    s = _norm(raw)
    miss = missing_mask(s)
    parsed = s.where(~miss).map(lambda v: _period_one(v) if not pd.isna(v) else None)
    start = pd.to_datetime(parsed.map(lambda p: p[0] if p else pd.NaT)).astype("datetime64[us]")
    end = pd.to_datetime(parsed.map(lambda p: p[1] if p else pd.NaT)).astype("datetime64[us]")
    bad = parsed.isna() & ~miss
    return start, end, Cleaned(start, bad, "unparsable-period", "this is not a period the importer can read",
                               "use 2024-05 for a month, 2024 Q2 for a quarter, 2023/24 for a financial year, "
                               "or an ISO interval such as 2023-04-01/P3M")


def clean_integer(raw: pd.Series) -> Cleaned:
    c = clean_count(raw, schema.NUMBER)
    c.code, c.message, c.fix = "not-a-whole-number", "expected a whole number", "type a whole number"
    return c


def clean_month(raw: pd.Series) -> Cleaned:
    """Months as 1-12: 5, '05', 'May', 'may 2024' (the month part)."""
    s = _norm(raw)
    miss = missing_mask(s)

    def one(v):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, (dt.date, pd.Timestamp)):
            return float(pd.Timestamp(v).month)
        t = str(v).strip().lower()
        if t.isascii() and t.isdigit():  # not '²', which isdigit() also accepts
            return float(t)
        return float(_MONTHS[t[:3]]) if t[:3] in _MONTHS else None

    numeric = s.where(~miss).map(lambda v: one(v) if not pd.isna(v) else None).astype(float)
    bad = (numeric.isna() | ~numeric.isin(range(1, 13))) & ~miss
    return Cleaned(numeric.where(~bad).astype("Int64"), bad, "invalid-month", "expected a month",
                   "type the month as 1-12 or its name, e.g. May")


def clean_column(raw: pd.Series, column: schema.Column, dayfirst: bool = True) -> Cleaned:
    """Dispatch on the column's kind; a long column of repeated values is cleaned once per distinct value.

    Every rule reads one cell at a time, and the one column-wide choice (day-first dates) depends only
    on which values occur, so cleaning the distinct values and spreading them back gives the same answer.
    """
    if len(raw) >= 2_000:
        try:
            codes, uniques = pd.factorize(raw.astype(object), use_na_sentinel=True)
        except TypeError:  # unhashable cells: clean them one by one
            codes = None
        if codes is not None and len(uniques) <= len(raw) // 4:
            distinct = pd.Series(list(uniques) + [None], dtype=object)
            cleaned = _clean_by_kind(distinct, column, dayfirst)
            codes = np.where(codes < 0, len(uniques), codes)
            values = cleaned.values.iloc[codes]
            values.index = raw.index
            bad = pd.Series(cleaned.bad.to_numpy()[codes], index=raw.index)
            return Cleaned(values, bad, cleaned.code, cleaned.message, cleaned.fix)
    return _clean_by_kind(raw, column, dayfirst)


def _clean_by_kind(raw: pd.Series, column: schema.Column, dayfirst: bool) -> Cleaned:
    kind = column.kind
    if column.name == "month":
        return clean_month(raw)
    if kind == schema.DATE:
        return clean_date(raw, dayfirst)
    if kind in (schema.COUNT,):
        return clean_count(raw)
    if kind == schema.INTEGER:
        return clean_integer(raw)
    if kind in (schema.MONEY, schema.HOURS, schema.NUMBER):
        return clean_number(raw, kind)
    if kind == schema.SCORE:
        return clean_score(raw)
    if kind == schema.CHOICE:
        return clean_choice(raw, column.name)
    if kind == schema.BOOL:
        return clean_bool(raw)
    if kind == schema.BENEFIT:
        return clean_benefit(raw)
    if kind == schema.QUINTILE:
        return clean_quintile(raw)
    if kind == schema.ID:
        return clean_id(raw)
    return clean_text(raw)
