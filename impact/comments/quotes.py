"""A quote bank that is fair and safe: the range of what people said, in proportion, and nothing that identifies.

Who can be quoted   only comments in scope; where an upload asked for consent to quote (a `quote_consent`
                    column with any answer in that batch), only respondents who said yes; never a comment staff
                    rejected.
Safe text           the project's scrub (impact/export/disclosure.py: emails, phones, postcodes, web addresses,
                    handles, titled names, "my name is", id-like codes, respondent ids), then street addresses,
                    the names of programmes too small to name (fewer respondents than the suppression threshold)
                    and any other capitalised word that is not an ordinary word or a name the pack already shows
                    ("[name]"). A comment whose first word may be a person's name is left out.
Attribution         the narrowest of "a participant aged 65+ at <programme>", "a participant at <programme>",
                    "a participant in a <theme> programme", "a participant" that counts at least the suppression
                    threshold of respondents; when even the last does not, the comment is left out.
In proportion       `limit` quotes shared between tones by their share of the eligible comments (largest
                    remainder, at least one for every tone present, so critical comments are never left out),
                    and within a tone taken code by code, most frequent code first, one programme at a time.
Approved            the bank proposes; staff approve or reject each quote (impact/comments/store.py). Packs use
                    approved quotes only, re-checked and re-scrubbed at export time.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from impact.comments.codebook import DEFAULT
from impact.comments.coding import TONES, split_codes
from impact.comments.counts import in_scope
from impact.comments.store import APPROVED, REJECTED
from impact.export.disclosure import known_pattern, scrub
from impact.filters import Filters, Prepared, prepare, unique_rows

PROPOSED = "proposed"
ADDRESS = re.compile(r"\b\d{1,4}[a-z]?\s+(?:[A-Z][\w'-]+\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|"
                     r"Way|Court|Place|Crescent|Gardens|Terrace|Grove|Hill|Park|Row|Square|View|Walk)\b")
WORD = re.compile(r"[A-Za-z][\w'’-]*")
ALWAYS_OK = {"i", "i'm", "i've", "i'll", "i'd", "ok", "okay", "cv", "cvs", "tv", "nhs", "uk", "it", "pc", "ipad",
             "iphone", "android", "english", "esol", "gp", "covid", "lego", "monday", "tuesday", "wednesday",
             "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
             "july", "august", "september", "october", "november", "december", "christmas", "easter", "library",
             "libraries", "council", "google", "facebook", "whatsapp", "zoom", "youtube", "microsoft", "word",
             "excel", "email", "wifi", "wi-fi", "internet", "universal", "credit", "job", "centre", "jobcentre"}
# sentence-initial words with these endings are ordinary words, hardly ever names
ORDINARY_ENDINGS = ("ness", "ment", "tion", "sion", "ful", "less", "ous", "ive", "able", "ible")


def _ordinary_start(word: str, s: Safety) -> bool:
    """A capitalised first word is ordinary when it ends like a common word, or is a verb form ("Practising",
    "Meeting", "Tried", "Loved") of a word already known as ordinary ("Xiaoming" and "Mohammed" are not)."""
    w = word.casefold()
    if len(w) >= 5 and w.endswith(ORDINARY_ENDINGS):
        return True
    for suffix in ("ing", "ied", "ed"):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            stem = w[: -len(suffix)]
            forms = {stem, stem + "e", stem + "y" if suffix == "ied" else stem}
            if len(stem) >= 2 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])  # setting -> set
            if any(len(f) >= 3 and (f in s.ordinary or f in s.shown) for f in forms):
                return True
    return False
COLUMNS = ["comment_id", "quote", "attribution", "tone", "codes", "programme", "question", "status", "scrubbed",
           "why"]


FUNCTION_WORDS = frozenset("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each even ever every few for from
further had has have having he her here hers herself him himself his how however i if in into is it its itself just
least less like more most much must my myself never no nor not now of off often on once one only or other our ours
ourselves out over own quite rather really same she should since so some still such than that the their theirs
them themselves then there these they this those though through to too under until up upon us very was we well
were what when where whether which while who whom whose why will with within without would yet you your yours
yourself yourselves everyone everything someone something nothing anyone anything nobody lots many maybe perhaps
somewhere anywhere everywhere sometimes always usually often offer sign make keep give take get put run start stop
try use help come go see look find learn read write meet thank thanks please yes""".split())  # noqa: SIM905 - a paragraph reads better


@lru_cache(maxsize=1)
def _ordinary_words() -> frozenset:
    """Words that are ordinary English, not names: function words and VADER's lexicon (shipped in its package)."""
    from impact.comments.coding import _analyser

    return FUNCTION_WORDS | frozenset(_analyser().lexicon) | ALWAYS_OK


@dataclass(frozen=True)
class Safety:
    """What the scrubber needs to know about the data: ids never to show, names it may show, names too small."""

    known: re.Pattern | None  # respondent and participant ids
    shown: frozenset  # lower-cased words of programme, partner, branch and theme names (the pack names them)
    small: re.Pattern | None  # names of programmes with fewer respondents than the threshold
    ordinary: frozenset  # lower-cased words people use in ordinary sentences (and in this data's comments)


_IDS: dict[int, tuple] = {}  # id(Prepared) -> (weak reference, pattern): once per database change


def _ids_pattern(data: Prepared) -> re.Pattern | None:
    """Every respondent and participant id as one pattern, built once per `Prepared` (a regex of every id of a
    large store takes seconds to build; the ids change only with the data)."""
    cached = _IDS.get(id(data))
    if cached is not None and cached[0]() is data:
        return cached[1]
    frames = data.frames
    ids = set()
    for t, col in (("survey_responses", "respondent_id"), ("attendance", "participant_id")):
        if t in frames and col in frames[t]:
            ids |= set(frames[t][col].dropna().astype(str))
    pattern = known_pattern(ids)
    for k in [k for k, (ref, _) in _IDS.items() if ref() is None]:
        del _IDS[k]
    _IDS[id(data)] = (weakref.ref(data), pattern)
    return pattern


def safety(data: Prepared, texts, threshold: int, codebook=DEFAULT) -> Safety:
    """The data + every comment's text + the suppression threshold (+ the codebook, whose phrases are ordinary
    words) -> what `safe_text` checks against."""
    respondents = np.bincount(data.surveys.programme[data.surveys.programme >= 0], minlength=len(data.programmes))
    names = data.programmes["name"].astype(str).tolist()
    small = [n for n, k in zip(names, respondents) if k < threshold]
    big = [n for n, k in zip(names, respondents) if k >= threshold]
    shown = {w.casefold() for name in (*big, *data.partners["name"].astype(str), *data.branches, *data.themes)
             for w in WORD.findall(str(name))}
    lowercase_here = {w for t in texts for w in WORD.findall(str(t)) if w.islower()}
    lowercase_here |= {w.casefold() for c in codebook for text in (c.label, c.description, *c.phrases)
                       for w in WORD.findall(text)}
    return Safety(_ids_pattern(data), frozenset(shown), known_pattern(small),
                  _ordinary_words() | frozenset(lowercase_here))


def safe_text(text: str, s: Safety) -> tuple[str, bool]:
    """A comment -> (text safe to quote, whether its first word may be a person's name: then leave it out)."""
    out = scrub(text, s.known if s.known is not None else ())
    out = ADDRESS.sub("[address]", out)
    if s.small is not None:
        out = s.small.sub("[group]", out)
    starts = {0} | {m.end() for m in re.finditer(r"[.!?]\s+", out)}  # where a sentence (or a placeholder) ends
    risky_start = False
    pieces, last = [], 0
    for m in WORD.finditer(out):
        w = m.group(0)
        if not w[0].isupper():
            continue
        plain = w.casefold().rstrip("'’s").replace("’", "'")
        known = w.casefold() in s.ordinary or plain in s.ordinary or w.casefold() in s.shown or plain in s.shown
        if known or (w.isupper() and len(w) <= 4):  # ordinary words, names the pack shows, short acronyms
            continue
        if m.start() in starts or out[:m.start()].strip() == "":
            if not _ordinary_start(w, s):
                risky_start = True  # a capital at a sentence start may be an ordinary word or a name: cannot tell
            continue
        pieces.append(out[last:m.start()] + "[name]")
        last = m.end()
    out = "".join(pieces) + out[last:]
    out = re.sub(r"\[name\](?:\s+\[name\])+", "[name]", out)
    return out, risky_start


@dataclass(frozen=True)
class Attributions:
    """Respondent counts per programme, programme and age band, theme: to attribute quotes to large groups only."""

    threshold: int
    programme: np.ndarray
    programme_age: dict
    theme: dict
    total: int
    names: tuple = ()  # programme names by code
    themes: tuple = ()  # programme themes by code


def attributions(data: Prepared, threshold: int) -> Attributions:
    srv = data.surveys
    post = srv.wave == 1  # WAVES index of "post": the people who answered straight after a session
    prog = srv.programme[post]
    known = prog >= 0
    by_programme = np.bincount(prog[known], minlength=len(data.programmes))
    ages = srv.groups.get("age_band")
    by_age = {}
    if ages is not None:
        a = ages[post]
        labels = data.group_labels.get("age_band", ())
        both = known & (a >= 0)
        if both.any():
            pairs, counts = unique_rows(prog[both], a[both], counts=True)[::2]
            by_age = {(int(p), labels[int(g)]): int(c) for (p, g), c in zip(pairs.T, counts)}
    themes = data.programmes["theme"].to_numpy(object)
    by_theme: dict = {}
    for p, c in enumerate(by_programme):
        t = themes[p]
        if t is not None and not (isinstance(t, float) and np.isnan(t)):
            by_theme[str(t)] = by_theme.get(str(t), 0) + int(c)
    return Attributions(threshold, by_programme, by_age, by_theme, int(known.sum()),
                        tuple(data.programmes["name"].astype(str)), tuple(themes))


def attribute(a: Attributions, data: Prepared, row: int) -> str | None:
    """The narrowest description of the respondent of survey row `row` that counts >= threshold people."""
    p = int(data.surveys.programme[row])
    if p < 0:
        return "a participant" if a.total >= a.threshold else None
    name = a.names[p]
    ages = data.surveys.groups.get("age_band")
    if ages is not None and ages[row] >= 0:
        age = data.group_labels["age_band"][int(ages[row])]
        if a.programme_age.get((p, age), 0) >= a.threshold:
            return f"a participant aged {age} at {name}"
    if a.programme[p] >= a.threshold:
        return f"a participant at {name}"
    theme = a.themes[p]
    if isinstance(theme, str) and a.theme.get(theme, 0) >= a.threshold:
        return f"a participant in a {theme.casefold()} programme"
    return "a participant" if a.total >= a.threshold else None


@dataclass(frozen=True)
class QuoteBank:
    """Proposed and decided quotes for a scope, and how many comments were left out and why."""

    quotes: pd.DataFrame  # COLUMNS, proposals in the order chosen, approved ones first
    eligible: int  # comments that could be quoted
    left_out: dict = field(default_factory=dict)  # reason -> comments
    tone_shares: dict = field(default_factory=dict)  # tone -> share of eligible comments

    def approved(self) -> pd.DataFrame:
        return self.quotes[self.quotes["status"] == APPROVED]

    def to_dict(self) -> dict:
        return {"eligible": self.eligible, "left_out": self.left_out, "tone_shares": self.tone_shares,
                "quotes": self.quotes.astype(object).where(self.quotes.notna(), None).to_dict("records")}


def object_array(values: list) -> np.ndarray:
    """A 1-d object array of these values (tuples stay tuples, not a 2-d array)."""
    return np.fromiter(values, dtype=object, count=len(values))


def quote_lengths(quotes: np.ndarray) -> np.ndarray:
    """Each quote's length in characters (0 for a missing one), as a string column's `str.len` counts them."""
    return np.fromiter((len(q) if isinstance(q, str) else 0 for q in quotes), dtype="int64", count=len(quotes))


def _largest_remainder(shares: dict, limit: int) -> dict:
    """limit slots shared by tone in proportion to its share, at least one for every tone present."""
    present = [t for t, s in shares.items() if s > 0]
    if not present or limit <= 0:
        return {}
    base = {t: 1 for t in present[:limit]}
    rest = limit - len(base)
    if rest > 0:
        want = {t: shares[t] * limit for t in present}
        extra = {t: max(0, int(np.floor(want[t])) - 1) for t in present}
        while sum(extra.values()) > rest:
            biggest = max(extra, key=extra.get)
            extra[biggest] -= 1
        left = rest - sum(extra.values())
        order = sorted(present, key=lambda t: -(want[t] - base.get(t, 0) - extra[t]))
        for t in order[:left]:
            extra[t] += 1
        base = {t: base.get(t, 0) + extra[t] for t in present}
    return base


def bank(data, coded: pd.DataFrame, filters: Filters | None = None, threshold: int = 5, limit: int = 12,
         decisions: pd.DataFrame | None = None, codebook=DEFAULT, approved_only: bool = False,
         screened=None) -> QuoteBank:
    """Coded comments (comment_id, row, text, codes, tone, consent, asks_consent) -> the quote bank for a scope.

    `approved_only` (a pack: no proposals): only the comments staff approved are scrubbed and checked, not every
    comment in scope; the approved quotes are the same, `eligible`, `left_out` and `tone_shares` count those.
    `screened` (impact/comments/screened.py, of these comments at this threshold and codebook): each comment's
    scrubbed text, name risk and attribution are taken from it instead of worked out again for this scope."""
    data = prepare(data)
    if screened is not None and not screened.fits(coded, threshold, codebook):
        raise ValueError("the screened comments are not these comments, threshold and codebook")
    filters = filters or Filters()
    decisions = decisions if decisions is not None else pd.DataFrame(columns=["comment_id", "status", "text"])
    decided = decisions.set_index("comment_id") if len(decisions) else None
    if not len(coded):
        return QuoteBank(pd.DataFrame(columns=COLUMNS), 0, {}, {})
    left_out: dict[str, int] = {}
    scope = np.flatnonzero(in_scope(data, coded, filters))  # positions in `coded` (and in `screened`)
    # who may be quoted is worked out on the few columns it needs; the comments' text and the rest are taken
    # once, for those left (each filter of the whole pool took every text column again)
    asks = coded["asks_consent"].take(scope).astype(bool).to_numpy(bool)
    consent = coded["consent"].take(scope).astype("boolean").fillna(False).astype(bool).to_numpy(bool)
    keep = ~asks | consent
    if (~keep).any():
        left_out["no consent to quote"] = int((~keep).sum())
    status = None
    if decided is not None:
        status = coded["comment_id"].take(scope).map(decided["status"])
        rejected = status.eq(REJECTED).to_numpy(bool) & keep
        if rejected.any():
            left_out["rejected by staff"] = int(rejected.sum())
        keep &= ~rejected
    if approved_only:
        limit = 0
        keep &= status.eq(APPROVED).to_numpy(bool) if status is not None else False
    at = scope[keep]
    if screened is not None:
        s = screened.safety
        quote, risky, who = screened.quote[at], screened.risky[at], screened.attribution[at]
        length, code_lists = screened.quote_length[at], screened.code_lists[at]
    else:
        s = safety(data, coded["text"], threshold, codebook) if len(at) else None  # nothing to check: not needed
        a = attributions(data, threshold) if len(at) else None
        checked = [safe_text(text, s) for text in coded["text"].take(at).astype(str)]
        quote = object_array([q for q, _ in checked])
        risky = np.array([r for _, r in checked], bool)
        who = object_array([attribute(a, data, int(row)) for row in coded["row"].take(at).to_numpy("int64")])
        length = quote_lengths(quote)
        code_lists = object_array([split_codes(v) for v in coded["codes"].take(at).tolist()])
    if risky.any():
        left_out["may begin with a person's name"] = int(risky.sum())
    no_group = pd.isna(who).astype(bool) if len(who) else np.zeros(0, bool)
    if no_group.any():
        left_out[f"no group of {threshold} or more respondents to attribute it to"] = int(no_group.sum())
    short = (length < 12) | (length > 300)
    if short.any():
        left_out["too short or too long to quote"] = int((short & ~risky & ~no_group).sum())
    eligible = ~risky & ~no_group & ~short
    # the pool: what choosing needs of each eligible comment; the rest of a quote's columns are taken for the
    # few chosen (taking every text column of every comment in scope was most of a new scope's bank at 1M)
    take = at[eligible]
    pool = pd.DataFrame({c: coded[c].take(take).reset_index(drop=True) for c in ("comment_id", "tone", "programme")})
    pool["quote"], pool["attribution"], pool["_codes"] = quote[eligible], who[eligible], code_lists[eligible]
    pool["_quote"], pool["_at"] = quote[eligible], take  # the scrubbed text before any edit staff approved
    shares = pool["tone"].value_counts(normalize=True).reindex(list(TONES), fill_value=0.0).to_dict() if len(pool) \
        else {}
    # approved quotes stay in the bank whatever the proportions; proposals fill the rest
    status = pool["comment_id"].map(decided["status"]) if decided is not None else pd.Series(None, index=pool.index)
    status = status.where(status.notna(), PROPOSED)
    pool["status"] = status.to_numpy()
    if decided is not None:  # the text staff approved (edited, then scrubbed again) replaces the proposal
        approved_text = pool["comment_id"].map(decided["text"]).where(pool["status"] == APPROVED)
        for i in np.flatnonzero(approved_text.notna().to_numpy()):
            pool.loc[i, "quote"] = safe_text(str(approved_text.iloc[i]), s)[0]
    chosen = list(np.flatnonzero((pool["status"] == APPROVED).to_numpy()))
    slots = _largest_remainder(shares, limit)
    why = {i: "approved by staff" for i in chosen}
    said = {pool.loc[i, "quote"] for i in chosen}  # one text is quoted once, however many said it
    for tone, n_slots in slots.items():
        have = sum(1 for i in chosen if pool.loc[i, "tone"] == tone)
        candidates = pool[(pool["tone"] == tone) & (pool["status"] == PROPOSED)]
        if have >= n_slots or not len(candidates):
            continue
        # code by code, most frequent code first; within a code, mid-length comments and new programmes first
        frequency = pd.Series([c for cs in candidates["_codes"] for c in cs]).value_counts()
        ideal = (candidates["quote"].str.len() - 90).abs()
        ranked = (candidates[["comment_id", "quote", "_codes", "programme"]].assign(_ideal=ideal)
                  .sort_values(["_ideal", "comment_id"], kind="stable"))
        # a candidate's programme is looked up only when it passes the other checks (a few rows, not every one)
        ranked_rows = list(zip(range(len(ranked)), ranked.index.tolist(), ranked["quote"].to_numpy(object),
                               ranked["_codes"].to_numpy(object)))
        programmes = ranked["programme"]
        used_programmes = {pool.loc[i, "programme"] for i in chosen}
        for code in [*frequency.index, None]:
            if have >= n_slots:
                break
            for k, i, quote, codes in ranked_rows:
                if i in why or quote in said or (code is not None and code not in codes):
                    continue
                programme = programmes.iloc[k]
                if programme in used_programmes and code is not None:
                    continue
                chosen.append(i)
                said.add(quote)
                why[i] = f"{tone}" + (f"; {code}" if code else "")
                used_programmes.add(programme)
                have += 1
                break
        for _, i, quote, _ in ranked_rows:  # fewer distinct codes than slots: fill with the best remaining
            if have >= n_slots:
                break
            if i not in why and quote not in said:
                chosen.append(i)
                said.add(quote)
                why[i] = tone
                have += 1
    out = pool.loc[chosen].copy()
    rows = out["_at"].to_numpy("int64")
    for c in ("codes", "question"):
        out[c] = coded[c].take(rows).set_axis(out.index)
    out["scrubbed"] = out["_quote"] != coded["text"].take(rows).astype(str).set_axis(out.index)
    out["why"] = [why[i] for i in chosen]
    return QuoteBank(out[COLUMNS].reset_index(drop=True), len(pool), left_out,
                     {t: round(float(v), 3) for t, v in shares.items()})


__all__ = ["ADDRESS", "PROPOSED", "QuoteBank", "Safety", "attribute", "attributions", "bank", "safe_text", "safety"]
