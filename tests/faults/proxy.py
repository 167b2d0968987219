"""A TCP proxy between the application and PostgreSQL or Redis that a test can cut (every
connection closed, new ones refused) and restore, to stand for a service briefly unavailable
without touching the machine's real service."""

from __future__ import annotations

import socket
import struct
import threading


class FaultProxy:
    """Forwards 127.0.0.1:<port> to `target`; `cut()` and `restore()` switch it off and on."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.accepted = 0
        self.thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self.thread.start()

    def url(self, url: str) -> str:
        """`url` (postgres:// or redis://) pointed at the proxy instead of the service."""
        scheme, rest = url.split("://", 1)
        credentials, _, location = rest.rpartition("@")
        path = location.split("/", 1)[1] if "/" in location else ""
        prefix = f"{credentials}@" if credentials else ""
        return f"{scheme}://{prefix}127.0.0.1:{self.port}/{path}"

    def cut(self) -> None:
        """The service goes away: open connections are reset and new ones refused."""
        with self.lock:
            self.up = False
            doomed, self.open = self.open, set()
        for sock in doomed:
            _reset(sock)

    def restore(self) -> None:
        with self.lock:
            self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                up = self.up
            if not up:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)
            with self.lock:
                if not self.up:
                    _reset(client)
                    _reset(upstream)
                    continue
                self.open.update((client, upstream))
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open.discard(source)
                self.open.discard(sink)
            for sock in (source, sink):
                _reset(sock)


def _reset(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a vanished server's connection ends."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading it
    except OSError:
        pass
    sock.close()
