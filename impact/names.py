"""Names already stored are screened for personal data before any page or pack shows them.

Uploads scrub emails, phone numbers and titled names out of programme, partner, theme and branch names (and let
the uploader rename them). A store filled before that, or by another tool, may still hold such names: `screen`
gives every name column the same scrubbed form wherever it appears, so references between tables still match,
never merges two names into one (a second name that would read the same gets " (2)"), and says what it changed.
"""
from __future__ import annotations

import pandas as pd

from impact.ingest.clean import slug

# (table, column) -> the kind of name it holds: one mapping per kind, so a programme renamed in the programmes
# table is renamed the same way in attendance, surveys and partnerships
KINDS = {("programmes", "name"): "programme", ("partners", "name"): "partner"}
COLUMNS = ("programme", "partner", "theme", "branch", "catchment", "target_group", "sector", "area")
IDS = {("programmes", "name"): "programme_id", ("partners", "name"): "partner_id"}


def _columns(frames: dict) -> dict[str, list[tuple[str, str]]]:
    kinds: dict[str, list[tuple[str, str]]] = {}
    for table, frame in frames.items():
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            continue
        for column in frame.columns:
            kind = KINDS.get((table, column), column if column in COLUMNS else None)
            if kind is not None and (pd.api.types.is_object_dtype(frame[column])
                                     or pd.api.types.is_string_dtype(frame[column])):
                kinds.setdefault(kind, []).append((table, column))
    return kinds


def screen(frames: dict) -> tuple[dict, tuple[tuple[str, str], ...]]:
    """(frames with personal data scrubbed out of every name, ((kind, name as shown now), ...)); the frames
    given are never changed, and come back as they are when there is nothing to scrub."""
    from impact.ingest.plausible import SUSPECT, scrub_name

    changed: list[tuple[str, str]] = []
    out = dict(frames)
    for kind, places in _columns(frames).items():
        values = set()
        for table, column in places:
            values.update(v for v in pd.unique(frames[table][column].dropna()) if isinstance(v, str))
        mapping = {}
        taken = {v for v in values if not SUSPECT.search(v)}
        for value in sorted(v for v in values if SUSPECT.search(v)):
            clean, found = scrub_name(value)
            if not found:
                taken.add(value)
                continue
            clean = " ".join(clean.split())
            shown, n = clean, 1
            while shown in taken:  # never merge two names into one
                n += 1
                shown = f"{clean} ({n})"
            taken.add(shown)
            mapping[value] = shown
        if not mapping:
            continue
        changed.extend((kind, shown) for shown in mapping.values())
        for table, column in places:
            frame = out[table]
            if not frame[column].isin(list(mapping)).any():
                continue
            frame = frame.copy()
            id_column = IDS.get((table, column))
            if id_column and id_column in frame:
                ids = {slug(old): slug(new) for old, new in mapping.items()}
                frame[id_column] = frame[id_column].replace(ids)
            frame[column] = frame[column].replace(mapping)
            out[table] = frame
    return (out, tuple(changed)) if changed else (frames, ())
