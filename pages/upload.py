"""Upload: a template, files in, a mapping staff can correct, a report they can act on, store, history and undo."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace

import streamlit as st

from impact import guarded, schema, templates, upload
from impact.accounts import Refused
from impact.ingest import IngestResult, Limits, Options, SheetOptions
from impact.safe_text import markdown as as_text
from ui.auth import actor, require_page
from ui.common import record_download, store

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENCODINGS = {"detect": "detect (UTF-8, UTF-16)", "cp1252": "Windows-1252 (Excel on Windows)", "utf-8": "UTF-8",
             "utf-16": "UTF-16", "latin-1": "Latin-1 (ISO-8859-1)", "mac-roman": "Mac Roman"}


class Keys:
    """Session-state keys of this page. A commit bumps ROUND: a fresh uploader, fresh editors."""

    ROUND = "upload.round"
    UPLOADER = "upload.uploader"
    ENCODING = "upload.encoding"
    RESULTS = "upload.results"  # memo of checked uploads: (files, options) -> IngestResult
    EDITOR_HEADERS = "upload.editor_headers"  # editor key -> headers in the order the editor showed them
    CORRECTED = "upload.corrected"  # table keys of sheets the user corrected in this session
    MESSAGE = "upload.message"  # (kind, text) shown once after a commit or an undo
    SEVERITY = "upload.report.severity"
    SHEETS = "upload.report.sheets"
    FORCE = "upload.force"
    COMMIT = "upload.commit"
    DATE_ORDER = "upload.date_order"
    FIXES = "upload.fixes"  # one-click choices: {'mapping': {(file, sheet): {header: column}}, 'read_as': …}
    REMOVE_DEMO = "upload.remove_demo"
    UNDO_CHOICE = "upload.undo.choice"
    UNDO_ASK = "upload.undo.ask"
    CONFIRM_UNDO = "upload.undo.confirm"

    @staticmethod
    def files(round_: int) -> str:
        return f"upload.files.{round_}"

    @staticmethod
    def table(round_: int, file: str, sheet: str) -> str:
        return f"upload.table.{round_}.{file}.{sheet}"

    @staticmethod
    def editor(round_: int, file: str, sheet: str, table: str | None) -> str:
        return f"upload.mapping.{round_}.{file}.{sheet}.{table}"

    @staticmethod
    def default(round_: int, file: str, sheet: str, column: str) -> str:
        return f"upload.default.{round_}.{file}.{sheet}.{column}"


@dataclass
class SheetChoice:
    """One sheet's table and header overrides, and where they came from."""

    table: str | None
    default: str | None
    overrides: dict
    recalled: dict | None
    corrected: bool = False  # changed by the user in this session (and so remembered)


def checked(files: list[tuple[str, bytes]], options: Options, max_mb: float, encoding: str | None = None) -> IngestResult:
    """Read and check the files once per set of choices (kept in this session), with a progress bar."""
    memo = st.session_state.setdefault(Keys.RESULTS, {})
    key = (tuple((name, hashlib.sha256(data).hexdigest()) for name, data in files), repr(options), max_mb, encoding)
    if key not in memo:
        slot = st.empty()
        bar = slot.progress(0.0, "Reading and checking…")
        limits = Limits.from_settings(store().settings(), isolate=True, max_upload_mb=max_mb,  # a capped worker
                                      encoding=encoding)
        memo[key] = upload.read_upload(files, options, progress=lambda f, text: bar.progress(f, text), limits=limits)
        slot.empty()
        while len(memo) > 4:
            memo.pop(next(iter(memo)))
    return memo[key]


def fixes() -> dict:
    """The one-click choices made on this page (kept until the upload is stored)."""
    return st.session_state.setdefault(Keys.FIXES, {"mapping": {}, "read_as": {}, "own": [], "codes": [],
                                                    "renames": {}})


def sheet_defaults(summary, round_: int) -> dict[str, str]:
    """The values typed for columns this sheet leaves out (the CLI's --set, for one sheet)."""
    out = {}
    for column in upload.default_columns(summary.table):
        value = st.session_state.get(Keys.default(round_, summary.file, summary.sheet, column), "")
        if isinstance(value, str) and value.strip():
            out[column] = value.strip()
    return out


def sheet_choice(db, summary, round_: int) -> SheetChoice:
    """The table and overrides for one sheet: what the user chose in this session, else what was remembered
    for these headers, else what ingest detected. A correction is remembered at once."""
    headers = upload.sheet_headers(summary)
    recalled = db.recall_mapping(headers) if headers else None
    default = recalled["table"] if recalled and recalled["table"] is not None else summary.table
    table_key = Keys.table(round_, summary.file, summary.sheet)
    table = st.session_state.get(table_key, default)
    editor_key = Keys.editor(round_, summary.file, summary.sheet, table)
    shown = st.session_state.get(Keys.EDITOR_HEADERS, {}).get(editor_key, headers)
    edits = upload.overrides_from_edits(shown, st.session_state.get(editor_key, {}).get("edited_rows", {}), table)
    remembered = recalled["mapping"] if recalled and recalled["table"] == table else {}
    corrected_sheets = st.session_state.setdefault(Keys.CORRECTED, set())
    # the user chose another table than the remembered or detected one, or edited the mapping (the editor
    # may drop its edits once its data changes: they are remembered by then, and come back as `remembered`)
    if table != default or edits:
        corrected_sheets.add(table_key)
    corrected = table_key in corrected_sheets
    clicked = fixes()["mapping"].get((summary.file, summary.sheet), {})
    if clicked:
        corrected_sheets.add(table_key)
        corrected = True
    choice = SheetChoice(table, default, {**remembered, **clicked, **edits}, recalled, corrected and bool(headers))
    if choice.corrected and (recalled is None or recalled["table"] != table
                             or recalled["mapping"] != choice.overrides):
        db.remember_mapping(headers, table, choice.overrides)
    return choice


def sheet_editor(db, f, summary, choice: SheetChoice, round_: int, result_now: IngestResult) -> None:
    """Which table the sheet holds, and each header's column, in an editor the user can correct; the
    report's one-click fixes for it, and values for columns it leaves out."""
    with st.container(border=True):
        where = f"header on row {summary.header_row}" if summary.header_row else "not read"
        st.markdown(f"**{as_text(summary.file)} › {as_text(summary.sheet)}** · {summary.rows:,} rows · {where}")
        options = upload.table_choices()
        st.selectbox("This sheet holds", options, key=Keys.table(round_, summary.file, summary.sheet),
                     index=options.index(choice.default) if choice.default in options else None,
                     format_func=upload.table_label, placeholder="(choose a table)",
                     help="Which of the canonical tables this sheet is. Choose '(do not import this sheet)' for "
                          "notes or anything that is not data.")
        if choice.corrected:
            st.caption("✓ Remembered: the next file with these headers will be read this way.")
        elif choice.recalled:
            st.caption(f"Read with the mapping remembered on {choice.recalled['saved_at']:%d %b %Y} for these "
                       "headers.")
        if summary.table not in schema.TABLES or not summary.mapping:
            return
        rows = upload.mapping_rows(summary, f.personal_columns)
        values = upload.column_choices(summary.table, summary)
        values += [v for v in rows[upload.MAPPING_COLUMNS[1]] if v not in values]
        editor_key = Keys.editor(round_, summary.file, summary.sheet, summary.table)
        st.session_state.setdefault(Keys.EDITOR_HEADERS, {})[editor_key] = upload.editor_keys(summary)
        st.data_editor(
            rows, key=editor_key, hide_index=True, width="stretch", num_rows="fixed",
            disabled=[upload.MAPPING_COLUMNS[0], upload.MAPPING_COLUMNS[2]],
            column_config={upload.MAPPING_COLUMNS[1]: st.column_config.SelectboxColumn(
                options=values, format_func=upload.choice_label, required=False,
                help="Click to choose the column this header is imported as, or '(not imported)'")})
        one_click(result_now, summary, round_)
        left_out(summary, round_)


def one_click(result: IngestResult, summary, round_: int) -> None:
    """The report's suggestions for this sheet as buttons: each applies one choice to every row it concerns."""
    chosen = fixes()
    where = (summary.file, summary.sheet)
    for header, column in summary.suggestions.items():
        if st.button(f"Read '{header}' as {upload.choice_label(column).lower()}", icon=":material/auto_fix:",
                     key=f"upload.fix.map.{round_}.{summary.file}.{summary.sheet}.{header}",
                     help="The header is only similar to this column's name; apply it if that is what it holds"):
            chosen["mapping"].setdefault(where, {})[header] = column
            st.rerun()
    for column, header, value, guess, count in summary.value_suggestions:
        if st.button(f"Read '{value}' as {guess} ({count} row{'s' if count > 1 else ''})", icon=":material/spellcheck:",
                     key=f"upload.fix.value.{round_}.{summary.file}.{summary.sheet}.{header}.{value}",
                     help=f"'{value}' is not one of the fixed values of {column}: did you mean {guess}?"):
            chosen["read_as"].setdefault(column, {})[value] = guess
            st.rerun()
    if summary.agreement_left:
        listed = ", ".join(summary.agreement_left[:6]) + (" …" if len(summary.agreement_left) > 6 else "")
        if st.button(f"Keep {len(summary.agreement_left)} agreement column{'s' if len(summary.agreement_left) > 1 else ''}"
                     f" as your own outcomes ({listed})", icon=":material/add_task:",
                     key=f"upload.fix.own.{round_}.{summary.file}.{summary.sheet}"):
            chosen["own"].extend(h for h in summary.agreement_left if h not in chosen["own"])
            st.rerun()
    for p in upload.sheet_problems(result, summary, "missing-value-codes"):
        header = p.column or "*"
        if st.button(f"Read the codes {p.value} in '{p.column or 'these columns'}' as missing", icon=":material/block:",
                     key=f"upload.fix.codes.{round_}.{summary.file}.{summary.sheet}.{header}"):
            chosen["codes"].append(header)
            st.rerun()


def renames(result: IngestResult) -> None:
    """A box per name that held personal data: the name to store instead of the scrubbed one."""
    scrubbed = [(f.name, *n) for f in result.files for n in f.scrubbed_names]
    chosen = fixes().setdefault("renames", {})
    if not scrubbed and not chosen:
        return
    with st.expander(f"Rename names that held personal data ({len(scrubbed)})", expanded=bool(scrubbed)):
        st.caption("These names held contact details or a person's name, so they would be stored scrubbed (as "
                   "shown). Type the name to store instead, in every row; it is checked again.")
        for file, column, old, clean, found in scrubbed:
            typed = st.text_input(f"{column.replace('_', ' ')} stored as '{clean}' (it held {found})", value=clean,
                                  key=f"upload.rename.{file}.{column}.{old}")
            if typed.strip() and typed.strip() != clean:
                chosen[old] = typed.strip()
                st.rerun()
        for new in chosen.values():
            st.caption(f"Renamed: stored as '{as_text(new)}' in every row.")


def left_out(summary, round_: int) -> None:
    """Values for columns the sheet leaves out (the CLI's --set), for this sheet only."""
    columns = upload.default_columns(summary.table)
    if not columns:
        return
    given = sheet_defaults(summary, round_)
    with st.expander("Values the file leaves out" + (f" ({len(given)} given)" if given else ""),
                     expanded=bool(given)):
        st.caption("A value for every row of this sheet that leaves the column blank, or for a column the sheet "
                   "does not have (e.g. the programme all these responses are for, or the year of month columns).")
        cells = st.columns(min(3, len(columns)))
        for i, column in enumerate(columns):
            cells[i % len(cells)].text_input(upload.choice_label(column), key=Keys.default(
                round_, summary.file, summary.sheet, column))


def report(result: IngestResult, plan: upload.UploadPlan) -> None:
    problems = upload.problems_table(result)
    errors, warnings = (problems["severity"] == "error").sum(), (problems["severity"] == "warning").sum()
    cards = st.columns(3)
    cards[0].metric("Errors to fix", f"{errors:,}", help="errors block storing; fix them in the file or the mapping")
    cards[1].metric("Warnings", f"{warnings:,}", help="worth a look; they do not block storing")
    cards[2].metric("Rows ready to store", f"{plan.total_rows:,}")
    if problems.empty:
        st.success("No problems found.")
    else:
        left, right = st.columns(2)
        severities = left.multiselect("Show", ["error", "warning"], default=["error", "warning"], key=Keys.SEVERITY)
        sheets = right.multiselect("Sheets", sorted(problems["sheet"].dropna().unique()), key=Keys.SHEETS,
                                   placeholder="all sheets")
        shown = upload.filter_problems(problems, severities, sheets)
        lines = upload.fix_list(shown)
        with st.container(height=min(420, 60 + 48 * len(lines)) if len(lines) > 3 else "content", border=False):
            for line in lines:
                st.markdown("- " + line)
        st.dataframe(upload.problems_shown(shown), hide_index=True, width="stretch", column_order=[
            "severity", "sheet", "row", "column", "value", "problem", "fix", "file", "code"], column_config={
            "row": st.column_config.TextColumn("row", help="the row number your spreadsheet shows"),
            "problem": st.column_config.TextColumn("problem", width="large"),
            "fix": st.column_config.TextColumn("how to fix it", width="large")})
        st.download_button("Download this report (.xlsx)", upload.report_workbook(shown), "validation_report.xlsx",
                           XLSX, on_click="ignore")
    previews = upload.preview_frames(result)
    if previews:
        st.markdown("**The cleaned rows, as they will be stored**")
        for tab, (table, frame) in zip(st.tabs([t.replace("_", " ") for t in previews]), previews.items()):
            total = len(result.frame(table))
            tab.dataframe(frame, hide_index=True, width="stretch")
            tab.caption(f"{'First ' + str(len(frame)) + ' of ' if total > len(frame) else ''}{total:,} rows; "
                        "'row' is the spreadsheet's own row number. Blank means not recorded.")
    new = {t: names for t, names in plan.created.items() if names}
    if new:
        st.markdown("**What will be created**")
        for table, names in new.items():
            hint = (" They will have no partnership type: add them to a Partners sheet to say which kind."
                    if table == "partners" else " Add them to a Programmes sheet to give their theme and branch.")
            st.markdown(f"New {table} ({len(names)}): {as_text(', '.join(names))}.{hint}")
    elif result.ok:
        st.caption("No new partners or programmes will be created: every one named is already stored or defined "
                   "in this upload.")


def commit(db, result: IngestResult, plan: upload.UploadPlan, uploader: str) -> None:
    if not result.ok:
        st.error(f"{len(result.errors):,} errors must be fixed before anything is stored. Correct the column "
                 "mapping above, or fix the spreadsheet and upload it again.")
    for dup in plan.duplicates:
        st.warning(f"{as_text(dup['file'])} was already uploaded on {upload.when(dup['first_uploaded'])}"
                   f"{upload.same_as(dup)} (batch {dup['batch_id']}). It will not be stored twice unless you say so.")
    force = st.checkbox("Store it again anyway", key=Keys.FORCE) if plan.duplicates else False
    st.caption(f"Ready: {upload.rows_text(plan.rows)}." if result.ok else "")
    if st.button("Store this upload", type="primary", key=Keys.COMMIT, disabled=not result.ok or not plan.total_rows):
        with st.spinner("Storing…"):
            outcome = guarded.commit_upload(db, actor(), result, force=force, uploader=uploader)
        if outcome.ok:
            st.session_state[Keys.MESSAGE] = ("success", as_text(upload.commit_summary(outcome)))
            st.session_state[Keys.ROUND] += 1
            st.session_state.pop(Keys.RESULTS, None)
            st.session_state.pop(Keys.FIXES, None)
            st.rerun()
        st.error(as_text(upload.commit_summary(outcome)))


def history(db) -> None:
    st.header("Upload history")
    batches = db.batches()
    if batches.empty:
        st.caption("Nothing has been uploaded yet.")
        return
    st.dataframe(upload.history_table(batches), hide_index=True, width="stretch")
    demo = upload.remove_demo_offer(batches)
    if demo and actor().may("undo-any"):  # the demo's batches are no one's own upload
        st.info("The demo library service is still stored beside your own data, and counts in every page and "
                "export.")
        if st.button("Remove the demo data", key=Keys.REMOVE_DEMO, icon=":material/delete_sweep:",
                     help="Undo the demo's uploads (they stay in the history, marked undone)"):
            removed = {}
            for batch in demo:
                for table, n in guarded.undo(db, actor(), batch).items():
                    removed[table] = removed.get(table, 0) + n
            st.session_state[Keys.MESSAGE] = ("success", f"Removed the demo data: {upload.rows_text(removed)}.")
            st.rerun()
    active = guarded.undoable(batches, actor()).sort_values("id", ascending=False)  # staff: their own
    if active.empty:
        return
    labels = {int(r.id): f"Batch {r.id} · {r.file_name} · {upload.rows_text(r.rows)}" for r in active.itertuples()}
    chosen = st.selectbox("Undo a whole upload", list(labels), format_func=labels.get, index=None,
                          placeholder="choose an upload", key=Keys.UNDO_CHOICE)
    if st.button("Undo this upload…", disabled=chosen is None, key=Keys.UNDO_ASK):
        st.session_state[Keys.CONFIRM_UNDO] = chosen
    asked = st.session_state.get(Keys.CONFIRM_UNDO)
    if asked is not None and asked == chosen:
        st.warning(f"Undo {as_text(labels[asked])}? Every row it stored leaves every page and export at once. It stays in "
                   "the history, marked undone, and the same file can be uploaded again.")
        yes, no = st.columns([1, 4])
        if yes.button(f"Yes, undo batch {asked}", type="primary"):
            st.session_state.pop(Keys.CONFIRM_UNDO, None)
            try:
                removed = guarded.undo(db, actor(), asked)
            except Refused as e:
                st.session_state[Keys.MESSAGE] = ("error", str(e))
                st.rerun()
            st.session_state[Keys.MESSAGE] = ("success", f"Undone batch {asked}: removed {upload.rows_text(removed)}.")
            st.rerun()
        if no.button("Cancel"):
            st.session_state.pop(Keys.CONFIRM_UNDO, None)
            st.rerun()
    kept = active[active["original_kept"].astype(bool)]
    if chosen is not None and chosen in set(kept["id"].astype(int)):
        name = labels[chosen].split(" · ")[1]
        st.download_button("Download the original file", db.original(chosen), name, on_click=record_download,
                           args=(f"original of batch {chosen}: {name}",))


require_page("upload")
st.title("Upload")
st.caption("Bring in your spreadsheets: see how each column is read, fix what the report names, then store them. "
           "Nothing is stored until you press Store.")
db = store()
round_ = st.session_state.setdefault(Keys.ROUND, 0)
if message := st.session_state.pop(Keys.MESSAGE, None):
    getattr(st, message[0])(message[1])
    st.page_link("pages/overview.py", label="See the overview", icon=":material/insights:")

st.header("1 · Start from the template (optional)")
left, right = st.columns(2)
left.download_button("Download the template workbook (.xlsx)", templates.template_workbook(),
                     "beyond_footfall_template.xlsx", XLSX, on_click="ignore", icon=":material/download:")
left.caption("A sheet per table with notes on every header, example rows and dropdowns for fixed values.")
right.download_button("Download a blank survey form (.txt)", templates.survey_form().encode("utf-8"),
                      "survey_form.txt", "text/plain", on_click="ignore", icon=":material/description:")
right.caption("The four outcome questions, word for word as the template's survey headers, to print.")
right.download_button("Download a blank partnership health check (.txt)",
                      templates.health_check_form().encode("utf-8"), "partnership_health_check.txt", "text/plain",
                      on_click="ignore", icon=":material/handshake:")
right.caption("Five statements each side of a partnership answers (1-5), as the template's health check sheet.")

st.header("2 · Upload your files")
max_mb = float(db.setting("max_upload_mb"))
uploaded = st.file_uploader(
    f"Spreadsheets ({', '.join(upload.ACCEPTED_TYPES)}); up to {max_mb:g} MB each",
    type=list(upload.ACCEPTED_TYPES), accept_multiple_files=True, key=Keys.files(round_),
    max_upload_size=max(1, math.ceil(max_mb)),
    help="Several files, and several sheets per workbook, are checked and stored together as one upload.")
left, right = st.columns(2)
if actor().signed_in:  # the upload history records the signed-in email
    uploader = actor().name
    left.caption(f"Uploading as {uploader}")
else:
    uploader = left.text_input("Your name or initials, for the upload history", key=Keys.UPLOADER)
ORDERS = ("day first (UK): 03/04/2025 is 3 April", "month first (US): 03/04/2025 is March 4")
order = right.radio("Dates like 03/04/2025 are", ORDERS, index=None, key=Keys.DATE_ORDER, horizontal=False,
                    help="Only dates whose day and month are both 12 or less can be read two ways; the report says "
                         "when a column holds only such dates. Not chosen: the dayfirst setting decides.")
encoding = right.selectbox("Text encoding of CSV files", list(ENCODINGS), format_func=ENCODINGS.get, key=Keys.ENCODING,
                           help="Leave on 'detect': a file that is not UTF-8 is reported with the rows and a guess. "
                                "Choose an encoding when the report asks you to.")

if not uploaded:
    st.info("Choose one or more files above (or drag them in). You will see how they are read before anything "
            "is stored.")
else:
    files = [(f.name, f.getvalue()) for f in uploaded]
    chosen = fixes()
    dayfirst = order == ORDERS[0] if order else db.setting("dayfirst") != "false"
    options = Options(dayfirst=dayfirst, date_order_chosen=order is not None, read_as=chosen["read_as"],
                      own_outcomes=tuple(chosen["own"]), codes_missing=tuple(chosen["codes"]),
                      renames=chosen.setdefault("renames", {}))
    encoding = None if encoding == "detect" else encoding
    base = checked(files, options, max_mb, encoding)
    choices = {}
    sheet_choices = {}
    for summary in base.sheets:
        choice = sheet_choice(db, summary, round_)
        sheet_choices[summary.file, summary.sheet] = choice
        given = sheet_defaults(summary, round_)
        if choice.table != summary.table or choice.overrides or given:
            choices[summary.file, summary.sheet] = SheetOptions(choice.table, choice.overrides, given)
    result = checked(files, replace(options, sheets=choices), max_mb, encoding) if choices else base
    plan = upload.plan(result, db)

    st.header("3 · Validation report")
    report(result, plan)
    renames(result)

    st.header("4 · Check how each sheet is read")
    st.caption("Each header of your file and the column it is imported as (a pre/post pair, or a run of month "
               "columns, is one row). Wrong? Click the cell in 'Imported as' and choose; your correction is "
               "remembered for the next file with the same headers.")
    for f in result.files:
        for summary in f.sheets:
            choice = sheet_choices.get((summary.file, summary.sheet))
            if choice is not None:
                sheet_editor(db, f, summary, choice, round_, result)
    unread = [f for f in result.files if not f.sheets]
    for f in unread:
        st.error(f"{as_text(f.name)}: could not be read; see the report above.")

    st.header("5 · Store it")
    commit(db, result, plan, uploader)

history(db)
