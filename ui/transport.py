"""The server's TCP connections send each message at once (TCP_NODELAY), as a websocket server should.

Streamlit 1.67 binds its listening socket itself with protocol 0, and asyncio turns Nagle's algorithm off only
for sockets whose protocol reads IPPROTO_TCP, so every connection the app accepted kept it on: a rerun's second
burst of messages waited for the browser's delayed acknowledgement, 40 ms on Linux (200 ms on Windows). A bare
one-widget page took 44 ms per rerun instead of 6 ms (bench/load.py's client, this machine). Setting the option
on the listening socket makes every later connection inherit it (Linux copies it at accept); the connections
already open get it too.
"""
from __future__ import annotations

import os
import socket
import stat
import sys

_DONE = False


def no_delay_everywhere(fd_dir: str = "/proc/self/fd") -> int:
    """Turn Nagle's algorithm off on every TCP socket of this process (the listener included); returns how many.

    Linux only (it lists the process's descriptors); elsewhere it does nothing and returns 0. Never raises: a
    descriptor closed meanwhile, or one that is not a TCP socket, is passed over."""
    if not sys.platform.startswith("linux"):
        return 0
    changed = 0
    try:
        names = os.listdir(fd_dir)
    except OSError:
        return 0
    for name in names:
        try:
            fd = int(name)
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            sock = socket.socket(fileno=fd)  # borrows the descriptor: detached below, never closed here
        except (OSError, ValueError):
            continue
        try:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                changed += 1
        except OSError:
            pass
        finally:
            sock.detach()
    return changed


def once() -> None:
    """no_delay_everywhere, once per server process (the first script run after the server started)."""
    global _DONE
    if not _DONE:
        _DONE = True
        no_delay_everywhere()
