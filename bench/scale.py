"""Scale: a store of N attendance rows (plus N/2 survey responses) from the demo's generator, read and shown.

The demo library service (impact.demo, read through the same ingest path as a user's files) is stored with its
attendance repeated to N rows and its survey responses to N/2 (the same sessions and dates, so every filter
selects N/10k times the demo's rows), in one batch. Then, in the same run:

- reading the frames: `Store.frames` (rows through the database driver) against the columnar copy
  (impact/columnar.py: Parquet, keyed by the data version), interleaved, medians of --repeat, with the ratio;
  the demo store first, as the small case; the copy is checked equal to the store;
- every explore page with AppTest (as bench/pages.py): the first view, a filter change (the median of three
  theme choices per round), against a bare page with one chart and one table;
- memory: this process's resident set after every page was shown (what a server process holds for one data
  version), peak, against the columnar files' size on disk;
- with --append N: N uploads of the demo's attendance into the large store, the commit against bringing the copy
  up to date, then the reads again (the copy now several files per large table);
- with --undo after --append N: the middle, last and first of those uploads undone, the undo against bringing
  the copy up to date (the earlier version's files less the undone batch's, or rebuilt whole); with --rebuilt the
  copy is first rebuilt whole, so each undone batch's rows share one file with every other batch's.

    python bench/scale.py [--rows 1000000] [--repeat 3] [--keep DIR] [--page overview ...] [--append N [--undo [--rebuilt]]]

--keep reuses (or builds once) the large store in DIR. Runs with one core's worth of work at a time.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this folder holds a pages.py: it must not hide the app's `pages` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
logging.disable(logging.WARNING)

import pandas as pd

from impact import columnar
from impact.store import Store, demo_files, load_demo

PAGES = ["pages/overview.py", "pages/outcomes.py", "pages/programmes.py", "pages/partners.py", "pages/equity.py"]
THEMES = [["Early literacy"], ["Digital inclusion", "Health & wellbeing"], []]
BARE = '''
import numpy as np, pandas as pd, streamlit as st
choice = st.sidebar.multiselect("Theme", ["a", "b", "c"], key="bare.theme")
frame = pd.DataFrame({"month": range(24), "attendance": np.arange(24) * (len(choice) + 1)})
st.title("Bare page")
st.bar_chart(frame, x="month", y="attendance")
st.dataframe(frame, hide_index=True)
'''


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def build(url: str, rows: int) -> None:
    """The demo's upload with its attendance repeated to `rows` and its responses to rows/2, stored as one batch
    (the columnar copy written once, after)."""
    from impact.ingest import ingest_paths

    store = Store(url, columnar_dir=None)
    result = ingest_paths(demo_files())
    for table, share in (("attendance", 1.0), ("survey_responses", 0.5)):
        total = sum(len(f.frames[table]) for f in result.files if table in f.frames)
        copies = max(1, round(rows * share / total))
        for f in result.files:
            frame = f.frames.get(table)
            if frame is None or not len(frame):
                continue
            big = pd.concat([frame] * copies, ignore_index=True)
            big["_row"] = range(2, len(big) + 2)
            f.frames[table] = big
    start = time.perf_counter()
    outcome = store.commit(result, uploader="bench", force=True)
    if not outcome.ok:
        raise SystemExit(outcome.message)
    print(f"stored {outcome.stored} in {time.perf_counter() - start:.0f} s")
    store.dispose()


def time_reads(store: Store, repeat: int) -> tuple[float, float, dict]:
    """Store.frames and the columnar copy's read, interleaved; medians in seconds."""
    sql, copy = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        reference = store.frames()
        sql.append(time.perf_counter() - start)
        start = time.perf_counter()
        loaded = columnar.load(store)
        copy.append(time.perf_counter() - start)
        assert loaded.source == "copy", loaded.source
    for name, frame in reference.items():  # the copy is the store, value for value
        pd.testing.assert_frame_equal(loaded.frames[name], frame, check_exact=True, obj=name)
    return statistics.median(sql), statistics.median(copy), {t: len(f) for t, f in reference.items()}


def _with_copy_timed(action):
    """action() -> (its result, its whole time, the time of bringing the columnar copy up to date inside it, what
    that update made)."""
    real = columnar.update
    spent = []

    def timed(s, written=None):
        start = time.perf_counter()
        made = real(s, written)
        spent.append((time.perf_counter() - start, made))
        return made

    columnar.update = timed
    try:
        start = time.perf_counter()
        result = action()
        total = time.perf_counter() - start
    finally:
        columnar.update = real
    seconds, made = spent[0]
    return result, total, seconds, made


def time_append(store: Store, uploads: int) -> list[int]:
    """Uploads of the demo's attendance workbook (forced: the same file again) into the large store: the commit
    against bringing the columnar copy up to date (the earlier version's files plus the new batch's)."""
    from impact.ingest import ingest_paths

    result = ingest_paths([p for p in demo_files() if "attendance" in p.name])
    batches = []
    for _ in range(uploads):
        outcome, total, seconds, made = _with_copy_timed(lambda: store.commit(result, uploader="bench", force=True))
        batches += outcome.batch_ids
        print(f"upload of {outcome.stored['attendance']:,} attendance rows: commit {total - seconds:.2f} s, copy brought "
              f"up to date {seconds:.2f} s ({made.source}; {made.read_back:,} rows read back from the database)")
    return batches


def time_undo(store: Store, batches: list[int]) -> None:
    """Undo each of these batches (the middle one first, then the last, then the first): the undo in the database
    against bringing the columnar copy up to date."""
    order = [batches[len(batches) // 2], batches[-1], batches[0]] if len(batches) > 2 else list(reversed(batches))
    for batch in dict.fromkeys(order):
        removed, total, seconds, made = _with_copy_timed(lambda batch=batch: store.undo(batch))
        print(f"undo of batch {batch} ({removed.get('attendance', 0):,} attendance rows): undo {total - seconds:.2f} s, "
              f"copy brought up to date {seconds:.2f} s ({made.source}; {made.read_back:,} rows read back)")


def _timed(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception:
        raise SystemExit(f"exception: {at.exception[0].message}")
    return elapsed


def time_pages(pages: list[str], repeat: int) -> list[tuple[str, float, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.common import Keys

    out = []
    bare = AppTest.from_string(BARE, default_timeout=60)
    bare.run()
    changes = []
    for _ in range(repeat):
        for themes in (["a"], ["a", "b"], []):
            bare.multiselect(key="bare.theme").set_value(themes)
            changes.append(_timed(bare))
    out.append(("bare page", float("nan"), statistics.median(changes), statistics.median(changes)))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    for page in pages:
        if page == PAGES[0]:
            cold = _timed(at)  # the first view of the process: the columnar copy read, the figures prepared
        else:
            at.switch_page(page)
            cold = _timed(at)
        changes = []
        for _ in range(repeat):
            for themes in THEMES:
                at.multiselect(key=Keys.THEMES).set_value(themes)
                changes.append(_timed(at))
        # the first round asks for each scope anew (computed); later rounds ask again (memoised per version)
        out.append((Path(page).stem, cold, statistics.median(changes[:len(THEMES)]), statistics.median(changes)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="attendance rows (responses: half as many)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="a folder to keep (or reuse) the large store in")
    parser.add_argument("--page", action="append", choices=[Path(p).stem for p in PAGES])
    parser.add_argument("--no-pages", action="store_true", help="only the frames read")
    parser.add_argument("--no-reads", action="store_true",
                        help="no timed reads (the store built or kept; after --append one read checks the copy)")
    parser.add_argument("--append", type=int, default=0, metavar="N",
                        help="then N uploads of the demo's attendance: commit against copy update")
    parser.add_argument("--undo", action="store_true",
                        help="after --append: undo the middle, last and first of them: undo against copy update")
    parser.add_argument("--rebuilt", action="store_true",
                        help="before --undo: the copy rebuilt whole (as `rebuild-cache` does), so every undone batch "
                             "shares one file with all the others")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault(columnar.ENV, str(folder / "columnar"))

    demo_url = f"sqlite:///{folder}/demo.db"
    demo = Store(demo_url)
    if demo.is_empty():
        load_demo(demo)
    reads = 1 if args.no_reads else args.repeat
    if not args.no_reads:
        sql, copy, rows = time_reads(demo, reads)
        print(f"demo ({rows['attendance']:,} attendance, {rows['survey_responses']:,} responses): Store.frames "
              f"{sql:.3f} s, columnar copy {copy:.3f} s: {sql / copy:.1f}x faster (medians of {reads}, interleaved)")
    demo.dispose()

    url = f"sqlite:///{folder}/scale-{args.rows}.db"
    if not Path(url.removeprefix("sqlite:///")).exists():
        build(url, args.rows)
    store = Store(url)
    start = time.perf_counter()
    columnar.load(store)  # written once if missing (a store built with the copy off)
    print(f"columnar copy ready in {time.perf_counter() - start:.1f} s")
    if not args.no_reads:
        sql, copy, rows = time_reads(store, reads)
        print(f"{rows['attendance']:,} attendance, {rows['survey_responses']:,} responses: Store.frames {sql:.2f} s, "
              f"columnar copy {copy:.2f} s: {sql / copy:.1f}x faster (medians of {reads}, interleaved); "
              "copy equal to the store")
    size = columnar.size_on_disk(store.columnar_dir, store.data_key()) / 2**20
    if args.append:
        appended = time_append(store, args.append)
        if args.undo:
            if args.rebuilt:
                start = time.perf_counter()
                columnar.rebuild_fresh(store)
                print(f"copy rebuilt whole in {time.perf_counter() - start:.1f} s (one file per large table)")
            time_undo(store, appended)
        sql, copy, rows = time_reads(store, reads)
        print(f"after: Store.frames {sql:.2f} s, columnar copy {copy:.2f} s: {sql / copy:.1f}x faster; copy equal to "
              "the store")
    if args.no_pages:
        return

    os.environ["IMPACT_DATABASE_URL"] = url
    os.environ["IMPACT_AUTOLOAD_DEMO"] = "0"
    before = rss_mb()
    pages = [p for p in PAGES if not args.page or Path(p).stem in args.page]
    results = time_pages(pages, args.repeat)
    bare = results[0][3]
    print(f"\n{'page':<12} {'first view ms':>14} {'new scope ms':>13} {'x bare':>7} {'all changes ms':>15} {'x bare':>7}")
    for name, cold, new, change in results:
        print(f"{name:<12} {cold:>14.0f} {new:>13.0f} {new / bare:>7.1f} {change:>15.0f} {change / bare:>7.1f}")
    print("(filter change: median of a theme chosen, two chosen, none; 'new scope' the first round only, each scope "
          "computed; 'all changes' every round, later rounds memoised per data version and scope)")
    rss, peak = rss_mb(), rss_mb("VmHWM")
    print(f"\nprocess memory after every page: {rss:.0f} MB resident (peak {peak:.0f} MB; {before:.0f} MB before the "
          f"pages); columnar files {size:.0f} MB on disk: {rss / size:.1f}x (peak {peak / size:.1f}x)")


if __name__ == "__main__":
    main()
