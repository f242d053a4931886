"""Group labels: what attendance and surveys call a group, matched to what the population baseline calls it.

Labels match when they mean the same group, and only then:
- any dimension: case, spacing, dashes (–, —), "&" / "and" are ignored ("Docklands " = "docklands");
- age bands: the same range however written ("65+" = "65 and over" = "65 plus" = "Aged 65+",
  "18 to 24" = "18-24 years", "Under 5" = "0-4"); "over 65" is left alone (65+ or 66+? ambiguous);
  "Adult(s)" is the ages above the other bands when those end at 15, 16 or 17 (ACE's "Under 12",
  "12-17", "Adult"), and unmatched otherwise;
- age bands of different widths are compared on their common ranges: a baseline by single year of
  age (ONS: 0, 1, ..., 90+) is added up into the bands the library records, finer library bands
  (5-9, 10-11) fold into a wider baseline band (5-11), and bands that overlap without lining up are
  merged until they do (the comparison is then coarser, never wrong);
- deprivation quintiles: 1 = "1" = "Q1" = "Quintile 1 (most deprived)";
- areas: "Docklands ward" = "Docklands".
A label that matches nothing is reported (`unmatched_participants`), never dropped silently.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from impact import schema

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
_AGE_PREFIX = re.compile(r"^(?:aged?|ages)\s+")
_AGE_SUFFIX = re.compile(r"\s*(?:years?(?:\s+old)?|yrs?|y/?o|year\s+olds?)$|(?<=\d)s$")
_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|to)\s*(\d{1,3})$")
_OPEN = re.compile(r"^(\d{1,3})\s*(?:\+|plus|and over|and above|or over|or older|and older|years and over"
                   r"|years or over|years and older|\+ years)$")
_UNDER = re.compile(r"^(?:under|less than|below|younger than)\s*(\d{1,3})$")
_SINGLE = re.compile(r"^(\d{1,3})$")
_ADULT = ("adult", "adults")
_QUINTILE_DIGIT = re.compile(r"(?<!\d)([1-5])(?!\d)")


def _text(label) -> str:
    text = _DASHES.sub("-", str(label)).casefold().replace("&", " and ")
    text = _SPACES.sub(" ", text).strip(" .,;:")
    return re.sub(r"\s*-\s*", "-", text)


# --- dimensions ---------------------------------------------------------------------------------------

def _dimension_names() -> dict[str, str]:
    names = {}
    for column in schema.ATTENDANCE.columns:
        if column.name in schema.DEMOGRAPHICS:
            for text in (column.name, column.name.replace("_", " "), *column.synonyms):
                names.setdefault(_text(text).replace("_", " "), column.name)
    names.update({"age band": "age_band", "age bands": "age_band", "ward": "area", "wards": "area",
                  "imd": "deprivation_quintile", "deprivation quintile": "deprivation_quintile",
                  "imd quintile": "deprivation_quintile", "sex": "gender"})
    return names


DIMENSION_NAMES = _dimension_names()


def dimension_name(text) -> str | None:
    """A baseline's dimension as written ("Age band", "IMD quintile", "Ward") -> the canonical column, or None."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    return DIMENSION_NAMES.get(_text(text).replace("_", " "))


# --- groups -------------------------------------------------------------------------------------------

def age_range(label) -> tuple[float, float] | None:
    """'18-24', '18 to 24 years', 'Aged 65+', '65 and over', 'Under 5', '7' -> (low, high) inclusive, high may
    be inf; None when the label is not an age range (or is ambiguous, like 'over 65')."""
    text = _AGE_SUFFIX.sub("", _AGE_PREFIX.sub("", _text(label))).strip()
    for pattern, make in ((_RANGE, lambda m: (int(m[1]), int(m[2]))), (_OPEN, lambda m: (int(m[1]), math.inf)),
                          (_UNDER, lambda m: (0, int(m[1]) - 1)), (_SINGLE, lambda m: (int(m[1]), int(m[1])))):
        m = pattern.match(text)
        if m:
            low, high = make(m)
            return (float(low), float(high)) if low <= high else None
    return None


def _range_key(low: float, high: float) -> str:
    return f"{int(low)}+" if math.isinf(high) else f"{int(low)}-{int(high)}" if high > low else f"{int(low)}"


def group_key(dimension: str, label) -> str:
    """The form two labels of one dimension share when they name the same group."""
    if dimension == "deprivation_quintile":
        try:
            number = float(str(label).strip())
            if number.is_integer():
                return str(int(number))
        except ValueError:
            pass
        digits = _QUINTILE_DIGIT.findall(str(label))
        if len(digits) == 1:
            return digits[0]
    if dimension == "age_band":
        found = age_range(label)
        if found:
            return _range_key(*found)
    text = _text(label)
    if dimension == "area":
        text = re.sub(r"\s+ward$", "", text)
    return text


@dataclass(frozen=True)
class GroupMatch:
    """How participants' labels map onto the baseline's groups of one dimension.

    `groups` are the groups compared (the baseline's wording where one baseline label makes the group);
    `participant_group` / `population_group` map each label to its index in `groups`; labels of
    participants that match no baseline group are in `unmatched_participants` (and not in the mapping).
    """

    dimension: str
    groups: tuple[str, ...]
    keys: tuple[str, ...]  # the comparable key of each group ("1", "18-24", "65+", "docklands")
    participant_group: dict
    population_group: dict
    unmatched_participants: tuple[str, ...]
    unmatched_population: tuple[str, ...]  # baseline groups no participant label names (they count as 0)
    merged: tuple[str, ...]  # groups made by adding up several labels of different widths


class _Sets:
    """Union-find over keys."""

    def __init__(self):
        self.parent = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _adult_range(ranges: dict[str, tuple[float, float]], keys) -> tuple[float, float] | None:
    """'Adult' as the ages above the other bands, when those end at 15, 16 or 17 (and none goes above)."""
    highs = [high for key, (low, high) in ranges.items() if key in keys]
    if highs and not any(math.isinf(h) for h in highs) and max(highs) in (15.0, 16.0, 17.0):
        return (max(highs) + 1, math.inf)
    return None


def _ages(keys, ranges) -> set[int]:
    """The whole years of age a set of range keys covers (open ranges up to 150)."""
    out = set()
    for k in keys:
        low, high = ranges[k]
        out.update(range(int(low), int(min(high, 150)) + 1))
    return out


def match_groups(dimension: str, participant_labels, population_labels) -> GroupMatch:
    """Participants' labels and the baseline's labels of one dimension -> the groups both can be compared on."""
    participant_labels = [str(x) for x in dict.fromkeys(participant_labels)]
    population_labels = [str(x) for x in dict.fromkeys(population_labels)]
    p_key = {label: group_key(dimension, label) for label in participant_labels}
    q_key = {label: group_key(dimension, label) for label in population_labels}
    ranges: dict[str, tuple[float, float]] = {}
    if dimension == "age_band":
        for key in {*p_key.values(), *q_key.values()}:
            found = age_range(key)
            if found:
                ranges[key] = found
        for side in (p_key, q_key):
            keys = set(side.values())
            adult = _adult_range(ranges, keys)
            if adult:
                for label, key in side.items():
                    if key in _ADULT:
                        side[label] = _range_key(*adult)
                        ranges[side[label]] = adult
    p_keys, q_keys = set(p_key.values()), set(q_key.values())

    sets = _Sets()
    for key in p_keys | q_keys:
        sets.find(key)
    if ranges:  # overlapping age ranges from the two sides (or within one) are one comparable group
        spans = sorted((ranges[k][0], ranges[k][1], k) for k in p_keys | q_keys if k in ranges)
        reach_high, last = -1.0, None
        for low, high, key in spans:
            if last is not None and low <= reach_high:
                sets.union(last, key)
            if high > reach_high:
                reach_high, last = high, key
    components: dict[str, list[str]] = {}
    for key in sorted(p_keys | q_keys, key=lambda k: (ranges.get(k, (math.inf,))[0], k)):
        components.setdefault(sets.find(key), []).append(key)

    with_baseline = [keys for keys in components.values() if any(k in q_keys for k in keys)]
    baseline_finer = any(sum(k in q_keys for k in keys) > 1 for keys in with_baseline)
    if baseline_finer:  # single years of age with no library band over them: one stretch, not 60 zero groups
        joined, run = [], []
        for keys in with_baseline:
            uncovered = not any(k in p_keys for k in keys) and all(k in ranges for k in keys)
            if uncovered and run and ranges[run[-1][-1]][1] + 1 >= ranges[keys[0]][0]:
                run[-1] = run[-1] + keys
                continue
            if run:
                joined.extend(run)
                run = []
            (run if uncovered else joined).append(keys)
        joined.extend(run)
        with_baseline = joined

    first_label = {}
    for side in (q_key, p_key):  # the baseline's own wording first
        for label, key in side.items():
            first_label.setdefault(key, label)
    groups, keys_out, merged, index_of = [], [], [], {}
    for keys in with_baseline:
        baseline = [k for k in keys if k in q_keys]
        library = [k for k in keys if k in p_keys and k not in q_keys]
        if library and not _ages(library, ranges) <= _ages(baseline, ranges):
            library = []  # a band reaching ages the baseline does not count: not comparable, reported unmatched
        if len(baseline) == 1:
            name, key = first_label[baseline[0]], baseline[0]
        else:
            key = _range_key(min(ranges[k][0] for k in baseline), max(ranges[k][1] for k in baseline))
            name = first_label.get(key, key)
            merged.append(name)
        for k in (*baseline, *library):
            index_of[k] = len(groups)
        groups.append(name)
        keys_out.append(key)

    participant_group = {label: index_of[key] for label, key in p_key.items() if key in index_of}
    population_group = {label: index_of[key] for label, key in q_key.items()}
    unmatched = tuple(label for label in participant_labels if label not in participant_group)
    named = set(participant_group.values())
    return GroupMatch(dimension=dimension, groups=tuple(groups), keys=tuple(keys_out),
                      participant_group=participant_group, population_group=population_group,
                      unmatched_participants=unmatched,
                      unmatched_population=tuple(g for i, g in enumerate(groups) if i not in named),
                      merged=tuple(merged))


def order_key(dimension: str, label) -> tuple:
    """Sort key that puts groups in their natural order: ages by age, quintiles 1-5, the rest by name."""
    key = group_key(dimension, label)
    if dimension == "age_band" and age_range(key):
        return (0, age_range(key)[0], key)
    if key.isdigit():
        return (0, int(key), key)
    return (1, 0, key)


def display_names(dimension: str, labels, baseline_labels=()) -> dict[str, str]:
    """Each label -> the name its group is shown under: the baseline's wording when a baseline label has the
    same key, else the first of `labels` with that key. Labels that mean the same group get the same name."""
    names = {}
    for label in baseline_labels:
        names.setdefault(group_key(dimension, label), str(label))
    out = {}
    for label in labels:
        key = group_key(dimension, label)
        names.setdefault(key, str(label))
        out[str(label)] = names[key]
    return out
