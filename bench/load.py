"""Load: N concurrent sessions on the demo through the real Streamlit server, each changing a filter M times.

Starts `streamlit run dashboard.py` on a copy of the demo database, connects websocket clients speaking
Streamlit's own protocol (BackMsg / ForwardMsg, as the browser does), and times each filter change from the
rerun request to the server's script_finished, on every explore page in turn. Prints the latency percentiles
of one session alone and of N at once, their ratios (targets: median within 3x, p95 within 5x), and the
server's peak memory (resident set, sampled every 50 ms).

    python bench/load.py [--sessions 20] [--changes 10] [--port 8531] [--servers 1] [--think 0]

`--think LOW,HIGH` makes each session pause a random LOW-HIGH seconds before each change, as a person reads the
page before the next click (Locust's `between(LOW, HIGH)`); the default, no pause, is the harshest case: every
session asks again the instant its last change is drawn, so 20 sessions keep the server saturated.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

PAGES = ["overview", "outcomes", "programmes", "partners", "equity"]


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Session:
    """One browser tab: a websocket, the widgets the server last drew, and reruns timed to script_finished."""

    def __init__(self, url: str):
        self.url = url
        self.widgets: dict[str, tuple[str, list[str]]] = {}  # label -> (widget id, options)
        self.pages: dict[str, str] = {}  # url path name -> page script hash
        self.page_hash = ""
        self.errors: list[str] = []

    async def __aenter__(self):
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60)
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def rerun(self, widget_states=None, page: str | None = None) -> float:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.pages.get(page, self.page_hash) if page else self.page_hash
        for widget_id, value in (widget_states or {}).items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.string_array_value.data.extend(value)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=300)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                for p in fwd.navigation.app_pages:
                    self.pages[p.url_pathname or p.page_name.lower()] = p.page_script_hash
                self.page_hash = fwd.navigation.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.errors.append(element.exception.message)
                if which == "multiselect":
                    self.widgets[element.multiselect.label] = (element.multiselect.id,
                                                               list(element.multiselect.options))
            elif kind == "script_finished":
                return time.perf_counter() - start


async def one_session(url: str, changes: int, times: list[float], errors: list[str], ready: asyncio.Event | None,
                      go: asyncio.Event | None, offset: int = 0, think: tuple[float, float] = (0.0, 0.0)) -> None:
    pause = random.Random(offset)  # each session its own reproducible pauses
    async with Session(url) as s:
        await s.rerun()  # first view
        if ready is not None:
            ready.set()
            await go.wait()
        for i in range(changes):
            page = PAGES[i % len(PAGES)]
            if think[1]:
                await asyncio.sleep(pause.uniform(*think))  # reading the page before the next click
            await s.rerun(page=page)  # open the page (not timed: a page switch, not a filter change)
            theme_id, options = s.widgets.get("Theme", (None, []))
            if theme_id is None or page not in s.pages:
                errors.append(f"no Theme filter or no page {page} to change (pages: {sorted(s.pages)})")
            # each session walks the themes from its own starting point: sessions ask for different scopes at once
            chosen = [options[(i + offset) % len(options)]] if options and (i + offset) % 3 != 2 else []
            times.append(await s.rerun({theme_id: chosen} if theme_id else {}))
        errors.extend(s.errors)


async def run_sessions(urls: list[str], sessions: int, changes: int,
                       think: tuple[float, float] = (0.0, 0.0)) -> tuple[list[float], list[str]]:
    times: list[float] = []
    errors: list[str] = []
    go = asyncio.Event()
    readies = [asyncio.Event() for _ in range(sessions)]
    # with several servers, session i stays on server i mod N, as a load balancer with sticky sessions places it
    tasks = [asyncio.create_task(one_session(urls[i % len(urls)], changes, times, errors, readies[i], go, offset=i,
                                             think=think))
             for i in range(sessions)]
    await asyncio.gather(*(r.wait() for r in readies))
    go.set()  # every session has loaded: now they change filters together
    await asyncio.gather(*tasks)
    return times, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--port", type=int, default=8531)
    parser.add_argument("--servers", type=int, default=1, help="app server processes on one database (ports from "
                        "--port up), sessions spread over them as a load balancer with sticky sessions would")
    parser.add_argument("--think", default="0", help="LOW,HIGH: seconds each session pauses before a change, "
                        "at random between the two (default 0: no pause, the server saturated)")
    args = parser.parse_args()
    low, _, high = args.think.partition(",")
    think = (float(low), float(high or low))

    from impact.store import Store, load_demo

    folder = Path(tempfile.mkdtemp(prefix="bf-load-"))
    db = folder / "demo.db"
    load_demo(Store(f"sqlite:///{db}"))
    env = {**os.environ, "IMPACT_DATABASE_URL": f"sqlite:///{db}", "IMPACT_AUTOLOAD_DEMO": "0"}
    profile = os.environ.get("BENCH_PROFILE")  # a path: record the server with py-spy (raw stacks) while it runs
    spy = [str(Path(sys.executable).with_name("py-spy")), "record", "-r", "50", *(["--gil"] if os.environ.get("BENCH_PROFILE_GIL") else []), "--format", "raw", "-o", profile,
           "--"] if profile else []
    ports = [args.port + k for k in range(args.servers)]
    servers = [subprocess.Popen([*(spy if k == 0 else []), sys.executable, "-m", "streamlit", "run", "dashboard.py",
                                 "--server.headless", "true", "--server.port", str(port),
                                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for k, port in enumerate(ports)]
    peak = {"rss": 0.0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], sum(_rss_mb(server.pid) for server in servers))
            time.sleep(0.05)

    try:
        for port in ports:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
        threading.Thread(target=sample, daemon=True).start()
        urls = [f"ws://127.0.0.1:{port}/_stcore/stream" for port in ports]
        alone, errors_alone = asyncio.run(run_sessions(urls[:1], 1, args.changes, think))
        idle = peak["rss"]
        crowd, errors_crowd = asyncio.run(run_sessions(urls, args.sessions, args.changes, think))
    finally:
        stop.set()
        for server in servers:
            server.send_signal(signal.SIGINT)  # a clean stop (py-spy writes its profile on it too)
        for server in servers:
            server.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    med1, p95_1 = statistics.median(alone), percentile(alone, 0.95)
    med, p95 = statistics.median(crowd), percentile(crowd, 0.95)
    print(f"one session, {len(alone)} filter changes: median {med1:.2f} s, p95 {p95_1:.2f} s")
    print(f"{args.servers} server process{'es' if args.servers > 1 else ''} on one database")
    print(f"pause before each change: {'none' if not think[1] else f'{think[0]:g}-{think[1]:g} s'}")
    print(f"{args.sessions} sessions at once, {len(crowd)} filter changes: median {med:.2f} s, p95 {p95:.2f} s, "
          f"max {max(crowd):.2f} s")
    print(f"ratio median {med / med1:.1f}x (target <= 3), p95 {p95 / p95_1:.1f}x (target <= 5)")
    print(f"server memory (all processes): {idle:.0f} MB after one session, peak {peak['rss']:.0f} MB with "
          f"{args.sessions}")
    print(f"errors: {len(errors_alone) + len(errors_crowd)}" + "".join(f"\n  {e[:200]}" for e in errors_crowd[:5]))


if __name__ == "__main__":
    main()
