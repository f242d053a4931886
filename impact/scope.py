"""A scope in words: Filters -> "Early literacy, financial year 2025/26", and the data's source and date.

One function says what a pack, a page or a chart covers, so the Evidence page, every workbook sheet, every PDF
page and every PNG name the same scope in the same words a funder would use.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from impact.filters import Filters, period_label


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _financial_year(start: dt.date, end: dt.date, fy_start_month: int) -> str | None:
    """'2025/26' when start..end is exactly one financial year."""
    if start.day != 1 or start.month != fy_start_month:
        return None
    following = dt.date(start.year + 1, start.month, 1)
    if end != following - dt.timedelta(days=1):
        return None
    return period_label(start.year - 1970, "financial_year", fy_start_month)


def period_words(filters: Filters) -> str:
    """The period in words: 'financial year 2025/26', 'calendar year 2025', 'May 2025', 'Q2 2025',
    '1 Jan 2025 to 15 Mar 2025', 'from 1 Jan 2025', 'up to 31 Mar 2025', or 'all dates'."""
    start, end = filters.date_from, filters.date_to
    if not start and not end:
        return "all dates"
    if start and not end:
        return f"from {_date(start)}"
    if end and not start:
        return f"up to {_date(end)}"
    if filters.fy_start_month != 1:
        fy = _financial_year(start, end, filters.fy_start_month)
        if fy:
            return f"financial year {fy}"
    if start.day == 1 and start.month == 1 and end == dt.date(start.year, 12, 31):
        return f"calendar year {start.year}"
    if start.day == 1 and end.year == start.year:
        last = calendar.monthrange(end.year, end.month)[1]
        if end.day == last:
            if end.month == start.month:
                return f"{start:%B %Y}"
            if start.month % 3 == 1 and end.month == start.month + 2:
                return f"Q{start.month // 3 + 1} {start.year}"
    return f"{_date(start)} to {_date(end)}"


def period_name(filters: Filters) -> str:
    """A short name for a card: '2024/25', '2024', 'May 2025', 'Q2 2025' or '1 Apr 2024 – 31 Mar 2025'."""
    words = period_words(filters)
    for prefix in ("financial year ", "calendar year "):
        if words.startswith(prefix):
            return words.removeprefix(prefix)
    if filters.date_from and filters.date_to and " to " in words:
        return f"{_date(filters.date_from)} – {_date(filters.date_to)}"
    return words


def _names(values, limit: int = 3) -> str:
    values = list(values)
    if len(values) <= limit:
        return " and ".join([", ".join(values[:-1]), values[-1]]) if len(values) > 1 else values[0]
    return f"{', '.join(values[:limit])} and {len(values) - limit} more"


def describe(filters: Filters | None) -> str:
    """What the filters keep, in words a funder reads: 'Early literacy, financial year 2025/26';
    'All programmes, all dates' when nothing narrows."""
    filters = filters or Filters()
    parts = []
    if filters.programmes:
        parts.append(_names(filters.programmes))
    if filters.themes:
        parts.append(_names(filters.themes))
    if filters.partners:
        parts.append("with " + _names(filters.partners))
    if filters.partnership_types:
        parts.append(_names(filters.partnership_types) + " partnerships")
    if filters.branches:
        parts.append(_names(filters.branches) + (" branch" if len(filters.branches) == 1 else " branches"))
    for dimension, values in filters.groups:
        parts.append(f"{dimension.replace('_', ' ')} {_names(values)}")
    what = "; ".join(parts) if parts else "All programmes"
    return f"{what}, {period_words(filters)}"


def source_words(sources: pd.DataFrame | None, generated: dt.datetime | None = None) -> str:
    """'Source: 3 uploads to Beyond Footfall, the latest 30 Nov 2026; made 30 Nov 2026' from the batches table
    (columns uploaded or uploaded_at)."""
    made = f"made {_date(generated.date())}" if generated else ""
    if sources is None or not len(sources):
        return "Source: no uploads recorded" + (f"; {made}" if made else "")
    column = "uploaded" if "uploaded" in sources else "uploaded_at"
    latest = pd.to_datetime(sources[column], errors="coerce").max()
    n = len(sources)
    text = f"Source: {n} upload{'s' if n != 1 else ''} to Beyond Footfall"
    if pd.notna(latest):
        text += f", the latest {_date(latest.date())}"
    return text + (f"; {made}" if made else "")


def line(filters: Filters | None, sources: pd.DataFrame | None = None, generated: dt.datetime | None = None) -> str:
    """Scope and source on one line, for page headers and image subtitles."""
    return f"{describe(filters)} · {source_words(sources, generated)}"
