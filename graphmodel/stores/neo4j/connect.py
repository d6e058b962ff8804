"""Connecting: URIs without passwords, the driver, errors as one line, telling Neo4j from ArcadeDB."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Self

from graphmodel.errors import CampaignGraphError
from graphmodel.stores.neo4j.wire import _SEP

DEFAULT_BATCH_SIZE = 5000
#: write transactions run at once by a push (see :meth:`Neo4jStore.write`)
DEFAULT_WRITERS = 2


def safe_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, for messages."""
    # greedy: a password may itself hold "/" or "@" (unencoded), so everything up to the
    # last "@" goes (in a message, dropping too much is safe; too little leaks)
    return re.sub(r"//.*@", "//", uri, flags=re.DOTALL)


#: URI schemes the Bolt driver takes (anything else, http:// included, is refused before the driver sees it)
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def check_uri(uri: str) -> None:
    """Refuse a URI whose scheme is not a Bolt one, naming only the scheme (never the URI: it may hold a password).

    >>> check_uri("bolt://localhost:7687")
    >>> check_uri("http://user:pw@host:7474")
    Traceback (most recent call last):
    ...
    graphmodel.errors.CampaignGraphError: a http:// URI is not a Bolt server address: use bolt://HOST:7687 or neo4j://HOST:7687 (+s for TLS)
    """
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]{0,19})://", uri or "")
    scheme = m.group(1).casefold() if m else None
    if scheme in URI_SCHEMES:
        return
    shown = f"a {scheme}:// URI" if scheme else "a URI without a scheme"
    raise CampaignGraphError(f"{shown} is not a Bolt server address: use bolt://HOST:7687 or neo4j://HOST:7687 (+s for TLS)")
@dataclass(frozen=True)
class ServerInfo:
    """What kind of server answers at the URI."""

    kind: str  # "neo4j" or "arcadedb"
    agent: str
    version: str
    gds: bool  # the Graph Data Science library is installed
    #: ``split`` keeps empty pieces and splits on the plain string (probed): positional rows can
    #: then travel as joined string columns (see :func:`_wire`)
    split_columns: bool = False


def _neo4j_error(e: BaseException, uri: str, database: str | None, user: str) -> CampaignGraphError:
    """One user-facing line for a driver exception (never the password)."""
    from neo4j import exceptions as nx

    where = safe_uri(uri)
    code = getattr(e, "code", None) or ""
    if isinstance(e, nx.AuthError) or "Unauthorized" in code or "Authentication" in code:
        return CampaignGraphError(
            f"{where} refused the login for user {user!r}: wrong user name or password (NEO4J_PASSWORD)"
        )
    if "DatabaseNotFound" in code:
        return CampaignGraphError(f"database {database!r} does not exist on {where}")
    if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired, OSError)):
        return CampaignGraphError(f"cannot reach a Bolt server at {where} ({e.__class__.__name__})")
    if isinstance(e, nx.ConfigurationError):
        return CampaignGraphError(f"bad Neo4j URI {where!r}: use bolt://HOST:PORT or neo4j://HOST:PORT")
    if isinstance(e, nx.Neo4jError):
        return CampaignGraphError(f"{where}: server error {code or e.__class__.__name__}")
    return CampaignGraphError(f"{where}: {e.__class__.__name__}")


def detect_server(driver: Any, database: str | None) -> ServerInfo:
    """Tell Neo4j from ArcadeDB (the one place the two are told apart).

    ArcadeDB answers ``CALL dbms.components()`` as a Neo4j 5 kernel, so the server agent
    string (``Neo4j/5.26.0 compatible (ArcadeDB ...)``) is what decides.
    """
    info = driver.get_server_info()
    agent = str(info.agent or "")
    kind = "arcadedb" if "arcadedb" in agent.casefold() else "neo4j"
    version = agent.split("/", 1)[1].split()[0] if "/" in agent else ""
    gds = False
    if kind == "neo4j":  # ArcadeDB has a gds.version() stub but not the algorithms
        from neo4j.exceptions import Neo4jError

        try:
            driver.execute_query("CALL gds.version()", database_=database)
            gds = True
        except Neo4jError:
            gds = False
    return ServerInfo(kind=kind, agent=agent, version=version, gds=gds, split_columns=_splits_as_python(driver, database))


#: what the probe of ``split`` sends: empty pieces at the start, middle and end, and a regex character
_SPLIT_PROBE = ".\x1f\x1fa.b\x1f"


def _splits_as_python(driver: Any, database: str | None) -> bool:
    """Whether the server's ``split(s, sep)`` gives exactly Python's ``s.split(sep)`` for :data:`_SEP`.

    Joined string columns (:func:`_wire`) rely on that: one piece per row, empty ones kept,
    the separator taken as a plain string (not a regular expression). Both Neo4j and ArcadeDB
    do; a server that does not gets the rows one list per row, as before.
    """
    from neo4j.exceptions import Neo4jError

    try:
        records, _, _ = driver.execute_query("RETURN split($s, $sep) AS x", s=_SPLIT_PROBE, sep=_SEP,
                                             database_=database)
    except Neo4jError:
        return False
    return bool(records) and records[0]["x"] == _SPLIT_PROBE.split(_SEP)


class _Connection:
    """The connection part of :class:`~graphmodel.stores.neo4j.Neo4jStore`."""

    def __init__(
        self,
        uri: str,
        *,
        user: str = "neo4j",
        password: str = "",
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_retry_time: float = 15.0,
        connection_timeout: float = 10.0,
        writers: int = DEFAULT_WRITERS,
    ) -> None:
        if batch_size < 1:
            raise CampaignGraphError("batch size must be at least 1")
        if writers < 1:
            raise CampaignGraphError("the number of writers must be at least 1")
        self.uri = uri
        self.user = user
        self._password = password
        self.database = database
        self.batch_size = batch_size
        self.writers = writers
        self.max_retry_time = max_retry_time
        self.connection_timeout = connection_timeout
        self._driver: Any = None
        self._server: ServerInfo | None = None
        #: node id -> element id of the nodes the running push wrote (see :meth:`_write_batch`)
        self._element_ids: dict[str, str] = {}

    def __repr__(self) -> str:  # never the password
        return f"<Neo4jStore {safe_uri(self.uri)} database={self.database!r}>"

    # ------------------------------------------------------------------ connection
    def _error(self, e: BaseException) -> CampaignGraphError:
        return _neo4j_error(e, self.uri, self.database, self.user)

    def connect(self) -> ServerInfo:
        """Open the driver, check the login and the database; return the server's kind."""
        if self._driver is not None and self._server is not None:
            return self._server
        check_uri(self.uri)
        import neo4j
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.uri,
                auth=(self.user, self._password),
                max_transaction_retry_time=self.max_retry_time,
                connection_timeout=self.connection_timeout,
                connection_acquisition_timeout=max(self.connection_timeout, 30.0),
                notifications_min_severity="OFF",
            )
            self._driver.verify_connectivity()
            self._driver.execute_query("RETURN 1", database_=self.database)
            self._server = detect_server(self._driver, self.database)
        except (DriverError, Neo4jError, OSError, ValueError) as e:
            self.close()
            raise self._error(e) from None
        return self._server

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
        self._driver = None
        self._server = None

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def server(self) -> ServerInfo:
        return self.connect()

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a read query (parameters only) and return its records as dicts."""
        self.connect()
        from neo4j.exceptions import DriverError, Neo4jError

        try:
            records, _, _ = self._driver.execute_query(
                query, parameters_=params, database_=self.database, routing_="r"
            )
        except (DriverError, Neo4jError, OSError) as e:
            raise self._error(e) from None
        return [r.data() for r in records]
