"""The Filters value object every indicator takes, and the joins filtering needs.

A `Filters` narrows the canonical tables by period, partner, partnership type, theme,
branch, programme and demographic group (AND across dimensions, OR within one).
Attendance and survey rows know only their programme's name, so `prepare` joins them once
per database change to `programmes` (theme, branch, capacity) and, through
`programme_partners`, to `partners` (name, partnership type), and turns every column an
indicator reads into a numpy array; each filter or group-by afterwards is a few vectorised
masks and `np.bincount`s.

Rules a reader should know:
- A programme matches a partner (or partnership type) filter when any of its partners does.
- A row's date is its session date, or for a monthly or quarterly return the first day of
  its period: a return counts in the period where it starts, never spread over invented sessions.
- A row with no value for a filtered dimension (no date under a period filter, no age band
  under an age filter) is left out; in a group-by it forms its own "(not recorded)" group.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from impact import schema
from impact.ingest.clean import slug

GRAINS = ("month", "quarter", "year", "financial_year")
PROGRAMME_DIMENSIONS = ("programme", "theme", "branch", "partner", "partnership_type")
DIMENSIONS = (*PROGRAMME_DIMENSIONS, "period", *schema.DEMOGRAPHICS)
WAVES = schema.WAVES  # pre, post, follow_up: survey rows carry their index
NOT_RECORDED = "(not recorded)"
NO_PARTNER = "(no partner)"
NO_DAY = np.iinfo("int64").min  # NaT as days since 1970


def _day(value, end: bool = False) -> dt.date | None:
    """A date bound from a date, a datetime or text: 2024-05-17, 2024-05 or 2024 (whole month or year)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    parts = text.split("-")
    try:
        if len(parts) == 1:
            year = int(parts[0])
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use 2024-05-17, 2024-05 or 2024)") from None


def _names(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class Filters:
    """Which rows every indicator looks at; the empty Filters() selects everything.

    date_from / date_to are inclusive. grain (month, quarter, year, financial_year) and
    fy_start_month (April = 4 by default) say how a group-by over time buckets dates.
    groups holds demographic selections, e.g. {"age_band": ["65+"], "deprivation_quintile": ["1", "2"]}.
    Partners and programmes match by name or id; themes, branches and groups ignore case.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grain: str = "month"
    fy_start_month: int = 4
    partners: tuple[str, ...] = ()
    partnership_types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "date_from", _day(self.date_from))
        set_(self, "date_to", _day(self.date_to, end=True))
        for name in ("partners", "partnership_types", "themes", "branches", "programmes"):
            set_(self, name, _names(getattr(self, name)))
        groups = self.groups.items() if isinstance(self.groups, dict) else self.groups
        groups = tuple(sorted((str(dim), _names(values)) for dim, values in groups if _names(values)))
        set_(self, "groups", groups)
        if self.grain not in GRAINS:
            raise ValueError(f"grain must be one of {', '.join(GRAINS)} (got {self.grain!r})")
        set_(self, "fy_start_month", int(self.fy_start_month))
        if not 1 <= self.fy_start_month <= 12:
            raise ValueError("fy_start_month must be a month number, 1 to 12")
        unknown = [dim for dim, _ in groups if dim not in schema.DEMOGRAPHICS]
        if unknown:
            raise ValueError(f"unknown demographic dimension {unknown[0]!r}: one of {', '.join(schema.DEMOGRAPHICS)}")
        bad_types = set(self.partnership_types) - set(schema.PARTNERSHIP_TYPES)
        if bad_types:
            raise ValueError(f"partnership type must be one of {', '.join(schema.PARTNERSHIP_TYPES)}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the period starts ({self.date_from}) after it ends ({self.date_to})")

    @property
    def group(self) -> dict[str, tuple[str, ...]]:
        return dict(self.groups)

    @property
    def narrows_period(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def narrows_people(self) -> bool:
        return bool(self.groups)

    def to_dict(self) -> dict:
        return {"from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "grain": self.grain, "fy_start_month": self.fy_start_month, "partners": list(self.partners),
                "partnership_types": list(self.partnership_types), "themes": list(self.themes),
                "branches": list(self.branches), "programmes": list(self.programmes),
                "groups": {dim: list(values) for dim, values in self.groups}}


# --- the joined, array form of the canonical tables ---------------------------------------------

@dataclass(frozen=True, eq=False)
class AttendanceRows:
    """One entry per attendance row. Codes index the label lists of `Prepared`; -1 = not recorded."""

    programme: np.ndarray  # int64 code into Prepared.programmes
    day: np.ndarray  # int64 days since 1970 (session date, else period start); NO_DAY when unknown
    branch: np.ndarray  # int64 code into Prepared.branches (the row's branch, else its programme's)
    attendees: np.ndarray  # float64; NaN = not recorded (never zero)
    new_attendees: np.ndarray  # float64; NaN = not recorded
    sessions: np.ndarray  # float64 sessions a whole row covers (default 1)
    session: np.ndarray  # int64: -1 for a whole row, else the session several rows are parts of
    participant: np.ndarray  # int64 code of the pseudonymous participant id, -1 none
    groups: dict  # demographic dimension -> int64 codes into Prepared.group_labels[dimension]
    weights: dict = field(default_factory=dict)  # per-row float weights the reach sums use (see _weights)

    def __len__(self) -> int:
        return len(self.programme)


@dataclass(frozen=True, eq=False)
class SurveyRows:
    programme: np.ndarray
    day: np.ndarray
    branch: np.ndarray  # the programme's branch
    wave: np.ndarray  # int64 index into WAVES (blank wave = post, the SPEC's default)
    respondent: np.ndarray  # int64 code, -1 none
    scores: np.ndarray  # int8 (rows, domains): 1..5, 0 = missing (N/A, don't know, blank)
    groups: dict
    pair_before: np.ndarray  # row of the pre answer of each matched (programme, respondent) pair
    pair_after: np.ndarray  # row of its post answer
    wave_scores: np.ndarray = field(default=None)  # int16 (domains, rows): wave × 6 + score, for counting

    def __len__(self) -> int:
        return len(self.programme)


@dataclass(frozen=True, eq=False)
class Prepared:
    """The canonical frames joined once: build with `prepare(frames)` and cache per database change."""

    programmes: pd.DataFrame  # position = code: key, name, theme, branch, capacity, library_cost, library_staff_hours
    partners: pd.DataFrame  # position = code: key, name, partnership_type
    links: pd.DataFrame  # programme code, partner code, staff_hours, cash, in_kind (one row per pair)
    branches: tuple[str, ...]
    themes: tuple[str, ...]
    programme_branch: np.ndarray  # int64 code into branches per programme, -1 none
    programme_theme: np.ndarray  # int64 code into themes per programme, -1 none
    group_labels: dict  # demographic dimension -> tuple of labels
    domains: tuple[str, ...]  # outcome items present: canonical first, then outcome_<name>
    attendance: AttendanceRows
    surveys: SurveyRows
    session_sessions: np.ndarray  # sessions each multi-row session stands for (its rows' largest `sessions`)
    session_capacity: np.ndarray  # places it offered: sessions × its programme's capacity (0 unknown)
    programme_sessions: np.ndarray  # sessions with recorded attendance per programme: what inputs are shared by
    frames: dict = field(repr=False)
    # names stored with personal data in them, shown scrubbed everywhere: ((kind, name as shown), ...)
    screened: tuple = ()

    def programme_codes(self, names) -> np.ndarray:
        index = {}
        for code, (key, pid) in enumerate(zip(self.programmes["key"], self.programmes["id_key"])):
            index.setdefault(key, code)
            index.setdefault(pid, code)
        return np.array(sorted({index[k] for k in map(slug, names) if k in index}), "int64")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="object")


def _days(series: pd.Series) -> np.ndarray:
    values = pd.to_datetime(series, errors="coerce").to_numpy("datetime64[D]")
    return values.astype("int64")  # NaT becomes NO_DAY


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy("float64", na_value=np.nan)


def _label(value) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _natural(label: str) -> tuple:
    """Sort key putting "5-11" before "12-17": numbers compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", label) if part)


def _codes(series: pd.Series, labels: dict[str, int], display: list[str]) -> np.ndarray:
    """Row codes into a growing label list (matched ignoring case); missing -> -1. Hashes the column once."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = np.empty(len(uniques) + 1, "int64")
    lookup[-1] = -1
    for i, value in enumerate(uniques):
        text = _label(value)
        if text is None:
            lookup[i] = -1
            continue
        key = text.casefold()
        if key not in labels:
            labels[key] = len(display)
            display.append(text)
        lookup[i] = labels[key]
    return lookup[codes]


def _references(series: pd.Series, index: dict[str, int], table: list[dict]) -> np.ndarray:
    """Names that refer to programmes (or partners) -> codes; a name not in the table is added to it."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = np.empty(len(uniques) + 1, "int64")
    for i, value in enumerate([*uniques, None]):  # the last slot is for rows naming nothing (code -1)
        text = _label(value)
        key = slug(text) if text is not None else "\0"
        if key not in index:
            if text is None and not (codes < 0).any():
                continue
            index[key] = len(table)
            table.append({"key": key, "id_key": key, "name": text or NOT_RECORDED})
        lookup[i] = index[key]
    return lookup[codes]


def _table(frame: pd.DataFrame, id_col: str, columns: list[str]) -> tuple[list[dict], dict[str, int]]:
    rows, index = [], {}
    if frame is None or frame.empty or "name" not in frame:
        return rows, index
    for record in frame.to_dict("records"):
        name = _label(record.get("name"))
        if name is None:
            continue
        key = slug(name)
        id_key = slug(record.get(id_col)) if _label(record.get(id_col)) else key
        if key in index:
            continue
        index[key] = len(rows)
        index.setdefault(id_key, len(rows))
        rows.append({"key": key, "id_key": id_key, "name": name,
                     **{c: (None if pd.isna(record.get(c)) else record.get(c)) for c in columns}})
    return rows, index


def prepare(frames) -> Prepared:
    """Canonical frames (as `Store.frames()` gives them) -> `Prepared`; a `Prepared` passes through."""
    if isinstance(frames, Prepared):
        return frames
    from impact.names import screen

    frames, screened = screen(frames)  # names stored before uploads were scrubbed, or by another tool
    get = lambda name: frames.get(name) if frames.get(name) is not None else pd.DataFrame()
    attendance, surveys = get("attendance"), get("survey_responses")

    programmes, prog_index = _table(get("programmes"), "programme_id",
                                    ["theme", "branch", "capacity_per_session", "library_cost", "library_staff_hours"])
    partners, partner_index = _table(get("partners"), "partner_id", ["partnership_type"])

    att_prog = _references(_column(attendance, "programme"), prog_index, programmes)
    srv_prog = _references(_column(surveys, "programme"), prog_index, programmes)
    links = get("programme_partners")
    link_prog = _references(_column(links, "programme"), prog_index, programmes)
    link_partner = _references(_column(links, "partner"), partner_index, partners)

    programme_frame = pd.DataFrame(programmes, columns=["key", "id_key", "name", "theme", "branch",
                                                        "capacity_per_session", "library_cost", "library_staff_hours"])
    partner_frame = pd.DataFrame(partners, columns=["key", "id_key", "name", "partnership_type"])
    link_frame = pd.DataFrame({
        "programme": link_prog, "partner": link_partner,
        **{c: np.nan_to_num(_floats(_column(links, c))) for c in ("staff_hours", "cash", "in_kind")}})
    link_frame = (link_frame[(link_frame["programme"] >= 0) & (link_frame["partner"] >= 0)]
                  .groupby(["programme", "partner"], as_index=False).sum())

    # branches: the attendance row's own, else its programme's; surveys take the programme's
    branch_index, branch_names = {}, []
    prog_branch = _codes(programme_frame["branch"].astype("object"), branch_index, branch_names)
    att_branch = _codes(_column(attendance, "branch"), branch_index, branch_names)
    att_branch = np.where(att_branch >= 0, att_branch, prog_branch[att_prog] if len(prog_branch) else -1)
    srv_branch = prog_branch[srv_prog] if len(prog_branch) else np.full(len(srv_prog), -1, "int64")

    theme_names = []
    prog_theme = _codes(programme_frame["theme"].astype("object"), {}, theme_names)

    group_labels, att_groups, srv_groups = {}, {}, {}
    for dim in schema.DEMOGRAPHICS:
        index, display = {}, []
        codes = (_codes(_column(attendance, dim), index, display), _codes(_column(surveys, dim), index, display))
        order = sorted(range(len(display)), key=lambda i: _natural(display[i]))  # 0-4, 5-11, 12-17, ..., 65+
        new_code = np.empty(len(display) + 1, "int64")
        new_code[order] = np.arange(len(display))
        new_code[-1] = -1
        att_groups[dim], srv_groups[dim] = (new_code[c] for c in codes)
        group_labels[dim] = tuple(display[i] for i in order)

    day = _days(_column(attendance, "session_date"))
    start = _days(_column(attendance, "period_start"))
    day = np.where(day == NO_DAY, start, day)
    end = _days(_column(attendance, "period_end"))
    end = np.where(end == NO_DAY, day, end)
    sessions = _floats(_column(attendance, "sessions"))
    # no sessions given: one session for a dated row; none for a return covering a month or a year (issue 10:
    # a monthly count is never 'sessions')
    sessions = np.where(np.isnan(sessions), np.where(end > day, 0.0, 1.0), sessions)
    participant = pd.factorize(_column(attendance, "participant_id"), use_na_sentinel=True)[0].astype("int64")
    session, session_sessions = _sessions(att_prog, att_branch, day, end, sessions, participant, att_groups)

    attendees = _floats(_column(attendance, "attendees"))
    new_attendees = _floats(_column(attendance, "new_attendees"))
    capacity = programme_frame["capacity_per_session"].to_numpy("float64", na_value=np.nan) \
        if len(programme_frame) else np.zeros(0)
    session_programme = np.zeros(len(session_sessions), "int64")
    session_programme[session[session >= 0]] = att_prog[session >= 0]
    session_capacity = np.zeros(len(session_sessions))
    if len(session_sessions) and len(capacity):
        session_capacity = np.nan_to_num(capacity[session_programme]) * session_sessions
    input_share, programme_sessions = _input_shares(att_prog, attendees, sessions, session, session_sessions,
                                                    session_programme, len(programme_frame))
    weights = _weights(attendees, new_attendees, sessions, session,
                       capacity[att_prog] if len(capacity) else np.full(len(att_prog), np.nan))
    # a multi-row 'session' whose rows count no session (a return split by age band) is a return too
    in_return = (sessions == 0) & ((session < 0) | (session_sessions[np.maximum(session, 0)] == 0
                                                     if len(session_sessions) else True))
    weights["returns_attendees"] = np.where(in_return, weights["attendees"], 0.0)
    rows = AttendanceRows(programme=att_prog, day=day, branch=att_branch, attendees=attendees,
                          new_attendees=new_attendees, sessions=sessions, session=session, participant=participant,
                          groups=att_groups, weights={**weights, "input_share": input_share})

    domains = tuple(schema.outcome_columns(surveys.columns))
    scores = np.zeros((len(surveys), len(domains)), "int8")
    for i, domain in enumerate(domains):
        values = _floats(surveys[domain])
        valid = (values >= 1) & (values <= 5) & (values == np.round(values))
        scores[valid, i] = values[valid].astype("int8")
    wave_names = {w: i for i, w in enumerate(WAVES)}
    wave_codes, wave_uniques = pd.factorize(_column(surveys, "wave"), use_na_sentinel=True)
    lookup = np.array([wave_names.get(str(w).strip().lower(), wave_names["post"]) for w in wave_uniques]
                      + [wave_names["post"]], "int64")
    wave = lookup[wave_codes]
    respondent = pd.factorize(_column(surveys, "respondent_id"), use_na_sentinel=True)[0].astype("int64")
    srv_day = _days(_column(surveys, "response_date"))
    before, after = _pairs(srv_prog, respondent, wave, srv_day)
    survey_rows = SurveyRows(programme=srv_prog, day=srv_day, branch=srv_branch, wave=wave, respondent=respondent,
                             scores=scores, groups=srv_groups, pair_before=before, pair_after=after,
                             wave_scores=np.ascontiguousarray((wave[:, None] * 6 + scores).T.astype("int16")))
    return Prepared(programmes=programme_frame, partners=partner_frame, links=link_frame,
                    branches=tuple(branch_names), themes=tuple(theme_names), programme_branch=prog_branch,
                    programme_theme=prog_theme, group_labels=group_labels, domains=domains,
                    attendance=rows, surveys=survey_rows, session_sessions=session_sessions,
                    session_capacity=session_capacity, programme_sessions=programme_sessions, frames=dict(frames),
                    screened=screened)


def _weights(attendees, new_attendees, sessions, session, capacity) -> dict[str, np.ndarray]:
    """Per-row weights (NaN-free floats) whose sums over selected rows make the reach figures."""
    recorded = ~np.isnan(attendees)
    att = np.where(recorded, attendees, 0.0)
    whole = (session < 0).astype("float64")
    has_new = recorded & ~np.isnan(new_attendees)
    has_cap = recorded & ~np.isnan(capacity) & (np.nan_to_num(capacity) > 0)
    return {
        "attendees": att, "recorded": recorded.astype("float64"), "not_recorded": (~recorded).astype("float64"),
        "new_attendees": np.nan_to_num(new_attendees), "new_base_attendees": np.where(has_new, att, 0.0),
        "new_base_new": np.where(has_new, np.nan_to_num(new_attendees), 0.0),
        "whole_sessions": sessions * whole, "whole_sessions_recorded": sessions * whole * recorded,
        "has_capacity": has_cap.astype("float64"), "capacity_attendees": np.where(has_cap, att, 0.0),
        "capacity_places": np.where(has_cap, sessions * np.nan_to_num(capacity), 0.0) * whole,
        "capacity_sessions": np.where(has_cap, sessions, 0.0) * whole,
    }


def _input_shares(prog, attendees, sessions, session, session_sessions, session_programme, n_prog):
    """Each row's share of its programme's inputs: inputs are spread evenly over the programme's sessions
    with recorded attendance (a session whose attendance is blank is assumed to be like the others), and a
    session of several rows shares its part among them by attendance (evenly when it had none).
    Returns (share per row, recorded sessions per programme); a programme's shares add up to 1."""
    recorded = ~np.isnan(attendees)
    whole = (session < 0) & recorded
    part = (session >= 0) & recorded
    n_sess = len(session_sessions)
    held = np.bincount(session[part], minlength=n_sess) > 0 if n_sess else np.zeros(0, bool)
    per_programme = (np.bincount(prog[whole], weights=sessions[whole], minlength=n_prog)[:n_prog]
                     + np.bincount(session_programme[held], weights=session_sessions[held], minlength=n_prog)[:n_prog])
    per_session = np.divide(1.0, per_programme, out=np.zeros(n_prog), where=per_programme > 0)
    share = np.zeros(len(prog))
    share[whole] = sessions[whole] * per_session[prog[whole]]
    if part.any():
        k = session[part]
        people = np.bincount(k, weights=attendees[part], minlength=n_sess)
        rows = np.bincount(k, minlength=n_sess)
        fraction = np.where(people[k] > 0, attendees[part] / np.where(people[k] > 0, people[k], 1), 1.0 / rows[k])
        share[part] = session_sessions[k] * per_session[prog[part]] * fraction
    return share, per_programme


def _sessions(prog, branch, day, end, sessions, participant, groups) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are parts of one session: several rows of the same programme, branch and date (or period)
    that each carry a participant or a demographic group (a head count reshaped to one row per age band,
    or one row per person). Such a session counts once, however many rows it has. Returns each row's
    session code (-1 for a row that is a whole session or return by itself) and each session's `sessions`."""
    n = len(prog)
    part = participant >= 0
    for codes in groups.values():
        part |= codes >= 0
    if n == 0 or not part.any():
        return np.full(n, -1, "int64"), np.zeros(0)
    code = _session_keys(prog[part], branch[part], day[part], end[part])
    multi = np.bincount(code)[code] > 1  # a part alone in its session is just a whole row
    session = np.full(n, -1, "int64")
    if not multi.any():
        return session, np.zeros(0)
    kept, inverse = np.unique(code[multi], return_inverse=True)
    rows = np.flatnonzero(part)[multi]
    session[rows] = inverse
    sizes = np.zeros(len(kept))
    np.maximum.at(sizes, inverse, sessions[rows])
    return session, sizes


def _session_keys(prog, branch, day, end) -> np.ndarray:
    """One code per distinct (programme, branch, first day, last day): packed into one int64 when it fits,
    which hashes ten times faster than grouping four columns."""
    columns = [prog, branch + 1, day, end]
    lows = [int(c.min()) for c in columns]
    spans = [int(c.max()) - low + 1 for c, low in zip(columns, lows)]
    if NO_DAY in lows or np.prod([float(x) for x in spans]) >= 2 ** 62:
        frame = pd.DataFrame({"p": prog, "b": branch, "d": day, "e": end})
        return frame.groupby(["p", "b", "d", "e"], sort=False).ngroup().to_numpy()
    key = np.zeros(len(prog), "int64")
    for column, low, span in zip(columns, lows, spans):
        key = key * span + (column - low)
    return pd.factorize(key)[0]


def _pairs(prog, respondent, wave, day) -> tuple[np.ndarray, np.ndarray]:
    """Match each respondent's pre answer with their post answer to the same programme (the latest of
    each when there are several): row numbers of the pre and of the post response of every pair."""
    pre, post = WAVES.index("pre"), WAVES.index("post")
    n_resp = int(respondent.max()) + 1 if len(respondent) else 0

    def latest(w):
        rows = np.flatnonzero((wave == w) & (respondent >= 0) & (prog >= 0))
        rows = rows[np.lexsort((rows, day[rows]))]  # by date, then row order
        keys = prog[rows] * n_resp + respondent[rows]
        last = len(keys) - 1 - np.unique(keys[::-1], return_index=True)[1]
        return keys[last], rows[last]

    pre_keys, pre_rows = latest(pre)
    post_keys, post_rows = latest(post)
    _, i, j = np.intersect1d(pre_keys, post_keys, assume_unique=True, return_indices=True)
    return pre_rows[i], post_rows[j]


# --- selection: the filter as masks -------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Selection:
    programmes: np.ndarray  # bool per programme: passes the programme-level filters
    attendance: np.ndarray  # bool per attendance row
    surveys: np.ndarray  # bool per survey row
    filters: Filters


def _matching(labels, wanted) -> np.ndarray:
    wanted = {w.strip().casefold() for w in wanted}
    return np.array([i for i, label in enumerate(labels) if str(label).strip().casefold() in wanted], "int64")


def _in(codes: np.ndarray, allowed: np.ndarray, size: int) -> np.ndarray:
    table = np.zeros(size + 1, bool)  # the extra last slot is where -1 (not recorded) lands
    table[allowed] = True
    return table[codes]


def programme_mask(data: Prepared, filters: Filters) -> np.ndarray:
    """Programmes passing the programme, theme, partner and partnership type filters."""
    n = len(data.programmes)
    keep = np.ones(n, bool)
    if filters.programmes:
        keep &= _in(np.arange(n), data.programme_codes(filters.programmes), n)
    if filters.themes:
        wanted = {t.strip().casefold() for t in filters.themes}
        keep &= data.programmes["theme"].map(lambda t: _label(t) is not None and _label(t).casefold() in wanted
                                             ).to_numpy(bool)
    if filters.partners or filters.partnership_types:
        links = data.links.merge(data.partners[["key", "id_key", "partnership_type"]], left_on="partner",
                                 right_index=True)
        ok = np.ones(len(links), bool)
        if filters.partners:
            wanted = {slug(p) for p in filters.partners}
            ok &= (links["key"].isin(wanted) | links["id_key"].isin(wanted)).to_numpy()
        if filters.partnership_types:
            ok &= links["partnership_type"].isin(filters.partnership_types).to_numpy()
        keep &= _in(np.arange(n), links.loc[ok, "programme"].to_numpy("int64"), n)
    return keep


def _period(day: np.ndarray, filters: Filters) -> np.ndarray:
    keep = np.ones(len(day), bool)
    if filters.date_from:
        keep &= day >= np.datetime64(filters.date_from, "D").astype("int64")
    if filters.date_to:
        keep &= (day <= np.datetime64(filters.date_to, "D").astype("int64")) & (day != NO_DAY)
    return keep


_SELECTIONS: OrderedDict = OrderedDict()  # (id(Prepared), Filters) -> (weak reference, Selection), latest last
_SELECTIONS_KEPT = 16
_SELECTIONS_LOCK = threading.Lock()


def select(data, filters: Filters | None = None) -> Selection:
    """The rows `filters` keeps, as boolean masks over the prepared rows (read-only). Made once per `Prepared` and
    Filters while both are in use: every figure of a page's rerun (indicators, breakdowns, who answered, comments)
    asks for the same scope, and gets the same masks."""
    data = prepare(data)
    filters = filters or Filters()
    key = (id(data), filters)
    with _SELECTIONS_LOCK:
        hit = _SELECTIONS.get(key)
        if hit is not None and hit[0]() is data:
            _SELECTIONS.move_to_end(key)
            return hit[1]
    found = _select(data, filters)
    for mask in (found.programmes, found.attendance, found.surveys):
        mask.setflags(write=False)  # shared by every caller
    with _SELECTIONS_LOCK:
        _SELECTIONS[key] = (weakref.ref(data), found)
        while len(_SELECTIONS) > _SELECTIONS_KEPT:
            _SELECTIONS.popitem(last=False)
    return found


def _select(data: Prepared, filters: Filters) -> Selection:
    programmes = programme_mask(data, filters)
    masks = []
    for rows in (data.attendance, data.surveys):
        keep = programmes[rows.programme] if len(programmes) else np.zeros(len(rows), bool)
        if filters.narrows_period:
            keep &= _period(rows.day, filters)
        if filters.branches:
            keep &= _in(rows.branch, _matching(data.branches, filters.branches), len(data.branches))
        for dim, values in filters.groups:
            labels = data.group_labels[dim]
            keep &= _in(rows.groups[dim], _matching(labels, values), len(labels))
        masks.append(keep)
    return Selection(programmes, masks[0], masks[1], filters)


def apply(frames: dict[str, pd.DataFrame], filters: Filters | None = None) -> dict[str, pd.DataFrame]:
    """The canonical frames narrowed by `filters` (for tables and exports that want rows, not figures)."""
    data = prepare(frames)
    selection = select(data, filters)
    out = dict(data.frames)
    if "attendance" in out and len(out["attendance"]):
        out["attendance"] = out["attendance"][selection.attendance]
    if "survey_responses" in out and len(out["survey_responses"]):
        out["survey_responses"] = out["survey_responses"][selection.surveys]
    keys = set(data.programmes.loc[selection.programmes, "key"])
    if "programmes" in out and len(out["programmes"]):
        out["programmes"] = out["programmes"][out["programmes"]["name"].map(slug).isin(keys)]
    links = out.get("programme_partners")
    if links is not None and len(links):
        out["programme_partners"] = links[links["programme"].map(slug).isin(keys)]
    return out


def unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. A bare np.unique on a large int array takes numpy 2's hash path, ~30x slower
    here than sorting."""
    if len(values) < 2:
        return np.asarray(values)
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def dense_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """(np.unique(values, return_inverse=True)[1], the number of distinct values) for integer codes: by marking
    which values occur when their range is at most a few times the number of rows (a pass, not a sort), else by
    sorting. The same ranks as np.unique: the smallest value 0, the next 1, ..."""
    values = np.asarray(values)
    if not len(values):
        return np.zeros(0, "int64"), 0
    low, high = int(values.min()), int(values.max())
    if high - low <= 4 * len(values) + 65_536:
        shifted = values.astype("int64") - low
        present = np.zeros(high - low + 1, bool)
        present[shifted] = True
        rank = np.cumsum(present) - 1
        return rank[shifted], int(rank[-1]) + 1
    _, inverse = np.unique(values, return_inverse=True)
    inverse = np.asarray(inverse, "int64").ravel()
    return inverse, int(inverse.max()) + 1


def unique_rows(*columns: np.ndarray, counts: bool = False):
    """np.unique(np.stack(columns), axis=1, return_inverse=True[, return_counts=True]): the distinct tuples
    (sorted, first column first) as a (columns, distinct) array, each row's index into them[, how many rows each].
    numpy sorts the tuples as structured values (~1 s for 0.5M rows); here each tuple is packed into one int64
    when the value ranges allow, ordered as the tuples are, and factorised by hashing, then sorted."""
    columns = [np.asarray(c, "int64") for c in columns]
    n = len(columns[0]) if columns else 0
    packed = _packed(columns) if n else None
    if packed is None:
        found = np.unique(np.stack(columns), axis=1, return_inverse=True, return_counts=counts)
        found = (found[0], np.asarray(found[1], "int64").ravel(), *found[2:])
        return found
    codes, uniques = pd.factorize(packed, sort=True)
    some = np.zeros(len(uniques), "int64")
    some[codes] = np.arange(n)  # a row of each distinct tuple (rows sharing a code share the tuple)
    out = np.stack([c[some] for c in columns]) if len(uniques) else np.zeros((len(columns), 0), "int64")
    inverse = codes.astype("int64")
    if counts:
        return out, inverse, np.bincount(inverse, minlength=len(uniques))
    return out, inverse


def _packed(columns: list[np.ndarray]) -> np.ndarray | None:
    """One int64 per row ordered as the rows' tuples are, or None when the tuples' ranges do not fit in 62 bits.
    NO_DAY (the smallest int64, a missing date) is moved to just below the column's smallest other value."""
    key = np.zeros(len(columns[0]), "int64")
    shifted = []
    for c in columns:
        missing = c == NO_DAY
        if missing.any():
            rest = c[~missing]
            low = (int(rest.min()) if len(rest) else 0) - 1
            c = np.where(missing, low, c)
        low, high = int(c.min()), int(c.max())
        shifted.append((c - low, high - low + 1))
    if np.prod([float(span) for _, span in shifted]) >= 2 ** 62:
        return None
    for c, span in shifted:
        key = key * span + c
    return key


class GroupSums:
    """Sums of per-row weights over the selected rows, per group: one product-sum per figure when everything
    is one group, one bincount per figure otherwise."""

    def __init__(self, mask: np.ndarray, codes: np.ndarray, size: int):
        self.size = size
        self.one = size == 1
        self._items = {}
        if self.one:
            self.maskf = mask.astype("float64")
        else:
            self.rows = np.flatnonzero(mask)
            self.codes = codes[self.rows]

    def __call__(self, weights: np.ndarray | None = None) -> np.ndarray:
        if self.one:
            # einsum, not np.dot: BLAS threads fight over two busy cores and make a dot product 8x slower
            return np.array([self.maskf.sum() if weights is None else float(np.einsum("i,i->", weights, self.maskf))])
        w = None if weights is None else weights[self.rows]
        return np.bincount(self.codes, weights=w, minlength=self.size)[: self.size].astype("float64")

    def distinct(self, items: np.ndarray, n_items: int, item_weights: np.ndarray,
                 row_filter: np.ndarray | None = None, one_group_per_item: bool = False) -> np.ndarray:
        """Σ item_weights[item] over the distinct (group, item) pairs of selected rows with an item (>= 0):
        each multi-row session counted once per group. `one_group_per_item`: all rows of an item share
        their group (true of sessions for every dimension but the demographic ones), so no sorting."""
        if self.one:
            w = self.maskf if row_filter is None else self.maskf * row_filter
            seen = np.bincount(items + 1, weights=w, minlength=n_items + 1)[1:] > 0
            return np.array([float(item_weights[seen].sum())])
        if id(items) not in self._items:  # the same session codes serve several figures
            self._items[id(items)] = items[self.rows]
        it = self._items[id(items)]
        keep = it >= 0 if row_filter is None else (it >= 0) & (row_filter[self.rows] > 0)
        if one_group_per_item:
            group = np.full(n_items, -1, "int64")
            group[it[keep]] = self.codes[keep]
            seen = group >= 0
            return np.bincount(group[seen], weights=item_weights[seen], minlength=self.size)[: self.size]
        groups, found = distinct_pairs(self.codes[keep], it[keep], n_items, self.size)
        return np.bincount(groups, weights=item_weights[found], minlength=self.size)[: self.size]


def distinct_pairs(codes: np.ndarray, items: np.ndarray, n_items: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (group, item) pairs among aligned arrays, as two arrays: by counting when the
    table is small, by sorting otherwise."""
    n_items = max(int(n_items), 1)
    if not len(items):
        return np.zeros(0, "int64"), np.zeros(0, "int64")
    if size * n_items <= 4_000_000:
        seen = np.flatnonzero(np.bincount(codes * n_items + items, minlength=size * n_items))
    else:
        seen = unique(codes * n_items + items)
    return seen // n_items, seen % n_items


# --- grouping: one code per row for any dimension -----------------------------------------------

@dataclass(frozen=True, eq=False)
class Grouping:
    """Rows sorted into groups of one dimension. For partner and partnership type a programme can
    belong to several groups: rows are then grouped by programme and `members` (programme, group)
    pairs fold programme figures into groups, so those groups overlap and need not add up."""

    dimension: str | None
    labels: tuple[str, ...]
    attendance: np.ndarray  # group code per attendance row (programme code when `members` is set)
    surveys: np.ndarray
    members: tuple[np.ndarray, np.ndarray] | None = None
    programme_groups: np.ndarray | None = None  # group code of each programme, for programme-level figures
    keep_empty: bool = False  # periods with nothing in them are shown (as zero), other empty groups are not
    empty_last: bool = False  # the trailing "(not recorded)" group holds nothing selected: never show it

    def shown(self, i: int, has_data: bool) -> bool:
        """Whether group i belongs in a breakdown: it has data, or it is a period inside the range."""
        return bool(has_data) or (self.keep_empty and not (self.empty_last and i == len(self.labels) - 1))

    @property
    def splits_sessions(self) -> bool:
        """Whether rows of one session can fall in different groups (only a demographic breakdown does)."""
        return self.dimension in schema.DEMOGRAPHICS

    @property
    def size(self) -> int:
        """Number of row codes: groups, or programmes when folding through members."""
        return len(self.programme_groups) if self.members is not None else len(self.labels)

    def fold(self, tally: np.ndarray) -> np.ndarray:
        """Per-row-code tallies (first axis) -> per-group tallies."""
        if self.members is None:
            return tally
        programmes, groups = self.members
        out = np.zeros((len(self.labels),) + tally.shape[1:], tally.dtype)
        valid = programmes < len(tally)
        np.add.at(out, groups[valid], tally[programmes[valid]])
        return out


def _with_missing(codes: np.ndarray, labels: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """-1 codes become a trailing "(not recorded)" group when there are any."""
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels = [*labels, NOT_RECORDED]
    return codes, tuple(labels)


def period_index(day: np.ndarray, grain: str, fy_start_month: int = 4) -> np.ndarray:
    """Days since 1970 -> the number of the month, quarter, year or financial year each falls in."""
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype("int64")  # months since 1970-01
    if grain == "month":
        return months
    if grain == "quarter":
        return months // 3
    if grain == "year":
        return months // 12
    return (months - (fy_start_month - 1)) // 12  # the calendar year each financial year starts in, minus 1970


def period_label(index: int, grain: str, fy_start_month: int = 4) -> str:
    """2024-05, 2024 Q2, 2024, or 2024/25 for a financial year starting April 2024."""
    if grain == "month":
        return f"{1970 + index // 12}-{index % 12 + 1:02d}"
    if grain == "quarter":
        return f"{1970 + index // 4} Q{index % 4 + 1}"
    year = 1970 + index
    if grain == "year" or fy_start_month == 1:
        return str(year)
    return f"{year}/{(year + 1) % 100:02d}"


def grouping(data: Prepared, dimension: str | None, filters: Filters | None = None,
             selection: Selection | None = None) -> Grouping:
    """Group codes for every attendance and survey row by `dimension` (None: everything one group)."""
    filters = filters or Filters()
    att, srv = data.attendance, data.surveys
    n_prog = len(data.programmes)
    if dimension is None:
        return Grouping(None, ("all",), np.zeros(len(att), "int64"), np.zeros(len(srv), "int64"),
                        programme_groups=np.zeros(n_prog, "int64"))
    if dimension not in DIMENSIONS:
        raise ValueError(f"cannot group by {dimension!r}: one of {', '.join(DIMENSIONS)}")
    if dimension == "programme":
        return Grouping(dimension, tuple(data.programmes["name"]), att.programme, srv.programme,
                        programme_groups=np.arange(n_prog))
    if dimension == "theme":
        theme, labels = _with_missing(data.programme_theme, list(data.themes))
        return Grouping(dimension, labels, theme[att.programme], theme[srv.programme], programme_groups=theme)
    if dimension == "branch":
        size = len(data.branches)
        a, s, p = (np.where(c < 0, size, c) for c in (att.branch, srv.branch, data.programme_branch))
        labels = data.branches
        if (a == size).any() or (s == size).any() or (p == size).any():
            labels = (*labels, NOT_RECORDED)
        return Grouping(dimension, labels, a, s, programme_groups=p)
    if dimension in schema.DEMOGRAPHICS:
        labels = list(data.group_labels[dimension])
        a, s = att.groups[dimension], srv.groups[dimension]
        size = len(labels)
        if (a < 0).any() or (s < 0).any():
            labels.append(NOT_RECORDED)
        return Grouping(dimension, tuple(labels), np.where(a < 0, size, a), np.where(s < 0, size, s))
    if dimension == "period":
        return _period_grouping(data, filters, selection or select(data, filters))
    # partner or partnership type: through the programme_partners links
    links = data.links
    linked = np.zeros(n_prog, bool)
    linked[links["programme"].to_numpy("int64")] = True
    programmes = links["programme"].to_numpy("int64")
    if dimension == "partner":
        labels = list(data.partners["name"])
        groups = links["partner"].to_numpy("int64")
    else:
        types = data.partners["partnership_type"].map(_label).to_numpy(object)[links["partner"].to_numpy("int64")]
        labels = list(schema.PARTNERSHIP_TYPES)
        labels += sorted({t for t in types if t is not None and t not in labels})
        code = {t: i for i, t in enumerate(labels)}
        groups = np.array([code.get(t, len(labels)) for t in types], "int64")
        if (groups == len(labels)).any():
            labels.append(NOT_RECORDED)
        if len(groups):  # a programme with two partners of one type belongs to that type once
            programmes, groups = np.unique(np.stack([programmes, groups]), axis=1)
    unlinked = np.flatnonzero(~linked)
    if len(unlinked):
        programmes = np.concatenate([programmes, unlinked])
        groups = np.concatenate([groups, np.full(len(unlinked), len(labels), "int64")])
        labels.append(NO_PARTNER)
    return Grouping(dimension, tuple(labels), att.programme, srv.programme,
                    members=(programmes.astype("int64"), groups.astype("int64")), programme_groups=np.arange(n_prog))


_DERIVED: dict = {}  # (id(Prepared), name) -> (weak reference, value)


def per_prepared(data: Prepared, name: str, compute):
    """compute(data), once per `Prepared` (that is, per data version and account scope) and `name`: what every
    scope reads from all rows alike (codes per row, joined links) is worked out once, not on every new scope.
    Kept while the `Prepared` lives; the value must be treated as read-only."""
    key = (id(data), name)
    with _SELECTIONS_LOCK:
        cached = _DERIVED.get(key)
    if cached is not None and cached[0]() is data:
        return cached[1]
    value = compute(data)
    with _SELECTIONS_LOCK:
        for k in [k for k, (ref, _) in _DERIVED.items() if ref() is None]:
            del _DERIVED[k]
        _DERIVED[key] = (weakref.ref(data), value)
    return value


_PERIODS: dict = {}  # (id(Prepared), grain, fy_start_month) -> (weak reference, (known, index))


def _periods(data: Prepared, grain: str, fy: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Whether each attendance and survey row has a date, and the period it falls in: once per `Prepared` and
    grain (every new scope grouped over time asked for all 1.5M rows' periods again)."""
    key = (id(data), grain, fy)
    with _SELECTIONS_LOCK:
        cached = _PERIODS.get(key)
    if cached is not None and cached[0]() is data:
        return cached[1]
    rows = (data.attendance, data.surveys)
    known = [r.day != NO_DAY for r in rows]
    index = [np.where(k, period_index(np.where(k, r.day, 0), grain, fy), 0) for k, r in zip(known, rows)]
    for a in (*known, *index):
        a.setflags(write=False)
    with _SELECTIONS_LOCK:
        for k in [k for k, (ref, _) in _PERIODS.items() if ref() is None]:
            del _PERIODS[k]
        _PERIODS[key] = (weakref.ref(data), (known, index))
    return known, index


def _period_grouping(data: Prepared, filters: Filters, selection: Selection) -> Grouping:
    """Months, quarters, years or financial years from the first to the last selected row, empty ones
    included (a month with no sessions is a zero, not a gap); undated rows form "(not recorded)"."""
    grain, fy = filters.grain, filters.fy_start_month
    known, index = _periods(data, grain, fy)
    seen = np.concatenate([index[0][known[0] & selection.attendance], index[1][known[1] & selection.surveys]])
    first, last = (int(seen.min()), int(seen.max())) if len(seen) else (0, -1)
    labels = [period_label(i, grain, fy) for i in range(first, last + 1)]
    size = len(labels)
    codes = [np.where(k & (i >= first) & (i <= last), i - first, size) for k, i in zip(known, index)]
    undated = (~known[0] & selection.attendance).any() or (~known[1] & selection.surveys).any()
    labels.append(NOT_RECORDED)  # undated rows; rows outside the range are not selected anyway
    return Grouping("period", tuple(labels), codes[0], codes[1], keep_empty=True,
                    empty_last=not undated)
