"""A throwaway PostgreSQL cluster per test session (per xdist worker), and a fast reset.

``postgres_url`` (session fixture) returns
``postgresql+psycopg://postgres@127.0.0.1:<port>/supplychain_test`` on a cluster made
with Debian's ``initdb``/``pg_ctl`` (``/usr/lib/postgresql/<newest>/bin``) in a temp
directory. As root the binaries run as the ``postgres`` system user (initdb refuses
root). The cluster trades durability for speed (fsync, synchronous_commit and
full_page_writes off), trusts local connections and runs in ``Asia/Shanghai`` time, like
a production server here, so a test that leans on the server's time zone instead of UTC
shows up. It is stopped and removed at session end, at interpreter exit, on SIGTERM and
(if a run was killed outright) by the next run.

``SUPPLYCHAIN_TEST_DATABASE_URL`` replaces the cluster with an existing database; under
xdist each worker then gets its own database ``<name>_<worker>`` (created if missing,
which needs CREATEDB) because the suite drops and creates tables.

``reset_database(engine, metadata)`` is the fast per-test reset: ``create_all`` once,
then empty every table and restart the id sequences (used by conftest's ``any_db_app``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import service_missing

DATABASE_NAME = "supplychain_test"
URL_ENV = "SUPPLYCHAIN_TEST_DATABASE_URL"
BINDIR_ENV = "SUPPLYCHAIN_PG_BINDIR"
DIR_PREFIX = "supplychain-pg-"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "150",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "64MB",
    "timezone": "'Asia/Shanghai'",
    "log_timezone": "'UTC'",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",  # expected constraint errors: no statement log
}
_LIVE: set[PostgresCluster] = set()  # created and not yet removed


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL binaries (or no postgres user to run them as root)."""


def worker_id() -> str:
    """The xdist worker name (gw0, gw1, …) or "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl
    (or exactly ``$SUPPLYCHAIN_PG_BINDIR`` when set)."""
    override = os.environ.get(BINDIR_ENV)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)

    if override:  # exactly this one
        candidates = [Path(override)]
    else:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True
        )
        which = shutil.which("initdb")
        if which:
            candidates.append(Path(which).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as_owner(cmd: list[str]) -> list[str]:
    """initdb refuses root: as root, run PostgreSQL's binaries as the postgres user."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PostgresCluster:
    """One initdb'd cluster in ``base`` (data/, sock/, server.log, owner.pid)."""

    def __init__(self, base: Path, bindir: Path) -> None:
        self.base = base
        self.bindir = bindir
        self.data = base / "data"
        self.sockets = base / "sock"
        self.log = base / "server.log"
        self.port = 0
        self.running = False

    # -- lifecycle -------------------------------------------------------------------
    @classmethod
    def create(cls, bindir: Path, label: str = "") -> PostgresCluster:
        if os.geteuid() == 0 and not _user_exists("postgres"):
            raise PostgresUnavailable(
                "running as root but there is no 'postgres' user to run PostgreSQL as"
            )
        base = Path(tempfile.mkdtemp(prefix=f"{DIR_PREFIX}{label or worker_id()}-"))
        cluster = cls(base, bindir)
        _LIVE.add(cluster)
        (base / "owner.pid").write_text(str(os.getpid()))
        cluster.sockets.mkdir()
        if os.geteuid() == 0:
            for path in (base, cluster.sockets):
                shutil.chown(path, "postgres", "postgres")
        return cluster

    def init(self) -> None:
        self._pg(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions",
        )  # fmt: skip
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# throwaway test cluster (tests/support/postgres.py)\n")
            for key, value in SERVER_SETTINGS.items():
                conf.write(f"{key} = {value}\n")
            conf.write(f"unix_socket_directories = '{self.sockets}'\n")

    def start(self, attempts: int = 4) -> None:
        """Start on a free port; another process may grab the port first, so retry."""
        for attempt in range(attempts):
            self.port = free_port()
            proc = self._pg(
                "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log),
                "-w", "-t", "60", "-o", f"-p {self.port}", check=False,
            )  # fmt: skip
            if proc.returncode == 0:
                self.running = True
                return
            if attempt == attempts - 1 or "could not bind" not in self.log_tail():
                raise RuntimeError(
                    f"pg_ctl start failed ({proc.returncode}): "
                    f"{proc.stdout}{proc.stderr}\n--- {self.log} ---\n{self.log_tail()}"
                )

    def stop(self) -> None:
        """Stop (immediate: nothing here needs a checkpoint), delete the directory."""
        if self.running or (self.data / "postmaster.pid").exists():
            self._pg(
                "pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w",
                check=False,
            )  # fmt: skip
            self.running = False
        _LIVE.discard(self)
        shutil.rmtree(self.base, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------
    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def _pg(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess:
        cmd = _run_as_owner([str(self.bindir / program), *args])
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        proc = subprocess.run(
            cmd,
            cwd=self.base,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                f"{proc.stdout}{proc.stderr}"
            )
        return proc


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def reap_orphans(bindir: Path) -> None:
    """Stop and delete clusters left by killed runs (their owner pid is gone)."""
    for base in Path(tempfile.gettempdir()).glob(f"{DIR_PREFIX}*"):
        try:
            owner = int((base / "owner.pid").read_text().strip())
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or _pid_alive(owner):
            continue
        PostgresCluster(base, bindir).stop()


@contextlib.contextmanager
def throwaway_postgres(label: str = "") -> Iterator[PostgresCluster]:
    """A started cluster with the ``supplychain_test`` database; removed on exit."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "PostgreSQL binaries not found (no initdb/pg_ctl under "
            "/usr/lib/postgresql/*/bin); install the postgresql package or set "
            + URL_ENV
        )
    reap_orphans(bindir)
    cluster = PostgresCluster.create(bindir, label)
    atexit.register(cluster.stop)
    try:
        cluster.init()
        cluster.start()
        cluster.create_database(DATABASE_NAME)
        yield cluster
    finally:
        cluster.stop()
        atexit.unregister(cluster.stop)


def external_database_url(url: str, worker: str) -> str:
    """Under xdist, give each worker its own database next to the configured one."""
    if worker == "main":
        return url
    import sqlalchemy as sa

    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(
        base.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# -- fast per-test reset ---------------------------------------------------------------
def reset_database(engine: Any, metadata: Any) -> None:
    """Empty the tables of ``metadata``, restart ids; (re)create the schema if needed.

    One catalogue query fingerprints the tables, columns, constraints, indexes and
    triggers. When it differs from the one taken after the last ``create_all`` (first
    use, another fixture dropped tables, a test dropped a constraint behind the ORM's
    back) the schema is dropped and created again. Otherwise every table is emptied
    with DELETE, children first, and every sequence restarted in one statement: on a
    few dozen small tables that is ~10x faster than drop_all + create_all (TRUNCATE …
    CASCADE is the fallback, e.g. for FK cycles).
    Connections a previous test leaked while holding locks are terminated instead of
    letting the reset wait forever.
    """
    import sqlalchemy as sa

    for attempt in range(3):
        try:
            _reset_once(engine, metadata, truncate=attempt > 0)
            return
        except sa.exc.IntegrityError:
            continue  # an FK cycle broke the delete order: TRUNCATE next time round
        except sa.exc.OperationalError:  # lock_timeout: a leaked session holds a lock
            if attempt == 2:
                raise
            _terminate_other_sessions(engine)
    raise RuntimeError("could not empty the PostgreSQL test database")


def _reset_once(engine: Any, metadata: Any, *, truncate: bool) -> None:
    import sqlalchemy as sa

    key = engine.url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        if _schema_fingerprint(conn, metadata) != _FINGERPRINTS.get(key):
            _FINGERPRINTS.pop(key, None)
            metadata.drop_all(conn)
            metadata.create_all(conn)
            _FINGERPRINTS[key] = _schema_fingerprint(conn, metadata)
            return
        if truncate:
            quote = engine.dialect.identifier_preparer.quote
            names = ", ".join(quote(table.name) for table in metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
        conn.execute(sa.text(RESTART_SEQUENCES))


_FINGERPRINTS: dict[str, tuple[int, str]] = {}

RESTART_SEQUENCES = (
    "SELECT count(setval(c.oid, 1, false)) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)

SCHEMA_FINGERPRINT = """
WITH t AS (
  SELECT c.oid, c.relname FROM pg_class c
  WHERE c.relnamespace = current_schema()::regnamespace
    AND c.relkind IN ('r', 'p') AND c.relname = ANY(:tables)
)
SELECT (SELECT count(*) FROM t), md5(concat_ws('|',
  (SELECT string_agg(t.relname || ':' || k.conname || ':'
                     || pg_get_constraintdef(k.oid), ',' ORDER BY t.relname, k.conname)
     FROM pg_constraint k JOIN t ON k.conrelid = t.oid),
  (SELECT string_agg(pg_get_indexdef(i.indexrelid), ','
                     ORDER BY pg_get_indexdef(i.indexrelid))
     FROM pg_index i JOIN t ON i.indrelid = t.oid),
  (SELECT string_agg(t.relname || '.' || a.attname || ':'
                     || format_type(a.atttypid, a.atttypmod) || ':'
                     || a.attnotnull::text || ':'
                     || coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
                     ',' ORDER BY t.relname, a.attnum)
     FROM pg_attribute a JOIN t ON a.attrelid = t.oid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped),
  (SELECT string_agg(t.relname || ':' || g.tgname || ':' || g.tgenabled::text,
                     ',' ORDER BY t.relname, g.tgname)
     FROM pg_trigger g JOIN t ON g.tgrelid = t.oid WHERE NOT g.tgisinternal)
))
"""


def _schema_fingerprint(conn: Any, metadata: Any) -> tuple[int, str]:
    import sqlalchemy as sa

    row = conn.execute(
        sa.text(SCHEMA_FINGERPRINT), {"tables": sorted(metadata.tables)}
    ).one()
    return int(row[0]), str(row[1])


def _terminate_other_sessions(engine: Any) -> None:
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()


# -- fixtures --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of an empty PostgreSQL database for the session (per xdist worker)."""
    configured = os.environ.get(URL_ENV)
    if configured:
        yield external_database_url(configured, worker_id())
        return
    install_sigterm_handler()
    try:
        with throwaway_postgres() as cluster:
            yield cluster.url()
    except PostgresUnavailable as exc:
        service_missing(f"PostgreSQL unavailable: {exc}")


# atexit does not run when SIGTERM (from `timeout`, a CI runner or xdist) kills us: stop
# the clusters first, then die of the signal as we would have.
def _stop_clusters_and_die(signum: int, frame: Any) -> None:
    for cluster in list(_LIVE):
        cluster.stop()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_sigterm_handler() -> None:
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(signal.SIGTERM, _stop_clusters_and_die)


__all__ = [
    "DATABASE_NAME",
    "PostgresCluster",
    "PostgresUnavailable",
    "find_bindir",
    "postgres_url",
    "reset_database",
    "throwaway_postgres",
]
