"""Datasette for an archive, read-only, with nianbao's metadata, pages and Chinese search.

Serving never writes the archive. It is opened read-only (``mode=ro``): a
scheduled crawl may write to it while it is served, and its new rows show up
(SQLite keeps its -wal/-shm files beside it for that). It is opened immutable
(no locks, nothing created, faster counts) only where nothing can write to it:
a file this process may not write (a published copy), or when asked
(``nianbao serve --immutable``). Immutable while a crawl writes would read
pages half-way through a change. Nothing here calls ensure_schema: an archive
made by an older nianbao is served as it is.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time
import weakref
from pathlib import Path

from datasette.app import Datasette
from datasette.plugins import pm

from . import datasette_plugin
from .metadata import archive_metadata
from ..schema import FTS_TABLE, MIGRATIONS
from ..store import APPLICATION_ID, SQLITE_MAGIC, being_written, read_only_uri

# The tables without which a file is not a nianbao archive.
REQUIRED_TABLES = ("reports", FTS_TABLE)
# nianbao serve's Datasette settings (the benchmark measures with these).
SETTINGS = {
    "default_page_size": 50,
    "sql_time_limit_ms": 3000,
    # Suggesting facets runs a count per column over every row on every table
    # page: seconds on a large archive, for suggestions nobody asked for.
    "suggest_facets": False,
    "facet_time_limit_ms": 500,
    "allow_download": False,
    "max_returned_rows": 1000,
}


# What one query may make SQLite and this process hold. sql_time_limit_ms interrupts SQLite between
# its steps, but not one step that allocates: `select zeroblob(300000000)` took 29 s and left the
# server holding 1.8 GB.
# - The longest value: the largest stored body is DOWNLOAD_MAXSIZE (30 MiB), which must still read.
MAX_VALUE_BYTES = 32 * 1024 * 1024
SQLITE_LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,  # a query typed or linked, not a program
    sqlite3.SQLITE_LIMIT_COLUMN: 200,          # nianbao's widest row has ~40 columns
}
# - A result, all rows together, as Python holds it for Datasette (1,000 rows of 32 MiB would be 32 GB).
MAX_RESULT_BYTES = 128 * 1024 * 1024
# - SQLite's own heap in the `nianbao serve` process (page caches, sorts, values being built): past
#   it an allocation fails (SQLITE_NOMEM) instead of growing the process. Process-wide, so set only
#   by run_datasette, never in a process that also writes archives.
SERVE_HEAP_LIMIT_BYTES = 256 * 1024 * 1024


class ResultTooLarge(sqlite3.OperationalError):
    """A query's rows passed MAX_RESULT_BYTES."""


class BudgetedRows:
    """A row factory (sqlite3.Row, as Datasette's) that refuses a query's result once its rows
    hold more than MAX_RESULT_BYTES: Datasette fetches up to max_returned_rows + 1 rows of any
    size. Counted per cursor (one cursor per query); one instance per connection (per thread)."""

    def __init__(self, limit: int = MAX_RESULT_BYTES):
        self.limit = limit
        self.spent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __call__(self, cursor, row):
        size = sum(sys.getsizeof(value) for value in row if isinstance(value, (str, bytes)))
        if size:
            spent = self.spent.get(cursor, 0) + size
            if spent > self.limit:
                raise ResultTooLarge(f"the result is larger than {self.limit // 2 ** 20} MB: "
                                     f"ask for fewer rows or shorter columns")
            self.spent[cursor] = spent
        return sqlite3.Row(cursor, row)


# Enough virtual-machine steps for SQLite to call the connection's progress handler once (Datasette
# installs its sql_time_limit_ms check to run every 1,000 steps; this statement takes ~3,000).
PROGRESS_TURN_SQL = "with recursive n(i) as (select 1 union all select i + 1 from n limit 300) select count(*) from n"
# A call of a Python SQL function that takes longer than this gives the time limit its turn.
COSTLY_CALL_SECONDS = 0.001


def within_time_limit(conn: sqlite3.Connection, function):
    """FUNCTION as an SQL function of CONN whose calls are held to Datasette's sql_time_limit_ms.

    SQLite checks the time limit every 1,000 of its own steps, and a query calling a 50 ms Python
    function on every row takes 1,000 steps in seconds: the limit would come too late. After a costly
    call, a statement of a few thousand steps is run on the same connection, so the time limit is
    checked then; when it has passed, the query is interrupted as Datasette's own limit does it
    (Datasette answers "SQL Interrupted"). Written here because neither Datasette nor sqlite3 has a
    way to check the time limit from inside a function."""
    def call(*args):
        started = time.perf_counter()
        result = function(*args)
        if time.perf_counter() - started > COSTLY_CALL_SECONDS:
            try:
                conn.execute(PROGRESS_TURN_SQL).fetchone()
            except sqlite3.OperationalError as exc:
                if exc.args != ("interrupted",):
                    raise
                conn.interrupt()  # the query that called this function stops at its next step
        return result

    call.__name__ = function.__name__
    return call


def limit_connection(conn: sqlite3.Connection) -> None:
    """SQLite's length limits and the result budget on one of serve's connections."""
    for category, limit in SQLITE_LIMITS.items():
        conn.setlimit(category, limit)
    conn.row_factory = BudgetedRows()


def limit_sqlite_heap(limit: int = SERVE_HEAP_LIMIT_BYTES) -> None:
    """PRAGMA hard_heap_limit: SQLite's memory in this whole process (see SERVE_HEAP_LIMIT_BYTES)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA hard_heap_limit = {int(limit)}")
    finally:
        conn.close()


def check_archive(path: str | Path) -> str | None:
    """None if PATH is a nianbao archive Datasette can serve, else a one-line reason."""
    p = Path(path)
    if not p.exists():
        return f"{path}: no such file (nianbao serve only opens an existing archive; crawl one first)"
    if not p.is_file():
        return f"{path}: not a file"
    try:
        with p.open("rb") as f:
            header = f.read(100)
    except OSError as e:
        return f"{path}: cannot be read ({e.strerror or e})"
    if not header.startswith(SQLITE_MAGIC):
        return f"{path}: not an SQLite database, so not a nianbao archive"
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (0, APPLICATION_ID):  # 0: made by nianbao before its mark, or by no one
        return f"{path}: another application's database (application_id {application_id:#x}), not a nianbao archive"
    try:
        conn = sqlite3.connect(read_only_uri(p), uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        return f"{path}: unreadable SQLite database ({e})"
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        return f"{path}: not a nianbao archive (no {', '.join(missing)} table)"
    if pending_migrations(p):
        # serving never writes, so it cannot upgrade: the search index of an older archive
        # would not match today's queries
        return f"{path}: made by an older nianbao; run `nianbao reparse --db {path}` once to upgrade it"
    return None


def pending_migrations(path: str | Path) -> list[str]:
    """The data migrations an archive has not had yet (read without writing)."""
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        applied = {r[0] for r in conn.execute("select name from schema_migrations")} \
            if "schema_migrations" in tables else set()
    finally:
        conn.close()
    return [name for name, _ in MIGRATIONS if name not in applied]


def archive_columns(path: str | Path) -> dict[str, list[str]]:
    """Each table's and view's columns, read without writing (metadata is built for what exists)."""
    conn = sqlite3.connect(read_only_uri(path), uri=True)
    try:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")]
        return {name: [r[1] for r in conn.execute(f"pragma table_xinfo([{name}])")] for name in names}
    finally:
        conn.close()


def register_plugin() -> None:
    # Registered here, not as an entry point: the plugin changes escape_fts()
    # for every database the Datasette process serves.
    if not pm.is_registered(datasette_plugin) and "nianbao" not in {n for n, _ in pm.list_name_plugin()}:
        pm.register(datasette_plugin, name="nianbao")


def can_be_immutable(path: str | Path) -> bool:
    """True when nothing run as this user can change the file while it is served."""
    return not os.access(path, os.W_OK) and not being_written(path)


def make_datasette(db_path: str | Path, immutable: bool | None = None) -> Datasette:
    """A read-only Datasette for one archive; ValueError if it is not one."""
    problem = check_archive(db_path)
    if problem:
        raise ValueError(problem)
    register_plugin()
    path = str(Path(db_path))
    name = Path(path).stem
    if immutable is None:
        immutable = can_be_immutable(path)
    files = {"immutables": [path]} if immutable else {"files": [path]}
    return Datasette(**files, metadata=archive_metadata(name, archive_columns(path)),
                     settings=SETTINGS, template_dir=str(datasette_plugin.TEMPLATES),
                     static_mounts=[("nianbao-static", str(datasette_plugin.STATIC))])


def run_datasette(db_path: str, host: str = "127.0.0.1", port: int = 8001, immutable: bool | None = None) -> None:
    import uvicorn

    limit_sqlite_heap()
    ds = make_datasette(db_path, immutable)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
