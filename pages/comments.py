"""Comments: code what people said, find themes the codebook lacks, check agreement, approve quotes, edit the
codebook."""
import numpy as np
import pandas as pd
import streamlit as st

from impact import comments
from impact.comments import codebook as cb
from impact.comments.coding import (
    TONES,
    agreement,
    coders,
    join_codes,
    kappa_words,
    matrix_of,
    question_label,
)
from impact.comments.counts import count, in_scope
from impact.comments.quotes import bank as quote_bank
from impact.comments.themes import propose
from impact.safe_text import markdown as as_text
from ui.auth import require_page
from ui.comments import CommentKeys as K
from ui.comments import code_chart, coded, state
from ui.common import (
    chart,
    empty_state,
    filters,
    nothing_loaded,
    prepared,
    settings,
    store,
    table_with_download,
)

PAGE_SIZE = 50
SAMPLE = 50  # comments two people code independently to measure agreement

st.title("Comments")
require_page("code-comments")  # coding and approving quotes is staff work
st.caption("What people said in their own words: confirm the suggested codes and tone, look for themes the "
           "codebook lacks, check that two coders agree, and approve the quotes an evidence pack may use.")

data = prepared()
if nothing_loaded(data):
    empty_state("No survey responses are loaded yet: upload a survey with free-text answers to code them.")
chosen = filters()
s = state()
everything = coded(s)
scope = in_scope(data, everything, chosen) if len(everything) else np.zeros(0, bool)
found = everything[scope].reset_index(drop=True)
names = [c.code for c in s.codebook]
labels = {c.code: c.label for c in s.codebook}
confirmed_n = int((found["source"] == "confirmed").sum()) if len(found) else 0
cols = st.columns(3)
cols[0].metric("Comments in scope", f"{len(found):,}", border=True)
cols[1].metric("Confirmed by staff", f"{confirmed_n:,}", border=True)
cols[2].metric("Codes in the codebook", f"{len(s.codebook)}", border=True)

if len(found):
    counts = count(data, everything, s.codebook, chosen, None, settings()["min_n"])
    if len(found) >= settings()["min_n"]:
        chart(code_chart(counts.codes, f"Share of {len(found):,} comments carrying each code"), key="comments.codes")
    st.markdown("**The table behind: each code with n and interval**")
    table_with_download(counts.codes.drop(columns=["group", "code"]), "comment_codes.csv",
                        key="download.comments.codes", height=280)

code_tab, theme_tab, quote_tab, agree_tab, book_tab = st.tabs(
    ["Code comments", "Themes", "Quote bank", "Agreement", "Codebook"])

with code_tab:
    if not len(found):
        st.info("No free-text comments for these filters: widen the filters in the sidebar.")
    else:
        left, mid, right = st.columns([2, 2, 1])
        coder = left.text_input("Your name or initials", key=K.CODER, help="saved with every confirmation")
        show = mid.radio("Show", ["Not yet confirmed", f"Agreement sample ({SAMPLE})", "All"], horizontal=True,
                         key=K.SHOW, help="the agreement sample is the same comments for everyone using the same "
                                          "filters; each coder sees the suggestions, not someone else's codes")
        if show.startswith("Not yet"):
            rows = found[found["source"] != "confirmed"]
        elif show.startswith("Agreement"):
            pick = np.random.default_rng(17).permutation(len(found))[:SAMPLE]  # same sample every time
            rows = found.iloc[np.sort(pick)].copy()
            rows["codes"], rows["tone"] = rows["suggested_codes"], rows["suggested_tone"]
        else:
            rows = found
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = right.number_input("Page", 1, pages, 1, key=K.PAGE, help=f"{PAGE_SIZE} comments a page")
        rows = rows.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        matrix = matrix_of(rows, names)
        table = pd.DataFrame({"confirm": False, "comment": rows["text"].to_numpy(),
                              "programme": rows["programme"].to_numpy(),
                              "question": rows["question"].map(question_label).to_numpy(),
                              "tone": rows["tone"].to_numpy(), "source": rows["source"].to_numpy()})
        for j, name in enumerate(names):
            table[labels[name]] = matrix[:, j]
        config = {"confirm": st.column_config.CheckboxColumn("confirm", help="tick to save this row's codes"),
                  "tone": st.column_config.SelectboxColumn("tone", options=list(TONES), required=True)}
        edited = st.data_editor(table, hide_index=True, width="stretch", column_config=config, key=K.EDITOR,
                                disabled=["comment", "programme", "question", "source"], height=420)
        st.caption(f"{len(rows):,} comments on this page ({show.lower()}); ticked codes are suggestions until "
                   "confirmed. A confirmed coding is never overwritten by suggestions; confirming again adds a "
                   "new entry and the latest is used.")
        if st.button("Save the ticked rows", type="primary", key=K.SAVE):
            ticked = edited["confirm"].to_numpy(bool)
            if not coder.strip():
                st.error("Type your name or initials first: every confirmation says who made it.")
            elif not ticked.any():
                st.warning("Tick 'confirm' on the rows to save.")
            else:
                chosen_codes = join_codes(edited[[labels[n] for n in names]].to_numpy(bool), names)
                saved = comments.CommentStore(store()).confirm(
                    [{"comment_id": cid, "codes": c, "tone": t} for cid, c, t, keep in
                     zip(rows["comment_id"], chosen_codes, edited["tone"], ticked) if keep], coder)
                st.success(f"Saved {saved} confirmation{'s' if saved != 1 else ''} by {as_text(coder.strip())}.")
                st.rerun()

with theme_tab:
    k = st.slider("Themes to look for", 2, 12, 6, key=K.THEMES)
    themes = propose(found, s.codebook, k=k)
    if themes.note:
        st.info(themes.note)
    else:
        st.caption(f"{themes.n:,} comments clustered by their words (TF-IDF, then non-negative matrix factorisation). "
                   "A theme most of whose comments already carry one code is in the codebook; the others are "
                   "proposals you can add as a code.")
        st.dataframe(themes.table(), hide_index=True, width="stretch")
        proposals = [t for t in themes.themes if t.proposal]
        if proposals:
            with st.form(K.ADD_THEME):
                which = st.selectbox("Add a proposed theme to the codebook", proposals,
                                     format_func=lambda t: f"theme {t.number}: {', '.join(t.words)}")
                label = st.text_input("Its label, in your words", placeholder="e.g. Meeting other parents")
                if st.form_submit_button("Add to the codebook") and which is not None:
                    if not label.strip():
                        st.error("Give the theme a label first.")
                    else:
                        code = cb.Code(cb._slug(label), label.strip(), cb.THEME,
                                       f"Proposed from: {', '.join(which.words)}",
                                       tuple(w for w in which.words if " " not in w)[:4] + tuple(
                                           w for w in which.words if " " in w))
                        if code.code in names:
                            st.error(f"The codebook already has a code '{as_text(code.code)}': choose another label.")
                        else:
                            comments.CommentStore(store()).save_codebook((*s.codebook, code), st.session_state.get(
                                K.CODER, ""))
                            st.success(f"Added '{as_text(label.strip())}': its phrases can be edited on the Codebook tab.")
                            st.rerun()

with quote_tab:
    suppress_n = int(store().setting("suppress_n"))
    left, right = st.columns([2, 1])
    approver = left.text_input("Your name or initials", key=K.APPROVER, help="saved with every decision")
    limit = right.number_input("Quotes to propose", 3, 60, 12, key=K.LIMIT)
    bank = quote_bank(data, everything, chosen, suppress_n, int(limit), s.decisions, s.codebook)
    st.caption(f"{bank.eligible:,} comments could be quoted; shares by tone: "
               + ", ".join(f"{t} {v:.0%}" for t, v in bank.tone_shares.items())
               + ". Quotes are spread over tones and codes in proportion, critical ones included; scrubbed of "
               f"names, contact details and addresses; attributed only to groups of {suppress_n} or more.")
    for reason, n in bank.left_out.items():
        st.caption(f"Left out: {n:,} ({reason})")
    if len(bank.quotes):
        table = bank.quotes[["quote", "attribution", "tone", "codes", "status", "why"]].copy()
        config = {"status": st.column_config.SelectboxColumn("status", options=["proposed", "approved", "rejected"],
                                                             required=True),
                  "quote": st.column_config.TextColumn("quote", help="edit to shorten; it is scrubbed again on save",
                                                       width="large")}
        edited = st.data_editor(table, hide_index=True, width="stretch", column_config=config, key=K.QUOTES,
                                disabled=["attribution", "tone", "codes", "why"])
        if st.button("Save the decisions", type="primary", key=K.SAVE_QUOTES):
            changed = [{"comment_id": cid, "status": st_, "text": q, "attribution": a}
                       for cid, st_, q, a, before in zip(bank.quotes["comment_id"], edited["status"], edited["quote"],
                                                         edited["attribution"], bank.quotes["status"])
                       if st_ != "proposed" and (st_ != before or st_ == "approved")]
            if not approver.strip():
                st.error("Type your name or initials first: every approval says who gave it.")
            elif not changed:
                st.warning("Set a quote's status to approved or rejected to save it.")
            else:
                n = comments.CommentStore(store()).decide_quotes(changed, approver)
                st.success(f"Saved {n} decision{'s' if n != 1 else ''}. Evidence packs use approved quotes only.")
                st.rerun()
    else:
        st.info("No comment in this scope can be quoted: see what was left out above.")

with agree_tab:
    people = coders(s.confirmed)
    if len(people) < 2:
        st.info(f"Agreement needs two people who coded the same comments: each codes the agreement sample "
                f"({SAMPLE} comments) on the first tab. Coders so far: {', '.join(people) or 'none'}.")
    else:
        left, right = st.columns(2)
        a = left.selectbox("First coder", people, key=K.CODER_A)
        b = right.selectbox("Second coder", [p for p in people if p != a], key=K.CODER_B)
        result = agreement(s.confirmed, a, b, s.codebook)
        if not result.n:
            st.info(f"{as_text(a)} and {as_text(b)} have not coded any of the same comments yet.")
        else:
            tone = result.tone_kappa
            st.metric("Agreement on tone (Cohen's kappa)", "not defined" if tone is None else f"{tone:.2f}",
                      border=True)
            st.caption(f"n = {result.n:,} comments coded by both; kappa 0 = chance agreement, 1 = perfect; "
                       f"{kappa_words(tone)} agreement on the Landis & Koch (1977) scale.")
            st.dataframe(result.codes, hide_index=True, width="stretch")
            st.caption("Kappa per code: whether both gave the code to the same comments, beyond chance. Codes with "
                       "low kappa need clearer descriptions or example phrases in the codebook.")

with book_tab:
    st.caption("Codes staff can use, and the phrases that suggest them. Kind: Generic Learning Outcome, survey "
               "outcome, feedback or theme; outcome: the survey item whose rate is shown beside the code's count. "
               "Phrases are separated by ';', a trailing * matches any ending (learn* = learned, learning).")
    frame = cb.to_frame(s.codebook)
    config = {"kind": st.column_config.SelectboxColumn("kind", options=list(cb.KINDS), required=True),
              "phrases": st.column_config.TextColumn("phrases", width="large")}
    edited = st.data_editor(frame, hide_index=True, width="stretch", num_rows="dynamic", column_config=config,
                            key=K.CODEBOOK)
    left, mid, right = st.columns(3)
    if left.button("Save the codebook", type="primary", key=K.SAVE_CODEBOOK):
        codes, problems = cb.from_frame(edited)
        if problems:
            for p in problems:
                st.error(as_text(f"Row {p.row - 1 if p.row else '?'}, {p.column}: {p.message}. Fix: {p.fix}"))
        elif not codes:
            st.error("The codebook would be empty: keep at least one code.")
        else:
            comments.CommentStore(store()).save_codebook(codes, st.session_state.get(K.CODER, ""))
            st.success(f"Saved {len(codes)} codes. Confirmed codings keep their codes.")
            st.rerun()
    mid.download_button("Download the codebook (xlsx)", cb.to_sheet(s.codebook), "codebook.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                        key=K.DOWNLOAD_CODEBOOK)
    if right.button("Back to the default codebook", key=K.RESET_CODEBOOK):
        comments.CommentStore(store()).save_codebook(cb.DEFAULT, st.session_state.get(K.CODER, ""))
        st.rerun()
    upload = st.file_uploader("Upload an edited codebook sheet", type=["xlsx", "ods", "csv"], key=K.UPLOAD_CODEBOOK)
    if upload is not None:
        codes, problems = cb.from_sheet(upload.getvalue(), upload.name)
        for p in problems:
            st.error(as_text(f"{upload.name}, row {p.row or '?'}, {p.column or ''}: {p.message}. Fix: {p.fix}"))
        if codes and not problems and st.button(f"Replace the codebook with {upload.name} ({len(codes)} codes)",
                                                key=K.LOAD_CODEBOOK):
            comments.CommentStore(store()).save_codebook(codes, st.session_state.get(K.CODER, ""))
            st.success(f"Loaded {len(codes)} codes from {as_text(upload.name)}.")
            st.rerun()

st.caption(f"Codes and tone are suggestions from the codebook's phrases and the VADER sentiment lexicon until staff "
           f"confirm them. Display minimum: {settings()['min_n']} comments.")
