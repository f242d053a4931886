"""The codebook: what a comment can be coded as, in the product's own words, with the phrases that suggest it.

It starts with the Generic Learning Outcomes (Arts Council England's framework for libraries, museums and
archives: knowledge and understanding; skills; attitudes and values; enjoyment, inspiration and creativity;
activity, behaviour and progression), the survey's outcome items that the GLOs do not already cover
(confidence, awareness of the library, using the library more) and two kinds of feedback ("suggestion /
improvement", "barrier / complaint"). Staff edit it on the Comments page or as a sheet (`to_sheet` /
`from_sheet`); it lives in the database (impact/comments/store.py).

Phrases are lower-case words or word sequences matched on word boundaries; a trailing `*` matches any ending
("learn*" matches learned, learning).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pandas as pd

from impact import schema

GLO, OUTCOME, FEEDBACK, THEME = "Generic Learning Outcome", "survey outcome", "feedback", "theme"
KINDS = (GLO, OUTCOME, FEEDBACK, THEME)
SUGGESTION, BARRIER = "suggestion", "barrier"
SHEET = "Codebook"
COLUMNS = ("code", "label", "kind", "outcome", "description", "phrases")  # the sheet's headers, in order


@dataclass(frozen=True)
class Code:
    """One code: `outcome` is the survey item its counts are shown beside (blank: none)."""

    code: str
    label: str
    kind: str
    description: str
    phrases: tuple[str, ...]
    outcome: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "kind": self.kind, "outcome": self.outcome,
                "description": self.description, "phrases": list(self.phrases)}


@dataclass(frozen=True)
class Problem:
    """Something wrong in an imported codebook sheet: its spreadsheet row (1-based), column, value and fix."""

    row: int | None
    column: str | None
    value: str
    code: str
    message: str
    fix: str

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "code": self.code,
                "message": self.message, "fix": self.fix}


DEFAULT: tuple[Code, ...] = (
    Code("knowledge", "Knowledge and understanding", GLO,
         "Learning facts or information, making sense of something, deepening understanding "
         "(survey: \"I learned something new that is helpful\").",
         ("learn*", "understand*", "found out", "find out", "discover*", "know more", "now know", "knowledge",
          "information", "explained", "new things", "something new", "facts", "history", "records", "spot scam*",
          "aware of how", "makes sense", "idea about"), outcome="knowledge"),
    Code("skills", "Skills", GLO,
         "Knowing how to do something: digital, reading, practical, social or job skills.",
         ("how to", "skill*", "practis*", "practic*", "can now", "able to", "set up", "setting up", "use apps",
          "use my", "video call", "email", "cv", "interview*", "read more", "reading", "speaking", "writing",
          "homework", "coding", "typing", "online form*", "spot scam*"), outcome="knowledge"),
    Code("attitudes", "Attitudes and values", GLO,
         "Feelings and opinions about ourselves and others: self-esteem, empathy, feeling welcome, "
         "less alone, more positive.",
         ("less alone", "lonely", "welcom*", "belong*", "included", "listened to", "not judged", "respect*",
          "self-esteem", "proud", "valued", "positive", "calm", "safe", "relax*", "patient", "friendly")),
    Code("enjoyment", "Enjoyment, inspiration and creativity", GLO,
         "Having fun, being surprised or inspired, trying something creative (survey: satisfaction).",
         ("enjoy*", "fun", "love*", "loved", "lovely", "inspir*", "creativ*", "great time", "brilliant",
          "amazing", "fantastic", "wonderful", "exciting", "excited", "loves the songs", "songs", "rhymes",
          "art", "craft*", "imagination"), outcome="satisfaction"),
    Code("activity", "Activity, behaviour and progression", GLO,
         "What people do, or mean to do, differently: a next step, a job, a course, a new habit "
         "(survey: \"I intend to apply / have applied what I learned\").",
         ("now i", "i will", "i'll", "going to", "plan to", "started", "applied for", "apply for", "got a job",
          "new job", "interview", "signed up", "enrol*", "every week now", "next step", "use it", "put into practice",
          "at home", "keep going", "carry on", "to volunteer", "volunteering", "volunteer role", "business"),
         outcome="application"),
    Code("confidence", "Feeling more confident", OUTCOME,
         "More confident about what they learned or about themselves "
         "(survey: \"I feel more confident about what I just learned\").",
         ("confident", "confidence", "less nervous", "less scared", "not afraid", "no longer afraid",
          "own pace", "not worried", "less anxious", "believe in myself", "finally understand"),
         outcome="confidence"),
    Code("awareness", "Aware of what the library offers", OUTCOME,
         "Finding out about the library's resources and services "
         "(survey: \"I am more aware of resources and services provided by the library\").",
         ("didn't know the library", "did not know the library", "never knew", "library offers", "library has",
          "library does", "what is going on", "what's on", "services", "resources", "e-books", "ebooks",
          "free wifi", "borrow", "library card"), outcome="awareness"),
    Code("library_use", "Using the library more", OUTCOME,
         "Coming back, borrowing, joining or using other services "
         "(survey: \"I am more likely to use other library resources and services\").",
         ("come back", "coming back", "come again", "borrow books", "every week now", "joined the library",
          "library card", "use the library", "visit more", "keep coming", "returning"), outcome="library_use"),
    Code(SUGGESTION, "Suggestion / improvement", FEEDBACK,
         "An idea for doing it better or offering more: times, length, format, publicity.",
         ("more sessions", "more of", "longer", "shorter", "evening*", "weekend*", "saturday*", "would be good",
          "would be nice", "would like", "could you", "could have", "should", "please", "suggest*", "would be better",
          "be better if", "better if", "i wish", "wish there",
          "more computers", "smaller groups", "advertis*", "promot*", "more time", "another session",
          "follow-up", "next time")),
    Code(BARRIER, "Barrier / complaint", FEEDBACK,
         "Something that got in the way or went wrong: access, cost, timing, the room, staff, transport.",
         ("too warm", "too hot", "too cold", "freezing", "too short", "too far", "too long", "slow",
          "too noisy", "noisy", "crowded", "too busy", "was full", "fully booked",
          "couldn't get", "could not get in", "couldn't find", "can't get", "cannot get", "hard to", "difficult",
          "no parking", "parking", "bus", "buses", "bus stop", "transport",
          "stairs", "wheelchair", "access*", "cancelled", "late", "rushed", "waiting", "wait*", "expensive",
          "costs too much", "confusing", "didn't work", "did not work", "broken", "rude", "disappoint*", "unhelpful",
          "not enough", "hearing", "couldn't hear", "no one")),
)


def default_codebook() -> tuple[Code, ...]:
    return DEFAULT


def pattern(phrases) -> re.Pattern | None:
    """Phrases -> one case-insensitive pattern on word boundaries; "learn*" matches any ending."""
    parts = []
    for p in phrases:
        p = " ".join(str(p).strip().casefold().split())
        if not p:
            continue
        stem = p.endswith("*")
        words = re.escape(p.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(words + (r"[\w'-]*" if stem else r"(?![\w])"))
    if not parts:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")", re.IGNORECASE)


def to_frame(codebook) -> pd.DataFrame:
    """Codebook -> the table staff see and edit: one row per code, phrases separated by "; "."""
    return pd.DataFrame([{"code": c.code, "label": c.label, "kind": c.kind, "outcome": c.outcome,
                          "description": c.description, "phrases": "; ".join(c.phrases)} for c in codebook],
                        columns=list(COLUMNS))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).casefold()).strip("_")


def from_frame(frame: pd.DataFrame, first_row: int = 2) -> tuple[tuple[Code, ...], tuple[Problem, ...]]:
    """The edited table (or a sheet read back) -> (codebook, problems). Rows with problems are left out and named.

    `first_row` is the spreadsheet row of the frame's first row (2 under a header on row 1)."""
    problems: list[Problem] = []
    cols = {str(c).strip().casefold(): c for c in frame.columns}
    missing = [c for c in ("label", "phrases") if c not in cols]
    if missing:
        return (), tuple(Problem(None, c, "", "missing-column", f"the codebook has no {c!r} column",
                                 f"add a column headed {c!r} (headers: {', '.join(COLUMNS)})") for c in missing)
    codes: list[Code] = []
    seen: dict[str, int] = {}
    outcomes = set(schema.OUTCOME_DOMAINS)

    def cell(row, name) -> str:
        if name not in cols:
            return ""
        v = row[cols[name]]
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) or pd.isna(v) else str(v).strip()

    for i, (_, row) in enumerate(frame.iterrows()):  # a codebook has tens of rows, not thousands
        at = first_row + i
        label = cell(row, "label")
        code = _slug(cell(row, "code") or label)
        phrases = tuple(dict.fromkeys(p.strip().casefold() for p in re.split(r"[;\n]", cell(row, "phrases"))
                                      if p.strip()))
        if not label and not code and not phrases:
            continue  # a blank row
        if not label:
            problems.append(Problem(at, "label", "", "missing-label", "a code needs a label staff will read",
                                    "type a short label, e.g. 'New skills'"))
            continue
        if code in seen:
            problems.append(Problem(at, "code", code, "duplicate-code",
                                    f"the code {code!r} is already on row {seen[code]}",
                                    "give each code its own name, or merge the two rows"))
            continue
        kind = cell(row, "kind") or THEME
        if kind not in KINDS:
            problems.append(Problem(at, "kind", kind, "unknown-kind", f"kind must be one of {', '.join(KINDS)}",
                                    f"use '{THEME}' for a theme of your own"))
            continue
        outcome = cell(row, "outcome")
        if outcome and outcome not in outcomes and not outcome.startswith("outcome_"):
            problems.append(Problem(at, "outcome", outcome, "unknown-outcome",
                                    f"outcome must be a survey item: {', '.join(schema.OUTCOME_DOMAINS)} or "
                                    "outcome_<name>", "leave it blank when no survey item matches"))
            continue
        if not phrases:
            problems.append(Problem(at, "phrases", "", "no-phrases",
                                    f"{label!r} has no phrases, so nothing will be suggested for it (it can "
                                    "still be chosen by hand)", "add a few words people use, separated by ';'"))
        seen[code] = at
        codes.append(Code(code, label, kind, cell(row, "description"), phrases, outcome))
    return tuple(codes), tuple(problems)


def to_sheet(codebook) -> bytes:
    """Codebook -> .xlsx bytes with one sheet, Codebook, staff can edit in Excel and upload back."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        to_frame(codebook).to_excel(writer, sheet_name=SHEET, index=False)
        sheet = writer.sheets[SHEET]
        for col, width in zip("ABCDEF", (16, 34, 24, 14, 60, 80)):
            sheet.column_dimensions[col].width = width
    return out.getvalue()


def from_sheet(data: bytes, name: str = "codebook.xlsx") -> tuple[tuple[Code, ...], tuple[Problem, ...]]:
    """.xlsx / .ods / .csv bytes of a codebook -> (codebook, problems); an unreadable file is one problem."""
    try:
        if name.lower().endswith(".csv"):
            frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""],
                                encoding="utf-8-sig")
        else:
            frame = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="calamine",
                                  keep_default_na=False, na_values=[""])
    except Exception as e:  # a user can upload anything: say what went wrong, never a traceback
        return (), (Problem(None, None, name, "unreadable-file", f"could not read {name}: {e}",
                            "upload the .xlsx the Comments page gives you, edited and saved"),)
    return from_frame(frame)


__all__ = ["BARRIER", "COLUMNS", "Code", "DEFAULT", "FEEDBACK", "GLO", "KINDS", "OUTCOME", "Problem", "SUGGESTION",
           "THEME", "default_codebook", "from_frame", "from_sheet", "pattern", "to_frame", "to_sheet"]
