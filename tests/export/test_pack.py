"""The whole evidence pack on the demo data, plus a tiny programme run with a partner whose name is a
formula, and survey comments holding personal data: what a funder receives must be safe to share."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest

from impact import indicators
from impact.export import export_pack
from impact.export.disclosure import SUPPRESSED
from impact.export.images import stop
from impact.filters import Filters
from impact.store import Store, load_demo

FORMULA = '=HYPERLINK("http://x","y")'
PERSONAL = ("jo.bloggs@example.org", "07700 900123", "Sarah Jones", "Mrs Patel")


def _with_test_rows(frames: dict) -> dict:
    frames = {k: v.copy() for k, v in frames.items()}
    add = {
        "partners": {"partner_id": "hyperlink", "name": FORMULA, "partnership_type": "community", "batch_id": 1},
        "programmes": {"programme_id": "tiny-club", "name": "Tiny Club", "theme": "Reading for pleasure",
                       "branch": "Central", "library_cost": 100.0, "batch_id": 1},
        "programme_partners": {"programme": "Tiny Club", "partner": FORMULA, "role": "co-delivery",
                               "staff_hours": 2.0, "cash": 0.0, "in_kind": 0.0, "promoted": True, "credited": True,
                               "batch_id": 1},
        "attendance": {"programme": "Tiny Club", "session_date": pd.Timestamp("2024-05-01"), "attendees": 3,
                       "sessions": 1, "batch_id": 1},
    }
    for table, row in add.items():
        frames[table] = pd.concat([frames[table], pd.DataFrame([row])], ignore_index=True)
    responses = frames["survey_responses"]
    comments = ["Thanks to Sarah Jones, email jo.bloggs@example.org", "Call me on 07700 900123",
                "Mrs Patel was so helpful"] * 20  # repeated, so they would be the most frequent quotes
    responses.loc[responses.index[:len(comments)], "comment_benefit"] = comments
    return frames


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    store = Store(f"sqlite:///{folder / 'x.db'}")
    load_demo(store)
    frames = _with_test_rows(store.frames())
    pack = export_pack(frames, Filters(), store.settings(), store.batches(),
                       formats=("xlsx", "pdf", "png", "txt", "csv"))
    stop()
    yield store, frames, pack, folder


def _pdf_text(pdf: bytes, folder) -> str:
    path = folder / "pack.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    text = re.sub(r"Evidence of impact · page \d+ of \d+", " ", text.decode("utf-8"))  # footers
    return re.sub(r"\s+", " ", text)


def _all_text(pack, folder) -> dict[str, str]:
    """Every file of the zip as searchable text (xlsx: its XML parts; pdf: pdftotext; png: raw bytes)."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(pack.zip())) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(data)) as x:
                    found[name] = " ".join(x.read(n).decode("utf-8", "replace") for n in x.namelist())
            elif name.endswith(".pdf"):
                found[name] = _pdf_text(data, folder)
            else:
                found[name] = data.decode("utf-8", "replace")
    return found


def test_the_workbook_has_every_sheet_native_charts_and_the_statements(demo):
    pack = demo[2]
    wb = openpyxl.load_workbook(io.BytesIO(pack.files["evidence-pack.xlsx"]))
    assert wb.sheetnames == ["Summary", "Reach", "Outcomes", "Value", "Equity", "Partners", "What people said",
                             "Methodology", "Sources",
                             "Data dictionary"]
    assert sum(len(ws._charts) for ws in wb) == len(pack.evidence.charts) >= 6
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value]
    for s in pack.evidence.statements:
        assert s.text in summary
    assert wb["Reach"].freeze_panes == "B3"
    sources = [c.value for c in wb["Sources"]["B"]]
    assert "westfield_surveys.xlsx" in sources


def test_outcome_statements_match_the_indicators(demo):
    _, frames, pack, _ = demo
    ind = indicators.compute(frames, Filters(), min_n=10)
    texts = [s.text for s in pack.evidence.statements if s.kind == "outcome"]
    confidence = ind.outcomes["confidence"]
    expected = (f"{100 * confidence.positive_rate:.0f}% of {confidence.n:,} post-session responses (95% CI "
                f"{100 * confidence.ci_low:.0f}–{100 * confidence.ci_high:.0f}%, allowing for clustering within "
                "programmes) said they feel more confident")
    assert any(t.startswith(expected) for t in texts)
    wb = openpyxl.load_workbook(io.BytesIO(pack.files["evidence-pack.xlsx"]))
    rows = list(wb["Outcomes"].iter_rows(min_row=2, values_only=True))
    header = rows[0]
    row = next(r for r in rows if r[0] == "More confident")
    assert row[header.index("n")] == confidence.n
    assert row[header.index("positive rate %")] == round(100 * confidence.positive_rate, 1)


def test_the_pdf_says_every_statement(demo):
    _, _, pack, folder = demo
    text = _pdf_text(pack.files["evidence-pack.pdf"], folder)
    for s in pack.evidence.statements:
        assert re.sub(r"\s+", " ", s.text) in text
    assert "Methodology" in text and "westfield_attendance.xlsx" in text


def test_the_tiny_programme_is_suppressed_with_a_complement_so_totals_cannot_reveal_it(demo):
    _, _, pack, _ = demo
    table = pack.evidence.table("reach_by_programme")
    assert 3.0 in table.hidden
    column = table.frame["attendance"]
    assert table.frame.loc[table.frame["programme"] == "Tiny Club", "attendance"].item() == SUPPRESSED
    assert (column == SUPPRESSED).sum() >= 2
    csv = pd.read_csv(io.BytesIO(pack.files["tables/reach_by_programme.csv"]), encoding="utf-8-sig", dtype=str)
    assert csv.loc[csv["programme"] == "Tiny Club", "attendance"].item() == SUPPRESSED
    wb = openpyxl.load_workbook(io.BytesIO(pack.files["evidence-pack.xlsx"]))
    cells = [r for r in wb["Reach"].iter_rows(values_only=True) if r[0] == "Tiny Club"]
    assert cells and SUPPRESSED in cells[0]


def test_no_personal_string_or_respondent_id_in_any_file_of_the_pack(demo):
    _, frames, pack, folder = demo
    ids = set(frames["survey_responses"]["respondent_id"].dropna().astype(str))
    ids |= set(frames["attendance"]["participant_id"].dropna().astype(str))
    assert ids  # the demo pairs before and after by respondent id
    pattern = re.compile("|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True)))
    for name, text in _all_text(pack, folder).items():
        for personal in PERSONAL:
            assert personal not in text, (name, personal)
        assert not pattern.search(text), (name, pattern.search(text).group())


def test_a_partner_named_as_a_formula_comes_out_as_text(demo):
    _, _, pack, _ = demo
    wb = openpyxl.load_workbook(io.BytesIO(pack.files["evidence-pack.xlsx"]))
    cells = [c for row in wb["Partners"].iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and not c.value.startswith("=") for c in cells)
    for name, data in pack.files.items():
        if name.endswith(".csv"):
            for line in data.decode("utf-8-sig").splitlines():
                for field in line.split(","):
                    assert not field.strip('"').startswith(("=", "+", "@")), (name, line)
    partners = pd.read_csv(io.BytesIO(pack.files["tables/partnership_parties.csv"]), encoding="utf-8-sig",
                           dtype=str)
    assert f"'{FORMULA}" in partners["party"].tolist()


def test_every_chart_is_a_png(demo):
    _, _, pack, _ = demo
    pngs = [n for n in pack.files if n.endswith(".png")]
    assert len(pngs) == len(pack.evidence.charts)
    assert all(pack.files[n].startswith(b"\x89PNG") for n in pngs)


def test_the_cli_writes_the_pack_for_a_scope(demo, tmp_path):
    from impact.cli import main

    store, _, _, _ = demo
    code = main(["export", "--db", str(store.engine.url), "--format", "txt,csv", "--out", str(tmp_path),
                 "--theme", "Digital inclusion"])
    assert code == 0
    text = (tmp_path / "statements.txt").read_text()
    assert "Themes: Digital inclusion" in text and "digital inclusion programmes" in text
    assert (tmp_path / "evidence-pack.zip").exists() and (tmp_path / "tables" / "outcomes.csv").exists()
    assert main(["export", "--db", str(store.engine.url), "--format", "docx", "--out", str(tmp_path)]) == 2


def test_the_pack_passes_its_own_audit_and_the_audit_of_its_files(demo, tmp_path):
    from impact.cli import main
    from impact.export.audit import audit_pack

    _, _, pack, _ = demo
    assert pack.evidence.audit is not None and pack.evidence.audit.ok
    assert len(pack.evidence.audit.cells) >= 2  # Tiny Club and at least one complement
    path = tmp_path / "pack.zip"
    path.write_bytes(pack.zip())
    from_files = audit_pack(path)
    assert from_files.ok and len(from_files.cells) == len(pack.evidence.audit.cells)
    assert main(["audit-pack", str(path)]) == 0


def test_the_audit_of_the_files_fails_when_a_hidden_cell_is_put_back(demo, tmp_path):
    from impact.export.audit import audit_pack

    _, _, pack, _ = demo
    files = dict(pack.files)
    table = pd.read_csv(io.BytesIO(files["tables/reach_by_programme.csv"]), dtype=str, encoding="utf-8-sig")
    hidden = table.index[table["attendance"] == SUPPRESSED]
    complement = next(i for i in hidden if table.loc[i, "programme"] != "Tiny Club")
    # put back every hidden attendance except Tiny Club's: the theme row and the total then give it away
    raw = indicators.compute_by(demo[1], "programme", Filters(), min_n=10)
    by_name = {g.group: g.reach.attendance for g in raw}
    for i in hidden:
        if table.loc[i, "programme"] != "Tiny Club" and table.loc[i, "programme"] in by_name:
            table.loc[i, "attendance"] = str(by_name[table.loc[i, "programme"]])
    assert complement in hidden
    files["tables/reach_by_programme.csv"] = table.to_csv(index=False).encode("utf-8-sig")
    folder = tmp_path / "tampered"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    found = audit_pack(folder)
    assert not found.ok
    assert any(c.table == "reach_by_programme" and c.values < 5 for c in found.failures)


def test_every_file_states_the_scope_in_words_and_the_source(demo):
    _, _, pack, folder = demo
    words = "All programmes, all dates"
    text = _pdf_text(pack.files["evidence-pack.pdf"], folder)
    pages = text.split("\f")
    assert all(words in re.sub(r"\s+", " ", p) for p in pages if p.strip())  # the header of every page
    assert "Source:" in text
    wb = openpyxl.load_workbook(io.BytesIO(pack.files["evidence-pack.xlsx"]))
    for name in ("Reach", "Outcomes", "Equity"):
        assert words in wb[name]["A1"].value and "Source:" in wb[name]["A1"].value
        assert words in wb[name].oddHeader.center.text
    assert words in wb["Summary"]["A2"].value


def test_a_chart_image_carries_the_scope_under_its_title():
    from impact.export.images import figure
    from impact.export.pack import Chart

    chart = Chart("c", "Attendance by theme", "t", "theme", ("attendance",))
    frame = pd.DataFrame({"theme": ["A", "B", "C"], "attendance": [1, 2, 3]})
    fig = figure(chart, frame, "Early literacy, financial year 2025/26 · Source: 2 uploads")
    assert fig.layout.title.subtitle.text.startswith("Early literacy, financial year 2025/26")


def test_the_pdf_has_a_language_a_structure_tree_and_alt_text_for_every_chart(demo):
    """fpdf2 tags each chart image as a Figure with /Alt (its table in words) in a /StructTreeRoot; the catalog
    names the language. Object dictionaries are not compressed, so the bytes can be read directly."""
    from impact.export.pdf import alt_text

    _, _, pack, _ = demo
    pdf = pack.files["evidence-pack.pdf"]
    assert b"/StructTreeRoot" in pdf and b"/MarkInfo" in pdf and b"/Lang (en-GB)" in pdf
    assert pdf.count(b"/Alt ") + pdf.count(b"/Alt(") >= len(pack.evidence.charts)
    chart = pack.evidence.charts[0]
    words = alt_text(chart, pack.evidence.table(chart.table).frame)
    assert words.startswith(f"Chart: {chart.title}. ")
    first = pack.evidence.table(chart.table).frame.iloc[chart.rows[0] if chart.rows else 0]
    assert str(first[chart.category]) in words


def test_a_long_table_repeats_its_header_and_first_column_on_every_page(demo, tmp_path):
    from impact.export.pack import Table
    from impact.export.pdf import Report, _fonts, _table

    frame = pd.DataFrame({"programme": [f"Programme {i:03d}" for i in range(120)],
                          **{f"measure {k}": range(120) for k in range(12)}})  # 13 columns: two column groups
    pdf = Report(format="A4")
    _fonts(pdf)
    pdf.add_page()
    _table(pdf, Table("long", "Reach", "A long table", frame))
    path = tmp_path / "long.pdf"
    path.write_bytes(bytes(pdf.output()))
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
                           ).stdout.decode().split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 4
    for text in pages:
        assert "programme" in text  # the header row, first column heading included, on every page
        assert "Programme " in text  # the first column's values on every page, both column groups
