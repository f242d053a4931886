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
