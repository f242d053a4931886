"""Problems as data: every issue ingest finds, with its place in the spreadsheet and a fix."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One problem. `row` is the row number the spreadsheet shows (1-based), None for the whole sheet."""

    severity: str
    code: str  # kebab-case, e.g. negative-count, unparsable-date
    file: str
    sheet: str | None
    row: int | None
    column: str | None  # the header as written in the file
    value: str | None
    message: str
    fix: str

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items()}


@dataclass
class SheetSummary:
    file: str
    sheet: str
    table: str | None
    rows: int
    header_row: int | None
    mapping: dict[str, str | None] = field(default_factory=dict)  # header as written -> canonical (None = ignored)
    # pre/post (follow-up) pairs: the item as written without its wave mark -> {wave: header}, and what the
    # pair is imported as (None = not imported); a pair is one item, mapped (and overridden) as one
    pairs: dict[str, dict[str, str]] = field(default_factory=dict)
    pair_mapping: dict[str, str | None] = field(default_factory=dict)
    used_keys: set = field(default_factory=set)  # the user's mapping keys that this sheet used
    suggestions: dict[str, str] = field(default_factory=dict)  # header -> column it may be (not applied)
    agreement_left: list[str] = field(default_factory=list)  # agreement-scale headers not imported
    # values outside a fixed list close to one on it: (column, header, value, did you mean, rows)
    value_suggestions: list[tuple[str, str, str, str, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"file": self.file, "sheet": self.sheet, "table": self.table, "rows": self.rows,
               "header_row": self.header_row, "mapping": dict(self.mapping)}
        if self.pairs:
            out["pairs"] = {base: {"columns": dict(waves), "imported_as": self.pair_mapping.get(base)}
                            for base, waves in self.pairs.items()}
        return out


def value_text(value) -> str | None:
    """A cell value as the report shows it: short, never None for a real value."""
    if value is None:
        return None
    text = str(value)
    if text == "nan":
        return ""
    return text if len(text) <= 120 else text[:117] + "..."
