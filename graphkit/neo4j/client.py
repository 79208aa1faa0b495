"""The Bolt connection under :mod:`graphkit.neo4j`: server detection, parameter escaping, batch sizing, retries.

Every statement graphkit sends goes through :class:`BoltClient`, which knows which server it talks to
(Neo4j 5 or FalkorDB, detected as ``docs/cypher-notes.md`` describes) and adapts to it:

* FalkorDB splices parameters into the query text unescaped, so every string parameter is escaped here
  (:func:`escape_falkordb`, backslash then single quote, recursively) -- and only for FalkorDB, since
  escaping would corrupt the data on Neo4j.
* FalkorDB crashes on an expanded statement over about 4 KB, so batches are cut by the size the server
  sees (:meth:`BoltClient.statement_bytes`), never by a row count alone.
* A dropped connection is retried a bounded number of times (statements are idempotent), then becomes a
  :class:`graphkit.errors.ServerError` that says what to do; so does every other server failure.

``neo4j`` is imported inside the functions that need it: ``import graphkit.neo4j.client`` works without it.

>>> escape_falkordb({"name": "it's a\\\\b", "tags": ["x' RETURN 1 //"]})
{'name': "it\\\\'s a\\\\\\\\b", 'tags': ["x\\\\' RETURN 1 //"]}
>>> BoltClient.rendered_bytes(escape_falkordb("it's"))  # what FalkorDB splices: 'it\\'s'
7
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator

from graphkit.errors import BoltUriError, EngineError, ServerError, redact
from graphkit.settings import Settings, get_settings

__all__ = ["BoltClient", "escape_falkordb", "NEO4J", "FALKORDB", "public_uri"]

log = logging.getLogger(__name__)

NEO4J, FALKORDB = "neo4j", "falkordb"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Seconds to wait before each retry of a statement whose connection dropped.
_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)
_USERINFO = re.compile(r"//[^/@]*@")
_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def public_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages and dataset origins.

    >>> public_uri("bolt://neo4j:secret@db.example:7687")
    'bolt://db.example:7687'
    """
    return _USERINFO.sub("//", str(uri), count=1)


def escape_falkordb(value):
    """Escape a parameter value the way FalkorDB's Bolt endpoint needs it (see docs/cypher-notes.md).

    Strings get ``\\`` → ``\\\\`` first, then ``'`` → ``\\'``, inside lists and map values too; map keys
    must be identifiers (FalkorDB prints them bare); a NUL cannot be sent at all (FalkorDB cuts the string
    there); a float must survive FalkorDB's ``%f`` printing. Anything else raises :class:`EngineError`.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise EngineError(f"a FalkorDB server cannot store a NUL character (in {value[:40]!r}); remove it")
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, (list, tuple)):
        return [escape_falkordb(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str) or not _IDENTIFIER.fullmatch(key):
                raise EngineError(f"FalkorDB needs map keys that are identifiers, not {str(key)[:40]!r}")
            out[key] = escape_falkordb(item)
        return out
    if isinstance(value, float) and not (math.isfinite(value) and float("%f" % value) == value):
        raise EngineError(f"FalkorDB would change the float {value!r} (it prints parameters with 6 decimals)")
    return value


class BoltClient:
    """One driver to one Bolt server, with the server's kind detected and its limits applied.

    ``database`` is passed to Neo4j; FalkorDB keeps everything in one graph, so a database other than its
    default is refused with a clear message. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, uri: str, *, user: str | None = None, password: str | None = None,
                 database: str | None = None, settings: Settings | None = None):
        self.uri = public_uri(uri)
        self.settings = settings or get_settings()
        self.database = database or None
        self._secrets = (password,)  # scrubbed from every message the driver or server sends back
        self._driver = _open_driver(uri, user, password, self.uri, self.settings)
        wanted, self.database = self.database, None  # detection runs on the server's default database
        self._databases: list[str] = []  # Neo4j's, from SHOW DATABASES (empty when it cannot be listed)
        self.kind, self.version = self._detect()
        self.database = wanted
        if self.kind == FALKORDB and self.database not in (None, "falkordb"):
            self.close()
            raise ServerError(
                f"{self.uri} is a FalkorDB server, which keeps the whole graph in one database; "
                f"--database {self.database!r} cannot be honoured there: leave --database out")
        if self.kind == NEO4J and self.database is not None and self._databases and self.database not in self._databases:
            self.close()
            if "community" in self.version.lower():
                raise ServerError(
                    f"{self.uri} is Neo4j {self.version}, and Neo4j Community Edition serves one user database "
                    f"('neo4j', beside 'system'); it has no database {self.database!r} and cannot create one: "
                    "leave --database out (or give --database neo4j)")
            raise ServerError(f"the database {self.database!r} does not exist on {self.uri} (it has "
                              f"{', '.join(repr(d) for d in self._databases) or 'none'}): check --database")

    # ---- lifecycle --------------------------------------------------------------------------------------
    def close(self) -> None:
        if self._driver is not None:
            try:
                self._driver.close()
            except Exception:  # closing a dead connection must not hide the error that killed it
                log.debug("closing the Bolt driver failed", exc_info=True)
            self._driver = None

    def __enter__(self) -> "BoltClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"bolt: {self.uri} ({' '.join(x for x in (self.kind, self.version) if x)})"

    # ---- statements -------------------------------------------------------------------------------------
    def read(self, query: str, what: str = "query", **params) -> list[dict]:
        """Run a read statement; the records as dicts."""
        records, _ = self._run(query, params, what, write=False)
        return records

    def write(self, query: str, what: str = "write", **params) -> dict[str, int]:
        """Run a write statement; the summary counters (``nodes_created`` …) as a dict."""
        _, counters = self._run(query, params, what, write=True)
        return counters

    def _run(self, query: str, params: dict, what: str, *, write: bool):
        """(records, counters) of one statement."""
        return self.run_many([(query, params)], what, write=write)[0]

    def run_many(self, statements: list[tuple[str, dict]], what: str, *, write: bool = True,
                 after_each: Callable[[int, list, dict], None] | None = None) -> list[tuple[list, dict]]:
        """Run ``(query, params)`` statements in one managed transaction; their (records, counters).

        ``after_each(i, records, counters)`` is called after statement ``i`` (an exception there ends the
        transaction). A dropped connection re-runs the whole transaction, at most ``settings.bolt_retries`` times.
        """
        from neo4j.exceptions import (
            AuthError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
            TransientError,
        )

        if self._driver is None:
            raise ServerError(f"the connection to {self.uri} is closed")
        if self.kind == FALKORDB:
            checked = []
            for query, params in statements:
                size = self.statement_bytes(query, params)
                if size > self.settings.bolt_batch_bytes_falkordb:  # callers cut batches first; the last guard
                    raise EngineError(f"refusing to send a {size}-byte {what} statement to FalkorDB "
                                      f"(limit {self.settings.bolt_batch_bytes_falkordb}): it would crash the server")
                checked.append((query, escape_falkordb(params)))
            statements = checked
        # Managed transactions on a session, not execute_query: against FalkorDB, execute_query's pipelined
        # messages meet delayed ACKs and cost ~40 ms each (measured), a transaction function ~3 ms.
        # FalkorDB gets write transactions only (a read one may name a graph; see docs/cypher-notes.md).
        use_write = write or self.kind == FALKORDB

        read_timeout = float(self.settings.bolt_read_timeout) if self.settings.bolt_read_timeout > 0 else None

        def work(tx):
            _set_read_timeout(tx, read_timeout)
            out = []
            for i, (query, params) in enumerate(statements):
                result = tx.run(query, params)
                records = [r.data() for r in result]
                counters = _counters(result.consume().counters)
                out.append((records, counters))
                if after_each is not None:
                    after_each(i, records, counters)
            return out

        retries = max(0, self.settings.bolt_retries)
        for attempt in range(retries + 1):
            try:
                with self._driver.session(database=self.database) as session:
                    return (session.execute_write if use_write else session.execute_read)(self._timed(work))
            except (ServiceUnavailable, SessionExpired, TransientError) as exc:
                if _timed_out(exc) and attempt == retries:
                    raise ServerError(
                        f"the Bolt server {self.uri} stopped answering during a {what} statement (no reply within the "
                        f"connect timeout of {self.settings.bolt_connect_timeout} s or the read timeout of "
                        f"{self.settings.bolt_read_timeout} s: GRAPHKIT_BOLT_CONNECT_TIMEOUT, GRAPHKIT_BOLT_READ_TIMEOUT). "
                        "Check the server, "
                        "then run the same command again (graphkit's writes are idempotent, a re-run resumes)") from None
                if attempt == retries and isinstance(exc, TransientError):
                    raise ServerError(f"the Bolt server {self.uri} kept refusing a {what} statement for now "
                                      f"({getattr(exc, 'code', '')}); run the command again later") from None
                if attempt == retries:
                    raise ServerError(
                        f"could not reach (or lost the connection to) the Bolt server {self.uri} during a {what} statement "
                        f"({type(exc).__name__}; {retries} retr{'y' if retries == 1 else 'ies'} failed). "
                        "Check that the server is running and reachable, then run the same command again: "
                        "graphkit's writes are idempotent, so a re-run resumes where this one stopped") from None
                log.warning("Bolt connection to %s dropped (%s); retrying", self.uri, type(exc).__name__)
                time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
            except AuthError:
                raise ServerError(f"the Bolt server {self.uri} refused the credentials: check --user and the "
                                  "password variable (--password-env, default NEO4J_PASSWORD)") from None
            except Neo4jError as exc:
                if "TransactionTimedOut" in (getattr(exc, "code", "") or ""):
                    raise ServerError(
                        f"the Bolt server {self.uri} stopped a {what} statement after the transaction timeout of "
                        f"{self.settings.bolt_transaction_timeout} s (GRAPHKIT_BOLT_TRANSACTION_TIMEOUT); raise it "
                        "for a large graph, or run the command again") from None
                reason = self._falkordb_reason(statements) if self.kind == FALKORDB else None
                raise ServerError(redact(_server_failure(self, what, exc, reason), *self._secrets)) from None
            except DriverError as exc:
                raise ServerError(f"the Bolt driver failed on a {what} statement to {self.uri}: "
                                  f"{type(exc).__name__}: {redact(exc, *self._secrets)}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _timed(self, work):
        """``work`` with the server-side transaction timeout (Neo4j enforces it; FalkorDB ignores it)."""
        from neo4j import unit_of_work

        seconds = self.settings.bolt_transaction_timeout
        return unit_of_work(timeout=float(seconds))(work) if seconds > 0 and self.kind == NEO4J else work

    def _falkordb_reason(self, statements: list[tuple[str, dict]]) -> str | None:
        """FalkorDB's own message for a failed statement: it reaches only the driver's debug log, so the
        statements (idempotent, and already escaped) run again once with that log captured."""
        from neo4j.exceptions import Neo4jError

        driver_log = logging.getLogger("neo4j")
        capture = _FailureCapture()
        level = driver_log.level
        driver_log.addHandler(capture)
        driver_log.setLevel(logging.DEBUG)
        try:
            with self._driver.session(database=self.database) as session:
                session.execute_write(lambda tx: [tx.run(q, p).consume() for q, p in statements])
        except Neo4jError:
            pass
        except Exception:  # the reason is a courtesy: never let finding it hide the failure itself
            log.debug("could not re-run a failed statement to read FalkorDB's reason", exc_info=True)
        finally:
            driver_log.setLevel(level)
            driver_log.removeHandler(capture)
        return capture.message

    # ---- sizes ------------------------------------------------------------------------------------------
    @staticmethod
    def rendered_bytes(value) -> int:
        """UTF-8 bytes of an escaped ``value`` exactly as FalkorDB splices it into the query text; the
        reference that the fast estimate :meth:`value_bytes` must never fall below (tests hold it to that)."""
        if value is None:
            return 4  # NULL
        if isinstance(value, bool):
            return 5 if not value else 4
        if isinstance(value, str):
            return len(value.encode("utf-8")) + 2
        if isinstance(value, int):
            return len(str(value))
        if isinstance(value, float):
            return len("%f" % value)
        if isinstance(value, (list, tuple)):
            return 2 + sum(BoltClient.rendered_bytes(v) for v in value) + 2 * max(0, len(value) - 1)
        if isinstance(value, dict):
            return 2 + sum(len(k) + 2 + BoltClient.rendered_bytes(v) for k, v in value.items()) + 2 * max(0, len(value) - 1)
        raise TypeError(f"cannot size a {type(value).__name__} parameter")

    def value_bytes(self, value) -> int:
        """Bytes one (unescaped) parameter value adds to a statement on this server, rounded up.

        JSON is a fast upper bound of FalkorDB's rendering once single quotes are counted twice (JSON
        escapes ``\\`` as FalkorDB's escaping does, quotes keys and escapes ``"`` and control characters
        where FalkorDB does not), and a fair estimate of Bolt's packed size for Neo4j.
        """
        text = json.dumps(value, ensure_ascii=False, default=str)
        size = len(text.encode("utf-8"))
        return size + text.count("'") if self.kind == FALKORDB else size

    def statement_bytes(self, query: str, params: dict) -> int:
        """The size of the statement as the server sees it (FalkorDB: ``CYPHER k=v … query`` spliced), rounded up."""
        size = len(query.encode("utf-8"))
        if params:
            size += len("CYPHER ") + sum(len(k) + 2 + self.value_bytes(v) for k, v in params.items())
        return size

    @property
    def batch_bytes(self) -> int:
        s = self.settings
        return s.bolt_batch_bytes_falkordb if self.kind == FALKORDB else s.bolt_batch_bytes_neo4j

    @property
    def batch_rows(self) -> int:
        return 1_000_000 if self.kind == FALKORDB else max(1, self.settings.bolt_batch_rows_neo4j)

    def fits(self, query: str, row: dict, name: str = "rows", **fixed) -> bool:
        """Whether ``row`` alone, as the ``$rows`` list of ``query``, stays within the server's statement limit."""
        return self.statement_bytes(query, dict(fixed, **{name: [row]})) <= self.batch_bytes

    def batches(self, query: str, rows: Iterable[dict], name: str = "rows", **fixed) -> Iterator[list[dict]]:
        """Cut ``rows`` (the ``$rows`` parameter of ``query``) into batches the server accepts.

        Every row must :meth:`fit` on its own (a larger one has to be stored in pieces by the caller).
        """
        base = self.statement_bytes(query, dict(fixed, **{name: []}))
        limit, most = self.batch_bytes, self.batch_rows
        batch: list[dict] = []
        size = base
        for row in rows:
            n = self.value_bytes(row)
            if base + n > limit:
                raise EngineError(f"a row of {n} bytes does not fit a {limit}-byte statement; store it in pieces")
            if batch and (size + 2 + n > limit or len(batch) >= most):
                yield batch
                batch, size = [], base
            size += n + (2 if batch else 0)  # ", " between list items
            batch.append(row)
        if batch:
            yield batch

    # ---- detection --------------------------------------------------------------------------------------
    def _detect(self) -> tuple[str, str]:
        """FalkorDB answers ``SHOW DATABASES`` with one canned row named ``falkordb``; Neo4j answers
        ``dbms.components()`` (docs/cypher-notes.md). ``SHOW DATABASES`` goes first, in a write transaction:
        a failing statement on FalkorDB can leave the connection's RESET unanswered (seen intermittently
        after ``dbms.components()`` in a read transaction), so graphkit sends FalkorDB nothing that fails."""
        from neo4j.exceptions import AuthError, Neo4jError

        self.kind = NEO4J  # no escaping for the probes: they have no parameters
        try:
            rows = self._run("SHOW DATABASES", {}, "server detection", write=True)[0]
        except ServerError as exc:
            if not isinstance(exc.__context__, Neo4jError) or isinstance(exc.__context__, AuthError):
                raise
            rows = []
        names = [r.get("name") for r in rows]
        self._databases = [n for n in names if n and n != "system"]
        if names == ["falkordb"]:  # Neo4j lists its system database too
            return FALKORDB, ""
        try:
            rows = self.read("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
                             "server detection")
        except ServerError as exc:
            if not isinstance(exc.__context__, Neo4jError) or isinstance(exc.__context__, AuthError):
                raise
            rows = []
        if rows and rows[0].get("name") == "Neo4j Kernel":
            versions = rows[0].get("versions") or [""]
            return NEO4J, f"{versions[0]} {rows[0].get('edition') or ''}".strip()
        self.close()
        raise ServerError(f"{self.uri} answers Bolt but is neither Neo4j 5 nor FalkorDB "
                          "(it answers neither SHOW DATABASES nor dbms.components() as they do); "
                          "graphkit supports those two only")


def _set_read_timeout(tx, seconds: float | None) -> None:
    """Bound every wait for a reply on ``tx``'s connection: the driver has no read timeout setting (it takes
    one only from a server's ``connection.recv_timeout_seconds`` hint), so it is set on the connection's
    socket; a driver without that attribute just keeps its own behaviour."""
    try:
        tx._connection.socket.set_read_timeout(seconds)
    except AttributeError:  # pragma: no cover - another driver version
        log.debug("could not set the Bolt read timeout on this driver version")


def _timed_out(exc) -> bool:
    """Whether a driver error comes from a read or write that timed out (a stalled server)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, TimeoutError) or "timed out" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _open_driver(uri: str, user, password, shown: str, settings: Settings):
    try:
        from neo4j import GraphDatabase
    except ImportError:
        raise EngineError("talking to a Bolt server needs the 'neo4j' package: pip install 'graphkit[neo4j]'") from None
    scheme = str(uri).split("://", 1)[0].lower() if "://" in str(uri) else ""
    if scheme not in _SCHEMES:
        raise BoltUriError(f"cannot use the Bolt URI {shown}: write it as bolt://host:7687, neo4j://host:7687 "
                           "or neo4j+s://host (Aura)")
    if _USERINFO.search(str(uri)):  # the driver would refuse it, quoting the whole URI, password and all
        raise BoltUriError(f"the Bolt URI {shown} holds a user name or password: remove them from the URI, give the "
                           "user with --user (or NEO4J_USER) and the password in the environment variable named by "
                           "--password-env (default NEO4J_PASSWORD)")
    if password is not None and not user:
        user = "neo4j"
    auth = (user, password or "") if user else None
    try:
        return GraphDatabase.driver(
            uri, auth=auth,
            connection_timeout=float(settings.bolt_connect_timeout),
            connection_acquisition_timeout=float(settings.bolt_connect_timeout) * 2,
            max_transaction_retry_time=0.0,  # graphkit retries itself, a bounded number of times (settings.bolt_retries)
            user_agent="graphkit",
            notifications_min_severity="OFF",  # Neo4j's warnings (an unused property key …) are not the user's business
        )
    except Exception as exc:  # ConfigurationError, ValueError for a malformed URI or an unknown scheme
        raise BoltUriError(f"cannot use the Bolt URI {shown}: {redact(exc, password)}; write it as bolt://host:7687, "
                           "neo4j://host:7687 or neo4j+s://host (Aura)") from None


def _counters(counters) -> dict[str, int]:
    names = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set",
             "labels_added", "indexes_added", "constraints_added")
    return {n: int(getattr(counters, n, 0) or 0) for n in names}


class _FailureCapture(logging.Handler):
    """Keeps the message of the last Bolt FAILURE the neo4j driver logs at DEBUG level."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.message: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "S: FAILURE " in text:
            found = re.search(r"'message': (['\"])(.*?)\1[,}]", text.split("S: FAILURE ", 1)[1])
            self.message = found.group(2) if found else text.split("S: FAILURE ", 1)[1][:300]


def _server_failure(client: BoltClient, what: str, exc, reason: str | None = None) -> str:
    code = getattr(exc, "code", None) or ""
    message = (getattr(exc, "message", None) or str(exc)).strip()
    if reason:
        return f"the Bolt server {client.uri} rejected a {what} statement: {reason}"
    if client.kind == FALKORDB or code.endswith("UnknownError"):
        return (f"the Bolt server {client.uri} rejected a {what} statement and did not say why "
                f"({code or type(exc).__name__}; FalkorDB sends its reason only to the driver's debug log). "
                "See docs/neo4j.md for the statements each server accepts")
    if "DatabaseNotFound" in code:
        return f"the database {client.database!r} does not exist on {client.uri}: check --database ({message})"
    return f"the Bolt server {client.uri} rejected a {what} statement: {code}: {message}"
