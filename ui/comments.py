"""What the Outcomes and Programmes pages and the Comments page share: coded comments cached per database
change and per staff decision, and the "What people said" section."""
from __future__ import annotations

import hashlib

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from impact import comments
from impact.charts import text_safe
from impact.comments.counts import ALL
from impact.filters import Filters
from impact.safe_text import markdown as as_text
from impact.store import database_url
from ui.common import (
    chart,
    figures,
    memo,
    opened,
    per_object,
    prepared,
    store,
    stored_settings,
    table_with_download,
)

COMMENTS_PAGE = "pages/comments.py"


class CommentKeys:
    """Session-state keys of the Comments page (one place)."""

    CODER = "comments.coder"
    SHOW = "comments.show"
    PAGE = "comments.page"
    EDITOR = "comments.editor"
    SAVE = "comments.save"
    THEMES = "comments.themes"
    ADD_THEME = "comments.add_theme"
    APPROVER = "comments.approver"
    LIMIT = "comments.limit"
    QUOTES = "comments.quotes"
    SAVE_QUOTES = "comments.save_quotes"
    CODER_A = "comments.coder_a"
    CODER_B = "comments.coder_b"
    CODEBOOK = "comments.codebook"
    SAVE_CODEBOOK = "comments.save_codebook"
    DOWNLOAD_CODEBOOK = "comments.download_codebook"
    RESET_CODEBOOK = "comments.reset_codebook"
    UPLOAD_CODEBOOK = "comments.upload_codebook"
    LOAD_CODEBOOK = "comments.load_codebook"




@st.cache_resource(max_entries=8, show_spinner=False)  # shared, read-only
def _state(url: str, version: int) -> comments.CommentState:
    return comments.load(store())


def state(version: int | None = None) -> comments.CommentState:
    """The codebook, confirmations and quote decisions as they are now: one small query per rerun asks whether
    anything changed (`version`, when the caller asked already); the tables are read again only when something
    did (shared, read-only)."""
    return _state(database_url(), comments.state_version(store()) if version is None else version)


@per_object
def _state_key(s: comments.CommentState) -> str:
    """A key naming the staff decisions in `s` (made once per state read)."""
    parts = [repr(s.codebook), str(len(s.confirmed)),
             str(s.confirmed["confirmed_at"].max()) if len(s.confirmed) else ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@st.cache_resource(max_entries=4, show_spinner="Coding the comments…")  # shared, read-only: no per-session pickle
def _coded(url: str, version: str, partners: tuple, branches: tuple, key: str, _state) -> pd.DataFrame:
    return comments.coded(prepared(), _state)


def coded(s: comments.CommentState | None = None) -> pd.DataFrame:
    """Every comment in the account's scope with its codes and tone, computed once per database change, scope
    and staff decision (rows index that scope's prepared data, so a scope never gets another's)."""
    from ui import common  # the account's scope as memo() and prepared() read it

    s = s or state()
    scope = common._scope()
    return _coded(database_url(), common.data_version(), scope.partners, scope.branches, _state_key(s), s)


@st.cache_resource(max_entries=4, show_spinner="Checking the comments for quoting…")  # shared, read-only
def _screened(url: str, version: str, partners: tuple, branches: tuple, key: str, suppress_n: int, _state,
              _coded) -> comments.Screened:
    return comments.screen(prepared(), _coded, suppress_n, _state.codebook)


def screened(s: comments.CommentState, suppress_n: int) -> comments.Screened:
    """Every comment in the account's scope checked for quoting (scrubbed, attributed) once per database change,
    scope, coding and suppression threshold: a new filter then only selects rows. Quote decisions are not part of
    it (they apply per scope), so approving a quote never checks every comment again."""
    from ui import common

    scope = common._scope()
    return _screened(database_url(), common.data_version(), scope.partners, scope.branches, _state_key(s), suppress_n,
                     s, coded(s))


@text_safe
def code_chart(codes: pd.DataFrame, title: str) -> go.Figure:
    """Share of comments carrying each code (one group), with 95% intervals; n in the hover."""
    shown = codes[codes["share %"].notna()].sort_values("share %")
    trace = {"type": "bar", "x": shown["share %"], "y": shown["label"], "orientation": "h",
             "marker": {"color": "#1b9e77"},
             "error_x": {"type": "data", "symmetric": False, "array": shown["high %"] - shown["share %"],
                         "arrayminus": shown["share %"] - shown["low %"]},
             "customdata": shown[["comments with code", "comments"]].to_numpy(),
             "hovertemplate": "%{y}: %{x:.0f}% of comments<br>%{customdata[0]} of n = %{customdata[1]}<extra></extra>"}
    fig = go.Figure(data=[trace], layout={"title": {"text": title},
                                          "xaxis": {"title": {"text": "share of comments (%)"}},
                                          "height": 120 + 28 * len(shown), "margin": {"l": 10, "r": 10, "t": 50, "b": 40}})
    return fig


LISTED = 500  # comments drawn in the page's list (sent on every rerun); the CSV has them all


def section(filters: Filters, min_n: int, key: str, title: str = "What people said", by: str | None = None,
            rate: float | None = None) -> None:
    """The "What people said" section for a scope: headline sentences, tone, codes chart and table, quotes;
    with `by`, also each code's share per group of that dimension beside the group's outcome rate. `rate` (the
    hourly rate the page computes its indicators with) shares the page's indicators instead of computing them
    again (the outcomes beside each code do not depend on it)."""
    st.header(title)
    version = comments.state_version(store())
    s = state(version)
    suppress_n = int(stored_settings()["suppress_n"])
    checked = screened(s, suppress_n)
    everything = checked.coded

    def view(f, m, sn, _version):
        """What the section shows for one scope, built once per data version and comment state (shared): the
        state's version covers quote decisions too, so an approval shows at the next rerun."""
        found = figures(f, m, rate) if rate is not None else None
        said = comments.what_people_said(prepared(), s, f, None, m, sn, limit=6, screened=checked, found=found)
        n = len(said.comments)
        codes = said.counts.codes[said.counts.codes["group"] == ALL]
        tones = said.counts.tones[said.counts.tones["group"] == ALL]
        quotes = said.quotes.quotes
        approved = quotes[quotes["status"] == "approved"]
        return {"said": said, "codes": codes.drop(columns=["group", "code"]),
                "chart": code_chart(codes, f"Share of {n:,} comments describing each outcome or feedback")
                if n >= m else None,
                # what the rest of the section draws, worked out here once rather than on every rerun
                "confirmed": int((said.comments["source"] == "confirmed").sum()) if n else 0,
                "tones": tones[["tone", "share %", "comments with tone", "comments"]].to_dict("records"),
                "approved": len(approved) > 0,
                "quotes": (approved if len(approved) else quotes[quotes["status"] == "proposed"]).head(6)[
                    ["quote", "attribution", "tone"]].to_dict("records")}

    shown = memo("comments.said", view, filters, min_n, suppress_n, version)

    def listed_of(f, m, sn, _version):
        """Every comment in scope, latest first, as the list and its CSV show it: made only once someone opens the
        list (sorting and copying tens of thousands of comments per scope is most of the section's work)."""
        listed = shown["said"].comments.sort_values("response_date", ascending=False, na_position="last")
        listed = pd.DataFrame({"date": pd.to_datetime(listed["response_date"]).dt.date,
                               "programme": listed["programme"],
                               "question": listed["question"].map(comments.coding.question_label),
                               "comment": listed["text"], "codes": listed["codes"], "tone": listed["tone"],
                               "coded by": listed["coder"].where(listed["source"] == "confirmed", "suggested")})
        return listed, listed.head(LISTED)

    said = shown["said"]
    n = len(said.comments)
    if not n:
        st.caption("No free-text comments in this scope. Surveys with a 'What did you like most?' or 'What could "
                   "we improve?' column bring them in.")
        return
    confirmed = shown["confirmed"]
    st.caption(f"{n:,} comments in scope; codes and tone suggested from the codebook, {confirmed:,} confirmed by "
               "staff. A comment can carry several codes.")
    if said.sentences:  # one element, not one per line: every element is work on every rerun of every session
        st.markdown("\n".join(f"- {as_text(sentence)}" for sentence in said.sentences))
    cols = st.columns(len(shown["tones"]))
    for col, t in zip(cols, shown["tones"]):
        value = f"{t['share %']:.0f}%" if t["share %"] == t["share %"] and t["share %"] is not None else \
            f"fewer than {min_n} comments"
        col.metric(f"Tone: {t['tone']}", value, border=True)
        col.caption(f"{t['comments with tone']:,} of n = {t['comments']:,} comments")
    if shown["chart"] is not None:
        chart(shown["chart"], key=f"{key}.codes")
    else:
        st.info(f"Fewer than {min_n} comments: counts are in the table, no percentages.")
    st.markdown("**The table behind: each code with n, interval and the matching outcome**")
    table_with_download(shown["codes"], f"{key}_comment_codes.csv",
                        key=f"download.{key}.codes", height=280)
    if by is not None and by != "period":
        from impact.views import dimension_label

        label = dimension_label(by).lower()
        by_box = opened(f"Each code by {label}, beside the {label}'s outcome rate", key=f"{key}.codes_by_box")
        if by_box is not None:  # worked out only when someone opens it
            groups = memo("comments.by", lambda f, b, m, _key: comments.counts.count(
                prepared(), everything, s.codebook, f, b, m, checked.matrix,
                figures(f, m, rate, b) if rate is not None else None).codes.drop(columns=["code"]).rename(
                columns={"group": dimension_label(b).lower()}), filters, by, min_n, _state_key(s))
            with by_box:
                st.caption(f"One row per {label} and code; no percentage below {min_n} comments. "
                           + ("Partner groups overlap: a programme run with two partners counts for both."
                              if by in ("partner", "partnership_type") else ""))
                table_with_download(groups, f"{key}_comment_codes_by_{by}.csv", key=f"download.{key}.codes_by")
    # the label stays the same whatever the filters (a new label would be a new expander, closed); n is inside
    listed_box = opened("Every comment in scope, with its codes and tone", key=f"{key}.comments_box")
    if listed_box is not None:
        listed, listed_shown = memo("comments.listed", listed_of, filters, min_n, suppress_n, version)
        with listed_box:
            table_with_download(listed, f"{key}_comments.csv", key=f"download.{key}.comments", height=320,
                                shown=listed_shown)
            st.caption((f"The latest {LISTED:,} of the {n:,} are shown here; the CSV has every one. "
                        if n > LISTED else f"All {n:,} comments. ")
                       + "Emails and phone numbers were removed on upload; quotes for a pack are scrubbed further.")
    if shown["quotes"]:
        st.markdown("\n\n".join([
            "**In participants' words**" + ("" if shown["approved"] else " (proposed, not yet approved by staff: "
                                                                        "packs use approved quotes only)"),
            *(f"> “{as_text(q['quote'])}”  \n> — {as_text(q['attribution'])} · *{as_text(q['tone'])}*"
              for q in shown["quotes"])]))
    st.page_link(COMMENTS_PAGE, label="Code comments, approve quotes, edit the codebook",
                 icon=":material/format_quote:")
