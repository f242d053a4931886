"""Evidence: pick a scope and build a pack for a funder (workbook, PDF report, chart images, statements)."""
import datetime as dt

import streamlit as st

from impact import comments, guarded, schema
from impact.export import FORMATS
from impact.filters import Filters
from impact.safe_text import markdown as as_text
from ui.auth import require_page
from ui.common import current, store


class Keys:
    """Session keys of this page."""

    PACK = "evidence_pack_zip"
    STATEMENTS = "evidence_pack_statements"
    LEFT_OUT = "evidence_pack_left_out"


who = require_page("export")
st.title("Evidence")
st.caption("An evidence pack for a funder or council, for the scope you choose: an Excel workbook with native "
           "charts, a PDF report, chart images and ready-made statements, safe to share.")

url, version, frames = current()
programmes = frames.get("programmes")
if programmes is None or not len(programmes):
    st.info("No programmes are loaded yet: upload your spreadsheets first.")
    st.page_link("pages/upload.py", label="Upload a spreadsheet", icon=":material/upload_file:")
    st.stop()


def _options(table: str, column: str) -> list[str]:
    frame = frames.get(table)
    if frame is None or column not in frame:
        return []
    return sorted({str(v) for v in frame[column].dropna() if str(v).strip()})


dates = frames["attendance"]["session_date"].dropna() if "session_date" in frames.get("attendance", {}) else []
first = dates.min().date() if len(dates) else dt.date(2020, 1, 1)
last = dates.max().date() if len(dates) else dt.date.today()

with st.form("evidence_scope"):
    period = st.date_input("Period", value=(first, last), min_value=first, max_value=last, key="evidence_period")
    cols = st.columns(2)
    themes = cols[0].multiselect("Themes", _options("programmes", "theme"), key="evidence_themes")
    branches = cols[1].multiselect("Branches", _options("programmes", "branch"), key="evidence_branches")
    partners = cols[0].multiselect("Partners", _options("partners", "name"), key="evidence_partners")
    types = cols[1].multiselect("Partnership types", list(schema.PARTNERSHIP_TYPES), key="evidence_types")
    chosen = st.multiselect("Programmes", _options("programmes", "name"), key="evidence_programmes")
    formats = st.multiselect("Files", list(FORMATS), default=list(FORMATS), key="evidence_formats",
                             help="xlsx workbook, pdf report, png chart images, txt statements, csv tables")
    build = st.form_submit_button("Build the evidence pack", type="primary")

if build:
    start, end = (period if isinstance(period, tuple) and len(period) == 2 else (first, last))
    filters = Filters(date_from=None if start == first else start, date_to=None if end == last else end,
                      themes=themes, branches=branches, partners=partners, partnership_types=types,
                      programmes=chosen, fy_start_month=int(store().setting("fy_start_month") or 4))
    bar = st.progress(0.0, text="Starting")
    pack = guarded.export_pack(store(), who, frames, filters, formats or FORMATS,
                               progress=lambda share, what: bar.progress(min(share, 1.0), text=what),
                               comments=comments.load(store()))
    st.session_state[Keys.PACK] = pack.zip()
    st.session_state[Keys.STATEMENTS] = [s.text for s in pack.evidence.statements]
    st.session_state[Keys.LEFT_OUT] = list(pack.evidence.left_out)
    bar.empty()

if Keys.PACK in st.session_state:
    st.success(f"The pack is ready: {len(st.session_state[Keys.STATEMENTS])} statements.")
    st.download_button("Download the evidence pack (zip)", st.session_state[Keys.PACK], "evidence-pack.zip",
                       "application/zip", on_click="ignore", type="primary", key="evidence_download")
    st.subheader("What the evidence says")
    for text in st.session_state[Keys.STATEMENTS]:
        st.markdown(f"- {as_text(text)}")
    for note in st.session_state[Keys.LEFT_OUT]:
        st.caption(f"Left out: {as_text(note)}")
    st.caption("Self-reported survey answers from those who chose to answer, with no comparison group: a direction "
               "of change, not proof of cause. Cells describing fewer than "
               f"{store().setting('suppress_n')} people are suppressed ([c]) in every file.")
