"""Read and check one file in a worker process with a time and a memory cap.

A reader that aborts (a Rust allocation failure cannot be caught), runs out of memory or never ends takes
down only its worker: the caller gets a report entry naming the cap and its setting, and a server keeps
serving everyone else (the parsing also leaves the server's interpreter free for other sessions).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import sys
import threading
import time
import types
from dataclasses import replace

from impact.ingest.report import ERROR, Problem


def _address_space_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the process that started it dies (a CLI import killed with -9, a
    server stopped). A forked worker inherits the pipe's read end too, so otherwise its send of a large result
    would block for ever once its parent is gone: an orphan holding its memory, using no CPU, never timed out."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the line above
        os._exit(1)


def _work(conn, name, data, options, limits) -> None:
    """In the worker: cap memory (on top of what the forked interpreter already maps) and CPU, then ingest."""
    from impact.ingest import ingest_file

    _die_with_parent()
    try:
        cap = int((_address_space_mb() + limits.read_memory_mb) * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = int(limits.read_timeout_s) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    except (ValueError, OSError):
        pass
    try:
        result = ingest_file(name, data, options, replace(limits, isolate=False))
        result.data = b""  # the parent has the bytes already
        result.frames = {table: _packed(frame) for table, frame in result.frames.items()}
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory", None))
    conn.close()


def _packed(frame):
    """A frame to send to the parent, its text columns as codes and distinct values (a column repeats its values:
    a million rows of text pickle to a tenth of the bytes, taken apart and made again a few times faster)."""
    import numpy as np
    import pandas as pd

    if not frame.columns.is_unique:
        return frame
    coded = {}
    for column in frame.columns:
        cells = frame[column]
        if isinstance(cells.dtype, pd.StringDtype) and len(cells) >= 1_000:
            codes, distinct = pd.factorize(cells, use_na_sentinel=True)
            if len(distinct) <= len(cells) // 2:  # codes as narrow as they fit (-1: missing)
                width = np.int8 if len(distinct) < 2**7 else np.int16 if len(distinct) < 2**15 else np.int32
                coded[column] = (codes.astype(width), distinct)
    if not coded:
        return frame
    return ("coded", frame.drop(columns=list(coded)), coded, list(frame.columns))


def _unpacked(packed):
    """The frame _packed was given: the same columns, in the same order, with the same dtypes and values."""
    if not isinstance(packed, tuple):
        return packed
    _, frame, coded, columns = packed
    for column, (codes, distinct) in coded.items():
        frame[column] = distinct.take(codes.astype("intp"), allow_fill=True)  # code -1: missing, as it was
    return frame[columns]


def _context():
    """fork when this process has a single thread (the CLI); forkserver under a threaded server (Streamlit)."""
    if threading.active_count() == 1:
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["impact.ingest"])
    return ctx


_STARTING = threading.Lock()


def _start(worker) -> None:
    """Start a worker with a stand-in __main__: Streamlit makes the page script __main__, and a forkserver (and
    each worker it forks) would otherwise run the whole dashboard script again before reading (seconds each)."""
    with _STARTING:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")  # no __file__: nothing to run
        try:
            worker.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main


def _refused(name: str, code: str, message: str, fix: str, value: str | None = None) -> Problem:
    return Problem(ERROR, code, name, None, None, None, value, message, fix)


def ingest_isolated(name: str, data: bytes, options, limits):
    """ingest_file(name, data, options, limits) run in a worker; a FileResult whatever happens to the worker."""
    from impact.ingest import FileResult, file_sha256

    start = time.monotonic()
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_work, args=(send, name, data, options, limits), daemon=True)
    _start(worker)
    send.close()
    outcome = None
    try:
        if receive.poll(limits.read_timeout_s):
            outcome = receive.recv()
    except (EOFError, OSError):
        outcome = None
    finally:
        if worker.is_alive():
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        worker.join(5)
        receive.close()
    if outcome is not None and outcome[0] == "ok":
        result = outcome[1]
        result.data = data
        result.frames = {table: _unpacked(packed) for table, packed in result.frames.items()}
        return result
    result = FileResult(name, data, file_sha256(data))
    took = time.monotonic() - start
    fix = "split the file into smaller ones (e.g. one per year), delete empty rows and columns beyond your data, " \
          "or ask an admin to raise the setting"
    if outcome is None and took >= limits.read_timeout_s - 0.5 or worker.exitcode in (-signal.SIGXCPU,):
        result.problems.append(_refused(
            name, "read-timeout", f"reading this file took longer than {limits.read_timeout_s:g} s (setting "
            "read_timeout_s), so it was stopped and not read", fix))
    elif outcome is None and worker.exitcode not in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, None):
        result.problems.append(_refused(
            name, "reader-stopped", f"the reader stopped unexpectedly while reading this file (exit "
            f"{worker.exitcode}), so it was not read", "open it in Excel or LibreOffice, save it again as .xlsx and "
            "upload that; if it happens again, send the file to the Beyond Footfall team"))
    else:  # a MemoryError, or an abort / kill when an allocation failed under the cap
        result.problems.append(_refused(
            name, "read-out-of-memory", f"reading this file needed more than {limits.read_memory_mb:,} MB of memory "
            "(setting read_memory_mb), so it was stopped and not read", fix,
            value=None if worker.exitcode is None else f"worker exit {worker.exitcode}"))
    return result
