"""A network ESC/POS printer on 127.0.0.1 for the tests: a real TCP server in threads.

It keeps every byte it receives, per connection, and answers the real-time status
queries (DLE EOT n) the way an Epson printer does for its current mode:

  online          all well
  paper_near_end  printing, the roll is nearly used up
  paper_out       offline, no paper
  cover_open      offline, the cover is open
  silent          accepts connections and data, never answers (a hung printer)
  off             refuses connections (the listening socket is closed)

The mode can change at any time, also "right after the next job" (when a cut
arrives), before anything else is answered: a printer switched off mid-job.
"""

import contextlib
import socket
import threading
from collections.abc import Callable

DLE, EOT, GS = 0x10, 0x04, 0x1D

# Status bytes, Epson "DLE EOT" layout: bits 1 and 4 always set, bits 0 and 7 clear.
BASE = 0x12
OFFLINE = 0x08  # n=1 bit 3
COVER_OPEN = 0x04  # n=2 bit 2
PAPER_END_STOP = 0x20  # n=2 bit 5
NEAR_END = 0x0C  # n=4 bits 2-3
PAPER_OUT = 0x60  # n=4 bits 5-6

ANSWERS = {
    # mode: (n=1 printer, n=2 offline cause, n=3 error, n=4 paper sensor)
    "online": (BASE, BASE, BASE, BASE),
    "paper_near_end": (BASE, BASE, BASE, BASE | NEAR_END),
    "paper_out": (BASE | OFFLINE, BASE | PAPER_END_STOP, BASE, BASE | NEAR_END | PAPER_OUT),
    "cover_open": (BASE | OFFLINE, BASE | COVER_OPEN, BASE, BASE),
}
MODES = (*ANSWERS, "silent", "off")
POLL_S = 0.02


class FakePrinter:
    def __init__(self, mode: str = "online"):
        assert mode in MODES, mode
        self.mode = mode
        self.port = 0
        self.connections: list[bytearray] = []
        self.status_queries: list[int] = []
        self._after_job: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._listener: socket.socket | None = None
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- control ---------------------------------------------------------------------

    def start(self) -> "FakePrinter":
        if self.mode != "off":
            self._listen()
        else:
            # Take a free port now so the printer keeps one address when switched on.
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._close_listener()
        for thread in self._threads:
            thread.join(timeout=2)

    def set_mode(self, mode: str) -> None:
        assert mode in MODES, mode
        with self._lock:
            was = self.mode
            self.mode = mode
            if mode == "off" and was != "off":
                self._close_listener()
            elif mode != "off" and was == "off":
                self._listen()

    def set_mode_after_job(self, mode: str) -> None:
        """Switch to `mode` as soon as a job's cut arrives, before answering anything after it."""
        self.after_next_job(lambda: self.set_mode(mode))

    def after_next_job(self, callback: Callable[[], None]) -> None:
        """Run `callback` (in the server's thread) when the next cut arrives, before answering on."""
        self._after_job = callback

    @property
    def received(self) -> bytes:
        """Everything received, all connections, status queries included."""
        with self._lock:
            return b"".join(bytes(data) for data in self.connections)

    def times_received(self, payload: bytes) -> int:
        return self.received.count(payload)

    # -- the server --------------------------------------------------------------------

    def _listen(self) -> None:
        # create_server sets SO_REUSEADDR: the port can be taken again after "off".
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(POLL_S)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop, self._listener)

    def _close_listener(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() takes the socket out of LISTEN at once, even while the accept
            # thread still waits on it; close() alone would keep the port until it woke.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"fake-printer-{self.port}")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopped.is_set() and self._listener is listener:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed: switched off
            with self._lock:
                record = bytearray()
                self.connections.append(record)
            self._spawn(self._serve, connection, record)

    def _serve(self, connection: socket.socket, record: bytearray) -> None:
        connection.settimeout(POLL_S)
        parsed = 0  # how far into `record` the commands have been acted on
        with connection:
            while not self._stopped.is_set() and self.mode != "off":
                try:
                    chunk = connection.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    record.extend(chunk)
                while parsed < len(record):
                    byte = record[parsed]
                    if byte in (DLE, GS):
                        if parsed + 3 > len(record):
                            break  # a command cut in two by the network: wait for the rest
                        if byte == DLE and record[parsed + 1] == EOT:
                            n = record[parsed + 2]
                            parsed += 3
                            self.status_queries.append(n)
                            if not self._answer(connection, n):
                                return
                            continue
                        if byte == GS and record[parsed + 1] == ord("V"):
                            parsed += 3
                            callback, self._after_job = self._after_job, None
                            if callback is not None:
                                callback()
                            continue
                    parsed += 1

    def _answer(self, connection: socket.socket, n: int) -> bool:
        """Answer a status query; False when the connection is gone."""
        mode = self.mode
        if mode == "off":
            return False
        if mode == "silent" or not 1 <= n <= 4:
            return True
        try:
            connection.sendall(bytes([ANSWERS[mode][n - 1]]))
        except OSError:
            return False
        return True
