"""``nianbao merge``: archives made on other machines, or in other years, brought into one.

What is copied is what the archive *is*: the bodies (by SHA-256, so a body is stored
once) and the ledger (``responses``, one row per fetch, by URL + fetched_at + body
SHA-256, so a fetch is recorded once), with the portals (by URL), the crawl runs (by
start time, process and start URLs) and any registry table (``divisions`` and the like:
by primary key). Every other id is the archive's own, so ids are remapped: a source's
``portal_id``, ``run_id``, ``report_id`` and ``response_id`` become the target's.

What is derived is derived again. The reports whose URLs got new ledger rows are deleted
(with their sections, stats, checks, figures, search rows and revisions) and rebuilt by
replaying every ledger row of those URLs, the target's and the source's together, in the
order they were fetched, through the one ingest path (``archive.ingest.ingest``, as
``nianbao reparse`` does). So the rules of a crawl decide a merge too: a report fetched on
two machines ends as the newest good version, the older one a revision only when its text
differs; a worse page never replaces a good report; ``gone_since`` follows the latest
evidence (a 404 after the last good copy sets it, a good copy after a 404 clears it).

The ledger stays in fetch order for every URL: when a source holds fetches of a URL older
than the target's newest fetch of it, that URL's rows are renumbered (new ids after the
last one) in fetched_at order, so ``latest_responses``, a re-crawl's conditional requests
and a later ``nianbao reparse`` (which replays by id) agree with the merge.

One transaction per source: a merge killed at any moment leaves the target as it was
before that source, and running it again finishes the job; merging a source twice adds
nothing. Sources are only read (read-only connection, never upgraded in place: an archive
made by an older nianbao is upgraded in a temporary copy), and a file that is not a
nianbao archive, or one made by a newer nianbao, is refused before anything is written.

Reports kept by an archive made before raw responses were stored (no ``response_id``)
cannot be re-derived: they are copied as they are when the target has no report at their
URL.
"""
from __future__ import annotations

import fcntl
import sqlite3
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from . import schema
from .ingest import ingest, report_url
from .raw import RawResponse
from .reparse import BATCH, LEDGER_REPLAY_SQL, REPORT_ROUTES, ReportIds, parser_pool, readings
from .schema import FTS_TABLE, MIGRATIONS, TABLES, ensure_schema
from .search import delete_from_index, index_text

from .store import CHILD_TABLES, Archive, ArchiveError, NotAnArchive, read_only_uri, recognise

# Tables of older archives that today's migrations turn into today's tables (fetches -> responses,
# stats -> stat_cells + stat_labels): known to this nianbao, so not a sign of a newer one.
OLDER_TABLES = ("fetches", "stats")
# Tables merge handles itself; every other table of TABLES is copied by its own key (see _merge_table).
OWN_TABLES = {"portals", "reports", "stat_labels", "bodies", "responses", "revisions", "crawl_runs",
              "schema_migrations", *CHILD_TABLES}
BODY_BATCH = 500
# The ledger key of a report (archive.ingest.report_url) as an SQL function of the target connection.
REPORT_KEY_FUNCTION = "nianbao_report_key"


class MergeRefused(Exception):
    """A source that must not be merged (not an archive, made by a newer nianbao, being written): one line."""


@dataclass
class MergeCounts:
    responses_new: int = 0
    responses_there: int = 0
    bodies_new: int = 0
    bodies_there: int = 0
    reports_new: int = 0
    reports_there: int = 0
    reports_updated: int = 0     # already there, and the merge changed what they say (a newer version)
    renumbered: int = 0          # ledger rows moved to keep every URL's fetches in order

    def __iadd__(self, other: "MergeCounts") -> "MergeCounts":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


Progress = Callable[[str, int, int], None]   # (phase, done, total)


# --- reading a source ------------------------------------------------------------------------
def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}


def check_source(path: str | Path) -> str | None:
    """None when PATH is a nianbao archive this nianbao can merge, else one line saying why not.
    Reads without writing (archive.store.recognise, then an immutable or read-only connection)."""
    p = Path(path)
    if not p.is_file() or not p.stat().st_size:
        return f"{path}: no such archive (not a file, or empty); nothing merged"
    try:
        recognise(str(p))
    except NotAnArchive:
        return f"{path}: not a nianbao archive; nothing merged"
    except ArchiveError as exc:  # damaged pages: recognise's line says how to recover what it holds
        return str(exc)
    try:
        conn = sqlite3.connect(read_only_uri(p), uri=True)
        try:
            return _newer_than_this(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"{path}: unreadable SQLite database ({exc}); nothing merged"


def _newer_than_this(conn: sqlite3.Connection, path) -> str | None:
    """One line when the archive has a data migration, a table or a column this nianbao does not know."""
    tables = _tables(conn)
    newer = "made by a newer nianbao than this one; upgrade nianbao to merge it"
    if "schema_migrations" in tables:
        unknown = sorted(name for (name,) in conn.execute("select name from schema_migrations")
                         if not _known_migration(name))
        if unknown:
            return f"{path}: {newer} (data migration {unknown[0]!r} is unknown here)"
    for table in sorted(tables):
        if table.startswith("sqlite_") or table == FTS_TABLE or table.startswith(FTS_TABLE + "_") \
                or table in OLDER_TABLES:
            continue
        if table not in TABLES:
            return f"{path}: {newer} (table {table!r} is unknown here)"
        extra = [c for c in _columns(conn, table) if c not in TABLES[table]["columns"]]
        if extra:
            return f"{path}: {newer} (column {table}.{extra[0]} is unknown here)"
    return None


def _known_migration(name: str) -> bool:
    if name in {known for known, _ in MIGRATIONS}:
        return True
    # The divisions registry's version (one name per registry CSV, as archive.schema.registry_migration
    # makes it): an older or newer registry is rows of data, unioned like the rest of the table.
    registry = getattr(schema, "registry_migration", None)
    return registry is not None and name.split("-")[0] == registry().split("-")[0]


def _needs_upgrade(conn: sqlite3.Connection) -> bool:
    """True when the source has data migrations still to apply (its raw or derived rows are in
    an older shape); a table or column merely missing is read as empty or NULL."""
    if "schema_migrations" not in _tables(conn):
        return True
    applied = {r[0] for r in conn.execute("select name from schema_migrations")}
    return any(name not in applied for name, _ in MIGRATIONS)


@contextmanager
def open_source(path: str | Path, workdir: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the archive PATH, in one read transaction (a snapshot).

    PATH is never written: nianbao's writers are kept out for the merge (a shared flock;
    a crawl, reparse or import holds it exclusively), and an archive made by an older
    nianbao is upgraded in a temporary copy (in WORKDIR, beside the target)."""
    problem = check_source(path)
    if problem:
        raise MergeRefused(problem)
    with open(path, "rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MergeRefused(f"{path}: another nianbao crawl, reparse or import is writing to it; "
                               f"wait for it to finish") from None
        conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None)
        try:
            if not _needs_upgrade(conn):
                with _snapshot(conn):
                    yield conn
                return
            with tempfile.TemporaryDirectory(prefix=".nianbao-merge-", dir=workdir) as tmp:
                copy = Path(tmp) / Path(path).name
                upgraded = sqlite3.connect(copy)
                conn.backup(upgraded)
                upgraded.close()
                db = sqlite_utils.Database(copy)
                ensure_schema(db)
                db.close()
                older = sqlite3.connect(f"file:{copy}?mode=ro", uri=True, isolation_level=None)
                try:
                    with _snapshot(older):
                        yield older
                finally:
                    older.close()
        finally:
            conn.close()


@contextmanager
def _snapshot(conn: sqlite3.Connection):
    conn.execute("begin")
    try:
        yield
    finally:
        conn.execute("rollback")


# --- merging one source ----------------------------------------------------------------------
def merge_archive(target: Archive, source_path: str | Path, *, jobs: int = 2,
                  progress: Progress | None = None) -> MergeCounts:
    """Merge the archive at SOURCE_PATH into TARGET in one transaction; returns what was new and
    what was already there. Raises MergeRefused (nothing written) for a source that must not be merged."""
    conn = target.conn
    conn.create_function(REPORT_KEY_FUNCTION, 3, _report_key, deterministic=True)
    workdir = Path(conn.execute("pragma database_list").fetchone()[2] or ".").parent
    with open_source(source_path, workdir) as source:
        # As in reparse: the rows written here point at rows written in the same transaction,
        # and checking each foreign key row by row makes a rebuild much slower.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with target.transaction():
                return _merge(target, source, jobs, progress)
        finally:
            conn.execute("PRAGMA foreign_keys = ON")


def _report_key(url: str | None, route: str | None, parent_url: str | None) -> str | None:
    return report_url(RawResponse(url=url, route=route, parent_url=parent_url))


def _merge(target: Archive, source: sqlite3.Connection, jobs: int, progress: Progress | None) -> MergeCounts:
    conn = target.conn
    counts = MergeCounts()
    for name in ("merge_new", "merge_keys"):
        conn.execute(f"drop table if exists temp.[{name}]")
    # the ledger rows this merge adds (linked: the source row pointed at a report)
    conn.execute("create temp table merge_new (id integer primary key, linked integer)")
    # the URLs whose reports are derived again
    conn.execute("create temp table merge_keys (key text primary key)")

    counts.reports_there = sum(1 for (url,) in source.execute("select url from reports")
                               if conn.execute("select 1 from reports where url = ?", [url]).fetchone())
    reports_before = conn.execute("select count(*) from reports").fetchone()[0]

    portal_ids = _merge_portals(conn, source)
    run_ids = _merge_runs(conn, source)
    others = [t for t in TABLES if t not in OWN_TABLES and t in _tables(source) and t in _tables(conn)]
    per_report = {t for t in others if {"report_id", "response_id"} & set(TABLES[t]["columns"])}
    # registries (divisions) before the reports are derived again: ingest reads them
    for table in others:
        if table not in per_report:
            _merge_table(conn, source, table, {"portal_id": portal_ids, "run_id": run_ids})
    if hasattr(target, "gazetteer"):
        target.gazetteer(reload=True)  # the divisions ingest reads, as merged
    _merge_bodies(conn, source, counts, progress)
    first_new = _merge_responses(conn, source, portal_ids, run_ids, counts, progress)
    counts.renumbered = _keep_fetch_order(conn, first_new)
    counts.reports_updated = _derive_again(target, jobs, progress)
    conn.execute(f"""
        update responses set report_id = (select id from reports
                                          where url = {REPORT_KEY_FUNCTION}(responses.url, responses.route,
                                                                            responses.parent_url))
        where id in (select id from temp.merge_new where linked)
    """)
    _copy_older_reports(target, source, portal_ids)
    if per_report:
        report_ids = _report_id_map(conn, source)
        for table in others:
            if table in per_report:
                _merge_table(conn, source, table, {"portal_id": portal_ids, "run_id": run_ids, "report_id": report_ids})
    counts.reports_new = conn.execute("select count(*) from reports").fetchone()[0] - reports_before
    for name in ("merge_new", "merge_keys"):
        conn.execute(f"drop table temp.[{name}]")
    return counts


def _merge_portals(conn: sqlite3.Connection, source: sqlite3.Connection) -> dict[int, int]:
    """Portals by URL: a new one is copied, a known one gets the fields it lacks (the earliest
    first_seen, the latest last_crawled). Returns source id -> target id."""
    columns = [c for c in _columns(source, "portals") if c in _columns(conn, "portals") and c != "id"]
    ids = {}
    for row in source.execute(f"select id, {', '.join(f'[{c}]' for c in columns)} from portals"):
        source_id, values = row[0], dict(zip(columns, row[1:]))
        found = conn.execute("select * from portals where url = ?", [values["url"]]).fetchone() \
            if values.get("url") is not None else None
        if found is None:
            ids[source_id] = conn.execute(
                f"insert into portals ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' for _ in columns)})",
                list(values.values())).lastrowid
            continue
        held = dict(zip(_columns(conn, "portals"), found))
        ids[source_id] = held["id"]
        updates = {c: v for c, v in values.items() if held.get(c) in (None, "") and v not in (None, "")}
        if values.get("first_seen") and held.get("first_seen") and values["first_seen"] < held["first_seen"]:
            updates["first_seen"] = values["first_seen"]
        if values.get("last_crawled") and held.get("last_crawled") and values["last_crawled"] > held["last_crawled"]:
            updates["last_crawled"] = values["last_crawled"]
        if updates:
            conn.execute(f"update portals set {', '.join(f'[{c}] = ?' for c in updates)} where id = ?",
                         [*updates.values(), held["id"]])
    return ids


def _merge_runs(conn: sqlite3.Connection, source: sqlite3.Connection) -> dict[int, int]:
    """Crawl runs by (started, pid, start_urls). Returns source id -> target id."""
    if "crawl_runs" not in _tables(source):
        return {}
    columns = [c for c in _columns(source, "crawl_runs") if c in _columns(conn, "crawl_runs") and c != "id"]
    ids = {}
    for row in source.execute(f"select id, {', '.join(f'[{c}]' for c in columns)} from crawl_runs order by id"):
        values = dict(zip(columns, row[1:]))
        found = conn.execute("select id from crawl_runs where started is ? and pid is ? and start_urls is ?",
                             [values.get("started"), values.get("pid"), values.get("start_urls")]).fetchone()
        ids[row[0]] = found[0] if found else conn.execute(
            f"insert into crawl_runs ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' for _ in columns)})",
            list(values.values())).lastrowid
    return ids


def _merge_bodies(conn: sqlite3.Connection, source: sqlite3.Connection, counts: MergeCounts,
                  progress: Progress | None) -> None:
    """Bodies by SHA-256, copied as stored (already compressed), only those the target lacks."""
    if "bodies" not in _tables(source):
        return
    total = source.execute("select count(*) from bodies").fetchone()[0]
    shas = source.execute("select sha256 from bodies")
    done = 0
    while batch := [row[0] for row in shas.fetchmany(BODY_BATCH)]:
        marks = ", ".join("?" for _ in batch)
        held = {row[0] for row in conn.execute(f"select sha256 from bodies where sha256 in ({marks})", batch)}
        missing = [sha for sha in batch if sha not in held]
        if missing:
            rows = source.execute("select sha256, size, stored_size, compression, data from bodies "
                                  f"where sha256 in ({', '.join('?' for _ in missing)})", missing).fetchall()
            conn.executemany("insert or ignore into bodies (sha256, size, stored_size, compression, data) "
                             "values (?, ?, ?, ?, ?)", rows)
        counts.bodies_new += len(missing)
        counts.bodies_there += len(held)
        done += len(batch)
        if progress:
            progress("copying bodies", done, total)


def _merge_responses(conn: sqlite3.Connection, source: sqlite3.Connection, portal_ids: dict, run_ids: dict,
                     counts: MergeCounts, progress: Progress | None) -> int:
    """Ledger rows by (url, fetched_at, body_sha256), as a multiset: the n-th source row of a key is
    added when the target holds fewer than n rows of that key (two fetches of one URL in the same
    second stay two). Added in fetch order; returns the first new id."""
    columns = [c for c in _columns(source, "responses") if c in _columns(conn, "responses") and c != "id"]
    total = source.execute("select count(*) from responses").fetchone()[0]
    first_new = (conn.execute("select max(id) from responses").fetchone()[0] or 0) + 1
    rows = source.execute(f"""
        select {', '.join(f'[{c}]' for c in columns)},
               row_number() over (partition by url, fetched_at, body_sha256 order by id) as nth
        from responses order by fetched_at, id
    """)
    insert = (f"insert into responses ({', '.join(f'[{c}]' for c in columns)}) "
              f"values ({', '.join('?' for _ in columns)})")
    at = {c: i for i, c in enumerate(columns)}
    done = 0
    for row in rows:
        values, nth = list(row[:-1]), row[-1]
        held = conn.execute("select count(*) from responses where url = ? and fetched_at is ? and body_sha256 is ?",
                            [values[at["url"]], values[at["fetched_at"]], values[at["body_sha256"]]]).fetchone()[0]
        done += 1
        if held >= nth:
            counts.responses_there += 1
        else:
            linked = False
            if "portal_id" in at:
                values[at["portal_id"]] = portal_ids.get(values[at["portal_id"]])
            if "run_id" in at:
                values[at["run_id"]] = run_ids.get(values[at["run_id"]])
            if "report_id" in at:
                linked = values[at["report_id"]] is not None
                values[at["report_id"]] = None  # set once the reports are derived again
            new_id = conn.execute(insert, values).lastrowid
            conn.execute("insert into temp.merge_new (id, linked) values (?, ?)", [new_id, int(linked)])
            counts.responses_new += 1
        if progress and (done % 500 == 0 or done == total):
            progress("copying the ledger", done, total)
    return first_new


def _keep_fetch_order(conn: sqlite3.Connection, first_new: int) -> int:
    """Renumber the ledger rows of every URL (report key) that got a fetch older than one the target
    already held: all its rows, in fetched_at order, after the last id. Returns the rows moved."""
    key = f"{REPORT_KEY_FUNCTION}(url, route, parent_url)"
    added = dict(conn.execute(f"select {key}, min(fetched_at) from responses "
                              f"where id in (select id from temp.merge_new) group by 1"))
    if not added:
        return 0
    conn.execute("drop table if exists temp.merge_group")
    conn.execute("create temp table merge_group (key text primary key)")
    conn.executemany("insert into temp.merge_group values (?)", [(k,) for k in added])
    # a key's rows: its own URL's (by the url index) and its attachments' (parent_url, one scan)
    in_group = (f"(url in (select key from temp.merge_group) or parent_url in (select key from temp.merge_group)) "
                f"and {key} in (select key from temp.merge_group)")
    late = [k for k, latest in conn.execute(f"select {key}, max(fetched_at) from responses "
                                            f"where {in_group} and id < ? group by 1", [first_new])
            if added.get(k) is not None and latest is not None and added[k] < latest]
    conn.execute("delete from temp.merge_group")
    if not late:
        conn.execute("drop table temp.merge_group")
        return 0
    conn.executemany("insert into temp.merge_group values (?)", [(k,) for k in late])
    moving = [row[0] for row in conn.execute(f"select id from responses where {in_group} order by fetched_at, id")]
    conn.execute("drop table temp.merge_group")
    next_id = conn.execute("select max(id) from responses").fetchone()[0] + 1
    moves = [(new, old) for new, old in enumerate(moving, start=next_id)]
    conn.executemany("update responses set id = ? where id = ?", moves)
    conn.executemany("update temp.merge_new set id = ? where id = ?", moves)
    for table in ("reports", "revisions"):
        conn.executemany(f"update [{table}] set response_id = ? where response_id = ?", moves)
    return len(moves)


# The ledger rows of the URLs derived again (temp.merge_keys), in the order they were written.
_REPLAY_SQL = f"""{LEDGER_REPLAY_SQL}
    where responses.route in ({", ".join(f"'{r}'" for r in REPORT_ROUTES)})
      and (responses.url in (select key from temp.merge_keys) or responses.parent_url in (select key from temp.merge_keys))
      and {REPORT_KEY_FUNCTION}(responses.url, responses.route, responses.parent_url) in (select key from temp.merge_keys)
    order by responses.id
"""


def _derive_again(target: Archive, jobs: int, progress: Progress | None) -> int:
    """Delete the derived rows of every report whose URL got new ledger rows and replay all the
    ledger rows of those URLs through ingest (report ids kept). Returns the reports that were
    already there and now say something else."""
    conn = target.conn
    conn.execute(f"""
        insert or ignore into temp.merge_keys (key)
        select {REPORT_KEY_FUNCTION}(url, route, parent_url) from responses
        where id in (select id from temp.merge_new) and route in ({", ".join(f"'{r}'" for r in REPORT_ROUTES)})
    """)
    before = {url: sha for url, sha in conn.execute(
        "select url, content_sha256 from reports where url in (select key from temp.merge_keys)")}
    derived = "url in (select key from temp.merge_keys) and response_id is not null"
    keep_ids = ReportIds(conn.execute(f"select url, id from reports where {derived}"),
                          (conn.execute("select max(id) from reports").fetchone()[0] or 0) + 1)
    for table in CHILD_TABLES:
        conn.execute(f"delete from [{table}] where report_id in (select id from reports where {derived})")
    delete_from_index(conn, derived)
    conn.execute(f"delete from revisions where report_id in (select id from reports where {derived})")
    conn.execute(f"delete from reports where {derived}")

    total = conn.execute(f"select count(*) from ({_REPLAY_SQL})").fetchone()[0]
    pool = parser_pool(jobs) if total > BATCH // 4 else None
    done = 0
    try:
        for response_id, raw, reading in readings(conn.execute(_REPLAY_SQL), pool):
            ingest(target, raw, reading, record=False, response_id=response_id, reuse_ids=keep_ids)
            done += 1
            if progress and (done % 50 == 0 or done == total):
                progress("re-parsing responses", done, total)
    finally:
        if pool:
            pool.close()
            pool.join()
    after = dict(conn.execute("select url, content_sha256 from reports where url in (select key from temp.merge_keys)"))
    return sum(1 for url, sha in before.items() if url in after and after[url] != sha)


def _copy_older_reports(target: Archive, source: sqlite3.Connection, portal_ids: dict) -> None:
    """Reports of an archive made before raw responses were kept (no response_id: nothing to derive
    them from) are copied as they are, with their derived rows, when the target has no report at their URL."""
    conn = target.conn
    columns = [c for c in _columns(source, "reports") if c in _columns(conn, "reports") and c != "id"]
    rows = source.execute(f"select id, {', '.join(f'[{c}]' for c in columns)} from reports "
                          "where response_id is null").fetchall()
    for row in rows:
        source_id, values = row[0], dict(zip(columns, row[1:]))
        if conn.execute("select 1 from reports where url = ?", [values["url"]]).fetchone():
            continue
        values["portal_id"] = portal_ids.get(values.get("portal_id"))
        report_id = conn.execute(
            f"insert into reports ({', '.join(f'[{c}]' for c in values)}) values ({', '.join('?' for _ in values)})",
            list(values.values())).lastrowid
        conn.execute(f"insert into [{FTS_TABLE}] (rowid, title, body) values (?, ?, ?)",
                     [report_id, index_text(values.get("title")), index_text(values.get("body"))])
        for table in (*CHILD_TABLES, "revisions"):
            if table not in _tables(source):
                continue
            child_columns = [c for c in _columns(source, table) if c in _columns(conn, table) and c != "id"]
            for child in source.execute(f"select {', '.join(f'[{c}]' for c in child_columns)} from [{table}] "
                                        "where report_id = ?", [source_id]).fetchall():
                child = dict(zip(child_columns, child))
                child["report_id"] = report_id
                if table == "stat_cells" and child.get("label_id") is not None:
                    labels = source.execute("select row_label, column_label from stat_labels where id = ?",
                                            [child["label_id"]]).fetchone()
                    child["label_id"] = target.label_id(*labels) if labels else None
                if "response_id" in child:
                    child["response_id"] = None  # an older archive's ledger kept no response to point at
                conn.execute(f"insert or ignore into [{table}] ({', '.join(f'[{c}]' for c in child)}) "
                             f"values ({', '.join('?' for _ in child)})", list(child.values()))


def _report_id_map(conn: sqlite3.Connection, source: sqlite3.Connection) -> dict[int, int]:
    """Source report id -> target report id, by URL."""
    ids = {}
    for source_id, url in source.execute("select id, url from reports"):
        found = conn.execute("select id from reports where url = ?", [url]).fetchone()
        if found:
            ids[source_id] = found[0]
    return ids


def _merge_table(conn: sqlite3.Connection, source: sqlite3.Connection, table: str, id_maps: dict) -> None:
    """Any other table (a registry such as divisions, per-run or per-report records): its rows with
    their ids remapped, each once — by its own primary key, or, for a table keyed by a
    surrogate id, by all its other columns."""
    spec = TABLES[table]
    columns = [c for c in _columns(source, table) if c in _columns(conn, table)]
    surrogate = spec.get("pk") == "id"
    if surrogate:
        columns = [c for c in columns if c != "id"]
    for row in source.execute(f"select {', '.join(f'[{c}]' for c in columns)} from [{table}]").fetchall():
        values = dict(zip(columns, row))
        for column, ids in id_maps.items():
            if column in values and values[column] is not None:
                values[column] = ids.get(values[column])
        if "response_id" in values and values["response_id"] is not None:
            values["response_id"] = _target_response_id(conn, source, values["response_id"])
        if surrogate:
            found = conn.execute(f"select 1 from [{table}] where "
                                 + " and ".join(f"[{c}] is ?" for c in values), list(values.values())).fetchone()
            if found:
                continue
        conn.execute(f"insert or ignore into [{table}] ({', '.join(f'[{c}]' for c in values)}) "
                     f"values ({', '.join('?' for _ in values)})", list(values.values()))


def _target_response_id(conn: sqlite3.Connection, source: sqlite3.Connection, source_id: int) -> int | None:
    row = source.execute("select url, fetched_at, body_sha256 from responses where id = ?", [source_id]).fetchone()
    if row is None:
        return None
    found = conn.execute("select min(id) from responses where url = ? and fetched_at is ? and body_sha256 is ?",
                         row).fetchone()
    return found[0] if found else None
