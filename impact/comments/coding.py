"""Comments out of the survey rows, suggested codes and a tone for each, people's confirmations on top.

comments      one row per non-blank free-text answer (what people liked, what to improve, what they will do)
suggest       codes from the codebook's phrases, and a tone (positive, mixed, negative, suggestion) from VADER,
              a lexicon and rule-based sentiment model whose lexicon ships inside the vaderSentiment package
              (Hutto & Gilbert 2014); nothing is downloaded at run time
merge         suggestions with what staff confirmed: a confirmed coding always wins and is never overwritten
agreement     Cohen's (1960) kappa between two people who coded the same comments, per code and for tone
"""
from __future__ import annotations

import hashlib
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from impact.comments.codebook import BARRIER, SUGGESTION, Code, pattern

POSITIVE, MIXED, NEGATIVE = "positive", "mixed", "negative"
TONES = (POSITIVE, MIXED, NEGATIVE, SUGGESTION)
QUESTIONS = {"comment_benefit": "what they liked", "comment_improve": "what to improve",
             "comment_action": "what they will do"}
CONSENT = "quote_consent"
SUGGESTED, CONFIRMED = "suggested", "confirmed"
COLUMNS = ["comment_id", "row", "programme", "question", "response_date", "text", "consent", "asks_consent",
           "batch_id"]


def comments(frames: dict) -> pd.DataFrame:
    """survey_responses (programme, comment_*, quote_consent?, id?, batch_id?) -> one row per comment.

    comment_id = "<stored row id>.<question>" (the position when rows have no id), stable while the batch
    is stored. `row` is the position in survey_responses (the Prepared survey row). consent is the answer to
    the quote consent question (NA: not answered); `asks_consent` says whether that upload asked it at all."""
    responses = frames.get("survey_responses")
    if responses is None or not len(responses):
        return pd.DataFrame(columns=COLUMNS)
    responses = responses.reset_index(drop=True)
    ids = (responses["id"].astype("int64").astype(str) if "id" in responses
           else pd.Series(np.arange(len(responses)).astype(str)))
    batch = responses["batch_id"] if "batch_id" in responses else pd.Series(0, index=responses.index)
    consent = (responses[CONSENT].astype("boolean") if CONSENT in responses
               else pd.Series(pd.NA, index=responses.index, dtype="boolean"))
    asked = consent.notna().groupby(batch.to_numpy()).transform("any").astype(bool)
    parts = []
    for column in QUESTIONS:
        if column not in responses:
            continue
        text = responses[column].astype("str").str.strip()
        has = responses[column].notna() & (text != "") & (text.str.casefold() != "nan")
        if not has.any():
            continue
        idx = np.flatnonzero(has.to_numpy())
        parts.append(pd.DataFrame({
            "comment_id": ids.iloc[idx].to_numpy() + "." + column.removeprefix("comment_"),
            "row": idx, "programme": responses["programme"].iloc[idx].to_numpy(),
            "question": column, "response_date": pd.to_datetime(responses["response_date"].iloc[idx], errors="coerce")
            .to_numpy() if "response_date" in responses else pd.NaT,
            "text": text.iloc[idx].to_numpy(), "consent": consent.iloc[idx].to_numpy(),
            "asks_consent": asked.iloc[idx].to_numpy(), "batch_id": batch.iloc[idx].to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["row", "question"], kind="stable").reset_index(drop=True)


@lru_cache(maxsize=1)
def _analyser():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()  # reads vader_lexicon.txt from inside the installed package


def sentiment(texts) -> pd.DataFrame:
    """Texts -> VADER's compound (-1..1), pos and neg shares, one row each."""
    analyser = _analyser()
    scores = [analyser.polarity_scores(t) for t in texts]  # VADER scores one text at a time
    return pd.DataFrame({"compound": [s["compound"] for s in scores], "pos": [s["pos"] for s in scores],
                         "neg": [s["neg"] for s in scores]})


def code_matrix(texts: pd.Series, codebook) -> np.ndarray:
    """Texts x codes -> bool matrix: the code's phrases occur in the text."""
    out = np.zeros((len(texts), len(codebook)), bool)
    lowered = texts.astype("str").str.casefold()
    for j, code in enumerate(codebook):
        p = pattern(code.phrases)
        if p is not None:
            out[:, j] = lowered.str.contains(p, regex=True).to_numpy(bool)
    return out


WISH = re.compile(r"^\s*(?:more|less|fewer|longer|shorter|better|bigger|smaller|a|an|another|extra|please|maybe|"
                  r"perhaps|could|would|should|have|make|offer|add|keep|run|put|start|hold|open)\b", re.IGNORECASE)
NOTHING = re.compile(r"^\s*(?:nothing|none|no|not really|n/?a|can't think|cannot think)\b", re.IGNORECASE)


def tones(texts: pd.Series, questions: pd.Series, has_suggestion: np.ndarray, has_barrier: np.ndarray,
          scores: pd.DataFrame | None = None) -> np.ndarray:
    """The tone of each comment from its sentiment, its feedback codes and the question it answers.

    "What could we improve": "nothing, it was great" -> positive; a wish ("More evening sessions", a
    suggestion phrase) -> suggestion; a barrier or negative words -> negative (mixed with positive words too);
    anything else -> suggestion. "What did you like" / "what will you do": a barrier with negative words ->
    mixed; strongly negative words alone -> negative; otherwise positive (praise in context, even when it names
    what was hard: "feeling less alone"). Comments of no known question: negative words or a barrier ->
    negative (mixed with positive words), a suggestion phrase -> suggestion, else positive."""
    s = sentiment(texts) if scores is None else scores
    compound, pos, neg = (s[c].to_numpy(float) for c in ("compound", "pos", "neg"))
    text = texts.astype("str")
    positive_words = ((pos >= 0.15) & (compound >= 0.05)) | (compound >= 0.5)
    negative_words = (compound <= -0.05) | (neg >= 0.2)
    improve = (questions == "comment_improve").to_numpy(bool)
    praise = questions.isin(["comment_benefit", "comment_action"]).to_numpy(bool)
    other = ~improve & ~praise
    wish = text.str.contains(WISH).to_numpy(bool) | has_suggestion
    nothing = text.str.contains(NOTHING).to_numpy(bool) & ~has_barrier
    contrast = text.str.contains(r"\b(?:but|although|though|except|however)\b", case=False).to_numpy(bool)
    out = np.full(len(texts), POSITIVE, dtype=object)
    # what could we improve
    problem = (has_barrier | negative_words) & (~wish | contrast)
    out[improve] = SUGGESTION
    out[improve & problem] = NEGATIVE
    out[improve & problem & (positive_words | (pos >= 0.15)) & (negative_words | contrast)] = MIXED
    out[improve & nothing] = POSITIVE
    # what they liked, what they will do
    out[praise & has_barrier & (negative_words | contrast)] = MIXED
    out[praise & (compound <= -0.6) & ~positive_words] = NEGATIVE
    # anything else
    out[other & has_suggestion] = SUGGESTION
    bad = other & (has_barrier | negative_words)
    out[bad] = NEGATIVE
    out[bad & positive_words] = MIXED
    return out


_SCORED: OrderedDict = OrderedDict()  # (texts' fingerprint, codebook) -> (code matrix, sentiment)
_SCORED_LOCK = threading.Lock()
SCORED_KEPT = 4  # data versions (or scopes of pages that code a subset) kept


def _scored(texts: pd.Series, codebook: tuple) -> tuple[np.ndarray, pd.DataFrame]:
    """`code_matrix` and `sentiment` of these texts, worked out once per set of texts and codebook (a data
    version), not again for each pack and page: VADER scores one text at a time (~0.5 s for the demo's 4,700)."""
    hashed = pd.util.hash_pandas_object(texts, index=False).to_numpy()
    key = (len(texts), hashlib.blake2b(hashed.tobytes(), digest_size=16).digest(), codebook)
    with _SCORED_LOCK:
        found = _SCORED.get(key)
        if found is not None:
            _SCORED.move_to_end(key)
            return found
    found = (code_matrix(texts, codebook), sentiment(texts))
    with _SCORED_LOCK:
        _SCORED[key] = found
        while len(_SCORED) > SCORED_KEPT:
            _SCORED.popitem(last=False)
    return found


def suggest(found: pd.DataFrame, codebook) -> pd.DataFrame:
    """comments(...) + codebook -> the same rows with `codes` ("a; b"), `tone` and the sentiment behind them."""
    codebook = tuple(codebook)
    names = [c.code for c in codebook]
    texts = found["text"].astype("str").reset_index(drop=True)
    matrix, scores = _scored(texts, codebook)
    matrix = matrix.copy()  # the suggestion column is widened below: the kept matrix stays as computed
    questions = found["question"].reset_index(drop=True) if "question" in found else pd.Series("", index=texts.index)
    column = {name: j for j, name in enumerate(names)}
    no = np.zeros(len(texts), bool)
    has_suggestion = matrix[:, column[SUGGESTION]] if SUGGESTION in column else no
    has_barrier = matrix[:, column[BARRIER]] if BARRIER in column else no
    tone = tones(texts, questions, has_suggestion, has_barrier, scores)
    if SUGGESTION in column:  # an answer to "what could we improve" that asks for something is a suggestion
        matrix[:, column[SUGGESTION]] |= (tone == SUGGESTION) & (questions == "comment_improve").to_numpy(bool) \
            & ~has_barrier
    out = found.reset_index(drop=True).copy()
    out["codes"] = join_codes(matrix, names)
    out["tone"] = tone
    out["sentiment"] = scores["compound"].round(3)
    out["source"] = SUGGESTED
    out["suggested_codes"] = out["codes"]
    out["suggested_tone"] = out["tone"]
    return out


def join_codes(matrix: np.ndarray, names) -> list[str]:
    names = np.array(list(names), dtype=object)
    return ["; ".join(names[row]) for row in matrix]


def split_codes(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    return tuple(c.strip() for c in str(value).split(";") if c.strip())


def matrix_of(coded: pd.DataFrame, names) -> np.ndarray:
    """The `codes` column -> bool matrix (comments x names)."""
    names = list(names)
    index = {n: j for j, n in enumerate(names)}
    out = np.zeros((len(coded), len(names)), bool)
    for i, value in enumerate(coded["codes"].tolist()):
        for c in split_codes(value):
            if c in index:
                out[i, index[c]] = True
    return out


def merge(suggested: pd.DataFrame, confirmed: pd.DataFrame | None) -> pd.DataFrame:
    """Suggestions + confirmations (comment_id, coder, codes, tone, confirmed_at) -> the coding in use.

    A comment someone confirmed keeps the latest confirmation (codes, tone, who, when), whatever the
    suggestions say now; the suggestion stays beside it in suggested_codes / suggested_tone."""
    out = suggested.copy()
    out["coder"] = ""
    out["confirmed_at"] = pd.NaT
    if confirmed is None or not len(confirmed):
        return out
    latest = (confirmed.sort_values("confirmed_at", kind="stable").drop_duplicates("comment_id", keep="last")
              .set_index("comment_id"))
    hit = out["comment_id"].isin(latest.index).to_numpy()
    ids = out.loc[hit, "comment_id"]
    out.loc[hit, "codes"] = latest.loc[ids, "codes"].fillna("").to_numpy()
    out.loc[hit, "tone"] = latest.loc[ids, "tone"].fillna(out.loc[hit, "tone"]).to_numpy()
    out.loc[hit, "coder"] = latest.loc[ids, "coder"].fillna("").to_numpy()
    out.loc[hit, "confirmed_at"] = pd.to_datetime(latest.loc[ids, "confirmed_at"]).to_numpy()
    out.loc[hit, "source"] = CONFIRMED
    return out


def cohen_kappa(a, b) -> float | None:
    """Cohen (1960): kappa = (p_o - p_e) / (1 - p_e), p_o the share of agreement, p_e the agreement expected
    from each rater's own category shares. None when p_e = 1 (both always gave one and the same category)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    n = len(a)
    if n == 0:
        return None
    p_o = float(np.mean(a == b))
    categories = set(a.tolist()) | set(b.tolist())
    p_e = sum(float(np.mean(a == c)) * float(np.mean(b == c)) for c in categories)
    if math.isclose(p_e, 1.0):
        return None
    return (p_o - p_e) / (1 - p_e)


@dataclass(frozen=True)
class Agreement:
    """Two coders on the comments both coded: kappa per code (present or not) and for tone, with n."""

    coder_a: str
    coder_b: str
    n: int
    codes: pd.DataFrame  # code, label, both, only a, only b, neither, agreement %, kappa
    tone_kappa: float | None
    tone_agreement: float | None

    def to_dict(self) -> dict:
        return {"coder_a": self.coder_a, "coder_b": self.coder_b, "n": self.n, "tone_kappa": self.tone_kappa,
                "tone_agreement": self.tone_agreement, "codes": self.codes.to_dict("records")}


def coders(confirmed: pd.DataFrame) -> list[str]:
    if confirmed is None or not len(confirmed):
        return []
    counts = confirmed["coder"].fillna("").value_counts()
    return [c for c in counts.index if c]


def agreement(confirmed: pd.DataFrame, coder_a: str, coder_b: str, codebook) -> Agreement:
    """Confirmations of two coders -> their agreement on the comments both coded (each one's latest coding)."""
    codebook = tuple(codebook)
    latest = confirmed.sort_values("confirmed_at", kind="stable").drop_duplicates(["comment_id", "coder"], keep="last")
    a = latest[latest["coder"] == coder_a].set_index("comment_id")
    b = latest[latest["coder"] == coder_b].set_index("comment_id")
    both = a.index.intersection(b.index)
    a, b = a.loc[both], b.loc[both]
    names = [c.code for c in codebook]
    ma, mb = matrix_of(a, names), matrix_of(b, names)
    rows = []
    for j, c in enumerate(codebook):
        x, y = ma[:, j], mb[:, j]
        k = cohen_kappa(x, y) if len(both) else None
        rows.append({"code": c.code, "label": c.label, "both": int((x & y).sum()),
                     f"only {coder_a}": int((x & ~y).sum()),
                     f"only {coder_b}": int((~x & y).sum()), "neither": int((~x & ~y).sum()),
                     "agreement %": round(100 * float(np.mean(x == y)), 1) if len(both) else None,
                     "kappa": None if k is None else round(k, 3)})
    tone_k = cohen_kappa(a["tone"].fillna(""), b["tone"].fillna("")) if len(both) else None
    same_tone = a["tone"].fillna("").to_numpy() == b["tone"].fillna("").to_numpy()
    tone_agree = float(np.mean(same_tone)) if len(both) else None
    return Agreement(coder_a, coder_b, len(both), pd.DataFrame(rows), tone_k, tone_agree)


def kappa_words(k: float | None) -> str:
    """Landis & Koch (1977) benchmarks for kappa."""
    if k is None:
        return "not defined"
    for limit, words in ((0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial")):
        if k <= limit:
            return words
    return "almost perfect"


def question_label(column: str) -> str:
    return QUESTIONS.get(column, column)


__all__ = [
    "CONFIRMED",
    "MIXED",
    "NEGATIVE",
    "POSITIVE",
    "QUESTIONS",
    "SUGGESTED",
    "TONES",
    "Agreement",
    "Code",
    "agreement",
    "code_matrix",
    "coders",
    "cohen_kappa",
    "comments",
    "join_codes",
    "kappa_words",
    "matrix_of",
    "merge",
    "question_label",
    "sentiment",
    "split_codes",
    "suggest",
    "tones",
]


def precision_recall(expected: pd.DataFrame, found: pd.DataFrame, codebook) -> pd.DataFrame:
    """Hand codes against suggested codes (both with a `codes` column, rows in the same order) -> per code:
    true positives, false positives, false negatives, precision = tp / (tp + fp), recall = tp / (tp + fn)."""
    names = [c.code for c in codebook]
    want, got = matrix_of(expected.reset_index(drop=True), names), matrix_of(found.reset_index(drop=True), names)
    rows = []
    for j, name in enumerate(names):
        tp, fp, fn = int((want[:, j] & got[:, j]).sum()), int((~want[:, j] & got[:, j]).sum()), \
            int((want[:, j] & ~got[:, j]).sum())
        rows.append({"code": name, "hand coded": int(want[:, j].sum()), "suggested": int(got[:, j].sum()),
                     "true positives": tp, "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                     "recall": round(tp / (tp + fn), 3) if tp + fn else None})
    return pd.DataFrame(rows)
