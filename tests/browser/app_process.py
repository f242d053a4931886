"""The real app as the browser tests start it: Debian's chromium, a free loopback port, and `streamlit run`
with its output in a log file (never an unread pipe: a full pipe of 64 KB blocks the server).

A module of its own name (not conftest) so the browser tests can import it by name when the whole suite runs."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NotStarted(RuntimeError):
    """The app did not answer its health check within a minute; the message holds its log's tail."""


@contextlib.contextmanager
def serving(log_path: Path, env: dict, port: int | None = None, extra=()):
    """`streamlit run dashboard.py` headless on `port` (a free one by default) until the block ends; yields the
    base URL. The server's log is `log_path`; a traceback in it is printed when the server stops (pytest shows
    it with a failing test)."""
    port = port or free_port()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none", *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                raise NotStarted("the app did not start: " + log_path.read_text(errors="replace")[-2000:])
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    text = log_path.read_text(errors="replace")
    if "Traceback" in text:
        print("server log (tail):\n" + text[-4000:])
