"""Evidence packs for funders: one scope -> workbook, PDF and HTML reports, chart images, statements, CSVs; safe to
share.

    from impact.export import export_pack
    files = export_pack(store.frames(), Filters(themes=["Digital inclusion"]), store.settings(), store.batches(),
                        formats=("xlsx", "pdf", "html", "png", "txt"), progress=lambda share, what: ...)
    files.zip()                   # one zip of every file, for a download
    files.write(Path("out"))      # or the files into a folder (the CLI)

`pack.build` computes the Evidence once; workbook.py, pdf.py, html.py, images.py and the writers below render it.
Every table has been through the display minimum and disclosure control (disclosure.py) before rendering.
Charts are drawn by chromium (images.py) while the workbook is written and the PDF laid out.

Importing this package is light (the Evidence page and the CLI import it before they need pandas); the modules
that compute and write are imported when a pack is made.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from impact.export.pack import Evidence

FORMATS = ("xlsx", "pdf", "html", "png", "txt", "csv")
DEFAULT_FORMATS = ("xlsx", "pdf", "html", "png", "txt", "csv")
STEM = "evidence-pack"


@dataclass(frozen=True)
class Pack:
    evidence: Evidence
    files: dict  # file name -> bytes

    def zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.files.items():
                z.writestr(name, data)
        return out.getvalue()

    def write(self, folder: Path, with_zip: bool = True) -> list[Path]:
        folder = Path(folder)
        written = []
        for name, data in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        if with_zip:
            path = folder / f"{STEM}.zip"
            path.write_bytes(self.zip())
            written.append(path)
        return written


def statements_text(evidence: Evidence) -> str:
    """The statements as plain text, with the scope and the caveats, to paste into a bid."""
    lines = [evidence.title, "", "Scope: " + "; ".join(f"{k}: {v}" for k, v in evidence.scope),
             f"Generated {evidence.generated:%d %B %Y %H:%M}", ""]
    lines += [s.text for s in evidence.statements]
    if evidence.quotes:
        lines += ["", "In participants' words:"] + [f"\u201c{q}\u201d" for q in evidence.quotes]
    lines += ["", ("Survey answers are self-reported by a convenience sample with no comparison group: a direction "
                   "of change, not proof of cause. Figures below the display minimum are not stated.")]
    return "\n".join(lines) + "\n"


def csv_files(evidence: Evidence) -> dict[str, bytes]:
    """One CSV per table (already suppressed), formulas neutralised, and tables/disclosure.json: how the
    tables add up, for `python -m impact audit-pack`."""
    from impact.export.disclosure import neutralise_frame

    files = {f"tables/{t.name}.csv": neutralise_frame(t.frame).to_csv(index=False).encode("utf-8-sig")
             for t in evidence.tables}
    if evidence.disclosure:
        files["tables/disclosure.json"] = json.dumps(evidence.disclosure, indent=1).encode("utf-8")
    return files


def parse_formats(text: str | None) -> tuple[str, ...]:
    """"xlsx,pdf" -> ("xlsx", "pdf"); ValueError names an unknown format."""
    if not text:
        return DEFAULT_FORMATS
    found = tuple(dict.fromkeys(f.strip().lower() for f in re.split(r"[,\s]+", text) if f.strip()))
    unknown = [f for f in found if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r}: use any of {', '.join(FORMATS)}")
    return found


def export_pack(frames: dict, filters=None, settings: dict | None = None, batches=None,
                formats=DEFAULT_FORMATS, progress=None, title: str = "Evidence of impact", comments=None) -> Pack:
    """Canonical frames + Filters + settings + batches -> the files of an evidence pack.

    `progress(share 0-1, what)` is called as each part is made; `comments` (impact.comments.load(store)) brings
    the staff's codings and approved quotes."""
    from impact.export.pack import build

    formats = tuple(formats)
    say = progress or (lambda share, what: None)
    images_needed = bool({"png", "pdf", "html"} & set(formats))
    if images_needed:
        from impact.export import images

        images.prewarm()  # the browser starts while the figures are computed
    say(0.05, "Computing the indicators")
    evidence = build(frames, filters, settings, batches, title, comments=comments)
    files: dict[str, bytes] = {}
    pending = {}
    if images_needed and evidence.charts:
        say(0.3, "Drawing the charts")
        pending = images.submit(evidence)  # chromium draws them while the workbook and the PDF are written
    if "xlsx" in formats:
        from impact.export.workbook import build_workbook

        say(0.35, "Writing the workbook")
        files[f"{STEM}.xlsx"] = build_workbook(evidence)
    report = None
    if "pdf" in formats:
        from impact.export import pdf

        say(0.45, "Laying out the PDF report")
        report = pdf.layout(evidence, pending)  # charts still being drawn are placed as stand-ins
    if "txt" in formats:
        files["statements.txt"] = statements_text(evidence).encode("utf-8")
    if "csv" in formats:
        say(0.55, "Writing the tables")
        files.update(csv_files(evidence))
    pngs = images.collect(pending, lambda done, total: say(0.6 + 0.2 * done / total,
                                                           f"Drawing the charts ({done} of {total})")) \
        if pending else {}
    if "png" in formats:
        files.update({f"charts/{name}.png": data for name, data in pngs.items()})
    if report is not None:
        say(0.85, "Writing the PDF report")
        files[f"{STEM}.pdf"] = pdf.finish(report, pngs)
    if "html" in formats:
        from impact.export.html import build_html

        say(0.9, "Writing the HTML report")
        files[f"{STEM}.html"] = build_html(evidence, pngs)
    say(1.0, "Done")
    return Pack(evidence, _in_order(files, formats))


def _in_order(files: dict, formats) -> dict:
    """The files in the order a reader meets them (and the zip lists them): charts, workbook, PDF, HTML, statements,
    tables, whatever order they were made in (the charts are drawn while the others are written)."""
    rank = {"png": 0, "xlsx": 1, "pdf": 2, "html": 3, "txt": 4, "csv": 5, "json": 5}
    return dict(sorted(files.items(), key=lambda item: rank.get(item[0].rsplit(".", 1)[-1], 6)))


def export_store(store, filters=None, formats=DEFAULT_FORMATS, progress=None) -> Pack:
    """A Store + Filters -> the pack (frames, settings and batches read from the store)."""
    from impact import comments

    return export_pack(store.frames(), filters, store.settings(), store.batches(), formats, progress,
                       comments=comments.load(store))


__all__ = ["DEFAULT_FORMATS", "FORMATS", "Pack", "csv_files", "export_pack", "export_store", "parse_formats",
           "statements_text"]
