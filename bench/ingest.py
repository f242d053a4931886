"""Import speed: a 100,000-row attendance workbook into a fresh SQLite file, against plain
`pandas.read_excel(engine="calamine")` of the same file, in the same run. Target: ratio <= 2.0.
With --csv: the same rows as a CSV file, `python -m impact import` as a whole process against a whole process
doing a bare `pandas.read_csv`, interleaved, medians of --repeat (issue 13's target: <= 2.0).

    python bench/ingest.py [--rows 100000] [--csv [--against OTHER_CHECKOUT]]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from impact.ingest import ingest_paths
from impact.store import Store


def make_workbook(path: Path, rows: int) -> None:
    import openpyxl

    rng = np.random.default_rng(1)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Attendance")
    ws.append(["Programme", "Session date", "Branch", "Attendees", "New attendees", "Age band", "Area",
               "Deprivation quintile", "Gender", "Sessions", "Partner", "Notes"])
    programmes = [f"Programme {i}" for i in range(120)]
    branches = ["Central", "Northgate", "Riverside", "Eastfield"]
    bands = ["Under 5", "5-11", "12-17", "18-24", "25-64", "65+"]
    start = dt.date(2023, 4, 1)
    days = rng.integers(0, 1095, rows)
    att = rng.integers(1, 40, rows)
    for i in range(rows):
        ws.append([programmes[i % 120], start + dt.timedelta(days=int(days[i])), branches[i % 4], int(att[i]),
                   int(att[i] // 4), bands[i % 6], f"Ward {i % 8}", int(i % 5) + 1, "Female" if i % 2 else "Male", 1,
                   None, None])
    wb.save(path)


def timed(fn, repeat: int = 3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def csv_whole_process(rows: int, repeat: int, against: Path | None = None) -> None:
    """`python -m impact import FILE.csv` against `python -c "pandas.read_csv(FILE)"`, whole processes, interleaved;
    `against`: another checkout's import too (e.g. the code before a change), in the same rounds."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        rng = np.random.default_rng(1)
        start = pd.Timestamp("2023-04-01")
        frame = pd.DataFrame({
            "Programme": [f"Programme {i % 120}" for i in range(rows)],
            "Session date": (start + pd.to_timedelta(rng.integers(0, 1095, rows), unit="D")).strftime("%d/%m/%Y"),
            "Branch": [("Central", "Northgate", "Riverside", "Eastfield")[i % 4] for i in range(rows)],
            "Attendees": rng.integers(1, 40, rows),
            "Age band": [("Under 5", "5-11", "12-17", "18-24", "25-64", "65+")[i % 6] for i in range(rows)],
            "Area": [f"Ward {i % 8}" for i in range(rows)], "Deprivation quintile": np.arange(rows) % 5 + 1,
            "Gender": np.where(np.arange(rows) % 2, "Female", "Male")})
        path = Path(tmp) / "attendance.csv"
        frame.to_csv(path, index=False)
        size_mb = path.stat().st_size / 2**20
        print(f"made {rows:,}-row CSV ({size_mb:.1f} MB)")
        bare, ours, theirs = [], [], []
        cpu = {"bare": [], "ours": [], "theirs": []}  # CPU seconds (user + system, the worker's included)

        def run(argv, who: str, **kwargs) -> float:
            import resource

            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(argv, check=True, **kwargs)
            elapsed = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[who].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            return elapsed

        def run_import(checkout: Path, db: str, who: str) -> float:
            if size_mb > 50:  # over the default upload limit (1M rows: 55 MB): the store is made first, limit raised
                store = Store(db)
                store.set_setting("max_upload_mb", int(size_mb * 2))
                store.dispose()
            return run([sys.executable, "-m", "impact", "import", str(path), "--uk-dates", "--db", db], who,
                       cwd=checkout, stdout=subprocess.DEVNULL)

        for i in range(repeat):
            bare.append(run([sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"], "bare"))
            ours.append(run_import(root, f"sqlite:///{tmp}/impact-{i}.db", "ours"))
            if against is not None:
                theirs.append(run_import(against, f"sqlite:///{tmp}/against-{i}.db", "theirs"))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"csv, {rows:,} rows, whole processes (medians of {repeat}, interleaved): bare pandas.read_csv {b:.2f} s, "
          f"python -m impact import {o:.2f} s: ratio {o / b:.1f} (target <= 2.0)")
    cb, co = statistics.median(cpu["bare"]), statistics.median(cpu["ours"])
    print(f"  CPU time (user + system, less moved by other work on the machine): bare {cb:.2f} s, import {co:.2f} s: "
          f"ratio {co / cb:.1f}")
    if against is not None:
        t = statistics.median(theirs)
        print(f"  {against}: import {t:.2f} s: ratio {t / b:.1f}; this checkout takes {o / t:.2f}x its time "
              f"(runs: this {', '.join(f'{x:.2f}' for x in ours)}; that {', '.join(f'{x:.2f}' for x in theirs)})")
        ct = statistics.median(cpu["theirs"])
        print(f"  CPU time: that {ct:.2f} s (ratio {ct / cb:.1f}); this checkout {co / ct:.2f}x its CPU time")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="the CSV whole-process comparison instead")
    parser.add_argument("--against", type=Path, help="with --csv: another checkout's import in the same rounds")
    args = parser.parse_args()
    if args.csv:
        csv_whole_process(args.rows, args.repeat, args.against)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "attendance.xlsx"
        t0 = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"made {args.rows:,}-row workbook ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")

        baseline = timed(lambda: pd.read_excel(path, engine="calamine"), args.repeat)
        counter = iter(range(1000))

        def do_import():
            store = Store(f"sqlite:///{tmp}/impact-{next(counter)}.db")
            result = ingest_paths([path])
            assert result.ok, result.errors[:3]
            outcome = store.commit(result)
            assert outcome.stored["attendance"] == args.rows
            store.dispose()

        ours = timed(do_import, args.repeat)
        tracemalloc.start()
        do_import()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    print(f"pandas.read_excel(engine='calamine'): {baseline:.2f} s (median of {args.repeat})")
    print(f"python -m impact import into fresh SQLite: {ours:.2f} s (median of {args.repeat}); "
          f"peak traced memory {peak:.0f} MB")
    print(f"ratio import / read_excel: {ours / baseline:.2f} (target <= 2.0)")


if __name__ == "__main__":
    main()
