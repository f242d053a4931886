"""Overview: what the library's work reached and changed, beyond footfall."""
import pandas as pd
import streamlit as st

from impact import charts
from pages.common import current, headline, store

st.title("Overview")
st.caption("What the library's programmes reached and what changed for people: beyond footfall.")

url, version, data = current()
min_n = int(store().setting("min_n"))
summary = headline(url, version, min_n)
reach = summary["reach"]
counts = summary["counts"]

if not reach["attendance"] and not counts["survey_responses"]:
    st.info("No attendance or survey responses are loaded yet: upload a spreadsheet, or load the demo with "
            "`python -m impact demo`.")
    st.page_link("pages/upload.py", label="Upload a spreadsheet", icon=":material/upload_file:")
    st.stop()

cols = st.columns(6)
cols[0].metric("Attendance", f"{reach['attendance']:,}", help="people at sessions (outputs)")
cols[1].metric("Sessions", f"{reach['sessions']:,}")
cols[2].metric("New to the library", f"{reach['new_attendees']:,}")
cols[3].metric("Partners", f"{counts['partners']:,}")
cols[4].metric("Programmes", f"{counts['programmes']:,}")
cols[5].metric("Survey responses", f"{counts['survey_responses']:,}", help="all waves: before, after and follow-up")
if reach["not_recorded"]:
    st.caption(f"{reach['not_recorded']:,} attendance rows were not recorded; they are left out, not counted as zero.")

st.subheader("Outcomes: what changed for people")
table = charts.outcome_table(summary["outcomes"], min_n)
if table.empty:
    st.info("No survey responses for these programmes yet: upload some to see outcomes.")
else:
    st.plotly_chart(charts.outcome_bars(table), width="stretch")
    st.caption(f"Share answering agree or strongly agree among {counts['post_responses']:,} after-session survey "
               "responses (n for each outcome in the table); bars show 95% Wilson intervals. Self-reported, a convenience sample: "
               "a direction of change, not proof of cause.")
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button("Download this table (CSV)", table.to_csv(index=False).encode("utf-8"),
                       "outcomes.csv", "text/csv", on_click="ignore")

st.subheader("What data is loaded")
batches = store().batches()
active = batches[batches["undone_at"].isna()] if len(batches) else batches
if len(active):
    latest = pd.to_datetime(active["uploaded_at"]).max()
    st.caption(f"{len(active)} uploads, the latest on {latest:%d %B %Y at %H:%M}.")
    shown = active[["id", "file_name", "uploaded_at", "uploader", "rows"]].rename(
        columns={"id": "batch", "file_name": "file", "uploaded_at": "uploaded"})
    shown["rows"] = shown["rows"].map(lambda r: ", ".join(f"{n:,} {t.replace('_', ' ')}" for t, n in r.items()))
    st.dataframe(shown, hide_index=True, width="stretch")
