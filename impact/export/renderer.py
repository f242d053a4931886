"""One chart renderer per process: kaleido's chromium, started once in the background and reused by every pack.

Starting chromium and loading plotly.js into its tab takes ~2.5 s on this machine; a figure then takes ~0.3 s
(STACK_NOTES.md). `start()` returns at once: the browser comes up on the other core while the caller imports and
computes the pack. `render()` queues figures and returns futures at once, so the caller writes the workbook and
lays out the PDF while chromium draws. Nothing heavy is imported here (kaleido is imported in the renderer's own
thread), so the CLI can call `start()` before its own imports.

Without chromium (or BROWSER_PATH pointing nowhere) every future raises kaleido's ChromeNotFoundError, which says
how to install it; the next `start()` tries again.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import threading
from concurrent.futures import Future

TABS = 1  # one tab draws the figures in turn: a second costs another plotly.js load and, on two busy cores, gained nothing
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_browser: Future | None = None  # resolves to this process's open kaleido.Kaleido


def _loop_thread() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
        threading.Thread(target=_loop.run_forever, name="chart-renderer", daemon=True).start()
    return _loop


async def _open():
    import kaleido  # imported here: in the renderer's thread, beside the caller's own imports

    if not os.environ.get("BROWSER_PATH"):
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        if os.path.exists(chromium):
            os.environ["BROWSER_PATH"] = chromium
    # mathjax=False: no LaTeX in our charts, and no script tag pointing at a CDN this machine may not reach
    renderer = kaleido.Kaleido(n=TABS, mathjax=False)
    await renderer.open()
    return renderer


def start() -> None:
    """Start the browser in the background if this process has none (returns at once)."""
    global _browser
    with _lock:
        if _browser is not None and not (_browser.done() and _browser.exception() is not None):
            return
        _browser = asyncio.run_coroutine_threadsafe(_open(), _loop_thread())


ATTEMPTS = 4  # a figure asked of a tab whose page has not finished reloading is asked again, this many times in all


def _page_not_ready(exc: BaseException) -> bool:
    """kaleido reloads its tab after every figure; on a busy machine the next figure can reach the tab before the
    page's script has run, and fails with "kaleido_scopes is not defined" (seen once in a CI run on two loaded
    cores). Nothing is wrong with the figure: the tab is reloaded on its return, so asking again draws it."""
    return type(exc).__name__ == "JavascriptError" and "is not defined" in str(exc)


async def _png(browser: Future, fig, opts: dict) -> bytes:
    renderer = await asyncio.wrap_future(browser)
    for attempt in range(1, ATTEMPTS):
        try:
            return await renderer.calc_fig(fig, opts=opts)
        except Exception as exc:
            if not _page_not_ready(exc):
                raise
            await asyncio.sleep(0.2 * attempt)
    return await renderer.calc_fig(fig, opts=opts)  # the last attempt: its error is the caller's


def render(figures: dict) -> dict[str, Future]:
    """{name: (plotly figure or its dict, kaleido opts)} -> {name: Future of PNG bytes}, queued at once."""
    start()
    with _lock:
        browser = _browser
    return {name: asyncio.run_coroutine_threadsafe(_png(browser, fig, opts), _loop) for name, (fig, opts) in
            figures.items()}


def running() -> bool:
    with _lock:
        return _browser is not None


async def _close(browser: Future) -> None:
    try:
        renderer = await asyncio.wrap_future(browser)
    except Exception:  # noqa: BLE001 - it never opened: nothing to close
        return
    await renderer.close()


def stop(wait: bool = True) -> Future | None:
    """Close this process's browser (the CLI and tests when done; at exit otherwise); `start()` opens a new one.
    `wait=False` returns at once with the closing's future (the CLI writes its files meanwhile)."""
    global _browser
    with _lock:
        browser, _browser = _browser, None
    if browser is None:
        return None
    closing = asyncio.run_coroutine_threadsafe(_close(browser), _loop)
    if wait:
        closing.result(timeout=60)
    return closing


atexit.register(stop)
