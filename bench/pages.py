"""Dashboard speed: each explore page run with AppTest on the demo library service, timed per rerun.

For every page: the first view (cold: loading and preparing the data once per database change), a rerun
with nothing changed, and a filter change (a theme chosen, then another, then none; the median of those
three reruns). Target: a filter change re-renders a page in under 500 ms.

    python bench/pages.py [--repeat 3] [--page partners ...]
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
# this file is called pages.py: its own folder must not hide the app's `pages` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" noise

import streamlit as st
from streamlit.testing.v1 import AppTest

from impact.store import Store, load_demo
from ui.common import Keys

PAGES = ["pages/overview.py", "pages/outcomes.py", "pages/programmes.py", "pages/partners.py", "pages/equity.py"]
THEMES = [["Early literacy"], ["Digital inclusion", "Health & wellbeing"], []]
TARGET_MS = 500


def _timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - start) * 1000
    if at.exception:
        raise SystemExit(f"exception: {at.exception[0].message}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of filter changes per page")
    parser.add_argument("--page", action="append", choices=[Path(p).stem for p in PAGES],
                        help="only this page (repeatable; default: every page)")
    args = parser.parse_args()
    pages = [p for p in PAGES if not args.page or Path(p).stem in args.page]
    folder = tempfile.mkdtemp()
    url = f"sqlite:///{folder}/demo.db"
    load_demo(Store(url))
    os.environ["IMPACT_DATABASE_URL"] = url
    os.environ["IMPACT_AUTOLOAD_DEMO"] = "0"
    print(f"{'page':<12} {'first view ms':>14} {'rerun ms':>9} {'filter change ms (median)':>26}")
    worst = 0.0
    for page in pages:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        if page == PAGES[0]:
            cold = _timed(at)
        else:
            at.run()
            st.cache_data.clear()
            st.cache_resource.clear()
            at.switch_page(page)
            cold = _timed(at)
        rerun = statistics.median(_timed(at) for _ in range(3))
        changes = []
        for _ in range(args.repeat):
            for themes in THEMES:
                at.multiselect(key=Keys.THEMES).set_value(themes)
                changes.append(_timed(at))
        change = statistics.median(changes)
        worst = max(worst, change)
        print(f"{Path(page).stem:<12} {cold:>14.0f} {rerun:>9.0f} {change:>26.0f}")
    print(f"slowest filter change: {worst:.0f} ms (target < {TARGET_MS} ms): {'met' if worst < TARGET_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
