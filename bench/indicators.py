"""Indicator speed: the full indicator set (reach, engagement, outcomes, pre/post change, follow-up,
value) for one filter and a `--by partner` breakdown, and the equity set (reach against a population
baseline, outcome gaps, partner balances and the network), over 1,000,000 attendance rows and 500,000
survey responses built in memory, against a bare pandas groupby-sum over the same rows in the same
run. Target: the full set for one filter <= 300 ms and <= 10x the bare groupby.

    python bench/indicators.py [--attendance 1000000] [--surveys 500000] [--repeat 5]

`prepare` (joins and codes) runs once per database change (pages cache it on the store's version),
so it is timed on its own; "cold" adds it to one filter for the first view after an upload.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from impact import equity, indicators
from impact.filters import Filters, prepare

THEMES = ["Digital inclusion", "Early literacy", "Education & lifelong learning", "Job skills & economic development",
          "Health & wellbeing", "Civic & community engagement", "Family engagement", "Reading for pleasure",
          "Culture & creativity"]
BRANCHES = ["Central", "Northgate", "Riverside", "Eastfield"]
AGE_BANDS = ["0-4", "5-11", "12-17", "18-24", "25-44", "45-64", "65+"]
AREAS = [f"Ward {i}" for i in range(12)]
DOMAINS = ["knowledge", "confidence", "application", "awareness", "library_use", "satisfaction"]


def _text(labels, index) -> pd.arrays.ArrowStringArray:
    return pd.array(np.asarray(labels, dtype=object)[index], dtype="str")


def make_frames(n_attendance: int, n_surveys: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Canonical frames with the dtypes Store.frames() gives: 300 programmes, 60 partners, three
    financial years; 40% of attendance rows are one person at a session (participant ids, about 8
    per session), 60% a head count reshaped to one row per age band (5 rows per session)."""
    rng = np.random.default_rng(seed)
    n_prog, n_partner = 300, 60
    names = [f"Programme {i:03d}" for i in range(n_prog)]
    programmes = pd.DataFrame({
        "programme_id": pd.array([f"programme-{i:03d}" for i in range(n_prog)], dtype="str"),
        "name": pd.array(names, dtype="str"),
        "theme": _text(THEMES, rng.integers(0, len(THEMES), n_prog)),
        "branch": _text(BRANCHES, rng.integers(0, len(BRANCHES), n_prog)),
        "library_cost": rng.uniform(500, 20000, n_prog).round(2),
        "library_staff_hours": rng.uniform(20, 600, n_prog).round(1),
        "capacity_per_session": pd.array(rng.integers(8, 40, n_prog), dtype="Int64"),
    })
    partner_names = [f"Partner {i:02d}" for i in range(n_partner)]
    partners = pd.DataFrame({"partner_id": pd.array([f"partner-{i:02d}" for i in range(n_partner)], dtype="str"),
                             "name": pd.array(partner_names, dtype="str"),
                             "partnership_type": _text(["library", "community", "stakeholder"],
                                                       rng.integers(0, 3, n_partner))})
    link_prog = np.concatenate([np.arange(0, n_prog, 1)[rng.random(n_prog) < 0.8],
                                np.arange(0, n_prog, 1)[rng.random(n_prog) < 0.5]])
    link_partner = rng.integers(0, n_partner, len(link_prog))
    links = pd.DataFrame({"programme": _text(names, link_prog), "partner": _text(partner_names, link_partner),
                          "staff_hours": rng.uniform(0, 200, len(link_prog)).round(1),
                          "cash": rng.choice([0.0, 500.0, 2000.0], len(link_prog)),
                          "in_kind": rng.uniform(0, 3000, len(link_prog)).round(-1)}
                         ).drop_duplicates(["programme", "partner"])

    start = np.datetime64("2023-04-01")
    n_people_rows = int(n_attendance * 0.4)
    n_count_rows = n_attendance - n_people_rows
    # person rows: sessions of ~8 people
    s1 = n_people_rows // 8 + 1
    s1_prog, s1_day = rng.integers(0, n_prog, s1), rng.integers(0, 1095, s1)
    person_session = np.sort(rng.integers(0, s1, n_people_rows))
    # head counts: 5 age bands per session
    s2 = n_count_rows // 5 + 1
    s2_prog, s2_day = rng.integers(0, n_prog, s2), rng.integers(0, 1095, s2)
    count_session = np.repeat(np.arange(s2), 5)[:n_count_rows]
    prog = np.concatenate([s1_prog[person_session], s2_prog[count_session]])
    day = np.concatenate([s1_day[person_session], s2_day[count_session]])
    dates = (start + day.astype("timedelta64[D]")).astype("datetime64[us]")
    attendees = np.concatenate([np.ones(n_people_rows, "int64"), rng.integers(0, 12, n_count_rows)])
    attendees_na = rng.random(n_attendance) < 0.01
    people = rng.integers(0, 150_000, n_people_rows)
    participant = np.concatenate([np.char.add("P", people.astype(str)).astype(object),
                                  np.full(n_count_rows, None, object)])
    age = rng.integers(0, len(AGE_BANDS), n_attendance)
    attendance = pd.DataFrame({
        "programme": _text(names, prog), "session_date": dates,
        "branch": _text(BRANCHES, rng.integers(0, len(BRANCHES), n_attendance)),
        "attendees": pd.array(np.where(attendees_na, 0, attendees), dtype="Int64"),
        "new_attendees": pd.array(rng.binomial(attendees, 0.15), dtype="Int64"),
        "participant_id": pd.array(participant, dtype="str"),
        "sessions": pd.array(np.ones(n_attendance, "int64"), dtype="Int64"),
        "age_band": _text(AGE_BANDS, age), "gender": pd.Series([None] * n_attendance, dtype=object),
        "ethnicity": pd.Series([None] * n_attendance, dtype=object),
        "disability": pd.Series([None] * n_attendance, dtype=object),
        "area": _text(AREAS, rng.integers(0, len(AREAS), n_attendance)),
        "deprivation_quintile": pd.array(rng.integers(1, 6, n_attendance), dtype="Int64"),
        "period_start": dates, "period_end": dates,
    })
    attendance.loc[attendees_na, "attendees"] = pd.NA

    wave = rng.choice(np.array(["pre", "post", "follow_up"], dtype=object), n_surveys, p=[0.25, 0.6, 0.15])
    respondent = rng.integers(0, n_surveys // 3, n_surveys)
    has_id = rng.random(n_surveys) < 0.6
    sprog = rng.integers(0, n_prog, n_surveys)
    sprog = np.where(has_id, respondent % n_prog, sprog)  # a respondent answers about one programme
    surveys = pd.DataFrame({
        "programme": _text(names, sprog),
        "response_date": (start + rng.integers(0, 1095, n_surveys).astype("timedelta64[D]")).astype("datetime64[us]"),
        "wave": pd.array(wave, dtype="str"),
        "respondent_id": pd.array(np.where(has_id, np.char.add("R", respondent.astype(str)).astype(object), None),
                                  dtype="str"),
    })
    base = rng.integers(1, 6, n_surveys)
    for d in DOMAINS:
        answer = np.clip(base + rng.integers(-1, 2, n_surveys) + (wave != "pre"), 1, 5).astype("float64")
        answer[rng.random(n_surveys) < 0.03] = np.nan  # N/A, don't know, blank
        surveys[d] = pd.array(answer, dtype="Int64")
    surveys["age_band"] = _text(AGE_BANDS, rng.integers(0, len(AGE_BANDS), n_surveys))
    surveys["area"] = _text(AREAS, rng.integers(0, len(AREAS), n_surveys))
    surveys["deprivation_quintile"] = pd.array(rng.integers(1, 6, n_surveys), dtype="Int64")
    return {"partners": partners, "programmes": programmes, "programme_partners": links, "attendance": attendance,
            "survey_responses": surveys, "population": population_frame()}


def population_frame() -> pd.DataFrame:
    """A community baseline for the equity set: residents by age band, ward and deprivation quintile."""
    rows = [("age_band", band, 6000 + 4000 * i) for i, band in enumerate(AGE_BANDS)]
    rows += [("area", ward, 15000 + 1000 * i) for i, ward in enumerate(AREAS)]
    rows += [("deprivation_quintile", str(q), 45000 - 3000 * q) for q in range(1, 6)]
    return pd.DataFrame(rows, columns=["dimension", "group", "population"])


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attendance", type=int, default=1_000_000)
    parser.add_argument("--surveys", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    frames = make_frames(args.attendance, args.surveys)
    print(f"built {args.attendance:,} attendance rows and {args.surveys:,} survey responses "
          f"in {time.perf_counter() - t0:.1f} s")
    attendance, surveys = frames["attendance"], frames["survey_responses"]

    def bare_attendance():
        return attendance.groupby("programme")["attendees"].sum()

    def bare_both():
        return bare_attendance(), surveys.groupby("programme")[DOMAINS].sum()

    one = Filters(date_from=dt.date(2024, 4, 1), date_to=dt.date(2025, 3, 31), partnership_types=["community"])
    data = prepare(frames)
    ind = indicators.compute(data, one)
    first = next(iter(ind.change.values()))
    print(f"one filter (FY 2024/25, community partners): attendance {ind.reach.attendance:,}, "
          f"{ind.reach.unique_participants:,} participants, {len(ind.outcomes)} outcomes, "
          f"{len(ind.change)} changes ({first.method}, n = {first.n:,})")

    base_att = timed(bare_attendance, args.repeat)
    base = timed(bare_both, args.repeat)
    t_prepare = timed(lambda: prepare(frames), max(1, args.repeat // 2))
    t_all = timed(lambda: indicators.compute(data), args.repeat)
    t_one = timed(lambda: indicators.compute(data, one), args.repeat)
    t_partner = timed(lambda: indicators.compute_by(data, "partner"), args.repeat)
    t_partner_one = timed(lambda: indicators.compute_by(data, "partner", one), args.repeat)
    t_cold = t_prepare + t_one
    t_equity_all = timed(lambda: equity.compute(data), args.repeat)
    t_equity_one = timed(lambda: equity.compute(data, one), args.repeat)
    t_partners_all = timed(lambda: equity.partnerships(data), args.repeat)
    t_partners_one = timed(lambda: equity.partnerships(data, one), args.repeat)

    rows = [
        ("bare groupby-sum, attendance by programme (1 table)", base_att, None),
        ("bare groupby-sum, attendance + 6 survey items by programme (same rows)", base, None),
        ("prepare: joins and codes, once per database change", t_prepare, None),
        ("full set, no filter", t_all, t_all / base),
        ("full set, one filter (FY 2024/25, community partners)", t_one, t_one / base),
        ("full set, --by partner, no filter", t_partner, t_partner / base),
        ("full set, --by partner, one filter", t_partner_one, t_partner_one / base),
        ("cold: prepare + full set for one filter", t_cold, t_cold / base),
        ("equity of reach + outcomes (3 baselines x 5 items), no filter", t_equity_all, t_equity_all / base),
        ("equity of reach + outcomes, one filter", t_equity_one, t_equity_one / base),
        ("partners: five stakes, feedback, imbalance, network, no filter", t_partners_all, t_partners_all / base),
        ("partners: five stakes, feedback, imbalance, network, one filter", t_partners_one, t_partners_one / base),
    ]
    found, fair = equity.compute(data, one), equity.partnerships(data, one).fairness
    print(f"equity, one filter: {len(found.reach.blindspots)} blindspots, {len(found.outcomes.significant)} clear "
          f"outcome gaps; {len(fair.partnerships)} partnerships, {len(fair.not_shared)} not shared, imbalance "
          + (f"{fair.imbalance:.2f}" if fair.imbalance is not None else "–"))
    print(f"\n{'what':<74} {'median ms':>9} {'x bare':>7}")
    for label, t, r in rows:
        print(f"{label:<74} {1000 * t:>9.0f} {'' if r is None else f'{r:.1f}':>7}")
    print(f"\nfull set for one filter: {1000 * t_one:.0f} ms (target <= 300 ms), {t_one / base:.1f}x the bare groupby "
          f"over the same rows, {t_one / base_att:.1f}x the attendance-only groupby (target <= 10x)")
    print(f"peak traced memory: prepare {peak_mb(lambda: prepare(frames)):.0f} MB, one filter "
          f"{peak_mb(lambda: indicators.compute(data, one)):.0f} MB, --by partner "
          f"{peak_mb(lambda: indicators.compute_by(data, 'partner', one)):.0f} MB, bare groupby "
          f"{peak_mb(bare_both):.0f} MB; "
          f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
