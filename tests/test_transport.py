"""ui/transport.py: every TCP socket of the process, the listener included, sends at once (TCP_NODELAY), and a
connection accepted afterwards inherits it; other descriptors are left alone and nothing is closed."""
import os
import socket

import pytest

from ui import transport

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="lists descriptors under /proc")


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_listener_and_open_connections_get_nodelay_and_later_connections_inherit_it():
    # bound as Streamlit binds it: protocol 0, for which asyncio leaves Nagle's algorithm on
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    early_client = socket.create_connection(listener.getsockname())
    early, _ = listener.accept()
    unix_a, unix_b = socket.socketpair()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        assert _nodelay(listener) == 0 and _nodelay(early) == 0  # the state the server was in

        changed = transport.no_delay_everywhere()

        assert changed >= 3  # the listener, the accepted connection, the client end (and any other TCP socket)
        assert _nodelay(listener) == 1 and _nodelay(early) == 1
        late_client = socket.create_connection(listener.getsockname())
        late, _ = listener.accept()
        assert _nodelay(late) == 1  # accepted after: inherited from the listener
        # nothing was closed or broken: the sockets still carry data
        early_client.sendall(b"ping")
        assert early.recv(4) == b"ping"
        unix_a.sendall(b"ok")
        assert unix_b.recv(2) == b"ok"
        assert udp.fileno() >= 0
        late.close()
        late_client.close()
    finally:
        for s in (listener, early_client, early, unix_a, unix_b, udp):
            s.close()


def test_elsewhere_or_unreadable_it_does_nothing(tmp_path, monkeypatch):
    assert transport.no_delay_everywhere(str(tmp_path / "missing")) == 0
    monkeypatch.setattr(transport.sys, "platform", "darwin")
    assert transport.no_delay_everywhere() == 0
