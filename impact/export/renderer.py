"""One chart renderer per process: kaleido's chromium, started once in the background and reused by every pack.

Starting chromium and loading plotly.js into its tab takes ~2.5 s on this machine; a figure then takes ~0.15 s,
the tab reused without kaleido's reload after every figure (`_reusing`). `start()` returns at once: the browser
comes up on the other core while the caller imports and computes the pack. `render()` queues figures and returns
futures at once, so the caller writes the workbook and lays out the PDF while chromium draws. Nothing heavy is
imported here (kaleido is imported in the renderer's own thread), so the CLI can call `start()` before its own
imports.

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

TABS = 1  # one tab draws the figures in turn: a second took the core the PDF layout needs (2.8 s warm against 1.9 s)
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_browser: Future | None = None  # resolves to this process's open kaleido.Kaleido


def _loop_thread() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
        threading.Thread(target=_loop.run_forever, name="chart-renderer", daemon=True).start()
    return _loop


RELOAD_EVERY = 25  # figures a tab draws between reloads (kaleido itself reloads after every one)


def _reusing(kaleido_class):
    """kaleido.Kaleido, except that a tab is reloaded only every RELOAD_EVERY figures and before the first figure
    after one that failed, not after every figure: the reload (plotly.js loaded again) was ~0.1 s of each figure's
    ~0.26 s, and the figures are drawn one after another, so it was a third of a pack's wait for its charts. A
    figure drawn in a tab that drew others is the same PNG, byte for byte (tests/export/test_renderer.py)."""

    class Reusing(kaleido_class):
        drawn = 0  # figures since the last reload, over the tabs
        failed = False  # a figure failed since: its tab is reloaded before the next figure

        async def _get_kaleido_tab(self):
            tab = await super()._get_kaleido_tab()
            if self.failed or self.drawn >= RELOAD_EVERY:
                self.failed, self.drawn = False, 0
                await tab.reload()
            return tab

        async def _return_kaleido_tab(self, tab) -> None:
            self.drawn += 1
            await self.tabs_ready.put(tab)

    return Reusing


async def _open():
    import kaleido  # imported here: in the renderer's thread, beside the caller's own imports

    if not os.environ.get("BROWSER_PATH"):
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        if os.path.exists(chromium):
            os.environ["BROWSER_PATH"] = chromium
    # mathjax=False: no LaTeX in our charts, and no script tag pointing at a CDN this machine may not reach
    reusable = all(hasattr(kaleido.Kaleido, name) for name in ("_get_kaleido_tab", "_return_kaleido_tab"))
    renderer = (_reusing(kaleido.Kaleido) if reusable else kaleido.Kaleido)(n=TABS, mathjax=False)
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
    """A tab just reloaded (kaleido's own reload after every figure, or ours: after a failed figure, every
    RELOAD_EVERY figures) can take the next figure before the page's script has run, which fails with
    "kaleido_scopes is not defined" (seen once in a CI run on two loaded cores). Nothing is wrong with the figure:
    asking again draws it."""
    return type(exc).__name__ == "JavascriptError" and "is not defined" in str(exc)


async def _png(browser: Future, fig, opts: dict) -> bytes:
    renderer = await asyncio.wrap_future(browser)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await renderer.calc_fig(fig, opts=opts)
        except Exception as exc:
            renderer.failed = True  # its tab is reloaded before the next figure
            if attempt == ATTEMPTS or not _page_not_ready(exc):
                raise  # the last attempt's error, or any other, is the caller's
            await asyncio.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


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
