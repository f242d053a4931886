"""The chart renderer asks again when kaleido's tab had not finished reloading, and only then."""
from __future__ import annotations

import asyncio
from concurrent.futures import Future

import pytest

from impact.export import renderer


class JavascriptError(Exception):
    """Named as kaleido's own (kaleido._kaleido_tab._errors.JavascriptError)."""


class Tab:
    def __init__(self, failures: list[Exception]):
        self.failures, self.calls = list(failures), 0

    async def calc_fig(self, fig, opts):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return b"png"


def _png(tab: Tab) -> bytes:
    opened: Future = Future()
    opened.set_result(tab)
    return asyncio.run(renderer._png(opened, {"data": []}, {}))


NOT_READY = "ReferenceError: kaleido_scopes is not defined\n    at <anonymous>:1:26"


def test_a_tab_still_reloading_is_asked_again():
    tab = Tab([JavascriptError(NOT_READY), JavascriptError(NOT_READY)])
    assert _png(tab) == b"png" and tab.calls == 3


def test_a_tab_that_never_becomes_ready_gives_its_error_after_the_last_attempt():
    tab = Tab([JavascriptError(NOT_READY)] * renderer.ATTEMPTS)
    with pytest.raises(JavascriptError, match="kaleido_scopes is not defined"):
        _png(tab)
    assert tab.calls == renderer.ATTEMPTS


@pytest.mark.parametrize("error", [JavascriptError("TypeError: cannot read properties of undefined"),
                                   ValueError("kaleido_scopes is not defined")])
def test_any_other_error_is_raised_at_once(error):
    tab = Tab([error])
    with pytest.raises(type(error)):
        _png(tab)
    assert tab.calls == 1


def test_a_pack_s_figures_need_neither_networkx_nor_scipy_optimize():
    """The partner network works on plain dicts and linprog is imported at the first linear program: a CLI
    export of a pack with no program to solve never pays their ~0.35 s of imports (only the Partners page's
    drawing imports networkx)."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from impact.demo import build_demo\n"
            "from impact.filters import prepare\n"
            "from impact import equity\n"
            "from impact.export import disclosure, pack\n"
            "data = prepare(build_demo().tables())\n"
            "found = equity.partnerships(data)\n"
            "assert found.network.partners, 'no network computed'\n"
            "print(sorted(m for m in ('networkx', 'scipy.optimize') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


class Base:
    """kaleido.Kaleido's tab queue, as _reusing sees it."""

    def __init__(self, tab):
        self.tabs_ready = asyncio.Queue()
        self.tabs_ready.put_nowait(tab)

    async def _get_kaleido_tab(self):
        return await self.tabs_ready.get()

    async def _return_kaleido_tab(self, tab):  # kaleido's own: a reload after every figure
        await tab.reload()
        await self.tabs_ready.put(tab)


class ReloadCounter:
    reloads = 0

    async def reload(self):
        self.reloads += 1


def test_a_tab_is_reloaded_every_so_many_figures_and_after_a_failed_one_not_after_each():
    tab = ReloadCounter()

    async def draw(k, figures: int):
        for _ in range(figures):
            t = await k._get_kaleido_tab()
            await k._return_kaleido_tab(t)

    async def run():
        k = renderer._reusing(Base)(tab)
        await draw(k, renderer.RELOAD_EVERY)
        assert tab.reloads == 0
        await draw(k, 1)
        assert tab.reloads == 1  # the next figure after RELOAD_EVERY
        k.failed = True  # as _png marks it when a figure fails
        await draw(k, 1)
        assert tab.reloads == 2 and not k.failed

    asyncio.run(run())


def test_png_marks_the_renderer_for_a_reload_when_a_figure_fails():
    tab = Tab([JavascriptError("TypeError: x is undefined")])
    with pytest.raises(JavascriptError):
        _png(tab)
    assert tab.failed


@pytest.mark.skipif(not __import__("shutil").which("chromium"), reason="chromium is not installed")
def test_a_figure_drawn_in_a_tab_that_drew_others_is_the_same_png():
    """Figures drawn one after another in one tab, never reloaded between them, give the bytes the same figure
    gives in a tab reloaded just before it."""
    import plotly.graph_objects as go

    from impact.export import images

    def bars(values, title):
        return go.Figure(go.Bar(x=["a", "b", "c"], y=values), layout={"title": {"text": title}, "width": 400,
                                                                      "height": 300})

    first, other = bars([3, 1, 2], "First"), bars([9, 9, 1], "Other")
    renderer.stop()
    try:
        fresh = images.png(first)
        browser = renderer._browser.result(timeout=60)
        tab = browser.tabs_ready._queue[0]
        reloads = []
        real = tab.reload

        async def counted():
            reloads.append(1)
            await real()

        tab.reload = counted
        images.png(other)
        again = images.png(first)
        assert reloads == [] and again == fresh
        browser.failed = True  # the next figure after a failed one: drawn in a reloaded tab, the same bytes
        assert images.png(first) == fresh and reloads == [1]
    finally:
        renderer.stop()
