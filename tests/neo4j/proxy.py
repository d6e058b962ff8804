"""A small threaded TCP proxy that cuts the link after N bytes, for the push fault tests."""

from __future__ import annotations

import socket
import struct
import threading


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dropped link or a killed peer looks to the driver.

    ``shutdown`` first: a bare ``close`` does not wake another thread blocked in ``recv`` on
    the socket (Linux keeps the socket open until that call returns), so the peer would never
    hear of the cut and both ends could wait for each other for ever.
    """
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class CuttingProxy:
    """Forward 127.0.0.1:<port> to ``target``; after ``cut_after`` client bytes, reset everything.

    With ``once=True`` only the connections open at the cut are reset and later ones work
    (a transient failure the driver's retries heal); otherwise every later connection is
    reset at once (the link stays down).
    """

    def __init__(self, target_host: str, target_port: int, cut_after: int, *, once: bool = False) -> None:
        self.target = (target_host, target_port)
        self.cut_after = cut_after
        self.once = once
        self.sent = 0
        self.cuts = 0
        self.down = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                _reset(client)
                continue
            with self._lock:  # a cut between the check above and here must not miss this link
                if self.down:
                    _reset(client)
                    _reset(upstream)
                    continue
                self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counted: bool) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                _reset(dst)
                return
            if counted:
                with self._lock:
                    before = self.sent
                    self.sent += len(data)
                    cut = before < self.cut_after <= self.sent and self.cuts == 0
                if cut:
                    keep = self.cut_after - before
                    try:
                        dst.sendall(data[:keep])  # the first part of the message arrives, the rest never
                    except OSError:
                        pass
                    self.cut()
                    return
            try:
                dst.sendall(data)
            except OSError:
                _reset(src)
                return

    def cut(self, *, count: bool = True) -> None:
        """Reset every open connection (and, unless ``once``, all later ones)."""
        with self._lock:
            self.cuts += 1 if count else 0
            socks, self._socks = self._socks, []
            if not self.once:
                self.down = True
        for s in socks:
            _reset(s)

    def close(self) -> None:
        self._closed = True
        _reset(self._listener)
        self.cut(count=False)
